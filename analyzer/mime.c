/* SPDX-License-Identifier: MIT */
/* mime.c: stub, being written. */
#include "mime-private.h"

void
mt_mime_analyze(MtReport *report, GMimeMessage *message, const guchar *data,
                gsize len, const MtOptions *options)
{
}

MtReport *
mt_analyze_embedded(const MtReport *outer, const char *part_path,
                    const guchar *data, gsize len, gint64 offset,
                    const MtOptions *options, int depth)
{
    return NULL;
}

void
mt_report_limit_reached(MtReport *report, const char *limit,
                        const char *part, const char *fmt, ...)
{
}
