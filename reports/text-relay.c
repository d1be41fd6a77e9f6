/* SPDX-License-Identifier: MIT */
/*
 * text-relay.c: the relay path for a terminal. One table row per hop,
 * origin first, with the client (rDNS or HELO, and address), the relay,
 * the protocol, the UTC time, the signed delay, country and AS, trust and
 * the notable flags; then the origin, the boundary, the claimed origins,
 * the timing and the GeoIP databases in words. Every cell comes from a
 * header an attacker wrote, so it goes through mt_text_terminal_safe() and
 * is cut to a column width; the reasons are wrapped, not cut.
 */
#include <string.h>

#include "reports.h"

enum {
    COL_INDEX,
    COL_FROM,
    COL_BY,
    COL_WITH,
    COL_TIME,
    COL_DELAY,
    COL_GEO,
    COL_TRUST,
    COL_NOTES,
    N_COLS,
};

static const char *const headings[N_COLS] = {
    "#", "From", "By", "With", "UTC time", "Delay", "Geo", "Trust", "Notes",
};

/* Widest a column may grow, in terminal columns. */
static const glong max_width[N_COLS] = {6, 44, 36, 14, 20, 12, 16, 8, 60};

/* Terminal-safe text cut to width columns, with "..." when cut. */
static char *
cell(const char *text, glong width)
{
    g_autofree char *safe = mt_text_terminal_safe(text ? text : "-");

    return mt_text_cut_to_width(safe, width);
}

/* "+2s", "-4m58s", "+1h02m03s", "+3d04h": short and signed. */
static char *
delay_text(const MtHop *hop)
{
    guint64 a;

    if (!hop->has_delay)
        return g_strdup("-");
    a = hop->delay_s < 0 ? (guint64)0 - (guint64)hop->delay_s
                         : (guint64)hop->delay_s;
    if (a < 60)
        return g_strdup_printf("%c%" G_GUINT64_FORMAT "s",
                               hop->delay_s < 0 ? '-' : '+', a);
    if (a < 3600)
        return g_strdup_printf("%c%" G_GUINT64_FORMAT "m%02" G_GUINT64_FORMAT
                               "s",
                               hop->delay_s < 0 ? '-' : '+', a / 60, a % 60);
    if (a < 86400)
        return g_strdup_printf("%c%" G_GUINT64_FORMAT "h%02" G_GUINT64_FORMAT
                               "m%02" G_GUINT64_FORMAT "s",
                               hop->delay_s < 0 ? '-' : '+', a / 3600,
                               a / 60 % 60, a % 60);
    return g_strdup_printf("%c%" G_GUINT64_FORMAT "d%02" G_GUINT64_FORMAT "h",
                           hop->delay_s < 0 ? '-' : '+', a / 86400,
                           a / 3600 % 24);
}

static char *
geo_text(const MtGeoRecord *g)
{
    GString *out;

    if (g == NULL)
        return g_strdup("-");
    out = g_string_new(g->country_code ? g->country_code : "");
    if (g->asn > 0)
        g_string_append_printf(out, "%sAS%u", out->len ? " " : "", g->asn);
    if (out->len == 0)
        g_string_append_c(out, '-');
    return g_string_free(out, FALSE);
}

static char *
from_text(const MtReceived *r)
{
    const char *name = r->from_rdns;
    GString *out = g_string_new(NULL);

    if (name == NULL || g_ascii_strcasecmp(name, "unknown") == 0)
        name = r->from_helo;
    /* "[10.8.2.31] [10.8.2.31]" says nothing twice. */
    if (name != NULL && r->from_ip != NULL && name[0] == '[' &&
        strncmp(name + 1, r->from_ip, strlen(r->from_ip)) == 0)
        name = NULL;
    if (name != NULL)
        g_string_append(out, name);
    if (r->from_ip != NULL && (name == NULL || strcmp(name, r->from_ip) != 0))
        g_string_append_printf(out, "%s[%s]", out->len ? " " : "",
                               r->from_ip);
    if (out->len == 0)
        g_string_append_c(out, '-');
    return g_string_free(out, FALSE);
}

static char *
notes_text(const MtHop *hop)
{
    /* The flags worth a glance in a table; the JSON has them all. */
    static const MtHopFlag shown[] = {
        MT_HOP_FLAG_ORIGIN,         MT_HOP_FLAG_CHAIN_BREAK,
        MT_HOP_FLAG_BELOW_BREAK,    MT_HOP_FLAG_NEGATIVE_DELAY,
        MT_HOP_FLAG_CLOCK_FAST,     MT_HOP_FLAG_CLOCK_SLOW,
        MT_HOP_FLAG_LARGE_DELAY,    MT_HOP_FLAG_DATE_FUTURE,
        MT_HOP_FLAG_NO_DATE,        MT_HOP_FLAG_PRIVATE_IP_EXTERNAL,
        MT_HOP_FLAG_ID_TIME_MISMATCH, MT_HOP_FLAG_X_RECEIVED,
        MT_HOP_FLAG_UNPARSED,
    };
    GString *out = g_string_new(NULL);

    for (gsize k = 0; k < G_N_ELEMENTS(shown); k++) {
        if (hop->flags & shown[k])
            g_string_append_printf(out, "%s%s", out->len ? "," : "",
                                   mt_hop_flag_to_string(shown[k]));
    }
    return g_string_free(out, FALSE);
}

static void
pad(FILE *out, const char *text, glong width, gboolean last)
{
    glong len = mt_text_display_width(text);

    fputs(text, out);
    if (last)
        return;
    for (glong k = len; k < width + 2; k++)
        fputc(' ', out);
}

/* Prints text after a label, wrapped at about 78 columns. */
static void
print_wrapped(FILE *out, const char *label, const char *text)
{
    g_autofree char *safe = mt_text_terminal_safe(text);
    g_auto(GStrv) words = g_strsplit(safe, " ", -1);
    glong col = 0;

    fprintf(out, "  %-13s", label);
    for (guint k = 0; words[k] != NULL; k++) {
        glong w = mt_text_display_width(words[k]);

        if (w == 0)
            continue;
        if (col > 0 && col + 1 + w > 62) {
            fprintf(out, "\n  %-13s", "");
            col = 0;
        }
        if (col > 0) {
            fputc(' ', out);
            col++;
        }
        fputs(words[k], out);
        col += w;
    }
    fputc('\n', out);
}

static void
print_table(FILE *out, const MtRelay *relay)
{
    guint n = relay->hops->len;
    g_autofree char **cells = g_new0(char *, (gsize)n * N_COLS + 1);
    glong width[N_COLS];

    for (guint c = 0; c < N_COLS; c++)
        width[c] = mt_text_display_width(headings[c]);
    for (guint i = 0; i < n; i++) {
        const MtHop *hop = relay->hops->pdata[i];
        const MtReceived *r = hop->received;
        char **row = cells + (gsize)i * N_COLS;
        char when[21];
        g_autofree char *index = g_strdup_printf("%u", i + 1);
        g_autofree char *from = from_text(r);
        g_autofree char *delay = delay_text(hop);
        g_autofree char *geo = geo_text(hop->geo);
        g_autofree char *notes = notes_text(hop);
        const char *trust = mt_trust_to_string(hop->trust);

        row[COL_INDEX] = cell(index, max_width[COL_INDEX]);
        row[COL_FROM] = cell(from, max_width[COL_FROM]);
        row[COL_BY] = cell(r->by_host ? r->by_host : r->by_ip,
                           max_width[COL_BY]);
        row[COL_WITH] = cell(r->with, max_width[COL_WITH]);
        row[COL_TIME] = cell(r->date_valid ? mt_date_format_utc(
                                                 r->date_parsed.timestamp,
                                                 when)
                                           : NULL,
                             max_width[COL_TIME]);
        row[COL_DELAY] = cell(delay, max_width[COL_DELAY]);
        row[COL_GEO] = cell(geo, max_width[COL_GEO]);
        row[COL_TRUST] = cell(trust, max_width[COL_TRUST]);
        row[COL_NOTES] = cell(notes, max_width[COL_NOTES]);
        for (guint c = 0; c < N_COLS; c++)
            width[c] = MAX(width[c], mt_text_display_width(row[c]));
    }
    fputs("    ", out);
    for (guint c = 0; c < N_COLS; c++)
        pad(out, headings[c], width[c], c + 1 == N_COLS);
    fputc('\n', out);
    for (guint i = 0; i < n; i++) {
        char **row = cells + (gsize)i * N_COLS;

        guint last = N_COLS - 1;

        /* No trailing blanks when the last cells are empty. */
        while (last > 0 && row[last][0] == '\0')
            last--;
        fputs("    ", out);
        for (guint c = 0; c <= last; c++)
            pad(out, row[c], width[c], c == last);
        fputc('\n', out);
        for (guint c = 0; c < N_COLS; c++)
            g_free(row[c]);
    }
}

static char *
geo_words(const MtGeoRecord *g)
{
    GString *out = g_string_new(NULL);

    if (g == NULL)
        return g_string_free(out, FALSE);
    if (g->country_code)
        g_string_append_printf(out, ", %s", g->country_code);
    if (g->city)
        g_string_append_printf(out, " %s", g->city);
    if (g->asn > 0)
        g_string_append_printf(out, ", AS%u", g->asn);
    if (g->as_org)
        g_string_append_printf(out, " %s", g->as_org);
    return g_string_free(out, FALSE);
}

static void
print_summary(FILE *out, const MtRelay *relay)
{
    const MtRelayOrigin *o = &relay->origin;

    if (o->ip != NULL) {
        g_autofree char *geo = geo_words(o->geo);
        g_autofree char *line = g_strdup_printf(
            "%s%s (hop %d, %s)", o->ip, geo, o->hop,
            o->verified ? "recorded by the organisation"
                        : "the sender's claim");
        print_wrapped(out, "Origin:", line);
    }
    if (o->reason != NULL)
        print_wrapped(out, o->ip != NULL ? "" : "Origin:", o->reason);
    if (relay->boundary_reason != NULL)
        print_wrapped(out, "Boundary:", relay->boundary_reason);
    for (guint i = 0; relay->claimed_origins && i < relay->claimed_origins->len;
         i++) {
        const MtClaimedOrigin *c = relay->claimed_origins->pdata[i];
        g_autofree char *geo = geo_words(c->geo);
        g_autofree char *line = NULL;

        if (c->hop > 0)
            line = g_strdup_printf("%s says %s%s; hop %d recorded it too",
                                   c->header, c->ip, geo, c->hop);
        else
            line = g_strdup_printf("%s says %s%s; no relay recorded it",
                                   c->header, c->ip, geo);
        print_wrapped(out, "Claimed:", line);
    }
    if (relay->has_total_transit || relay->has_date_vs_first_hop) {
        GString *t = g_string_new(NULL);

        if (relay->has_total_transit)
            g_string_append_printf(t, "%" G_GINT64_FORMAT " s from the first "
                                      "to the last hop",
                                   relay->total_transit_s);
        if (relay->has_date_vs_first_hop)
            g_string_append_printf(t,
                                   "%sfirst hop %+" G_GINT64_FORMAT
                                   " s after Date, last hop %+" G_GINT64_FORMAT
                                   " s",
                                   t->len ? "; " : "",
                                   relay->date_vs_first_hop_s,
                                   relay->date_vs_last_hop_s);
        print_wrapped(out, "Timing:", t->str);
        g_string_free(t, TRUE);
    }
    if (!relay->geoip_available) {
        print_wrapped(out, "GeoIP:", "not available (no database loaded)");
    } else {
        GString *g = g_string_new(NULL);

        for (guint i = 0; i < relay->geoip_databases->len; i++) {
            const MtGeoDatabase *db = relay->geoip_databases->pdata[i];

            g_string_append_printf(g, "%s%s (%s)", i ? ", " : "",
                                   db->type ? db->type : "?",
                                   db->build_date ? db->build_date
                                                  : "no build date");
        }
        print_wrapped(out, "GeoIP:", g->str);
        g_string_free(g, TRUE);
    }
}

void
mt_text_relay(FILE *out, const MtRelay *relay)
{
    g_return_if_fail(out != NULL && relay != NULL);

    if (relay->hops == NULL || relay->hops->len == 0) {
        fprintf(out, "  %-13s %s\n", "Relay path:", "no Received header");
        return;
    }
    if (relay->boundary_hop > 0)
        fprintf(out, "  Relay path (%u hops, origin first; boundary at hop "
                     "%d):\n",
                relay->hops->len, relay->boundary_hop);
    else
        fprintf(out, "  Relay path (%u hops, origin first; no trusted "
                     "hop):\n",
                relay->hops->len);
    print_table(out, relay);
    print_summary(out, relay);
}
