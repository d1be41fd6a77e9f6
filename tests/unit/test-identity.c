/* SPDX-License-Identifier: MIT */
/*
 * test-identity.c: the identity and authentication analysis on whole
 * messages. tests/data/identity/ holds one clean business message and
 * variants of it, each changing one thing; the table says which finding
 * ids each must raise and which it must not, so every id has a message
 * that raises it and a near miss that must stay quiet (for most ids the
 * near miss is a legitimate variant, such as a bounce subdomain, a
 * Reply-To under the same organisation or a forwarder's own results).
 * Each raised finding must point at the header its evidence names. Then
 * the identity table, the trust given to each Authentication-Results, the
 * score, the project's samples, the textbook case and the JSON shape.
 * The data directory comes from MT_SOURCE_ROOT, set by meson.
 */
#include <string.h>

#include <jansson.h>

#include "identity-private.h"
#include "mailtrail-private.h"
#include "reports-identity.h"
#include "reports.h"

typedef struct {
    const char *file;
    const char *raise[4];
    const char *quiet[6];
} Case;

/* Every id the identity and authentication analysis can raise, and the
 * relay id that owns the DKIM t= check (received-timestamp-contradiction). */
static const char *const all_ids[] = {
    "message-id-missing", "message-id-invalid",
    "message-id-implausible-domain", "message-id-domain-mismatch",
    "return-path-missing", "return-path-null", "return-path-mismatch",
    "reply-to-mismatch", "reply-to-freemail", "from-multiple",
    "from-mailboxes-without-sender", "from-display-name-spoof",
    "from-display-name-domain", "from-lookalike-domain", "date-missing",
    "date-invalid", "date-future", "date-far-before-relay",
    "date-timezone-mismatch", "header-duplicate", "bcc-present",
    "recipient-not-in-to-cc", "auth-results-untrusted",
    "auth-results-contradict", "spf-fail", "dkim-fail", "dmarc-fail",
    "dkim-body-hash-mismatch", "dkim-weak-algorithm", "dkim-length-tag",
    "dkim-from-not-signed", "dkim-domain-mismatch", "dkim-expired",
    "dkim-signature-malformed", "arc-chain-broken",
    "received-timestamp-contradiction",
};

static const Case cases[] = {
    {"message-id-missing", {"message-id-missing"}, {"message-id-invalid"}},
    {"message-id-invalid", {"message-id-invalid"}, {"message-id-missing"}},
    {"message-id-implausible", {"message-id-implausible-domain"},
     {"message-id-domain-mismatch", "message-id-invalid"}},
    {"message-id-foreign", {"message-id-domain-mismatch"},
     {"message-id-implausible-domain"}},
    /* The Message-ID of a relay's domain is aligned with the path. */
    {"message-id-relay", {NULL}, {"message-id-domain-mismatch"}},
    /* Exchange Online writes its own host for every tenant domain. */
    {"message-id-hosted", {NULL}, {"message-id-domain-mismatch"}},
    {"return-path-foreign", {"return-path-mismatch"}, {"return-path-null"}},
    /* A VERP bounce address under the From organisation. */
    {"return-path-subdomain", {NULL}, {"return-path-mismatch"}},
    {"return-path-none", {"return-path-missing"}, {"return-path-mismatch"}},
    {"return-path-null", {"return-path-null"},
     {"return-path-mismatch", "return-path-missing"}},
    {"reply-to-foreign", {"reply-to-mismatch"}, {"reply-to-freemail"}},
    {"reply-to-subdomain", {NULL}, {"reply-to-mismatch", "reply-to-freemail"}},
    {"reply-to-freemail", {"reply-to-freemail", "reply-to-mismatch"}, {NULL}},
    /* From is free-mail itself: a Reply-To at another provider is a
     * mismatch, not the free-mail pattern. */
    {"freemail-both", {"reply-to-mismatch"}, {"reply-to-freemail"}},
    {"from-multiple", {"from-multiple", "header-duplicate"}, {NULL}},
    {"from-two-mailboxes", {"from-mailboxes-without-sender"},
     {"from-multiple"}},
    {"from-two-mailboxes-sender", {NULL},
     {"from-mailboxes-without-sender", "from-multiple"}},
    {"from-display-spoof", {"from-display-name-spoof"},
     {"from-display-name-domain"}},
    /* The display name shows the real address. */
    {"from-display-address", {"from-display-name-spoof"}, {NULL}},
    {"from-display-domain", {"from-display-name-domain"},
     {"from-display-name-spoof"}},
    {"from-display-own-domain", {NULL},
     {"from-display-name-domain", "from-display-name-spoof"}},
    {"lookalike-digit", {"from-lookalike-domain"}, {NULL}},
    {"lookalike-one-edit", {"from-lookalike-domain"}, {NULL}},
    {"lookalike-distance", {"from-lookalike-domain"}, {NULL}},
    {"lookalike-idn", {"from-lookalike-domain"}, {NULL}},
    {"lookalike-rn", {"from-lookalike-domain"}, {NULL}},
    /* Same name under another suffix, and two edits within the sender's
     * own infrastructure (amazonaws.com / amazonses.com). */
    {"lookalike-other-suffix", {NULL}, {"from-lookalike-domain"}},
    {"lookalike-two-edits-infra", {NULL}, {"from-lookalike-domain"}},
    {"date-missing", {"date-missing"}, {"date-invalid", "date-future"}},
    {"date-invalid", {"date-invalid"}, {"date-missing", "date-future"}},
    {"date-future", {"date-future"}, {"date-far-before-relay"}},
    {"date-old", {"date-far-before-relay"}, {"date-future"}},
    {"date-timezone", {"date-timezone-mismatch"}, {"date-future"}},
    {"date-same-zone", {NULL}, {"date-timezone-mismatch"}},
    {"header-duplicate", {"header-duplicate"}, {"from-multiple"}},
    {"bcc", {"bcc-present"}, {NULL}},
    {"delivered-elsewhere", {"recipient-not-in-to-cc"}, {NULL}},
    {"ar-injected", {"auth-results-untrusted"},
     {"spf-fail", "auth-results-contradict"}},
    {"ar-contradict",
     {"auth-results-contradict", "auth-results-untrusted", "dmarc-fail"},
     {"spf-fail"}},
    /* Below the boundary but by the relay that handed the message on. */
    {"ar-forwarder", {NULL}, {"auth-results-untrusted", "spf-fail"}},
    /* Exchange Online's result without authserv-id, written inside
     * Microsoft below the boundary. */
    {"ar-microsoft-relay", {NULL}, {"auth-results-untrusted"}},
    /* No Received at all: no boundary, so no result is the receiver's. */
    {"ar-no-relay", {NULL}, {"spf-fail", "dmarc-fail",
                             "auth-results-untrusted"}},
    /* The receiver names itself by a bare host name, as in its "by". */
    {"ar-bare-authserv", {"spf-fail"}, {"auth-results-untrusted"}},
    /* Above the boundary, another organisation's verdict: a claim. */
    {"ar-other-authserv", {NULL}, {"spf-fail", "auth-results-untrusted"}},
    {"spf-fail", {"spf-fail"}, {"dkim-fail", "dmarc-fail"}},
    /* A failure the sender wrote is not the receiver's verdict. */
    {"spf-fail-injected", {"auth-results-untrusted"},
     {"spf-fail", "dkim-fail", "dmarc-fail"}},
    {"dkim-fail", {"dkim-fail"}, {"spf-fail", "dmarc-fail"}},
    {"dmarc-fail", {"dmarc-fail"}, {"spf-fail", "dkim-fail"}},
    /* Microsoft's form without authserv-id, Microsoft not the receiver. */
    {"ms-no-authserv", {NULL}, {"dmarc-fail"}},
    {"body-changed", {"dkim-body-hash-mismatch"}, {NULL}},
    {"dkim-sha1", {"dkim-weak-algorithm"}, {"dkim-body-hash-mismatch"}},
    {"dkim-length", {"dkim-length-tag"}, {"dkim-body-hash-mismatch"}},
    {"dkim-no-from", {"dkim-from-not-signed"}, {NULL}},
    {"dkim-oversigned", {NULL}, {"dkim-from-not-signed"}},
    {"dkim-foreign", {"dkim-domain-mismatch"}, {NULL}},
    {"dkim-subdomain", {NULL}, {"dkim-domain-mismatch"}},
    {"dkim-expired", {"dkim-expired"}, {"dkim-length-tag"}},
    {"dkim-future", {"received-timestamp-contradiction"}, {"dkim-expired"}},
    {"dkim-malformed", {"dkim-signature-malformed"}, {NULL}},
    {"arc-gap", {"arc-chain-broken"}, {NULL}},
    {"arc-cv", {"arc-chain-broken"}, {NULL}},
    {"arc-good", {NULL}, {"arc-chain-broken"}},
    /* The textbook case: From kogure@pc.highway.ne.jp, Reply-To and
     * Return-Path at an advertiser. */
    {"textbook", {"reply-to-mismatch", "return-path-mismatch"},
     {"reply-to-freemail", "from-lookalike-domain"}},
};

static char *
data_path(const char *dir, const char *name)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");

    if (root == NULL)
        return NULL;
    return g_build_filename(root, dir, name, NULL);
}

/* Analyzes dir/name with options, or the defaults when options is NULL. */
static MtReport *
analyze_file_with(const char *dir, const char *name,
                  const MtOptions *options)
{
    g_autofree char *path = data_path(dir, name);
    g_autofree char *text = NULL;
    gsize len = 0;
    MtRawMessage raw = {0};
    MtOptions defaults;
    MtReport *report;
    GError *error = NULL;

    g_assert_nonnull(path);
    g_file_get_contents(path, &text, &len, &error);
    g_assert_no_error(error);
    mt_options_init_default(&defaults);
    raw.source.path = path;
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, len);
    report = mt_analyze(&raw, options ? options : &defaults);
    g_bytes_unref(raw.data);
    return report;
}

static MtReport *
analyze_file(const char *dir, const char *name)
{
    return analyze_file_with(dir, name, NULL);
}

static const MtFinding *
find(const MtReport *r, const char *id)
{
    for (guint i = 0; i < r->findings->len; i++) {
        const MtFinding *f = r->findings->pdata[i];
        if (strcmp(f->id, id) == 0)
            return f;
    }
    return NULL;
}

static gboolean
known_id(const char *id)
{
    for (gsize i = 0; i < G_N_ELEMENTS(all_ids); i++)
        if (strcmp(all_ids[i], id) == 0)
            return TRUE;
    return FALSE;
}

/* A finding that names a header must name it exactly: its index and the
 * byte offset of that header. */
static void
check_evidence(const MtReport *r, const MtFinding *f)
{
    const MtHeader *h;

    if (f->evidence.header_index < 0) {
        g_assert_cmpint(f->evidence.offset, ==, -1);
        return;
    }
    g_assert_cmpuint((guint)f->evidence.header_index, <, r->headers->len);
    h = r->headers->pdata[f->evidence.header_index];
    g_assert_cmpint(f->evidence.offset, ==, (gint64)h->offset);
    g_assert_nonnull(f->message);
    g_assert_cmpuint(strlen(f->message), >, 10);
}

static void
test_cases(void)
{
    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autofree char *name = g_strconcat(cases[c].file, ".eml", NULL);
        MtReport *r = analyze_file("tests/data/identity", name);

        g_test_message("%s", cases[c].file);
        for (gsize k = 0; k < G_N_ELEMENTS(cases[c].raise); k++) {
            const char *id = cases[c].raise[k];
            const MtFinding *f;
            if (id == NULL)
                continue;
            g_assert_true(known_id(id));
            f = find(r, id);
            if (f == NULL)
                g_error("%s: %s not raised", cases[c].file, id);
            check_evidence(r, f);
        }
        for (gsize k = 0; k < G_N_ELEMENTS(cases[c].quiet); k++) {
            const char *id = cases[c].quiet[k];
            if (id != NULL && find(r, id) != NULL)
                g_error("%s: %s raised: %s", cases[c].file, id,
                        find(r, id)->message);
        }
        mt_report_free(r);
    }
}

/* The clean message raises none of the identity or authentication ids,
 * and every id has a positive case in the table. */
static void
test_clean(void)
{
    MtReport *r;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file("tests/data/identity", "clean.eml");
    for (gsize i = 0; i < G_N_ELEMENTS(all_ids); i++)
        if (find(r, all_ids[i]) != NULL)
            g_error("clean.eml raised %s", all_ids[i]);
    g_assert_cmpint(r->identity.score, ==, 0);
    g_assert_cmpstr(r->identity.verdict, ==, "clean");
    mt_report_free(r);

    for (gsize i = 0; i < G_N_ELEMENTS(all_ids); i++) {
        gboolean positive = FALSE;
        for (gsize c = 0; c < G_N_ELEMENTS(cases) && !positive; c++)
            for (gsize k = 0; k < G_N_ELEMENTS(cases[c].raise); k++)
                if (cases[c].raise[k]
                    && strcmp(cases[c].raise[k], all_ids[i]) == 0)
                    positive = TRUE;
        if (!positive)
            g_error("no fixture raises %s", all_ids[i]);
    }
}

/* Every id is in the registry, doc/findings.yaml. */
static void
test_registry(void)
{
    g_autofree char *path = data_path("doc", "findings.yaml");
    g_autofree char *text = NULL;
    GError *error = NULL;

    if (path == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    for (gsize i = 0; i < G_N_ELEMENTS(all_ids); i++) {
        g_autofree char *line = g_strdup_printf("\n- id: %s\n", all_ids[i]);
        if (strstr(text, line) == NULL)
            g_error("%s is not in doc/findings.yaml", all_ids[i]);
    }
}

/* --trusted-authserv: a bare authserv-id that names no host of the path
 * counts only when the analyst lists it (in any case), and then the
 * receiver's other ids stop counting. */
static void
test_trusted_authserv(void)
{
    const char *dir = "tests/data/identity";
    g_autoptr(GPtrArray) listed = g_ptr_array_new();
    MtOptions options;
    const MtAuthResults *ar;
    const MtFinding *f;
    MtReport *r;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file(dir, "ar-trusted-authserv.eml");
    g_assert_cmpuint(r->authentication.results->len, ==, 1);
    ar = r->authentication.results->pdata[0];
    g_assert_cmpstr(ar->authserv_id, ==, "scan01");
    g_assert_cmpint(ar->trust, ==, MT_AUTH_CLAIMED);
    g_assert_null(find(r, "dmarc-fail"));
    mt_report_free(r);

    mt_options_init_default(&options);
    options.trusted_authserv = listed;
    g_ptr_array_add(listed, (char *)"SCAN01");
    r = analyze_file_with(dir, "ar-trusted-authserv.eml", &options);
    ar = r->authentication.results->pdata[0];
    g_assert_cmpint(ar->trust, ==, MT_AUTH_TRUSTED);
    g_assert_nonnull(strstr(ar->trust_reason, "--trusted-authserv"));
    f = find(r, "dmarc-fail");
    if (f == NULL)
        g_error("--trusted-authserv scan01: no dmarc-fail");
    g_assert_cmpint(f->evidence.header_index, ==, ar->header_index);
    mt_report_free(r);

    /* The clean message's mx.example.org is no longer the receiver's
     * verdict when the analyst names another id. */
    r = analyze_file_with(dir, "clean.eml", &options);
    ar = r->authentication.results->pdata[0];
    g_assert_cmpstr(ar->authserv_id, ==, "mx.example.org");
    g_assert_cmpint(ar->trust, ==, MT_AUTH_CLAIMED);
    mt_report_free(r);
    g_ptr_array_add(listed, (char *)"mx.example.org");
    r = analyze_file_with(dir, "clean.eml", &options);
    ar = r->authentication.results->pdata[0];
    g_assert_cmpint(ar->trust, ==, MT_AUTH_TRUSTED);
    mt_report_free(r);

    /* Below the boundary a listed id is still the sender's writing. */
    g_ptr_array_set_size(listed, 0);
    g_ptr_array_add(listed, (char *)"mx.example.org");
    r = analyze_file_with(dir, "ar-injected.eml", &options);
    g_assert_nonnull(find(r, "auth-results-untrusted"));
    mt_report_free(r);
}

/* Every id in doc/findings.yaml has its title and severity compiled in
 * (mt-findings-registry.h), and so does every id the identity and
 * authentication analysis can raise; test-relay.c checks that the relay
 * ids are in the registry, so they are covered by the scan. */
static void
test_registry_titles(void)
{
    g_autofree char *path = data_path("doc", "findings.yaml");
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    const MtFindingInfo *info = NULL;
    GError *error = NULL;
    guint entries = 0;

    for (gsize i = 0; i < G_N_ELEMENTS(all_ids); i++) {
        const char *title = mt_finding_title(all_ids[i]);
        if (title == NULL || *title == '\0')
            g_error("%s has no title", all_ids[i]);
    }
    g_assert_cmpstr(mt_finding_title("dkim-signature-invalid"), ==,
                    "DKIM signature does not verify with the key at hand");
    g_assert_null(mt_finding_title("no-such-finding"));
    g_assert_null(mt_finding_title(""));
    g_assert_null(mt_finding_title(NULL));
    if (path == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        if (g_str_has_prefix(line, "- id: ")) {
            info = mt_finding_info_get(line + 6);
            if (info == NULL)
                g_error("%s has no compiled-in entry", line + 6);
            entries++;
        } else if (info != NULL && g_str_has_prefix(line, "  title: ")) {
            g_assert_cmpstr(info->title, ==, line + 9);
        } else if (info != NULL && g_str_has_prefix(line, "  severity: ")) {
            g_assert_cmpstr(mt_severity_to_string(info->severity), ==,
                            line + 12);
        }
    }
    g_assert_cmpuint(entries, >=, G_N_ELEMENTS(all_ids));
}

static const MtIdentityEntry *
entry(const MtReport *r, const char *role)
{
    for (guint i = 0; i < r->identity.identities->len; i++) {
        const MtIdentityEntry *e = r->identity.identities->pdata[i];
        if (strcmp(e->role, role) == 0)
            return e;
    }
    return NULL;
}

static void
assert_entry(const MtReport *r, const char *role, const char *address,
             const char *domain, const char *org, gboolean relaxed,
             gboolean strict)
{
    const MtIdentityEntry *e = entry(r, role);

    if (e == NULL)
        g_error("no %s identity", role);
    g_assert_cmpstr(e->address, ==, address);
    g_assert_cmpstr(e->domain, ==, domain);
    g_assert_cmpstr(e->org_domain, ==, org);
    g_assert_cmpint(e->aligned_relaxed, ==, relaxed);
    g_assert_cmpint(e->aligned_strict, ==, strict);
}

static void
test_table(void)
{
    MtReport *r;
    const MtIdentityEntry *e;
    const MtAuthResults *ar;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file("tests/data/identity", "reply-to-subdomain.eml");
    assert_entry(r, "from", "alice@example.com", "example.com", "example.com",
                 TRUE, TRUE);
    e = entry(r, "from");
    if (e == NULL)
        g_error("no from identity");
    g_assert_cmpstr(e->display_name, ==, "Alice Example");
    g_assert_cmpint(e->header_index, >=, 0);
    g_assert_cmpstr(((const MtHeader *)r->headers->pdata[e->header_index])
                        ->name, ==, "From");
    assert_entry(r, "return-path", "alice@example.com", "example.com",
                 "example.com", TRUE, TRUE);
    assert_entry(r, "reply-to", "team@lists.example.com", "lists.example.com",
                 "example.com", TRUE, FALSE);
    assert_entry(r, "message-id", "<20261103141420.4711@mail.example.com>",
                 "mail.example.com", "example.com", TRUE, FALSE);
    assert_entry(r, "dkim-d", "example.com", "example.com", "example.com",
                 TRUE, TRUE);
    assert_entry(r, "spf-mailfrom", "alice@example.com", "example.com",
                 "example.com", TRUE, TRUE);
    g_assert_cmpstr(r->identity.from_org_domain, ==, "example.com");
    /* "<date.pid@host>" is no generator's signature. */
    g_assert_null(r->identity.message_id_generator);

    /* Authentication: one trusted result, the receiver's verdicts. */
    g_assert_cmpuint(r->authentication.results->len, ==, 1);
    ar = r->authentication.results->pdata[0];
    g_assert_cmpint(ar->trust, ==, MT_AUTH_TRUSTED);
    g_assert_cmpstr(ar->authserv_id, ==, "mx.example.org");
    g_assert_cmpint(r->authentication.boundary_hop, ==, 2);
    g_assert_cmpstr(r->authentication.spf, ==, "pass");
    g_assert_cmpstr(r->authentication.dkim_result, ==, "pass");
    g_assert_cmpstr(r->authentication.dmarc, ==, "pass");
    g_assert_cmpstr(r->authentication.arc_chain, ==, "none");
    g_assert_cmpstr(((const MtSignature *)r->authentication.dkim->pdata[0])
                        ->body_hash_status, ==, "unchanged");
    mt_report_free(r);
}

/* The origin HELO comes from the hop the relay analysis calls the
 * origin: in plain.eml the first public address, mail-out.example.com. */
static void
test_origin_helo(void)
{
    MtReport *r;
    const MtIdentityEntry *e;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file("samples", "plain.eml");
    e = entry(r, "origin-helo");
    if (e == NULL)
        g_error("no origin-helo identity");
    g_assert_cmpstr(e->address, ==, "mail-out.example.com");
    g_assert_cmpstr(e->org_domain, ==, "example.com");
    g_assert_true(e->aligned_relaxed);
    g_assert_false(e->aligned_strict);
    g_assert_cmpint(e->hop, >, 0);
    mt_report_free(r);
}

static void
test_arc_good(void)
{
    MtReport *r;
    const MtAuthResults *first = NULL;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file("tests/data/identity", "arc-good.eml");
    g_assert_cmpint(r->authentication.arc_instances, ==, 2);
    g_assert_cmpstr(r->authentication.arc_chain, ==, "intact");
    g_assert_null(r->authentication.arc_problem);
    g_assert_cmpuint(r->authentication.arc->len, ==, 4);
    for (guint i = 0; i < r->authentication.results->len; i++) {
        const MtAuthResults *ar = r->authentication.results->pdata[i];
        if (ar->arc_instance == 1)
            first = ar;
        if (ar->arc_instance >= 0)
            g_assert_cmpint(ar->trust, ==, MT_AUTH_CLAIMED);
    }
    if (first == NULL)
        g_error("no ARC-Authentication-Results i=1");
    g_assert_cmpstr(first->authserv_id, ==, "lists.example.org");
    mt_report_free(r);

    r = analyze_file("tests/data/identity", "arc-gap.eml");
    g_assert_cmpstr(r->authentication.arc_chain, ==, "broken");
    g_assert_nonnull(strstr(r->authentication.arc_problem, "instance 1"));
    mt_report_free(r);
}

static void
test_samples(void)
{
    static const char *const phishing_ids[] = {
        "reply-to-freemail", "reply-to-mismatch", "return-path-mismatch",
        "message-id-domain-mismatch", "spf-fail", "dmarc-fail"};
    MtReport *r;
    const MtAuthResults *ar = NULL;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file("samples", "phishing.eml");
    for (gsize i = 0; i < G_N_ELEMENTS(phishing_ids); i++) {
        const MtFinding *f = find(r, phishing_ids[i]);
        if (f == NULL)
            g_error("phishing.eml: %s not raised", phishing_ids[i]);
        check_evidence(r, f);
    }
    g_assert_cmpstr(r->identity.message_id_generator, ==, "PHPMailer");
    g_assert_cmpstr(r->authentication.dmarc, ==, "fail");
    g_assert_cmpstr(r->authentication.spf, ==, "softfail");
    for (guint i = 0; i < r->authentication.results->len; i++) {
        const MtAuthResults *x = r->authentication.results->pdata[i];
        if (x->arc_instance < 0)
            ar = x;
    }
    if (ar == NULL)
        g_error("no Authentication-Results");
    g_assert_cmpint(ar->trust, ==, MT_AUTH_TRUSTED);
    g_assert_cmpstr(ar->authserv_id, ==, "mx.google.com");
    g_assert_cmpstr(r->identity.verdict, ==, "likely-malicious");
    g_assert_cmpint(r->identity.score, ==, 100);
    mt_report_free(r);

    r = analyze_file("samples", "plain.eml");
    for (gsize i = 0; i < G_N_ELEMENTS(all_ids); i++)
        if (find(r, all_ids[i]) != NULL)
            g_error("plain.eml raised %s", all_ids[i]);
    g_assert_cmpstr(r->identity.verdict, ==, "clean");
    g_assert_cmpstr(r->authentication.dmarc, ==, "pass");
    mt_report_free(r);
}

static void
test_helpers(void)
{
    g_autofree char *d1 = mt_identity_domain_of("Alice@Mail.Example.COM.");
    g_autofree char *d2 = mt_identity_domain_of("user@[192.0.2.1]");
    g_autofree char *o1 = mt_identity_org_domain("a.b.example.co.uk");
    g_autofree char *o2 = mt_identity_org_domain("mx.google.com");
    g_autofree char *o3 = mt_identity_org_domain("192.0.2.1");
    g_autofree char *o4 = mt_identity_org_domain("co.uk");
    g_autofree char *o5 = mt_identity_org_domain("localhost");

    g_assert_cmpstr(d1, ==, "mail.example.com");
    g_assert_cmpstr(d2, ==, "192.0.2.1");
    g_assert_null(mt_identity_domain_of(""));
    g_assert_null(mt_identity_domain_of(NULL));
    g_assert_cmpstr(o1, ==, "example.co.uk");
    g_assert_cmpstr(o2, ==, "google.com");
    g_assert_null(o3);
    g_assert_null(o4);
    g_assert_null(o5);
    g_assert_true(mt_identity_is_freemail("gmail.com"));
    g_assert_true(mt_identity_is_freemail("GMAIL.COM"));
    g_assert_false(mt_identity_is_freemail("gmail.co"));
    g_assert_false(mt_identity_is_freemail("mail.gmail.com"));
    g_assert_false(mt_identity_is_freemail("example.com"));
    g_assert_false(mt_identity_is_freemail(""));
    g_assert_cmpuint(mt_identity_edit_distance("paypal", "paypa1", 2), ==, 1);
    g_assert_cmpuint(mt_identity_edit_distance("example", "exannple", 2), ==,
                     2);
    g_assert_cmpuint(mt_identity_edit_distance("example", "example", 2), ==,
                     0);
    g_assert_cmpuint(mt_identity_edit_distance("amazon", "google", 2), ==, 3);
    g_assert_cmpuint(mt_identity_edit_distance("a", "abcdef", 2), ==, 3);
}

/* A message from alice@from_domain whose header adds an identity under
 * the bytes of other (a Message-ID's right side, or a DKIM d= when dkim)
 * and whose From has the display name name. */
static MtReport *
analyze_identity_bytes(const char *name, const char *from_domain,
                       const char *other, gboolean dkim)
{
    g_autoptr(GString) msg = g_string_new(NULL);
    MtRawMessage raw = {0};
    MtOptions options;
    MtReport *r;

    g_string_append(msg, "Received: from mail.abcdef.example (mail.abcdef."
                         "example [192.0.2.10])\n\tby mx.example.org with "
                         "ESMTPS id 4AbC; Tue, 3 Nov 2026 14:14:24 +0000\n");
    if (dkim)
        g_string_append_printf(msg, "DKIM-Signature: v=1; a=rsa-sha256; "
                                    "d=%s; s=s1; h=From; bh=AAAA; b=AAAA\n",
                               other);
    g_string_append_printf(msg, "From: %s <alice@%s>\n", name, from_domain);
    g_string_append(msg, "To: Bob <bob@example.org>\nSubject: Meeting\n"
                         "Date: Tue, 3 Nov 2026 14:14:20 +0000\n");
    g_string_append_printf(msg, "Message-ID: <4711@%s>\n",
                           dkim ? "mail.abcdef.example" : other);
    g_string_append(msg, "\nHello Bob\n");
    mt_options_init_default(&options);
    raw.source.path = (char *)"invalid-utf8.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(msg->str, msg->len);
    r = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    return r;
}

static const MtIdentityEntry *
entry_with_role(const MtReport *r, const char *role)
{
    for (guint i = 0; i < r->identity.identities->len; i++) {
        const MtIdentityEntry *e = r->identity.identities->pdata[i];
        if (strcmp(e->role, role) == 0)
            return e;
    }
    return NULL;
}

/* Domains and display names that are not valid UTF-8. A Message-ID or a
 * DKIM d= reaches the lookalike check as raw bytes (GMime drops such a
 * From address): a lead byte at the end of a label (0xF0, or 0xE2 0x80
 * cut short) made g_utf8_strlen() jump over the NUL, and the skeleton
 * stopped at the first bad byte, so that se\xAD-der read "se", the same
 * as From's se, and abcdeg\xF0 read "abcdeg", one edit from From's
 * abcdef. A bad byte is now a character of its own (\xHH, four edits),
 * and every scan stays inside its string (valgrind checks that: meson
 * test --setup valgrind). The valid twin of each is still a lookalike. */
static void
test_invalid_utf8(void)
{
    static const struct {
        const char *from;
        const char *other;
        gboolean dkim;
        const char *role;
        const char *lookalike; /* in the finding's text, or NULL */
    } bad[] = {
        {"abcdef.example", "abcdeg\xf0.example", FALSE, "message-id", NULL},
        {"abcdef.example", "abcdeg.example", FALSE, "message-id",
         "1 edit(s) from abcdeg.example"},
        {"abcdef.example", "ab\xe2\x80.example", FALSE, "message-id", NULL},
        {"abcdef.example", "abcdef\xad\xf0.example", FALSE, "message-id",
         NULL},
        {"se.example", "se\xad-der.example", FALSE, "message-id", NULL},
        {"se.example", "s\xd0\xb5.example", FALSE, "message-id",
         "looks like s\xd0\xb5.example"},
        {"abcdef.example", "abcdeg\xf0.example", TRUE, "dkim-d", NULL},
        {"abcdef.example", "abcdeg.example", TRUE, "dkim-d",
         "1 edit(s) from abcdeg.example"},
        {"abcdef.example", "\xf0\x9f.example", TRUE, "dkim-d", NULL},
    };
    static const char *const names[] = {
        "Alice Example", "\"Al\xff" "ice \xf0\"", "\"Al\xe2\x80\"",
    };

    for (gsize c = 0; c < G_N_ELEMENTS(bad); c++) {
        g_autoptr(MtReport) r = analyze_identity_bytes(
            names[c % G_N_ELEMENTS(names)], bad[c].from, bad[c].other,
            bad[c].dkim);
        const MtIdentityEntry *from = entry_with_role(r, "from");
        const MtIdentityEntry *e = entry_with_role(r, bad[c].role);
        const MtFinding *f = find(r, "from-lookalike-domain");
        g_autofree char *domain = g_ascii_strdown(bad[c].other, -1);

        g_test_message("case %" G_GSIZE_FORMAT ": %s", c,
                       f ? f->message : "no lookalike");
        if (from == NULL || e == NULL)
            g_error("case %" G_GSIZE_FORMAT ": no %s identity", c,
                    from ? bad[c].role : "from");
        g_assert_cmpstr(r->identity.from_org_domain, ==, bad[c].from);
        /* GMime reads an 8-bit display name that is not UTF-8 as
         * Latin-1: the table holds valid text. */
        g_assert_nonnull(from->display_name);
        g_assert_true(g_utf8_validate(from->display_name, -1, NULL));
        /* The other identity keeps its bytes. */
        g_assert_cmpstr(e->domain, ==, domain);
        if (bad[c].lookalike == NULL) {
            g_assert_null(f);
            continue;
        }
        if (f == NULL)
            g_error("case %" G_GSIZE_FORMAT ": no lookalike", c);
        g_assert_true(g_utf8_validate(f->message, -1, NULL));
        g_assert_nonnull(strstr(f->message, bad[c].lookalike));
    }
}

/* The display name's own checks read a name GMime has decoded from
 * Latin-1 bytes. */
static void
test_invalid_utf8_display_name(void)
{
    g_autoptr(MtReport) r = analyze_identity_bytes(
        "\"support@paypa\xff.com\"", "abcdef.example", "mail.abcdef.example",
        FALSE);
    const MtFinding *f = find(r, "from-display-name-spoof");

    if (f == NULL)
        g_error("from-display-name-spoof not raised");
    g_assert_true(g_utf8_validate(f->message, -1, NULL));
    g_assert_nonnull(strstr(f->message, "support@paypa\xc3\xbf.com"));
    g_assert_null(find(r, "from-lookalike-domain"));
}

/* The score's documented weights: info 0, low 5, medium 15, high 35;
 * below 20 clean, below 50 suspicious. */
static void
test_score(void)
{
    MtReport *r = mt_report_new_empty();

    mt_identity_score(r);
    g_assert_cmpint(r->identity.score, ==, 0);
    g_assert_cmpstr(r->identity.verdict, ==, "clean");
    mt_report_add_finding(r, "a", MT_SEVERITY_INFO, NULL, "x");
    mt_report_add_finding(r, "b", MT_SEVERITY_LOW, NULL, "x");
    mt_report_add_finding(r, "c", MT_SEVERITY_LOW, NULL, "x");
    mt_report_add_finding(r, "d", MT_SEVERITY_LOW, NULL, "x");
    mt_identity_score(r);
    g_assert_cmpint(r->identity.score, ==, 15);
    g_assert_cmpstr(r->identity.verdict, ==, "clean");
    mt_report_add_finding(r, "e", MT_SEVERITY_LOW, NULL, "x");
    mt_identity_score(r);
    g_assert_cmpint(r->identity.score, ==, 20);
    g_assert_cmpstr(r->identity.verdict, ==, "suspicious");
    mt_report_add_finding(r, "f", MT_SEVERITY_HIGH, NULL, "x");
    mt_identity_score(r);
    g_assert_cmpint(r->identity.score, ==, 55);
    g_assert_cmpstr(r->identity.verdict, ==, "likely-malicious");
    for (int i = 0; i < 10; i++)
        mt_report_add_finding(r, "g", MT_SEVERITY_HIGH, NULL, "x");
    mt_identity_score(r);
    g_assert_cmpint(r->identity.score, ==, 100);
    mt_report_free(r);
}

static void
test_json(void)
{
    MtReport *r;
    json_t *id, *auth, *list, *e, *dkim;

    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    r = analyze_file("tests/data/identity", "reply-to-freemail.eml");
    id = mt_json_identity(r);
    auth = mt_json_authentication(r);
    list = json_object_get(id, "identities");
    g_assert_true(json_is_array(list));
    e = json_array_get(list, 0);
    g_assert_cmpstr(json_string_value(json_object_get(e, "role")), ==, "from");
    g_assert_cmpstr(json_string_value(json_object_get(e, "address")), ==,
                    "alice@example.com");
    g_assert_cmpstr(json_string_value(json_object_get(e, "display_name")), ==,
                    "Alice Example");
    g_assert_true(json_is_true(json_object_get(e, "aligned_strict")));
    g_assert_true(json_is_integer(json_object_get(e, "header_index")));
    g_assert_true(json_is_null(json_object_get(e, "hop")));
    g_assert_cmpint(json_integer_value(json_object_get(id, "score")), ==, 20);
    g_assert_cmpstr(json_string_value(json_object_get(id, "verdict")), ==,
                    "suspicious");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(auth, "receiver_verdict"), "dmarc")),
                    ==, "pass");
    dkim = json_array_get(json_object_get(auth, "dkim"), 0);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(dkim, "verification"), "body_hash")),
                    ==, "unchanged");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(dkim, "verification"), "claimed")),
                    ==, "pass");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(dkim, "tags"), "s")), ==, "s1");
    json_decref(id);
    json_decref(auth);
    mt_report_free(r);

    /* A report for an unreadable input has empty objects. */
    r = mt_report_new_for_error("x", NULL);
    id = mt_json_identity(r);
    auth = mt_json_authentication(r);
    g_assert_cmpuint(json_object_size(id), ==, 0);
    g_assert_cmpuint(json_object_size(auth), ==, 0);
    json_decref(id);
    json_decref(auth);
    mt_report_free(r);
}

static guint
count_id(const MtReport *r, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < r->findings->len; i++)
        n += strcmp(((const MtFinding *)r->findings->pdata[i])->id, id) == 0;
    return n;
}

/* A hostile message with hundreds of forged Authentication-Results below
 * the boundary and hundreds of DKIM signatures: findings are capped at
 * MT_DKIM_MAX_CHECKED per kind, the table at 256 identities, and the
 * trusted verdict is still the receiver's. */
static void
test_hostile(void)
{
    g_autofree char *path = data_path("tests/data/identity", "clean.eml");
    g_autofree char *text = NULL;
    GString *msg;
    const char *from;
    MtRawMessage raw = {0};
    MtOptions options;
    MtReport *r;
    GError *error = NULL;

    if (path == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return;
    }
    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    from = strstr(text, "From: Alice");
    g_assert_nonnull(from);
    msg = g_string_new_len(text, from - text);
    for (int i = 0; i < 300; i++)
        g_string_append_printf(
            msg, "Authentication-Results: mx.example.org; spf=pass "
                 "smtp.mailfrom=x%d@example.com; dmarc=pass\n"
                 "DKIM-Signature: v=1; a=rsa-sha1; d=s%d.example; s=s; l=1;"
                 " h=to; bh=AAAA; b=AAAA\n"
                 "Reply-To: r%d@partner.example.net\n", i, i, i);
    g_string_append(msg, from);
    mt_options_init_default(&options);
    raw.source.path = (char *)"hostile.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(msg->str, msg->len);
    r = mt_analyze(&raw, &options);
    g_bytes_unref(raw.data);
    g_string_free(msg, TRUE);

    g_assert_cmpuint(r->authentication.results->len, ==, 301);
    g_assert_cmpuint(r->authentication.dkim->len, ==, 301);
    g_assert_cmpuint(count_id(r, "auth-results-untrusted"), ==,
                     MT_DKIM_MAX_CHECKED);
    /* The message's own good signature is the first of the 32 audited. */
    g_assert_cmpuint(count_id(r, "dkim-length-tag"), ==,
                     MT_DKIM_MAX_CHECKED - 1);
    g_assert_cmpuint(count_id(r, "dkim-weak-algorithm"), ==,
                     MT_DKIM_MAX_CHECKED - 1);
    g_assert_cmpuint(count_id(r, "dkim-from-not-signed"), ==,
                     MT_DKIM_MAX_CHECKED - 1);
    g_assert_cmpuint(count_id(r, "header-duplicate"), ==, 1);
    g_assert_cmpuint(count_id(r, "reply-to-mismatch"), ==, 1);
    g_assert_cmpuint(r->identity.identities->len, <=, 256);
    /* The receiver's own result is the topmost trusted one. */
    g_assert_cmpstr(r->authentication.spf, ==, "pass");
    g_assert_cmpstr(r->identity.verdict, ==, "likely-malicious");
    mt_report_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/identity/cases", test_cases);
    g_test_add_func("/identity/clean", test_clean);
    g_test_add_func("/identity/registry", test_registry);
    g_test_add_func("/identity/registry/titles", test_registry_titles);
    g_test_add_func("/identity/trusted-authserv", test_trusted_authserv);
    g_test_add_func("/identity/table", test_table);
    g_test_add_func("/identity/origin-helo", test_origin_helo);
    g_test_add_func("/identity/arc", test_arc_good);
    g_test_add_func("/identity/samples", test_samples);
    g_test_add_func("/identity/helpers", test_helpers);
    g_test_add_func("/identity/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/identity/invalid-utf8/display-name",
                    test_invalid_utf8_display_name);
    g_test_add_func("/identity/score", test_score);
    g_test_add_func("/identity/json", test_json);
    g_test_add_func("/identity/hostile", test_hostile);
    return g_test_run();
}
