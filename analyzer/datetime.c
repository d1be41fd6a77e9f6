/* SPDX-License-Identifier: MIT */
/*
 * datetime.c: reads the dates found in mail (Date headers, the tail of
 * Received headers, mbox "From " lines) and formats timestamps. The input is
 * whatever a sender or a relay chose to write, so the parser takes RFC 5322
 * date-time with all its obsolete forms (no day name, two-digit years, zone
 * names, military letters), asctime ("Thu Apr 29 23:34:45 2015"), an ISO
 * 8601-like form ("2015-04-29 23:34:45.123 +0900") and the usual damage
 * (extra commas, comments, fractional seconds, text after the date), and it
 * records every liberty it took in MtDateFlags. It reads the text once from
 * left to right with a lookahead of a few bytes, so it runs in time linear
 * in the input, and it computes the calendar itself: no mktime(), timegm()
 * or locale is involved, so the result does not depend on the machine.
 *
 * Choices worth knowing:
 * - A field out of range (day 31 in April, hour 24, minute 60, second 61,
 *   a year outside 1000-9999 after RFC 5322 4.3's two- and three-digit
 *   rules) makes the whole date unreadable: such a date was never real.
 * - A numeric zone that is impossible (minutes >= 60, or more than 14 hours
 *   from UTC, such as +9900) does not: the date is read as UTC and flagged
 *   MT_DATE_BAD_ZONE, because the rest of the date is still evidence.
 * - "-0000", military letters and unknown zone names are read as UTC and
 *   flagged MT_DATE_UNKNOWN_ZONE (RFC 5322 4.3 says military letters
 *   cannot be trusted and SHOULD be taken as "-0000").
 */
#include "mailtrail.h"

#include <string.h>

/* Offsets further from UTC than this do not exist (UTC+14 is Kiribati). */
#define MAX_ZONE_MINUTES (14 * 60)

typedef struct {
    const char *s;
    gsize len;
    gsize pos;
} Cursor;

typedef struct {
    int year, month, day;
    int hour, minute, second;
    int weekday; /* 0 = Sunday, as written; -1 when absent */
    int tz;      /* minutes east of UTC */
    guint flags;
} Fields;

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

static const char *const day_names[7] = {
    "sunday",   "monday", "tuesday",  "wednesday",
    "thursday", "friday", "saturday",
};

static int
peek(const Cursor *c)
{
    return c->pos < c->len ? (guchar)c->s[c->pos] : -1;
}

static int
peek_at(const Cursor *c, gsize ahead)
{
    return ahead < c->len - c->pos ? (guchar)c->s[c->pos + ahead] : -1;
}

static gboolean
is_wsp(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static gboolean
is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static gboolean
is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Skips one comment starting at '('. Comments nest (RFC 5322 3.2.2); the
 * depth is only a counter, so a megabyte of "(((" costs one pass and no
 * stack. An unclosed comment runs to the end of the text. */
static void
skip_comment(Cursor *c)
{
    gsize depth = 0;

    while (c->pos < c->len) {
        char ch = c->s[c->pos++];

        if (ch == '\\' && c->pos < c->len) {
            c->pos++;
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (--depth == 0)
                return;
        }
    }
}

/* Skips white space and comments, and commas too when commas is TRUE:
 * real dates carry stray commas ("Thu,, 29 Apr, 2015") that mean nothing. */
static void
skip_cfws(Cursor *c, gboolean commas)
{
    while (c->pos < c->len) {
        int ch = peek(c);

        if (is_wsp(ch) || (commas && ch == ','))
            c->pos++;
        else if (ch == '(')
            skip_comment(c);
        else
            break;
    }
}

/* Reads a run of digits. The value saturates instead of overflowing; the
 * callers reject anything with too many digits anyway. Returns the number
 * of digits read. */
static gsize
read_number(Cursor *c, int *value)
{
    gsize n = 0;
    int v = 0;

    while (is_digit(peek(c))) {
        if (v < 100000000)
            v = v * 10 + (peek(c) - '0');
        c->pos++;
        n++;
    }
    *value = v;
    return n;
}

/* Reads a run of ASCII letters; returns its length, *word points into the
 * text. */
static gsize
read_alpha(Cursor *c, const char **word)
{
    gsize start = c->pos;

    while (is_alpha(peek(c)))
        c->pos++;
    *word = c->s + start;
    return c->pos - start;
}

/* Matches a word against a table of full English names: the word must be
 * at least the three-letter abbreviation and a prefix of the name ("Sep",
 * "Sept" and "September" all count). Returns the index or -1. */
static int
match_name(const char *word, gsize n, const char *const *names, int count)
{
    if (n < 3)
        return -1;
    for (int i = 0; i < count; i++) {
        if (n <= strlen(names[i]) &&
            g_ascii_strncasecmp(word, names[i], n) == 0)
            return i;
    }
    return -1;
}

static gboolean
is_leap(gint64 y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(gint64 y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. The year is shifted
 * to start in March so that the leap day is the last day of the year; then
 * each 400-year era has the same 146097 days and the day of the year is a
 * linear function of the shifted month. */
static gint64
days_from_civil(gint64 y, int m, int d)
{
    gint64 era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void
civil_from_days(gint64 z, gint64 *y, int *m, int *d)
{
    gint64 era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Applies RFC 5322 4.3 to a year of nd digits: 00-49 are 20xx, 50-99 and
 * every three-digit year are 1900 + value. */
static gboolean
set_year(Fields *f, int value, gsize nd)
{
    if (nd == 2) {
        f->year = value < 50 ? 2000 + value : 1900 + value;
        f->flags |= MT_DATE_TWO_DIGIT_YEAR;
    } else if (nd == 3) {
        f->year = 1900 + value;
        f->flags |= MT_DATE_TWO_DIGIT_YEAR;
    } else if (nd == 4 && value >= 1000) {
        f->year = value;
    } else {
        return FALSE;
    }
    return TRUE;
}

/* Tells whether a time ("H:MM") starts here, without moving. */
static gboolean
time_ahead(const Cursor *c)
{
    gsize k = 0;

    while (k < 3 && is_digit(peek_at(c, k)))
        k++;
    return k >= 1 && k <= 2 && peek_at(c, k) == ':';
}

/* Reads "HH:MM[:SS[.fraction]]". */
static gboolean
parse_time(Cursor *c, Fields *f)
{
    gsize nd;

    nd = read_number(c, &f->hour);
    if (nd < 1 || nd > 2 || peek(c) != ':')
        return FALSE;
    c->pos++;
    nd = read_number(c, &f->minute);
    if (nd < 1 || nd > 2)
        return FALSE;
    if (peek(c) != ':' || !is_digit(peek_at(c, 1))) {
        f->second = 0;
        f->flags |= MT_DATE_NO_SECONDS;
        return TRUE;
    }
    c->pos++;
    nd = read_number(c, &f->second);
    if (nd < 1 || nd > 2)
        return FALSE;
    /* Fractions come from Go ("18:07:49.106081893"), Python and Exchange;
     * a second is the finest unit the report keeps. */
    if ((peek(c) == '.' || peek(c) == ',') && is_digit(peek_at(c, 1))) {
        int ignored;

        c->pos++;
        read_number(c, &ignored);
        f->flags |= MT_DATE_FRACTION;
    }
    return TRUE;
}

/* Sets a numeric offset after checking it can exist. */
static void
set_offset(Fields *f, int sign, int hours, int minutes)
{
    int total = hours * 60 + minutes;

    if (minutes > 59 || total > MAX_ZONE_MINUTES) {
        f->tz = 0;
        f->flags |= MT_DATE_BAD_ZONE;
        return;
    }
    f->tz = sign * total;
    /* RFC 5322 3.3: "-0000" means the local offset is not known. */
    if (sign < 0 && total == 0)
        f->flags |= MT_DATE_UNKNOWN_ZONE;
}

/* Reads "+hhmm", "+hh:mm" or "+hh" at the cursor, which is on the sign. */
static void
parse_numeric_zone(Cursor *c, Fields *f)
{
    int sign = peek(c) == '-' ? -1 : 1;
    int value, minutes = 0;
    gsize nd;

    c->pos++;
    nd = read_number(c, &value);
    if (nd == 4) {
        set_offset(f, sign, value / 100, value % 100);
        return;
    }
    if (nd == 1 || nd == 2) {
        if (peek(c) == ':' && is_digit(peek_at(c, 1))) {
            c->pos++;
            if (read_number(c, &minutes) != 2) {
                f->flags |= MT_DATE_UNKNOWN_ZONE;
                return;
            }
        }
        set_offset(f, sign, value, minutes);
        return;
    }
    /* "+900", "+09000" or a bare sign: a zone was meant, which one is
     * anybody's guess. */
    f->tz = 0;
    f->flags |= MT_DATE_UNKNOWN_ZONE;
}

/* Skips a zone abbreviation written after a numeric zone ("+0000 UTC" from
 * Go, "+0900 JST"): it repeats what the number said. Only a short
 * upper-case word that ends there counts. */
static void
skip_redundant_zone_name(Cursor *c)
{
    Cursor look = *c;
    const char *word;
    gsize n;
    int after;

    while (is_wsp(peek(&look)))
        look.pos++;
    n = read_alpha(&look, &word);
    after = peek(&look);
    if (n < 2 || n > 5 || !(after == -1 || is_wsp(after) || after == '('))
        return;
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isupper(word[i]))
            return;
    }
    *c = look;
}

/* Reads a zone at the cursor if there is one. Returns FALSE, without
 * moving, when what follows is not a zone. */
static gboolean
parse_zone(Cursor *c, Fields *f)
{
    static const struct {
        const char *name;
        int hours;
    } names[] = {
        {"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"EST", -5}, {"EDT", -4},
        {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8},
        {"PDT", -7},
    };
    gsize start = c->pos;
    const char *word;
    gsize n;
    int ch = peek(c);

    if ((ch == '+' || ch == '-') && is_digit(peek_at(c, 1))) {
        parse_numeric_zone(c, f);
        skip_redundant_zone_name(c);
        return TRUE;
    }
    if (!is_alpha(ch))
        return FALSE;
    n = read_alpha(c, &word);
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strlen(names[i].name) != n ||
            g_ascii_strncasecmp(word, names[i].name, n) != 0)
            continue;
        f->flags |= MT_DATE_OBSOLETE_ZONE;
        f->tz = names[i].hours * 60;
        /* "GMT+0900", "UTC-5": broken clients glue an offset on. */
        if (names[i].hours == 0 && (peek(c) == '+' || peek(c) == '-') &&
            is_digit(peek_at(c, 1)))
            parse_numeric_zone(c, f);
        return TRUE;
    }
    /* Any other zone name is taken only in capitals, as zones are written,
     * so that a stray word ("at", "id") after the time is trailing text
     * and not a zone. */
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isupper(word[i])) {
            c->pos = start;
            return FALSE;
        }
    }
    if (n <= 5) {
        /* A military letter: RFC 5322 4.3 says to take it as "-0000".
         * "CET", "JST", "MEST": real zones, but not RFC 5322 ones and
         * several are ambiguous (IST, CST), so no offset is guessed. */
        f->tz = 0;
        f->flags |= MT_DATE_OBSOLETE_ZONE | MT_DATE_UNKNOWN_ZONE;
        return TRUE;
    }
    c->pos = start;
    return FALSE;
}

/* Skips what may stand between day, month and year: white space, commas,
 * comments, and one '-', '.' or '/' as in "29-Apr-2015". */
static void
skip_date_separator(Cursor *c)
{
    skip_cfws(c, TRUE);
    if (peek(c) == '-' || peek(c) == '.' || peek(c) == '/') {
        c->pos++;
        skip_cfws(c, TRUE);
    }
}

static gboolean
parse_month_word(Cursor *c, Fields *f)
{
    const char *word;
    gsize n = read_alpha(c, &word);
    int m = match_name(word, n, month_names, 12);

    if (m < 0)
        return FALSE;
    f->month = m + 1;
    if (peek(c) == '.')
        c->pos++;
    return TRUE;
}

/* The time and zone that close the RFC 5322 and month-first forms. */
static gboolean
parse_time_and_zone(Cursor *c, Fields *f)
{
    skip_cfws(c, TRUE);
    if (!parse_time(c, f))
        return FALSE;
    skip_cfws(c, TRUE);
    if (!parse_zone(c, f))
        f->flags |= MT_DATE_NO_ZONE;
    return TRUE;
}

/* "29 Apr 2015 23:34:45 +0000": the cursor is on the day. */
static gboolean
parse_day_first(Cursor *c, Fields *f)
{
    int value;
    gsize nd;

    nd = read_number(c, &f->day);
    if (nd < 1 || nd > 2)
        return FALSE;
    skip_date_separator(c);
    if (!parse_month_word(c, f))
        return FALSE;
    skip_date_separator(c);
    nd = read_number(c, &value);
    if (!set_year(f, value, nd))
        return FALSE;
    return parse_time_and_zone(c, f);
}

/* "Apr 29 23:34:45 [zone] 2015 [zone]" (asctime, mbox separators, date(1))
 * or "Apr 29 2015 23:34:45 GMT+0900" (JavaScript): the cursor is on the
 * month. */
static gboolean
parse_month_first(Cursor *c, Fields *f)
{
    int value;
    gsize nd;

    if (!parse_month_word(c, f))
        return FALSE;
    skip_date_separator(c);
    nd = read_number(c, &f->day);
    if (nd < 1 || nd > 2)
        return FALSE;
    skip_cfws(c, TRUE);
    if (!time_ahead(c)) {
        nd = read_number(c, &value);
        if (!set_year(f, value, nd))
            return FALSE;
        return parse_time_and_zone(c, f);
    }
    if (!parse_time(c, f))
        return FALSE;
    f->flags |= MT_DATE_ASCTIME;
    skip_cfws(c, TRUE);
    gboolean zone = parse_zone(c, f);
    skip_cfws(c, TRUE);
    nd = read_number(c, &value);
    if (!set_year(f, value, nd))
        return FALSE;
    if (!zone) {
        skip_cfws(c, TRUE);
        zone = parse_zone(c, f);
    }
    if (!zone)
        f->flags |= MT_DATE_NO_ZONE;
    return TRUE;
}

/* "2015-04-29[T ]23:34:45[.frac][ ][Z|+09:00|+0900]": the cursor is on the
 * year, which has four digits and is followed by '-'. */
static gboolean
parse_iso(Cursor *c, Fields *f)
{
    int value;
    gsize nd;

    f->flags |= MT_DATE_ISO;
    read_number(c, &value);
    if (!set_year(f, value, 4) || peek(c) != '-')
        return FALSE;
    c->pos++;
    nd = read_number(c, &f->month);
    if (nd < 1 || nd > 2 || peek(c) != '-')
        return FALSE;
    c->pos++;
    nd = read_number(c, &f->day);
    if (nd < 1 || nd > 2)
        return FALSE;
    if (peek(c) == 'T' || peek(c) == 't')
        c->pos++;
    else
        skip_cfws(c, FALSE);
    if (!parse_time(c, f))
        return FALSE;
    if (peek(c) == 'Z' || peek(c) == 'z') {
        int after = peek_at(c, 1);

        if (!is_alpha(after)) {
            c->pos++;
            f->tz = 0;
            return TRUE;
        }
    }
    skip_cfws(c, FALSE);
    if (!parse_zone(c, f))
        f->flags |= MT_DATE_NO_ZONE;
    return TRUE;
}

static gboolean
fields_valid(const Fields *f)
{
    return f->month >= 1 && f->month <= 12 && f->day >= 1 &&
           f->day <= days_in_month(f->year, f->month) && f->hour <= 23 &&
           f->minute <= 59 && f->second <= 60;
}

gboolean
mt_date_parse(const char *text, gsize len, MtDateTime *out)
{
    Cursor c = {text, len, 0};
    Fields f = {.weekday = -1};
    const char *word;
    gboolean ok;
    gint64 days;

    g_return_val_if_fail(out != NULL, FALSE);
    memset(out, 0, sizeof *out);
    if (text == NULL)
        return FALSE;

    skip_cfws(&c, TRUE);
    if (is_alpha(peek(&c))) {
        gsize start = c.pos;
        gsize n = read_alpha(&c, &word);

        f.weekday = match_name(word, n, day_names, 7);
        if (f.weekday < 0) {
            /* No day name: perhaps the month of a month-first form. */
            c.pos = start;
        } else {
            if (peek(&c) == '.')
                c.pos++;
            skip_cfws(&c, TRUE);
        }
    }

    if (is_alpha(peek(&c))) {
        ok = parse_month_first(&c, &f);
    } else if (is_digit(peek(&c))) {
        gsize k = 0;

        while (k < 5 && is_digit(peek_at(&c, k)))
            k++;
        if (k == 4 && peek_at(&c, 4) == '-')
            ok = parse_iso(&c, &f);
        else
            ok = parse_day_first(&c, &f);
    } else {
        ok = FALSE;
    }
    if (!ok || !fields_valid(&f))
        return FALSE;

    skip_cfws(&c, TRUE);
    if (c.pos < c.len)
        f.flags |= MT_DATE_TRAILING_TEXT;

    days = days_from_civil(f.year, f.month, f.day);
    if (f.weekday < 0) {
        f.flags |= MT_DATE_NO_DAY_NAME;
    } else {
        /* 1970-01-01 was a Thursday (4). */
        gint64 wd = (days + 4) % 7;

        if (wd < 0)
            wd += 7;
        if (wd != f.weekday)
            f.flags |= MT_DATE_BAD_DAY_NAME;
    }

    out->timestamp = days * 86400 + f.hour * 3600 + f.minute * 60 +
                     f.second - (gint64)f.tz * 60;
    out->tz_offset = f.tz;
    out->flags = f.flags;
    return TRUE;
}

/* Writes the width lowest decimal digits of v, zero-padded, to out (no
 * terminator). */
static void
put_digits(char *out, guint v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

char *
mt_date_format_utc(gint64 timestamp, char buf[static 21])
{
    const gint64 min = days_from_civil(0, 1, 1) * 86400;
    const gint64 max = days_from_civil(9999, 12, 31) * 86400 + 86399;
    gint64 days, secs, year;
    int month, day;

    timestamp = CLAMP(timestamp, min, max);
    days = timestamp / 86400;
    secs = timestamp % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil_from_days(days, &year, &month, &day);
    /* What "%04d-%02d-%02dT%02d:%02d:%02dZ" would write (the clamp keeps
     * the year in 0..9999, every field in its digits), without a printf:
     * this runs for every date of every report. */
    put_digits(buf, (guint)year, 4);
    buf[4] = '-';
    put_digits(buf + 5, (guint)month, 2);
    buf[7] = '-';
    put_digits(buf + 8, (guint)day, 2);
    buf[10] = 'T';
    put_digits(buf + 11, (guint)(secs / 3600), 2);
    buf[13] = ':';
    put_digits(buf + 14, (guint)(secs / 60 % 60), 2);
    buf[16] = ':';
    put_digits(buf + 17, (guint)(secs % 60), 2);
    buf[19] = 'Z';
    buf[20] = '\0';
    return buf;
}

const char *
mt_date_flag_to_string(MtDateFlags flag)
{
    switch (flag) {
    case MT_DATE_NO_DAY_NAME:
        return "no_day_name";
    case MT_DATE_TWO_DIGIT_YEAR:
        return "two_digit_year";
    case MT_DATE_OBSOLETE_ZONE:
        return "obsolete_zone";
    case MT_DATE_NO_ZONE:
        return "no_zone";
    case MT_DATE_UNKNOWN_ZONE:
        return "unknown_zone";
    case MT_DATE_NO_SECONDS:
        return "no_seconds";
    case MT_DATE_FRACTION:
        return "fraction";
    case MT_DATE_TRAILING_TEXT:
        return "trailing_text";
    case MT_DATE_BAD_DAY_NAME:
        return "bad_day_name";
    case MT_DATE_ASCTIME:
        return "asctime";
    case MT_DATE_ISO:
        return "iso";
    case MT_DATE_BAD_ZONE:
        return "bad_zone";
    }
    return NULL;
}
