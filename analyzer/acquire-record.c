/* SPDX-License-Identifier: MIT */
/*
 * acquire-record.c: the custody record of an acquisition and its JSON
 * form, acquisition.json (schema "mailtrail.acquisition/1"; the fields
 * are those of MtAcquisition in mt-acquire.h). The record is written by
 * the code that writes the evidence, so a folder of messages never exists
 * without the account of where they came from. Everything a server
 * sent (greeting, capabilities, dates, UIDLs, error texts) is attacker
 * text: it goes through mt_escape_bytes() so the JSON stays valid and the
 * original bytes stay recoverable.
 */
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "mt-config.h"
#include "acquire-private.h"

#define MT_ACQUISITION_SCHEMA "mailtrail.acquisition/1"

const char *
mt_acquired_status_to_string(MtAcquiredStatus status)
{
    switch (status) {
    case MT_ACQUIRED_COMPLETE:
        return "complete";
    case MT_ACQUIRED_PARTIAL:
        return "partial";
    case MT_ACQUIRED_MISSING:
        return "missing";
    case MT_ACQUIRED_FAILED:
        return "failed";
    }
    return "failed";
}

static void
note_free(gpointer p)
{
    MtAcquireNote *n = p;

    if (n == NULL)
        return;
    g_free(n->code);
    g_free(n->message);
    g_free(n);
}

static MtAcquireNote *
note_new_va(const char *code, const char *fmt, va_list ap)
{
    MtAcquireNote *n = g_new0(MtAcquireNote, 1);

    n->code = g_strdup(code);
    n->message = g_strdup_vprintf(fmt, ap);
    return n;
}

MtAcquiredMessage *
mt_acquired_message_new(void)
{
    MtAcquiredMessage *m = g_new0(MtAcquiredMessage, 1);

    m->notes = g_ptr_array_new_with_free_func(note_free);
    return m;
}

void
mt_acquired_message_free(gpointer p)
{
    MtAcquiredMessage *m = p;

    if (m == NULL)
        return;
    g_free(m->uidl);
    g_free(m->internaldate);
    g_strfreev(m->flags_before);
    g_strfreev(m->flags_fetched);
    g_strfreev(m->flags_after);
    g_free(m->sha256_without_added_crlf);
    g_free(m->file);
    g_free(m->fetch_method);
    g_free(m->fetched_at);
    g_free(m->error);
    if (m->notes)
        g_ptr_array_unref(m->notes);
    g_free(m);
}

void
mt_acquired_message_add_note(MtAcquiredMessage *m, const char *code,
                             const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(m->notes, note_new_va(code, fmt, ap));
    va_end(ap);
}

void
mt_acquisition_add_note(MtAcquisition *a, const char *code, const char *fmt,
                        ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(a->notes, note_new_va(code, fmt, ap));
    va_end(ap);
}

MtAcquisition *
mt_acquisition_new(void)
{
    MtAcquisition *a = g_new0(MtAcquisition, 1);

    a->tool_version = g_strdup(MT_VERSION);
    a->messages = g_ptr_array_new_with_free_func(mt_acquired_message_free);
    a->notes = g_ptr_array_new_with_free_func(note_free);
    return a;
}

void
mt_acquisition_free(MtAcquisition *a)
{
    if (a == NULL)
        return;
    g_free(a->tool_version);
    g_free(a->started);
    g_free(a->ended);
    g_free(a->scheme);
    g_free(a->host);
    g_free(a->user);
    g_free(a->peer_ip);
    g_free(a->local_ip);
    g_free(a->tls_version);
    g_free(a->tls_cipher);
    g_free(a->cert_subject);
    g_free(a->cert_issuer);
    g_free(a->cert_not_before);
    g_free(a->cert_not_after);
    g_free(a->cert_sha256);
    g_free(a->pin_sha256);
    g_free(a->auth);
    g_free(a->greeting);
    g_strfreev(a->capabilities);
    g_free(a->mailbox);
    g_free(a->mailbox_wire);
    g_free(a->selection);
    g_free(a->evidence_dir);
    if (a->messages)
        g_ptr_array_unref(a->messages);
    if (a->notes)
        g_ptr_array_unref(a->notes);
    g_free(a->error);
    g_free(a);
}

void
mt_acquire_mailbox_free(gpointer p)
{
    MtAcquireMailbox *mb = p;

    if (mb == NULL)
        return;
    g_free(mb->name);
    g_free(mb->wire_name);
    g_strfreev(mb->attributes);
    g_free(mb);
}

void
mt_acquire_message_info_free(gpointer p)
{
    MtAcquireMessageInfo *info = p;

    if (info == NULL)
        return;
    g_free(info->uidl);
    g_free(info);
}

guint
mt_acquisition_count_incomplete(const MtAcquisition *a)
{
    guint n = 0;

    g_return_val_if_fail(a != NULL, 0);
    for (guint i = 0; i < a->messages->len; i++) {
        const MtAcquiredMessage *m = g_ptr_array_index(a->messages, i);
        if (m->status != MT_ACQUIRED_COMPLETE)
            n++;
    }
    return n;
}

static gboolean
message_flags_changed(const MtAcquiredMessage *m)
{
    if (m->flags_before == NULL)
        return FALSE;
    if (m->flags_after == NULL)
        return m->status == MT_ACQUIRED_COMPLETE;
    return !mt_flags_equal(m->flags_before, m->flags_after);
}

gboolean
mt_acquisition_flags_changed(const MtAcquisition *a)
{
    g_return_val_if_fail(a != NULL, FALSE);
    for (guint i = 0; i < a->messages->len; i++) {
        if (message_flags_changed(g_ptr_array_index(a->messages, i)))
            return TRUE;
    }
    return FALSE;
}

gboolean
mt_flags_equal(char *const *a, char *const *b)
{
    guint na = a ? g_strv_length((char **)a) : 0;
    guint nb = b ? g_strv_length((char **)b) : 0;

    if (na != nb)
        return FALSE;
    /* Flags are few (a handful per message): a quadratic match over them
     * is bounded by the server's FLAGS list, itself bounded by the
     * response limits. IMAP flags compare case-insensitively. */
    for (guint i = 0; i < na; i++) {
        gboolean found = FALSE;
        for (guint j = 0; j < nb && !found; j++)
            found = g_ascii_strcasecmp(a[i], b[j]) == 0;
        if (!found)
            return FALSE;
    }
    return TRUE;
}

/* ---------------------------------------------------------------- JSON */

/* A JSON string for server text, or null. */
static json_t *
jstr(const char *s)
{
    g_autofree char *safe = NULL;

    if (s == NULL)
        return json_null();
    safe = mt_escape_bytes(s, strlen(s), NULL);
    return json_string(safe);
}

static json_t *
jstrv(char *const *v)
{
    json_t *arr;

    if (v == NULL)
        return json_null();
    arr = json_array();
    for (; *v != NULL; v++)
        json_array_append_new(arr, jstr(*v));
    return arr;
}

static json_t *
jnotes(const GPtrArray *notes)
{
    json_t *arr = json_array();

    for (guint i = 0; i < notes->len; i++) {
        const MtAcquireNote *n = g_ptr_array_index(notes, i);
        json_array_append_new(arr,
                              json_pack("{s:o, s:o}", "code", jstr(n->code),
                                        "message", jstr(n->message)));
    }
    return arr;
}

static json_t *
message_json(const MtAcquisition *a, const MtAcquiredMessage *m)
{
    json_t *o = json_object();
    gboolean imap = a->protocol == MT_ACQUIRE_IMAP;

    json_object_set_new(o, "status",
                        json_string(mt_acquired_status_to_string(m->status)));
    json_object_set_new(o, "uid",
                        m->has_uid ? json_integer(m->uid) : json_null());
    json_object_set_new(o, imap ? "sequence_number" : "number",
                        m->number ? json_integer((json_int_t)m->number)
                                  : json_null());
    if (!imap)
        json_object_set_new(o, "uidl", jstr(m->uidl));
    if (imap)
        json_object_set_new(o, "internaldate", jstr(m->internaldate));
    json_object_set_new(o, imap ? "rfc822_size" : "list_size",
                        m->has_announced_size
                            ? json_integer((json_int_t)m->announced_size)
                            : json_null());
    if (!imap)
        json_object_set_new(o, "octets",
                            m->has_octets ? json_integer((json_int_t)m->octets)
                                          : json_null());
    json_object_set_new(o, "bytes_received",
                        json_integer((json_int_t)m->bytes));
    json_object_set_new(o, "sha256",
                        m->sha256[0] ? json_string(m->sha256) : json_null());
    if (m->sha256_without_added_crlf != NULL)
        json_object_set_new(o, "sha256_without_added_crlf",
                            json_string(m->sha256_without_added_crlf));
    json_object_set_new(o, "file", jstr(m->file));
    json_object_set_new(o, "fetch_method", jstr(m->fetch_method));
    json_object_set_new(o, "fetched_at", jstr(m->fetched_at));
    if (imap) {
        json_object_set_new(o, "flags_before", jstrv(m->flags_before));
        json_object_set_new(o, "flags_fetched", jstrv(m->flags_fetched));
        json_object_set_new(o, "flags_after", jstrv(m->flags_after));
        json_object_set_new(o, "flags_changed",
                            json_boolean(message_flags_changed(m)));
    }
    json_object_set_new(o, "discrepancies", jnotes(m->notes));
    json_object_set_new(o, "error", jstr(m->error));
    return o;
}

/* The session part of the record, without the messages. */
static json_t *
session_json(const MtAcquisition *a)
{
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
    json_t *o = json_object();
    json_t *tls, *cert = json_null();
    gboolean imap = a->protocol == MT_ACQUIRE_IMAP;

    json_object_set_new(o, "schema", json_string(MT_ACQUISITION_SCHEMA));
    json_object_set_new(o, "tool",
                        json_pack("{s:s, s:o, s:o, s:o}", "name", "mailtrail",
                                  "version", jstr(a->tool_version), "libcurl",
                                  jstr(vi->version), "tls_library",
                                  jstr(vi->ssl_version)));
    json_object_set_new(o, "started", jstr(a->started));
    json_object_set_new(o, "ended", jstr(a->ended));
    json_object_set_new(
        o, "server",
        json_pack("{s:s, s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "protocol",
                  mt_acquire_protocol_to_string(a->protocol), "scheme",
                  jstr(a->scheme), "host", jstr(a->host), "port", (int)a->port,
                  "peer_ip", jstr(a->peer_ip), "local_ip", jstr(a->local_ip),
                  "greeting", jstr(a->greeting), "capabilities",
                  jstrv(a->capabilities)));
    json_object_set_new(
        o, "account",
        json_pack("{s:o, s:o}", "user", jstr(a->user), "auth", jstr(a->auth)));
    if (a->cert_sha256 != NULL)
        cert =
            json_pack("{s:o, s:o, s:o, s:o, s:o}", "subject",
                      jstr(a->cert_subject), "issuer", jstr(a->cert_issuer),
                      "not_before", jstr(a->cert_not_before), "not_after",
                      jstr(a->cert_not_after), "sha256", jstr(a->cert_sha256));
    tls = json_pack("{s:b, s:b, s:o, s:o, s:b, s:b, s:o, s:o}", "used", a->tls,
                    "starttls", a->starttls && a->tls, "version",
                    jstr(a->tls_version), "cipher", jstr(a->tls_cipher),
                    "verified", a->cert_verified, "insecure", a->insecure,
                    "pinned_sha256", jstr(a->pin_sha256), "certificate", cert);
    json_object_set_new(o, "tls", tls);
    if (imap)
        json_object_set_new(
            o, "mailbox",
            json_pack("{s:o, s:o, s:o, s:o, s:b}", "name", jstr(a->mailbox),
                      "wire_name", jstr(a->mailbox_wire), "uidvalidity",
                      a->has_uidvalidity ? json_integer(a->uidvalidity)
                                         : json_null(),
                      "exists", json_integer((json_int_t)a->exists),
                      "read_only", a->read_only));
    else
        json_object_set_new(o, "mailbox",
                            json_pack("{s:o}", "messages",
                                      json_integer((json_int_t)a->exists)));
    json_object_set_new(o, "selection", jstr(a->selection));
    json_object_set_new(
        o, "limits",
        json_pack("{s:o}", "max_message_size",
                  json_integer((json_int_t)a->max_message_size)));
    json_object_set_new(o, "evidence_dir", jstr(a->evidence_dir));
    json_object_set_new(o, "notes", jnotes(a->notes));
    json_object_set_new(o, "error", jstr(a->error));
    return o;
}

char *
mt_acquisition_to_json(const MtAcquisition *a)
{
    json_t *o, *msgs;
    guint counts[4] = {0, 0, 0, 0};
    char *text, *out;

    g_return_val_if_fail(a != NULL, NULL);
    o = session_json(a);
    msgs = json_array();
    for (guint i = 0; i < a->messages->len; i++) {
        const MtAcquiredMessage *m = g_ptr_array_index(a->messages, i);
        if ((guint)m->status < G_N_ELEMENTS(counts))
            counts[m->status]++;
        json_array_append_new(msgs, message_json(a, m));
    }
    json_object_set_new(o, "messages", msgs);
    json_object_set_new(o, "summary",
                        json_pack("{s:i, s:i, s:i, s:i, s:i, s:b}", "selected",
                                  (int)a->messages->len, "complete",
                                  (int)counts[MT_ACQUIRED_COMPLETE], "partial",
                                  (int)counts[MT_ACQUIRED_PARTIAL], "missing",
                                  (int)counts[MT_ACQUIRED_MISSING], "failed",
                                  (int)counts[MT_ACQUIRED_FAILED],
                                  "flags_changed",
                                  mt_acquisition_flags_changed(a)));
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    /* jansson's buffer goes back through free(); hand out a g_malloc'd
     * copy with the final newline a text file wants. */
    out = g_strconcat(text ? text : "{}", "\n", NULL);
    free(text);
    return out;
}

char *
mt_acquisition_message_to_json(const MtAcquisition *a, guint index)
{
    json_t *o;
    char *text, *out;

    g_return_val_if_fail(a != NULL && index < a->messages->len, NULL);
    o = session_json(a);
    json_object_set_new(o, "message",
                        message_json(a, g_ptr_array_index(a->messages, index)));
    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    out = g_strdup(text ? text : "{}");
    free(text);
    return out;
}
