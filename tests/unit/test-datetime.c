/* SPDX-License-Identifier: MIT */
/*
 * test-datetime.c: the date parser against the shapes real mail writes.
 * Each table row is a date as some client, relay or mbox writer puts it,
 * with the instant it means (checked against an independent calendar), the
 * offset as written and every flag the parser must raise, so a regression
 * in any one of them shows up with its input.
 */
#include <string.h>

#include "mailtrail.h"

typedef struct {
    const char *text;
    const char *utc; /* expected instant, or NULL when it must not parse */
    int tz;          /* minutes east of UTC */
    guint flags;
} DateCase;

static const DateCase cases[] = {
    /* RFC 5322 3.3, the common forms. */
    {"Wed, 29 Apr 2015 23:34:45 +0000", "2015-04-29T23:34:45Z", 0, 0},
    {"Wed, 29 Apr 2015 23:34:45 +0900", "2015-04-29T14:34:45Z", 540, 0},
    {"Wed, 29 Apr 2015 23:34:45 -0700", "2015-04-30T06:34:45Z", -420, 0},
    {"Wed, 29 Apr 2015 23:34:45 +0530", "2015-04-29T18:04:45Z", 330, 0},
    {"29 Apr 2015 23:34:45 +0900", "2015-04-29T14:34:45Z", 540,
     MT_DATE_NO_DAY_NAME},
    {"Tue,  7 May 2019 14:01:07 -0700 (PDT)", "2019-05-07T21:01:07Z", -420,
     0},
    {"Mon, 15 Jan 2024 10:22:31 +0100 (CET)", "2024-01-15T09:22:31Z", 60, 0},
    {"Thu, 29 Apr 2015 23:34:45 +0000", "2015-04-29T23:34:45Z", 0,
     MT_DATE_BAD_DAY_NAME},
    {"Wednesday, 29 April 2015 23:34:45 +0000", "2015-04-29T23:34:45Z", 0,
     0},
    {"wed, 29 apr 2015 23:34:45 +0000", "2015-04-29T23:34:45Z", 0, 0},
    {"Wed 29 Apr 2015 23:34:45 +0000", "2015-04-29T23:34:45Z", 0, 0},
    {"Wed, 29-Apr-2015 23:34:45 +0000", "2015-04-29T23:34:45Z", 0, 0},
    {"Wed,,  29 Apr,  2015   23:34:45   +0000", "2015-04-29T23:34:45Z", 0,
     0},
    {"  Wed, 29 Apr 2015 (a comment) 23:34:45 +0000 (a (nested) one)",
     "2015-04-29T23:34:45Z", 0, 0},
    {"Wed, 29 Apr 2015 23:34:45 +0000 UTC", "2015-04-29T23:34:45Z", 0, 0},

    /* RFC 5322 4.3: two- and three-digit years. */
    {"Mon, 7 Oct 91 12:13:55 EDT", "1991-10-07T16:13:55Z", -240,
     MT_DATE_TWO_DIGIT_YEAR | MT_DATE_OBSOLETE_ZONE},
    {"Sat, 1 Jan 05 00:00:00 +0000", "2005-01-01T00:00:00Z", 0,
     MT_DATE_TWO_DIGIT_YEAR},
    {"Fri, 1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z", 0,
     MT_DATE_TWO_DIGIT_YEAR},
    {"1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z", 0,
     MT_DATE_NO_DAY_NAME | MT_DATE_TWO_DIGIT_YEAR},
    {"1 Jan 103 00:00:00 +0000", "2003-01-01T00:00:00Z", 0,
     MT_DATE_NO_DAY_NAME | MT_DATE_TWO_DIGIT_YEAR},
    {"Thu, 21 Nov 96 12:11:51 PST", "1996-11-21T20:11:51Z", -480,
     MT_DATE_TWO_DIGIT_YEAR | MT_DATE_OBSOLETE_ZONE},

    /* Obsolete zones, military letters, numbers that cannot be. */
    {"Tue, 1 Jan 2019 00:00:00 UT", "2019-01-01T00:00:00Z", 0,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 GMT", "2019-01-01T00:00:00Z", 0,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 EST", "2019-01-01T05:00:00Z", -300,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 est", "2019-01-01T05:00:00Z", -300,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 CST", "2019-01-01T06:00:00Z", -360,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 CDT", "2019-01-01T05:00:00Z", -300,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 MST", "2019-01-01T07:00:00Z", -420,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 MDT", "2019-01-01T06:00:00Z", -360,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 PDT", "2019-01-01T07:00:00Z", -420,
     MT_DATE_OBSOLETE_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 Z", "2019-01-01T00:00:00Z", 0,
     MT_DATE_OBSOLETE_ZONE | MT_DATE_UNKNOWN_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 A", "2019-01-01T00:00:00Z", 0,
     MT_DATE_OBSOLETE_ZONE | MT_DATE_UNKNOWN_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 CET", "2019-01-01T00:00:00Z", 0,
     MT_DATE_OBSOLETE_ZONE | MT_DATE_UNKNOWN_ZONE},
    {"Tue, 1 Jan 2019 00:00:00 GMT+0900", "2018-12-31T15:00:00Z", 540,
     MT_DATE_OBSOLETE_ZONE},
    {"15 Jan 2024 10:22:31 -0000", "2024-01-15T10:22:31Z", 0,
     MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE},
    {"Mon, 15 Jan 2024 10:22:31 +9900", "2024-01-15T10:22:31Z", 0,
     MT_DATE_BAD_ZONE},
    {"Mon, 15 Jan 2024 10:22:31 +0960", "2024-01-15T10:22:31Z", 0,
     MT_DATE_BAD_ZONE},
    {"Mon, 15 Jan 2024 10:22:31 +1400", "2024-01-14T20:22:31Z", 840, 0},
    {"Mon, 15 Jan 2024 10:22:31 -1200", "2024-01-15T22:22:31Z", -720, 0},
    {"Mon, 15 Jan 2024 10:22:31 +900", "2024-01-15T10:22:31Z", 0,
     MT_DATE_UNKNOWN_ZONE},
    {"Wed, 19 Jun 2002 20:50:49", "2002-06-19T20:50:49Z", 0,
     MT_DATE_NO_ZONE},

    /* Precision: no seconds, fractions, leap seconds. */
    {"Tue, 26 Mar 2019 18:07 +0000", "2019-03-26T18:07:00Z", 0,
     MT_DATE_NO_SECONDS},
    {"Tue, 26 Mar 2019 18:07:49.186 +0000 (UTC)", "2019-03-26T18:07:49Z", 0,
     MT_DATE_FRACTION},
    {"Sat, 31 Dec 2016 23:59:60 +0000", "2017-01-01T00:00:00Z", 0, 0},

    /* asctime(), as mbox "From " lines and date(1) write it. */
    {"Wed Apr 29 23:34:45 2015", "2015-04-29T23:34:45Z", 0,
     MT_DATE_ASCTIME | MT_DATE_NO_ZONE},
    {"Thu Apr  9 03:04:05 2015", "2015-04-09T03:04:05Z", 0,
     MT_DATE_ASCTIME | MT_DATE_NO_ZONE},
    {"Wed Apr 29 23:34:45 JST 2015", "2015-04-29T23:34:45Z", 0,
     MT_DATE_ASCTIME | MT_DATE_OBSOLETE_ZONE | MT_DATE_UNKNOWN_ZONE},
    {"Wed Apr 29 23:34:45 2015 +0900", "2015-04-29T14:34:45Z", 540,
     MT_DATE_ASCTIME},
    /* JavaScript's Date.toString(). */
    {"Wed Apr 29 2015 23:34:45 GMT+0900 (Japan Standard Time)",
     "2015-04-29T14:34:45Z", 540, MT_DATE_OBSOLETE_ZONE},

    /* ISO 8601-like forms, and Go's time.String() (SendGrid). */
    {"2015-04-29 23:34:45 +0900", "2015-04-29T14:34:45Z", 540,
     MT_DATE_ISO | MT_DATE_NO_DAY_NAME},
    {"2015-04-29T23:34:45Z", "2015-04-29T23:34:45Z", 0,
     MT_DATE_ISO | MT_DATE_NO_DAY_NAME},
    {"2015-04-29T23:34:45.123+09:00", "2015-04-29T14:34:45Z", 540,
     MT_DATE_ISO | MT_DATE_NO_DAY_NAME | MT_DATE_FRACTION},
    {"2015-04-29 23:34:45", "2015-04-29T23:34:45Z", 0,
     MT_DATE_ISO | MT_DATE_NO_DAY_NAME | MT_DATE_NO_ZONE},
    {"2019-03-26 18:07:49.106081893 +0000 UTC m=+60807.380061536",
     "2019-03-26T18:07:49Z", 0,
     MT_DATE_ISO | MT_DATE_NO_DAY_NAME | MT_DATE_FRACTION |
         MT_DATE_TRAILING_TEXT},

    /* Text after the date is ignored, and said. */
    {"Wed, 29 Apr 2015 23:34:45 +0000 by the way", "2015-04-29T23:34:45Z",
     0, MT_DATE_TRAILING_TEXT},
    {"Wed, 29 Apr 2015 23:34:45 id 1234", "2015-04-29T23:34:45Z", 0,
     MT_DATE_NO_ZONE | MT_DATE_TRAILING_TEXT},

    /* The calendar: leap years, both sides of the epoch, far years. */
    {"Mon, 29 Feb 2016 12:00:00 +0000", "2016-02-29T12:00:00Z", 0, 0},
    {"Tue, 29 Feb 2000 12:00:00 +0000", "2000-02-29T12:00:00Z", 0, 0},
    {"Thu, 1 Jan 1970 00:00:00 +0100", "1969-12-31T23:00:00Z", 60, 0},
    {"Fri, 13 Dec 1901 20:45:52 +0000", "1901-12-13T20:45:52Z", 0, 0},
    {"Tue, 19 Jan 2038 03:14:08 +0000", "2038-01-19T03:14:08Z", 0, 0},
    {"Mon, 1 Mar 2100 00:00:00 +0000", "2100-03-01T00:00:00Z", 0, 0},
    {"Wed, 1 Jan 1000 00:00:00 +0000", "1000-01-01T00:00:00Z", 0, 0},

    /* Not dates at all. */
    {"", NULL, 0, 0},
    {"   ", NULL, 0, 0},
    {"garbage", NULL, 0, 0},
    {"Mon,", NULL, 0, 0},
    {"Wed, 29 Apr 2015", NULL, 0, 0},
    {"Sun, 29 Feb 2015 12:00:00 +0000", NULL, 0, 0},
    {"Thu, 29 Feb 1900 12:00:00 +0000", NULL, 0, 0},
    {"Thu, 31 Apr 2015 12:00:00 +0000", NULL, 0, 0},
    {"32 Jan 2015 00:00:00 +0000", NULL, 0, 0},
    {"0 Jan 2015 00:00:00 +0000", NULL, 0, 0},
    {"1 Foo 2015 00:00:00 +0000", NULL, 0, 0},
    {"1 Jan 2015 24:00:00 +0000", NULL, 0, 0},
    {"1 Jan 2015 23:60:00 +0000", NULL, 0, 0},
    {"1 Jan 2015 23:59:61 +0000", NULL, 0, 0},
    {"1 Jan 99999 00:00:00 +0000", NULL, 0, 0},
    {"1 Jan 0999 00:00:00 +0000", NULL, 0, 0},
    {"1 Jan 5 00:00:00 +0000", NULL, 0, 0},
    {"2015-13-01 00:00:00", NULL, 0, 0},
    {"(only a comment)", NULL, 0, 0},
    {"Wed, 29 Apr 2015 23:34:45 &#43;0000", "2015-04-29T23:34:45Z", 0,
     MT_DATE_NO_ZONE | MT_DATE_TRAILING_TEXT},
};

static GString *
describe_flags(guint flags)
{
    GString *s = g_string_new(NULL);

    for (guint bit = 0; bit < 32; bit++) {
        const char *name;

        if ((flags & (1u << bit)) == 0)
            continue;
        name = mt_date_flag_to_string((MtDateFlags)(1u << bit));
        g_string_append_printf(s, "%s%s", s->len ? "|" : "",
                               name ? name : "?");
    }
    return s;
}

static void
test_table(gconstpointer data)
{
    const DateCase *c = data;
    MtDateTime dt;
    gboolean ok = mt_date_parse(c->text, strlen(c->text), &dt);
    char got[21];

    if (c->utc == NULL) {
        if (ok)
            g_test_message("'%s' parsed as %s", c->text,
                           mt_date_format_utc(dt.timestamp, got));
        g_assert_false(ok);
        g_assert_cmpint(dt.timestamp, ==, 0);
        g_assert_cmpuint(dt.flags, ==, 0);
        return;
    }
    if (!ok)
        g_test_message("'%s' did not parse", c->text);
    g_assert_true(ok);
    g_assert_cmpstr(mt_date_format_utc(dt.timestamp, got), ==, c->utc);
    g_assert_cmpint(dt.tz_offset, ==, c->tz);
    if (dt.flags != c->flags) {
        g_autoptr(GString) want = describe_flags(c->flags);
        g_autoptr(GString) have = describe_flags(dt.flags);

        g_test_message("'%s': flags %s, expected %s", c->text, have->str,
                       want->str);
    }
    g_assert_cmpuint(dt.flags, ==, c->flags);
}

/* The text need not end with a NUL: only len bytes are read. */
static void
test_length_bounded(void)
{
    const char *text = "Wed, 29 Apr 2015 23:34:45 +0900 and more";
    MtDateTime dt;
    char got[21];

    g_assert_true(mt_date_parse(text, strlen("Wed, 29 Apr 2015 23:34:45"),
                                &dt));
    g_assert_cmpstr(mt_date_format_utc(dt.timestamp, got), ==,
                    "2015-04-29T23:34:45Z");
    g_assert_cmpuint(dt.flags, ==, MT_DATE_NO_ZONE);
    /* Cut inside the zone: "+09" is an hours-only offset. */
    g_assert_true(mt_date_parse(text, strlen("Wed, 29 Apr 2015 23:34:45 +09"),
                                &dt));
    g_assert_cmpint(dt.tz_offset, ==, 540);
    g_assert_false(mt_date_parse(text, 3, &dt));
    g_assert_false(mt_date_parse(NULL, 0, &dt));
}

/* A NUL inside the text is junk, not an end. */
static void
test_embedded_nul(void)
{
    static const char text[] = "Wed, 29 Apr 2015 23:34:45 +0000\0trailing";
    static const char early[] = "Wed, 29\0 Apr 2015 23:34:45 +0000";
    MtDateTime dt;

    g_assert_true(mt_date_parse(text, sizeof text - 1, &dt));
    g_assert_cmpuint(dt.flags, ==, MT_DATE_TRAILING_TEXT);
    g_assert_false(mt_date_parse(early, sizeof early - 1, &dt));
}

/* A megabyte of nested comments, or of an unclosed one, is skipped in one
 * pass; a quadratic scan would not finish within the test timeout. */
static void
test_huge_comments(void)
{
    const gsize n = 1024 * 1024;
    GString *s = g_string_new("Wed, 29 Apr 2015 23:34:45 +0000 ");
    MtDateTime dt;

    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, '(');
    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, ')');
    g_assert_true(mt_date_parse(s->str, s->len, &dt));
    g_assert_cmpuint(dt.flags, ==, 0);

    g_string_truncate(s, 0);
    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, '(');
    g_assert_false(mt_date_parse(s->str, s->len, &dt));

    g_string_assign(s, "Wed, 29 Apr 2015 23:34:45 +0000 ");
    for (gsize i = 0; i < n; i++)
        g_string_append(s, "x ");
    g_assert_true(mt_date_parse(s->str, s->len, &dt));
    g_assert_cmpuint(dt.flags, ==, MT_DATE_TRAILING_TEXT);

    /* A very long number saturates instead of overflowing. */
    g_string_truncate(s, 0);
    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, '9');
    g_assert_false(mt_date_parse(s->str, s->len, &dt));
    g_string_free(s, TRUE);
}

static void
test_format(void)
{
    char buf[21];

    g_assert_cmpstr(mt_date_format_utc(0, buf), ==, "1970-01-01T00:00:00Z");
    g_assert_cmpstr(mt_date_format_utc(-1, buf), ==, "1969-12-31T23:59:59Z");
    g_assert_cmpstr(mt_date_format_utc(951782400, buf), ==,
                    "2000-02-29T00:00:00Z");
    g_assert_cmpstr(mt_date_format_utc(G_GINT64_CONSTANT(2147483648), buf),
                    ==, "2038-01-19T03:14:08Z");
    g_assert_cmpstr(mt_date_format_utc(G_GINT64_CONSTANT(-2208988800), buf),
                    ==, "1900-01-01T00:00:00Z");
    /* Out of range: clamped, never a longer string. */
    g_assert_cmpstr(mt_date_format_utc(G_MAXINT64, buf), ==,
                    "9999-12-31T23:59:59Z");
    g_assert_cmpstr(mt_date_format_utc(G_MININT64, buf), ==,
                    "0000-01-01T00:00:00Z");
    g_assert_true(mt_date_format_utc(0, buf) == buf);
}

/* Every day from 1899 to 2101 goes through parse and format and comes back
 * the same, with the day name the calendar gives: the two conversions
 * agree with each other and with GLib's calendar. */
static void
test_round_trip(void)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    GDate *date = g_date_new_dmy(1, G_DATE_JANUARY, 1899);
    guint count = 0;

    while (g_date_get_year(date) < 2102) {
        int y = g_date_get_year(date);
        int m = g_date_get_month(date);
        int d = g_date_get_day(date);
        int wd = g_date_get_weekday(date) % 7; /* GLib: Monday 1 .. Sunday 7 */
        g_autofree char *text = g_strdup_printf(
            "%s, %d %s %d 12:34:56 -0130", days[wd], d, months[m - 1], y);
        g_autofree char *want =
            g_strdup_printf("%04d-%02d-%02dT14:04:56Z", y, m, d);
        MtDateTime dt;
        char got[21];

        g_assert_true(mt_date_parse(text, strlen(text), &dt));
        g_assert_cmpuint(dt.flags, ==, 0);
        g_assert_cmpstr(mt_date_format_utc(dt.timestamp, got), ==, want);
        g_date_add_days(date, 1);
        count++;
    }
    g_assert_cmpuint(count, ==, 74144);
    g_date_free(date);
}

static void
test_flag_names(void)
{
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_NO_DAY_NAME), ==,
                    "no_day_name");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_TWO_DIGIT_YEAR), ==,
                    "two_digit_year");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_OBSOLETE_ZONE), ==,
                    "obsolete_zone");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_NO_ZONE), ==, "no_zone");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_UNKNOWN_ZONE), ==,
                    "unknown_zone");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_NO_SECONDS), ==,
                    "no_seconds");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_FRACTION), ==,
                    "fraction");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_TRAILING_TEXT), ==,
                    "trailing_text");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_BAD_DAY_NAME), ==,
                    "bad_day_name");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_ASCTIME), ==, "asctime");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_ISO), ==, "iso");
    g_assert_cmpstr(mt_date_flag_to_string(MT_DATE_BAD_ZONE), ==,
                    "bad_zone");
    g_assert_null(mt_date_flag_to_string(
        (MtDateFlags)(MT_DATE_NO_ZONE | MT_DATE_ISO)));
    g_assert_null(mt_date_flag_to_string((MtDateFlags)0));
    g_assert_null(mt_date_flag_to_string((MtDateFlags)(1u << 30)));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("/datetime/table/%03zu", i);

        g_test_add_data_func(name, &cases[i], test_table);
    }
    g_test_add_func("/datetime/length-bounded", test_length_bounded);
    g_test_add_func("/datetime/embedded-nul", test_embedded_nul);
    g_test_add_func("/datetime/huge-comments", test_huge_comments);
    g_test_add_func("/datetime/format", test_format);
    g_test_add_func("/datetime/round-trip", test_round_trip);
    g_test_add_func("/datetime/flag-names", test_flag_names);
    return g_test_run();
}
