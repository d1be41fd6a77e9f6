/* SPDX-License-Identifier: MIT */
/*
 * mt-relay.h: what the relay analysis works out about a message's Received
 * path, beyond the parsed headers: signed delays, the class and location of
 * each client address, whether each hop links to the one below it, which
 * hops the receiving organisation wrote (and so can be believed) and which
 * the sender merely claims, the origin with the reasoning behind it, the
 * origins the sender's own headers claim, and the other timestamps
 * (DKIM, ARC, queue ids) held up against the hops. mailtrail.h includes
 * this header; the model's MtHop and MtRelay carry these types.
 */
#ifndef MT_RELAY_H
#define MT_RELAY_H

#include <glib.h>

#include "mt-geoip.h"
#include "mt-ipaddr.h"

G_BEGIN_DECLS

/* How far a hop can be believed. A Received header is written by the relay
 * in its "by" part, so a hop is as good as that relay: one run by the
 * receiving organisation is trusted; the lowest of those, where the message
 * entered the organisation, is the boundary (its record of the client is
 * the last fact about the sender); everything below is what the sender's
 * side claims, unverifiable. */
typedef enum {
    MT_TRUST_UNKNOWN, /* not analyzed */
    MT_TRUST_CLAIMED,
    MT_TRUST_BOUNDARY,
    MT_TRUST_TRUSTED,
} MtTrust;

/* "claimed", "boundary", "trusted", or NULL for MT_TRUST_UNKNOWN. */
const char *mt_trust_to_string(MtTrust trust);

/* Whether the "by" of hop N-1 names the client in the "from" of hop N. */
typedef enum {
    MT_LINK_NONE,     /* hop 1: there is nothing below to link to */
    MT_LINK_UNKNOWN,  /* one side says too little to compare */
    MT_LINK_MATCH,    /* same host name or same address */
    MT_LINK_WEAK,     /* same registrable domain, or a short name */
    MT_LINK_MISMATCH, /* both sides comparable and different */
} MtLinkStatus;

/* "none", "unknown", "match", "weak" or "mismatch". */
const char *mt_link_status_to_string(MtLinkStatus status);

typedef struct {
    MtLinkStatus status;
    /* MATCH, WEAK: the "from" field that matched: "ip", "rdns" or "helo".
     * Static string or NULL. */
    const char *field;
    /* MATCH: "address" or "name"; WEAK: "registrable-domain" or
     * "short-name". Static string or NULL. */
    const char *basis;
    char *domain; /* WEAK by registrable domain: the shared domain */
    /* MISMATCH: "gap" (a relay that left no header) or "forged" (the
     * lower part was not written by the host that handed the message
     * over). Static string or NULL. */
    const char *kind;
} MtLink;

/* Notes on one hop, as a bit set; mt_hop_flag_to_string() names them. */
typedef enum {
    MT_HOP_FLAG_X_RECEIVED = 1 << 0,       /* "x-received" */
    MT_HOP_FLAG_NO_DATE = 1 << 1,          /* "no-date" */
    MT_HOP_FLAG_BAD_OFFSET = 1 << 2,       /* "impossible-offset" */
    MT_HOP_FLAG_NEGATIVE_DELAY = 1 << 3,   /* "negative-delay" */
    MT_HOP_FLAG_LARGE_DELAY = 1 << 4,      /* "large-delay" */
    MT_HOP_FLAG_DATE_FUTURE = 1 << 5,      /* "date-future" */
    MT_HOP_FLAG_CLOCK_FAST = 1 << 6,       /* "clock-fast" */
    MT_HOP_FLAG_CLOCK_SLOW = 1 << 7,       /* "clock-slow" */
    MT_HOP_FLAG_CHAIN_BREAK = 1 << 8,      /* "chain-break" */
    MT_HOP_FLAG_WEAK_LINK = 1 << 9,        /* "weak-link" */
    MT_HOP_FLAG_BELOW_BREAK = 1 << 10,     /* "below-chain-break" */
    MT_HOP_FLAG_PRIVATE_IP_EXTERNAL = 1 << 11, /* "private-ip-external" */
    MT_HOP_FLAG_ORIGIN = 1 << 12,          /* "origin" */
    MT_HOP_FLAG_LOCAL = 1 << 13,           /* "local": no client recorded */
    MT_HOP_FLAG_UNPARSED = 1 << 14,        /* "unparsed" */
    MT_HOP_FLAG_ID_TIME_MISMATCH = 1 << 15, /* "id-time-mismatch" */
} MtHopFlag;

#define MT_HOP_FLAG_COUNT 16

/* The stable name of one flag, or NULL when flag is not exactly one known
 * flag. Static string. */
const char *mt_hop_flag_to_string(MtHopFlag flag);

/* The origin: the first public address of the external sender. */
typedef struct {
    int hop;          /* 1-based; 0 when no public address was found */
    int header_index; /* -1 when hop is 0 */
    char *ip;         /* canonical text, or NULL */
    char *host;       /* the name recorded with it (rDNS, else HELO) */
    MtIpClass ip_class;
    MtTrust trust;    /* of the hop that recorded it */
    gboolean verified; /* recorded at or above the boundary */
    MtGeoRecord *geo; /* or NULL */
    char *reason;     /* which hop, why the lower ones were skipped */
} MtRelayOrigin;

/* An address from X-Originating-IP and its kin: the sender's own claim,
 * kept apart from what relays recorded. */
typedef struct {
    char *header;     /* the field name as written */
    int header_index;
    char *ip;         /* canonical text */
    MtIpClass ip_class;
    int hop;          /* the hop whose client had this address, or 0 */
    MtGeoRecord *geo; /* or NULL */
} MtClaimedOrigin;

/* A time carried by another header or a queue id, held against the hops. */
typedef struct {
    const char *source; /* static: "dkim-t", "dkim-x", "arc-seal-t",
                         * "exim-id", "google-id" */
    int header_index;
    int hop;            /* the hop compared with (1-based), 0 for none */
    gint64 timestamp;   /* UTC seconds */
    gboolean has_delta;
    gint64 delta_s;     /* timestamp minus the hop's time */
    /* Static: "consistent", "contradiction", "old" or "expired". */
    const char *status;
} MtRelayTimestamp;

/* Checks a --trusted-host value: an address or CIDR network, or a host or
 * domain name (which also covers every host under it). Returns FALSE with
 * error (MT_ERROR, MT_ERROR_PARSE) saying why. */
gboolean mt_trusted_host_check(const char *spec, GError **error);

/* Opens the GeoIP databases for an analysis. With paths (char*, may be
 * NULL or empty), exactly those files are loaded and any failure is an
 * error; without, the directories in $MAILTRAIL_GEOIP_DIR and the usual
 * places are searched when use_default_dirs, and problems are appended to
 * warnings (char*, may be NULL). Returns NULL with error set on failure,
 * else a MtGeoip that may hold no database. Transfer full. */
MtGeoip *mt_relay_open_geoip(const GPtrArray *paths, gboolean use_default_dirs,
                             GPtrArray *warnings, GError **error);

G_END_DECLS

#endif /* MT_RELAY_H */
