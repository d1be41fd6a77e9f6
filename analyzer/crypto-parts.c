/* SPDX-License-Identifier: MIT */
/*
 * crypto-parts.c: the signed and encrypted parts of a message. Walks the
 * GMime tree (bounded in depth and part count) for multipart/signed,
 * multipart/encrypted, application/pkcs7-mime and inline PGP armor, and
 * records for each the part number, the signer and the recipients that can
 * be read without a key. S/MIME signatures are checked offline with
 * OpenSSL: integrity against the embedded signer certificate, then the
 * chain against the system CA bundle; an untrusted root is its own state,
 * never "verified". OpenPGP signatures are parsed (RFC 4880 4.2, 5.2) but
 * not verified: there is no keyring offline. No GMime crypto context is
 * used, so nothing here calls gpg.
 */
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "identity-private.h"
#include "mailtrail-private.h"

/* Walk limits: a hostile message can nest parts without end. */
#define MAX_DEPTH 32
#define MAX_PARTS 2000
#define MAX_CRYPTO_PARTS 64
/* Signatures and key blobs are small; anything larger is not one. */
#define MAX_SIGNATURE_BYTES (1024 * 1024)
/* The signed content is re-written in memory; the message already is. */
#define MAX_CONTENT_BYTES (64 * 1024 * 1024)
/* Inline armor is looked for in this much of a text part. */
#define MAX_TEXT_BYTES (4 * 1024 * 1024)
#define MAX_PACKETS 64
#define MAX_RECIPIENTS 32

#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

void
mt_crypto_part_free(gpointer p)
{
    MtCryptoPart *cp = p;

    if (cp == NULL)
        return;
    g_free(cp->part);
    g_free(cp->micalg);
    g_free(cp->reason);
    g_free(cp->signer_subject);
    g_free(cp->signer_issuer);
    g_free(cp->signer_serial);
    g_free(cp->signer_not_before);
    g_free(cp->signer_not_after);
    g_free(cp->signer_fingerprint);
    g_free(cp->signer_email);
    g_free(cp->key_id);
    g_free(cp->key_fingerprint);
    if (cp->recipients)
        g_ptr_array_unref(cp->recipients);
    g_free(cp);
}

static MtCryptoPart *
crypto_part_new(const char *path, const char *kind, const char *what,
                const char *form)
{
    MtCryptoPart *cp = g_new0(MtCryptoPart, 1);

    cp->part = g_strdup(path);
    cp->kind = kind;
    cp->what = what;
    cp->form = form;
    cp->signature_time = -1;
    cp->recipients = g_ptr_array_new_with_free_func(g_free);
    return cp;
}

static void
set_reason(MtCryptoPart *cp, char *reason)
{
    g_free(cp->reason);
    cp->reason = reason;
}

/* The decoded content of a leaf part (transfer encoding undone), or NULL
 * when there is none or it is larger than limit. Transfer full. */
static GBytes *
part_content(GMimeObject *object, gsize limit)
{
    GMimeDataWrapper *wrapper;
    GMimeStream *mem;
    GByteArray *array;
    GBytes *bytes = NULL;

    if (!GMIME_IS_PART(object))
        return NULL;
    wrapper = g_mime_part_get_content(GMIME_PART(object));
    if (wrapper == NULL)
        return NULL;
    mem = g_mime_stream_mem_new();
    if (g_mime_data_wrapper_write_to_stream(wrapper, mem) >= 0) {
        array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        if (array != NULL && array->len <= limit)
            bytes = g_bytes_new(array->data, array->len);
    }
    g_object_unref(mem);
    return bytes;
}

/* The first part of a multipart/signed as signed: the whole MIME entity,
 * headers included, with CRLF line ends (RFC 5751 3.1.1, RFC 3156 5).
 * GMime 3.2 records no byte offsets for parts, so the exact bytes cannot be
 * cut from the raw message; instead the part is written back out. GMime
 * keeps the raw header text and the undecoded content stream of every part
 * it parsed, so the output is the input as written, and a Unix-to-DOS
 * filter turns its LF line ends into CRLF (existing CRLF are kept). This is
 * what GMime's own g_mime_multipart_signed_verify() does. Transfer full. */
static GBytes *
signed_content(GMimeObject *object)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    GMimeStream *filtered = g_mime_stream_filter_new(mem);
    GMimeFilter *filter = g_mime_filter_unix2dos_new(FALSE);
    GByteArray *array;
    GBytes *bytes = NULL;

    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
    g_object_unref(filter);
    if (g_mime_object_write_to_stream(object, NULL, filtered) >= 0 &&
        g_mime_stream_flush(filtered) == 0) {
        array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        if (array != NULL && array->len <= MAX_CONTENT_BYTES)
            bytes = g_bytes_new(array->data, array->len);
    }
    g_object_unref(filtered);
    g_object_unref(mem);
    return bytes;
}

/* ---- S/MIME ------------------------------------------------------- */

static char *
name_string(const X509_NAME *name)
{
    BIO *bio;
    char *data = NULL;
    long n;
    char *out = NULL;

    if (name == NULL)
        return NULL;
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return NULL;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        n = BIO_get_mem_data(bio, &data);
        if (n >= 0 && data != NULL)
            out = g_strndup(data, (gsize)n);
    }
    BIO_free(bio);
    return out;
}

static char *
serial_string(const ASN1_INTEGER *serial)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex, *out = NULL;

    if (bn == NULL)
        return NULL;
    hex = BN_bn2hex(bn);
    if (hex != NULL)
        out = g_ascii_strdown(hex, -1);
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

static char *
time_string(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return NULL;
    return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ",
                           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static char *
hex_string(const guint8 *data, gsize len, gboolean upper)
{
    GString *s = g_string_sized_new(len * 2 + 1);

    for (gsize i = 0; i < len; i++)
        g_string_append_printf(s, upper ? "%02X" : "%02x", data[i]);
    return g_string_free(s, FALSE);
}

/* The address in the certificate that matches from, else the first one
 * (subjectAltName rfc822Name or subject emailAddress). Transfer full. */
static char *
cert_email(X509 *cert, const char *from)
{
    STACK_OF(OPENSSL_STRING) *emails = X509_get1_email(cert);
    char *out = NULL;
    int n = emails ? sk_OPENSSL_STRING_num(emails) : 0;

    for (int i = 0; i < n && i < 32; i++) {
        const char *e = sk_OPENSSL_STRING_value(emails, i);
        if (e == NULL)
            continue;
        if (out == NULL)
            out = g_strdup(e);
        if (from != NULL && g_ascii_strcasecmp(e, from) == 0) {
            g_free(out);
            out = g_strdup(e);
            break;
        }
    }
    X509_email_free(emails);
    return out;
}

static void
read_signer(MtCryptoPart *cp, X509 *cert, const char *from)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    cp->signer_subject = name_string(X509_get_subject_name(cert));
    cp->signer_issuer = name_string(X509_get_issuer_name(cert));
    cp->signer_serial = serial_string(X509_get0_serialNumber(cert));
    cp->signer_not_before = time_string(X509_get0_notBefore(cert));
    cp->signer_not_after = time_string(X509_get0_notAfter(cert));
    if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1)
        cp->signer_fingerprint = hex_string(md, md_len, FALSE);
    cp->signer_email = cert_email(cert, from);
}

/* The last OpenSSL error as text, prefixed by what, and the queue
 * emptied. *mismatch, when given, is set when one of the errors says a
 * signature was checked and does not match: the content digest differs
 * from messageDigest, or the signature over the signed attributes fails.
 * Transfer full. */
static char *
openssl_error_ex(const char *what, gboolean *mismatch)
{
    unsigned long e, last = 0;
    const char *data = NULL;
    g_autofree char *last_data = NULL;
    int flags = 0;

    /* The data text belongs to the queue slot, which the next pop clears:
     * it is copied at once. */
    for (int i = 0; i < 64; i++) {
        e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
        if (e == 0)
            break;
        last = e;
        if (mismatch && ERR_GET_LIB(e) == ERR_LIB_PKCS7 &&
            (ERR_GET_REASON(e) == PKCS7_R_DIGEST_FAILURE ||
             ERR_GET_REASON(e) == PKCS7_R_SIGNATURE_FAILURE))
            *mismatch = TRUE;
        g_free(last_data);
        last_data = (flags & ERR_TXT_STRING) && data && *data
                        ? g_strdup(data) : NULL;
    }
    ERR_clear_error();
    if (last == 0)
        return g_strdup(what);
    /* ERR_reason_error_string() can be NULL for an unknown code. */
    const char *r = ERR_reason_error_string(last);
    if (last_data)
        return g_strdup_printf("%s: %s (%s)", what, r ? r : "error",
                               last_data);
    return g_strdup_printf("%s: %s", what, r ? r : "error");
}

static char *
openssl_error(const char *what)
{
    return openssl_error_ex(what, NULL);
}

static int
verify(PKCS7 *p7, X509_STORE *store, GBytes *content, int flags)
{
    BIO *in = NULL;
    int ok;

    if (content != NULL) {
        gsize len = 0;
        const void *data = g_bytes_get_data(content, &len);
        in = BIO_new_mem_buf(data ? data : "", (int)len);
        if (in == NULL)
            return -1;
    }
    ok = PKCS7_verify(p7, NULL, store, in, NULL, flags);
    BIO_free(in);
    return ok;
}

/* Checks a PKCS#7 SignedData: signer, integrity, chain. content is the
 * detached signed content, or NULL when the content is inside. */
static void
smime_check_signed(MtCryptoPart *cp, PKCS7 *p7, GBytes *content,
                   const char *from)
{
    STACK_OF(X509) *signers;
    X509_STORE *store;

    cp->status = "not-verified";
    if (content == NULL && PKCS7_get_detached(p7)) {
        set_reason(cp, g_strdup("the signed content is missing"));
        return;
    }
    ERR_clear_error();
    signers = PKCS7_get0_signers(p7, NULL, 0);
    if (signers == NULL || sk_X509_num(signers) < 1) {
        sk_X509_free(signers);
        set_reason(cp, openssl_error("the signer certificate is not in "
                                     "the message"));
        return;
    }
    read_signer(cp, sk_X509_value(signers, 0), from);
    sk_X509_free(signers);

    /* Integrity: the signature against the embedded certificate, no
     * chain. PKCS7_BINARY: the content is already canonical. */
    if (verify(p7, NULL, content, PKCS7_NOVERIFY | PKCS7_BINARY) != 1) {
        gboolean mismatch = FALSE;
        char *why = openssl_error_ex("OpenSSL", &mismatch);
        /* Only a check that was made and failed is a bad signature; an
         * unknown digest or key type means it could not be checked. */
        if (mismatch) {
            cp->integrity = "broken";
            cp->status = "bad-signature";
        }
        set_reason(cp, g_strdup_printf("the signature %s (%s)",
                                       mismatch ? "does not match"
                                                : "could not be checked",
                                       why));
        g_free(why);
        return;
    }
    ERR_clear_error();
    cp->integrity = "intact";

    if (!g_file_test(CA_BUNDLE, G_FILE_TEST_IS_REGULAR)) {
        set_reason(cp, g_strdup("no system CA bundle (" CA_BUNDLE ")"));
        return;
    }
    store = X509_STORE_new();
    if (store == NULL || X509_STORE_load_file(store, CA_BUNDLE) != 1) {
        X509_STORE_free(store);
        set_reason(cp, openssl_error("the system CA bundle did not load"));
        return;
    }
    /* The chain is judged without the wall clock: a report must not change
     * with the day it is run on, and an old message's certificate has
     * often expired since. The validity dates are in the report. */
    X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME);
    if (verify(p7, store, content, PKCS7_BINARY) == 1) {
        cp->status = "verified";
        ERR_clear_error();
    } else {
        cp->status = "untrusted-root";
        set_reason(cp, openssl_error("the chain does not reach a trusted "
                                     "root"));
    }
    X509_STORE_free(store);
}

static void
smime_read_enveloped(MtCryptoPart *cp, PKCS7 *p7)
{
    STACK_OF(PKCS7_RECIP_INFO) *infos = p7->d.enveloped
                                            ? p7->d.enveloped->recipientinfo
                                            : NULL;
    int n = infos ? sk_PKCS7_RECIP_INFO_num(infos) : 0;

    for (int i = 0; i < n && i < MAX_RECIPIENTS; i++) {
        PKCS7_RECIP_INFO *ri = sk_PKCS7_RECIP_INFO_value(infos, i);
        if (ri == NULL || ri->issuer_and_serial == NULL)
            continue;
        g_autofree char *issuer = name_string(ri->issuer_and_serial->issuer);
        g_autofree char *serial =
            serial_string(ri->issuer_and_serial->serial);
        g_ptr_array_add(cp->recipients,
                        g_strdup_printf("%s; serial %s", issuer ? issuer : "?",
                                        serial ? serial : "?"));
    }
}

/* Reads a DER PKCS#7 blob; returns NULL (with reason set) when it is not
 * one. */
static PKCS7 *
smime_parse(MtCryptoPart *cp, GBytes *der)
{
    gsize len = 0;
    const unsigned char *p;
    PKCS7 *p7;

    if (der == NULL) {
        set_reason(cp, g_strdup("the PKCS#7 part is empty or too large"));
        return NULL;
    }
    p = g_bytes_get_data(der, &len);
    if (p == NULL || len == 0 || len > MAX_SIGNATURE_BYTES * 16) {
        set_reason(cp, g_strdup("the PKCS#7 part is empty or too large"));
        return NULL;
    }
    ERR_clear_error();
    p7 = d2i_PKCS7(NULL, &p, (long)len);
    if (p7 == NULL)
        set_reason(cp, openssl_error("the PKCS#7 structure does not parse"));
    return p7;
}

/* ---- OpenPGP ------------------------------------------------------ */

/* Finds a line beginning with marker at or after from. Linear: each line
 * start is compared once. Returns the offset or -1. */
static gssize
find_line(const char *text, gsize len, gsize from, const char *marker)
{
    gsize mlen = strlen(marker);

    for (gsize pos = from; pos < len;) {
        if (len - pos >= mlen && memcmp(text + pos, marker, mlen) == 0 &&
            (pos == 0 || text[pos - 1] == '\n'))
            return (gssize)pos;
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (nl == NULL)
            break;
        pos = (gsize)(nl - text) + 1;
    }
    return -1;
}

/* Removes ASCII armor (RFC 4880 6.2) from the block that starts at the
 * line "-----BEGIN PGP <label>-----" at or after from: skips the armor
 * headers, base64-decodes the body and ignores the CRC line. Transfer
 * full; NULL when there is no such block. */
static GBytes *
dearmor(const char *text, gsize len, gsize from, const char *label)
{
    g_autofree char *begin = g_strdup_printf("-----BEGIN PGP %s-----", label);
    gssize at = find_line(text, len, from, begin);
    gsize pos;
    gboolean in_body = FALSE;
    GByteArray *out;
    gint state = 0;
    guint save = 0;

    if (at < 0)
        return NULL;
    out = g_byte_array_new();
    pos = (gsize)at;
    /* Skip the BEGIN line itself. */
    {
        const char *nl = memchr(text + pos, '\n', len - pos);
        pos = nl ? (gsize)(nl - text) + 1 : len;
    }
    while (pos < len && out->len < MAX_SIGNATURE_BYTES) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        gsize end = nl ? (gsize)(nl - text) : len;
        gsize line_len = end - pos;
        const char *line = text + pos;

        while (line_len > 0 && (line[line_len - 1] == '\r' ||
                                line[line_len - 1] == ' ' ||
                                line[line_len - 1] == '\t'))
            line_len--;
        pos = nl ? end + 1 : len;
        if (line_len >= 5 && memcmp(line, "-----", 5) == 0)
            break;
        if (!in_body) {
            /* Armor headers ("Version: ...") end at an empty line; an
             * armor without headers or blank line starts at once. */
            if (line_len == 0)
                in_body = TRUE;
            else if (memchr(line, ':', line_len) == NULL) {
                in_body = TRUE;
                pos = (gsize)(line - text);
            }
            continue;
        }
        if (line_len > 0 && line[0] == '=')
            break; /* The CRC-24 line ends the body. */
        if (line_len == 0)
            continue;
        guint8 buf[(4096 / 4) * 3 + 3];
        for (gsize off = 0; off < line_len; off += 4096) {
            gsize chunk = MIN((gsize)4096, line_len - off);
            gsize n = g_base64_decode_step(line + off, chunk, buf, &state,
                                           &save);
            g_byte_array_append(out, buf, (guint)n);
        }
    }
    return g_byte_array_free_to_bytes(out);
}

/* Reads one packet header (RFC 4880 4.2) at *pos. Returns FALSE at the
 * end, for a malformed header, or for a partial body length (only the
 * encrypted data packets use them, and they come last). */
static gboolean
next_packet(const guint8 *d, gsize len, gsize *pos, int *tag,
            const guint8 **body, gsize *body_len)
{
    gsize p = *pos, blen;
    guint8 b;

    if (p >= len)
        return FALSE;
    b = d[p++];
    if (!(b & 0x80))
        return FALSE;
    if (b & 0x40) {
        *tag = b & 0x3f;
        if (p >= len)
            return FALSE;
        guint8 o1 = d[p++];
        if (o1 < 192) {
            blen = o1;
        } else if (o1 < 224) {
            if (p >= len)
                return FALSE;
            blen = ((gsize)(o1 - 192) << 8) + d[p++] + 192;
        } else if (o1 == 255) {
            if (len - p < 4)
                return FALSE;
            blen = ((gsize)d[p] << 24) | ((gsize)d[p + 1] << 16) |
                   ((gsize)d[p + 2] << 8) | d[p + 3];
            p += 4;
        } else {
            return FALSE;
        }
    } else {
        int type = b & 3;
        *tag = (b >> 2) & 0x0f;
        if (type == 3) {
            blen = len - p; /* Indeterminate: to the end. */
        } else {
            gsize n = type == 0 ? 1 : type == 1 ? 2 : 4;
            if (len - p < n)
                return FALSE;
            blen = 0;
            for (gsize i = 0; i < n; i++)
                blen = (blen << 8) | d[p + i];
            p += n;
        }
    }
    if (blen > len - p)
        return FALSE;
    *body = d + p;
    *body_len = blen;
    *pos = p + blen;
    return TRUE;
}

static const char *
hash_name(guint8 id)
{
    switch (id) {
    case 1: return "md5";
    case 2: return "sha1";
    case 3: return "ripemd160";
    case 8: return "sha256";
    case 9: return "sha384";
    case 10: return "sha512";
    case 11: return "sha224";
    default: return "unknown";
    }
}

static const char *
pubkey_name(guint8 id)
{
    switch (id) {
    case 1: case 2: case 3: return "rsa";
    case 16: return "elgamal";
    case 17: return "dsa";
    case 18: return "ecdh";
    case 19: return "ecdsa";
    case 22: return "eddsa";
    default: return "unknown";
    }
}

/* Reads the subpackets of one area (RFC 4880 5.2.3.1). */
static void
read_subpackets(MtCryptoPart *cp, const guint8 *a, gsize alen)
{
    gsize p = 0;

    for (int count = 0; p < alen && count < 256; count++) {
        gsize slen;
        guint8 o = a[p++];
        if (o < 192) {
            slen = o;
        } else if (o < 255) {
            if (p >= alen)
                return;
            slen = ((gsize)(o - 192) << 8) + a[p++] + 192;
        } else {
            if (alen - p < 4)
                return;
            slen = ((gsize)a[p] << 24) | ((gsize)a[p + 1] << 16) |
                   ((gsize)a[p + 2] << 8) | a[p + 3];
            p += 4;
        }
        if (slen == 0 || slen > alen - p)
            return;
        guint8 type = a[p] & 0x7f; /* Bit 7 is the critical flag. */
        const guint8 *data = a + p + 1;
        gsize dlen = slen - 1;
        p += slen;
        if (type == 2 && dlen >= 4 && cp->signature_time < 0) {
            cp->signature_time = ((gint64)data[0] << 24) |
                                 ((gint64)data[1] << 16) |
                                 ((gint64)data[2] << 8) | data[3];
        } else if (type == 16 && dlen >= 8 && cp->key_id == NULL) {
            cp->key_id = hex_string(data, 8, TRUE);
        } else if (type == 33 && dlen >= 2 && dlen <= 33 &&
                   cp->key_fingerprint == NULL) {
            /* One version octet, then the fingerprint (20 octets for a
             * v4 key, 32 for v5/v6). */
            cp->key_fingerprint = hex_string(data + 1, dlen - 1, TRUE);
            if (data[0] == 4 && dlen == 21 && cp->key_id == NULL)
                cp->key_id = hex_string(data + 1 + 12, 8, TRUE);
        }
    }
}

/* Reads the first signature packet (tag 2) of a binary OpenPGP blob. */
static void
pgp_read_signature(MtCryptoPart *cp, GBytes *blob)
{
    gsize len = 0, pos = 0, blen;
    const guint8 *d = blob ? g_bytes_get_data(blob, &len) : NULL;
    const guint8 *b;
    int tag;

    cp->status = "not-verified";
    set_reason(cp, g_strdup("no keyring offline"));
    for (int i = 0; d && i < MAX_PACKETS &&
                    next_packet(d, len, &pos, &tag, &b, &blen); i++) {
        if (tag != 2)
            continue;
        if (blen >= 19 && b[0] == 3 && b[1] == 5) {
            /* Version 3 (5.2.2): type and time hashed, then key id. */
            cp->signature_time = ((gint64)b[3] << 24) | ((gint64)b[4] << 16) |
                                 ((gint64)b[5] << 8) | b[6];
            cp->key_id = hex_string(b + 7, 8, TRUE);
            cp->pubkey_algorithm = pubkey_name(b[15]);
            cp->hash_algorithm = hash_name(b[16]);
        } else if (blen >= 6 && b[0] == 4) {
            gsize hlen = ((gsize)b[4] << 8) | b[5], p = 6;
            cp->pubkey_algorithm = pubkey_name(b[2]);
            cp->hash_algorithm = hash_name(b[3]);
            if (hlen > blen - p)
                break;
            read_subpackets(cp, b + p, hlen);
            p += hlen;
            if (blen - p >= 2) {
                gsize ulen = ((gsize)b[p] << 8) | b[p + 1];
                p += 2;
                if (ulen <= blen - p)
                    read_subpackets(cp, b + p, ulen);
            }
        } else {
            set_reason(cp, g_strdup_printf("signature packet version %u "
                                           "not read; no keyring offline",
                                           blen ? b[0] : 0u));
        }
        return;
    }
    set_reason(cp, g_strdup("no OpenPGP signature packet could be read; no "
                            "keyring offline"));
}

/* Lists the key ids of the public-key encrypted session key packets
 * (tag 1, RFC 4880 5.1) that precede the encrypted data. */
static void
pgp_read_recipients(MtCryptoPart *cp, GBytes *blob)
{
    gsize len = 0, pos = 0, blen;
    const guint8 *d = blob ? g_bytes_get_data(blob, &len) : NULL;
    const guint8 *b;
    int tag;

    for (int i = 0; d && i < MAX_PACKETS &&
                    cp->recipients->len < MAX_RECIPIENTS &&
                    next_packet(d, len, &pos, &tag, &b, &blen); i++) {
        if (tag == 1 && blen >= 9 && b[0] == 3)
            g_ptr_array_add(cp->recipients, hex_string(b + 1, 8, TRUE));
        else if (tag == 3)
            g_ptr_array_add(cp->recipients, g_strdup("(passphrase)"));
        else if (tag != 10) /* Marker packets are skipped. */
            break;
    }
}

/* ---- The walk ----------------------------------------------------- */

typedef struct {
    MtReport *report;
    const char *from; /* the first From address, or NULL */
    GPtrArray *parts;
} Walk;

static MtCryptoPart *
add_part(Walk *w, MtCryptoPart *cp)
{
    g_ptr_array_add(w->parts, cp);
    return cp;
}

static gboolean
type_is(GMimeContentType *ct, const char *type, const char *subtype)
{
    return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

static gboolean
protocol_is(GMimeContentType *ct, const char *value)
{
    const char *p = ct ? g_mime_content_type_get_parameter(ct, "protocol")
                       : NULL;
    return p != NULL && g_ascii_strcasecmp(p, value) == 0;
}

static void
multipart_signed(Walk *w, GMimeMultipart *mp, const char *path)
{
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
    gboolean pgp = protocol_is(ct, "application/pgp-signature");
    gboolean smime = protocol_is(ct, "application/pkcs7-signature") ||
                     protocol_is(ct, "application/x-pkcs7-signature");
    MtCryptoPart *cp;
    const char *micalg;

    /* Early S/MIME agents wrote protocol= unquoted or not at all, and
     * labelled the signature application/x-pkcs7-mime: the signature
     * part's own type then decides. */
    if (!pgp && !smime && g_mime_multipart_get_count(mp) == 2) {
        GMimeObject *sig_part = g_mime_multipart_get_part(mp, 1);
        GMimeContentType *st = sig_part
                                   ? g_mime_object_get_content_type(sig_part)
                                   : NULL;
        pgp = type_is(st, "application", "pgp-signature");
        smime = type_is(st, "application", "pkcs7-signature") ||
                type_is(st, "application", "x-pkcs7-signature") ||
                type_is(st, "application", "pkcs7-mime") ||
                type_is(st, "application", "x-pkcs7-mime");
    }

    if (!pgp && !smime)
        return;
    cp = add_part(w, crypto_part_new(path, pgp ? "pgp" : "smime", "signed",
                                     "multipart/signed"));
    micalg = g_mime_content_type_get_parameter(ct, "micalg");
    cp->micalg = g_strdup(micalg);
    if (g_mime_multipart_get_count(mp) != 2) {
        cp->status = "not-verified";
        set_reason(cp, g_strdup("multipart/signed without exactly two "
                                "parts"));
        return;
    }
    g_autoptr(GBytes) sig =
        part_content(g_mime_multipart_get_part(mp, 1), MAX_SIGNATURE_BYTES);
    if (pgp) {
        gsize len = 0;
        const char *text = sig ? g_bytes_get_data(sig, &len) : NULL;
        g_autoptr(GBytes) blob =
            text ? dearmor(text, len, 0, "SIGNATURE") : NULL;
        pgp_read_signature(cp, blob);
        return;
    }
    PKCS7 *p7 = smime_parse(cp, sig);
    if (p7 == NULL) {
        cp->status = "not-verified";
        return;
    }
    if (!PKCS7_type_is_signed(p7)) {
        cp->status = "not-verified";
        set_reason(cp, g_strdup("the signature part is not PKCS#7 "
                                "SignedData"));
    } else {
        g_autoptr(GBytes) content =
            signed_content(g_mime_multipart_get_part(mp, 0));
        if (content == NULL) {
            cp->status = "not-verified";
            set_reason(cp, g_strdup("the signed content could not be "
                                    "written out"));
        } else {
            smime_check_signed(cp, p7, content, w->from);
        }
    }
    PKCS7_free(p7);
}

static void
multipart_encrypted(Walk *w, GMimeMultipart *mp, const char *path)
{
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
    MtCryptoPart *cp;

    if (!protocol_is(ct, "application/pgp-encrypted"))
        return;
    cp = add_part(w, crypto_part_new(path, "pgp", "encrypted",
                                     "multipart/encrypted"));
    if (g_mime_multipart_get_count(mp) < 2)
        return;
    g_autoptr(GBytes) data =
        part_content(g_mime_multipart_get_part(mp, 1), MAX_CONTENT_BYTES);
    gsize len = 0;
    const char *text = data ? g_bytes_get_data(data, &len) : NULL;
    g_autoptr(GBytes) blob = text ? dearmor(text, len, 0, "MESSAGE") : NULL;
    pgp_read_recipients(cp, blob);
}

static void
pkcs7_mime(Walk *w, GMimeObject *object, const char *path)
{
    GMimeContentType *ct = g_mime_object_get_content_type(object);
    const char *smime_type = g_mime_content_type_get_parameter(ct,
                                                               "smime-type");
    MtCryptoPart *cp;
    PKCS7 *p7;

    /* smime-type is optional (RFC 5751 3.2.2): the DER says what it is. */
    if (smime_type && g_ascii_strcasecmp(smime_type, "certs-only") == 0)
        return;
    g_autoptr(GBytes) der = part_content(object, MAX_CONTENT_BYTES);
    cp = add_part(w, crypto_part_new(path, "smime", "encrypted",
                                     "application/pkcs7-mime"));
    if (smime_type && g_ascii_strcasecmp(smime_type, "signed-data") == 0)
        cp->what = "signed";
    p7 = smime_parse(cp, der);
    if (p7 == NULL) {
        if (strcmp(cp->what, "signed") == 0)
            cp->status = "not-verified";
        return;
    }
    if (PKCS7_type_is_signed(p7)) {
        cp->what = "signed";
        smime_check_signed(cp, p7, NULL, w->from);
    } else if (PKCS7_type_is_enveloped(p7)) {
        cp->what = "encrypted";
        cp->status = NULL;
        smime_read_enveloped(cp, p7);
    }
    PKCS7_free(p7);
}

static void
inline_pgp(Walk *w, GMimeObject *object, const char *path)
{
    g_autoptr(GBytes) data = part_content(object, MAX_TEXT_BYTES);
    gsize len = 0;
    const char *text = data ? g_bytes_get_data(data, &len) : NULL;
    gssize at;

    if (text == NULL)
        return;
    at = find_line(text, len, 0, "-----BEGIN PGP SIGNED MESSAGE-----");
    if (at >= 0) {
        MtCryptoPart *cp = add_part(w, crypto_part_new(path, "pgp", "signed",
                                                       "inline"));
        g_autoptr(GBytes) blob = dearmor(text, len, (gsize)at, "SIGNATURE");
        pgp_read_signature(cp, blob);
        return;
    }
    at = find_line(text, len, 0, "-----BEGIN PGP MESSAGE-----");
    if (at >= 0) {
        MtCryptoPart *cp = add_part(w, crypto_part_new(path, "pgp",
                                                       "encrypted", "inline"));
        g_autoptr(GBytes) blob = dearmor(text, len, (gsize)at, "MESSAGE");
        pgp_read_recipients(cp, blob);
    }
}

typedef struct {
    GMimeObject *object;
    char *path;
    int depth;
    gboolean signature; /* the second part of a multipart/signed */
} Pending;

static void
look_at(Walk *w, GMimeObject *object, const char *path, gboolean signature)
{
    GMimeContentType *ct = g_mime_object_get_content_type(object);

    /* A multipart/signed's signature was read with its parent. */
    if (w->parts->len >= MAX_CRYPTO_PARTS || signature)
        return;
    if (GMIME_IS_MULTIPART(object)) {
        if (type_is(ct, "multipart", "signed"))
            multipart_signed(w, GMIME_MULTIPART(object), path);
        else if (type_is(ct, "multipart", "encrypted"))
            multipart_encrypted(w, GMIME_MULTIPART(object), path);
    } else if (GMIME_IS_PART(object)) {
        if (type_is(ct, "application", "pkcs7-mime") ||
            type_is(ct, "application", "x-pkcs7-mime"))
            pkcs7_mime(w, object, path);
        else if (type_is(ct, "text", "*"))
            inline_pgp(w, object, path);
    }
}

/* Walks the tree in document order with an explicit stack, numbering the
 * parts as IMAP does (RFC 3501 6.4.5): the children of a multipart are
 * N.1, N.2, ...; the top-level multipart has no number (""), a top-level
 * single part is "1", and the body of an enclosed message/rfc822 at N is
 * N.1, or its children N.1, N.2 when it is a multipart. */
static void
walk(Walk *w, GMimeObject *root)
{
    GArray *stack = g_array_new(FALSE, FALSE, sizeof(Pending));
    guint visited = 0;
    Pending top = {root, g_strdup(GMIME_IS_MULTIPART(root) ? "" : "1"), 0,
                   FALSE};

    g_array_append_val(stack, top);
    while (stack->len > 0) {
        Pending cur = g_array_index(stack, Pending, stack->len - 1);
        g_array_set_size(stack, stack->len - 1);
        if (++visited <= MAX_PARTS && cur.depth <= MAX_DEPTH) {
            look_at(w, cur.object, cur.path, cur.signature);
            if (GMIME_IS_MULTIPART(cur.object)) {
                GMimeMultipart *mp = GMIME_MULTIPART(cur.object);
                int n = g_mime_multipart_get_count(mp);
                gboolean is_signed = type_is(
                    g_mime_object_get_content_type(cur.object), "multipart",
                    "signed");
                /* Pushed last first, so the first child is taken next. */
                for (int i = MIN(n, MAX_PARTS) - 1; i >= 0; i--) {
                    Pending child = {
                        g_mime_multipart_get_part(mp, i),
                        *cur.path ? g_strdup_printf("%s.%d", cur.path, i + 1)
                                  : g_strdup_printf("%d", i + 1),
                        cur.depth + 1, is_signed && i == 1};
                    if (child.object)
                        g_array_append_val(stack, child);
                    else
                        g_free(child.path);
                }
            } else if (GMIME_IS_MESSAGE_PART(cur.object)) {
                GMimeMessage *inner = g_mime_message_part_get_message(
                    GMIME_MESSAGE_PART(cur.object));
                GMimeObject *body = inner ? g_mime_message_get_mime_part(inner)
                                          : NULL;
                if (body) {
                    Pending child = {
                        body,
                        GMIME_IS_MULTIPART(body)
                            ? g_strdup(cur.path)
                            : g_strdup_printf("%s.1", cur.path),
                        cur.depth + 1, FALSE};
                    g_array_append_val(stack, child);
                }
            }
        }
        g_free(cur.path);
    }
    g_array_free(stack, TRUE);
}

static void
add_findings(Walk *w)
{
    for (guint i = 0; i < w->parts->len; i++) {
        const MtCryptoPart *cp = w->parts->pdata[i];
        MtEvidence ev = {-1, -1, -1, cp->part};
        const char *part = *cp->part ? cp->part : "(top level)";

        if (strcmp(cp->what, "signed") != 0)
            continue;
        if (strcmp(cp->kind, "pgp") == 0) {
            mt_report_add_finding(
                w->report, "pgp-signature-not-verified", MT_SEVERITY_INFO,
                &ev, "part %s is PGP-signed by key %s; not verified (no "
                "keyring offline)", part, cp->key_id ? cp->key_id : "?");
            continue;
        }
        if (cp->status && strcmp(cp->status, "bad-signature") == 0)
            mt_report_add_finding(
                w->report, "smime-signature-broken", MT_SEVERITY_MEDIUM, &ev,
                "the S/MIME signature of part %s by %s does not match the "
                "signed content: it changed after signing, or the signature "
                "was never made over it", part,
                cp->signer_subject ? cp->signer_subject : "?");
        else if (cp->status && strcmp(cp->status, "untrusted-root") == 0)
            mt_report_add_finding(
                w->report, "smime-untrusted-root", MT_SEVERITY_LOW, &ev,
                "the S/MIME signature of part %s is intact but the signer "
                "%s (issuer %s) does not chain to a system root",
                part, cp->signer_subject ? cp->signer_subject : "?",
                cp->signer_issuer ? cp->signer_issuer : "?");
        if (cp->signer_email && w->from &&
            g_ascii_strcasecmp(cp->signer_email, w->from) != 0)
            mt_report_add_finding(
                w->report, "signer-not-from", MT_SEVERITY_MEDIUM, &ev,
                "the S/MIME signer of part %s is %s but the From address "
                "is %s", part, cp->signer_email, w->from);
    }
}

void
mt_crypto_parts_analyze(MtReport *report, GMimeMessage *message)
{
    MtAuthentication *a;
    GObject *root;
    Walk w = {report, NULL, NULL};

    g_return_if_fail(report != NULL);
    a = &report->authentication;
    g_clear_pointer(&a->crypto_parts, g_ptr_array_unref);
    a->crypto_parts = g_ptr_array_new_with_free_func(mt_crypto_part_free);
    w.parts = a->crypto_parts;
    if (message == NULL)
        return;
    root = (GObject *)g_mime_message_get_mime_part(message);
    if (root == NULL)
        return;
    if (report->summary.from.mailboxes &&
        report->summary.from.mailboxes->len > 0) {
        const MtMailbox *mb = report->summary.from.mailboxes->pdata[0];
        w.from = mb->address;
    }
    walk(&w, GMIME_OBJECT(root));
    add_findings(&w);
}
