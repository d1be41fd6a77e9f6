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
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "reports.h"

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
    MtOptions analysis;
} AnalyzeOptions;

void
mt_cmd_analyze_usage(FILE *out)
{
    fputs(
        "Usage: mailtrail analyze [OPTIONS] INPUT...\n"
        "\n"
        "Analyze messages: the header fields, the relay path, the summary.\n"
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
        "      --max-message-size N bytes; larger messages are hashed and\n"
        "                           reported, not parsed (default 256 MiB)\n"
        "      --max-headers N      header fields kept per message "
        "(default 10000)\n"
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
        "  -q, --quiet              no per-message error lines on stderr\n"
        "      --no-color           no colour in text output (also when\n"
        "                           NO_COLOR is set; never on a pipe)\n"
        "  -h, --help               show this help and exit\n"
        "\n"
        "JSON reports follow the schema mailtrail.report/1 (installed as\n"
        "share/mailtrail/mailtrail-report.schema.json). SOURCE_DATE_EPOCH\n"
        "fixes tool.analyzed_at for reproducible output.\n"
        "\n"
        "Exit codes:\n"
        "  0  every input was analyzed\n"
        "  1  --fail-on: a finding at or above SEVERITY, and every input\n"
        "     was read\n"
        "  2  usage error\n"
        "  3  some input could not be read or parsed; the rest was "
        "analyzed\n"
        "     (3 wins over 1)\n"
        "\n"
        "Errors go to stderr as \"mailtrail: PATH[#INDEX]: what went "
        "wrong\".\n",
        out);
}

static int G_GNUC_PRINTF(1, 2)
usage_error(const char *fmt, ...)
{
    va_list args;

    fputs("mailtrail analyze: ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputs("\nTry 'mailtrail analyze --help'.\n", stderr);
    return MT_EXIT_USAGE;
}

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

static gboolean
parse_size(const char *text, guint64 min, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(text, 10, min, max, out, NULL);
}

/* Opens path for writing without ever replacing an existing file: a report
 * must not overwrite evidence or an earlier report. */
static FILE *
create_new(const char *path, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    struct stat st;
    FILE *f;

    /* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is not a file
     * that could be overwritten. */
    if (fd < 0 && errno == EEXIST && stat(path, &st) == 0 &&
        !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd < 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: cannot create: %s",
                    path, g_strerror(errno));
        return NULL;
    }
    f = fdopen(fd, "w");
    if (f == NULL)
        close(fd);
    return f;
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
    FILE *out = create_new(path, error);
    MtRenderer renderer;
    MtRunStats stats = {0};

    if (out == NULL)
        return FALSE;
    mt_renderer_init(&renderer, opts->format, out);
    renderer.defang = opts->defang;
    mt_renderer_begin(&renderer);
    mt_renderer_report(&renderer, report);
    /* A file per message needs no closing tally. */
    if (opts->format == MT_FORMAT_JSON || opts->format == MT_FORMAT_HTML)
        mt_renderer_end(&renderer, &stats);
    if (fclose(out) != 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: write failed", path);
        return FALSE;
    }
    if (index)
        mt_html_index_add(index, report, name);
    return TRUE;
}

static void
say_report_errors(const MtReport *report)
{
    for (guint i = 0; i < report->errors->len; i++) {
        const MtReportError *e = report->errors->pdata[i];
        g_autofree char *path = mt_text_terminal_safe(report->source.path);
        g_autofree char *message = mt_text_terminal_safe(e->message);
        if (report->analyzed)
            fprintf(stderr, "mailtrail: %s#%" G_GUINT64_FORMAT ": %s\n", path,
                    report->source.index, message);
        else
            fprintf(stderr, "mailtrail: %s: %s\n", path, message);
    }
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
    FILE *out = stdout;
    guint64 seq = 0;
    int status = MT_EXIT_OK;
    gboolean found = FALSE; /* a finding at or above --fail-on */

    if (opts->output && strcmp(opts->output, "-") != 0) {
        out = create_new(opts->output, &error);
        if (out == NULL) {
            fprintf(stderr, "mailtrail: %s\n", error->message);
            mt_input_free(input);
            return MT_EXIT_USAGE;
        }
    }
    if (opts->output_dir &&
        g_mkdir_with_parents(opts->output_dir, 0755) != 0) {
        fprintf(stderr, "mailtrail: %s: cannot create directory: %s\n",
                opts->output_dir, g_strerror(errno));
        mt_input_free(input);
        return MT_EXIT_USAGE;
    }
    for (int i = 0; i < n_inputs; i++)
        mt_input_add(input, inputs[i], opts->input_format);

    mt_renderer_init(&renderer, opts->format, out);
    /* Colour only on a terminal, and never when the user said no
     * (https://no-color.org). */
    renderer.color = !opts->no_color && isatty(fileno(out)) &&
                     (g_getenv("NO_COLOR") == NULL ||
                      *g_getenv("NO_COLOR") == '\0');
    renderer.defang = opts->defang;
    if (!opts->output_dir)
        mt_renderer_begin(&renderer);

    if (opts->html_index)
        index = mt_html_index_new();
    /* On a terminal only, and not with --quiet. */
    if (!opts->quiet)
        progress = mt_progress_new(stderr, inputs_size(inputs, n_inputs));
    for (;;) {
        MtRawMessage *raw = NULL;
        const char *error_path = NULL;
        MtReport *report;
        MtInputStatus got;

        g_clear_error(&error);
        got = mt_input_next(input, &raw, &error_path, &error);
        if (got == MT_INPUT_END)
            break;
        if (got == MT_INPUT_ERROR) {
            report = mt_report_new_for_error(error_path, error);
            stats.input_errors++;
        } else {
            report = mt_analyze(raw, &opts->analysis);
            mt_raw_message_free(raw);
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
                say_report_errors(report);
            }
        }
        if (opts->output_dir) {
            g_autoptr(GError) write_error = NULL;
            if (!write_to_dir(opts, report, ++seq, index, &write_error)) {
                mt_progress_clear(progress);
                fprintf(stderr, "mailtrail: %s\n", write_error->message);
                status = MT_EXIT_INPUT;
            }
        } else {
            mt_renderer_report(&renderer, report);
        }
        bytes_done += report->source.size;
        mt_progress_update(progress, stats.messages + stats.input_errors,
                           bytes_done);
        mt_report_free(report);
    }
    mt_progress_free(progress);
    if (!opts->output_dir)
        mt_renderer_end(&renderer, &stats);
    mt_input_free(input);
    if (index) {
        g_autoptr(GError) write_error = NULL;
        if (!mt_html_index_write(index, opts->output_dir, &write_error)) {
            fprintf(stderr, "mailtrail: %s\n", write_error->message);
            status = MT_EXIT_INPUT;
        }
        mt_html_index_free(index);
    }

    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "mailtrail: %s: write failed\n", opts->output);
        status = MT_EXIT_INPUT;
    }
    fprintf(stderr,
            "mailtrail: %" G_GUINT64_FORMAT " messages read, %" G_GUINT64_FORMAT
            " with errors, %" G_GUINT64_FORMAT " inputs not readable as mail\n",
            stats.messages, stats.with_errors, stats.input_errors);
    /* An input that could not be read (3) says more than the findings of
     * the rest: the run is incomplete. */
    if (status == MT_EXIT_OK && found)
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
    };
    static const struct option long_options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
        {"html-dir", required_argument, NULL, OPT_HTML_DIR},
        {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
        {"max-message-size", required_argument, NULL, OPT_MAX_MESSAGE_SIZE},
        {"max-headers", required_argument, NULL, OPT_MAX_HEADERS},
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

    opts.format = MT_FORMAT_TEXT;
    mt_options_init_default(&opts.analysis);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", long_options, NULL)) !=
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
            if (!parse_size(optarg, 1024, G_MAXINT64, &value))
                return usage_error("--max-message-size: '%s' is not a number "
                                   "of bytes (1024 or more)",
                                   optarg);
            opts.analysis.limits.max_message_bytes = value;
            break;
        case OPT_MAX_HEADERS:
            if (!parse_size(optarg, 1, 10000000, &value))
                return usage_error("--max-headers: '%s' is not a number from "
                                   "1 to 10000000",
                                   optarg);
            opts.analysis.limits.max_headers = (guint)value;
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
