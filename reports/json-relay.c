/* SPDX-License-Identifier: MIT */
/*
 * json-relay.c: the report's "relay" object (schema $defs relay and hop
 * in doc/mailtrail-report.schema.json). A hop is the parsed Received header
 * in the shape "mailtrail received" prints, with what the relay analysis
 * added (delay, address class, GeoIP, trust, link, flags) placed before
 * "unparsed" and "raw", so the raw text closes every hop. Every key is
 * always present; absent values are null, so jq filters never need "?".
 */
#include <string.h>

#include "reports.h"

static json_t *
str(const char *s)
{
    return mt_json_string_or_null(s);
}

static json_t *
int_if(gboolean has, gint64 value)
{
    return has ? json_integer((json_int_t)value) : json_null();
}

static json_t *
int_positive(gint64 value)
{
    return value > 0 ? json_integer((json_int_t)value) : json_null();
}

/* A GeoIP record, or null. Booleans of the Anonymous-IP layout are only
 * meaningful when such a database had an entry, hence the nested object. */
static json_t *
json_geo(const MtGeoRecord *g)
{
    json_t *o, *anon;

    if (g == NULL)
        return json_null();
    o = json_object();
    json_object_set_new(o, "country_code", str(g->country_code));
    json_object_set_new(o, "country_name", str(g->country_name));
    json_object_set_new(o, "registered_country_code",
                        str(g->registered_country_code));
    json_object_set_new(o, "city", str(g->city));
    json_object_set_new(o, "latitude", g->has_location
                                           ? json_real(g->latitude)
                                           : json_null());
    json_object_set_new(o, "longitude", g->has_location
                                            ? json_real(g->longitude)
                                            : json_null());
    json_object_set_new(o, "accuracy_radius_km",
                        int_positive(g->accuracy_radius_km));
    json_object_set_new(o, "asn", int_positive(g->asn));
    json_object_set_new(o, "as_org", str(g->as_org));
    if (g->has_anonymous) {
        anon = json_object();
        json_object_set_new(anon, "is_anonymous",
                            json_boolean(g->is_anonymous));
        json_object_set_new(anon, "is_anonymous_vpn",
                            json_boolean(g->is_anonymous_vpn));
        json_object_set_new(anon, "is_hosting_provider",
                            json_boolean(g->is_hosting_provider));
        json_object_set_new(anon, "is_public_proxy",
                            json_boolean(g->is_public_proxy));
        json_object_set_new(anon, "is_tor_exit_node",
                            json_boolean(g->is_tor_exit_node));
        json_object_set_new(anon, "is_residential_proxy",
                            json_boolean(g->is_residential_proxy));
        json_object_set_new(o, "anonymous", anon);
    } else {
        json_object_set_new(o, "anonymous", json_null());
    }
    return o;
}

static json_t *
json_flags(guint flags)
{
    json_t *list = json_array();

    for (guint bit = 0; bit < MT_HOP_FLAG_COUNT; bit++) {
        const char *name;

        if ((flags & (1u << bit)) == 0)
            continue;
        name = mt_hop_flag_to_string((MtHopFlag)(1u << bit));
        if (name != NULL)
            json_array_append_new(list, json_string(name));
    }
    return list;
}

static json_t *
json_link(const MtLink *link)
{
    json_t *o = json_object();

    json_object_set_new(o, "status",
                        json_string(mt_link_status_to_string(link->status)));
    json_object_set_new(o, "field", str(link->field));
    json_object_set_new(o, "basis", str(link->basis));
    json_object_set_new(o, "domain", str(link->domain));
    json_object_set_new(o, "kind", str(link->kind));
    return o;
}

static void
add_analysis(json_t *h, const MtHop *hop)
{
    json_object_set_new(h, "delay_s", int_if(hop->has_delay, hop->delay_s));
    json_object_set_new(h, "ip_class",
                        hop->has_ip_class
                            ? json_string(mt_ip_class_to_string(hop->ip_class))
                            : json_null());
    json_object_set_new(h, "ip_note", str(hop->ip_note));
    json_object_set_new(h, "geo", json_geo(hop->geo));
    json_object_set_new(h, "trust", str(mt_trust_to_string(hop->trust)));
    json_object_set_new(h, "link", json_link(&hop->link));
    json_object_set_new(h, "flags", json_flags(hop->flags));
}

static json_t *
json_hop(const MtHop *hop, guint index)
{
    json_t *h = json_object();
    json_t *fields = mt_json_received(hop->received);
    const char *key;
    json_t *value;
    gboolean added = FALSE;

    json_object_set_new(h, "index", json_integer(index));
    json_object_set_new(h, "header_index", json_integer(hop->header_index));
    /* The parser's keys in its order, with the analysis before
     * "unparsed". */
    json_object_foreach(fields, key, value) {
        if (!added && strcmp(key, "unparsed") == 0) {
            add_analysis(h, hop);
            added = TRUE;
        }
        json_object_set(h, key, value);
    }
    if (!added)
        add_analysis(h, hop);
    json_decref(fields);
    return h;
}

static json_t *
json_origin(const MtRelay *relay)
{
    const MtRelayOrigin *o = &relay->origin;
    json_t *obj = json_object();

    json_object_set_new(obj, "ip", str(o->ip));
    json_object_set_new(obj, "hop", o->hop > 0 ? json_integer(o->hop)
                                               : json_null());
    json_object_set_new(obj, "header_index",
                        o->hop > 0 ? json_integer(o->header_index)
                                   : json_null());
    json_object_set_new(obj, "host", str(o->host));
    json_object_set_new(obj, "ip_class",
                        o->ip ? json_string(mt_ip_class_to_string(o->ip_class))
                              : json_null());
    json_object_set_new(obj, "trust",
                        o->ip ? str(mt_trust_to_string(o->trust))
                              : json_null());
    json_object_set_new(obj, "verified", json_boolean(o->ip && o->verified));
    json_object_set_new(obj, "geo", json_geo(o->geo));
    json_object_set_new(obj, "reason", str(o->reason));
    return obj;
}

static json_t *
json_claimed(const GPtrArray *claims)
{
    json_t *list = json_array();

    for (guint i = 0; claims != NULL && i < claims->len; i++) {
        const MtClaimedOrigin *c = claims->pdata[i];
        json_t *o = json_object();

        json_object_set_new(o, "header", str(c->header));
        json_object_set_new(o, "header_index", json_integer(c->header_index));
        json_object_set_new(o, "ip", str(c->ip));
        json_object_set_new(o, "ip_class",
                            json_string(mt_ip_class_to_string(c->ip_class)));
        json_object_set_new(o, "in_relay_path", json_boolean(c->hop > 0));
        json_object_set_new(o, "hop", c->hop > 0 ? json_integer(c->hop)
                                                 : json_null());
        json_object_set_new(o, "geo", json_geo(c->geo));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_timestamps(const GPtrArray *stamps)
{
    json_t *list = json_array();

    for (guint i = 0; stamps != NULL && i < stamps->len; i++) {
        const MtRelayTimestamp *t = stamps->pdata[i];
        json_t *o = json_object();
        char when[21];

        json_object_set_new(o, "source", str(t->source));
        json_object_set_new(o, "header_index", json_integer(t->header_index));
        json_object_set_new(o, "hop", t->hop > 0 ? json_integer(t->hop)
                                                 : json_null());
        json_object_set_new(o, "timestamp", json_string(mt_date_format_utc(
                                                t->timestamp, when)));
        json_object_set_new(o, "delta_s", int_if(t->has_delta, t->delta_s));
        json_object_set_new(o, "status", str(t->status));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *
json_databases(const GPtrArray *dbs)
{
    json_t *list = json_array();

    for (guint i = 0; dbs != NULL && i < dbs->len; i++) {
        const MtGeoDatabase *db = dbs->pdata[i];
        json_t *o = json_object();

        json_object_set_new(o, "path", str(db->path));
        json_object_set_new(o, "type", str(db->type));
        json_object_set_new(o, "kind",
                            json_string(mt_geo_kind_to_string(db->kind)));
        json_object_set_new(o, "build_date", str(db->build_date));
        json_object_set_new(o, "ip_version", json_integer(db->ip_version));
        json_array_append_new(list, o);
    }
    return list;
}

json_t *
mt_json_relay(const MtRelay *relay)
{
    json_t *o, *hops, *domains;

    g_return_val_if_fail(relay != NULL, NULL);

    o = json_object();
    hops = json_array();
    for (guint i = 0; relay->hops != NULL && i < relay->hops->len; i++)
        json_array_append_new(hops, json_hop(relay->hops->pdata[i], i + 1));
    json_object_set_new(o, "hops", hops);
    json_object_set_new(o, "origin", json_origin(relay));
    json_object_set_new(o, "claimed_origins",
                        json_claimed(relay->claimed_origins));
    json_object_set_new(o, "boundary_hop",
                        relay->boundary_hop > 0
                            ? json_integer(relay->boundary_hop)
                            : json_null());
    json_object_set_new(o, "boundary_reason", str(relay->boundary_reason));
    json_object_set_new(o, "trust_source", str(relay->trust_source));
    domains = json_array();
    for (guint i = 0;
         relay->trusted_domains != NULL && i < relay->trusted_domains->len;
         i++)
        json_array_append_new(domains, str(relay->trusted_domains->pdata[i]));
    json_object_set_new(o, "trusted_domains", domains);
    json_object_set_new(o, "total_transit_s",
                        int_if(relay->has_total_transit,
                               relay->total_transit_s));
    json_object_set_new(o, "date_vs_first_hop_s",
                        int_if(relay->has_date_vs_first_hop,
                               relay->date_vs_first_hop_s));
    json_object_set_new(o, "date_vs_last_hop_s",
                        int_if(relay->has_date_vs_last_hop,
                               relay->date_vs_last_hop_s));
    json_object_set_new(o, "timestamps", json_timestamps(relay->timestamps));
    json_object_set_new(o, "geoip_available",
                        json_boolean(relay->geoip_available));
    json_object_set_new(o, "geoip_databases",
                        json_databases(relay->geoip_databases));
    json_object_set_new(
        o, "geoip_note",
        relay->geoip_available
            ? json_null()
            : json_string("no GeoIP database was loaded: geo is not "
                          "available (see --geoip-db and "
                          "MAILTRAIL_GEOIP_DIR)"));
    return o;
}
