/* SPDX-License-Identifier: MIT */
/*
 * mt-parallel.h: many messages analyzed on several threads, results in
 * input order (parallel.c). Included by mailtrail.h.
 */
#ifndef MT_PARALLEL_H
#define MT_PARALLEL_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MtAnalyzer MtAnalyzer;

/* Runs on the worker thread right after a report is made (or pushed
 * ready-made): the place to serialize it. Its result comes out of
 * mt_analyzer_pop() with the report. */
typedef gpointer (*MtAnalyzerFinish)(MtReport *report, gpointer user_data);

/* An analyzer with jobs worker threads (1: everything on the caller's
 * thread, at push time). options and finish_data are borrowed and must
 * outlive it; finished_free frees a finish result never popped. */
MtAnalyzer *mt_analyzer_new(const MtOptions *options, guint jobs,
                            MtAnalyzerFinish finish, gpointer finish_data,
                            GDestroyNotify finished_free);
/* Queues a message for analysis (transfer full). */
void mt_analyzer_push(MtAnalyzer *analyzer, MtRawMessage *raw);
/* Queues a finished report (an input error) so it keeps its place in the
 * order (transfer full). */
void mt_analyzer_push_report(MtAnalyzer *analyzer, MtReport *report);
/* Messages pushed and not yet popped: the caller bounds memory with it. */
guint mt_analyzer_in_flight(MtAnalyzer *analyzer);
/* Whether the oldest pushed result is ready (pop will not wait). */
gboolean mt_analyzer_head_ready(MtAnalyzer *analyzer);
/* The oldest pushed result, waiting for it; NULL when nothing is queued.
 * *finished gets the finish callback's result. Transfer full. */
MtReport *mt_analyzer_pop(MtAnalyzer *analyzer, gpointer *finished);
/* Waits for the workers, frees what was never popped. */
void mt_analyzer_free(MtAnalyzer *analyzer);

G_END_DECLS

#endif /* MT_PARALLEL_H */
