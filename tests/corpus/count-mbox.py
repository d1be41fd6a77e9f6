#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count the messages in mbox files, independently of mailtrail.

The corpus test runs this next to mailtrail and checks that both find the
same number of messages in each mbox; the unit tests use --offsets to check
the C splitter's offsets, sizes and digests against a second implementation
written from the same rule.  It uses only the Python 3 standard library.

Usage:
    count-mbox.py [--offsets] FILE...

A FILE of - is standard input.  For each FILE it prints one line,
COUNT<TAB>FILE.  With --offsets that line is followed by COUNT lines, one
per message in file order:

    INDEX<TAB>OFFSET<TAB>SIZE<TAB>SHA256

INDEX counts from 0.  OFFSET is the byte offset in the file as stored (a
leading BOM counts) of the message's first header byte, the byte after the
separator line's line end.  SIZE is the number of bytes of the message: up to
but not including the empty line that precedes the next separator, or up to
the point a trusted Content-Length gives; the last message runs to the end of
the file.  SHA256 is the lowercase hex SHA-256 of exactly those SIZE bytes as
stored (CR-only line ends are not converted).

A file that cannot be read is reported on standard error and the exit status
is 1; the other files are still counted.  Bad usage exits with 2.

The separator rule (this is how mailtrail splits an mbox):

1.  The file is read as bytes.  A leading UTF-8 BOM (EF BB BF) is skipped.

2.  Line ends.  If the first line ending in the file is a lone CR (a CR not
    followed by LF, including a CR that is the last byte of the file), CR is
    the line end for the whole file and LF is an ordinary byte.  Otherwise LF
    is the line end, and a CR just before an LF belongs to the line end.  A
    line's text is its bytes without its line end; an empty line is one whose
    text is empty (only its line end).  A last line without a line end still
    counts as a line.

3.  The file is an mbox when its first line (after the BOM) starts with the
    five bytes "From ".  A file that is not an mbox has no separators and
    counts 0 (mailtrail reads it as a single message, not as an mbox).

4.  A line looks like an envelope line when its text starts with "From ",
    the text is at most 1000 bytes long (line end not counted), and the rest
    of the text after "From " looks like an envelope: either its first word
    is "-" (words are separated by SP or HT; this is Mozilla's
    "From - Mon Jun  3 10:00:00 2002" and a bare "From -"), or the rest
    contains an asctime-like time (regular expression \\d{1,2}:\\d{2}) or a
    4-digit year (\\b(19|20)\\d{2}\\b, where \\d is ASCII 0-9 and \\b is a
    boundary between ASCII [A-Za-z0-9_] and anything else).  So a body line
    "From Russia with love" is not a separator even after an empty line.

5.  A line is a separator when it looks like an envelope line AND it is
    either the first line of the file or the line before it is empty.

6.  Content-Length.  A message's header block is its lines from its first
    header byte up to its first empty line; its body starts after that empty
    line's line end.  A message without an empty line has no body and this
    step does not apply.  When the header block has a Content-Length field
    (name compared without regard to case, optional SP/HT before and after
    the colon, the value one or more ASCII digits with optional trailing
    SP/HT, nothing else; only the first Content-Length field counts, and a
    first one that is malformed disables this step), let P be body start + N.
    If P is exactly the end of the file, the message ends there.  If P is the
    start of a line that looks like an envelope line (step 4), or the start
    of an empty line whose next line looks like an envelope line, the message
    ends at P and that envelope line is the next separator, whatever the line
    before it is.  Either way, separators inside the body are ignored.  In
    every other case (P past the end, in the middle of a line, pointing at
    anything else) Content-Length is ignored and step 5 finds the end.

7.  The count is the number of separators.  A file whose first line is a
    separator counts at least 1.  Bytes before the first separator (when the
    first line starts with "From " but is not an envelope line) belong to no
    message.
"""

import hashlib
import os
import re
import sys

BOM = b"\xef\xbb\xbf"
MAX_ENVELOPE_LINE = 1000

TIME_RE = re.compile(rb"[0-9]{1,2}:[0-9]{2}")
# \b in a bytes pattern is an ASCII word boundary, as the rule says.
YEAR_RE = re.compile(rb"\b(?:19|20)[0-9]{2}\b")
CONTENT_LENGTH_RE = re.compile(
    rb"content-length[ \t]*:[ \t]*([0-9]+)[ \t]*\Z", re.IGNORECASE)
CONTENT_LENGTH_NAME_RE = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)


class Mbox:
    """A file's bytes with the line-end convention of rule 2."""

    def __init__(self, data):
        self.data = data
        self.n = len(data)
        self.base = len(BOM) if data.startswith(BOM) else 0
        self.cr_mode = self._first_eol_is_lone_cr()
        self.eol = b"\r" if self.cr_mode else b"\n"

    def _first_eol_is_lone_cr(self):
        d = self.data
        cr = d.find(b"\r", self.base)
        lf = d.find(b"\n", self.base)
        if cr < 0:
            return False
        if lf >= 0 and lf < cr:
            return False
        return cr + 1 >= self.n or d[cr + 1:cr + 2] != b"\n"

    def line_at(self, pos):
        """Returns (text_end, next_start) of the line starting at pos."""
        d = self.data
        e = d.find(self.eol, pos)
        if e < 0:
            return self.n, self.n
        nxt = e + 1
        if not self.cr_mode and e > pos and d[e - 1:e] == b"\r":
            e -= 1
        return e, nxt

    def is_line_start(self, pos):
        if pos == self.base:
            return True
        return pos > self.base and self.data[pos - 1:pos] == self.eol

    def is_envelope(self, start, end):
        """Rule 4 on the line text data[start:end]."""
        if end - start > MAX_ENVELOPE_LINE:
            return False
        text = self.data[start:end]
        if not text.startswith(b"From "):
            return False
        rest = text[5:]
        words = rest.replace(b"\t", b" ").split(b" ")
        first = next((w for w in words if w), b"")
        if first == b"-":
            return True
        return bool(TIME_RE.search(rest) or YEAR_RE.search(rest))

    def find_separator(self, pos, prev_empty):
        """Scans lines from pos for the next separator (rule 5).

        Returns (end_of_message, separator_start, separator_next) where
        end_of_message is the start of the empty line before the separator,
        or None when there is none.
        """
        prev_start = pos
        while pos < self.n:
            end, nxt = self.line_at(pos)
            if prev_empty and self.is_envelope(pos, end):
                return prev_start, pos, nxt
            prev_empty = end == pos
            prev_start = pos
            pos = nxt
        return None

    def content_length_end(self, start):
        """Rule 6 for the message whose first header byte is at start.

        Returns (end_of_message, next_separator) where next_separator is
        (separator_start, separator_next) or None at the end of the file;
        returns None when Content-Length does not decide the end.
        """
        pos = start
        value = None
        seen = False
        body = None
        while pos < self.n:
            end, nxt = self.line_at(pos)
            if end == pos:
                body = nxt
                break
            if not seen:
                line = self.data[pos:end]
                if CONTENT_LENGTH_NAME_RE.match(line):
                    seen = True
                    m = CONTENT_LENGTH_RE.match(line)
                    # Twenty digits already exceed any file this reads;
                    # longer values are past the end, so ignored (and
                    # int() of thousands of digits is slow or refused).
                    if m and len(m.group(1)) <= 20:
                        value = int(m.group(1))
            pos = nxt
        if body is None or value is None:
            return None
        p = body + value
        if p == self.n:
            return self.n, None
        if p > self.n or not self.is_line_start(p):
            return None
        end, nxt = self.line_at(p)
        if self.is_envelope(p, end):
            return p, (p, nxt)
        if end == p and nxt < self.n:
            end2, nxt2 = self.line_at(nxt)
            if self.is_envelope(nxt, end2):
                return p, (nxt, nxt2)
        return None

    def messages(self):
        """Returns a list of (offset, size) per message."""
        if not self.data.startswith(b"From ", self.base):
            return []
        out = []
        found = self.find_separator(self.base, True)
        sep = (found[1], found[2]) if found else None
        while sep is not None:
            start = sep[1]
            cl = self.content_length_end(start)
            if cl is not None:
                end, sep = cl
            else:
                found = self.find_separator(start, False)
                if found is None:
                    end, sep = self.n, None
                else:
                    end, sep = found[0], (found[1], found[2])
            out.append((start, end - start))
        return out


def main(argv):
    offsets = False
    files = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--offsets":
            offsets = True
        elif arg in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        elif arg == "--":
            files.extend(args)
        elif arg.startswith("-") and arg != "-":
            sys.stderr.write("count-mbox.py: unknown option %s\n"
                             "Try 'count-mbox.py --help'.\n" % arg)
            return 2
        else:
            files.append(arg)
    if not files:
        sys.stderr.write("count-mbox.py: no FILE given\n"
                         "Try 'count-mbox.py --help'.\n")
        return 2

    status = 0
    out = sys.stdout.buffer
    for path in files:
        try:
            if path == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as f:
                    data = f.read()
        except OSError as e:
            sys.stderr.write("count-mbox.py: %s: %s\n" % (path, e.strerror))
            status = 1
            continue
        box = Mbox(data)
        msgs = box.messages()
        out.write(b"%d\t%s\n" % (len(msgs), os.fsencode(path)))
        if offsets:
            for i, (off, size) in enumerate(msgs):
                digest = hashlib.sha256(data[off:off + size]).hexdigest()
                out.write(b"%d\t%d\t%d\t%s\n"
                          % (i, off, size, digest.encode("ascii")))
    out.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
