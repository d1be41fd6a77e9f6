/* SPDX-License-Identifier: MIT */
/*
 * rfc2047-private.h: charset labels, charset conversion and RFC 2047
 * header decoding for the core. Everything here turns hostile bytes into
 * valid UTF-8 in time linear in their length, and reports what it had to
 * repair or guess as defects instead of failing.
 */
#ifndef MT_RFC2047_PRIVATE_H
#define MT_RFC2047_PRIVATE_H

#include <glib.h>

#include "mailtrail.h"

G_BEGIN_DECLS

/* The GPtrArray free function for MtDefect (defined in report.c). */
extern void mt_defect_free(gpointer p);

/* Maps a charset label as found in mail (any case, surrounding white space
 * or quotes, an RFC 2231 "*lang" suffix, common misspellings such as
 * "uft-8", "x-sjis", "iso8859-1", "ks_c_5601-1987") to the name iconv knows,
 * choosing the superset real senders mean: Shift_JIS is CP932, EUC-JP is
 * EUC-JP-MS, GB2312 and GBK are GB18030, Big5 is CP950, EUC-KR is CP949.
 * A label outside the built-in table is accepted when iconv opens it.
 * Returns a static string (transfer none), or NULL when unknown. */
const char *mt_charset_canonical(const char *label);

/* Converts len bytes in charset (a label or a canonical name) to UTF-8.
 * Invalid or incomplete sequences and NUL bytes become U+FFFD and set
 * *lossy (if non-NULL); otherwise *lossy is set to FALSE. ISO-8859-1 and
 * US-ASCII are read as windows-1252 (the WHATWG rule: senders that declare
 * them mean it), UTF-16 and UTF-32 without a BOM as big-endian (RFC 2781).
 * Returns NULL only when the charset is unknown; the result is always valid
 * UTF-8 (transfer full). Linear time in len. */
char *mt_charset_to_utf8(const char *charset, const char *bytes, gsize len,
                         gboolean *lossy);

/* Whether every byte >= 0x80 of bytes fits the structure of Shift_JIS
 * (CP932) text, mostly level-1 kanji and kana leads, as the raw header
 * guess uses it; Latin-1 text fails. A cheap test before a conversion:
 * the caller still checks that the converted text reads as Japanese.
 * Linear time. */
gboolean mt_charset_looks_like_sjis(const guchar *bytes, gsize len);

/* Whether every byte >= 0x80 of bytes belongs to an EUC-JP pair, katakana
 * or JIS X 0212 triple, and there is at least one. Linear time. */
gboolean mt_charset_looks_like_eucjp(const guchar *bytes, gsize len);

/* Decodes an unstructured header value (already unfolded; CR and LF are
 * treated as white space if present) to valid UTF-8.
 *
 * RFC 2047 encoded words in B or Q (case-insensitive), in any charset that
 * mt_charset_canonical() knows, with an optional RFC 2231 language suffix,
 * are decoded. White space between adjacent encoded words is removed
 * (RFC 2047 6.2), and adjacent words of the same charset are joined as
 * bytes before conversion, so a character split across two words decodes.
 * Base64 split inside a quantum across adjacent words is also joined.
 *
 * Encoded words inside quoted strings or glued to other text are decoded
 * too, with an "rfc2047-nonconforming" defect. A malformed word (unknown
 * charset, bad base64 or Q, no "?=", an encoding other than B or Q, longer
 * than MT_RFC2047_MAX_WORD) is kept exactly as written, with an
 * "rfc2047-malformed" or "rfc2047-unknown-charset" defect.
 *
 * Text outside encoded words that is not valid UTF-8 is converted by a
 * guess, with a "header-8bit-raw" defect: ISO-2022-JP when it holds
 * ISO-2022-JP escape sequences, else Shift_JIS (CP932), else EUC-JP, each
 * only when the bytes are valid in it and read as Japanese, else UTF-8 with
 * the stray bytes read as windows-1252 when it holds valid multi-byte UTF-8,
 * else windows-1252. NUL bytes become U+FFFD ("header-nul").
 *
 * Defects (MtDefect, header_index -1) are appended to defects when it is
 * non-NULL, at most MT_RFC2047_MAX_DEFECTS_PER_CODE of each code per call;
 * offset is base_offset plus the byte offset in text of the word or byte
 * concerned, or -1 when base_offset is negative. Transfer full. Linear time
 * in len. */
char *mt_rfc2047_decode(const char *text, gsize len, GPtrArray *defects,
                        gint64 base_offset);

/* An encoded word longer than this many bytes is treated as malformed:
 * RFC 2047 allows 75, real senders go to a few hundred. */
#define MT_RFC2047_MAX_WORD 2048
/* Defects of one code reported by one mt_rfc2047_decode() call. */
#define MT_RFC2047_MAX_DEFECTS_PER_CODE 8

G_END_DECLS

#endif /* MT_RFC2047_PRIVATE_H */
