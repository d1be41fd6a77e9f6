/* SPDX-License-Identifier: MIT */
/*
 * fuzz-mbox.c: the streaming message reader (mbox.c) on raw bytes. The
 * first byte picks the read chunk size and a small message size limit,
 * so chunk boundaries fall anywhere and the "too large" path is reached
 * with small inputs.
 *
 * Invariants, all from the reader's contract: the split does not depend
 * on the chunk size (same messages, offsets, sizes and hashes as with the
 * default chunk); messages come in input order without overlapping and
 * inside the input; each message's sha256 is over exactly its bytes as
 * stored; its data has the same length (CR-only line ends become LF one
 * byte for one byte).
 */
#include <string.h>

#include "fuzz.h"
#include "mailtrail-private.h"
#include "mbox-private.h"

static const gsize chunk_sizes[] = {1, 2, 3, 5, 7, 16, 64, 1000};

static void
check_split(const GPtrArray *msgs, const uint8_t *data, size_t size)
{
    guint64 end = 0;

    for (guint i = 0; i < msgs->len; i++) {
        const MtRawMessage *raw = msgs->pdata[i];
        const MtSource *s = &raw->source;
        char hex[65];

        MT_FUZZ_ASSERT(s->offset >= end);
        MT_FUZZ_ASSERT(s->offset <= size && s->size <= size - s->offset);
        MT_FUZZ_ASSERT(s->index == i);
        end = s->offset + s->size;
        mt_sha256_hex(data + s->offset, s->size, hex);
        MT_FUZZ_ASSERT(strcmp(hex, s->sha256) == 0);
        if (raw->data && raw->error == NULL)
            MT_FUZZ_ASSERT(g_bytes_get_size(raw->data) == s->size);
    }
}

static void
check_same(const GPtrArray *a, const GPtrArray *b)
{
    MT_FUZZ_ASSERT(a->len == b->len);
    for (guint i = 0; i < a->len; i++) {
        const MtRawMessage *x = a->pdata[i], *y = b->pdata[i];

        MT_FUZZ_ASSERT(x->source.offset == y->source.offset);
        MT_FUZZ_ASSERT(x->source.size == y->source.size);
        MT_FUZZ_ASSERT(x->source.format == y->source.format);
        MT_FUZZ_ASSERT(x->source.eol == y->source.eol);
        MT_FUZZ_ASSERT(strcmp(x->source.sha256, y->source.sha256) == 0);
        MT_FUZZ_ASSERT((x->data == NULL) == (y->data == NULL));
        if (x->data)
            MT_FUZZ_ASSERT(g_bytes_equal(x->data, y->data));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guint8 sel = mt_fuzz_take_byte(&data, &size);
    MtLimits limits;
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    g_autoptr(GPtrArray) whole = NULL;
    g_autoptr(GPtrArray) chunked = NULL;

    mt_fuzz_init();
    mt_limits_init_default(&limits);
    /* Bit 7: a limit small enough for the fuzzer's inputs to cross. */
    if (sel & 0x80)
        limits.max_message_bytes = 64 + (sel & 0x70) * 8;

    whole = mt_mbox_split_bytes_chunked("fuzz.mbox", data, size, 0, &limits,
                                        &e1);
    chunked = mt_mbox_split_bytes_chunked(
        "fuzz.mbox", data, size,
        chunk_sizes[sel % G_N_ELEMENTS(chunk_sizes)], &limits, &e2);
    MT_FUZZ_ASSERT(whole != NULL && chunked != NULL);
    MT_FUZZ_ASSERT((e1 == NULL) == (e2 == NULL));
    check_split(whole, data, size);
    check_same(whole, chunked);
    return 0;
}
