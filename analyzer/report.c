/* SPDX-License-Identifier: MIT */
/*
 * report.c: the report model's constructors, destructors and small
 * helpers. A report is plain data: every analysis module appends to it and
 * every renderer reads it.
 */
#include <stddef.h>

#include <openssl/evp.h>

#include "mailtrail-private.h"
#include "relay-private.h"

G_DEFINE_QUARK(mailtrail-error-quark, mt_error)

const char *
mt_input_format_to_string(MtInputFormat format)
{
    switch (format) {
    case MT_INPUT_FORMAT_EML:
        return "eml";
    case MT_INPUT_FORMAT_MBOX:
        return "mbox";
    case MT_INPUT_FORMAT_MAILDIR:
        return "maildir";
    case MT_INPUT_FORMAT_AUTO:
        break;
    }
    return "auto";
}

gboolean
mt_input_format_from_string(const char *name, MtInputFormat *out)
{
    static const MtInputFormat all[] = {
        MT_INPUT_FORMAT_AUTO, MT_INPUT_FORMAT_EML, MT_INPUT_FORMAT_MBOX,
        MT_INPUT_FORMAT_MAILDIR};

    for (gsize i = 0; i < G_N_ELEMENTS(all); i++) {
        if (g_ascii_strcasecmp(name, mt_input_format_to_string(all[i])) == 0) {
            *out = all[i];
            return TRUE;
        }
    }
    return FALSE;
}

const char *
mt_eol_to_string(MtEol eol)
{
    static const char *const names[] = {"none", "lf", "crlf", "cr", "mixed"};

    return (guint)eol < G_N_ELEMENTS(names) ? names[eol] : "none";
}

const char *
mt_severity_to_string(MtSeverity severity)
{
    static const char *const names[] = {"info", "low", "medium", "high"};

    return (guint)severity < G_N_ELEMENTS(names) ? names[severity] : "info";
}

void
mt_limits_init_default(MtLimits *limits)
{
    /* Large enough for any real message, small enough that a hostile
     * input cannot exhaust memory on a laptop. */
    limits->max_message_bytes = 256u * 1024 * 1024;
    limits->max_headers = 10000;
    /* RFC 5322 allows any number of 998-byte lines in one field; real
     * ones stay under a few hundred KiB (a long References or DKIM
     * chain), so a MiB is generous and caps every per-field parser. */
    limits->max_header_bytes = 1024u * 1024;
    /* Real paths have a dozen hops, forwarding loops a few hundred
     * before an MTA gives up (Postfix' hopcount_limit is 50). */
    limits->max_received = 500;
    limits->max_defects = 1000;
    limits->max_parts = 1000;
    limits->max_mime_depth = 50;
    limits->max_message_depth = 5;
    limits->max_part_decoded = 64u * 1024 * 1024;
    limits->max_message_decoded = 256u * 1024 * 1024;
    limits->max_archive_entries = 1000;
    limits->max_urls = 2000;
    limits->max_html_nodes = 200000;
    /* RFC 8601 methods number a handful per header; Microsoft's longest
     * lists stay under twenty. */
    limits->max_auth_methods = 64;
}

#define KIB G_GUINT64_CONSTANT(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define MEMBER(m) offsetof(MtLimits, m), sizeof(((MtLimits *)NULL)->m)

/* The one list of limits. The upper bounds are not safety limits of
 * their own but a guard against a typo (an extra zero, a unit forgotten)
 * turning a bound off; the lower ones keep the analysis meaningful (a
 * message of 0 bytes, no header kept). */
static const MtLimitInfo limit_table[] = {
    {"max-message-bytes", TRUE, KIB, 64 * GIB,
     "bytes of one message; a larger one is hashed and reported, not "
     "parsed",
     MEMBER(max_message_bytes)},
    {"max-headers", FALSE, 1, 10000000,
     "header fields kept per message", MEMBER(max_headers)},
    {"max-header-bytes", TRUE, KIB, GIB,
     "bytes of one header field's value analyzed; the rest is cut",
     MEMBER(max_header_bytes)},
    {"max-received", FALSE, 1, 100000,
     "Received headers analyzed as hops (the topmost are kept)",
     MEMBER(max_received)},
    {"max-defects", FALSE, 1, 10000000,
     "parser defects kept per message; the rest are counted",
     MEMBER(max_defects)},
    {"max-parts", FALSE, 1, 1000000,
     "MIME parts walked per message, forwarded messages included",
     MEMBER(max_parts)},
    {"max-mime-depth", FALSE, 1, 1000, "multipart nesting walked",
     MEMBER(max_mime_depth)},
    {"max-message-depth", FALSE, 1, 50,
     "message/rfc822 nesting analyzed", MEMBER(max_message_depth)},
    {"max-part-decoded", TRUE, KIB, 16 * GIB,
     "decoded bytes kept per part (base64 bombs)",
     MEMBER(max_part_decoded)},
    {"max-message-decoded", TRUE, KIB, 64 * GIB,
     "decoded bytes per message, all parts", MEMBER(max_message_decoded)},
    {"max-archive-entries", FALSE, 1, 1000000,
     "archive entries listed per attachment",
     MEMBER(max_archive_entries)},
    {"max-urls", FALSE, 1, 10000000, "links kept per message",
     MEMBER(max_urls)},
    {"max-html-nodes", FALSE, 1, 100000000, "HTML nodes walked per body",
     MEMBER(max_html_nodes)},
    {"max-auth-methods", FALSE, 1, 10000,
     "methods read per Authentication-Results header",
     MEMBER(max_auth_methods)},
};

const MtLimitInfo *
mt_limits_table(gsize *n_out)
{
    if (n_out)
        *n_out = G_N_ELEMENTS(limit_table);
    return limit_table;
}

const MtLimitInfo *
mt_limits_lookup(const char *name)
{
    g_return_val_if_fail(name != NULL, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(limit_table); i++) {
        const char *a = limit_table[i].name, *b = name;

        /* "max_headers", the C member's spelling, names it too. */
        while (*a && (*a == *b || (*a == '-' && *b == '_'))) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0')
            return &limit_table[i];
    }
    return NULL;
}

guint64
mt_limits_get(const MtLimits *limits, const MtLimitInfo *info)
{
    const char *p;

    g_return_val_if_fail(limits != NULL && info != NULL, 0);
    p = (const char *)limits + info->offset;
    if (info->size == sizeof(guint64))
        return *(const guint64 *)(const void *)p;
    return *(const guint *)(const void *)p;
}

/* Parses a limit's value: digits, then for a byte limit an optional K, M
 * or G (any case, "KiB" and "KB" too, all 1024 based). Overflow is an
 * error, never a wrap. */
static gboolean
parse_limit_value(const MtLimitInfo *info, const char *text, guint64 *out)
{
    guint64 n = 0, unit = 1;
    const char *p = text;

    if (!g_ascii_isdigit(*p))
        return FALSE;
    for (; g_ascii_isdigit(*p); p++) {
        guint d = (guint)(*p - '0');
        if (n > (G_MAXUINT64 - d) / 10)
            return FALSE;
        n = n * 10 + d;
    }
    if (*p != '\0') {
        if (!info->bytes)
            return FALSE;
        switch (g_ascii_toupper(*p)) {
        case 'K':
            unit = KIB;
            break;
        case 'M':
            unit = MIB;
            break;
        case 'G':
            unit = GIB;
            break;
        default:
            return FALSE;
        }
        p++;
        if (g_ascii_strcasecmp(p, "iB") != 0 &&
            g_ascii_strcasecmp(p, "B") != 0 && *p != '\0')
            return FALSE;
        if (n > G_MAXUINT64 / unit)
            return FALSE;
    }
    *out = n * unit;
    return TRUE;
}

gboolean
mt_limits_set(MtLimits *limits, const char *name, const char *value,
              GError **error)
{
    const MtLimitInfo *info;
    guint64 n = 0;
    char *p;

    g_return_val_if_fail(limits != NULL && name != NULL && value != NULL,
                         FALSE);
    info = mt_limits_lookup(name);
    if (info == NULL) {
        g_autoptr(GString) names = g_string_new(NULL);

        for (gsize i = 0; i < G_N_ELEMENTS(limit_table); i++)
            g_string_append_printf(names, "%s%s", i ? ", " : "",
                                   limit_table[i].name);
        g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                    "unknown limit '%s' (%s)", name, names->str);
        return FALSE;
    }
    if (!parse_limit_value(info, value, &n) || n < info->min ||
        n > info->max) {
        g_autofree char *min = mt_limits_format_value(info, info->min);
        g_autofree char *max = mt_limits_format_value(info, info->max);
        g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                    "%s: '%s' is not %s from %s to %s", info->name, value,
                    info->bytes ? "a size (bytes, or with K, M, G)"
                                : "a number",
                    min, max);
        return FALSE;
    }
    p = (char *)limits + info->offset;
    if (info->size == sizeof(guint64))
        *(guint64 *)(void *)p = n;
    else
        *(guint *)(void *)p = (guint)n;
    return TRUE;
}

char *
mt_limits_format_value(const MtLimitInfo *info, guint64 value)
{
    g_return_val_if_fail(info != NULL, NULL);
    if (info->bytes && value > 0) {
        if (value % GIB == 0)
            return g_strdup_printf("%" G_GUINT64_FORMAT " GiB", value / GIB);
        if (value % MIB == 0)
            return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", value / MIB);
        if (value % KIB == 0)
            return g_strdup_printf("%" G_GUINT64_FORMAT " KiB", value / KIB);
    }
    return g_strdup_printf("%" G_GUINT64_FORMAT, value);
}

void
mt_options_init_default(MtOptions *options)
{
    memset(options, 0, sizeof(*options));
    mt_limits_init_default(&options->limits);
    options->body_preview = 500;
}

void
mt_source_clear(MtSource *source)
{
    g_clear_pointer(&source->path, g_free);
    g_clear_pointer(&source->mbox_from_line, g_free);
    g_clear_pointer(&source->mbox_sender, g_free);
    g_clear_pointer(&source->mbox_date, g_free);
}

void
mt_raw_message_free(MtRawMessage *raw)
{
    if (raw == NULL)
        return;
    mt_source_clear(&raw->source);
    g_clear_pointer(&raw->data, g_bytes_unref);
    g_clear_error(&raw->error);
    g_free(raw);
}

void
mt_header_free(gpointer p)
{
    MtHeader *header = p;

    if (header == NULL)
        return;
    g_free(header->name);
    g_free(header->value);
    g_free(header->decoded);
    g_free(header);
}

void
mt_defect_free(gpointer p)
{
    MtDefect *defect = p;

    if (defect == NULL)
        return;
    g_free(defect->code);
    g_free(defect->message);
    g_free(defect);
}

void
mt_finding_free(gpointer p)
{
    MtFinding *finding = p;

    if (finding == NULL)
        return;
    g_free(finding->id);
    g_free(finding->message);
    g_free(finding->evidence.part);
    g_free(finding);
}

void
mt_report_error_free(gpointer p)
{
    MtReportError *error = p;

    if (error == NULL)
        return;
    g_free(error->code);
    g_free(error->message);
    g_free(error);
}

void
mt_mailbox_free(gpointer p)
{
    MtMailbox *mailbox = p;

    if (mailbox == NULL)
        return;
    g_free(mailbox->name);
    g_free(mailbox->address);
    g_free(mailbox);
}

static MtReport *
report_alloc(void)
{
    MtReport *report = g_new0(MtReport, 1);

    report->headers = g_ptr_array_new_with_free_func(mt_header_free);
    report->defects = g_ptr_array_new_with_free_func(mt_defect_free);
    report->findings = g_ptr_array_new_with_free_func(mt_finding_free);
    report->errors = g_ptr_array_new_with_free_func(mt_report_error_free);
    mt_relay_init(&report->relay);
    mt_mime_init(&report->mime);
    report->links = g_ptr_array_new_with_free_func(mt_url_free);
    report->indicators = g_ptr_array_new_with_free_func(mt_indicator_free);
    /* With no headers yet, this marks every summary field absent. */
    mt_summary_build(report);
    return report;
}

MtReport *
mt_report_new_empty(void)
{
    return report_alloc();
}

static const char *
error_code_name(const GError *error)
{
    if (error == NULL || error->domain != MT_ERROR)
        return "io";
    switch ((MtErrorCode)error->code) {
    case MT_ERROR_IO:
        return "io";
    case MT_ERROR_NOT_MESSAGE:
        return "not-a-message";
    case MT_ERROR_PARSE:
        return "parse";
    case MT_ERROR_LIMIT:
        return "limit-reached";
    case MT_ERROR_GEOIP:
        return "geoip";
    case MT_ERROR_NETWORK:
        return "network";
    case MT_ERROR_TLS:
        return "tls";
    case MT_ERROR_AUTH:
        return "auth";
    case MT_ERROR_PROTOCOL:
        return "protocol";
    case MT_ERROR_MAILBOX:
        return "mailbox";
    case MT_ERROR_INVALID:
        return "invalid";
    }
    return "io";
}

const char *
mt_error_code_name(const GError *error)
{
    return error_code_name(error);
}

MtReport *
mt_report_new_for_error(const char *path, const GError *error)
{
    MtReport *report = report_alloc();

    report->source.path = g_strdup(path);
    report->source.format = MT_INPUT_FORMAT_AUTO;
    report->analyzed = FALSE;
    mt_report_add_error(report, error_code_name(error), "%s",
                        error ? error->message : "unknown error");
    return report;
}

void
mt_report_free(MtReport *report)
{
    if (report == NULL)
        return;
    mt_source_clear(&report->source);
    g_ptr_array_unref(report->headers);
    g_ptr_array_unref(report->defects);
    g_ptr_array_unref(report->findings);
    g_ptr_array_unref(report->errors);
    mt_relay_clear(&report->relay);
    mt_summary_clear(&report->summary);
    mt_identity_clear(&report->identity);
    mt_authentication_clear(&report->authentication);
    mt_mime_clear(&report->mime);
    g_ptr_array_unref(report->links);
    g_ptr_array_unref(report->indicators);
    g_free(report);
}

void
mt_report_add_defect(MtReport *report, const char *code, gint64 offset,
                     int header_index, const char *fmt, ...)
{
    va_list args;
    MtDefect *defect;

    if (report->defects->len >= report->max_defects) {
        report->defects_dropped++;
        return;
    }
    defect = g_new0(MtDefect, 1);
    defect->code = g_strdup(code);
    defect->offset = offset;
    defect->header_index = header_index;
    va_start(args, fmt);
    defect->message = g_strdup_vprintf(fmt, args);
    va_end(args);
    g_ptr_array_add(report->defects, defect);
}

void
mt_report_add_error(MtReport *report, const char *code, const char *fmt, ...)
{
    va_list args;
    MtReportError *error = g_new0(MtReportError, 1);

    error->code = g_strdup(code);
    va_start(args, fmt);
    error->message = g_strdup_vprintf(fmt, args);
    va_end(args);
    g_ptr_array_add(report->errors, error);
}

void
mt_report_add_finding(MtReport *report, const char *id, MtSeverity severity,
                      const MtEvidence *evidence, const char *fmt, ...)
{
    va_list args;
    MtFinding *finding = g_new0(MtFinding, 1);

    finding->id = g_strdup(id);
    finding->severity = severity;
    if (evidence) {
        finding->evidence = *evidence;
        finding->evidence.part = g_strdup(evidence->part);
    } else {
        finding->evidence.header_index = -1;
        finding->evidence.offset = -1;
        finding->evidence.hop = -1;
    }
    va_start(args, fmt);
    finding->message = g_strdup_vprintf(fmt, args);
    va_end(args);
    g_ptr_array_add(report->findings, finding);
}

MtEvidence
mt_evidence_for_header(const MtReport *report, int header_index)
{
    MtEvidence ev = {header_index, -1, -1, NULL};

    if (header_index >= 0 && (guint)header_index < report->headers->len)
        ev.offset = (gint64)((const MtHeader *)
                                 report->headers->pdata[header_index])
                        ->offset;
    return ev;
}

static void
hex_digest(const void *data, gsize len, const EVP_MD *md, char *out,
           gsize out_size)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    static const char hex[] = "0123456789abcdef";
    gsize n = 0;

    EVP_Digest(data, len, digest, &digest_len, md, NULL);
    for (unsigned int i = 0; i < digest_len && n + 2 < out_size; i++) {
        out[n++] = hex[digest[i] >> 4];
        out[n++] = hex[digest[i] & 0xf];
    }
    out[n] = '\0';
}

void
mt_hashes_compute(const void *data, gsize len, MtHashes *hashes)
{
    hex_digest(data, len, EVP_md5(), hashes->md5, sizeof(hashes->md5));
    hex_digest(data, len, EVP_sha1(), hashes->sha1, sizeof(hashes->sha1));
    hex_digest(data, len, EVP_sha256(), hashes->sha256,
               sizeof(hashes->sha256));
}

void
mt_sha256_hex(const void *data, gsize len, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    static const char hex[] = "0123456789abcdef";

    EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < digest_len && i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xf];
    }
    out[64] = '\0';
}
