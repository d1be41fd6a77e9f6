#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""CLI suite: --help, bad options, missing files, directories, stdin,
output files, formats and every documented exit code.

Usage: test-cli.py MAILTRAIL SOURCE_ROOT
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

MT, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
SAMPLES = os.path.join(ROOT, "samples")
JAPANESE_SUBJECT = "勉強会資料の送付について（11月14日開催分）"
tap = Tap()


def run(*args, stdin=None):
    return subprocess.run([MT, *args], input=stdin, capture_output=True)


def out(r):
    return r.stdout.decode("utf-8", "replace")


def err(r):
    return r.stderr.decode("utf-8", "replace")


# Help and version.
r = run("--help")
tap.ok(r.returncode == 0 and "Usage: mailtrail" in out(r) and not r.stderr,
       "--help: usage on stdout, exit 0", err(r))
tap.ok("Exit codes" in out(r) and "3  some input" in out(r), "--help documents exit codes")
r = run("--version")
tap.ok(r.returncode == 0 and out(r).startswith("mailtrail "), "--version", out(r))
r = run("analyze", "--help")
tap.ok(r.returncode == 0 and "Usage: mailtrail analyze" in out(r), "analyze --help")
r2 = run("help", "analyze")
tap.ok(r2.returncode == 0 and out(r2) == out(r), "help analyze shows the analyze help")
r = run()
tap.ok(r.returncode == 2 and "Usage" in err(r), "no arguments: usage on stderr, exit 2")

# Usage errors.
r = run("frobnicate")
tap.ok(r.returncode == 2 and "unknown command 'frobnicate'" in err(r) and "Try" in err(r),
       "unknown command: exit 2 with a hint", err(r))
r = run("analyze", "--no-such-option", os.path.join(SAMPLES, "plain.eml"))
tap.ok(r.returncode == 2 and "unknown option '--no-such-option'" in err(r)
       and "Try 'mailtrail analyze --help'" in err(r), "unknown option: exit 2 with a hint", err(r))
r = run("analyze", "--format", "yaml", "x")
tap.ok(r.returncode == 2 and "unknown format 'yaml'" in err(r), "bad --format: exit 2", err(r))
r = run("analyze", "--format")
tap.ok(r.returncode == 2 and "needs a value" in err(r), "option without value: exit 2", err(r))
r = run("analyze")
tap.ok(r.returncode == 2 and "no INPUT" in err(r), "no input: exit 2", err(r))
r = run("analyze", "--max-message-size", "12abc", "x")
tap.ok(r.returncode == 2 and "--max-message-size" in err(r), "bad number: exit 2", err(r))

# A missing file: exit 3, error names the file, other inputs still analyzed.
plain = os.path.join(SAMPLES, "plain.eml")
r = run("analyze", "--format", "ndjson", "/nonexistent/x.eml", plain)
lines = out(r).splitlines()
tap.ok(r.returncode == 3, "missing file: exit 3", r.returncode)
tap.ok("mailtrail: /nonexistent/x.eml: cannot open: No such file or directory" in err(r),
       "missing file: error names the file", err(r))
tap.ok(len(lines) == 2 and json.loads(lines[0])["errors"][0]["code"] == "io"
       and json.loads(lines[1])["source"]["path"] == plain,
       "missing file: error record, then the next input analyzed", out(r)[:400])
tap.ok("1 messages read, 0 with errors, 1 inputs not readable" in err(r), "closing tally on stderr", err(r))

# Exit 0 when everything was analyzed.
r = run("analyze", plain)
tap.ok(r.returncode == 0, "one good message: exit 0", err(r))
tap.ok("VPN maintenance window" in out(r) and "1 messages read" in out(r), "text output has the summary")

# Not a message: clear error, exit 3.
with tempfile.TemporaryDirectory() as tmp:
    png = os.path.join(tmp, "image.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(100))
    empty = os.path.join(tmp, "empty")
    open(empty, "wb").close()
    bsmtp = os.path.join(tmp, "bsmtp")
    with open(bsmtp, "wb") as f:
        f.write(b"HELO relay.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
    r = run("analyze", "--format", "ndjson", png, empty, bsmtp, plain)
    tap.ok(r.returncode == 3, "non-messages: exit 3")
    tap.ok(f"mailtrail: {png}: not a message: a PNG image" in err(r), "PNG named", err(r))
    tap.ok(f"mailtrail: {empty}: empty file" in err(r), "empty file named", err(r))
    tap.ok(f"mailtrail: {bsmtp}: not a message: an SMTP (BSMTP) transcript" in err(r), "BSMTP named", err(r))
    tap.ok(len(out(r).splitlines()) == 4, "four records, the good message among them")

    # A directory: every file, recursively, sorted.
    d = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(d, "b", "c"))
    os.makedirs(os.path.join(d, "a"))
    data = open(plain, "rb").read()
    for p in ("b/c/z.eml", "a/y.eml", "x.eml"):
        with open(os.path.join(d, p), "wb") as f:
            f.write(data)
    r = run("analyze", "--format", "ndjson", d)
    paths = [json.loads(line)["source"]["path"] for line in out(r).splitlines()]
    tap.ok(r.returncode == 0 and paths == [os.path.join(d, p) for p in ("a/y.eml", "b/c/z.eml", "x.eml")],
           "directory: recursive, sorted", paths)

    # A maildir: cur/ and new/, index files ignored, format maildir.
    md = os.path.join(tmp, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    with open(os.path.join(md, "cur", "1700000000.1.host:2,S"), "wb") as f:
        f.write(data)
    with open(os.path.join(md, "new", "1700000001.2.host"), "wb") as f:
        f.write(data)
    with open(os.path.join(md, "tmp", "partial"), "wb") as f:
        f.write(b"Subject: half")
    with open(os.path.join(md, "dovecot-uidlist"), "wb") as f:
        f.write(b"3 V1 N3\n")
    r = run("analyze", "--format", "ndjson", md)
    reps = [json.loads(line) for line in out(r).splitlines()]
    tap.ok(r.returncode == 0 and len(reps) == 2 and all(x["source"]["format"] == "maildir" for x in reps),
           "maildir: two messages from cur/ and new/", out(r)[:300])

    # stdin.
    mbox = open(os.path.join(SAMPLES, "mailbox.mbox"), "rb").read()
    r = run("analyze", "--format", "ndjson", "-", stdin=mbox)
    reps = [json.loads(line) for line in out(r).splitlines()]
    tap.ok(r.returncode == 0 and len(reps) == 5 and reps[0]["source"]["path"] == "-",
           "stdin: the sample mbox gives five reports", err(r))
    first = reps[0]["source"]
    raw = mbox[first["offset"]:first["offset"] + first["size"]]
    tap.ok(hashlib.sha256(raw).hexdigest() == first["sha256"], "stdin: offset, size and sha256 agree")

    # --format json: one object for one message, an array for several.
    r = run("analyze", "--format", "json", plain)
    tap.ok(isinstance(json.loads(out(r)), dict), "json: one message gives an object")
    r = run("analyze", "--format", "json", os.path.join(SAMPLES, "mailbox.mbox"))
    doc = json.loads(out(r))
    tap.ok(isinstance(doc, list) and len(doc) == 5, "json: an mbox gives an array")

    # -o never overwrites.
    target = os.path.join(tmp, "report.json")
    r = run("analyze", "--format", "json", "-o", target, plain)
    tap.ok(r.returncode == 0 and json.load(open(target))["schema"] == "mailtrail.report/1", "-o writes the report")
    r = run("analyze", "--format", "json", "-o", target, plain)
    tap.ok(r.returncode == 2 and "cannot create: File exists" in err(r), "-o refuses to overwrite", err(r))

    # --output-dir: one file per message.
    od = os.path.join(tmp, "reports")
    r = run("analyze", "--format", "json", "--output-dir", od, os.path.join(SAMPLES, "mailbox.mbox"), plain)
    files = sorted(os.listdir(od))
    tap.ok(r.returncode == 0 and len(files) == 6 and files[0] == "000001-mailbox.mbox-0.json",
           "--output-dir: six files", files)
    tap.ok(all(json.load(open(os.path.join(od, f)))["schema"] == "mailtrail.report/1" for f in files),
           "--output-dir: each file is one report")

    # --html-dir writes pages and an index, and refuses other formats or -o.
    hd = os.path.join(tmp, "html")
    r = run("analyze", "--html-dir", hd, plain, os.path.join(SAMPLES, "phishing.eml"))
    pages = sorted(os.listdir(hd)) if os.path.isdir(hd) else []
    tap.ok(r.returncode == 0 and "index.html" in pages and len([p for p in pages if not p.startswith("index")]) == 2,
           "--html-dir: two pages and an index", pages)
    r = run("analyze", "--html-dir", os.path.join(tmp, "h2"), "--format", "json", plain)
    tap.ok(r.returncode == 2, "--html-dir with --format json: exit 2", err(r))
    r = run("analyze", "--html-dir", os.path.join(tmp, "h3"), "-o", os.path.join(tmp, "f"), plain)
    tap.ok(r.returncode == 2, "--html-dir with -o: exit 2", err(r))
    r = run("analyze", "--format", "html", plain)
    tap.ok(r.returncode == 0 and "Content-Security-Policy" in out(r) and "<script" not in out(r).lower(),
           "--format html: a page with a CSP and no script")

# Determinism: the same input and options give the same bytes.
env = dict(os.environ, SOURCE_DATE_EPOCH="1793491200")
a = subprocess.run([MT, "analyze", "--format", "json", SAMPLES], capture_output=True, env=env)
b = subprocess.run([MT, "analyze", "--format", "json", SAMPLES], capture_output=True, env=env)
tap.ok(a.stdout == b.stdout and b'"analyzed_at": "2026-11-01T00:00:00Z"' in a.stdout,
       "json is byte-identical across runs with SOURCE_DATE_EPOCH")

# NDJSON streams: a message's line comes out before the input has ended.
p = subprocess.Popen([MT, "analyze", "--format", "ndjson", "-"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
p.stdin.write(b"From a Tue Nov  3 10:00:00 2026\nSubject: first\n\nx\n\n"
              b"From b Tue Nov  3 10:00:00 2026\nSubject: second\n\ny\n\n"
              b"From c Tue Nov  3 10:00:00 2026\nSubject: third\n")
p.stdin.flush()
first = json.loads(p.stdout.readline())
tap.ok(first["summary"]["subject"]["text"] == "first", "ndjson: first line arrives while stdin is still open")
p.stdin.write(b"\nz\n")
p.stdin.close()
rest = p.stdout.read().splitlines()
p.wait()
tap.ok(len(rest) == 2 and p.returncode == 0, "ndjson: the other messages follow at end of input")

# The Japanese sample: subject decoded in JSON and in text.
jp = os.path.join(SAMPLES, "japanese.eml")
r = run("analyze", "--format", "json", jp)
tap.ok(json.loads(out(r))["summary"]["subject"]["text"] == JAPANESE_SUBJECT,
       "Japanese subject decoded in JSON", out(r)[:200])
r = run("analyze", jp)
tap.ok(f"Subject:      {JAPANESE_SUBJECT}" in out(r), "Japanese subject decoded in text")

# Terminal safety: escape sequences in a header are not passed through.
r = run("analyze", "-", stdin=b"From: a@example.org\nSubject: \x1b[2J\x1b]0;owned\x07 \xe2\x80\xae fdp.exe\n\nbody\n")
tap.ok(b"\x1b" not in r.stdout and "\\x1B[2J" in out(r) and "<U+202E>" in out(r),
       "text output escapes control and bidi characters", out(r))

# Colour: on a terminal only, never with NO_COLOR or --no-color.
import pty  # noqa: E402
import unicodedata  # noqa: E402


def on_tty(args, env):
    master, slave = pty.openpty()
    p = subprocess.Popen([MT, *args], stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    p.wait()
    os.close(master)
    return data


phish = os.path.join(SAMPLES, "phishing.eml")
base_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
tap.ok(b"\x1b[1;31m" in on_tty(["analyze", phish], base_env), "colour on a terminal")
tap.ok(b"\x1b[" not in on_tty(["analyze", phish], dict(base_env, NO_COLOR="1")), "no colour with NO_COLOR")
tap.ok(b"\x1b[" not in on_tty(["analyze", "--no-color", phish], base_env), "no colour with --no-color")
r = subprocess.run([MT, "analyze", phish], capture_output=True, env=base_env)
tap.ok(b"\x1b[" not in r.stdout and b"\x1b[" not in r.stderr, "no colour and no progress on a pipe")
tap.ok("Verdict:" in out(r) and "likely-malicious" in out(r), "text output opens with the verdict", out(r)[:300])


def columns(text):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


# Wide characters: the hop table stays aligned in terminal columns.
wide = ("Received: from a.example by mx.example.org with ESMTP; Tue, 3 Nov 2026 10:00:02 +0000\n"
        "Received: from \u65e5\u672c\u8a9e\u30db\u30b9\u30c8.example by a.example with SMTP; Tue, 3 Nov 2026 10:00:01 +0000\n"
        "Subject: x\n\nbody\n").encode()
r = run("analyze", "--no-color", "-", stdin=wide)
rows = [line for line in out(r).splitlines() if line.startswith("    1 ") or line.startswith("    2 ")]
starts = [columns(line[:line.index(" a.example" if line.startswith("    1 ") else " mx.example.org")]) for line in rows]
tap.ok(len(rows) == 2 and starts[0] == starts[1], "hop table aligned with wide characters", "\n".join(rows))

# --fail-on: exit 1 on a finding at or above the severity; 3 still wins.
phishing = os.path.join(SAMPLES, "phishing.eml")
r = run("analyze", "--format", "json", phishing)
sev = {f["severity"] for f in json.loads(out(r))["findings"]}
tap.ok("high" in sev, "phishing.eml has a high finding", sev)
r = run("analyze", "--format", "json", plain)
plain_sev = {f["severity"] for f in json.loads(out(r))["findings"]}
tap.ok(not plain_sev & {"medium", "high"}, "plain.eml has nothing at medium or above", plain_sev)
for level in ("info", "low", "medium", "high"):
    r = run("analyze", "--fail-on", level, phishing)
    tap.ok(r.returncode == 1, f"--fail-on {level}: phishing.eml exits 1", r.returncode)
for level in ("medium", "high"):
    r = run("analyze", "--fail-on", level, plain)
    tap.ok(r.returncode == 0, f"--fail-on {level}: plain.eml exits 0", r.returncode)
r = run("analyze", "--fail-on", "HIGH", plain, phishing)
tap.ok(r.returncode == 1, "--fail-on: any report with a finding fails the run", r.returncode)
r = run("analyze", phishing)
tap.ok(r.returncode == 0, "without --fail-on findings do not change the exit code", r.returncode)
r = run("analyze", "--fail-on", "low", phishing, "/nonexistent/x.eml")
tap.ok(r.returncode == 3, "--fail-on: an unreadable input (3) wins over findings (1)", r.returncode)
r = run("analyze", "--fail-on", "severe", plain)
tap.ok(r.returncode == 2 and "unknown severity 'severe'" in err(r), "--fail-on: bad severity exits 2", err(r))
r = run("analyze", "--help")
tap.ok("--fail-on SEVERITY" in out(r) and "1  --fail-on" in out(r) and "3 wins over 1" in out(r),
       "analyze --help documents --fail-on and its exit code")
r = run("--help")
tap.ok("1  analyze --fail-on" in out(r) and "reserved" not in out(r),
       "mailtrail --help: exit 1 is --fail-on's", out(r))

# --trusted-authserv: a bare authserv-id counts only when listed.
ident = os.path.join(ROOT, "tests", "data", "identity")
bare = os.path.join(ident, "ar-trusted-authserv.eml")


def finding_ids(*args):
    r = run("analyze", "--format", "json", *args)
    return [f["id"] for f in json.loads(out(r))["findings"]]


tap.ok("dmarc-fail" not in finding_ids(bare), "scan01 unlisted: its dmarc=fail is a claim")
tap.ok("dmarc-fail" in finding_ids("--trusted-authserv", "scan01", bare),
       "--trusted-authserv scan01: its dmarc=fail counts")
r = run("analyze", "--trusted-authserv", "", bare)
tap.ok(r.returncode == 2, "--trusted-authserv '': exit 2", err(r))


# --dkim-keys: a message signed here (rsa-sha256, simple/simple) with a key
# made here verifies with that key and fails with another.
def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=True).stdout


def signed_message(keyfile):
    body = b"Hello Bob,\r\n\r\nthe meeting is at ten.\r\n"
    headers = [b"From: Alice <alice@example.com>\r\n", b"To: bob@example.org\r\n",
               b"Subject: Meeting\r\n", b"Date: Tue, 3 Nov 2026 14:14:20 +0000\r\n"]
    bh = base64.b64encode(hashlib.sha256(body).digest()).decode()
    dkim = ("DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.com;"
            f" s=sel;\r\n\th=From:To:Subject:Date; bh={bh};\r\n\tb=").encode()
    sig = openssl("dgst", "-sha256", "-sign", keyfile, stdin=b"".join(headers) + dkim)
    b = base64.b64encode(sig)
    return (dkim + b + b"\r\n" + b"".join(headers) + b"Message-ID: <m1@example.com>\r\n\r\n"
            + body)


def key_line(keyfile):
    der = openssl("pkey", "-in", keyfile, "-pubout", "-outform", "DER")
    p = base64.b64encode(der).decode()
    return f'sel._domainkey.example.com "v=DKIM1; k=rsa; " "p={p}"\n'


with tempfile.TemporaryDirectory() as d:
    good, wrong = os.path.join(d, "good.pem"), os.path.join(d, "wrong.pem")
    for k in (good, wrong):
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", k)
    msg = os.path.join(d, "signed.eml")
    with open(msg, "wb") as f:
        f.write(signed_message(good))
    good_keys, wrong_keys = os.path.join(d, "good.keys"), os.path.join(d, "wrong.keys")
    with open(good_keys, "w") as f:
        f.write("# the signer's key\n" + key_line(good))
    with open(wrong_keys, "w") as f:
        f.write(key_line(wrong))

    def verification(*args):
        r = run("analyze", "--format", "json", *args, msg)
        rep = json.loads(out(r))
        v = rep["authentication"]["dkim"][0]["verification"]
        return r, rep, v

    r, rep, v = verification()
    tap.ok(v["signature"] == "not-checked" and v["body_hash"] == "unchanged"
           and v["online"] == "not-checked", "no --dkim-keys: signature not checked", v)
    r, rep, v = verification("--dkim-keys", good_keys)
    tap.ok(r.returncode == 0 and v["signature"] == "pass" and v["body_hash"] == "unchanged",
           "--dkim-keys with the signer's key: pass", (v, err(r)))
    tap.ok(v["claimed"] is None and v["online"] == "not-checked",
           "--dkim-keys: claimed and online results stay apart", v)
    tap.ok("dkim-signature-invalid" not in [f["id"] for f in rep["findings"]],
           "--dkim-keys pass: no dkim-signature-invalid")
    score_pass = rep["identity"]["score"]
    r, rep, v = verification("--dkim-keys", wrong_keys)
    tap.ok(v["signature"] == "fail" and v["signature_problem"],
           "--dkim-keys with another key: fail", v)
    tap.ok("dkim-signature-invalid" in [f["id"] for f in rep["findings"]],
           "--dkim-keys fail: dkim-signature-invalid")
    tap.ok(rep["identity"]["score"] != score_pass, "the failed signature counts in the score",
           (score_pass, rep["identity"]["score"]))
    r = run("analyze", "--fail-on", "medium", "--dkim-keys", wrong_keys, msg)
    tap.ok(r.returncode == 1, "--fail-on medium with a signature that fails: exit 1", r.returncode)
    r = run("analyze", "--dkim-keys", os.path.join(d, "missing.keys"), msg)
    tap.ok(r.returncode == 2 and "--dkim-keys" in err(r), "--dkim-keys: unreadable file exits 2", err(r))
r = run("analyze", "--help")
tap.ok("--dkim-keys FILE" in out(r) and "--trusted-authserv ID" in out(r)
       and "--online" in out(r) and "being looked at" in out(r)
       and "MAILTRAIL_DNS_SERVER" in out(r), "analyze --help: new options, --online and why opt-in")

# received: one line per input value, in order.
r = run("received", "from a.example (a.example [192.0.2.1]) by b.example with ESMTP id X; Tue, 3 Nov 2026 10:00:00 +0000",
        "garbage ((((")
lines = out(r).splitlines()
tap.ok(r.returncode == 0 and len(lines) == 2 and json.loads(lines[0])["from"]["ip"] == "192.0.2.1",
       "received: one JSON line per value", out(r))
r = run("received", stdin=b"Received: from x by y; Tue, 3 Nov 2026 10:00:00 +0000\n\nnot a header\n")
tap.ok(len(out(r).splitlines()) == 3, "received: one line per stdin line")
# --online: the key comes from DNS, here a fake server on 127.0.0.1 that
# MAILTRAIL_DNS_SERVER points at, and counts the queries it gets.
def txt_strings(keyfile):
    der = openssl("pkey", "-in", keyfile, "-pubout", "-outform", "DER")
    text = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    # Longer than one character-string: the resolver side must join them.
    return [text[i:i + 255] for i in range(0, len(text), 255)]


def start_fake_dns(records, d, tag):
    map_file, count_file = os.path.join(d, tag + ".json"), os.path.join(d, tag + ".count")
    with open(map_file, "w") as f:
        json.dump(records, f)
    proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "fake-dns.py"),
                             map_file, count_file, "60"], stdout=subprocess.PIPE)
    port = int(proc.stdout.readline())
    return proc, port, count_file


def queries_seen(count_file):
    with open(count_file) as f:
        return int(f.read() or "0")


with tempfile.TemporaryDirectory() as d:
    good, wrong = os.path.join(d, "good.pem"), os.path.join(d, "wrong.pem")
    for k in (good, wrong):
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", k)
    msg = os.path.join(d, "signed.eml")
    with open(msg, "wb") as f:
        f.write(signed_message(good))
    wrong_keys = os.path.join(d, "wrong.keys")
    with open(wrong_keys, "w") as f:
        f.write(key_line(wrong))

    def online_check(records, tag, *args):
        proc, port, count_file = start_fake_dns(records, d, tag)
        try:
            os.environ["MAILTRAIL_DNS_SERVER"] = f"127.0.0.1:{port}"
            r = run("analyze", "--format", "json", *args, msg)
        finally:
            del os.environ["MAILTRAIL_DNS_SERVER"]
            proc.terminate()
            proc.wait()
        rep = json.loads(out(r))
        return r, rep, rep["authentication"]["dkim"][0]["verification"], queries_seen(count_file)

    name = "sel._domainkey.example.com"
    r, rep, v, n = online_check({name: txt_strings(good)}, "good", "--online")
    tap.ok(r.returncode == 0 and v["online"] == "pass" and "online_problem" not in v,
           "--online with the signer's key in DNS: pass", (v, err(r)))
    tap.ok(n == 1 and v["signature"] == "not-checked",
           "--online: one query, and the offline slot stays apart", (n, v))
    r, rep, v, n = online_check({name: txt_strings(good)}, "both", "--online",
                                "--dkim-keys", wrong_keys)
    tap.ok(v["online"] == "pass" and v["signature"] == "fail",
           "--online and --dkim-keys: each result in its own slot", v)
    r, rep, v, n = online_check({name: txt_strings(wrong)}, "wrong", "--online")
    tap.ok(v["online"] == "fail" and v.get("online_problem"),
           "--online with another key in DNS: fail", v)
    tap.ok("dkim-signature-invalid" in [f["id"] for f in rep["findings"]],
           "--online fail: dkim-signature-invalid")
    r, rep, v, n = online_check({"other._domainkey.example.com": ["v=DKIM1; p="]}, "none",
                                "--online")
    tap.ok(v["online"] == "no-key" and "no TXT record" in v.get("online_problem", ""),
           "--online with no record (NXDOMAIN): no-key", v)
    r, rep, v, n = online_check({name: txt_strings(good)}, "off")
    tap.ok(n == 0 and v["online"] == "not-checked" and r.returncode == 0,
           "without --online: no query reaches the DNS server", (n, v))
    r, rep, v, n = online_check({name: ["x" * 255] * 70}, "huge", "--online")
    tap.ok(v["online"] == "temperror" and "larger than" in v.get("online_problem", ""),
           "--online with a TXT record over 16 KiB: temperror", v)
    # Two signatures by one selector: one query, the second from the cache.
    with open(msg, "rb") as f:
        raw = f.read()
    dkim_field = raw[:raw.index(b"\r\nFrom:") + 2]
    with open(msg, "wb") as f:
        f.write(dkim_field + raw)
    r, rep, v, n = online_check({name: txt_strings(good)}, "twice", "--online")
    states = [s["verification"]["online"] for s in rep["authentication"]["dkim"]]
    tap.ok(states == ["pass", "pass"] and n == 1,
           "--online: two signatures by one selector, one query (cached)", (states, n))
    os.environ["MAILTRAIL_DNS_SERVER"] = "not-an-address"
    try:
        r = run("analyze", "--format", "json", "--online", msg)
    finally:
        del os.environ["MAILTRAIL_DNS_SERVER"]
    v = json.loads(out(r))["authentication"]["dkim"][0]["verification"]
    tap.ok(v["online"] == "temperror" and "MAILTRAIL_DNS_SERVER" in v.get("online_problem", ""),
           "a bad MAILTRAIL_DNS_SERVER: temperror, nothing sent elsewhere", v)
# --defang: no live URL anywhere in the text output, findings included.
r = run("analyze", "--defang", "--no-color",
        os.path.join(SAMPLES, "reported-phish.eml"))
tap.ok(r.returncode == 0 and "hxxp://81[.]2[.]69[.]142/docusign" in out(r)
       and "http://" not in out(r) and "https://" not in out(r),
       "--defang: links and finding messages defanged in text output",
       out(r)[-1500:])
r = run("analyze", "--no-color", os.path.join(SAMPLES, "reported-phish.eml"))
tap.ok("http://81.2.69.142/docusign/login.php" in out(r),
       "without --defang the text output shows the URL as it is")

tap.done()
