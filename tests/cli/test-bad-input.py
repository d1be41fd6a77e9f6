#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bad-input matrix (issue #9): every kind of input a user or an
attacker can hand to mailtrail analyze that is not a clean message, each
on the same command line as a good message.

Inputs that cannot be analyzed (empty, not mail, unreadable, missing)
must give a line on stderr that starts with the program name and names
the file, exit 3 (documented in --help: "some input could not be read or
parsed; the rest was analyzed"), an error record in the output, and the
good message's report after it. Damaged messages that can still be read
(truncated, NUL bytes, odd line ends, raw 8-bit headers, unknown
charsets) are analyzed: exit 0, the damage recorded in the report, the
good message's report there too. Output that cannot be written (a
directory without write permission, /dev/full) must be reported on
stderr, naming the target and the reason, with exit 5 (documented:
"a report could not be written"; 5 wins over 3 and 1).

The limits are part of the same matrix: a bad --limit value is a usage
error (exit 2, a message naming the limit and the accepted range), a
good one takes effect and its hit is a limit-reached finding (exit 0),
and every limit of the table is documented, with its default, in
'mailtrail help analyze' and in the man page's LIMITS section.

Permission checks run as the unprivileged user nobody (setpriv), since
root reads every file; they are skipped, with the reason, when that is
impossible.

Usage: test-bad-input.py MAILTRAIL SOURCE_ROOT
"""
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

MT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PLAIN = os.path.join(ROOT, "samples", "plain.eml")
MBOX = os.path.join(ROOT, "samples", "mailbox.mbox")
TIMEOUT = 60  # a hang guard for the FIFO case, not an assertion
tap = Tap()


def run(*args, user=None, timeout=TIMEOUT, stdout=subprocess.PIPE):
    cmd = [MT, "analyze", *args]
    if user:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup",
               "--clear-groups", "--", *cmd]
    return subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=timeout)


def text(b):
    return (b or b"").decode("utf-8", "replace")


def reports(r):
    out = []
    for line in text(r.stdout).splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"unparsable": line[:200]})
    return out


def good_report_there(reps, path=PLAIN):
    return any(x.get("source", {}).get("path") == path and
               not x.get("errors") for x in reps)


def unreadable_case(name, path, stderr_has, *, first=True, extra=(),
                    good=PLAIN):
    """An input that cannot be analyzed, beside the good message."""
    args = [*extra, "--format", "ndjson"]
    args += [path, good] if first else [good, path]
    r = run(*args)
    err = text(r.stderr)
    reps = reports(r)
    detail = f"exit {r.returncode}\nstderr: {err}\nstdout: {text(r.stdout)[:600]}"
    tap.ok(r.returncode == 3, f"{name}: exit 3", detail)
    tap.ok(f"mailtrail: {path}" in err and stderr_has in err,
           f"{name}: stderr names the file and says '{stderr_has}'", detail)
    mine = [x for x in reps if x.get("source", {}).get("path") == path]
    tap.ok(len(mine) >= 1 and all(x.get("errors") for x in mine),
           f"{name}: an error record for it in the output", detail)
    tap.ok(good_report_there(reps, good),
           f"{name}: the other input is analyzed", detail)
    return r


def damaged_case(name, path, check, what):
    """A damaged message that is still read: analyzed, damage recorded."""
    r = run("--format", "ndjson", path, PLAIN)
    err = text(r.stderr)
    reps = reports(r)
    detail = f"exit {r.returncode}\nstderr: {err}\nstdout: {text(r.stdout)[:800]}"
    mine = [x for x in reps if x.get("source", {}).get("path") == path]
    tap.ok(r.returncode == 0, f"{name}: exit 0", detail)
    tap.ok(len(mine) == 1 and mine[0].get("schema") == "mailtrail.report/1",
           f"{name}: analyzed into one report", detail)
    ok = False
    if len(mine) == 1:
        try:
            ok = check(mine[0])
        except (KeyError, IndexError, TypeError) as e:
            detail += f"\ncheck raised {e!r}"
    tap.ok(ok, f"{name}: {what}", detail)
    tap.ok(good_report_there(reps), f"{name}: the other input is analyzed",
           detail)


def defect_codes(rep):
    return {d.get("code") for d in rep.get("defects", [])}


def finding_ids(rep):
    return {f.get("id") for f in rep.get("findings", [])}


def subject(rep):
    return (rep["summary"]["subject"] or {}).get("text")


def nobody_can_run():
    """Whether setpriv can run the binary as nobody, and why not."""
    if os.geteuid() != 0:
        return False, "not root: cannot switch to nobody"
    if shutil.which("setpriv") is None:
        return False, "setpriv (util-linux) is not installed"
    try:
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                            "--clear-groups", "--", MT, "--version"],
                           capture_output=True, timeout=TIMEOUT)
    except OSError as e:
        return False, f"setpriv failed: {e}"
    if r.returncode != 0:
        return False, ("the binary is not reachable as nobody: "
                       + text(r.stderr).strip()[:200])
    return True, ""


with tempfile.TemporaryDirectory(prefix="mt-bad-input-") as tmp:
    # nobody must be able to enter the folder (the cases make their own
    # files unreadable on purpose).
    os.chmod(tmp, 0o755)

    def put(name, data):
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, 0o644)
        return p

    # --- inputs that cannot be analyzed --------------------------------
    unreadable_case("empty file", put("empty.eml", b""), "empty file")
    unreadable_case("0-byte mbox", put("empty.mbox", b""), "empty",
                    first=False)
    unreadable_case("0-byte mbox, --input-format mbox",
                    put("empty2.mbox", b""), "empty",
                    extra=("--input-format", "mbox"), good=MBOX)
    unreadable_case("mbox of only a From line",
                    put("from-only.mbox",
                        b"From alice@example.org Tue Nov  3 10:00:00 2026\n"),
                    "empty")
    noise = random.Random(9).randbytes(4096)
    unreadable_case("binary noise", put("noise.bin", noise), "not a message")
    unreadable_case("PNG image",
                    put("image.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
                        + bytes(200)), "not a message: a PNG image")
    unreadable_case("nonexistent path", os.path.join(tmp, "no", "such.eml"),
                    "No such file or directory")
    empty_dir = os.path.join(tmp, "empty-dir")
    os.makedirs(os.path.join(empty_dir, "sub"))
    unreadable_case("directory without messages", empty_dir,
                    "no messages")

    # --- damaged messages that can still be read -----------------------
    damaged_case(
        "truncated message",
        put("truncated.eml",
            b"From: a@example.org\nTo: b@example.net\nSubject: cut\n"
            b"MIME-Version: 1.0\n"
            b"Content-Type: multipart/mixed; boundary=zz\n\n--zz\n"
            b"Content-Type: text/plain\n\nthe body stops in the mid"),
        lambda rep: subject(rep) == "cut" and any(
            "truncated" in (c or "") or "malformed" in (c or "")
            for c in defect_codes(rep) | finding_ids(rep)),
        "subject read, truncation recorded as a defect or finding")
    damaged_case(
        "NUL bytes",
        put("nul.eml", b"From: a@exa\x00mple.org\nSubject: nul\x00here\n"
            b"To: b@example.net\n\nbody \x00 with NUL\n"),
        lambda rep: "\\x00" in json.dumps(rep["headers"]) or any(
            "nul" in (c or "") for c in defect_codes(rep) | finding_ids(rep)),
        "the NUL bytes are shown escaped or recorded")
    damaged_case(
        "CR-only line ends",
        put("cr.eml", b"From: a@example.org\rTo: b@example.net\r"
            b"Subject: old mac\r\rbody\rline\r"),
        lambda rep: subject(rep) == "old mac"
        and rep["source"]["line_endings"] == "cr",
        "headers split at CR, line_endings 'cr'")
    damaged_case(
        "mixed line ends",
        put("mixed.eml", b"From: a@example.org\r\nTo: b@example.net\n"
            b"Subject: mixed\r\n\r\nbody\rline\n"),
        lambda rep: subject(rep) == "mixed"
        and rep["source"]["line_endings"] == "mixed",
        "headers read, line_endings 'mixed'")
    damaged_case(
        "invalid UTF-8 and 8-bit bytes in headers",
        put("8bit.eml", b"From: J\xf6rg <j@example.org>\nTo: b@example.net\n"
            b"Subject: caf\xe9 \xc3\x28 \xff\xfe\n\nbody\n"),
        lambda rep: any(h.get("value_escaped") and "\\xFF" in h["value"]
                        for h in rep["headers"]),
        "raw bytes escaped as \\xHH, marked value_escaped")
    damaged_case(
        "unknown charset name",
        put("charset.eml", b"From: a@example.org\nTo: b@example.net\n"
            b"Subject: =?x-no-such-charset?Q?caf=E9?=\nMIME-Version: 1.0\n"
            b"Content-Type: text/plain; charset=x-no-such-charset\n\n"
            b"caf\xe9\n"),
        lambda rep: subject(rep) is not None and any(
            "charset" in (c or "") or "rfc2047" in (c or "")
            for c in defect_codes(rep) | finding_ids(rep)),
        "analyzed, the unknown charset recorded")

    # --- a FIFO: read like a pipe, with a writer thread ----------------
    fifo = os.path.join(tmp, "pipe.eml")
    os.mkfifo(fifo)
    message = open(PLAIN, "rb").read()

    def writer():
        try:
            with open(fifo, "wb") as f:  # blocks until mailtrail opens it
                f.write(message)
        except OSError:
            pass

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    try:
        r = run("--format", "ndjson", fifo, PLAIN)
        reps = reports(r)
        detail = f"exit {r.returncode}\nstderr: {text(r.stderr)}"
        mine = [x for x in reps if x.get("source", {}).get("path") == fifo]
        tap.ok(r.returncode == 0 and len(mine) == 1 and not mine[0].get("errors")
               and mine[0]["source"]["sha256"] ==
               [x for x in reps if x["source"]["path"] == PLAIN][0]["source"]["sha256"],
               "FIFO: read like a file, same hash as the file written into it",
               detail)
        tap.ok(good_report_there(reps), "FIFO: the other input is analyzed", detail)
    except subprocess.TimeoutExpired:
        tap.ok(False, "FIFO: mailtrail finished", f"still running after {TIMEOUT}s")
        # Unblock the writer (or a reader) so the thread can end.
        try:
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
    t.join(5)

    # --- permissions, as nobody ----------------------------------------
    can, why = nobody_can_run()
    secret = put("secret.eml", message)
    os.chmod(secret, 0o000)
    if not can:
        tap.ok(True, f"unreadable file # SKIP {why}")
        tap.ok(True, f"output directory not writable # SKIP {why}")
    else:
        r = run("--format", "ndjson", secret, PLAIN, user="nobody")
        err, reps = text(r.stderr), reports(r)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode == 3, "unreadable file (as nobody): exit 3", detail)
        tap.ok(f"mailtrail: {secret}" in err and "Permission denied" in err,
               "unreadable file: stderr names it, 'Permission denied'", detail)
        tap.ok(good_report_there(reps),
               "unreadable file: the other input is analyzed", detail)

        locked = os.path.join(tmp, "locked")
        os.mkdir(locked, 0o755)  # root's: nobody cannot write into it
        outdir = os.path.join(locked, "reports")
        r = run("--format", "json", "--output-dir", outdir, PLAIN,
                user="nobody")
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode == 5 and outdir in err
               and "Permission denied" in err,
               "output directory not writable (as nobody): reported, "
               "exit 5", detail)
        os.chmod(locked, 0o555)
        os.chmod(locked, 0o755)
        os.mkdir(outdir, 0o555)  # exists, not writable
        r = run("--format", "json", "--output-dir", outdir, PLAIN, MBOX,
                user="nobody")
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode == 5 and outdir in err and
               "Permission denied" in err,
               "existing output directory not writable: each failed file "
               "named, exit 5", detail)

    # --- output that cannot be written ---------------------------------
    if os.path.exists("/dev/full"):
        r = run("--format", "json", "-o", "/dev/full", PLAIN)
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode == 5 and "mailtrail: /dev/full: write error: "
               "No space left on device" in err,
               "-o /dev/full: the write error is reported with its reason, "
               "exit 5", detail)
        with open("/dev/full", "wb") as full:
            r = run("--format", "json", PLAIN, stdout=full)
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode == 5 and "mailtrail: standard output: write "
               "error: No space left on device" in err,
               "stdout on /dev/full: the write error is reported, exit 5",
               detail)
        for fmt in ("ndjson", "text", "html"):
            with open("/dev/full", "wb") as full:
                r = run("--format", fmt, PLAIN, MBOX, stdout=full)
            err = text(r.stderr)
            tap.ok(r.returncode == 5 and "No space left on device" in err,
                   f"{fmt} on /dev/full: the write error is reported, exit 5",
                   f"exit {r.returncode}\nstderr: {err}")
        # A write error wins over an unreadable input (3).
        with open("/dev/full", "wb") as full:
            r = run("--format", "ndjson", PLAIN,
                    os.path.join(tmp, "no", "such.eml"), stdout=full)
        tap.ok(r.returncode == 5, "write error and a missing input: exit 5",
               f"exit {r.returncode}\nstderr: {text(r.stderr)}")
        outdir = os.path.join(tmp, "reports-full")
        os.mkdir(outdir)
        os.symlink("/dev/full", os.path.join(outdir, "000001-plain.eml-0.json"))
        r = run("--format", "json", "--output-dir", outdir, PLAIN)
        err = text(r.stderr)
        tap.ok(r.returncode == 5 and "000001-plain.eml-0.json: cannot "
               "create: File exists" in err,
               "--output-dir over a name taken by a link to /dev/full: "
               "the link is not followed, named, exit 5",
               f"exit {r.returncode}\nstderr: {err}")
    else:
        tap.ok(True, "-o /dev/full # SKIP no /dev/full")

    # --- limits: options, findings, documentation ------------------------
    def limit_rejected(arg, says):
        r = run("--format", "json", "--limit", arg, PLAIN)
        err = text(r.stderr)
        tap.ok(r.returncode == 2 and says in err and "Try" in err
               and not r.stdout,
               f"--limit {arg!r}: exit 2, says {says!r}",
               f"exit {r.returncode}\nstderr: {err}")

    limit_rejected("max-parts=0", "max-parts: '0' is not a number from 1")
    limit_rejected("max-parts=99999999999999999999999", "max-parts:")
    limit_rejected("max-parts=-5", "max-parts: '-5'")
    limit_rejected("max-parts=10K", "max-parts: '10K'")  # not a size
    limit_rejected("max-parts=", "max-parts: ''")
    limit_rejected("max-header-bytes=5T", "max-header-bytes: '5T'")
    limit_rejected("max-header-bytes=2G", "from 1 KiB to 1 GiB")
    limit_rejected("max-part-decoded=512", "from 1 KiB")
    limit_rejected("max-frobs=3", "unknown limit 'max-frobs'")
    limit_rejected("max-parts", "not NAME=VALUE")
    limit_rejected("=5", "not NAME=VALUE")
    r = run("--max-headers", "0", PLAIN)
    tap.ok(r.returncode == 2 and "--max-headers" in text(r.stderr),
           "--max-headers 0: exit 2", text(r.stderr))
    r = run("--max-message-size", "1", PLAIN)
    tap.ok(r.returncode == 2 and "--max-message-size" in text(r.stderr),
           "--max-message-size 1: exit 2", text(r.stderr))

    def limited(args, data, name):
        path = put(f"limit-{name}.eml", data)
        r = run("--format", "json", *args, path)
        try:
            rep = json.loads(r.stdout)
        except ValueError:
            rep = {}
        hits = [f for f in rep.get("findings", [])
                if f.get("id") == "limit-reached"
                and f"limit {name}:" in (f.get("message") or "")]
        return r, rep, hits

    head = (b"From: a@example.org\nTo: b@example.net\nSubject: limits\n"
            b"Date: Tue, 3 Nov 2026 10:00:00 +0000\n")
    r, rep, hits = limited(("--limit", "max-headers=3"), head +
                           b"X-A: 1\nX-B: 2\n\nbody\n", "max-headers")
    tap.ok(r.returncode == 0 and len(rep.get("headers", [])) == 3
           and len(hits) == 1 and "3 header fields past the first 3"
           in hits[0]["message"],
           "--limit max-headers=3: 3 kept, exit 0, a finding counts the rest",
           f"exit {r.returncode}\n{hits}\n{text(r.stderr)}")
    r, rep, hits = limited(("--max-headers", "3"), head + b"X-A: 1\n\nb\n",
                           "max-headers")
    tap.ok(r.returncode == 0 and len(rep.get("headers", [])) == 3
           and len(hits) == 1, "--max-headers 3 is --limit max-headers=3",
           f"exit {r.returncode}\n{text(r.stderr)}")
    long_value = b"x" * 3000
    r, rep, hits = limited(("--limit", "max-header-bytes=2K"),
                           head + b"X-Long: " + long_value + b"\n\nb\n",
                           "max-header-bytes")
    longh = [h for h in rep.get("headers", []) if h.get("name") == "X-Long"]
    tap.ok(r.returncode == 0 and len(hits) == 1 and len(longh) == 1
           # 2048 bytes of the value as stored: the space after the
           # colon and 2047 x.
           and longh[0]["value"] == "x" * 2047
           and hits[0]["evidence"]["header_index"] == 4
           and "header-field-truncated" in defect_codes(rep),
           "--limit max-header-bytes=2K: the field cut at 2048 bytes, "
           "a finding pointing at it, a defect",
           f"exit {r.returncode}\n{hits}\n{[len(h['value']) for h in longh]}")
    received = b"".join(
        b"Received: from h%d.example.net ([192.0.2.%d]) by h%d.example.net"
        b"; Tue, 3 Nov 2026 10:00:%02d +0000\n" % (i, i, i + 1, 40 + i)
        for i in range(10, 0, -1))
    r, rep, hits = limited(("--limit", "max-received=4"), received + head
                           + b"\nbody\n", "max-received")
    hops = rep.get("relay", {}).get("hops", [])
    tap.ok(r.returncode == 0 and len(hops) == 4 and len(hits) == 1
           and "6 Received headers" in hits[0]["message"]
           and [h.get("by", {}).get("host") for h in hops][-1]
           == "h11.example.net",
           "--limit max-received=4: the topmost 4 hops kept, a finding "
           "counts the 6 below", f"exit {r.returncode}\n{hits}\n"
           f"{[h.get('by') for h in hops]}")
    ar = (b"Authentication-Results: mx.example.net; "
          + b"; ".join(b"spf=pass smtp.mailfrom=a%d.example" % i
                       for i in range(8)) + b"\n")
    r, rep, hits = limited(("--limit", "max-auth-methods=5"),
                           head + ar + b"\nbody\n", "max-auth-methods")
    res = rep.get("authentication", {}).get("results", [])
    tap.ok(r.returncode == 0 and len(res) == 1
           and len(res[0].get("methods", [])) == 5
           and res[0].get("truncated") is True and len(hits) == 1,
           "--limit max-auth-methods=5: 5 methods, truncated, a finding",
           f"exit {r.returncode}\n{hits}\n{res[:1]}")
    r, rep, hits = limited(("--limit", "max-defects=2"),
                           head + b"MIME-Version: 1.0\nContent-Type: multipart/"
                           b"mixed; boundary=b\n\n" + b"--b\n" * 50
                           + b"--b--\n", "max-defects")
    tap.ok(r.returncode == 0 and len(rep.get("defects", [])) == 2
           and len(hits) == 1 and not rep.get("errors"),
           "--limit max-defects=2: 2 defects kept, a finding, no error, "
           "exit 0", f"exit {r.returncode}\n{hits}\n{rep.get('errors')}")
    r = run("--format", "json", "--fail-on", "low", "--limit",
            "max-defects=2", os.path.join(tmp, "limit-max-defects.eml"))
    tap.ok(r.returncode == 1, "--fail-on low with a limit hit: exit 1",
           f"exit {r.returncode}\n{text(r.stderr)}")
    big = put("limit-big.eml", head + b"\n" + b"y" * 5000 + b"\n")
    r = run("--format", "ndjson", "--limit", "max-message-bytes=4K", big,
            PLAIN)
    reps = reports(r)
    mine = [x for x in reps if x.get("source", {}).get("path") == big]
    tap.ok(r.returncode == 3 and len(mine) == 1 and mine[0].get("errors")
           and any(f.get("id") == "limit-reached" and "max-message-bytes"
                   in f.get("message", "") for f in mine[0]["findings"])
           and good_report_there(reps),
           "--limit max-message-bytes=4K: the larger message is an error "
           "record with a limit-reached finding, exit 3, the other analyzed",
           f"exit {r.returncode}\n{text(r.stderr)}\n{mine[:1]}")

    # Every limit is documented with its default, in the help and the
    # man page, under the name the finding gives.
    helptext = text(subprocess.run([MT, "help", "analyze"],
                                   capture_output=True).stdout)
    man = open(os.path.join(ROOT, "doc", "mailtrail.1"),
               encoding="utf-8").read()
    limits_sec = man.split(".SH LIMITS", 1)[1].split("\n.SH ", 1)[0] \
        if ".SH LIMITS" in man else ""
    rows = [line.split(None, 2) for line in helptext.splitlines()
            if line.startswith("  max-")]
    tap.ok(len(rows) >= 14, "help analyze lists the limits",
           f"{len(rows)} rows\n{helptext[-2000:]}")
    for row in rows:
        name = row[0]
        default = row[1] + (" " + row[2].split()[0]
                            if row[2].split()[0] in ("KiB", "MiB", "GiB")
                            else "")
        pattern = (r"^\.BR? " + re.escape(name.replace("-", "\\-"))
                   + r' "? ?\(default ' + re.escape(default) + r'\)"?$')
        tap.ok(re.search(pattern, limits_sec, re.M) is not None,
               f"man page LIMITS documents {name} (default {default})",
               f"{pattern}\n{limits_sec[:400]}")
    extract_help = text(subprocess.run([MT, "extract", "--help"],
                                       capture_output=True).stdout)
    tap.ok("--limit NAME=VALUE" in extract_help, "extract --help has --limit")
    r = subprocess.run([MT, "extract", "--dir", os.path.join(tmp, "x1"),
                        "--limit", "max-parts=0", PLAIN], capture_output=True)
    tap.ok(r.returncode == 2 and "max-parts" in text(r.stderr),
           "extract --limit max-parts=0: exit 2", text(r.stderr))

tap.done()
