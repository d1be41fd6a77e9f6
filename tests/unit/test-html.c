/* SPDX-License-Identifier: MIT */
/*
 * test-html.c: the HTML renderer, read back with libxml2's HTML parser.
 * Each sample's page must parse, carry the Content-Security-Policy, hold
 * no script and show the values an analyst looks for; a hostile message
 * must come out as text; the same input must give the same bytes; the
 * --html-dir index must list and sort its rows and never replace a file.
 * A content model built by hand (parts, attachments, bodies, links, a
 * forwarded message) with hostile names and URLs must show its hashes and
 * defanged links and never a live link, in HTML, JSON (valid against the
 * schema) and text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>

#include <glib/gstdio.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "html-private.h"
#include "mime-private.h"
#include "mt-geoip.h"

static const char *japanese_subject =
    "\xE5\x8B\x89\xE5\xBC\xB7\xE4\xBC\x9A\xE8\xB3\x87\xE6\x96\x99\xE3\x81"
    "\xAE\xE9\x80\x81\xE4\xBB\x98\xE3\x81\xAB\xE3\x81\xA4\xE3\x81\x84\xE3"
    "\x81\xA6";

static char *
sample_path(const char *name)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");

    return g_build_filename(root ? root : ".", "samples", name, NULL);
}

/* Every report from path, analyzed (transfer full). */
static GPtrArray *
analyze_path(const char *path)
{
    MtOptions options;
    MtInput *input;
    GPtrArray *reports = g_ptr_array_new_with_free_func(
        (GDestroyNotify)mt_report_free);

    mt_options_init_default(&options);
    input = mt_input_new(&options.limits);
    mt_input_add(input, path, MT_INPUT_FORMAT_AUTO);
    for (guint guard = 0; guard < 1000; guard++) {
        MtRawMessage *raw = NULL;
        const char *error_path = NULL;
        GError *error = NULL;
        MtInputStatus got = mt_input_next(input, &raw, &error_path, &error);

        if (got == MT_INPUT_END)
            break;
        g_assert_cmpint(got, ==, MT_INPUT_MESSAGE);
        g_ptr_array_add(reports, mt_analyze(raw, &options));
        mt_raw_message_free(raw);
    }
    mt_input_free(input);
    return reports;
}

static GPtrArray *
analyze_bytes(const char *data, gsize len)
{
    MtOptions options;
    GPtrArray *raws;
    GPtrArray *reports = g_ptr_array_new_with_free_func(
        (GDestroyNotify)mt_report_free);

    mt_options_init_default(&options);
    raws = mt_mbox_split_bytes("hostile.eml", data, len, &options.limits);
    for (guint i = 0; i < raws->len; i++)
        g_ptr_array_add(reports, mt_analyze(raws->pdata[i], &options));
    g_ptr_array_unref(raws);
    return reports;
}

/* The HTML page for reports, as bytes (transfer full). */
static char *
render(const GPtrArray *reports, gsize *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    MtRenderer renderer;
    MtRunStats stats = {0};

    g_assert_nonnull(out);
    mt_renderer_init(&renderer, MT_FORMAT_HTML, out);
    mt_renderer_begin(&renderer);
    for (guint i = 0; i < reports->len; i++)
        mt_renderer_report(&renderer, reports->pdata[i]);
    stats.messages = reports->len;
    mt_renderer_end(&renderer, &stats);
    g_assert_cmpint(fclose(out), ==, 0);
    *len = size;
    return buf;
}

static htmlDocPtr
parse(const char *html, gsize len)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)len, "report.html", "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING);

    g_assert_nonnull(doc);
    return doc;
}

static double
xcount(htmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    g_autofree char *full = g_strdup_printf("count(%s)", expr);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST full, ctx);
    double n;

    g_assert_nonnull(obj);
    n = obj->floatval;
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return n;
}

static char *
xstring(htmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    g_autofree char *full = g_strdup_printf("string(%s)", expr);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST full, ctx);
    char *s;

    g_assert_nonnull(obj);
    s = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return s;
}

static char *
all_text(htmlDocPtr doc)
{
    xmlChar *text = xmlNodeGetContent(xmlDocGetRootElement(doc));
    char *copy = g_strdup((const char *)text);

    xmlFree(text);
    return copy;
}

/* What every page must be, whatever went in. */
static void
assert_safe(htmlDocPtr doc)
{
    g_autofree char *csp = xstring(
        doc, "//head/meta[@http-equiv='Content-Security-Policy']/@content");

    g_assert_cmpstr(csp, ==, MT_HTML_CSP);
    g_assert_cmpfloat(xcount(doc, "//script"), ==, 0);
    g_assert_cmpfloat(xcount(doc, "//@*[starts-with(name(), 'on')]"), ==, 0);
    g_assert_cmpfloat(xcount(doc, "//@src | //@style | //@srcset"), ==, 0);
    g_assert_cmpfloat(xcount(doc, "//img | //iframe | //link | //base | "
                                  "//object | //embed | //form"),
                      ==, 0);
    /* The only hrefs are fragments of this page. */
    g_assert_cmpfloat(xcount(doc, "//@href[not(starts-with(., '#'))]"), ==,
                      0);
    g_assert_cmpfloat(xcount(doc, "//style"), ==, 1);
    g_assert_cmpfloat(xcount(doc, "//meta[@http-equiv]"), ==, 1);
}

typedef struct {
    const char *file;
    const char *hops;
    const char *needle;
} Sample;

static void
test_samples(void)
{
    static const Sample samples[] = {
        {"plain.eml", "4 hops.", "mx1.example.org"},
        {"japanese.eml", "3 hops.", NULL},
        {"attachment.eml", "6 hops.", "2001:218:1::1"},
        {"phishing.eml", "4 hops.", "support.paypal.secure@gmail.com"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(samples); i++) {
        g_autofree char *path = sample_path(samples[i].file);
        g_autoptr(GPtrArray) reports = analyze_path(path);
        const MtReport *report;
        gsize len = 0;
        g_autofree char *html = NULL;
        g_autofree char *text = NULL;
        htmlDocPtr doc;

        g_assert_cmpuint(reports->len, ==, 1);
        report = reports->pdata[0];
        html = render(reports, &len);
        g_assert_true(g_str_has_prefix(html, "<!DOCTYPE html>"));
        g_assert_true(g_utf8_validate(html, (gssize)len, NULL));
        doc = parse(html, len);
        assert_safe(doc);
        text = all_text(doc);
        g_assert_nonnull(strstr(text, samples[i].hops));
        g_assert_nonnull(strstr(text, report->source.sha256));
        if (samples[i].needle)
            g_assert_nonnull(strstr(text, samples[i].needle));
        /* One row per header field, each with the anchor evidence uses. */
        g_assert_cmpfloat(xcount(doc, "//tr[starts-with(@id, 'm1-h') and "
                                      "not(starts-with(@id, 'm1-hop'))]"),
                          ==, report->headers->len);
        g_assert_cmpfloat(xcount(doc, "//tr[starts-with(@id, 'm1-hop')]"),
                          ==, report->relay.hops->len);
        /* Each header link points to a row that exists. */
        g_assert_cmpfloat(
            xcount(doc, "//a[starts-with(@href, '#m1-h')][not(substring("
                        "@href, 2) = //tr/@id)]"),
            ==, 0);
        g_assert_cmpfloat(xcount(doc, "//svg//rect"), ==,
                          report->relay.hops->len + 1);
        if (strcmp(samples[i].file, "japanese.eml") == 0) {
            g_autofree char *h2 = xstring(doc, "//section/h2");
            g_autofree char *title = xstring(doc, "//head/title");
            g_assert_nonnull(strstr(h2, japanese_subject));
            g_assert_nonnull(strstr(title, japanese_subject));
        }
        xmlFreeDoc(doc);
    }
}

static void
test_many(void)
{
    g_autofree char *path = sample_path("mailbox.mbox");
    g_autoptr(GPtrArray) reports = analyze_path(path);
    gsize len = 0;
    g_autofree char *html = render(reports, &len);
    htmlDocPtr doc = parse(html, len);

    g_assert_cmpuint(reports->len, >, 1);
    assert_safe(doc);
    g_assert_cmpfloat(xcount(doc, "//section[@class='message']"), ==,
                      reports->len);
    g_assert_cmpfloat(xcount(doc, "//nav/ol/li/a"), ==, reports->len);
    {
        g_autofree char *title = xstring(doc, "//head/title");
        g_autofree char *want = g_strdup_printf(
            "%u messages \xE2\x80\x94 mailtrail", reports->len);
        g_assert_cmpstr(title, ==, want);
    }
    g_assert_cmpfloat(xcount(doc, "//section[@id='m2']//tr[@id='m2-h0']"),
                      ==, 1);
    xmlFreeDoc(doc);
}

static void
test_deterministic(void)
{
    g_autofree char *path = sample_path("phishing.eml");
    g_autoptr(GPtrArray) reports = analyze_path(path);
    gsize len1 = 0;
    gsize len2 = 0;
    g_autofree char *one = NULL;
    g_autofree char *two = NULL;

    g_setenv("SOURCE_DATE_EPOCH", "1794096000", TRUE);
    one = render(reports, &len1);
    two = render(reports, &len2);
    g_assert_cmpmem(one, len1, two, len2);
    g_assert_nonnull(strstr(one, "generated 2026-11-08T00:00:00Z"));
    g_setenv("SOURCE_DATE_EPOCH", "1793491200", TRUE); /* as main() set it */
}

static void
test_hostile(void)
{
    static const char subject[] =
        "<script>document.title='x'</script></style></title>\"'><img src=x "
        "onerror=alert(1)>";
    GString *msg = g_string_new(NULL);
    g_autoptr(GPtrArray) reports = NULL;
    g_autofree char *html = NULL;
    g_autofree char *h2 = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    htmlDocPtr doc;

    g_string_append_printf(msg, "Subject: %s\n", subject);
    g_string_append(msg, "From: \"<svg onload=alert(1)>\" <a@example.com>\n"
                         "Reply-To: <javascript:alert(1)>\n"
                         "Received: from <b onmouseover=alert(1)> by "
                         "x.example with SMTP; Tue, 3 Nov 2026 10:00:00 "
                         "+0000\n"
                         "X-Bidi: \xE2\x80\xAE" "fdp.exe\n"
                         "X-Ctl: a\x1b[2Jb\x01\n"
                         "X-Bad: \xff\xfe\n"
                         "\nbody\n");
    reports = analyze_bytes(msg->str, msg->len);
    g_string_free(msg, TRUE);
    g_assert_cmpuint(reports->len, ==, 1);
    html = render(reports, &len);
    g_assert_true(g_utf8_validate(html, (gssize)len, NULL));
    g_assert_null(strstr(html, "<script"));
    g_assert_null(strstr(html, "<img"));
    g_assert_null(strstr(html, "<svg onload"));
    g_assert_null(strchr(html, '\x1b'));
    doc = parse(html, len);
    assert_safe(doc);
    /* Only our own SVG: the diagram, with no attribute from a message. */
    g_assert_cmpfloat(xcount(doc, "//svg"), ==, 1);
    /* The subject comes back as text, character for character. */
    h2 = xstring(doc, "//section/h2");
    g_assert_cmpstr(h2, ==, subject);
    text = all_text(doc);
    g_assert_nonnull(strstr(text, "<U+202E>fdp.exe"));
    g_assert_nonnull(strstr(text, "a\\x1B[2Jb\\x01"));
    g_assert_nonnull(strstr(text, "\\xFF\\xFE"));
    g_assert_nonnull(strstr(text, "<javascript:alert(1)>"));
    xmlFreeDoc(doc);
}

static void
test_safe_text(void)
{
    g_autofree char *a = mt_html_safe_text("a\x01\x7f" "b", 0);
    g_autofree char *b = mt_html_safe_text("\xE2\x80\xAE" "x\xC2\x85", 0);
    g_autofree char *c = mt_html_safe_text("abcdef", 3);
    g_autofree char *d = mt_html_safe_text(
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2);
    g_autofree char *e = mt_html_safe_text(NULL, 0);

    g_assert_cmpstr(a, ==, "a\\x01\\x7Fb");
    g_assert_cmpstr(b, ==, "<U+202E>x<U+0085>");
    g_assert_cmpstr(c, ==, "abc\xE2\x80\xA6 (3 more characters)");
    g_assert_cmpstr(d, ==, "\xE6\x97\xA5\xE6\x9C\xAC\xE2\x80\xA6 (1 more "
                           "characters)");
    g_assert_cmpstr(e, ==, "");
}

static void
test_index(void)
{
    g_autofree char *path = sample_path("mailbox.mbox");
    g_autoptr(GPtrArray) reports = analyze_path(path);
    g_autofree char *dir = g_dir_make_tmp("mt-html-XXXXXX", NULL);
    MtHtmlIndex *index = mt_html_index_new();
    const char *sorts[] = {"index.html", "index-date.html",
                           "index-from.html", "index-subject.html",
                           "index-severity.html", "index-score.html"};
    GError *error = NULL;
    g_autofree char *file = NULL;
    g_autofree char *first = NULL;
    gchar *html = NULL;
    gsize len = 0;
    htmlDocPtr doc;

    g_assert_nonnull(dir);
    for (guint i = 0; i < reports->len; i++) {
        g_autofree char *page = g_strdup_printf("%06u-mailbox.html", i + 1);
        mt_html_index_add(index, reports->pdata[i], page);
    }
    g_assert_true(mt_html_index_write(index, dir, &error));
    g_assert_no_error(error);
    for (guint s = 0; s < G_N_ELEMENTS(sorts); s++) {
        g_autofree char *p = g_build_filename(dir, sorts[s], NULL);
        g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
    }
    file = g_build_filename(dir, "index.html", NULL);
    g_assert_true(g_file_get_contents(file, &html, &len, NULL));
    doc = parse(html, len);
    g_assert_cmpfloat(xcount(doc, "//script"), ==, 0);
    g_assert_cmpfloat(xcount(doc, "//tbody/tr"), ==, reports->len);
    g_assert_cmpfloat(xcount(doc, "//tbody/tr/td/a[@href='000001-"
                                  "mailbox.html']"),
                      ==, 1);
    g_assert_cmpfloat(xcount(doc, "//thead//a[@href='index-date.html']"), ==,
                      1);
    xmlFreeDoc(doc);
    g_free(html);

    /* Sorted by subject: the first row's subject sorts first. */
    g_clear_pointer(&file, g_free);
    file = g_build_filename(dir, "index-subject.html", NULL);
    g_assert_true(g_file_get_contents(file, &html, &len, NULL));
    doc = parse(html, len);
    first = xstring(doc, "//tbody/tr[1]/td[4]/a");
    for (guint i = 2; i <= reports->len; i++) {
        g_autofree char *expr = g_strdup_printf("//tbody/tr[%u]/td[4]/a", i);
        g_autofree char *other = xstring(doc, expr);
        g_autofree char *fa = g_utf8_casefold(first, -1);
        g_autofree char *fb = g_utf8_casefold(other, -1);
        g_assert_cmpint(g_utf8_collate(fa, fb), <=, 0);
        g_free(first);
        first = g_steal_pointer(&other);
    }
    xmlFreeDoc(doc);
    g_free(html);

    /* A second run into the same directory must not replace anything. */
    g_assert_false(mt_html_index_write(index, dir, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_IO);
    g_clear_error(&error);
    mt_html_index_free(index);
    mt_html_index_free(NULL);
    for (guint s = 0; s < G_N_ELEMENTS(sorts); s++) {
        g_autofree char *p = g_build_filename(dir, sorts[s], NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

/* With the sample GeoIP databases, the origin's country and network show
 * in the relay section, the diagram and the index row. */
static void
test_geoip(void)
{
    g_autofree char *city = sample_path("geoip/mailtrail-sample-city.mmdb");
    g_autofree char *asn = sample_path("geoip/mailtrail-sample-asn.mmdb");
    g_autofree char *path = sample_path("phishing.eml");
    MtGeoip *geoip = mt_geoip_new();
    GError *error = NULL;
    MtOptions options;
    MtInput *input;
    MtRawMessage *raw = NULL;
    const char *error_path = NULL;
    MtReport *report;
    g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func(
        (GDestroyNotify)mt_report_free);
    MtHtmlIndex *index = mt_html_index_new();
    g_autofree char *dir = g_dir_make_tmp("mt-html-XXXXXX", NULL);
    g_autofree char *file = NULL;
    g_autofree char *html = NULL;
    g_autofree char *text = NULL;
    g_autofree char *origin = NULL;
    gsize len = 0;
    htmlDocPtr doc;

    g_assert_true(mt_geoip_add_database(geoip, city, &error));
    g_assert_true(mt_geoip_add_database(geoip, asn, &error));
    g_assert_no_error(error);
    mt_options_init_default(&options);
    options.geoip = geoip;
    input = mt_input_new(&options.limits);
    mt_input_add(input, path, MT_INPUT_FORMAT_AUTO);
    g_assert_cmpint(mt_input_next(input, &raw, &error_path, &error), ==,
                    MT_INPUT_MESSAGE);
    report = mt_analyze(raw, &options);
    mt_raw_message_free(raw);
    mt_input_free(input);
    g_ptr_array_add(reports, report);
    if (report->relay.origin.geo == NULL) {
        /* The relay analysis has not looked the origin up. */
        g_test_skip("no GeoIP record for the origin in the model");
        mt_html_index_free(index);
        mt_geoip_free(geoip);
        g_rmdir(dir);
        return;
    }

    html = render(reports, &len);
    doc = parse(html, len);
    assert_safe(doc);
    text = all_text(doc);
    /* 175.16.199.10 is CN in the sample database; the claimed
     * X-Originating-IP 81.2.69.142 is GB. */
    g_assert_nonnull(strstr(text, "CN"));
    g_assert_nonnull(strstr(text, "GB"));
    g_assert_null(strstr(text, "no GeoIP database loaded"));
    xmlFreeDoc(doc);

    mt_html_index_add(index, report, "000001-phishing.html");
    g_assert_true(mt_html_index_write(index, dir, &error));
    g_assert_no_error(error);
    file = g_build_filename(dir, "index.html", NULL);
    g_free(html);
    g_assert_true(g_file_get_contents(file, &html, &len, NULL));
    doc = parse(html, len);
    origin = xstring(doc, "//tbody/tr[1]/td[8]");
    g_assert_cmpstr(origin, ==, "CN");
    xmlFreeDoc(doc);
    mt_html_index_free(index);
    for (const char *const *f = (const char *const[]){
             "index.html", "index-date.html", "index-from.html",
             "index-subject.html", "index-severity.html",
             "index-score.html", NULL};
         *f; f++) {
        g_autofree char *p = g_build_filename(dir, *f, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
    mt_geoip_free(geoip);
}

/* An input that gave no message still gets a section and an index row. */
static void
test_error_record(void)
{
    g_autoptr(GError) error = g_error_new(MT_ERROR, MT_ERROR_NOT_MESSAGE,
                                          "not a message: <b>binary</b>");
    g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func(
        (GDestroyNotify)mt_report_free);
    MtHtmlIndex *index = mt_html_index_new();
    g_autofree char *html = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    htmlDocPtr doc;

    g_ptr_array_add(reports, mt_report_new_for_error("a<b>.bin", error));
    html = render(reports, &len);
    doc = parse(html, len);
    assert_safe(doc);
    text = all_text(doc);
    g_assert_nonnull(strstr(text, "not a message: <b>binary</b>"));
    g_assert_nonnull(strstr(text, "a<b>.bin"));
    g_assert_cmpfloat(xcount(doc, "//b"), ==, 0);
    xmlFreeDoc(doc);
    mt_html_index_add(index, reports->pdata[0], "000001-a_b_.bin-0.html");
    mt_html_index_free(index);
}

/* ---- The content model, built by hand. ---- */

/* Hostile values an attacker controls in the content: a file name with
 * an RTLO and markup, a javascript: link with a script as its text, a
 * link whose text shows another domain, a rewritten link, a preview
 * that is HTML. */
#define EVIL_NAME "\xE2\x80\xAE" "fdp.exe<script>alert(1)</script>.pdf"
#define EVIL_ANCHOR "<script>alert('a')</script>https://www.paypal.com"
#define EVIL_PREVIEW "<html><script>alert(1)</script>\n" \
    "<a href=\"javascript:alert(2)\">click</a>\tend"
#define PHISH_URL "https://login.evil.example/paypal?x=1.2"
#define WRAPPED_URL "https://nam02.safelinks.protection.outlook.com/?url=x"
#define UNWRAPPED_URL "http://phish.example.net/a.b"
#define JS_URL "javascript:alert(document.cookie)"
#define ATTACHMENT_BYTES "MZ\x90\x00 not really a program"

static MtParam *
param_new(const char *name, const char *value)
{
    MtParam *p = g_new0(MtParam, 1);

    p->name = g_strdup(name);
    p->value = g_strdup(value);
    return p;
}

static MtPart *
part_new(const char *path, MtPartKind kind, int depth, const char *type)
{
    MtPart *p = g_new0(MtPart, 1);

    p->path = g_strdup(path);
    p->kind = kind;
    p->depth = depth;
    p->content_type = g_strdup(type);
    p->type_declared = TRUE;
    p->type_params = g_ptr_array_new_with_free_func(mt_param_free);
    p->disposition_params = g_ptr_array_new_with_free_func(mt_param_free);
    p->children = g_ptr_array_new_with_free_func(mt_part_free);
    p->header_offset = -1;
    p->body_offset = -1;
    return p;
}

static MtUrl *
url_new(const char *url, MtUrlSource source, const char *anchor,
        guint flags)
{
    MtUrl *u = g_new0(MtUrl, 1);

    u->url = g_strdup(url);
    u->source = source;
    u->anchor_text = g_strdup(anchor);
    u->flags = flags;
    u->part = g_strdup("1");
    return u;
}

static MtIndicator *
indicator_new(MtIndicatorType type, const char *value, const char *source)
{
    MtIndicator *ind = g_new0(MtIndicator, 1);

    ind->type = type;
    ind->value = g_strdup(value);
    ind->sources = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(ind->sources, g_strdup(source));
    return ind;
}

/* A report of a real message, its content replaced by a hand-built
 * model: multipart/mixed TEXT with an HTML body (1), an executable
 * posing as a PDF (2), a forwarded message (3, its body 3.1) and a zip
 * (4). The attachment's hashes are those of ATTACHMENT_BYTES. */
static GPtrArray *
content_reports(MtHashes *hashes)
{
    static const char outer[] =
        "Received: from mx.example.org ([192.0.2.1]) by mx.example.net "
        "with ESMTP; Tue, 3 Nov 2026 10:00:00 +0000\n"
        "From: Outer <outer@example.org>\n"
        "To: you@example.net\n"
        "Subject: content\n"
        "Date: Tue, 3 Nov 2026 10:00:00 +0000\n"
        "\nbody\n";
    static const char inner[] =
        "Received: from evil ([198.51.100.7]) by mx.evil.example "
        "with SMTP; Mon, 2 Nov 2026 08:00:00 +0000\n"
        "From: \"<b>Forwarded</b> Sender\" <fw@evil.example>\n"
        "Subject: Fwd <i>urgent</i>\n"
        "Date: Mon, 2 Nov 2026 08:00:00 +0000\n"
        "\ninner\n";
    GPtrArray *reports = analyze_bytes(outer, sizeof(outer) - 1);
    g_autoptr(GPtrArray) inner_reports = analyze_bytes(inner,
                                                       sizeof(inner) - 1);
    MtReport *r = reports->pdata[0];
    MtMime *m = &r->mime;
    MtPart *root;
    MtPart *p;
    MtAttachment *a;
    MtArchiveEntry *e;
    MtBody *b;
    MtUrl *u;
    MtEvidence ev = {-1, -1, -1, (char *)"2"};

    mt_hashes_compute(ATTACHMENT_BYTES, sizeof(ATTACHMENT_BYTES) - 1, hashes);
    /* Whatever the analyzer found is replaced. */
    mt_mime_clear(m);
    mt_mime_init(m);
    g_ptr_array_set_size(r->links, 0);
    g_ptr_array_set_size(r->indicators, 0);
    m->analyzed = TRUE;
    m->part_count = 6;
    m->max_depth = 2;

    root = part_new("TEXT", MT_PART_MULTIPART, 0, "multipart/mixed");
    g_ptr_array_add(root->type_params, param_new("boundary", "b1"));
    root->preamble = g_strdup("This is a multi-part message.");
    m->root = root;

    p = part_new("1", MT_PART_LEAF, 1, "text/html");
    p->charset = g_strdup("utf-8");
    p->transfer_encoding = g_strdup("quoted-printable");
    p->size_encoded = 120;
    p->size_decoded = 100;
    p->is_body = TRUE;
    p->header_offset = 200;
    p->body_offset = 240;
    g_ptr_array_add(root->children, p);

    p = part_new("2", MT_PART_LEAF, 1, "application/pdf");
    p->disposition = g_strdup("attachment");
    g_ptr_array_add(p->disposition_params, param_new("filename", EVIL_NAME));
    p->filename = g_strdup(EVIL_NAME);
    p->transfer_encoding = g_strdup("base64");
    p->size_decoded = sizeof(ATTACHMENT_BYTES) - 1;
    p->hashes = *hashes;
    p->detected_type = g_strdup("application/x-dosexec");
    p->is_attachment = TRUE;
    g_ptr_array_add(root->children, p);

    p = part_new("3", MT_PART_MESSAGE, 1, "message/rfc822");
    p->message = g_ptr_array_steal_index(inner_reports, 0);
    p->message->embedded_depth = 1;
    g_ptr_array_add(p->children, part_new("3.1", MT_PART_LEAF, 2,
                                          "text/plain"));
    g_ptr_array_add(root->children, p);

    p = part_new("4", MT_PART_LEAF, 1, "application/zip");
    p->filename = g_strdup("docs.zip");
    p->is_attachment = TRUE;
    g_ptr_array_add(root->children, p);

    a = g_new0(MtAttachment, 1);
    a->part = g_strdup("2");
    a->source = g_strdup("mime");
    a->filename = g_strdup(EVIL_NAME);
    a->extension = g_strdup("pdf");
    a->declared_type = g_strdup("application/pdf");
    a->detected_type = g_strdup("application/x-dosexec");
    a->detected_description = g_strdup("PE32 executable <b>(GUI)</b>");
    a->size = sizeof(ATTACHMENT_BYTES) - 1;
    a->hashes = *hashes;
    a->flags = MT_ATTACH_TYPE_MISMATCH | MT_ATTACH_DOUBLE_EXT |
               MT_ATTACH_EXECUTABLE | MT_ATTACH_BIDI_NAME;
    g_ptr_array_add(m->attachments, a);

    a = g_new0(MtAttachment, 1);
    a->part = g_strdup("4");
    a->source = g_strdup("mime");
    a->filename = g_strdup("docs.zip");
    a->extension = g_strdup("zip");
    a->declared_type = g_strdup("application/zip");
    a->detected_type = g_strdup("application/zip");
    a->size = 10;
    mt_hashes_compute("0123456789", 10, &a->hashes);
    a->flags = MT_ATTACH_ARCHIVE | MT_ATTACH_ENCRYPTED;
    a->archive_format = g_strdup("ZIP 2.0 (deflation)");
    a->archive_entries = mt_archive_entries_new();
    e = g_new0(MtArchiveEntry, 1);
    e->name = g_strdup("<img src=x onerror=alert(1)>.js");
    e->size = 77;
    e->executable = TRUE;
    e->encrypted = TRUE;
    g_ptr_array_add(a->archive_entries, e);
    a->archive_entries_dropped = 3;
    g_ptr_array_add(m->attachments, a);

    b = g_new0(MtBody, 1);
    b->part = g_strdup("1");
    b->content_type = g_strdup("text/html");
    b->charset_declared = g_strdup("utf8");
    b->charset_used = g_strdup("UTF-8");
    b->charset_note = g_strdup("label repaired");
    b->size = 100;
    b->chars = 400;
    b->preview = g_strdup(EVIL_PREVIEW);
    g_ptr_array_add(m->bodies, b);

    u = url_new(JS_URL, MT_URL_HREF, EVIL_ANCHOR, MT_URL_JAVASCRIPT);
    u->scheme = g_strdup("javascript");
    g_ptr_array_add(r->links, u);
    u = url_new(PHISH_URL, MT_URL_HREF, "https://www.paypal.com",
                MT_URL_TEXT_MISMATCH);
    u->scheme = g_strdup("https");
    u->host = g_strdup("login.evil.example");
    g_ptr_array_add(r->links, u);
    u = url_new(WRAPPED_URL, MT_URL_HREF, "click here", MT_URL_WRAPPED);
    u->unwrapped = g_strdup(UNWRAPPED_URL);
    u->wrapper = g_strdup("safelinks");
    g_ptr_array_add(r->links, u);
    r->links_dropped = 2;

    g_ptr_array_add(r->indicators,
                    indicator_new(MT_INDICATOR_URL, PHISH_URL, "link 2"));
    g_ptr_array_add(r->indicators,
                    indicator_new(MT_INDICATOR_DOMAIN, "login.evil.example",
                                  "link 2"));
    g_ptr_array_add(r->indicators,
                    indicator_new(MT_INDICATOR_SHA256, hashes->sha256,
                                  "part 2"));
    /* An id the registry has had from the start: the title must be
     * there for the schema. */
    mt_report_add_finding(r, "smime-signature-broken", MT_SEVERITY_HIGH,
                          &ev, "%s",
                          "signature of part 2 broken, see "
                          "https://evil.example/x.y");
    return reports;
}

static void
test_content_html(void)
{
    MtHashes hashes;
    g_autoptr(GPtrArray) reports = content_reports(&hashes);
    gsize len = 0;
    g_autofree char *html = render(reports, &len);
    g_autofree char *text = NULL;
    g_autofree char *pre = NULL;
    g_autofree char *fwd = NULL;
    g_autofree char *expr = NULL;
    htmlDocPtr doc;

    g_assert_true(g_utf8_validate(html, (gssize)len, NULL));
    g_assert_null(strstr(html, "<script"));
    g_assert_null(strstr(html, "<img"));
    doc = parse(html, len);
    assert_safe(doc);
    text = all_text(doc);

    /* The tree: six parts, nested, each with its anchor. */
    g_assert_cmpfloat(xcount(doc, "//ul[starts-with(@class, 'mime')]/li"
                                  "[starts-with(@id, 'm1-p')]"),
                      ==, 6);
    g_assert_cmpfloat(xcount(doc, "//li[@id='m1-pTEXT']/ul/li[@id='m1-p3']"
                                  "/ul/li[@id='m1-p3.1']"),
                      ==, 1);
    /* Every local link lands on an element of the page. */
    g_assert_cmpfloat(xcount(doc, "//a[not(substring(@href, 2) = //@id)]"),
                      ==, 0);
    /* The finding's evidence links to the part. */
    g_assert_cmpfloat(xcount(doc, "//a[@href='#m1-p2']"), >=, 2);

    /* The forwarded message, with its own sender, subject and hops. */
    g_assert_cmpfloat(xcount(doc, "//div[@class='fwd']"), ==, 1);
    fwd = xstring(doc, "//div[@class='fwd']");
    g_assert_nonnull(strstr(fwd, "Forwarded message"));
    g_assert_nonnull(strstr(fwd, "fw@evil.example"));
    g_assert_nonnull(strstr(fwd, "<b>Forwarded</b> Sender"));
    g_assert_nonnull(strstr(fwd, "Fwd <i>urgent</i>"));
    g_assert_nonnull(strstr(fwd, "1 hop"));
    g_assert_cmpfloat(xcount(doc, "//tr[@id='m1-p3-hop1']"), ==, 1);
    g_assert_cmpfloat(xcount(doc, "//b | //i"), ==, 0);

    /* Attachments: the three hashes, selectable, the name as text. */
    expr = g_strdup_printf("//table[@class='attachments']//code[@class="
                           "'hash' and . = '%s']",
                           hashes.sha256);
    g_assert_cmpfloat(xcount(doc, expr), ==, 1);
    g_free(expr);
    expr = g_strdup_printf("//code[@class='hash' and . = '%s']", hashes.md5);
    g_assert_cmpfloat(xcount(doc, expr), ==, 1);
    g_free(expr);
    expr = g_strdup_printf("//code[@class='hash' and . = '%s']", hashes.sha1);
    g_assert_cmpfloat(xcount(doc, expr), ==, 1);
    g_assert_nonnull(strstr(text, "<U+202E>fdp.exe<script>alert(1)</script>"
                                  ".pdf"));
    g_assert_nonnull(strstr(text, "application/x-dosexec"));
    g_assert_cmpfloat(xcount(doc, "//table[@class='attachments']//span["
                                  "@class='flag bad' and . = "
                                  "'double-extension']"),
                      ==, 1);
    g_assert_cmpfloat(xcount(doc, "//table[@class='attachments']//details"),
                      ==, 1);
    g_assert_nonnull(strstr(text, "<img src=x onerror=alert(1)>.js"));
    g_assert_nonnull(strstr(text, "3 more not listed"));

    /* The body: its preview as text, lines kept, the markup visible. */
    pre = xstring(doc, "//pre[@class='preview']");
    g_assert_cmpstr(pre, ==, "<html><script>alert(1)</script>\n"
                             "<a href=\"javascript:alert(2)\">click</a> end");
    g_assert_nonnull(strstr(text, "label repaired"));

    /* Links: defanged, never live, flags and targets shown. */
    g_assert_null(strstr(text, "login.evil.example/"));
    g_assert_nonnull(strstr(text, "hxxps://login[.]evil[.]example/paypal?"
                                  "x=1.2"));
    g_assert_nonnull(strstr(text, "hxxp://phish[.]example[.]net/a.b"));
    g_assert_nonnull(strstr(text, JS_URL));
    g_assert_nonnull(strstr(text, EVIL_ANCHOR));
    g_assert_cmpfloat(xcount(doc, "//table[@class='links']//span[@class="
                                  "'flag bad' and . = 'text-mismatch']"),
                      ==, 1);
    g_assert_cmpfloat(xcount(doc, "//table[@class='links']/tbody/tr"), ==, 3);
    g_assert_nonnull(strstr(text, "2 more links were counted"));
    /* A URL quoted in a finding's message is defanged too. */
    g_assert_null(strstr(text, "https://evil.example/x.y"));
    g_assert_nonnull(strstr(text, "see hxxps://evil[.]example/x.y"));
    g_assert_cmpfloat(xcount(doc, "//a[contains(@href, 'evil') or "
                                  "contains(@href, 'javascript') or "
                                  "contains(@href, 'phish')]"),
                      ==, 0);

    /* Indicators, folded away, defanged. */
    g_assert_cmpfloat(xcount(doc, "//details/table[@class='indicators']"
                                  "/tbody/tr | //details/div/table[@class="
                                  "'indicators']/tbody/tr"),
                      ==, 3);
    g_assert_nonnull(strstr(text, "login[.]evil[.]example"));
    xmlFreeDoc(doc);
}

/* The keys of a JSON object in order, joined by spaces. */
static char *
json_keys(json_t *o)
{
    GString *out = g_string_new(NULL);

    for (void *it = json_object_iter(o); it;
         it = json_object_iter_next(o, it))
        g_string_append_printf(out, "%s%s", out->len ? " " : "",
                               json_object_iter_key(it));
    return g_string_free(out, FALSE);
}

/* Validates doc against the schema with python3-jsonschema, the schema
 * suite's validator; FALSE (with the test skipped) when it is missing. */
static gboolean
schema_validate(json_t *doc)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autofree char *schema = g_build_filename(
        root ? root : ".", "doc", "mailtrail-report.schema.json", NULL);
    g_autofree char *python = g_find_program_in_path("python3");
    g_autofree char *dir = g_dir_make_tmp("mt-json-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "report.json", NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *script =
        "import json, sys\n"
        "try:\n"
        "    import jsonschema\n"
        "except ImportError:\n"
        "    sys.exit(77)\n"
        "v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\n"
        "errs = [f'{e.json_path}: {e.message[:200]}'\n"
        "        for e in v.iter_errors(json.load(open(sys.argv[2])))]\n"
        "print('\\n'.join(errs[:20]))\n"
        "sys.exit(1 if errs else 0)\n";
    char *argv[] = {python, (char *)"-c", (char *)script, schema, file,
                    NULL};
    int status = 0;
    GError *error = NULL;

    g_assert_nonnull(dir);
    g_assert_cmpint(json_dump_file(doc, file, JSON_INDENT(1)), ==, 0);
    if (python == NULL) {
        g_test_skip("python3 is not installed");
        g_unlink(file);
        g_rmdir(dir);
        return FALSE;
    }
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &err, &status, &error));
    g_assert_no_error(error);
    g_unlink(file);
    g_rmdir(dir);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        g_test_skip("python3-jsonschema is not installed");
        return FALSE;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_test_message("schema: %s%s", out, err);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return TRUE;
}

static void
test_content_json(void)
{
    MtHashes hashes;
    g_autoptr(GPtrArray) reports = content_reports(&hashes);
    MtReport *r = reports->pdata[0];
    json_t *o = mt_json_report(r);
    json_t *mime = json_object_get(o, "mime");
    json_t *root = json_array_get(json_object_get(mime, "parts"), 0);
    json_t *kids = json_object_get(root, "children");
    json_t *fwd = json_array_get(kids, 2);
    json_t *embedded = json_object_get(fwd, "message");
    json_t *att = json_array_get(json_object_get(mime, "attachments"), 0);
    json_t *zip = json_array_get(json_object_get(mime, "attachments"), 1);
    json_t *body = json_array_get(json_object_get(mime, "bodies"), 0);
    json_t *link = json_array_get(json_object_get(o, "links"), 1);
    g_autofree char *keys = json_keys(o);
    g_autofree char *flags = json_dumps(json_object_get(att, "flags"),
                                        JSON_COMPACT);
    g_autofree char *one = json_dumps(o, JSON_COMPACT);
    g_autofree char *two = NULL;

    /* The content keys sit after "authentication". */
    g_assert_nonnull(strstr(keys, "identity authentication mime links "
                                  "links_dropped indicators findings "
                                  "errors"));
    g_assert_true(json_is_true(json_object_get(mime, "analyzed")));
    g_assert_cmpint(json_integer_value(json_object_get(mime, "part_count")),
                    ==, 6);
    g_assert_true(json_is_null(json_object_get(mime, "partial")));
    g_assert_cmpuint(json_array_size(json_object_get(mime, "parts")), ==, 1);
    g_assert_cmpstr(json_string_value(json_object_get(root, "path")), ==,
                    "TEXT");
    g_assert_cmpstr(json_string_value(json_object_get(root, "kind")), ==,
                    "multipart");
    g_assert_true(json_is_null(json_object_get(root, "hashes")));
    g_assert_true(json_is_null(json_object_get(root, "header_offset")));
    g_assert_cmpuint(json_array_size(kids), ==, 4);
    g_assert_cmpint(json_integer_value(json_object_get(
                        json_array_get(kids, 0), "body_offset")),
                    ==, 240);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(json_array_get(kids, 1), "hashes"),
                        "sha256")),
                    ==, hashes.sha256);
    /* The forwarded message: a full report without the content keys,
     * its body a child of the part. */
    g_assert_cmpstr(json_string_value(json_object_get(fwd, "kind")), ==,
                    "message");
    g_assert_true(json_is_object(embedded));
    g_assert_null(json_object_get(embedded, "mime"));
    g_assert_null(json_object_get(embedded, "links"));
    g_assert_null(json_object_get(embedded, "indicators"));
    g_assert_nonnull(json_object_get(embedded, "relay"));
    {
        json_t *summary = json_object_get(embedded, "summary");
        json_t *subject = json_object_get(summary, "subject");
        g_assert_cmpstr(json_string_value(json_object_get(subject, "text")),
                        ==, "Fwd <i>urgent</i>");
    }
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(json_object_get(fwd, "children"), 0),
                        "path")),
                    ==, "3.1");
    g_assert_true(json_is_null(json_object_get(json_array_get(kids, 0),
                                               "message")));
    /* Flags as names in bit order; the archive listing. */
    g_assert_cmpstr(flags, ==, "[\"type-mismatch\",\"double-extension\","
                               "\"executable\",\"bidi-name\"]");
    g_assert_cmpstr(json_string_value(json_object_get(att, "filename")), ==,
                    EVIL_NAME);
    g_assert_true(json_is_null(json_object_get(att, "archive")));
    g_assert_cmpint(json_integer_value(json_object_get(
                        json_object_get(zip, "archive"), "entries_dropped")),
                    ==, 3);
    g_assert_true(json_is_true(json_object_get(
        json_array_get(json_object_get(json_object_get(zip, "archive"),
                                       "entries"),
                       0),
        "executable")));
    /* "text" only with --bodies. */
    g_assert_null(json_object_get(body, "text"));
    g_assert_cmpstr(json_string_value(json_object_get(body, "preview")), ==,
                    EVIL_PREVIEW);
    /* JSON keeps the real URL. */
    g_assert_cmpstr(json_string_value(json_object_get(link, "url")), ==,
                    PHISH_URL);
    g_assert_cmpstr(json_string_value(json_object_get(link, "source")), ==,
                    "href");
    g_assert_cmpint(json_integer_value(json_object_get(o, "links_dropped")),
                    ==, 2);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(json_object_get(o, "indicators"), 2),
                        "type")),
                    ==, "sha256");
    /* Deterministic. */
    json_decref(o);
    o = mt_json_report(r);
    two = json_dumps(o, JSON_COMPACT);
    g_assert_cmpstr(one, ==, two);
    json_decref(o);

    ((MtBody *)r->mime.bodies->pdata[0])->text = g_strdup("full text");
    o = mt_json_report(r);
    body = json_array_get(json_object_get(json_object_get(o, "mime"),
                                          "bodies"),
                          0);
    g_assert_cmpstr(json_string_value(json_object_get(body, "text")), ==,
                    "full text");
    schema_validate(o);
    json_decref(o);
}

/* The terminal summary for reports, as text (transfer full). */
static char *
render_text(const GPtrArray *reports, gboolean defang)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    MtRenderer renderer;
    MtRunStats stats = {0};

    g_assert_nonnull(out);
    mt_renderer_init(&renderer, MT_FORMAT_TEXT, out);
    renderer.defang = defang;
    mt_renderer_begin(&renderer);
    for (guint i = 0; i < reports->len; i++)
        mt_renderer_report(&renderer, reports->pdata[i]);
    mt_renderer_end(&renderer, &stats);
    g_assert_cmpint(fclose(out), ==, 0);
    return buf;
}

static void
test_content_text(void)
{
    MtHashes hashes;
    g_autoptr(GPtrArray) reports = content_reports(&hashes);
    g_autofree char *plain = render_text(reports, FALSE);
    g_autofree char *defanged = render_text(reports, TRUE);
    g_autofree char *sha = g_strdup_printf("sha256 %s", hashes.sha256);

    /* No RTLO and no escape byte reach the terminal. */
    g_assert_null(strstr(plain, "\xE2\x80\xAE"));
    g_assert_nonnull(strstr(plain, "Attachments (2):"));
    g_assert_nonnull(strstr(plain, "<U+202E>fdp.exe"));
    g_assert_nonnull(strstr(plain, sha));
    g_assert_nonnull(strstr(plain, "application/pdf -> "
                                   "application/x-dosexec"));
    g_assert_nonnull(strstr(plain, "type-mismatch double-extension "
                                   "executable bidi-name"));
    g_assert_nonnull(strstr(plain, "ZIP 2.0 (deflation): 4 entries, "
                                   "1 executable, 1 encrypted"));
    g_assert_nonnull(strstr(plain, "Bodies:       part 1 text/html UTF-8 "
                                   "(label repaired)"));
    g_assert_nonnull(strstr(plain, "Links:        3 (2 flagged; 2 more "
                                   "past the limit)"));
    g_assert_nonnull(strstr(plain, "    " PHISH_URL "  [text-mismatch] "
                                   "part 1 href"));
    g_assert_nonnull(strstr(plain, "part 3: forwarded message from "
                                   "\"<b>Forwarded</b> Sender\" "
                                   "<fw@evil.example>, subject \"Fwd "
                                   "<i>urgent</i>\""));
    /* The wrapped link is no warning: not listed. */
    g_assert_null(strstr(plain, "safelinks"));
    g_assert_null(strstr(defanged, PHISH_URL));
    g_assert_nonnull(strstr(defanged, "hxxps://login[.]evil[.]example/"
                                      "paypal?x=1.2  [text-mismatch]"));
    g_assert_nonnull(strstr(defanged, JS_URL));
}

/* A part tree as deep as the limits allow, and deeper: 60 multiparts,
 * then a chain of 5 embedded messages. Rendered without recursion; the
 * HTML nests at most MIME_NEST_MAX lists and still parses. */
static void
test_content_deep(void)
{
    static const char msg[] = "From: a@example.org\nSubject: deep\n\nx\n";
    g_autoptr(GPtrArray) reports = analyze_bytes(msg, sizeof(msg) - 1);
    MtReport *r = reports->pdata[0];
    MtPart *at;
    GString *path = g_string_new("1");
    json_t *o;
    json_t *node;
    guint depth = 0;
    gsize len = 0;
    g_autofree char *html = NULL;
    htmlDocPtr doc;

    mt_mime_clear(&r->mime);
    mt_mime_init(&r->mime);
    r->mime.analyzed = TRUE;
    at = r->mime.root = part_new("TEXT", MT_PART_MULTIPART, 0,
                                 "multipart/mixed");
    for (int d = 1; d <= 65; d++) {
        gboolean message = d > 60;
        MtPart *child = part_new(path->str,
                                 message ? MT_PART_MESSAGE
                                         : MT_PART_MULTIPART,
                                 d, message ? "message/rfc822"
                                            : "multipart/mixed");
        if (message) {
            g_autoptr(GPtrArray) inner = analyze_bytes(msg, sizeof(msg) - 1);
            child->message = g_ptr_array_steal_index(inner, 0);
            child->message->embedded_depth = d - 60;
        }
        g_ptr_array_add(at->children, child);
        at = child;
        g_string_append(path, ".1");
    }
    g_ptr_array_add(at->children, part_new(path->str, MT_PART_LEAF, 66,
                                           "text/plain"));
    r->mime.part_count = 67;
    r->mime.max_depth = 66;
    g_string_free(path, TRUE);

    o = mt_json_report(r);
    node = json_array_get(json_object_get(json_object_get(o, "mime"),
                                          "parts"),
                          0);
    while (json_array_size(json_object_get(node, "children")) == 1) {
        node = json_array_get(json_object_get(node, "children"), 0);
        depth++;
    }
    g_assert_cmpuint(depth, ==, 66);
    g_assert_cmpstr(json_string_value(json_object_get(node, "kind")), ==,
                    "leaf");
    json_decref(o);

    html = render(reports, &len);
    doc = parse(html, len);
    assert_safe(doc);
    g_assert_cmpfloat(xcount(doc, "//ul[starts-with(@class, 'mime')]/li"),
                      ==, 67);
    g_assert_cmpfloat(xcount(doc, "//div[@class='fwd']"), ==, 5);
    /* Lists stop nesting at the bound; the rest follows in order. */
    g_assert_cmpfloat(xcount(doc, "//ul[starts-with(@class, 'mime')]"
                                  "[count(ancestor::ul) = 24]"),
                      ==, 1);
    g_assert_cmpfloat(xcount(doc, "//ul[starts-with(@class, 'mime')]"
                                  "[count(ancestor::ul) > 24]"),
                      ==, 0);
    g_assert_cmpfloat(xcount(doc, "//*[count(ancestor::*) > 80]"), ==, 0);
    xmlFreeDoc(doc);
}

static void
test_defang(void)
{
    static const struct {
        const char *in, *url, *domain;
    } cases[] = {
        {"https://a.example.com/x.html?q=a.b#c.d",
         "hxxps://a[.]example[.]com/x.html?q=a.b#c.d", NULL},
        {"HTTP://User@Evil.Example:8080/", "hxxp://User@Evil[.]Example:8080/",
         NULL},
        {"ftp://files.example/a.zip", "fxp://files[.]example/a.zip", NULL},
        {"www.example.com/a.b", "www[.]example[.]com/a.b", NULL},
        {"mailto:ceo@corp.example?subject=a.b",
         "mailto:ceo@corp[.]example?subject=a.b", NULL},
        {"javascript:alert(1.5)", "javascript:alert(1.5)", NULL},
        {"http://192.0.2.1\\x.y", "hxxp://192[.]0[.]2[.]1\\x.y", NULL},
        {"login.evil.example", NULL, "login[.]evil[.]example"},
        {"first.last@mail.example", NULL, "first.last@mail[.]example"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (cases[i].url) {
            g_autofree char *got = mt_text_defang_url(cases[i].in);
            g_assert_cmpstr(got, ==, cases[i].url);
        }
        if (cases[i].domain) {
            g_autofree char *got = mt_text_defang_domain(cases[i].in);
            g_assert_cmpstr(got, ==, cases[i].domain);
        }
    }
    {
        g_autofree char *a = mt_text_defang_urls_in(
            "goes to http://1.2.3.4/a.b (not https://x.example), "
            "xhttp://no.example ftp://f.example/ mailto:a@b.example "
            "https://");
        g_assert_cmpstr(a, ==, "goes to hxxp://1[.]2[.]3[.]4/a.b (not "
                               "hxxps://x[.]example), xhttp://no.example "
                               "fxp://f[.]example/ mailto:a@b.example "
                               "hxxps://");
    }
    {
        g_autofree char *a = mt_text_defang_url(NULL);
        g_autofree char *b = mt_text_defang_domain(NULL);
        g_assert_cmpstr(a, ==, "");
        g_assert_cmpstr(b, ==, "");
    }
    g_assert_cmpstr(mt_attach_flag_to_string(MT_ATTACH_DISK_IMAGE), ==,
                    "disk-image");
    g_assert_cmpstr(mt_url_flag_to_string(MT_URL_NO_SCHEME), ==, "no-scheme");
    g_assert_null(mt_url_flag_to_string(MT_URL_DATA | MT_URL_IP_HOST));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Renders compared byte for byte must not differ by the clock: the
     * analysis time comes from here, as in the golden suite. */
    g_setenv("SOURCE_DATE_EPOCH", "1793491200", TRUE);
    g_test_add_func("/html/samples", test_samples);
    g_test_add_func("/html/many", test_many);
    g_test_add_func("/html/deterministic", test_deterministic);
    g_test_add_func("/html/hostile", test_hostile);
    g_test_add_func("/html/safe-text", test_safe_text);
    g_test_add_func("/html/index", test_index);
    g_test_add_func("/html/geoip", test_geoip);
    g_test_add_func("/html/error-record", test_error_record);
    g_test_add_func("/html/content", test_content_html);
    g_test_add_func("/html/content-json", test_content_json);
    g_test_add_func("/html/content-text", test_content_text);
    g_test_add_func("/html/content-deep", test_content_deep);
    g_test_add_func("/html/defang", test_defang);
    return g_test_run();
}
