/* SPDX-License-Identifier: MIT */
/*
 * mime.c: the MIME part tree of a message, and what its structure says.
 *
 * GMime parses the message; this file walks the result with an explicit
 * stack (a hostile message nests as deep as GMime allows, which is far
 * deeper than any C stack should follow) into MtPart nodes named by their
 * IMAP section numbers. Each leaf's content is located in the raw bytes
 * through the substream GMime keeps for it, decoded here from those bytes
 * with decoders that notice what lenient decoders silently repair (junk in
 * base64, a lone "=" in quoted-printable, data after the padding: the
 * places where two decoders can disagree and a filter sees something else
 * than the reader), bounded by the per-part and per-message limits, and
 * hashed once. Text bodies go to body.c, everything else to attachment.c,
 * embedded messages (message/rfc822, message/global, also when base64
 * encoded, as some forwarders send them) are analyzed as messages of their
 * own and their parts walked as part of this tree, delivery status
 * notifications are read into MtDsn, and the structural tricks (ambiguous
 * or missing boundaries, text hidden in preambles, conflicting file names
 * and parameters, message/partial) become findings. Work is linear in the
 * message: per leaf one pass to decode, one to hash and one scan for
 * lines that look like delimiters; a boundary scan over each embedded
 * message, whose depth is bounded; no copy of a part's content beyond its
 * decoded buffer.
 */
#include <string.h>

#include "identity-private.h"
#include "mime-private.h"
#include "relay-private.h"
#include "rfc2047-private.h"

/* Preamble and epilogue text kept per multipart. */
#define MAX_KEPT_TEXT 2000
/* A parameter value or header text longer than this is cut. */
#define MAX_VALUE 8192
/* Recipient groups and value bytes read from one delivery-status part. */
#define MAX_DSN_RECIPIENTS 1000
#define MAX_DSN_VALUE 2000
/* Uuencoded files taken from one text body. */
#define MAX_UU_FILES 100
/* Multiparts checked for a closing delimiter after GMime reported a
 * truncated message: each check is a scan of the rest of the bytes. */
#define MAX_CLOSING_CHECKS 64
/* Text of an embedded message's From and Subject quoted in a finding. */
#define MAX_QUOTED 120

/* Limits recorded once per report. */
enum {
    HIT_PARTS = 1 << 0,
    HIT_DEPTH = 1 << 1,
    HIT_MESSAGE_DEPTH = 1 << 2,
    HIT_PART_DECODED = 1 << 3,
    HIT_MESSAGE_DECODED = 1 << 4,
    HIT_DSN = 1 << 5,
};

/* The bytes GMime's offsets index: the message itself, or the decoded
 * content of a base64 message/rfc822 part, parsed again. */
typedef struct {
    const guchar *data;
    gsize len;
    gboolean mapped;    /* offsets are offsets in the outermost message */
    gint64 origin;      /* unmapped: where the encoded bytes began */
    gboolean truncated; /* GMime said the message ends too early */
} Buffer;

/* The boundaries of the enclosing multiparts, innermost first. GMime ends
 * a part at the delimiter of any multipart it is inside, across embedded
 * messages, so the chain crosses message parts too. */
typedef struct _Bound Bound;
struct _Bound {
    const Bound *up;
    gsize len;
    char boundary[];
};

/* One entity waiting on the walk's stack. */
typedef struct {
    GMimeObject *object;
    MtPart *parent;       /* NULL for the message's top-level entity */
    char *path;           /* owned until the part takes it */
    int depth;
    int message_depth;    /* message parts above this entity */
    const Buffer *buffer;
    gsize extent_end;     /* the entity lies before this offset */
    const Bound *bounds;
    GMimeMessage *message; /* set for a message's top-level entity */
} Frame;

/* A multipart to check for its closing delimiter. */
typedef struct {
    MtPart *part;
    const Buffer *buffer;
    gsize from, to;
    const Bound *bound;
} Closing;

/* A returned message or header block next to a delivery-status part. */
typedef struct {
    MtPart *parent;
    char *path;
    GPtrArray *headers; /* MtHeader* */
} Returned;

typedef struct {
    MtPart *parent;
    MtDsn *dsn;
} DsnRef;

/* A message part with a report of its own, judged after the walk. */
typedef struct {
    MtPart *part;
    gboolean returned; /* in a multipart/report */
} Embedded;

typedef struct {
    MtReport *report;
    const MtOptions *options;
    const MtLimits *limits;
    gsize message_len;   /* bytes of the outermost message */
    guint64 decoded_total;
    guint queued;        /* parts pushed for the walk so far */
    guint hit;           /* HIT_* */
    GArray *stack;       /* Frame */
    GPtrArray *memory;   /* Buffer*, Bound*: g_free at the end */
    GPtrArray *objects;  /* GObject*: parsed embedded messages, streams */
    GArray *closing;     /* Closing */
    GArray *dsn_refs;    /* DsnRef */
    GArray *returned;    /* Returned */
    GArray *embedded;    /* Embedded, in walk order */
} Walk;

/* ------------------------------------------------------------------ */
/* Limits. */

void
mt_report_limit_reached(MtReport *report, const char *limit,
                        const char *part, const char *fmt, ...)
{
    MtEvidence ev = {-1, -1, -1, (char *)part};
    g_autofree char *detail = NULL;
    va_list args;

    g_return_if_fail(report != NULL && limit != NULL && fmt != NULL);
    va_start(args, fmt);
    detail = g_strdup_vprintf(fmt, args);
    va_end(args);
    mt_report_add_finding(report, "limit-reached", MT_SEVERITY_LOW, &ev,
                          "limit %s: %s", limit, detail);
}

/* Records a limit the first time it is hit in this walk. */
static gboolean
limit_once(Walk *w, guint bit)
{
    if (w->hit & bit)
        return FALSE;
    w->hit |= bit;
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Small text helpers. */

/* A copy of s, valid UTF-8 (escaped when not), cut at MAX_VALUE bytes;
 * NULL for NULL. */
static char *
text_dup(const char *s)
{
    gsize n;

    if (s == NULL)
        return NULL;
    n = strnlen(s, MAX_VALUE);
    if (g_utf8_validate(s, (gssize)n, NULL))
        return g_strndup(s, n);
    return mt_escape_bytes(s, n, NULL);
}

static gboolean
is_blank(const char *s)
{
    for (; s && *s; s++)
        if (!g_ascii_isspace(*s))
            return FALSE;
    return TRUE;
}

static gboolean
has_8bit(const char *s)
{
    for (; s && *s; s++)
        if ((guchar)*s >= 0x80)
            return TRUE;
    return FALSE;
}

static MtEvidence
evidence_at(const char *path, gint64 offset)
{
    MtEvidence ev = {-1, offset, -1, (char *)path};

    return ev;
}

/* ------------------------------------------------------------------ */
/* Headers and parameters of one entity. */

static GPtrArray *
params_from(GMimeParamList *list, gboolean skip_boundary)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(mt_param_free);
    int n = list ? g_mime_param_list_length(list) : 0;

    for (int i = 0; i < n; i++) {
        GMimeParam *p = g_mime_param_list_get_parameter_at(list, i);
        const char *name = g_mime_param_get_name(p);
        g_autofree char *valid = NULL;
        MtParam *param;

        if (name == NULL)
            continue;
        if (skip_boundary && g_ascii_strcasecmp(name, "boundary") == 0)
            continue;
        valid = text_dup(name);
        param = g_new0(MtParam, 1);
        param->name = g_ascii_strdown(valid, -1);
        param->value = text_dup(g_mime_param_get_value(p));
        g_ptr_array_add(out, param);
    }
    return out;
}

static const MtParam *
param_find(const GPtrArray *params, const char *name)
{
    for (guint i = 0; params && i < params->len; i++) {
        const MtParam *p = params->pdata[i];

        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

/* The raw value of the first header called name in list, or NULL. */
static const char *
header_raw(GMimeHeaderList *list, const char *name, gint64 *offset)
{
    int n = list ? g_mime_header_list_get_count(list) : 0;

    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

        if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0) {
            if (offset)
                *offset = g_mime_header_get_offset(h);
            return g_mime_header_get_raw_value(h);
        }
    }
    return NULL;
}

static gint64
first_header_offset(GMimeHeaderList *list)
{
    if (list == NULL || g_mime_header_list_get_count(list) == 0)
        return -1;
    return g_mime_header_get_offset(g_mime_header_list_get_header_at(list,
                                                                     0));
}

/* Whether a multipart's own Content-Type declares a boundary: GMime makes
 * one up for a multipart without, and writes it into the parameters. */
static gboolean
boundary_declared(GMimeHeaderList *list)
{
    const char *raw = header_raw(list, "Content-Type", NULL);
    GMimeContentType *ct;
    gboolean found;

    if (raw == NULL)
        return FALSE;
    ct = g_mime_content_type_parse(NULL, raw);
    if (ct == NULL)
        return FALSE;
    found = g_mime_content_type_get_parameter(ct, "boundary") != NULL;
    g_object_unref(ct);
    return found;
}

/* One finding per header block holding 8-bit bytes: RFC 5322 headers are
 * ASCII, RFC 6532 allows UTF-8 only for SMTPUTF8 mail; raw bytes in other
 * charsets are read differently by every client. path is NULL for the
 * outermost message's own header. */
static void
check_8bit_headers(Walk *w, GMimeHeaderList *list, const char *path)
{
    int n = list ? g_mime_header_list_get_count(list) : 0;

    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
        const char *name = g_mime_header_get_name(h);
        const char *raw = g_mime_header_get_raw_value(h);
        g_autofree char *shown = NULL;
        MtEvidence ev;
        gboolean utf8;

        if (!has_8bit(name) && !has_8bit(raw))
            continue;
        utf8 = g_utf8_validate(raw ? raw : "", -1, NULL) &&
               g_utf8_validate(name ? name : "", -1, NULL);
        shown = text_dup(name);
        ev = evidence_at(path, g_mime_header_get_offset(h));
        mt_report_add_finding(
            w->report, "mime-8bit-header",
            utf8 ? MT_SEVERITY_INFO : MT_SEVERITY_LOW, &ev,
            "the header field %s of %s%s holds unencoded 8-bit bytes (%s)",
            shown ? shown : "", path ? "part " : "the message",
            path ? path : "",
            utf8 ? "UTF-8, which RFC 6532 allows only in SMTPUTF8 mail"
                 : "not UTF-8: each client guesses the charset");
        return;
    }
}

/* Two Content-Type, Content-Transfer-Encoding or Content-Disposition
 * fields in one header block: GMime takes one, other parsers the other,
 * and a filter may check the one the reader never sees. */
static void
check_header_conflict(Walk *w, GMimeHeaderList *list, const char *path)
{
    static const char *const names[] = {
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition"};
    int n = list ? g_mime_header_list_get_count(list) : 0;

    for (guint k = 0; k < G_N_ELEMENTS(names); k++) {
        guint count = 0;
        gint64 second = -1;

        for (int i = 0; i < n; i++) {
            GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

            if (g_ascii_strcasecmp(g_mime_header_get_name(h), names[k]))
                continue;
            if (++count == 2)
                second = g_mime_header_get_offset(h);
        }
        if (count > 1) {
            MtEvidence ev = evidence_at(path, second);

            mt_report_add_finding(w->report, "mime-header-conflict",
                                  MT_SEVERITY_MEDIUM, &ev,
                                  "%s has %u %s fields; parsers disagree "
                                  "on which one counts",
                                  path, count, names[k]);
        }
    }
}

/* The same parameter twice in one header: RFC 2045 5.1 does not allow
 * it, and which one counts differs between parsers. GMime also folds
 * filename*= (RFC 2231) into filename, so a sender that writes both forms
 * shows up here with the same value: only different values matter. */
static void
check_duplicate_params(Walk *w, const GPtrArray *params, const char *path,
                       const char *header)
{
    for (guint i = 0; params && i < params->len && i < 64; i++) {
        const MtParam *a = params->pdata[i];

        for (guint j = 0; j < i; j++) {
            const MtParam *b = params->pdata[j];
            MtEvidence ev = evidence_at(path, -1);

            if (strcmp(a->name, b->name) != 0)
                continue;
            if (g_strcmp0(a->value, b->value) == 0)
                mt_report_add_finding(w->report, "mime-duplicate-parameter",
                                      MT_SEVERITY_INFO, &ev,
                                      "%s: %s parameter %s appears twice "
                                      "with the same value",
                                      path, header, a->name);
            else
                mt_report_add_finding(w->report, "mime-duplicate-parameter",
                                      MT_SEVERITY_MEDIUM, &ev,
                                      "%s: %s parameter %s appears twice, "
                                      "as \"%s\" and \"%s\"",
                                      path, header, a->name,
                                      b->value ? b->value : "",
                                      a->value ? a->value : "");
            return;
        }
    }
}

/* The name= of a Content-Type GMime rejected ("BINARY;name=x" has no
 * subtype, "text/;name=x" none either, "/;name=x" no type, a quoted or
 * spaced type is no token): GMime then drops every parameter, while other
 * parsers keep them, so a scanner built on one misses the file name
 * another shows. Called when GMime's parameters give no name: for a type
 * GMime read, the same parameter parser finds none here either, so no
 * test of the type's form is needed (one that looked for a '/' missed
 * "text/"). Transfer full, or NULL. */
static char *
name_from_invalid_type(GMimeHeaderList *list)
{
    const char *raw = header_raw(list, "Content-Type", NULL);
    const char *semi = raw ? strchr(raw, ';') : NULL;
    GMimeParamList *params;
    GMimeParam *name;
    char *out = NULL;

    if (semi == NULL)
        return NULL;
    params = g_mime_param_list_parse(NULL, semi + 1);
    if (params == NULL)
        return NULL;
    name = g_mime_param_list_get_parameter(params, "name");
    if (name && g_mime_param_get_value(name) &&
        g_mime_param_get_value(name)[0])
        out = text_dup(g_mime_param_get_value(name));
    g_object_unref(params);
    return out;
}

/* The part's header fields as GMime read them. Returns FALSE for a
 * multipart whose own header declares no boundary; read it here, first:
 * once GMime formats the made-up one, its raw header shows it too. */
static gboolean
read_headers(Walk *w, const Frame *f, MtPart *part)
{
    GMimeObject *o = f->object;
    GMimeHeaderList *list = g_mime_object_get_header_list(o);
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
    const char *type = ct ? g_mime_content_type_get_media_type(ct) : NULL;
    const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
    const char *cte = g_mime_object_get_header(o,
                                               "Content-Transfer-Encoding");
    const char *desc = g_mime_object_get_header(o, "Content-Description");
    const MtParam *fn;
    gboolean no_boundary = FALSE;

    if (type && sub) {
        g_autofree char *joined = g_strdup_printf("%s/%s", type, sub);
        g_autofree char *valid = text_dup(joined);

        part->content_type = g_ascii_strdown(valid, -1);
    } else {
        part->content_type = g_strdup("text/plain");
    }
    part->type_declared = header_raw(list, "Content-Type", NULL) != NULL;
    if (GMIME_IS_MULTIPART(o) && !boundary_declared(list))
        no_boundary = TRUE;
    part->type_params = params_from(
        ct ? g_mime_content_type_get_parameters(ct) : NULL, no_boundary);
    part->charset = text_dup(
        ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL);
    if (cte) {
        g_autofree char *t = text_dup(cte);

        part->transfer_encoding = g_ascii_strdown(g_strstrip(t), -1);
    }
    if (cd) {
        const char *d = g_mime_content_disposition_get_disposition(cd);
        g_autofree char *t = text_dup(d);

        part->disposition = t ? g_ascii_strdown(g_strstrip(t), -1) : NULL;
        part->disposition_params =
            params_from(g_mime_content_disposition_get_parameters(cd),
                        FALSE);
    } else {
        part->disposition_params =
            g_ptr_array_new_with_free_func(mt_param_free);
    }
    fn = param_find(part->disposition_params, "filename");
    if (fn == NULL || fn->value == NULL || fn->value[0] == '\0')
        fn = param_find(part->type_params, "name");
    if (fn && fn->value && fn->value[0])
        part->filename = g_strdup(fn->value);
    else if (part->type_declared)
        part->filename = name_from_invalid_type(list);
    part->content_id = text_dup(g_mime_object_get_content_id(o));
    if (desc) {
        gsize n = strnlen(desc, MAX_VALUE);

        part->content_description = mt_rfc2047_decode(desc, n, NULL, -1);
    }
    if (f->message)
        part->header_offset = first_header_offset(
            g_mime_object_get_header_list(GMIME_OBJECT(f->message)));
    else
        part->header_offset = first_header_offset(list);
    if (!f->buffer->mapped)
        part->header_offset = -1;
    part->body_offset = -1;

    if (no_boundary) {
        gint64 at = -1;
        MtEvidence ev;

        header_raw(list, "Content-Type", &at);
        ev = evidence_at(part->path, f->buffer->mapped ? at : -1);
        mt_report_add_finding(w->report, "mime-boundary-missing",
                              MT_SEVERITY_MEDIUM, &ev,
                              "%s is %s without a boundary parameter: "
                              "each parser guesses where its parts are",
                              part->path, part->content_type);
    }
    return !no_boundary;
}

/* Structural checks on the parameters of one part. */
static void
check_params(Walk *w, MtPart *part)
{
    const MtParam *name = param_find(part->type_params, "name");
    const MtParam *filename = param_find(part->disposition_params,
                                         "filename");

    check_duplicate_params(w, part->type_params, part->path,
                           "Content-Type");
    check_duplicate_params(w, part->disposition_params, part->path,
                           "Content-Disposition");
    /* A filter that reads name= and a client that saves as filename=
     * (or the other way round) see two different files. */
    if (name && filename && name->value && filename->value &&
        name->value[0] && filename->value[0]) {
        g_autofree char *a = g_utf8_casefold(name->value, -1);
        g_autofree char *b = g_utf8_casefold(filename->value, -1);

        if (strcmp(a, b) != 0) {
            MtEvidence ev = evidence_at(part->path, part->header_offset);

            mt_report_add_finding(w->report, "mime-filename-conflict",
                                  MT_SEVERITY_MEDIUM, &ev,
                                  "%s is named \"%s\" by Content-Type and "
                                  "\"%s\" by Content-Disposition",
                                  part->path, name->value, filename->value);
        }
    }
    if (part->kind == MT_PART_MULTIPART &&
        (g_strcmp0(part->disposition, "attachment") == 0 || filename)) {
        MtEvidence ev = evidence_at(part->path, part->header_offset);

        /* Some clients then show the whole subtree as one opaque file,
         * others open it: what is scanned and what is read diverge.
         * "inline" on a multipart is what mutt writes, and harmless. */
        mt_report_add_finding(w->report, "mime-disposition-conflict",
                              MT_SEVERITY_LOW, &ev,
                              "%s is %s but declared as an attachment%s%s",
                              part->path, part->content_type,
                              filename ? " named " : "",
                              filename && filename->value ? filename->value
                                                          : "");
    }
}

/* ------------------------------------------------------------------ */
/* Transfer decoding, bounded, noticing what lenient decoders repair. */

typedef enum {
    ENC_IDENTITY, /* 7bit, 8bit, binary, none */
    ENC_BASE64,
    ENC_QP,
    ENC_UUENCODE,
    ENC_UNKNOWN,  /* declared but not an encoding RFC 2045 knows */
} Encoding;

static Encoding
encoding_of(const char *cte)
{
    if (cte == NULL || cte[0] == '\0' || strcmp(cte, "7bit") == 0 ||
        strcmp(cte, "8bit") == 0 || strcmp(cte, "binary") == 0)
        return ENC_IDENTITY;
    if (strcmp(cte, "base64") == 0)
        return ENC_BASE64;
    if (strcmp(cte, "quoted-printable") == 0)
        return ENC_QP;
    if (strcmp(cte, "x-uuencode") == 0 || strcmp(cte, "uuencode") == 0 ||
        strcmp(cte, "x-uue") == 0)
        return ENC_UUENCODE;
    return ENC_UNKNOWN;
}

/* What a decoder saw; offsets are in the encoded content. */
typedef struct {
    gsize junk;            /* base64: characters outside the alphabet */
    gsize junk_at;
    gboolean after_padding; /* base64: data after the "=" padding */
    gsize after_padding_at;
    gboolean bad_padding;  /* base64: "=" too early, or a lone sextet */
    gsize bad_padding_at;
    gboolean unpadded;     /* base64: the last quantum lacks its "=" */
    gsize qp_invalid;      /* quoted-printable: "=" not followed by two hex
                            * digits or a line end */
    gsize qp_invalid_at;
    gboolean no_begin;     /* uuencode: no "begin" line */
} DecodeNotes;

/* 0..63: the sextet; 64: "="; 65: white space; 66: anything else. */
static guchar b64_table[256];

static void
b64_table_init(void)
{
    static gsize done = 0;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    if (!g_once_init_enter(&done))
        return;
    memset(b64_table, 66, sizeof(b64_table));
    for (guint i = 0; i < 64; i++)
        b64_table[(guchar)alphabet[i]] = (guchar)i;
    b64_table['='] = 64;
    b64_table[' '] = b64_table['\t'] = b64_table['\r'] = 65;
    b64_table['\n'] = b64_table['\f'] = b64_table['\v'] = 65;
    g_once_init_leave(&done, 1);
}

/* Decodes base64 from in into out (room for cap bytes). Junk characters
 * are skipped and the output ends at the padding, as GMime and Python do
 * (a mailing list footer appended to a base64 part is ignored that way);
 * both are noted, since other decoders stop at the junk or go on after
 * the padding. Returns the bytes written; *full is FALSE when cap stopped
 * it. */
static gsize
decode_base64(const guchar *in, gsize len, guchar *out, gsize cap,
              DecodeNotes *notes, gboolean *full)
{
    guint32 acc = 0;
    guint n = 0;        /* sextets in the current quantum */
    gboolean padded = FALSE;
    guint want_pad = 0; /* "=" still expected after the padding began */
    gsize o = 0;

    b64_table_init();
    *full = TRUE;
    for (gsize i = 0; i < len; i++) {
        guchar v;

        /* Whole quanta of four alphabet characters, nearly all of a
         * well-formed part, four at a time; anything else (white space,
         * padding, junk, the cap) goes the careful way below. Sextets are
         * below 64 and every other class has bit 6 set. */
        if (n == 0 && !padded) {
            while (i + 4 <= len && o + 3 <= cap) {
                guint32 a = b64_table[in[i]], b = b64_table[in[i + 1]];
                guint32 c = b64_table[in[i + 2]], e = b64_table[in[i + 3]];

                if ((a | b | c | e) & 64)
                    break;
                acc = a << 18 | b << 12 | c << 6 | e;
                out[o++] = (guchar)(acc >> 16);
                out[o++] = (guchar)(acc >> 8);
                out[o++] = (guchar)acc;
                i += 4;
            }
            acc = 0;
            if (i >= len)
                break;
        }
        v = b64_table[in[i]];

        if (v < 64) {
            if (padded) {
                if (!notes->after_padding) {
                    notes->after_padding = TRUE;
                    notes->after_padding_at = i;
                }
                continue;
            }
            acc = acc << 6 | v;
            if (++n == 4) {
                if (o + 3 > cap) {
                    *full = FALSE;
                    return o;
                }
                out[o++] = (guchar)(acc >> 16);
                out[o++] = (guchar)(acc >> 8);
                out[o++] = (guchar)acc;
                n = 0;
                acc = 0;
            }
        } else if (v == 64) {
            if (padded && want_pad > 0) {
                want_pad--;
                continue;
            }
            if (padded || n < 2) {
                /* "=" at the start of a quantum, after one sextet, or a
                 * third "=": no byte can end there. */
                if (!notes->bad_padding) {
                    notes->bad_padding = TRUE;
                    notes->bad_padding_at = i;
                }
                n = 0;
                acc = 0;
                continue;
            }
            if (o + n - 1 > cap) {
                *full = FALSE;
                return o;
            }
            if (n == 2) {
                out[o++] = (guchar)(acc >> 4);
                want_pad = 1;
            } else {
                out[o++] = (guchar)(acc >> 10);
                out[o++] = (guchar)(acc >> 2);
                want_pad = 0;
            }
            padded = TRUE;
            n = 0;
            acc = 0;
        } else if (v == 66) {
            if (notes->junk++ == 0)
                notes->junk_at = i;
        }
    }
    if (n == 1 && !notes->bad_padding) {
        notes->bad_padding = TRUE;
        notes->bad_padding_at = len;
    } else if (n >= 2) {
        notes->unpadded = TRUE;
        if (o + n - 1 > cap) {
            *full = FALSE;
            return o;
        }
        if (n == 2) {
            out[o++] = (guchar)(acc >> 4);
        } else {
            out[o++] = (guchar)(acc >> 10);
            out[o++] = (guchar)(acc >> 2);
        }
    }
    return o;
}

/* Decodes quoted-printable (RFC 2045 6.7). A "=" that starts neither a
 * hex pair nor a soft line break is kept as it is, as most clients do,
 * and noted. Lowercase hex is accepted silently: common, and read the
 * same by everyone. Line ends are kept as written. */
static gsize
decode_qp(const guchar *in, gsize len, guchar *out, gsize cap,
          DecodeNotes *notes, gboolean *full)
{
    gsize o = 0;

    *full = TRUE;
    for (gsize i = 0; i < len; i++) {
        guchar c = in[i];

        if (c == '=') {
            int hi = i + 1 < len ? mt_hex_value(in[i + 1]) : -1;
            int lo = i + 2 < len ? mt_hex_value(in[i + 2]) : -1;
            gsize j = i + 1;

            if (hi >= 0 && lo >= 0) {
                c = (guchar)(hi << 4 | lo);
                i += 2;
            } else {
                /* A soft line break may have transport padding before
                 * its line end (RFC 2045 6.7 rule 3). */
                while (j < len && (in[j] == ' ' || in[j] == '\t'))
                    j++;
                if (j >= len) {
                    break;
                } else if (in[j] == '\n') {
                    i = j;
                    continue;
                } else if (in[j] == '\r' && j + 1 < len &&
                           in[j + 1] == '\n') {
                    i = j + 1;
                    continue;
                }
                if (notes->qp_invalid++ == 0)
                    notes->qp_invalid_at = i;
            }
        }
        if (o >= cap) {
            *full = FALSE;
            return o;
        }
        out[o++] = c;
    }
    return o;
}

/* Decodes the first uuencoded file in in: from its "begin" line to "end".
 * Lines are length-prefixed (the first character is 32 plus the byte
 * count), so a line never yields more than it says. With out NULL, only
 * counts the bytes: a line whose trailing spaces were stripped yields
 * more bytes than it has characters, so the size is not bounded by
 * len. */
static gsize
decode_uu(const guchar *in, gsize len, guchar *out, gsize cap,
          DecodeNotes *notes, gboolean *full)
{
    gsize i = 0, o = 0;
    gboolean begun = FALSE;

    *full = TRUE;
    while (i < len) {
        const guchar *nl = memchr(in + i, '\n', len - i);
        gsize end = nl ? (gsize)(nl - in) : len;
        gsize line = end;

        if (line > i && in[line - 1] == '\r')
            line--;
        if (!begun) {
            if (line - i >= 6 && memcmp(in + i, "begin ", 6) == 0)
                begun = TRUE;
        } else if (line - i >= 3 && memcmp(in + i, "end", 3) == 0) {
            break;
        } else if (line > i) {
            guint count = (guint)((in[i] - 32) & 63);
            gsize p = i + 1;

            /* Trailing spaces (zero sextets) are often stripped in
             * transit: characters past the line end count as spaces, so
             * a line yields what its count says, as uudecode does, even
             * when whole groups of four are gone ("M00" is 45 bytes).
             * The count is at most 63: the loop is bounded. */
            while (count > 0) {
                guint32 acc = 0;

                for (guint k = 0; k < 4; k++)
                    acc = acc << 6 |
                          (p + k < line ? (guint32)((in[p + k] - 32) & 63)
                                        : 0);
                for (guint k = 0; k < 3 && count > 0; k++, count--) {
                    if (o >= cap) {
                        *full = FALSE;
                        return o;
                    }
                    if (out)
                        out[o] = (guchar)(acc >> (16 - 8 * k));
                    o++;
                }
                p += 4;
            }
        }
        i = end + 1;
    }
    if (!begun)
        notes->no_begin = TRUE;
    return o;
}

/* A leaf's content after its transfer encoding is undone. */
typedef struct {
    const guchar *bytes;
    gsize len;
    guchar *owned;      /* the decoded buffer, or NULL for a view */
    gboolean truncated; /* a limit stopped the decoding */
} Decoded;

/* How many decoded bytes this part may still have. */
static gsize
decode_budget(Walk *w, gboolean *by_message)
{
    guint64 part = w->limits->max_part_decoded;
    guint64 left = w->limits->max_message_decoded > w->decoded_total
                       ? w->limits->max_message_decoded - w->decoded_total
                       : 0;

    *by_message = left < part;
    return (gsize)MIN(MIN(part, left), (guint64)G_MAXSIZE);
}

/* Decodes raw (the content as stored) per the part's transfer encoding,
 * within the limits, and raises the decoding findings. */
static void
decode_content(Walk *w, MtPart *part, const guchar *raw, gsize len,
               Decoded *d)
{
    Encoding enc = encoding_of(part->transfer_encoding);
    DecodeNotes notes = {0};
    gboolean by_message = FALSE, full = TRUE;
    gsize cap = decode_budget(w, &by_message);
    gsize room;

    memset(d, 0, sizeof(*d));
    if (enc == ENC_IDENTITY || enc == ENC_UNKNOWN) {
        d->bytes = raw;
        d->len = MIN(len, cap);
        full = d->len == len;
    } else {
        /* One allocation of the bound, never a copy of the input:
         * base64 and quoted-printable shrink or keep the size; uuencode
         * can grow it (stripped trailing spaces), so it is counted
         * first, in one more linear pass. */
        if (enc == ENC_UUENCODE) {
            DecodeNotes scratch = {0};

            room = decode_uu(raw, len, NULL, G_MAXSIZE, &scratch, &full);
        } else {
            room = enc == ENC_BASE64 ? len / 4 * 3 + 3 : len;
        }
        room = MIN(room, cap);
        d->owned = g_malloc(room + 1);
        if (enc == ENC_BASE64)
            d->len = decode_base64(raw, len, d->owned, room, &notes, &full);
        else if (enc == ENC_QP)
            d->len = decode_qp(raw, len, d->owned, room, &notes, &full);
        else
            d->len = decode_uu(raw, len, d->owned, room, &notes, &full);
        d->owned[d->len] = '\0';
        d->bytes = d->owned;
    }
    w->decoded_total += d->len;
    if (!full) {
        d->truncated = TRUE;
        if (by_message && limit_once(w, HIT_MESSAGE_DECODED))
            mt_report_limit_reached(
                w->report, "max-message-decoded", part->path,
                "decoding stopped in part %s: the message's parts reached "
                "%" G_GUINT64_FORMAT " decoded bytes",
                part->path, w->limits->max_message_decoded);
        else if (!by_message && limit_once(w, HIT_PART_DECODED))
            mt_report_limit_reached(
                w->report, "max-part-decoded", part->path,
                "part %s was decoded only to its first %" G_GUINT64_FORMAT
                " bytes",
                part->path, w->limits->max_part_decoded);
    }

    if (enc == ENC_UNKNOWN) {
        MtEvidence ev = evidence_at(part->path, part->header_offset);

        /* RFC 2045 6.4: an unknown encoding makes the part opaque; some
         * clients still show it, so a filter and a reader differ. */
        mt_report_add_finding(w->report, "mime-malformed", MT_SEVERITY_LOW,
                              &ev,
                              "%s declares the unknown transfer encoding "
                              "\"%s\"",
                              part->path, part->transfer_encoding);
    }
    if (notes.junk || notes.after_padding || notes.bad_padding ||
        notes.unpadded) {
        gsize at = notes.junk ? notes.junk_at
                   : notes.after_padding ? notes.after_padding_at
                   : notes.bad_padding   ? notes.bad_padding_at
                                         : len;
        MtEvidence ev = evidence_at(
            part->path, part->body_offset >= 0
                            ? part->body_offset + (gint64)at
                            : -1);
        GString *what = g_string_new(NULL);

        if (notes.junk)
            g_string_append_printf(what, "%" G_GSIZE_FORMAT " characters "
                                   "outside the base64 alphabet",
                                   notes.junk);
        if (notes.after_padding)
            g_string_append_printf(what, "%sdata after the \"=\" padding",
                                   what->len ? ", " : "");
        if (notes.bad_padding)
            g_string_append_printf(what, "%smisplaced padding",
                                   what->len ? ", " : "");
        if (notes.unpadded)
            g_string_append_printf(what, "%sno padding on the last "
                                   "quantum", what->len ? ", " : "");
        mt_report_add_finding(
            w->report, "mime-base64-invalid",
            notes.junk || notes.after_padding ? MT_SEVERITY_MEDIUM
                                              : MT_SEVERITY_LOW,
            &ev, "the base64 of part %s is malformed: %s; decoders "
            "disagree on such content",
            part->path, what->str);
        g_string_free(what, TRUE);
    }
    if (notes.qp_invalid) {
        MtEvidence ev = evidence_at(
            part->path, part->body_offset >= 0
                            ? part->body_offset + (gint64)notes.qp_invalid_at
                            : -1);

        mt_report_add_finding(w->report, "mime-qp-invalid", MT_SEVERITY_LOW,
                              &ev,
                              "the quoted-printable of part %s has %"
                              G_GSIZE_FORMAT " \"=\" followed by neither "
                              "two hex digits nor a line end",
                              part->path, notes.qp_invalid);
    }
    if (notes.no_begin) {
        MtEvidence ev = evidence_at(part->path, part->body_offset);

        mt_report_add_finding(w->report, "mime-malformed", MT_SEVERITY_LOW,
                              &ev,
                              "%s is declared uuencoded but has no "
                              "\"begin\" line",
                              part->path);
    }
}

/* ------------------------------------------------------------------ */
/* Boundaries. */

static const Bound *
bound_new(Walk *w, const char *boundary, const Bound *up)
{
    gsize n = strnlen(boundary, MAX_VALUE);
    Bound *b = g_malloc(sizeof(Bound) + n + 1);

    b->up = up;
    b->len = n;
    memcpy(b->boundary, boundary, n);
    b->boundary[n] = '\0';
    g_ptr_array_add(w->memory, b);
    return b;
}

/* Whether the line at p (len bytes, no line end) is a delimiter of b the
 * way GMime reads one: "--", the boundary, an optional "--", then only
 * white space. */
static gboolean
is_delimiter(const guchar *p, gsize len, const Bound *b)
{
    gsize i = 2 + b->len;

    if (len < i || p[0] != '-' || p[1] != '-' ||
        memcmp(p + 2, b->boundary, b->len) != 0)
        return FALSE;
    if (i + 2 <= len && p[i] == '-' && p[i + 1] == '-')
        i += 2;
    for (; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return FALSE;
    return TRUE;
}

/* The first "\n--" in p[0, len), as memmem() finds it, or NULL. Looks
 * for the dashes rather than the line ends: base64 lines, most of the
 * bytes of most messages, hold no '-', so one memchr() runs over a whole
 * part. A run of dashes is stepped over at once (only its first can
 * follow a line end), so the search stays linear. */
static const guchar *
find_line_dashes(const guchar *p, gsize len)
{
    gsize k = 1;

    while (k + 1 < len) {
        const guchar *d = memchr(p + k, '-', len - 1 - k);

        if (d == NULL)
            return NULL;
        k = (gsize)(d - p);
        if (p[k - 1] == '\n' && p[k + 1] == '-')
            return p + k - 1;
        while (k < len && p[k] == '-')
            k++;
    }
    return NULL;
}

/* The offset where content starting at from ends: before the line end
 * that precedes the first delimiter of any enclosing multipart, or at to
 * when there is none. Linear: one pass of find_line_dashes(). */
static gsize
content_end(const Buffer *buf, gsize from, gsize to, const Bound *bounds)
{
    gsize i = from;

    if (bounds == NULL)
        return to;
    while (i < to) {
        const guchar *hit = find_line_dashes(buf->data + i, to - i);
        const guchar *line, *nl;
        gsize line_len;

        if (hit == NULL)
            break;
        line = hit + 1;
        nl = memchr(line, '\n', (gsize)(buf->data + to - line));
        line_len = nl ? (gsize)(nl - line) : (gsize)(buf->data + to - line);
        for (const Bound *b = bounds; b; b = b->up) {
            if (is_delimiter(line, line_len, b)) {
                gsize end = (gsize)(hit - buf->data);

                if (end > from && buf->data[end - 1] == '\r')
                    end--;
                return end;
            }
        }
        i = (gsize)(line - buf->data);
    }
    return to;
}

/* RFC 2046 5.1.1: no boundary may be a prefix of an enclosing one, or
 * the enclosing delimiter ends the inner part for a parser that matches
 * prefixes. The converse is the same trap for the outer part. */
static void
check_boundary_nesting(Walk *w, const MtPart *part, const Bound *own,
                       const Bound *enclosing)
{
    for (const Bound *b = enclosing; b; b = b->up) {
        gsize n = MIN(own->len, b->len);
        MtEvidence ev;

        if (memcmp(own->boundary, b->boundary, n) != 0)
            continue;
        ev = evidence_at(part->path, part->header_offset);
        mt_report_add_finding(
            w->report, "mime-boundary-ambiguous", MT_SEVERITY_MEDIUM, &ev,
            "the boundary of %s%s that of an enclosing multipart "
            "(RFC 2046 5.1.1): parsers can split the parts differently",
            part->path,
            own->len == b->len ? " is the same as"
            : own->len < b->len ? " is a prefix of"
                                : " starts with");
        return;
    }
}

/* A line inside a leaf that starts like an enclosing delimiter but is not
 * one for GMime ("--b1junk"): a parser that compares prefixes ends the
 * part there, and sees other parts than a strict one. */
static void
check_boundary_in_content(Walk *w, const MtPart *part, const guchar *p,
                          gsize len, const Bound *bounds)
{
    gsize i = 0;

    if (bounds == NULL)
        return;
    while (i < len) {
        const guchar *line;

        if (i == 0 && len >= 2 && p[0] == '-' && p[1] == '-') {
            line = p;
        } else {
            const guchar *hit = find_line_dashes(p + i, len - i);

            if (hit == NULL)
                return;
            line = hit + 1;
        }
        for (const Bound *b = bounds; b; b = b->up) {
            gsize left = (gsize)(p + len - line);

            if (left >= 2 + b->len &&
                memcmp(line + 2, b->boundary, b->len) == 0) {
                MtEvidence ev = evidence_at(
                    part->path, part->body_offset >= 0
                                    ? part->body_offset + (line - p)
                                    : -1);

                mt_report_add_finding(
                    w->report, "mime-boundary-ambiguous", MT_SEVERITY_MEDIUM,
                    &ev,
                    "a line inside %s starts with the delimiter of an "
                    "enclosing multipart: parsers that match prefixes end "
                    "the part there",
                    part->path);
                return;
            }
        }
        i = (gsize)(line - p) + 2;
    }
}

/* ------------------------------------------------------------------ */
/* Preamble and epilogue. */

/* Whether text is the note MIME writers put before the first part for
 * mail readers without MIME ("This is a multi-part message in MIME
 * format.", "This is a MIME-encapsulated message", "This is a
 * cryptographically signed message in MIME format.", and the longer
 * variants explaining the reader cannot show it), or lines that are only
 * delimiters of this or an enclosing multipart (a closing delimiter
 * written twice, or one of a multipart that was left open). */
static gboolean
is_boilerplate(const char *text, const Bound *own)
{
    g_autofree char *lower = NULL;
    gboolean only_delimiters = TRUE;
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        gsize line = nl ? (gsize)(nl - p) : strlen(p);
        gboolean blank = TRUE, delimiter = FALSE;

        for (gsize i = 0; i < line; i++)
            if (!g_ascii_isspace(p[i]))
                blank = FALSE;
        for (const Bound *b = own; b && !blank && !delimiter; b = b->up)
            delimiter = is_delimiter((const guchar *)p, line, b);
        if (!blank && !delimiter) {
            only_delimiters = FALSE;
            break;
        }
        p += line + (nl ? 1 : 0);
    }
    if (only_delimiters)
        return TRUE;
    /* The longest real variants run to about 300 bytes; more text, or a
     * link or markup, is something else riding along. */
    if (strlen(text) > 400)
        return FALSE;
    lower = g_ascii_strdown(text, -1);
    if (strstr(lower, "http") || strstr(lower, "www.") ||
        strchr(lower, '<') || strchr(lower, '@'))
        return FALSE;
    return strstr(lower, "mime") || strstr(lower, "multi-part") ||
           strstr(lower, "multipart");
}

/* A preamble or epilogue worth keeping: not only white space; escaped
 * and cut at MAX_KEPT_TEXT bytes. Raises mime-hidden-content when it is
 * more than the usual note: no client shows this text, filters and
 * language classifiers may read it. */
static char *
keep_outside_text(Walk *w, const MtPart *part, const char *text,
                  const char *where, const Bound *own, gboolean check)
{
    gsize n;
    char *kept;

    if (text == NULL || is_blank(text))
        return NULL;
    n = strlen(text);
    kept = mt_escape_bytes(text, MIN(n, MAX_KEPT_TEXT), NULL);
    if (check && !is_boilerplate(text, own)) {
        MtEvidence ev = evidence_at(part->path, -1);
        gsize visible = 0;

        for (gsize i = 0; i < n; i++)
            if (!g_ascii_isspace(text[i]))
                visible++;
        mt_report_add_finding(
            w->report, "mime-hidden-content",
            visible > 512 ? MT_SEVERITY_MEDIUM : MT_SEVERITY_LOW, &ev,
            "the %s of %s holds %" G_GSIZE_FORMAT " bytes of text no mail "
            "client shows",
            where, part->path, n);
    }
    return kept;
}

/* ------------------------------------------------------------------ */
/* Delivery status notifications (RFC 3464). */

static gboolean
is_dsn_type(const char *type)
{
    return g_strcmp0(type, "message/delivery-status") == 0 ||
           g_strcmp0(type, "message/global-delivery-status") == 0;
}

static gboolean
is_returned_type(const char *type)
{
    return g_strcmp0(type, "message/rfc822") == 0 ||
           g_strcmp0(type, "message/global") == 0 ||
           g_strcmp0(type, "text/rfc822-headers") == 0 ||
           g_strcmp0(type, "message/global-headers") == 0;
}

static void
dsn_field(MtDsn *dsn, MtDsnRecipient *r, const char *name, GString *value)
{
    char **slot = NULL;

    if (r == NULL) {
        if (g_ascii_strcasecmp(name, "Reporting-MTA") == 0)
            slot = &dsn->reporting_mta;
        else if (g_ascii_strcasecmp(name, "Arrival-Date") == 0)
            slot = &dsn->arrival_date;
    } else if (g_ascii_strcasecmp(name, "Final-Recipient") == 0) {
        slot = &r->final_recipient;
    } else if (g_ascii_strcasecmp(name, "Original-Recipient") == 0) {
        slot = &r->original_recipient;
    } else if (g_ascii_strcasecmp(name, "Action") == 0) {
        slot = &r->action;
    } else if (g_ascii_strcasecmp(name, "Status") == 0) {
        slot = &r->status;
    } else if (g_ascii_strcasecmp(name, "Diagnostic-Code") == 0) {
        slot = &r->diagnostic_code;
    } else if (g_ascii_strcasecmp(name, "Remote-MTA") == 0) {
        slot = &r->remote_mta;
    } else if (g_ascii_strcasecmp(name, "Last-Attempt-Date") == 0) {
        slot = &r->last_attempt_date;
    }
    if (slot == NULL || *slot != NULL)
        return;
    g_strstrip(value->str);
    *slot = mt_escape_bytes(value->str, strlen(value->str), NULL);
}

static gboolean
is_recipient_field(const char *name)
{
    static const char *const names[] = {
        "Final-Recipient", "Original-Recipient", "Action", "Status",
        "Diagnostic-Code", "Remote-MTA", "Last-Attempt-Date",
        "Will-Retry-Until", "Final-Log-ID"};

    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        if (g_ascii_strcasecmp(name, names[i]) == 0)
            return TRUE;
    return FALSE;
}

/* Reads the fields of a delivery-status body: the per-message group, then
 * one group per recipient, groups separated by blank lines, fields folded
 * like headers. A recipient field before any blank line starts the first
 * recipient anyway (some MTAs leave the blank line out), and a second
 * Final-Recipient in one group starts another. Bounded in recipients and
 * value bytes; linear in len. */
static void
dsn_parse(Walk *w, MtDsn *dsn, const guchar *p, gsize len)
{
    g_autoptr(GString) value = g_string_new(NULL);
    char name[64] = "";
    MtDsnRecipient *r = NULL;
    gboolean have = FALSE;
    gsize i = 0;

    while (i <= len) {
        const guchar *nl = i < len ? memchr(p + i, '\n', len - i) : NULL;
        gsize end = nl ? (gsize)(nl - p) : len;
        gsize line = end;
        gboolean blank;

        if (line > i && p[line - 1] == '\r')
            line--;
        blank = line == i;
        if (i < len && (p[i] == ' ' || p[i] == '\t') && have) {
            /* Folded: the line break and its indentation become one
             * space. */
            gsize k = i;

            while (k < line && (p[k] == ' ' || p[k] == '\t'))
                k++;
            while (value->len && (value->str[value->len - 1] == ' ' ||
                                  value->str[value->len - 1] == '\t'))
                g_string_truncate(value, value->len - 1);
            if (value->len < MAX_DSN_VALUE && k < line) {
                g_string_append_c(value, ' ');
                g_string_append_len(value, (const char *)p + k,
                                    (gssize)MIN(line - k, MAX_DSN_VALUE));
            }
        } else {
            if (have) {
                dsn_field(dsn, r, name, value);
                have = FALSE;
            }
            if (blank || i >= len) {
                if (r) {
                    g_ptr_array_add(dsn->recipients, r);
                    r = NULL;
                }
            } else {
                const guchar *colon = memchr(p + i, ':', line - i);
                gsize n = colon ? (gsize)(colon - (p + i)) : 0;

                if (colon && n > 0 && n < sizeof(name)) {
                    memcpy(name, p + i, n);
                    name[n] = '\0';
                    g_strstrip(name);
                    g_string_assign(value, "");
                    g_string_append_len(
                        value, (const char *)colon + 1,
                        (gssize)MIN(line - (gsize)(colon + 1 - p),
                                    MAX_DSN_VALUE));
                    have = TRUE;
                    if (is_recipient_field(name) &&
                        (r == NULL ||
                         (g_ascii_strcasecmp(name, "Final-Recipient") == 0 &&
                          r->final_recipient))) {
                        if (r)
                            g_ptr_array_add(dsn->recipients, r);
                        r = NULL;
                        if (dsn->recipients->len >= MAX_DSN_RECIPIENTS) {
                            if (limit_once(w, HIT_DSN))
                                mt_report_limit_reached(
                                    w->report, "dsn-recipients", dsn->part,
                                    "only the first %u recipients of the "
                                    "delivery report %s were read",
                                    MAX_DSN_RECIPIENTS, dsn->part);
                            return;
                        }
                        r = g_new0(MtDsnRecipient, 1);
                    }
                }
            }
        }
        if (nl == NULL)
            break;
        i = end + 1;
    }
    if (have)
        dsn_field(dsn, r, name, value);
    if (r)
        g_ptr_array_add(dsn->recipients, r);
}

/* The header fields of a returned message or header block, as the header
 * reader reads them. Transfer full (MtHeader*). */
static GPtrArray *
returned_headers(Walk *w, const guchar *p, gsize len)
{
    MtReport *tmp = mt_report_new_empty();
    GPtrArray *headers;

    tmp->max_defects = 0;
    mt_headers_parse(tmp, p, len, w->limits);
    headers = g_steal_pointer(&tmp->headers);
    tmp->headers = g_ptr_array_new_with_free_func(mt_header_free);
    mt_report_free(tmp);
    return headers;
}

static void
note_returned(Walk *w, MtPart *part, MtPart *parent, const guchar *p,
              gsize len)
{
    Returned r;

    if (parent == NULL || g_strcmp0(parent->content_type,
                                    "multipart/report") != 0)
        return;
    r.parent = parent;
    r.path = g_strdup(part->path);
    r.headers = returned_headers(w, p, len);
    g_array_append_val(w->returned, r);
}

/* Gives each DSN the returned message beside it in its multipart/report. */
static void
dsn_finish(Walk *w)
{
    for (guint i = 0; i < w->dsn_refs->len; i++) {
        DsnRef *d = &g_array_index(w->dsn_refs, DsnRef, i);

        for (guint j = 0; j < w->returned->len; j++) {
            Returned *r = &g_array_index(w->returned, Returned, j);

            if (r->parent != d->parent || r->headers == NULL)
                continue;
            d->dsn->returned_part = g_steal_pointer(&r->path);
            g_clear_pointer(&d->dsn->returned_headers, g_ptr_array_unref);
            d->dsn->returned_headers = g_steal_pointer(&r->headers);
            break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Embedded messages. */

static MtReport *
embedded_report(const MtReport *outer, const guchar *data, gsize len,
                gint64 offset, const MtOptions *options, int depth,
                const char *sha256)
{
    MtReport *report = mt_report_new_empty();
    const MtSource *src = &outer->source;

    report->source.path = g_strdup(src->path);
    report->source.format = src->format;
    report->source.index = src->index;
    report->source.eol = src->eol;
    report->source.offset = src->offset + (guint64)MAX(offset, 0);
    report->source.size = len;
    if (sha256)
        g_strlcpy(report->source.sha256, sha256,
                  sizeof(report->source.sha256));
    else
        mt_sha256_hex(data, len, report->source.sha256);
    report->analyzed = TRUE;
    report->embedded_depth = depth;
    report->max_defects = options->limits.max_defects;
    if (len == 0) {
        mt_report_add_error(report, "empty-message",
                            "the embedded message is empty (0 bytes)");
        return report;
    }
    mt_analyze_header_block(report, data, len, options, "embedded message");
    /* Offline checks only (no --online): a forwarded message is not worth
     * a DNS query per signature it carries. */
    mt_analyze_trail(report, data, len, options);
    mt_identity_analyze(report, options);
    /* An attached message need not have crossed a relay: a sent copy, a
     * draft or a message attached from the sender's own folder has no
     * Received header. The fact stays, but does not score. */
    for (guint i = 0; i < report->findings->len; i++) {
        MtFinding *f = report->findings->pdata[i];

        if (strcmp(f->id, "received-missing") == 0) {
            f->severity = MT_SEVERITY_INFO;
            mt_identity_score(report);
            break;
        }
    }
    if (report->defects_dropped)
        mt_report_limit_reached(report, "max-defects", NULL,
                                "%u defects past the first %u were counted, "
                                "not kept",
                                report->defects_dropped, report->max_defects);
    return report;
}

MtReport *
mt_analyze_embedded(const MtReport *outer, const char *part_path,
                    const guchar *data, gsize len, gint64 offset,
                    const MtOptions *options, int depth)
{
    g_return_val_if_fail(outer != NULL && options != NULL, NULL);
    g_return_val_if_fail(data != NULL || len == 0, NULL);
    (void)part_path;
    mt_gmime_init();
    return embedded_report(outer, data, len, offset, options, depth, NULL);
}

/* The text of an embedded message's first From address and Subject,
 * escaped and bounded, for findings. */
static void
quote_sender(const MtReport *inner, char **from_out, char **subject_out)
{
    const MtSummary *s = &inner->summary;
    const MtMailbox *from =
        s->from.mailboxes && s->from.mailboxes->len
            ? s->from.mailboxes->pdata[0]
            : NULL;
    const char *addr = from && from->address ? from->address : "nobody";
    const char *subject = s->subject.text ? s->subject.text : "";

    *from_out = mt_escape_bytes(addr, strnlen(addr, MAX_QUOTED), NULL);
    if (subject_out)
        *subject_out = mt_escape_bytes(subject,
                                       strnlen(subject, MAX_QUOTED), NULL);
}

/* Whether a message part is a returned or reported message in a
 * multipart/report (a bounce, a feedback report): the recipient's own
 * message or a reported one, often cut short, named but not judged. */
static gboolean
is_returned_message(const MtPart *parent)
{
    return parent && g_strcmp0(parent->content_type,
                               "multipart/report") == 0;
}

static void
embedded_named(Walk *w, const MtPart *part, const MtPart *parent,
               const MtReport *inner)
{
    g_autofree char *a = NULL;
    g_autofree char *t = NULL;
    MtEvidence ev = evidence_at(part->path, part->body_offset);
    Embedded e = {(MtPart *)part, is_returned_message(parent)};

    quote_sender(inner, &a, &t);
    mt_report_add_finding(w->report, "message-embedded", MT_SEVERITY_INFO,
                          &ev,
                          "part %s is %s message from %s, subject \"%s\"",
                          part->path,
                          e.returned ? "a returned or reported"
                                     : "an attached",
                          a, t);
    g_array_append_val(w->embedded, e);
}

/* Whether a finding's part lies inside the message part at path. */
static gboolean
is_inside(const char *part, const char *path, gsize path_len)
{
    return part && strncmp(part, path, path_len) == 0 &&
           (part[path_len] == '\0' || part[path_len] == '.' ||
            part[path_len] == ':');
}

/* After the walk: each embedded message is scored with the findings of
 * its own parts too (a link that lies, a disguised attachment), which the
 * outer report holds since the parts are walked there, as a top-level
 * message's score counts them. Innermost first, so that a suspicious
 * message inside another counts for it. The findings are lent to the
 * inner report for mt_identity_score() and taken back. */
static void
embedded_verdicts(Walk *w)
{
    GPtrArray *outer = w->report->findings;

    for (guint i = w->embedded->len; i-- > 0;) {
        const Embedded *e = &g_array_index(w->embedded, Embedded, i);
        MtReport *inner = e->part->message;
        gsize path_len = strlen(e->part->path);
        guint own = inner->findings->len;
        g_autofree char *a = NULL;
        MtEvidence ev;
        const char *verdict;

        for (guint k = 0; k < outer->len; k++) {
            MtFinding *f = outer->pdata[k];

            if (is_inside(f->evidence.part, e->part->path, path_len) &&
                strcmp(f->id, "message-embedded") != 0)
                g_ptr_array_add(inner->findings, f);
        }
        if (inner->findings->len > own) {
            mt_identity_score(inner);
            while (inner->findings->len > own)
                g_ptr_array_steal_index(inner->findings,
                                        inner->findings->len - 1);
        }
        verdict = inner->identity.verdict;
        if (e->returned || (g_strcmp0(verdict, "suspicious") != 0 &&
                            g_strcmp0(verdict, "likely-malicious") != 0))
            continue;
        quote_sender(inner, &a, NULL);
        ev = evidence_at(e->part->path, e->part->body_offset);
        mt_report_add_finding(
            w->report, "embedded-message-suspicious",
            strcmp(verdict, "suspicious") == 0 ? MT_SEVERITY_MEDIUM
                                               : MT_SEVERITY_HIGH,
            &ev,
            "the message attached as part %s (from %s) scores %d, %s, with "
            "the findings of its own parts: see its report",
            e->part->path, a, inner->identity.score, verdict);
    }
}

/* Records GMime's complaint that a re-parsed embedded message ends early
 * (a multipart without its closing delimiter), for the closing check. The
 * outer message's warnings reach the report through analyze.c. */
static void
on_embedded_warning(gint64 offset, GMimeParserWarning code,
                    const gchar *item, gpointer user_data)
{
    Buffer *buf = user_data;

    (void)offset;
    (void)item;
    if (code == GMIME_WARN_TRUNCATED_MESSAGE)
        buf->truncated = TRUE;
}

/* Parses decoded bytes (the content of a base64 message/rfc822 part) as a
 * message. The buffer takes the bytes; the walk keeps the parse alive. */
static GMimeMessage *
parse_decoded(Walk *w, guchar *bytes, gsize len, gint64 origin,
              const Buffer **out)
{
    Buffer *buf = g_new0(Buffer, 1);
    GByteArray *array = g_byte_array_new_take(bytes, len);
    GMimeStream *stream;
    GMimeParser *parser;
    GMimeParserOptions *popts = g_mime_parser_options_new();
    GMimeMessage *message;

    buf->data = array->data;
    buf->len = array->len;
    buf->origin = origin;
    g_ptr_array_add(w->memory, buf);
    /* The stream owns the array; the parse's substreams point into it. */
    stream = g_mime_stream_mem_new_with_byte_array(array);
    g_ptr_array_add(w->objects, stream);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    g_mime_parser_options_set_warning_callback(popts, on_embedded_warning,
                                               buf);
    message = g_mime_parser_construct_message(parser, popts);
    g_object_unref(parser);
    g_mime_parser_options_free(popts);
    if (message)
        g_ptr_array_add(w->objects, message);
    *out = buf;
    return message;
}

/* ------------------------------------------------------------------ */
/* The walk. */

/* How many of want more parts may still be walked (max_parts counts every
 * part of the tree, nested messages included); records the limit when
 * that is fewer. */
static guint
budget(Walk *w, guint want, const char *path)
{
    guint max = w->limits->max_parts;
    guint left = max > w->queued ? max - w->queued : 0;

    if (want > left && limit_once(w, HIT_PARTS))
        mt_report_limit_reached(w->report, "max-parts", path,
                                "only the first %u MIME parts were walked",
                                max);
    want = MIN(want, left);
    w->queued += want;
    return want;
}

static void
push(Walk *w, GMimeObject *object, MtPart *parent, char *path, int depth,
     int message_depth, const Buffer *buffer, gsize extent_end,
     const Bound *bounds, GMimeMessage *message)
{
    Frame f = {object, parent, path, depth, message_depth, buffer,
               extent_end, bounds, message};

    g_array_append_val(w->stack, f);
}

/* Pushes the top-level entity of message (embedded in part, or the
 * message itself when part is NULL) for the walk. */
static void
push_entity(Walk *w, GMimeMessage *message, MtPart *part, int depth,
            int message_depth, const Buffer *buffer, gsize extent_end,
            const Bound *bounds)
{
    GMimeObject *entity = g_mime_message_get_mime_part(message);
    const char *suffix;

    if (entity == NULL)
        return;
    if ((guint)depth > w->limits->max_mime_depth) {
        if (limit_once(w, HIT_DEPTH))
            mt_report_limit_reached(w->report, "max-mime-depth",
                                    part ? part->path : NULL,
                                    "parts nested deeper than %u were not "
                                    "walked",
                                    w->limits->max_mime_depth);
        return;
    }
    if (budget(w, 1, part ? part->path : NULL) == 0)
        return;
    suffix = GMIME_IS_MULTIPART(entity) ? "TEXT" : "1";
    push(w, entity, part,
         part ? g_strdup_printf("%s.%s", part->path, suffix)
              : g_strdup(suffix),
         depth, message_depth, buffer, extent_end, bounds, message);
}

static void
set_bytes_hashes(MtPart *part, const guchar *p, gsize len)
{
    mt_hashes_compute(p, len, &part->hashes);
}

/* An embedded message, once its bytes are known: the outer findings, the
 * report of its own (unless too deep), and its parts. */
static void
walk_embedded(Walk *w, const Frame *f, MtPart *part, GMimeMessage *message,
              const guchar *bytes, gsize len, gint64 origin,
              const Buffer *buffer, gsize extent_end, const Bound *bounds)
{
    int inner_depth = f->message_depth + 1;

    note_returned(w, part, f->parent, bytes, len);
    if ((guint)inner_depth > w->limits->max_message_depth) {
        if (limit_once(w, HIT_MESSAGE_DEPTH))
            mt_report_limit_reached(w->report, "max-message-depth",
                                    part->path,
                                    "messages nested deeper than %u in "
                                    "one another were not analyzed",
                                    w->limits->max_message_depth);
        return;
    }
    part->message = embedded_report(w->report, bytes, len, origin,
                                    w->options,
                                    w->report->embedded_depth + inner_depth,
                                    part->hashes.sha256);
    embedded_named(w, part, f->parent, part->message);
    if (message)
        push_entity(w, message, part, f->depth + 1, inner_depth, buffer,
                    extent_end, bounds);
}

static void
walk_message_part(Walk *w, const Frame *f, MtPart *part)
{
    GMimeMessage *message =
        g_mime_message_part_get_message(GMIME_MESSAGE_PART(f->object));
    const Buffer *buf = f->buffer;
    gint64 start = -1;
    gsize end;

    if (message)
        start = first_header_offset(
            g_mime_object_get_header_list(GMIME_OBJECT(message)));
    if (start < 0 && message) {
        /* A message without a header (a bare part of a digest): it
         * starts with its content. */
        GMimeObject *entity = g_mime_message_get_mime_part(message);
        GMimeDataWrapper *content =
            GMIME_IS_PART(entity) ? g_mime_part_get_content(
                                        GMIME_PART(entity))
                                  : NULL;
        GMimeStream *s =
            content ? g_mime_data_wrapper_get_stream(content) : NULL;

        if (s)
            start = s->bound_start;
    }
    if (start < 0 || (guint64)start > f->extent_end)
        start = (gint64)f->extent_end;
    /* GMime keeps no stream for a message part: its content ends where
     * the first delimiter of an enclosing multipart begins. */
    end = content_end(buf, (gsize)start, f->extent_end, f->bounds);
    part->body_offset = buf->mapped ? start : -1;
    part->size_encoded = end - (gsize)start;
    part->size_decoded = part->size_encoded;
    set_bytes_hashes(part, buf->data + start, part->size_encoded);
    walk_embedded(w, f, part, message, buf->data + start, part->size_encoded,
                  buf->mapped ? start : buf->origin, buf, end, f->bounds);
}

static gboolean
is_text_body_type(const char *type)
{
    return g_strcmp0(type, "text/plain") == 0 ||
           g_strcmp0(type, "text/html") == 0;
}

static gboolean
is_ascii(const guchar *p, gsize len)
{
    for (gsize i = 0; i < len; i++)
        if (p[i] >= 0x80)
            return FALSE;
    return TRUE;
}

/* A text body: body.c decodes it, links.c reads its links, and uuencoded
 * files in a plain text become attachments "P:uuN". */
static void
walk_body(Walk *w, MtPart *part, const Decoded *d)
{
    g_autofree char *text = NULL;
    gboolean html = strcmp(part->content_type, "text/html") == 0;
    /* The preview's parse of an HTML body, for the links too. */
    struct _xmlDoc *doc = NULL;
    MtBody *body = mt_body_decode_doc(w->report, part, d->bytes, d->len,
                                      w->options, &text,
                                      html ? &doc : NULL);

    if (body) {
        g_ptr_array_add(w->report->mime.bodies, body);
        part->is_body = TRUE;
    }
    if (doc != NULL)
        mt_links_from_html_doc(w->report, part->path, doc, w->options);
    else if (text && html)
        mt_links_from_html(w->report, part->path, text, strlen(text),
                           w->options);
    else if (text)
        mt_links_from_text(w->report, part->path, text, strlen(text),
                           w->options);
    if (!html) {
        g_autoptr(GPtrArray) files = mt_uuencode_find(
            d->bytes, d->len, MAX_UU_FILES, w->limits->max_part_decoded);

        for (guint i = 0; files && i < files->len; i++) {
            const MtUuFile *uu = files->pdata[i];
            g_autofree char *path = g_strdup_printf("%s:uu%u", part->path,
                                                    i + 1);

            if (uu->data)
                mt_attachment_analyze(w->report, path, "uuencode", uu->name,
                                      NULL, uu->data, w->options);
        }
    }
    if (part->transfer_encoding &&
        strcmp(part->transfer_encoding, "base64") == 0 &&
        is_ascii(d->bytes, d->len) && d->len > 0) {
        MtEvidence ev = evidence_at(part->path, part->body_offset);

        /* Plain ASCII needs no base64: senders that encode it anyway keep
         * its words away from filters that do not decode. */
        mt_report_add_finding(w->report, "mime-text-base64",
                              MT_SEVERITY_INFO, &ev,
                              "the %s body %s is plain ASCII sent as "
                              "base64",
                              part->content_type, part->path);
    }
}

/* Any other leaf: attachment.c types and checks it. It hashes the same
 * bytes for its record, so the part takes those hashes instead of a
 * second pass. */
static void
walk_attachment(Walk *w, MtPart *part, GBytes *data)
{
    MtAttachment *a = mt_attachment_analyze(w->report, part->path, "mime",
                                            part->filename,
                                            part->content_type, data,
                                            w->options);

    if (a) {
        part->is_attachment = TRUE;
        g_free(part->detected_type);
        part->detected_type = g_strdup(a->detected_type);
    }
    if (a && a->hashes.sha256[0] && a->size == g_bytes_get_size(data))
        part->hashes = a->hashes;
    else
        mt_hashes_compute(g_bytes_get_data(data, NULL),
                          g_bytes_get_size(data), &part->hashes);
}

/* message/partial (RFC 2046 5.2.2): a fragment of a message split over
 * several. No filter sees the whole, and few clients reassemble it. */
static void
note_partial(Walk *w, MtPart *part)
{
    const MtParam *id = param_find(part->type_params, "id");
    const MtParam *number = param_find(part->type_params, "number");
    const MtParam *total = param_find(part->type_params, "total");
    gint64 num = -1, tot = -1;
    MtEvidence ev = evidence_at(part->path, part->header_offset);

    if (number && number->value &&
        !g_ascii_string_to_signed(number->value, 10, 1, G_MAXINT, &num,
                                  NULL))
        num = -1;
    if (total && total->value &&
        !g_ascii_string_to_signed(total->value, 10, 1, G_MAXINT, &tot,
                                  NULL))
        tot = -1;
    if (!w->report->mime.partial) {
        w->report->mime.partial = TRUE;
        w->report->mime.partial_id = g_strdup(id ? id->value : NULL);
        w->report->mime.partial_number = (int)num;
        w->report->mime.partial_total = (int)tot;
    }
    mt_report_add_finding(w->report, "mime-partial", MT_SEVERITY_MEDIUM,
                          &ev,
                          "part %s is fragment %s of %s of message \"%s\": "
                          "its content is split across messages",
                          part->path,
                          number && number->value ? number->value : "?",
                          total && total->value ? total->value : "?",
                          id && id->value ? id->value : "");
}

static const guchar empty_content[1] = {0};

static void
walk_leaf(Walk *w, const Frame *f, MtPart *part)
{
    GMimeDataWrapper *content =
        GMIME_IS_PART(f->object)
            ? g_mime_part_get_content(GMIME_PART(f->object))
            : NULL;
    GMimeStream *stream =
        content ? g_mime_data_wrapper_get_stream(content) : NULL;
    const Buffer *buf = f->buffer;
    const char *type = part->content_type;
    gint64 start = 0, stop = 0;
    g_autoptr(GBytes) data = NULL;
    Decoded d;

    /* GMime's parser keeps each leaf's content as a substream of the
     * bytes it parsed (a seekable memory stream is persisted), so the
     * bounds are offsets into buf. Anything else is treated as empty. */
    if (stream && GMIME_IS_STREAM_MEM(stream) &&
        GMIME_STREAM_MEM(stream)->buffer &&
        GMIME_STREAM_MEM(stream)->buffer->len == buf->len) {
        start = stream->bound_start;
        stop = stream->bound_end < 0 ? (gint64)buf->len : stream->bound_end;
        if (start < 0 || stop < start || (guint64)stop > buf->len)
            start = stop = 0;
        else if (buf->mapped)
            part->body_offset = start;
        /* The line end before a delimiter belongs to the delimiter (RFC
         * 2046 5.1.1); GMime leaves the CR of a CRLF in the content. */
        if (stop > start && buf->data[stop - 1] == '\r' &&
            (guint64)stop < buf->len && buf->data[stop] == '\n')
            stop--;
    }
    part->size_encoded = (guint64)(stop - start);
    check_boundary_in_content(w, part, buf->data + start,
                              part->size_encoded, f->bounds);
    decode_content(w, part, stop > start ? buf->data + start : empty_content,
                   part->size_encoded, &d);
    part->size_decoded = d.len;
    part->decoded_truncated = d.truncated;

    if (g_strcmp0(type, "message/rfc822") == 0 ||
        g_strcmp0(type, "message/global") == 0) {
        /* A message part GMime did not parse as one: base64 or
         * quoted-printable encoded, which RFC 2046 5.2.1 forbids and
         * forwarders do anyway. Parse the decoded bytes as a message. */
        const Buffer *inner = NULL;
        guchar *bytes = g_steal_pointer(&d.owned);
        GMimeMessage *message;

        if (bytes == NULL) {
            bytes = g_malloc(d.len + 1);
            memcpy(bytes, d.bytes, d.len);
        }
        part->kind = MT_PART_MESSAGE;
        part->children = g_ptr_array_new_with_free_func(mt_part_free);
        set_bytes_hashes(part, bytes, d.len);
        message = parse_decoded(w, bytes, d.len,
                                buf->mapped ? start : buf->origin, &inner);
        walk_embedded(w, f, part, message, inner->data, inner->len,
                      inner->origin, inner, inner->len, NULL);
        return;
    }

    if (d.owned)
        data = g_bytes_new_take(g_steal_pointer(&d.owned), d.len);
    else if (w->options->keep_attachment_data)
        data = g_bytes_new(d.bytes, d.len);
    else
        data = g_bytes_new_static(d.bytes, d.len);

    if (is_dsn_type(type)) {
        MtDsn *dsn = g_new0(MtDsn, 1);
        DsnRef ref = {f->parent, dsn};

        dsn->part = g_strdup(part->path);
        dsn->recipients = mt_dsn_recipients_new();
        dsn->returned_headers = g_ptr_array_new_with_free_func(
            mt_header_free);
        dsn_parse(w, dsn, d.bytes, d.len);
        g_ptr_array_add(w->report->mime.dsn, dsn);
        g_array_append_val(w->dsn_refs, ref);
    } else if (is_returned_type(type)) {
        note_returned(w, part, f->parent, d.bytes, d.len);
    } else if (g_strcmp0(type, "message/partial") == 0) {
        note_partial(w, part);
    }

    if (is_text_body_type(type) &&
        g_strcmp0(part->disposition, "attachment") != 0 &&
        part->filename == NULL) {
        set_bytes_hashes(part, d.bytes, d.len);
        walk_body(w, part, &d);
    } else {
        walk_attachment(w, part, data);
    }
}

static void
walk_multipart(Walk *w, const Frame *f, MtPart *part, gboolean declared)
{
    GMimeMultipart *mp = GMIME_MULTIPART(f->object);
    const char *boundary = g_mime_multipart_get_boundary(mp);
    const Bound *own = NULL;
    int n = g_mime_multipart_get_count(mp);
    g_autofree char *prefix = NULL;
    gint64 from;

    part->kind = MT_PART_MULTIPART;
    if (boundary && (boundary[0] || declared))
        own = bound_new(w, boundary, f->bounds);
    if (own && declared && own->len == 0) {
        MtEvidence ev = evidence_at(part->path, part->header_offset);

        /* RFC 2046 5.1.1 wants 1 to 70 characters: with none, every line
         * that starts with "--" is a delimiter to some parsers. */
        mt_report_add_finding(w->report, "mime-boundary-ambiguous",
                              MT_SEVERITY_MEDIUM, &ev,
                              "the boundary of %s is empty: every line "
                              "starting with \"--\" can end its parts",
                              part->path);
    } else if (own && declared) {
        check_boundary_nesting(w, part, own, f->bounds);
    }
    /* Without a boundary GMime has made one up, and the whole content is
     * the preamble: mime-boundary-missing already says so. */
    part->preamble = keep_outside_text(
        w, part, g_mime_multipart_get_prologue(mp), "preamble", own,
        declared);
    part->epilogue = keep_outside_text(
        w, part, g_mime_multipart_get_epilogue(mp), "epilogue", own,
        declared);
    if (part->transfer_encoding &&
        encoding_of(part->transfer_encoding) != ENC_IDENTITY) {
        MtEvidence ev = evidence_at(part->path, part->header_offset);

        /* RFC 2045 6.4: a multipart is 7bit, 8bit or binary. A client
         * that decodes it anyway sees parts a filter does not. */
        mt_report_add_finding(w->report, "mime-malformed",
                              MT_SEVERITY_MEDIUM, &ev,
                              "%s is %s with the transfer encoding \"%s\", "
                              "which RFC 2045 6.4 forbids for multiparts",
                              part->path, part->content_type,
                              part->transfer_encoding);
    }
    from = first_header_offset(
        f->message ? g_mime_object_get_header_list(GMIME_OBJECT(f->message))
                   : g_mime_object_get_header_list(f->object));
    if (own && w->closing->len < MAX_CLOSING_CHECKS) {
        Closing c = {part, f->buffer, from > 0 ? (gsize)from : 0,
                     f->extent_end, own};

        g_array_append_val(w->closing, c);
    }

    if (n <= 0)
        return;
    if ((guint)f->depth + 1 > w->limits->max_mime_depth) {
        if (limit_once(w, HIT_DEPTH))
            mt_report_limit_reached(w->report, "max-mime-depth", part->path,
                                    "parts nested deeper than %u were not "
                                    "walked",
                                    w->limits->max_mime_depth);
        return;
    }
    /* IMAP numbers the parts of a message's top-level multipart 1, 2, ...
     * (P.1, P.2 inside the message part P), of a nested one X.1, X.2. */
    if (f->message)
        prefix = f->parent ? g_strdup_printf("%s.", f->parent->path)
                           : g_strdup("");
    else
        prefix = g_strdup_printf("%s.", part->path);
    for (int i = (int)budget(w, (guint)n, part->path); i-- > 0;) {
        GMimeObject *child = g_mime_multipart_get_part(mp, i);

        if (child == NULL)
            continue;
        push(w, child, part, g_strdup_printf("%s%d", prefix, i + 1),
             f->depth + 1, f->message_depth, f->buffer, f->extent_end,
             own ? own : f->bounds, NULL);
    }
}

static void
walk_one(Walk *w, Frame *f)
{
    MtPart *part = g_new0(MtPart, 1);
    MtMime *mime = &w->report->mime;
    GMimeHeaderList *block;
    gboolean declared;

    part->path = g_steal_pointer(&f->path);
    part->depth = f->depth;
    if (GMIME_IS_MULTIPART(f->object) || GMIME_IS_MESSAGE_PART(f->object))
        part->children = g_ptr_array_new_with_free_func(mt_part_free);
    part->kind = GMIME_IS_MULTIPART(f->object)      ? MT_PART_MULTIPART
                 : GMIME_IS_MESSAGE_PART(f->object) ? MT_PART_MESSAGE
                                                    : MT_PART_LEAF;
    declared = read_headers(w, f, part);
    if (f->parent)
        g_ptr_array_add(f->parent->children, part);
    else
        mime->root = part;
    mime->part_count++;
    mime->max_depth = MAX(mime->max_depth, part->depth);

    /* A message's top-level entity has the message's header block; the
     * block belongs to the message part above it, or to the message. */
    block = g_mime_object_get_header_list(
        f->message ? GMIME_OBJECT(f->message) : f->object);
    check_8bit_headers(w, block,
                       f->message ? (f->parent ? f->parent->path : NULL)
                                  : part->path);
    check_header_conflict(w, block, part->path);
    check_params(w, part);

    if (part->kind == MT_PART_MULTIPART)
        walk_multipart(w, f, part, declared);
    else if (part->kind == MT_PART_MESSAGE)
        walk_message_part(w, f, part);
    else
        walk_leaf(w, f, part);
}

/* After the walk: multiparts whose closing delimiter never comes, when
 * GMime said a message ended early (it does not say which multipart). */
static void
check_closing(Walk *w)
{
    /* Each check scans the rest of its buffer: four times the message in
     * all is enough for any real nesting. */
    guint64 budget_left = 4 * (guint64)w->message_len + (1u << 20);

    for (guint i = 0; i < w->closing->len; i++) {
        const Closing *c = &g_array_index(w->closing, Closing, i);
        g_autofree char *needle = NULL;
        gsize n;
        MtEvidence ev;

        if (!c->buffer->truncated || c->from >= c->to)
            continue;
        if (c->to - c->from > budget_left)
            break;
        budget_left -= c->to - c->from;
        needle = g_strdup_printf("\n--%s--", c->bound->boundary);
        n = strlen(needle);
        if (memmem(c->buffer->data + c->from, c->to - c->from, needle, n))
            continue;
        ev = evidence_at(c->part->path, -1);
        mt_report_add_finding(w->report, "mime-boundary-missing",
                              MT_SEVERITY_LOW, &ev,
                              "%s (%s) has no closing delimiter "
                              "\"--%s--\": the message may be truncated, "
                              "or parts appended after it",
                              c->part->path, c->part->content_type,
                              c->bound->boundary);
    }
}

/* GMime's parser warnings that are structural findings. */
static void
findings_from_defects(Walk *w)
{
    static const struct {
        const char *code;
        const char *id;
        MtSeverity severity;
        const char *what;
    } map[] = {
        {"mime-malformed-multipart", "mime-boundary-missing",
         MT_SEVERITY_MEDIUM, "a multipart whose boundary never occurs"},
        {"mime-invalid-content-type", "mime-malformed", MT_SEVERITY_LOW,
         "an unreadable Content-Type (read as application/octet-stream)"},
        {"mime-malformed-message", "mime-malformed", MT_SEVERITY_LOW,
         "a malformed message structure"},
        {"mime-invalid-header-name", "mime-malformed", MT_SEVERITY_LOW,
         "an invalid header field name"},
        {"mime-part-without-content", "mime-malformed", MT_SEVERITY_LOW,
         "a part whose header is ended by a delimiter"},
        {"mime-nesting-overflow", "mime-malformed", MT_SEVERITY_MEDIUM,
         "nesting deeper than the parser follows"},
        {"mime-part-without-headers-or-content", "mime-malformed",
         MT_SEVERITY_MEDIUM, "a part without header or content"},
    };
    GPtrArray *defects = w->report->defects;

    for (guint k = 0; k < G_N_ELEMENTS(map); k++) {
        guint count = 0;
        gint64 first = -1;

        for (guint i = 0; i < defects->len; i++) {
            const MtDefect *d = defects->pdata[i];

            if (strcmp(d->code, map[k].code) != 0)
                continue;
            if (count++ == 0)
                first = d->offset;
        }
        if (count) {
            MtEvidence ev = evidence_at(NULL, first);

            mt_report_add_finding(w->report, map[k].id, map[k].severity,
                                  &ev, "the MIME parser found %s (%u time%s)",
                                  map[k].what, count, count > 1 ? "s" : "");
        }
    }
}

static gboolean
has_defect(const MtReport *report, const char *code)
{
    for (guint i = 0; i < report->defects->len; i++)
        if (strcmp(((const MtDefect *)report->defects->pdata[i])->code,
                   code) == 0)
            return TRUE;
    return FALSE;
}

static void
returned_clear(gpointer p)
{
    Returned *r = p;

    g_free(r->path);
    g_clear_pointer(&r->headers, g_ptr_array_unref);
}

void
mt_mime_analyze(MtReport *report, GMimeMessage *message, const guchar *data,
                gsize len, const MtOptions *options)
{
    Buffer outer = {data, len, TRUE, 0, FALSE};
    Walk w = {0};

    g_return_if_fail(report != NULL && options != NULL);
    g_return_if_fail(data != NULL || len == 0);
    if (message == NULL || g_mime_message_get_mime_part(message) == NULL)
        return;
    w.report = report;
    w.options = options;
    w.limits = &options->limits;
    w.message_len = len;
    w.stack = g_array_new(FALSE, FALSE, sizeof(Frame));
    w.memory = g_ptr_array_new_with_free_func(g_free);
    w.objects = g_ptr_array_new_with_free_func(g_object_unref);
    w.closing = g_array_new(FALSE, FALSE, sizeof(Closing));
    w.dsn_refs = g_array_new(FALSE, FALSE, sizeof(DsnRef));
    w.returned = g_array_new(FALSE, FALSE, sizeof(Returned));
    g_array_set_clear_func(w.returned, returned_clear);
    w.embedded = g_array_new(FALSE, FALSE, sizeof(Embedded));
    outer.truncated = has_defect(report, "mime-truncated-message");

    push_entity(&w, message, NULL, 0, 0, &outer, len, NULL);
    report->mime.analyzed = report->mime.root != NULL ||
                            w.stack->len > 0;
    while (w.stack->len > 0) {
        Frame f = g_array_index(w.stack, Frame, w.stack->len - 1);

        g_array_set_size(w.stack, w.stack->len - 1);
        walk_one(&w, &f);
    }
    check_closing(&w);
    findings_from_defects(&w);
    dsn_finish(&w);
    mt_links_analyze(report, options);
    embedded_verdicts(&w);

    g_array_unref(w.stack);
    g_array_unref(w.closing);
    g_array_unref(w.dsn_refs);
    g_array_unref(w.returned);
    g_array_unref(w.embedded);
    g_ptr_array_unref(w.objects);
    g_ptr_array_unref(w.memory);
}
