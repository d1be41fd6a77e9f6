/* SPDX-License-Identifier: MIT */
/*
 * test-links.c: links from text and HTML bodies, their flags and
 * findings, the unwrapping of rewritten links, and the indicator list.
 * Text extraction is checked against exact URL lists (with and without
 * scheme, defanged, trailing punctuation, angle brackets), against the
 * URL limit and against inputs built to make a naive scanner quadratic.
 * HTML extraction reads one page that holds every trick, each link
 * asserted by URL, source, flags and anchor text; near misses ("Click
 * here", a matching domain, an inline image) must stay quiet. The
 * wrappers are built by hand from their published formats. Last, whole
 * messages from tests/data/mime/links-*.eml (MT_SOURCE_ROOT, set by
 * meson) go through mt_analyze.
 */
#include <string.h>
#include <time.h>

#include "mime-private.h"

static MtOptions options;

static MtReport *
text_report(const char *text)
{
    MtReport *r = mt_report_new_empty();

    mt_links_from_text(r, "1", text, strlen(text), &options);
    return r;
}

static MtReport *
html_report(const char *html, const char *from)
{
    MtReport *r = mt_report_new_empty();

    if (from != NULL) {
        MtMailbox *mb = g_new0(MtMailbox, 1);

        mb->address = g_strdup(from);
        if (r->summary.from.mailboxes == NULL)
            r->summary.from.mailboxes =
                g_ptr_array_new_with_free_func(mt_mailbox_free);
        g_ptr_array_add(r->summary.from.mailboxes, mb);
    }
    mt_links_from_html(r, "2", html, strlen(html), &options);
    mt_links_analyze(r, &options);
    return r;
}

static const MtUrl *
find_link(const MtReport *r, const char *url)
{
    for (guint i = 0; i < r->links->len; i++) {
        const MtUrl *l = r->links->pdata[i];

        if (strcmp(l->url, url) == 0)
            return l;
    }
    return NULL;
}

static const MtUrl *
get_link(const MtReport *r, const char *url)
{
    const MtUrl *l = find_link(r, url);

    if (l == NULL) {
        for (guint i = 0; i < r->links->len; i++)
            g_test_message("have: %s",
                           ((const MtUrl *)r->links->pdata[i])->url);
        g_test_message("missing: %s", url);
    }
    g_assert_nonnull(l);
    return l;
}

static guint
count_findings(const MtReport *r, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < r->findings->len; i++)
        if (strcmp(((const MtFinding *)r->findings->pdata[i])->id, id) == 0)
            n++;
    return n;
}

/* The finding id whose message contains needle, or NULL. */
static const MtFinding *
find_finding(const MtReport *r, const char *id, const char *needle)
{
    for (guint i = 0; i < r->findings->len; i++) {
        const MtFinding *f = r->findings->pdata[i];

        if (strcmp(f->id, id) == 0 && strstr(f->message, needle) != NULL)
            return f;
    }
    return NULL;
}

/* The URLs extracted from text, in order, must be exactly expected. */
static void
assert_text_urls(const char *text, const char *const *expected)
{
    g_autoptr(MtReport) r = text_report(text);
    guint n = 0;

    while (expected[n] != NULL)
        n++;
    for (guint i = 0; i < r->links->len; i++)
        g_test_message("got %s", ((const MtUrl *)r->links->pdata[i])->url);
    g_assert_cmpuint(r->links->len, ==, n);
    for (guint i = 0; i < n; i++) {
        const MtUrl *l = r->links->pdata[i];

        g_assert_cmpstr(l->url, ==, expected[i]);
        g_assert_cmpint(l->source, ==, MT_URL_TEXT);
        g_assert_cmpstr(l->part, ==, "1");
    }
}

/* ---- Text --------------------------------------------------------- */

static void
test_text_scheme(void)
{
    static const char *const want[] = {
        "https://example.com/a?b=1", "http://www.test.org/path",
        "ftp://files.example.net/pub/x.tar.gz", "mailto:abuse@example.com",
        "https://EXAMPLE.org/Case", NULL};

    assert_text_urls("Visit https://example.com/a?b=1, or "
                     "http://www.test.org/path.\n"
                     "Files: ftp://files.example.net/pub/x.tar.gz; write "
                     "to mailto:abuse@example.com.\n"
                     "HTTPS://EXAMPLE.org/Case\n"
                     "Prose: http:// is a scheme, xhttp://no.example and "
                     "mailto: me are not links.",
                     want);
}

static void
test_text_no_scheme(void)
{
    static const char *const want[] = {
        "www.example.com/path", "example.org/login", "www.plain.example.com",
        "shop.example.co.uk:8080/cart", NULL};
    g_autoptr(MtReport) r = NULL;

    /* A bare domain without a path is prose ("example.org alone"), and
     * so are file names, versions, addresses and abbreviations. */
    assert_text_urls("see www.example.com/path and example.org/login, not "
                     "example.org alone, report.pdf, setup.py, v1.2.3/x, "
                     "e.g. this, bob@example.net/x or i.e. that, "
                     "the network 10.20.0.0/16 or 192.0.2.0/24. "
                     "Also www.plain.example.com. and "
                     "shop.example.co.uk:8080/cart.",
                     want);
    r = text_report("go to www.example.com/path now");
    g_assert_cmpuint(r->links->len, ==, 1);
    g_assert_true(((const MtUrl *)r->links->pdata[0])->flags
                  & MT_URL_NO_SCHEME);
}

static void
test_text_defanged(void)
{
    static const char *const want[] = {
        "http://evil.example.com/x", "https://bad.example.net/a",
        "evil.example.org", "ftp://files.example.com/f",
        "http://x.example.com/y", "https://dot.example.com/z",
        "198.51.100.7/gate.php", NULL};
    g_autoptr(MtReport) r = NULL;

    assert_text_urls("IOCs: hxxp://evil[.]example[.]com/x\n"
                     "hXXps[:]//bad(.)example.net/a\n"
                     "evil{.}example.org\n"
                     "fxp://files[dot]example.com/f\n"
                     "http[://]x.example.com/y\n"
                     "hxxps://dot(dot)example.com/z\n"
                     "198.51.100[.]7/gate.php\n",
                     want);
    r = text_report("hxxp://evil[.]example[.]com/x and "
                    "http://clean.example.com/");
    g_assert_cmpuint(r->links->len, ==, 2);
    g_assert_true(((const MtUrl *)r->links->pdata[0])->flags
                  & MT_URL_DEFANGED);
    g_assert_false(((const MtUrl *)r->links->pdata[1])->flags
                   & MT_URL_DEFANGED);
    /* Refanged, the URL is analyzed like any other. */
    mt_links_analyze(r, &options);
    g_assert_cmpstr(((const MtUrl *)r->links->pdata[0])->host, ==,
                    "evil.example.com");
    g_assert_cmpstr(((const MtUrl *)r->links->pdata[0])->scheme, ==, "http");
}

static void
test_text_punctuation(void)
{
    static const char *const want[] = {
        "http://x.example/a", "https://y.example/b", "http://z.example/c",
        "http://en.wikipedia.org/wiki/Foo_(bar)", "https://q.example/?a=1",
        "https://long.example/a/very/long/path?x=1",
        "https://u.example/é", "https://v.example/w", NULL};

    assert_text_urls("(see http://x.example/a). and <https://y.example/b>, "
                     "'http://z.example/c'! "
                     "http://en.wikipedia.org/wiki/Foo_(bar). "
                     "[https://q.example/?a=1]\n"
                     "<URL:https://long.example/a/very/\n   long/path?x=1>\n"
                     "«https://u.example/é» "
                     "\"https://v.example/w\"",
                     want);
}

static void
test_text_dedup(void)
{
    g_autoptr(MtReport) r = text_report("http://a.example/ twice: "
                                        "http://a.example/ and "
                                        "http://b.example/");

    g_assert_cmpuint(r->links->len, ==, 2);
    g_assert_cmpstr(((const MtUrl *)r->links->pdata[0])->url, ==,
                    "http://a.example/");
    g_assert_cmpstr(((const MtUrl *)r->links->pdata[1])->url, ==,
                    "http://b.example/");
}

static void
test_text_limit(void)
{
    GString *s = g_string_new(NULL);
    g_autoptr(MtReport) r = NULL;
    g_autoptr(GTimer) timer = g_timer_new();

    for (int i = 0; i < 100000; i++)
        g_string_append_printf(s, "http://h%d.example.com/x\n", i);
    g_timer_start(timer);
    r = text_report(s->str);
    g_assert_cmpfloat(g_timer_elapsed(timer, NULL), <, 5.0);
    g_assert_cmpuint(r->links->len, ==, options.limits.max_urls);
    g_assert_cmpuint(r->links_dropped, ==,
                     100000 - options.limits.max_urls);
    g_assert_cmpstr(((const MtUrl *)r->links->pdata[1999])->url, ==,
                    "http://h1999.example.com/x");
    /* The limit is recorded once, not once per dropped link. */
    g_assert_cmpuint(count_findings(r, "limit-reached"), ==, 1);
    g_assert_nonnull(find_finding(r, "limit-reached", "max-urls"));
    g_string_free(s, TRUE);
}

/* The processor time of one text scan of unit repeated to size bytes, the
 * best of runs (the least disturbed by the rest of the machine). */
static double
scan_seconds(const char *unit, gsize size, int runs)
{
    GString *s = g_string_new(NULL);
    double best = G_MAXDOUBLE;

    while (s->len < size)
        g_string_append(s, unit);
    for (int i = 0; i < runs; i++) {
        clock_t start = clock();
        MtReport *r = text_report(s->str);
        double t = (double)(clock() - start) / CLOCKS_PER_SEC;

        best = MIN(best, t);
        mt_report_free(r);
    }
    g_string_free(s, TRUE);
    return best;
}

/* Inputs that make a backtracking or restart-per-byte scanner quadratic:
 * ten times the input must take about ten times as long, not a hundred.
 * A ratio, not a time limit, so that the test holds on a slow machine
 * and under valgrind (20 to 50 times slower) alike. */
static void
test_text_linear(void)
{
    static const char *const units[] = {
        "a.", "hxxp", "<http", "(((", "www.", "http://x.example/(", "[.]",
        "a-", "<URL:", "mailto:", "\xd0\xb0", "x.com["};
    const gsize size = 2 * 1024 * 1024;

    for (gsize u = 0; u < G_N_ELEMENTS(units); u++) {
        double small = scan_seconds(units[u], size / 10, 3);
        double big = scan_seconds(units[u], size, 1);

        g_test_message("%s: %.3fs for %" G_GSIZE_FORMAT " bytes, %.3fs for "
                       "ten times as many", units[u], small, size / 10,
                       big);
        /* Linear is a ratio of about 10: more with the cache misses of
         * the larger input, less with the fixed cost of a report. A
         * quadratic term makes it approach 100. Under 50 ms the times are
         * too short to compare, and too short for a quadratic scan of
         * 2 MiB, which takes seconds. */
        if (big > 0.05)
            g_assert_cmpfloat(big / MAX(small, 1e-6), <, 30.0);
    }
}

static void
test_text_quiet(void)
{
    /* Prose with domains but no links, and a "Click here". */
    g_autoptr(MtReport) r = text_report(
        "Click here to sign in. Contact support@example.com or call. "
        "Version 2.4.1 ships as app.zip and README.md.");

    g_assert_cmpuint(r->links->len, ==, 0);
    mt_links_analyze(r, &options);
    g_assert_cmpuint(r->findings->len, ==, 0);
}

/* ---- HTML --------------------------------------------------------- */

static const char page[] =
    "<html><head>\n"
    "<base href=\"https://base.example.com/dir/\">\n"
    "<style>body { background: url('https://css.example.com/bg.png') }"
    "</style>\n"
    "<meta http-equiv=\"Refresh\" "
    "content=\"0; url=https://refresh.example.net/go\">\n"
    "<link rel=stylesheet href=\"https://cdn.example.com/s.css\">\n"
    "</head><body background=\"bg/tile.png\">\n"
    "<a href=\"http://evil.example.net/login\">https://www.paypal.com</a>\n"
    "<a href=\"https://www.paypal.com/signin\">  www.paypal.com\n</a>\n"
    "<a href=\"https://example.org/x\">Click <b>here</b></a>\n"
    "<a href=\"mailto:evil@evil.example.net\">support@paypal.com</a>\n"
    "<a href=\"mailto:help@paypal.com\">help@paypal.com</a>\n"
    "<a href=\"relative/page.html\">Relative</a>\n"
    "<a href=\"#top\">top</a> <img src=\"cid:logo@x\">\n"
    "<a href=\"javascript:alert(1)\">x</a>\n"
    "<a href=\"java&#9;script:alert(2)\">y</a>\n"
    "<a href=\"http://3232235777/\">ip</a>\n"
    "<a href=\"http://xn--80ak6aa92e.com/\">apple</a>\n"
    "<a href=\"http://www.paypal.com@evil.example.org/\">creds</a>\n"
    "<a href=\"http://bit.ly/abc\">short</a>\n"
    "<a href=\"https://www.paypal.com.evil.example.net/\">"
    "Log in at paypal.com</a>\n"
    "<a href=\"https://files.example.net/i.zip\">invoice.zip</a>\n"
    "<a href=\"https://docs.example.net/\"><img src=\"https://docs.example."
    "net/b.png\" alt=\"www.paypal.com\"></a>\n"
    "<form action=\"https://collect.example.ru/post.php\">"
    "<input type=password name=p>"
    "<button formaction=\"/other\">go</button></form>\n"
    "<form action=\"https://www.example.com/search\"></form>\n"
    "<img src=\"https://track.example.com/open.gif\" width=\"1\" "
    "height=\"1\">\n"
    "<img src=\"https://track2.example.com/o.gif\" style=\"display: none\">\n"
    "<img src=\"https://cdn.example.com/logo.png\" width=\"200\" "
    "height=\"50\">\n"
    "<img src=\"data:image/png;base64,iVBORw0KGgo=\">\n"
    "<div style=\"background-image: url(&quot;https://css2.example.com/"
    "a.png&quot;)\"></div>\n"
    "<iframe src=\"data:text/html;base64,PGgxPg==\"></iframe>\n"
    "<table background=\"https://bg.example.com/t.png\"><tr><td>x</td>"
    "</tr></table>\n"
    "<a href=\"http://evil.example.net/login\">https://www.paypal.com</a>\n"
    "<a href=\"http://evil.example.net/login\">Other text</a>\n"
    "</body></html>\n";

static void
test_html_extract(void)
{
    g_autoptr(MtReport) r = html_report(page, "billing@example.com");
    const MtUrl *l;

    /* In document order, starting with the head. */
    l = r->links->pdata[0];
    g_assert_cmpstr(l->url, ==, "https://css.example.com/bg.png");
    g_assert_cmpint(l->source, ==, MT_URL_CSS);
    l = r->links->pdata[1];
    g_assert_cmpstr(l->url, ==, "https://refresh.example.net/go");
    g_assert_cmpint(l->source, ==, MT_URL_META_REFRESH);
    l = get_link(r, "https://cdn.example.com/s.css");
    g_assert_cmpint(l->source, ==, MT_URL_HREF);
    g_assert_cmpstr(l->part, ==, "2");

    /* <base href> applies to relative URLs, also before it in the tree. */
    l = get_link(r, "https://base.example.com/dir/relative/page.html");
    g_assert_cmpstr(l->anchor_text, ==, "Relative");
    g_assert_cmpstr(l->host, ==, "base.example.com");
    l = get_link(r, "https://base.example.com/dir/bg/tile.png");
    g_assert_cmpint(l->source, ==, MT_URL_BACKGROUND);
    l = get_link(r, "https://base.example.com/other");
    g_assert_cmpint(l->source, ==, MT_URL_ACTION);
    g_assert_false(l->flags & MT_URL_FORM_EXTERNAL);
    l = get_link(r, "https://bg.example.com/t.png");
    g_assert_cmpint(l->source, ==, MT_URL_BACKGROUND);
    l = get_link(r, "https://css2.example.com/a.png");
    g_assert_cmpint(l->source, ==, MT_URL_CSS);

    /* Fragments and cid: references are not links. */
    g_assert_null(find_link(r, "https://base.example.com/dir/#top"));
    g_assert_null(find_link(r, "#top"));
    g_assert_null(find_link(r, "cid:logo@x"));

    /* White space collapsed and trimmed in anchor text. */
    l = get_link(r, "https://www.paypal.com/signin");
    g_assert_cmpstr(l->anchor_text, ==, "www.paypal.com");
    g_assert_false(l->flags & MT_URL_TEXT_MISMATCH);
    l = get_link(r, "https://example.org/x");
    g_assert_cmpstr(l->anchor_text, ==, "Click here");
    g_assert_false(l->flags & MT_URL_TEXT_MISMATCH);

    /* Identical links are kept once; a different anchor text is a
     * different link. */
    {
        guint same = 0;

        for (guint i = 0; i < r->links->len; i++) {
            const MtUrl *x = r->links->pdata[i];

            if (strcmp(x->url, "http://evil.example.net/login") == 0)
                same++;
        }
        g_assert_cmpuint(same, ==, 2);
    }
}

static void
test_html_mismatch(void)
{
    g_autoptr(MtReport) r = html_report(page, "billing@example.com");
    const MtUrl *l = get_link(r, "http://evil.example.net/login");
    const MtFinding *f;

    g_assert_cmpstr(l->anchor_text, ==, "https://www.paypal.com");
    g_assert_true(l->flags & MT_URL_TEXT_MISMATCH);
    g_assert_cmpstr(l->host, ==, "evil.example.net");
    g_assert_cmpstr(l->scheme, ==, "http");
    f = find_finding(r, "link-text-mismatch", "http://evil.example.net/login");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_HIGH);
    g_assert_cmpstr(f->evidence.part, ==, "2");
    g_assert_nonnull(strstr(f->message, "www.paypal.com"));

    /* The address shown is not the one mailed. */
    l = get_link(r, "mailto:evil@evil.example.net");
    g_assert_true(l->flags & MT_URL_TEXT_MISMATCH);
    g_assert_cmpstr(l->host, ==, "evil.example.net");
    l = get_link(r, "mailto:help@paypal.com");
    g_assert_false(l->flags & MT_URL_TEXT_MISMATCH);
    /* A look-alike subdomain is another site, named in a sentence. */
    l = get_link(r, "https://www.paypal.com.evil.example.net/");
    g_assert_true(l->flags & MT_URL_TEXT_MISMATCH);
    /* A file name is no domain shown. */
    l = get_link(r, "https://files.example.net/i.zip");
    g_assert_false(l->flags & MT_URL_TEXT_MISMATCH);
    /* An image's alt text stands for the anchor text. */
    l = get_link(r, "https://docs.example.net/");
    g_assert_cmpstr(l->anchor_text, ==, "www.paypal.com");
    g_assert_true(l->flags & MT_URL_TEXT_MISMATCH);
    l = find_link(r, "http://evil.example.net/login");
    /* Non-mismatches raise nothing of the kind. */
    g_assert_null(find_finding(r, "link-text-mismatch", "example.org/x"));
    g_assert_null(find_finding(r, "link-text-mismatch", "paypal.com/signin"));
    g_assert_cmpuint(count_findings(r, "link-text-mismatch"), ==, 4);
}

static void
test_html_form(void)
{
    g_autoptr(MtReport) r = html_report(page, "billing@example.com");
    const MtUrl *l = get_link(r, "https://collect.example.ru/post.php");
    const MtFinding *f;

    g_assert_cmpint(l->source, ==, MT_URL_ACTION);
    g_assert_true(l->flags & MT_URL_FORM_EXTERNAL);
    f = find_finding(r, "html-form-external", "collect.example.ru");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_HIGH);
    g_assert_nonnull(strstr(f->message, "example.com"));
    /* A form posting to the sender's own organisation is fine. */
    l = get_link(r, "https://www.example.com/search");
    g_assert_false(l->flags & MT_URL_FORM_EXTERNAL);
    g_assert_cmpuint(count_findings(r, "html-form-external"), ==, 1);
}

static void
test_html_images(void)
{
    g_autoptr(MtReport) r = html_report(page, "billing@example.com");
    const MtUrl *l = get_link(r, "https://track.example.com/open.gif");

    g_assert_cmpint(l->source, ==, MT_URL_SRC);
    g_assert_true(l->flags & MT_URL_REMOTE_IMAGE);
    g_assert_true(l->flags & MT_URL_TRACKING_PIXEL);
    l = get_link(r, "https://track2.example.com/o.gif");
    g_assert_true(l->flags & MT_URL_TRACKING_PIXEL);
    l = get_link(r, "https://cdn.example.com/logo.png");
    g_assert_true(l->flags & MT_URL_REMOTE_IMAGE);
    g_assert_false(l->flags & MT_URL_TRACKING_PIXEL);
    g_assert_cmpuint(count_findings(r, "html-tracking-pixel"), ==, 2);
    g_assert_cmpint(
        find_finding(r, "html-tracking-pixel", "track.example.com")->severity,
        ==, MT_SEVERITY_LOW);

    /* An inline image is no data-URL finding; a framed page is. */
    l = get_link(r, "data:image/png;base64,iVBORw0KGgo=");
    g_assert_true(l->flags & MT_URL_DATA);
    g_assert_false(l->flags & MT_URL_REMOTE_IMAGE);
    g_assert_null(find_finding(r, "link-data-url", "image/png"));
    g_assert_nonnull(find_finding(r, "link-data-url", "text/html"));
    g_assert_cmpuint(count_findings(r, "link-data-url"), ==, 1);
}

static void
test_html_flags(void)
{
    g_autoptr(MtReport) r = html_report(page, "billing@example.com");
    const MtUrl *l;
    const MtFinding *f;

    /* Script URLs, also with a tab the URL parser removes. */
    l = get_link(r, "javascript:alert(1)");
    g_assert_true(l->flags & MT_URL_JAVASCRIPT);
    l = get_link(r, "javascript:alert(2)");
    g_assert_true(l->flags & MT_URL_JAVASCRIPT);
    g_assert_cmpuint(count_findings(r, "link-javascript"), ==, 2);
    g_assert_cmpint(find_finding(r, "link-javascript", "alert(1)")->severity,
                    ==, MT_SEVERITY_HIGH);

    /* 3232235777 is 192.168.1.1 to a browser. */
    l = get_link(r, "http://3232235777/");
    g_assert_cmpstr(l->host, ==, "192.168.1.1");
    g_assert_true(l->flags & MT_URL_IP_HOST);
    f = find_finding(r, "link-ip-host", "192.168.1.1");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_MEDIUM);

    /* Cyrillic that reads as "apple". */
    l = get_link(r, "http://xn--80ak6aa92e.com/");
    g_assert_cmpstr(l->host, ==, "xn--80ak6aa92e.com");
    g_assert_cmpstr(l->host_unicode, ==, "аррӏе.com");
    g_assert_true(l->flags & MT_URL_PUNYCODE);
    f = find_finding(r, "link-punycode", "xn--80ak6aa92e.com");
    g_assert_nonnull(f);
    g_assert_nonnull(strstr(f->message, "аррӏе.com"));
    g_assert_nonnull(strstr(f->message, "Latin"));

    /* The host is what follows the '@'. */
    l = get_link(r, "http://www.paypal.com@evil.example.org/");
    g_assert_cmpstr(l->host, ==, "evil.example.org");
    g_assert_true(l->flags & MT_URL_CREDENTIALS);
    f = find_finding(r, "link-credentials", "www.paypal.com");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_HIGH);

    l = get_link(r, "http://bit.ly/abc");
    g_assert_true(l->flags & MT_URL_SHORTENER);
    g_assert_nonnull(find_finding(r, "link-shortener", "bit.ly"));

    g_assert_cmpuint(count_findings(r, "html-meta-refresh"), ==, 1);
    g_assert_nonnull(
        find_finding(r, "html-meta-refresh", "refresh.example.net"));

    /* Nothing is raised about the plain links. */
    g_assert_false(get_link(r, "https://cdn.example.com/s.css")->flags
                   & (MT_URL_IP_HOST | MT_URL_PUNYCODE | MT_URL_SHORTENER
                      | MT_URL_CREDENTIALS | MT_URL_TEXT_MISMATCH));
}

static void
test_html_quiet(void)
{
    g_autoptr(MtReport) r = html_report(
        "<p><a href=\"https://www.example.com/a\">Click here</a> "
        "<a href=\"https://news.example.com/b\">www.example.com</a> "
        "<a href=\"https://example.com/\">https://example.com</a> "
        "<a href=\"mailto:me@example.com\">me@example.com</a> "
        "<img src=\"https://cdn.example.com/x.png\" width=600 height=100>"
        "<form action=\"https://forms.example.com/f\"></form></p>",
        "news@example.com");

    g_assert_cmpuint(r->links->len, ==, 6);
    g_assert_cmpuint(r->findings->len, ==, 0);
}

static void
test_html_node_limit(void)
{
    GString *s = g_string_new("<html><body>");
    MtOptions small = options;
    MtReport *r = mt_report_new_empty();

    for (int i = 0; i < 500; i++)
        g_string_append_printf(s, "<a href=\"http://h%d.example/\">%d</a>",
                               i, i);
    g_string_append(s, "</body></html>");
    small.limits.max_html_nodes = 100;
    mt_links_from_html(r, "1", s->str, s->len, &small);
    g_assert_cmpuint(r->links->len, >, 10);
    g_assert_cmpuint(r->links->len, <, 100);
    g_assert_nonnull(find_finding(r, "limit-reached", "max-html-nodes"));
    mt_report_free(r);

    /* Deep nesting is walked without recursion. */
    g_string_assign(s, "<html><body>");
    for (int i = 0; i < 100000; i++)
        g_string_append(s, "<div>");
    g_string_append(s, "<a href=\"http://deep.example/\">deep</a>");
    r = mt_report_new_empty();
    mt_links_from_html(r, "1", s->str, s->len, &options);
    mt_report_free(r);
    g_string_free(s, TRUE);
}

/* ---- Wrapped links ------------------------------------------------ */

typedef struct {
    const char *url;
    const char *wrapper;
    const char *unwrapped;
} WrapCase;

static void
test_unwrap(void)
{
    static const WrapCase cases[] = {
        {"https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2F"
         "evil.example.com%2Flogin%3Fid%3D1&data=04%7C01%7Cx%40example.org"
         "&sdata=abc%3D&reserved=0",
         "safelinks", "https://evil.example.com/login?id=1"},
        {"https://urldefense.proofpoint.com/v1/url?u=http://www.example.com/"
         "x&k=abc",
         "urldefense-v1", "http://www.example.com/x"},
        {"https://urldefense.proofpoint.com/v2/url?u=https-3A__www.example."
         "com_path_page-3Fid-3D5&d=DwMFaQ&c=abc&r=def&m=ghi&s=jkl&e=",
         "urldefense-v2", "https://www.example.com/path/page?id=5"},
        /* v3: '*' takes the next character of the base64url tail
         * ("QA" is "@"), "**B" a run of three ("QEBA" is "@@@"). */
        {"https://urldefense.com/v3/__https://evil.example.org/login?user="
         "a*b.com&x=1__;QA!!ABcdEF!GhIjK$",
         "urldefense-v3", "https://evil.example.org/login?user=a@b.com&x=1"},
        {"https://urldefense.com/v3/__https://ex.example/a**Bz__;QEBA!!x$",
         "urldefense-v3", "https://ex.example/a@@@z"},
        {"https://urldefense.com/v3/__https://ex.example/caf*__;w6k!!x$",
         "urldefense-v3", "https://ex.example/caf\xc3\xa9"},
        {"https://urldefense.com/v3/__https:/ex.example/p__;!!x$",
         "urldefense-v3", "https://ex.example/p"},
        {"https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fexample.com%2f"
         "x&c=E,1,abc&typo=1",
         "barracuda", "https://example.com/x"},
        {"https://protect-eu.mimecast.com/s/AbCdEfGh?domain=example.com",
         "mimecast", NULL},
        {"https://www.example.com/?url=https%3A%2F%2Fevil.example/", NULL,
         NULL},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *html = g_strdup_printf(
            "<a href=\"%s\">link</a>", cases[i].url);
        g_autoptr(GString) esc = g_string_new(NULL);
        g_autoptr(MtReport) r = NULL;
        const MtUrl *l;

        /* Into an attribute, '&' written as the entity. */
        for (const char *p = html; *p; p++)
            if (*p == '&')
                g_string_append(esc, "&amp;");
            else
                g_string_append_c(esc, *p);
        r = html_report(esc->str, NULL);
        g_assert_cmpuint(r->links->len, ==, 1);
        l = r->links->pdata[0];
        g_test_message("case %" G_GSIZE_FORMAT ": %s", i, l->url);
        g_assert_cmpstr(l->url, ==, cases[i].url);
        g_assert_cmpstr(l->wrapper, ==, cases[i].wrapper);
        g_assert_cmpstr(l->unwrapped, ==, cases[i].unwrapped);
        if (cases[i].unwrapped != NULL)
            g_assert_true(l->flags & MT_URL_WRAPPED);
        else
            g_assert_false(l->flags & MT_URL_WRAPPED);
    }
}

static void
test_unwrap_flags(void)
{
    /* The wrapper hides an IP in hex; the text shows the bank; the
     * target is a shortener. */
    g_autoptr(MtReport) r = html_report(
        "<a href=\"https://eur01.safelinks.protection.outlook.com/?url=http"
        "%3A%2F%2F0xC0A80101%2Fa&amp;data=x\">https://bank.example.com</a>"
        "<a href=\"https://eur01.safelinks.protection.outlook.com/?url=https"
        "%3A%2F%2Fbank.example.com%2Flogin&amp;data=x\">bank.example.com</a>"
        "<a href=\"https://eur01.safelinks.protection.outlook.com/?url=https"
        "%3A%2F%2Ftinyurl.com%2Fxyz&amp;data=x\">x</a>"
        "<a href=\"https://eur01.safelinks.protection.outlook.com/?url=https"
        "%3A%2F%2Fa.example.com%2F&amp;data=x\">https://eur01.safelinks."
        "protection.outlook.com/?url=https%3A%2F%2Fa.example.com%2F</a>",
        NULL);
    const MtUrl *l = r->links->pdata[0];

    g_assert_cmpuint(r->links->len, ==, 4);
    g_assert_cmpstr(l->unwrapped, ==, "http://0xC0A80101/a");
    g_assert_cmpstr(l->host, ==, "eur01.safelinks.protection.outlook.com");
    g_assert_true(l->flags & MT_URL_WRAPPED);
    g_assert_true(l->flags & MT_URL_IP_HOST);
    g_assert_true(l->flags & MT_URL_TEXT_MISMATCH);
    g_assert_nonnull(find_finding(r, "link-ip-host", "192.168.1.1"));
    /* The target matches the text: the wrapper is no mismatch. */
    l = r->links->pdata[1];
    g_assert_cmpstr(l->unwrapped, ==, "https://bank.example.com/login");
    g_assert_false(l->flags & MT_URL_TEXT_MISMATCH);
    l = r->links->pdata[2];
    g_assert_true(l->flags & MT_URL_SHORTENER);
    /* The text shows the wrapper itself, which is where the click goes. */
    l = r->links->pdata[3];
    g_assert_cmpstr(l->unwrapped, ==, "https://a.example.com/");
    g_assert_false(l->flags & MT_URL_TEXT_MISMATCH);
    g_assert_cmpuint(count_findings(r, "link-text-mismatch"), ==, 1);
}

/* ---- Hosts -------------------------------------------------------- */

typedef struct {
    const char *url;
    const char *host;
    guint flags;
} HostCase;

static void
test_hosts(void)
{
    static const HostCase cases[] = {
        {"http://3232235777/", "192.168.1.1", MT_URL_IP_HOST},
        {"http://0xC0A80101/", "192.168.1.1", MT_URL_IP_HOST},
        {"http://0300.0250.1.1/", "192.168.1.1", MT_URL_IP_HOST},
        {"http://127.1/", "127.0.0.1", MT_URL_IP_HOST},
        {"http://[2001:DB8::1]:8080/", "2001:db8::1", MT_URL_IP_HOST},
        {"http://user:pw@Host.Example.COM:81/", "host.example.com",
         MT_URL_CREDENTIALS},
        {"https://%65vil.example.com./", "evil.example.com", 0},
        {"http:\\\\evil.example.com\\x", "evil.example.com", 0},
        {"http://аррӏе.com/", "xn--80ak6aa92e.com", MT_URL_PUNYCODE},
        {"http://bücher.example/", "xn--bcher-kva.example", MT_URL_PUNYCODE},
        {"http://paypaӏ.com/", "xn--paypa-iof.com", MT_URL_PUNYCODE},
        {"http://1.2.3.256.example/", "1.2.3.256.example", 0},
        {"http://999999999999/", "999999999999", 0},
        {"mailto:Someone@Example.ORG?subject=x", "example.org", 0},
        {"javascript:void(0)", NULL, MT_URL_JAVASCRIPT},
        {"data:text/html,hi", NULL, MT_URL_DATA},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *html = g_strdup_printf(
            "<a href=\"%s\">x</a>", cases[i].url);
        g_autoptr(MtReport) r = html_report(html, NULL);
        const MtUrl *l;
        guint interesting = MT_URL_IP_HOST | MT_URL_CREDENTIALS
                            | MT_URL_PUNYCODE | MT_URL_JAVASCRIPT
                            | MT_URL_DATA;

        g_assert_cmpuint(r->links->len, ==, 1);
        l = r->links->pdata[0];
        g_test_message("%s -> %s", cases[i].url, l->host);
        g_assert_cmpstr(l->host, ==, cases[i].host);
        g_assert_cmpuint(l->flags & interesting, ==, cases[i].flags);
    }
    /* A label mixing Latin and Cyrillic says so. */
    {
        g_autoptr(MtReport) r = html_report(
            "<a href=\"http://paypaӏ.com/\">x</a>", NULL);

        g_assert_nonnull(find_finding(r, "link-punycode", "mixed scripts"));
    }
}

/* ---- Indicators --------------------------------------------------- */

static void
add_hop(MtReport *r, const char *received)
{
    MtHop *hop = g_new0(MtHop, 1);

    hop->received = mt_received_parse(received, strlen(received));
    g_ptr_array_add(r->relay.hops, hop);
}

static const MtIndicator *
find_indicator(const MtReport *r, MtIndicatorType type, const char *value)
{
    for (guint i = 0; i < r->indicators->len; i++) {
        const MtIndicator *ind = r->indicators->pdata[i];

        if (ind->type == type && strcmp(ind->value, value) == 0)
            return ind;
    }
    return NULL;
}

static void
assert_sources(const MtIndicator *ind, const char *const *want)
{
    guint n = 0;

    g_assert_nonnull(ind);
    while (want[n])
        n++;
    g_assert_cmpuint(ind->sources->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(ind->sources->pdata[i], ==, want[i]);
}

static void
test_indicators(void)
{
    g_autoptr(MtReport) r = html_report(
        "<a href=\"http://Evil.Example.NET/a\">x</a>"
        "<a href=\"http://198.51.100.7/b\">y</a>"
        "<a href=\"https://eur01.safelinks.protection.outlook.com/?url=http"
        "%3A%2F%2Fphish.example.org%2Fp&amp;data=x\">z</a>"
        "<a href=\"mailto:Help@Example.COM\">mail</a>"
        "<a href=\"javascript:x()\">js</a>",
        "Alice@Example.COM");
    MtAttachment *att = g_new0(MtAttachment, 1);
    const MtIndicator *ind;

    r->summary.from.header_index = 3;
    add_hop(r, "from a.example.net (a.example.net [198.51.100.7]) by "
               "mx.example.org; Tue, 14 May 2024 09:12:39 +0000");
    add_hop(r, "from b.example.net ([198.51.100.7]) by mx2.example.org; "
               "Tue, 14 May 2024 09:12:40 +0000");
    att->part = g_strdup("3");
    att->filename = g_strdup("invoice.pdf");
    memcpy(att->hashes.md5, "D41D8CD98F00B204E9800998ECF8427E", 33);
    memcpy(att->hashes.sha256, "e3b0c44298fc1c149afbf4c8996fb924"
                               "27ae41e4649b934ca495991b7852b855", 65);
    g_ptr_array_add(r->mime.attachments, att);

    mt_indicators_build(r);
    for (guint i = 0; i < r->indicators->len; i++) {
        const MtIndicator *x = r->indicators->pdata[i];

        g_test_message("%s %s (%u)", mt_indicator_type_to_string(x->type),
                       x->value, x->sources->len);
    }
    /* One entry, three sources: two hops and a link. */
    ind = find_indicator(r, MT_INDICATOR_IP, "198.51.100.7");
    assert_sources(ind, (const char *const[]){"hop 1", "hop 2", "link 2",
                                              NULL});
    /* First seen first: the hops' IP before everything else. */
    g_assert_true(r->indicators->pdata[0] == ind);
    ind = find_indicator(r, MT_INDICATOR_DOMAIN, "example.com");
    assert_sources(ind, (const char *const[]){"header 3 (From)", "link 4",
                                              NULL});
    ind = find_indicator(r, MT_INDICATOR_DOMAIN, "evil.example.net");
    assert_sources(ind, (const char *const[]){"link 1", NULL});
    ind = find_indicator(r, MT_INDICATOR_DOMAIN, "a.example.net");
    assert_sources(ind, (const char *const[]){"hop 1", NULL});
    /* The unwrapped target, its host and the wrapper's. */
    g_assert_nonnull(find_indicator(r, MT_INDICATOR_DOMAIN,
                                    "phish.example.org"));
    g_assert_nonnull(find_indicator(
        r, MT_INDICATOR_DOMAIN, "eur01.safelinks.protection.outlook.com"));
    g_assert_nonnull(
        find_indicator(r, MT_INDICATOR_URL, "http://phish.example.org/p"));
    g_assert_nonnull(
        find_indicator(r, MT_INDICATOR_URL, "http://Evil.Example.NET/a"));
    g_assert_null(find_indicator(r, MT_INDICATOR_URL, "javascript:x()"));
    g_assert_null(
        find_indicator(r, MT_INDICATOR_URL, "mailto:Help@Example.COM"));
    ind = find_indicator(r, MT_INDICATOR_EMAIL, "Alice@example.com");
    assert_sources(ind, (const char *const[]){"header 3 (From)", NULL});
    ind = find_indicator(r, MT_INDICATOR_EMAIL, "Help@example.com");
    assert_sources(ind, (const char *const[]){"link 4", NULL});
    ind = find_indicator(r, MT_INDICATOR_MD5,
                         "d41d8cd98f00b204e9800998ecf8427e");
    assert_sources(ind, (const char *const[]){"part 3 (invoice.pdf)", NULL});
    g_assert_nonnull(find_indicator(
        r, MT_INDICATOR_SHA256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    /* No empty SHA-1. */
    for (guint i = 0; i < r->indicators->len; i++)
        g_assert_cmpint(((const MtIndicator *)r->indicators->pdata[i])->type,
                        !=, MT_INDICATOR_SHA1);

    /* Rebuilding gives the same list. */
    {
        guint n = r->indicators->len;

        mt_indicators_build(r);
        g_assert_cmpuint(r->indicators->len, ==, n);
    }
}

static void
test_indicator_bounds(void)
{
    g_autoptr(MtReport) r = mt_report_new_empty();
    const MtIndicator *ind;

    for (int i = 0; i < 40; i++)
        add_hop(r, "from x.example.net ([203.0.113.9]) by mx.example.org; "
                   "Tue, 14 May 2024 09:12:39 +0000");
    mt_indicators_build(r);
    ind = find_indicator(r, MT_INDICATOR_IP, "203.0.113.9");
    g_assert_nonnull(ind);
    if (ind == NULL)
        return;
    g_assert_cmpuint(ind->sources->len, ==, 16);
    g_assert_cmpstr(ind->sources->pdata[15], ==, "hop 16");
}

/* ---- Whole messages ----------------------------------------------- */

static MtReport *
analyze_fixture(const char *name)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    MtRawMessage raw = {0};
    MtReport *report;
    GError *error = NULL;

    if (root == NULL)
        return NULL;
    path = g_build_filename(root, "tests", "data", "mime", name, NULL);
    g_file_get_contents(path, &text, &len, &error);
    g_assert_no_error(error);
    raw.source.path = path;
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, len);
    report = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    return report;
}

static void
test_message_phish(void)
{
    g_autoptr(MtReport) r = analyze_fixture("links-phish.eml");
    const MtUrl *l;
    const MtFinding *f;

    if (r == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    if (!r->mime.analyzed || r->links->len == 0) {
        g_test_skip("the MIME walk does not feed links yet");
        return;
    }
    l = get_link(r, "https://www.paypal.com/signin");
    g_assert_cmpint(l->source, ==, MT_URL_TEXT);
    g_assert_cmpstr(l->part, ==, "1");
    l = get_link(r, "http://evil.example.net/help");
    g_assert_true(l->flags & MT_URL_DEFANGED);
    l = get_link(r, "http://evil.example.net/login");
    g_assert_cmpstr(l->part, ==, "2");
    g_assert_true(l->flags & MT_URL_TEXT_MISMATCH);
    f = find_finding(r, "link-text-mismatch", "evil.example.net");
    g_assert_nonnull(f);
    g_assert_cmpstr(f->evidence.part, ==, "2");
    l = r->links->pdata[3];
    g_assert_cmpstr(l->wrapper, ==, "safelinks");
    g_assert_cmpstr(l->unwrapped, ==,
                    "https://phish.example.org/verify?id=42");
    l = get_link(r, "https://collect.example.ru/post.php");
    g_assert_true(l->flags & MT_URL_FORM_EXTERNAL);
    g_assert_nonnull(find_finding(r, "html-form-external", "collect"));
    g_assert_nonnull(find_finding(r, "html-tracking-pixel", "track"));
    g_assert_nonnull(find_indicator(r, MT_INDICATOR_IP, "203.0.113.25"));
    g_assert_nonnull(find_indicator(r, MT_INDICATOR_DOMAIN,
                                    "phish.example.org"));
    g_assert_nonnull(find_indicator(r, MT_INDICATOR_EMAIL,
                                    "billing@example.com"));
}

static void
test_message_clean(void)
{
    g_autoptr(MtReport) r = analyze_fixture("links-clean.eml");
    static const char *const ids[] = {
        "link-text-mismatch", "link-ip-host", "link-punycode",
        "link-credentials", "link-javascript", "html-form-external",
        "html-tracking-pixel", "link-shortener", "link-data-url",
        "html-meta-refresh"};

    if (r == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    if (!r->mime.analyzed || r->links->len == 0) {
        g_test_skip("the MIME walk does not feed links yet");
        return;
    }
    g_assert_cmpuint(r->links->len, ==, 5);
    for (gsize i = 0; i < G_N_ELEMENTS(ids); i++)
        g_assert_cmpuint(count_findings(r, ids[i]), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mt_options_init_default(&options);
    g_test_add_func("/links/text/scheme", test_text_scheme);
    g_test_add_func("/links/text/no-scheme", test_text_no_scheme);
    g_test_add_func("/links/text/defanged", test_text_defanged);
    g_test_add_func("/links/text/punctuation", test_text_punctuation);
    g_test_add_func("/links/text/dedup", test_text_dedup);
    g_test_add_func("/links/text/limit", test_text_limit);
    g_test_add_func("/links/text/linear", test_text_linear);
    g_test_add_func("/links/text/quiet", test_text_quiet);
    g_test_add_func("/links/html/extract", test_html_extract);
    g_test_add_func("/links/html/mismatch", test_html_mismatch);
    g_test_add_func("/links/html/form", test_html_form);
    g_test_add_func("/links/html/images", test_html_images);
    g_test_add_func("/links/html/flags", test_html_flags);
    g_test_add_func("/links/html/quiet", test_html_quiet);
    g_test_add_func("/links/html/node-limit", test_html_node_limit);
    g_test_add_func("/links/unwrap/formats", test_unwrap);
    g_test_add_func("/links/unwrap/flags", test_unwrap_flags);
    g_test_add_func("/links/hosts", test_hosts);
    g_test_add_func("/links/indicators/dedup", test_indicators);
    g_test_add_func("/links/indicators/bounds", test_indicator_bounds);
    g_test_add_func("/links/message/phish", test_message_phish);
    g_test_add_func("/links/message/clean", test_message_clean);
    return g_test_run();
}
