/* SPDX-License-Identifier: MIT */
/*
 * escape.c: turning attacker-supplied bytes into text that can be written
 * to JSON or a terminal without losing information. Header values in real
 * mail often carry raw 8-bit bytes in an unknown charset; the report must
 * keep them recoverable rather than replace them with U+FFFD.
 */
#include "mailtrail-private.h"

char *
mt_escape_bytes(const char *bytes, gsize len, gboolean *escaped)
{
    const char *end = bytes + len;
    const char *p = bytes;
    gboolean valid = g_utf8_validate_len(bytes, len, NULL);

    if (escaped)
        *escaped = !valid;
    if (valid)
        return g_strndup(bytes, len);

    /* A NUL is not valid in a C string either: escape it too. Every
     * backslash is doubled so that "\xHH" in the original cannot be
     * confused with an escaped byte. */
    GString *out = g_string_sized_new(len + 16);
    while (p < end) {
        const char *next = NULL;
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2 || c == 0) {
            g_string_append_printf(out, "\\x%02X", (guchar)*p);
            p++;
            continue;
        }
        next = g_utf8_next_char(p);
        if (c == '\\')
            g_string_append(out, "\\\\");
        else
            g_string_append_len(out, p, next - p);
        p = next;
    }
    return g_string_free(out, FALSE);
}
