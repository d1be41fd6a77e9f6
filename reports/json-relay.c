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

static void
set_int_if(MtJsonWriter *w, const char *key, gboolean has, gint64 value)
{
    mt_jw_key(w, key);
    if (has)
        mt_jw_int(w, value);
    else
        mt_jw_null(w);
}

static void
set_int_positive(MtJsonWriter *w, const char *key, gint64 value)
{
    set_int_if(w, key, value > 0, value);
}

/* The member key: a real, or null without a location. */
static void
set_coordinate(MtJsonWriter *w, const char *key, gboolean has, double value)
{
    mt_jw_key(w, key);
    /* A NaN or infinity from a broken database drops the member, as
     * json_real() did. */
    if (has)
        mt_jw_real(w, value);
    else
        mt_jw_null(w);
}

/* A GeoIP record, or null. Booleans of the Anonymous-IP layout are only
 * meaningful when such a database had an entry, hence the nested object. */
static void
write_geo(MtJsonWriter *w, const MtGeoRecord *g)
{
    if (g == NULL) {
        mt_jw_null(w);
        return;
    }
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "country_code", g->country_code);
    mt_jw_set_str(w, "country_name", g->country_name);
    mt_jw_set_str(w, "registered_country_code", g->registered_country_code);
    mt_jw_set_str(w, "city", g->city);
    set_coordinate(w, "latitude", g->has_location, g->latitude);
    set_coordinate(w, "longitude", g->has_location, g->longitude);
    set_int_positive(w, "accuracy_radius_km", g->accuracy_radius_km);
    set_int_positive(w, "asn", g->asn);
    mt_jw_set_str(w, "as_org", g->as_org);
    mt_jw_key(w, "anonymous");
    if (g->has_anonymous) {
        mt_jw_object_begin(w);
        mt_jw_set_bool(w, "is_anonymous", g->is_anonymous);
        mt_jw_set_bool(w, "is_anonymous_vpn", g->is_anonymous_vpn);
        mt_jw_set_bool(w, "is_hosting_provider", g->is_hosting_provider);
        mt_jw_set_bool(w, "is_public_proxy", g->is_public_proxy);
        mt_jw_set_bool(w, "is_tor_exit_node", g->is_tor_exit_node);
        mt_jw_set_bool(w, "is_residential_proxy", g->is_residential_proxy);
        mt_jw_object_end(w);
    } else {
        mt_jw_null(w);
    }
    mt_jw_object_end(w);
}

static void
write_flags(MtJsonWriter *w, guint flags)
{
    mt_jw_array_begin(w);
    for (guint bit = 0; bit < MT_HOP_FLAG_COUNT; bit++) {
        const char *name;

        if ((flags & (1u << bit)) == 0)
            continue;
        name = mt_hop_flag_to_string((MtHopFlag)(1u << bit));
        if (name != NULL)
            mt_jw_string(w, name);
    }
    mt_jw_array_end(w);
}

static void
write_link(MtJsonWriter *w, const MtLink *link)
{
    mt_jw_object_begin(w);
    mt_jw_set_string(w, "status", mt_link_status_to_string(link->status));
    mt_jw_set_str(w, "field", link->field);
    mt_jw_set_str(w, "basis", link->basis);
    mt_jw_set_str(w, "domain", link->domain);
    mt_jw_set_str(w, "kind", link->kind);
    mt_jw_object_end(w);
}

static void
write_analysis(MtJsonWriter *w, const MtHop *hop)
{
    set_int_if(w, "delay_s", hop->has_delay, hop->delay_s);
    mt_jw_key(w, "ip_class");
    if (hop->has_ip_class)
        mt_jw_string(w, mt_ip_class_to_string(hop->ip_class));
    else
        mt_jw_null(w);
    mt_jw_set_str(w, "ip_note", hop->ip_note);
    mt_jw_key(w, "geo");
    write_geo(w, hop->geo);
    mt_jw_set_str(w, "trust", mt_trust_to_string(hop->trust));
    mt_jw_key(w, "link");
    write_link(w, &hop->link);
    mt_jw_key(w, "flags");
    write_flags(w, hop->flags);
}

/* The parser's members in its order, with the analysis before
 * "unparsed". */
static void
write_hop(MtJsonWriter *w, const MtHop *hop, guint index)
{
    mt_jw_object_begin(w);
    mt_jw_set_int(w, "index", index);
    mt_jw_set_int(w, "header_index", hop->header_index);
    if (hop->received != NULL)
        mt_json_write_received_head(w, hop->received);
    write_analysis(w, hop);
    if (hop->received != NULL)
        mt_json_write_received_tail(w, hop->received);
    mt_jw_object_end(w);
}

static void
write_origin(MtJsonWriter *w, const MtRelay *relay)
{
    const MtRelayOrigin *o = &relay->origin;

    mt_jw_object_begin(w);
    mt_jw_set_str(w, "ip", o->ip);
    set_int_if(w, "hop", o->hop > 0, o->hop);
    set_int_if(w, "header_index", o->hop > 0, o->header_index);
    mt_jw_set_str(w, "host", o->host);
    mt_jw_key(w, "ip_class");
    if (o->ip)
        mt_jw_string(w, mt_ip_class_to_string(o->ip_class));
    else
        mt_jw_null(w);
    mt_jw_set_str(w, "trust", o->ip ? mt_trust_to_string(o->trust) : NULL);
    mt_jw_set_bool(w, "verified", o->ip && o->verified);
    mt_jw_key(w, "geo");
    write_geo(w, o->geo);
    mt_jw_set_str(w, "reason", o->reason);
    mt_jw_object_end(w);
}

static void
write_claimed(MtJsonWriter *w, const GPtrArray *claims)
{
    mt_jw_array_begin(w);
    for (guint i = 0; claims != NULL && i < claims->len; i++) {
        const MtClaimedOrigin *c = claims->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "header", c->header);
        mt_jw_set_int(w, "header_index", c->header_index);
        mt_jw_set_str(w, "ip", c->ip);
        mt_jw_set_string(w, "ip_class", mt_ip_class_to_string(c->ip_class));
        mt_jw_set_bool(w, "in_relay_path", c->hop > 0);
        set_int_if(w, "hop", c->hop > 0, c->hop);
        mt_jw_key(w, "geo");
        write_geo(w, c->geo);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_timestamps(MtJsonWriter *w, const GPtrArray *stamps)
{
    mt_jw_array_begin(w);
    for (guint i = 0; stamps != NULL && i < stamps->len; i++) {
        const MtRelayTimestamp *t = stamps->pdata[i];
        char when[21];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "source", t->source);
        mt_jw_set_int(w, "header_index", t->header_index);
        set_int_if(w, "hop", t->hop > 0, t->hop);
        mt_jw_set_string(w, "timestamp",
                         mt_date_format_utc(t->timestamp, when));
        set_int_if(w, "delta_s", t->has_delta, t->delta_s);
        mt_jw_set_str(w, "status", t->status);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_databases(MtJsonWriter *w, const GPtrArray *dbs)
{
    mt_jw_array_begin(w);
    for (guint i = 0; dbs != NULL && i < dbs->len; i++) {
        const MtGeoDatabase *db = dbs->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "path", db->path);
        mt_jw_set_str(w, "type", db->type);
        mt_jw_set_string(w, "kind", mt_geo_kind_to_string(db->kind));
        mt_jw_set_str(w, "build_date", db->build_date);
        mt_jw_set_int(w, "ip_version", db->ip_version);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

void
mt_json_write_relay(MtJsonWriter *w, const MtRelay *relay)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(relay != NULL);

    mt_jw_object_begin(w);
    mt_jw_key(w, "hops");
    mt_jw_array_begin(w);
    for (guint i = 0; relay->hops != NULL && i < relay->hops->len; i++)
        write_hop(w, relay->hops->pdata[i], i + 1);
    mt_jw_array_end(w);
    mt_jw_key(w, "origin");
    write_origin(w, relay);
    mt_jw_key(w, "claimed_origins");
    write_claimed(w, relay->claimed_origins);
    set_int_if(w, "boundary_hop", relay->boundary_hop > 0,
               relay->boundary_hop);
    mt_jw_set_str(w, "boundary_reason", relay->boundary_reason);
    mt_jw_set_str(w, "trust_source", relay->trust_source);
    mt_jw_key(w, "trusted_domains");
    mt_jw_array_begin(w);
    for (guint i = 0;
         relay->trusted_domains != NULL && i < relay->trusted_domains->len;
         i++)
        mt_jw_string_or_null(w, relay->trusted_domains->pdata[i]);
    mt_jw_array_end(w);
    set_int_if(w, "total_transit_s", relay->has_total_transit,
               relay->total_transit_s);
    set_int_if(w, "date_vs_first_hop_s", relay->has_date_vs_first_hop,
               relay->date_vs_first_hop_s);
    set_int_if(w, "date_vs_last_hop_s", relay->has_date_vs_last_hop,
               relay->date_vs_last_hop_s);
    mt_jw_key(w, "timestamps");
    write_timestamps(w, relay->timestamps);
    mt_jw_set_bool(w, "geoip_available", relay->geoip_available);
    mt_jw_key(w, "geoip_databases");
    write_databases(w, relay->geoip_databases);
    mt_jw_key(w, "geoip_note");
    if (relay->geoip_available)
        mt_jw_null(w);
    else
        mt_jw_string(w, "no GeoIP database was loaded: geo is not "
                        "available (see --geoip-db and "
                        "MAILTRAIL_GEOIP_DIR)");
    mt_jw_object_end(w);
}

json_t *
mt_json_relay(const MtRelay *relay)
{
    g_autoptr(GString) text = NULL;
    MtJsonWriter w;

    g_return_val_if_fail(relay != NULL, NULL);
    text = g_string_sized_new(4096);
    mt_jw_init(&w, text, 0);
    mt_json_write_relay(&w, relay);
    return mt_json_from_text(text);
}
