/* SPDX-License-Identifier: MIT */
/*
 * test-geoip.c: unit tests for the GeoIP/ASN reader. Three sets of files:
 * MaxMind's own test databases in shared/geoip beside the source tree (the
 * real GeoIP2 record layouts; skipped when absent), the project's sample
 * databases in samples/geoip, and broken or odd files from tests/data/geoip
 * or made here in a temporary directory. Expected values were read from the
 * files with mmdblookup, not guessed.
 */
#include "mt-geoip.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mailtrail.h"

static char *source_root;
static char *maxmind_dir;

/* A path under the source tree, or NULL (and the test skipped) when the
 * build did not say where that is. */
static char *
source_path(const char *rel)
{
    if (source_root == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return NULL;
    }
    return g_build_filename(source_root, rel, NULL);
}

/* A MaxMind test database, or NULL (and the test skipped) when absent. */
static char *
maxmind_path(const char *name)
{
    g_autofree char *path = NULL;

    if (maxmind_dir == NULL) {
        g_test_skip("MaxMind test databases not found");
        return NULL;
    }
    path = g_build_filename(maxmind_dir, name, NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_test_skip("MaxMind test database missing");
        return NULL;
    }
    return g_steal_pointer(&path);
}

static void
add_ok(MtGeoip *g, const char *path)
{
    g_autoptr(GError) error = NULL;

    if (!mt_geoip_add_database(g, path, &error))
        g_error("%s: %s", path, error->message);
}

static const MtGeoDatabase *
db_at(MtGeoip *g, guint k)
{
    const GPtrArray *dbs = mt_geoip_get_databases(g);

    g_assert_cmpuint(dbs->len, >, k);
    return g_ptr_array_index((GPtrArray *)dbs, k);
}

/* Checks build_date against gmtime_r() of build_epoch. */
static void
assert_build_date(const MtGeoDatabase *db)
{
    struct tm tm;
    time_t t = (time_t)db->build_epoch;
    char buf[32];

    g_assert_nonnull(gmtime_r(&t, &tm));
    g_assert_cmpuint(strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm), ==,
                     20);
    g_assert_cmpstr(db->build_date, ==, buf);
}

static void
test_kind_from_type(void)
{
    static const struct {
        const char *type;
        MtGeoKind kind;
    } cases[] = {
        {"GeoIP2-City", MT_GEO_KIND_CITY},
        {"GeoLite2-City", MT_GEO_KIND_CITY},
        {"GeoIP2-City-Europe", MT_GEO_KIND_CITY},
        {"GeoIP2-Precision-City", MT_GEO_KIND_CITY},
        {"GeoIP2-Enterprise", MT_GEO_KIND_CITY},
        {"DBIP-City-Lite", MT_GEO_KIND_CITY},
        {"GeoIP2-Country", MT_GEO_KIND_COUNTRY},
        {"GeoLite2-Country", MT_GEO_KIND_COUNTRY},
        {"DBIP-Country-Lite", MT_GEO_KIND_COUNTRY},
        {"GeoLite2-ASN", MT_GEO_KIND_ASN},
        {"GeoIP2-ISP", MT_GEO_KIND_ASN},
        {"DBIP-ASN-Lite", MT_GEO_KIND_ASN},
        {"GeoIP2-Anonymous-IP", MT_GEO_KIND_ANONYMOUS_IP},
        {"GeoIP2-Cityscape", MT_GEO_KIND_UNKNOWN},
        {"GeoIP2-Domain", MT_GEO_KIND_UNKNOWN},
        {"GeoIP2-Connection-Type", MT_GEO_KIND_UNKNOWN},
        {"ipinfo standard_location", MT_GEO_KIND_UNKNOWN},
        {"mailtrail-test-unknown-layout", MT_GEO_KIND_UNKNOWN},
        {"City", MT_GEO_KIND_UNKNOWN},
        {"geolite2-city", MT_GEO_KIND_UNKNOWN},
        {"", MT_GEO_KIND_UNKNOWN},
    };

    for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
        if (mt_geo_kind_from_type(cases[k].type) != cases[k].kind)
            g_error("'%s': kind %s, expected %s", cases[k].type,
                    mt_geo_kind_to_string(mt_geo_kind_from_type(cases[k].type)),
                    mt_geo_kind_to_string(cases[k].kind));
    }
    g_assert_cmpint(mt_geo_kind_from_type(NULL), ==, MT_GEO_KIND_UNKNOWN);

    g_assert_cmpstr(mt_geo_kind_to_string(MT_GEO_KIND_CITY), ==, "city");
    g_assert_cmpstr(mt_geo_kind_to_string(MT_GEO_KIND_COUNTRY), ==, "country");
    g_assert_cmpstr(mt_geo_kind_to_string(MT_GEO_KIND_ASN), ==, "asn");
    g_assert_cmpstr(mt_geo_kind_to_string(MT_GEO_KIND_ANONYMOUS_IP), ==,
                    "anonymous-ip");
    g_assert_cmpstr(mt_geo_kind_to_string(MT_GEO_KIND_UNKNOWN), ==, "unknown");
}

static void
test_maxmind_city(void)
{
    g_autofree char *path = maxmind_path("GeoIP2-City-Test.mmdb");
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(MtGeoRecord) r = NULL;
    const MtGeoDatabase *db;

    if (path == NULL)
        return;
    add_ok(g, path);
    db = db_at(g, 0);
    g_assert_cmpstr(db->path, ==, path);
    g_assert_cmpstr(db->type, ==, "GeoIP2-City");
    g_assert_cmpint(db->kind, ==, MT_GEO_KIND_CITY);
    g_assert_cmpuint(db->ip_version, ==, 6);
    g_assert_cmpuint(db->build_epoch, >, 1400000000);
    assert_build_date(db);

    r = mt_geoip_lookup(g, "81.2.69.142");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "GB");
    g_assert_cmpstr(r->country_name, ==, "United Kingdom");
    g_assert_cmpstr(r->city, ==, "London");
    /* The test data registers this network in the US. */
    g_assert_cmpstr(r->registered_country_code, ==, "US");
    g_assert_true(r->has_location);
    g_assert_cmpfloat_with_epsilon(r->latitude, 51.5142, 1e-9);
    g_assert_cmpfloat_with_epsilon(r->longitude, -0.0931, 1e-9);
    g_assert_cmpuint(r->accuracy_radius_km, ==, 10);
    g_assert_cmpuint(r->asn, ==, 0);
    g_assert_null(r->as_org);
    g_assert_false(r->has_anonymous);
    g_clear_pointer(&r, mt_geo_record_free);

    /* The same host written as an IPv4-mapped address. */
    r = mt_geoip_lookup(g, "::ffff:81.2.69.142");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->city, ==, "London");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "2001:218::1");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "JP");
    g_assert_cmpstr(r->country_name, ==, "Japan");
    g_assert_null(r->city);
    g_assert_true(r->has_location);
    g_assert_cmpfloat_with_epsilon(r->latitude, 35.68536, 1e-9);
    g_assert_cmpfloat_with_epsilon(r->longitude, 139.75309, 1e-9);
    g_assert_cmpuint(r->accuracy_radius_km, ==, 100);
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "89.160.20.112");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "SE");
    g_assert_cmpstr(r->city, ==, "Link\xc3\xb6ping");
    g_assert_cmpuint(r->accuracy_radius_km, ==, 76);
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "216.160.83.56");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "US");
    g_assert_cmpstr(r->city, ==, "Milton");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "175.16.199.0");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "CN");
    g_assert_cmpstr(r->city, ==, "Changchun");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "2001:480:10::1");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "US");
    g_assert_cmpstr(r->city, ==, "San Diego");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "2a02:d000::1");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "CH");
    g_assert_null(r->city);
    g_clear_pointer(&r, mt_geo_record_free);

    /* Missing records: not in the test data, private, not an address. */
    g_assert_null(mt_geoip_lookup(g, "1.1.1.1"));
    g_assert_null(mt_geoip_lookup(g, "10.0.0.1"));
    g_assert_null(mt_geoip_lookup(g, "1.128.0.1"));
    g_assert_null(mt_geoip_lookup(g, "not an address"));
    g_assert_null(mt_geoip_lookup(g, ""));
    g_assert_null(mt_geoip_lookup(g, "081.2.69.142"));
}

static void
test_maxmind_asn(void)
{
    g_autofree char *path = maxmind_path("GeoLite2-ASN-Test.mmdb");
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(MtGeoRecord) r = NULL;
    const MtGeoDatabase *db;

    if (path == NULL)
        return;
    add_ok(g, path);
    db = db_at(g, 0);
    g_assert_cmpstr(db->type, ==, "GeoLite2-ASN");
    g_assert_cmpint(db->kind, ==, MT_GEO_KIND_ASN);

    r = mt_geoip_lookup(g, "1.128.0.0");
    g_assert_nonnull(r);
    g_assert_cmpuint(r->asn, ==, 1221);
    g_assert_cmpstr(r->as_org, ==, "Telstra Pty Ltd");
    g_assert_null(r->country_code);
    g_assert_null(r->city);
    g_assert_false(r->has_location);
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "12.81.92.1");
    g_assert_nonnull(r);
    g_assert_cmpuint(r->asn, ==, 7018);
    g_assert_cmpstr(r->as_org, ==, "AT&T Services");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "18.1.2.3");
    g_assert_nonnull(r);
    g_assert_cmpuint(r->asn, ==, 3);
    g_assert_cmpstr(r->as_org, ==, "Massachusetts Institute of Technology");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "2001:4600::1");
    g_assert_nonnull(r);
    g_assert_cmpuint(r->asn, ==, 2119);
    g_assert_cmpstr(r->as_org, ==, "Telenor Norge AS");
    g_clear_pointer(&r, mt_geo_record_free);

    /* City and ASN test data cover different networks. */
    g_assert_null(mt_geoip_lookup(g, "81.2.69.142"));
}

static void
test_maxmind_country(void)
{
    g_autofree char *path = maxmind_path("GeoLite2-Country-Test.mmdb");
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(MtGeoRecord) r = NULL;
    const MtGeoDatabase *db;

    if (path == NULL)
        return;
    add_ok(g, path);
    db = db_at(g, 0);
    g_assert_cmpstr(db->type, ==, "GeoLite2-Country");
    g_assert_cmpint(db->kind, ==, MT_GEO_KIND_COUNTRY);

    r = mt_geoip_lookup(g, "81.2.69.142");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "GB");
    g_assert_cmpstr(r->country_name, ==, "United Kingdom");
    /* A Country database gives no city and no location. */
    g_assert_null(r->city);
    g_assert_false(r->has_location);
}

static void
assert_anonymous(MtGeoip *g, const char *ip, gboolean vpn, gboolean hosting,
                 gboolean proxy, gboolean tor, gboolean residential)
{
    g_autoptr(MtGeoRecord) r = mt_geoip_lookup(g, ip);

    if (r == NULL)
        g_error("%s: no record", ip);
    g_assert_true(r->has_anonymous);
    g_assert_true(r->is_anonymous);
    g_assert_cmpint(r->is_anonymous_vpn, ==, vpn);
    g_assert_cmpint(r->is_hosting_provider, ==, hosting);
    g_assert_cmpint(r->is_public_proxy, ==, proxy);
    g_assert_cmpint(r->is_tor_exit_node, ==, tor);
    g_assert_cmpint(r->is_residential_proxy, ==, residential);
}

static void
test_maxmind_anonymous(void)
{
    g_autofree char *path = maxmind_path("GeoIP2-Anonymous-IP-Test.mmdb");
    g_autofree char *city = maxmind_path("GeoIP2-City-Test.mmdb");
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(MtGeoRecord) r = NULL;

    if (path == NULL || city == NULL)
        return;
    add_ok(g, path);
    g_assert_cmpstr(db_at(g, 0)->type, ==, "GeoIP2-Anonymous-IP");
    g_assert_cmpint(db_at(g, 0)->kind, ==, MT_GEO_KIND_ANONYMOUS_IP);

    /* Flags in order: VPN, hosting, public proxy, Tor, residential. */
    assert_anonymous(g, "1.124.213.1", TRUE, FALSE, FALSE, TRUE, FALSE);
    assert_anonymous(g, "1.2.3.4", TRUE, FALSE, FALSE, FALSE, FALSE);
    assert_anonymous(g, "6.1.0.2", FALSE, TRUE, FALSE, FALSE, FALSE);
    assert_anonymous(g, "6.1.0.3", FALSE, FALSE, TRUE, FALSE, FALSE);
    assert_anonymous(g, "6.1.0.4", FALSE, FALSE, FALSE, FALSE, TRUE);
    assert_anonymous(g, "65.1.2.3", FALSE, FALSE, FALSE, TRUE, FALSE);
    assert_anonymous(g, "71.160.223.7", FALSE, TRUE, FALSE, FALSE, FALSE);
    assert_anonymous(g, "81.2.69.142", TRUE, TRUE, TRUE, TRUE, TRUE);
    assert_anonymous(g, "186.30.236.5", FALSE, FALSE, TRUE, FALSE, FALSE);
    assert_anonymous(g, "2001:480:3a::1", FALSE, FALSE, TRUE, FALSE, FALSE);

    /* The file answers unlisted addresses with an empty map: no entry. */
    g_assert_null(mt_geoip_lookup(g, "8.8.8.8"));
    g_assert_null(mt_geoip_lookup(g, "89.160.20.112"));

    /* With a City database too, the records merge, and an address the
     * Anonymous-IP file does not list has no flags. */
    add_ok(g, city);
    r = mt_geoip_lookup(g, "81.2.69.142");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->city, ==, "London");
    g_assert_true(r->has_anonymous);
    g_assert_true(r->is_tor_exit_node);
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "89.160.20.112");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "SE");
    g_assert_false(r->has_anonymous);
    g_assert_false(r->is_anonymous);
}

static void
test_maxmind_dir(void)
{
    static const char *const expect[] = {
        "GeoIP2-Anonymous-IP-Test.mmdb", "GeoIP2-City-Test.mmdb",
        "GeoLite2-ASN-Test.mmdb",        "GeoLite2-City-Test.mmdb",
        "GeoLite2-Country-Test.mmdb",
    };
    g_autofree char *probe = maxmind_path("GeoLite2-City-Test.mmdb");
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(MtGeoRecord) r = NULL;

    if (probe == NULL)
        return;
    g_assert_cmpuint(mt_geoip_add_dir(g, maxmind_dir, TRUE, warnings), ==,
                     G_N_ELEMENTS(expect));
    g_assert_cmpuint(warnings->len, ==, 0);
    for (gsize k = 0; k < G_N_ELEMENTS(expect); k++) {
        g_autofree char *base = g_path_get_basename(db_at(g, k)->path);

        g_assert_cmpstr(base, ==, expect[k]);
        assert_build_date(db_at(g, k));
    }

    /* Everything merged: City from the first City file, AS and flags. */
    r = mt_geoip_lookup(g, "89.160.20.112");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->city, ==, "Link\xc3\xb6ping");
    g_clear_pointer(&r, mt_geo_record_free);

    r = mt_geoip_lookup(g, "1.128.0.1");
    g_assert_nonnull(r);
    g_assert_cmpuint(r->asn, ==, 1221);
    g_assert_cmpstr(r->as_org, ==, "Telstra Pty Ltd");
}

typedef struct {
    const char *ip;
    const char *cc;
    const char *country;
    const char *city;
    guint32 asn;
    const char *org;
} SampleRow;

/* The networks of samples/geoip/make-sample-db. */
static const SampleRow sample_rows[] = {
    {"210.130.20.5", "JP", "Japan", "Tokyo", 2497,
     "Internet Initiative Japan Inc."},
    {"202.232.10.20", "JP", "Japan", "Tokyo", 2497,
     "Internet Initiative Japan Inc."},
    {"175.16.199.10", "CN", "China", "Changchun", 4837,
     "CHINA UNICOM China169 Backbone"},
    {"89.160.20.112", "SE", "Sweden", "Link\xc3\xb6ping", 29518,
     "Bredband2 AB"},
    {"81.2.69.142", "GB", "United Kingdom", "London", 20712,
     "Andrews & Arnold Ltd"},
    {"216.160.83.56", "US", "United States", "Milton", 209,
     "CenturyLink Communications, LLC"},
    {"2001:218:1::1", "JP", "Japan", "Tokyo", 2914, "NTT America, Inc."},
    {"1.128.0.1", "AU", "Australia", "Melbourne", 1221, "Telstra Pty Ltd"},
    {"12.81.92.1", "US", "United States", "Dallas", 7018,
     "AT&T Services, Inc."},
    /* The /24 and /48 ends, and the IPv4 aliases in the IPv6 tree. */
    {"210.130.20.255", "JP", "Japan", "Tokyo", 2497,
     "Internet Initiative Japan Inc."},
    {"2001:218:1:ffff::1", "JP", "Japan", "Tokyo", 2914, "NTT America, Inc."},
    {"::ffff:81.2.69.1", "GB", "United Kingdom", "London", 20712,
     "Andrews & Arnold Ltd"},
    /* 6to4 for 12.81.92.1. */
    {"2002:c51:5c01::1", "US", "United States", "Dallas", 7018,
     "AT&T Services, Inc."},
};

static gboolean
sample_row_matches(const MtGeoRecord *r, const SampleRow *row)
{
    return r != NULL && g_strcmp0(r->country_code, row->cc) == 0 &&
           g_strcmp0(r->country_name, row->country) == 0 &&
           g_strcmp0(r->city, row->city) == 0 && r->asn == row->asn &&
           g_strcmp0(r->as_org, row->org) == 0 && r->has_location &&
           !r->has_anonymous;
}

static MtGeoip *
load_samples(void)
{
    g_autofree char *city = source_path("samples/geoip/"
                                        "mailtrail-sample-city.mmdb");
    g_autofree char *asn = source_path("samples/geoip/"
                                       "mailtrail-sample-asn.mmdb");
    MtGeoip *g;

    if (city == NULL || asn == NULL)
        return NULL;
    g = mt_geoip_new();
    add_ok(g, city);
    add_ok(g, asn);
    return g;
}

static void
test_samples(void)
{
    g_autoptr(MtGeoip) g = load_samples();
    const MtGeoDatabase *db;

    if (g == NULL)
        return;
    db = db_at(g, 0);
    g_assert_cmpstr(db->type, ==, "GeoLite2-City");
    g_assert_cmpint(db->kind, ==, MT_GEO_KIND_CITY);
    g_assert_cmpuint(db->ip_version, ==, 6);
    g_assert_cmpuint(db->build_epoch, ==, 1767225600);
    g_assert_cmpstr(db->build_date, ==, "2026-01-01T00:00:00Z");
    db = db_at(g, 1);
    g_assert_cmpstr(db->type, ==, "GeoLite2-ASN");
    g_assert_cmpint(db->kind, ==, MT_GEO_KIND_ASN);
    g_assert_cmpstr(db->build_date, ==, "2026-01-01T00:00:00Z");

    for (gsize k = 0; k < G_N_ELEMENTS(sample_rows); k++) {
        g_autoptr(MtGeoRecord) r = mt_geoip_lookup(g, sample_rows[k].ip);

        if (r == NULL)
            g_error("%s: no record", sample_rows[k].ip);
        g_assert_cmpstr(r->country_code, ==, sample_rows[k].cc);
        g_assert_cmpstr(r->country_name, ==, sample_rows[k].country);
        g_assert_cmpstr(r->registered_country_code, ==, sample_rows[k].cc);
        g_assert_cmpstr(r->city, ==, sample_rows[k].city);
        g_assert_cmpuint(r->asn, ==, sample_rows[k].asn);
        g_assert_cmpstr(r->as_org, ==, sample_rows[k].org);
        g_assert_true(r->has_location);
        g_assert_cmpuint(r->accuracy_radius_km, ==, 50);
        g_assert_true(sample_row_matches(r, &sample_rows[k]));
    }

    {
        g_autoptr(MtGeoRecord) r = mt_geoip_lookup(g, "81.2.69.142");

        g_assert_cmpfloat_with_epsilon(r->latitude, 51.5142, 1e-9);
        g_assert_cmpfloat_with_epsilon(r->longitude, -0.0931, 1e-9);
    }

    /* Just outside the sample networks, and addresses nobody lists. */
    g_assert_null(mt_geoip_lookup(g, "210.130.21.1"));
    g_assert_null(mt_geoip_lookup(g, "2001:218:2::1"));
    g_assert_null(mt_geoip_lookup(g, "8.8.8.8"));
    g_assert_null(mt_geoip_lookup(g, "192.168.1.1"));
    g_assert_null(mt_geoip_lookup(g, "::1"));
}

static void
assert_add_fails(const char *path, const char *what)
{
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(GError) error = NULL;

    g_assert_false(mt_geoip_add_database(g, path, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_GEOIP);
    /* The message names the file and says what is wrong with it. */
    if (strstr(error->message, path) == NULL ||
        strstr(error->message, what) == NULL)
        g_error("message '%s' lacks '%s' or '%s'", error->message, path, what);
    g_assert_cmpuint(mt_geoip_get_databases(g)->len, ==, 0);
    g_assert_null(mt_geoip_lookup(g, "81.2.69.142"));
}

static char *
make_temp_dir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("mt-geoip-XXXXXX", &error);

    g_assert_no_error(error);
    return dir;
}

static void
remove_tree(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (d == NULL)
        return;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, name, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
            !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            remove_tree(p);
        else
            g_assert_cmpint(g_unlink(p), ==, 0);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
write_file(const char *path, const void *data, gsize len)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(path, data, (gssize)len, &error));
    g_assert_no_error(error);
}

static void
copy_file(const char *from, const char *to)
{
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(from, &data, &len, NULL));
    write_file(to, data, len);
}

static void
test_bad_files(void)
{
    g_autofree char *corrupt = source_path("tests/data/geoip/corrupt.mmdb");
    g_autofree char *odd = source_path("tests/data/geoip/"
                                       "unknown-layout.mmdb");
    g_autofree char *dir = NULL;
    g_autofree char *missing = NULL;
    g_autofree char *empty = NULL;
    g_autofree char *garbage = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed(7);
    guint8 noise[4096];

    if (corrupt == NULL)
        return;
    dir = make_temp_dir();
    missing = g_build_filename(dir, "nope.mmdb", NULL);
    empty = g_build_filename(dir, "empty.mmdb", NULL);
    garbage = g_build_filename(dir, "garbage.mmdb", NULL);
    text = g_build_filename(dir, "text.mmdb", NULL);
    write_file(empty, "", 0);
    for (gsize k = 0; k < sizeof(noise); k++)
        noise[k] = (guint8)g_rand_int_range(rand, 0, 256);
    write_file(garbage, noise, sizeof(noise));
    write_file(text, "GeoIP Country Edition: GB, United Kingdom\n", 43);

    assert_add_fails(missing, "not found");
    assert_add_fails("/nonexistent-dir/GeoLite2-City.mmdb", "not found");
    assert_add_fails(dir, "not a regular file");
    assert_add_fails(corrupt, "not a MaxMind DB file, or corrupt");
    assert_add_fails(empty, "not a MaxMind DB file, or corrupt");
    assert_add_fails(garbage, "not a MaxMind DB file, or corrupt");
    assert_add_fails(text, "not a MaxMind DB file, or corrupt");
    assert_add_fails(odd, "unknown layout");
    assert_add_fails(odd, "'mailtrail-test-unknown-layout'");

    remove_tree(dir);
}

/* Databases whose metadata is intact but whose tree and data have been
 * scribbled over: opening may work or not, lookups must come back. */
static void
test_damaged_data(void)
{
    g_autofree char *city = source_path("samples/geoip/"
                                        "mailtrail-sample-city.mmdb");
    g_autofree char *dir = NULL;
    g_autofree char *data = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed(20240601);
    gsize len;
    gsize meta;
    guint opened = 0;

    if (city == NULL)
        return;
    g_assert_true(g_file_get_contents(city, &data, &len, NULL));
    /* The metadata starts after the marker "\xab\xcd\xefMaxMind.com". */
    meta = 0;
    for (gsize k = 0; k + 14 <= len; k++) {
        if (memcmp(data + k, "\xab\xcd\xefMaxMind.com", 14) == 0)
            meta = k;
    }
    g_assert_cmpuint(meta, >, 100);

    dir = make_temp_dir();
    for (int round = 0; round < 60; round++) {
        g_autofree char *copy = g_memdup2(data, len);
        g_autofree char *path = g_build_filename(dir, "damaged.mmdb", NULL);
        g_autoptr(MtGeoip) g = mt_geoip_new();
        int hits = g_rand_int_range(rand, 1, 40);

        for (int h = 0; h < hits; h++) {
            gsize at = (gsize)g_rand_int_range(rand, 0, (gint32)meta);

            copy[at] = (char)g_rand_int_range(rand, 0, 256);
        }
        write_file(path, copy, len);
        if (!mt_geoip_add_database(g, path, NULL))
            continue;
        opened++;
        for (gsize k = 0; k < G_N_ELEMENTS(sample_rows); k++) {
            g_autoptr(MtGeoRecord) r = mt_geoip_lookup(g, sample_rows[k].ip);

            /* Whatever comes back is well-formed. */
            if (r == NULL)
                continue;
            g_assert_true(r->city == NULL ||
                          g_utf8_validate(r->city, -1, NULL));
            g_assert_true(r->country_name == NULL ||
                          g_utf8_validate(r->country_name, -1, NULL));
            if (r->has_location) {
                g_assert_cmpfloat(r->latitude, >=, -90.0);
                g_assert_cmpfloat(r->latitude, <=, 90.0);
            }
        }
        g_assert_cmpint(g_unlink(path), ==, 0);
    }
    /* The metadata was left alone, so the files still open. */
    g_assert_cmpuint(opened, ==, 60);
    remove_tree(dir);
}

static void
test_ipv4_only(void)
{
    g_autofree char *path = source_path("tests/data/geoip/ipv4-only.mmdb");
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(MtGeoRecord) r = NULL;
    g_autoptr(MtGeoip) both = NULL;

    if (path == NULL)
        return;
    add_ok(g, path);
    g_assert_cmpuint(db_at(g, 0)->ip_version, ==, 4);
    g_assert_cmpint(db_at(g, 0)->kind, ==, MT_GEO_KIND_COUNTRY);

    r = mt_geoip_lookup(g, "89.160.20.112");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "SE");
    g_assert_cmpstr(r->country_name, ==, "Sweden");
    g_clear_pointer(&r, mt_geo_record_free);

    /* A mapped address is looked up as the IPv4 address it holds. */
    r = mt_geoip_lookup(g, "::ffff:89.160.20.1");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "SE");
    g_clear_pointer(&r, mt_geo_record_free);

    /* IPv6 has no place in an IPv4 tree: no record, no error. */
    g_assert_null(mt_geoip_lookup(g, "2001:218:1::1"));
    g_assert_null(mt_geoip_lookup(g, "::1"));

    /* Next to an IPv6 database, the IPv6 lookup still finds its data. */
    both = load_samples();
    if (both == NULL)
        return;
    add_ok(both, path);
    r = mt_geoip_lookup(both, "2001:218:1::1");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->country_code, ==, "JP");
}

static void
test_duplicates(void)
{
    g_autofree char *city = source_path("samples/geoip/"
                                        "mailtrail-sample-city.mmdb");
    g_autofree char *dir = NULL;
    g_autofree char *link = NULL;
    g_autoptr(MtGeoip) g = mt_geoip_new();

    if (city == NULL)
        return;
    dir = make_temp_dir();
    link = g_build_filename(dir, "link.mmdb", NULL);
    g_assert_cmpint(symlink(city, link), ==, 0);

    add_ok(g, city);
    add_ok(g, city);
    add_ok(g, link);
    g_assert_cmpuint(mt_geoip_get_databases(g)->len, ==, 1);
    remove_tree(dir);
}

static gboolean
has_warning(GPtrArray *warnings, const char *a, const char *b)
{
    for (guint k = 0; k < warnings->len; k++) {
        const char *w = g_ptr_array_index(warnings, k);

        if (strstr(w, a) != NULL && (b == NULL || strstr(w, b) != NULL))
            return TRUE;
    }
    return FALSE;
}

/* A directory with two good databases and every kind of bad entry. */
static char *
make_db_dir(void)
{
    g_autofree char *city = source_path("samples/geoip/"
                                        "mailtrail-sample-city.mmdb");
    g_autofree char *asn = source_path("samples/geoip/"
                                       "mailtrail-sample-asn.mmdb");
    g_autofree char *corrupt = source_path("tests/data/geoip/corrupt.mmdb");
    g_autofree char *odd = source_path("tests/data/geoip/"
                                       "unknown-layout.mmdb");
    char *dir;
    g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
    g_autofree char *p5 = NULL, *p6 = NULL;

    if (city == NULL)
        return NULL;
    dir = make_temp_dir();
    p1 = g_build_filename(dir, "b-city.mmdb", NULL);
    p2 = g_build_filename(dir, "a-asn.mmdb", NULL);
    p3 = g_build_filename(dir, "c-corrupt.mmdb", NULL);
    p4 = g_build_filename(dir, "d-odd.mmdb", NULL);
    p5 = g_build_filename(dir, "e-dir.mmdb", NULL);
    p6 = g_build_filename(dir, "README.txt", NULL);
    copy_file(city, p1);
    copy_file(asn, p2);
    copy_file(corrupt, p3);
    copy_file(odd, p4);
    g_assert_cmpint(g_mkdir(p5, 0700), ==, 0);
    write_file(p6, "not a database\n", 15);
    return dir;
}

static void
test_add_dir(void)
{
    g_autofree char *dir = make_db_dir();
    g_autofree char *missing = NULL;
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(MtGeoRecord) r = NULL;
    g_autofree char *first = NULL;

    if (dir == NULL)
        return;
    g_assert_cmpuint(mt_geoip_add_dir(g, dir, TRUE, warnings), ==, 2);
    /* Sorted by name: the ASN file comes first. */
    first = g_path_get_basename(db_at(g, 0)->path);
    g_assert_cmpstr(first, ==, "a-asn.mmdb");
    g_assert_cmpint(db_at(g, 1)->kind, ==, MT_GEO_KIND_CITY);

    g_assert_cmpuint(warnings->len, ==, 3);
    g_assert_true(has_warning(warnings, "c-corrupt.mmdb", "corrupt"));
    g_assert_true(has_warning(warnings, "d-odd.mmdb", "unknown layout"));
    g_assert_true(has_warning(warnings, "e-dir.mmdb", "not a regular file"));
    g_assert_false(has_warning(warnings, "README", NULL));

    r = mt_geoip_lookup(g, "175.16.199.10");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->city, ==, "Changchun");
    g_assert_cmpuint(r->asn, ==, 4837);

    /* Adding the same directory again adds nothing new. */
    g_ptr_array_set_size(warnings, 0);
    g_assert_cmpuint(mt_geoip_add_dir(g, dir, TRUE, NULL), ==, 0);
    g_assert_cmpuint(mt_geoip_get_databases(g)->len, ==, 2);

    missing = g_build_filename(dir, "no-such-dir", NULL);
    g_assert_cmpuint(mt_geoip_add_dir(g, missing, FALSE, warnings), ==, 0);
    g_assert_cmpuint(warnings->len, ==, 0);
    g_assert_cmpuint(mt_geoip_add_dir(g, missing, TRUE, warnings), ==, 0);
    g_assert_cmpuint(warnings->len, ==, 1);
    g_assert_true(has_warning(warnings, "no-such-dir", NULL));

    remove_tree(dir);
}

static void
test_default_dirs(void)
{
    g_autofree char *dir = make_db_dir();
    g_autofree char *missing = NULL;
    g_autofree char *env = NULL;
    g_autoptr(MtGeoip) g = mt_geoip_new();
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    guint added;

    if (dir == NULL)
        return;
    missing = g_build_filename(dir, "no-such-dir", NULL);
    env = g_strjoin(G_SEARCHPATH_SEPARATOR_S, dir, missing, NULL);
    g_setenv("MAILTRAIL_GEOIP_DIR", env, TRUE);
    added = mt_geoip_add_default_dirs(g, warnings);
    g_unsetenv("MAILTRAIL_GEOIP_DIR");

    /* The system directories may add more; ours come first. */
    g_assert_cmpuint(added, >=, 2);
    g_assert_cmpuint(added, ==, mt_geoip_get_databases(g)->len);
    g_assert_true(g_str_has_prefix(db_at(g, 0)->path, dir));
    g_assert_true(g_str_has_prefix(db_at(g, 1)->path, dir));
    g_assert_true(has_warning(warnings, "c-corrupt.mmdb", NULL));
    g_assert_true(has_warning(warnings, "no-such-dir", NULL));

    remove_tree(dir);
}

static void
test_no_databases(void)
{
    g_autoptr(MtGeoip) g = mt_geoip_new();
    MtIp ip = {0};

    g_assert_cmpuint(mt_geoip_get_databases(g)->len, ==, 0);
    g_assert_null(mt_geoip_lookup(g, "81.2.69.142"));
    /* A zeroed MtIp has no family: no lookup. */
    g_assert_null(mt_geoip_lookup_ip(g, &ip));
    mt_geoip_free(NULL);
    mt_geo_record_free(NULL);
}

typedef struct {
    MtGeoip *g;
    guint rounds;
} ThreadJob;

static gpointer
lookup_thread(gpointer data)
{
    const ThreadJob *job = data;
    guint failures = 0;

    for (guint n = 0; n < job->rounds; n++) {
        const SampleRow *row = &sample_rows[n % G_N_ELEMENTS(sample_rows)];
        g_autoptr(MtGeoRecord) r = mt_geoip_lookup(job->g, row->ip);
        g_autoptr(MtGeoRecord) none = mt_geoip_lookup(job->g, "8.8.4.4");

        if (!sample_row_matches(r, row) || none != NULL)
            failures++;
    }
    return GUINT_TO_POINTER(failures);
}

static void
test_threads(void)
{
    g_autoptr(MtGeoip) g = load_samples();
    ThreadJob job;
    GThread *threads[4];
    guint failures = 0;

    if (g == NULL)
        return;
    job.g = g;
    job.rounds = 5000;
    for (gsize k = 0; k < G_N_ELEMENTS(threads); k++)
        threads[k] = g_thread_new("lookup", lookup_thread, &job);
    for (gsize k = 0; k < G_N_ELEMENTS(threads); k++)
        failures += GPOINTER_TO_UINT(g_thread_join(threads[k]));
    g_assert_cmpuint(failures, ==, 0);
}

int
main(int argc, char **argv)
{
    const char *root;

    g_test_init(&argc, &argv, NULL);

    root = g_getenv("MT_SOURCE_ROOT");
    if (root != NULL && root[0] != '\0') {
        g_autofree char *shared =
            g_build_filename(root, "..", "shared", "geoip", NULL);

        source_root = g_strdup(root);
        if (g_file_test(shared, G_FILE_TEST_IS_DIR))
            maxmind_dir = g_steal_pointer(&shared);
    }
    /* Tests print every warning they provoke; none should be fatal. */
    g_unsetenv("MAILTRAIL_GEOIP_DIR");

    g_test_add_func("/geoip/kind-from-type", test_kind_from_type);
    g_test_add_func("/geoip/maxmind/city", test_maxmind_city);
    g_test_add_func("/geoip/maxmind/asn", test_maxmind_asn);
    g_test_add_func("/geoip/maxmind/country", test_maxmind_country);
    g_test_add_func("/geoip/maxmind/anonymous-ip", test_maxmind_anonymous);
    g_test_add_func("/geoip/maxmind/dir", test_maxmind_dir);
    g_test_add_func("/geoip/samples", test_samples);
    g_test_add_func("/geoip/bad-files", test_bad_files);
    g_test_add_func("/geoip/damaged-data", test_damaged_data);
    g_test_add_func("/geoip/ipv4-only", test_ipv4_only);
    g_test_add_func("/geoip/duplicates", test_duplicates);
    g_test_add_func("/geoip/add-dir", test_add_dir);
    g_test_add_func("/geoip/default-dirs", test_default_dirs);
    g_test_add_func("/geoip/no-databases", test_no_databases);
    g_test_add_func("/geoip/threads", test_threads);
    return g_test_run();
}
