/* SPDX-License-Identifier: MIT */
/*
 * mbox-private.h: the streaming reader that splits one input file into
 * messages (see mbox.c for the separator rule).
 */
#ifndef MT_MBOX_PRIVATE_H
#define MT_MBOX_PRIVATE_H

#include "mailtrail.h"

G_BEGIN_DECLS

typedef struct _MtMboxReader MtMboxReader;

/* Reads from fd (closed by mt_mbox_reader_free when close_fd). format is
 * AUTO (decide from the content), EML (one message, a leading "From " line
 * is skipped), MBOX (must start with "From ") or MAILDIR (as EML, reported
 * as maildir). */
MtMboxReader *mt_mbox_reader_new_fd(const char *path, int fd,
                                    gboolean close_fd, MtInputFormat format,
                                    const MtLimits *limits);
/* Reads from memory in chunks of chunk bytes (0: the default), so tests
 * can put chunk boundaries anywhere. data must outlive the reader. */
MtMboxReader *mt_mbox_reader_new_mem(const char *path, const void *data,
                                     gsize len, gsize chunk,
                                     MtInputFormat format,
                                     const MtLimits *limits);
void mt_mbox_reader_free(MtMboxReader *reader);

/* The next message (transfer full), or NULL at the end. When the input is
 * not a message at all, returns NULL and sets error. */
MtRawMessage *mt_mbox_reader_next(MtMboxReader *reader, GError **error);

GPtrArray *mt_mbox_split_bytes_chunked(const char *path, const void *data,
                                       gsize len, gsize chunk,
                                       const MtLimits *limits,
                                       GError **error);

G_END_DECLS

#endif /* MT_MBOX_PRIVATE_H */
