/* SPDX-License-Identifier: MIT */
/*
 * test-mbox.c: the streaming splitter against hand-counted offsets and
 * sizes, with SHA-256 computed independently (GLib's GChecksum, not the
 * OpenSSL code the splitter uses). Every case runs with several read chunk
 * sizes, so that separators, CRLF pairs and Content-Length ends fall across
 * chunk boundaries.
 */
#include <string.h>

#include "mailtrail-private.h"
#include "mbox-private.h"

static const gsize chunks[] = {1, 2, 3, 7, 64, 0};

typedef struct {
    guint64 offset;
    guint64 size;
    const char *sender; /* from the separator, or NULL */
} Expect;

static char *
sha256_glib(const char *data, gsize len)
{
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                       (const guchar *)data, len);
}

/* Splits input with every chunk size and checks each message. */
static void
check_split(const char *input, gsize input_len, const Expect *expect,
            guint n)
{
    MtLimits limits;

    mt_limits_init_default(&limits);
    for (gsize c = 0; c < G_N_ELEMENTS(chunks); c++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) msgs = mt_mbox_split_bytes_chunked(
            "test.mbox", input, input_len, chunks[c], &limits, &error);

        g_assert_no_error(error);
        if (msgs->len != n)
            g_test_message("chunk %" G_GSIZE_FORMAT ": %u messages, want %u",
                           chunks[c], msgs->len, n);
        g_assert_cmpuint(msgs->len, ==, n);
        for (guint i = 0; i < n; i++) {
            MtRawMessage *raw = msgs->pdata[i];
            g_autofree char *want_sha = NULL;

            g_assert_no_error(raw->error);
            g_assert_cmpuint(raw->source.index, ==, i);
            g_assert_cmpuint(raw->source.offset, ==, expect[i].offset);
            g_assert_cmpuint(raw->source.size, ==, expect[i].size);
            g_assert_cmpuint(g_bytes_get_size(raw->data), ==, expect[i].size);
            want_sha = sha256_glib(input + expect[i].offset, expect[i].size);
            g_assert_cmpstr(raw->source.sha256, ==, want_sha);
            g_assert_cmpstr(raw->source.mbox_sender, ==, expect[i].sender);
        }
    }
}

static void
test_simple(void)
{
    /* Separator lines are 33 bytes; the empty line before the second
     * separator belongs to it. */
    const char *in = "From a@example.org Tue Nov  3 10:00:00 2026\n"
                     "Subject: one\n"
                     "\n"
                     "body one\n"
                     "\n"
                     "From b@example.org Tue Nov  3 10:01:00 2026\n"
                     "Subject: two\n"
                     "\n"
                     "body two\n";
    const Expect e[] = {{44, 23, "a@example.org"}, {112, 23, "b@example.org"}};

    check_split(in, strlen(in), e, 2);
}

static void
test_from_in_body(void)
{
    /* "From Russia with love" is not an envelope; "From 9:00 ..." looks
     * like one but prose follows it; ">From" is quoted. */
    const char *in = "From - \n"
                     "Subject: a\n"
                     "\n"
                     "From Russia with love\n"
                     "Year: 1963\n"
                     "\n"
                     "From 9:00 to 17:00 every day\n"
                     "we are open.\n"
                     ">From the archive\n";
    const Expect e[] = {{8, strlen(in) - 8, "-"}};
    MtLimits limits;
    g_autoptr(GPtrArray) msgs = NULL;

    check_split(in, strlen(in), e, 1);
    mt_limits_init_default(&limits);
    msgs = mt_mbox_split_bytes("x", in, strlen(in), &limits);
    g_assert_cmpuint(((MtRawMessage *)msgs->pdata[0])->source.mbox_quoted_from,
                     ==, 1);
}

static void
test_no_blank_line(void)
{
    /* Mozilla writes "From - " separators with no empty line before. */
    const char *in = "From - \n"
                     "Subject: a\n"
                     "\n"
                     "text\n"
                     "From - Mon Jun  3 12:50:27 1996\n"
                     "X-Mozilla-Status: 0001\n"
                     "\n"
                     "more\n";
    const Expect e[] = {{8, 17, "-"}, {57, 29, "-"}};

    check_split(in, strlen(in), e, 2);
}

static void
test_crlf(void)
{
    const char *in = "From a@example.org Tue Nov  3 10:00:00 2026\r\n"
                     "Subject: one\r\n"
                     "\r\n"
                     "x\r\n"
                     "\r\n"
                     "From b@example.org Tue Nov  3 10:01:00 2026\r\n"
                     "Subject: two\r\n"
                     "\r\n"
                     "y";
    const Expect e[] = {{45, 19, "a@example.org"}, {111, 17, "b@example.org"}};

    check_split(in, strlen(in), e, 2);
}

static void
test_cr_only(void)
{
    const char *in = "From a@example.org Tue Nov  3 10:00:00 2026\r"
                     "Subject: one\r"
                     "\r"
                     "x\r"
                     "\r"
                     "From b@example.org Tue Nov  3 10:01:00 2026\r"
                     "Subject: two\r"
                     "\r"
                     "y\r";
    const Expect e[] = {{44, 16, "a@example.org"}, {105, 16, "b@example.org"}};
    MtLimits limits;
    g_autoptr(GPtrArray) msgs = NULL;
    gsize len = 0;
    const char *data;

    check_split(in, strlen(in), e, 2);
    /* GMime is handed LF line ends; the hash above was over CRs. */
    mt_limits_init_default(&limits);
    msgs = mt_mbox_split_bytes("x", in, strlen(in), &limits);
    data = g_bytes_get_data(((MtRawMessage *)msgs->pdata[0])->data, &len);
    g_assert_cmpmem(data, len, "Subject: one\n\nx\n", 16);
    g_assert_cmpint(((MtRawMessage *)msgs->pdata[0])->source.eol, ==,
                    MT_EOL_CR);
}

static void
test_no_final_newline(void)
{
    const char *in = "Subject: eml\n\nlast line";
    const Expect e[] = {{0, strlen(in), NULL}};

    check_split(in, strlen(in), e, 1);
}

static void
test_content_length(void)
{
    /* Content-Length 31 covers an unquoted "From " line, followed by a
     * header-like line, that would split the message without it. */
    const char *in2 = "From a Tue Nov  3 10:00:00 2026\n"
                      "Content-Length: 31\n"
                      "\n"
                      "hi\n"
                      "From b Tue Nov  3 2026\n"
                      "X: 1\n"
                      "From c Tue Nov  3 10:02:00 2026\n"
                      "Subject: c\n"
                      "\n"
                      "c\n";
    const Expect e[] = {{32, 51, "a"}, {115, 14, "c"}};

    check_split(in2, strlen(in2), e, 2);
}

static void
test_content_length_lies(void)
{
    /* A Content-Length pointing past the end is ignored: the separator
     * inside the claimed body splits after all. */
    const char *in = "From a Tue Nov  3 10:00:00 2026\n"
                     "Content-Length: 5000\n"
                     "\n"
                     "hi\n"
                     "\n"
                     "From b Tue Nov  3 10:01:00 2026\n"
                     "Subject: b\n"
                     "\n"
                     "b\n";
    const Expect e[] = {{32, 25, "a"}, {90, 14, "b"}};

    check_split(in, strlen(in), e, 2);
}

static void
test_first_line_without_date(void)
{
    /* The first "From " line is a separator whatever follows it. */
    const char *in = "From mike@nowhere.com\nSubject: x\n\nbody\n";
    const Expect e[] = {{22, strlen(in) - 22, "mike@nowhere.com"}};

    check_split(in, strlen(in), e, 1);
}

static void
test_bom(void)
{
    const char *in = "\xef\xbb\xbf"
                     "From - \nSubject: x\n\nbody\n";
    const Expect e[] = {{11, strlen(in) - 11, "-"}};

    check_split(in, strlen(in), e, 1);
}

static void
test_not_a_message(void)
{
    static const struct {
        const char *data;
        gsize len;
        const char *why;
    } cases[] = {
        {"", 0, "empty file"},
        {"\n", 1, "only white space"},
        {"\x89PNG\r\n\x1a\nxxxx", 12, "PNG"},
        {"HELO relay.example.org\r\nMAIL FROM:<a@b>\r\n", 42, "BSMTP"},
        {"22\n", 3, "neither a header"},
    };
    MtLimits limits;

    mt_limits_init_default(&limits);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) msgs = mt_mbox_split_bytes_chunked(
            "bad", cases[i].data, cases[i].len, 0, &limits, &error);
        g_assert_cmpuint(msgs->len, ==, 0);
        g_assert_error(error, MT_ERROR, MT_ERROR_NOT_MESSAGE);
        g_assert_nonnull(strstr(error->message, cases[i].why));
    }
}

static void
test_oversize(void)
{
    /* A message over the limit is hashed whole and reported, and the next
     * message is still found. */
    GString *in = g_string_new("From a Tue Nov  3 10:00:00 2026\nSubject: "
                               "big\n\n");
    MtLimits limits;
    g_autoptr(GPtrArray) msgs = NULL;
    g_autofree char *want = NULL;
    gsize first_end;

    for (int i = 0; i < 5000; i++)
        g_string_append(in, "0123456789abcdef0123456789abcdef\n");
    g_string_append(in, "no newline for a long stretch ");
    for (int i = 0; i < 3000; i++)
        g_string_append(in, "xxxxxxxxxx");
    g_string_append(in, "\n");
    first_end = in->len;
    g_string_append(in, "\nFrom b Tue Nov  3 10:01:00 2026\nSubject: small\n"
                        "\nok\n");
    mt_limits_init_default(&limits);
    limits.max_message_bytes = 4096;
    for (gsize c = 0; c < G_N_ELEMENTS(chunks); c++) {
        if (chunks[c] == 1)
            continue; /* slow, and nothing new */
        msgs = mt_mbox_split_bytes_chunked("big", in->str, in->len, chunks[c],
                                           &limits, NULL);
        g_assert_cmpuint(msgs->len, ==, 2);
        MtRawMessage *big = msgs->pdata[0];
        MtRawMessage *small = msgs->pdata[1];
        g_assert_error(big->error, MT_ERROR, MT_ERROR_LIMIT);
        g_assert_null(big->data);
        g_assert_cmpuint(big->source.offset, ==, 32);
        g_assert_cmpuint(big->source.size, ==, first_end - 32);
        g_free(want);
        want = sha256_glib(in->str + 32, first_end - 32);
        g_assert_cmpstr(big->source.sha256, ==, want);
        g_assert_no_error(small->error);
        g_assert_cmpuint(small->source.size, ==, 19);
        g_clear_pointer(&msgs, g_ptr_array_unref);
    }
    g_string_free(in, TRUE);
}

static void
test_empty_message(void)
{
    /* Two separators in a row: an empty message between them is reported,
     * not dropped. */
    const char *in = "From a Tue Nov  3 10:00:00 2026\n"
                     "From b Tue Nov  3 10:01:00 2026\n"
                     "Subject: b\n\nb\n";
    const Expect e[] = {{32, 0, "a"}, {64, 14, "b"}};

    check_split(in, strlen(in), e, 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mbox/simple", test_simple);
    g_test_add_func("/mbox/from-in-body", test_from_in_body);
    g_test_add_func("/mbox/no-blank-line", test_no_blank_line);
    g_test_add_func("/mbox/crlf", test_crlf);
    g_test_add_func("/mbox/cr-only", test_cr_only);
    g_test_add_func("/mbox/no-final-newline", test_no_final_newline);
    g_test_add_func("/mbox/content-length", test_content_length);
    g_test_add_func("/mbox/content-length-lies", test_content_length_lies);
    g_test_add_func("/mbox/first-line-without-date",
                    test_first_line_without_date);
    g_test_add_func("/mbox/bom", test_bom);
    g_test_add_func("/mbox/not-a-message", test_not_a_message);
    g_test_add_func("/mbox/oversize", test_oversize);
    g_test_add_func("/mbox/empty-message", test_empty_message);
    return g_test_run();
}
