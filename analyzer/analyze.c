/* SPDX-License-Identifier: MIT */
/*
 * analyze.c: the analysis pipeline for one message.
 *
 * The raw bytes go through our header reader (exact evidence), GMime (the
 * MIME structure and its parser warnings, which become defects), and then
 * each analysis module in turn. Nothing here fails as a whole: what cannot
 * be done is written into the report's errors and the rest still runs.
 */
#include <string.h>

#include "identity-private.h"
#include "mailtrail-private.h"
#include "mime-private.h"
#include "relay-private.h"

void
mt_gmime_init(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        g_mime_init();
        g_once_init_leave(&done, 1);
    }
}

static const char *
gmime_warning_code(GMimeParserWarning code)
{
    switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
        return "mime-duplicated-header";
    case GMIME_WARN_DUPLICATED_PARAMETER:
        return "mime-duplicated-parameter";
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
        return "mime-unencoded-8bit-header";
    case GMIME_WARN_INVALID_CONTENT_TYPE:
        return "mime-invalid-content-type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
        return "mime-invalid-rfc2047";
    case GMIME_WARN_MALFORMED_MULTIPART:
        return "mime-malformed-multipart";
    case GMIME_WARN_TRUNCATED_MESSAGE:
        return "mime-truncated-message";
    case GMIME_WARN_MALFORMED_MESSAGE:
        return "mime-malformed-message";
    case GMIME_CRIT_INVALID_HEADER_NAME:
        return "mime-invalid-header-name";
    case GMIME_CRIT_CONFLICTING_HEADER:
        return "mime-conflicting-header";
    case GMIME_CRIT_CONFLICTING_PARAMETER:
        return "mime-conflicting-parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        return "mime-multipart-without-boundary";
    case GMIME_WARN_INVALID_PARAMETER:
        return "mime-invalid-parameter";
    case GMIME_WARN_INVALID_ADDRESS_LIST:
        return "mime-invalid-address-list";
    case GMIME_CRIT_NESTING_OVERFLOW:
        return "mime-nesting-overflow";
    case GMIME_WARN_PART_WITHOUT_CONTENT:
        return "mime-part-without-content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        return "mime-part-without-headers-or-content";
    }
    return "mime-warning";
}

static void
on_gmime_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
                 gpointer user_data)
{
    MtReport *report = user_data;
    g_autofree char *text =
        item ? mt_escape_bytes(item, strnlen(item, 200), NULL) : NULL;

    mt_report_add_defect(report, gmime_warning_code(code), offset, -1,
                         "GMime: %s%s%s", gmime_warning_code(code) + 5,
                         text ? ": " : "", text ? text : "");
}

/* Parses the message (len > 0 bytes at data) with GMime for its MIME
 * structure. Returns NULL (and records why) when GMime cannot make a
 * message of it. GMime reads the bytes where they lie, through *view: a
 * byte array over them that the stream does not own, instead of a copy
 * of the whole message. The caller frees *view (when not NULL) with
 * g_byte_array_free(*view, FALSE) once the message is gone, and the bytes
 * after that. */
static GMimeMessage *
parse_mime(MtReport *report, const guchar *data, gsize len,
           GByteArray **view)
{
    g_autoptr(GMimeStream) stream = NULL;
    g_autoptr(GMimeParser) parser = NULL;
    g_autoptr(GMimeParserOptions) options = g_mime_parser_options_new();
    GMimeMessage *message;

    /* Only read: the parser never writes to its stream. A byte array
     * holds at most G_MAXUINT bytes; a larger message is copied as
     * GMime copies it (*view NULL). */
    if (len <= G_MAXUINT) {
        *view = g_byte_array_new_take((guint8 *)data, len);
        stream = g_mime_stream_mem_new_with_byte_array(*view);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    } else {
        *view = NULL;
        stream = g_mime_stream_mem_new_with_buffer((const char *)data, len);
    }
    parser = g_mime_parser_new_with_stream(stream);

    g_mime_parser_options_set_warning_callback(options, on_gmime_warning,
                                               report);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    message = g_mime_parser_construct_message(parser, options);
    if (message == NULL)
        mt_report_add_error(report, "parse",
                            "GMime could not parse the message structure");
    return message;
}

void
mt_relay_read_hops(MtReport *report)
{
    /* Received headers are prepended by each relay: the bottom-most is the
     * first hop. */
    for (guint i = report->headers->len; i-- > 0;) {
        const MtHeader *header = report->headers->pdata[i];
        gboolean x_received = mt_name_equal(header->name, "X-Received");
        if (!x_received && !mt_name_equal(header->name, "Received"))
            continue;
        MtHop *hop = g_new0(MtHop, 1);
        hop->received = mt_received_parse(header->value, header->value_len);
        hop->received->x_received = x_received;
        hop->header_index = (int)i;
        g_ptr_array_add(report->relay.hops, hop);
    }
}

static void
copy_source(MtSource *dst, const MtSource *src)
{
    *dst = *src;
    dst->path = g_strdup(src->path);
    dst->mbox_from_line = g_strdup(src->mbox_from_line);
    dst->mbox_sender = g_strdup(src->mbox_sender);
    dst->mbox_date = g_strdup(src->mbox_date);
}

void
mt_analyze_header_block(MtReport *report, const guchar *data, gsize len,
                        const MtOptions *options, const char *what)
{
    mt_headers_parse(report, data, len, &options->limits);
    if (report->headers->len == 0)
        mt_report_add_error(report, "no-headers",
                            "the %s has no header fields", what);
    /* mt_headers_parse raised the max-headers finding; the defect says
     * the same to readers of the defects. */
    if (report->headers_dropped)
        mt_report_add_defect(report, "limit-reached", -1, -1,
                             "%u header fields past the limit of %u were "
                             "not kept",
                             report->headers_dropped,
                             options->limits.max_headers);
    mt_summary_build(report);
}

void
mt_analyze_trail(MtReport *report, const guchar *data, gsize len,
                 const MtOptions *options)
{
    mt_relay_read_hops(report);
    mt_relay_analyze(report, options);
    mt_auth_analyze(report, options);
    mt_auth_check_body_hash(report, data, len);
    /* Before the identity analysis, which scores the report: a signature
     * that fails with the analyst's key is a finding the score counts. */
    if (options->dkim_keys)
        mt_auth_verify_dkim(report, data, len, options->dkim_keys);
}

MtReport *
mt_analyze(const MtRawMessage *raw, const MtOptions *options)
{
    MtReport *report = mt_report_new_empty();
    GMimeMessage *message;
    GByteArray *view = NULL;
    const guchar *data;
    gsize len = 0;

    g_return_val_if_fail(raw != NULL && options != NULL, report);
    mt_gmime_init();
    copy_source(&report->source, &raw->source);
    report->analyzed = TRUE;
    report->max_defects = options->limits.max_defects;

    if (raw->error) {
        mt_report_add_error(report, mt_error_code_name(raw->error), "%s",
                            raw->error->message);
        /* The message was hashed, not parsed: an error (the message is
         * not analyzed) and the limit that caused it, as every limit. */
        if (g_error_matches(raw->error, MT_ERROR, MT_ERROR_LIMIT))
            mt_report_limit_reached(report, "max-message-bytes", NULL,
                                    "a message of %" G_GUINT64_FORMAT
                                    " bytes, over %" G_GUINT64_FORMAT
                                    ", was not parsed",
                                    raw->source.size,
                                    options->limits.max_message_bytes);
    }
    if (raw->data == NULL)
        return report;
    data = g_bytes_get_data(raw->data, &len);
    if (len == 0) {
        mt_report_add_error(report, "empty-message",
                            "the message is empty (0 bytes)");
        return report;
    }

    mt_analyze_header_block(report, data, len, options, "message");
    message = parse_mime(report, data, len, &view);
    mt_analyze_trail(report, data, len, options);
    if (options->online)
        mt_auth_verify_dkim_online(report, data, len);
    mt_crypto_parts_analyze(report, message);
    /* The content, before the score: attachment and link findings count. */
    mt_mime_analyze(report, message, data, len, options);
    mt_identity_analyze(report, options);
    mt_indicators_build(report);
    /* A finding, not an error: the message was analyzed, only the list of
     * defects is cut (a million malformed lines make a million defects).
     * Last, so that every defect of the run is counted. */
    if (report->defects_dropped)
        mt_report_limit_reached(report, "max-defects", NULL,
                                "%u defects past the first %u were counted, "
                                "not kept",
                                report->defects_dropped, report->max_defects);
    /* The parts' streams read the bytes through view until the message
     * is gone. */
    g_clear_object(&message);
    if (view != NULL)
        g_byte_array_free(view, FALSE);
    return report;
}
