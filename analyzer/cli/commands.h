/* SPDX-License-Identifier: MIT */
/*
 * commands.h: the subcommands of the mailtrail program, one cmd-<verb>.c
 * each. argv[0] is the verb. Each returns the process exit code.
 */
#ifndef MT_COMMANDS_H
#define MT_COMMANDS_H

#include <stdio.h>

#include "mailtrail.h"

/* Exit codes, documented in --help and the man page. */
enum {
    MT_EXIT_OK = 0,
    MT_EXIT_FINDINGS = 1, /* analyze --fail-on; MT_EXIT_INPUT wins */
    MT_EXIT_USAGE = 2,
    MT_EXIT_INPUT = 3,    /* some input could not be read or parsed */
    MT_EXIT_CONNECT = 4,  /* fetch: connection, TLS or login failed */
    MT_EXIT_WRITE = 5,    /* a report or file could not be written; wins
                           * over 3 and 6 */
    MT_EXIT_NO_PART = 6,  /* extract: a --part named no attachment; 3
                           * wins */
};

int mt_cmd_analyze(int argc, char **argv);
int mt_cmd_received(int argc, char **argv);
int mt_cmd_fetch(int argc, char **argv);
int mt_cmd_extract(int argc, char **argv);

/* Prints "mailtrail COMMAND: message" and the --help hint to stderr;
 * returns MT_EXIT_USAGE (cli-common.c). */
int mt_cli_usage_error(const char *command, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Sets one limit from option: "--limit NAME=VALUE" (name NULL), or an
 * older option that is another name for one limit (arg is the value).
 * Returns FALSE after the usage message. */
gboolean mt_cli_set_limit(const char *command, MtLimits *limits,
                          const char *option, const char *name,
                          const char *arg);

/* One stderr line per error of report: "mailtrail: PATH#INDEX: what",
 * terminal-safe. */
void mt_cli_say_report_errors(const MtReport *report);

/* The help text of a command, for --help and "mailtrail help VERB". */
void mt_cmd_analyze_usage(FILE *out);

#endif /* MT_COMMANDS_H */
