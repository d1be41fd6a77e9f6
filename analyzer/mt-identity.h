/* SPDX-License-Identifier: MIT */
/*
 * mt-identity.h: the sender identities a message carries and the
 * authentication evidence recorded about it. The identity table lines up
 * every name the message gives for its sender (From, Sender, Return-Path,
 * envelope senders, Reply-To, the Message-ID domain, DKIM d= and i=, SPF
 * identities, the origin HELO) with its organisational domain and its
 * alignment with From. The authentication part holds every
 * Authentication-Results, Received-SPF, DKIM-Signature and ARC header parsed
 * completely, and says which results the receiving organisation itself
 * wrote (and so count) and which are only claimed. mailtrail.h includes
 * this header; MtReport carries these types.
 *
 * Strings hold the header bytes as written (they need not be UTF-8);
 * renderers escape them. NULL means "not said".
 */
#ifndef MT_IDENTITY_H
#define MT_IDENTITY_H

#include <glib.h>

G_BEGIN_DECLS

/* One identity: who the message says it is from, in one place. */
typedef struct {
    const char *role;   /* static: "from", "sender", "return-path", ... */
    char *address;      /* the address or name as written, or NULL */
    char *display_name; /* decoded display name, or NULL */
    char *domain;       /* lowercase, no trailing dot, or NULL */
    char *org_domain;   /* registrable domain (Public Suffix List), or NULL */
    gboolean aligned_relaxed; /* same organisational domain as From */
    gboolean aligned_strict;  /* same domain as From */
    int header_index;   /* -1 when not from one header (mbox separator) */
    int hop;            /* relay hop (1-based) for Received identities, -1 */
} MtIdentityEntry;

typedef struct {
    GPtrArray *identities;  /* MtIdentityEntry*, in table order */
    char *from_domain;      /* of the first From mailbox, or NULL */
    char *from_org_domain;
    const char *message_id_generator; /* static guess from the format */
    int score;              /* 0..100, see mt_identity_score() */
    const char *verdict;    /* static: "clean", "suspicious",
                             * "likely-malicious"; NULL before scoring */
} MtIdentity;

/* One ptype.property=value of an Authentication-Results method. ptype is
 * "" for Microsoft's bare "action=none" style. */
typedef struct {
    char *ptype;
    char *property;
    char *value;
} MtAuthProperty;

/* One method result ("spf=pass (comment) smtp.mailfrom=x"). */
typedef struct {
    char *method;  /* lowercase: "spf", "dkim", "dmarc", "arc", ... */
    char *version; /* method-version after "/", or NULL */
    char *result;  /* lowercase: "pass", "fail", "none", ... */
    char *reason;  /* reason= value, or NULL */
    char *comment; /* the comments after the result, joined, or NULL */
    GPtrArray *properties; /* MtAuthProperty* */
} MtAuthMethod;

/* How far an Authentication-Results header can be believed. */
typedef enum {
    MT_AUTH_CLAIMED,  /* above the boundary but not by a trusted authserv */
    MT_AUTH_TRUSTED,  /* the receiving organisation's own verdict */
    MT_AUTH_INJECTED, /* below the trust boundary and not by a relay there:
                       * the sender wrote it, or forged the receiver's */
    MT_AUTH_RELAY,    /* below the boundary, by a relay of the path there
                       * (a forwarder, the sender's own server) */
} MtAuthTrust;

/* "claimed", "trusted", "injected" or "relay". */
const char *mt_auth_trust_to_string(MtAuthTrust trust);

/* One Authentication-Results or ARC-Authentication-Results header. */
typedef struct {
    int header_index;
    gint64 offset;
    int arc_instance;     /* i= of an ARC-Authentication-Results, else -1 */
    char *authserv_id;    /* NULL for Microsoft's form without one */
    int version;          /* authres-version, -1 when not written */
    gboolean none;        /* "; none": no result at all */
    GPtrArray *methods;   /* MtAuthMethod* */
    MtAuthTrust trust;
    char *trust_reason;
    gboolean truncated;   /* a limit stopped the parser */
} MtAuthResults;

/* One Received-SPF header (RFC 7208 9.1). */
typedef struct {
    int header_index;
    char *result;      /* lowercase */
    char *comment;
    char *client_ip, *helo, *envelope_from, *identity, *receiver;
    char *mechanism, *problem;
} MtReceivedSpf;

/* One tag of a DKIM-style tag list. */
typedef struct {
    char *name;
    char *value; /* trimmed; folding white space kept as one space */
} MtTag;

/* A DKIM-Signature, ARC-Message-Signature or ARC-Seal. */
typedef struct {
    const char *kind;   /* static: "DKIM-Signature", "ARC-Seal", ... */
    int header_index;
    gint64 offset;
    GPtrArray *tags;    /* MtTag*, in order */
    char *version;      /* v= */
    char *algorithm;    /* a=, lowercase */
    char *domain;       /* d=, lowercase */
    char *selector;     /* s= */
    char *identity;     /* i= (AUID) for DKIM */
    char *canon_header; /* c= header part, "simple" when not written */
    char *canon_body;   /* c= body part, "simple" when not written */
    GPtrArray *signed_headers; /* char*: h=, trimmed, case kept */
    char *body_hash;    /* bh=, white space removed */
    char *signature;    /* b=, white space removed */
    gint64 length;      /* l=, -1 when absent or unreadable */
    gint64 timestamp;   /* t=, -1 when absent or unreadable */
    gint64 expiration;  /* x=, -1 when absent or unreadable */
    int instance;       /* i= of an ARC header, -1 otherwise */
    char *cv;           /* cv= of an ARC-Seal, lowercase */
    guint from_signed;  /* how many times "from" is in h= */
    char *error;        /* why the tag list is malformed, or NULL */
    /* Offline bh= check of a DKIM-Signature: static "unchanged", "changed",
     * or "not-checked" (unknown algorithm or canonicalization, ARC). */
    const char *body_hash_status;
    /* Signature verified with a key at hand (mt_auth_verify_dkim()):
     * static "pass", "fail", "no-key", "key-invalid", "unsupported", or
     * "not-checked" when no key table was given. */
    const char *signature_status;
    char *signature_problem; /* why not "pass", or NULL */
    /* The same verification with the key from live DNS (--online,
     * dkim-online.c): static "pass", "fail", "no-key", "key-invalid",
     * "unsupported", "temperror", or "not-checked" without --online. */
    const char *online_status;
    char *online_problem; /* why not "pass", or NULL */
} MtSignature;

/* A signed or encrypted MIME part (S/MIME or PGP/MIME, or inline PGP):
 * what it is, who signed it, and how far the signature was checked
 * offline. */
typedef struct {
    char *part;         /* IMAP part number ("1", "1.2"); "" for the
                         * top-level multipart of the message */
    const char *kind;   /* static: "smime" or "pgp" */
    const char *what;   /* static: "signed" or "encrypted" */
    const char *form;   /* static: "multipart/signed", "multipart/encrypted",
                         * "application/pkcs7-mime", "inline" */
    char *micalg;       /* micalg= of multipart/signed, or NULL */
    /* Signed parts: static "verified" (chain to a system root),
     * "untrusted-root" (intact, chain does not reach a trusted root),
     * "bad-signature", "not-verified" (see reason); NULL when encrypted. */
    const char *status;
    const char *integrity; /* static "intact", "broken", or NULL */
    char *reason;          /* why not "verified", or NULL */
    /* S/MIME signer certificate, NULL when unknown. */
    char *signer_subject, *signer_issuer, *signer_serial;
    char *signer_not_before, *signer_not_after; /* ISO 8601, UTC */
    char *signer_fingerprint; /* SHA-256, lowercase hex */
    char *signer_email;
    /* OpenPGP signature packet, NULL or -1 when unknown. */
    char *key_id;          /* issuer key id, 16 uppercase hex digits */
    char *key_fingerprint; /* issuer fingerprint subpacket, uppercase hex */
    gint64 signature_time; /* creation time, Unix seconds, -1 */
    const char *hash_algorithm;   /* static: "sha256", ..., or NULL */
    const char *pubkey_algorithm; /* static: "rsa", "eddsa", ..., or NULL */
    /* Encrypted parts: char* per recipient: "issuer; serial" for S/MIME,
     * the key id for PGP. */
    GPtrArray *recipients;
} MtCryptoPart;

typedef struct {
    GPtrArray *results;        /* MtAuthResults*: AR and ARC-AR, in order */
    GPtrArray *received_spf;   /* MtReceivedSpf* */
    GPtrArray *dkim;           /* MtSignature*: DKIM-Signature */
    GPtrArray *arc;            /* MtSignature*: ARC-Seal and ARC-MS */
    GPtrArray *trusted_domains; /* char*: the receiving organisation's
                                 * domains; an authserv-id under one
                                 * counts */
    int boundary_hop;          /* the hop taken as the boundary, 0: none */
    const char *boundary_source; /* static: "relay", "inferred", NULL */
    int arc_instances;         /* highest i= seen, 0 when no ARC */
    const char *arc_chain;     /* static: "none", "intact" (numbering and cv=
                                * as RFC 8617 wants, not verified), "fail"
                                * (a cv=fail), "broken" */
    char *arc_problem;         /* why the chain is broken, or NULL */
    /* The receiver's verdicts (from trusted results), NULL when none. */
    char *spf, *dkim_result, *dmarc;
    GPtrArray *crypto_parts;   /* MtCryptoPart*, in MIME tree order */
} MtAuthentication;

/* Free what the analysis put into a report; the structs themselves are
 * members of MtReport. Both accept a zeroed struct. */
void mt_identity_clear(MtIdentity *identity);
void mt_authentication_clear(MtAuthentication *authentication);

G_END_DECLS

#endif /* MT_IDENTITY_H */
