/* SPDX-License-Identifier: MIT */
/*
 * json.c: the report as JSON (schema doc/mailtrail-report.schema.json,
 * identifier mailtrail.report/1) and the json and ndjson renderers.
 *
 * Output is deterministic: keys come in the order written, and the one
 * clock-dependent field (tool.analyzed_at) is taken from SOURCE_DATE_EPOCH
 * when set, as reproducible-builds tools expect.
 *
 * The serializers here and in json-*.c write text with the streaming
 * writer (jsonw.h), in the key order and with the bytes that the jansson
 * trees they replaced dumped to (issue #8: building and freeing a tree
 * per report was half the time of an NDJSON run). The json_t functions
 * (mt_json_report() and the like) load that text back, for the callers
 * that want a tree, so there is one serializer.
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

/* A value that is null when the message was not analyzed. */
static void
set_analyzed_int(MtJsonWriter *w, const char *key, gboolean analyzed,
                 gint64 value)
{
    mt_jw_key(w, key);
    if (analyzed)
        mt_jw_int(w, value);
    else
        mt_jw_null(w);
}

static void
set_analyzed_string(MtJsonWriter *w, const char *key, gboolean analyzed,
                    const char *value)
{
    mt_jw_key(w, key);
    if (analyzed)
        mt_jw_string(w, value);
    else
        mt_jw_null(w);
}

static void
write_source(MtJsonWriter *w, const MtSource *s, gboolean analyzed)
{
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "path", s->path);
    set_analyzed_string(w, "format", analyzed,
                        mt_input_format_to_string(s->format));
    set_analyzed_int(w, "index", analyzed, (gint64)s->index);
    set_analyzed_int(w, "offset", analyzed, (gint64)s->offset);
    set_analyzed_int(w, "size", analyzed, (gint64)s->size);
    set_analyzed_string(w, "sha256", analyzed && s->sha256[0], s->sha256);
    mt_jw_key(w, "mbox_from");
    if (s->mbox_from_line) {
        mt_jw_object_begin(w);
        mt_jw_set_str(w, "line", s->mbox_from_line);
        mt_jw_set_str(w, "sender", s->mbox_sender);
        mt_jw_set_str(w, "date", s->mbox_date);
        mt_jw_object_end(w);
    } else {
        mt_jw_null(w);
    }
    mt_jw_set_int(w, "mbox_quoted_from_lines", (gint64)s->mbox_quoted_from);
    mt_jw_set_bool(w, "content_length_used", s->content_length_used);
    set_analyzed_string(w, "line_endings", analyzed,
                        mt_eol_to_string(s->eol));
    mt_jw_object_end(w);
}

static void
write_address(MtJsonWriter *w, const char *key, const MtAddressField *f)
{
    mt_jw_key(w, key);
    if (f->header_index < 0) {
        mt_jw_null(w);
        return;
    }
    mt_jw_object_begin(w);
    mt_jw_key(w, "mailboxes");
    mt_jw_array_begin(w);
    for (guint i = 0; f->mailboxes && i < f->mailboxes->len; i++) {
        const MtMailbox *m = f->mailboxes->pdata[i];
        mt_jw_object_begin(w);
        mt_jw_set_str(w, "name", m->name);
        mt_jw_set_str(w, "address", m->address);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
    mt_jw_set_int(w, "header_index", f->header_index);
    mt_jw_set_int(w, "count", f->count);
    mt_jw_object_end(w);
}

/* A text field's object, left open for the members some fields add
 * (date, references). Returns FALSE, having written null, for a field
 * the message does not have. */
static gboolean
text_begin(MtJsonWriter *w, const char *key, const MtTextField *f)
{
    mt_jw_key(w, key);
    if (f->header_index < 0) {
        mt_jw_null(w);
        return FALSE;
    }
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "text", f->text);
    mt_jw_set_int(w, "header_index", f->header_index);
    mt_jw_set_int(w, "count", f->count);
    return TRUE;
}

static void
write_text(MtJsonWriter *w, const char *key, const MtTextField *f)
{
    if (text_begin(w, key, f))
        mt_jw_object_end(w);
}

static void
write_summary(MtJsonWriter *w, const MtSummary *s)
{
    mt_jw_object_begin(w);
    write_address(w, "from", &s->from);
    write_address(w, "sender", &s->sender);
    write_address(w, "to", &s->to);
    write_address(w, "cc", &s->cc);
    write_address(w, "bcc", &s->bcc);
    write_address(w, "reply_to", &s->reply_to);
    write_address(w, "return_path", &s->return_path);
    write_address(w, "delivered_to", &s->delivered_to);
    write_address(w, "x_original_to", &s->x_original_to);
    write_text(w, "subject", &s->subject);
    if (text_begin(w, "date", &s->date)) {
        char buf[21];
        mt_jw_set_bool(w, "valid", s->date_valid);
        mt_jw_key(w, "utc");
        if (s->date_valid)
            mt_jw_string(w, mt_date_format_utc(s->date_parsed.timestamp,
                                               buf));
        else
            mt_jw_null(w);
        mt_jw_key(w, "tz_offset");
        if (s->date_valid)
            mt_jw_int(w, s->date_parsed.tz_offset);
        else
            mt_jw_null(w);
        mt_jw_object_end(w);
    }
    write_text(w, "message_id", &s->message_id);
    write_text(w, "in_reply_to", &s->in_reply_to);
    if (text_begin(w, "references", &s->references)) {
        mt_jw_key(w, "ids");
        mt_jw_array_begin(w);
        for (guint i = 0; s->reference_ids && i < s->reference_ids->len;
             i++)
            mt_jw_string_or_null(w, s->reference_ids->pdata[i]);
        mt_jw_array_end(w);
        mt_jw_object_end(w);
    }
    write_text(w, "mime_version", &s->mime_version);
    write_text(w, "content_type", &s->content_type);
    write_text(w, "content_transfer_encoding",
               &s->content_transfer_encoding);
    write_text(w, "x_mailer", &s->x_mailer);
    write_text(w, "user_agent", &s->user_agent);
    mt_jw_object_end(w);
}

static void
write_headers(MtJsonWriter *w, const GPtrArray *headers)
{
    mt_jw_array_begin(w);
    for (guint i = 0; i < headers->len; i++) {
        const MtHeader *h = headers->pdata[i];
        gboolean escaped = FALSE;

        mt_jw_object_begin(w);
        mt_jw_set_int(w, "index", i);
        mt_jw_set_str(w, "name", h->name);
        /* The tree held json_string(mt_escape_bytes(value)): a NULL
         * value had no "value" member at all, and was not escaped. */
        mt_jw_key(w, "value");
        if (h->value != NULL)
            escaped = mt_jw_bytes(w, h->value, h->value_len);
        else
            mt_jw_string(w, NULL);
        mt_jw_set_bool(w, "value_escaped", escaped);
        mt_jw_set_str(w, "decoded", h->decoded);
        mt_jw_set_int(w, "offset", (gint64)h->offset);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_defects(MtJsonWriter *w, const GPtrArray *defects)
{
    mt_jw_array_begin(w);
    for (guint i = 0; i < defects->len; i++) {
        const MtDefect *d = defects->pdata[i];
        mt_jw_object_begin(w);
        mt_jw_set_string(w, "code", d->code);
        mt_jw_set_str(w, "message", d->message);
        mt_jw_set_int_or_null(w, "offset", d->offset);
        mt_jw_set_int_or_null(w, "header_index", d->header_index);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_findings(MtJsonWriter *w, const GPtrArray *findings,
               const GPtrArray *headers)
{
    mt_jw_array_begin(w);
    for (guint i = 0; i < findings->len; i++) {
        const MtFinding *f = findings->pdata[i];
        gint64 hi = f->evidence.header_index;

        mt_jw_object_begin(w);
        mt_jw_set_string(w, "id", f->id);
        mt_jw_set_string(w, "severity", mt_severity_to_string(f->severity));
        /* The title is the registry's (compiled in from findings.yaml);
         * detail is message under the name the issue gives it, and
         * message stays for the readers of earlier reports. */
        mt_jw_set_str(w, "title", mt_finding_title(f->id));
        mt_jw_set_str(w, "message", f->message);
        mt_jw_set_str(w, "detail", f->message);
        mt_jw_key(w, "evidence");
        mt_jw_object_begin(w);
        mt_jw_set_int_or_null(w, "header_index", hi);
        /* The field's name, so that the evidence reads without a
         * lookup. */
        if (hi >= 0 && (guint)hi < headers->len)
            mt_jw_set_str(w, "header",
                          ((const MtHeader *)headers->pdata[hi])->name);
        else
            mt_jw_set_null(w, "header");
        mt_jw_set_int_or_null(w, "offset", f->evidence.offset);
        mt_jw_set_int_or_null(w, "hop", f->evidence.hop);
        mt_jw_set_str(w, "part", f->evidence.part);
        mt_jw_object_end(w);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_errors(MtJsonWriter *w, const GPtrArray *errors)
{
    mt_jw_array_begin(w);
    for (guint i = 0; i < errors->len; i++) {
        const MtReportError *e = errors->pdata[i];
        mt_jw_object_begin(w);
        mt_jw_set_string(w, "code", e->code);
        mt_jw_set_str(w, "message", e->message);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

/* The report object; content adds "mime", "links", "links_dropped" and
 * "indicators" after "authentication" (json-mime.c). */
static void
write_report(MtJsonWriter *w, const MtReport *report, gboolean content)
{
    char when[21];

    mt_jw_object_begin(w);
    mt_jw_set_string(w, "schema", MT_SCHEMA_ID);
    mt_jw_key(w, "tool");
    mt_jw_object_begin(w);
    mt_jw_set_string(w, "name", "mailtrail");
    mt_jw_set_string(w, "version", MT_VERSION);
    mt_jw_set_string(w, "analyzed_at", analysis_time(when));
    mt_jw_object_end(w);
    mt_jw_key(w, "source");
    write_source(w, &report->source, report->analyzed);
    mt_jw_key(w, "summary");
    write_summary(w, &report->summary);
    mt_jw_key(w, "headers");
    write_headers(w, report->headers);
    mt_jw_key(w, "defects");
    write_defects(w, report->defects);
    mt_jw_key(w, "relay");
    mt_json_write_relay(w, &report->relay);
    mt_jw_key(w, "identity");
    mt_json_write_identity(w, report);
    mt_jw_key(w, "authentication");
    mt_json_write_authentication(w, report);
    if (content)
        mt_json_write_content(w, report);
    mt_jw_key(w, "findings");
    write_findings(w, report->findings, report->headers);
    mt_jw_key(w, "errors");
    write_errors(w, report->errors);
    mt_jw_object_end(w);
}

void
mt_json_write_report(MtJsonWriter *w, const MtReport *report)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(report != NULL);
    write_report(w, report, TRUE);
}

void
mt_json_write_report_embedded(MtJsonWriter *w, const MtReport *report)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(report != NULL);
    write_report(w, report, FALSE);
}

json_t *
mt_json_from_text(const GString *text)
{
    json_error_t error;
    json_t *o;

    g_return_val_if_fail(text != NULL, NULL);
    o = json_loadb(text->str, text->len, 0, &error);
    if (o == NULL)
        g_critical("%s: the JSON writer made no JSON: %s at byte %d",
                   G_STRFUNC, error.text, error.position);
    return o;
}

/* A report's text: a large first guess (an NDJSON line is some tens of
 * kilobytes) saves the small reallocations. */
#define REPORT_TEXT_SIZE (32 * 1024)

/* The report as a jansson tree, for the callers that read it back
 * (tests, fetch, the fuzzers); content as in write_report(). */
static json_t *
report_tree(const MtReport *report, gboolean content)
{
    g_autoptr(GString) text = g_string_sized_new(REPORT_TEXT_SIZE);
    MtJsonWriter w;

    mt_jw_init(&w, text, 0);
    write_report(&w, report, content);
    return mt_json_from_text(text);
}

json_t *
mt_json_report(const MtReport *report)
{
    g_return_val_if_fail(report != NULL, NULL);
    return report_tree(report, TRUE);
}

json_t *
mt_json_report_embedded(const MtReport *report)
{
    g_return_val_if_fail(report != NULL, NULL);
    return report_tree(report, FALSE);
}

/* The report as text: compact (one NDJSON line) or indented by 2 as
 * json_dumpf(JSON_INDENT(2)) wrote it. Transfer full. */
static char *
report_text(const MtReport *report, guint indent)
{
    GString *text = g_string_sized_new(REPORT_TEXT_SIZE);
    MtJsonWriter w;

    mt_jw_init(&w, text, indent);
    write_report(&w, report, TRUE);
    return g_string_free(text, FALSE);
}

/* JSON: one object for one message, an array for several. The first
 * report is held until the second shows whether an array is needed. Each
 * report's text is the same wherever it stands (jansson wrote each at
 * depth 0, and so do we), so workers can make it (json_prepare). */
static char *
json_prepare(const MtReport *report)
{
    return report_text(report, 2);
}

static void
json_report_prepared(MtRenderer *r, const char *text)
{
    if (r->count == 0) {
        r->pending = g_strdup(text);
        return;
    }
    if (r->count == 1) {
        fputs("[\n", r->out);
        fputs(r->pending, r->out);
        g_clear_pointer(&r->pending, g_free);
    }
    fputs(",\n", r->out);
    fputs(text, r->out);
}

static void
json_report(MtRenderer *r, const MtReport *report)
{
    g_autofree char *text = NULL;

    if (r->count == 0) {
        r->pending = report_text(report, 2);
        return;
    }
    text = report_text(report, 2);
    json_report_prepared(r, text);
}

static void
json_end(MtRenderer *r, const MtRunStats *stats)
{
    if (r->count == 0) {
        fputs("[]\n", r->out);
    } else if (r->pending) {
        fputs(r->pending, r->out);
        fputc('\n', r->out);
        g_clear_pointer(&r->pending, g_free);
    } else {
        fputs("\n]\n", r->out);
    }
}

/* NDJSON: one compact line per message, flushed at once so that a reader
 * (jq, a SIEM shipper) sees each message as soon as it is analyzed. The
 * line is made in one buffer and written with one call. */
static char *
ndjson_prepare(const MtReport *report)
{
    return report_text(report, 0);
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
    .prepare = json_prepare,
    .report_prepared = json_report_prepared,
};

const MtRendererClass mt_renderer_ndjson = {
    .name = "ndjson",
    .extension = "ndjson",
    .report = ndjson_report,
    .prepare = ndjson_prepare,
    .report_prepared = ndjson_report_prepared,
};
