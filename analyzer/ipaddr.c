/* SPDX-License-Identifier: MIT */
/*
 * ipaddr.c: parsing, printing and classifying IP address literals. Every
 * address here comes from a header an attacker may have written, so the
 * parsers are single forward passes over a length they are given, accept
 * only the forms the RFCs define, and never call the resolver: getaddrinfo()
 * and inet_aton() accept octal, hex and short forms that would let a forged
 * "Received: from [0177.1]" pass for something it is not. Classification is
 * a table of special-purpose ranges, most specific first, parsed once.
 */
#include "mt-ipaddr.h"

#include <string.h>

/* Longer than any address text: "IPv6:" + 39 hex + ":" groups + a tail. */
#define MAX_IP_TEXT 64

static const guint8 v4_mapped_prefix[12] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* Reads one strict dotted quad filling exactly s[0..len). */
static gboolean
parse_v4(const char *s, gsize len, guint8 out[4])
{
    gsize i = 0;

    for (int part = 0; part < 4; part++) {
        guint value = 0;
        gsize digits = 0;
        gsize start;

        if (part > 0) {
            if (i >= len || s[i] != '.')
                return FALSE;
            i++;
        }
        start = i;
        while (i < len && g_ascii_isdigit(s[i])) {
            if (++digits > 3)
                return FALSE;
            value = value * 10 + (guint)(s[i] - '0');
            i++;
        }
        if (digits == 0 || value > 255)
            return FALSE;
        /* "010" is octal to inet_aton() and an error to inet_pton(). */
        if (digits > 1 && s[start] == '0')
            return FALSE;
        out[part] = (guint8)value;
    }
    return i == len;
}

/* Reads an RFC 4291 section 2.2 address filling exactly s[0..len). */
static gboolean
parse_v6(const char *s, gsize len, guint8 out[16])
{
    guint16 groups[8] = {0};
    int n = 0;
    int gap = -1;
    gsize i = 0;

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len >= 1 && s[0] == ':') {
        return FALSE;
    }

    while (i < len) {
        gsize digits = 0;
        guint value = 0;

        if (n == 8)
            return FALSE;
        while (i + digits < len && g_ascii_isxdigit(s[i + digits]))
            digits++;
        if (i + digits < len && s[i + digits] == '.') {
            guint8 quad[4];

            /* A dotted tail fills the last two groups and ends the text. */
            if (n > 6 || !parse_v4(s + i, len - i, quad))
                return FALSE;
            groups[n++] = (guint16)((quad[0] << 8) | quad[1]);
            groups[n++] = (guint16)((quad[2] << 8) | quad[3]);
            i = len;
            break;
        }
        if (digits == 0 || digits > 4)
            return FALSE;
        for (gsize k = 0; k < digits; k++)
            value = (value << 4) | (guint)g_ascii_xdigit_value(s[i + k]);
        groups[n++] = (guint16)value;
        i += digits;
        if (i == len)
            break;
        if (s[i] != ':')
            return FALSE;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return FALSE;
            gap = n;
            i++;
        } else if (i == len) {
            /* A single trailing colon. */
            return FALSE;
        }
    }

    /* "::" stands for one or more zero groups (RFC 4291 2.2 item 2). */
    if (gap < 0 ? n != 8 : n == 8)
        return FALSE;

    memset(out, 0, 16);
    if (gap < 0) {
        for (int k = 0; k < 8; k++) {
            out[2 * k] = (guint8)(groups[k] >> 8);
            out[2 * k + 1] = (guint8)(groups[k] & 0xff);
        }
    } else {
        int tail = n - gap;

        for (int k = 0; k < gap; k++) {
            out[2 * k] = (guint8)(groups[k] >> 8);
            out[2 * k + 1] = (guint8)(groups[k] & 0xff);
        }
        for (int k = 0; k < tail; k++) {
            int dst = 8 - tail + k;

            out[2 * dst] = (guint8)(groups[gap + k] >> 8);
            out[2 * dst + 1] = (guint8)(groups[gap + k] & 0xff);
        }
    }
    return TRUE;
}

gboolean
mt_ip_parse(const char *text, gsize len, MtIp *out)
{
    g_return_val_if_fail(out != NULL, FALSE);
    memset(out, 0, sizeof(*out));
    g_return_val_if_fail(text != NULL || len == 0, FALSE);

    if (len == 0 || len > MAX_IP_TEXT)
        return FALSE;

    if (len > 5 && g_ascii_strncasecmp(text, "IPv6:", 5) == 0) {
        if (!parse_v6(text + 5, len - 5, out->addr))
            goto fail;
        out->family = MT_IP_FAMILY_V6;
        return TRUE;
    }
    if (memchr(text, ':', len) != NULL) {
        if (!parse_v6(text, len, out->addr))
            goto fail;
        out->family = MT_IP_FAMILY_V6;
        return TRUE;
    }
    if (!parse_v4(text, len, out->addr))
        goto fail;
    out->family = MT_IP_FAMILY_V4;
    return TRUE;

fail:
    memset(out, 0, sizeof(*out));
    return FALSE;
}

gboolean
mt_ip_is_v4_mapped(const MtIp *ip)
{
    g_return_val_if_fail(ip != NULL, FALSE);
    return ip->family == MT_IP_FAMILY_V6 &&
           memcmp(ip->addr, v4_mapped_prefix, 12) == 0;
}

void
mt_ip_unmap(const MtIp *ip, MtIp *out)
{
    g_return_if_fail(ip != NULL && out != NULL);

    if (mt_ip_is_v4_mapped(ip)) {
        MtIp v4 = {.family = MT_IP_FAMILY_V4};

        memcpy(v4.addr, ip->addr + 12, 4);
        *out = v4;
    } else {
        *out = *ip;
    }
}

gboolean
mt_ip_equal(const MtIp *a, const MtIp *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, FALSE);
    return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

/* Appends v in decimal, as "%u" would. */
static void
append_decimal(GString *s, guint v)
{
    char digits[4];
    gsize k = sizeof digits;

    do {
        digits[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && k > 0);
    g_string_append_len(s, digits + k, (gssize)(sizeof digits - k));
}

/* Appends v in lowercase hex without leading zeros, as "%x" would. */
static void
append_hex(GString *s, guint16 v)
{
    static const char hex[] = "0123456789abcdef";
    char digits[4];
    gsize k = sizeof digits;

    do {
        digits[--k] = hex[v & 0xF];
        v >>= 4;
    } while (v > 0 && k > 0);
    g_string_append_len(s, digits + k, (gssize)(sizeof digits - k));
}

/* Dotted quad; without printf (every address of every hop and link is
 * written this way, several times). */
static void
append_v4(GString *s, const guint8 *q)
{
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            g_string_append_c(s, '.');
        append_decimal(s, q[i]);
    }
}

char *
mt_ip_to_string(const MtIp *ip)
{
    GString *s;
    guint16 groups[8];
    int best_start = -1;
    int best_len = 0;

    g_return_val_if_fail(ip != NULL, NULL);

    s = g_string_sized_new(40);
    if (ip->family == MT_IP_FAMILY_V4) {
        append_v4(s, ip->addr);
        return g_string_free(s, FALSE);
    }
    if (mt_ip_is_v4_mapped(ip)) {
        /* RFC 5952 section 5: mixed notation for IPv4-mapped addresses. */
        g_string_append(s, "::ffff:");
        append_v4(s, ip->addr + 12);
        return g_string_free(s, FALSE);
    }

    for (int k = 0; k < 8; k++)
        groups[k] = (guint16)((ip->addr[2 * k] << 8) | ip->addr[2 * k + 1]);

    /* Section 4.2: the longest run of zero groups, the first one on a tie,
     * and never a single group (4.2.2). */
    for (int k = 0; k < 8;) {
        int run = 0;

        while (k + run < 8 && groups[k + run] == 0)
            run++;
        if (run > best_len) {
            best_len = run;
            best_start = k;
        }
        k += run > 0 ? run : 1;
    }
    if (best_len < 2) {
        best_start = -1;
        best_len = 0;
    }

    for (int k = 0; k < 8;) {
        if (k == best_start) {
            g_string_append(s, "::");
            k += best_len;
            continue;
        }
        /* A group right after "::" needs no separator of its own. */
        if (k > 0 && k != best_start + best_len)
            g_string_append_c(s, ':');
        /* Section 4.3: lowercase hex, no leading zeros. */
        append_hex(s, groups[k]);
        k++;
    }
    return g_string_free(s, FALSE);
}

gboolean
mt_ip_get_embedded_v4(const MtIp *ip, MtIp *out)
{
    static const guint8 nat64_wkp[12] = {
        0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    MtIp v4 = {.family = MT_IP_FAMILY_V4};

    g_return_val_if_fail(ip != NULL && out != NULL, FALSE);

    if (ip->family != MT_IP_FAMILY_V6)
        return FALSE;
    if (memcmp(ip->addr, v4_mapped_prefix, 12) == 0 ||
        memcmp(ip->addr, nat64_wkp, 12) == 0) {
        memcpy(v4.addr, ip->addr + 12, 4);
    } else if (ip->addr[0] == 0x20 && ip->addr[1] == 0x02) {
        /* 6to4, RFC 3056: 2002:V4ADDR::/48. */
        memcpy(v4.addr, ip->addr + 2, 4);
    } else if (ip->addr[0] == 0x20 && ip->addr[1] == 0x01 && ip->addr[2] == 0 &&
               ip->addr[3] == 0) {
        /* Teredo, RFC 4380 section 4: the client's address, inverted. */
        for (int k = 0; k < 4; k++)
            v4.addr[k] = (guint8)~ip->addr[12 + k];
    } else {
        return FALSE;
    }
    *out = v4;
    return TRUE;
}

/* The special-purpose ranges, most specific first: the first match wins.
 * A range not listed is public for IPv4; for IPv6 only 2000::/3 is handed
 * out as global unicast, so the final ::/0 row makes the rest reserved. */
typedef struct {
    const char *cidr;
    MtIpClass cls;
    const char *note;
} RangeSpec;

static const RangeSpec range_specs[] = {
    {"0.0.0.0/32", MT_IP_CLASS_UNSPECIFIED, NULL},
    {"0.0.0.0/8", MT_IP_CLASS_RESERVED, NULL}, /* "this network" */
    {"10.0.0.0/8", MT_IP_CLASS_PRIVATE, NULL},
    {"100.64.0.0/10", MT_IP_CLASS_CGNAT, NULL},
    {"127.0.0.0/8", MT_IP_CLASS_LOOPBACK, NULL},
    {"169.254.0.0/16", MT_IP_CLASS_LINK_LOCAL, NULL},
    {"172.16.0.0/12", MT_IP_CLASS_PRIVATE, NULL},
    {"192.0.0.0/24", MT_IP_CLASS_RESERVED, NULL}, /* IETF assignments */
    {"192.0.2.0/24", MT_IP_CLASS_DOCUMENTATION, NULL},
    /* The 6to4 relay anycast prefix, deprecated by RFC 7526. */
    {"192.88.99.0/24", MT_IP_CLASS_RESERVED, NULL},
    {"192.168.0.0/16", MT_IP_CLASS_PRIVATE, NULL},
    {"198.18.0.0/15", MT_IP_CLASS_BENCHMARK, NULL},
    {"198.51.100.0/24", MT_IP_CLASS_DOCUMENTATION, NULL},
    {"203.0.113.0/24", MT_IP_CLASS_DOCUMENTATION, NULL},
    {"224.0.0.0/4", MT_IP_CLASS_MULTICAST, NULL},
    /* 240/4 "future use", with 255.255.255.255 limited broadcast. */
    {"240.0.0.0/4", MT_IP_CLASS_RESERVED, NULL},

    {"::/128", MT_IP_CLASS_UNSPECIFIED, NULL},
    {"::1/128", MT_IP_CLASS_LOOPBACK, NULL},
    /* RFC 8215 local-use NAT64; the /96 well-known prefix is handled
     * before the table, by the IPv4 address it embeds. */
    {"64:ff9b:1::/48", MT_IP_CLASS_PRIVATE, "nat64"},
    /* Includes the deprecated IPv4-compatible ::/96. */
    {"::/8", MT_IP_CLASS_RESERVED, NULL},
    {"100::/64", MT_IP_CLASS_RESERVED, NULL}, /* discard-only, RFC 6666 */
    {"2001::/32", MT_IP_CLASS_PUBLIC, "teredo"},
    {"2001:2::/48", MT_IP_CLASS_BENCHMARK, NULL},
    {"2001:10::/28", MT_IP_CLASS_RESERVED, NULL}, /* ORCHID, retired */
    {"2001:20::/28", MT_IP_CLASS_RESERVED, NULL}, /* ORCHIDv2 */
    {"2001:db8::/32", MT_IP_CLASS_DOCUMENTATION, NULL},
    {"2002::/16", MT_IP_CLASS_PUBLIC, "6to4"},
    {"3fff::/20", MT_IP_CLASS_DOCUMENTATION, NULL}, /* RFC 9637 */
    {"2000::/3", MT_IP_CLASS_PUBLIC, NULL},
    {"fc00::/7", MT_IP_CLASS_PRIVATE, "ula"},
    {"fe80::/10", MT_IP_CLASS_LINK_LOCAL, NULL},
    /* Site-local, deprecated by RFC 3879: nothing should send from it. */
    {"fec0::/10", MT_IP_CLASS_RESERVED, NULL},
    {"ff00::/8", MT_IP_CLASS_MULTICAST, NULL},
    {"::/0", MT_IP_CLASS_RESERVED, NULL},
};

typedef struct {
    MtCidr net;
    MtIpClass cls;
    const char *note;
} Range;

static Range ranges[G_N_ELEMENTS(range_specs)];

/* Parses the table once; lookups from any thread read it afterwards. */
static void
ranges_init(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        for (gsize k = 0; k < G_N_ELEMENTS(range_specs); k++) {
            if (!mt_cidr_parse(range_specs[k].cidr, &ranges[k].net))
                g_error("bad built-in range %s", range_specs[k].cidr);
            ranges[k].cls = range_specs[k].cls;
            ranges[k].note = range_specs[k].note;
        }
        g_once_init_leave(&done, 1);
    }
}

/* TRUE when the first prefix bits of a and b agree. */
static gboolean
prefix_equal(const guint8 *a, const guint8 *b, guint prefix)
{
    guint whole = prefix / 8;
    guint rest = prefix % 8;

    if (memcmp(a, b, whole) != 0)
        return FALSE;
    if (rest == 0)
        return TRUE;
    return ((a[whole] ^ b[whole]) & (guint8)(0xff << (8 - rest))) == 0;
}

static const Range *
find_range(const MtIp *ip)
{
    ranges_init();
    for (gsize k = 0; k < G_N_ELEMENTS(ranges); k++) {
        if (ranges[k].net.base.family == ip->family &&
            prefix_equal(ranges[k].net.base.addr, ip->addr,
                         ranges[k].net.prefix))
            return &ranges[k];
    }
    return NULL;
}

static gboolean
is_nat64_wkp(const MtIp *ip)
{
    static const guint8 wkp[12] = {
        0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0,
    };

    return ip->family == MT_IP_FAMILY_V6 && memcmp(ip->addr, wkp, 12) == 0;
}

MtIpClass
mt_ip_classify(const MtIp *ip)
{
    const Range *r;

    g_return_val_if_fail(ip != NULL, MT_IP_CLASS_RESERVED);

    if (mt_ip_is_v4_mapped(ip) || is_nat64_wkp(ip)) {
        MtIp v4 = {.family = MT_IP_FAMILY_V4};

        memcpy(v4.addr, ip->addr + 12, 4);
        return mt_ip_classify(&v4);
    }
    r = find_range(ip);
    return r != NULL ? r->cls : MT_IP_CLASS_PUBLIC;
}

const char *
mt_ip_note(const MtIp *ip)
{
    const Range *r;

    g_return_val_if_fail(ip != NULL, NULL);

    if (ip->family != MT_IP_FAMILY_V6)
        return NULL;
    if (mt_ip_is_v4_mapped(ip))
        return "ipv4-mapped";
    if (is_nat64_wkp(ip))
        return "nat64";
    r = find_range(ip);
    return r != NULL ? r->note : NULL;
}

const char *
mt_ip_class_to_string(MtIpClass cls)
{
    switch (cls) {
    case MT_IP_CLASS_PUBLIC:
        return "public";
    case MT_IP_CLASS_PRIVATE:
        return "private";
    case MT_IP_CLASS_LOOPBACK:
        return "loopback";
    case MT_IP_CLASS_LINK_LOCAL:
        return "link-local";
    case MT_IP_CLASS_CGNAT:
        return "cgnat";
    case MT_IP_CLASS_DOCUMENTATION:
        return "documentation";
    case MT_IP_CLASS_MULTICAST:
        return "multicast";
    case MT_IP_CLASS_BENCHMARK:
        return "benchmark";
    case MT_IP_CLASS_RESERVED:
        return "reserved";
    case MT_IP_CLASS_UNSPECIFIED:
        return "unspecified";
    }
    return "unknown";
}

static void
clear_host_bits(guint8 *addr, guint prefix, guint bits)
{
    for (guint bit = prefix; bit < bits; bit++)
        addr[bit / 8] &= (guint8) ~(0x80u >> (bit % 8));
}

gboolean
mt_cidr_parse(const char *text, MtCidr *out)
{
    const char *slash;
    gsize len;
    guint max;
    guint prefix;

    g_return_val_if_fail(out != NULL, FALSE);
    memset(out, 0, sizeof(*out));
    g_return_val_if_fail(text != NULL, FALSE);

    len = strnlen(text, MAX_IP_TEXT + 5);
    if (len > MAX_IP_TEXT + 4)
        return FALSE;
    slash = memchr(text, '/', len);
    if (!mt_ip_parse(text, slash != NULL ? (gsize)(slash - text) : len,
                     &out->base))
        return FALSE;
    max = out->base.family == MT_IP_FAMILY_V4 ? 32 : 128;

    if (slash == NULL) {
        prefix = max;
    } else {
        const char *p = slash + 1;
        gsize digits = (gsize)(text + len - p);

        /* Plain decimal: 1 to 3 digits, no sign, no leading zero. */
        if (digits == 0 || digits > 3 || (digits > 1 && p[0] == '0'))
            goto fail;
        prefix = 0;
        for (gsize k = 0; k < digits; k++) {
            if (!g_ascii_isdigit(p[k]))
                goto fail;
            prefix = prefix * 10 + (guint)(p[k] - '0');
        }
        if (prefix > max)
            goto fail;
    }

    clear_host_bits(out->base.addr, prefix, max);
    out->prefix = prefix;
    if (mt_ip_is_v4_mapped(&out->base) && prefix >= 96) {
        mt_ip_unmap(&out->base, &out->base);
        out->prefix = prefix - 96;
    }
    return TRUE;

fail:
    memset(out, 0, sizeof(*out));
    return FALSE;
}

gboolean
mt_cidr_contains(const MtCidr *c, const MtIp *ip)
{
    MtIp probe;

    g_return_val_if_fail(c != NULL && ip != NULL, FALSE);

    mt_ip_unmap(ip, &probe);
    if (c->base.family == MT_IP_FAMILY_V6 && probe.family == MT_IP_FAMILY_V4) {
        /* A v6 network shorter than /96 (::/0, ::ffff:0:0/95) still holds
         * the mapped form of an IPv4 address. */
        MtIp mapped = {.family = MT_IP_FAMILY_V6};

        memcpy(mapped.addr, v4_mapped_prefix, 12);
        memcpy(mapped.addr + 12, probe.addr, 4);
        probe = mapped;
    }
    if (c->base.family != probe.family)
        return FALSE;
    return prefix_equal(c->base.addr, probe.addr, c->prefix);
}

char *
mt_cidr_to_string(const MtCidr *c)
{
    g_autofree char *base = NULL;

    g_return_val_if_fail(c != NULL, NULL);

    base = mt_ip_to_string(&c->base);
    return g_strdup_printf("%s/%u", base, c->prefix);
}
