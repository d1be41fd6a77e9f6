/* SPDX-License-Identifier: MIT */
/*
 * cmd-analyze.c: "mailtrail analyze", the main job. Reads every input in
 * order, analyzes each message, and hands the reports to the renderer of
 * the chosen format. A message that fails still yields its report; an
 * input that is not mail yields an error record; the run always goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "reports.h"
#include "summary.h"

typedef struct {
    MtFormat format;
    MtInputFormat input_format;
    const char *output;
    const char *output_dir;
    gboolean html_index; /* --html-dir: write index pages too */
    gboolean quiet;
    gboolean no_color;
    gboolean defang; /* --defang: text output defangs links */
    gboolean fail_on_given; /* --fail-on: exit 1 on a finding at or above */
    MtSeverity fail_on;
    guint jobs;     /* --jobs: analysis threads */
    gboolean summary;      /* --summary: aggregates at the end */
    gboolean summary_only; /* --summary-only: and no per-message reports */
    guint summary_keys;    /* --summary-keys: keys tracked per dimension */
    guint summary_top;     /* --summary-top: rows shown per dimension */
    MtOptions analysis;
} AnalyzeOptions;

/* Writes text wrapped to width columns, each line after the first
 * indented by indent spaces (the first continues the current line). */
static void
put_wrapped(FILE *out, const char *text, int column, int indent, int width)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);

    for (char **w = words; *w; w++) {
        int len = (int)strlen(*w);

        if (column > indent && column + 1 + len > width) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        } else if (column > indent) {
            fputc(' ', out);
            column++;
        }
        fputs(*w, out);
        column += len;
    }
    fputc('\n', out);
}

/* The Limits section of the help, from the core's table of limits. */
static void
limits_usage(FILE *out)
{
    const MtLimitInfo *table;
    MtLimits defaults;
    gsize n = 0;

    mt_limits_init_default(&defaults);
    table = mt_limits_table(&n);
    fputs("Limits (--limit NAME=VALUE): a message that hits one is\n"
          "analyzed up to it, with a \"limit-reached\" finding naming the\n"
          "limit; only a message over max-message-bytes is not analyzed\n"
          "(an error, exit 3). Sizes take a K, M or G suffix (1024 based).\n"
          "  NAME                 DEFAULT  WHAT IT BOUNDS\n",
          out);
    for (gsize i = 0; i < n; i++) {
        g_autofree char *def =
            mt_limits_format_value(&table[i], mt_limits_get(&defaults,
                                                             &table[i]));

        fprintf(out, "  %-20s %-8s ", table[i].name, def);
        put_wrapped(out, table[i].help, 32, 32, 79);
    }
}

void
mt_cmd_analyze_usage(FILE *out)
{
    fputs(
        "Usage: mailtrail analyze [OPTIONS] INPUT...\n"
        "\n"
        "Analyze messages: the header fields, the relay path, the sender's\n"
        "identity and authentication, the MIME parts, attachments and\n"
        "links, with findings, a score and a verdict.\n"
        "INPUT is a message file (with or without a leading mbox \"From \"\n"
        "line), an mbox, a maildir, a directory (every file, recursively,\n"
        "in sorted order) or - for standard input. The kind is detected\n"
        "from the content, not the name.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT      text (default), json, ndjson or html\n"
        "  -o, --output FILE        write the report to FILE (not "
        "overwritten)\n"
        "      --output-dir DIR     one report file per message in DIR\n"
        "      --html-dir DIR       one HTML page per message in DIR and an\n"
        "                           index.html, sortable by column\n"
        "      --input-format KIND  eml, mbox or maildir: skip detection\n"
        "      --limit NAME=VALUE   set a safety limit (see Limits below);\n"
        "                           repeatable\n"
        "      --max-message-size N --limit max-message-bytes=N\n"
        "      --max-headers N      --limit max-headers=N\n"
        "      --geoip-db PATH      a MaxMind DB file (City, Country, ASN,\n"
        "                           Anonymous-IP); repeatable. Default: the\n"
        "                           *.mmdb in $MAILTRAIL_GEOIP_DIR,\n"
        "                           /usr/share/GeoIP and /var/lib/GeoIP\n"
        "      --no-geoip           no GeoIP lookups\n"
        "      --trusted-host SPEC  a relay of the receiving organisation:\n"
        "                           host, domain (with every host under\n"
        "                           it), address or CIDR; repeatable.\n"
        "                           Default: inferred from the\n"
        "                           recipient's domain\n"
        "      --trusted-authserv ID\n"
        "                           an authserv-id of the receiving\n"
        "                           organisation; repeatable. Only\n"
        "                           Authentication-Results above the\n"
        "                           trust boundary with one of these ids\n"
        "                           count. Default: the receiving\n"
        "                           organisation's own hosts\n"
        "      --dkim-keys FILE     verify DKIM signatures offline with the\n"
        "                           keys in FILE, one a line:\n"
        "                           \"selector._domainkey.domain TXT\"\n"
        "      --online             also verify DKIM signatures with the\n"
        "                           key from live DNS (result in\n"
        "                           \"online\"). Off by default: the lookup\n"
        "                           reaches the signer's name servers and\n"
        "                           tells the signer that the message is\n"
        "                           being looked at. MAILTRAIL_DNS_SERVER=\n"
        "                           ADDR:PORT sends the queries to that\n"
        "                           server (tests, air-gapped resolvers)\n"
        "      --body-preview N     characters of each text body kept as\n"
        "                           its preview (default 500; 0: none)\n"
        "      --bodies             also keep the full text of each text\n"
        "                           body (JSON \"text\"; large reports)\n"
        "      --defang             write link URLs and domains defanged\n"
        "                           (hxxp://example[.]com) in text output.\n"
        "                           HTML always defangs them; JSON keeps\n"
        "                           the real values\n"
        "      --fail-on SEVERITY   exit 1 when a report has a finding of\n"
        "                           SEVERITY (info, low, medium, high) or\n"
        "                           above\n"
        "  -j, --jobs N             analyze on N threads (default 1); the\n"
        "                           output is the same, in input order\n"
        "      --summary            after the reports, the aggregates of the\n"
        "                           whole run: top origin IPs, networks and\n"
        "                           countries, From, envelope and DKIM\n"
        "                           domains, attachment hashes, link hosts,\n"
        "                           findings and verdicts, in messages.\n"
        "                           text: a Summary section; ndjson: a last\n"
        "                           line; json: always an array, the summary\n"
        "                           last; --output-dir, --html-dir:\n"
        "                           summary.json in DIR. Schema\n"
        "                           mailtrail.summary/1\n"
        "      --summary-only       the summary and no per-message reports\n"
        "                           (every message is still analyzed)\n"
        "      --summary-keys N     keys tracked per dimension (default\n"
        "                           1000, 1 to 1000000): memory stays\n"
        "                           bounded; past N distinct keys a\n"
        "                           dimension says \"exact\": false and\n"
        "                           each count comes with its error bound\n"
        "      --summary-top N      rows shown per dimension (default 10)\n"
        "  -q, --quiet              no per-message error lines on stderr\n"
        "      --no-color           no colour in text output (also when\n"
        "                           NO_COLOR is set; never on a pipe)\n"
        "  -h, --help               show this help and exit\n"
        "\n",
        out);
    limits_usage(out);
    fputs(
        "\n"
        "JSON reports follow the schema mailtrail.report/1 (installed as\n"
        "share/mailtrail/mailtrail-report.schema.json), the summary\n"
        "mailtrail.summary/1 (mailtrail-summary.schema.json).\n"
        "SOURCE_DATE_EPOCH fixes tool.analyzed_at for reproducible output.\n"
        "\n"
        "Exit codes:\n"
        "  0  every input was analyzed\n"
        "  1  --fail-on: a finding at or above SEVERITY, and every input\n"
        "     was read\n"
        "  2  usage error\n"
        "  3  some input could not be read or parsed; the rest was "
        "analyzed\n"
        "     (3 wins over 1)\n"
        "  5  a report could not be written (output directory not\n"
        "     writable, no space left, a write error on the output);\n"
        "     5 wins over 3 and 1\n"
        "\n"
        "Errors go to stderr as \"mailtrail: PATH[#INDEX]: what went "
        "wrong\".\n",
        out);
}

/* Usage errors name this command (cli-common.c). */
#define usage_error(...) mt_cli_usage_error("analyze", __VA_ARGS__)

static gboolean
severity_from_string(const char *text, MtSeverity *out)
{
    static const MtSeverity all[] = {MT_SEVERITY_INFO, MT_SEVERITY_LOW,
                                     MT_SEVERITY_MEDIUM, MT_SEVERITY_HIGH};

    for (gsize i = 0; i < G_N_ELEMENTS(all); i++) {
        if (g_ascii_strcasecmp(text, mt_severity_to_string(all[i])) == 0) {
            *out = all[i];
            return TRUE;
        }
    }
    return FALSE;
}

#define set_limit(...) mt_cli_set_limit("analyze", __VA_ARGS__)

static gboolean
parse_size(const char *text, guint64 min, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(text, 10, min, max, out, NULL);
}

/* Opens path for writing without ever replacing an existing file: a report
 * must not overwrite evidence or an earlier report. With allow_device, an
 * existing device or pipe is opened (-o /dev/stdout); without, as for the
 * files of --output-dir, whose names are predictable, nothing that exists
 * is, nor a symbolic link (one planted towards a disk device). Returns
 * the descriptor, or -1 with *err and error set. */
static int
create_new(const char *path, gboolean allow_device, int *err,
           GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
                            (allow_device ? 0 : O_NOFOLLOW),
                  0644);
    struct stat st;

    /* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is not a file
     * that could be overwritten. */
    if (fd < 0 && errno == EEXIST && allow_device && stat(path, &st) == 0 &&
        !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        fd = open(path, O_WRONLY | O_CLOEXEC);

    *err = 0;
    if (fd < 0) {
        *err = errno;
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: cannot create: %s",
                    path, g_strerror(*err));
    }
    return fd;
}

/* Where a report goes: a descriptor under a stdio stream that keeps the
 * reason of its first failed write. stdio keeps only a flag, and errno is
 * gone by the time the run ends (a renderer that logs after a failed
 * write leaves ENOTTY in it). */
typedef struct {
    int fd;
    gboolean close_fd; /* an -o or --output-dir file, not standard output */
    int err;           /* the first failure, 0 when none */
} Sink;

static ssize_t
sink_write(void *cookie, const char *buf, size_t size)
{
    Sink *sink = cookie;
    size_t done = 0;

    while (done < size) {
        ssize_t n = write(sink->fd, buf + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (sink->err == 0)
                sink->err = n < 0 ? errno : EIO;
            /* fopencookie(3): 0 is the error return, never negative. */
            return (ssize_t)done;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static int
sink_close(void *cookie)
{
    Sink *sink = cookie;

    /* NFS and some FUSE file systems report a failed write at close. */
    if (sink->close_fd && close(sink->fd) != 0) {
        if (sink->err == 0)
            sink->err = errno;
        return -1;
    }
    return 0;
}

static FILE *
sink_open(Sink *sink)
{
    static const cookie_io_functions_t io = {
        .read = NULL, .write = sink_write, .seek = NULL, .close = sink_close};
    FILE *f = fopencookie(sink, "w", io);

    if (f == NULL && sink->close_fd)
        close(sink->fd);
    return f;
}

/* Closes a report stream. Returns FALSE, with the reason (0 when none is
 * known) in *err, when any of what was written did not reach the system. */
static gboolean
sink_finish(FILE *f, const Sink *sink, int *err)
{
    gboolean flagged = ferror(f) != 0;
    int rc;

    errno = 0;
    rc = fclose(f);
    *err = sink->err ? sink->err : errno;
    return rc == 0 && !flagged && sink->err == 0;
}

/* "mailtrail: NAME: write error: reason" on stderr. */
static void
say_write_error(const char *name, int err)
{
    g_autofree char *shown = mt_text_terminal_safe(name);

    fprintf(stderr, "mailtrail: %s: write error%s%s\n", shown,
            err ? ": " : "", err ? g_strerror(err) : "");
}

/* A file name from an input path: only [A-Za-z0-9._-], at most 60 bytes,
 * so that no path written by an attacker (a maildir file name) can climb
 * out of the output directory. */
static char *
safe_stem(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);
    GString *out = g_string_new(NULL);

    for (const char *p = base; *p && out->len < 60; p++) {
        char c = *p;
        g_string_append_c(out, g_ascii_isalnum(c) || c == '.' || c == '_' ||
                                       c == '-'
                                   ? c
                                   : '_');
    }
    while (out->len && out->str[0] == '.')
        g_string_erase(out, 0, 1);
    if (out->len == 0)
        g_string_append(out, "input");
    return g_string_free(out, FALSE);
}

static gboolean
write_to_dir(const AnalyzeOptions *opts, const MtReport *report,
             guint64 seq, MtHtmlIndex *index, GError **error)
{
    g_autofree char *stem = safe_stem(report->source.path);
    const MtRendererClass *klass = mt_renderer_class_get(opts->format);
    g_autofree char *name = g_strdup_printf(
        "%06" G_GUINT64_FORMAT "-%s-%" G_GUINT64_FORMAT ".%s", seq, stem,
        report->source.index, klass->extension);
    g_autofree char *path = g_build_filename(opts->output_dir, name, NULL);
    int err = 0;
    Sink sink = {create_new(path, FALSE, &err, error), TRUE, 0};
    FILE *out;
    MtRenderer renderer;
    MtRunStats stats = {0};

    if (sink.fd < 0)
        return FALSE;
    out = sink_open(&sink);
    if (out == NULL) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    mt_renderer_init(&renderer, opts->format, out);
    renderer.defang = opts->defang;
    mt_renderer_begin(&renderer);
    mt_renderer_report(&renderer, report);
    /* A file per message needs no closing tally. */
    if (opts->format == MT_FORMAT_JSON || opts->format == MT_FORMAT_HTML)
        mt_renderer_end(&renderer, &stats);
    if (!sink_finish(out, &sink, &err)) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: write error%s%s",
                    path, err ? ": " : "", err ? g_strerror(err) : "");
        return FALSE;
    }
    if (index)
        mt_html_index_add(index, report, name);
    return TRUE;
}

/* The size of all inputs for the progress line's ETA, or 0 when one of
 * them (a directory, a maildir, standard input) has no size up front. */
static guint64
inputs_size(char **inputs, int n_inputs)
{
    guint64 total = 0;

    for (int i = 0; i < n_inputs; i++) {
        struct stat st;
        if (strcmp(inputs[i], "-") == 0 || stat(inputs[i], &st) != 0 ||
            !S_ISREG(st.st_mode))
            return 0;
        total += (guint64)st.st_size;
    }
    return total;
}

/* Whether report holds a finding at or above the --fail-on severity. */
static gboolean
fails(const AnalyzeOptions *opts, const MtReport *report)
{
    for (guint i = 0; opts->fail_on_given && i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (f->severity >= opts->fail_on)
            return TRUE;
    }
    return FALSE;
}

/* The worker threads' part of rendering (MtAnalyzerFinish): the
 * report's output where its format can be made apart (NDJSON). */
static gpointer
prepare(MtReport *report, gpointer user_data)
{
    const AnalyzeOptions *opts = user_data;

    return mt_renderer_prepare(opts->format, report);
}

/* One report as an element of the JSON array that --summary makes:
 * the JSON renderer's text of the report (prepared, made on a worker
 * thread; made here when there is none), so the elements are what
 * --format json prints without --summary. The first element follows the
 * "[" written at the start. */
static void
json_element(FILE *out, const MtReport *report, const char *prepared,
             gboolean first)
{
    g_autofree char *made = NULL;

    if (prepared == NULL)
        prepared = made = mt_renderer_prepare(MT_FORMAT_JSON, report);
    if (!first)
        fputs(",\n", out);
    fputs(prepared, out);
}

/* Writes the summary as DIR/summary.json, never over an existing file
 * (the same rule as the reports there). */
static gboolean
write_summary_file(const AnalyzeOptions *opts, const MtSummaryAgg *summary,
                   GError **error)
{
    g_autofree char *path = g_build_filename(opts->output_dir,
                                             "summary.json", NULL);
    g_autofree char *text = mt_summary_to_json(summary, opts->summary_top,
                                               TRUE);
    int err = 0;
    Sink sink = {create_new(path, FALSE, &err, error), TRUE, 0};
    FILE *out;

    if (sink.fd < 0)
        return FALSE;
    out = sink_open(&sink);
    if (out == NULL) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    fputs(text, out);
    fputc('\n', out);
    if (!sink_finish(out, &sink, &err)) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: write error%s%s",
                    path, err ? ": " : "", err ? g_strerror(err) : "");
        return FALSE;
    }
    return TRUE;
}

/* The summary at the end of a stream, in the run's format: a Summary
 * section after the text reports, the last NDJSON line, the last element
 * of the JSON array (closing it). */
static void
write_summary_stream(const AnalyzeOptions *opts, FILE *out,
                     const MtSummaryAgg *summary, gboolean after_reports)
{
    g_autofree char *json = NULL;

    switch (opts->format) {
    case MT_FORMAT_TEXT:
        if (after_reports)
            fputc('\n', out);
        mt_summary_text(out, summary, opts->summary_top, opts->defang);
        break;
    case MT_FORMAT_JSON:
        json = mt_summary_to_json(summary, opts->summary_top, TRUE);
        fprintf(out, "%s%s\n]\n", after_reports ? ",\n" : "", json);
        break;
    case MT_FORMAT_NDJSON:
        json = mt_summary_to_json(summary, opts->summary_top, FALSE);
        fprintf(out, "%s\n", json);
        break;
    case MT_FORMAT_HTML:
    case MT_FORMAT_COUNT:
        /* Refused at option time: an HTML page has no place for it
         * here, and a directory gets summary.json. */
        break;
    }
    fflush(out);
}

static int
run(const AnalyzeOptions *opts, char **inputs, int n_inputs)
{
    MtProgress *progress = NULL;
    guint64 bytes_done = 0;
    g_autoptr(GError) error = NULL;
    MtInput *input = mt_input_new(&opts->analysis.limits);
    MtHtmlIndex *index = NULL;
    MtRunStats stats = {0};
    MtRenderer renderer;
    Sink sink = {STDOUT_FILENO, FALSE, 0};
    FILE *out = NULL;
    guint64 seq = 0;
    int status = MT_EXIT_OK;
    gboolean found = FALSE; /* a finding at or above --fail-on */
    MtAnalyzer *analyzer;
    gboolean write_failed = FALSE; /* a report was lost: exit 5 */
    const char *out_name = "standard output";
    MtSummaryAgg *summary = NULL;
    /* --summary makes JSON an array whatever the count, written here
     * element by element instead of by the renderer. */
    gboolean json_array = opts->summary && !opts->output_dir &&
                          opts->format == MT_FORMAT_JSON;
    gboolean per_message = !opts->summary_only;
    guint64 elements = 0; /* of that array, so far */

    if (opts->output && strcmp(opts->output, "-") != 0) {
        int err = 0;

        sink.fd = create_new(opts->output, TRUE, &err, &error);
        if (sink.fd < 0) {
            fprintf(stderr, "mailtrail: %s\n", error->message);
            mt_input_free(input);
            /* An existing file is refused by design (a usage error);
             * anything else is an output that cannot be written. */
            return err == EEXIST ? MT_EXIT_USAGE : MT_EXIT_WRITE;
        }
        sink.close_fd = TRUE;
        out_name = opts->output;
    }
    if (opts->output_dir &&
        g_mkdir_with_parents(opts->output_dir, 0755) != 0) {
        fprintf(stderr, "mailtrail: %s: cannot create directory: %s\n",
                opts->output_dir, g_strerror(errno));
        mt_input_free(input);
        return MT_EXIT_WRITE;
    }
    /* Reports go through the sink, so that a write error keeps its
     * reason; nothing else writes to standard output. */
    fflush(stdout);
    out = sink_open(&sink);
    if (out == NULL) {
        fprintf(stderr, "mailtrail: %s: %s\n", out_name, g_strerror(errno));
        mt_input_free(input);
        return MT_EXIT_WRITE;
    }
    /* A terminal sees each line as it is written, as stdout would. */
    if (isatty(sink.fd))
        setvbuf(out, NULL, _IOLBF, BUFSIZ);
    for (int i = 0; i < n_inputs; i++)
        mt_input_add(input, inputs[i], opts->input_format);

    mt_renderer_init(&renderer, opts->format, out);
    /* Colour only on a terminal, and never when the user said no
     * (https://no-color.org). */
    renderer.color = !opts->no_color && isatty(sink.fd) &&
                     (g_getenv("NO_COLOR") == NULL ||
                      *g_getenv("NO_COLOR") == '\0');
    renderer.defang = opts->defang;
    if (json_array)
        fputs("[\n", out);
    else if (!opts->output_dir && per_message)
        mt_renderer_begin(&renderer);

    if (opts->html_index && per_message)
        index = mt_html_index_new();
    if (opts->summary)
        summary = mt_summary_new(opts->summary_keys);
    /* On a terminal only, and not with --quiet. */
    if (!opts->quiet)
        progress = mt_progress_new(stderr, inputs_size(inputs, n_inputs));
    analyzer = mt_analyzer_new(&opts->analysis, opts->jobs,
                               opts->output_dir || !per_message
                                   ? NULL
                                   : prepare,
                               (gpointer)opts, g_free);
    for (;;) {
        MtRawMessage *raw = NULL;
        const char *error_path = NULL;
        MtInputStatus got;
        gboolean end;

        g_clear_error(&error);
        got = mt_input_next(input, &raw, &error_path, &error);
        end = got == MT_INPUT_END;
        if (got == MT_INPUT_ERROR)
            mt_analyzer_push_report(analyzer,
                                    mt_report_new_for_error(error_path,
                                                            error));
        else if (got == MT_INPUT_MESSAGE)
            mt_analyzer_push(analyzer, raw);
        /* Reports leave in input order, each as soon as it and those
         * before it are done. At most two messages per job are in
         * flight, so memory does not grow with the input; at the end,
         * everything left is drained. With one job nothing waits. */
        while (mt_analyzer_in_flight(analyzer) > 0 &&
               (end || mt_analyzer_head_ready(analyzer) ||
                mt_analyzer_in_flight(analyzer) >= 2 * opts->jobs)) {
            g_autofree char *prepared = NULL;
            MtReport *report = mt_analyzer_pop(analyzer,
                                               (gpointer *)&prepared);

            if (!report->analyzed) {
                stats.input_errors++;
            } else {
                stats.messages++;
                if (report->errors->len > 0)
                    stats.with_errors++;
            }
            if (fails(opts, report))
                found = TRUE;
            if (report->errors->len > 0) {
                status = MT_EXIT_INPUT;
                if (!opts->quiet) {
                    mt_progress_clear(progress);
                    mt_cli_say_report_errors(report);
                }
            }
            /* Here, in input order whatever --jobs is: the summary is
             * the same for every N. */
            if (summary)
                mt_summary_add(summary, report);
            if (!per_message) {
                /* --summary-only: analyzed and counted, not written. */
            } else if (json_array) {
                json_element(out, report, prepared, elements++ == 0);
            } else if (opts->output_dir) {
                g_autoptr(GError) write_error = NULL;
                if (!write_to_dir(opts, report, ++seq, index,
                                  &write_error)) {
                    mt_progress_clear(progress);
                    fprintf(stderr, "mailtrail: %s\n", write_error->message);
                    write_failed = TRUE;
                }
            } else {
                mt_renderer_report_prepared(&renderer, report, prepared);
            }
            bytes_done += report->source.size;
            mt_progress_update(progress, stats.messages + stats.input_errors,
                               bytes_done);
            mt_report_free(report);
        }
        if (end)
            break;
    }
    mt_analyzer_free(analyzer);
    mt_progress_free(progress);
    /* Text: the summary before the closing tally; the others after the
     * reports, as the last line or element. */
    if (!opts->output_dir) {
        if (summary && opts->format == MT_FORMAT_TEXT)
            write_summary_stream(opts, out, summary, renderer.count > 0);
        if (json_array)
            write_summary_stream(opts, out, summary, elements > 0);
        else if (per_message)
            mt_renderer_end(&renderer, &stats);
        if (summary && opts->format == MT_FORMAT_NDJSON)
            write_summary_stream(opts, out, summary, FALSE);
    } else if (summary) {
        g_autoptr(GError) write_error = NULL;
        if (!write_summary_file(opts, summary, &write_error)) {
            fprintf(stderr, "mailtrail: %s\n", write_error->message);
            write_failed = TRUE;
        }
    }
    mt_summary_free(summary);
    mt_input_free(input);
    if (index) {
        g_autoptr(GError) write_error = NULL;
        if (!mt_html_index_write(index, opts->output_dir, &write_error)) {
            fprintf(stderr, "mailtrail: %s\n", write_error->message);
            write_failed = TRUE;
        }
        mt_html_index_free(index);
    }

    /* A report lost on a full disk or a closed pipe must not pass for a
     * run that wrote it. */
    {
        int err = 0;
        if (!sink_finish(out, &sink, &err)) {
            say_write_error(out_name, err);
            write_failed = TRUE;
        }
    }
    fprintf(stderr,
            "mailtrail: %" G_GUINT64_FORMAT " messages read, %" G_GUINT64_FORMAT
            " with errors, %" G_GUINT64_FORMAT " inputs not readable as mail\n",
            stats.messages, stats.with_errors, stats.input_errors);
    /* An input that could not be read (3) says more than the findings of
     * the rest: the run is incomplete. */
    if (write_failed)
        status = MT_EXIT_WRITE;
    else if (status == MT_EXIT_OK && found)
        status = MT_EXIT_FINDINGS;
    return status;
}

int
mt_cmd_analyze(int argc, char **argv)
{
    enum {
        OPT_OUTPUT_DIR = 256,
        OPT_NO_COLOR,
        OPT_HTML_DIR,
        OPT_INPUT_FORMAT,
        OPT_MAX_MESSAGE_SIZE,
        OPT_MAX_HEADERS,
        OPT_GEOIP_DB,
        OPT_NO_GEOIP,
        OPT_TRUSTED_HOST,
        OPT_TRUSTED_AUTHSERV,
        OPT_DKIM_KEYS,
        OPT_ONLINE,
        OPT_FAIL_ON,
        OPT_BODY_PREVIEW,
        OPT_BODIES,
        OPT_DEFANG,
        OPT_LIMIT,
        OPT_JOBS,
        OPT_SUMMARY,
        OPT_SUMMARY_ONLY,
        OPT_SUMMARY_KEYS,
        OPT_SUMMARY_TOP,
    };
    static const struct option long_options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
        {"html-dir", required_argument, NULL, OPT_HTML_DIR},
        {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
        {"max-message-size", required_argument, NULL, OPT_MAX_MESSAGE_SIZE},
        {"max-headers", required_argument, NULL, OPT_MAX_HEADERS},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"summary-only", no_argument, NULL, OPT_SUMMARY_ONLY},
        {"summary-keys", required_argument, NULL, OPT_SUMMARY_KEYS},
        {"summary-top", required_argument, NULL, OPT_SUMMARY_TOP},
        {"geoip-db", required_argument, NULL, OPT_GEOIP_DB},
        {"no-geoip", no_argument, NULL, OPT_NO_GEOIP},
        {"trusted-host", required_argument, NULL, OPT_TRUSTED_HOST},
        {"trusted-authserv", required_argument, NULL, OPT_TRUSTED_AUTHSERV},
        {"dkim-keys", required_argument, NULL, OPT_DKIM_KEYS},
        {"online", no_argument, NULL, OPT_ONLINE},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"body-preview", required_argument, NULL, OPT_BODY_PREVIEW},
        {"bodies", no_argument, NULL, OPT_BODIES},
        {"defang", no_argument, NULL, OPT_DEFANG},
        {"quiet", no_argument, NULL, 'q'},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    AnalyzeOptions opts = {0};
    gboolean format_given = FALSE;
    guint64 value;
    int c;
    g_autoptr(GPtrArray) geoip_paths = g_ptr_array_new();
    g_autoptr(GPtrArray) trusted_hosts = g_ptr_array_new();
    g_autoptr(GPtrArray) trusted_authserv = g_ptr_array_new();
    g_autoptr(MtDkimKeys) dkim_keys = NULL;
    const char *dkim_keys_path = NULL;
    g_autoptr(GPtrArray) geoip_warnings =
        g_ptr_array_new_with_free_func(g_free);
    g_autoptr(MtGeoip) geoip = NULL;
    g_autoptr(GError) geoip_error = NULL;
    gboolean no_geoip = FALSE;
    const char *summary_tuning = NULL; /* --summary-keys or -top given */

    opts.format = MT_FORMAT_TEXT;
    opts.jobs = 1;
    opts.summary_keys = MT_SUMMARY_DEFAULT_CAPACITY;
    opts.summary_top = MT_SUMMARY_DEFAULT_TOP;
    mt_options_init_default(&opts.analysis);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:j:qh", long_options, NULL)) !=
           -1) {
        switch (c) {
        case 'f':
            format_given = TRUE;
            if (!mt_format_from_string(optarg, &opts.format))
                return usage_error(
                    "unknown format '%s' (text, json, ndjson, html)", optarg);
            break;
        case 'o':
            opts.output = optarg;
            break;
        case OPT_OUTPUT_DIR:
            opts.output_dir = optarg;
            break;
        case OPT_HTML_DIR:
            opts.output_dir = optarg;
            opts.html_index = TRUE;
            break;
        case OPT_INPUT_FORMAT:
            if (!mt_input_format_from_string(optarg, &opts.input_format) ||
                opts.input_format == MT_INPUT_FORMAT_AUTO)
                return usage_error(
                    "unknown input format '%s' (eml, mbox, maildir)", optarg);
            break;
        case OPT_MAX_MESSAGE_SIZE:
            if (!set_limit(&opts.analysis.limits, "--max-message-size",
                           "max-message-bytes", optarg))
                return MT_EXIT_USAGE;
            break;
        case OPT_MAX_HEADERS:
            if (!set_limit(&opts.analysis.limits, "--max-headers",
                           "max-headers", optarg))
                return MT_EXIT_USAGE;
            break;
        case OPT_LIMIT:
            if (!set_limit(&opts.analysis.limits, "--limit", NULL, optarg))
                return MT_EXIT_USAGE;
            break;
        case 'j':
        case OPT_JOBS: {
            guint64 jobs = 0;
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, 256, &jobs, NULL))
                return usage_error("--jobs: '%s' is not a number of threads "
                                   "from 1 to 256", optarg);
            opts.jobs = (guint)jobs;
            break;
        }
        case OPT_SUMMARY:
            opts.summary = TRUE;
            break;
        case OPT_SUMMARY_ONLY:
            opts.summary = opts.summary_only = TRUE;
            break;
        case OPT_SUMMARY_KEYS:
            if (!parse_size(optarg, 1, 1000000, &value))
                return usage_error("--summary-keys: '%s' is not a number "
                                   "from 1 to 1000000", optarg);
            opts.summary_keys = (guint)value;
            summary_tuning = "--summary-keys";
            break;
        case OPT_SUMMARY_TOP:
            if (!parse_size(optarg, 1, 1000000, &value))
                return usage_error("--summary-top: '%s' is not a number "
                                   "from 1 to 1000000", optarg);
            opts.summary_top = (guint)value;
            summary_tuning = "--summary-top";
            break;
        case OPT_GEOIP_DB:
            g_ptr_array_add(geoip_paths, optarg);
            break;
        case OPT_NO_GEOIP:
            no_geoip = TRUE;
            break;
        case OPT_TRUSTED_HOST: {
            g_autoptr(GError) bad = NULL;
            if (!mt_trusted_host_check(optarg, &bad))
                return usage_error("--trusted-host: %s", bad->message);
            g_ptr_array_add(trusted_hosts, optarg);
            break;
        }
        case OPT_TRUSTED_AUTHSERV:
            if (*optarg == '\0')
                return usage_error("%s", "--trusted-authserv: empty id");
            g_ptr_array_add(trusted_authserv, optarg);
            break;
        case OPT_DKIM_KEYS:
            dkim_keys_path = optarg;
            break;
        case OPT_ONLINE:
            opts.analysis.online = TRUE;
            break;
        case OPT_FAIL_ON:
            if (!severity_from_string(optarg, &opts.fail_on))
                return usage_error("--fail-on: unknown severity '%s' (info, "
                                   "low, medium, high)",
                                   optarg);
            opts.fail_on_given = TRUE;
            break;
        case OPT_BODY_PREVIEW:
            if (!parse_size(optarg, 0, 10000000, &value))
                return usage_error("--body-preview: '%s' is not a number "
                                   "from 0 to 10000000",
                                   optarg);
            opts.analysis.body_preview = (guint)value;
            break;
        case OPT_BODIES:
            opts.analysis.bodies = TRUE;
            break;
        case OPT_DEFANG:
            opts.defang = TRUE;
            break;
        case OPT_NO_COLOR:
            opts.no_color = TRUE;
            break;
        case 'q':
            opts.quiet = TRUE;
            break;
        case 'h':
            mt_cmd_analyze_usage(stdout);
            return MT_EXIT_OK;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("%s", "no INPUT given (use - for standard input)");
    if (opts.output && opts.output_dir)
        return usage_error("%s", "--output and --output-dir exclude each "
                                 "other");
    /* --html-dir is --output-dir for HTML, plus the index. */
    if (opts.html_index) {
        if (format_given && opts.format != MT_FORMAT_HTML)
            return usage_error("%s", "--html-dir writes HTML: drop --format "
                                     "or use --output-dir");
        opts.format = MT_FORMAT_HTML;
    }
    if (summary_tuning && !opts.summary)
        return usage_error("%s needs --summary or --summary-only",
                           summary_tuning);
    /* One self-contained page has no room for the summary, and this
     * file does not build pages; a directory of them gets summary.json. */
    if (opts.summary && opts.format == MT_FORMAT_HTML && !opts.output_dir)
        return usage_error("%s", "--summary with --format html needs "
                                 "--html-dir or --output-dir, where "
                                 "summary.json is written");
    if (no_geoip && geoip_paths->len > 0)
        return usage_error("%s", "--geoip-db and --no-geoip exclude each "
                                 "other");
    if (!no_geoip) {
        geoip = mt_relay_open_geoip(geoip_paths, TRUE, geoip_warnings,
                                    &geoip_error);
        if (geoip == NULL) {
            fprintf(stderr, "mailtrail: %s\n", geoip_error->message);
            return MT_EXIT_USAGE;
        }
        for (guint i = 0; !opts.quiet && i < geoip_warnings->len; i++)
            fprintf(stderr, "mailtrail: warning: %s\n",
                    (const char *)geoip_warnings->pdata[i]);
    }
    if (dkim_keys_path) {
        g_autoptr(GError) keys_error = NULL;
        dkim_keys = mt_dkim_keys_load(dkim_keys_path, &keys_error);
        if (dkim_keys == NULL) {
            fprintf(stderr, "mailtrail: --dkim-keys: %s\n",
                    keys_error->message);
            return MT_EXIT_USAGE;
        }
    }
    opts.analysis.geoip = geoip;
    opts.analysis.trusted_hosts = trusted_hosts;
    opts.analysis.trusted_authserv = trusted_authserv;
    opts.analysis.dkim_keys = dkim_keys;
    return run(&opts, argv + optind, argc - optind);
}
