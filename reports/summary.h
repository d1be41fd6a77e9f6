/* SPDX-License-Identifier: MIT */
/*
 * summary.h: campaign-level aggregates over a whole run (analyze
 * --summary): the top origin addresses, networks and countries, DKIM
 * signers, sender domains, attachment hashes, link hosts, finding ids and
 * verdicts, with message counts and the range of dates. A mailbox of any
 * size is summarized in bounded memory: each dimension keeps at most a
 * fixed number of keys with the Space-Saving algorithm (MtTopK), and its
 * counts are exact as long as it never had to drop one.
 */
#ifndef MT_SUMMARY_H
#define MT_SUMMARY_H

#include <stdio.h>

#include "mailtrail.h"

G_BEGIN_DECLS

/* The summary format identifier. Additive changes keep /1. */
#define MT_SUMMARY_SCHEMA_ID "mailtrail.summary/1"

/* Keys tracked per dimension unless the caller says otherwise. */
#define MT_SUMMARY_DEFAULT_CAPACITY 1000
/* Rows of each dimension shown unless the caller says otherwise. */
#define MT_SUMMARY_DEFAULT_TOP 10
/* Bytes of a key kept: a longer value (no domain, address or hash is
 * one) is cut there, so that an attacker's 64 KiB "domain" costs no more
 * than a real one. */
#define MT_SUMMARY_KEY_MAX 256

/* ---- Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi 2005). ----
 *
 * At most capacity keys are tracked. A key already tracked has its count
 * raised; a new key takes a free slot, or, when the table is full, the
 * slot of the key with the smallest count m, starting at m + 1 with an
 * error of m. So a count is never below the true one and at most error
 * above it, and every key whose true count exceeds total / capacity is
 * tracked. While no key was ever evicted, every count is exact. Each add
 * is O(log capacity): a hash table finds the key and a binary min-heap
 * the smallest count. */
typedef struct _MtTopK MtTopK;

/* The attributes a key may carry: the first non-NULL value given while
 * the key is tracked (an attachment's file name, an AS's organisation). */
#define MT_TOPK_ATTRS 2

typedef struct {
    char *key;                  /* at most MT_SUMMARY_KEY_MAX bytes */
    guint64 count;              /* true count <= count */
    guint64 error;              /* count - error <= true count */
    char *attrs[MT_TOPK_ATTRS]; /* or NULL; same bound as key */
    guint heap_pos;             /* private */
} MtTopKEntry;

/* capacity is at least 1. Transfer full. */
MtTopK *mt_topk_new(guint capacity);
void mt_topk_free(MtTopK *t);
/* Counts one occurrence of key (borrowed; cut to MT_SUMMARY_KEY_MAX
 * bytes). attrs is NULL or MT_TOPK_ATTRS borrowed strings, each NULL or
 * a value remembered for the key when it has none yet. */
void mt_topk_add(MtTopK *t, const char *key, const char *const *attrs);
/* The tracked entry for key, or NULL. Transfer none. */
const MtTopKEntry *mt_topk_lookup(const MtTopK *t, const char *key);
/* Up to max tracked entries (0: all), largest count first, ties in byte
 * order of the key, so that the same input always gives the same list.
 * Transfer container: free the array, not the entries. */
GPtrArray *mt_topk_sorted(const MtTopK *t, guint max);
guint mt_topk_capacity(const MtTopK *t);
/* Keys tracked now (at most the capacity). */
guint mt_topk_tracked(const MtTopK *t);
/* Keys dropped to make room; 0 means every count is exact. */
guint64 mt_topk_evictions(const MtTopK *t);
/* Occurrences counted in all (the sum over every key ever added). */
guint64 mt_topk_total(const MtTopK *t);

/* ---- The run's summary. ---- */

typedef struct _MtSummaryAgg MtSummaryAgg;

/* An empty summary whose dimensions each track at most capacity keys
 * (at least 1). Transfer full. */
MtSummaryAgg *mt_summary_new(guint capacity);
void mt_summary_free(MtSummaryAgg *agg);
/* Counts report (borrowed) in: input errors too. Each value of a
 * dimension counts once per message, however often the message has it,
 * so a count is a number of messages. Feed reports in input order for a
 * result that does not depend on how the work was split. */
void mt_summary_add(MtSummaryAgg *agg, const MtReport *report);
/* The summary as a mailtrail.summary/1 object with top rows per
 * dimension (0: MT_SUMMARY_DEFAULT_TOP); pretty: indented by two, else
 * one line without a newline. Transfer full. */
char *mt_summary_to_json(const MtSummaryAgg *agg, guint top,
                         gboolean pretty);
/* The summary as text for a terminal, top rows per dimension; defang:
 * domains and hosts written with "[.]" (--defang). */
void mt_summary_text(FILE *out, const MtSummaryAgg *agg, guint top,
                     gboolean defang);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtTopK, mt_topk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtSummaryAgg, mt_summary_free)

G_END_DECLS

#endif /* MT_SUMMARY_H */
