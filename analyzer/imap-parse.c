/* SPDX-License-Identifier: MIT */
/*
 * imap-parse.c: the IMAP4rev1 response parser (RFC 3501 section 7 and the
 * formal syntax in section 9), as pure functions over byte buffers. The
 * server is an adversary here: a compromised or malicious mail server can
 * announce a literal of 2^64 bytes, never end a line, nest parentheses a
 * million deep or send a mailbox name that is not valid modified UTF-7.
 * Every length is checked against a limit before anything is allocated,
 * every loop advances through the input once, and list nesting is tracked
 * with an explicit, bounded stack instead of recursion. The functions here
 * do no I/O, so the fuzzers in tests/ can drive them directly.
 */
#include <string.h>

#include "acquire-private.h"

void
mt_imap_limits_init_default(MtImapLimits *limits)
{
    g_return_if_fail(limits != NULL);
    limits->max_line = MT_ACQUIRE_MAX_LINE;
    limits->max_literal = MT_IMAP_MAX_SMALL_LITERAL;
    limits->max_literals = 16;
    limits->max_depth = MT_IMAP_MAX_DEPTH;
    limits->max_items = MT_IMAP_MAX_ITEMS;
}

static void set_protocol_error(GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void
set_protocol_error(GError **error, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL, msg);
    g_free(msg);
}

/* ------------------------------------------------------------- scanner */

void
mt_imap_scanner_reset(MtImapScanner *scanner)
{
    memset(scanner, 0, sizeof *scanner);
}

gboolean
mt_imap_scanner_in_literal(const MtImapScanner *scanner)
{
    return scanner->literal_left > 0;
}

/* Reads decimal digits into *out; FALSE on overflow of 64 bits. */
static gboolean
parse_digits(const guint8 *p, gsize n, guint64 *out)
{
    guint64 v = 0;

    if (n == 0 || n > 20)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        guint d;
        if (p[i] < '0' || p[i] > '9')
            return FALSE;
        d = p[i] - '0';
        if (v > (G_MAXUINT64 - d) / 10)
            return FALSE;
        v = v * 10 + d;
    }
    *out = v;
    return TRUE;
}

/* Does the line segment [p, p+n) (ending with LF) end in a literal marker
 * "{N}\r\n" (or the LITERAL+ form "{N+}\r\n")? *digits_ok is FALSE when
 * the marker is there but N is not a number that fits 64 bits. */
static gboolean
line_literal(const guint8 *p, gsize n, guint64 *size, gboolean *digits_ok)
{
    gsize end, start;

    *digits_ok = TRUE;
    if (n < 5 || p[n - 1] != '\n' || p[n - 2] != '\r' || p[n - 3] != '}')
        return FALSE;
    end = n - 3; /* index of '}' */
    if (end > 0 && p[end - 1] == '+')
        end--;
    start = end;
    /* Walk back over the digits. A line is walked back over once, so this
     * stays linear; more than 20 digits are refused by parse_digits(). */
    while (start > 0 && p[start - 1] >= '0' && p[start - 1] <= '9')
        start--;
    if (start == end || start == 0 || p[start - 1] != '{')
        return FALSE;
    *digits_ok = parse_digits(p + start, end - start, size);
    return TRUE;
}

MtImapScanStatus
mt_imap_scan(MtImapScanner *s, const guint8 *buf, gsize len,
             const MtImapLimits *limits, gsize *response_len, GError **error)
{
    g_return_val_if_fail(s != NULL && limits != NULL && response_len != NULL,
                         MT_IMAP_SCAN_ERROR);

    while (s->pos < len) {
        const guint8 *lf;
        gsize seg;
        guint64 size = 0;
        gboolean digits_ok;

        if (s->literal_left > 0) {
            guint64 avail = len - s->pos;
            guint64 take = MIN(avail, s->literal_left);
            s->pos += (gsize)take;
            s->literal_left -= take;
            if (s->literal_left == 0)
                s->line_start = s->pos;
            continue;
        }
        lf = memchr(buf + s->pos, '\n', len - s->pos);
        if (lf == NULL) {
            s->pos = len;
            if (len - s->line_start > limits->max_line) {
                set_protocol_error(
                    error,
                    "server response line longer than %" G_GSIZE_FORMAT
                    " bytes",
                    limits->max_line);
                return MT_IMAP_SCAN_ERROR;
            }
            return MT_IMAP_SCAN_MORE;
        }
        s->pos = (gsize)(lf - buf) + 1;
        seg = s->pos - s->line_start;
        if (seg > limits->max_line) {
            set_protocol_error(
                error,
                "server response line longer than %" G_GSIZE_FORMAT " bytes",
                limits->max_line);
            return MT_IMAP_SCAN_ERROR;
        }
        if (line_literal(buf + s->line_start, seg, &size, &digits_ok)) {
            /* The announced size is checked before a single byte of the
             * literal is accepted: "{99999999999999}" from a hostile
             * server must not turn into an allocation. */
            if (!digits_ok || size > limits->max_literal) {
                set_protocol_error(error,
                                   "server announced a literal larger than the "
                                   "limit of %" G_GUINT64_FORMAT " bytes",
                                   limits->max_literal);
                return MT_IMAP_SCAN_ERROR;
            }
            if (++s->literals > limits->max_literals) {
                set_protocol_error(
                    error, "more than %u literals in one server response",
                    limits->max_literals);
                return MT_IMAP_SCAN_ERROR;
            }
            s->literal_left = size;
            s->literal_size = size;
            s->literal_start = s->pos;
            s->line_start = s->pos;
            continue;
        }
        *response_len = s->pos;
        return MT_IMAP_SCAN_DONE;
    }
    return MT_IMAP_SCAN_MORE;
}

/* ------------------------------------------------------------- parser */

static void
item_free(gpointer p)
{
    MtImapItem *item = p;

    if (item == NULL)
        return;
    g_free(item->owned);
    if (item->items)
        g_ptr_array_unref(item->items);
    g_free(item);
}

void
mt_imap_response_free(MtImapResponse *r)
{
    if (r == NULL)
        return;
    g_free(r->tag);
    g_free(r->code);
    g_free(r->text);
    g_free(r->name);
    if (r->items)
        g_ptr_array_unref(r->items);
    if (r->search)
        g_array_unref(r->search);
    if (r->bytes)
        g_bytes_unref(r->bytes);
    g_free(r);
}

/* A cursor over one response. */
typedef struct {
    const guint8 *p;
    const guint8 *end;
    const MtImapLimits *limits;
    guint items;
} Cursor;

static gboolean
at_line_end(const Cursor *c)
{
    return c->p >= c->end || *c->p == '\r' || *c->p == '\n';
}

/* The response must end right here with CRLF (or a bare LF). */
static gboolean
expect_final_eol(const Cursor *c, GError **error)
{
    gsize left = (gsize)(c->end - c->p);

    if ((left == 2 && c->p[0] == '\r' && c->p[1] == '\n') ||
        (left == 1 && c->p[0] == '\n'))
        return TRUE;
    set_protocol_error(error, "unexpected bytes at the end of a server "
                              "response");
    return FALSE;
}

/* Characters that end an atom (RFC 3501 atom-specials, minus the ones
 * real servers put in flags and section specs, which are handled by the
 * callers: "\" in \Seen, "*" in \*, "]" and "[" in BODY[...]). */
static gboolean
atom_stop(guint8 ch)
{
    return ch <= 0x20 || ch >= 0x7f || ch == '(' || ch == ')' || ch == '"' ||
           ch == '{';
}

/* Reads an atom; a "[" inside it opens a section that runs to the next
 * "]" whatever it holds (BODY[HEADER.FIELDS (FROM TO)]), within the line. */
static gboolean
read_atom(Cursor *c, const char **data, gsize *len, GError **error)
{
    const guint8 *start = c->p;

    while (c->p < c->end && !atom_stop(*c->p)) {
        if (*c->p == '[') {
            const guint8 *q = c->p + 1;
            while (q < c->end && *q != ']' && *q != '\r' && *q != '\n')
                q++;
            if (q >= c->end || *q != ']') {
                set_protocol_error(error, "unterminated \"[\" in a server "
                                          "response");
                return FALSE;
            }
            c->p = q + 1;
            continue;
        }
        c->p++;
    }
    if (c->p == start) {
        set_protocol_error(error, "invalid byte 0x%02X in a server response",
                           c->p < c->end ? *c->p : 0);
        return FALSE;
    }
    *data = (const char *)start;
    *len = (gsize)(c->p - start);
    return TRUE;
}

/* Reads a quoted string: no CR, LF or NUL inside; "\" escapes only
 * "\" and the quote (RFC 3501 quoted-specials). */
static gboolean
read_quoted(Cursor *c, MtImapItem *item, GError **error)
{
    GString *s = g_string_new(NULL);

    c->p++; /* opening quote */
    for (;;) {
        guint8 ch;
        if (c->p >= c->end) {
            set_protocol_error(error, "unterminated quoted string in a "
                                      "server response");
            g_string_free(s, TRUE);
            return FALSE;
        }
        ch = *c->p++;
        if (ch == '"')
            break;
        if (ch == '\r' || ch == '\n' || ch == '\0') {
            set_protocol_error(error, "line break or NUL inside a quoted "
                                      "string in a server response");
            g_string_free(s, TRUE);
            return FALSE;
        }
        if (ch == '\\') {
            if (c->p >= c->end || (*c->p != '\\' && *c->p != '"')) {
                set_protocol_error(error, "invalid escape in a quoted string "
                                          "in a server response");
                g_string_free(s, TRUE);
                return FALSE;
            }
            ch = *c->p++;
        }
        g_string_append_c(s, (char)ch);
    }
    item->type = MT_IMAP_ITEM_STRING;
    item->len = s->len;
    item->owned = g_string_free(s, FALSE);
    item->data = item->owned;
    return TRUE;
}

/* Reads "{N}\r\n" followed by N bytes. The scanner already checked N
 * against the limit; this check stands on its own for callers that parse
 * a buffer that did not come through the scanner (fuzzers). */
static gboolean
read_literal(Cursor *c, MtImapItem *item, GError **error)
{
    const guint8 *q = c->p + 1;
    const guint8 *digits = q;
    guint64 n = 0;

    while (q < c->end && q - digits <= 21 && *q >= '0' && *q <= '9')
        q++;
    if (!parse_digits(digits, (gsize)(q - digits), &n)) {
        set_protocol_error(error, "invalid literal length in a server "
                                  "response");
        return FALSE;
    }
    if (q < c->end && *q == '+')
        q++;
    if (c->end - q < 3 || q[0] != '}' || q[1] != '\r' || q[2] != '\n') {
        set_protocol_error(error, "literal length not followed by CRLF in a "
                                  "server response");
        return FALSE;
    }
    q += 3;
    if (n > c->limits->max_literal || n > (guint64)(c->end - q)) {
        set_protocol_error(error,
                           "literal of %" G_GUINT64_FORMAT
                           " bytes is larger than the limit or the "
                           "response",
                           n);
        return FALSE;
    }
    item->type = MT_IMAP_ITEM_STRING;
    item->literal = TRUE;
    item->data = (const char *)q;
    item->len = (gsize)n;
    c->p = q + n;
    return TRUE;
}

static gboolean
is_number_text(const char *s, gsize n, guint64 *out)
{
    return parse_digits((const guint8 *)s, n, out);
}

/* Tokenises the rest of the response into a tree of items. Nesting is an
 * explicit stack bounded by max_depth. */
static gboolean
read_items(Cursor *c, GPtrArray *top, GError **error)
{
    GPtrArray *stack[MT_IMAP_MAX_DEPTH + 1];
    guint depth = 0;
    guint max_depth = MIN(c->limits->max_depth, MT_IMAP_MAX_DEPTH);

    stack[0] = top;
    for (;;) {
        MtImapItem *item;

        while (c->p < c->end && *c->p == ' ')
            c->p++;
        if (at_line_end(c)) {
            if (depth != 0) {
                set_protocol_error(error, "unbalanced parentheses in a "
                                          "server response");
                return FALSE;
            }
            return expect_final_eol(c, error);
        }
        if (*c->p == ')') {
            if (depth == 0) {
                set_protocol_error(error, "unbalanced parentheses in a "
                                          "server response");
                return FALSE;
            }
            depth--;
            c->p++;
            continue;
        }
        if (++c->items > c->limits->max_items) {
            set_protocol_error(error,
                               "more than %u items in one server "
                               "response",
                               c->limits->max_items);
            return FALSE;
        }
        item = g_new0(MtImapItem, 1);
        g_ptr_array_add(stack[depth], item);
        if (*c->p == '(') {
            if (depth >= max_depth) {
                set_protocol_error(error,
                                   "parentheses nested deeper than %u "
                                   "in a server response",
                                   max_depth);
                return FALSE;
            }
            item->type = MT_IMAP_ITEM_LIST;
            item->items = g_ptr_array_new_with_free_func(item_free);
            stack[++depth] = item->items;
            c->p++;
            continue;
        }
        if (*c->p == '"') {
            if (!read_quoted(c, item, error))
                return FALSE;
            continue;
        }
        if (*c->p == '{' ||
            (*c->p == '~' && c->end - c->p > 1 && c->p[1] == '{')) {
            /* "~{N}" is a binary literal (RFC 3516); same framing. */
            if (*c->p == '~')
                c->p++;
            if (!read_literal(c, item, error))
                return FALSE;
            continue;
        }
        if (!read_atom(c, &item->data, &item->len, error))
            return FALSE;
        if (item->len == 3 && g_ascii_strncasecmp(item->data, "NIL", 3) == 0)
            item->type = MT_IMAP_ITEM_NIL;
        else if (is_number_text(item->data, item->len, &item->number))
            item->type = MT_IMAP_ITEM_NUMBER;
        else
            item->type = MT_IMAP_ITEM_ATOM;
    }
}

/* Reads the resp-text of a status response: an optional [code] and the
 * rest of the first line as text. */
static gboolean
read_resp_text(Cursor *c, MtImapResponse *r, GError **error)
{
    const guint8 *eol;

    while (c->p < c->end && *c->p == ' ')
        c->p++;
    if (c->p < c->end && *c->p == '[') {
        const guint8 *q = c->p + 1;
        while (q < c->end && *q != ']' && *q != '\r' && *q != '\n')
            q++;
        if (q >= c->end || *q != ']') {
            set_protocol_error(error, "unterminated response code in a server "
                                      "response");
            return FALSE;
        }
        r->code = g_strndup((const char *)c->p + 1, (gsize)(q - c->p - 1));
        c->p = q + 1;
        while (c->p < c->end && *c->p == ' ')
            c->p++;
    }
    eol = c->p;
    while (eol < c->end && *eol != '\r' && *eol != '\n')
        eol++;
    r->text = g_strndup((const char *)c->p, (gsize)(eol - c->p));
    return TRUE;
}

/* "* SEARCH 1 5 9": numbers only, kept in a compact array because a big
 * mailbox can answer with millions. */
static gboolean
read_search(Cursor *c, MtImapResponse *r, GError **error)
{
    r->search = g_array_new(FALSE, FALSE, sizeof(guint32));
    for (;;) {
        const guint8 *start;
        guint64 n;

        while (c->p < c->end && *c->p == ' ')
            c->p++;
        if (at_line_end(c))
            return expect_final_eol(c, error);
        start = c->p;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
        if (!parse_digits(start, (gsize)(c->p - start), &n) || n == 0 ||
            n > G_MAXUINT32) {
            /* ESEARCH-style modifiers such as "(MODSEQ 5)" are not
             * requested, so anything but a number is a protocol error. */
            set_protocol_error(error, "invalid number in a SEARCH response");
            return FALSE;
        }
        if (r->search->len >= MT_IMAP_MAX_SEARCH) {
            set_protocol_error(error,
                               "more than %u numbers in a SEARCH "
                               "response",
                               MT_IMAP_MAX_SEARCH);
            return FALSE;
        }
        {
            guint32 v = (guint32)n;
            g_array_append_val(r->search, v);
        }
    }
}

static MtImapStatus
status_from_name(const char *name)
{
    if (g_ascii_strcasecmp(name, "OK") == 0)
        return MT_IMAP_STATUS_OK;
    if (g_ascii_strcasecmp(name, "NO") == 0)
        return MT_IMAP_STATUS_NO;
    if (g_ascii_strcasecmp(name, "BAD") == 0)
        return MT_IMAP_STATUS_BAD;
    if (g_ascii_strcasecmp(name, "PREAUTH") == 0)
        return MT_IMAP_STATUS_PREAUTH;
    if (g_ascii_strcasecmp(name, "BYE") == 0)
        return MT_IMAP_STATUS_BYE;
    return MT_IMAP_STATUS_NONE;
}

/* Reads a word made of atom characters (a tag or a response name). */
static char *
read_word(Cursor *c, gsize max)
{
    const guint8 *start = c->p;

    while (c->p < c->end && !atom_stop(*c->p) && *c->p != '[' &&
           (gsize)(c->p - start) < max)
        c->p++;
    if (c->p == start || (c->p < c->end && !atom_stop(*c->p) && *c->p != '['))
        return NULL;
    return g_strndup((const char *)start, (gsize)(c->p - start));
}

MtImapResponse *
mt_imap_response_parse(GBytes *bytes, const MtImapLimits *limits,
                       GError **error)
{
    g_autoptr(MtImapResponse) r = NULL;
    MtImapLimits defaults;
    Cursor c;
    gsize len = 0;
    char *word;

    g_return_val_if_fail(bytes != NULL, NULL);
    if (limits == NULL) {
        mt_imap_limits_init_default(&defaults);
        limits = &defaults;
    }
    r = g_new0(MtImapResponse, 1);
    r->bytes = g_bytes_ref(bytes);
    r->items = g_ptr_array_new_with_free_func(item_free);
    c.p = g_bytes_get_data(bytes, &len);
    c.end = c.p + len;
    c.limits = limits;
    c.items = 0;

    if (len == 0 || c.p[len - 1] != '\n') {
        set_protocol_error(error, "server response without a line end");
        return NULL;
    }
    if (c.p[0] == '+') {
        r->kind = MT_IMAP_RESP_CONTINUATION;
        c.p++;
        if (!read_resp_text(&c, r, error))
            return NULL;
        return g_steal_pointer(&r);
    }
    if (c.p[0] == '*') {
        r->kind = MT_IMAP_RESP_UNTAGGED;
        c.p++;
    } else {
        r->kind = MT_IMAP_RESP_TAGGED;
        r->tag = read_word(&c, 64);
        if (r->tag == NULL) {
            set_protocol_error(error, "server response without a valid tag");
            return NULL;
        }
    }
    if (c.p >= c.end || *c.p != ' ') {
        set_protocol_error(error, "server response without a space after "
                                  "its tag");
        return NULL;
    }
    c.p++;

    /* "* 3 EXISTS", "* 1 FETCH (...)": a number comes before the name. */
    if (r->kind == MT_IMAP_RESP_UNTAGGED && c.p < c.end && *c.p >= '0' &&
        *c.p <= '9') {
        const guint8 *start = c.p;
        while (c.p < c.end && *c.p >= '0' && *c.p <= '9')
            c.p++;
        if (!parse_digits(start, (gsize)(c.p - start), &r->number) ||
            c.p >= c.end || *c.p != ' ') {
            set_protocol_error(error, "invalid message number in a server "
                                      "response");
            return NULL;
        }
        r->has_number = TRUE;
        c.p++;
    }
    word = read_word(&c, 64);
    if (word == NULL) {
        set_protocol_error(error, "server response without a valid name");
        return NULL;
    }
    r->name = g_ascii_strup(word, -1);
    g_free(word);

    r->status = r->has_number ? MT_IMAP_STATUS_NONE : status_from_name(r->name);
    if (r->kind == MT_IMAP_RESP_TAGGED &&
        (r->status == MT_IMAP_STATUS_NONE ||
         r->status == MT_IMAP_STATUS_PREAUTH)) {
        set_protocol_error(error, "tagged server response is not OK, NO, BAD "
                                  "or BYE");
        return NULL;
    }
    if (r->status != MT_IMAP_STATUS_NONE) {
        if (!read_resp_text(&c, r, error))
            return NULL;
        return g_steal_pointer(&r);
    }
    if (strcmp(r->name, "SEARCH") == 0) {
        if (!read_search(&c, r, error))
            return NULL;
        return g_steal_pointer(&r);
    }
    if (!read_items(&c, r->items, error))
        return NULL;
    return g_steal_pointer(&r);
}

gboolean
mt_imap_code_number(const char *code, const char *name, guint64 *number)
{
    gsize n;
    const char *p;
    const char *start;

    if (code == NULL)
        return FALSE;
    n = strlen(name);
    if (g_ascii_strncasecmp(code, name, n) != 0 || code[n] != ' ')
        return FALSE;
    p = code + n + 1;
    start = p;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p != '\0' && *p != ' ')
        return FALSE;
    return parse_digits((const guint8 *)start, (gsize)(p - start), number);
}

char *
mt_imap_code_name(const char *code)
{
    gsize n = 0;

    if (code == NULL)
        return NULL;
    while (code[n] != '\0' && code[n] != ' ')
        n++;
    return g_ascii_strup(code, (gssize)n);
}

char *
mt_imap_item_dup(const MtImapItem *item)
{
    if (item == NULL || item->type == MT_IMAP_ITEM_LIST ||
        item->type == MT_IMAP_ITEM_NIL)
        return NULL;
    return g_strndup(item->data, item->len);
}

char **
mt_imap_item_flags(const MtImapItem *item, GError **error)
{
    GPtrArray *v;

    if (item == NULL || item->type != MT_IMAP_ITEM_LIST) {
        set_protocol_error(error, "FLAGS is not a list");
        return NULL;
    }
    v = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < item->items->len; i++) {
        const MtImapItem *f = g_ptr_array_index(item->items, i);
        /* A keyword made only of digits comes out as a NUMBER. */
        if (f->type != MT_IMAP_ITEM_ATOM && f->type != MT_IMAP_ITEM_NUMBER) {
            set_protocol_error(error, "a flag is not an atom");
            g_ptr_array_free(v, TRUE);
            return NULL;
        }
        g_ptr_array_add(v, g_strndup(f->data, f->len));
    }
    g_ptr_array_add(v, NULL);
    return (char **)g_ptr_array_free(v, FALSE);
}

static gboolean
item_is(const MtImapItem *item, const char *atom)
{
    return item->type == MT_IMAP_ITEM_ATOM && item->len == strlen(atom) &&
           g_ascii_strncasecmp(item->data, atom, item->len) == 0;
}

void
mt_imap_fetch_clear(MtImapFetch *f)
{
    if (f == NULL)
        return;
    g_strfreev(f->flags);
    g_free(f->internaldate);
    memset(f, 0, sizeof *f);
}

gboolean
mt_imap_fetch_parse(const MtImapResponse *r, MtImapFetch *f, GError **error)
{
    const MtImapItem *list;

    memset(f, 0, sizeof *f);
    if (r->kind != MT_IMAP_RESP_UNTAGGED || !r->has_number ||
        g_strcmp0(r->name, "FETCH") != 0) {
        set_protocol_error(error, "not a FETCH response");
        return FALSE;
    }
    if (r->items->len != 1 ||
        ((const MtImapItem *)g_ptr_array_index(r->items, 0))->type !=
            MT_IMAP_ITEM_LIST) {
        set_protocol_error(error, "FETCH response without its list");
        return FALSE;
    }
    f->seq = r->number;
    list = g_ptr_array_index(r->items, 0);
    if (list->items->len % 2 != 0) {
        set_protocol_error(error, "FETCH response with a name but no value");
        goto fail;
    }
    for (guint i = 0; i < list->items->len; i += 2) {
        const MtImapItem *key = g_ptr_array_index(list->items, i);
        const MtImapItem *val = g_ptr_array_index(list->items, i + 1);

        /* A name given twice with different values would make the record
         * ambiguous: refuse rather than pick one. */
        if (item_is(key, "UID")) {
            if (f->has_uid || val->type != MT_IMAP_ITEM_NUMBER ||
                val->number == 0 || val->number > G_MAXUINT32) {
                set_protocol_error(error, "invalid or repeated UID in a FETCH "
                                          "response");
                goto fail;
            }
            f->has_uid = TRUE;
            f->uid = (guint32)val->number;
        } else if (item_is(key, "FLAGS")) {
            if (f->flags != NULL) {
                set_protocol_error(error, "repeated FLAGS in a FETCH response");
                goto fail;
            }
            f->flags = mt_imap_item_flags(val, error);
            if (f->flags == NULL)
                goto fail;
        } else if (item_is(key, "INTERNALDATE")) {
            if (f->internaldate != NULL || val->type != MT_IMAP_ITEM_STRING ||
                val->literal || val->len > 64) {
                set_protocol_error(error, "invalid or repeated INTERNALDATE in "
                                          "a FETCH response");
                goto fail;
            }
            f->internaldate = g_strndup(val->data, val->len);
        } else if (item_is(key, "RFC822.SIZE")) {
            if (f->has_size || val->type != MT_IMAP_ITEM_NUMBER) {
                set_protocol_error(error, "invalid or repeated RFC822.SIZE in "
                                          "a FETCH response");
                goto fail;
            }
            f->has_size = TRUE;
            f->size = val->number;
        } else if (item_is(key, "BODY[]")) {
            if (f->has_body || (val->type != MT_IMAP_ITEM_STRING &&
                                val->type != MT_IMAP_ITEM_NIL)) {
                set_protocol_error(error, "invalid or repeated BODY[] in a "
                                          "FETCH response");
                goto fail;
            }
            if (val->type == MT_IMAP_ITEM_NIL) {
                set_protocol_error(error, "the server sent NIL for BODY[]");
                goto fail;
            }
            f->has_body = TRUE;
            f->body = (const guint8 *)val->data;
            f->body_len = val->len;
        } else if (key->type != MT_IMAP_ITEM_ATOM) {
            set_protocol_error(error, "FETCH item name is not an atom");
            goto fail;
        }
        /* Other items (MODSEQ, X-GM-MSGID, ...) were not asked for and
         * are ignored. */
    }
    return TRUE;
fail:
    mt_imap_fetch_clear(f);
    return FALSE;
}

/* An astring (atom, number, quoted or literal) as raw bytes. */
static gboolean
astring_get(const MtImapItem *item, char **out, gsize *len)
{
    if (item->type != MT_IMAP_ITEM_ATOM && item->type != MT_IMAP_ITEM_NUMBER &&
        item->type != MT_IMAP_ITEM_STRING)
        return FALSE;
    *out = g_strndup(item->data, item->len);
    *len = item->len;
    return TRUE;
}

/* The UTF-8 name for a wire name: INBOX is case-insensitive and never
 * encoded (RFC 3501 section 5.1); everything else is modified UTF-7. */
static char *
wire_name_decode(const char *wire, gsize len)
{
    if (memchr(wire, '\0', len) != NULL)
        return NULL;
    if (len == 5 && g_ascii_strncasecmp(wire, "INBOX", 5) == 0)
        return g_strdup("INBOX");
    return mt_imap_utf7_decode(wire, len, NULL);
}

void
mt_imap_list_entry_clear(MtImapListEntry *e)
{
    if (e == NULL)
        return;
    g_strfreev(e->attributes);
    g_free(e->wire_name);
    g_free(e->name);
    memset(e, 0, sizeof *e);
}

gboolean
mt_imap_list_parse(const MtImapResponse *r, MtImapListEntry *e, GError **error)
{
    const MtImapItem *attrs, *delim, *name;

    memset(e, 0, sizeof *e);
    if (r->kind != MT_IMAP_RESP_UNTAGGED ||
        (g_strcmp0(r->name, "LIST") != 0 && g_strcmp0(r->name, "LSUB") != 0)) {
        set_protocol_error(error, "not a LIST response");
        return FALSE;
    }
    if (r->items->len != 3) {
        set_protocol_error(error, "LIST response without attributes, "
                                  "delimiter and name");
        return FALSE;
    }
    attrs = g_ptr_array_index(r->items, 0);
    delim = g_ptr_array_index(r->items, 1);
    name = g_ptr_array_index(r->items, 2);
    e->attributes = mt_imap_item_flags(attrs, error);
    if (e->attributes == NULL)
        return FALSE;
    if (delim->type == MT_IMAP_ITEM_STRING && delim->len == 1) {
        e->delimiter = delim->data[0];
    } else if (delim->type != MT_IMAP_ITEM_NIL) {
        set_protocol_error(error, "LIST delimiter is not one character or "
                                  "NIL");
        mt_imap_list_entry_clear(e);
        return FALSE;
    }
    if (!astring_get(name, &e->wire_name, &e->wire_len)) {
        set_protocol_error(error, "LIST mailbox name is not a string");
        mt_imap_list_entry_clear(e);
        return FALSE;
    }
    e->name = wire_name_decode(e->wire_name, e->wire_len);
    return TRUE;
}

void
mt_imap_status_data_clear(MtImapStatusData *st)
{
    if (st == NULL)
        return;
    g_free(st->wire_name);
    memset(st, 0, sizeof *st);
}

gboolean
mt_imap_status_parse(const MtImapResponse *r, MtImapStatusData *st,
                     GError **error)
{
    const MtImapItem *name, *list;

    memset(st, 0, sizeof *st);
    if (r->kind != MT_IMAP_RESP_UNTAGGED || g_strcmp0(r->name, "STATUS") != 0 ||
        r->items->len != 2) {
        set_protocol_error(error, "not a STATUS response");
        return FALSE;
    }
    name = g_ptr_array_index(r->items, 0);
    list = g_ptr_array_index(r->items, 1);
    if (!astring_get(name, &st->wire_name, &st->wire_len) ||
        list->type != MT_IMAP_ITEM_LIST || list->items->len % 2 != 0) {
        set_protocol_error(error, "malformed STATUS response");
        mt_imap_status_data_clear(st);
        return FALSE;
    }
    for (guint i = 0; i < list->items->len; i += 2) {
        const MtImapItem *key = g_ptr_array_index(list->items, i);
        const MtImapItem *val = g_ptr_array_index(list->items, i + 1);

        if (val->type != MT_IMAP_ITEM_NUMBER) {
            set_protocol_error(error, "STATUS value is not a number");
            mt_imap_status_data_clear(st);
            return FALSE;
        }
        if (item_is(key, "MESSAGES")) {
            st->has_messages = TRUE;
            st->messages = val->number;
        } else if (item_is(key, "UNSEEN")) {
            st->has_unseen = TRUE;
            st->unseen = val->number;
        } else if (item_is(key, "UIDVALIDITY") && val->number <= G_MAXUINT32) {
            st->has_uidvalidity = TRUE;
            st->uidvalidity = (guint32)val->number;
        } else if (item_is(key, "UIDNEXT") && val->number <= G_MAXUINT32) {
            st->has_uidnext = TRUE;
            st->uidnext = (guint32)val->number;
        }
    }
    return TRUE;
}

/* ------------------------------------------------- modified UTF-7 */

/* RFC 3501 section 5.1.3: like UTF-7 (RFC 2152) but "&" shifts, "," takes
 * the place of "/" in base64, there is no padding, and every printable
 * ASCII character except "&" stands for itself. */
static const char mutf7_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
mutf7_value(guint8 ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == ',')
        return 63;
    return -1;
}

/* Appends UTF-16 code units as modified base64 between "&" and "-". */
static void
flush_utf16(GString *out, const guint16 *units, gsize n)
{
    guint32 bits = 0;
    int nbits = 0;

    g_string_append_c(out, '&');
    for (gsize i = 0; i < n; i++) {
        bits = (bits << 16) | units[i];
        nbits += 16;
        while (nbits >= 6) {
            nbits -= 6;
            g_string_append_c(out, mutf7_alphabet[(bits >> nbits) & 0x3f]);
        }
        bits &= (1u << nbits) - 1;
    }
    if (nbits > 0)
        g_string_append_c(out, mutf7_alphabet[(bits << (6 - nbits)) & 0x3f]);
    g_string_append_c(out, '-');
}

char *
mt_imap_utf7_encode(const char *utf8, gsize len, GError **error)
{
    const char *p = utf8;
    const char *end = utf8 + len;
    GString *out;
    GArray *units;

    g_return_val_if_fail(utf8 != NULL, NULL);
    if (!g_utf8_validate_len(utf8, len, NULL)) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "mailbox name is not valid UTF-8");
        return NULL;
    }
    out = g_string_sized_new(len + 8);
    units = g_array_new(FALSE, FALSE, sizeof(guint16));
    while (p < end) {
        gunichar ch = g_utf8_get_char(p);
        p = g_utf8_next_char(p);
        if (ch >= 0x20 && ch <= 0x7e) {
            if (units->len > 0) {
                flush_utf16(out, (const guint16 *)(void *)units->data,
                            units->len);
                g_array_set_size(units, 0);
            }
            if (ch == '&')
                g_string_append(out, "&-");
            else
                g_string_append_c(out, (char)ch);
            continue;
        }
        if (ch == 0) {
            g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                                "mailbox name holds a NUL");
            g_array_unref(units);
            g_string_free(out, TRUE);
            return NULL;
        }
        if (ch >= 0x10000) {
            guint16 hi = (guint16)(0xd800 + ((ch - 0x10000) >> 10));
            guint16 lo = (guint16)(0xdc00 + ((ch - 0x10000) & 0x3ff));
            g_array_append_val(units, hi);
            g_array_append_val(units, lo);
        } else {
            guint16 u = (guint16)ch;
            g_array_append_val(units, u);
        }
    }
    if (units->len > 0)
        flush_utf16(out, (const guint16 *)(void *)units->data, units->len);
    g_array_unref(units);
    return g_string_free(out, FALSE);
}

char *
mt_imap_utf7_decode(const char *mutf7, gsize len, GError **error)
{
    const guint8 *p = (const guint8 *)mutf7;
    const guint8 *end = p + len;
    GString *out;

    g_return_val_if_fail(mutf7 != NULL, NULL);
    out = g_string_sized_new(len);
    while (p < end) {
        guint32 bits = 0;
        int nbits = 0;
        guint32 high = 0; /* a pending high surrogate */
        gsize nunits = 0;

        if (*p != '&') {
            if (*p < 0x20 || *p > 0x7e)
                goto invalid;
            g_string_append_c(out, (char)*p++);
            continue;
        }
        p++;
        if (p < end && *p == '-') {
            g_string_append_c(out, '&');
            p++;
            continue;
        }
        for (;;) {
            int v;
            if (p >= end)
                goto invalid; /* a shift without its closing "-" */
            if (*p == '-') {
                p++;
                break;
            }
            v = mutf7_value(*p++);
            if (v < 0)
                goto invalid;
            bits = (bits << 6) | (guint32)v;
            nbits += 6;
            if (nbits >= 16) {
                guint32 u;
                nbits -= 16;
                u = (bits >> nbits) & 0xffff;
                bits &= (1u << nbits) - 1;
                nunits++;
                if (high != 0) {
                    if (u < 0xdc00 || u > 0xdfff)
                        goto invalid;
                    g_string_append_unichar(
                        out, 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00));
                    high = 0;
                } else if (u >= 0xd800 && u <= 0xdbff) {
                    high = u;
                } else if (u >= 0xdc00 && u <= 0xdfff) {
                    goto invalid;
                } else {
                    /* A NUL in a name cannot be sent back to the server
                     * as a C string; refuse it. */
                    if (u == 0)
                        goto invalid;
                    g_string_append_unichar(out, u);
                }
            }
        }
        /* "&-" alone is handled above; an empty shift "&" "-" cannot
         * occur here. Leftover bits must be fewer than 6 and zero, and no
         * high surrogate may be left waiting. */
        if (nunits == 0 || nbits >= 6 || bits != 0 || high != 0)
            goto invalid;
    }
    return g_string_free(out, FALSE);

invalid:
    g_string_free(out, TRUE);
    g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                        "mailbox name is not valid modified UTF-7");
    return NULL;
}

gboolean
mt_imap_append_quoted(GString *out, const char *s)
{
    if (strpbrk(s, "\r\n") != NULL)
        return FALSE;
    g_string_append_c(out, '"');
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
    g_string_append_c(out, '"');
    return TRUE;
}

/* ------------------------------------------------------- sequence sets */

/* One seq-number: a number from 1 to 2^32-1, or "*". */
static gboolean
set_number(const char **p, guint32 *out)
{
    const char *start = *p;
    guint64 v;

    if (**p == '*') {
        (*p)++;
        *out = G_MAXUINT32;
        return TRUE;
    }
    while (**p >= '0' && **p <= '9')
        (*p)++;
    if (!parse_digits((const guint8 *)start, (gsize)(*p - start), &v) ||
        v == 0 || v > G_MAXUINT32)
        return FALSE;
    *out = (guint32)v;
    return TRUE;
}

GArray *
mt_imap_set_parse(const char *text, GArray *singles, GError **error)
{
    GArray *ranges;
    const char *p = text;

    g_return_val_if_fail(text != NULL, NULL);
    if (strlen(text) > 10000) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "message set longer than 10000 characters");
        return NULL;
    }
    ranges = g_array_new(FALSE, FALSE, sizeof(MtImapRange));
    for (;;) {
        MtImapRange r;
        gboolean range = FALSE;

        if (!set_number(&p, &r.lo))
            goto bad;
        r.hi = r.lo;
        if (*p == ':') {
            p++;
            if (!set_number(&p, &r.hi))
                goto bad;
            range = TRUE;
        }
        if (r.lo > r.hi) {
            guint32 t = r.lo;
            r.lo = r.hi;
            r.hi = t;
        }
        g_array_append_val(ranges, r);
        if (!range && r.lo != G_MAXUINT32 && singles != NULL)
            g_array_append_val(singles, r.lo);
        if (*p == '\0')
            return ranges;
        if (*p != ',')
            goto bad;
        p++;
    }
bad:
    g_array_unref(ranges);
    g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                "invalid message set \"%s\": use numbers, ranges and commas, "
                "for example 5, 1:10 or 3,7,9",
                text);
    return NULL;
}

gboolean
mt_imap_set_contains(const GArray *ranges, guint32 n)
{
    for (guint i = 0; i < ranges->len; i++) {
        const MtImapRange *r = &g_array_index(ranges, MtImapRange, i);
        if (n >= r->lo && n <= r->hi)
            return TRUE;
    }
    return FALSE;
}

char *
mt_imap_set_format(const guint32 *numbers, guint n)
{
    GString *out = g_string_new(NULL);
    guint i = 0;

    while (i < n) {
        guint j = i;
        while (j + 1 < n && numbers[j + 1] == numbers[j] + 1)
            j++;
        if (out->len > 0)
            g_string_append_c(out, ',');
        if (j == i)
            g_string_append_printf(out, "%u", numbers[i]);
        else
            g_string_append_printf(out, "%u:%u", numbers[i], numbers[j]);
        i = j + 1;
    }
    return g_string_free(out, FALSE);
}
