/* SPDX-License-Identifier: MIT */
/*
 * links.c: the links a message's bodies carry, and what is wrong with
 * them. A link is where a phishing message does its work, and the text a
 * reader sees is not where the click goes: the anchor text can show one
 * domain while the href names another, a host can be an IP address written
 * as one decimal number, a Cyrillic name that renders as a Latin brand, or
 * sit behind a "user@" that the eye reads as the host. Mail gateways then
 * wrap every link in their own redirector (SafeLinks, URLDefense, Mimecast,
 * Barracuda), which hides the target from a naive reading; analysts paste
 * indicators defanged ("hxxp://evil[.]com"), and forwarded reports carry
 * them that way.
 *
 * Three passes. mt_links_from_text() scans a plain text body for URLs in
 * one linear pass, with no regular expression: every byte is looked at a
 * bounded number of times whatever the input. mt_links_from_html() reads
 * an HTML body with libxml2's forgiving parser and walks the tree
 * iteratively, with a node budget, for every attribute that loads or
 * navigates. mt_links_analyze() runs once all bodies are read: it parses
 * each host (userinfo, the IPv4 integer forms browsers accept, IPv6, IDN
 * with libidn2), unwraps the rewriters offline, compares anchor text with
 * the real target by registrable domain (libpsl), and raises the link- and
 * html- findings of doc/findings.yaml. Links past MtLimits.max_urls are
 * counted in report->links_dropped, never silently lost.
 */
#include <string.h>

#include "data/mt-shorteners.h"
#include "identity-private.h"
#include "mime-private.h"

/* After GLib: libpsl.h defines GLib's G_GNUC_DEPRECATED when it is not
 * yet defined. */
#include <idn2.h>
#include <libpsl.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

/* A URL longer than this is kept cut: real ones stay far below, and a
 * data: URL with a whole image inline says what it is in its first bytes. */
#define MAX_URL_BYTES 8192
/* A host longer than DNS allows is not a name (RFC 1035 2.3.4); the text
 * scanner gives up on a run of host characters past this. */
#define MAX_HOST_BYTES 255
/* The visible text of an anchor kept for the report and the comparison. */
#define MAX_ANCHOR_BYTES 512
/* <URL> in angle brackets may be folded over lines (RFC 3986 appendix C);
 * past this span a '<' is just a '<'. */
#define MAX_ANGLE_SPAN 2048
/* Gateways wrapping gateways: a SafeLinks URL around a URLDefense one. */
#define MAX_UNWRAP_DEPTH 4
/* Findings of one id per message; the rest are summed in one more. */
#define MAX_FINDINGS_PER_ID 100
/* Characters of a URL quoted in a finding's message. */
#define SHOW_URL_CHARS 160

/* ---- Small helpers ------------------------------------------------ */

/* s as valid UTF-8 of at most MAX_URL_BYTES: a sequence cut by the bound
 * is dropped, any other invalid byte escaped. Transfer full. */
static char *
utf8_clean(const char *s, gsize len)
{
    const char *end;
    gboolean cut = FALSE;

    if (len > MAX_URL_BYTES) {
        len = MAX_URL_BYTES;
        cut = TRUE;
    }
    if (g_utf8_validate(s, (gssize)len, &end))
        return g_strndup(s, len);
    if (cut && (gsize)(s + len - end) < 4
        && g_utf8_get_char_validated(end, (gssize)(s + len - end))
               == (gunichar)-2)
        return g_strndup(s, (gsize)(end - s));
    return mt_escape_bytes(s, len, NULL);
}

/* Percent-decodes n bytes of s; a '%' without two hex digits stays, and
 * so does an encoded NUL, which no C string can hold. The result may not
 * be UTF-8. Transfer full. */
static char *
pct_decode(const char *s, gsize n)
{
    GString *out = g_string_sized_new(n);

    for (gsize i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && g_ascii_isxdigit(s[i + 1])
            && g_ascii_isxdigit(s[i + 2])) {
            int v = g_ascii_xdigit_value(s[i + 1]) * 16
                    + g_ascii_xdigit_value(s[i + 2]);

            if (v != 0) {
                g_string_append_c(out, (char)v);
                i += 2;
                continue;
            }
        }
        g_string_append_c(out, s[i]);
    }
    return g_string_free(out, FALSE);
}

/* The URL text quoted in a message, cut to SHOW_URL_CHARS. Transfer
 * full. */
static char *
show(const char *url)
{
    if (url == NULL)
        return g_strdup("(none)");
    if (g_utf8_strlen(url, -1) <= SHOW_URL_CHARS)
        return g_strdup(url);
    {
        g_autofree char *head = g_utf8_substring(url, 0, SHOW_URL_CHARS);

        return g_strconcat(head, "...", NULL);
    }
}

/* TRUE when url starts with a scheme ("http:", "javascript:"). */
static gboolean
has_scheme(const char *url, gsize *scheme_len)
{
    gsize i = 1;

    if (!g_ascii_isalpha(url[0]))
        return FALSE;
    while (g_ascii_isalnum(url[i]) || url[i] == '+' || url[i] == '-'
           || url[i] == '.')
        i++;
    if (url[i] != ':')
        return FALSE;
    if (scheme_len)
        *scheme_len = i;
    return TRUE;
}

/* ---- Adding links ------------------------------------------------- */

/* Where one extraction call puts its links. */
typedef struct {
    MtReport *report;
    const char *part;
    guint max_urls;
    GHashTable *seen; /* keys of the links this call added */
} Sink;

static void
sink_init(Sink *sink, MtReport *report, const char *part,
          const MtOptions *options)
{
    sink->report = report;
    sink->part = part;
    sink->max_urls = options->limits.max_urls;
    sink->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       NULL);
}

static void
sink_clear(Sink *sink)
{
    g_clear_pointer(&sink->seen, g_hash_table_unref);
}

/* Counts n links past the limit; the first one past it is recorded. */
static void
sink_drop(Sink *sink, guint n)
{
    MtReport *report = sink->report;

    if (n == 0)
        return;
    if (report->links_dropped == 0)
        mt_report_limit_reached(report, "max-urls", sink->part,
                                "more than %u links in the message: the "
                                "rest were counted, not kept",
                                sink->max_urls);
    report->links_dropped = report->links_dropped > G_MAXUINT - n
                                ? G_MAXUINT
                                : report->links_dropped + n;
}

static char *
link_key(const char *url, const char *part, MtUrlSource source,
         const char *anchor)
{
    /* US (0x1f) cannot occur in a cleaned URL, so the key is exact. */
    return g_strdup_printf("%d\037%s\037%s\037%s", (int)source,
                           part ? part : "", url, anchor ? anchor : "");
}

/* Adds a link unless this call already added the same (url, source,
 * anchor text); counts it as dropped past the limit. */
static void
sink_add(Sink *sink, const char *url, gsize len, MtUrlSource source,
         guint flags, const char *anchor)
{
    g_autofree char *clean = NULL;
    char *key;
    MtUrl *link;

    if (len == 0)
        return;
    clean = utf8_clean(url, len);
    key = link_key(clean, sink->part, source, anchor);
    if (g_hash_table_contains(sink->seen, key)) {
        g_free(key);
        return;
    }
    if (sink->report->links->len >= sink->max_urls) {
        g_free(key);
        sink_drop(sink, 1);
        return;
    }
    g_hash_table_add(sink->seen, key);
    link = g_new0(MtUrl, 1);
    link->url = g_steal_pointer(&clean);
    link->part = g_strdup(sink->part);
    link->source = source;
    link->anchor_text = g_strdup(anchor);
    link->flags = flags;
    g_ptr_array_add(sink->report->links, link);
}

/* ---- URLs in plain text ------------------------------------------- */

/* A character a URL written in text may hold (RFC 3986 2.2, 2.3 and
 * percent-encoding). Quotes, angle brackets, backslash, braces and '|'
 * end it: text puts them around URLs, not in them. */
static gboolean
url_ascii(guchar c)
{
    return g_ascii_isalnum(c)
           || (c != 0 && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

/* The byte length of the UTF-8 sequence at s (n bytes left), or 0 when
 * it is not one. */
static gsize
utf8_seq_len(const guchar *s, gsize n)
{
    gsize k;

    if (s[0] < 0x80)
        return 1;
    k = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    if (s[0] < 0xC2 || s[0] > 0xF4 || n < k)
        return 0;
    for (gsize i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return k;
}

/* TRUE when the UTF-8 character at s ends a URL in text: the Unicode
 * spaces, the quotes and brackets that CJK and European prose put around
 * one, and any byte that cannot start a character. */
static gboolean
unicode_stop(const guchar *s, gsize n)
{
    if (utf8_seq_len(s, n) == 0)
        return TRUE;
    if (s[0] == 0xC2)
        return n < 2 || s[1] == 0xA0 || s[1] == 0xAB || s[1] == 0xBB
               || s[1] == 0x85;
    if (s[0] == 0xE2 || s[0] == 0xE3 || s[0] == 0xEF) {
        if (n < 3)
            return TRUE;
        if (s[0] == 0xE2 && s[1] == 0x80)
            return s[2] <= 0x8B || s[2] == 0x98 || s[2] == 0x99
                   || s[2] == 0x9C || s[2] == 0x9D || s[2] == 0xA6
                   || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF;
        if (s[0] == 0xE2 && s[1] == 0x81)
            return s[2] == 0x9F || s[2] == 0xA0;
        if (s[0] == 0xE3 && s[1] == 0x80)
            return s[2] <= 0x82 || (s[2] >= 0x88 && s[2] <= 0x8F);
        if (s[0] == 0xEF && s[1] == 0xBC)
            return s[2] == 0x88 || s[2] == 0x89 || s[2] == 0x8C
                   || s[2] == 0x9A || s[2] == 0x9B;
        if (s[0] == 0xEF && s[1] == 0xBB)
            return s[2] == 0xBF;
    }
    return FALSE;
}

/* The length of a defanging token at s ("[.]", "(.)", "{.}", "[dot]",
 * "(dot)", "{dot}" for a dot, "[:]" and "[/]"), with the character it
 * stands for in *out; 0 when there is none. */
static gsize
defang_token(const char *s, gsize n, char *out)
{
    char close;

    if (n < 3 || (s[0] != '[' && s[0] != '(' && s[0] != '{'))
        return 0;
    close = s[0] == '[' ? ']' : s[0] == '(' ? ')' : '}';
    if (s[1] == '.' && s[2] == close) {
        *out = '.';
        return 3;
    }
    if (s[0] == '[' && s[2] == ']' && (s[1] == ':' || s[1] == '/')) {
        *out = s[1];
        return 3;
    }
    if (n >= 5 && g_ascii_strncasecmp(s + 1, "dot", 3) == 0
        && s[4] == close) {
        *out = '.';
        return 5;
    }
    return 0;
}

/* Appends the URL characters of s from p to url, undoing defanging
 * tokens, up to the first character a URL cannot hold. Returns where it
 * stopped. */
static gsize
scan_rest(const char *s, gsize len, gsize p, GString *url, guint *flags)
{
    while (p < len && url->len < MAX_URL_BYTES) {
        guchar c = (guchar)s[p];
        char rep;
        gsize t;

        if ((c == '[' || c == '(' || c == '{')
            && (t = defang_token(s + p, len - p, &rep)) > 0) {
            g_string_append_c(url, rep);
            *flags |= MT_URL_DEFANGED;
            p += t;
            continue;
        }
        if (c >= 0x80) {
            if (unicode_stop((const guchar *)s + p, len - p))
                break;
            t = utf8_seq_len((const guchar *)s + p, len - p);
            g_string_append_len(url, s + p, (gssize)t);
            p += t;
            continue;
        }
        if (!url_ascii(c))
            break;
        g_string_append_c(url, (char)c);
        p++;
    }
    return p;
}

/* Drops what people put after a URL rather than in it: sentence
 * punctuation, and closing brackets that have no opening one inside the
 * URL ("(see http://x.example/a)." keeps "/a"; Wikipedia's "Foo_(bar)"
 * keeps its parenthesis). Never cuts below keep bytes. */
static void
trim_trailing(GString *url, gsize keep)
{
    int paren = 0, square = 0, curly = 0; /* opens minus closes */

    for (gsize k = 0; k < url->len; k++) {
        switch (url->str[k]) {
        case '(': paren++; break;
        case ')': paren--; break;
        case '[': square++; break;
        case ']': square--; break;
        case '{': curly++; break;
        case '}': curly--; break;
        default: break;
        }
    }
    while (url->len > keep) {
        char c = url->str[url->len - 1];

        if (strchr(".,:;!?'\"*", c) != NULL && c != '\0')
            ;
        else if (c == ')' && paren < 0)
            paren++;
        else if (c == ']' && square < 0)
            square++;
        else if (c == '}' && curly < 0)
            curly++;
        else
            break;
        g_string_truncate(url, url->len - 1);
    }
}

static gboolean
has_at(const char *s, gsize len, gsize p, const char *lit)
{
    gsize n = strlen(lit);

    return p + n <= len && memcmp(s + p, lit, n) == 0;
}

/* The scheme words recognised in text, and the scheme each stands for:
 * the defanged spellings analysts and threat reports use. */
static const struct {
    const char *word;
    const char *scheme;
    gboolean defanged;
} text_schemes[] = {
    {"http", "http", FALSE},   {"https", "https", FALSE},
    {"ftp", "ftp", FALSE},     {"ftps", "ftps", FALSE},
    {"hxxp", "http", TRUE},    {"hxxps", "https", TRUE},
    {"hxtp", "http", TRUE},    {"hxtps", "https", TRUE},
    {"htxp", "http", TRUE},    {"htxps", "https", TRUE},
    {"fxp", "ftp", TRUE},      {"fxps", "ftps", TRUE},
    {"mailto", "mailto", FALSE},
};

/* Reads a URL with a scheme at s[i] into url (scheme lowercased and
 * refanged). With trim, trailing punctuation is dropped. Returns FALSE
 * when there is none; *end is where the reading stopped. */
static gboolean
scheme_url_at(const char *s, gsize len, gsize i, gboolean trim, GString *url,
              guint *flags, gsize *end)
{
    gsize j = i, p, prefix;
    const char *scheme = NULL;
    gboolean defanged = FALSE, mailto;
    guint f;

    while (j < len && j - i < 7 && g_ascii_isalpha(s[j]))
        j++;
    for (gsize k = 0; k < G_N_ELEMENTS(text_schemes); k++)
        if (strlen(text_schemes[k].word) == j - i
            && g_ascii_strncasecmp(s + i, text_schemes[k].word, j - i)
                   == 0) {
            scheme = text_schemes[k].scheme;
            defanged = text_schemes[k].defanged;
            break;
        }
    if (scheme == NULL)
        return FALSE;
    mailto = strcmp(scheme, "mailto") == 0;
    if (mailto) {
        if (has_at(s, len, j, ":"))
            p = j + 1;
        else if (has_at(s, len, j, "[:]")) {
            p = j + 3;
            defanged = TRUE;
        } else
            return FALSE;
    } else if (has_at(s, len, j, "://")) {
        p = j + 3;
    } else if (has_at(s, len, j, "[:]//") || has_at(s, len, j, "[://]")) {
        p = j + 5;
        defanged = TRUE;
    } else {
        return FALSE;
    }
    /* A host (or an address) must follow: "http:// " is prose. */
    if (p >= len
        || !(g_ascii_isalnum(s[p]) || s[p] == '[' || s[p] == '%'
             || ((guchar)s[p] >= 0x80
                 && !unicode_stop((const guchar *)s + p, len - p))))
        return FALSE;
    g_string_truncate(url, 0);
    g_string_append(url, scheme);
    g_string_append(url, mailto ? ":" : "://");
    prefix = url->len;
    f = defanged ? MT_URL_DEFANGED : 0;
    p = scan_rest(s, len, p, url, &f);
    if (trim)
        trim_trailing(url, prefix + 1);
    if (url->len <= prefix)
        return FALSE;
    *flags = f;
    *end = p;
    return TRUE;
}

static gboolean
host_char(const char *s, gsize len, gsize p)
{
    guchar c = (guchar)s[p];

    if (c < 0x80)
        return g_ascii_isalnum(c) || c == '-' || c == '_';
    return !unicode_stop((const guchar *)s + p, len - p);
}

/* Reads a dotted run of host labels at s[p] into host, a defanged dot
 * counting as a dot. *labels counts them, *last is the offset of the last
 * one in host. Returns where it stopped. */
static gsize
scan_host(const char *s, gsize len, gsize p, GString *host, guint *labels,
          gboolean *defanged, gsize *last)
{
    *labels = 0;
    while (host->len < MAX_HOST_BYTES) {
        gsize start = p, lstart = host->len, have = host->len, t;
        char rep;

        /* The label's characters are appended in one piece once its end
         * is known; have counts host->len as if they were already in. */
        while (p < len && have < MAX_HOST_BYTES && host_char(s, len, p)) {
            gsize k = utf8_seq_len((const guchar *)s + p, len - p);

            p += k;
            have += k;
        }
        if (p == start)
            break;
        g_string_append_len(host, s + start, (gssize)(p - start));
        (*labels)++;
        *last = lstart;
        if (p + 1 < len && s[p] == '.' && host_char(s, len, p + 1)) {
            g_string_append_c(host, '.');
            p++;
            continue;
        }
        t = defang_token(s + p, len - p, &rep);
        if (t > 0 && rep == '.' && p + t < len && host_char(s, len, p + t)) {
            g_string_append_c(host, '.');
            *defanged = TRUE;
            p += t;
            continue;
        }
        break;
    }
    return p;
}

/* TRUE when tld is a top-level domain the Public Suffix List names
 * itself, not one its "*" default rule would make up. */
static gboolean
tld_known(const char *tld)
{
    g_autofree char *lower = g_utf8_strdown(tld, -1);

    if (strlen(lower) < 2)
        return FALSE;
    return psl_is_public_suffix2(mt_psl(), lower,
                                 PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

/* The endings prose uses for a domain without "www." or a path, which
 * file names rarely have (".zip", ".py", ".md" are both). */
static gboolean
tld_common(const char *tld)
{
    static const char *const common[] = {
        "com", "net", "org", "gov", "edu", "mil", "int", "info", "biz"};

    for (gsize k = 0; k < G_N_ELEMENTS(common); k++)
        if (g_ascii_strcasecmp(tld, common[k]) == 0)
            return TRUE;
    return FALSE;
}

/* Top-level domains that are also file extensions: anchor text
 * "invoice.zip" or "setup.py" is a file name at least as often as a
 * domain, so alone it shows no site. */
static gboolean
tld_file_extension(const char *tld)
{
    static const char *const ext[] = {
        "zip", "mov", "py", "pl", "pm", "sh", "rs", "md", "ml", "ps", "ai",
        "bz", "cc", "in", "am", "ac", "mk", "so", "la", "ms", "mp"};

    for (gsize k = 0; k < G_N_ELEMENTS(ext); k++)
        if (g_ascii_strcasecmp(tld, ext[k]) == 0)
            return TRUE;
    return FALSE;
}

static gboolean
dotted_quad(const char *host, guint labels)
{
    if (labels != 4)
        return FALSE;
    for (const char *p = host; *p; p++)
        if (!g_ascii_isdigit(*p) && *p != '.')
            return FALSE;
    return TRUE;
}

/* Reads a URL without a scheme at s[i]: "www.example.com/path", or a
 * bare domain followed by a path or written defanged. *weak says the
 * domain stood alone in prose (no www., no path, not defanged): anchor
 * text may count it, body text does not. *scanned is how far the host
 * run was read, where a failed attempt resumes. */
static gboolean
host_url_at(const char *s, gsize len, gsize i, GString *url, guint *flags,
            gboolean *weak, gsize *end, gsize *scanned)
{
    gboolean defanged = FALSE, www, path, known, quad;
    guint labels = 0;
    gsize last = 0, p, hostlen;
    guint f;

    g_string_truncate(url, 0);
    p = scan_host(s, len, i, url, &labels, &defanged, &last);
    *scanned = p;
    if (labels < 2)
        return FALSE;
    www = url->len > 4 && g_ascii_strncasecmp(url->str, "www.", 4) == 0;
    known = tld_known(url->str + last);
    quad = dotted_quad(url->str, labels);
    path = p < len
           && (s[p] == '/'
               || (s[p] == ':' && p + 1 < len && g_ascii_isdigit(s[p + 1])));
    if (www ? !(labels >= 3 || known) : !(known || quad))
        return FALSE;
    *weak = !www && !defanged && !path;
    if (*weak && quad)
        return FALSE;
    f = MT_URL_NO_SCHEME | (defanged ? MT_URL_DEFANGED : 0);
    hostlen = url->len;
    if (path) {
        p = scan_rest(s, len, p, url, &f);
        trim_trailing(url, hostlen);
    }
    if (quad && !defanged && url->len > hostlen + 1
        && url->str[hostlen] == '/' && url->len - hostlen <= 3
        && strspn(url->str + hostlen + 1, "0123456789")
               == url->len - hostlen - 1)
        return FALSE; /* "10.20.0.0/16" is a network, not a link */
    if (quad && !defanged && memchr(url->str, '/', url->len) == NULL)
        return FALSE; /* "10.1.1.3:25" is a server in a log line */
    *flags = f;
    *end = p;
    return TRUE;
}

/* A scan over one text. The '>' cache makes the angle-bracket form
 * linear: each search starts past the previous answer. */
typedef struct {
    const char *s;
    gsize len;
    gsize pos;
    gsize gt_from, gt_at; /* the first '>' at or after gt_from is gt_at */
    gboolean anchor;      /* reading anchor text: weak domains count */
} TextScan;

static void
text_scan_init(TextScan *t, const char *s, gsize len, gboolean anchor)
{
    t->s = s;
    t->len = len;
    t->pos = 0;
    t->gt_from = 1;
    t->gt_at = 0; /* empty cache */
    t->anchor = anchor;
}

static gsize
next_gt(TextScan *t, gsize from)
{
    const char *g;

    if (from >= t->gt_from && from <= t->gt_at)
        return t->gt_at;
    g = memchr(t->s + from, '>', t->len - from);
    t->gt_from = from;
    t->gt_at = g ? (gsize)(g - t->s) : t->len;
    return t->gt_at;
}

/* "<http://example.com/a>" and "<URL:http://...>": the brackets delimit
 * the URL, which may be folded over lines; whitespace inside is removed
 * (RFC 3986 appendix C). */
static gboolean
angle_url_at(TextScan *t, gsize i, GString *url, guint *flags, gsize *end)
{
    const char *s = t->s;
    gsize q = i + 1, gt, stop;
    g_autoptr(GString) compact = NULL;

    if (q + 4 <= t->len && g_ascii_strncasecmp(s + q, "URL:", 4) == 0)
        q += 4;
    if (q >= t->len || !g_ascii_isalpha(s[q]))
        return FALSE;
    gt = next_gt(t, q);
    if (gt >= t->len || gt - q > MAX_ANGLE_SPAN)
        return FALSE;
    compact = g_string_sized_new(gt - q);
    for (gsize k = q; k < gt; k++)
        if (!g_ascii_isspace(s[k]))
            g_string_append_c(compact, s[k]);
    if (!scheme_url_at(compact->str, compact->len, 0, FALSE, url, flags,
                       &stop)
        || stop != compact->len)
        return FALSE;
    *end = gt + 1;
    return TRUE;
}

/* May a domain start after prev? Not inside a word, an address, a path
 * or a parameter. */
static gboolean
host_boundary(guchar prev)
{
    return !(g_ascii_isalnum(prev) || prev >= 0x80
             || strchr("-_.@/\\:%+~=&#?$", prev) != NULL);
}

/* The next URL of the text: url (refanged), flags (DEFANGED, NO_SCHEME),
 * *weak for a lone domain in anchor text, [*start, *stop) in the text.
 * FALSE at the end. Every byte is looked at a bounded number of times. */
static gboolean
text_scan_next(TextScan *t, GString *url, guint *flags, gboolean *weak,
               gsize *start, gsize *stop)
{
    const char *s = t->s;
    gsize len = t->len, i = t->pos;

    while (i < len) {
        guchar c = (guchar)s[i];
        guchar prev = i > 0 ? (guchar)s[i - 1] : ' ';
        gsize end = 0, scanned = 0;

        *weak = FALSE;
        if (c == '<' && angle_url_at(t, i, url, flags, &end)) {
            *start = i + 1;
            *stop = end - 1;
            t->pos = end;
            return TRUE;
        }
        if (g_ascii_isalpha(c) && !g_ascii_isalnum(prev)
            && scheme_url_at(s, len, i, TRUE, url, flags, &end)) {
            *start = i;
            *stop = end;
            t->pos = end;
            return TRUE;
        }
        if ((g_ascii_isalnum(c) || c >= 0xC2) && host_boundary(prev)
            && (c < 0x80 || !unicode_stop((const guchar *)s + i, len - i))) {
            if (host_url_at(s, len, i, url, flags, weak, &end, &scanned)
                && (!*weak || t->anchor)) {
                *start = i;
                *stop = end;
                t->pos = end;
                return TRUE;
            }
            /* Resume past the run: a failed host is not read again from
             * each of its characters. */
            i = MAX(i + 1, scanned);
            continue;
        }
        i++;
    }
    t->pos = len;
    return FALSE;
}

void
mt_links_from_text(MtReport *report, const char *part, const char *utf8,
                   gsize len, const MtOptions *options)
{
    Sink sink;
    TextScan t;
    g_autoptr(GString) url = g_string_sized_new(128);
    guint flags = 0;
    gboolean weak;
    gsize start, stop;

    g_return_if_fail(report != NULL && options != NULL);
    if (utf8 == NULL || len == 0)
        return;
    sink_init(&sink, report, part, options);
    text_scan_init(&t, utf8, len, FALSE);
    while (text_scan_next(&t, url, &flags, &weak, &start, &stop))
        sink_add(&sink, url->str, url->len, MT_URL_TEXT, flags, NULL);
    sink_clear(&sink);
}

/* ---- URLs in HTML ------------------------------------------------- */

/* A URL read from the tree, before <base> is applied. */
typedef struct {
    char *value;
    MtUrlSource source;
    guint flags;
    gboolean image;  /* <img src>: remote or not is known after <base> */
    gboolean hidden; /* 1x1, 0-sized or styled invisible */
    char *anchor;
} Pending;

static void
pending_free(gpointer p)
{
    Pending *pe = p;

    g_free(pe->value);
    g_free(pe->anchor);
    g_free(pe);
}

typedef struct {
    GPtrArray *pending; /* Pending*, document order */
    guint max_pending;
    guint overflow;     /* URLs past max_pending */
    char *base;         /* the first absolute <base href> */
    xmlNode *anchor;    /* the <a> whose text is being read */
    guint anchor_index; /* its href in pending */
    GString *text;      /* its visible text, white space collapsed */
    GString *alt;       /* alt text of images inside it */
} Html;

static char *
attr(xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    char *copy;

    if (v == NULL)
        return NULL;
    copy = g_strdup((const char *)v);
    xmlFree(v);
    return copy;
}

/* Queues a URL as a browser reads an attribute: leading and trailing
 * white space dropped and tabs and newlines inside removed (the URL
 * standard does both, which is why "java&#9;script:" runs). In-page
 * fragments and cid: references to the message's own parts are not
 * links. Returns its index, or -1. */
static int
pend(Html *h, const char *raw, MtUrlSource source, gboolean image,
     gboolean hidden)
{
    GString *v;
    Pending *pe;
    const char *p = raw, *e;

    if (raw == NULL)
        return -1;
    while (*p && (guchar)*p <= 0x20)
        p++;
    e = p + strlen(p);
    while (e > p && (guchar)e[-1] <= 0x20)
        e--;
    if (e == p || *p == '#')
        return -1;
    v = g_string_sized_new((gsize)(e - p));
    for (const char *q = p; q < e && v->len < MAX_URL_BYTES; q++)
        if (*q != '\t' && *q != '\n' && *q != '\r')
            g_string_append_c(v, *q);
    if (g_ascii_strncasecmp(v->str, "cid:", 4) == 0
        || g_ascii_strncasecmp(v->str, "mid:", 4) == 0) {
        g_string_free(v, TRUE);
        return -1;
    }
    if (h->pending->len >= h->max_pending) {
        h->overflow++;
        g_string_free(v, TRUE);
        return -1;
    }
    pe = g_new0(Pending, 1);
    pe->value = g_string_free(v, FALSE);
    pe->source = source;
    pe->image = image;
    pe->hidden = hidden;
    g_ptr_array_add(h->pending, pe);
    return (int)h->pending->len - 1;
}

/* Every url(...) of a style sheet or a style attribute. */
static void
css_urls(Html *h, const char *css)
{
    gsize len = strlen(css);

    for (gsize i = 0; i + 4 <= len;) {
        gsize p, start;
        char quote = 0;
        g_autofree char *value = NULL;

        if (g_ascii_strncasecmp(css + i, "url(", 4) != 0) {
            i++;
            continue;
        }
        p = i + 4;
        while (p < len && g_ascii_isspace(css[p]))
            p++;
        if (p < len && (css[p] == '"' || css[p] == '\''))
            quote = css[p++];
        start = p;
        while (p < len && p - start < MAX_URL_BYTES
               && (quote ? css[p] != quote
                         : css[p] != ')' && !g_ascii_isspace(css[p])))
            p++;
        value = g_strndup(css + start, p - start);
        pend(h, value, MT_URL_CSS, FALSE, FALSE);
        i = MAX(p, i + 4);
    }
}

/* The URL of a refresh: "5; url='http://x'" and the forms browsers
 * accept without "url=" (HTML "shared declarative refresh steps").
 * Transfer full, NULL when there is none. */
static char *
refresh_url(const char *content)
{
    const char *p = content, *e;

    while (g_ascii_isspace(*p))
        p++;
    while (g_ascii_isdigit(*p) || *p == '.')
        p++;
    while (g_ascii_isspace(*p))
        p++;
    if (*p == ';' || *p == ',')
        p++;
    while (g_ascii_isspace(*p))
        p++;
    if (g_ascii_strncasecmp(p, "url", 3) == 0) {
        const char *q = p + 3;

        while (g_ascii_isspace(*q))
            q++;
        if (*q == '=') {
            p = q + 1;
            while (g_ascii_isspace(*p))
                p++;
        }
    }
    if (*p == '\'' || *p == '"') {
        const char *close = strchr(p + 1, *p);

        e = close ? close : p + strlen(p);
        p++;
    } else {
        e = p + strlen(p);
    }
    while (e > p && g_ascii_isspace(e[-1]))
        e--;
    return e > p ? g_strndup(p, (gsize)(e - p)) : NULL;
}

/* A CSS length from a compacted, lowercased style ("width:1px"), or -1.
 * Only the property itself: "max-width:" is not "width:". */
static long
style_length(const char *style, const char *prop)
{
    gsize n = strlen(prop);

    for (const char *p = strstr(style, prop); p; p = strstr(p + 1, prop)) {
        long v = 0;
        const char *q = p + n;

        if (p != style && p[-1] != ';' && p[-1] != '{')
            continue;
        if (*q != ':')
            continue;
        q++;
        if (!g_ascii_isdigit(*q))
            return -1;
        while (g_ascii_isdigit(*q) && v < 100000)
            v = v * 10 + (*q++ - '0');
        /* "0.5em" is not zero; a fraction of a pixel is still a pixel. */
        if (*q == '.')
            v = v == 0 ? 1 : v;
        return v;
    }
    return -1;
}

static long
attr_length(xmlNode *node, const char *name)
{
    g_autofree char *v = attr(node, name);
    const char *p = v;
    long n = 0;

    if (v == NULL)
        return -1;
    while (g_ascii_isspace(*p))
        p++;
    if (!g_ascii_isdigit(*p))
        return -1;
    while (g_ascii_isdigit(*p) && n < 100000)
        n = n * 10 + (*p++ - '0');
    return n;
}

/* Whether an image is there to be loaded rather than seen: 1x1, no
 * width or height, or hidden by its style. A web bug reports the reading
 * of the message (and the reader's address) to the sender. */
static gboolean
image_hidden(xmlNode *node)
{
    long w = attr_length(node, "width"), hgt = attr_length(node, "height");
    g_autofree char *style = attr(node, "style");

    if (w == 0 || hgt == 0 || (w >= 0 && hgt >= 0 && w <= 1 && hgt <= 1))
        return TRUE;
    if (style != NULL) {
        GString *c = g_string_sized_new(strlen(style));
        gboolean hidden;
        long sw, sh;

        for (const char *p = style; *p; p++)
            if (!g_ascii_isspace(*p))
                g_string_append_c(c, g_ascii_tolower(*p));
        sw = style_length(c->str, "width");
        sh = style_length(c->str, "height");
        hidden = strstr(c->str, "display:none") != NULL
                 || strstr(c->str, "visibility:hidden") != NULL
                 || sw == 0 || sh == 0
                 || (sw >= 0 && sh >= 0 && sw <= 1 && sh <= 1);
        g_string_free(c, TRUE);
        if (hidden)
            return TRUE;
    }
    return FALSE;
}

static gboolean
is_name(xmlNode *node, const char *name)
{
    return node->name != NULL
           && mt_name_equal((const char *)node->name, name);
}

static gboolean
is_any(xmlNode *node, const char *const *names)
{
    for (; *names; names++)
        if (is_name(node, *names))
            return TRUE;
    return FALSE;
}

/* Appends text to a bounded buffer, runs of white space as one space. */
static void
append_collapsed(GString *buf, const char *text)
{
    for (const char *p = text; *p && buf->len < MAX_ANCHOR_BYTES * 2; p++) {
        if (g_ascii_isspace(*p)) {
            if (buf->len > 0 && buf->str[buf->len - 1] != ' ')
                g_string_append_c(buf, ' ');
        } else {
            g_string_append_c(buf, *p);
        }
    }
}

static void
visit_element(Html *h, xmlNode *node)
{
    static const char *const href_tags[] = {"a", "area", "link", NULL};
    static const char *const src_tags[] = {
        "img", "iframe", "frame", "script", "embed", "source", "video",
        "audio", "track", NULL};
    static const char *const background_tags[] = {
        "body", "table", "td", "th", "tr", NULL};
    g_autofree char *style = NULL;

    if (is_any(node, href_tags)) {
        g_autofree char *href = attr(node, "href");
        int idx = pend(h, href, MT_URL_HREF, FALSE, FALSE);

        if (idx >= 0 && is_name(node, "a") && h->anchor == NULL) {
            h->anchor = node;
            h->anchor_index = (guint)idx;
            g_string_truncate(h->text, 0);
            g_string_truncate(h->alt, 0);
        } else if (idx >= 0 && is_name(node, "area")) {
            g_autofree char *alt = attr(node, "alt");
            Pending *pe = h->pending->pdata[idx];

            if (alt && *alt) {
                GString *b = g_string_new(NULL);

                append_collapsed(b, alt);
                pe->anchor = g_string_free(b, FALSE);
            }
        }
    }
    if (is_any(node, src_tags)) {
        g_autofree char *src = attr(node, "src");
        gboolean img = is_name(node, "img");

        pend(h, src, MT_URL_SRC, img, img && image_hidden(node));
        if (is_name(node, "video")) {
            g_autofree char *poster = attr(node, "poster");

            pend(h, poster, MT_URL_SRC, TRUE, FALSE);
        }
        if (img && h->anchor != NULL) {
            g_autofree char *alt = attr(node, "alt");

            if (alt != NULL) {
                append_collapsed(h->alt, alt);
                append_collapsed(h->alt, " ");
            }
        }
    }
    if (is_name(node, "input")) {
        g_autofree char *type = attr(node, "type");

        if (type != NULL && g_ascii_strcasecmp(type, "image") == 0) {
            g_autofree char *src = attr(node, "src");

            pend(h, src, MT_URL_SRC, TRUE, image_hidden(node));
        }
    }
    if (is_name(node, "form")) {
        g_autofree char *action = attr(node, "action");

        pend(h, action, MT_URL_ACTION, FALSE, FALSE);
    }
    if (is_name(node, "button") || is_name(node, "input")) {
        g_autofree char *action = attr(node, "formaction");

        pend(h, action, MT_URL_ACTION, FALSE, FALSE);
    }
    if (is_any(node, background_tags)) {
        g_autofree char *bg = attr(node, "background");

        pend(h, bg, MT_URL_BACKGROUND, FALSE, FALSE);
    }
    if (is_name(node, "meta")) {
        g_autofree char *equiv = attr(node, "http-equiv");

        if (equiv != NULL && g_ascii_strcasecmp(g_strstrip(equiv), "refresh")
                                 == 0) {
            g_autofree char *content = attr(node, "content");
            g_autofree char *url = content ? refresh_url(content) : NULL;

            pend(h, url, MT_URL_META_REFRESH, FALSE, FALSE);
        }
    }
    if (is_name(node, "base") && h->base == NULL) {
        /* The first <base href> sets the document's base URL (HTML
         * 4.2.3); a relative one means nothing without the page's own. */
        g_autofree char *href = attr(node, "href");

        if (href != NULL && has_scheme(g_strstrip(href), NULL))
            h->base = g_steal_pointer(&href);
    }
    if (is_name(node, "style")) {
        for (xmlNode *c = node->children; c; c = c->next)
            if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
                && c->content != NULL)
                css_urls(h, (const char *)c->content);
    }
    style = attr(node, "style");
    if (style != NULL)
        css_urls(h, style);
}

/* Ends an anchor: its text is what the reader saw, or the alt text of
 * the images that stood for it. */
static void
anchor_end(Html *h)
{
    Pending *pe = h->pending->pdata[h->anchor_index];
    GString *src = h->text;
    char *text;
    gsize n;

    g_strstrip(h->text->str);
    h->text->len = strlen(h->text->str);
    if (h->text->len == 0) {
        g_strstrip(h->alt->str);
        h->alt->len = strlen(h->alt->str);
        src = h->alt;
    }
    h->anchor = NULL;
    if (src->len == 0)
        return;
    n = MIN(src->len, (gsize)MAX_ANCHOR_BYTES);
    text = utf8_clean(src->str, n);
    /* utf8_clean only cuts at MAX_URL_BYTES: cut a split character. */
    if (n < src->len) {
        const char *end;

        if (!g_utf8_validate(src->str, (gssize)n, &end)) {
            g_free(text);
            text = g_strndup(src->str, (gsize)(end - src->str));
        }
    }
    g_free(pe->anchor);
    pe->anchor = text;
}

static gboolean
skip_children(xmlNode *node)
{
    /* Scripts are not rendered by mail readers, style text was read,
     * and neither is visible anchor text. */
    return is_name(node, "script") || is_name(node, "style")
           || is_name(node, "title");
}

/* Walks the tree in document order without recursion (a hostile body
 * nests as deep as it likes), at most max_nodes nodes. */
static void
html_walk(MtReport *report, const char *part, Html *h, xmlDoc *doc,
          guint max_nodes)
{
    xmlNode *node = doc->children;
    guint count = 0;

    while (node != NULL) {
        gboolean descend = FALSE;

        if (++count > max_nodes) {
            mt_report_limit_reached(report, "max-html-nodes", part,
                                    "the HTML body has more than %u nodes: "
                                    "links after them were not read",
                                    max_nodes);
            break;
        }
        if (node->type == XML_ELEMENT_NODE) {
            visit_element(h, node);
            descend = node->children != NULL && !skip_children(node);
        } else if ((node->type == XML_TEXT_NODE
                    || node->type == XML_CDATA_SECTION_NODE)
                   && h->anchor != NULL && node->content != NULL) {
            append_collapsed(h->text, (const char *)node->content);
        }
        if (descend) {
            node = node->children;
            continue;
        }
        /* Leave this node, and each ancestor whose last child it was. */
        while (node != NULL) {
            if (node == h->anchor)
                anchor_end(h);
            if (node->next != NULL) {
                node = node->next;
                break;
            }
            node = node->parent;
            if (node == NULL || node->type == XML_DOCUMENT_NODE
                || node->type == XML_HTML_DOCUMENT_NODE) {
                node = NULL;
                break;
            }
        }
    }
    if (h->anchor != NULL)
        anchor_end(h);
}

static gboolean
remote(const char *url)
{
    return g_ascii_strncasecmp(url, "http:", 5) == 0
           || g_ascii_strncasecmp(url, "https:", 6) == 0
           || g_ascii_strncasecmp(url, "ftp:", 4) == 0
           || (url[0] == '/' && url[1] == '/');
}

void
mt_links_from_html(MtReport *report, const char *part, const char *utf8,
                   gsize len, const MtOptions *options)
{
    xmlDoc *doc;

    g_return_if_fail(report != NULL && options != NULL);
    if (utf8 == NULL || len == 0)
        return;
    if (len > G_MAXINT)
        len = G_MAXINT;
    doc = mt_html_parse(utf8, len);
    if (doc == NULL)
        return;
    mt_links_from_html_doc(report, part, doc, options);
}

void
mt_links_from_html_doc(MtReport *report, const char *part, xmlDoc *doc,
                       const MtOptions *options)
{
    Html h = {0};
    Sink sink;
    guint remaining;

    g_return_if_fail(report != NULL && options != NULL);
    if (doc == NULL)
        return;
    remaining = report->links->len < options->limits.max_urls
                    ? options->limits.max_urls - report->links->len
                    : 0;
    h.pending = g_ptr_array_new_with_free_func(pending_free);
    /* Duplicates are merged later, so keep some room above the limit. */
    h.max_pending = remaining > G_MAXUINT / 2 ? G_MAXUINT : remaining * 2;
    h.text = g_string_new(NULL);
    h.alt = g_string_new(NULL);
    html_walk(report, part, &h, doc, options->limits.max_html_nodes);
    xmlFreeDoc(doc);

    sink_init(&sink, report, part, options);
    for (guint i = 0; i < h.pending->len; i++) {
        Pending *pe = h.pending->pdata[i];
        g_autofree char *resolved = NULL;
        const char *url = pe->value;
        guint flags = pe->flags;

        if (h.base != NULL && !has_scheme(url, NULL)) {
            xmlChar *r = xmlBuildURI((const xmlChar *)url,
                                     (const xmlChar *)h.base);

            if (r != NULL) {
                resolved = g_strdup((const char *)r);
                xmlFree(r);
                url = resolved;
            }
        }
        if (pe->image && remote(url)) {
            flags |= MT_URL_REMOTE_IMAGE;
            if (pe->hidden)
                flags |= MT_URL_TRACKING_PIXEL;
        }
        sink_add(&sink, url, strlen(url), pe->source, flags, pe->anchor);
    }
    sink_drop(&sink, h.overflow);
    sink_clear(&sink);
    g_ptr_array_unref(h.pending);
    g_string_free(h.text, TRUE);
    g_string_free(h.alt, TRUE);
    g_free(h.base);
}

/* ---- Hosts -------------------------------------------------------- */

/* What a URL's authority says. */
typedef struct {
    char *scheme;       /* lowercase, or NULL */
    char *userinfo;     /* before '@', or NULL */
    char *host;         /* lowercase ASCII, canonical IP text, or NULL */
    char *host_unicode; /* U-labels of an IDN host, or NULL */
    guint flags;        /* IP_HOST, PUNYCODE, CREDENTIALS */
    const char *idn_note; /* why an IDN host looks wrong, static */
} UrlParts;

static void
url_parts_clear(UrlParts *u)
{
    g_free(u->scheme);
    g_free(u->userinfo);
    g_free(u->host);
    g_free(u->host_unicode);
    memset(u, 0, sizeof(*u));
}

/* The schemes the URL standard calls special: their authority follows
 * "scheme:" after any run of '/' or '\', which browsers all accept. */
static gboolean
scheme_special(const char *scheme)
{
    static const char *const special[] = {"http", "https", "ftp", "ws",
                                          "wss", "file"};

    for (gsize k = 0; k < G_N_ELEMENTS(special); k++)
        if (strcmp(scheme, special[k]) == 0)
            return TRUE;
    return FALSE;
}

/* Parses a host the way the URL standard's IPv4 parser does: one to four
 * parts, each decimal, 0x hex or 0-prefixed octal, the last filling the
 * remaining bytes. So "3232235777", "0xC0A80101" and "0300.0250.1.1" are
 * all 192.168.1.1 to a browser, and a reader sees no address at all. */
static gboolean
ipv4_whatwg(const char *host, MtIp *out)
{
    guint64 parts[4];
    int n = 0;
    const char *p = host;
    guint64 addr, limit;

    if (*p == '\0')
        return FALSE;
    while (*p) {
        const char *e = strchr(p, '.');
        gsize len = e ? (gsize)(e - p) : strlen(p);
        guint base = 10;
        guint64 v = 0;

        if (n == 4 || len == 0)
            return FALSE;
        if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            base = 16;
            p += 2;
            len -= 2;
        } else if (len >= 2 && p[0] == '0') {
            base = 8;
            p++;
            len--;
        }
        for (gsize k = 0; k < len; k++) {
            int d = g_ascii_xdigit_value(p[k]);

            if (d < 0 || (guint)d >= base
                || (base == 10 && !g_ascii_isdigit(p[k])))
                return FALSE;
            v = v * base + (guint)d;
            if (v > 0xFFFFFFFFu)
                return FALSE;
        }
        parts[n++] = v;
        if (e == NULL)
            break;
        p = e + 1;
    }
    for (int k = 0; k < n - 1; k++)
        if (parts[k] > 255)
            return FALSE;
    limit = (guint64)1 << (8 * (5 - n));
    if (n > 1 && parts[n - 1] >= limit)
        return FALSE;
    addr = parts[n - 1];
    for (int k = 0; k < n - 1; k++)
        addr += parts[k] << (8 * (3 - k));
    memset(out, 0, sizeof(*out));
    out->family = MT_IP_FAMILY_V4;
    out->addr[0] = (guint8)(addr >> 24);
    out->addr[1] = (guint8)(addr >> 16);
    out->addr[2] = (guint8)(addr >> 8);
    out->addr[3] = (guint8)addr;
    return TRUE;
}

/* The URL standard's test: a host whose last label is a number (decimal,
 * or 0x hex) is an IPv4 address or no host at all. */
static gboolean
ends_in_number(const char *host)
{
    const char *last = strrchr(host, '.');

    last = last ? last + 1 : host;
    if (*last == '\0')
        return FALSE;
    if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
        for (const char *p = last + 2; *p; p++)
            if (!g_ascii_isxdigit(*p))
                return FALSE;
        return TRUE;
    }
    for (const char *p = last; *p; p++)
        if (!g_ascii_isdigit(*p))
            return FALSE;
    return TRUE;
}

/* Cyrillic, Greek and Armenian letters that render like Latin ones: a
 * label made only of them reads as a Latin brand ("аррӏе" is apple). */
static gboolean
latin_lookalike(gunichar c)
{
    static const gunichar set[] = {
        0x0430, 0x0441, 0x0435, 0x04BB, 0x0456, 0x0458, 0x043E, 0x0440,
        0x0455, 0x0445, 0x0443, 0x04CF, 0x0501, 0x051B, 0x051D, 0x0432,
        0x043A, 0x043C, 0x043D, 0x0442, 0x0491, 0x0454, 0x0457, 0x04AF,
        0x03BF, 0x03B1, 0x03B9, 0x03BA, 0x03BD, 0x03C1, 0x03C4, 0x03C5,
        0x03C7, 0x03B5, 0x0585, 0x0578, 0x057D, 0x0570, 0x0581, 0x0566,
        0x0561, 0x0584};

    for (gsize k = 0; k < G_N_ELEMENTS(set); k++)
        if (set[k] == c)
            return TRUE;
    return FALSE;
}

/* Why one U-label looks deceptive, or NULL. Mixed scripts are allowed
 * in the combinations CJK writing uses. */
static const char *
label_note(const char *label, gsize len)
{
    enum { LATIN = 1, HAN = 2, KANA = 4, HANGUL = 8, BOPOMOFO = 16,
           OTHER = 32 };
    guint mask = 0;
    GUnicodeScript other = G_UNICODE_SCRIPT_INVALID_CODE;
    gboolean others_differ = FALSE, letters = FALSE, all_lookalike = TRUE;

    for (const char *p = label; p < label + len; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        GUnicodeScript sc = g_unichar_get_script(c);

        if (sc == G_UNICODE_SCRIPT_COMMON || sc == G_UNICODE_SCRIPT_INHERITED
            || sc == G_UNICODE_SCRIPT_UNKNOWN)
            continue;
        letters = TRUE;
        if (!latin_lookalike(c))
            all_lookalike = FALSE;
        switch (sc) {
        case G_UNICODE_SCRIPT_LATIN: mask |= LATIN; break;
        case G_UNICODE_SCRIPT_HAN: mask |= HAN; break;
        case G_UNICODE_SCRIPT_HIRAGANA:
        case G_UNICODE_SCRIPT_KATAKANA: mask |= KANA; break;
        case G_UNICODE_SCRIPT_HANGUL: mask |= HANGUL; break;
        case G_UNICODE_SCRIPT_BOPOMOFO: mask |= BOPOMOFO; break;
        default:
            if (mask & OTHER && sc != other)
                others_differ = TRUE;
            mask |= OTHER;
            other = sc;
            break;
        }
    }
    if (others_differ || ((mask & OTHER) && (mask & ~(guint)OTHER)))
        return "mixed scripts in one label";
    if ((mask & (mask - 1)) != 0 /* more than one script */
        && (mask & ~(guint)(LATIN | HAN | KANA)) != 0
        && (mask & ~(guint)(LATIN | HAN | HANGUL)) != 0
        && (mask & ~(guint)(LATIN | HAN | BOPOMOFO)) != 0)
        return "mixed scripts in one label";
    if (mask == OTHER && letters && all_lookalike)
        return "every letter looks like a Latin one";
    return NULL;
}

/* Characters IDNA drops silently (UTS 46 maps them to nothing): the
 * name the reader sees is not the name resolved. */
static gboolean
invisible(gunichar c)
{
    return c == 0x00AD || c == 0x034F || c == 0x180E
           || (c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF
           || (c >= 0xFE00 && c <= 0xFE0F);
}

static const char *
idn_note(const char *unicode)
{
    const char *p = unicode;

    for (const char *q = unicode; *q; q = g_utf8_next_char(q))
        if (invisible(g_utf8_get_char(q)))
            return "invisible characters in the name";

    while (*p) {
        const char *dot = strchr(p, '.');
        gsize len = dot ? (gsize)(dot - p) : strlen(p);
        const char *note = label_note(p, len);

        if (note != NULL)
            return note;
        if (dot == NULL)
            break;
        p = dot + 1;
    }
    return "an internationalized name";
}

static gboolean
has_ace_label(const char *host)
{
    for (const char *p = host; *p; p++)
        if ((p == host || p[-1] == '.') && g_ascii_strncasecmp(p, "xn--", 4)
                                               == 0)
            return TRUE;
    return FALSE;
}

/* Normalizes the host of n bytes at hp into u: brackets (IPv6), percent
 * escapes (browsers decode them), the ideographic full stops UTS 46 maps
 * to '.', case, the IPv4 integer forms, and IDN both ways. */
static void
host_normalize(UrlParts *u, const char *hp, gsize n)
{
    g_autofree char *dec = NULL;
    g_autofree char *lower = NULL;
    GString *g;
    MtIp ip;

    if (n > 0 && hp[0] == '[') {
        const char *rb = memchr(hp, ']', n);

        if (rb != NULL && mt_ip_parse(hp + 1, (gsize)(rb - hp - 1), &ip)) {
            u->host = mt_ip_to_string(&ip);
            u->flags |= MT_URL_IP_HOST;
            return;
        }
        dec = g_ascii_strdown(hp, rb ? (gssize)(rb - hp + 1) : (gssize)n);
        u->host = utf8_clean(dec, strlen(dec));
        return;
    }
    {
        const char *colon = NULL;

        for (const char *q = hp; q < hp + n; q++)
            if (*q == ':')
                colon = q;
        if (colon != NULL)
            n = (gsize)(colon - hp);
    }
    if (n == 0)
        return;
    n = MIN(n, (gsize)1024);
    dec = pct_decode(hp, n);
    g = g_string_new(NULL);
    for (const char *q = dec; *q; q++) {
        guchar c = (guchar)*q;

        /* U+3002, U+FF0E, U+FF61: label separators (UTS 46 2.3). */
        if (c == 0xE3 && (guchar)q[1] == 0x80 && (guchar)q[2] == 0x82) {
            g_string_append_c(g, '.');
            q += 2;
        } else if (c == 0xEF && (guchar)q[1] == 0xBC
                   && (guchar)q[2] == 0x8E) {
            g_string_append_c(g, '.');
            q += 2;
        } else if (c == 0xEF && (guchar)q[1] == 0xBD
                   && (guchar)q[2] == 0xA1) {
            g_string_append_c(g, '.');
            q += 2;
        } else {
            g_string_append_c(g, (char)c);
        }
    }
    while (g->len > 0 && g->str[g->len - 1] == '.')
        g_string_truncate(g, g->len - 1);
    if (g->len == 0) {
        g_string_free(g, TRUE);
        return;
    }
    if (!g_utf8_validate(g->str, (gssize)g->len, NULL)) {
        /* Not text: keep it escaped, nothing more can be said. */
        u->host = mt_escape_bytes(g->str, g->len, NULL);
        g_string_free(g, TRUE);
        return;
    }
    lower = g_utf8_strdown(g->str, (gssize)g->len);
    g_string_free(g, TRUE);

    if (ends_in_number(lower) && ipv4_whatwg(lower, &ip)) {
        u->host = mt_ip_to_string(&ip);
        u->flags |= MT_URL_IP_HOST;
        return;
    }
    if (mt_ip_parse(lower, strlen(lower), &ip)) {
        u->host = mt_ip_to_string(&ip);
        u->flags |= MT_URL_IP_HOST;
        return;
    }
    if (!g_str_is_ascii(lower)) {
        char *ascii = NULL;

        if (idn2_to_ascii_8z(lower, &ascii,
                             IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL)
                != IDN2_OK
            && idn2_to_ascii_8z(lower, &ascii,
                                IDN2_NFC_INPUT | IDN2_TRANSITIONAL)
                   != IDN2_OK)
            ascii = NULL;
        if (ascii != NULL) {
            u->host = g_ascii_strdown(ascii, -1);
            idn2_free(ascii);
        } else {
            /* IDNA refuses it (symbols, disallowed characters): no
             * resolver would take it, but the reader still sees it. */
            u->host = g_strdup(lower);
        }
        u->host_unicode = g_steal_pointer(&lower);
        u->flags |= MT_URL_PUNYCODE;
        u->idn_note = idn_note(u->host_unicode);
        return;
    }
    u->host = g_steal_pointer(&lower);
    if (has_ace_label(u->host)) {
        char *unicode = NULL;

        u->flags |= MT_URL_PUNYCODE;
        if (idn2_to_unicode_8z8z(u->host, &unicode, 0) == IDN2_OK
            && unicode != NULL) {
            u->host_unicode = g_strdup(unicode);
            u->idn_note = idn_note(u->host_unicode);
        } else {
            u->idn_note = "an xn-- label that is not valid Punycode";
        }
        idn2_free(unicode);
    }
}

/* The mailbox of a mailto: URL (the first one, before any '?'),
 * percent-decoded. Transfer full, or NULL. */
static char *
mailto_address(const char *url)
{
    const char *p = url + strlen("mailto:");
    gsize n = strcspn(p, "?,#");
    g_autofree char *dec = NULL;

    if (n == 0)
        return NULL;
    dec = pct_decode(p, MIN(n, (gsize)1024));
    g_strstrip(dec);
    if (*dec == '\0' || strchr(dec, '@') == NULL)
        return NULL;
    return utf8_clean(dec, strlen(dec));
}

/* Splits url into scheme, userinfo and host. no_scheme: the text form
 * "www.example.com/path", whose host starts at once. */
static void
url_parse(const char *url, gboolean no_scheme, UrlParts *u)
{
    const char *p = url, *auth = NULL, *end, *at = NULL;
    gsize slen = 0;
    gboolean special = FALSE;

    memset(u, 0, sizeof(*u));
    while (*p && (guchar)*p <= 0x20)
        p++;
    if (!no_scheme && has_scheme(p, &slen)) {
        const char *q = p + slen + 1;

        u->scheme = g_ascii_strdown(p, (gssize)slen);
        special = scheme_special(u->scheme);
        if (special) {
            while (*q == '/' || *q == '\\')
                q++;
            auth = q;
        } else if (q[0] == '/' && q[1] == '/') {
            auth = q + 2;
        } else if (strcmp(u->scheme, "mailto") == 0) {
            g_autofree char *addr = mailto_address(p);
            const char *d = addr ? strrchr(addr, '@') : NULL;

            if (d != NULL && d[1] != '\0')
                host_normalize(u, d + 1, strlen(d + 1));
            return;
        } else {
            return; /* data:, javascript:, tel:...: no host */
        }
    } else if ((p[0] == '/' || p[0] == '\\')
               && (p[1] == '/' || p[1] == '\\')) {
        auth = p + 2;
        special = TRUE;
    } else if (no_scheme) {
        auth = p;
        special = TRUE;
    } else {
        return; /* relative */
    }
    end = auth;
    while (*end && *end != '/' && *end != '?' && *end != '#'
           && !(special && *end == '\\'))
        end++;
    for (const char *q = auth; q < end; q++)
        if (*q == '@')
            at = q;
    if (at != NULL) {
        if (at > auth) {
            u->userinfo = utf8_clean(auth, (gsize)(at - auth));
            u->flags |= MT_URL_CREDENTIALS;
        }
        auth = at + 1;
    }
    host_normalize(u, auth, (gsize)(end - auth));
}

/* ---- Unwrapping --------------------------------------------------- */

/* The value of query parameter name, raw (still percent-encoded), or
 * NULL. "&amp;" copied from HTML source into text is read as '&'. */
static char *
query_raw(const char *url, const char *name)
{
    const char *q = strchr(url, '?');
    gsize n = strlen(name);

    if (q == NULL)
        return NULL;
    q++;
    while (*q && *q != '#') {
        gsize len = strcspn(q, "&#");

        if (len > 4 && strncmp(q, "amp;", 4) == 0) {
            q += 4;
            len -= 4;
        }
        if (len > n && strncmp(q, name, n) == 0 && q[n] == '=')
            return g_strndup(q + n + 1, len - n - 1);
        q += len;
        if (*q == '&')
            q++;
    }
    return NULL;
}

static char *
query_decoded(const char *url, const char *name)
{
    g_autofree char *raw = query_raw(url, name);

    return raw ? pct_decode(raw, strlen(raw)) : NULL;
}

/* The path of url (after the authority), or "". */
static const char *
url_path(const char *url)
{
    const char *p = strstr(url, "://");

    if (p == NULL)
        return "";
    p += 3;
    p += strcspn(p, "/?#");
    return p;
}

static gboolean
host_is(const char *host, const char *domain)
{
    gsize h = strlen(host), d = strlen(domain);

    return h == d ? strcmp(host, domain) == 0
                  : h > d && host[h - d - 1] == '.'
                        && strcmp(host + h - d, domain) == 0;
}

/* Proofpoint URLDefense v3: "https://urldefense.com/v3/__URL__;TAIL!!..."
 * where the URL had some characters replaced: each '*' stands for the
 * next character of the base64url-decoded TAIL, and "**X" for the next
 * run of them, X giving its length (A..Z 2..27, a..z 28..53, 0..9 54..63,
 * '-' 64, '_' 65), as Proofpoint's published decoder reads it. */
static char *
urldefense_v3(const char *url)
{
    static const char runs[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *start = strstr(url, "/v3/__"), *stop, *tail, *bang;
    g_autofree char *enc = NULL;
    g_autofree char *dec = NULL;
    g_autofree guchar *bytes = NULL;
    gsize nbytes = 0;
    GString *out;
    const char *d, *dend;

    if (start == NULL)
        return NULL;
    start += strlen("/v3/__");
    stop = strstr(start, "__;");
    if (stop == NULL) {
        /* No replacements: the URL runs to the closing "__". */
        const char *close = strstr(start, "__");

        if (close == NULL)
            return NULL;
        return pct_decode(start, (gsize)(close - start));
    }
    tail = stop + 3;
    bang = strchr(tail, '!');
    dec = pct_decode(start, (gsize)(stop - start));
    if (bang == NULL)
        bang = tail + strlen(tail);
    {
        GString *b64 = g_string_sized_new((gsize)(bang - tail) + 4);

        for (const char *q = tail; q < bang; q++)
            g_string_append_c(b64, *q == '-' ? '+' : *q == '_' ? '/' : *q);
        while (b64->len % 4)
            g_string_append_c(b64, '=');
        enc = g_string_free(b64, FALSE);
    }
    if (*enc != '\0')
        bytes = g_base64_decode(enc, &nbytes);
    if (nbytes > 0 && !g_utf8_validate((const char *)bytes, (gssize)nbytes,
                                       NULL))
        return NULL;
    d = bytes ? (const char *)bytes : "";
    dend = d + nbytes;
    out = g_string_new(NULL);
    for (const char *q = dec; *q; q++) {
        guint take;

        if (*q != '*') {
            g_string_append_c(out, *q);
            continue;
        }
        take = 1;
        if (q[1] == '*') {
            const char *r = q[2] ? strchr(runs, q[2]) : NULL;

            if (r == NULL) {
                g_string_free(out, TRUE);
                return NULL;
            }
            take = (guint)(r - runs) + 2;
            q += 2;
        }
        for (guint k = 0; k < take; k++) {
            const char *next;

            if (d >= dend) {
                g_string_free(out, TRUE);
                return NULL;
            }
            next = g_utf8_next_char(d);
            g_string_append_len(out, d, next - d);
            d = next;
        }
    }
    /* The decoder restores a slash Proofpoint drops: "https:/x" */
    {
        gsize s;

        if (has_scheme(out->str, &s) && out->str[s + 1] == '/'
            && out->str[s + 2] != '/')
            g_string_insert_c(out, (gssize)s + 1, '/');
    }
    return g_string_free(out, FALSE);
}

/* The target of one rewriting layer, with the rewriter's name in
 * *wrapper; NULL when url is not a known rewriter's link or carries no
 * target. *domain_only gets the target's domain when only that is
 * known. */
static char *
unwrap_once(const char *url, const char *host, const char **wrapper,
            char **domain_only)
{
    const char *path = url_path(url);

    if (host == NULL)
        return NULL;
    if (host_is(host, "safelinks.protection.outlook.com")
        || host_is(host, "safelinks.protection.office365.us")
        || host_is(host, "safelinks.protection.outlook.de")) {
        /* Microsoft Defender for Office 365 Safe Links:
         * https://eur01.safelinks.protection.outlook.com/?url=<target>
         * &data=...&sdata=...&reserved=0 */
        *wrapper = "safelinks";
        return query_decoded(url, "url");
    }
    if (strcmp(host, "urldefense.proofpoint.com") == 0
        || strcmp(host, "urldefense.com") == 0
        || strcmp(host, "urldefense.us") == 0) {
        if (g_str_has_prefix(path, "/v1/")) {
            /* /v1/url?u=<percent-encoded target>&k=... */
            *wrapper = "urldefense-v1";
            return query_decoded(url, "u");
        }
        if (g_str_has_prefix(path, "/v2/")) {
            /* /v2/url?u=<target with '-' for '%' and '_' for '/'>&d=
             * ... (Proofpoint's own decoder maps them back). */
            g_autofree char *raw = query_raw(url, "u");

            *wrapper = "urldefense-v2";
            if (raw == NULL)
                return NULL;
            for (char *q = raw; *q; q++)
                *q = *q == '-' ? '%' : *q == '_' ? '/' : *q;
            return pct_decode(raw, strlen(raw));
        }
        if (g_str_has_prefix(path, "/v3/")) {
            *wrapper = "urldefense-v3";
            return urldefense_v3(url);
        }
        return NULL;
    }
    if (host_is(host, "mimecast.com")
        || host_is(host, "mimecastprotect.com")) {
        /* Mimecast URL Protect. Its /s/<token> links name only a key in
         * Mimecast's database: the target cannot be recovered offline,
         * and the domain= parameter says only the target's domain.
         * Older and some regional forms carry the target as a url= or
         * u= parameter, which is read. */
        char *target;

        if (!g_str_has_prefix(host, "protect") && !g_str_has_prefix(host,
                                                                    "url."))
            return NULL;
        *wrapper = "mimecast";
        target = query_decoded(url, "url");
        if (target == NULL)
            target = query_decoded(url, "u");
        if (target == NULL)
            *domain_only = query_decoded(url, "domain");
        return target;
    }
    if (strcmp(host, "linkprotect.cudasvc.com") == 0) {
        /* Barracuda Link Protection: /url?a=<target>&c=E,1,...&typo=1 */
        *wrapper = "barracuda";
        return query_decoded(url, "a");
    }
    return NULL;
}

/* ---- Analysis ----------------------------------------------------- */

typedef struct {
    MtReport *report;
    GHashTable *counts;      /* finding id -> count */
    GHashTable *from_domain; /* part -> From domain ("" for none) */
} Analysis;

static void link_finding(Analysis *a, const char *id, MtSeverity severity,
                         const MtUrl *link, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

/* Adds one finding of id about link, up to MAX_FINDINGS_PER_ID of it. */
static void
link_finding(Analysis *a, const char *id, MtSeverity severity,
             const MtUrl *link, const char *fmt, ...)
{
    MtEvidence ev = {-1, -1, -1, link->part};
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(a->counts, id)) + 1;
    g_autofree char *msg = NULL;
    va_list ap;

    g_hash_table_insert(a->counts, (gpointer)id, GUINT_TO_POINTER(n));
    if (n > MAX_FINDINGS_PER_ID)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    mt_report_add_finding(a->report, id, severity, &ev, "%s", msg);
}

static gboolean
is_shortener(const char *host)
{
    static const char list[] = MT_SHORTENER_DOMAINS;
    const char *p = list;
    gsize n;

    if (host == NULL)
        return FALSE;
    if (g_str_has_prefix(host, "www."))
        host += 4;
    n = strlen(host);
    while (*p) {
        const char *end = strchr(p, ':');
        gsize len = end ? (gsize)(end - p) : strlen(p);

        if (len == n && memcmp(p, host, n) == 0)
            return TRUE;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return FALSE;
}

/* Whether two hosts belong to one site: the same name, or the same
 * registrable domain (Public Suffix List). IPs match only themselves. */
static gboolean
same_site(const char *a, const char *b)
{
    g_autofree char *oa = NULL;
    g_autofree char *ob = NULL;

    if (g_ascii_strcasecmp(a, b) == 0)
        return TRUE;
    oa = mt_identity_org_domain(a);
    ob = mt_identity_org_domain(b);
    return oa != NULL && ob != NULL && strcmp(oa, ob) == 0;
}

/* The From domain of the message a part belongs to: the innermost
 * message/rfc822 part whose path prefixes it, else the report's own. */
static const char *
from_domain_for(Analysis *a, const char *part)
{
    MtReport *r = a->report;
    const char *cached;
    g_autofree char *path = NULL;
    char *domain = NULL;

    if (part == NULL)
        part = "";
    cached = g_hash_table_lookup(a->from_domain, part);
    if (cached != NULL)
        return *cached ? cached : NULL;
    path = g_strdup(part);
    path[strcspn(path, ":")] = '\0';
    if (a->report->mime.root != NULL)
        for (char *dot = strchr(path, '.'); dot; dot = strchr(dot + 1, '.')) {
            MtPart *mp;

            *dot = '\0';
            mp = mt_part_find(a->report->mime.root, path);
            *dot = '.';
            if (mp != NULL && mp->kind == MT_PART_MESSAGE && mp->message)
                r = mp->message;
        }
    if (r->summary.from.mailboxes != NULL)
        for (guint i = 0; i < r->summary.from.mailboxes->len && !domain; i++) {
            MtMailbox *mb = r->summary.from.mailboxes->pdata[i];

            if (mb->address != NULL)
                domain = mt_identity_domain_of(mb->address);
        }
    g_hash_table_insert(a->from_domain, g_strdup(part),
                        domain ? domain : g_strdup(""));
    return domain;
}

/* An address in anchor text ("support@paypal.com"): its domain, or
 * NULL. Transfer full. */
static char *
text_email_domain(const char *text)
{
    gsize len = strlen(text);

    for (const char *at = strchr(text, '@'); at; at = strchr(at + 1, '@')) {
        g_autoptr(GString) host = g_string_new(NULL);
        gboolean defanged = FALSE;
        guint labels = 0;
        gsize last = 0;

        if (at == text || !(g_ascii_isalnum(at[-1])
                            || strchr("._%+-", at[-1]) != NULL))
            continue;
        scan_host(text, len, (gsize)(at + 1 - text), host, &labels,
                  &defanged, &last);
        if (labels >= 2)
            return g_string_free(g_steal_pointer(&host), FALSE);
    }
    return NULL;
}

/* The host the anchor text shows, or NULL: the first URL or domain in
 * it. A lone domain (no scheme, www. or path) counts when it is all the
 * text and not a file name, or ends in a common gTLD inside a sentence
 * ("Log in at paypal.com"); "invoice.zip" is a file and "Click here"
 * nothing. Transfer full. */
static char *
anchor_host(const char *text, gboolean mailto)
{
    TextScan t;
    g_autoptr(GString) url = g_string_new(NULL);
    guint flags = 0;
    gboolean weak;
    gsize start, stop, len = strlen(text);

    if (mailto) {
        char *d = text_email_domain(text);

        if (d != NULL) {
            UrlParts u = {0};
            char *host;

            host_normalize(&u, d, strlen(d));
            g_free(d);
            host = g_steal_pointer(&u.host);
            url_parts_clear(&u);
            return host;
        }
    }
    text_scan_init(&t, text, len, TRUE);
    while (text_scan_next(&t, url, &flags, &weak, &start, &stop)) {
        UrlParts u;
        char *host;

        if (g_str_has_prefix(url->str, "mailto:"))
            continue;
        if (weak) {
            gboolean whole = TRUE;
            const char *dot = strrchr(url->str, '.');

            for (gsize k = 0; k < start && whole; k++)
                whole = strchr(" \t([<\"'", text[k]) != NULL;
            for (gsize k = stop; k < len && whole; k++)
                whole = strchr(" \t)]>\"'.,:;!?", text[k]) != NULL;
            if (dot == NULL
                || !(whole ? !tld_file_extension(dot + 1)
                           : tld_common(dot + 1)))
                continue;
        }
        url_parse(url->str, (flags & MT_URL_NO_SCHEME) != 0, &u);
        host = g_steal_pointer(&u.host);
        url_parts_clear(&u);
        if (host != NULL)
            return host;
    }
    return NULL;
}

static gboolean
scheme_is(const char *scheme, const char *name)
{
    return scheme != NULL && strcmp(scheme, name) == 0;
}

/* Removes links identical in url, part, source and anchor text, keeping
 * the first: bodies read twice or repeated in one message add nothing. */
static void
dedup_links(GPtrArray *links)
{
    g_autoptr(GHashTable) seen =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint j = 0;

    for (guint i = 0; i < links->len; i++) {
        MtUrl *l = links->pdata[i];
        char *key = link_key(l->url, l->part, l->source, l->anchor_text);

        if (g_hash_table_contains(seen, key)) {
            g_free(key);
            mt_url_free(l);
            continue;
        }
        g_hash_table_add(seen, key);
        links->pdata[j++] = l;
    }
    for (guint k = j; k < links->len; k++)
        links->pdata[k] = NULL;
    g_ptr_array_set_size(links, j);
}

static const char *
source_word(MtUrlSource source)
{
    switch (source) {
    case MT_URL_TEXT: return "text";
    case MT_URL_HREF: return "link";
    case MT_URL_SRC: return "resource";
    case MT_URL_ACTION: return "form";
    case MT_URL_BACKGROUND: return "background";
    case MT_URL_CSS: return "style sheet";
    case MT_URL_META_REFRESH: return "meta refresh";
    case MT_URL_HEADER: return "header";
    }
    return "link";
}

/* A data: image where an image belongs. */
static gboolean
inline_image(const MtUrl *link)
{
    const char *url = link->unwrapped ? link->unwrapped : link->url;

    return (link->source == MT_URL_SRC || link->source == MT_URL_CSS
            || link->source == MT_URL_BACKGROUND)
           && g_ascii_strncasecmp(url, "data:image/", 11) == 0;
}

static void
analyze_one(Analysis *a, MtUrl *link)
{
    UrlParts u, t;
    g_autofree char *shown = NULL;
    g_autofree char *domain_only = NULL;
    g_autofree char *url_s = show(link->url);
    g_autofree char *target_s = NULL;
    const char *target_host, *target_scheme;
    guint tflags;

    memset(&t, 0, sizeof(t));
    url_parse(link->url, (link->flags & MT_URL_NO_SCHEME) != 0, &u);
    g_free(link->scheme);
    g_free(link->host);
    g_free(link->host_unicode);
    link->scheme = g_strdup(u.scheme);
    link->host = g_strdup(u.host);
    link->host_unicode = g_strdup(u.host_unicode);
    link->flags |= u.flags;

    /* Unwrap the rewriters, layer by layer. */
    g_clear_pointer(&link->unwrapped, g_free);
    g_clear_pointer(&link->wrapper, g_free);
    {
        g_autofree char *cur = g_strdup(link->url);
        g_autofree char *cur_host = g_strdup(u.host);

        for (int depth = 0; depth < MAX_UNWRAP_DEPTH; depth++) {
            const char *wrapper = NULL;
            char *next = unwrap_once(cur, cur_host, &wrapper, &domain_only);
            UrlParts nu;

            if (wrapper != NULL && link->wrapper == NULL)
                link->wrapper = g_strdup(wrapper);
            if (next == NULL)
                break;
            g_strstrip(next);
            if (!has_scheme(next, NULL)) {
                g_free(next);
                break;
            }
            g_free(cur);
            cur = utf8_clean(next, strlen(next));
            g_free(next);
            url_parse(cur, FALSE, &nu);
            g_free(cur_host);
            cur_host = g_steal_pointer(&nu.host);
            url_parts_clear(&nu);
            g_free(link->unwrapped);
            link->unwrapped = g_strdup(cur);
            link->flags |= MT_URL_WRAPPED;
        }
    }
    g_clear_pointer(&link->target_host, g_free);
    if (link->unwrapped != NULL) {
        url_parse(link->unwrapped, FALSE, &t);
        link->target_host = g_strdup(t.host);
        tflags = t.flags;
        link->flags |= tflags;
        target_host = t.host;
        target_scheme = t.scheme;
        target_s = show(link->unwrapped);
    } else {
        tflags = u.flags;
        target_host = domain_only != NULL ? domain_only : u.host;
        target_scheme = u.scheme;
        target_s = g_strdup(url_s);
    }

    if (is_shortener(u.host) || (t.host && is_shortener(t.host)))
        link->flags |= MT_URL_SHORTENER;
    if (scheme_is(target_scheme, "data"))
        link->flags |= MT_URL_DATA;
    if (scheme_is(target_scheme, "javascript")
        || scheme_is(target_scheme, "vbscript"))
        link->flags |= MT_URL_JAVASCRIPT;

    /* A form that posts outside the sender's organisation: the classic
     * credential harvest in an HTML attachment or body. */
    if (link->source == MT_URL_ACTION && target_host != NULL) {
        const char *from = from_domain_for(a, link->part);

        if (from != NULL && !same_site(target_host, from))
            link->flags |= MT_URL_FORM_EXTERNAL;
    }

    /* What the reader is shown against where the click goes. */
    if (link->source == MT_URL_HREF && link->anchor_text != NULL
        && target_host != NULL)
        shown = anchor_host(link->anchor_text,
                            scheme_is(target_scheme, "mailto"));
    /* Text that shows the rewriter's own URL (a forwarded copy of a
     * wrapped link) is what the reader clicks. */
    if (shown != NULL && !same_site(shown, target_host)
        && !(link->unwrapped != NULL && u.host != NULL
             && same_site(shown, u.host)))
        link->flags |= MT_URL_TEXT_MISMATCH;

    /* Findings, one per id and link. */
    if (link->flags & MT_URL_TEXT_MISMATCH)
        link_finding(a, "link-text-mismatch", MT_SEVERITY_HIGH, link,
                     "the link text shows %s but the link goes to %s (%s)",
                     shown, target_host, target_s);
    if (link->flags & MT_URL_IP_HOST)
        link_finding(a, "link-ip-host", MT_SEVERITY_MEDIUM, link,
                     "the %s %s points at the IP address %s instead of a "
                     "name",
                     source_word(link->source), target_s,
                     (tflags & MT_URL_IP_HOST) && target_host ? target_host
                                                              : u.host);
    if (link->flags & MT_URL_PUNYCODE) {
        const UrlParts *p = (t.flags & MT_URL_PUNYCODE) ? &t : &u;

        link_finding(a, "link-punycode", MT_SEVERITY_MEDIUM, link,
                     "the %s %s has the internationalized host %s (shown "
                     "as %s): %s",
                     source_word(link->source), target_s,
                     p->host ? p->host : "?",
                     p->host_unicode ? p->host_unicode : "?",
                     p->idn_note ? p->idn_note : "an internationalized name");
    }
    if (link->flags & MT_URL_CREDENTIALS) {
        const UrlParts *p = (t.flags & MT_URL_CREDENTIALS) ? &t : &u;
        /* "http://www.paypal.com@evil.example/" reads as PayPal. */
        gboolean looks_host = p->userinfo && strchr(p->userinfo, '.');
        g_autofree char *ui = show(p->userinfo);

        link_finding(a, "link-credentials",
                     looks_host ? MT_SEVERITY_HIGH : MT_SEVERITY_MEDIUM,
                     link, "the %s %s puts \"%s\" before its real host %s",
                     source_word(link->source), target_s, ui,
                     p->host ? p->host : "?");
    }
    if (link->flags & MT_URL_JAVASCRIPT)
        link_finding(a, "link-javascript", MT_SEVERITY_HIGH, link,
                     "the %s runs script instead of loading a page: %s",
                     source_word(link->source), target_s);
    if (link->flags & MT_URL_FORM_EXTERNAL)
        link_finding(a, "html-form-external", MT_SEVERITY_HIGH, link,
                     "a form sends what is typed into it to %s, outside "
                     "the sender's domain %s (%s)",
                     target_host, from_domain_for(a, link->part), target_s);
    if (link->flags & MT_URL_TRACKING_PIXEL)
        link_finding(a, "html-tracking-pixel", MT_SEVERITY_LOW, link,
                     "a hidden or 1x1 remote image reports the reading of "
                     "the message to %s",
                     url_s);
    if (link->flags & MT_URL_SHORTENER)
        link_finding(a, "link-shortener", MT_SEVERITY_LOW, link,
                     "the %s %s goes through a URL shortener, which hides "
                     "its target",
                     source_word(link->source), target_s);
    /* An inline image is how HTML mail embeds pictures; a data: URL that
     * is navigated to or framed carries a whole page. */
    if ((link->flags & MT_URL_DATA) && !inline_image(link))
        link_finding(a, "link-data-url", MT_SEVERITY_MEDIUM, link,
                     "the %s carries its content inline as a data: URL "
                     "(%s)",
                     source_word(link->source), target_s);
    if (link->source == MT_URL_META_REFRESH)
        link_finding(a, "html-meta-refresh", MT_SEVERITY_MEDIUM, link,
                     "a meta refresh sends the reader to %s without a "
                     "click",
                     target_s);
    url_parts_clear(&u);
    url_parts_clear(&t);
}

void
mt_links_analyze(MtReport *report, const MtOptions *options)
{
    Analysis a;
    GHashTableIter it;
    gpointer key, value;

    g_return_if_fail(report != NULL);
    dedup_links(report->links);
    a.report = report;
    a.counts = g_hash_table_new(g_str_hash, g_str_equal);
    a.from_domain = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    for (guint i = 0; i < report->links->len; i++)
        analyze_one(&a, report->links->pdata[i]);
    g_hash_table_iter_init(&it, a.counts);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        guint n = GPOINTER_TO_UINT(value);
        const MtFindingInfo *info = mt_finding_info_get(key);
        MtEvidence ev = {-1, -1, -1, NULL};

        if (n <= MAX_FINDINGS_PER_ID)
            continue;
        mt_report_add_finding(report, key,
                              info ? info->severity : MT_SEVERITY_LOW, &ev,
                              "%u more links raised this finding; only the "
                              "first %u are listed",
                              n - MAX_FINDINGS_PER_ID, MAX_FINDINGS_PER_ID);
    }
    g_hash_table_unref(a.counts);
    g_hash_table_unref(a.from_domain);
}
