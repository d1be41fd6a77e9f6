/* SPDX-License-Identifier: MIT */
/*
 * cmd-received.c: "mailtrail received", the Received parser on its own.
 * An analyst pastes a header from a ticket, or pipes a column of them out
 * of a log, and gets one compact JSON object per value, in order, exactly
 * one line for each, so the output lines up with the input even for values
 * that are garbage. Standard input is read in chunks with a bound on the
 * line length, so a file without newlines cannot exhaust memory.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "reports.h"

/* Longer input lines are reported, not parsed: no real header comes close
 * (RFC 5322 2.1.1 sets 998 bytes per line, and folding rarely passes a few
 * kilobytes), and the bound keeps memory flat. */
#define MAX_LINE_BYTES (1024 * 1024)

static void
usage(FILE *out)
{
    fputs("Usage: mailtrail received [OPTIONS] [VALUE...]\n"
          "\n"
          "Parse Received header values and print each as one line of\n"
          "compact JSON: the client (HELO name, reverse DNS, IP, port,\n"
          "ident), the receiver and its software, the protocol, TLS,\n"
          "authentication, the queue id, the recipient and the date.\n"
          "A value may start with \"Received:\" or \"X-Received:\". With no\n"
          "VALUE, standard input is read, one value per line (CR before the\n"
          "newline is ignored); a line longer than 1 MiB is reported as not\n"
          "parsed. Every value gives exactly one output line, in order;\n"
          "what could not be understood is kept in \"unparsed\".\n"
          "\n"
          "Options:\n"
          "  -h, --help  show this help and exit\n"
          "\n"
          "Exit codes:\n"
          "  0  every value was read and printed\n"
          "  2  usage error\n"
          "  3  standard input could not be read, or output failed\n",
          out);
}

/* Prints one object as a line. Returns FALSE when the output failed. */
static gboolean
print_json(FILE *out, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    gboolean ok;

    /* Only a failed allocation makes json_dumps() fail; the line must
     * still be there. */
    ok = fputs(text ? text : "{\"error\":\"out of memory\"}", out) >= 0 &&
         fputc('\n', out) != EOF;
    free(text);
    return ok;
}

static gboolean
print_value(FILE *out, const char *value, gsize len)
{
    MtReceived *r = mt_received_parse(value, len);
    GString *text = g_string_sized_new(1024);
    MtJsonWriter w;
    gboolean ok;

    /* Written straight into one buffer: no tree per line. */
    mt_jw_init(&w, text, 0);
    mt_json_write_received(&w, r);
    g_string_append_c(text, '\n');
    ok = fwrite(text->str, 1, text->len, out) == text->len;
    g_string_free(text, TRUE);
    mt_received_free(r);
    return ok;
}

static gboolean
print_too_long(FILE *out)
{
    MtReceived *r = mt_received_parse("", 0);
    json_t *obj = mt_json_received(r);
    gboolean ok;

    json_object_set_new(obj, "unparsed",
                        json_string("line longer than 1048576 bytes: "
                                    "not parsed"));
    json_object_set_new(obj, "error", json_string("line_too_long"));
    ok = print_json(out, obj);
    json_decref(obj);
    mt_received_free(r);
    return ok;
}

/* An argument may hold a folded header pasted with its line breaks:
 * unfold it (RFC 5322 2.2.3), and turn a break not followed by white space
 * into a space so that words do not run together. */
static char *
unfold(const char *arg)
{
    GString *out = g_string_sized_new(strlen(arg));

    for (const char *p = arg; *p != '\0'; p++) {
        if (*p != '\r' && *p != '\n') {
            g_string_append_c(out, *p);
            continue;
        }
        while (p[1] == '\r' || p[1] == '\n')
            p++;
        if (p[1] != ' ' && p[1] != '\t' && p[1] != '\0')
            g_string_append_c(out, ' ');
    }
    return g_string_free(out, FALSE);
}

static gboolean
emit_line(FILE *out, GString *line, gboolean too_long)
{
    if (too_long)
        return print_too_long(out);
    while (line->len > 0 && line->str[line->len - 1] == '\r')
        g_string_truncate(line, line->len - 1);
    return print_value(out, line->str, line->len);
}

/* Reads values from in, one per line. Returns an exit code. */
static int
read_lines(FILE *in, FILE *out)
{
    g_autoptr(GString) line = g_string_sized_new(1024);
    gboolean too_long = FALSE;
    gboolean pending = FALSE; /* bytes seen since the last newline */
    gboolean ok = TRUE;
    char chunk[64 * 1024];
    size_t n;

    while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        const char *p = chunk;
        const char *end = chunk + n;

        while (ok && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *stop = nl ? nl : end;
            gsize span = (gsize)(stop - p);

            if (span > 0)
                pending = TRUE;
            if (!too_long && line->len + span <= MAX_LINE_BYTES)
                g_string_append_len(line, p, (gssize)span);
            else
                too_long = TRUE;
            if (nl == NULL)
                break;
            ok = emit_line(out, line, too_long);
            g_string_truncate(line, 0);
            too_long = pending = FALSE;
            p = nl + 1;
        }
    }
    if (ok && ferror(in)) {
        fputs("mailtrail received: -: read error\n", stderr);
        return MT_EXIT_INPUT;
    }
    if (ok && pending)
        ok = emit_line(out, line, too_long);
    if (!ok || fflush(out) != 0) {
        fputs("mailtrail received: write error\n", stderr);
        return MT_EXIT_INPUT;
    }
    return MT_EXIT_OK;
}

int
mt_cmd_received(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    /* Reset getopt: main() may have parsed its own options. */
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return MT_EXIT_OK;
        default:
            fprintf(stderr,
                    "mailtrail received: unknown option '%s'\n"
                    "Try 'mailtrail received --help'.\n",
                    argv[optind - 1]);
            return MT_EXIT_USAGE;
        }
    }

    if (optind >= argc)
        return read_lines(stdin, stdout);

    for (int i = optind; i < argc; i++) {
        g_autofree char *value = unfold(argv[i]);

        if (!print_value(stdout, value, strlen(value))) {
            fputs("mailtrail received: write error\n", stderr);
            return MT_EXIT_INPUT;
        }
    }
    if (fflush(stdout) != 0) {
        fputs("mailtrail received: write error\n", stderr);
        return MT_EXIT_INPUT;
    }
    return MT_EXIT_OK;
}
