/* SPDX-License-Identifier: MIT */
/*
 * test-mime.c: the MIME part tree (analyzer/mime.c) on whole messages.
 * tests/data/mime/struct-*.eml are written by make-struct-fixtures.py
 * there: a nested mixed/alternative/related tree, a forwarded message with
 * its own attachment and Received chain (and a base64-encoded one), one
 * whose parts carry the tricks, RFC 2231 file names, a delivery status
 * notification, message/partial, and one message per structural trick.
 * The tests check every path, type, size and offset of the tree (the
 * bytes at body_offset are the part's encoded content), the hash of a
 * known attachment, the embedded message's own report and its score with
 * the findings of its parts, the DSN fields, that each structural finding
 * is raised by the fixture built for it and by none of the project's
 * clean samples, and that the limits stop hostile trees (10,000 levels
 * deep) with a limit-reached finding instead of a crash, and that the
 * decoding mistakes the corpus oracle found stay fixed (uuencode whose
 * trailing spaces were stripped, a footer after the base64 padding, the
 * name= of a Content-Type GMime rejects, GMime's stray "\r"). The body,
 * attachment and link analyses have their own tests; here only the tree
 * matters.
 */
#include <string.h>

#include "mime-private.h"

/* The attachment of struct-nested.eml, as make-struct-fixtures.py has
 * it. */
static const char pdf[] =
    "%PDF-1.4\n% mailtrail test attachment\n1 0 obj << >> endobj\n%%EOF\n";

static char *
data_path(const char *dir, const char *name)
{
    const char *root = g_getenv("MT_SOURCE_ROOT");

    return root ? g_build_filename(root, dir, name, NULL) : NULL;
}

/* The analysis of len bytes of text with options (NULL: the defaults). */
static MtReport *
analyze_bytes(const char *text, gsize len, const MtOptions *options)
{
    MtRawMessage raw = {0};
    MtOptions defaults;
    MtReport *report;

    mt_options_init_default(&defaults);
    raw.source.path = (char *)"test.eml";
    raw.source.format = MT_INPUT_FORMAT_EML;
    raw.data = g_bytes_new(text, len);
    report = mt_analyze(&raw, options ? options : &defaults);
    g_bytes_unref(raw.data);
    return report;
}

/* The analysis of a file under the source tree; *keep gets its bytes
 * when keep is non-NULL (for offset checks). */
static MtReport *
analyze_file_with(const char *dir, const char *name,
                  const MtOptions *options, char **keep, gsize *keep_len)
{
    g_autofree char *path = data_path(dir, name);
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *error = NULL;
    MtReport *report;

    g_assert_nonnull(path);
    g_file_get_contents(path, &text, &len, &error);
    g_assert_no_error(error);
    report = analyze_bytes(text, len, options);
    if (keep) {
        *keep = g_steal_pointer(&text);
        *keep_len = len;
    }
    return report;
}

static MtReport *
analyze_fixture(const char *name)
{
    return analyze_file_with("tests/data/mime", name, NULL, NULL, NULL);
}

static gboolean
skip_without_data(void)
{
    if (g_getenv("MT_SOURCE_ROOT") == NULL) {
        g_test_skip("MT_SOURCE_ROOT is not set");
        return TRUE;
    }
    return FALSE;
}

static const MtFinding *
find_finding(const MtReport *report, const char *id, const char *part)
{
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];

        if (strcmp(f->id, id) == 0 &&
            (part == NULL || g_strcmp0(f->evidence.part, part) == 0))
            return f;
    }
    return NULL;
}

static guint
count_findings(const MtReport *report, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < report->findings->len; i++)
        if (strcmp(((const MtFinding *)report->findings->pdata[i])->id,
                   id) == 0)
            n++;
    return n;
}

static MtPart *
part_at(const MtReport *report, const char *path)
{
    MtPart *part = mt_part_find(report->mime.root, path);

    if (part == NULL)
        g_error("no part %s", path);
    return part;
}

static const char *
param_value(const GPtrArray *params, const char *name)
{
    for (guint i = 0; params && i < params->len; i++) {
        const MtParam *p = params->pdata[i];

        if (strcmp(p->name, name) == 0)
            return p->value;
    }
    return NULL;
}

/* The content of every leaf sits at body_offset: the byte before it ends
 * the header (a line end), and the next delimiter line follows it. */
static void
assert_leaf_bytes(const MtPart *part, const char *data, gsize len)
{
    g_autoptr(GPtrArray) stack = g_ptr_array_new();

    g_ptr_array_add(stack, (gpointer)part);
    while (stack->len > 0) {
        const MtPart *p = g_ptr_array_steal_index(stack, stack->len - 1);
        guint64 end;

        for (guint i = 0; p->children && i < p->children->len; i++)
            g_ptr_array_add(stack, p->children->pdata[i]);
        if (p->kind != MT_PART_LEAF || p->body_offset < 0)
            continue;
        end = (guint64)p->body_offset + p->size_encoded;
        g_assert_cmpuint(end, <=, len);
        g_assert_cmpint(data[p->body_offset - 1], ==, '\n');
        if (end + 3 <= len)
            g_assert_cmpmem(data + end, 3, "\n--", 3);
        g_assert_cmpint(p->header_offset, >=, 0);
        g_assert_cmpint(p->header_offset, <, p->body_offset);
    }
}

static void
test_nested(void)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(MtReport) r = NULL;
    const MtPart *root, *p;
    MtHashes expected;
    static const struct {
        const char *path;
        MtPartKind kind;
        int depth;
        const char *type;
    } tree[] = {
        {"TEXT", MT_PART_MULTIPART, 0, "multipart/mixed"},
        {"1", MT_PART_MULTIPART, 1, "multipart/alternative"},
        {"1.1", MT_PART_LEAF, 2, "text/plain"},
        {"1.2", MT_PART_MULTIPART, 2, "multipart/related"},
        {"1.2.1", MT_PART_LEAF, 3, "text/html"},
        {"1.2.2", MT_PART_LEAF, 3, "image/png"},
        {"2", MT_PART_LEAF, 1, "application/pdf"},
    };

    if (skip_without_data())
        return;
    r = analyze_file_with("tests/data/mime", "struct-nested.eml", NULL,
                          &data, &len);
    g_assert_true(r->mime.analyzed);
    g_assert_cmpuint(r->mime.part_count, ==, G_N_ELEMENTS(tree));
    g_assert_cmpint(r->mime.max_depth, ==, 3);
    root = r->mime.root;
    g_assert_cmpstr(root->path, ==, "TEXT");
    g_assert_cmpuint(root->children->len, ==, 2);
    for (guint i = 0; i < G_N_ELEMENTS(tree); i++) {
        p = part_at(r, tree[i].path);
        g_assert_cmpint(p->kind, ==, tree[i].kind);
        g_assert_cmpint(p->depth, ==, tree[i].depth);
        g_assert_cmpstr(p->content_type, ==, tree[i].type);
        g_assert_true(p->type_declared);
    }
    /* The top-level entity's header is the message's. */
    g_assert_cmpint(root->header_offset, ==, 0);
    g_assert_cmpstr(param_value(root->type_params, "boundary"), ==,
                    "mix-1");
    /* The usual note is kept as the preamble, without a finding. */
    g_assert_cmpstr(root->preamble, ==,
                    "This is a multi-part message in MIME format.");
    g_assert_null(root->epilogue);
    g_assert_null(find_finding(r, "mime-hidden-content", NULL));

    p = part_at(r, "1.1");
    g_assert_cmpstr(p->charset, ==, "utf-8");
    g_assert_cmpstr(p->transfer_encoding, ==, "quoted-printable");
    /* "Caf=C3=A9 menu..." decodes to two bytes fewer per escape. */
    g_assert_cmpuint(p->size_decoded, ==,
                     strlen("Caf\xc3\xa9 menu attached. See "
                            "https://menu.example/today"));
    g_assert_cmpuint(p->size_encoded, ==,
                     strlen("Caf=C3=A9 menu attached. See "
                            "https://menu.example/today"));

    p = part_at(r, "1.2.2");
    g_assert_cmpstr(p->content_id, ==, "logo@x");
    g_assert_cmpstr(p->disposition, ==, "inline");
    g_assert_cmpuint(p->size_decoded, ==, 68);
    g_assert_false(p->is_body);

    p = part_at(r, "2");
    g_assert_cmpstr(p->filename, ==, "menu.pdf");
    g_assert_cmpstr(p->disposition, ==, "attachment");
    g_assert_cmpstr(param_value(p->disposition_params, "filename"), ==,
                    "menu.pdf");
    g_assert_cmpstr(p->content_description, ==, "Today's menu");
    g_assert_cmpuint(p->size_decoded, ==, strlen(pdf));
    g_assert_false(p->decoded_truncated);
    mt_hashes_compute(pdf, strlen(pdf), &expected);
    g_assert_cmpstr(p->hashes.sha256, ==, expected.sha256);
    g_assert_cmpstr(p->hashes.md5, ==, expected.md5);
    g_assert_cmpstr(p->hashes.sha1, ==, expected.sha1);
    /* Offsets point into the message: its header, then its base64. */
    g_assert_cmpint(p->header_offset, >, 0);
    g_assert_true(g_str_has_prefix(data + p->header_offset,
                                   "Content-Type: application/pdf"));
    g_assert_true(g_str_has_prefix(data + p->body_offset, "JVBERi0xLjQK"));
    g_assert_cmpmem(data + p->body_offset + p->size_encoded, 10,
                    "\n--mix-1--", 10);
    assert_leaf_bytes(root, data, len);
    g_assert_cmpuint(strlen(part_at(r, "1.2.1")->hashes.sha256), ==, 64);
    g_assert_cmpuint(r->mime.dsn->len, ==, 0);
    g_assert_false(r->mime.partial);
}

static void
test_forward(void)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(MtReport) r = NULL;
    const MtPart *p, *inner;
    const MtReport *m;
    const MtMailbox *from;
    static const char *const paths[] = {"TEXT", "1", "2", "2.TEXT", "2.1",
                                        "2.2", "3", "3.1"};

    if (skip_without_data())
        return;
    r = analyze_file_with("tests/data/mime", "struct-forward.eml", NULL,
                          &data, &len);
    g_assert_cmpuint(r->mime.part_count, ==, G_N_ELEMENTS(paths));
    for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
        g_assert_nonnull(part_at(r, paths[i]));

    p = part_at(r, "2");
    g_assert_cmpint(p->kind, ==, MT_PART_MESSAGE);
    g_assert_cmpstr(p->content_type, ==, "message/rfc822");
    g_assert_cmpuint(p->children->len, ==, 1);
    inner = p->children->pdata[0];
    g_assert_cmpstr(inner->path, ==, "2.TEXT");
    g_assert_cmpint(inner->kind, ==, MT_PART_MULTIPART);
    g_assert_cmpint(inner->depth, ==, 2);
    /* The embedded message's bytes start with its first Received and end
     * before the outer delimiter. */
    g_assert_true(g_str_has_prefix(data + p->body_offset,
                                   "Received: from mx.bank-secure"));
    g_assert_cmpmem(data + p->body_offset + p->size_encoded, 12,
                    "\n--fwd-outer", 12);
    g_assert_cmpint(inner->header_offset, ==, p->body_offset);
    g_assert_cmpstr(part_at(r, "2.2")->filename, ==, "form.zip");
    g_assert_cmpuint(part_at(r, "2.2")->size_decoded, ==, 22);
    g_assert_cmpint(part_at(r, "2.2")->depth, ==, 3);
    assert_leaf_bytes(r->mime.root, data, len);

    m = p->message;
    g_assert_nonnull(m);
    g_assert_cmpint(m->embedded_depth, ==, 1);
    g_assert_cmpuint(m->relay.hops->len, ==, 2);
    g_assert_cmpuint(m->source.offset, ==, (guint64)p->body_offset);
    g_assert_cmpuint(m->source.size, ==, p->size_encoded);
    g_assert_cmpstr(m->source.sha256, ==, p->hashes.sha256);
    from = m->summary.from.mailboxes->pdata[0];
    g_assert_cmpstr(from->address, ==, "security@bank-secure.example");
    g_assert_cmpstr(m->summary.subject.text, ==, "Verify your account");
    /* Its own parts are in the outer tree, not in its report. */
    g_assert_null(m->mime.root);
    g_assert_nonnull(m->identity.verdict);

    /* The base64-encoded message/rfc822 part: parsed after decoding, its
     * inner offsets are not offsets of this message. */
    p = part_at(r, "3");
    g_assert_cmpint(p->kind, ==, MT_PART_MESSAGE);
    g_assert_cmpstr(p->transfer_encoding, ==, "base64");
    g_assert_nonnull(p->message);
    g_assert_cmpstr(p->message->summary.subject.text, ==, "Encoded forward");
    inner = part_at(r, "3.1");
    g_assert_cmpstr(inner->content_type, ==, "text/plain");
    g_assert_cmpint(inner->header_offset, ==, -1);
    g_assert_cmpint(inner->body_offset, ==, -1);
    g_assert_cmpuint(inner->size_decoded, ==,
                     strlen("Hello from inside base64.\n"));

    g_assert_nonnull(find_finding(r, "message-embedded", "2"));
    g_assert_nonnull(find_finding(r, "message-embedded", "3"));
    g_assert_true(strstr(find_finding(r, "message-embedded", "2")->message,
                         "security@bank-secure.example") != NULL);
    g_assert_true(strstr(find_finding(r, "message-embedded", "2")->message,
                         "Verify your account") != NULL);
    g_assert_null(find_finding(r, "mime-malformed", NULL));
    /* The outer report's own relay path is its own. */
    g_assert_cmpuint(r->relay.hops->len, ==, 1);
}

/* A forwarded message whose headers are clean but whose parts are not:
 * its score counts the findings of its own parts, which the outer report
 * holds, and they are only lent to it. */
static void
test_forward_tricks(void)
{
    g_autoptr(MtReport) r = NULL;
    const MtFinding *f;
    const MtReport *m;

    if (skip_without_data())
        return;
    r = analyze_fixture("struct-forward-tricks.eml");
    g_assert_nonnull(find_finding(r, "mime-header-conflict", "2.2"));
    g_assert_nonnull(find_finding(r, "mime-filename-conflict", "2.2"));
    m = part_at(r, "2")->message;
    g_assert_nonnull(m);
    /* Two medium findings of its own parts at least. */
    g_assert_cmpint(m->identity.score, >=, 30);
    for (guint i = 0; i < m->findings->len; i++)
        g_assert_false(g_str_has_prefix(
            ((const MtFinding *)m->findings->pdata[i])->id, "mime-"));
    f = find_finding(r, "embedded-message-suspicious", "2");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, >=, MT_SEVERITY_MEDIUM);
    g_assert_true(strstr(f->message, "orders@shop.example") != NULL);
    /* The plain forward's embedded messages are clean. */
    g_clear_pointer(&r, mt_report_free);
    r = analyze_fixture("struct-forward.eml");
    g_assert_null(find_finding(r, "embedded-message-suspicious", NULL));
}

static void
test_rfc2231(void)
{
    g_autoptr(MtReport) r = NULL;

    if (skip_without_data())
        return;
    r = analyze_fixture("struct-rfc2231.eml");
    /* Continuations joined, percent-decoded in the declared charset. */
    g_assert_cmpstr(part_at(r, "2")->filename, ==,
                    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-report.txt");
    /* RFC 2047 inside a quoted name=. */
    g_assert_cmpstr(part_at(r, "3")->filename, ==,
                    "r\xc3\xa9sum\xc3\xa9.doc");
    /* charset'lang'value with a Latin-1 charset. */
    g_assert_cmpstr(part_at(r, "4")->filename, ==, "\xc3\xa9t\xc3\xa9.txt");
    g_assert_cmpstr(param_value(part_at(r, "4")->type_params, "name"), ==,
                    "\xc3\xa9t\xc3\xa9.txt");
    g_assert_null(find_finding(r, "mime-duplicate-parameter", NULL));
    g_assert_null(find_finding(r, "mime-filename-conflict", NULL));
}

static void
test_dsn(void)
{
    g_autoptr(MtReport) r = NULL;
    const MtDsn *dsn;
    const MtDsnRecipient *rc;
    gboolean subject = FALSE;

    if (skip_without_data())
        return;
    r = analyze_fixture("struct-dsn.eml");
    g_assert_cmpuint(r->mime.dsn->len, ==, 1);
    dsn = r->mime.dsn->pdata[0];
    g_assert_cmpstr(dsn->part, ==, "2");
    g_assert_cmpstr(dsn->reporting_mta, ==, "dns; mx.sender.example");
    g_assert_cmpstr(dsn->arrival_date, ==,
                    "Mon, 2 Mar 2026 10:00:00 +0000");
    g_assert_cmpuint(dsn->recipients->len, ==, 2);
    rc = dsn->recipients->pdata[0];
    g_assert_cmpstr(rc->final_recipient, ==,
                    "rfc822; nobody@receiver.example");
    g_assert_cmpstr(rc->original_recipient, ==,
                    "rfc822;nobody@receiver.example");
    g_assert_cmpstr(rc->action, ==, "failed");
    g_assert_cmpstr(rc->status, ==, "5.1.1");
    g_assert_cmpstr(rc->remote_mta, ==, "dns; mx.receiver.example");
    /* Folded, unfolded to one space. */
    g_assert_cmpstr(rc->diagnostic_code, ==,
                    "smtp; 550 5.1.1 <nobody@receiver.example>: "
                    "Recipient address rejected: User unknown");
    rc = dsn->recipients->pdata[1];
    g_assert_cmpstr(rc->final_recipient, ==,
                    "rfc822; second@receiver.example");
    g_assert_cmpstr(rc->action, ==, "delayed");
    g_assert_cmpstr(rc->status, ==, "4.4.1");
    g_assert_null(rc->diagnostic_code);
    g_assert_cmpstr(dsn->returned_part, ==, "3");
    g_assert_nonnull(dsn->returned_headers);
    g_assert_cmpuint(dsn->returned_headers->len, ==, 4);
    for (guint i = 0; i < dsn->returned_headers->len; i++) {
        const MtHeader *h = dsn->returned_headers->pdata[i];

        if (g_ascii_strcasecmp(h->name, "Subject") == 0) {
            g_assert_cmpstr(h->decoded, ==, "Quarterly numbers");
            subject = TRUE;
        }
    }
    g_assert_true(subject);
}

static void
test_partial(void)
{
    g_autoptr(MtReport) r = NULL;

    if (skip_without_data())
        return;
    r = analyze_fixture("struct-partial.eml");
    g_assert_cmpstr(r->mime.root->path, ==, "1");
    g_assert_true(r->mime.partial);
    g_assert_cmpstr(r->mime.partial_id, ==, "frag-42@sender.example");
    g_assert_cmpint(r->mime.partial_number, ==, 2);
    g_assert_cmpint(r->mime.partial_total, ==, 3);
    g_assert_nonnull(find_finding(r, "mime-partial", "1"));
}

/* Every id mime.c raises. */
static const char *const all_ids[] = {
    "mime-hidden-content", "mime-malformed", "mime-base64-invalid",
    "mime-qp-invalid", "mime-text-base64", "mime-boundary-ambiguous",
    "mime-boundary-missing", "mime-filename-conflict",
    "mime-disposition-conflict", "mime-duplicate-parameter",
    "mime-header-conflict", "mime-8bit-header", "mime-partial",
    "message-embedded", "embedded-message-suspicious", "limit-reached",
};

typedef struct {
    const char *file;
    const char *raise[3];
    const char *part; /* evidence.part of the first id raised */
} Case;

static const Case cases[] = {
    {"struct-base64-junk.eml", {"mime-base64-invalid"}, "2"},
    {"struct-base64-padding.eml", {"mime-base64-invalid"}, "2"},
    {"struct-qp-invalid.eml", {"mime-qp-invalid"}, "2"},
    {"struct-text-base64.eml", {"mime-text-base64"}, "2"},
    {"struct-boundary-prefix.eml", {"mime-boundary-ambiguous"}, "1"},
    {"struct-boundary-line.eml", {"mime-boundary-ambiguous"}, "2"},
    {"struct-boundary-empty.eml", {"mime-boundary-ambiguous"}, "TEXT"},
    {"struct-no-boundary.eml", {"mime-boundary-missing"}, "TEXT"},
    {"struct-unclosed.eml", {"mime-boundary-missing"}, "TEXT"},
    {"struct-filename-conflict.eml", {"mime-filename-conflict"}, "2"},
    {"struct-disposition.eml", {"mime-disposition-conflict"}, "1"},
    {"struct-dup-param.eml", {"mime-duplicate-parameter"}, "2"},
    {"struct-8bit-header.eml", {"mime-8bit-header"}, NULL},
    {"struct-hidden.eml", {"mime-hidden-content"}, "TEXT"},
    {"struct-header-conflict.eml", {"mime-header-conflict"}, "2"},
    {"struct-multipart-base64.eml", {"mime-malformed"}, "TEXT"},
    {"struct-partial.eml", {"mime-partial"}, "1"},
    {"struct-forward.eml", {"message-embedded"}, "2"},
};

static gboolean
in_list(const char *const *list, guint n, const char *id)
{
    for (guint i = 0; i < n && list[i]; i++)
        if (strcmp(list[i], id) == 0)
            return TRUE;
    return FALSE;
}

/* Each fixture raises what it was built for, with evidence on the right
 * part, and none of the other structural ids. */
static void
test_findings(void)
{
    if (skip_without_data())
        return;
    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autoptr(MtReport) r = analyze_fixture(cases[c].file);
        const MtFinding *f = find_finding(r, cases[c].raise[0], NULL);



        if (f == NULL)
            g_error("%s: %s not raised", cases[c].file, cases[c].raise[0]);
        g_assert_cmpstr(f->evidence.part, ==, cases[c].part);
        for (guint i = 0; i < G_N_ELEMENTS(all_ids); i++) {
            if (in_list(cases[c].raise, G_N_ELEMENTS(cases[c].raise),
                        all_ids[i]))
                continue;
            f = find_finding(r, all_ids[i], NULL);
            if (f)
                g_error("%s: unexpected %s: %s", cases[c].file, all_ids[i],
                        f->message);
        }
    }
}

/* The registry lists every id, so the titles compile in. */
static void
test_registry(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(all_ids); i++)
        if (mt_finding_info_get(all_ids[i]) == NULL)
            g_error("%s is not in doc/findings.yaml", all_ids[i]);
}

/* The project's clean samples raise no structural finding. */
static void
test_samples_quiet(void)
{
    static const char *const samples[] = {"plain.eml", "attachment.eml"};

    if (skip_without_data())
        return;
    for (guint s = 0; s < G_N_ELEMENTS(samples); s++) {
        g_autoptr(MtReport) r = analyze_file_with("samples", samples[s],
                                                  NULL, NULL, NULL);

        g_assert_true(r->mime.analyzed);
        for (guint i = 0; i < G_N_ELEMENTS(all_ids); i++) {
            const MtFinding *f = find_finding(r, all_ids[i], NULL);

            if (f)
                g_error("%s: unexpected %s: %s", samples[s], all_ids[i],
                        f->message);
        }
    }
}

static void
test_plain_single(void)
{
    g_autoptr(MtReport) r = NULL;
    const MtPart *root;

    if (skip_without_data())
        return;
    r = analyze_file_with("samples", "plain.eml", NULL, NULL, NULL);
    root = r->mime.root;
    g_assert_cmpstr(root->path, ==, "1");
    g_assert_cmpint(root->kind, ==, MT_PART_LEAF);
    g_assert_cmpint(root->depth, ==, 0);
    g_assert_cmpuint(r->mime.part_count, ==, 1);
    g_assert_cmpint(root->header_offset, ==, 0);
    g_assert_cmpint(root->body_offset, >, 0);
    g_assert_cmpuint(root->size_decoded, >, 0);
    g_assert_cmpuint(strlen(root->hashes.sha256), ==, 64);
}

static const MtFinding *
limit_finding(const MtReport *r, const char *limit)
{
    for (guint i = 0; i < r->findings->len; i++) {
        const MtFinding *f = r->findings->pdata[i];

        if (strcmp(f->id, "limit-reached") == 0 &&
            strstr(f->message, limit))
            return f;
    }
    return NULL;
}

/* The leaf at path of a message analyzed from text: its decoded bytes
 * must be want (len bytes). */
static void
assert_decoded(const MtReport *r, const char *path, const void *want,
               gsize len)
{
    MtPart *p = part_at(r, path);
    MtHashes expected;

    g_assert_cmpuint(p->size_decoded, ==, len);
    g_assert_false(p->decoded_truncated);
    mt_hashes_compute(want, len, &expected);
    g_assert_cmpstr(p->hashes.sha256, ==, expected.sha256);
}

/* Decoding mistakes the corpus oracle (tests/corpus/test-mime-oracle.py)
 * once found, each on a message cut down to the trick. */
static void
test_decode_repairs(void)
{
    guchar bytes[55] = {0};

    /* x-uuencode whose trailing spaces a mailer stripped (as in
     * mail-parser's mail_test_15): a space is a zero sextet, so a line
     * keeps the length its count says ("M" 45 bytes, "*" 10). */
    {
        static const char text[] =
            "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
            "Content-Type: application/octet-stream; name=\"z.bin\"\n"
            "Content-Transfer-Encoding: x-uuencode\n\n"
            "begin 644 z.bin\nM00\n*4$L\n`\nend\n--b--\n";
        g_autoptr(MtReport) r = analyze_bytes(text, strlen(text), NULL);

        g_autoptr(MtReport) cut = NULL;
        MtOptions options;

        bytes[0] = 'A';
        bytes[45] = 'P';
        bytes[46] = 'K';
        assert_decoded(r, "1", bytes, sizeof bytes);
        g_assert_cmpstr(part_at(r, "1")->filename, ==, "z.bin");
        /* More bytes than characters, and still within the part limit. */
        mt_options_init_default(&options);
        options.limits.max_part_decoded = 50;
        cut = analyze_bytes(text, strlen(text), &options);
        g_assert_cmpuint(part_at(cut, "1")->size_decoded, ==, 50);
        g_assert_true(part_at(cut, "1")->decoded_truncated);
        g_assert_nonnull(limit_finding(cut, "part 1"));
    }
    /* A mailing list footer after the base64 padding (SpamAssassin's
     * cjk/big5-base64.1): the content ends at the padding. */
    {
        static const char text[] =
            "Content-Type: text/plain\n"
            "Content-Transfer-Encoding: base64\n\n"
            "QUJD\nREU=\n_______\nSLAT-talk mailing list\n";
        g_autoptr(MtReport) r = analyze_bytes(text, strlen(text), NULL);

        assert_decoded(r, "1", "ABCDE", 5);
        g_assert_nonnull(find_finding(r, "mime-base64-invalid", "1"));
    }
    /* A Content-Type GMime cannot read (SpamAssassin's mime8): the name=
     * is taken from the raw header. */
    {
        static const char text[] =
            "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
            "Content-Type: BINARY;name=\"Alices_PDP-10\"\n"
            "Content-Transfer-Encoding: base64\n\nQUJD\n--b--\n";
        g_autoptr(MtReport) r = analyze_bytes(text, strlen(text), NULL);

        g_assert_cmpstr(part_at(r, "1")->filename, ==, "Alices_PDP-10");
        assert_decoded(r, "1", "ABC", 3);
        g_assert_nonnull(find_finding(r, "mime-malformed", NULL));
    }
    /* The same with a '/' in the rejected type, and a quoted one. */
    {
        static const char text[] =
            "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
            "Content-Type: text/; name=\"a.exe\"\n\nMZ\n--b\n"
            "Content-Type: \"text/plain\"; name=\"b.exe\"\n\nMZ\n--b--\n";
        g_autoptr(MtReport) r = analyze_bytes(text, strlen(text), NULL);

        g_assert_cmpstr(part_at(r, "1")->filename, ==, "a.exe");
        g_assert_cmpstr(part_at(r, "2")->filename, ==, "b.exe");
    }
    /* CRLF lines and a close delimiter without a line end as the last
     * line (ruby-mail's japanese_attachment_long_name.eml): the CRLF
     * before it is the delimiter's (RFC 2046 5.1.1), and GMime's extra
     * "\r" is not content. */
    {
        static const char text[] =
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            "Content-Type: text/plain; name=\"a.txt\"\r\n"
            "Content-Transfer-Encoding: 7bit\r\n\r\n"
            "this is the data\r\n\r\n--b--";
        g_autoptr(MtReport) r = analyze_bytes(text, strlen(text), NULL);

        assert_decoded(r, "1", "this is the data\r\n", 18);
    }
}

static void
test_limits(void)
{
    MtOptions o;

    if (skip_without_data())
        return;
    mt_options_init_default(&o);
    o.limits.max_parts = 3;
    {
        g_autoptr(MtReport) r = analyze_file_with(
            "tests/data/mime", "struct-nested.eml", &o, NULL, NULL);
        const MtFinding *f = limit_finding(r, "max-parts");

        g_assert_nonnull(f);
        g_assert_cmpint(f->severity, ==, MT_SEVERITY_LOW);
        g_assert_true(strstr(f->message, "3") != NULL);
        g_assert_cmpuint(r->mime.part_count, ==, 3);
        /* The first parts are kept, in order. */
        g_assert_nonnull(part_at(r, "1"));
        g_assert_nonnull(part_at(r, "2"));
        g_assert_cmpuint(count_findings(r, "limit-reached"), ==, 1);
    }
    mt_options_init_default(&o);
    o.limits.max_mime_depth = 1;
    {
        g_autoptr(MtReport) r = analyze_file_with(
            "tests/data/mime", "struct-nested.eml", &o, NULL, NULL);

        g_assert_nonnull(limit_finding(r, "max-mime-depth"));
        g_assert_cmpint(r->mime.max_depth, ==, 1);
        g_assert_cmpuint(r->mime.part_count, ==, 3);
    }
    mt_options_init_default(&o);
    o.limits.max_part_decoded = 10;
    {
        g_autoptr(MtReport) r = analyze_file_with(
            "tests/data/mime", "struct-nested.eml", &o, NULL, NULL);
        const MtPart *p = part_at(r, "2");

        g_assert_nonnull(limit_finding(r, "max-part-decoded"));
        g_assert_true(p->decoded_truncated);
        g_assert_cmpuint(p->size_decoded, <=, 10);
    }
    mt_options_init_default(&o);
    o.limits.max_message_decoded = 60;
    {
        g_autoptr(MtReport) r = analyze_file_with(
            "tests/data/mime", "struct-nested.eml", &o, NULL, NULL);
        guint64 total = 0;
        static const char *const leaves[] = {"1.1", "1.2.1", "1.2.2", "2"};

        g_assert_nonnull(limit_finding(r, "max-message-decoded"));
        for (guint i = 0; i < G_N_ELEMENTS(leaves); i++)
            total += part_at(r, leaves[i])->size_decoded;
        g_assert_cmpuint(total, <=, 60);
        g_assert_true(part_at(r, "2")->decoded_truncated);
    }
    mt_options_init_default(&o);
    o.limits.max_message_depth = 0;
    {
        g_autoptr(MtReport) r = analyze_file_with(
            "tests/data/mime", "struct-forward.eml", &o, NULL, NULL);

        g_assert_nonnull(limit_finding(r, "max-message-depth"));
        g_assert_null(part_at(r, "2")->message);
        g_assert_cmpuint(part_at(r, "2")->children->len, ==, 0);
        g_assert_null(find_finding(r, "message-embedded", NULL));
    }
}

/* 10,000 nested multiparts, built here: GMime stops at its own nesting
 * bound, the walk at max_mime_depth, and nothing recurses. */
static void
test_deep_multipart(void)
{
    GString *m = g_string_new("From: a@example.com\nSubject: deep\n"
                              "MIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; "
                              "boundary=\"b0\"\n\n");
    g_autoptr(MtReport) r = NULL;
    const guint n = 10000;

    for (guint i = 1; i < n; i++)
        g_string_append_printf(m, "--b%u\nContent-Type: multipart/mixed; "
                               "boundary=\"b%u\"\n\n", i - 1, i);
    g_string_append_printf(m, "--b%u\nContent-Type: text/plain\n\nleaf\n",
                           n - 1);
    for (guint i = n; i-- > 0;)
        g_string_append_printf(m, "--b%u--\n", i);
    r = analyze_bytes(m->str, m->len, NULL);
    g_string_free(m, TRUE);
    g_assert_true(r->mime.analyzed);
    g_assert_cmpint(r->mime.max_depth, ==, 50);
    g_assert_cmpuint(r->mime.part_count, ==, 51);
    g_assert_nonnull(limit_finding(r, "max-mime-depth"));
    g_assert_cmpuint(count_findings(r, "limit-reached"), ==, 1);
}

/* Messages inside messages, 100 deep: reports and the walk stop at
 * max_message_depth. */
static void
test_deep_messages(void)
{
    GString *m = g_string_new(NULL);
    g_autoptr(MtReport) r = NULL;
    const MtPart *p;
    int reports = 0;

    for (guint i = 0; i < 100; i++)
        g_string_append_printf(m, "From: n%u@example.com\nSubject: level "
                               "%u\nContent-Type: message/rfc822\n\n", i, i);
    g_string_append(m, "From: last@example.com\n\nbottom\n");
    r = analyze_bytes(m->str, m->len, NULL);
    g_string_free(m, TRUE);
    g_assert_nonnull(limit_finding(r, "max-message-depth"));
    /* The walk stops descending with the reports. */
    g_assert_null(limit_finding(r, "max-mime-depth"));
    g_assert_cmpint(r->mime.max_depth, ==, 5);
    g_assert_cmpuint(r->mime.part_count, ==, 6);
    for (p = r->mime.root; p; p = p->children && p->children->len
                                      ? p->children->pdata[0]
                                      : NULL) {
        if (p->message) {
            reports++;
            g_assert_cmpint(p->message->embedded_depth, ==, reports);
        }
    }
    g_assert_cmpint(reports, ==, 5);
    g_assert_cmpstr(r->mime.root->path, ==, "1");
    g_assert_cmpstr(((MtPart *)r->mime.root->children->pdata[0])->path, ==,
                    "1.1");
}

/* A message GMime cannot make a tree of, and an empty one. */
static void
test_no_structure(void)
{
    MtOptions o;
    g_autoptr(MtReport) r = mt_report_new_empty();

    mt_options_init_default(&o);
    mt_mime_analyze(r, NULL, (const guchar *)"", 0, &o);
    g_assert_false(r->mime.analyzed);
    g_assert_null(r->mime.root);
}

static void
test_limit_reached_api(void)
{
    g_autoptr(MtReport) r = mt_report_new_empty();
    const MtFinding *f;

    mt_report_limit_reached(r, "max-urls", "1.2", "kept %u links", 2000u);
    f = r->findings->pdata[0];
    g_assert_cmpstr(f->id, ==, "limit-reached");
    g_assert_cmpint(f->severity, ==, MT_SEVERITY_LOW);
    g_assert_cmpstr(f->evidence.part, ==, "1.2");
    g_assert_true(strstr(f->message, "max-urls") != NULL);
    g_assert_true(strstr(f->message, "2000") != NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mime/nested", test_nested);
    g_test_add_func("/mime/forward", test_forward);
    g_test_add_func("/mime/forward-tricks", test_forward_tricks);
    g_test_add_func("/mime/rfc2231", test_rfc2231);
    g_test_add_func("/mime/dsn", test_dsn);
    g_test_add_func("/mime/partial", test_partial);
    g_test_add_func("/mime/findings", test_findings);
    g_test_add_func("/mime/registry", test_registry);
    g_test_add_func("/mime/samples-quiet", test_samples_quiet);
    g_test_add_func("/mime/plain-single", test_plain_single);
    g_test_add_func("/mime/decode-repairs", test_decode_repairs);
    g_test_add_func("/mime/limits", test_limits);
    g_test_add_func("/mime/deep-multipart", test_deep_multipart);
    g_test_add_func("/mime/deep-messages", test_deep_messages);
    g_test_add_func("/mime/no-structure", test_no_structure);
    g_test_add_func("/mime/limit-reached-api", test_limit_reached_api);
    return g_test_run();
}
