/* SPDX-License-Identifier: MIT */
/* links.c: stub, being written. */
#include "mime-private.h"

void
mt_links_from_text(MtReport *report, const char *part, const char *utf8,
                   gsize len, const MtOptions *options)
{
}

void
mt_links_from_html(MtReport *report, const char *part, const char *utf8,
                   gsize len, const MtOptions *options)
{
}

void
mt_links_analyze(MtReport *report, const MtOptions *options)
{
}
