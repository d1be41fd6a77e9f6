/* SPDX-License-Identifier: MIT */
/*
 * text-mime.c: what is inside the message, in the terminal summary. A
 * table of the attachments (the file names an attacker chose, their real
 * type, the flags, the SHA-256 an analyst pastes into a sandbox or a
 * threat feed), one line for the text bodies, the links with the flagged
 * ones listed, and one line per forwarded message. Kept short: the JSON
 * report has everything.
 *
 * Every string from the message goes through mt_text_terminal_safe(), and
 * columns are measured in terminal columns (mt_text_display_width), not
 * bytes: a Japanese file name takes two columns a character, and an
 * RTLO in "invoice\u202Efdp.exe" is shown as <U+202E>, never obeyed.
 * Links are written as found unless --defang asks for hxxp and [.].
 *
 * This file also holds the defanging the HTML renderer uses.
 */
#include <string.h>

#include "reports.h"

/* Rows and lines listed before "... more in the JSON report". */
#define ATTACHMENTS_MAX 50
#define BODIES_MAX 20
#define FLAGGED_LINKS_MAX 20
#define FORWARDED_MAX 20
/* Column widths the attachment table never exceeds. */
#define PART_COL_MAX 14
#define NAME_COL_MAX 40
#define TYPE_COL_MAX 44
/* A listed URL longer than this is cut (the JSON has it whole). */
#define URL_COLS_MAX 110
/* Parts looked at for forwarded messages: the analyzer's max_parts (1000
 * by default) is far below; a guard if a caller raised it a lot. */
#define PART_WALK_MAX 100000

/* ---- Defanging. ---- */

/* Appends text[0..len) with each '.' as "[.]". */
static void
append_dots_defanged(GString *out, const char *text, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        if (text[i] == '.')
            g_string_append(out, "[.]");
        else
            g_string_append_c(out, text[i]);
    }
}

char *
mt_text_defang_domain(const char *domain)
{
    GString *out;
    const char *at;

    if (domain == NULL)
        return g_strdup("");
    out = g_string_sized_new(strlen(domain) + 8);
    /* user.name@example.com: the local part is no link. */
    at = strrchr(domain, '@');
    if (at) {
        g_string_append_len(out, domain, at + 1 - domain);
        domain = at + 1;
    }
    append_dots_defanged(out, domain, strlen(domain));
    return g_string_free(out, FALSE);
}

char *
mt_text_defang_url(const char *url)
{
    GString *out;
    const char *p;
    gsize scheme_len = 0;
    gsize host_len;

    if (url == NULL)
        return g_strdup("");
    out = g_string_sized_new(strlen(url) + 16);
    p = url;
    /* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ),
     * followed by ':'. */
    if (g_ascii_isalpha(*p)) {
        const char *q = p + 1;
        while (g_ascii_isalnum(*q) || *q == '+' || *q == '-' || *q == '.')
            q++;
        if (*q == ':')
            scheme_len = (gsize)(q - p);
    }
    if (scheme_len > 0) {
        g_autofree char *scheme = g_ascii_strdown(p, (gssize)scheme_len);

        if (strcmp(scheme, "http") == 0)
            g_string_append(out, "hxxp");
        else if (strcmp(scheme, "https") == 0)
            g_string_append(out, "hxxps");
        else if (strcmp(scheme, "ftp") == 0)
            g_string_append(out, "fxp");
        else if (strcmp(scheme, "ftps") == 0)
            g_string_append(out, "fxps");
        else
            g_string_append_len(out, p, (gssize)scheme_len);
        g_string_append_c(out, ':');
        p += scheme_len + 1;
        if (strcmp(scheme, "mailto") == 0) {
            /* mailto:a@example.com?subject=x: the addresses up to the
             * query. */
            gsize addr_len = strcspn(p, "?");
            g_autofree char *addr = g_strndup(p, addr_len);
            g_autofree char *safe = mt_text_defang_domain(addr);
            g_string_append(out, safe);
            g_string_append(out, p + addr_len);
            return g_string_free(out, FALSE);
        }
        if (strncmp(p, "//", 2) != 0) {
            /* javascript:, data:...: no host to defang; shown as text,
             * which no terminal or page runs. */
            g_string_append(out, p);
            return g_string_free(out, FALSE);
        }
    }
    /* The authority: after "//", or the start of "www.example.com/a". */
    if (strncmp(p, "//", 2) == 0) {
        g_string_append(out, "//");
        p += 2;
    }
    host_len = strcspn(p, "/?#\\");
    append_dots_defanged(out, p, host_len);
    g_string_append(out, p + host_len);
    return g_string_free(out, FALSE);
}

char *
mt_text_defang_urls_in(const char *text)
{
    GString *out;
    const char *p = text;

    if (text == NULL)
        return g_strdup("");
    out = g_string_sized_new(strlen(text) + 16);
    /* One pass: each "://" is looked at once, the scheme before it is at
     * most five letters, and the scan goes on after the URL. */
    while (*p) {
        const char *hit = strstr(p, "://");
        const char *start;
        const char *end;
        g_autofree char *scheme = NULL;
        g_autofree char *url = NULL;
        g_autofree char *safe = NULL;

        if (hit == NULL) {
            g_string_append(out, p);
            break;
        }
        start = hit;
        while (start > p && hit - start < 5 && g_ascii_isalpha(start[-1]))
            start--;
        scheme = g_ascii_strdown(start, (gssize)(hit - start));
        if ((start > p && g_ascii_isalnum(start[-1])) ||
            (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
             strcmp(scheme, "ftp") != 0 && strcmp(scheme, "ftps") != 0)) {
            g_string_append_len(out, p, hit + 3 - p);
            p = hit + 3;
            continue;
        }
        end = hit + 3;
        /* The URL ends at a blank or at what usually closes a quote. */
        while (*end && !g_ascii_isspace(*end) &&
               !strchr("\"'<>()[]{}", *end))
            end++;
        g_string_append_len(out, p, start - p);
        url = g_strndup(start, (gsize)(end - start));
        safe = mt_text_defang_url(url);
        g_string_append(out, safe);
        p = end;
    }
    return g_string_free(out, FALSE);
}

/* ---- Helpers. ---- */

/* text (already terminal-safe) cut and padded to width columns. */
static void
put_cell(GString *line, const char *text, glong width)
{
    g_autofree char *cut = mt_text_cut_to_width(text ? text : "", width);
    glong used = mt_text_display_width(cut);

    g_string_append(line, cut);
    for (; used < width; used++)
        g_string_append_c(line, ' ');
    g_string_append(line, "  ");
}

static glong
col_width(glong current, const char *text, glong max)
{
    glong w = mt_text_display_width(text);

    return w > current ? (w < max ? w : max) : current;
}

static void
put_line(FILE *out, GString *line)
{
    /* No trailing blanks from the padding of the last column. */
    while (line->len && line->str[line->len - 1] == ' ')
        g_string_truncate(line, line->len - 1);
    fprintf(out, "%s\n", line->str);
    g_string_truncate(line, 0);
}

static void
append_flags(GString *line, guint flags, guint bits,
             const char *(*name_of)(guint))
{
    gboolean first = TRUE;

    for (guint bit = 0; bit < bits; bit++) {
        const char *name;
        if (!(flags & (1u << bit)))
            continue;
        name = name_of(1u << bit);
        if (name == NULL)
            continue;
        g_string_append(line, first ? "" : " ");
        g_string_append(line, name);
        first = FALSE;
    }
}

static char *
size_text(guint64 size)
{
    if (size < 1024)
        return g_strdup_printf("%" G_GUINT64_FORMAT " B", size);
    return g_format_size_full(size, G_FORMAT_SIZE_IEC_UNITS);
}

/* "declared -> detected" when they differ, else the one known. */
static char *
type_text(const MtAttachment *a)
{
    const char *detected = a->detected_type;
    const char *declared = a->declared_type;

    if (declared && detected && g_ascii_strcasecmp(declared, detected) != 0)
        return g_strdup_printf("%s -> %s", declared, detected);
    return g_strdup(detected ? detected : declared ? declared : "?");
}

/* ---- Attachments. ---- */

typedef struct {
    char *part, *name, *size, *type;
} AttachRow;

static void
print_attachments(FILE *out, const GPtrArray *list)
{
    guint n = list->len < ATTACHMENTS_MAX ? list->len : ATTACHMENTS_MAX;
    g_autofree AttachRow *rows = g_new0(AttachRow, n);
    glong wpart = 4, wname = 4, wsize = 4, wtype = 4;
    GString *line = g_string_new(NULL);

    fprintf(out, "  Attachments (%u):\n", list->len);
    for (guint i = 0; i < n; i++) {
        const MtAttachment *a = list->pdata[i];
        g_autofree char *type = type_text(a);

        rows[i].part = mt_text_terminal_safe(a->part);
        rows[i].name = mt_text_terminal_safe(a->filename ? a->filename
                                                         : "(no name)");
        rows[i].size = size_text(a->size);
        rows[i].type = mt_text_terminal_safe(type);
        wpart = col_width(wpart, rows[i].part, PART_COL_MAX);
        wname = col_width(wname, rows[i].name, NAME_COL_MAX);
        wsize = col_width(wsize, rows[i].size, 12);
        wtype = col_width(wtype, rows[i].type, TYPE_COL_MAX);
    }
    g_string_append(line, "    ");
    put_cell(line, "Part", wpart);
    put_cell(line, "Name", wname);
    put_cell(line, "Size", wsize);
    put_cell(line, "Type", wtype);
    g_string_append(line, "Flags");
    put_line(out, line);
    for (guint i = 0; i < n; i++) {
        const MtAttachment *a = list->pdata[i];

        g_string_append(line, "    ");
        put_cell(line, rows[i].part, wpart);
        put_cell(line, rows[i].name, wname);
        put_cell(line, rows[i].size, wsize);
        put_cell(line, rows[i].type, wtype);
        append_flags(line, a->flags, MT_ATTACH_FLAG_BITS, mt_attach_flag_to_string);
        put_line(out, line);
        /* The hash on its own line, whole, to copy with one click. */
        g_string_append_printf(line, "    %*s  sha256 %s", (int)wpart, "",
                               a->hashes.sha256[0] ? a->hashes.sha256
                                                   : "-");
        put_line(out, line);
        if (a->archive_format || a->archive_entries) {
            guint entries = a->archive_entries ? a->archive_entries->len : 0;
            guint exec = 0, enc = 0;
            g_autofree char *format = mt_text_terminal_safe(
                a->archive_format ? a->archive_format : "archive");

            for (guint k = 0; k < entries; k++) {
                const MtArchiveEntry *e = a->archive_entries->pdata[k];
                exec += e->executable ? 1 : 0;
                enc += e->encrypted ? 1 : 0;
            }
            guint all = entries + a->archive_entries_dropped;

            g_string_append_printf(line, "    %*s  %s: %u entr%s",
                                   (int)wpart, "", format, all,
                                   all == 1 ? "y" : "ies");
            if (exec)
                g_string_append_printf(line, ", %u executable", exec);
            if (enc)
                g_string_append_printf(line, ", %u encrypted", enc);
            put_line(out, line);
        }
    }
    if (list->len > n)
        fprintf(out, "    ... %u more attachments in the JSON report\n",
                list->len - n);
    for (guint i = 0; i < n; i++) {
        g_free(rows[i].part);
        g_free(rows[i].name);
        g_free(rows[i].size);
        g_free(rows[i].type);
    }
    g_string_free(line, TRUE);
}

/* ---- Bodies. ---- */

static void
print_bodies(FILE *out, const GPtrArray *bodies)
{
    GString *line = g_string_new(NULL);
    g_autofree char *safe = NULL;

    for (guint i = 0; i < bodies->len && i < BODIES_MAX; i++) {
        const MtBody *b = bodies->pdata[i];

        g_string_append_printf(line, "%spart %s %s %s", i ? "; " : "",
                               b->part ? b->part : "?",
                               b->content_type ? b->content_type : "?",
                               b->charset_used ? b->charset_used : "?");
        if (b->charset_detected)
            g_string_append_printf(line, " (detected%s%s)",
                                   b->charset_note ? ": " : "",
                                   b->charset_note ? b->charset_note : "");
        else if (b->charset_note)
            g_string_append_printf(line, " (%s)", b->charset_note);
        if (b->lossy)
            g_string_append(line, ", lossy");
    }
    if (bodies->len > BODIES_MAX)
        g_string_append_printf(line, "; %u more", bodies->len - BODIES_MAX);
    safe = mt_text_terminal_safe(line->str);
    fprintf(out, "  %-13s %s\n", "Bodies:", safe);
    g_string_free(line, TRUE);
}

/* ---- Links. ---- */

static char *
link_text(const char *url, gboolean defang)
{
    g_autofree char *shown = defang ? mt_text_defang_url(url)
                                    : g_strdup(url ? url : "");
    g_autofree char *safe = mt_text_terminal_safe(shown);

    return mt_text_cut_to_width(safe, URL_COLS_MAX);
}

static void
print_links(FILE *out, const MtReport *report, gboolean defang)
{
    const GPtrArray *links = report->links;
    guint flagged = 0, listed = 0;
    GString *line = g_string_new(NULL);

    for (guint i = 0; i < links->len; i++)
        if (((const MtUrl *)links->pdata[i])->flags &
            MT_URL_FLAGS_SUSPICIOUS)
            flagged++;
    g_string_append_printf(line, "  %-13s %u (%u flagged", "Links:",
                           links->len, flagged);
    if (report->links_dropped)
        g_string_append_printf(line, "; %u more past the limit",
                               report->links_dropped);
    g_string_append_c(line, ')');
    put_line(out, line);
    for (guint i = 0; i < links->len && listed < FLAGGED_LINKS_MAX; i++) {
        const MtUrl *u = links->pdata[i];
        g_autofree char *url = NULL;

        if (!(u->flags & MT_URL_FLAGS_SUSPICIOUS))
            continue;
        listed++;
        url = link_text(u->url, defang);
        g_string_append_printf(line, "    %s  [", url);
        append_flags(line, u->flags, MT_URL_FLAG_BITS, mt_url_flag_to_string);
        g_string_append_printf(line, "] part %s %s",
                               u->part ? u->part : "?",
                               mt_url_source_to_string(u->source));
        put_line(out, line);
        if (u->anchor_text) {
            /* Anchor text often shows a URL itself (the lure). */
            g_autofree char *shown = defang
                                         ? mt_text_defang_urls_in(
                                               u->anchor_text)
                                         : g_strdup(u->anchor_text);
            g_autofree char *anchor = mt_text_terminal_safe(shown);
            g_autofree char *cut = mt_text_cut_to_width(anchor,
                                                        URL_COLS_MAX);
            fprintf(out, "      text \"%s\"\n", cut);
        }
        if (u->unwrapped) {
            g_autofree char *target = link_text(u->unwrapped, defang);
            g_autofree char *wrapper = mt_text_terminal_safe(
                u->wrapper ? u->wrapper : "wrapper");
            fprintf(out, "      %s target %s\n", wrapper, target);
        }
    }
    if (flagged > listed)
        fprintf(out, "    ... %u more flagged links in the JSON report\n",
                flagged - listed);
    g_string_free(line, TRUE);
}

/* ---- Forwarded messages. ---- */

static char *
from_text(const MtReport *m)
{
    const MtAddressField *f = &m->summary.from;
    const MtMailbox *mb;

    if (f->header_index < 0 || f->mailboxes == NULL ||
        f->mailboxes->len == 0)
        return g_strdup("(no From)");
    mb = f->mailboxes->pdata[0];
    if (mb->name && *mb->name)
        return g_strdup_printf("\"%s\" <%s>", mb->name,
                               mb->address ? mb->address : "");
    return g_strdup_printf("<%s>", mb->address ? mb->address : "");
}

static void
print_forwarded_one(FILE *out, const MtPart *part)
{
    const MtReport *m = part->message;
    g_autofree char *from = from_text(m);
    g_autofree char *line = NULL;
    g_autofree char *safe = NULL;

    if (m->identity.verdict)
        line = g_strdup_printf(
            "    part %s: forwarded message from %s, subject \"%s\", "
            "verdict %s (%d/100), %u findings",
            part->path ? part->path : "?", from,
            m->summary.subject.text ? m->summary.subject.text : "",
            m->identity.verdict, m->identity.score, m->findings->len);
    else
        line = g_strdup_printf(
            "    part %s: forwarded message from %s, subject \"%s\", "
            "not scored, %u findings",
            part->path ? part->path : "?", from,
            m->summary.subject.text ? m->summary.subject.text : "",
            m->findings->len);
    safe = mt_text_terminal_safe(line);
    fprintf(out, "%s\n", safe);
}

/* Every message part with an analyzed message, in tree order; walked
 * with an explicit stack since the tree can be deep. */
static void
print_forwarded(FILE *out, const MtPart *root)
{
    g_autoptr(GPtrArray) stack = g_ptr_array_new();
    guint shown = 0, total = 0, walked = 0;

    if (root == NULL)
        return;
    g_ptr_array_add(stack, (gpointer)root);
    while (stack->len > 0 && walked++ < PART_WALK_MAX) {
        const MtPart *part = g_ptr_array_steal_index(stack, stack->len - 1);

        if (part->kind == MT_PART_MESSAGE && part->message) {
            if (total == 0)
                fputs("  Forwarded messages:\n", out);
            total++;
            if (shown < FORWARDED_MAX) {
                print_forwarded_one(out, part);
                shown++;
            }
        }
        for (guint i = part->children ? part->children->len : 0; i-- > 0;)
            if (part->children->pdata[i])
                g_ptr_array_add(stack, part->children->pdata[i]);
    }
    if (total > shown)
        fprintf(out, "    ... %u more forwarded messages in the JSON "
                     "report\n",
                total - shown);
}

void
mt_text_mime(FILE *out, const MtReport *report, gboolean defang)
{
    const MtMime *m;

    g_return_if_fail(out != NULL && report != NULL);
    if (!report->analyzed)
        return;
    m = &report->mime;
    if (m->analyzed && m->partial) {
        g_autofree char *id = mt_text_terminal_safe(m->partial_id);
        fprintf(out, "  %-13s message/partial id \"%s\", part %d of %d\n",
                "Partial:", id, m->partial_number, m->partial_total);
    }
    if (m->attachments && m->attachments->len)
        print_attachments(out, m->attachments);
    if (m->bodies && m->bodies->len)
        print_bodies(out, m->bodies);
    if (report->links && (report->links->len || report->links_dropped))
        print_links(out, report, defang);
    print_forwarded(out, m->root);
}
