/* SPDX-License-Identifier: MIT */
/*
 * json-identity.c: the report's "identity" and "authentication" objects
 * (schema doc/mailtrail-report.schema.json, $defs identity_entry,
 * auth_results, signature, received_spf, crypto_part). Every key is present, with null
 * for what a header did not say; header bytes go through mt_json_bytes().
 * For each DKIM signature the three results stay apart: what the
 * receiver's Authentication-Results claim, what was checked offline (the
 * body hash, and the signature when a key table was given), and what was
 * verified online with the key from live DNS (--online only).
 */
#include <string.h>

#include "reports-identity.h"
#include "reports.h"

static json_t *
str(const char *s)
{
    return mt_json_string_or_null(s);
}

static json_t *
static_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
int_or_null(gint64 value)
{
    return value < 0 ? json_null() : json_integer((json_int_t)value);
}

json_t *
mt_json_identity(const MtReport *report)
{
    const MtIdentity *id = &report->identity;
    json_t *o = json_object();
    json_t *list;

    if (id->identities == NULL)
        return o;
    list = json_array();
    for (guint i = 0; i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        json_t *eo = json_object();
        json_object_set_new(eo, "role", json_string(e->role));
        json_object_set_new(eo, "address", str(e->address));
        json_object_set_new(eo, "display_name", str(e->display_name));
        json_object_set_new(eo, "domain", str(e->domain));
        json_object_set_new(eo, "org_domain", str(e->org_domain));
        json_object_set_new(eo, "aligned_relaxed",
                            json_boolean(e->aligned_relaxed));
        json_object_set_new(eo, "aligned_strict",
                            json_boolean(e->aligned_strict));
        json_object_set_new(eo, "header_index", int_or_null(e->header_index));
        json_object_set_new(eo, "hop", int_or_null(e->hop));
        json_array_append_new(list, eo);
    }
    json_object_set_new(o, "from_domain", str(id->from_domain));
    json_object_set_new(o, "from_org_domain", str(id->from_org_domain));
    json_object_set_new(o, "identities", list);
    json_object_set_new(o, "message_id_generator",
                        static_str(id->message_id_generator));
    json_object_set_new(o, "x_mailer", str(report->summary.x_mailer.text));
    json_object_set_new(o, "score", json_integer(id->score));
    json_object_set_new(o, "verdict", static_str(id->verdict));
    return o;
}

static json_t *
json_methods(const GPtrArray *methods)
{
    json_t *list = json_array();

    for (guint i = 0; i < methods->len; i++) {
        const MtAuthMethod *m = methods->pdata[i];
        json_t *mo = json_object();
        json_t *props = json_array();
        for (guint k = 0; k < m->properties->len; k++) {
            const MtAuthProperty *p = m->properties->pdata[k];
            json_t *po = json_object();
            json_object_set_new(po, "ptype", str(p->ptype));
            json_object_set_new(po, "property", str(p->property));
            json_object_set_new(po, "value", str(p->value));
            json_array_append_new(props, po);
        }
        json_object_set_new(mo, "method", str(m->method));
        json_object_set_new(mo, "version", str(m->version));
        json_object_set_new(mo, "result", str(m->result));
        json_object_set_new(mo, "reason", str(m->reason));
        json_object_set_new(mo, "comment", str(m->comment));
        json_object_set_new(mo, "propspec", props);
        json_array_append_new(list, mo);
    }
    return list;
}

static json_t *
json_results(const MtAuthResults *r)
{
    json_t *o = json_object();

    json_object_set_new(o, "header", json_string(
                                         r->arc_instance >= 0
                                             ? "ARC-Authentication-Results"
                                             : "Authentication-Results"));
    json_object_set_new(o, "header_index", int_or_null(r->header_index));
    json_object_set_new(o, "offset", int_or_null(r->offset));
    json_object_set_new(o, "arc_instance", int_or_null(r->arc_instance));
    json_object_set_new(o, "authserv_id", str(r->authserv_id));
    json_object_set_new(o, "version", int_or_null(r->version));
    json_object_set_new(o, "none", json_boolean(r->none));
    json_object_set_new(o, "trust",
                        json_string(mt_auth_trust_to_string(r->trust)));
    json_object_set_new(o, "trust_reason", str(r->trust_reason));
    json_object_set_new(o, "truncated", json_boolean(r->truncated));
    json_object_set_new(o, "methods", json_methods(r->methods));
    return o;
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

static json_t *
json_signature(const MtAuthentication *a, const MtSignature *sig)
{
    json_t *o = json_object();
    json_t *headers = json_array();
    json_t *tags = json_object();
    gboolean dkim = strcmp(sig->kind, "DKIM-Signature") == 0;

    for (guint i = 0; i < sig->signed_headers->len; i++)
        json_array_append_new(headers, str(sig->signed_headers->pdata[i]));
    for (guint i = 0; i < sig->tags->len; i++) {
        const MtTag *t = sig->tags->pdata[i];
        json_object_set_new(tags, t->name, str(t->value));
    }
    json_object_set_new(o, "kind", json_string(sig->kind));
    json_object_set_new(o, "header_index", int_or_null(sig->header_index));
    json_object_set_new(o, "offset", int_or_null(sig->offset));
    json_object_set_new(o, "version", str(sig->version));
    json_object_set_new(o, "algorithm", str(sig->algorithm));
    json_object_set_new(o, "domain", str(sig->domain));
    json_object_set_new(o, "selector", str(sig->selector));
    json_object_set_new(o, "identity", str(sig->identity));
    json_object_set_new(o, "canon_header", str(sig->canon_header));
    json_object_set_new(o, "canon_body", str(sig->canon_body));
    json_object_set_new(o, "signed_headers", headers);
    json_object_set_new(o, "from_signed", json_integer(sig->from_signed));
    json_object_set_new(o, "body_hash", str(sig->body_hash));
    json_object_set_new(o, "signature", str(sig->signature));
    json_object_set_new(o, "length", int_or_null(sig->length));
    json_object_set_new(o, "timestamp", int_or_null(sig->timestamp));
    json_object_set_new(o, "expiration", int_or_null(sig->expiration));
    json_object_set_new(o, "instance", int_or_null(sig->instance));
    json_object_set_new(o, "cv", str(sig->cv));
    json_object_set_new(o, "error", str(sig->error));
    if (dkim) {
        json_t *v = json_object();
        json_object_set_new(v, "claimed", str(claimed_result(a, sig)));
        json_object_set_new(v, "body_hash", json_string(
                                                sig->body_hash_status));
        json_object_set_new(v, "signature", json_string(
                                                sig->signature_status));
        json_object_set_new(v, "signature_problem",
                            str(sig->signature_problem));
        json_object_set_new(v, "online", json_string(sig->online_status));
        /* Only when checked, so reports without --online are unchanged. */
        if (sig->online_problem)
            json_object_set_new(v, "online_problem",
                                str(sig->online_problem));
        json_object_set_new(o, "verification", v);
    } else {
        json_object_set_new(o, "verification", json_null());
    }
    json_object_set_new(o, "tags", tags);
    return o;
}

static json_t *
json_spf(const MtReceivedSpf *s)
{
    json_t *o = json_object();

    json_object_set_new(o, "header_index", int_or_null(s->header_index));
    json_object_set_new(o, "result", str(s->result));
    json_object_set_new(o, "comment", str(s->comment));
    json_object_set_new(o, "client_ip", str(s->client_ip));
    json_object_set_new(o, "helo", str(s->helo));
    json_object_set_new(o, "envelope_from", str(s->envelope_from));
    json_object_set_new(o, "identity", str(s->identity));
    json_object_set_new(o, "receiver", str(s->receiver));
    json_object_set_new(o, "mechanism", str(s->mechanism));
    json_object_set_new(o, "problem", str(s->problem));
    return o;
}

/* One signed or encrypted part ($defs crypto_part). */
static json_t *
json_crypto_part(const MtCryptoPart *cp)
{
    json_t *o = json_object();
    json_t *signer = json_object();
    json_t *pgp = json_object();
    json_t *recipients = json_array();

    for (guint i = 0; cp->recipients && i < cp->recipients->len; i++)
        json_array_append_new(recipients, str(cp->recipients->pdata[i]));
    json_object_set_new(signer, "subject", str(cp->signer_subject));
    json_object_set_new(signer, "issuer", str(cp->signer_issuer));
    json_object_set_new(signer, "serial", str(cp->signer_serial));
    json_object_set_new(signer, "not_before", str(cp->signer_not_before));
    json_object_set_new(signer, "not_after", str(cp->signer_not_after));
    json_object_set_new(signer, "sha256_fingerprint",
                        str(cp->signer_fingerprint));
    json_object_set_new(signer, "email", str(cp->signer_email));
    json_object_set_new(pgp, "key_id", str(cp->key_id));
    json_object_set_new(pgp, "fingerprint", str(cp->key_fingerprint));
    json_object_set_new(pgp, "created", int_or_null(cp->signature_time));
    json_object_set_new(pgp, "hash_algorithm",
                        static_str(cp->hash_algorithm));
    json_object_set_new(pgp, "pubkey_algorithm",
                        static_str(cp->pubkey_algorithm));

    json_object_set_new(o, "part", str(cp->part));
    json_object_set_new(o, "kind", static_str(cp->kind));
    json_object_set_new(o, "what", static_str(cp->what));
    json_object_set_new(o, "form", static_str(cp->form));
    json_object_set_new(o, "micalg", str(cp->micalg));
    json_object_set_new(o, "status", static_str(cp->status));
    json_object_set_new(o, "integrity", static_str(cp->integrity));
    json_object_set_new(o, "reason", str(cp->reason));
    json_object_set_new(o, "signer", signer);
    json_object_set_new(o, "pgp_signature", pgp);
    json_object_set_new(o, "recipients", recipients);
    return o;
}

json_t *
mt_json_authentication(const MtReport *report)
{
    const MtAuthentication *a = &report->authentication;
    json_t *o = json_object();
    json_t *results, *spf, *dkim, *arc, *arc_sigs, *verdict, *trusted;
    json_t *crypto;
    json_t *first_hop = json_null();

    if (a->results == NULL)
        return o;
    results = json_array();
    for (guint i = 0; i < a->results->len; i++) {
        const MtAuthResults *r = a->results->pdata[i];
        json_array_append_new(results, json_results(r));
        if (r->arc_instance == 1 && json_is_null(first_hop)) {
            json_decref(first_hop);
            first_hop = json_results(r);
        }
    }
    spf = json_array();
    for (guint i = 0; i < a->received_spf->len; i++)
        json_array_append_new(spf, json_spf(a->received_spf->pdata[i]));
    dkim = json_array();
    for (guint i = 0; i < a->dkim->len; i++)
        json_array_append_new(dkim, json_signature(a, a->dkim->pdata[i]));
    arc_sigs = json_array();
    for (guint i = 0; i < a->arc->len; i++)
        json_array_append_new(arc_sigs, json_signature(a, a->arc->pdata[i]));
    trusted = json_array();
    for (guint i = 0; i < a->trusted_domains->len; i++)
        json_array_append_new(trusted, str(a->trusted_domains->pdata[i]));

    verdict = json_object();
    json_object_set_new(verdict, "spf", str(a->spf));
    json_object_set_new(verdict, "dkim", str(a->dkim_result));
    json_object_set_new(verdict, "dmarc", str(a->dmarc));

    arc = json_object();
    json_object_set_new(arc, "instances", json_integer(a->arc_instances));
    json_object_set_new(arc, "chain", static_str(a->arc_chain));
    json_object_set_new(arc, "problem", str(a->arc_problem));
    json_object_set_new(arc, "first_hop_results", first_hop);
    json_object_set_new(arc, "signatures", arc_sigs);

    json_object_set_new(o, "boundary_hop", int_or_null(
                                               a->boundary_hop > 0
                                                   ? a->boundary_hop : -1));
    json_object_set_new(o, "boundary_source", static_str(a->boundary_source));
    json_object_set_new(o, "trusted_domains", trusted);
    json_object_set_new(o, "receiver_verdict", verdict);
    json_object_set_new(o, "results", results);
    json_object_set_new(o, "received_spf", spf);
    json_object_set_new(o, "dkim", dkim);
    json_object_set_new(o, "arc", arc);
    crypto = json_array();
    for (guint i = 0; a->crypto_parts && i < a->crypto_parts->len; i++)
        json_array_append_new(crypto,
                              json_crypto_part(a->crypto_parts->pdata[i]));
    json_object_set_new(o, "crypto_parts", crypto);
    return o;
}
