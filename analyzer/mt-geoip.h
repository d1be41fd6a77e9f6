/* SPDX-License-Identifier: MIT */
/*
 * mt-geoip.h: country, city, AS and anonymizer data for relay addresses,
 * read from MaxMind DB (.mmdb) files with libmaxminddb. Several databases
 * can be loaded at once (a City and an ASN file, say); a lookup merges what
 * each of them knows. The report names every database it used, with its
 * build date, because a location is only as good as the file's age.
 *
 * Load databases first, from one thread; then mt_geoip_lookup() may be
 * called from any number of threads at once: lookups only read the mapped
 * files and the list of databases.
 */
#ifndef MT_GEOIP_H
#define MT_GEOIP_H

#include <glib.h>

#include "mt-ipaddr.h"

G_BEGIN_DECLS

typedef struct _MtGeoip MtGeoip;

/* Which record layout a database has, from its metadata database_type. */
typedef enum {
    MT_GEO_KIND_UNKNOWN,
    MT_GEO_KIND_CITY,         /* GeoIP2/GeoLite2-City, Enterprise, DBIP */
    MT_GEO_KIND_COUNTRY,      /* GeoIP2/GeoLite2-Country, DBIP-Country */
    MT_GEO_KIND_ASN,          /* GeoLite2-ASN, GeoIP2-ISP, DBIP-ASN */
    MT_GEO_KIND_ANONYMOUS_IP, /* GeoIP2-Anonymous-IP */
} MtGeoKind;

/* "city", "country", "asn", "anonymous-ip" or "unknown". */
const char *mt_geo_kind_to_string(MtGeoKind kind);

/* The layout a database_type names: the vendor prefixes GeoIP2-, GeoLite2-
 * and DBIP- followed by City, Precision-City, Enterprise, Location, Country,
 * ASN, ISP or Anonymous-IP (and anything after a further '-' or ' ', such
 * as "-Lite" or "-Europe"). Anything else is MT_GEO_KIND_UNKNOWN. */
MtGeoKind mt_geo_kind_from_type(const char *database_type);

/* One loaded database, for the report. */
typedef struct {
    char *path; /* as given */
    char *type; /* metadata database_type, printable ASCII */
    MtGeoKind kind;
    guint64 build_epoch;
    char *build_date; /* build_epoch as "YYYY-MM-DDTHH:MM:SSZ", or NULL */
    guint ip_version; /* 4 or 6 */
} MtGeoDatabase;

/* What the databases know about one address. Strings are UTF-8 or NULL. */
typedef struct {
    char *country_code;            /* ISO 3166-1 alpha-2, "GB" */
    char *country_name;            /* English, "United Kingdom" */
    char *registered_country_code; /* where the network is registered */
    char *city;                    /* English, "London" */
    gboolean has_location;
    double latitude;
    double longitude;
    guint accuracy_radius_km; /* 0 when the database gives none */
    guint32 asn;              /* 0 when unknown */
    char *as_org;
    /* TRUE when an Anonymous-IP database has an entry for the address;
     * the flags below mean something only then. */
    gboolean has_anonymous;
    gboolean is_anonymous;
    gboolean is_anonymous_vpn;
    gboolean is_hosting_provider;
    gboolean is_public_proxy;
    gboolean is_tor_exit_node;
    gboolean is_residential_proxy;
} MtGeoRecord;

MtGeoip *mt_geoip_new(void);
void mt_geoip_free(MtGeoip *g);

/* Opens one .mmdb file and adds it after those already loaded; earlier
 * databases win when two give the same field (country code and name, and AS
 * number and organization, are each taken as a pair from one file). On
 * failure, error (MT_ERROR, MT_ERROR_GEOIP) names the file and says what is
 * wrong: not found, not a regular file, cannot be opened, not a MaxMind DB
 * or corrupt, or a layout mailtrail does not read. A file already loaded
 * (same device and inode) is not added twice; that returns TRUE. */
gboolean mt_geoip_add_database(MtGeoip *g, const char *path, GError **error);

/* Adds every "*.mmdb" file in dir, in byte order of their names. Messages
 * for files that could not be used are appended to warnings (char*, the
 * caller's GPtrArray with g_free as free func; may be NULL). A directory
 * that does not exist gives a warning only when warn_missing. Returns how
 * many databases were added. */
guint mt_geoip_add_dir(MtGeoip *g, const char *dir, gboolean warn_missing,
                       GPtrArray *warnings);

/* Adds the databases of the directories in $MAILTRAIL_GEOIP_DIR (a
 * G_SEARCHPATH_SEPARATOR-separated list, each warned about if missing),
 * then /usr/share/GeoIP and /var/lib/GeoIP (silently skipped if missing).
 * Returns how many databases were added. */
guint mt_geoip_add_default_dirs(MtGeoip *g, GPtrArray *warnings);

/* The loaded databases in lookup order (MtGeoDatabase*). Transfer none. */
const GPtrArray *mt_geoip_get_databases(MtGeoip *g);

/* Looks an address up in every database and merges the answers. ip_text
 * is parsed with mt_ip_parse(). Returns NULL when the text is not an
 * address or no database has an entry for it (an entry that is an empty map,
 * as writers use to fill gaps, counts as none); an IPv6 address is skipped by
 * IPv4-only databases, and a database whose data proves corrupt during the
 * lookup is passed over. An IPv4-mapped address is looked up as the IPv4
 * address. Transfer full. */
MtGeoRecord *mt_geoip_lookup(MtGeoip *g, const char *ip_text);
MtGeoRecord *mt_geoip_lookup_ip(MtGeoip *g, const MtIp *ip);

void mt_geo_record_free(MtGeoRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtGeoip, mt_geoip_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtGeoRecord, mt_geo_record_free)

G_END_DECLS

#endif /* MT_GEOIP_H */
