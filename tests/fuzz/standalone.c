/* SPDX-License-Identifier: MIT */
/*
 * standalone.c: a main() for the fuzz targets when they are not linked
 * with libFuzzer. It replays inputs through LLVMFuzzerTestOneInput():
 *
 *   fuzz-TARGET-replay FILE|DIR...   every file, directories recursively
 *                                    in sorted order (the fuzz suite)
 *   fuzz-TARGET-replay < FILE        one input from standard input
 *                                    (AFL++ without @@, plain cc)
 *
 * Built with afl-clang-fast, AFL++'s persistent mode (__AFL_LOOP with a
 * shared-memory test case) runs the target many times per process. The
 * replay prints how many inputs it ran; with MT_FUZZ_VERBOSE set it names
 * each file before running it, so the log of a crash shows the culprit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifdef __AFL_FUZZ_TESTCASE_LEN
/* AFL++'s macros expand to GNU C (statement expressions, a stray ';')
 * that the project's pedantic warnings reject. */
#pragma clang diagnostic ignored "-Wextra-semi"
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
__AFL_FUZZ_INIT();
#endif

/* Inputs larger than this are skipped: the corpus holds small messages,
 * and a stray large file would only slow the suite down. */
#define MAX_REPLAY_BYTES (64u * 1024u * 1024u)

static guint64 replayed;
static gboolean verbose;

static void
run_bytes(const char *name, const guint8 *data, gsize len)
{
    /* The exact-size copy makes ASan see reads past the end of the
     * input, as libFuzzer's own buffer does. */
    g_autofree char *copy = mt_fuzz_dup_exact(data, len);

    if (verbose)
        fprintf(stderr, "replay: %s (%zu bytes)\n", name, len);
    LLVMFuzzerTestOneInput((const uint8_t *)copy, len);
    replayed++;
}

static int
run_file(const char *path)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) error = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &error)) {
        fprintf(stderr, "replay: %s\n", error->message);
        return 1;
    }
    if (len > MAX_REPLAY_BYTES) {
        fprintf(stderr, "replay: %s: skipped, larger than %u bytes\n", path,
                MAX_REPLAY_BYTES);
        return 0;
    }
    run_bytes(path, (const guint8 *)data, len);
    return 0;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks a tree with an explicit stack of pending paths: no recursion on
 * the depth of the directory tree. */
static int
run_tree(const char *root)
{
    g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
    int status = 0;

    g_ptr_array_add(stack, g_strdup(root));
    while (stack->len > 0) {
        g_autofree char *path =
            g_ptr_array_steal_index(stack, stack->len - 1);
        g_autoptr(GPtrArray) names = NULL;
        GDir *dir;
        const char *name;

        if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
            status |= run_file(path);
            continue;
        }
        dir = g_dir_open(path, 0, NULL);
        if (dir == NULL) {
            fprintf(stderr, "replay: %s: cannot open directory\n", path);
            status = 1;
            continue;
        }
        names = g_ptr_array_new_with_free_func(g_free);
        while ((name = g_dir_read_name(dir)) != NULL)
            if (name[0] != '.')
                g_ptr_array_add(names, g_build_filename(path, name, NULL));
        g_dir_close(dir);
        g_ptr_array_sort(names, compare_names);
        /* Pushed in reverse, so they come off the stack in sorted order. */
        for (guint i = names->len; i > 0; i--)
            g_ptr_array_add(stack, g_steal_pointer(&names->pdata[i - 1]));
    }
    return status;
}

#ifndef __AFL_FUZZ_TESTCASE_LEN
static int
run_stdin(void)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    guint8 chunk[65536];
    size_t n;

    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
        if (buf->len + n > MAX_REPLAY_BYTES)
            break;
        g_byte_array_append(buf, chunk, (guint)n);
    }
    if (ferror(stdin)) {
        fprintf(stderr, "replay: stdin: %s\n", g_strerror(errno));
        return 1;
    }
    run_bytes("-", buf->data, buf->len);
    return 0;
}
#endif

int
main(int argc, char **argv)
{
    int status = 0;

    verbose = g_getenv("MT_FUZZ_VERBOSE") != NULL;
    if (argc < 2) {
#ifdef __AFL_FUZZ_TESTCASE_LEN
        __AFL_INIT();
        const guint8 *buf = __AFL_FUZZ_TESTCASE_BUF;
        while (__AFL_LOOP(10000))
            run_bytes("afl", buf, __AFL_FUZZ_TESTCASE_LEN);
        return 0;
#else
        return run_stdin();
#endif
    }
    for (int i = 1; i < argc; i++)
        status |= run_tree(argv[i]);
    printf("replayed %" G_GUINT64_FORMAT " inputs\n", replayed);
    return status;
}
