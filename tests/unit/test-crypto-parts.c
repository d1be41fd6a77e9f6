/* SPDX-License-Identifier: MIT */
/*
 * test-crypto-parts.c: the signed and encrypted parts. The S/MIME
 * fixtures are made at test time with the openssl command in a temporary
 * directory: a self-signed CA, a signer certificate it issues, a detached
 * signature (openssl smime -sign) and an enveloped message (openssl smime
 * -encrypt); the MIME message is built around them here. The signature must
 * come out intact with an untrusted root (the CA is not in the system
 * bundle), broken after one byte of the signed text changes, and the signer
 * must be flagged when From names someone else. The OpenPGP packets are
 * written byte by byte in the test: a v4 signature packet with issuer and
 * creation time subpackets, and a public-key encrypted session key packet.
 * Hostile armor (truncated packets, lengths past the end) must not crash.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "identity-private.h"
#include "mailtrail.h"

typedef struct {
    char *dir;
    gboolean ready;
    char *content;      /* the signed MIME entity, CRLF */
    char *sig_b64;      /* detached signature, base64 lines */
    char *enc_b64;      /* enveloped data, base64 lines */
    char *fingerprint;  /* signer SHA-256, lowercase hex */
} Fixture;

static Fixture fx;

static char *
path_in(const char *name)
{
    return g_build_filename(fx.dir, name, NULL);
}

/* Runs openssl with args (NULL-terminated) in the fixture directory;
 * returns its standard output or NULL on failure. */
static char *
run_openssl(const char *first, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    va_list ap;
    char *out = NULL, *err = NULL;
    int status = 0;
    GError *error = NULL;

    g_ptr_array_add(argv, (char *)"openssl");
    va_start(ap, first);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
        g_ptr_array_add(argv, (char *)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(fx.dir, (char **)argv->pdata, NULL,
                      G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                      &error) ||
        !g_spawn_check_wait_status(status, NULL)) {
        g_test_message("openssl %s failed: %s %s", first,
                       error ? error->message : "", err ? err : "");
        g_clear_error(&error);
        g_clear_pointer(&out, g_free);
    }
    g_free(err);
    g_ptr_array_free(argv, TRUE);
    return out;
}

static char *
base64_lines(const char *name)
{
    g_autofree char *file = path_in(name);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autofree char *b64 = NULL;
    GString *s = g_string_new(NULL);

    g_assert_true(g_file_get_contents(file, &data, &len, NULL));
    b64 = g_base64_encode((const guchar *)data, len);
    for (gsize i = 0, n = strlen(b64); i < n; i += 76) {
        g_string_append_len(s, b64 + i, MIN((gsize)76, n - i));
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

static void
fixture_setup(void)
{
    g_autofree char *content_path = NULL, *ext_path = NULL;
    g_autofree char *fp = NULL;
    GString *hex;

    g_autofree char *openssl = g_find_program_in_path("openssl");

    if (openssl == NULL)
        return;
    fx.dir = g_dir_make_tmp("mt-crypto-XXXXXX", NULL);
    g_assert_nonnull(fx.dir);
    /* The signed entity in canonical form: CRLF line ends. */
    fx.content = g_strdup("Content-Type: text/plain; charset=us-ascii\r\n"
                          "\r\n"
                          "Hello signed world.\r\n"
                          "Wire the money today.\r\n");
    content_path = path_in("content.txt");
    g_assert_true(g_file_set_contents(content_path, fx.content, -1, NULL));
    ext_path = path_in("ext.cnf");
    g_assert_true(g_file_set_contents(
        ext_path,
        "subjectAltName=email:alice@example.com\n"
        "keyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=emailProtection\n", -1, NULL));

    g_free(run_openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes",
                       "-keyout", "ca.key", "-out", "ca.crt", "-days", "30",
                       "-subj", "/O=Mailtrail Test/CN=Mailtrail Test CA",
                       NULL));
    g_free(run_openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout",
                       "signer.key", "-out", "signer.csr", "-subj",
                       "/CN=Alice Signer/emailAddress=alice@example.com",
                       NULL));
    g_free(run_openssl("x509", "-req", "-in", "signer.csr", "-CA", "ca.crt",
                       "-CAkey", "ca.key", "-set_serial", "4660", "-days",
                       "30", "-extfile", "ext.cnf", "-out", "signer.crt",
                       NULL));
    g_free(run_openssl("smime", "-sign", "-binary", "-in", "content.txt",
                       "-signer", "signer.crt", "-inkey", "signer.key",
                       "-outform", "DER", "-out", "sig.der", NULL));
    g_free(run_openssl("smime", "-encrypt", "-aes256", "-binary", "-in",
                       "content.txt", "-outform", "DER", "-out", "enc.der",
                       "signer.crt", NULL));
    fp = run_openssl("x509", "-in", "signer.crt", "-noout", "-fingerprint",
                     "-sha256", NULL);
    g_autofree char *sig = path_in("sig.der");
    g_autofree char *enc = path_in("enc.der");
    if (fp == NULL || !g_file_test(sig, G_FILE_TEST_EXISTS) ||
        !g_file_test(enc, G_FILE_TEST_EXISTS))
        return;
    /* "sha256 Fingerprint=AB:CD:..." to "abcd...". */
    hex = g_string_new(NULL);
    for (const char *p = strchr(fp, '='); p && *++p && *p != '\n';)
        if (g_ascii_isxdigit(*p))
            g_string_append_c(hex, g_ascii_tolower(*p));
    fx.fingerprint = g_string_free(hex, FALSE);
    g_assert_cmpuint(strlen(fx.fingerprint), ==, 64);
    fx.sig_b64 = base64_lines("sig.der");
    fx.enc_b64 = base64_lines("enc.der");
    fx.ready = TRUE;
}

static void
fixture_teardown(void)
{
    static const char *const names[] = {
        "content.txt", "ext.cnf", "ca.key", "ca.crt", "signer.key",
        "signer.csr", "signer.crt", "sig.der", "enc.der", "ca.srl"};

    if (fx.dir) {
        for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
            g_autofree char *p = path_in(names[i]);
            g_unlink(p);
        }
        g_rmdir(fx.dir);
    }
    g_free(fx.dir);
    g_free(fx.content);
    g_free(fx.sig_b64);
    g_free(fx.enc_b64);
    g_free(fx.fingerprint);
}

static MtReport *
analyze_text(const char *text)
{
    MtRawMessage raw = {0};
    MtOptions options;
    MtReport *report;

    mt_options_init_default(&options);
    raw.source.path = (char *)"crypto.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, strlen(text));
    report = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    return report;
}

static guint
count_finding(const MtReport *report, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (strcmp(f->id, id) == 0)
            n++;
    }
    return n;
}

static const MtCryptoPart *
only_part(const MtReport *report)
{
    const GPtrArray *parts = report->authentication.crypto_parts;

    g_assert_nonnull(parts);
    g_assert_cmpuint(parts->len, ==, 1);
    return parts->pdata[0];
}

/* The message as a Unix file has it: LF line ends; the analyzer must
 * restore the CRLF form that was signed. */
static char *
signed_message(const char *from, const char *content)
{
    g_autofree char *lf = NULL;
    GString *s = g_string_new(NULL);

    g_string_append_printf(
        s, "From: %s\nTo: bob@example.org\nSubject: signed\n"
        "Date: Tue, 3 Nov 2026 09:14:26 -0500\n"
        "Message-ID: <s1@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/signed; "
        "protocol=\"application/pkcs7-signature\"; micalg=sha-256; "
        "boundary=\"=-b1\"\n\nThis is a signed message.\n\n--=-b1\n", from);
    for (const char *p = content; *p; p++)
        if (*p != '\r')
            g_string_append_c(s, *p);
    g_string_append(s, "\n--=-b1\n"
                       "Content-Type: application/pkcs7-signature; "
                       "name=smime.p7s\n"
                       "Content-Transfer-Encoding: base64\n"
                       "Content-Disposition: attachment; "
                       "filename=smime.p7s\n\n");
    g_string_append(s, fx.sig_b64);
    g_string_append(s, "\n--=-b1--\n");
    return g_string_free(s, FALSE);
}

static void
test_smime_untrusted_root(void)
{
    if (!fx.ready) {
        g_test_skip("openssl could not make the fixtures");
        return;
    }
    g_autofree char *text = signed_message("Alice <alice@example.com>",
                                           fx.content);
    MtReport *report = analyze_text(text);
    const MtCryptoPart *cp = only_part(report);

    g_assert_cmpstr(cp->part, ==, "");
    g_assert_cmpstr(cp->kind, ==, "smime");
    g_assert_cmpstr(cp->what, ==, "signed");
    g_assert_cmpstr(cp->form, ==, "multipart/signed");
    g_assert_cmpstr(cp->micalg, ==, "sha-256");
    g_assert_cmpstr(cp->integrity, ==, "intact");
    g_assert_cmpstr(cp->status, ==, "untrusted-root");
    g_assert_nonnull(cp->reason);
    g_assert_cmpstr(cp->signer_subject, ==,
                    "emailAddress=alice@example.com,CN=Alice Signer");
    g_assert_cmpstr(cp->signer_issuer, ==,
                    "CN=Mailtrail Test CA,O=Mailtrail Test");
    g_assert_cmpstr(cp->signer_serial, ==, "1234");
    g_assert_cmpstr(cp->signer_fingerprint, ==, fx.fingerprint);
    g_assert_cmpstr(cp->signer_email, ==, "alice@example.com");
    g_assert_nonnull(cp->signer_not_before);
    g_assert_cmpuint(strlen(cp->signer_not_before), ==, 20);
    g_assert_true(g_str_has_suffix(cp->signer_not_after, "Z"));
    g_assert_cmpuint(count_finding(report, "smime-untrusted-root"), ==, 1);
    g_assert_cmpuint(count_finding(report, "smime-signature-broken"), ==, 0);
    g_assert_cmpuint(count_finding(report, "signer-not-from"), ==, 0);
    mt_report_free(report);
}

static void
test_smime_bad_signature(void)
{
    if (!fx.ready) {
        g_test_skip("openssl could not make the fixtures");
        return;
    }
    g_autofree char *changed = g_strdup(fx.content);
    char *at = strstr(changed, "today");

    g_assert_nonnull(at);
    at[0] = 'T'; /* One byte of the signed text. */
    g_autofree char *text = signed_message("alice@example.com", changed);
    MtReport *report = analyze_text(text);
    const MtCryptoPart *cp = only_part(report);

    g_assert_cmpstr(cp->integrity, ==, "broken");
    g_assert_cmpstr(cp->status, ==, "bad-signature");
    /* The signer is still read from the embedded certificate. */
    g_assert_cmpstr(cp->signer_fingerprint, ==, fx.fingerprint);
    g_assert_cmpuint(count_finding(report, "smime-signature-broken"), ==, 1);
    g_assert_cmpuint(count_finding(report, "smime-untrusted-root"), ==, 0);
    mt_report_free(report);
}

static void
test_smime_signer_not_from(void)
{
    if (!fx.ready) {
        g_test_skip("openssl could not make the fixtures");
        return;
    }
    g_autofree char *text = signed_message("CEO <ceo@example.net>",
                                           fx.content);
    MtReport *report = analyze_text(text);
    const MtCryptoPart *cp = only_part(report);

    g_assert_cmpstr(cp->status, ==, "untrusted-root");
    g_assert_cmpstr(cp->signer_email, ==, "alice@example.com");
    g_assert_cmpuint(count_finding(report, "signer-not-from"), ==, 1);
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (strcmp(f->id, "signer-not-from") == 0) {
            g_assert_cmpint(f->severity, ==, MT_SEVERITY_MEDIUM);
            g_assert_nonnull(strstr(f->message, "ceo@example.net"));
        }
    }
    mt_report_free(report);
}

static void
test_smime_encrypted(void)
{
    if (!fx.ready) {
        g_test_skip("openssl could not make the fixtures");
        return;
    }
    g_autofree char *text = g_strdup_printf(
        "From: alice@example.com\nTo: bob@example.org\nSubject: secret\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=m\n\n"
        "--m\nContent-Type: text/plain\n\nsee attached\n"
        "--m\nContent-Type: application/pkcs7-mime; "
        "smime-type=enveloped-data; name=smime.p7m\n"
        "Content-Transfer-Encoding: base64\n\n%s\n--m--\n", fx.enc_b64);
    MtReport *report = analyze_text(text);
    const MtCryptoPart *cp = only_part(report);

    g_assert_cmpstr(cp->part, ==, "2");
    g_assert_cmpstr(cp->kind, ==, "smime");
    g_assert_cmpstr(cp->what, ==, "encrypted");
    g_assert_cmpstr(cp->form, ==, "application/pkcs7-mime");
    g_assert_null(cp->status);
    g_assert_cmpuint(cp->recipients->len, ==, 1);
    g_assert_cmpstr(cp->recipients->pdata[0], ==,
                    "CN=Mailtrail Test CA,O=Mailtrail Test; serial 1234");
    mt_report_free(report);
}

/* A v4 signature packet (RFC 4880 5.2.3), new-format header: RSA,
 * SHA-256, creation time 0x5F5E1000 hashed, issuer key id unhashed, the
 * issuer fingerprint hashed, a made-up one-octet MPI. */
static const guint8 pgp_signature[] = {
    0xC2, 52,
    0x04, 0x00, 0x01, 0x08,
    0x00, 0x1D,                         /* hashed subpackets: 29 */
    0x05, 0x02, 0x5F, 0x5E, 0x10, 0x00, /* creation time */
    0x16, 0x21, 0x04,                   /* issuer fingerprint, v4 key */
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
    0x1A, 0x1B, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
    0x00, 0x0A,                         /* unhashed subpackets: 10 */
    0x09, 0x10, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
    0xAB, 0xCD,                         /* left 16 bits of the hash */
    0x00, 0x08, 0xFF,                   /* MPI */
};

static char *
armor(const char *label, const guint8 *data, gsize len)
{
    g_autofree char *b64 = g_base64_encode(data, len);
    return g_strdup_printf("-----BEGIN PGP %s-----\nVersion: test\n\n%s\n"
                           "=AAAA\n-----END PGP %s-----\n", label, b64,
                           label);
}

static void
test_pgp_signed(void)
{
    g_assert_cmpuint(sizeof pgp_signature, ==, 54);
    g_autofree char *sig = armor("SIGNATURE", pgp_signature,
                                 sizeof pgp_signature);
    g_autofree char *text = g_strdup_printf(
        "From: alice@example.com\nSubject: pgp\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n"
        "Content-Type: multipart/signed; micalg=pgp-sha256;\n"
        " protocol=\"application/pgp-signature\"; boundary=in\n\n"
        "--in\nContent-Type: text/plain\n\nhello\n--in\n"
        "Content-Type: application/pgp-signature\n\n%s--in--\n"
        "--outer--\n", sig);
    MtReport *report = analyze_text(text);
    const MtCryptoPart *cp = only_part(report);

    g_assert_cmpstr(cp->part, ==, "1");
    g_assert_cmpstr(cp->kind, ==, "pgp");
    g_assert_cmpstr(cp->what, ==, "signed");
    g_assert_cmpstr(cp->micalg, ==, "pgp-sha256");
    g_assert_cmpstr(cp->status, ==, "not-verified");
    g_assert_cmpstr(cp->reason, ==, "no keyring offline");
    g_assert_cmpstr(cp->key_id, ==, "0123456789ABCDEF");
    g_assert_cmpstr(cp->key_fingerprint, ==,
                    "101112131415161718191A1B0123456789ABCDEF");
    g_assert_cmpint(cp->signature_time, ==, 0x5F5E1000);
    g_assert_cmpstr(cp->hash_algorithm, ==, "sha256");
    g_assert_cmpstr(cp->pubkey_algorithm, ==, "rsa");
    g_assert_null(cp->integrity);
    g_assert_cmpuint(count_finding(report, "pgp-signature-not-verified"), ==,
                     1);
    mt_report_free(report);
}

static void
test_pgp_inline_and_encrypted(void)
{
    /* A public-key encrypted session key packet, old-format header (tag
     * 1, one-octet length), then the start of an encrypted data packet. */
    static const guint8 pkesk[] = {
        0x84, 13, 0x03, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
        0x01, 0x00, 0x08, 0xAA, 0xD2, 0x01, 0x01};
    g_autofree char *sig = armor("SIGNATURE", pgp_signature,
                                 sizeof pgp_signature);
    g_autofree char *msg = armor("MESSAGE", pkesk, sizeof pkesk);
    g_autofree char *text = g_strdup_printf(
        "From: alice@example.com\nSubject: inline\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
        "Content-Type: text/plain\n\n"
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n%s"
        "--b\nContent-Type: multipart/encrypted; "
        "protocol=\"application/pgp-encrypted\"; boundary=e\n\n"
        "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
        "--e\nContent-Type: application/octet-stream\n\n%s--e--\n--b--\n",
        sig, msg);
    MtReport *report = analyze_text(text);
    const GPtrArray *parts = report->authentication.crypto_parts;
    const MtCryptoPart *a, *b;

    g_assert_cmpuint(parts->len, ==, 2);
    a = parts->pdata[0];
    b = parts->pdata[1];
    g_assert_cmpstr(a->part, ==, "1");
    g_assert_cmpstr(a->form, ==, "inline");
    g_assert_cmpstr(a->what, ==, "signed");
    g_assert_cmpstr(a->key_id, ==, "0123456789ABCDEF");
    g_assert_cmpstr(b->part, ==, "2");
    g_assert_cmpstr(b->form, ==, "multipart/encrypted");
    g_assert_cmpstr(b->what, ==, "encrypted");
    g_assert_null(b->status);
    g_assert_cmpuint(b->recipients->len, ==, 1);
    g_assert_cmpstr(b->recipients->pdata[0], ==, "FEDCBA9876543210");
    mt_report_free(report);
}

/* Every truncation of the signature packet, and lengths that point past
 * the end, must give a part without a key id rather than a bad read. */
static void
test_pgp_hostile(void)
{
    for (gsize cut = 0; cut < sizeof pgp_signature; cut++) {
        guint8 buf[sizeof pgp_signature];
        memcpy(buf, pgp_signature, sizeof buf);
        if (cut >= 2)
            buf[7] = 0xFF; /* hashed length past the end */
        g_autofree char *sig = armor("SIGNATURE", buf, cut);
        g_autofree char *text = g_strdup_printf(
            "From: a@example.com\nContent-Type: text/plain\n\n"
            "-----BEGIN PGP SIGNED MESSAGE-----\n\nx\n%s", sig);
        MtReport *report = analyze_text(text);
        const MtCryptoPart *cp = only_part(report);
        g_assert_cmpstr(cp->status, ==, "not-verified");
        g_assert_null(cp->key_id);
        mt_report_free(report);
    }
    /* Armor that never ends, and a message with no crypto at all. */
    MtReport *report = analyze_text(
        "From: a@example.com\nContent-Type: text/plain\n\n"
        "-----BEGIN PGP MESSAGE-----\n\n////////");
    g_assert_cmpuint(only_part(report)->recipients->len, ==, 0);
    mt_report_free(report);
    report = analyze_text("From: a@example.com\n\nplain\n");
    g_assert_cmpuint(report->authentication.crypto_parts->len, ==, 0);
    mt_report_free(report);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    fixture_setup();
    g_test_add_func("/crypto/smime/untrusted-root", test_smime_untrusted_root);
    g_test_add_func("/crypto/smime/bad-signature", test_smime_bad_signature);
    g_test_add_func("/crypto/smime/signer-not-from",
                    test_smime_signer_not_from);
    g_test_add_func("/crypto/smime/encrypted", test_smime_encrypted);
    g_test_add_func("/crypto/pgp/signed", test_pgp_signed);
    g_test_add_func("/crypto/pgp/inline-and-encrypted",
                    test_pgp_inline_and_encrypted);
    g_test_add_func("/crypto/pgp/hostile", test_pgp_hostile);
    rc = g_test_run();
    fixture_teardown();
    return rc;
}
