/* SPDX-License-Identifier: MIT */
/*
 * archive.c: archives listed in memory with libarchive, nothing written to
 * disk. Malware mostly arrives in an archive (a zip with a .js, an .iso
 * with a .lnk, a password-protected zip whose password is in the body),
 * so the report names every entry, says which are executable by name or
 * by their first bytes, which are encrypted, and lists archives inside
 * archives two levels deep.
 *
 * An archive is a decompression bomb until proved otherwise. Each
 * attachment gets a budget of decompressed bytes (the part limit); an
 * entry is read only up to its first bytes unless it is itself an archive
 * small enough to list; and skipping the rest of an entry is left to
 * libarchive only where a skip is a seek (zip read through its central
 * directory, an uncompressed tar, cpio, ar or ISO image). Everywhere else
 * (a compressed tar, 7z and rar solid blocks, cab folders) the skipped
 * bytes are decompressed by us, counted against the budget, and the
 * listing stops with a limit-reached finding when it runs out. Entries
 * past max_archive_entries are counted, not kept.
 */
#include <locale.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "mime-private.h"

/* attachment.c: the executable extensions and types, shared with the
 * attachment checks. */
gboolean mt_attachment_name_executable(const char *name);
gboolean mt_attachment_type_executable(const char *type);

/* Archives inside archives are listed down to this depth (0 is the
 * attachment itself). A bound, not the attacker's choice. */
#define MAX_NESTED_DEPTH 2
/* An inner archive is read into memory up to this size to be listed. */
#define MAX_NESTED_BYTES ((gsize)16 * 1024 * 1024)
/* The first bytes of each entry, for libmagic. */
#define HEAD_BYTES ((gsize)16 * 1024)
/* Headers walked past the entry limit, just to count them. */
#define MAX_EXTRA_HEADERS 100000
/* A listed entry name is cut here. */
#define MAX_NAME_BYTES 4096
#define CHUNK ((gsize)64 * 1024)

typedef struct {
    MtReport *report;       /* may be NULL: limits are then not recorded */
    MtAttachment *a;
    guint max_entries;
    guint64 budget;         /* decompressed bytes that may still be read */
    guint64 headers;        /* headers walked past the entry limit */
    gboolean stopped;       /* a limit ended the listing */
    gboolean nested_noted;  /* the nested size limit was recorded */
} Lister;

/* Records a limit hit (message built by the caller). */
static void
limit(Lister *l, const char *name, const char *message)
{
    if (l->report != NULL)
        mt_report_limit_reached(l->report, name, l->a->part, "%s", message);
}

/* The inner archive that was too large to list, recorded once. */
static void
nested_too_large(Lister *l, const char *name)
{
    g_autofree char *message = NULL;

    if (l->nested_noted)
        return;
    l->nested_noted = TRUE;
    message = g_strdup_printf("the archive entry \"%s\" is an archive "
                              "larger than %u MiB and was not listed", name,
                              (guint)(MAX_NESTED_BYTES >> 20));
    limit(l, "max-archive-nested-bytes", message);
}

/* The MIME types of containers libarchive lists. Zip-based documents
 * (OOXML, ODF, jar, epub) are zips too. */
static gboolean
type_is_archive(const char *type)
{
    static const char *const types[] = {
        "application/zip", "application/x-zip-compressed",
        "application/java-archive", "application/vnd.android.package-archive",
        "application/epub+zip", "application/x-rar",
        "application/x-rar-compressed", "application/vnd.rar",
        "application/x-7z-compressed", "application/x-tar",
        "application/x-gtar", "application/x-ustar", "application/gzip",
        "application/x-gzip", "application/x-bzip2", "application/x-xz",
        "application/x-lzma", "application/x-lzip", "application/zstd",
        "application/x-zstd", "application/x-compress",
        "application/vnd.ms-cab-compressed", "application/x-iso9660-image",
        "application/x-cpio", "application/x-archive", "application/x-xar",
        "application/x-lzh-compressed", "application/x-lha",
        "application/x-debian-package",
    };

    if (type == NULL)
        return FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
        if (g_ascii_strcasecmp(type, types[i]) == 0)
            return TRUE;
    return g_str_has_prefix(type, "application/vnd.openxmlformats-") ||
           g_str_has_prefix(type, "application/vnd.oasis.opendocument.") ||
           (g_str_has_prefix(type, "application/vnd.ms-") &&
            strstr(type, "macroenabled") != NULL);
}

/* Single-stream compressors: their one file is listed through libarchive's
 * "raw" format when no archive format is inside. */
static gboolean
type_is_compressed(const char *type)
{
    static const char *const types[] = {
        "application/gzip", "application/x-gzip", "application/x-bzip2",
        "application/x-xz", "application/x-lzma", "application/x-lzip",
        "application/zstd", "application/x-zstd", "application/x-compress",
    };

    for (gsize i = 0; type != NULL && i < G_N_ELEMENTS(types); i++)
        if (g_ascii_strcasecmp(type, types[i]) == 0)
            return TRUE;
    return FALSE;
}

static gboolean
looks_zip(const guchar *p, gsize len)
{
    return len >= 4 && p[0] == 'P' && p[1] == 'K' &&
           ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6) ||
            (p[2] == 7 && p[3] == 8));
}

/* The entry's name as UTF-8: libarchive's UTF-8 when it has one, else
 * the stored bytes escaped. */
static char *
entry_name(struct archive_entry *e)
{
    const char *utf8 = archive_entry_pathname_utf8(e);
    const char *raw;
    gsize n;

    if (utf8 != NULL && g_utf8_validate(utf8, -1, NULL)) {
        n = strlen(utf8);
        if (n > MAX_NAME_BYTES) {
            const char *end = g_utf8_find_prev_char(utf8,
                                                    utf8 + MAX_NAME_BYTES);
            n = end != NULL ? (gsize)(end - utf8) : 0;
        }
        return g_strndup(utf8, n);
    }
    raw = archive_entry_pathname(e);
    if (raw == NULL)
        return g_strdup("");
    return mt_escape_bytes(raw, MIN(strlen(raw), MAX_NAME_BYTES), NULL);
}

/* Reads up to want bytes of the current entry into buf, charging the
 * budget. Returns FALSE when the budget ran out (the listing stops). */
static gboolean
read_data(Lister *l, struct archive *ar, GByteArray *buf, gsize want,
          gboolean *ended)
{
    guchar chunk[CHUNK];

    *ended = FALSE;
    while (buf == NULL || buf->len < want) {
        gsize ask = CHUNK;
        la_ssize_t got;

        if (buf != NULL)
            ask = MIN(ask, want - buf->len);
        if (l->budget == 0) {
            l->stopped = TRUE;
            limit(l, "max-part-decoded", "the archive listing stopped at "
                  "the part limit of decompressed bytes");
            return FALSE;
        }
        ask = (gsize)MIN((guint64)ask, l->budget);
        got = archive_read_data(ar, chunk, ask);
        if (got <= 0) {
            /* The end, or an entry that cannot be read (encrypted,
             * an unsupported method, damage). */
            *ended = TRUE;
            return TRUE;
        }
        l->budget -= (guint64)got;
        if (buf != NULL)
            g_byte_array_append(buf, chunk, (guint)got);
    }
    return TRUE;
}

static gboolean list_archive(Lister *l, const guchar *data, gsize len,
                             const char *type, int depth,
                             gboolean seekable_zip, char **format);

/* Adds one entry; reads its first bytes, lists it when it is an archive
 * and depth allows. Returns FALSE when the listing must stop. */
static gboolean
add_entry(Lister *l, struct archive *ar, struct archive_entry *e, int depth,
          gboolean cheap_skip)
{
    g_autoptr(GByteArray) head = NULL;
    MtArchiveEntry *entry;
    gboolean ended = FALSE;

    entry = g_new0(MtArchiveEntry, 1);
    entry->name = entry_name(e);
    entry->size = archive_entry_size_is_set(e) ?
                  (guint64)MAX(archive_entry_size(e), 0) : 0;
    entry->encrypted = archive_entry_is_encrypted(e) != 0;
    entry->is_dir = archive_entry_filetype(e) == AE_IFDIR;
    entry->depth = depth;
    entry->executable = !entry->is_dir &&
                        mt_attachment_name_executable(entry->name);
    g_ptr_array_add(l->a->archive_entries, entry);
    if (entry->encrypted)
        l->a->flags |= MT_ATTACH_ENCRYPTED;
    if (entry->is_dir || entry->encrypted ||
        archive_entry_filetype(e) != AE_IFREG)
        return TRUE;

    head = g_byte_array_new();
    if (!read_data(l, ar, head, HEAD_BYTES, &ended))
        return FALSE;
    if (head->len > 0) {
        entry->detected_type = mt_magic_type(head->data, head->len, NULL);
        if (mt_attachment_type_executable(entry->detected_type))
            entry->executable = TRUE;
    }

    if (depth < MAX_NESTED_DEPTH &&
        (type_is_archive(entry->detected_type) ||
         looks_zip(head->data, head->len))) {
        if (archive_entry_size_is_set(e) &&
            (guint64)archive_entry_size(e) > MAX_NESTED_BYTES) {
            nested_too_large(l, entry->name);
        } else {
            /* The whole entry, one byte past the bound to see it. */
            if (!ended &&
                !read_data(l, ar, head, MAX_NESTED_BYTES + 1, &ended))
                return FALSE;
            if (head->len > MAX_NESTED_BYTES) {
                nested_too_large(l, entry->name);
            } else {
                /* The inner format name is not kept: the outer one names
                 * the attachment. */
                list_archive(l, head->data, head->len,
                             entry->detected_type, depth + 1, TRUE, NULL);
                if (l->stopped)
                    return FALSE;
            }
        }
    }

    /* Where libarchive would decompress to skip, decompress here under
     * the budget. */
    if (!ended && !cheap_skip)
        return read_data(l, ar, NULL, G_MAXSIZE, &ended);
    return TRUE;
}

/* Whether an error text says the archive or its headers are encrypted
 * (7z and rar5 with encrypted headers). */
static gboolean
error_says_encrypted(struct archive *ar)
{
    const char *text = archive_error_string(ar);
    g_autofree char *lower = NULL;

    if (text == NULL)
        return FALSE;
    lower = g_ascii_strdown(text, -1);
    return strstr(lower, "encrypt") != NULL ||
           strstr(lower, "passphrase") != NULL ||
           strstr(lower, "password") != NULL;
}

/* Lists one archive level. A zip is read through its central directory
 * when seekable_zip is set and it has one. Returns FALSE when libarchive
 * reads no archive from data. */
static gboolean
list_archive(Lister *l, const guchar *data, gsize len, const char *type,
             int depth, gboolean seekable_zip, char **format)
{
    struct archive *ar;
    struct archive_entry *e;
    gboolean zip = seekable_zip && looks_zip(data, len);
    guint before = l->a->archive_entries->len;
    gboolean cheap_skip = FALSE, any = FALSE, first = TRUE;
    guint retries = 0;

    ar = archive_read_new();
    if (ar == NULL)
        return FALSE;
    archive_read_support_filter_all(ar);
    if (zip) {
        /* Through the central directory only: a skip is a seek, and the
         * streaming reader, which would have to inflate to find an
         * entry's end, is not used. */
        archive_read_support_format_zip_seekable(ar);
    } else {
        archive_read_support_format_all(ar);
        if (type_is_compressed(type))
            archive_read_support_format_raw(ar);
    }
    if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
        archive_read_free(ar);
        return FALSE;
    }

    while (!l->stopped) {
        int r = archive_read_next_header(ar, &e);

        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_RETRY && ++retries < 16)
            continue;
        if (r < ARCHIVE_WARN) {
            if (error_says_encrypted(ar) ||
                archive_read_has_encrypted_entries(ar) > 0) {
                l->a->flags |= MT_ATTACH_ENCRYPTED;
                any = TRUE;
            }
            break;
        }
        if (first) {
            int base = archive_format(ar) & ARCHIVE_FORMAT_BASE_MASK;

            first = FALSE;
            any = TRUE;
            if (format != NULL && archive_format_name(ar) != NULL)
                *format = g_strdup(archive_format_name(ar));
            cheap_skip = zip || base == ARCHIVE_FORMAT_ISO9660 ||
                         ((base == ARCHIVE_FORMAT_TAR ||
                           base == ARCHIVE_FORMAT_CPIO ||
                           base == ARCHIVE_FORMAT_AR) &&
                          archive_filter_count(ar) <= 1);
        }
        if (l->a->archive_entries->len >= l->max_entries) {
            /* Counted, not kept; walking the headers is bounded too. */
            l->a->archive_entries_dropped++;
            if (++l->headers > MAX_EXTRA_HEADERS) {
                l->stopped = TRUE;
                break;
            }
            if (!cheap_skip) {
                gboolean ended;

                if (!read_data(l, ar, NULL, G_MAXSIZE, &ended))
                    break;
            }
            continue;
        }
        if (!add_entry(l, ar, e, depth, cheap_skip))
            break;
    }
    if (archive_read_has_encrypted_entries(ar) > 0)
        l->a->flags |= MT_ATTACH_ENCRYPTED;
    archive_read_free(ar);
    /* A zip without a central directory (cut short, or made to be read
     * as a stream): the streaming reader, under the budget. */
    if (zip && l->a->archive_entries->len == before && !l->stopped)
        return list_archive(l, data, len, type, depth, FALSE, format) ||
               any;
    return any;
}

/* A UTF-8 character type locale for libarchive's name conversions.
 * libarchive converts entry names to the current locale's charset; in
 * the C locale a name flagged UTF-8 cannot be converted and comes back
 * empty. The locale is set for the calling thread only (uselocale), so
 * the process's locale, which is not ours to change, stays as it is.
 * NULL when the C library has no C.UTF-8. */
static locale_t
utf8_locale(void)
{
    static gsize once = 0;
    static locale_t utf8 = (locale_t)0;

    if (g_once_init_enter(&once)) {
        utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        g_once_init_leave(&once, 1);
    }
    return utf8;
}

gboolean
mt_archive_list(MtReport *report, MtAttachment *a, const void *data,
                gsize len, const MtOptions *options)
{
    g_autofree char *own_type = NULL;
    const char *type;
    Lister l = {0};
    char *format = NULL;
    gboolean listed;
    locale_t utf8, previous = (locale_t)0;

    g_return_val_if_fail(a != NULL, FALSE);
    g_return_val_if_fail(data != NULL || len == 0, FALSE);
    g_return_val_if_fail(options != NULL, FALSE);

    if (len == 0)
        return FALSE;
    /* Only what libmagic calls an archive goes to libarchive: every PDF
     * and image would otherwise be offered to a dozen readers. */
    type = a->detected_type;
    if (type == NULL)
        type = own_type = mt_magic_type(data, len, NULL);
    if (!type_is_archive(type) && !looks_zip(data, len))
        return FALSE;

    l.report = report;
    l.a = a;
    l.max_entries = options->limits.max_archive_entries;
    l.budget = MAX(options->limits.max_part_decoded, MAX_NESTED_BYTES);
    if (a->archive_entries == NULL)
        a->archive_entries = mt_archive_entries_new();

    utf8 = utf8_locale();
    if (utf8 != (locale_t)0)
        previous = uselocale(utf8);
    listed = list_archive(&l, data, len, type, 0, TRUE, &format);
    if (utf8 != (locale_t)0)
        uselocale(previous);
    if (!listed) {
        g_free(format);
        if (a->archive_entries->len == 0)
            g_clear_pointer(&a->archive_entries, g_ptr_array_unref);
        return FALSE;
    }
    g_free(a->archive_format);
    a->archive_format = format != NULL ? format : g_strdup("unknown");
    a->flags |= MT_ATTACH_ARCHIVE;
    if (a->archive_entries_dropped > 0) {
        g_autofree char *message = g_strdup_printf(
            "%u archive entries were listed and %u more counted",
            a->archive_entries->len, a->archive_entries_dropped);

        limit(&l, "max-archive-entries", message);
    }
    return TRUE;
}
