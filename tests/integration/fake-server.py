#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fake-server.py: a scripted POP3 or IMAP server on 127.0.0.1 for the
behaviours a real Dovecot never shows: a POP3 server with USER/PASS only
(no SASL), data glued to the login reply in the same packet, a literal cut
short by a dropped connection, a literal that announces 10^14 bytes, a line
that never ends, and a server that stops answering.

    fake-server.py MODE LOGFILE

It binds an ephemeral port, prints it on the first line of stdout, serves
one connection, writes every command it received to LOGFILE (one per line)
and exits. Plain TCP only: the client runs with --allow-plaintext.
Modes: pop3-userpass, imap-glued, imap-truncated, imap-huge-literal,
imap-endless-line, imap-stall.
"""
import socket
import sys
import time

MESSAGE = (b"From: Fake <fake@example.test>\r\n"
           b"To: alice@example.org\r\n"
           b"Subject: from the fake server\r\n"
           b"Message-ID: <fake-1@example.test>\r\n"
           b"\r\n"
           b".a line that starts with a dot\r\n"
           b"hello\r\n")
UID = 7
UIDVALIDITY = 42


class Conn:
    def __init__(self, sock, log):
        self.sock = sock
        self.buf = b""
        self.log = log

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode("latin-1")
        self.log.write(text + "\n")
        self.log.flush()
        return text

    def send(self, data):
        self.sock.sendall(data)


def pop3_userpass(c):
    # No SASL and no APOP timestamp: libcurl must fall back to USER/PASS.
    c.send(b"+OK fake POP3 ready\r\n")
    stuffed = MESSAGE.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    while True:
        cmd = c.line()
        word = cmd.split(" ")[0].upper()
        if word == "CAPA":
            c.send(b"+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n")
        elif word == "USER":
            c.send(b"+OK send PASS\r\n")
        elif word == "PASS":
            c.send(b"+OK logged in\r\n")
        elif word == "STAT":
            c.send(b"+OK 1 %d\r\n" % len(MESSAGE))
        elif word == "LIST":
            c.send(b"+OK 1 messages\r\n1 %d\r\n.\r\n" % len(MESSAGE))
        elif word == "UIDL":
            c.send(b"+OK\r\n1 fake-uidl-1\r\n.\r\n")
        elif word in ("TOP", "RETR"):
            c.send(b"+OK %d octets\r\n" % len(MESSAGE) + stuffed + b".\r\n")
        elif word == "QUIT":
            c.send(b"+OK bye\r\n")
            return
        else:
            c.send(b"-ERR unknown command\r\n")


def imap(c, mode):
    c.send(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake IMAP ready\r\n")
    while True:
        cmd = c.line()
        parts = cmd.split(" ", 2)
        tag = parts[0].encode()
        verb = parts[1].upper() if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if verb == "CAPABILITY":
            c.send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag +
                   b" OK done\r\n")
        elif verb == "AUTHENTICATE":
            if " " not in rest:
                c.send(b"+ \r\n")
                c.line()
            reply = tag + b" OK logged in\r\n"
            if mode == "imap-glued":
                # Untagged data in the same packet as the login reply:
                # libcurl keeps it, the client must not depend on it.
                reply += (b"* CAPABILITY IMAP4rev1 GLUED\r\n"
                          b"* 99 EXISTS\r\n"
                          b"* OK [ALERT] glued to the login reply\r\n")
            c.send(reply)
        elif verb == "EXAMINE":
            c.send(b"* FLAGS (\\Seen)\r\n* 1 EXISTS\r\n"
                   b"* OK [UIDVALIDITY %d] ok\r\n" % UIDVALIDITY + tag +
                   b" OK [READ-ONLY] done\r\n")
        elif verb == "UID" and "BODY.PEEK[]" in rest:
            head = (b"* 1 FETCH (UID %d FLAGS () INTERNALDATE "
                    b"\"01-Jan-2024 10:00:00 +0000\" RFC822.SIZE %d BODY[] "
                    % (UID, len(MESSAGE)))
            if mode == "imap-truncated":
                c.send(head + b"{%d}\r\n" % len(MESSAGE) + MESSAGE[:40])
                time.sleep(0.2)
                return  # drop the connection inside the literal
            if mode == "imap-huge-literal":
                c.send(head + b"{99999999999999}\r\n" + MESSAGE)
                time.sleep(0.5)
                return
            if mode == "imap-endless-line":
                c.send(head)
                chunk = b"A" * 65536
                try:
                    for _ in range(17 * 16):  # 17 MiB without a line end
                        c.send(chunk)
                except OSError:
                    pass
                return
            if mode == "imap-stall":
                c.send(head + b"{%d}\r\n" % len(MESSAGE) + MESSAGE[:10])
                time.sleep(5)
                return
            c.send(head + b"{%d}\r\n" % len(MESSAGE) + MESSAGE + b")\r\n" +
                   tag + b" OK done\r\n")
        elif verb == "UID" and rest.upper().startswith("FETCH"):
            c.send(b"* 1 FETCH (UID %d FLAGS () RFC822.SIZE %d)\r\n"
                   % (UID, len(MESSAGE)) + tag + b" OK done\r\n")
        elif verb == "LOGOUT":
            c.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            return
        else:
            c.send(tag + b" BAD unknown\r\n")


def main():
    mode, logfile = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(30)
    print(srv.getsockname()[1], flush=True)
    sock, _ = srv.accept()
    sock.settimeout(30)
    with open(logfile, "w") as log:
        c = Conn(sock, log)
        try:
            if mode == "pop3-userpass":
                pop3_userpass(c)
            else:
                imap(c, mode)
        except (EOFError, OSError):
            pass
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
    srv.close()


if __name__ == "__main__":
    main()
