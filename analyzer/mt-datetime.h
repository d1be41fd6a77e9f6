/* SPDX-License-Identifier: MIT */
/*
 * mt-datetime.h: the date parser shared by the Date header, Received
 * headers and mbox separator lines. Real mail writes dates in every shape
 * RFC 5322 allows and many it does not; the parser accepts them all in time
 * linear in the input and says what it had to guess.
 */
#ifndef MT_DATETIME_H
#define MT_DATETIME_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    MT_DATE_NO_DAY_NAME = 1 << 0,    /* no "Mon," */
    MT_DATE_TWO_DIGIT_YEAR = 1 << 1, /* "97" read as 1997, "05" as 2005 */
    MT_DATE_OBSOLETE_ZONE = 1 << 2,  /* EST, PDT, UT, military letter... */
    MT_DATE_NO_ZONE = 1 << 3,        /* zone missing: taken as UTC */
    MT_DATE_UNKNOWN_ZONE = 1 << 4,   /* "-0000" or an unknown name */
    MT_DATE_NO_SECONDS = 1 << 5,
    MT_DATE_FRACTION = 1 << 6,       /* fractional seconds were dropped */
    MT_DATE_TRAILING_TEXT = 1 << 7,  /* text after the date was ignored */
    MT_DATE_BAD_DAY_NAME = 1 << 8,   /* day name disagrees with the date */
    MT_DATE_ASCTIME = 1 << 9,        /* "Thu Apr 29 23:34:45 2015" form */
    MT_DATE_ISO = 1 << 10,           /* "2015-04-29 23:34:45 +0900" form */
    MT_DATE_BAD_ZONE = 1 << 11,      /* impossible offset (+9900): as UTC */
} MtDateFlags;

typedef struct {
    gint64 timestamp;   /* seconds since the epoch, UTC */
    int tz_offset;      /* minutes east of UTC as written */
    guint flags;        /* MtDateFlags */
} MtDateTime;

/* Parses a date such as RFC 5322's date-time, with the obsolete and
 * broken forms real mail uses. Returns FALSE when no date can be read.
 * text need not be NUL-terminated. */
gboolean mt_date_parse(const char *text, gsize len, MtDateTime *out);

/* Formats timestamp as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes).
 * A timestamp outside the years 0000 to 9999 is clamped to the nearest end
 * of that range, so the text always has this shape. Returns buf. */
char *mt_date_format_utc(gint64 timestamp, char buf[static 21]);

/* Returns the stable lowercase name of one flag ("no_day_name",
 * "two_digit_year", ...) for reports, or NULL when flag is not exactly one
 * known flag. Transfer none. */
const char *mt_date_flag_to_string(MtDateFlags flag);

G_END_DECLS

#endif /* MT_DATETIME_H */
