/* SPDX-License-Identifier: MIT */
/*
 * pop3.c: the POP3 side of an acquisition (RFC 1939, CAPA from RFC 2449).
 * DELE is never sent, and neither is QUIT: without QUIT the server never
 * enters its UPDATE state (RFC 1939 section 6), so whatever it might do
 * there (remove messages marked deleted, apply "delete after download"
 * policies, commit read state) does not happen. Messages are read with
 * "TOP n 1000000000" when the server lists TOP, because servers such as
 * Dovecot mark a message read on RETR but not on TOP; otherwise with RETR,
 * and the record says the server may have marked it read.
 */
#include <string.h>

#include "acquire-private.h"
#include "mailtrail-private.h"

/* TOP's line count: more lines than any message within the size limit
 * can have (a line is at least one byte), and within a signed 32-bit
 * integer for servers that parse it as one. */
#define TOP_LINES "1000000000"
/* Lines accepted in a LIST or UIDL listing. */
#define MAX_LISTING_LINES 2000000u

/* Reads one line (up to and including LF) of at most max bytes. */
static char *
read_line(MtAcquireSession *s, gsize max, gsize *len, GError **error)
{
    gsize scanned = 0;

    for (;;) {
        const guint8 *d = mt_conn_data(&s->conn);
        gsize avail = mt_conn_avail(&s->conn);
        const guint8 *lf =
            avail > scanned ? memchr(d + scanned, '\n', avail - scanned) : NULL;
        char *line;

        if (lf != NULL) {
            gsize n = (gsize)(lf - d) + 1;
            if (n > max)
                break;
            line = g_strndup((const char *)d, n);
            *len = n;
            mt_conn_trace(&s->conn, "S", line, n);
            mt_conn_consume(&s->conn, n);
            return line;
        }
        if (avail > max)
            break;
        scanned = avail;
        if (!mt_conn_fill(&s->conn, error))
            return NULL;
    }
    g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                "server reply line longer than %" G_GSIZE_FORMAT " bytes", max);
    return NULL;
}

/* Sends a command and reads its status line. *ok says +OK or -ERR;
 * *text is what followed. FALSE on I/O or protocol errors. */
static gboolean
pop3_command(MtAcquireSession *s, const char *command, gboolean *ok,
             char **text, GError **error)
{
    g_autofree char *line = g_strdup_printf("%s\r\n", command);
    g_autofree char *reply = NULL;
    gsize len = 0;

    mt_conn_trace(&s->conn, "C", line, strlen(line));
    if (!mt_conn_send(&s->conn, line, strlen(line), error)) {
        s->broken = TRUE;
        return FALSE;
    }
    reply = read_line(s, MT_POP3_MAX_STATUS_LINE, &len, error);
    if (reply == NULL || !mt_pop3_status_parse(reply, len, ok, text, error)) {
        s->broken = TRUE;
        return FALSE;
    }
    return TRUE;
}

/* Reads a multi-line reply into body (initialised by the caller). *lost
 * is set when the connection ended before the termination line. */
static gboolean
pop3_multiline(MtAcquireSession *s, MtPop3Body *body, gboolean *lost,
               GError **error)
{
    if (lost)
        *lost = FALSE;
    for (;;) {
        gsize used = 0;
        MtPop3BodyStatus st =
            mt_pop3_body_feed(body, mt_conn_data(&s->conn),
                              mt_conn_avail(&s->conn), &used, error);
        mt_conn_consume(&s->conn, used);
        if (st == MT_POP3_BODY_DONE) {
            mt_conn_trace_note(&s->conn,
                               "multi-line reply: %u bytes, %" G_GUINT64_FORMAT
                               " lines",
                               body->out->len, body->lines);
            return TRUE;
        }
        if (st == MT_POP3_BODY_ERROR) {
            s->broken = TRUE;
            return FALSE;
        }
        if (!mt_conn_fill(&s->conn, error)) {
            if (lost)
                *lost = TRUE;
            s->broken = TRUE;
            return FALSE;
        }
    }
}

/* A listing command (CAPA, LIST, UIDL) into lines. *supported is FALSE
 * when the server answered -ERR. */
static char **
pop3_listing(MtAcquireSession *s, const char *command, gboolean *supported,
             GError **error)
{
    gboolean ok = FALSE;
    g_autofree char *text = NULL;
    MtPop3Body body;
    char **lines;

    *supported = FALSE;
    if (!pop3_command(s, command, &ok, &text, error))
        return NULL;
    if (!ok)
        return g_new0(char *, 1);
    *supported = TRUE;
    mt_pop3_body_init(&body, MT_POP3_MAX_LISTING);
    if (!pop3_multiline(s, &body, NULL, error)) {
        mt_pop3_body_clear(&body);
        return NULL;
    }
    lines = mt_pop3_split_lines(body.out->data, body.out->len,
                                MAX_LISTING_LINES, error);
    mt_pop3_body_clear(&body);
    if (lines == NULL)
        s->broken = TRUE;
    return lines;
}

gboolean
mt_pop3_start(MtAcquireSession *s, GError **error)
{
    gboolean supported = FALSE;
    char **capa = pop3_listing(s, "CAPA", &supported, error);

    if (capa == NULL)
        return FALSE;
    if (!supported)
        mt_acquisition_add_note(s->record, "no-capa",
                                "the server does not answer CAPA");
    g_strfreev(s->pop3_capa);
    s->pop3_capa = capa;
    g_strfreev(s->record->capabilities);
    s->record->capabilities = g_strdupv(capa);
    return TRUE;
}

void
mt_pop3_close(MtAcquireSession *s)
{
    mt_conn_trace_note(&s->conn, "closing without QUIT: the server does not "
                                 "enter the UPDATE state");
}

static gboolean
has_capa(MtAcquireSession *s, const char *name)
{
    gsize n = strlen(name);

    for (char **c = s->pop3_capa; c != NULL && *c != NULL; c++) {
        if (g_ascii_strncasecmp(*c, name, n) == 0 &&
            ((*c)[n] == '\0' || (*c)[n] == ' '))
            return TRUE;
    }
    return FALSE;
}

/* What STAT, LIST and UIDL say. */
typedef struct {
    guint64 count;
    GArray *numbers;     /* guint64, in LIST order */
    GHashTable *sizes;   /* number -> guint64* */
    GHashTable *uidls;   /* number -> char* */
    GHashTable *by_uidl; /* uidl -> number (borrowed keys) */
    gboolean have_uidl;
} Listing;

static void
listing_clear(Listing *l)
{
    if (l->numbers)
        g_array_unref(l->numbers);
    if (l->sizes)
        g_hash_table_unref(l->sizes);
    if (l->by_uidl)
        g_hash_table_unref(l->by_uidl);
    if (l->uidls)
        g_hash_table_unref(l->uidls);
    memset(l, 0, sizeof *l);
}

static guint
u64_hash(gconstpointer p)
{
    return g_int64_hash(p);
}

static gboolean
u64_equal(gconstpointer a, gconstpointer b)
{
    return g_int64_equal(a, b);
}

/* A decimal number at the start of text, followed by a space or the end
 * ("2 640" from STAT, "640" or "640 extra" from LIST). */
static gboolean
leading_u64(const char *text, guint64 *out)
{
    gsize n = 0;
    g_autofree char *digits = NULL;

    while (text[n] >= '0' && text[n] <= '9')
        n++;
    if (n == 0 || n > 20 || (text[n] != '\0' && text[n] != ' '))
        return FALSE;
    digits = g_strndup(text, n);
    return g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT64, out, NULL);
}

static gboolean
read_listing(MtAcquireSession *s, Listing *l, GError **error)
{
    gboolean ok = FALSE, supported = FALSE;
    g_autofree char *text = NULL;
    g_auto(GStrv) list = NULL;
    g_auto(GStrv) uidl = NULL;

    memset(l, 0, sizeof *l);
    l->numbers = g_array_new(FALSE, FALSE, sizeof(guint64));
    l->sizes = g_hash_table_new_full(u64_hash, u64_equal, g_free, g_free);
    l->uidls = g_hash_table_new_full(u64_hash, u64_equal, g_free, g_free);
    l->by_uidl = g_hash_table_new(g_str_hash, g_str_equal);

    if (!pop3_command(s, "STAT", &ok, &text, error))
        return FALSE;
    if (!ok || !leading_u64(text, &l->count)) {
        g_autofree char *why = mt_escape_bytes(text, strlen(text), NULL);
        g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                    "the server refused STAT: %s", why);
        return FALSE;
    }
    list = pop3_listing(s, "LIST", &supported, error);
    if (list == NULL)
        return FALSE;
    if (!supported) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "the server refused LIST");
        return FALSE;
    }
    for (char **p = list; *p != NULL; p++) {
        guint64 n = 0, size = 0;
        g_autofree char *value = NULL;
        if (!mt_pop3_listing_parse(*p, strlen(*p), &n, &value, error) ||
            !leading_u64(value, &size)) {
            g_clear_error(error);
            g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                                "malformed line in the LIST answer");
            return FALSE;
        }
        if (g_hash_table_contains(l->sizes, &n)) {
            g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                        "message %" G_GUINT64_FORMAT " listed twice by LIST",
                        n);
            return FALSE;
        }
        g_array_append_val(l->numbers, n);
        g_hash_table_insert(l->sizes, g_memdup2(&n, sizeof n),
                            g_memdup2(&size, sizeof size));
    }
    uidl = pop3_listing(s, "UIDL", &l->have_uidl, error);
    if (uidl == NULL)
        return FALSE;
    if (!l->have_uidl)
        mt_acquisition_add_note(s->record, "no-uidl",
                                "the server does not support UIDL: messages "
                                "are identified by number only");
    for (char **p = uidl; *p != NULL; p++) {
        guint64 n = 0;
        char *value = NULL;
        if (!mt_pop3_listing_parse(*p, strlen(*p), &n, &value, error)) {
            g_clear_error(error);
            g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                                "malformed line in the UIDL answer");
            return FALSE;
        }
        if (!mt_pop3_uidl_valid(value, strlen(value))) {
            g_autofree char *safe = mt_escape_bytes(value, strlen(value), NULL);
            mt_acquisition_add_note(s->record, "invalid-uidl",
                                    "message %" G_GUINT64_FORMAT
                                    " has an invalid UIDL \"%s\"",
                                    n, safe);
        }
        if (g_hash_table_contains(l->uidls, &n)) {
            g_free(value);
            continue;
        }
        g_hash_table_insert(l->uidls, g_memdup2(&n, sizeof n), value);
        if (!g_hash_table_contains(l->by_uidl, value))
            g_hash_table_insert(l->by_uidl, value,
                                GUINT_TO_POINTER((guint)MIN(n, G_MAXUINT)));
    }
    if (l->count != l->numbers->len)
        mt_acquisition_add_note(s->record, "stat-list-mismatch",
                                "STAT counted %" G_GUINT64_FORMAT
                                " messages, LIST listed %u",
                                l->count, l->numbers->len);
    return TRUE;
}

GPtrArray *
mt_pop3_list(MtAcquireSession *s, GError **error)
{
    Listing l;
    GPtrArray *out;

    if (!read_listing(s, &l, error)) {
        listing_clear(&l);
        return NULL;
    }
    out = g_ptr_array_new_with_free_func(mt_acquire_message_info_free);
    for (guint i = 0; i < l.numbers->len; i++) {
        guint64 n = g_array_index(l.numbers, guint64, i);
        MtAcquireMessageInfo *info = g_new0(MtAcquireMessageInfo, 1);
        const guint64 *size = g_hash_table_lookup(l.sizes, &n);
        const char *uidl = g_hash_table_lookup(l.uidls, &n);
        info->number = n;
        info->size = size ? *size : 0;
        info->uidl = uidl ? mt_escape_bytes(uidl, strlen(uidl), NULL) : NULL;
        g_ptr_array_add(out, info);
    }
    s->record->exists = l.count;
    listing_clear(&l);
    return out;
}

static MtAcquiredMessage *
pop3_missing(guint64 number, const char *uidl, const char *why)
{
    MtAcquiredMessage *m = mt_acquired_message_new();

    m->number = number;
    m->uidl = g_strdup(uidl);
    m->status = MT_ACQUIRED_MISSING;
    m->error = g_strdup(why);
    return m;
}

/* Checks the received bytes against the announced size. */
static void
check_sizes(MtAcquiredMessage *m, const MtPop3Body *body)
{
    const guint8 *d = body->out->data;
    gsize n = body->out->len;

    if (m->has_octets && m->has_announced_size &&
        m->octets != m->announced_size)
        mt_acquired_message_add_note(m, "octets-mismatch",
                                     "LIST announced %" G_GUINT64_FORMAT
                                     " bytes, the reply %" G_GUINT64_FORMAT
                                     " octets",
                                     m->announced_size, m->octets);
    if (m->has_announced_size && m->announced_size != n) {
        /* A message stored without a final line break comes back with
         * CRLF added, because a multi-line reply must end "CRLF.CRLF":
         * the saved bytes are what the server sent, and the record gives
         * the hash without those two bytes, which is the stored message
         * (the same bytes IMAP returns). */
        if (n == m->announced_size + 2 && n >= 2 && d[n - 2] == '\r' &&
            d[n - 1] == '\n') {
            char sha[65];
            mt_sha256_hex(d, n - 2, sha);
            m->sha256_without_added_crlf = g_strdup(sha);
            mt_acquired_message_add_note(
                m, "crlf-added",
                "received %" G_GSIZE_FORMAT
                " bytes for a message of %" G_GUINT64_FORMAT
                ": the message has no final line break and "
                "the server added CRLF before the terminating dot",
                n, m->announced_size);
        } else {
            mt_acquired_message_add_note(m, "size-mismatch",
                                         "LIST announced %" G_GUINT64_FORMAT
                                         " bytes, %" G_GSIZE_FORMAT
                                         " were received",
                                         m->announced_size, n);
        }
    }
    if (body->bare_lf > 0)
        mt_acquired_message_add_note(
            m, "bare-lf", "%" G_GUINT64_FORMAT " lines ended in LF without CR",
            body->bare_lf);
    if (body->lf_terminator)
        mt_acquired_message_add_note(m, "lf-terminator",
                                     "the reply ended with \".\\n\" instead "
                                     "of \".\\r\\n\"");
}

/* Fetches one message into m. FALSE when the session cannot go on. */
static gboolean
fetch_one(MtAcquireSession *s, const char *dir, MtAcquiredMessage *m,
          gboolean use_top, GError **error)
{
    g_autofree char *cmd =
        use_top
            ? g_strdup_printf("TOP %" G_GUINT64_FORMAT " " TOP_LINES, m->number)
            : g_strdup_printf("RETR %" G_GUINT64_FORMAT, m->number);
    g_autofree char *label = g_strdup_printf("%" G_GUINT64_FORMAT, m->number);
    g_autofree char *text = NULL;
    gboolean ok = FALSE, lost = FALSE;
    MtPop3Body body;
    GError *local = NULL;

    m->fetch_method = g_strdup(cmd);
    if (!pop3_command(s, cmd, &ok, &text, error)) {
        m->status = MT_ACQUIRED_FAILED;
        m->error = g_strdup(error && *error ? (*error)->message : "I/O error");
        m->fetched_at = mt_acquire_now_utc();
        return FALSE;
    }
    if (!ok) {
        g_autofree char *why = mt_escape_bytes(text, strlen(text), NULL);
        m->status = MT_ACQUIRED_FAILED;
        m->error = g_strdup_printf("the server refused %s: %s",
                                   use_top ? "TOP" : "RETR", why);
        m->fetched_at = mt_acquire_now_utc();
        return TRUE;
    }
    if (!use_top)
        mt_acquired_message_add_note(m, "retr-may-mark-read",
                                     "fetched with RETR: the server may have "
                                     "marked this message as read");
    m->has_octets = mt_pop3_octets_parse(text, &m->octets);
    /* Two bytes of slack: the CRLF a server adds to a message without a
     * final line break. */
    mt_pop3_body_init(&body, s->options.max_message_size + 2);
    if (!pop3_multiline(s, &body, &lost, &local)) {
        m->fetched_at = mt_acquire_now_utc();
        m->status = lost ? MT_ACQUIRED_PARTIAL : MT_ACQUIRED_FAILED;
        m->error = g_strdup(local->message);
        if (lost) {
            GError *save_error = NULL;
            if (!mt_acquire_save(m, dir, label, body.out->data, body.out->len,
                                 TRUE, &save_error)) {
                g_free(m->error);
                m->error = g_strdup_printf("%s; the partial bytes could not "
                                           "be saved: %s",
                                           local->message, save_error->message);
                g_clear_error(&save_error);
            }
            mt_acquired_message_add_note(
                m, "truncated", "%u bytes arrived before the connection ended",
                body.out->len);
        }
        mt_pop3_body_clear(&body);
        g_propagate_error(error, local);
        return FALSE;
    }
    m->fetched_at = mt_acquire_now_utc();
    if (!mt_acquire_save(m, dir, label, body.out->data, body.out->len, FALSE,
                         &local)) {
        m->status = MT_ACQUIRED_FAILED;
        m->error = g_strdup(local->message);
        mt_pop3_body_clear(&body);
        g_propagate_error(error, local);
        return FALSE;
    }
    m->status = MT_ACQUIRED_COMPLETE;
    check_sizes(m, &body);
    mt_pop3_body_clear(&body);
    return TRUE;
}

gboolean
mt_pop3_fetch(MtAcquireSession *s, const MtAcquireSelection *sel,
              const char *dir, GError **error)
{
    MtAcquisition *a = s->record;
    Listing l;
    g_autoptr(GArray) chosen = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autoptr(GArray) ranges = NULL;
    g_autoptr(GArray) singles = g_array_new(FALSE, FALSE, sizeof(guint32));
    gboolean use_top = has_capa(s, "TOP") && !sel->pop3_retr;
    gboolean ok = TRUE;

    if (sel->kind == MT_ACQUIRE_SELECT_UIDS ||
        sel->kind == MT_ACQUIRE_SELECT_SEARCH) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "--uid and --search are for IMAP; POP3 selects "
                            "with --msg, --uidl or --all");
        return FALSE;
    }
    if (sel->kind == MT_ACQUIRE_SELECT_NUMBERS) {
        ranges = mt_imap_set_parse(sel->set ? sel->set : "", singles, error);
        if (ranges == NULL)
            return FALSE;
    }
    if (!read_listing(s, &l, error)) {
        listing_clear(&l);
        return FALSE;
    }
    a->exists = l.count;
    if (sel->pop3_retr)
        mt_acquisition_add_note(a, "retr-forced",
                                "--pop3-retr: messages were fetched with RETR, "
                                "which may mark them read");
    else if (!use_top)
        mt_acquisition_add_note(a, "no-top",
                                "the server does not list TOP in CAPA: "
                                "messages were fetched with RETR, which may "
                                "mark them read");

    switch (sel->kind) {
    case MT_ACQUIRE_SELECT_NUMBERS:
        a->selection = g_strdup_printf("messages %s", sel->set);
        for (guint i = 0; i < l.numbers->len; i++) {
            guint64 n = g_array_index(l.numbers, guint64, i);
            if (n <= G_MAXUINT32 && mt_imap_set_contains(ranges, (guint32)n))
                g_array_append_val(chosen, n);
        }
        for (guint i = 0; i < singles->len; i++) {
            guint64 n = g_array_index(singles, guint32, i);
            if (!g_hash_table_contains(l.sizes, &n))
                g_ptr_array_add(a->messages,
                                pop3_missing(n, NULL,
                                             "no message with this "
                                             "number"));
        }
        break;
    case MT_ACQUIRE_SELECT_UIDLS: {
        GString *desc = g_string_new("UIDL");
        for (const char *const *u = sel->uidls; u != NULL && *u != NULL; u++) {
            gpointer num = NULL;
            g_string_append_printf(desc, " %s", *u);
            if (g_hash_table_lookup_extended(l.by_uidl, *u, NULL, &num)) {
                guint64 n = GPOINTER_TO_UINT(num);
                g_array_append_val(chosen, n);
            } else {
                g_ptr_array_add(a->messages,
                                pop3_missing(0, *u,
                                             l.have_uidl ? "no message with "
                                                           "this UIDL"
                                                         : "the server has no "
                                                           "UIDL"));
            }
        }
        a->selection = g_string_free(desc, FALSE);
        break;
    }
    default:
        a->selection = g_strdup("all");
        g_array_append_vals(chosen, l.numbers->data, l.numbers->len);
        break;
    }
    if (chosen->len == 0)
        mt_acquisition_add_note(a, "nothing-selected",
                                "no message matched the selection");

    for (guint i = 0; i < chosen->len; i++) {
        guint64 n = g_array_index(chosen, guint64, i);
        const guint64 *size = g_hash_table_lookup(l.sizes, &n);
        const char *uidl = g_hash_table_lookup(l.uidls, &n);
        MtAcquiredMessage *m = mt_acquired_message_new();

        m->number = n;
        m->uidl = g_strdup(uidl);
        m->has_announced_size = size != NULL;
        m->announced_size = size ? *size : 0;
        g_ptr_array_add(a->messages, m);
        if (!ok) {
            m->status = MT_ACQUIRED_FAILED;
            m->error = g_strdup("not fetched: the session ended earlier");
            continue;
        }
        if (size != NULL && *size > s->options.max_message_size) {
            m->status = MT_ACQUIRED_FAILED;
            m->error =
                g_strdup_printf("%" G_GUINT64_FORMAT
                                " bytes, over the limit of %" G_GUINT64_FORMAT
                                " (--max-message-size)",
                                *size, s->options.max_message_size);
            continue;
        }
        if (!fetch_one(s, dir, m, use_top, error))
            ok = FALSE;
    }
    listing_clear(&l);
    return ok;
}
