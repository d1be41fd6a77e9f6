/* SPDX-License-Identifier: MIT */
/*
 * dkim-online.c: DKIM signature verification with the key from live DNS,
 * only when the analyst asks for it (--online).
 *
 * A lookup of selector._domainkey.domain reaches the signer's name
 * servers, and so tells the signer that this message is being looked at:
 * that is why it is off by default. The TXT record is fetched with
 * glibc's libresolv (res_nquery, two tries of 5 s), its character-strings
 * joined (RFC 6376 3.6.2.2), bounded in records and size because the
 * answer comes from whoever runs that zone, and cached for the run so a
 * mailbox of messages by one signer costs one query. The key then goes
 * through the same verification as a key from --dkim-keys, and the result
 * is kept in its own slot (online_status). MAILTRAIL_DNS_SERVER
 * (127.0.0.1:PORT) points the resolver at one server: for the tests, and
 * for an air-gapped resolver.
 */
#include <string.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include "identity-private.h"
#include "mailtrail-private.h"

/* What we accept from a zone we do not control. */
#define MAX_ANSWER 65535
#define MAX_ANSWER_RECORDS 32
#define MAX_TXT_TOTAL 16384
/* Distinct names looked up per message and kept per run: a hostile
 * message can name as many selectors as it carries signatures. */
#define MAX_LOOKUPS_PER_MESSAGE 8
#define MAX_CACHED 4096
#define TIMEOUT_SECONDS 5
#define TRIES 2

typedef struct {
    const char *status; /* static: NULL when found, "no-key", "temperror" */
    char *text;         /* the record when found, otherwise why not */
} Lookup;

static void
lookup_free(gpointer p)
{
    Lookup *l = p;

    g_free(l->text);
    g_free(l);
}

G_LOCK_DEFINE_STATIC(cache);
static GHashTable *cache; /* lowercase name -> Lookup* */

static Lookup *
lookup_new(const char *status, char *text)
{
    Lookup *l = g_new0(Lookup, 1);

    l->status = status;
    l->text = text;
    return l;
}

/* Points res at MAILTRAIL_DNS_SERVER when it is set; FALSE when it is set
 * but not an IPv4 address and port. */
static gboolean
apply_server_override(res_state res)
{
    const char *spec = g_getenv("MAILTRAIL_DNS_SERVER");
    g_autofree char *host = NULL;
    const char *colon;
    guint64 port = 53;
    struct in_addr addr;

    if (spec == NULL || spec[0] == '\0')
        return TRUE;
    colon = strrchr(spec, ':');
    if (colon != NULL) {
        host = g_strndup(spec, (gsize)(colon - spec));
        if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port,
                                        NULL))
            return FALSE;
    } else {
        host = g_strdup(spec);
    }
    if (inet_pton(AF_INET, host, &addr) != 1)
        return FALSE;
    memset(&res->nsaddr_list[0], 0, sizeof(res->nsaddr_list[0]));
    res->nsaddr_list[0].sin_family = AF_INET;
    res->nsaddr_list[0].sin_port = htons((guint16)port);
    res->nsaddr_list[0].sin_addr = addr;
    res->nscount = 1;
    return TRUE;
}

/* The first TXT record of an answer, its character-strings joined. */
static Lookup *
parse_answer(const guchar *answer, int n, const char *name)
{
    ns_msg msg;
    int count;

    if (ns_initparse(answer, n, &msg) < 0)
        return lookup_new("temperror",
                          g_strdup_printf("the DNS answer for %s is "
                                          "malformed", name));
    count = ns_msg_count(msg, ns_s_an);
    for (int i = 0; i < count && i < MAX_ANSWER_RECORDS; i++) {
        ns_rr rr;
        const guchar *rd;
        int rdlen, pos = 0;
        GString *txt;

        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
            break;
        if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
            continue;
        rd = ns_rr_rdata(rr);
        rdlen = ns_rr_rdlen(rr);
        txt = g_string_new(NULL);
        /* Each character-string is a length byte and that many bytes
         * (RFC 1035 3.3.14); a length past the record is not trusted. */
        while (pos < rdlen) {
            int sl = rd[pos];
            if (sl > rdlen - pos - 1 || txt->len + (gsize)sl > MAX_TXT_TOTAL) {
                g_string_free(txt, TRUE);
                return lookup_new("temperror",
                                  g_strdup_printf("the TXT record of %s is "
                                                  "malformed or larger than "
                                                  "%d bytes", name,
                                                  MAX_TXT_TOTAL));
            }
            g_string_append_len(txt, (const char *)rd + pos + 1, sl);
            pos += sl + 1;
        }
        if (memchr(txt->str, '\0', txt->len) != NULL) {
            g_string_free(txt, TRUE);
            return lookup_new("temperror",
                              g_strdup_printf("the TXT record of %s holds a "
                                              "NUL byte", name));
        }
        return lookup_new(NULL, g_string_free(txt, FALSE));
    }
    return lookup_new("no-key",
                      g_strdup_printf("no TXT record for %s in DNS", name));
}

/* One live lookup of name, uncached. */
static Lookup *
query(const char *name)
{
    struct __res_state res;
    g_autofree guchar *answer = g_malloc(MAX_ANSWER);
    Lookup *result;
    int n;

    memset(&res, 0, sizeof(res));
    if (res_ninit(&res) != 0)
        return lookup_new("temperror",
                          g_strdup("the resolver could not be set up"));
    if (!apply_server_override(&res)) {
        res_nclose(&res);
        return lookup_new("temperror",
                          g_strdup("MAILTRAIL_DNS_SERVER is not an IPv4 "
                                   "address and port"));
    }
    /* EDNS0 lets a long key come over UDP without a TCP retry. */
    res.options |= RES_USE_EDNS0;
    res.retrans = TIMEOUT_SECONDS;
    res.retry = TRIES;
    n = res_nquery(&res, name, ns_c_in, ns_t_txt, answer, MAX_ANSWER);
    if (n < 0) {
        int herr = res.res_h_errno;
        if (herr == HOST_NOT_FOUND || herr == NO_DATA)
            result = lookup_new("no-key",
                                g_strdup_printf("no TXT record for %s in "
                                                "DNS", name));
        else
            result = lookup_new("temperror",
                                g_strdup_printf("the DNS lookup of %s "
                                                "failed: %s", name,
                                                herr == TRY_AGAIN
                                                    ? "timeout or server "
                                                      "failure"
                                                    : "refused or "
                                                      "unreachable"));
    } else {
        result = parse_answer(answer, MIN(n, MAX_ANSWER), name);
    }
    res_nclose(&res);
    return result;
}

/* The cached result for name, looked up when new; a copy, so the cache
 * can be changed by another thread meanwhile. *fresh says whether it took a
 * query. */
static Lookup *
lookup(const char *name, gboolean *fresh)
{
    Lookup *l, *copy;

    *fresh = FALSE;
    G_LOCK(cache);
    if (cache == NULL)
        cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      lookup_free);
    l = g_hash_table_lookup(cache, name);
    copy = l ? lookup_new(l->status, g_strdup(l->text)) : NULL;
    G_UNLOCK(cache);
    if (copy)
        return copy;
    *fresh = TRUE;
    l = query(name);
    G_LOCK(cache);
    if (g_hash_table_size(cache) < MAX_CACHED)
        g_hash_table_replace(cache, g_strdup(name),
                             lookup_new(l->status, g_strdup(l->text)));
    G_UNLOCK(cache);
    return l;
}

void
mt_auth_verify_dkim_online(MtReport *report, const guchar *data, gsize len)
{
    GPtrArray *dkim = report->authentication.dkim;
    guint queries = 0;

    if (dkim == NULL || data == NULL)
        return;
    for (guint i = 0; i < dkim->len && i < MT_DKIM_MAX_CHECKED; i++) {
        MtSignature *sig = dkim->pdata[i];
        g_autofree char *name = NULL;
        g_autoptr(MtDkimKeys) keys = NULL;
        Lookup *l;
        gboolean fresh;

        g_clear_pointer(&sig->online_problem, g_free);
        if (sig->domain == NULL || sig->selector == NULL
            || sig->domain[0] == '\0' || sig->selector[0] == '\0') {
            sig->online_status = "fail";
            sig->online_problem = g_strdup("the signature is malformed");
            continue;
        }
        name = g_ascii_strdown(sig->selector, -1);
        {
            g_autofree char *domain = g_ascii_strdown(sig->domain, -1);
            g_autofree char *full = g_strdup_printf("%s._domainkey.%s",
                                                    name, domain);
            g_free(name);
            name = g_steal_pointer(&full);
        }
        /* A name no resolver accepts (RFC 1035 2.3.4: 255 octets) is not
         * sent; neither is one with bytes that are not a host name. */
        if (strlen(name) > 253
            || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-._")
                   != strlen(name)) {
            sig->online_status = "no-key";
            sig->online_problem = g_strdup("the selector or domain is not "
                                           "a name that can be looked up");
            continue;
        }
        if (queries >= MAX_LOOKUPS_PER_MESSAGE) {
            sig->online_status = "temperror";
            sig->online_problem = g_strdup_printf(
                "not looked up: more than %d key names in one message",
                MAX_LOOKUPS_PER_MESSAGE);
            continue;
        }
        l = lookup(name, &fresh);
        if (fresh)
            queries++;
        if (l->status != NULL) {
            sig->online_status = l->status;
            sig->online_problem = g_steal_pointer(&l->text);
            lookup_free(l);
            continue;
        }
        keys = mt_dkim_keys_new();
        mt_dkim_keys_insert(keys, name, l->text);
        lookup_free(l);
        sig->online_status = mt_dkim_verify_one(report, sig, data, len, keys,
                                                &sig->online_problem);
        if (strcmp(sig->online_status, "fail") == 0) {
            MtEvidence ev = {sig->header_index, sig->offset, -1, NULL};
            mt_report_add_finding(
                report, "dkim-signature-invalid", MT_SEVERITY_MEDIUM, &ev,
                "the DKIM-Signature by %s does not verify with the key in "
                "DNS: %s", sig->domain, sig->online_problem);
        }
    }
}
