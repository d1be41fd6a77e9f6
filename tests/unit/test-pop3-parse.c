/* SPDX-License-Identifier: MIT */
/*
 * test-pop3-parse.c: unit tests of the POP3 reply parser
 * (analyzer/pop3-parse.c): status lines, "+OK N octets", listings, and
 * dot-unstuffing of multi-line replies split at every possible byte.
 */
#include <string.h>

#include "acquire-private.h"

static void
test_status(void)
{
    GError *error = NULL;
    gboolean ok = FALSE;
    char *text = NULL;

    g_assert_true(
        mt_pop3_status_parse("+OK 1234 octets\r\n", 17, &ok, &text, &error));
    g_assert_true(ok);
    g_assert_cmpstr(text, ==, "1234 octets");
    g_free(text);
    g_assert_true(
        mt_pop3_status_parse("-ERR [AUTH] no\r\n", 16, &ok, &text, &error));
    g_assert_false(ok);
    g_assert_cmpstr(text, ==, "[AUTH] no");
    g_free(text);
    g_assert_true(mt_pop3_status_parse("+OK\r\n", 5, &ok, &text, &error));
    g_assert_true(ok);
    g_assert_cmpstr(text, ==, "");
    g_free(text);
    g_assert_no_error(error);

    g_assert_false(mt_pop3_status_parse("+OKAY\r\n", 7, &ok, NULL, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_assert_false(mt_pop3_status_parse("* OK\r\n", 6, &ok, NULL, &error));
    g_clear_error(&error);
    g_assert_false(mt_pop3_status_parse("+OK a\0b\r\n", 9, &ok, NULL, &error));
    g_clear_error(&error);
}

static void
test_octets(void)
{
    guint64 n = 0;

    g_assert_true(mt_pop3_octets_parse("1234 octets", &n));
    g_assert_cmpuint(n, ==, 1234);
    g_assert_true(mt_pop3_octets_parse("0 OCTETS follow", &n));
    g_assert_cmpuint(n, ==, 0);
    g_assert_false(mt_pop3_octets_parse("", &n));
    g_assert_false(mt_pop3_octets_parse("message follows", &n));
    g_assert_false(mt_pop3_octets_parse("12 bytes", &n));
    g_assert_false(mt_pop3_octets_parse("12octets", &n));
    g_assert_false(mt_pop3_octets_parse("99999999999999999999999 octets", &n));
}

/* Feeds data in pieces of step bytes; returns the unstuffed bytes. */
static GByteArray *
unstuff(const char *data, gsize len, gsize step, gsize *used,
        MtPop3Body *out_state)
{
    MtPop3Body b;
    gsize off = 0;

    mt_pop3_body_init(&b, 1 << 20);
    while (off < len) {
        gsize n = MIN(step, len - off), c = 0;
        GError *error = NULL;
        MtPop3BodyStatus st =
            mt_pop3_body_feed(&b, (const guint8 *)data + off, n, &c, &error);
        g_assert_no_error(error);
        off += c;
        if (st == MT_POP3_BODY_DONE)
            break;
        g_assert_cmpuint(c, ==, n);
    }
    g_assert_true(b.done);
    *used = off;
    *out_state = b;
    return g_byte_array_ref(b.out);
}

static void
test_unstuff_every_split(void)
{
    static const char wire[] = "Subject: x\r\n"
                               "\r\n"
                               "..leading dot\r\n"
                               "...two dots\r\n"
                               ".\r\r\n"
                               "end\r\n"
                               ".\r\n"
                               "+OK next reply";
    static const char want[] = "Subject: x\r\n"
                               "\r\n"
                               ".leading dot\r\n"
                               "..two dots\r\n"
                               "\r\r\n"
                               "end\r\n";
    gsize total = sizeof wire - 1;

    for (gsize step = 1; step <= total; step++) {
        MtPop3Body st;
        gsize used = 0;
        GByteArray *got = unstuff(wire, total, step, &used, &st);
        g_assert_cmpmem(got->data, got->len, want, sizeof want - 1);
        /* The next reply is left untouched. */
        g_assert_cmpuint(used, ==, total - strlen("+OK next reply"));
        g_assert_cmpuint(st.lines, ==, 6);
        g_assert_cmpuint(st.unstuffed, ==, 3);
        g_assert_cmpuint(st.bare_lf, ==, 0);
        g_byte_array_unref(got);
        mt_pop3_body_clear(&st);
    }
}

static void
test_unstuff_lf_and_empty(void)
{
    MtPop3Body st;
    gsize used = 0;
    GByteArray *got;

    got = unstuff("a\nb\r\n.\n", 7, 3, &used, &st);
    g_assert_cmpmem(got->data, got->len, "a\nb\r\n", 5);
    g_assert_cmpuint(st.bare_lf, ==, 1);
    g_assert_true(st.lf_terminator);
    g_byte_array_unref(got);
    mt_pop3_body_clear(&st);

    got = unstuff(".\r\n", 3, 1, &used, &st);
    g_assert_cmpuint(got->len, ==, 0);
    g_assert_cmpuint(st.lines, ==, 0);
    g_byte_array_unref(got);
    mt_pop3_body_clear(&st);
}

/* A 100 KB line and lines that look like the terminator inside it. */
static void
test_unstuff_long_line(void)
{
    GString *wire = g_string_new(NULL);
    GString *want = g_string_new(NULL);
    MtPop3Body st;
    gsize used = 0;
    GByteArray *got;

    for (int i = 0; i < 100 * 1024; i++) {
        g_string_append_c(wire, (char)('a' + i % 26));
        g_string_append_c(want, (char)('a' + i % 26));
    }
    g_string_append(wire, " .\r\n. \r\n");
    g_string_append(want, " .\r\n \r\n");
    g_string_append(wire, ".\r\n");
    got = unstuff(wire->str, wire->len, 4093, &used, &st);
    g_assert_cmpmem(got->data, got->len, want->str, want->len);
    g_assert_cmpuint(used, ==, wire->len);
    g_byte_array_unref(got);
    mt_pop3_body_clear(&st);
    g_string_free(wire, TRUE);
    g_string_free(want, TRUE);
}

static void
test_unstuff_limit(void)
{
    MtPop3Body b;
    GError *error = NULL;
    gsize c = 0;
    char big[64];

    memset(big, 'x', sizeof big);
    mt_pop3_body_init(&b, 40);
    g_assert_cmpint(
        mt_pop3_body_feed(&b, (const guint8 *)big, sizeof big, &c, &error), ==,
        MT_POP3_BODY_ERROR);
    g_assert_error(error, MT_ERROR, MT_ERROR_LIMIT);
    g_assert_cmpuint(b.out->len, <=, 40);
    g_clear_error(&error);
    mt_pop3_body_clear(&b);
}

static void
test_listing(void)
{
    static const char *bad[] = {
        "x 1", "0 5", "1", "1 ", " 1 2", "1\t2", "123456789012345678901 1"};
    GError *error = NULL;
    guint64 n = 0;
    char *v = NULL;

    g_assert_true(
        mt_pop3_listing_parse("3 0000000300000003\r\n", 20, &n, &v, &error));
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpstr(v, ==, "0000000300000003");
    g_free(v);
    g_assert_true(mt_pop3_listing_parse("12 345 extra", 12, &n, &v, &error));
    g_assert_cmpuint(n, ==, 12);
    g_assert_cmpstr(v, ==, "345 extra");
    g_free(v);
    g_assert_no_error(error);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(
            mt_pop3_listing_parse(bad[i], strlen(bad[i]), &n, NULL, &error));
        g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
        g_clear_error(&error);
    }
    g_assert_true(mt_pop3_uidl_valid("0000000100000001", 16));
    g_assert_true(mt_pop3_uidl_valid("~!", 2));
    g_assert_false(mt_pop3_uidl_valid("", 0));
    g_assert_false(mt_pop3_uidl_valid("a b", 3));
    g_assert_false(mt_pop3_uidl_valid("\xc3\xa9", 2));
    {
        char long_uidl[71];
        memset(long_uidl, 'a', sizeof long_uidl);
        g_assert_true(mt_pop3_uidl_valid(long_uidl, 70));
        g_assert_false(mt_pop3_uidl_valid(long_uidl, 71));
    }
}

static void
test_split_lines(void)
{
    GError *error = NULL;
    char **v = mt_pop3_split_lines(
        (const guint8 *)"TOP\r\nUIDL\nSASL PLAIN\r\n", 22, 100, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(v), ==, 3);
    g_assert_cmpstr(v[0], ==, "TOP");
    g_assert_cmpstr(v[1], ==, "UIDL");
    g_assert_cmpstr(v[2], ==, "SASL PLAIN");
    g_strfreev(v);
    g_assert_null(
        mt_pop3_split_lines((const guint8 *)"a\nb\nc\n", 6, 2, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pop3/status", test_status);
    g_test_add_func("/pop3/octets", test_octets);
    g_test_add_func("/pop3/unstuff/every-split", test_unstuff_every_split);
    g_test_add_func("/pop3/unstuff/lf-and-empty", test_unstuff_lf_and_empty);
    g_test_add_func("/pop3/unstuff/long-line", test_unstuff_long_line);
    g_test_add_func("/pop3/unstuff/limit", test_unstuff_limit);
    g_test_add_func("/pop3/listing", test_listing);
    g_test_add_func("/pop3/split-lines", test_split_lines);
    return g_test_run();
}
