#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-test of count-mbox.py, the independent mbox counter.

The corpus test and the C splitter's unit tests trust count-mbox.py as the
reference, so each clause of its documented separator rule gets a small
hand-made mbox here with the count, offsets and sizes worked out by hand.
Output is TAP.  Standard library only; runs with any python3.

Usage: test-count-mbox.py [COUNTER [SAMPLE_MBOX]]
COUNTER defaults to count-mbox.py next to this file; SAMPLE_MBOX, when
given, is samples/mailbox.mbox, which must hold 5 messages.
"""

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTER = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "count-mbox.py")

spec = importlib.util.spec_from_file_location("count_mbox", COUNTER)
cm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cm)

results = []


def check(name, cond, detail=""):
    results.append((bool(cond), name, detail))


def split(data):
    return cm.Mbox(data).messages()


def expect(name, data, want):
    """want: list of (offset, size) worked out by hand."""
    got = split(data)
    check(name, got == want, "got %r, want %r" % (got, want))


SEP1 = b"From a@example.org Tue Nov  3 10:00:00 2026\n"
SEP2 = b"From b@example.org Tue Nov  3 10:05:00 2026\n"
M1 = b"Subject: one\n\nbody one\n"
M2 = b"Subject: two\n\nbody two\n"

# Two messages, LF: the empty line before the separator belongs to neither.
d = SEP1 + M1 + b"\n" + SEP2 + M2
expect("two messages, LF", d,
       [(len(SEP1), len(M1)), (len(SEP1 + M1) + 1 + len(SEP2), len(M2))])

# CRLF: the empty line is "\r\n", two bytes, excluded from the size.
c = lambda b: b.replace(b"\n", b"\r\n")
d = c(SEP1 + M1 + b"\n" + SEP2 + M2)
expect("two messages, CRLF", d,
       [(len(c(SEP1)), len(c(M1))),
        (len(c(SEP1 + M1)) + 2 + len(c(SEP2)), len(c(M2)))])

# CR only: the first line end is a lone CR, so CR ends every line.
r = lambda b: b.replace(b"\n", b"\r")
d = r(SEP1 + M1 + b"\n" + SEP2 + M2)
expect("two messages, CR only", d,
       [(len(SEP1), len(M1)), (len(SEP1 + M1) + 1 + len(SEP2), len(M2))])

# A file whose first line ends in CRLF stays in LF mode even with a lone CR
# later: "\r\r\n" is then a line whose text is "\r", not an empty line.
d = c(SEP1) + b"Subject: x\r\n\r\nbody\r\r\n" + c(SEP2) + b"x\r\n"
check("first EOL CRLF, later lone CR: LF mode", len(split(d)) == 1,
      repr(split(d)))

# BOM: skipped for detection, but offsets count it.
d = b"\xef\xbb\xbf" + SEP1 + M1
expect("BOM skipped, offsets count it", d, [(3 + len(SEP1), len(M1))])

# Body line that is not an envelope even after an empty line.
body = b"Subject: s\n\nmovie:\n\nFrom Russia with love\n\nend\n"
expect("From Russia with love is body", SEP1 + body, [(len(SEP1), len(body))])

# The same line with a year or a time in it is a separator.
for text in (b"From Russia with love 1963\n", b"From x at 7:05 today\n"):
    d = SEP1 + b"S: 1\n\nb\n\n" + text + b"S: 2\n"
    expect("envelope by year/time: %r" % text, d,
           [(len(SEP1), len(b"S: 1\n\nb\n")),
            (len(SEP1 + b"S: 1\n\nb\n\n" + text), len(b"S: 2\n"))])

# Year needs word boundaries: 20261 and x2026 are not years.
for text in (b"From x 20261\n", b"From x2026 y\n", b"From 1999_\n"):
    d = SEP1 + b"S: 1\n\nb\n\n" + text + b"S: 2\n"
    check("not a year: %r" % text, len(split(d)) == 1, repr(split(d)))

# Mozilla separators: "From - date" and a bare "From -" (with HT too).
for first in (b"From - Mon Jun  3 12:50:27 1996\n", b"From -\n", b"From \t- x\n"):
    d = first + b"S: 1\n\nb\n\n" + first + b"S: 2\n"
    check("Mozilla separator %r" % first, len(split(d)) == 2, repr(split(d)))
check("From -x is not Mozilla", len(split(b"From -x\nS: 1\n")) == 0)

# No empty line before: not a separator.
d = SEP1 + b"S: 1\n\nb\n" + SEP2 + b"S: 2\n"
expect("no empty line before", d, [(len(SEP1), len(d) - len(SEP1))])

# Two empty lines: only the last one is excluded from the size.
d = SEP1 + b"S: 1\n\nb\n\n\n" + SEP2 + b"S: 2\n"
expect("two empty lines before", d,
       [(len(SEP1), len(b"S: 1\n\nb\n\n")),
        (len(SEP1 + b"S: 1\n\nb\n\n\n" + SEP2), len(b"S: 2\n"))])

# Length limit: 1000 bytes of text is allowed, 1001 is not; the line end
# does not count.
long_ok = b"From x 2026 " + b"a" * (1000 - 12)
long_bad = long_ok + b"a"
assert len(long_ok) == 1000
check("1000-byte envelope line", len(split(long_ok + b"\r\nS: 1\r\n")) == 1)
check("1001-byte From line", len(split(long_bad + b"\nS: 1\n")) == 0)

# Not an mbox, empty files, and a first line "From " that is no envelope.
check("not an mbox", split(b"Subject: x\n\nFrom x 2026\n") == [])
check("empty file", split(b"") == [])
check("two bytes", split(b"22\n") == [])
check("bare 'From '", split(b"From \nS: 1\n") == [])
d = b"From nobody\nS: 0\n\n" + SEP1 + b"S: 1\n"
expect("first line not an envelope, later one is", d,
       [(len(b"From nobody\nS: 0\n\n" + SEP1), len(b"S: 1\n"))])

# Last message without a final line end, and a separator at EOF.
expect("no final line end", SEP1 + b"S: 1\n\nb", [(len(SEP1), 7)])
d = SEP1 + b"S: 1\n\nb\n\nFrom x 2026"
expect("separator at EOF", d, [(len(SEP1), len(b"S: 1\n\nb\n")), (len(d), 0)])

# Content-Length to EOF hides a separator in the body.
inner = b"line\n\nFrom c@example.org Tue Nov  3 10:00:00 2026\nmore\n"
hdr = b"Subject: cl\nContent-Length: %d\n\n" % len(inner)
expect("Content-Length to EOF", SEP1 + hdr + inner,
       [(len(SEP1), len(hdr + inner))])

# Content-Length to a separator with no empty line before it.
hdr = b"content-length :  %d \n\n" % len(inner)
d = SEP1 + hdr + inner + SEP2 + b"S: 2\n"
expect("Content-Length to a separator", d,
       [(len(SEP1), len(hdr + inner)),
        (len(SEP1 + hdr + inner + SEP2), len(b"S: 2\n"))])

# Content-Length to an empty line followed by a separator.
d = SEP1 + hdr + inner + b"\n" + SEP2 + b"S: 2\n"
expect("Content-Length to empty line + separator", d,
       [(len(SEP1), len(hdr + inner)),
        (len(SEP1 + hdr + inner) + 1 + len(SEP2), len(b"S: 2\n"))])

# Content-Length one short (it points at the last line end): ignored, and
# the embedded separator after an empty line splits.
hdr = b"Content-Length: %d\n\n" % (len(inner) - 1)
d = SEP1 + hdr + inner + SEP2 + b"S: 2\n"
check("Content-Length into a line end is ignored", len(split(d)) == 2,
      repr(split(d)))

# Only the first Content-Length counts, even when it is malformed.
hdr = b"Content-Length: 12x\nContent-Length: %d\n\n" % len(inner)
check("malformed first Content-Length disables", len(split(SEP1 + hdr + inner)) == 2)
hdr = b"Content-Length: %d\nContent-Length: 1\n\n" % len(inner)
check("first Content-Length wins", len(split(SEP1 + hdr + inner)) == 1)

# Past the end and absurdly long values are ignored.
hdr = b"Content-Length: 99999\n\n"
check("Content-Length past EOF ignored", len(split(SEP1 + hdr + inner)) == 2)
hdr = b"Content-Length: " + b"9" * 5000 + b"\n\n"
check("5000-digit Content-Length ignored", len(split(SEP1 + hdr + inner)) == 2)

# Content-Length in the body, not the header block, does nothing.
d = SEP1 + b"S: 1\n\nContent-Length: 0\n\n" + SEP2 + b"S: 2\n"
check("Content-Length in body ignored", len(split(d)) == 2)

# Message with no empty line at all: no body, Content-Length ignored.
d = SEP1 + b"Content-Length: 0\nS: 1\n"
expect("no body", d, [(len(SEP1), len(b"Content-Length: 0\nS: 1\n"))])


def run(args, stdin=b""):
    p = subprocess.run([sys.executable, COUNTER] + args, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "two.mbox")
    data = SEP1 + M1 + b"\n" + SEP2 + M2
    with open(path, "wb") as f:
        f.write(data)
    rc, out, err = run(["--offsets", path])
    o2 = len(SEP1 + M1) + 1 + len(SEP2)
    want = (b"2\t%s\n0\t%d\t%d\t%s\n1\t%d\t%d\t%s\n" % (
        path.encode(), len(SEP1), len(M1),
        hashlib.sha256(M1).hexdigest().encode(),
        o2, len(M2), hashlib.sha256(M2).hexdigest().encode()))
    check("--offsets output", rc == 0 and out == want, repr(out))
    rc, out, err = run([path, os.path.join(tmp, "missing"), path])
    check("missing file: exit 1, others counted",
          rc == 1 and out == b"2\t%s\n" % path.encode() * 2
          and b"missing" in err, repr((rc, out, err)))
    rc, out, err = run(["-"], stdin=data)
    check("standard input", rc == 0 and out == b"2\t-\n", repr(out))

rc, out, err = run(["--help"])
check("--help exits 0 on stdout", rc == 0 and b"separator rule" in out)
rc, out, err = run(["--bogus"])
check("unknown option exits 2", rc == 2 and b"--help" in err and out == b"")
rc, out, err = run([])
check("no FILE exits 2", rc == 2)

# The build passes samples/mailbox.mbox; run by hand, it is optional.
sample = sys.argv[2] if len(sys.argv) > 2 else None
if sample:
    with open(sample, "rb") as f:
        check("samples/mailbox.mbox has 5 messages", len(split(f.read())) == 5)

print("1..%d" % len(results))
failed = 0
for i, (ok, name, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok:
        failed += 1
        print("# " + detail)
sys.exit(1 if failed else 0)
