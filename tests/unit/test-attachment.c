/* SPDX-License-Identifier: MIT */
/*
 * test-attachment.c: attachments typed by content, archives listed, TNEF
 * opened. The fixtures are tests/data/mime/attach-*, written by
 * make-attach-fixtures.py (real zips, a ZipCrypto zip, OLE compound
 * files with and without a VBA directory, an Excel 4.0 macro sheet, a
 * TNEF stream written per [MS-OXTNEF], a PE header). A table gives, for
 * each fixture under a name and a declared type, the finding ids it must
 * raise and the flags it must carry; every other attachment id must stay
 * quiet, so each check has its near misses (a PNG called .jpg, a CSV
 * declared as Excel, a Japanese name, jquery.min.js). Then the archive
 * listings entry by entry, the limits (a tar.gz bomb, an inner zip over
 * 16 MiB, the entry count), the TNEF files with the hashes the generator
 * computed, and damaged copies of every fixture, which must not crash.
 * The data directory comes from MT_SOURCE_ROOT, set by meson.
 */
#include <string.h>

#include "mime-private.h"

/* Every id the attachment analysis raises. */
static const char *const all_ids[] = {
    "attachment-type-mismatch", "attachment-double-extension",
    "attachment-executable", "attachment-disk-image",
    "attachment-bidi-filename", "attachment-homoglyph-filename",
    "attachment-macro", "attachment-html", "attachment-encrypted",
    "attachment-empty", "archive-encrypted", "archive-executable",
    "limit-reached", NULL,
};

static GBytes *
fixture(const char *name)
{
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    gsize len = 0;

    path = g_build_filename(g_getenv("MT_SOURCE_ROOT"), "tests", "data",
                            "mime", name, NULL);
    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("%s: %s", path, error->message);
    return g_bytes_new_take(data, len);
}

static MtReport *
report_new(void)
{
    return mt_report_new_empty();
}

static guint
count_id(const MtReport *report, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = g_ptr_array_index(report->findings, i);

        if (strcmp(f->id, id) == 0)
            n++;
    }
    return n;
}

static const MtFinding *
find_id(const MtReport *report, const char *id)
{
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = g_ptr_array_index(report->findings, i);

        if (strcmp(f->id, id) == 0)
            return f;
    }
    return NULL;
}

/* The finding of id, which must exist. */
static const MtFinding *
must_find(const MtReport *report, const char *id)
{
    const MtFinding *f = find_id(report, id);

    if (f == NULL)
        g_error("%s not raised", id);
    return f;
}

static void
dump_findings(const MtReport *report)
{
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = g_ptr_array_index(report->findings, i);

        g_test_message("  %s [%s] %s", f->id,
                       mt_severity_to_string(f->severity), f->message);
    }
}

typedef struct {
    const char *fixture; /* NULL: empty content */
    const char *filename;
    const char *declared;
    const char *raise[5];
    guint flags;         /* must all be set */
    guint clear;         /* must all be clear */
} Case;

#define F(x) MT_ATTACH_##x

static const Case cases[] = {
    /* Clean attachments raise nothing. */
    {"attach-clean.pdf", "report.pdf", "application/pdf", {NULL}, 0,
     ~0u},
    {"attach-clean.png", "logo.png", "image/png", {NULL}, 0, ~0u},
    {"attach-clean.txt", "notes.txt", "text/plain", {NULL}, 0, ~0u},
    /* Near misses of the mismatch check: same family, no claim, the
     * mislabels legitimate senders make. */
    {"attach-clean.png", "logo.jpg", "image/jpeg", {NULL}, 0, ~0u},
    {"attach-clean.png", "logo.png", "image/jpg", {NULL}, 0, ~0u},
    {"attach-clean.pdf", "report.pdf", "application/octet-stream", {NULL},
     0, ~0u},
    {"attach-clean.txt", "data.csv", "application/vnd.ms-excel", {NULL},
     0, ~0u},
    {"attach-clean.pdf", NULL, NULL, {NULL}, 0, ~0u},
    {"attach-clean.pdf", "report.2024.pdf", "application/pdf", {NULL}, 0,
     ~0u},
    /* Names in one script, or CJK with a Latin extension. */
    {"attach-clean.pdf", "Отчет.pdf", "application/pdf", {NULL}, 0, ~0u},
    {"attach-clean.pdf", "報告書_v2.pdf", "application/pdf", {NULL}, 0,
     ~0u},
    {"attach-clean.pdf", "Счет invoice.pdf", "application/pdf", {NULL}, 0,
     ~0u},
    /* Hebrew names carry marks legitimately: only a low finding. */

    /* The program called invoice.pdf. */
    {"attach-pe.bin", "invoice.pdf", "application/pdf",
     {"attachment-type-mismatch", "attachment-executable"},
     F(TYPE_MISMATCH) | F(EXECUTABLE), F(SCRIPT) | F(DOUBLE_EXT)},
    {"attach-pe.bin", "invoice.pdf.exe", "application/octet-stream",
     {"attachment-double-extension", "attachment-executable"},
     F(DOUBLE_EXT) | F(EXECUTABLE), F(TYPE_MISMATCH)},
    {"attach-pe.bin", "report.doc          .scr", "application/octet-stream",
     {"attachment-double-extension", "attachment-executable"},
     F(DOUBLE_EXT) | F(EXECUTABLE), 0},
    {"attach-pe.bin", "photo\xe2\x80\xaegnp.exe", "image/png",
     {"attachment-bidi-filename", "attachment-executable",
      "attachment-type-mismatch"},
     F(BIDI_NAME) | F(EXECUTABLE) | F(TYPE_MISMATCH), F(DOUBLE_EXT)},
    {"attach-pe.bin", "setup.exe", "application/x-msdownload",
     {"attachment-executable"}, F(EXECUTABLE), F(TYPE_MISMATCH)},
    /* Scripts by name; a dotted script name is no double extension. */
    {"attach-clean.txt", "jquery.min.js", "application/javascript",
     {"attachment-executable"}, F(EXECUTABLE) | F(SCRIPT), F(DOUBLE_EXT)},
    {"attach-clean.txt", "invoice.pdf.vbs", "text/plain",
     {"attachment-double-extension", "attachment-executable"},
     F(EXECUTABLE) | F(SCRIPT) | F(DOUBLE_EXT), 0},
    {"attach-clean.txt", "statement.pdf.html", "text/html",
     {"attachment-double-extension", "attachment-html"},
     F(DOUBLE_EXT) | F(HTML), F(EXECUTABLE)},
    /* Disk images by name. */
    {"attach-clean.txt", "Invoice_0042.img", "application/octet-stream",
     {"attachment-disk-image"}, F(DISK_IMAGE), F(EXECUTABLE)},
    /* Homoglyphs: a Cyrillic о in a Latin word, an all-look-alike
     * Cyrillic word next to a Latin one. */
    {"attach-clean.pdf", "inv\xd0\xbeice.pdf", "application/pdf",
     {"attachment-homoglyph-filename"}, F(HOMOGLYPH_NAME), F(BIDI_NAME)},
    {"attach-clean.pdf", "\xd1\x80\xd0\xb0\xd1\x83\xd1\x80\xd0\xb0l.pdf",
     "application/pdf", {"attachment-homoglyph-filename"},
     F(HOMOGLYPH_NAME), 0},
    {"attach-clean.pdf",
     "\xd1\x80\xd0\xb0\xd1\x83 statement.pdf", "application/pdf",
     {"attachment-homoglyph-filename"}, F(HOMOGLYPH_NAME), 0},
    /* HTML and SVG with active content. */
    {"attach-page.html", "Voicemail.html", "text/html",
     {"attachment-html"}, F(HTML), F(TYPE_MISMATCH)},
    {"attach-image.svg", "image.svg", "image/svg+xml", {"attachment-html"},
     F(HTML), F(TYPE_MISMATCH)},
    {"attach-page.html", "scan.pdf", "application/pdf",
     {"attachment-html", "attachment-type-mismatch"},
     F(HTML) | F(TYPE_MISMATCH), 0},
    /* Macros: by the package, by the OLE directory, by XLM, by name. */
    {"attach-docm.docm", "report.docm",
     "application/vnd.ms-word.document.macroenabled.12",
     {"attachment-macro"}, F(MACRO), F(ARCHIVE) | F(TYPE_MISMATCH)},
    {"attach-docm.docm", "report.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml."
     "document",
     {"attachment-macro"}, F(MACRO), F(ARCHIVE) | F(TYPE_MISMATCH)},
    {"attach-ole-vba.doc", "letter.doc", "application/msword",
     {"attachment-macro"}, F(MACRO), F(TYPE_MISMATCH) | F(ENCRYPTED)},
    {"attach-ole-plain.doc", "letter.doc", "application/msword", {NULL},
     0, ~0u},
    {"attach-xlm.xls", "prices.xls", "application/vnd.ms-excel",
     {"attachment-macro"}, F(MACRO), F(ENCRYPTED)},
    /* Encrypted documents. */
    {"attach-encrypted.pdf", "statement.pdf", "application/pdf",
     {"attachment-encrypted"}, F(ENCRYPTED), F(ARCHIVE)},
    {"attach-ole-encrypted.docx", "secret.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml."
     "document",
     {"attachment-encrypted"}, F(ENCRYPTED), F(TYPE_MISMATCH) | F(MACRO)},
    /* Empty. */
    {NULL, "blank.txt", "text/plain", {"attachment-empty"}, F(EMPTY),
     F(TYPE_MISMATCH)},
    /* Archives. */
    {"attach-zip-exe.zip", "invoice.zip", "application/zip",
     {"archive-executable"}, F(ARCHIVE), F(ENCRYPTED) | F(EXECUTABLE)},
    {"attach-zip-exe.zip", "invoice.zip", "application/x-zip-compressed",
     {"archive-executable"}, F(ARCHIVE), F(TYPE_MISMATCH)},
    /* A zip with a program that only calls itself a Word document is
     * listed as the archive it is. */
    {"attach-zip-exe.zip", "invoice.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml."
     "document",
     {"archive-executable"}, F(ARCHIVE), F(MACRO) | F(TYPE_MISMATCH)},
    {"attach-zip-encrypted.zip", "docs.zip", "application/zip",
     {"archive-encrypted"}, F(ARCHIVE) | F(ENCRYPTED), 0},
    {"attach-zip-nested.zip", "bundle.zip", "application/zip",
     {"archive-executable"}, F(ARCHIVE), F(ENCRYPTED)},
    {"attach-single.gz", "notes.txt.gz", "application/gzip", {NULL},
     F(ARCHIVE), F(EXECUTABLE)},
};

static void
test_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        g_autoptr(MtReport) report = report_new();
        g_autoptr(GBytes) data = c->fixture != NULL ?
                                 fixture(c->fixture) :
                                 g_bytes_new_static("", 0);
        MtOptions options;
        MtAttachment *a;
        guint expected = 0;

        mt_options_init_default(&options);
        a = mt_attachment_analyze(report, "2", "mime", c->filename,
                                  c->declared, data, &options);
        g_test_message("case %" G_GSIZE_FORMAT ": %s as %s (%s)", i,
                       c->fixture ? c->fixture : "(empty)",
                       c->filename ? c->filename : "(no name)",
                       a->detected_type ? a->detected_type : "?");
        dump_findings(report);
        g_assert_nonnull(a);
        g_assert_cmpuint(report->mime.attachments->len, ==, 1);
        g_assert_true(g_ptr_array_index(report->mime.attachments, 0) == a);
        for (guint k = 0; k < G_N_ELEMENTS(c->raise) && c->raise[k]; k++) {
            const MtFinding *f = must_find(report, c->raise[k]);

            g_assert_cmpstr(f->evidence.part, ==, "2");
            g_assert_cmpuint(count_id(report, c->raise[k]), ==, 1);
            expected++;
        }
        /* Nothing else, and only registered ids. */
        g_assert_cmpuint(report->findings->len, ==, expected);
        for (guint k = 0; k < report->findings->len; k++) {
            const MtFinding *f = g_ptr_array_index(report->findings, k);

            g_assert_true(g_strv_contains(all_ids, f->id));
        }
        if ((a->flags & c->flags) != c->flags)
            g_error("case %" G_GSIZE_FORMAT ": flags 0x%x lack 0x%x", i,
                    a->flags, c->flags);
        if (c->clear == ~0u)
            g_assert_cmpuint(a->flags, ==, 0);
        else if ((a->flags & c->clear) != 0)
            g_error("case %" G_GSIZE_FORMAT ": flags 0x%x have 0x%x", i,
                    a->flags, a->flags & c->clear);
        g_assert_cmpuint(a->size, ==, g_bytes_get_size(data));
        g_assert_null(a->data);
    }
}

/* The model fields, and the hashes against GLib's own. */
static void
test_record(void)
{
    g_autoptr(MtReport) report = report_new();
    g_autoptr(GBytes) data = fixture("attach-pe.bin");
    MtOptions options;
    MtAttachment *a;
    const MtFinding *f;
    g_autofree char *md5 = NULL, *sha1 = NULL, *sha256 = NULL;

    mt_options_init_default(&options);
    a = mt_attachment_analyze(report, "1.2", "mime", "Invoice.PDF",
                              "Application/PDF", data, &options);
    g_assert_cmpstr(a->part, ==, "1.2");
    g_assert_cmpstr(a->source, ==, "mime");
    g_assert_cmpstr(a->filename, ==, "Invoice.PDF");
    g_assert_cmpstr(a->extension, ==, "pdf");
    g_assert_cmpstr(a->declared_type, ==, "application/pdf");
    g_assert_cmpstr(a->detected_type, ==,
                    "application/vnd.microsoft.portable-executable");
    g_assert_nonnull(a->detected_description);
    g_assert_true(g_str_has_prefix(a->detected_description, "PE32 "));
    g_assert_null(a->archive_entries);
    md5 = g_compute_checksum_for_bytes(G_CHECKSUM_MD5, data);
    sha1 = g_compute_checksum_for_bytes(G_CHECKSUM_SHA1, data);
    sha256 = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, data);
    g_assert_cmpstr(a->hashes.md5, ==, md5);
    g_assert_cmpstr(a->hashes.sha1, ==, sha1);
    g_assert_cmpstr(a->hashes.sha256, ==, sha256);
    /* The worst mismatch is high. */
    f = must_find(report, "attachment-type-mismatch");
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_HIGH);
    g_assert_nonnull(strstr(f->message, "named .pdf"));
    g_assert_nonnull(strstr(f->message, "declared application/pdf"));

    /* Kept for extract only. */
    options.keep_attachment_data = TRUE;
    a = mt_attachment_analyze(report, "1.3", "uuencode", NULL, NULL, data,
                              &options);
    g_assert_nonnull(a->data);
    g_assert_true(g_bytes_equal(a->data, data));
    g_assert_null(a->filename);
    g_assert_null(a->extension);
    g_assert_null(a->declared_type);
    g_assert_cmpuint(report->mime.attachments->len, ==, 2);
}

static void
test_severities(void)
{
    static const struct {
        const char *name;
        const char *id;
        MtSeverity severity;
    } table[] = {
        {"photo\xe2\x80\xaegnp.exe", "attachment-bidi-filename",
         MT_SEVERITY_HIGH},
        /* A right-to-left mark alone appears in real Hebrew names. */
        {"\xd7\x93\xd7\x95\xd7\x97\xe2\x80\x8f.pdf",
         "attachment-bidi-filename", MT_SEVERITY_LOW},
        {"report.doc          .scr", "attachment-double-extension",
         MT_SEVERITY_HIGH},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(table); i++) {
        g_autoptr(MtReport) report = report_new();
        g_autoptr(GBytes) data = fixture("attach-clean.pdf");
        MtOptions options;
        const MtFinding *f;

        mt_options_init_default(&options);
        mt_attachment_analyze(report, "2", "mime", table[i].name, NULL,
                              data, &options);
        f = must_find(report, table[i].id);
        g_assert_cmpint(f->severity, ==, table[i].severity);
    }
    {
        g_autoptr(MtReport) report = report_new();
        g_autoptr(GBytes) data = fixture("attach-pe.bin");
        MtOptions options;
        const MtFinding *f;

        mt_options_init_default(&options);
        mt_attachment_analyze(report, "2", "mime", "report.doc     .scr",
                              NULL, data, &options);
        f = must_find(report, "attachment-double-extension");
        g_assert_nonnull(strstr(f->message, "padded with 5 spaces"));
        /* Bidi controls are written out in messages. */
        mt_attachment_analyze(report, "3", "mime", "photo\xe2\x80\xaegnp.exe",
                              NULL, data, &options);
        f = must_find(report, "attachment-bidi-filename");
        g_assert_nonnull(strstr(f->message, "photo<U+202E>gnp.exe"));
    }
}

static const MtArchiveEntry *
entry_at(const MtAttachment *a, guint i)
{
    g_assert_nonnull(a->archive_entries);
    g_assert_cmpuint(i, <, a->archive_entries->len);
    return g_ptr_array_index(a->archive_entries, i);
}

static MtAttachment *
analyze_fixture(MtReport *report, const char *name, const char *filename,
                const char *declared, const MtOptions *options)
{
    g_autoptr(GBytes) data = fixture(name);

    return mt_attachment_analyze(report, "2", "mime", filename, declared,
                                 data, options);
}

static void
test_archive_listing(void)
{
    MtOptions options;

    mt_options_init_default(&options);
    {
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a = analyze_fixture(report, "attach-zip-exe.zip",
                                          "invoice.zip", "application/zip",
                                          &options);
        const MtArchiveEntry *e;

        g_assert_nonnull(a->archive_format);
        g_assert_nonnull(strstr(a->archive_format, "ZIP"));
        g_assert_cmpuint(a->archive_entries->len, ==, 2);
        g_assert_cmpuint(a->archive_entries_dropped, ==, 0);
        e = entry_at(a, 0);
        g_assert_cmpstr(e->name, ==, "readme.txt");
        g_assert_cmpuint(e->size, ==, 22);
        g_assert_false(e->executable);
        g_assert_false(e->encrypted);
        g_assert_false(e->is_dir);
        g_assert_cmpint(e->depth, ==, 0);
        g_assert_cmpstr(e->detected_type, ==, "text/plain");
        e = entry_at(a, 1);
        g_assert_cmpstr(e->name, ==, "setup.exe");
        g_assert_true(e->executable);
        g_assert_cmpstr(e->detected_type, ==,
                        "application/vnd.microsoft.portable-executable");
        g_assert_nonnull(strstr(must_find(report, "archive-executable")
                                    ->message, "\"setup.exe\""));
    }
    {
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a = analyze_fixture(report, "attach-zip-encrypted.zip",
                                          "docs.zip", "application/zip",
                                          &options);
        const MtArchiveEntry *e = entry_at(a, 0);

        g_assert_cmpuint(a->archive_entries->len, ==, 1);
        g_assert_cmpstr(e->name, ==, "invoice.doc");
        g_assert_true(e->encrypted);
        /* Not read: no type for it. */
        g_assert_null(e->detected_type);
        g_assert_cmpuint(e->size, ==, 49 * 20);
    }
    {
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a = analyze_fixture(report, "attach-zip-nested.zip",
                                          "bundle.zip", "application/zip",
                                          &options);
        const MtArchiveEntry *e;

        g_assert_cmpuint(a->archive_entries->len, ==, 3);
        e = entry_at(a, 0);
        g_assert_cmpstr(e->name, ==, "docs/readme.txt");
        g_assert_cmpint(e->depth, ==, 0);
        e = entry_at(a, 1);
        g_assert_cmpstr(e->name, ==, "inner.zip");
        g_assert_cmpint(e->depth, ==, 0);
        g_assert_cmpstr(e->detected_type, ==, "application/zip");
        g_assert_false(e->executable);
        e = entry_at(a, 2);
        g_assert_cmpstr(e->name, ==, "payload.exe");
        g_assert_cmpint(e->depth, ==, 1);
        g_assert_true(e->executable);
    }
    {
        /* A UTF-8 name, read in the C locale the tests run in. */
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a = analyze_fixture(report, "attach-zip-utf8.zip",
                                          "names.zip", "application/zip",
                                          &options);

        g_assert_cmpuint(a->archive_entries->len, ==, 1);
        g_assert_cmpstr(entry_at(a, 0)->name, ==,
                        "\xd0\xbe\xd1\x82\xd1\x87\xd1\x91\xd1\x82.txt");
    }
    {
        /* A plain gzip: one entry through the raw format. */
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a = analyze_fixture(report, "attach-single.gz",
                                          "notes.txt.gz", "application/gzip",
                                          &options);
        const MtArchiveEntry *e = entry_at(a, 0);

        g_assert_cmpuint(a->archive_entries->len, ==, 1);
        g_assert_cmpstr(a->archive_format, ==, "raw");
        g_assert_cmpstr(e->detected_type, ==, "text/plain");
        g_assert_false(e->executable);
    }
    {
        /* Not an archive: no listing, no archive record. */
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a = analyze_fixture(report, "attach-clean.pdf",
                                          "x.zip", "application/zip",
                                          &options);

        g_assert_null(a->archive_entries);
        g_assert_null(a->archive_format);
        g_assert_false(a->flags & MT_ATTACH_ARCHIVE);
        g_assert_false(mt_archive_list(report, a, "%PDF-1.4\n", 9,
                                       &options));
    }
}

static void
test_archive_limits(void)
{
    MtOptions options;

    {
        /* 32 MiB of zeros in a tar.gz against a 16 MiB budget. */
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a;
        const MtFinding *f;

        mt_options_init_default(&options);
        options.limits.max_part_decoded = 1024 * 1024;
        a = analyze_fixture(report, "attach-bomb.tar.gz", "logs.tar.gz",
                            "application/gzip", &options);
        g_assert_true(a->flags & MT_ATTACH_ARCHIVE);
        g_assert_cmpuint(a->archive_entries->len, ==, 2);
        g_assert_cmpstr(entry_at(a, 0)->name, ==, "a.txt");
        g_assert_cmpstr(entry_at(a, 1)->name, ==, "zeros.bin");
        g_assert_cmpuint(entry_at(a, 1)->size, ==, 32 * 1024 * 1024);
        f = must_find(report, "limit-reached");
        g_assert_nonnull(strstr(f->message, "max-part-decoded"));
        g_assert_cmpstr(f->evidence.part, ==, "2");
    }
    {
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a;
        const MtFinding *f;

        mt_options_init_default(&options);
        a = analyze_fixture(report, "attach-zip-nested-big.zip", "big.zip",
                            "application/zip", &options);
        g_assert_cmpuint(a->archive_entries->len, ==, 1);
        g_assert_cmpstr(entry_at(a, 0)->name, ==, "big.zip");
        g_assert_cmpstr(entry_at(a, 0)->detected_type, ==,
                        "application/zip");
        f = must_find(report, "limit-reached");
        g_assert_nonnull(strstr(f->message, "max-archive-nested-bytes"));
        g_assert_cmpuint(count_id(report, "limit-reached"), ==, 1);
    }
    {
        g_autoptr(MtReport) report = report_new();
        MtAttachment *a;
        const MtFinding *f;

        mt_options_init_default(&options);
        options.limits.max_archive_entries = 10;
        a = analyze_fixture(report, "attach-zip-many.zip", "many.zip",
                            "application/zip", &options);
        g_assert_cmpuint(a->archive_entries->len, ==, 10);
        g_assert_cmpuint(a->archive_entries_dropped, ==, 15);
        g_assert_cmpstr(entry_at(a, 9)->name, ==, "file09.txt");
        f = must_find(report, "limit-reached");
        g_assert_nonnull(strstr(f->message, "max-archive-entries"));
    }
}

/* The generator's record of the files in attach-winmail.dat. */
typedef struct {
    char *part, *name, *md5, *sha1, *sha256;
    guint64 size;
} Expected;

static GPtrArray *
tnef_expected(void)
{
    g_autoptr(GBytes) text = fixture("attach-tnef-expected.txt");
    g_autofree char *copy = g_strndup(g_bytes_get_data(text, NULL),
                                      g_bytes_get_size(text));
    g_auto(GStrv) lines = g_strsplit(copy, "\n", -1);
    GPtrArray *out = g_ptr_array_new();

    for (guint i = 0; lines[i] != NULL; i++) {
        g_auto(GStrv) f = NULL;
        Expected *e;

        if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
        f = g_strsplit(lines[i], "\t", -1);
        g_assert_cmpuint(g_strv_length(f), ==, 6);
        e = g_new0(Expected, 1);
        e->part = g_strdup(f[0]);
        e->name = g_strdup(f[1]);
        e->size = g_ascii_strtoull(f[2], NULL, 10);
        e->md5 = g_strdup(f[3]);
        e->sha1 = g_strdup(f[4]);
        e->sha256 = g_strdup(f[5]);
        g_ptr_array_add(out, e);
    }
    return out;
}

static void
expected_free(gpointer p)
{
    Expected *e = p;

    g_free(e->part);
    g_free(e->name);
    g_free(e->md5);
    g_free(e->sha1);
    g_free(e->sha256);
    g_free(e);
}

static void
test_tnef(void)
{
    g_autoptr(MtReport) report = report_new();
    g_autoptr(GPtrArray) expected = tnef_expected();
    MtOptions options;
    MtAttachment *outer;

    g_ptr_array_set_free_func(expected, expected_free);
    g_assert_cmpuint(expected->len, ==, 2);
    mt_options_init_default(&options);
    outer = analyze_fixture(report, "attach-winmail.dat", "winmail.dat",
                            "application/ms-tnef", &options);
    g_assert_cmpstr(outer->detected_type, ==, "application/vnd.ms-tnef");
    dump_findings(report);
    g_assert_cmpuint(report->findings->len, ==, 0);
    g_assert_cmpuint(report->mime.attachments->len, ==, 3);
    g_assert_true(g_ptr_array_index(report->mime.attachments, 0) == outer);
    for (guint i = 0; i < expected->len; i++) {
        const Expected *e = g_ptr_array_index(expected, i);
        const MtAttachment *a = g_ptr_array_index(report->mime.attachments,
                                                  i + 1);
        g_autofree char *part = g_strdup_printf("2%s", e->part + 1);

        g_assert_cmpstr(a->part, ==, part);
        g_assert_cmpstr(a->source, ==, "tnef");
        g_assert_cmpstr(a->filename, ==, e->name);
        g_assert_null(a->declared_type);
        g_assert_cmpuint(a->size, ==, e->size);
        g_assert_cmpstr(a->hashes.md5, ==, e->md5);
        g_assert_cmpstr(a->hashes.sha1, ==, e->sha1);
        g_assert_cmpstr(a->hashes.sha256, ==, e->sha256);
    }
    g_assert_cmpstr(((MtAttachment *)g_ptr_array_index(
                         report->mime.attachments, 1))->detected_type,
                    ==, "text/plain");
    g_assert_cmpstr(((MtAttachment *)g_ptr_array_index(
                         report->mime.attachments, 2))->detected_type,
                    ==, "image/png");
}

static void
test_tnef_damaged(void)
{
    g_autoptr(GBytes) good = fixture("attach-winmail.dat");
    g_autoptr(GBytes) bad = fixture("attach-winmail-damaged.dat");
    g_autoptr(GPtrArray) files = NULL;
    const MtTnefFile *f;
    gsize len;
    const guchar *p = g_bytes_get_data(good, &len);

    /* The first file's data record fails its checksum: it is dropped,
     * the second file is still read. */
    files = mt_tnef_files(g_bytes_get_data(bad, NULL),
                          g_bytes_get_size(bad), 100, 1 << 20);
    g_assert_nonnull(files);
    g_assert_cmpuint(files->len, ==, 1);
    f = g_ptr_array_index(files, 0);
    g_assert_cmpstr(f->name, ==, "diagram.png");
    g_clear_pointer(&files, g_ptr_array_unref);

    /* Not TNEF. */
    g_assert_null(mt_tnef_files("%PDF-1.4", 8, 100, 1 << 20));
    g_assert_null(mt_tnef_files("", 0, 100, 1 << 20));
    /* The file limit and the byte limit. */
    files = mt_tnef_files(p, len, 1, 1 << 20);
    g_assert_cmpuint(files->len, ==, 1);
    g_clear_pointer(&files, g_ptr_array_unref);
    files = mt_tnef_files(p, len, 100, 10);
    g_assert_cmpuint(files->len, ==, 0);
    g_clear_pointer(&files, g_ptr_array_unref);
    /* Every prefix: never a crash, never more files than the whole. */
    for (gsize n = 0; n <= len; n++) {
        files = mt_tnef_files(p, n, 100, 1 << 20);
        if (files != NULL)
            g_assert_cmpuint(files->len, <=, 2);
        g_clear_pointer(&files, g_ptr_array_unref);
    }
}

/* A TNEF inside a TNEF is opened; the next level is not. */
static void
test_tnef_nested(void)
{
    g_autoptr(MtReport) report = report_new();
    g_autoptr(GBytes) data = fixture("attach-winmail.dat");
    MtOptions options;

    mt_options_init_default(&options);
    mt_attachment_analyze(report, "2:tnef1:tnef1", "tnef", "winmail.dat",
                          NULL, data, &options);
    g_assert_cmpuint(report->mime.attachments->len, ==, 1);
    g_assert_nonnull(strstr(must_find(report, "limit-reached")->message,
                            "max-tnef-depth"));
}

static void
test_magic(void)
{
    g_autoptr(GBytes) pe = fixture("attach-pe.bin");
    g_autofree char *type = NULL, *desc = NULL, *empty = NULL;

    type = mt_magic_type(g_bytes_get_data(pe, NULL), g_bytes_get_size(pe),
                         &desc);
    g_assert_cmpstr(type, ==, "application/vnd.microsoft.portable-executable");
    g_assert_true(g_str_has_prefix(desc, "PE32 executable"));
    empty = mt_magic_type("", 0, NULL);
    g_assert_cmpstr(empty, ==, "application/x-empty");
}

/* Without a magic database (libmagic cannot load one): no types, no
 * crash, and the checks by name still work. A cookie is opened per
 * thread, so a new thread in a child process sees the missing file. */
static gpointer
no_magic_thread(gpointer unused)
{
    g_autoptr(MtReport) report = report_new();
    g_autoptr(GBytes) data = fixture("attach-pe.bin");
    g_autofree char *desc = NULL;
    MtOptions options;
    MtAttachment *a;

    g_assert_null(mt_magic_type(g_bytes_get_data(data, NULL),
                                g_bytes_get_size(data), &desc));
    g_assert_null(desc);
    mt_options_init_default(&options);
    a = mt_attachment_analyze(report, "2", "mime", "setup.exe", NULL, data,
                              &options);
    g_assert_null(a->detected_type);
    g_assert_nonnull(must_find(report, "attachment-executable"));
    g_assert_cmpuint(strlen(a->hashes.sha256), ==, 64);
    return NULL;
}

static void
test_no_magic(void)
{
    if (g_test_subprocess()) {
        GThread *thread;

        g_setenv("MAGIC", "/nonexistent/magic.mgc", TRUE);
        thread = g_thread_new("no-magic", no_magic_thread, NULL);
        g_thread_join(thread);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

/* Damaged copies of every fixture: cut short, bytes flipped. Nothing
 * may crash or read out of bounds (the sanitizer builds check). */
static void
test_damaged(void)
{
    static const char *const names[] = {
        "attach-zip-exe.zip", "attach-zip-encrypted.zip",
        "attach-zip-nested.zip", "attach-docm.docm", "attach-ole-vba.doc",
        "attach-ole-encrypted.docx", "attach-xlm.xls", "attach-winmail.dat",
        "attach-encrypted.pdf", "attach-single.gz", "attach-image.svg",
    };
    guint32 seed = 12345;

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GBytes) data = fixture(names[i]);
        gsize len = g_bytes_get_size(data);

        for (guint round = 0; round < 24; round++) {
            g_autoptr(MtReport) report = report_new();
            g_autoptr(GBytes) copy = NULL;
            guchar *bytes = g_memdup2(g_bytes_get_data(data, NULL), len);
            gsize n = len;
            MtOptions options;

            if (round < 8) {
                n = len * round / 8;
            } else {
                for (guint k = 0; k < 8; k++) {
                    seed = seed * 1103515245u + 12345u;
                    bytes[(seed >> 8) % len] ^= (guchar)(seed >> 24) | 1;
                }
            }
            copy = g_bytes_new_take(bytes, n);
            mt_options_init_default(&options);
            g_assert_nonnull(mt_attachment_analyze(report, "2", "mime",
                                                   names[i], NULL, copy,
                                                   &options));
        }
    }
}

/* Every id raised here is in the registry (doc/findings.yaml). */
static void
test_registry(void)
{
    for (guint i = 0; all_ids[i] != NULL; i++) {
        const MtFindingInfo *info = mt_finding_info_get(all_ids[i]);

        if (info == NULL)
            g_error("%s is not in doc/findings.yaml", all_ids[i]);
        g_assert_nonnull(info->title);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/attachment/registry", test_registry);
    g_test_add_func("/attachment/cases", test_cases);
    g_test_add_func("/attachment/record", test_record);
    g_test_add_func("/attachment/severities", test_severities);
    g_test_add_func("/attachment/magic", test_magic);
    g_test_add_func("/attachment/no-magic", test_no_magic);
    g_test_add_func("/attachment/archive-listing", test_archive_listing);
    g_test_add_func("/attachment/archive-limits", test_archive_limits);
    g_test_add_func("/attachment/tnef", test_tnef);
    g_test_add_func("/attachment/tnef-damaged", test_tnef_damaged);
    g_test_add_func("/attachment/tnef-nested", test_tnef_nested);
    g_test_add_func("/attachment/damaged", test_damaged);
    return g_test_run();
}
