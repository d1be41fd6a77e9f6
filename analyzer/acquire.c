/* SPDX-License-Identifier: MIT */
/*
 * acquire.c: the transport and the session of `mailtrail fetch`. libcurl
 * does what it does well (name resolution, TCP, implicit TLS or STARTTLS,
 * certificate verification, SASL and APOP) with CURLOPT_CONNECT_ONLY, and
 * hands over a logged-in connection; from then on the core speaks IMAP or
 * POP3 itself through curl_easy_send() and curl_easy_recv(), because
 * libcurl's own transfers are not forensically safe (its IMAP FETCH sets
 * \Seen, and its custom-request path truncates long lines).
 *
 * This file also writes the evidence: message files and acquisition.json
 * are created exclusively, mode 0400, and never overwritten, so a second
 * run can never replace what the first one saved. Credentials are handed
 * to libcurl and wiped; the transcript (--trace) redacts whatever libcurl
 * sent during login.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "acquire-private.h"
#include "mailtrail-private.h"

/* Bytes asked of curl_easy_recv() at a time. */
#define RECV_CHUNK (64u * 1024u)
/* Server lines kept from the login phase (greeting, capabilities). */
#define MAX_LOGIN_LINES 64u

const char *
mt_acquire_protocol_to_string(MtAcquireProtocol protocol)
{
    return protocol == MT_ACQUIRE_POP3 ? "pop3" : "imap";
}

static const struct {
    MtAcquireAuth auth;
    const char *name;
    const char *login_options; /* CURLOPT_LOGIN_OPTIONS */
} auth_table[] = {
    {MT_ACQUIRE_AUTH_ANY, "any", NULL},
    {MT_ACQUIRE_AUTH_PLAIN, "PLAIN", "AUTH=PLAIN"},
    {MT_ACQUIRE_AUTH_LOGIN, "LOGIN", "AUTH=LOGIN"},
    {MT_ACQUIRE_AUTH_CRAM_MD5, "CRAM-MD5", "AUTH=CRAM-MD5"},
    {MT_ACQUIRE_AUTH_XOAUTH2, "XOAUTH2", "AUTH=XOAUTH2"},
    {MT_ACQUIRE_AUTH_APOP, "APOP", "AUTH=+APOP"},
};

const char *
mt_acquire_auth_to_string(MtAcquireAuth auth)
{
    for (gsize i = 0; i < G_N_ELEMENTS(auth_table); i++) {
        if (auth_table[i].auth == auth)
            return auth_table[i].name;
    }
    return "any";
}

gboolean
mt_acquire_auth_from_string(const char *name, MtAcquireAuth *out)
{
    for (gsize i = 0; i < G_N_ELEMENTS(auth_table); i++) {
        if (g_ascii_strcasecmp(auth_table[i].name, name) == 0) {
            *out = auth_table[i].auth;
            return TRUE;
        }
    }
    return FALSE;
}

void
mt_acquire_options_init_default(MtAcquireOptions *options)
{
    g_return_if_fail(options != NULL);
    memset(options, 0, sizeof *options);
    options->auth = MT_ACQUIRE_AUTH_ANY;
    options->connect_timeout = MT_ACQUIRE_DEFAULT_TIMEOUT;
    options->idle_timeout = MT_ACQUIRE_DEFAULT_TIMEOUT;
    options->max_message_size = MT_ACQUIRE_DEFAULT_MAX_MESSAGE;
    options->use_netrc = TRUE;
}

char *
mt_acquire_now_utc(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *base = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");

    return g_strdup_printf("%s.%03dZ", base,
                           g_date_time_get_microsecond(now) / 1000);
}

/* --------------------------------------------------------- connection */

static void
trace_write(MtConn *conn, const char *dir, const char *data, gsize len)
{
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;
    gsize shown = MIN(len, 400);

    if (conn->trace == NULL)
        return;
    now = g_date_time_new_now_utc();
    stamp = g_date_time_format(now, "%H:%M:%S");
    fprintf(conn->trace, "%s.%03d %s: ", stamp,
            g_date_time_get_microsecond(now) / 1000, dir);
    /* Printable ASCII as is, everything else as \xHH, so the transcript
     * is one line per exchange whatever the server sent. */
    for (gsize i = 0; i < shown; i++) {
        guchar ch = (guchar)data[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\')
            fputc(ch, conn->trace);
        else if (ch == '\\')
            fputs("\\\\", conn->trace);
        else if (ch == '\r' && i + 2 >= len)
            continue;
        else if (ch == '\n' && i + 1 == len)
            continue;
        else
            fprintf(conn->trace, "\\x%02X", ch);
    }
    if (shown < len)
        fprintf(conn->trace, "... [%" G_GSIZE_FORMAT " bytes]", len);
    fputc('\n', conn->trace);
    fflush(conn->trace);
}

void
mt_conn_trace(MtConn *conn, const char *dir, const char *data, gsize len)
{
    trace_write(conn, dir, data, len);
}

void
mt_conn_trace_note(MtConn *conn, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (conn->trace == NULL)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    trace_write(conn, "*", msg, strlen(msg));
}

static gboolean
wait_socket(MtConn *conn, short events, GError **error)
{
    for (;;) {
        struct pollfd p = {.fd = conn->sock, .events = events};
        int r = poll(&p, 1, (int)MIN(conn->idle_timeout_ms, (guint)G_MAXINT));
        if (r > 0)
            return TRUE;
        if (r == 0) {
            g_set_error(error, MT_ERROR, MT_ERROR_NETWORK,
                        "no answer from the server for %u s",
                        conn->idle_timeout_ms / 1000);
            return FALSE;
        }
        if (errno != EINTR) {
            g_set_error(error, MT_ERROR, MT_ERROR_NETWORK,
                        "waiting for the server: %s", g_strerror(errno));
            return FALSE;
        }
    }
}

gboolean
mt_conn_fill(MtConn *conn, GError **error)
{
    guint old;

    if (conn->eof) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_NETWORK,
                            "the server closed the connection");
        return FALSE;
    }
    /* Drop consumed bytes once they are half the buffer: the move is
     * paid for by the bytes consumed since the last one. */
    if (conn->off > 0 && conn->off >= conn->in->len / 2) {
        g_byte_array_remove_range(conn->in, 0, (guint)conn->off);
        conn->off = 0;
    }
    old = conn->in->len;
    g_byte_array_set_size(conn->in, old + RECV_CHUNK);
    for (;;) {
        size_t n = 0;
        CURLcode rc =
            curl_easy_recv(conn->curl, conn->in->data + old, RECV_CHUNK, &n);
        if (rc == CURLE_OK) {
            g_byte_array_set_size(conn->in, old + (guint)n);
            if (n == 0) {
                conn->eof = TRUE;
                g_set_error_literal(error, MT_ERROR, MT_ERROR_NETWORK,
                                    "the server closed the connection");
                return FALSE;
            }
            conn->bytes_in += n;
            return TRUE;
        }
        if (rc == CURLE_AGAIN) {
            if (!wait_socket(conn, POLLIN, error)) {
                g_byte_array_set_size(conn->in, old);
                return FALSE;
            }
            continue;
        }
        g_byte_array_set_size(conn->in, old);
        g_set_error(error, MT_ERROR, MT_ERROR_NETWORK, "connection lost: %s",
                    curl_easy_strerror(rc));
        return FALSE;
    }
}

gboolean
mt_conn_send(MtConn *conn, const char *data, gsize len, GError **error)
{
    while (len > 0) {
        size_t sent = 0;
        CURLcode rc = curl_easy_send(conn->curl, data, len, &sent);
        if (rc == CURLE_AGAIN) {
            if (!wait_socket(conn, POLLOUT, error))
                return FALSE;
            continue;
        }
        if (rc != CURLE_OK) {
            g_set_error(error, MT_ERROR, MT_ERROR_NETWORK,
                        "connection lost while sending: %s",
                        curl_easy_strerror(rc));
            return FALSE;
        }
        data += sent;
        len -= sent;
        conn->bytes_out += sent;
    }
    return TRUE;
}

void
mt_conn_consume(MtConn *conn, gsize n)
{
    g_return_if_fail(n <= mt_conn_avail(conn));
    conn->off += n;
    if (conn->off == conn->in->len) {
        g_byte_array_set_size(conn->in, 0);
        conn->off = 0;
    }
}

GBytes *
mt_conn_take(MtConn *conn, gsize n)
{
    GBytes *b;

    g_return_val_if_fail(n <= mt_conn_avail(conn), NULL);
    if (conn->off + n == conn->in->len) {
        /* All that is buffered: hand the array over instead of copying a
         * message of up to --max-message-size bytes. */
        if (conn->off > 0)
            g_byte_array_remove_range(conn->in, 0, (guint)conn->off);
        b = g_byte_array_free_to_bytes(conn->in);
        conn->in = g_byte_array_new();
        conn->off = 0;
        return b;
    }
    b = g_bytes_new(conn->in->data + conn->off, n);
    conn->off += n;
    return b;
}

/* ------------------------------------------------------------ redaction */

/* libcurl's IMAP tags are one letter and at least three digits ("A001");
 * a POP3 command word ("PASS") never looks like that. */
static gboolean
is_curl_tag(const char *w)
{
    gsize n = strlen(w);

    if (n < 4 || !g_ascii_isupper(w[0]))
        return FALSE;
    for (gsize i = 1; i < n; i++) {
        if (!g_ascii_isdigit(w[i]))
            return FALSE;
    }
    return TRUE;
}

/* A SASL mechanism name (RFC 4422: upper-case letters, digits, - and _). */
static gboolean
is_mech(const char *w)
{
    gsize n = strlen(w);

    if (n == 0 || n > 20)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isupper(w[i]) && !g_ascii_isdigit(w[i]) && w[i] != '-' &&
            w[i] != '_')
            return FALSE;
    }
    return TRUE;
}

static gboolean
word_in(const char *w, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (g_ascii_strcasecmp(w, *list) == 0)
            return TRUE;
    }
    return FALSE;
}

char *
mt_acquire_redact_line(const char *line, gsize len)
{
    static const char *const imap_safe[] = {"CAPABILITY", "STARTTLS", "LOGOUT",
                                            "NOOP", NULL};
    static const char *const pop3_safe[] = {"CAPA", "STLS", "QUIT", "NOOP",
                                            NULL};
    static const char *const pop3_secret[] = {"USER", "PASS", "APOP", NULL};
    g_autofree char *copy = NULL;
    g_auto(GStrv) w = NULL;
    guint n;

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    copy = g_strndup(line, len);
    if (strlen(copy) != len)
        return g_strdup("[redacted]");
    w = g_strsplit(copy, " ", 4);
    n = g_strv_length(w);
    if (n >= 2 && is_curl_tag(w[0])) {
        /* IMAP: "A001 CAPABILITY", "A002 AUTHENTICATE PLAIN [response]",
         * "A002 LOGIN user password". */
        if (n == 2 && word_in(w[1], imap_safe))
            return g_strdup_printf("%s %s", w[0], w[1]);
        if (n >= 3 && g_ascii_strcasecmp(w[1], "AUTHENTICATE") == 0 &&
            is_mech(w[2]))
            return g_strdup_printf("%s AUTHENTICATE %s%s", w[0], w[2],
                                   n > 3 ? " [redacted]" : "");
        return g_strdup_printf("%s [redacted]", w[0]);
    }
    /* POP3: "CAPA", "AUTH CRAM-MD5", "USER name", "APOP name digest". */
    if (n == 1 && word_in(w[0], pop3_safe))
        return g_ascii_strup(w[0], -1);
    if (n >= 2 && strcmp(w[0], "AUTH") == 0 && is_mech(w[1]))
        return g_strdup_printf("AUTH %s%s", w[1], n > 2 ? " [redacted]" : "");
    if (n >= 1 && word_in(w[0], pop3_secret))
        return g_strdup_printf("%s [redacted]", w[0]);
    /* SASL continuation lines and anything unknown. */
    return g_strdup("[redacted]");
}

/* ---------------------------------------------------------- TLS capture */

static int ssl_ex_index = -1;

static int
get_ssl_ex_index(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        ssl_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
        g_once_init_leave(&once, 1);
    }
    return ssl_ex_index;
}

static char *
x509_name_text(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    char *out;

    if (bio == NULL)
        return NULL;
    /* RFC 2253 order, UTF-8 kept: "CN=127.0.0.1" rather than OpenSSL's
     * old "/CN=..." form. */
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    n = BIO_get_mem_data(bio, &data);
    out = n > 0 ? g_strndup(data, (gsize)n) : g_strdup("");
    BIO_free(bio);
    return out;
}

static char *
asn1_time_text(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return NULL;
    return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                           tm.tm_sec);
}

/* "AB:CD:..." upper-case, as `openssl x509 -fingerprint -sha256`. */
static char *
cert_fingerprint(X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    GString *s;

    if (X509_digest(cert, EVP_sha256(), md, &n) != 1)
        return NULL;
    s = g_string_sized_new(n * 3);
    for (unsigned int i = 0; i < n; i++)
        g_string_append_printf(s, "%s%02X", i ? ":" : "", md[i]);
    return g_string_free(s, FALSE);
}

/* Normalises a user's pin: hex digits, colons optional, any case. */
static char *
normalise_pin(const char *pin)
{
    GString *hex = g_string_new(NULL);
    GString *out;

    for (const char *p = pin; *p; p++) {
        if (*p == ':' || *p == ' ')
            continue;
        if (!g_ascii_isxdigit(*p)) {
            g_string_free(hex, TRUE);
            return NULL;
        }
        g_string_append_c(hex, g_ascii_toupper(*p));
    }
    if (hex->len != 64) {
        g_string_free(hex, TRUE);
        return NULL;
    }
    out = g_string_new(NULL);
    for (gsize i = 0; i < hex->len; i += 2)
        g_string_append_printf(out, "%s%c%c", i ? ":" : "", hex->str[i],
                               hex->str[i + 1]);
    g_string_free(hex, TRUE);
    return g_string_free(out, FALSE);
}

static void
capture_cert(MtAcquireSession *s, X509 *cert)
{
    MtAcquisition *a = s->record;

    if (cert == NULL || a->cert_sha256 != NULL)
        return;
    a->cert_subject = x509_name_text(X509_get_subject_name(cert));
    a->cert_issuer = x509_name_text(X509_get_issuer_name(cert));
    a->cert_not_before = asn1_time_text(X509_get0_notBefore(cert));
    a->cert_not_after = asn1_time_text(X509_get0_notAfter(cert));
    a->cert_sha256 = cert_fingerprint(cert);
}

/* Runs for every certificate of the chain during the handshake, before
 * libcurl sends any credential: it records the server certificate (so a
 * refusal can name it), and enforces --pin-sha256. */
static int
verify_cb(int preverify_ok, X509_STORE_CTX *x)
{
    SSL *ssl =
        X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    MtAcquireSession *s = NULL;

    if (ssl != NULL)
        s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), get_ssl_ex_index());
    if (s == NULL)
        return preverify_ok;
    capture_cert(s, X509_STORE_CTX_get0_cert(x));
    if (!preverify_ok && s->verify_error == NULL)
        s->verify_error = g_strdup(
            X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
    if (s->record->pin_sha256 != NULL &&
        X509_STORE_CTX_get_error_depth(x) == 0) {
        if (g_strcmp0(s->record->cert_sha256, s->record->pin_sha256) != 0) {
            s->pin_mismatch = TRUE;
            X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
            return 0;
        }
        s->pin_matched = TRUE;
    }
    if (s->options.insecure)
        return 1;
    return preverify_ok;
}

/* Records what was negotiated when the handshake completes. libcurl
 * 7.88 does not answer CURLINFO_TLS_SSL_PTR once a CONNECT_ONLY transfer
 * has returned, so this is the one reliable place to look. */
static void
info_cb(const SSL *ssl, int where, int ret)
{
    MtAcquireSession *s;
    MtAcquisition *a;
    X509 *peer;

    (void)ret;
    if ((where & SSL_CB_HANDSHAKE_DONE) == 0)
        return;
    s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), get_ssl_ex_index());
    if (s == NULL)
        return;
    a = s->record;
    a->tls = TRUE;
    g_free(a->tls_version);
    a->tls_version = g_strdup(SSL_get_version(ssl));
    g_free(a->tls_cipher);
    a->tls_cipher = g_strdup(SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
    s->chain_verified = SSL_get_verify_result(ssl) == X509_V_OK;
    peer = SSL_get1_peer_certificate(ssl);
    if (peer != NULL) {
        /* The handshake's leaf, in case the verify callback did not run
         * (a resumed session). */
        capture_cert(s, peer);
        X509_free(peer);
    }
}

static CURLcode
ssl_ctx_cb(CURL *curl, void *sslctx, void *userdata)
{
    SSL_CTX *ctx = sslctx;
    MtAcquireSession *s = userdata;
    int mode = SSL_CTX_get_verify_mode(ctx);

    (void)curl;
    SSL_CTX_set_ex_data(ctx, get_ssl_ex_index(), s);
    /* With --insecure libcurl asks for SSL_VERIFY_NONE, under which
     * OpenSSL ignores the callback's verdict; a pin must still be able to
     * refuse, so verification runs and the callback decides. */
    if (s->options.insecure && s->record->pin_sha256 != NULL)
        mode = SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, mode, verify_cb);
    SSL_CTX_set_info_callback(ctx, info_cb);
    return CURLE_OK;
}

/* ------------------------------------------------------ libcurl's login */

static void
keep_login_line(MtAcquireSession *s, const char *data, gsize len)
{
    gsize n = len;

    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    if (s->login_lines->len < MAX_LOGIN_LINES)
        g_ptr_array_add(s->login_lines, g_strndup(data, MIN(n, 4096)));
}

static int
debug_cb(CURL *curl, curl_infotype type, char *data, size_t size,
         void *userdata)
{
    MtAcquireSession *s = userdata;

    (void)curl;
    if (!s->in_login)
        return 0;
    if (type == CURLINFO_HEADER_IN) {
        keep_login_line(s, data, size);
        trace_write(&s->conn, "S", data, size);
    } else if (type == CURLINFO_HEADER_OUT) {
        /* Never write what libcurl sends as it is: it carries the
         * password, the SASL response or the APOP digest. */
        g_autofree char *safe = mt_acquire_redact_line(data, size);
        trace_write(&s->conn, "C", safe, strlen(safe));
    } else if (type == CURLINFO_TEXT && s->conn.trace != NULL) {
        static const char *const keep[] = {
            "Connected to", "SSL connection", "Server certificate",
            "subject:",     "issuer:",        NULL};
        for (gsize i = 0; keep[i] != NULL; i++) {
            if (size > strlen(keep[i]) &&
                strncmp(data + (data[0] == ' ' ? 1 : 0), keep[i],
                        strlen(keep[i])) == 0) {
                trace_write(&s->conn, "*", data, size);
                break;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ URL */

typedef struct {
    char *scheme;
    char *host;
    guint port;
    char *user;
    char *mailbox;
    char *connect_url;
} ParsedUrl;

static void
parsed_url_clear(ParsedUrl *u)
{
    g_free(u->scheme);
    g_free(u->host);
    g_free(u->user);
    g_free(u->mailbox);
    g_free(u->connect_url);
}

static void
global_init(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        g_once_init_leave(&once, 1);
    }
}

static gboolean
parse_url(const char *url, ParsedUrl *out, GError **error)
{
    CURLU *u;
    char *part = NULL;
    gboolean ok = FALSE;
    CURLUcode rc;
    guint64 port = 0;

    memset(out, 0, sizeof *out);
    global_init();
    u = curl_url();
    if (u == NULL) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "out of memory parsing the URL");
        return FALSE;
    }
    rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
        g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                    "invalid URL: %s (expected imap://, imaps://, pop3:// or "
                    "pop3s://[user@]host[:port][/mailbox])",
                    curl_url_strerror(rc));
        goto out;
    }
    curl_url_get(u, CURLUPART_SCHEME, &part, 0);
    out->scheme = g_ascii_strdown(part ? part : "", -1);
    curl_free(part);
    part = NULL;
    if (strcmp(out->scheme, "imap") != 0 && strcmp(out->scheme, "imaps") != 0 &&
        strcmp(out->scheme, "pop3") != 0 && strcmp(out->scheme, "pop3s") != 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                    "unsupported URL scheme \"%s\": use imap, imaps, pop3 or "
                    "pop3s",
                    out->scheme);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
        curl_free(part);
        part = NULL;
        /* The value is not repeated: it is a credential. */
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "a password in the URL is refused (it would end "
                            "up in shell history and logs): use "
                            "--password-file, MAILTRAIL_PASSWORD or ~/.netrc");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_OPTIONS, &part, 0) == CURLUE_OK) {
        curl_free(part);
        part = NULL;
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "URL login options (;AUTH=...) are not accepted: "
                            "use --auth");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
        curl_free(part);
        part = NULL;
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "a query or fragment in the URL is not accepted: "
                            "use --search, --uid or --msg");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "the URL has no host");
        goto out;
    }
    out->host = g_strdup(part);
    curl_free(part);
    part = NULL;
    if (curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) ==
            CURLUE_OK &&
        g_ascii_string_to_unsigned(part, 10, 1, 65535, &port, NULL))
        out->port = (guint)port;
    curl_free(part);
    part = NULL;
    if (curl_url_get(u, CURLUPART_USER, &part, CURLU_URLDECODE) == CURLUE_OK) {
        out->user = g_strdup(part);
        curl_free(part);
        part = NULL;
    }
    /* The raw path decides whether it carries libcurl's own IMAP URL
     * parameters (";UID=5"), which would bypass the read-only commands. */
    if (curl_url_get(u, CURLUPART_PATH, &part, 0) == CURLUE_OK &&
        strchr(part, ';') != NULL) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "URL parameters such as ;UID= are not accepted: "
                            "use --uid, --search or --msg (a \";\" in a "
                            "mailbox name is written %3B)");
        goto out;
    }
    curl_free(part);
    part = NULL;
    rc = curl_url_get(u, CURLUPART_PATH, &part, CURLU_URLDECODE);
    if (rc != CURLUE_OK) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "the URL path cannot be decoded");
        goto out;
    }
    {
        const char *path = part[0] == '/' ? part + 1 : part;
        gboolean pop = out->scheme[0] == 'p';
        if (pop && *path != '\0') {
            g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                                "a POP3 URL has no path: choose messages with "
                                "--msg, --uidl or --all");
            goto out;
        }
        if (!g_utf8_validate(path, -1, NULL) || strpbrk(path, "\r\n") != NULL) {
            g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                                "the mailbox in the URL is not valid UTF-8 "
                                "text");
            goto out;
        }
        if (!pop)
            out->mailbox = g_strdup(*path != '\0' ? path : "INBOX");
    }
    curl_free(part);
    part = NULL;

    /* libcurl connects to scheme://host:port/ only: no user (given
     * separately), no path (the core selects the mailbox itself). */
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PATH, "/", 0);
    if (curl_url_get(u, CURLUPART_URL, &part, 0) != CURLUE_OK) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "the URL cannot be rebuilt");
        goto out;
    }
    out->connect_url = g_strdup(part);
    ok = TRUE;
out:
    curl_free(part);
    curl_url_cleanup(u);
    if (!ok)
        parsed_url_clear(out);
    return ok;
}

/* The connect URL with the user in it (percent-encoded). */
static char *
url_with_user(const char *url, const char *user)
{
    CURLU *u = curl_url();
    char *part = NULL;
    char *out = NULL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_USER, user, CURLU_URLENCODE) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &part, 0) == CURLUE_OK)
        out = g_strdup(part);
    curl_free(part);
    curl_url_cleanup(u);
    return out;
}

gboolean
mt_acquire_url_check(const char *url, GError **error)
{
    ParsedUrl u;

    g_return_val_if_fail(url != NULL, FALSE);
    if (!parse_url(url, &u, error))
        return FALSE;
    parsed_url_clear(&u);
    return TRUE;
}

char *
mt_acquire_default_dir(const char *url)
{
    ParsedUrl u;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    GString *host = g_string_new(NULL);
    char *dir;

    if (url != NULL && parse_url(url, &u, NULL)) {
        for (const char *p = u.host; *p; p++)
            g_string_append_c(
                host, g_ascii_isalnum(*p) || *p == '.' || *p == '-' ? *p : '_');
        parsed_url_clear(&u);
    }
    if (host->len == 0)
        g_string_append(host, "server");
    dir = g_strdup_printf("evidence-%s-%s", host->str, stamp);
    g_string_free(host, TRUE);
    return dir;
}

/* ------------------------------------------------------------ evidence */

gboolean
mt_acquire_prepare_dir(const char *dir, gboolean *created, GError **error)
{
    struct stat st;
    g_autofree char *record = NULL;

    if (created)
        *created = FALSE;
    if (mkdir(dir, 0700) == 0) {
        if (created)
            *created = TRUE;
        return TRUE;
    }
    if (errno != EEXIST) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO,
                    "cannot create the evidence folder %s: %s", dir,
                    g_strerror(errno));
        return FALSE;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO,
                    "%s exists and is not a folder", dir);
        return FALSE;
    }
    record = g_build_filename(dir, "acquisition.json", NULL);
    if (lstat(record, &st) == 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO,
                    "%s already holds an acquisition (acquisition.json): "
                    "choose a new folder",
                    dir);
        return FALSE;
    }
    return TRUE;
}

/* Writes a new file, exclusively: O_EXCL refuses an existing name and
 * O_NOFOLLOW a planted symlink. Mode 0400 from the start; a file that
 * could not be written completely is removed, never left looking whole. */
static gboolean
write_exclusive(const char *path, const guint8 *data, gsize len, GError **error)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
    gsize done = 0;

    if (fd < 0) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot create %s: %s%s",
                    path, g_strerror(errno),
                    errno == EEXIST ? " (evidence is never overwritten)" : "");
        return FALSE;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, MIN(len - done, (gsize)1 << 30));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            unlink(path);
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot write %s: %s",
                        path, g_strerror(e));
            return FALSE;
        }
        done += (gsize)n;
    }
    if (fchmod(fd, 0400) != 0 || fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(path);
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot write %s: %s", path,
                    g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

gboolean
mt_evidence_write(const char *dir, const char *label, const char *sha256,
                  const char *suffix, const guint8 *data, gsize len,
                  char **name, GError **error)
{
    g_autofree char *base = g_strdup_printf("%s-%s%s", label, sha256, suffix);
    g_autofree char *path = g_build_filename(dir, base, NULL);

    if (!write_exclusive(path, data, len, error))
        return FALSE;
    if (name)
        *name = g_steal_pointer(&base);
    return TRUE;
}

gboolean
mt_acquire_save(MtAcquiredMessage *m, const char *dir, const char *label,
                const guint8 *data, gsize len, gboolean partial, GError **error)
{
    char sha[65];

    mt_sha256_hex(data, len, sha);
    if (!mt_evidence_write(dir, label, sha, partial ? ".partial" : ".eml", data,
                           len, &m->file, error))
        return FALSE;
    memcpy(m->sha256, sha, sizeof sha);
    m->bytes = len;
    return TRUE;
}

gboolean
mt_acquisition_write(const MtAcquisition *a, const char *dir, GError **error)
{
    g_autofree char *json = mt_acquisition_to_json(a);
    g_autofree char *path = g_build_filename(dir, "acquisition.json", NULL);

    return write_exclusive(path, (const guint8 *)json, strlen(json), error);
}

/* ------------------------------------------------------------- session */

static void
wipe_free(char *secret)
{
    if (secret != NULL) {
        explicit_bzero(secret, strlen(secret));
        g_free(secret);
    }
}

/* Maps libcurl's connect-phase failure to the project's errors, naming
 * the server and, for a refused certificate, the certificate itself. */
static void
set_connect_error(MtAcquireSession *s, CURLcode rc, const char *errbuf,
                  GError **error)
{
    const MtAcquisition *a = s->record;
    g_autofree char *where =
        g_strdup_printf("%s://%s:%u", a->scheme, a->host, a->port);
    const char *detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    g_autofree char *cert = NULL;

    if (a->cert_sha256 != NULL)
        cert = g_strdup_printf(" (certificate subject \"%s\", issuer \"%s\", "
                               "SHA-256 %s)",
                               a->cert_subject ? a->cert_subject : "",
                               a->cert_issuer ? a->cert_issuer : "",
                               a->cert_sha256);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        g_set_error(error, MT_ERROR, MT_ERROR_NETWORK,
                    "%s: the host name could not be resolved", where);
        break;
    case CURLE_COULDNT_CONNECT:
        g_set_error(error, MT_ERROR, MT_ERROR_NETWORK,
                    "%s: connection refused or unreachable (%s)", where,
                    detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        g_set_error(error, MT_ERROR, MT_ERROR_NETWORK, "%s: timed out (%s)",
                    where, detail);
        break;
    case CURLE_LOGIN_DENIED:
        g_set_error(error, MT_ERROR, MT_ERROR_AUTH,
                    "%s: login denied for user \"%s\" with %s authentication",
                    where, a->user ? a->user : "", a->auth);
        break;
    case CURLE_USE_SSL_FAILED:
        g_set_error(error, MT_ERROR, MT_ERROR_TLS,
                    "%s: the server does not offer STARTTLS; no credential "
                    "was sent (--allow-plaintext permits a plaintext login)",
                    where);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
        if (s->pin_mismatch)
            g_set_error(error, MT_ERROR, MT_ERROR_TLS,
                        "%s: certificate refused: its SHA-256 fingerprint does "
                        "not match --pin-sha256; no credential was sent%s",
                        where, cert ? cert : "");
        else
            g_set_error(error, MT_ERROR, MT_ERROR_TLS,
                        "%s: certificate refused or TLS failed (%s); no "
                        "credential was sent%s",
                        where, s->verify_error ? s->verify_error : detail,
                        cert ? cert : "");
        break;
    default:
        g_set_error(error, MT_ERROR, MT_ERROR_NETWORK, "%s: %s", where, detail);
        break;
    }
}

static gboolean
tls_backend_is_openssl(void)
{
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);

    return vi->ssl_version != NULL &&
           g_str_has_prefix(vi->ssl_version, "OpenSSL");
}

MtAcquireSession *
mt_acquire_session_open(const MtAcquireOptions *options, GError **error)
{
    MtAcquireSession *s;
    ParsedUrl u;
    MtAcquisition *a;
    CURL *c;
    CURLcode rc;
    char errbuf[CURL_ERROR_SIZE] = "";
    const char *login_options = NULL;
    char *ip = NULL;
    long port = 0;

    g_return_val_if_fail(options != NULL && options->url != NULL, NULL);
    if (!parse_url(options->url, &u, error))
        return NULL;
    if (options->auth == MT_ACQUIRE_AUTH_APOP && u.scheme[0] != 'p') {
        parsed_url_clear(&u);
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "APOP exists only for POP3");
        return NULL;
    }
    if (options->max_message_size == 0 ||
        options->max_message_size > G_MAXUINT32 / 2) {
        parsed_url_clear(&u);
        g_set_error(error, MT_ERROR, MT_ERROR_INVALID,
                    "the message size limit must be between 1 byte and %u "
                    "bytes",
                    G_MAXUINT32 / 2);
        return NULL;
    }
    global_init();

    s = g_new0(MtAcquireSession, 1);
    s->options = *options;
    s->options.url = g_strdup(options->url);
    s->options.user = g_strdup(options->user ? options->user : u.user);
    s->options.password = g_strdup(options->password);
    s->options.oauth2_token = g_strdup(options->oauth2_token);
    s->options.mailbox = NULL;
    s->options.cacert = g_strdup(options->cacert);
    s->options.pin_sha256 = NULL;
    s->options.interface = g_strdup(options->interface);
    s->options.trace_path = g_strdup(options->trace_path);
    s->mailbox = g_strdup(options->mailbox ? options->mailbox : u.mailbox);
    s->login_lines = g_ptr_array_new_with_free_func(g_free);
    s->conn.in = g_byte_array_new();
    s->conn.sock = CURL_SOCKET_BAD;
    s->conn.idle_timeout_ms = MAX(options->idle_timeout, 1u) * 1000u;

    s->record = a = mt_acquisition_new();
    a->started = mt_acquire_now_utc();
    a->protocol = u.scheme[0] == 'p' ? MT_ACQUIRE_POP3 : MT_ACQUIRE_IMAP;
    s->protocol = a->protocol;
    a->scheme = g_strdup(u.scheme);
    a->host = g_strdup(u.host);
    a->port = u.port;
    a->user = g_strdup(s->options.user);
    a->insecure = options->insecure;
    a->auth = g_strdup(mt_acquire_auth_to_string(options->auth));
    a->max_message_size = options->max_message_size;
    a->starttls =
        strcmp(u.scheme, "imap") == 0 || strcmp(u.scheme, "pop3") == 0;
    for (gsize i = 0; i < G_N_ELEMENTS(auth_table); i++) {
        if (auth_table[i].auth == options->auth)
            login_options = auth_table[i].login_options;
    }

    if (options->mailbox != NULL &&
        (!g_utf8_validate(options->mailbox, -1, NULL) ||
         strpbrk(options->mailbox, "\r\n") != NULL)) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "the mailbox name is not valid UTF-8 text");
        goto fail;
    }
    if (options->pin_sha256 != NULL) {
        a->pin_sha256 = normalise_pin(options->pin_sha256);
        if (a->pin_sha256 == NULL) {
            g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                                "--pin-sha256 wants the 64 hex digits of the "
                                "certificate's SHA-256 fingerprint");
            goto fail;
        }
    }
    if (!tls_backend_is_openssl() && a->pin_sha256 != NULL) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_INVALID,
                            "certificate pinning needs libcurl built with "
                            "OpenSSL");
        goto fail;
    }
    if (options->trace_path != NULL) {
        int fd =
            open(options->trace_path,
                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || (s->conn.trace = fdopen(fd, "w")) == NULL) {
            g_set_error(error, MT_ERROR, MT_ERROR_IO,
                        "cannot create the trace file %s: %s",
                        options->trace_path, g_strerror(errno));
            if (fd >= 0)
                close(fd);
            goto fail;
        }
    }
    if (a->starttls && options->allow_plaintext)
        mt_acquisition_add_note(a, "plaintext-allowed",
                                "--allow-plaintext: the login may have been "
                                "sent without TLS if the server offered no "
                                "STARTTLS");
    if (options->insecure)
        mt_acquisition_add_note(a, "insecure",
                                "--insecure: the server certificate was not "
                                "verified");

    c = s->conn.curl = curl_easy_init();
    if (c == NULL) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_NETWORK,
                            "libcurl could not be initialised");
        goto fail;
    }
    if (s->options.user != NULL && s->options.password == NULL &&
        s->options.oauth2_token == NULL && options->use_netrc) {
        /* libcurl 7.88 looks into ~/.netrc only when no CURLOPT_USERNAME
         * is set; with the user in the URL it finds that user's entry. */
        g_autofree char *with_user =
            url_with_user(u.connect_url, s->options.user);
        curl_easy_setopt(c, CURLOPT_URL, with_user ? with_user : u.connect_url);
    } else {
        curl_easy_setopt(c, CURLOPT_URL, u.connect_url);
        if (s->options.user != NULL)
            curl_easy_setopt(c, CURLOPT_USERNAME, s->options.user);
    }
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     (long)MAX(options->connect_timeout, 1u));
    curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                     (long)MAX(options->idle_timeout, 1u));
    if (s->options.password != NULL)
        curl_easy_setopt(c, CURLOPT_PASSWORD, s->options.password);
    if (s->options.oauth2_token != NULL)
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, s->options.oauth2_token);
    if (login_options != NULL)
        curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, login_options);
    curl_easy_setopt(
        c, CURLOPT_NETRC,
        (long)(options->use_netrc ? CURL_NETRC_OPTIONAL : CURL_NETRC_IGNORED));
    if (a->starttls)
        curl_easy_setopt(
            c, CURLOPT_USE_SSL,
            (long)(options->allow_plaintext ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    if (s->options.cacert != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, s->options.cacert);
    if (options->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (tls_backend_is_openssl()) {
        curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, s);
    }
    if (s->options.interface != NULL)
        curl_easy_setopt(c, CURLOPT_INTERFACE, s->options.interface);
    /* The debug callback sees the login exchange: the greeting for the
     * record, and a redacted transcript. */
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);

    mt_conn_trace_note(&s->conn, "connecting to %s as \"%s\" (auth %s)",
                       u.connect_url, a->user ? a->user : "", a->auth);
    s->in_login = TRUE;
    rc = curl_easy_perform(c);
    s->in_login = FALSE;
    curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
    /* The secrets are no longer needed: libcurl's copy goes, ours is
     * wiped. */
    curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, NULL);
    wipe_free((char *)s->options.password);
    s->options.password = NULL;
    wipe_free((char *)s->options.oauth2_token);
    s->options.oauth2_token = NULL;
    if (s->login_lines->len > 0)
        a->greeting = g_strdup(g_ptr_array_index(s->login_lines, 0));
    if (rc != CURLE_OK) {
        set_connect_error(s, rc, errbuf, error);
        mt_conn_trace_note(&s->conn, "connect failed: %s",
                           error && *error ? (*error)->message : "");
        goto fail;
    }
    curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &s->conn.sock);
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
        a->peer_ip = g_strdup(ip);
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK &&
        port > 0)
        a->port = (guint)port;
    ip = NULL;
    if (curl_easy_getinfo(c, CURLINFO_LOCAL_IP, &ip) == CURLE_OK && ip)
        a->local_ip = g_strdup(ip);
    if (s->conn.sock == CURL_SOCKET_BAD) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_NETWORK,
                            "libcurl gave no connected socket");
        goto fail;
    }
    /* libcurl checked the host name after the handshake; getting here
     * means it matched, unless checks were off. */
    a->cert_verified = a->tls && s->chain_verified && !options->insecure;
    if (!a->tls)
        mt_acquisition_add_note(a, "plaintext", "the session ran without TLS");
    if (a->pin_sha256 != NULL && !s->pin_matched &&
        g_strcmp0(a->cert_sha256, a->pin_sha256) != 0) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_TLS,
                            "the certificate could not be checked against "
                            "--pin-sha256");
        goto fail;
    }
    mt_conn_trace_note(&s->conn, "logged in; TLS %s %s",
                       a->tls_version ? a->tls_version : "none",
                       a->tls_cipher ? a->tls_cipher : "");
    parsed_url_clear(&u);

    if (a->protocol == MT_ACQUIRE_IMAP ? !mt_imap_start(s, error)
                                       : !mt_pop3_start(s, error)) {
        s->broken = TRUE;
        mt_acquire_session_free(s);
        return NULL;
    }
    return s;

fail:
    parsed_url_clear(&u);
    s->broken = TRUE;
    mt_acquire_session_free(s);
    return NULL;
}

const MtAcquisition *
mt_acquire_session_get_record(const MtAcquireSession *s)
{
    g_return_val_if_fail(s != NULL, NULL);
    return s->record;
}

MtAcquisition *
mt_acquire_session_steal_record(MtAcquireSession *s)
{
    g_return_val_if_fail(s != NULL, NULL);
    if (s->record != NULL && s->record->ended == NULL)
        s->record->ended = mt_acquire_now_utc();
    return g_steal_pointer(&s->record);
}

GPtrArray *
mt_acquire_session_list(MtAcquireSession *s, GError **error)
{
    g_return_val_if_fail(s != NULL && s->record != NULL, NULL);
    if (s->broken) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "the session cannot continue after an error");
        return NULL;
    }
    return s->record->protocol == MT_ACQUIRE_IMAP ? mt_imap_list(s, error)
                                                  : mt_pop3_list(s, error);
}

gboolean
mt_acquire_session_fetch(MtAcquireSession *s, const MtAcquireSelection *sel,
                         const char *dir, GError **error)
{
    GError *local = NULL;
    gboolean ok;

    g_return_val_if_fail(
        s != NULL && s->record != NULL && sel != NULL && dir != NULL, FALSE);
    if (s->broken) {
        g_set_error_literal(error, MT_ERROR, MT_ERROR_PROTOCOL,
                            "the session cannot continue after an error");
        return FALSE;
    }
    g_free(s->record->evidence_dir);
    s->record->evidence_dir = g_strdup(dir);
    ok = s->record->protocol == MT_ACQUIRE_IMAP
             ? mt_imap_fetch(s, sel, dir, &local)
             : mt_pop3_fetch(s, sel, dir, &local);
    g_free(s->record->ended);
    s->record->ended = mt_acquire_now_utc();
    if (!ok) {
        s->broken = TRUE;
        g_free(s->record->error);
        s->record->error = g_strdup(local ? local->message : "unknown error");
        g_propagate_error(error, local);
    }
    return ok;
}

void
mt_acquire_session_free(MtAcquireSession *s)
{
    if (s == NULL)
        return;
    if (s->conn.curl != NULL && !s->broken && s->conn.sock != CURL_SOCKET_BAD) {
        if (s->protocol == MT_ACQUIRE_IMAP)
            mt_imap_logout(s);
        else
            mt_pop3_close(s);
    }
    if (s->conn.curl != NULL)
        curl_easy_cleanup(s->conn.curl);
    if (s->conn.trace != NULL)
        fclose(s->conn.trace);
    if (s->conn.in != NULL) {
        /* Received mail is evidence in memory; do not leave it behind. */
        if (s->conn.in->len > 0)
            explicit_bzero(s->conn.in->data, s->conn.in->len);
        g_byte_array_unref(s->conn.in);
    }
    g_free((char *)s->options.url);
    g_free((char *)s->options.user);
    wipe_free((char *)s->options.password);
    wipe_free((char *)s->options.oauth2_token);
    g_free((char *)s->options.cacert);
    g_free((char *)s->options.interface);
    g_free((char *)s->options.trace_path);
    g_free(s->mailbox);
    g_free(s->verify_error);
    g_free(s->bye_text);
    g_strfreev(s->pop3_capa);
    if (s->login_lines)
        g_ptr_array_unref(s->login_lines);
    mt_acquisition_free(s->record);
    g_free(s);
}
