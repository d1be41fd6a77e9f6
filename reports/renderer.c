/* SPDX-License-Identifier: MIT */
/*
 * renderer.c: the table of output formats and the calls that dispatch to
 * them.
 */
#include <string.h>

#include "reports.h"

extern const MtRendererClass mt_renderer_text;
extern const MtRendererClass mt_renderer_json;
extern const MtRendererClass mt_renderer_ndjson;
extern const MtRendererClass mt_renderer_html;

static const MtRendererClass *const renderers[MT_FORMAT_COUNT] = {
    [MT_FORMAT_TEXT] = &mt_renderer_text,
    [MT_FORMAT_JSON] = &mt_renderer_json,
    [MT_FORMAT_NDJSON] = &mt_renderer_ndjson,
    [MT_FORMAT_HTML] = &mt_renderer_html,
};

const MtRendererClass *
mt_renderer_class_get(MtFormat format)
{
    g_return_val_if_fail(format < MT_FORMAT_COUNT, NULL);
    return renderers[format];
}

gboolean
mt_format_from_string(const char *name, MtFormat *out)
{
    for (int f = 0; f < MT_FORMAT_COUNT; f++) {
        if (g_ascii_strcasecmp(name, renderers[f]->name) == 0) {
            *out = (MtFormat)f;
            return TRUE;
        }
    }
    return FALSE;
}

void
mt_renderer_init(MtRenderer *renderer, MtFormat format, FILE *out)
{
    memset(renderer, 0, sizeof(*renderer));
    renderer->klass = mt_renderer_class_get(format);
    renderer->out = out;
}

void
mt_renderer_begin(MtRenderer *renderer)
{
    if (renderer->klass->begin)
        renderer->klass->begin(renderer);
}

void
mt_renderer_report(MtRenderer *renderer, const MtReport *report)
{
    renderer->klass->report(renderer, report);
    renderer->count++;
}

char *
mt_renderer_prepare(MtFormat format, const MtReport *report)
{
    const MtRendererClass *klass = mt_renderer_class_get(format);

    return klass && klass->prepare ? klass->prepare(report) : NULL;
}

void
mt_renderer_report_prepared(MtRenderer *renderer, const MtReport *report,
                            const char *prepared)
{
    if (prepared == NULL || renderer->klass->report_prepared == NULL) {
        mt_renderer_report(renderer, report);
        return;
    }
    renderer->klass->report_prepared(renderer, prepared);
    renderer->count++;
}

void
mt_renderer_end(MtRenderer *renderer, const MtRunStats *stats)
{
    if (renderer->klass->end)
        renderer->klass->end(renderer, stats);
    fflush(renderer->out);
}
