/* SPDX-License-Identifier: MIT */
/* archive.c: stub, being written. */
#include "mime-private.h"

gboolean
mt_archive_list(MtAttachment *a, const void *data, gsize len,
                const MtOptions *options)
{
    return FALSE;
}
