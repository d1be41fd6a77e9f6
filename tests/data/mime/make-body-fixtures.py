#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Usage: make-body-fixtures.py tests/data/mime
# Writes tests/data/mime/body-*.eml, bytes exact, CRLF line ends.
import base64, binascii, quopri, sys, os

OUT = sys.argv[1]

def crlf(lines):
    return b''.join(l + b'\r\n' for l in lines)

def headers(subject, msgid, extra, date='Tue, 04 Mar 2025 09:15:02 +0900',
            frm=b'Tanaka Hiroshi <tanaka@example.co.jp>',
            to=b'Suzuki Yuki <suzuki@example.jp>'):
    h = [b'From: ' + frm, b'To: ' + to, b'Subject: ' + subject,
         b'Date: ' + date.encode(), b'Message-ID: <' + msgid + b'>',
         b'MIME-Version: 1.0']
    return h + extra

def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)

JP = '勉強会資料の送付について'
BODY_JP = [
    '鈴木様',
    '',
    'お世話になっております。田中です。',
    '来週の' + JP[:3] + 'で使う資料を送付します。',
    '①議事録　②予算案（株式会社サンプル ㈱）',
    '',
    'よろしくお願いいたします。',
]

# 1. ISO-2022-JP, 7bit, with NEC row 13 characters (① ②, ㈱).
def jis(s):
    # cp50221-like: Python's iso2022_jp_ext lacks NEC rows; build by EUC.
    out = b''
    mode = 'ascii'
    for ch in s:
        if ord(ch) < 0x80:
            if mode != 'ascii':
                out += b'\x1b(B'
                mode = 'ascii'
            out += ch.encode()
        else:
            e = ch.encode('euc_jis_2004') if ch not in '①②㈱' else {
                '①': b'\xad\xa1', '②': b'\xad\xa2', '㈱': b'\xad\xea'}[ch]
            assert len(e) == 2, ch
            if mode != 'jis':
                out += b'\x1b$B'
                mode = 'jis'
            out += bytes([e[0] & 0x7f, e[1] & 0x7f])
    if mode != 'ascii':
        out += b'\x1b(B'
    return out

subj = b'=?ISO-2022-JP?B?' + base64.b64encode(jis(JP)) + b'?='
msg = crlf(headers(subj, b'20250304091502.jis@example.co.jp', [
    b'Content-Type: text/plain; charset=ISO-2022-JP',
    b'Content-Transfer-Encoding: 7bit']) + [b''] +
    [jis(l) for l in BODY_JP])
write('body-iso2022jp.eml', msg)

# 2. Shift_JIS, base64, as Outlook sends it.
sj = crlf([l.encode('cp932') for l in BODY_JP])
b64 = base64.encodebytes(sj).replace(b'\n', b'\r\n')
subj = b'=?Shift_JIS?B?' + base64.b64encode(JP.encode('cp932')) + b'?='
msg = crlf(headers(subj, b'20250304091502.sjis@example.co.jp', [
    b'Content-Type: text/plain; charset="Shift_JIS"',
    b'Content-Transfer-Encoding: base64']) + [b'']) + b64
write('body-sjis.eml', msg)

# 3. Wrong labels: iso-8859-1 on UTF-8 (quoted-printable), us-ascii on
#    Shift_JIS (8bit) in the HTML alternative.
plain = 'Café crème – déjà vu.\r\nSee you at the café.\r\n'.encode()
qp = quopri.encodestring(plain.replace(b'\r\n', b'\n')).replace(b'\n', b'\r\n')
html = ('<html><body><p>' + JP + '</p><p>' + BODY_JP[2] +
        '</p></body></html>').encode('cp932')
msg = crlf(headers(b'Wrong charset labels', b'wrong.1741047302@example.com', [
    b'Content-Type: multipart/alternative; boundary="=_body_wrong_1"'],
    frm=b'Marketing <news@example.com>', to=b'reader@example.org') + [
    b'',
    b'This is a multi-part message in MIME format.',
    b'--=_body_wrong_1',
    b'Content-Type: text/plain; charset=iso-8859-1',
    b'Content-Transfer-Encoding: quoted-printable',
    b'']) + qp + crlf([
    b'--=_body_wrong_1',
    b'Content-Type: text/html; charset=us-ascii',
    b'Content-Transfer-Encoding: 8bit',
    b'',
    html,
    b'--=_body_wrong_1--'])
write('body-wrong-charset.eml', msg)

# 4. A uuencoded file inside a text/plain body (pre-MIME style).
payload = b'Invoice 2025-0042\nAmount due: 1,250.00 EUR\nPay to: DE00 0000 0000 0000 0000 00\n'
uu = b''.join(binascii.b2a_uu(payload[i:i + 45], backtick=True)
              for i in range(0, len(payload), 45))
uu_lines = uu.rstrip(b'\n').split(b'\n')
msg = crlf(headers(b'Invoice attached', b'uu.20250304@example.net', [
    b'Content-Type: text/plain; charset=us-ascii',
    b'Content-Transfer-Encoding: 7bit'],
    frm=b'Accounts <accounts@example.net>', to=b'billing@example.org') + [
    b'',
    b'Hello,',
    b'',
    b'please find the invoice below.',
    b'',
    b'begin 644 invoice.txt'] + uu_lines + [b'`', b'end', b'',
    b'Regards,', b'Accounts'])
write('body-uuencode.eml', msg)

# 5. 8-bit UTF-8 without a charset label.
msg = crlf(headers(b'No charset', b'nocharset.20250304@example.net', [
    b'Content-Type: text/plain',
    b'Content-Transfer-Encoding: 8bit'],
    frm=b'script@example.net', to=b'ops@example.org') + [
    b'', 'Überweisung bestätigt: 250 €'.encode(), b''])
write('body-no-charset.eml', msg)

# 6. HTML with a <meta> charset only, script, style, a hidden preheader.
html = ('<!DOCTYPE html>\n<html><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; '
        'charset=windows-1252">\n<title>Account notice</title>\n'
        '<style>p { font-family: Arial }</style>\n'
        '<script>var tracking = "hidden script";</script>\n</head>\n'
        '<body><div style="display:none">preheader only filters see</div>\n'
        '<p>\u201cYour account\u201d needs attention \u2013 '
        'please <a href="https://example.com/login">sign in</a>.</p>\n'
        '</body></html>\n').encode('cp1252')
qp = quopri.encodestring(html).replace(b'\n', b'\r\n')
msg = crlf(headers(b'Account notice', b'html.20250304@example.com', [
    b'Content-Type: multipart/alternative; boundary="b1"'],
    frm=b'Service <service@example.com>', to=b'user@example.org') + [
    b'', b'--b1',
    b'Content-Type: text/plain; charset=utf-8',
    b'Content-Transfer-Encoding: 8bit', b'',
    '“Your account” needs attention – please sign in.'.encode(),
    b'--b1',
    b'Content-Type: text/html',
    b'Content-Transfer-Encoding: quoted-printable', b'']) + qp + crlf([
    b'--b1--'])
write('body-html.eml', msg)
print('payload sha256', __import__('hashlib').sha256(payload).hexdigest(), len(payload))
