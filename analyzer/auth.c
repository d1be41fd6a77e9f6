/* SPDX-License-Identifier: MIT */
/*
 * auth.c: the authentication evidence a message carries, read critically.
 *
 * Authentication-Results (RFC 8601), Received-SPF (RFC 7208 9.1),
 * DKIM-Signature (RFC 6376) and the ARC set (RFC 8617) are parsed in full
 * by small cursor parsers that only move forward, so the work is linear in
 * the header and every list is capped. Then the results are weighed: a
 * sender can write any Authentication-Results it likes into the message
 * before it leaves, so only the headers that sit above the trust boundary
 * of the relay analysis and carry the receiving organisation's own
 * authserv-id count as the receiver's verdict; the rest are claims, and
 * one below the boundary is evidence of forgery. The DKIM signatures are
 * audited tag by tag and their body hashes checked offline.
 */
#include <string.h>

#include <openssl/evp.h>

#include "identity-private.h"
#include "mailtrail-private.h"

/* A receiver's clock and the signer's may disagree by this much before a
 * timestamp "in the future" means anything. */
#define CLOCK_SLACK_S (15 * 60)

const char *
mt_auth_trust_to_string(MtAuthTrust trust)
{
    switch (trust) {
    case MT_AUTH_TRUSTED:
        return "trusted";
    case MT_AUTH_INJECTED:
        return "injected";
    case MT_AUTH_RELAY:
        return "relay";
    case MT_AUTH_CLAIMED:
        break;
    }
    return "claimed";
}

static gsize
value_length(const char *value, gssize len)
{
    if (value == NULL)
        return 0;
    return len < 0 ? strlen(value) : (gsize)len;
}

/* A read position over one header value that only moves forward. */
typedef struct {
    const char *s;
    gsize len;
    gsize pos;
} Cursor;

static char
peek(const Cursor *c)
{
    return c->pos < c->len ? c->s[c->pos] : '\0';
}

static gboolean
is_wsp(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void
append_bounded(GString *out, char ch, gsize limit)
{
    if (out != NULL && out->len < limit)
        g_string_append_c(out, ch);
}

/* Skips folding white space and comments (RFC 5322 3.2.2). Comment text
 * goes to comments when given, separated by "; ". Comments nest; a counter
 * (not recursion) tracks the depth, and an unclosed comment ends at the end
 * of the value. */
static void
skip_cfws(Cursor *c, GString *comments)
{
    while (c->pos < c->len) {
        char ch = c->s[c->pos];
        guint depth = 0;

        if (is_wsp(ch)) {
            c->pos++;
            continue;
        }
        if (ch != '(')
            return;
        if (comments != NULL && comments->len > 0)
            g_string_append(comments, "; ");
        while (c->pos < c->len) {
            ch = c->s[c->pos++];
            if (ch == '\\' && c->pos < c->len) {
                append_bounded(comments, c->s[c->pos++],
                               MT_AUTH_MAX_COMMENT);
                continue;
            }
            if (ch == '(') {
                if (depth++ > 0)
                    append_bounded(comments, ch, MT_AUTH_MAX_COMMENT);
                continue;
            }
            if (ch == ')') {
                if (--depth == 0)
                    break;
                append_bounded(comments, ch, MT_AUTH_MAX_COMMENT);
                continue;
            }
            append_bounded(comments, is_wsp(ch) ? ' ' : ch,
                           MT_AUTH_MAX_COMMENT);
        }
    }
}

/* Reads a run of bytes up to white space or one of stop. May be empty. */
static char *
read_token(Cursor *c, const char *stop)
{
    gsize start = c->pos;

    while (c->pos < c->len && !is_wsp(c->s[c->pos]) && c->s[c->pos] != '\0'
           && strchr(stop, c->s[c->pos]) == NULL)
        c->pos++;
    return g_strndup(c->s + start, MIN(c->pos - start, MT_AUTH_MAX_VALUE));
}

/* Reads a value: a quoted-string (quotes removed, escapes resolved) and/or
 * a run of bytes up to white space, ';' or '('. '=' belongs to the value,
 * as in base64 "header.b=ab+c=". */
static char *
read_value(Cursor *c)
{
    GString *out = g_string_new(NULL);

    while (c->pos < c->len) {
        char ch = c->s[c->pos];

        if (ch == '"') {
            c->pos++;
            while (c->pos < c->len && c->s[c->pos] != '"') {
                if (c->s[c->pos] == '\\' && c->pos + 1 < c->len)
                    c->pos++;
                append_bounded(out, c->s[c->pos++], MT_AUTH_MAX_VALUE);
            }
            if (c->pos < c->len)
                c->pos++;
            continue;
        }
        if (is_wsp(ch) || ch == ';' || ch == '(' || ch == '\0')
            break;
        append_bounded(out, ch, MT_AUTH_MAX_VALUE);
        c->pos++;
    }
    return g_string_free(out, FALSE);
}

static char *
comment_or_null(GString *comments)
{
    if (comments->len == 0) {
        g_string_free(comments, TRUE);
        return NULL;
    }
    return g_string_free(comments, FALSE);
}

static void
property_free(gpointer p)
{
    MtAuthProperty *prop = p;

    if (prop == NULL)
        return;
    g_free(prop->ptype);
    g_free(prop->property);
    g_free(prop->value);
    g_free(prop);
}

static void
method_free(gpointer p)
{
    MtAuthMethod *m = p;

    if (m == NULL)
        return;
    g_free(m->method);
    g_free(m->version);
    g_free(m->result);
    g_free(m->reason);
    g_free(m->comment);
    if (m->properties)
        g_ptr_array_unref(m->properties);
    g_free(m);
}

void
mt_auth_results_free(gpointer p)
{
    MtAuthResults *r = p;

    if (r == NULL)
        return;
    g_free(r->authserv_id);
    g_free(r->trust_reason);
    if (r->methods)
        g_ptr_array_unref(r->methods);
    g_free(r);
}

const char *
mt_auth_method_get(const MtAuthMethod *method, const char *ptype,
                   const char *property)
{
    g_return_val_if_fail(method != NULL, NULL);
    for (guint i = 0; i < method->properties->len; i++) {
        const MtAuthProperty *p = method->properties->pdata[i];
        if (g_ascii_strcasecmp(p->ptype, ptype) == 0
            && g_ascii_strcasecmp(p->property, property) == 0)
            return p->value;
    }
    return NULL;
}

/* Reads "i=N;" at the start of an ARC header. Returns the instance, or -1
 * (and leaves the cursor) when the value does not start that way. */
static int
read_arc_instance(Cursor *c)
{
    Cursor save = *c;
    g_autofree char *name = NULL;
    g_autofree char *number = NULL;
    guint64 n = 0;

    skip_cfws(c, NULL);
    name = read_token(c, "=;(");
    skip_cfws(c, NULL);
    if (g_ascii_strcasecmp(name, "i") != 0 || peek(c) != '=') {
        *c = save;
        return -1;
    }
    c->pos++;
    skip_cfws(c, NULL);
    number = read_token(c, ";(");
    if (!g_ascii_string_to_unsigned(number, 10, 1, 1000000, &n, NULL)) {
        *c = save;
        return -1;
    }
    skip_cfws(c, NULL);
    if (peek(c) == ';')
        c->pos++;
    return (int)n;
}

/* Reads the "reason=" and "ptype.property=value" list after a result,
 * up to the next ';'. Each turn consumes at least one byte. */
static void
read_properties(Cursor *c, MtAuthMethod *m, GString *comments,
                gboolean *truncated)
{
    while (c->pos < c->len) {
        g_autofree char *name = NULL;
        char *value, *dot;

        skip_cfws(c, comments);
        if (c->pos >= c->len || peek(c) == ';')
            return;
        name = read_token(c, "=;(\"");
        skip_cfws(c, comments);
        if (name[0] == '\0' || peek(c) != '=') {
            /* A stray byte or word: skip it rather than stall. */
            if (name[0] == '\0')
                c->pos++;
            continue;
        }
        c->pos++;
        skip_cfws(c, comments);
        value = read_value(c);
        if (g_ascii_strcasecmp(name, "reason") == 0 && m->reason == NULL) {
            m->reason = value;
            continue;
        }
        if (m->properties->len >= MT_AUTH_MAX_PROPERTIES) {
            *truncated = TRUE;
            g_free(value);
            continue;
        }
        MtAuthProperty *prop = g_new0(MtAuthProperty, 1);
        dot = strchr(name, '.');
        if (dot != NULL) {
            prop->ptype = g_ascii_strdown(name, dot - name);
            prop->property = g_ascii_strdown(dot + 1, -1);
        } else {
            /* Microsoft writes "action=none" and "compauth" reasons with
             * no ptype. */
            prop->ptype = g_strdup("");
            prop->property = g_ascii_strdown(name, -1);
        }
        prop->value = value;
        g_ptr_array_add(m->properties, prop);
    }
}

/* mt_auth_results_parse with max_methods methods read; *methods_cut is
 * set when more followed (the rest of the value is not read). */
static MtAuthResults *
results_parse(const char *value, gssize len, gboolean arc, guint max_methods,
              gboolean *methods_cut)
{
    MtAuthResults *r = g_new0(MtAuthResults, 1);
    Cursor c = {value, value_length(value, len), 0};

    r->header_index = -1;
    r->offset = -1;
    r->arc_instance = -1;
    r->version = -1;
    r->methods = g_ptr_array_new_with_free_func(method_free);
    if (value == NULL)
        return r;
    if (arc)
        r->arc_instance = read_arc_instance(&c);

    /* The authserv-id, unless the value starts "method=" as Exchange
     * Online writes it. */
    skip_cfws(&c, NULL);
    {
        Cursor probe = c;
        g_autofree char *first = read_token(&probe, "=;(\"/");
        skip_cfws(&probe, NULL);
        if (first[0] != '\0' && (peek(&probe) == '=' || peek(&probe) == '/')) {
            /* No authserv-id: leave it NULL. */
        } else if (peek(&c) != ';') {
            r->authserv_id = read_value(&c);
            skip_cfws(&c, NULL);
            if (g_ascii_isdigit(peek(&c))) {
                g_autofree char *v = read_token(&c, ";(");
                guint64 n = 0;
                if (g_ascii_string_to_unsigned(v, 10, 0, 999, &n, NULL))
                    r->version = (int)n;
            }
        }
    }

    while (c.pos < c.len) {
        g_autofree char *name = NULL;
        GString *comments;
        MtAuthMethod *m;

        skip_cfws(&c, NULL);
        if (c.pos >= c.len)
            break;
        if (peek(&c) == ';') {
            c.pos++;
            continue;
        }
        name = read_token(&c, "=;(/\"");
        if (name[0] == '\0') {
            c.pos++;
            continue;
        }
        comments = g_string_new(NULL);
        skip_cfws(&c, comments);
        if (g_ascii_strcasecmp(name, "none") == 0 && r->methods->len == 0
            && (c.pos >= c.len || peek(&c) == ';')) {
            r->none = TRUE;
            g_string_free(comments, TRUE);
            continue;
        }
        if (r->methods->len >= max_methods) {
            r->truncated = TRUE;
            *methods_cut = TRUE;
            g_string_free(comments, TRUE);
            break;
        }
        m = g_new0(MtAuthMethod, 1);
        m->method = g_ascii_strdown(name, -1);
        m->properties = g_ptr_array_new_with_free_func(property_free);
        if (peek(&c) == '/') {
            c.pos++;
            skip_cfws(&c, comments);
            m->version = read_token(&c, "=;(\"");
            skip_cfws(&c, comments);
        }
        if (peek(&c) == '=') {
            g_autofree char *result = NULL;
            c.pos++;
            skip_cfws(&c, comments);
            result = read_token(&c, ";(\"");
            m->result = g_ascii_strdown(result, -1);
        }
        read_properties(&c, m, comments, &r->truncated);
        m->comment = comment_or_null(comments);
        g_ptr_array_add(r->methods, m);
    }
    return r;
}

MtAuthResults *
mt_auth_results_parse(const char *value, gssize len, gboolean arc)
{
    gboolean cut = FALSE;

    return results_parse(value, len, arc, MT_AUTH_MAX_METHODS, &cut);
}

void
mt_received_spf_free(gpointer p)
{
    MtReceivedSpf *spf = p;

    if (spf == NULL)
        return;
    g_free(spf->result);
    g_free(spf->comment);
    g_free(spf->client_ip);
    g_free(spf->helo);
    g_free(spf->envelope_from);
    g_free(spf->identity);
    g_free(spf->receiver);
    g_free(spf->mechanism);
    g_free(spf->problem);
    g_free(spf);
}

MtReceivedSpf *
mt_received_spf_parse(const char *value, gssize len)
{
    MtReceivedSpf *spf = g_new0(MtReceivedSpf, 1);
    Cursor c = {value, value_length(value, len), 0};
    GString *comments = g_string_new(NULL);
    g_autofree char *result = NULL;

    spf->header_index = -1;
    if (value == NULL) {
        g_string_free(comments, TRUE);
        return spf;
    }
    skip_cfws(&c, NULL);
    result = read_token(&c, ";(=\"");
    spf->result = g_ascii_strdown(result, -1);
    while (c.pos < c.len) {
        g_autofree char *key = NULL;
        char *v;
        char **slot = NULL;

        skip_cfws(&c, comments);
        if (c.pos >= c.len)
            break;
        if (peek(&c) == ';') {
            c.pos++;
            continue;
        }
        key = read_token(&c, "=;(\"");
        skip_cfws(&c, comments);
        if (key[0] == '\0' || peek(&c) != '=') {
            if (key[0] == '\0')
                c.pos++;
            continue;
        }
        c.pos++;
        skip_cfws(&c, comments);
        v = read_value(&c);
        if (g_ascii_strcasecmp(key, "client-ip") == 0)
            slot = &spf->client_ip;
        else if (g_ascii_strcasecmp(key, "helo") == 0)
            slot = &spf->helo;
        else if (g_ascii_strcasecmp(key, "envelope-from") == 0)
            slot = &spf->envelope_from;
        else if (g_ascii_strcasecmp(key, "identity") == 0)
            slot = &spf->identity;
        else if (g_ascii_strcasecmp(key, "receiver") == 0)
            slot = &spf->receiver;
        else if (g_ascii_strcasecmp(key, "mechanism") == 0)
            slot = &spf->mechanism;
        else if (g_ascii_strcasecmp(key, "problem") == 0)
            slot = &spf->problem;
        if (slot != NULL && *slot == NULL)
            *slot = v;
        else
            g_free(v);
    }
    spf->comment = comment_or_null(comments);
    return spf;
}

static void
tag_free(gpointer p)
{
    MtTag *tag = p;

    if (tag == NULL)
        return;
    g_free(tag->name);
    g_free(tag->value);
    g_free(tag);
}

void
mt_signature_free(gpointer p)
{
    MtSignature *sig = p;

    if (sig == NULL)
        return;
    if (sig->tags)
        g_ptr_array_unref(sig->tags);
    g_free(sig->version);
    g_free(sig->algorithm);
    g_free(sig->domain);
    g_free(sig->selector);
    g_free(sig->identity);
    g_free(sig->canon_header);
    g_free(sig->canon_body);
    if (sig->signed_headers)
        g_ptr_array_unref(sig->signed_headers);
    g_free(sig->body_hash);
    g_free(sig->signature);
    g_free(sig->cv);
    g_free(sig->error);
    g_free(sig->signature_problem);
    g_free(sig->online_problem);
    g_free(sig);
}

const char *
mt_signature_get_tag(const MtSignature *sig, const char *name)
{
    g_return_val_if_fail(sig != NULL, NULL);
    for (guint i = 0; i < sig->tags->len; i++) {
        const MtTag *tag = sig->tags->pdata[i];
        if (strcmp(tag->name, name) == 0)
            return tag->value;
    }
    return NULL;
}

static void
set_error(MtSignature *sig, const char *text)
{
    /* The first problem is the one worth reporting. */
    if (sig->error == NULL)
        sig->error = g_strdup(text);
}

/* A tag value with white space folded to single spaces and trimmed. */
static char *
fold_value(const char *s, gsize len)
{
    GString *out = g_string_sized_new(MIN(len, 256));
    gboolean space = FALSE;

    for (gsize i = 0; i < len && out->len < MT_AUTH_MAX_VALUE; i++) {
        if (is_wsp(s[i])) {
            space = TRUE;
            continue;
        }
        if (space && out->len > 0)
            g_string_append_c(out, ' ');
        space = FALSE;
        g_string_append_c(out, s[i] == '\0' ? ' ' : s[i]);
    }
    return g_string_free(out, FALSE);
}

static char *
strip_spaces(const char *s)
{
    GString *out = g_string_new(NULL);

    for (; *s; s++)
        if (!is_wsp(*s))
            g_string_append_c(out, *s);
    return g_string_free(out, FALSE);
}

/* A decimal tag value (l=, t=, x=, i=), or -1 when it is not one. */
static gint64
tag_number(MtSignature *sig, const char *name, guint64 max)
{
    const char *v = mt_signature_get_tag(sig, name);
    guint64 n = 0;

    if (v == NULL)
        return -1;
    if (!g_ascii_string_to_unsigned(v, 10, 0, max, &n, NULL)) {
        g_autofree char *msg = g_strdup_printf("%s= is not a number", name);
        set_error(sig, msg);
        return -1;
    }
    return (gint64)n;
}

static void
interpret_tags(MtSignature *sig)
{
    const char *v;

    sig->version = g_strdup(mt_signature_get_tag(sig, "v"));
    if ((v = mt_signature_get_tag(sig, "a")) != NULL)
        sig->algorithm = g_ascii_strdown(v, -1);
    if ((v = mt_signature_get_tag(sig, "d")) != NULL)
        sig->domain = g_ascii_strdown(v, -1);
    sig->selector = g_strdup(mt_signature_get_tag(sig, "s"));
    if ((v = mt_signature_get_tag(sig, "bh")) != NULL)
        sig->body_hash = strip_spaces(v);
    if ((v = mt_signature_get_tag(sig, "b")) != NULL)
        sig->signature = strip_spaces(v);
    /* c= defaults to simple/simple, and a lone "relaxed" means
     * relaxed/simple (RFC 6376 3.5). */
    v = mt_signature_get_tag(sig, "c");
    if (v != NULL) {
        const char *slash = strchr(v, '/');
        sig->canon_header = g_ascii_strdown(v, slash ? slash - v : -1);
        sig->canon_body = g_ascii_strdown(slash ? slash + 1 : "simple", -1);
    } else if (strcmp(sig->kind, "ARC-Seal") != 0) {
        sig->canon_header = g_strdup("simple");
        sig->canon_body = g_strdup("simple");
    }
    sig->signed_headers = g_ptr_array_new_with_free_func(g_free);
    if ((v = mt_signature_get_tag(sig, "h")) != NULL) {
        /* Names past the limit are counted for From but not kept. */
        while (*v) {
            const char *end = strchr(v, ':');
            gsize n = end ? (gsize)(end - v) : strlen(v);
            char *name = g_strstrip(g_strndup(v, n));
            if (g_ascii_strcasecmp(name, "from") == 0)
                sig->from_signed++;
            if (name[0] != '\0'
                && sig->signed_headers->len < MT_TAG_MAX_SIGNED_HEADERS)
                g_ptr_array_add(sig->signed_headers, name);
            else
                g_free(name);
            if (end == NULL)
                break;
            v = end + 1;
        }
    }
    /* l= may have up to 76 digits in the grammar; anything that does not
     * fit 63 bits is longer than any message. */
    sig->length = tag_number(sig, "l", G_MAXINT64);
    sig->timestamp = tag_number(sig, "t", G_MAXINT64);
    sig->expiration = tag_number(sig, "x", G_MAXINT64);
    if (strcmp(sig->kind, "DKIM-Signature") == 0) {
        sig->identity = g_strdup(mt_signature_get_tag(sig, "i"));
        sig->instance = -1;
        if (sig->version == NULL)
            set_error(sig, "no v= tag");
        if (sig->domain == NULL)
            set_error(sig, "no d= tag");
        if (sig->body_hash == NULL)
            set_error(sig, "no bh= tag");
        if (sig->signed_headers->len == 0)
            set_error(sig, "no h= tag");
    } else {
        gint64 i = tag_number(sig, "i", MT_ARC_MAX_INSTANCE);
        sig->instance = (int)i;
        if (i < 1)
            set_error(sig, "no valid i= instance (1 to 50)");
        if ((v = mt_signature_get_tag(sig, "cv")) != NULL)
            sig->cv = g_ascii_strdown(v, -1);
    }
    if (sig->signature == NULL)
        set_error(sig, "no b= tag");
}

MtSignature *
mt_signature_parse(const char *kind, const char *value, gssize value_len)
{
    MtSignature *sig = g_new0(MtSignature, 1);
    gsize pos = 0, len = value_length(value, value_len);

    sig->kind = kind;
    sig->header_index = -1;
    sig->offset = -1;
    sig->instance = -1;
    sig->body_hash_status = "not-checked";
    sig->signature_status = "not-checked";
    sig->online_status = "not-checked";
    sig->tags = g_ptr_array_new_with_free_func(tag_free);
    while (value != NULL && pos < len) {
        gsize name_start, name_end, value_start;
        MtTag *tag;

        while (pos < len && is_wsp(value[pos]))
            pos++;
        if (pos >= len)
            break;
        if (value[pos] == ';') {
            pos++;
            continue;
        }
        /* tag-name = ALPHA *ALNUMPUNC (RFC 6376 3.2). */
        name_start = pos;
        while (pos < len && (g_ascii_isalnum(value[pos]) || value[pos] == '_'))
            pos++;
        name_end = pos;
        while (pos < len && is_wsp(value[pos]))
            pos++;
        if (name_end == name_start || pos >= len || value[pos] != '=') {
            set_error(sig, "a tag without a name or '='");
            while (pos < len && value[pos] != ';')
                pos++;
            continue;
        }
        pos++;
        value_start = pos;
        while (pos < len && value[pos] != ';')
            pos++;
        if (sig->tags->len >= MT_TAG_MAX_TAGS) {
            set_error(sig, "too many tags");
            break;
        }
        tag = g_new0(MtTag, 1);
        tag->name = g_strndup(value + name_start,
                              MIN(name_end - name_start, 64));
        tag->value = fold_value(value + value_start, pos - value_start);
        if (mt_signature_get_tag(sig, tag->name) != NULL) {
            /* RFC 6376 3.2: a duplicate tag makes the signature invalid;
             * the first one is kept. */
            set_error(sig, "a duplicated tag");
            tag_free(tag);
            continue;
        }
        g_ptr_array_add(sig->tags, tag);
    }
    interpret_tags(sig);
    return sig;
}

/* ---- Body hash ---------------------------------------------------- */

/* The canonical body goes to the digest through a buffer: a body is fed
 * line by line, and one EVP_DigestUpdate() per line costs more than the
 * hashing of a short line does. */
#define SINK_BUFFER 8192

typedef struct {
    EVP_MD_CTX *ctx;
    gint64 remaining; /* l= budget, or -1 for the whole body */
    gsize used;
    char buf[SINK_BUFFER];
} HashSink;

/* Hashes what is buffered, within the l= budget. */
static void
sink_flush(HashSink *sink)
{
    gsize n = sink->used;

    sink->used = 0;
    if (sink->remaining >= 0) {
        if ((guint64)sink->remaining < n)
            n = (gsize)sink->remaining;
        sink->remaining -= (gint64)n;
    }
    if (n > 0)
        EVP_DigestUpdate(sink->ctx, sink->buf, n);
}

static void
sink_write(HashSink *sink, const char *bytes, gsize n)
{
    /* Past the l= budget nothing more is hashed. */
    if (sink->remaining == 0)
        return;
    while (n > 0) {
        gsize room = SINK_BUFFER - sink->used;
        gsize take = MIN(room, n);

        memcpy(sink->buf + sink->used, bytes, take);
        sink->used += take;
        bytes += take;
        n -= take;
        if (sink->used == SINK_BUFFER)
            sink_flush(sink);
    }
}

static gboolean
is_quoted_from(const char *line, gsize len)
{
    gsize i = 0;

    while (i < len && line[i] == '>')
        i++;
    return i > 0 && len - i >= 5 && memcmp(line + i, "From ", 5) == 0;
}

static gboolean
is_sp_or_tab(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Whether a line (without its line end) is its own relaxed canonical
 * form (RFC 6376 3.4.4): not empty, no tab, no run of two spaces and no
 * white space at its end. Most lines of text are; they then go to the
 * hash in one write instead of one per word. */
static gboolean
relaxed_as_is(const char *line, gsize n)
{
    if (n == 0 || is_sp_or_tab(line[n - 1]))
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if (line[i] == '\t' || (line[i] == ' ' && line[i + 1] == ' '))
            return FALSE;
    }
    return TRUE;
}

/* Feeds the canonical body to sink (flushed by the caller): each line
 * with CRLF, trailing empty lines dropped (simple: one CRLF stays for an
 * empty body; relaxed: white space runs become one space and line-end
 * white space goes). Empty lines are counted and only written once a
 * later line has content, so memory stays constant. Lines go out in
 * runs of bytes, not copied first. */
static void
canonical_body(HashSink *sink, const char *body, gsize len, gboolean relaxed,
               gboolean unquote_from)
{
    guint64 pending_empty = 0;
    gsize pos = 0;
    gboolean any = FALSE;

    while (pos < len) {
        const char *nl = memchr(body + pos, '\n', len - pos);
        gsize end = nl ? (gsize)(nl - body) : len;
        gsize line_end = end;
        gboolean content = FALSE;

        if (line_end > pos && body[line_end - 1] == '\r')
            line_end--;
        /* An mboxrd file stores a body line "From x" as ">From x": the
         * signer hashed the line before that quoting. */
        if (unquote_from && is_quoted_from(body + pos, line_end - pos))
            pos++;
        if (relaxed && line_end > pos &&
            ((memchr(body + pos, ' ', line_end - pos) == NULL &&
              memchr(body + pos, '\t', line_end - pos) == NULL) ||
             relaxed_as_is(body + pos, line_end - pos))) {
            /* No white space to fold (every line of base64), or only
             * single spaces inside it: the line is its own canonical
             * form. */
            for (; pending_empty > 0; pending_empty--)
                sink_write(sink, "\r\n", 2);
            content = TRUE;
            sink_write(sink, body + pos, line_end - pos);
        } else if (relaxed) {
            gboolean space = FALSE;
            gsize i = pos;

            while (i < line_end) {
                gsize j = i;

                if (is_sp_or_tab(body[i])) {
                    space = TRUE;
                    i++;
                    continue;
                }
                while (j < line_end && !is_sp_or_tab(body[j]))
                    j++;
                if (!content) {
                    for (; pending_empty > 0; pending_empty--)
                        sink_write(sink, "\r\n", 2);
                    content = TRUE;
                }
                if (space)
                    sink_write(sink, " ", 1);
                space = FALSE;
                sink_write(sink, body + i, j - i);
                i = j;
            }
        } else if (line_end > pos) {
            for (; pending_empty > 0; pending_empty--)
                sink_write(sink, "\r\n", 2);
            content = TRUE;
            sink_write(sink, body + pos, line_end - pos);
        }
        if (content) {
            sink_write(sink, "\r\n", 2);
            any = TRUE;
        } else {
            pending_empty++;
        }
        pos = nl ? end + 1 : len;
    }
    if (!any && !relaxed)
        sink_write(sink, "\r\n", 2);
}

/* The body: what follows the first empty line, or nothing. */
static const char *
find_body(const guchar *data, gsize len, gsize *body_len)
{
    const char *s = (const char *)data;

    for (gsize i = 0; i + 1 < len; i++) {
        if (s[i] != '\n')
            continue;
        if (s[i + 1] == '\n') {
            *body_len = len - (i + 2);
            return s + i + 2;
        }
        if (s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n') {
            *body_len = len - (i + 3);
            return s + i + 3;
        }
    }
    *body_len = 0;
    return "";
}

void
mt_auth_check_body_hash(MtReport *report, const guchar *data, gsize len)
{
    MtAuthentication *a = &report->authentication;
    gsize body_len = 0;
    const char *body;
    g_autofree HashSink *sink = NULL;

    if (a->dkim == NULL || a->dkim->len == 0 || data == NULL)
        return;
    body = find_body(data, len, &body_len);
    /* On the heap: the buffer is large for a stack shared with GMime. */
    sink = g_new(HashSink, 1);
    for (guint i = 0; i < a->dkim->len && i < MT_DKIM_MAX_CHECKED; i++) {
        MtSignature *sig = a->dkim->pdata[i];
        const EVP_MD *md = NULL;
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        g_autofree char *b64 = NULL;
        gboolean relaxed;

        if (sig->algorithm == NULL || sig->body_hash == NULL
            || sig->canon_body == NULL)
            continue;
        if (strcmp(sig->algorithm, "rsa-sha256") == 0
            || strcmp(sig->algorithm, "ed25519-sha256") == 0)
            md = EVP_sha256();
        else if (strcmp(sig->algorithm, "rsa-sha1") == 0)
            md = EVP_sha1();
        if (md == NULL)
            continue;
        if (strcmp(sig->canon_body, "relaxed") == 0)
            relaxed = TRUE;
        else if (strcmp(sig->canon_body, "simple") == 0)
            relaxed = FALSE;
        else
            continue;
        sink->ctx = EVP_MD_CTX_new();
        sink->remaining = sig->length;
        sink->used = 0;
        if (sink->ctx == NULL || !EVP_DigestInit_ex(sink->ctx, md, NULL)) {
            EVP_MD_CTX_free(sink->ctx);
            continue;
        }
        canonical_body(sink, body, body_len, relaxed,
                       report->source.format == MT_INPUT_FORMAT_MBOX);
        sink_flush(sink);
        EVP_DigestFinal_ex(sink->ctx, digest, &digest_len);
        EVP_MD_CTX_free(sink->ctx);
        b64 = g_base64_encode(digest, digest_len);
        if (strcmp(b64, sig->body_hash) == 0) {
            sig->body_hash_status = "unchanged";
        } else {
            MtEvidence ev = {sig->header_index, sig->offset, -1, NULL};
            sig->body_hash_status = "changed";
            mt_report_add_finding(
                report, "dkim-body-hash-mismatch", MT_SEVERITY_MEDIUM, &ev,
                "the body does not match bh= of the DKIM-Signature by %s "
                "(%s body, %s): the body changed since signing",
                sig->domain ? sig->domain : "?", sig->canon_body,
                sig->length >= 0 ? "l= honoured" : "whole body");
        }
    }
}

/* ---- Analysis ----------------------------------------------------- */

void
mt_authentication_clear(MtAuthentication *a)
{
    g_clear_pointer(&a->results, g_ptr_array_unref);
    g_clear_pointer(&a->received_spf, g_ptr_array_unref);
    g_clear_pointer(&a->dkim, g_ptr_array_unref);
    g_clear_pointer(&a->arc, g_ptr_array_unref);
    g_clear_pointer(&a->trusted_domains, g_ptr_array_unref);
    g_clear_pointer(&a->arc_problem, g_free);
    g_clear_pointer(&a->spf, g_free);
    g_clear_pointer(&a->dkim_result, g_free);
    g_clear_pointer(&a->dmarc, g_free);
    g_clear_pointer(&a->crypto_parts, g_ptr_array_unref);
}

static gboolean
name_is(const MtHeader *h, const char *name)
{
    return mt_name_equal(h->name, name);
}

static void
add_unique(GPtrArray *set, char *item)
{
    if (item == NULL)
        return;
    for (guint i = 0; i < set->len; i++) {
        if (g_ascii_strcasecmp(set->pdata[i], item) == 0) {
            g_free(item);
            return;
        }
    }
    g_ptr_array_add(set, item);
}

static gboolean
has_dot_name(const char *host)
{
    return host != NULL && strchr(host, '.') != NULL && host[0] != '['
           && !g_ascii_isdigit(host[strlen(host) - 1]);
}

/* Finds the boundary hop and the organisation's domains. The relay
 * analysis decides it when it ran; otherwise the organisation is the one
 * that wrote the topmost named "by", and it extends down while the "by"
 * stays in it (or is an address, as Google's internal hops are). */
static void
find_boundary(MtReport *report, GPtrArray *orgs)
{
    MtAuthentication *a = &report->authentication;
    GPtrArray *hops = report->relay.hops;
    char *org = NULL;
    int boundary = 0;

    if (report->relay.trust_source != NULL) {
        a->boundary_source = "relay";
        a->boundary_hop = report->relay.boundary_hop;
        for (guint i = 0; report->relay.trusted_domains != NULL
                          && i < report->relay.trusted_domains->len;
             i++)
            add_unique(orgs, mt_identity_org_domain(
                                 report->relay.trusted_domains->pdata[i]));
        for (int i = a->boundary_hop; i >= 1 && i <= (int)hops->len; i++) {
            const MtHop *hop = hops->pdata[i - 1];
            add_unique(orgs, mt_identity_org_domain(hop->received->by_host));
        }
        return;
    }
    for (guint i = hops->len; i-- > 0;) {
        const MtHop *hop = hops->pdata[i];
        const char *by = hop->received->by_host;
        g_autofree char *by_org = has_dot_name(by)
                                      ? mt_identity_org_domain(by)
                                      : NULL;
        if (org == NULL) {
            if (by_org != NULL)
                org = g_strdup(by_org);
            boundary = (int)i + 1;
            continue;
        }
        if (by_org != NULL && g_ascii_strcasecmp(by_org, org) != 0)
            break;
        boundary = (int)i + 1;
    }
    if (org == NULL) {
        a->boundary_hop = 0;
        return;
    }
    a->boundary_source = "inferred";
    a->boundary_hop = boundary;
    add_unique(orgs, org);
}

static gboolean
org_in_list(const char *org, GPtrArray *orgs)
{
    for (guint i = 0; i < orgs->len; i++)
        if (g_ascii_strcasecmp(org, orgs->pdata[i]) == 0)
            return TRUE;
    return FALSE;
}

/* Microsoft 365 writes Authentication-Results without an authserv-id;
 * such a header counts only when Microsoft's servers are the receiver. */
static gboolean
microsoft_receiver(GPtrArray *orgs)
{
    static const char *const ms[] = {"outlook.com", "office365.com",
                                     "microsoft.com", "hotmail.com"};

    for (guint i = 0; i < orgs->len; i++)
        for (gsize j = 0; j < G_N_ELEMENTS(ms); j++)
            if (g_ascii_strcasecmp(orgs->pdata[i], ms[j]) == 0)
                return TRUE;
    return FALSE;
}

/* Whether id is one of the --trusted-authserv values (exact, ignoring
 * case: an authserv-id is a name, not a domain to match under). */
static gboolean
authserv_listed(const char *id, const GPtrArray *listed)
{
    for (guint i = 0; id != NULL && i < listed->len; i++)
        if (g_ascii_strcasecmp(id, listed->pdata[i]) == 0)
            return TRUE;
    return FALSE;
}

static void
weigh_results(MtReport *report, MtAuthResults *r, GPtrArray *orgs,
              const GPtrArray *listed)
{
    MtAuthentication *a = &report->authentication;
    GPtrArray *hops = report->relay.hops;
    int below_index = G_MAXINT;
    g_autofree char *org = NULL;

    /* The Received written by the hop under the boundary: anything below
     * it was in the message before the receiver saw it. */
    if (a->boundary_hop >= 2 && a->boundary_hop <= (int)hops->len)
        below_index =
            ((const MtHop *)hops->pdata[a->boundary_hop - 2])->header_index;
    if (r->arc_instance >= 0) {
        r->trust = MT_AUTH_CLAIMED;
        r->trust_reason = g_strdup(
            "ARC-Authentication-Results: what an intermediary recorded");
        return;
    }
    if (a->boundary_hop == 0) {
        /* No hop is known to be the receiver's, so nothing places this
         * header at the receiver: a saved draft or a made-up file. */
        r->trust = MT_AUTH_CLAIMED;
        r->trust_reason = g_strdup(
            "no trust boundary: no relay is known to be the receiver's");
        return;
    }
    org = mt_identity_org_domain(r->authserv_id);
    if (r->header_index > below_index && r->authserv_id == NULL) {
        /* Exchange Online's form without authserv-id, written inside
         * Microsoft before the message reached the boundary. */
        g_autoptr(GPtrArray) below = g_ptr_array_new_with_free_func(g_free);
        for (int h = 1; h < a->boundary_hop; h++)
            add_unique(below, mt_identity_org_domain(
                                  ((const MtHop *)hops->pdata[h - 1])
                                      ->received->by_host));
        if (microsoft_receiver(below)) {
            r->trust = MT_AUTH_RELAY;
            r->trust_reason = g_strdup(
                "below the trust boundary, no authserv-id (Microsoft "
                "form), and Microsoft relayed the message there");
            return;
        }
    }
    if (r->header_index > below_index && org != NULL
        && !org_in_list(org, orgs)) {
        /* A forwarder's or the sending server's own check, written by a
         * host that relayed the message before the boundary. */
        for (int h = 1; h < a->boundary_hop; h++) {
            const MtHop *hop = hops->pdata[h - 1];
            g_autofree char *by = mt_identity_org_domain(
                hop->received->by_host);
            if (by != NULL && g_ascii_strcasecmp(by, org) == 0) {
                r->trust = MT_AUTH_RELAY;
                r->trust_reason = g_strdup_printf(
                    "below the trust boundary, by %s, which relayed the "
                    "message at hop %d: that relay's claim", r->authserv_id,
                    h);
                return;
            }
        }
    }
    if (r->header_index > below_index) {
        r->trust = MT_AUTH_INJECTED;
        r->trust_reason = g_strdup_printf(
            "below the Received of hop %d, under the trust boundary: "
            "it was in the message before the receiver got it",
            a->boundary_hop - 1);
        return;
    }
    if (r->authserv_id == NULL) {
        gboolean ms = microsoft_receiver(orgs);
        r->trust = ms ? MT_AUTH_TRUSTED : MT_AUTH_CLAIMED;
        r->trust_reason = g_strdup(
            ms ? "no authserv-id (Microsoft form), Microsoft is the receiver"
               : "no authserv-id (Microsoft form), and Microsoft is not the "
                 "receiver");
        return;
    }
    /* The analyst named the receiver's authserv-ids: those and only those
     * count, whatever their domain. */
    if (listed != NULL && listed->len > 0) {
        gboolean ok = authserv_listed(r->authserv_id, listed);
        r->trust = ok ? MT_AUTH_TRUSTED : MT_AUTH_CLAIMED;
        r->trust_reason = g_strdup_printf(
            ok ? "authserv-id %s is a --trusted-authserv"
               : "authserv-id %s is not one of --trusted-authserv",
            r->authserv_id);
        return;
    }
    /* A bare host name ("mail01") cannot be placed in a domain: it
     * counts when a trusted hop's "by" names exactly that host. */
    for (int h = a->boundary_hop; org == NULL && h <= (int)hops->len; h++) {
        const char *by = ((const MtHop *)hops->pdata[h - 1])->received->by_host;
        if (by != NULL && g_ascii_strcasecmp(by, r->authserv_id) == 0) {
            r->trust = MT_AUTH_TRUSTED;
            r->trust_reason = g_strdup_printf(
                "authserv-id %s is the receiving host of hop %d",
                r->authserv_id, h);
            return;
        }
    }
    for (guint i = 0; org != NULL && i < orgs->len; i++) {
        if (g_ascii_strcasecmp(org, orgs->pdata[i]) == 0) {
            r->trust = MT_AUTH_TRUSTED;
            r->trust_reason = g_strdup_printf(
                "authserv-id %s belongs to the receiving organisation %s",
                r->authserv_id, (const char *)orgs->pdata[i]);
            return;
        }
    }
    r->trust = MT_AUTH_CLAIMED;
    r->trust_reason = g_strdup_printf(
        "authserv-id %s is not one of the receiving organisation",
        r->authserv_id);
}

static const MtAuthMethod *
find_method(const MtAuthResults *r, const char *name)
{
    for (guint i = 0; i < r->methods->len; i++) {
        const MtAuthMethod *m = r->methods->pdata[i];
        if (strcmp(m->method, name) == 0)
            return m;
    }
    return NULL;
}

static gboolean
is_failure(const char *method, const char *result)
{
    if (result == NULL)
        return FALSE;
    if (strcmp(method, "spf") == 0)
        return strcmp(result, "fail") == 0 || strcmp(result, "softfail") == 0
               || strcmp(result, "permerror") == 0;
    if (strcmp(method, "dkim") == 0)
        return strcmp(result, "fail") == 0
               || strcmp(result, "permerror") == 0;
    return strcmp(result, "fail") == 0;
}

/* The receiver's verdict per method (its topmost trusted result), the
 * failure findings, and claims that contradict the verdict. */
static void
verdicts(MtReport *report)
{
    MtAuthentication *a = &report->authentication;
    static const struct {
        const char *method;
        const char *id;
        MtSeverity severity;
    } checks[] = {
        {"spf", "spf-fail", MT_SEVERITY_MEDIUM},
        {"dkim", "dkim-fail", MT_SEVERITY_MEDIUM},
        {"dmarc", "dmarc-fail", MT_SEVERITY_HIGH},
    };

    for (gsize k = 0; k < G_N_ELEMENTS(checks); k++) {
        const MtAuthResults *trusted = NULL;
        const MtAuthMethod *verdict = NULL;
        char **slot = k == 0 ? &a->spf : k == 1 ? &a->dkim_result : &a->dmarc;

        for (guint i = 0; i < a->results->len && verdict == NULL; i++) {
            const MtAuthResults *r = a->results->pdata[i];
            if (r->trust == MT_AUTH_TRUSTED
                && (verdict = find_method(r, checks[k].method)) != NULL)
                trusted = r;
        }
        if (verdict == NULL || verdict->result == NULL)
            continue;
        *slot = g_strdup(verdict->result);
        if (is_failure(checks[k].method, verdict->result)) {
            MtEvidence ev = mt_evidence_for_header(report, trusted->header_index);
            mt_report_add_finding(
                report, checks[k].id, checks[k].severity, &ev,
                "%s=%s recorded by the receiver (%s)%s%s", checks[k].method,
                verdict->result,
                trusted->authserv_id ? trusted->authserv_id : "no authserv-id",
                verdict->comment ? ": " : "",
                verdict->comment ? verdict->comment : "");
        }
        /* A pass claimed anywhere else against the receiver's failure is
         * the signature of a forged header. */
        for (guint i = 0, n = 0; i < a->results->len && n < MT_DKIM_MAX_CHECKED;
             i++) {
            const MtAuthResults *r = a->results->pdata[i];
            const MtAuthMethod *m;
            /* A forwarder's own SPF differs from the receiver's by
             * nature; only claims that are not a relay's count. */
            if (r->trust == MT_AUTH_TRUSTED || r->trust == MT_AUTH_RELAY
                || r->arc_instance >= 0)
                continue;
            m = find_method(r, checks[k].method);
            if (m == NULL || m->result == NULL
                || strcmp(m->result, "pass") != 0
                || strcmp(verdict->result, "pass") == 0
                || strcmp(verdict->result, "none") == 0)
                continue;
            MtEvidence ev = mt_evidence_for_header(report, r->header_index);
            n++;
            mt_report_add_finding(
                report, "auth-results-contradict", MT_SEVERITY_MEDIUM, &ev,
                "%s=pass claimed by %s contradicts the receiver's %s=%s",
                checks[k].method, r->authserv_id ? r->authserv_id : "a header",
                checks[k].method, verdict->result);
        }
    }
}

static const MtHop *
boundary_hop(const MtReport *report)
{
    int b = report->authentication.boundary_hop;

    if (b < 1 || b > (int)report->relay.hops->len)
        return NULL;
    return report->relay.hops->pdata[b - 1];
}

static void
audit_dkim(MtReport *report, const char *from_org)
{
    MtAuthentication *a = &report->authentication;
    const MtHop *receiver = boundary_hop(report);
    gint64 message_time = -1;
    gboolean any_aligned = FALSE;
    GString *domains = g_string_new(NULL);

    if (report->summary.date_valid)
        message_time = report->summary.date_parsed.timestamp;
    else if (receiver && receiver->received->date_valid)
        message_time = receiver->received->date_parsed.timestamp;

    /* Per-signature findings for the first MT_DKIM_MAX_CHECKED only: a
     * message with thousands of signatures must not make thousands of
     * findings. The alignment below still looks at every one. */
    for (guint i = 0; i < a->dkim->len; i++) {
        const MtSignature *sig = a->dkim->pdata[i];
        MtEvidence ev = mt_evidence_for_header(report, sig->header_index);
        g_autofree char *org = mt_identity_org_domain(sig->domain);

        if (org != NULL && from_org != NULL
            && g_ascii_strcasecmp(org, from_org) == 0)
            any_aligned = TRUE;
        if (domains->len < 512)
            g_string_append_printf(domains, "%s%s", domains->len ? ", " : "",
                                   sig->domain ? sig->domain : "?");
        if (i >= MT_DKIM_MAX_CHECKED)
            continue;
        if (sig->error)
            mt_report_add_finding(report, "dkim-signature-malformed",
                                  MT_SEVERITY_LOW, &ev,
                                  "DKIM-Signature is malformed: %s",
                                  sig->error);
        if (sig->algorithm && strcmp(sig->algorithm, "rsa-sha1") == 0)
            mt_report_add_finding(
                report, "dkim-weak-algorithm", MT_SEVERITY_LOW, &ev,
                "DKIM-Signature by %s uses rsa-sha1, which RFC 8301 forbids",
                sig->domain ? sig->domain : "?");
        if (sig->length >= 0)
            mt_report_add_finding(
                report, "dkim-length-tag", MT_SEVERITY_MEDIUM, &ev,
                "DKIM-Signature by %s signs only the first %" G_GINT64_FORMAT
                " bytes of the body (l=): content can be appended",
                sig->domain ? sig->domain : "?", sig->length);
        if (sig->signed_headers->len > 0 && sig->from_signed == 0)
            mt_report_add_finding(
                report, "dkim-from-not-signed", MT_SEVERITY_HIGH, &ev,
                "DKIM-Signature by %s does not sign From (h=), which RFC "
                "6376 5.4 requires: the From can be anything",
                sig->domain ? sig->domain : "?");
        if (sig->expiration >= 0 && message_time >= 0
            && sig->expiration < message_time)
            mt_report_add_finding(
                report, "dkim-expired", MT_SEVERITY_LOW, &ev,
                "DKIM-Signature by %s expired (x=) before the message date",
                sig->domain ? sig->domain : "?");
        /* A t= after the receiving hops is relay.c's
         * received-timestamp-contradiction: it knows which hop sits
         * directly above the signature. */
    }
    if (a->dkim->len > 0 && !any_aligned && from_org != NULL) {
        const MtSignature *first = a->dkim->pdata[0];
        MtEvidence ev = mt_evidence_for_header(report, first->header_index);
        mt_report_add_finding(
            report, "dkim-domain-mismatch", MT_SEVERITY_LOW, &ev,
            "no DKIM-Signature is by the From organisation %s (d= %s)",
            from_org, domains->str);
    }
    g_string_free(domains, TRUE);
}

/* ARC: instances 1..n, each with one seal, one message signature and one
 * results header; cv=none at i=1 and pass above (RFC 8617 4.2.1, 5.1). */
static void
audit_arc(MtReport *report)
{
    MtAuthentication *a = &report->authentication;
    guint seals[MT_ARC_MAX_INSTANCE + 1] = {0};
    guint sigs[MT_ARC_MAX_INSTANCE + 1] = {0};
    guint results[MT_ARC_MAX_INSTANCE + 1] = {0};
    const char *cv[MT_ARC_MAX_INSTANCE + 1] = {NULL};
    int top = 0, evidence_index = -1;
    GString *problem = g_string_new(NULL);
    gboolean any = FALSE, failed = FALSE;

    for (guint i = 0; i < a->arc->len; i++) {
        const MtSignature *sig = a->arc->pdata[i];
        any = TRUE;
        if (evidence_index < 0)
            evidence_index = sig->header_index;
        if (sig->instance < 1 || sig->instance > MT_ARC_MAX_INSTANCE) {
            g_string_append_printf(problem, "%s%s without a valid i=",
                                   problem->len ? "; " : "", sig->kind);
            continue;
        }
        top = MAX(top, sig->instance);
        if (strcmp(sig->kind, "ARC-Seal") == 0) {
            seals[sig->instance]++;
            cv[sig->instance] = sig->cv;
        } else {
            sigs[sig->instance]++;
        }
    }
    for (guint i = 0; i < a->results->len; i++) {
        const MtAuthResults *r = a->results->pdata[i];
        if (r->arc_instance < 0)
            continue;
        any = TRUE;
        if (evidence_index < 0)
            evidence_index = r->header_index;
        if (r->arc_instance > MT_ARC_MAX_INSTANCE || r->arc_instance == 0) {
            g_string_append_printf(problem,
                                   "%sARC-Authentication-Results with i=%d",
                                   problem->len ? "; " : "", r->arc_instance);
            continue;
        }
        top = MAX(top, r->arc_instance);
        results[r->arc_instance]++;
    }
    a->arc_instances = top;
    if (!any) {
        a->arc_chain = "none";
        g_string_free(problem, TRUE);
        return;
    }
    for (int i = 1; i <= top && problem->len < 1024; i++) {
        if (seals[i] != 1 || sigs[i] != 1 || results[i] != 1)
            g_string_append_printf(
                problem, "%sinstance %d has %u seal(s), %u message "
                "signature(s), %u results", problem->len ? "; " : "", i,
                seals[i], sigs[i], results[i]);
        if (seals[i] == 0 || cv[i] == NULL)
            continue;
        if (strcmp(cv[i], "fail") == 0)
            failed = TRUE;
        else if (strcmp(cv[i], i == 1 ? "none" : "pass") != 0)
            g_string_append_printf(problem, "%sARC-Seal i=%d has cv=%s, not %s",
                                   problem->len ? "; " : "", i, cv[i],
                                   i == 1 ? "none" : "pass");
    }
    if (problem->len > 0) {
        MtEvidence ev = mt_evidence_for_header(report, evidence_index);
        a->arc_chain = "broken";
        a->arc_problem = g_string_free(problem, FALSE);
        mt_report_add_finding(report, "arc-chain-broken", MT_SEVERITY_MEDIUM,
                              &ev, "the ARC chain is broken: %s",
                              a->arc_problem);
        return;
    }
    g_string_free(problem, TRUE);
    a->arc_chain = failed ? "fail" : "intact";
}

void
mt_auth_analyze(MtReport *report, const MtOptions *options)
{
    MtAuthentication *a;
    g_autoptr(GPtrArray) orgs = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *from_org = NULL;
    guint injected = 0;
    /* A header of 100,000 "spf=pass" is a parser attack, not a verdict:
     * what the receiver checks fits in a few methods. */
    guint max_methods = options ? options->limits.max_auth_methods
                                : MT_AUTH_MAX_METHODS;
    guint headers_cut = 0;
    int first_cut = -1;

    g_return_if_fail(report != NULL);
    a = &report->authentication;
    mt_authentication_clear(a);
    a->results = g_ptr_array_new_with_free_func(mt_auth_results_free);
    a->received_spf = g_ptr_array_new_with_free_func(mt_received_spf_free);
    a->dkim = g_ptr_array_new_with_free_func(mt_signature_free);
    a->arc = g_ptr_array_new_with_free_func(mt_signature_free);
    a->trusted_domains = g_ptr_array_new_with_free_func(g_free);
    a->arc_chain = "none";

    for (guint i = 0; i < report->headers->len; i++) {
        const MtHeader *h = report->headers->pdata[i];
        gboolean arc_ar = name_is(h, "ARC-Authentication-Results");

        if (arc_ar || name_is(h, "Authentication-Results")) {
            gboolean cut = FALSE;
            MtAuthResults *r = results_parse(h->value, (gssize)h->value_len,
                                             arc_ar, max_methods, &cut);
            if (cut && headers_cut++ == 0)
                first_cut = (int)i;
            r->header_index = (int)i;
            r->offset = (gint64)h->offset;
            g_ptr_array_add(a->results, r);
        } else if (name_is(h, "Received-SPF")) {
            MtReceivedSpf *spf =
                mt_received_spf_parse(h->value, (gssize)h->value_len);
            spf->header_index = (int)i;
            g_ptr_array_add(a->received_spf, spf);
        } else if (name_is(h, "DKIM-Signature")) {
            MtSignature *sig =
                mt_signature_parse("DKIM-Signature", h->value,
                                   (gssize)h->value_len);
            sig->header_index = (int)i;
            sig->offset = (gint64)h->offset;
            g_ptr_array_add(a->dkim, sig);
        } else if (name_is(h, "ARC-Seal")
                   || name_is(h, "ARC-Message-Signature")) {
            MtSignature *sig = mt_signature_parse(
                name_is(h, "ARC-Seal") ? "ARC-Seal" : "ARC-Message-Signature",
                h->value, (gssize)h->value_len);
            sig->header_index = (int)i;
            sig->offset = (gint64)h->offset;
            g_ptr_array_add(a->arc, sig);
        }
    }

    if (headers_cut > 0) {
        MtEvidence ev = mt_evidence_for_header(report, first_cut);

        mt_report_add_finding(report, "limit-reached", MT_SEVERITY_LOW, &ev,
                              "limit max-auth-methods: %u "
                              "Authentication-Results header%s with more "
                              "than %u methods; the methods past the limit "
                              "were not read",
                              headers_cut, headers_cut == 1 ? "" : "s",
                              max_methods);
    }

    find_boundary(report, orgs);
    for (guint i = 0; i < orgs->len; i++)
        g_ptr_array_add(a->trusted_domains, g_strdup(orgs->pdata[i]));
    for (guint i = 0; i < a->results->len; i++) {
        MtAuthResults *r = a->results->pdata[i];
        weigh_results(report, r, orgs,
                      options ? options->trusted_authserv : NULL);
        /* One finding each for the first few is evidence enough. */
        if (r->trust == MT_AUTH_INJECTED && injected++ < MT_DKIM_MAX_CHECKED) {
            MtEvidence ev = mt_evidence_for_header(report, r->header_index);
            mt_report_add_finding(
                report, "auth-results-untrusted", MT_SEVERITY_MEDIUM, &ev,
                "Authentication-Results by %s sits below the trust boundary "
                "(hop %d): the sender wrote it, its results do not count",
                r->authserv_id ? r->authserv_id : "(no authserv-id)",
                a->boundary_hop);
        }
    }
    verdicts(report);

    if (report->summary.from.mailboxes && report->summary.from.mailboxes->len) {
        const MtMailbox *mb = report->summary.from.mailboxes->pdata[0];
        g_autofree char *domain = mt_identity_domain_of(mb->address);
        from_org = mt_identity_org_domain(domain);
    }
    audit_dkim(report, from_org);
    audit_arc(report);
}
