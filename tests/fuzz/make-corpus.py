#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the seed corpus of one or every fuzz target from the messages
in the source tree (samples/, tests/data/, tests/integration/fixtures/)
and a few synthetic inputs written here, into OUT/TARGET/. Nothing is
copied into the repository: the corpus lives in a build directory and is
rebuilt in a second from what the tree already holds.

Each seed's file name is the SHA-1 of its bytes, so the same header found
in ten fixtures is one seed. Targets that read a selector byte first
(auth, mbox, protocol, links: see each fuzz-*.c) get it prepended here.

Usage: make-corpus.py SOURCE_ROOT OUT [TARGET...]
"""
import hashlib
import os
import re
import sys

TARGETS = ("pipeline", "received", "auth", "mbox", "protocol", "links")
# Folders of messages and the largest file taken from them: seeds should
# be small, or the fuzzer spends its time hashing.
MESSAGE_DIRS = ("samples", "tests/data", "tests/integration/fixtures",
                "tests/golden")
MAX_SEED = 256 * 1024
SKIP_SUFFIXES = (".json", ".md", ".py", ".mmdb", ".build", ".txt")


def message_files(root):
    """Every message-like file under the message folders, sorted."""
    out = []
    for d in MESSAGE_DIRS:
        base = os.path.join(root, d)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(SKIP_SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                if os.path.getsize(path) <= MAX_SEED:
                    out.append(path)
    return out


def header_fields(data):
    """(name, value) of each header field of a message or of each message
    of an mbox: unfolded values, bytes. Good enough for seeds, not a
    parser anyone relies on."""
    fields = []
    text = data.replace(b"\r\n", b"\n")
    # Every header block: at the start, and after each mbox separator.
    blocks = [text] + [text[m.end():] for m in
                       re.finditer(rb"\n\nFrom [^\n]*\n", text)]
    for block in blocks:
        if block.startswith(b"From "):
            block = block.split(b"\n", 1)[-1]
        head = block.split(b"\n\n", 1)[0]
        name, value = None, b""
        for line in head.split(b"\n"):
            if line[:1] in (b" ", b"\t") and name is not None:
                value += b" " + line.strip()
                continue
            if name is not None:
                fields.append((name, value))
            if b":" in line:
                n, v = line.split(b":", 1)
                name, value = n.strip().lower(), v.strip()
            else:
                name = None
        if name is not None:
            fields.append((name, value))
    return fields


def bodies(data):
    """The text after the first header block, and the bodies of parts
    whose Content-Type is text/html, roughly."""
    text = data.replace(b"\r\n", b"\n")
    out = []
    if b"\n\n" in text:
        out.append(text.split(b"\n\n", 1)[1])
    for m in re.finditer(rb"(?is)<html.*?</html>", text):
        out.append(m.group(0))
    return out


IMAP_SEEDS = [
    b"* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] Dovecot ready.\r\n",
    b"* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
    b"* OK [UIDNEXT 4] Predicted next UID\r\n"
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    b"a1 OK [READ-ONLY] Examine completed.\r\n",
    b'* LIST (\\HasNoChildren \\Sent) "/" "Sent"\r\n'
    b'* LIST (\\HasChildren) "." "INBOX"\r\n'
    b'* LIST (\\Noselect) NIL "&ZeVnLIqe-"\r\n'
    b"* LIST () \"/\" {5}\r\nA\"B C\r\na2 OK List done\r\n",
    b'* STATUS "INBOX" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3)\r\n',
    b"* SEARCH 2 84 882 1 4000000000\r\na3 OK Search done\r\n",
    b"* 1 FETCH (UID 7 FLAGS (\\Seen $Label1) INTERNALDATE"
    b' "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 44 BODY[] {44}\r\n'
    b"Subject: hi\r\nFrom: a@example.org\r\n\r\nbody\r\n)\r\n"
    b"a4 OK Fetch completed\r\n",
    b"* 2 FETCH (BODY[] {10+}\r\n0123456789 UID 9)\r\n",
    b"+ Ready for literal data\r\n",
    b"* BYE Autologout; idle for too long\r\n",
    b"a5 NO [TRYCREATE] Mailbox does not exist\r\n",
    b"a6 BAD Command unknown\r\n",
    b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: test\r\n\r\n)\r\n",
    b'* 5 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "afternoon"'
    b' (("Fred" NIL "foo" "example.org")) NIL NIL NIL NIL NIL NIL'
    b' "<B27397-0100000@example.org>"))\r\n',
]

POP3_SEEDS = [
    b"Subject: hi\r\nFrom: a@example.org\r\n\r\n..dot stuffed\r\nline\r\n.\r\n",
    b"1 1c2a3b\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n+OK next\r\n",
    b"1 120\r\n2 200\r\n.\r\n",
    b"TOP\r\nUSER\r\nSASL PLAIN\r\nUIDL\r\nPIPELINING\r\n.\r\n",
    b"bare lf\n.\n",
    b".\r\n",
]

POP3_LINES = [
    b"+OK 120 octets\r\n",
    b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
    b"-ERR [AUTH] invalid password\r\n",
    b"1:10,15,20:*",
    b"&AGEAYgBj-",
    b"INBOX.&ZeVnLIqe-",
]

RECEIVED_SEEDS = [
    b"from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.net"
    b" (Postfix) with ESMTPS id 4ABC; Tue, 3 Nov 2026 10:00:00 +0000",
    b"from [IPv6:2001:db8::1] (helo=x) by a.example with esmtpsa"
    b" (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from"
    b" <a@example.org>) id 1abc-000 for <b@example.net>; Tue, 03 Nov 2026"
    b" 10:00:00 -0500",
    b"from x ((((((nested (comments)))))) by y; Tue, 3 Nov 2026 10:00:00",
]

AUTH_SEEDS = [
    (0, b"mx.example.net; spf=pass smtp.mailfrom=example.org;"
        b" dkim=pass (2048-bit key) header.d=example.org header.s=sel;"
        b" dmarc=pass (p=REJECT) header.from=example.org"),
    (0, b"spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=a.example;"
        b" dkim=none (message not signed) header.d=none; action=none"),
    (0, b"example.net 1; none"),
    (1, b"i=1; mx.google.com; arc=none; spf=pass smtp.mailfrom=a@b.example"),
    (2, b"v=1; a=rsa-sha256; c=relaxed/simple; d=example.org; s=sel;"
        b" t=1700000000; x=1800000000; l=100; h=From:To:Subject:From;"
        b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA=="),
    (3, b"i=1; a=rsa-sha256; t=1700000000; cv=none; d=example.org; s=arc;"
        b" b=abc"),
    (4, b"i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=arc;"
        b" h=from:to; bh=abc=; b=def"),
    (5, b"pass (mx.example.net: domain of a@example.org designates"
        b" 192.0.2.1 as permitted sender) client-ip=192.0.2.1;"
        b" envelope-from=\"a@example.org\"; helo=mail.example.org;"),
    (6, b"# keys\nsel._domainkey.example.org \"v=DKIM1; k=rsa; \" \"p=MIIB\"\n"
        b"bad line\n"),
]

LINK_SEEDS = [
    b"Visit https://www.example.org/path?q=1 or hxxp://evil[.]example/x"
    b" and www.example.net, mail a@example.org.",
    b'<html><body><a href="https://nam01.safelinks.protection.outlook.com/'
    b'?url=https%3A%2F%2Fevil.example%2F&data=x">https://bank.example/</a>'
    b'<img src="http://track.example/p.gif" width="1" height="1">'
    b'<form action="https://collect.example/post"></form>'
    b'<meta http-equiv="refresh" content="0;url=http://r.example/">'
    b'<div style="background:url(http://css.example/b.png)"></div>'
    b'<a href="javascript:alert(1)">x</a><a href="data:text/html,x">y</a>'
    b'<a href="http://user:pw@192.0.2.1/">z</a>'
    b'<a href="http://xn--pypal-4ve.example/">paypal</a></body></html>',
]

PIPELINE_SEEDS = [
    b"From: a@example.org\nTo: b@example.net\nSubject: x\n"
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    b"Content-Type: text/plain; charset=utf-8\n\nhello\n--b\n"
    b"Content-Type: application/octet-stream; name=a.exe\n"
    b"Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--b--\n",
]


def save(out, data, seen):
    name = hashlib.sha1(data).hexdigest()
    if name in seen:
        return
    seen.add(name)
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def build(root, out_root, target):
    out = os.path.join(out_root, target)
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        os.unlink(os.path.join(out, old))
    seen = set()
    files = message_files(root)
    datas = [open(p, "rb").read() for p in files]
    if target == "pipeline":
        for d in datas + PIPELINE_SEEDS:
            save(out, d, seen)
    elif target == "mbox":
        for d in datas:
            for sel in (0, 3, 0x85):
                save(out, bytes([sel]) + d, seen)
    elif target == "received":
        for d in datas:
            for name, value in header_fields(d):
                if name in (b"received", b"x-received"):
                    save(out, value, seen)
        for s in RECEIVED_SEEDS:
            save(out, s, seen)
    elif target == "auth":
        kinds = {b"authentication-results": 0,
                 b"arc-authentication-results": 1,
                 b"dkim-signature": 2, b"arc-seal": 3,
                 b"arc-message-signature": 4, b"received-spf": 5}
        for d in datas:
            for name, value in header_fields(d):
                if name in kinds:
                    save(out, bytes([kinds[name]]) + value, seen)
        for sel, s in AUTH_SEEDS:
            save(out, bytes([sel]) + s, seen)
    elif target == "protocol":
        for s in IMAP_SEEDS:
            for sel in (0, 12):
                save(out, bytes([sel]) + s, seen)
        for s in POP3_SEEDS:
            for sel in (1, 13, 0x81):
                save(out, bytes([sel]) + s, seen)
        for s in POP3_LINES:
            save(out, bytes([2]) + s, seen)
        # A real message as a FETCH literal and as a RETR reply.
        for d in datas[:8]:
            crlf = re.sub(rb"\r?\n", b"\r\n", d)
            save(out, bytes([0]) + b"* 1 FETCH (UID 1 BODY[] {%d}\r\n"
                 % len(crlf) + crlf + b")\r\na1 OK done\r\n", seen)
            stuffed = re.sub(rb"(?m)^\.", b"..", crlf)
            save(out, bytes([1]) + stuffed + b".\r\n", seen)
    elif target == "links":
        for d in datas:
            for body in bodies(d):
                save(out, bytes([0]) + body[:MAX_SEED], seen)
                if b"<" in body:
                    save(out, bytes([1]) + body[:MAX_SEED], seen)
        for s in LINK_SEEDS:
            for sel in (0, 1, 2):
                save(out, bytes([sel]) + s, seen)
    return len(seen)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root, out_root = sys.argv[1], sys.argv[2]
    targets = sys.argv[3:] or TARGETS
    for t in targets:
        if t not in TARGETS:
            sys.exit(f"make-corpus: unknown target '{t}'")
        n = build(root, out_root, t)
        print(f"{t}: {n} seeds in {os.path.join(out_root, t)}")


if __name__ == "__main__":
    main()
