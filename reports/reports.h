/* SPDX-License-Identifier: MIT */
/*
 * reports.h: the renderers' one interface. Each output format is a
 * MtRendererClass in a table indexed by MtFormat; the CLI picks one and
 * feeds it reports in input order. Renderers read the model in
 * analyzer/mailtrail.h; the core never includes this header.
 */
#ifndef MT_REPORTS_H
#define MT_REPORTS_H

#include <stdio.h>

#include <jansson.h>

#include "jsonw.h"
#include "mailtrail.h"

G_BEGIN_DECLS

typedef enum {
    MT_FORMAT_TEXT,
    MT_FORMAT_JSON,
    MT_FORMAT_NDJSON,
    MT_FORMAT_HTML,
    MT_FORMAT_COUNT,
} MtFormat;

/* What a run saw, for the closing lines. */
typedef struct {
    guint64 messages;      /* reports for messages */
    guint64 with_errors;   /* of which have errors */
    guint64 input_errors;  /* inputs that gave no message */
} MtRunStats;

typedef struct _MtRenderer MtRenderer;

typedef struct {
    const char *name;
    const char *extension; /* for --output-dir files */
    void (*begin)(MtRenderer *renderer);
    void (*report)(MtRenderer *renderer, const MtReport *report);
    void (*end)(MtRenderer *renderer, const MtRunStats *stats);
    /* Optional: the report's output made on any thread, with no renderer
     * state (NDJSON: the line); report_prepared then writes it. */
    char *(*prepare)(const MtReport *report);
    void (*report_prepared)(MtRenderer *renderer, const char *prepared);
} MtRendererClass;

struct _MtRenderer {
    const MtRendererClass *klass;
    FILE *out;       /* borrowed */
    guint64 count;   /* reports written so far */
    char *pending;   /* JSON: the first report's text, until we know if
                      * more come */
    gboolean color;  /* text: may use terminal colours */
    void *html;      /* HTML: the page being built (html.c) */
    gboolean defang; /* text: link URLs and domains written defanged
                      * (--defang); HTML always defangs them and JSON
                      * never does */
};

/* The renderer for format (borrowed, static). */
const MtRendererClass *mt_renderer_class_get(MtFormat format);
/* Parses a --format name. Returns FALSE when unknown. */
gboolean mt_format_from_string(const char *name, MtFormat *out);

void mt_renderer_init(MtRenderer *renderer, MtFormat format, FILE *out);
void mt_renderer_begin(MtRenderer *renderer);
void mt_renderer_report(MtRenderer *renderer, const MtReport *report);
/* For parallel runs: the report's output prepared on a worker thread,
 * where the format allows it, else NULL (thread-safe; transfer full,
 * g_free). */
char *mt_renderer_prepare(MtFormat format, const MtReport *report);
/* Renders report, using prepared (from mt_renderer_prepare(), or NULL)
 * when there is one. */
void mt_renderer_report_prepared(MtRenderer *renderer, const MtReport *report,
                                 const char *prepared);
void mt_renderer_end(MtRenderer *renderer, const MtRunStats *stats);

/* The report serializers write through the streaming writer (jsonw.h);
 * the json_t functions below load what they wrote, for the callers that
 * want a tree (tests, fuzz targets, fetch), so that there is one
 * serializer. */

/* The whole report as one JSON object. */
void mt_json_write_report(MtJsonWriter *w, const MtReport *report);
/* The report of a message embedded in a message/rfc822 part: the same
 * object without "mime", "links", "links_dropped" and "indicators", which
 * the outer report holds. */
void mt_json_write_report_embedded(MtJsonWriter *w, const MtReport *report);
/* The report's "mime", "links", "links_dropped" and "indicators" members,
 * in that order, into the object being written (json-mime.c). */
void mt_json_write_content(MtJsonWriter *w, const MtReport *report);
/* The whole report as JSON (transfer full). */
json_t *mt_json_report(const MtReport *report);
/* mt_json_write_report_embedded() as a tree (transfer full). */
json_t *mt_json_report_embedded(const MtReport *report);
/* The JSON text a writer made, loaded into a tree (transfer full); NULL,
 * with a critical warning, when it is not JSON (a bug). */
json_t *mt_json_from_text(const GString *text);

/* The flags a renderer shows as a warning; the others (an archive, a
 * rewritten link, a remote image) are facts worth knowing. */
#define MT_ATTACH_FLAGS_SUSPICIOUS                                         \
    (MT_ATTACH_TYPE_MISMATCH | MT_ATTACH_DOUBLE_EXT | MT_ATTACH_EXECUTABLE | \
     MT_ATTACH_SCRIPT | MT_ATTACH_BIDI_NAME | MT_ATTACH_HOMOGLYPH_NAME |   \
     MT_ATTACH_MACRO | MT_ATTACH_HTML | MT_ATTACH_ENCRYPTED |              \
     MT_ATTACH_DISK_IMAGE)
#define MT_URL_FLAGS_SUSPICIOUS                                            \
    (MT_URL_TEXT_MISMATCH | MT_URL_IP_HOST | MT_URL_PUNYCODE |             \
     MT_URL_SHORTENER | MT_URL_CREDENTIALS | MT_URL_DATA |                 \
     MT_URL_JAVASCRIPT | MT_URL_FORM_EXTERNAL | MT_URL_TRACKING_PIXEL)

/* One Received header in the hop shape, as an object (json-received.c). */
void mt_json_write_received(MtJsonWriter *w, const MtReceived *received);
/* The members of that object in two runs, for a relay hop, which puts its
 * analysis between them: from "from" to "x_received", then "unparsed" and
 * "raw". */
void mt_json_write_received_head(MtJsonWriter *w,
                                 const MtReceived *received);
void mt_json_write_received_tail(MtJsonWriter *w,
                                 const MtReceived *received);
/* mt_json_write_received() as a tree (transfer full). */
json_t *mt_json_received(const MtReceived *received);
/* The report's "relay" object: hops, origin, boundary, claimed origins,
 * timing and GeoIP databases (json-relay.c). */
void mt_json_write_relay(MtJsonWriter *w, const MtRelay *relay);
/* mt_json_write_relay() as a tree (transfer full). */
json_t *mt_json_relay(const MtRelay *relay);
/* The relay path as a table and a few lines of prose (text-relay.c). */
void mt_text_relay(FILE *out, const MtRelay *relay);
/* A string from bytes that may not be UTF-8, escaped with mt_escape_bytes;
 * json null for NULL. Transfer full. For trees built elsewhere (extract's
 * manifest); the report serializers use mt_jw_bytes(), which writes the
 * same value. */
json_t *mt_json_bytes(const char *bytes, gsize len);
json_t *mt_json_string_or_null(const char *text);

/* Text for a terminal: control characters, C1 controls and bidirectional
 * overrides (which an attacker uses to make text read backwards) are shown
 * as \xHH or <U+XXXX>. Transfer full. */
char *mt_text_terminal_safe(const char *text);
/* Columns text takes on a terminal: wide (CJK) characters count two,
 * combining marks none. */
glong mt_text_display_width(const char *text);
/* text cut to at most width columns, "..." marking a cut. Transfer full. */
char *mt_text_cut_to_width(const char *text, glong width);
/* url defanged so that nothing turns it back into a live link: the
 * scheme http(s)/ftp(s) becomes hxxp(s)/fxp(s) and each dot of the host
 * "[.]" ("hxxps://evil[.]example/a.html"); a mailto: address gets its
 * domain's dots done. Other text is kept. Transfer full. */
char *mt_text_defang_url(const char *url);
/* Every dot of a domain, or of an address's domain, as "[.]". Transfer
 * full. */
char *mt_text_defang_domain(const char *domain);
/* text with every http(s):// and ftp(s):// URL in it defanged as
 * mt_text_defang_url() does, for prose that quotes links (a finding's
 * message). Transfer full. */
char *mt_text_defang_urls_in(const char *text);
/* The content part of the terminal summary: attachments with their
 * hashes, the bodies in one line, the links (the flagged ones listed)
 * and the forwarded messages (text-mime.c). */
void mt_text_mime(FILE *out, const MtReport *report, gboolean defang);
/* The SGR escape for a severity, for renderers with colour on. */
const char *mt_text_severity_color(MtSeverity severity);

/* --html-dir: the index pages over one HTML page per message (html.c).
 * Rows are small and bounded, so a long run keeps little per message. */
typedef struct _MtHtmlIndex MtHtmlIndex;

MtHtmlIndex *mt_html_index_new(void);
void mt_html_index_free(MtHtmlIndex *index);
/* Remembers report's row; page is the file name of its page in the same
 * directory, made only of [A-Za-z0-9._-]. */
void mt_html_index_add(MtHtmlIndex *index, const MtReport *report,
                       const char *page);
/* Writes index.html and its copies sorted by date, from, subject,
 * severity and score into dir, never replacing a file. */
gboolean mt_html_index_write(const MtHtmlIndex *index, const char *dir,
                             GError **error);

/* The progress line of a long run, on a terminal only (progress.c). */
typedef struct _MtProgress MtProgress;

/* NULL, and every call below a no-op, when out is not a terminal.
 * total_bytes is the size of all input, 0 when unknown (no ETA). */
MtProgress *mt_progress_new(FILE *out, guint64 total_bytes);
void mt_progress_update(MtProgress *p, guint64 messages, guint64 bytes);
/* Erases the line, before other text goes to the same terminal. */
void mt_progress_clear(MtProgress *p);
void mt_progress_free(MtProgress *p);
/* The text of the line (transfer full), for tests. */
char *mt_progress_format(guint64 messages, guint64 bytes,
                         guint64 total_bytes, gint64 elapsed_us);

G_END_DECLS

#endif /* MT_REPORTS_H */
