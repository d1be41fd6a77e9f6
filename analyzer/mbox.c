/* SPDX-License-Identifier: MIT */
/*
 * mbox.c: the streaming message reader behind every file input.
 *
 * One reader handles a single-message file (eml, maildir entry) and an mbox.
 * It reads the input in chunks, decides from the first bytes what it is, and
 * hands out one message at a time with the exact byte range it occupies, so
 * memory never grows with the size of an mbox and each message's SHA-256 is
 * over the bytes as stored. We split mboxes ourselves rather than with
 * GMime's mbox mode because an analyst needs the raw byte range of every
 * message (offset, size, hash), CR-only files must be read, and
 * Content-Length mboxes must fall back to separator lines when the length
 * lies.
 *
 * The separator rule (also written in tests/corpus/count-mbox.py, which
 * checks it independently): the first line of the file when it starts
 * "From "; after that, a line starting "From " of at most 1000 bytes whose
 * text looks like an envelope ("From -" as Mozilla writes it, or a time
 * "H:MM" or a year 19xx/20xx in it) and that is followed by a header field
 * line. "From Russia with love" in a body is not a separator, nor is
 * "From 9:00 to 5:00" followed by prose. An empty line right before a
 * separator belongs to the separator, not to the message. When a message's
 * header block has a Content-Length that lands exactly on the end of the
 * file or on a separator (optionally after one empty line), the body runs
 * that long and any "From " lines inside it are content; otherwise the
 * Content-Length is ignored. It is also ignored when the message it
 * describes would be over max_message_bytes: following it means holding
 * every byte from the first "From " line inside the body until its end is
 * checked, and an attacker's Content-Length can be 2 GiB.
 *
 * The split must not depend on how the input arrives (a pipe, a file, the
 * tests' chunk sizes), yet memory must stay bounded, so each line is judged
 * on its first LINE_HEAD bytes: a line after a "From " line is a header
 * field when its name and colon lie within them (RFC 5322 2.1.1 allows 998
 * bytes a line), and a longer line is decided as soon as that much of it
 * has arrived, without waiting for its end. A message is over the limit
 * when its size is, whatever the chunking: bytes are dropped (hashed,
 * counted) only once those certain to belong to the message exceed
 * max_message_bytes, never the look-ahead of a separator that may end it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mailtrail-private.h"
#include "mbox-private.h"

/* A separator line longer than this is not a separator. */
#define MAX_SEPARATOR_LEN 1000
/* How much of a line decides what it is (see the top of the file). A line
 * longer than this is never empty and never a separator (it is longer
 * than MAX_SEPARATOR_LEN plus a CR), so it is decided from this prefix. */
#define LINE_HEAD 1024
#define READ_CHUNK (256 * 1024)
/* A message this long, and longer than what follows it in the buffer, is
 * handed out in the buffer it was read into (see take_message()). */
#define HANDOVER_BYTES ((gsize)1 << 20)
/* How far to look for the first line end that decides CR-only files. */
#define FIRST_LINE_SCAN (16 * 1024 * 1024)

/* A "From " line that is a separator if a header field follows it. */
typedef struct {
    gboolean active;
    gboolean at_cl;     /* where a Content-Length said the body ends */
    gsize line_start;   /* the "From " line */
    gsize content_end;  /* its end, line end excluded */
    gsize line_end;     /* after its line end */
    gsize blank_start;  /* where the message before it ends */
} Pending;

/* A window on the reader's store (see there). */
typedef struct {
    guchar *data;
    gsize len;
} Window;

struct _MtMboxReader {
    char *path;
    MtLimits limits;
    MtInputFormat forced;
    MtInputFormat format; /* EML or MBOX once started */

    /* Source: a file descriptor, or memory for tests. */
    int fd;
    gboolean close_fd;
    const guchar *mem;
    gsize mem_len;
    gsize mem_pos;
    gsize chunk;

    gboolean started;
    gboolean finished;
    gboolean eof;
    int read_errno;
    guchar eol; /* '\n', or '\r' for CR-only files */

    /* The bytes read and not yet handed out live in store from store_head
     * on; buf is that window: the current message from its first byte.
     * Handing a message out moves store_head past it instead of copying
     * what follows (up to a read chunk, per message) to a new buffer;
     * the window is moved down only when the bytes before it outweigh
     * those in it, so each byte is moved at most about once. */
    GByteArray *store;
    gsize store_head;
    Window buf;
    guint64 buf_offset; /* input offset of buf.data[0] */
    guint64 index;
    char *from_line; /* separator of the current message, or NULL */
};

/* Line-end statistics, fed the bytes of one message in order in pieces
 * that may split a CR LF pair. */
typedef struct {
    gboolean lf, crlf, cr;
    gboolean last_cr; /* the last byte fed was a CR */
} EolCount;

/* Scan state of the message being read. Reset for every message. */
typedef struct {
    gsize pos;             /* start of the line being looked at */
    gsize search;          /* no line end in [pos, search): linear time */
    gsize prev_line_start; /* start of the previous line */
    gboolean prev_empty;
    gboolean in_headers;
    gint64 content_length; /* first Content-Length, -1 if none */
    gint64 cl_end;         /* where Content-Length says the body ends */
    gint64 cl_expect_sep;  /* a separator must start here */
    gboolean cl_used;
    GArray *candidates; /* Pending: separators inside cl_end */
    Pending pending;
    guint64 quoted;
    EolCount eol;     /* of the bytes dropped so far */
    /* Discard mode: the message is over max_message_bytes. */
    gboolean discarding;
    EVP_MD_CTX *hash;
    guint64 discarded;
    /* The current line is longer than LINE_HEAD and has been decided from
     * its head before its end arrived; long_quoted is what the head said,
     * long_cut that its first bytes have been dropped since. */
    gboolean long_line;
    gboolean long_quoted;
    gboolean long_cut;
} Scan;

MtMboxReader *
mt_mbox_reader_new_fd(const char *path, int fd, gboolean close_fd,
                      MtInputFormat format, const MtLimits *limits)
{
    MtMboxReader *reader = g_new0(MtMboxReader, 1);

    reader->path = g_strdup(path);
    reader->fd = fd;
    reader->close_fd = close_fd;
    reader->forced = format;
    reader->limits = *limits;
    reader->chunk = READ_CHUNK;
    reader->eol = '\n';
    /* Sized, so that store->data is never NULL (window_sync). */
    reader->store = g_byte_array_sized_new(READ_CHUNK);
    return reader;
}

MtMboxReader *
mt_mbox_reader_new_mem(const char *path, const void *data, gsize len,
                       gsize chunk, MtInputFormat format,
                       const MtLimits *limits)
{
    MtMboxReader *reader = mt_mbox_reader_new_fd(path, -1, FALSE, format,
                                                 limits);

    reader->mem = data;
    reader->mem_len = len;
    reader->chunk = chunk ? chunk : READ_CHUNK;
    return reader;
}

void
mt_mbox_reader_free(MtMboxReader *reader)
{
    if (reader == NULL)
        return;
    if (reader->close_fd && reader->fd >= 0)
        close(reader->fd);
    g_byte_array_unref(reader->store);
    g_free(reader->from_line);
    g_free(reader->path);
    g_free(reader);
}

/* Points the window at the store's bytes from store_head on. The store
 * is always allocated (sized at creation), so an empty window is a valid
 * pointer with length 0, never NULL: code that adds an offset of 0 to it
 * (an empty first message) stays defined behaviour. */
static void
window_sync(MtMboxReader *reader)
{
    GByteArray *store = reader->store;

    reader->buf.data = store->data + reader->store_head;
    reader->buf.len = store->len - reader->store_head;
}

/* Drops the window's first n bytes (at most buf.len). */
static void
window_drop(MtMboxReader *reader, gsize n)
{
    reader->store_head += n;
    if (reader->store_head >= reader->store->len) {
        g_byte_array_set_size(reader->store, 0);
        reader->store_head = 0;
    }
    window_sync(reader);
}

/* Makes the window n bytes longer and returns where the new bytes go.
 * First moves the window to the front of the store when the bytes
 * before it are as many as those in it: what is moved was paid for by
 * what was handed out, so reading stays linear. */
static guchar *
window_extend(MtMboxReader *reader, gsize n)
{
    gsize old;

    if (reader->store_head > 0 && reader->store_head >= reader->buf.len) {
        memmove(reader->store->data, reader->buf.data, reader->buf.len);
        g_byte_array_set_size(reader->store, reader->buf.len);
        reader->store_head = 0;
    }
    old = reader->store->len;
    g_byte_array_set_size(reader->store, old + n);
    window_sync(reader);
    return reader->store->data + old;
}

/* Cuts the window to its first len bytes. */
static void
window_truncate(MtMboxReader *reader, gsize len)
{
    g_byte_array_set_size(reader->store, reader->store_head + len);
    window_sync(reader);
}

/* Appends up to one chunk to the buffer. Sets eof at the end of input. */
static void
read_more(MtMboxReader *reader)
{
    gsize old = reader->buf.len;
    guchar *to;

    if (reader->eof)
        return;
    if (reader->mem) {
        gsize n = MIN(reader->chunk, reader->mem_len - reader->mem_pos);
        if (n > 0)
            memcpy(window_extend(reader, n), reader->mem + reader->mem_pos,
                   n);
        reader->mem_pos += n;
        if (reader->mem_pos == reader->mem_len)
            reader->eof = TRUE;
        return;
    }
    to = window_extend(reader, reader->chunk);
    for (;;) {
        ssize_t n = read(reader->fd, to, reader->chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            reader->read_errno = errno;
            n = 0;
        }
        window_truncate(reader, old + n);
        if (n == 0)
            reader->eof = TRUE;
        return;
    }
}

/* Whether the text after "From " looks like an mbox envelope. */
static gboolean
looks_like_envelope(const guchar *p, gsize len)
{
    gsize i = 0;

    while (i < len && p[i] == ' ')
        i++;
    if (i < len && p[i] == '-' && (i + 1 == len || p[i + 1] == ' '))
        return TRUE;
    for (; i < len; i++) {
        /* A time "H:MM" or "HH:MM". */
        if (p[i] == ':' && i >= 1 && g_ascii_isdigit(p[i - 1]) &&
            i + 2 < len + 0 && g_ascii_isdigit(p[i + 1]) &&
            g_ascii_isdigit(p[i + 2]))
            return TRUE;
        /* A year 19xx or 20xx standing alone. */
        if (i + 4 <= len && (p[i] == '1' || p[i] == '2') &&
            (i == 0 || !g_ascii_isalnum(p[i - 1])) &&
            ((p[i] == '1' && p[i + 1] == '9') ||
             (p[i] == '2' && p[i + 1] == '0')) &&
            g_ascii_isdigit(p[i + 2]) && g_ascii_isdigit(p[i + 3]) &&
            (i + 4 == len || !g_ascii_isalnum(p[i + 4])))
            return TRUE;
    }
    return FALSE;
}

/* Whether line (content without its line end) is an mbox separator. */
static gboolean
is_separator(const guchar *line, gsize len)
{
    return len >= 5 && len <= MAX_SEPARATOR_LEN &&
           memcmp(line, "From ", 5) == 0 &&
           looks_like_envelope(line + 5, len - 5);
}

/* Whether line starts a header field: a field name of printable ASCII
 * without ':' (RFC 5322 2.2), optional white space (obsolete syntax), and
 * a colon. */
static gboolean
is_header_line(const guchar *line, gsize len)
{
    gsize i = 0;

    while (i < len && line[i] > 32 && line[i] < 127 && line[i] != ':')
        i++;
    if (i == 0)
        return FALSE;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == ':';
}

/* Whether the line after a "From " line makes it a separator: a header
 * field whose name and colon lie in the line's first LINE_HEAD bytes, so
 * that the answer is the same before and after the rest arrives. */
static gboolean
head_is_header(const guchar *line, gsize len)
{
    return is_header_line(line, MIN(len, LINE_HEAD));
}

/* Whether a line is a ">From " line (mboxrd quoting, any depth), judged on
 * its first LINE_HEAD bytes like everything else. */
static gboolean
head_is_quoted_from(const guchar *line, gsize len)
{
    gsize i = 0;

    len = MIN(len, LINE_HEAD);
    if (len < 6 || line[0] != '>')
        return FALSE;
    while (i < len && line[i] == '>')
        i++;
    return len - i >= 5 && memcmp(line + i, "From ", 5) == 0;
}

/* Tells why the start of a file is not a message. */
static char *
describe_non_message(const guchar *p, gsize len)
{
    gsize i;

    if (len == 0)
        return g_strdup("empty file");
    for (i = 0; i < len && g_ascii_isspace(p[i]); i++)
        ;
    if (i == len)
        return g_strdup("empty file (only white space)");
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return g_strdup("not a message: a PNG image");
    if (len >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
        return g_strdup("not a message: a JPEG image");
    if (len >= 4 && memcmp(p, "GIF8", 4) == 0)
        return g_strdup("not a message: a GIF image");
    if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return g_strdup("not a message: a PDF document");
    if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
        return g_strdup("not a message: a ZIP archive");
    if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return g_strdup("not a message: gzip-compressed data");
    if (len >= 5 && (g_ascii_strncasecmp((const char *)p, "HELO ", 5) == 0 ||
                     g_ascii_strncasecmp((const char *)p, "EHLO ", 5) == 0 ||
                     g_ascii_strncasecmp((const char *)p, "MAIL FROM:",
                                         MIN(len, 10)) == 0))
        return g_strdup("not a message: an SMTP (BSMTP) transcript");
    if (memchr(p, '\0', MIN(len, 1024)))
        return g_strdup("not a message: binary data");
    return g_strdup("not a message: the first line is neither a header "
                    "field nor an mbox \"From \" line");
}

/* Finds the end of the line starting at pos, looking from from (>= pos:
 * what was searched before holds no line end). Returns the offset after the
 * line end, or 0 when the line is not complete yet. *content_end excludes
 * the line end (and a CR before LF). */
static gsize
find_line(const MtMboxReader *reader, gsize pos, gsize from,
          gsize *content_end)
{
    const guchar *data = reader->buf.data;
    const guchar *nl;
    gsize end;

    from = MAX(pos, from);
    if (from >= reader->buf.len)
        return 0; /* also keeps a NULL data pointer out of memchr */
    nl = memchr(data + from, reader->eol, reader->buf.len - from);
    if (nl == NULL)
        return 0;
    end = (gsize)(nl - data);
    *content_end = end;
    if (reader->eol == '\n' && end > pos && data[end - 1] == '\r')
        *content_end = end - 1;
    return end + 1;
}

/* Reads the first bytes and decides what the input is. Returns FALSE with
 * error set when it is not a message. */
static gboolean
start(MtMboxReader *reader, GError **error)
{
    const guchar *p;
    gsize len, first_end, i;
    gboolean from_line;

    reader->started = TRUE;
    /* Enough to see the BOM and the first line end (and the byte after a
     * CR), however long the first line is, up to a bound; no more, so that
     * a pipe delivers its first message as soon as it is complete. */
    while (!reader->eof && reader->buf.len < FIRST_LINE_SCAN) {
        const guchar *d = reader->buf.data;
        gsize n = reader->buf.len;
        const guchar *cr = n ? memchr(d, '\r', n) : NULL;
        if ((n && memchr(d, '\n', n)) || (cr && (gsize)(cr - d) + 1 < n))
            break;
        read_more(reader);
    }
    if (reader->read_errno) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot read: %s",
                    g_strerror(reader->read_errno));
        return FALSE;
    }
    p = reader->buf.data;
    len = reader->buf.len;
    /* A UTF-8 byte order mark, written by some Windows tools. */
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        window_drop(reader, 3);
        reader->buf_offset = 3;
        p = reader->buf.data;
        len = reader->buf.len;
    }
    /* A CR that is not followed by LF before the first LF: the whole file
     * uses CR line ends (classic Mac OS, some exports). */
    for (i = 0; i < len && p[i] != '\n'; i++) {
        if (p[i] == '\r') {
            if (i + 1 < len && p[i + 1] != '\n')
                reader->eol = '\r';
            break;
        }
    }
    for (first_end = 0; first_end < len && p[first_end] != reader->eol;
         first_end++)
        ;
    if (first_end > 0 && reader->eol == '\n' && p[first_end - 1] == '\r')
        first_end--;
    from_line = first_end >= 5 && memcmp(p, "From ", 5) == 0;

    if (reader->forced == MT_INPUT_FORMAT_MBOX && !from_line) {
        g_set_error(error, MT_ERROR, MT_ERROR_NOT_MESSAGE,
                    "not an mbox: the file does not start with a \"From \" "
                    "line");
        return FALSE;
    }
    if (!from_line && !is_header_line(p, first_end)) {
        g_autofree char *why = describe_non_message(p, len);
        g_set_error(error, MT_ERROR, MT_ERROR_NOT_MESSAGE, "%s", why);
        return FALSE;
    }
    reader->format = from_line && reader->forced != MT_INPUT_FORMAT_EML &&
                             reader->forced != MT_INPUT_FORMAT_MAILDIR
                         ? MT_INPUT_FORMAT_MBOX
                         : MT_INPUT_FORMAT_EML;
    if (from_line) {
        gsize line_end;
        gsize content_end = 0;
        /* The whole first line, however long, before the first message. */
        while ((line_end = find_line(reader, 0, 0, &content_end)) == 0 &&
               !reader->eof)
            read_more(reader);
        if (line_end == 0)
            line_end = content_end = reader->buf.len;
        reader->from_line = g_strndup((const char *)reader->buf.data + 5,
                                      MIN(content_end - 5, 4096));
        window_drop(reader, line_end);
        reader->buf_offset += line_end;
    }
    return TRUE;
}

/* Feeds the next len bytes of a message to its line-end statistics. A CR
 * is judged when the byte after it comes, which may be in the next piece:
 * a CR LF split across two reads is one CRLF. memchr() does the walking,
 * since this sees every byte of every message, up to gigabytes. */
static void
eol_feed(EolCount *count, const guchar *p, gsize len)
{
    const guchar *end;

    /* An empty message at the start of the input comes with a NULL
     * buffer: no pointer arithmetic on it. */
    if (len == 0)
        return;
    end = p + len;
    if (count->last_cr) {
        if (*p == '\n') {
            count->crlf = TRUE;
            p++;
        } else {
            count->cr = TRUE;
        }
    }
    /* Once two kinds are seen the answer is "mixed" whatever follows. */
    while (p < end && count->lf + count->crlf + count->cr < 2) {
        const guchar *cr = memchr(p, '\r', (gsize)(end - p));
        const guchar *stop = cr ? cr : end;

        /* Every LF before the next CR is a bare one. */
        if (!count->lf && memchr(p, '\n', (gsize)(stop - p)))
            count->lf = TRUE;
        if (cr == NULL || cr + 1 == end)
            break; /* a last CR waits for the next byte */
        if (cr[1] == '\n') {
            count->crlf = TRUE;
            p = cr + 2;
        } else {
            count->cr = TRUE;
            p = cr + 1;
        }
    }
    count->last_cr = end[-1] == '\r';
}

/* The line-end statistics of a message fed whole; a CR as its last byte is
 * a CR line end. */
static MtEol
eol_result(const EolCount *count)
{
    gboolean cr = count->cr || count->last_cr;

    if (count->lf + count->crlf + cr > 1)
        return MT_EOL_MIXED;
    return count->lf     ? MT_EOL_LF
           : count->crlf ? MT_EOL_CRLF
           : cr          ? MT_EOL_CR
                         : MT_EOL_NONE;
}

static void
split_envelope(MtSource *source, const char *from_line)
{
    const char *p = from_line;
    const char *q;

    source->mbox_from_line = g_strdup(from_line);
    while (*p == ' ')
        p++;
    q = p;
    while (*q && *q != ' ')
        q++;
    if (q > p)
        source->mbox_sender = g_strndup(p, q - p);
    while (*q == ' ')
        q++;
    if (*q)
        source->mbox_date = g_strchomp(g_strdup(q));
}

/* The window's first msg_end bytes as a buffer of their own; the window
 * then starts at next (<= buf.len). A long message, at least as long as
 * what follows it, takes the store along (what follows is copied to a
 * new one: no more bytes than the message has), so a message of hundreds
 * of megabytes is never held twice; a shorter one is copied out and what
 * follows stays where it is. Either way the copy is linear in the
 * message. */
static GByteArray *
take_message(MtMboxReader *reader, gsize msg_end, gsize next)
{
    gsize rest = reader->buf.len - next;
    GByteArray *bytes;

    if (msg_end >= HANDOVER_BYTES && msg_end >= rest) {
        GByteArray *store = g_byte_array_sized_new((guint)MAX(rest, 1));

        if (rest > 0)
            g_byte_array_append(store, reader->buf.data + next,
                                (guint)rest);
        bytes = reader->store;
        if (reader->store_head > 0)
            memmove(bytes->data, reader->buf.data, msg_end);
        g_byte_array_set_size(bytes, msg_end);
        reader->store = store;
        reader->store_head = 0;
        window_sync(reader);
        return bytes;
    }
    bytes = g_byte_array_sized_new((guint)MAX(msg_end, 1));
    if (msg_end > 0)
        g_byte_array_append(bytes, reader->buf.data, (guint)msg_end);
    window_drop(reader, next);
    return bytes;
}

/* Hands out buf[0, msg_end) as the current message. The next message
 * begins at next_start (the byte after its separator line), whose
 * separator text is sep[0, sep_len). */
static MtRawMessage *
emit(MtMboxReader *reader, Scan *scan, gsize msg_end, gsize next_start,
     const guchar *sep, gsize sep_len)
{
    MtRawMessage *raw = g_new0(MtRawMessage, 1);
    MtSource *source = &raw->source;
    char *next_from = NULL;
    /* The window moves on to the next message; without a separator the
     * input is done and what is left (an mbox's last empty line) goes. */
    gsize next = sep ? next_start : reader->buf.len;

    if (sep)
        next_from = g_strndup((const char *)sep + 5, MIN(sep_len - 5, 4096));
    source->path = g_strdup(reader->path);
    source->format = reader->forced == MT_INPUT_FORMAT_MAILDIR
                         ? MT_INPUT_FORMAT_MAILDIR
                         : reader->format;
    source->index = reader->index++;
    source->offset = reader->buf_offset - scan->discarded;
    source->size = msg_end + scan->discarded;
    source->mbox_quoted_from = scan->quoted;
    source->content_length_used = scan->cl_used;
    eol_feed(&scan->eol, reader->buf.data, msg_end);
    source->eol = eol_result(&scan->eol);
    if (reader->from_line)
        split_envelope(source, reader->from_line);

    /* Discarding implies the size is over the limit: discard_scanned()
     * drops only bytes certain to belong to the message, once they are
     * more than the limit. */
    if (!scan->discarding && source->size > reader->limits.max_message_bytes) {
        /* Over the limit but read within one chunk: reported exactly as
         * a discarded one, so the limit does not depend on chunk sizes. */
        scan->discarding = TRUE;
        scan->hash = EVP_MD_CTX_new();
        EVP_DigestInit_ex(scan->hash, EVP_sha256(), NULL);
    }
    if (scan->discarding) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        static const char hex[] = "0123456789abcdef";

        EVP_DigestUpdate(scan->hash, reader->buf.data, msg_end);
        EVP_DigestFinal_ex(scan->hash, digest, &n);
        for (unsigned int i = 0; i < n && i < 32; i++) {
            source->sha256[2 * i] = hex[digest[i] >> 4];
            source->sha256[2 * i + 1] = hex[digest[i] & 0xf];
        }
        g_set_error(&raw->error, MT_ERROR, MT_ERROR_LIMIT,
                    "message is %" G_GUINT64_FORMAT
                    " bytes, over the limit of %" G_GUINT64_FORMAT
                    " (--max-message-size): not analyzed",
                    source->size, reader->limits.max_message_bytes);
        window_drop(reader, next);
    } else {
        GByteArray *bytes;

        mt_sha256_hex(reader->buf.data, msg_end, source->sha256);
        bytes = take_message(reader, msg_end, next);
        if (reader->eol == '\r') {
            /* CR-only: hand GMime LF line ends; one byte for one byte, so
             * offsets in the message still hold. The hash above is over
             * the stored bytes. */
            for (gsize i = 0; i < msg_end; i++)
                if (bytes->data[i] == '\r')
                    bytes->data[i] = '\n';
        }
        raw->data = g_byte_array_free_to_bytes(bytes);
    }
    if (reader->read_errno && !sep && raw->error == NULL)
        g_set_error(&raw->error, MT_ERROR, MT_ERROR_IO,
                    "read error after %" G_GUINT64_FORMAT " bytes: %s",
                    source->offset + source->size,
                    g_strerror(reader->read_errno));

    reader->buf_offset += next_start;
    g_free(reader->from_line);
    reader->from_line = next_from;
    if (!sep)
        reader->finished = TRUE;
    return raw;
}

/* Whether a Content-Length is still being checked: until it is decided,
 * the message may end at its first candidate separator, so nothing from
 * there on may be dropped. The rule that a followed Content-Length keeps
 * the message within the limit bounds what this holds. */
static gboolean
content_length_open(const Scan *scan)
{
    return scan->cl_end >= 0 || scan->cl_expect_sep >= 0 ||
           (scan->pending.active && scan->pending.at_cl) ||
           scan->candidates->len > 0;
}

/* Drops into the hash and the line-end count the scanned bytes certain to
 * belong to the message, once they alone are over max_message_bytes; keeps
 * whatever may still turn out to be the next message's separator. */
static void
discard_scanned(MtMboxReader *reader, Scan *scan)
{
    gsize keep;

    if (content_length_open(scan))
        return;
    /* A pending separator or an empty line before an unfinished short
     * line may end the message; a long line has been decided already and
     * is the message's. */
    keep = scan->pending.active ? scan->pending.blank_start
           : scan->long_line    ? reader->buf.len
           : scan->prev_empty   ? scan->prev_line_start
                                : scan->pos;
    if (keep == 0 ||
        scan->discarded + keep <= reader->limits.max_message_bytes)
        return;
    if (!scan->discarding) {
        scan->discarding = TRUE;
        scan->hash = EVP_MD_CTX_new();
        EVP_DigestInit_ex(scan->hash, EVP_sha256(), NULL);
    }
    if (scan->long_line && keep > scan->pos)
        scan->long_cut = TRUE;
    EVP_DigestUpdate(scan->hash, reader->buf.data, keep);
    eol_feed(&scan->eol, reader->buf.data, keep);
    window_drop(reader, keep);
    scan->discarded += keep;
    reader->buf_offset += keep;
    scan->pos = scan->pos > keep ? scan->pos - keep : 0;
    scan->search = scan->search > keep ? scan->search - keep : 0;
    scan->prev_line_start =
        scan->prev_line_start > keep ? scan->prev_line_start - keep : 0;
    if (scan->pending.active) {
        scan->pending.line_start -= keep;
        scan->pending.content_end -= keep;
        scan->pending.line_end -= keep;
        scan->pending.blank_start -= keep;
    }
}

static void
scan_content_length(Scan *scan, const guchar *line, gsize len)
{
    gsize i = 15;
    guint64 value = 0;

    if (scan->content_length >= 0 || len < 16 ||
        g_ascii_strncasecmp((const char *)line, "Content-Length:", 15) != 0)
        return;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return;
    for (; i < len && g_ascii_isdigit(line[i]); i++) {
        value = value * 10 + (line[i] - '0');
        if (value > G_MAXINT32)
            return; /* a lie we need not follow */
    }
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        scan->content_length = (gint64)value;
}

/* Content-Length did not hold: the first "From " line inside the body is a
 * separator after all. Returns the message up to it, or NULL when there was
 * none. */
static MtRawMessage *
content_length_failed(MtMboxReader *reader, Scan *scan)
{
    scan->cl_end = scan->cl_expect_sep = -1;
    if (scan->candidates->len == 0)
        return NULL;
    Pending c = g_array_index(scan->candidates, Pending, 0);
    return emit(reader, scan, c.blank_start, c.line_end,
                reader->buf.data + c.line_start, c.content_end - c.line_start);
}

static MtRawMessage *
emit_pending(MtMboxReader *reader, Scan *scan, const Pending *p)
{
    return emit(reader, scan, p->blank_start, p->line_end,
                reader->buf.data + p->line_start, p->content_end -
                p->line_start);
}

/* Decides everything the line at scan->pos tells by its first LINE_HEAD
 * bytes (len of them are there): whether the "From " line before it was a
 * separator, and whether it is where a Content-Length says the body ends.
 * So a long line is decided before its end arrives, exactly as it is once
 * its end is there. content_end and line_end are used only when the line
 * is a separator or empty, that is short and complete. Returns the message
 * when the line ends it. */
static MtRawMessage *
decide_line_head(MtMboxReader *reader, Scan *scan, gsize len,
                 gsize content_end, gsize line_end, gboolean *handled)
{
    const guchar *line = reader->buf.data + scan->pos;
    gboolean mbox = reader->format == MT_INPUT_FORMAT_MBOX;
    MtRawMessage *raw;

    /* A "From " line is a separator only when a header field follows
     * it: this decides the one seen on the previous line. */
    if (scan->pending.active) {
        Pending p = scan->pending;
        scan->pending.active = FALSE;
        if (head_is_header(line, len)) {
            if (p.at_cl) {
                scan->cl_used = TRUE;
                return emit_pending(reader, scan, &p);
            }
            if (scan->cl_end >= 0 && p.line_start < (gsize)scan->cl_end)
                g_array_append_val(scan->candidates, p);
            else
                return emit_pending(reader, scan, &p);
        } else if (p.at_cl) {
            raw = content_length_failed(reader, scan);
            if (raw)
                return raw;
        }
    }

    /* Where Content-Length says the body ends, a separator must start,
     * maybe after one empty line. */
    if (mbox && scan->cl_end >= 0 && scan->pos == (gsize)scan->cl_end) {
        *handled = TRUE;
        scan->cl_end = -1;
        if (is_separator(line, len))
            scan->pending = (Pending){TRUE, TRUE, scan->pos, content_end,
                                      line_end, scan->pos};
        else if (len == 0)
            scan->cl_expect_sep = (gint64)line_end;
        else
            return content_length_failed(reader, scan);
    } else if (mbox && scan->cl_end < 0 && scan->cl_expect_sep >= 0 &&
               scan->pos == (gsize)scan->cl_expect_sep) {
        *handled = TRUE;
        scan->cl_expect_sep = -1;
        if (is_separator(line, len))
            scan->pending = (Pending){TRUE, TRUE, scan->pos, content_end,
                                      line_end, scan->prev_line_start};
        else
            return content_length_failed(reader, scan);
    }
    return NULL;
}

/* Whether the line at scan->pos, ending at line_end or not ended yet at
 * the end of the buffer (line_end 0), runs past where Content-Length says
 * the body ends: then the Content-Length fails. */
static gboolean
runs_past_cl_end(const MtMboxReader *reader, const Scan *scan,
                 gsize line_end)
{
    gsize cl_end = (gsize)scan->cl_end;

    if (reader->format != MT_INPUT_FORMAT_MBOX || scan->cl_end < 0 ||
        scan->pos >= cl_end)
        return FALSE;
    return line_end ? line_end > cl_end : reader->buf.len > cl_end;
}

/* The line at scan->pos has no end yet. Once more than LINE_HEAD bytes of
 * it are there, decides it from them, so that neither a pending separator
 * nor a Content-Length holds a long line (and the message before it) in
 * memory. Returns the message when the line ends it. */
static MtRawMessage *
decide_long_line(MtMboxReader *reader, Scan *scan)
{
    gsize have = reader->buf.len - scan->pos;

    if (!scan->long_line) {
        gboolean handled = FALSE;
        MtRawMessage *raw;

        /* Plus one: a CR at the end may belong to a CR LF. */
        if (have <= LINE_HEAD + 1)
            return NULL;
        raw = decide_line_head(reader, scan, have, 0, 0, &handled);
        if (raw)
            return raw;
        scan->long_line = TRUE;
        scan->long_quoted =
            head_is_quoted_from(reader->buf.data + scan->pos, have);
    }
    if (runs_past_cl_end(reader, scan, 0))
        return content_length_failed(reader, scan);
    return NULL;
}

static MtRawMessage *
next_message(MtMboxReader *reader)
{
    Scan scan = {0};
    MtRawMessage *raw = NULL;
    gboolean mbox = reader->format == MT_INPUT_FORMAT_MBOX;
    guint64 limit = reader->limits.max_message_bytes;

    scan.in_headers = TRUE;
    scan.content_length = scan.cl_end = scan.cl_expect_sep = -1;
    scan.candidates = g_array_new(FALSE, FALSE, sizeof(Pending));

    while (raw == NULL) {
        gsize content_end = 0;
        gsize line_end =
            find_line(reader, scan.pos, scan.search, &content_end);
        const guchar *line;
        gsize len;
        gboolean empty, handled = FALSE;

        if (line_end == 0) {
            scan.search = reader->buf.len;
            if (!reader->eof) {
                raw = decide_long_line(reader, &scan);
                if (raw)
                    break;
                /* Once the message is known to be too large, drop as we
                 * go: memory stays at about one read. */
                if (reader->buf.len > limit ||
                    (scan.discarding && reader->buf.len >= reader->chunk))
                    discard_scanned(reader, &scan);
                read_more(reader);
                continue;
            }
            if (scan.pos == reader->buf.len && !scan.long_line) {
                /* End of input: the message runs to here, unless a
                 * Content-Length promised something else. A "From "
                 * line with nothing after it is content. */
                if ((scan.cl_end >= 0 && (gsize)scan.cl_end != scan.pos) ||
                    scan.cl_expect_sep >= 0 ||
                    (scan.pending.active && scan.pending.at_cl))
                    raw = content_length_failed(reader, &scan);
                if (raw == NULL) {
                    gsize end = reader->buf.len;

                    scan.cl_used = scan.cl_end >= 0;
                    /* mbox writers end every message with an empty line
                     * that belongs to the separator after it; at the end
                     * of the file the last one is theirs too (Python's
                     * mailbox reads it so). Then an mbox cut at message
                     * boundaries (GNU parallel --pipepart) gives the
                     * same messages, bytes and hashes as the whole. */
                    if (mbox && !scan.cl_used &&
                        scan.prev_empty && scan.prev_line_start < end)
                        end = scan.prev_line_start;
                    raw = emit(reader, &scan, end, 0, NULL, 0);
                }
                break;
            }
            /* A last line without a line end. */
            line_end = content_end = reader->buf.len;
        }
        line = reader->buf.data + scan.pos;
        len = content_end - scan.pos;
        empty = len == 0 && !scan.long_line;

        /* A long line's head was decided before its end came. */
        if (!scan.long_line) {
            raw = decide_line_head(reader, &scan, len, content_end, line_end,
                                   &handled);
            if (raw)
                break;
        }
        if (runs_past_cl_end(reader, &scan, line_end)) {
            raw = content_length_failed(reader, &scan);
            if (raw)
                break;
        }

        if (scan.in_headers) {
            if (empty) {
                scan.in_headers = FALSE;
                /* Followed only for a message within the limit (see the
                 * top of the file). */
                if (mbox && scan.content_length >= 0 &&
                    scan.discarded + line_end +
                            (guint64)scan.content_length <= limit)
                    scan.cl_end = (gint64)line_end + scan.content_length;
            } else if (mbox && !scan.long_cut) {
                scan_content_length(&scan, line, len);
            }
        }
        if (mbox && !handled && !scan.long_line && is_separator(line, len)) {
            /* The empty line before a separator belongs to it. */
            scan.pending = (Pending){
                TRUE, FALSE, scan.pos, content_end, line_end,
                scan.prev_empty ? scan.prev_line_start : scan.pos};
        } else if (mbox && (scan.long_line ? scan.long_quoted
                                           : head_is_quoted_from(line, len))) {
            scan.quoted++;
        }
        scan.prev_empty = empty;
        scan.prev_line_start = scan.pos;
        scan.long_line = scan.long_quoted = scan.long_cut = FALSE;
        scan.pos = scan.search = line_end;
    }
    if (scan.hash)
        EVP_MD_CTX_free(scan.hash);
    g_array_unref(scan.candidates);
    return raw;
}

MtRawMessage *
mt_mbox_reader_next(MtMboxReader *reader, GError **error)
{
    if (reader->finished)
        return NULL;
    if (!reader->started && !start(reader, error)) {
        reader->finished = TRUE;
        return NULL;
    }
    return next_message(reader);
}

GPtrArray *
mt_mbox_split_bytes_chunked(const char *path, const void *data, gsize len,
                            gsize chunk, const MtLimits *limits,
                            GError **error)
{
    MtMboxReader *reader = mt_mbox_reader_new_mem(
        path, data, len, chunk, MT_INPUT_FORMAT_AUTO, limits);
    GPtrArray *out =
        g_ptr_array_new_with_free_func((GDestroyNotify)mt_raw_message_free);
    MtRawMessage *raw;

    while ((raw = mt_mbox_reader_next(reader, error)) != NULL)
        g_ptr_array_add(out, raw);
    mt_mbox_reader_free(reader);
    return out;
}

GPtrArray *
mt_mbox_split_bytes(const char *path, const void *data, gsize len,
                    const MtLimits *limits)
{
    return mt_mbox_split_bytes_chunked(path, data, len, 0, limits, NULL);
}
