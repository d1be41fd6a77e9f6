# SPDX-License-Identifier: MIT
"""Generators of adversarial messages for the adversarial suite. Each
takes n, the size that grows (bytes, fields, levels, repetitions), and
returns the message as bytes plus what the report must say about it.
Every input is deterministic: the same n gives the same bytes.

Also usable by hand: python3 gen.py CASE N > file.eml
"""
import base64
import hashlib
import random
import sys

HEAD = (b"From: Alice <alice@example.org>\n"
        b"To: bob@example.net\n"
        b"Subject: adversarial\n"
        b"Date: Tue, 3 Nov 2026 10:00:00 +0000\n"
        b"Message-ID: <adversarial@example.org>\n")
DATE = b"Tue, 3 Nov 2026 10:00:00 +0000"


def received_comments(n):
    """One Received header holding n bytes of nested comments."""
    depth = n // 2
    value = (b"from a.example " + b"(" * depth + b")" * depth
             + b" by mx.example.org with ESMTP id X1; " + DATE)
    return HEAD + b"Received: " + value + b"\n\nbody\n", {}


def many_headers(n):
    """n header fields."""
    fields = b"".join(b"X-Filler-%d: value %d\n" % (i, i) for i in range(n))
    return HEAD + fields + b"\nbody\n", {"fields": n + 5}


def deep_multipart(n):
    """multipart/mixed nested n levels deep, a text part at the bottom."""
    out = [HEAD, b"MIME-Version: 1.0\n",
           b"Content-Type: multipart/mixed; boundary=b0\n\n"]
    for i in range(1, n):
        out.append(b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n"
                   % (i - 1, i))
    out.append(b"--b%d\nContent-Type: text/plain\n\ndeep\n" % (n - 1))
    for i in range(n - 1, -1, -1):
        out.append(b"--b%d--\n" % i)
    return b"".join(out), {}


def base64_line(n):
    """An attachment of n base64 characters on one line."""
    raw = random.Random(n).randbytes(n // 4 * 3)
    line = base64.b64encode(raw)
    msg = (HEAD + b"MIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
           b"Content-Type: text/plain\n\nsee attachment\n--b\n"
           b"Content-Type: application/octet-stream; name=blob.bin\n"
           b"Content-Disposition: attachment; filename=blob.bin\n"
           b"Content-Transfer-Encoding: base64\n\n" + line + b"\n--b--\n")
    return msg, {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def boundary_repeat(n):
    """A multipart whose delimiter comes n times, each opening an empty
    part: n parts for the walker."""
    return (HEAD + b"MIME-Version: 1.0\n"
            b"Content-Type: multipart/mixed; boundary=b\n\n"
            + b"--b\n\n" * n + b"--b--\n"), {}


def boundary_lines(n):
    """The delimiter line n times back to back, with no empty line: GMime
    reads each as a malformed header line of one part, so this floods
    the parser's warnings (defects) instead of parts."""
    return (HEAD + b"MIME-Version: 1.0\n"
            b"Content-Type: multipart/mixed; boundary=b\n\n"
            + b"--b\n" * n + b"--b--\n"), {}


def many_urls(n):
    """A text body with n distinct URLs."""
    body = b"".join(b"see http://h%d.example/p?i=%d now\n" % (i, i)
                    for i in range(n))
    return (HEAD + b"MIME-Version: 1.0\nContent-Type: text/plain\n\n"
            + body), {"urls": n}


def ar_methods(n):
    """An Authentication-Results header with n method results."""
    methods = b"; ".join(b"spf=pass smtp.mailfrom=a%d.example" % i
                         for i in range(n))
    return (HEAD + b"Authentication-Results: mx.example.org; " + methods
            + b"\n\nbody\n"), {"methods": n}


def long_field(n):
    """One header field of n bytes, folded into 76-byte lines: past
    max-header-bytes (1 MiB) at full size, under it at a tenth."""
    line = b"a" * 75
    lines = n // 77 + 1
    value = b"\n ".join([line] * lines)
    return (HEAD + b"X-Padding: " + value + b"\n\nbody\n"), {"bytes": len(value)}


def many_received(n):
    """n Received headers, each naming the hop below: past max-received
    (500) at both sizes."""
    fields = b"".join(
        b"Received: from h%d.example.net (h%d.example.net [192.0.2.%d]) "
        b"by h%d.example.net with ESMTP id q%d; " % (i, i, i % 250 + 1,
                                                     i + 1, i)
        + DATE + b"\n" for i in range(n, 0, -1))
    return HEAD + fields + b"\nbody\n", {"received": n}


CASES = {
    "received-comments": (received_comments, 1_000_000),
    "many-headers": (many_headers, 100_000),
    "deep-multipart": (deep_multipart, 10_000),
    "base64-line": (base64_line, 50_000_000),
    "boundary-repeat": (boundary_repeat, 1_000_000),
    "boundary-lines": (boundary_lines, 1_000_000),
    "many-urls": (many_urls, 100_000),
    "ar-methods": (ar_methods, 100_000),
    "long-field": (long_field, 8_000_000),
    "many-received": (many_received, 9_000),
}

if __name__ == "__main__":
    fn, default = CASES[sys.argv[1]]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else default
    sys.stdout.buffer.write(fn(n)[0])
