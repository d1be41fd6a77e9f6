/* SPDX-License-Identifier: MIT */
/*
 * rfc2047.c: turns header text as mail really carries it into valid UTF-8.
 *
 * Header values arrive as RFC 2047 encoded words in every charset a mail
 * program ever shipped, labelled with names that are misspelt or that mean
 * a vendor superset, split mid-character across words, glued to quotes, or
 * not encoded at all and left as raw Shift_JIS or Latin-1. An analyst needs
 * the text the sender's program would have shown, and also needs to know
 * where the header broke the rules, because phishing kits and spam tools
 * break them in telling ways. So this file decodes leniently and records
 * each repair or guess as a defect. It never gives up on a value: what it
 * cannot decode is kept exactly as written. Everything runs in one forward
 * pass over the value, with each byte looked at a bounded number of times,
 * so a hostile megabyte-long header costs linear time.
 */
#include <errno.h>
#include <string.h>

#include "mailtrail-private.h"
#include "rfc2047-private.h"

#define REPLACEMENT "\xEF\xBF\xBD"
#define MAX_LABEL 64
/* RFC 2047 2: an encoded word is at most 75 characters. */
#define RFC_WORD_LENGTH 75

/* --- Charset labels ------------------------------------------------------ */

typedef struct {
    const char *key;  /* the label squashed: lowercase letters, digits */
    const char *name; /* what iconv or the native decoders below know */
} CharsetAlias;

/* Labels seen in mail, squashed (see squash_label()), mapped to the
 * superset their senders really use. The supersets decode every valid byte
 * sequence of the labelled charset the same way, and also the vendor
 * extensions (NEC circled digits in Shift_JIS, euro in Big5, Hangul beyond
 * KS X 1001 in EUC-KR) that Windows senders put there. */
static const CharsetAlias charset_aliases[] = {
    /* Unicode */
    {"utf8", "UTF-8"},
    {"uft8", "UTF-8"},
    {"utf", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"utf16", "UTF-16"},
    {"ucs2", "UTF-16"},
    {"iso10646ucs2", "UTF-16"},
    {"csunicode", "UTF-16"},
    {"unicode", "UTF-16"},
    {"utf16be", "UTF-16BE"},
    {"utf16le", "UTF-16LE"},
    {"utf32", "UTF-32"},
    {"ucs4", "UTF-32"},
    {"utf32be", "UTF-32BE"},
    {"utf32le", "UTF-32LE"},
    {"utf7", "UTF-7"},
    {"unicode11utf7", "UTF-7"},
    {"csunicode11utf7", "UTF-7"},
    /* ASCII and the Latin, Cyrillic, Greek, Arabic, Hebrew names. */
    {"usascii", "US-ASCII"},
    {"ascii", "US-ASCII"},
    {"us", "US-ASCII"},
    {"ansix341968", "US-ASCII"},
    {"iso646us", "US-ASCII"},
    {"isoir6", "US-ASCII"},
    {"csascii", "US-ASCII"},
    {"cp367", "US-ASCII"},
    {"ibm367", "US-ASCII"},
    {"latin1", "ISO-8859-1"},
    {"l1", "ISO-8859-1"},
    {"isoir100", "ISO-8859-1"},
    {"csisolatin1", "ISO-8859-1"},
    {"cp819", "ISO-8859-1"},
    {"ibm819", "ISO-8859-1"},
    {"latin2", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"csisolatin2", "ISO-8859-2"},
    {"latin3", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"latin4", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"cyrillic", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"},
    {"latin5", "ISO-8859-9"},
    {"l5", "ISO-8859-9"},
    {"latin6", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"latin7", "ISO-8859-13"},
    {"latin8", "ISO-8859-14"},
    {"latin9", "ISO-8859-15"},
    {"latin0", "ISO-8859-15"},
    {"latin10", "ISO-8859-16"},
    {"koi8r", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"cskoi8r", "KOI8-R"},
    {"koi8u", "KOI8-U"},
    {"koi8ru", "KOI8-RU"},
    {"cp437", "CP437"},
    {"ibm437", "CP437"},
    {"cp850", "CP850"},
    {"ibm850", "CP850"},
    {"cp852", "CP852"},
    {"ibm852", "CP852"},
    {"cp866", "CP866"},
    {"ibm866", "CP866"},
    {"csibm866", "CP866"},
    {"cp874", "WINDOWS-874"},
    {"windows874", "WINDOWS-874"},
    {"dos874", "WINDOWS-874"},
    {"tis620", "WINDOWS-874"},
    {"macintosh", "MACINTOSH"},
    {"mac", "MACINTOSH"},
    {"macroman", "MACINTOSH"},
    {"csmacintosh", "MACINTOSH"},
    {"maccyrillic", "MAC-CYRILLIC"},
    {"viscii", "VISCII"},
    /* Japanese */
    {"shiftjis", "CP932"},
    {"sjis", "CP932"},
    {"mskanji", "CP932"},
    {"csshiftjis", "CP932"},
    {"windows31j", "CP932"},
    {"cswindows31j", "CP932"},
    {"cp932", "CP932"},
    {"ms932", "CP932"},
    {"mscp932", "CP932"},
    {"shiftjisx0213", "SHIFT_JISX0213"},
    {"shiftjis2004", "SHIFT_JISX0213"},
    {"eucjp", "EUC-JP-MS"},
    {"ujis", "EUC-JP-MS"},
    {"cseucpkdfmtjapanese", "EUC-JP-MS"},
    {"eucjpms", "EUC-JP-MS"},
    {"cp51932", "EUC-JP-MS"},
    {"eucjisx0213", "EUC-JISX0213"},
    {"eucjis2004", "EUC-JISX0213"},
    {"iso2022jp", "ISO-2022-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso2022jp1", "ISO-2022-JP"},
    {"jis", "ISO-2022-JP"},
    {"cp50220", "ISO-2022-JP"},
    {"cp50221", "ISO-2022-JP"},
    {"cp50222", "ISO-2022-JP"},
    {"iso2022jp2", "ISO-2022-JP-2"},
    {"csiso2022jp2", "ISO-2022-JP-2"},
    {"iso2022jp3", "ISO-2022-JP-3"},
    {"iso2022jp2004", "ISO-2022-JP-3"},
    /* Chinese */
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"gb18030", "GB18030"},
    {"cp936", "GB18030"},
    {"ms936", "GB18030"},
    {"windows936", "GB18030"},
    {"euccn", "GB18030"},
    {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},
    {"gb231280", "GB18030"},
    {"csiso58gb231280", "GB18030"},
    {"isoir58", "GB18030"},
    {"big5", "CP950"},
    {"csbig5", "CP950"},
    {"cnbig5", "CP950"},
    {"cp950", "CP950"},
    {"ms950", "CP950"},
    {"windows950", "CP950"},
    {"big5hkscs", "BIG5-HKSCS"},
    {"iso2022cn", "ISO-2022-CN"},
    {"iso2022cnext", "ISO-2022-CN-EXT"},
    /* Korean */
    {"euckr", "CP949"},
    {"cseuckr", "CP949"},
    {"ksc5601", "CP949"},
    {"ksc56011987", "CP949"},
    {"ksc56011989", "CP949"},
    {"csksc56011987", "CP949"},
    {"isoir149", "CP949"},
    {"korean", "CP949"},
    {"cp949", "CP949"},
    {"ms949", "CP949"},
    {"windows949", "CP949"},
    {"uhc", "CP949"},
    {"iso2022kr", "ISO-2022-KR"},
    {"csiso2022kr", "ISO-2022-KR"},
};

static const char *const iso8859_names[] = {
    NULL,          "ISO-8859-1",  "ISO-8859-2",  "ISO-8859-3",
    "ISO-8859-4",  "ISO-8859-5",  "ISO-8859-6",  "ISO-8859-7",
    "ISO-8859-8",  "ISO-8859-9",  "ISO-8859-10", "ISO-8859-11",
    NULL,          "ISO-8859-13", "ISO-8859-14", "ISO-8859-15",
    "ISO-8859-16",
};

static const char *const windows125x_names[] = {
    "WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252",
    "WINDOWS-1253", "WINDOWS-1254", "WINDOWS-1255",
    "WINDOWS-1256", "WINDOWS-1257", "WINDOWS-1258",
};

/* Copies label into buf without surrounding white space and quotes and
 * without an RFC 2231 "*language" suffix. Returns FALSE when nothing is
 * left or it does not fit. */
static gboolean
trim_label(const char *label, char buf[MAX_LABEL])
{
    gsize start = 0, end = strlen(label);
    const char *star;

    while (start < end && (g_ascii_isspace(label[start]) ||
                           label[start] == '"' || label[start] == '\''))
        start++;
    while (end > start && (g_ascii_isspace(label[end - 1]) ||
                           label[end - 1] == '"' || label[end - 1] == '\''))
        end--;
    star = memchr(label + start, '*', end - start);
    if (star != NULL)
        end = (gsize)(star - label);
    if (end == start || end - start >= MAX_LABEL)
        return FALSE;
    memcpy(buf, label + start, end - start);
    buf[end - start] = '\0';
    return TRUE;
}

/* Lowercases label and keeps only letters and digits, after dropping an
 * "x-" prefix, so that "X-SJIS", "Shift-JIS" and "shift_jis" meet. */
static void
squash_label(const char *label, char key[MAX_LABEL])
{
    gsize k = 0;

    if ((label[0] == 'x' || label[0] == 'X') &&
        (label[1] == '-' || label[1] == '_'))
        label += 2;
    for (; *label != '\0' && k + 1 < MAX_LABEL; label++) {
        if (g_ascii_isalnum(*label))
            key[k++] = g_ascii_tolower(*label);
    }
    key[k] = '\0';
}

/* Parses "iso-8859-N", "iso8859-N", "iso_8859-N:1987", "ISO-8859-8-I" and
 * the like. Squashing would confuse "8859-1:1987" with "8859-11", so this
 * reads the label with its separators. */
static const char *
iso8859_name(const char *label)
{
    const char *p = label;
    guint n = 0, digits = 0;

    if (g_ascii_strncasecmp(p, "iso", 3) != 0)
        return NULL;
    p += 3;
    if (*p == '-' || *p == '_' || *p == ' ')
        p++;
    if (strncmp(p, "8859", 4) != 0)
        return NULL;
    p += 4;
    if (*p == '-' || *p == '_' || *p == ' ')
        p++;
    while (g_ascii_isdigit(*p) && digits < 2) {
        n = n * 10 + (guint)(*p - '0');
        p++;
        digits++;
    }
    if (digits == 0 || n >= G_N_ELEMENTS(iso8859_names) ||
        iso8859_names[n] == NULL)
        return NULL;
    /* Allowed tails: a year (":1987"), or "-i" / "-e" (RFC 1556). */
    if (*p == ':' || *p == '-' || *p == '_') {
        const char *tail = p + 1;
        if (g_ascii_strcasecmp(tail, "i") != 0 &&
            g_ascii_strcasecmp(tail, "e") != 0) {
            guint year_digits = 0;
            while (g_ascii_isdigit(tail[year_digits]))
                year_digits++;
            if (year_digits != 4 || tail[year_digits] != '\0')
                return NULL;
        }
    } else if (*p != '\0') {
        return NULL;
    }
    return iso8859_names[n];
}

/* "windows-1252", "cp1252", "win-1252", "ms-1252", "x-cp1252". */
static const char *
windows125x_name(const char *key)
{
    static const char *const prefixes[] = {"windows", "win", "mscp", "cp",
                                           "ms"};

    for (gsize i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        gsize plen = strlen(prefixes[i]);
        const char *rest = key + plen;
        if (strncmp(key, prefixes[i], plen) == 0 &&
            strncmp(rest, "125", 3) == 0 && rest[3] >= '0' &&
            rest[3] <= '8' && rest[4] == '\0')
            return windows125x_names[rest[3] - '0'];
    }
    return NULL;
}

/* glibc unloads a gconv module when its last descriptor closes and loads
 * it again at the next open, which costs some 60 microseconds: a header
 * that alternates charsets word by word would pay that for every word.
 * So the first descriptor opened for each name stays open for the life of
 * the process, never used, only keeping the module loaded. Names come from
 * the table above or from iconv's own finite list (see iconv_known_name()),
 * so the pins are bounded. */
G_LOCK_DEFINE_STATIC(pins);
static GHashTable *pins; /* static or interned name -> GIConv, never freed */

/* Keeps cd open as the pin for name, or closes it when name has one. */
static void
keep_pin(const char *name, GIConv cd)
{
    gboolean keep = FALSE;

    G_LOCK(pins);
    if (pins == NULL)
        pins = g_hash_table_new(g_str_hash, g_str_equal);
    if (!g_hash_table_contains(pins, name)) {
        g_hash_table_insert(pins, (gpointer)name, cd);
        keep = TRUE;
    }
    G_UNLOCK(pins);
    if (!keep)
        g_iconv_close(cd);
}

/* Opens a descriptor from name (static or interned) to UTF-8, pinning the
 * module on first use. */
static GIConv
open_pinned(const char *name)
{
    gboolean pinned;
    GIConv cd;

    G_LOCK(pins);
    pinned = pins != NULL && g_hash_table_contains(pins, name);
    G_UNLOCK(pins);
    if (!pinned) {
        cd = g_iconv_open("UTF-8", name);
        if (cd == (GIConv)-1)
            return cd;
        keep_pin(name, cd);
    }
    return g_iconv_open("UTF-8", name);
}

/* A label outside the table: iconv may still know it ("IBM037", "CP1125").
 * The name is uppercased and restricted to the characters charset names
 * use, so that no "//TRANSLIT" suffix or locale-dependent empty name gets
 * through, and interned: iconv's alias list is finite, so the intern table
 * is bounded however many labels an attacker invents. */
static const char *
iconv_known_name(const char *label)
{
    char upper[MAX_LABEL];
    const char *name;
    gsize i;
    GIConv cd;

    for (i = 0; label[i] != '\0' && i + 1 < MAX_LABEL; i++) {
        char c = g_ascii_toupper(label[i]);
        if (!g_ascii_isalnum(c) && strchr("-_.:+()", c) == NULL)
            return NULL;
        upper[i] = c;
    }
    if (i == 0 || label[i] != '\0')
        return NULL;
    upper[i] = '\0';
    cd = g_iconv_open("UTF-8", upper);
    if (cd == (GIConv)-1)
        return NULL;
    name = g_intern_string(upper);
    keep_pin(name, cd);
    return name;
}

const char *
mt_charset_canonical(const char *label)
{
    char trimmed[MAX_LABEL], key[MAX_LABEL];
    const char *name;

    g_return_val_if_fail(label != NULL, NULL);

    if (!trim_label(label, trimmed))
        return NULL;
    name = iso8859_name(trimmed);
    if (name != NULL)
        return name;
    squash_label(trimmed, key);
    if (key[0] == '\0')
        return NULL;
    name = windows125x_name(key);
    if (name != NULL)
        return name;
    for (gsize i = 0; i < G_N_ELEMENTS(charset_aliases); i++) {
        if (strcmp(charset_aliases[i].key, key) == 0)
            return charset_aliases[i].name;
    }
    return iconv_known_name(trimmed);
}

/* --- Conversion ---------------------------------------------------------- */

/* What a conversion had to replace with U+FFFD. */
typedef struct {
    gboolean invalid; /* bytes not valid in the charset */
    gboolean nul;     /* NUL bytes: C strings would end there */
} Loss;

/* One iconv descriptor kept open across conversions of the same charset,
 * since opening one costs far more than converting a short word. */
typedef struct {
    const char *name;
    GIConv cd;
} Converter;

#define CONVERTER_INIT {NULL, (GIConv)-1}

static void
converter_close(Converter *conv)
{
    if (conv->cd != (GIConv)-1)
        g_iconv_close(conv->cd);
    conv->cd = (GIConv)-1;
    conv->name = NULL;
}

/* Makes conv convert from name (a static string) to UTF-8, in its initial
 * shift state. */
static gboolean
converter_use(Converter *conv, const char *name)
{
    if (conv->name != NULL && strcmp(conv->name, name) == 0) {
        g_iconv(conv->cd, NULL, NULL, NULL, NULL);
        return TRUE;
    }
    converter_close(conv);
    conv->cd = open_pinned(name);
    if (conv->cd == (GIConv)-1)
        return FALSE;
    conv->name = name;
    return TRUE;
}

/* Appends UTF-8 that is valid apart from NUL bytes, which become U+FFFD. */
static void
append_without_nul(GString *out, const char *s, gsize n, Loss *loss)
{
    while (n > 0) {
        const char *nul = memchr(s, '\0', n);
        gsize run = nul != NULL ? (gsize)(nul - s) : n;

        g_string_append_len(out, s, (gssize)run);
        if (nul == NULL)
            break;
        g_string_append(out, REPLACEMENT);
        loss->nul = TRUE;
        s += run + 1;
        n -= run + 1;
    }
}

/* The length of the maximal subpart at s, which is not valid UTF-8: a lead
 * byte and the continuation bytes that could still have followed it (the
 * Unicode and WHATWG practice), so that a character cut short gives one
 * U+FFFD, not one per byte. */
static gsize
utf8_bad_length(const guchar *s, gsize n)
{
    guchar lo = 0x80, hi = 0xBF;
    gsize need, i = 1;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 1;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 2;
        if (s[0] == 0xE0)
            lo = 0xA0; /* overlong */
        else if (s[0] == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 3;
        if (s[0] == 0xF0)
            lo = 0x90; /* overlong */
        else if (s[0] == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else {
        return 1;
    }
    while (i <= need && i < n && s[i] >= lo && s[i] <= hi) {
        i++;
        lo = 0x80;
        hi = 0xBF;
    }
    /* The sequence is invalid, so it stopped short of need + 1. */
    return MIN(i, need);
}

/* Appends s, which should be UTF-8: each maximal invalid subpart and each
 * NUL becomes U+FFFD. g_utf8_validate_len() stops at the first bad byte,
 * so every byte is examined a bounded number of times. */
static void
append_utf8_repaired(GString *out, const char *s, gsize n, Loss *loss)
{
    while (n > 0) {
        const gchar *end;
        gsize good, bad;

        if (g_utf8_validate_len(s, n, &end)) {
            g_string_append_len(out, s, (gssize)n);
            return;
        }
        good = (gsize)(end - s);
        g_string_append_len(out, s, (gssize)good);
        g_string_append(out, REPLACEMENT);
        if (s[good] == '\0') {
            loss->nul = TRUE;
            bad = 1;
        } else {
            loss->invalid = TRUE;
            bad = utf8_bad_length((const guchar *)s + good, n - good);
        }
        s += good + bad;
        n -= good + bad;
    }
}

/* windows-1252 0x80-0x9F as the WHATWG Encoding Standard defines it: the
 * five bytes Microsoft left undefined map to the C1 controls, so every byte
 * decodes and none is lost. */
static const guint16 cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void
append_cp1252_byte(GString *out, guchar b, Loss *loss)
{
    if (b == 0) {
        g_string_append(out, REPLACEMENT);
        loss->nul = TRUE;
    } else if (b < 0x80) {
        g_string_append_c(out, (char)b);
    } else if (b < 0xA0) {
        g_string_append_unichar(out, cp1252_high[b - 0x80]);
    } else {
        g_string_append_unichar(out, b);
    }
}

static void
append_cp1252(GString *out, const char *s, gsize n, Loss *loss)
{
    for (gsize i = 0; i < n; i++)
        append_cp1252_byte(out, (guchar)s[i], loss);
}

/* Runs cd over in and appends the UTF-8. A sequence iconv rejects becomes
 * U+FFFD and conversion resumes unit bytes later (2 for UTF-16 and for
 * EUC pairs, so that one bad character does not shift every later one). */
static void
iconv_append(GIConv cd, GString *out, const char *in, gsize len, gsize unit,
             Loss *loss)
{
    char buf[1024];
    gchar *inp = (gchar *)in;
    gsize inleft = len;
    gchar *outp;
    gsize outleft;

    while (inleft > 0) {
        gsize r;
        int err;

        outp = buf;
        outleft = sizeof buf;
        r = g_iconv(cd, &inp, &inleft, &outp, &outleft);
        err = errno;
        append_without_nul(out, buf, (gsize)(outp - buf), loss);
        if (r != (gsize)-1)
            break;
        /* E2BIG just means buf is full; go round again. It cannot repeat
         * without progress: one character never needs 1 KiB. */
        if (err == E2BIG && outp != buf)
            continue;
        g_string_append(out, REPLACEMENT);
        loss->invalid = TRUE;
        if (err == EINVAL)
            break; /* an incomplete character at the very end */
        {
            gsize skip = MIN(unit, inleft);
            inp += skip;
            inleft -= skip;
        }
    }
    outp = buf;
    outleft = sizeof buf;
    g_iconv(cd, NULL, NULL, &outp, &outleft);
    append_without_nul(out, buf, (gsize)(outp - buf), loss);
}

/* JIS X 0208 or JIS X 0212 characters of an ISO-2022-JP text, collected as
 * EUC-JP bytes and converted in one go. */
typedef struct {
    GString *euc;
    gsize unit;
} JisBatch;

static void
jis_batch_flush(JisBatch *batch, Converter *conv, GString *out, Loss *loss)
{
    if (batch->euc->len == 0)
        return;
    if (converter_use(conv, "EUC-JP-MS")) {
        iconv_append(conv->cd, out, batch->euc->str, batch->euc->len,
                     batch->unit, loss);
    } else {
        for (gsize i = 0; i < batch->euc->len; i += batch->unit)
            g_string_append(out, REPLACEMENT);
        loss->invalid = TRUE;
    }
    g_string_truncate(batch->euc, 0);
}

typedef enum {
    JIS_ASCII,
    JIS_KATAKANA,
    JIS_X0208,
    JIS_X0212,
} JisMode;

/* Returns the length of the ISO-2022-JP designation at s (ESC included)
 * and its mode, or 0 when s holds none we know. */
static gsize
jis_escape(const char *s, gsize n, JisMode *mode)
{
    if (n >= 3 && s[1] == '(') {
        if (s[2] == 'B' || s[2] == 'J') {
            /* JIS X 0201 Roman differs from ASCII only in two glyphs
             * (yen, overline); Windows and most mail programs show
             * ASCII, and so do we. */
            *mode = JIS_ASCII;
            return 3;
        }
        if (s[2] == 'I') {
            *mode = JIS_KATAKANA;
            return 3;
        }
    }
    if (n >= 3 && s[1] == '$' && (s[2] == '@' || s[2] == 'B')) {
        *mode = JIS_X0208;
        return 3;
    }
    if (n >= 4 && s[1] == '$' && s[2] == '(') {
        if (s[3] == 'B' || s[3] == '@') {
            *mode = JIS_X0208;
            return 4;
        }
        if (s[3] == 'D') {
            *mode = JIS_X0212;
            return 4;
        }
    }
    return 0;
}

/* Decodes ISO-2022-JP (RFC 1468) as Windows does (CP50221): the JIS X
 * 0208 set with the NEC and IBM rows (circled digits, Roman numerals,
 * which Japanese senders use all the time and glibc's ISO-2022-JP rejects),
 * half-width katakana by ESC ( I or SO, and JIS X 0212. The two-byte sets
 * are moved to their EUC-JP form (each byte | 0x80) and converted by
 * EUC-JP-MS, which holds exactly those tables. */
static void
append_iso2022jp(Converter *conv, GString *out, const char *s, gsize n,
                 Loss *loss)
{
    JisMode mode = JIS_ASCII;
    gboolean shift_out = FALSE;
    JisBatch batch = {g_string_new(NULL), 2};
    gsize i = 0;

    while (i < n) {
        guchar b = (guchar)s[i];
        JisMode effective = shift_out ? JIS_KATAKANA : mode;

        if (b == 0x1B) {
            JisMode next;
            gsize esc = jis_escape(s + i, n - i, &next);

            jis_batch_flush(&batch, conv, out, loss);
            if (esc == 0) {
                /* An escape we do not know (ISO-2022-JP-2's G2 sets, a
                 * broken sequence): the rest stays in the current set. */
                g_string_append(out, REPLACEMENT);
                loss->invalid = TRUE;
                i++;
                continue;
            }
            mode = next;
            batch.unit = mode == JIS_X0212 ? 3 : 2;
            i += esc;
            continue;
        }
        if (b == 0x0E || b == 0x0F) {
            jis_batch_flush(&batch, conv, out, loss);
            shift_out = b == 0x0E;
            i++;
            continue;
        }
        if (b >= 0x80) {
            jis_batch_flush(&batch, conv, out, loss);
            g_string_append(out, REPLACEMENT);
            loss->invalid = TRUE;
            i++;
            continue;
        }
        if (b <= 0x20 || b == 0x7F || effective == JIS_ASCII) {
            /* Controls and space pass through in every set: senders that
             * forget to shift back before a space are common. */
            jis_batch_flush(&batch, conv, out, loss);
            append_cp1252_byte(out, b, loss);
            i++;
            continue;
        }
        if (effective == JIS_KATAKANA) {
            jis_batch_flush(&batch, conv, out, loss);
            if (b <= 0x5F) {
                g_string_append_unichar(out, 0xFF61 + (b - 0x21));
            } else {
                g_string_append(out, REPLACEMENT);
                loss->invalid = TRUE;
            }
            i++;
            continue;
        }
        /* A two-byte set. */
        if (i + 1 >= n || (guchar)s[i + 1] <= 0x20 ||
            (guchar)s[i + 1] >= 0x7F) {
            jis_batch_flush(&batch, conv, out, loss);
            g_string_append(out, REPLACEMENT);
            loss->invalid = TRUE;
            i++;
            continue;
        }
        if (effective == JIS_X0212)
            g_string_append_c(batch.euc, (char)0x8F);
        g_string_append_c(batch.euc, (char)(b | 0x80));
        g_string_append_c(batch.euc, (char)((guchar)s[i + 1] | 0x80));
        i += 2;
    }
    jis_batch_flush(&batch, conv, out, loss);
    g_string_free(batch.euc, TRUE);
}

/* RFC 2781 4.3: UTF-16 (and by analogy UTF-32) without a byte order mark
 * is big-endian; glibc would take the machine's order instead. */
static void
append_unicode_bom(Converter *conv, GString *out, const char *s, gsize n,
                   gboolean wide, Loss *loss)
{
    const guchar *u = (const guchar *)s;
    const char *name;
    gsize bom = 0;

    if (!wide) {
        name = "UTF-16BE";
        if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
            name = "UTF-16LE";
            bom = 2;
        } else if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
            bom = 2;
        }
    } else {
        name = "UTF-32BE";
        if (n >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 &&
            u[3] == 0) {
            name = "UTF-32LE";
            bom = 4;
        } else if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE &&
                   u[3] == 0xFF) {
            bom = 4;
        }
    }
    if (!converter_use(conv, name)) {
        g_string_append(out, REPLACEMENT);
        loss->invalid = TRUE;
        return;
    }
    iconv_append(conv->cd, out, s + bom, n - bom, wide ? 4 : 2, loss);
}

/* Appends n bytes in canonical charset name as UTF-8. Returns FALSE when
 * iconv cannot open the charset. */
static gboolean
convert_append(Converter *conv, const char *name, GString *out,
               const char *s, gsize n, Loss *loss)
{
    gsize unit = 1;

    if (strcmp(name, "UTF-8") == 0) {
        append_utf8_repaired(out, s, n, loss);
        return TRUE;
    }
    if (strcmp(name, "WINDOWS-1252") == 0 ||
        strcmp(name, "ISO-8859-1") == 0 || strcmp(name, "US-ASCII") == 0) {
        append_cp1252(out, s, n, loss);
        return TRUE;
    }
    if (strcmp(name, "ISO-2022-JP") == 0) {
        append_iso2022jp(conv, out, s, n, loss);
        return TRUE;
    }
    if (strcmp(name, "UTF-16") == 0 || strcmp(name, "UTF-32") == 0) {
        append_unicode_bom(conv, out, s, n, name[4] == '3', loss);
        return TRUE;
    }
    if (g_str_has_prefix(name, "UTF-16"))
        unit = 2;
    else if (g_str_has_prefix(name, "UTF-32"))
        unit = 4;
    if (!converter_use(conv, name))
        return FALSE;
    iconv_append(conv->cd, out, s, n, unit, loss);
    return TRUE;
}

char *
mt_charset_to_utf8(const char *charset, const char *bytes, gsize len,
                   gboolean *lossy)
{
    Converter conv = CONVERTER_INIT;
    Loss loss = {FALSE, FALSE};
    const char *name;
    GString *out;

    g_return_val_if_fail(charset != NULL, NULL);
    g_return_val_if_fail(bytes != NULL || len == 0, NULL);

    if (lossy != NULL)
        *lossy = FALSE;
    name = mt_charset_canonical(charset);
    if (name == NULL)
        return NULL;
    out = g_string_sized_new(len + 1);
    if (!convert_append(&conv, name, out, bytes, len, &loss)) {
        converter_close(&conv);
        g_string_free(out, TRUE);
        return NULL;
    }
    converter_close(&conv);
    if (lossy != NULL)
        *lossy = loss.invalid || loss.nul;
    return g_string_free(out, FALSE);
}

/* --- Guessing the charset of raw header bytes ---------------------------- */

/* Whether decoded text reads as Japanese: every non-ASCII character is one
 * that JIS X 0208 text uses, and at least one is kana or a kanji. Latin-1
 * read as Shift_JIS or EUC-JP gives isolated kanji next to Latin letters,
 * or characters outside these ranges, and fails. */
static gboolean
reads_as_japanese(const char *s, gsize n)
{
    const char *p = s, *end = s + n;
    gboolean core = FALSE;

    while (p < end) {
        gunichar c = g_utf8_get_char(p);

        p = g_utf8_next_char(p);
        if (c < 0x80)
            continue;
        if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
            (c >= 0xFF66 && c <= 0xFF9F)) {
            core = TRUE;
            continue;
        }
        if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFFEF) ||
            (c >= 0x2010 && c <= 0x266F) || (c >= 0x0391 && c <= 0x0451) ||
            c == 0xA7 || c == 0xA8 || c == 0xB0 || c == 0xB1 || c == 0xB4 ||
            c == 0xB6 || c == 0xD7 || c == 0xF7)
            continue;
        return FALSE;
    }
    return core;
}

/* Shift_JIS structure: every high byte is a half-width katakana or the lead
 * of a valid pair. Japanese text is mostly kana and level-1 kanji, whose
 * lead bytes are 0x81-0x9F; Latin-1 has no letters there, and its accented
 * lowercase letters (0xE0-0xFC) are what would pose as the other leads. */
static gboolean
looks_like_sjis(const guchar *s, gsize n)
{
    gsize pairs = 0, low_leads = 0, kana = 0;

    for (gsize i = 0; i < n; i++) {
        guchar b = s[i];

        if (b < 0x80)
            continue;
        if (b >= 0xA1 && b <= 0xDF) {
            kana++;
            continue;
        }
        if (((b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC)) &&
            i + 1 < n &&
            ((s[i + 1] >= 0x40 && s[i + 1] <= 0x7E) ||
             (s[i + 1] >= 0x80 && s[i + 1] <= 0xFC))) {
            pairs++;
            if (b <= 0x9F)
                low_leads++;
            i++;
            continue;
        }
        return FALSE;
    }
    return pairs > 0 && low_leads * 2 >= pairs && kana <= pairs;
}

/* EUC-JP structure: every high byte belongs to a pair of 0xA1-0xFE, a
 * katakana after 0x8E or a JIS X 0212 triple after 0x8F. Latin-1 letters
 * are nearly always followed by ASCII, which no EUC-JP pair allows. */
static gboolean
looks_like_eucjp(const guchar *s, gsize n)
{
    gsize pairs = 0;

    for (gsize i = 0; i < n; i++) {
        guchar b = s[i];

        if (b < 0x80)
            continue;
        if (b >= 0xA1 && b <= 0xFE && i + 1 < n && s[i + 1] >= 0xA1 &&
            s[i + 1] <= 0xFE) {
            i++;
        } else if (b == 0x8E && i + 1 < n && s[i + 1] >= 0xA1 &&
                   s[i + 1] <= 0xDF) {
            i++;
        } else if (b == 0x8F && i + 2 < n && s[i + 1] >= 0xA1 &&
                   s[i + 1] <= 0xFE && s[i + 2] >= 0xA1 && s[i + 2] <= 0xFE) {
            i += 2;
        } else {
            return FALSE;
        }
        pairs++;
    }
    return pairs > 0;
}

gboolean
mt_charset_looks_like_sjis(const guchar *bytes, gsize len)
{
    g_return_val_if_fail(bytes != NULL || len == 0, FALSE);
    return looks_like_sjis(bytes, len);
}

gboolean
mt_charset_looks_like_eucjp(const guchar *bytes, gsize len)
{
    g_return_val_if_fail(bytes != NULL || len == 0, FALSE);
    return looks_like_eucjp(bytes, len);
}

/* Converts s with charset into a fresh string and appends it to out when
 * every byte decoded and the result reads as Japanese. */
static gboolean
try_japanese(Converter *conv, const char *charset, GString *out,
             const char *s, gsize n)
{
    GString *tmp;
    Loss loss = {FALSE, FALSE};
    gboolean ok;

    if (!converter_use(conv, charset))
        return FALSE;
    tmp = g_string_sized_new(n * 2);
    iconv_append(conv->cd, tmp, s, n, 1, &loss);
    ok = !loss.invalid && !loss.nul && reads_as_japanese(tmp->str, tmp->len);
    if (ok)
        g_string_append_len(out, tmp->str, (gssize)tmp->len);
    g_string_free(tmp, TRUE);
    return ok;
}

/* UTF-8 where it is valid, windows-1252 for each stray byte: a value in
 * UTF-8 with one Latin-1 word pasted in. */
static void
append_utf8_or_cp1252(GString *out, const char *s, gsize n, Loss *loss)
{
    while (n > 0) {
        const gchar *end;
        gsize good;

        if (g_utf8_validate_len(s, n, &end)) {
            g_string_append_len(out, s, (gssize)n);
            return;
        }
        good = (gsize)(end - s);
        g_string_append_len(out, s, (gssize)good);
        append_cp1252_byte(out, (guchar)s[good], loss);
        s += good + 1;
        n -= good + 1;
    }
}

/* Counts the bytes of s that are not part of valid UTF-8, NUL aside. */
static gsize
count_invalid_utf8(const char *s, gsize n)
{
    gsize invalid = 0;

    while (n > 0) {
        const gchar *end;
        gsize good;

        if (g_utf8_validate_len(s, n, &end))
            break;
        good = (gsize)(end - s);
        if (s[good] != '\0')
            invalid++;
        s += good + 1;
        n -= good + 1;
    }
    return invalid;
}

/* --- The decoder --------------------------------------------------------- */

typedef enum {
    CODE_MALFORMED,
    CODE_UNKNOWN_CHARSET,
    CODE_NONCONFORMING,
    CODE_INVALID_BYTES,
    CODE_8BIT_RAW,
    CODE_NUL,
    N_CODES
} DefectCode;

static const char *const defect_codes[N_CODES] = {
    "rfc2047-malformed",    "rfc2047-unknown-charset",
    "rfc2047-nonconforming", "rfc2047-invalid-bytes",
    "header-8bit-raw",       "header-nul",
};

typedef struct {
    guint32 acc;
    guint nbits;
} B64State;

typedef struct {
    const char *text;
    gsize len;
    GPtrArray *defects;
    gint64 base_offset;
    guint counts[N_CODES];
    GString *out;
    Converter conv;

    /* Bytes of adjacent encoded words in one charset, not yet converted. */
    GString *run;
    const char *run_charset; /* NULL when there is no run */
    gsize run_first;         /* offset of the run's first word */
    gsize run_last;          /* offset of its last word */
    B64State b64;            /* base64 carried into the next B word */

    /* The raw text after the last encoded word: from seg; ws_scan is how
     * far it is known to be white space only, unless seg_has_text. */
    gsize seg;
    gboolean after_word;
    gsize ws_scan;
    gboolean seg_has_text;

    /* Cache for find_stop(): stop_pos is the first stopper at or after
     * stop_from. */
    gboolean stop_valid;
    gsize stop_from, stop_pos;

    /* The last charset label looked up, and what it gave. */
    char label[MAX_LABEL];
    gsize label_len;
    const char *label_name;
} Decoder;

static void add_defect(Decoder *d, DefectCode code, gsize pos,
                       const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
add_defect(Decoder *d, DefectCode code, gsize pos, const char *fmt, ...)
{
    MtDefect *defect;
    va_list args;

    /* A megabyte of broken words must not become a hundred thousand
     * defects: the first few of each kind say all there is to say. */
    if (d->defects == NULL ||
        d->counts[code] >= MT_RFC2047_MAX_DEFECTS_PER_CODE)
        return;
    d->counts[code]++;
    defect = g_new0(MtDefect, 1);
    defect->code = g_strdup(defect_codes[code]);
    va_start(args, fmt);
    defect->message = g_strdup_vprintf(fmt, args);
    va_end(args);
    defect->offset = d->base_offset < 0 ? -1 : d->base_offset + (gint64)pos;
    defect->header_index = -1;
    g_ptr_array_add(d->defects, defect);
}

static gboolean
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Charset and language characters: RFC 2047 "token" less the especials,
 * plus "." and ":" that real labels contain ("ISO_8859-1:1987") and "*"
 * for the RFC 2231 language. */
static gboolean
is_charset_char(char c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'+-^_`{|}~.:*",
                                                      c) != NULL);
}

static void
emit_nul_defect(Decoder *d, gsize pos, const Loss *loss)
{
    if (loss->nul)
        add_defect(d, CODE_NUL, pos, "NUL byte in header value");
}

/* Converts the raw text [start, end) outside encoded words. */
static void
emit_raw(Decoder *d, gsize start, gsize end)
{
    const char *s = d->text + start;
    gsize n = end - start, first = n, high = 0, nul_at = 0;
    gboolean escape = FALSE, nul = FALSE;
    const char *guess;
    Loss loss = {FALSE, FALSE};
    gsize invalid;

    for (gsize i = 0; i < n; i++) {
        guchar b = (guchar)s[i];
        if (b >= 0x80) {
            high++;
            first = MIN(first, i);
        } else if (b == 0x1B && i + 1 < n && (s[i + 1] == '$' ||
                                              s[i + 1] == '(')) {
            escape = TRUE;
            first = MIN(first, i);
        } else if (b == 0 && !nul) {
            nul = TRUE;
            nul_at = i;
        }
    }
    if (high == 0 && !escape && !nul) {
        g_string_append_len(d->out, s, (gssize)n);
        return;
    }
    if (escape) {
        /* Raw ISO-2022-JP: Japanese mailers that never learned RFC 2047.
         * It is 7-bit, so it would pass as ASCII with the escapes shown. */
        append_iso2022jp(&d->conv, d->out, s, n, &loss);
        add_defect(d, CODE_8BIT_RAW, start + first,
                   "raw ISO-2022-JP text (escape sequences) not encoded "
                   "as RFC 2047, decoded as ISO-2022-JP");
        emit_nul_defect(d, start + nul_at, &loss);
        return;
    }
    invalid = count_invalid_utf8(s, n);
    if (invalid == 0) {
        /* Valid UTF-8 (RFC 6532 allows it), perhaps with NUL bytes. */
        append_without_nul(d->out, s, n, &loss);
        emit_nul_defect(d, start + nul_at, &loss);
        return;
    }
    /* Not UTF-8: guess. Japanese first, since the structural tests are
     * strict and Latin-1 text fails them; then UTF-8 with stray bytes when
     * some of it is valid multi-byte UTF-8; windows-1252 last, because it
     * decodes anything. */
    if (looks_like_sjis((const guchar *)s, n) &&
        try_japanese(&d->conv, "CP932", d->out, s, n)) {
        guess = "Shift_JIS";
    } else if (looks_like_eucjp((const guchar *)s, n) &&
               try_japanese(&d->conv, "EUC-JP", d->out, s, n)) {
        guess = "EUC-JP";
    } else if (invalid < high) {
        append_utf8_or_cp1252(d->out, s, n, &loss);
        guess = "UTF-8 with stray windows-1252 bytes";
    } else {
        append_cp1252(d->out, s, n, &loss);
        guess = "windows-1252";
    }
    add_defect(d, CODE_8BIT_RAW, start + first,
               "raw 8-bit text that is not UTF-8 and not RFC 2047 encoded, "
               "decoded as a guess: %s", guess);
    emit_nul_defect(d, start + nul_at, &loss);
}

/* Ends the base64 carried across words: bits left over mean the sender
 * split the text inside a quantum and never finished it. */
static void
b64_finish(Decoder *d)
{
    if (d->b64.nbits > 0 &&
        (d->b64.nbits == 6 ||
         (d->b64.acc & ((1u << d->b64.nbits) - 1)) != 0))
        add_defect(d, CODE_NONCONFORMING, d->run_last,
                   "base64 text ends inside a quantum; trailing bits "
                   "dropped");
    d->b64.acc = 0;
    d->b64.nbits = 0;
}

/* Converts the pending run of encoded words and appends it. */
static void
flush_run(Decoder *d)
{
    Loss loss = {FALSE, FALSE};

    if (d->run_charset == NULL)
        return;
    b64_finish(d);
    if (!convert_append(&d->conv, d->run_charset, d->out, d->run->str,
                        d->run->len, &loss)) {
        /* iconv knew the name a moment ago; keep the bytes visible. */
        append_cp1252(d->out, d->run->str, d->run->len, &loss);
        loss.invalid = TRUE;
    }
    if (loss.invalid)
        add_defect(d, CODE_INVALID_BYTES, d->run_first,
                   "encoded word holds bytes that are not valid %s; "
                   "replaced by U+FFFD", d->run_charset);
    emit_nul_defect(d, d->run_first, &loss);
    g_string_truncate(d->run, 0);
    d->run_charset = NULL;
}

/* Decodes the B text s into out, continuing the quantum in st. Returns
 * FALSE when s is not base64: a character outside the alphabet, padding
 * followed by data, or padding after a lone sextet. Any number of "=" is
 * accepted, since encoders that add one too many are common. */
static gboolean
b64_decode(const char *s, gsize n, GString *out, B64State *st)
{
    gsize i = 0;
    gboolean padded;

    for (; i < n && s[i] != '='; i++) {
        int v = mt_b64_value((guchar)s[i]);
        if (v < 0)
            return FALSE;
        st->acc = ((st->acc << 6) | (guint32)v) & 0xFFFF;
        st->nbits += 6;
        if (st->nbits >= 8) {
            st->nbits -= 8;
            g_string_append_c(out, (char)((st->acc >> st->nbits) & 0xFF));
        }
    }
    padded = i < n;
    for (; i < n; i++) {
        if (s[i] != '=')
            return FALSE;
    }
    if (padded && st->nbits == 6)
        return FALSE;
    /* A word that ends on a full quantum, or unpadded with zero fill bits,
     * is complete. Non-zero fill bits or a lone sextet mean the sender cut
     * the base64 inside a quantum: carry it into the next adjacent word. */
    if (padded || (st->nbits != 6 &&
                   (st->acc & ((1u << st->nbits) - 1)) == 0)) {
        st->acc = 0;
        st->nbits = 0;
    }
    return TRUE;
}

/* Decodes the Q text s into out (RFC 2047 4.2). "=" must start a hex pair
 * (lowercase hex is tolerated); other characters, even those RFC 2047 does
 * not allow in Q, are taken literally. */
static gboolean
q_decode(const char *s, gsize n, GString *out)
{
    for (gsize i = 0; i < n; i++) {
        if (s[i] == '_') {
            g_string_append_c(out, ' ');
        } else if (s[i] == '=') {
            int hi, lo;
            if (i + 2 >= n)
                return FALSE;
            hi = mt_hex_value((guchar)s[i + 1]);
            lo = mt_hex_value((guchar)s[i + 2]);
            if (hi < 0 || lo < 0)
                return FALSE;
            g_string_append_c(out, (char)(hi << 4 | lo));
            i += 2;
        } else {
            g_string_append_c(out, s[i]);
        }
    }
    return TRUE;
}

static gboolean
is_stop(const Decoder *d, gsize k)
{
    return is_ws(d->text[k]) ||
           (d->text[k] == '?' && k + 1 < d->len && d->text[k + 1] == '=');
}

/* The first k >= from where "?=" starts or white space is, or len. Encoded
 * text ends at the first "?=" and cannot hold white space. The answer is
 * cached: text holding many word starts ("=?x?q?") and no terminator is
 * then scanned once, not once per start. */
static gsize
find_stop(Decoder *d, gsize from)
{
    gsize k = from, limit = d->len;

    if (d->stop_valid && from >= d->stop_from && from <= d->stop_pos)
        return d->stop_pos;
    if (d->stop_valid && from < d->stop_from)
        limit = d->stop_from;
    while (k < limit && !is_stop(d, k))
        k++;
    if (k == limit && limit != d->len) {
        d->stop_from = from;
        return d->stop_pos;
    }
    d->stop_valid = TRUE;
    d->stop_from = from;
    d->stop_pos = k;
    return k;
}

/* mt_charset_canonical() for a label in the text, remembering the last
 * one: a header repeats the same label in every word. */
static const char *
lookup_charset(Decoder *d, const char *label, gsize len)
{
    char buf[MAX_LABEL];

    if (len == 0 || len >= MAX_LABEL)
        return NULL;
    if (len == d->label_len && g_ascii_strncasecmp(d->label, label, len) == 0)
        return d->label_name;
    memcpy(buf, label, len);
    buf[len] = '\0';
    memcpy(d->label, buf, len + 1);
    d->label_len = len;
    d->label_name = mt_charset_canonical(buf);
    return d->label_name;
}

/* Whether the raw text from d->seg to p is white space only. ws_scan only
 * moves forward, so however often this is asked, each byte is read once. */
static gboolean
segment_is_ws(Decoder *d, gsize p)
{
    if (d->seg_has_text)
        return FALSE;
    while (d->ws_scan < p) {
        if (!is_ws(d->text[d->ws_scan])) {
            d->seg_has_text = TRUE;
            return FALSE;
        }
        d->ws_scan++;
    }
    return TRUE;
}

/* Records the RFC violations of a word decoded at [p, end). */
static void
check_conformance(Decoder *d, gsize p, gsize end)
{
    char before = p > 0 ? d->text[p - 1] : ' ';
    char after = end < d->len ? d->text[end] : ' ';

    /* RFC 2047 5: an encoded word stands between white space (or in a
     * comment, after "(" and before ")"); never in a quoted string. */
    if (before == '"' || after == '"')
        add_defect(d, CODE_NONCONFORMING, p,
                   "encoded word inside a quoted string");
    else if (!(is_ws(before) || before == '(') ||
             !(is_ws(after) || after == ')'))
        add_defect(d, CODE_NONCONFORMING, p,
                   "encoded word not separated from adjacent text by "
                   "white space");
    if (end - p > RFC_WORD_LENGTH)
        add_defect(d, CODE_NONCONFORMING, p,
                   "encoded word is %" G_GSIZE_FORMAT " characters long "
                   "(RFC 2047 allows 75)", end - p);
}

typedef enum {
    WORD_NONE,      /* not an encoded word: plain text */
    WORD_MALFORMED, /* looks like one but is broken: kept, reported */
    WORD_DONE,      /* decoded into the run */
} WordResult;

/* Tries the encoded word starting at p ("=?" is there). On WORD_DONE,
 * *end is the offset after its "?=". */
static WordResult
try_word(Decoder *d, gsize p, gsize *end)
{
    const char *text = d->text;
    gsize cs = p + 2, k = cs, t, stop, label_len;
    const char *star, *name;
    char enc;
    gboolean ws_only, join, ok;
    B64State saved_b64;
    gsize saved_len;

    while (k < d->len && k - cs <= MAX_LABEL && is_charset_char(text[k]))
        k++;
    if (k == cs || k + 2 >= d->len || text[k] != '?' || text[k + 2] != '?')
        return WORD_NONE;
    enc = text[k + 1];
    if (!g_ascii_isalnum(enc))
        return WORD_NONE;
    if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') {
        add_defect(d, CODE_MALFORMED, p,
                   "encoded word with unknown encoding '%c' kept as "
                   "written", enc);
        return WORD_MALFORMED;
    }
    t = k + 3;
    stop = find_stop(d, t);
    if (stop >= d->len || is_ws(text[stop])) {
        add_defect(d, CODE_MALFORMED, p,
                   "encoded word without \"?=\" kept as written");
        return WORD_MALFORMED;
    }
    *end = stop + 2;
    if (*end - p > MT_RFC2047_MAX_WORD) {
        add_defect(d, CODE_MALFORMED, p,
                   "encoded word of %" G_GSIZE_FORMAT " characters kept as "
                   "written", *end - p);
        return WORD_MALFORMED;
    }
    /* RFC 2231 5: "charset*language"; the language changes nothing. */
    star = memchr(text + cs, '*', k - cs);
    label_len = star != NULL ? (gsize)(star - (text + cs)) : k - cs;
    name = lookup_charset(d, text + cs, label_len);
    if (name == NULL) {
        add_defect(d, CODE_UNKNOWN_CHARSET, p,
                   "encoded word in unknown charset \"%.*s\" kept as "
                   "written", (int)label_len, text + cs);
        return WORD_MALFORMED;
    }

    ws_only = d->after_word && segment_is_ws(d, p);
    join = ws_only && d->run_charset != NULL &&
           strcmp(d->run_charset, name) == 0;
    if (!join) {
        /* Safe even if this word turns out broken: the old run comes
         * before anything that follows it either way. */
        flush_run(d);
    } else if (enc == 'Q' || enc == 'q') {
        b64_finish(d);
    }
    saved_b64 = d->b64;
    saved_len = d->run->len;
    if (enc == 'B' || enc == 'b')
        ok = b64_decode(text + t, stop - t, d->run, &d->b64);
    else
        ok = q_decode(text + t, stop - t, d->run);
    if (!ok) {
        g_string_truncate(d->run, saved_len);
        d->b64 = saved_b64;
        add_defect(d, CODE_MALFORMED, p,
                   "encoded word with invalid %s text kept as written",
                   enc == 'B' || enc == 'b' ? "base64" : "Q");
        return WORD_MALFORMED;
    }
    if (!join) {
        /* White space between two encoded words is dropped (RFC 2047
         * 6.2); any other text before this word is output now, ahead of
         * the run that this word starts. */
        if (!ws_only)
            emit_raw(d, d->seg, p);
        d->run_charset = name;
        d->run_first = p;
    }
    d->run_last = p;
    check_conformance(d, p, *end);
    return WORD_DONE;
}

char *
mt_rfc2047_decode(const char *text, gsize len, GPtrArray *defects,
                  gint64 base_offset)
{
    Decoder d;
    gsize i = 0;
    GString *result;

    g_return_val_if_fail(text != NULL || len == 0, NULL);

    memset(&d, 0, sizeof d);
    d.text = text;
    d.len = len;
    d.defects = defects;
    d.base_offset = base_offset;
    d.out = g_string_sized_new(len + 1);
    d.run = g_string_new(NULL);
    d.conv.cd = (GIConv)-1;

    while (i + 1 < len) {
        const char *q = memchr(text + i, '=', len - i - 1);
        gsize p, end = 0;

        if (q == NULL)
            break;
        p = (gsize)(q - text);
        if (text[p + 1] != '?') {
            i = p + 1;
            continue;
        }
        if (try_word(&d, p, &end) != WORD_DONE) {
            i = p + 2;
            continue;
        }
        i = end;
        d.seg = end;
        d.after_word = TRUE;
        d.ws_scan = end;
        d.seg_has_text = FALSE;
    }
    flush_run(&d);
    if (d.seg < len)
        emit_raw(&d, d.seg, len);
    converter_close(&d.conv);
    g_string_free(d.run, TRUE);

    /* Every path above yields valid UTF-8 without NUL; this check keeps a
     * mistake there from reaching a renderer. */
    if (!g_utf8_validate_len(d.out->str, d.out->len, NULL)) {
        Loss loss = {FALSE, FALSE};
        result = g_string_sized_new(d.out->len);
        append_utf8_repaired(result, d.out->str, d.out->len, &loss);
        g_string_free(d.out, TRUE);
        d.out = result;
    }
    return g_string_free(d.out, FALSE);
}
