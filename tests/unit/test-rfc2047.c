/* SPDX-License-Identifier: MIT */
/*
 * test-rfc2047.c: unit tests for charset labels, charset conversion and RFC
 * 2047 header decoding (analyzer/rfc2047.c).
 *
 * Every expected string is written out as a UTF-8 literal. The encoded
 * inputs were made independently of the code under test, with Python's
 * codecs and base64 module (for example
 * base64.b64encode("ご注文".encode("iso2022_jp"))), so a test fails when the
 * decoder and the encoder disagree, not when the decoder disagrees with
 * itself. Defects are compared as "code@offset" lists.
 */
#include <string.h>

#include "rfc2047-private.h"

/* Decodes len bytes of input (strlen when len < 0) at base offset base and
 * returns the defects as "code@offset code@offset". */
static char *
decode_full(const char *input, gssize len, gint64 base, char **defects_out)
{
    GPtrArray *defects = g_ptr_array_new_with_free_func(mt_defect_free);
    GString *list = g_string_new(NULL);
    gsize n = len < 0 ? strlen(input) : (gsize)len;
    char *out = mt_rfc2047_decode(input, n, defects, base);

    g_assert_nonnull(out);
    g_assert_true(g_utf8_validate(out, -1, NULL));
    for (guint i = 0; i < defects->len; i++) {
        MtDefect *d = defects->pdata[i];
        g_assert_nonnull(d->code);
        g_assert_nonnull(d->message);
        g_assert_cmpuint(strlen(d->message), >, 0);
        g_assert_true(g_utf8_validate(d->message, -1, NULL));
        g_assert_cmpint(d->header_index, ==, -1);
        if (list->len > 0)
            g_string_append_c(list, ' ');
        g_string_append_printf(list, "%s@%" G_GINT64_FORMAT, d->code,
                               d->offset);
    }
    g_ptr_array_unref(defects);
    *defects_out = g_string_free(list, FALSE);
    return out;
}

/* Asserts that input decodes to expected with exactly the defects listed
 * (space-separated "code@offset", "" for none). */
static void
check_len(const char *input, gssize len, const char *expected,
          const char *defects)
{
    char *got_defects;
    char *got = decode_full(input, len, 0, &got_defects);

    g_assert_cmpstr(got, ==, expected);
    g_assert_cmpstr(got_defects, ==, defects);
    g_free(got);
    g_free(got_defects);
}

static void
check(const char *input, const char *expected, const char *defects)
{
    check_len(input, -1, expected, defects);
}

/* --- Encodings and charsets --------------------------------------------- */

static void
test_q_utf8(void)
{
    check("=?utf-8?Q?caf=C3=A9?=", "café", "");
    check("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Grüße aus Köln", "");
}

static void
test_b_utf8(void)
{
    check("=?UTF-8?B?5pel5pys6Kqe?=", "日本語", "");
    check("=?utf-8?B?8J+RiQ==?=", "👉", "");
}

static void
test_lowercase_encoding(void)
{
    check("=?utf-8?b?5pel5pys6Kqe?=", "日本語", "");
    check("=?utf-8?q?caf=c3=a9?=", "café", "");
}

static void
test_q_underscore(void)
{
    check("=?iso-8859-1?q?Hello_World?=", "Hello World", "");
    /* "=5F" is a literal underscore, "_" always a space. */
    check("=?utf-8?Q?snake=5Fcase_name?=", "snake_case name", "");
}

static void
test_iso2022jp_subject(void)
{
    check("=?ISO-2022-JP?B?GyRCJDRDbUo4JCIkaiQsJEgkJiQ0JDYkJCReJDkbKEI=?=",
          "ご注文ありがとうございます", "");
    check("=?ISO-2022-JP?B?GyRCRnxLXDhsJWEhPCVrJUYlOSVIGyhCICh0ZXN0aW5nIEph?="
          " =?ISO-2022-JP?B?cGFuZXNlIGVtYWlscyk=?=",
          "日本語メールテスト (testing Japanese emails)", "");
}

static void
test_iso2022jp_split(void)
{
    /* "ご注文": the second word starts with the second byte of 注. */
    check("=?iso-2022-jp?B?GyRCJDRD?= =?iso-2022-jp?B?bUo4GyhC?=", "ご注文",
          "");
}

static void
test_iso2022jp_extensions(void)
{
    /* NEC row 13 (circled digit one), which strict ISO-2022-JP lacks but
     * Windows senders use (CP50221). */
    check("=?ISO-2022-JP?B?GyRCLSEbKEI=?=", "①", "");
    /* Half-width katakana designated by ESC ( I. */
    check("=?iso-2022-jp?B?GyhJMTIzGyhC?=", "ｱｲｳ", "");
    /* An extra "=" of padding, seen in real bounces. */
    check("=?ISO-2022-JP?B?VW5kZWxpdmVyYWJsZTogGyRCJEskYyE8JHMbKEI==?=",
          "Undeliverable: にゃーん", "");
}

static void
test_shift_jis(void)
{
    check("=?shift_jis?B?g2WDWINnkZeQTQ==?=", "テスト送信", "");
    check("=?x-sjis?B?g2WDWINnkZeQTQ==?=", "テスト送信", "");
    check("=?Shift-JIS?B?g2WDWINnkZeQTQ==?=", "テスト送信", "");
    /* CP932's NEC extension. */
    check("=?Shift_JIS?B?h0CU1A==?=", "①番", "");
}

static void
test_euc_jp(void)
{
    check("=?EUC-JP?B?xvzL3LjspcalraW5pcg=?=", "日本語テキスト", "");
    check("=?x-euc-jp?B?xvzL3LjspcalraW5pcg=?=", "日本語テキスト", "");
}

static void
test_iso8859_1(void)
{
    check("=?ISO-8859-1?Q?Je_pr=E9pare_mon_=E9t=E9?=", "Je prépare mon été",
          "");
    check("Essai =?iso-8859-1?Q?accentu=E9?=", "Essai accentué", "");
    /* Outlook's smart quote in a "Latin-1" word is windows-1252. */
    check("=?iso-8859-1?Q?it=92s?=", "it’s", "");
}

static void
test_windows1252(void)
{
    check("=?windows-1252?Q?=93quoted=94_=80100?=", "“quoted” €100", "");
    check("=?cp1252?Q?=85_=99?=", "… ™", "");
    /* An undefined byte maps to its C1 control, as WHATWG says. */
    check("=?windows-1252?Q?a=81b?=", "a\xC2\x81" "b", "");
}

static void
test_cyrillic(void)
{
    check("=?KOI8-R?B?8NLJ18XULCDNydI=?=", "Привет, мир", "");
    check("=?windows-1251?B?z/Do4uXy?=", "Привет", "");
    check("=?ibm866?B?hKA=?=", "Да", "");
}

static void
test_gb2312(void)
{
    check("=?gb2312?B?1tDOxNPKvP4=?=", "中文邮件", "");
    /* A GBK character under a GB2312 label: GB18030 is the superset. */
    check("=?GB2312?B?hrQ=?=", "喆", "");
    check("RE: =?GB2312?Q?=D6=D0=CE=C4?=", "RE: 中文", "");
}

static void
test_big5(void)
{
    check("=?big5?B?pKSk5bT6uNU=?=", "中文測試", "");
    /* The euro sign exists only in CP950, which big5 senders use. */
    check("=?big5?B?o+E=?=", "€", "");
}

static void
test_korean(void)
{
    check("=?ks_c_5601-1987?B?x9Gxub7u?=", "한국어", "");
    check("=?EUC-KR?B?x9Gxub7u?=", "한국어", "");
}

static void
test_utf7(void)
{
    check("=?utf-7?Q?Hi_+ZeVnLIqe-?=", "Hi 日本語", "");
}

static void
test_utf16(void)
{
    /* A byte order mark for little-endian, and a surrogate pair. */
    check("=?utf-16?B?//5IAOkA?=", "Hé", "");
    check("=?UTF-16?B?//492Enc?= test", "👉 test", "");
    /* No BOM: big-endian (RFC 2781), whatever the machine. */
    check("=?UTF-16?B?AEgA6Q==?=", "Hé", "");
    check("=?utf-16le?B?SADpAA==?=", "Hé", "");
}

static void
test_other_charsets(void)
{
    check("=?macintosh?B?Y2Fmjg==?=", "café", "");
    check("=?ISO_8859-2:1987?Q?=A3=F3d=BC?=", "Łódź", "");
    check("=?iso-8859-15?Q?=A4uro?=", "€uro", "");
}

/* --- White space and adjacency ------------------------------------------ */

static void
test_adjacent_space(void)
{
    check("=?utf-8?q?a?= =?utf-8?q?b?=", "ab", "");
    check("=?utf-8?q?a?=   =?utf-8?q?b?=  =?utf-8?q?c?=", "abc", "");
}

static void
test_adjacent_tab_folded(void)
{
    check("=?utf-8?q?a?=\t=?utf-8?q?b?=", "ab", "");
    check("=?utf-8?q?a?=\r\n =?utf-8?q?b?=\n\t=?utf-8?q?c?=", "abc", "");
    check("=?gb2312?B?1tDOxA==?=\r\n\t=?gb2312?B?08q8/g==?=", "中文邮件", "");
}

static void
test_adjacent_charsets(void)
{
    /* RFC 2047 6.2 drops the space between any two encoded words. */
    check("=?utf-8?q?a?=\t=?iso-8859-1?q?=E9?= =?utf-8?q?c?= d", "aéc d",
          "");
}

static void
test_plain_text_kept(void)
{
    check("Re: =?utf-8?q?caf=C3=A9?= ok", "Re: café ok", "");
    check("[TEST] =?ISO-2022-JP?B?GyRCJWYhPCU2ITxFUE8/GyhC?=",
          "[TEST] ユーザー登録", "");
    check("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", "");
    check("no encoded words here", "no encoded words here", "");
    check("", "", "");
}

static void
test_utf8_split_words(void)
{
    /* 日 is E6 97 A5; the first word ends after E6 97. */
    check("=?utf-8?B?5pc=?= =?utf-8?B?peacrA==?=", "日本", "");
    check("=?utf-8?Q?=E6=97?= =?utf-8?Q?=A5?=", "日", "");
    /* Split bytes of different charsets are not joined. */
    check("=?utf-8?Q?=E6=97?= =?iso-8859-1?Q?=E9?=", "\xEF\xBF\xBD" "é",
          "rfc2047-invalid-bytes@0");
}

static void
test_base64_split_quantum(void)
{
    /* "YWJjZGVm" ("abcdef") cut inside a quantum. */
    check("=?utf-8?B?YWJjZ?= =?utf-8?B?GVm?=", "abcdef", "");
    check("=?utf-8?B?YW?= =?utf-8?B?Jj?=", "abc", "");
    /* A quantum that nothing completes. */
    check("=?utf-8?B?YWJjZ?= x", "abc x", "rfc2047-nonconforming@0");
    /* An unpadded complete word needs no continuation. */
    check("=?utf-8?B?YQ?= =?utf-8?B?Yg?=", "ab", "");
}

/* --- Malformed words ---------------------------------------------------- */

static void
test_bad_base64(void)
{
    check("x =?utf-8?B?!!!!?= y", "x =?utf-8?B?!!!!?= y",
          "rfc2047-malformed@2");
    check("=?utf-8?B?YQ==YQ==?=", "=?utf-8?B?YQ==YQ==?=",
          "rfc2047-malformed@0");
}

static void
test_unknown_charset(void)
{
    check("=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?=",
          "rfc2047-unknown-charset@0");
    check("Subject =?NONE?B?VEVTVA=?= here", "Subject =?NONE?B?VEVTVA=?= here",
          "rfc2047-unknown-charset@8");
}

static void
test_missing_terminator(void)
{
    check("=?utf-8?q?abc", "=?utf-8?q?abc", "rfc2047-malformed@0");
    /* Encoded text cannot hold white space. */
    check("=?utf-8?q?a b?=", "=?utf-8?q?a b?=", "rfc2047-malformed@0");
}

static void
test_unknown_encoding(void)
{
    check("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", "rfc2047-malformed@0");
}

static void
test_bad_q(void)
{
    check("=?utf-8?q?a=ZZ?=", "=?utf-8?q?a=ZZ?=", "rfc2047-malformed@0");
    check("=?utf-8?q?a=?=", "=?utf-8?q?a=?=", "rfc2047-malformed@0");
}

static void
test_malformed_between(void)
{
    /* A broken word is text: the spaces around it stay. */
    check("=?utf-8?q?a?= =?utf-8?q?=ZZ?= =?utf-8?q?b?=",
          "a =?utf-8?q?=ZZ?= b", "rfc2047-malformed@14");
}

static void
test_too_long(void)
{
    GString *in = g_string_new("=?utf-8?q?");
    char *expected;

    for (int i = 0; i < MT_RFC2047_MAX_WORD; i++)
        g_string_append_c(in, 'a');
    g_string_append(in, "?=");
    expected = g_strdup(in->str);
    check(in->str, expected, "rfc2047-malformed@0");
    g_free(expected);
    g_string_free(in, TRUE);
}

static void
test_over_75(void)
{
    /* 30 × あ in one 132-character word: decoded, reported. */
    check("=?utf-8?B?44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC"
          "44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC44GC"
          "44GC?=",
          "ああああああああああああああああああああああああああああああ",
          "rfc2047-nonconforming@0");
}

static void
test_not_a_word(void)
{
    check("a =? b =?x 1+1=?", "a =? b =?x 1+1=?", "");
    check("=?", "=?", "");
    check("?=", "?=", "");
}

static void
test_empty_text(void)
{
    /* The literals are split because "??=" is a C trigraph. */
    check("=?utf-8?q?" "?=", "", "");
    check("=?utf-8?b?" "?=", "", "");
    check("a =?utf-8?q?" "?= b", "a  b", "");
    check("=?utf-8?q?a?= =?utf-8?q?" "?= =?utf-8?q?b?=", "ab", "");
}

static void
test_rfc2231_language(void)
{
    check("=?utf-8*en?Q?hello?=", "hello", "");
    check("=?iso-8859-1*fr-CA?Q?=E9t=E9?=", "été", "");
    /* The language does not keep words apart. */
    check("=?utf-8*ja?B?5pc=?= =?utf-8?B?peacrA==?=", "日本", "");
}

/* --- Non-conforming but decoded ----------------------------------------- */

static void
test_quoted_string(void)
{
    check("\"=?iso-2022-jp?B?TWFpbCBEZWxpdmVyeSBTdWJzeXN0ZW0=?=\" <a@b>",
          "\"Mail Delivery Subsystem\" <a@b>", "rfc2047-nonconforming@1");
}

static void
test_glued(void)
{
    check("a=?utf-8?q?b?=c", "abc", "rfc2047-nonconforming@1");
    check("=?utf-8?q?a?==?utf-8?q?b?=", "ab",
          "rfc2047-nonconforming@0 rfc2047-nonconforming@13");
    /* Inside a comment, "(" and ")" are proper delimiters. */
    check("(=?utf-8?q?a?=)", "(a)", "");
}

static void
test_invalid_bytes(void)
{
    check("=?utf-8?q?=FF?=", "\xEF\xBF\xBD", "rfc2047-invalid-bytes@0");
    check("x =?shift_jis?B?gg==?=", "x \xEF\xBF\xBD",
          "rfc2047-invalid-bytes@2");
}

/* --- Raw bytes outside encoded words ------------------------------------ */

static void
test_raw_latin1(void)
{
    check("Caf\xE9 cr\xE8me", "Café crème", "header-8bit-raw@3");
    check("Gr\xFC\xDF" "e", "Grüße", "header-8bit-raw@2");
}

static void
test_raw_shift_jis(void)
{
    /* "件名テスト" in CP932. */
    check("\x8C\x8F\x96\xBC\x83" "e\x83X\x83g", "件名テスト",
          "header-8bit-raw@0");
    check("Re: \x8C\x8F\x96\xBC", "Re: 件名", "header-8bit-raw@4");
}

static void
test_raw_euc_jp(void)
{
    /* "日本語の件名" in EUC-JP. */
    check("\xC6\xFC\xCB\xDC\xB8\xEC\xA4\xCE\xB7\xEF\xCC\xBE", "日本語の件名",
          "header-8bit-raw@0");
}

static void
test_raw_iso2022jp(void)
{
    check("Re: \x1B$B7oL>\x1B(B ok", "Re: 件名 ok", "header-8bit-raw@4");
}

static void
test_raw_utf8(void)
{
    /* RFC 6532 allows raw UTF-8; no defect. */
    check("Grüße 日本", "Grüße 日本", "");
    check("café =?utf-8?q?cr=C3=A8me?=", "café crème", "");
    /* Mostly UTF-8 with a Latin-1 byte pasted in. */
    check("caf\xC3\xA9 et cr\xE8me", "café et crème", "header-8bit-raw@3");
}

static void
test_nul_bytes(void)
{
    check_len("a\0b", 3, "a\xEF\xBF\xBD" "b", "header-nul@1");
    check_len("=?utf-8?q?x=00y?= z\0", 20, "x\xEF\xBF\xBDy z\xEF\xBF\xBD",
              "header-nul@0 header-nul@19");
    /* len rules: the bytes after an embedded NUL are still decoded. */
    check_len("\0=?utf-8?q?caf=C3=A9?=", 22, "\xEF\xBF\xBD" "café",
              "header-nul@0 rfc2047-nonconforming@1");
    /* And bytes past len are not. */
    check_len("=?utf-8?q?a?= tail", 13, "a", "");
}

/* --- Offsets, limits, size ---------------------------------------------- */

static void
test_base_offset(void)
{
    char *defects;
    char *out = decode_full("ab =?zz?q?x?= \xE9", -1, 1000, &defects);

    g_assert_cmpstr(out, ==, "ab =?zz?q?x?= é");
    g_assert_cmpstr(defects, ==,
                    "rfc2047-unknown-charset@1003 header-8bit-raw@1014");
    g_free(out);
    g_free(defects);

    /* A negative base means the offset is unknown. */
    out = decode_full("=?zz?q?x?=", -1, -1, &defects);
    g_assert_cmpstr(defects, ==, "rfc2047-unknown-charset@-1");
    g_free(out);
    g_free(defects);
}

static void
test_defects_null(void)
{
    char *out = mt_rfc2047_decode("=?zz?q?x?= \xE9", 12, NULL, 0);

    g_assert_cmpstr(out, ==, "=?zz?q?x?= é");
    g_free(out);
}

static void
test_defect_cap(void)
{
    GString *in = g_string_new(NULL), *expected = g_string_new(NULL);
    GPtrArray *defects = g_ptr_array_new_with_free_func(mt_defect_free);
    char *out;

    for (int i = 0; i < 100; i++)
        g_string_append(in, "=?zz?q?x?= ");
    out = mt_rfc2047_decode(in->str, in->len, defects, 0);
    g_assert_cmpstr(out, ==, in->str);
    g_assert_cmpuint(defects->len, ==, MT_RFC2047_MAX_DEFECTS_PER_CODE);
    for (guint i = 0; i < defects->len; i++) {
        MtDefect *d = defects->pdata[i];
        g_assert_cmpstr(d->code, ==, "rfc2047-unknown-charset");
        g_assert_cmpint(d->offset, ==, (gint64)i * 11);
    }
    g_free(out);
    g_ptr_array_unref(defects);
    g_string_free(in, TRUE);
    g_string_free(expected, TRUE);
}

/* A megabyte of words must decode; with a quadratic step it would not
 * finish within the suite's timeout. */
static void
test_large_value(void)
{
    GString *in = g_string_new(NULL), *expected = g_string_new(NULL);
    GPtrArray *defects = g_ptr_array_new_with_free_func(mt_defect_free);
    char *out;

    while (in->len < 1024 * 1024) {
        g_string_append(in, "=?utf-8?B?5pel5pys?= ");
        g_string_append(expected, "日本");
    }
    g_string_append_c(expected, ' ');
    out = mt_rfc2047_decode(in->str, in->len, defects, 0);
    g_assert_cmpstr(out, ==, expected->str);
    g_assert_cmpuint(defects->len, ==, 0);
    g_free(out);

    /* Alternating charsets: one conversion per word. */
    g_string_truncate(in, 0);
    g_string_truncate(expected, 0);
    while (in->len < 1024 * 1024) {
        g_string_append(in, "=?shift_jis?B?g2WDWINn?= =?EUC-JP?B?xvzL3A==?= ");
        g_string_append(expected, "テスト日本");
    }
    g_string_append_c(expected, ' ');
    out = mt_rfc2047_decode(in->str, in->len, defects, 0);
    g_assert_cmpstr(out, ==, expected->str);
    g_assert_cmpuint(defects->len, ==, 0);
    g_free(out);

    /* A megabyte of raw Shift_JIS. */
    g_string_truncate(in, 0);
    g_string_truncate(expected, 0);
    while (in->len < 1024 * 1024) {
        g_string_append(in, "\x8C\x8F\x96\xBC ");
        g_string_append(expected, "件名 ");
    }
    out = mt_rfc2047_decode(in->str, in->len, defects, 0);
    g_assert_cmpstr(out, ==, expected->str);
    g_assert_cmpuint(defects->len, ==, 1);
    g_free(out);

    g_ptr_array_unref(defects);
    g_string_free(in, TRUE);
    g_string_free(expected, TRUE);
}

/* Inputs built to make a naive scanner rescan: many word starts with no
 * terminator, or whose terminator is far away. Each must come back as
 * written, with capped defects. */
static void
test_adversarial(void)
{
    static const char *const units[] = {
        "=?a?q?",     "=?utf-8?q?a", "=?utf-8?q?", "=?utf-8?B?Y",
        "=?=?=?",     "=?utf-8?X?",  "=?zz?q?x?=", "=?utf-8?q?=ZZ?=",
    };

    for (gsize u = 0; u < G_N_ELEMENTS(units); u++) {
        GString *in = g_string_new(NULL);
        GPtrArray *defects = g_ptr_array_new_with_free_func(mt_defect_free);
        char *out;

        while (in->len < 1024 * 1024)
            g_string_append(in, units[u]);
        out = mt_rfc2047_decode(in->str, in->len, defects, 0);
        g_assert_cmpstr(out, ==, in->str);
        g_assert_cmpuint(defects->len, <=,
                         3 * MT_RFC2047_MAX_DEFECTS_PER_CODE);
        g_free(out);
        g_ptr_array_unref(defects);
        g_string_free(in, TRUE);
    }

    /* A megabyte of white space, then broken words. */
    {
        GString *in = g_string_new("=?utf-8?q?a?=");
        char *out;

        while (in->len < 1024 * 1024)
            g_string_append_c(in, ' ');
        for (int i = 0; i < 10000; i++)
            g_string_append(in, "=?utf-8?q?=ZZ?=");
        out = mt_rfc2047_decode(in->str, in->len, NULL, 0);
        g_assert_cmpuint(strlen(out), ==, in->len - 12);
        g_assert_true(out[0] == 'a' && out[1] == ' ');
        g_free(out);
        g_string_free(in, TRUE);
    }
}

/* --- The two other functions -------------------------------------------- */

static void
test_canonical(void)
{
    static const struct {
        const char *label;
        const char *name;
    } cases[] = {
        {"utf-8", "UTF-8"},
        {"UTF8", "UTF-8"},
        {"uft-8", "UTF-8"},
        {" \"utf-8\" ", "UTF-8"},
        {"utf-8*en", "UTF-8"},
        {"us-ascii", "US-ASCII"},
        {"iso-8859-1", "ISO-8859-1"},
        {"iso8859-1", "ISO-8859-1"},
        {"ISO_8859-1:1987", "ISO-8859-1"},
        {"latin1", "ISO-8859-1"},
        {"iso-8859-11", "ISO-8859-11"},
        {"ISO-8859-8-I", "ISO-8859-8"},
        {"iso-8859-15", "ISO-8859-15"},
        {"latin9", "ISO-8859-15"},
        {"cp1252", "WINDOWS-1252"},
        {"Windows-1251", "WINDOWS-1251"},
        {"x-cp1250", "WINDOWS-1250"},
        {"koi8-r", "KOI8-R"},
        {"KOI8-U", "KOI8-U"},
        {"shift_jis", "CP932"},
        {"shift-jis", "CP932"},
        {"x-sjis", "CP932"},
        {"SJIS", "CP932"},
        {"windows-31j", "CP932"},
        {"euc-jp", "EUC-JP-MS"},
        {"x-euc-jp", "EUC-JP-MS"},
        {"iso-2022-jp", "ISO-2022-JP"},
        {"ISO-2022-JP-2", "ISO-2022-JP-2"},
        {"iso-2022-jp-3", "ISO-2022-JP-3"},
        {"gb2312", "GB18030"},
        {"GBK", "GB18030"},
        {"big5", "CP950"},
        {"big5-hkscs", "BIG5-HKSCS"},
        {"ks_c_5601-1987", "CP949"},
        {"euc-kr", "CP949"},
        {"utf-16", "UTF-16"},
        {"UTF-16LE", "UTF-16LE"},
        {"utf-7", "UTF-7"},
        {"tis-620", "WINDOWS-874"},
        /* Outside the table, known to iconv. */
        {"ibm037", "IBM037"},
        /* Unknown, empty, or an attempt to pass iconv options. */
        {"none", NULL},
        {"x-unknown", NULL},
        {"", NULL},
        {"  ", NULL},
        {"*en", NULL},
        {"UTF-8//TRANSLIT", NULL},
        {"iso-8859-12", NULL},
        {"iso-8859-99", NULL},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *got = mt_charset_canonical(cases[i].label);
        g_assert_cmpstr(got, ==, cases[i].name);
        /* A canonical name maps to itself. */
        if (got != NULL)
            g_assert_cmpstr(mt_charset_canonical(got), ==, got);
    }
    {
        char *long_label = g_strnfill(200, 'a');
        g_assert_null(mt_charset_canonical(long_label));
        g_free(long_label);
    }
}

static void
test_to_utf8(void)
{
    gboolean lossy = TRUE;
    char *out;

    out = mt_charset_to_utf8("latin1", "caf\xE9", 4, &lossy);
    g_assert_cmpstr(out, ==, "café");
    g_assert_false(lossy);
    g_free(out);

    out = mt_charset_to_utf8("utf-8", "a\xFF" "b", 3, &lossy);
    g_assert_cmpstr(out, ==, "a\xEF\xBF\xBD" "b");
    g_assert_true(lossy);
    g_free(out);

    /* One U+FFFD for a character cut short, one per byte for bytes that
     * can start nothing (an encoded surrogate). */
    out = mt_charset_to_utf8("utf-8", "a\xE6\x97" "b", 4, &lossy);
    g_assert_cmpstr(out, ==, "a\xEF\xBF\xBD" "b");
    g_assert_true(lossy);
    g_free(out);
    out = mt_charset_to_utf8("utf-8", "\xED\xA0\x80", 3, &lossy);
    g_assert_cmpstr(out, ==, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    g_free(out);

    out = mt_charset_to_utf8("utf-8", "a\0b", 3, &lossy);
    g_assert_cmpstr(out, ==, "a\xEF\xBF\xBD" "b");
    g_assert_true(lossy);
    g_free(out);

    /* A lead byte cut off at the end. */
    out = mt_charset_to_utf8("shift_jis", "\x83" "e\x83", 3, &lossy);
    g_assert_cmpstr(out, ==, "テ\xEF\xBF\xBD");
    g_assert_true(lossy);
    g_free(out);

    /* One bad pair in UTF-16 does not shift the rest. */
    out = mt_charset_to_utf8("utf-16be", "\x00" "a\xDC\x00\x00" "b", 6,
                             &lossy);
    g_assert_cmpstr(out, ==, "a\xEF\xBF\xBD" "b");
    g_assert_true(lossy);
    g_free(out);

    out = mt_charset_to_utf8("iso-2022-jp", "\x1B$B$4CmJ8\x1B(B", 12, NULL);
    g_assert_cmpstr(out, ==, "ご注文");
    g_free(out);

    out = mt_charset_to_utf8("koi8-r", "", 0, &lossy);
    g_assert_cmpstr(out, ==, "");
    g_assert_false(lossy);
    g_free(out);

    g_assert_null(mt_charset_to_utf8("x-unknown", "abc", 3, &lossy));
}

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/rfc2047/q-utf8", test_q_utf8);
    g_test_add_func("/rfc2047/b-utf8", test_b_utf8);
    g_test_add_func("/rfc2047/lowercase-encoding", test_lowercase_encoding);
    g_test_add_func("/rfc2047/q-underscore", test_q_underscore);
    g_test_add_func("/rfc2047/iso2022jp-subject", test_iso2022jp_subject);
    g_test_add_func("/rfc2047/iso2022jp-split", test_iso2022jp_split);
    g_test_add_func("/rfc2047/iso2022jp-extensions",
                    test_iso2022jp_extensions);
    g_test_add_func("/rfc2047/shift-jis", test_shift_jis);
    g_test_add_func("/rfc2047/euc-jp", test_euc_jp);
    g_test_add_func("/rfc2047/iso8859-1", test_iso8859_1);
    g_test_add_func("/rfc2047/windows-1252", test_windows1252);
    g_test_add_func("/rfc2047/cyrillic", test_cyrillic);
    g_test_add_func("/rfc2047/gb2312", test_gb2312);
    g_test_add_func("/rfc2047/big5", test_big5);
    g_test_add_func("/rfc2047/korean", test_korean);
    g_test_add_func("/rfc2047/utf7", test_utf7);
    g_test_add_func("/rfc2047/utf16", test_utf16);
    g_test_add_func("/rfc2047/other-charsets", test_other_charsets);
    g_test_add_func("/rfc2047/adjacent-space", test_adjacent_space);
    g_test_add_func("/rfc2047/adjacent-tab-folded", test_adjacent_tab_folded);
    g_test_add_func("/rfc2047/adjacent-charsets", test_adjacent_charsets);
    g_test_add_func("/rfc2047/plain-text-kept", test_plain_text_kept);
    g_test_add_func("/rfc2047/utf8-split-words", test_utf8_split_words);
    g_test_add_func("/rfc2047/base64-split-quantum",
                    test_base64_split_quantum);
    g_test_add_func("/rfc2047/bad-base64", test_bad_base64);
    g_test_add_func("/rfc2047/unknown-charset", test_unknown_charset);
    g_test_add_func("/rfc2047/missing-terminator", test_missing_terminator);
    g_test_add_func("/rfc2047/unknown-encoding", test_unknown_encoding);
    g_test_add_func("/rfc2047/bad-q", test_bad_q);
    g_test_add_func("/rfc2047/malformed-between", test_malformed_between);
    g_test_add_func("/rfc2047/too-long", test_too_long);
    g_test_add_func("/rfc2047/over-75", test_over_75);
    g_test_add_func("/rfc2047/not-a-word", test_not_a_word);
    g_test_add_func("/rfc2047/empty-text", test_empty_text);
    g_test_add_func("/rfc2047/rfc2231-language", test_rfc2231_language);
    g_test_add_func("/rfc2047/quoted-string", test_quoted_string);
    g_test_add_func("/rfc2047/glued", test_glued);
    g_test_add_func("/rfc2047/invalid-bytes", test_invalid_bytes);
    g_test_add_func("/rfc2047/raw-latin1", test_raw_latin1);
    g_test_add_func("/rfc2047/raw-shift-jis", test_raw_shift_jis);
    g_test_add_func("/rfc2047/raw-euc-jp", test_raw_euc_jp);
    g_test_add_func("/rfc2047/raw-iso2022jp", test_raw_iso2022jp);
    g_test_add_func("/rfc2047/raw-utf8", test_raw_utf8);
    g_test_add_func("/rfc2047/nul-bytes", test_nul_bytes);
    g_test_add_func("/rfc2047/base-offset", test_base_offset);
    g_test_add_func("/rfc2047/defects-null", test_defects_null);
    g_test_add_func("/rfc2047/defect-cap", test_defect_cap);
    g_test_add_func("/rfc2047/large-value", test_large_value);
    g_test_add_func("/rfc2047/adversarial", test_adversarial);
    g_test_add_func("/rfc2047/canonical", test_canonical);
    g_test_add_func("/rfc2047/to-utf8", test_to_utf8);

    return g_test_run();
}
