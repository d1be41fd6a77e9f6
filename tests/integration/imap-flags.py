#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""imap-flags.py: the flags of every message in a mailbox, read over a
second, independent IMAP session (Python's imaplib, not mailtrail), so the
integration tests can check that an acquisition changed nothing.

    MAILTRAIL_PASSWORD=... imap-flags.py PORT CAFILE USER WIRE-MAILBOX

Prints "uid:flag flag" lines sorted by UID, flags sorted, \\Recent left out
(it belongs to sessions, not to messages). Uses EXAMINE, so reading the
flags changes none of them.
"""
import imaplib
import os
import re
import ssl
import sys


def main():
    port, cafile, user, mailbox = sys.argv[1:5]
    ctx = ssl.create_default_context(cafile=cafile)
    with imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx) as m:
        m.login(user, os.environ["MAILTRAIL_PASSWORD"])
        typ, _ = m.select('"%s"' % mailbox, readonly=True)
        if typ != "OK":
            sys.exit("cannot examine %s" % mailbox)
        typ, data = m.uid("FETCH", "1:*", "(UID FLAGS)")
        rows = []
        for item in data:
            if not item:
                continue
            text = item.decode() if isinstance(item, bytes) else item[0].decode()
            uid = re.search(r"UID (\d+)", text)
            flags = re.search(r"FLAGS \(([^)]*)\)", text)
            if uid and flags:
                kept = sorted(f for f in flags.group(1).split()
                              if f.lower() != "\\recent")
                rows.append((int(uid.group(1)), " ".join(kept)))
        for uid, flags in sorted(rows):
            print("%d:%s" % (uid, flags))
        m.logout()


if __name__ == "__main__":
    main()
