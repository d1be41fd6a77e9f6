#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The scripting user's reference for the benchmark: Python's standard
email package doing the walk gmime-walk does (every header decoded, every
leaf part decoded and hashed with SHA-256) over an mbox.

Usage: python-walk.py MBOX
"""
import email
import email.policy
import hashlib
import sys


def messages(path):
    """The messages of an mbox as written by gen-corpus.py: each starts
    after a "From " separator line (body lines are quoted ">From ")."""
    chunk = None
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"From "):
                if chunk:
                    yield b"".join(chunk)
                chunk = []
            elif chunk is not None:
                chunk.append(line)
    if chunk:
        yield b"".join(chunk)


def main():
    count, check, header_chars = 0, 0, 0
    for data in messages(sys.argv[1]):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        for part in msg.walk():
            for _, value in part.items():
                header_chars += len(str(value))
            if not part.is_multipart():
                payload = part.get_payload(decode=True) or b""
                check += hashlib.sha256(payload).digest()[0]
        count += 1
    print("%d messages, checksum %d, %d header chars" %
          (count, check, header_chars))


if __name__ == "__main__":
    main()
