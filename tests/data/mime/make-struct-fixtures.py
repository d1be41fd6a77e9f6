#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the struct-*.eml fixtures of tests/unit/test-mime.c.

Each fixture is a small, hand-built message that shows one structural
feature of MIME (a nested tree, a forwarded message, RFC 2231 names, a
delivery status notification, message/partial) or one trick the analyzer
must notice. The output is committed; run this script from this directory
to regenerate it after a change. Only the standard library is used and the
output is byte-for-byte reproducible.
"""
import base64

HEAD = (
    "Received: from mail.sender.example (mail.sender.example [192.0.2.10])\n"
    "\tby mx.receiver.example (Postfix) with ESMTPS id 4AbCd;\n"
    "\tMon, 2 Mar 2026 10:00:02 +0000\n"
    "From: Alice Example <alice@sender.example>\n"
    "To: Bob Example <bob@receiver.example>\n"
    "Subject: {subject}\n"
    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
    "Message-ID: <{mid}@sender.example>\n"
    "MIME-Version: 1.0\n"
)

PDF = b"%PDF-1.4\n% mailtrail test attachment\n1 0 obj << >> endobj\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000"
                    "001f15c4890000000d4944415478da63f8cf00000301010018dd8db0"
                    "0000000049454e44ae426082")
ZIP = bytes.fromhex("504b0506000000000000000000000000000000000000")


def b64(data, width=76):
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def head(subject, mid, content_type):
    return (HEAD.format(subject=subject, mid=mid) +
            "Content-Type: " + content_type + "\n")


def write(name, text):
    data = text.encode("latin-1") if isinstance(text, str) else text
    with open(name, "wb") as f:
        f.write(data)


def nested():
    return (head("Nested tree", "nested", 'multipart/mixed; boundary="mix-1"') +
            "\n"
            "This is a multi-part message in MIME format.\n"
            "--mix-1\n"
            'Content-Type: multipart/alternative; boundary="alt-2"\n'
            "\n"
            "--alt-2\n"
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n"
            "\n"
            "Caf=C3=A9 menu attached. See https://menu.example/today\n"
            "--alt-2\n"
            'Content-Type: multipart/related; boundary="rel-3"\n'
            "\n"
            "--rel-3\n"
            "Content-Type: text/html; charset=utf-8\n"
            "\n"
            '<p>Caf\u00e9 <img src="cid:logo@x"></p>\n'
            "--rel-3\n"
            "Content-Type: image/png\n"
            "Content-Transfer-Encoding: base64\n"
            "Content-ID: <logo@x>\n"
            "Content-Disposition: inline\n"
            "\n" + b64(PNG) + "\n"
            "--rel-3--\n"
            "--alt-2--\n"
            "--mix-1\n"
            'Content-Type: application/pdf; name="menu.pdf"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment; filename="menu.pdf"\n'
            "Content-Description: Today's menu\n"
            "\n" + b64(PDF) + "\n"
            "--mix-1--\n").replace("\u00e9", "\xc3\xa9")


INNER = (
    "Received: from mx.bank-secure.example (mx.bank-secure.example [203.0.113.5])\n"
    "\tby relay.isp.example (Postfix) with ESMTP id 11AA;\n"
    "\tSun, 1 Mar 2026 08:00:05 +0000\n"
    "Received: from [198.51.100.7] (unknown [198.51.100.7])\n"
    "\tby mx.bank-secure.example (Postfix) with ESMTPSA id 22BB;\n"
    "\tSun, 1 Mar 2026 08:00:02 +0000\n"
    "From: Bank Security <security@bank-secure.example>\n"
    "To: alice@sender.example\n"
    "Subject: Verify your account\n"
    "Date: Sun, 1 Mar 2026 08:00:00 +0000\n"
    "Message-ID: <inner-1@bank-secure.example>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="inner-b"\n'
    "\n"
    "--inner-b\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Open the attached form.\n"
    "--inner-b\n"
    'Content-Type: application/zip; name="form.zip"\n'
    "Content-Transfer-Encoding: base64\n"
    'Content-Disposition: attachment; filename="form.zip"\n'
    "\n" + b64(ZIP) + "\n"
    "--inner-b--\n"
)

SIMPLE_INNER = (
    "From: Carol <carol@third.example>\n"
    "Subject: Encoded forward\n"
    "Date: Sun, 1 Mar 2026 09:00:00 +0000\n"
    "Message-ID: <inner-2@third.example>\n"
    "\n"
    "Hello from inside base64.\n"
)


def forward():
    return (head("Fwd: Verify your account", "forward",
                 'multipart/mixed; boundary="fwd-outer"') +
            "\n"
            "--fwd-outer\n"
            "Content-Type: text/plain\n"
            "\n"
            "Is this real?\n"
            "--fwd-outer\n"
            "Content-Type: message/rfc822\n"
            'Content-Disposition: attachment; filename="phish.eml"\n'
            "\n" + INNER +
            "\n"
            "--fwd-outer\n"
            "Content-Type: message/rfc822\n"
            "Content-Transfer-Encoding: base64\n"
            "\n" + b64(SIMPLE_INNER.encode()) + "\n"
            "--fwd-outer--\n")


TRICKS_INNER = (
    "Received: from mail.shop.example (mail.shop.example [203.0.113.9])\n"
    "\tby mx.sender.example (Postfix) with ESMTPS id 33CC;\n"
    "\tSun, 1 Mar 2026 07:00:02 +0000\n"
    "From: Shop <orders@shop.example>\n"
    "To: alice@sender.example\n"
    "Subject: Your invoice\n"
    "Date: Sun, 1 Mar 2026 07:00:00 +0000\n"
    "Message-ID: <inv-7@shop.example>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="tr-in"\n'
    "\n"
    "--tr-in\n"
    "Content-Type: text/plain\n"
    "\n"
    "Invoice attached.\n"
    "--tr-in\n"
    'Content-Type: application/pdf; name="invoice.pdf"\n'
    'Content-Type: application/x-msdownload; name="invoice.pdf"\n'
    "Content-Transfer-Encoding: base64\n"
    'Content-Disposition: attachment; filename="invoice.pdf.exe"\n'
    "\n" + b64(PDF) + "\n"
    "--tr-in--\n"
)


def forward_tricks():
    return (head("Fwd: Your invoice", "fwd-tricks",
                 'multipart/mixed; boundary="tr-out"') +
            "\n--tr-out\nContent-Type: text/plain\n\nLooks odd.\n"
            "--tr-out\nContent-Type: message/rfc822\n\n" + TRICKS_INNER +
            "\n--tr-out--\n")


def rfc2231():
    return (head("File names", "rfc2231",
                 'multipart/mixed; boundary="n-b"') +
            "\n"
            "--n-b\n"
            "Content-Type: text/plain\n"
            "\n"
            "names\n"
            "--n-b\n"
            "Content-Type: application/octet-stream\n"
            "Content-Disposition: attachment;\n"
            " filename*0*=utf-8''%E6%97%A5%E6%9C%AC;\n"
            " filename*1*=%E8%AA%9E-;\n"
            ' filename*2="report.txt"\n'
            "\n"
            "one\n"
            "--n-b\n"
            'Content-Type: application/octet-stream; name="=?iso-8859-1?Q?r=E9sum=E9?=.doc"\n'
            "\n"
            "two\n"
            "--n-b\n"
            "Content-Type: application/octet-stream;\n"
            " name*=iso-8859-1'fr'%E9t%E9.txt\n"
            "\n"
            "three\n"
            "--n-b--\n")


def dsn():
    return (
        "Received: from mx.receiver.example (mx.receiver.example [192.0.2.20])\n"
        "\tby mx.sender.example (Postfix); Mon, 2 Mar 2026 10:05:00 +0000\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.sender.example>\n"
        "To: alice@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Mon, 2 Mar 2026 10:05:00 +0000\n"
        "Message-ID: <dsn-1@mx.sender.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        '\tboundary="dsn-b"\n'
        "\n"
        "--dsn-b\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n"
        "--dsn-b\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.sender.example\n"
        "Arrival-Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
        "\n"
        "Final-Recipient: rfc822; nobody@receiver.example\n"
        "Original-Recipient: rfc822;nobody@receiver.example\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; mx.receiver.example\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@receiver.example>:\n"
        "    Recipient address rejected: User unknown\n"
        "\n"
        "Final-Recipient: rfc822; second@receiver.example\n"
        "Action: delayed\n"
        "Status: 4.4.1\n"
        "\n"
        "--dsn-b\n"
        "Content-Type: text/rfc822-headers\n"
        "\n"
        "From: alice@sender.example\n"
        "To: nobody@receiver.example\n"
        "Subject: Quarterly numbers\n"
        "Message-ID: <orig-1@sender.example>\n"
        "\n"
        "--dsn-b--\n")


def partial():
    return (head("Partial", "partial",
                 'message/partial; id="frag-42@sender.example"; number=2; '
                 'total=3') +
            "\n"
            "part two of three\n")


def leaf(subject, mid, ctype, cte, body, extra=""):
    return (head(subject, mid, 'multipart/mixed; boundary="lb"') +
            "\n--lb\nContent-Type: text/plain\n\nfirst\n--lb\n" +
            "Content-Type: " + ctype + "\n" +
            ("Content-Transfer-Encoding: " + cte + "\n" if cte else "") +
            extra + "\n" + body + "\n--lb--\n")


def main():
    write("struct-nested.eml", nested())
    write("struct-forward.eml", forward())
    write("struct-forward-tricks.eml", forward_tricks())
    write("struct-rfc2231.eml", rfc2231())
    write("struct-dsn.eml", dsn())
    write("struct-partial.eml", partial())
    good = b64(PDF)
    write("struct-base64-junk.eml",
          leaf("Junk", "junk", "application/pdf", "base64",
               good[:20] + "!!**" + good[20:] + "\n" + "QUJD",
               'Content-Disposition: attachment; filename="a.pdf"\n'))
    write("struct-base64-padding.eml",
          leaf("After padding", "pad", "application/octet-stream",
               "base64", "QUI=\nQ0Q=\n",
               'Content-Disposition: attachment; filename="x.bin"\n'))
    write("struct-qp-invalid.eml",
          leaf("QP", "qp", "text/html", "quoted-printable",
               "<p>price =3D 5 =ZZ and 100% =\nsoft</p>"))
    write("struct-text-base64.eml",
          leaf("B64 text", "b64t", "text/plain", "base64",
               b64(b"Click here to verify your password now.\n")))
    write("struct-boundary-prefix.eml",
          head("Prefix", "prefix", 'multipart/mixed; boundary="abc"') +
          "\n--abc\n"
          'Content-Type: multipart/alternative; boundary="abcdef"\n'
          "\n--abcdef\nContent-Type: text/plain\n\ninner\n--abcdef--\n"
          "--abc--\n")
    write("struct-boundary-empty.eml",
          head("Empty boundary", "bempty", 'multipart/mixed; boundary=""') +
          "\n--\nContent-Type: text/plain\n\nx\n----\n")
    write("struct-boundary-line.eml",
          leaf("Boundary line", "bline", "text/plain", None,
               "text\n--lbX not a delimiter for GMime\nmore"))
    write("struct-no-boundary.eml",
          head("No boundary", "nob", "multipart/mixed") +
          "\n--zz\nContent-Type: text/plain\n\nabc\n--zz--\n")
    write("struct-unclosed.eml",
          head("Unclosed", "unclosed", 'multipart/mixed; boundary="uc"') +
          "\n--uc\nContent-Type: text/plain\n\nabc\n--uc\n"
          "Content-Type: text/html\n\n<p>tail</p>\n")
    write("struct-filename-conflict.eml",
          leaf("Names", "names", 'application/pdf; name="invoice.pdf"',
               "base64", b64(PDF),
               'Content-Disposition: attachment; filename="invoice.exe"\n'))
    write("struct-disposition.eml",
          head("Disposition", "disp", 'multipart/mixed; boundary="d1"') +
          "\n--d1\n"
          'Content-Type: multipart/alternative; boundary="d2"\n'
          "Content-Disposition: attachment\n"
          "\n--d2\nContent-Type: text/plain\n\nx\n--d2--\n--d1--\n")
    write("struct-dup-param.eml",
          leaf("Dup", "dup", "text/plain; charset=utf-8; charset=koi8-r",
               None, "hello"))
    write("struct-8bit-header.eml",
          head("Caf\xe9 ol\xe9", "8bit", "text/plain") + "\nbody\n")
    write("struct-hidden.eml",
          head("Hidden", "hidden", 'multipart/alternative; boundary="h"') +
          "\nCheap meds cheap meds cheap meds casino casino loan\n"
          "--h\nContent-Type: text/plain\n\nhello\n--h--\n"
          "appended after the end\n")
    write("struct-header-conflict.eml",
          leaf("Two types", "twotypes", "text/plain", None, "hello",
               "Content-Type: application/x-msdownload\n"))
    write("struct-multipart-base64.eml",
          head("Encoded multipart", "mpb64", 'multipart/mixed; boundary="e"') +
          "Content-Transfer-Encoding: base64\n"
          "\n--e\nContent-Type: text/plain\n\nhi\n--e--\n")


if __name__ == "__main__":
    main()
