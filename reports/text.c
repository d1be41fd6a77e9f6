/* SPDX-License-Identifier: MIT */
/*
 * text.c: the terminal summary, the default output.
 *
 * Everything printed from a message goes through mt_text_terminal_safe():
 * a Subject can carry escape sequences that rewrite an analyst's terminal,
 * or a right-to-left override that makes "exe.pdf" read as "fdp.exe".
 */
#include <string.h>

#include "reports-identity.h"
#include "reports.h"

char *
mt_text_terminal_safe(const char *text)
{
    g_autofree char *valid = NULL;
    GString *out;
    const char *p;

    if (text == NULL)
        return g_strdup("");
    valid = mt_escape_bytes(text, strlen(text), NULL);
    out = g_string_sized_new(strlen(valid));
    for (p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c;

        /* Printable ASCII, most of any report, is itself; one byte. */
        if ((guchar)*p >= 0x20 && (guchar)*p < 0x7f) {
            g_string_append_c(out, *p);
            continue;
        }
        c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f)
            g_string_append_printf(out, "\\x%02X", c);
        else if ((c >= 0x80 && c < 0xa0) || (c >= 0x202a && c <= 0x202e) ||
                 (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
                 c == 0x061c)
            g_string_append_printf(out, "<U+%04X>", c);
        else
            g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

glong
mt_text_display_width(const char *text)
{
    glong width = 0;

    for (const char *p = text; p && *p; p = g_utf8_next_char(p)) {
        gunichar c;

        /* ASCII is one column: no ASCII character is zero-width (marks
         * and format characters start at U+00AD) or wide. */
        if ((guchar)*p < 0x80) {
            width++;
            continue;
        }
        c = g_utf8_get_char(p);
        if (g_unichar_iszerowidth(c))
            continue;
        /* East Asian wide and fullwidth characters take two columns. */
        width += g_unichar_iswide(c) ? 2 : 1;
    }
    return width;
}

char *
mt_text_cut_to_width(const char *text, glong width)
{
    GString *out;
    glong used = 0;

    if (mt_text_display_width(text) <= width)
        return g_strdup(text);
    out = g_string_new(NULL);
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        glong w = g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
        if (used + w > width - 3)
            break;
        g_string_append_unichar(out, c);
        used += w;
    }
    g_string_append(out, "...");
    return g_string_free(out, FALSE);
}

/* SGR colours for severities; only used when the renderer may colour. */
const char *
mt_text_severity_color(MtSeverity severity)
{
    switch (severity) {
    case MT_SEVERITY_HIGH:
        return "\033[1;31m";
    case MT_SEVERITY_MEDIUM:
        return "\033[33m";
    case MT_SEVERITY_LOW:
        return "\033[36m";
    case MT_SEVERITY_INFO:
        break;
    }
    return "\033[2m";
}

static void
print_label(FILE *out, const char *label, const char *value)
{
    g_autofree char *safe = mt_text_terminal_safe(value);

    fprintf(out, "  %-13s %s\n", label, safe);
}

static void
print_address(FILE *out, const char *label, const MtAddressField *f)
{
    GString *line;

    if (f->header_index < 0)
        return;
    line = g_string_new(NULL);
    for (guint i = 0; f->mailboxes && i < f->mailboxes->len; i++) {
        const MtMailbox *m = f->mailboxes->pdata[i];
        if (i)
            g_string_append(line, ", ");
        if (m->name)
            g_string_append_printf(line, "\"%s\" ", m->name);
        g_string_append_printf(line, "<%s>", m->address ? m->address : "");
    }
    if (f->count > 1)
        g_string_append_printf(line, "  (%u fields)", f->count);
    print_label(out, label, line->str);
    g_string_free(line, TRUE);
}

static void
print_text(FILE *out, const char *label, const MtTextField *f)
{
    if (f->header_index < 0)
        return;
    if (f->count > 1) {
        g_autofree char *v = g_strdup_printf("%s  (%u fields)", f->text,
                                             f->count);
        print_label(out, label, v);
        return;
    }
    print_label(out, label, f->text);
}

static void
print_source(FILE *out, const MtReport *report)
{
    const MtSource *s = &report->source;
    g_autofree char *path = mt_text_terminal_safe(s->path);

    if (!report->analyzed) {
        fprintf(out, "== %s\n", path);
        return;
    }
    fprintf(out,
            "== %s #%" G_GUINT64_FORMAT " (%s, offset %" G_GUINT64_FORMAT
            ", %" G_GUINT64_FORMAT " bytes)\n",
            path, s->index, mt_input_format_to_string(s->format), s->offset,
            s->size);
    if (s->sha256[0])
        fprintf(out, "  %-13s %s\n", "SHA-256", s->sha256);
    if (s->mbox_from_line)
        print_label(out, "Envelope", s->mbox_from_line);
}

static void
print_relay(FILE *out, const MtRelay *relay)
{
    mt_text_relay(out, relay);
}

/* The first line an analyst reads: verdict, score and the findings
 * counted by severity. */
static void
print_verdict(FILE *out, const MtReport *report, gboolean color)
{
    guint counts[MT_SEVERITY_HIGH + 1] = {0};
    MtSeverity worst = MT_SEVERITY_INFO;
    GString *line = g_string_new(NULL);

    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if ((guint)f->severity <= MT_SEVERITY_HIGH)
            counts[f->severity]++;
        if (f->severity > worst)
            worst = f->severity;
    }
    if (report->identity.verdict)
        g_string_append_printf(line, "%s, score %d/100",
                               report->identity.verdict,
                               report->identity.score);
    else
        g_string_append(line, "not scored");
    g_string_append_printf(line, "; findings: %u high, %u medium, %u low, "
                                 "%u info",
                           counts[MT_SEVERITY_HIGH], counts[MT_SEVERITY_MEDIUM],
                           counts[MT_SEVERITY_LOW], counts[MT_SEVERITY_INFO]);
    if (color && report->findings->len > 0)
        fprintf(out, "  %-13s %s%s\033[0m\n", "Verdict:",
                mt_text_severity_color(worst), line->str);
    else
        fprintf(out, "  %-13s %s\n", "Verdict:", line->str);
    g_string_free(line, TRUE);
}

static void
text_report(MtRenderer *r, const MtReport *report)
{
    FILE *out = r->out;
    const MtSummary *s = &report->summary;

    if (r->count > 0)
        fputc('\n', out);
    print_source(out, report);
    if (report->analyzed)
        print_verdict(out, report, r->color);
    if (report->analyzed) {
        print_address(out, "From:", &s->from);
        print_address(out, "Sender:", &s->sender);
        print_address(out, "Reply-To:", &s->reply_to);
        print_address(out, "Return-Path:", &s->return_path);
        print_address(out, "To:", &s->to);
        print_address(out, "Cc:", &s->cc);
        print_address(out, "Delivered-To:", &s->delivered_to);
        print_text(out, "Subject:", &s->subject);
        if (s->date.header_index >= 0) {
            char utc[21];
            g_autofree char *d = g_strdup_printf(
                "%s  (%s)", s->date.text,
                s->date_valid
                    ? mt_date_format_utc(s->date_parsed.timestamp, utc)
                    : "unreadable date");
            print_label(out, "Date:", d);
        }
        print_text(out, "Message-ID:", &s->message_id);
        print_text(out, "X-Mailer:", &s->x_mailer);
        print_text(out, "User-Agent:", &s->user_agent);
        print_relay(out, &report->relay);
        mt_text_identity(out, report, r->color, r->defang);
        mt_text_mime(out, report, r->defang);
        fprintf(out, "  %-13s %u fields, %u defects\n", "Headers:",
                report->headers->len, report->defects->len);
        for (guint i = 0; i < report->defects->len && i < 5; i++) {
            const MtDefect *d = report->defects->pdata[i];
            g_autofree char *m = mt_text_terminal_safe(d->message);
            fprintf(out, "    defect %s: %s\n", d->code, m);
        }
        if (report->defects->len > 5)
            fprintf(out, "    ... %u more defects in the JSON report\n",
                    report->defects->len - 5);
    }
    for (guint i = 0; i < report->errors->len; i++) {
        const MtReportError *e = report->errors->pdata[i];
        g_autofree char *m = mt_text_terminal_safe(e->message);
        fprintf(out, "  ERROR %s: %s\n", e->code, m);
    }
}

static void
text_end(MtRenderer *r, const MtRunStats *stats)
{
    fprintf(r->out,
            "\n%" G_GUINT64_FORMAT " messages read, %" G_GUINT64_FORMAT
            " with errors, %" G_GUINT64_FORMAT " inputs not readable as "
            "mail\n",
            stats->messages, stats->with_errors, stats->input_errors);
}

const MtRendererClass mt_renderer_text = {
    .name = "text",
    .extension = "txt",
    .report = text_report,
    .end = text_end,
};
