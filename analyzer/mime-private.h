/* SPDX-License-Identifier: MIT */
/*
 * mime-private.h: the content analysis inside the core. mime.c walks the
 * GMime tree and calls the others for each piece:
 *
 *   mime.c        the part tree, decoding with limits, hashes, structural
 *                 defects, message/rfc822 (mt_analyze_embedded), DSNs,
 *                 message/partial
 *   body.c        text bodies to UTF-8 (declared charset, detection),
 *                 previews, uuencoded blocks
 *   attachment.c  attachments typed by content (libmagic), names, Office
 *                 macros, HTML/SVG; calls archive.c and tnef.c
 *   archive.c     archive listing in memory (libarchive)
 *   tnef.c        winmail.dat (libytnef)
 *   links.c       URLs from text and HTML bodies (libxml2), unwrapping,
 *                 flags (libidn2, libpsl)
 *   indicators.c  the deduplicated indicator list of a report
 *
 * Every function here takes hostile bytes: each bounds its loops by the
 * limits in MtOptions and records a "limit-reached" finding instead of
 * stopping silently.
 */
#ifndef MIME_PRIVATE_H
#define MIME_PRIVATE_H

#include "mailtrail-private.h"

G_BEGIN_DECLS

/* libxml2's document (libxml/tree.h), named without its headers. */
struct _xmlDoc;

/* mime.c ------------------------------------------------------------- */

/* Walks message (may be NULL: then mime.analyzed stays FALSE) into
 * report->mime, calling everything below. data/len are the raw message
 * bytes (offsets are into them). */
void mt_mime_analyze(MtReport *report, GMimeMessage *message,
                     const guchar *data, gsize len, const MtOptions *options);

/* Analyzes an embedded message (the content of a message/rfc822 part) as
 * a whole: headers, summary, relay, authentication, identity and score,
 * but not its MIME tree, which the caller walks as part of its own.
 * Returns the report (embedded_depth = depth) for MtPart.message. */
MtReport *mt_analyze_embedded(const MtReport *outer, const char *part_path,
                              const guchar *data, gsize len,
                              gint64 offset, const MtOptions *options,
                              int depth);

/* Reads report->headers' Received and X-Received fields into
 * report->relay.hops, origin first (analyze.c; shared with the embedded
 * message analysis). */
void mt_relay_read_hops(MtReport *report);

/* The steps a message and an embedded message share (analyze.c): the
 * header block (fields, defects, summary; what names the message in the
 * no-headers error), then the trail (relay path, authentication evidence,
 * the DKIM body hash, signatures checked with --dkim-keys). */
void mt_analyze_header_block(MtReport *report, const guchar *data, gsize len,
                             const MtOptions *options, const char *what);
void mt_analyze_trail(MtReport *report, const guchar *data, gsize len,
                      const MtOptions *options);

/* Adds a "limit-reached" finding naming the limit ("max-parts", ...). */
void mt_report_limit_reached(MtReport *report, const char *limit,
                             const char *part, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* body.c ------------------------------------------------------------- */

/* Decodes a text part's bytes (transfer encoding already undone) to a
 * body record: declared charset, or detection when the label is missing,
 * unknown, misspelt (uft-8) or contradicted by the bytes. *full_text gets
 * the whole UTF-8 text (transfer full) for link extraction; the body
 * keeps a preview of options->body_preview characters, and the full text
 * only with options->bodies. Raises charset findings on report. */
MtBody *mt_body_decode(MtReport *report, const MtPart *part,
                       const guchar *bytes, gsize len,
                       const MtOptions *options, char **full_text);
/* mt_body_decode(), and when doc is not NULL, *doc gets the HTML
 * document parsed from the whole of *full_text for the preview
 * (mt_html_parse(), transfer full), or NULL when it was not parsed whole
 * (not HTML, no preview, a cut one, empty). Saves links.c a second parse
 * of the same text. */
MtBody *mt_body_decode_doc(MtReport *report, const MtPart *part,
                           const guchar *bytes, gsize len,
                           const MtOptions *options, char **full_text,
                           struct _xmlDoc **doc);
/* libxml2's HTML parse of a UTF-8 text (len <= G_MAXINT), with the one
 * set of options that the preview and the links read: no network, no
 * error output, recovering, the encoding taken as given. Transfer full
 * (xmlFreeDoc), NULL when libxml2 makes no document of it. */
struct _xmlDoc *mt_html_parse(const char *utf8, gsize len);

/* One file found uuencoded ("begin MODE NAME" ... "end") in a text. */
typedef struct {
    char *name;     /* as written, escaped when not UTF-8 */
    guint mode;     /* octal mode from the begin line */
    gsize offset;   /* of the begin line in the text */
    GBytes *data;   /* decoded bytes */
    gboolean truncated; /* no "end" line, or a limit */
} MtUuFile;

void mt_uu_file_free(gpointer p);
/* Finds uuencoded blocks in bytes, at most max_files, each decoded to at
 * most max_bytes. Linear in len. Transfer full (MtUuFile*). */
GPtrArray *mt_uuencode_find(const guchar *bytes, gsize len, guint max_files,
                            guint64 max_bytes);

/* attachment.c -------------------------------------------------------- */

/* Analyzes one attachment: detects its type from the content, checks the
 * name and type, lists archives, TNEF contents; appends it (and files
 * found inside TNEF) to report->mime.attachments and raises the
 * attachment-, archive- findings with evidence.part = path. declared_type
 * is NULL for files not carried as MIME parts. data is borrowed (kept
 * when options->keep_attachment_data). Returns the new record (transfer
 * none). */
MtAttachment *mt_attachment_analyze(MtReport *report, const char *path,
                                    const char *source,
                                    const char *filename,
                                    const char *declared_type,
                                    GBytes *data, const MtOptions *options);

/* libmagic's MIME type of data ("application/pdf"), and its description
 * when description is not NULL; NULL when libmagic is unavailable. One
 * magic cookie per thread. Transfer full. */
char *mt_magic_type(const void *data, gsize len, char **description);

/* archive.c ----------------------------------------------------------- */

/* Lists an archive held in memory into a->archive_entries and
 * a->archive_format; recurses into archives inside it (depth bounded).
 * Sets MT_ATTACH_ARCHIVE, and MT_ATTACH_ENCRYPTED for an encrypted entry
 * or header, in a->flags. Limits hit are recorded on report (may be
 * NULL). Returns FALSE when data is not an archive libarchive reads. */
gboolean mt_archive_list(MtReport *report, MtAttachment *a,
                         const void *data, gsize len,
                         const MtOptions *options);
/* The entry array's constructor (mime-model.c). */
GPtrArray *mt_archive_entries_new(void);

/* tnef.c -------------------------------------------------------------- */

/* One file inside a TNEF stream. */
typedef struct {
    char *name;
    GBytes *data;
} MtTnefFile;

void mt_tnef_file_free(gpointer p);
/* The files attached in a TNEF (winmail.dat) stream, at most max_files;
 * NULL when data is not TNEF. Transfer full. */
GPtrArray *mt_tnef_files(const void *data, gsize len, guint max_files,
                         guint64 max_bytes);

/* links.c ------------------------------------------------------------- */

/* Extracts URLs from a plain text body (with and without scheme,
 * defanged forms) into report->links. */
void mt_links_from_text(MtReport *report, const char *part,
                        const char *utf8, gsize len,
                        const MtOptions *options);
/* Extracts URLs from an HTML body with libxml2's HTML parser. */
void mt_links_from_html(MtReport *report, const char *part,
                        const char *utf8, gsize len,
                        const MtOptions *options);
/* The same for a body already parsed by mt_html_parse() (doc: transfer
 * full, freed here). */
void mt_links_from_html_doc(MtReport *report, const char *part,
                            struct _xmlDoc *doc, const MtOptions *options);
/* After all bodies: flags, unwrapping, and the link- and html- findings. */
void mt_links_analyze(MtReport *report, const MtOptions *options);

/* indicators.c --------------------------------------------------------- */

/* Builds report->indicators from the relay hops, the address headers,
 * the links, the attachments, and embedded messages. */
void mt_indicators_build(MtReport *report);

/* dsn ----------------------------------------------------------------- */
GPtrArray *mt_dsn_recipients_new(void);

G_END_DECLS

#endif /* MIME_PRIVATE_H */
