/* SPDX-License-Identifier: MIT */
/*
 * test-acquire.c: unit tests of the acquisition core that need no server:
 * redaction of what libcurl sends during login, URL checks, evidence files
 * (exclusive, mode 0400, never overwritten), the evidence folder, and the
 * JSON of the custody record.
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <jansson.h>

#include "acquire-private.h"

static void
check_redact(const char *line, const char *want)
{
    char *got = mt_acquire_redact_line(line, strlen(line));

    g_assert_cmpstr(got, ==, want);
    g_free(got);
}

static void
test_redact(void)
{
    check_redact("A001 CAPABILITY\r\n", "A001 CAPABILITY");
    check_redact("A002 STARTTLS\r\n", "A002 STARTTLS");
    check_redact("A003 AUTHENTICATE PLAIN\r\n", "A003 AUTHENTICATE PLAIN");
    check_redact("A003 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n",
                 "A003 AUTHENTICATE PLAIN [redacted]");
    check_redact("A003 LOGIN alice secret\r\n", "A003 [redacted]");
    check_redact("A003 LOGIN \"alice\" {6}\r\n", "A003 [redacted]");
    check_redact("CAPA\r\n", "CAPA");
    check_redact("STLS\r\n", "STLS");
    check_redact("AUTH CRAM-MD5\r\n", "AUTH CRAM-MD5");
    check_redact("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
                 "AUTH PLAIN [redacted]");
    check_redact("USER alice\r\n", "USER [redacted]");
    check_redact("PASS secret\r\n", "PASS [redacted]");
    check_redact("APOP alice 0123456789abcdef\r\n", "APOP [redacted]");
    /* A password that is itself a command word is still a password. */
    check_redact("PASS CAPABILITY\r\n", "PASS [redacted]");
    check_redact("PASS CAPA\r\n", "PASS [redacted]");
    /* SASL continuations and anything unknown. */
    check_redact("YWxpY2UgMGQ5ZmVkYzg=\r\n", "[redacted]");
    check_redact("", "[redacted]");
    {
        char *got = mt_acquire_redact_line("PASS x\0y", 8);
        g_assert_cmpstr(got, ==, "[redacted]");
        g_free(got);
    }
}

static void
test_url_check(void)
{
    static const struct {
        const char *url;
        const char *why;
    } bad[] = {
        {"http://example.org/", "unsupported URL scheme"},
        {"imaps://alice:secret@127.0.0.1/", "password in the URL"},
        {"imaps://alice;AUTH=PLAIN@127.0.0.1/", "login options"},
        {"imaps://127.0.0.1/INBOX;UID=5", "URL parameters"},
        {"imaps://127.0.0.1/INBOX?ALL", "query"},
        {"pop3s://127.0.0.1/1", "POP3 URL has no path"},
        {"imaps://127.0.0.1/a%0Db", "cannot be decoded"},
        {"imaps://127.0.0.1/a%FFb", "not valid UTF-8 text"},
        {"not a url", "invalid URL"},
    };
    GError *error = NULL;

    g_assert_true(mt_acquire_url_check("imaps://alice@127.0.0.1:993/", NULL));
    g_assert_true(mt_acquire_url_check("imap://127.0.0.1/Sent%20Items", NULL));
    g_assert_true(mt_acquire_url_check("pop3://a%40b@[::1]:110", NULL));
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(mt_acquire_url_check(bad[i].url, &error));
        g_assert_error(error, MT_ERROR, MT_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, bad[i].why));
        /* The credential is never repeated. */
        g_assert_null(strstr(error->message, "secret"));
        g_clear_error(&error);
    }
}

static void
test_default_dir(void)
{
    char *d = mt_acquire_default_dir("imaps://alice@mail.example.org:993/");
    char *odd = mt_acquire_default_dir("imaps://[::1]/");

    g_assert_true(g_str_has_prefix(d, "evidence-mail.example.org-"));
    g_assert_true(g_str_has_suffix(d, "Z"));
    /* No "/" or ":" from the host can reach the file system. */
    g_assert_null(strchr(odd + strlen("evidence-"), '/'));
    g_assert_null(strchr(odd, ':'));
    g_free(d);
    g_free(odd);
}

static void
test_evidence_files(void)
{
    g_autofree char *tmp = g_dir_make_tmp("mt-acquire-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(tmp, "ev", NULL);
    g_autofree char *path = NULL;
    g_autofree char *content = NULL;
    MtAcquiredMessage *m = mt_acquired_message_new();
    GError *error = NULL;
    gboolean created = FALSE;
    struct stat st;
    gsize len = 0;

    g_assert_true(mt_acquire_prepare_dir(dir, &created, &error));
    g_assert_true(created);
    g_assert_cmpint(g_stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    g_assert_true(mt_acquire_prepare_dir(dir, &created, &error));
    g_assert_false(created);

    g_assert_true(mt_acquire_save(m, dir, "7", (const guint8 *)"a\r\nb", 4,
                                  FALSE, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(strlen(m->sha256), ==, 64);
    path = g_build_filename(dir, m->file, NULL);
    g_assert_true(g_str_has_prefix(m->file, "7-"));
    g_assert_true(g_str_has_suffix(m->file, ".eml"));
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0400);
    g_assert_true(g_file_get_contents(path, &content, &len, NULL));
    g_assert_cmpmem(content, len, "a\r\nb", 4);
    {
        g_autofree char *hex = g_compute_checksum_for_data(
            G_CHECKSUM_SHA256, (const guchar *)"a\r\nb", 4);
        g_assert_cmpstr(m->sha256, ==, hex);
    }
    /* The same bytes again: refused, the first file untouched. */
    {
        MtAcquiredMessage *again = mt_acquired_message_new();
        g_assert_false(mt_acquire_save(
            again, dir, "7", (const guint8 *)"a\r\nb", 4, FALSE, &error));
        g_assert_error(error, MT_ERROR, MT_ERROR_IO);
        g_assert_nonnull(strstr(error->message, "never overwritten"));
        g_clear_error(&error);
        mt_acquired_message_free(again);
    }
    /* A partial message gets its own suffix. */
    {
        MtAcquiredMessage *p = mt_acquired_message_new();
        g_assert_true(mt_acquire_save(p, dir, "8", (const guint8 *)"ab", 2,
                                      TRUE, &error));
        g_assert_true(g_str_has_suffix(p->file, ".partial"));
        mt_acquired_message_free(p);
    }
    mt_acquired_message_free(m);

    /* The record, once; then the folder is refused. */
    {
        MtAcquisition *a = mt_acquisition_new();
        a->protocol = MT_ACQUIRE_IMAP;
        a->host = g_strdup("127.0.0.1");
        g_assert_true(mt_acquisition_write(a, dir, &error));
        g_assert_false(mt_acquisition_write(a, dir, &error));
        g_assert_error(error, MT_ERROR, MT_ERROR_IO);
        g_clear_error(&error);
        mt_acquisition_free(a);
    }
    g_assert_false(mt_acquire_prepare_dir(dir, NULL, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "already holds an acquisition"));
    g_clear_error(&error);

    {
        char *argv[] = {"rm", "-rf", tmp, NULL};
        g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     NULL, NULL, NULL);
    }
}

static void
test_record_json(void)
{
    MtAcquisition *a = mt_acquisition_new();
    MtAcquiredMessage *m = mt_acquired_message_new();
    char *text, *one;
    json_t *j, *msg, *o;
    json_error_t jerr;
    static char *before[] = {"\\Seen", "$Label1", NULL};
    static char *after[] = {"$label1", "\\seen", NULL};
    static char *changed[] = {"\\Seen", NULL};

    a->protocol = MT_ACQUIRE_POP3;
    a->scheme = g_strdup("pop3s");
    a->host = g_strdup("127.0.0.1");
    a->port = 995;
    /* Server text that is not UTF-8 must still give valid JSON. */
    a->greeting = g_strdup("+OK caf\xe9 <1.2@x>");
    m->status = MT_ACQUIRED_COMPLETE;
    m->number = 4;
    m->uidl = g_strdup("u4");
    m->has_announced_size = TRUE;
    m->announced_size = 196;
    m->bytes = 198;
    mt_acquired_message_add_note(m, "crlf-added", "received %d", 198);
    g_ptr_array_add(a->messages, m);
    text = mt_acquisition_to_json(a);
    j = json_loads(text, 0, &jerr);
    g_assert_nonnull(j);
    g_assert_cmpstr(json_string_value(json_object_get(j, "schema")), ==,
                    "mailtrail.acquisition/1");
    o = json_object_get(j, "server");
    g_assert_cmpstr(json_string_value(json_object_get(o, "greeting")), ==,
                    "+OK caf\\xE9 <1.2@x>");
    msg = json_array_get(json_object_get(j, "messages"), 0);
    g_assert_cmpint(json_integer_value(json_object_get(msg, "number")), ==, 4);
    g_assert_cmpint(json_integer_value(json_object_get(msg, "list_size")), ==,
                    196);
    g_assert_cmpstr(
        json_string_value(json_object_get(
            json_array_get(json_object_get(msg, "discrepancies"), 0), "code")),
        ==, "crlf-added");
    g_assert_null(json_object_get(msg, "flags_before"));
    o = json_object_get(j, "summary");
    g_assert_cmpint(json_integer_value(json_object_get(o, "complete")), ==, 1);
    json_decref(j);
    g_free(text);

    one = mt_acquisition_message_to_json(a, 0);
    j = json_loads(one, 0, &jerr);
    g_assert_nonnull(j);
    g_assert_cmpstr(json_string_value(
                        json_object_get(json_object_get(j, "message"), "uidl")),
                    ==, "u4");
    g_assert_null(json_object_get(j, "messages"));
    json_decref(j);
    g_free(one);

    /* IMAP flags compare without regard to order and case. */
    g_assert_true(mt_flags_equal(before, after));
    g_assert_false(mt_flags_equal(before, changed));
    g_assert_true(mt_flags_equal(NULL, NULL));
    m->flags_before = g_strdupv(before);
    m->flags_after = g_strdupv(changed);
    g_assert_true(mt_acquisition_flags_changed(a));
    g_assert_cmpuint(mt_acquisition_count_incomplete(a), ==, 0);
    m->status = MT_ACQUIRED_PARTIAL;
    g_assert_cmpuint(mt_acquisition_count_incomplete(a), ==, 1);
    mt_acquisition_free(a);
}

static void
test_auth_names(void)
{
    MtAcquireAuth auth = MT_ACQUIRE_AUTH_ANY;

    g_assert_true(mt_acquire_auth_from_string("cram-md5", &auth));
    g_assert_cmpint(auth, ==, MT_ACQUIRE_AUTH_CRAM_MD5);
    g_assert_true(mt_acquire_auth_from_string("APOP", &auth));
    g_assert_cmpint(auth, ==, MT_ACQUIRE_AUTH_APOP);
    g_assert_cmpstr(mt_acquire_auth_to_string(MT_ACQUIRE_AUTH_XOAUTH2), ==,
                    "XOAUTH2");
    g_assert_false(mt_acquire_auth_from_string("NTLM", &auth));
}

static void
test_open_refuses_before_network(void)
{
    MtAcquireOptions o;
    GError *error = NULL;

    mt_acquire_options_init_default(&o);
    o.url = "imaps://127.0.0.1:1/";
    o.auth = MT_ACQUIRE_AUTH_APOP;
    g_assert_null(mt_acquire_session_open(&o, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_INVALID);
    g_clear_error(&error);
    o.auth = MT_ACQUIRE_AUTH_ANY;
    o.pin_sha256 = "12:34";
    g_assert_null(mt_acquire_session_open(&o, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_INVALID);
    g_clear_error(&error);
    o.pin_sha256 = NULL;
    o.max_message_size = 0;
    g_assert_null(mt_acquire_session_open(&o, &error));
    g_assert_error(error, MT_ERROR, MT_ERROR_INVALID);
    g_clear_error(&error);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acquire/redact", test_redact);
    g_test_add_func("/acquire/url-check", test_url_check);
    g_test_add_func("/acquire/default-dir", test_default_dir);
    g_test_add_func("/acquire/evidence-files", test_evidence_files);
    g_test_add_func("/acquire/record-json", test_record_json);
    g_test_add_func("/acquire/auth-names", test_auth_names);
    g_test_add_func("/acquire/open-refuses-before-network",
                    test_open_refuses_before_network);
    return g_test_run();
}
