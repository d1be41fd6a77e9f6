#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""CLI suite for 'mailtrail extract': hostile attachment names end up as
plain files inside the folder under the exact documented safe names, mode
0600, with the decoded bytes (decoded independently here with Python's
email package) and a manifest.json whose hashes this script recomputes.
Existing files and planted symbolic links are never written through;
--part selects; every documented exit code is reached.

Usage: test-extract.py MAILTRAIL SOURCE_ROOT
"""
import binascii
import hashlib
import importlib.util
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import unicodedata
import urllib.parse
from email import message_from_bytes, policy

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

MT, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
tap = Tap()

# The mbox splitter of the corpus suite, for the expected offsets.
_spec = importlib.util.spec_from_file_location(
    "count_mbox", os.path.join(ROOT, "tests", "corpus", "count-mbox.py"))
count_mbox = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(count_mbox)


def run(*args, **kw):
    return subprocess.run([MT, *args], capture_output=True, **kw)


def err(r):
    return r.stderr.decode("utf-8", "replace")


def out(r):
    return r.stdout.decode("utf-8", "replace")


def rfc2231(name, value):
    """name*=utf-8''... with continuations of whole characters, so that
    long names stay within the line limit (RFC 2231 3 and 4)."""
    pieces = [urllib.parse.quote(ch.encode("utf-8"), safe="") for ch in value]
    chunks, cur = [], ""
    for piece in pieces:
        if len(cur) + len(piece) > 60:
            chunks.append(cur)
            cur = ""
        cur += piece
    chunks.append(cur)
    if len(chunks) == 1:
        return f"{name}*=utf-8''{chunks[0]}"
    return ";\n ".join(f"{name}*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}{c}"
                       for i, c in enumerate(chunks))


def content(i):
    """Distinct bytes per attachment, every byte value included."""
    return (f"attachment {i}\n".encode() + bytes(range(256))) * (i % 3 + 1)


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# (name as the attacker wrote it, the safe name documented in --help,
#  bytes). Order is part order: part 1 is the text body, these are 2...
HOSTILE = [
    ("../../etc/passwd", "_.._etc_passwd"),
    ("/etc/shadow", "_etc_shadow"),
    ("CON", "_CON"),
    ("con.txt", "_con.txt"),
    ("LPT1.tar.gz", "_LPT1.tar.gz"),
    ("nul .txt", "_nul .txt"),
    (".bashrc", "bashrc"),
    ("a\u202etxt.exe", "a_txt.exe"),
    ("x" * 496 + ".pdf", "x" * 116 + ".pdf"),
    ("\u00e9" * 300 + ".docx", "\u00e9" * 57 + ".docx"),  # 114 + 5 bytes
    ("a/b\\c", "a_b_c"),
    ("\x1b[31mred.txt", "_[31mred.txt"),
    ("report.pdf", "report.pdf"),
    ("report.pdf", "report (2).pdf"),
    ("", "attachment"),
    ("-rf", "_rf"),
    ("trailing. . .", "trailing"),
    ('a:b*c?d"e<f>g|h.txt', "a_b_c_d_e_f_g_h.txt"),
    ("zero\u200bwidth\u2028line.txt", "zero_width_line.txt"),
    ("manifest.json", "manifest (2).json"),
    ("caf\u00e9 \u65e5\u672c.txt", "caf\u00e9 \u65e5\u672c.txt"),
    ("AUX" + " " * 200 + "x", "_AUX"),  # the cut would leave "AUX"
    ("empty.bin", "empty.bin"),  # no bytes at all
]


def hostile_message():
    parts = ["From: a@example.org\nTo: b@example.org\nSubject: names\n"
             "Message-ID: <names@example.org>\nMIME-Version: 1.0\n"
             "Content-Type: multipart/mixed; boundary=\"BOUND\"\n\n"
             "--BOUND\nContent-Type: text/plain; charset=utf-8\n\nsee attached\n"]
    for i, (name, _) in enumerate(HOSTILE):
        data = PDF if name == "report.pdf" and i == 12 else \
            b"" if name == "empty.bin" else content(i)
        disp = 'attachment; filename=""' if name == "" else \
            "attachment;\n " + rfc2231("filename", name)
        parts.append("--BOUND\nContent-Type: application/octet-stream\n"
                     f"Content-Disposition: {disp}\n"
                     "Content-Transfer-Encoding: base64\n\n"
                     + binascii.b2a_base64(data).decode() + "\n")
    parts.append("--BOUND--\n")
    return "".join(parts).encode("utf-8")


UU_DATA = b"#!/bin/sh\necho pwned\n" + bytes(range(200))


def uu_message():
    lines = [binascii.b2a_uu(UU_DATA[i:i + 45]).decode()
             for i in range(0, len(UU_DATA), 45)]
    return ("From: a@example.org\nTo: b@example.org\nSubject: uu\n"
            "Message-ID: <uu@example.org>\n\nHere it is:\n\n"
            "begin 644 evil.sh\n" + "".join(lines) + "`\nend\n\nbye\n").encode()


def mbox_message(n):
    data = f"same file, message {n}\n".encode() * 20
    return (f"From: a@example.org\nTo: b@example.org\nSubject: m{n}\n"
            f"Message-ID: <m{n}@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=XX\n\n"
            "--XX\nContent-Type: text/plain\n\nbody\n"
            "--XX\nContent-Type: application/octet-stream; name=same.bin\n"
            "Content-Disposition: attachment; filename=same.bin\n"
            "Content-Transfer-Encoding: base64\n\n"
            + binascii.b2a_base64(data).decode() + "--XX--\n").encode()


def python_leaves(raw):
    """(filename, decoded bytes) of each leaf, by Python's email package:
    the oracle the files are compared with."""
    msg = message_from_bytes(raw, policy=policy.default)
    return [(p.get_filename(), p.get_payload(decode=True) or b"")
            for p in msg.walk() if not p.is_multipart()]


def safe_by_rule(name):
    """The documented properties, checked on every name written."""
    reserved = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | \
        {f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"}
    return (0 < len(name.encode()) <= 120 and not name.startswith((".", " ", "-"))
            and not name.endswith((".", " "))
            and not any(c in name for c in '/\\:*?"<>|')
            and not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name)
            and name.split(".")[0].rstrip(" ").upper() not in reserved)


def hashes(data):
    return {"md5": hashlib.md5(data).hexdigest(),
            "sha1": hashlib.sha1(data).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest()}


def check_plain_file(d, name, data, what):
    """A regular file (not a link) right inside d, mode 0600, these bytes."""
    p = os.path.join(d, name)
    try:
        st = os.lstat(p)
    except OSError as e:
        return tap.ok(False, what, f"{name!r}: {e}")
    inside = os.path.dirname(os.path.realpath(p)) == os.path.realpath(d)
    with open(p, "rb") as f:
        got = f.read()
    return tap.ok(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
                  and inside and got == data, what,
                  f"{name!r}: mode {oct(st.st_mode)}, inside {inside}, "
                  f"{len(got)} bytes vs {len(data)}")


def load_manifest(d):
    try:
        with open(os.path.join(d, "manifest.json"), "rb") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return f"unreadable manifest: {e}"


with tempfile.TemporaryDirectory() as tmp:
    hostile = os.path.join(tmp, "hostile.eml")
    raw = hostile_message()
    with open(hostile, "wb") as f:
        f.write(raw)
    leaves = python_leaves(raw)
    tap.ok(len(leaves) == len(HOSTILE) + 1
           and [n for n, _ in leaves[1:]] == [n for n, _ in HOSTILE],
           "the test message parses in Python with the names as written",
           [n for n, _ in leaves])
    expected = [(f"{i + 2}", name, safe, leaves[i + 1][1])
                for i, (name, safe) in enumerate(HOSTILE)]
    tap.ok(all(safe_by_rule(safe) for _, _, safe, _ in expected),
           "the expected names follow the documented rule themselves",
           [s for _, _, s, _ in expected if not safe_by_rule(s)])

    # Help and usage errors.
    r = run("extract", "--help")
    tap.ok(r.returncode == 0 and "Usage: mailtrail extract" in out(r)
           and "5  a file could not be written" in out(r)
           and "6  a --part matched no attachment" in out(r),
           "extract --help: usage and exit codes on stdout, exit 0", err(r))
    r2 = run("help", "extract")
    tap.ok(r2.returncode == 0 and r2.stdout == r.stdout, "help extract shows the same help")
    r = run("--help")
    tap.ok("extract" in out(r) and "5  a report or file could not be written" in out(r), "mailtrail --help lists extract and exit 5")
    r = run("extract", hostile)
    tap.ok(r.returncode == 2 and "no --dir" in err(r) and "Try 'mailtrail extract --help'" in err(r),
           "no --dir: exit 2 with a hint", err(r))
    r = run("extract", "--dir", os.path.join(tmp, "unused"))
    tap.ok(r.returncode == 2 and "no INPUT" in err(r), "no INPUT: exit 2", err(r))
    r = run("extract", "--bogus", "--dir", os.path.join(tmp, "unused"), hostile)
    tap.ok(r.returncode == 2 and "unknown option '--bogus'" in err(r), "unknown option: exit 2", err(r))
    r = run("extract", "--dir", os.path.join(tmp, "unused"), "--input-format", "zip", hostile)
    tap.ok(r.returncode == 2 and "unknown input format 'zip'" in err(r), "bad --input-format: exit 2", err(r))
    tap.ok(not os.path.exists(os.path.join(tmp, "unused")), "usage errors create nothing")

    # The hostile names. DIR does not exist yet: created 0700, nested.
    d = os.path.join(tmp, "new", "out")
    r = run("extract", "--dir", d, hostile)
    tap.ok(r.returncode == 0, f"hostile names: exit 0 (got {r.returncode})", err(r))
    tap.ok(os.path.isdir(d) and stat.S_IMODE(os.stat(d).st_mode) == 0o700,
           "DIR created with mode 0700", oct(os.stat(d).st_mode) if os.path.isdir(d) else "missing")
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    want = sorted([safe for _, _, safe, _ in expected] + ["manifest.json"])
    tap.ok(names == want, "exactly the expected safe names in DIR",
           "\n".join(f"unexpected {n!r}" for n in names if n not in want) + "\n" +
           "\n".join(f"missing {n!r}" for n in want if n not in names))
    for part, name, safe, data in expected:
        check_plain_file(d, safe, data, f"{name[:40]!r} -> {safe[:40]!r}: plain file, 0600, decoded bytes")
    tap.ok(not os.path.exists(os.path.join(tmp, "etc")) and not os.path.exists(os.path.join(tmp, "new", "etc")),
           "nothing written outside DIR")
    tap.ok("\x1b" not in out(r) and "\u202e" not in out(r),
           "stdout carries no escape or bidi control")
    lines = out(r).splitlines()
    tap.ok(len(lines) == len(HOSTILE) and all(line.startswith(d + "/") for line in lines),
           "one line per file written, naming it", out(r)[:2000])
    tap.ok(f"{len(HOSTILE)} files written" in err(r), "closing tally counts the files", err(r))

    manifest = load_manifest(d)
    tap.ok(isinstance(manifest, list) and len(manifest) == len(HOSTILE),
           "manifest.json: one entry per file", str(manifest)[:1000])
    if isinstance(manifest, list) and len(manifest) == len(HOSTILE):
        msg_sha = hashlib.sha256(raw).hexdigest()
        bad = []
        for entry, (part, name, safe, data) in zip(manifest, expected):
            want_entry = {
                "message": {"path": hostile, "index": 0, "offset": 0, "sha256": msg_sha},
                "part": part, "source": "mime",
                "original_name": name, "safe_name": safe, "size": len(data),
                **hashes(data), "declared_type": "application/octet-stream",
                "truncated": False,
            }
            got = {k: entry.get(k) for k in want_entry}
            # An empty filename= may be read as no name at all.
            if name == "" and got["original_name"] is None:
                got["original_name"] = ""
            if got != want_entry:
                bad.append(f"{safe!r}: " + ", ".join(
                    f"{k}: {got[k]!r} != {v!r}" for k, v in want_entry.items() if got[k] != v))
            dt = entry.get("detected_type")
            if not (isinstance(dt, str) and "/" in dt):
                bad.append(f"{safe!r}: detected_type {dt!r}")
            if set(entry) != set(want_entry) | {"detected_type"}:
                bad.append(f"{safe!r}: keys {sorted(entry)}")
        tap.ok(not bad, "manifest fields equal the message, names and hashlib hashes", "\n".join(bad[:20]))
        pdf = [e for e in manifest if e.get("safe_name") == "report.pdf"]
        tap.ok(pdf and pdf[0].get("detected_type") == "application/pdf",
               "detected_type comes from the content", pdf)
    st = os.lstat(os.path.join(d, "manifest.json"))
    tap.ok(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, "manifest.json is 0600")

    # The same message again into the same folder: manifest.json exists,
    # so nothing at all is written.
    before = {n: open(os.path.join(d, n), "rb").read() for n in os.listdir(d)}
    r = run("extract", "--dir", d, hostile)
    after = {n: open(os.path.join(d, n), "rb").read() for n in os.listdir(d)}
    tap.ok(r.returncode == 5 and "manifest.json: already exists" in err(r),
           "existing manifest.json: exit 5, said clearly", err(r))
    tap.ok(before == after, "existing manifest.json: nothing written or changed")

    # Planted files and links in a fresh folder: never overwritten, never
    # followed; the attachment takes the next free number.
    d2 = os.path.join(tmp, "planted")
    os.mkdir(d2, 0o700)
    victim = os.path.join(tmp, "victim")
    with open(victim, "wb") as f:
        f.write(b"victim")
    with open(os.path.join(d2, "report.pdf"), "wb") as f:
        f.write(b"already here")
    os.symlink(victim, os.path.join(d2, "_etc_shadow"))
    dangling = os.path.join(tmp, "dangling-target")
    os.symlink(dangling, os.path.join(d2, "bashrc"))
    os.symlink(victim, os.path.join(d2, "_CON"))
    r = run("extract", "--quiet", "--dir", d2, hostile)
    tap.ok(r.returncode == 0 and r.stdout == b"", f"planted: exit 0, --quiet prints nothing (got {r.returncode})", err(r))
    tap.ok(open(os.path.join(d2, "report.pdf"), "rb").read() == b"already here",
           "a pre-existing file is not overwritten")
    tap.ok(open(victim, "rb").read() == b"victim" and os.path.islink(os.path.join(d2, "_etc_shadow"))
           and os.path.islink(os.path.join(d2, "_CON")),
           "a planted symlink is not followed and stays a link")
    tap.ok(not os.path.lexists(dangling), "a dangling planted symlink does not create its target")
    by_part = {p: (s, data) for p, _, s, data in expected}
    # The device rule looks at the final name: "CON (2)" is no device.
    renamed = {"14": "report (2).pdf", "15": "report (3).pdf", "3": "_etc_shadow (2)",
               "8": "bashrc (2)", "4": "CON (2)"}
    for part, safe in renamed.items():
        check_plain_file(d2, safe, by_part[part][1], f"taken name: part {part} as {safe!r}")
    manifest = load_manifest(d2)
    tap.ok(isinstance(manifest, list) and sorted(e.get("safe_name") for e in manifest if e.get("part") in renamed)
           == sorted(renamed.values()), "manifest names the numbered files", str(manifest)[:600])

    # DIR itself a symbolic link: refused.
    real = os.path.join(tmp, "real")
    os.mkdir(real)
    link = os.path.join(tmp, "link")
    os.symlink(real, link)
    for given in (link, link + "/"):
        r = run("extract", "--dir", given, hostile)
        tap.ok(r.returncode == 5 and "symbolic link" in err(r) and os.listdir(real) == [],
               f"--dir {os.path.relpath(given, tmp)!r} a symlink: exit 5, nothing written", err(r))
    # DIR under a regular file: cannot be created.
    r = run("extract", "--dir", os.path.join(hostile, "sub"), hostile)
    tap.ok(r.returncode == 5 and "cannot create directory" in err(r), "DIR not creatable: exit 5", err(r))

    # --part: one, several, none, a body.
    d3 = os.path.join(tmp, "one")
    r = run("extract", "--dir", d3, "--part", "3", hostile)
    tap.ok(r.returncode == 0 and sorted(os.listdir(d3)) == ["_etc_shadow", "manifest.json"],
           "--part 3 selects exactly that attachment", (err(r), os.listdir(d3) if os.path.isdir(d3) else None))
    m = load_manifest(d3)
    tap.ok(isinstance(m, list) and [e.get("part") for e in m] == ["3"], "--part: manifest has that one", m)
    d4 = os.path.join(tmp, "two")
    r = run("extract", "--dir", d4, "-p", "5", "--part", "8", hostile)
    tap.ok(r.returncode == 0 and sorted(os.listdir(d4)) == ["_con.txt", "bashrc", "manifest.json"],
           "--part repeated selects each", (err(r), os.listdir(d4) if os.path.isdir(d4) else None))
    d5 = os.path.join(tmp, "none")
    r = run("extract", "--dir", d5, "--part", "99", "--part", "3", hostile)
    tap.ok(r.returncode == 6 and "--part 99: no message has an attachment at this part path" in err(r)
           and "--part 3" not in err(r), "--part 99: exit 6 with a clear message", err(r))
    tap.ok(sorted(os.listdir(d5)) == ["_etc_shadow", "manifest.json"], "--part 99: the other --part still written")
    r = run("extract", "--dir", os.path.join(tmp, "body"), "--part", "1", hostile)
    tap.ok(r.returncode == 6 and "--part 1: that part is not an attachment" in err(r),
           "--part naming the body: exit 6, says it is not an attachment", err(r))

    # Several inputs: an mbox (message index and offset), a uuencoded
    # block, a missing file. Same name in two messages: numbered.
    mbox = os.path.join(tmp, "two.mbox")
    mbox_raw = (b"From a@example.org Mon Jan  1 00:00:00 2024\n" + mbox_message(0) +
                b"\nFrom a@example.org Mon Jan  1 00:00:01 2024\n" + mbox_message(1))
    with open(mbox, "wb") as f:
        f.write(mbox_raw)
    uu = os.path.join(tmp, "uu.eml")
    uu_raw = uu_message()
    with open(uu, "wb") as f:
        f.write(uu_raw)
    d6 = os.path.join(tmp, "many")
    missing = os.path.join(tmp, "missing.eml")
    r = run("extract", "--dir", d6, missing, mbox, uu)
    tap.ok(r.returncode == 3, f"a missing input: exit 3 (got {r.returncode})", err(r))
    tap.ok(f"mailtrail: {missing}: cannot open" in err(r), "the missing input is named", err(r))
    ranges = count_mbox.Mbox(mbox_raw).messages()
    m = load_manifest(d6)
    want = []
    for i, (off, size) in enumerate(ranges):
        body = mbox_raw[off:off + size]
        data = python_leaves(body)[1][1]
        want.append({"message": {"path": mbox, "index": i, "offset": off,
                                 "sha256": hashlib.sha256(body).hexdigest()},
                     "part": "2", "source": "mime", "original_name": "same.bin",
                     "safe_name": "same.bin" if i == 0 else "same (2).bin",
                     "size": len(data), **hashes(data)})
    want.append({"message": {"path": uu, "index": 0, "offset": 0,
                             "sha256": hashlib.sha256(uu_raw).hexdigest()},
                 "part": "1:uu1", "source": "uuencode", "original_name": "evil.sh",
                 "safe_name": "evil.sh", "size": len(UU_DATA), **hashes(UU_DATA)})
    got = [{k: e.get(k) for k in w} for e, w in zip(m, want)] if isinstance(m, list) else m
    tap.ok(len(ranges) == 2 and got == want and len(m) == 3,
           "mbox messages and a uuencoded file: manifest with index, offset, sha256, source",
           json.dumps(got, indent=1)[:1500] + "\nwant " + json.dumps(want, indent=1)[:1500])
    check_plain_file(d6, "same (2).bin", python_leaves(mbox_raw[ranges[1][0]:sum(ranges[1])])[1][1]
                     if len(ranges) == 2 else b"", "the same name in the next message is numbered")
    check_plain_file(d6, "evil.sh", UU_DATA, "uuencoded file: decoded bytes, 0600")

    # TNEF: the files inside winmail.dat, each with source "tnef", beside
    # the winmail.dat itself. Expected hashes come from the fixture's own
    # generator, and are checked again here with hashlib.
    tnef = os.path.join(ROOT, "tests", "data", "mime", "attach-tnef.eml")
    expected_tnef = os.path.join(ROOT, "tests", "data", "mime", "attach-tnef-expected.txt")
    if os.path.exists(tnef) and os.path.exists(expected_tnef):
        rows = [line.split("\t") for line in open(expected_tnef, encoding="utf-8")
                if line.strip() and not line.startswith("#")]
        d10 = os.path.join(tmp, "tnef")
        r = run("extract", "--dir", d10, tnef)
        m = load_manifest(d10)
        got = [e for e in m if e.get("source") == "tnef"] if isinstance(m, list) else m
        want = [{"part": "2" + part[1:], "source": "tnef", "original_name": name,
                 "safe_name": name, "size": int(size), "md5": md5, "sha1": sha1,
                 "sha256": sha256.strip(), "declared_type": None}
                for part, name, size, md5, sha1, sha256 in rows]
        tap.ok(r.returncode == 0 and isinstance(got, list)
               and [{k: e.get(k) for k in w} for e, w in zip(got, want)] == want
               and len(got) == len(want), "TNEF: the files inside winmail.dat in the manifest",
               (err(r), got, want))
        bad = []
        for w in want:
            p = os.path.join(d10, w["safe_name"])
            data = open(p, "rb").read() if os.path.exists(p) else b""
            if hashes(data)["sha256"] != w["sha256"] or stat.S_IMODE(os.lstat(p).st_mode) != 0o600:
                bad.append(w["safe_name"])
        tap.ok(not bad, "TNEF: each file written with its bytes, 0600", bad)
        tap.ok(any(e.get("source") == "mime" and e.get("safe_name") == "winmail.dat"
                   for e in (m if isinstance(m, list) else [])),
               "TNEF: winmail.dat itself is extracted too")
    else:
        print("# TNEF check skipped: tests/data/mime/attach-tnef.eml not there")

    # Standard input.
    d7 = os.path.join(tmp, "stdin")
    r = run("extract", "--dir", d7, "--part", "14", "-", input=raw)
    m = load_manifest(d7)
    tap.ok(r.returncode == 0 and isinstance(m, list) and len(m) == 1 and m[0]["message"]["path"] == "-"
           and open(os.path.join(d7, "report.pdf"), "rb").read() == PDF,
           "standard input", err(r))

    # A write that fails (the file size limit makes write() fail with
    # EFBIG, as a full disk fails with ENOSPC): exit 5, the file named, no
    # short file left behind.
    d8 = os.path.join(tmp, "full")
    os.mkdir(d8)

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (700, 700))

    # Part 4 is 810 bytes, part 8 and the manifest fit.
    r = run("extract", "--dir", d8, "--part", "4", "--part", "8", hostile, preexec_fn=small_files)
    tap.ok(r.returncode == 5 and f"{d8}/_CON: cannot write: File too large" in err(r),
           f"write error: exit 5, names the file (got {r.returncode})", err(r))
    tap.ok(not os.path.exists(os.path.join(d8, "_CON")), "write error: no partial file left")
    tap.ok(os.path.exists(os.path.join(d8, "bashrc")), "write error: the next attachment is still written")

    # Permission denied. Root writes anywhere, so as root the command runs
    # as nobody (when it may), against a folder owned by root.
    d9 = os.path.join(tmp, "ro")
    os.mkdir(d9, 0o555)
    as_nobody = None
    if os.geteuid() == 0:
        os.chmod(tmp, 0o755)
        os.chmod(hostile, 0o644)

        def as_nobody():
            os.setgid(65534)
            os.setuid(65534)
    try:
        r = run("extract", "--dir", d9, hostile, preexec_fn=as_nobody)
    except (OSError, subprocess.SubprocessError) as e:
        r = None
        print(f"# read-only DIR check skipped: {e}")
    if r is not None and b"Permission denied" in r.stderr:
        tap.ok(r.returncode == 5 and f"{d9}/manifest.json: cannot create: Permission denied" in err(r)
               and os.listdir(d9) == [], "read-only DIR: exit 5, says permission denied", err(r))
    elif r is not None:
        print(f"# read-only DIR check skipped: could not run unprivileged ({err(r)[:200]!r})")
    os.chmod(d9, 0o700)

tap.done()
