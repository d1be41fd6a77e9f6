/* SPDX-License-Identifier: MIT */
/*
 * test-imap-parse.c: unit tests of the IMAP response scanner and parser,
 * the modified UTF-7 codec and sequence sets (analyzer/imap-parse.c). The
 * hostile cases are the point: literals that lie about their size, lines
 * that never end, nesting without end, names that are not mUTF-7.
 */
#include <string.h>

#include "acquire-private.h"

static MtImapLimits
limits_default(void)
{
    MtImapLimits l;

    mt_imap_limits_init_default(&l);
    return l;
}

/* Scans buf fed in pieces of step bytes; returns the status at the end
 * and the response length. */
static MtImapScanStatus
scan_pieces(const char *buf, gsize len, gsize step, const MtImapLimits *l,
            gsize *resp_len, GError **error)
{
    MtImapScanner s;
    MtImapScanStatus st = MT_IMAP_SCAN_MORE;

    mt_imap_scanner_reset(&s);
    for (gsize have = 0; have < len;) {
        have = MIN(len, have + step);
        st = mt_imap_scan(&s, (const guint8 *)buf, have, l, resp_len, error);
        if (st != MT_IMAP_SCAN_MORE)
            return st;
    }
    return st;
}

static void
test_scan_simple(void)
{
    MtImapLimits l = limits_default();
    const char *buf = "* 3 EXISTS\r\n* 0 RECENT\r\n";
    gsize n = 0;

    g_assert_cmpint(scan_pieces(buf, strlen(buf), 1000, &l, &n, NULL), ==,
                    MT_IMAP_SCAN_DONE);
    g_assert_cmpuint(n, ==, 12);
    g_assert_cmpint(scan_pieces(buf, 11, 1000, &l, &n, NULL), ==,
                    MT_IMAP_SCAN_MORE);
}

static void
test_scan_literal_every_split(void)
{
    MtImapLimits l = limits_default();
    /* The literal holds CRLF, a "{3}\r\n" lookalike and a NUL: none of it
     * may end the response. */
    static const char buf[] = "* 1 FETCH (UID 7 BODY[] {13}\r\n"
                              "a\r\n{3}\r\nb\0c\r\n"
                              " FLAGS (\\Seen))\r\n"
                              "x0001 OK done\r\n";
    gsize total = sizeof buf - 1;
    gsize want = total - strlen("x0001 OK done\r\n");

    for (gsize step = 1; step <= total; step++) {
        gsize n = 0;
        g_assert_cmpint(scan_pieces(buf, total, step, &l, &n, NULL), ==,
                        MT_IMAP_SCAN_DONE);
        g_assert_cmpuint(n, ==, want);
    }
}

static void
test_scan_zero_and_plus_literal(void)
{
    MtImapLimits l = limits_default();
    const char *buf = "* LIST () \"/\" {0}\r\n\r\n";
    const char *plus = "* LIST () \"/\" {3+}\r\nabc\r\n";
    gsize n = 0;

    g_assert_cmpint(scan_pieces(buf, strlen(buf), 1, &l, &n, NULL), ==,
                    MT_IMAP_SCAN_DONE);
    g_assert_cmpuint(n, ==, strlen(buf));
    g_assert_cmpint(scan_pieces(plus, strlen(plus), 2, &l, &n, NULL), ==,
                    MT_IMAP_SCAN_DONE);
    g_assert_cmpuint(n, ==, strlen(plus));
}

static void
test_scan_hostile_literal(void)
{
    MtImapLimits l = limits_default();
    const char *huge = "* 1 FETCH (BODY[] {99999999999999}\r\n";
    const char *overflow = "* 1 FETCH (BODY[] {999999999999999999999999}\r\n";
    const char *over_limit = "* 1 FETCH (BODY[] {1048577}\r\n";
    GError *error = NULL;
    gsize n = 0;

    g_assert_cmpint(scan_pieces(huge, strlen(huge), 7, &l, &n, &error), ==,
                    MT_IMAP_SCAN_ERROR);
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_assert_nonnull(strstr(error->message, "literal"));
    g_clear_error(&error);
    g_assert_cmpint(
        scan_pieces(overflow, strlen(overflow), 100, &l, &n, &error), ==,
        MT_IMAP_SCAN_ERROR);
    g_clear_error(&error);
    g_assert_cmpint(
        scan_pieces(over_limit, strlen(over_limit), 100, &l, &n, &error), ==,
        MT_IMAP_SCAN_ERROR);
    g_clear_error(&error);
    /* Exactly at the limit is accepted (the scanner then waits for it). */
    l.max_literal = 1048577;
    g_assert_cmpint(
        scan_pieces(over_limit, strlen(over_limit), 100, &l, &n, &error), ==,
        MT_IMAP_SCAN_MORE);
    g_assert_no_error(error);
}

static void
test_scan_too_many_literals(void)
{
    MtImapLimits l = limits_default();
    GString *s = g_string_new("* 1 FETCH (");
    GError *error = NULL;
    gsize n = 0;

    l.max_literals = 3;
    for (int i = 0; i < 4; i++)
        g_string_append(s, "X {1}\r\na ");
    g_string_append(s, ")\r\n");
    g_assert_cmpint(scan_pieces(s->str, s->len, 5, &l, &n, &error), ==,
                    MT_IMAP_SCAN_ERROR);
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_string_free(s, TRUE);
}

static void
test_scan_endless_line(void)
{
    MtImapLimits l = limits_default();
    GError *error = NULL;
    char *junk;
    gsize n = 0;

    l.max_line = 4096;
    junk = g_malloc(8192);
    memset(junk, 'A', 8192);
    g_assert_cmpint(scan_pieces(junk, 8192, 1000, &l, &n, &error), ==,
                    MT_IMAP_SCAN_ERROR);
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    /* The same bound holds for a line that does end, but too late. */
    junk[8191] = '\n';
    g_assert_cmpint(scan_pieces(junk, 8192, 8192, &l, &n, &error), ==,
                    MT_IMAP_SCAN_ERROR);
    g_clear_error(&error);
    g_free(junk);
}

static MtImapResponse *
parse(const char *text, gsize len, GError **error)
{
    GBytes *b = g_bytes_new(text, len);
    MtImapResponse *r = mt_imap_response_parse(b, NULL, error);

    g_bytes_unref(b);
    return r;
}

static MtImapResponse *
parse_str(const char *text, GError **error)
{
    return parse(text, strlen(text), error);
}

static void
test_parse_tagged(void)
{
    GError *error = NULL;
    MtImapResponse *r;
    guint64 n = 0;

    r = parse_str("x0002 OK [READ-ONLY] EXAMINE completed (0.001 secs).\r\n",
                  &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->kind, ==, MT_IMAP_RESP_TAGGED);
    g_assert_cmpstr(r->tag, ==, "x0002");
    g_assert_cmpint(r->status, ==, MT_IMAP_STATUS_OK);
    g_assert_cmpstr(r->code, ==, "READ-ONLY");
    g_assert_cmpstr(r->text, ==, "EXAMINE completed (0.001 secs).");
    mt_imap_response_free(r);

    r = parse_str("* OK [UIDVALIDITY 1704067200] UIDs valid\r\n", &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->kind, ==, MT_IMAP_RESP_UNTAGGED);
    g_assert_true(mt_imap_code_number(r->code, "UIDVALIDITY", &n));
    g_assert_cmpuint(n, ==, 1704067200);
    g_assert_false(mt_imap_code_number(r->code, "UIDNEXT", &n));
    mt_imap_response_free(r);

    r = parse_str("x0003 NO [NONEXISTENT] Mailbox doesn't exist: Nope\r\n",
                  &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->status, ==, MT_IMAP_STATUS_NO);
    {
        char *code = mt_imap_code_name(r->code);
        g_assert_cmpstr(code, ==, "NONEXISTENT");
        g_free(code);
    }
    mt_imap_response_free(r);

    r = parse_str("x0001 BAD\r\n", &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->status, ==, MT_IMAP_STATUS_BAD);
    g_assert_cmpstr(r->text, ==, "");
    mt_imap_response_free(r);

    r = parse_str("* BYE Server shutting down\r\n", &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->status, ==, MT_IMAP_STATUS_BYE);
    mt_imap_response_free(r);

    r = parse_str("+ Ready for literal data\r\n", &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->kind, ==, MT_IMAP_RESP_CONTINUATION);
    mt_imap_response_free(r);

    /* A tagged response must be a status. */
    g_assert_null(parse_str("x0001 FETCH (UID 1)\r\n", &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_assert_null(parse_str("x0001 OK no line end", &error));
    g_clear_error(&error);
    g_assert_null(parse_str("\r\n", &error));
    g_clear_error(&error);
}

static void
test_parse_fetch(void)
{
    static const char resp[] =
        "* 2 FETCH (UID 17 FLAGS (\\Seen $Forwarded \\Flagged) "
        "INTERNALDATE \"02-Jan-2024 10:00:00 +0000\" RFC822.SIZE 11 "
        "BODY[] {11}\r\nA\r\n\0B)\r\n.\r\n)\r\n";
    GError *error = NULL;
    MtImapResponse *r = parse(resp, sizeof resp - 1, &error);
    MtImapFetch f;

    g_assert_no_error(error);
    g_assert_true(r->has_number);
    g_assert_cmpuint(r->number, ==, 2);
    g_assert_cmpstr(r->name, ==, "FETCH");
    g_assert_true(mt_imap_fetch_parse(r, &f, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(f.seq, ==, 2);
    g_assert_true(f.has_uid);
    g_assert_cmpuint(f.uid, ==, 17);
    g_assert_cmpuint(g_strv_length(f.flags), ==, 3);
    g_assert_cmpstr(f.flags[0], ==, "\\Seen");
    g_assert_cmpstr(f.flags[1], ==, "$Forwarded");
    g_assert_cmpstr(f.internaldate, ==, "02-Jan-2024 10:00:00 +0000");
    g_assert_true(f.has_size);
    g_assert_cmpuint(f.size, ==, 11);
    g_assert_true(f.has_body);
    g_assert_cmpuint(f.body_len, ==, 11);
    /* Byte-exact, NUL and the ")" and "." lookalikes included. */
    g_assert_cmpmem(f.body, f.body_len, "A\r\n\0B)\r\n.\r\n", 11);
    mt_imap_fetch_clear(&f);
    mt_imap_response_free(r);
}

static void
test_parse_fetch_hostile(void)
{
    static const char *bad[] = {
        "* 1 FETCH (UID 1 UID 2)\r\n",      /* repeated UID */
        "* 1 FETCH (UID 0)\r\n",            /* UID 0 does not exist */
        "* 1 FETCH (UID 4294967296)\r\n",   /* over 32 bits */
        "* 1 FETCH (BODY[] NIL)\r\n",       /* no body */
        "* 1 FETCH (UID)\r\n",              /* name without value */
        "* 1 FETCH (FLAGS \\Seen)\r\n",     /* flags not a list */
        "* 1 FETCH (RFC822.SIZE abc)\r\n",  /* size not a number */
        "* 1 FETCH (BODY[] {5}\r\nab)\r\n", /* literal past the end */
        "* 1 FETCH UID 1\r\n",              /* no list */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        MtImapResponse *r = parse_str(bad[i], &error);
        MtImapFetch f;
        if (r != NULL) {
            g_assert_no_error(error);
            g_assert_false(mt_imap_fetch_parse(r, &f, &error));
            mt_imap_response_free(r);
        }
        g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
        g_clear_error(&error);
    }
}

static void
test_parse_structure(void)
{
    GError *error = NULL;
    GString *deep = g_string_new("* X ");
    MtImapResponse *r;
    const MtImapItem *it;

    /* Unbalanced parentheses either way. */
    g_assert_null(parse_str("* X ((a)\r\n", &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_assert_null(parse_str("* X (a))\r\n", &error));
    g_clear_error(&error);

    /* Nesting up to the limit is fine, one more is refused (no recursion
     * is involved, so a deeper attack only hits the limit sooner). */
    for (guint i = 0; i < MT_IMAP_MAX_DEPTH; i++)
        g_string_append_c(deep, '(');
    for (guint i = 0; i < MT_IMAP_MAX_DEPTH; i++)
        g_string_append_c(deep, ')');
    g_string_append(deep, "\r\n");
    r = parse_str(deep->str, &error);
    g_assert_no_error(error);
    mt_imap_response_free(r);
    g_string_insert_c(deep, 4, '(');
    g_string_insert_c(deep, deep->len - 2, ')');
    g_assert_null(parse_str(deep->str, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_string_free(deep, TRUE);

    /* Quoted strings: escapes, and no line break inside. */
    r = parse_str("* X \"a\\\"b\\\\c\" NIL nil 42 BODY[HEADER.FIELDS (TO)]\r\n",
                  &error);
    g_assert_no_error(error);
    g_assert_cmpuint(r->items->len, ==, 5);
    it = g_ptr_array_index(r->items, 0);
    g_assert_cmpint(it->type, ==, MT_IMAP_ITEM_STRING);
    g_assert_cmpmem(it->data, it->len, "a\"b\\c", 5);
    it = g_ptr_array_index(r->items, 1);
    g_assert_cmpint(it->type, ==, MT_IMAP_ITEM_NIL);
    it = g_ptr_array_index(r->items, 2);
    g_assert_cmpint(it->type, ==, MT_IMAP_ITEM_NIL);
    it = g_ptr_array_index(r->items, 3);
    g_assert_cmpint(it->type, ==, MT_IMAP_ITEM_NUMBER);
    g_assert_cmpuint(it->number, ==, 42);
    it = g_ptr_array_index(r->items, 4);
    g_assert_cmpint(it->type, ==, MT_IMAP_ITEM_ATOM);
    g_assert_cmpmem(it->data, it->len, "BODY[HEADER.FIELDS (TO)]", 24);
    mt_imap_response_free(r);
    g_assert_null(parse_str("* X \"a\rb\"\r\n", &error));
    g_clear_error(&error);
    g_assert_null(parse_str("* X \"a\\nb\"\r\n", &error));
    g_clear_error(&error);
    g_assert_null(parse_str("* X \"unterminated\r\n", &error));
    g_clear_error(&error);
    /* 8-bit bytes outside strings are not IMAP. */
    g_assert_null(parse_str("* X caf\xc3\xa9\r\n", &error));
    g_clear_error(&error);
}

static void
test_parse_capability_search(void)
{
    GError *error = NULL;
    MtImapResponse *r;

    r = parse_str("* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN\r\n",
                  &error);
    g_assert_no_error(error);
    g_assert_cmpstr(r->name, ==, "CAPABILITY");
    g_assert_cmpuint(r->items->len, ==, 4);
    g_assert_cmpmem(((MtImapItem *)g_ptr_array_index(r->items, 1))->data, 8,
                    "LITERAL+", 8);
    mt_imap_response_free(r);

    r = parse_str("* SEARCH 2 3 4294967295\r\n", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(r->search->len, ==, 3);
    g_assert_cmpuint(g_array_index(r->search, guint32, 0), ==, 2);
    g_assert_cmpuint(g_array_index(r->search, guint32, 2), ==, 4294967295u);
    mt_imap_response_free(r);

    r = parse_str("* SEARCH\r\n", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(r->search->len, ==, 0);
    mt_imap_response_free(r);

    g_assert_null(parse_str("* SEARCH 1 x\r\n", &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_assert_null(parse_str("* SEARCH 0\r\n", &error));
    g_clear_error(&error);
}

static void
test_parse_list(void)
{
    static const char literal_name[] =
        "* LIST (\\HasNoChildren) \"/\" {10}\r\nSent Items\r\n";
    GError *error = NULL;
    MtImapResponse *r;
    MtImapListEntry e;

    r = parse_str("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n",
                  &error);
    g_assert_no_error(error);
    g_assert_true(mt_imap_list_parse(r, &e, &error));
    g_assert_cmpuint(g_strv_length(e.attributes), ==, 2);
    g_assert_cmpstr(e.attributes[1], ==, "\\Sent");
    g_assert_cmpint(e.delimiter, ==, '/');
    g_assert_cmpstr(e.wire_name, ==, "Sent Items");
    g_assert_cmpstr(e.name, ==, "Sent Items");
    mt_imap_list_entry_clear(&e);
    mt_imap_response_free(r);

    r = parse(literal_name, sizeof literal_name - 1, &error);
    g_assert_no_error(error);
    g_assert_true(mt_imap_list_parse(r, &e, &error));
    g_assert_cmpstr(e.name, ==, "Sent Items");
    mt_imap_list_entry_clear(&e);
    mt_imap_response_free(r);

    r = parse_str("* LIST (\\Noselect) NIL inbox\r\n", &error);
    g_assert_no_error(error);
    g_assert_true(mt_imap_list_parse(r, &e, &error));
    g_assert_cmpint(e.delimiter, ==, 0);
    g_assert_cmpstr(e.wire_name, ==, "inbox");
    g_assert_cmpstr(e.name, ==, "INBOX");
    mt_imap_list_entry_clear(&e);
    mt_imap_response_free(r);

    r = parse_str("* LIST () \".\" \"Entw&APw-rfe.&ZeVnLIqe-\"\r\n", &error);
    g_assert_no_error(error);
    g_assert_true(mt_imap_list_parse(r, &e, &error));
    g_assert_cmpstr(e.name, ==, "Entwürfe.日本語");
    mt_imap_list_entry_clear(&e);
    mt_imap_response_free(r);

    /* Invalid mUTF-7 keeps the wire name, with no UTF-8 name. */
    r = parse_str("* LIST () \"/\" \"bad&Jjo\"\r\n", &error);
    g_assert_no_error(error);
    g_assert_true(mt_imap_list_parse(r, &e, &error));
    g_assert_cmpstr(e.wire_name, ==, "bad&Jjo");
    g_assert_null(e.name);
    mt_imap_list_entry_clear(&e);
    mt_imap_response_free(r);

    r = parse_str("* LIST () \"//\" x\r\n", &error);
    g_assert_no_error(error);
    g_assert_false(mt_imap_list_parse(r, &e, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
    g_clear_error(&error);
    mt_imap_response_free(r);
}

static void
test_parse_status(void)
{
    GError *error = NULL;
    MtImapResponse *r;
    MtImapStatusData st;

    r = parse_str("* STATUS \"Sent Items\" (MESSAGES 1 UIDVALIDITY 1704067202 "
                  "UIDNEXT 2)\r\n",
                  &error);
    g_assert_no_error(error);
    g_assert_true(mt_imap_status_parse(r, &st, &error));
    g_assert_cmpstr(st.wire_name, ==, "Sent Items");
    g_assert_true(st.has_messages);
    g_assert_cmpuint(st.messages, ==, 1);
    g_assert_true(st.has_uidvalidity);
    g_assert_cmpuint(st.uidvalidity, ==, 1704067202u);
    g_assert_cmpuint(st.uidnext, ==, 2);
    mt_imap_status_data_clear(&st);
    mt_imap_response_free(r);
}

static void
check_utf7(const char *utf8, const char *mutf7)
{
    GError *error = NULL;
    char *enc = mt_imap_utf7_encode(utf8, strlen(utf8), &error);
    char *dec;

    g_assert_no_error(error);
    g_assert_cmpstr(enc, ==, mutf7);
    dec = mt_imap_utf7_decode(mutf7, strlen(mutf7), &error);
    g_assert_no_error(error);
    g_assert_cmpstr(dec, ==, utf8);
    g_free(enc);
    g_free(dec);
}

static void
test_utf7(void)
{
    static const char *invalid[] = {
        "&",           /* shift without end */
        "&Jjo",        /* no closing "-" */
        "&Jjo!-",      /* "!" is not in the alphabet */
        "&2D0-",       /* a lone high surrogate */
        "&3gA-",       /* a lone low surrogate */
        "&AGF-",       /* leftover bits that are not zero */
        "&AGEA-",      /* a whole leftover sextet */
        "caf\xc3\xa9", /* raw 8-bit */
        "a\tb",        /* raw control */
        "&AAA-",       /* U+0000 */
    };

    /* RFC 3501 section 5.1.3's own example. */
    check_utf7("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    check_utf7("Sent Items", "Sent Items");
    check_utf7("Tom & Jerry", "Tom &- Jerry");
    check_utf7("Entwürfe", "Entw&APw-rfe");
    check_utf7("Éléments envoyés", "&AMk-l&AOk-ments envoy&AOk-s");
    check_utf7("😀", "&2D3eAA-");
    check_utf7("a\tb", "a&AAk-b");
    check_utf7("", "");
    for (gsize i = 0; i < G_N_ELEMENTS(invalid); i++) {
        GError *error = NULL;
        char *dec = mt_imap_utf7_decode(invalid[i], strlen(invalid[i]), &error);
        g_assert_null(dec);
        g_assert_error(error, MT_ERROR, MT_ERROR_PROTOCOL);
        g_clear_error(&error);
    }
    {
        GError *error = NULL;
        g_assert_null(mt_imap_utf7_encode("\xff", 1, &error));
        g_assert_error(error, MT_ERROR, MT_ERROR_INVALID);
        g_clear_error(&error);
    }
}

static void
test_quoted(void)
{
    GString *s = g_string_new(NULL);

    g_assert_true(mt_imap_append_quoted(s, "a \"b\" \\c"));
    g_assert_cmpstr(s->str, ==, "\"a \\\"b\\\" \\\\c\"");
    g_assert_false(mt_imap_append_quoted(s, "a\r\nb"));
    g_string_free(s, TRUE);
}

static void
test_sets(void)
{
    static const char *invalid[] = {
        "", "0", "1,,2", "a", "1:", ":3", "4294967296", "1;2", " 1", "1,"};
    GError *error = NULL;
    GArray *singles = g_array_new(FALSE, FALSE, sizeof(guint32));
    GArray *r;
    static const guint32 uids[] = {1, 2, 3, 7, 9, 10, 4294967295u};
    char *text;

    r = mt_imap_set_parse("3,7,9,1:2,10:5,20:*", singles, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(r->len, ==, 6);
    g_assert_cmpuint(g_array_index(r, MtImapRange, 4).lo, ==, 5);
    g_assert_cmpuint(g_array_index(r, MtImapRange, 4).hi, ==, 10);
    g_assert_cmpuint(g_array_index(r, MtImapRange, 5).hi, ==, G_MAXUINT32);
    g_assert_cmpuint(singles->len, ==, 3);
    g_assert_cmpuint(g_array_index(singles, guint32, 2), ==, 9);
    g_assert_true(mt_imap_set_contains(r, 6));
    g_assert_true(mt_imap_set_contains(r, 3000000000u));
    g_assert_false(mt_imap_set_contains(r, 4));
    g_assert_false(mt_imap_set_contains(r, 15));
    g_array_unref(r);
    g_array_unref(singles);
    for (gsize i = 0; i < G_N_ELEMENTS(invalid); i++) {
        g_assert_null(mt_imap_set_parse(invalid[i], NULL, &error));
        g_assert_error(error, MT_ERROR, MT_ERROR_INVALID);
        g_clear_error(&error);
    }
    text = mt_imap_set_format(uids, G_N_ELEMENTS(uids));
    g_assert_cmpstr(text, ==, "1:3,7,9:10,4294967295");
    g_free(text);
    text = mt_imap_set_format(uids, 0);
    g_assert_cmpstr(text, ==, "");
    g_free(text);
}

/* Mutated valid responses through scanner and parser: they must come out
 * as a response or an error, never a crash or a read out of bounds (run
 * this under AddressSanitizer). */
static void
test_mutations(void)
{
    static const char seed[] =
        "* 1 FETCH (UID 7 FLAGS (\\Seen) INTERNALDATE \"x\" RFC822.SIZE 5 "
        "BODY[] {5}\r\nhello LIST (\"a\" {2}\r\nbc NIL))\r\n";
    GRand *rand = g_rand_new_with_seed(20240101);
    MtImapLimits l = limits_default();

    l.max_literal = 64;
    for (int round = 0; round < 20000; round++) {
        guint8 buf[sizeof seed + 8];
        gsize len = sizeof seed - 1;
        int edits = g_rand_int_range(rand, 1, 5);
        MtImapScanner s;
        gsize n = 0;
        GError *error = NULL;

        memcpy(buf, seed, len);
        for (int e = 0; e < edits; e++) {
            gsize at = (gsize)g_rand_int_range(rand, 0, (gint32)len);
            static const char interesting[] = "{}()\"\\\r\n 09~+*[]";
            buf[at] = g_rand_boolean(rand)
                          ? (guint8)g_rand_int_range(rand, 0, 256)
                          : (guint8)interesting[g_rand_int_range(
                                rand, 0, sizeof interesting - 1)];
        }
        mt_imap_scanner_reset(&s);
        if (mt_imap_scan(&s, buf, len, &l, &n, &error) == MT_IMAP_SCAN_DONE) {
            GBytes *b = g_bytes_new(buf, n);
            MtImapResponse *r = mt_imap_response_parse(b, &l, &error);
            if (r != NULL) {
                MtImapFetch f;
                MtImapListEntry e;
                if (mt_imap_fetch_parse(r, &f, NULL)) {
                    gsize blen = 0;
                    const guint8 *d = g_bytes_get_data(b, &blen);
                    /* The body lies inside the response's own bytes. */
                    if (f.has_body)
                        g_assert_true(f.body >= d &&
                                      f.body + f.body_len <= d + blen);
                    mt_imap_fetch_clear(&f);
                }
                if (mt_imap_list_parse(r, &e, NULL))
                    mt_imap_list_entry_clear(&e);
                mt_imap_response_free(r);
            } else {
                g_assert_nonnull(error);
            }
            g_bytes_unref(b);
        }
        g_clear_error(&error);
    }
    g_rand_free(rand);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/imap/scan/simple", test_scan_simple);
    g_test_add_func("/imap/scan/literal-every-split",
                    test_scan_literal_every_split);
    g_test_add_func("/imap/scan/zero-and-plus-literal",
                    test_scan_zero_and_plus_literal);
    g_test_add_func("/imap/scan/hostile-literal", test_scan_hostile_literal);
    g_test_add_func("/imap/scan/too-many-literals",
                    test_scan_too_many_literals);
    g_test_add_func("/imap/scan/endless-line", test_scan_endless_line);
    g_test_add_func("/imap/parse/tagged", test_parse_tagged);
    g_test_add_func("/imap/parse/fetch", test_parse_fetch);
    g_test_add_func("/imap/parse/fetch-hostile", test_parse_fetch_hostile);
    g_test_add_func("/imap/parse/structure", test_parse_structure);
    g_test_add_func("/imap/parse/capability-search",
                    test_parse_capability_search);
    g_test_add_func("/imap/parse/list", test_parse_list);
    g_test_add_func("/imap/parse/status", test_parse_status);
    g_test_add_func("/imap/utf7", test_utf7);
    g_test_add_func("/imap/quoted", test_quoted);
    g_test_add_func("/imap/sets", test_sets);
    g_test_add_func("/imap/mutations", test_mutations);
    return g_test_run();
}
