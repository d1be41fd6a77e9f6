/* SPDX-License-Identifier: MIT */
/*
 * indicators.c: the report's indicators of compromise in one list. An
 * analyst who has read a message wants what to block or hunt for next:
 * the relay addresses, the domains of the sender's headers and of the
 * hops, the links (their wrapped and unwrapped forms), the addresses, and
 * the hashes of the attachments, each once, with where it was seen. The
 * list is deduplicated by (type, value), keeps the order in which values
 * were first seen (so two runs give the same list), and is bounded: a
 * message with ten thousand hops or links adds at most MAX_INDICATORS
 * entries of at most MAX_SOURCES sources each, and says so.
 */
#include <string.h>

#include "identity-private.h"
#include "mime-private.h"

#define MAX_INDICATORS 5000
#define MAX_SOURCES 16
/* Host names longer than DNS allows are not names (RFC 1035 2.3.4). */
#define MAX_NAME_LEN 253

typedef struct {
    MtReport *report;
    GHashTable *index; /* set of MtIndicator* (borrowed), by type+value */
    gboolean full;
    GString *src; /* scratch for the numbered sources ("hop 2") */
} Builder;

/* Sets buf to prefix, word and n in decimal, as "%s%s%u" would, without
 * a printf per hop or link. Returns buf's text (valid until the next
 * call). */
static const char *
numbered(GString *buf, const char *prefix, const char *word, guint n)
{
    char digits[16];
    gsize k = sizeof digits;

    do {
        digits[--k] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0 && k > 0);
    g_string_assign(buf, prefix);
    g_string_append(buf, word);
    g_string_append_len(buf, digits + k, (gssize)(sizeof digits - k));
    return buf->str;
}

/* The hash of an indicator's (type, value), for the index. */
static guint
indicator_hash(gconstpointer p)
{
    const MtIndicator *ind = p;

    return g_str_hash(ind->value) * 31u + (guint)ind->type;
}

/* Whether two indicators have the same (type, value). */
static gboolean
indicator_equal(gconstpointer a, gconstpointer b)
{
    const MtIndicator *x = a, *y = b;

    return x->type == y->type && strcmp(x->value, y->value) == 0;
}

/* Adds value as an indicator of type, seen at source; a value already
 * listed gains the source. The index is looked up with a probe on the
 * stack: no key is built per call (this runs for every hop, address,
 * link and hash). */
static void
add(Builder *b, MtIndicatorType type, const char *value, const char *source)
{
    MtIndicator probe = {type, (char *)value, NULL};
    MtIndicator *ind;

    if (value == NULL || *value == '\0')
        return;
    ind = g_hash_table_lookup(b->index, &probe);
    if (ind == NULL) {
        if (b->report->indicators->len >= MAX_INDICATORS) {
            if (!b->full)
                mt_report_limit_reached(b->report, "max-indicators", NULL,
                                        "more than %u indicators: the rest "
                                        "were not listed",
                                        MAX_INDICATORS);
            b->full = TRUE;
            return;
        }
        ind = g_new0(MtIndicator, 1);
        ind->type = type;
        ind->value = g_strdup(value);
        ind->sources = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(b->report->indicators, ind);
        g_hash_table_add(b->index, ind);
    }
    if (ind->sources->len >= MAX_SOURCES)
        return;
    for (guint i = 0; i < ind->sources->len; i++)
        if (strcmp(ind->sources->pdata[i], source) == 0)
            return;
    g_ptr_array_add(ind->sources, g_strdup(source));
}

/* An address in canonical text, or NULL. Transfer full. */
static char *
ip_value(const char *text)
{
    MtIp ip;

    if (text == NULL || !mt_ip_parse(text, strlen(text), &ip))
        return NULL;
    return mt_ip_to_string(&ip);
}

/* A host name as an indicator: lowercase, no trailing dot, at least two
 * labels of name characters; NULL for an address, a bracketed literal
 * or anything else. Transfer full. */
static char *
domain_value(const char *text)
{
    g_autofree char *lower = NULL;
    gsize n;
    MtIp ip;

    if (text == NULL || *text == '\0' || *text == '[')
        return NULL;
    lower = g_utf8_validate(text, -1, NULL) ? g_utf8_strdown(text, -1)
                                            : NULL;
    if (lower == NULL)
        return NULL;
    n = strlen(lower);
    while (n > 0 && lower[n - 1] == '.')
        lower[--n] = '\0';
    if (n == 0 || n > MAX_NAME_LEN || strchr(lower, '.') == NULL
        || lower[0] == '.' || strstr(lower, "..") != NULL
        || mt_ip_parse(lower, n, &ip))
        return NULL;
    for (const char *p = lower; *p; p++)
        if ((guchar)*p < 0x80 && !g_ascii_isalnum(*p) && *p != '-'
            && *p != '.' && *p != '_')
            return NULL;
    return g_steal_pointer(&lower);
}

/* An address with its domain lowercased (the local part is the
 * mailbox owner's business, RFC 5321 2.4). Transfer full. */
static char *
email_value(const char *address)
{
    const char *at;
    g_autofree char *domain = NULL;

    if (address == NULL || !g_utf8_validate(address, -1, NULL))
        return NULL;
    at = strrchr(address, '@');
    if (at == NULL || at == address || at[1] == '\0')
        return NULL;
    domain = g_utf8_strdown(at + 1, -1);
    return g_strdup_printf("%.*s@%s", (int)(at - address), address, domain);
}

/* The host of an absolute URL ("scheme://[user@]host[:port]/..."),
 * lowercased; *is_ip says it is an address (then in canonical text). A
 * light reading for the unwrapped targets of rewritten links: links.c
 * did the full parse for the flags. Transfer full, NULL for none. */
static char *
url_host(const char *url, gboolean *is_ip)
{
    const char *p = strstr(url, "://"), *end, *at = NULL, *h;
    g_autofree char *host = NULL;
    char *ip;

    *is_ip = FALSE;
    if (p == NULL)
        return NULL;
    p += 3;
    end = p + strcspn(p, "/?#\\");
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    h = at ? at + 1 : p;
    if (h < end && *h == '[') {
        const char *rb = memchr(h, ']', (gsize)(end - h));

        if (rb == NULL)
            return NULL;
        host = g_strndup(h + 1, (gsize)(rb - h - 1));
    } else {
        const char *colon = memchr(h, ':', (gsize)(end - h));

        host = g_strndup(h, (gsize)((colon ? colon : end) - h));
    }
    ip = ip_value(host);
    if (ip != NULL) {
        *is_ip = TRUE;
        return ip;
    }
    return domain_value(host);
}

/* The address fields of a report whose domains and addresses count. */
typedef struct {
    const char *name;
    gsize offset;
    gboolean domain; /* its domain is an indicator too */
} AddressField;

static const AddressField address_fields[] = {
    {"From", G_STRUCT_OFFSET(MtSummary, from), TRUE},
    {"Sender", G_STRUCT_OFFSET(MtSummary, sender), TRUE},
    {"Reply-To", G_STRUCT_OFFSET(MtSummary, reply_to), TRUE},
    {"Return-Path", G_STRUCT_OFFSET(MtSummary, return_path), TRUE},
    {"To", G_STRUCT_OFFSET(MtSummary, to), FALSE},
    {"Cc", G_STRUCT_OFFSET(MtSummary, cc), FALSE},
};

static void
add_hops(Builder *b, const MtReport *r, const char *prefix)
{
    if (r->relay.hops == NULL)
        return;
    for (guint i = 0; i < r->relay.hops->len; i++) {
        const MtHop *hop = r->relay.hops->pdata[i];
        g_autofree char *ip = NULL;

        if (hop == NULL || hop->received == NULL)
            continue;
        ip = ip_value(hop->received->from_ip);
        if (ip != NULL)
            add(b, MT_INDICATOR_IP, ip,
                numbered(b->src, prefix, "hop ", i + 1));
    }
}

static void
add_hop_names(Builder *b, const MtReport *r, const char *prefix)
{
    if (r->relay.hops == NULL)
        return;
    for (guint i = 0; i < r->relay.hops->len; i++) {
        const MtHop *hop = r->relay.hops->pdata[i];
        const char *src;
        g_autofree char *rdns = NULL;
        g_autofree char *helo = NULL;

        if (hop == NULL || hop->received == NULL)
            continue;
        src = numbered(b->src, prefix, "hop ", i + 1);
        rdns = domain_value(hop->received->from_rdns);
        helo = domain_value(hop->received->from_helo);
        add(b, MT_INDICATOR_DOMAIN, rdns, src);
        add(b, MT_INDICATOR_DOMAIN, helo, src);
    }
}

/* The domains (email FALSE) or the addresses (email TRUE) of the
 * address headers. */
static void
add_addresses(Builder *b, const MtReport *r, const char *prefix,
              gboolean email)
{
    for (gsize f = 0; f < G_N_ELEMENTS(address_fields); f++) {
        const MtAddressField *field =
            G_STRUCT_MEMBER_P(&r->summary, address_fields[f].offset);
        g_autofree char *src = NULL;

        if (field->mailboxes == NULL || (!email && !address_fields[f].domain))
            continue;
        src = g_strdup_printf("%sheader %d (%s)", prefix,
                              field->header_index, address_fields[f].name);
        for (guint i = 0; i < field->mailboxes->len; i++) {
            const MtMailbox *mb = field->mailboxes->pdata[i];
            g_autofree char *value = NULL;

            if (mb == NULL || mb->address == NULL)
                continue;
            if (email) {
                value = email_value(mb->address);
                add(b, MT_INDICATOR_EMAIL, value, src);
            } else {
                g_autofree char *d = mt_identity_domain_of(mb->address);

                value = domain_value(d);
                add(b, MT_INDICATOR_DOMAIN, value, src);
            }
        }
    }
}

static gboolean
network_url(const MtUrl *link, const char *url)
{
    if (url == NULL)
        return FALSE;
    if (link->flags & (MT_URL_DATA | MT_URL_JAVASCRIPT))
        return FALSE;
    if (g_ascii_strncasecmp(url, "mailto:", 7) == 0
        || g_ascii_strncasecmp(url, "data:", 5) == 0)
        return FALSE;
    /* A relative URL names nothing outside the message. */
    return strstr(url, "://") != NULL || (link->flags & MT_URL_NO_SCHEME);
}

/* The links: kind selects their IPs, their domains, the URLs or the
 * mailto: addresses, so that each type keeps its place in the list. */
typedef enum { LINK_IPS, LINK_DOMAINS, LINK_URLS, LINK_EMAILS } LinkPass;

static void
add_links(Builder *b, LinkPass pass)
{
    GPtrArray *links = b->report->links;

    for (guint i = 0; i < links->len; i++) {
        const MtUrl *link = links->pdata[i];
        const char *src = numbered(b->src, "", "link ", i + 1);
        /* The hosts only matter to the IP and domain passes. */
        gboolean hosts = pass == LINK_IPS || pass == LINK_DOMAINS;
        gboolean host_ip = hosts && (link->flags & MT_URL_IP_HOST) != 0
                           && link->host != NULL
                           && mt_ip_parse(link->host, strlen(link->host),
                                          &(MtIp){0});
        g_autofree char *target = NULL;
        gboolean target_ip = FALSE;

        if (hosts && link->unwrapped != NULL)
            target = url_host(link->unwrapped, &target_ip);
        switch (pass) {
        case LINK_IPS:
            if (host_ip)
                add(b, MT_INDICATOR_IP, link->host, src);
            if (target_ip)
                add(b, MT_INDICATOR_IP, target, src);
            break;
        case LINK_DOMAINS:
            if (!host_ip && link->host != NULL) {
                g_autofree char *d = domain_value(link->host);

                add(b, MT_INDICATOR_DOMAIN, d, src);
            }
            if (!target_ip)
                add(b, MT_INDICATOR_DOMAIN, target, src);
            break;
        case LINK_URLS:
            if (network_url(link, link->url))
                add(b, MT_INDICATOR_URL, link->url, src);
            if (network_url(link, link->unwrapped))
                add(b, MT_INDICATOR_URL, link->unwrapped, src);
            break;
        case LINK_EMAILS:
            if (g_ascii_strncasecmp(link->url, "mailto:", 7) == 0) {
                const char *p = link->url + 7;
                gsize n = strcspn(p, "?,#");
                g_autofree char *raw = g_strndup(p, n);
                g_autofree char *dec = g_uri_unescape_string(raw, NULL);
                g_autofree char *value = email_value(g_strstrip(dec ? dec
                                                                    : raw));

                add(b, MT_INDICATOR_EMAIL, value, src);
            }
            break;
        }
    }
}

static void
add_hashes(Builder *b)
{
    GPtrArray *atts = b->report->mime.attachments;

    if (atts == NULL)
        return;
    for (guint i = 0; i < atts->len; i++) {
        const MtAttachment *a = atts->pdata[i];
        g_autofree char *src = a->filename
                                   ? g_strdup_printf("part %s (%s)", a->part,
                                                     a->filename)
                                   : g_strdup_printf("part %s", a->part);
        g_autofree char *md5 = g_ascii_strdown(a->hashes.md5, -1);
        g_autofree char *sha1 = g_ascii_strdown(a->hashes.sha1, -1);
        g_autofree char *sha256 = g_ascii_strdown(a->hashes.sha256, -1);

        add(b, MT_INDICATOR_MD5, md5, src);
        add(b, MT_INDICATOR_SHA1, sha1, src);
        add(b, MT_INDICATOR_SHA256, sha256, src);
    }
}

/* The embedded messages (message/rfc822 parts analyzed as a whole), in
 * tree order, found without recursion. */
static GPtrArray *
embedded_parts(MtPart *root)
{
    GPtrArray *out = g_ptr_array_new();
    g_autoptr(GPtrArray) stack = g_ptr_array_new();

    if (root != NULL)
        g_ptr_array_add(stack, root);
    while (stack->len > 0) {
        MtPart *part = g_ptr_array_steal_index(stack, stack->len - 1);

        if (part->kind == MT_PART_MESSAGE && part->message != NULL)
            g_ptr_array_add(out, part);
        for (guint i = part->children ? part->children->len : 0; i-- > 0;)
            g_ptr_array_add(stack, part->children->pdata[i]);
    }
    return out;
}

void
mt_indicators_build(MtReport *report)
{
    Builder b = {report, NULL, FALSE, NULL};
    g_autoptr(GPtrArray) embedded = NULL;

    g_return_if_fail(report != NULL);
    b.index = g_hash_table_new(indicator_hash, indicator_equal);
    b.src = g_string_sized_new(64);
    /* Rebuilt from scratch: calling twice gives the same list. */
    g_ptr_array_set_size(report->indicators, 0);
    embedded = embedded_parts(report->mime.root);

    add_hops(&b, report, "");
    add_links(&b, LINK_IPS);
    add_addresses(&b, report, "", FALSE);
    add_hop_names(&b, report, "");
    add_links(&b, LINK_DOMAINS);
    add_links(&b, LINK_URLS);
    add_addresses(&b, report, "", TRUE);
    add_links(&b, LINK_EMAILS);
    add_hashes(&b);
    for (guint i = 0; i < embedded->len; i++) {
        const MtPart *part = embedded->pdata[i];
        g_autofree char *prefix = g_strdup_printf("part %s: ", part->path);

        add_hops(&b, part->message, prefix);
        add_addresses(&b, part->message, prefix, FALSE);
        add_hop_names(&b, part->message, prefix);
        add_addresses(&b, part->message, prefix, TRUE);
    }
    g_hash_table_unref(b.index);
    g_string_free(b.src, TRUE);
}
