/* SPDX-License-Identifier: MIT */
/*
 * relay-private.h: the relay analysis inside the core. analyze.c runs it
 * after the Received headers are parsed; report.c uses the constructors;
 * the unit tests reach the helpers below because they link the core
 * directly. Nothing here is public API.
 */
#ifndef MT_RELAY_PRIVATE_H
#define MT_RELAY_PRIVATE_H

#include "mailtrail.h"

G_BEGIN_DECLS

/* Thresholds, in seconds. They are in doc/findings.yaml too. */

/* A delay above this is received-large-delay. Greylisting retries and
 * busy queues stay well under it; a hop hours after the previous one is
 * either a stuck queue or a header written long after the fact. */
#define MT_RELAY_LARGE_DELAY_S (2 * 3600)
/* Two clocks may disagree by this much before one is said to be off. */
#define MT_RELAY_SKEW_TOLERANCE_S 60
/* A hop later than the analysis by more than this is in the future. */
#define MT_RELAY_FUTURE_TOLERANCE_S (15 * 60)
/* Date may follow the first hop by this much (a slow client clock), and
 * precede it by up to MT_RELAY_DATE_EARLY_S (a message kept in an outbox),
 * before date-received-skew is raised. */
#define MT_RELAY_DATE_LATE_S (5 * 60)
#define MT_RELAY_DATE_EARLY_S (24 * 3600)
/* DKIM and ARC times may stray this far outside the hops around them;
 * queue ids, which share the relay's own clock, far less. */
#define MT_RELAY_SIGNATURE_TOLERANCE_S (15 * 60)
#define MT_RELAY_ID_TOLERANCE_S (5 * 60)
/* A DKIM signature older than this when the message was relayed. */
#define MT_RELAY_DKIM_OLD_S (7 * 24 * 3600)
/* Findings of one id per message; past this one summary finding. */
#define MT_RELAY_MAX_FINDINGS_PER_ID 20

/* The k-th finding id this module raises and its severity, for the
 * registry test; NULL past the last. Static string. */
const char *mt_relay_finding_id(guint k, MtSeverity *severity);

/* Sets up and frees the relay part of a report. */
void mt_relay_init(MtRelay *relay);
void mt_relay_clear(MtRelay *relay);

/* Analyzes report->relay.hops (already read, origin first) with the rest
 * of the report: delays, classes, GeoIP, links, trust, origin, claimed
 * origins, other timestamps, and the relay findings. "Now", for dates in
 * the future, is the machine's clock. */
void mt_relay_analyze(MtReport *report, const MtOptions *options);
/* The same with an explicit "now", for tests. */
void mt_relay_analyze_at(MtReport *report, const MtOptions *options,
                         gint64 now);

/* The registrable domain of a host name (lowercase, no trailing dot), by
 * the public suffix list; NULL for an address, a bare label, a public
 * suffix itself, or a name that is not plain ASCII. Transfer full. */
char *mt_relay_registrable_domain(const char *host);

/* Compares hop "upper"'s from with hop "lower"'s by into *link (its domain
 * is allocated; clear it with mt_relay_link_clear()). */
void mt_relay_link_hops(const MtReceived *lower, const MtReceived *upper,
                        MtLink *link);
void mt_relay_link_clear(MtLink *link);

/* The epoch encoded in the first part of an Exim message id
 * ("1xOC82-0002LR-0f", and the 4.97 form "1qW3Ne-00000000BkA-1Pwo"),
 * base 62 or, for an id in one letter case only, also base 36 into *alt.
 * Returns FALSE when id is not an Exim id. */
gboolean mt_relay_exim_id_time(const char *id, gint64 *out, gboolean *has_alt,
                               gint64 *alt);

/* The value of tag name (such as "t") in a DKIM-style tag list, as a
 * number of 1 to 12 digits. Returns FALSE when absent or not a number. */
gboolean mt_relay_tag_number(const char *value, gsize len, const char *name,
                             gint64 *out);

G_END_DECLS

#endif /* MT_RELAY_PRIVATE_H */
