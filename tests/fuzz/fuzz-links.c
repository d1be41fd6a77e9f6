/* SPDX-License-Identifier: MIT */
/*
 * fuzz-links.c: the link extractor (links.c) on one body. The first byte
 * picks plain text, HTML or both (as two parts); the rest, made valid
 * UTF-8 as mt_body_decode() hands it over, goes through
 * mt_links_from_text() / mt_links_from_html() and mt_links_analyze() on
 * an empty report, which then renders as JSON.
 *
 * The URL limit is set low so the fuzzer crosses it. Invariants: never
 * more links than max_urls; every link has its text in valid UTF-8; when
 * links were dropped, a limit-reached finding says so.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "mime-private.h"
#include "reports.h"

static gboolean
has_finding(const MtReport *report, const char *id)
{
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (g_strcmp0(f->id, id) == 0)
            return TRUE;
    }
    return FALSE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static MtOptions options;
    static gboolean ready;
    guint8 sel = mt_fuzz_take_byte(&data, &size);
    g_autofree char *text = NULL;
    g_autoptr(MtReport) report = NULL;
    json_t *obj;
    char *dump;

    mt_fuzz_init();
    if (!ready) {
        mt_options_init_default(&options);
        options.limits.max_urls = 64;
        options.limits.max_html_nodes = 2000;
        ready = TRUE;
    }
    text = g_utf8_make_valid((const char *)data, (gssize)size);
    report = mt_report_new_empty();
    switch (sel % 3) {
    case 0:
        mt_links_from_text(report, "1", text, strlen(text), &options);
        break;
    case 1:
        mt_links_from_html(report, "1", text, strlen(text), &options);
        break;
    default:
        mt_links_from_text(report, "1", text, strlen(text), &options);
        mt_links_from_html(report, "2", text, strlen(text), &options);
        break;
    }
    mt_links_analyze(report, &options);

    MT_FUZZ_ASSERT(report->links->len <= options.limits.max_urls);
    for (guint i = 0; i < report->links->len; i++) {
        const MtUrl *u = report->links->pdata[i];

        MT_FUZZ_ASSERT(u->url != NULL && g_utf8_validate(u->url, -1, NULL));
        MT_FUZZ_ASSERT(u->host == NULL ||
                       g_utf8_validate(u->host, -1, NULL));
    }
    if (report->links_dropped > 0)
        MT_FUZZ_ASSERT(has_finding(report, "limit-reached"));

    obj = mt_json_report(report);
    MT_FUZZ_ASSERT(obj != NULL);
    dump = json_dumps(obj, JSON_COMPACT);
    MT_FUZZ_ASSERT(dump != NULL);
    free(dump);
    json_decref(obj);
    return 0;
}
