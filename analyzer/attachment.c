/* SPDX-License-Identifier: MIT */
/* attachment.c: stub, being written. */
#include "mime-private.h"

MtAttachment *
mt_attachment_analyze(MtReport *report, const char *path, const char *source,
                      const char *filename, const char *declared_type,
                      GBytes *data, const MtOptions *options)
{
    return NULL;
}

char *
mt_magic_type(const void *data, gsize len, char **description)
{
    return NULL;
}
