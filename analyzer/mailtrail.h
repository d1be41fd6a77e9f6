/* SPDX-License-Identifier: MIT */
/*
 * mailtrail.h: the one public header of the mailtrail core library.
 *
 * The core reads messages (eml, mbox, maildir, stdin), analyzes them and
 * returns a report model. It never parses argv and never prints: the CLI in
 * analyzer/cli/ and the renderers in reports/ use it through this header.
 * Ownership follows GMime's conventions: _new and _dup return something the
 * caller frees with the matching _free, _get borrows, and every _free accepts
 * NULL.
 */
#ifndef MAILTRAIL_H
#define MAILTRAIL_H

#include <glib.h>
#include <stdint.h>

#include "mt-datetime.h"
#include "mt-received.h"
#include "mt-identity.h"
#include "mt-relay.h"
#include "mt-mime.h"

G_BEGIN_DECLS

/* The report format identifier. Additive changes keep /1. */
#define MT_SCHEMA_ID "mailtrail.report/1"

/* Errors: a failure to do the job, never an anomaly in a message. */
#define MT_ERROR (mt_error_quark())
GQuark mt_error_quark(void);

typedef enum {
    MT_ERROR_IO,          /* an input could not be opened or read */
    MT_ERROR_NOT_MESSAGE, /* the input is not a message (empty, binary...) */
    MT_ERROR_PARSE,       /* a message could not be parsed at all */
    MT_ERROR_LIMIT,       /* a configured limit stopped the work */
    MT_ERROR_GEOIP,       /* a GeoIP database is unusable */
    MT_ERROR_NETWORK,     /* fetch: not resolved, refused, timeout, lost */
    MT_ERROR_TLS,         /* fetch: handshake, certificate, pin, STARTTLS */
    MT_ERROR_AUTH,        /* fetch: login denied */
    MT_ERROR_PROTOCOL,    /* fetch: the server broke the protocol or a limit */
    MT_ERROR_MAILBOX,     /* fetch: mailbox missing, UIDVALIDITY changed */
    MT_ERROR_INVALID,     /* a bad URL or option value */
} MtErrorCode;

/* How an input is read. AUTO detects it from the content. */
typedef enum {
    MT_INPUT_FORMAT_AUTO,
    MT_INPUT_FORMAT_EML,
    MT_INPUT_FORMAT_MBOX,
    MT_INPUT_FORMAT_MAILDIR,
} MtInputFormat;

const char *mt_input_format_to_string(MtInputFormat format);
/* Returns FALSE for an unknown name. */
gboolean mt_input_format_from_string(const char *name, MtInputFormat *out);

/* Line endings seen in a message as stored. */
typedef enum {
    MT_EOL_NONE, /* no line ending at all (a one-line message) */
    MT_EOL_LF,
    MT_EOL_CRLF,
    MT_EOL_CR,
    MT_EOL_MIXED,
} MtEol;

const char *mt_eol_to_string(MtEol eol);

/* Safety limits. Hitting one is recorded in the report as a
 * "limit-reached" finding naming the limit, never a crash and never a
 * silent cut. Each has an option, "--limit NAME=VALUE", whose NAME is the
 * one the finding gives (MtLimitInfo below). */
typedef struct {
    guint64 max_message_bytes; /* a message larger than this is not parsed */
    guint max_headers;         /* header fields kept per message */
    guint64 max_header_bytes;  /* bytes of one field's value analyzed,
                                * as stored (after the colon, folded) */
    guint max_received;        /* Received headers analyzed as hops */
    guint max_defects;         /* parser defects kept per message */
    guint max_parts;           /* MIME parts walked per message, nested
                                * messages included */
    guint max_mime_depth;      /* multipart nesting walked */
    guint max_message_depth;   /* message/rfc822 inside message/rfc822 */
    guint64 max_part_decoded;  /* decoded bytes kept per part */
    guint64 max_message_decoded; /* decoded bytes per message, all parts */
    guint max_archive_entries; /* archive entries listed per attachment */
    guint max_urls;            /* links kept per message */
    guint max_html_nodes;      /* HTML nodes walked per body */
    guint max_auth_methods;    /* methods read per Authentication-Results */
} MtLimits;

void mt_limits_init_default(MtLimits *limits);

/* One limit as the command line and the documentation name it. The table
 * (mt_limits_table) is the one list of limits: --help, the man page's
 * LIMITS section and the "limit-reached" findings all use its names. */
typedef struct {
    const char *name;  /* "max-headers" */
    gboolean bytes;    /* a size: the value may end in K, M or G (1024) */
    guint64 min, max;  /* values accepted */
    const char *help;  /* what it bounds, one short line */
    gsize offset;      /* of the member in MtLimits */
    gsize size;        /* of the member: sizeof(guint) or sizeof(guint64) */
} MtLimitInfo;

/* The limits in documentation order; *n_out receives their number.
 * Transfer none. */
const MtLimitInfo *mt_limits_table(gsize *n_out);
/* The entry named name ("max-headers"; "max_headers" too), or NULL.
 * Transfer none. */
const MtLimitInfo *mt_limits_lookup(const char *name);
guint64 mt_limits_get(const MtLimits *limits, const MtLimitInfo *info);
/* Sets the limit named name from its text value: a decimal number, for
 * byte limits with an optional K, M or G suffix (KiB, MiB, GiB, 1024
 * based). Returns FALSE with MT_ERROR_INVALID for an unknown name, a
 * value that is not a number, or one outside [min, max]; limits is then
 * unchanged. */
gboolean mt_limits_set(MtLimits *limits, const char *name, const char *value,
                       GError **error);
/* value as the documentation writes it: "256 MiB", "1000". Transfer full. */
char *mt_limits_format_value(const MtLimitInfo *info, guint64 value);

/* Where a message came from. Offsets and sizes are in bytes of the input as
 * stored; sha256 is over exactly those bytes. */
typedef struct {
    char *path;              /* as given; "-" for standard input */
    MtInputFormat format;    /* EML, MBOX or MAILDIR */
    guint64 index;           /* 0-based position within the file */
    guint64 offset;          /* byte offset of the first header byte */
    guint64 size;            /* bytes of the message, separator excluded */
    char sha256[65];         /* lowercase hex */
    char *mbox_from_line;    /* separator line without "From " and EOL */
    char *mbox_sender;       /* envelope sender from the separator */
    char *mbox_date;         /* date text from the separator */
    guint64 mbox_quoted_from; /* body lines quoted as ">From " */
    gboolean content_length_used; /* split by a trusted Content-Length */
    MtEol eol;
} MtSource;

void mt_source_clear(MtSource *source);

/* One message as read, before analysis. data holds the bytes as stored,
 * except that CR-only line ends are turned into LF (one byte for one byte,
 * so offsets still hold). error is set when the bytes could not be read
 * completely (too large, read error): the report then carries it. */
typedef struct {
    MtSource source;
    GBytes *data;
    GError *error;
} MtRawMessage;

void mt_raw_message_free(MtRawMessage *raw);

/* An input reader over paths: files, mboxes, maildirs, directories and "-".
 * Messages come out in input order, one at a time; memory does not grow with
 * the size of an mbox. */
typedef struct _MtInput MtInput;

typedef enum {
    MT_INPUT_MESSAGE, /* *raw holds the next message */
    MT_INPUT_ERROR,   /* *error says why a file gave no (more) messages */
    MT_INPUT_END,     /* nothing left */
} MtInputStatus;

MtInput *mt_input_new(const MtLimits *limits);
void mt_input_free(MtInput *input);
/* Queues a path; "-" reads standard input. */
void mt_input_add(MtInput *input, const char *path, MtInputFormat format);
/* On MT_INPUT_ERROR, *error_path (borrowed, valid until the next call) names
 * the file that failed. Keep calling after an error: the rest is still read. */
MtInputStatus mt_input_next(MtInput *input, MtRawMessage **raw,
                            const char **error_path, GError **error);

/* Splits an mbox held in memory, for tests and small callers. Returns the
 * messages as MtRawMessage (transfer full). */
GPtrArray *mt_mbox_split_bytes(const char *path, const void *data, gsize len,
                               const MtLimits *limits);

/* Severity of a finding. */
typedef enum {
    MT_SEVERITY_INFO,
    MT_SEVERITY_LOW,
    MT_SEVERITY_MEDIUM,
    MT_SEVERITY_HIGH,
} MtSeverity;

const char *mt_severity_to_string(MtSeverity severity);

/* One header field in order. name and value are the raw bytes; value is
 * unfolded. decoded is RFC 2047 decoded UTF-8. */
typedef struct {
    char *name;
    char *value;
    gsize value_len;
    char *decoded;
    guint64 offset; /* byte offset of the field in the message */
} MtHeader;

/* A structural defect found while parsing. offset is -1 when unknown. */
typedef struct {
    char *code;
    char *message;
    gint64 offset;
    int header_index; /* -1 when not about one header */
} MtDefect;

/* Where a finding's evidence is. Unused members are -1. */
typedef struct {
    int header_index;
    gint64 offset;
    int hop;
    char *part;
} MtEvidence;

/* An anomaly in the message: data, with a permanent id from the registry. */
typedef struct {
    char *id;
    MtSeverity severity;
    char *message;
    MtEvidence evidence;
} MtFinding;

/* A finding id's entry in the registry, doc/findings.yaml, compiled in. */
typedef struct {
    const char *id;
    MtSeverity severity; /* the registry's default */
    const char *title;
} MtFindingInfo;

/* The registry entry of id, or NULL for an id the registry does not list.
 * Transfer none. */
const MtFindingInfo *mt_finding_info_get(const char *id);
/* The registry title of id, or NULL when unlisted. Transfer none. */
const char *mt_finding_title(const char *id);

/* Why a message could not be (fully) analyzed. */
typedef struct {
    char *code;
    char *message;
} MtReportError;

typedef struct {
    char *name;    /* display name, decoded, or NULL */
    char *address; /* addr-spec, or NULL for a group or unparsable */
} MtMailbox;

/* An address header: its first occurrence, and the mailboxes in it. */
typedef struct {
    int header_index; /* -1 when absent */
    guint count;      /* how many fields of this name */
    GPtrArray *mailboxes;
} MtAddressField;

/* A single-value header: its first occurrence. */
typedef struct {
    int header_index;
    guint count;
    char *text; /* decoded, trimmed */
} MtTextField;

typedef struct {
    MtAddressField from, sender, to, cc, bcc, reply_to, return_path;
    MtAddressField delivered_to, x_original_to;
    MtTextField subject, date, message_id, in_reply_to, references;
    MtTextField mime_version, content_type, content_transfer_encoding;
    MtTextField x_mailer, user_agent;
    gboolean date_valid;
    MtDateTime date_parsed;
    GPtrArray *reference_ids; /* char*: msg-ids from References */
} MtSummary;

/* One relay hop: a Received header and what was worked out about it. */
typedef struct {
    MtReceived *received;
    int header_index; /* position in MtReport.headers */

    /* Filled by the relay analysis (relay.c, types in mt-relay.h). */
    gboolean has_delay;
    gint64 delay_s;        /* since the previous hop, signed, never clamped */
    gboolean has_ip_class; /* received->from_ip is an address */
    MtIpClass ip_class;
    const char *ip_note;   /* mt_ip_note() of from_ip: static, or NULL */
    MtGeoRecord *geo;      /* of from_ip, or NULL */
    MtTrust trust;
    MtLink link;           /* this hop's "from" against the previous "by" */
    guint flags;           /* MtHopFlag */
} MtHop;

void mt_hop_free(MtHop *hop);

/* The relay path, origin first. */
typedef struct {
    GPtrArray *hops; /* MtHop*, hop 1 (the bottom-most Received) first */

    /* Filled by the relay analysis (relay.c, types in mt-relay.h). */
    int boundary_hop;           /* 1-based; 0 when no hop is trusted */
    char *boundary_reason;
    const char *trust_source;   /* static: "trusted-host",
                                 * "recipient-domain", "top-hop"; or NULL */
    GPtrArray *trusted_domains; /* char*: what the organisation was matched
                                 * by (domains, --trusted-host values) */
    MtRelayOrigin origin;
    GPtrArray *claimed_origins; /* MtClaimedOrigin* */
    GPtrArray *timestamps;      /* MtRelayTimestamp* */
    gboolean has_total_transit;
    gint64 total_transit_s;     /* last dated hop minus the first */
    gboolean has_date_vs_first_hop;
    gint64 date_vs_first_hop_s; /* first dated hop minus Date */
    gboolean has_date_vs_last_hop;
    gint64 date_vs_last_hop_s;  /* last dated hop minus Date */
    gboolean geoip_available;   /* at least one database was loaded */
    GPtrArray *geoip_databases; /* MtGeoDatabase*, copies */
} MtRelay;

/* The analysis of one message. */
struct _MtReport {
    MtSource source;
    gboolean analyzed; /* FALSE for an input-level error record */
    GPtrArray *headers;  /* MtHeader* */
    GPtrArray *defects;  /* MtDefect* */
    GPtrArray *findings; /* MtFinding* */
    GPtrArray *errors;   /* MtReportError* */
    MtSummary summary;
    MtRelay relay;
    MtIdentity identity;         /* identity.c */
    MtAuthentication authentication; /* identity.c, auth.c */
    MtMime mime;                 /* mime.c and the files it calls */
    GPtrArray *links;            /* MtUrl*: links.c */
    guint links_dropped;         /* links past max_urls */
    GPtrArray *indicators;       /* MtIndicator*: indicators.c */
    int embedded_depth;          /* 0; n for a message inside a message
                                  * part (MtPart.message) */
    guint max_defects;     /* from MtLimits: later defects are counted */
    guint defects_dropped; /* defects past max_defects */
    guint headers_dropped; /* header fields past max_headers */
};

/* A table of DKIM public keys, as --dkim-keys reads it: one key a line,
 * "selector._domainkey.domain TXT" (dkim-verify.c). */
typedef struct _MtDkimKeys MtDkimKeys;

/* Reads a key table file. Returns NULL with error (G_FILE_ERROR) when it
 * cannot be read. Transfer full. */
MtDkimKeys *mt_dkim_keys_load(const char *path, GError **error);
void mt_dkim_keys_free(MtDkimKeys *keys);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtDkimKeys, mt_dkim_keys_free)

typedef struct {
    MtLimits limits;
    MtGeoip *geoip;          /* borrowed; NULL: no GeoIP lookups */
    GPtrArray *trusted_hosts; /* char*, borrowed: --trusted-host values
                               * (see mt_trusted_host_check()); NULL or
                               * empty: the boundary is inferred */
    GPtrArray *trusted_authserv; /* char*, borrowed: --trusted-authserv
                                  * values; NULL or empty: the receiving
                                  * organisation's hosts */
    const MtDkimKeys *dkim_keys; /* borrowed: --dkim-keys; NULL: no
                                  * signature verification */
    gboolean online; /* --online: look DKIM keys up in live DNS */
    guint body_preview; /* characters of each text body kept as preview */
    gboolean bodies;    /* --bodies: keep each body's full text */
    gboolean keep_attachment_data; /* keep MtAttachment.data (extract) */
} MtOptions;

void mt_options_init_default(MtOptions *options);

/* Analyzes one message. Never fails: what could not be done is in
 * report->errors. raw is borrowed. */
MtReport *mt_analyze(const MtRawMessage *raw, const MtOptions *options);
/* A report for an input that gave no message (not a message, unreadable). */
MtReport *mt_report_new_for_error(const char *path, const GError *error);
void mt_report_free(MtReport *report);

/* Adds a finding; message is printf-style. evidence members are copied. */
void mt_report_add_finding(MtReport *report, const char *id,
                           MtSeverity severity, const MtEvidence *evidence,
                           const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* Escapes bytes for a JSON or text value: valid UTF-8 is kept, each byte
 * that is not valid UTF-8 becomes "\xHH" and, only when such a byte exists,
 * every backslash is doubled, so the original bytes can be recovered.
 * *escaped says whether that happened. Transfer full. */
char *mt_escape_bytes(const char *bytes, gsize len, gboolean *escaped);

G_END_DECLS

/* Acquisition (mailtrail fetch) uses the types above. */
#include "mt-acquire.h"
/* So does parallel analysis (--jobs). */
#include "mt-parallel.h"

#endif /* MAILTRAIL_H */
