/* SPDX-License-Identifier: MIT */
/*
 * json.c: the report as JSON (schema doc/mailtrail-report.schema.json,
 * identifier mailtrail.report/1) and the json and ndjson renderers.
 *
 * Output is deterministic: keys keep insertion order, and the one
 * clock-dependent field (tool.analyzed_at) is taken from SOURCE_DATE_EPOCH
 * when set, as reproducible-builds tools expect.
 */
#include <stdlib.h>
#include <string.h>

#include "mt-config.h"
#include "reports-identity.h"
#include "reports.h"

json_t *
mt_json_string_or_null(const char *text)
{
    if (text == NULL)
        return json_null();
    return mt_json_bytes(text, strlen(text));
}

json_t *
mt_json_bytes(const char *bytes, gsize len)
{
    g_autofree char *text = NULL;

    if (bytes == NULL)
        return json_null();
    text = mt_escape_bytes(bytes, len, NULL);
    return json_stringn(text, strlen(text));
}

static json_t *
int_or_null(gint64 value)
{
    return value < 0 ? json_null() : json_integer(value);
}

static const char *
analysis_time(char buf[static 21])
{
    const char *epoch = g_getenv("SOURCE_DATE_EPOCH");
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;

    if (epoch) {
        guint64 value = 0;
        if (g_ascii_string_to_unsigned(epoch, 10, 0, G_MAXINT64, &value,
                                       NULL))
            now = (gint64)value;
    }
    return mt_date_format_utc(now, buf);
}

static json_t *
json_source(const MtSource *s, gboolean analyzed)
{
    json_t *o = json_object();

    json_object_set_new(o, "path", mt_json_string_or_null(s->path));
    json_object_set_new(o, "format",
                        analyzed ? json_string(mt_input_format_to_string(
                                       s->format))
                                 : json_null());
    json_object_set_new(o, "index",
                        analyzed ? json_integer((json_int_t)s->index)
                                 : json_null());
    json_object_set_new(o, "offset",
                        analyzed ? json_integer((json_int_t)s->offset)
                                 : json_null());
    json_object_set_new(o, "size",
                        analyzed ? json_integer((json_int_t)s->size)
                                 : json_null());
    json_object_set_new(o, "sha256",
                        analyzed && s->sha256[0] ? json_string(s->sha256)
                                                 : json_null());
    if (s->mbox_from_line) {
        json_t *m = json_object();
        json_object_set_new(m, "line", mt_json_string_or_null(
                                           s->mbox_from_line));
        json_object_set_new(m, "sender", mt_json_string_or_null(
                                             s->mbox_sender));
        json_object_set_new(m, "date", mt_json_string_or_null(s->mbox_date));
        json_object_set_new(o, "mbox_from", m);
    } else {
        json_object_set_new(o, "mbox_from", json_null());
    }
    json_object_set_new(o, "mbox_quoted_from_lines",
                        json_integer((json_int_t)s->mbox_quoted_from));
    json_object_set_new(o, "content_length_used",
                        json_boolean(s->content_length_used));
    json_object_set_new(o, "line_endings",
                        analyzed ? json_string(mt_eol_to_string(s->eol))
                                 : json_null());
    return o;
}

static json_t *
json_address(const MtAddressField *f)
{
    json_t *o, *list;

    if (f->header_index < 0)
        return json_null();
    o = json_object();
    list = json_array();
    for (guint i = 0; f->mailboxes && i < f->mailboxes->len; i++) {
        const MtMailbox *m = f->mailboxes->pdata[i];
        json_t *mo = json_object();
        json_object_set_new(mo, "name", mt_json_string_or_null(m->name));
        json_object_set_new(mo, "address",
                            mt_json_string_or_null(m->address));
        json_array_append_new(list, mo);
    }
    json_object_set_new(o, "mailboxes", list);
    json_object_set_new(o, "header_index", json_integer(f->header_index));
    json_object_set_new(o, "count", json_integer(f->count));
    return o;
}

static json_t *
json_text(const MtTextField *f)
{
    json_t *o;

    if (f->header_index < 0)
        return json_null();
    o = json_object();
    json_object_set_new(o, "text", mt_json_string_or_null(f->text));
    json_object_set_new(o, "header_index", json_integer(f->header_index));
    json_object_set_new(o, "count", json_integer(f->count));
    return o;
}

static json_t *
json_summary(const MtSummary *s)
{
    json_t *o = json_object();
    json_t *date = json_text(&s->date);

    json_object_set_new(o, "from", json_address(&s->from));
    json_object_set_new(o, "sender", json_address(&s->sender));
    json_object_set_new(o, "to", json_address(&s->to));
    json_object_set_new(o, "cc", json_address(&s->cc));
    json_object_set_new(o, "bcc", json_address(&s->bcc));
    json_object_set_new(o, "reply_to", json_address(&s->reply_to));
    json_object_set_new(o, "return_path", json_address(&s->return_path));
    json_object_set_new(o, "delivered_to", json_address(&s->delivered_to));
    json_object_set_new(o, "x_original_to", json_address(&s->x_original_to));
    json_object_set_new(o, "subject", json_text(&s->subject));
    if (json_is_object(date)) {
        char buf[21];
        json_object_set_new(date, "valid", json_boolean(s->date_valid));
        json_object_set_new(
            date, "utc",
            s->date_valid ? json_string(mt_date_format_utc(
                                s->date_parsed.timestamp, buf))
                          : json_null());
        json_object_set_new(date, "tz_offset",
                            s->date_valid
                                ? json_integer(s->date_parsed.tz_offset)
                                : json_null());
    }
    json_object_set_new(o, "date", date);
    json_object_set_new(o, "message_id", json_text(&s->message_id));
    json_object_set_new(o, "in_reply_to", json_text(&s->in_reply_to));
    {
        json_t *refs = json_text(&s->references);
        if (json_is_object(refs)) {
            json_t *ids = json_array();
            for (guint i = 0; s->reference_ids && i < s->reference_ids->len;
                 i++)
                json_array_append_new(
                    ids, mt_json_string_or_null(s->reference_ids->pdata[i]));
            json_object_set_new(refs, "ids", ids);
        }
        json_object_set_new(o, "references", refs);
    }
    json_object_set_new(o, "mime_version", json_text(&s->mime_version));
    json_object_set_new(o, "content_type", json_text(&s->content_type));
    json_object_set_new(o, "content_transfer_encoding",
                        json_text(&s->content_transfer_encoding));
    json_object_set_new(o, "x_mailer", json_text(&s->x_mailer));
    json_object_set_new(o, "user_agent", json_text(&s->user_agent));
    return o;
}

static json_t *
json_headers(const GPtrArray *headers)
{
    json_t *list = json_array();

    for (guint i = 0; i < headers->len; i++) {
        const MtHeader *h = headers->pdata[i];
        json_t *o = json_object();
        gboolean escaped = FALSE;
        g_autofree char *value = mt_escape_bytes(h->value, h->value_len,
                                                 &escaped);

        json_object_set_new(o, "index", json_integer(i));
        json_object_set_new(o, "name", mt_json_string_or_null(h->name));
        json_object_set_new(o, "value", json_string(value));
        json_object_set_new(o, "value_escaped", json_boolean(escaped));
        json_object_set_new(o, "decoded", mt_json_string_or_null(h->decoded));
        json_object_set_new(o, "offset", json_integer((json_int_t)h->offset));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_defects(const GPtrArray *defects)
{
    json_t *list = json_array();

    for (guint i = 0; i < defects->len; i++) {
        const MtDefect *d = defects->pdata[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(d->code));
        json_object_set_new(o, "message", mt_json_string_or_null(d->message));
        json_object_set_new(o, "offset", int_or_null(d->offset));
        json_object_set_new(o, "header_index", int_or_null(d->header_index));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_relay(const MtRelay *relay)
{
    return mt_json_relay(relay);
}

static json_t *
json_findings(const GPtrArray *findings, const GPtrArray *headers)
{
    json_t *list = json_array();

    for (guint i = 0; i < findings->len; i++) {
        const MtFinding *f = findings->pdata[i];
        json_t *o = json_object();
        json_t *ev = json_object();
        json_object_set_new(o, "id", json_string(f->id));
        json_object_set_new(o, "severity",
                            json_string(mt_severity_to_string(f->severity)));
        /* The title is the registry's (compiled in from findings.yaml);
         * detail is message under the name the issue gives it, and
         * message stays for the readers of earlier reports. */
        json_object_set_new(o, "title",
                            mt_json_string_or_null(mt_finding_title(f->id)));
        json_object_set_new(o, "message", mt_json_string_or_null(f->message));
        json_object_set_new(o, "detail", mt_json_string_or_null(f->message));
        json_object_set_new(ev, "header_index",
                            int_or_null(f->evidence.header_index));
        /* The field's name, so that the evidence reads without a lookup. */
        json_object_set_new(
            ev, "header",
            f->evidence.header_index >= 0 &&
                    (guint)f->evidence.header_index < headers->len
                ? mt_json_string_or_null(
                      ((const MtHeader *)
                           headers->pdata[f->evidence.header_index])
                          ->name)
                : json_null());
        json_object_set_new(ev, "offset", int_or_null(f->evidence.offset));
        json_object_set_new(ev, "hop", int_or_null(f->evidence.hop));
        json_object_set_new(ev, "part",
                            mt_json_string_or_null(f->evidence.part));
        json_object_set_new(o, "evidence", ev);
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_errors(const GPtrArray *errors)
{
    json_t *list = json_array();

    for (guint i = 0; i < errors->len; i++) {
        const MtReportError *e = errors->pdata[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(e->code));
        json_object_set_new(o, "message", mt_json_string_or_null(e->message));
        json_array_append_new(list, o);
    }
    return list;
}

/* The report object; content adds "mime", "links", "links_dropped" and
 * "indicators" after "authentication" (json-mime.c). */
static json_t *
report_object(const MtReport *report, gboolean content)
{
    json_t *o = json_object();
    json_t *tool = json_object();
    char when[21];

    json_object_set_new(o, "schema", json_string(MT_SCHEMA_ID));
    json_object_set_new(tool, "name", json_string("mailtrail"));
    json_object_set_new(tool, "version", json_string(MT_VERSION));
    json_object_set_new(tool, "analyzed_at", json_string(analysis_time(when)));
    json_object_set_new(o, "tool", tool);
    json_object_set_new(o, "source",
                        json_source(&report->source, report->analyzed));
    json_object_set_new(o, "summary", json_summary(&report->summary));
    json_object_set_new(o, "headers", json_headers(report->headers));
    json_object_set_new(o, "defects", json_defects(report->defects));
    json_object_set_new(o, "relay", json_relay(&report->relay));
    json_object_set_new(o, "identity", mt_json_identity(report));
    json_object_set_new(o, "authentication",
                        mt_json_authentication(report));
    if (content)
        mt_json_content(o, report);
    json_object_set_new(o, "findings",
                        json_findings(report->findings, report->headers));
    json_object_set_new(o, "errors", json_errors(report->errors));
    return o;
}

json_t *
mt_json_report(const MtReport *report)
{
    g_return_val_if_fail(report != NULL, NULL);
    return report_object(report, TRUE);
}

json_t *
mt_json_report_embedded(const MtReport *report)
{
    g_return_val_if_fail(report != NULL, NULL);
    return report_object(report, FALSE);
}

/* JSON: one object for one message, an array for several. The first
 * report is held until the second shows whether an array is needed. */
static void
json_report(MtRenderer *r, const MtReport *report)
{
    json_t *o = mt_json_report(report);

    if (r->count == 0) {
        r->pending = o;
        return;
    }
    if (r->count == 1) {
        fputs("[\n", r->out);
        json_dumpf(r->pending, r->out, JSON_INDENT(2));
        g_clear_pointer(&r->pending, json_decref);
    }
    fputs(",\n", r->out);
    json_dumpf(o, r->out, JSON_INDENT(2));
    json_decref(o);
}

static void
json_end(MtRenderer *r, const MtRunStats *stats)
{
    if (r->count == 0) {
        fputs("[]\n", r->out);
    } else if (r->pending) {
        json_dumpf(r->pending, r->out, JSON_INDENT(2));
        fputc('\n', r->out);
        g_clear_pointer(&r->pending, json_decref);
    } else {
        fputs("\n]\n", r->out);
    }
}

/* NDJSON: one compact line per message, flushed at once so that a reader
 * (jq, a SIEM shipper) sees each message as soon as it is analyzed. */
static char *
ndjson_prepare(const MtReport *report)
{
    json_t *o = mt_json_report(report);
    /* One buffer and one write: json_dumpf writes token by token. */
    char *dumped = json_dumps(o, JSON_COMPACT);
    char *line = g_strdup(dumped ? dumped : "");

    free(dumped);
    json_decref(o);
    return line;
}

static void
ndjson_report_prepared(MtRenderer *r, const char *line)
{
    fputs(line, r->out);
    fputc('\n', r->out);
    /* Each line out as soon as it is made: consumers (jq, a bulk loader)
     * read while the run goes on. */
    fflush(r->out);
}

static void
ndjson_report(MtRenderer *r, const MtReport *report)
{
    g_autofree char *line = ndjson_prepare(report);

    ndjson_report_prepared(r, line);
}

const MtRendererClass mt_renderer_json = {
    .name = "json",
    .extension = "json",
    .report = json_report,
    .end = json_end,
};

const MtRendererClass mt_renderer_ndjson = {
    .name = "ndjson",
    .extension = "ndjson",
    .report = ndjson_report,
    .prepare = ndjson_prepare,
    .report_prepared = ndjson_report_prepared,
};
