/* SPDX-License-Identifier: MIT */
/*
 * test-progress.c: the progress line of long runs. Its text, that nothing
 * at all is written to a pipe, and that a terminal (a pseudo-terminal
 * here) gets the line and has it erased at the end.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports.h"

static void
test_format(void)
{
    g_autofree char *a = mt_progress_format(1, 0, 0, 0);
    g_autofree char *b = mt_progress_format(250, 50000000, 200000000,
                                            (gint64)10 * G_USEC_PER_SEC);
    g_autofree char *c = mt_progress_format(9, 3000000, 0,
                                            (gint64)3725 * G_USEC_PER_SEC);

    g_assert_cmpstr(a, ==, "1 message, 0.0 MB, 0:00 elapsed");
    /* 5 MB/s with 150 MB to go: 30 seconds left. */
    g_assert_cmpstr(b, ==, "250 messages, 50.0 MB of 200.0 MB, 5.0 MB/s, "
                           "0:10 elapsed, ETA 0:30");
    /* Unknown total: no ETA; hours shown when a run is that long. */
    g_assert_cmpstr(c, ==, "9 messages, 3.0 MB, 0.0 MB/s, 1:02:05 elapsed");
}

static void
test_pipe_is_silent(void)
{
    int fds[2];
    FILE *w;
    char buf[64];

    g_assert_cmpint(pipe(fds), ==, 0);
    w = fdopen(fds[1], "w");
    g_assert_nonnull(w);
    /* Not a terminal: no progress object, and every call is a no-op. */
    g_assert_null(mt_progress_new(w, 100));
    mt_progress_update(NULL, 1, 1);
    mt_progress_clear(NULL);
    mt_progress_free(NULL);
    fclose(w);
    g_assert_cmpint(read(fds[0], buf, sizeof(buf)), ==, 0);
    close(fds[0]);
}

static void
test_terminal(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    int slave;
    FILE *tty;
    MtProgress *p;
    char buf[512];
    GString *seen = g_string_new(NULL);
    ssize_t n;

    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        g_test_skip("no pseudo-terminal");
        g_string_free(seen, TRUE);
        return;
    }
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    tty = fdopen(slave, "w");
    g_assert_nonnull(tty);
    p = mt_progress_new(tty, 2000000);
    g_assert_nonnull(p);
    /* A run shorter than half a second shows nothing. */
    mt_progress_update(p, 1, 1000);
    g_usleep(G_USEC_PER_SEC * 6 / 10);
    mt_progress_update(p, 2, 1000000);
    mt_progress_free(p);
    fclose(tty);
    fcntl(master, F_SETFL, O_NONBLOCK);
    while ((n = read(master, buf, sizeof(buf))) > 0)
        g_string_append_len(seen, buf, n);
    close(master);
    g_assert_null(strstr(seen->str, "1 message,"));
    g_assert_nonnull(strstr(seen->str, "\r\033[Kmailtrail: 2 messages, "
                                       "1.0 MB of 2.0 MB"));
    g_assert_nonnull(strstr(seen->str, "ETA"));
    /* The last thing written erases the line. */
    g_assert_true(g_str_has_suffix(seen->str, "\r\033[K"));
    g_string_free(seen, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/progress/format", test_format);
    g_test_add_func("/progress/pipe-is-silent", test_pipe_is_silent);
    g_test_add_func("/progress/terminal", test_terminal);
    return g_test_run();
}
