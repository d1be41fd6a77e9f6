#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count the messages in mbox files, independently of mailtrail.

The corpus test runs this next to mailtrail and checks that both find the
same messages in each mbox; the unit tests use --offsets to check the C
splitter's offsets, sizes and digests against this second implementation of
the same rule.  The C splitter (analyzer/mbox.c) reads a stream line by
line; this reads the whole file and decides each message from a table of
its lines, so the two share the rule but not the code.  It uses only the
Python 3 standard library.

Usage:
    count-mbox.py [--offsets] FILE...

A FILE of - is standard input.  For each FILE it prints one line,
COUNT<TAB>FILE.  With --offsets that line is followed by COUNT lines, one
per message in file order:

    INDEX<TAB>OFFSET<TAB>SIZE<TAB>SHA256

INDEX counts from 0.  OFFSET is the byte offset in the file as stored (a
leading BOM counts) of the message's first header byte, the byte after its
separator line's line end.  SIZE is the number of bytes of the message (rule
7 says where it ends); the last message runs to the end of the file.  SHA256
is the lowercase hex SHA-256 of exactly those SIZE bytes as stored (CR-only
line ends are not converted).

A file that cannot be read is reported on standard error and the exit status
is 1; the other files are still counted.  Bad usage exits with 2.

The separator rule (this is how mailtrail splits an mbox):

1.  The file is read as bytes.  A leading UTF-8 BOM (EF BB BF) is skipped;
    offsets still count it.

2.  Line ends.  If the first CR in the file comes before the first LF and
    the byte after it is not LF, CR is the line end for the whole file and
    LF is an ordinary byte.  Otherwise LF is the line end, and a CR just
    before an LF belongs to the line end.  A line's text is its bytes
    without its line end; an empty line is one whose text is empty.  A last
    line without a line end still counts as a line.

3.  The file is an mbox when its first line (after the BOM) starts with the
    five bytes "From ".  That first line is always a separator, whatever
    follows "From " ("From mike@nowhere.com" with no date, a bare "From ",
    a line of any length).  A file that is not an mbox counts 0 (mailtrail
    reads it as a single message, not as an mbox).

4.  A line is envelope-like when its text starts with "From ", the text is
    at most 1000 bytes long (line end not counted), and the rest of the text
    after "From " looks like an envelope: after any SP bytes (not HT) it is
    a "-" that ends the text or is followed by SP (Mozilla's
    "From - Mon Jun  3 10:00:00 2002" and a bare "From -"), or it contains
    a time, an ASCII digit, ":" and two ASCII digits, or a year, "19" or
    "20" and two more ASCII digits with no ASCII letter or digit right
    before or after (so "_1999_" holds a year, "x1999" and "19999" do not).

5.  A line is a header line when its text starts with a field name of one
    or more bytes 33..126 other than ":", then optional SP/HT, then ":".

6.  After the first line, a line is a separator when it is envelope-like
    and the NEXT line is a header line.  The line before it need not be
    empty, and a "From " line that is the last line of the file is not a
    separator.  So "From Russia with love" in a body is not a separator,
    nor is "From 9:00 to 5:00" followed by prose.

7.  A message starts after its separator line.  Without Content-Length
    (rule 8) it ends at the next separator line, or, when the line right
    before that separator is empty and belongs to the message, at the start
    of that empty line; the last message ends at the end of the file, or
    at the start of the file's last line when that line is empty (the
    writer's line after every message, as Python's mailbox reads it).

8.  Content-Length.  A message's header block is its lines up to its first
    empty line; when the message ends (by rule 7) before any empty line it
    has no header block and this rule does not apply.  The header block's
    first Content-Length field that is well formed counts: the line's text
    is "Content-Length:" (any case, no space before the colon), optional
    SP/HT, one or more ASCII digits with a value below 2^31, optional SP/HT,
    and nothing else.  (A malformed one is skipped and a later one can
    count.)  Let P be the offset after the empty line's line end plus the
    value.  The message ends at P when P is exactly the end of the file; or
    when a line starts exactly at P that is a separator by rule 6 (the next
    message starts after that line; no empty line before it is trimmed); or
    when the line starting at P is empty and the line after it is a
    separator by rule 6 (the next message starts after that separator).
    Separators inside such a body are content.  In every other case (P past
    the end of the file, inside a line or its line end, at a line that is
    neither) the Content-Length fails and rule 7 decides where the message
    ends; the next message then starts after that separator line and its
    own header block is looked at afresh.

9.  The count is the number of messages: the separators including the first
    line.  An mbox holds at least one message, maybe an empty one.
"""

import bisect
import hashlib
import os
import re
import sys

BOM = b"\xef\xbb\xbf"
MAX_ENVELOPE_LINE = 1000
MAX_CONTENT_LENGTH = 2 ** 31 - 1

TIME_RE = re.compile(rb"[0-9]:[0-9][0-9]")
YEAR_RE = re.compile(rb"(?<![A-Za-z0-9])(?:19|20)[0-9][0-9](?![A-Za-z0-9])")
HEADER_RE = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")
# Bytes patterns fold case in ASCII only, as the rule says.
CONTENT_LENGTH_RE = re.compile(
    rb"content-length:[ \t]*([0-9]+)[ \t]*\Z", re.IGNORECASE)


def content_length_value(text):
    """Rule 8 on one line's text: the value, or None when malformed."""
    m = CONTENT_LENGTH_RE.match(text)
    if m is None:
        return None
    # Strip zeros first so that a long value never reaches int(): Python
    # refuses to convert thousands of digits, and none can be below 2^31.
    digits = m.group(1).lstrip(b"0") or b"0"
    if len(digits) > 10:
        return None
    value = int(digits)
    return value if value <= MAX_CONTENT_LENGTH else None


def is_envelope_text(text):
    """Rule 4 on one line's text."""
    if len(text) > MAX_ENVELOPE_LINE or not text.startswith(b"From "):
        return False
    rest = text[5:]
    word = rest.lstrip(b" ")
    if word == b"-" or word.startswith(b"- "):
        return True
    return bool(TIME_RE.search(rest) or YEAR_RE.search(rest))


def is_header_text(text):
    """Rule 5 on one line's text."""
    return HEADER_RE.match(text) is not None


class Mbox:
    """A file's bytes, cut into lines by rule 2."""

    def __init__(self, data):
        self.data = data
        self.n = len(data)
        self.base = len(BOM) if data.startswith(BOM) else 0
        self.cr_mode = self._cr_line_ends()
        self._lines = None

    def _cr_line_ends(self):
        d = self.data
        cr = d.find(b"\r", self.base)
        lf = d.find(b"\n", self.base)
        if cr < 0 or (0 <= lf < cr):
            return False
        return cr + 1 < self.n and d[cr + 1] != 0x0A

    def lines(self):
        """Returns (starts, ends): each line's start and text end."""
        if self._lines is not None:
            return self._lines
        d, n = self.data, self.n
        eol = b"\r" if self.cr_mode else b"\n"
        starts, ends = [], []
        pos = self.base
        while pos < n:
            e = d.find(eol, pos)
            starts.append(pos)
            if e < 0:
                ends.append(n)
                break
            if not self.cr_mode and e > pos and d[e - 1] == 0x0D:
                ends.append(e - 1)
            else:
                ends.append(e)
            pos = e + 1
        self._lines = (starts, ends)
        return self._lines

    def messages(self):
        """Returns a list of (offset, size) per message."""
        if not self.data.startswith(b"From ", self.base):
            return []
        d, n = self.data, self.n
        starts, ends = self.lines()
        count = len(starts)

        def text(i):
            return d[starts[i]:ends[i]]

        def after(i):
            return starts[i + 1] if i + 1 < count else n

        empty = [ends[i] == starts[i] for i in range(count)]
        header = [is_header_text(text(i)) for i in range(count)]
        separator = [i + 1 < count and header[i + 1]
                     and is_envelope_text(text(i)) for i in range(count)]
        # next_sep[i] and next_empty[i]: the first such line at or after i,
        # or count; one pass keeps the whole split linear.
        next_sep = [count] * (count + 1)
        next_empty = [count] * (count + 1)
        for i in range(count - 1, -1, -1):
            next_sep[i] = i if separator[i] else next_sep[i + 1]
            next_empty[i] = i if empty[i] else next_empty[i + 1]

        out = []
        first = 1  # line index of the current message's first line
        while True:
            start = starts[first] if first < count else n
            sep = next_sep[min(first, count)]
            blank = next_empty[min(first, count)]
            end = None
            if blank < sep:
                end, sep = self._content_length_end(
                    first, blank, starts, text, after, empty, separator, sep)
            if end is None:
                if sep == count:
                    # The last message gives its final empty line to the
                    # mbox writer, as every message before it does.
                    end = (starts[count - 1] if count - 1 >= first
                           and empty[count - 1] else n)
                elif sep - 1 >= first and empty[sep - 1]:
                    end = starts[sep - 1]
                else:
                    end = starts[sep]
            out.append((start, end - start))
            if sep >= count:
                return out
            first = sep + 1

    def _content_length_end(self, first, blank, starts, text, after, empty,
                            separator, sep):
        """Rule 8 for the message whose header block is lines [first, blank).

        Returns (end, separator line index) when Content-Length decides the
        end (index len(starts) at the end of the file), else (None, sep).
        """
        value = None
        for i in range(first, blank):
            value = content_length_value(text(i))
            if value is not None:
                break
        if value is None:
            return None, sep
        count = len(starts)
        p = after(blank) + value
        if p == self.n:
            return p, count
        if p > self.n:
            return None, sep
        c = bisect.bisect_left(starts, p)
        if c == count or starts[c] != p:
            return None, sep  # inside a line or its line end
        if separator[c]:
            return p, c
        if empty[c] and c + 1 < count and separator[c + 1]:
            return p, c + 1
        return None, sep


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
        msgs = Mbox(data).messages()
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
