/* SPDX-License-Identifier: MIT */
/*
 * received.c: takes one Received header apart. RFC 5321 4.4 gives the
 * grammar ("from" domain TCP-info, "by", "via", "with", "id", "for", then
 * ";" date-time), but every MTA fills the comments its own way, and the
 * comments carry what an analyst wants: the client's reverse-DNS name and
 * IP address, the HELO name, the TLS cipher, the authenticated user, the
 * software. The parser works in three linear passes over the value:
 *
 * 1. Parentheses are matched with an explicit stack, so that an unclosed
 *    "(" or a stray ")" is taken as a plain character instead of
 *    swallowing the rest of the header. Nesting costs memory proportional
 *    to the input, never recursion.
 * 2. The top level is cut into words, comments and ";".
 * 3. The date is found (after the last ";", or at the end when a relay
 *    forgot the ";", as SendGrid does), and the remaining tokens are
 *    walked once: a keyword opens a clause, words fill it, and each
 *    comment is recognised by its shape and the clause it appears in.
 *
 * What cannot be placed is kept, in order, in unparsed; nothing is ever
 * dropped silently except recognised noise such as "(may be forged)".
 * Field strings hold the input bytes (which need not be valid UTF-8) with
 * runs of white space folded to one space; renderers escape them with
 * mt_escape_bytes(). A NUL byte in the input is read as a space, since a C
 * string cannot carry it.
 */
#include "mailtrail.h"

#include <arpa/inet.h>
#include <string.h>

/* How many words "with" and "via" may take: "Microsoft SMTP Server" is the
 * longest real value. */
#define MAX_CLAUSE_WORDS 3

/* How many tokens from the end may start a date written without ";": the
 * longest date ("Tue, 26 Mar 2019 18:07:49.186 +0000 (UTC) m=+1.2") has
 * eight, and a bound keeps the search linear. */
#define DATE_SEARCH_TOKENS 12

/* Software names and host names longer than this are not taken as such:
 * a megabyte of junk in a comment belongs in unparsed. */
#define MAX_NAME_LEN 255

enum { ROLE_PLAIN, ROLE_OPEN, ROLE_CLOSE };

typedef enum { TOK_WORD, TOK_COMMENT, TOK_SEMI } TokKind;

typedef struct {
    TokKind kind;
    gsize start; /* offset of the first byte */
    gsize end;   /* offset after the last byte (after ')' for comments) */
} Token;

typedef enum {
    CL_NONE,
    CL_FROM,
    CL_BY,
    CL_VIA,
    CL_WITH,
    CL_ID,
    CL_FOR,
    CL_TLS, /* Exim 4.92+: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384" */
    CL_ENVFROM, /* Haraka: "id x envelope-from <y>" outside a comment */
    CL_DATE,
    CL_COUNT
} Clause;

typedef struct {
    MtReceived *r;
    const char *buf; /* the value, NUL bytes turned into spaces */
    gsize len;
    guint8 *role;
    GArray *tokens;
    GString *unparsed;
    Clause clause;
    gboolean seen[CL_COUNT];

    char *from_word;          /* the domain after "from", placed at the end */
    gboolean helo_in_comment; /* so from_word is the rDNS name or the IP */
    gboolean tcp_info;        /* a comment gave the client's address */
    int tcp_port;             /* a port written apart from the address */
    gboolean by_taken;
    gboolean id_taken;
    GString *with_words;
    guint with_count;
    char *with_version; /* "6.0.3300.4400" of "SMTPSVC(6.0.3300.4400)" */
    GString *via_words;
    guint via_count;
    GString *for_words;
    gboolean for_open;  /* the "for" value goes on */
    gboolean for_angle; /* inside "<...>" in the "for" value */
} Parser;

/* What a TCP-info comment said, before it is committed. */
typedef struct {
    char *rdns;
    char *ip;
    int port;
    char *ident;
    char *helo;
    char *helo_command;
    gboolean any;
} TcpInfo;

static gboolean
is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Copies n bytes with runs of white space folded to one space and the ends
 * trimmed. Written straight into one buffer of n + 1 bytes (the copy is
 * never longer than the input: a space is only written for a run that was
 * skipped); this runs for nearly every field of every Received line. */
static char *
fold_space(const char *s, gsize n)
{
    char *out = g_malloc(n + 1);
    gsize o = 0;
    gboolean pending = FALSE;

    for (gsize i = 0; i < n; i++) {
        if (is_space(s[i])) {
            pending = o > 0;
            continue;
        }
        if (pending)
            out[o++] = ' ';
        pending = FALSE;
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static gboolean
has_prefix_ci(const char *s, const char *prefix)
{
    return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Stores a copy in *field unless it is already set: the first mention
 * wins, later ones are repeats. Returns TRUE when stored. */
static gboolean
set_once(char **field, const char *s, gsize n)
{
    if (*field != NULL)
        return FALSE;
    *field = fold_space(s, n);
    if (**field == '\0') {
        g_clear_pointer(field, g_free);
        return FALSE;
    }
    return TRUE;
}

static gboolean
set_once_str(char **field, const char *s)
{
    return s != NULL && set_once(field, s, strlen(s));
}

static void
add_unparsed(Parser *p, const char *s, gsize n)
{
    g_autofree char *folded = fold_space(s, n);

    if (*folded == '\0')
        return;
    if (p->unparsed->len > 0)
        g_string_append_c(p->unparsed, ' ');
    g_string_append(p->unparsed, folded);
}

static void
append_word(GString *words, const char *s, gsize n)
{
    if (words->len > 0)
        g_string_append_c(words, ' ');
    g_string_append_len(words, s, n);
}

/* Returns the canonical text of an IPv4 or IPv6 address written in s, or
 * NULL. Validation is inet_pton()'s, so "8.15.2" (a Sendmail version) or
 * "15.20.6002.26" (an Exchange build) is never an address. An "IPv6:"
 * prefix (RFC 5321 4.1.3) and a "%zone" suffix (Exchange writes
 * "[fe80::1%7]") are dropped; an IPv4-mapped address is given as IPv4 so
 * that it compares equal to the same client seen over IPv4. */
static char *
canonical_ip(const char *s, gsize n)
{
    char tmp[INET6_ADDRSTRLEN + 16];
    char out[INET6_ADDRSTRLEN];
    struct in_addr a4;
    struct in6_addr a6;
    char *zone;

    if (n >= 5 && g_ascii_strncasecmp(s, "IPv6:", 5) == 0) {
        s += 5;
        n -= 5;
    }
    if (n == 0 || n >= sizeof tmp)
        return NULL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (inet_pton(AF_INET, tmp, &a4) == 1)
        return g_strdup(inet_ntop(AF_INET, &a4, out, sizeof out));
    if (strchr(tmp, ':') == NULL)
        return NULL;
    zone = strchr(tmp, '%');
    if (zone != NULL)
        *zone = '\0';
    if (inet_pton(AF_INET6, tmp, &a6) != 1)
        return NULL;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(&a4, &a6.s6_addr[12], 4);
        return g_strdup(inet_ntop(AF_INET, &a4, out, sizeof out));
    }
    /* glibc's inet_ntop() writes the deprecated IPv4-compatible form as
     * "::0.16.0.2"; the one canonical text is RFC 5952's, the one
     * mt_ip_to_string() writes everywhere else (the fuzzer found the two
     * disagreeing on "::10:02"). */
    {
        MtIp ip;

        if (mt_ip_parse(tmp, strlen(tmp), &ip))
            return mt_ip_to_string(&ip);
    }
    return g_strdup(inet_ntop(AF_INET6, &a6, out, sizeof out));
}

/* Reads a port number: all digits, 0 to 65535. Returns -1 otherwise. */
static int
parse_port(const char *s, gsize n)
{
    guint64 v;
    g_autofree char *tmp = NULL;

    if (n == 0 || n > 5)
        return -1;
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return -1;
    }
    tmp = g_strndup(s, n);
    if (!g_ascii_string_to_unsigned(tmp, 10, 0, 65535, &v, NULL))
        return -1;
    return (int)v;
}

/* Reads an address literal "[1.2.3.4]", "[IPv6:2001:db8::1]" or
 * "[1.2.3.4]:25". *ip is NULL for the non-address literals "[local]"
 * (OpenSMTPD), "[unix socket]" (Cyrus) and "[]" (Yandex, for a client it
 * could not name), which still count as read.
 * Returns FALSE when s is not such a literal. */
static gboolean
parse_literal(const char *s, gsize n, char **ip, int *port)
{
    const char *close;
    gsize inner;

    *ip = NULL;
    *port = -1;
    if (n < 2 || s[0] != '[')
        return FALSE;
    close = memchr(s, ']', n);
    if (close == NULL)
        return FALSE;
    inner = (gsize)(close - s) - 1;
    if ((gsize)(close - s) + 1 < n) {
        const char *rest = close + 1;
        gsize rest_len = n - (gsize)(close - s) - 1;

        if (rest[0] != ':' || (*port = parse_port(rest + 1, rest_len - 1)) < 0)
            return FALSE;
    }
    if (inner == 0 ||
        (inner == 5 && g_ascii_strncasecmp(s + 1, "local", 5) == 0) ||
        (inner == 11 && g_ascii_strncasecmp(s + 1, "unix socket", 11) == 0))
        return TRUE;
    *ip = canonical_ip(s + 1, inner);
    if (*ip == NULL && *port < 0) {
        /* Old Exim puts the port inside: "[192.0.2.1:36440]". */
        const char *colon = memchr(s + 1, ':', inner);
        gsize after = colon ? (gsize)(close - colon) - 1 : 0;

        if (colon != NULL && memchr(colon + 1, ':', after) == NULL) {
            *port = parse_port(colon + 1, after);
            if (*port >= 0)
                *ip = canonical_ip(s + 1, (gsize)(colon - s) - 1);
            if (*ip == NULL || strchr(*ip, '.') == NULL) {
                g_clear_pointer(ip, g_free);
                *port = -1;
            }
        }
    }
    return *ip != NULL;
}

/* Reads a bare address, as Exchange ("(10.152.248.51)"), qmail and Yahoo
 * write it, or, when with_port is TRUE, "1.2.3.4.25", the address and port
 * some relays print in the TCP-info comment. */
static gboolean
parse_bare_ip(const char *s, gsize n, gboolean with_port, char **ip,
              int *port)
{
    const char *dot;

    *port = -1;
    *ip = canonical_ip(s, n);
    if (*ip != NULL || !with_port)
        return *ip != NULL;
    dot = g_strrstr_len(s, (gssize)n, ".");
    if (dot == NULL || memchr(s, ':', n) != NULL)
        return FALSE;
    *port = parse_port(dot + 1, n - (gsize)(dot - s) - 1);
    if (*port < 0)
        return FALSE;
    *ip = canonical_ip(s, (gsize)(dot - s));
    if (*ip == NULL || strchr(*ip, '.') == NULL) {
        g_clear_pointer(ip, g_free);
        *port = -1;
        return FALSE;
    }
    return TRUE;
}

/* An address in either form, without a port. Transfer full or NULL. */
static char *
ip_of_word(const char *s, gsize n, int *port)
{
    char *ip = NULL;

    if (parse_literal(s, n, &ip, port))
        return ip;
    if (parse_bare_ip(s, n, FALSE, &ip, port))
        return ip;
    return NULL;
}

/* Tells whether s is shaped like a host name: letters, digits, '-', '_'
 * and '.', or bytes of an unencoded IDN. Trailing dots (Gmail writes
 * "mail-sor-f41.google.com.") are kept as written. */
static gboolean
is_hostname(const char *s, gsize n)
{
    gboolean alnum = FALSE;

    if (n == 0 || n > MAX_NAME_LEN)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        guchar ch = (guchar)s[i];

        if (g_ascii_isalnum(ch) || ch >= 0x80)
            alnum = TRUE;
        else if (ch != '-' && ch != '_' && ch != '.')
            return FALSE;
    }
    return alnum;
}

/* Comments that say nothing a field could hold, and the TLS remarks of
 * Postfix and Gmail that only say TLS was used. */
static gboolean
place_noise(Parser *p, const char *s)
{
    static const char *const noise[] = {
        "may be forged", "unverified", "single-drop", "multi-drop",
        "verified OK",   "not verified",
    };
    static const char *const tls_noise[] = {
        "No client certificate requested",
        "Client did not present a certificate",
        "Google Transport Security",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(noise); i++) {
        if (g_ascii_strcasecmp(s, noise[i]) == 0)
            return TRUE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(tls_noise); i++) {
        if (g_ascii_strcasecmp(s, tls_noise[i]) == 0) {
            p->r->tls = TRUE;
            return TRUE;
        }
    }
    /* Postfix: (Client CN "x", Issuer "y" (verified OK)). */
    if (has_prefix_ci(s, "Client CN ") || has_prefix_ci(s, "Client CN=")) {
        p->r->tls = TRUE;
        return TRUE;
    }
    return FALSE;
}

/* Tells whether s is a protocol version alone: "TLS", "TLSv1.2", "TLS1_3",
 * "SSLv3", "TLSv1/SSLv3". Exim 4.92+ writes "(TLS1.3)", Exchange
 * "(TLS)". */
static gboolean
is_tls_version(const char *s, gsize n)
{
    gsize i = 0;

    if (n < 3 || (g_ascii_strncasecmp(s, "TLS", 3) != 0 &&
                  g_ascii_strncasecmp(s, "SSL", 3) != 0))
        return FALSE;
    while (i < n) {
        char ch = s[i];

        if (n - i >= 3 && (g_ascii_strncasecmp(s + i, "TLS", 3) == 0 ||
                           g_ascii_strncasecmp(s + i, "SSL", 3) == 0)) {
            i += 3;
            continue;
        }
        if (!g_ascii_isdigit(ch) && ch != '.' && ch != '_' && ch != '/' &&
            ch != '-' && ch != 'v' && ch != 'V')
            return FALSE;
        i++;
    }
    return TRUE;
}

/* Records a version unless it is the bare word "TLS"/"SSL", which only
 * says that TLS was used. */
static void
set_tls_version(Parser *p, const char *s, gsize n)
{
    p->r->tls = TRUE;
    if (n > 3)
        set_once(&p->r->tls_version, s, n);
}

/* Courier: "TLS: TLSv1/SSLv3,256bits,ECDHE-RSA-AES256-GCM-SHA384". */
static void
place_courier_tls(Parser *p, const char *s)
{
    const char *comma = strchr(s, ',');
    const char *last = strrchr(s, ',');

    p->r->tls = TRUE;
    if (comma == NULL) {
        set_tls_version(p, s, strlen(s));
        return;
    }
    set_tls_version(p, s, (gsize)(comma - s));
    set_once_str(&p->r->tls_cipher, last + 1);
}

/* The TLS comments: Postfix "using TLSv1.3 with cipher X (256/256 bits)",
 * Sendmail, Gmail and Exchange "version=TLS1_2, cipher=X[ bits=...]",
 * Exim "TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256" (OpenSSL) or
 * "TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256" (GnuTLS),
 * Exchange "(TLS)", Mimecast "(Using TLS)". */
static gboolean
place_tls(Parser *p, const char *s)
{
    gsize n = strlen(s);
    const char *colon;

    if (has_prefix_ci(s, "using TLS") || has_prefix_ci(s, "using SSL")) {
        const char *v = s + 6;
        const char *end = strchr(v, ' ');
        const char *cipher;

        set_tls_version(p, v, end ? (gsize)(end - v) : strlen(v));
        cipher = strstr(s, " with cipher ");
        if (cipher != NULL) {
            cipher += strlen(" with cipher ");
            end = strchr(cipher, ' ');
            set_once(&p->r->tls_cipher, cipher,
                     end ? (gsize)(end - cipher) : strlen(cipher));
        }
        return TRUE;
    }

    if (strstr(s, "version=") != NULL || strstr(s, "cipher=") != NULL) {
        g_auto(GStrv) items = g_strsplit_set(s, " ,", -1);
        gboolean found = FALSE;

        for (char **it = items; *it != NULL; it++) {
            if (has_prefix_ci(*it, "version=")) {
                set_tls_version(p, *it + 8, strlen(*it + 8));
                found = TRUE;
            } else if (has_prefix_ci(*it, "cipher=")) {
                set_once_str(&p->r->tls_cipher, *it + 7);
                p->r->tls = TRUE;
                found = TRUE;
            }
        }
        return found;
    }

    if (has_prefix_ci(s, "TLS: ")) {
        place_courier_tls(p, s + 5);
        return TRUE;
    }

    /* Exim 4.6x with GnuTLS: "(Cipher TLS-1.0:RSA_AES_256_CBC_SHA1:32)". */
    if (has_prefix_ci(s, "Cipher ")) {
        s += 7;
        n -= 7;
    }
    colon = strchr(s, ':');
    if (colon != NULL && strchr(s, ' ') == NULL &&
        is_tls_version(s, (gsize)(colon - s))) {
        const char *last = strrchr(s, ':');

        set_tls_version(p, s, (gsize)(colon - s));
        if (last > colon)
            set_once(&p->r->tls_cipher, colon + 1, (gsize)(last - colon - 1));
        else
            set_once_str(&p->r->tls_cipher, colon + 1);
        return TRUE;
    }

    if (is_tls_version(s, n)) {
        set_tls_version(p, s, n);
        return TRUE;
    }
    return FALSE;
}

/* Looks for " HELO x" / " EHLO x" inside a comment (Communigate's
 * "(account u HELO h)"). */
static void
find_helo(Parser *p, const char *s)
{
    static const char *const cmds[] = {" HELO ", " EHLO ", " LHLO "};

    for (gsize i = 0; i < G_N_ELEMENTS(cmds); i++) {
        const char *at = strstr(s, cmds[i]);

        if (at != NULL) {
            const char *name = at + 6;
            const char *end = strchr(name, ' ');

            set_once(&p->r->helo_command, at + 1, 4);
            if (set_once(&p->r->from_helo, name,
                         end ? (gsize)(end - name) : strlen(name)))
                p->helo_in_comment = TRUE;
            return;
        }
    }
}

static void
set_auth_user(Parser *p, const char *s, gsize n)
{
    p->r->authenticated = TRUE;
    set_once(&p->r->auth_user, s, n);
}

/* The authentication comments: Postfix "Authenticated sender: x",
 * Sendmail "authenticated bits=0", Courier "AUTH: LOGIN x, TLS: ...",
 * Communigate "account x HELO y", qmail-smtpd with the auth patch
 * "x with plain", and "user x". */
static gboolean
place_auth(Parser *p, const char *s)
{
    static const char *const methods[] = {"plain", "login", "cram-md5",
                                          "digest-md5", "xoauth2"};
    const char *sp;

    if (has_prefix_ci(s, "Authenticated sender:")) {
        const char *u = s + strlen("Authenticated sender:");

        while (*u == ' ')
            u++;
        set_auth_user(p, u, strlen(u));
        return TRUE;
    }
    if (has_prefix_ci(s, "authenticated") &&
        (s[13] == '\0' || s[13] == ' ')) {
        const char *rest = s + 13;

        p->r->authenticated = TRUE;
        while (*rest == ' ')
            rest++;
        if (has_prefix_ci(rest, "as ") || has_prefix_ci(rest, "user ")) {
            const char *u = strchr(rest, ' ') + 1;
            const char *end = strchr(u, ' ');

            set_auth_user(p, u, end ? (gsize)(end - u) : strlen(u));
        }
        return TRUE;
    }
    if (has_prefix_ci(s, "AUTH: ") || has_prefix_ci(s, "AUTH ")) {
        const char *method = s + 5;
        const char *u, *end, *tls;

        while (*method == ' ')
            method++;
        u = strchr(method, ' ');
        p->r->authenticated = TRUE;
        if (u == NULL)
            return TRUE;
        u++;
        end = strchr(u, ',');
        set_auth_user(p, u, end ? (gsize)(end - u) : strlen(u));
        tls = strstr(s, ", TLS: ");
        if (tls != NULL)
            place_courier_tls(p, tls + 7);
        return TRUE;
    }
    if (has_prefix_ci(s, "account ")) {
        const char *u = s + 8;
        const char *end = strchr(u, ' ');

        set_auth_user(p, u, end ? (gsize)(end - u) : strlen(u));
        find_helo(p, s);
        return TRUE;
    }
    if (has_prefix_ci(s, "Authid: ")) {
        set_auth_user(p, s + 8, strlen(s + 8));
        return TRUE;
    }
    /* SquirrelMail: "(SquirrelMail authenticated user jdoe)". */
    if ((sp = strstr(s, " authenticated user ")) != NULL) {
        const char *u = sp + strlen(" authenticated user ");

        if (strchr(u, ' ') == NULL) {
            set_auth_user(p, u, strlen(u));
            set_once(&p->r->by_software, s, (gsize)(sp - s));
            return TRUE;
        }
    }
    if (has_prefix_ci(s, "user ") && strchr(s + 5, ' ') == NULL) {
        set_auth_user(p, s + 5, strlen(s + 5));
        return TRUE;
    }
    sp = strchr(s, ' ');
    if (sp != NULL && has_prefix_ci(sp, " with ") &&
        strchr(sp + 6, ' ') == NULL) {
        for (gsize i = 0; i < G_N_ELEMENTS(methods); i++) {
            if (g_ascii_strcasecmp(sp + 6, methods[i]) == 0) {
                set_auth_user(p, s, (gsize)(sp - s));
                return TRUE;
            }
        }
    }
    return FALSE;
}

/* Copies an address without its angle brackets. A list ("<a>, <b>") is
 * kept as written. */
static gboolean
set_address(char **field, const char *s, gsize n)
{
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    /* "<>" is the null reverse-path of a bounce: an empty address, which
     * says something, unlike no address at all. */
    if (n == 2 && s[0] == '<' && s[1] == '>') {
        if (*field != NULL)
            return FALSE;
        *field = g_strdup("");
        return TRUE;
    }
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>' &&
        memchr(s + 1, '<', n - 1) == NULL) {
        s++;
        n -= 2;
    }
    return set_once(field, s, n);
}

/* Exim "envelope-from <x>", Dovecot and others "envelope-sender <x>",
 * and the DSN "ORCPT rfc822;x" that vger.kernel.org writes. */
static gboolean
place_envelope(Parser *p, const char *s)
{
    if (has_prefix_ci(s, "envelope-from") ||
        has_prefix_ci(s, "envelope-sender") ||
        has_prefix_ci(s, "envelope sender")) {
        const char *v = s + (has_prefix_ci(s, "envelope-from") ? 13 : 15);

        while (*v == ' ' || *v == ':' || *v == '=')
            v++;
        set_address(&p->r->envelope_from, v, strlen(v));
        return TRUE;
    }
    if (has_prefix_ci(s, "ORCPT ")) {
        const char *v = s + 6;
        g_autofree char *addr = NULL;

        while (*v == ' ' || *v == '<')
            v++;
        if (has_prefix_ci(v, "rfc822;"))
            v += 7;
        addr = g_strdup(v);
        if (*addr != '\0' && addr[strlen(addr) - 1] == '>')
            addr[strlen(addr) - 1] = '\0';
        set_once_str(&p->r->for_addr, addr);
        return TRUE;
    }
    return FALSE;
}

static gboolean
all_digits(const char *s)
{
    if (*s == '\0')
        return FALSE;
    for (; *s != '\0'; s++) {
        if (!g_ascii_isdigit(*s))
            return FALSE;
    }
    return TRUE;
}

/* Who submitted a message locally: qmail "qmail 1234 invoked by uid 89"
 * (also "from network", "for bounce"), Sendmail "from user@localhost",
 * DMA "uid 0", Postfix "from userid 1000", and vger's bare
 * "majordomo@vger.kernel.org" before "by". */
static gboolean
place_ident(Parser *p, const char *s)
{
    const char *at;

    if (has_prefix_ci(s, "qmail ") && strstr(s, " invoked") != NULL) {
        const char *uid = strstr(s, "invoked by uid ");

        set_once_str(&p->r->by_software, "qmail");
        if (uid != NULL)
            set_once_str(&p->r->from_ident, uid + strlen("invoked by "));
        return TRUE;
    }
    if (has_prefix_ci(s, "uid ") && all_digits(s + 4)) {
        set_once_str(&p->r->from_ident, s);
        return TRUE;
    }
    if (has_prefix_ci(s, "from userid ")) {
        set_once_str(&p->r->from_ident, s + 5);
        return TRUE;
    }
    if (has_prefix_ci(s, "from ") && strchr(s + 5, ' ') == NULL) {
        set_once_str(&p->r->from_ident, s + 5);
        return TRUE;
    }
    at = strchr(s, '@');
    if (p->clause == CL_NONE && at != NULL && strchr(s, ' ') == NULL) {
        set_once_str(&p->r->from_ident, s);
        return TRUE;
    }
    return FALSE;
}

static void
tcp_info_clear(TcpInfo *t)
{
    g_free(t->rdns);
    g_free(t->ip);
    g_free(t->ident);
    g_free(t->helo);
    g_free(t->helo_command);
}

/* Reads one item of a TCP-info comment into t. */
static gboolean
tcp_item(TcpInfo *t, const char *s, gsize n)
{
    const char *at;
    char *ip = NULL;
    int port = -1;

    if (s[0] == '[') {
        if (!parse_literal(s, n, &ip, &port))
            return FALSE;
    } else if (n > 5 && g_ascii_strncasecmp(s, "helo=", 5) == 0) {
        return set_once(&t->helo, s + 5, n - 5);
    } else if (n > 6 && g_ascii_strncasecmp(s, "ident=", 6) == 0) {
        return set_once(&t->ident, s + 6, n - 6);
    } else if (n > 5 && g_ascii_strncasecmp(s, "port=", 5) == 0) {
        /* Exim with "incoming_port" logging: "(port=51580 helo=x)". */
        return (t->port = parse_port(s + 5, n - 5)) >= 0;
    } else if (n > 12 && g_ascii_strncasecmp(s, "rhost-flags-", 12) == 0) {
        return TRUE; /* ZMailer's DNS consistency flags */
    } else if (parse_bare_ip(s, n, TRUE, &ip, &port)) {
        /* handled below */
    } else {
        /* Sendmail writes the RFC 1413 ident as "user@rdns", older ones
         * as "IDENT:user@rdns"; qmail can write "user@ip". */
        if (n > 6 && g_ascii_strncasecmp(s, "IDENT:", 6) == 0) {
            s += 6;
            n -= 6;
        }
        at = g_strrstr_len(s, (gssize)n, "@");
        if (at != NULL) {
            gsize host_len = n - (gsize)(at - s) - 1;

            if (at == s || !set_once(&t->ident, s, (gsize)(at - s)))
                return FALSE;
            s = at + 1;
            n = host_len;
            if (parse_literal(s, n, &ip, &port) ||
                parse_bare_ip(s, n, FALSE, &ip, &port))
                goto got_ip;
        }
        if (!is_hostname(s, n) || t->rdns != NULL)
            return FALSE;
        t->rdns = g_strndup(s, n);
        return TRUE;
    }
got_ip:
    if (ip == NULL)
        return TRUE; /* [local], [unix socket] */
    if (t->ip != NULL) {
        g_free(ip);
        return FALSE;
    }
    t->ip = ip;
    if (port >= 0)
        t->port = port;
    return TRUE;
}

/* Reads a TCP-info comment: "rdns [ip]", "[ip]:port helo=x ident=y"
 * (Exim), "rdns [ip] (may be forged)" (Sendmail), "ip" (Exchange, qmail),
 * "[ip]:port "EHLO x" rhost-flags-OK-OK-OK-OK" (ZMailer), "user@rdns
 * [ip]" (ident), "unknown [ip]" (Postfix). Returns FALSE, with t cleared,
 * when any item does not fit. */
static gboolean
parse_tcp_info(const char *s, TcpInfo *t)
{
    gsize n = strlen(s);
    gsize i = 0;

    memset(t, 0, sizeof *t);
    t->port = -1;
    while (i < n) {
        gsize start, end;

        if (s[i] == ' ') {
            i++;
            continue;
        }
        start = i;
        if (s[i] == '(') {
            gsize depth = 0;
            g_autofree char *inner = NULL;

            for (end = i; end < n; end++) {
                if (s[end] == '(')
                    depth++;
                else if (s[end] == ')' && --depth == 0)
                    break;
            }
            if (end >= n)
                goto fail;
            inner = g_strndup(s + start + 1, end - start - 1);
            if (g_ascii_strcasecmp(inner, "may be forged") != 0 &&
                g_ascii_strcasecmp(inner, "unverified") != 0)
                goto fail;
            i = end + 1;
            continue;
        }
        if (s[i] == '"') {
            const char *close = memchr(s + i + 1, '"', n - i - 1);
            const char *name;

            if (close == NULL)
                goto fail;
            end = (gsize)(close - s);
            name = s + start + 1;
            if (end - start - 1 < 6 || name[4] != ' ' ||
                (g_ascii_strncasecmp(name, "HELO", 4) != 0 &&
                 g_ascii_strncasecmp(name, "EHLO", 4) != 0 &&
                 g_ascii_strncasecmp(name, "LHLO", 4) != 0))
                goto fail;
            if (!set_once(&t->helo, name + 5, end - start - 6))
                goto fail;
            set_once(&t->helo_command, name, 4);
            i = end + 1;
            t->any = TRUE;
            continue;
        }
        end = i;
        if (s[i] == '[') {
            /* A literal may hold a space: "[unix socket]". */
            const char *close = memchr(s + i, ']', n - i);

            end = close ? (gsize)(close - s) : n;
        }
        while (end < n && s[end] != ' ' && s[end] != '(')
            end++;
        if (!tcp_item(t, s + start, end - start))
            goto fail;
        t->any = TRUE;
        i = end;
    }
    if (t->any)
        return TRUE;
fail:
    tcp_info_clear(t);
    memset(t, 0, sizeof *t);
    return FALSE;
}

/* Tells whether a comment can be a software name: short, starting with a
 * letter or digit, not a key=value list or an address. */
static gboolean
looks_like_software(const char *s)
{
    gsize n = strlen(s);

    return n > 0 && n <= MAX_NAME_LEN && g_ascii_isalnum(s[0]) &&
           strchr(s, '=') == NULL && strchr(s, '<') == NULL;
}

/* Tells whether a comment of the from clause names a product rather than
 * a host: several words, the first a capitalised name without '.' or '@'
 * ("Oracle Communications Messaging Server ..."), and no address literal
 * (a TCP-info comment with a broken address stays unparsed). */
static gboolean
is_product_name(const char *s)
{
    const char *sp = strchr(s, ' ');

    return sp != NULL && sp - s >= 3 && g_ascii_isupper(s[0]) &&
           looks_like_software(s) && strchr(s, '[') == NULL &&
           memchr(s, '.', (gsize)(sp - s)) == NULL &&
           memchr(s, '@', (gsize)(sp - s)) == NULL;
}

/* Tells whether s is only a version number: "6.0.3300.4400". */
static gboolean
is_version(const char *s)
{
    gboolean dot = FALSE;

    if (!g_ascii_isdigit(*s))
        return FALSE;
    for (; *s != '\0'; s++) {
        if (*s == '.')
            dot = TRUE;
        else if (!g_ascii_isdigit(*s))
            return FALSE;
    }
    return dot;
}

/* Records the receiving software. Sendmail names itself only by its
 * version pair ("8.15.2/8.15.2", "8.14.4/8.14.4/Debian-4"), so the name is
 * added; Postfix's "Postfix, from userid 1000" also names the local
 * submitter. Returns FALSE when another software comment came first. */
static gboolean
place_software(Parser *p, const char *s)
{
    const char *userid = strstr(s, ", from userid ");
    gsize n = userid ? (gsize)(userid - s) : strlen(s);
    gboolean sendmail = g_ascii_isdigit(s[0]);

    if (p->r->by_software != NULL)
        return FALSE;
    for (gsize i = 0; i < n && s[i] != ' ' && sendmail; i++) {
        if (!g_ascii_isalnum(s[i]) && s[i] != '.' && s[i] != '/' &&
            s[i] != '-' && s[i] != '_' && s[i] != '+')
            sendmail = FALSE;
    }
    if (sendmail && memchr(s, '/', n) != NULL) {
        g_autofree char *name = g_strdup_printf("Sendmail %.*s", (int)n, s);

        set_once_str(&p->r->by_software, name);
    } else {
        set_once(&p->r->by_software, s, n);
    }
    if (userid != NULL)
        set_once_str(&p->r->from_ident, userid + strlen(", from "));
    return TRUE;
}

/* Tells whether a second mention of a field says something else. */
static gboolean
conflicts(const char *have, const char *now)
{
    return have != NULL && now != NULL && g_ascii_strcasecmp(have, now) != 0;
}

/* Commits a TCP-info comment of the from clause. Returns FALSE, changing
 * nothing, when it contradicts an earlier one ("(192.0.2.1)
 * (198.51.100.1)"): the second is then evidence for unparsed, not a
 * value to drop. */
static gboolean
commit_from_tcp(Parser *p, TcpInfo *t)
{
    MtReceived *r = p->r;

    if (conflicts(r->from_ip, t->ip) || conflicts(r->from_rdns, t->rdns) ||
        conflicts(r->from_ident, t->ident) ||
        conflicts(r->from_helo, t->helo))
        return FALSE;
    if (t->ip != NULL || t->rdns != NULL)
        p->tcp_info = TRUE;
    if (t->ip != NULL && r->from_ip == NULL) {
        r->from_ip = g_steal_pointer(&t->ip);
        r->from_port = t->port;
    } else if (t->ip == NULL && t->port >= 0) {
        /* Exim's "(port=51580 helo=x)" after "from [ip]". */
        p->tcp_port = t->port;
    }
    if (t->rdns != NULL && r->from_rdns == NULL)
        r->from_rdns = g_steal_pointer(&t->rdns);
    if (t->ident != NULL && r->from_ident == NULL)
        r->from_ident = g_steal_pointer(&t->ident);
    if (t->helo != NULL) {
        p->helo_in_comment = TRUE;
        if (r->from_helo == NULL)
            r->from_helo = g_steal_pointer(&t->helo);
    }
    if (t->helo_command != NULL && r->helo_command == NULL)
        r->helo_command = g_steal_pointer(&t->helo_command);
    return TRUE;
}

/* Places the comment s (inner text, white space folded) seen in the
 * current clause. Returns FALSE when it fits nothing. */
static gboolean
place_comment(Parser *p, const char *s)
{
    TcpInfo t;

    if (*s == '\0')
        return TRUE;
    if (place_tls(p, s) || place_noise(p, s) || place_auth(p, s) ||
        place_envelope(p, s) || place_ident(p, s))
        return TRUE;

    switch (p->clause) {
    case CL_FROM:
        /* qmail, Yahoo, Zimbra: "from rdns (HELO name) (ip)". */
        if ((has_prefix_ci(s, "HELO ") || has_prefix_ci(s, "EHLO ") ||
             has_prefix_ci(s, "LHLO ")) &&
            strchr(s + 5, ' ') == NULL) {
            if (conflicts(p->r->from_helo, s + 5))
                return FALSE;
            set_once(&p->r->helo_command, s, 4);
            set_once_str(&p->r->from_helo, s + 5);
            p->helo_in_comment = TRUE;
            return TRUE;
        }
        if (parse_tcp_info(s, &t)) {
            gboolean ok = commit_from_tcp(p, &t);

            tcp_info_clear(&t);
            return ok;
        }
        /* Oracle/Sun Messaging Server names itself here when a message is
         * submitted locally: "from host (Oracle Communications Messaging
         * Server 8.0.1.2.20170607 64bit (built Jun  7 2017)) id <x>". */
        return is_product_name(s) && place_software(p, s);
    case CL_BY:
        if (parse_tcp_info(s, &t) && t.ip != NULL) {
            /* "by host (rdns [ip])": the host is already named. */
            if (p->r->by_ip == NULL)
                p->r->by_ip = g_steal_pointer(&t.ip);
            tcp_info_clear(&t);
            return TRUE;
        }
        tcp_info_clear(&t);
        return looks_like_software(s) && place_software(p, s);
    case CL_WITH:
    case CL_TLS:
        if (is_version(s) && p->with_version == NULL &&
            p->clause == CL_WITH) {
            p->with_version = g_strdup(s);
            return TRUE;
        }
        return looks_like_software(s) && place_software(p, s);
    case CL_NONE:
        /* "Received: (Haraka outbound); date". */
        return looks_like_software(s) && place_software(p, s);
    case CL_VIA:
    case CL_ID:
    case CL_FOR:
    case CL_ENVFROM:
    case CL_DATE:
    case CL_COUNT:
        break;
    }
    return FALSE;
}

static const Token *
token_at(const Parser *p, gsize i)
{
    return &g_array_index(p->tokens, Token, i);
}

/* Returns the clause a keyword opens, or CL_NONE. */
static Clause
keyword_clause(const char *s, gsize n)
{
    static const struct {
        const char *word;
        Clause clause;
    } words[] = {
        {"from", CL_FROM}, {"by", CL_BY}, {"via", CL_VIA}, {"with", CL_WITH},
        {"id", CL_ID},     {"for", CL_FOR}, {"tls", CL_TLS},
        {"envelope-from", CL_ENVFROM},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(words); i++) {
        if (strlen(words[i].word) == n &&
            g_ascii_strncasecmp(s, words[i].word, n) == 0)
            return words[i].clause;
    }
    return CL_NONE;
}

/* Tells whether the word at token i opens a clause not seen yet. "tls" is
 * only Exim's, after "with". */
static Clause
opens_clause(const Parser *p, const Token *t)
{
    Clause c;

    if (t->kind != TOK_WORD)
        return CL_NONE;
    c = keyword_clause(p->buf + t->start, t->end - t->start);
    if (c == CL_NONE || p->seen[c] || (c == CL_TLS && !p->seen[CL_WITH]))
        return CL_NONE;
    return c;
}

/* Places a word of the current clause. */
static void
place_word(Parser *p, const char *s, gsize n)
{
    MtReceived *r = p->r;
    char *ip;
    int port;

    /* debbugs: "via spool by x id=B916805.15453 (code B ref 916805)". */
    if (n > 3 && g_ascii_strncasecmp(s, "id=", 3) == 0 && !p->id_taken) {
        p->id_taken = TRUE;
        r->id = g_strndup(s + 3, n - 3);
        return;
    }
    switch (p->clause) {
    case CL_FROM:
        if (p->from_word == NULL) {
            p->from_word = g_strndup(s, n);
            return;
        }
        /* fetchmail, getmail: "from host [ip]". */
        ip = ip_of_word(s, n, &port);
        if (ip != NULL && r->from_ip == NULL) {
            r->from_ip = ip;
            r->from_port = port;
            p->tcp_info = TRUE;
            return;
        }
        g_free(ip);
        break;
    case CL_BY:
        ip = ip_of_word(s, n, &port);
        if (!p->by_taken) {
            p->by_taken = TRUE;
            /* Gmail's X-Received "by 2002:a05:6a00:...:0", qmail's "by
             * 192.0.2.1": the receiver is named by its address. */
            if (ip != NULL) {
                r->by_ip = ip;
                return;
            }
            r->by_host = g_strndup(s, n);
            /* getmail writes "by getmail" or its version there. */
            if (n >= 7 && g_ascii_strncasecmp(s, "getmail", 7) == 0)
                set_once(&r->by_software, s, n);
            return;
        }
        if (ip != NULL && r->by_ip == NULL) {
            r->by_ip = ip;
            return;
        }
        g_free(ip);
        break;
    case CL_WITH:
        /* getmail6: "with POP3 getmail6 msgid:x for <y>". */
        if (n >= 7 && g_ascii_strncasecmp(s, "getmail", 7) == 0 &&
            set_once(&r->by_software, s, n))
            return;
        if (n > 6 && g_ascii_strncasecmp(s, "msgid:", 6) == 0 &&
            set_once(&r->id, s + 6, n - 6))
            return;
        if (p->with_count < MAX_CLAUSE_WORDS) {
            append_word(p->with_words, s, n);
            p->with_count++;
            return;
        }
        break;
    case CL_VIA:
        if (p->via_count < MAX_CLAUSE_WORDS) {
            append_word(p->via_words, s, n);
            p->via_count++;
            return;
        }
        break;
    case CL_ID:
        if (!p->id_taken) {
            p->id_taken = TRUE;
            r->id = g_strndup(s, n);
            return;
        }
        break;
    case CL_FOR:
        if (p->for_words->len == 0 || p->for_open) {
            append_word(p->for_words, s, n);
            /* A list goes on after ',', and Gmail wrote "for <multiple
             * recipients>" with a space inside the brackets. */
            for (gsize i = 0; i < n; i++) {
                if (s[i] == '<')
                    p->for_angle = TRUE;
                else if (s[i] == '>')
                    p->for_angle = FALSE;
            }
            p->for_open = s[n - 1] == ',' || p->for_angle;
            return;
        }
        break;
    case CL_ENVFROM:
        if (set_address(&r->envelope_from, s, n))
            return;
        break;
    case CL_TLS:
        if (r->tls_cipher == NULL) {
            r->tls_cipher = g_strndup(s, n);
            r->tls = TRUE;
            return;
        }
        break;
    case CL_NONE:
    case CL_DATE:
    case CL_COUNT:
        break;
    }
    add_unparsed(p, s, n);
}

static void
place_token(Parser *p, const Token *t)
{
    Clause c;

    switch (t->kind) {
    case TOK_SEMI:
        /* OpenSMTPD writes ";" between clauses. */
        return;
    case TOK_WORD:
        c = opens_clause(p, t);
        if (c != CL_NONE) {
            p->clause = c;
            p->seen[c] = TRUE;
            return;
        }
        place_word(p, p->buf + t->start, t->end - t->start);
        return;
    case TOK_COMMENT: {
        g_autofree char *inner =
            fold_space(p->buf + t->start + 1, t->end - t->start - 2);

        if (!place_comment(p, inner))
            add_unparsed(p, p->buf + t->start, t->end - t->start);
        return;
    }
    }
}

/* IIS SMTP (Hotmail until 2016): "by host over TLS secured channel with
 * Microsoft SMTPSVC(7.5.7601.22751)". Tells whether those four words
 * start at token k, before token limit, and records the TLS. */
static gboolean
over_tls_at(Parser *p, gsize k, gsize limit)
{
    static const char *const words[] = {"over", "TLS", "secured", "channel"};

    if (limit < G_N_ELEMENTS(words) || k > limit - G_N_ELEMENTS(words))
        return FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(words); i++) {
        const Token *t = token_at(p, k + i);

        if (t->kind != TOK_WORD || t->end - t->start != strlen(words[i]) ||
            g_ascii_strncasecmp(p->buf + t->start, words[i],
                                strlen(words[i])) != 0)
            return FALSE;
    }
    p->r->tls = TRUE;
    return TRUE;
}

/* Pass 1: pairs the parentheses. A "(" that is never closed and a ")"
 * that closes nothing stay ROLE_PLAIN. A backslash inside a comment quotes
 * the next byte (RFC 5322 quoted-pair). */
static void
mark_comments(Parser *p)
{
    g_autoptr(GArray) open = g_array_new(FALSE, FALSE, sizeof(gsize));

    for (gsize i = 0; i < p->len; i++) {
        char ch = p->buf[i];

        if (ch == '\\' && open->len > 0) {
            i++;
        } else if (ch == '(') {
            g_array_append_val(open, i);
        } else if (ch == ')' && open->len > 0) {
            gsize o = g_array_index(open, gsize, open->len - 1);

            g_array_set_size(open, open->len - 1);
            p->role[o] = ROLE_OPEN;
            p->role[i] = ROLE_CLOSE;
        }
    }
}

static void
push_token(Parser *p, TokKind kind, gsize start, gsize end)
{
    Token t = {kind, start, end};

    g_array_append_val(p->tokens, t);
}

/* Pass 2: cuts the top level into words, comments and ";". */
static void
tokenize(Parser *p)
{
    gsize i = 0;

    while (i < p->len) {
        char ch = p->buf[i];
        gsize j;

        if (is_space(ch)) {
            i++;
        } else if (p->role[i] == ROLE_OPEN) {
            gsize depth = 0;

            for (j = i; j < p->len; j++) {
                if (p->role[j] == ROLE_OPEN)
                    depth++;
                else if (p->role[j] == ROLE_CLOSE && --depth == 0)
                    break;
            }
            push_token(p, TOK_COMMENT, i, j + 1);
            i = j + 1;
        } else if (ch == ';') {
            push_token(p, TOK_SEMI, i, i + 1);
            i++;
        } else {
            for (j = i; j < p->len; j++) {
                if (is_space(p->buf[j]) || p->buf[j] == ';' ||
                    p->role[j] == ROLE_OPEN)
                    break;
            }
            push_token(p, TOK_WORD, i, j);
            i = j;
        }
    }
}

/* Tells whether a comment after a date is its zone name: "(PDT)",
 * "(GMT+09:00)", "(Pacific Standard Time)". Zone names start with a
 * capital, a sign or a digit; "(envelope-from x)" and "(single-drop)" do
 * not. */
static gboolean
is_zone_comment(const char *s, gsize n)
{
    if (n < 3 || n > 42)
        return FALSE;
    if (!g_ascii_isupper(s[1]) && !g_ascii_isdigit(s[1]) && s[1] != '+' &&
        s[1] != '-')
        return FALSE;
    for (gsize i = 1; i + 1 < n; i++) {
        char ch = s[i];

        if (!g_ascii_isalnum(ch) && ch != ' ' && ch != '+' && ch != '-' &&
            ch != ':' && ch != '.' && ch != '/' && ch != '_')
            return FALSE;
    }
    return TRUE;
}

/* Returns the index after the last token of a date starting at token
 * first and ending before token limit: the date stops at a comment that is
 * not a zone name ("(envelope-from <x>)" after the date), at a ";", and at
 * a clause keyword (Courier writes "id x" after the date). */
static gsize
date_end(const Parser *p, gsize first, gsize limit)
{
    gsize k;

    for (k = first + 1; k < limit; k++) {
        const Token *t = token_at(p, k);

        if (t->kind == TOK_SEMI)
            break;
        if (t->kind == TOK_COMMENT &&
            !is_zone_comment(p->buf + t->start, t->end - t->start))
            break;
        if (opens_clause(p, t) != CL_NONE)
            break;
    }
    return k;
}

static gboolean
try_date(const Parser *p, gsize first, gsize limit, gsize *end,
         MtDateTime *dt)
{
    const Token *a = token_at(p, first);
    const Token *b;

    if (a->kind != TOK_WORD)
        return FALSE;
    *end = date_end(p, first, limit);
    b = token_at(p, *end - 1);
    return mt_date_parse(p->buf + a->start, b->end - a->start, dt);
}

/* Finds the date: the tokens after the last ";" when they read as one,
 * else a date among the last tokens (a relay that forgot the ";"), else
 * whatever follows the last ";" as an unreadable date. Sets [*first,
 * *end) to the date's tokens; both are 0 when there is none. */
static void
find_date(Parser *p, gsize *first, gsize *end)
{
    MtReceived *r = p->r;
    gsize ntok = p->tokens->len;
    gsize semi = ntok;
    gsize lo, limit;
    const Token *a, *b;

    *first = *end = 0;
    for (gsize k = ntok; k > 0; k--) {
        if (token_at(p, k - 1)->kind == TOK_SEMI) {
            semi = k - 1;
            break;
        }
    }
    if (semi + 1 < ntok && opens_clause(p, token_at(p, semi + 1)) == CL_NONE &&
        try_date(p, semi + 1, ntok, end, &r->date_parsed)) {
        *first = semi + 1;
        r->date_valid = TRUE;
        goto found;
    }

    limit = semi < ntok ? semi : ntok;
    lo = limit > DATE_SEARCH_TOKENS ? limit - DATE_SEARCH_TOKENS : 0;
    for (gsize k = lo; k < limit; k++) {
        if (try_date(p, k, limit, end, &r->date_parsed)) {
            *first = k;
            r->date_valid = TRUE;
            goto found;
        }
    }

    memset(&r->date_parsed, 0, sizeof r->date_parsed);
    if (semi + 1 < ntok && opens_clause(p, token_at(p, semi + 1)) == CL_NONE &&
        token_at(p, semi + 1)->kind == TOK_WORD) {
        *first = semi + 1;
        *end = date_end(p, semi + 1, ntok);
        goto found;
    }
    *end = 0;
    return;

found:
    a = token_at(p, *first);
    b = token_at(p, *end - 1);
    r->date = fold_space(p->buf + a->start, b->end - a->start);
}

/* Tells whether a "with" protocol says the client authenticated: RFC 3848
 * adds "A" to the protocol name. */
static gboolean
protocol_authenticated(const char *w)
{
    static const char *const names[] = {
        "ESMTPA",   "ESMTPSA",   "LMTPA",     "LMTPSA",
        "UTF8SMTPA", "UTF8SMTPSA", "UTF8LMTPA", "UTF8LMTPSA",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_ascii_strcasecmp(w, names[i]) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Tells whether a "with" protocol says TLS was used (RFC 3848, and the
 * HTTPS, SMTPS, POP3S and IMAPS that webmail and fetchers write). */
static gboolean
protocol_tls(const char *w)
{
    static const char *const names[] = {
        "ESMTPS",    "ESMTPSA",    "LMTPS",      "LMTPSA",    "UTF8SMTPS",
        "UTF8SMTPSA", "UTF8LMTPS", "UTF8LMTPSA", "SMTPS",     "HTTPS",
        "POP3S",     "IMAPS",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_ascii_strcasecmp(w, names[i]) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Places what needed the whole header: the domain after "from" (whose
 * meaning depends on the comments after it), and the joined clauses. */
static void
finish(Parser *p)
{
    MtReceived *r = p->r;

    if (p->with_words->len > 0) {
        g_autofree char *first = NULL;
        const char *sp;

        r->with = g_strdup(p->with_words->str);
        sp = strchr(r->with, ' ');
        first = sp ? g_strndup(r->with, (gsize)(sp - r->with))
                   : g_strdup(r->with);
        if (protocol_authenticated(first))
            r->authenticated = TRUE;
        if (protocol_tls(first))
            r->tls = TRUE;
        /* Exchange writes its name as the protocol; IIS SMTP appends its
         * version: "with Microsoft SMTPSVC(6.0.3790.4675)". */
        if (p->with_version != NULL && r->by_software == NULL) {
            r->by_software =
                g_strdup_printf("%s %s", r->with, p->with_version);
            g_clear_pointer(&p->with_version, g_free);
        }
        if (has_prefix_ci(r->with, "Microsoft "))
            set_once_str(&r->by_software, r->with);
    }
    if (p->with_version != NULL) {
        g_autofree char *c = g_strdup_printf("(%s)", p->with_version);

        add_unparsed(p, c, strlen(c));
    }
    if (p->via_words->len > 0)
        r->via = g_strdup(p->via_words->str);
    if (p->for_words->len > 0 && r->for_addr == NULL)
        set_address(&r->for_addr, p->for_words->str, p->for_words->len);

    if (p->from_word != NULL) {
        const char *w = p->from_word;
        gboolean had_ip = r->from_ip != NULL;
        int port = -1;
        g_autofree char *ip = ip_of_word(w, strlen(w), &port);

        if (ip == NULL && !p->tcp_info && r->with != NULL &&
            has_prefix_ci(r->with, "local") && r->from_ident == NULL) {
            /* Exim: "from user by host with local": a local user, no
             * client host at all. */
            r->from_ident = g_strdup(w);
        } else if (p->helo_in_comment) {
            /* The comment named the HELO, so the domain slot holds what
             * the receiver found: the rDNS name, or the bare IP. */
            if (ip != NULL && r->from_ip == NULL) {
                r->from_ip = g_steal_pointer(&ip);
                r->from_port = port;
            } else if (r->from_rdns == NULL) {
                r->from_rdns = g_strdup(w);
            } else {
                add_unparsed(p, w, strlen(w));
            }
        } else {
            r->from_helo = g_strdup(w);
            if (ip != NULL && r->from_ip == NULL) {
                r->from_ip = g_steal_pointer(&ip);
                r->from_port = port;
            }
        }
        if (!had_ip && r->from_ip != NULL && r->from_port < 0)
            r->from_port = p->tcp_port;
    }
}

/* Skips an optional "Received:" or "X-Received:" field name. */
static gsize
skip_field_name(const char *s, gsize n, gboolean *x_received)
{
    gsize i = 0;

    while (i < n && is_space(s[i]))
        i++;
    if (n - i >= 2 && g_ascii_strncasecmp(s + i, "X-", 2) == 0) {
        *x_received = TRUE;
        i += 2;
    }
    if (n - i >= 8 && g_ascii_strncasecmp(s + i, "Received", 8) == 0) {
        gsize j = i + 8;

        while (j < n && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j < n && s[j] == ':') {
            j++;
            while (j < n && is_space(s[j]))
                j++;
            return j;
        }
    }
    *x_received = FALSE;
    return 0;
}

MtReceived *
mt_received_parse(const char *value, gsize len)
{
    MtReceived *r = g_new0(MtReceived, 1);
    Parser p = {0};
    char *buf;
    gsize skip, date_first, date_stop;

    r->from_port = -1;
    p.tcp_port = -1;
    if (value == NULL)
        len = 0;
    skip = skip_field_name(value, len, &r->x_received);
    buf = g_malloc(len - skip + 1);
    for (gsize i = skip; i < len; i++)
        buf[i - skip] = value[i] == '\0' ? ' ' : value[i];
    buf[len - skip] = '\0';
    r->raw = buf;

    p.r = r;
    p.buf = buf;
    p.len = len - skip;
    p.role = g_malloc0(p.len + 1);
    p.tokens = g_array_new(FALSE, FALSE, sizeof(Token));
    p.unparsed = g_string_new(NULL);
    p.with_words = g_string_new(NULL);
    p.via_words = g_string_new(NULL);
    p.for_words = g_string_new(NULL);

    mark_comments(&p);
    tokenize(&p);
    find_date(&p, &date_first, &date_stop);

    for (gsize k = 0; k < p.tokens->len; k++) {
        if (date_stop > 0 && k == date_first) {
            k = date_stop - 1;
            p.clause = CL_DATE;
            continue;
        }
        if (p.clause == CL_BY && over_tls_at(&p, k, date_stop > 0 ?
                                             date_first : p.tokens->len)) {
            k += 3;
            continue;
        }
        place_token(&p, token_at(&p, k));
    }
    finish(&p);

    if (p.unparsed->len > 0)
        r->unparsed = g_string_free(g_steal_pointer(&p.unparsed), FALSE);
    if (p.unparsed != NULL)
        g_string_free(p.unparsed, TRUE);
    g_string_free(p.with_words, TRUE);
    g_string_free(p.via_words, TRUE);
    g_string_free(p.for_words, TRUE);
    g_array_free(p.tokens, TRUE);
    g_free(p.role);
    g_free(p.from_word);
    g_free(p.with_version);
    return r;
}

void
mt_received_free(MtReceived *r)
{
    if (r == NULL)
        return;
    g_free(r->raw);
    g_free(r->from_helo);
    g_free(r->from_rdns);
    g_free(r->from_ip);
    g_free(r->from_ident);
    g_free(r->helo_command);
    g_free(r->by_host);
    g_free(r->by_ip);
    g_free(r->by_software);
    g_free(r->via);
    g_free(r->with);
    g_free(r->tls_version);
    g_free(r->tls_cipher);
    g_free(r->auth_user);
    g_free(r->id);
    g_free(r->for_addr);
    g_free(r->envelope_from);
    g_free(r->date);
    g_free(r->unparsed);
    g_free(r);
}
