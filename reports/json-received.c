/* SPDX-License-Identifier: MIT */
/*
 * json-received.c: one parsed Received header as a JSON object, the shape
 * shared by the report's relay hops and "mailtrail received". Every key is
 * always present, with null for what the header did not say, so consumers
 * never need to test for a key. The parser keeps the header's bytes as they
 * were (they need not be UTF-8); every string goes through mt_jw_bytes(),
 * which escapes with mt_escape_bytes(), so the output is valid JSON and the
 * original bytes can still be recovered. A relay hop writes the same
 * members in two runs with its analysis between them (json-relay.c).
 */
#include <jansson.h>

#include "mailtrail.h"
#include "reports.h"

/* Offsets that do not say where the sender was: none written, "-0000",
 * an unknown name, an impossible number. */
#define MT_DATE_NO_OFFSET \
    (MT_DATE_NO_ZONE | MT_DATE_UNKNOWN_ZONE | MT_DATE_BAD_ZONE)

static void
write_date_flags(MtJsonWriter *w, const MtReceived *r)
{
    mt_jw_array_begin(w);
    for (guint bit = 0; r->date_valid && bit < 32; bit++) {
        const char *name;

        if ((r->date_parsed.flags & (1u << bit)) == 0)
            continue;
        name = mt_date_flag_to_string((MtDateFlags)(1u << bit));
        if (name != NULL)
            mt_jw_string(w, name);
    }
    mt_jw_array_end(w);
}

void
mt_json_write_received_head(MtJsonWriter *w, const MtReceived *r)
{
    char when[21];

    g_return_if_fail(w != NULL);
    g_return_if_fail(r != NULL);

    mt_jw_key(w, "from");
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "helo", r->from_helo);
    mt_jw_set_str(w, "rdns", r->from_rdns);
    mt_jw_set_str(w, "ip", r->from_ip);
    mt_jw_set_int_or_null(w, "port", r->from_port);
    mt_jw_set_str(w, "ident", r->from_ident);
    mt_jw_object_end(w);
    mt_jw_set_str(w, "helo_command", r->helo_command);

    mt_jw_key(w, "by");
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "host", r->by_host);
    mt_jw_set_str(w, "ip", r->by_ip);
    mt_jw_set_str(w, "software", r->by_software);
    mt_jw_object_end(w);

    mt_jw_set_str(w, "via", r->via);
    mt_jw_set_str(w, "with", r->with);

    mt_jw_key(w, "tls");
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "version", r->tls_version);
    mt_jw_set_str(w, "cipher", r->tls_cipher);
    /* "with ESMTPS" says TLS was used without naming a version. */
    mt_jw_set_bool(w, "used", r->tls);
    mt_jw_object_end(w);

    mt_jw_key(w, "auth");
    mt_jw_object_begin(w);
    mt_jw_set_bool(w, "authenticated", r->authenticated);
    mt_jw_set_str(w, "user", r->auth_user);
    mt_jw_object_end(w);

    mt_jw_set_str(w, "id", r->id);
    mt_jw_set_str(w, "for", r->for_addr);
    mt_jw_set_str(w, "envelope_from", r->envelope_from);
    mt_jw_set_str(w, "date", r->date);
    mt_jw_key(w, "timestamp");
    if (r->date_valid)
        mt_jw_string(w, mt_date_format_utc(r->date_parsed.timestamp, when));
    else
        mt_jw_null(w);
    mt_jw_key(w, "tz_offset");
    if (r->date_valid && !(r->date_parsed.flags & MT_DATE_NO_OFFSET))
        mt_jw_int(w, r->date_parsed.tz_offset);
    else
        mt_jw_null(w);
    mt_jw_key(w, "date_flags");
    write_date_flags(w, r);
    mt_jw_set_bool(w, "x_received", r->x_received);
}

void
mt_json_write_received_tail(MtJsonWriter *w, const MtReceived *r)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(r != NULL);

    mt_jw_set_str(w, "unparsed", r->unparsed);
    mt_jw_set_str(w, "raw", r->raw);
}

void
mt_json_write_received(MtJsonWriter *w, const MtReceived *r)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(r != NULL);

    mt_jw_object_begin(w);
    mt_json_write_received_head(w, r);
    mt_json_write_received_tail(w, r);
    mt_jw_object_end(w);
}

json_t *
mt_json_received(const MtReceived *r)
{
    g_autoptr(GString) text = NULL;
    MtJsonWriter w;

    g_return_val_if_fail(r != NULL, NULL);
    text = g_string_sized_new(1024);
    mt_jw_init(&w, text, 0);
    mt_json_write_received(&w, r);
    return mt_json_from_text(text);
}
