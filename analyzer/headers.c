/* SPDX-License-Identifier: MIT */
/*
 * headers.c: the header block as evidence, and the summary an analyst reads
 * first.
 *
 * We read the header block ourselves instead of taking GMime's view of it:
 * the report must give each field's exact bytes and byte offset, keep NUL
 * and 8-bit bytes, and say where the block is malformed (a line that is
 * neither a field nor a continuation, a stray mbox "From " line). GMime
 * still parses the same bytes for the MIME structure; where the two could
 * disagree, our defects say so.
 */
#include <string.h>

#include "mailtrail-private.h"
#include "rfc2047-private.h"

/* RFC 5322 2.1.1: a line must not exceed 998 characters. */
#define MAX_LINE_LENGTH 998
/* msg-ids kept from one References header. */
#define MAX_REFERENCES 1000

static gboolean
is_wsp(guchar c)
{
    return c == ' ' || c == '\t';
}

/* The length of a field name at line: printable ASCII except ':' (RFC 5322
 * 3.6.8), or 0 when the line does not start a field. *colon receives the
 * offset of the colon; white space before it is obsolete syntax. */
static gsize
field_name_length(const guchar *line, gsize len, gsize *colon)
{
    gsize i = 0, name_len;

    while (i < len && line[i] > 32 && line[i] < 127 && line[i] != ':')
        i++;
    name_len = i;
    while (i < len && is_wsp(line[i]))
        i++;
    if (name_len == 0 || i >= len || line[i] != ':')
        return 0;
    *colon = i;
    return name_len;
}

/* Appends the unfolded value bytes [p, end) to out: CRLF and LF followed
 * by white space are removed (RFC 5322 2.2.3), the white space kept. */
static void
unfold(GString *out, const guchar *p, const guchar *end)
{
    while (p < end) {
        const guchar *nl = memchr(p, '\n', end - p);
        const guchar *stop = nl ? nl : end;
        const guchar *line_end = stop;

        if (nl && line_end > p && line_end[-1] == '\r')
            line_end--;
        g_string_append_len(out, (const char *)p, line_end - p);
        p = nl ? nl + 1 : end;
    }
}

/* What one pass over a header block saw of the limits. */
typedef struct {
    const MtLimits *limits;
    gint64 first_dropped;   /* offset of the first field not kept, or -1 */
    guint cut;              /* fields cut at max_header_bytes */
    int first_cut;          /* header index of the first one, or -1 */
    gsize longest;          /* bytes of the longest field cut */
} Block;

static void
add_header(MtReport *report, const guchar *data, gsize field_start,
           gsize name_len, gsize value_start, gsize field_end, Block *b)
{
    MtHeader *header;
    GString *value;
    gsize vlen, raw_len = field_end - value_start;
    gboolean cut = FALSE;
    g_autoptr(GPtrArray) decode_defects = NULL;

    if (report->headers->len >= b->limits->max_headers) {
        if (report->headers_dropped++ == 0)
            b->first_dropped = (gint64)field_start;
        return;
    }
    /* One field may fill the whole header block (a megabyte of folded
     * comments in a Received, a DKIM-Signature padded with white space):
     * every parser below reads value_len bytes, so the cut here bounds
     * them all. The offset and the bytes before the cut stay exact. */
    if ((guint64)raw_len > b->limits->max_header_bytes) {
        cut = TRUE;
        raw_len = (gsize)b->limits->max_header_bytes;
    }
    header = g_new0(MtHeader, 1);
    header->name = g_strndup((const char *)data + field_start, name_len);
    header->offset = field_start;
    value = g_string_sized_new(raw_len);
    unfold(value, data + value_start, data + value_start + raw_len);
    /* Leading white space after the colon and trailing white space are
     * not part of the value. */
    vlen = value->len;
    while (vlen > 0 && (is_wsp(value->str[vlen - 1]) ||
                        value->str[vlen - 1] == '\r'))
        vlen--;
    g_string_truncate(value, vlen);
    {
        gsize lead = 0;
        while (lead < value->len && is_wsp(value->str[lead]))
            lead++;
        g_string_erase(value, 0, lead);
    }
    header->value_len = value->len;
    header->value = g_string_free(value, FALSE);

    decode_defects = g_ptr_array_new_with_free_func(mt_defect_free);
    header->decoded = mt_rfc2047_decode(header->value, header->value_len,
                                        decode_defects, -1);
    g_ptr_array_add(report->headers, header);
    if (cut) {
        int index = (int)report->headers->len - 1;

        if (b->cut++ == 0)
            b->first_cut = index;
        b->longest = MAX(b->longest, field_end - value_start);
        mt_report_add_defect(report, "header-field-truncated",
                             (gint64)field_start, index,
                             "%s: a value of %" G_GSIZE_FORMAT " bytes, "
                             "analyzed up to the first %" G_GUINT64_FORMAT,
                             header->name, field_end - value_start,
                             b->limits->max_header_bytes);
    }
    for (guint i = 0; i < decode_defects->len; i++) {
        MtDefect *d = decode_defects->pdata[i];
        /* The decoder counts in unfolded bytes; point at the field. */
        mt_report_add_defect(report, d->code, (gint64)field_start,
                             (int)report->headers->len - 1, "%s: %s",
                             header->name, d->message);
    }
}

/* The "limit-reached" findings of one header block: one per limit, with
 * the count, so that a block built to hit them shows as such. */
static void
report_limits(MtReport *report, const Block *b)
{
    if (report->headers_dropped > 0) {
        MtEvidence ev = {-1, b->first_dropped, -1, NULL};

        mt_report_add_finding(report, "limit-reached", MT_SEVERITY_LOW, &ev,
                              "limit max-headers: %u header fields past "
                              "the first %u were not read",
                              report->headers_dropped,
                              b->limits->max_headers);
    }
    if (b->cut > 0) {
        MtEvidence ev = mt_evidence_for_header(report, b->first_cut);

        mt_report_add_finding(report, "limit-reached", MT_SEVERITY_LOW, &ev,
                              "limit max-header-bytes: %u header field%s "
                              "longer than %" G_GUINT64_FORMAT " bytes (the "
                              "longest %" G_GSIZE_FORMAT ") analyzed only "
                              "up to the limit",
                              b->cut, b->cut == 1 ? "" : "s",
                              b->limits->max_header_bytes, b->longest);
    }
}

static gsize
parse_block(MtReport *report, const guchar *data, gsize len, Block *b)
{
    gsize pos = 0;
    gsize field_start = 0, name_len = 0, value_start = 0;
    gboolean in_field = FALSE;
    gboolean reported_long = FALSE, reported_nul = FALSE;

    while (pos < len) {
        const guchar *line = data + pos;
        const guchar *nl = memchr(line, '\n', len - pos);
        gsize line_len = nl ? (gsize)(nl - line) : len - pos;
        gsize next = nl ? pos + line_len + 1 : len;
        gsize content = line_len;
        gsize colon = 0;

        if (content > 0 && line[content - 1] == '\r')
            content--;
        if (content == 0) {
            /* The empty line: the body starts after it. */
            if (in_field)
                add_header(report, data, field_start, name_len, value_start,
                           pos, b);
            return next;
        }
        if (!reported_long && content > MAX_LINE_LENGTH) {
            reported_long = TRUE;
            mt_report_add_defect(report, "header-line-too-long", (gint64)pos,
                                 -1,
                                 "a header line of %" G_GSIZE_FORMAT
                                 " bytes, over RFC 5322's 998",
                                 content);
        }
        if (!reported_nul && memchr(line, '\0', content)) {
            reported_nul = TRUE;
            mt_report_add_defect(report, "header-nul-byte", (gint64)pos, -1,
                                 "a NUL byte in the header block");
        }
        if (is_wsp(line[0])) {
            if (!in_field)
                mt_report_add_defect(report, "header-continuation-first",
                                     (gint64)pos, -1,
                                     "a continuation line with no field "
                                     "before it");
            pos = next;
            continue;
        }
        if (in_field)
            add_header(report, data, field_start, name_len, value_start, pos,
                       b);
        in_field = FALSE;

        name_len = field_name_length(line, content, &colon);
        if (name_len > 0) {
            in_field = TRUE;
            field_start = pos;
            value_start = pos + colon + 1;
            if (colon != name_len)
                mt_report_add_defect(report, "header-space-before-colon",
                                     (gint64)pos, (int)report->headers->len,
                                     "white space between a field name and "
                                     "its colon (obsolete syntax)");
        } else if ((content >= 5 && memcmp(line, "From ", 5) == 0) ||
                   (content >= 6 && memcmp(line, ">From ", 6) == 0)) {
            /* An mbox separator left inside the header block by a
             * careless export. */
            mt_report_add_defect(report, "header-mbox-from-line", (gint64)pos,
                                 -1, "an mbox \"From \" line inside the "
                                     "header block");
        } else {
            /* Like Python's email package: the body starts here. */
            mt_report_add_defect(report, "header-missing-separator",
                                 (gint64)pos, -1,
                                 "a line that is not a header field ends "
                                 "the header block without an empty line");
            return pos;
        }
        pos = next;
    }
    if (in_field)
        add_header(report, data, field_start, name_len, value_start, len,
                   b);
    return len;
}

gsize
mt_headers_parse(MtReport *report, const guchar *data, gsize len,
                 const MtLimits *limits)
{
    Block b = {limits, -1, 0, -1, 0};
    gsize end;

    g_return_val_if_fail(report != NULL && limits != NULL, 0);
    end = parse_block(report, data, len, &b);
    report_limits(report, &b);
    return end;
}

static void
address_field_clear(MtAddressField *field)
{
    g_clear_pointer(&field->mailboxes, g_ptr_array_unref);
}

static void
text_field_clear(MtTextField *field)
{
    g_clear_pointer(&field->text, g_free);
}

void
mt_summary_clear(MtSummary *s)
{
    MtAddressField *addresses[] = {&s->from,     &s->sender,  &s->to,
                                   &s->cc,       &s->bcc,     &s->reply_to,
                                   &s->return_path, &s->delivered_to,
                                   &s->x_original_to};
    MtTextField *texts[] = {&s->subject,      &s->date,
                            &s->message_id,   &s->in_reply_to,
                            &s->references,   &s->mime_version,
                            &s->content_type, &s->content_transfer_encoding,
                            &s->x_mailer,     &s->user_agent};

    for (gsize i = 0; i < G_N_ELEMENTS(addresses); i++)
        address_field_clear(addresses[i]);
    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
        text_field_clear(texts[i]);
    g_clear_pointer(&s->reference_ids, g_ptr_array_unref);
}

/* Collects the mailboxes of list, flattening groups (one level: RFC 5322
 * groups do not nest). */
static void
collect_mailboxes(GPtrArray *out, InternetAddressList *list, int depth)
{
    int n = list ? internet_address_list_length(list) : 0;

    for (int i = 0; i < n && out->len < 10000; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (depth < 2)
                collect_mailboxes(
                    out,
                    internet_address_group_get_members(
                        INTERNET_ADDRESS_GROUP(ia)),
                    depth + 1);
            continue;
        }
        MtMailbox *mailbox = g_new0(MtMailbox, 1);
        const char *name = internet_address_get_name(ia);
        const char *addr = internet_address_mailbox_get_addr(
            INTERNET_ADDRESS_MAILBOX(ia));
        if (name && *name)
            mailbox->name = mt_escape_bytes(name, strlen(name), NULL);
        if (addr)
            mailbox->address = mt_escape_bytes(addr, strlen(addr), NULL);
        g_ptr_array_add(out, mailbox);
    }
}

static void
fill_address(MtAddressField *field, const MtHeader *header, int index)
{
    g_autofree char *value = NULL;
    const char *p;

    field->count++;
    if (field->header_index >= 0)
        return;
    field->header_index = index;
    field->mailboxes = g_ptr_array_new_with_free_func(mt_mailbox_free);
    /* GMime works on C strings: a NUL byte ends the value early, which
     * the header's own record (value, escaped) still shows. */
    value = g_strndup(header->value, header->value_len);
    for (p = value; *p == ' ' || *p == '\t'; p++)
        ;
    if (strcmp(p, "<>") == 0) {
        /* The null reverse-path of a bounce (RFC 5321 4.5.5). */
        MtMailbox *mailbox = g_new0(MtMailbox, 1);
        mailbox->address = g_strdup("");
        g_ptr_array_add(field->mailboxes, mailbox);
        return;
    }
    InternetAddressList *list = internet_address_list_parse(NULL, value);
    collect_mailboxes(field->mailboxes, list, 0);
    if (list)
        g_object_unref(list);
}

static void
fill_text(MtTextField *field, const MtHeader *header, int index)
{
    field->count++;
    if (field->header_index >= 0)
        return;
    field->header_index = index;
    field->text = g_strstrip(g_strdup(header->decoded));
}

/* The msg-ids "<...>" in a References or In-Reply-To value. */
static GPtrArray *
split_msg_ids(const char *value)
{
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    const char *p = value;

    while ((p = strchr(p, '<')) != NULL && ids->len < MAX_REFERENCES) {
        const char *end = strchr(p + 1, '>');
        const char *next_open;
        if (end == NULL)
            break;
        next_open = memchr(p + 1, '<', end - p - 1);
        if (next_open) {
            p = next_open;
            continue;
        }
        g_ptr_array_add(ids, g_strndup(p, end - p + 1));
        p = end + 1;
    }
    return ids;
}

void
mt_summary_build(MtReport *report)
{
    MtSummary *s = &report->summary;
    const struct {
        const char *name;
        MtAddressField *field;
    } addresses[] = {
        {"From", &s->from},
        {"Sender", &s->sender},
        {"To", &s->to},
        {"Cc", &s->cc},
        {"Bcc", &s->bcc},
        {"Reply-To", &s->reply_to},
        {"Return-Path", &s->return_path},
        {"Delivered-To", &s->delivered_to},
        {"X-Original-To", &s->x_original_to},
    };
    const struct {
        const char *name;
        MtTextField *field;
    } texts[] = {
        {"Subject", &s->subject},
        {"Date", &s->date},
        {"Message-ID", &s->message_id},
        {"In-Reply-To", &s->in_reply_to},
        {"References", &s->references},
        {"MIME-Version", &s->mime_version},
        {"Content-Type", &s->content_type},
        {"Content-Transfer-Encoding", &s->content_transfer_encoding},
        {"X-Mailer", &s->x_mailer},
        {"User-Agent", &s->user_agent},
    };

    for (gsize f = 0; f < G_N_ELEMENTS(addresses); f++)
        addresses[f].field->header_index = -1;
    for (gsize f = 0; f < G_N_ELEMENTS(texts); f++)
        texts[f].field->header_index = -1;

    for (guint i = 0; i < report->headers->len; i++) {
        const MtHeader *header = report->headers->pdata[i];
        for (gsize f = 0; f < G_N_ELEMENTS(addresses); f++)
            if (mt_name_equal(header->name, addresses[f].name))
                fill_address(addresses[f].field, header, (int)i);
        for (gsize f = 0; f < G_N_ELEMENTS(texts); f++)
            if (mt_name_equal(header->name, texts[f].name))
                fill_text(texts[f].field, header, (int)i);
    }
    if (s->date.text)
        s->date_valid = mt_date_parse(s->date.text, strlen(s->date.text),
                                      &s->date_parsed);
    if (s->references.text)
        s->reference_ids = split_msg_ids(s->references.text);
}
