/* SPDX-License-Identifier: MIT */
/*
 * progress.c: the progress line of a long run (an mbox, a maildir, a
 * directory): messages done, megabytes, MB/s, elapsed time and, when the
 * total size of the input is known, the time left.
 *
 * It is for a person watching a terminal, so it is written only when
 * stderr is one, at most five times a second, on one line that is
 * rewritten in place and cleared at the end. On a pipe or in a log file
 * nothing of it appears: a SIEM shipper must never see "\r" in its input.
 */
#include <string.h>
#include <unistd.h>

#include "reports.h"

/* Redraws at most this often: a terminal is slow, and an mbox of small
 * messages gives thousands a second. */
#define REDRAW_US (G_USEC_PER_SEC / 5)
/* Runs shorter than this never show a line at all. */
#define QUIET_US (G_USEC_PER_SEC / 2)

struct _MtProgress {
    FILE *out;
    guint64 total_bytes; /* 0 when unknown */
    gint64 start_us;
    gint64 last_us;
    gboolean drawn;
};

static void
append_duration(GString *out, guint64 seconds)
{
    if (seconds >= 3600)
        g_string_append_printf(out, "%" G_GUINT64_FORMAT ":%02u:%02u",
                               seconds / 3600, (guint)(seconds / 60 % 60),
                               (guint)(seconds % 60));
    else
        g_string_append_printf(out, "%u:%02u", (guint)(seconds / 60),
                               (guint)(seconds % 60));
}

char *
mt_progress_format(guint64 messages, guint64 bytes, guint64 total_bytes,
                   gint64 elapsed_us)
{
    GString *out = g_string_new(NULL);
    double seconds = elapsed_us > 0 ? (double)elapsed_us / G_USEC_PER_SEC
                                    : 0.0;
    double mb = (double)bytes / 1e6;

    g_string_append_printf(out, "%" G_GUINT64_FORMAT " message%s, %.1f MB",
                           messages, messages == 1 ? "" : "s", mb);
    if (total_bytes > 0 && bytes <= total_bytes)
        g_string_append_printf(out, " of %.1f MB",
                               (double)total_bytes / 1e6);
    if (seconds >= 0.001)
        g_string_append_printf(out, ", %.1f MB/s", mb / seconds);
    g_string_append(out, ", ");
    append_duration(out, (guint64)seconds);
    g_string_append(out, " elapsed");
    if (total_bytes > 0 && bytes > 0 && bytes < total_bytes &&
        seconds >= 0.001) {
        double left = (double)(total_bytes - bytes) / ((double)bytes /
                                                        seconds);
        /* A rate from the first instants can promise anything; cap what
         * is shown at a silly but printable value. */
        if (left > 360000.0)
            left = 360000.0;
        g_string_append(out, ", ETA ");
        append_duration(out, (guint64)left);
    }
    return g_string_free(out, FALSE);
}

MtProgress *
mt_progress_new(FILE *out, guint64 total_bytes)
{
    MtProgress *p;

    g_return_val_if_fail(out != NULL, NULL);
    if (!isatty(fileno(out)))
        return NULL;
    p = g_new0(MtProgress, 1);
    p->out = out;
    p->total_bytes = total_bytes;
    p->start_us = g_get_monotonic_time();
    p->last_us = p->start_us;
    return p;
}

void
mt_progress_update(MtProgress *p, guint64 messages, guint64 bytes)
{
    gint64 now;
    g_autofree char *line = NULL;

    if (p == NULL)
        return;
    now = g_get_monotonic_time();
    if (now - p->start_us < QUIET_US || now - p->last_us < REDRAW_US)
        return;
    p->last_us = now;
    line = mt_progress_format(messages, bytes, p->total_bytes,
                              now - p->start_us);
    /* Carriage return and "erase to end of line": the line is rewritten
     * in place. Nothing here comes from a message. */
    fprintf(p->out, "\r\033[Kmailtrail: %s", line);
    fflush(p->out);
    p->drawn = TRUE;
}

void
mt_progress_clear(MtProgress *p)
{
    if (p == NULL || !p->drawn)
        return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->drawn = FALSE;
}

void
mt_progress_free(MtProgress *p)
{
    mt_progress_clear(p);
    g_free(p);
}
