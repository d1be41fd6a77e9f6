/* SPDX-License-Identifier: MIT */
/*
 * test-body.c: text bodies decoded to UTF-8 and uuencoded blocks found in
 * them (analyzer/body.c). Each charset family is decoded from its exact
 * bytes to the exact UTF-8; wrong, unknown, missing and misspelt labels
 * must give the charset the bytes really are, with the note and the
 * finding (or no finding) the registry promises. HTML previews must show
 * the visible text only; previews cut at character boundaries; NUL bytes
 * never truncate. uuencode: a known file byte-exact in both the space and
 * the backtick dialect, CRLF, a block without "end", begin-base64, the
 * byte and file limits, and "begin" lines built to cost time. The fixture
 * messages in tests/data/mime/body-*.eml are checked to be well formed.
 */
#include <string.h>
#include <time.h>

#include "mime-private.h"
#include "rfc2047-private.h"

/* These bounds only catch a runaway (quadratic) parse; valgrind runs
 * everything some 20 times slower (the valgrind test setup says so). */
#define SLOWDOWN (g_getenv("MT_UNDER_VALGRIND") ? 20 : 1)


/* 勉強会資料の送付について ("sending the study group's papers"). */
#define JP_UTF8                                                              \
    "\xE5\x8B\x89\xE5\xBC\xB7\xE4\xBC\x9A\xE8\xB3\x87\xE6\x96\x99\xE3\x81" \
    "\xAE\xE9\x80\x81\xE4\xBB\x98\xE3\x81\xAB\xE3\x81\xA4\xE3\x81\x84\xE3" \
    "\x81\xA6"
#define JP_JIS "\x1B$BJY6/2q;qNA$NAwIU$K$D$$$F\x1B(B"
#define JP_SJIS                                                              \
    "\x95\xD7\x8B\xAD\x89\xEF\x8E\x91\x97\xBF\x82\xCC\x91\x97\x95t\x82\xC9" \
    "\x82\xC2\x82\xA2\x82\xC4"
#define JP_EUC                                                               \
    "\xCA\xD9\xB6\xAF\xB2\xF1\xBB\xF1\xCE\xC1\xA4\xCE\xC1\xF7\xC9\xD5\xA4" \
    "\xCB\xA4\xC4\xA4\xA4\xA4\xC6"

typedef struct {
    MtReport *report;
    MtOptions options;
    MtPart part;
    MtBody *body;
    char *text;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->report = mt_report_new_empty();
    mt_options_init_default(&f->options);
    memset(&f->part, 0, sizeof f->part);
    f->part.path = (char *)"1";
    f->part.content_type = (char *)"text/plain";
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    mt_body_free(f->body);
    g_free(f->text);
    mt_report_free(f->report);
}

/* Decodes len bytes (-1: a C string) as a part with charset label. */
static void
decode(Fixture *f, const char *type, const char *label, const char *bytes,
       gssize len)
{
    mt_body_free(f->body);
    g_clear_pointer(&f->text, g_free);
    f->part.content_type = (char *)type;
    f->part.charset = (char *)label;
    f->body = mt_body_decode(f->report, &f->part, (const guchar *)bytes,
                             len < 0 ? strlen(bytes) : (gsize)len,
                             &f->options, &f->text);
    g_assert_nonnull(f->body);
    g_assert_nonnull(f->text);
    g_assert_true(g_utf8_validate(f->text, -1, NULL));
}

static guint
count_findings(const Fixture *f, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < f->report->findings->len; i++) {
        const MtFinding *x = f->report->findings->pdata[i];
        if (strcmp(x->id, id) == 0)
            n++;
    }
    return n;
}

/* The first finding id; the test stops when there is none. */
static const MtFinding *
find(const Fixture *f, const char *id)
{
    for (guint i = 0; i < f->report->findings->len; i++) {
        const MtFinding *x = f->report->findings->pdata[i];
        if (strcmp(x->id, id) == 0)
            return x;
    }
    g_error("no finding %s", id);
}

/* The decoded text, charset used and whether it was guessed. */
static void
assert_body(const Fixture *f, const char *text, const char *used,
            gboolean detected)
{
    g_assert_cmpstr(f->text, ==, text);
    g_assert_cmpstr(f->body->charset_used, ==, used);
    g_assert_cmpint(f->body->charset_detected, ==, detected);
    g_assert_cmpstr(f->body->part, ==, "1");
    g_assert_cmpuint(f->body->chars, ==, g_utf8_strlen(text, -1));
}

static void
assert_no_charset_findings(const Fixture *f)
{
    g_assert_cmpuint(count_findings(f, "body-charset-unknown"), ==, 0);
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 0);
    g_assert_cmpuint(count_findings(f, "body-charset-missing"), ==, 0);
}

/* --- Declared charsets --------------------------------------------------- */

static void
test_declared_japanese(Fixture *f, gconstpointer data)
{
    decode(f, "text/plain", "iso-2022-jp", JP_JIS, -1);
    assert_body(f, JP_UTF8, "iso-2022-jp", FALSE);
    g_assert_false(f->body->lossy);
    g_assert_null(f->body->charset_note);
    g_assert_cmpstr(f->body->charset_declared, ==, "iso-2022-jp");
    g_assert_cmpuint(f->body->size, ==, strlen(JP_JIS));
    g_assert_cmpuint(f->body->chars, ==, 12);

    /* The NEC row 13 that glibc's ISO-2022-JP rejects: ① and ㈱. */
    decode(f, "text/plain", "ISO-2022-JP", "\x1B$B-!-j\x1B(B", -1);
    assert_body(f, "\xE2\x91\xA0\xE3\x88\xB1", "iso-2022-jp", FALSE);
    g_assert_false(f->body->lossy);

    decode(f, "text/plain", "Shift_JIS", JP_SJIS, -1);
    assert_body(f, JP_UTF8, "cp932", FALSE);
    /* ① ㈱ in Shift_JIS are CP932's NEC rows. */
    decode(f, "text/plain", "shift_jis", "\x87@\x87\x8A", -1);
    assert_body(f, "\xE2\x91\xA0\xE3\x88\xB1", "cp932", FALSE);

    decode(f, "text/plain", "euc-jp", JP_EUC, -1);
    assert_body(f, JP_UTF8, "euc-jp-ms", FALSE);
    assert_no_charset_findings(f);
}

static void
test_declared_other(Fixture *f, gconstpointer data)
{
    /* 你好，世界 */
    decode(f, "text/plain", "gb2312", "\xC4\xE3\xBA\xC3\xA3\xAC\xCA\xC0\xBD"
           "\xE7", -1);
    assert_body(f, "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7"
                   "\x95\x8C", "gb18030", FALSE);
    /* 中文測試 */
    decode(f, "text/plain", "big5", "\xA4\xA4\xA4\xE5\xB4\xFA\xB8\xD5", -1);
    assert_body(f, "\xE4\xB8\xAD\xE6\x96\x87\xE6\xB8\xAC\xE8\xA9\xA6",
                "cp950", FALSE);
    /* Привет */
    decode(f, "text/plain", "koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4", -1);
    assert_body(f, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
                "koi8-r", FALSE);
    /* “Hello” – it’s €5 */
    decode(f, "text/plain", "windows-1252",
           "\x93Hello\x94 \x96 it\x92s \x80" "5", -1);
    assert_body(f, "\xE2\x80\x9CHello\xE2\x80\x9D \xE2\x80\x93 it\xE2\x80"
                   "\x99s \xE2\x82\xAC" "5", "windows-1252", FALSE);
    /* The same bytes under iso-8859-1 read as windows-1252 (WHATWG). */
    decode(f, "text/plain", "iso-8859-1", "\x93Hi\x94 caf\xE9", -1);
    assert_body(f, "\xE2\x80\x9CHi\xE2\x80\x9D caf\xC3\xA9", "iso-8859-1",
                FALSE);
    decode(f, "text/plain", "iso-8859-2", "\xB1\xE6", -1); /* ąć */
    assert_body(f, "\xC4\x85\xC4\x87", "iso-8859-2", FALSE);
    decode(f, "text/plain", "windows-1251", "\xCF\xF0\xE8", -1); /* При */
    assert_body(f, "\xD0\x9F\xD1\x80\xD0\xB8", "windows-1251", FALSE);
    /* UTF-16LE with a byte order mark: "Hi ☺ Ω". */
    decode(f, "text/plain", "utf-16", "\xFF\xFEH\x00i\x00 \x00:& \x00\xA9"
           "\x03", 14);
    assert_body(f, "Hi \xE2\x98\xBA \xCE\xA9", "utf-16", FALSE);
    g_assert_false(f->body->lossy);
    /* UTF-16 without a mark is big-endian (RFC 2781). */
    decode(f, "text/plain", "utf-16", "\x00H\x00i", 4);
    assert_body(f, "Hi", "utf-16", FALSE);
    decode(f, "text/plain", "utf-16le", "H\x00i\x00", 4);
    assert_body(f, "Hi", "utf-16le", FALSE);
    /* UTF-7: "Hi Mom -☺-!" (RFC 2152's example). */
    decode(f, "text/plain", "utf-7", "Hi Mom -+Jjo--!", -1);
    assert_body(f, "Hi Mom -\xE2\x98\xBA-!", "utf-7", FALSE);
    decode(f, "text/plain", "UTF-8", "Caf\xC3\xA9", -1);
    assert_body(f, "Caf\xC3\xA9", "utf-8", FALSE);
    g_assert_null(f->body->charset_note);
    assert_no_charset_findings(f);
}

/* Misspellings and aliases that real mail carries. */
static void
test_label_repairs(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *label, *used;
    } cases[] = {
        {"uft-8", "utf-8"},          {"utf8", "utf-8"},
        {"\"UTF-8\"", "utf-8"},      {"us_ascii", "us-ascii"},
        {"latin1", "iso-8859-1"},    {"cp-1252", "windows-1252"},
        {"x-iso-8859-1", "iso-8859-1"}, {"8859-1", "iso-8859-1"},
        {"3Dus-ascii", "us-ascii"},  {"iso-latin-1", "iso-8859-1"},
        {"ansi", "windows-1252"},    {"x-sjis", "cp932"},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        decode(f, "text/plain", cases[i].label, "plain text", -1);
        g_assert_cmpstr(f->body->charset_used, ==, cases[i].used);
        g_assert_false(f->body->charset_detected);
        g_assert_cmpstr(f->body->charset_declared, ==, cases[i].label);
    }
    decode(f, "text/plain", "uft-8", "Caf\xC3\xA9", -1);
    assert_body(f, "Caf\xC3\xA9", "utf-8", FALSE);
    g_assert_nonnull(strstr(f->body->charset_note, "misspelt"));
    assert_no_charset_findings(f);
}

/* --- Detection ----------------------------------------------------------- */

static void
test_missing_label(Fixture *f, gconstpointer data)
{
    /* ASCII without a label is the RFC 2045 default: nothing to say. */
    decode(f, "text/plain", NULL, "Hello, world\n", -1);
    assert_body(f, "Hello, world\n", "us-ascii", FALSE);
    g_assert_null(f->body->charset_note);
    g_assert_null(f->body->charset_declared);
    assert_no_charset_findings(f);

    decode(f, "text/plain", NULL, "Caf\xC3\xA9", -1);
    assert_body(f, "Caf\xC3\xA9", "utf-8", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "valid UTF-8"));
    g_assert_cmpuint(count_findings(f, "body-charset-missing"), ==, 1);
    g_assert_cmpint(find(f, "body-charset-missing")->severity, ==,
                    MT_SEVERITY_INFO);
    g_assert_cmpstr(find(f, "body-charset-missing")->evidence.part, ==, "1");

    decode(f, "text/plain", NULL, JP_JIS, -1);
    assert_body(f, JP_UTF8, "iso-2022-jp", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "ISO-2022-JP"));
    decode(f, "text/plain", NULL, JP_SJIS, -1);
    assert_body(f, JP_UTF8, "cp932", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "Shift_JIS"));
    decode(f, "text/plain", NULL, JP_EUC, -1);
    assert_body(f, JP_UTF8, "euc-jp-ms", TRUE);
    decode(f, "text/plain", "\"\"", "plain", -1); /* charset="" */
    assert_body(f, "plain", "us-ascii", FALSE);
    decode(f, "text/plain", "", "caf\xE9 cr\xE8me", -1);
    assert_body(f, "caf\xC3\xA9 cr\xC3\xA8me", "windows-1252", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "windows-1252"));
    /* UTF-16 by its byte order mark, and by its NUL pattern. */
    decode(f, "text/plain", NULL, "\xFF\xFEH\x00i\x00", 6);
    assert_body(f, "Hi", "utf-16", TRUE);
    decode(f, "text/plain", NULL,
           "H\x00" "e\x00l\x00l\x00o\x00 \x00w\x00o\x00r\x00l\x00" "d\x00",
           22);
    assert_body(f, "Hello world", "utf-16le", TRUE);
    decode(f, "text/plain", NULL, "\x00H\x00" "e\x00l\x00l\x00o\x00 \x00w\x00o"
           "\x00r\x00l\x00" "d", 22);
    assert_body(f, "Hello world", "utf-16be", TRUE);
    g_assert_cmpuint(count_findings(f, "body-charset-missing"), ==, 8);
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 0);

    /* "x-unknown" says the sender did not know: the same as none. */
    decode(f, "text/plain", "x-unknown", "\x93quoted\x94", -1);
    assert_body(f, "\xE2\x80\x9Cquoted\xE2\x80\x9D", "windows-1252", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "x-unknown"));
    g_assert_cmpuint(count_findings(f, "body-charset-missing"), ==, 9);
    g_assert_cmpuint(count_findings(f, "body-charset-unknown"), ==, 0);
}

static void
test_unknown_label(Fixture *f, gconstpointer data)
{
    decode(f, "text/plain", "x-klingon-7", "Caf\xC3\xA9", -1);
    assert_body(f, "Caf\xC3\xA9", "utf-8", TRUE);
    g_assert_cmpstr(f->body->charset_declared, ==, "x-klingon-7");
    g_assert_nonnull(strstr(f->body->charset_note, "x-klingon-7"));
    g_assert_cmpuint(count_findings(f, "body-charset-unknown"), ==, 1);
    g_assert_cmpint(find(f, "body-charset-unknown")->severity, ==,
                    MT_SEVERITY_LOW);
    g_assert_cmpstr(find(f, "body-charset-unknown")->evidence.part, ==, "1");
    /* ASCII reads the same in any charset: noted, not a finding. */
    decode(f, "text/plain", "foo-bar", "plain", -1);
    assert_body(f, "plain", "us-ascii", TRUE);
    g_assert_cmpuint(count_findings(f, "body-charset-unknown"), ==, 1);
    decode(f, "text/plain", "x-klingon-7", JP_SJIS, -1);
    assert_body(f, JP_UTF8, "cp932", TRUE);
    g_assert_cmpuint(count_findings(f, "body-charset-unknown"), ==, 2);
}

static void
test_wrong_label(Fixture *f, gconstpointer data)
{
    const MtFinding *m;

    /* iso-8859-1 on UTF-8: "Café crème" would read "CafÃ© crÃ¨me". */
    decode(f, "text/plain", "iso-8859-1", "Caf\xC3\xA9 cr\xC3\xA8me", -1);
    assert_body(f, "Caf\xC3\xA9 cr\xC3\xA8me", "utf-8", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "iso-8859-1"));
    g_assert_nonnull(strstr(f->body->charset_note, "UTF-8"));
    m = find(f, "body-charset-mismatch");
    g_assert_cmpint(m->severity, ==, MT_SEVERITY_LOW);
    g_assert_cmpstr(m->evidence.part, ==, "1");
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 1);

    /* us-ascii on Shift_JIS. */
    decode(f, "text/plain", "us-ascii", JP_SJIS, -1);
    assert_body(f, JP_UTF8, "cp932", TRUE);
    g_assert_nonnull(strstr(f->body->charset_note, "Shift_JIS"));
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 2);
    m = f->report->findings->pdata[f->report->findings->len - 1];
    g_assert_cmpint(m->severity, ==, MT_SEVERITY_LOW);

    /* us-ascii on UTF-8 is only an ASCII-level mismatch. */
    decode(f, "text/plain", "us-ascii", "Caf\xC3\xA9", -1);
    assert_body(f, "Caf\xC3\xA9", "utf-8", TRUE);
    m = f->report->findings->pdata[f->report->findings->len - 1];
    g_assert_cmpstr(m->id, ==, "body-charset-mismatch");
    g_assert_cmpint(m->severity, ==, MT_SEVERITY_INFO);

    /* utf-8 on windows-1252. */
    decode(f, "text/plain", "utf-8", "\x93quoted\x94 caf\xE9", -1);
    assert_body(f, "\xE2\x80\x9Cquoted\xE2\x80\x9D caf\xC3\xA9",
                "windows-1252", TRUE);
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 4);

    /* utf-8 with one stray byte: still UTF-8, lossy, no finding. */
    decode(f, "text/plain", "utf-8", "Caf\xC3\xA9 na\xC3\xAFve \xFF", -1);
    assert_body(f, "Caf\xC3\xA9 na\xC3\xAFve \xEF\xBF\xBD", "utf-8", FALSE);
    g_assert_true(f->body->lossy);
    g_assert_nonnull(strstr(f->body->charset_note, "1 byte is not"));
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 4);

    /* iso-2022-jp on Shift_JIS and EUC-JP: mailers that forgot to
     * convert to JIS before sending. */
    decode(f, "text/plain", "iso-2022-jp", JP_SJIS, -1);
    assert_body(f, JP_UTF8, "cp932", TRUE);
    decode(f, "text/plain", "iso-2022-jp", JP_EUC, -1);
    assert_body(f, JP_UTF8, "euc-jp-ms", TRUE);
    /* Shift_JIS and EUC-JP swapped. */
    decode(f, "text/plain", "shift_jis", JP_EUC, -1);
    assert_body(f, JP_UTF8, "euc-jp-ms", TRUE);
    decode(f, "text/plain", "euc-jp", JP_SJIS, -1);
    assert_body(f, JP_UTF8, "cp932", TRUE);
    /* ISO-2022-JP escapes under a Latin label. */
    decode(f, "text/plain", "iso-8859-1", JP_JIS, -1);
    assert_body(f, JP_UTF8, "iso-2022-jp", TRUE);
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 9);

    /* Latin-1 text stays Latin-1: not valid UTF-8, not Japanese. */
    decode(f, "text/plain", "iso-8859-1", "caf\xE9 na\xEFve \xE0 la", -1);
    assert_body(f, "caf\xC3\xA9 na\xC3\xAFve \xC3\xA0 la", "iso-8859-1",
                FALSE);
    /* Cyrillic under its own label is not tested for Japanese. */
    decode(f, "text/plain", "windows-1251", "\xCF\xF0\xE8\xE2\xE5\xF2", -1);
    assert_body(f, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
                "windows-1251", FALSE);
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 9);
    g_assert_cmpuint(count_findings(f, "body-charset-unknown"), ==, 0);

    /* "utf-16" on text without a single NUL byte. */
    decode(f, "text/plain", "utf-16", "Plain ASCII text, no NUL bytes", -1);
    assert_body(f, "Plain ASCII text, no NUL bytes", "us-ascii", TRUE);
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 10);
}

static void
test_nul_bytes(Fixture *f, gconstpointer data)
{
    decode(f, "text/plain", "us-ascii", "abc\0def\0", 8);
    assert_body(f, "abc\xEF\xBF\xBD" "def\xEF\xBF\xBD", "us-ascii", FALSE);
    g_assert_true(f->body->lossy);
    g_assert_cmpuint(f->body->size, ==, 8);
    g_assert_cmpuint(f->body->chars, ==, 8);
    g_assert_nonnull(strstr(f->body->charset_note, "2 NUL bytes"));
    /* Japanese detection still works around a NUL. */
    decode(f, "text/plain", NULL, JP_SJIS "\0", sizeof JP_SJIS);
    assert_body(f, JP_UTF8 "\xEF\xBF\xBD", "cp932", TRUE);
    g_assert_true(f->body->lossy);
}

/* --- Previews ------------------------------------------------------------ */

static void
test_preview_plain(Fixture *f, gconstpointer data)
{
    /* 日本語テキスト, cut at 3 characters: 9 bytes, never mid-sequence. */
    f->options.body_preview = 3;
    decode(f, "text/plain", "utf-8",
           "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD\xE3"
           "\x82\xB9\xE3\x83\x88", -1);
    g_assert_cmpstr(f->body->preview, ==, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA"
                                          "\x9E");
    g_assert_cmpuint(f->body->chars, ==, 7);
    g_assert_null(f->body->text);

    f->options.body_preview = 100;
    decode(f, "text/plain", "utf-8", "short\ntext", -1);
    g_assert_cmpstr(f->body->preview, ==, "short\ntext");

    f->options.body_preview = 0;
    decode(f, "text/plain", "utf-8", "short", -1);
    g_assert_null(f->body->preview);

    f->options.bodies = TRUE;
    decode(f, "text/plain", "iso-2022-jp", JP_JIS, -1);
    g_assert_cmpstr(f->body->text, ==, JP_UTF8);
}

static void
test_preview_html(Fixture *f, gconstpointer data)
{
    static const char html[] =
        "<!DOCTYPE html><html><head><title>Title text</title>"
        "<style>p { color: red }</style>"
        "<script>var secret = 'script text';</script></head>"
        "<body><p>Hello&nbsp;<b>Wor</b>ld</p><div>Second\n\n   line</div>"
        "<span style=\"display: none\">hidden preheader</span>"
        "<table><tr><td>cell1</td><td>cell2</td></tr></table>"
        "<script>document.write('more script')</script>"
        "caf&eacute; &lt;not a tag&gt;</body></html>";

    f->options.bodies = TRUE;
    decode(f, "text/html", "utf-8", html, -1);
    g_assert_cmpstr(f->body->preview, ==,
                    "Hello World Second line cell1 cell2 "
                    "caf\xC3\xA9 <not a tag>");
    /* The full text is the source as is. */
    g_assert_cmpstr(f->body->text, ==, html);
    g_assert_cmpstr(f->text, ==, html);
    g_assert_cmpstr(f->body->content_type, ==, "text/html");

    f->options.body_preview = 8;
    decode(f, "text/html", "utf-8", html, -1);
    g_assert_cmpstr(f->body->preview, ==, "Hello Wo");

    /* A <meta> charset when the MIME header gives none. */
    f->options.body_preview = 100;
    decode(f, "text/html", NULL,
           "<html><head><meta http-equiv=\"Content-Type\" "
           "content=\"text/html; charset=iso-8859-1\"></head>"
           "<body>caf\xE9</body></html>", -1);
    g_assert_cmpstr(f->body->charset_used, ==, "iso-8859-1");
    g_assert_false(f->body->charset_detected);
    g_assert_nonnull(strstr(f->body->charset_note, "<meta>"));
    g_assert_cmpstr(f->body->preview, ==, "caf\xC3\xA9");
    assert_no_charset_findings(f);
    /* ... and one the bytes contradict. */
    decode(f, "text/html", NULL,
           "<meta charset=\"windows-1252\"><p>\xE6\x97\xA5\xE6\x9C\xAC</p>",
           -1);
    g_assert_cmpstr(f->body->charset_used, ==, "utf-8");
    g_assert_true(f->body->charset_detected);
    g_assert_cmpstr(f->body->preview, ==, "\xE6\x97\xA5\xE6\x9C\xAC");
    g_assert_cmpuint(count_findings(f, "body-charset-mismatch"), ==, 1);

    /* An HTML preview in a multi-byte charset cut at a boundary. */
    f->options.body_preview = 5;
    decode(f, "text/html", "iso-2022-jp", "<p>" JP_JIS "</p>", -1);
    g_assert_cmpstr(f->body->preview, ==, "\xE5\x8B\x89\xE5\xBC\xB7\xE4\xBC"
                                          "\x9A\xE8\xB3\x87\xE6\x96\x99");
}

/* A body of many elements stops the preview walk at max_html_nodes. */
static void
test_preview_html_limit(Fixture *f, gconstpointer data)
{
    GString *html = g_string_new("<html><body>");

    for (int i = 0; i < 300; i++)
        g_string_append(html, "<i></i>");
    g_string_append(html, "late text</body></html>");
    f->options.limits.max_html_nodes = 100;
    decode(f, "text/html", "utf-8", html->str, (gssize)html->len);
    g_assert_cmpstr(f->body->preview, ==, "");
    g_assert_cmpuint(count_findings(f, "limit-reached"), ==, 1);
    g_assert_cmpstr(find(f, "limit-reached")->evidence.part, ==, "1");

    f->options.limits.max_html_nodes = 1000;
    decode(f, "text/html", "utf-8", html->str, (gssize)html->len);
    g_assert_cmpstr(f->body->preview, ==, "late text");
    g_assert_cmpuint(count_findings(f, "limit-reached"), ==, 1);
    g_string_free(html, TRUE);
}

/* Processor seconds to decode text as (type, charset) in f. */
static double
decode_seconds(Fixture *f, const char *type, const char *charset,
               const GString *text)
{
    clock_t start = clock();

    decode(f, type, charset, text->str, (gssize)text->len);
    return (double)(clock() - start) / CLOCKS_PER_SEC;
}

/* A large body decodes in linear time, in each detection path: 8 MiB
 * costs about ten times 0.8 MiB (a quadratic scan would cost a hundred
 * times). No wall-clock bound: the machine may be busy or under
 * valgrind. The ratio counts only when the large run is long enough to
 * measure. */
static void
test_large_body(Fixture *f, gconstpointer data)
{
    static const char *const types[][2] = {{"text/plain", "us-ascii"},
                                           {"text/html", NULL}};
    GString *big = g_string_new(NULL);
    GString *small = g_string_new(NULL);

    while (big->len < (8u << 20))
        g_string_append(big, JP_SJIS "\r\n");
    while (small->len < big->len / 10)
        g_string_append(small, JP_SJIS "\r\n");
    f->options.body_preview = 10;
    for (gsize t = 0; t < G_N_ELEMENTS(types); t++) {
        double small_s = G_MAXDOUBLE, big_s;

        for (int k = 0; k < 3; k++)
            small_s = MIN(small_s, decode_seconds(f, types[t][0],
                                                  types[t][1], small));
        big_s = decode_seconds(f, types[t][0], types[t][1], big);
        g_assert_cmpstr(f->body->charset_used, ==, "cp932");
        g_assert_cmpstr(f->body->preview, ==,
                        "\xE5\x8B\x89\xE5\xBC\xB7\xE4\xBC"
                        "\x9A\xE8\xB3\x87\xE6\x96\x99\xE3"
                        "\x81\xAE\xE9\x80\x81\xE4\xBB\x98"
                        "\xE3\x81\xAB\xE3\x81\xA4");
        if (big_s > 0.05)
            g_assert_cmpfloat(big_s / MAX(small_s, 1e-6), <, 30.0);
    }
    g_string_free(big, TRUE);
    g_string_free(small, TRUE);
}

/* --- uuencode ------------------------------------------------------------ */

/* bytes 0..255 as Python's binascii.b2a_uu writes them (spaces), and with
 * backtick=True (GNU uuencode). */
#define UU_SPACE                                                             \
    "M  $\" P0%!@<(\"0H+# T.#Q 1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\n"   \
    "M+2XO,#$R,S0U-C<X.3H[/#T^/T!!0D-$149'2$E*2TQ-3D]045)35%565UA9\n"       \
    "M6EM<75Y?8&%B8V1E9F=H:6IK;&UN;W!Q<G-T=79W>'EZ>WQ]?G^ @8*#A(6&\n"     \
    "MAXB)BHN,C8Z/D)&2DY25EI>8F9J;G)V>GZ\"AHJ.DI::GJ*FJJZRMKJ^PL;*S\n"     \
    "MM+6VM[BYNKN\\O;Z_P,'\"P\\3%QL?(R<K+S,W.S]#1TM/4U=;7V-G:V]S=WM_@\n"  \
    "?X>+CY.7FY^CIZNOL[>[O\\/'R\\_3U]O?X^?K[_/W^_P  \n"
#define UU_BACKTICK                                                          \
    "M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\n"   \
    "M+2XO,#$R,S0U-C<X.3H[/#T^/T!!0D-$149'2$E*2TQ-3D]045)35%565UA9\n"       \
    "M6EM<75Y?8&%B8V1E9F=H:6IK;&UN;W!Q<G-T=79W>'EZ>WQ]?G^`@8*#A(6&\n"     \
    "MAXB)BHN,C8Z/D)&2DY25EI>8F9J;G)V>GZ\"AHJ.DI::GJ*FJJZRMKJ^PL;*S\n"     \
    "MM+6VM[BYNKN\\O;Z_P,'\"P\\3%QL?(R<K+S,W.S]#1TM/4U=;7V-G:V]S=WM_@\n"  \
    "?X>+CY.7FY^CIZNOL[>[O\\/'R\\_3U]O?X^?K[_/W^_P``\n"

static void
assert_all_bytes(GBytes *data)
{
    gsize n;
    const guchar *p = g_bytes_get_data(data, &n);

    g_assert_cmpuint(n, ==, 256);
    for (gsize i = 0; i < n; i++)
        g_assert_cmpuint(p[i], ==, i);
}

static MtUuFile *
uu_only(GPtrArray *files)
{
    g_assert_cmpuint(files->len, ==, 1);
    return files->pdata[0];
}

static void
test_uu_known(void)
{
    static const char *const texts[] = {
        "Here is the file:\n\nbegin 644 all-bytes.bin\n" UU_SPACE "`\nend\n"
        "\nRegards\n",
        "begin 644 all-bytes.bin\n" UU_BACKTICK "`\nend\n",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GPtrArray) files =
            mt_uuencode_find((const guchar *)texts[i], strlen(texts[i]), 10,
                             1 << 20);
        MtUuFile *file = uu_only(files);

        g_assert_cmpstr(file->name, ==, "all-bytes.bin");
        g_assert_cmpuint(file->mode, ==, 0644);
        g_assert_false(file->truncated);
        g_assert_cmpuint(file->offset, ==, i == 0 ? 19 : 0);
        assert_all_bytes(file->data);
    }
}

/* CRLF line ends, trailing spaces stripped by a mailer, a four-digit mode,
 * and a second block after the first. */
static void
test_uu_variants(void)
{
    g_autoptr(GString) crlf = g_string_new("begin 0755 run.sh\r\n");
    g_autoptr(GPtrArray) files = NULL;
    const char *p;
    MtUuFile *file;
    gsize n;

    for (p = UU_SPACE; *p != '\0'; p++) {
        if (*p == '\n')
            g_string_append(crlf, "\r\n");
        else
            g_string_append_c(crlf, *p);
    }
    /* The last line's trailing spaces (two zero values) are gone, as
     * mailers strip them, and so is the zero-length line's space. */
    g_assert_cmpuint(g_string_replace(crlf, "_P  \r\n", "_P\r\n", 1), ==,
                     1);
    g_string_append(crlf, " \r\nend\r\nbegin 600 two \xFF.txt\r\n"
                          "#86)C\r\n`\r\nend\r\n");
    files = mt_uuencode_find((const guchar *)crlf->str, crlf->len, 10,
                             1 << 20);
    g_assert_cmpuint(files->len, ==, 2);
    file = files->pdata[0];
    g_assert_cmpuint(file->mode, ==, 0755);
    g_assert_cmpstr(file->name, ==, "run.sh");
    g_assert_false(file->truncated);
    assert_all_bytes(file->data);
    file = files->pdata[1];
    g_assert_cmpuint(file->mode, ==, 0600);
    g_assert_cmpstr(file->name, ==, "two \\xFF.txt");
    g_assert_false(file->truncated);
    p = g_bytes_get_data(file->data, &n);
    g_assert_cmpmem(p, n, "abc", 3);
}

static void
test_uu_truncated(void)
{
    static const char text[] =
        "begin 644 cut.bin\n" UU_SPACE "and then the text goes on\n";
    static const char limited[] = "begin 644 big.bin\n" UU_SPACE "`\nend\n";
    g_autoptr(GPtrArray) files =
        mt_uuencode_find((const guchar *)text, strlen(text), 10, 1 << 20);
    g_autoptr(GPtrArray) files2 = NULL;
    MtUuFile *file = uu_only(files);
    gsize n;
    const guchar *p;

    g_assert_true(file->truncated);
    assert_all_bytes(file->data);

    files2 = mt_uuencode_find((const guchar *)limited, strlen(limited), 10,
                              100);
    file = uu_only(files2);
    g_assert_true(file->truncated);
    p = g_bytes_get_data(file->data, &n);
    g_assert_cmpuint(n, ==, 100);
    g_assert_cmpuint(p[99], ==, 99);
}

static void
test_uu_base64(void)
{
    static const char text[] =
        "begin-base64 644 hello.txt\n"
        "aGVsbG8sIGJhc2U2NCB3b3JsZApoZWxsbywgYmFzZTY0IHdvcmxkCmhlbGxvLCBiYXNl"
        "NjQgd29y\r\nbGQK\n====\nafter\n";
    static const char cut[] = "begin-base64 644 x\naGVsbG8=\nnot base64!\n";
    g_autoptr(GPtrArray) files =
        mt_uuencode_find((const guchar *)text, strlen(text), 10, 1 << 20);
    g_autoptr(GPtrArray) files2 = NULL;
    MtUuFile *file = uu_only(files);
    gsize n;
    const char *p;

    g_assert_cmpstr(file->name, ==, "hello.txt");
    g_assert_false(file->truncated);
    p = g_bytes_get_data(file->data, &n);
    g_assert_cmpmem(p, n, "hello, base64 world\nhello, base64 world\n"
                          "hello, base64 world\n", 60);

    files2 = mt_uuencode_find((const guchar *)cut, strlen(cut), 10, 100);
    file = uu_only(files2);
    g_assert_true(file->truncated);
    p = g_bytes_get_data(file->data, &n);
    g_assert_cmpmem(p, n, "hello", 5);
}

/* Text that only looks like a begin line is no block. */
static void
test_uu_not_blocks(void)
{
    static const char *const texts[] = {
        "begin 644 is the mode you want\nfor that file, then\nend\n",
        "begin 64 x\nM86)C\nend\n",        /* two mode digits */
        "begin 644\nM86)C\nend\n",         /* no name */
        "  begin 644 x\n#86)C\nend\n",     /* not at the line start */
        "Begin 644 x\n#86)C\nend\n",
        "",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GPtrArray) files = mt_uuencode_find(
            (const guchar *)texts[i], strlen(texts[i]), 10, 1 << 20);
        g_assert_cmpuint(files->len, ==, 0);
    }
}

/* A storm of begin lines: no quadratic rescans, and at most max_files. */
static void
test_uu_storm(void)
{
    g_autoptr(GString) storm = g_string_new(NULL);
    g_autoptr(GString) pairs = g_string_new(NULL);
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GPtrArray) files2 = NULL;
    gint64 start;

    while (storm->len < (4u << 20))
        g_string_append(storm, "begin 644 x\n");
    for (int i = 0; i < 10000; i++)
        g_string_append(pairs, "begin 644 a\nend\n");
    start = g_get_monotonic_time();
    files = mt_uuencode_find((const guchar *)storm->str, storm->len, 1000,
                             1 << 20);
    g_assert_cmpuint(files->len, ==, 0);
    files2 = mt_uuencode_find((const guchar *)pairs->str, pairs->len, 25,
                              1 << 20);
    g_assert_cmpuint(files2->len, ==, 25);
    g_assert_cmpuint(g_bytes_get_size(((MtUuFile *)files2->pdata[24])->data),
                     ==, 0);
    g_assert_false(((MtUuFile *)files2->pdata[24])->truncated);
    g_assert_cmpint(g_get_monotonic_time() - start, <,
                    SLOWDOWN * 5 * G_USEC_PER_SEC);
}

/* --- Fixtures ------------------------------------------------------------ */

/* The end-to-end fixtures exist and carry the headers a message needs. */
static void
test_fixture_files(void)
{
    static const char *const names[] = {
        "body-iso2022jp.eml", "body-sjis.eml", "body-wrong-charset.eml",
        "body-uuencode.eml", "body-no-charset.eml", "body-html.eml",
    };
    const char *root = g_getenv("MT_SOURCE_ROOT");

    if (root == NULL) {
        g_test_skip("MT_SOURCE_ROOT not set");
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path =
            g_build_filename(root, "tests", "data", "mime", names[i], NULL);
        g_autofree char *data = NULL;
        gsize len;

        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        g_assert_true(g_str_has_prefix(data, "From: "));
        for (const char *h = "To:\0Subject:\0Date:\0Message-ID:\0"
                             "MIME-Version: 1.0\0Content-Type:\0";
             *h != '\0'; h += strlen(h) + 1)
            g_assert_nonnull(strstr(data, h));
        g_assert_nonnull(strstr(data, "\r\n\r\n"));
    }
}

/* Reads a fixture; *body points after its header. */
static char *
fixture_read(const char *name, gsize *len, const char **body)
{
    g_autofree char *path = g_build_filename(g_getenv("MT_SOURCE_ROOT"),
                                             "tests", "data", "mime", name,
                                             NULL);
    char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, len, NULL));
    *body = strstr(data, "\r\n\r\n") + 4;
    return data;
}

/* The fixtures' bodies decode as the end-to-end tests will expect. */
static void
test_fixture_bodies(Fixture *f, gconstpointer unused)
{
    static const char *const lines[] = {
        "\xE9\x88\xB4\xE6\x9C\xA8\xE6\xA7\x98\r\n", /* 鈴木様 */
        "\xE2\x91\xA0", "\xE2\x91\xA1", "\xE3\x88\xB1", /* ① ② ㈱ */
        "\xE5\x8B\x89\xE5\xBC\xB7\xE4\xBC\x9A",         /* 勉強会 */
    };
    g_autofree char *jis = NULL, *sjis = NULL, *uu = NULL;
    g_autofree guchar *raw = NULL;
    g_autoptr(GPtrArray) files = NULL;
    const char *body, *p;
    gsize len, n;
    MtUuFile *file;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT not set");
        return;
    }
    jis = fixture_read("body-iso2022jp.eml", &len, &body);
    decode(f, "text/plain", "ISO-2022-JP", body,
           (gssize)(len - (gsize)(body - jis)));
    g_assert_false(f->body->lossy);
    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++)
        g_assert_nonnull(strstr(f->text, lines[i]));

    sjis = fixture_read("body-sjis.eml", &len, &body);
    raw = g_base64_decode(body, &n);
    decode(f, "text/plain", "Shift_JIS", (const char *)raw, (gssize)n);
    g_assert_false(f->body->lossy);
    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++)
        g_assert_nonnull(strstr(f->text, lines[i]));
    assert_no_charset_findings(f);

    uu = fixture_read("body-uuencode.eml", &len, &body);
    files = mt_uuencode_find((const guchar *)uu, len, 10, 1 << 20);
    file = uu_only(files);
    g_assert_cmpstr(file->name, ==, "invoice.txt");
    g_assert_cmpuint(file->mode, ==, 0644);
    g_assert_false(file->truncated);
    p = g_bytes_get_data(file->data, &n);
    g_assert_cmpmem(p, n, "Invoice 2025-0042\nAmount due: 1,250.00 EUR\n"
                          "Pay to: DE00 0000 0000 0000 0000 00\n", 79);
}

#define ADD(name, fn)                                                        \
    g_test_add("/body/" name, Fixture, NULL, fixture_set_up, fn,             \
               fixture_tear_down)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("declared/japanese", test_declared_japanese);
    ADD("declared/other", test_declared_other);
    ADD("label/repairs", test_label_repairs);
    ADD("detect/missing", test_missing_label);
    ADD("detect/unknown", test_unknown_label);
    ADD("detect/wrong", test_wrong_label);
    ADD("nul", test_nul_bytes);
    ADD("preview/plain", test_preview_plain);
    ADD("preview/html", test_preview_html);
    ADD("preview/html-limit", test_preview_html_limit);
    ADD("large", test_large_body);
    g_test_add_func("/body/uu/known", test_uu_known);
    g_test_add_func("/body/uu/variants", test_uu_variants);
    g_test_add_func("/body/uu/truncated", test_uu_truncated);
    g_test_add_func("/body/uu/base64", test_uu_base64);
    g_test_add_func("/body/uu/not-blocks", test_uu_not_blocks);
    g_test_add_func("/body/uu/storm", test_uu_storm);
    g_test_add_func("/body/fixtures/headers", test_fixture_files);
    ADD("fixtures/bodies", test_fixture_bodies);
    return g_test_run();
}
