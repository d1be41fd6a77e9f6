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

static json_t *
str(const char *s)
{
    return mt_json_string_or_null(s);
}

static json_t *
offset_or_null(gint64 value)
{
    return value < 0 ? json_null() : json_integer((json_int_t)value);
}

static json_t *
uint64_json(guint64 value)
{
    /* json_int_t is signed 64 bits; sizes never come near its end, but a
     * hostile length field must not wrap into a negative number. */
    return json_integer(value > (guint64)G_MAXINT64 ? (json_int_t)G_MAXINT64
                                                    : (json_int_t)value);
}

/* Flags as an array of names in bit order; bits without a name (from a
 * newer analyzer) are left out rather than invented. */
static json_t *
flag_list(guint flags, guint bits, const char *(*name_of)(guint flag))
{
    json_t *list = json_array();

    for (guint bit = 0; bit < bits; bit++) {
        const char *name;

        if ((flags & (1u << bit)) == 0)
            continue;
        name = name_of(1u << bit);
        if (name)
            json_array_append_new(list, json_string(name));
    }
    return list;
}

/* null when nothing was hashed (all three empty), else each digest, null
 * for one that is empty. */
static json_t *
json_hashes(const MtHashes *h)
{
    json_t *o;

    if (!h->md5[0] && !h->sha1[0] && !h->sha256[0])
        return json_null();
    o = json_object();
    json_object_set_new(o, "md5", h->md5[0] ? json_string(h->md5)
                                            : json_null());
    json_object_set_new(o, "sha1", h->sha1[0] ? json_string(h->sha1)
                                              : json_null());
    json_object_set_new(o, "sha256", h->sha256[0] ? json_string(h->sha256)
                                                  : json_null());
    return o;
}

static json_t *
json_params(const GPtrArray *params)
{
    json_t *list = json_array();

    for (guint i = 0; params && i < params->len; i++) {
        const MtParam *p = params->pdata[i];
        json_t *o = json_object();

        json_object_set_new(o, "name", str(p->name));
        json_object_set_new(o, "value", str(p->value));
        json_array_append_new(list, o);
    }
    return list;
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

/* One part without its children; "children" is an empty array the
 * caller fills. */
static json_t *
json_part(const MtPart *p)
{
    json_t *o = json_object();

    json_object_set_new(o, "path", str(p->path));
    json_object_set_new(o, "kind", json_string(part_kind(p->kind)));
    json_object_set_new(o, "depth", json_integer(p->depth));
    json_object_set_new(o, "content_type", str(p->content_type));
    json_object_set_new(o, "type_declared", json_boolean(p->type_declared));
    json_object_set_new(o, "params", json_params(p->type_params));
    json_object_set_new(o, "charset", str(p->charset));
    json_object_set_new(o, "transfer_encoding", str(p->transfer_encoding));
    json_object_set_new(o, "disposition", str(p->disposition));
    json_object_set_new(o, "disposition_params",
                        json_params(p->disposition_params));
    json_object_set_new(o, "filename", str(p->filename));
    json_object_set_new(o, "content_id", str(p->content_id));
    json_object_set_new(o, "content_description",
                        str(p->content_description));
    json_object_set_new(o, "header_offset", offset_or_null(p->header_offset));
    json_object_set_new(o, "body_offset", offset_or_null(p->body_offset));
    json_object_set_new(o, "size_encoded", uint64_json(p->size_encoded));
    json_object_set_new(o, "size_decoded", uint64_json(p->size_decoded));
    json_object_set_new(o, "decoded_truncated",
                        json_boolean(p->decoded_truncated));
    json_object_set_new(o, "hashes", json_hashes(&p->hashes));
    json_object_set_new(o, "detected_type", str(p->detected_type));
    json_object_set_new(o, "is_attachment", json_boolean(p->is_attachment));
    json_object_set_new(o, "is_body", json_boolean(p->is_body));
    json_object_set_new(o, "preamble", str(p->preamble));
    json_object_set_new(o, "epilogue", str(p->epilogue));
    json_object_set_new(o, "children", json_array());
    /* The embedded report has no "mime": rendering it cannot come back
     * here, whatever the nesting of messages. */
    json_object_set_new(o, "message",
                        p->message ? mt_json_report_embedded(p->message)
                                   : json_null());
    return o;
}

typedef struct {
    const MtPart *part;
    json_t *into; /* the array the part's object is appended to */
} PartJob;

/* The tree under root as a one-element array (empty without a root).
 * Depth first with an explicit stack: children are pushed last first, so
 * they come out, and are appended to their parent's "children", in
 * order. */
static json_t *
json_part_tree(const MtPart *root)
{
    json_t *top = json_array();
    g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(PartJob));
    guint done = 0;

    if (root == NULL)
        return top;
    g_array_append_val(stack, ((PartJob){root, top}));
    while (stack->len > 0 && done < PART_NODES_MAX) {
        PartJob job = g_array_index(stack, PartJob, stack->len - 1);
        json_t *o;
        json_t *children;

        g_array_set_size(stack, stack->len - 1);
        o = json_part(job.part);
        children = json_object_get(o, "children");
        json_array_append_new(job.into, o);
        done++;
        for (guint i = job.part->children ? job.part->children->len : 0;
             i-- > 0;) {
            const MtPart *child = job.part->children->pdata[i];
            if (child)
                g_array_append_val(stack, ((PartJob){child, children}));
        }
    }
    return top;
}

static json_t *
json_archive(const MtAttachment *a)
{
    json_t *o;
    json_t *entries;

    if (a->archive_format == NULL && a->archive_entries == NULL)
        return json_null();
    o = json_object();
    entries = json_array();
    json_object_set_new(o, "format", str(a->archive_format));
    for (guint i = 0; a->archive_entries && i < a->archive_entries->len;
         i++) {
        const MtArchiveEntry *e = a->archive_entries->pdata[i];
        json_t *eo = json_object();

        json_object_set_new(eo, "name", str(e->name));
        json_object_set_new(eo, "size", uint64_json(e->size));
        json_object_set_new(eo, "encrypted", json_boolean(e->encrypted));
        json_object_set_new(eo, "executable", json_boolean(e->executable));
        json_object_set_new(eo, "is_dir", json_boolean(e->is_dir));
        json_object_set_new(eo, "depth", json_integer(e->depth));
        json_object_set_new(eo, "detected_type", str(e->detected_type));
        json_array_append_new(entries, eo);
    }
    json_object_set_new(o, "entries", entries);
    json_object_set_new(o, "entries_dropped",
                        json_integer(a->archive_entries_dropped));
    return o;
}

static json_t *
json_attachments(const GPtrArray *attachments)
{
    json_t *list = json_array();

    for (guint i = 0; attachments && i < attachments->len; i++) {
        const MtAttachment *a = attachments->pdata[i];
        json_t *o = json_object();

        json_object_set_new(o, "part", str(a->part));
        json_object_set_new(o, "source", str(a->source));
        json_object_set_new(o, "filename", str(a->filename));
        json_object_set_new(o, "extension", str(a->extension));
        json_object_set_new(o, "declared_type", str(a->declared_type));
        json_object_set_new(o, "detected_type", str(a->detected_type));
        json_object_set_new(o, "detected_description",
                            str(a->detected_description));
        json_object_set_new(o, "size", uint64_json(a->size));
        json_object_set_new(o, "hashes", json_hashes(&a->hashes));
        json_object_set_new(o, "flags", flag_list(a->flags,
                                                  MT_ATTACH_FLAG_BITS,
                                                  mt_attach_flag_to_string));
        json_object_set_new(o, "archive", json_archive(a));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_bodies(const GPtrArray *bodies)
{
    json_t *list = json_array();

    for (guint i = 0; bodies && i < bodies->len; i++) {
        const MtBody *b = bodies->pdata[i];
        json_t *o = json_object();

        json_object_set_new(o, "part", str(b->part));
        json_object_set_new(o, "content_type", str(b->content_type));
        json_object_set_new(o, "charset_declared", str(b->charset_declared));
        json_object_set_new(o, "charset_used", str(b->charset_used));
        json_object_set_new(o, "charset_detected",
                            json_boolean(b->charset_detected));
        json_object_set_new(o, "charset_note", str(b->charset_note));
        json_object_set_new(o, "lossy", json_boolean(b->lossy));
        json_object_set_new(o, "size", uint64_json(b->size));
        json_object_set_new(o, "chars", uint64_json(b->chars));
        json_object_set_new(o, "preview", str(b->preview));
        /* Only with --bodies: a report without it stays small, and a
         * reader can tell "not asked for" from "empty". */
        if (b->text)
            json_object_set_new(o, "text", str(b->text));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_dsn(const GPtrArray *dsns)
{
    json_t *list = json_array();

    for (guint i = 0; dsns && i < dsns->len; i++) {
        const MtDsn *d = dsns->pdata[i];
        json_t *o = json_object();
        json_t *recipients = json_array();
        json_t *headers = json_array();

        json_object_set_new(o, "part", str(d->part));
        json_object_set_new(o, "reporting_mta", str(d->reporting_mta));
        json_object_set_new(o, "arrival_date", str(d->arrival_date));
        for (guint k = 0; d->recipients && k < d->recipients->len; k++) {
            const MtDsnRecipient *r = d->recipients->pdata[k];
            json_t *ro = json_object();

            json_object_set_new(ro, "final_recipient",
                                str(r->final_recipient));
            json_object_set_new(ro, "original_recipient",
                                str(r->original_recipient));
            json_object_set_new(ro, "action", str(r->action));
            json_object_set_new(ro, "status", str(r->status));
            json_object_set_new(ro, "diagnostic_code",
                                str(r->diagnostic_code));
            json_object_set_new(ro, "remote_mta", str(r->remote_mta));
            json_object_set_new(ro, "last_attempt_date",
                                str(r->last_attempt_date));
            json_array_append_new(recipients, ro);
        }
        json_object_set_new(o, "recipients", recipients);
        json_object_set_new(o, "returned_part", str(d->returned_part));
        for (guint k = 0; d->returned_headers && k < d->returned_headers->len;
             k++) {
            const MtHeader *h = d->returned_headers->pdata[k];
            json_t *ho = json_object();

            json_object_set_new(ho, "name", str(h->name));
            /* The raw value: bytes that are not UTF-8 come out \xHH. */
            json_object_set_new(ho, "value",
                                h->value ? mt_json_bytes(h->value,
                                                         h->value_len)
                                         : json_null());
            json_array_append_new(headers, ho);
        }
        json_object_set_new(o, "returned_headers", headers);
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_partial(const MtMime *m)
{
    json_t *o;

    if (!m->partial)
        return json_null();
    o = json_object();
    json_object_set_new(o, "id", str(m->partial_id));
    /* RFC 2046 5.2.2: numbers start at 1; 0 means it was not given. */
    json_object_set_new(o, "number", m->partial_number > 0
                                         ? json_integer(m->partial_number)
                                         : json_null());
    json_object_set_new(o, "total", m->partial_total > 0
                                        ? json_integer(m->partial_total)
                                        : json_null());
    return o;
}

static json_t *
json_mime(const MtMime *m)
{
    json_t *o = json_object();

    json_object_set_new(o, "analyzed", json_boolean(m->analyzed));
    json_object_set_new(o, "part_count", json_integer(m->part_count));
    json_object_set_new(o, "max_depth", json_integer(m->max_depth));
    json_object_set_new(o, "partial", json_partial(m));
    json_object_set_new(o, "parts", json_part_tree(m->root));
    json_object_set_new(o, "attachments", json_attachments(m->attachments));
    json_object_set_new(o, "bodies", json_bodies(m->bodies));
    json_object_set_new(o, "dsn", json_dsn(m->dsn));
    return o;
}

static json_t *
json_links(const GPtrArray *links)
{
    json_t *list = json_array();

    for (guint i = 0; links && i < links->len; i++) {
        const MtUrl *u = links->pdata[i];
        json_t *o = json_object();

        /* The real URL, never defanged: JSON is for tools, which defang
         * for themselves when they must. */
        json_object_set_new(o, "url", str(u->url));
        json_object_set_new(o, "unwrapped", str(u->unwrapped));
        json_object_set_new(o, "wrapper", str(u->wrapper));
        json_object_set_new(o, "scheme", str(u->scheme));
        json_object_set_new(o, "host", str(u->host));
        json_object_set_new(o, "host_unicode", str(u->host_unicode));
        json_object_set_new(o, "part", str(u->part));
        json_object_set_new(o, "source",
                            json_string(mt_url_source_to_string(u->source)));
        json_object_set_new(o, "anchor_text", str(u->anchor_text));
        json_object_set_new(o, "flags", flag_list(u->flags,
                                                  MT_URL_FLAG_BITS,
                                                  mt_url_flag_to_string));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_indicators(const GPtrArray *indicators)
{
    json_t *list = json_array();

    for (guint i = 0; indicators && i < indicators->len; i++) {
        const MtIndicator *ind = indicators->pdata[i];
        json_t *o = json_object();
        json_t *sources = json_array();

        json_object_set_new(o, "type", json_string(
                                           mt_indicator_type_to_string(
                                               ind->type)));
        json_object_set_new(o, "value", str(ind->value));
        for (guint k = 0; ind->sources && k < ind->sources->len; k++)
            json_array_append_new(sources, str(ind->sources->pdata[k]));
        json_object_set_new(o, "sources", sources);
        json_array_append_new(list, o);
    }
    return list;
}

void
mt_json_content(json_t *o, const MtReport *report)
{
    g_return_if_fail(json_is_object(o));
    g_return_if_fail(report != NULL);

    json_object_set_new(o, "mime", json_mime(&report->mime));
    json_object_set_new(o, "links", json_links(report->links));
    json_object_set_new(o, "links_dropped",
                        json_integer(report->links_dropped));
    json_object_set_new(o, "indicators", json_indicators(report->indicators));
}
