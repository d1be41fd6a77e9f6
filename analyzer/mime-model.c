/* SPDX-License-Identifier: MIT */
/*
 * mime-model.c: constructors, destructors and names of the content model
 * in mt-mime.h (parts, attachments, bodies, DSNs, links, indicators).
 */
#include <string.h>

#include "mailtrail-private.h"

void
mt_param_free(gpointer p)
{
    MtParam *param = p;

    if (param == NULL)
        return;
    g_free(param->name);
    g_free(param->value);
    g_free(param);
}

void
mt_part_free(gpointer p)
{
    MtPart *part = p;

    if (part == NULL)
        return;
    g_free(part->path);
    g_free(part->content_type);
    g_clear_pointer(&part->type_params, g_ptr_array_unref);
    g_free(part->charset);
    g_free(part->transfer_encoding);
    g_free(part->disposition);
    g_clear_pointer(&part->disposition_params, g_ptr_array_unref);
    g_free(part->filename);
    g_free(part->content_id);
    g_free(part->content_description);
    g_free(part->detected_type);
    g_free(part->preamble);
    g_free(part->epilogue);
    g_clear_pointer(&part->children, g_ptr_array_unref);
    mt_report_free(part->message);
    g_free(part);
}

static void
archive_entry_free(gpointer p)
{
    MtArchiveEntry *entry = p;

    if (entry == NULL)
        return;
    g_free(entry->name);
    g_free(entry->detected_type);
    g_free(entry);
}

void
mt_attachment_free(gpointer p)
{
    MtAttachment *a = p;

    if (a == NULL)
        return;
    g_free(a->part);
    g_free(a->source);
    g_free(a->filename);
    g_free(a->extension);
    g_free(a->declared_type);
    g_free(a->detected_type);
    g_free(a->detected_description);
    g_free(a->archive_format);
    g_clear_pointer(&a->archive_entries, g_ptr_array_unref);
    g_clear_pointer(&a->data, g_bytes_unref);
    g_free(a);
}

/* Exported for archive.c, which fills the entries. */
GPtrArray *mt_archive_entries_new(void);

GPtrArray *
mt_archive_entries_new(void)
{
    return g_ptr_array_new_with_free_func(archive_entry_free);
}

void
mt_body_free(gpointer p)
{
    MtBody *body = p;

    if (body == NULL)
        return;
    g_free(body->part);
    g_free(body->content_type);
    g_free(body->charset_declared);
    g_free(body->charset_used);
    g_free(body->charset_note);
    g_free(body->preview);
    g_free(body->text);
    g_free(body);
}

static void
dsn_recipient_free(gpointer p)
{
    MtDsnRecipient *r = p;

    if (r == NULL)
        return;
    g_free(r->final_recipient);
    g_free(r->original_recipient);
    g_free(r->action);
    g_free(r->status);
    g_free(r->diagnostic_code);
    g_free(r->remote_mta);
    g_free(r->last_attempt_date);
    g_free(r);
}

GPtrArray *mt_dsn_recipients_new(void);

GPtrArray *
mt_dsn_recipients_new(void)
{
    return g_ptr_array_new_with_free_func(dsn_recipient_free);
}

void
mt_dsn_free(gpointer p)
{
    MtDsn *dsn = p;

    if (dsn == NULL)
        return;
    g_free(dsn->part);
    g_free(dsn->reporting_mta);
    g_free(dsn->arrival_date);
    g_clear_pointer(&dsn->recipients, g_ptr_array_unref);
    g_free(dsn->returned_part);
    g_clear_pointer(&dsn->returned_headers, g_ptr_array_unref);
    g_free(dsn);
}

void
mt_url_free(gpointer p)
{
    MtUrl *link = p;

    if (link == NULL)
        return;
    g_free(link->url);
    g_free(link->unwrapped);
    g_free(link->wrapper);
    g_free(link->scheme);
    g_free(link->host);
    g_free(link->host_unicode);
    g_free(link->target_host);
    g_free(link->part);
    g_free(link->anchor_text);
    g_free(link);
}

void
mt_indicator_free(gpointer p)
{
    MtIndicator *indicator = p;

    if (indicator == NULL)
        return;
    g_free(indicator->value);
    g_clear_pointer(&indicator->sources, g_ptr_array_unref);
    g_free(indicator);
}

void
mt_mime_init(MtMime *mime)
{
    memset(mime, 0, sizeof(*mime));
    mime->attachments = g_ptr_array_new_with_free_func(mt_attachment_free);
    mime->bodies = g_ptr_array_new_with_free_func(mt_body_free);
    mime->dsn = g_ptr_array_new_with_free_func(mt_dsn_free);
}

void
mt_mime_clear(MtMime *mime)
{
    g_clear_pointer(&mime->root, mt_part_free);
    g_clear_pointer(&mime->attachments, g_ptr_array_unref);
    g_clear_pointer(&mime->bodies, g_ptr_array_unref);
    g_clear_pointer(&mime->dsn, g_ptr_array_unref);
    g_clear_pointer(&mime->partial_id, g_free);
}

MtPart *
mt_part_find(MtPart *root, const char *path)
{
    /* Iterative: a hostile tree can be deep. */
    g_autoptr(GPtrArray) stack = g_ptr_array_new();

    if (root == NULL || path == NULL)
        return NULL;
    g_ptr_array_add(stack, root);
    while (stack->len > 0) {
        MtPart *part = g_ptr_array_steal_index(stack, stack->len - 1);

        if (g_strcmp0(part->path, path) == 0)
            return part;
        for (guint i = part->children ? part->children->len : 0; i-- > 0;)
            g_ptr_array_add(stack, part->children->pdata[i]);
    }
    return NULL;
}

const char *
mt_url_source_to_string(MtUrlSource source)
{
    static const char *const names[] = {
        "text", "href", "src", "action", "background", "css",
        "meta-refresh", "header"};

    return (guint)source < G_N_ELEMENTS(names) ? names[source] : "text";
}

const char *
mt_indicator_type_to_string(MtIndicatorType type)
{
    static const char *const names[] = {
        "ip", "domain", "url", "email", "md5", "sha1", "sha256"};

    return (guint)type < G_N_ELEMENTS(names) ? names[type] : "url";
}

const char *
mt_attach_flag_to_string(guint flag)
{
    static const char *const names[MT_ATTACH_FLAG_BITS] = {
        "type-mismatch", "double-extension", "executable", "script",
        "bidi-name", "homoglyph-name", "macro", "html", "archive",
        "encrypted", "empty", "disk-image"};

    for (guint bit = 0; bit < MT_ATTACH_FLAG_BITS; bit++)
        if (flag == 1u << bit)
            return names[bit];
    return NULL;
}

const char *
mt_url_flag_to_string(guint flag)
{
    static const char *const names[MT_URL_FLAG_BITS] = {
        "text-mismatch", "ip-host", "punycode", "shortener", "credentials",
        "data", "javascript", "form-external", "tracking-pixel",
        "remote-image", "defanged", "wrapped", "no-scheme"};

    for (guint bit = 0; bit < MT_URL_FLAG_BITS; bit++)
        if (flag == 1u << bit)
            return names[bit];
    return NULL;
}
