/* SPDX-License-Identifier: MIT */
/*
 * relay.c: the relay path worked out from the parsed Received headers.
 * Each relay prepends its own header, so the path reads bottom-up, and
 * every header is only as good as the host that wrote it: the receiving
 * organisation's relays can be believed, anything below the hop where the
 * message entered the organisation is the sender's own story. This file
 * computes signed delays (a clock that runs backwards is evidence, so no
 * delay is ever wrapped or clamped), classifies and locates each client
 * address, checks that each hop's client is the relay that wrote the header
 * below, finds the trust boundary and the origin and says why, collects the
 * origins that the sender's headers claim, and holds DKIM, ARC and queue-id
 * times against the hops. Anomalies become findings with permanent ids
 * (doc/findings.yaml). Every pass is linear in the number of hops, and the
 * number of findings of each id per message is capped, so 10,000 Received
 * headers cost no more than a long list.
 */
#include <libpsl.h>
#include <string.h>

#include "mailtrail-private.h"
#include "relay-private.h"

/* Host names longer than DNS allows are not names (RFC 1035 2.3.4). */
#define MAX_NAME_LEN 253
/* Bounds on what one message can add to a report. */
#define MAX_CLAIMED_PER_HEADER 16
#define MAX_CLAIMED 64
#define MAX_TIMESTAMPS 256
#define MAX_SIGNATURE_HEADERS 100
/* How many skipped hops an origin reason names before "and N more". */
#define MAX_REASON_HOPS 5

/* ------------------------------------------------------------------ */
/* Names for the model's enums. */

const char *
mt_trust_to_string(MtTrust trust)
{
    switch (trust) {
    case MT_TRUST_CLAIMED:
        return "claimed";
    case MT_TRUST_BOUNDARY:
        return "boundary";
    case MT_TRUST_TRUSTED:
        return "trusted";
    case MT_TRUST_UNKNOWN:
        break;
    }
    return NULL;
}

const char *
mt_link_status_to_string(MtLinkStatus status)
{
    switch (status) {
    case MT_LINK_NONE:
        return "none";
    case MT_LINK_UNKNOWN:
        return "unknown";
    case MT_LINK_MATCH:
        return "match";
    case MT_LINK_WEAK:
        return "weak";
    case MT_LINK_MISMATCH:
        return "mismatch";
    }
    return "unknown";
}

const char *
mt_hop_flag_to_string(MtHopFlag flag)
{
    static const char *const names[MT_HOP_FLAG_COUNT] = {
        "x-received",        "no-date",
        "impossible-offset", "negative-delay",
        "large-delay",       "date-future",
        "clock-fast",        "clock-slow",
        "chain-break",       "weak-link",
        "below-chain-break", "private-ip-external",
        "origin",            "local",
        "unparsed",          "id-time-mismatch",
    };

    for (guint bit = 0; bit < MT_HOP_FLAG_COUNT; bit++) {
        if ((guint)flag == (1u << bit))
            return names[bit];
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The findings this module raises. The registry, doc/findings.yaml, has
 * the same ids and severities; a unit test holds the two together. */

typedef enum {
    RF_MISSING,
    RF_UNPARSABLE,
    RF_UNPARSED_TEXT,
    RF_DATE_MISSING,
    RF_BAD_OFFSET,
    RF_NEGATIVE_DELAY,
    RF_LARGE_DELAY,
    RF_DATE_FUTURE,
    RF_CLOCK_SKEW_HOST,
    RF_CHAIN_BREAK,
    RF_PRIVATE_IP_EXTERNAL,
    RF_DATE_SKEW,
    RF_ORIGINATING_IP,
    RF_TIMESTAMP_CONTRADICTION,
    RF_DKIM_OLD,
    RF_COUNT,
} RelayFinding;

static const struct {
    const char *id;
    MtSeverity severity;
} finding_info[RF_COUNT] = {
    [RF_MISSING] = {"received-missing", MT_SEVERITY_MEDIUM},
    [RF_UNPARSABLE] = {"received-unparsable", MT_SEVERITY_LOW},
    [RF_UNPARSED_TEXT] = {"received-unparsed-text", MT_SEVERITY_INFO},
    [RF_DATE_MISSING] = {"received-date-missing", MT_SEVERITY_LOW},
    [RF_BAD_OFFSET] = {"received-impossible-offset", MT_SEVERITY_LOW},
    [RF_NEGATIVE_DELAY] = {"received-negative-delay", MT_SEVERITY_LOW},
    [RF_LARGE_DELAY] = {"received-large-delay", MT_SEVERITY_LOW},
    [RF_DATE_FUTURE] = {"received-date-future", MT_SEVERITY_MEDIUM},
    [RF_CLOCK_SKEW_HOST] = {"received-clock-skew-host", MT_SEVERITY_MEDIUM},
    [RF_CHAIN_BREAK] = {"received-chain-break", MT_SEVERITY_MEDIUM},
    [RF_PRIVATE_IP_EXTERNAL] = {"received-private-ip-external",
                                MT_SEVERITY_MEDIUM},
    [RF_DATE_SKEW] = {"date-received-skew", MT_SEVERITY_LOW},
    [RF_ORIGINATING_IP] = {"originating-ip-claimed", MT_SEVERITY_INFO},
    [RF_TIMESTAMP_CONTRADICTION] = {"received-timestamp-contradiction",
                                    MT_SEVERITY_MEDIUM},
    [RF_DKIM_OLD] = {"received-dkim-old", MT_SEVERITY_LOW},
};

const char *
mt_relay_finding_id(guint k, MtSeverity *severity)
{
    if (k >= RF_COUNT)
        return NULL;
    if (severity)
        *severity = finding_info[k].severity;
    return finding_info[k].id;
}

/* ------------------------------------------------------------------ */
/* Construction and destruction. */

static void
geo_database_free(gpointer p)
{
    MtGeoDatabase *db = p;

    if (db == NULL)
        return;
    g_free(db->path);
    g_free(db->type);
    g_free(db->build_date);
    g_free(db);
}

static void
claimed_origin_free(gpointer p)
{
    MtClaimedOrigin *c = p;

    if (c == NULL)
        return;
    g_free(c->header);
    g_free(c->ip);
    mt_geo_record_free(c->geo);
    g_free(c);
}

static void
origin_clear(MtRelayOrigin *o)
{
    g_clear_pointer(&o->ip, g_free);
    g_clear_pointer(&o->host, g_free);
    g_clear_pointer(&o->reason, g_free);
    g_clear_pointer(&o->geo, mt_geo_record_free);
    o->hop = 0;
    o->header_index = -1;
}

void
mt_relay_init(MtRelay *relay)
{
    memset(relay, 0, sizeof(*relay));
    relay->hops = g_ptr_array_new_with_free_func((GDestroyNotify)mt_hop_free);
    relay->trusted_domains = g_ptr_array_new_with_free_func(g_free);
    relay->claimed_origins =
        g_ptr_array_new_with_free_func(claimed_origin_free);
    relay->timestamps = g_ptr_array_new_with_free_func(g_free);
    relay->geoip_databases = g_ptr_array_new_with_free_func(geo_database_free);
    relay->origin.header_index = -1;
}

void
mt_relay_clear(MtRelay *relay)
{
    g_clear_pointer(&relay->hops, g_ptr_array_unref);
    g_clear_pointer(&relay->trusted_domains, g_ptr_array_unref);
    g_clear_pointer(&relay->claimed_origins, g_ptr_array_unref);
    g_clear_pointer(&relay->timestamps, g_ptr_array_unref);
    g_clear_pointer(&relay->geoip_databases, g_ptr_array_unref);
    g_clear_pointer(&relay->boundary_reason, g_free);
    origin_clear(&relay->origin);
}

void
mt_relay_link_clear(MtLink *link)
{
    g_clear_pointer(&link->domain, g_free);
    memset(link, 0, sizeof(*link));
}

void
mt_hop_free(MtHop *hop)
{
    if (hop == NULL)
        return;
    mt_received_free(hop->received);
    mt_geo_record_free(hop->geo);
    mt_relay_link_clear(&hop->link);
    g_free(hop);
}

/* ------------------------------------------------------------------ */
/* Host names, addresses and registrable domains. */

/* A host name as a header wrote it, lowercased and without one trailing
 * dot (Gmail writes "mail-sor-f41.google.com."), or NULL for nothing, for
 * an address literal, for Postfix's "unknown" placeholder, and for text
 * that is no DNS name at all (spaces, non-ASCII bytes, empty labels).
 * Underscores are allowed: Windows hosts use them in HELO. */
static char *
host_name(const char *s)
{
    gsize len;
    MtIp ip;

    if (s == NULL)
        return NULL;
    len = strnlen(s, MAX_NAME_LEN + 2);
    if (len > MAX_NAME_LEN + 1)
        return NULL;
    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0 || len > MAX_NAME_LEN || s[0] == '[' || s[0] == '.')
        return NULL;
    if (mt_ip_parse(s, len, &ip))
        return NULL;
    for (gsize i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.' && s[i + 1] == '.')
            return NULL;
        if (!g_ascii_isalnum(c) && c != '-' && c != '_' && c != '.')
            return NULL;
    }
    if (len == 7 && g_ascii_strncasecmp(s, "unknown", 7) == 0)
        return NULL;
    return g_ascii_strdown(s, (gssize)len);
}

/* An address from a header field: a bare address or an address literal
 * ("[10.0.0.1]", "[IPv6:2001:db8::1]"). */
static gboolean
host_ip(const char *s, MtIp *out)
{
    gsize len;

    if (s == NULL)
        return FALSE;
    len = strnlen(s, 100);
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    return mt_ip_parse(s, len, out);
}

static gboolean
same_address(const MtIp *a, const MtIp *b)
{
    MtIp ua, ub;

    mt_ip_unmap(a, &ua);
    mt_ip_unmap(b, &ub);
    return mt_ip_equal(&ua, &ub);
}

/* The class that says where an address really is. A 6to4 address routes
 * to the IPv4 site inside it, so it is as internal as that site: Google's
 * own relays name themselves 2002:a05:...: addresses that wrap 10.5.x.x. */
static MtIpClass
effective_class(const MtIp *ip)
{
    const char *note = mt_ip_note(ip);
    MtIp v4;

    if (note != NULL && strcmp(note, "6to4") == 0 &&
        mt_ip_get_embedded_v4(ip, &v4))
        return mt_ip_classify(&v4);
    return mt_ip_classify(ip);
}

/* Addresses that only exist inside one network. */
static gboolean
class_is_internal(MtIpClass cls)
{
    return cls == MT_IP_CLASS_PRIVATE || cls == MT_IP_CLASS_LOOPBACK ||
           cls == MT_IP_CLASS_LINK_LOCAL;
}

/* Addresses that cannot carry mail across the Internet. CGNAT space is
 * shared by one carrier's customers and is not routed beyond it. */
static gboolean
class_is_unroutable(MtIpClass cls)
{
    return class_is_internal(cls) || cls == MT_IP_CLASS_CGNAT;
}

const psl_ctx_t *
mt_psl(void)
{
    static gsize once = 0;
    static const psl_ctx_t *ctx = NULL;

    if (g_once_init_enter(&once)) {
        /* psl_latest() takes the newer of the built-in list and the
         * distribution's file (Debian's publicsuffix package, kept
         * current between library releases). The context lives as long
         * as the process: lookups only read it, from any thread. */
        const psl_ctx_t *c = psl_latest(NULL);

        ctx = c != NULL ? c : psl_builtin();
        g_once_init_leave(&once, 1);
    }
    return ctx;
}

/* Names remembered per thread; the table is emptied when full. A name
 * longer than any DNS name is looked up, not remembered, so that the
 * table stays small whatever the messages hold. */
#define PSL_MEMO_ENTRIES 4096
#define PSL_MEMO_NAME_MAX 255

static void
psl_memo_free(gpointer p)
{
    if (p != NULL)
        g_hash_table_unref(p);
}

static GPrivate psl_memo_key = G_PRIVATE_INIT(psl_memo_free);

/* The value that stands for "no registrable domain" in the table. */
static const char psl_memo_none[] = "";

char *
mt_psl_registrable_domain(const char *name)
{
    const psl_ctx_t *psl = mt_psl();
    GHashTable *memo;
    const char *rd;
    gpointer hit;
    char *key;

    g_return_val_if_fail(name != NULL, NULL);
    if (psl == NULL)
        return NULL;
    if (strlen(name) > PSL_MEMO_NAME_MAX) {
        rd = psl_registrable_domain(psl, name);
        return rd != NULL ? g_strdup(rd) : NULL;
    }
    memo = g_private_get(&psl_memo_key);
    if (memo == NULL) {
        memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     NULL);
        g_private_set(&psl_memo_key, memo);
    }
    if (g_hash_table_lookup_extended(memo, name, NULL, &hit))
        return hit != psl_memo_none ? g_strdup(hit) : NULL;
    if (g_hash_table_size(memo) >= PSL_MEMO_ENTRIES)
        g_hash_table_remove_all(memo);
    rd = psl_registrable_domain(psl, name);
    /* libpsl answers with a pointer into the name: its place in the key
     * is the value. */
    key = g_strdup(name);
    g_hash_table_insert(memo, key,
                        rd != NULL ? key + (rd - name)
                                   : (gpointer)psl_memo_none);
    return rd != NULL ? g_strdup(rd) : NULL;
}

char *
mt_relay_registrable_domain(const char *host)
{
    g_autofree char *name = host_name(host);

    if (name == NULL || strchr(name, '.') == NULL)
        return NULL;
    return mt_psl_registrable_domain(name);
}

/* TRUE for a name that only means something inside one network: a bare
 * label ("EXCH01", "qwi4", the internal names Google and Exchange stamp),
 * or a name under a suffix that is not on the public suffix list
 * (".internal", ".lan", ".local", RFC 2606 ".example"). Such a name
 * cannot be compared with a public one: the same relay is "mailout.west.
 * internal" to itself and "wout2-smtp.messagingengine.com" to the world. */
static gboolean
name_is_internal(const char *name)
{
    const char *dot = strrchr(name, '.');
    const psl_ctx_t *psl = mt_psl();

    if (dot == NULL)
        return TRUE;
    /* RFC 2606 names stand for public ones in samples and tests, as
     * documentation addresses do. */
    if (strcmp(dot + 1, "example") == 0 || strcmp(dot + 1, "test") == 0 ||
        strcmp(dot + 1, "invalid") == 0)
        return FALSE;
    return psl != NULL &&
           !psl_is_public_suffix2(psl, dot + 1,
                                  PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

static gboolean
name_is_localhost(const char *name)
{
    return name != NULL && (strcmp(name, "localhost") == 0 ||
                            strcmp(name, "localhost.localdomain") == 0 ||
                            g_str_has_prefix(name, "localhost."));
}

/* The index of a mailbox provider's family of domains, or -1. */
static int
provider_family(const char *domain);

/* TRUE when shortname has no dot and is the first label of fqdn: Exchange
 * and Windows relays name themselves "EXCH01" in one place and
 * "EXCH01.ad.example.com" in another. */
static gboolean
short_name_of(const char *shortname, const char *fqdn)
{
    gsize n = strlen(shortname);

    return strchr(shortname, '.') == NULL && strncmp(fqdn, shortname, n) == 0 &&
           fqdn[n] == '.';
}

static gboolean
str_equal0(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ------------------------------------------------------------------ */
/* Linkage: the "by" of hop N-1 against the "from" of hop N. */

/* Compares the upper relay's own name and address with the lower one's,
 * for a client on the loopback interface: the relay handed the message
 * to itself (a content filter, a second queue), so the lower header must
 * be its own. */
static void
link_loopback(const char *by_name, gboolean has_by_ip, const MtIp *by_ip,
              const MtReceived *upper, MtLink *link)
{
    g_autofree char *up_name = host_name(upper->by_host);
    g_autofree char *by_dom = NULL, *up_dom = NULL;
    MtIp up_ip;

    link->basis = "loopback";
    if (has_by_ip && (host_ip(upper->by_ip, &up_ip) ||
                      host_ip(upper->by_host, &up_ip)) &&
        same_address(by_ip, &up_ip)) {
        link->status = MT_LINK_MATCH;
        link->field = "ip";
        return;
    }
    link->field = upper->from_ip != NULL ? "ip" : "helo";
    if (str_equal0(by_name, up_name)) {
        link->status = MT_LINK_MATCH;
        return;
    }
    by_dom = mt_relay_registrable_domain(by_name);
    up_dom = mt_relay_registrable_domain(up_name);
    if (str_equal0(by_dom, up_dom)) {
        link->status = MT_LINK_WEAK;
        link->domain = g_steal_pointer(&by_dom);
        return;
    }
    link->basis = NULL;
    link->field = NULL;
    /* A relay that calls itself "localhost" below, or by a bare or
     * internal name, may still be the same machine. */
    link->status = by_name == NULL || name_is_localhost(by_name) ||
                           name_is_internal(by_name) || up_name == NULL ||
                           name_is_internal(up_name)
                       ? MT_LINK_UNKNOWN
                       : MT_LINK_MISMATCH;
}

void
mt_relay_link_hops(const MtReceived *lower, const MtReceived *upper,
                   MtLink *link)
{
    g_autofree char *by_name = host_name(lower->by_host);
    g_autofree char *rdns = host_name(upper->from_rdns);
    g_autofree char *helo = host_name(upper->from_helo);
    g_autofree char *by_dom = NULL;
    const char *const fields[2] = {"rdns", "helo"};
    const char *values[2];
    MtIp by_ip, from_ip;
    gboolean has_by_ip, has_from_ip, names = FALSE, addresses, local_name;

    memset(link, 0, sizeof(*link));
    has_by_ip = host_ip(lower->by_ip, &by_ip) ||
                host_ip(lower->by_host, &by_ip);
    has_from_ip = host_ip(upper->from_ip, &from_ip);
    link->status = MT_LINK_UNKNOWN;
    /* "localhost" says nothing about which machine sent or relayed. */
    local_name = name_is_localhost(rdns) || name_is_localhost(helo);
    if (name_is_localhost(rdns))
        g_clear_pointer(&rdns, g_free);
    if (name_is_localhost(helo))
        g_clear_pointer(&helo, g_free);
    values[0] = rdns;
    values[1] = helo;
    if (rdns == NULL && helo == NULL && !has_from_ip &&
        upper->from_helo == NULL && upper->from_rdns == NULL)
        return;
    if (by_name == NULL && !has_by_ip)
        return;

    if (has_by_ip && has_from_ip && same_address(&by_ip, &from_ip)) {
        link->status = MT_LINK_MATCH;
        link->field = "ip";
        link->basis = "address";
        return;
    }
    if ((has_from_ip && mt_ip_classify(&from_ip) == MT_IP_CLASS_LOOPBACK) ||
        (!has_from_ip && local_name && rdns == NULL && helo == NULL)) {
        link_loopback(by_name, has_by_ip, &by_ip, upper, link);
        return;
    }
    if (name_is_localhost(by_name) ||
        (has_by_ip && mt_ip_classify(&by_ip) == MT_IP_CLASS_LOOPBACK))
        return;
    if (by_name != NULL) {
        for (guint k = 0; k < 2; k++) {
            if (str_equal0(by_name, values[k])) {
                link->status = MT_LINK_MATCH;
                link->field = fields[k];
                link->basis = "name";
                return;
            }
        }
        by_dom = mt_relay_registrable_domain(by_name);
        for (guint k = 0; by_dom != NULL && k < 2; k++) {
            g_autofree char *dom = mt_relay_registrable_domain(values[k]);

            if (str_equal0(by_dom, dom)) {
                link->status = MT_LINK_WEAK;
                link->field = fields[k];
                link->basis = "registrable-domain";
                link->domain = g_steal_pointer(&by_dom);
                return;
            }
        }
        for (guint k = 0; k < 2; k++) {
            if (values[k] != NULL && (short_name_of(by_name, values[k]) ||
                                      short_name_of(values[k], by_name))) {
                link->status = MT_LINK_WEAK;
                link->field = fields[k];
                link->basis = "short-name";
                return;
            }
        }
        /* One mail provider's family of domains (me.com and mac.com).
         * The same label under another suffix (example.com, example.net)
         * is not taken: that is how look-alike domains are made. */
        for (guint k = 0; by_dom != NULL && k < 2; k++) {
            g_autofree char *dom = mt_relay_registrable_domain(values[k]);
            int fa = provider_family(by_dom), fb = provider_family(dom);

            if (fa >= 0 && fa == fb) {
                link->status = MT_LINK_WEAK;
                link->field = fields[k];
                link->basis = "provider";
                link->domain = g_steal_pointer(&dom);
                return;
            }
        }
        /* Names compare with names of the same kind: an internal name
         * against a public one is no contradiction. */
        for (guint k = 0; k < 2; k++)
            names |= values[k] != NULL &&
                     name_is_internal(by_name) == name_is_internal(values[k]);
    }
    /* Addresses compare with addresses of the same kind too: the relay
     * knows itself by its inside address and the next one sees its NAT. */
    addresses = has_by_ip && has_from_ip &&
                class_is_internal(effective_class(&by_ip)) ==
                    class_is_internal(effective_class(&from_ip));
    link->status = names || addresses ? MT_LINK_MISMATCH : MT_LINK_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* Numbers carried by other headers and by queue ids. */

gboolean
mt_relay_tag_number(const char *value, gsize len, const char *name,
                    gint64 *out)
{
    gsize name_len = strlen(name);
    gsize i = 0;

    /* RFC 6376 3.2: tag-list = tag-spec *( ";" tag-spec ), with FWS
     * around names and values. One pass, no backtracking. */
    while (i < len) {
        gsize tag_start, tag_end, v_start, v_end;

        while (i < len && g_ascii_isspace(value[i]))
            i++;
        tag_start = i;
        while (i < len && value[i] != '=' && value[i] != ';')
            i++;
        tag_end = i;
        while (tag_end > tag_start && g_ascii_isspace(value[tag_end - 1]))
            tag_end--;
        if (i >= len || value[i] == ';') {
            i++;
            continue;
        }
        i++; /* '=' */
        v_start = i;
        while (i < len && value[i] != ';')
            i++;
        v_end = i;
        i++;
        if (tag_end - tag_start != name_len ||
            strncmp(value + tag_start, name, name_len) != 0)
            continue;
        while (v_start < v_end && g_ascii_isspace(value[v_start]))
            v_start++;
        while (v_end > v_start && g_ascii_isspace(value[v_end - 1]))
            v_end--;
        if (v_end == v_start || v_end - v_start > 12)
            return FALSE;
        {
            gint64 n = 0;

            for (gsize k = v_start; k < v_end; k++) {
                if (!g_ascii_isdigit(value[k]))
                    return FALSE;
                n = n * 10 + (value[k] - '0');
            }
            *out = n;
            return TRUE;
        }
    }
    return FALSE;
}

static int
base62_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 36;
    return -1;
}

gboolean
mt_relay_exim_id_time(const char *id, gint64 *out, gboolean *has_alt,
                      gint64 *alt)
{
    gsize len;
    gboolean lower = FALSE;
    gint64 v62 = 0, v36 = 0;

    if (id == NULL)
        return FALSE;
    len = strnlen(id, 32);
    /* Exim ids are 6-6-2 characters (time, pid, fraction), or 6-11-4
     * from Exim 4.97 on; the first part is the time in base 62, or base
     * 36 where the spool is on a case-insensitive file system. */
    if (!((len == 16 && id[6] == '-' && id[13] == '-') ||
          (len == 23 && id[6] == '-' && id[18] == '-')))
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        if (i == 6 || i == len - (len == 16 ? 3 : 5))
            continue;
        if (base62_digit(id[i]) < 0)
            return FALSE;
        if (id[i] >= 'a' && id[i] <= 'z')
            lower = TRUE;
    }
    for (gsize i = 0; i < 6; i++) {
        int d = base62_digit(id[i]);

        v62 = v62 * 62 + d;
        v36 = v36 * 36 + d;
    }
    /* Exim came out in 1995; a time before that, or after 2100, is
     * no Exim id however it is spelt. */
    if (v62 < 788918400 || v62 > G_GINT64_CONSTANT(4102444800)) {
        if (lower || v36 < 788918400 || v36 > G_GINT64_CONSTANT(4102444800))
            return FALSE;
        v62 = v36;
    }
    *out = v62;
    *has_alt = !lower;
    *alt = v36;
    return TRUE;
}

/* Gmail's SMTP ids end in the epoch in milliseconds:
 * "ffacd0b85a97d-42b3f1e7a1dmr10233410f8f.35.1793702857412". */
static gboolean
google_id_time(const char *id, gint64 *out)
{
    gsize len;
    gint64 ms = 0;

    if (id == NULL)
        return FALSE;
    len = strnlen(id, 256);
    if (len < 15 || len >= 256 || id[len - 14] != '.')
        return FALSE;
    for (gsize i = len - 13; i < len; i++) {
        if (!g_ascii_isdigit(id[i]))
            return FALSE;
        ms = ms * 10 + (id[i] - '0');
    }
    /* Thirteen digits are not always a time: only 2001 to 2100 are. */
    if (ms < G_GINT64_CONSTANT(1000000000000) ||
        ms > G_GINT64_CONSTANT(4102444800000))
        return FALSE;
    *out = ms / 1000;
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* The analysis. */

/* Why a hop counts as written by the receiving organisation. */
typedef enum {
    WHY_NOT,
    WHY_TOP,      /* inferred: the final receiver wrote the top header */
    WHY_ORG,      /* its relay is the organisation's and links upward */
    WHY_CIDR,     /* the hop above got it from a trusted address */
    WHY_INTERNAL, /* the hop above got it from an internal address */
    WHY_HANDOFF,  /* the hop above records no client: same system */
    WHY_LMTP,     /* the hop above is a local LMTP delivery */
    WHY_PASSED,   /* --trusted-host: a stamp above the first trusted hop */
} InsideWhy;

typedef struct {
    MtReport *report;
    MtRelay *relay;
    guint n;
    gint64 now;
    gboolean explicit_trust;
    GArray *cidrs;    /* MtCidr: --trusted-host networks */
    GPtrArray *names; /* char*: --trusted-host names, lowercase */
    GPtrArray *org;   /* char*: the organisation's registrable domains */
    GPtrArray *seen;  /* char*: of those, the ones the message named */
    char **by_domain; /* per hop: registrable domain of the by host */
    InsideWhy *why;   /* per hop */
    guint counts[RF_COUNT];
} Relay;

static MtHop *
hop_at(const Relay *rl, guint i)
{
    return rl->relay->hops->pdata[i];
}

static const MtReceived *
rcv(const Relay *rl, guint i)
{
    return hop_at(rl, i)->received;
}

/* A name for the relay that wrote a hop, for messages. */
static const char *
relay_name(const MtReceived *r)
{
    if (r->by_host != NULL)
        return r->by_host;
    if (r->by_ip != NULL)
        return r->by_ip;
    return "an unnamed relay";
}

/* A name for a hop's client, for messages. */
static const char *
client_name(const MtReceived *r)
{
    if (r->from_rdns != NULL && g_ascii_strcasecmp(r->from_rdns, "unknown"))
        return r->from_rdns;
    if (r->from_helo != NULL)
        return r->from_helo;
    if (r->from_ip != NULL)
        return r->from_ip;
    return "an unnamed client";
}

/* Seconds as "298 s" or "305 s (5 min 5 s)", sign kept. */
static char *
duration_text(gint64 s)
{
    guint64 a = s < 0 ? (guint64)0 - (guint64)s : (guint64)s;
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "%" G_GINT64_FORMAT " s", s);
    if (a >= 60) {
        guint64 d = a / 86400, h = a / 3600 % 24, m = a / 60 % 60,
                sec = a % 60;
        g_string_append(out, " (");
        if (s < 0)
            g_string_append_c(out, '-');
        if (d > 0)
            g_string_append_printf(out, "%" G_GUINT64_FORMAT " d ", d);
        if (d > 0 || h > 0)
            g_string_append_printf(out, "%" G_GUINT64_FORMAT " h ", h);
        g_string_append_printf(out,
                               "%" G_GUINT64_FORMAT " min %" G_GUINT64_FORMAT
                               " s)",
                               m, sec);
    }
    return g_string_free(out, FALSE);
}

static void add_finding(Relay *rl, RelayFinding which, int hop, int header,
                        const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* Adds a finding about hop (0-based, or -1) and header (or -1). Past
 * MT_RELAY_MAX_FINDINGS_PER_ID of one id only the count grows; finish()
 * then says how many were left out. */
static void
add_finding(Relay *rl, RelayFinding which, int hop, int header,
            const char *fmt, ...)
{
    MtEvidence evidence = {-1, -1, -1, NULL};
    g_autofree char *message = NULL;
    va_list args;

    if (rl->counts[which]++ >= MT_RELAY_MAX_FINDINGS_PER_ID)
        return;
    if (hop >= 0) {
        evidence.hop = hop + 1;
        header = hop_at(rl, (guint)hop)->header_index;
    }
    evidence.header_index = header;
    if (header >= 0 && (guint)header < rl->report->headers->len) {
        const MtHeader *h = rl->report->headers->pdata[header];
        evidence.offset = (gint64)h->offset;
    }
    va_start(args, fmt);
    message = g_strdup_vprintf(fmt, args);
    va_end(args);
    mt_report_add_finding(rl->report, finding_info[which].id,
                          finding_info[which].severity, &evidence, "%s",
                          message);
}

static void
finish_findings(Relay *rl)
{
    for (guint k = 0; k < RF_COUNT; k++) {
        if (rl->counts[k] <= MT_RELAY_MAX_FINDINGS_PER_ID)
            continue;
        mt_report_add_finding(rl->report, finding_info[k].id,
                              finding_info[k].severity, NULL,
                              "%u more %s findings in this message were not "
                              "listed (limit %d per message)",
                              rl->counts[k] - MT_RELAY_MAX_FINDINGS_PER_ID,
                              finding_info[k].id,
                              MT_RELAY_MAX_FINDINGS_PER_ID);
    }
}

static gboolean
list_has(const GPtrArray *list, const char *s)
{
    for (guint i = 0; list != NULL && i < list->len; i++) {
        if (strcmp(list->pdata[i], s) == 0)
            return TRUE;
    }
    return FALSE;
}

static void
list_add_unique(GPtrArray *list, const char *s)
{
    if (s != NULL && !list_has(list, s))
        g_ptr_array_add(list, g_strdup(s));
}

/* ---- --trusted-host ---- */

/* A name without the dots a user may add around it, lowercased; NULL when
 * it is no plain host or domain name. */
static char *
trusted_name(const char *spec)
{
    gsize len = strnlen(spec, MAX_NAME_LEN + 3);
    gboolean letter = FALSE;

    if (len > 0 && spec[0] == '.') {
        spec++;
        len--;
    }
    if (len > 0 && spec[len - 1] == '.')
        len--;
    if (len == 0 || len > MAX_NAME_LEN)
        return NULL;
    for (gsize i = 0; i < len; i++) {
        char c = spec[i];

        if (c == '.' && (i == 0 || spec[i - 1] == '.' || i + 1 == len))
            return NULL;
        if (!g_ascii_isalnum(c) && c != '-' && c != '_' && c != '.')
            return NULL;
        if (g_ascii_isalpha(c) || c == '-' || c == '_')
            letter = TRUE;
    }
    /* "10.1" is a mistyped network, not a name. */
    if (!letter)
        return NULL;
    return g_ascii_strdown(spec, (gssize)len);
}

gboolean
mt_trusted_host_check(const char *spec, GError **error)
{
    MtCidr cidr;
    g_autofree char *name = NULL;

    g_return_val_if_fail(spec != NULL, FALSE);
    if (mt_cidr_parse(spec, &cidr))
        return TRUE;
    if (strchr(spec, '/') != NULL || strchr(spec, ':') != NULL) {
        g_set_error(error, MT_ERROR, MT_ERROR_PARSE,
                    "'%s' is not an address or network (such as "
                    "192.0.2.0/24 or 2001:db8::/32)",
                    spec);
        return FALSE;
    }
    name = trusted_name(spec);
    if (name == NULL) {
        g_set_error(error, MT_ERROR, MT_ERROR_PARSE,
                    "'%s' is not a host name, domain, address or network",
                    spec);
        return FALSE;
    }
    return TRUE;
}

static void
parse_trusted_hosts(Relay *rl, const GPtrArray *specs)
{
    rl->cidrs = g_array_new(FALSE, FALSE, sizeof(MtCidr));
    rl->names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; specs != NULL && i < specs->len; i++) {
        const char *spec = specs->pdata[i];
        MtCidr cidr;
        char *name;

        if (spec == NULL)
            continue;
        if (mt_cidr_parse(spec, &cidr)) {
            g_array_append_val(rl->cidrs, cidr);
        } else if ((name = trusted_name(spec)) != NULL) {
            g_ptr_array_add(rl->names, name);
        } else {
            continue;
        }
        list_add_unique(rl->relay->trusted_domains, spec);
        rl->explicit_trust = TRUE;
    }
}

static gboolean
name_trusted(const Relay *rl, const char *name)
{
    gsize n = strlen(name);

    for (guint i = 0; i < rl->names->len; i++) {
        const char *t = rl->names->pdata[i];
        gsize tn = strlen(t);

        if (strcmp(name, t) == 0 ||
            (n > tn && name[n - tn - 1] == '.' &&
             strcmp(name + n - tn, t) == 0))
            return TRUE;
    }
    return FALSE;
}

static gboolean
ip_trusted(const Relay *rl, const MtIp *ip)
{
    for (guint i = 0; i < rl->cidrs->len; i++) {
        if (mt_cidr_contains(&g_array_index(rl->cidrs, MtCidr, i), ip))
            return TRUE;
    }
    return FALSE;
}

/* ---- the organisation, inferred ---- */

/* Mailbox providers run their relays under several domains: a message
 * for a Microsoft 365 tenant passes *.outlook.com and *.office365.com
 * hosts, one for Gmail google.com ones. */
static const char *const families[][8] = {
    {"google.com", "gmail.com", "googlemail.com", "1e100.net", NULL},
    {"outlook.com", "office365.com", "hotmail.com", "live.com", "msn.com",
     "microsoft.com", "exchangelabs.com", NULL},
    {"yahoo.com", "yahoodns.net", "ymail.com", "aol.com", NULL},
    {"icloud.com", "me.com", "mac.com", "apple.com", NULL},
};

static int
provider_family(const char *domain)
{
    for (gsize f = 0; domain != NULL && f < G_N_ELEMENTS(families); f++) {
        for (gsize k = 0; families[f][k] != NULL; k++) {
            if (strcmp(families[f][k], domain) == 0)
                return (int)f;
        }
    }
    return -1;
}

static void
add_org_domain(Relay *rl, const char *domain)
{
    int f;

    if (domain == NULL)
        return;
    list_add_unique(rl->seen, domain);
    if (list_has(rl->org, domain))
        return;
    g_ptr_array_add(rl->org, g_strdup(domain));
    f = provider_family(domain);
    for (gsize k = 0; f >= 0 && families[f][k] != NULL; k++)
        list_add_unique(rl->org, families[f][k]);
}

/* The registrable domain of an address's domain part. */
static char *
address_domain(const char *address)
{
    const char *at;
    g_autofree char *domain = NULL;
    gsize len;

    if (address == NULL)
        return NULL;
    at = strrchr(address, '@');
    if (at == NULL)
        return NULL;
    domain = g_strdup(at + 1);
    len = strlen(domain);
    while (len > 0 && (domain[len - 1] == '>' || domain[len - 1] == ' ' ||
                       domain[len - 1] == ';'))
        domain[--len] = '\0';
    return mt_relay_registrable_domain(domain);
}

static void
add_mailbox_domains(Relay *rl, const MtAddressField *f, gboolean *any)
{
    for (guint i = 0; f->mailboxes != NULL && i < f->mailboxes->len; i++) {
        const MtMailbox *m = f->mailboxes->pdata[i];
        g_autofree char *d = address_domain(m->address);

        if (d != NULL) {
            add_org_domain(rl, d);
            *any = TRUE;
        }
    }
}

static void
infer_organisation(Relay *rl)
{
    const MtSummary *s = &rl->report->summary;
    gboolean any = FALSE;

    rl->org = g_ptr_array_new_with_free_func(g_free);
    rl->seen = g_ptr_array_new_with_free_func(g_free);
    if (rl->explicit_trust)
        return;
    add_mailbox_domains(rl, &s->delivered_to, &any);
    add_mailbox_domains(rl, &s->x_original_to, &any);
    /* The top "for": the recipient as the final relay saw it. */
    for (guint i = rl->n; i-- > 0;) {
        if (rcv(rl, i)->for_addr != NULL) {
            g_autofree char *d = address_domain(rcv(rl, i)->for_addr);

            if (d != NULL) {
                add_org_domain(rl, d);
                any = TRUE;
            }
            break;
        }
    }
    rl->relay->trust_source = any ? "recipient-domain" : "top-hop";
    /* The final receiver is the organisation's by definition. */
    if (rl->n > 0)
        add_org_domain(rl, rl->by_domain[rl->n - 1]);
    for (guint i = 0; i < rl->org->len; i++)
        list_add_unique(rl->relay->trusted_domains, rl->org->pdata[i]);
}

/* ---- trust ---- */

static gboolean
by_in_org(const Relay *rl, guint i)
{
    const MtReceived *r = rcv(rl, i);

    if (rl->explicit_trust) {
        g_autofree char *name = host_name(r->by_host);
        MtIp ip;

        if (name != NULL && name_trusted(rl, name))
            return TRUE;
        return (host_ip(r->by_ip, &ip) || host_ip(r->by_host, &ip)) &&
               ip_trusted(rl, &ip);
    }
    return rl->by_domain[i] != NULL && list_has(rl->org, rl->by_domain[i]);
}

static gboolean
records_no_client(const MtReceived *r)
{
    return r->from_helo == NULL && r->from_rdns == NULL &&
           r->from_ip == NULL;
}

static gboolean
with_is(const MtReceived *r, const char *proto)
{
    return r->with != NULL &&
           g_ascii_strncasecmp(r->with, proto, strlen(proto)) == 0;
}

/* A hop that records no client yet says the message came over SMTP or
 * LMTP: a hand-off inside one system that does not name its internal
 * peers (Google's "by 2002:a05:...: with SMTP id"), or qmail's "invoked
 * from network" note above its own SMTP header. A local submission
 * ("from userid 33", "invoked by uid 89") is not one: what is below it
 * came from a local program, which may have written anything. */
static gboolean
is_network_handoff(const MtReceived *r)
{
    if (!records_no_client(r))
        return FALSE;
    if (with_is(r, "SMTP") || with_is(r, "ESMTP") || with_is(r, "LMTP") ||
        with_is(r, "UTF8SMTP") || with_is(r, "UTF8LMTP"))
        return TRUE;
    return r->by_host == NULL && r->by_ip == NULL && r->raw != NULL &&
           g_strstr_len(r->raw, (gssize)strnlen(r->raw, 4096),
                        "invoked from network") != NULL;
}

static gboolean
from_address(const MtReceived *r, MtIp *ip)
{
    return host_ip(r->from_ip, ip);
}

static gboolean
from_internal(const MtReceived *r)
{
    MtIp ip;

    return from_address(r, &ip) && class_is_internal(effective_class(&ip));
}

static gboolean
from_trusted_cidr(const Relay *rl, const MtReceived *r)
{
    MtIp ip;

    return rl->explicit_trust && from_address(r, &ip) && ip_trusted(rl, &ip);
}

/* by(i) names a host in another organisation's domain than by(u)'s. */
static gboolean
foreign_by(const Relay *rl, guint i, guint u)
{
    const char *d = rl->by_domain[i];

    if (d == NULL || by_in_org(rl, i))
        return FALSE;
    return !str_equal0(d, rl->by_domain[u]);
}

/* Two addresses in one network: the same /24 for IPv4, /48 for IPv6. */
static gboolean
same_network(const MtIp *a, const MtIp *b)
{
    MtIp ua, ub;

    mt_ip_unmap(a, &ua);
    mt_ip_unmap(b, &ub);
    if (ua.family != ub.family)
        return FALSE;
    return memcmp(ua.addr, ub.addr, ua.family == MT_IP_FAMILY_V4 ? 3 : 6) ==
           0;
}

/* How many trusted hops above are searched for the network of a client
 * that only its HELO ties to the relay below. */
#define NEAR_HOPS 8

/* Whether link (hop u's from against the by of the hop below) is good
 * enough to carry trust down. A HELO name is the client's own word: a
 * match on it alone counts only when the client's address is not on the
 * Internet, or lies in the network of the organisation's own relays
 * (Exchange Online's front ends HELO with their internal names from
 * 2603:10a6::/32, where the next relay lives too). Otherwise an attacker
 * could say "HELO mx2.victim.example" and have his forged header below
 * believed. */
static gboolean
link_carries_trust(const Relay *rl, const MtLink *link, guint u)
{
    const MtReceived *upper = rcv(rl, u);
    MtIp ip;

    if (link->status != MT_LINK_MATCH && link->status != MT_LINK_WEAK)
        return FALSE;
    if (str_equal0(link->basis, "provider"))
        return FALSE;
    if (!str_equal0(link->field, "helo"))
        return TRUE;
    if (!from_address(upper, &ip) ||
        effective_class(&ip) != MT_IP_CLASS_PUBLIC)
        return TRUE;
    for (guint k = u; k < rl->n && k < u + NEAR_HOPS; k++) {
        const MtReceived *r = rcv(rl, k);
        MtIp near;

        if ((host_ip(r->by_ip, &near) && same_network(&near, &ip)) ||
            (k > u && from_address(r, &near) && same_network(&near, &ip)))
            return TRUE;
    }
    return FALSE;
}

/* A hop that names neither a relay nor a client (an unparsable stamp, a
 * bare comment) says nothing about the path: the walk looks past it. */
static gboolean
hop_is_empty(const MtReceived *r)
{
    return r->by_host == NULL && r->by_ip == NULL && records_no_client(r);
}

/* How many empty hops in a row the walk looks past. */
#define MAX_EMPTY_SKIP 16

static InsideWhy
inside_below(const Relay *rl, guint i)
{
    guint u = i + 1;
    const MtReceived *upper;
    MtLink skipped = {0};
    const MtLink *link;
    InsideWhy why = WHY_NOT;

    while (u + 1 < rl->n && u - i <= MAX_EMPTY_SKIP &&
           hop_is_empty(rcv(rl, u)))
        u++;
    upper = rcv(rl, u);
    if (u == i + 1) {
        link = &hop_at(rl, u)->link;
    } else {
        mt_relay_link_hops(rcv(rl, i), upper, &skipped);
        link = &skipped;
    }
    if (by_in_org(rl, i) && link_carries_trust(rl, link, u))
        why = WHY_ORG;
    else if (from_trusted_cidr(rl, upper))
        why = WHY_CIDR;
    else if (from_internal(upper) && !foreign_by(rl, i, u))
        why = WHY_INTERNAL;
    else if (is_network_handoff(upper))
        why = WHY_HANDOFF;
    /* RFC 2033 section 1: LMTP is for final delivery inside one site,
     * never across the Internet. */
    else if (with_is(upper, "LMTP"))
        why = WHY_LMTP;
    mt_relay_link_clear(&skipped);
    return why;
}

static const char *
why_text(InsideWhy why)
{
    switch (why) {
    case WHY_TOP:
        return "the top header is the final receiver's own";
    case WHY_ORG:
        return "its relay is the organisation's and is the client the hop "
               "above recorded";
    case WHY_CIDR:
        return "the hop above received it from a trusted address";
    case WHY_INTERNAL:
        return "the hop above received it from an internal address";
    case WHY_HANDOFF:
        return "the hop above records no client, a hand-off inside one "
               "system";
    case WHY_LMTP:
        return "the hop above is a local LMTP delivery";
    case WHY_PASSED:
        return "it lies above the first trusted relay and records no "
               "outside client";
    case WHY_NOT:
        break;
    }
    return "";
}

static void
compute_trust(Relay *rl)
{
    MtRelay *relay = rl->relay;
    int lowest = -1;

    if (rl->n == 0)
        return;
    if (!rl->explicit_trust) {
        rl->why[rl->n - 1] = WHY_TOP;
        lowest = (int)rl->n - 1;
    } else {
        relay->trust_source = "trusted-host";
        /* Pass over local stamps at the top (a delivery agent, Google's
         * internal hops) down to the first relay the user named. */
        for (guint i = rl->n; i-- > 0;) {
            const MtReceived *r = rcv(rl, i);

            if (by_in_org(rl, i) ||
                (i + 1 < rl->n && from_trusted_cidr(rl, rcv(rl, i + 1)))) {
                rl->why[i] = by_in_org(rl, i) ? WHY_ORG : WHY_CIDR;
                for (guint k = i + 1; k < rl->n; k++)
                    rl->why[k] = WHY_PASSED;
                lowest = (int)i;
                break;
            }
            if (!(records_no_client(r) || from_internal(r) ||
                  from_trusted_cidr(rl, r)))
                break;
        }
    }
    while (lowest > 0) {
        InsideWhy why = inside_below(rl, (guint)lowest - 1);

        if (why == WHY_NOT)
            break;
        rl->why[--lowest] = why;
    }
    for (guint i = 0; i < rl->n; i++) {
        MtHop *hop = hop_at(rl, i);

        if (lowest < 0 || (int)i < lowest)
            hop->trust = MT_TRUST_CLAIMED;
        else if ((int)i == lowest)
            hop->trust = MT_TRUST_BOUNDARY;
        else
            hop->trust = MT_TRUST_TRUSTED;
    }
    relay->boundary_hop = lowest + 1;
}

static void
describe_boundary(Relay *rl)
{
    MtRelay *relay = rl->relay;
    GString *out = g_string_new(NULL);
    guint b;
    const MtReceived *r;

    if (rl->explicit_trust) {
        g_string_append(out, "The organisation's relays are those given "
                             "with --trusted-host. ");
    } else if (str_equal0(relay->trust_source, "recipient-domain")) {
        g_string_append(out, "The organisation is inferred from the "
                             "recipient's domain and the final receiver (");
        for (guint i = 0; i < rl->seen->len && i < 8; i++)
            g_string_append_printf(out, "%s%.100s", i ? ", " : "",
                                   (const char *)rl->seen->pdata[i]);
        if (rl->seen->len > 8)
            g_string_append(out, ", ...");
        if (rl->org->len > rl->seen->len)
            g_string_append(out, ", with their provider's other domains");
        g_string_append(out, "). ");
    } else {
        g_string_append(out, "No recipient domain is known: only the "
                             "final receiver's own header is taken as "
                             "trusted. ");
    }
    if (relay->boundary_hop == 0) {
        g_string_append(out, "No hop was written by one of those relays: "
                             "every hop is the sender's claim.");
        relay->boundary_reason = g_string_free(out, FALSE);
        return;
    }
    b = (guint)relay->boundary_hop - 1;
    r = rcv(rl, b);
    g_string_append_printf(out,
                           "Hop %u (by %.100s) is the lowest hop it wrote "
                           "(%s)",
                           b + 1, relay_name(r), why_text(rl->why[b]));
    if (records_no_client(r))
        g_string_append(out, "; it records no client");
    else
        g_string_append_printf(out, "; it received the message from %.100s%s"
                                    "%.64s%s",
                               client_name(r), r->from_ip ? " [" : "",
                               r->from_ip ? r->from_ip : "",
                               r->from_ip ? "]" : "");
    if (b > 0)
        g_string_append_printf(out, ". Hop %u (by %.100s) and those below "
                                    "it are the sender's claim",
                               b, relay_name(rcv(rl, b - 1)));
    g_string_append_c(out, '.');
    relay->boundary_reason = g_string_free(out, FALSE);
}

/* ---- links and chain breaks ---- */

static void
compute_links(Relay *rl)
{
    for (guint i = 0; i < rl->n; i++) {
        MtHop *hop = hop_at(rl, i);

        mt_relay_link_clear(&hop->link);
        if (i == 0) {
            hop->link.status = MT_LINK_NONE;
            continue;
        }
        mt_relay_link_hops(rcv(rl, i - 1), hop->received, &hop->link);
        if (hop->link.status == MT_LINK_WEAK)
            hop->flags |= MT_HOP_FLAG_WEAK_LINK;
    }
}

static void
report_chain_breaks(Relay *rl)
{
    for (guint u = 1; u < rl->n; u++) {
        MtHop *upper = hop_at(rl, u);
        MtHop *lower = hop_at(rl, u - 1);
        const MtReceived *ur = upper->received;
        gboolean upper_inside = upper->trust != MT_TRUST_CLAIMED;
        gboolean lower_inside = lower->trust != MT_TRUST_CLAIMED;

        if (upper->link.status != MT_LINK_MISMATCH)
            continue;
        upper->flags |= MT_HOP_FLAG_CHAIN_BREAK;
        if (upper_inside && lower_inside) {
            upper->link.kind = "gap";
        } else if (upper_inside) {
            upper->link.kind = "forged";
        } else {
            /* Both are claims. Time that jumps across the break says the
             * lower part was made up; otherwise a relay left no trace. */
            gboolean odd = upper->has_delay &&
                           (upper->delay_s < -MT_RELAY_SKEW_TOLERANCE_S ||
                            upper->delay_s > MT_RELAY_LARGE_DELAY_S);
            upper->link.kind = odd ? "forged" : "gap";
        }
        if (str_equal0(upper->link.kind, "gap"))
            add_finding(rl, RF_CHAIN_BREAK, (int)u, -1,
                        "Gap in the trail at hop %u: its client %.100s%s%.64s"
                        "%s is not %.100s, the relay that wrote hop %u; a "
                        "relay between them left no Received header",
                        u + 1, client_name(ur), ur->from_ip ? " [" : "",
                        ur->from_ip ? ur->from_ip : "",
                        ur->from_ip ? "]" : "", relay_name(lower->received),
                        u);
        else
            add_finding(rl, RF_CHAIN_BREAK, (int)u, -1,
                        "Forged lower part at hop %u: %s relay %.100s "
                        "received the message from %.100s%s%.64s%s, not from "
                        "%.100s, which hop %u names as its writer; hops 1 to "
                        "%u were not written by the host that handed the "
                        "message over",
                        u + 1,
                        upper_inside ? "the organisation's" : "the claimed",
                        relay_name(ur), client_name(ur),
                        ur->from_ip ? " [" : "",
                        ur->from_ip ? ur->from_ip : "",
                        ur->from_ip ? "]" : "", relay_name(lower->received),
                        u, u);
    }
}

/* ---- addresses, GeoIP, private addresses between organisations ---- */

static void
classify_hops(Relay *rl, MtGeoip *geoip)
{
    for (guint i = 0; i < rl->n; i++) {
        MtHop *hop = hop_at(rl, i);
        MtIp ip;

        if (!from_address(hop->received, &ip))
            continue;
        hop->has_ip_class = TRUE;
        hop->ip_class = effective_class(&ip);
        hop->ip_note = mt_ip_note(&ip);
        if (geoip != NULL && hop->ip_class == MT_IP_CLASS_PUBLIC)
            hop->geo = mt_geoip_lookup_ip(geoip, &ip);
    }
}

static void
report_private_external(Relay *rl)
{
    for (guint u = 1; u < rl->n; u++) {
        MtHop *hop = hop_at(rl, u);
        const char *lower_dom = rl->by_domain[u - 1];
        const char *upper_dom = rl->by_domain[u];

        /* Two organisations hand mail to each other over the Internet:
         * an address that is only valid inside one network, recorded
         * between relays of different domains, was either rewritten by a
         * proxy in front of the relay, or the lower header is made up. */
        if (!hop->has_ip_class || !class_is_unroutable(hop->ip_class) ||
            lower_dom == NULL || upper_dom == NULL ||
            strcmp(lower_dom, upper_dom) == 0)
            continue;
        if (by_in_org(rl, u - 1) && by_in_org(rl, u))
            continue;
        hop->flags |= MT_HOP_FLAG_PRIVATE_IP_EXTERNAL;
        add_finding(rl, RF_PRIVATE_IP_EXTERNAL, (int)u, -1,
                    "Hop %u: %.100s (%.100s) received the message from the "
                    "%s address %.64s, but the relay below it is %.100s, in "
                    "another organisation (%.100s); such an address is not "
                    "routed between organisations",
                    u + 1, relay_name(hop->received), upper_dom,
                    mt_ip_class_to_string(hop->ip_class),
                    hop->received->from_ip,
                    relay_name(rcv(rl, u - 1)), lower_dom);
    }
}

/* ---- the origin ---- */

static void
compute_origin(Relay *rl, MtGeoip *geoip)
{
    MtRelay *relay = rl->relay;
    MtRelayOrigin *o = &relay->origin;
    GString *why = g_string_new(NULL);
    GString *skipped = g_string_new(NULL);
    guint n_skipped = 0;
    guint start, low;
    int found = -1;

    origin_clear(o);
    if (rl->n == 0) {
        g_string_free(skipped, TRUE);
        o->reason = g_string_free(why, FALSE);
        return;
    }
    start = relay->boundary_hop > 0 ? (guint)relay->boundary_hop - 1
                                    : rl->n - 1;
    /* Below the boundary, follow the chain only as far as it links: a
     * hop under a break cannot be tied to the relays above it. */
    low = start;
    while (low > 0 && hop_at(rl, low)->link.status != MT_LINK_MISMATCH)
        low--;
    for (guint i = low; i <= start; i++) {
        MtHop *hop = hop_at(rl, i);

        if (hop->has_ip_class && hop->ip_class == MT_IP_CLASS_PUBLIC) {
            found = (int)i;
            break;
        }
        if (n_skipped++ < MAX_REASON_HOPS) {
            if (hop->has_ip_class)
                g_string_append_printf(skipped, "%shop %u (%.64s is %s)",
                                       skipped->len ? ", " : "", i + 1,
                                       hop->received->from_ip,
                                       mt_ip_class_to_string(hop->ip_class));
            else
                g_string_append_printf(skipped,
                                       "%shop %u (no client address)",
                                       skipped->len ? ", " : "", i + 1);
        }
    }
    if (found >= 0) {
        MtHop *hop = hop_at(rl, (guint)found);
        const MtReceived *r = hop->received;
        g_autofree char *rdns = host_name(r->from_rdns);
        MtIp ip;

        o->hop = found + 1;
        o->header_index = hop->header_index;
        o->ip = g_strdup(r->from_ip);
        o->host = g_strdup(rdns != NULL ? r->from_rdns : r->from_helo);
        o->ip_class = hop->ip_class;
        o->trust = hop->trust;
        o->verified = hop->trust != MT_TRUST_CLAIMED;
        if (geoip != NULL && from_address(r, &ip))
            o->geo = mt_geoip_lookup_ip(geoip, &ip);
        hop->flags |= MT_HOP_FLAG_ORIGIN;
        g_string_append_printf(why,
                               "%.64s is the first public client address, "
                               "recorded at hop %d by %.100s",
                               o->ip, o->hop, relay_name(r));
        if (hop->trust == MT_TRUST_BOUNDARY)
            g_string_append(why, ", the boundary: the receiving "
                                 "organisation's relay saw it connect");
        else if (hop->trust == MT_TRUST_TRUSTED)
            g_string_append(why, ", inside the receiving organisation");
        else if (relay->boundary_hop > 0) {
            const MtReceived *b = rcv(rl, (guint)relay->boundary_hop - 1);

            g_string_append_printf(why,
                                   ", below the boundary: it is the "
                                   "sender's claim and cannot be verified; "
                                   "the organisation's relay (hop %d, "
                                   "%.100s) received the message from "
                                   "%.100s%s%.64s%s",
                                   relay->boundary_hop, relay_name(b),
                                   client_name(b), b->from_ip ? " [" : "",
                                   b->from_ip ? b->from_ip : "",
                                   b->from_ip ? "]" : "");
        } else {
            g_string_append(why, "; no hop is trusted, so it is the "
                                 "sender's claim");
        }
        g_string_append_c(why, '.');
    } else {
        g_string_append_printf(why,
                               "No public client address was recorded in "
                               "hops %u to %u: the message appears to come "
                               "from inside the network",
                               low + 1, start + 1);
        g_string_append_c(why, '.');
    }
    if (skipped->len > 0) {
        g_string_append_printf(why, " Skipped: %s", skipped->str);
        if (n_skipped > MAX_REASON_HOPS)
            g_string_append_printf(why, " and %u more",
                                   n_skipped - MAX_REASON_HOPS);
        g_string_append_c(why, '.');
    }
    if (low > 0) {
        g_string_append_printf(why,
                               " Hops 1 to %u lie below a chain break at hop "
                               "%u and cannot be tied to the relays above.",
                               low, low + 1);
        for (guint i = 0; i < low; i++)
            hop_at(rl, i)->flags |= MT_HOP_FLAG_BELOW_BREAK;
    }
    g_string_free(skipped, TRUE);
    o->reason = g_string_free(why, FALSE);
}

/* ---- times ---- */

static gboolean
dated(const Relay *rl, guint i)
{
    return rcv(rl, i)->date_valid;
}

static gint64
ts(const Relay *rl, guint i)
{
    return rcv(rl, i)->date_parsed.timestamp;
}

static void
report_clock_skew(Relay *rl, const int *prev, const int *next)
{
    const MtSummary *s = &rl->report->summary;

    for (guint i = 0; i < rl->n; i++) {
        gint64 t, tl, tr, tol = MT_RELAY_SKEW_TOLERANCE_S;
        gboolean left_is_date = FALSE;
        g_autofree char *lo = NULL, *hi = NULL;
        MtHop *hop = hop_at(rl, i);
        const char *how;

        if (!dated(rl, i) || next[i] < 0)
            continue;
        t = ts(rl, i);
        tr = ts(rl, (guint)next[i]);
        if (prev[i] >= 0) {
            tl = ts(rl, (guint)prev[i]);
        } else if (s->date_valid) {
            /* The first hop's other neighbour is the sender's Date. */
            tl = s->date_parsed.timestamp;
            left_is_date = TRUE;
            /* A mail client's clock is the least reliable of all. */
            tol = 2 * MT_RELAY_SKEW_TOLERANCE_S;
        } else {
            continue;
        }
        /* One host is off when its stamp is out of line with both
         * neighbours while they agree with each other. */
        if (tr - tl < -tol)
            continue;
        /* The true time lies between the neighbours, so the offset lies
         * between the distances to them. */
        if (t - tl > tol && tr - t < -tol) {
            hop->flags |= MT_HOP_FLAG_CLOCK_FAST;
            how = "ahead";
            lo = duration_text(MIN(t - tr, t - tl));
            hi = duration_text(MAX(t - tr, t - tl));
        } else if (tl - t > tol && t - tr < -tol) {
            hop->flags |= MT_HOP_FLAG_CLOCK_SLOW;
            how = "behind";
            lo = duration_text(MIN(tl - t, tr - t));
            hi = duration_text(MAX(tl - t, tr - t));
        } else {
            continue;
        }
        add_finding(rl, RF_CLOCK_SKEW_HOST, (int)i, -1,
                    "The clock of %.100s (hop %u) is %s by between %s and "
                    "%s: its stamp is out of line with both %s and hop %d, "
                    "which agree with each other",
                    relay_name(hop->received), i + 1, how, lo, hi,
                    left_is_date ? "the Date header" : "the hop below",
                    next[i] + 1);
    }
}

static void
compute_times(Relay *rl)
{
    MtRelay *relay = rl->relay;
    const MtSummary *s = &rl->report->summary;
    g_autofree int *prev = g_new(int, rl->n + 1);
    g_autofree int *next = g_new(int, rl->n + 1);
    int last = -1, first = -1, seen = -1;

    /* The nearest dated hop below and above each hop. */
    for (guint i = 0; i < rl->n; i++) {
        prev[i] = last;
        if (dated(rl, i)) {
            last = (int)i;
            if (first < 0)
                first = (int)i;
        }
    }
    for (guint i = rl->n; i-- > 0;) {
        next[i] = seen;
        if (dated(rl, i))
            seen = (int)i;
    }

    for (guint i = 0; i < rl->n; i++) {
        MtHop *hop = hop_at(rl, i);
        const MtReceived *r = hop->received;

        if (!r->date_valid) {
            hop->flags |= MT_HOP_FLAG_NO_DATE;
            /* An unparsable stamp has its own finding. */
            if (hop_is_empty(r) && r->unparsed != NULL)
                continue;
            add_finding(rl, RF_DATE_MISSING, (int)i, -1,
                        "Hop %u (by %.100s) has %s", i + 1, relay_name(r),
                        r->date ? "a date that cannot be read"
                                : "no date");
            continue;
        }
        if (r->date_parsed.flags & MT_DATE_BAD_ZONE) {
            hop->flags |= MT_HOP_FLAG_BAD_OFFSET;
            add_finding(rl, RF_BAD_OFFSET, (int)i, -1,
                        "Hop %u (by %.100s) writes an impossible time "
                        "zone offset in \"%.100s\"; the time was read as "
                        "UTC",
                        i + 1, relay_name(r), r->date);
        }
        if (ts(rl, i) > rl->now + MT_RELAY_FUTURE_TOLERANCE_S) {
            g_autofree char *d = duration_text(ts(rl, i) - rl->now);
            char when[21];

            hop->flags |= MT_HOP_FLAG_DATE_FUTURE;
            add_finding(rl, RF_DATE_FUTURE, (int)i, -1,
                        "Hop %u (by %.100s) is dated %s, %s after the time "
                        "of this analysis",
                        i + 1, relay_name(r),
                        mt_date_format_utc(ts(rl, i), when), d);
        }
        if (i == 0 || !dated(rl, i - 1))
            continue;
        hop->has_delay = TRUE;
        hop->delay_s = ts(rl, i) - ts(rl, i - 1);
        if (hop->delay_s < 0) {
            g_autofree char *d = duration_text(hop->delay_s);

            hop->flags |= MT_HOP_FLAG_NEGATIVE_DELAY;
            add_finding(rl, RF_NEGATIVE_DELAY, (int)i, -1,
                        "Time runs backwards at hop %u: %.100s stamped the "
                        "message before %.100s did (hop %u); delay %s",
                        i + 1, relay_name(r), relay_name(rcv(rl, i - 1)), i,
                        d);
        } else if (hop->delay_s > MT_RELAY_LARGE_DELAY_S) {
            g_autofree char *d = duration_text(hop->delay_s);

            hop->flags |= MT_HOP_FLAG_LARGE_DELAY;
            add_finding(rl, RF_LARGE_DELAY, (int)i, -1,
                        "Hop %u (by %.100s) is %s after hop %u: a long stay "
                        "in a queue, or a header written long after the "
                        "fact",
                        i + 1, relay_name(r), d, i);
        }
    }
    report_clock_skew(rl, prev, next);

    if (first >= 0 && last > first) {
        relay->has_total_transit = TRUE;
        relay->total_transit_s = ts(rl, (guint)last) - ts(rl, (guint)first);
    }
    if (first >= 0 && s->date_valid) {
        gint64 d = ts(rl, (guint)first) - s->date_parsed.timestamp;

        relay->has_date_vs_first_hop = TRUE;
        relay->date_vs_first_hop_s = d;
        relay->has_date_vs_last_hop = TRUE;
        relay->date_vs_last_hop_s =
            ts(rl, (guint)last) - s->date_parsed.timestamp;
        /* More than 7 days early is identity.c's date-far-before-relay;
         * one finding for one fact. */
        if (d < -MT_RELAY_DATE_LATE_S ||
            (d > MT_RELAY_DATE_EARLY_S && d <= 7 * 86400)) {
            g_autofree char *dt = duration_text(d < 0 ? -d : d);

            add_finding(rl, RF_DATE_SKEW, first, -1,
                        "The Date header is %s %s the first relay's stamp "
                        "(hop %d, %.100s): %s",
                        dt, d < 0 ? "later than" : "earlier than", first + 1,
                        relay_name(rcv(rl, (guint)first)),
                        d < 0 ? "the message claims to be written after it "
                                "was relayed (a client clock ahead, or a "
                                "forged Date)"
                              : "the message waited long before it was "
                                "sent, or the Date is back-dated");
        }
    }
}

/* ---- other timestamps ---- */

static MtRelayTimestamp *
add_timestamp(Relay *rl, const char *source, int header_index, int hop,
              gint64 t)
{
    MtRelayTimestamp *stamp;

    if (rl->relay->timestamps->len >= MAX_TIMESTAMPS)
        return NULL;
    stamp = g_new0(MtRelayTimestamp, 1);
    stamp->source = source;
    stamp->header_index = header_index;
    stamp->hop = hop;
    stamp->timestamp = t;
    stamp->status = "consistent";
    g_ptr_array_add(rl->relay->timestamps, stamp);
    return stamp;
}

/* The hop whose header is the nearest above header h (the first relay
 * to see the message after the header was added), or -1; hops are in
 * decreasing header order, so a binary search finds it. */
static int
hop_above_header(const Relay *rl, int h)
{
    guint lo = 0, hi = rl->n;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (hop_at(rl, mid)->header_index < h)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < rl->n ? (int)lo : -1;
}

static void
check_signature(Relay *rl, const MtHeader *h, int header_index, gboolean dkim)
{
    const char *source = dkim ? "dkim-t" : "arc-seal-t";
    const char *field = dkim ? "DKIM-Signature" : "ARC-Seal";
    int above = hop_above_header(rl, header_index);
    int below = above >= 0 ? above - 1 : (int)rl->n - 1;
    gint64 t, x;
    gboolean has_t, has_x;
    MtRelayTimestamp *stamp;

    has_t = mt_relay_tag_number(h->value, h->value_len, "t", &t);
    has_x = dkim && mt_relay_tag_number(h->value, h->value_len, "x", &x);
    if (has_t) {
        stamp = add_timestamp(rl, source, header_index, above + 1, t);
        if (stamp == NULL)
            return;
        if (above >= 0 && dated(rl, (guint)above)) {
            stamp->has_delta = TRUE;
            stamp->delta_s = t - ts(rl, (guint)above);
        }
        if (above >= 0 && dated(rl, (guint)above) &&
            t > ts(rl, (guint)above) + MT_RELAY_SIGNATURE_TOLERANCE_S) {
            g_autofree char *d = duration_text(t - ts(rl, (guint)above));

            stamp->status = "contradiction";
            add_finding(rl, RF_TIMESTAMP_CONTRADICTION, -1, header_index,
                        "%s t= is %s after hop %d (%.100s) received the "
                        "message, yet the header sits below that hop",
                        field, d, above + 1, relay_name(rcv(rl, (guint)above)));
        } else if (below >= 0 && dated(rl, (guint)below) &&
                   t < ts(rl, (guint)below) -
                           MT_RELAY_SIGNATURE_TOLERANCE_S) {
            g_autofree char *d = duration_text(ts(rl, (guint)below) - t);

            stamp->status = "contradiction";
            add_finding(rl, RF_TIMESTAMP_CONTRADICTION, -1, header_index,
                        "%s t= is %s before hop %d (%.100s) received the "
                        "message, yet the header sits above that hop",
                        field, d, below + 1, relay_name(rcv(rl, (guint)below)));
        } else if (dkim && above >= 0 && dated(rl, (guint)above) &&
                   t < ts(rl, (guint)above) - MT_RELAY_DKIM_OLD_S) {
            g_autofree char *d = duration_text(ts(rl, (guint)above) - t);

            stamp->status = "old";
            add_finding(rl, RF_DKIM_OLD, -1, header_index,
                        "DKIM-Signature t= is %s before hop %d received the "
                        "message: an old signed message sent again (a DKIM "
                        "replay) carries such a signature",
                        d, above + 1);
        }
    }
    if (has_x) {
        /* A verifier is the first relay of the receiving organisation
         * above the signature, or failing that the next relay. */
        int check = above;

        for (int i = above; i >= 0 && (guint)i < rl->n; i++) {
            if (hop_at(rl, (guint)i)->trust != MT_TRUST_CLAIMED) {
                check = i;
                break;
            }
        }
        stamp = add_timestamp(rl, "dkim-x", header_index, check + 1, x);
        if (stamp == NULL)
            return;
        if (check >= 0 && dated(rl, (guint)check)) {
            stamp->has_delta = TRUE;
            stamp->delta_s = x - ts(rl, (guint)check);
        }
        if (has_t && x < t) {
            stamp->status = "contradiction";
            add_finding(rl, RF_TIMESTAMP_CONTRADICTION, -1, header_index,
                        "DKIM-Signature x= (expiry) is before its own t= "
                        "(signing time)");
        } else if (check >= 0 && dated(rl, (guint)check) &&
                   x < ts(rl, (guint)check)) {
            g_autofree char *d = duration_text(ts(rl, (guint)check) - x);

            stamp->status = "expired";
            add_finding(rl, RF_TIMESTAMP_CONTRADICTION, -1, header_index,
                        "DKIM-Signature x= had passed %s before hop %d "
                        "(%.100s) received the message: the signature was "
                        "expired in transit",
                        d, check + 1, relay_name(rcv(rl, (guint)check)));
        }
    }
}

static void
check_queue_ids(Relay *rl)
{
    for (guint i = 0; i < rl->n; i++) {
        MtHop *hop = hop_at(rl, i);
        const MtReceived *r = hop->received;
        gint64 t = 0, alt = 0, delta;
        gboolean has_alt = FALSE, ok;
        const char *source;
        MtRelayTimestamp *stamp;

        if (r->id == NULL || !r->date_valid)
            continue;
        if (mt_relay_exim_id_time(r->id, &t, &has_alt, &alt) &&
            (r->by_software == NULL ||
             g_ascii_strncasecmp(r->by_software, "exim", 4) == 0)) {
            source = "exim-id";
        } else if (google_id_time(r->id, &t)) {
            source = "google-id";
        } else {
            continue;
        }
        delta = t - ts(rl, i);
        ok = ABS(delta) <= MT_RELAY_ID_TOLERANCE_S ||
             (has_alt && ABS(alt - ts(rl, i)) <= MT_RELAY_ID_TOLERANCE_S);
        if (ok && has_alt && ABS(delta) > MT_RELAY_ID_TOLERANCE_S) {
            t = alt;
            delta = alt - ts(rl, i);
        }
        stamp = add_timestamp(rl, source, hop->header_index, (int)i + 1, t);
        if (stamp == NULL)
            return;
        stamp->has_delta = TRUE;
        stamp->delta_s = delta;
        if (ok)
            continue;
        stamp->status = "contradiction";
        hop->flags |= MT_HOP_FLAG_ID_TIME_MISMATCH;
        {
            g_autofree char *d = duration_text(delta);
            char when[21];

            add_finding(rl, RF_TIMESTAMP_CONTRADICTION, (int)i, -1,
                        "Hop %u: the queue id %.64s encodes the time %s, %s "
                        "off the header's own date; the relay's software "
                        "would have written both from one clock",
                        i + 1, r->id, mt_date_format_utc(t, when), d);
        }
    }
}

static void
check_timestamps(Relay *rl)
{
    const GPtrArray *headers = rl->report->headers;
    guint dkim = 0, arc = 0;

    for (guint k = 0; k < headers->len; k++) {
        const MtHeader *h = headers->pdata[k];

        if (mt_name_equal(h->name, "DKIM-Signature") &&
            dkim++ < MAX_SIGNATURE_HEADERS)
            check_signature(rl, h, (int)k, TRUE);
        else if (mt_name_equal(h->name, "ARC-Seal") &&
                 arc++ < MAX_SIGNATURE_HEADERS)
            check_signature(rl, h, (int)k, FALSE);
    }
    check_queue_ids(rl);
}

/* ---- claimed origins ---- */

static gboolean
is_claim_header(const char *name)
{
    /* Headers in which webmail front ends, proxies and mailers record
     * the client they served. The sender's own systems write them, so
     * they are claims, whatever they say. */
    static const char *const names[] = {
        "X-Originating-IP", "X-Sender-IP",   "X-Forwarded-For",
        "X-Client-IP",      "X-Real-IP",     "X-Source-IP",
        "X-AOL-IP",         "X-Yahoo-Post-IP", "X-MDRemoteIP",
        "X-Remote-IP",      "X-Remote-Addr",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (mt_name_equal(name, names[i]))
            return TRUE;
    }
    return FALSE;
}

static void
add_claim(Relay *rl, const MtHeader *h, int header_index, const MtIp *ip,
          MtGeoip *geoip)
{
    MtClaimedOrigin *c = g_new0(MtClaimedOrigin, 1);
    const MtRelayOrigin *o = &rl->relay->origin;
    const char *where;

    c->header = g_strdup(h->name);
    c->header_index = header_index;
    c->ip = mt_ip_to_string(ip);
    c->ip_class = effective_class(ip);
    for (guint i = rl->n; i-- > 0;) {
        MtIp hop_ip;

        if (from_address(rcv(rl, i), &hop_ip) && same_address(&hop_ip, ip)) {
            c->hop = (int)i + 1;
            break;
        }
    }
    if (geoip != NULL && c->ip_class == MT_IP_CLASS_PUBLIC)
        c->geo = mt_geoip_lookup_ip(geoip, ip);
    g_ptr_array_add(rl->relay->claimed_origins, c);

    if (c->hop > 0)
        where = "a relay recorded the same client";
    else if (o->ip != NULL)
        where = "no relay recorded that address";
    else
        where = "no relay recorded that address, nor any public one";
    if (c->hop > 0)
        add_finding(rl, RF_ORIGINATING_IP, -1, header_index,
                    "%.64s claims the sender was at %s (%s); %s (hop %d)",
                    h->name, c->ip, mt_ip_class_to_string(c->ip_class),
                    where, c->hop);
    else if (o->ip != NULL)
        add_finding(rl, RF_ORIGINATING_IP, -1, header_index,
                    "%.64s claims the sender was at %s (%s); %s, the relay "
                    "path gives %s (hop %d) as the origin",
                    h->name, c->ip, mt_ip_class_to_string(c->ip_class),
                    where, o->ip, o->hop);
    else
        add_finding(rl, RF_ORIGINATING_IP, -1, header_index,
                    "%.64s claims the sender was at %s (%s); %s", h->name,
                    c->ip, mt_ip_class_to_string(c->ip_class), where);
}

static void
collect_claimed_origins(Relay *rl, MtGeoip *geoip)
{
    const GPtrArray *headers = rl->report->headers;

    for (guint k = 0; k < headers->len; k++) {
        const MtHeader *h = headers->pdata[k];
        GArray *seen;
        gsize i = 0;

        if (!is_claim_header(h->name))
            continue;
        seen = g_array_new(FALSE, FALSE, sizeof(MtIp));
        /* Tokens of address characters; "IPv6:" tags survive as part of
         * a token, which mt_ip_parse() accepts. */
        while (i < h->value_len && seen->len < MAX_CLAIMED_PER_HEADER &&
               rl->relay->claimed_origins->len < MAX_CLAIMED) {
            gsize start;
            MtIp ip;
            gboolean dup = FALSE;

            while (i < h->value_len && !g_ascii_isalnum(h->value[i]) &&
                   h->value[i] != ':')
                i++;
            start = i;
            while (i < h->value_len && (g_ascii_isalnum(h->value[i]) ||
                                        h->value[i] == ':' ||
                                        h->value[i] == '.'))
                i++;
            if (i - start > 64 || !mt_ip_parse(h->value + start, i - start,
                                               &ip))
                continue;
            for (guint s = 0; s < seen->len; s++)
                dup |= same_address(&g_array_index(seen, MtIp, s), &ip);
            if (dup)
                continue;
            g_array_append_val(seen, ip);
            add_claim(rl, h, (int)k, &ip, geoip);
        }
        g_array_free(seen, TRUE);
    }
}

/* ---- per-header checks ---- */

static void
check_headers(Relay *rl)
{
    for (guint i = 0; i < rl->n; i++) {
        MtHop *hop = hop_at(rl, i);
        const MtReceived *r = hop->received;

        if (r->x_received)
            hop->flags |= MT_HOP_FLAG_X_RECEIVED;
        if (records_no_client(r))
            hop->flags |= MT_HOP_FLAG_LOCAL;
        if (r->unparsed == NULL)
            continue;
        hop->flags |= MT_HOP_FLAG_UNPARSED;
        if (r->by_host == NULL && r->by_ip == NULL && records_no_client(r) &&
            !r->date_valid)
            add_finding(rl, RF_UNPARSABLE, (int)i, -1,
                        "Hop %u: the %s header names no relay, no client and "
                        "no date: \"%.120s\"",
                        i + 1, r->x_received ? "X-Received" : "Received",
                        r->raw ? r->raw : "");
        else
            add_finding(rl, RF_UNPARSED_TEXT, (int)i, -1,
                        "Hop %u: part of the header could not be placed: "
                        "\"%.120s\"",
                        i + 1, r->unparsed);
    }
}

static void
copy_databases(Relay *rl, MtGeoip *geoip)
{
    const GPtrArray *dbs;

    if (geoip == NULL)
        return;
    dbs = mt_geoip_get_databases(geoip);
    for (guint i = 0; dbs != NULL && i < dbs->len; i++) {
        const MtGeoDatabase *src = dbs->pdata[i];
        MtGeoDatabase *db = g_new0(MtGeoDatabase, 1);

        db->path = g_strdup(src->path);
        db->type = g_strdup(src->type);
        db->kind = src->kind;
        db->build_epoch = src->build_epoch;
        db->build_date = g_strdup(src->build_date);
        db->ip_version = src->ip_version;
        g_ptr_array_add(rl->relay->geoip_databases, db);
    }
    rl->relay->geoip_available = rl->relay->geoip_databases->len > 0;
}

void
mt_relay_analyze(MtReport *report, const MtOptions *options)
{
    /* The machine's clock, not SOURCE_DATE_EPOCH: that one pins the
     * report's own time stamp for reproducible output and may lie
     * anywhere, even before the message was sent. */
    mt_relay_analyze_at(report, options,
                        g_get_real_time() / G_USEC_PER_SEC);
}

/* Drops the hops past max_received (the Received headers analyzed), with
 * a "limit-reached" finding. The topmost are kept: the receiving
 * organisation wrote those, while the sender can add any number of forged
 * ones at the bottom to make every pass below pay for them. */
static void
limit_hops(MtReport *report, guint max_received)
{
    GPtrArray *hops = report->relay.hops;
    guint drop;
    MtEvidence ev;

    /* 0, from options that were zeroed rather than initialised, would
     * drop the whole path: take it as no limit. */
    if (max_received == 0 || hops->len <= max_received)
        return;
    drop = hops->len - max_received;
    ev = mt_evidence_for_header(
        report, ((const MtHop *)hops->pdata[drop - 1])->header_index);
    g_ptr_array_remove_range(hops, 0, drop);
    mt_report_add_finding(report, "limit-reached", MT_SEVERITY_LOW, &ev,
                          "limit max-received: %u Received headers below "
                          "the topmost %u were not analyzed (the path "
                          "starts at the lowest one kept)",
                          drop, max_received);
}

void
mt_relay_analyze_at(MtReport *report, const MtOptions *options, gint64 now)
{
    Relay rl = {0};
    MtGeoip *geoip;

    g_return_if_fail(report != NULL && options != NULL);
    geoip = options->geoip;
    limit_hops(report, options->limits.max_received);
    rl.report = report;
    rl.relay = &report->relay;
    rl.n = report->relay.hops->len;
    rl.now = now;
    rl.by_domain = g_new0(char *, rl.n + 1);
    rl.why = g_new0(InsideWhy, rl.n + 1);
    for (guint i = 0; i < rl.n; i++)
        rl.by_domain[i] = mt_relay_registrable_domain(rcv(&rl, i)->by_host);

    copy_databases(&rl, geoip);
    parse_trusted_hosts(&rl, options->trusted_hosts);
    infer_organisation(&rl);

    if (rl.n == 0 && report->headers->len > 0)
        add_finding(&rl, RF_MISSING, -1, -1,
                    "The message has no Received header: it was never "
                    "relayed, or the headers were stripped or made up");
    check_headers(&rl);
    classify_hops(&rl, geoip);
    compute_links(&rl);
    compute_trust(&rl);
    if (rl.n > 0)
        describe_boundary(&rl);
    compute_times(&rl);
    report_chain_breaks(&rl);
    report_private_external(&rl);
    compute_origin(&rl, geoip);
    collect_claimed_origins(&rl, geoip);
    check_timestamps(&rl);
    finish_findings(&rl);

    for (guint i = 0; i < rl.n; i++)
        g_free(rl.by_domain[i]);
    g_free(rl.by_domain);
    g_free(rl.why);
    g_array_free(rl.cidrs, TRUE);
    g_ptr_array_unref(rl.names);
    g_ptr_array_unref(rl.org);
    g_ptr_array_unref(rl.seen);
}

MtGeoip *
mt_relay_open_geoip(const GPtrArray *paths, gboolean use_default_dirs,
                    GPtrArray *warnings, GError **error)
{
    g_autoptr(MtGeoip) g = mt_geoip_new();

    if (paths != NULL && paths->len > 0) {
        for (guint i = 0; i < paths->len; i++) {
            if (!mt_geoip_add_database(g, paths->pdata[i], error))
                return NULL;
        }
    } else if (use_default_dirs) {
        mt_geoip_add_default_dirs(g, warnings);
    }
    return g_steal_pointer(&g);
}
