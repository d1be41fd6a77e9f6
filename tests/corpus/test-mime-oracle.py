#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Corpus suite: Python's email package as an independent oracle for the
MIME tree that mailtrail (GMime underneath) reports.

For every message of the shared corpus (message N of an mbox cut by
count-mbox.py, the same rule mailtrail splits by) Python parses the bytes
with email.message_from_bytes(policy=email.policy.default) and walks its
leaves; mailtrail's report gives the leaves of "mime.parts" (kind "leaf",
children of multiparts and message parts, in order). Per message the two
must have as many leaves, and leaf by leaf the same decoded size, SHA-256
and file name.

The two parsers do not agree everywhere, and not every disagreement is a
bug. Each systematic difference accepted here is a named CATEGORY below
with the reason, and a check that the category really applies to the
message or leaf at hand (its header, its bytes, an independent decode); a
difference no category explains fails the test. The agreement figures and
each category's count and examples are printed as TAP comments.

Skips (exit 77) when the corpus is absent.

Usage: test-mime-oracle.py MAILTRAIL COUNT_MBOX CORPUS_DIR [--verbose]
"""
import binascii
import email
import email.errors
import email.policy
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

mt, count_mbox_path, corpus = sys.argv[1:4]
VERBOSE = "--verbose" in sys.argv[4:]
mt = os.path.abspath(mt)
tap = Tap()
if not os.path.isdir(corpus):
    print(f"# corpus not found at {corpus}")
    sys.exit(77)

_spec = importlib.util.spec_from_file_location("count_mbox", count_mbox_path)
count_mbox = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(count_mbox)


# ---------------------------------------------------------------------
# The corpus, cut into messages exactly as mailtrail reads it.

def corpus_files():
    files = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        if os.path.relpath(dirpath, corpus).split(os.sep)[0] == "LICENSES":
            continue
        for name in sorted(filenames):
            if dirpath == corpus and name == "README.md":
                continue
            files.append(os.path.join(dirpath, name))
    return sorted(files)


def messages_of(data):
    """The bytes of each message in a file, as mailtrail hands them to
    the parser: message N of an mbox by count-mbox.py's rule, else the
    whole file; CR-only line ends become LF (byte for byte, as
    mailtrail's reader does)."""
    box = count_mbox.Mbox(data)
    if box.cr_mode:
        data = data.replace(b"\r", b"\n")
    ranges = box.messages()
    if not ranges:
        start = len(count_mbox.BOM) if data.startswith(count_mbox.BOM) else 0
        ranges = [(start, len(data) - start)]
    return [data[off:off + size] for off, size in ranges]


# ---------------------------------------------------------------------
# The two views of a message's leaves.

# The message/* types GMime (and so mailtrail) parses as an embedded
# message. Python's feedparser parses every message/* subtype so.
EMBEDDED_TYPES = {"message/rfc822", "message/rfc2822", "message/news",
                  "message/global"}
IDENTITY_CTE = {"", "7bit", "8bit", "binary"}


class PyLeaf:
    """A leaf of Python's tree: its bytes, name and where it sits."""

    def __init__(self, part, ancestors, kind="leaf"):
        self.part = part
        self.ancestors = ancestors  # outermost first
        self.parent = ancestors[-1] if ancestors else None
        self.kind = kind  # "leaf", "dsn", "message" (message/* kept
        #                    whole), "multipart" (no boundary found)
        self.ctype = part.get_content_type()
        self.cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        self.error = None
        try:
            self.filename = part.get_filename()
        except Exception as e:  # noqa: BLE001 - any oracle failure is data
            self.filename, self.error = None, f"get_filename: {e!r}"
        try:
            payload = part.get_payload(decode=True)
        except Exception as e:  # noqa: BLE001
            payload, self.error = b"", f"get_payload: {e!r}"
        self.data = payload if isinstance(payload, bytes) else b""
        self.size = len(self.data)
        self.sha256 = hashlib.sha256(self.data).hexdigest()

    def defects(self, part=None):
        return {type(d).__name__ for d in (part or self.part).defects}


def python_parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def python_leaves(msg):
    out = []
    stack = [(msg, ())]
    while stack:
        part, above = stack.pop()
        ctype = part.get_content_type()
        # Python parses message/delivery-status into its header groups
        # (RFC 3464 2.1) and every other message/* as a message; GMime
        # keeps both as one leaf. They are one leaf here too, and the
        # categories "dsn-groups" and "message-subtype-leaf" compare them.
        if ctype == "message/delivery-status":
            out.append(PyLeaf(part, above, "dsn"))
        elif ctype.startswith("message/") and ctype not in EMBEDDED_TYPES \
                and part.is_multipart():
            out.append(PyLeaf(part, above, "message"))
        elif part.is_multipart():
            children = part.get_payload()
            stack.extend((c, above + (part,)) for c in reversed(children))
        elif ctype.startswith("multipart/"):
            out.append(PyLeaf(part, above, "multipart"))
        else:
            out.append(PyLeaf(part, above))
    return out


def mt_leaves(report):
    parts = (report.get("mime") or {}).get("parts") or []
    out = []
    stack = list(reversed(parts))
    while stack:
        p = stack.pop()
        if p.get("kind") == "leaf":
            out.append(p)
        stack.extend(reversed(p.get("children") or []))
    return out


def mt_parts(report):
    parts = (report.get("mime") or {}).get("parts") or []
    out, stack = [], list(reversed(parts))
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(reversed(p.get("children") or []))
    return out


def mt_sha(leaf):
    return (leaf.get("hashes") or {}).get("sha256")


def mt_stored(m, raw):
    """The leaf's content as stored, cut from the message by the offsets
    mailtrail reports (an independent view of where the part lies)."""
    off, size = m.get("body_offset"), m.get("size_encoded")
    if not isinstance(off, int) or not isinstance(size, int) or off < 0:
        return None
    return raw[off:off + size]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def finding_ids(report):
    return {f.get("id") for f in report.get("findings") or []}


# ---------------------------------------------------------------------
# Categories. Each names one systematic difference, says why it is
# accepted, and checks that it applies; none is a catch-all.
#
# Repairs rewrite the message the way GMime reads it, in a form Python
# reads the same way; the category applies only when Python then agrees
# with mailtrail on every leaf. Structure categories explain leaves one
# side has and the other has not. Leaf categories explain one differing
# field of a leaf ("bytes" or "filename").

REPAIRS = []
STRUCTURE_CATEGORIES = []
LEAF_CATEGORIES = []
REASONS = {}


def category(kind, name, reason):
    def register(check):
        kind.append((name, check))
        REASONS[name] = reason
        return check
    return register


# --- repairs ----------------------------------------------------------

TSPECIAL_PARAM = re.compile(
    rb'(?im)(^|[;\s])((?:boundary|name|filename)=)'
    rb'([^"\s;][^\s;]*[()<>@,:\\/\[\]?=][^\s;]*)')


@category(REPAIRS, "unquoted-tspecial-param",
          "A parameter value with tspecials must be quoted (RFC 2045 5.1); "
          "Outlook Express writes boundary=----=_NextPart_..., others "
          "name==?utf-8?B?...?= unquoted. GMime takes the token up to ';' "
          "or white space; Python's default policy cuts it at the first "
          "tspecial (a boundary of '----', no name). Checked: with those "
          "values quoted, Python agrees with mailtrail on every leaf.")
def repair_unquoted(raw, msg, report):
    out, in_field = [], False
    for line in raw.split(b"\n"):
        # Only in Content-Type and Content-Disposition fields, so that
        # an HTML body's name=3D... is left alone.
        if line[:1] in (b" ", b"\t"):
            pass
        else:
            in_field = re.match(rb"(?i)content-(type|disposition)[ \t]*:",
                                line) is not None
        out.append(TSPECIAL_PARAM.sub(rb'\1\2"\3"', line) if in_field
                   else line)
    fixed = b"\n".join(out)
    return fixed if fixed != raw else None


# What Python's feedparser takes for a header line (headerRE).
FIELD_LINE = re.compile(rb"^(From |[\041-\071\073-\176]*:|[\t ])")


def header_line_breaks(msg):
    """Parts whose header Python ended at a line that is not a field."""
    return [p for p in msg.walk()
            if any(isinstance(d, email.errors.MissingHeaderBodySeparatorDefect)
                   for d in p.defects)]


@category(REPAIRS, "header-line-without-colon",
          "A header line that is not a field (no colon: '>From - ...' "
          "quoted from an mbox at the top of a forwarded message, a 'From' "
          "folded away from its ': value', prose right after a delimiter). "
          "Python ends the header there and the rest becomes the body "
          "(MissingHeaderBodySeparatorDefect); GMime reads on to the empty "
          "line, dropping the lines that are not fields (mailtrail says "
          "mime-malformed, invalid header field name). Checked: with those "
          "lines removed, Python agrees with mailtrail on every leaf.")
def repair_header_lines(raw, msg, report):
    changed = False
    for _ in range(10):
        bad = header_line_breaks(msg)
        if not bad:
            break
        body = bad[0].get_payload(decode=False)
        if not isinstance(body, str) or not body:
            break
        body = body.encode("ascii", "surrogateescape")
        # GMime takes every line up to the empty line as a header line.
        lines = body.split(b"\n")
        junk = []
        for line in lines:
            if line in (b"", b"\r"):
                break
            junk.append(line)
        # In the message each of these lines ends with a line end (a
        # delimiter follows at the latest).
        block = b"\n".join(junk) + b"\n"
        # Only the lines that are not fields go; the fields after them
        # are header again (Python's own test of a header line).
        kept = [line for line in junk if FIELD_LINE.match(line)]
        at = raw.find(b"\n" + block)
        if len(kept) == len(junk) or at < 0 \
                or raw.find(b"\n" + block, at + 1) >= 0:
            break
        new = b"".join(line + b"\n" for line in kept)
        raw = raw[:at + 1] + new + raw[at + 1 + len(block):]
        msg = python_parse(raw)
        changed = True
    return raw if changed else None


@category(REPAIRS, "duplicate-content-type",
          "The message header has two Content-Type fields (RFC 2045 allows "
          "one; mailtrail says header-duplicate). Python's Message.get() "
          "takes the first, GMime the last. Checked: mailtrail raised "
          "header-duplicate for Content-Type, and with all but the last "
          "field removed, Python agrees with mailtrail on every leaf.")
def repair_duplicate_content_type(raw, msg, report):
    if len(msg.get_all("content-type") or []) < 2 or not any(
            f.get("id") == "header-duplicate"
            and "Content-Type" in (f.get("detail") or "")
            for f in report.get("findings") or []):
        return None
    lines = raw.split(b"\n")
    fields, current = [], None  # (first line, last line) of each field
    for i, line in enumerate(lines):
        if line in (b"", b"\r"):
            break
        if line[:1] in (b" ", b"\t") and current is not None:
            current[1] = i
            continue
        current = [i, i] if re.match(rb"(?i)content-type[ \t]*:", line) \
            else None
        if current is not None:
            fields.append(current)
    if len(fields) < 2:
        return None
    drop = {i for first, last in fields[:-1] for i in range(first, last + 1)}
    return b"\n".join(line for i, line in enumerate(lines) if i not in drop)


# --- structure --------------------------------------------------------

def boundary_of(part):
    """A Python part's boundary parameter ("" when declared empty), or
    None when it is no multipart or declares none."""
    if part.get_content_maintype() != "multipart":
        return None
    return part.get_param("boundary")


def mt_boundary_of(m):
    if m.get("kind") != "multipart":
        return None
    for q in m.get("params") or []:
        if q.get("name") == "boundary":
            return q.get("value")
    return None


def ambiguous_finding(report, path, text):
    """Whether mailtrail raised mime-boundary-ambiguous on the part at
    path with a message containing text."""
    return any(f.get("id") == "mime-boundary-ambiguous"
               and (f.get("evidence") or {}).get("part") == path
               and text in (f.get("detail") or "")
               for f in report.get("findings") or [])


def python_epilogues(msg):
    out, stack = [], [msg]
    while stack:
        part = stack.pop()
        if part.is_multipart() and isinstance(part.get_payload(), list):
            if part.epilogue:
                out.append(part.epilogue.encode("ascii", "surrogateescape"))
            stack.extend(part.get_payload())
    return out


def nested_boundary(py, ml, ctx, empty):
    """The common reading of a multipart nested (at any depth) in one
    with the same boundary, which both parsers take for delimiters:
    GMime gives each delimiter line to the innermost multipart, Python's
    feedparser to the outermost. So in Python each inner multipart ends
    at once, empty (StartBoundaryNotFoundDefect), its parts become the
    outer one's, and after the inner close delimiter ends the outer
    multipart what GMime reads as further parts of the outer multipart
    is Python's epilogue. empty: the boundary is "" (else not empty).
    Returns (Python's leaves, mailtrail's leaves) with those
    differences taken out, or None when the message is not so."""
    gone = [p for p in py if p.kind == "multipart"
            and "StartBoundaryNotFoundDefect" in p.defects()
            and boundary_of(p.part) is not None
            and (boundary_of(p.part) == "") == empty
            and boundary_of(p.part) in {boundary_of(a) for a in p.ancestors}]
    if not gone:
        return None
    # mailtrail's multiparts whose boundary equals an enclosing one's,
    # each with its finding; an empty one also on the outermost.
    text = "is empty" if empty else "is the same as that of an enclosing"
    nested = []
    stack = [(m, ()) for m in (ctx["report"].get("mime") or {})
             .get("parts") or []]
    while stack:
        m, above = stack.pop()
        b = mt_boundary_of(m)
        if b is not None and (b == "") == empty:
            if b in above:
                nested.append(m.get("path"))
            elif empty and not ambiguous_finding(ctx["report"],
                                                 m.get("path"), text):
                return None
        stack.extend((c, above + ((b,) if b is not None else ()))
                     for c in m.get("children") or [])
    if len(nested) != len(gone) or not all(
            ambiguous_finding(ctx["report"], path, text) for path in nested):
        return None
    py = [p for p in py if p not in gone]
    # mailtrail's leaves past Python's last must each lie, as stored, in
    # an epilogue of Python's.
    if len(ml) < len(py):
        return None
    epilogues = python_epilogues(ctx["msg"])
    for m in ml[len(py):]:
        stored = mt_stored(m, ctx["stored"])
        if not stored or not any(stored in e for e in epilogues):
            return None
    return py, ml[:len(py)]


@category(STRUCTURE_CATEGORIES, "empty-boundary",
          "A multipart with boundary=\"\" nested in one with "
          "boundary=\"\" (RFC 2046 5.1.1 wants 1 to 70 characters, so "
          "every reading is a guess): both parsers take each '--' line "
          "for a delimiter, GMime for the innermost multipart, Python for "
          "the outermost, so Python's inner multiparts end at once, empty, "
          "and their parts are the outer one's. Checked: each extra Python "
          "leaf is a multipart with an empty boundary inside one with an "
          "empty boundary (StartBoundaryNotFoundDefect); mailtrail has as "
          "many multiparts with an empty boundary inside one, and said "
          "mime-boundary-ambiguous 'is empty' for every multipart with an "
          "empty boundary; any extra mailtrail leaf lies in an epilogue of "
          "Python's. The other leaves are compared as usual.")
def empty_boundary(py, ml, ctx):
    return nested_boundary(py, ml, ctx, empty=True)


@category(STRUCTURE_CATEGORIES, "same-boundary-nesting",
          "A multipart nested in a multipart with the same boundary "
          "(forbidden by RFC 2046 5.1.1): GMime gives each delimiter to "
          "the inner multipart, so a part after the inner close delimiter "
          "belongs to the outer multipart; Python gives them to the outer "
          "one, so the inner multipart is empty, its parts are the outer "
          "one's, the inner close delimiter ends the outer one and the "
          "part after it lands in its epilogue. Attackers use it to hide "
          "an attachment from one of the two. Checked: each extra Python "
          "leaf is a multipart whose boundary equals an ancestor's "
          "(StartBoundaryNotFoundDefect); mailtrail has as many multiparts "
          "whose boundary equals an enclosing one's, each with "
          "mime-boundary-ambiguous 'is the same as'; each extra mailtrail "
          "leaf lies, as stored, in an epilogue of Python's. The other "
          "leaves are compared as usual.")
def same_boundary(py, ml, ctx):
    return nested_boundary(py, ml, ctx, empty=False)


def mt_escape(data):
    """escape.c's mt_escape_bytes: valid UTF-8 as is, else each byte
    that is not part of a valid character (and NUL) as \\xHH, with
    backslashes doubled."""
    try:
        text = data.decode("utf-8")
        if "\0" not in text:
            return text
    except UnicodeDecodeError:
        pass
    out, i = [], 0
    while i < len(data):
        for n in (1, 2, 3, 4):
            try:
                c = data[i:i + n].decode("utf-8")
                break
            except UnicodeDecodeError:
                c = None
        if c is None or c == "\0":
            out.append(f"\\x{data[i]:02X}")
            i += 1
            continue
        out.append("\\\\" if c == "\\" else c)
        i += len(c.encode("utf-8"))
    return "".join(out)


def preamble_is(m, body):
    """Whether mailtrail's preamble of the multipart m (blank ones are
    null, others escaped and cut at 2000 bytes) is the text body."""
    kept = (m.get("preamble") or "").replace("\r\n", "\n").strip()
    text = mt_escape(body[:2000]).replace("\r\n", "\n").strip()
    if not kept or not text:
        return not kept and not text
    n = min(len(kept), len(text), 1000)
    return kept[:n] == text[:n]


@category(STRUCTURE_CATEGORIES, "multipart-without-parts",
          "A multipart whose first boundary never appears (or with no "
          "boundary parameter): Python makes it a leaf holding the whole "
          "body (StartBoundaryNotFoundDefect, NoBoundaryInMultipartDefect); "
          "GMime keeps a multipart with no children (the body is preamble, "
          "which mailtrail flags as hidden content). Checked: Python "
          "reports that defect and mailtrail has a childless multipart of "
          "the same type whose preamble is Python's leaf (its first 1000 "
          "characters, escaped as mailtrail keeps it).")
def empty_multipart(py, ml, ctx):
    gone = [p for p in py if p.kind == "multipart"
            and p.defects() & {"StartBoundaryNotFoundDefect",
                               "NoBoundaryInMultipartDefect"}]
    if not gone:
        return None
    childless = [m for m in ctx["mt_parts"]
                 if m.get("kind") == "multipart" and not m.get("children")]
    for p in gone:
        same = [m for m in childless if m.get("content_type") == p.ctype
                and preamble_is(m, p.data)]
        if not same:
            return None
        childless.remove(same[0])
    return [p for p in py if p not in gone]


@category(STRUCTURE_CATEGORIES, "part-without-header-or-content",
          "A delimiter followed at once by the next delimiter, or by lines "
          "that are not header fields and no empty line: GMime makes no "
          "part of it (mailtrail says mime-malformed, 'a part without "
          "header or content'); Python makes an empty headerless part. "
          "Checked: mailtrail raised that finding as many times as Python "
          "has such empty headerless leaves.")
def gmime_drops_empty_part(py, ml, ctx):
    empty = [p for p in py if p.kind == "leaf" and not p.size
             and not list(p.part.keys()) and p.parent is not None]
    if not empty:
        return None
    times = 0
    for f in ctx["report"].get("findings") or []:
        text = f.get("detail") or f.get("message") or ""
        hit = re.search(r"a part without header or content \((\d+) times?\)",
                        text)
        if f.get("id") == "mime-malformed" and hit:
            times += int(hit.group(1))
    if times != len(empty):
        return None
    return [p for p in py if p not in empty]


@category(STRUCTURE_CATEGORIES, "delimiter-at-end-of-message",
          "The message's last line is a part delimiter with nothing after "
          "it, and no close delimiter: Python opens an empty "
          "text/plain part after it, GMime opens none. Checked: Python's "
          "last leaf is empty and headerless, its multipart reports "
          "CloseBoundaryNotFoundDefect, and the message ends with that "
          "multipart's delimiter.")
def delimiter_at_end(py, ml, ctx):
    if not py:
        return None
    last = py[-1]
    if last.kind != "leaf" or last.size or list(last.part.keys()) \
            or last.parent is None \
            or "CloseBoundaryNotFoundDefect" not in last.defects(last.parent):
        return None
    boundary = last.parent.get_boundary()
    tail = ctx["raw"].rstrip(b" \t\r\n").rsplit(b"\n", 1)[-1]
    if not boundary or tail != b"--" + boundary.encode("utf-8", "replace"):
        return None
    return py[:-1]


# --- leaves -----------------------------------------------------------

@category(LEAF_CATEGORIES, "dsn-groups",
          "Python parses message/delivery-status into a list of header "
          "groups (RFC 3464 2.1) and keeps no bytes; mailtrail keeps the "
          "part's bytes (and parses the groups into mime.dsn). Checked: "
          "the bytes mailtrail hashed are the part's content as stored at "
          "its offsets, and Python parses them into the same groups.")
def dsn_groups(p, m, field, ctx):
    if p.kind != "dsn" or field != "bytes" \
            or m.get("content_type") != "message/delivery-status":
        return False
    stored = mt_stored(m, ctx["stored"])
    if stored is None or p.cte not in IDENTITY_CTE or sha(stored) != mt_sha(m):
        return False
    again = python_parse(b"Content-Type: message/delivery-status\n\n" + stored)
    # Blank lines at the end make an empty last group in one reading.
    groups = lambda part: [g.items() for g in part.get_payload() if g.items()]  # noqa
    return isinstance(again.get_payload(), list) and \
        groups(again) == groups(p.part)


@category(LEAF_CATEGORIES, "message-subtype-leaf",
          "Python parses every message/* subtype as an embedded message; "
          "GMime only message/rfc822, rfc2822, news and global, and keeps "
          "message/disposition-notification (RFC 8098), feedback-report "
          "(RFC 5965), external-body (RFC 2046 5.2.3) and partial as a "
          "leaf. Checked: the bytes mailtrail hashed are the part's content "
          "as stored, and Python parses them into the same message.")
def message_subtype(p, m, field, ctx):
    if p.kind != "message" or field != "bytes" \
            or m.get("content_type") != p.ctype:
        return False
    stored = mt_stored(m, ctx["stored"])
    if stored is None or p.cte not in IDENTITY_CTE or sha(stored) != mt_sha(m):
        return False
    inner = p.part.get_payload()[0]
    again = python_parse(stored)
    return again.items() == inner.items() and \
        again.get_payload() == inner.get_payload()


B64_ALPHABET = re.compile(rb"[^A-Za-z0-9+/]")


@category(LEAF_CATEGORIES, "python-base64-undecoded",
          "Base64 whose sextets do not end on a byte (one sextet left "
          "over, InvalidBase64LengthDefect): Python gives up and returns "
          "the encoded text itself; GMime and mailtrail decode it, dropping "
          "the lone sextet, and mailtrail says mime-base64-invalid. "
          "Checked: Python returned the encoded text, and mailtrail's bytes "
          "are a decode of the alphabet characters without the last "
          "sextet.")
def python_base64_undecoded(p, m, field, ctx):
    if field != "bytes" or p.cte != "base64" \
            or "InvalidBase64LengthDefect" not in p.defects():
        return False
    encoded = p.part.get_payload(decode=False)
    if not isinstance(encoded, str):
        return False
    encoded = encoded.encode("ascii", "surrogateescape")
    if p.data != b"".join(encoded.splitlines()):
        return False
    sextets = B64_ALPHABET.sub(b"", encoded)
    sextets = sextets[:len(sextets) - len(sextets) % 4 + (
        len(sextets) % 4 if len(sextets) % 4 > 1 else 0)]
    pad = b"=" * (-len(sextets) % 4)
    return "mime-base64-invalid" in finding_ids(ctx["report"]) and \
        sha(binascii.a2b_base64(sextets + pad)) == mt_sha(m)


@category(LEAF_CATEGORIES, "unclosed-multipart-last-line-end",
          "A multipart whose close delimiter never comes: Python drops the "
          "line end at the end of its last part, as if a delimiter followed "
          "(RFC 2046 5.1.1 gives the CRLF before a delimiter to the "
          "delimiter); GMime keeps it, since no delimiter follows. Checked: "
          "Python reports CloseBoundaryNotFoundDefect on a multipart the "
          "leaf is in, and mailtrail's bytes are Python's plus exactly that "
          "line end.")
def unclosed_line_end(p, m, field, ctx):
    if field != "bytes" or not any(
            "CloseBoundaryNotFoundDefect" in p.defects(a) for a in p.ancestors):
        return False
    return any(sha(p.data + end) == mt_sha(m) for end in (b"\n", b"\r\n"))


# ---------------------------------------------------------------------
# The comparison.

class Stats:
    def __init__(self):
        self.messages = 0
        self.messages_agree = 0
        self.leaves = 0
        self.leaves_agree = 0
        self.used = {}        # category -> [examples]
        self.unclassified = []
        self.skipped = {}     # why -> [examples]

    def use(self, name, where):
        self.used.setdefault(name, []).append(where)

    def skip(self, why, where):
        self.skipped.setdefault(why, []).append(where)


def leaf_fields(p, m):
    """The fields of a leaf pair that differ."""
    diffs = []
    if p.kind != "leaf" or p.size != m.get("size_decoded") \
            or p.sha256 != mt_sha(m):
        diffs.append("bytes")
    if (p.filename or None) != (m.get("filename") or None):
        diffs.append("filename")
    return diffs


def describe(p, m, field):
    if field == "filename":
        what = f"Python {p.filename!r} mailtrail {m.get('filename')!r}"
    else:
        what = (f"Python {p.kind} {p.size} {p.sha256[:12]} mailtrail "
                f"{m.get('size_decoded')} {str(mt_sha(m))[:12]}")
    return (f"part {m.get('path')} ({p.ctype}, cte {p.cte or '-'}): "
            f"{field}: {what}")


def explain(raw, report, msg, py, ml, stored=None):
    """Compares one parse (of raw, maybe repaired) with the report.
    stored is the message as mailtrail read it, which its offsets point
    into. Returns (categories used, unexplained differences, leaves
    compared, leaves agreeing)."""
    ctx = {"raw": raw, "stored": stored or raw, "report": report,
           "msg": msg, "mt_parts": mt_parts(report)}
    used, problems = [], []
    for name, check in STRUCTURE_CATEGORIES:
        got = check(py, ml, ctx)
        if isinstance(got, tuple):
            # The category took leaves out of both sides.
            used.append(name)
            py, ml = got
        elif got is not None:
            used.append(name)
            py = got
    if len(py) != len(ml):
        problems.append(
            f"{len(py)} leaves in Python, {len(ml)} in mailtrail: "
            + " | ".join(p.ctype for p in py[:8]) + " vs "
            + " | ".join(f"{m.get('path')} {m.get('content_type')}"
                         for m in ml[:8]))
        return used, problems, max(len(py), len(ml)), 0
    agree = 0
    for p, m in zip(py, ml):
        diffs = leaf_fields(p, m)
        if not diffs:
            agree += 1
        for field in diffs:
            for name, check in LEAF_CATEGORIES:
                if check(p, m, field, ctx):
                    used.append(name)
                    break
            else:
                problems.append(describe(p, m, field))
    return used, problems, len(py), agree


def compare_message(stats, where, raw, report):
    stats.messages += 1
    try:
        msg = python_parse(raw)
        py = python_leaves(msg)
    except Exception as e:  # noqa: BLE001
        stats.unclassified.append(f"{where}: Python cannot parse: {e!r}")
        return
    ml = mt_leaves(report)
    used, problems, n, agree = explain(raw, report, msg, py, ml)
    if problems:
        # Read the message the way GMime does, one documented repair at a
        # time; a repair counts only when Python then agrees throughout.
        repaired, fixed_by = raw, []
        for name, repair in REPAIRS:
            again = repair(repaired, python_parse(repaired), report)
            if again is None:
                continue
            repaired = again
            fixed_by.append(name)
            msg2 = python_parse(repaired)
            u2, p2, n2, a2 = explain(repaired, report, msg2,
                                     python_leaves(msg2), ml, raw)
            if not p2:
                used, problems, n, agree = fixed_by + u2, [], n2, 0
                break
    stats.leaves += n
    stats.leaves_agree += agree
    for name in dict.fromkeys(used):
        stats.use(name, where)
    stats.unclassified.extend(f"{where}: {p}" for p in problems)
    if not used and not problems:
        stats.messages_agree += 1


def main():
    files = corpus_files()
    tap.ok(len(files) > 800, f"corpus has {len(files)} files")
    r = subprocess.run([mt, "analyze", "--format", "ndjson", "--quiet",
                        "--no-geoip", *files], capture_output=True)
    tap.ok(r.returncode in (0, 3), f"mailtrail analyze exit {r.returncode} "
           "(0 or 3, no crash)", r.stderr.decode(errors="replace")[-2000:])
    by_path = {}
    for line in r.stdout.splitlines():
        rep = json.loads(line)
        by_path.setdefault(rep["source"]["path"], []).append(rep)

    stats = Stats()
    count_mismatch = []
    for path in files:
        rel = os.path.relpath(path, corpus)
        reports = [rep for rep in by_path.get(path, [])
                   if rep["source"]["format"]]
        if not reports:
            stats.skip("not mail (an error record, no message)", rel)
            continue
        with open(path, "rb") as f:
            data = f.read()
        raws = messages_of(data)
        if len(raws) != len(reports):
            count_mismatch.append(f"{rel}: {len(raws)} vs {len(reports)}")
            continue
        for n, (raw, rep) in enumerate(zip(raws, reports)):
            where = rel if len(raws) == 1 else f"{rel}#{n}"
            if not (rep.get("mime") or {}).get("analyzed"):
                stats.skip("mailtrail gave no MIME structure "
                           "(mime.analyzed false)", where)
                continue
            compare_message(stats, where, raw, rep)

    tap.ok(not count_mismatch, "the corpus is cut into the same messages",
           "\n".join(count_mismatch[:20]))
    print(f"# messages fully agreeing: {stats.messages_agree}/"
          f"{stats.messages}")
    print(f"# leaves agreeing: {stats.leaves_agree}/{stats.leaves}")
    unexplained = {u.split(": ", 1)[0] for u in stats.unclassified}
    print(f"# messages agreeing or explained by a category: "
          f"{stats.messages - len(unexplained)}/{stats.messages}")
    for why, where in sorted(stats.skipped.items()):
        print(f"# skipped, {why}: {len(where)} (e.g. "
              f"{', '.join(where[:3])})")
    reasons = REASONS
    for name, where in sorted(stats.used.items(), key=lambda kv: -len(kv[1])):
        print(f"# category {name}: {len(where)} - {reasons[name]}")
        for w in where[:None if VERBOSE else 3]:
            print(f"#     {w}")
    tap.ok(stats.messages > 0, f"{stats.messages} messages compared")
    if VERBOSE:
        for line in stats.unclassified:
            print(f"# unclassified: {line}")
    tap.ok(not stats.unclassified,
           f"no unclassified difference ({len(stats.unclassified)} found)",
           "\n".join(stats.unclassified[:40]))
    tap.done()


main()
