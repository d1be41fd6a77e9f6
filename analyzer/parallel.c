/* SPDX-License-Identifier: MIT */
/*
 * parallel.c: analysis of many messages on several threads, results in
 * input order (mailtrail analyze --jobs N).
 *
 * The caller reads messages (one thread: the input reader is sequential
 * by nature, an mbox can only be split by reading it) and pushes them in
 * order; worker threads analyze them and run the caller's finish callback
 * (the renderers serialize a report there, which is as costly as the
 * analysis); the caller pops finished results strictly in push order. The
 * number of messages in flight is bounded by the caller (see
 * mt_analyzer_in_flight()), so memory stays flat however long the input.
 *
 * With one job nothing runs on another thread: push analyzes at once.
 * Everything the analysis touches is thread-safe: GMime is initialised
 * once, libmagic has a cookie per thread, the iconv pins, the IP range
 * table and the DNS cache are behind locks or built once, GeoIP databases
 * are read-only mappings.
 */
#include <libxml/parser.h>

#include "mailtrail-private.h"

typedef struct {
    MtRawMessage *raw; /* owned until analyzed */
    MtReport *report;  /* the result, or a report pushed ready-made */
    gpointer finished; /* what the finish callback returned */
    gboolean done;
} Job;

struct _MtAnalyzer {
    const MtOptions *options;
    MtAnalyzerFinish finish;
    gpointer finish_data;
    GDestroyNotify finished_free;
    GThreadPool *pool; /* NULL with one job */
    GMutex lock;
    GCond done_cond;
    GQueue jobs; /* Job*, in push order */
};

static void
run_job(Job *job, const MtAnalyzer *analyzer)
{
    if (job->report == NULL) {
        job->report = mt_analyze(job->raw, analyzer->options);
        g_clear_pointer(&job->raw, mt_raw_message_free);
    }
    if (analyzer->finish)
        job->finished = analyzer->finish(job->report,
                                         analyzer->finish_data);
}

static void
worker(gpointer data, gpointer user_data)
{
    Job *job = data;
    MtAnalyzer *analyzer = user_data;

    run_job(job, analyzer);
    g_mutex_lock(&analyzer->lock);
    job->done = TRUE;
    g_cond_broadcast(&analyzer->done_cond);
    g_mutex_unlock(&analyzer->lock);
}

MtAnalyzer *
mt_analyzer_new(const MtOptions *options, guint jobs, MtAnalyzerFinish finish,
                gpointer finish_data, GDestroyNotify finished_free)
{
    MtAnalyzer *analyzer;

    g_return_val_if_fail(options != NULL, NULL);
    mt_gmime_init();
    /* libxml2 must be initialised once before threads use its parser. */
    xmlInitParser();
    analyzer = g_new0(MtAnalyzer, 1);
    analyzer->options = options;
    analyzer->finish = finish;
    analyzer->finish_data = finish_data;
    analyzer->finished_free = finished_free;
    g_mutex_init(&analyzer->lock);
    g_cond_init(&analyzer->done_cond);
    g_queue_init(&analyzer->jobs);
    if (jobs > 1)
        analyzer->pool = g_thread_pool_new(worker, analyzer, (gint)jobs,
                                           TRUE, NULL);
    return analyzer;
}

static void
push_job(MtAnalyzer *analyzer, Job *job)
{
    if (analyzer->pool == NULL) {
        run_job(job, analyzer);
        job->done = TRUE;
        g_queue_push_tail(&analyzer->jobs, job);
        return;
    }
    g_mutex_lock(&analyzer->lock);
    g_queue_push_tail(&analyzer->jobs, job);
    g_mutex_unlock(&analyzer->lock);
    g_thread_pool_push(analyzer->pool, job, NULL);
}

void
mt_analyzer_push(MtAnalyzer *analyzer, MtRawMessage *raw)
{
    Job *job;

    g_return_if_fail(analyzer != NULL && raw != NULL);
    job = g_new0(Job, 1);
    job->raw = raw;
    push_job(analyzer, job);
}

void
mt_analyzer_push_report(MtAnalyzer *analyzer, MtReport *report)
{
    Job *job;

    g_return_if_fail(analyzer != NULL && report != NULL);
    job = g_new0(Job, 1);
    job->report = report;
    push_job(analyzer, job);
}

guint
mt_analyzer_in_flight(MtAnalyzer *analyzer)
{
    guint n;

    g_mutex_lock(&analyzer->lock);
    n = analyzer->jobs.length;
    g_mutex_unlock(&analyzer->lock);
    return n;
}

gboolean
mt_analyzer_head_ready(MtAnalyzer *analyzer)
{
    Job *job;
    gboolean ready;

    g_mutex_lock(&analyzer->lock);
    job = g_queue_peek_head(&analyzer->jobs);
    ready = job != NULL && job->done;
    g_mutex_unlock(&analyzer->lock);
    return ready;
}

MtReport *
mt_analyzer_pop(MtAnalyzer *analyzer, gpointer *finished)
{
    Job *job;
    MtReport *report;

    g_return_val_if_fail(analyzer != NULL, NULL);
    g_mutex_lock(&analyzer->lock);
    job = g_queue_peek_head(&analyzer->jobs);
    while (job != NULL && !job->done)
        g_cond_wait(&analyzer->done_cond, &analyzer->lock);
    if (job != NULL)
        g_queue_pop_head(&analyzer->jobs);
    g_mutex_unlock(&analyzer->lock);
    if (job == NULL)
        return NULL;
    report = job->report;
    if (finished != NULL)
        *finished = job->finished;
    g_free(job);
    return report;
}

void
mt_analyzer_free(MtAnalyzer *analyzer)
{
    Job *job;

    if (analyzer == NULL)
        return;
    /* Waits for the workers: no job is freed under one. */
    if (analyzer->pool)
        g_thread_pool_free(analyzer->pool, FALSE, TRUE);
    while ((job = g_queue_pop_head(&analyzer->jobs)) != NULL) {
        mt_raw_message_free(job->raw);
        mt_report_free(job->report);
        if (job->finished && analyzer->finished_free)
            analyzer->finished_free(job->finished);
        g_free(job);
    }
    g_mutex_clear(&analyzer->lock);
    g_cond_clear(&analyzer->done_cond);
    g_free(analyzer);
}
