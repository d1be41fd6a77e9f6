#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the benchmark corpus: realistic messages, deterministic (seeded),
as one mbox and as a maildir holding the same messages.

Each message has 4 to 12 Received headers in the formats of Postfix, Exim,
Sendmail, qmail, Exchange Online and Gmail, a DKIM-Signature, an ARC set
and Authentication-Results, folded headers, RFC 2047 words (UTF-8 and
ISO-2022-JP), a multipart/alternative text+HTML body with links (some
quoted-printable), and for some a base64 attachment between 10 KB and
2 MB or a nested message/rfc822.

Usage: gen-corpus.py OUTDIR --size MB [--seed N]
Writes OUTDIR/corpus.mbox and OUTDIR/maildir/{cur,new,tmp}; prints the
message count and bytes.
"""
import argparse
import base64
import os
import quopri
import random

WORDS = ("invoice payment account meeting report quarterly shipment order "
         "review update security notice delivery schedule contract budget "
         "project team customer support request document approval travel "
         "agenda minutes forecast training policy release").split()
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.jp",
           "shop.example", "bank.example", "corp.example.co.uk"]
JP_SUBJECT = ("=?ISO-2022-JP?B?GyRCSlk2LzJxO3FOQSROQXdJVSRLJEQkJCRGGyhC?=")
UTF8_NAMES = ["=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?=", "=?UTF-8?Q?Ren=C3=A9e_Dupr=C3=A9?=",
              "=?UTF-8?B?5bCP5pqu?=", "=?utf-8?q?Bj=C3=B6rn_=C3=85str=C3=B6m?="]


def ip(rng):
    return "%d.%d.%d.%d" % (rng.choice([81, 89, 175, 202, 210, 216, 12]),
                            rng.randrange(256), rng.randrange(256),
                            rng.randrange(1, 255))


def date(t):
    import email.utils
    return email.utils.formatdate(t, localtime=False)


def received(rng, t, i):
    host = "mx%d.%s" % (rng.randrange(1, 9), rng.choice(DOMAINS))
    src = "relay%d.%s" % (rng.randrange(1, 99), rng.choice(DOMAINS))
    a = ip(rng)
    qid = "%010X" % rng.getrandbits(40)
    kind = i % 6
    d = date(t)
    if kind == 0:
        return ("Received: from %s (%s [%s])\n\t(using TLSv1.3 with cipher "
                "TLS_AES_256_GCM_SHA384 (256/256 bits))\n\tby %s (Postfix) "
                "with ESMTPS id %s\n\tfor <user@%s>; %s" %
                (src, src, a, host, qid, rng.choice(DOMAINS), d))
    if kind == 1:
        return ("Received: from [%s] (port=%d helo=%s)\n\tby %s with esmtps "
                "(TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t"
                "(envelope-from <bounce@%s>)\n\tid 1r%s-000%d\n\tfor "
                "user@%s;\n\t%s" % (a, rng.randrange(1024, 65535), src, host,
                                    rng.choice(DOMAINS), qid[:6],
                                    rng.randrange(9), rng.choice(DOMAINS), d))
    if kind == 2:
        return ("Received: from %s (%s [%s])\n\tby %s (8.17.1/8.17.1) with "
                "ESMTP id %s;\n\t%s" % (src, src, a, host, qid.lower(), d))
    if kind == 3:
        return ("Received: (qmail %d invoked by uid %d); %s" %
                (rng.randrange(1000, 99999), rng.randrange(1000), d))
    if kind == 4:
        return ("Received: from %s (%s) by\n %s (10.%d.%d.%d) with Microsoft "
                "SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_"
                "AES_256_GCM_SHA384) id 15.20.%d.%d; %s" %
                (src, a, host, rng.randrange(256), rng.randrange(256),
                 rng.randrange(256), rng.randrange(9999), rng.randrange(99), d))
    return ("Received: by 2002:a05:6a10:%x:b0:%x:%x:%x with SMTP id %s;\n"
            "        %s" % (rng.getrandbits(16), rng.getrandbits(12),
                            rng.getrandbits(16), rng.getrandbits(16),
                            qid.lower(), d))


def b64_folded(rng, n):
    return "\n\t".join(base64.b64encode(rng.randbytes(n)).decode()[i:i + 70]
                       for i in range(0, 4 * ((n + 2) // 3), 70))


def text(rng, n):
    out, line = [], []
    for _ in range(n):
        line.append(rng.choice(WORDS))
        if len(line) > 11:
            out.append(" ".join(line))
            line = []
    out.append(" ".join(line))
    return "\n".join(out)


def body_alternative(rng, boundary):
    plain = text(rng, rng.randrange(60, 400))
    links = ["https://www.%s/%s/%d" % (rng.choice(DOMAINS), rng.choice(WORDS),
                                       rng.randrange(10000))
             for _ in range(rng.randrange(1, 6))]
    html = "<html><body>" + "".join(
        "<p>%s <a href=\"%s\">%s</a></p>\n" % (text(rng, 20), u, u)
        for u in links) + "<p>" + plain.replace("\n", "<br>\n") + \
        "</p></body></html>"
    qp = rng.random() < 0.4
    if qp:
        html_enc = quopri.encodestring(html.encode()).decode()
        cte = "quoted-printable"
    else:
        html_enc, cte = html, "7bit"
    return ("--%s\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 7bit\n\n%s\n\n--%s\n"
            "Content-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: %s\n\n%s\n\n--%s--\n" %
            (boundary, plain, boundary, cte, html_enc, boundary))


def attachment_size(rng):
    # Log-uniform between 10 KB and 2 MB: many small files, a few big ones.
    import math
    return int(math.exp(rng.uniform(math.log(10_000), math.log(2_000_000))))


def message(rng, n, t, nested=False):
    hops = rng.randrange(4, 13)
    lines = ["Return-Path: <bounce-%d@%s>" % (n, rng.choice(DOMAINS))]
    for i in range(hops):
        lines.append(received(rng, t - 2 * i, i + n))
    dom = rng.choice(DOMAINS)
    lines.append("ARC-Seal: i=1; a=rsa-sha256; t=%d; cv=none;\n        d=%s; "
                 "s=arc-2024;\n        b=%s" % (t, dom, b64_folded(rng, 190)))
    lines.append("ARC-Authentication-Results: i=1; mx.%s;\n       dkim=pass "
                 "header.i=@%s header.s=s1 header.b=abc;\n       spf=pass "
                 "smtp.mailfrom=%s" % (dom, dom, dom))
    lines.append("Authentication-Results: mx.%s;\n       dkim=pass header.d=%s;"
                 "\n       spf=pass (domain of %s designates %s as permitted "
                 "sender) smtp.mailfrom=%s;\n       dmarc=pass header.from=%s"
                 % (dom, dom, dom, ip(rng), dom, dom))
    lines.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;"
                 " s=s1;\n\tt=%d; h=from:to:subject:date:message-id;\n\t"
                 "bh=%s;\n\tb=%s" % (dom, t, base64.b64encode(
                     rng.randbytes(32)).decode(), b64_folded(rng, 256)))
    name = rng.choice(UTF8_NAMES)
    lines.append("From: %s <sender%d@%s>" % (name, n % 500, dom))
    lines.append("To: user%d@example.org" % (n % 50))
    if rng.random() < 0.15:
        subject = JP_SUBJECT
    elif rng.random() < 0.3:
        subject = "=?UTF-8?Q?" + "_".join(rng.choice(WORDS)
                                          for _ in range(4)) + "_=E2=9C=93?="
    else:
        subject = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9)))
    lines.append("Subject: %s" % subject)
    lines.append("Date: %s" % date(t - 2 * hops))
    lines.append("Message-ID: <%x.%d@%s>" % (rng.getrandbits(64), n, dom))
    lines.append("MIME-Version: 1.0")
    outer = "=_mix_%x" % rng.getrandbits(48)
    alt = "=_alt_%x" % rng.getrandbits(48)
    has_attach = rng.random() < 0.02 and not nested
    has_nested = rng.random() < 0.02 and not nested
    if not has_attach and not has_nested:
        lines.append('Content-Type: multipart/alternative; boundary="%s"' % alt)
        return "\n".join(lines) + "\n\n" + body_alternative(rng, alt)
    lines.append('Content-Type: multipart/mixed; boundary="%s"' % outer)
    parts = ['--%s\nContent-Type: multipart/alternative; boundary="%s"\n\n%s'
             % (outer, alt, body_alternative(rng, alt))]
    if has_attach:
        size = attachment_size(rng)
        fname = "%s_%d.%s" % (rng.choice(WORDS), n, rng.choice(
            ["pdf", "docx", "xlsx", "zip", "png", "jpg"]))
        parts.append("--%s\nContent-Type: application/octet-stream; name=\"%s\""
                     "\nContent-Disposition: attachment; filename=\"%s\"\n"
                     "Content-Transfer-Encoding: base64\n\n%s\n" %
                     (outer, fname, fname, base64.encodebytes(
                         rng.randbytes(size)).decode()))
    if has_nested:
        parts.append("--%s\nContent-Type: message/rfc822\n"
                     "Content-Disposition: attachment\n\n%s\n" %
                     (outer, message(rng, n + 1000000, t - 3600, nested=True)))
    return ("\n".join(lines) + "\n\nThis is a multi-part message in MIME "
            "format.\n\n" + "".join(parts) + "--%s--\n" % outer)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--size", type=float, default=350, help="MB of mbox")
    ap.add_argument("--seed", type=int, default=20261101)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    maildir = os.path.join(args.outdir, "maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    target = int(args.size * 1_000_000)
    written, n, t = 0, 0, 1793491200
    with open(os.path.join(args.outdir, "corpus.mbox"), "wb") as mbox:
        while written < target:
            msg = message(rng, n, t).encode()
            # mboxrd: quote body lines that look like separators.
            body = b"\n".join(b">" + l if l.lstrip(b">").startswith(b"From ")
                              else l for l in msg.split(b"\n"))
            sep = b"From bounce@example.com Tue Nov  3 09:02:18 2026\n"
            chunk = sep + body + b"\n"
            mbox.write(chunk)
            with open(os.path.join(maildir, "cur", "%d.%06d.bench:2,S" %
                                   (t, n)), "wb") as f:
                f.write(msg)
            written += len(chunk)
            n += 1
            t += rng.randrange(5, 600)
    print("%d messages, %d bytes" % (n, written))


if __name__ == "__main__":
    main()
