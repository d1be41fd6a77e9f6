#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Browser suite: the HTML reports opened in a real browser.

Each sample's report, a page with every sample, the --html-dir index and a
hostile message are loaded into headless Chromium. From the DOM Chromium
builds (--dump-dom) the test checks that the key sections and values are
there, and, for the hostile message, that no script element, no on*
attribute, no javascript: link and no src attribute made it into the page,
that the markers the payload tries to set never appear, and that no
request left the page: every URL in the payload points at a loopback
listener, which must see nothing. Each page also gets a PNG screenshot,
kept in the build directory (MT_BROWSER_ARTIFACTS) for people to look at.

Exit 77 (skipped) when Chromium is not installed.

Usage: test-browser.py MAILTRAIL SOURCE_ROOT
"""
import email
import email.policy
import hashlib
import html.parser
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

MT, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
SAMPLES = os.path.join(ROOT, "samples")
JAPANESE_SUBJECT = "勉強会資料の送付について（11月14日開催分）"
MARKER = "PWNED7731"
tap = Tap()

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    print("1..0 # SKIP chromium is not installed (scripts/setup-deps)")
    sys.exit(77)

ARTIFACTS = os.environ.get("MT_BROWSER_ARTIFACTS") or tempfile.mkdtemp()
os.makedirs(ARTIFACTS, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="mt-browser-")
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1794096000")


# A loopback listener standing for "the outside": every URL in the hostile
# payload points here, so any request the page makes is counted.
class Recorder(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"x")

    do_POST = do_GET

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
PORT = server.server_address[1]
threading.Thread(target=server.serve_forever, daemon=True).start()
OUT = f"http://127.0.0.1:{PORT}"


def mailtrail(*args):
    return subprocess.run([MT, *args], capture_output=True, env=ENV,
                          timeout=60)


def chromium(page, png, width=1280, height=2400, dark=False):
    """Loads page, returns the DOM Chromium built; writes a screenshot."""
    profile = tempfile.mkdtemp(prefix="mt-chromium-", dir=WORK)
    r = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions",
         "--user-data-dir=" + profile, "--hide-scrollbars",
         f"--window-size={width},{height}", "--dump-dom",
         *(["--force-dark-mode"] if dark else []),
         "--screenshot=" + png, "file://" + page],
        capture_output=True, timeout=60)
    return r.stdout.decode("utf-8", "replace")


class Dom(html.parser.HTMLParser):
    """What the checks need from a DOM dump."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []      # (tag, attrs dict)
        self.text = []
        self.title = ""
        self._in_title = False
        self._seen_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        # The first title is the document's; SVG has titles of its own.
        self._in_title = tag == "title" and not self._seen_title
        self._seen_title = self._seen_title or tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data

    def all_text(self):
        return "".join(self.text)

    def find(self, tag):
        return [a for t, a in self.tags if t == tag]


def png_ok(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10000


def csp_ok(dom):
    for a in dom.find("meta"):
        if (a.get("http-equiv", "").lower() == "content-security-policy"
                and "default-src 'none'" in a.get("content", "")
                and "script-src" not in a.get("content", "")):
            return True
    return False


def safe_structure(dom, where):
    """The checks every page must pass, hostile or not."""
    scripts = dom.find("script")
    tap.ok(not scripts, f"{where}: no script element", scripts)
    handlers = [(t, k) for t, a in dom.tags for k in a if k.startswith("on")]
    tap.ok(not handlers, f"{where}: no on* attribute", handlers[:5])
    srcs = [(t, a["src"]) for t, a in dom.tags if "src" in a]
    tap.ok(not srcs, f"{where}: no src attribute (nothing is loaded)", srcs)
    bad = [a.get("href") for t, a in dom.tags if "href" in a
           and (":" in a["href"] or a["href"].startswith("//"))]
    tap.ok(not bad, f"{where}: every href is local (no scheme, no host)", bad)
    styles = [(t, a["style"]) for t, a in dom.tags if "style" in a]
    tap.ok(not styles, f"{where}: no style attribute", styles)
    tap.ok(csp_ok(dom), f"{where}: Content-Security-Policy meta forbids "
           "script and remote loads")


def report(name, *inputs):
    path = os.path.join(WORK, name + ".html")
    r = mailtrail("analyze", "--format", "html", "-o", path, *inputs)
    tap.ok(r.returncode == 0 and os.path.getsize(path) > 1000,
           f"{name}: HTML report written", r.stderr.decode()[:400])
    return path


def view(name, page):
    png = os.path.join(ARTIFACTS, name + ".png")
    dom = Dom(chromium(page, png))
    tap.ok(png_ok(png), f"{name}: screenshot is a non-empty PNG", png)
    safe_structure(dom, name)
    return dom


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def attachment_hashes(path):
    """(file name, md5, sha256) of each attachment's decoded bytes, worked
    out here with Python's own MIME parser, not taken from the report."""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    out = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True) or b""
        out.append((part.get_filename(), hashlib.md5(data).hexdigest(),
                    hashlib.sha256(data).hexdigest()))
    return out


def classes(attrs):
    return attrs.get("class", "").split()


# The samples, one page each.
expect = {
    "plain": ["4 hops.", "mx1.example.org", "216.160.83.56"],
    "japanese": [JAPANESE_SUBJECT, "3 hops.", "210.130.20.5"],
    "attachment": ["6 hops.", "2001:218:1::1"],
    "phishing": ["4 hops.", "support.paypal.secure@gmail.com",
                 "175.16.199.10", "\u22124 min 58 s",
                 "Your account access has been limited"],
}
for name, needles in expect.items():
    eml = os.path.join(SAMPLES, name + ".eml")
    dom = view(name, report(name, eml))
    text = dom.all_text()
    for needle in needles + [sha256(eml), "Relay path", "Findings",
                             "Raw headers", "Evidence"]:
        tap.ok(needle in text, f"{name}: page shows {needle[:50]!r}")
    tap.ok(len(dom.find("svg")) == 1 and len(dom.find("rect")) >= 2,
           f"{name}: relay diagram drawn")
    if name == "phishing":
        sev = [a for a in dom.find("span")
               if a.get("class", "").startswith("sev ")]
        tap.ok(len(sev) >= 1, "phishing: findings listed with severity",
               len(sev))
    if name == "japanese":
        tap.ok(JAPANESE_SUBJECT in dom.title, "japanese: tab title decoded",
               dom.title)
    # The content sections: the MIME tree, and for the attachment its
    # hashes, equal to the ones computed here from the .eml.
    tap.ok("MIME structure" in text and any(
        a.get("id") == "m1-mime" and "mime" in classes(a)
        for a in dom.find("ul")), f"{name}: MIME tree section shown")
    if name == "attachment":
        files = attachment_hashes(eml)
        tap.ok(len(files) == 1, "attachment: the sample has one attachment",
               files)
        for filename, md5, digest in files:
            tap.ok(digest in text, f"attachment: SHA-256 of {filename} "
                   "in the DOM", digest)
            tap.ok(md5 in text, f"attachment: MD5 of {filename} in the DOM",
                   md5)
            tap.ok(filename in text, f"attachment: {filename} named")
        tap.ok(sum(1 for a in dom.find("code") if "hash" in classes(a))
               >= 3 * len(files), "attachment: hashes in selectable "
               "<code class=hash> elements")

# Every sample on one page, with its contents list.
allp = report("all", *[os.path.join(SAMPLES, n + ".eml") for n in expect])
dom = view("all", allp)
tap.ok(len([a for a in dom.find("section") if a.get("id", "").startswith("m")])
       == len(expect), "all: one section per message")
tap.ok(len(dom.find("nav")) == 1 and all(
    ("href", "#m%d" % i) in [(k, v) for a in dom.find("a") for k, v in
                             a.items()] for i in range(1, len(expect) + 1)),
    "all: contents list links to each message")

# --html-dir: index pages and one page per message.
outdir = os.path.join(WORK, "dir")
r = mailtrail("analyze", "--html-dir", outdir,
              *[os.path.join(SAMPLES, n + ".eml") for n in expect],
              os.path.join(SAMPLES, "mailbox.mbox"))
files = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
tap.ok(r.returncode == 0 and "index.html" in files, "--html-dir writes "
       "index.html", r.stderr.decode()[:400])
pages = [f for f in files if not f.startswith("index")]
tap.ok(len(pages) >= 5 and all(f.endswith(".html") for f in pages),
       "--html-dir writes one page per message", files)
for sort in ("index", "index-date", "index-from", "index-subject",
             "index-severity", "index-score"):
    tap.ok(sort + ".html" in files, f"--html-dir writes {sort}.html")
dom = view("index", os.path.join(outdir, "index.html"))
links = [a["href"] for a in dom.find("a") if "href" in a]
tap.ok(set(pages) <= set(links), "index links to every page",
       sorted(set(pages) - set(links)))
tap.ok(all(s + ".html" in links for s in ("index-date", "index-from",
                                            "index-subject")),
       "index column titles link to the sorted copies")
text = dom.all_text()
tap.ok(JAPANESE_SUBJECT in text and "PayPal Service" in text,
       "index rows show subjects and senders")
dom_date = Dom(chromium(os.path.join(outdir, "index-date.html"),
                        os.path.join(ARTIFACTS, "index-date.png")))
dates = [d for d in dom_date.all_text().split() if d.startswith("2026-")
         and d.endswith("Z")]
tap.ok(len(dates) >= 5 and dates == sorted(dates),
       "index-date.html is sorted by date", dates)

# The hostile message. NUL bytes, terminal escapes and a 1 MB header are
# written as bytes, so this fixture lives here rather than in a file.
JS = f"document.title='{MARKER}';document.documentElement.setAttribute('data-{MARKER.lower()}','1')"
payload_url = f"{OUT}/beacon"
headers = [
    b"Received: from <script>" + JS.encode() + b"</script> ([10.0.0.1])\n"
    b"\tby mx.example.org with ESMTP id <img src=" + payload_url.encode() +
    b"/r onerror=" + JS.encode() + b">;\n\tTue, 3 Nov 2026 10:00:00 +0000",
    b"Received: from x (\"><svg onload=" + JS.encode() + b">) by y with SMTP;"
    b" Tue, 3 Nov 2026 09:59:59 +0000",
    b"From: \"\"><img src=x onerror=" + JS.encode() + b"> \xe2\x80\xaeexe.pdf\""
    b" <evil@example.com>",
    b"To: <javascript:alert(1)>, \"</style><script>" + JS.encode() +
    b"</script>\" <a@example.org>",
    b"Reply-To: =?UTF-8?B?" + __import__("base64").b64encode(
        ("<script>" + JS + "</script>").encode()) + b"?= <r@example.net>",
    b"Subject: <script>" + JS.encode() + b"</script></title></style>"
    b"<style>*{background:url(" + payload_url.encode() + b"/css)}</style>"
    b"\x1b[31mRED\x1b[0m \xe2\x80\xaegpj.exe",
    b"Date: Tue, 3 Nov 2026 09:59:00 +0000",
    b"Message-ID: <\"><a href=\"javascript:" + JS.encode() + b"\">x</a>@evil>",
    b"X-Link: javascript:" + JS.encode() + b" " + payload_url.encode() + b"/x",
    b"X-Css: </style><link rel=stylesheet href=" + payload_url.encode() +
    b"/link><base href=" + payload_url.encode() + b"/>",
    b"X-Nul: before\x00after \x01\x02\x7f",
    b"X-Svg: <svg><script>" + JS.encode() + b"</script><image href=" +
    payload_url.encode() + b"/svg /></svg>",
    b"X-Iframe: <iframe src=" + payload_url.encode() + b"/iframe></iframe>"
    b"<meta http-equiv=refresh content=\"0;url=" + payload_url.encode() +
    b"/refresh\">",
    b"X-Huge: " + (b"<b>A</b>" * (1024 * 1024 // 8)),
    b"MIME-Version: 1.0",
    b"Content-Type: text/html; charset=utf-8; name=\"<script>.html\"",
    b"Content-Disposition: attachment; filename=\"\xe2\x80\xaefdp.exe"
    b"<img src=x onerror=" + JS.encode() + b">\"",
]
body = (f"<html><body onload=\"{JS}\"><script>{JS}</script>"
        f"<img src=\"{payload_url}/body\"><a href=\"javascript:{JS}\">"
        "click</a></body></html>\n").encode()
hostile = os.path.join(WORK, "hostile.eml")
with open(hostile, "wb") as f:
    f.write(b"\n".join(headers) + b"\n\n" + body)

page = report("hostile", hostile)
with open(page, "rb") as f:
    raw_page = f.read()
tap.ok(b"<script" not in raw_page.lower(), "hostile: no <script in the file")
tap.ok(b"\x00" not in raw_page and b"\x1b" not in raw_page,
       "hostile: no NUL or ESC byte in the file")
dom = view("hostile", page)
tap.ok(not any(a.get("href", "").lower().startswith(("javascript", "http"))
               for a in dom.find("a")),
       "hostile: no link to the body's javascript: or http URLs")
tap.ok(dom.title.strip() != MARKER and dom.title.startswith("<script>"),
       "hostile: payload did not set the title", dom.title)
tap.ok(not any(k.startswith("data-" + MARKER.lower())
               for _, a in dom.tags for k in a),
       "hostile: payload did not set its marker attribute")
tags = {t for t, _ in dom.tags}
for bad in ("img", "iframe", "link", "base", "image", "object", "embed",
            "a href=javascript"):
    if " " not in bad:
        tap.ok(bad not in tags, f"hostile: no <{bad}> element")
tap.ok(sum(1 for a in dom.find("meta") if "http-equiv" in a) == 1,
       "hostile: the only http-equiv meta is the CSP")
tap.ok(len(dom.find("style")) == 1, "hostile: one style element, ours")
text = dom.all_text()
tap.ok("<script>" in text and "onerror=" in text,
       "hostile: the payload is shown as text")
tap.ok("<U+202E>" in text and "\\x1B[31m" in text and "\\x01" in text,
       "hostile: RTLO and control characters shown escaped")
tap.ok("javascript:" in text, "hostile: javascript: URL shown as text")
tap.ok(text.count("A</b>") > 100000, "hostile: 1 MB header shown in full "
       "in the raw headers")
tap.ok(not Recorder.hits, "hostile: no request reached the loopback "
       "listener", Recorder.hits)

# Narrow window: the page still renders.
png = os.path.join(ARTIFACTS, "phishing-narrow.png")
Dom(chromium(os.path.join(WORK, "phishing.html"), png, 420, 1600))
tap.ok(png_ok(png), "phishing: renders in a narrow window")
png = os.path.join(ARTIFACTS, "phishing-dark.png")
Dom(chromium(os.path.join(WORK, "phishing.html"), png, dark=True))
tap.ok(png_ok(png), "phishing: renders in dark mode")

# Print: the print style sheet gives a PDF (kept with the screenshots).
pdf = os.path.join(ARTIFACTS, "phishing.pdf")
subprocess.run(
    [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
     "--no-first-run", "--disable-background-networking",
     "--disable-component-update", "--disable-sync",
     "--user-data-dir=" + tempfile.mkdtemp(prefix="mt-chromium-", dir=WORK),
     "--no-pdf-header-footer", "--print-to-pdf=" + pdf,
     "file://" + os.path.join(WORK, "phishing.html")],
    capture_output=True, timeout=60)
try:
    with open(pdf, "rb") as f:
        head = f.read(5)
    size = os.path.getsize(pdf)
except OSError:
    head, size = b"", 0
tap.ok(head == b"%PDF-" and size > 10000, "phishing: prints to PDF", size)
tap.ok(not Recorder.hits, "no request reached the loopback listener at all",
       Recorder.hits)

server.shutdown()
shutil.rmtree(WORK, ignore_errors=True)
tap.done()
