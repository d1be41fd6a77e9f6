/* SPDX-License-Identifier: MIT */
/*
 * fuzz-protocol.c: the IMAP and POP3 response parsers of mailtrail fetch
 * (imap-parse.c, pop3-parse.c). The server is as hostile as the mail:
 * a compromised or fake one answers with whatever breaks the client. The
 * first byte picks the mode and how the bytes trickle in:
 *
 *   mode 0  IMAP: the stream is cut into responses by mt_imap_scan(), fed
 *           a few bytes at a time as from a socket; each response goes
 *           through mt_imap_response_parse() and the FETCH, LIST and
 *           STATUS readers
 *   mode 1  POP3: a multi-line reply through mt_pop3_body_feed() in
 *           pieces, then its lines through the listing parsers
 *   mode 2  POP3 status line, IMAP sequence sets and modified UTF-7
 *
 * Invariants: how the bytes trickle in changes nothing (the same response
 * boundaries, the same unstuffed POP3 data as with one piece); a FETCH
 * body lies inside the response; UTF-7 that decodes encodes back to a
 * name that decodes to the same text.
 */
#include <string.h>

#include "acquire-private.h"
#include "fuzz.h"

/* Responses looked at per input. */
#define MAX_RESPONSES 64

static void
parse_response(GBytes *bytes, const MtImapLimits *limits)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MtImapResponse) r =
        mt_imap_response_parse(bytes, limits, &error);
    gsize len = 0;
    const guint8 *base = g_bytes_get_data(bytes, &len);
    guint64 n = 0;

    if (r == NULL)
        return;
    if (r->code) {
        g_autofree char *name = mt_imap_code_name(r->code);

        /* "The first word of a response code, upper-cased". */
        for (const char *p = name; p && *p; p++)
            MT_FUZZ_ASSERT(!g_ascii_islower(*p));
        (void)mt_imap_code_number(r->code, "UIDVALIDITY", &n);
    }
    for (guint i = 0; r->items && i < r->items->len; i++) {
        const MtImapItem *item = r->items->pdata[i];
        g_auto(GStrv) flags = NULL;
        g_autoptr(GError) e = NULL;

        if (item->type == MT_IMAP_ITEM_LIST)
            flags = mt_imap_item_flags(item, &e);
        else
            g_free(mt_imap_item_dup(item));
    }
    if (g_strcmp0(r->name, "FETCH") == 0) {
        MtImapFetch f = {0};
        g_autoptr(GError) e = NULL;

        if (mt_imap_fetch_parse(r, &f, &e) && f.has_body) {
            MT_FUZZ_ASSERT(f.body >= base && f.body_len <= len &&
                           (gsize)(f.body - base) <= len - f.body_len);
        }
        mt_imap_fetch_clear(&f);
    } else if (g_strcmp0(r->name, "LIST") == 0 ||
               g_strcmp0(r->name, "LSUB") == 0) {
        MtImapListEntry entry = {0};
        g_autoptr(GError) e = NULL;

        (void)mt_imap_list_parse(r, &entry, &e);
        mt_imap_list_entry_clear(&entry);
    } else if (g_strcmp0(r->name, "STATUS") == 0) {
        MtImapStatusData st = {0};
        g_autoptr(GError) e = NULL;

        (void)mt_imap_status_parse(r, &st, &e);
        mt_imap_status_data_clear(&st);
    }
}

/* Cuts data into responses, making only avail bytes visible at a time
 * (step more per round), as a socket would. Fills ends with the offset
 * after each response; returns the offset where scanning stopped. */
static gsize
scan_stream(const guint8 *data, gsize size, gsize step,
            const MtImapLimits *limits, GArray *ends, gboolean parse)
{
    MtImapScanner sc;
    gsize start = 0, avail = MIN(step, size);

    mt_imap_scanner_reset(&sc);
    while (ends->len < MAX_RESPONSES) {
        gsize n = 0;
        g_autoptr(GError) error = NULL;
        MtImapScanStatus st = mt_imap_scan(&sc, data + start, avail - start,
                                           limits, &n, &error);

        if (st == MT_IMAP_SCAN_ERROR)
            break;
        if (st == MT_IMAP_SCAN_DONE) {
            MT_FUZZ_ASSERT(n > 0 && n <= avail - start);
            if (parse) {
                g_autoptr(GBytes) bytes = g_bytes_new(data + start, n);
                parse_response(bytes, limits);
            }
            start += n;
            g_array_append_val(ends, start);
            mt_imap_scanner_reset(&sc);
            continue;
        }
        if (avail == size)
            break;
        avail = MIN(size, avail + step);
    }
    return start;
}

static void
fuzz_imap(guint8 sel, const uint8_t *data, size_t size)
{
    MtImapLimits limits;
    g_autoptr(GArray) a = g_array_new(FALSE, FALSE, sizeof(gsize));
    g_autoptr(GArray) b = g_array_new(FALSE, FALSE, sizeof(gsize));

    mt_imap_limits_init_default(&limits);
    /* Small enough for the fuzzer's inputs to cross every limit. */
    limits.max_line = 2048;
    limits.max_literal = 4096;
    limits.max_literals = 4;
    limits.max_depth = 8;
    limits.max_items = 256;
    scan_stream(data, size, size ? size : 1, &limits, a, TRUE);
    scan_stream(data, size, 1 + (sel >> 2) % 17, &limits, b, FALSE);
    /* The same boundaries, except that the whole-buffer scan may end with
     * an error a trickle reaches at the same response. */
    MT_FUZZ_ASSERT(a->len == b->len);
    for (guint i = 0; i < a->len; i++)
        MT_FUZZ_ASSERT(g_array_index(a, gsize, i) ==
                       g_array_index(b, gsize, i));
}

/* Feeds data into body in pieces of step bytes; returns the status. */
static MtPop3BodyStatus
feed_pop3(MtPop3Body *body, const uint8_t *data, size_t size, gsize step,
          gsize *used)
{
    MtPop3BodyStatus st = MT_POP3_BODY_MORE;
    gsize off = 0;

    while (off < size) {
        gsize piece = MIN(step, size - off), consumed = 0;
        g_autoptr(GError) error = NULL;

        st = mt_pop3_body_feed(body, data + off, piece, &consumed, &error);
        MT_FUZZ_ASSERT(consumed <= piece);
        off += consumed;
        if (st != MT_POP3_BODY_MORE)
            break;
        /* MORE must consume everything it was given, or a caller that
         * waits for more bytes would never see these again. */
        MT_FUZZ_ASSERT(consumed == piece);
    }
    *used = off;
    return st;
}

static void
fuzz_pop3(guint8 sel, const uint8_t *data, size_t size)
{
    MtPop3Body whole, pieces;
    gsize used_whole = 0, used_pieces = 0;
    MtPop3BodyStatus s1, s2;
    guint64 max = (sel & 0x80) ? 256 : 1024 * 1024;

    mt_pop3_body_init(&whole, max);
    mt_pop3_body_init(&pieces, max);
    s1 = feed_pop3(&whole, data, size, size ? size : 1, &used_whole);
    s2 = feed_pop3(&pieces, data, size, 1 + (sel >> 2) % 13, &used_pieces);
    MT_FUZZ_ASSERT(s1 == s2);
    if (s1 != MT_POP3_BODY_ERROR) {
        MT_FUZZ_ASSERT(used_whole == used_pieces);
        MT_FUZZ_ASSERT(whole.out->len == pieces.out->len);
        /* An empty GByteArray may have no storage at all. */
        MT_FUZZ_ASSERT(whole.out->len == 0 ||
                       memcmp(whole.out->data, pieces.out->data,
                              whole.out->len) == 0);
    }
    if (s1 == MT_POP3_BODY_DONE) {
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = mt_pop3_split_lines(
            whole.out->data, whole.out->len, 1000, &error);

        for (guint i = 0; lines && lines[i]; i++) {
            guint64 n = 0;
            g_autofree char *value = NULL;
            g_autoptr(GError) e = NULL;

            if (mt_pop3_listing_parse(lines[i], strlen(lines[i]), &n, &value,
                                      &e))
                (void)mt_pop3_uidl_valid(value, strlen(value));
        }
    }
    mt_pop3_body_clear(&whole);
    mt_pop3_body_clear(&pieces);
}

static void
fuzz_lines(const uint8_t *data, size_t size)
{
    g_autofree char *copy = mt_fuzz_dup_exact(data, size);
    g_autofree char *text = g_strndup((const char *)data, size);
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    g_autoptr(GError) e3 = NULL;
    g_autofree char *status_text = NULL;
    g_autofree char *utf8 = NULL;
    g_autoptr(GArray) singles = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_autoptr(GArray) ranges = NULL;
    gboolean ok = FALSE;
    guint64 octets = 0;

    if (mt_pop3_status_parse(copy, size, &ok, &status_text, &e1))
        (void)mt_pop3_octets_parse(status_text, &octets);

    ranges = mt_imap_set_parse(text, singles, &e2);
    for (guint i = 0; ranges && i < ranges->len; i++) {
        const MtImapRange *r = &g_array_index(ranges, MtImapRange, i);
        MT_FUZZ_ASSERT(r->lo <= r->hi);
        MT_FUZZ_ASSERT(mt_imap_set_contains(ranges, r->lo));
    }

    utf8 = mt_imap_utf7_decode(copy, size, &e3);
    if (utf8) {
        g_autoptr(GError) e = NULL;
        g_autofree char *wire = mt_imap_utf7_encode(utf8, strlen(utf8), &e);

        if (wire) {
            g_autofree char *again =
                mt_imap_utf7_decode(wire, strlen(wire), NULL);
            MT_FUZZ_ASSERT(g_strcmp0(again, utf8) == 0);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guint8 sel = mt_fuzz_take_byte(&data, &size);

    mt_fuzz_init();
    switch (sel % 3) {
    case 0:
        fuzz_imap(sel, data, size);
        break;
    case 1:
        fuzz_pop3(sel, data, size);
        break;
    default:
        fuzz_lines(data, size);
        break;
    }
    return 0;
}
