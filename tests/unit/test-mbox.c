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

/* The records of two splits of the same input are the same: what the
 * reader hands out must not depend on how the bytes arrive. */
static void
assert_same_split(const GPtrArray *want, const GPtrArray *got, gsize chunk)
{
    if (got->len != want->len)
        g_test_message("chunk %" G_GSIZE_FORMAT ": %u messages, want %u",
                       chunk, got->len, want->len);
    g_assert_cmpuint(got->len, ==, want->len);
    for (guint i = 0; i < want->len; i++) {
        const MtRawMessage *w = want->pdata[i], *g = got->pdata[i];

        if (g->source.offset != w->source.offset ||
            g->source.size != w->source.size ||
            g->source.eol != w->source.eol ||
            (g->error == NULL) != (w->error == NULL))
            g_test_message("chunk %" G_GSIZE_FORMAT ", message %u: %"
                           G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT
                           " eol %d%s, want %" G_GUINT64_FORMAT
                           "+%" G_GUINT64_FORMAT " eol %d%s",
                           chunk, i, g->source.offset, g->source.size,
                           g->source.eol, g->error ? " error" : "",
                           w->source.offset, w->source.size, w->source.eol,
                           w->error ? " error" : "");
        g_assert_cmpuint(g->source.index, ==, i);
        g_assert_cmpuint(g->source.offset, ==, w->source.offset);
        g_assert_cmpuint(g->source.size, ==, w->source.size);
        g_assert_cmpstr(g->source.sha256, ==, w->source.sha256);
        g_assert_cmpint(g->source.eol, ==, w->source.eol);
        g_assert_cmpint(g->source.format, ==, w->source.format);
        g_assert_cmpuint(g->source.mbox_quoted_from, ==,
                         w->source.mbox_quoted_from);
        g_assert_cmpint(g->source.content_length_used, ==,
                        w->source.content_length_used);
        g_assert_cmpstr(g->source.mbox_from_line, ==,
                        w->source.mbox_from_line);
        if (w->error) {
            g_assert_error(g->error, w->error->domain, w->error->code);
            g_assert_cmpstr(g->error->message, ==, w->error->message);
        } else {
            g_assert_no_error(g->error);
        }
        g_assert_true((g->data == NULL) == (w->data == NULL));
        if (w->data)
            g_assert_true(g_bytes_equal(g->data, w->data));
    }
}

/* Splits input with the default read chunk and with every chunk size from
 * 1 to 64, with a message size limit of limit bytes (0: the default), and
 * asserts identical records; checks every hash with GChecksum over the
 * input bytes. Returns the split with the default chunk. */
static GPtrArray *
split_every_chunk(const char *input, gsize input_len, guint64 limit)
{
    MtLimits limits;
    GPtrArray *want;
    g_autoptr(GError) want_error = NULL;

    mt_limits_init_default(&limits);
    if (limit)
        limits.max_message_bytes = limit;
    want = mt_mbox_split_bytes_chunked("test.mbox", input, input_len, 0,
                                       &limits, &want_error);
    for (guint i = 0; i < want->len; i++) {
        const MtSource *s = &((MtRawMessage *)want->pdata[i])->source;
        g_autofree char *sha = NULL;

        g_assert_cmpuint(s->offset + s->size, <=, input_len);
        sha = sha256_glib(input + s->offset, s->size);
        g_assert_cmpstr(s->sha256, ==, sha);
    }
    for (gsize chunk = 1; chunk <= 64; chunk++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) got = mt_mbox_split_bytes_chunked(
            "test.mbox", input, input_len, chunk, &limits, &error);

        g_assert_true((error == NULL) == (want_error == NULL));
        assert_same_split(want, got, chunk);
    }
    return want;
}

static const MtRawMessage *
message_at(const GPtrArray *msgs, guint i)
{
    g_assert_cmpuint(i, <, msgs->len);
    return msgs->pdata[i];
}

/* Appends a message with its separator and an empty line before it: a
 * header block, an empty line and lines of body text; eol is the line
 * end. Returns the offset of its first header byte. */
static gsize
append_message(GString *out, const char *eol, const char *subject,
               guint body_lines)
{
    gsize start;

    if (out->len)
        g_string_append(out, eol);
    g_string_append_printf(out, "From a@example.org Tue Nov  3 09:00:00 "
                           "2026%s", eol);
    start = out->len;
    g_string_append_printf(out, "Subject: %s%sFrom: a@example.org%s%s",
                           subject, eol, eol, eol);
    for (guint i = 0; i < body_lines; i++)
        g_string_append_printf(out, "line %u of the body%s", i, eol);
    return start;
}

static void
test_chunk_oversized_eol(void)
{
    /* Line-end statistics of a message over the limit come from the bytes
     * dropped on the way as well as from the last ones: with a 64-byte
     * limit every message here is over it, and with chunks of 1..64 CR LF
     * pairs fall across every read boundary. */
    static const struct {
        const char *eol;
        MtEol want;
    } cases[] = {
        {"\n", MT_EOL_LF},
        {"\r\n", MT_EOL_CRLF},
        {"\r", MT_EOL_CR},
    };

    for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autoptr(GString) in = g_string_new(NULL);
        g_autoptr(GPtrArray) msgs = NULL;
        gsize second;

        append_message(in, cases[c].eol, "one", 12);
        second = append_message(in, cases[c].eol, "two", 9);
        msgs = split_every_chunk(in->str, in->len, 64);
        g_assert_cmpuint(msgs->len, ==, 2);
        for (guint i = 0; i < 2; i++) {
            const MtRawMessage *raw = message_at(msgs, i);
            g_assert_error(raw->error, MT_ERROR, MT_ERROR_LIMIT);
            g_assert_null(raw->data);
            g_assert_cmpint(raw->source.eol, ==, cases[c].want);
        }
        g_assert_cmpuint(message_at(msgs, 1)->source.offset, ==, second);
        g_assert_cmpuint(message_at(msgs, 1)->source.size, ==,
                         in->len - second);
    }

    /* Mixed: LF everywhere but one CR LF at the very end, long after the
     * first bytes were dropped; and a CR as the last byte of the file. */
    {
        g_autoptr(GString) in = g_string_new(NULL);
        g_autoptr(GPtrArray) msgs = NULL;

        append_message(in, "\n", "mixed", 10);
        g_string_append(in, "last\r\n");
        msgs = split_every_chunk(in->str, in->len, 64);
        g_assert_cmpuint(msgs->len, ==, 1);
        g_assert_cmpint(message_at(msgs, 0)->source.eol, ==, MT_EOL_MIXED);
        g_string_truncate(in, in->len - 1);
        g_clear_pointer(&msgs, g_ptr_array_unref);
        msgs = split_every_chunk(in->str, in->len, 64);
        g_assert_cmpint(message_at(msgs, 0)->source.eol, ==, MT_EOL_MIXED);
    }
    {
        /* Only CR LF, and the message ends on a CR with no LF after it:
         * that CR is a CR line end (mixed), whether it is dropped with
         * the rest or still held at the end. */
        g_autoptr(GString) in = g_string_new(NULL);
        g_autoptr(GPtrArray) msgs = NULL;

        append_message(in, "\r\n", "cr at the end", 10);
        g_string_append(in, "x\r");
        msgs = split_every_chunk(in->str, in->len, 64);
        g_assert_cmpint(message_at(msgs, 0)->source.eol, ==, MT_EOL_MIXED);
        g_clear_pointer(&msgs, g_ptr_array_unref);
        msgs = split_every_chunk(in->str, in->len, 0);
        g_assert_cmpint(message_at(msgs, 0)->source.eol, ==, MT_EOL_MIXED);
        g_assert_nonnull(message_at(msgs, 0)->data);
    }
}

static void
test_chunk_small_after_oversized(void)
{
    /* A message under the limit is kept however the separator after it
     * and the line after that arrive: the look-ahead that decides the
     * separator is not part of the message (the fuzzer's crash-bc1a287f:
     * with small chunks the 59-byte message was declared too large). */
    g_autoptr(GString) in = g_string_new(NULL);
    g_autoptr(GPtrArray) msgs = NULL;
    gsize small, big;
    guint64 small_size;

    append_message(in, "\n", "oversized", 6);
    small = append_message(in, "\n", "s", 1);
    big = append_message(in, "\n", "oversized", 6);
    small_size = big - small - 1 /* empty line */ - 44 /* separator */;
    msgs = split_every_chunk(in->str, in->len, small_size);
    g_assert_cmpuint(msgs->len, ==, 3);
    g_assert_error(message_at(msgs, 0)->error, MT_ERROR, MT_ERROR_LIMIT);
    g_assert_no_error(message_at(msgs, 1)->error);
    g_assert_cmpuint(message_at(msgs, 1)->source.offset, ==, small);
    g_assert_cmpuint(message_at(msgs, 1)->source.size, ==, small_size);
    g_assert_nonnull(message_at(msgs, 1)->data);
    g_assert_cmpint(message_at(msgs, 1)->source.eol, ==, MT_EOL_LF);
    g_assert_error(message_at(msgs, 2)->error, MT_ERROR, MT_ERROR_LIMIT);

    /* One byte less of limit: the small one is over it too, at every chunk
     * size alike. */
    g_clear_pointer(&msgs, g_ptr_array_unref);
    msgs = split_every_chunk(in->str, in->len, small_size - 1);
    g_assert_cmpuint(msgs->len, ==, 3);
    g_assert_error(message_at(msgs, 1)->error, MT_ERROR, MT_ERROR_LIMIT);
    g_assert_cmpuint(message_at(msgs, 1)->source.size, ==, small_size);
}

static void
test_chunk_content_length(void)
{
    /* Content-Length 54 covers a separator and header line in the body.
     * Within the limit it is followed; with a limit below the 85 bytes
     * it describes it is not (following it would mean holding the body
     * from the inner "From " line on), so the inner separator splits. */
    const char *in = "From a Tue Nov  3 10:00:00 2026\n"
                     "Subject: a\n"
                     "Content-Length: 54\n"
                     "\n"
                     "hi\n"
                     "From b Tue Nov  3 10:01:00 2026\n"
                     "X: 1\n"
                     "and more text\n"
                     "\n"
                     "From c Tue Nov  3 10:02:00 2026\n"
                     "Subject: c\n"
                     "\n"
                     "c\n";
    g_autoptr(GPtrArray) msgs = split_every_chunk(in, strlen(in), 0);

    g_assert_cmpuint(msgs->len, ==, 2);
    g_assert_true(message_at(msgs, 0)->source.content_length_used);
    g_assert_cmpuint(message_at(msgs, 0)->source.offset, ==, 32);
    g_assert_cmpuint(message_at(msgs, 0)->source.size, ==, 85);
    g_clear_pointer(&msgs, g_ptr_array_unref);
    msgs = split_every_chunk(in, strlen(in), 85);
    g_assert_cmpuint(msgs->len, ==, 2);
    g_assert_no_error(message_at(msgs, 0)->error);
    g_assert_true(message_at(msgs, 0)->source.content_length_used);

    g_clear_pointer(&msgs, g_ptr_array_unref);
    msgs = split_every_chunk(in, strlen(in), 84);
    g_assert_cmpuint(msgs->len, ==, 3);
    g_assert_false(message_at(msgs, 0)->source.content_length_used);
    g_assert_cmpuint(message_at(msgs, 0)->source.size, ==, 34);
    g_assert_no_error(message_at(msgs, 0)->error);
    g_assert_cmpuint(message_at(msgs, 1)->source.offset, ==, 98);
    g_assert_cmpuint(message_at(msgs, 1)->source.size, ==, 19);
}

/* Appends prefix, then 'x' up to n bytes, then suffix. */
static void
append_long_line(GString *out, const char *prefix, gsize n,
                 const char *suffix)
{
    gsize start = out->len;

    g_string_append(out, prefix);
    while (out->len - start < n)
        g_string_append_c(out, 'x');
    g_string_append(out, suffix);
}

static void
test_chunk_long_lines(void)
{
    /* Lines longer than LINE_HEAD (1024) are decided from their first
     * bytes before their end arrives; the result is the same as when the
     * whole line is there, at any limit. */
    static const guint64 limits[] = {0, 64, 2000};

    for (gsize l = 0; l < G_N_ELEMENTS(limits); l++) {
        g_autoptr(GString) in = g_string_new(NULL);
        g_autoptr(GPtrArray) msgs = NULL;
        gsize second, third;

        /* A long header field after a separator makes it one. */
        append_message(in, "\n", "one", 2);
        g_string_append(in, "\nFrom b Tue Nov  3 10:01:00 2026\n");
        second = in->len;
        append_long_line(in, "X-Long: ", 3000, "\n");
        /* A field name too long to be one: the "From " line is text. */
        g_string_append(in, "\nFrom c Tue Nov  3 10:02:00 2026\n");
        append_long_line(in, "", 1500, ": v\n");
        /* Quoted, long. */
        append_long_line(in, ">>From ", 1100, "\n");
        /* A field name and colon within the first 1024 bytes. */
        g_string_append(in, "\nFrom d Tue Nov  3 10:03:00 2026\n");
        third = in->len;
        append_long_line(in, "", 1000, ": ");
        append_long_line(in, "", 2000, "\n");
        g_string_append(in, "\nbody\n");

        msgs = split_every_chunk(in->str, in->len, limits[l]);
        g_assert_cmpuint(msgs->len, ==, 3);
        g_assert_cmpuint(message_at(msgs, 1)->source.offset, ==, second);
        g_assert_cmpuint(message_at(msgs, 1)->source.size, ==,
                         third - 32 - 1 - second);
        g_assert_cmpuint(message_at(msgs, 1)->source.mbox_quoted_from, ==,
                         1);
        g_assert_cmpuint(message_at(msgs, 2)->source.offset, ==, third);
        g_assert_cmpuint(message_at(msgs, 2)->source.size, ==,
                         in->len - third);
        if (limits[l] == 0)
            g_assert_no_error(message_at(msgs, 1)->error);
        else
            g_assert_error(message_at(msgs, 1)->error, MT_ERROR,
                           MT_ERROR_LIMIT);
    }
}

static void
test_chunk_long_line_content_length(void)
{
    /* A long line that runs past where Content-Length says the body ends
     * makes it fail, whether its end has arrived or not. */
    g_autoptr(GString) in = g_string_new("From a Tue Nov  3 10:00:00 2026\n"
                                         "Content-Length: 100\n"
                                         "\n");
    g_autoptr(GPtrArray) msgs = NULL;
    gsize second;

    append_long_line(in, "", 5000, "\n");
    g_string_append(in, "\nFrom b Tue Nov  3 10:01:00 2026\n");
    second = in->len;
    g_string_append(in, "Subject: b\n\nb\n");
    msgs = split_every_chunk(in->str, in->len, 0);
    g_assert_cmpuint(msgs->len, ==, 2);
    g_assert_false(message_at(msgs, 0)->source.content_length_used);
    g_assert_cmpuint(message_at(msgs, 0)->source.size, ==,
                     second - 32 - 1 - 32);
    g_assert_cmpuint(message_at(msgs, 1)->source.offset, ==, second);
    g_clear_pointer(&msgs, g_ptr_array_unref);
    msgs = split_every_chunk(in->str, in->len, 200);
    g_assert_cmpuint(msgs->len, ==, 2);
    g_assert_error(message_at(msgs, 0)->error, MT_ERROR, MT_ERROR_LIMIT);
    g_assert_no_error(message_at(msgs, 1)->error);
}

static void
test_chunk_fuzz_regressions(void)
{
    /* Every input the mbox fuzzer ever saved, with its selector byte read
     * as fuzz-mbox.c does (bit 7: a limit of 64 + (sel & 0x70) * 8). */
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autofree char *dir_path = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;
    guint n = 0;

    if (root == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    dir_path = g_build_filename(root, "tests", "fuzz", "regressions", "mbox",
                                NULL);
    dir = g_dir_open(dir_path, 0, NULL);
    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(dir_path, name, NULL);
        g_autofree char *data = NULL;
        g_autoptr(GPtrArray) msgs = NULL;
        gsize len = 0;
        guint8 sel;

        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        if (len == 0)
            continue;
        sel = (guint8)data[0];
        g_test_message("%s", name);
        msgs = split_every_chunk(data + 1, len - 1,
                                 sel & 0x80 ? 64 + (sel & 0x70) * 8 : 0);
        n++;
    }
    g_assert_cmpuint(n, >=, 2);
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
    g_test_add_func("/mbox/chunk/oversized-eol", test_chunk_oversized_eol);
    g_test_add_func("/mbox/chunk/small-after-oversized",
                    test_chunk_small_after_oversized);
    g_test_add_func("/mbox/chunk/content-length", test_chunk_content_length);
    g_test_add_func("/mbox/chunk/long-lines", test_chunk_long_lines);
    g_test_add_func("/mbox/chunk/long-line-content-length",
                    test_chunk_long_line_content_length);
    g_test_add_func("/mbox/chunk/fuzz-regressions",
                    test_chunk_fuzz_regressions);
    return g_test_run();
}
