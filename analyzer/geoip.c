/* SPDX-License-Identifier: MIT */
/*
 * geoip.c: the GeoIP and ASN reader over libmaxminddb. A database file is
 * data from outside like any message: its metadata strings are cleaned
 * before they reach a report, its values are checked for type, length and
 * UTF-8 before they are copied, and a file that fails any of that is
 * skipped with a message, never trusted. Lookups take a parsed MtIp and a
 * sockaddr, not text, so the resolver's lenient number forms never apply,
 * and they only read the mapped file, so threads can share one MtGeoip.
 */
#include "mt-geoip.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <maxminddb.h>

#include "mailtrail.h"

/* A database_type longer than this is cut in messages and the report. */
#define MAX_TYPE_TEXT 64
/* No name, city or organization in a real database comes near this. */
#define MAX_VALUE_BYTES 1024
/* Directory scans stop here: a GeoIP directory holds a handful of files. */
#define MAX_DIR_ENTRIES 10000
#define MAX_DIR_DATABASES 64

/* One opened file. pub comes first so the list can hand out MtGeoDatabase
 * pointers. */
typedef struct {
    MtGeoDatabase pub;
    MMDB_s mmdb;
    dev_t dev;
    ino_t ino;
} GeoDb;

struct _MtGeoip {
    GPtrArray *databases; /* GeoDb* */
};

static void
geo_db_free(gpointer p)
{
    GeoDb *db = p;

    if (db == NULL)
        return;
    MMDB_close(&db->mmdb);
    g_free(db->pub.path);
    g_free(db->pub.type);
    g_free(db->pub.build_date);
    g_free(db);
}

MtGeoip *
mt_geoip_new(void)
{
    MtGeoip *g = g_new0(MtGeoip, 1);

    g->databases = g_ptr_array_new_with_free_func(geo_db_free);
    return g;
}

void
mt_geoip_free(MtGeoip *g)
{
    if (g == NULL)
        return;
    g_ptr_array_unref(g->databases);
    g_free(g);
}

const GPtrArray *
mt_geoip_get_databases(MtGeoip *g)
{
    g_return_val_if_fail(g != NULL, NULL);
    return g->databases;
}

const char *
mt_geo_kind_to_string(MtGeoKind kind)
{
    switch (kind) {
    case MT_GEO_KIND_UNKNOWN:
        return "unknown";
    case MT_GEO_KIND_CITY:
        return "city";
    case MT_GEO_KIND_COUNTRY:
        return "country";
    case MT_GEO_KIND_ASN:
        return "asn";
    case MT_GEO_KIND_ANONYMOUS_IP:
        return "anonymous-ip";
    }
    return "unknown";
}

/* TRUE when s starts with word and the word ends there. */
static gboolean
starts_with_word(const char *s, const char *word)
{
    gsize n = strlen(word);

    return strncmp(s, word, n) == 0 &&
           (s[n] == '\0' || s[n] == '-' || s[n] == ' ');
}

MtGeoKind
mt_geo_kind_from_type(const char *database_type)
{
    /* The product names after the vendor prefix. The commercial City-like
     * products (Enterprise, DB-IP's Location) share the City layout, and
     * GeoIP2-ISP keeps the ASN keys at the top level like GeoLite2-ASN. */
    static const char *const vendors[] = {"GeoIP2-", "GeoLite2-", "DBIP-"};
    static const struct {
        const char *word;
        MtGeoKind kind;
    } products[] = {
        {"City", MT_GEO_KIND_CITY},
        {"Precision-City", MT_GEO_KIND_CITY},
        {"Enterprise", MT_GEO_KIND_CITY},
        {"Location", MT_GEO_KIND_CITY},
        {"Country", MT_GEO_KIND_COUNTRY},
        {"ASN", MT_GEO_KIND_ASN},
        {"ISP", MT_GEO_KIND_ASN},
        {"Anonymous-IP", MT_GEO_KIND_ANONYMOUS_IP},
    };

    if (database_type == NULL)
        return MT_GEO_KIND_UNKNOWN;
    for (gsize v = 0; v < G_N_ELEMENTS(vendors); v++) {
        gsize n = strlen(vendors[v]);

        if (strncmp(database_type, vendors[v], n) != 0)
            continue;
        for (gsize p = 0; p < G_N_ELEMENTS(products); p++) {
            if (starts_with_word(database_type + n, products[p].word))
                return products[p].kind;
        }
    }
    return MT_GEO_KIND_UNKNOWN;
}

/* A metadata string made safe for a message or a report: printable ASCII
 * only (the names are ASCII in every known database), at most
 * MAX_TYPE_TEXT bytes. */
static char *
clean_type(const char *s)
{
    GString *out = g_string_new(NULL);

    for (gsize k = 0; s != NULL && s[k] != '\0'; k++) {
        if (out->len >= MAX_TYPE_TEXT) {
            g_string_append(out, "...");
            break;
        }
        g_string_append_c(out, g_ascii_isprint(s[k]) ? s[k] : '?');
    }
    return g_string_free(out, FALSE);
}

static char *
format_epoch(guint64 epoch)
{
    g_autoptr(GDateTime) dt = NULL;

    if (epoch > (guint64)G_MAXINT64)
        return NULL;
    dt = g_date_time_new_from_unix_utc((gint64)epoch);
    if (dt == NULL)
        return NULL;
    return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean geo_fail(GError **error, const char *path, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Sets error to "GeoIP database 'path': <what>". Returns FALSE. */
static gboolean
geo_fail(GError **error, const char *path, const char *fmt, ...)
{
    g_autofree char *display = g_filename_display_name(path);
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, MT_ERROR, MT_ERROR_GEOIP, "GeoIP database '%s': %s",
                display, what);
    return FALSE;
}

static gboolean
already_loaded(MtGeoip *g, const struct stat *st)
{
    for (guint k = 0; k < g->databases->len; k++) {
        const GeoDb *db = g_ptr_array_index(g->databases, k);

        if (db->dev == st->st_dev && db->ino == st->st_ino)
            return TRUE;
    }
    return FALSE;
}

gboolean
mt_geoip_add_database(MtGeoip *g, const char *path, GError **error)
{
    struct stat st;
    GeoDb *db;
    int status;
    int saved_errno;
    const MMDB_metadata_s *meta;

    g_return_val_if_fail(g != NULL, FALSE);
    g_return_val_if_fail(path != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (stat(path, &st) != 0) {
        saved_errno = errno;
        if (saved_errno == ENOENT || saved_errno == ENOTDIR)
            return geo_fail(error, path, "not found");
        return geo_fail(error, path, "cannot be read: %s",
                        g_strerror(saved_errno));
    }
    /* A FIFO or device would block or never end; only files are maps. */
    if (!S_ISREG(st.st_mode))
        return geo_fail(error, path, "not a regular file");
    /* Shorter than the metadata marker alone; mmap() of an empty file
     * would fail with a baffling EINVAL. */
    if (st.st_size < 14)
        return geo_fail(error, path,
                        "not a MaxMind DB file, or corrupt (%lld bytes)",
                        (long long)st.st_size);
    if (already_loaded(g, &st))
        return TRUE;

    db = g_new0(GeoDb, 1);
    errno = 0;
    status = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
    saved_errno = errno;
    if (status != MMDB_SUCCESS) {
        /* MMDB_open frees what it allocated when it fails. */
        g_free(db);
        switch (status) {
        case MMDB_FILE_OPEN_ERROR:
            return geo_fail(error, path, "cannot be opened: %s",
                            g_strerror(saved_errno));
        case MMDB_IO_ERROR:
            return geo_fail(error, path, "read error: %s",
                            g_strerror(saved_errno));
        case MMDB_OUT_OF_MEMORY_ERROR:
            return geo_fail(error, path, "out of memory while opening");
        default:
            return geo_fail(error, path,
                            "not a MaxMind DB file, or corrupt (%s)",
                            MMDB_strerror(status));
        }
    }

    meta = &db->mmdb.metadata;
    db->dev = st.st_dev;
    db->ino = st.st_ino;
    db->pub.path = g_strdup(path);
    db->pub.type = clean_type(meta->database_type);
    db->pub.kind = mt_geo_kind_from_type(meta->database_type);
    db->pub.build_epoch = meta->build_epoch;
    db->pub.build_date = format_epoch(meta->build_epoch);
    db->pub.ip_version = meta->ip_version;

    if (meta->ip_version != 4 && meta->ip_version != 6) {
        geo_fail(error, path, "corrupt: IP version %u in its metadata",
                 (guint)meta->ip_version);
        geo_db_free(db);
        return FALSE;
    }
    if (db->pub.kind == MT_GEO_KIND_UNKNOWN) {
        geo_fail(error, path,
                 "unknown layout: database type '%s' is not a City, "
                 "Country, ASN or Anonymous-IP database",
                 db->pub.type);
        geo_db_free(db);
        return FALSE;
    }
    g_ptr_array_add(g->databases, db);
    return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
warn(GPtrArray *warnings, char *message)
{
    if (warnings != NULL)
        g_ptr_array_add(warnings, message);
    else
        g_free(message);
}

guint
mt_geoip_add_dir(MtGeoip *g, const char *dir, gboolean warn_missing,
                 GPtrArray *warnings)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autofree char *display = NULL;
    const char *name;
    guint seen = 0;
    guint added = 0;

    g_return_val_if_fail(g != NULL, 0);
    g_return_val_if_fail(dir != NULL, 0);

    display = g_filename_display_name(dir);
    d = g_dir_open(dir, 0, &error);
    if (d == NULL) {
        if (warn_missing ||
            !g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            warn(warnings, g_strdup_printf("GeoIP directory '%s': %s", display,
                                           error->message));
        return 0;
    }

    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(d)) != NULL) {
        if (++seen > MAX_DIR_ENTRIES) {
            warn(warnings, g_strdup_printf("GeoIP directory '%s': more than %u "
                                           "entries, the rest not read",
                                           display, MAX_DIR_ENTRIES));
            break;
        }
        if (!g_str_has_suffix(name, ".mmdb"))
            continue;
        if (names->len >= MAX_DIR_DATABASES) {
            warn(warnings, g_strdup_printf("GeoIP directory '%s': more than %u "
                                           ".mmdb files, the rest not used",
                                           display, MAX_DIR_DATABASES));
            break;
        }
        g_ptr_array_add(names, g_strdup(name));
    }
    /* Sorted, so that which database wins a field does not depend on the
     * order the file system lists them in. */
    g_ptr_array_sort(names, compare_names);

    for (guint k = 0; k < names->len; k++) {
        g_autofree char *path =
            g_build_filename(dir, g_ptr_array_index(names, k), NULL);
        g_autoptr(GError) add_error = NULL;
        guint before = g->databases->len;

        if (!mt_geoip_add_database(g, path, &add_error))
            warn(warnings, g_strdup(add_error->message));
        else if (g->databases->len > before)
            added++;
    }
    return added;
}

guint
mt_geoip_add_default_dirs(MtGeoip *g, GPtrArray *warnings)
{
    static const char *const system_dirs[] = {
        "/usr/share/GeoIP",
        "/var/lib/GeoIP",
    };
    const char *env;
    guint added = 0;

    g_return_val_if_fail(g != NULL, 0);

    env = g_getenv("MAILTRAIL_GEOIP_DIR");
    if (env != NULL && env[0] != '\0') {
        g_auto(GStrv) dirs = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, 64);

        for (guint k = 0; dirs[k] != NULL; k++) {
            if (dirs[k][0] != '\0')
                added += mt_geoip_add_dir(g, dirs[k], TRUE, warnings);
        }
    }
    for (gsize k = 0; k < G_N_ELEMENTS(system_dirs); k++)
        added += mt_geoip_add_dir(g, system_dirs[k], FALSE, warnings);
    return added;
}

/* The string at path, or NULL when it is absent, not a string, empty,
 * oversized, or not valid UTF-8 (which also rules out NUL bytes: MaxMind DB
 * strings carry a length and no terminator). */
static char *
get_string(const MMDB_entry_s *entry, const char *const *path)
{
    MMDB_entry_s start = *entry;
    MMDB_entry_data_s data;

    if (MMDB_aget_value(&start, &data, path) != MMDB_SUCCESS ||
        !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING)
        return NULL;
    if (data.data_size == 0 || data.data_size > MAX_VALUE_BYTES)
        return NULL;
    if (!g_utf8_validate_len(data.utf8_string, data.data_size, NULL))
        return NULL;
    return g_strndup(data.utf8_string, data.data_size);
}

/* An unsigned integer of any of the widths databases use. */
static gboolean
get_uint32(const MMDB_entry_s *entry, const char *const *path, guint32 *out)
{
    MMDB_entry_s start = *entry;
    MMDB_entry_data_s data;

    if (MMDB_aget_value(&start, &data, path) != MMDB_SUCCESS || !data.has_data)
        return FALSE;
    switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
        *out = data.uint16;
        return TRUE;
    case MMDB_DATA_TYPE_UINT32:
        *out = data.uint32;
        return TRUE;
    case MMDB_DATA_TYPE_UINT64:
        if (data.uint64 > G_MAXUINT32)
            return FALSE;
        *out = (guint32)data.uint64;
        return TRUE;
    case MMDB_DATA_TYPE_INT32:
        if (data.int32 < 0)
            return FALSE;
        *out = (guint32)data.int32;
        return TRUE;
    default:
        return FALSE;
    }
}

static gboolean
get_double(const MMDB_entry_s *entry, const char *const *path, double *out)
{
    MMDB_entry_s start = *entry;
    MMDB_entry_data_s data;

    if (MMDB_aget_value(&start, &data, path) != MMDB_SUCCESS || !data.has_data)
        return FALSE;
    if (data.type == MMDB_DATA_TYPE_DOUBLE)
        *out = data.double_value;
    else if (data.type == MMDB_DATA_TYPE_FLOAT)
        *out = data.float_value;
    else
        return FALSE;
    return isfinite(*out);
}

static gboolean
get_bool(const MMDB_entry_s *entry, const char *key)
{
    const char *const path[] = {key, NULL};
    MMDB_entry_s start = *entry;
    MMDB_entry_data_s data;

    return MMDB_aget_value(&start, &data, path) == MMDB_SUCCESS &&
           data.has_data && data.type == MMDB_DATA_TYPE_BOOLEAN && data.boolean;
}

/* TRUE when the entry is an empty map. Writers fill the gaps between
 * networks with such records (MaxMind's Anonymous-IP test file answers
 * 8.8.8.8 with "{}"): it says the database knows nothing, so it is no
 * entry at all. */
static gboolean
entry_is_empty(const MMDB_entry_s *entry)
{
    const char *const path[] = {NULL};
    MMDB_entry_s start = *entry;
    MMDB_entry_data_s data;

    if (MMDB_aget_value(&start, &data, path) != MMDB_SUCCESS || !data.has_data)
        return TRUE;
    return data.type == MMDB_DATA_TYPE_MAP && data.data_size == 0;
}

/* Fills in the fields of rec still empty with what one entry has. */
static void
fill_string(char **field, const MMDB_entry_s *entry, const char *const *path)
{
    if (*field == NULL)
        *field = get_string(entry, path);
}

static void
merge_location(MtGeoRecord *rec, const MMDB_entry_s *entry)
{
    static const char *const lat_path[] = {"location", "latitude", NULL};
    static const char *const lon_path[] = {"location", "longitude", NULL};
    static const char *const radius_path[] = {"location", "accuracy_radius",
                                              NULL};
    double lat, lon;
    guint32 radius;

    if (rec->has_location)
        return;
    if (!get_double(entry, lat_path, &lat) ||
        !get_double(entry, lon_path, &lon))
        return;
    /* Out-of-range coordinates are corrupt data, not a place. */
    if (lat < -90.0 || lat > 90.0 || lon < -180.0 || lon > 180.0)
        return;
    rec->has_location = TRUE;
    rec->latitude = lat;
    rec->longitude = lon;
    if (get_uint32(entry, radius_path, &radius))
        rec->accuracy_radius_km = radius;
}

static void
merge_asn(MtGeoRecord *rec, const MMDB_entry_s *entry,
          const char *const *number_path, const char *const *org_path)
{
    guint32 asn;

    /* Number and name come from the same database, so they never mix. */
    if (rec->asn != 0)
        return;
    if (!get_uint32(entry, number_path, &asn) || asn == 0)
        return;
    rec->asn = asn;
    g_clear_pointer(&rec->as_org, g_free);
    rec->as_org = get_string(entry, org_path);
}

static void
merge_entry(MtGeoRecord *rec, MtGeoKind kind, const MMDB_entry_s *entry)
{
    static const char *const cc_path[] = {"country", "iso_code", NULL};
    static const char *const cn_path[] = {"country", "names", "en", NULL};
    static const char *const reg_path[] = {"registered_country", "iso_code",
                                           NULL};
    static const char *const city_path[] = {"city", "names", "en", NULL};
    static const char *const asn_path[] = {"autonomous_system_number", NULL};
    static const char *const org_path[] = {"autonomous_system_organization",
                                           NULL};
    static const char *const traits_asn_path[] = {
        "traits", "autonomous_system_number", NULL};
    static const char *const traits_org_path[] = {
        "traits", "autonomous_system_organization", NULL};

    switch (kind) {
    case MT_GEO_KIND_CITY:
        fill_string(&rec->city, entry, city_path);
        merge_location(rec, entry);
        /* Enterprise-style files carry the AS in traits. */
        merge_asn(rec, entry, traits_asn_path, traits_org_path);
        /* A City record has the Country fields too. */
        G_GNUC_FALLTHROUGH;
    case MT_GEO_KIND_COUNTRY:
        /* Name and code from one database, like the AS pair. */
        if (rec->country_code == NULL) {
            rec->country_code = get_string(entry, cc_path);
            if (rec->country_code != NULL) {
                g_clear_pointer(&rec->country_name, g_free);
                rec->country_name = get_string(entry, cn_path);
            }
        }
        fill_string(&rec->registered_country_code, entry, reg_path);
        break;
    case MT_GEO_KIND_ASN:
        merge_asn(rec, entry, asn_path, org_path);
        break;
    case MT_GEO_KIND_ANONYMOUS_IP:
        rec->has_anonymous = TRUE;
        rec->is_anonymous |= get_bool(entry, "is_anonymous");
        rec->is_anonymous_vpn |= get_bool(entry, "is_anonymous_vpn");
        rec->is_hosting_provider |= get_bool(entry, "is_hosting_provider");
        rec->is_public_proxy |= get_bool(entry, "is_public_proxy");
        rec->is_tor_exit_node |= get_bool(entry, "is_tor_exit_node");
        rec->is_residential_proxy |= get_bool(entry, "is_residential_proxy");
        break;
    case MT_GEO_KIND_UNKNOWN:
        break;
    }
}

MtGeoRecord *
mt_geoip_lookup_ip(MtGeoip *g, const MtIp *ip)
{
    g_autoptr(MtGeoRecord) rec = NULL;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    const struct sockaddr *sa;
    MtIp addr;
    gboolean found = FALSE;

    g_return_val_if_fail(g != NULL, NULL);
    g_return_val_if_fail(ip != NULL, NULL);

    /* Mapped addresses are IPv4 hosts: IPv4-only databases know them too,
     * and not every IPv6 database aliases ::ffff:0:0/96. */
    mt_ip_unmap(ip, &addr);
    if (addr.family == MT_IP_FAMILY_V4) {
        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        memcpy(&sin.sin_addr, addr.addr, 4);
        sa = (const struct sockaddr *)&sin;
    } else if (addr.family == MT_IP_FAMILY_V6) {
        memset(&sin6, 0, sizeof(sin6));
        sin6.sin6_family = AF_INET6;
        memcpy(&sin6.sin6_addr, addr.addr, 16);
        sa = (const struct sockaddr *)&sin6;
    } else {
        return NULL;
    }

    rec = g_new0(MtGeoRecord, 1);
    for (guint k = 0; k < g->databases->len; k++) {
        const GeoDb *db = g_ptr_array_index(g->databases, k);
        MMDB_lookup_result_s result;
        int mmdb_error = MMDB_SUCCESS;

        if (addr.family == MT_IP_FAMILY_V6 && db->pub.ip_version == 4)
            continue;
        result = MMDB_lookup_sockaddr(&db->mmdb, sa, &mmdb_error);
        /* A corrupt search tree fails this one lookup, not the program. */
        if (mmdb_error != MMDB_SUCCESS || !result.found_entry ||
            entry_is_empty(&result.entry))
            continue;
        found = TRUE;
        merge_entry(rec, db->pub.kind, &result.entry);
    }
    return found ? g_steal_pointer(&rec) : NULL;
}

MtGeoRecord *
mt_geoip_lookup(MtGeoip *g, const char *ip_text)
{
    MtIp ip;

    g_return_val_if_fail(g != NULL, NULL);
    g_return_val_if_fail(ip_text != NULL, NULL);

    /* strnlen: a longer string is no address, whatever follows. */
    if (!mt_ip_parse(ip_text, strnlen(ip_text, 128), &ip))
        return NULL;
    return mt_geoip_lookup_ip(g, &ip);
}

void
mt_geo_record_free(MtGeoRecord *record)
{
    if (record == NULL)
        return;
    g_free(record->country_code);
    g_free(record->country_name);
    g_free(record->registered_country_code);
    g_free(record->city);
    g_free(record->as_org);
    g_free(record);
}
