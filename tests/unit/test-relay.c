/* SPDX-License-Identifier: MIT */
/*
 * test-relay.c: unit tests for the relay analysis (analyzer/relay.c) and
 * its renderers (reports/json-relay.c, reports/text-relay.c). The helpers
 * (links, registrable domains, Exim ids, DKIM tags, --trusted-host) are
 * tested on their own; the analysis on the project's samples/ (expected
 * values from samples/README.md), on the fixtures in tests/data/relay/
 * (one point each, see the README there), and on reports built here in
 * memory (a chosen "now", 10,000 hops). Every finding id of the module has
 * a fixture that raises it and one that must not, and the ids are held
 * against doc/findings.yaml. GeoIP runs on the sample databases and on
 * MaxMind's test databases beside the source tree (skipped when absent).
 */
#include <stdio.h>
#include <string.h>

#include "mt-config.h"

#include "mailtrail-private.h"
#include "relay-private.h"
#include "reports.h"

/* These bounds only catch a runaway (quadratic) parse; valgrind runs
 * everything some 20 times slower (the valgrind test setup says so). */
#define SLOWDOWN (g_getenv("MT_UNDER_VALGRIND") ? 20 : 1)


static char *source_root;
static char *maxmind_dir;

/* A path under the source tree (main() makes sure there is one). */
static char *
source_path(const char *rel)
{
    return g_build_filename(source_root, rel, NULL);
}

static MtRawMessage *
raw_from_bytes(const char *path, char *data, gsize len)
{
    MtRawMessage *raw = g_new0(MtRawMessage, 1);

    raw->source.path = g_strdup(path);
    raw->source.format = MT_INPUT_FORMAT_EML;
    raw->source.size = len;
    raw->data = g_bytes_new_take(data, len);
    return raw;
}

/* Analyzes one message file of the source tree. */
static MtReport *
analyze_file(const char *rel, const MtOptions *options)
{
    g_autofree char *path = source_path(rel);
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    gsize len = 0;
    MtOptions defaults;
    MtRawMessage *raw;
    MtReport *report;

    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("%s: %s", path, error->message);
    if (options == NULL) {
        mt_options_init_default(&defaults);
        options = &defaults;
    }
    raw = raw_from_bytes(path, data, len);
    report = mt_analyze(raw, options);
    mt_raw_message_free(raw);
    g_assert_true(report->analyzed);
    return report;
}

/* A report made from header text here, with the Received headers read
 * as analyze.c reads them, and the relay analysis run at "now". */
static MtReport *
report_from_text(const char *text, gsize len, const MtOptions *options,
                 gint64 now)
{
    MtReport *report = mt_report_new_empty();
    MtLimits limits;
    MtOptions defaults;

    /* The header reader decodes RFC 2047 words with GMime. */
    mt_gmime_init();
    mt_limits_init_default(&limits);
    limits.max_headers = 100000;
    report->max_defects = limits.max_defects;
    if (options == NULL) {
        mt_options_init_default(&defaults);
        options = &defaults;
    }
    mt_headers_parse(report, (const guchar *)text, len, &limits);
    mt_summary_build(report);
    for (guint i = report->headers->len; i-- > 0;) {
        const MtHeader *h = report->headers->pdata[i];
        gboolean x = g_ascii_strcasecmp(h->name, "X-Received") == 0;
        MtHop *hop;

        if (!x && g_ascii_strcasecmp(h->name, "Received") != 0)
            continue;
        hop = g_new0(MtHop, 1);
        hop->received = mt_received_parse(h->value, h->value_len);
        hop->received->x_received = x;
        hop->header_index = (int)i;
        g_ptr_array_add(report->relay.hops, hop);
    }
    mt_relay_analyze_at(report, options, now);
    return report;
}

static const MtHop *
hop(const MtReport *report, guint index)
{
    g_assert_cmpuint(index, >=, 1);
    g_assert_cmpuint(index, <=, report->relay.hops->len);
    return report->relay.hops->pdata[index - 1];
}

static guint
count_findings(const MtReport *report, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        n += strcmp(f->id, id) == 0;
    }
    return n;
}

/* The first finding of id; the test fails when there is none. */
static const MtFinding *
finding(const MtReport *report, const char *id)
{
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (strcmp(f->id, id) == 0)
            return f;
    }
    g_error("no %s finding", id);
}

/* A hop's GeoIP record; the test fails when there is none. */
static const MtGeoRecord *
geo_of(const MtGeoRecord *g)
{
    if (g == NULL)
        g_error("no GeoIP record");
    return g;
}

static guint
count_relay_findings(const MtReport *report)
{
    guint n = 0;

    for (guint k = 0; mt_relay_finding_id(k, NULL) != NULL; k++)
        n += count_findings(report, mt_relay_finding_id(k, NULL));
    return n;
}

static void
assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        g_error("\"%s\" does not contain \"%s\"",
                haystack ? haystack : "(null)", needle);
}

/* ------------------------------------------------------------------ */
/* Helpers. */

static void
test_registrable_domain(void)
{
    static const struct {
        const char *host, *want;
    } cases[] = {
        {"mx1.example.org", "example.org"},
        {"MX1.Example.ORG.", "example.org"},
        {"mail.protection.outlook.com", "outlook.com"},
        {"AM0PR02CA0123.outlook.office365.com", "office365.com"},
        {"smtp.highway.ne.jp", "highway.ne.jp"},
        {"a.b.example.co.uk", "example.co.uk"},
        {"mail-sor-f41.google.com.", "google.com"},
        {"example.org", "example.org"},
        {"localhost", NULL},
        {"co.uk", NULL},
        {"[10.0.0.1]", NULL},
        {"10.0.0.1", NULL},
        {"2001:db8::1", NULL},
        {"unknown", NULL},
        {"bad name.example.com", NULL},
        {"bad..example.com", NULL},
        {"caf\xc3\xa9.example.com", NULL},
        {"", NULL},
        {NULL, NULL},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = mt_relay_registrable_domain(cases[i].host);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
}

/* A Received header with the given from and by parts. */
static MtReceived *
rcv(const char *text)
{
    return mt_received_parse(text, strlen(text));
}

typedef struct {
    const char *lower, *upper;
    MtLinkStatus status;
    const char *field, *basis, *domain;
} LinkCase;

static void
test_link(void)
{
    static const LinkCase cases[] = {
        /* Same address. */
        {"from a by mx1.example.org ([192.0.2.10]) with ESMTP; "
         "Tue, 3 Nov 2026 10:00:00 +0000",
         "from relay.example.net (relay.example.net [192.0.2.10]) by "
         "mbox.example.org; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_MATCH, "ip", "address", NULL},
        /* The rDNS name, case and a trailing dot aside. */
        {"from a by MX1.Example.Org with ESMTP; Tue, 3 Nov 2026 10:00:00 "
         "+0000",
         "from x (mx1.example.org. [10.20.0.15]) by mbox.example.org; Tue, "
         "3 Nov 2026 10:00:01 +0000",
         MT_LINK_MATCH, "rdns", "name", NULL},
        /* The HELO name only (Exim writes it as helo=). */
        {"from a by mail.example.com (Postfix) with ESMTP; Tue, 3 Nov 2026 "
         "10:00:00 +0000",
         "from mail.example.com ([216.160.83.56]:41822 helo=mail.example.com) "
         "by mx1.example.org with esmtps (Exim 4.96) id 1xOFHM-00Ixfx-0M; "
         "Tue, 03 Nov 2026 14:14:24 +0000",
         MT_LINK_MATCH, "rdns", "name", NULL},
        /* Another host of the same registrable domain: weak. */
        {"from a by mx1.example.org with ESMTP; Tue, 3 Nov 2026 10:00:00 "
         "+0000",
         "from filter3.example.org (filter3.example.org [10.20.0.33]) by "
         "mbox.example.org; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_WEAK, "rdns", "registrable-domain", "example.org"},
        /* A short Windows name against its full name. */
        {"from a by EXCH01 with ESMTP; Tue, 3 Nov 2026 10:00:00 +0000",
         "from exch01.ad.example.com (exch01.ad.example.com [10.40.1.12]) by "
         "smtp.example.com; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_WEAK, "rdns", "short-name", NULL},
        /* One provider's two domains. */
        {"from a by ms02222.mac.com with ESMTP; Tue, 3 Nov 2026 10:00:00 "
         "+0000",
         "from st11p02im-mail02525a.me.com (st11p02im-mail02525a.me.com "
         "[17.0.0.22]) by mx.example.org; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_WEAK, "rdns", "provider", "me.com"},
        /* A content filter hands the message back over loopback. */
        {"from a by mail.example.com (Postfix) with ESMTP; Tue, 3 Nov 2026 "
         "10:00:00 +0000",
         "from localhost (localhost [127.0.0.1]) by mail.example.com "
         "(Postfix) with ESMTP; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_MATCH, "ip", "loopback", NULL},
        /* amavis calls itself localhost. */
        {"from a by localhost (amavisd-new, port 10024) with ESMTP; Tue, 3 "
         "Nov 2026 10:00:00 +0000",
         "from mail.example.com (mail.example.com [216.160.83.56]) by "
         "mx.example.org; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_UNKNOWN, NULL, NULL, NULL},
        /* A bare internal name against a public one: not comparable. */
        {"from a by qwi4 with SMTP id 4so1; Tue, 3 Nov 2026 10:00:00 +0000",
         "from mail-qw0-f46.google.com (mail-qw0-f46.google.com "
         "[209.85.216.46]) by mx.example.org; Tue, 3 Nov 2026 10:00:01 "
         "+0000",
         MT_LINK_UNKNOWN, NULL, NULL, NULL},
        /* An internal suffix against a public name: not comparable. */
        {"from a by mailout.west.internal with ESMTP; Tue, 3 Nov 2026 "
         "10:00:00 +0000",
         "from wout2-smtp.messagingengine.com (wout2-smtp.messagingengine.com "
         "[64.147.123.25]) by mx.example.org; Tue, 3 Nov 2026 10:00:01 "
         "+0000",
         MT_LINK_UNKNOWN, NULL, NULL, NULL},
        /* Google's relay names itself by a 6to4 address of 10.5/16; the
         * next relay sees its public NAT address. */
        {"by 2002:a05:6a20:3c8a:b0:1d9:4e8a:77f2 with SMTP id x; Tue, 03 Nov "
         "2026 06:10:03 -0800 (PST)",
         "from mail-pj1-f41.google.com (mail-pj1-f41.google.com "
         "[209.85.216.41]) by mx1.example.org; Tue, 3 Nov 2026 14:10:04 "
         "+0000",
         MT_LINK_UNKNOWN, NULL, NULL, NULL},
        /* No client recorded above. */
        {"from a by mx1.example.org with ESMTP; Tue, 3 Nov 2026 10:00:00 "
         "+0000",
         "by mbox.example.org with SMTP id 42; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_UNKNOWN, NULL, NULL, NULL},
        /* No relay named below. */
        {"(qmail 4711 invoked by uid 89); Tue, 3 Nov 2026 10:00:00 +0000",
         "from mail.example.com (mail.example.com [216.160.83.56]) by "
         "mx.example.org; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_UNKNOWN, NULL, NULL, NULL},
        /* Two public names of different organisations. */
        {"from a by mail.example.com (Postfix) with ESMTP; Tue, 3 Nov 2026 "
         "10:00:00 +0000",
         "from attacker-vps.example.net ([175.16.199.10]:60211 "
         "helo=attacker-vps.example.net) by mx1.example.org with esmtp; "
         "Tue, 03 Nov 2026 15:20:05 +0000",
         MT_LINK_MISMATCH, NULL, NULL, NULL},
        /* The same label under another suffix is no match. */
        {"from a by mail.paypal.com with ESMTP; Tue, 3 Nov 2026 10:00:00 "
         "+0000",
         "from mail.paypal.net (mail.paypal.net [175.16.199.10]) by "
         "mx.example.org; Tue, 3 Nov 2026 10:00:01 +0000",
         MT_LINK_MISMATCH, NULL, NULL, NULL},
        /* Two public addresses that differ, and no names to compare. */
        {"from a by [192.0.2.1] with ESMTP; Tue, 3 Nov 2026 10:00:00 +0000",
         "from [198.51.100.7] by mx.example.org; Tue, 3 Nov 2026 10:00:01 "
         "+0000",
         MT_LINK_MISMATCH, NULL, NULL, NULL},
        /* IPv4-mapped and plain spellings of one address. */
        {"from a by relay.example.net ([::ffff:89.160.20.112]) with ESMTP; "
         "Tue, 3 Nov 2026 10:00:00 +0000",
         "from x ([89.160.20.112]) by mx.example.org; Tue, 3 Nov 2026 "
         "10:00:01 +0000",
         MT_LINK_MATCH, "ip", "address", NULL},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        MtReceived *lower = rcv(cases[i].lower);
        MtReceived *upper = rcv(cases[i].upper);
        MtLink link;

        mt_relay_link_hops(lower, upper, &link);
        if (link.status != cases[i].status)
            g_error("case %" G_GSIZE_FORMAT ": status %s, want %s", i,
                    mt_link_status_to_string(link.status),
                    mt_link_status_to_string(cases[i].status));
        g_assert_cmpstr(link.field, ==, cases[i].field);
        g_assert_cmpstr(link.basis, ==, cases[i].basis);
        g_assert_cmpstr(link.domain, ==, cases[i].domain);
        mt_relay_link_clear(&link);
        g_assert_null(link.domain);
        mt_received_free(lower);
        mt_received_free(upper);
    }
}

static void
test_exim_id(void)
{
    gint64 t = 0, alt = 0;
    gboolean has_alt = TRUE;

    /* Values checked by decoding the base-62 digits by hand. */
    g_assert_true(mt_relay_exim_id_time("1xOC82-0002LR-0f", &t, &has_alt,
                                        &alt));
    g_assert_cmpint(t, ==, 1793703154); /* 2026-11-03T10:52:34Z */
    g_assert_false(has_alt);
    g_assert_true(mt_relay_exim_id_time("1xOFHM-00Ixfx-0M", &t, &has_alt,
                                        &alt));
    g_assert_cmpint(t, ==, 1793715264);
    /* The Exim 4.97 form. */
    g_assert_true(mt_relay_exim_id_time("1xOFHM-00000000Ixf-0M0a", &t,
                                        &has_alt, &alt));
    g_assert_cmpint(t, ==, 1793715264);
    /* One letter case only: base 36 is possible too. */
    g_assert_true(mt_relay_exim_id_time("1XOFHM-00IXFX-0M", &t, &has_alt,
                                        &alt));
    g_assert_true(has_alt);
    g_assert_cmpint(alt, ==,
                    ((((1LL * 36 + 33) * 36 + 24) * 36 + 15) * 36 + 17) * 36 +
                        22);
    /* Not Exim ids: other shapes, and times Exim never wrote. */
    g_assert_false(mt_relay_exim_id_time("4R8kWn1Lq7z3xGv", &t, &has_alt,
                                         &alt));
    g_assert_false(mt_relay_exim_id_time("1xOC82_0002LR-0f", &t, &has_alt,
                                         &alt));
    g_assert_false(mt_relay_exim_id_time("1xOC82-0002LR-0", &t, &has_alt,
                                         &alt));
    g_assert_false(mt_relay_exim_id_time("000000-000000-FF", &t, &has_alt,
                                         &alt));
    g_assert_false(mt_relay_exim_id_time("zzzzzz-000000-aa", &t, &has_alt,
                                         &alt));
    g_assert_false(mt_relay_exim_id_time("1xO!82-0002LR-0f", &t, &has_alt,
                                         &alt));
    g_assert_false(mt_relay_exim_id_time(NULL, &t, &has_alt, &alt));
}

static void
test_tag_number(void)
{
    static const char sig[] =
        "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\n\ts=mo2026; "
        "t=1793715262;\n\tx = 1794320062 ;\n\tbh=BJXi0VC5=; h=From:To; "
        "b=KyC1";
    gint64 n = 0;

    g_assert_true(mt_relay_tag_number(sig, strlen(sig), "t", &n));
    g_assert_cmpint(n, ==, 1793715262);
    g_assert_true(mt_relay_tag_number(sig, strlen(sig), "x", &n));
    g_assert_cmpint(n, ==, 1794320062);
    g_assert_false(mt_relay_tag_number(sig, strlen(sig), "l", &n));
    /* "bh" is not "b", nor "h". */
    g_assert_false(mt_relay_tag_number(sig, strlen(sig), "h", &n));
    g_assert_false(mt_relay_tag_number("t=12a", 5, "t", &n));
    g_assert_false(mt_relay_tag_number("t=", 2, "t", &n));
    g_assert_false(mt_relay_tag_number("t=1234567890123", 15, "t", &n));
    g_assert_true(mt_relay_tag_number("t=123456789012", 14, "t", &n));
    g_assert_cmpint(n, ==, 123456789012);
    /* Only len bytes are read. */
    g_assert_false(mt_relay_tag_number("x=1; t=99", 4, "t", &n));
    g_assert_false(mt_relay_tag_number(";;;=;=;", 7, "t", &n));
}

static void
test_trusted_host_check(void)
{
    static const char *const good[] = {
        "mx1.example.org", "example.org", ".example.org", "example.org.",
        "EXCH01",          "10.20.0.0/16", "10.20.0.15", "2603:10a6::/32",
        "::ffff:10.0.0.0/104", "relay_1.example.com",
    };
    static const char *const bad[] = {
        "",      "a b",      "10.1", "10.20.0.0/33", "2001:db8::/129",
        "x/8",   "a..b",     "..",   "host:25",      "caf\xc3\xa9.example",
        "10.0.0.0/08",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(GError) error = NULL;
        if (!mt_trusted_host_check(good[i], &error))
            g_error("'%s' refused: %s", good[i], error->message);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        if (mt_trusted_host_check(bad[i], &error))
            g_error("'%s' accepted", bad[i]);
        g_assert_error(error, MT_ERROR, MT_ERROR_PARSE);
        assert_contains(error->message, "is not");
    }
}

static void
test_names(void)
{
    g_assert_cmpstr(mt_trust_to_string(MT_TRUST_TRUSTED), ==, "trusted");
    g_assert_cmpstr(mt_trust_to_string(MT_TRUST_BOUNDARY), ==, "boundary");
    g_assert_cmpstr(mt_trust_to_string(MT_TRUST_CLAIMED), ==, "claimed");
    g_assert_null(mt_trust_to_string(MT_TRUST_UNKNOWN));
    g_assert_cmpstr(mt_link_status_to_string(MT_LINK_MISMATCH), ==,
                    "mismatch");
    g_assert_cmpstr(mt_hop_flag_to_string(MT_HOP_FLAG_X_RECEIVED), ==,
                    "x-received");
    g_assert_cmpstr(mt_hop_flag_to_string(MT_HOP_FLAG_ID_TIME_MISMATCH), ==,
                    "id-time-mismatch");
    g_assert_null(mt_hop_flag_to_string((MtHopFlag)3));
    g_assert_null(mt_hop_flag_to_string((MtHopFlag)(1u << MT_HOP_FLAG_COUNT)));
    for (guint bit = 0; bit < MT_HOP_FLAG_COUNT; bit++)
        g_assert_nonnull(mt_hop_flag_to_string((MtHopFlag)(1u << bit)));
}

/* ------------------------------------------------------------------ */
/* The samples, against samples/README.md. */

static void
test_sample_plain(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/plain.eml", NULL);
    const MtRelay *relay;

    relay = &r->relay;
    g_assert_cmpuint(relay->hops->len, ==, 4);
    g_assert_cmpint(relay->boundary_hop, ==, 3);
    g_assert_cmpstr(relay->trust_source, ==, "recipient-domain");
    g_assert_cmpuint(relay->trusted_domains->len, ==, 1);
    g_assert_cmpstr(relay->trusted_domains->pdata[0], ==, "example.org");
    g_assert_cmpint(hop(r, 1)->trust, ==, MT_TRUST_CLAIMED);
    g_assert_cmpint(hop(r, 2)->trust, ==, MT_TRUST_CLAIMED);
    g_assert_cmpint(hop(r, 3)->trust, ==, MT_TRUST_BOUNDARY);
    g_assert_cmpint(hop(r, 4)->trust, ==, MT_TRUST_TRUSTED);
    /* Origin 216.160.83.56, recorded by the organisation's MX. */
    g_assert_cmpstr(relay->origin.ip, ==, "216.160.83.56");
    g_assert_cmpint(relay->origin.hop, ==, 3);
    g_assert_cmpint(relay->origin.header_index, ==, hop(r, 3)->header_index);
    g_assert_cmpstr(relay->origin.host, ==, "mail-out.example.com");
    g_assert_true(relay->origin.verified);
    assert_contains(relay->origin.reason, "hop 1 (10.1.30.57 is private)");
    assert_contains(relay->origin.reason, "hop 2 (10.1.4.20 is private)");
    assert_contains(relay->boundary_reason, "Hop 3 (by mx1.example.org)");
    /* Delays of 1 to 2 s; 2 s from Date to the first hop, 7 s in all. */
    g_assert_false(hop(r, 1)->has_delay);
    g_assert_cmpint(hop(r, 2)->delay_s, ==, 1);
    g_assert_cmpint(hop(r, 3)->delay_s, ==, 2);
    g_assert_cmpint(hop(r, 4)->delay_s, ==, 2);
    g_assert_cmpint(relay->total_transit_s, ==, 5);
    g_assert_cmpint(relay->date_vs_first_hop_s, ==, 2);
    g_assert_cmpint(relay->date_vs_last_hop_s, ==, 7);
    /* Sendmail's version is not an address. */
    g_assert_cmpint(hop(r, 4)->ip_class, ==, MT_IP_CLASS_PRIVATE);
    g_assert_cmpstr(hop(r, 4)->received->from_ip, ==, "10.20.0.15");
    for (guint i = 2; i <= 4; i++) {
        g_assert_cmpint(hop(r, i)->link.status, ==, MT_LINK_MATCH);
        g_assert_cmpstr(hop(r, i)->link.field, ==, "rdns");
    }
    /* DKIM t= and the Exim id agree with the hops. */
    g_assert_cmpuint(relay->timestamps->len, ==, 2);
    for (guint i = 0; i < relay->timestamps->len; i++) {
        const MtRelayTimestamp *t = relay->timestamps->pdata[i];
        g_assert_cmpstr(t->status, ==, "consistent");
    }
    g_assert_cmpuint(relay->claimed_origins->len, ==, 0);
    g_assert_false(relay->geoip_available);
    g_assert_null(hop(r, 3)->geo);
    g_assert_cmpuint(count_relay_findings(r), ==, 0);
}

static void
test_sample_japanese(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/japanese.eml", NULL);

    g_assert_cmpuint(r->relay.hops->len, ==, 3);
    g_assert_cmpstr(r->relay.origin.ip, ==, "210.130.20.5");
    g_assert_cmpint(r->relay.origin.hop, ==, 2);
    g_assert_true(r->relay.origin.verified);
    /* The LMTP delivery on mail.kogures.com carries trust down. */
    g_assert_cmpint(r->relay.boundary_hop, ==, 2);
    assert_contains(r->relay.boundary_reason, "LMTP");
    g_assert_cmpint(hop(r, 1)->ip_class, ==, MT_IP_CLASS_PRIVATE);
    g_assert_cmpint(hop(r, 2)->delay_s, ==, 2);
    g_assert_cmpint(hop(r, 3)->delay_s, ==, 1);
    g_assert_cmpuint(count_relay_findings(r), ==, 0);
}

static void
test_sample_attachment(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/attachment.eml", NULL);

    g_assert_cmpuint(r->relay.hops->len, ==, 6);
    g_assert_cmpstr(r->relay.origin.ip, ==, "2001:218:1::1");
    g_assert_cmpint(r->relay.origin.hop, ==, 2);
    g_assert_cmpint(r->relay.boundary_hop, ==, 2);
    /* Exchange Online's names change between by and from: the
     * addresses tie the hops together, no chain break. */
    for (guint i = 3; i <= 6; i++) {
        g_assert_cmpint(hop(r, i)->link.status, ==, MT_LINK_MATCH);
        g_assert_cmpint(hop(r, i)->trust, ==, MT_TRUST_TRUSTED);
        g_assert_cmpint(hop(r, i)->delay_s, ==, 1);
    }
    g_assert_cmpstr(hop(r, 3)->link.field, ==, "ip");
    g_assert_cmpint(hop(r, 2)->delay_s, ==, 3);
    g_assert_cmpint(count_findings(r, "received-chain-break"), ==, 0);
    g_assert_cmpuint(count_relay_findings(r), ==, 0);
}

static void
test_sample_phishing(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/phishing.eml", NULL);
    const MtFinding *f;
    const MtClaimedOrigin *c;

    g_assert_cmpuint(r->relay.hops->len, ==, 4);
    g_assert_true(hop(r, 3)->received->x_received);
    g_assert_true(hop(r, 3)->flags & MT_HOP_FLAG_X_RECEIVED);
    /* Origin 175.16.199.10 via 89.160.20.112: Google's MX is the
     * boundary, reached through Google's internal hand-offs. */
    g_assert_cmpint(r->relay.boundary_hop, ==, 2);
    g_assert_cmpstr(r->relay.origin.ip, ==, "175.16.199.10");
    g_assert_cmpint(r->relay.origin.hop, ==, 1);
    g_assert_false(r->relay.origin.verified);
    g_assert_cmpint(r->relay.origin.trust, ==, MT_TRUST_CLAIMED);
    assert_contains(r->relay.origin.reason, "89.160.20.112");
    /* Time runs backwards: -298 s at Google, the relay's clock is ahead
     * by about five minutes. */
    g_assert_cmpint(hop(r, 2)->delay_s, ==, -298);
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_NEGATIVE_DELAY);
    g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_CLOCK_FAST);
    f = finding(r, "received-clock-skew-host");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 1);
    g_assert_cmpint(f->evidence.header_index, ==, hop(r, 1)->header_index);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_MEDIUM);
    assert_contains(f->message, "smtp3.nordvik-hosting.example");
    assert_contains(f->message, "ahead by between 298 s");
    f = finding(r, "received-negative-delay");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 2);
    g_assert_cmpint(count_findings(r, "received-negative-delay"), ==, 1);
    g_assert_cmpint(r->relay.total_transit_s, ==, -297);
    g_assert_cmpint(r->relay.date_vs_first_hop_s, ==, 305);
    /* X-Originating-IP is only a claim. */
    g_assert_cmpuint(r->relay.claimed_origins->len, ==, 1);
    c = r->relay.claimed_origins->pdata[0];
    g_assert_cmpstr(c->header, ==, "X-Originating-IP");
    g_assert_cmpstr(c->ip, ==, "81.2.69.142");
    g_assert_cmpint(c->hop, ==, 0);
    f = finding(r, "originating-ip-claimed");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.header_index, ==, c->header_index);
    assert_contains(f->message, "175.16.199.10");
    /* The Exim id, the Gmail id and ARC-Seal t= all agree. */
    g_assert_cmpuint(r->relay.timestamps->len, ==, 3);
    g_assert_cmpint(count_findings(r, "received-timestamp-contradiction"),
                    ==, 0);
    g_assert_cmpint(count_findings(r, "received-chain-break"), ==, 0);
    /* Google's by 2002:a05:... addresses wrap 10.5.x.x. */
    g_assert_null(hop(r, 4)->received->from_ip);
}

static void
test_sample_mailbox(void)
{
    g_autofree char *path = source_path("samples/mailbox.mbox");
    g_autoptr(GError) error = NULL;
    g_autofree char *data = NULL;
    g_autoptr(GPtrArray) msgs = NULL;
    static const char *const origins[] = {
        "1.128.0.1", "12.81.92.1", "89.160.20.112", NULL, "81.2.69.142",
    };
    MtLimits limits;
    MtOptions options;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("%s", error->message);
    mt_limits_init_default(&limits);
    mt_options_init_default(&options);
    msgs = mt_mbox_split_bytes(path, data, len, &limits);
    g_assert_cmpuint(msgs->len, ==, 5);
    for (guint i = 0; i < msgs->len; i++) {
        g_autoptr(MtReport) r = mt_analyze(msgs->pdata[i], &options);

        g_assert_cmpstr(r->relay.origin.ip, ==, origins[i]);
        g_assert_cmpuint(count_relay_findings(r), ==, 0);
        if (i == 0) {
            /* "Tomorrow" in +1100, 4 s before its first hop. */
            g_assert_cmpint(r->relay.date_vs_first_hop_s, ==, 4);
        } else if (i == 2) {
            /* The Exchange server hands the message to itself. */
            g_assert_cmpint(hop(r, 2)->link.status, ==, MT_LINK_MATCH);
            g_assert_cmpint(r->relay.origin.hop, ==, 3);
        } else if (i == 3) {
            /* Internal only: the Nagios host's local submission. */
            g_assert_cmpint(r->relay.boundary_hop, ==, 1);
            g_assert_cmpint(r->relay.origin.hop, ==, 0);
            assert_contains(r->relay.origin.reason,
                            "No public client address");
            g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_LOCAL);
        }
        mt_raw_message_free(msgs->pdata[i]);
        msgs->pdata[i] = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* The fixtures in tests/data/relay/. */

static MtReport *
fixture(const char *name, const MtOptions *options)
{
    g_autofree char *rel = g_strdup_printf("tests/data/relay/%s", name);

    return analyze_file(rel, options);
}

static void
test_gmail_sent(void)
{
    g_autoptr(MtReport) r = fixture("gmail-sent.eml", NULL);
    const MtRelayTimestamp *t;

    g_assert_cmpuint(r->relay.hops->len, ==, 4);
    /* Webmail over HTTP, then Google's internal SMTP hand-off: neither
     * names a client, and neither breaks the chain. */
    g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_LOCAL);
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_X_RECEIVED);
    g_assert_cmpint(hop(r, 2)->link.status, ==, MT_LINK_UNKNOWN);
    g_assert_cmpint(hop(r, 3)->link.status, ==, MT_LINK_UNKNOWN);
    g_assert_cmpint(hop(r, 4)->link.status, ==, MT_LINK_MATCH);
    g_assert_cmpint(r->relay.boundary_hop, ==, 3);
    g_assert_cmpstr(r->relay.origin.ip, ==, "209.85.216.41");
    g_assert_true(r->relay.origin.verified);
    g_assert_false(hop(r, 2)->has_ip_class);
    for (guint i = 2; i <= 4; i++)
        g_assert_cmpint(hop(r, i)->delay_s, ==, 1);
    /* DKIM t= and x=, the Gmail id's milliseconds and the Exim id. */
    g_assert_cmpuint(r->relay.timestamps->len, ==, 4);
    t = r->relay.timestamps->pdata[0];
    g_assert_cmpstr(t->source, ==, "dkim-t");
    g_assert_cmpint(t->hop, ==, 3);
    g_assert_cmpint(t->delta_s, ==, -1);
    t = r->relay.timestamps->pdata[2];
    g_assert_cmpstr(t->source, ==, "google-id");
    g_assert_cmpint(t->timestamp, ==, 1793715003);
    g_assert_cmpint(t->hop, ==, 2);
    for (guint i = 0; i < r->relay.timestamps->len; i++)
        g_assert_cmpstr(((MtRelayTimestamp *)r->relay.timestamps->pdata[i])
                            ->status,
                        ==, "consistent");
    g_assert_cmpuint(count_relay_findings(r), ==, 0);
}

static void
test_microsoft_internal(void)
{
    g_autoptr(MtReport) r = fixture("microsoft-internal.eml", NULL);

    g_assert_cmpuint(r->relay.hops->len, ==, 6);
    /* EOP's front end writes its internal 10.167/16 address; the next
     * hop knows it by its HELO name and an address in the same
     * 2603:10a6:10::/48 as its own: trust carries down to EOP. */
    g_assert_cmpint(hop(r, 4)->link.status, ==, MT_LINK_WEAK);
    g_assert_cmpstr(hop(r, 4)->link.field, ==, "helo");
    g_assert_cmpstr(hop(r, 4)->link.domain, ==, "outlook.com");
    g_assert_cmpint(hop(r, 5)->link.status, ==, MT_LINK_MATCH);
    g_assert_cmpstr(hop(r, 5)->link.field, ==, "ip");
    g_assert_cmpint(r->relay.boundary_hop, ==, 3);
    g_assert_cmpstr(r->relay.origin.ip, ==, "89.160.20.112");
    g_assert_cmpint(r->relay.origin.hop, ==, 3);
    g_assert_true(r->relay.origin.verified);
    /* The on-premises Exchange hands the message to itself. */
    g_assert_cmpint(hop(r, 2)->link.status, ==, MT_LINK_MATCH);
    g_assert_cmpint(hop(r, 2)->trust, ==, MT_TRUST_CLAIMED);
    g_assert_cmpint(hop(r, 6)->trust, ==, MT_TRUST_TRUSTED);
    g_assert_cmpuint(count_relay_findings(r), ==, 0);
}

static void
test_negative_delay(void)
{
    g_autoptr(MtReport) r = fixture("negative-delay.eml", NULL);
    const MtFinding *f;

    g_assert_cmpint(hop(r, 3)->delay_s, ==, -40);
    g_assert_true(hop(r, 3)->has_delay);
    g_assert_true(hop(r, 3)->flags & MT_HOP_FLAG_NEGATIVE_DELAY);
    f = finding(r, "received-negative-delay");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_LOW);
    g_assert_cmpint(f->evidence.hop, ==, 3);
    g_assert_cmpint(f->evidence.header_index, ==, hop(r, 3)->header_index);
    {
        const MtHeader *h = r->headers->pdata[hop(r, 3)->header_index];
        g_assert_cmpint(f->evidence.offset, ==, (gint64)h->offset);
    }
    assert_contains(f->message, "-40 s");
    /* The mailbox server is 40 s behind, but only against one
     * neighbour: no host can be named. */
    g_assert_cmpint(count_findings(r, "received-clock-skew-host"), ==, 0);
    g_assert_cmpint(r->relay.total_transit_s, ==, -38);
}

static void
test_clock_skew(void)
{
    g_autoptr(MtReport) r = fixture("clock-skew.eml", NULL);
    const MtFinding *f;

    g_assert_cmpint(hop(r, 2)->delay_s, ==, 601);
    g_assert_cmpint(hop(r, 3)->delay_s, ==, -598);
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_CLOCK_FAST);
    g_assert_false(hop(r, 3)->flags & MT_HOP_FLAG_CLOCK_FAST);
    g_assert_cmpint(count_findings(r, "received-clock-skew-host"), ==, 1);
    f = finding(r, "received-clock-skew-host");
    g_assert_cmpint(f->evidence.hop, ==, 2);
    assert_contains(f->message, "relay.example.com");
    assert_contains(f->message, "ahead by between 598 s");
    assert_contains(f->message, "and 601 s");
    g_assert_cmpint(count_findings(r, "received-negative-delay"), ==, 1);
    /* 601 s is no large delay. */
    g_assert_cmpint(count_findings(r, "received-large-delay"), ==, 0);
}

static void
test_forged_lower(void)
{
    g_autoptr(MtReport) r = fixture("forged-lower.eml", NULL);
    const MtFinding *f;

    g_assert_cmpint(r->relay.boundary_hop, ==, 3);
    g_assert_cmpint(hop(r, 3)->link.status, ==, MT_LINK_MISMATCH);
    g_assert_cmpstr(hop(r, 3)->link.kind, ==, "forged");
    g_assert_true(hop(r, 3)->flags & MT_HOP_FLAG_CHAIN_BREAK);
    f = finding(r, "received-chain-break");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 3);
    assert_contains(f->message, "Forged lower part");
    assert_contains(f->message, "175.16.199.10");
    assert_contains(f->message, "mail.example.com");
    /* The origin is what the MX saw, not the claimed 216.160.83.56. */
    g_assert_cmpstr(r->relay.origin.ip, ==, "175.16.199.10");
    g_assert_cmpint(r->relay.origin.hop, ==, 3);
    g_assert_true(r->relay.origin.verified);
    assert_contains(r->relay.origin.reason, "below a chain break at hop 3");
    g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_BELOW_BREAK);
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_BELOW_BREAK);
    g_assert_false(hop(r, 3)->flags & MT_HOP_FLAG_BELOW_BREAK);
    g_assert_cmpint(count_findings(r, "received-chain-break"), ==, 1);
}

static void
test_gap(void)
{
    g_autoptr(MtReport) r = fixture("gap.eml", NULL);
    const MtFinding *f;

    g_assert_cmpint(hop(r, 2)->link.status, ==, MT_LINK_MISMATCH);
    g_assert_cmpstr(hop(r, 2)->link.kind, ==, "gap");
    /* The appliance is on the internal network: both hops are the
     * organisation's. */
    g_assert_cmpint(r->relay.boundary_hop, ==, 1);
    f = finding(r, "received-chain-break");
    g_assert_nonnull(f);
    assert_contains(f->message, "Gap in the trail at hop 2");
    g_assert_cmpstr(r->relay.origin.ip, ==, "89.160.20.112");
}

static void
test_ipv6(void)
{
    g_autoptr(MtReport) r = fixture("ipv6.eml", NULL);

    g_assert_cmpuint(r->relay.hops->len, ==, 4);
    g_assert_cmpstr(hop(r, 1)->received->from_ip, ==, "fd12:3456:789a::10");
    g_assert_cmpint(hop(r, 1)->ip_class, ==, MT_IP_CLASS_PRIVATE);
    g_assert_cmpstr(hop(r, 1)->ip_note, ==, "ula");
    g_assert_cmpstr(hop(r, 2)->received->from_ip, ==, "2001:218:1::1");
    g_assert_cmpint(hop(r, 2)->ip_class, ==, MT_IP_CLASS_PUBLIC);
    g_assert_null(hop(r, 2)->ip_note);
    /* The parser writes ::ffff:10.20.0.15 as the IPv4 address. */
    g_assert_cmpstr(hop(r, 3)->received->from_ip, ==, "10.20.0.15");
    g_assert_cmpint(hop(r, 3)->ip_class, ==, MT_IP_CLASS_PRIVATE);
    g_assert_cmpint(hop(r, 4)->ip_class, ==, MT_IP_CLASS_LINK_LOCAL);
    g_assert_cmpstr(r->relay.origin.ip, ==, "2001:218:1::1");
    g_assert_cmpint(r->relay.origin.hop, ==, 2);
    g_assert_cmpint(r->relay.boundary_hop, ==, 2);
    g_assert_cmpint(r->relay.total_transit_s, ==, 4);
    g_assert_cmpuint(count_relay_findings(r), ==, 0);
}

static void
test_private_external(void)
{
    g_autoptr(MtReport) r = fixture("private-external.eml", NULL);
    const MtFinding *f;

    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_PRIVATE_IP_EXTERNAL);
    f = finding(r, "received-private-ip-external");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 2);
    assert_contains(f->message, "10.9.8.7");
    assert_contains(f->message, "example.net");
    /* The private address does not pull the sender inside. */
    g_assert_cmpint(r->relay.boundary_hop, ==, 2);
    g_assert_cmpint(hop(r, 1)->trust, ==, MT_TRUST_CLAIMED);
    g_assert_null(r->relay.origin.ip);
    g_assert_cmpint(r->relay.origin.hop, ==, 0);
}

static MtOptions
options_trusting(GPtrArray *hosts)
{
    MtOptions o;

    mt_options_init_default(&o);
    o.trusted_hosts = hosts;
    return o;
}

static void
test_filter_gateway(void)
{
    static const struct {
        const char *hosts[3];
        int boundary;
        gboolean verified;
        const char *source;
    } cases[] = {
        /* Inferred: the filter is in another domain. */
        {{NULL}, 3, FALSE, "recipient-domain"},
        /* The organisation's own domain only: the same. */
        {{"example.org", NULL}, 3, FALSE, "trusted-host"},
        /* The filter's network and the domain. */
        {{"example.org", "81.2.69.160/29", NULL}, 2, TRUE, "trusted-host"},
        /* The network alone: the top hop received from it. */
        {{"81.2.69.160/29", NULL}, 2, TRUE, "trusted-host"},
        /* Its name as a domain covers the host. */
        {{"filter.example.net", "mx.example.org", NULL}, 2, TRUE,
         "trusted-host"},
        /* A network that is not there: nothing is trusted. */
        {{"192.0.2.0/24", NULL}, 0, FALSE, "trusted-host"},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GPtrArray) hosts = g_ptr_array_new();
        MtOptions o;
        g_autoptr(MtReport) r = NULL;

        for (guint k = 0; cases[i].hosts[k] != NULL; k++)
            g_ptr_array_add(hosts, (gpointer)cases[i].hosts[k]);
        o = options_trusting(hosts);
        r = fixture("filter-gateway.eml", &o);
        if (r->relay.boundary_hop != cases[i].boundary)
            g_error("case %" G_GSIZE_FORMAT ": boundary %d, want %d", i,
                    r->relay.boundary_hop, cases[i].boundary);
        g_assert_cmpstr(r->relay.trust_source, ==, cases[i].source);
        g_assert_cmpstr(r->relay.origin.ip, ==, "89.160.20.112");
        g_assert_cmpint(r->relay.origin.hop, ==, 2);
        g_assert_cmpint(r->relay.origin.verified, ==, cases[i].verified);
        if (cases[i].boundary == 0) {
            for (guint h = 1; h <= 3; h++)
                g_assert_cmpint(hop(r, h)->trust, ==, MT_TRUST_CLAIMED);
            assert_contains(r->relay.boundary_reason, "No hop was written");
        }
        if (hosts->len > 0)
            g_assert_cmpuint(r->relay.trusted_domains->len, ==, hosts->len);
    }
}

static void
test_trusted_host_plain(void)
{
    static const char *const specs[] = {
        "example.org", "mx1.example.org", "10.20.0.0/16", "EXAMPLE.ORG.",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(specs); i++) {
        g_autoptr(GPtrArray) hosts = g_ptr_array_new();
        MtOptions o;
        g_autoptr(MtReport) r = NULL;

        g_ptr_array_add(hosts, (gpointer)specs[i]);
        o = options_trusting(hosts);
        r = analyze_file("samples/plain.eml", &o);
        g_assert_cmpint(r->relay.boundary_hop, ==, 3);
        g_assert_cmpstr(r->relay.trust_source, ==, "trusted-host");
        g_assert_cmpint(hop(r, 4)->trust, ==, MT_TRUST_TRUSTED);
        g_assert_true(r->relay.origin.verified);
    }
    /* The sender's domain: its submission relays become the
     * organisation, and the final relays above are untrusted. */
    {
        g_autoptr(GPtrArray) hosts = g_ptr_array_new();
        MtOptions o;
        g_autoptr(MtReport) r = NULL;

        g_ptr_array_add(hosts, (gpointer) "example.com");
        o = options_trusting(hosts);
        r = analyze_file("samples/plain.eml", &o);
        g_assert_cmpint(r->relay.boundary_hop, ==, 0);
    }
}

static void
test_large_delay(void)
{
    g_autoptr(MtReport) r = fixture("large-delay.eml", NULL);
    const MtFinding *f;

    g_assert_cmpint(hop(r, 2)->delay_s, ==, 3 * 3600 + 2);
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_LARGE_DELAY);
    f = finding(r, "received-large-delay");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 2);
    assert_contains(f->message, "10802 s (3 h 0 min 2 s)");
}

static void
test_date_future(void)
{
    g_autoptr(MtReport) r = fixture("date-future.eml", NULL);

    g_assert_cmpint(count_findings(r, "received-date-future"), ==, 2);
    g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_DATE_FUTURE);
    g_assert_cmpint(finding(r, "received-date-future")->evidence.hop, ==, 1);
    assert_contains(finding(r, "received-date-future")->message,
                    "2099-11-13T14:00:03Z");
}

/* "Now" is the analysis time: the same header is in the future before
 * the date it carries and not after. */
static void
test_now(void)
{
    static const char text[] =
        "Received: from mail.example.com (mail.example.com [216.160.83.56])\n"
        " by mx1.example.org (Postfix) with ESMTPS id 4R9Zz;\n"
        " Tue, 3 Nov 2026 14:00:00 +0000\n"
        "Subject: now\n\n";
    const gint64 stamp = 1793714400; /* 2026-11-03T14:00:00Z */

    {
        g_autoptr(MtReport) r =
            report_from_text(text, sizeof(text) - 1, NULL, stamp - 3600);
        g_assert_cmpint(count_findings(r, "received-date-future"), ==, 1);
        assert_contains(finding(r, "received-date-future")->message,
                        "3600 s (1 h 0 min 0 s) after");
    }
    {
        /* Within the 15 minute allowance. */
        g_autoptr(MtReport) r = report_from_text(
            text, sizeof(text) - 1, NULL,
            stamp - MT_RELAY_FUTURE_TOLERANCE_S);
        g_assert_cmpint(count_findings(r, "received-date-future"), ==, 0);
    }
    {
        g_autoptr(MtReport) r =
            report_from_text(text, sizeof(text) - 1, NULL, stamp + 86400);
        g_assert_cmpint(count_findings(r, "received-date-future"), ==, 0);
        g_assert_cmpint(r->relay.boundary_hop, ==, 1);
        g_assert_cmpstr(r->relay.trust_source, ==, "top-hop");
    }
}

static void
test_date_skew(void)
{
    g_autoptr(MtReport) r = fixture("date-skew.eml", NULL);
    const MtFinding *f;

    g_assert_cmpint(r->relay.date_vs_first_hop_s, ==, -7199);
    g_assert_cmpint(r->relay.date_vs_last_hop_s, ==, -7198);
    f = finding(r, "date-received-skew");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 1);
    assert_contains(f->message, "later than");
}

static void
test_no_received(void)
{
    g_autoptr(MtReport) r = fixture("no-received.eml", NULL);
    const MtFinding *f;

    g_assert_cmpuint(r->relay.hops->len, ==, 0);
    f = finding(r, "received-missing");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_MEDIUM);
    g_assert_cmpint(f->evidence.hop, ==, -1);
    g_assert_cmpint(f->evidence.header_index, ==, -1);
    g_assert_cmpint(r->relay.boundary_hop, ==, 0);
    g_assert_null(r->relay.origin.ip);
    g_assert_null(r->relay.boundary_reason);
    g_assert_false(r->relay.has_total_transit);
    g_assert_false(r->relay.has_date_vs_first_hop);
}

static void
test_unparsable(void)
{
    g_autoptr(MtReport) r = fixture("unparsable.eml", NULL);
    const MtFinding *f;

    g_assert_cmpuint(r->relay.hops->len, ==, 3);
    f = finding(r, "received-unparsable");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 2);
    assert_contains(f->message, "oh no");
    f = finding(r, "received-unparsed-text");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 1);
    assert_contains(f->message, "the-filter 2.1");
    g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_UNPARSED);
    /* The empty stamp does not count as a missing date as well, and the
     * walk looks past it: the MX is still the boundary. */
    g_assert_cmpint(count_findings(r, "received-date-missing"), ==, 0);
    g_assert_cmpint(r->relay.boundary_hop, ==, 1);
    g_assert_true(r->relay.origin.verified);
    /* Delays are null around the hop without a date. */
    g_assert_false(hop(r, 2)->has_delay);
    g_assert_false(hop(r, 3)->has_delay);
}

static void
test_odd_dates(void)
{
    g_autoptr(MtReport) r = fixture("odd-dates.eml", NULL);
    const MtFinding *f;

    f = finding(r, "received-date-missing");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 1);
    g_assert_true(hop(r, 1)->flags & MT_HOP_FLAG_NO_DATE);
    f = finding(r, "received-impossible-offset");
    g_assert_nonnull(f);
    g_assert_cmpint(f->evidence.hop, ==, 2);
    assert_contains(f->message, "+9900");
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_BAD_OFFSET);
    g_assert_false(hop(r, 2)->has_delay);
}

static void
test_timestamps(void)
{
    g_autoptr(MtReport) r = fixture("timestamps.eml", NULL);
    const MtRelayTimestamp *t;

    g_assert_cmpint(count_findings(r, "received-timestamp-contradiction"),
                    ==, 3);
    g_assert_cmpuint(r->relay.timestamps->len, ==, 3);
    t = r->relay.timestamps->pdata[0];
    g_assert_cmpstr(t->source, ==, "dkim-t");
    g_assert_cmpstr(t->status, ==, "contradiction");
    g_assert_cmpint(t->hop, ==, 2);
    g_assert_cmpint(t->delta_s, ==, 7200);
    t = r->relay.timestamps->pdata[1];
    g_assert_cmpstr(t->source, ==, "dkim-x");
    g_assert_cmpstr(t->status, ==, "contradiction");
    t = r->relay.timestamps->pdata[2];
    g_assert_cmpstr(t->source, ==, "exim-id");
    g_assert_cmpstr(t->status, ==, "contradiction");
    g_assert_cmpint(t->delta_s, ==, -12905);
    g_assert_true(hop(r, 2)->flags & MT_HOP_FLAG_ID_TIME_MISMATCH);
    assert_contains(finding(r, "received-timestamp-contradiction")->message,
                    "DKIM-Signature t= is 7200 s");
}

static void
test_dkim_old(void)
{
    g_autoptr(MtReport) r = fixture("dkim-old.eml", NULL);
    const MtFinding *f;

    f = finding(r, "received-dkim-old");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_LOW);
    g_assert_cmpint(f->evidence.hop, ==, -1);
    g_assert_cmpstr(((const MtHeader *)r->headers->pdata[f->evidence
                                                            .header_index])
                        ->name,
                    ==, "DKIM-Signature");
    g_assert_cmpint(count_findings(r, "received-timestamp-contradiction"),
                    ==, 0);
}

static void
test_claimed_origins(void)
{
    g_autoptr(MtReport) r = fixture("claimed-origins.eml", NULL);
    const GPtrArray *c;
    const MtClaimedOrigin *o;

    c = r->relay.claimed_origins;
    /* X-Originating-IP, then X-Forwarded-For's two addresses: the
     * repeated one and the word that is no address are dropped. */
    g_assert_cmpuint(c->len, ==, 3);
    o = c->pdata[0];
    g_assert_cmpstr(o->header, ==, "X-Originating-IP");
    g_assert_cmpstr(o->ip, ==, "216.160.83.56");
    g_assert_cmpint(o->hop, ==, 1);
    o = c->pdata[1];
    g_assert_cmpstr(o->header, ==, "X-Forwarded-For");
    g_assert_cmpstr(o->ip, ==, "81.2.69.142");
    g_assert_cmpint(o->hop, ==, 0);
    g_assert_cmpint(o->ip_class, ==, MT_IP_CLASS_PUBLIC);
    o = c->pdata[2];
    g_assert_cmpstr(o->ip, ==, "2001:db8::7");
    g_assert_cmpint(o->ip_class, ==, MT_IP_CLASS_DOCUMENTATION);
    g_assert_cmpint(count_findings(r, "originating-ip-claimed"), ==, 3);
    assert_contains(finding(r, "originating-ip-claimed")->message,
                    "a relay recorded the same client (hop 1)");
}

/* ------------------------------------------------------------------ */
/* Every finding id: a fixture that raises it, one that must not. */

static void
test_findings_table(void)
{
    static const struct {
        const char *id, *raises, *clean;
    } table[] = {
        {"received-missing", "no-received.eml", "negative-delay.eml"},
        {"received-unparsable", "unparsable.eml", "odd-dates.eml"},
        {"received-unparsed-text", "unparsable.eml", "gmail-sent.eml"},
        {"received-date-missing", "odd-dates.eml", "unparsable.eml"},
        {"received-impossible-offset", "odd-dates.eml", "date-skew.eml"},
        {"received-negative-delay", "negative-delay.eml", "large-delay.eml"},
        {"received-large-delay", "large-delay.eml", "clock-skew.eml"},
        {"received-date-future", "date-future.eml", "gmail-sent.eml"},
        {"received-clock-skew-host", "clock-skew.eml", "negative-delay.eml"},
        {"received-chain-break", "forged-lower.eml",
         "microsoft-internal.eml"},
        {"received-private-ip-external", "private-external.eml",
         "gmail-sent.eml"},
        {"date-received-skew", "date-skew.eml", "clock-skew.eml"},
        {"originating-ip-claimed", "claimed-origins.eml",
         "forged-lower.eml"},
        {"received-timestamp-contradiction", "timestamps.eml",
         "dkim-old.eml"},
        {"received-dkim-old", "dkim-old.eml", "timestamps.eml"},
    };
    guint covered = 0;

    for (gsize i = 0; i < G_N_ELEMENTS(table); i++) {
        g_autoptr(MtReport) yes = fixture(table[i].raises, NULL);
        g_autoptr(MtReport) no = fixture(table[i].clean, NULL);

        if (count_findings(yes, table[i].id) == 0)
            g_error("%s does not raise %s", table[i].raises, table[i].id);
        if (count_findings(no, table[i].id) != 0)
            g_error("%s raises %s", table[i].clean, table[i].id);
    }
    /* The table covers every id the module has. */
    for (guint k = 0; mt_relay_finding_id(k, NULL) != NULL; k++) {
        for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
            covered += strcmp(table[i].id, mt_relay_finding_id(k, NULL)) == 0;
    }
    g_assert_cmpuint(covered, ==, G_N_ELEMENTS(table));
    g_assert_null(mt_relay_finding_id(G_N_ELEMENTS(table), NULL));
    /* And the samples raise none of the clock or chain findings except
     * where the README says so (phishing.eml). */
    {
        static const char *const clean[] = {
            "samples/plain.eml", "samples/japanese.eml",
            "samples/attachment.eml",
        };
        for (gsize i = 0; i < G_N_ELEMENTS(clean); i++) {
            g_autoptr(MtReport) r = analyze_file(clean[i], NULL);
            g_assert_cmpuint(count_relay_findings(r), ==, 0);
        }
    }
}

/* The registry lists every id with the same severity, a title, a
 * description, the evidence and the release. */
static void
test_registry(void)
{
    g_autofree char *path = source_path("doc/findings.yaml");
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GHashTable) severity =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) fields =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char *current = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("%s", error->message);
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *l = lines[i];

        if (g_str_has_prefix(l, "- id: ")) {
            current = g_strdup(l + 6);
            if (g_hash_table_contains(fields, current))
                g_error("id %s is listed twice", current);
            g_hash_table_insert(fields, current, GUINT_TO_POINTER(0));
        } else if (current != NULL && g_str_has_prefix(l, "  ")) {
            static const char *const keys[] = {"severity: ", "title: ",
                                               "description: ", "evidence: ",
                                               "since: "};
            guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(fields,
                                                              current));
            for (guint k = 0; k < G_N_ELEMENTS(keys); k++) {
                if (g_str_has_prefix(l + 2, keys[k]))
                    seen |= 1u << k;
            }
            if (g_str_has_prefix(l + 2, "severity: "))
                g_hash_table_insert(severity, g_strdup(current),
                                    g_strdup(l + 12));
            /* A release that exists: 0.1.0 or this version. */
            if (g_str_has_prefix(l + 2, "since: ") &&
                strcmp(l + 9, "\"0.1.0\"") != 0)
                g_assert_cmpstr(l + 9, ==, "\"" MT_VERSION "\"");
            g_hash_table_insert(fields, g_strdup(current),
                                GUINT_TO_POINTER(seen));
        }
    }
    for (guint k = 0; mt_relay_finding_id(k, NULL) != NULL; k++) {
        MtSeverity sev;
        const char *id = mt_relay_finding_id(k, &sev);
        const char *listed = g_hash_table_lookup(severity, id);

        if (listed == NULL)
            g_error("%s is not in doc/findings.yaml", id);
        g_assert_cmpstr(listed, ==, mt_severity_to_string(sev));
        g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fields, id)),
                         ==, 0x1f);
    }
}

/* ------------------------------------------------------------------ */
/* GeoIP. */

static MtGeoip *
open_dbs(const char *const *paths)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    MtGeoip *g;

    for (guint i = 0; paths[i] != NULL; i++)
        g_ptr_array_add(list, g_strdup(paths[i]));
    g = mt_relay_open_geoip(list, FALSE, NULL, &error);
    if (g == NULL)
        g_error("%s", error->message);
    return g;
}

static void
test_geoip_sample(void)
{
    g_autofree char *city =
        source_path("samples/geoip/mailtrail-sample-city.mmdb");
    g_autofree char *asn =
        source_path("samples/geoip/mailtrail-sample-asn.mmdb");
    const char *paths[] = {city, asn, NULL};
    g_autoptr(MtGeoip) g = NULL;
    MtOptions o;

    g = open_dbs(paths);
    mt_options_init_default(&o);
    o.geoip = g;
    {
        g_autoptr(MtReport) r = analyze_file("samples/plain.eml", &o);
        const MtGeoDatabase *db;

        g_assert_true(r->relay.geoip_available);
        g_assert_cmpuint(r->relay.geoip_databases->len, ==, 2);
        db = r->relay.geoip_databases->pdata[0];
        g_assert_cmpstr(db->type, ==, "GeoLite2-City");
        g_assert_cmpint(db->kind, ==, MT_GEO_KIND_CITY);
        g_assert_cmpstr(db->build_date, ==, "2026-01-01T00:00:00Z");
        g_assert_cmpstr(db->path, ==, city);
        db = r->relay.geoip_databases->pdata[1];
        g_assert_cmpint(db->kind, ==, MT_GEO_KIND_ASN);
        /* Only public addresses are looked up. */
        g_assert_null(hop(r, 1)->geo);
        g_assert_null(hop(r, 4)->geo);
        g_assert_nonnull(hop(r, 3)->geo);
        g_assert_cmpstr(geo_of(hop(r, 3)->geo)->country_code, ==, "US");
        g_assert_cmpstr(geo_of(hop(r, 3)->geo)->city, ==, "Milton");
        g_assert_cmpuint(geo_of(hop(r, 3)->geo)->asn, ==, 209);
        g_assert_cmpstr(geo_of(r->relay.origin.geo)->country_code, ==, "US");
    }
    {
        g_autoptr(MtReport) r = analyze_file("samples/phishing.eml", &o);
        const MtClaimedOrigin *c = r->relay.claimed_origins->pdata[0];

        g_assert_cmpstr(geo_of(r->relay.origin.geo)->country_code, ==, "CN");
        g_assert_cmpuint(geo_of(r->relay.origin.geo)->asn, ==, 4837);
        g_assert_cmpstr(geo_of(hop(r, 2)->geo)->country_code, ==, "SE");
        g_assert_cmpstr(geo_of(c->geo)->country_code, ==, "GB");
        g_assert_cmpuint(geo_of(c->geo)->asn, ==, 20712);
    }
    {
        g_autoptr(MtReport) r = fixture("ipv6.eml", &o);
        g_assert_cmpstr(geo_of(hop(r, 2)->geo)->country_code, ==, "JP");
        g_assert_cmpuint(geo_of(hop(r, 2)->geo)->asn, ==, 2914);
        g_assert_null(hop(r, 1)->geo);
    }
}

static void
test_geoip_maxmind(void)
{
    g_autofree char *city = NULL, *asn = NULL, *anon = NULL;
    const char *paths[4];
    g_autoptr(MtGeoip) g = NULL;
    g_autoptr(MtReport) r = NULL;
    const MtClaimedOrigin *c;
    MtOptions o;

    if (maxmind_dir == NULL) {
        g_test_skip("MaxMind test databases not found");
        return;
    }
    city = g_build_filename(maxmind_dir, "GeoLite2-City-Test.mmdb", NULL);
    asn = g_build_filename(maxmind_dir, "GeoLite2-ASN-Test.mmdb", NULL);
    anon = g_build_filename(maxmind_dir, "GeoIP2-Anonymous-IP-Test.mmdb",
                            NULL);
    if (!g_file_test(city, G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(asn, G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(anon, G_FILE_TEST_IS_REGULAR)) {
        g_test_skip("MaxMind test database missing");
        return;
    }
    paths[0] = city;
    paths[1] = asn;
    paths[2] = anon;
    paths[3] = NULL;
    g = open_dbs(paths);
    mt_options_init_default(&o);
    o.geoip = g;
    r = fixture("maxmind.eml", &o);
    g_assert_cmpuint(r->relay.geoip_databases->len, ==, 3);
    g_assert_cmpint(((MtGeoDatabase *)r->relay.geoip_databases->pdata[2])
                        ->kind,
                    ==, MT_GEO_KIND_ANONYMOUS_IP);
    /* 12.81.92.1: only the ASN test data knows it. */
    g_assert_nonnull(hop(r, 1)->geo);
    g_assert_cmpuint(geo_of(hop(r, 1)->geo)->asn, ==, 7018);
    g_assert_cmpstr(geo_of(hop(r, 1)->geo)->as_org, ==, "AT&T Services");
    /* 81.2.69.142: London in City, every flag in Anonymous-IP. */
    g_assert_cmpstr(geo_of(hop(r, 2)->geo)->country_code, ==, "GB");
    g_assert_cmpstr(geo_of(hop(r, 2)->geo)->city, ==, "London");
    g_assert_true(geo_of(hop(r, 2)->geo)->has_anonymous);
    g_assert_true(geo_of(hop(r, 2)->geo)->is_tor_exit_node);
    g_assert_cmpuint(geo_of(hop(r, 2)->geo)->asn, ==, 0);
    /* The claimed IPv6 address: San Diego. */
    c = r->relay.claimed_origins->pdata[0];
    g_assert_cmpstr(c->ip, ==, "2001:480:10::1");
    g_assert_cmpstr(geo_of(c->geo)->country_code, ==, "US");
    g_assert_cmpstr(geo_of(c->geo)->city, ==, "San Diego");
}

static void
test_geoip_none(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/phishing.eml", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *corrupt = source_path("tests/data/geoip/corrupt.mmdb");
    g_autofree char *odd = source_path("tests/data/geoip/unknown-layout.mmdb");
    g_autoptr(MtGeoip) empty = NULL;
    MtGeoip *g;

    g_assert_false(r->relay.geoip_available);
    g_assert_cmpuint(r->relay.geoip_databases->len, ==, 0);
    for (guint i = 1; i <= r->relay.hops->len; i++)
        g_assert_null(hop(r, i)->geo);
    g_assert_null(r->relay.origin.geo);
    /* No database asked for, no directory searched: an empty set. */
    empty = mt_relay_open_geoip(NULL, FALSE, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(empty);
    g_assert_cmpuint(mt_geoip_get_databases(empty)->len, ==, 0);
    /* An explicit file that cannot be used is an error, not a crash. */
    g_ptr_array_add(paths, g_strdup(corrupt));
    g = mt_relay_open_geoip(paths, TRUE, NULL, &error);
    g_assert_null(g);
    g_assert_error(error, MT_ERROR, MT_ERROR_GEOIP);
    assert_contains(error->message, "corrupt.mmdb");
    g_clear_error(&error);
    g_ptr_array_set_size(paths, 0);
    g_ptr_array_add(paths, g_strdup(odd));
    g = mt_relay_open_geoip(paths, TRUE, NULL, &error);
    g_assert_null(g);
    g_assert_error(error, MT_ERROR, MT_ERROR_GEOIP);
    g_clear_error(&error);
    g_ptr_array_set_size(paths, 0);
    g_ptr_array_add(paths, g_strdup("/nonexistent/x.mmdb"));
    g = mt_relay_open_geoip(paths, TRUE, NULL, &error);
    g_assert_null(g);
    g_assert_error(error, MT_ERROR, MT_ERROR_GEOIP);
}

static void
test_geoip_env(void)
{
    g_autofree char *dir = source_path("samples/geoip");
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(MtGeoip) g = NULL;

    g_setenv("MAILTRAIL_GEOIP_DIR", dir, TRUE);
    g = mt_relay_open_geoip(NULL, TRUE, warnings, &error);
    g_unsetenv("MAILTRAIL_GEOIP_DIR");
    g_assert_no_error(error);
    g_assert_cmpuint(mt_geoip_get_databases(g)->len, >=, 2);
}

/* ------------------------------------------------------------------ */
/* Renderers. */

static void
test_json(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/plain.eml", NULL);
    static const char *const relay_keys[] = {
        "hops", "origin", "claimed_origins", "boundary_hop",
        "boundary_reason", "trust_source", "trusted_domains",
        "total_transit_s", "date_vs_first_hop_s", "date_vs_last_hop_s",
        "timestamps", "geoip_available", "geoip_databases", "geoip_note",
    };
    static const char *const hop_keys[] = {
        "index", "header_index", "from", "helo_command", "by", "via", "with",
        "tls", "auth", "id", "for", "envelope_from", "date", "timestamp",
        "tz_offset", "date_flags", "x_received", "delay_s", "ip_class",
        "ip_note", "geo", "trust", "link", "flags", "unparsed", "raw",
    };
    json_t *o, *h;
    const char *key;
    json_t *value;
    guint k = 0;

    o = mt_json_relay(&r->relay);
    json_object_foreach(o, key, value) {
        g_assert_cmpuint(k, <, G_N_ELEMENTS(relay_keys));
        g_assert_cmpstr(key, ==, relay_keys[k++]);
    }
    g_assert_cmpuint(k, ==, G_N_ELEMENTS(relay_keys));
    g_assert_cmpint(json_integer_value(json_object_get(o, "boundary_hop")),
                    ==, 3);
    g_assert_cmpint(json_integer_value(json_object_get(o,
                                                       "total_transit_s")),
                    ==, 5);
    g_assert_true(json_is_false(json_object_get(o, "geoip_available")));
    g_assert_true(json_is_string(json_object_get(o, "geoip_note")));
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(o, "origin"), "ip")),
                    ==, "216.160.83.56");
    g_assert_true(json_is_true(json_object_get(json_object_get(o, "origin"),
                                               "verified")));
    h = json_array_get(json_object_get(o, "hops"), 0);
    k = 0;
    json_object_foreach(h, key, value) {
        g_assert_cmpuint(k, <, G_N_ELEMENTS(hop_keys));
        g_assert_cmpstr(key, ==, hop_keys[k++]);
    }
    g_assert_cmpuint(k, ==, G_N_ELEMENTS(hop_keys));
    /* Hop 1: no delay (null, not 0), claimed, no link below. */
    g_assert_true(json_is_null(json_object_get(h, "delay_s")));
    g_assert_cmpstr(json_string_value(json_object_get(h, "trust")), ==,
                    "claimed");
    g_assert_cmpstr(json_string_value(json_object_get(h, "ip_class")), ==,
                    "private");
    g_assert_true(json_is_null(json_object_get(h, "geo")));
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(h, "link"), "status")),
                    ==, "none");
    h = json_array_get(json_object_get(o, "hops"), 2);
    g_assert_cmpint(json_integer_value(json_object_get(h, "delay_s")), ==, 2);
    g_assert_cmpstr(json_string_value(json_object_get(h, "trust")), ==,
                    "boundary");
    g_assert_cmpstr(json_string_value(json_array_get(
                        json_object_get(h, "flags"), 0)),
                    ==, "origin");
    g_assert_cmpint(json_integer_value(json_object_get(h, "index")), ==, 3);
    json_decref(o);

    /* A signed delay stays signed in JSON. */
    {
        g_autoptr(MtReport) p = analyze_file("samples/phishing.eml", NULL);
        json_t *q = mt_json_relay(&p->relay);
        json_t *h2 = json_array_get(json_object_get(q, "hops"), 1);

        g_assert_cmpint(json_integer_value(json_object_get(h2, "delay_s")),
                        ==, -298);
        g_assert_cmpint(json_integer_value(json_object_get(q,
                                                           "total_transit_s")),
                        ==, -297);
        g_assert_cmpuint(json_array_size(json_object_get(q,
                                                         "claimed_origins")),
                         ==, 1);
        json_decref(q);
    }
    /* A message without hops. */
    {
        g_autoptr(MtReport) n = fixture("no-received.eml", NULL);
        json_t *q = mt_json_relay(&n->relay);

        g_assert_cmpuint(json_array_size(json_object_get(q, "hops")), ==, 0);
        g_assert_true(json_is_null(json_object_get(q, "boundary_hop")));
        g_assert_true(json_is_null(json_object_get(
            json_object_get(q, "origin"), "ip")));
        json_decref(q);
    }
}

static char *
render_text(const MtRelay *relay)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    g_assert_nonnull(f);
    mt_text_relay(f, relay);
    fclose(f);
    return buf;
}

static void
test_text(void)
{
    g_autoptr(MtReport) r = analyze_file("samples/phishing.eml", NULL);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    out = render_text(&r->relay);
    assert_contains(out, "Relay path (4 hops, origin first; boundary at "
                         "hop 2):");
    lines = g_strsplit(out, "\n", -1);
    assert_contains(lines[1], "From");
    assert_contains(lines[1], "UTC time");
    assert_contains(lines[1], "Trust");
    assert_contains(lines[2], "User [175.16.199.10]");
    assert_contains(lines[2], "2026-11-03T10:52:34Z");
    assert_contains(lines[2], "claimed");
    assert_contains(lines[2], "clock-fast");
    assert_contains(lines[3], "-4m58s");
    assert_contains(lines[3], "boundary");
    assert_contains(lines[4], "+1s");
    assert_contains(out, "Origin:      175.16.199.10");
    assert_contains(out, "Claimed:     X-Originating-IP says 81.2.69.142");
    assert_contains(out, "GeoIP:       not available");
    /* No line ends in blanks. */
    for (guint i = 0; lines[i] != NULL; i++) {
        gsize n = strlen(lines[i]);
        g_assert_true(n == 0 || lines[i][n - 1] != ' ');
    }
    {
        g_autoptr(MtReport) n = fixture("no-received.eml", NULL);
        g_autofree char *t = render_text(&n->relay);
        assert_contains(t, "no Received header");
    }
}

/* Control characters from a header never reach the terminal. */
static void
test_text_hostile(void)
{
    static const char text[] =
        "Received: from evil\x1b[2J.example.com (evil.example.com "
        "[216.160.83.56]) by mx\xe2\x80\xae.example.org with ESMTP;\n"
        " Tue, 3 Nov 2026 14:00:00 +0000\n\n";
    g_autoptr(MtReport) r =
        report_from_text(text, sizeof(text) - 1, NULL, 1796000000);
    g_autofree char *out = render_text(&r->relay);

    g_assert_null(strchr(out, '\x1b'));
    g_assert_null(strstr(out, "\xe2\x80\xae"));
}

/* ------------------------------------------------------------------ */
/* Limits: 10,000 hops cost a long list and no more. */

static void
test_many_hops(void)
{
    const guint n = 10000;
    GString *text = g_string_new("Delivered-To: a@example.org\n");
    g_autoptr(MtReport) r = NULL;
    gint64 start, elapsed;
    MtOptions options;
    json_t *o;

    /* The cost of a long path, not the max-received limit (default 500),
     * is what this measures: let every hop through. */
    mt_options_init_default(&options);
    options.limits.max_received = n;
    /* Top first: hop n is the first header. Every tenth hop goes back
     * 30 s in time, every hop names a client the hop below does not
     * know. */
    for (guint i = n; i >= 1; i--) {
        gint64 t = 1793714400 + (gint64)i * 2 - (i % 10 == 0 ? 32 : 0);
        char when[21];

        mt_date_format_utc(t, when);
        g_string_append_printf(text,
                               "Received: from h%u.example.net "
                               "(h%u.example.net [81.2.%u.%u]) by "
                               "r%u.example.com with ESMTP id q%u; "
                               "%.10s %.8s +0000\n",
                               i - 1, i - 1, (i / 250) % 250, i % 250, i, i,
                               when, when + 11);
    }
    g_string_append(text, "Subject: many\n\n");
    start = g_get_monotonic_time();
    r = report_from_text(text->str, text->len, &options, 1796000000);
    elapsed = g_get_monotonic_time() - start;
    g_string_free(text, TRUE);
    g_assert_cmpuint(r->relay.hops->len, ==, n);
    /* Generous for sanitizer and valgrind builds. */
    g_assert_cmpint(elapsed, <, SLOWDOWN * 20 * G_USEC_PER_SEC);
    /* Each id is listed at most MT_RELAY_MAX_FINDINGS_PER_ID times, and
     * one more finding says how many were left out. */
    g_assert_cmpuint(count_findings(r, "received-negative-delay"), ==,
                     MT_RELAY_MAX_FINDINGS_PER_ID + 1);
    g_assert_cmpuint(count_findings(r, "received-chain-break"), ==,
                     MT_RELAY_MAX_FINDINGS_PER_ID + 1);
    g_assert_cmpint(hop(r, 10)->delay_s, ==, -30);
    g_assert_cmpint(hop(r, 11)->delay_s, ==, 34);
    {
        const MtFinding *last = NULL;
        for (guint i = 0; i < r->findings->len; i++) {
            const MtFinding *f = r->findings->pdata[i];
            if (strcmp(f->id, "received-negative-delay") == 0)
                last = f;
        }
        if (last == NULL)
            g_error("no received-negative-delay finding");
        assert_contains(last->message, "more received-negative-delay");
        g_assert_cmpint(last->evidence.hop, ==, -1);
    }
    g_assert_cmpint(r->relay.origin.hop, >, 0);
    start = g_get_monotonic_time();
    o = mt_json_relay(&r->relay);
    g_assert_cmpuint(json_array_size(json_object_get(o, "hops")), ==, n);
    json_decref(o);
    g_assert_cmpint(g_get_monotonic_time() - start, <,
                    SLOWDOWN * 20 * G_USEC_PER_SEC);
}

/* Long and odd values are bounded in messages and never crash. */
static void
test_hostile_values(void)
{
    GString *text = g_string_new("Received: from ");
    g_autoptr(MtReport) r = NULL;

    for (guint i = 0; i < 20000; i++)
        g_string_append(text, "a.");
    g_string_append(text, "example.com ([10.0.0.1]) by ");
    for (guint i = 0; i < 20000; i++)
        g_string_append(text, "b.");
    g_string_append(text, "example.org with ESMTP id 1xOFHM-00Ixfx-0M;"
                          " Tue, 3 Nov 2026 14:00:00 +0000\n"
                          "Received: by x with SMTP; Tue, 3 Nov 2026 "
                          "13:00:00 +0000\n"
                          "DKIM-Signature: t=99999999999999999999; x=;\n"
                          "ARC-Seal: t=\n"
                          "X-Forwarded-For: ");
    for (guint i = 0; i < 200; i++)
        g_string_append_printf(text, "81.2.69.%u, ", i);
    g_string_append(text, "\n\n");
    r = report_from_text(text->str, text->len, NULL, 1796000000);
    g_string_free(text, TRUE);
    g_assert_cmpuint(r->relay.hops->len, ==, 2);
    g_assert_cmpuint(r->relay.claimed_origins->len, ==, 16);
    for (guint i = 0; i < r->findings->len; i++) {
        const MtFinding *f = r->findings->pdata[i];
        g_assert_cmpuint(strlen(f->message), <, 2000);
    }
}

int
main(int argc, char **argv)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");
    g_autofree char *shared = NULL;

    g_test_init(&argc, &argv, NULL);
    /* The fixtures are files of the source tree; the build says where. */
    if (root == NULL) {
        g_printerr("MT_SOURCE_ROOT is not set\n");
        return 77;
    }
    source_root = g_strdup(root);
    shared = g_build_filename(root, "..", "shared", "geoip", NULL);
    if (g_file_test(shared, G_FILE_TEST_IS_DIR))
        maxmind_dir = g_steal_pointer(&shared);
    /* The machine's GeoIP directories must not leak into the results. */
    g_unsetenv("MAILTRAIL_GEOIP_DIR");

    g_test_add_func("/relay/helpers/registrable-domain",
                    test_registrable_domain);
    g_test_add_func("/relay/helpers/link", test_link);
    g_test_add_func("/relay/helpers/exim-id", test_exim_id);
    g_test_add_func("/relay/helpers/tag-number", test_tag_number);
    g_test_add_func("/relay/helpers/trusted-host-check",
                    test_trusted_host_check);
    g_test_add_func("/relay/helpers/names", test_names);
    g_test_add_func("/relay/sample/plain", test_sample_plain);
    g_test_add_func("/relay/sample/japanese", test_sample_japanese);
    g_test_add_func("/relay/sample/attachment", test_sample_attachment);
    g_test_add_func("/relay/sample/phishing", test_sample_phishing);
    g_test_add_func("/relay/sample/mailbox", test_sample_mailbox);
    g_test_add_func("/relay/fixture/gmail-sent", test_gmail_sent);
    g_test_add_func("/relay/fixture/microsoft-internal",
                    test_microsoft_internal);
    g_test_add_func("/relay/fixture/negative-delay", test_negative_delay);
    g_test_add_func("/relay/fixture/clock-skew", test_clock_skew);
    g_test_add_func("/relay/fixture/forged-lower", test_forged_lower);
    g_test_add_func("/relay/fixture/gap", test_gap);
    g_test_add_func("/relay/fixture/ipv6", test_ipv6);
    g_test_add_func("/relay/fixture/private-external", test_private_external);
    g_test_add_func("/relay/fixture/large-delay", test_large_delay);
    g_test_add_func("/relay/fixture/date-future", test_date_future);
    g_test_add_func("/relay/fixture/date-skew", test_date_skew);
    g_test_add_func("/relay/fixture/no-received", test_no_received);
    g_test_add_func("/relay/fixture/unparsable", test_unparsable);
    g_test_add_func("/relay/fixture/odd-dates", test_odd_dates);
    g_test_add_func("/relay/fixture/timestamps", test_timestamps);
    g_test_add_func("/relay/fixture/dkim-old", test_dkim_old);
    g_test_add_func("/relay/fixture/claimed-origins", test_claimed_origins);
    g_test_add_func("/relay/now", test_now);
    g_test_add_func("/relay/trust/filter-gateway", test_filter_gateway);
    g_test_add_func("/relay/trust/plain", test_trusted_host_plain);
    g_test_add_func("/relay/findings/table", test_findings_table);
    g_test_add_func("/relay/findings/registry", test_registry);
    g_test_add_func("/relay/geoip/sample", test_geoip_sample);
    g_test_add_func("/relay/geoip/maxmind", test_geoip_maxmind);
    g_test_add_func("/relay/geoip/none", test_geoip_none);
    g_test_add_func("/relay/geoip/env", test_geoip_env);
    g_test_add_func("/relay/json", test_json);
    g_test_add_func("/relay/text", test_text);
    g_test_add_func("/relay/text/hostile", test_text_hostile);
    g_test_add_func("/relay/limits/many-hops", test_many_hops);
    g_test_add_func("/relay/limits/hostile-values", test_hostile_values);
    return g_test_run();
}
