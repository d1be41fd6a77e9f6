/* SPDX-License-Identifier: MIT */
/*
 * cmd-fetch.c: "mailtrail fetch", acquisition of suspect mail from an
 * IMAP or POP3 mailbox into an evidence folder without changing the
 * mailbox. This file only turns the command line into options, finds the
 * credential (never from argv), prints, and maps errors to exit codes;
 * the protocol work and the evidence files are the core's
 * (analyzer/acquire.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "mt-acquire.h"
#include "reports.h"

/* A password or token file is one short line. */
#define MAX_SECRET_FILE 4096

static void
usage(FILE *out)
{
    fputs(
        "Usage: mailtrail fetch URL [OPTIONS]\n"
        "\n"
        "Copy messages out of a mailbox, byte for byte, without changing it,\n"
        "into an evidence folder with a custody record (acquisition.json).\n"
        "URL is imap://, imaps://, pop3:// or pop3s://[user@]host[:port]"
        "[/mailbox]\n"
        "(an IMAP mailbox with a space is written Sent%20Items, or use\n"
        "--mailbox). IMAP uses EXAMINE and BODY.PEEK[] only; POP3 uses TOP\n"
        "when the server offers it, never DELE, and never QUIT.\n"
        "\n"
        "What to fetch (one of):\n"
        "      --list               list mailboxes (IMAP, with counts) or\n"
        "                           messages (POP3: number, size, UIDL)\n"
        "      --all                every message of the mailbox\n"
        "      --uid SET            IMAP UIDs: 5, 1:10, 3,7,9, 20:*\n"
        "      --search CRITERIA    IMAP SEARCH, e.g. 'FROM \"billing\" SINCE "
        "1-Nov-2026'\n"
        "      --msg SET            POP3 message numbers, same syntax as "
        "--uid\n"
        "      --uidl ID            POP3 unique id (repeat for several)\n"
        "\n"
        "Selection details:\n"
        "      --mailbox NAME       IMAP mailbox (UTF-8), instead of the URL "
        "path\n"
        "      --uidvalidity N      IMAP: refuse if the mailbox's UIDVALIDITY "
        "is not N\n"
        "      --pop3-retr          POP3: use RETR even when TOP is offered "
        "(the\n"
        "                           server may mark messages read)\n"
        "\n"
        "Output:\n"
        "      --evidence-dir DIR   where to save (default\n"
        "                           ./evidence-HOST-UTCTIMESTAMP); each "
        "message is\n"
        "                           UID-SHA256.eml (POP3: NUMBER-SHA256.eml),"
        " mode\n"
        "                           0400, never overwritten\n"
        "      --analyze            also write UID-SHA256.json, the analysis "
        "report,\n"
        "                           with the acquisition record in its "
        "source\n"
        "      --trace FILE         write the protocol exchange to FILE "
        "(credentials\n"
        "                           redacted; message bodies not included)\n"
        "  -q, --quiet              only errors on stderr\n"
        "\n"
        "Connection and login:\n"
        "      --user NAME          login name (instead of the URL's)\n"
        "      --password-file FILE read the password from the first line of "
        "FILE\n"
        "      --oauth2-token-file FILE  bearer token for --auth XOAUTH2\n"
        "      --auth MECH          PLAIN, LOGIN, CRAM-MD5, XOAUTH2, APOP "
        "(POP3)\n"
        "                           or any (default: the best the server "
        "offers)\n"
        "      --cacert FILE        trust the CA certificates in FILE\n"
        "      --pin-sha256 FP      require this server certificate "
        "(SHA-256, as\n"
        "                           openssl x509 -fingerprint -sha256 "
        "prints it)\n"
        "      --insecure           DANGEROUS: do not verify the server "
        "certificate;\n"
        "                           anyone on the path can take the password "
        "and\n"
        "                           change the evidence. Recorded in "
        "acquisition.json\n"
        "      --starttls           require STARTTLS (the default for imap:// "
        "and\n"
        "                           pop3://)\n"
        "      --allow-plaintext    imap:// or pop3:// without TLS if the "
        "server has\n"
        "                           no STARTTLS (the password travels in "
        "clear)\n"
        "      --interface ADDR     connect from this local address\n"
        "      --timeout SECONDS    connect and idle timeout (default 30)\n"
        "      --max-message-size N bytes; larger messages are refused "
        "(default\n"
        "                           268435456 = 256 MiB)\n"
        "      --no-netrc           do not read ~/.netrc\n"
        "  -h, --help               show this help and exit\n"
        "\n"
        "The password is never taken from the command line: it comes from\n"
        "--password-file, the MAILTRAIL_PASSWORD environment variable,\n"
        "~/.netrc, or a prompt without echo when standard input is a "
        "terminal.\n"
        "It never appears in output files, traces or messages.\n"
        "\n"
        "Exit codes:\n"
        "  0  every selected message was saved completely, flags unchanged\n"
        "  2  usage error\n"
        "  3  some message could not be fetched (missing, partial, refused),\n"
        "     flags changed, the mailbox is missing or its UIDVALIDITY "
        "changed,\n"
        "     the session broke, or the evidence could not be written; see\n"
        "     acquisition.json\n"
        "  4  connection, TLS or login failed (nothing was fetched)\n",
        out);
}

/* Usage errors name this command (cli-common.c). */
#define usage_error(...) mt_cli_usage_error("fetch", __VA_ARGS__)

typedef struct {
    MtAcquireOptions acquire;
    MtAcquireSelection selection;
    GPtrArray *uidls;
    const char *password_file;
    const char *token_file;
    const char *evidence_dir;
    gboolean list;
    gboolean analyze;
    gboolean starttls;
    gboolean quiet;
    int n_select;
} FetchOptions;

/* Reads the first line of a secret file. Transfer full; wipe after use. */
static char *
read_secret_file(const char *path, GError **error)
{
    char buf[MAX_SECRET_FILE + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    gsize have = 0;
    char *line;

    if (fd < 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot open %s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    while (have < MAX_SECRET_FILE) {
        ssize_t n = read(fd, buf + have, MAX_SECRET_FILE - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (gsize)n;
    }
    close(fd);
    buf[have] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    line = g_strdup(buf);
    explicit_bzero(buf, sizeof buf);
    if (line[0] == '\0') {
        g_free(line);
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s holds no password", path);
        return NULL;
    }
    return line;
}

/* Asks on the terminal without echo. */
static char *
prompt_password(const char *user, const char *url)
{
    struct termios old, quiet;
    char buf[1024];
    gboolean restored = FALSE;
    char *line = NULL;

    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return NULL;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fprintf(stderr, "Password for %s at %s: ", user ? user : "the user", url);
    fflush(stderr);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return NULL;
    if (fgets(buf, sizeof buf, stdin) != NULL) {
        buf[strcspn(buf, "\r\n")] = '\0';
        line = g_strdup(buf);
    }
    restored = tcsetattr(STDIN_FILENO, TCSAFLUSH, &old) == 0;
    fputc('\n', stderr);
    explicit_bzero(buf, sizeof buf);
    if (!restored)
        fputs("mailtrail fetch: warning: could not restore terminal echo\n",
              stderr);
    return line;
}

static gboolean
netrc_exists(void)
{
    g_autofree char *path = g_build_filename(g_get_home_dir(), ".netrc", NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void
wipe_free(char *secret)
{
    if (secret != NULL) {
        explicit_bzero(secret, strlen(secret));
        g_free(secret);
    }
}

static int
exit_for_connect_error(const GError *error)
{
    if (error->domain == MT_ERROR && error->code == MT_ERROR_INVALID)
        return MT_EXIT_USAGE;
    if (error->domain == MT_ERROR &&
        (error->code == MT_ERROR_NETWORK || error->code == MT_ERROR_TLS ||
         error->code == MT_ERROR_AUTH || error->code == MT_ERROR_PROTOCOL))
        return MT_EXIT_CONNECT;
    return MT_EXIT_INPUT;
}

static void
print_list(const MtAcquisition *rec, GPtrArray *items)
{
    if (rec->protocol == MT_ACQUIRE_IMAP) {
        printf("%10s %12s  %s\n", "MESSAGES", "UIDVALIDITY", "MAILBOX");
        for (guint i = 0; i < items->len; i++) {
            const MtAcquireMailbox *mb = g_ptr_array_index(items, i);
            g_autofree char *name = mt_text_terminal_safe(mb->name);
            g_autofree char *wire = mt_text_terminal_safe(mb->wire_name);
            if (mb->has_status)
                printf("%10" G_GUINT64_FORMAT " %12u  %s", mb->messages,
                       mb->uidvalidity, name);
            else
                printf("%10s %12s  %s", "-", "-", name);
            if (strcmp(mb->name, mb->wire_name) != 0)
                printf("  (wire name %s)", wire);
            if (!mb->selectable)
                fputs("  (not selectable)", stdout);
            fputc('\n', stdout);
        }
        return;
    }
    printf("%8s %10s  %s\n", "NUMBER", "SIZE", "UIDL");
    for (guint i = 0; i < items->len; i++) {
        const MtAcquireMessageInfo *info = g_ptr_array_index(items, i);
        g_autofree char *uidl =
            mt_text_terminal_safe(info->uidl ? info->uidl : "-");
        printf("%8" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT "  %s\n",
               info->number, info->size, uidl);
    }
}

/* Creates path exclusively (mode 0400) and writes text into it. */
static gboolean
write_new_file(const char *path, const char *text, GError **error)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
    gsize len = strlen(text), done = 0;

    if (fd < 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot create %s: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(path);
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot write %s", path);
            return FALSE;
        }
        done += (gsize)n;
    }
    if (close(fd) != 0) {
        unlink(path);
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot write %s", path);
        return FALSE;
    }
    return TRUE;
}

/* --analyze for message i: read the saved file back with the project's
 * own reader, analyze, and write the JSON report beside it with the
 * acquisition record in its source. */
static gboolean
analyze_one(const MtAcquisition *rec, guint i, const char *dir, GError **error)
{
    const MtAcquiredMessage *m = g_ptr_array_index(rec->messages, i);
    g_autofree char *path = g_build_filename(dir, m->file, NULL);
    g_autofree char *stem = g_strndup(m->file, strlen(m->file) - 4);
    g_autofree char *name = g_strconcat(stem, ".json", NULL);
    g_autofree char *out_path = g_build_filename(dir, name, NULL);
    g_autofree char *acq_text = mt_acquisition_message_to_json(rec, i);
    MtOptions opts;
    MtInput *input;
    MtRawMessage *raw = NULL;
    const char *error_path = NULL;
    MtReport *report;
    json_t *root, *source, *acq;
    char *text;
    gboolean ok;

    mt_options_init_default(&opts);
    input = mt_input_new(&opts.limits);
    mt_input_add(input, path, MT_INPUT_FORMAT_EML);
    if (mt_input_next(input, &raw, &error_path, error) != MT_INPUT_MESSAGE) {
        mt_input_free(input);
        if (error != NULL && *error == NULL)
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: no message", path);
        return FALSE;
    }
    report = mt_analyze(raw, &opts);
    mt_raw_message_free(raw);
    mt_input_free(input);
    root = mt_json_report(report);
    mt_report_free(report);
    source = json_object_get(root, "source");
    acq = json_loads(acq_text, 0, NULL);
    if (json_is_object(source) && acq != NULL)
        json_object_set_new(source, "acquisition", acq);
    else
        json_decref(acq);
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: cannot render", path);
        return FALSE;
    }
    {
        g_autofree char *with_nl = g_strconcat(text, "\n", NULL);
        free(text);
        ok = write_new_file(out_path, with_nl, error);
    }
    return ok;
}

static void
say_message(const MtAcquisition *rec, const MtAcquiredMessage *m)
{
    g_autofree char *id = NULL;
    g_autofree char *why = mt_text_terminal_safe(m->error ? m->error : "");

    if (rec->protocol == MT_ACQUIRE_IMAP)
        id = g_strdup_printf("UID %u", m->uid);
    else if (m->number > 0)
        id = g_strdup_printf("message %" G_GUINT64_FORMAT, m->number);
    else
        /* The UIDL is the server's text: no escape reaches the terminal. */
        id = g_strdup_printf("UIDL %s", m->uidl ? m->uidl : "?");
    {
        char *safe = mt_text_terminal_safe(id);
        g_free(id);
        id = safe;
    }
    fprintf(stderr, "mailtrail fetch: %s: %s: %s\n", id,
            mt_acquired_status_to_string(m->status), why);
}

static int
run(FetchOptions *o, const char *url)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *default_dir = NULL;
    const char *dir = o->evidence_dir;
    gboolean created = FALSE;
    MtAcquireSession *session;
    MtAcquisition *rec;
    gboolean fetched;
    int status = MT_EXIT_OK;

    if (!o->list) {
        if (dir == NULL)
            dir = default_dir = mt_acquire_default_dir(url);
        /* The folder is made before connecting, so that a server is never
         * read from without a place to keep what it sends. */
        if (!mt_acquire_prepare_dir(dir, &created, &error)) {
            fprintf(stderr, "mailtrail fetch: %s\n", error->message);
            return MT_EXIT_INPUT;
        }
    }
    session = mt_acquire_session_open(&o->acquire, &error);
    if (session == NULL) {
        g_autofree char *msg = mt_text_terminal_safe(error->message);
        fprintf(stderr, "mailtrail fetch: %s\n", msg);
        if (created)
            rmdir(dir); /* only succeeds while it is still empty */
        return exit_for_connect_error(error);
    }
    if (o->list) {
        GPtrArray *items = mt_acquire_session_list(session, &error);
        if (items == NULL) {
            g_autofree char *msg = mt_text_terminal_safe(error->message);
            fprintf(stderr, "mailtrail fetch: %s\n", msg);
            status = MT_EXIT_INPUT;
        } else {
            print_list(mt_acquire_session_get_record(session), items);
            g_ptr_array_unref(items);
        }
        mt_acquire_session_free(session);
        return status;
    }

    fetched = mt_acquire_session_fetch(session, &o->selection, dir, &error);
    rec = mt_acquire_session_steal_record(session);
    mt_acquire_session_free(session);
    if (!fetched) {
        g_autofree char *msg = mt_text_terminal_safe(error->message);
        fprintf(stderr, "mailtrail fetch: %s\n", msg);
        status = MT_EXIT_INPUT;
    }
    g_clear_error(&error);
    if (!mt_acquisition_write(rec, dir, &error)) {
        fprintf(stderr, "mailtrail fetch: %s\n", error->message);
        status = MT_EXIT_INPUT;
        g_clear_error(&error);
    }
    {
        guint counts[4] = {0, 0, 0, 0};
        for (guint i = 0; i < rec->messages->len; i++) {
            const MtAcquiredMessage *m = g_ptr_array_index(rec->messages, i);
            counts[m->status]++;
            if (m->status != MT_ACQUIRED_COMPLETE)
                say_message(rec, m);
            else if (o->analyze && !analyze_one(rec, i, dir, &error)) {
                fprintf(stderr, "mailtrail fetch: --analyze: %s\n",
                        error->message);
                status = MT_EXIT_INPUT;
                g_clear_error(&error);
            }
        }
        if (counts[MT_ACQUIRED_COMPLETE] != rec->messages->len)
            status = MT_EXIT_INPUT;
        if (mt_acquisition_flags_changed(rec)) {
            fputs("mailtrail fetch: flags changed during the acquisition "
                  "(see flags_before and flags_after in acquisition.json)\n",
                  stderr);
            status = MT_EXIT_INPUT;
        }
        if (!o->quiet)
            fprintf(stderr,
                    "mailtrail fetch: %u of %u selected messages saved to %s "
                    "(%u partial, %u missing, %u failed)\n",
                    counts[MT_ACQUIRED_COMPLETE], rec->messages->len, dir,
                    counts[MT_ACQUIRED_PARTIAL], counts[MT_ACQUIRED_MISSING],
                    counts[MT_ACQUIRED_FAILED]);
    }
    mt_acquisition_free(rec);
    return status;
}

enum {
    OPT_LIST = 256,
    OPT_ALL,
    OPT_UID,
    OPT_SEARCH,
    OPT_MSG,
    OPT_UIDL,
    OPT_MAILBOX,
    OPT_UIDVALIDITY,
    OPT_POP3_RETR,
    OPT_EVIDENCE_DIR,
    OPT_ANALYZE,
    OPT_TRACE,
    OPT_USER,
    OPT_PASSWORD_FILE,
    OPT_TOKEN_FILE,
    OPT_AUTH,
    OPT_CACERT,
    OPT_PIN,
    OPT_INSECURE,
    OPT_STARTTLS,
    OPT_ALLOW_PLAINTEXT,
    OPT_INTERFACE,
    OPT_TIMEOUT,
    OPT_MAX_SIZE,
    OPT_NO_NETRC,
};

int
mt_cmd_fetch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"list", no_argument, NULL, OPT_LIST},
        {"all", no_argument, NULL, OPT_ALL},
        {"uid", required_argument, NULL, OPT_UID},
        {"search", required_argument, NULL, OPT_SEARCH},
        {"msg", required_argument, NULL, OPT_MSG},
        {"uidl", required_argument, NULL, OPT_UIDL},
        {"mailbox", required_argument, NULL, OPT_MAILBOX},
        {"uidvalidity", required_argument, NULL, OPT_UIDVALIDITY},
        {"pop3-retr", no_argument, NULL, OPT_POP3_RETR},
        {"evidence-dir", required_argument, NULL, OPT_EVIDENCE_DIR},
        {"analyze", no_argument, NULL, OPT_ANALYZE},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"user", required_argument, NULL, OPT_USER},
        {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
        {"oauth2-token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"auth", required_argument, NULL, OPT_AUTH},
        {"cacert", required_argument, NULL, OPT_CACERT},
        {"pin-sha256", required_argument, NULL, OPT_PIN},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"starttls", no_argument, NULL, OPT_STARTTLS},
        {"allow-plaintext", no_argument, NULL, OPT_ALLOW_PLAINTEXT},
        {"interface", required_argument, NULL, OPT_INTERFACE},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"max-message-size", required_argument, NULL, OPT_MAX_SIZE},
        {"no-netrc", no_argument, NULL, OPT_NO_NETRC},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    FetchOptions o;
    char *password = NULL;
    char *token = NULL;
    const char *url;
    gboolean pop3;
    int c, status;
    guint64 v = 0;

    memset(&o, 0, sizeof o);
    mt_acquire_options_init_default(&o.acquire);
    o.selection.kind = MT_ACQUIRE_SELECT_ALL;
    o.uidls = g_ptr_array_new();
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LIST:
            o.list = TRUE;
            o.n_select++;
            break;
        case OPT_ALL:
            o.selection.kind = MT_ACQUIRE_SELECT_ALL;
            o.n_select++;
            break;
        case OPT_UID:
            o.selection.kind = MT_ACQUIRE_SELECT_UIDS;
            o.selection.set = optarg;
            o.n_select++;
            break;
        case OPT_SEARCH:
            o.selection.kind = MT_ACQUIRE_SELECT_SEARCH;
            o.selection.search = optarg;
            o.n_select++;
            break;
        case OPT_MSG:
            o.selection.kind = MT_ACQUIRE_SELECT_NUMBERS;
            o.selection.set = optarg;
            o.n_select++;
            break;
        case OPT_UIDL:
            /* Several --uidl make one selection. */
            if (o.uidls->len == 0)
                o.n_select++;
            o.selection.kind = MT_ACQUIRE_SELECT_UIDLS;
            g_ptr_array_add(o.uidls, optarg);
            break;
        case OPT_MAILBOX:
            o.acquire.mailbox = optarg;
            break;
        case OPT_UIDVALIDITY:
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, G_MAXUINT32, &v,
                                            NULL)) {
                g_ptr_array_unref(o.uidls);
                return usage_error("--uidvalidity wants a number from 1 to "
                                   "4294967295, not '%s'",
                                   optarg);
            }
            o.selection.has_uidvalidity = TRUE;
            o.selection.uidvalidity = (guint32)v;
            break;
        case OPT_POP3_RETR:
            o.selection.pop3_retr = TRUE;
            break;
        case OPT_EVIDENCE_DIR:
            o.evidence_dir = optarg;
            break;
        case OPT_ANALYZE:
            o.analyze = TRUE;
            break;
        case OPT_TRACE:
            o.acquire.trace_path = optarg;
            break;
        case OPT_USER:
            o.acquire.user = optarg;
            break;
        case OPT_PASSWORD_FILE:
            o.password_file = optarg;
            break;
        case OPT_TOKEN_FILE:
            o.token_file = optarg;
            break;
        case OPT_AUTH:
            if (!mt_acquire_auth_from_string(optarg, &o.acquire.auth)) {
                g_ptr_array_unref(o.uidls);
                return usage_error("unknown --auth '%s' (PLAIN, LOGIN, "
                                   "CRAM-MD5, XOAUTH2, APOP or any)",
                                   optarg);
            }
            break;
        case OPT_CACERT:
            o.acquire.cacert = optarg;
            break;
        case OPT_PIN:
            o.acquire.pin_sha256 = optarg;
            break;
        case OPT_INSECURE:
            o.acquire.insecure = TRUE;
            break;
        case OPT_STARTTLS:
            o.starttls = TRUE;
            break;
        case OPT_ALLOW_PLAINTEXT:
            o.acquire.allow_plaintext = TRUE;
            break;
        case OPT_INTERFACE:
            o.acquire.interface = optarg;
            break;
        case OPT_TIMEOUT:
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, 86400, &v, NULL)) {
                g_ptr_array_unref(o.uidls);
                return usage_error("--timeout wants seconds from 1 to 86400, "
                                   "not '%s'",
                                   optarg);
            }
            o.acquire.connect_timeout = o.acquire.idle_timeout = (guint)v;
            break;
        case OPT_MAX_SIZE:
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, G_MAXUINT32 / 2, &v,
                                            NULL)) {
                g_ptr_array_unref(o.uidls);
                return usage_error("--max-message-size wants bytes from 1 to "
                                   "2147483647, not '%s'",
                                   optarg);
            }
            o.acquire.max_message_size = v;
            break;
        case OPT_NO_NETRC:
            o.acquire.use_netrc = FALSE;
            break;
        case 'q':
            o.quiet = TRUE;
            break;
        case 'h':
            usage(stdout);
            g_ptr_array_unref(o.uidls);
            return MT_EXIT_OK;
        default:
            g_ptr_array_unref(o.uidls);
            if (optopt != 0 && optopt < 256)
                return usage_error("invalid option '-%c'", (char)optopt);
            return usage_error("invalid option or missing argument: '%s'",
                               argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        g_ptr_array_unref(o.uidls);
        return usage_error("%s", optind >= argc ? "which URL? (imap://, "
                                                  "imaps://, pop3:// or "
                                                  "pop3s://)"
                                                : "one URL only");
    }
    url = argv[optind];
    o.acquire.url = url;
    pop3 = g_ascii_strncasecmp(url, "pop3", 4) == 0;
    status = MT_EXIT_USAGE;
    if (o.n_select != 1) {
        usage_error("%s", o.n_select == 0
                              ? "say what to fetch: --list, --all, --uid, "
                                "--search, --msg or --uidl"
                              : "choose only one of --list, --all, --uid, "
                                "--search, --msg and --uidl");
        goto out;
    }
    if (pop3 && (o.selection.kind == MT_ACQUIRE_SELECT_UIDS ||
                 o.selection.kind == MT_ACQUIRE_SELECT_SEARCH ||
                 o.acquire.mailbox != NULL || o.selection.has_uidvalidity)) {
        usage_error("%s", "--uid, --search, --mailbox and --uidvalidity are "
                          "for IMAP; POP3 uses --msg, --uidl or --all");
        goto out;
    }
    if (!pop3 && (o.selection.kind == MT_ACQUIRE_SELECT_NUMBERS ||
                  o.selection.kind == MT_ACQUIRE_SELECT_UIDLS ||
                  o.selection.pop3_retr)) {
        usage_error("%s", "--msg, --uidl and --pop3-retr are for POP3; IMAP "
                          "uses --uid, --search or --all");
        goto out;
    }
    if (o.starttls && (g_ascii_strncasecmp(url, "imaps:", 6) == 0 ||
                       g_ascii_strncasecmp(url, "pop3s:", 6) == 0)) {
        usage_error("%s", "--starttls is for imap:// and pop3://; imaps:// "
                          "and pop3s:// use TLS from the start");
        goto out;
    }
    if (o.starttls && o.acquire.allow_plaintext) {
        usage_error("%s", "--starttls and --allow-plaintext contradict each "
                          "other");
        goto out;
    }
    if (o.list && (o.analyze || o.evidence_dir != NULL)) {
        usage_error("%s", "--list saves nothing: --analyze and "
                          "--evidence-dir do not apply");
        goto out;
    }
    {
        g_autoptr(GError) error = NULL;
        if (!mt_acquire_url_check(url, &error)) {
            usage_error("%s", error->message);
            goto out;
        }
    }
    if (o.uidls->len > 0) {
        g_ptr_array_add(o.uidls, NULL);
        o.selection.uidls = (const char *const *)o.uidls->pdata;
    }

    /* The credential: a file, the environment, the token file, a prompt,
     * or ~/.netrc through libcurl. The environment variable is removed
     * so that no child process inherits it. */
    if (o.password_file != NULL) {
        g_autoptr(GError) error = NULL;
        password = read_secret_file(o.password_file, &error);
        if (password == NULL) {
            fprintf(stderr, "mailtrail fetch: %s\n", error->message);
            goto out;
        }
    } else if (g_getenv("MAILTRAIL_PASSWORD") != NULL) {
        password = g_strdup(g_getenv("MAILTRAIL_PASSWORD"));
        g_unsetenv("MAILTRAIL_PASSWORD");
    }
    if (o.token_file != NULL) {
        g_autoptr(GError) error = NULL;
        token = read_secret_file(o.token_file, &error);
        if (token == NULL) {
            fprintf(stderr, "mailtrail fetch: %s\n", error->message);
            goto out;
        }
        if (o.acquire.auth == MT_ACQUIRE_AUTH_ANY)
            o.acquire.auth = MT_ACQUIRE_AUTH_XOAUTH2;
    }
    if (password == NULL && token == NULL && isatty(STDIN_FILENO) &&
        !(o.acquire.use_netrc && netrc_exists()))
        password = prompt_password(o.acquire.user, url);
    o.acquire.password = password;
    o.acquire.oauth2_token = token;

    if (o.acquire.insecure)
        fputs("mailtrail fetch: warning: --insecure: the server certificate "
              "is NOT verified; anyone on the network path can read the "
              "password and alter the evidence. This is recorded in "
              "acquisition.json.\n",
              stderr);
    status = run(&o, url);

out:
    wipe_free(password);
    wipe_free(token);
    g_ptr_array_unref(o.uidls);
    return status;
}
