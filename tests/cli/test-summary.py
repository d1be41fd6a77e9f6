#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""analyze --summary: the aggregates agree with the reports. The expected
summary is computed here, independently, from the NDJSON report lines of
a run without --summary (the samples, a generated mbox and duplicated
messages, so counts go above 1), and compared with the summary line
(ndjson), the last array element (json), summary.json (--output-dir), and
the text and --summary-only output; --jobs 1 and 3 give the same bytes.
Then the bound: 3000 messages with distinct keys in every dimension and
one heavy sender domain through the default 1000 slots give "exact":
false with the heavy domain first and its count within the error bound,
and peak RSS does not grow by more than 10% when the distinct keys
double.

Usage: test-summary.py MAILTRAIL SOURCE_ROOT
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

MT, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
SAMPLES = os.path.join(ROOT, "samples")
GEN = os.path.join(ROOT, "tests", "bench", "gen-corpus.py")
SCHEMA = os.path.join(ROOT, "doc", "mailtrail-summary.schema.json")
# The sample GeoIP databases, so that origin ASNs and countries are filled.
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1793491200",
           MAILTRAIL_GEOIP_DIR=os.path.join(SAMPLES, "geoip"))
ENV.pop("NO_COLOR", None)
DIMS = ["origin_ips", "origin_asns", "origin_countries", "from_domains",
        "envelope_domains", "dkim_domains", "attachments", "url_hosts",
        "findings"]
tap = Tap()


def analyze(*args):
    return subprocess.run([MT, "analyze", "-q", *args], capture_output=True,
                          env=ENV)


def lines(stdout):
    return [json.loads(x) for x in stdout.splitlines()]


def link_host(link):
    """Where a link goes: the unwrapped target's host for a wrapped link."""
    if link.get("unwrapped"):
        try:
            host = urlsplit(link["unwrapped"]).hostname
        except ValueError:
            host = None
        if host:
            return host.lower()
    return link.get("host")


def values_of(rep):
    """Each dimension's values in one report, as a set: once per message."""
    origin = rep["relay"]["origin"]
    geo = origin.get("geo") or {}
    ident = rep["identity"]
    out = {d: set() for d in DIMS}
    if origin.get("ip"):
        out["origin_ips"].add(origin["ip"])
    if geo.get("asn"):
        out["origin_asns"].add("AS%d" % geo["asn"])
    if geo.get("country_code"):
        out["origin_countries"].add(geo["country_code"])
    if ident.get("from_domain"):
        out["from_domains"].add(ident["from_domain"])
    for e in ident.get("identities", []):
        if e["role"] in ("return-path", "mbox-from", "envelope-from") \
                and e.get("domain"):
            out["envelope_domains"].add(e["domain"])
    for s in rep["authentication"].get("dkim", []):
        if s.get("domain"):
            out["dkim_domains"].add(s["domain"])
    for a in rep["mime"].get("attachments", []):
        if a["hashes"].get("sha256"):
            out["attachments"].add(a["hashes"]["sha256"])
    for link in rep.get("links", []):
        h = link_host(link)
        if h:
            out["url_hosts"].add(h)
    for f in rep.get("findings", []):
        out["findings"].add(f["id"])
    return out


def expected_summary(reports, top=10):
    counts = {d: {} for d in DIMS}
    with_value = {d: 0 for d in DIMS}
    verdicts = {}
    dates = []
    msgs = {"reports": len(reports), "analyzed": 0, "with_errors": 0,
            "input_errors": 0, "bytes": 0}
    for rep in reports:
        msgs["bytes"] += rep["source"].get("size") or 0
        if rep["source"].get("format") is None:
            msgs["input_errors"] += 1
            continue
        msgs["analyzed"] += 1
        if rep["errors"]:
            msgs["with_errors"] += 1
        v = rep["identity"].get("verdict") or "not-scored"
        verdicts[v] = verdicts.get(v, 0) + 1
        d = rep["summary"].get("date") or {}
        if d.get("valid"):
            dates.append(d["utc"])
        for dim, vals in values_of(rep).items():
            with_value[dim] += bool(vals)
            for x in vals:
                counts[dim][x] = counts[dim].get(x, 0) + 1
    out = {"messages": msgs, "verdicts": verdicts,
           "dates": {"valid": len(dates),
                     "earliest": min(dates) if dates else None,
                     "latest": max(dates) if dates else None}}
    for dim in DIMS:
        rows = sorted(counts[dim].items(),
                      key=lambda kv: (-kv[1], kv[0].encode()))
        out[dim] = {"distinct": len(counts[dim]),
                    "messages": with_value[dim],
                    "top": rows[:top]}
    return out


def compare(name, got, exp):
    problems = []
    for key in ("messages", "dates", "verdicts"):
        if got[key] != exp[key]:
            problems.append(f"{key}: {got[key]} != {exp[key]}")
    for dim in DIMS:
        g, e = got[dim], exp[dim]
        rows = [(r["value"], r["count"]) for r in g["top"]]
        if not g["exact"] or g["distinct"] != e["distinct"] \
                or g["messages"] != e["messages"] or rows != e["top"] \
                or any(r["error"] for r in g["top"]):
            problems.append(f"{dim}: got exact={g['exact']} "
                            f"distinct={g['distinct']} messages="
                            f"{g['messages']} {rows[:4]}; want distinct="
                            f"{e['distinct']} messages={e['messages']} "
                            f"{e['top'][:4]}")
    tap.ok(not problems, name, "\n".join(problems))


try:
    import jsonschema
    validator = jsonschema.Draft202012Validator(json.load(open(SCHEMA)))
except ImportError:
    validator = None


def valid(name, obj):
    if validator is None:
        tap.ok(True, f"{name}: schema not checked (no python3-jsonschema)")
        return
    errs = [f"{e.json_path}: {e.message[:200]}"
            for e in validator.iter_errors(obj)]
    tap.ok(not errs, f"{name} validates against {os.path.basename(SCHEMA)}",
           "\n".join(errs[:20]))


work = tempfile.mkdtemp(prefix="mt-summary-")
try:
    subprocess.run([sys.executable, GEN, work, "--size", "3", "--seed", "11"],
                   check=True, capture_output=True)
    corpus = os.path.join(work, "corpus.mbox")
    samples = sorted(os.path.join(SAMPLES, f) for f in os.listdir(SAMPLES)
                     if f.endswith((".eml", ".mbox")))
    png = os.path.join(work, "x.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
    # Messages given more than once: counts above 1 in every dimension.
    inputs = samples + [corpus, png] + samples + \
        [os.path.join(SAMPLES, "phishing.eml")] * 3

    plain = analyze("--format", "ndjson", *inputs)
    reports = lines(plain.stdout)
    tap.ok(plain.returncode == 3 and len(reports) > 100,
           f"ndjson without --summary: {len(reports)} reports (one input "
           "is not mail: exit 3)", plain.stderr.decode()[-400:])
    exp = expected_summary(reports)
    tap.ok(exp["origin_ips"]["top"][0][1] >= 4 and
           exp["attachments"]["distinct"] >= 4 and
           exp["url_hosts"]["top"][0][1] > 50 and
           exp["findings"]["distinct"] > 10,
           "the input has repeated origins, attachments, link hosts and "
           "findings", [exp[d]["top"][:2] for d in DIMS])

    nd = analyze("--format", "ndjson", "--summary", *inputs)
    nd_lines = nd.stdout.splitlines()
    tap.ok(nd.returncode == 3 and nd_lines[:-1] == plain.stdout.splitlines(),
           "ndjson --summary: the report lines are unchanged, one line more")
    summary = json.loads(nd_lines[-1])
    tap.ok(summary["schema"] == "mailtrail.summary/1"
           and summary["capacity"] == 1000 and summary["top"] == 10,
           "the last line is the mailtrail.summary/1 object", nd_lines[-1][:300])
    compare("ndjson summary = the aggregates of the report lines", summary,
            exp)
    valid("ndjson summary", summary)
    first = summary["origin_ips"]["top"][0]
    tap.ok("country" in first and "asn" in first and
           any(r["country"] == "CN" and r["asn"] == "AS4837"
               for r in summary["origin_ips"]["top"]),
           "origin IP rows carry country and asn (175.16.199.10: CN, "
           "AS4837)", first)
    asn_rows = summary["origin_asns"]["top"]
    tap.ok(asn_rows and all(r["value"].startswith("AS") and "org" in r
                            for r in asn_rows),
           "ASN rows are AS<number> with the organisation", asn_rows[:2])
    att = [r for r in summary["attachments"]["top"]
           if r["value"] == "6faeacd664b72be264f46c7eeff65b4d13b411a003c98f7c5c792796456faeae"]
    tap.ok(att and att[0]["count"] == 2 and att[0]["detected_type"] ==
           "application/pdf" and att[0]["filename"].endswith(".pdf"),
           "attachment.eml's PDF: 2 messages, with file name and type",
           att)
    fnd = summary["findings"]["top"]
    tap.ok(len(fnd) == 10 and all(r["title"] and r["severity"] in
                                  ("info", "low", "medium", "high")
                                  for r in fnd),
           "finding rows carry the registry's title and severity", fnd[:2])
    tap.ok(summary["verdicts"].get("likely-malicious", 0) >= 7,
           "verdicts counted", summary["verdicts"])

    for jobs in ("3",):
        par = analyze("--format", "ndjson", "--summary", "--jobs", jobs,
                      *inputs)
        tap.ok(par.stdout == nd.stdout,
               f"--jobs {jobs}: the same bytes as --jobs 1, summary included")

    js = analyze("--format", "json", "--summary", *inputs)
    arr = json.loads(js.stdout)
    tap.ok(isinstance(arr, list) and len(arr) == len(reports) + 1
           and arr[-1] == summary and arr[:-1] == reports,
           "json --summary: an array of the reports, the summary last")
    one = analyze("--format", "json", "--summary",
                  os.path.join(SAMPLES, "plain.eml"))
    one_arr = json.loads(one.stdout)
    tap.ok(isinstance(one_arr, list) and len(one_arr) == 2
           and one_arr[0]["schema"] == "mailtrail.report/1"
           and one_arr[1]["messages"]["analyzed"] == 1,
           "json --summary with one message is still an array")
    only = analyze("--format", "json", "--summary-only", *inputs)
    only_arr = json.loads(only.stdout)
    tap.ok(only.returncode == 3 and only_arr == [summary],
           "json --summary-only: an array of the summary alone")
    ndo = analyze("--format", "ndjson", "--summary-only", "--jobs", "2",
                  *inputs)
    tap.ok(ndo.stdout.splitlines() == [nd_lines[-1]],
           "ndjson --summary-only --jobs 2: the summary line alone")

    # Text: the summary section shows the same top values.
    txt_only = analyze("--summary-only", *inputs)
    text = txt_only.stdout.decode()
    tap.ok(text.startswith("== Summary: %d messages analyzed"
                           % exp["messages"]["analyzed"])
           and "\n== " not in text,
           "--summary-only text: the summary and no per-message report",
           text[:300])
    missing = []
    for dim in DIMS:
        for value, count in exp[dim]["top"][:3]:
            if not re.search(r"^ +%d  %s(  |$)" % (count, re.escape(value)),
                             text, re.M):
                missing.append(f"{dim}: {count} {value}")
    tap.ok(not missing, "text rows carry the same top values and counts",
           "\n".join(missing))
    txt = analyze("--summary", *inputs)
    full = txt.stdout.decode()
    tap.ok(full.count("\n== ") > 100 and ("\n\n" + text) in full
           and full.rstrip().endswith("inputs not readable as mail"),
           "text --summary: the reports, the same summary, the tally")
    defanged = analyze("--summary-only", "--defang", *inputs).stdout.decode()
    host = exp["url_hosts"]["top"][0][0]
    tap.ok(host.replace(".", "[.]") in defanged and
           not re.search(r"^ +\d+  %s" % re.escape(host), defanged, re.M),
           "--defang: link hosts defanged in the summary", host)

    out_dir = os.path.join(work, "out")
    od = analyze("--format", "ndjson", "--summary", "--output-dir", out_dir,
                 *inputs)
    with open(os.path.join(out_dir, "summary.json")) as f:
        tap.ok(json.load(f) == summary and od.returncode == 3,
               "--output-dir: summary.json in the directory")
    again = analyze("--format", "ndjson", "--summary-only", "--output-dir",
                    out_dir, samples[0])
    tap.ok(again.returncode == 5 and b"summary.json" in again.stderr,
           "an existing summary.json is never replaced (exit 5)",
           again.stderr)
    html_dir = os.path.join(work, "html")
    hd = analyze("--html-dir", html_dir, "--summary", *samples)
    tap.ok(hd.returncode == 0 and
           os.path.exists(os.path.join(html_dir, "index.html")) and
           json.load(open(os.path.join(html_dir, "summary.json")))
           ["messages"]["analyzed"] == 10,
           "--html-dir: pages, index and summary.json")

    for args, why in ((["--format", "html", "--summary"], "html stream"),
                      (["--summary-keys", "10"], "--summary-keys alone"),
                      (["--summary", "--summary-keys", "0"], "0 keys"),
                      (["--summary", "--summary-top", "x"], "bad top")):
        r = analyze(*args, samples[0])
        tap.ok(r.returncode == 2 and r.stdout == b"",
               f"usage error: {why}", r.stderr)
    helptext = subprocess.run([MT, "analyze", "--help"], capture_output=True,
                              env=ENV).stdout.decode()
    tap.ok(all(o in helptext for o in ("--summary ", "--summary-only",
                                       "--summary-keys", "--summary-top")),
           "--help lists the summary options")

    # Capacity: top rows from few keys.
    small = analyze("--format", "ndjson", "--summary-only", "--summary-keys",
                    "5", "--summary-top", "3", *inputs)
    s5 = json.loads(small.stdout)
    fd = s5["from_domains"]
    tap.ok(s5["capacity"] == 5 and not fd["exact"] and fd["distinct"] is None
           and fd["tracked"] == 5 and fd["distinct_at_least"] == 6
           and fd["distinct_at_most"] >= exp["from_domains"]["distinct"]
           and len(fd["top"]) == 3,
           "--summary-keys 5: exact false with the distinct bounds", fd)
    truth = dict(exp["from_domains"]["top"])
    bad = [r for r in fd["top"] if r["value"] in truth and not
           (r["count"] - r["error"] <= truth[r["value"]] <= r["count"])]
    tap.ok(not bad, "each count holds the true count within its error", bad)
    valid("inexact summary", s5)

    # The bound on memory: every message has new keys in every dimension.
    def write_mbox(path, n, heavy_every=6):
        with open(path, "w") as f:
            for i in range(n):
                # Long names (up to 200 bytes), so that a table that grew
                # with the input would show in the RSS.
                d = ("d%05d-" % i) + "x" * 180 + ".example"
                if i % heavy_every == 0:
                    d = "heavy.example"
                ipaddr = "%d.%d.%d.%d" % (11 + i % 80, (i >> 8) % 256,
                                          i % 256, 1 + i % 250)
                att = base64.b64encode(("file %d " % i).encode() * 8).decode()
                f.write(
                    f"From bounce@{d} Mon Nov  2 10:00:00 2026\n"
                    f"Received: from relay.{d} (relay.{d} [{ipaddr}])\n"
                    f"\tby mx.example.org with ESMTPS id A{i}; "
                    f"Mon, 2 Nov 2026 10:00:01 +0000\n"
                    f"Return-Path: <bounce@b{i}.{d}>\n"
                    f"DKIM-Signature: v=1; a=rsa-sha256; d=s{i}.{d}; s=k;"
                    f" h=from; bh=AAAA; b=AAAA\n"
                    f"From: <user@{d}>\nTo: <x@example.org>\n"
                    f"Subject: message {i}\n"
                    f"Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
                    f"Message-ID: <{i}@{d}>\nMIME-Version: 1.0\n"
                    f"Content-Type: multipart/mixed; boundary=b\n\n"
                    f"--b\nContent-Type: text/plain\n\n"
                    f"see https://h{i}.{d}/x\n"
                    f"--b\nContent-Type: application/octet-stream\n"
                    f"Content-Disposition: attachment; filename=f{i}.bin\n"
                    f"Content-Transfer-Encoding: base64\n\n{att}\n--b--\n\n")

    # Peak RSS from wait4() in a fresh interpreter: Linux carries a
    # process's peak over exec, so a child forked from this test (which
    # holds every report above) would report the test's own size.
    rss_helper = ("import os, subprocess, sys\n"
                  "p = subprocess.Popen(sys.argv[1:])\n"
                  "_, status, ru = os.wait4(p.pid, 0)\n"
                  "sys.stderr.write('maxrss %d\\n' % ru.ru_maxrss)\n"
                  "sys.exit(os.waitstatus_to_exitcode(status))\n")

    def run_rss(*args):
        """stdout, peak RSS (KiB) and exit code of one analyze run."""
        r = subprocess.run([sys.executable, "-c", rss_helper, MT, "analyze",
                            "-q", *args], capture_output=True, env=ENV)
        rss = int(re.findall(rb"^maxrss (\d+)$", r.stderr, re.M)[-1])
        return r.stdout, rss, r.returncode

    m3 = os.path.join(work, "k3000.mbox")
    m6 = os.path.join(work, "k6000.mbox")
    write_mbox(m3, 3000)
    write_mbox(m6, 6000)
    out3, rss3, rc3 = run_rss("--format", "ndjson", "--summary-only", m3)
    s3 = json.loads(out3)
    fd = s3["from_domains"]
    heavy_true = 500
    top0 = fd["top"][0]
    tap.ok(s3["messages"]["analyzed"] == 3000 and not fd["exact"]
           and fd["distinct_at_least"] == 1001
           and fd["distinct_at_most"] >= 2501,
           "2501 distinct From domains through 1000 slots: exact false",
           {k: v for k, v in fd.items() if k != "top"})
    tap.ok(top0["value"] == "heavy.example" and
           top0["count"] - top0["error"] <= heavy_true <= top0["count"],
           "the heavy domain is first, its true count (500) within "
           "[count - error, count]", top0)
    tap.ok(all(not s3[d]["exact"] for d in ("origin_ips", "envelope_domains",
                                             "dkim_domains", "attachments",
                                             "url_hosts")),
           "every dimension with 3000 keys says exact false")
    valid("3000-key summary", s3)
    _, rss6, rc6 = run_rss("--format", "ndjson", "--summary-only", m6)
    tap.ok(rc3 == 0 and rc6 == 0 and rss6 <= rss3 * 1.10,
           f"peak RSS flat when the distinct keys double: {rss3} KiB for "
           f"3000 messages, {rss6} KiB for 6000 (at most +10%)")
finally:
    shutil.rmtree(work, ignore_errors=True)
tap.done()
