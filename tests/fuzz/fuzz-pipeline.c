/* SPDX-License-Identifier: MIT */
/*
 * fuzz-pipeline.c: the whole of mailtrail analyze on raw bytes. The input
 * goes through the same reader as a file on the command line (format
 * detection, mbox splitting, CR-only line ends), each message through
 * mt_analyze() with the default options (no GeoIP, no network: nothing
 * here depends on the machine), and each report through the JSON, HTML
 * and text renderers into memory. This reaches every parser an attacker
 * can feed with one message: headers, RFC 2047, Received, dates,
 * authentication headers, GMime's MIME parser, bodies, attachments,
 * archives, TNEF, links, S/MIME and PGP parts.
 *
 * Invariants checked beyond "no crash": the JSON of every report is
 * serialisable and parses back with the schema id; a report for a message
 * that could not be read still renders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "mailtrail.h"
#include "mbox-private.h"
#include "reports.h"

/* Messages analyzed per input: an mbox of a thousand tiny messages would
 * only repeat the same paths, slower. */
#define MAX_MESSAGES 8

static void
render_json(const MtReport *report)
{
    json_t *obj = mt_json_report(report);
    char *text;
    json_t *back;
    json_error_t error;

    MT_FUZZ_ASSERT(obj != NULL);
    text = json_dumps(obj, JSON_INDENT(2));
    MT_FUZZ_ASSERT(text != NULL);
    back = json_loads(text, 0, &error);
    MT_FUZZ_ASSERT(back != NULL);
    MT_FUZZ_ASSERT(g_strcmp0(json_string_value(json_object_get(back,
                                                               "schema")),
                             MT_SCHEMA_ID) == 0);
    json_decref(back);
    free(text);
    json_decref(obj);
}

/* Renders report with a renderer class into a memory stream; the bytes
 * are thrown away, what matters is that the renderer gets through. */
static void
render_with(MtFormat format, const MtReport *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    MtRenderer renderer;
    MtRunStats stats = {1, report->errors->len > 0, 0};

    MT_FUZZ_ASSERT(out != NULL);
    mt_renderer_init(&renderer, format, out);
    mt_renderer_begin(&renderer);
    mt_renderer_report(&renderer, report);
    mt_renderer_end(&renderer, &stats);
    MT_FUZZ_ASSERT(fclose(out) == 0);
    /* Every renderer writes something for a report. */
    MT_FUZZ_ASSERT(len > 0);
    free(buf);
}

static void
render_all(const MtReport *report)
{
    render_json(report);
    render_with(MT_FORMAT_HTML, report);
    render_with(MT_FORMAT_TEXT, report);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static MtOptions options;
    static gboolean ready;
    MtMboxReader *reader;

    mt_fuzz_init();
    if (!ready) {
        /* SOURCE_DATE_EPOCH keeps "analyzed_at" fixed, so two runs of one
         * input render the same bytes. */
        g_setenv("SOURCE_DATE_EPOCH", "1793491200", TRUE);
        g_unsetenv("MAILTRAIL_GEOIP_DIR");
        mt_options_init_default(&options);
        ready = TRUE;
    }

    reader = mt_mbox_reader_new_mem("fuzz.eml", data, size, 0,
                                    MT_INPUT_FORMAT_AUTO, &options.limits);
    for (int n = 0; n < MAX_MESSAGES; n++) {
        g_autoptr(GError) error = NULL;
        MtRawMessage *raw = mt_mbox_reader_next(reader, &error);
        MtReport *report;

        if (raw == NULL) {
            /* Not a message at all: the CLI renders an error record. */
            if (error) {
                report = mt_report_new_for_error("fuzz.eml", error);
                render_all(report);
                mt_report_free(report);
            }
            break;
        }
        report = mt_analyze(raw, &options);
        MT_FUZZ_ASSERT(report != NULL && report->analyzed);
        render_all(report);
        mt_report_free(report);
        mt_raw_message_free(raw);
    }
    mt_mbox_reader_free(reader);
    return 0;
}
