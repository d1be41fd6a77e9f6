/* SPDX-License-Identifier: MIT */
/*
 * identity-private.h: internals shared by identity.c and auth.c, and
 * reached by the unit tests: the header parsers for Authentication-Results,
 * Received-SPF and DKIM/ARC tag lists, the domain helpers, and the score.
 */
#ifndef MT_IDENTITY_PRIVATE_H
#define MT_IDENTITY_PRIVATE_H

#include <gmime/gmime.h>

#include "mailtrail.h"

G_BEGIN_DECLS

/* Parser limits: hostile headers cannot make us keep more than this. */
#define MT_AUTH_MAX_METHODS 64
#define MT_AUTH_MAX_PROPERTIES 32
#define MT_AUTH_MAX_COMMENT 1024
#define MT_AUTH_MAX_VALUE 4096
#define MT_TAG_MAX_TAGS 64
#define MT_TAG_MAX_SIGNED_HEADERS 256
#define MT_ARC_MAX_INSTANCE 50
/* Body hashes and signatures checked per message: each costs a pass over
 * the body or the headers, and a hostile message can carry thousands. */
#define MT_DKIM_MAX_CHECKED 32

/* Parses an Authentication-Results value (RFC 8601 2.2), or, with arc, an
 * ARC-Authentication-Results value ("i=N;" first, RFC 8617 4.1.1). Never
 * fails; linear in len; header_index and offset are left -1. Transfer
 * full. len -1 means value is NUL-terminated, here and below. */
MtAuthResults *mt_auth_results_parse(const char *value, gssize len,
                                     gboolean arc);
void mt_auth_results_free(gpointer results);
/* The first property ptype.property of method, or NULL. Transfer none. */
const char *mt_auth_method_get(const MtAuthMethod *method, const char *ptype,
                               const char *property);

/* Parses a Received-SPF value (RFC 7208 9.1). Transfer full. */
MtReceivedSpf *mt_received_spf_parse(const char *value, gssize len);
void mt_received_spf_free(gpointer spf);

/* Parses a DKIM-Signature, ARC-Message-Signature or ARC-Seal tag list
 * (RFC 6376 3.2). kind must be a static string. A malformed list still
 * gives every tag that could be read, with error set. Transfer full. */
MtSignature *mt_signature_parse(const char *kind, const char *value,
                                gssize len);
void mt_signature_free(gpointer signature);
/* The value of tag name, or NULL. Transfer none. */
const char *mt_signature_get_tag(const MtSignature *signature,
                                 const char *name);

/* The domain of an address (after the last '@', or the whole text when
 * there is none), lowercase, brackets and a trailing dot removed; NULL
 * when empty. Transfer full. */
char *mt_identity_domain_of(const char *address);
/* The registrable domain of domain from the Public Suffix List, or NULL
 * for an IP literal, a bare public suffix or a name with no dot. Transfer
 * full. */
char *mt_identity_org_domain(const char *domain);
/* Whether domain is in the free-mail list compiled in from
 * analyzer/data/freemail.txt. */
gboolean mt_identity_is_freemail(const char *domain);
/* Levenshtein distance of a and b, or limit + 1 when it is more than
 * limit. Work is bounded by limit times the shorter length. */
guint mt_identity_edit_distance(const char *a, const char *b, guint limit);

/* Parses every authentication header, decides which results the receiver
 * wrote, and adds the authentication findings. Runs after the relay
 * analysis and before mt_identity_analyze(). */
void mt_auth_analyze(MtReport *report, const MtOptions *options);
/* Checks each DKIM-Signature's bh= against the message body (offline,
 * RFC 6376 3.4.3 and 3.4.4, honouring l=). data is the whole message. */
void mt_auth_check_body_hash(MtReport *report, const guchar *data,
                             gsize len);
/* The DKIM key table (MtDkimKeys, mt_dkim_keys_load() and mt_dkim_keys_free()
 * are in mailtrail.h for the CLI): one key a line,
 * "selector._domainkey.domain TXT", the TXT as in a zone file (one or
 * more quoted strings) or bare; '#' starts a comment line. Parses a key
 * table from text. Lines that are not a key are skipped and
 * counted in *skipped when given. Transfer full. */
MtDkimKeys *mt_dkim_keys_new_from_text(const char *text, guint *skipped);

/* Verifies each DKIM-Signature's b= (RFC 6376 3.7, 6.1.3) over data, the
 * whole message as stored, with the keys in keys; sets signature_status
 * and adds dkim-signature-invalid for a failed verification. No network,
 * no clock: x= is audited separately. Run after
 * mt_auth_check_body_hash(): a body that changed fails too. */
void mt_auth_verify_dkim(MtReport *report, const guchar *data, gsize len,
                         const MtDkimKeys *keys);

/* Verifies one signature with the key for its selector in keys and
 * returns the static status (see MtSignature.signature_status), with why
 * it is not "pass" in *problem (transfer full). */
const char *mt_dkim_verify_one(const MtReport *report,
                               const MtSignature *sig, const guchar *data,
                               gsize len, const MtDkimKeys *keys,
                               char **problem);
/* An empty key table, and one record added to it (name lowercased). */
MtDkimKeys *mt_dkim_keys_new(void);
void mt_dkim_keys_insert(MtDkimKeys *keys, const char *name,
                         const char *record);

/* The same verification with each signer's key from live DNS
 * (dkim-online.c), only for --online: sets online_status and
 * online_problem. Lookups are cached for the run. MAILTRAIL_DNS_SERVER
 * (127.0.0.1:PORT) replaces the system resolver, for tests and
 * air-gapped resolvers. */
void mt_auth_verify_dkim_online(MtReport *report, const guchar *data,
                                gsize len);

/* Finds the signed and encrypted parts of message (S/MIME, PGP/MIME,
 * inline PGP), reads their signers and recipients, checks S/MIME
 * signatures offline against the system CA bundle, and adds the findings.
 * Fills report->authentication.crypto_parts (empty when message is NULL).
 * Runs after mt_auth_analyze() and before mt_identity_analyze(). */
void mt_crypto_parts_analyze(MtReport *report, GMimeMessage *message);
void mt_crypto_part_free(gpointer part);

/* Builds the identity table and adds the identity findings; then scores
 * the report with mt_identity_score(). */
void mt_identity_analyze(MtReport *report, const MtOptions *options);
/* Sets report->identity.score and verdict from report->findings. */
void mt_identity_score(MtReport *report);

G_END_DECLS

#endif /* MT_IDENTITY_PRIVATE_H */
