/* SPDX-License-Identifier: MIT */
/*
 * acquire-private.h: internals of the acquisition module (mailtrail fetch),
 * shared between acquire.c (transport, evidence files), imap.c, pop3.c,
 * acquire-record.c and the two protocol parsers imap-parse.c and
 * pop3-parse.c. The parsers are pure functions over byte buffers with
 * explicit limits, so that unit tests and fuzzers can drive them without a
 * network; nothing in this header is public API.
 */
#ifndef MT_ACQUIRE_PRIVATE_H
#define MT_ACQUIRE_PRIVATE_H

#include <curl/curl.h>
#include <glib.h>

#include "mailtrail.h"
#include "mt-acquire.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------- limits */

/* Bytes of one IMAP response line outside literals, and of one POP3
 * status line. A hostile server that never sends a line end is cut off
 * here instead of filling memory. 16 MiB leaves room for a SEARCH answer
 * listing a million UIDs. */
#define MT_ACQUIRE_MAX_LINE (16u * 1024u * 1024u)
/* A POP3 status line is at most 512 octets (RFC 1939 section 3); real
 * servers stay far below this. */
#define MT_POP3_MAX_STATUS_LINE (64u * 1024u)
/* Bytes of a POP3 multi-line listing (CAPA, UIDL, LIST). */
#define MT_POP3_MAX_LISTING (64u * 1024u * 1024u)
/* Literals accepted in one IMAP response that is not a message body. */
#define MT_IMAP_MAX_SMALL_LITERAL (1024u * 1024u)
/* Untagged responses accepted while one command runs: a server that
 * streams endless "* OK" lines is stopped after this many. */
#define MT_IMAP_MAX_UNTAGGED 2000000u
/* Nesting depth of parenthesised lists in one response. */
#define MT_IMAP_MAX_DEPTH 32u
/* Items (atoms, strings, lists) in one response. */
#define MT_IMAP_MAX_ITEMS 200000u
/* Mailboxes kept from one LIST answer. */
#define MT_IMAP_MAX_MAILBOXES 100000u
/* UIDs kept from one SEARCH answer. */
#define MT_IMAP_MAX_SEARCH 4000000u

typedef struct {
    gsize max_line;      /* bytes of one line outside literals */
    guint64 max_literal; /* bytes of one literal */
    guint max_literals;  /* literals in one response */
    guint max_depth;     /* list nesting */
    guint max_items;     /* items in one response */
} MtImapLimits;

void mt_imap_limits_init_default(MtImapLimits *limits);

/* --------------------------------------------------------- IMAP scanner */

/* Finds where one complete IMAP response ends in a buffer that grows at
 * its end: a line, and whenever that line ends in a literal marker {N},
 * N bytes taken verbatim and the line that continues after them. The
 * scanner keeps its position, so every byte is looked at once however the
 * data trickles in. */
typedef struct {
    gsize pos;            /* next byte to look at */
    gsize line_start;     /* first byte of the current line segment */
    guint64 literal_left; /* literal bytes still to skip */
    gsize literal_start;  /* offset of the first byte of the last literal */
    guint64 literal_size; /* announced size of the last literal */
    guint literals;       /* literals seen in this response */
} MtImapScanner;

typedef enum {
    MT_IMAP_SCAN_MORE,  /* no complete response yet: read more */
    MT_IMAP_SCAN_DONE,  /* *response_len bytes form one response */
    MT_IMAP_SCAN_ERROR, /* the server broke a limit or the syntax */
} MtImapScanStatus;

void mt_imap_scanner_reset(MtImapScanner *scanner);
MtImapScanStatus mt_imap_scan(MtImapScanner *scanner, const guint8 *buf,
                              gsize len, const MtImapLimits *limits,
                              gsize *response_len, GError **error);
/* TRUE while the scanner is inside a literal (the bytes from
 * literal_start on are a truncated literal if the connection ends). */
gboolean mt_imap_scanner_in_literal(const MtImapScanner *scanner);

/* ---------------------------------------------------------- IMAP parser */

typedef enum {
    MT_IMAP_ITEM_ATOM,
    MT_IMAP_ITEM_NUMBER, /* an atom of digits; data/len hold the text */
    MT_IMAP_ITEM_STRING, /* quoted or literal */
    MT_IMAP_ITEM_NIL,
    MT_IMAP_ITEM_LIST,
} MtImapItemType;

typedef struct {
    MtImapItemType type;
    gboolean literal; /* a STRING that came as a literal */
    const char *data; /* bytes; NOT NUL-terminated for literals */
    gsize len;
    guint64 number;   /* NUMBER only */
    char *owned;      /* storage of an unescaped quoted string */
    GPtrArray *items; /* LIST only: MtImapItem* */
} MtImapItem;

typedef enum {
    MT_IMAP_RESP_UNTAGGED,
    MT_IMAP_RESP_TAGGED,
    MT_IMAP_RESP_CONTINUATION,
} MtImapRespKind;

typedef enum {
    MT_IMAP_STATUS_NONE, /* a data response (FETCH, LIST, ...) */
    MT_IMAP_STATUS_OK,
    MT_IMAP_STATUS_NO,
    MT_IMAP_STATUS_BAD,
    MT_IMAP_STATUS_PREAUTH,
    MT_IMAP_STATUS_BYE,
} MtImapStatus;

/* One parsed server response. Items point into bytes, which the response
 * keeps alive, so a message literal is never copied. */
typedef struct {
    MtImapRespKind kind;
    char *tag;           /* TAGGED only */
    MtImapStatus status; /* status responses, tagged or untagged */
    char *code;          /* response code without brackets, or NULL */
    char *text;          /* human-readable text of a status response */
    gboolean has_number; /* "* 3 EXISTS", "* 1 FETCH (...)" */
    guint64 number;
    char *name;       /* upper-cased: "EXISTS", "FETCH", "LIST", ... */
    GPtrArray *items; /* MtImapItem* after the name */
    GArray *search;   /* guint32: SEARCH results */
    GBytes *bytes;
} MtImapResponse;

MtImapResponse *mt_imap_response_parse(GBytes *bytes,
                                       const MtImapLimits *limits,
                                       GError **error);
void mt_imap_response_free(MtImapResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtImapResponse, mt_imap_response_free)

/* Finds "NAME number" in a response code ("UIDVALIDITY 42"). */
gboolean mt_imap_code_number(const char *code, const char *name,
                             guint64 *number);
/* The first word of a response code, upper-cased ("READ-ONLY"). */
char *mt_imap_code_name(const char *code);

/* Text of an ATOM, NUMBER or STRING item as a new NUL-terminated string
 * (a literal may hold NULs: they come out as they are, so check len). */
char *mt_imap_item_dup(const MtImapItem *item);
/* The atoms of a LIST item as a NULL-terminated vector. */
char **mt_imap_item_flags(const MtImapItem *item, GError **error);

/* The interesting parts of one FETCH response. body points into the
 * response's bytes. */
typedef struct {
    guint64 seq;
    gboolean has_uid;
    guint32 uid;
    char **flags; /* NULL when FLAGS was not in the response */
    char *internaldate;
    gboolean has_size;
    guint64 size;
    gboolean has_body;
    const guint8 *body;
    gsize body_len;
} MtImapFetch;

gboolean mt_imap_fetch_parse(const MtImapResponse *response, MtImapFetch *fetch,
                             GError **error);
void mt_imap_fetch_clear(MtImapFetch *fetch);

/* One LIST answer. */
typedef struct {
    char **attributes;
    char delimiter;  /* 0 for NIL */
    char *wire_name; /* as sent by the server (modified UTF-7) */
    gsize wire_len;
    char *name; /* UTF-8, or NULL when wire_name is not valid mUTF-7 */
} MtImapListEntry;

gboolean mt_imap_list_parse(const MtImapResponse *response,
                            MtImapListEntry *entry, GError **error);
void mt_imap_list_entry_clear(MtImapListEntry *entry);

/* One STATUS answer. */
typedef struct {
    char *wire_name;
    gsize wire_len;
    gboolean has_messages, has_uidvalidity, has_uidnext, has_unseen;
    guint64 messages, unseen;
    guint32 uidvalidity, uidnext;
} MtImapStatusData;

gboolean mt_imap_status_parse(const MtImapResponse *response,
                              MtImapStatusData *status, GError **error);
void mt_imap_status_data_clear(MtImapStatusData *status);

/* Modified UTF-7 mailbox names (RFC 3501 section 5.1.3). Both return
 * NULL and set error on invalid input. Transfer full. */
char *mt_imap_utf7_encode(const char *utf8, gsize len, GError **error);
char *mt_imap_utf7_decode(const char *mutf7, gsize len, GError **error);

/* Writes s as an IMAP quoted string (with the quotes). s must not hold CR,
 * LF or NUL: returns FALSE then. */
gboolean mt_imap_append_quoted(GString *out, const char *s);

/* Sequence sets ("5", "1:10", "3,7,9", "4:*"). */
typedef struct {
    guint32 lo, hi; /* inclusive, lo <= hi; "*" is G_MAXUINT32 */
} MtImapRange;

/* Parses a set as a user wrote it; ranges come out in input order.
 * singles (optional) receives the numbers given alone, which must exist. */
GArray *mt_imap_set_parse(const char *text, GArray *singles, GError **error);
gboolean mt_imap_set_contains(const GArray *ranges, guint32 n);
/* Formats sorted, distinct numbers as a compact set ("1:3,7"). */
char *mt_imap_set_format(const guint32 *numbers, guint n);

/* ---------------------------------------------------------- POP3 parser */

/* Parses a status line ("+OK text" or "-ERR text", with its line end).
 * *text receives what follows the status word (transfer full). */
gboolean mt_pop3_status_parse(const char *line, gsize len, gboolean *ok,
                              char **text, GError **error);
/* Reads N from the text of "+OK N octets". */
gboolean mt_pop3_octets_parse(const char *text, guint64 *octets);

/* Dot-unstuffing of a multi-line reply (RFC 1939 section 3), fed in
 * pieces: the termination line is recognised across piece boundaries. */
typedef struct {
    GByteArray *out; /* the unstuffed data */
    guint64 max_bytes;
    int state; /* private */
    gboolean done;
    guint64 lines;          /* lines of data */
    guint64 unstuffed;      /* lines whose leading dot was removed */
    guint64 bare_lf;        /* lines ending in LF without CR */
    gboolean lf_terminator; /* ended with ".\n" instead of ".\r\n" */
} MtPop3Body;

typedef enum {
    MT_POP3_BODY_MORE,
    MT_POP3_BODY_DONE,
    MT_POP3_BODY_ERROR,
} MtPop3BodyStatus;

void mt_pop3_body_init(MtPop3Body *body, guint64 max_bytes);
void mt_pop3_body_clear(MtPop3Body *body);
/* Consumes bytes from data; *consumed says how many (on DONE, the bytes
 * after the termination line are left for the next reply). */
MtPop3BodyStatus mt_pop3_body_feed(MtPop3Body *body, const guint8 *data,
                                   gsize len, gsize *consumed, GError **error);

/* One line of a LIST or UIDL listing: "N value". */
gboolean mt_pop3_listing_parse(const char *line, gsize len, guint64 *number,
                               char **value, GError **error);
/* A UIDL is 1 to 70 characters 0x21..0x7E (RFC 1939 section 7). */
gboolean mt_pop3_uidl_valid(const char *uidl, gsize len);
/* Splits a multi-line listing into lines without their line ends. */
char **mt_pop3_split_lines(const guint8 *data, gsize len, guint max_lines,
                           GError **error);

/* ----------------------------------------------------------- transport */

/* A logged-in connection: libcurl did TCP, TLS and the login with
 * CURLOPT_CONNECT_ONLY; everything after that goes through here. */
typedef struct {
    CURL *curl;
    curl_socket_t sock;
    GByteArray *in; /* received, not yet consumed: in->data[off..] */
    gsize off;
    guint idle_timeout_ms;
    guint64 bytes_in, bytes_out;
    gboolean eof;
    FILE *trace; /* protocol transcript, or NULL */
} MtConn;

/* Reads at least one more byte into conn->in. At end of stream sets
 * conn->eof and fails with MT_ERROR_NETWORK. */
gboolean mt_conn_fill(MtConn *conn, GError **error);
gboolean mt_conn_send(MtConn *conn, const char *data, gsize len,
                      GError **error);
/* Unread bytes. */
static inline const guint8 *
mt_conn_data(const MtConn *conn)
{
    return conn->in->data + conn->off;
}
static inline gsize
mt_conn_avail(const MtConn *conn)
{
    return conn->in->len - conn->off;
}
void mt_conn_consume(MtConn *conn, gsize n);
/* Takes the first n unread bytes out as GBytes (without a copy when they
 * are all that is buffered). */
GBytes *mt_conn_take(MtConn *conn, gsize n);
/* Writes one line to the trace: dir is "C" or "S". */
void mt_conn_trace(MtConn *conn, const char *dir, const char *data, gsize len);
void mt_conn_trace_note(MtConn *conn, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* What libcurl sends during login, made safe for a transcript: command
 * words are kept, every argument that may carry a credential (user names,
 * passwords, SASL responses, APOP digests) becomes "[redacted]".
 * Transfer full. */
char *mt_acquire_redact_line(const char *line, gsize len);

/* ------------------------------------------------------------- session */

struct _MtAcquireSession {
    MtAcquireOptions options; /* strings owned (dup'd) */
    MtConn conn;
    MtAcquisition *record;
    MtAcquireProtocol protocol;
    char *mailbox;          /* UTF-8 mailbox from URL or options */
    guint tag;              /* IMAP tag counter */
    GPtrArray *login_lines; /* server lines seen during login */
    gboolean in_login;      /* libcurl's connect phase is running */
    gboolean broken;        /* the protocol state is unknown: stop */
    /* Filled by the TLS verify callback during the handshake. */
    char *verify_error;
    gboolean chain_verified;
    gboolean pin_mismatch;
    gboolean pin_matched;
    /* IMAP state learned while a mailbox is selected. */
    gboolean selected;
    guint32 uidvalidity;
    gboolean has_uidvalidity;
    gboolean uidvalidity_changed;
    guint64 exists;
    guint expunges;
    char *bye_text; /* the server's BYE, for the error message */
    /* POP3 */
    char **pop3_capa;
};

/* Protocol parts, called by acquire.c. */
GPtrArray *mt_imap_list(MtAcquireSession *s, GError **error);
gboolean mt_imap_fetch(MtAcquireSession *s, const MtAcquireSelection *sel,
                       const char *dir, GError **error);
gboolean mt_imap_start(MtAcquireSession *s, GError **error);
void mt_imap_logout(MtAcquireSession *s);

GPtrArray *mt_pop3_list(MtAcquireSession *s, GError **error);
gboolean mt_pop3_fetch(MtAcquireSession *s, const MtAcquireSelection *sel,
                       const char *dir, GError **error);
gboolean mt_pop3_start(MtAcquireSession *s, GError **error);
void mt_pop3_close(MtAcquireSession *s);

/* Evidence files. Writes data as DIR/<label>-<sha256><suffix>, created
 * exclusively (never overwriting) with mode 0400. *name receives the
 * file name (transfer full). */
gboolean mt_evidence_write(const char *dir, const char *label,
                           const char *sha256, const char *suffix,
                           const guint8 *data, gsize len, char **name,
                           GError **error);
/* Saves one message's bytes for m: "<label>-<sha256>.eml", or
 * "<label>-<sha256>.partial" for bytes of a message that did not arrive
 * completely; fills m->bytes, m->sha256 and m->file. */
gboolean mt_acquire_save(MtAcquiredMessage *m, const char *dir,
                         const char *label, const guint8 *data, gsize len,
                         gboolean partial, GError **error);
/* The current time as "2024-01-01T10:00:00.123Z". */
char *mt_acquire_now_utc(void);

/* Record helpers (acquire-record.c). */
MtAcquiredMessage *mt_acquired_message_new(void);
void mt_acquired_message_free(gpointer p);
void mt_acquired_message_add_note(MtAcquiredMessage *m, const char *code,
                                  const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void mt_acquisition_add_note(MtAcquisition *a, const char *code,
                             const char *fmt, ...) G_GNUC_PRINTF(3, 4);
MtAcquisition *mt_acquisition_new(void);
/* TRUE when both vectors hold the same flags in any order. */
gboolean mt_flags_equal(char *const *a, char *const *b);

G_END_DECLS

#endif /* MT_ACQUIRE_PRIVATE_H */
