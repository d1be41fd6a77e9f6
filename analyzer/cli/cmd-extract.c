/* SPDX-License-Identifier: MIT */
/*
 * cmd-extract.c: "mailtrail extract", the attachments of messages saved
 * into a folder for a sandbox or a virus scanner, with a manifest.json
 * that ties every file to its message, its part and its hashes. Every
 * attachment the analysis found is written: MIME parts, uuencoded blocks
 * in a body and the files inside a TNEF winmail.dat.
 *
 * The file names are the attacker's. Each one is rebuilt into a plain
 * name that cannot climb out of the folder ("../../etc/passwd"), hide its
 * real extension behind a right-to-left override ("a<U+202E>fdp.exe"),
 * rewrite the analyst's terminal when the folder is listed (ESC [), hide
 * as a dot file, start like an option for "rm *", or name a Windows
 * device (CON, LPT1.txt) when the folder is later copied to a share.
 * Files are created with openat() under a descriptor of the folder, with
 * O_EXCL, so an existing file is never overwritten and a symbolic link
 * planted in the folder is never followed; a name already taken gets a
 * number ("name (2).ext"). The folder itself must not be a symbolic link.
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

/* Names are cut to this many bytes (at a UTF-8 boundary, keeping the
 * extension), well under every file system's NAME_MAX of 255 and short
 * enough for Windows' 260-character paths once the folder is copied. */
#define MAX_NAME_BYTES 120
/* A longer "extension" is part of the name: ".tar.gz" and ".docx" are
 * short, a dot somewhere in a 500-byte name is not an extension. */
#define MAX_EXT_BYTES 16
/* Numbered names tried for one file before giving up. */
#define MAX_COLLISIONS 100000
/* Bytes handed to write() at a time. */
#define WRITE_CHUNK (1024 * 1024)

#define MANIFEST_NAME "manifest.json"

typedef struct {
    MtInputFormat input_format;
    const char *dir;
    GPtrArray *parts; /* char*, borrowed: the --part values */
    gboolean quiet;
    MtOptions analysis;
} ExtractOptions;

/* The state of one run. */
typedef struct {
    const ExtractOptions *opts;
    int dir_fd;
    FILE *manifest;
    guint64 manifest_entries;
    GHashTable *next_number; /* safe name -> next number to try */
    GHashTable *parts_matched; /* --part values that named an attachment */
    GHashTable *parts_seen;    /* --part values that named any part */
    guint64 files_written;
    gboolean write_failed;
    gboolean input_failed;
} Extraction;

static void
usage(FILE *out)
{
    fputs(
        "Usage: mailtrail extract --dir DIR [OPTIONS] INPUT...\n"
        "\n"
        "Write the attachments of messages into DIR, each under a safe\n"
        "file name, with a manifest.json listing every file written: its\n"
        "message (path, index, offset, sha256), part, source (mime,\n"
        "uuencode, tnef), original and safe name, size, MD5, SHA-1,\n"
        "SHA-256, declared and detected type, and whether a decoding\n"
        "limit truncated it. INPUT is read as by\n"
        "'mailtrail analyze' (message file, mbox, maildir, directory, -).\n"
        "\n"
        "DIR is created (mode 0700) when missing and must not be a\n"
        "symbolic link; it must not hold a manifest.json already. Files\n"
        "are created with mode 0600 and never replace an existing file or\n"
        "follow a symbolic link: a name already taken gets a number,\n"
        "\"name (2).ext\". A safe name has no '/', '\\', ':', '*', '?',\n"
        "'\"', '<', '>', '|', no control or format characters (bidi\n"
        "overrides), no leading dot, space or '-', no trailing dot or\n"
        "space, is not a Windows device name (CON, NUL, COM1, ...), has\n"
        "invalid UTF-8 bytes as '_', and is at most 120 bytes, keeping the\n"
        "extension. A nameless attachment is \"attachment\".\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR            where to write (required)\n"
        "  -p, --part PATH          only the attachment at this part path\n"
        "                           (\"2\", \"1.3\", \"2:uu1\", \"3:tnef1\",\n"
        "                           as in the report's attachments);\n"
        "                           repeatable\n"
        "      --input-format KIND  eml, mbox or maildir: skip detection\n"
        "      --limit NAME=VALUE   a safety limit, as for analyze (the\n"
        "                           names and defaults are in 'mailtrail\n"
        "                           help analyze'); repeatable\n"
        "      --max-message-size N --limit max-message-bytes=N\n"
        "  -q, --quiet              no line per file written\n"
        "  -h, --help               show this help and exit\n"
        "\n"
        "Exit codes:\n"
        "  0  every message was analyzed and every attachment written\n"
        "  2  usage error\n"
        "  3  some input could not be read or parsed, or an attachment's\n"
        "     bytes were not kept; the rest was extracted\n"
        "  5  a file could not be written (DIR not usable, manifest.json\n"
        "     exists, no space, permission denied), or the list of files\n"
        "     on standard output; 5 wins over 3 and 6\n"
        "  6  a --part matched no attachment in any message (3 wins)\n"
        "\n"
        "Errors go to stderr as \"mailtrail: PATH#INDEX: what went "
        "wrong\".\n",
        out);
}

/* Usage errors name this command (cli-common.c). */
#define usage_error(...) mt_cli_usage_error("extract", __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Safe names. */

/* Whether c must not appear in a file name. Path separators of both
 * systems, the characters Windows refuses, controls (C0, DEL and C1: a
 * name with ESC [ rewrites the terminal of whoever lists the folder),
 * format characters (U+202E makes "a<RLO>fdp.exe" read "aexe.pdf", zero
 * widths hide text), line separators, and noncharacters. */
static gboolean
unsafe_char(gunichar c)
{
    switch (c) {
    case '/':
    case '\\':
    case ':':
    case '*':
    case '?':
    case '"':
    case '<':
    case '>':
    case '|':
        return TRUE;
    default:
        break;
    }
    if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
        return TRUE;
    switch (g_unichar_type(c)) {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
        return TRUE;
    default:
        return FALSE;
    }
}

/* Whether name is a Windows device name: the part before the first dot,
 * trailing spaces ignored, is CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM or
 * LPT with a digit or a superscript 1-3, in any case. Windows opens the
 * device instead of the file, with or without an extension. */
static gboolean
device_name(const char *name)
{
    static const char *const fixed[] = {"CON", "PRN", "AUX", "NUL",
                                        "CONIN$", "CONOUT$"};
    const char *dot = strchr(name, '.');
    gsize len = dot ? (gsize)(dot - name) : strlen(name);
    g_autofree char *base = NULL;

    while (len > 0 && name[len - 1] == ' ')
        len--;
    base = g_strndup(name, len);
    for (gsize i = 0; i < G_N_ELEMENTS(fixed); i++)
        if (g_ascii_strcasecmp(base, fixed[i]) == 0)
            return TRUE;
    if (len < 4 || (g_ascii_strncasecmp(base, "COM", 3) != 0 &&
                    g_ascii_strncasecmp(base, "LPT", 3) != 0))
        return FALSE;
    /* COM0-COM9, and COM followed by U+00B9, U+00B2 or U+00B3. */
    if (len == 4 && g_ascii_isdigit(base[3]))
        return TRUE;
    return len == 5 && (guchar)base[3] == 0xc2 &&
           ((guchar)base[4] == 0xb9 || (guchar)base[4] == 0xb2 ||
            (guchar)base[4] == 0xb3);
}

/* The name with every unsafe character and invalid UTF-8 byte as '_',
 * leading dots and spaces dropped (no hidden file), a leading '-' as '_'
 * (no option for "rm *"), trailing dots and spaces dropped (Windows drops
 * them and the name changes), "attachment" when nothing is left. Not yet
 * cut to length. Linear in the name. Transfer full. */
static char *
clean_name(const char *name)
{
    GString *out = g_string_new(NULL);
    const char *p = name ? name : "";
    const char *end = p + strlen(p);
    gsize start = 0;

    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append_c(out, '_');
            p++;
            continue;
        }
        if (unsafe_char(c))
            g_string_append_c(out, '_');
        else
            g_string_append_unichar(out, c);
        p = g_utf8_next_char(p);
    }
    while (start < out->len &&
           (out->str[start] == '.' || out->str[start] == ' '))
        start++;
    g_string_erase(out, 0, start);
    while (out->len > 0 && (out->str[out->len - 1] == '.' ||
                            out->str[out->len - 1] == ' '))
        g_string_truncate(out, out->len - 1);
    if (out->len > 0 && out->str[0] == '-')
        out->str[0] = '_';
    if (out->len == 0)
        g_string_append(out, "attachment");
    return g_string_free(out, FALSE);
}

/* The longest prefix of the valid UTF-8 text s (len bytes) that fits in
 * max bytes without splitting a character. */
static gsize
utf8_cut(const char *s, gsize len, gsize max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((guchar)s[max] & 0xc0) == 0x80)
        max--;
    return max;
}

/* The name from the cleaned name: its stem cut so that the stem, the
 * number suffix and the extension fit in MAX_NAME_BYTES, with prefix in
 * front. Transfer full. */
static char *
assemble(const char *clean, gsize stem_len, const char *suffix,
         const char *ext, const char *prefix)
{
    gsize budget =
        MAX_NAME_BYTES - strlen(ext) - strlen(suffix) - strlen(prefix);
    gsize keep = utf8_cut(clean, stem_len, budget);
    GString *name = g_string_new(prefix);

    /* A cut can leave a trailing dot or space at the very end. */
    while (keep > 1 && !*suffix && !*ext &&
           (clean[keep - 1] == '.' || clean[keep - 1] == ' '))
        keep--;
    g_string_append_len(name, clean, (gssize)keep);
    g_string_append(name, suffix);
    g_string_append(name, ext);
    return g_string_free(name, FALSE);
}

/* The file name for a cleaned name, numbered when number > 1 as
 * "stem (N).ext", cut to MAX_NAME_BYTES. A device name gets a leading '_'
 * (checked after the cut: "CON", 200 spaces and "x" cut down could
 * become "CON"). Transfer full. */
static char *
numbered_name(const char *clean, guint number)
{
    const char *dot = strrchr(clean, '.');
    g_autofree char *suffix =
        number > 1 ? g_strdup_printf(" (%u)", number) : g_strdup("");
    const char *ext = "";
    char *name;

    if (dot && dot != clean && strlen(dot) <= MAX_EXT_BYTES)
        ext = dot;
    name = assemble(clean, strlen(clean) - strlen(ext), suffix, ext, "");
    if (!device_name(name))
        return name;
    /* "_CON" is no device: the part before the dot starts with '_'. */
    g_free(name);
    return assemble(clean, strlen(clean) - strlen(ext), suffix, ext, "_");
}

/* ------------------------------------------------------------------ */
/* Writing. */

static gboolean
write_all(int fd, const guint8 *data, gsize len, int *err)
{
    while (len > 0) {
        ssize_t n = write(fd, data, MIN(len, WRITE_CHUNK));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = n < 0 ? errno : EIO;
            return FALSE;
        }
        data += n;
        len -= (gsize)n;
    }
    return TRUE;
}

/* Creates a new file in the folder for the cleaned name, numbering it
 * when the name is taken (by an earlier file of this run, a file that
 * was there before, or a planted symbolic link: O_EXCL fails on all of
 * them, and never follows a link). Returns the descriptor and the name
 * used in *chosen, or -1 with errno in *err. */
static int
create_file(Extraction *x, const char *clean, char **chosen, int *err)
{
    guint number = GPOINTER_TO_UINT(g_hash_table_lookup(x->next_number,
                                                        clean));

    if (number == 0)
        number = 1;
    for (guint tries = 0; tries < MAX_COLLISIONS; tries++, number++) {
        g_autofree char *name = numbered_name(clean, number);
        int fd = openat(x->dir_fd, name,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0600);
        if (fd >= 0) {
            /* Exactly 0600, whatever the umask: evidence is private. */
            if (fchmod(fd, 0600) != 0) {
                *err = errno;
                close(fd);
                unlinkat(x->dir_fd, name, 0);
                *chosen = g_steal_pointer(&name);
                return -1;
            }
            /* The next file of the same name starts at the next number,
             * so a thousand "image.png" cost a thousand opens, not a
             * million. */
            g_hash_table_replace(x->next_number, g_strdup(clean),
                                 GUINT_TO_POINTER(number + 1));
            *chosen = g_steal_pointer(&name);
            return fd;
        }
        if (errno != EEXIST) {
            *err = errno;
            *chosen = g_steal_pointer(&name);
            return -1;
        }
    }
    *err = EEXIST;
    *chosen = numbered_name(clean, 1);
    return -1;
}

static void
say_write_error(const Extraction *x, const MtReport *report,
                const MtAttachment *a, const char *name, int err)
{
    g_autofree char *dir = mt_text_terminal_safe(x->opts->dir);
    g_autofree char *file = mt_text_terminal_safe(name);
    g_autofree char *path = mt_text_terminal_safe(report->source.path);
    g_autofree char *part = mt_text_terminal_safe(a->part);

    fprintf(stderr,
            "mailtrail: %s/%s: cannot write: %s (attachment %s of "
            "%s#%" G_GUINT64_FORMAT ")\n",
            dir, file, g_strerror(err), part, path, report->source.index);
}

/* A hash for the manifest: null when the analysis gave none. */
static json_t *
hash_or_null(const char *hex)
{
    return *hex ? json_string(hex) : json_null();
}

static void
manifest_add(Extraction *x, const MtReport *report, const MtAttachment *a,
             const char *name, gsize size, gboolean hashes_valid,
             gboolean truncated)
{
    const MtSource *src = &report->source;
    json_t *entry = json_object();
    json_t *message = json_object();
    static const MtHashes none = {"", "", ""};
    const MtHashes *h = hashes_valid ? &a->hashes : &none;

    json_object_set_new(message, "path", mt_json_string_or_null(src->path));
    json_object_set_new(message, "index",
                        json_integer((json_int_t)src->index));
    json_object_set_new(message, "offset",
                        json_integer((json_int_t)src->offset));
    json_object_set_new(message, "sha256", json_string(src->sha256));
    json_object_set_new(entry, "message", message);
    json_object_set_new(entry, "part", mt_json_string_or_null(a->part));
    json_object_set_new(entry, "source", mt_json_string_or_null(a->source));
    json_object_set_new(entry, "original_name",
                        mt_json_string_or_null(a->filename));
    json_object_set_new(entry, "safe_name", json_string(name));
    json_object_set_new(entry, "size", json_integer((json_int_t)size));
    json_object_set_new(entry, "md5", hash_or_null(h->md5));
    json_object_set_new(entry, "sha1", hash_or_null(h->sha1));
    json_object_set_new(entry, "sha256", hash_or_null(h->sha256));
    json_object_set_new(entry, "declared_type",
                        mt_json_string_or_null(a->declared_type));
    json_object_set_new(entry, "detected_type",
                        mt_json_string_or_null(a->detected_type));
    json_object_set_new(entry, "truncated", json_boolean(truncated));

    /* One entry a line, so that a run cut short leaves every line before
     * the cut readable. */
    fputs(x->manifest_entries == 0 ? "[\n" : ",\n", x->manifest);
    json_dumpf(entry, x->manifest, JSON_COMPACT | JSON_ENSURE_ASCII);
    x->manifest_entries++;
    json_decref(entry);
}

/* Writes one attachment into the folder and the manifest. */
static void
extract_one(Extraction *x, const MtReport *report, const MtAttachment *a)
{
    g_autofree char *clean = clean_name(a->filename);
    g_autofree char *name = NULL;
    const guint8 *bytes;
    const MtPart *mime_part = NULL;
    gsize size = 0;
    gboolean written;
    int err = 0;
    int fd;

    if (a->data == NULL) {
        g_autofree char *path = mt_text_terminal_safe(report->source.path);
        g_autofree char *part = mt_text_terminal_safe(a->part);
        /* A limit (max_part_decoded, max_message_decoded) or a part that
         * could not be decoded: nothing to write, and the run is not
         * complete. */
        fprintf(stderr,
                "mailtrail: %s#%" G_GUINT64_FORMAT ": attachment %s: no "
                "decoded bytes were kept, nothing written\n",
                path, report->source.index, part);
        x->input_failed = TRUE;
        return;
    }
    bytes = g_bytes_get_data(a->data, &size);
    fd = create_file(x, clean, &name, &err);
    if (fd < 0) {
        say_write_error(x, report, a, name, err);
        x->write_failed = TRUE;
        return;
    }
    written = write_all(fd, bytes, size, &err);
    /* NFS and some FUSE file systems report a failed write at close. */
    if (close(fd) != 0 && written) {
        err = errno;
        written = FALSE;
    }
    if (!written) {
        /* A short file under the attachment's name would pass for the
         * attachment: remove it. */
        say_write_error(x, report, a, name, err);
        unlinkat(x->dir_fd, name, 0);
        x->write_failed = TRUE;
        return;
    }
    x->files_written++;
    /* A part decoded only up to max_part_decoded or max_message_decoded
     * gives a file that is not the whole attachment: say so, there and
     * in the exit status. */
    if (g_strcmp0(a->source, "mime") == 0 && report->mime.root &&
        (mime_part = mt_part_find(report->mime.root, a->part)) != NULL &&
        mime_part->decoded_truncated) {
        g_autofree char *path = mt_text_terminal_safe(report->source.path);
        g_autofree char *shown = mt_text_terminal_safe(name);
        fprintf(stderr,
                "mailtrail: %s#%" G_GUINT64_FORMAT ": %s holds only the "
                "first %" G_GSIZE_FORMAT " bytes of the attachment (a "
                "decoding limit)\n",
                path, report->source.index, shown, size);
        x->input_failed = TRUE;
    }
    /* The analysis hashed the same decoded bytes; should it ever have
     * hashed others, the manifest says null rather than a wrong hash. */
    manifest_add(x, report, a, name, size,
                 a->size == size && a->hashes.sha256[0] != '\0',
                 mime_part && mime_part->decoded_truncated);
    if (!x->opts->quiet) {
        g_autofree char *dir = mt_text_terminal_safe(x->opts->dir);
        g_autofree char *file = mt_text_terminal_safe(name);
        g_autofree char *path = mt_text_terminal_safe(report->source.path);
        g_autofree char *part = mt_text_terminal_safe(a->part);
        printf("%s/%s: %" G_GSIZE_FORMAT " bytes, attachment %s of "
               "%s#%" G_GUINT64_FORMAT "\n",
               dir, file, size, part, path, report->source.index);
    }
}

/* Whether the attachment is wanted: all of them without --part. */
static gboolean
wanted(Extraction *x, const MtAttachment *a)
{
    GPtrArray *parts = x->opts->parts;

    if (parts->len == 0)
        return TRUE;
    for (guint i = 0; i < parts->len; i++) {
        if (a->part && strcmp(a->part, parts->pdata[i]) == 0) {
            g_hash_table_add(x->parts_matched, parts->pdata[i]);
            return TRUE;
        }
    }
    return FALSE;
}

static void
extract_report(Extraction *x, const MtReport *report)
{
    GPtrArray *attachments = report->mime.attachments;
    GPtrArray *parts = x->opts->parts;

    for (guint i = 0; attachments && i < attachments->len; i++) {
        const MtAttachment *a = attachments->pdata[i];
        if (wanted(x, a))
            extract_one(x, report, a);
    }
    /* Remembered so that a --part naming a body can be told from one
     * naming nothing at all. */
    for (guint i = 0; report->mime.root && i < parts->len; i++)
        if (mt_part_find(report->mime.root, parts->pdata[i]))
            g_hash_table_add(x->parts_seen, parts->pdata[i]);
}

/* Opens (creating it when missing) the folder, refusing a symbolic link,
 * and reserves manifest.json in it before anything else is written.
 * Returns FALSE after saying why. */
static gboolean
open_dir(Extraction *x)
{
    g_autofree char *dir = g_strdup(x->opts->dir);
    g_autofree char *shown = mt_text_terminal_safe(x->opts->dir);
    gsize len = strlen(dir);
    int fd;

    /* "out/" would follow a link named out: O_NOFOLLOW looks at the last
     * component, and a trailing slash makes the link's target the last. */
    while (len > 1 && dir[len - 1] == '/')
        dir[--len] = '\0';
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        fprintf(stderr, "mailtrail: %s: cannot create directory: %s\n",
                shown, g_strerror(errno));
        return FALSE;
    }
    x->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (x->dir_fd < 0) {
        int err = errno;
        struct stat st;
        /* Linux says ENOTDIR for a link with O_DIRECTORY, ELOOP without:
         * name the real reason, a link someone could have planted. */
        gboolean link = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode);
        fprintf(stderr, "mailtrail: %s: cannot open directory: %s\n", shown,
                link ? "it is a symbolic link" : g_strerror(err));
        return FALSE;
    }
    fd = openat(x->dir_fd, MANIFEST_NAME,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            fprintf(stderr,
                    "mailtrail: %s/" MANIFEST_NAME ": already exists: "
                    "extract into a new directory (nothing was written)\n",
                    shown);
        else
            fprintf(stderr, "mailtrail: %s/" MANIFEST_NAME ": cannot "
                            "create: %s\n",
                    shown, g_strerror(errno));
        return FALSE;
    }
    x->manifest = fdopen(fd, "w");
    if (x->manifest == NULL) {
        fprintf(stderr, "mailtrail: %s/" MANIFEST_NAME ": %s\n", shown,
                g_strerror(errno));
        close(fd);
        return FALSE;
    }
    return TRUE;
}

/* Finishes manifest.json. Returns FALSE after saying why it failed. */
static gboolean
close_manifest(Extraction *x)
{
    g_autofree char *shown = mt_text_terminal_safe(x->opts->dir);
    gboolean ok;

    fputs(x->manifest_entries == 0 ? "[]\n" : "\n]\n", x->manifest);
    ok = fflush(x->manifest) == 0 && !ferror(x->manifest);
    if (fclose(x->manifest) != 0)
        ok = FALSE;
    x->manifest = NULL;
    if (!ok)
        fprintf(stderr, "mailtrail: %s/" MANIFEST_NAME ": write failed: %s\n",
                shown, g_strerror(errno));
    return ok;
}

/* Says which --part values named no attachment. Returns TRUE if any. */
static gboolean
say_missing_parts(const Extraction *x)
{
    GPtrArray *parts = x->opts->parts;
    gboolean missing = FALSE;

    for (guint i = 0; i < parts->len; i++) {
        g_autofree char *part = NULL;
        if (g_hash_table_contains(x->parts_matched, parts->pdata[i]))
            continue;
        part = mt_text_terminal_safe(parts->pdata[i]);
        if (g_hash_table_contains(x->parts_seen, parts->pdata[i]))
            fprintf(stderr,
                    "mailtrail: --part %s: that part is not an attachment "
                    "in any message\n",
                    part);
        else
            fprintf(stderr,
                    "mailtrail: --part %s: no message has an attachment at "
                    "this part path (see \"attachments\" in 'mailtrail "
                    "analyze --format json')\n",
                    part);
        missing = TRUE;
    }
    return missing;
}

static int
run(const ExtractOptions *opts, char **inputs, int n_inputs)
{
    Extraction x = {0};
    MtInput *input;
    MtRunStats stats = {0};
    gboolean missing;

    x.opts = opts;
    x.dir_fd = -1;
    if (!open_dir(&x)) {
        if (x.dir_fd >= 0)
            close(x.dir_fd);
        return MT_EXIT_WRITE;
    }
    x.next_number = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    x.parts_matched = g_hash_table_new(g_str_hash, g_str_equal);
    x.parts_seen = g_hash_table_new(g_str_hash, g_str_equal);

    input = mt_input_new(&opts->analysis.limits);
    for (int i = 0; i < n_inputs; i++)
        mt_input_add(input, inputs[i], opts->input_format);
    for (;;) {
        g_autoptr(GError) error = NULL;
        MtRawMessage *raw = NULL;
        const char *error_path = NULL;
        MtReport *report;
        MtInputStatus got = mt_input_next(input, &raw, &error_path, &error);

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
        if (report->errors->len > 0) {
            x.input_failed = TRUE;
            mt_cli_say_report_errors(report);
        }
        /* A message with errors may still have attachments: write what
         * was found. */
        if (report->analyzed)
            extract_report(&x, report);
        mt_report_free(report);
    }
    mt_input_free(input);

    if (!close_manifest(&x))
        x.write_failed = TRUE;
    /* The list of files written is part of the result: a full disk or a
     * closed pipe under it is a write failure too. */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mailtrail: standard output: write error: %s\n",
                g_strerror(errno ? errno : EIO));
        x.write_failed = TRUE;
    }
    close(x.dir_fd);
    missing = say_missing_parts(&x);
    fprintf(stderr,
            "mailtrail: %" G_GUINT64_FORMAT " messages read, "
            "%" G_GUINT64_FORMAT " with errors, %" G_GUINT64_FORMAT
            " inputs not readable as mail, %" G_GUINT64_FORMAT
            " files written\n",
            stats.messages, stats.with_errors, stats.input_errors,
            x.files_written);
    g_hash_table_destroy(x.next_number);
    g_hash_table_destroy(x.parts_matched);
    g_hash_table_destroy(x.parts_seen);

    /* A file that could not be written leaves the evidence incomplete in
     * a way the analyst must fix (space, permissions) before anything
     * else; an unreadable input may explain a --part not found. */
    if (x.write_failed)
        return MT_EXIT_WRITE;
    if (x.input_failed)
        return MT_EXIT_INPUT;
    if (missing)
        return MT_EXIT_NO_PART;
    return MT_EXIT_OK;
}

int
mt_cmd_extract(int argc, char **argv)
{
    enum {
        OPT_INPUT_FORMAT = 256,
        OPT_MAX_MESSAGE_SIZE,
        OPT_LIMIT,
    };
    static const struct option long_options[] = {
        {"dir", required_argument, NULL, 'd'},
        {"part", required_argument, NULL, 'p'},
        {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
        {"max-message-size", required_argument, NULL, OPT_MAX_MESSAGE_SIZE},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    g_autoptr(GPtrArray) parts = g_ptr_array_new();
    ExtractOptions opts = {0};
    int c;

    mt_options_init_default(&opts.analysis);
    opts.analysis.keep_attachment_data = TRUE;
    opts.parts = parts;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:p:qh", long_options, NULL)) !=
           -1) {
        switch (c) {
        case 'd':
            if (*optarg == '\0')
                return usage_error("%s", "--dir: empty path");
            opts.dir = optarg;
            break;
        case 'p':
            if (*optarg == '\0')
                return usage_error("%s", "--part: empty path");
            g_ptr_array_add(parts, optarg);
            break;
        case OPT_INPUT_FORMAT:
            if (!mt_input_format_from_string(optarg, &opts.input_format) ||
                opts.input_format == MT_INPUT_FORMAT_AUTO)
                return usage_error(
                    "unknown input format '%s' (eml, mbox, maildir)", optarg);
            break;
        case OPT_MAX_MESSAGE_SIZE:
            if (!mt_cli_set_limit("extract", &opts.analysis.limits,
                                  "--max-message-size", "max-message-bytes",
                                  optarg))
                return MT_EXIT_USAGE;
            break;
        case OPT_LIMIT:
            if (!mt_cli_set_limit("extract", &opts.analysis.limits, "--limit",
                                  NULL, optarg))
                return MT_EXIT_USAGE;
            break;
        case 'q':
            opts.quiet = TRUE;
            break;
        case 'h':
            usage(stdout);
            return MT_EXIT_OK;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (opts.dir == NULL)
        return usage_error("%s", "no --dir given");
    if (optind >= argc)
        return usage_error("%s", "no INPUT given (use - for standard input)");
    return run(&opts, argv + optind, argc - optind);
}
