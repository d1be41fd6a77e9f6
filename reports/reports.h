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

#include "mailtrail.h"

G_BEGIN_DECLS

typedef enum {
    MT_FORMAT_TEXT,
    MT_FORMAT_JSON,
    MT_FORMAT_NDJSON,
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
} MtRendererClass;

struct _MtRenderer {
    const MtRendererClass *klass;
    FILE *out;       /* borrowed */
    guint64 count;   /* reports written so far */
    json_t *pending; /* JSON: the first report, until we know if more come */
    gboolean color;  /* text: may use terminal colours */
};

/* The renderer for format (borrowed, static). */
const MtRendererClass *mt_renderer_class_get(MtFormat format);
/* Parses a --format name. Returns FALSE when unknown. */
gboolean mt_format_from_string(const char *name, MtFormat *out);

void mt_renderer_init(MtRenderer *renderer, MtFormat format, FILE *out);
void mt_renderer_begin(MtRenderer *renderer);
void mt_renderer_report(MtRenderer *renderer, const MtReport *report);
void mt_renderer_end(MtRenderer *renderer, const MtRunStats *stats);

/* The whole report as JSON (transfer full). */
json_t *mt_json_report(const MtReport *report);
/* One Received header in the hop shape (transfer full). */
json_t *mt_json_received(const MtReceived *received);
/* A string from bytes that may not be UTF-8, escaped with mt_escape_bytes;
 * json null for NULL. Transfer full. */
json_t *mt_json_bytes(const char *bytes, gsize len);
json_t *mt_json_string_or_null(const char *text);

/* Text for a terminal: control characters, C1 controls and bidirectional
 * overrides (which an attacker uses to make text read backwards) are shown
 * as \xHH or <U+XXXX>. Transfer full. */
char *mt_text_terminal_safe(const char *text);

G_END_DECLS

#endif /* MT_REPORTS_H */
