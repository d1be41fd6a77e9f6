/* SPDX-License-Identifier: MIT */
/* body.c: stub, being written. */
#include "mime-private.h"

MtBody *
mt_body_decode(MtReport *report, const MtPart *part, const guchar *bytes,
               gsize len, const MtOptions *options, char **full_text)
{
    *full_text = NULL;
    return NULL;
}

void
mt_uu_file_free(gpointer p)
{
}

GPtrArray *
mt_uuencode_find(const guchar *bytes, gsize len, guint max_files,
                 guint64 max_bytes)
{
    return g_ptr_array_new_with_free_func(mt_uu_file_free);
}
