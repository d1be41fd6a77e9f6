/* SPDX-License-Identifier: MIT */
/*
 * mt-mime.h: what is inside a message. The MIME part tree, the attachments
 * typed by their content, the text bodies decoded to UTF-8, delivery
 * status notifications, the links found in the bodies and the indicators
 * (IPs, domains, URLs, addresses, hashes) gathered from the whole report.
 * Included by mailtrail.h; filled by mime.c, body.c, attachment.c,
 * archive.c, tnef.c, links.c and indicators.c.
 *
 * Part paths are IMAP section numbers (RFC 3501 6.4.5): the children of a
 * multipart are 1, 2, ...; the body of a message/rfc822 part P is P.1 when
 * it is a single part, and its children are P.1, P.2 when it is a
 * multipart. A multipart IMAP gives no number of its own gets the section
 * that fetches its content: "TEXT" for the message's own top-level
 * multipart, "P.TEXT" for one inside the message/rfc822 part P. A
 * single-part message's body is "1". Files found inside a part, not as
 * MIME parts, add a suffix: "1:uu2" (the second uuencoded block of part
 * 1), "3:tnef1" (the first file in the TNEF part 3).
 */
#ifndef MT_MIME_H
#define MT_MIME_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MtReport MtReport;

/* A parameter of Content-Type or Content-Disposition, RFC 2231 and
 * RFC 2047 decoded to UTF-8. */
typedef struct {
    char *name;  /* lowercase */
    char *value; /* decoded UTF-8; bytes that were not are \xHH escaped */
} MtParam;

typedef enum {
    MT_PART_LEAF,      /* content: text, image, application, ... */
    MT_PART_MULTIPART, /* children */
    MT_PART_MESSAGE,   /* message/rfc822, message/global: a whole message */
} MtPartKind;

/* Hashes of decoded bytes, lowercase hex; empty strings when not hashed. */
typedef struct {
    char md5[33];
    char sha1[41];
    char sha256[65];
} MtHashes;

typedef struct _MtPart MtPart;
struct _MtPart {
    char *path;             /* IMAP section, see above */
    MtPartKind kind;
    int depth;              /* 0 for the message's top-level entity */
    char *content_type;     /* "type/subtype", lowercase, as GMime read it
                             * (text/plain when none was declared) */
    gboolean type_declared; /* a Content-Type header was present */
    GPtrArray *type_params; /* MtParam*: Content-Type parameters */
    char *charset;          /* the charset parameter, or NULL */
    char *transfer_encoding; /* lowercase as declared, or NULL */
    char *disposition;      /* "inline", "attachment", other, or NULL */
    GPtrArray *disposition_params; /* MtParam* */
    char *filename;         /* the name used: filename=, else name=; or
                             * NULL */
    char *content_id;
    char *content_description;
    gint64 header_offset;   /* byte offset of the part's header in the
                             * outermost message; -1 when unknown */
    gint64 body_offset;     /* byte offset of its content; -1 unknown */
    guint64 size_encoded;   /* bytes of the content as stored */
    guint64 size_decoded;   /* bytes after the transfer encoding is undone
                             * (leaves and message parts) */
    gboolean decoded_truncated; /* decoding stopped at a limit */
    MtHashes hashes;        /* of the decoded content: leaves, and the
                             * embedded message of a message part */
    char *detected_type;    /* libmagic MIME type of the decoded content
                             * (leaves), or NULL */
    gboolean is_attachment; /* listed in MtMime.attachments */
    gboolean is_body;       /* listed in MtMime.bodies */
    char *preamble;         /* multipart: text before the first boundary
                             * that is not whitespace (escaped), or NULL */
    char *epilogue;         /* multipart: text after the last boundary */
    GPtrArray *children;    /* MtPart*: multipart children; for a message
                             * part, the embedded message's top-level
                             * entity */
    MtReport *message;      /* message part: the embedded message analyzed
                             * as a whole (headers, relay, identity,
                             * authentication; its own mime is empty since
                             * its parts are the children here); NULL
                             * past the depth limit */
};

/* What was found about an attachment; a bit set. */
typedef enum {
    MT_ATTACH_TYPE_MISMATCH   = 1 << 0,  /* declared/extension vs content */
    MT_ATTACH_DOUBLE_EXT      = 1 << 1,  /* invoice.pdf.exe */
    MT_ATTACH_EXECUTABLE      = 1 << 2,  /* by content or by extension */
    MT_ATTACH_SCRIPT          = 1 << 3,  /* js, vbs, ps1, hta, bat, ... */
    MT_ATTACH_BIDI_NAME       = 1 << 4,  /* RTLO or other bidi controls */
    MT_ATTACH_HOMOGLYPH_NAME  = 1 << 5,  /* mixed scripts, confusables */
    MT_ATTACH_MACRO           = 1 << 6,  /* docm/xlsm, OLE with VBA */
    MT_ATTACH_HTML            = 1 << 7,  /* HTML, SVG, XHTML */
    MT_ATTACH_ARCHIVE         = 1 << 8,  /* zip, rar, 7z, tar, gzip, ... */
    MT_ATTACH_ENCRYPTED       = 1 << 9,  /* encrypted PDF or archive */
    MT_ATTACH_EMPTY           = 1 << 10, /* 0 bytes decoded */
    MT_ATTACH_DISK_IMAGE      = 1 << 11, /* iso, img, vhd */
} MtAttachFlag;

/* Bits of MtAttachFlag that have a name. */
#define MT_ATTACH_FLAG_BITS 12
/* The report's name of one flag ("double-extension"), or NULL for a
 * value that is not exactly one named bit. Static. */
const char *mt_attach_flag_to_string(guint flag);

/* One entry of an archive, listed without writing anything to disk. */
typedef struct {
    char *name;        /* as stored, escaped when not UTF-8 */
    guint64 size;      /* uncompressed, as the archive says */
    gboolean encrypted;
    gboolean executable; /* by name or by content */
    gboolean is_dir;
    int depth;         /* 0 in the attachment itself, 1 in an archive in it */
    char *detected_type; /* of the entry's first bytes, when read */
} MtArchiveEntry;

typedef struct {
    char *part;             /* path of the part (or "1:uu1", "3:tnef2") */
    char *source;           /* "mime", "uuencode" or "tnef" */
    char *filename;         /* decoded name, or NULL */
    char *extension;        /* last extension, lowercase, no dot; or NULL */
    char *declared_type;    /* Content-Type, or NULL for embedded files */
    char *detected_type;    /* libmagic MIME type */
    char *detected_description; /* libmagic's text, bounded */
    guint64 size;           /* decoded bytes */
    MtHashes hashes;
    guint flags;            /* MtAttachFlag */
    char *archive_format;   /* libarchive's name, when an archive */
    GPtrArray *archive_entries; /* MtArchiveEntry*, or NULL */
    guint archive_entries_dropped; /* past the entry limit */
    GBytes *data;           /* decoded bytes, kept only while
                             * MtOptions.keep_attachment_data is set (the
                             * extract command), else NULL */
} MtAttachment;

/* A text body: text/plain or text/html decoded to UTF-8. */
typedef struct {
    char *part;
    char *content_type;     /* text/plain, text/html */
    char *charset_declared; /* the label as written, or NULL */
    char *charset_used;     /* the canonical charset decoded with */
    gboolean charset_detected; /* charset_used was guessed: no label, an
                                * unknown one, or one the bytes contradict */
    char *charset_note;     /* why it was guessed, or NULL */
    gboolean lossy;         /* some bytes did not convert */
    guint64 size;           /* decoded bytes, before charset conversion */
    guint64 chars;          /* characters of the full UTF-8 text */
    char *preview;          /* the first MtOptions.body_preview chars */
    char *text;             /* the full text with --bodies, else NULL */
} MtBody;

/* One recipient block of a delivery status notification (RFC 3464). */
typedef struct {
    char *final_recipient;
    char *original_recipient;
    char *action;
    char *status;
    char *diagnostic_code;
    char *remote_mta;
    char *last_attempt_date;
} MtDsnRecipient;

typedef struct {
    char *part;               /* the message/delivery-status part */
    char *reporting_mta;
    char *arrival_date;
    GPtrArray *recipients;    /* MtDsnRecipient* */
    char *returned_part;      /* path of the returned message or headers,
                               * or NULL */
    GPtrArray *returned_headers; /* MtHeader* of the returned message */
} MtDsn;

typedef struct {
    gboolean analyzed;      /* FALSE when GMime gave no structure */
    MtPart *root;           /* the top-level entity */
    GPtrArray *attachments; /* MtAttachment*, in part order */
    GPtrArray *bodies;      /* MtBody* */
    GPtrArray *dsn;         /* MtDsn* */
    guint part_count;       /* parts in the tree, nested messages too */
    int max_depth;          /* deepest part */
    gboolean partial;       /* message/partial: id, number, total below */
    char *partial_id;
    int partial_number, partial_total;
} MtMime;

/* Where a URL was seen. */
typedef enum {
    MT_URL_TEXT,         /* a plain text body */
    MT_URL_HREF,         /* <a href>, <area href> */
    MT_URL_SRC,          /* <img src>, <iframe src>, <script src>, ... */
    MT_URL_ACTION,       /* <form action>, formaction */
    MT_URL_BACKGROUND,   /* background= */
    MT_URL_CSS,          /* url() in a style */
    MT_URL_META_REFRESH, /* <meta http-equiv=refresh> */
    MT_URL_HEADER,       /* List-Unsubscribe and similar headers */
} MtUrlSource;

typedef enum {
    MT_URL_TEXT_MISMATCH = 1 << 0, /* anchor text shows another domain */
    MT_URL_IP_HOST       = 1 << 1,
    MT_URL_PUNYCODE      = 1 << 2, /* xn-- labels, or mixed scripts */
    MT_URL_SHORTENER     = 1 << 3,
    MT_URL_CREDENTIALS   = 1 << 4, /* user:pass@ */
    MT_URL_DATA          = 1 << 5, /* data: URL */
    MT_URL_JAVASCRIPT    = 1 << 6, /* javascript:, vbscript: */
    MT_URL_FORM_EXTERNAL = 1 << 7, /* a form posting off the sender's
                                     * domain */
    MT_URL_TRACKING_PIXEL = 1 << 8, /* remote 1x1 or hidden image */
    MT_URL_REMOTE_IMAGE  = 1 << 9,
    MT_URL_DEFANGED      = 1 << 10, /* written defanged: hxxp, [.] */
    MT_URL_WRAPPED       = 1 << 11, /* a rewriter's link, unwrapped */
    MT_URL_NO_SCHEME     = 1 << 12, /* www.example.com without scheme */
} MtUrlFlag;

/* Bits of MtUrlFlag that have a name. */
#define MT_URL_FLAG_BITS 13
/* The report's name of one flag ("text-mismatch"), or NULL. Static. */
const char *mt_url_flag_to_string(guint flag);

typedef struct {
    char *url;          /* as found, entities and defanging undone */
    char *unwrapped;    /* the target of a rewritten link, or NULL */
    char *wrapper;      /* "safelinks", "urldefense-v2", "mimecast",
                         * "barracuda", ... or NULL */
    char *scheme;       /* lowercase, or NULL */
    char *host;         /* lowercase ASCII (A-labels), or NULL */
    char *host_unicode; /* U-labels when the host is IDN, or NULL */
    char *target_host;  /* unwrapped's host, normalized as host is; NULL
                         * when not wrapped. Not a JSON field: the
                         * report carries unwrapped itself. */
    char *part;         /* the body part it came from */
    MtUrlSource source;
    char *anchor_text;  /* visible text of <a>, bounded, or NULL */
    guint flags;        /* MtUrlFlag */
} MtUrl;

const char *mt_url_source_to_string(MtUrlSource source);

typedef enum {
    MT_INDICATOR_IP,
    MT_INDICATOR_DOMAIN,
    MT_INDICATOR_URL,
    MT_INDICATOR_EMAIL,
    MT_INDICATOR_MD5,
    MT_INDICATOR_SHA1,
    MT_INDICATOR_SHA256,
} MtIndicatorType;

const char *mt_indicator_type_to_string(MtIndicatorType type);

/* One indicator, deduplicated by (type, value) within a report. */
typedef struct {
    MtIndicatorType type;
    char *value;         /* lowercase for domains and hashes */
    GPtrArray *sources;  /* char*: "hop 2", "header 5 (From)", "part 1.2",
                          * "link 3"; bounded */
} MtIndicator;

void mt_part_free(gpointer p);
void mt_attachment_free(gpointer p);
void mt_body_free(gpointer p);
void mt_dsn_free(gpointer p);
void mt_url_free(gpointer p);
void mt_indicator_free(gpointer p);
void mt_param_free(gpointer p);
/* Allocates the arrays of an empty MtMime. */
void mt_mime_init(MtMime *mime);
void mt_mime_clear(MtMime *mime);
/* The part at path in the tree under root, or NULL. Transfer none. */
MtPart *mt_part_find(MtPart *root, const char *path);

G_END_DECLS

#endif /* MT_MIME_H */
