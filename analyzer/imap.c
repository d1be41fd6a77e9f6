/* SPDX-License-Identifier: MIT */
/*
 * imap.c: the IMAP4rev1 side of an acquisition (RFC 3501). Only commands
 * that cannot change the mailbox are sent: CAPABILITY, LIST, STATUS,
 * EXAMINE (read-only select, section 6.3.2), UID SEARCH and UID FETCH with
 * BODY.PEEK[] (which, unlike BODY[], does not set \Seen, section 6.4.5),
 * and LOGOUT; EXAMINE also means no expunge happens when the session ends.
 * Flags are read before the first message and again after the last, and a
 * difference goes into the record. Messages are fetched one UID at a time
 * so that a connection lost in the middle costs one message, whose bytes
 * are kept as .partial, and never the ones before it.
 */
#include <string.h>

#include "acquire-private.h"

/* UIDs per FETCH command when reading flags: keeps command lines short
 * (servers refuse lines over a few KB) whatever the UIDs look like. */
#define FLAGS_CHUNK 256u
/* Messages whose flags and sizes are kept for one selection. */
#define MAX_SELECTED 1000000u
/* EXPUNGE notices recorded individually; the rest are counted. */
#define MAX_EXPUNGE_NOTES 20u
/* SEARCH criteria as given by the user. */
#define MAX_SEARCH_TEXT 8192u

/* Called for each untagged response while a command runs. It may take
 * the response by setting *r to NULL. */
typedef gboolean (*UntaggedFunc)(MtAcquireSession *s, MtImapResponse **r,
                                 gpointer data, GError **error);

static void
limits_small(MtImapLimits *l)
{
    mt_imap_limits_init_default(l);
}

static void
trace_response(MtAcquireSession *s, GBytes *bytes)
{
    gsize len = 0;
    const char *d = g_bytes_get_data(bytes, &len);
    const char *lf = memchr(d, '\n', len);
    gsize first = lf ? (gsize)(lf - d) + 1 : len;

    if (s->conn.trace == NULL)
        return;
    mt_conn_trace(&s->conn, "S", d, first);
    if (first < len)
        mt_conn_trace_note(
            &s->conn,
            "... response continues: %" G_GSIZE_FORMAT " bytes in all", len);
}

/* Reads one complete response. When the connection ends inside a literal
 * and partial is not NULL, *partial receives the literal's bytes so far
 * and *announced its announced size. */
static MtImapResponse *
read_response(MtAcquireSession *s, const MtImapLimits *l, GBytes **partial,
              guint64 *announced, GError **error)
{
    MtImapScanner sc;

    mt_imap_scanner_reset(&sc);
    for (;;) {
        gsize n = 0;
        MtImapScanStatus st = mt_imap_scan(
            &sc, mt_conn_data(&s->conn), mt_conn_avail(&s->conn), l, &n, error);
        if (st == MT_IMAP_SCAN_DONE) {
            GBytes *bytes = mt_conn_take(&s->conn, n);
            MtImapResponse *r;
            trace_response(s, bytes);
            r = mt_imap_response_parse(bytes, l, error);
            g_bytes_unref(bytes);
            return r;
        }
        if (st == MT_IMAP_SCAN_ERROR)
            return NULL;
        if (!mt_conn_fill(&s->conn, error)) {
            if (partial != NULL && mt_imap_scanner_in_literal(&sc)) {
                gsize avail = mt_conn_avail(&s->conn);
                *partial =
                    g_bytes_new(mt_conn_data(&s->conn) + sc.literal_start,
                                avail - sc.literal_start);
                *announced = sc.literal_size;
            }
            if (s->bye_text != NULL && error != NULL && *error != NULL) {
                g_autofree char *old = g_strdup((*error)->message);
                g_autofree char *bye =
                    mt_escape_bytes(s->bye_text, strlen(s->bye_text), NULL);
                g_clear_error(error);
                g_set_error(error, MT_ERROR, MT_ERROR_NETWORK,
                            "%s after it said BYE: %s", old, bye);
            }
            return NULL;
        }
    }
}

/* Untagged responses that matter whatever command is running. */
static void
session_untagged(MtAcquireSession *s, const MtImapResponse *r)
{
    guint64 n = 0;

    if (r->status == MT_IMAP_STATUS_BYE) {
        g_free(s->bye_text);
        s->bye_text = g_strdup(r->text ? r->text : "");
        return;
    }
    /* After the record was handed over (LOGOUT) there is nothing left
     * to note. */
    if (!s->selected || s->record == NULL)
        return;
    if (r->has_number && g_strcmp0(r->name, "EXISTS") == 0) {
        s->exists = r->number;
    } else if (r->has_number && g_strcmp0(r->name, "EXPUNGE") == 0) {
        /* Another client expunged a message while we read: the record
         * must say so, since the sequence numbers shift. */
        if (++s->expunges <= MAX_EXPUNGE_NOTES)
            mt_acquisition_add_note(
                s->record, "expunged-during-acquisition",
                "the server reported message number %" G_GUINT64_FORMAT
                " expunged during the acquisition",
                r->number);
    } else if (r->status == MT_IMAP_STATUS_OK &&
               mt_imap_code_number(r->code, "UIDVALIDITY", &n)) {
        if (s->has_uidvalidity && n != s->uidvalidity)
            s->uidvalidity_changed = TRUE;
    }
}

/* Sends "tag command" and reads up to its tagged response, which it
 * returns (transfer full). NULL on an I/O or protocol error, after which
 * the session is marked broken. */
static MtImapResponse *
imap_command(MtAcquireSession *s, const char *command, const MtImapLimits *l,
             UntaggedFunc fn, gpointer data, GBytes **partial,
             guint64 *announced, GError **error)
{
    g_autofree char *tag = g_strdup_printf("x%04u", ++s->tag);
    g_autofree char *line = g_strdup_printf("%s %s\r\n", tag, command);

    /* Lower-case "x" tags can never collide with libcurl's "A001"
     * style, should any of its late bytes reach us. */
    mt_conn_trace(&s->conn, "C", line, strlen(line));
    if (!mt_conn_send(&s->conn, line, strlen(line), error)) {
        s->broken = TRUE;
        return NULL;
    }
    for (guint count = 0;; count++) {
        MtImapResponse *r;

        if (count > MT_IMAP_MAX_UNTAGGED) {
            g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                        "more than %u responses to one command",
                        MT_IMAP_MAX_UNTAGGED);
            s->broken = TRUE;
            return NULL;
        }
        r = read_response(s, l, partial, announced, error);
        if (r == NULL) {
            s->broken = TRUE;
            return NULL;
        }
        if (r->kind == MT_IMAP_RESP_TAGGED) {
            if (strcmp(r->tag, tag) != 0) {
                g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "the server answered tag %s while %s was "
                            "expected",
                            r->tag, tag);
                mt_imap_response_free(r);
                s->broken = TRUE;
                return NULL;
            }
            return r;
        }
        if (r->kind == MT_IMAP_RESP_CONTINUATION) {
            g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                                "unexpected continuation request from the "
                                "server");
            mt_imap_response_free(r);
            s->broken = TRUE;
            return NULL;
        }
        session_untagged(s, r);
        if (fn != NULL && !fn(s, &r, data, error)) {
            mt_imap_response_free(r);
            s->broken = TRUE;
            return NULL;
        }
        mt_imap_response_free(r);
    }
}

/* The server's text of a NO or BAD, made safe to show. */
static char *
refusal_text(const MtImapResponse *r)
{
    const char *t = r->text ? r->text : "";

    return mt_escape_bytes(t, strlen(t), NULL);
}

/* ----------------------------------------------------------- CAPABILITY */

static gboolean
capability_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data,
              GError **error)
{
    MtImapResponse *r = *rp;
    GPtrArray *caps = data;

    (void)s;
    (void)error;
    if (g_strcmp0(r->name, "CAPABILITY") != 0 || caps->len > 0)
        return TRUE;
    for (guint i = 0; i < r->items->len && i < 1000; i++) {
        const MtImapItem *it = g_ptr_array_index(r->items, i);
        char *word = mt_imap_item_dup(it);
        if (word != NULL)
            g_ptr_array_add(caps, word);
    }
    return TRUE;
}

gboolean
mt_imap_start(MtAcquireSession *s, GError **error)
{
    MtImapLimits l;
    g_autoptr(GPtrArray) caps = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(MtImapResponse) tagged = NULL;

    /* libcurl may have swallowed the CAPABILITY the server sent with its
     * login reply (bytes after the reply stay in libcurl's buffer), so
     * ask again and rely on nothing untagged from before. */
    limits_small(&l);
    tagged = imap_command(s, "CAPABILITY", &l, capability_cb, caps, NULL, NULL,
                          error);
    if (tagged == NULL)
        return FALSE;
    if (tagged->status != MT_IMAP_STATUS_OK) {
        g_autofree char *why = refusal_text(tagged);
        g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                    "the server refused CAPABILITY after login: %s", why);
        return FALSE;
    }
    g_ptr_array_add(caps, NULL);
    g_strfreev(s->record->capabilities);
    s->record->capabilities =
        (char **)g_ptr_array_free(g_steal_pointer(&caps), FALSE);
    return TRUE;
}

void
mt_imap_logout(MtAcquireSession *s)
{
    MtImapLimits l;
    GError *error = NULL;
    MtImapResponse *r;

    /* A server that does not answer LOGOUT must not hold the tool: the
     * evidence is already saved. */
    limits_small(&l);
    s->conn.idle_timeout_ms = MIN(s->conn.idle_timeout_ms, 5000u);
    r = imap_command(s, "LOGOUT", &l, NULL, NULL, NULL, NULL, &error);
    mt_imap_response_free(r);
    if (error != NULL)
        mt_conn_trace_note(&s->conn, "LOGOUT: %s", error->message);
    g_clear_error(&error);
}

/* ----------------------------------------------------------------- LIST */

static gboolean
list_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data, GError **error)
{
    GPtrArray *entries = data;
    MtImapListEntry *e;

    (void)s;
    if (g_strcmp0((*rp)->name, "LIST") != 0)
        return TRUE;
    if (entries->len >= MT_IMAP_MAX_MAILBOXES) {
        g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                    "more than %u mailboxes in the LIST answer",
                    MT_IMAP_MAX_MAILBOXES);
        return FALSE;
    }
    e = g_new0(MtImapListEntry, 1);
    if (!mt_imap_list_parse(*rp, e, error)) {
        g_free(e);
        return FALSE;
    }
    g_ptr_array_add(entries, e);
    return TRUE;
}

static void
list_entry_free(gpointer p)
{
    mt_imap_list_entry_clear(p);
    g_free(p);
}

typedef struct {
    const char *wire;
    gsize wire_len;
    MtAcquireMailbox *mb;
} StatusCtx;

static gboolean
status_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data,
          GError **error)
{
    StatusCtx *ctx = data;
    MtImapStatusData st;

    (void)s;
    if (g_strcmp0((*rp)->name, "STATUS") != 0)
        return TRUE;
    if (!mt_imap_status_parse(*rp, &st, error))
        return FALSE;
    if (st.wire_len == ctx->wire_len &&
        memcmp(st.wire_name, ctx->wire, st.wire_len) == 0) {
        ctx->mb->has_status = st.has_messages;
        ctx->mb->messages = st.messages;
        ctx->mb->uidvalidity = st.uidvalidity;
        ctx->mb->uidnext = st.uidnext;
    }
    mt_imap_status_data_clear(&st);
    return TRUE;
}

static gboolean
has_attribute(char **attrs, const char *name)
{
    for (; attrs != NULL && *attrs != NULL; attrs++) {
        if (g_ascii_strcasecmp(*attrs, name) == 0)
            return TRUE;
    }
    return FALSE;
}

/* A name we can send back as a quoted string: 7-bit, no CR, LF or NUL. */
static gboolean
quotable(const char *s, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        guchar ch = (guchar)s[i];
        if (ch == 0 || ch == '\r' || ch == '\n' || ch >= 0x80)
            return FALSE;
    }
    return TRUE;
}

GPtrArray *
mt_imap_list(MtAcquireSession *s, GError **error)
{
    MtImapLimits l;
    g_autoptr(GPtrArray) entries =
        g_ptr_array_new_with_free_func(list_entry_free);
    g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func(mt_acquire_mailbox_free);
    g_autoptr(MtImapResponse) tagged = NULL;

    limits_small(&l);
    tagged = imap_command(s, "LIST \"\" \"*\"", &l, list_cb, entries, NULL,
                          NULL, error);
    if (tagged == NULL)
        return NULL;
    if (tagged->status != MT_IMAP_STATUS_OK) {
        g_autofree char *why = refusal_text(tagged);
        g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                    "the server refused LIST: %s", why);
        return NULL;
    }
    for (guint i = 0; i < entries->len; i++) {
        MtImapListEntry *e = g_ptr_array_index(entries, i);
        MtAcquireMailbox *mb = g_new0(MtAcquireMailbox, 1);

        mb->wire_name = mt_escape_bytes(e->wire_name, e->wire_len, NULL);
        mb->name = e->name ? g_strdup(e->name) : g_strdup(mb->wire_name);
        mb->delimiter = e->delimiter;
        mb->attributes = g_strdupv(e->attributes);
        mb->selectable = !has_attribute(e->attributes, "\\Noselect") &&
                         !has_attribute(e->attributes, "\\NonExistent");
        g_ptr_array_add(out, mb);
        if (mb->selectable && quotable(e->wire_name, e->wire_len)) {
            GString *cmd = g_string_new("STATUS ");
            StatusCtx ctx = {e->wire_name, e->wire_len, mb};
            MtImapResponse *st;

            mt_imap_append_quoted(cmd, e->wire_name);
            g_string_append(cmd, " (MESSAGES UIDVALIDITY UIDNEXT)");
            st = imap_command(s, cmd->str, &l, status_cb, &ctx, NULL, NULL,
                              error);
            g_string_free(cmd, TRUE);
            if (st == NULL)
                return NULL;
            if (st->status != MT_IMAP_STATUS_OK)
                mb->has_status = FALSE;
            mt_imap_response_free(st);
        }
    }
    return g_steal_pointer(&out);
}

/* ---------------------------------------------------------------- fetch */

/* What the flag listing learned about one UID. */
typedef struct {
    char **flags;
    gboolean has_size;
    guint64 size;
} UidInfo;

static void
uid_info_free(gpointer p)
{
    UidInfo *info = p;

    g_strfreev(info->flags);
    g_free(info);
}

static gboolean
examine_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data,
           GError **error)
{
    MtImapResponse *r = *rp;
    guint64 n = 0;

    (void)data;
    (void)error;
    if (r->has_number && g_strcmp0(r->name, "EXISTS") == 0) {
        s->exists = r->number;
    } else if (r->status == MT_IMAP_STATUS_OK &&
               mt_imap_code_number(r->code, "UIDVALIDITY", &n) &&
               n <= G_MAXUINT32) {
        s->uidvalidity = (guint32)n;
        s->has_uidvalidity = TRUE;
    }
    return TRUE;
}

static gboolean
flags_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data,
         GError **error)
{
    GHashTable *map = data;
    MtImapFetch f;
    UidInfo *info;

    (void)s;
    if (g_strcmp0((*rp)->name, "FETCH") != 0)
        return TRUE;
    if (!mt_imap_fetch_parse(*rp, &f, error))
        return FALSE;
    /* A FETCH without UID is an unsolicited flag update by sequence
     * number; the answers to UID FETCH always carry the UID. */
    if (!f.has_uid) {
        mt_imap_fetch_clear(&f);
        return TRUE;
    }
    info = g_hash_table_lookup(map, GUINT_TO_POINTER(f.uid));
    if (info == NULL) {
        if (g_hash_table_size(map) >= MAX_SELECTED) {
            g_set_error(error, MT_ERROR, MT_ERROR_LIMIT,
                        "more than %u messages selected", MAX_SELECTED);
            mt_imap_fetch_clear(&f);
            return FALSE;
        }
        info = g_new0(UidInfo, 1);
        g_hash_table_insert(map, GUINT_TO_POINTER(f.uid), info);
    }
    if (f.flags != NULL) {
        g_strfreev(info->flags);
        info->flags = g_steal_pointer(&f.flags);
    }
    if (f.has_size) {
        info->has_size = TRUE;
        info->size = f.size;
    }
    mt_imap_fetch_clear(&f);
    return TRUE;
}

/* Runs "UID FETCH set (UID FLAGS RFC822.SIZE)" into map. */
static gboolean
fetch_flags_set(MtAcquireSession *s, const char *set, GHashTable *map,
                GError **error)
{
    MtImapLimits l;
    g_autofree char *cmd = g_strdup_printf("UID FETCH %s (UID FLAGS "
                                           "RFC822.SIZE)",
                                           set);
    g_autoptr(MtImapResponse) tagged = NULL;

    limits_small(&l);
    tagged = imap_command(s, cmd, &l, flags_cb, map, NULL, NULL, error);
    if (tagged == NULL)
        return FALSE;
    if (tagged->status != MT_IMAP_STATUS_OK) {
        g_autofree char *why = refusal_text(tagged);
        g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                    "the server refused to list flags: %s", why);
        return FALSE;
    }
    return TRUE;
}

/* The same for sorted UIDs, in chunks. */
static gboolean
fetch_flags(MtAcquireSession *s, const guint32 *uids, guint n, GHashTable *map,
            GError **error)
{
    for (guint i = 0; i < n; i += FLAGS_CHUNK) {
        g_autofree char *set =
            mt_imap_set_format(uids + i, MIN(FLAGS_CHUNK, n - i));
        if (!fetch_flags_set(s, set, map, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
search_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data,
          GError **error)
{
    GArray *uids = data;

    (void)s;
    if ((*rp)->search == NULL)
        return TRUE;
    if (uids->len + (*rp)->search->len > MAX_SELECTED) {
        g_set_error(error, MT_ERROR, MT_ERROR_LIMIT,
                    "more than %u messages match the search", MAX_SELECTED);
        return FALSE;
    }
    g_array_append_vals(uids, (*rp)->search->data, (*rp)->search->len);
    return TRUE;
}

static gint
cmp_uid(gconstpointer a, gconstpointer b)
{
    guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

    return x < y ? -1 : x > y;
}

/* Sorts and removes duplicates. */
static void
uids_normalise(GArray *uids)
{
    guint w = 0;

    g_array_sort(uids, cmp_uid);
    for (guint i = 0; i < uids->len; i++) {
        guint32 v = g_array_index(uids, guint32, i);
        if (w == 0 || g_array_index(uids, guint32, w - 1) != v)
            g_array_index(uids, guint32, w++) = v;
    }
    g_array_set_size(uids, w);
}

static gboolean
search_text_valid(const char *text)
{
    gsize n = strlen(text);

    if (n == 0 || n > MAX_SEARCH_TEXT)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if ((guchar)text[i] < 0x20 || (guchar)text[i] > 0x7e)
            return FALSE;
    }
    return TRUE;
}

typedef struct {
    guint32 uid;
    MtAcquiredMessage *m;
    MtImapResponse *body_resp; /* owns the bytes f.body points into */
    MtImapFetch f;
    gboolean have_body;
} BodyCtx;

static gboolean
body_cb(MtAcquireSession *s, MtImapResponse **rp, gpointer data, GError **error)
{
    BodyCtx *ctx = data;
    MtImapFetch f;

    (void)s;
    if (g_strcmp0((*rp)->name, "FETCH") != 0)
        return TRUE;
    if (!mt_imap_fetch_parse(*rp, &f, error))
        return FALSE;
    if (!f.has_uid || f.uid != ctx->uid) {
        /* Another message's flag update: the final flag check will show
         * whether anything really changed. */
        mt_imap_fetch_clear(&f);
        return TRUE;
    }
    ctx->m->number = f.seq;
    if (f.flags != NULL) {
        g_strfreev(ctx->m->flags_fetched);
        ctx->m->flags_fetched = g_steal_pointer(&f.flags);
    }
    if (f.internaldate != NULL) {
        g_free(ctx->m->internaldate);
        ctx->m->internaldate = g_steal_pointer(&f.internaldate);
    }
    if (f.has_size) {
        ctx->m->has_announced_size = TRUE;
        ctx->m->announced_size = f.size;
    }
    if (f.has_body) {
        if (ctx->have_body) {
            g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                        "the server sent the body of UID %u twice", ctx->uid);
            mt_imap_fetch_clear(&f);
            return FALSE;
        }
        ctx->have_body = TRUE;
        ctx->f = f;
        ctx->body_resp = g_steal_pointer(rp);
        return TRUE;
    }
    mt_imap_fetch_clear(&f);
    return TRUE;
}

static char *
flags_text(char *const *flags)
{
    g_autofree char *joined = NULL;

    if (flags == NULL)
        return g_strdup("(unknown)");
    joined = g_strjoinv(" ", (char **)flags);
    return g_strdup_printf("(%s)", joined);
}

/* Fetches one message into m. FALSE when the session cannot go on. */
static gboolean
fetch_one(MtAcquireSession *s, const char *dir, MtAcquiredMessage *m,
          GError **error)
{
    MtImapLimits l;
    BodyCtx ctx = {m->uid, m, NULL, {0}, FALSE};
    g_autofree char *cmd = g_strdup_printf(
        "UID FETCH %u (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])",
        m->uid);
    g_autofree char *label = g_strdup_printf("%u", m->uid);
    GBytes *partial = NULL;
    guint64 announced = 0;
    GError *local = NULL;
    MtImapResponse *tagged;
    gboolean ok = TRUE;

    mt_imap_limits_init_default(&l);
    l.max_literal = s->options.max_message_size;
    l.max_literals = 4;
    m->fetch_method = g_strdup(cmd);
    tagged =
        imap_command(s, cmd, &l, body_cb, &ctx, &partial, &announced, &local);
    m->fetched_at = mt_acquire_now_utc();
    if (tagged == NULL) {
        /* The connection ended or the server broke the protocol in the
         * middle of this message. Bytes that did arrive are evidence
         * too, but only as .partial, never passed off as the message. */
        m->status = partial ? MT_ACQUIRED_PARTIAL : MT_ACQUIRED_FAILED;
        m->error = g_strdup(local->message);
        if (partial != NULL) {
            gsize n = 0;
            const guint8 *d = g_bytes_get_data(partial, &n);
            GError *save_error = NULL;
            if (!mt_acquire_save(m, dir, label, d, n, TRUE, &save_error)) {
                g_free(m->error);
                m->error = g_strdup_printf("%s; the partial bytes could not "
                                           "be saved: %s",
                                           local->message, save_error->message);
                g_clear_error(&save_error);
            }
            mt_acquired_message_add_note(
                m, "truncated",
                "%" G_GSIZE_FORMAT " of %" G_GUINT64_FORMAT
                " announced bytes arrived before the connection ended",
                n, announced);
            g_bytes_unref(partial);
        }
        g_propagate_error(error, local);
        ok = FALSE;
        goto out;
    }
    if (tagged->status != MT_IMAP_STATUS_OK) {
        g_autofree char *why = refusal_text(tagged);
        m->status = MT_ACQUIRED_FAILED;
        m->error = g_strdup_printf("the server refused the fetch: %s", why);
        goto out;
    }
    if (!ctx.have_body) {
        m->status = MT_ACQUIRED_MISSING;
        m->error = g_strdup("the server returned no body for this UID (was "
                            "it expunged?)");
        goto out;
    }
    if (!mt_acquire_save(m, dir, label, ctx.f.body, ctx.f.body_len, FALSE,
                         &local)) {
        /* A local write failure stops the session: the next message
         * would most likely fail the same way. */
        m->status = MT_ACQUIRED_FAILED;
        m->error = g_strdup(local->message);
        g_propagate_error(error, local);
        ok = FALSE;
        goto out;
    }
    m->status = MT_ACQUIRED_COMPLETE;
    if (m->has_announced_size && m->announced_size != ctx.f.body_len)
        mt_acquired_message_add_note(
            m, "size-mismatch",
            "RFC822.SIZE announced %" G_GUINT64_FORMAT
            " bytes, the literal held %" G_GSIZE_FORMAT,
            m->announced_size, ctx.f.body_len);
    if (m->flags_before != NULL && m->flags_fetched != NULL &&
        !mt_flags_equal(m->flags_before, m->flags_fetched)) {
        g_autofree char *b = flags_text(m->flags_before);
        g_autofree char *f = flags_text(m->flags_fetched);
        mt_acquired_message_add_note(m, "flags-changed-at-fetch",
                                     "flags were %s before and %s in the "
                                     "FETCH that brought the body",
                                     b, f);
    }
out:
    mt_imap_fetch_clear(&ctx.f);
    mt_imap_response_free(ctx.body_resp);
    mt_imap_response_free(tagged);
    return ok;
}

static char *
mailbox_wire_name(const char *mailbox, GError **error)
{
    /* INBOX is case-insensitive and never encoded (RFC 3501 5.1). */
    if (g_ascii_strcasecmp(mailbox, "INBOX") == 0)
        return g_strdup("INBOX");
    return mt_imap_utf7_encode(mailbox, strlen(mailbox), error);
}

static MtAcquiredMessage *
missing_message(guint32 uid, const char *why)
{
    MtAcquiredMessage *m = mt_acquired_message_new();

    m->has_uid = TRUE;
    m->uid = uid;
    m->status = MT_ACQUIRED_MISSING;
    m->error = g_strdup(why);
    return m;
}

static gboolean
examine(MtAcquireSession *s, const MtAcquireSelection *sel, GError **error)
{
    MtAcquisition *a = s->record;
    MtImapLimits l;
    GString *cmd;
    g_autoptr(MtImapResponse) tagged = NULL;
    g_autofree char *wire = mailbox_wire_name(s->mailbox, error);

    if (wire == NULL)
        return FALSE;
    g_free(a->mailbox);
    a->mailbox = g_strdup(s->mailbox);
    g_free(a->mailbox_wire);
    a->mailbox_wire = g_strdup(wire);
    cmd = g_string_new("EXAMINE ");
    mt_imap_append_quoted(cmd, wire);
    limits_small(&l);
    s->has_uidvalidity = FALSE;
    s->exists = 0;
    tagged = imap_command(s, cmd->str, &l, examine_cb, NULL, NULL, NULL, error);
    g_string_free(cmd, TRUE);
    if (tagged == NULL)
        return FALSE;
    if (tagged->status != MT_IMAP_STATUS_OK) {
        g_autofree char *why = refusal_text(tagged);
        g_set_error(error, MT_ERROR,
                    tagged->status == MT_IMAP_STATUS_NO ? MT_ERROR_MAILBOX
                                                        : MT_ERROR_PROTOCOL,
                    "mailbox \"%s\" cannot be opened: the server said: %s",
                    s->mailbox, why);
        return FALSE;
    }
    s->selected = TRUE;
    {
        g_autofree char *code = mt_imap_code_name(tagged->code);
        a->read_only = g_strcmp0(code, "READ-ONLY") == 0;
    }
    if (!a->read_only)
        mt_acquisition_add_note(a, "examine-not-read-only",
                                "the server did not answer EXAMINE with "
                                "[READ-ONLY] (RFC 3501 requires it); only "
                                "read-only commands were sent");
    a->has_uidvalidity = s->has_uidvalidity;
    a->uidvalidity = s->uidvalidity;
    a->exists = s->exists;
    if (!s->has_uidvalidity)
        mt_acquisition_add_note(a, "no-uidvalidity",
                                "the server sent no UIDVALIDITY: UIDs may not "
                                "identify these messages later");
    if (sel->has_uidvalidity &&
        (!s->has_uidvalidity || s->uidvalidity != sel->uidvalidity)) {
        g_set_error(error, MT_ERROR, MT_ERROR_MAILBOX,
                    "UIDVALIDITY of \"%s\" changed: expected %u, the server "
                    "has %s%u; the UIDs no longer name the same messages",
                    s->mailbox, sel->uidvalidity,
                    s->has_uidvalidity ? "" : "none, not ",
                    s->has_uidvalidity ? s->uidvalidity : 0u);
        return FALSE;
    }
    return TRUE;
}

gboolean
mt_imap_fetch(MtAcquireSession *s, const MtAcquireSelection *sel,
              const char *dir, GError **error)
{
    MtAcquisition *a = s->record;
    g_autoptr(GHashTable) before =
        g_hash_table_new_full(NULL, NULL, NULL, uid_info_free);
    g_autoptr(GHashTable) after =
        g_hash_table_new_full(NULL, NULL, NULL, uid_info_free);
    g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_autoptr(GArray) ranges = NULL;
    g_autoptr(GArray) singles = g_array_new(FALSE, FALSE, sizeof(guint32));
    GPtrArray *fetched; /* MtAcquiredMessage*, borrowed from the record */
    gboolean ok = TRUE;

    if (sel->kind == MT_ACQUIRE_SELECT_NUMBERS ||
        sel->kind == MT_ACQUIRE_SELECT_UIDLS) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "--msg and --uidl are for POP3; IMAP selects with "
                            "--uid, --search or --all");
        return FALSE;
    }
    if (sel->kind == MT_ACQUIRE_SELECT_UIDS) {
        ranges = mt_imap_set_parse(sel->set ? sel->set : "", singles, error);
        if (ranges == NULL)
            return FALSE;
    }
    if (sel->kind == MT_ACQUIRE_SELECT_SEARCH &&
        (sel->search == NULL || !search_text_valid(sel->search))) {
        g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                    "search criteria must be 1 to %u printable ASCII "
                    "characters (IMAP SEARCH syntax, for example FROM "
                    "\"billing\" SINCE 1-Nov-2026)",
                    MAX_SEARCH_TEXT);
        return FALSE;
    }
    if (!examine(s, sel, error))
        return FALSE;

    /* Which UIDs, and their flags before anything is fetched. */
    switch (sel->kind) {
    case MT_ACQUIRE_SELECT_UIDS:
        a->selection = g_strdup_printf("UID %s", sel->set);
        if (s->exists > 0 && !fetch_flags_set(s, sel->set, before, error))
            return FALSE;
        break;
    case MT_ACQUIRE_SELECT_SEARCH: {
        g_autofree char *cmd = g_strdup_printf("UID SEARCH %s", sel->search);
        MtImapLimits l;
        MtImapResponse *tagged;

        a->selection = g_strdup_printf("SEARCH %s", sel->search);
        limits_small(&l);
        tagged = imap_command(s, cmd, &l, search_cb, uids, NULL, NULL, error);
        if (tagged == NULL)
            return FALSE;
        if (tagged->status != MT_IMAP_STATUS_OK) {
            g_autofree char *why = refusal_text(tagged);
            g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                        "the server refused the search: %s", why);
            mt_imap_response_free(tagged);
            return FALSE;
        }
        mt_imap_response_free(tagged);
        uids_normalise(uids);
        if (!fetch_flags(s, (const guint32 *)(void *)uids->data, uids->len,
                         before, error))
            return FALSE;
        break;
    }
    default:
        a->selection = g_strdup("all");
        if (s->exists > 0 && !fetch_flags_set(s, "1:*", before, error))
            return FALSE;
        break;
    }

    /* The UIDs to fetch: what the listing returned, within what was asked.
     * "10:*" on a mailbox whose highest UID is 3 returns UID 3 (RFC 3501
     * 6.4.8: "*" is the largest UID in use), which was not asked for. */
    {
        g_autoptr(GArray) listed = g_array_new(FALSE, FALSE, sizeof(guint32));
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, before);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            guint32 uid = GPOINTER_TO_UINT(key);
            gboolean wanted = TRUE;
            if (ranges != NULL)
                wanted = mt_imap_set_contains(ranges, uid);
            if (sel->kind == MT_ACQUIRE_SELECT_SEARCH)
                wanted = g_array_binary_search(uids, &uid, cmp_uid, NULL);
            if (wanted)
                g_array_append_val(listed, uid);
        }
        uids_normalise(listed);
        if (sel->kind == MT_ACQUIRE_SELECT_SEARCH) {
            /* A UID that SEARCH named but FETCH did not list has gone. */
            for (guint i = 0; i < uids->len; i++) {
                guint32 uid = g_array_index(uids, guint32, i);
                if (!g_array_binary_search(listed, &uid, cmp_uid, NULL))
                    g_ptr_array_add(a->messages,
                                    missing_message(uid, "found by SEARCH "
                                                         "but no longer in "
                                                         "the mailbox"));
            }
        }
        g_array_set_size(uids, 0);
        g_array_append_vals(uids, listed->data, listed->len);
    }
    for (guint i = 0; i < singles->len; i++) {
        guint32 uid = g_array_index(singles, guint32, i);
        if (!g_hash_table_contains(before, GUINT_TO_POINTER(uid)))
            g_ptr_array_add(a->messages,
                            missing_message(uid, "no message with this UID "
                                                 "in the mailbox"));
    }
    if (uids->len == 0)
        mt_acquisition_add_note(a, "nothing-selected",
                                "no message in \"%s\" matched the selection",
                                s->mailbox);

    fetched = g_ptr_array_new();
    for (guint i = 0; i < uids->len; i++) {
        guint32 uid = g_array_index(uids, guint32, i);
        const UidInfo *info =
            g_hash_table_lookup(before, GUINT_TO_POINTER(uid));
        MtAcquiredMessage *m = mt_acquired_message_new();

        m->has_uid = TRUE;
        m->uid = uid;
        m->flags_before = g_strdupv(info->flags);
        m->has_announced_size = info->has_size;
        m->announced_size = info->size;
        g_ptr_array_add(a->messages, m);
        if (!ok) {
            m->status = MT_ACQUIRED_FAILED;
            m->error = g_strdup("not fetched: the session ended earlier");
            continue;
        }
        if (info->has_size && info->size > s->options.max_message_size) {
            m->status = MT_ACQUIRED_FAILED;
            m->error =
                g_strdup_printf("%" G_GUINT64_FORMAT
                                " bytes, over the limit of %" G_GUINT64_FORMAT
                                " (--max-message-size)",
                                info->size, s->options.max_message_size);
            continue;
        }
        g_ptr_array_add(fetched, m);
        if (!fetch_one(s, dir, m, error)) {
            ok = FALSE;
            continue;
        }
        if (s->uidvalidity_changed) {
            g_set_error(error, MT_ERROR, MT_ERROR_MAILBOX,
                        "UIDVALIDITY of \"%s\" changed during the session",
                        s->mailbox);
            ok = FALSE;
        }
    }

    /* Flags again, after the last fetch, for every message touched. */
    if (ok && fetched->len > 0) {
        g_autoptr(GArray) touched = g_array_new(FALSE, FALSE, sizeof(guint32));
        for (guint i = 0; i < fetched->len; i++) {
            const MtAcquiredMessage *m = g_ptr_array_index(fetched, i);
            g_array_append_val(touched, m->uid);
        }
        if (!fetch_flags(s, (const guint32 *)(void *)touched->data,
                         touched->len, after, error))
            ok = FALSE;
        for (guint i = 0; ok && i < fetched->len; i++) {
            MtAcquiredMessage *m = g_ptr_array_index(fetched, i);
            const UidInfo *info =
                g_hash_table_lookup(after, GUINT_TO_POINTER(m->uid));
            if (info == NULL) {
                mt_acquired_message_add_note(m, "gone-after-fetch",
                                             "the message was no longer in "
                                             "the mailbox after the fetch");
                continue;
            }
            m->flags_after = g_strdupv(info->flags);
            if (!mt_flags_equal(m->flags_before, m->flags_after)) {
                g_autofree char *b = flags_text(m->flags_before);
                g_autofree char *f = flags_text(m->flags_after);
                mt_acquired_message_add_note(m, "flags-changed",
                                             "flags were %s before the "
                                             "acquisition and %s after it",
                                             b, f);
            }
        }
    }
    if (s->expunges > MAX_EXPUNGE_NOTES)
        mt_acquisition_add_note(a, "expunged-during-acquisition",
                                "%u expunges reported in all", s->expunges);
    a->exists = s->exists;
    g_ptr_array_unref(fetched);
    return ok;
}
