/* SPDX-License-Identifier: MIT */
/*
 * test-headers.c: the header reader, the summary and the byte escaping,
 * through mt_analyze() on hand-written messages whose offsets are counted
 * here.
 */
#include <string.h>

#include "mailtrail-private.h"

static MtReport *
analyze(const char *text, gsize len)
{
    MtRawMessage raw = {0};
    MtOptions options;
    MtReport *report;

    mt_options_init_default(&options);
    raw.source.path = (char *)"test.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, len);
    report = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    return report;
}

static const MtHeader *
header(const MtReport *report, guint i)
{
    g_assert_cmpuint(i, <, report->headers->len);
    return report->headers->pdata[i];
}

static gboolean
has_defect(const MtReport *report, const char *code, gint64 offset)
{
    for (guint i = 0; i < report->defects->len; i++) {
        const MtDefect *d = report->defects->pdata[i];
        if (strcmp(d->code, code) == 0 && (offset < 0 || d->offset == offset))
            return TRUE;
    }
    return FALSE;
}

static void
test_offsets_and_unfolding(void)
{
    const char *msg = "Received: from a.example\r\n"   /* 0 */
                      "\tby b.example; Tue, 3 Nov 2026 10:00:00 +0000\r\n"
                      "Subject:   folded\r\n"       /* 73 */
                      "  subject line  \r\n"
                      "X-Empty:\r\n"                 /* 110 */
                      "\r\n"
                      "body\r\n";
    g_autoptr(MtReport) r = analyze(msg, strlen(msg));

    g_assert_cmpuint(r->headers->len, ==, 3);
    g_assert_cmpstr(header(r, 0)->name, ==, "Received");
    g_assert_cmpuint(header(r, 0)->offset, ==, 0);
    g_assert_cmpstr(header(r, 0)->value, ==,
                    "from a.example\tby b.example; Tue, 3 Nov 2026 10:00:00 "
                    "+0000");
    g_assert_cmpuint(header(r, 1)->offset, ==, 73);
    g_assert_cmpstr(header(r, 1)->value, ==, "folded  subject line");
    g_assert_cmpstr(r->summary.subject.text, ==, "folded  subject line");
    g_assert_cmpuint(header(r, 2)->offset, ==, 110);
    g_assert_cmpstr(header(r, 2)->value, ==, "");
    g_assert_cmpuint(r->defects->len, ==, 0);
    g_assert_cmpuint(r->errors->len, ==, 0);
    g_assert_cmpuint(r->relay.hops->len, ==, 1);
}

static void
test_defects(void)
{
    const char *msg = "  leading continuation\n"  /* 0 */
                      "From: a@example.org\n"     /* 23 */
                      "X-Space : v\n"             /* 43 */
                      "From x@y Tue Nov  3 2026\n" /* 55 */
                      "this is not a header\n"    /* 80 */
                      "Subject: never read\n";
    g_autoptr(MtReport) r = analyze(msg, strlen(msg));

    g_assert_true(has_defect(r, "header-continuation-first", 0));
    g_assert_true(has_defect(r, "header-space-before-colon", 43));
    g_assert_true(has_defect(r, "header-mbox-from-line", 55));
    g_assert_true(has_defect(r, "header-missing-separator", 80));
    /* The block ended at the bad line: Subject is body text. */
    g_assert_cmpuint(r->headers->len, ==, 2);
    g_assert_cmpstr(header(r, 1)->name, ==, "X-Space");
    g_assert_cmpint(r->summary.subject.header_index, ==, -1);
}

static void
test_summary(void)
{
    const char *msg =
        "From: =?ISO-8859-1?Q?Ren=E9_Dupont?= <rene@example.fr>\n"
        "Return-Path: <>\n"
        "To: a@example.org, \"B, Bee\" <b@example.org>\n"
        "Cc: team: c@example.org, d@example.org;\n"
        "Reply-To: x@example.net\n"
        "Reply-To: y@example.net\n"
        "Date: Tue, 3 Nov 2026 10:23:38 +0900 (JST)\n"
        "Message-ID: <abc@example.fr>\n"
        "References: <1@a> <2@b>\n  <3@c>\n"
        "\n";
    g_autoptr(MtReport) r = analyze(msg, strlen(msg));
    const MtSummary *s = &r->summary;
    const MtMailbox *m;

    m = s->from.mailboxes->pdata[0];
    g_assert_cmpstr(m->name, ==, "René Dupont");
    g_assert_cmpstr(m->address, ==, "rene@example.fr");
    m = s->return_path.mailboxes->pdata[0];
    g_assert_cmpstr(m->address, ==, "");
    g_assert_null(m->name);
    g_assert_cmpuint(s->to.mailboxes->len, ==, 2);
    m = s->to.mailboxes->pdata[1];
    g_assert_cmpstr(m->name, ==, "B, Bee");
    g_assert_cmpuint(s->cc.mailboxes->len, ==, 2); /* group flattened */
    g_assert_cmpuint(s->reply_to.count, ==, 2);
    g_assert_cmpint(s->reply_to.header_index, ==, 4);
    g_assert_true(s->date_valid);
    g_assert_cmpint(s->date_parsed.timestamp, ==, 1793669018);
    g_assert_cmpint(s->date_parsed.tz_offset, ==, 540);
    g_assert_cmpstr(s->message_id.text, ==, "<abc@example.fr>");
    g_assert_cmpuint(s->reference_ids->len, ==, 3);
    g_assert_cmpstr(s->reference_ids->pdata[2], ==, "<3@c>");
}

static void
test_raw_bytes(void)
{
    /* Latin-1 bytes and a NUL in a header: kept in value, escaped
     * reversibly, decoded by a guess, and reported. */
    const char msg[] = "Subject: caf\xe9 a\\b\0z\n\nbody\n";
    g_autoptr(MtReport) r = analyze(msg, sizeof(msg) - 1);
    const MtHeader *h = header(r, 0);
    gboolean escaped = FALSE;
    g_autofree char *text = mt_escape_bytes(h->value, h->value_len, &escaped);

    g_assert_cmpuint(h->value_len, ==, 10);
    g_assert_true(escaped);
    g_assert_cmpstr(text, ==, "caf\\xE9 a\\\\b\\x00z");
    g_assert_true(g_utf8_validate(h->decoded, -1, NULL));
    g_assert_true(g_str_has_prefix(h->decoded, "café"));
    g_assert_true(has_defect(r, "header-nul-byte", 0));
}

static void
test_escape_valid_utf8(void)
{
    gboolean escaped = TRUE;
    g_autofree char *text = mt_escape_bytes("a\\x41 ü", 8, &escaped);

    /* Valid UTF-8 is kept exactly, backslashes included. */
    g_assert_false(escaped);
    g_assert_cmpstr(text, ==, "a\\x41 ü");
}

static void
test_empty_and_headerless(void)
{
    g_autoptr(MtReport) empty = analyze("", 0);
    g_autoptr(MtReport) body_only = analyze("\nbody only\n", 11);

    g_assert_cmpuint(empty->errors->len, ==, 1);
    g_assert_cmpstr(((MtReportError *)empty->errors->pdata[0])->code, ==,
                    "empty-message");
    g_assert_cmpstr(((MtReportError *)body_only->errors->pdata[0])->code, ==,
                    "no-headers");
}

static void
test_header_limit(void)
{
    GString *msg = g_string_new(NULL);
    MtRawMessage raw = {0};
    MtOptions options;
    g_autoptr(MtReport) r = NULL;

    for (int i = 0; i < 500; i++)
        g_string_append_printf(msg, "X-H%d: %d\n", i, i);
    g_string_append(msg, "\nbody\n");
    mt_options_init_default(&options);
    options.limits.max_headers = 100;
    raw.source.path = (char *)"x";
    raw.data = g_bytes_new(msg->str, msg->len);
    r = mt_analyze(&raw, &options);
    g_assert_cmpuint(r->headers->len, ==, 100);
    g_assert_cmpuint(r->headers_dropped, ==, 400);
    g_assert_true(has_defect(r, "limit-reached", -1));
    g_bytes_unref(raw.data);
    g_string_free(msg, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/headers/offsets-and-unfolding",
                    test_offsets_and_unfolding);
    g_test_add_func("/headers/defects", test_defects);
    g_test_add_func("/headers/summary", test_summary);
    g_test_add_func("/headers/raw-bytes", test_raw_bytes);
    g_test_add_func("/headers/escape-valid-utf8", test_escape_valid_utf8);
    g_test_add_func("/headers/empty-and-headerless",
                    test_empty_and_headerless);
    g_test_add_func("/headers/header-limit", test_header_limit);
    return g_test_run();
}
