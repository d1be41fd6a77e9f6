#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Adversarial suite: hostile messages built to make a parser slow
(quadratic loops, deep recursion, unbounded buffers) go through
mailtrail analyze. For each case (gen.py) the message is analyzed at
full size and at a tenth of it, and:

  - mailtrail exits 0 or 1 (never 3: the message was read; never a
    signal), and its JSON is a valid report (against the schema when
    python3-jsonschema is installed);
  - the report says what it must (the right number of hops, headers,
    parts, links, methods kept), and where a limit applies, a
    limit-reached finding names it;
  - the work grows linearly: the child's CPU time (user + system, from
    getrusage(RUSAGE_CHILDREN)) at full size is less than RATIO_BOUND
    times the time at a tenth. A linear parser gives about 10, less when
    start-up counts; a quadratic one about 100. No wall-clock constant
    anywhere, so a slow or busy machine cannot fail the test.

MT_ADVERSARIAL_SCALE (default 1) scales every size, for slow builds
(scripts/check sets it for ASan); the tenth stays a tenth.

Usage: test-adversarial.py MAILTRAIL SCHEMA
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from tap import Tap  # noqa: E402
import gen  # noqa: E402

MT = os.path.abspath(sys.argv[1])
SCHEMA = sys.argv[2] if len(sys.argv) > 2 else None
SCALE = float(os.environ.get("MT_ADVERSARIAL_SCALE", "1"))
RATIO_BOUND = 25.0
# A hang guard only (no assertion uses it): a child still running after
# this is killed and the case fails as "did not finish".
HANG_GUARD_S = 900
# Gaps the lead has been told about: the check runs and is reported as a
# TAP TODO (expected failure) until the code is fixed; meson then reports
# an unexpected pass, and the entry must go. Keys: (case, check).
KNOWN_GAPS = {}
MAX_HEADER_BYTES = 1 << 20  # the max-header-bytes default
# GMime grows its header buffer one line at a time with an exact
# g_realloc (gmime-parser.c, header_buffer_append). glibc grows a large
# block in place (mremap), so a folded field of megabytes is linear in
# the real binary, as the plain run of this suite shows; ASan's realloc
# always copies, which makes the same input quadratic under ASan only.
# There the case runs at ASAN_CAPS (its own unit) at most; the ratio of
# long-field (ASAN_UNASSERTED) is reported but not asserted. ar-methods is
# one unfolded line of 3.3 MB at full size that GMime's header buffer
# grows the same way: under ASan 100,000 methods took 0.4 s user and 1.5 s
# system time (page faults of the copies) against 0.03 + 0.05 s at 10,000,
# a ratio at the bound.
# It is capped at half size under ASan, where the ratio is still asserted.
ASAN_CAPS = {"long-field": 1_500_000, "ar-methods": 50_000}
ASAN_UNASSERTED = {"long-field"}

tap = Tap()
with open(MT, "rb") as f:
    ASAN = b"__asan_init" in f.read()
validator = None
if SCHEMA:
    try:
        import jsonschema
        validator = jsonschema.Draft202012Validator(json.load(open(SCHEMA)))
    except ImportError:
        print("# python3-jsonschema not installed: reports are not"
              " validated against the schema")


def check(case, name, cond, detail=""):
    gap = KNOWN_GAPS.get((case, name))
    label = f"{case}: {name}"
    if gap:
        tap.n += 1
        state = "ok" if cond else "not ok"
        print(f"{state} {tap.n} - {label} # TODO {gap}")
        if not cond:
            for line in str(detail).splitlines()[:10]:
                print(f"# {line}")
        sys.stdout.flush()
        return cond
    return tap.ok(cond, label, detail)


def cpu_children():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def analyze(path):
    """Runs mailtrail on path; returns (CPU seconds, CompletedProcess or
    None when it did not finish)."""
    before = cpu_children()
    try:
        p = subprocess.run([MT, "analyze", "--format", "json", "--no-geoip",
                            path], capture_output=True,
                           timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        return cpu_children() - before, None
    return cpu_children() - before, p


def findings(rep, fid):
    return [f for f in rep.get("findings", []) if f.get("id") == fid]


def limit_named(rep, limit):
    """A limit-reached finding whose text names limit."""
    return any(limit in (f.get("message") or "") + (f.get("detail") or "")
               for f in findings(rep, "limit-reached"))


# Per-case checks on the full-size report: (name, predicate, detail).
def checks_received_comments(rep, n, info):
    hops = rep["relay"]["hops"]
    return [("one hop, its by host read past the comments",
             len(hops) == 1 and hops[0]["by"]["host"] == "mx.example.org",
             [(h["by"], h["from"]) for h in hops][:2])]


def checks_many_headers(rep, n, info):
    kept = len(rep["headers"])
    return [("10000 header fields kept (max-headers)", kept == 10000, kept),
            ("limit-reached finding names max-headers",
             limit_named(rep, "max-headers"),
             [f["id"] for f in rep["findings"]])]


def walk_parts(parts):
    stack, out = list(parts), []
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(p.get("children") or [])
    return out


def checks_deep_multipart(rep, n, info):
    mime = rep.get("mime", {})
    depth = mime.get("max_depth")
    return [("mime analyzed", mime.get("analyzed") is True, mime.get("analyzed")),
            ("nesting walked to max-mime-depth (50) and no further",
             isinstance(depth, int) and 1 <= depth <= 51, depth),
            ("limit-reached finding names max-mime-depth",
             limit_named(rep, "max-mime-depth"),
             [f.get("message") for f in findings(rep, "limit-reached")])]


def checks_base64_line(rep, n, info):
    atts = rep.get("mime", {}).get("attachments", [])
    a = atts[0] if atts else {}
    return [("one attachment", len(atts) == 1, len(atts)),
            ("decoded size and SHA-256 of the attachment are right",
             a.get("size") == info["size"]
             and (a.get("hashes") or {}).get("sha256") == info["sha256"],
             (a.get("size"), info["size"], a.get("hashes")))]


def checks_boundary_repeat(rep, n, info):
    mime = rep.get("mime", {})
    count = mime.get("part_count")
    return [("part count stops at max-parts (1000)",
             isinstance(count, int) and 1 <= count <= 1001, count),
            ("limit-reached finding names max-parts",
             limit_named(rep, "max-parts"),
             [f.get("message") for f in findings(rep, "limit-reached")])]


def checks_boundary_lines(rep, n, info):
    defects = rep.get("defects", [])
    return [("defects kept stop at max-defects (1000)",
             len(defects) <= 1000, len(defects)),
            ("limit-reached finding names max-defects, no error",
             limit_named(rep, "max-defects") and not rep.get("errors"),
             ([f.get("message") for f in rep.get("findings", [])],
              rep.get("errors")))]


def checks_many_urls(rep, n, info):
    links = rep.get("links", [])
    dropped = rep.get("links_dropped")
    return [("2000 links kept (max-urls), the rest counted",
             len(links) == 2000 and dropped == info["urls"] - 2000,
             (len(links), dropped)),
            ("limit-reached finding names max-urls",
             limit_named(rep, "max-urls"),
             [f.get("message") for f in findings(rep, "limit-reached")])]


def checks_ar_methods(rep, n, info):
    results = rep["authentication"]["results"]
    r = results[0] if results else {}
    return [("one header, 64 methods kept, marked truncated",
             len(results) == 1 and len(r.get("methods", [])) == 64
             and r.get("truncated") is True,
             (len(results), len(r.get("methods", [])), r.get("truncated"))),
            ("limit-reached finding names max-auth-methods",
             limit_named(rep, "max-auth-methods"),
             [f.get("message") for f in findings(rep, "limit-reached")])]


def checks_long_field(rep, n, info):
    field = [h for h in rep["headers"] if h["name"] == "X-Padding"]
    size = len(field[0]["value"]) if field else None
    cut = info["bytes"] > MAX_HEADER_BYTES
    return [(f"the field {'cut at' if cut else 'under'} max-header-bytes "
             "(1 MiB, unfolded)",
             size is not None and (1_000_000 < size <= MAX_HEADER_BYTES
                                   if cut else size > 0.9 * info["bytes"]),
             (size, info["bytes"])),
            (f"limit-reached finding names max-header-bytes: {cut}",
             limit_named(rep, "max-header-bytes") == cut,
             [f.get("message") for f in findings(rep, "limit-reached")]),
            ("the header after it still read",
             (rep["summary"]["subject"] or {}).get("text") == "adversarial",
             rep["summary"]["subject"])]


def checks_many_received(rep, n, info):
    hops = rep["relay"]["hops"]
    top = hops[-1]["by"]["host"] if hops else None
    return [("500 hops analyzed (max-received), the topmost",
             len(hops) == 500 and top == f"h{info['received'] + 1}.example.net",
             (len(hops), top)),
            ("limit-reached finding names max-received",
             limit_named(rep, "max-received"),
             [f.get("message") for f in findings(rep, "limit-reached")])]


CHECKS = {
    "received-comments": checks_received_comments,
    "many-headers": checks_many_headers,
    "deep-multipart": checks_deep_multipart,
    "base64-line": checks_base64_line,
    "boundary-repeat": checks_boundary_repeat,
    "boundary-lines": checks_boundary_lines,
    "many-urls": checks_many_urls,
    "ar-methods": checks_ar_methods,
    "long-field": checks_long_field,
    "many-received": checks_many_received,
}

with tempfile.TemporaryDirectory(prefix="mt-adversarial-") as tmp:
    for case, (make, default) in gen.CASES.items():
        full_n = max(10, int(default * SCALE))
        if ASAN and case in ASAN_CAPS:
            full_n = min(full_n, ASAN_CAPS[case])
        tenth_n = max(1, full_n // 10)
        runs = {}
        for label, n in (("tenth", tenth_n), ("full", full_n)):
            data, info = make(n)
            path = os.path.join(tmp, f"{case}-{label}.eml")
            with open(path, "wb") as f:
                f.write(data)
            del data
            cpu, p = analyze(path)
            runs[label] = (n, cpu, p, info)
            os.unlink(path)
        n, cpu_full, p, info = runs["full"]
        _, cpu_tenth, p_tenth, _ = runs["tenth"]
        if p is None or p_tenth is None:
            check(case, "finishes", False, f"still running after {HANG_GUARD_S}s")
            continue
        err = p.stderr.decode("utf-8", "replace")
        check(case, "exit 0 or 1 at both sizes",
              p.returncode in (0, 1) and p_tenth.returncode in (0, 1),
              f"exit {p_tenth.returncode} (tenth), {p.returncode} (full)\n{err[-1500:]}")
        try:
            rep = json.loads(p.stdout)
        except ValueError as e:
            check(case, "JSON report", False, f"{e}\n{p.stdout[:300]!r}\n{err[-1500:]}")
            continue
        problems = []
        if validator is not None:
            problems = [f"{e.json_path}: {e.message[:200]}"
                        for e in validator.iter_errors(rep)][:10]
        check(case, "a valid report", rep.get("schema") == "mailtrail.report/1"
              and rep.get("analyzed", True) is not False and not problems,
              "\n".join(problems))
        for name, cond, detail in CHECKS[case](rep, n, info):
            check(case, name, cond, detail)
        ratio = cpu_full / max(cpu_tenth, 1e-3)
        label = (f"linear: CPU {cpu_tenth:.3f}s at {tenth_n}, "
                 f"{cpu_full:.3f}s at {full_n} (x{ratio:.1f} < {RATIO_BOUND:g})")
        if ASAN and case in ASAN_UNASSERTED:
            tap.ok(True, f"{case}: {label} # SKIP ASan's realloc copies "
                   "(GMime's header buffer): linear only with the real "
                   "allocator")
        else:
            check(case, label, ratio < RATIO_BOUND, f"ratio {ratio:.1f}")
tap.done()
