/* SPDX-License-Identifier: MIT */
/*
 * body.c: the text bodies of a message as a person would read them, and
 * the uuencoded files hidden in them.
 *
 * A text part's charset label is a claim by the sending program, and real
 * mail breaks it all the time: no label on 8-bit text, "us-ascii" on
 * Shift_JIS, "iso-8859-1" on UTF-8 pasted from a web form, "uft-8",
 * "x-unknown", or ISO-2022-JP escapes under a Latin label after a mailing
 * list rewrote the header. A reader that trusts the label shows mojibake,
 * and a filter that trusts it matches nothing: both are why spam tools
 * mislabel on purpose. So the bytes are checked against the label by
 * their structure (UTF-8 validity, ISO-2022-JP escapes, byte order marks,
 * Shift_JIS and EUC-JP pair shapes), the label is overridden only when the
 * bytes clearly say otherwise, and every override is written down in
 * charset_note and, where it matters, as a finding. The decoded text is
 * always valid UTF-8 without NUL bytes, and everything here is linear in
 * the body's length, which may be tens of megabytes.
 *
 * The second half finds "begin 644 name" blocks (uuencode, and the POSIX
 * "begin-base64" form) in text bodies: pre-MIME mailers and some malware
 * campaigns still carry attachments this way, where a MIME-only scanner
 * sees nothing but text.
 */
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "mime-private.h"
#include "rfc2047-private.h"

#define MAX_LABEL 64
/* Bytes of an HTML body searched for a <meta> charset: WHATWG's prescan
 * reads 1024, but mail HTML often carries long style blocks first. */
#define META_SCAN_BYTES 8192
/* Bytes of an HTML body parsed for its preview. The preview is a prefix of
 * the visible text, so a prefix of the source gives it; links.c parses the
 * whole body. */
#define HTML_PREVIEW_BYTES ((gsize)16 << 20)
/* A share of NUL bytes at odd (or even) offsets above this, with almost
 * none at the others, in at least UTF16_MIN bytes, is UTF-16 text of
 * mostly Latin characters. */
#define UTF16_NUL_SHARE 0.5
#define UTF16_NUL_OTHER 0.05
#define UTF16_MIN 16

/* --- What the bytes are -------------------------------------------------- */

/* One pass over the bytes: everything the charset decision needs. */
typedef struct {
    gsize high;       /* bytes >= 0x80 */
    gsize multibyte;  /* valid UTF-8 sequences of two to four bytes */
    gsize invalid;    /* bytes >= 0x80 outside valid UTF-8 */
    gsize nul;        /* NUL bytes */
    gsize nul_even;   /* NUL bytes at even offsets */
    gboolean jis;     /* ISO-2022-JP two-byte designations (ESC $ B ...) */
    const char *bom;  /* canonical charset of a leading byte order mark */
    const char *utf16; /* UTF-16LE/BE by the NUL pattern, or NULL */
} Scan;

/* The length of the valid UTF-8 sequence of two or more bytes at s, or 0
 * (RFC 3629: no overlong forms, surrogates, or values past U+10FFFF). */
static gsize
utf8_sequence(const guchar *s, gsize n)
{
    guchar lo = 0x80, hi = 0xBF;
    gsize need;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 1;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 2;
        if (s[0] == 0xE0)
            lo = 0xA0;
        else if (s[0] == 0xED)
            hi = 0x9F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 3;
        if (s[0] == 0xF0)
            lo = 0x90;
        else if (s[0] == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (need >= n)
        return 0;
    for (gsize i = 1; i <= need; i++) {
        if (s[i] < lo || s[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

/* Whether s (at an ESC) designates a JIS two-byte set: ESC $ @, ESC $ B,
 * ESC $ ( B, ESC $ ( D (RFC 1468, ISO-2022-JP-1). */
static gboolean
jis_designation(const guchar *s, gsize n)
{
    if (n >= 3 && s[1] == '$' && (s[2] == 'B' || s[2] == '@'))
        return TRUE;
    return n >= 4 && s[1] == '$' && s[2] == '(' &&
           (s[3] == 'B' || s[3] == '@' || s[3] == 'D');
}

static void
scan_bytes(const guchar *s, gsize n, Scan *scan)
{
    memset(scan, 0, sizeof *scan);
    for (gsize i = 0; i < n; i++) {
        guchar b = s[i];
        gsize seq;

        if (b < 0x80) {
            if (b == 0) {
                scan->nul++;
                if (i % 2 == 0)
                    scan->nul_even++;
            } else if (b == 0x1B && !scan->jis) {
                scan->jis = jis_designation(s + i, n - i);
            }
            continue;
        }
        seq = utf8_sequence(s + i, n - i);
        if (seq == 0) {
            scan->high++;
            scan->invalid++;
            continue;
        }
        scan->high += seq;
        scan->multibyte++;
        i += seq - 1;
    }

    /* Byte order marks: UTF-32 first, since its little-endian mark starts
     * with the UTF-16 one. */
    if (n >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0)
        scan->bom = "UTF-32LE";
    else if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE &&
             s[3] == 0xFF)
        scan->bom = "UTF-32BE";
    else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) ||
                        (s[0] == 0xFE && s[1] == 0xFF)))
        scan->bom = "UTF-16";
    else if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        scan->bom = "UTF-8";

    /* UTF-16 without a mark: Latin text has a NUL in every other byte. No
     * 8-bit text in any other charset looks like that. */
    if (scan->bom == NULL && n >= UTF16_MIN) {
        double pairs = (double)(n / 2);
        gsize nul_odd = scan->nul - scan->nul_even;

        if (nul_odd >= UTF16_NUL_SHARE * pairs &&
            scan->nul_even <= UTF16_NUL_OTHER * pairs)
            scan->utf16 = "UTF-16LE";
        else if (scan->nul_even >= UTF16_NUL_SHARE * pairs &&
                 nul_odd <= UTF16_NUL_OTHER * pairs)
            scan->utf16 = "UTF-16BE";
    }
}

/* The Unicode ranges Japanese text is made of (JIS X 0208 and the NEC and
 * IBM rows Windows adds): kana, kanji, CJK and full-width punctuation,
 * enclosed and squared characters, and the Greek, Cyrillic and symbol
 * rows. */
static gboolean
is_japanese_char(gunichar c)
{
    return (c >= 0x3000 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF01 && c <= 0xFFEF) ||
           (c >= 0x2010 && c <= 0x27BF) || (c >= 0x0391 && c <= 0x0451) ||
           c == 0xA7 || c == 0xA8 || c == 0xB0 || c == 0xB1 || c == 0xB4 ||
           c == 0xB6 || c == 0xD7 || c == 0xF7 || c == 0xAC || c == 0xA2 ||
           c == 0xA3 || c == 0xA5;
}

/* Whether decoded text reads as Japanese prose: no replacement characters
 * beyond those the NUL bytes gave, at least one kana (Japanese prose
 * always has them; Chinese read as EUC-JP gives kanji only), and at least
 * 95% of the other non-ASCII characters from the Japanese ranges. Unlike
 * the header guess it allows a few odd characters, since a long body
 * holds the odd symbol. */
static gboolean
reads_as_japanese(const char *text, gsize nul)
{
    gsize kana = 0, japanese = 0, other = 0, fffd = 0;

    for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (c < 0x80)
            continue;
        if (c == 0xFFFD)
            fffd++;
        else if ((c >= 0x3041 && c <= 0x30FF) ||
                 (c >= 0xFF66 && c <= 0xFF9F))
            kana++;
        else if (is_japanese_char(c))
            japanese++;
        else
            other++;
    }
    return fffd <= nul && kana > 0 && other * 20 <= kana + japanese;
}

/* Converts s as name (CP932 or EUC-JP-MS) when the result reads as
 * Japanese; NULL otherwise. Transfer full. */
static char *
try_japanese(const char *name, const guchar *s, gsize n, const Scan *scan)
{
    char *text = mt_charset_to_utf8(name, (const char *)s, n, NULL);

    if (text != NULL && !reads_as_japanese(text, scan->nul))
        g_clear_pointer(&text, g_free);
    return text;
}

/* Shift_JIS, then EUC-JP, each only when the byte structure fits and the
 * text reads as Japanese. Returns the charset and sets *text, or NULL. */
static const char *
guess_japanese(const guchar *s, gsize n, const Scan *scan, char **text)
{
    if (scan->high == 0)
        return NULL;
    if (mt_charset_looks_like_sjis(s, n) &&
        (*text = try_japanese("CP932", s, n, scan)) != NULL)
        return "CP932";
    if (mt_charset_looks_like_eucjp(s, n) &&
        (*text = try_japanese("EUC-JP-MS", s, n, scan)) != NULL)
        return "EUC-JP-MS";
    return NULL;
}

/* --- Charset labels ------------------------------------------------------ */

typedef enum {
    LABEL_ALIAS,    /* another name for a charset */
    LABEL_MISSPELT, /* a broken name whose meaning is clear */
    LABEL_NONE,     /* says no charset is known ("x-unknown") */
} LabelKind;

typedef struct {
    const char *key;  /* lowercase letters and digits of the label */
    const char *name; /* for mt_charset_canonical(), or NULL */
    LabelKind kind;
} BodyLabel;

/* Labels of bodies that mt_charset_canonical() does not take, or takes
 * without saying they are misspelt. The pseudo labels come from mailers
 * that did not know (RFC 1428 "unknown-8bit", Outlook's "x-unknown",
 * "x-user-defined" from HTML editors) and mean "guess". */
static const BodyLabel body_labels[] = {
    {"uft8", "UTF-8", LABEL_MISSPELT},
    {"utf8sig", "UTF-8", LABEL_ALIAS},
    {"isolatin1", "ISO-8859-1", LABEL_ALIAS},
    {"ansi", "WINDOWS-1252", LABEL_ALIAS},
    {"chinesebig5", "CP950", LABEL_ALIAS},
    {"unknown", NULL, LABEL_NONE},
    {"xunknown", NULL, LABEL_NONE},
    {"unknown8bit", NULL, LABEL_NONE},
    {"xunknown8bit", NULL, LABEL_NONE},
    {"xuserdefined", NULL, LABEL_NONE},
    {"default", NULL, LABEL_NONE},
    {"8bit", NULL, LABEL_NONE},
    {"binary", NULL, LABEL_NONE},
    {"none", NULL, LABEL_NONE},
    {"charset", NULL, LABEL_NONE},
};

/* Copies label without surrounding white space and quotes into buf.
 * Returns FALSE when nothing is left or it does not fit. */
static gboolean
trim_label(const char *label, char buf[MAX_LABEL])
{
    gsize start = 0, end = strlen(label);

    while (start < end && (g_ascii_isspace(label[start]) ||
                           label[start] == '"' || label[start] == '\''))
        start++;
    while (end > start && (g_ascii_isspace(label[end - 1]) ||
                           label[end - 1] == '"' || label[end - 1] == '\''))
        end--;
    if (end == start || end - start >= MAX_LABEL)
        return FALSE;
    memcpy(buf, label + start, end - start);
    buf[end - start] = '\0';
    return TRUE;
}

/* Whether label is absent, or only white space and quotes
 * ('charset=""'): no label at all. */
static gboolean
label_blank(const char *label)
{
    if (label == NULL)
        return TRUE;
    for (; *label != '\0'; label++) {
        if (!g_ascii_isspace(*label) && *label != '"' && *label != '\'')
            return FALSE;
    }
    return TRUE;
}

static const BodyLabel *
body_label_find(const char *label)
{
    char key[MAX_LABEL];
    gsize k = 0;

    for (; *label != '\0' && k + 1 < MAX_LABEL; label++) {
        if (g_ascii_isalnum(*label))
            key[k++] = g_ascii_tolower(*label);
    }
    key[k] = '\0';
    for (gsize i = 0; i < G_N_ELEMENTS(body_labels); i++) {
        if (strcmp(body_labels[i].key, key) == 0)
            return &body_labels[i];
    }
    return NULL;
}

/* The canonical charset of a label with the body table first. */
static const char *
lookup_label(const char *label, LabelKind *kind)
{
    const BodyLabel *entry = body_label_find(label);

    if (entry != NULL) {
        *kind = entry->kind;
        return entry->name != NULL ? mt_charset_canonical(entry->name)
                                   : NULL;
    }
    *kind = LABEL_ALIAS;
    return mt_charset_canonical(label);
}

/* Resolves a body's charset label: the table above, mt_charset_canonical(),
 * then one repair: an "x-" prefix on a standard name ("x-iso-8859-1"), a
 * "3D" left by a quoted-printable encoder that escaped the "=" of
 * "charset=" ("3Dus-ascii"), or "8859-1" without "iso-". Returns NULL when
 * the label is unknown or says none (*kind = LABEL_NONE). */
static const char *
resolve_label(const char *label, LabelKind *kind)
{
    char trimmed[MAX_LABEL], repaired[MAX_LABEL + 4];
    const char *name;

    *kind = LABEL_ALIAS;
    if (!trim_label(label, trimmed))
        return NULL;
    name = lookup_label(trimmed, kind);
    if (name != NULL || *kind == LABEL_NONE)
        return name;
    if (g_ascii_strncasecmp(trimmed, "x-", 2) == 0 ||
        g_ascii_strncasecmp(trimmed, "3d", 2) == 0)
        g_strlcpy(repaired, trimmed + 2, sizeof repaired);
    else if (strncmp(trimmed, "8859", 4) == 0)
        g_snprintf(repaired, sizeof repaired, "iso-%s", trimmed);
    else
        return NULL;
    name = lookup_label(repaired, kind);
    if (name != NULL)
        *kind = LABEL_MISSPELT;
    return name;
}

/* How a charset behaves, for deciding whether bytes contradict it. */
typedef enum {
    CLASS_UTF8,
    CLASS_ASCII,
    CLASS_7BIT,   /* UTF-7, ISO-2022-*: no byte >= 0x80 is valid */
    CLASS_WIDE,   /* UTF-16, UTF-32: trusted, NUL bytes are normal */
    CLASS_SINGLE, /* one byte per character: decodes anything */
    CLASS_MULTI,  /* legacy multi-byte (CJK) and whatever else iconv has */
} CharsetClass;

static CharsetClass
charset_class(const char *name)
{
    static const char *const single[] = {
        "ISO-8859-", "WINDOWS-12", "WINDOWS-874", "KOI8-", "CP437",
        "CP850", "CP852", "CP866", "MACINTOSH", "MAC-", "VISCII",
    };

    if (strcmp(name, "UTF-8") == 0)
        return CLASS_UTF8;
    if (strcmp(name, "US-ASCII") == 0)
        return CLASS_ASCII;
    if (strcmp(name, "UTF-7") == 0 || g_str_has_prefix(name, "ISO-2022-"))
        return CLASS_7BIT;
    if (g_str_has_prefix(name, "UTF-16") || g_str_has_prefix(name, "UTF-32"))
        return CLASS_WIDE;
    for (gsize i = 0; i < G_N_ELEMENTS(single); i++) {
        if (g_str_has_prefix(name, single[i]))
            return CLASS_SINGLE;
    }
    return CLASS_MULTI;
}

/* Latin labels that Japanese senders' programs put on Shift_JIS or EUC-JP
 * bodies. Only these are tested for Japanese: Cyrillic or Greek text
 * could pose as Japanese pairs under looser labels. */
static gboolean
is_western(const char *name)
{
    return strcmp(name, "US-ASCII") == 0 ||
           strcmp(name, "ISO-8859-1") == 0 ||
           strcmp(name, "ISO-8859-15") == 0 ||
           strcmp(name, "WINDOWS-1252") == 0;
}

/* The charset an HTML body declares in a <meta> tag: <meta charset=x> or
 * <meta http-equiv=Content-Type content="text/html; charset=x">, searched
 * in the first META_SCAN_BYTES. Transfer full, or NULL. */
static char *
html_meta_charset(const guchar *s, gsize n)
{
    gsize limit = MIN(n, META_SCAN_BYTES);
    gboolean in_meta = FALSE;

    for (gsize i = 0; i < limit; i++) {
        gsize j, start;

        if (s[i] == '<') {
            in_meta = i + 5 <= limit &&
                      g_ascii_strncasecmp((const char *)s + i + 1, "meta",
                                          4) == 0;
            continue;
        }
        if (s[i] == '>') {
            in_meta = FALSE;
            continue;
        }
        if (!in_meta || i + 7 > limit ||
            g_ascii_strncasecmp((const char *)s + i, "charset", 7) != 0)
            continue;
        j = i + 7;
        while (j < limit && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j >= limit || s[j] != '=')
            continue;
        j++;
        while (j < limit && (s[j] == ' ' || s[j] == '"' || s[j] == '\''))
            j++;
        start = j;
        while (j < limit && j - start < MAX_LABEL &&
               (g_ascii_isalnum(s[j]) || strchr("-_.:", s[j]) != NULL))
            j++;
        if (j > start && j - start < MAX_LABEL)
            return g_strndup((const char *)s + start, j - start);
    }
    return NULL;
}

/* --- The decision -------------------------------------------------------- */

typedef enum {
    STATE_DECLARED, /* a label the MIME header gave, known */
    STATE_META,     /* no MIME label; the HTML <meta> tag gave a known one */
    STATE_MISSING,  /* no label at all */
    STATE_NONE,     /* a label that says "unknown" */
    STATE_UNKNOWN,  /* a label no converter knows */
} LabelState;

typedef struct {
    const guchar *s;
    gsize n;
    Scan scan;
    char label[MAX_LABEL * 4 + 8]; /* as written, escaped, for notes */
    LabelState state;
    LabelKind kind;
    const char *declared;   /* canonical name of the label, or NULL */

    const char *used;       /* canonical name decoded with */
    const char *evidence;   /* why, when the label was not followed */
    char *text;             /* decoded, when the guess already did it */
    gboolean overridden;    /* a known label was not followed */
    gboolean mismatch_info; /* the override is only ASCII-level */
    gboolean stray;         /* UTF-8 kept although some bytes are not */
} Decision;

/* Takes the Japanese charset guess_japanese() found. */
static void
use_japanese(Decision *d, const char *jp)
{
    d->used = jp;
    d->evidence = strcmp(jp, "CP932") == 0
                      ? "the bytes read as Japanese in Shift_JIS"
                      : "the bytes read as Japanese in EUC-JP";
    d->overridden = TRUE;
}

/* What the bytes are when no label is to be followed. Sets used and
 * evidence, and text when the guess converted already. */
static void
detect(Decision *d)
{
    const Scan *scan = &d->scan;
    const char *jp;

    if (scan->bom != NULL && strcmp(scan->bom, "UTF-8") != 0) {
        d->used = scan->bom;
        d->evidence = "the text starts with a Unicode byte order mark";
    } else if (scan->utf16 != NULL) {
        d->used = scan->utf16;
        d->evidence = "every other byte is NUL, as in UTF-16 without a "
                      "byte order mark";
    } else if (scan->high == 0 && scan->jis) {
        d->used = "ISO-2022-JP";
        d->evidence = "the text holds ISO-2022-JP escape sequences";
    } else if (scan->high == 0) {
        d->used = "US-ASCII";
        d->evidence = "the text is ASCII";
    } else if (scan->invalid == 0) {
        d->used = "UTF-8";
        d->evidence = "the bytes are valid UTF-8";
    } else if ((jp = guess_japanese(d->s, d->n, scan, &d->text)) != NULL) {
        use_japanese(d, jp);
    } else {
        d->used = "WINDOWS-1252";
        d->evidence = "the bytes are not UTF-8 and read as no Japanese "
                      "charset; windows-1252 is the last resort, since it "
                      "decodes any byte";
    }
}

/* Overrides the label by detect() when detection finds something the
 * label cannot be. */
static void
override(Decision *d, gboolean info)
{
    detect(d);
    d->overridden = TRUE;
    d->mismatch_info = info;
}

/* Checks a known label against the bytes and sets d->used. */
static void
check_label(Decision *d)
{
    const Scan *scan = &d->scan;
    CharsetClass cls = charset_class(d->declared);
    const char *jp;

    d->used = d->declared;
    if (cls == CLASS_WIDE) {
        /* Latin text in UTF-16 has a NUL in every other byte, and every
         * UTF-32 character has one: a "utf-16" text without any, that is
         * ASCII or valid UTF-8, was labelled by a program that meant its
         * internal form, not the bytes it wrote. */
        if (scan->bom == NULL && scan->nul == 0 && scan->invalid == 0 &&
            d->n >= UTF16_MIN)
            override(d, FALSE);
        return;
    }
    /* A Unicode byte order mark or UTF-16's NUL pattern outweighs any
     * other label. */
    if ((scan->bom != NULL && strcmp(scan->bom, "UTF-8") != 0) ||
        scan->utf16 != NULL) {
        override(d, FALSE);
        return;
    }
    switch (cls) {
    case CLASS_UTF8:
        if (scan->invalid == 0) {
            if (scan->high == 0 && scan->jis)
                override(d, FALSE);
            return;
        }
        jp = guess_japanese(d->s, d->n, scan, &d->text);
        if (jp != NULL)
            use_japanese(d, jp);
        else if (scan->multibyte <= scan->invalid)
            override(d, FALSE);
        else
            d->stray = TRUE; /* UTF-8 text with a few stray bytes */
        return;
    case CLASS_ASCII:
        /* 8-bit bytes under "us-ascii" are old mailers' habit; read as
         * UTF-8 or windows-1252 (as browsers read "us-ascii") they are
         * only an ASCII-level mismatch. Japanese is a real one. */
        if (scan->high == 0 && !scan->jis)
            return;
        override(d, TRUE);
        if (strcmp(d->used, "UTF-8") != 0 &&
            strcmp(d->used, "WINDOWS-1252") != 0)
            d->mismatch_info = FALSE;
        return;
    case CLASS_7BIT:
        if (scan->high == 0)
            return;
        /* 8-bit bytes in a 7-bit charset: a mailer that wrote the text in
         * the locale's 8-bit form and kept the label it meant. */
        if (scan->invalid == 0)
            override(d, FALSE);
        else if ((jp = guess_japanese(d->s, d->n, scan, &d->text)) != NULL)
            use_japanese(d, jp);
        return;
    case CLASS_SINGLE:
    case CLASS_MULTI:
        if (scan->high == 0) {
            if (scan->jis)
                override(d, FALSE);
            return;
        }
        /* Valid multi-byte UTF-8 is the strongest structure there is:
         * Latin-1 or Shift_JIS text is almost never valid UTF-8. */
        if (scan->invalid == 0 && scan->multibyte > 0) {
            override(d, FALSE);
            return;
        }
        if (cls == CLASS_SINGLE && is_western(d->declared)) {
            jp = guess_japanese(d->s, d->n, scan, &d->text);
            if (jp != NULL)
                use_japanese(d, jp);
            return;
        }
        /* Shift_JIS and EUC-JP labels swapped: each decodes much of the
         * other without error, so the structure decides. */
        if (strcmp(d->declared, "CP932") == 0 &&
            !mt_charset_looks_like_sjis(d->s, d->n) &&
            mt_charset_looks_like_eucjp(d->s, d->n) &&
            (d->text = try_japanese("EUC-JP-MS", d->s, d->n, scan)) !=
                NULL) {
            use_japanese(d, "EUC-JP-MS");
        } else if (strcmp(d->declared, "EUC-JP-MS") == 0 &&
                   !mt_charset_looks_like_eucjp(d->s, d->n) &&
                   mt_charset_looks_like_sjis(d->s, d->n) &&
                   (d->text = try_japanese("CP932", d->s, d->n, scan)) !=
                       NULL) {
            use_japanese(d, "CP932");
        }
        return;
    case CLASS_WIDE:
        return;
    }
}

/* The name shown for a canonical charset: lowercase. */
static char *
display_name(const char *name)
{
    return g_ascii_strdown(name, -1);
}

/* One sentence on why the charset used is not the label's. */
static char *
decision_note(const Decision *d, const char *used)
{
    switch (d->state) {
    case STATE_MISSING:
        /* ASCII without a label is what RFC 2045 5.2 defaults to. */
        if (strcmp(d->used, "US-ASCII") == 0)
            return NULL;
        return g_strdup_printf("No charset label: %s; decoded as %s.",
                               d->evidence, used);
    case STATE_NONE:
        return g_strdup_printf("The label \"%s\" names no charset: %s; "
                               "decoded as %s.", d->label, d->evidence,
                               used);
    case STATE_UNKNOWN:
        return g_strdup_printf("The label \"%s\" is no known charset: %s; "
                               "decoded as %s.", d->label, d->evidence,
                               used);
    case STATE_META:
        if (d->overridden)
            return g_strdup_printf("No charset in the MIME header; the "
                                   "HTML <meta> tag says \"%s\" but %s; "
                                   "decoded as %s.", d->label, d->evidence,
                                   used);
        return g_strdup_printf("No charset in the MIME header; the HTML "
                               "<meta> tag says \"%s\".", d->label);
    case STATE_DECLARED:
        if (d->overridden)
            return g_strdup_printf("Declared \"%s\" but %s; decoded as %s.",
                                   d->label, d->evidence, used);
        if (d->stray)
            return g_strdup_printf("Declared \"%s\" and mostly valid "
                                   "UTF-8, but %" G_GSIZE_FORMAT " byte%s "
                                   "%s not; replaced by U+FFFD.", d->label,
                                   d->scan.invalid,
                                   d->scan.invalid == 1 ? "" : "s",
                                   d->scan.invalid == 1 ? "is" : "are");
        if (d->kind == LABEL_MISSPELT)
            return g_strdup_printf("The label \"%s\" is misspelt; read as "
                                   "%s.", d->label, used);
        return NULL;
    }
    return NULL;
}

/* Raises the charset findings the decision calls for. */
static void
decision_findings(MtReport *report, const MtPart *part, const Decision *d,
                  const char *used)
{
    MtEvidence ev = {-1, -1, -1, part->path};
    gboolean eight_bit = d->scan.high > 0 || d->scan.jis ||
                         d->scan.bom != NULL || d->scan.utf16 != NULL;

    switch (d->state) {
    case STATE_UNKNOWN:
        /* Pure ASCII reads the same in any charset: no finding. */
        if (eight_bit)
            mt_report_add_finding(report, "body-charset-unknown",
                                  MT_SEVERITY_LOW, &ev,
                                  "part %s declares the unknown charset "
                                  "\"%s\"; decoded as %s", part->path,
                                  d->label, used);
        break;
    case STATE_MISSING:
    case STATE_NONE:
        if (eight_bit)
            mt_report_add_finding(report, "body-charset-missing",
                                  MT_SEVERITY_INFO, &ev,
                                  "part %s holds non-ASCII text without a "
                                  "charset label; decoded as %s",
                                  part->path, used);
        break;
    case STATE_DECLARED:
    case STATE_META:
        if (d->overridden)
            mt_report_add_finding(report, "body-charset-mismatch",
                                  d->mismatch_info ? MT_SEVERITY_INFO
                                                   : MT_SEVERITY_LOW,
                                  &ev,
                                  "part %s declares charset \"%s\"%s but "
                                  "%s; decoded as %s", part->path,
                                  d->label,
                                  d->state == STATE_META
                                      ? " in an HTML <meta> tag"
                                      : "",
                                  d->evidence, used);
        break;
    }
}

/* --- Previews ------------------------------------------------------------ */

/* The first max characters of the valid UTF-8 text, cut at a character
 * boundary. Transfer full. */
static char *
text_prefix(const char *text, guint max)
{
    const char *p = text;

    for (guint i = 0; i < max && *p != '\0'; i++)
        p = g_utf8_next_char(p);
    return g_strndup(text, (gsize)(p - text));
}

/* Visible text gathered with white space collapsed, up to max characters. */
typedef struct {
    GString *out;
    guint chars, max;
    gboolean space; /* a separator is due before the next character */
} Visible;

static gboolean
visible_full(const Visible *v)
{
    return v->chars >= v->max;
}

static void
visible_append(Visible *v, const char *s)
{
    for (const char *p = s; *p != '\0' && !visible_full(v);
         p = g_utf8_next_char(p)) {
        gunichar c = (guchar)*p < 0x80 ? (gunichar)(guchar)*p
                                       : g_utf8_get_char(p);
        /* g_unichar_isspace() of ASCII, without the call: tab, line
         * feed, form feed, carriage return and space (not \v). */
        gboolean space = c < 0x80 ? c == ' ' || c == '\t' || c == '\n' ||
                                        c == '\f' || c == '\r'
                                  : g_unichar_isspace(c);

        if (space || c == 0xA0) {
            v->space = TRUE;
            continue;
        }
        /* Zero-width characters show nothing; phishing kits scatter
         * them to break up words for filters. */
        if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 ||
            c == 0xFEFF || c == 0xAD)
            continue;
        if (v->space && v->out->len > 0) {
            g_string_append_c(v->out, ' ');
            v->chars++;
            if (visible_full(v))
                break;
        }
        v->space = FALSE;
        /* ASCII, most of any text, is its own one byte of UTF-8. */
        if (c < 0x80)
            g_string_append_c(v->out, (char)c);
        else
            g_string_append_unichar(v->out, c);
        v->chars++;
    }
}

static gboolean
name_in(const xmlChar *name, const char *const *list, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        if (mt_name_equal((const char *)name, list[i]))
            return TRUE;
    }
    return FALSE;
}

/* Elements whose content is not shown, or is hidden by an inline style
 * (the "preheader" trick: text only filters and previews see). */
static gboolean
element_hidden(xmlNode *node)
{
    static const char *const hidden[] = {"script", "style", "head", "title",
                                         "template", "noframes"};
    xmlChar *style;
    gboolean none = FALSE;

    if (name_in(node->name, hidden, G_N_ELEMENTS(hidden)))
        return TRUE;
    if (xmlHasProp(node, (const xmlChar *)"hidden") != NULL)
        return TRUE;
    style = xmlGetProp(node, (const xmlChar *)"style");
    if (style != NULL) {
        GString *squashed = g_string_new(NULL);
        for (const xmlChar *p = style; *p != '\0'; p++) {
            if (!g_ascii_isspace(*p))
                g_string_append_c(squashed, g_ascii_tolower((char)*p));
        }
        none = strstr(squashed->str, "display:none") != NULL ||
               strstr(squashed->str, "visibility:hidden") != NULL;
        g_string_free(squashed, TRUE);
        xmlFree(style);
    }
    return none;
}

/* Elements that do not break the text flow; every other element is a
 * word boundary. */
static gboolean
element_inline(xmlNode *node)
{
    static const char *const inl[] = {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data",
        "del", "dfn", "em", "font", "i", "ins", "kbd", "label", "mark",
        "nobr", "q", "s", "samp", "small", "span", "strike", "strong",
        "sub", "sup", "time", "tt", "u", "var", "wbr",
    };
    return name_in(node->name, inl, G_N_ELEMENTS(inl));
}

/* The visible text of an HTML body: text nodes outside hidden elements,
 * white space collapsed, at most max characters, walking at most
 * max_nodes nodes. The walk follows the tree's parent and sibling links,
 * so deep nesting needs no stack. Transfer full. */
struct _xmlDoc *
mt_html_parse(const char *utf8, gsize len)
{
    g_return_val_if_fail(utf8 != NULL || len == 0, NULL);
    g_return_val_if_fail(len <= G_MAXINT, NULL);

    xmlInitParser();
    /* COMPACT stores short texts in their nodes (the tree is only read);
     * IGNORE_ENC keeps a <meta> charset from overriding the UTF-8 we
     * give, which the explicit encoding already does. */
    return htmlReadMemory(utf8, (int)len, NULL, "UTF-8",
                          HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                              HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
                              HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC);
}

/* The visible text of an HTML body (see the comment above). When keep is
 * not NULL and the whole of html was parsed, *keep gets the document
 * (transfer full) instead of its being freed. */
static char *
html_preview(MtReport *report, const MtPart *part, const char *html,
             gsize len, guint max, guint max_nodes, xmlDoc **keep)
{
    Visible v = {g_string_new(NULL), 0, max, FALSE};
    const char *end;
    htmlDocPtr doc;
    xmlNode *node;
    guint nodes = 0;

    /* Cut at a character boundary so that libxml2 sees valid UTF-8. */
    if (len > HTML_PREVIEW_BYTES) {
        len = HTML_PREVIEW_BYTES;
        end = g_utf8_find_prev_char(html, html + len + 1);
        len = end != NULL ? (gsize)(end - html) : 0;
        keep = NULL;
    }
    doc = mt_html_parse(html, len);
    if (doc == NULL)
        return g_string_free(v.out, FALSE);
    node = doc->children;
    while (node != NULL && !visible_full(&v)) {
        gboolean descend = FALSE;

        if (++nodes > max_nodes) {
            mt_report_limit_reached(report, "max-html-nodes", part->path,
                                    "the preview of part %s stopped after "
                                    "%u HTML nodes", part->path, max_nodes);
            break;
        }
        if (node->type == XML_ELEMENT_NODE && !element_hidden(node)) {
            if (!element_inline(node))
                v.space = TRUE;
            descend = node->children != NULL;
        } else if ((node->type == XML_TEXT_NODE ||
                    node->type == XML_CDATA_SECTION_NODE) &&
                   node->content != NULL) {
            visible_append(&v, (const char *)node->content);
        }
        if (descend) {
            node = node->children;
            continue;
        }
        while (node != NULL && node->next == NULL) {
            node = node->parent;
            if (node == NULL || node == (xmlNode *)doc) {
                node = NULL;
                break;
            }
            if (node->type == XML_ELEMENT_NODE && !element_inline(node))
                v.space = TRUE;
        }
        if (node != NULL)
            node = node->next;
    }
    if (keep != NULL && len > 0)
        *keep = doc;
    else
        xmlFreeDoc(doc);
    return g_string_free(v.out, FALSE);
}

/* --- The body ------------------------------------------------------------ */

/* The characters of valid UTF-8 text (what mt_charset_to_utf8() gives):
 * the bytes that start one. g_utf8_strlen() gives the same count with a
 * table lookup and a branch per character; this loop vectorises. */
static guint64
utf8_chars(const char *text)
{
    gsize n = strlen(text);
    guint64 chars = 0;

    for (gsize i = 0; i < n; i++)
        chars += ((guchar)text[i] & 0xC0) != 0x80;
    return chars;
}

/* Counts the NUL bytes a conversion turned into U+FFFD, for the note:
 * C strings would end at them, so filters that use C strings stop there. */
static char *
nul_note(gsize nul)
{
    return g_strdup_printf("The text holds %" G_GSIZE_FORMAT " NUL byte%s, "
                           "replaced by U+FFFD.", nul, nul == 1 ? "" : "s");
}

MtBody *
mt_body_decode(MtReport *report, const MtPart *part, const guchar *bytes,
               gsize len, const MtOptions *options, char **full_text)
{
    return mt_body_decode_doc(report, part, bytes, len, options, full_text,
                              NULL);
}

MtBody *
mt_body_decode_doc(MtReport *report, const MtPart *part,
                   const guchar *bytes, gsize len, const MtOptions *options,
                   char **full_text, xmlDoc **doc)
{
    Decision d;
    MtBody *body;
    char *text, *note;
    gboolean lossy = FALSE, html;
    const char *label = NULL;
    g_autofree char *meta = NULL;
    g_autofree char *used = NULL;

    if (full_text != NULL)
        *full_text = NULL;
    if (doc != NULL)
        *doc = NULL;
    g_return_val_if_fail(report != NULL, NULL);
    g_return_val_if_fail(part != NULL && part->path != NULL, NULL);
    g_return_val_if_fail(bytes != NULL || len == 0, NULL);
    g_return_val_if_fail(options != NULL, NULL);

    if (bytes == NULL)
        bytes = (const guchar *)"";
    memset(&d, 0, sizeof d);
    d.s = bytes;
    d.n = len;
    scan_bytes(bytes, len, &d.scan);
    html = part->content_type != NULL &&
           g_ascii_strcasecmp(part->content_type, "text/html") == 0;

    /* Which label there is, and what it names. A MIME label wins over
     * the HTML one, as in every mail program. */
    if (!label_blank(part->charset)) {
        label = part->charset;
        d.state = STATE_DECLARED;
    } else if (html && (meta = html_meta_charset(bytes, len)) != NULL) {
        label = meta;
        d.state = STATE_META;
    } else {
        d.state = STATE_MISSING;
    }
    if (label != NULL) {
        g_autofree char *esc = mt_escape_bytes(label, strlen(label), NULL);

        g_strlcpy(d.label, esc, sizeof d.label);
        d.declared = resolve_label(label, &d.kind);
        if (d.declared == NULL && d.kind == LABEL_NONE)
            d.state = STATE_NONE;
        else if (d.declared == NULL)
            d.state = d.state == STATE_META ? STATE_MISSING : STATE_UNKNOWN;
    }
    if (d.declared != NULL)
        check_label(&d);
    else
        detect(&d);

    text = g_steal_pointer(&d.text);
    if (text == NULL) {
        text = mt_charset_to_utf8(d.used, (const char *)bytes, len, &lossy);
        if (text == NULL) {
            /* iconv lost a charset it had: read the bytes anyway. */
            d.used = "WINDOWS-1252";
            text = mt_charset_to_utf8(d.used, (const char *)bytes, len,
                                      &lossy);
        }
    } else {
        lossy = d.scan.nul > 0;
    }
    /* A UTF-8 byte order mark is not text. */
    if (g_str_has_prefix(text, "\xEF\xBB\xBF"))
        memmove(text, text + 3, strlen(text + 3) + 1);

    used = display_name(d.used);
    decision_findings(report, part, &d, used);
    note = decision_note(&d, used);
    if (d.scan.nul > 0 && charset_class(d.used) != CLASS_WIDE) {
        g_autofree char *nn = nul_note(d.scan.nul);
        char *joined = note != NULL ? g_strconcat(note, " ", nn, NULL)
                                    : g_strdup(nn);
        g_free(note);
        note = joined;
    }

    body = g_new0(MtBody, 1);
    body->part = g_strdup(part->path);
    body->content_type = g_strdup(part->content_type);
    body->charset_declared = g_strdup(part->charset);
    body->charset_used = g_steal_pointer(&used);
    if (d.state == STATE_DECLARED || d.state == STATE_META)
        body->charset_detected = d.overridden;
    else
        body->charset_detected = !(d.state == STATE_MISSING &&
                                   strcmp(d.used, "US-ASCII") == 0);
    body->charset_note = note;
    body->lossy = lossy;
    body->size = len;
    body->chars = utf8_chars(text);
    if (options->body_preview > 0)
        body->preview = html ? html_preview(report, part, text,
                                            strlen(text),
                                            options->body_preview,
                                            options->limits.max_html_nodes,
                                            full_text != NULL ? doc : NULL)
                             : text_prefix(text, options->body_preview);
    if (options->bodies)
        body->text = g_strdup(text);
    if (full_text != NULL)
        *full_text = text;
    else
        g_free(text);
    return body;
}

/* --- uuencode ------------------------------------------------------------ */

void
mt_uu_file_free(gpointer p)
{
    MtUuFile *file = p;

    if (file == NULL)
        return;
    g_free(file->name);
    if (file->data != NULL)
        g_bytes_unref(file->data);
    g_free(file);
}

/* A line of the text: [start, start + len) without its line end and
 * trailing white space. */
typedef struct {
    const guchar *s;
    gsize len;
} Line;

/* Reads the line at *pos and moves *pos past it. */
static Line
next_line(const guchar *bytes, gsize len, gsize *pos)
{
    const guchar *start = bytes + *pos;
    const guchar *nl = memchr(start, '\n', len - *pos);
    gsize n = nl != NULL ? (gsize)(nl - start) : len - *pos;
    Line line = {start, n};

    *pos += nl != NULL ? n + 1 : n;
    while (line.len > 0 && (line.s[line.len - 1] == '\r' ||
                            line.s[line.len - 1] == ' ' ||
                            line.s[line.len - 1] == '\t'))
        line.len--;
    return line;
}

static gboolean
line_is(const Line *line, const char *word)
{
    gsize n = strlen(word);

    return line->len == n && memcmp(line->s, word, n) == 0;
}

/* Parses "begin MODE NAME" or "begin-base64 MODE NAME" (POSIX uuencode):
 * MODE three or four octal digits, NAME not empty. */
static gboolean
parse_begin(const Line *line, gboolean *base64, guint *mode, Line *name)
{
    gsize i, digits = 0;

    if (line->len < 6 || memcmp(line->s, "begin", 5) != 0)
        return FALSE;
    i = 5;
    *base64 = FALSE;
    if (line->len >= 12 && memcmp(line->s + 5, "-base64", 7) == 0) {
        *base64 = TRUE;
        i = 12;
    }
    if (i >= line->len || line->s[i] != ' ')
        return FALSE;
    i++;
    *mode = 0;
    while (i < line->len && line->s[i] >= '0' && line->s[i] <= '7' &&
           digits < 5) {
        *mode = *mode * 8 + (guint)(line->s[i] - '0');
        i++;
        digits++;
    }
    if (digits < 3 || digits > 4 || i >= line->len ||
        (line->s[i] != ' ' && line->s[i] != '\t'))
        return FALSE;
    while (i < line->len && (line->s[i] == ' ' || line->s[i] == '\t'))
        i++;
    if (i >= line->len)
        return FALSE;
    name->s = line->s + i;
    name->len = line->len - i;
    return TRUE;
}

/* The output of one block, bounded. */
typedef struct {
    GByteArray *data;
    guint64 max;
    gboolean full; /* max reached: later bytes are dropped */
} UuOut;

static void
uu_put(UuOut *out, guchar b)
{
    if (out->data->len >= out->max) {
        out->full = TRUE;
        return;
    }
    g_byte_array_append(out->data, &b, 1);
}

/* Decodes one uuencoded line. The first character gives the byte count
 * ((c - 32) & 63, so "`" is zero); each following group of four gives
 * three bytes. Characters past the line end count as zero: trailing
 * spaces (value zero) are lost to mailers that strip them. Returns FALSE
 * when the line is not uuencode (a character outside " " to "`", which
 * every lowercase letter is, or far too long), and sets *zero for a
 * zero-length line. */
static gboolean
uu_line(const Line *line, UuOut *out, gboolean *zero)
{
    gsize count, need, have;
    guchar v[4];

    *zero = FALSE;
    if (line->len == 0) {
        *zero = TRUE;
        return TRUE;
    }
    for (gsize i = 0; i < line->len; i++) {
        if (line->s[i] < 0x20 || line->s[i] > 0x60)
            return FALSE;
    }
    count = (line->s[0] - 0x20) & 0x3F;
    if (count == 0) {
        *zero = line->len == 1;
        return line->len == 1;
    }
    need = (count + 2) / 3 * 4;
    have = line->len - 1;
    /* Some encoders append a check character; more is not uuencode. */
    if (have > need + 2)
        return FALSE;
    for (gsize g = 0, done = 0; done < count; g += 4) {
        guchar b[3];

        for (gsize k = 0; k < 4; k++) {
            gsize at = 1 + g + k;
            v[k] = at < line->len ? (line->s[at] - 0x20) & 0x3F : 0;
        }
        b[0] = (guchar)(v[0] << 2 | v[1] >> 4);
        b[1] = (guchar)(v[1] << 4 | v[2] >> 2);
        b[2] = (guchar)(v[2] << 6 | v[3]);
        for (gsize k = 0; k < 3 && done < count; k++, done++)
            uu_put(out, b[k]);
    }
    return TRUE;
}

typedef struct {
    guint32 acc;
    guint bits;
} B64;

/* Decodes one line of a begin-base64 block, carrying the quantum across
 * lines. Returns FALSE for a line with characters outside the alphabet. */
static gboolean
b64_line(const Line *line, UuOut *out, B64 *st)
{
    /* Checked first, so that prose after a block without its "===="
     * line adds nothing. */
    for (gsize i = 0; i < line->len; i++) {
        if (line->s[i] != '=' && mt_b64_value(line->s[i]) < 0)
            return FALSE;
    }
    for (gsize i = 0; i < line->len; i++) {
        int v;

        if (line->s[i] == '=') {
            st->acc = 0;
            st->bits = 0;
            continue;
        }
        v = mt_b64_value(line->s[i]);
        st->acc = (st->acc << 6 | (guint32)v) & 0xFFFFFF;
        st->bits += 6;
        if (st->bits >= 8) {
            st->bits -= 8;
            uu_put(out, (guchar)(st->acc >> st->bits));
        }
    }
    return TRUE;
}

/* Decodes the block after a begin line from *pos. Sets *ended when its
 * end line came, and leaves *pos after the block: after the end line, or
 * at the first line that is not part of it, so that line is read again
 * (it may begin the next block). Returns the number of data lines. */
static gsize
decode_block(const guchar *bytes, gsize len, gsize *pos, gboolean base64,
             UuOut *out, gboolean *ended)
{
    gboolean after_zero = FALSE;
    gsize lines = 0;
    B64 st = {0, 0};

    *ended = FALSE;
    while (*pos < len) {
        gsize at = *pos;
        Line line = next_line(bytes, len, pos);
        gboolean zero = FALSE, ok;

        if (line_is(&line, base64 ? "====" : "end")) {
            *ended = TRUE;
            return lines;
        }
        if (base64)
            ok = b64_line(&line, out, &st);
        else if (after_zero)
            ok = line.len == 0; /* only blank lines before "end" */
        else
            ok = uu_line(&line, out, &zero);
        if (!ok) {
            *pos = at;
            return lines;
        }
        if (zero)
            after_zero = TRUE;
        else if (line.len > 0)
            lines++;
    }
    return lines;
}

GPtrArray *
mt_uuencode_find(const guchar *bytes, gsize len, guint max_files,
                 guint64 max_bytes)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(mt_uu_file_free);
    gsize pos = 0;

    g_return_val_if_fail(bytes != NULL || len == 0, files);

    while (pos < len && files->len < max_files) {
        gsize at = pos;
        Line line = next_line(bytes, len, &pos), name;
        gboolean base64, ended;
        guint mode;
        UuOut out;
        gsize lines;
        MtUuFile *file;

        if (line.len < 6 || line.s[0] != 'b' ||
            !parse_begin(&line, &base64, &mode, &name))
            continue;
        out.data = g_byte_array_new();
        out.max = max_bytes;
        out.full = FALSE;
        lines = decode_block(bytes, len, &pos, base64, &out, &ended);
        /* "begin 644 is the mode" in prose is followed by prose: no data
         * and no end line is no block. */
        if (lines == 0 && !ended) {
            g_byte_array_unref(out.data);
            continue;
        }
        file = g_new0(MtUuFile, 1);
        file->name = mt_escape_bytes((const char *)name.s, name.len, NULL);
        file->mode = mode;
        file->offset = at;
        file->truncated = !ended || out.full;
        file->data = g_byte_array_free_to_bytes(out.data);
        g_ptr_array_add(files, file);
    }
    return files;
}
