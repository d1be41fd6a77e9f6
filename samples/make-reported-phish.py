#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes reported-phish.eml: a user forwards a DocuSign lure to the SOC as
an attachment. Deterministic (fixed zip timestamps). The "executable" in
the zip is a 329-byte MZ/PE header stub that does nothing."""
import base64, hashlib, io, os, zipfile
# Inner zip: a fake invoice executable (a minimal MZ/PE stub, not functional).
mz = bytearray(b'MZ' + b'\x90\x00' + b'\x00' * 56)
mz[0x3c:0x40] = (64).to_bytes(4, 'little')
mz += b'PE\x00\x00' + b'\x4c\x01' + b'\x00' * 18
mz += b'This program cannot be run in DOS mode.\r\n' + b'\x00' * 200
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    zi = zipfile.ZipInfo('Invoice_88213.pdf.exe', date_time=(2026, 11, 4, 8, 12, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(zi, bytes(mz))
zdata = buf.getvalue()
b64 = base64.encodebytes(zdata).decode()
html = '''<html><body>
<p>Dear customer,</p>
<p>Your invoice INV-88213 is ready. Please review and sign the document before 5 November.</p>
<p><a href="https://eur02.safelinks.protection.outlook.com/?url=http%3A%2F%2F81.2.69.142%2Fdocusign%2Flogin.php%3Fid%3D88213&amp;data=05%7C02%7Cdana.reyes%40example.org%7C3f1c%7C0&amp;sdata=Zm9v&amp;reserved=0">https://www.docusign.net/review/INV-88213</a></p>
<p>The invoice is also attached.</p>
<img src="http://81.2.69.142/t/open.gif?u=dana.reyes" width="1" height="1" alt="">
</body></html>
'''
qp_html = html  # 7bit-safe
inner = f'''Received: from VI1EUR02FT012.eop-EUR02.prod.protection.outlook.com
 (2603:10a6:803:1::12) by DB8PR04MB6955.eurprd04.prod.outlook.com
 (2603:10a6:10:11d::9) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8158.14; Wed, 4 Nov
 2026 08:12:44 +0000
Authentication-Results: spf=softfail (sender IP is 89.160.20.112)
 smtp.mailfrom=docusign-notice.example; dkim=none (message not signed)
 header.d=none;dmarc=fail action=none header.from=docusign.net;compauth=fail
 reason=000
Received: from smtp3.nordvik-hosting.example (89.160.20.112) by
 VI1EUR02FT012.mail.protection.outlook.com (10.152.12.99) with Microsoft SMTP
 Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id
 15.20.8158.14 via Frontend Transport; Wed, 4 Nov 2026 08:12:43 +0000
Received: from [175.16.199.10] (port=40112 helo=WIN-7QK1N0PL3RA)
 by smtp3.nordvik-hosting.example with esmtpa (Exim 4.94.2)
 (envelope-from <billing@docusign-notice.example>)
 id 1xOW6r-0003Zt-2b
 for dana.reyes@example.org;
 Wed, 04 Nov 2026 09:12:41 +0100
From: "DocuSign" <dse@docusign.net>
Reply-To: <billing-docusign@gmail.com>
To: <dana.reyes@example.org>
Subject: Please DocuSign: INV-88213 Payment Confirmation
Date: Wed, 4 Nov 2026 09:12:38 +0100
Message-ID: <20261104081238.7731.qlw@WIN-7QK1N0PL3RA>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_inner_7731"

--=_inner_7731
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 7bit

{html}
--=_inner_7731
Content-Type: application/zip; name="Invoice_88213.zip"
Content-Disposition: attachment; filename="Invoice_88213.zip"
Content-Transfer-Encoding: base64

{b64}
--=_inner_7731--
'''
outer = f'''Return-Path: <dana.reyes@example.org>
Received: from mbox.example.org (mbox.example.org [10.20.0.12])
 by soc-intake.example.org (Postfix) with ESMTPS id 4QzT1c0M9Gz9vW
 for <phishing-report@example.org>; Wed, 4 Nov 2026 08:31:07 +0000 (UTC)
Received: from [10.1.30.88] (dana-laptop.corp.example.org [10.1.30.88])
 (Authenticated sender: dana.reyes)
 by mbox.example.org (Postfix) with ESMTPSA id 4QzT1b6hNqz9vV
 for <phishing-report@example.org>; Wed, 4 Nov 2026 08:31:06 +0000 (UTC)
From: Dana Reyes <dana.reyes@example.org>
To: SOC Phishing Reports <phishing-report@example.org>
Subject: FW: Please DocuSign: INV-88213 Payment Confirmation
Date: Wed, 4 Nov 2026 09:31:04 +0100
Message-ID: <5e1f0c2a-77d1-4c1b-9d0e-2b8f3e6a1c44@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_outer_4c1b"

--=_outer_4c1b
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Hi SOC team,

this arrived this morning and looks wrong to me (I have no DocuSign
invoice pending). Forwarded as an attachment, I did not open the zip.

Dana

--=_outer_4c1b
Content-Type: message/rfc822; name="Please DocuSign INV-88213.eml"
Content-Disposition: attachment; filename="Please DocuSign INV-88213.eml"

{inner}
--=_outer_4c1b--
'''
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reported-phish.eml'), 'w', newline='\n').write(outer)
print(hashlib.sha256(zdata).hexdigest(), len(zdata), hashlib.sha256(bytes(mz)).hexdigest())
