/* SPDX-License-Identifier: MIT */
/*
 * test-ipaddr.c: unit tests for the IP address parser, printer, classifier
 * and CIDR matcher. Besides hand-picked cases from the RFCs, a seeded random
 * run checks the parser and printer against glibc's inet_pton()/inet_ntop(),
 * which implement the same strict grammar, so a corner the table misses
 * still gets compared with an independent implementation.
 */
#include "mt-ipaddr.h"

#include <arpa/inet.h>
#include <string.h>

static void
assert_parses_to(const char *text, MtIpFamily family, const char *canonical)
{
    MtIp ip;
    g_autofree char *s = NULL;

    if (!mt_ip_parse(text, strlen(text), &ip))
        g_error("'%s' did not parse", text);
    g_assert_cmpint(ip.family, ==, family);
    s = mt_ip_to_string(&ip);
    g_assert_cmpstr(s, ==, canonical);
}

static void
assert_rejected(const char *text)
{
    MtIp ip;

    if (mt_ip_parse(text, strlen(text), &ip))
        g_error("'%s' parsed but must not", text);
    /* A failed parse leaves nothing behind. */
    g_assert_cmpint(ip.family, ==, 0);
    for (int k = 0; k < 16; k++)
        g_assert_cmpuint(ip.addr[k], ==, 0);
}

static void
test_v4_valid(void)
{
    MtIp ip;

    assert_parses_to("0.0.0.0", MT_IP_FAMILY_V4, "0.0.0.0");
    assert_parses_to("255.255.255.255", MT_IP_FAMILY_V4, "255.255.255.255");
    assert_parses_to("192.0.2.1", MT_IP_FAMILY_V4, "192.0.2.1");
    assert_parses_to("10.0.100.9", MT_IP_FAMILY_V4, "10.0.100.9");

    g_assert_true(mt_ip_parse("81.2.69.142", 11, &ip));
    g_assert_cmpuint(ip.addr[0], ==, 81);
    g_assert_cmpuint(ip.addr[1], ==, 2);
    g_assert_cmpuint(ip.addr[2], ==, 69);
    g_assert_cmpuint(ip.addr[3], ==, 142);
    for (int k = 4; k < 16; k++)
        g_assert_cmpuint(ip.addr[k], ==, 0);
    g_assert_false(mt_ip_is_v4_mapped(&ip));

    /* Only len bytes are read: no NUL needed after the address. */
    g_assert_true(mt_ip_parse("1.2.3.4]:25 garbage", 7, &ip));
    g_assert_cmpuint(ip.addr[3], ==, 4);
    g_assert_false(mt_ip_parse("1.2.3.4]:25 garbage", 8, &ip));
}

static void
test_v4_invalid(void)
{
    static const char *const bad[] = {
        "",           "1",          "1.2.3",      "1.2.3.4.5",  "256.1.1.1",
        "1.2.3.256",  "1.2.3.999",  "1234.1.1.1", "01.2.3.4",   "1.2.3.04",
        "1.2.3.00",   "0x7f.0.0.1", "127.1",      "2130706433", "1..2.3",
        ".1.2.3",     "1.2.3.4.",   " 1.2.3.4",   "1.2.3.4 ",   "+1.2.3.4",
        "1.2.3.-4",   "1.2.3.4\n",  "[1.2.3.4]",  "1.2.3.a",    "1,2,3,4",
        "0177.0.0.1",
    };

    for (gsize k = 0; k < G_N_ELEMENTS(bad); k++)
        assert_rejected(bad[k]);
}

static void
test_v6_valid(void)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"0:0:0:0:0:0:0:0", "::"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"1:0:0:0:0:0:0:0", "1::"},
        {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
        {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        /* RFC 5952 4.2.3: on a tie the first run is shortened. */
        {"2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"},
        /* 4.2.3: the longest run wins over an earlier shorter one. */
        {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
        /* 4.2.2: a single zero group is not shortened. */
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
        {"1:2:0:0:5:0:0:0", "1:2:0:0:5::"},
        /* "::" may stand for a single group on input. */
        {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
        {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
        {"1:2:3::5:6:7:8", "1:2:3:0:5:6:7:8"},
        {"FE80::0202:B3FF:FE1E:8329", "fe80::202:b3ff:fe1e:8329"},
        {"IPv6:2001:db8::1", "2001:db8::1"},
        {"ipv6:::1", "::1"},
        {"IPV6:2001:218:1::1", "2001:218:1::1"},
        /* Dotted tails: only the mapped form prints them back. */
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
        {"0:0:0:0:0:ffff:81.2.69.142", "::ffff:81.2.69.142"},
        {"::192.0.2.1", "::c000:201"},
        {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
        {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
        {"2001:db8::255.255.255.255", "2001:db8::ffff:ffff"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    };

    for (gsize k = 0; k < G_N_ELEMENTS(cases); k++)
        assert_parses_to(cases[k].in, MT_IP_FAMILY_V6, cases[k].out);
}

static void
test_v6_invalid(void)
{
    static const char *const bad[] = {
        ":",
        ":::",
        "1:::2",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "12345::",
        "::g",
        "1:",
        ":1",
        ":1::",
        "1::2:",
        "::1.2.3",
        "::1.2.3.4.5",
        "::01.2.3.4",
        "::256.1.1.1",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3.4:5",
        "::1.2.3.4::",
        "1.2.3.4::",
        "fe80::1%eth0",
        "fe80::1%1",
        "[::1]",
        "IPv6:",
        "IPv6:1.2.3.4",
        "IPv6:IPv6:::1",
        "IPv4:1.2.3.4",
        " ::1",
        "::1 ",
        "::-1",
        "::+1",
        "0x1::",
        "1.2.3.4:25",
        "2001:db8::/32",
    };

    for (gsize k = 0; k < G_N_ELEMENTS(bad); k++)
        assert_rejected(bad[k]);
}

static void
test_long_input(void)
{
    g_autofree char *colons = g_strnfill(1 << 20, ':');
    g_autofree char *ones = g_strnfill(100, '1');
    MtIp ip;

    /* Far longer than any address: rejected without a scan. */
    g_assert_false(mt_ip_parse(colons, 1 << 20, &ip));
    g_assert_false(mt_ip_parse(ones, 100, &ip));
    g_assert_false(mt_ip_parse(NULL, 0, &ip));
}

/* Compares mt_ip_parse() and mt_ip_to_string() with glibc on one text. */
static void
compare_with_libc(const char *text)
{
    MtIp ip;
    unsigned char buf[16];
    gboolean ours = mt_ip_parse(text, strlen(text), &ip);
    gboolean is_v6 = strchr(text, ':') != NULL;
    gboolean theirs = inet_pton(is_v6 ? AF_INET6 : AF_INET, text, buf) == 1;
    char ntop[INET6_ADDRSTRLEN];
    g_autofree char *s = NULL;

    if (ours != theirs)
        g_error("'%s': mailtrail says %d, inet_pton says %d", text, ours,
                theirs);
    if (!ours)
        return;
    g_assert_cmpmem(ip.addr, is_v6 ? 16 : 4, buf, is_v6 ? 16 : 4);
    /* glibc prints the deprecated ::a.b.c.d form that RFC 5952 leaves to
     * mapped addresses only; compare everything else. */
    if (is_v6 && memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10) == 0)
        return;
    g_assert_nonnull(
        inet_ntop(is_v6 ? AF_INET6 : AF_INET, buf, ntop, sizeof(ntop)));
    s = mt_ip_to_string(&ip);
    g_assert_cmpstr(s, ==, ntop);
}

static void
test_against_libc(void)
{
    static const char *const tokens[] = {
        "0",   "1",       "00", "ff", "0ff",       "ffff", "fFfF", "12345",
        "255", "256",     "01", ":",  ":",         ":",    "::",   ".",
        ".",   "1.2.3.4", "0:", ":0", "192.0.2.1", "a",
    };
    g_autoptr(GRand) rand = g_rand_new_with_seed(20240519);
    guint accepted = 0;

    for (int round = 0; round < 200000; round++) {
        g_autoptr(GString) s = g_string_new(NULL);
        int n = g_rand_int_range(rand, 1, 12);

        for (int k = 0; k < n; k++)
            g_string_append(
                s, tokens[g_rand_int_range(rand, 0, G_N_ELEMENTS(tokens))]);
        compare_with_libc(s->str);
        if (mt_ip_parse(s->str, s->len, &(MtIp){0}))
            accepted++;
    }
    /* The generator must exercise both sides of the grammar. */
    g_assert_cmpuint(accepted, >, 1000);
}

static void
test_mapped(void)
{
    MtIp ip, v4;
    g_autofree char *s = NULL;

    g_assert_true(mt_ip_parse("::ffff:10.1.2.3", 15, &ip));
    g_assert_cmpint(ip.family, ==, MT_IP_FAMILY_V6);
    g_assert_true(mt_ip_is_v4_mapped(&ip));
    g_assert_cmpstr(mt_ip_note(&ip), ==, "ipv4-mapped");
    g_assert_cmpint(mt_ip_classify(&ip), ==, MT_IP_CLASS_PRIVATE);

    mt_ip_unmap(&ip, &v4);
    g_assert_cmpint(v4.family, ==, MT_IP_FAMILY_V4);
    s = mt_ip_to_string(&v4);
    g_assert_cmpstr(s, ==, "10.1.2.3");
    g_assert_false(mt_ip_equal(&ip, &v4));

    /* Unmapping anything else copies it. */
    g_assert_true(mt_ip_parse("2001:db8::1", 11, &ip));
    mt_ip_unmap(&ip, &v4);
    g_assert_true(mt_ip_equal(&ip, &v4));
    g_assert_false(mt_ip_is_v4_mapped(&ip));
}

static void
assert_embedded(const char *text, const char *expect)
{
    MtIp ip, v4;
    g_autofree char *s = NULL;

    g_assert_true(mt_ip_parse(text, strlen(text), &ip));
    if (expect == NULL) {
        g_assert_false(mt_ip_get_embedded_v4(&ip, &v4));
        return;
    }
    g_assert_true(mt_ip_get_embedded_v4(&ip, &v4));
    g_assert_cmpint(v4.family, ==, MT_IP_FAMILY_V4);
    s = mt_ip_to_string(&v4);
    g_assert_cmpstr(s, ==, expect);
}

static void
test_embedded_v4(void)
{
    assert_embedded("::ffff:81.2.69.142", "81.2.69.142");
    assert_embedded("64:ff9b::192.0.2.33", "192.0.2.33");
    assert_embedded("2002:c000:0204::1", "192.0.2.4");
    /* RFC 4380's layout: server 65.54.227.120, client 192.0.2.45 stored
     * inverted in the last 32 bits. */
    assert_embedded("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45");
    assert_embedded("2001:db8::1", NULL);
    assert_embedded("::1", NULL);
    assert_embedded("192.0.2.1", NULL);
}

static void
test_classify(void)
{
    static const struct {
        const char *ip;
        MtIpClass cls;
        const char *name;
        const char *note;
    } cases[] = {
        {"8.8.8.8", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"81.2.69.142", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"10.1.2.3", MT_IP_CLASS_PRIVATE, "private", NULL},
        {"172.16.0.1", MT_IP_CLASS_PRIVATE, "private", NULL},
        {"172.31.255.255", MT_IP_CLASS_PRIVATE, "private", NULL},
        {"172.32.0.1", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"172.15.255.255", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"192.168.1.1", MT_IP_CLASS_PRIVATE, "private", NULL},
        {"127.0.0.1", MT_IP_CLASS_LOOPBACK, "loopback", NULL},
        {"127.255.255.254", MT_IP_CLASS_LOOPBACK, "loopback", NULL},
        {"169.254.10.1", MT_IP_CLASS_LINK_LOCAL, "link-local", NULL},
        {"100.64.0.1", MT_IP_CLASS_CGNAT, "cgnat", NULL},
        {"100.127.255.255", MT_IP_CLASS_CGNAT, "cgnat", NULL},
        {"100.128.0.1", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"192.0.2.5", MT_IP_CLASS_DOCUMENTATION, "documentation", NULL},
        {"198.51.100.7", MT_IP_CLASS_DOCUMENTATION, "documentation", NULL},
        {"203.0.113.9", MT_IP_CLASS_DOCUMENTATION, "documentation", NULL},
        {"224.0.0.251", MT_IP_CLASS_MULTICAST, "multicast", NULL},
        {"239.255.255.255", MT_IP_CLASS_MULTICAST, "multicast", NULL},
        {"240.0.0.1", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"255.255.255.255", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"0.1.2.3", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"0.0.0.0", MT_IP_CLASS_UNSPECIFIED, "unspecified", NULL},
        {"192.0.0.8", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"192.88.99.1", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"198.18.0.1", MT_IP_CLASS_BENCHMARK, "benchmark", NULL},
        {"198.19.255.255", MT_IP_CLASS_BENCHMARK, "benchmark", NULL},
        {"198.20.0.1", MT_IP_CLASS_PUBLIC, "public", NULL},

        {"::", MT_IP_CLASS_UNSPECIFIED, "unspecified", NULL},
        {"::1", MT_IP_CLASS_LOOPBACK, "loopback", NULL},
        {"fe80::1", MT_IP_CLASS_LINK_LOCAL, "link-local", NULL},
        {"febf:ffff::1", MT_IP_CLASS_LINK_LOCAL, "link-local", NULL},
        {"fec0::1", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"fc00::1", MT_IP_CLASS_PRIVATE, "private", "ula"},
        {"fd12:3456:789a::1", MT_IP_CLASS_PRIVATE, "private", "ula"},
        {"ff02::1", MT_IP_CLASS_MULTICAST, "multicast", NULL},
        {"2001:db8::1", MT_IP_CLASS_DOCUMENTATION, "documentation", NULL},
        {"3fff::1", MT_IP_CLASS_DOCUMENTATION, "documentation", NULL},
        {"2002:c000:204::1", MT_IP_CLASS_PUBLIC, "public", "6to4"},
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", MT_IP_CLASS_PUBLIC, "public",
         "teredo"},
        {"64:ff9b::8.8.8.8", MT_IP_CLASS_PUBLIC, "public", "nat64"},
        {"64:ff9b::10.0.0.1", MT_IP_CLASS_PRIVATE, "private", "nat64"},
        {"64:ff9b:1::1", MT_IP_CLASS_PRIVATE, "private", "nat64"},
        {"::ffff:8.8.8.8", MT_IP_CLASS_PUBLIC, "public", "ipv4-mapped"},
        {"::ffff:127.0.0.1", MT_IP_CLASS_LOOPBACK, "loopback", "ipv4-mapped"},
        {"::ffff:192.0.2.1", MT_IP_CLASS_DOCUMENTATION, "documentation",
         "ipv4-mapped"},
        {"2001:218:1::1", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"2a00:1450:4001:80b::200e", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"3ffe::1", MT_IP_CLASS_PUBLIC, "public", NULL},
        {"4000::1", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"::1.2.3.4", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"100::1", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"2001:2::1", MT_IP_CLASS_BENCHMARK, "benchmark", NULL},
        {"2001:10::1", MT_IP_CLASS_RESERVED, "reserved", NULL},
        {"2001:20::1", MT_IP_CLASS_RESERVED, "reserved", NULL},
    };

    for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
        MtIp ip;

        if (!mt_ip_parse(cases[k].ip, strlen(cases[k].ip), &ip))
            g_error("'%s' did not parse", cases[k].ip);
        if (mt_ip_classify(&ip) != cases[k].cls)
            g_error("%s: class %s, expected %s", cases[k].ip,
                    mt_ip_class_to_string(mt_ip_classify(&ip)), cases[k].name);
        g_assert_cmpstr(mt_ip_class_to_string(mt_ip_classify(&ip)), ==,
                        cases[k].name);
        g_assert_cmpstr(mt_ip_note(&ip), ==, cases[k].note);
    }
    g_assert_cmpstr(mt_ip_class_to_string((MtIpClass)99), ==, "unknown");
}

static MtCidr
cidr(const char *text)
{
    MtCidr c;

    if (!mt_cidr_parse(text, &c))
        g_error("CIDR '%s' did not parse", text);
    return c;
}

static gboolean
in(const char *net, const char *addr)
{
    MtCidr c = cidr(net);
    MtIp ip;

    if (!mt_ip_parse(addr, strlen(addr), &ip))
        g_error("'%s' did not parse", addr);
    return mt_cidr_contains(&c, &ip);
}

static void
assert_cidr_string(const char *text, const char *expect)
{
    MtCidr c = cidr(text);
    g_autofree char *s = mt_cidr_to_string(&c);

    g_assert_cmpstr(s, ==, expect);
}

static void
test_cidr(void)
{
    static const char *const bad[] = {
        "",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/08",
        "10.0.0.0/+8",
        "10.0.0.0/-1",
        "10.0.0.0/8/8",
        "10.0.0.0/1000",
        "10.0.0.0/ 8",
        "10.0.0.0 /8",
        "10.0.0/8",
        "fe80::1%eth0/64",
        "10.0.0.0/8 ",
    };
    MtCidr c;

    assert_cidr_string("10.0.0.0/8", "10.0.0.0/8");
    assert_cidr_string("10.1.2.3/8", "10.0.0.0/8");
    assert_cidr_string("192.0.2.1", "192.0.2.1/32");
    assert_cidr_string("0.0.0.0/0", "0.0.0.0/0");
    assert_cidr_string("2001:DB8::1", "2001:db8::1/128");
    assert_cidr_string("2001:db8:ffff::/33", "2001:db8:8000::/33");
    assert_cidr_string("fe80::/10", "fe80::/10");
    assert_cidr_string("::ffff:10.0.0.0/104", "10.0.0.0/8");
    assert_cidr_string("::ffff:0:0/96", "0.0.0.0/0");
    assert_cidr_string("::ffff:0:0/95", "::fffe:0:0/95");

    c = cidr("172.16.0.0/12");
    g_assert_cmpint(c.base.family, ==, MT_IP_FAMILY_V4);
    g_assert_cmpuint(c.prefix, ==, 12);

    g_assert_true(in("10.0.0.0/8", "10.255.1.2"));
    g_assert_false(in("10.0.0.0/8", "11.0.0.1"));
    g_assert_true(in("172.16.0.0/12", "172.31.255.255"));
    g_assert_false(in("172.16.0.0/12", "172.32.0.0"));
    g_assert_true(in("1.2.3.4/32", "1.2.3.4"));
    g_assert_false(in("1.2.3.4/32", "1.2.3.5"));
    g_assert_true(in("0.0.0.0/0", "255.255.255.255"));
    g_assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
    g_assert_false(in("2001:db8::/32", "2001:db9::1"));
    g_assert_true(in("fe80::/10", "febf::1"));
    g_assert_false(in("fe80::/10", "fec0::1"));
    g_assert_true(in("2001:db8::1", "2001:db8::1"));
    g_assert_false(in("2001:db8::1", "2001:db8::2"));

    /* The IPv4 and mapped spellings of one address match alike. */
    g_assert_true(in("10.0.0.0/8", "::ffff:10.1.1.1"));
    g_assert_true(in("::ffff:10.0.0.0/104", "10.9.9.9"));
    g_assert_true(in("::ffff:0:0/95", "10.9.9.9"));
    g_assert_true(in("::/0", "10.9.9.9"));
    g_assert_false(in("0.0.0.0/0", "2001:db8::1"));
    g_assert_false(in("2001:db8::/32", "10.0.0.1"));

    for (gsize k = 0; k < G_N_ELEMENTS(bad); k++) {
        if (mt_cidr_parse(bad[k], &c))
            g_error("CIDR '%s' parsed but must not", bad[k]);
        g_assert_cmpuint(c.prefix, ==, 0);
        g_assert_cmpint(c.base.family, ==, 0);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ipaddr/v4/valid", test_v4_valid);
    g_test_add_func("/ipaddr/v4/invalid", test_v4_invalid);
    g_test_add_func("/ipaddr/v6/valid", test_v6_valid);
    g_test_add_func("/ipaddr/v6/invalid", test_v6_invalid);
    g_test_add_func("/ipaddr/long-input", test_long_input);
    g_test_add_func("/ipaddr/against-libc", test_against_libc);
    g_test_add_func("/ipaddr/mapped", test_mapped);
    g_test_add_func("/ipaddr/embedded-v4", test_embedded_v4);
    g_test_add_func("/ipaddr/classify", test_classify);
    g_test_add_func("/ipaddr/cidr", test_cidr);
    return g_test_run();
}
