/* SPDX-License-Identifier: MIT */
/*
 * test-auth.c: the authentication header parsers. Each Authentication-
 * Results case is written for this test in the shape a real receiver
 * writes (Gmail, Exchange Online without authserv-id, Yahoo, Symantec
 * MessageLabs with a comment glued to the next property, Sender ID era
 * smtp.mfrom, RFC 8601's own examples), and every field of the result is
 * asserted. Then Received-SPF, DKIM-Signature and ARC tag lists, the
 * offline body-hash check against RFC 6376's canonicalization examples, and
 * hostile inputs: unclosed comments and quotes, NUL bytes, thousands of
 * methods and tags, each checked for capped output and bounded work.
 */
#include <string.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "identity-private.h"
#include "mailtrail.h"

/* These bounds only catch a runaway (quadratic) parse; valgrind runs
 * everything some 20 times slower (the valgrind test setup says so). */
#define SLOWDOWN (g_getenv("MT_UNDER_VALGRIND") ? 20 : 1)


static const MtAuthMethod *
method(const MtAuthResults *r, guint i)
{
    g_assert_cmpuint(i, <, r->methods->len);
    return r->methods->pdata[i];
}

static void
assert_prop(const MtAuthMethod *m, guint i, const char *ptype,
            const char *property, const char *value)
{
    const MtAuthProperty *p;

    g_assert_cmpuint(i, <, m->properties->len);
    p = m->properties->pdata[i];
    g_assert_cmpstr(p->ptype, ==, ptype);
    g_assert_cmpstr(p->property, ==, property);
    g_assert_cmpstr(p->value, ==, value);
}

static MtAuthResults *
parse(const char *text)
{
    return mt_auth_results_parse(text, -1, FALSE);
}

static void
test_ar_gmail(void)
{
    MtAuthResults *r = parse(
        "mx.google.com;\n"
        "       dkim=pass header.i=@googlemail.com header.s=20210112 "
        "header.b=PqBP51+l;\n"
        "       spf=none (google.com: mail-sor-f69.google.com does not "
        "designate permitted sender hosts) smtp.helo=mail-sor-f69.google.com;"
        "\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) "
        "header.from=googlemail.com");
    const MtAuthMethod *m;

    g_assert_cmpstr(r->authserv_id, ==, "mx.google.com");
    g_assert_cmpint(r->version, ==, -1);
    g_assert_false(r->none);
    g_assert_false(r->truncated);
    g_assert_cmpuint(r->methods->len, ==, 3);
    m = method(r, 0);
    g_assert_cmpstr(m->method, ==, "dkim");
    g_assert_cmpstr(m->result, ==, "pass");
    g_assert_null(m->reason);
    g_assert_null(m->comment);
    g_assert_null(m->version);
    g_assert_cmpuint(m->properties->len, ==, 3);
    assert_prop(m, 0, "header", "i", "@googlemail.com");
    assert_prop(m, 1, "header", "s", "20210112");
    assert_prop(m, 2, "header", "b", "PqBP51+l");
    g_assert_cmpstr(mt_auth_method_get(m, "header", "s"), ==, "20210112");
    g_assert_null(mt_auth_method_get(m, "header", "d"));
    m = method(r, 1);
    g_assert_cmpstr(m->method, ==, "spf");
    g_assert_cmpstr(m->result, ==, "none");
    g_assert_cmpstr(m->comment, ==,
                    "google.com: mail-sor-f69.google.com does not designate "
                    "permitted sender hosts");
    g_assert_cmpuint(m->properties->len, ==, 1);
    assert_prop(m, 0, "smtp", "helo", "mail-sor-f69.google.com");
    m = method(r, 2);
    g_assert_cmpstr(m->method, ==, "dmarc");
    g_assert_cmpstr(m->result, ==, "pass");
    g_assert_cmpstr(m->comment, ==, "p=QUARANTINE sp=QUARANTINE dis=NONE");
    assert_prop(m, 0, "header", "from", "googlemail.com");
    mt_auth_results_free(r);
}

static void
test_ar_microsoft(void)
{
    /* Exchange Online: no authserv-id, "action=none" without a ptype,
     * "reason=" after compauth, no space after ';'. */
    MtAuthResults *r = parse(
        "spf=pass (sender IP is 192.0.2.6) smtp.mailfrom=example.com; "
        "dkim=none (message not signed) header.d=none;dmarc=none "
        "action=none header.from=example.com;compauth=pass reason=100");
    const MtAuthMethod *m;

    g_assert_null(r->authserv_id);
    g_assert_cmpuint(r->methods->len, ==, 4);
    m = method(r, 0);
    g_assert_cmpstr(m->method, ==, "spf");
    g_assert_cmpstr(m->result, ==, "pass");
    g_assert_cmpstr(m->comment, ==, "sender IP is 192.0.2.6");
    assert_prop(m, 0, "smtp", "mailfrom", "example.com");
    m = method(r, 1);
    g_assert_cmpstr(m->method, ==, "dkim");
    g_assert_cmpstr(m->result, ==, "none");
    g_assert_cmpstr(m->comment, ==, "message not signed");
    assert_prop(m, 0, "header", "d", "none");
    m = method(r, 2);
    g_assert_cmpstr(m->method, ==, "dmarc");
    g_assert_cmpuint(m->properties->len, ==, 2);
    assert_prop(m, 0, "", "action", "none");
    assert_prop(m, 1, "header", "from", "example.com");
    m = method(r, 3);
    g_assert_cmpstr(m->method, ==, "compauth");
    g_assert_cmpstr(m->result, ==, "pass");
    g_assert_cmpstr(m->reason, ==, "100");
    g_assert_cmpuint(m->properties->len, ==, 0);
    mt_auth_results_free(r);
}

static void
test_ar_rfc_examples(void)
{
    MtAuthResults *r = parse("example.org 1; none");

    /* RFC 8601 Appendix B.2: nothing was done. */
    g_assert_cmpstr(r->authserv_id, ==, "example.org");
    g_assert_cmpint(r->version, ==, 1);
    g_assert_true(r->none);
    g_assert_cmpuint(r->methods->len, ==, 0);
    mt_auth_results_free(r);

    /* B.4 style: SMTP AUTH and a reason in quotes. */
    r = parse("example.com; auth=pass (cram-md5) smtp.auth=sender@example.net;"
              " dkim=fail reason=\"signature did not verify\" "
              "header.d=example.net header.b=\"AbC/+=\"");
    g_assert_cmpstr(r->authserv_id, ==, "example.com");
    g_assert_cmpuint(r->methods->len, ==, 2);
    g_assert_cmpstr(method(r, 0)->method, ==, "auth");
    g_assert_cmpstr(method(r, 0)->comment, ==, "cram-md5");
    assert_prop(method(r, 0), 0, "smtp", "auth", "sender@example.net");
    g_assert_cmpstr(method(r, 1)->result, ==, "fail");
    g_assert_cmpstr(method(r, 1)->reason, ==, "signature did not verify");
    assert_prop(method(r, 1), 0, "header", "d", "example.net");
    assert_prop(method(r, 1), 1, "header", "b", "AbC/+=");
    mt_auth_results_free(r);

    /* A quoted authserv-id, a method version, upper case. */
    r = parse("\"quoted.example\"; DKIM/1=PASS Header.D=Example.COM");
    g_assert_cmpstr(r->authserv_id, ==, "quoted.example");
    g_assert_cmpstr(method(r, 0)->method, ==, "dkim");
    g_assert_cmpstr(method(r, 0)->version, ==, "1");
    g_assert_cmpstr(method(r, 0)->result, ==, "pass");
    /* ptype and property are case-insensitive; values are kept. */
    assert_prop(method(r, 0), 0, "header", "d", "Example.COM");
    mt_auth_results_free(r);
}

static void
test_ar_glued_comments(void)
{
    /* MessageLabs glues the comment to the property; Yahoo glues it to
     * the result. Comments nest. */
    MtAuthResults *r = parse(
        "r2.messagelabs.com; spf=pass \n  (server-0.tower-0.messagelabs.com:"
        " domain of example.net designates \n  192.0.2.225 as permitted "
        "sender)smtp.mailfrom=example.net");
    g_assert_cmpstr(r->authserv_id, ==, "r2.messagelabs.com");
    g_assert_cmpuint(r->methods->len, ==, 1);
    assert_prop(method(r, 0), 0, "smtp", "mailfrom", "example.net");
    g_assert_nonnull(strstr(method(r, 0)->comment, "192.0.2.225 as"));
    mt_auth_results_free(r);

    r = parse("atlas.yahoo.example; dmarc=pass(p=NONE sp=QUARANTINE) "
              "header.from=gmail.com; spf=pass (outer (inner) text) "
              "smtp.mailfrom=a@b.example;");
    g_assert_cmpuint(r->methods->len, ==, 2);
    g_assert_cmpstr(method(r, 0)->result, ==, "pass");
    g_assert_cmpstr(method(r, 0)->comment, ==, "p=NONE sp=QUARANTINE");
    g_assert_cmpstr(method(r, 1)->comment, ==, "outer (inner) text");
    assert_prop(method(r, 1), 0, "smtp", "mailfrom", "a@b.example");
    mt_auth_results_free(r);

    /* Sender ID: smtp.mfrom and a comment with an escaped paren. */
    r = parse("nyaan.example.co.jp; sender-id=pass header.from=a@example.jp;"
              " auth=pass (CRAM\\)MD5); spf=pass smtp.mfrom=a@example.jp");
    g_assert_cmpuint(r->methods->len, ==, 3);
    g_assert_cmpstr(method(r, 0)->method, ==, "sender-id");
    g_assert_cmpstr(method(r, 1)->comment, ==, "CRAM)MD5");
    assert_prop(method(r, 2), 0, "smtp", "mfrom", "a@example.jp");
    mt_auth_results_free(r);
}

static void
test_arc_results(void)
{
    MtAuthResults *r = mt_auth_results_parse(
        "i=2; mx.example.org; arc=pass (i=1 spf=pass dkim=pass) "
        "smtp.remote-ip=192.0.2.1; dkim=pass header.d=lists.example.net",
        -1, TRUE);

    g_assert_cmpint(r->arc_instance, ==, 2);
    g_assert_cmpstr(r->authserv_id, ==, "mx.example.org");
    g_assert_cmpuint(r->methods->len, ==, 2);
    g_assert_cmpstr(method(r, 0)->method, ==, "arc");
    g_assert_cmpstr(method(r, 0)->comment, ==, "i=1 spf=pass dkim=pass");
    assert_prop(method(r, 0), 0, "smtp", "remote-ip", "192.0.2.1");
    mt_auth_results_free(r);

    /* No i= at all: the instance is unknown, the rest still parsed. */
    r = mt_auth_results_parse("mx.example.org; spf=pass", -1, TRUE);
    g_assert_cmpint(r->arc_instance, ==, -1);
    g_assert_cmpstr(r->authserv_id, ==, "mx.example.org");
    g_assert_cmpuint(r->methods->len, ==, 1);
    mt_auth_results_free(r);
}

static void
test_ar_hostile(void)
{
    static const char *const odd[] = {
        "", ";;;;;", "(((((", "\"unclosed", "a.example; spf=", "=;=;=",
        "a.example; spf=pass (unclosed comment smtp.mailfrom=x",
        "a.example; spf=pass smtp.mailfrom=\"unclosed", "   ",
        "a.example; ==pass", "a.example; spf=pass ..=x .=y x.=z",
    };
    GString *big = g_string_new("x.example;");
    MtAuthResults *r;
    gint64 t0, t1;

    for (gsize i = 0; i < G_N_ELEMENTS(odd); i++) {
        r = parse(odd[i]);
        g_assert_nonnull(r->methods);
        g_assert_cmpuint(r->methods->len, <=, 2);
        mt_auth_results_free(r);
    }
    /* A NUL byte inside: the parser goes by length and stops reading a
     * word there without losing its place. */
    r = mt_auth_results_parse("a.example; spf=pa\0ss; dkim=pass", 31, FALSE);
    g_assert_cmpstr(r->authserv_id, ==, "a.example");
    g_assert_cmpuint(r->methods->len, >=, 2);
    g_assert_cmpstr(method(r, 0)->result, ==, "pa");
    g_assert_cmpstr(method(r, r->methods->len - 1)->method, ==, "dkim");
    mt_auth_results_free(r);

    /* Ten thousand methods each with a property, and deep parentheses:
     * output is capped and time stays linear (a second is generous). */
    for (int i = 0; i < 10000; i++)
        g_string_append(big, " spf=pass smtp.mailfrom=a@b.example;");
    for (int i = 0; i < 100000; i++)
        g_string_append_c(big, '(');
    t0 = g_get_monotonic_time();
    r = mt_auth_results_parse(big->str, (gssize)big->len, FALSE);
    t1 = g_get_monotonic_time();
    g_assert_cmpuint(r->methods->len, ==, MT_AUTH_MAX_METHODS);
    g_assert_true(r->truncated);
    g_assert_cmpint(t1 - t0, <, SLOWDOWN * G_USEC_PER_SEC);
    mt_auth_results_free(r);

    /* One method with thousands of properties and a huge comment. */
    g_string_assign(big, "x.example; dkim=pass (");
    for (int i = 0; i < 5000; i++)
        g_string_append(big, "comment ");
    g_string_append_c(big, ')');
    for (int i = 0; i < 5000; i++)
        g_string_append(big, " header.d=example.com");
    r = mt_auth_results_parse(big->str, (gssize)big->len, FALSE);
    g_assert_cmpuint(r->methods->len, ==, 1);
    g_assert_cmpuint(method(r, 0)->properties->len, ==,
                     MT_AUTH_MAX_PROPERTIES);
    g_assert_cmpuint(strlen(method(r, 0)->comment), <=, MT_AUTH_MAX_COMMENT);
    g_assert_true(r->truncated);
    mt_auth_results_free(r);
    g_string_free(big, TRUE);
}

static void
test_received_spf(void)
{
    static const char *const rfc =
        "pass (mybox.example.org: domain of myname@example.com designates "
        "192.0.2.1 as permitted sender) receiver=mybox.example.org; "
        "client-ip=192.0.2.1; envelope-from=\"myname@example.com\"; "
        "helo=foo.example.com; identity=mailfrom; mechanism=ip4:192.0.2.0/24;";
    MtReceivedSpf *s = mt_received_spf_parse(rfc, -1);

    g_assert_cmpstr(s->result, ==, "pass");
    g_assert_cmpstr(s->comment, ==,
                    "mybox.example.org: domain of myname@example.com "
                    "designates 192.0.2.1 as permitted sender");
    g_assert_cmpstr(s->receiver, ==, "mybox.example.org");
    g_assert_cmpstr(s->client_ip, ==, "192.0.2.1");
    g_assert_cmpstr(s->envelope_from, ==, "myname@example.com");
    g_assert_cmpstr(s->helo, ==, "foo.example.com");
    g_assert_cmpstr(s->identity, ==, "mailfrom");
    g_assert_cmpstr(s->mechanism, ==, "ip4:192.0.2.0/24");
    g_assert_null(s->problem);
    mt_received_spf_free(s);

    s = mt_received_spf_parse("SoftFail (google.com: domain of transitioning "
                              "x@example.net does not designate 192.0.2.7 "
                              "as permitted sender) client-ip=192.0.2.7;",
                              -1);
    g_assert_cmpstr(s->result, ==, "softfail");
    g_assert_cmpstr(s->client_ip, ==, "192.0.2.7");
    g_assert_null(s->helo);
    g_assert_null(s->envelope_from);
    mt_received_spf_free(s);

    s = mt_received_spf_parse("permerror problem=\"bad mechanism\" "
                              "(((( envelope-from=", -1);
    g_assert_cmpstr(s->result, ==, "permerror");
    g_assert_cmpstr(s->problem, ==, "bad mechanism");
    mt_received_spf_free(s);

    s = mt_received_spf_parse("", 0);
    g_assert_cmpstr(s->result, ==, "");
    mt_received_spf_free(s);
}

static MtSignature *
sig_parse(const char *kind, const char *text)
{
    return mt_signature_parse(kind, text, -1);
}

static void
test_dkim_full(void)
{
    MtSignature *s = sig_parse(
        "DKIM-Signature",
        "v=1; a=RSA-SHA256; c=relaxed/simple; d=Example.COM;\r\n\t"
        "s=sel2026; t=1700000000; x=1700600000; i=user@sub.example.com;\r\n"
        "\tl=120; q=dns/txt; h=From : To:Subject:\r\n\t from;\r\n"
        "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
        "\tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiY"
        "zR\r\n\t 45a9zQcHq3aT0==");

    g_assert_cmpstr(s->kind, ==, "DKIM-Signature");
    g_assert_null(s->error);
    g_assert_cmpstr(s->version, ==, "1");
    g_assert_cmpstr(s->algorithm, ==, "rsa-sha256");
    g_assert_cmpstr(s->domain, ==, "example.com");
    g_assert_cmpstr(s->selector, ==, "sel2026");
    g_assert_cmpstr(s->identity, ==, "user@sub.example.com");
    g_assert_cmpstr(s->canon_header, ==, "relaxed");
    g_assert_cmpstr(s->canon_body, ==, "simple");
    g_assert_cmpint(s->timestamp, ==, 1700000000);
    g_assert_cmpint(s->expiration, ==, 1700600000);
    g_assert_cmpint(s->length, ==, 120);
    g_assert_cmpint(s->instance, ==, -1);
    g_assert_null(s->cv);
    g_assert_cmpuint(s->signed_headers->len, ==, 4);
    g_assert_cmpstr(s->signed_headers->pdata[0], ==, "From");
    g_assert_cmpstr(s->signed_headers->pdata[1], ==, "To");
    g_assert_cmpstr(s->signed_headers->pdata[2], ==, "Subject");
    g_assert_cmpstr(s->signed_headers->pdata[3], ==, "from");
    g_assert_cmpuint(s->from_signed, ==, 2);
    g_assert_cmpstr(s->body_hash, ==,
                    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    g_assert_cmpstr(s->signature, ==,
                    "dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVo"
                    "G4ZHRNiYzR45a9zQcHq3aT0==");
    g_assert_cmpstr(mt_signature_get_tag(s, "q"), ==, "dns/txt");
    g_assert_cmpuint(s->tags->len, ==, 13);
    g_assert_cmpstr(s->body_hash_status, ==, "not-checked");
    mt_signature_free(s);

    /* c= defaults (RFC 6376 3.5): none is simple/simple, a lone value is
     * the header part with a simple body. */
    s = sig_parse("DKIM-Signature", "v=1; a=rsa-sha1; d=a.example; s=x; "
                                    "h=from; bh=AA==; b=BB==");
    g_assert_null(s->error);
    g_assert_cmpstr(s->canon_header, ==, "simple");
    g_assert_cmpstr(s->canon_body, ==, "simple");
    g_assert_cmpint(s->length, ==, -1);
    g_assert_cmpint(s->timestamp, ==, -1);
    g_assert_cmpint(s->expiration, ==, -1);
    g_assert_null(s->identity);
    mt_signature_free(s);
    s = sig_parse("DKIM-Signature", "v=1; c=relaxed; d=a.example; h=To; "
                                    "bh=AA==; b=BB==");
    g_assert_cmpstr(s->canon_header, ==, "relaxed");
    g_assert_cmpstr(s->canon_body, ==, "simple");
    g_assert_cmpuint(s->from_signed, ==, 0);
    mt_signature_free(s);
}

static void
test_dkim_malformed(void)
{
    MtSignature *s = sig_parse("DKIM-Signature",
                               "v=1; d=a.example; d=b.example; h=from; "
                               "bh=AA==; b=BB==");

    /* A duplicated tag invalidates the signature; the first is kept. */
    g_assert_cmpstr(s->error, ==, "a duplicated tag");
    g_assert_cmpstr(s->domain, ==, "a.example");
    mt_signature_free(s);

    s = sig_parse("DKIM-Signature", "v=1; h=from; bh=AA==; b=BB==");
    g_assert_cmpstr(s->error, ==, "no d= tag");
    mt_signature_free(s);

    s = sig_parse("DKIM-Signature", "v=1; d=a.example; l=12x; h=from; "
                                    "bh=AA==; b=BB==");
    g_assert_cmpstr(s->error, ==, "l= is not a number");
    g_assert_cmpint(s->length, ==, -1);
    mt_signature_free(s);

    s = sig_parse("DKIM-Signature", "===;;; =x; 9; v=1");
    g_assert_nonnull(s->error);
    g_assert_cmpstr(s->version, ==, "1");
    mt_signature_free(s);

    s = sig_parse("DKIM-Signature", "");
    g_assert_nonnull(s->error);
    g_assert_cmpuint(s->tags->len, ==, 0);
    mt_signature_free(s);
}

static void
test_dkim_hostile(void)
{
    GString *big = g_string_new("v=1; d=a.example; bh=AA==; b=BB==; h=");
    MtSignature *s;
    gint64 t0, t1;

    for (int i = 0; i < 20000; i++)
        g_string_append(big, "from:");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(big, "; t%d=x", i);
    t0 = g_get_monotonic_time();
    s = mt_signature_parse("DKIM-Signature", big->str, (gssize)big->len);
    t1 = g_get_monotonic_time();
    g_assert_cmpuint(s->signed_headers->len, ==, MT_TAG_MAX_SIGNED_HEADERS);
    /* A tag value is kept up to MT_AUTH_MAX_VALUE bytes: 819 "from:". */
    g_assert_cmpuint(s->from_signed, ==, MT_AUTH_MAX_VALUE / 5);
    g_assert_cmpuint(s->tags->len, ==, MT_TAG_MAX_TAGS);
    g_assert_cmpstr(s->error, ==, "too many tags");
    g_assert_cmpint(t1 - t0, <, SLOWDOWN * G_USEC_PER_SEC);
    mt_signature_free(s);
    g_string_free(big, TRUE);
}

static void
test_arc_tags(void)
{
    MtSignature *s = sig_parse(
        "ARC-Seal", "i=1; a=rsa-sha256; t=1793702857; cv=None;\n"
                    "        d=google.com; s=arc-20240605;\n"
                    "        b=zsOg9qQf2GPiF3Whe\n        yHnY==");

    g_assert_null(s->error);
    g_assert_cmpint(s->instance, ==, 1);
    g_assert_cmpstr(s->cv, ==, "none");
    g_assert_cmpstr(s->domain, ==, "google.com");
    g_assert_cmpstr(s->signature, ==, "zsOg9qQf2GPiF3WheyHnY==");
    g_assert_null(s->canon_header);
    g_assert_cmpint(s->timestamp, ==, 1793702857);
    mt_signature_free(s);

    s = sig_parse("ARC-Message-Signature",
                  "i=3; a=rsa-sha256; c=relaxed/relaxed; d=example.net; "
                  "s=a; h=from:to; bh=AA==; b=BB==");
    g_assert_null(s->error);
    g_assert_cmpint(s->instance, ==, 3);
    g_assert_cmpstr(s->canon_body, ==, "relaxed");
    g_assert_cmpuint(s->from_signed, ==, 1);
    mt_signature_free(s);

    /* i= out of RFC 8617's 1..50. */
    s = sig_parse("ARC-Seal", "i=51; cv=pass; b=AA==");
    g_assert_cmpint(s->instance, ==, -1);
    g_assert_nonnull(s->error);
    mt_signature_free(s);
    s = sig_parse("ARC-Seal", "i=0; cv=none; b=AA==");
    g_assert_cmpint(s->instance, <, 1);
    g_assert_nonnull(s->error);
    mt_signature_free(s);
}

/* A message with one DKIM-Signature whose bh= is bh, and body. */
static MtReport *
analyze_signed(const char *c, const char *bh, const char *extra,
               const char *body)
{
    g_autofree char *text = g_strdup_printf(
        "DKIM-Signature: v=1; a=rsa-sha256; c=%s; d=example.com; s=s;\r\n"
        " h=From:To:Subject; bh=%s;%s b=AAAA\r\n"
        "From: a@example.com\r\nTo: b@example.org\r\nSubject: t\r\n"
        "Date: Tue, 3 Nov 2026 09:14:26 -0500\r\n"
        "Message-ID: <x@example.com>\r\n\r\n%s", c, bh, extra, body);
    MtRawMessage raw = {0};
    MtOptions options;
    MtReport *report;

    mt_options_init_default(&options);
    raw.source.path = (char *)"signed.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, strlen(text));
    report = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    return report;
}

static char *
b64_sha256(const char *canonical)
{
    guint8 digest[32];
    gsize len = sizeof(digest);
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

    g_checksum_update(sum, (const guchar *)canonical, strlen(canonical));
    g_checksum_get_digest(sum, digest, &len);
    g_checksum_free(sum);
    return g_base64_encode(digest, len);
}

static const char *
status_of(const MtReport *r)
{
    const MtSignature *s;

    g_assert_cmpuint(r->authentication.dkim->len, ==, 1);
    s = r->authentication.dkim->pdata[0];
    return s->body_hash_status;
}

static gboolean
has_finding(const MtReport *r, const char *id)
{
    for (guint i = 0; i < r->findings->len; i++)
        if (strcmp(((const MtFinding *)r->findings->pdata[i])->id, id) == 0)
            return TRUE;
    return FALSE;
}

static void
test_body_hash(void)
{
    /* RFC 6376 3.4.5's example body, canonicalized by hand here (the
     * expected strings are the RFC's), hashed with GLib rather than the
     * OpenSSL code under test. */
    static const char *const body = " C \r\nD \t E\r\n\r\n\r\n";
    g_autofree char *relaxed = b64_sha256(" C\r\nD E\r\n");
    g_autofree char *simple = b64_sha256(" C \r\nD \t E\r\n");
    g_autofree char *first4 = b64_sha256(" C\r\n");
    MtReport *r;

    r = analyze_signed("relaxed/relaxed", relaxed, "", body);
    g_assert_cmpstr(status_of(r), ==, "unchanged");
    g_assert_false(has_finding(r, "dkim-body-hash-mismatch"));
    mt_report_free(r);
    r = analyze_signed("simple/simple", simple, "", body);
    g_assert_cmpstr(status_of(r), ==, "unchanged");
    mt_report_free(r);
    /* The same body with LF line ends: stored mail often has them. */
    r = analyze_signed("simple/simple", simple, "", " C \nD \t E\n\n\n");
    g_assert_cmpstr(status_of(r), ==, "unchanged");
    mt_report_free(r);
    /* The simple hash under a relaxed body: the body "changed". */
    r = analyze_signed("simple/relaxed", simple, "", body);
    g_assert_cmpstr(status_of(r), ==, "changed");
    g_assert_true(has_finding(r, "dkim-body-hash-mismatch"));
    mt_report_free(r);
    /* l=4 signs " C\r\n" only: text appended later does not change it. */
    r = analyze_signed("relaxed/relaxed", first4, " l=4;",
                       " C \r\nAppended by an attacker\r\n");
    g_assert_cmpstr(status_of(r), ==, "unchanged");
    g_assert_true(has_finding(r, "dkim-length-tag"));
    mt_report_free(r);
    /* Empty bodies: simple is one CRLF, relaxed is nothing. */
    r = analyze_signed("simple/simple",
                       "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", "", "");
    g_assert_cmpstr(status_of(r), ==, "unchanged");
    mt_report_free(r);
    r = analyze_signed("relaxed/relaxed",
                       "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "",
                       "\r\n\r\n");
    g_assert_cmpstr(status_of(r), ==, "unchanged");
    mt_report_free(r);
    /* An unknown canonicalization is not checked. */
    r = analyze_signed("relaxed/odd", relaxed, "", body);
    g_assert_cmpstr(status_of(r), ==, "not-checked");
    mt_report_free(r);
}

/* ---- Signature verification with keys the test makes ---------------- */

static char *
public_key_b64(EVP_PKEY *key, gboolean raw)
{
    unsigned char *der = NULL;
    int n;
    char *b64;

    if (raw) {
        unsigned char buf[32];
        size_t len = sizeof(buf);
        g_assert_cmpint(EVP_PKEY_get_raw_public_key(key, buf, &len), ==, 1);
        return g_base64_encode(buf, len);
    }
    n = i2d_PUBKEY(key, &der);
    g_assert_cmpint(n, >, 0);
    b64 = g_base64_encode(der, (gsize)n);
    OPENSSL_free(der);
    return b64;
}

/* Signs input with key as a= alg says; base64. */
static char *
sign(EVP_PKEY *key, const char *alg, const char *input)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t sig_len = sizeof(sig);
    char *b64;

    if (strcmp(alg, "ed25519-sha256") == 0) {
        guint8 hash[32];
        gsize hash_len = sizeof(hash);
        GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
        g_checksum_update(sum, (const guchar *)input, strlen(input));
        g_checksum_get_digest(sum, hash, &hash_len);
        g_checksum_free(sum);
        g_assert_cmpint(EVP_DigestSignInit(ctx, NULL, NULL, NULL, key), ==, 1);
        g_assert_cmpint(EVP_DigestSign(ctx, sig, &sig_len, hash, hash_len),
                        ==, 1);
    } else {
        g_assert_cmpint(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key),
                        ==, 1);
        g_assert_cmpint(EVP_DigestSign(ctx, sig, &sig_len,
                                       (const unsigned char *)input,
                                       strlen(input)),
                        ==, 1);
    }
    EVP_MD_CTX_free(ctx);
    b64 = g_base64_encode(sig, sig_len);
    return b64;
}

static MtReport *
analyze_text(const char *text)
{
    MtRawMessage raw = {0};
    MtOptions options;
    MtReport *report;

    mt_options_init_default(&options);
    raw.source.path = (char *)"signed.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, strlen(text));
    report = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    return report;
}

static const MtSignature *
verify_text(MtReport *r, const char *text, const MtDkimKeys *keys)
{
    mt_auth_verify_dkim(r, (const guchar *)text, strlen(text), keys);
    g_assert_cmpuint(r->authentication.dkim->len, ==, 1);
    return r->authentication.dkim->pdata[0];
}

/* The message template: %s are c=, a=, bh=, b=, and the Subject's first
 * line. The headers are folded and spaced on purpose. */
#define SIGNED_HEADERS \
    "DKIM-Signature: v=1; a=%s; c=%s; d=example.com; s=sel;\r\n" \
    "\th=From : Subject; bh=%s;\r\n" \
    "\tb=%s\r\n"
#define MESSAGE_REST \
    "From: Alice  Example <alice@example.com>\r\n" \
    "Subject:  %s\r\n" \
    "\t world \r\n" \
    "To: bob@example.org\r\n" \
    "\r\n" \
    "Hi.\r\n"

static void
test_verify(void)
{
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    g_autofree char *rsa_pub = public_key_b64(rsa, FALSE);
    g_autofree char *ed_pub = public_key_b64(ed, TRUE);
    g_autofree char *bh = b64_sha256("Hi.\r\n");
    g_autofree char *table = NULL;
    g_autofree char *relaxed_input = NULL;
    g_autofree char *simple_input = NULL;
    g_autofree char *ed_input = NULL;
    g_autofree char *sig = NULL;
    g_autofree char *text = NULL;
    g_autofree char *lf = NULL;
    MtDkimKeys *keys;
    MtReport *r;
    const MtSignature *s;
    guint skipped = 0;

    g_assert_nonnull(rsa);
    g_assert_nonnull(ed);
    /* A zone-file style table: the RSA key split into two strings, a
     * comment, a line that is not a key. */
    table = g_strdup_printf(
        "# keys for the test\n"
        "sel._domainkey.example.com. \"v=DKIM1; k=rsa; \" \"p=%.*s\" \"%s\"\n"
        "ed._domainkey.example.com v=DKIM1; k=ed25519; p=%s\n"
        "revoked._domainkey.example.com \"v=DKIM1; p=\"\n"
        "not a key line\n",
        40, rsa_pub, rsa_pub + 40, ed_pub);
    keys = mt_dkim_keys_new_from_text(table, &skipped);
    g_assert_cmpuint(skipped, ==, 1);

    /* relaxed/relaxed, canonicalized here by hand (RFC 6376 3.4.2). */
    relaxed_input = g_strdup_printf(
        "from:Alice Example <alice@example.com>\r\n"
        "subject:Hello world\r\n"
        "dkim-signature:v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;"
        " s=sel; h=From : Subject; bh=%s; b=", bh);
    sig = sign(rsa, "rsa-sha256", relaxed_input);
    text = g_strdup_printf(SIGNED_HEADERS MESSAGE_REST, "rsa-sha256",
                           "relaxed/relaxed", bh, sig, "Hello");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->body_hash_status, ==, "unchanged");
    g_assert_cmpstr(s->signature_status, ==, "pass");
    g_assert_null(s->signature_problem);
    g_assert_false(has_finding(r, "dkim-signature-invalid"));
    mt_report_free(r);

    /* The same signature on a changed Subject fails. */
    g_free(text);
    text = g_strdup_printf(SIGNED_HEADERS MESSAGE_REST, "rsa-sha256",
                           "relaxed/relaxed", bh, sig, "Hullo");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->signature_status, ==, "fail");
    g_assert_nonnull(strstr(s->signature_problem, "does not verify"));
    g_assert_true(has_finding(r, "dkim-signature-invalid"));
    mt_report_free(r);

    /* simple/simple: the header bytes exactly, then stored with LF. */
    g_free(sig);
    simple_input = g_strdup_printf(
        "From: Alice  Example <alice@example.com>\r\n"
        "Subject:  Hello\r\n\t world \r\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.com;"
        " s=sel;\r\n\th=From : Subject; bh=%s;\r\n\tb=", bh);
    sig = sign(rsa, "rsa-sha256", simple_input);
    g_free(text);
    text = g_strdup_printf(SIGNED_HEADERS MESSAGE_REST, "rsa-sha256",
                           "simple/simple", bh, sig, "Hello");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->signature_status, ==, "pass");
    mt_report_free(r);
    {
        GString *g = g_string_new(NULL);
        for (const char *p = text; *p; p++)
            if (*p != '\r')
                g_string_append_c(g, *p);
        lf = g_string_free(g, FALSE);
    }
    r = analyze_text(lf);
    s = verify_text(r, lf, keys);
    g_assert_cmpstr(s->body_hash_status, ==, "unchanged");
    g_assert_cmpstr(s->signature_status, ==, "pass");
    mt_report_free(r);

    /* Ed25519 (RFC 8463). */
    g_free(sig);
    ed_input = g_strdup_printf(
        "from:Alice Example <alice@example.com>\r\n"
        "subject:Hello world\r\n"
        "dkim-signature:v=1; a=ed25519-sha256; c=relaxed/relaxed; "
        "d=example.com; s=ed; h=From : Subject; bh=%s; b=", bh);
    sig = sign(ed, "ed25519-sha256", ed_input);
    g_free(text);
    text = g_strdup_printf(
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; "
        "d=example.com; s=ed;\r\n\th=From : Subject; bh=%s;\r\n\tb=%s\r\n"
        MESSAGE_REST, bh, sig, "Hello");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->signature_status, ==, "pass");
    mt_report_free(r);

    /* The RSA key for an Ed25519 signature, a revoked key, no key. */
    g_free(text);
    text = g_strdup_printf(
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; "
        "d=example.com; s=sel;\r\n\th=From : Subject; bh=%s;\r\n\tb=%s\r\n"
        MESSAGE_REST, bh, sig, "Hello");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->signature_status, ==, "key-invalid");
    mt_report_free(r);
    g_free(text);
    text = g_strdup_printf(SIGNED_HEADERS MESSAGE_REST, "rsa-sha256",
                           "relaxed/relaxed", bh, sig, "Hello");
    {
        char *p = strstr(text, "s=sel;");
        memcpy(p, "s=xyz;", 6);
    }
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->signature_status, ==, "no-key");
    g_assert_nonnull(strstr(s->signature_problem, "xyz._domainkey"));
    g_assert_false(has_finding(r, "dkim-signature-invalid"));
    mt_report_free(r);
    g_free(text);
    text = g_strdup_printf(
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
        "d=example.com; s=revoked;\r\n\th=From : Subject; bh=%s;\r\n\tb=%s"
        "\r\n" MESSAGE_REST, bh, sig, "Hello");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->signature_status, ==, "fail");
    g_assert_nonnull(strstr(s->signature_problem, "revoked"));
    mt_report_free(r);

    /* A changed body fails even with a good header signature. */
    g_free(sig);
    sig = sign(rsa, "rsa-sha256", relaxed_input);
    g_free(text);
    text = g_strdup_printf(SIGNED_HEADERS MESSAGE_REST "More.\r\n",
                           "rsa-sha256", "relaxed/relaxed", bh, sig, "Hello");
    r = analyze_text(text);
    s = verify_text(r, text, keys);
    g_assert_cmpstr(s->body_hash_status, ==, "changed");
    g_assert_cmpstr(s->signature_status, ==, "fail");
    mt_report_free(r);

    /* Without a key table nothing is claimed. */
    r = analyze_text(text);
    g_assert_cmpstr(((const MtSignature *)r->authentication.dkim->pdata[0])
                        ->signature_status, ==, "not-checked");
    mt_report_free(r);

    mt_dkim_keys_free(keys);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ed);
}

static void
test_keys_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mt-keys-XXXXXX", &error);
    g_autofree char *path = NULL;
    MtDkimKeys *keys;

    g_assert_no_error(error);
    g_assert_null(mt_dkim_keys_load("/nonexistent/keys.txt", &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_clear_error(&error);
    path = g_build_filename(dir, "keys.txt", NULL);
    g_assert_true(g_file_set_contents(path, "a._domainkey.example.org p=\n",
                                      -1, &error));
    keys = mt_dkim_keys_load(path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(keys);
    mt_dkim_keys_free(keys);
    g_remove(path);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/auth/results/gmail", test_ar_gmail);
    g_test_add_func("/auth/results/microsoft", test_ar_microsoft);
    g_test_add_func("/auth/results/rfc-examples", test_ar_rfc_examples);
    g_test_add_func("/auth/results/glued-comments", test_ar_glued_comments);
    g_test_add_func("/auth/results/arc", test_arc_results);
    g_test_add_func("/auth/results/hostile", test_ar_hostile);
    g_test_add_func("/auth/received-spf", test_received_spf);
    g_test_add_func("/auth/dkim/full", test_dkim_full);
    g_test_add_func("/auth/dkim/malformed", test_dkim_malformed);
    g_test_add_func("/auth/dkim/hostile", test_dkim_hostile);
    g_test_add_func("/auth/arc/tags", test_arc_tags);
    g_test_add_func("/auth/body-hash", test_body_hash);
    g_test_add_func("/auth/dkim/verify", test_verify);
    g_test_add_func("/auth/dkim/keys-file", test_keys_file);
    return g_test_run();
}
