/* SPDX-License-Identifier: MIT */
/*
 * test-summary.c: the Space-Saving table behind analyze --summary, and
 * the summary over real reports. The table's guarantees are checked
 * against true counts kept apart: exact counts while the keys fit, and
 * past that a count that never undercounts and overcounts by at most its
 * error, every key above total / capacity tracked, the counts summing to
 * the total. Then the summary of samples/mailbox.mbox and
 * attachment.eml, each value counted once per message.
 */
#include <string.h>

#include <jansson.h>

#include "summary.h"

static const MtTopKEntry *
row(GPtrArray *rows, guint i)
{
    g_assert_cmpuint(i, <, rows->len);
    return rows->pdata[i];
}

static void
test_exact(void)
{
    g_autoptr(MtTopK) t = mt_topk_new(10);
    g_autoptr(GPtrArray) rows = NULL;
    const char *stream[] = {"b", "a", "c", "a", "b", "a", "d", "d"};

    for (gsize i = 0; i < G_N_ELEMENTS(stream); i++)
        mt_topk_add(t, stream[i], NULL);
    rows = mt_topk_sorted(t, 0);
    g_assert_cmpuint(rows->len, ==, 4);
    /* Largest first, ties in byte order. */
    g_assert_cmpstr(row(rows, 0)->key, ==, "a");
    g_assert_cmpuint(row(rows, 0)->count, ==, 3);
    g_assert_cmpstr(row(rows, 1)->key, ==, "b");
    g_assert_cmpuint(row(rows, 1)->count, ==, 2);
    g_assert_cmpstr(row(rows, 2)->key, ==, "d");
    g_assert_cmpuint(row(rows, 2)->count, ==, 2);
    g_assert_cmpstr(row(rows, 3)->key, ==, "c");
    g_assert_cmpuint(row(rows, 3)->count, ==, 1);
    for (guint i = 0; i < rows->len; i++)
        g_assert_cmpuint(row(rows, i)->error, ==, 0);
    g_assert_cmpuint(mt_topk_evictions(t), ==, 0);
    g_assert_cmpuint(mt_topk_total(t), ==, 8);
    g_assert_cmpuint(mt_topk_tracked(t), ==, 4);
    g_assert_cmpuint(mt_topk_capacity(t), ==, 10);
    g_clear_pointer(&rows, g_ptr_array_unref);
    rows = mt_topk_sorted(t, 2);
    g_assert_cmpuint(rows->len, ==, 2);
    g_assert_null(mt_topk_lookup(t, "e"));
    g_assert_cmpuint(mt_topk_lookup(t, "d")->count, ==, 2);
}

static void
test_eviction(void)
{
    g_autoptr(MtTopK) t = mt_topk_new(2);
    const MtTopKEntry *c;

    mt_topk_add(t, "a", NULL);
    mt_topk_add(t, "a", NULL);
    mt_topk_add(t, "b", NULL);
    /* Full: c takes b's slot (the smallest count, 1), so it starts at 2
     * with an error of 1; a, the larger, stays. */
    mt_topk_add(t, "c", NULL);
    g_assert_null(mt_topk_lookup(t, "b"));
    c = mt_topk_lookup(t, "c");
    g_assert_nonnull(c);
    g_assert_cmpuint(c->count, ==, 2);
    g_assert_cmpuint(c->error, ==, 1);
    g_assert_cmpuint(mt_topk_lookup(t, "a")->count, ==, 2);
    g_assert_cmpuint(mt_topk_lookup(t, "a")->error, ==, 0);
    g_assert_cmpuint(mt_topk_evictions(t), ==, 1);
    g_assert_cmpuint(mt_topk_tracked(t), ==, 2);
}

/* A skewed stream against true counts: the Space-Saving guarantees. */
static void
test_guarantees(void)
{
    const guint capacity = 50, n = 40000;
    g_autoptr(MtTopK) t = mt_topk_new(capacity);
    g_autoptr(GHashTable) truth =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) rows = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed(2005);
    guint64 sum = 0;
    GHashTableIter it;
    gpointer key, value;

    for (guint i = 0; i < n; i++) {
        char buf[32];
        guint r = g_rand_int_range(rand, 0, 100);

        /* 20% one key, 20% among ten, the rest among 5000: far more
         * distinct keys than slots. */
        if (r < 20)
            g_snprintf(buf, sizeof(buf), "heavy");
        else if (r < 40)
            g_snprintf(buf, sizeof(buf), "mid-%d",
                       g_rand_int_range(rand, 0, 10));
        else
            g_snprintf(buf, sizeof(buf), "tail-%d",
                       g_rand_int_range(rand, 0, 5000));
        mt_topk_add(t, buf, NULL);
        value = g_hash_table_lookup(truth, buf);
        g_hash_table_insert(truth, g_strdup(buf),
                            GUINT_TO_POINTER(GPOINTER_TO_UINT(value) + 1));
    }
    g_assert_cmpuint(mt_topk_total(t), ==, n);
    g_assert_cmpuint(mt_topk_tracked(t), ==, capacity);
    g_assert_cmpuint(mt_topk_evictions(t), >, 0);
    rows = mt_topk_sorted(t, 0);
    for (guint i = 0; i < rows->len; i++) {
        const MtTopKEntry *e = row(rows, i);
        guint real = GPOINTER_TO_UINT(g_hash_table_lookup(truth, e->key));

        g_assert_cmpuint(e->count, >=, real);
        g_assert_cmpuint(e->count - e->error, <=, real);
        sum += e->count;
    }
    /* Each add raises exactly one count by one. */
    g_assert_cmpuint(sum, ==, n);
    /* Every key above n / capacity is tracked. */
    g_hash_table_iter_init(&it, truth);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (GPOINTER_TO_UINT(value) > n / capacity)
            g_assert_nonnull(mt_topk_lookup(t, key));
    /* And the heavy key is first, its count close to the truth. */
    g_assert_cmpstr(row(rows, 0)->key, ==, "heavy");
    g_assert_cmpuint(row(rows, 0)->count - row(rows, 0)->error, <=,
                     GPOINTER_TO_UINT(g_hash_table_lookup(truth, "heavy")));
}

static void
test_key_cut_and_attrs(void)
{
    g_autoptr(MtTopK) t = mt_topk_new(4);
    g_autofree char *long_key = g_strnfill(300, 'x');
    g_autofree char *cut = g_strnfill(MT_SUMMARY_KEY_MAX, 'x');
    const char *none[MT_TOPK_ATTRS] = {NULL, NULL};
    const char *first[MT_TOPK_ATTRS] = {"a.pdf", NULL};
    const char *second[MT_TOPK_ATTRS] = {"b.pdf", "application/pdf"};
    const MtTopKEntry *e;

    /* A key past the bound is stored cut, and found by either form. */
    mt_topk_add(t, long_key, NULL);
    mt_topk_add(t, cut, NULL);
    e = mt_topk_lookup(t, long_key);
    g_assert_nonnull(e);
    g_assert_cmpuint(strlen(e->key), ==, MT_SUMMARY_KEY_MAX);
    g_assert_cmpuint(e->count, ==, 2);
    g_assert_true(mt_topk_lookup(t, cut) == e);
    /* The first value given for each attribute is kept. */
    mt_topk_add(t, "h", none);
    mt_topk_add(t, "h", first);
    mt_topk_add(t, "h", second);
    e = mt_topk_lookup(t, "h");
    g_assert_cmpstr(e->attrs[0], ==, "a.pdf");
    g_assert_cmpstr(e->attrs[1], ==, "application/pdf");
}

/* A million distinct keys through 1000 slots: bounded, and every slot
 * reused (linear work, no growth). */
static void
test_many_distinct(void)
{
    g_autoptr(MtTopK) t = mt_topk_new(1000);
    guint n = g_getenv("MT_UNDER_VALGRIND") ? 50000 : 1000000;

    for (guint i = 0; i < n; i++) {
        char buf[32];
        g_snprintf(buf, sizeof(buf), "k%u", i);
        mt_topk_add(t, buf, NULL);
    }
    g_assert_cmpuint(mt_topk_tracked(t), ==, 1000);
    g_assert_cmpuint(mt_topk_evictions(t), ==, n - 1000);
}

static json_t *
summary_json(const MtSummaryAgg *agg)
{
    g_autofree char *text = mt_summary_to_json(agg, 0, FALSE);
    json_error_t error;
    json_t *o = json_loads(text, 0, &error);

    g_assert_nonnull(o);
    return o;
}

static json_int_t
get_int(json_t *o, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);

    for (char **p = parts; *p; p++) {
        o = json_object_get(o, *p);
        g_assert_nonnull(o);
    }
    g_assert_true(json_is_integer(o));
    return json_integer_value(o);
}

static void
test_summary_of_mbox(void)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;
    g_autoptr(GPtrArray) raws = NULL;
    g_autoptr(MtSummaryAgg) agg = mt_summary_new(100);
    g_autoptr(GError) error = NULL;
    MtLimits limits;
    MtOptions options;
    gsize len = 0;
    json_t *o, *top;

    if (root == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    path = g_build_filename(root, "samples", "mailbox.mbox", NULL);
    g_assert_true(g_file_get_contents(path, &data, &len, &error));
    mt_limits_init_default(&limits);
    mt_options_init_default(&options);
    raws = mt_mbox_split_bytes(path, data, len, &limits);
    g_assert_cmpuint(raws->len, ==, 5);
    /* Every message twice: each counts twice, once per report. */
    for (guint pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < raws->len; i++) {
            MtReport *report = mt_analyze(raws->pdata[i], &options);
            mt_summary_add(agg, report);
            mt_report_free(report);
        }
    }
    o = summary_json(agg);
    g_assert_cmpstr(json_string_value(json_object_get(o, "schema")), ==,
                    MT_SUMMARY_SCHEMA_ID);
    g_assert_cmpint(get_int(o, "messages.reports"), ==, 10);
    g_assert_cmpint(get_int(o, "messages.analyzed"), ==, 10);
    g_assert_cmpint(get_int(o, "verdicts.clean"), ==, 10);
    g_assert_cmpint(get_int(o, "dates.valid"), ==, 10);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(o, "dates"), "earliest")),
                    ==, "2026-11-03T14:02:09Z");
    g_assert_cmpint(get_int(o, "from_domains.distinct"), ==, 5);
    g_assert_cmpint(get_int(o, "from_domains.messages"), ==, 10);
    /* Four of the five have a public origin (the Nagios alert is
     * internal). */
    g_assert_cmpint(get_int(o, "origin_ips.distinct"), ==, 4);
    g_assert_cmpint(get_int(o, "origin_ips.messages"), ==, 8);
    top = json_object_get(json_object_get(o, "origin_ips"), "top");
    g_assert_cmpuint(json_array_size(top), ==, 4);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(top, 0), "value")),
                    ==, "1.128.0.1");
    g_assert_cmpint(json_integer_value(json_object_get(
                        json_array_get(top, 0), "count")),
                    ==, 2);
    /* The list message [4] has links to two hosts, counted twice. */
    top = json_object_get(json_object_get(o, "url_hosts"), "top");
    g_assert_cmpuint(json_array_size(top), ==, 2);
    for (gsize i = 0; i < json_array_size(top); i++)
        g_assert_cmpint(json_integer_value(json_object_get(
                            json_array_get(top, i), "count")),
                        ==, 2);
    g_assert_true(json_is_true(json_object_get(
        json_object_get(o, "url_hosts"), "exact")));
    json_decref(o);

    /* attachment.eml has four links, each of its two hosts twice: one
     * message each. */
    g_clear_pointer(&path, g_free);
    g_clear_pointer(&data, g_free);
    path = g_build_filename(root, "samples", "attachment.eml", NULL);
    g_assert_true(g_file_get_contents(path, &data, &len, &error));
    {
        MtRawMessage raw = {0};
        MtReport *report;

        raw.source.path = path;
        raw.source.format = MT_INPUT_FORMAT_EML;
        raw.data = g_bytes_new_static(data, len);
        report = mt_analyze(&raw, &options);
        g_assert_cmpuint(report->links->len, ==, 4);
        mt_summary_add(agg, report);
        mt_report_free(report);
        g_bytes_unref(raw.data);
    }
    o = summary_json(agg);
    g_assert_cmpint(get_int(o, "url_hosts.distinct"), ==, 4);
    g_assert_cmpint(get_int(o, "url_hosts.messages"), ==, 3);
    top = json_object_get(json_object_get(o, "url_hosts"), "top");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(top, 2), "value")),
                    ==, "portal.tokyo-parts.example");
    g_assert_cmpint(json_integer_value(json_object_get(
                        json_array_get(top, 2), "count")),
                    ==, 1);
    top = json_object_get(json_object_get(o, "attachments"), "top");
    g_assert_cmpuint(json_array_size(top), ==, 1);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(top, 0), "detected_type")),
                    ==, "application/pdf");
    json_decref(o);
}

/* An input that gave no message counts as a report and nothing else. */
static void
test_summary_input_error(void)
{
    g_autoptr(MtSummaryAgg) agg = mt_summary_new(1);
    g_autoptr(GError) error =
        g_error_new_literal(MT_ERROR, MT_ERROR_NOT_MESSAGE, "not mail");
    MtReport *report = mt_report_new_for_error("x.png", error);
    json_t *o;

    mt_summary_add(agg, report);
    mt_report_free(report);
    o = summary_json(agg);
    g_assert_cmpint(get_int(o, "messages.reports"), ==, 1);
    g_assert_cmpint(get_int(o, "messages.input_errors"), ==, 1);
    g_assert_cmpint(get_int(o, "messages.analyzed"), ==, 0);
    g_assert_true(json_is_null(json_object_get(json_object_get(o, "dates"),
                                               "earliest")));
    g_assert_cmpuint(json_object_size(json_object_get(o, "verdicts")), ==,
                     0);
    json_decref(o);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/summary/topk/exact", test_exact);
    g_test_add_func("/summary/topk/eviction", test_eviction);
    g_test_add_func("/summary/topk/guarantees", test_guarantees);
    g_test_add_func("/summary/topk/key-cut-and-attrs",
                    test_key_cut_and_attrs);
    g_test_add_func("/summary/topk/many-distinct", test_many_distinct);
    g_test_add_func("/summary/mbox", test_summary_of_mbox);
    g_test_add_func("/summary/input-error", test_summary_input_error);
    return g_test_run();
}
