/* SPDX-License-Identifier: MIT */
/*
 * test-html.c: the HTML renderer, read back with libxml2's HTML parser.
 * Each sample's page must parse, carry the Content-Security-Policy, hold
 * no script and show the values an analyst looks for; a hostile message
 * must come out as text; the same input must give the same bytes; the
 * --html-dir index must list and sort its rows and never replace a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "html-private.h"
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
    g_unsetenv("SOURCE_DATE_EPOCH");
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

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/html/samples", test_samples);
    g_test_add_func("/html/many", test_many);
    g_test_add_func("/html/deterministic", test_deterministic);
    g_test_add_func("/html/hostile", test_hostile);
    g_test_add_func("/html/safe-text", test_safe_text);
    g_test_add_func("/html/index", test_index);
    g_test_add_func("/html/geoip", test_geoip);
    g_test_add_func("/html/error-record", test_error_record);
    return g_test_run();
}
