#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A tiny DNS server for the --online tests: UDP on 127.0.0.1, a free port.

It answers TXT queries for the names in a JSON map (name -> list of
character-strings, one TXT record) and NXDOMAIN for any other name. It
prints its port on the first line of stdout, writes how many queries it
has seen to COUNT_FILE after each one, and stops by itself after LIFETIME
seconds, so a test that dies never leaves it behind.

Usage: fake-dns.py MAP_JSON COUNT_FILE [LIFETIME]
"""
import json
import socket
import struct
import sys
import time

TYPE_TXT, CLASS_IN = 16, 1


def read_name(packet, pos):
    """The query name (no compression in a question) and the next offset."""
    labels = []
    while pos < len(packet) and len(labels) < 128:
        n = packet[pos]
        pos += 1
        if n == 0:
            return ".".join(labels), pos
        if n > 63 or pos + n > len(packet):
            break
        labels.append(packet[pos:pos + n].decode("ascii", "replace"))
        pos += n
    raise ValueError("bad name")


def answer(packet, records):
    qid, flags, qdcount = struct.unpack("!HHH", packet[:6])
    name, pos = read_name(packet, 12)
    qtype, qclass = struct.unpack("!HH", packet[pos:pos + 4])
    question = packet[12:pos + 4]
    strings = records.get(name.lower().rstrip("."))
    rd = flags & 0x0100
    if strings is None:
        # Response, recursion available, NXDOMAIN.
        return struct.pack("!HHHHHH", qid, 0x8083 | rd, 1, 0, 0, 0) + question
    ans = b""
    count = 0
    if qtype == TYPE_TXT and qclass == CLASS_IN:
        rdata = b"".join(bytes([len(s)]) + s.encode() for s in strings)
        ans = (b"\xc0\x0c" + struct.pack("!HHIH", TYPE_TXT, CLASS_IN, 60, len(rdata))
               + rdata)
        count = 1
    return struct.pack("!HHHHHH", qid, 0x8080 | rd, 1, count, 0, 0) + question + ans


def main():
    with open(sys.argv[1]) as f:
        records = {k.lower().rstrip("."): v for k, v in json.load(f).items()}
    count_file = sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    seen = 0
    with open(count_file, "w") as f:
        f.write("0")
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            packet, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        seen += 1
        with open(count_file, "w") as f:
            f.write(str(seen))
        try:
            sock.sendto(answer(packet, records), peer)
        except (ValueError, struct.error):
            pass


if __name__ == "__main__":
    main()
