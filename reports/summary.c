/* SPDX-License-Identifier: MIT */
/*
 * summary.c: the campaign view of a run (analyze --summary). Every report
 * of a run goes through mt_summary_add() in input order; at the end the
 * aggregates are written as text or as one mailtrail.summary/1 object.
 *
 * A triage of a whole mailbox must not need memory in proportion to it:
 * a 10 GB mbox of spam has millions of distinct origin addresses and link
 * hosts. So each dimension is a Space-Saving table (Metwally, Agrawal and
 * El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data
 * Streams", ICDT 2005) of at most a fixed number of keys: exact while the
 * distinct keys fit, and after that every count comes with the bound of
 * its error, and every key more frequent than total / capacity is still
 * there. Keys are cut at MT_SUMMARY_KEY_MAX bytes, so the tables stay
 * small whatever the messages say.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mt-config.h"
#include "reports.h"
#include "summary.h"

/* ------------------------------------------------------------------ */
/* Space-Saving. */

struct _MtTopK {
    guint capacity;
    GHashTable *index;   /* key -> MtTopKEntry*, the entry owns the key */
    MtTopKEntry **heap;  /* min-heap on count */
    guint len;           /* entries in the heap */
    guint allocated;     /* slots of heap: grown up to capacity, so that
                          * a large capacity costs only what is used */
    guint64 total;       /* every occurrence counted */
    guint64 evictions;   /* keys dropped for a new one */
    guint32 seed;        /* of the hash, see key_hash() */
};

/* The keys come from the messages, so an attacker chooses them and, with
 * an unkeyed hash such as g_str_hash(), could make them all collide and
 * every lookup walk the table. A hash seeded per table at random takes
 * that away. The seed never changes the output: which key is evicted
 * depends on the heap only, and lists are sorted. */
static guint
key_hash(gconstpointer key)
{
    /* The seed sits just before the key, in the entry's allocation
     * (key_new()) as in a lookup's Probe: a GHashFunc gets no user
     * data. */
    const guchar *p = key;
    guint32 seed;
    guint64 h;

    memcpy(&seed, p - sizeof(seed), sizeof(seed));
    h = 0xcbf29ce484222325u ^ seed;
    for (; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    /* The 64-bit finalizer of MurmurHash3: every input bit reaches the
     * low bits GHashTable uses. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return (guint)h;
}

/* A copy of key cut to MT_SUMMARY_KEY_MAX bytes, behind the seed that
 * key_hash() reads. Freed with key_free(). */
static char *
key_new(const MtTopK *t, const char *key)
{
    gsize len = strnlen(key, MT_SUMMARY_KEY_MAX);
    char *block = g_malloc(sizeof(t->seed) + len + 1);

    memcpy(block, &t->seed, sizeof(t->seed));
    memcpy(block + sizeof(t->seed), key, len);
    block[sizeof(t->seed) + len] = '\0';
    return block + sizeof(t->seed);
}

static void
key_free(char *key)
{
    if (key)
        g_free(key - sizeof(guint32));
}

/* A key to look up, cut as stored and behind the seed as key_hash()
 * wants, on the stack: no allocation per occurrence counted. */
typedef struct {
    guint32 seed;
    char key[MT_SUMMARY_KEY_MAX + 1];
} Probe;

G_STATIC_ASSERT(G_STRUCT_OFFSET(Probe, key) == sizeof(guint32));

static const char *
probe_key(Probe *p, const MtTopK *t, const char *key)
{
    gsize len = strnlen(key, MT_SUMMARY_KEY_MAX);

    p->seed = t->seed;
    memcpy(p->key, key, len);
    p->key[len] = '\0';
    return p->key;
}

static char *
attr_dup(const char *value)
{
    return value ? g_strndup(value, MT_SUMMARY_KEY_MAX) : NULL;
}

static void
entry_free(MtTopKEntry *e)
{
    key_free(e->key);
    for (guint i = 0; i < MT_TOPK_ATTRS; i++)
        g_free(e->attrs[i]);
    g_free(e);
}

static void
heap_swap(MtTopK *t, guint a, guint b)
{
    MtTopKEntry *x = t->heap[a];

    t->heap[a] = t->heap[b];
    t->heap[b] = x;
    t->heap[a]->heap_pos = a;
    t->heap[b]->heap_pos = b;
}

/* Restores the heap below i after its count grew. Counts only ever grow,
 * so this and sift_up() are all the heap needs. */
static void
sift_down(MtTopK *t, guint i)
{
    for (;;) {
        guint l = 2 * i + 1, r = l + 1, min = i;

        if (l < t->len && t->heap[l]->count < t->heap[min]->count)
            min = l;
        if (r < t->len && t->heap[r]->count < t->heap[min]->count)
            min = r;
        if (min == i)
            return;
        heap_swap(t, i, min);
        i = min;
    }
}

static void
sift_up(MtTopK *t, guint i)
{
    while (i > 0 && t->heap[(i - 1) / 2]->count > t->heap[i]->count) {
        heap_swap(t, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

MtTopK *
mt_topk_new(guint capacity)
{
    MtTopK *t;

    g_return_val_if_fail(capacity >= 1, NULL);
    t = g_new0(MtTopK, 1);
    t->capacity = capacity;
    t->seed = g_random_int();
    t->index = g_hash_table_new(key_hash, g_str_equal);
    return t;
}

void
mt_topk_free(MtTopK *t)
{
    if (t == NULL)
        return;
    for (guint i = 0; i < t->len; i++)
        entry_free(t->heap[i]);
    g_hash_table_destroy(t->index);
    g_free(t->heap);
    g_free(t);
}

static void
take_attrs(MtTopKEntry *e, const char *const *attrs)
{
    for (guint i = 0; attrs && i < MT_TOPK_ATTRS; i++)
        if (e->attrs[i] == NULL && attrs[i] != NULL)
            e->attrs[i] = attr_dup(attrs[i]);
}

void
mt_topk_add(MtTopK *t, const char *key, const char *const *attrs)
{
    Probe probe;
    MtTopKEntry *e;

    g_return_if_fail(t != NULL && key != NULL);
    t->total++;
    key = probe_key(&probe, t, key);
    e = g_hash_table_lookup(t->index, key);
    if (e != NULL) {
        e->count++;
        take_attrs(e, attrs);
        sift_down(t, e->heap_pos);
        return;
    }
    if (t->len < t->capacity) {
        if (t->len == t->allocated) {
            t->allocated = MIN(t->capacity, MAX(16u, t->allocated * 2));
            t->heap = g_renew(MtTopKEntry *, t->heap, t->allocated);
        }
        e = g_new0(MtTopKEntry, 1);
        e->key = key_new(t, key);
        e->count = 1;
        e->heap_pos = t->len;
        t->heap[t->len++] = e;
        g_hash_table_insert(t->index, e->key, e);
        take_attrs(e, attrs);
        sift_up(t, e->heap_pos);
        return;
    }
    /* Full: the new key takes the place of the one with the smallest
     * count m, inheriting m as its possible overcount. */
    e = t->heap[0];
    g_hash_table_remove(t->index, e->key);
    key_free(e->key);
    for (guint i = 0; i < MT_TOPK_ATTRS; i++)
        g_clear_pointer(&e->attrs[i], g_free);
    e->key = key_new(t, key);
    e->error = e->count;
    e->count++;
    g_hash_table_insert(t->index, e->key, e);
    take_attrs(e, attrs);
    t->evictions++;
    sift_down(t, 0);
}

const MtTopKEntry *
mt_topk_lookup(const MtTopK *t, const char *key)
{
    Probe probe;

    g_return_val_if_fail(t != NULL && key != NULL, NULL);
    return g_hash_table_lookup(t->index, probe_key(&probe, t, key));
}

static gint
by_count_then_key(gconstpointer a, gconstpointer b)
{
    const MtTopKEntry *x = *(const MtTopKEntry *const *)a;
    const MtTopKEntry *y = *(const MtTopKEntry *const *)b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

GPtrArray *
mt_topk_sorted(const MtTopK *t, guint max)
{
    GPtrArray *out;

    g_return_val_if_fail(t != NULL, NULL);
    out = g_ptr_array_sized_new(t->len);
    for (guint i = 0; i < t->len; i++)
        g_ptr_array_add(out, t->heap[i]);
    g_ptr_array_sort(out, by_count_then_key);
    if (max > 0 && out->len > max)
        g_ptr_array_set_size(out, max);
    return out;
}

guint
mt_topk_capacity(const MtTopK *t)
{
    g_return_val_if_fail(t != NULL, 0);
    return t->capacity;
}

guint
mt_topk_tracked(const MtTopK *t)
{
    g_return_val_if_fail(t != NULL, 0);
    return t->len;
}

guint64
mt_topk_evictions(const MtTopK *t)
{
    g_return_val_if_fail(t != NULL, 0);
    return t->evictions;
}

guint64
mt_topk_total(const MtTopK *t)
{
    g_return_val_if_fail(t != NULL, 0);
    return t->total;
}

/* ------------------------------------------------------------------ */
/* The dimensions of the summary. */

typedef enum {
    DIM_ORIGIN_IP,
    DIM_ORIGIN_ASN,
    DIM_ORIGIN_COUNTRY,
    DIM_FROM_DOMAIN,
    DIM_ENVELOPE_DOMAIN,
    DIM_DKIM_DOMAIN,
    DIM_ATTACHMENT,
    DIM_URL_HOST,
    DIM_FINDING,
    DIM_COUNT,
} Dim;

typedef struct {
    const char *json;  /* member of the summary object */
    const char *title; /* heading of the text */
    const char *attrs[MT_TOPK_ATTRS]; /* member names of the attributes */
    gboolean domain;   /* a domain or host: defanged in text on request */
    gboolean uncut;    /* shown whole in text (a hash) */
} DimInfo;

static const DimInfo dims[DIM_COUNT] = {
    [DIM_ORIGIN_IP] = {"origin_ips", "Origin IPs", {"country", "asn"},
                       FALSE, FALSE},
    [DIM_ORIGIN_ASN] = {"origin_asns", "Origin networks", {"org", NULL},
                        FALSE, FALSE},
    [DIM_ORIGIN_COUNTRY] = {"origin_countries", "Origin countries",
                            {"name", NULL}, FALSE, FALSE},
    [DIM_FROM_DOMAIN] = {"from_domains", "From domains",
                         {"org_domain", NULL}, TRUE, FALSE},
    [DIM_ENVELOPE_DOMAIN] = {"envelope_domains", "Envelope sender domains",
                             {NULL, NULL}, TRUE, FALSE},
    [DIM_DKIM_DOMAIN] = {"dkim_domains", "DKIM signing domains (d=)",
                         {NULL, NULL}, TRUE, FALSE},
    [DIM_ATTACHMENT] = {"attachments", "Attachments (SHA-256)",
                        {"filename", "detected_type"}, FALSE, TRUE},
    [DIM_URL_HOST] = {"url_hosts", "Link hosts", {NULL, NULL}, TRUE, FALSE},
    [DIM_FINDING] = {"findings", "Findings", {NULL, NULL}, FALSE, FALSE},
};

/* The verdicts are the identity score's few static names; their table
 * is a Space-Saving one too only so that nothing here is unbounded. */
#define VERDICT_CAPACITY 16
#define NOT_SCORED "not-scored"

struct _MtSummaryAgg {
    guint capacity;
    MtTopK *dim[DIM_COUNT];
    guint64 dim_messages[DIM_COUNT]; /* messages with a value */
    MtTopK *verdicts;
    guint64 reports;      /* every report, input errors too */
    guint64 analyzed;     /* reports of messages */
    guint64 with_errors;  /* of which have errors */
    guint64 input_errors; /* inputs that gave no message */
    guint64 bytes;        /* of the messages as stored */
    guint64 dated;        /* messages with a readable Date */
    gint64 date_min, date_max;
};

MtSummaryAgg *
mt_summary_new(guint capacity)
{
    MtSummaryAgg *agg;

    g_return_val_if_fail(capacity >= 1, NULL);
    agg = g_new0(MtSummaryAgg, 1);
    agg->capacity = capacity;
    for (guint d = 0; d < DIM_COUNT; d++)
        agg->dim[d] = mt_topk_new(capacity);
    agg->verdicts = mt_topk_new(VERDICT_CAPACITY);
    return agg;
}

void
mt_summary_free(MtSummaryAgg *agg)
{
    if (agg == NULL)
        return;
    for (guint d = 0; d < DIM_COUNT; d++)
        mt_topk_free(agg->dim[d]);
    mt_topk_free(agg->verdicts);
    g_free(agg);
}

/* One message's values, each counted once whatever the number of times
 * the message has it (a link host in 500 links counts one message), in
 * the order first seen so that the result depends on the input only. */
typedef struct {
    MtSummaryAgg *agg;
    GHashTable *seen;          /* "dim:key" for this message */
    gboolean any[DIM_COUNT];   /* the message had a value there */
} Message;

static void
count(Message *m, Dim dim, const char *key, const char *attr0,
      const char *attr1)
{
    const char *attrs[MT_TOPK_ATTRS] = {attr0, attr1};
    char *seen_key;

    if (key == NULL || *key == '\0')
        return;
    /* Compared as stored, cut: two values that differ only past the cut
     * are one key. */
    seen_key = g_strdup_printf("%d:%.*s", (int)dim, MT_SUMMARY_KEY_MAX, key);
    if (!g_hash_table_add(m->seen, seen_key))
        return;
    mt_topk_add(m->agg->dim[dim], key, attrs);
    m->any[dim] = TRUE;
}

/* The host a link leads to: for a link a rewriter wrapped (SafeLinks,
 * URL Defense), the target's, which links.c unwrapped and parsed
 * offline; a whole campaign behind one tenant's SafeLinks would
 * otherwise show one host. Borrowed. */
static const char *
link_host(const MtUrl *url)
{
    return url->target_host ? url->target_host : url->host;
}

static gboolean
is_envelope_role(const char *role)
{
    /* The bounce address: Return-Path, the mbox separator's sender and
     * a relay's envelope-from. */
    return strcmp(role, "return-path") == 0 ||
           strcmp(role, "mbox-from") == 0 ||
           strcmp(role, "envelope-from") == 0;
}

static void
add_origin(Message *m, const MtRelayOrigin *o)
{
    const MtGeoRecord *geo = o->geo;
    g_autofree char *asn = NULL;

    if (geo && geo->asn)
        asn = g_strdup_printf("AS%u", (guint)geo->asn);
    count(m, DIM_ORIGIN_IP, o->ip, geo ? geo->country_code : NULL, asn);
    if (asn)
        count(m, DIM_ORIGIN_ASN, asn, geo->as_org, NULL);
    if (geo && geo->country_code)
        count(m, DIM_ORIGIN_COUNTRY, geo->country_code, geo->country_name,
              NULL);
}

static void
add_message(Message *m, const MtReport *report)
{
    const MtIdentity *id = &report->identity;
    const MtAuthentication *auth = &report->authentication;

    add_origin(m, &report->relay.origin);
    count(m, DIM_FROM_DOMAIN, id->from_domain, id->from_org_domain, NULL);
    for (guint i = 0; id->identities && i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        if (e->role && is_envelope_role(e->role))
            count(m, DIM_ENVELOPE_DOMAIN, e->domain, NULL, NULL);
    }
    for (guint i = 0; auth->dkim && i < auth->dkim->len; i++) {
        const MtSignature *s = auth->dkim->pdata[i];
        count(m, DIM_DKIM_DOMAIN, s->domain, NULL, NULL);
    }
    for (guint i = 0; report->mime.attachments &&
                      i < report->mime.attachments->len;
         i++) {
        const MtAttachment *a = report->mime.attachments->pdata[i];
        count(m, DIM_ATTACHMENT, a->hashes.sha256, a->filename,
              a->detected_type);
    }
    for (guint i = 0; report->links && i < report->links->len; i++)
        count(m, DIM_URL_HOST, link_host(report->links->pdata[i]), NULL,
              NULL);
    for (guint i = 0; report->findings && i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        count(m, DIM_FINDING, f->id, NULL, NULL);
    }
}

void
mt_summary_add(MtSummaryAgg *agg, const MtReport *report)
{
    Message m = {0};

    g_return_if_fail(agg != NULL && report != NULL);
    agg->reports++;
    agg->bytes += report->source.size;
    if (!report->analyzed) {
        agg->input_errors++;
        return;
    }
    agg->analyzed++;
    if (report->errors && report->errors->len > 0)
        agg->with_errors++;
    if (report->summary.date_valid) {
        gint64 t = report->summary.date_parsed.timestamp;
        if (agg->dated == 0 || t < agg->date_min)
            agg->date_min = t;
        if (agg->dated == 0 || t > agg->date_max)
            agg->date_max = t;
        agg->dated++;
    }
    mt_topk_add(agg->verdicts,
                report->identity.verdict ? report->identity.verdict
                                         : NOT_SCORED,
                NULL);

    m.agg = agg;
    m.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    add_message(&m, report);
    g_hash_table_destroy(m.seen);
    for (guint d = 0; d < DIM_COUNT; d++)
        if (m.any[d])
            agg->dim_messages[d]++;
}

/* ------------------------------------------------------------------ */
/* JSON. */

static json_t *
json_date(const MtSummaryAgg *agg, gint64 t)
{
    char buf[21];

    return agg->dated ? json_string(mt_date_format_utc(t, buf)) : json_null();
}

static json_t *
json_dim(const MtSummaryAgg *agg, Dim d, guint top)
{
    const MtTopK *t = agg->dim[d];
    gboolean exact = t->evictions == 0;
    g_autoptr(GPtrArray) rows = mt_topk_sorted(t, top);
    json_t *o = json_object();
    json_t *list = json_array();

    json_object_set_new(o, "exact", json_boolean(exact));
    json_object_set_new(o, "distinct",
                        exact ? json_integer((json_int_t)t->len)
                              : json_null());
    /* Every slot holds a different key, and an eviction happens only
     * when one more arrives; each key came in at least once, through a
     * free slot or an eviction. */
    json_object_set_new(o, "distinct_at_least",
                        json_integer((json_int_t)t->len + (exact ? 0 : 1)));
    json_object_set_new(o, "distinct_at_most",
                        json_integer((json_int_t)(t->len + t->evictions)));
    json_object_set_new(o, "tracked", json_integer((json_int_t)t->len));
    json_object_set_new(o, "messages",
                        json_integer((json_int_t)agg->dim_messages[d]));
    for (guint i = 0; i < rows->len; i++) {
        const MtTopKEntry *e = rows->pdata[i];
        json_t *row = json_object();
        gboolean escaped = FALSE;
        g_autofree char *value =
            mt_escape_bytes(e->key, strlen(e->key), &escaped);

        json_object_set_new(row, "value", json_string(value));
        if (escaped)
            json_object_set_new(row, "value_escaped", json_true());
        json_object_set_new(row, "count", json_integer((json_int_t)e->count));
        json_object_set_new(row, "error", json_integer((json_int_t)e->error));
        for (guint a = 0; a < MT_TOPK_ATTRS; a++)
            if (dims[d].attrs[a])
                json_object_set_new(row, dims[d].attrs[a],
                                    mt_json_string_or_null(e->attrs[a]));
        if (d == DIM_FINDING) {
            const MtFindingInfo *info = mt_finding_info_get(e->key);
            json_object_set_new(row, "title",
                                info ? json_string(info->title)
                                     : json_null());
            json_object_set_new(row, "severity",
                                info ? json_string(mt_severity_to_string(
                                           info->severity))
                                     : json_null());
        }
        json_array_append_new(list, row);
    }
    json_object_set_new(o, "top", list);
    return o;
}

char *
mt_summary_to_json(const MtSummaryAgg *agg, guint top, gboolean pretty)
{
    json_t *o, *tool, *messages, *dates, *verdicts;
    g_autoptr(GPtrArray) vrows = NULL;
    char *dumped, *out;

    g_return_val_if_fail(agg != NULL, NULL);
    if (top == 0)
        top = MT_SUMMARY_DEFAULT_TOP;
    o = json_object();
    json_object_set_new(o, "schema", json_string(MT_SUMMARY_SCHEMA_ID));
    tool = json_object();
    json_object_set_new(tool, "name", json_string("mailtrail"));
    json_object_set_new(tool, "version", json_string(MT_VERSION));
    json_object_set_new(o, "tool", tool);
    json_object_set_new(o, "capacity", json_integer(agg->capacity));
    json_object_set_new(o, "top", json_integer(top));

    messages = json_object();
    json_object_set_new(messages, "reports", json_integer(
                                                 (json_int_t)agg->reports));
    json_object_set_new(messages, "analyzed",
                        json_integer((json_int_t)agg->analyzed));
    json_object_set_new(messages, "with_errors",
                        json_integer((json_int_t)agg->with_errors));
    json_object_set_new(messages, "input_errors",
                        json_integer((json_int_t)agg->input_errors));
    json_object_set_new(messages, "bytes",
                        json_integer((json_int_t)agg->bytes));
    json_object_set_new(o, "messages", messages);

    dates = json_object();
    json_object_set_new(dates, "valid", json_integer((json_int_t)agg->dated));
    json_object_set_new(dates, "earliest", json_date(agg, agg->date_min));
    json_object_set_new(dates, "latest", json_date(agg, agg->date_max));
    json_object_set_new(o, "dates", dates);

    verdicts = json_object();
    vrows = mt_topk_sorted(agg->verdicts, 0);
    for (guint i = 0; i < vrows->len; i++) {
        const MtTopKEntry *e = vrows->pdata[i];
        json_object_set_new(verdicts, e->key,
                            json_integer((json_int_t)e->count));
    }
    json_object_set_new(o, "verdicts", verdicts);

    for (guint d = 0; d < DIM_COUNT; d++)
        json_object_set_new(o, dims[d].json, json_dim(agg, (Dim)d, top));

    dumped = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    json_decref(o);
    out = g_strdup(dumped ? dumped : "{}");
    free(dumped);
    return out;
}

/* ------------------------------------------------------------------ */
/* Text. */

/* Columns a value gets in a row before it is cut. */
#define TEXT_VALUE_WIDTH 60

static char *
text_value(const char *bytes, gboolean domain, gboolean defang,
           gboolean uncut)
{
    g_autofree char *safe = mt_text_terminal_safe(bytes);
    g_autofree char *shown = domain && defang
                                 ? mt_text_defang_domain(safe)
                                 : g_strdup(safe);

    return uncut ? g_steal_pointer(&shown)
                 : mt_text_cut_to_width(shown, TEXT_VALUE_WIDTH);
}

static void
text_dim(FILE *out, const MtSummaryAgg *agg, Dim d, guint top,
         gboolean defang)
{
    const MtTopK *t = agg->dim[d];
    g_autoptr(GPtrArray) rows = mt_topk_sorted(t, top);
    g_autoptr(GPtrArray) values = NULL; /* char*: shown values of rows */
    glong width = 0;

    if (t->len == 0) {
        fprintf(out, "  %s: none\n", dims[d].title);
        return;
    }
    if (t->evictions == 0)
        fprintf(out,
                "  %s: %u distinct in %" G_GUINT64_FORMAT " messages\n",
                dims[d].title, t->len, agg->dim_messages[d]);
    else
        fprintf(out,
                "  %s: at least %u distinct in %" G_GUINT64_FORMAT
                " messages (%u tracked: counts are upper bounds)\n",
                dims[d].title, t->len + 1, agg->dim_messages[d], t->len);
    values = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < rows->len; i++) {
        const MtTopKEntry *e = rows->pdata[i];
        char *value = text_value(e->key, dims[d].domain, defang,
                                 dims[d].uncut);
        width = MAX(width, mt_text_display_width(value));
        g_ptr_array_add(values, value);
    }
    for (guint i = 0; i < rows->len; i++) {
        const MtTopKEntry *e = rows->pdata[i];
        const char *value = values->pdata[i];
        GString *line = g_string_new(NULL);

        /* Values padded to the widest shown, so the attributes line up. */
        g_string_append_printf(line, "  %8" G_GUINT64_FORMAT "  %s%*s",
                               e->count, value,
                               (int)(width - mt_text_display_width(value)),
                               "");
        for (guint a = 0; a < MT_TOPK_ATTRS; a++) {
            /* An organisational domain that is the domain itself says
             * nothing. */
            if (e->attrs[a] == NULL || (d == DIM_FROM_DOMAIN &&
                                        strcmp(e->attrs[a], e->key) == 0))
                continue;
            g_autofree char *attr = text_value(e->attrs[a], FALSE, FALSE,
                                               FALSE);
            g_string_append_printf(line, "  %s", attr);
        }
        if (d == DIM_FINDING) {
            const char *title = mt_finding_title(e->key);
            if (title)
                g_string_append_printf(line, "  %s", title);
        }
        if (e->error > 0)
            g_string_append_printf(line, "  (>= %" G_GUINT64_FORMAT ")",
                                   e->count - e->error);
        /* The padding of a row without attributes is not kept. */
        while (line->len > 0 && line->str[line->len - 1] == ' ')
            g_string_truncate(line, line->len - 1);
        fprintf(out, "%s\n", line->str);
        g_string_free(line, TRUE);
    }
}

void
mt_summary_text(FILE *out, const MtSummaryAgg *agg, guint top,
                gboolean defang)
{
    g_autoptr(GPtrArray) vrows = NULL;

    g_return_if_fail(out != NULL && agg != NULL);
    if (top == 0)
        top = MT_SUMMARY_DEFAULT_TOP;
    fprintf(out,
            "== Summary: %" G_GUINT64_FORMAT " messages analyzed (%"
            G_GUINT64_FORMAT " with errors), %" G_GUINT64_FORMAT
            " inputs not readable as mail, %" G_GUINT64_FORMAT " bytes\n",
            agg->analyzed, agg->with_errors, agg->input_errors, agg->bytes);
    if (agg->dated > 0) {
        char a[21], b[21];
        fprintf(out, "  Dates: %s to %s (%" G_GUINT64_FORMAT
                     " messages with a readable Date)\n",
                mt_date_format_utc(agg->date_min, a),
                mt_date_format_utc(agg->date_max, b), agg->dated);
    } else {
        fputs("  Dates: none readable\n", out);
    }
    vrows = mt_topk_sorted(agg->verdicts, 0);
    fputs("  Verdicts:", out);
    for (guint i = 0; i < vrows->len; i++) {
        const MtTopKEntry *e = vrows->pdata[i];
        fprintf(out, "%s %s %" G_GUINT64_FORMAT, i ? "," : "", e->key,
                e->count);
    }
    fputs(vrows->len ? "\n" : " none\n", out);
    for (guint d = 0; d < DIM_COUNT; d++)
        text_dim(out, agg, (Dim)d, top, defang);
}
