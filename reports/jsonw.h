/* SPDX-License-Identifier: MIT */
/*
 * jsonw.h: a streaming JSON writer. The report serializers write straight
 * into a growing GString instead of building a jansson tree and dumping
 * it: a report has thousands of values, and a tree costs one allocation
 * (and one free) for each of them.
 *
 * The bytes are those jansson writes, so that switching cost nothing in
 * compatibility: json_dumps(JSON_COMPACT) in compact mode and
 * json_dumpf(JSON_INDENT(n)) in indented mode, strings escaped as jansson
 * does by default (no JSON_ENSURE_ASCII, no JSON_ESCAPE_SLASH), reals
 * written as "%.17g" with ".0" added to integral values.
 *
 * The writer also keeps jansson's one silent rule for bad values: a value
 * jansson cannot make (json_string() of NULL or of invalid UTF-8,
 * json_real() of NaN or infinity) is left out of its object together with
 * its key, or out of its array, as json_object_set_new() and
 * json_array_append_new() do with a NULL value.
 *
 * Usage: mt_jw_init() over a GString, then object/array begin and end
 * calls with values between; in an object, mt_jw_key() before each value.
 * The writer puts in commas, colons and the indentation itself.
 */
#ifndef MT_JSONW_H
#define MT_JSONW_H

#include <glib.h>

G_BEGIN_DECLS

/* Containers nested deeper than this are left out, with their key, as a
 * whole (mt_jw_truncated() tells): the writer never recurses and keeps its
 * state in a fixed array. The analyzer's limits stay far below it
 * (max-mime-depth 1000 at most; a part takes two levels). */
#define MT_JW_MAX_DEPTH 4096

/* The state; the fields are the writer's own. Initialize with
 * mt_jw_init(). */
typedef struct {
    GString *out;       /* borrowed: where the text goes */
    const char *key;    /* the key for the next value, or NULL */
    guint indent;       /* spaces per level; 0 for compact */
    guint depth;        /* open containers written */
    guint skip;         /* open containers left out, inside the others */
    gboolean truncated; /* a container was left out for depth */
    guint8 frames[MT_JW_MAX_DEPTH];
} MtJsonWriter;

/* Starts a writer appending to out (borrowed, it must outlive the
 * writer). indent 0 writes compact JSON as json_dumps(JSON_COMPACT);
 * 1 to 31 as json_dumpf(JSON_INDENT(indent)). */
void mt_jw_init(MtJsonWriter *w, GString *out, guint indent);
/* TRUE when every container begun has been ended. */
gboolean mt_jw_complete(const MtJsonWriter *w);
/* TRUE when a container deeper than MT_JW_MAX_DEPTH was left out. */
gboolean mt_jw_truncated(const MtJsonWriter *w);

void mt_jw_object_begin(MtJsonWriter *w);
void mt_jw_object_end(MtJsonWriter *w);
void mt_jw_array_begin(MtJsonWriter *w);
void mt_jw_array_end(MtJsonWriter *w);

/* The key of the next value in the current object. key is borrowed until
 * that value is written, and must be valid UTF-8 (a literal, or checked
 * by the caller). A key whose value is left out writes nothing. */
void mt_jw_key(MtJsonWriter *w, const char *key);

/* A string of valid UTF-8. As json_string(): NULL or invalid UTF-8 writes
 * nothing and drops the key. For text the program made itself (names
 * from tables, dates, hashes). */
void mt_jw_string(MtJsonWriter *w, const char *utf8);
/* Bytes that may not be UTF-8 (attacker text), escaped as
 * mt_escape_bytes() does (each invalid byte and NUL as \xHH, backslashes
 * doubled) when they are not UTF-8, as they are otherwise; null for NULL.
 * The same value as mt_json_bytes(). Returns TRUE when the bytes were
 * escaped. */
gboolean mt_jw_bytes(MtJsonWriter *w, const char *bytes, gsize len);
/* A C string through mt_jw_bytes(), or null for NULL (as
 * mt_json_string_or_null()). */
void mt_jw_string_or_null(MtJsonWriter *w, const char *text);
void mt_jw_int(MtJsonWriter *w, gint64 value);
/* value, or null when it is negative (the model's "unknown"). */
void mt_jw_int_or_null(MtJsonWriter *w, gint64 value);
void mt_jw_bool(MtJsonWriter *w, gboolean value);
void mt_jw_null(MtJsonWriter *w);
/* A real as jansson writes it; NaN and infinities, which JSON cannot
 * hold, write nothing and drop the key (as json_real()). */
void mt_jw_real(MtJsonWriter *w, double value);

/* Members in one call each, key then value, in the words of the
 * json_object_set_new() calls they replace: _str is mt_jw_string_or_null()
 * (attacker bytes, or null), _string is mt_jw_string() (the program's own
 * UTF-8, dropped with its key when NULL), the others as named. */
static inline void
mt_jw_set_str(MtJsonWriter *w, const char *key, const char *text)
{
    mt_jw_key(w, key);
    mt_jw_string_or_null(w, text);
}

static inline void
mt_jw_set_string(MtJsonWriter *w, const char *key, const char *utf8)
{
    mt_jw_key(w, key);
    mt_jw_string(w, utf8);
}

static inline void
mt_jw_set_int(MtJsonWriter *w, const char *key, gint64 value)
{
    mt_jw_key(w, key);
    mt_jw_int(w, value);
}

static inline void
mt_jw_set_int_or_null(MtJsonWriter *w, const char *key, gint64 value)
{
    mt_jw_key(w, key);
    mt_jw_int_or_null(w, value);
}

static inline void
mt_jw_set_bool(MtJsonWriter *w, const char *key, gboolean value)
{
    mt_jw_key(w, key);
    mt_jw_bool(w, value);
}

static inline void
mt_jw_set_null(MtJsonWriter *w, const char *key)
{
    mt_jw_key(w, key);
    mt_jw_null(w);
}

G_END_DECLS

#endif /* MT_JSONW_H */
