/* SPDX-License-Identifier: MIT */
/*
 * attachment.c: each attachment typed by its content, not by what the
 * message says it is. The declared Content-Type and the file name are the
 * sender's words; libmagic reads the bytes. What attackers do with the
 * difference is well known: an executable called invoice.pdf, the
 * "invoice.pdf.exe" double extension (Windows hides the last one), a
 * right-to-left override that makes "photo<RLO>gnp.exe" display as
 * "photoexe.png", Cyrillic letters in a Latin name, Office documents with
 * VBA or Excel 4.0 macros, HTML and SVG pages that harvest passwords
 * offline, encrypted PDFs and archives that scanners cannot open, disk
 * images that carry files past the "downloaded from the Internet" mark,
 * and archives or winmail.dat wrappers that nobody lists. Each becomes a
 * flag on the attachment and a finding pointing at its part.
 *
 * The checks that read structure (the OLE compound file directory, the
 * Excel BIFF records, PDF trailers) are written for hostile bytes: every
 * offset is checked against the buffer, every chain walk is bounded by
 * the number of sectors, and scans look at a bounded prefix and suffix.
 * Archives are listed by archive.c and TNEF streams opened by tnef.c;
 * the files inside a TNEF are analyzed here as attachments of their own.
 */
#include <string.h>

#include <magic.h>

#include "mime-private.h"

/* Exported for archive.c, which types archive entries the same way. */
gboolean mt_attachment_name_executable(const char *name);
gboolean mt_attachment_type_executable(const char *type);

/* libmagic reads this much of an attachment; enough for every type it
 * knows except the OLE compound file, whose directory can be anywhere. */
#define MAGIC_PREFIX ((gsize)1024 * 1024)
#define MAGIC_PREFIX_CFB ((gsize)16 * 1024 * 1024)
/* libmagic's description is cut here. */
#define MAX_DESCRIPTION 256
/* Scans for markers (PDF /Encrypt, HTML forms) read this much from the
 * start and from the end. */
#define SCAN_BYTES ((gsize)1024 * 1024)
/* A TNEF inside a TNEF is opened; one more level is not. */
#define MAX_TNEF_DEPTH 2
/* Names listed in one finding message. */
#define MAX_LISTED 5

/* ------------------------------------------------------------------ */
/* libmagic, one pair of cookies per thread (a cookie is not thread-safe). */

typedef struct {
    magic_t type; /* MAGIC_MIME_TYPE */
    magic_t text; /* the description */
} Magic;

static void
magic_pair_free(gpointer p)
{
    Magic *m = p;

    if (m == NULL)
        return;
    if (m->type != NULL)
        magic_close(m->type);
    if (m->text != NULL)
        magic_close(m->text);
    g_free(m);
}

static GPrivate magic_key = G_PRIVATE_INIT(magic_pair_free);

/* Decompressing inside libmagic would be a bomb and is archive.c's job;
 * the text encoding check stays on, since without it HTML is only
 * "text/plain". */
#define MAGIC_FLAGS (MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_APPTYPE)

static magic_t
cookie_open(int flags)
{
    magic_t cookie = magic_open(flags);
    size_t bytes = MAGIC_PREFIX_CFB;

    if (cookie == NULL)
        return NULL;
    /* No magic database: libmagic is unavailable, not a crash. */
    if (magic_load(cookie, NULL) != 0) {
        magic_close(cookie);
        return NULL;
    }
    (void)magic_setparam(cookie, MAGIC_PARAM_BYTES_MAX, &bytes);
    return cookie;
}

static Magic *
magic_get(void)
{
    Magic *m = g_private_get(&magic_key);

    if (m == NULL) {
        /* Opened once per thread, also when loading failed, so a
         * missing database costs one attempt, not one per part. */
        m = g_new0(Magic, 1);
        m->type = cookie_open(MAGIC_FLAGS | MAGIC_MIME_TYPE);
        if (m->type != NULL)
            m->text = cookie_open(MAGIC_FLAGS);
        g_private_set(&magic_key, m);
    }
    return m;
}

static gboolean
is_cfb(const guchar *p, gsize len)
{
    static const guchar sig[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                  0xA1, 0xB1, 0x1A, 0xE1};

    return len >= 8 && memcmp(p, sig, 8) == 0;
}

/* libmagic's description is built from the file (document titles, names
 * in archives): bounded, and valid UTF-8. */
static char *
description_clean(const char *text)
{
    gsize n = strlen(text);

    if (n > MAX_DESCRIPTION) {
        n = MAX_DESCRIPTION;
        /* Do not cut a UTF-8 sequence in two. */
        while (n > 0 && ((guchar)text[n] & 0xC0) == 0x80)
            n--;
    }
    return mt_escape_bytes(text, n, NULL);
}

char *
mt_magic_type(const void *data, gsize len, char **description)
{
    Magic *m = magic_get();
    gsize n = MIN(len, MAGIC_PREFIX);
    g_autofree char *copy = NULL;
    const char *type;

    if (description != NULL)
        *description = NULL;
    g_return_val_if_fail(data != NULL || len == 0, NULL);
    if (m->type == NULL)
        return NULL;
    if (is_cfb(data, len))
        n = MIN(len, MAGIC_PREFIX_CFB);
    /* Some of libmagic's tests strndup() from the buffer it is given:
     * with a NUL-terminated copy of the prefix, none of them can run off
     * the end of our data whatever length it passes. */
    copy = g_malloc(n + 1);
    if (n > 0)
        memcpy(copy, data, n);
    copy[n] = '\0';
    type = magic_buffer(m->type, copy, n);
    if (type == NULL)
        return NULL;
    if (description != NULL && m->text != NULL) {
        const char *text = magic_buffer(m->text, copy, n);

        if (text != NULL)
            *description = description_clean(text);
    }
    return g_ascii_strdown(type, -1);
}

/* ------------------------------------------------------------------ */
/* Names and types. */

static gboolean
in_list(const char *s, const char *const *list)
{
    for (gsize i = 0; s != NULL && list[i] != NULL; i++)
        if (strcmp(s, list[i]) == 0)
            return TRUE;
    return FALSE;
}

/* Extensions Windows runs, or opens in something that runs code. */
static const char *const exec_exts[] = {
    "exe", "dll", "scr", "com", "pif", "cpl", "msi", "msp", "mst", "jar",
    "lnk", "hta", "ps1", "psm1", "psd1", "bat", "cmd", "vbs", "vbe", "js",
    "jse", "wsf", "wsh", "wsc", "sct", "one", "reg", "chm", "appx",
    "appxbundle", "msix", "msixbundle", "appref-ms", "application", "gadget",
    "inf", "scf", "xll", "iqy", "slk", "ocx", "sys", "drv", "url",
    "settingcontent-ms", "library-ms", "vb", "msc", "ws", "mde", "ade",
    "adp", NULL,
};
/* The subset that is script text. */
static const char *const script_exts[] = {
    "hta", "ps1", "psm1", "psd1", "bat", "cmd", "vbs", "vbe", "js", "jse",
    "wsf", "wsh", "wsc", "sct", "vb", "ws", NULL,
};
static const char *const disk_exts[] = {
    "iso", "img", "vhd", "vhdx", NULL,
};
static const char *const html_exts[] = {
    "htm", "html", "xhtml", "xht", "shtml", "svg", "mht", "mhtml", NULL,
};
/* Office formats that run macros by their name. */
static const char *const macro_exts[] = {
    "docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "ppsm", "potm",
    "ppam", "sldm", NULL,
};

/* Content types that are programs. */
static const char *const exec_types[] = {
    "application/x-dosexec", "application/vnd.microsoft.portable-executable",
    "application/x-msdownload", "application/x-msdos-program",
    "application/x-executable", "application/x-pie-executable",
    "application/x-sharedlib", "application/x-mach-binary",
    "application/x-elf", "application/x-msi", "application/x-ms-installer",
    "application/x-ms-shortcut", "application/x-ms-ne-executable",
    "application/java-archive", "application/x-java-applet",
    "application/hta", "text/x-msdos-batch", NULL,
};

/* The last extension of name, lowercase, without the dot; or NULL. The
 * directory part some mailers leave in is dropped, and so are trailing
 * dots and spaces, which Windows drops when it saves the file. */
static char *
name_extension(const char *name)
{
    const char *base, *dot;
    g_autofree char *trimmed = NULL;
    gsize n;

    if (name == NULL)
        return NULL;
    base = name;
    for (const char *p = name; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    n = strlen(base);
    while (n > 0 && (base[n - 1] == '.' || base[n - 1] == ' '))
        n--;
    trimmed = g_strndup(base, n);
    dot = strrchr(trimmed, '.');
    if (dot == NULL || dot[1] == '\0' || dot == trimmed)
        return NULL;
    dot++;
    if (strlen(dot) > 32 || strchr(dot, ' ') != NULL)
        return NULL;
    return g_utf8_strdown(dot, -1);
}

gboolean
mt_attachment_name_executable(const char *name)
{
    g_autofree char *ext = name_extension(name);

    return in_list(ext, exec_exts);
}

gboolean
mt_attachment_type_executable(const char *type)
{
    return in_list(type, exec_types);
}

/* What a claim (declared type, extension) or the content says a file is.
 * Types in one family are not told apart: a PNG called .jpg is not an
 * attack. */
typedef enum {
    FAM_NONE,    /* no claim, or a type this table does not know */
    FAM_EXEC,
    FAM_PDF,
    FAM_OFFICE,  /* OLE, OOXML, ODF documents */
    FAM_ARCHIVE,
    FAM_IMAGE,
    FAM_MEDIA,
    FAM_TEXT,    /* text, HTML, XML, JSON, RTF, messages */
    FAM_TNEF,
} Family;

static const char *
family_name(Family f)
{
    switch (f) {
    case FAM_EXEC:
        return "an executable";
    case FAM_PDF:
        return "a PDF document";
    case FAM_OFFICE:
        return "an Office document";
    case FAM_ARCHIVE:
        return "an archive";
    case FAM_IMAGE:
        return "an image";
    case FAM_MEDIA:
        return "audio or video";
    case FAM_TEXT:
        return "text";
    case FAM_TNEF:
        return "a TNEF stream";
    case FAM_NONE:
        break;
    }
    return "unknown";
}

static Family
type_family(const char *type)
{
    static const char *const pdf[] = {
        "application/pdf", "application/x-pdf", "application/acrobat", NULL,
    };
    static const char *const office[] = {
        "application/msword", "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint", "application/vnd.ms-outlook",
        "application/vnd.ms-office", "application/cdfv2",
        "application/x-ole-storage", "application/vnd.visio",
        "application/vnd.ms-project", "application/vnd.ms-publisher",
        "application/x-mspublisher", "application/onenote",
        "application/msonenote", "application/vnd.ms-xpsdocument",
        "application/oxps", NULL,
    };
    static const char *const archive[] = {
        "application/zip", "application/x-zip-compressed", "application/x-zip",
        "multipart/x-zip", "application/x-rar", "application/x-rar-compressed",
        "application/vnd.rar", "application/x-7z-compressed",
        "application/x-tar", "application/x-gtar", "application/gzip",
        "application/x-gzip", "application/x-bzip2", "application/x-xz",
        "application/x-lzma", "application/zstd", "application/x-compress",
        "application/vnd.ms-cab-compressed", "application/x-iso9660-image",
        "application/x-cpio", "application/x-lzh-compressed",
        "application/x-arj", "application/x-ace-compressed",
        "application/epub+zip", NULL,
    };
    static const char *const text[] = {
        "application/json", "application/xml", "application/javascript",
        "application/x-javascript", "application/ecmascript",
        "application/xhtml+xml", "application/rtf", "application/x-sh",
        "application/x-shellscript", "application/pgp-signature",
        "application/pgp-keys", "application/pgp-encrypted", "application/ics",
        "application/x-wine-extension-ini", "application/csv", NULL,
    };

    if (type == NULL)
        return FAM_NONE;
    if (in_list(type, exec_types))
        return FAM_EXEC;
    if (in_list(type, pdf))
        return FAM_PDF;
    if (in_list(type, office) ||
        g_str_has_prefix(type, "application/vnd.openxmlformats-") ||
        g_str_has_prefix(type, "application/vnd.oasis.opendocument.") ||
        (g_str_has_prefix(type, "application/vnd.ms-") &&
         strstr(type, "macroenabled") != NULL))
        return FAM_OFFICE;
    if (in_list(type, archive))
        return FAM_ARCHIVE;
    if (g_str_has_prefix(type, "image/"))
        return FAM_IMAGE;
    if (g_str_has_prefix(type, "audio/") || g_str_has_prefix(type, "video/") ||
        strcmp(type, "application/ogg") == 0)
        return FAM_MEDIA;
    if (g_str_has_prefix(type, "text/") ||
        g_str_has_prefix(type, "message/") || in_list(type, text))
        return FAM_TEXT;
    if (strcmp(type, "application/ms-tnef") == 0 ||
        strcmp(type, "application/vnd.ms-tnef") == 0)
        return FAM_TNEF;
    return FAM_NONE;
}

static Family
ext_family(const char *ext)
{
    static const char *const exec[] = {
        "exe", "dll", "scr", "com", "cpl", "sys", "drv", "ocx", "msi", "efi",
        NULL,
    };
    static const char *const office[] = {
        "doc", "docx", "docm", "dot", "dotx", "dotm", "xls", "xlsx", "xlsm",
        "xlsb", "xlt", "xltx", "xltm", "xla", "xlam", "ppt", "pptx", "pptm",
        "pps", "ppsx", "ppsm", "pot", "potx", "potm", "ppam", "sldx", "sldm",
        "odt", "ods", "odp", "odg", "msg", "pub", "vsd", "vsdx", "xps",
        "oxps", NULL,
    };
    static const char *const archive[] = {
        "zip", "rar", "7z", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "tar",
        "cab", "lzh", "lha", "arj", "z", "zst", "ace", "iso", "cpio",
        "epub", NULL,
    };
    static const char *const image[] = {
        "jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "tif", "tiff",
        "webp", "heic", "heif", "ico", "svg", NULL,
    };
    static const char *const media[] = {
        "mp3", "wav", "m4a", "ogg", "oga", "flac", "aac", "wma", "amr", "mp4",
        "m4v", "mov", "avi", "mkv", "wmv", "webm", "3gp", "mpg", "mpeg",
        NULL,
    };
    static const char *const text[] = {
        "txt", "csv", "tsv", "log", "xml", "json", "htm", "html", "xhtml",
        "eml", "ics", "vcf", "md", "ini", "cfg", "rtf", "asc", NULL,
    };

    if (ext == NULL)
        return FAM_NONE;
    if (in_list(ext, exec))
        return FAM_EXEC;
    if (strcmp(ext, "pdf") == 0)
        return FAM_PDF;
    if (in_list(ext, office))
        return FAM_OFFICE;
    if (in_list(ext, archive))
        return FAM_ARCHIVE;
    if (in_list(ext, image))
        return FAM_IMAGE;
    if (in_list(ext, media))
        return FAM_MEDIA;
    if (in_list(ext, text))
        return FAM_TEXT;
    return FAM_NONE;
}

/* Declared types that claim nothing: "some bytes". */
static gboolean
type_generic(const char *type)
{
    static const char *const generic[] = {
        "application/octet-stream", "application/unknown",
        "application/x-unknown", "application/binary", "binary/octet-stream",
        "application/force-download", "application/download",
        "application/x-download", "application/x-empty", "inode/x-empty",
        "application/data", NULL,
    };

    return type == NULL || *type == '\0' || in_list(type, generic);
}

/* Whether the content's family is one the claim allows. The pairs are
 * what legitimate mail does: OOXML is a zip and is declared as one,
 * Excel "exports" that are CSV or HTML, Word files saved as RTF, SVG read
 * as XML. */
static gboolean
family_compatible(Family claim, Family content, const char *content_type,
                  const char *claim_type)
{
    if (claim == FAM_NONE || content == FAM_NONE || claim == content)
        return TRUE;
    if ((claim == FAM_OFFICE && content == FAM_ARCHIVE) ||
        (claim == FAM_ARCHIVE && content == FAM_OFFICE))
        return TRUE;
    if (claim == FAM_OFFICE && content == FAM_TEXT)
        return TRUE;
    if ((claim == FAM_IMAGE && content == FAM_TEXT) ||
        (claim == FAM_TEXT && content == FAM_IMAGE))
        return g_strcmp0(content_type, "image/svg+xml") == 0 ||
               g_strcmp0(claim_type, "image/svg+xml") == 0 ||
               g_strcmp0(claim_type, "svg") == 0;
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* Byte scans. */

/* Case-insensitive search for an ASCII needle in bytes. */
static gboolean
find_ci(const guchar *p, gsize len, const char *needle)
{
    gsize m = strlen(needle);

    if (m == 0 || len < m)
        return FALSE;
    for (gsize i = 0; i + m <= len; i++) {
        gsize j = 0;

        if (g_ascii_tolower(p[i]) != needle[0])
            continue;
        while (j < m && g_ascii_tolower(p[i + j]) == needle[j])
            j++;
        if (j == m)
            return TRUE;
    }
    return FALSE;
}

/* Whether the PDF names an encryption dictionary: "/Encrypt" as a whole
 * key, in the trailer (at the end, or the start of a linearized file) or
 * an xref stream's dictionary. */
static gboolean
pdf_encrypt_in(const guchar *p, gsize len)
{
    static const char key[] = "/Encrypt";
    gsize m = sizeof(key) - 1;

    for (gsize i = 0; i + m < len; i++) {
        guchar next;

        if (p[i] != '/' || memcmp(p + i, key, m) != 0)
            continue;
        next = p[i + m];
        /* Not "/EncryptMetadata": a delimiter or white space follows. */
        if (!g_ascii_isalnum(next) && next != '_')
            return TRUE;
    }
    return FALSE;
}

static gboolean
pdf_encrypted(const guchar *p, gsize len)
{
    if (len <= 2 * SCAN_BYTES)
        return pdf_encrypt_in(p, len);
    return pdf_encrypt_in(p, SCAN_BYTES) ||
           pdf_encrypt_in(p + len - SCAN_BYTES, SCAN_BYTES);
}

static gboolean
is_pdf(const guchar *p, gsize len, const char *type)
{
    /* The header may follow up to 1024 bytes of junk. */
    gsize n = MIN(len, 1024);

    if (g_strcmp0(type, "application/pdf") == 0)
        return TRUE;
    for (gsize i = 0; i + 5 <= n; i++)
        if (memcmp(p + i, "%PDF-", 5) == 0)
            return TRUE;
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* OLE compound files ([MS-CFB]): the directory names the VBA project,
 * the encrypted package of a protected OOXML file, and the Excel and Word
 * streams whose first records say "macro sheet" or "encrypted". */

#define CFB_FREE 0xFFFFFFFFu
#define CFB_END 0xFFFFFFFEu
#define CFB_MAX_STREAM ((gsize)4 * 1024 * 1024)

typedef struct {
    const guchar *p;
    gsize len;
    guint shift;       /* sector size is 1 << shift */
    guint32 nsectors;  /* whole sectors after the header */
    GArray *fat;       /* guint32: sector numbers of the FAT sectors */
    guint32 cutoff;    /* mini stream cutoff */
} Cfb;

typedef struct {
    gboolean vba;
    gboolean encrypted;
    gboolean xlm;
    gboolean parsed;   /* the directory was read */
} CfbFacts;

static guint32
rd32(const guchar *p)
{
    return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
           (guint32)p[3] << 24;
}

static guint16
rd16(const guchar *p)
{
    return (guint16)(p[0] | p[1] << 8);
}

/* The bytes of sector n, or NULL when it is outside the file. */
static const guchar *
cfb_sector(const Cfb *c, guint32 n)
{
    guint64 off;

    if (n >= c->nsectors)
        return NULL;
    off = ((guint64)n + 1) << c->shift;
    return c->p + off;
}

/* The FAT entry of sector n: the next sector of its chain. */
static guint32
cfb_next(const Cfb *c, guint32 n)
{
    guint32 per = (1u << c->shift) / 4;
    guint32 index = n / per;
    const guchar *fs;

    if (index >= c->fat->len)
        return CFB_END;
    fs = cfb_sector(c, g_array_index(c->fat, guint32, index));
    if (fs == NULL)
        return CFB_END;
    return rd32(fs + (n % per) * 4);
}

static gboolean
cfb_open(Cfb *c, const guchar *p, gsize len)
{
    guint32 nfat, difat, ndifat, per;

    if (len < 512 || !is_cfb(p, len))
        return FALSE;
    c->p = p;
    c->len = len;
    c->shift = rd16(p + 0x1E);
    if (c->shift != 9 && c->shift != 12)
        return FALSE;
    if (len < ((gsize)1 << c->shift))
        return FALSE;
    c->nsectors = (guint32)MIN((len >> c->shift) - 1, (gsize)G_MAXUINT32);
    c->cutoff = rd32(p + 0x38);
    nfat = rd32(p + 0x2C);
    difat = rd32(p + 0x44);
    ndifat = rd32(p + 0x48);
    per = (1u << c->shift) / 4;
    /* More FAT sectors than the file has sectors is a lie. */
    nfat = MIN(nfat, c->nsectors);
    c->fat = g_array_new(FALSE, FALSE, sizeof(guint32));
    for (guint i = 0; i < 109 && c->fat->len < nfat; i++) {
        guint32 s = rd32(p + 0x4C + 4 * i);

        if (s == CFB_FREE || s == CFB_END)
            break;
        g_array_append_val(c->fat, s);
    }
    /* The DIFAT chain holds the rest, per - 1 entries a sector and the
     * next sector's number last; bounded by the sectors in the file. */
    for (guint32 k = 0; k < ndifat && k < c->nsectors &&
                        c->fat->len < nfat; k++) {
        const guchar *ds = cfb_sector(c, difat);

        if (ds == NULL)
            break;
        for (guint32 i = 0; i + 1 < per && c->fat->len < nfat; i++) {
            guint32 s = rd32(ds + 4 * i);

            if (s == CFB_FREE || s == CFB_END)
                break;
            g_array_append_val(c->fat, s);
        }
        difat = rd32(ds + 4 * (per - 1));
    }
    return c->fat->len > 0;
}

/* Up to max bytes of a stream kept in regular sectors (not the mini
 * stream), following its FAT chain; chains that loop end at the number
 * of sectors. */
static GByteArray *
cfb_stream(const Cfb *c, guint32 start, guint64 size, gsize max)
{
    GByteArray *out = g_byte_array_new();
    gsize ssize = (gsize)1 << c->shift;
    gsize want = (gsize)MIN(size, (guint64)max);
    guint32 s = start;

    for (guint32 steps = 0; out->len < want && steps < c->nsectors;
         steps++) {
        const guchar *sec = cfb_sector(c, s);

        if (sec == NULL)
            break;
        g_byte_array_append(out, sec, (guint)MIN(ssize, want - out->len));
        s = cfb_next(c, s);
    }
    return out;
}

/* Excel BIFF8: a BOUNDSHEET record (0x0085) whose sheet type is 1 is an
 * Excel 4.0 macro sheet; FILEPASS (0x002F) means the workbook is
 * encrypted. Both come in the globals substream, before its EOF. */
static void
biff_scan(const guchar *p, gsize len, CfbFacts *facts)
{
    gsize off = 0;

    for (guint n = 0; n < 100000 && off + 4 <= len; n++) {
        guint16 type = rd16(p + off), size = rd16(p + off + 2);
        const guchar *body = p + off + 4;

        if (off + 4 + size > len)
            break;
        if (type == 0x0085 && size >= 6 && body[5] == 0x01)
            facts->xlm = TRUE;
        else if (type == 0x002F)
            facts->encrypted = TRUE;
        else if (type == 0x000A)
            break;
        off += 4 + (gsize)size;
    }
}

/* The directory entry's name in ASCII, lowercase; non-ASCII as '?'. */
static void
cfb_entry_name(const guchar *e, char out[33])
{
    guint16 nlen = rd16(e + 0x40);
    guint chars = MIN(nlen, 64) / 2;
    guint k = 0;

    for (guint i = 0; i < chars && k < 32; i++) {
        guint16 ch = rd16(e + 2 * i);

        if (ch == 0)
            break;
        out[k++] = ch < 0x80 ? g_ascii_tolower((char)ch) : '?';
    }
    out[k] = '\0';
}

static void
cfb_scan(const guchar *p, gsize len, CfbFacts *facts)
{
    Cfb c = {0};
    guint32 s, per;
    gboolean workbook_seen = FALSE, word_seen = FALSE;

    memset(facts, 0, sizeof(*facts));
    if (!cfb_open(&c, p, len)) {
        g_clear_pointer(&c.fat, g_array_unref);
        return;
    }
    per = (1u << c.shift) / 128;
    s = rd32(p + 0x30);
    for (guint32 steps = 0; steps < c.nsectors; steps++) {
        const guchar *sec = cfb_sector(&c, s);

        if (sec == NULL)
            break;
        facts->parsed = TRUE;
        for (guint32 i = 0; i < per; i++) {
            const guchar *e = sec + 128 * i;
            guint type = e[0x42];
            guint32 start = rd32(e + 0x74);
            guint64 size = rd32(e + 0x78);
            char name[33];

            if (type != 1 && type != 2)
                continue;
            cfb_entry_name(e, name);
            if (strcmp(name, "_vba_project") == 0 ||
                strcmp(name, "_vba_project_cur") == 0 ||
                (type == 1 && (strcmp(name, "vba") == 0 ||
                               strcmp(name, "macros") == 0)))
                facts->vba = TRUE;
            else if (strcmp(name, "encryptedpackage") == 0)
                facts->encrypted = TRUE;
            else if (type == 2 && size >= c.cutoff && !workbook_seen &&
                     (strcmp(name, "workbook") == 0 ||
                      strcmp(name, "book") == 0)) {
                g_autoptr(GByteArray) wb = cfb_stream(&c, start, size,
                                                      CFB_MAX_STREAM);

                /* One workbook is read: a directory naming thousands
                 * would cost megabytes each. */
                workbook_seen = TRUE;
                biff_scan(wb->data, wb->len, facts);
            } else if (type == 2 && size >= c.cutoff && !word_seen &&
                       strcmp(name, "worddocument") == 0) {
                g_autoptr(GByteArray) fib = cfb_stream(&c, start, size, 64);

                word_seen = TRUE;

                /* FIB base: wIdent 0xA5EC, fEncrypted is bit 8 of the
                 * flags at offset 0x0A ([MS-DOC] 2.5.2). */
                if (fib->len >= 12 && rd16(fib->data) == 0xA5EC &&
                    (rd16(fib->data + 0x0A) & 0x0100) != 0)
                    facts->encrypted = TRUE;
            }
        }
        s = cfb_next(&c, s);
        if (s == CFB_END || s == CFB_FREE)
            break;
    }
    g_array_unref(c.fat);
}

/* A damaged compound file: look for the VBA stream's name in UTF-16LE,
 * bounded. */
static gboolean
utf16_name_in(const guchar *p, gsize len, const char *name)
{
    gsize m = strlen(name), limit = MIN(len, MAGIC_PREFIX_CFB);

    for (gsize i = 0; i + 2 * m <= limit; i++) {
        gsize j = 0;

        while (j < m && p[i + 2 * j] == (guchar)name[j] &&
               p[i + 2 * j + 1] == 0)
            j++;
        if (j == m)
            return TRUE;
    }
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* Names. */

static gboolean
is_bidi_control(gunichar c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x200E || c == 0x200F || c == 0x061C;
}

/* Cyrillic and Greek letters drawn like Latin ones. */
static gboolean
latin_lookalike(gunichar c)
{
    static const gunichar chars[] = {
        0x0430, 0x0435, 0x043E, 0x0440, 0x0441, 0x0443, 0x0445, 0x0456,
        0x0458, 0x0455, 0x0501, 0x04CF, 0x0410, 0x0412, 0x0415, 0x041A,
        0x041C, 0x041D, 0x041E, 0x0420, 0x0421, 0x0422, 0x0425, 0x0406,
        0x0408, 0x0405, 0x03BF, 0x03BD, 0x03B9, 0x0391, 0x0392, 0x0395,
        0x0396, 0x0397, 0x0399, 0x039A, 0x039C, 0x039D, 0x039F, 0x03A1,
        0x03A4, 0x03A5, 0x03A7,
    };

    for (gsize i = 0; i < G_N_ELEMENTS(chars); i++)
        if (chars[i] == c)
            return TRUE;
    return FALSE;
}

/* The scripts whose letters pass for each other. */
static int
confusable_script(gunichar c)
{
    switch (g_unichar_get_script(c)) {
    case G_UNICODE_SCRIPT_LATIN:
        return 0;
    case G_UNICODE_SCRIPT_CYRILLIC:
        return 1;
    case G_UNICODE_SCRIPT_GREEK:
        return 2;
    case G_UNICODE_SCRIPT_ARMENIAN:
        return 3;
    case G_UNICODE_SCRIPT_CHEROKEE:
        return 4;
    default:
        return -1;
    }
}

/* Whether a file name mixes look-alike scripts: inside one word
 * ("invоice" with a Cyrillic о), or a word written only in Cyrillic or
 * Greek letters that look Latin next to a Latin word ("рау.pdf"). Names
 * in one script, and Japanese or Chinese names with a Latin extension,
 * are not mixed. */
static gboolean
name_mixed_scripts(const char *name, char **detail)
{
    gboolean latin_word = FALSE, lookalike_word = FALSE;
    const char *p = name;
    guint words = 0;

    while (*p != '\0' && words < 1000) {
        guint seen = 0, letters = 0, lookalikes = 0;
        int first = -1;

        /* Skip to the next letter. */
        while (*p != '\0' && !g_unichar_isalpha(g_utf8_get_char(p)))
            p = g_utf8_next_char(p);
        if (*p == '\0')
            break;
        words++;
        while (*p != '\0') {
            gunichar c = g_utf8_get_char(p);
            int s;

            if (!g_unichar_isalpha(c) && !g_unichar_ismark(c))
                break;
            p = g_utf8_next_char(p);
            s = confusable_script(c);
            if (s < 0)
                continue;
            letters++;
            seen |= 1u << s;
            if (first < 0)
                first = s;
            if (s != 0 && latin_lookalike(c))
                lookalikes++;
        }
        if (seen != 0 && (seen & (seen - 1)) != 0) {
            *detail = g_strdup("letters of two scripts in one word");
            return TRUE;
        }
        if (seen == 1)
            latin_word = TRUE;
        else if ((first == 1 || first == 2) && letters >= 3 &&
                 lookalikes == letters)
            lookalike_word = TRUE;
    }
    if (latin_word && lookalike_word) {
        *detail = g_strdup("a word of Cyrillic or Greek letters that look "
                           "Latin, next to Latin words");
        return TRUE;
    }
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* The analysis. */

typedef struct {
    MtReport *report;
    MtAttachment *a;
    MtEvidence ev;
    const char *shown; /* the name for messages */
} Ctx;

/* The name as shown in finding messages: bidi and other controls
 * written out, so the message reads as the bytes are; cut after
 * MAX_SHOWN characters. */
#define MAX_SHOWN 200

static char *
shown_name(const char *name)
{
    GString *out;
    guint n = 0;

    if (name == NULL)
        return g_strdup("(no name)");
    out = g_string_new(NULL);
    for (const char *p = name; *p != '\0'; p = g_utf8_next_char(p), n++) {
        gunichar c = g_utf8_get_char(p);

        if (n == MAX_SHOWN) {
            g_string_append(out, "...");
            break;
        }

        if (is_bidi_control(c) || c < 0x20)
            g_string_append_printf(out, "<U+%04X>", c);
        else
            g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

static void
check_bidi(Ctx *x, const char *name)
{
    gboolean override = FALSE, any = FALSE;
    gunichar which = 0;

    for (const char *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (!is_bidi_control(c))
            continue;
        if (!any)
            which = c;
        any = TRUE;
        /* The marks (LRM, RLM, ALM) appear in real right-to-left names;
         * embeddings, overrides and isolates reorder what is shown. */
        if (c != 0x200E && c != 0x200F && c != 0x061C) {
            if (!override)
                which = c;
            override = TRUE;
        }
    }
    if (!any)
        return;
    x->a->flags |= MT_ATTACH_BIDI_NAME;
    mt_report_add_finding(x->report, "attachment-bidi-filename",
                          override ? MT_SEVERITY_HIGH : MT_SEVERITY_LOW,
                          &x->ev,
                          "the file name \"%s\" contains the bidirectional "
                          "control U+%04X, which changes the order in which "
                          "the name is displayed",
                          x->shown, which);
}

static void
check_homoglyph(Ctx *x, const char *name)
{
    g_autofree char *detail = NULL;

    if (!name_mixed_scripts(name, &detail))
        return;
    x->a->flags |= MT_ATTACH_HOMOGLYPH_NAME;
    mt_report_add_finding(x->report, "attachment-homoglyph-filename",
                          MT_SEVERITY_MEDIUM, &x->ev,
                          "the file name \"%s\" mixes scripts that look "
                          "alike (%s)", x->shown, detail);
}

/* "invoice.pdf.exe", "report.doc      .scr": a document's extension
 * followed by one that runs (or, for .html and .iso, one that is not
 * what the first promises). */
static void
check_double_extension(Ctx *x, const char *name, const char *ext)
{
    g_autofree char *inner_part = NULL, *inner = NULL;
    const char *last;
    gsize n = strlen(name), pad = 0;

    if (ext == NULL ||
        !(in_list(ext, exec_exts) || in_list(ext, disk_exts) ||
          in_list(ext, html_exts)))
        return;
    while (n > 0 && (name[n - 1] == '.' || name[n - 1] == ' '))
        n--;
    inner_part = g_strndup(name, n);
    last = strrchr(inner_part, '.');
    if (last == NULL)
        return;
    inner_part[last - inner_part] = '\0';
    /* Spaces that push the real extension out of sight. */
    n = strlen(inner_part);
    while (n > 0 && inner_part[n - 1] == ' ') {
        n--;
        pad++;
    }
    inner_part[n] = '\0';
    inner = name_extension(inner_part);
    if (inner == NULL || ext_family(inner) == FAM_NONE ||
        ext_family(inner) == FAM_EXEC || in_list(inner, exec_exts) ||
        strcmp(inner, ext) == 0)
        return;
    /* A web page named page.htm.html is not a trick. */
    if (in_list(ext, html_exts) && in_list(inner, html_exts))
        return;
    x->a->flags |= MT_ATTACH_DOUBLE_EXT;
    if (pad >= 2)
        mt_report_add_finding(x->report, "attachment-double-extension",
                              MT_SEVERITY_HIGH, &x->ev,
                              "the file name \"%s\" shows .%s, padded with "
                              "%" G_GSIZE_FORMAT " spaces, before its real "
                              "extension .%s", x->shown, inner, pad, ext);
    else
        mt_report_add_finding(x->report, "attachment-double-extension",
                              MT_SEVERITY_HIGH, &x->ev,
                              "the file name \"%s\" shows .%s before its "
                              "real extension .%s", x->shown, inner, ext);
}

static void
check_executable(Ctx *x, const char *ext)
{
    MtAttachment *a = x->a;
    gboolean by_content = mt_attachment_type_executable(a->detected_type);
    gboolean by_name = in_list(ext, exec_exts);

    if (in_list(ext, script_exts) ||
        g_strcmp0(a->detected_type, "text/x-msdos-batch") == 0)
        a->flags |= MT_ATTACH_SCRIPT;
    if (by_content || by_name) {
        a->flags |= MT_ATTACH_EXECUTABLE;
        if (by_content)
            mt_report_add_finding(x->report, "attachment-executable",
                                  MT_SEVERITY_HIGH, &x->ev,
                                  "the attachment \"%s\" is a program "
                                  "(%s)", x->shown,
                                  a->detected_description != NULL ?
                                  a->detected_description :
                                  a->detected_type);
        else
            mt_report_add_finding(x->report, "attachment-executable",
                                  MT_SEVERITY_HIGH, &x->ev,
                                  "the attachment \"%s\" has the extension "
                                  ".%s, which Windows runs%s", x->shown, ext,
                                  (a->flags & MT_ATTACH_SCRIPT) ?
                                  " as a script" : "");
    }
    if (in_list(ext, disk_exts) ||
        g_strcmp0(a->detected_type, "application/x-iso9660-image") == 0 ||
        g_strcmp0(a->detected_type, "application/x-ms-vhd") == 0) {
        a->flags |= MT_ATTACH_DISK_IMAGE;
        mt_report_add_finding(x->report, "attachment-disk-image",
                              MT_SEVERITY_MEDIUM, &x->ev,
                              "the attachment \"%s\" is a disk image: "
                              "Windows mounts it with a double click, and "
                              "the files inside lose the mark that they "
                              "came from the Internet", x->shown);
    }
}

static void
check_mismatch(Ctx *x, const char *ext)
{
    MtAttachment *a = x->a;
    Family content = type_family(a->detected_type);
    Family by_type = type_generic(a->declared_type) ?
                     FAM_NONE : type_family(a->declared_type);
    Family by_ext = ext_family(ext);
    gboolean type_bad, ext_bad;
    MtSeverity severity;
    g_autoptr(GString) claims = g_string_new(NULL);

    if (a->size == 0 || content == FAM_NONE)
        return;
    type_bad = !family_compatible(by_type, content, a->detected_type,
                                  a->declared_type);
    ext_bad = !family_compatible(by_ext, content, a->detected_type, ext);
    if (!type_bad && !ext_bad)
        return;
    if (ext_bad)
        g_string_append_printf(claims, "named .%s (%s)", ext,
                               family_name(by_ext));
    if (type_bad)
        g_string_append_printf(claims, "%sdeclared %s (%s)",
                               ext_bad ? " and " : "", a->declared_type,
                               family_name(by_type));
    a->flags |= MT_ATTACH_TYPE_MISMATCH;
    /* A program under a document's or an image's name is the attack
     * itself; other contradictions are often careless senders. */
    severity = content == FAM_EXEC ? MT_SEVERITY_HIGH : MT_SEVERITY_MEDIUM;
    mt_report_add_finding(x->report, "attachment-type-mismatch", severity,
                          &x->ev,
                          "the attachment \"%s\" is %s by its content (%s) "
                          "but is %s", x->shown, family_name(content),
                          a->detected_type, claims->str);
}

/* What the names in a zip that claims to be an OOXML or ODF package
 * say: whether it is one ([Content_Types].xml, or ODF's mimetype or
 * manifest), whether it carries a VBA project, Excel 4.0 macro sheets or
 * ODF Basic, and whether it holds programs. The listing is thrown away:
 * a document's parts are not an archive's entries. */
typedef struct {
    gboolean listed;
    gboolean package;
    gboolean macros;
    gboolean executable;
} PackageFacts;

static void
package_scan(MtReport *report, MtAttachment *a, const guchar *p, gsize len,
             const MtOptions *options, PackageFacts *facts)
{
    MtAttachment tmp = {0};

    memset(facts, 0, sizeof(*facts));
    tmp.part = a->part;
    tmp.detected_type = a->detected_type;
    if (!mt_archive_list(report, &tmp, p, len, options))
        return;
    facts->listed = TRUE;
    for (guint i = 0; i < tmp.archive_entries->len; i++) {
        const MtArchiveEntry *e = g_ptr_array_index(tmp.archive_entries, i);
        g_autofree char *lower = g_ascii_strdown(e->name, -1);

        if (strcmp(lower, "[content_types].xml") == 0 ||
            strcmp(lower, "mimetype") == 0 ||
            strcmp(lower, "meta-inf/manifest.xml") == 0)
            facts->package = TRUE;
        if (g_str_has_suffix(lower, "vbaproject.bin") ||
            g_str_has_prefix(lower, "xl/macrosheets/") ||
            g_str_has_prefix(lower, "basic/"))
            facts->macros = TRUE;
        if (e->executable)
            facts->executable = TRUE;
    }
    g_ptr_array_unref(tmp.archive_entries);
    g_free(tmp.archive_format);
}

static gboolean
is_office_package(const MtAttachment *a, const char *ext,
                  const guchar *p, gsize len)
{
    const char *t = a->detected_type;

    if (len < 4 || p[0] != 'P' || p[1] != 'K')
        return FALSE;
    return type_family(t) == FAM_OFFICE ||
           (g_strcmp0(t, "application/zip") == 0 &&
            ext_family(ext) == FAM_OFFICE);
}

/* Macros and encryption in Office documents. Returns TRUE when the
 * attachment is a genuine OOXML or ODF package without programs in it,
 * which is then not listed as an archive; a zip that only calls itself
 * .docx, or a package carrying an .exe, is. */
static gboolean
check_office(Ctx *x, const char *ext, const guchar *p, gsize len,
             const MtOptions *options)
{
    MtAttachment *a = x->a;
    const char *why = NULL;
    gboolean package = FALSE;

    if (is_cfb(p, len)) {
        CfbFacts facts;

        cfb_scan(p, len, &facts);
        if (!facts.parsed && utf16_name_in(p, len, "_VBA_PROJECT"))
            facts.vba = TRUE;
        if (facts.vba)
            why = "a VBA project in its OLE directory";
        else if (facts.xlm)
            why = "an Excel 4.0 (XLM) macro sheet";
        if (facts.encrypted) {
            a->flags |= MT_ATTACH_ENCRYPTED;
            mt_report_add_finding(x->report, "attachment-encrypted",
                                  MT_SEVERITY_MEDIUM, &x->ev,
                                  "the Office document \"%s\" is encrypted "
                                  "with a password, so it cannot be "
                                  "scanned", x->shown);
        }
    } else if (is_office_package(a, ext, p, len)) {
        PackageFacts facts;

        package_scan(x->report, a, p, len, options, &facts);
        if (facts.macros)
            why = "a VBA project or macro sheets in its package";
        package = facts.listed && facts.package && !facts.executable;
    }
    if (why == NULL && in_list(ext, macro_exts))
        why = "a macro-enabled extension";
    if (why == NULL)
        return package;
    a->flags |= MT_ATTACH_MACRO;
    mt_report_add_finding(x->report, "attachment-macro", MT_SEVERITY_HIGH,
                          &x->ev,
                          "the Office document \"%s\" carries macros (%s)",
                          x->shown, why);
    return package;
}

static void
check_pdf(Ctx *x, const guchar *p, gsize len)
{
    if (!is_pdf(p, len, x->a->detected_type) || !pdf_encrypted(p, len))
        return;
    x->a->flags |= MT_ATTACH_ENCRYPTED;
    mt_report_add_finding(x->report, "attachment-encrypted",
                          MT_SEVERITY_MEDIUM, &x->ev,
                          "the PDF \"%s\" is encrypted (its trailer names an "
                          "/Encrypt dictionary), so it may not be scanned",
                          x->shown);
}

static void
check_html(Ctx *x, const char *ext, const guchar *p, gsize len)
{
    static const char *const active[] = {
        "<form", "<script", "javascript:", "<iframe", "<foreignobject",
        "onload=", "onerror=", "http-equiv=\"refresh\"", "http-equiv=refresh",
        NULL,
    };
    const char *t = x->a->detected_type;
    const char *found = NULL;
    gsize n = MIN(len, SCAN_BYTES);

    if (!(g_strcmp0(t, "text/html") == 0 ||
          g_strcmp0(t, "application/xhtml+xml") == 0 ||
          g_strcmp0(t, "image/svg+xml") == 0 ||
          (in_list(ext, html_exts) && type_family(t) == FAM_TEXT)))
        return;
    for (gsize i = 0; active[i] != NULL && found == NULL; i++)
        if (find_ci(p, n, active[i]))
            found = active[i];
    x->a->flags |= MT_ATTACH_HTML;
    if (found != NULL)
        mt_report_add_finding(x->report, "attachment-html", MT_SEVERITY_HIGH,
                              &x->ev,
                              "the attachment \"%s\" is a web page (%s) that "
                              "opens in a browser from the disk, with active "
                              "content (%s)", x->shown, t, found);
    else
        mt_report_add_finding(x->report, "attachment-html",
                              MT_SEVERITY_MEDIUM, &x->ev,
                              "the attachment \"%s\" is a web page (%s) that "
                              "opens in a browser from the disk", x->shown, t);
}

static void
check_archive(Ctx *x, const guchar *p, gsize len, const MtOptions *options)
{
    MtAttachment *a = x->a;
    g_autoptr(GString) names = g_string_new(NULL);
    guint executables = 0, encrypted = 0;

    if (!mt_archive_list(x->report, a, p, len, options))
        return;
    for (guint i = 0; i < a->archive_entries->len; i++) {
        const MtArchiveEntry *e = g_ptr_array_index(a->archive_entries, i);

        if (e->encrypted)
            encrypted++;
        if (!e->executable)
            continue;
        if (executables < MAX_LISTED) {
            g_autofree char *shown = shown_name(e->name);

            g_string_append_printf(names, "%s\"%s\"",
                                   executables > 0 ? ", " : "", shown);
        }
        executables++;
    }
    if (a->flags & MT_ATTACH_ENCRYPTED) {
        if (encrypted > 0)
            mt_report_add_finding(x->report, "archive-encrypted",
                                  MT_SEVERITY_MEDIUM, &x->ev,
                                  "the archive \"%s\" has %u encrypted "
                                  "entr%s that cannot be scanned without the "
                                  "password", x->shown, encrypted,
                                  encrypted == 1 ? "y" : "ies");
        else
            mt_report_add_finding(x->report, "archive-encrypted",
                                  MT_SEVERITY_MEDIUM, &x->ev,
                                  "the archive \"%s\" is encrypted, its "
                                  "entry names included", x->shown);
    }
    if (executables > 0)
        mt_report_add_finding(x->report, "archive-executable",
                              MT_SEVERITY_HIGH, &x->ev,
                              "the archive \"%s\" holds %u executable "
                              "entr%s: %s%s", x->shown, executables,
                              executables == 1 ? "y" : "ies", names->str,
                              executables > MAX_LISTED ? ", ..." : "");
}

/* A TNEF stream is known by its signature ([MS-OXTNEF] 2.1.3.1),
 * whatever it is called or declared as: a winmail.dat declared
 * application/octet-stream is common, and a renamed one is a trick. */
static gboolean
is_tnef(const guchar *p, gsize len)
{
    return len >= 4 && rd32(p) == 0x223E9F78u;
}

/* How many TNEF levels path is inside ("3:tnef1:tnef2" is 2). */
static guint
tnef_depth(const char *path)
{
    guint n = 0;

    for (const char *p = strstr(path, ":tnef"); p != NULL;
         p = strstr(p + 1, ":tnef"))
        n++;
    return n;
}

static void
open_tnef(MtReport *report, MtAttachment *a, const guchar *p, gsize len,
          const MtOptions *options)
{
    g_autoptr(GPtrArray) files = NULL;
    g_autofree char *path = g_strdup(a->part);

    if (tnef_depth(path) >= MAX_TNEF_DEPTH) {
        mt_report_limit_reached(report, "max-tnef-depth", path,
                                "a TNEF stream %u levels deep was not "
                                "opened", MAX_TNEF_DEPTH + 1);
        return;
    }
    files = mt_tnef_files(p, len, options->limits.max_archive_entries,
                          options->limits.max_part_decoded);
    if (files == NULL)
        return;
    if (files->len >= options->limits.max_archive_entries)
        mt_report_limit_reached(report, "max-archive-entries", path,
                                "only the first %u files of the TNEF "
                                "stream were analyzed", files->len);
    for (guint i = 0; i < files->len; i++) {
        const MtTnefFile *f = g_ptr_array_index(files, i);
        g_autofree char *inner = g_strdup_printf("%s:tnef%u", path, i + 1);

        mt_attachment_analyze(report, inner, "tnef", f->name, NULL, f->data,
                              options);
    }
}

MtAttachment *
mt_attachment_analyze(MtReport *report, const char *path, const char *source,
                      const char *filename, const char *declared_type,
                      GBytes *data, const MtOptions *options)
{
    MtAttachment *a;
    g_autofree char *shown = NULL;
    const guchar *p = NULL;
    gsize len = 0;
    gboolean package;
    Ctx x;

    g_return_val_if_fail(report != NULL, NULL);
    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(source != NULL, NULL);
    g_return_val_if_fail(options != NULL, NULL);

    if (data != NULL)
        p = g_bytes_get_data(data, &len);
    if (p == NULL) {
        p = (const guchar *)"";
        len = 0;
    }

    a = g_new0(MtAttachment, 1);
    a->part = g_strdup(path);
    a->source = g_strdup(source);
    if (filename != NULL && *filename != '\0')
        a->filename = g_utf8_validate(filename, -1, NULL) ?
                      g_strdup(filename) :
                      mt_escape_bytes(filename, strlen(filename), NULL);
    a->extension = name_extension(a->filename);
    if (declared_type != NULL && *declared_type != '\0')
        a->declared_type = g_ascii_strdown(declared_type, -1);
    a->size = len;
    mt_hashes_compute(p, len, &a->hashes);
    a->detected_type = mt_magic_type(p, len, &a->detected_description);
    if (options->keep_attachment_data && data != NULL)
        a->data = g_bytes_ref(data);
    g_ptr_array_add(report->mime.attachments, a);

    shown = shown_name(a->filename);
    x.report = report;
    x.a = a;
    x.ev = (MtEvidence){-1, -1, -1, (char *)path};
    x.shown = shown;

    if (a->filename != NULL) {
        check_bidi(&x, a->filename);
        check_homoglyph(&x, a->filename);
        check_double_extension(&x, a->filename, a->extension);
    }
    check_executable(&x, a->extension);
    if (len == 0) {
        a->flags |= MT_ATTACH_EMPTY;
        mt_report_add_finding(report, "attachment-empty", MT_SEVERITY_INFO,
                              &x.ev, "the attachment \"%s\" is empty (0 "
                              "bytes)", shown);
        return a;
    }
    check_mismatch(&x, a->extension);
    package = check_office(&x, a->extension, p, len, options);
    check_pdf(&x, p, len);
    check_html(&x, a->extension, p, len);
    if (!package)
        check_archive(&x, p, len, options);
    if (is_tnef(p, len))
        open_tnef(report, a, p, len, options);
    return a;
}
