/* SPDX-License-Identifier: MIT */
/*
 * test-fetch.c: the integration suite of `mailtrail fetch`. It starts one
 * real Dovecot on 127.0.0.1 (dovecot-harness.sh) for the whole run, then
 * runs the mailtrail program against it the way an analyst would, and
 * checks the evidence against the mailbox itself: the SHA-256 of every
 * saved message equals that of the maildir file the server read, flags
 * are the same before and after (from the maildir file names and from a
 * second IMAP session through Python's imaplib), no message disappears
 * over POP3, and acquisition.json says what really happened. A scripted
 * fake server (fake-server.py) covers what Dovecot cannot show.
 *
 * Without Dovecot the program says why and is skipped: a "1..0 # SKIP"
 * plan under --tap (how meson's TAP reader wants it), exit 77 otherwise.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>

#define ALICE_PW "Wonderland-42"
#define BOB_PW "s3cr3t p@ss%"

static struct {
    const char *mailtrail;
    const char *harness;
    const char *fake;
    const char *imap_flags;
    const char *python;
    char *tmp;     /* everything of this run */
    char *dovecot; /* the harness directory */
    guint imap, imaps, pop3, pop3s;
    char *cafile, *other_ca, *server_cert, *log, *mail;
    guint evidence_seq;
} T;

typedef struct {
    int status;
    char *out;
    char *err;
} Run;

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* ------------------------------------------------------------- helpers */

static guint
free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    guint port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static char **
base_env(const char *password)
{
    char **env = g_get_environ();

    /* HOME points into the run, so no real ~/.netrc takes part. */
    env = g_environ_setenv(env, "HOME", T.tmp, TRUE);
    env = g_environ_unsetenv(env, "MAILTRAIL_PASSWORD");
    if (password != NULL)
        env = g_environ_setenv(env, "MAILTRAIL_PASSWORD", password, TRUE);
    return env;
}

static void
spawn(char **argv, char **env, Run *r)
{
    GError *error = NULL;
    int wait_status = 0;

    memset(r, 0, sizeof *r);
    if (!g_spawn_sync(NULL, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &r->out,
                      &r->err, &wait_status, &error))
        g_error("cannot run %s: %s", argv[0], error->message);
    r->status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128;
}

/* Runs "mailtrail fetch ARGS..." (NULL-terminated) with the password in
 * the environment, never on the command line. */
static void
fetch(Run *r, const char *password, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    char **env = base_env(password);
    va_list ap;
    const char *a;

    g_ptr_array_add(argv, (char *)T.mailtrail);
    g_ptr_array_add(argv, "fetch");
    va_start(ap, password);
    while ((a = va_arg(ap, const char *)) != NULL)
        g_ptr_array_add(argv, (char *)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    spawn((char **)argv->pdata, env, r);
    if (g_test_verbose())
        g_test_message("exit %d\nstdout:\n%s\nstderr:\n%s", r->status, r->out,
                       r->err);
    g_strfreev(env);
    g_ptr_array_unref(argv);
}

static char *
url(const char *scheme, const char *user, guint port, const char *path)
{
    return g_strdup_printf("%s://%s@127.0.0.1:%u%s", scheme, user, port,
                           path ? path : "");
}

static char *
new_evidence_dir(const char *what)
{
    return g_strdup_printf("%s/ev-%02u-%s", T.tmp, ++T.evidence_seq, what);
}

static char *
file_sha256(const char *path)
{
    char *data = NULL;
    gsize len = 0;
    char *hex;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)data, len);
    g_free(data);
    return hex;
}

static json_t *
load_record(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "acquisition.json", NULL);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);

    if (j == NULL)
        g_error("%s: %s", path, jerr.text);
    return j;
}

static const char *
jget_str(json_t *o, const char *path)
{
    json_t *v = json_object_get(o, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t
jget_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    g_assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* The maildir folder of user ("" for INBOX, ".Evidence", ...). */
static char *
maildir(const char *user, const char *folder)
{
    return g_strdup_printf("%s/%s/Maildir/%s", T.mail, user, folder);
}

/* The file of uid in a maildir: the uidlist names its base, cur/ or new/
 * holds it (Dovecot moves files from new/ to cur/ as it sees them). */
static char *
maildir_file(const char *user, const char *folder, guint uid)
{
    g_autofree char *md = maildir(user, folder);
    g_autofree char *list_path = g_build_filename(md, "dovecot-uidlist", NULL);
    g_autofree char *list = NULL;
    g_auto(GStrv) lines = NULL;
    char *base = NULL;
    char *found = NULL;

    g_assert_true(g_file_get_contents(list_path, &list, NULL, NULL));
    lines = g_strsplit(list, "\n", -1);
    for (guint i = 1; lines[i] != NULL; i++) {
        guint64 n = 0;
        char *colon = strstr(lines[i], " :");
        char *sp = strchr(lines[i], ' ');
        if (colon == NULL || sp == NULL)
            continue;
        *sp = '\0';
        if (g_ascii_string_to_unsigned(lines[i], 10, 1, G_MAXUINT32, &n,
                                       NULL) &&
            n == uid)
            base = colon + 2;
        *sp = ' ';
        if (base)
            break;
    }
    g_assert_nonnull(base);
    for (int pass = 0; pass < 2 && found == NULL; pass++) {
        g_autofree char *sub = g_build_filename(md, pass ? "new" : "cur", NULL);
        GDir *d = g_dir_open(sub, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d)) != NULL) {
            gsize bl = strlen(base);
            if (strncmp(name, base, bl) == 0 &&
                (name[bl] == '\0' || name[bl] == ':'))
                found = g_build_filename(sub, name, NULL);
        }
        if (d)
            g_dir_close(d);
    }
    g_assert_nonnull(found);
    return found;
}

/* "uid:LETTERS" lines for every file of a maildir, LETTERS being the
 * maildir info flags (S seen, R replied, F flagged, ...). */
static char *
maildir_flags(const char *user, const char *folder, guint n_uids)
{
    GString *s = g_string_new(NULL);

    for (guint uid = 1; uid <= n_uids; uid++) {
        g_autofree char *f = maildir_file(user, folder, uid);
        g_autofree char *base = g_path_get_basename(f);
        const char *info = strstr(base, ":2,");
        g_string_append_printf(s, "%u:%s\n", uid, info ? info + 3 : "");
    }
    return g_string_free(s, FALSE);
}

static guint
maildir_count(const char *user, const char *folder)
{
    g_autofree char *md = maildir(user, folder);
    guint n = 0;

    for (int pass = 0; pass < 2; pass++) {
        g_autofree char *sub = g_build_filename(md, pass ? "new" : "cur", NULL);
        GDir *d = g_dir_open(sub, 0, NULL);
        while (d && g_dir_read_name(d) != NULL)
            n++;
        if (d)
            g_dir_close(d);
    }
    return n;
}

/* Flags seen by a second, independent IMAP client. */
static char *
imap_flags(const char *user, const char *password, const char *wire_mailbox)
{
    g_autofree char *port = g_strdup_printf("%u", T.imaps);
    char *argv[] = {(char *)T.python, (char *)T.imap_flags, port, T.cafile,
                    (char *)user,     (char *)wire_mailbox, NULL};
    char **env = base_env(password);
    Run r;
    char *out;

    spawn(argv, env, &r);
    g_strfreev(env);
    if (r.status != 0)
        g_error("imap-flags.py failed: %s", r.err);
    out = g_steal_pointer(&r.out);
    run_clear(&r);
    return out;
}

static char *
openssl_fingerprint(const char *cert)
{
    char *argv[] = {"openssl", "x509", "-fingerprint", "-sha256",
                    "-noout",  "-in",  (char *)cert,   NULL};
    Run r;
    char *eq, *fp;

    {
        GError *error = NULL;
        int ws = 0;
        memset(&r, 0, sizeof r);
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                                   NULL, &r.out, &r.err, &ws, &error));
    }
    eq = strchr(r.out, '=');
    g_assert_nonnull(eq);
    fp = g_strstrip(g_strdup(eq + 1));
    run_clear(&r);
    return fp;
}

static char *
read_file(const char *path)
{
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return g_strdup("");
    return data;
}

/* Checks one complete message entry against its evidence file and the
 * maildir file the server served it from. */
static void
check_message(const char *dir, json_t *m, const char *user, const char *folder,
              guint uid)
{
    const char *file = jget_str(m, "file");
    const char *sha = jget_str(m, "sha256");
    g_autofree char *path = NULL;
    g_autofree char *got = NULL;
    g_autofree char *src = maildir_file(user, folder, uid);
    g_autofree char *want = file_sha256(src);
    g_autofree char *name = NULL;
    struct stat st;

    g_assert_cmpstr(jget_str(m, "status"), ==, "complete");
    g_assert_nonnull(file);
    name = g_strdup_printf("%u-%s.eml", uid, want);
    g_assert_cmpstr(file, ==, name);
    path = g_build_filename(dir, file, NULL);
    got = file_sha256(path);
    g_assert_cmpstr(got, ==, want);
    g_assert_cmpstr(sha, ==, want);
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0400);
    g_assert_cmpint(jget_int(m, "bytes_received"), ==, st.st_size);
}

static json_t *
message_by_uid(json_t *rec, guint uid)
{
    json_t *msgs = json_object_get(rec, "messages");
    size_t i;
    json_t *m;

    json_array_foreach(msgs, i, m)
    {
        json_t *u = json_object_get(m, "uid");
        if (json_is_integer(u) && json_integer_value(u) == (json_int_t)uid)
            return m;
    }
    g_error("no message with UID %u in the record", uid);
    return NULL;
}

static json_t *
message_by_number(json_t *rec, guint number)
{
    json_t *msgs = json_object_get(rec, "messages");
    size_t i;
    json_t *m;

    json_array_foreach(msgs, i, m)
    {
        json_t *u = json_object_get(m, "number");
        if (json_is_integer(u) && json_integer_value(u) == (json_int_t)number)
            return m;
    }
    g_error("no message number %u in the record", number);
    return NULL;
}

static char *
flags_text(json_t *arr)
{
    GString *s = g_string_new(NULL);
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        if (s->len)
            g_string_append_c(s, ' ');
        g_string_append(s, json_string_value(v));
    }
    return g_string_free(s, FALSE);
}

/* Nothing secret anywhere the tool wrote: the password, and the SASL
 * encodings of it (PLAIN's "\0user\0password", LOGIN's bare password). */
static void
assert_no_secret(const char *text, const char *user, const char *password)
{
    g_autofree char *plain_raw =
        g_strdup_printf("%c%s%c%s", 0, user, 0, password);
    gsize plain_len = strlen(user) + strlen(password) + 2;
    g_autofree char *b64_plain =
        g_base64_encode((const guchar *)plain_raw, plain_len);
    g_autofree char *b64_pw =
        g_base64_encode((const guchar *)password, strlen(password));

    g_assert_null(strstr(text, password));
    g_assert_null(strstr(text, b64_plain));
    g_assert_null(strstr(text, b64_pw));
}

static void
assert_dir_has_no_secret(const char *dir, const char *user,
                         const char *password)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_autofree char *text = read_file(p);
        assert_no_secret(text, user, password);
    }
    g_dir_close(d);
}

/* ---------------------------------------------------------------- IMAP */

static void
test_imaps_all_plain(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/");
    g_autofree char *dir = new_evidence_dir("imaps-all");
    g_autofree char *trace = g_strdup_printf("%s.trace", dir);
    g_autofree char *md_before = maildir_flags("alice", "", 5);
    g_autofree char *imap_before = imap_flags("alice", ALICE_PW, "INBOX");
    g_autofree char *md_after = NULL;
    g_autofree char *imap_after = NULL;
    g_autofree char *fp = openssl_fingerprint(T.server_cert);
    g_autofree char *trace_text = NULL;
    json_t *rec, *tls, *cert, *server, *mbox;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--auth", "PLAIN", "--all",
          "--evidence-dir", dir, "--trace", trace, NULL);
    g_assert_cmpint(r.status, ==, 0);
    assert_no_secret(r.out, "alice", ALICE_PW);
    assert_no_secret(r.err, "alice", ALICE_PW);

    rec = load_record(dir);
    g_assert_cmpstr(jget_str(rec, "schema"), ==, "mailtrail.acquisition/1");
    g_assert_nonnull(jget_str(rec, "started"));
    g_assert_true(g_str_has_suffix(jget_str(rec, "ended"), "Z"));
    server = json_object_get(rec, "server");
    g_assert_cmpstr(jget_str(server, "protocol"), ==, "imap");
    g_assert_cmpstr(jget_str(server, "scheme"), ==, "imaps");
    g_assert_cmpstr(jget_str(server, "host"), ==, "127.0.0.1");
    g_assert_cmpint(jget_int(server, "port"), ==, T.imaps);
    g_assert_true(g_str_has_suffix(jget_str(server, "greeting"),
                                   "Dovecot test server ready."));
    g_assert_true(json_array_size(json_object_get(server, "capabilities")) > 3);
    g_assert_cmpstr(jget_str(json_object_get(rec, "account"), "auth"), ==,
                    "PLAIN");
    tls = json_object_get(rec, "tls");
    g_assert_true(json_is_true(json_object_get(tls, "used")));
    g_assert_true(json_is_true(json_object_get(tls, "verified")));
    g_assert_true(json_is_false(json_object_get(tls, "insecure")));
    g_assert_true(g_str_has_prefix(jget_str(tls, "version"), "TLSv1."));
    g_assert_nonnull(jget_str(tls, "cipher"));
    cert = json_object_get(tls, "certificate");
    g_assert_cmpstr(jget_str(cert, "sha256"), ==, fp);
    g_assert_cmpstr(jget_str(cert, "subject"), ==, "CN=127.0.0.1");
    g_assert_cmpstr(jget_str(cert, "issuer"), ==, "CN=mailtrail test CA");
    mbox = json_object_get(rec, "mailbox");
    g_assert_cmpstr(jget_str(mbox, "name"), ==, "INBOX");
    g_assert_cmpint(jget_int(mbox, "uidvalidity"), ==, 1704067200);
    g_assert_cmpint(jget_int(mbox, "exists"), ==, 5);
    g_assert_true(json_is_true(json_object_get(mbox, "read_only")));
    g_assert_cmpuint(json_array_size(json_object_get(rec, "messages")), ==, 5);

    for (guint uid = 1; uid <= 5; uid++) {
        json_t *m = message_by_uid(rec, uid);
        g_autofree char *before =
            flags_text(json_object_get(m, "flags_before"));
        g_autofree char *after = flags_text(json_object_get(m, "flags_after"));
        check_message(dir, m, "alice", "", uid);
        g_assert_cmpint(jget_int(m, "rfc822_size"), ==,
                        jget_int(m, "bytes_received"));
        g_assert_cmpstr(before, ==, after);
        g_assert_true(json_is_false(json_object_get(m, "flags_changed")));
        g_assert_true(
            g_str_has_prefix(jget_str(m, "fetch_method"), "UID FETCH"));
        g_assert_nonnull(strstr(jget_str(m, "fetch_method"), "BODY.PEEK[]"));
        g_assert_nonnull(jget_str(m, "internaldate"));
        g_assert_cmpuint(json_array_size(json_object_get(m, "discrepancies")),
                         ==, 0);
    }
    {
        g_autofree char *f1 =
            flags_text(json_object_get(message_by_uid(rec, 1), "flags_before"));
        g_autofree char *f4 =
            flags_text(json_object_get(message_by_uid(rec, 4), "flags_before"));
        g_assert_nonnull(strstr(f1, "\\Seen"));
        g_assert_nonnull(strstr(f4, "\\Answered"));
    }
    {
        /* The message without a final line break arrives exactly as
         * stored over IMAP: no CRLF added. */
        json_t *m = message_by_uid(rec, 4);
        g_autofree char *p = g_build_filename(dir, jget_str(m, "file"), NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(p, &data, &len, NULL));
        g_assert_true(g_str_has_suffix(data, "without a line break."));
    }
    json_decref(rec);

    /* Nothing changed, by the maildir file names and by a second client. */
    md_after = maildir_flags("alice", "", 5);
    imap_after = imap_flags("alice", ALICE_PW, "INBOX");
    g_assert_cmpstr(md_after, ==, md_before);
    g_assert_cmpstr(imap_after, ==, imap_before);
    g_assert_cmpstr(imap_before, ==,
                    "1:\\Seen\n2:\n3:\n4:\\Answered \\Seen\n5:\n");

    /* The trace shows the protocol, never the credential. */
    trace_text = read_file(trace);
    g_assert_nonnull(strstr(trace_text, "EXAMINE \"INBOX\""));
    g_assert_nonnull(strstr(trace_text, "AUTHENTICATE PLAIN"));
    assert_no_secret(trace_text, "alice", ALICE_PW);
    assert_dir_has_no_secret(dir, "alice", ALICE_PW);
    run_clear(&r);
}

static void
test_imap_starttls_login_uids(void)
{
    g_autofree char *u = url("imap", "alice", T.imap, "");
    g_autofree char *dir = new_evidence_dir("starttls");
    json_t *rec, *tls, *msgs;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--auth", "LOGIN",
          "--starttls", "--uid", "2:3", "--evidence-dir", dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    tls = json_object_get(rec, "tls");
    g_assert_true(json_is_true(json_object_get(tls, "used")));
    g_assert_true(json_is_true(json_object_get(tls, "starttls")));
    msgs = json_object_get(rec, "messages");
    g_assert_cmpuint(json_array_size(msgs), ==, 2);
    check_message(dir, message_by_uid(rec, 2), "alice", "", 2);
    check_message(dir, message_by_uid(rec, 3), "alice", "", 3);
    g_assert_cmpstr(jget_str(rec, "selection"), ==, "UID 2:3");
    assert_dir_has_no_secret(dir, "alice", ALICE_PW);
    json_decref(rec);
    run_clear(&r);
}

static void
test_imaps_cram_md5_evidence(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/Evidence");
    g_autofree char *dir = new_evidence_dir("cram");
    g_autofree char *before = imap_flags("alice", ALICE_PW, "Evidence");
    g_autofree char *after = NULL;
    json_t *rec, *m;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--auth", "CRAM-MD5", "--uid",
          "1,2", "--evidence-dir", dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    g_assert_cmpint(jget_int(json_object_get(rec, "mailbox"), "uidvalidity"),
                    ==, 1704067201);
    check_message(dir, message_by_uid(rec, 1), "alice", ".Evidence", 1);
    check_message(dir, message_by_uid(rec, 2), "alice", ".Evidence", 2);
    m = message_by_uid(rec, 1);
    {
        g_autofree char *f = flags_text(json_object_get(m, "flags_after"));
        g_assert_nonnull(strstr(f, "\\Flagged"));
        g_assert_nonnull(strstr(f, "\\Seen"));
    }
    after = imap_flags("alice", ALICE_PW, "Evidence");
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpstr(before, ==, "1:\\Flagged \\Seen\n2:\n");
    json_decref(rec);
    run_clear(&r);
}

static void
test_imap_mailbox_space(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/Sent%20Items");
    g_autofree char *dir = new_evidence_dir("space");
    json_t *rec, *mbox;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--all", "--evidence-dir", dir,
          NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    mbox = json_object_get(rec, "mailbox");
    g_assert_cmpstr(jget_str(mbox, "name"), ==, "Sent Items");
    g_assert_cmpint(jget_int(mbox, "uidvalidity"), ==, 1704067202);
    g_assert_cmpuint(json_array_size(json_object_get(rec, "messages")), ==, 1);
    check_message(dir, message_by_uid(rec, 1), "alice", ".Sent Items", 1);
    json_decref(rec);
    run_clear(&r);
}

static void
test_imap_mailbox_non_ascii(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "");
    g_autofree char *dir = new_evidence_dir("utf7");
    g_autofree char *u2 = url("imaps", "alice", T.imaps, "/Entw%C3%BCrfe");
    g_autofree char *dir2 = new_evidence_dir("utf7-url");
    json_t *rec, *mbox;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--mailbox", "Entwürfe",
          "--all", "--evidence-dir", dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    mbox = json_object_get(rec, "mailbox");
    g_assert_cmpstr(jget_str(mbox, "name"), ==, "Entwürfe");
    g_assert_cmpstr(jget_str(mbox, "wire_name"), ==, "Entw&APw-rfe");
    g_assert_cmpint(jget_int(mbox, "uidvalidity"), ==, 1704067203);
    check_message(dir, message_by_uid(rec, 1), "alice", ".Entw&APw-rfe", 1);
    json_decref(rec);
    run_clear(&r);

    /* The same mailbox named in the URL, percent-encoded UTF-8. */
    fetch(&r, ALICE_PW, u2, "--cacert", T.cafile, "--all", "--evidence-dir",
          dir2, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir2);
    g_assert_cmpstr(jget_str(json_object_get(rec, "mailbox"), "wire_name"), ==,
                    "Entw&APw-rfe");
    json_decref(rec);
    run_clear(&r);
}

/* The UIDs a search selected, as "1,2". */
static char *
record_uids(const char *dir)
{
    json_t *rec = load_record(dir);
    json_t *msgs = json_object_get(rec, "messages");
    GString *s = g_string_new(NULL);
    size_t i;
    json_t *m;

    json_array_foreach(msgs, i, m)
    {
        g_string_append_printf(s, "%s%" JSON_INTEGER_FORMAT, s->len ? "," : "",
                               jget_int(m, "uid"));
    }
    json_decref(rec);
    return g_string_free(s, FALSE);
}

static void
test_imap_search(void)
{
    g_autofree char *inbox = url("imaps", "alice", T.imaps, "/");
    g_autofree char *evidence = url("imaps", "alice", T.imaps, "/Evidence");
    g_autofree char *d1 = new_evidence_dir("search1");
    g_autofree char *d2 = new_evidence_dir("search2");
    g_autofree char *d3 = new_evidence_dir("search3");
    g_autofree char *d4 = new_evidence_dir("search4");
    g_autofree char *uids = NULL;
    Run r;

    fetch(&r, ALICE_PW, evidence, "--cacert", T.cafile, "--search",
          "FROM \"mallory\"", "--evidence-dir", d1, NULL);
    g_assert_cmpint(r.status, ==, 0);
    uids = record_uids(d1);
    g_assert_cmpstr(uids, ==, "1,2");
    g_free(uids);
    run_clear(&r);

    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--search",
          "SUBJECT \"password\"", "--evidence-dir", d2, NULL);
    g_assert_cmpint(r.status, ==, 0);
    uids = record_uids(d2);
    g_assert_cmpstr(uids, ==, "2");
    g_free(uids);
    run_clear(&r);

    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--search",
          "SENTSINCE 3-Jan-2024 SENTBEFORE 4-Jan-2024 "
          "HEADER Message-ID \"contract-77\"",
          "--evidence-dir", d3, NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    uids = record_uids(d3);
    g_assert_cmpstr(uids, ==, "3");
    g_free(uids);

    /* Criteria the server refuses: exit 3 and the reason. */
    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--search", "NOSUCHKEY 1",
          "--evidence-dir", d4, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "refused the search"));
    uids = NULL;
    run_clear(&r);
}

static void
test_imap_uid_sets(void)
{
    g_autofree char *inbox = url("imaps", "alice", T.imaps, "/");
    g_autofree char *d1 = new_evidence_dir("set1");
    g_autofree char *d2 = new_evidence_dir("set2");
    g_autofree char *d3 = new_evidence_dir("set3");
    g_autofree char *uids = NULL;
    json_t *rec, *m;
    Run r;

    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--uid", "5,1,3",
          "--evidence-dir", d1, NULL);
    g_assert_cmpint(r.status, ==, 0);
    uids = record_uids(d1);
    g_assert_cmpstr(uids, ==, "1,3,5");
    g_free(uids);
    run_clear(&r);

    /* "10:*" where the highest UID is 5: the server answers with UID 5
     * (RFC 3501), which was not asked for and must not be fetched. */
    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--uid", "10:*",
          "--evidence-dir", d2, NULL);
    g_assert_cmpint(r.status, ==, 0);
    uids = record_uids(d2);
    g_assert_cmpstr(uids, ==, "");
    g_free(uids);
    uids = NULL;
    run_clear(&r);

    /* A UID that does not exist is recorded as missing: exit 3. */
    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--uid", "2,99",
          "--evidence-dir", d3, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "UID 99: missing"));
    rec = load_record(d3);
    m = message_by_uid(rec, 99);
    g_assert_cmpstr(jget_str(m, "status"), ==, "missing");
    check_message(d3, message_by_uid(rec, 2), "alice", "", 2);
    json_decref(rec);
    run_clear(&r);
}

static void
test_imap_list(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "");
    Run r;
    g_auto(GStrv) lines = NULL;
    gboolean inbox = FALSE, ev = FALSE, sent = FALSE, drafts = FALSE;
    g_autoptr(GRegex) re = g_regex_new("^ *(\\S+) +(\\S+)  (.*)$", 0, 0, NULL);

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--list", NULL);
    g_assert_cmpint(r.status, ==, 0);
    lines = g_strsplit(r.out, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        g_autoptr(GMatchInfo) mi = NULL;
        g_auto(GStrv) w = NULL;
        if (!g_regex_match_simple("^ *[0-9-]+ +[0-9-]+  ", lines[i], 0, 0))
            continue;
        g_regex_match(re, lines[i], 0, &mi);
        w = g_match_info_fetch_all(mi);
        /* w[0] is the whole line; shift to the three columns. */
        g_free(w[0]);
        memmove(w, w + 1, 3 * sizeof *w);
        w[3] = NULL;
        if (strcmp(w[2], "INBOX") == 0)
            inbox = strcmp(w[0], "5") == 0 && strcmp(w[1], "1704067200") == 0;
        else if (strcmp(w[2], "Evidence") == 0)
            ev = strcmp(w[0], "2") == 0;
        else if (strcmp(w[2], "Sent Items") == 0)
            sent = strcmp(w[0], "1") == 0;
        else if (g_str_has_prefix(w[2], "Entwürfe"))
            drafts =
                strcmp(w[0], "1") == 0 && strstr(w[2], "Entw&APw-rfe") != NULL;
    }
    g_assert_true(inbox);
    g_assert_true(ev);
    g_assert_true(sent);
    g_assert_true(drafts);
    /* --list saves nothing. */
    g_assert_null(strstr(r.err, "saved"));
    run_clear(&r);
}

static void
test_imap_uidvalidity_and_missing(void)
{
    g_autofree char *inbox = url("imaps", "alice", T.imaps, "/");
    g_autofree char *nope = url("imaps", "alice", T.imaps, "/Nope");
    g_autofree char *d1 = new_evidence_dir("uidv-ok");
    g_autofree char *d2 = new_evidence_dir("uidv-bad");
    g_autofree char *d3 = new_evidence_dir("nope");
    json_t *rec;
    Run r;

    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--uidvalidity",
          "1704067200", "--uid", "1", "--evidence-dir", d1, NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);

    fetch(&r, ALICE_PW, inbox, "--cacert", T.cafile, "--uidvalidity", "5",
          "--uid", "1", "--evidence-dir", d2, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "UIDVALIDITY"));
    rec = load_record(d2);
    g_assert_cmpuint(json_array_size(json_object_get(rec, "messages")), ==, 0);
    g_assert_nonnull(strstr(jget_str(rec, "error"), "UIDVALIDITY"));
    json_decref(rec);
    run_clear(&r);

    fetch(&r, ALICE_PW, nope, "--cacert", T.cafile, "--all", "--evidence-dir",
          d3, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "mailbox \"Nope\" cannot be opened"));
    run_clear(&r);
}

/* No password anywhere but ~/.netrc (HOME is the run's directory). */
static void
test_imaps_netrc(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/");
    g_autofree char *netrc = g_build_filename(T.tmp, ".netrc", NULL);
    g_autofree char *dir = new_evidence_dir("netrc");
    g_autofree char *dir2 = new_evidence_dir("no-netrc");
    Run r;

    g_assert_true(g_file_set_contents(netrc,
                                      "machine 127.0.0.1 login alice "
                                      "password " ALICE_PW "\n",
                                      -1, NULL));
    g_chmod(netrc, 0600);
    fetch(&r, NULL, u, "--cacert", T.cafile, "--uid", "1", "--evidence-dir",
          dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    fetch(&r, NULL, u, "--cacert", T.cafile, "--uid", "1", "--no-netrc",
          "--evidence-dir", dir2, NULL);
    g_assert_cmpint(r.status, ==, 4);
    g_assert_nonnull(strstr(r.err, "login denied"));
    run_clear(&r);
    g_unlink(netrc);
    assert_dir_has_no_secret(dir, "alice", ALICE_PW);
}

/* ---------------------------------------------------------------- POP3 */

static void
test_pop3s_top(void)
{
    g_autofree char *u = url("pop3s", "alice", T.pop3s, "");
    g_autofree char *dir = new_evidence_dir("pop3s");
    g_autofree char *md_before = maildir_flags("alice", "", 5);
    g_autofree char *md_after = NULL;
    g_autofree char *imap_before = imap_flags("alice", ALICE_PW, "INBOX");
    g_autofree char *imap_after = NULL;
    guint count_before = maildir_count("alice", "");
    json_t *rec, *caps, *m4;
    gboolean top = FALSE;
    size_t i;
    json_t *v;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--auth", "PLAIN", "--all",
          "--evidence-dir", dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    g_assert_cmpstr(jget_str(json_object_get(rec, "server"), "protocol"), ==,
                    "pop3");
    caps = json_object_get(json_object_get(rec, "server"), "capabilities");
    json_array_foreach(caps, i, v) top =
        top || strcmp(json_string_value(v), "TOP") == 0;
    g_assert_true(top);
    g_assert_cmpint(jget_int(json_object_get(rec, "mailbox"), "messages"), ==,
                    5);
    for (guint n = 1; n <= 5; n++) {
        json_t *m = message_by_number(rec, n);
        g_autofree char *uidl = g_strdup_printf("%08x%08x", n, 1704067200u);
        g_assert_true(g_str_has_prefix(jget_str(m, "fetch_method"), "TOP "));
        g_assert_cmpstr(jget_str(m, "uidl"), ==, uidl);
        if (n != 4) {
            check_message(dir, m, "alice", "", n);
            g_assert_cmpint(jget_int(m, "list_size"), ==,
                            jget_int(m, "bytes_received"));
        }
    }
    /* No final line break: the server added CRLF; recorded exactly. */
    m4 = message_by_number(rec, 4);
    {
        g_autofree char *src = maildir_file("alice", "", 4);
        g_autofree char *want = file_sha256(src);
        g_autofree char *path =
            g_build_filename(dir, jget_str(m4, "file"), NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        json_t *d = json_array_get(json_object_get(m4, "discrepancies"), 0);
        struct stat st;

        g_assert_cmpint(g_stat(src, &st), ==, 0);
        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        g_assert_cmpuint(len, ==, (gsize)st.st_size + 2);
        g_assert_true(g_str_has_suffix(data, "line break.\r\n"));
        g_assert_cmpint(jget_int(m4, "list_size"), ==, st.st_size);
        g_assert_cmpint(jget_int(m4, "bytes_received"), ==, st.st_size + 2);
        g_assert_cmpstr(jget_str(d, "code"), ==, "crlf-added");
        g_assert_cmpstr(jget_str(m4, "sha256_without_added_crlf"), ==, want);
        g_assert_cmpstr(jget_str(m4, "status"), ==, "complete");
    }
    json_decref(rec);

    /* Nothing deleted, nothing marked read. */
    g_assert_cmpuint(maildir_count("alice", ""), ==, count_before);
    md_after = maildir_flags("alice", "", 5);
    imap_after = imap_flags("alice", ALICE_PW, "INBOX");
    g_assert_cmpstr(md_after, ==, md_before);
    g_assert_cmpstr(imap_after, ==, imap_before);
    assert_dir_has_no_secret(dir, "alice", ALICE_PW);
    run_clear(&r);
}

static void
test_pop3_stls_apop(void)
{
    g_autofree char *u = url("pop3", "alice", T.pop3, "");
    g_autofree char *dir = new_evidence_dir("apop");
    g_autofree char *trace = g_strdup_printf("%s.trace", dir);
    g_autofree char *trace_text = NULL;
    json_t *rec, *tls;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--auth", "apop", "--msg", "2",
          "--evidence-dir", dir, "--trace", trace, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    tls = json_object_get(rec, "tls");
    g_assert_true(json_is_true(json_object_get(tls, "starttls")));
    g_assert_cmpstr(jget_str(json_object_get(rec, "account"), "auth"), ==,
                    "APOP");
    g_assert_cmpuint(json_array_size(json_object_get(rec, "messages")), ==, 1);
    check_message(dir, message_by_number(rec, 2), "alice", "", 2);
    /* The greeting carries the APOP timestamp. */
    g_assert_nonnull(
        strchr(jget_str(json_object_get(rec, "server"), "greeting"), '<'));
    json_decref(rec);
    trace_text = read_file(trace);
    g_assert_nonnull(strstr(trace_text, "APOP [redacted]"));
    g_assert_nonnull(strstr(trace_text, "TOP 2 1000000000"));
    g_assert_null(strstr(trace_text, " C: DELE"));
    g_assert_null(strstr(trace_text, " C: QUIT"));
    g_assert_nonnull(strstr(trace_text, "closing without QUIT"));
    assert_no_secret(trace_text, "alice", ALICE_PW);
    run_clear(&r);
}

static void
test_pop3_list(void)
{
    g_autofree char *u = url("pop3s", "alice", T.pop3s, "");
    g_autofree char *line2 = NULL;
    g_autofree char *src = maildir_file("alice", "", 2);
    struct stat st;
    Run r;

    g_assert_cmpint(g_stat(src, &st), ==, 0);
    line2 =
        g_strdup_printf("2 %10ld  %08x%08x", (long)st.st_size, 2u, 1704067200u);
    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--list", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "NUMBER"));
    g_assert_nonnull(strstr(r.out, line2));
    run_clear(&r);
}

/* bob's password has a space, "@" and "%"; it comes from a file. Then
 * --pop3-retr, which Dovecot answers by marking the message read: the
 * record warned about exactly that. bob's mailbox is used so that alice's
 * stays pristine for the other tests. */
static void
test_pop3_bob_password_file_retr(void)
{
    g_autofree char *u = url("pop3s", "bob", T.pop3s, "");
    g_autofree char *pwfile = g_strdup_printf("%s/bob.pw", T.tmp);
    g_autofree char *d1 = new_evidence_dir("bob-top");
    g_autofree char *d2 = new_evidence_dir("bob-retr");
    g_autofree char *flags = NULL;
    json_t *rec, *m, *notes;
    gboolean retr_note = FALSE;
    size_t i;
    json_t *v;
    Run r;

    g_assert_true(g_file_set_contents(pwfile, BOB_PW "\n", -1, NULL));
    fetch(&r, NULL, u, "--cacert", T.cafile, "--password-file", pwfile,
          "--uidl", "no-such-uidl", "--evidence-dir", d1, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "UIDL no-such-uidl: missing"));
    run_clear(&r);
    g_free(d1);
    d1 = new_evidence_dir("bob-top2");
    /* pop3_uidl_format %08Xu%08Xv: UID 1, UIDVALIDITY 1704067300. */
    fetch(&r, NULL, u, "--cacert", T.cafile, "--password-file", pwfile,
          "--uidl", "00000001659200e4", "--evidence-dir", d1, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(d1);
    check_message(d1, message_by_number(rec, 1), "bob", "", 1);
    json_decref(rec);
    /* TOP left it unread, by both views. */
    flags = maildir_flags("bob", "", 1);
    g_assert_cmpstr(flags, ==, "1:\n");
    g_free(flags);
    flags = imap_flags("bob", BOB_PW, "INBOX");
    g_assert_cmpstr(flags, ==, "1:\n");
    g_free(flags);
    run_clear(&r);

    fetch(&r, NULL, u, "--cacert", T.cafile, "--password-file", pwfile,
          "--pop3-retr", "--all", "--evidence-dir", d2, NULL);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(d2);
    m = message_by_number(rec, 1);
    g_assert_cmpstr(jget_str(m, "fetch_method"), ==, "RETR 1");
    g_assert_cmpstr(
        jget_str(json_array_get(json_object_get(m, "discrepancies"), 0),
                 "code"),
        ==, "retr-may-mark-read");
    notes = json_object_get(rec, "notes");
    json_array_foreach(notes, i, v) retr_note =
        retr_note || strcmp(jget_str(v, "code"), "retr-forced") == 0;
    g_assert_true(retr_note);
    check_message(d2, m, "bob", "", 1);
    json_decref(rec);
    /* Dovecot keeps \Seen in its index (the maildir file name follows
     * later): a second IMAP session shows it. */
    flags = imap_flags("bob", BOB_PW, "INBOX");
    g_assert_cmpstr(flags, ==, "1:\\Seen\n");
    g_assert_cmpuint(maildir_count("bob", ""), ==, 1);
    assert_dir_has_no_secret(d2, "bob", BOB_PW);
    run_clear(&r);
}

/* -------------------------------------------------------------- errors */

static char *
log_tail_since(gsize offset)
{
    g_autofree char *all = read_file(T.log);

    return g_strdup(strlen(all) > offset ? all + offset : "");
}

static gsize
log_size(void)
{
    g_autofree char *all = read_file(T.log);

    return strlen(all);
}

static void
test_wrong_password(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/");
    g_autofree char *p = url("pop3s", "alice", T.pop3s, "");
    g_autofree char *dir = new_evidence_dir("badpw");
    g_autofree char *dir2 = new_evidence_dir("badpw-pop3");
    Run r;

    fetch(&r, "not-the-password", u, "--cacert", T.cafile, "--all",
          "--evidence-dir", dir, NULL);
    g_assert_cmpint(r.status, ==, 4);
    g_assert_nonnull(strstr(r.err, "login denied for user \"alice\""));
    g_assert_null(strstr(r.err, "not-the-password"));
    /* The folder made for the evidence is removed again: nothing came. */
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    run_clear(&r);

    fetch(&r, "not-the-password", p, "--cacert", T.cafile, "--auth", "apop",
          "--all", "--evidence-dir", dir2, NULL);
    g_assert_cmpint(r.status, ==, 4);
    g_assert_nonnull(strstr(r.err, "login denied"));
    run_clear(&r);
}

static void
check_wrong_ca(const char *u)
{
    g_autofree char *dir = new_evidence_dir("badca");
    g_autofree char *fp = openssl_fingerprint(T.server_cert);
    g_autofree char *log = NULL;
    gsize before = log_size();
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.other_ca, "--all", "--evidence-dir",
          dir, NULL);
    g_assert_cmpint(r.status, ==, 4);
    g_assert_nonnull(strstr(r.err, "certificate refused"));
    g_assert_nonnull(strstr(r.err, "no credential was sent"));
    g_assert_nonnull(strstr(r.err, fp));
    g_assert_nonnull(strstr(r.err, "CN=127.0.0.1"));
    /* Dovecot confirms: the connection ended without any login. */
    g_usleep(300 * 1000);
    log = log_tail_since(before);
    g_assert_nonnull(strstr(log, "no auth attempts"));
    g_assert_null(strstr(log, "Login: user=<alice>"));
    g_assert_null(strstr(log, "auth failed"));
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    run_clear(&r);
}

static void
test_wrong_ca(void)
{
    g_autofree char *imaps = url("imaps", "alice", T.imaps, "/");
    g_autofree char *imap = url("imap", "alice", T.imap, "/");
    g_autofree char *pop3 = url("pop3", "alice", T.pop3, "");

    check_wrong_ca(imaps);
    check_wrong_ca(imap);
    check_wrong_ca(pop3);
}

static void
test_pin_and_insecure(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/");
    g_autofree char *fp = openssl_fingerprint(T.server_cert);
    g_autofree char *d1 = new_evidence_dir("pin");
    g_autofree char *d2 = new_evidence_dir("pin-bad");
    static const char wrong[] = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:"
                                "FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
                                "DD:EE:FF";
    json_t *rec, *tls;
    Run r;

    /* --insecure with a pin: no CA, but exactly this certificate. */
    fetch(&r, ALICE_PW, u, "--insecure", "--pin-sha256", fp, "--uid", "1",
          "--evidence-dir", d1, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "warning: --insecure"));
    rec = load_record(d1);
    tls = json_object_get(rec, "tls");
    g_assert_true(json_is_true(json_object_get(tls, "insecure")));
    g_assert_true(json_is_false(json_object_get(tls, "verified")));
    g_assert_cmpstr(jget_str(tls, "pinned_sha256"), ==, fp);
    g_assert_cmpstr(
        jget_str(json_array_get(json_object_get(rec, "notes"), 0), "code"), ==,
        "insecure");
    json_decref(rec);
    run_clear(&r);

    fetch(&r, ALICE_PW, u, "--insecure", "--pin-sha256", wrong, "--uid", "1",
          "--evidence-dir", d2, NULL);
    g_assert_cmpint(r.status, ==, 4);
    g_assert_nonnull(strstr(r.err, "does not match --pin-sha256"));
    g_assert_nonnull(strstr(r.err, fp));
    run_clear(&r);
}

static void
test_never_overwrite(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/");
    g_autofree char *dir = new_evidence_dir("overwrite");
    g_autofree char *dir2 = new_evidence_dir("planted");
    g_autofree char *src = maildir_file("alice", "", 1);
    g_autofree char *sha = file_sha256(src);
    g_autofree char *planted = NULL;
    g_autofree char *content = NULL;
    json_t *rec, *m;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--uid", "1", "--evidence-dir",
          dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--uid", "1", "--evidence-dir",
          dir, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "already holds an acquisition"));
    run_clear(&r);

    /* A file already there under the evidence name is not replaced. */
    g_assert_cmpint(g_mkdir(dir2, 0700), ==, 0);
    planted = g_strdup_printf("%s/1-%s.eml", dir2, sha);
    g_assert_true(g_file_set_contents(planted, "planted", -1, NULL));
    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--uid", "1", "--evidence-dir",
          dir2, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_true(g_file_get_contents(planted, &content, NULL, NULL));
    g_assert_cmpstr(content, ==, "planted");
    rec = load_record(dir2);
    m = message_by_uid(rec, 1);
    g_assert_cmpstr(jget_str(m, "status"), ==, "failed");
    g_assert_nonnull(strstr(jget_str(m, "error"), "never overwritten"));
    json_decref(rec);
    run_clear(&r);
}

static void
test_analyze(void)
{
    g_autofree char *u = url("imaps", "alice", T.imaps, "/");
    g_autofree char *dir = new_evidence_dir("analyze");
    g_autofree char *src = maildir_file("alice", "", 2);
    g_autofree char *sha = file_sha256(src);
    g_autofree char *report_path = g_strdup_printf("%s/2-%s.json", dir, sha);
    json_error_t jerr;
    json_t *report, *source, *acq;
    struct stat st;
    Run r;

    fetch(&r, ALICE_PW, u, "--cacert", T.cafile, "--uid", "2", "--analyze",
          "--evidence-dir", dir, NULL);
    g_assert_cmpint(r.status, ==, 0);
    report = json_load_file(report_path, 0, &jerr);
    g_assert_nonnull(report);
    g_assert_cmpint(g_stat(report_path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0400);
    source = json_object_get(report, "source");
    g_assert_cmpstr(jget_str(source, "sha256"), ==, sha);
    acq = json_object_get(source, "acquisition");
    g_assert_cmpstr(jget_str(acq, "schema"), ==, "mailtrail.acquisition/1");
    g_assert_cmpstr(jget_str(json_object_get(acq, "message"), "sha256"), ==,
                    sha);
    g_assert_cmpint(jget_int(json_object_get(acq, "message"), "uid"), ==, 2);
    json_decref(report);
    run_clear(&r);
}

static void
test_usage(void)
{
    g_autofree char *imap = url("imaps", "alice", T.imaps, "/");
    g_autofree char *pop3 = url("pop3s", "alice", T.pop3s, "");
    Run r;

    fetch(&r, NULL, "--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "Usage: mailtrail fetch URL"));
    g_assert_nonnull(strstr(r.out, "--insecure"));
    g_assert_nonnull(strstr(r.out, "Exit codes:"));
    g_assert_cmpstr(r.err, ==, "");
    run_clear(&r);

    fetch(&r, NULL, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "Try 'mailtrail fetch --help'"));
    run_clear(&r);

    fetch(&r, NULL, imap, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "say what to fetch"));
    run_clear(&r);

    fetch(&r, NULL, imap, "--all", "--uid", "1", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);

    fetch(&r, NULL, pop3, "--uid", "1", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "for IMAP"));
    run_clear(&r);

    fetch(&r, NULL, imap, "--msg", "1", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);

    fetch(&r, NULL, imap, "--all", "--no-such-option", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);

    fetch(&r, NULL, imap, "--starttls", "--all", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);

    fetch(&r, NULL, imap, "--timeout", "0", "--all", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);

    /* A password in the URL is refused, and not repeated, before any
     * folder is made. */
    {
        g_autofree char *d = new_evidence_dir("urlpw");
        fetch(&r, NULL, "imaps://alice:hunter2@127.0.0.1/", "--all",
              "--evidence-dir", d, NULL);
        g_assert_cmpint(r.status, ==, 2);
        g_assert_nonnull(strstr(r.err, "password in the URL is refused"));
        g_assert_null(strstr(r.err, "hunter2"));
        g_assert_false(g_file_test(d, G_FILE_TEST_EXISTS));
        run_clear(&r);
    }

    /* A port where nothing listens. */
    {
        g_autofree char *closed = url("imaps", "alice", free_port(), "/");
        g_autofree char *d = new_evidence_dir("refused");
        fetch(&r, ALICE_PW, closed, "--cacert", T.cafile, "--all",
              "--evidence-dir", d, NULL);
        g_assert_cmpint(r.status, ==, 4);
        g_assert_nonnull(strstr(r.err, "connection refused"));
        run_clear(&r);
    }
}

/* ---------------------------------------------------------- fake server */

typedef struct {
    GPid pid;
    guint port;
    char *log;
    int out_fd; /* kept open until the end, so its prints never fail */
} Fake;

static void
fake_start(Fake *f, const char *mode)
{
    GError *error = NULL;
    int out_fd = -1;
    char buf[32] = "";
    gssize n;
    g_autofree char *log = g_strdup_printf("%s/fake-%s.log", T.tmp, mode);
    char *argv[] = {(char *)T.python, (char *)T.fake, (char *)mode, log, NULL};
    guint64 port = 0;

    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &f->pid, NULL, &out_fd, NULL,
                                  &error))
        g_error("fake server: %s", error->message);
    n = read(out_fd, buf, sizeof buf - 1);
    f->out_fd = out_fd;
    g_assert_cmpint(n, >, 0);
    buf[n] = '\0';
    g_strstrip(buf);
    g_assert_true(g_ascii_string_to_unsigned(buf, 10, 1, 65535, &port, NULL));
    f->port = (guint)port;
    f->log = g_steal_pointer(&log);
}

static void
fake_finish(Fake *f)
{
    int status = 0;

    waitpid(f->pid, &status, 0);
    g_spawn_close_pid(f->pid);
    close(f->out_fd);
    g_free(f->log);
}

static void
test_fake_pop3_userpass(void)
{
    Fake f;
    g_autofree char *u = NULL;
    g_autofree char *dir = new_evidence_dir("fake-pop3");
    g_autofree char *log = NULL;
    json_t *rec, *m;
    Run r;

    fake_start(&f, "pop3-userpass");
    u = url("pop3", "alice", f.port, "");
    fetch(&r, "secret", u, "--allow-plaintext", "--all", "--evidence-dir", dir,
          NULL);
    log = g_strdup(f.log);
    fake_finish(&f);
    g_assert_cmpint(r.status, ==, 0);
    {
        char *text = read_file(log);
        g_free(log);
        log = text;
    }
    g_assert_nonnull(strstr(log, "USER alice\n"));
    g_assert_nonnull(strstr(log, "TOP 1 1000000000\n"));
    g_assert_null(strstr(log, "DELE"));
    g_assert_null(strstr(log, "QUIT"));
    rec = load_record(dir);
    m = message_by_number(rec, 1);
    g_assert_cmpstr(jget_str(m, "uidl"), ==, "fake-uidl-1");
    g_assert_cmpint(jget_int(m, "octets"), ==, jget_int(m, "bytes_received"));
    g_assert_cmpstr(jget_str(m, "status"), ==, "complete");
    g_assert_true(
        json_is_false(json_object_get(json_object_get(rec, "tls"), "used")));
    {
        g_autofree char *p = g_build_filename(dir, jget_str(m, "file"), NULL);
        g_autofree char *data = read_file(p);
        /* Dot-unstuffed: the wire had "..a line". */
        g_assert_nonnull(strstr(data, "\r\n.a line that starts with a dot"));
        g_assert_null(strstr(data, ".."));
    }
    json_decref(rec);
    run_clear(&r);
}

static void
test_fake_imap_glued(void)
{
    Fake f;
    g_autofree char *u = NULL;
    g_autofree char *dir = new_evidence_dir("fake-glued");
    json_t *rec;
    Run r;

    fake_start(&f, "imap-glued");
    u = url("imap", "alice", f.port, "/");
    fetch(&r, "secret", u, "--allow-plaintext", "--all", "--evidence-dir", dir,
          NULL);
    fake_finish(&f);
    g_assert_cmpint(r.status, ==, 0);
    rec = load_record(dir);
    /* Only the server's answer to our own CAPABILITY counts, not the
     * capability glued to the login reply. */
    g_assert_cmpuint(json_array_size(json_object_get(
                         json_object_get(rec, "server"), "capabilities")),
                     ==, 2);
    g_assert_cmpint(jget_int(json_object_get(rec, "mailbox"), "exists"), ==, 1);
    g_assert_cmpstr(jget_str(message_by_uid(rec, 7), "status"), ==, "complete");
    json_decref(rec);
    run_clear(&r);
}

static void
test_fake_imap_truncated(void)
{
    Fake f;
    g_autofree char *u = NULL;
    g_autofree char *dir = new_evidence_dir("fake-trunc");
    json_t *rec, *m;
    Run r;

    fake_start(&f, "imap-truncated");
    u = url("imap", "alice", f.port, "/");
    fetch(&r, "secret", u, "--allow-plaintext", "--all", "--evidence-dir", dir,
          NULL);
    fake_finish(&f);
    g_assert_cmpint(r.status, ==, 3);
    rec = load_record(dir);
    m = message_by_uid(rec, 7);
    g_assert_cmpstr(jget_str(m, "status"), ==, "partial");
    g_assert_cmpint(jget_int(m, "bytes_received"), ==, 40);
    g_assert_true(g_str_has_suffix(jget_str(m, "file"), ".partial"));
    {
        g_autofree char *p = g_build_filename(dir, jget_str(m, "file"), NULL);
        g_autofree char *sha = file_sha256(p);
        g_assert_cmpstr(sha, ==, jget_str(m, "sha256"));
    }
    g_assert_nonnull(jget_str(rec, "error"));
    json_decref(rec);
    run_clear(&r);
}

static void
test_fake_imap_hostile(void)
{
    static const char *const modes[] = {"imap-huge-literal",
                                        "imap-endless-line", "imap-stall"};
    static const char *const expect[] = {"literal larger than the limit",
                                         "line longer than",
                                         "no answer from the server"};

    for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
        Fake f;
        g_autofree char *u = NULL;
        g_autofree char *dir = new_evidence_dir(modes[i]);
        json_t *rec, *m;
        Run r;

        fake_start(&f, modes[i]);
        u = url("imap", "alice", f.port, "/");
        fetch(&r, "secret", u, "--allow-plaintext", "--all", "--timeout", "1",
              "--evidence-dir", dir, NULL);
        fake_finish(&f);
        g_assert_cmpint(r.status, ==, 3);
        g_assert_nonnull(strstr(r.err, expect[i]));
        rec = load_record(dir);
        m = message_by_uid(rec, 7);
        g_assert_cmpstr(jget_str(m, "status"), !=, "complete");
        json_decref(rec);
        run_clear(&r);
    }
}

/* ---------------------------------------------------------------- main */

static gboolean
start_dovecot(void)
{
    char **env = g_get_environ();
    char *argv[] = {"bash", (char *)T.harness, "start", T.dovecot, NULL};
    g_autofree char *s_imap = NULL, *s_imaps = NULL, *s_pop3 = NULL,
                    *s_pop3s = NULL;
    Run r;

    T.imap = free_port();
    T.imaps = free_port();
    T.pop3 = free_port();
    T.pop3s = free_port();
    s_imap = g_strdup_printf("%u", T.imap);
    s_imaps = g_strdup_printf("%u", T.imaps);
    s_pop3 = g_strdup_printf("%u", T.pop3);
    s_pop3s = g_strdup_printf("%u", T.pop3s);
    env = g_environ_setenv(env, "MTH_IMAP_PORT", s_imap, TRUE);
    env = g_environ_setenv(env, "MTH_IMAPS_PORT", s_imaps, TRUE);
    env = g_environ_setenv(env, "MTH_POP3_PORT", s_pop3, TRUE);
    env = g_environ_setenv(env, "MTH_POP3S_PORT", s_pop3s, TRUE);
    memset(&r, 0, sizeof r);
    {
        GError *error = NULL;
        int ws = 0;
        if (!g_spawn_sync(NULL, argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                          &r.out, &r.err, &ws, &error)) {
            printf("# cannot run the harness: %s\n", error->message);
            g_strfreev(env);
            return FALSE;
        }
        r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
    }
    g_strfreev(env);
    if (r.status != 0) {
        g_autofree char *why = g_strescape(r.err, "\n");
        printf("# dovecot-harness.sh failed: %s\n", why);
        run_clear(&r);
        return FALSE;
    }
    run_clear(&r);
    T.cafile = g_build_filename(T.dovecot, "ssl", "ca.crt", NULL);
    T.other_ca = g_build_filename(T.dovecot, "ssl", "other-ca.crt", NULL);
    T.server_cert = g_build_filename(T.dovecot, "ssl", "server.crt", NULL);
    T.log = g_build_filename(T.dovecot, "dovecot.log", NULL);
    T.mail = g_build_filename(T.dovecot, "mail", NULL);
    return TRUE;
}

static void
stop_dovecot(void)
{
    char *argv[] = {"bash", (char *)T.harness, "stop", T.dovecot, NULL};
    Run r;

    memset(&r, 0, sizeof r);
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &r.out,
                 &r.err, NULL, NULL);
    run_clear(&r);
}

static void
remove_tree(const char *path)
{
    char *argv[] = {"rm", "-rf", (char *)path, NULL};

    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                 NULL, NULL);
}

static gboolean tap_mode;

static int
skip(const char *why)
{
    /* Under TAP the skip is the plan "1..0 # SKIP" with status 0 (meson
     * reads a TAP program's 77 as an error); run plainly, 77 says
     * "skipped" to meson's exitcode protocol and to automake. */
    if (tap_mode) {
        printf("1..0 # SKIP %s\n", why);
        return 0;
    }
    fprintf(stderr, "test-fetch: skipped: %s\n", why);
    return 77;
}

int
main(int argc, char **argv)
{
    int status;

    for (int i = 1; i < argc; i++)
        tap_mode = tap_mode || strcmp(argv[i], "--tap") == 0;
    T.mailtrail = g_getenv("MT_MAILTRAIL");
    T.harness = g_getenv("MT_HARNESS");
    T.fake = g_getenv("MT_FAKE_SERVER");
    T.imap_flags = g_getenv("MT_IMAP_FLAGS");
    T.python = g_getenv("MT_PYTHON");
    if (!T.mailtrail || !T.harness || !T.fake || !T.imap_flags || !T.python) {
        fprintf(stderr, "test-fetch: run me through meson test (MT_* "
                        "variables are missing)\n");
        return 99;
    }
    /* MT_DOVECOT overrides the binary (and lets the skip path be
     * tested); the harness reads the same variable as DOVECOT. */
    if (g_getenv("MT_DOVECOT") != NULL)
        g_setenv("DOVECOT", g_getenv("MT_DOVECOT"), TRUE);
    if (!g_file_test(g_getenv("DOVECOT") ? g_getenv("DOVECOT")
                                         : "/usr/sbin/dovecot",
                     G_FILE_TEST_IS_EXECUTABLE))
        return skip("Dovecot is not installed (apt-get install "
                    "dovecot-imapd dovecot-pop3d)");
    for (guint i = 0; i < 2; i++) {
        static const char *const tools[] = {"openssl", "perl"};
        g_autofree char *found = g_find_program_in_path(tools[i]);
        if (found == NULL) {
            g_autofree char *why =
                g_strdup_printf("%s is not installed", tools[i]);
            return skip(why);
        }
    }

    T.tmp = g_dir_make_tmp("mailtrail-fetch-XXXXXX", NULL);
    g_assert_nonnull(T.tmp);
    /* The mail processes run as nobody when the tests run as root: the
     * run directory must be searchable by them. */
    g_chmod(T.tmp, 0755);
    T.dovecot = g_build_filename(T.tmp, "dovecot", NULL);
    if (!start_dovecot()) {
        remove_tree(T.tmp);
        return skip("Dovecot could not be started on 127.0.0.1 (see the "
                    "message above)");
    }

    /* The tests run in a child: whatever happens to it (a failed
     * assertion aborts), the parent stops Dovecot and cleans up. */
    {
        pid_t child;

        fflush(stdout);
        child = fork();
        if (child < 0) {
            perror("fork");
            stop_dovecot();
            return 99;
        }
        if (child > 0) {
            int ws = 0;
            while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
                ;
            stop_dovecot();
            if (g_getenv("MT_KEEP_TMP") == NULL)
                remove_tree(T.tmp);
            else
                printf("# kept %s\n", T.tmp);
            if (WIFEXITED(ws))
                return WEXITSTATUS(ws);
            printf("Bail out! the test process died of signal %d\n",
                   WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
            return 1;
        }
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fetch/imaps/all-plain", test_imaps_all_plain);
    g_test_add_func("/fetch/imap/starttls-login-uids",
                    test_imap_starttls_login_uids);
    g_test_add_func("/fetch/imaps/cram-md5-evidence",
                    test_imaps_cram_md5_evidence);
    g_test_add_func("/fetch/imap/mailbox-space", test_imap_mailbox_space);
    g_test_add_func("/fetch/imap/mailbox-non-ascii",
                    test_imap_mailbox_non_ascii);
    g_test_add_func("/fetch/imap/search", test_imap_search);
    g_test_add_func("/fetch/imap/uid-sets", test_imap_uid_sets);
    g_test_add_func("/fetch/imap/list", test_imap_list);
    g_test_add_func("/fetch/imaps/netrc", test_imaps_netrc);
    g_test_add_func("/fetch/imap/uidvalidity-and-missing",
                    test_imap_uidvalidity_and_missing);
    g_test_add_func("/fetch/pop3/pop3s-top", test_pop3s_top);
    g_test_add_func("/fetch/pop3/stls-apop", test_pop3_stls_apop);
    g_test_add_func("/fetch/pop3/list", test_pop3_list);
    g_test_add_func("/fetch/pop3/bob-password-file-retr",
                    test_pop3_bob_password_file_retr);
    g_test_add_func("/fetch/errors/wrong-password", test_wrong_password);
    g_test_add_func("/fetch/errors/wrong-ca", test_wrong_ca);
    g_test_add_func("/fetch/errors/pin-and-insecure", test_pin_and_insecure);
    g_test_add_func("/fetch/evidence/never-overwrite", test_never_overwrite);
    g_test_add_func("/fetch/evidence/analyze", test_analyze);
    g_test_add_func("/fetch/cli/usage", test_usage);
    g_test_add_func("/fetch/fake/pop3-userpass", test_fake_pop3_userpass);
    g_test_add_func("/fetch/fake/imap-glued", test_fake_imap_glued);
    g_test_add_func("/fetch/fake/imap-truncated", test_fake_imap_truncated);
    g_test_add_func("/fetch/fake/imap-hostile", test_fake_imap_hostile);
    status = g_test_run();
    fflush(stdout);
    _exit(status);
}
