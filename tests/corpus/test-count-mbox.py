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


def count(name, data, want):
    got = split(data)
    check(name, len(got) == want, "got %r, want %d messages" % (got, want))


SEP1 = b"From a@example.org Tue Nov  3 10:00:00 2026\n"
SEP2 = b"From b@example.org Tue Nov  3 10:05:00 2026\n"
SEP3 = b"From c@example.org Tue Nov  3 10:10:00 2026\n"
M1 = b"Subject: one\n\nbody one\n"
M2 = b"Subject: two\n\nbody two\n"
L1 = len(SEP1)

# Two messages, LF: the empty line before the separator belongs to neither.
d = SEP1 + M1 + b"\n" + SEP2 + M2
expect("two messages, LF", d,
       [(L1, len(M1)), (len(SEP1 + M1) + 1 + len(SEP2), len(M2))])

# CRLF: the empty line is "\r\n", two bytes, excluded from the size.
c = lambda b: b.replace(b"\n", b"\r\n")
d = c(SEP1 + M1 + b"\n" + SEP2 + M2)
expect("two messages, CRLF", d,
       [(len(c(SEP1)), len(c(M1))),
        (len(c(SEP1 + M1)) + 2 + len(c(SEP2)), len(c(M2)))])

# CR only: the first CR comes before any LF and is not followed by LF.
r = lambda b: b.replace(b"\n", b"\r")
d = r(SEP1 + M1 + b"\n" + SEP2 + M2)
expect("two messages, CR only", d,
       [(L1, len(M1)), (len(SEP1 + M1) + 1 + len(SEP2), len(M2))])

# In CR mode LF is an ordinary byte: "\nS: 2" is no header line, and a
# "\r\n" pair is a line end followed by a line starting with LF.
d = r(SEP1) + b"S: 1\r\r" + r(SEP2) + b"\nS: 2\r"
expect("CR mode: LF is an ordinary byte", d, [(L1, len(d) - L1)])

# A first line ending in CRLF means LF mode even with a lone CR later:
# "\r\r\n" is then a line whose text is "\r", not an empty line, so it is
# not trimmed from the message before the separator.
m = b"Subject: x\r\n\r\nbody\r\r\n"
d = c(SEP1) + m + c(SEP2) + b"S: 2\r\n"
expect("first line end CRLF, later lone CR: LF mode", d,
       [(len(c(SEP1)), len(m)), (len(c(SEP1) + m + c(SEP2)), 6)])

# LF before the first CR: LF mode, even when that CR is a lone one.
d = SEP1 + b"S: 1\rx\n" + SEP2 + b"S: 2\n"
expect("LF before the first CR: LF mode", d,
       [(L1, 7), (L1 + 7 + len(SEP2), 5)])

# BOM: skipped for detection and line ends, but offsets count it.
d = b"\xef\xbb\xbf" + SEP1 + M1
expect("BOM skipped, offsets count it", d, [(3 + L1, len(M1))])
d = b"\xef\xbb\xbf" + r(SEP1 + M1)
expect("BOM then CR-only lines", d, [(3 + L1, len(M1))])
check("BOM then headers: not an mbox", split(b"\xef\xbb\xbfS: x\n\nb\n") == [])

# The first line is always a separator, whatever follows "From ".
expect("first line without a date", b"From mike@nowhere.com\nS: 1\n",
       [(22, 5)])
expect("first line a bare 'From '", b"From \nS: 1\n", [(6, 5)])
expect("first line 'From -x' then prose", b"From -x\nhello\n", [(8, 6)])
first = b"From " + b"x" * 2000 + b"\n"
expect("first line over 1000 bytes", first + b"S: 1\n", [(len(first), 5)])
expect("only the first line", b"From x\n", [(7, 0)])
expect("only the first line, no line end", b"From x", [(6, 0)])
d = b"From nobody\nS: 0\n\n" + SEP1 + b"S: 1\n"
expect("dateless first line, then a separator", d,
       [(12, 5), (len(b"From nobody\nS: 0\n\n" + SEP1), 5)])

# Not an mbox and empty files count 0.
check("not an mbox", split(b"Subject: x\n\nFrom x 2026\nS: 1\n") == [])
check("empty file", split(b"") == [])
check("two bytes", split(b"22\n") == [])
check("'From' without the space", split(b"From\nS: 1\n") == [])
check("'From' then CRLF", split(b"From\r\nS: 1\r\n") == [])

# Envelope-like: a body line that is not an envelope is no separator even
# after an empty line and before a header-like line.
body = b"Subject: s\n\nmovie:\n\nFrom Russia with love\nNote: classic\n"
expect("From Russia with love is body", SEP1 + body, [(L1, len(body))])

# The same line with a year or a time in it is a separator.
for text in (b"From Russia with love 1963\n", b"From x at 7:05 today\n",
             b"From x a1:23\n", b"From 2026\n", b"From x (2026)\n",
             b"From x_1999_\n"):
    pre = b"S: 1\n\nb\n\n"
    d = SEP1 + pre + text + b"S: 2\n"
    expect("envelope by year/time: %r" % text, d,
           [(L1, len(pre) - 1), (len(SEP1 + pre + text), 5)])

# Not a time or a year: a letter or digit next to the year, a one-digit
# minute, no digit before the colon, a year outside 19xx/20xx.
for text in (b"From x 20261\n", b"From x2026 y\n", b"From 2026x\n",
             b"From x 1:2\n", b"From x :23\n", b"From x 1899 2100\n",
             b"From x 12.30\n"):
    count("not an envelope: %r" % text,
          SEP1 + b"S: 1\n\n" + text + b"S: 2\n", 1)

# Mozilla separators: "-" after SP bytes, ending the text or followed by SP.
for text in (b"From - Mon Jun  3 12:50:27 1996\n", b"From -\n",
             b"From - x\n", b"From   - x\n", b"From - \n"):
    count("Mozilla separator %r" % text,
          SEP1 + b"S: 1\n\nb\n" + text + b"S: 2\n", 2)
# HT is not skipped before "-" and does not end it; "-x" is no "-" word.
for text in (b"From \t- x\n", b"From -\tx\n", b"From -x\n", b"From --\n"):
    count("not Mozilla %r" % text, SEP1 + b"S: 1\n\nb\n" + text + b"S: 2\n", 1)

# A preceding empty line is not required.
d = SEP1 + b"S: 1\n\nb\n" + SEP2 + b"S: 2\n"
expect("no empty line before", d,
       [(L1, len(b"S: 1\n\nb\n")), (len(SEP1 + b"S: 1\n\nb\n" + SEP2), 5)])

# A separator right after the first line: an empty first message.
d = SEP1 + SEP2 + b"S: 2\n"
expect("empty first message", d, [(L1, 0), (L1 + len(SEP2), 5)])
# An empty line as the message's only line is trimmed too.
d = SEP1 + b"\n" + SEP2 + b"S: 2\n"
expect("message of one empty line", d, [(L1, 0), (L1 + 1 + len(SEP2), 5)])

# Two empty lines: only the last one is excluded from the size.
d = SEP1 + b"S: 1\n\nb\n\n\n" + SEP2 + b"S: 2\n"
expect("two empty lines before", d,
       [(L1, len(b"S: 1\n\nb\n\n")),
        (len(SEP1 + b"S: 1\n\nb\n\n\n" + SEP2), len(b"S: 2\n"))])

# The NEXT line must be a header line.
for nxt in (b"we are open\n", b"\n", b"Bad Name: x\n", b": x\n",
            b"\tfolded: x\n", b"\x80x: y\n", b"NoColon\n"):
    count("not followed by a header line: %r" % nxt,
          SEP1 + b"S: 1\n\n" + b"From 9:00 to 5:00\n" + nxt + b"S: 2\n", 1)
for nxt in (b"X-Y : z\n", b"A:\n", b"~!\t: x\n", b"Subject:x\r\n",
            b"From: someone\n"):
    count("followed by a header line: %r" % nxt,
          SEP1 + b"S: 1\n\n" + SEP2 + nxt, 2)

# A "From " line that is the last line of the file is not a separator,
# with or without a line end; a header line without a line end after it
# still makes it one.
d = SEP1 + b"S: 1\n\nb\n\nFrom x 2026\n"
expect("separator-like last line", d, [(L1, len(d) - L1)])
d = SEP1 + b"S: 1\n\nb\n\nFrom x 2026"
expect("separator-like last line, no line end", d, [(L1, len(d) - L1)])
d = SEP1 + b"S: 1\n\nb\n\nFrom x 2026\nS: 2"
expect("header line without line end after", d,
       [(L1, len(b"S: 1\n\nb\n")), (len(d) - 4, 4)])

# Length limit: 1000 bytes of text is allowed, 1001 is not; the line end
# (CRLF here) does not count.
long_ok = b"From x 2026 " + b"a" * (1000 - 12)
assert len(long_ok) == 1000
pre = c(SEP1) + b"S: 1\r\n"
count("1000-byte separator", pre + long_ok + b"\r\nS: 2\r\n", 2)
count("1001-byte From line", pre + long_ok + b"a\r\nS: 2\r\n", 1)

# Last message without a final line end.
expect("no final line end", SEP1 + b"S: 1\n\nb", [(L1, 7)])

# Content-Length.  inner holds a line that is a separator by the normal
# rule (envelope-like, followed by a header line).
INNER_FROM = b"From x@example.org Tue Nov  3 10:00:00 2026\n"
inner = b"line\n\n" + INNER_FROM + b"X-Fake: 1\nmore\n"
INNER_SEP = len(b"line\n\n")
AFTER_FROM = INNER_SEP + len(INNER_FROM)  # the second message's start
REST = len(inner) - AFTER_FROM  # "X-Fake: 1\nmore\n"
cut = b"line\n"  # where the normal rule ends the first message


def cl(n, name=b"Content-Length: "):
    return b"Subject: cl\n" + name + b"%d\n\n" % n


# Content-Length exactly to the end of the file hides the separator.
hdr = cl(len(inner))
expect("Content-Length to EOF", SEP1 + hdr + inner, [(L1, len(hdr + inner))])
expect("without Content-Length the inner separator splits",
       SEP1 + b"Subject: cl\n\n" + inner,
       [(L1, len(b"Subject: cl\n\n" + cut)),
        (L1 + len(b"Subject: cl\n\n") + AFTER_FROM, REST)])
# Exactly EOF when the file has no final line end.
inner_nl = inner[:-1]
hdr = cl(len(inner_nl))
expect("Content-Length to EOF without final line end", SEP1 + hdr + inner_nl,
       [(L1, len(hdr + inner_nl))])

# To a separator with no empty line before it; name in another case, SP
# and HT around the value.
hdr = b"Subject: cl\nCONTENT-length:  \t%d \t\n\n" % len(inner)
d = SEP1 + hdr + inner + SEP2 + b"S: 2\n"
expect("Content-Length to a separator", d,
       [(L1, len(hdr + inner)), (len(SEP1 + hdr + inner + SEP2), 5)])

# To a separator right after an empty line that the count includes: no
# trimming at the point Content-Length gives.
body2 = b"b\n\n"
hdr = cl(len(body2))
d = SEP1 + hdr + body2 + SEP2 + b"S: 2\n"
expect("Content-Length keeps the empty line it counts", d,
       [(L1, len(hdr + body2)), (len(SEP1 + hdr + body2 + SEP2), 5)])
hdr = cl(0)
d = SEP1 + hdr + SEP2 + b"S: 2\n"
expect("Content-Length: 0", d, [(L1, len(hdr)), (len(SEP1 + hdr + SEP2), 5)])

# To an empty line followed by a separator: the message ends at the start
# of that empty line.
hdr = cl(len(inner))
d = SEP1 + hdr + inner + b"\n" + SEP2 + b"S: 2\n"
expect("Content-Length to empty line + separator", d,
       [(L1, len(hdr + inner)),
        (len(SEP1 + hdr + inner) + 1 + len(SEP2), 5)])

# CRLF: Content-Length counts the CR bytes.
hdr = c(cl(len(c(inner))))
d = c(SEP1) + hdr + c(inner) + c(SEP2) + b"S: 2\r\n"
expect("Content-Length with CRLF", d,
       [(len(c(SEP1)), len(hdr + c(inner))),
        (len(c(SEP1) + hdr + c(inner) + c(SEP2)), 6)])
# CR only.
hdr = r(cl(len(inner)))
d = r(SEP1 + hdr + inner + SEP2 + b"S: 2\n")
expect("Content-Length with CR only", d,
       [(L1, len(hdr + inner)), (len(SEP1 + hdr + inner + SEP2), 5)])


# Content-Length fails: the message ends at the first separator inside the
# body (with its empty-line trimming) and the next message starts right
# after that separator line; later ones are found by the normal rule.
def failed(hdr, extra=b""):
    """Expected split of SEP1 + hdr + inner + extra [+ SEP2 + "S: 2\\n"]
    when the Content-Length in hdr fails: the first message ends at the
    inner separator, the second runs from after it over extra."""
    second = L1 + len(hdr) + AFTER_FROM
    return [(L1, len(hdr + cut)), (second, REST + len(extra))]


tail = SEP2 + b"S: 2\n"
for name, n in (("one short: inside the last line end", len(inner) - 1),
                ("inside a line", len(inner) - 3),
                ("at a line that is no separator", len(inner) - 5),
                ("one past: inside the separator line", len(inner) + 1)):
    hdr = cl(n)
    expect("Content-Length fails, %s" % name, SEP1 + hdr + inner + tail,
           failed(hdr) + [(len(SEP1 + hdr + inner + SEP2), 5)])
for name, n in (("past EOF", len(inner) + 1), ("far past EOF", 99999),
                ("short of EOF", len(inner) - 5)):
    hdr = cl(n)
    expect("Content-Length fails, %s" % name, SEP1 + hdr + inner,
           failed(hdr))

# At an empty line that is not followed by a separator, or that is the
# last line of the file.
hdr = cl(len(inner))
d = SEP1 + hdr + inner + b"\nprose\n" + tail
expect("Content-Length at an empty line, then prose", d,
       failed(hdr, b"\nprose\n") + [(len(d) - 5, 5)])
# The file's last line, empty, is the writer's (rule 7), not the second
# message's.
expect("Content-Length at an empty last line", SEP1 + hdr + inner + b"\n",
       failed(hdr))
# Without Content-Length too: the last message ends before the file's
# final empty line, as every other message ends before the empty line
# ahead of its separator.
expect("final empty line of the file", SEP1 + b"S: 1\n\nbody\n\n",
       [(L1, len(b"S: 1\n\nbody\n"))])
expect("final empty CRLF line of the file", c(SEP1) + b"S: 1\r\n\r\nb\r\n\r\n",
       [(len(c(SEP1)), len(b"S: 1\r\n\r\nb\r\n"))])

# At an envelope-like line that is not followed by a header line, or that
# is the last line.
for extra in (b"From z 2026\nprose\n", b"From z 2026\n"):
    expect("Content-Length at %r" % extra, SEP1 + hdr + inner + extra,
           failed(hdr, extra))

# Failure without any separator in the body: the normal rule goes on.
plain = b"just\ntext\n"
hdr = cl(len(plain) + 3)
d = SEP1 + hdr + plain + b"\n" + tail
expect("Content-Length fails, no separator inside", d,
       [(L1, len(hdr + plain)), (len(d) - 5, 5)])

# After a failure the restarted message's own Content-Length counts: the
# second message's length reaches past SEP2 to SEP3.
tail2 = b"S: 2\n" + SEP3 + b"S: 3\n"
after_sep = b"X-Fake: 1\nContent-Length: %d\n\nmore\n" % len(b"more\n" + SEP2
                                                           + tail2)
inner2 = b"line\n\nFrom x 2026\n" + after_sep
hdr = cl(len(inner2) - 1)
d = SEP1 + hdr + inner2 + SEP2 + tail2
second = L1 + len(hdr) + len(b"line\n\nFrom x 2026\n")
expect("restart reads the next message's Content-Length", d,
       [(L1, len(hdr + cut)), (second, len(d) - second)])

# Content-Length syntax.  Only the header block counts; the first
# well-formed field wins, a malformed one is skipped.
for text, want in ((b"Content-Length: 12", 12), (b"content-LENGTH:0", 0),
                   (b"Content-Length:\t 7 \t", 7), (b"Content-Length: 007", 7),
                   (b"Content-Length: 2147483647", 2147483647),
                   (b"Content-Length: " + b"0" * 30 + b"5", 5),
                   (b"Content-Length: 2147483648", None),
                   (b"Content-Length: " + b"9" * 5000, None),
                   (b"Content-Length : 12", None),
                   (b"Content-Length: 12x", None),
                   (b"Content-Length: 1 2", None),
                   (b"Content-Length: -1", None),
                   (b"Content-Length: +1", None), (b"Content-Length:", None),
                   (b"Content-Length:  ", None), (b" Content-Length: 1", None),
                   (b"X-Content-Length: 1", None),
                   (b"Content-Length: \xd9\xa1", None)):
    got = cm.content_length_value(text)
    check("Content-Length value of %r" % text[:40], got == want,
          "got %r, want %r" % (got, want))

hdr = b"Content-Length: 12x\nContent-Length: %d\n\n" % len(inner)
count("malformed first Content-Length, later one counts",
      SEP1 + hdr + inner, 1)
hdr = b"Content-Length: %d\nContent-Length: 1\n\n" % len(inner)
count("first Content-Length wins", SEP1 + hdr + inner, 1)
hdr = b"Content-Length: 1\nContent-Length: %d\n\n" % len(inner)
count("first well-formed Content-Length wins even if wrong",
      SEP1 + hdr + inner, 2)
hdr = b"Content-Length : %d\n\n" % len(inner)
count("space before the colon: no Content-Length", SEP1 + hdr + inner, 2)
hdr = b"Content-Length: " + b"9" * 5000 + b"\n\n"
count("5000-digit Content-Length ignored", SEP1 + hdr + inner, 2)

# Content-Length in the body, not the header block, does nothing.
d = SEP1 + b"S: 1\n\nContent-Length: 0\n\nb\n" + SEP2 + b"S: 2\n"
expect("Content-Length in body ignored", d,
       [(L1, len(b"S: 1\n\nContent-Length: 0\n\nb\n")), (len(d) - 5, 5)])

# A message that ends (at a separator) before any empty line has no header
# block: its Content-Length is not applied to the next message's body.
x = b"x\n"
d = (SEP1 + b"Content-Length: %d\n" % len(x) + SEP2 + b"S: 2\n\n" + x
     + SEP3 + b"S: 3\n")
o2 = L1 + len(b"Content-Length: 2\n") + len(SEP2)
expect("no header block before the next separator", d,
       [(L1, len(b"Content-Length: 2\n")), (o2, len(b"S: 2\n\n" + x)),
        (len(d) - 5, 5)])

# Message with no empty line at all: no body, Content-Length ignored.
d = SEP1 + b"Content-Length: 0\nS: 1\n"
expect("no body", d, [(L1, len(b"Content-Length: 0\nS: 1\n"))])


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
        path.encode(), L1, len(M1),
        hashlib.sha256(M1).hexdigest().encode(),
        o2, len(M2), hashlib.sha256(M2).hexdigest().encode()))
    check("--offsets output", rc == 0 and out == want, repr(out))
    # The digest is over the stored bytes: CR-only stays CR.
    path_cr = os.path.join(tmp, "cr.mbox")
    with open(path_cr, "wb") as f:
        f.write(r(SEP1 + M1))
    rc, out, err = run(["--offsets", path_cr])
    want = b"1\t%s\n0\t%d\t%d\t%s\n" % (
        path_cr.encode(), L1, len(M1),
        hashlib.sha256(r(M1)).hexdigest().encode())
    check("--offsets digest over stored CR bytes", rc == 0 and out == want,
          repr(out))
    rc, out, err = run([path, os.path.join(tmp, "missing"), path])
    check("missing file: exit 1, others counted",
          rc == 1 and out == b"2\t%s\n" % path.encode() * 2
          and b"missing" in err, repr((rc, out, err)))
    rc, out, err = run(["-"], stdin=data)
    check("standard input", rc == 0 and out == b"2\t-\n", repr(out))
    rc, out, err = run(["--", "-"], stdin=b"S: x\n\n")
    check("-- then standard input, not an mbox",
          rc == 0 and out == b"0\t-\n", repr(out))

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
