/* SPDX-License-Identifier: MIT */
/*
 * pop3-parse.c: the POP3 reply parser (RFC 1939, RFC 2449 for CAPA), as
 * pure functions over byte buffers. A multi-line reply is dot-stuffed: the
 * server doubles a leading "." on every data line and ends the reply with
 * a line holding a single "."; undoing that must work whatever way the
 * bytes are split across reads, must never grow past the caller's limit,
 * and must count what it changed, because the record of an acquisition
 * says how the bytes that were saved differ from the bytes on the wire.
 */
#include <string.h>

#include "acquire-private.h"

gboolean
mt_pop3_status_parse(const char *line, gsize len, gboolean *ok, char **text,
                     GError **error)
{
    gsize skip, end;

    g_return_val_if_fail(line != NULL && ok != NULL, FALSE);
    if (len >= 3 && memcmp(line, "+OK", 3) == 0) {
        *ok = TRUE;
        skip = 3;
    } else if (len >= 4 && memcmp(line, "-ERR", 4) == 0) {
        *ok = FALSE;
        skip = 4;
    } else {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "server reply starts with neither +OK nor -ERR");
        return FALSE;
    }
    /* The status word is followed by a space and text, or by the line end
     * directly; "+OKAY" is not a status. */
    if (skip < len && line[skip] != ' ' && line[skip] != '\r' &&
        line[skip] != '\n') {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "server reply starts with neither +OK nor -ERR");
        return FALSE;
    }
    if (skip < len && line[skip] == ' ')
        skip++;
    end = len;
    while (end > skip && (line[end - 1] == '\n' || line[end - 1] == '\r'))
        end--;
    if (memchr(line + skip, '\0', end - skip) != NULL) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "NUL byte in a server reply");
        return FALSE;
    }
    if (text != NULL)
        *text = g_strndup(line + skip, end - skip);
    return TRUE;
}

gboolean
mt_pop3_octets_parse(const char *text, guint64 *octets)
{
    const char *p = text;
    guint64 v = 0;
    gsize digits = 0;

    if (text == NULL)
        return FALSE;
    while (*p >= '0' && *p <= '9') {
        guint d = (guint)(*p - '0');
        if (++digits > 20 || v > (G_MAXUINT64 - d) / 10)
            return FALSE;
        v = v * 10 + d;
        p++;
    }
    if (digits == 0 || *p != ' ')
        return FALSE;
    p++;
    if (g_ascii_strncasecmp(p, "octets", 6) != 0 ||
        (p[6] != '\0' && p[6] != ' '))
        return FALSE;
    *octets = v;
    return TRUE;
}

/* States of the unstuffer. */
enum {
    BODY_LINE_START, /* at the first byte of a line */
    BODY_IN_LINE,    /* inside a line */
    BODY_DOT,        /* a line started with "." */
    BODY_DOT_CR,     /* a line started with ".\r" */
};

void
mt_pop3_body_init(MtPop3Body *b, guint64 max_bytes)
{
    memset(b, 0, sizeof *b);
    b->out = g_byte_array_new();
    b->max_bytes = max_bytes;
    b->state = BODY_LINE_START;
}

void
mt_pop3_body_clear(MtPop3Body *b)
{
    if (b == NULL)
        return;
    if (b->out)
        g_byte_array_unref(b->out);
    memset(b, 0, sizeof *b);
}

static gboolean
body_append(MtPop3Body *b, const guint8 *data, gsize n, GError **error)
{
    /* GByteArray counts in guint: the limit keeps far below that. */
    if ((guint64)b->out->len + n > b->max_bytes ||
        (guint64)b->out->len + n > G_MAXUINT32 / 2) {
        g_set_error(
            error, MT_ERROR, MT_ERROR_LIMIT,
            "server reply is larger than the limit of %" G_GUINT64_FORMAT
            " bytes",
            b->max_bytes);
        return FALSE;
    }
    g_byte_array_append(b->out, data, (guint)n);
    return TRUE;
}

MtPop3BodyStatus
mt_pop3_body_feed(MtPop3Body *b, const guint8 *data, gsize len, gsize *consumed,
                  GError **error)
{
    gsize i = 0;

    g_return_val_if_fail(b != NULL && b->out != NULL && consumed != NULL,
                         MT_POP3_BODY_ERROR);
    *consumed = 0;
    if (b->done)
        return MT_POP3_BODY_DONE;
    while (i < len) {
        const guint8 *lf;
        gsize n;

        switch (b->state) {
        case BODY_LINE_START:
            if (data[i] == '.') {
                b->state = BODY_DOT;
                i++;
            } else {
                b->state = BODY_IN_LINE;
            }
            break;
        case BODY_DOT:
            if (data[i] == '\r') {
                b->state = BODY_DOT_CR;
                i++;
            } else if (data[i] == '\n') {
                /* ".\n": a server that ends lines with bare LF. */
                b->lf_terminator = TRUE;
                b->done = TRUE;
                *consumed = i + 1;
                return MT_POP3_BODY_DONE;
            } else {
                /* RFC 1939 section 3: a leading "." not followed by CRLF
                 * is removed, whatever comes next. */
                b->unstuffed++;
                b->state = BODY_IN_LINE;
            }
            break;
        case BODY_DOT_CR:
            if (data[i] == '\n') {
                b->done = TRUE;
                *consumed = i + 1;
                return MT_POP3_BODY_DONE;
            }
            /* ".\r" then something else: the dot goes, the CR stays. */
            b->unstuffed++;
            if (!body_append(b, (const guint8 *)"\r", 1, error))
                return MT_POP3_BODY_ERROR;
            b->state = BODY_IN_LINE;
            break;
        default: /* BODY_IN_LINE */
            lf = memchr(data + i, '\n', len - i);
            n = lf ? (gsize)(lf - (data + i)) + 1 : len - i;
            if (!body_append(b, data + i, n, error))
                return MT_POP3_BODY_ERROR;
            i += n;
            if (lf) {
                b->lines++;
                if (b->out->len < 2 || b->out->data[b->out->len - 2] != '\r')
                    b->bare_lf++;
                b->state = BODY_LINE_START;
            }
            break;
        }
    }
    *consumed = len;
    return MT_POP3_BODY_MORE;
}

gboolean
mt_pop3_uidl_valid(const char *uidl, gsize len)
{
    if (len == 0 || len > 70)
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        if ((guchar)uidl[i] < 0x21 || (guchar)uidl[i] > 0x7e)
            return FALSE;
    }
    return TRUE;
}

gboolean
mt_pop3_listing_parse(const char *line, gsize len, guint64 *number,
                      char **value, GError **error)
{
    gsize i = 0, end = len;
    guint64 v = 0;

    while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r'))
        end--;
    while (i < end && line[i] >= '0' && line[i] <= '9') {
        guint d = (guint)(line[i] - '0');
        if (i >= 20 || v > (G_MAXUINT64 - d) / 10)
            break;
        v = v * 10 + d;
        i++;
    }
    if (i == 0 || v == 0 || i >= end || line[i] != ' ' || i + 1 >= end ||
        memchr(line, '\0', end) != NULL) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "malformed line in a POP3 listing");
        return FALSE;
    }
    *number = v;
    if (value)
        *value = g_strndup(line + i + 1, end - i - 1);
    return TRUE;
}

char **
mt_pop3_split_lines(const guint8 *data, gsize len, guint max_lines,
                    GError **error)
{
    GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
    gsize i = 0;

    while (i < len) {
        const guint8 *lf = memchr(data + i, '\n', len - i);
        gsize end = lf ? (gsize)(lf - data) : len;
        gsize stop = end;

        if (v->len >= max_lines) {
            g_set_error(error, MT_ERROR, MT_ERROR_PROTOCOL,
                        "more than %u lines in a POP3 listing", max_lines);
            g_ptr_array_free(v, TRUE);
            return NULL;
        }
        if (stop > i && data[stop - 1] == '\r')
            stop--;
        g_ptr_array_add(v, g_strndup((const char *)data + i, stop - i));
        i = end + 1;
    }
    g_ptr_array_add(v, NULL);
    return (char **)g_ptr_array_free(v, FALSE);
}
