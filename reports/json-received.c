/* SPDX-License-Identifier: MIT */
/*
 * json-received.c: one parsed Received header as a JSON object, the shape
 * shared by the report's relay hops and "mailtrail received". Every key is
 * always present, with null for what the header did not say, so consumers
 * never need to test for a key. The parser keeps the header's bytes as they
 * were (they need not be UTF-8); every string goes through mt_json_bytes(),
 * which escapes with mt_escape_bytes(), so the output is valid JSON and the
 * original bytes can still be recovered.
 */
#include <jansson.h>

#include "mailtrail.h"
#include "reports.h"

/* Offsets that do not say where the sender was: none written, "-0000",
 * an unknown name, an impossible number. */
#define MT_DATE_NO_OFFSET \
    (MT_DATE_NO_ZONE | MT_DATE_UNKNOWN_ZONE | MT_DATE_BAD_ZONE)

static json_t *
str(const char *s)
{
    return mt_json_string_or_null(s);
}

static json_t *
date_flags(const MtReceived *r)
{
    json_t *list = json_array();

    if (!r->date_valid)
        return list;
    for (guint bit = 0; bit < 32; bit++) {
        const char *name;

        if ((r->date_parsed.flags & (1u << bit)) == 0)
            continue;
        name = mt_date_flag_to_string((MtDateFlags)(1u << bit));
        if (name != NULL)
            json_array_append_new(list, json_string(name));
    }
    return list;
}

json_t *
mt_json_received(const MtReceived *r)
{
    json_t *o, *from, *by, *tls, *auth;
    char when[21];

    g_return_val_if_fail(r != NULL, NULL);

    o = json_object();
    from = json_object();
    json_object_set_new(from, "helo", str(r->from_helo));
    json_object_set_new(from, "rdns", str(r->from_rdns));
    json_object_set_new(from, "ip", str(r->from_ip));
    json_object_set_new(from, "port", r->from_port >= 0
                                          ? json_integer(r->from_port)
                                          : json_null());
    json_object_set_new(from, "ident", str(r->from_ident));
    json_object_set_new(o, "from", from);
    json_object_set_new(o, "helo_command", str(r->helo_command));

    by = json_object();
    json_object_set_new(by, "host", str(r->by_host));
    json_object_set_new(by, "ip", str(r->by_ip));
    json_object_set_new(by, "software", str(r->by_software));
    json_object_set_new(o, "by", by);

    json_object_set_new(o, "via", str(r->via));
    json_object_set_new(o, "with", str(r->with));

    tls = json_object();
    json_object_set_new(tls, "version", str(r->tls_version));
    json_object_set_new(tls, "cipher", str(r->tls_cipher));
    /* "with ESMTPS" says TLS was used without naming a version. */
    json_object_set_new(tls, "used", json_boolean(r->tls));
    json_object_set_new(o, "tls", tls);

    auth = json_object();
    json_object_set_new(auth, "authenticated", json_boolean(r->authenticated));
    json_object_set_new(auth, "user", str(r->auth_user));
    json_object_set_new(o, "auth", auth);

    json_object_set_new(o, "id", str(r->id));
    json_object_set_new(o, "for", str(r->for_addr));
    json_object_set_new(o, "envelope_from", str(r->envelope_from));
    json_object_set_new(o, "date", str(r->date));
    json_object_set_new(
        o, "timestamp",
        r->date_valid
            ? json_string(mt_date_format_utc(r->date_parsed.timestamp, when))
            : json_null());
    json_object_set_new(o, "tz_offset",
                        r->date_valid &&
                                !(r->date_parsed.flags & MT_DATE_NO_OFFSET)
                            ? json_integer(r->date_parsed.tz_offset)
                            : json_null());
    json_object_set_new(o, "date_flags", date_flags(r));
    json_object_set_new(o, "x_received", json_boolean(r->x_received));
    json_object_set_new(o, "unparsed", str(r->unparsed));
    json_object_set_new(o, "raw", str(r->raw));
    return o;
}
