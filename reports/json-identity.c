/* SPDX-License-Identifier: MIT */
/*
 * json-identity.c: the report's "identity" and "authentication" objects
 * (schema doc/mailtrail-report.schema.json, $defs identity_entry,
 * auth_results, signature, received_spf, crypto_part), written through
 * the streaming writer (jsonw.h). Every key is present, with null for
 * what a header did not say; header bytes go through mt_jw_bytes().
 * For each DKIM signature the three results stay apart: what the
 * receiver's Authentication-Results claim, what was checked offline (the
 * body hash, and the signature when a key table was given), and what was
 * verified online with the key from live DNS (--online only).
 */
#include <string.h>

#include "reports-identity.h"
#include "reports.h"

/* A string that is the program's own (a table's name) or NULL: null for
 * NULL. */
static void
set_static(MtJsonWriter *w, const char *key, const char *s)
{
    mt_jw_key(w, key);
    if (s != NULL)
        mt_jw_string(w, s);
    else
        mt_jw_null(w);
}

static void
write_identities(MtJsonWriter *w, const GPtrArray *identities)
{
    mt_jw_array_begin(w);
    for (guint i = 0; i < identities->len; i++) {
        const MtIdentityEntry *e = identities->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_string(w, "role", e->role);
        mt_jw_set_str(w, "address", e->address);
        mt_jw_set_str(w, "display_name", e->display_name);
        mt_jw_set_str(w, "domain", e->domain);
        mt_jw_set_str(w, "org_domain", e->org_domain);
        mt_jw_set_bool(w, "aligned_relaxed", e->aligned_relaxed);
        mt_jw_set_bool(w, "aligned_strict", e->aligned_strict);
        mt_jw_set_int_or_null(w, "header_index", e->header_index);
        mt_jw_set_int_or_null(w, "hop", e->hop);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

void
mt_json_write_identity(MtJsonWriter *w, const MtReport *report)
{
    const MtIdentity *id;

    g_return_if_fail(w != NULL);
    g_return_if_fail(report != NULL);

    id = &report->identity;
    mt_jw_object_begin(w);
    if (id->identities != NULL) {
        mt_jw_set_str(w, "from_domain", id->from_domain);
        mt_jw_set_str(w, "from_org_domain", id->from_org_domain);
        mt_jw_key(w, "identities");
        write_identities(w, id->identities);
        set_static(w, "message_id_generator", id->message_id_generator);
        mt_jw_set_str(w, "x_mailer", report->summary.x_mailer.text);
        mt_jw_set_int(w, "score", id->score);
        set_static(w, "verdict", id->verdict);
    }
    mt_jw_object_end(w);
}

static void
write_methods(MtJsonWriter *w, const GPtrArray *methods)
{
    mt_jw_array_begin(w);
    for (guint i = 0; i < methods->len; i++) {
        const MtAuthMethod *m = methods->pdata[i];

        mt_jw_object_begin(w);
        mt_jw_set_str(w, "method", m->method);
        mt_jw_set_str(w, "version", m->version);
        mt_jw_set_str(w, "result", m->result);
        mt_jw_set_str(w, "reason", m->reason);
        mt_jw_set_str(w, "comment", m->comment);
        mt_jw_key(w, "propspec");
        mt_jw_array_begin(w);
        for (guint k = 0; k < m->properties->len; k++) {
            const MtAuthProperty *p = m->properties->pdata[k];

            mt_jw_object_begin(w);
            mt_jw_set_str(w, "ptype", p->ptype);
            mt_jw_set_str(w, "property", p->property);
            mt_jw_set_str(w, "value", p->value);
            mt_jw_object_end(w);
        }
        mt_jw_array_end(w);
        mt_jw_object_end(w);
    }
    mt_jw_array_end(w);
}

static void
write_results(MtJsonWriter *w, const MtAuthResults *r)
{
    mt_jw_object_begin(w);
    mt_jw_set_string(w, "header", r->arc_instance >= 0
                                      ? "ARC-Authentication-Results"
                                      : "Authentication-Results");
    mt_jw_set_int_or_null(w, "header_index", r->header_index);
    mt_jw_set_int_or_null(w, "offset", r->offset);
    mt_jw_set_int_or_null(w, "arc_instance", r->arc_instance);
    mt_jw_set_str(w, "authserv_id", r->authserv_id);
    mt_jw_set_int_or_null(w, "version", r->version);
    mt_jw_set_bool(w, "none", r->none);
    mt_jw_set_string(w, "trust", mt_auth_trust_to_string(r->trust));
    mt_jw_set_str(w, "trust_reason", r->trust_reason);
    mt_jw_set_bool(w, "truncated", r->truncated);
    mt_jw_key(w, "methods");
    write_methods(w, r->methods);
    mt_jw_object_end(w);
}

/* The dkim result the receiver recorded for this signature: the first
 * trusted dkim method whose header.d (and header.s, when given) match. */
static const char *
claimed_result(const MtAuthentication *a, const MtSignature *sig)
{
    for (guint i = 0; i < a->results->len; i++) {
        const MtAuthResults *r = a->results->pdata[i];
        if (r->trust != MT_AUTH_TRUSTED)
            continue;
        for (guint k = 0; k < r->methods->len; k++) {
            const MtAuthMethod *m = r->methods->pdata[k];
            const char *d = NULL, *s = NULL, *at;
            if (strcmp(m->method, "dkim") != 0)
                continue;
            for (guint p = 0; p < m->properties->len; p++) {
                const MtAuthProperty *prop = m->properties->pdata[p];
                if (strcmp(prop->ptype, "header") != 0)
                    continue;
                if (strcmp(prop->property, "d") == 0)
                    d = prop->value;
                else if (strcmp(prop->property, "i") == 0 && d == NULL
                         && (at = strchr(prop->value, '@')) != NULL)
                    d = at + 1;
                else if (strcmp(prop->property, "s") == 0)
                    s = prop->value;
            }
            if (d && sig->domain && g_ascii_strcasecmp(d, sig->domain) == 0
                && (s == NULL || sig->selector == NULL
                    || strcmp(s, sig->selector) == 0))
                return m->result;
        }
    }
    return NULL;
}

/* The tags as the tree held them: json_object_set_new() in tag order,
 * so a name given twice keeps its first place and its last value, and a
 * name that is not UTF-8 is not a key at all. The parser keeps neither
 * (names are [A-Za-z0-9_], a repeated tag is left out), but the model is
 * not this file's to trust. */
static void
write_tags(MtJsonWriter *w, const GPtrArray *tags)
{
    g_autoptr(GHashTable) last = NULL;

    mt_jw_object_begin(w);
    if (tags->len > 1) {
        /* name -> index + 1 of its last tag; 0 once written. */
        last = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint i = 0; i < tags->len; i++) {
            const MtTag *t = tags->pdata[i];
            g_hash_table_insert(last, t->name, GUINT_TO_POINTER(i + 1));
        }
    }
    for (guint i = 0; i < tags->len; i++) {
        const MtTag *t = tags->pdata[i];
        const MtTag *value = t;

        if (!g_utf8_validate(t->name, -1, NULL))
            continue;
        if (last != NULL) {
            guint at = GPOINTER_TO_UINT(g_hash_table_lookup(last, t->name));
            if (at == 0)
                continue;
            value = tags->pdata[at - 1];
            g_hash_table_insert(last, t->name, GUINT_TO_POINTER(0));
        }
        mt_jw_set_str(w, t->name, value->value);
    }
    mt_jw_object_end(w);
}

static void
write_signature(MtJsonWriter *w, const MtAuthentication *a,
                const MtSignature *sig)
{
    gboolean dkim = strcmp(sig->kind, "DKIM-Signature") == 0;

    mt_jw_object_begin(w);
    mt_jw_set_string(w, "kind", sig->kind);
    mt_jw_set_int_or_null(w, "header_index", sig->header_index);
    mt_jw_set_int_or_null(w, "offset", sig->offset);
    mt_jw_set_str(w, "version", sig->version);
    mt_jw_set_str(w, "algorithm", sig->algorithm);
    mt_jw_set_str(w, "domain", sig->domain);
    mt_jw_set_str(w, "selector", sig->selector);
    mt_jw_set_str(w, "identity", sig->identity);
    mt_jw_set_str(w, "canon_header", sig->canon_header);
    mt_jw_set_str(w, "canon_body", sig->canon_body);
    mt_jw_key(w, "signed_headers");
    mt_jw_array_begin(w);
    for (guint i = 0; i < sig->signed_headers->len; i++)
        mt_jw_string_or_null(w, sig->signed_headers->pdata[i]);
    mt_jw_array_end(w);
    mt_jw_set_int(w, "from_signed", sig->from_signed);
    mt_jw_set_str(w, "body_hash", sig->body_hash);
    mt_jw_set_str(w, "signature", sig->signature);
    mt_jw_set_int_or_null(w, "length", sig->length);
    mt_jw_set_int_or_null(w, "timestamp", sig->timestamp);
    mt_jw_set_int_or_null(w, "expiration", sig->expiration);
    mt_jw_set_int_or_null(w, "instance", sig->instance);
    mt_jw_set_str(w, "cv", sig->cv);
    mt_jw_set_str(w, "error", sig->error);
    mt_jw_key(w, "verification");
    if (dkim) {
        mt_jw_object_begin(w);
        mt_jw_set_str(w, "claimed", claimed_result(a, sig));
        mt_jw_set_string(w, "body_hash", sig->body_hash_status);
        mt_jw_set_string(w, "signature", sig->signature_status);
        mt_jw_set_str(w, "signature_problem", sig->signature_problem);
        mt_jw_set_string(w, "online", sig->online_status);
        /* Only when checked, so reports without --online are unchanged. */
        if (sig->online_problem)
            mt_jw_set_str(w, "online_problem", sig->online_problem);
        mt_jw_object_end(w);
    } else {
        mt_jw_null(w);
    }
    mt_jw_key(w, "tags");
    write_tags(w, sig->tags);
    mt_jw_object_end(w);
}

static void
write_spf(MtJsonWriter *w, const MtReceivedSpf *s)
{
    mt_jw_object_begin(w);
    mt_jw_set_int_or_null(w, "header_index", s->header_index);
    mt_jw_set_str(w, "result", s->result);
    mt_jw_set_str(w, "comment", s->comment);
    mt_jw_set_str(w, "client_ip", s->client_ip);
    mt_jw_set_str(w, "helo", s->helo);
    mt_jw_set_str(w, "envelope_from", s->envelope_from);
    mt_jw_set_str(w, "identity", s->identity);
    mt_jw_set_str(w, "receiver", s->receiver);
    mt_jw_set_str(w, "mechanism", s->mechanism);
    mt_jw_set_str(w, "problem", s->problem);
    mt_jw_object_end(w);
}

/* One signed or encrypted part ($defs crypto_part). */
static void
write_crypto_part(MtJsonWriter *w, const MtCryptoPart *cp)
{
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "part", cp->part);
    set_static(w, "kind", cp->kind);
    set_static(w, "what", cp->what);
    set_static(w, "form", cp->form);
    mt_jw_set_str(w, "micalg", cp->micalg);
    set_static(w, "status", cp->status);
    set_static(w, "integrity", cp->integrity);
    mt_jw_set_str(w, "reason", cp->reason);
    mt_jw_key(w, "signer");
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "subject", cp->signer_subject);
    mt_jw_set_str(w, "issuer", cp->signer_issuer);
    mt_jw_set_str(w, "serial", cp->signer_serial);
    mt_jw_set_str(w, "not_before", cp->signer_not_before);
    mt_jw_set_str(w, "not_after", cp->signer_not_after);
    mt_jw_set_str(w, "sha256_fingerprint", cp->signer_fingerprint);
    mt_jw_set_str(w, "email", cp->signer_email);
    mt_jw_object_end(w);
    mt_jw_key(w, "pgp_signature");
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "key_id", cp->key_id);
    mt_jw_set_str(w, "fingerprint", cp->key_fingerprint);
    mt_jw_set_int_or_null(w, "created", cp->signature_time);
    set_static(w, "hash_algorithm", cp->hash_algorithm);
    set_static(w, "pubkey_algorithm", cp->pubkey_algorithm);
    mt_jw_object_end(w);
    mt_jw_key(w, "recipients");
    mt_jw_array_begin(w);
    for (guint i = 0; cp->recipients && i < cp->recipients->len; i++)
        mt_jw_string_or_null(w, cp->recipients->pdata[i]);
    mt_jw_array_end(w);
    mt_jw_object_end(w);
}

void
mt_json_write_authentication(MtJsonWriter *w, const MtReport *report)
{
    const MtAuthentication *a;
    const MtAuthResults *first_hop = NULL;

    g_return_if_fail(w != NULL);
    g_return_if_fail(report != NULL);

    a = &report->authentication;
    mt_jw_object_begin(w);
    if (a->results == NULL) {
        mt_jw_object_end(w);
        return;
    }
    mt_jw_set_int_or_null(w, "boundary_hop",
                          a->boundary_hop > 0 ? a->boundary_hop : -1);
    set_static(w, "boundary_source", a->boundary_source);
    mt_jw_key(w, "trusted_domains");
    mt_jw_array_begin(w);
    for (guint i = 0; i < a->trusted_domains->len; i++)
        mt_jw_string_or_null(w, a->trusted_domains->pdata[i]);
    mt_jw_array_end(w);

    mt_jw_key(w, "receiver_verdict");
    mt_jw_object_begin(w);
    mt_jw_set_str(w, "spf", a->spf);
    mt_jw_set_str(w, "dkim", a->dkim_result);
    mt_jw_set_str(w, "dmarc", a->dmarc);
    mt_jw_object_end(w);

    mt_jw_key(w, "results");
    mt_jw_array_begin(w);
    for (guint i = 0; i < a->results->len; i++) {
        const MtAuthResults *r = a->results->pdata[i];
        write_results(w, r);
        if (r->arc_instance == 1 && first_hop == NULL)
            first_hop = r;
    }
    mt_jw_array_end(w);
    mt_jw_key(w, "received_spf");
    mt_jw_array_begin(w);
    for (guint i = 0; i < a->received_spf->len; i++)
        write_spf(w, a->received_spf->pdata[i]);
    mt_jw_array_end(w);
    mt_jw_key(w, "dkim");
    mt_jw_array_begin(w);
    for (guint i = 0; i < a->dkim->len; i++)
        write_signature(w, a, a->dkim->pdata[i]);
    mt_jw_array_end(w);

    mt_jw_key(w, "arc");
    mt_jw_object_begin(w);
    mt_jw_set_int(w, "instances", a->arc_instances);
    set_static(w, "chain", a->arc_chain);
    mt_jw_set_str(w, "problem", a->arc_problem);
    mt_jw_key(w, "first_hop_results");
    if (first_hop != NULL)
        write_results(w, first_hop);
    else
        mt_jw_null(w);
    mt_jw_key(w, "signatures");
    mt_jw_array_begin(w);
    for (guint i = 0; i < a->arc->len; i++)
        write_signature(w, a, a->arc->pdata[i]);
    mt_jw_array_end(w);
    mt_jw_object_end(w);

    mt_jw_key(w, "crypto_parts");
    mt_jw_array_begin(w);
    for (guint i = 0; a->crypto_parts && i < a->crypto_parts->len; i++)
        write_crypto_part(w, a->crypto_parts->pdata[i]);
    mt_jw_array_end(w);
    mt_jw_object_end(w);
}

json_t *
mt_json_identity(const MtReport *report)
{
    g_autoptr(GString) text = NULL;
    MtJsonWriter w;

    g_return_val_if_fail(report != NULL, NULL);
    text = g_string_sized_new(1024);
    mt_jw_init(&w, text, 0);
    mt_json_write_identity(&w, report);
    return mt_json_from_text(text);
}

json_t *
mt_json_authentication(const MtReport *report)
{
    g_autoptr(GString) text = NULL;
    MtJsonWriter w;

    g_return_val_if_fail(report != NULL, NULL);
    text = g_string_sized_new(4096);
    mt_jw_init(&w, text, 0);
    mt_json_write_authentication(&w, report);
    return mt_json_from_text(text);
}
