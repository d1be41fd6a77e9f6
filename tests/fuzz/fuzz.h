/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: what every fuzz target in tests/fuzz shares. A target is one
 * LLVMFuzzerTestOneInput(); the same file links against libFuzzer
 * (-fsanitize=fuzzer), against AFL++'s driver, or against standalone.c,
 * the small main that replays files, so the corpus and every reproducer
 * run as ordinary tests with gcc and no fuzzer at all.
 */
#ifndef MT_FUZZ_H
#define MT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* The libFuzzer entry point: one input, must return 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sets up what every target wants once per process: GLib criticals and
 * warnings abort (a g_return_if_fail() that fires is a bug the fuzzer
 * found, not noise), and no locale-dependent output. */
void mt_fuzz_init(void);

/* A copy of data in a buffer of exactly size bytes, no terminator, so
 * AddressSanitizer catches a parser that reads one byte past the length
 * it was given. Free with g_free(). */
char *mt_fuzz_dup_exact(const uint8_t *data, size_t size);

/* Takes the first byte of *data as a selector (0 when empty). */
guint8 mt_fuzz_take_byte(const uint8_t **data, size_t *size);

/* Fails the run, with a message, when an invariant of the code under test
 * does not hold: abort() makes libFuzzer and AFL++ keep the input. */
#define MT_FUZZ_ASSERT(cond)                                              \
    do {                                                                  \
        if (!(cond)) {                                                    \
            g_printerr("%s:%d: invariant failed: %s\n", __FILE__,         \
                       __LINE__, #cond);                                  \
            abort();                                                      \
        }                                                                 \
    } while (0)

#endif /* MT_FUZZ_H */
