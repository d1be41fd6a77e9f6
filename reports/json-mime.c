/* SPDX-License-Identifier: MIT */
/*
 * json-mime.c: what is inside a message, as JSON: the "mime" object (the
 * part tree, the attachments with their hashes and archive listings, the
 * text bodies, the delivery status notifications), "links",
 * "links_dropped" and "indicators" (schema doc/mailtrail-report.schema.json,
 * $defs part, attachment, body, dsn, url and indicator).
 *
 * The part tree can be as deep as the analyzer lets it (max_mime_depth,
 * 50 by default, and any depth a caller configures), so it is rendered
 * with an explicit stack, never by recursion. A message/rfc822 part
 * carries its embedded message as a full report without "mime", "links"
 * and "indicators" (its parts are the children here, its links and
 * indicators are in the outer lists), so rendering an embedded message
 * never comes back into this file: there is no recursion through nested
 * messages either. Every key is always present, null when unknown, and
 * arrays keep the model's order, so the output is deterministic.
 */
#include <string.h>

#include "reports.h"

/* Parts rendered at most, whatever the model holds: a guard against a
 * model that is not the tree the analyzer promises (max_parts, 1000 by
 * default, is far below it). */
#define PART_NODES_MAX 1000000

static void
set_uint64(MtJsonWriter *w, const char *key, guint64 value)
{
    /* json_int_t is signed 64 bits; sizes never come near its end, but a
     * hostile length field must not wrap into a negative number. */
    mt_jw_set_int(w, key, value > (guint64)G_MAXINT64 ? G_MAXINT64
                                                      : (gint64)value);
}

/* Flags as an array of names in bit order; bits without a name (from a
 * newer analyzer) are left out rather than invented. */
static void
write_flag_list(MtJsonWriter *w, guint flags, guint bits,
                const char *(*name_of)(guint flag))
{
    mt_jw_array_begin(w);
    for (guint bit = 0; bit < bits; bit++) {
        const char *name;

        if ((flags & (1u << bit)) == 0)
            continue;
        name = name_of(1u << bit);
        if (name)
            mt_jw_string(w, name);
    }
    mt_jw_array_end(w);
}

static void
set_digest(MtJsonWriter *w, const char *key, const char *hex)
{
    mt_jw_key(w, key);
    if (hex[0])
        mt_jw_string(w, hex);
    else
        mt_jw_null(w);
}

/* null when nothing was hashed (all three empty), else each digest, null
 * for one that is empty. */
static void
write_hashes(MtJsonWriter *w, const MtHashes *h)
{
    if (!h->md5[0] && !h->sha1[0] && !h->sha256[0]) {
        mt_jw_null(w);
        return;
    }
    mt_jw_object_begin(w);
    set_digest(w, "md5", h->md5);
    set_digest(w, "sha1", h->sha1);
    set_digest(w, "sha256", h->sha256);
    mt_jw_object_end(w);
}

static void
write_params(MtJsonWriter *w, const GPtrArray *params)
{
    mt_jw_array_begin(w);
    for (guint i = 0; params && i < params->len; i++) {
        const MtParam *p = params->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "name", p->name);
        mt_jw_set_str(w, "value", p->value);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static const char *
part_kind(MtPartKind kind)
{
    switch (kind) {
    case MT_PART_MULTIPART:
        return "multipart";
    case MT_PART_MESSAGE:
        return "message";
    case MT_PART_LEAF:
        break;
    }
    return "leaf";
}

/* One part's object up to its "children" array, which is left open for
 * the caller to fill. */
static void
part_begin(MtJsonWriter *w, const MtPart *p)
{
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "path", p->path);
    mt_jw_set_string(w, "kind", part_kind(p->kind));
    mt_jw_set_int(w, "depth", p->depth);
    mt_jw_set_str(w, "content_type", p->content_type);
    mt_jw_set_bool(w, "type_declared", p->type_declared);
    mt_jw_key(w, "params");
    write_params(w, p->type_params);
    mt_jw_set_str(w, "charset", p->charset);
    mt_jw_set_str(w, "transfer_encoding", p->transfer_encoding);
    mt_jw_set_str(w, "disposition", p->disposition);
    mt_jw_key(w, "disposition_params");
    write_params(w, p->disposition_params);
    mt_jw_set_str(w, "filename", p->filename);
    mt_jw_set_str(w, "content_id", p->content_id);
    mt_jw_set_str(w, "content_description", p->content_description);
    mt_jw_set_int_or_null(w, "header_offset", p->header_offset);
    mt_jw_set_int_or_null(w, "body_offset", p->body_offset);
    set_uint64(w, "size_encoded", p->size_encoded);
    set_uint64(w, "size_decoded", p->size_decoded);
    mt_jw_set_bool(w, "decoded_truncated", p->decoded_truncated);
    mt_jw_key(w, "hashes");
    write_hashes(w, &p->hashes);
    mt_jw_set_str(w, "detected_type", p->detected_type);
    mt_jw_set_bool(w, "is_attachment", p->is_attachment);
    mt_jw_set_bool(w, "is_body", p->is_body);
    mt_jw_set_str(w, "preamble", p->preamble);
    mt_jw_set_str(w, "epilogue", p->epilogue);
    mt_jw_key(w, "children");
    mt_jw_array_begin(w);
}

/* Closes what part_begin() opened, after the children: the array, then
 * "message" and the part's object. */
static void
part_end(MtJsonWriter *w, const MtPart *p)
{
    mt_jw_array_end(w);
    mt_jw_key(w, "message");
    /* The embedded report has no "mime": writing it cannot come back
     * here, whatever the nesting of messages. */
    if (p->message)
        mt_json_write_report_embedded(w, p->message);
    else
        mt_jw_null(w);
    mt_jw_object_end(w);
}

typedef struct {
    const MtPart *part;
    guint next; /* the next child to write */
} PartJob;

/* The tree under root as a one-element array (empty without a root),
 * depth first with an explicit stack: a part's object stays open while
 * its children are written, one job per open part. The first
 * PART_NODES_MAX parts in that order are written, as the tree-building
 * walk did. */
static void
write_part_tree(MtJsonWriter *w, const MtPart *root)
{
    g_autoptr(GArray) stack = NULL;
    guint done = 0;

    mt_jw_array_begin(w);
    if (root == NULL) {
        mt_jw_array_end(w);
        return;
    }
    stack = g_array_new(FALSE, FALSE, sizeof(PartJob));
    part_begin(w, root);
    done++;
    g_array_append_val(stack, ((PartJob){root, 0}));
    while (stack->len > 0) {
        PartJob *job = &g_array_index(stack, PartJob, stack->len - 1);
        const GPtrArray *children = job->part->children;
        const MtPart *child = NULL;

        while (done < PART_NODES_MAX && children && job->next < children->len
               && child == NULL)
            child = children->pdata[job->next++];
        if (child == NULL) {
            part_end(w, job->part);
            g_array_set_size(stack, stack->len - 1);
            continue;
        }
        part_begin(w, child);
        done++;
        /* job is not used past here: the append may move the array. */
        g_array_append_val(stack, ((PartJob){child, 0}));
    }
    mt_jw_array_end(w);
}

static void
write_archive(MtJsonWriter *w, const MtAttachment *a)
{
    if (a->archive_format == NULL && a->archive_entries == NULL) {
        mt_jw_null(w);
        return;
    }
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "format", a->archive_format);
    mt_jw_key(w, "entries");
    mt_jw_array_begin(w);
    for (guint i = 0; a->archive_entries && i < a->archive_entries->len;
         i++) {
        const MtArchiveEntry *e = a->archive_entries->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "name", e->name);
        set_uint64(w, "size", e->size);
        mt_jw_set_bool(w, "encrypted", e->encrypted);
        mt_jw_set_bool(w, "executable", e->executable);
        mt_jw_set_bool(w, "is_dir", e->is_dir);
        mt_jw_set_int(w, "depth", e->depth);
        mt_jw_set_str(w, "detected_type", e->detected_type);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
    mt_jw_set_int(w, "entries_dropped", a->archive_entries_dropped);
    mt_jw_object_end(w);
}

static void
write_attachments(MtJsonWriter *w, const GPtrArray *attachments)
{
    mt_jw_array_begin(w);
    for (guint i = 0; attachments && i < attachments->len; i++) {
        const MtAttachment *a = attachments->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "part", a->part);
        mt_jw_set_str(w, "source", a->source);
        mt_jw_set_str(w, "filename", a->filename);
        mt_jw_set_str(w, "extension", a->extension);
        mt_jw_set_str(w, "declared_type", a->declared_type);
        mt_jw_set_str(w, "detected_type", a->detected_type);
        mt_jw_set_str(w, "detected_description", a->detected_description);
        set_uint64(w, "size", a->size);
        mt_jw_key(w, "hashes");
        write_hashes(w, &a->hashes);
        mt_jw_key(w, "flags");
        write_flag_list(w, a->flags, MT_ATTACH_FLAG_BITS,
                        mt_attach_flag_to_string);
        mt_jw_key(w, "archive");
        write_archive(w, a);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_bodies(MtJsonWriter *w, const GPtrArray *bodies)
{
    mt_jw_array_begin(w);
    for (guint i = 0; bodies && i < bodies->len; i++) {
        const MtBody *b = bodies->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "part", b->part);
        mt_jw_set_str(w, "content_type", b->content_type);
        mt_jw_set_str(w, "charset_declared", b->charset_declared);
        mt_jw_set_str(w, "charset_used", b->charset_used);
        mt_jw_set_bool(w, "charset_detected", b->charset_detected);
        mt_jw_set_str(w, "charset_note", b->charset_note);
        mt_jw_set_bool(w, "lossy", b->lossy);
        set_uint64(w, "size", b->size);
        set_uint64(w, "chars", b->chars);
        mt_jw_set_str(w, "preview", b->preview);
        /* Only with --bodies: a report without it stays small, and a
         * reader can tell "not asked for" from "empty". */
        if (b->text)
            mt_jw_set_str(w, "text", b->text);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_dsn(MtJsonWriter *w, const GPtrArray *dsns)
{
    mt_jw_array_begin(w);
    for (guint i = 0; dsns && i < dsns->len; i++) {
        const MtDsn *d = dsns->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "part", d->part);
        mt_jw_set_str(w, "reporting_mta", d->reporting_mta);
        mt_jw_set_str(w, "arrival_date", d->arrival_date);
        mt_jw_key(w, "recipients");
        mt_jw_array_begin(w);
        for (guint k = 0; d->recipients && k < d->recipients->len; k++) {
            const MtDsnRecipient *r = d->recipients->pdata[k];

            mt_jw_object_begin(w);
            mt_jw_set_str(w, "final_recipient", r->final_recipient);
            mt_jw_set_str(w, "original_recipient", r->original_recipient);
            mt_jw_set_str(w, "action", r->action);
            mt_jw_set_str(w, "status", r->status);
            mt_jw_set_str(w, "diagnostic_code", r->diagnostic_code);
            mt_jw_set_str(w, "remote_mta", r->remote_mta);
            mt_jw_set_str(w, "last_attempt_date", r->last_attempt_date);
            mt_jw_object_end(w);
        }
        mt_jw_array_end(w);
        mt_jw_set_str(w, "returned_part", d->returned_part);
        mt_jw_key(w, "returned_headers");
        mt_jw_array_begin(w);
        for (guint k = 0; d->returned_headers && k < d->returned_headers->len;
             k++) {
            const MtHeader *h = d->returned_headers->pdata[k];

            mt_jw_object_begin(w);
            mt_jw_set_str(w, "name", h->name);
            /* The raw value: bytes that are not UTF-8 come out \xHH. */
            mt_jw_key(w, "value");
            mt_jw_bytes(w, h->value, h->value_len);
            mt_jw_object_end(w);
        }
        mt_jw_array_end(w);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_partial(MtJsonWriter *w, const MtMime *m)
{
    if (!m->partial) {
        mt_jw_null(w);
        return;
    }
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "id", m->partial_id);
    /* RFC 2046 5.2.2: numbers start at 1; 0 means it was not given. */
    mt_jw_key(w, "number");
    if (m->partial_number > 0)
        mt_jw_int(w, m->partial_number);
    else
        mt_jw_null(w);
    mt_jw_key(w, "total");
    if (m->partial_total > 0)
        mt_jw_int(w, m->partial_total);
    else
        mt_jw_null(w);
    mt_jw_object_end(w);
}

static void
write_mime(MtJsonWriter *w, const MtMime *m)
{
    mt_jw_object_begin(w);
    mt_jw_set_bool(w, "analyzed", m->analyzed);
    mt_jw_set_int(w, "part_count", m->part_count);
    mt_jw_set_int(w, "max_depth", m->max_depth);
    mt_jw_key(w, "partial");
    write_partial(w, m);
    mt_jw_key(w, "parts");
    write_part_tree(w, m->root);
    mt_jw_key(w, "attachments");
    write_attachments(w, m->attachments);
    mt_jw_key(w, "bodies");
    write_bodies(w, m->bodies);
    mt_jw_key(w, "dsn");
    write_dsn(w, m->dsn);
    mt_jw_object_end(w);
}

static void
write_links(MtJsonWriter *w, const GPtrArray *links)
{
    mt_jw_array_begin(w);
    for (guint i = 0; links && i < links->len; i++) {
        const MtUrl *u = links->pdata[i];

        mt_jw_object_begin(w);
        /* The real URL, never defanged: JSON is for tools, which defang
         * for themselves when they must. */
        mt_jw_set_str(w, "url", u->url);
        mt_jw_set_str(w, "unwrapped", u->unwrapped);
        mt_jw_set_str(w, "wrapper", u->wrapper);
        mt_jw_set_str(w, "scheme", u->scheme);
        mt_jw_set_str(w, "host", u->host);
        mt_jw_set_str(w, "host_unicode", u->host_unicode);
        mt_jw_set_str(w, "part", u->part);
        mt_jw_set_string(w, "source", mt_url_source_to_string(u->source));
        mt_jw_set_str(w, "anchor_text", u->anchor_text);
        mt_jw_key(w, "flags");
        write_flag_list(w, u->flags, MT_URL_FLAG_BITS,
                        mt_url_flag_to_string);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_indicators(MtJsonWriter *w, const GPtrArray *indicators)
{
    mt_jw_array_begin(w);
    for (guint i = 0; indicators && i < indicators->len; i++) {
        const MtIndicator *ind = indicators->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_string(w, "type", mt_indicator_type_to_string(ind->type));
        mt_jw_set_str(w, "value", ind->value);
        mt_jw_key(w, "sources");
        mt_jw_array_begin(w);
        for (guint k = 0; ind->sources && k < ind->sources->len; k++)
            mt_jw_string_or_null(w, ind->sources->pdata[k]);
        mt_jw_array_end(w);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

void
mt_json_write_content(MtJsonWriter *w, const MtReport *report)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(report != NULL);

    mt_jw_key(w, "mime");
    write_mime(w, &report->mime);
    mt_jw_key(w, "links");
    write_links(w, report->links);
    mt_jw_set_int(w, "links_dropped", report->links_dropped);
    mt_jw_key(w, "indicators");
    write_indicators(w, report->indicators);
}
