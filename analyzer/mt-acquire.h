/* SPDX-License-Identifier: MIT */
/*
 * mt-acquire.h: acquisition of messages from a POP3 or IMAP4 mailbox
 * without changing it (the core of `mailtrail fetch`), included from
 * mailtrail.h. libcurl connects, checks the certificate and logs in; the
 * core then speaks the protocol itself so that it can use only read-only
 * commands (EXAMINE, BODY.PEEK[], TOP), never DELE, and keep the bytes
 * exactly as the server sent them. Every message is written to an
 * evidence folder as it arrives, and an MtAcquisition records where, when
 * and how it was obtained (acquisition.json).
 */
#ifndef MT_ACQUIRE_H
#define MT_ACQUIRE_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    MT_ACQUIRE_IMAP,
    MT_ACQUIRE_POP3,
} MtAcquireProtocol;

const char *mt_acquire_protocol_to_string(MtAcquireProtocol protocol);

/* How to log in. ANY lets libcurl pick the strongest mechanism the server
 * offers (falling back to POP3 USER/PASS or IMAP LOGIN when it offers no
 * SASL at all). */
typedef enum {
    MT_ACQUIRE_AUTH_ANY,
    MT_ACQUIRE_AUTH_PLAIN,
    MT_ACQUIRE_AUTH_LOGIN,
    MT_ACQUIRE_AUTH_CRAM_MD5,
    MT_ACQUIRE_AUTH_XOAUTH2,
    MT_ACQUIRE_AUTH_APOP, /* POP3 only */
} MtAcquireAuth;

const char *mt_acquire_auth_to_string(MtAcquireAuth auth);
/* Case-insensitive; FALSE for an unknown name. */
gboolean mt_acquire_auth_from_string(const char *name, MtAcquireAuth *out);

/* Default cap on the size of one message: a server that announces or
 * sends more is cut off there. */
#define MT_ACQUIRE_DEFAULT_MAX_MESSAGE (256u * 1024u * 1024u)
#define MT_ACQUIRE_DEFAULT_TIMEOUT 30u

/* All strings are borrowed for the duration of mt_acquire_session_open(),
 * which copies them. password and oauth2_token are secrets: they are only
 * handed to libcurl and wiped from memory when the session is freed. */
typedef struct {
    const char *url;  /* imap[s]:// or pop3[s]:// [user@]host[:port][/mbox] */
    const char *user; /* overrides the URL's user */
    const char *password;
    const char *oauth2_token;
    const char *mailbox;      /* UTF-8; overrides the URL path */
    const char *cacert;       /* CA bundle instead of the system one */
    const char *pin_sha256;   /* required SHA-256 of the server certificate */
    const char *interface;    /* local address to connect from */
    const char *trace_path;   /* protocol transcript, credentials redacted */
    gboolean insecure;        /* do not verify the certificate (dangerous) */
    gboolean allow_plaintext; /* imap:// or pop3:// without STARTTLS */
    gboolean use_netrc;       /* take missing credentials from ~/.netrc */
    MtAcquireAuth auth;
    guint connect_timeout; /* seconds */
    guint idle_timeout;    /* seconds without data from the server */
    guint64 max_message_size;
} MtAcquireOptions;

void mt_acquire_options_init_default(MtAcquireOptions *options);

typedef enum {
    MT_ACQUIRE_SELECT_ALL,
    MT_ACQUIRE_SELECT_UIDS,    /* IMAP: set is a UID set */
    MT_ACQUIRE_SELECT_SEARCH,  /* IMAP: search holds SEARCH criteria */
    MT_ACQUIRE_SELECT_NUMBERS, /* POP3: set holds message numbers */
    MT_ACQUIRE_SELECT_UIDLS,   /* POP3: uidls lists unique ids */
} MtAcquireSelect;

typedef struct {
    MtAcquireSelect kind;
    const char *set;
    const char *search;
    const char *const *uidls;
    gboolean pop3_retr;       /* use RETR even when TOP is offered */
    gboolean has_uidvalidity; /* IMAP: refuse if UIDVALIDITY differs */
    guint32 uidvalidity;
} MtAcquireSelection;

/* What became of one selected message. */
typedef enum {
    MT_ACQUIRED_COMPLETE, /* all bytes received and saved */
    MT_ACQUIRED_PARTIAL,  /* the connection ended inside it: *.partial */
    MT_ACQUIRED_MISSING,  /* selected but not on the server */
    MT_ACQUIRED_FAILED,   /* refused, too large, or could not be saved */
} MtAcquiredStatus;

const char *mt_acquired_status_to_string(MtAcquiredStatus status);

/* A discrepancy or warning, with a permanent code ("crlf-added",
 * "size-mismatch", "flags-changed", "retr-may-mark-read", ...). */
typedef struct {
    char *code;
    char *message;
} MtAcquireNote;

/* One message in the acquisition record. Vectors are NULL-terminated and
 * NULL when unknown. */
typedef struct {
    MtAcquiredStatus status;
    gboolean has_uid;
    guint32 uid;        /* IMAP UID */
    guint64 number;     /* POP3 message number, IMAP sequence number */
    char *uidl;         /* POP3 */
    char *internaldate; /* IMAP INTERNALDATE as the server wrote it */
    gboolean has_announced_size;
    guint64 announced_size; /* RFC822.SIZE or POP3 LIST size */
    gboolean has_octets;
    guint64 octets;       /* POP3 "+OK N octets" */
    char **flags_before;  /* IMAP, read before any message was fetched */
    char **flags_fetched; /* IMAP, in the FETCH that brought the body */
    char **flags_after;   /* IMAP, read after the last message */
    guint64 bytes;        /* bytes received and saved */
    char sha256[65];      /* over exactly the saved bytes */
    char *sha256_without_added_crlf; /* when the server added a final CRLF */
    char *file;                      /* file name inside the evidence folder */
    char *fetch_method;              /* the command that brought the body */
    char *fetched_at;                /* UTC */
    char *error;                     /* why the status is not COMPLETE */
    GPtrArray *notes;                /* MtAcquireNote* */
} MtAcquiredMessage;

/* The custody record of one session. */
typedef struct {
    char *tool_version;
    char *started; /* UTC, ISO 8601 */
    char *ended;
    MtAcquireProtocol protocol;
    char *scheme; /* imap, imaps, pop3, pop3s */
    char *host;
    guint port;
    char *user;
    char *peer_ip;
    char *local_ip;
    gboolean tls;
    gboolean starttls;
    gboolean insecure;      /* certificate checks were turned off */
    gboolean cert_verified; /* the chain and host name were verified */
    char *tls_version;
    char *tls_cipher;
    char *cert_subject;
    char *cert_issuer;
    char *cert_not_before;
    char *cert_not_after;
    char *cert_sha256; /* "AB:CD:...", as openssl x509 -fingerprint */
    char *pin_sha256;
    char *auth; /* requested mechanism */
    char *greeting;
    char **capabilities; /* asked after login */
    char *mailbox;       /* UTF-8 */
    char *mailbox_wire;  /* as sent (modified UTF-7) */
    gboolean read_only;  /* EXAMINE answered [READ-ONLY] */
    gboolean has_uidvalidity;
    guint32 uidvalidity;
    guint64 exists;  /* messages in the mailbox (POP3: STAT) */
    char *selection; /* what was asked for, in words */
    char *evidence_dir;
    guint64 max_message_size;
    GPtrArray *messages; /* MtAcquiredMessage* */
    GPtrArray *notes;    /* MtAcquireNote*: session-level warnings */
    char *error;         /* the error that ended the session early */
} MtAcquisition;

void mt_acquisition_free(MtAcquisition *acquisition);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtAcquisition, mt_acquisition_free)

/* Counts messages that are not COMPLETE, and whether any flags changed. */
guint mt_acquisition_count_incomplete(const MtAcquisition *acquisition);
gboolean mt_acquisition_flags_changed(const MtAcquisition *acquisition);

/* acquisition.json: written once into dir, mode 0400, never overwritten. */
char *mt_acquisition_to_json(const MtAcquisition *acquisition);
/* The record of one message inside the session record, for a report's
 * "source" (session fields plus "message"). Transfer full. */
char *mt_acquisition_message_to_json(const MtAcquisition *acquisition,
                                     guint index);
gboolean mt_acquisition_write(const MtAcquisition *acquisition, const char *dir,
                              GError **error);

/* --list output. */
typedef struct {
    char *name;      /* UTF-8 (or the wire name escaped if invalid) */
    char *wire_name; /* as the server sent it */
    char delimiter;
    char **attributes;
    gboolean selectable;
    gboolean has_status;
    guint64 messages;
    guint32 uidvalidity;
    guint32 uidnext;
} MtAcquireMailbox;

typedef struct {
    guint64 number;
    guint64 size;
    char *uidl; /* NULL when the server has no UIDL */
} MtAcquireMessageInfo;

void mt_acquire_mailbox_free(gpointer p);
void mt_acquire_message_info_free(gpointer p);

typedef struct _MtAcquireSession MtAcquireSession;

/* Connects, verifies the certificate and logs in. On failure error is in
 * MT_ERROR with code NETWORK, TLS, AUTH or INVALID, and names the server
 * (never a credential). */
MtAcquireSession *mt_acquire_session_open(const MtAcquireOptions *options,
                                          GError **error);
/* The record so far (transfer none): connection, TLS and login facts. */
const MtAcquisition *
mt_acquire_session_get_record(const MtAcquireSession *session);
MtAcquisition *mt_acquire_session_steal_record(MtAcquireSession *session);
/* IMAP: MtAcquireMailbox* for every mailbox, with STATUS counts.
 * POP3: MtAcquireMessageInfo* for every message. Transfer full. */
GPtrArray *mt_acquire_session_list(MtAcquireSession *session, GError **error);
/* Fetches the selected messages into dir (which must exist) and fills the
 * record. FALSE when the session could not go on (the record says how far
 * it got); a message that could not be fetched is not an error here but a
 * status in the record. */
gboolean mt_acquire_session_fetch(MtAcquireSession *session,
                                  const MtAcquireSelection *selection,
                                  const char *dir, GError **error);
/* Logs out (IMAP) or drops the connection (POP3, without QUIT, so the
 * server never enters its UPDATE state), and frees. NULL is a no-op. */
void mt_acquire_session_free(MtAcquireSession *session);

/* Checks a URL the way mt_acquire_session_open() will, without any
 * network access: FALSE with MT_ERROR_INVALID and the reason. */
gboolean mt_acquire_url_check(const char *url, GError **error);
/* A default evidence folder name, "evidence-<host>-<UTC timestamp>". */
char *mt_acquire_default_dir(const char *url);
/* Creates dir (mode 0700) unless it exists; refuses a folder that already
 * holds an acquisition.json. *created says whether it was made here. */
gboolean mt_acquire_prepare_dir(const char *dir, gboolean *created,
                                GError **error);

G_END_DECLS

#endif /* MT_ACQUIRE_H */
