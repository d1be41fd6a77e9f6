/* SPDX-License-Identifier: MIT */
/* tnef.c: stub, being written. */
#include "mime-private.h"

void
mt_tnef_file_free(gpointer p)
{
}

GPtrArray *
mt_tnef_files(const void *data, gsize len, guint max_files,
              guint64 max_bytes)
{
    return NULL;
}
