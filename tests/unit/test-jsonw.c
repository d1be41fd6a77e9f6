/* SPDX-License-Identifier: MIT */
/*
 * test-jsonw.c: the streaming JSON writer against jansson, its oracle.
 * The writer must write the bytes jansson's json_dumps() writes for the
 * same values, since it replaced trees that were dumped that way: every
 * ASCII byte, invalid UTF-8 through mt_jw_bytes() (against
 * mt_json_bytes()), the values jansson refuses to make (dropped with their
 * key), random nested documents in compact and indented modes, reals,
 * and every sample message's whole report. Then the nesting bound, which
 * leaves a too deep container out and keeps the text valid.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "mailtrail.h"
#include "mt-geoip.h"
#include "reports-identity.h"
#include "reports.h"

/* json_dumps() of v (stolen) with flags, as a GLib string. */
static char *
jansson_text(json_t *v, size_t flags)
{
    char *dumped = json_dumps(v, flags);
    char *text = g_strdup(dumped);

    g_assert_nonnull(dumped);
    free(dumped);
    json_decref(v);
    return text;
}

/* One value through the writer, inside an array so that jansson (which
 * dumps only containers by default) writes the same frame. */
typedef void (*WriteOne)(MtJsonWriter *w, gconstpointer data, gsize len);

static char *
writer_text(WriteOne write, gconstpointer data, gsize len)
{
    GString *out = g_string_new(NULL);
    MtJsonWriter w;

    mt_jw_init(&w, out, 0);
    mt_jw_array_begin(&w);
    write(&w, data, len);
    mt_jw_array_end(&w);
    g_assert_true(mt_jw_complete(&w));
    return g_string_free(out, FALSE);
}

static void
write_string(MtJsonWriter *w, gconstpointer data, gsize len)
{
    (void)len;
    mt_jw_string(w, data);
}

static void
write_bytes(MtJsonWriter *w, gconstpointer data, gsize len)
{
    mt_jw_bytes(w, data, len);
}

/* [json_string(s)]: an array left empty when jansson refuses s. */
static json_t *
one_string(const char *s)
{
    json_t *a = json_array();

    json_array_append_new(a, json_string(s));
    return a;
}

static json_t *
one_bytes(const char *b, gsize len)
{
    json_t *a = json_array();

    json_array_append_new(a, mt_json_bytes(b, len));
    return a;
}

/* Every byte 0x01-0x7F alone and inside text, as a value and as a key:
 * the two-letter escapes, \u00XX for the other controls, DEL and '/' as
 * they are. */
static void
test_ascii(void)
{
    for (guint c = 1; c < 0x80; c++) {
        char s[8];
        g_autofree char *mine = NULL;
        g_autofree char *theirs = NULL;
        GString *out = g_string_new(NULL);
        MtJsonWriter w;
        json_t *o = json_object();

        g_snprintf(s, sizeof s, "a%cb", (int)c);
        mine = writer_text(write_string, s, 0);
        theirs = jansson_text(one_string(s), JSON_COMPACT);
        g_assert_cmpstr(mine, ==, theirs);
        g_clear_pointer(&mine, g_free);
        g_clear_pointer(&theirs, g_free);

        s[0] = (char)c;
        s[1] = '\0';
        mine = writer_text(write_string, s, 0);
        theirs = jansson_text(one_string(s), JSON_COMPACT);
        g_assert_cmpstr(mine, ==, theirs);
        g_clear_pointer(&theirs, g_free);

        /* As a key. */
        mt_jw_init(&w, out, 0);
        mt_jw_object_begin(&w);
        mt_jw_set_int(&w, s, c);
        mt_jw_object_end(&w);
        json_object_set_new(o, s, json_integer(c));
        theirs = jansson_text(o, JSON_COMPACT);
        g_assert_cmpstr(out->str, ==, theirs);
        g_string_free(out, TRUE);
    }
    /* The shapes named in the brief, written out. */
    {
        g_autofree char *mine = writer_text(write_string,
                                            "\"\\\b\f\n\r\t\x01\x1f\x7f/", 0);
        g_assert_cmpstr(mine, ==,
                        "[\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001F\x7f/\"]");
    }
}

/* Each byte alone through mt_jw_bytes(), NUL and 0x80-0xFF included
 * (which are not UTF-8 alone), against mt_json_bytes(). */
static void
test_bytes_each(void)
{
    for (guint c = 0; c < 0x100; c++) {
        char b = (char)c;
        g_autofree char *mine = writer_text(write_bytes, &b, 1);
        g_autofree char *theirs = jansson_text(one_bytes(&b, 1),
                                               JSON_COMPACT);
        g_assert_cmpstr(mine, ==, theirs);
    }
}

/* Invalid and valid UTF-8 of every kind, with backslashes (which the
 * escaping doubles only in text that is not UTF-8). */
static const struct {
    const char *bytes;
    gsize len;
} utf8_cases[] = {
#define CASE(s) {s, sizeof s - 1}
    CASE(""),
    CASE("plain ascii"),
    CASE("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
    CASE("\xc3"),                 /* cut short */
    CASE("\xe2\x82"),             /* cut short */
    CASE("\x80"),                 /* lone continuation */
    CASE("\xbf\xbf"),
    CASE("\xc0\x80"),             /* overlong NUL */
    CASE("\xc1\xbf"),             /* overlong */
    CASE("\xe0\x80\xaf"),         /* overlong '/' */
    CASE("\xf0\x80\x80\xaf"),     /* overlong */
    CASE("\xed\xa0\x80"),         /* surrogate U+D800 */
    CASE("\xed\xbf\xbf"),         /* surrogate U+DFFF */
    CASE("\xf4\x8f\xbf\xbf"),     /* U+10FFFF, valid */
    CASE("\xf4\x90\x80\x80"),     /* past U+10FFFF */
    CASE("\xf5\x80\x80\x80"),
    CASE("\xf8\x88\x80\x80\x80"), /* five bytes */
    CASE("\xfe\xff"),
    CASE("\xef\xbf\xbe"),         /* U+FFFE, a noncharacter: valid */
    CASE("a\\x41b"),              /* a literal \x41, UTF-8 */
    CASE("a\\x41b\xff"),          /* the same, not UTF-8 */
    CASE("nul\0inside"),
    CASE("\"quoted\"\t\xff\r\n"),
    CASE("\x1b[31mred\x1b[0m\xc3\x28"),
#undef CASE
};

static void
test_bytes_utf8(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(utf8_cases); i++) {
        const char *b = utf8_cases[i].bytes;
        gsize len = utf8_cases[i].len;
        g_autofree char *mine = writer_text(write_bytes, b, len);
        g_autofree char *theirs = jansson_text(one_bytes(b, len),
                                               JSON_COMPACT);
        GString *out = g_string_new(NULL);
        MtJsonWriter w;
        gboolean escaped;

        g_assert_cmpstr(mine, ==, theirs);
        /* The return value says what mt_escape_bytes() says. */
        mt_jw_init(&w, out, 0);
        escaped = mt_jw_bytes(&w, b, len);
        g_assert_cmpint(escaped, ==, !g_utf8_validate_len(b, len, NULL));
        g_string_free(out, TRUE);

        /* mt_jw_string() refuses what json_string() refuses: invalid
         * UTF-8 leaves the array empty (NUL ends the C string first). */
        g_clear_pointer(&mine, g_free);
        g_clear_pointer(&theirs, g_free);
        mine = writer_text(write_string, b, 0);
        theirs = jansson_text(one_string(b), JSON_COMPACT);
        g_assert_cmpstr(mine, ==, theirs);
    }
}

/* What jansson cannot make drops the member and its key, or the array
 * element, and nothing else. */
static void
test_dropped(void)
{
    GString *out = g_string_new(NULL);
    MtJsonWriter w;
    json_t *o = json_object();
    json_t *a = json_array();
    g_autofree char *theirs = NULL;

    mt_jw_init(&w, out, 0);
    mt_jw_object_begin(&w);
    /* Refused first: no comma may be left for the next member. The text
     * is valid up to its last byte, so it was partly written. */
    mt_jw_set_string(&w, "first", "caf\xc3\xa9 \\ \"\n\xc3");
    mt_jw_set_int(&w, "a", 1);
    mt_jw_set_string(&w, "null", NULL);
    mt_jw_set_string(&w, "bad", "\xff");
    mt_jw_key(&w, "nan");
    mt_jw_real(&w, NAN);
    mt_jw_key(&w, "inf");
    mt_jw_real(&w, -INFINITY);
    mt_jw_set_str(&w, "b", "kept");
    mt_jw_key(&w, "list");
    mt_jw_array_begin(&w);
    mt_jw_string(&w, NULL);
    mt_jw_real(&w, INFINITY);
    mt_jw_int(&w, 2);
    mt_jw_string(&w, "\xc0\x80");
    mt_jw_array_end(&w);
    mt_jw_object_end(&w);

    json_object_set_new(o, "first", json_string("caf\xc3\xa9 \\ \"\n\xc3"));
    json_object_set_new(o, "a", json_integer(1));
    json_object_set_new(o, "null", json_string(NULL));
    json_object_set_new(o, "bad", json_string("\xff"));
    json_object_set_new(o, "nan", json_real(NAN));
    json_object_set_new(o, "inf", json_real(-INFINITY));
    json_object_set_new(o, "b", mt_json_string_or_null("kept"));
    json_array_append_new(a, json_string(NULL));
    json_array_append_new(a, json_real(INFINITY));
    json_array_append_new(a, json_integer(2));
    json_array_append_new(a, json_string("\xc0\x80"));
    json_object_set_new(o, "list", a);
    theirs = jansson_text(o, JSON_COMPACT);
    g_assert_cmpstr(out->str, ==, theirs);
    g_assert_cmpstr(out->str, ==, "{\"a\":1,\"b\":\"kept\",\"list\":[2]}");
    g_string_free(out, TRUE);
}

static const double reals[] = {
    0.0, -0.0, 0.1, 1.0, -1.0, 2.5, 1e16, 1e17, 1e20, 1e-5, 1e-4,
    123456789012345678.0, 9007199254740993.0, 48.8566, -122.4194,
    51.5072, 1e300, -1e-300, 5e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, 3.141592653589793, 100.0, 1e100,
};

static void
test_reals(void)
{
    GString *out = g_string_new(NULL);
    MtJsonWriter w;
    json_t *a = json_array();
    g_autofree char *theirs = NULL;

    mt_jw_init(&w, out, 0);
    mt_jw_array_begin(&w);
    for (gsize i = 0; i < G_N_ELEMENTS(reals); i++) {
        mt_jw_real(&w, reals[i]);
        json_array_append_new(a, json_real(reals[i]));
    }
    mt_jw_array_end(&w);
    theirs = jansson_text(a, JSON_COMPACT);
    g_assert_cmpstr(out->str, ==, theirs);
    /* A few written out, so that a change in jansson shows here. */
    g_assert_nonnull(strstr(out->str, "[0.0,-0.0,0.10000000000000001,1.0,"));
    g_assert_nonnull(strstr(out->str, ",1e20,1.0000000000000001e-5,"));
    g_string_free(out, TRUE);
}

static void
test_ints(void)
{
    const gint64 ints[] = {0, 1, -1, 9, 10, -10, 1234567890123,
                           G_MAXINT64, G_MININT64, G_MININT64 + 1};
    GString *out = g_string_new(NULL);
    MtJsonWriter w;
    json_t *a = json_array();
    g_autofree char *theirs = NULL;

    mt_jw_init(&w, out, 0);
    mt_jw_array_begin(&w);
    for (gsize i = 0; i < G_N_ELEMENTS(ints); i++) {
        mt_jw_int(&w, ints[i]);
        mt_jw_int_or_null(&w, ints[i]);
        json_array_append_new(a, json_integer(ints[i]));
        json_array_append_new(a, ints[i] < 0 ? json_null()
                                             : json_integer(ints[i]));
    }
    mt_jw_bool(&w, TRUE);
    mt_jw_bool(&w, FALSE);
    mt_jw_null(&w);
    json_array_append_new(a, json_true());
    json_array_append_new(a, json_false());
    json_array_append_new(a, json_null());
    mt_jw_array_end(&w);
    theirs = jansson_text(a, JSON_COMPACT);
    g_assert_cmpstr(out->str, ==, theirs);
    g_string_free(out, TRUE);
}

/* ---- Random documents ------------------------------------------- */

/* The writers under test, one per mode, and the flags jansson dumps the
 * tree with for each. */
static const guint modes[] = {0, 2, 4, 1};
#define MODES G_N_ELEMENTS(modes)

typedef struct {
    MtJsonWriter w[MODES];
    GString *out[MODES];
    json_t *stack[16];
    guint depth;
    guint keys;
    GRand *rand;
} Doc;

static const char *const pieces[] = {
    "a", "b c", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\\x41",
};

static char *
random_text(GRand *rand)
{
    GString *s = g_string_new(NULL);
    guint n = (guint)g_rand_int_range(rand, 0, 6);

    for (guint i = 0; i < n; i++)
        g_string_append(s, pieces[g_rand_int_range(rand, 0,
                                                   G_N_ELEMENTS(pieces))]);
    return g_string_free(s, FALSE);
}

/* Gives the next value's key to every writer and returns it (or NULL in
 * an array). The counter makes keys unique: jansson would replace a
 * repeated one. */
static char *
doc_key(Doc *d)
{
    g_autofree char *text = NULL;
    char *key;

    if (d->depth == 0 || !json_is_object(d->stack[d->depth - 1]))
        return NULL;
    text = random_text(d->rand);
    if (!g_utf8_validate(text, -1, NULL))
        g_clear_pointer(&text, g_free);
    key = g_strdup_printf("k%u%s", d->keys++, text ? text : "");
    for (guint m = 0; m < MODES; m++)
        mt_jw_key(&d->w[m], key);
    return key;
}

static void
doc_attach(Doc *d, const char *key, json_t *v)
{
    json_t *parent = d->stack[d->depth - 1];

    if (key)
        json_object_set_new(parent, key, v);
    else
        json_array_append_new(parent, v);
}

static void
doc_value(Doc *d)
{
    g_autofree char *key = doc_key(d);
    g_autofree char *text = random_text(d->rand);
    gint32 pick = g_rand_int_range(d->rand, 0, 10);
    gint64 n = (gint64)g_rand_int(d->rand) - G_MAXINT32;
    double real = g_rand_double_range(d->rand, -1e6, 1e6);
    json_t *v = NULL;

    for (guint m = 0; m < MODES; m++) {
        MtJsonWriter *w = &d->w[m];
        switch (pick) {
        case 0:
            mt_jw_string(w, text);
            break;
        case 1:
            mt_jw_bytes(w, text, strlen(text));
            break;
        case 2:
            mt_jw_int(w, n);
            break;
        case 3:
            mt_jw_real(w, real);
            break;
        case 4:
            mt_jw_bool(w, n & 1);
            break;
        case 5:
            mt_jw_null(w);
            break;
        case 6:
            mt_jw_string(w, NULL);
            break;
        case 7:
            mt_jw_real(w, NAN);
            break;
        case 8:
            mt_jw_object_begin(w);
            break;
        default:
            mt_jw_array_begin(w);
            break;
        }
    }
    switch (pick) {
    case 0:
        v = json_string(text);
        break;
    case 1:
        v = mt_json_bytes(text, strlen(text));
        break;
    case 2:
        v = json_integer(n);
        break;
    case 3:
        v = json_real(real);
        break;
    case 4:
        v = json_boolean(n & 1);
        break;
    case 5:
        v = json_null();
        break;
    case 6:
        v = json_string(NULL);
        break;
    case 7:
        v = json_real(NAN);
        break;
    case 8:
        v = json_object();
        break;
    default:
        v = json_array();
        break;
    }
    if (pick >= 8) {
        json_incref(v);
        doc_attach(d, key, v);
        d->stack[d->depth++] = v;
        json_decref(v); /* the parent holds it */
    } else {
        doc_attach(d, key, v);
    }
}

static void
doc_close(Doc *d)
{
    gboolean object = json_is_object(d->stack[d->depth - 1]);

    for (guint m = 0; m < MODES; m++) {
        if (object)
            mt_jw_object_end(&d->w[m]);
        else
            mt_jw_array_end(&d->w[m]);
    }
    d->depth--;
}

static void
test_random(void)
{
    for (guint32 seed = 1; seed <= 300; seed++) {
        Doc d = {0};
        json_t *root = json_object();
        guint steps = 0;

        d.rand = g_rand_new_with_seed(seed);
        for (guint m = 0; m < MODES; m++) {
            d.out[m] = g_string_new(NULL);
            mt_jw_init(&d.w[m], d.out[m], modes[m]);
            mt_jw_object_begin(&d.w[m]);
        }
        d.stack[d.depth++] = root;
        while (d.depth > 0) {
            /* Close more often when deep or late; an empty container
             * now and then. */
            gboolean close = steps++ > 200 || d.depth >= G_N_ELEMENTS(d.stack)
                             || g_rand_int_range(d.rand, 0, 8) == 0;
            if (close)
                doc_close(&d);
            else
                doc_value(&d);
        }
        for (guint m = 0; m < MODES; m++) {
            g_autofree char *theirs = NULL;
            char *dumped = json_dumps(root, modes[m] == 0
                                                ? JSON_COMPACT
                                                : JSON_INDENT(modes[m]));

            theirs = g_strdup(dumped);
            free(dumped);
            g_assert_true(mt_jw_complete(&d.w[m]));
            g_assert_cmpstr(d.out[m]->str, ==, theirs);
            g_string_free(d.out[m], TRUE);
        }
        json_decref(root);
        g_rand_free(d.rand);
    }
}

/* The indented layout itself, written out: json_dumpf(JSON_INDENT(2)). */
static void
test_indent(void)
{
    GString *out = g_string_new(NULL);
    MtJsonWriter w;

    mt_jw_init(&w, out, 2);
    mt_jw_object_begin(&w);
    mt_jw_key(&w, "empty_object");
    mt_jw_object_begin(&w);
    mt_jw_object_end(&w);
    mt_jw_key(&w, "empty_array");
    mt_jw_array_begin(&w);
    mt_jw_array_end(&w);
    mt_jw_key(&w, "list");
    mt_jw_array_begin(&w);
    mt_jw_int(&w, 1);
    mt_jw_object_begin(&w);
    mt_jw_set_str(&w, "k", "v");
    mt_jw_object_end(&w);
    mt_jw_array_end(&w);
    mt_jw_object_end(&w);
    g_assert_cmpstr(out->str, ==,
                    "{\n"
                    "  \"empty_object\": {},\n"
                    "  \"empty_array\": [],\n"
                    "  \"list\": [\n"
                    "    1,\n"
                    "    {\n"
                    "      \"k\": \"v\"\n"
                    "    }\n"
                    "  ]\n"
                    "}");
    g_string_free(out, TRUE);
}

/* Past MT_JW_MAX_DEPTH a container is left out with all it holds, and
 * the writer goes on at the level it was at: the text stays valid. */
static void
test_depth_bound(void)
{
    GString *out = g_string_new(NULL);
    GString *expected = g_string_new(NULL);
    MtJsonWriter *w = g_new(MtJsonWriter, 1);

    mt_jw_init(w, out, 0);
    for (guint i = 0; i < MT_JW_MAX_DEPTH; i++)
        mt_jw_array_begin(w);
    g_assert_false(mt_jw_truncated(w));
    /* One level too deep: left out, whatever is inside. */
    mt_jw_object_begin(w);
    mt_jw_set_int(w, "lost", 1);
    mt_jw_key(w, "deeper");
    mt_jw_array_begin(w);
    mt_jw_string(w, "lost too");
    mt_jw_array_end(w);
    mt_jw_object_end(w);
    g_assert_true(mt_jw_truncated(w));
    g_assert_false(mt_jw_complete(w));
    /* Back at the deepest level kept. */
    mt_jw_int(w, 7);
    for (guint i = 0; i < MT_JW_MAX_DEPTH; i++)
        mt_jw_array_end(w);
    g_assert_true(mt_jw_complete(w));

    for (guint i = 0; i < MT_JW_MAX_DEPTH; i++)
        g_string_append_c(expected, '[');
    g_string_append_c(expected, '7');
    for (guint i = 0; i < MT_JW_MAX_DEPTH; i++)
        g_string_append_c(expected, ']');
    g_assert_cmpstr(out->str, ==, expected->str);
    g_string_free(out, TRUE);
    g_string_free(expected, TRUE);
    g_free(w);
}

/* A value in an object without its key is a bug in the caller: a
 * critical warning, and the value is left out (no "":1, no bare 1). */
static void
test_misuse(void)
{
    GString *out = g_string_new(NULL);
    MtJsonWriter w;

    mt_jw_init(&w, out, 0);
    mt_jw_object_begin(&w);
    mt_jw_set_int(&w, "a", 1);
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*without a key*");
    mt_jw_int(&w, 2);
    g_test_assert_expected_messages();
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*without a key*");
    mt_jw_array_begin(&w);
    mt_jw_int(&w, 3);
    mt_jw_array_end(&w);
    g_test_assert_expected_messages();
    mt_jw_set_int(&w, "b", 4);
    mt_jw_object_end(&w);
    g_assert_true(mt_jw_complete(&w));
    g_assert_cmpstr(out->str, ==, "{\"a\":1,\"b\":4}");
    g_string_free(out, TRUE);
}

/* ---- Whole reports ---------------------------------------------- */

static MtReport *
analyze_path(const char *path, const MtOptions *options)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    MtRawMessage raw = {0};
    MtReport *report;
    GError *error = NULL;

    g_file_get_contents(path, &text, &len, &error);
    g_assert_no_error(error);
    raw.source.path = (char *)path;
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, len);
    report = mt_analyze(&raw, options);
    g_bytes_unref(raw.data);
    return report;
}

/* The message files under dir and one level down. */
static void
collect(GPtrArray *paths, const char *dir, guint levels)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (d == NULL)
        return;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
            if (levels > 0)
                collect(paths, path, levels - 1);
        } else if (g_str_has_suffix(name, ".eml")) {
            g_ptr_array_add(paths, g_steal_pointer(&path));
        }
    }
}

/* Each message's report through the writer, compact and indented by 2,
 * is the text jansson dumps from the tree mt_json_report() gives (which
 * is the writer's text loaded back: so the round trip loses nothing,
 * and both modes match jansson on real reports, GeoIP reals included). */
static void
test_reports(void)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *samples = NULL;
    g_autofree char *data = NULL;
    g_autofree char *city = NULL;
    g_autofree char *asn = NULL;
    MtGeoip *geoip = mt_geoip_new();
    MtOptions options;
    GError *error = NULL;

    if (root == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        mt_geoip_free(geoip);
        return;
    }
    /* One analysis time for both texts. */
    g_setenv("SOURCE_DATE_EPOCH", "1700000000", TRUE);
    samples = g_build_filename(root, "samples", NULL);
    data = g_build_filename(root, "tests", "data", NULL);
    city = g_build_filename(samples, "geoip", "mailtrail-sample-city.mmdb",
                            NULL);
    asn = g_build_filename(samples, "geoip", "mailtrail-sample-asn.mmdb",
                           NULL);
    g_assert_true(mt_geoip_add_database(geoip, city, &error));
    g_assert_true(mt_geoip_add_database(geoip, asn, &error));
    g_assert_no_error(error);
    mt_options_init_default(&options);
    options.geoip = geoip;
    collect(paths, samples, 0);
    collect(paths, data, 2);
    g_assert_cmpuint(paths->len, >, 20);

    for (guint i = 0; i < paths->len; i++) {
        MtReport *r = analyze_path(paths->pdata[i], &options);

        for (guint indent = 0; indent <= 2; indent += 2) {
            GString *out = g_string_new(NULL);
            MtJsonWriter *w = g_new(MtJsonWriter, 1);
            g_autofree char *theirs = NULL;

            mt_jw_init(w, out, indent);
            mt_json_write_report(w, r);
            g_assert_true(mt_jw_complete(w));
            theirs = jansson_text(mt_json_report(r),
                                  indent ? JSON_INDENT(2) : JSON_COMPACT);
            if (strcmp(out->str, theirs) != 0)
                g_error("%s (indent %u): the writer and jansson differ",
                        (const char *)paths->pdata[i], indent);
            g_string_free(out, TRUE);
            g_free(w);
        }
        mt_report_free(r);
    }
    mt_geoip_free(geoip);
}

/* DKIM tags as the tree held them: a name given twice keeps its first
 * place with its last value, a name that is not UTF-8 is left out. The
 * parser makes neither, so they are put into a parsed report here. */
static void
test_tags(void)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autofree char *path = NULL;
    MtOptions options;
    MtReport *r;
    MtSignature *sig;
    MtTag *tag;
    json_t *auth, *tags;
    const char *key;
    json_t *value;
    guint i = 0, s_at = G_MAXUINT, n;

    if (root == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    path = g_build_filename(root, "tests", "data", "identity",
                            "reply-to-freemail.eml", NULL);
    mt_options_init_default(&options);
    r = analyze_path(path, &options);
    g_assert_cmpuint(r->authentication.dkim->len, >, 0);
    sig = r->authentication.dkim->pdata[0];
    n = sig->tags->len;
    tag = g_new0(MtTag, 1);
    tag->name = g_strdup("s");
    tag->value = g_strdup("second-s");
    g_ptr_array_add(sig->tags, tag);
    tag = g_new0(MtTag, 1);
    tag->name = g_strdup("bad\xff");
    tag->value = g_strdup("x");
    g_ptr_array_add(sig->tags, tag);

    auth = mt_json_authentication(r);
    g_assert_nonnull(auth);
    tags = json_object_get(json_array_get(json_object_get(auth, "dkim"), 0),
                           "tags");
    g_assert_cmpuint(json_object_size(tags), ==, n);
    json_object_foreach(tags, key, value) {
        g_assert_true(json_is_string(value));
        if (strcmp(key, "s") == 0)
            s_at = i;
        i++;
    }
    g_assert_cmpuint(s_at, <, n);
    for (guint k = 0; k < n; k++)
        if (strcmp(((const MtTag *)sig->tags->pdata[k])->name, "s") == 0)
            g_assert_cmpuint(s_at, ==, k);
    g_assert_cmpstr(json_string_value(json_object_get(tags, "s")), ==,
                    "second-s");
    json_decref(auth);
    mt_report_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/jsonw/ascii", test_ascii);
    g_test_add_func("/jsonw/bytes-each", test_bytes_each);
    g_test_add_func("/jsonw/bytes-utf8", test_bytes_utf8);
    g_test_add_func("/jsonw/dropped", test_dropped);
    g_test_add_func("/jsonw/reals", test_reals);
    g_test_add_func("/jsonw/ints", test_ints);
    g_test_add_func("/jsonw/random", test_random);
    g_test_add_func("/jsonw/indent", test_indent);
    g_test_add_func("/jsonw/depth-bound", test_depth_bound);
    g_test_add_func("/jsonw/misuse", test_misuse);
    g_test_add_func("/jsonw/reports", test_reports);
    g_test_add_func("/jsonw/tags", test_tags);
    return g_test_run();
}
