/* SPDX-License-Identifier: MIT */
/*
 * mailtrail-private.h: internals shared between the core's files. Nothing
 * here is part of the public API in mailtrail.h; tests may use it because
 * they link the core library directly.
 */
#ifndef MAILTRAIL_PRIVATE_H
#define MAILTRAIL_PRIVATE_H

#include <gmime/gmime.h>
#include <libpsl.h>

#include "mailtrail.h"

G_BEGIN_DECLS

/* GMime 3.2 ships no autoptr declarations. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeParserOptions, g_mime_parser_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtRawMessage, mt_raw_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtReport, mt_report_free)

/* GPtrArray free functions for the model's element types. */
void mt_header_free(gpointer p);
void mt_defect_free(gpointer p);
void mt_finding_free(gpointer p);
void mt_report_error_free(gpointer p);
void mt_mailbox_free(gpointer p);

/* An empty report with its arrays allocated. */
MtReport *mt_report_new_empty(void);
/* The report's error code for a GError from the core. */
const char *mt_error_code_name(const GError *error);

/* Appends a defect; message is printf-style. */
void mt_report_add_defect(MtReport *report, const char *code, gint64 offset,
                          int header_index, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void mt_report_add_error(MtReport *report, const char *code,
                         const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Initialises GMime once, thread-safely. */
void mt_gmime_init(void);

/* Reads the header block of data into report->headers, with defects.
 * Returns the offset of the body (after the empty line). */
gsize mt_headers_parse(MtReport *report, const guchar *data, gsize len,
                       const MtLimits *limits);
/* Fills report->summary from report->headers. */
void mt_summary_build(MtReport *report);
void mt_summary_clear(MtSummary *summary);

/* Evidence pointing at one header field: its index and byte offset (both
 * -1 when header_index is out of range). Borrows nothing. */
MtEvidence mt_evidence_for_header(const MtReport *report, int header_index);

/* MD5, SHA-1 and SHA-256 of data, lowercase hex (OpenSSL). */
void mt_hashes_compute(const void *data, gsize len, MtHashes *hashes);

/* The public suffix list every module uses (relay.c): the newer of
 * libpsl's built-in list and Debian's publicsuffix file, loaded once per
 * process, read-only, safe from any thread. Transfer none. */
const psl_ctx_t *mt_psl(void);
/* psl_registrable_domain(mt_psl(), name) for a lowercase name, remembered
 * per thread: the same few domains come back in every hop, address and
 * link of a message, and in message after message, and each lookup walks
 * the list once per label. Transfer full, NULL when there is none. */
char *mt_psl_registrable_domain(const char *name);

/* The value of a hex digit, or -1. */
static inline int
mt_hex_value(guchar c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Whether a and b are equal ignoring ASCII case: exactly
 * g_ascii_strcasecmp(a, b) == 0. The first bytes are compared inline
 * first: the header and element lookups scan every name of a message
 * for each name they want, and nearly all differ in the first byte, so
 * most of them skip the call. */
static inline gboolean
mt_name_equal(const char *a, const char *b)
{
    guchar x, y;

    if (a == NULL || b == NULL)
        return g_ascii_strcasecmp(a, b) == 0;
    x = (guchar)a[0];
    y = (guchar)b[0];
    if (x >= 'A' && x <= 'Z')
        x = (guchar)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
        y = (guchar)(y - 'A' + 'a');
    return x == y && g_ascii_strcasecmp(a, b) == 0;
}

/* The value of a base64 character (RFC 4648 table 1), or -1. */
static inline int
mt_b64_value(guchar c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Hex SHA-256 of data into out (65 bytes). */
void mt_sha256_hex(const void *data, gsize len, char out[65]);

G_END_DECLS

#endif /* MAILTRAIL_PRIVATE_H */
