/* SPDX-License-Identifier: MIT */
/*
 * jsonw.c: the streaming JSON writer (jsonw.h). It writes the bytes
 * jansson's dump.c writes for the same values, so that the reports did not
 * change by one byte when the serializers stopped building trees: the
 * same escapes (the two-letter ones, other control characters as \u00XX
 * in upper case, everything else, DEL and UTF-8 included, as it is), the
 * same separators, the same indentation and the same numbers.
 *
 * Each open container is one byte in a fixed array (object or array, and
 * whether it has members yet), so nesting costs no allocation and no
 * recursion; what is nested deeper than the array holds is counted and
 * left out as a whole, so the text stays valid JSON.
 */
#include <math.h>
#include <string.h>

#include "jsonw.h"
#include "mailtrail.h"

#define FRAME_OBJECT 0x01u
#define FRAME_ITEMS 0x02u

/* What each byte is to a JSON string: most go out as they are; the
 * control characters (RFC 8259 7), the quote and the backslash need an
 * escape; a byte from 0x80 up starts or continues a UTF-8 sequence, which
 * has to be checked when the text was not; NUL is never valid UTF-8 for
 * GLib (nor for mt_escape_bytes()). */
enum { PLAIN, ESCAPE, HIGH, NUL };
#define E16 ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, \
            ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE
#define P16 PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, \
            PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN
#define H16 HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH,    \
            HIGH, HIGH, HIGH, HIGH, HIGH, HIGH
static const guint8 byte_class[256] = {
    /* 0x00-0x1F */
    NUL, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE,
    ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, ESCAPE, E16,
    /* 0x20-0x2F: '"' */
    PLAIN, PLAIN, ESCAPE, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN,
    PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN,
    P16, P16, /* 0x30-0x4F */
    /* 0x50-0x5F: '\\' */
    PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN,
    PLAIN, PLAIN, PLAIN, PLAIN, ESCAPE, PLAIN, PLAIN, PLAIN,
    P16, P16, /* 0x60-0x7F: DEL is written as it is, as jansson does */
    H16, H16, H16, H16, H16, H16, H16, H16, /* 0x80-0xFF */
};
#undef E16
#undef P16
#undef H16

static const char spaces[] = "                                ";

void
mt_jw_init(MtJsonWriter *w, GString *out, guint indent)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(out != NULL);

    w->out = out;
    w->key = NULL;
    /* jansson keeps five bits of indentation (JSON_INDENT(n) is n &
     * 0x1F). */
    w->indent = indent & 0x1Fu;
    w->depth = 0;
    w->skip = 0;
    w->truncated = FALSE;
}

gboolean
mt_jw_complete(const MtJsonWriter *w)
{
    g_return_val_if_fail(w != NULL, FALSE);
    return w->depth == 0 && w->skip == 0;
}

gboolean
mt_jw_truncated(const MtJsonWriter *w)
{
    g_return_val_if_fail(w != NULL, FALSE);
    return w->truncated;
}

/* GLib before 2.76 has no inline g_string_append_len(), and a call per
 * run of text was a third of the writer's time. */
static inline void
append(GString *out, const char *p, gsize n)
{
    if (G_UNLIKELY(out->len + n >= out->allocated_len)) {
        g_string_append_len(out, p, (gssize)n);
        return;
    }
    memcpy(out->str + out->len, p, n);
    out->len += n;
    out->str[out->len] = '\0';
}

/* A newline and the indentation of level depth (dump.c dump_indent). */
static void
newline(MtJsonWriter *w, guint depth)
{
    gsize n = (gsize)depth * w->indent;

    g_string_append_c(w->out, '\n');
    while (n > 0) {
        gsize chunk = MIN(n, sizeof spaces - 1);
        append(w->out, spaces, chunk);
        n -= chunk;
    }
}

/* The first byte from p that is not PLAIN (nor HIGH, with high_ok), or
 * end. Eight bytes at a time while none of them is a control character,
 * '"', '\\' or (without high_ok) from 0x80 up, with the usual bit tricks
 * (a byte below n: (v - n * 0x01..) & ~v & 0x80..; a zero byte: the
 * same with n = 1, after an XOR with the byte looked for). */
static inline const guchar *
skip_plain(const guchar *p, const guchar *end, gboolean high_ok)
{
    const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
    const guint64 highs = G_GUINT64_CONSTANT(0x8080808080808080);

    while (end - p >= 8) {
        guint64 v, quote, backslash, hit;

        memcpy(&v, p, 8);
        quote = v ^ (ones * '"');
        backslash = v ^ (ones * '\\');
        hit = ((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) |
              ((backslash - ones) & ~backslash);
        hit &= highs;
        if (!high_ok)
            hit |= v & highs;
        if (hit)
            break;
        p += 8;
    }
    while (p < end && (byte_class[*p] == PLAIN ||
                       (high_ok && byte_class[*p] == HIGH)))
        p++;
    return p;
}

/* s as a JSON string. The runs between the bytes that need an escape go
 * out in one append each: in mail text those bytes are rare. With check,
 * s may not be UTF-8: then nothing is written and the result is FALSE.
 * The check costs nothing on ASCII, which is most of a report: the first
 * byte from 0x80 up has the rest validated once. */
static gboolean
put_string(GString *out, const char *s, gsize len, gboolean check)
{
    static const char hex[] = "0123456789ABCDEF";
    const guchar *p = (const guchar *)s;
    const guchar *end = p + len;
    const guchar *run = p;
    gsize mark = out->len;

    g_string_append_c(out, '"');
    while (p < end) {
        char esc[6] = {'\\', 'u', '0', '0', 0, 0};
        gsize esc_len = 2;
        guint8 cls;

        p = skip_plain(p, end, !check);
        if (p >= end)
            break;
        cls = byte_class[*p];
        if (cls == HIGH) {
            if (check) {
                if (!g_utf8_validate_len((const char *)p, (gsize)(end - p),
                                         NULL))
                    goto invalid;
                check = FALSE;
            }
            p++;
            continue;
        }
        if (cls == NUL && check)
            goto invalid;
        if (p > run)
            append(out, (const char *)run, (gsize)(p - run));
        switch (*p) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            /* jansson writes "\\u%04X": upper-case hex digits. */
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 0x0F];
            esc_len = 6;
            break;
        }
        append(out, esc, esc_len);
        p++;
        run = p;
    }
    if (p > run)
        append(out, (const char *)run, (gsize)(p - run));
    g_string_append_c(out, '"');
    return TRUE;

invalid:
    g_string_truncate(out, mark);
    return FALSE;
}

/* Writes what goes before a value (comma, indentation, key and colon).
 * Returns FALSE when the value must be left out: inside a container left
 * out, or (API misuse) in an object without a key. Clears the key. */
static gboolean
value_begin(MtJsonWriter *w)
{
    const char *key = w->key;
    guint8 *frame;

    w->key = NULL;
    if (w->skip > 0)
        return FALSE;
    if (w->depth == 0)
        return TRUE;
    frame = &w->frames[w->depth - 1];
    if ((*frame & FRAME_OBJECT) && key == NULL) {
        /* API misuse, checked even where g_return_if_fail() is compiled
         * out: the key is written below. */
        g_critical("%s: a value in an object without a key", G_STRFUNC);
        return FALSE;
    }
    if (*frame & FRAME_ITEMS)
        g_string_append_c(w->out, ',');
    *frame |= FRAME_ITEMS;
    if (w->indent > 0)
        newline(w, w->depth);
    if (*frame & FRAME_OBJECT) {
        put_string(w->out, key, strlen(key), FALSE);
        if (w->indent > 0)
            append(w->out, ": ", 2);
        else
            g_string_append_c(w->out, ':');
    }
    return TRUE;
}

/* A value jansson would not have made: the key goes with it. */
static void
value_drop(MtJsonWriter *w)
{
    w->key = NULL;
}

static void
container_begin(MtJsonWriter *w, guint8 kind, char open)
{
    if (w->skip > 0 || w->depth >= MT_JW_MAX_DEPTH) {
        if (w->skip == 0)
            w->truncated = TRUE;
        w->key = NULL;
        w->skip++;
        return;
    }
    if (!value_begin(w)) {
        w->skip++;
        return;
    }
    g_string_append_c(w->out, open);
    w->frames[w->depth++] = kind;
}

static void
container_end(MtJsonWriter *w, guint8 kind, char close)
{
    guint8 frame;

    w->key = NULL;
    if (w->skip > 0) {
        w->skip--;
        return;
    }
    g_return_if_fail(w->depth > 0);
    frame = w->frames[w->depth - 1];
    g_return_if_fail((frame & FRAME_OBJECT) == kind);
    w->depth--;
    /* dump.c: an empty container closes on the same line. */
    if ((frame & FRAME_ITEMS) && w->indent > 0)
        newline(w, w->depth);
    g_string_append_c(w->out, close);
}

void
mt_jw_object_begin(MtJsonWriter *w)
{
    g_return_if_fail(w != NULL);
    container_begin(w, FRAME_OBJECT, '{');
}

void
mt_jw_object_end(MtJsonWriter *w)
{
    g_return_if_fail(w != NULL);
    container_end(w, FRAME_OBJECT, '}');
}

void
mt_jw_array_begin(MtJsonWriter *w)
{
    g_return_if_fail(w != NULL);
    container_begin(w, 0, '[');
}

void
mt_jw_array_end(MtJsonWriter *w)
{
    g_return_if_fail(w != NULL);
    container_end(w, 0, ']');
}

void
mt_jw_key(MtJsonWriter *w, const char *key)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(key != NULL);
    w->key = key;
}

void
mt_jw_string(MtJsonWriter *w, const char *utf8)
{
    gsize mark;
    guint8 frame;

    g_return_if_fail(w != NULL);
    if (utf8 == NULL) {
        value_drop(w);
        return;
    }
    mark = w->out->len;
    frame = w->depth > 0 ? w->frames[w->depth - 1] : 0;
    if (!value_begin(w))
        return;
    /* json_string() checks with its own UTF-8 validator, which rejects
     * what GLib's does: overlong forms, surrogates, code points past
     * U+10FFFF and stray or missing continuation bytes. Text it refuses
     * takes its key and comma back out. */
    if (!put_string(w->out, utf8, strlen(utf8), TRUE)) {
        g_string_truncate(w->out, mark);
        if (w->depth > 0)
            w->frames[w->depth - 1] = frame;
    }
}

gboolean
mt_jw_bytes(MtJsonWriter *w, const char *bytes, gsize len)
{
    g_autofree char *escaped = NULL;

    g_return_val_if_fail(w != NULL, FALSE);
    if (bytes == NULL) {
        mt_jw_null(w);
        return FALSE;
    }
    if (!value_begin(w))
        return !g_utf8_validate_len(bytes, len, NULL);
    /* Valid UTF-8 (which holds no NUL) is what mt_escape_bytes() would
     * have copied unchanged: write it from where it is. */
    if (put_string(w->out, bytes, len, TRUE))
        return FALSE;
    escaped = mt_escape_bytes(bytes, len, NULL);
    put_string(w->out, escaped, strlen(escaped), FALSE);
    return TRUE;
}

void
mt_jw_string_or_null(MtJsonWriter *w, const char *text)
{
    g_return_if_fail(w != NULL);
    if (text == NULL)
        mt_jw_null(w);
    else
        mt_jw_bytes(w, text, strlen(text));
}

void
mt_jw_int(MtJsonWriter *w, gint64 value)
{
    char buf[24];
    char *p = buf + sizeof buf;
    /* In unsigned arithmetic, so that G_MININT64 has a magnitude. */
    guint64 mag = value < 0 ? 0u - (guint64)value : (guint64)value;

    g_return_if_fail(w != NULL);
    if (!value_begin(w))
        return;
    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    if (value < 0)
        *--p = '-';
    append(w->out, p, (gsize)(buf + sizeof buf - p));
}

void
mt_jw_int_or_null(MtJsonWriter *w, gint64 value)
{
    if (value < 0)
        mt_jw_null(w);
    else
        mt_jw_int(w, value);
}

void
mt_jw_bool(MtJsonWriter *w, gboolean value)
{
    g_return_if_fail(w != NULL);
    if (value_begin(w))
        append(w->out, value ? "true" : "false", value ? 4 : 5);
}

void
mt_jw_null(MtJsonWriter *w)
{
    g_return_if_fail(w != NULL);
    if (value_begin(w))
        append(w->out, "null", 4);
}

void
mt_jw_real(MtJsonWriter *w, double value)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE + 8];
    gsize len;
    char *e;

    g_return_if_fail(w != NULL);
    if (!isfinite(value)) {
        value_drop(w);
        return;
    }
    if (!value_begin(w))
        return;
    /* strconv.c jsonp_dtostr(): "%.17g" with '.' as the decimal point
     * whatever the locale, ".0" when neither '.' nor 'e' came out (so
     * that a reader sees a real), then no '+' and no leading zeros in
     * the exponent ("1e+20" is "1e20", "1e-05" is "1e-5"). */
    g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, "%.17g", value);
    len = strlen(buf);
    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    e = strchr(buf, 'e');
    if (e != NULL) {
        char *start = e + 1;
        char *digits = start + 1;

        if (*start == '-')
            start++;
        while (*digits == '0')
            digits++;
        if (digits != start) {
            memmove(start, digits, len - (gsize)(digits - buf) + 1);
            len -= (gsize)(digits - start);
        }
    }
    append(w->out, buf, len);
}
