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
stderr, naming the target, with an exit code that is not success.

Permission checks run as the unprivileged user nobody (setpriv), since
root reads every file; they are skipped, with the reason, when that is
impossible.

Usage: test-bad-input.py MAILTRAIL SOURCE_ROOT
"""
import json
import os
import random
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
        tap.ok(r.returncode not in (0, 1) and outdir in err
               and "Permission denied" in err,
               "output directory not writable (as nobody): reported, "
               "exit not success", detail)
        os.chmod(locked, 0o555)
        os.chmod(locked, 0o755)
        os.mkdir(outdir, 0o555)  # exists, not writable
        r = run("--format", "json", "--output-dir", outdir, PLAIN, MBOX,
                user="nobody")
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode == 3 and outdir in err and
               "Permission denied" in err,
               "existing output directory not writable: each failed file "
               "named, exit 3", detail)

    # --- output that cannot be written ---------------------------------
    if os.path.exists("/dev/full"):
        r = run("--format", "json", "-o", "/dev/full", PLAIN)
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode not in (0, 1) and "/dev/full" in err
               and "No space left on device" in err,
               "-o /dev/full: the write error is reported with its reason, "
               "exit not success", detail)
        with open("/dev/full", "wb") as full:
            r = run("--format", "json", PLAIN, stdout=full)
        err = text(r.stderr)
        detail = f"exit {r.returncode}\nstderr: {err}"
        tap.ok(r.returncode not in (0, 1) and "No space left on device" in err,
               "stdout on /dev/full: the write error is reported, "
               "exit not success", detail)
        with open("/dev/full", "wb") as full:
            r = run("--format", "ndjson", PLAIN, MBOX, stdout=full)
        err = text(r.stderr)
        tap.ok(r.returncode not in (0, 1) and "No space left on device" in err,
               "ndjson on /dev/full: the write error is reported, exit not "
               "success", f"exit {r.returncode}\nstderr: {err}")
    else:
        tap.ok(True, "-o /dev/full # SKIP no /dev/full")
tap.done()
