/* SPDX-License-Identifier: MIT */
/*
 * mt-received.h: one Received (or X-Received) header parsed into fields.
 * Every field is NULL (or -1 / FALSE) when the header did not say it. The
 * parser never gives up: what it could not place is kept in unparsed, and
 * raw always holds the value as given.
 *
 * Strings hold the input bytes, which need not be valid UTF-8 (renderers
 * escape them with mt_escape_bytes()). In every field but raw, runs of
 * white space are folded to one space. raw is the value after any
 * "Received:" or "X-Received:" name (the latter sets x_received), byte for
 * byte except that NUL bytes become spaces.
 */
#ifndef MT_RECEIVED_H
#define MT_RECEIVED_H

#include <glib.h>

#include "mt-datetime.h"

G_BEGIN_DECLS

typedef struct {
    char *raw;      /* the header value as given (unfolded) */
    gboolean x_received; /* TRUE for X-Received */

    /* from: the client */
    char *from_helo;    /* name given in HELO/EHLO */
    char *from_rdns;    /* reverse-DNS name recorded by the receiver */
    char *from_ip;      /* IPv4 or IPv6 text, canonical, no "IPv6:" */
    int from_port;      /* -1 when not written */
    char *from_ident;   /* ident (RFC 1413) or similar user@ in comment */
    char *helo_command; /* "HELO", "EHLO", "LHLO" where recorded */

    /* by: the receiver */
    char *by_host;
    char *by_ip;
    char *by_software;  /* "Postfix", "Exim 4.96", "Microsoft SMTP Server" */

    char *via;
    char *with;         /* protocol: "ESMTPS", "SMTP", "LMTP", "HTTP" ... */
    char *tls_version;  /* "TLSv1.3", "TLS1_2" ... as written */
    char *tls_cipher;
    gboolean tls;       /* TLS was in use: a version or cipher above, a
                         * protocol such as ESMTPS, "(Using TLS)"... */
    gboolean authenticated; /* ESMTPA/ESMTPSA, "(Authenticated sender: x)" */
    char *auth_user;
    char *id;
    char *for_addr;     /* the recipient in "for <x>" */
    char *envelope_from;

    char *date;         /* as written, trimmed */
    gboolean date_valid;
    MtDateTime date_parsed;

    char *unparsed;     /* what could not be placed, or NULL */
} MtReceived;

/* Parses one Received header value (unfolded; "Received:" prefix allowed).
 * Never fails; runs in time linear in len. Transfer full. */
MtReceived *mt_received_parse(const char *value, gsize len);
void mt_received_free(MtReceived *received);

G_END_DECLS

#endif /* MT_RECEIVED_H */
