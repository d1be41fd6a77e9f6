/* SPDX-License-Identifier: MIT */
/*
 * fuzz-common.c: helpers linked into every fuzz target, with libFuzzer as
 * with the standalone replay main (see fuzz.h).
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void
mt_fuzz_init(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        /* The CLI runs in the C locale unless told otherwise; the fuzzer
         * should see the same code paths every time. */
        setlocale(LC_ALL, "C");
        g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
        g_log_set_fatal_mask(NULL, G_LOG_LEVEL_CRITICAL |
                                       G_LOG_LEVEL_WARNING);
        g_once_init_leave(&done, 1);
    }
}

char *
mt_fuzz_dup_exact(const uint8_t *data, size_t size)
{
    /* g_malloc(0) returns NULL; a parser given length 0 may still look at
     * the pointer, so hand it a real (one-byte, unread) allocation. */
    char *copy = g_malloc(size ? size : 1);

    if (size)
        memcpy(copy, data, size);
    return copy;
}

guint8
mt_fuzz_take_byte(const uint8_t **data, size_t *size)
{
    guint8 b;

    if (*size == 0)
        return 0;
    b = (*data)[0];
    (*data)++;
    (*size)--;
    return b;
}
