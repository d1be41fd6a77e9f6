/* SPDX-License-Identifier: MIT */
/*
 * dkim-verify.c: DKIM signature verification with keys at hand, offline.
 *
 * A forensic copy of a message is often analyzed long after delivery, when
 * the signer has rotated its key, or on a machine that must not query DNS.
 * So keys come from a table the analyst provides (--dkim-keys: the TXT
 * records as "selector._domainkey.domain TXT" lines), and the verification
 * is ours, with OpenSSL: the signed header fields are selected bottom-up as
 * RFC 6376 5.4.2 says, canonicalized (3.4.1 simple, 3.4.2 relaxed) from the
 * bytes as stored, followed by the DKIM-Signature itself with an empty b=
 * (3.7), and checked against b= with the RSA (rsa-sha256, rsa-sha1) or
 * Ed25519 (RFC 8463) key. No clock is read: x= is audited against the
 * message's own dates elsewhere, which is what a late analysis needs.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "identity-private.h"
#include "mailtrail-private.h"

/* A key table larger than this is not a key table. */
#define MAX_KEYS 10000
#define MAX_RECORD 8192

struct _MtDkimKeys {
    GHashTable *records; /* lowercase name -> TXT text */
};

void
mt_dkim_keys_free(MtDkimKeys *keys)
{
    if (keys == NULL)
        return;
    g_hash_table_unref(keys->records);
    g_free(keys);
}

/* The TXT text of a zone-file style value: the quoted strings joined (a
 * long key is split into several), or the bare text. */
static char *
txt_value(const char *s)
{
    GString *out = g_string_new(NULL);
    gboolean quoted = strchr(s, '"') != NULL;

    if (!quoted) {
        g_string_append(out, s);
        return g_string_free(out, FALSE);
    }
    while (*s && out->len < MAX_RECORD) {
        if (*s != '"') {
            s++;
            continue;
        }
        for (s++; *s && *s != '"' && out->len < MAX_RECORD; s++) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            g_string_append_c(out, *s);
        }
        if (*s == '"')
            s++;
    }
    return g_string_free(out, FALSE);
}

MtDkimKeys *
mt_dkim_keys_new_from_text(const char *text, guint *skipped)
{
    MtDkimKeys *keys = g_new0(MtDkimKeys, 1);
    g_auto(GStrv) lines = NULL;
    guint bad = 0;

    keys->records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    lines = g_strsplit(text ? text : "", "\n", MAX_KEYS + 1);
    for (guint i = 0; lines[i] != NULL && i < MAX_KEYS; i++) {
        char *line = g_strstrip(lines[i]);
        char *space, *name;
        gsize n;

        if (line[0] == '\0' || line[0] == '#')
            continue;
        space = strpbrk(line, " \t");
        if (space == NULL || strstr(line, "._domainkey.") == NULL
            || strstr(line, "._domainkey.") > space) {
            bad++;
            continue;
        }
        n = (gsize)(space - line);
        while (n > 0 && line[n - 1] == '.')
            n--;
        name = g_ascii_strdown(line, (gssize)n);
        g_hash_table_replace(keys->records, name,
                             txt_value(g_strstrip(space + 1)));
    }
    if (skipped)
        *skipped = bad;
    return keys;
}

MtDkimKeys *
mt_dkim_keys_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    g_return_val_if_fail(path != NULL, NULL);
    if (!g_file_get_contents(path, &text, &len, error))
        return NULL;
    if (len > (gsize)MAX_KEYS * MAX_RECORD) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "%s: too large for a DKIM key table", path);
        return NULL;
    }
    return mt_dkim_keys_new_from_text(text, NULL);
}

/* The header field at offset as stored: name, colon, value and every
 * continuation line, with its final line end. */
static void
raw_field(const guchar *data, gsize len, gsize offset, const char **start,
          gsize *field_len)
{
    gsize i = offset;

    while (i < len) {
        const guchar *nl = memchr(data + i, '\n', len - i);
        if (nl == NULL) {
            i = len;
            break;
        }
        i = (gsize)(nl - data) + 1;
        if (i >= len || (data[i] != ' ' && data[i] != '\t'))
            break;
    }
    *start = (const char *)data + offset;
    *field_len = i - offset;
}

/* Simple (RFC 6376 3.4.1): the bytes as they are, each line ending in
 * CRLF (stored mail often has bare LF). */
static void
canon_simple(GString *out, const char *s, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            g_string_append_c(out, '\r');
        g_string_append_c(out, s[i]);
    }
    if (out->len < 2 || out->str[out->len - 1] != '\n')
        g_string_append(out, "\r\n");
}

/* Relaxed (3.4.2): lowercase name, unfolded value, white space runs as
 * one space, none around the colon or at the end. */
static void
canon_relaxed(GString *out, const char *s, gsize n)
{
    const char *colon = memchr(s, ':', n);
    gsize name_len, i;
    gboolean space = FALSE, any = FALSE;

    if (colon == NULL)
        return;
    name_len = (gsize)(colon - s);
    while (name_len > 0 && (s[name_len - 1] == ' ' || s[name_len - 1] == '\t'))
        name_len--;
    for (i = 0; i < name_len; i++)
        g_string_append_c(out, g_ascii_tolower(s[i]));
    g_string_append_c(out, ':');
    for (i = (gsize)(colon - s) + 1; i < n; i++) {
        char ch = s[i];
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == ' ' || ch == '\t') {
            space = TRUE;
            continue;
        }
        /* White space before the first value byte goes with the colon. */
        if (space && any)
            g_string_append_c(out, ' ');
        space = FALSE;
        any = TRUE;
        g_string_append_c(out, ch);
    }
    g_string_append(out, "\r\n");
}

static void
canon_field(GString *out, const char *s, gsize n, gboolean relaxed)
{
    if (relaxed)
        canon_relaxed(out, s, n);
    else
        canon_simple(out, s, n);
}

/* The DKIM-Signature field with the value of its b= tag removed, white
 * space around it included (RFC 6376 3.5, 3.7). */
static GString *
without_b(const char *s, gsize n)
{
    GString *out = g_string_sized_new(n);
    const char *colon = memchr(s, ':', n);
    gsize pos, end = n;

    while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r'))
        end--;
    if (colon == NULL) {
        g_string_append_len(out, s, (gssize)n);
        return out;
    }
    pos = (gsize)(colon - s) + 1;
    g_string_append_len(out, s, (gssize)pos);
    while (pos < end) {
        const char *semi = memchr(s + pos, ';', end - pos);
        gsize tag_end = semi ? (gsize)(semi - s) : end;
        const char *eq = memchr(s + pos, '=', tag_end - pos);
        gsize k = pos;

        while (k < tag_end && strchr(" \t\r\n", s[k]))
            k++;
        if (eq != NULL && (gsize)(eq - s) > k) {
            gsize name_end = (gsize)(eq - s);
            while (name_end > k && strchr(" \t\r\n", s[name_end - 1]))
                name_end--;
            if (name_end - k == 1 && s[k] == 'b') {
                g_string_append_len(out, s + pos,
                                    (gssize)((gsize)(eq - s) + 1 - pos));
                pos = tag_end;
                if (semi) {
                    g_string_append_c(out, ';');
                    pos++;
                }
                continue;
            }
        }
        g_string_append_len(out, s + pos,
                            (gssize)(tag_end - pos + (semi ? 1 : 0)));
        pos = tag_end + (semi ? 1 : 0);
    }
    g_string_append_len(out, s + end, (gssize)(n - end));
    return out;
}

/* The signing input: the h= fields, bottom-up per name, then this
 * signature without b= and without its final CRLF. */
static GString *
signing_input(const MtReport *report, const MtSignature *sig,
              const guchar *data, gsize len, gboolean relaxed)
{
    GString *input = g_string_new(NULL);
    const GPtrArray *headers = report->headers;
    g_autofree gboolean *used = g_new0(gboolean, headers->len + 1);
    const MtHeader *self = headers->pdata[sig->header_index];
    const char *raw;
    gsize raw_len;
    GString *stripped;

    for (guint k = 0; k < sig->signed_headers->len; k++) {
        const char *name = sig->signed_headers->pdata[k];
        for (guint i = headers->len; i-- > 0;) {
            const MtHeader *h = headers->pdata[i];
            if (used[i] || g_ascii_strcasecmp(h->name, name) != 0)
                continue;
            used[i] = TRUE;
            raw_field(data, len, (gsize)h->offset, &raw, &raw_len);
            canon_field(input, raw, raw_len, relaxed);
            break;
        }
    }
    raw_field(data, len, (gsize)self->offset, &raw, &raw_len);
    stripped = without_b(raw, raw_len);
    canon_field(input, stripped->str, stripped->len, relaxed);
    g_string_free(stripped, TRUE);
    if (input->len >= 2)
        g_string_truncate(input, input->len - 2);
    return input;
}

/* The public key of a key record (RFC 6376 3.6.1), or NULL with why. */
static EVP_PKEY *
record_key(const char *record, gboolean ed25519, const char **why)
{
    g_autoptr(GString) clean = g_string_new(NULL);
    MtSignature *tags = mt_signature_parse("DKIM-Key", record, -1);
    const char *v = mt_signature_get_tag(tags, "v");
    const char *k = mt_signature_get_tag(tags, "k");
    const char *p = mt_signature_get_tag(tags, "p");
    g_autofree guchar *der = NULL;
    gsize der_len = 0;
    EVP_PKEY *key = NULL;

    if (v != NULL && strcmp(v, "DKIM1") != 0) {
        *why = "the key record's v= is not DKIM1";
    } else if (p == NULL) {
        *why = "the key record has no p=";
    } else if (p[0] == '\0') {
        *why = "the key is revoked (empty p=)";
    } else if (ed25519 ? (k == NULL || g_ascii_strcasecmp(k, "ed25519") != 0)
                       : (k != NULL && g_ascii_strcasecmp(k, "rsa") != 0)) {
        *why = "the key type (k=) does not match the signature's a=";
    } else {
        for (const char *c = p; *c; c++)
            if (!strchr(" \t\r\n", *c))
                g_string_append_c(clean, *c);
        der = g_base64_decode(clean->str, &der_len);
        if (ed25519) {
            if (der_len == 32)
                key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
                                                  der, der_len);
        } else if (der_len > 0) {
            const unsigned char *q = der;
            key = d2i_PUBKEY(NULL, &q, (long)der_len);
            if (key == NULL) {
                /* Some records hold a bare PKCS#1 RSAPublicKey. */
                q = der;
                key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)der_len);
            }
        }
        if (key == NULL)
            *why = "p= is not a usable public key";
    }
    mt_signature_free(tags);
    return key;
}

MtDkimKeys *
mt_dkim_keys_new(void)
{
    return mt_dkim_keys_new_from_text(NULL, NULL);
}

void
mt_dkim_keys_insert(MtDkimKeys *keys, const char *name, const char *record)
{
    g_return_if_fail(keys != NULL && name != NULL && record != NULL);
    g_hash_table_replace(keys->records, g_ascii_strdown(name, -1),
                         g_strdup(record));
}

/* Verifies one signature; returns the status and sets *problem. */
const char *
mt_dkim_verify_one(const MtReport *report, const MtSignature *sig,
                   const guchar *data, gsize len, const MtDkimKeys *keys,
                   char **problem)
{
    g_autofree char *name = NULL;
    const char *record, *why = NULL;
    const EVP_MD *md = NULL;
    gboolean ed25519 = FALSE, ok = FALSE;
    g_autofree guchar *b = NULL;
    gsize b_len = 0;
    EVP_PKEY *key;
    EVP_MD_CTX *ctx;
    GString *input;

    if (sig->error || sig->domain == NULL || sig->selector == NULL
        || sig->signature == NULL || sig->algorithm == NULL
        || sig->canon_header == NULL || sig->header_index < 0) {
        *problem = g_strdup("the signature is malformed");
        return "fail";
    }
    if (strcmp(sig->algorithm, "rsa-sha256") == 0)
        md = EVP_sha256();
    else if (strcmp(sig->algorithm, "rsa-sha1") == 0)
        md = EVP_sha1();
    else if (strcmp(sig->algorithm, "ed25519-sha256") == 0)
        ed25519 = TRUE;
    else {
        *problem = g_strdup_printf("unknown algorithm %s", sig->algorithm);
        return "unsupported";
    }
    if (strcmp(sig->canon_header, "relaxed") != 0
        && strcmp(sig->canon_header, "simple") != 0) {
        *problem = g_strdup_printf("unknown canonicalization %s",
                                   sig->canon_header);
        return "unsupported";
    }
    name = g_strdup_printf("%s._domainkey.%s", sig->selector, sig->domain);
    {
        g_autofree char *lower = g_ascii_strdown(name, -1);
        record = g_hash_table_lookup(keys->records, lower);
    }
    if (record == NULL) {
        *problem = g_strdup_printf("no key for %s in the key table", name);
        return "no-key";
    }
    key = record_key(record, ed25519, &why);
    if (key == NULL) {
        *problem = g_strdup_printf("%s: %s", name, why);
        return why && strstr(why, "revoked") ? "fail" : "key-invalid";
    }
    if (strcmp(sig->body_hash_status, "changed") == 0) {
        EVP_PKEY_free(key);
        *problem = g_strdup("the body does not match bh=");
        return "fail";
    }
    b = g_base64_decode(sig->signature, &b_len);
    input = signing_input(report, sig, data, len,
                          strcmp(sig->canon_header, "relaxed") == 0);
    ctx = EVP_MD_CTX_new();
    if (ctx != NULL && b_len > 0) {
        if (ed25519) {
            /* RFC 8463 3: Ed25519 signs the SHA-256 of the input. */
            unsigned char hash[EVP_MAX_MD_SIZE];
            unsigned int hash_len = 0;
            EVP_Digest(input->str, input->len, hash, &hash_len, EVP_sha256(),
                       NULL);
            ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1
                 && EVP_DigestVerify(ctx, b, b_len, hash, hash_len) == 1;
        } else {
            ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1
                 && EVP_DigestVerify(ctx, b, b_len,
                                     (const unsigned char *)input->str,
                                     input->len) == 1;
        }
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    g_string_free(input, TRUE);
    if (!ok)
        *problem = g_strdup("b= does not verify with the key: the signed "
                            "header fields changed, or the signature is "
                            "not by this key");
    return ok ? "pass" : "fail";
}

void
mt_auth_verify_dkim(MtReport *report, const guchar *data, gsize len,
                    const MtDkimKeys *keys)
{
    GPtrArray *dkim = report->authentication.dkim;

    if (dkim == NULL || keys == NULL || data == NULL)
        return;
    for (guint i = 0; i < dkim->len && i < MT_DKIM_MAX_CHECKED; i++) {
        MtSignature *sig = dkim->pdata[i];
        g_clear_pointer(&sig->signature_problem, g_free);
        sig->signature_status =
            mt_dkim_verify_one(report, sig, data, len, keys,
                               &sig->signature_problem);
        if (strcmp(sig->signature_status, "fail") == 0) {
            MtEvidence ev = {sig->header_index, sig->offset, -1, NULL};
            mt_report_add_finding(
                report, "dkim-signature-invalid", MT_SEVERITY_MEDIUM, &ev,
                "the DKIM-Signature by %s does not verify offline: %s",
                sig->domain ? sig->domain : "?", sig->signature_problem);
        }
    }
}
