/* SPDX-License-Identifier: MIT */
/*
 * cli-common.c: what the subcommands share: the usage error line, the
 * --limit option and the per-message error lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mailtrail.h"
#include "commands.h"
#include "reports.h"

int
mt_cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "mailtrail %s: ", command);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\nTry 'mailtrail %s --help'.\n", command);
    return MT_EXIT_USAGE;
}

gboolean
mt_cli_set_limit(const char *command, MtLimits *limits, const char *option,
                 const char *name, const char *arg)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *key = NULL;
    const char *value = arg;

    if (name == NULL) {
        const char *eq = strchr(arg, '=');

        if (eq == NULL || eq == arg) {
            mt_cli_usage_error(command,
                               "%s: '%s' is not NAME=VALUE (e.g. "
                               "max-parts=5000; the names are in 'mailtrail "
                               "help analyze')",
                               option, arg);
            return FALSE;
        }
        key = g_strndup(arg, (gsize)(eq - arg));
        name = key;
        value = eq + 1;
    }
    if (!mt_limits_set(limits, name, value, &error)) {
        mt_cli_usage_error(command, "%s: %s", option, error->message);
        return FALSE;
    }
    return TRUE;
}

void
mt_cli_say_report_errors(const MtReport *report)
{
    for (guint i = 0; i < report->errors->len; i++) {
        const MtReportError *e = report->errors->pdata[i];
        /* Paths and messages can carry a hostile name's bytes. */
        g_autofree char *path = mt_text_terminal_safe(report->source.path);
        g_autofree char *message = mt_text_terminal_safe(e->message);

        if (report->analyzed)
            fprintf(stderr, "mailtrail: %s#%" G_GUINT64_FORMAT ": %s\n", path,
                    report->source.index, message);
        else
            fprintf(stderr, "mailtrail: %s: %s\n", path, message);
    }
}
