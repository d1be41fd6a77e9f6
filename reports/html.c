/* SPDX-License-Identifier: MIT */
/*
 * html.c: the HTML report, the page an analyst opens first and hands to a
 * colleague, and the index pages of --html-dir.
 *
 * Every message this renders may have been written to attack the person
 * reading it, so the page is built as a libxml2 document tree and never by
 * pasting strings: each value from a message becomes a text node, which
 * the serializer escapes, and no value from a message is ever put in an
 * attribute, a style sheet or a URL. Links found in a message are shown as
 * text, never as a live href, so nobody follows a phishing URL by a slip of
 * the mouse; they, and any URL a finding quotes, are also defanged (hxxp,
 * [.]) so that a copy and paste does not bring them back to life. Bodies
 * are shown as escaped text, an HTML body never rendered. The MIME tree
 * is built with an explicit stack and its lists stop nesting at a bound,
 * however deep the message. The page is one self-contained file: inline
 * CSS, no script, and a Content-Security-Policy that forbids script and
 * every request, in case a bug here ever let markup through. Ids and the
 * page's own fragment hrefs come from part paths, which the analyzer
 * writes, filtered to [A-Za-z0-9.-] all the same. Output is
 * deterministic: the only time on the page comes from SOURCE_DATE_EPOCH
 * when it is set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "html-private.h"
#include "mt-config.h"

/* Values longer than this are cut in the summary and finding rows; the raw
 * header table always holds the whole value. */
#define SUMMARY_TEXT_MAX 2000
/* Index rows: a Subject of a megabyte must not make a megabyte of index. */
#define INDEX_TEXT_MAX 200
/* Findings named in a verdict banner or an index row. */
#define TOP_FINDINGS 3
/* The relay diagram's width in SVG units, shown at up to 800 px. */
#define SVG_WIDTH 800

static const char css[] =
    ":root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1c2430;"
    "--muted:#5b6675;--line:#d9dee5;--head:#eef1f5;--accent:#1f5fae;"
    "--high:#b42318;--high-bg:#fdecea;--medium:#b54708;--medium-bg:#fef3e2;"
    "--low:#8a6d00;--low-bg:#fdf8e1;--info:#1f5fae;--info-bg:#e8f0fb;"
    "--ok:#1e7b3a;--ok-bg:#e7f5ec;--code:#f0f2f5}"
    "@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1a1f26;"
    "--fg:#e3e7ec;--muted:#9aa5b1;--line:#2e3640;--head:#222933;"
    "--accent:#7fb0f0;--high:#ff8a80;--high-bg:#3a1d1b;--medium:#ffb366;"
    "--medium-bg:#3a2a17;--low:#e8d36a;--low-bg:#33301a;--info:#8fb8f0;"
    "--info-bg:#1a2738;--ok:#7ad39a;--ok-bg:#17301f;--code:#232a33}}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 "
    "system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK JP',"
    "'Noto Sans CJK SC','Hiragino Sans','Yu Gothic','Microsoft YaHei',"
    "'Apple SD Gothic Neo','IPAPGothic','IPAGothic','WenQuanYi Zen Hei',"
    "'Noto Sans Arabic','Noto Sans Hebrew',sans-serif}"
    "header.top{background:#14213d;color:#fff;padding:14px 24px}"
    "header.top h1{margin:0;font-size:20px;font-weight:600}"
    "header.top p{margin:2px 0 0;color:#c9d3e3;font-size:13px}"
    "main{max-width:1240px;margin:0 auto;padding:16px 20px 40px}"
    "section.message{background:var(--card);border:1px solid var(--line);"
    "border-radius:8px;padding:4px 20px 16px;margin:0 0 24px}"
    "h2{font-size:19px;margin:16px 0 8px;overflow-wrap:anywhere}"
    "h3{font-size:16px;margin:22px 0 6px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}"
    "p.why{margin:2px 0 8px;color:var(--muted);font-size:13px}"
    ".na{color:var(--muted);font-style:italic}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th,td{text-align:left;vertical-align:top;padding:5px 8px;"
    "border-bottom:1px solid var(--line)}"
    "th{background:var(--head);font-weight:600;white-space:nowrap}"
    "td{overflow-wrap:break-word;unicode-bidi:isolate}"
    "td.mono,td .mono,td.val{overflow-wrap:anywhere}"
    /* Domains may break anywhere (a hostile one is long), but a column
     * is never squeezed below a common domain's width. */
    "td.dom{min-width:14ch}"
    "table.kv th{width:150px}"
    "td.expl{color:var(--muted);font-size:13px;width:34%}"
    "code,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,"
    "'Noto Sans Mono CJK JP',monospace;font-size:13px}"
    ".val{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".hash{user-select:all;background:var(--code);padding:1px 4px;"
    "border-radius:3px;overflow-wrap:anywhere}"
    ".num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}"
    ".nowrap{white-space:nowrap}"
    "table.index td{overflow-wrap:anywhere}"
    "table.index td.top{min-width:15em}"
    ".banner{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:baseline;"
    "border-radius:6px;padding:10px 14px;margin:8px 0 4px;"
    "border-left:6px solid var(--ok);background:var(--ok-bg)}"
    ".banner strong{font-size:16px}"
    ".banner.high{border-color:var(--high);background:var(--high-bg)}"
    ".banner.medium{border-color:var(--medium);background:var(--medium-bg)}"
    ".banner.low{border-color:var(--low);background:var(--low-bg)}"
    ".banner.info{border-color:var(--info);background:var(--info-bg)}"
    ".banner ul{margin:4px 0 0;padding-left:18px;flex-basis:100%}"
    ".sev{display:inline-block;min-width:62px;text-align:center;"
    "border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;"
    "text-transform:uppercase;white-space:nowrap}"
    ".sev.high{color:var(--high);background:var(--high-bg)}"
    ".sev.medium{color:var(--medium);background:var(--medium-bg)}"
    ".sev.low{color:var(--low);background:var(--low-bg)}"
    ".sev.info{color:var(--info);background:var(--info-bg)}"
    ".neg{color:var(--high);font-weight:600}"
    ".flag{display:inline-block;margin:2px 4px 0 0;padding:0 6px;"
    "border-radius:8px;font-size:12px;background:var(--head);"
    "white-space:nowrap}"
    ".flag.bad{color:var(--high);background:var(--high-bg)}"
    ".trust{font-size:12px;font-weight:600;padding:0 6px;border-radius:8px;"
    "white-space:nowrap}"
    ".trust.ok{color:var(--ok);background:var(--ok-bg)}"
    ".trust.claimed{color:var(--medium);background:var(--medium-bg)}"
    ".verdict{font-weight:600}"
    "svg.relay{display:block;width:100%;max-width:800px;height:auto;"
    "margin:6px 0 10px}"
    "svg.relay rect{fill:var(--card);stroke:var(--accent);stroke-width:1.5}"
    "svg.relay rect.origin{stroke:var(--muted);stroke-dasharray:4 3}"
    "svg.relay rect.warn{stroke:var(--high);stroke-width:2.5}"
    "svg.relay rect.boundary{stroke:var(--ok);stroke-width:2.5}"
    "svg.relay rect.trusted{stroke:var(--ok)}"
    "svg.relay rect.claimed{stroke:var(--medium);stroke-dasharray:6 3}"
    "svg.relay text{fill:var(--fg);font:15px system-ui,sans-serif}"
    "svg.relay text.sub{fill:var(--muted);font-size:13px}"
    "svg.relay text.delay{font-size:13px;fill:var(--muted)}"
    "svg.relay text.delay.neg{fill:var(--high);font-weight:600}"
    "svg.relay line{stroke:var(--muted);stroke-width:1.5}"
    "svg.relay path.head{fill:var(--muted)}"
    "details{margin:6px 0}summary{cursor:pointer;font-weight:600}"
    "ul.mime{list-style:none;margin:4px 0;padding-left:16px;"
    "border-left:2px solid var(--line)}"
    "ul.mime.top{padding-left:0;border-left:0}ul.mime li{margin:6px 0}"
    "div.part{overflow-wrap:anywhere}"
    ".fwd{border:1px solid var(--line);border-left:4px solid var(--accent);"
    "border-radius:6px;padding:6px 12px;margin:6px 0;background:var(--bg)}"
    ".fwd p,.fwd ul{margin:4px 0}"
    "div.body{margin:8px 0 14px}"
    "pre.preview{white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0;"
    "background:var(--code);padding:6px 8px;border-radius:4px;"
    "max-height:20em;overflow:auto;font-size:13px}"
    "code.url{overflow-wrap:anywhere;word-break:break-all}"
    "tr.attach td{border-bottom:0}tr.hashes td{padding-top:0}"
    "tr.hashes{font-size:13px}.hash-label{display:inline-block;"
    "min-width:5em;color:var(--muted)}"
    "nav.toc ol{columns:2;margin:6px 0 18px}"
    "a{color:var(--accent)}"
    "footer{color:var(--muted);font-size:12px;text-align:center;"
    "padding:12px}"
    "@media (max-width:700px){main{padding:8px}section.message{padding:"
    "4px 10px 12px}table.kv th{width:auto}td.expl{display:none}"
    "td{overflow-wrap:anywhere}td.nowrap{white-space:normal;"
    "overflow-wrap:break-word}"
    "nav.toc ol{columns:1}ul.mime{padding-left:8px}}"
    "@media print{:root{color-scheme:light}body{background:#fff;"
    "font-size:11pt}header.top{background:none;color:#000;"
    "border-bottom:2px solid #000;padding:0 0 6px}header.top p{color:#333}"
    "section.message{border:0;padding:0;break-before:page}"
    "section.message:first-of-type{break-before:auto}"
    "details>*{display:block}.scroll{overflow:visible}"
    "th{background:#eee}tr{break-inside:avoid}a{color:#000;"
    "text-decoration:none}nav.toc{display:none}"
    "pre.preview{max-height:none;overflow:visible}.fwd{break-inside:avoid}}";

/* ---- Text and nodes. ---- */

char *
mt_html_safe_text(const char *text, gsize max_chars)
{
    g_autofree char *visible = mt_text_terminal_safe(text);
    glong chars;

    if (max_chars == 0)
        return g_steal_pointer(&visible);
    chars = g_utf8_strlen(visible, -1);
    if ((gsize)chars <= max_chars)
        return g_steal_pointer(&visible);
    {
        const char *end = g_utf8_offset_to_pointer(visible, (glong)max_chars);
        GString *out = g_string_new_len(visible, end - visible);
        g_string_append_printf(out, "\xE2\x80\xA6 (%ld more characters)",
                               chars - (glong)max_chars);
        return g_string_free(out, FALSE);
    }
}

static xmlNodePtr
el(xmlNodePtr parent, const char *tag, const char *klass)
{
    xmlNodePtr node = xmlNewChild(parent, NULL, BAD_CAST tag, NULL);

    if (klass)
        xmlNewProp(node, BAD_CAST "class", BAD_CAST klass);
    return node;
}

/* Adds text from a message (or anywhere) as a text node: never parsed as
 * markup, escaped by the serializer. */
static void
add_text_max(xmlNodePtr node, const char *text, gsize max_chars)
{
    g_autofree char *safe = NULL;

    if (text == NULL)
        return;
    safe = mt_html_safe_text(text, max_chars);
    xmlNodeAddContent(node, BAD_CAST safe);
}

static void
add_text(xmlNodePtr node, const char *text)
{
    add_text_max(node, text, 0);
}

/* A finding's message: it may quote a link from the message, which the
 * page shows defanged like every other message URL. */
static void
add_finding_text(xmlNodePtr node, const char *message)
{
    g_autofree char *defanged = mt_text_defang_urls_in(message);

    add_text_max(node, defanged, SUMMARY_TEXT_MAX);
}

static xmlNodePtr
text_el(xmlNodePtr parent, const char *tag, const char *klass,
        const char *text)
{
    xmlNodePtr node = el(parent, tag, klass);

    add_text(node, text);
    return node;
}

static void G_GNUC_PRINTF(2, 3)
add_printf(xmlNodePtr node, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list args;

    va_start(args, fmt);
    text = g_strdup_vprintf(fmt, args);
    va_end(args);
    add_text(node, text);
}

static void G_GNUC_PRINTF(3, 4)
set_attr(xmlNodePtr node, const char *name, const char *fmt, ...)
{
    g_autofree char *value = NULL;
    va_list args;

    va_start(args, fmt);
    value = g_strdup_vprintf(fmt, args);
    va_end(args);
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void
not_analyzed(xmlNodePtr parent, const char *what)
{
    xmlNodePtr p = el(parent, "p", "na");

    add_printf(p, "%s: not analyzed.", what);
}

/* A link to a place on the same page: the only kind of href the report
 * has, built from our own numbers, never from message text. */
static xmlNodePtr
local_link(xmlNodePtr parent, const char *fragment, const char *label)
{
    xmlNodePtr a = text_el(parent, "a", NULL, label);

    set_attr(a, "href", "#%s", fragment);
    return a;
}

static void
header_link(xmlNodePtr parent, guint msg, int header_index)
{
    g_autofree char *frag = g_strdup_printf("m%u-h%d", msg, header_index);
    g_autofree char *label = g_strdup_printf("header #%d", header_index);

    local_link(parent, frag, label);
}

static xmlNodePtr
table_with_head(xmlNodePtr parent, const char *klass,
                const char *const *columns)
{
    xmlNodePtr wrap = el(parent, "div", "scroll");
    xmlNodePtr table = el(wrap, "table", klass);
    xmlNodePtr tr = el(el(table, "thead", NULL), "tr", NULL);

    for (guint i = 0; columns[i]; i++)
        text_el(tr, "th", NULL, columns[i]);
    return el(table, "tbody", NULL);
}

static const char *
analysis_time(char buf[static 21])
{
    const char *epoch = g_getenv("SOURCE_DATE_EPOCH");
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    guint64 value = 0;

    if (epoch && g_ascii_string_to_unsigned(epoch, 10, 0, G_MAXINT64, &value,
                                            NULL))
        now = (gint64)value;
    return mt_date_format_utc(now, buf);
}

/* ---- Severity and verdict. ---- */

static MtSeverity
worst_severity(const MtReport *report, gboolean *any)
{
    MtSeverity worst = MT_SEVERITY_INFO;

    *any = report->findings->len > 0;
    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (f->severity > worst)
            worst = f->severity;
    }
    return worst;
}

/* The findings worth naming first: the most severe, in report order. */
static GPtrArray *
top_findings(const MtReport *report, guint max)
{
    GPtrArray *top = g_ptr_array_new();

    for (int s = MT_SEVERITY_HIGH; s >= MT_SEVERITY_INFO && top->len < max;
         s--)
        for (guint i = 0; i < report->findings->len && top->len < max; i++) {
            MtFinding *f = report->findings->pdata[i];
            if ((int)f->severity == s)
                g_ptr_array_add(top, f);
        }
    return top;
}

static void
add_banner(xmlNodePtr parent, const MtReport *report)
{
    gboolean any;
    MtSeverity worst = worst_severity(report, &any);
    xmlNodePtr banner;
    xmlNodePtr strong;
    guint counts[MT_SEVERITY_HIGH + 1] = {0};
    g_autoptr(GPtrArray) top = top_findings(report, TOP_FINDINGS);
    GString *tally = g_string_new(NULL);

    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if (f->severity <= MT_SEVERITY_HIGH)
            counts[f->severity]++;
    }
    banner = el(parent, "div",
                any ? (worst == MT_SEVERITY_HIGH     ? "banner high"
                       : worst == MT_SEVERITY_MEDIUM ? "banner medium"
                       : worst == MT_SEVERITY_LOW    ? "banner low"
                                                     : "banner info")
                    : "banner");
    strong = el(banner, "strong", NULL);
    if (!report->analyzed)
        add_text(strong, "Not analyzed: the input gave no message");
    else if (!any)
        add_text(strong, "No findings");
    else
        add_printf(strong, "Highest severity: %s",
                   mt_severity_to_string(worst));
    for (int s = MT_SEVERITY_HIGH; s >= MT_SEVERITY_INFO; s--)
        if (counts[s])
            g_string_append_printf(tally, "%s%u %s", tally->len ? ", " : "",
                                   counts[s], mt_severity_to_string(s));
    text_el(banner, "span", NULL,
            tally->len ? tally->str : "0 findings");
    /* Without a verdict (scoring did not run) the page says so rather
     * than show an empty box. */
    if (report->identity.verdict) {
        xmlNodePtr v = el(banner, "span", "verdict");
        add_printf(v, "Verdict: %s \xC2\xB7 score %d/100",
                   report->identity.verdict, report->identity.score);
    } else {
        text_el(banner, "span", "na", "Verdict and score: not analyzed");
    }
    g_string_free(tally, TRUE);
    if (top->len) {
        xmlNodePtr ul = el(banner, "ul", NULL);
        for (guint i = 0; i < top->len; i++) {
            const MtFinding *f = top->pdata[i];
            xmlNodePtr li = el(ul, "li", NULL);
            add_printf(li, "%s: ", f->id);
            add_finding_text(li, f->message);
        }
    }
}

/* ---- Source. ---- */

static void
kv_row(xmlNodePtr tbody, const char *label, const char *value,
       const char *value_class)
{
    xmlNodePtr tr = el(tbody, "tr", NULL);

    text_el(tr, "th", NULL, label);
    text_el(tr, "td", value_class, value ? value : "\xE2\x80\x94");
}

static void
add_source(xmlNodePtr parent, const MtReport *report)
{
    const MtSource *s = &report->source;
    xmlNodePtr table;
    xmlNodePtr tbody;
    xmlNodePtr td;
    xmlNodePtr tr;
    g_autofree char *num = NULL;

    text_el(parent, "h3", NULL, "Evidence");
    text_el(parent, "p", "why",
            "Where the message came from. The SHA-256 is over exactly the "
            "stored bytes of this message: quote it to show that the copy "
            "you analyzed is the one you were given.");
    table = el(el(parent, "div", "scroll"), "table", "kv");
    tbody = el(table, "tbody", NULL);
    kv_row(tbody, "File", s->path, "mono");
    if (!report->analyzed)
        return;
    kv_row(tbody, "Format", mt_input_format_to_string(s->format), NULL);
    num = g_strdup_printf("%" G_GUINT64_FORMAT, s->index);
    kv_row(tbody, "Message index", num, "mono");
    g_free(num);
    num = g_strdup_printf("%" G_GUINT64_FORMAT, s->offset);
    kv_row(tbody, "Byte offset", num, "mono");
    g_free(num);
    num = g_strdup_printf("%" G_GUINT64_FORMAT " bytes", s->size);
    kv_row(tbody, "Size", num, "mono");
    tr = el(tbody, "tr", NULL);
    text_el(tr, "th", NULL, "SHA-256");
    td = el(tr, "td", NULL);
    text_el(td, "code", "hash", s->sha256[0] ? s->sha256 : "\xE2\x80\x94");
    kv_row(tbody, "Line endings", mt_eol_to_string(s->eol), NULL);
    if (s->mbox_from_line)
        kv_row(tbody, "mbox From line", s->mbox_from_line, "mono");
}

/* ---- Summary. ---- */

typedef struct {
    const char *label;
    const char *why;
} FieldHelp;

static void
summary_row(xmlNodePtr tbody, guint msg, const FieldHelp *help,
            int header_index, guint count, xmlNodePtr *value_td)
{
    xmlNodePtr tr = el(tbody, "tr", NULL);
    xmlNodePtr td;

    text_el(tr, "th", NULL, help->label);
    /* No pre-wrap here: the serializer's line breaks between the
     * mailbox <div>s would show. */
    *value_td = el(tr, "td", NULL);
    td = el(tr, "td", "expl");
    add_text(td, help->why);
    if (header_index >= 0) {
        add_text(td, " ");
        header_link(td, msg, header_index);
        if (count > 1)
            add_printf(td, " (%u fields of this name: suspicious)", count);
    }
}

static void
address_row(xmlNodePtr tbody, guint msg, const FieldHelp *help,
            const MtAddressField *f, gboolean always)
{
    xmlNodePtr td;

    if (f->header_index < 0 && !always)
        return;
    summary_row(tbody, msg, help, f->header_index, f->count, &td);
    if (f->header_index < 0) {
        text_el(td, "span", "na", "absent");
        return;
    }
    for (guint i = 0; f->mailboxes && i < f->mailboxes->len && i < 50; i++) {
        const MtMailbox *m = f->mailboxes->pdata[i];
        xmlNodePtr div = el(td, "div", NULL);
        if (m->name && *m->name) {
            xmlNodePtr name = el(div, "span", NULL);
            add_text_max(name, m->name, SUMMARY_TEXT_MAX);
            add_text(div, " ");
        }
        if (m->address) {
            add_text(div, "<");
            text_el(div, "span", "mono", m->address);
            add_text(div, ">");
        } else {
            text_el(div, "span", "na", "(no address)");
        }
    }
    if (f->mailboxes && f->mailboxes->len > 50)
        add_printf(td, "\xE2\x80\xA6 and %u more", f->mailboxes->len - 50);
}

static void
text_row(xmlNodePtr tbody, guint msg, const FieldHelp *help,
         const MtTextField *f, gboolean always)
{
    xmlNodePtr td;

    if (f->header_index < 0 && !always)
        return;
    summary_row(tbody, msg, help, f->header_index, f->count, &td);
    if (f->header_index < 0)
        text_el(td, "span", "na", "absent");
    else
        add_text_max(td, f->text, SUMMARY_TEXT_MAX);
}

static void
add_summary(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const FieldHelp from = {
        "From", "The author shown to the reader. The sender writes it "
                "freely: on its own it proves nothing."};
    static const FieldHelp sender = {
        "Sender", "The mailbox that sent on behalf of From, when the two "
                  "differ."};
    static const FieldHelp reply_to = {
        "Reply-To", "Where replies go. A free-mail or unrelated address here "
                    "is a classic phishing sign."};
    static const FieldHelp return_path = {
        "Return-Path", "The envelope sender (MAIL FROM) written at delivery: "
                       "bounces go here, and SPF checks its domain."};
    static const FieldHelp to = {
        "To", "Recipients as the sender wrote them; need not be who "
              "actually received the message."};
    static const FieldHelp cc = {"Cc", "Copy recipients as the sender wrote "
                                       "them."};
    static const FieldHelp delivered_to = {
        "Delivered-To", "The mailbox the receiving server delivered to: "
                        "written by the recipient's side."};
    static const FieldHelp original_to = {
        "X-Original-To", "The recipient before alias expansion, written by "
                         "the recipient's server."};
    static const FieldHelp subject = {
        "Subject", "Chosen by the sender. Urgency and threats are "
                   "social-engineering cues."};
    static const FieldHelp date = {
        "Date", "When the sender's software says the message was written; "
                "compare it with the first relay's time stamp."};
    static const FieldHelp message_id = {
        "Message-ID", "A unique id from the sending software; its domain "
                      "usually names the system that made the message."};
    static const FieldHelp in_reply_to = {
        "In-Reply-To", "The message this one answers. A reply to mail you "
                       "never sent is suspicious."};
    static const FieldHelp mailer = {
        "X-Mailer", "The software the sender claims to use; bulk-mail "
                    "libraries stand out."};
    static const FieldHelp agent = {"User-Agent",
                                    "The mail client the sender claims."};
    static const FieldHelp ctype = {
        "Content-Type", "The structure of the body: plain text, HTML, "
                        "attachments."};
    const MtSummary *s = &report->summary;
    xmlNodePtr table;
    xmlNodePtr tbody;
    xmlNodePtr td;

    text_el(parent, "h3", NULL, "Summary");
    text_el(parent, "p", "why",
            "The headers a reader sees, decoded. Every one of them is "
            "written by the sender and can be forged; the relay path and "
            "the authentication results say what can be trusted.");
    table = el(el(parent, "div", "scroll"), "table", "kv");
    tbody = el(table, "tbody", NULL);
    address_row(tbody, msg, &from, &s->from, TRUE);
    address_row(tbody, msg, &sender, &s->sender, FALSE);
    address_row(tbody, msg, &reply_to, &s->reply_to, FALSE);
    address_row(tbody, msg, &return_path, &s->return_path, FALSE);
    address_row(tbody, msg, &to, &s->to, TRUE);
    address_row(tbody, msg, &cc, &s->cc, FALSE);
    address_row(tbody, msg, &delivered_to, &s->delivered_to, FALSE);
    address_row(tbody, msg, &original_to, &s->x_original_to, FALSE);
    text_row(tbody, msg, &subject, &s->subject, TRUE);
    if (s->date.header_index >= 0) {
        summary_row(tbody, msg, &date, s->date.header_index, s->date.count,
                    &td);
        add_text_max(td, s->date.text, SUMMARY_TEXT_MAX);
        if (s->date_valid) {
            char buf[21];
            xmlNodePtr div = el(td, "div", "mono");
            add_printf(div, "= %s",
                       mt_date_format_utc(s->date_parsed.timestamp, buf));
        } else {
            text_el(td, "div", "neg", "not a valid RFC 5322 date");
        }
    } else {
        text_row(tbody, msg, &date, &s->date, TRUE);
    }
    text_row(tbody, msg, &message_id, &s->message_id, TRUE);
    text_row(tbody, msg, &in_reply_to, &s->in_reply_to, FALSE);
    text_row(tbody, msg, &mailer, &s->x_mailer, FALSE);
    text_row(tbody, msg, &agent, &s->user_agent, FALSE);
    text_row(tbody, msg, &ctype, &s->content_type, FALSE);
}

/* ---- Relay path. ---- */

static gboolean
hop_time(const MtHop *hop, gint64 *ts)
{
    if (hop->received == NULL || !hop->received->date_valid)
        return FALSE;
    *ts = hop->received->date_parsed.timestamp;
    return TRUE;
}

/* The delay into hop i (0-based): from the previous hop's stamp, or from
 * the Date header for the first hop. FALSE when a stamp is missing. */
static gboolean
hop_delay(const MtReport *report, guint i, gint64 *delay)
{
    const MtHop *hop = report->relay.hops->pdata[i];
    gint64 here;
    gint64 before;

    /* The relay analysis knows better (it skips undated hops); the
     * arrow into hop 1 is from the Date header, which it does not give. */
    if (i > 0 && hop->has_delay) {
        *delay = hop->delay_s;
        return TRUE;
    }
    if (!hop_time(hop, &here))
        return FALSE;
    if (i == 0) {
        if (!report->summary.date_valid)
            return FALSE;
        before = report->summary.date_parsed.timestamp;
    } else if (!hop_time(report->relay.hops->pdata[i - 1], &before)) {
        return FALSE;
    }
    *delay = here - before;
    return TRUE;
}

/* "+5 s", "-4 min 58 s", "+2 h 3 min": signed, because a negative delay
 * (a clock that runs backwards along the path) is evidence. */
static char *
format_delay(gint64 delay)
{
    guint64 a = delay < 0 ? (guint64)(-(delay + 1)) + 1 : (guint64)delay;
    const char *sign = delay < 0 ? "\xE2\x88\x92" : "+";

    if (a < 60)
        return g_strdup_printf("%s%" G_GUINT64_FORMAT " s", sign, a);
    if (a < 3600)
        return g_strdup_printf("%s%" G_GUINT64_FORMAT " min %" G_GUINT64_FORMAT
                               " s",
                               sign, a / 60, a % 60);
    if (a < 86400 * 2)
        return g_strdup_printf("%s%" G_GUINT64_FORMAT " h %" G_GUINT64_FORMAT
                               " min",
                               sign, a / 3600, (a % 3600) / 60);
    return g_strdup_printf("%s%" G_GUINT64_FORMAT " days", sign, a / 86400);
}

/* "helo / rdns [ip]": what the receiver recorded about its client. */
static char *
hop_client(const MtReceived *r)
{
    GString *out = g_string_new(NULL);

    if (r->from_helo)
        g_string_append(out, r->from_helo);
    if (r->from_rdns && g_strcmp0(r->from_rdns, r->from_helo) != 0)
        g_string_append_printf(out, "%s%s", out->len ? " / " : "",
                               r->from_rdns);
    if (r->from_ip)
        g_string_append_printf(out, "%s[%s]", out->len ? " " : "",
                               r->from_ip);
    if (out->len == 0)
        g_string_append(out, "(not recorded)");
    return g_string_free(out, FALSE);
}

static char *
hop_server(const MtReceived *r)
{
    GString *out = g_string_new(r->by_host);

    if (r->by_ip)
        g_string_append_printf(out, "%s[%s]", out->len ? " " : "", r->by_ip);
    if (out->len == 0)
        g_string_append(out, "(not recorded)");
    return g_string_free(out, FALSE);
}

/* "CN, AS4837 China Unicom" from a GeoIP record, or NULL. */
static char *
geo_text(const MtGeoRecord *geo)
{
    GString *out;

    if (geo == NULL)
        return NULL;
    out = g_string_new(NULL);
    if (geo->country_code)
        g_string_append(out, geo->country_code);
    if (geo->city)
        g_string_append_printf(out, "%s%s", out->len ? " " : "", geo->city);
    if (geo->asn)
        g_string_append_printf(out, "%sAS%u", out->len ? ", " : "",
                               geo->asn);
    if (geo->as_org)
        g_string_append_printf(out, " %s", geo->as_org);
    if (geo->is_tor_exit_node)
        g_string_append(out, ", Tor exit");
    else if (geo->is_anonymous_vpn)
        g_string_append(out, ", VPN");
    else if (geo->is_public_proxy)
        g_string_append(out, ", proxy");
    else if (geo->is_hosting_provider)
        g_string_append(out, ", hosting");
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

/* The flags that make a hop an anomaly worth colouring. */
#define ANOMALY_FLAGS                                                      \
    (MT_HOP_FLAG_NEGATIVE_DELAY | MT_HOP_FLAG_CLOCK_FAST |                 \
     MT_HOP_FLAG_CLOCK_SLOW | MT_HOP_FLAG_CHAIN_BREAK |                    \
     MT_HOP_FLAG_BAD_OFFSET | MT_HOP_FLAG_DATE_FUTURE |                    \
     MT_HOP_FLAG_PRIVATE_IP_EXTERNAL | MT_HOP_FLAG_ID_TIME_MISMATCH)

static const char *
hop_box_class(const MtHop *hop, gboolean negative)
{
    if (negative || (hop->flags & ANOMALY_FLAGS))
        return "warn";
    switch (hop->trust) {
    case MT_TRUST_BOUNDARY:
        return "boundary";
    case MT_TRUST_TRUSTED:
        return "trusted";
    case MT_TRUST_CLAIMED:
        return "claimed";
    default:
        return NULL;
    }
}

/* SVG text does not wrap: a label longer than the box is cut with a
 * plain ellipsis (the table below has the whole value). */
static void
add_svg_label(xmlNodePtr node, const char *text)
{
    g_autofree char *safe = mt_html_safe_text(text, 0);

    if (g_utf8_strlen(safe, -1) > MT_HTML_SVG_LABEL_MAX) {
        char *end = g_utf8_offset_to_pointer(safe, MT_HTML_SVG_LABEL_MAX - 1);
        GString *cut = g_string_new_len(safe, end - safe);
        g_string_append(cut, "\xE2\x80\xA6");
        xmlNodeAddContent(node, BAD_CAST cut->str);
        g_string_free(cut, TRUE);
        return;
    }
    xmlNodeAddContent(node, BAD_CAST safe);
}

static void
svg_text(xmlNodePtr svg, int x, int y, const char *klass, const char *text)
{
    xmlNodePtr t = el(svg, "text", klass);

    set_attr(t, "x", "%d", x);
    set_attr(t, "y", "%d", y);
    add_svg_label(t, text);
}

static void
svg_box(xmlNodePtr svg, int y, const char *klass, const char *line1,
        const char *line2)
{
    xmlNodePtr rect = el(svg, "rect", klass);

    set_attr(rect, "x", "%d", 10);
    set_attr(rect, "y", "%d", y);
    set_attr(rect, "width", "%d", SVG_WIDTH - 20);
    set_attr(rect, "height", "%d", 48);
    set_attr(rect, "rx", "%d", 6);
    svg_text(svg, 22, y + 20, NULL, line1);
    svg_text(svg, 22, y + 39, "sub", line2);
}

static void
svg_arrow(xmlNodePtr svg, int y_from, int y_to, const char *label,
          gboolean negative)
{
    xmlNodePtr line = el(svg, "line", NULL);
    xmlNodePtr head = el(svg, "path", "head");
    xmlNodePtr t;

    set_attr(line, "x1", "%d", 60);
    set_attr(line, "y1", "%d", y_from);
    set_attr(line, "x2", "%d", 60);
    set_attr(line, "y2", "%d", y_to - 7);
    set_attr(head, "d", "M54 %d L66 %d L60 %d Z", y_to - 8, y_to - 8, y_to);
    t = el(svg, "text", negative ? "delay neg" : "delay");
    set_attr(t, "x", "%d", 74);
    set_attr(t, "y", "%d", (y_from + y_to) / 2 + 4);
    add_svg_label(t, label);
}

/* The path as a diagram, origin at the top, the mailbox at the bottom:
 * the client of hop 1, then the server of each hop, each arrow labelled
 * with the protocol and the signed delay. */
static void
add_relay_svg(xmlNodePtr parent, const MtReport *report)
{
    const GPtrArray *hops = report->relay.hops;
    guint n = MIN(hops->len, (guint)MT_HTML_SVG_HOPS_MAX);
    const int step = 80;
    xmlNodePtr svg = el(parent, "svg", "relay");
    const MtHop *first = hops->pdata[0];
    g_autofree char *client = hop_client(first->received);
    g_autofree char *client_geo = geo_text(first->geo);

    set_attr(svg, "viewBox", "0 0 %d %d", SVG_WIDTH,
             20 + (int)(n + 1) * step - 34);
    set_attr(svg, "role", "img");
    text_el(svg, "title", NULL, "Relay path diagram, origin first");
    if (client_geo) {
        char *both = g_strdup_printf("%s \xC2\xB7 %s", client, client_geo);
        g_free(client);
        client = both;
    }
    svg_box(svg, 10, "origin", "Client of hop 1", client);
    for (guint i = 0; i < n; i++) {
        const MtHop *hop = hops->pdata[i];
        const MtReceived *r = hop->received;
        int y = 10 + (int)(i + 1) * step;
        gint64 delay = 0;
        gboolean timed = hop_delay(report, i, &delay);
        g_autofree char *delay_text = timed ? format_delay(delay)
                                            : g_strdup("time unknown");
        g_autofree char *label = g_strdup_printf(
            "%s%s%s", r->with ? r->with : "", r->with ? ", " : "", delay_text);
        g_autofree char *server = hop_server(r);
        g_autofree char *title = g_strdup_printf("Hop %u: %s", i + 1, server);
        g_autofree char *sub = NULL;
        char buf[21];

        svg_arrow(svg, y - step + 48, y, label, timed && delay < 0);
        if (r->date_valid)
            sub = g_strdup_printf("%s%s",
                                  mt_date_format_utc(r->date_parsed.timestamp,
                                                     buf),
                                  r->tls ? " \xC2\xB7 TLS" : "");
        else
            sub = g_strdup(r->tls ? "no valid date \xC2\xB7 TLS"
                                  : "no valid date");
        {
            g_autofree char *geo = geo_text(hop->geo);
            const char *trust = mt_trust_to_string(hop->trust);
            GString *line = g_string_new(sub);
            if (trust)
                g_string_append_printf(line, " \xC2\xB7 %s", trust);
            if (geo)
                g_string_append_printf(line, " \xC2\xB7 from %s", geo);
            g_free(sub);
            sub = g_string_free(line, FALSE);
        }
        svg_box(svg, y, hop_box_class(hop, timed && delay < 0), title, sub);
    }
    if (first->trust != MT_TRUST_UNKNOWN)
        text_el(parent, "p", "why",
                "Green: written by the receiving organisation (thick: the "
                "trust boundary, where the message entered it). Orange, "
                "dashed: claimed by the sending side, unverifiable. Red: an "
                "anomaly on that hop (time, link or address).");
    if (hops->len > n) {
        xmlNodePtr p = el(parent, "p", "na");
        add_printf(p, "The diagram shows the first %u of %u hops; the table "
                      "lists them all.", n, hops->len);
    }
}

static void
add_flags(xmlNodePtr td, guint flags)
{
    for (guint bit = 0; bit < MT_HOP_FLAG_COUNT; bit++) {
        const char *name;
        if (!(flags & (1u << bit)))
            continue;
        name = mt_hop_flag_to_string((MtHopFlag)(1u << bit));
        if (name)
            text_el(td, "span",
                    (flags & (1u << bit) & ANOMALY_FLAGS) ? "flag bad"
                                                          : "flag",
                    name);
    }
}

/* What the relay analysis concluded: the origin, the trust boundary, the
 * sender's own claims, the transit times. Absent parts are skipped. */
static void
add_relay_conclusions(xmlNodePtr parent, const MtReport *report, guint msg)
{
    const MtRelay *relay = &report->relay;
    const MtRelayOrigin *o = &relay->origin;
    xmlNodePtr tbody = el(el(el(parent, "div", "scroll"), "table", "kv"),
                          "tbody", NULL);
    xmlNodePtr tr;
    xmlNodePtr td;

    tr = el(tbody, "tr", NULL);
    text_el(tr, "th", NULL, "Origin");
    td = el(tr, "td", NULL);
    if (o->hop > 0 && o->ip) {
        g_autofree char *geo = geo_text(o->geo);
        g_autofree char *frag = g_strdup_printf("m%u-hop%d", msg, o->hop);
        g_autofree char *label = g_strdup_printf("hop %d", o->hop);
        text_el(td, "strong", "mono", o->ip);
        if (o->host)
            add_printf(td, " (%s)", o->host);
        add_printf(td, " \xC2\xB7 %s", mt_ip_class_to_string(o->ip_class));
        if (geo)
            add_printf(td, " \xC2\xB7 %s", geo);
        add_text(td, " \xC2\xB7 ");
        local_link(td, frag, label);
        text_el(td, "div", o->verified ? NULL : "neg",
                o->verified ? "Recorded by a trusted relay: a fact."
                            : "Recorded below the trust boundary: a claim.");
        if (o->reason)
            text_el(td, "div", "na", o->reason);
    } else if (relay->boundary_reason || o->reason) {
        add_text(td, "No public sender address found.");
        if (o->reason)
            text_el(td, "div", "na", o->reason);
    } else {
        text_el(td, "span", "na", "not analyzed");
    }
    if (relay->boundary_hop > 0 || relay->boundary_reason) {
        tr = el(tbody, "tr", NULL);
        text_el(tr, "th", NULL, "Trust boundary");
        td = el(tr, "td", NULL);
        if (relay->boundary_hop > 0)
            add_printf(td, "hop %d", relay->boundary_hop);
        else
            add_text(td, "none");
        if (relay->trust_source)
            add_printf(td, " (%s)", relay->trust_source);
        if (relay->boundary_reason)
            text_el(td, "div", "na", relay->boundary_reason);
    }
    for (guint i = 0; relay->claimed_origins && i < relay->claimed_origins->len;
         i++) {
        const MtClaimedOrigin *c = relay->claimed_origins->pdata[i];
        g_autofree char *geo = geo_text(c->geo);
        tr = el(tbody, "tr", NULL);
        text_el(tr, "th", NULL, "Claimed origin");
        td = el(tr, "td", NULL);
        text_el(td, "span", "mono", c->ip);
        add_printf(td, " \xC2\xB7 %s", mt_ip_class_to_string(c->ip_class));
        if (geo)
            add_printf(td, " \xC2\xB7 %s", geo);
        add_text(td, " \xC2\xB7 from ");
        add_text(td, c->header ? c->header : "a header");
        if (c->header_index >= 0) {
            add_text(td, " ");
            header_link(td, msg, c->header_index);
        }
        text_el(td, "div", "na",
                c->hop > 0 ? "A relay recorded this address too."
                           : "The sender's own claim: no relay recorded it.");
    }
    if (relay->has_total_transit) {
        g_autofree char *t = format_delay(relay->total_transit_s);
        kv_row(tbody, "Total transit", t, "mono");
    }
    if (relay->has_date_vs_first_hop) {
        g_autofree char *t = format_delay(relay->date_vs_first_hop_s);
        kv_row(tbody, "Date to first hop", t, "mono");
    }
}

static void
add_relay(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {
        "Hop", "From (client)", "By (server)", "With", "Time (UTC)",
        "Delay", "Trust", "Notes", NULL};
    const GPtrArray *hops = report->relay.hops;
    xmlNodePtr tbody;
    gboolean geo_any = FALSE;

    text_el(parent, "h3", NULL, "Relay path");
    {
        xmlNodePtr p = text_el(parent, "p", "why",
                               "Each server that handled the message adds a "
                               "Received header on top. Read from the origin "
                               "(hop 1, the oldest) to the mailbox. Only the "
                               "hops written by servers you trust are "
                               "certain; below them, a sender can forge "
                               "anything. ");
        add_printf(p, "%u hop%s.", hops->len, hops->len == 1 ? "" : "s");
    }
    if (hops->len == 0) {
        text_el(parent, "p", "na", "No Received headers.");
        return;
    }
    add_relay_conclusions(parent, report, msg);
    add_relay_svg(parent, report);
    tbody = table_with_head(parent, NULL, columns);
    for (guint i = 0; i < hops->len; i++) {
        const MtHop *hop = hops->pdata[i];
        const MtReceived *r = hop->received;
        xmlNodePtr tr = el(tbody, "tr", NULL);
        xmlNodePtr td;
        gint64 delay = 0;
        g_autofree char *client = hop_client(r);
        g_autofree char *server = hop_server(r);
        g_autofree char *geo = geo_text(hop->geo);
        const char *trust = mt_trust_to_string(hop->trust);

        set_attr(tr, "id", "m%u-hop%u", msg, i + 1);
        add_printf(text_el(tr, "td", "num", NULL), "%u", i + 1);
        td = text_el(tr, "td", "mono", client);
        if (hop->has_ip_class) {
            xmlNodePtr div = el(td, "div", "na");
            add_text(div, mt_ip_class_to_string(hop->ip_class));
            if (hop->ip_note)
                add_printf(div, " (%s)", hop->ip_note);
        }
        if (geo) {
            text_el(td, "div", NULL, geo);
            geo_any = TRUE;
        }
        td = text_el(tr, "td", "mono", server);
        if (r->by_software) {
            xmlNodePtr div = el(td, "div", "na");
            add_text(div, r->by_software);
        }
        td = text_el(tr, "td", NULL, r->with ? r->with : "\xE2\x80\x94");
        if (r->tls) {
            xmlNodePtr div = el(td, "div", NULL);
            add_printf(div, "TLS%s%s", r->tls_version ? " " : "",
                       r->tls_version ? r->tls_version : "");
        }
        if (r->authenticated) {
            xmlNodePtr div = el(td, "div", NULL);
            add_text(div, "authenticated");
            if (r->auth_user)
                add_printf(div, " as %s", r->auth_user);
        }
        td = el(tr, "td", "mono nowrap");
        if (r->date_valid) {
            char buf[21];
            add_text(td, mt_date_format_utc(r->date_parsed.timestamp, buf));
        } else {
            add_text_max(td, r->date ? r->date : "\xE2\x80\x94",
                         MT_HTML_SVG_LABEL_MAX);
            text_el(td, "div", "neg", "not a valid date");
        }
        if (hop_delay(report, i, &delay)) {
            g_autofree char *text = format_delay(delay);
            text_el(tr, "td", delay < 0 ? "num neg" : "num", text);
        } else {
            text_el(tr, "td", "num", "\xE2\x80\x94");
        }
        td = el(tr, "td", NULL);
        if (trust)
            text_el(td, "span",
                    hop->trust == MT_TRUST_CLAIMED ? "trust claimed"
                                                   : "trust ok",
                    trust);
        else
            text_el(td, "span", "na", "not analyzed");
        td = el(tr, "td", NULL);
        if (hop->header_index >= 0)
            header_link(el(td, "div", NULL), msg, hop->header_index);
        if (hop->link.status == MT_LINK_MISMATCH ||
            hop->link.status == MT_LINK_WEAK) {
            xmlNodePtr div = el(td, "div",
                                hop->link.status == MT_LINK_MISMATCH ? "neg"
                                                                     : NULL);
            add_printf(div, "link to hop %u: %s%s%s", i,
                       mt_link_status_to_string(hop->link.status),
                       hop->link.kind ? ", " : "",
                       hop->link.kind ? hop->link.kind : "");
        }
        add_flags(td, hop->flags);
    }
    if (!report->relay.geoip_available && !geo_any)
        not_analyzed(parent, "Country and ASN (no GeoIP database loaded)");
}

static const char *
yes_no(gboolean value)
{
    return value ? "yes" : "no";
}

static void
add_identity(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {
        "Role", "Name", "Address", "Domain", "Org. domain",
        "Aligned (relaxed / strict)", "Where", NULL};
    const MtIdentity *id = &report->identity;
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Identity alignment");
    text_el(parent, "p", "why",
            "Every identity the message carries, held against the From "
            "domain. A phishing message usually shows a brand in From and "
            "something else everywhere else.");
    if (id->identities == NULL || id->identities->len == 0) {
        not_analyzed(parent, "Identity alignment");
        return;
    }
    tbody = table_with_head(parent, NULL, columns);
    for (guint i = 0; i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        xmlNodePtr tr = el(tbody, "tr", NULL);
        xmlNodePtr td;
        g_autofree char *aligned = g_strdup_printf(
            "%s / %s", yes_no(e->aligned_relaxed), yes_no(e->aligned_strict));
        gboolean misaligned = e->domain && !e->aligned_relaxed;

        text_el(tr, "td", NULL, e->role);
        add_text_max(el(tr, "td", NULL), e->display_name, SUMMARY_TEXT_MAX);
        add_text_max(el(tr, "td", "mono"), e->address, SUMMARY_TEXT_MAX);
        text_el(tr, "td", "mono dom", e->domain);
        text_el(tr, "td", "mono dom", e->org_domain);
        text_el(tr, "td", misaligned ? "neg" : NULL,
                e->domain ? aligned : "\xE2\x80\x94");
        td = el(tr, "td", NULL);
        if (e->header_index >= 0)
            header_link(td, msg, e->header_index);
        if (e->hop > 0) {
            g_autofree char *frag = g_strdup_printf("m%u-hop%d", msg, e->hop);
            g_autofree char *label = g_strdup_printf(" hop %d", e->hop);
            local_link(td, frag, label);
        }
    }
    if (id->message_id_generator) {
        xmlNodePtr p = el(parent, "p", "why");
        add_printf(p, "Message-ID format suggests: %s.",
                   id->message_id_generator);
    }
}

static void
add_authentication(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"Header", "Server", "Trust",
                                          "Results", NULL};
    static const char *const sig_columns[] = {
        "Header", "Domain (d=)", "Selector", "Algorithm", "Body hash",
        "Signed From", NULL};
    const MtAuthentication *a = &report->authentication;
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Authentication");
    text_el(parent, "p", "why",
            "SPF, DKIM and DMARC as the receiving servers recorded them. "
            "Only results written by your own servers count: the sender "
            "can write any Authentication-Results header it likes.");
    if (a->results == NULL) {
        not_analyzed(parent, "Authentication");
        return;
    }
    tbody = el(el(el(parent, "div", "scroll"), "table", "kv"), "tbody",
               NULL);
    kv_row(tbody, "SPF (verified)", a->spf, "mono");
    kv_row(tbody, "DKIM (verified)", a->dkim_result, "mono");
    kv_row(tbody, "DMARC (verified)", a->dmarc, "mono");
    if (a->arc_chain)
        kv_row(tbody, "ARC chain", a->arc_chain, "mono");
    if (a->results->len) {
        tbody = table_with_head(parent, NULL, columns);
        for (guint i = 0; i < a->results->len; i++) {
            const MtAuthResults *r = a->results->pdata[i];
            xmlNodePtr tr = el(tbody, "tr", NULL);
            xmlNodePtr td;

            td = el(tr, "td", NULL);
            if (r->header_index >= 0)
                header_link(td, msg, r->header_index);
            if (r->arc_instance >= 0)
                add_printf(td, " (ARC i=%d)", r->arc_instance);
            text_el(tr, "td", "mono", r->authserv_id);
            td = el(tr, "td", NULL);
            text_el(td, "span", r->trust == MT_AUTH_TRUSTED ? NULL : "neg",
                    mt_auth_trust_to_string(r->trust));
            if (r->trust_reason)
                text_el(td, "div", "na", r->trust_reason);
            td = el(tr, "td", "mono");
            if (r->none)
                add_text(td, "none");
            for (guint m = 0; r->methods && m < r->methods->len && m < 50;
                 m++) {
                const MtAuthMethod *am = r->methods->pdata[m];
                xmlNodePtr div = el(td, "div", NULL);
                add_printf(div, "%s=%s", am->method ? am->method : "?",
                           am->result ? am->result : "?");
            }
        }
    }
    if (a->dkim && a->dkim->len) {
        tbody = table_with_head(parent, NULL, sig_columns);
        for (guint i = 0; i < a->dkim->len; i++) {
            const MtSignature *sig = a->dkim->pdata[i];
            xmlNodePtr tr = el(tbody, "tr", NULL);
            xmlNodePtr td = el(tr, "td", NULL);

            if (sig->header_index >= 0)
                header_link(td, msg, sig->header_index);
            text_el(tr, "td", "mono", sig->domain);
            text_el(tr, "td", "mono", sig->selector);
            text_el(tr, "td", "mono", sig->algorithm);
            text_el(tr, "td",
                    g_strcmp0(sig->body_hash_status, "changed") == 0 ? "neg"
                                                                     : NULL,
                    sig->body_hash_status);
            text_el(tr, "td", NULL, yes_no(sig->from_signed > 0));
        }
    }
}

/* ---- Content: MIME tree, attachments, bodies, links, indicators. ---- */

/* Lists nested this deep; deeper parts go in the deepest list, in tree
 * order, their paths saying where they belong. Keeps the page's element
 * depth bounded whatever max_mime_depth a caller set. */
#define MIME_NEST_MAX 24
/* Parts drawn at most: a guard far above max_parts (1000 by default). */
#define MIME_PARTS_MAX 100000
/* Characters of an anchor text, a preamble or a description shown. */
#define CONTENT_TEXT_MAX 300
/* Findings of a forwarded message named in its block. */
#define FORWARDED_FINDINGS_MAX 10

/* The anchor of a part: "m1-p1.2". Paths are ours (digits, dots, TEXT,
 * ":uu1"), but only [A-Za-z0-9.-] go into an id or href all the same. */
static char *
part_fragment(guint msg, const char *path)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "m%u-p", msg);
    for (const char *p = path ? path : ""; *p && out->len < 200; p++)
        g_string_append_c(out, g_ascii_isalnum(*p) || *p == '.' || *p == '-'
                                   ? *p
                                   : '_');
    return g_string_free(out, FALSE);
}

/* The tree part a path names, or the part a uuencoded or TNEF file
 * ("1:uu2") was found in; NULL when the tree has neither. */
static const MtPart *
tree_part(const MtReport *report, const char *path)
{
    g_autofree char *base = NULL;
    const char *colon;

    if (path == NULL || report->mime.root == NULL)
        return NULL;
    colon = strchr(path, ':');
    base = colon ? g_strndup(path, (gsize)(colon - path)) : g_strdup(path);
    /* The model is ours; mt_part_find does not change it. */
    return mt_part_find((MtPart *)report->mime.root, base);
}

/* "part 1.2", linked to the tree when the part is in it. */
static void
part_link(xmlNodePtr parent, const MtReport *report, guint msg,
          const char *path, const char *prefix)
{
    const MtPart *part = tree_part(report, path);
    g_autofree char *label = g_strdup_printf("%s%s", prefix,
                                             path ? path : "?");

    if (part) {
        g_autofree char *frag = part_fragment(msg, part->path);
        local_link(parent, frag, label);
    } else {
        add_text(parent, label);
    }
}

/* A URL or host from a message as text, always defanged: a page read in
 * a hurry must not offer a live link, even as something to copy. */
static void
add_defanged(xmlNodePtr node, const char *url, gboolean is_url)
{
    g_autofree char *shown = is_url ? mt_text_defang_url(url)
                                    : mt_text_defang_domain(url);

    add_text_max(node, shown, SUMMARY_TEXT_MAX);
}

/* Text that keeps its lines (a body preview): each line made safe on its
 * own, so a newline stays a newline and every other control is shown. */
static void
add_multiline(xmlNodePtr node, const char *text)
{
    g_auto(GStrv) lines = NULL;
    GString *out = g_string_new(NULL);

    lines = g_strsplit(text ? text : "", "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        gsize len = strlen(lines[i]);
        g_autofree char *safe = NULL;

        if (len && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
        g_strdelimit(lines[i], "\t", ' ');
        safe = mt_html_safe_text(lines[i], 0);
        if (i)
            g_string_append_c(out, '\n');
        g_string_append(out, safe);
    }
    xmlNodeAddContent(node, BAD_CAST out->str);
    g_string_free(out, TRUE);
}

static void
add_badges(xmlNodePtr node, guint flags, guint bits, guint suspicious,
           gboolean attach)
{
    for (guint bit = 0; bit < bits; bit++) {
        guint flag = 1u << bit;
        const char *name;

        if (!(flags & flag))
            continue;
        name = attach ? mt_attach_flag_to_string(flag)
                      : mt_url_flag_to_string(flag);
        if (name)
            text_el(node, "span", (flag & suspicious) ? "flag bad" : "flag",
                    name);
    }
}

static char *
bytes_text(guint64 n)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT " byte%s", n,
                           n == 1 ? "" : "s");
}

static void
add_sep(xmlNodePtr node, gboolean *first)
{
    if (!*first)
        add_text(node, " \xC2\xB7 ");
    *first = FALSE;
}

/* The line of one part: path, type, charset, encoding, disposition,
 * name, sizes, detected type and what the part is to the reader. */
static void
add_part_line(xmlNodePtr li, const MtPart *p)
{
    xmlNodePtr head = el(li, "div", "part");
    gboolean first = FALSE; /* a dot after the type, then between items */

    text_el(head, "code", NULL, p->path ? p->path : "?");
    add_text(head, " ");
    text_el(head, "strong", "mono", p->content_type ? p->content_type : "?");
    if (!p->type_declared)
        text_el(head, "span", "na", " (no Content-Type: default)");
    if (p->charset) {
        add_sep(head, &first);
        add_text(head, "charset ");
        add_text_max(head, p->charset, CONTENT_TEXT_MAX);
    }
    if (p->transfer_encoding) {
        add_sep(head, &first);
        add_text_max(head, p->transfer_encoding, CONTENT_TEXT_MAX);
    }
    if (p->disposition) {
        add_sep(head, &first);
        add_text_max(head, p->disposition, CONTENT_TEXT_MAX);
    }
    if (p->filename) {
        add_sep(head, &first);
        add_text(head, "name \xE2\x80\x9C");
        add_text_max(head, p->filename, CONTENT_TEXT_MAX);
        add_text(head, "\xE2\x80\x9D");
    }
    if (p->kind != MT_PART_MULTIPART) {
        g_autofree char *enc = bytes_text(p->size_encoded);
        g_autofree char *dec = bytes_text(p->size_decoded);
        add_sep(head, &first);
        add_printf(head, "%s stored, %s decoded", enc, dec);
    }
    if (p->detected_type &&
        g_strcmp0(p->detected_type, p->content_type) != 0) {
        add_sep(head, &first);
        add_text(head, "content is ");
        add_text_max(head, p->detected_type, CONTENT_TEXT_MAX);
    }
    add_text(head, " ");
    if (p->is_attachment)
        text_el(head, "span", "flag", "attachment");
    if (p->is_body)
        text_el(head, "span", "flag", "body");
    if (p->decoded_truncated)
        text_el(head, "span", "flag bad", "truncated at a limit");
    if (p->content_description) {
        xmlNodePtr div = el(li, "div", "na");
        add_text(div, "description: ");
        add_text_max(div, p->content_description, CONTENT_TEXT_MAX);
    }
    if (p->preamble) {
        xmlNodePtr div = el(li, "div", "na");
        add_text(div, "text before the first boundary: ");
        add_text_max(div, p->preamble, CONTENT_TEXT_MAX);
    }
    if (p->epilogue) {
        xmlNodePtr div = el(li, "div", "na");
        add_text(div, "text after the last boundary: ");
        add_text_max(div, p->epilogue, CONTENT_TEXT_MAX);
    }
}

static void
first_mailbox(xmlNodePtr td, const MtAddressField *f)
{
    const MtMailbox *m;

    if (f->header_index < 0 || f->mailboxes == NULL ||
        f->mailboxes->len == 0) {
        text_el(td, "span", "na", "absent");
        return;
    }
    m = f->mailboxes->pdata[0];
    if (m->name && *m->name) {
        add_text_max(td, m->name, SUMMARY_TEXT_MAX);
        add_text(td, " ");
    }
    add_text(td, "<");
    text_el(td, "span", "mono", m->address ? m->address : "");
    add_text(td, ">");
}

/* A message inside a message/rfc822 part: who it claims to be from, its
 * verdict, its relay path and its findings, with anchors of its own
 * ("m1-p2-hop1", "m1-p2-f1") that its findings' evidence links to. */
static void
add_forwarded(xmlNodePtr li, const MtPart *part, guint msg)
{
    const MtReport *m = part->message;
    g_autofree char *base = part_fragment(msg, part->path);
    xmlNodePtr box = el(li, "div", "fwd");
    xmlNodePtr head = el(box, "div", NULL);
    xmlNodePtr tbody;
    xmlNodePtr tr;
    guint counts[MT_SEVERITY_HIGH + 1] = {0};
    g_autoptr(GPtrArray) top = NULL;

    set_attr(box, "id", "%s-msg", base);
    text_el(head, "strong", NULL, "Forwarded message");
    if (m->identity.verdict)
        add_printf(head, " \xC2\xB7 verdict %s \xC2\xB7 score %d/100",
                   m->identity.verdict, m->identity.score);
    else
        text_el(head, "span", "na", " \xC2\xB7 not scored");
    tbody = el(el(el(box, "div", "scroll"), "table", "kv"), "tbody", NULL);
    tr = el(tbody, "tr", NULL);
    text_el(tr, "th", NULL, "From");
    first_mailbox(el(tr, "td", NULL), &m->summary.from);
    tr = el(tbody, "tr", NULL);
    text_el(tr, "th", NULL, "Subject");
    if (m->summary.subject.header_index >= 0)
        add_text_max(el(tr, "td", NULL), m->summary.subject.text,
                     SUMMARY_TEXT_MAX);
    else
        text_el(el(tr, "td", NULL), "span", "na", "absent");
    if (m->summary.date.header_index >= 0)
        kv_row(tbody, "Date", m->summary.date.text, NULL);
    if (m->summary.message_id.header_index >= 0)
        kv_row(tbody, "Message-ID", m->summary.message_id.text, "mono");

    /* The hops, as a short table to unfold. */
    if (m->relay.hops && m->relay.hops->len) {
        static const char *const columns[] = {"Hop", "From (client)",
                                              "By (server)", "Time (UTC)",
                                              NULL};
        xmlNodePtr details = el(box, "details", NULL);
        xmlNodePtr sum = el(details, "summary", NULL);
        xmlNodePtr hops;
        const MtRelayOrigin *o = &m->relay.origin;

        add_printf(sum, "%u hop%s", m->relay.hops->len,
                   m->relay.hops->len == 1 ? "" : "s");
        if (o->hop > 0 && o->ip)
            add_printf(sum, ", origin %s (hop %d, %s)", o->ip, o->hop,
                       o->verified ? "recorded by a trusted relay"
                                   : "a claim");
        hops = table_with_head(details, NULL, columns);
        for (guint i = 0; i < m->relay.hops->len; i++) {
            const MtHop *hop = m->relay.hops->pdata[i];
            const MtReceived *r = hop->received;
            xmlNodePtr row = el(hops, "tr", NULL);
            xmlNodePtr td;

            set_attr(row, "id", "%s-hop%u", base, i + 1);
            add_printf(el(row, "td", "num"), "%u", i + 1);
            if (r == NULL) {
                text_el(row, "td", "na", "(not parsed)");
                continue;
            }
            {
                g_autofree char *client = hop_client(r);
                g_autofree char *server = hop_server(r);
                text_el(row, "td", "mono", client);
                text_el(row, "td", "mono", server);
            }
            td = el(row, "td", "mono nowrap");
            if (r->date_valid) {
                char buf[21];
                add_text(td, mt_date_format_utc(r->date_parsed.timestamp,
                                                buf));
            } else {
                text_el(td, "span", "na", "no valid date");
            }
        }
    }

    /* The findings, counted, and the most severe named. */
    for (guint i = 0; i < m->findings->len; i++) {
        const MtFinding *f = m->findings->pdata[i];
        if (f->severity <= MT_SEVERITY_HIGH)
            counts[f->severity]++;
    }
    {
        xmlNodePtr p = el(box, "p", NULL);
        add_printf(p, "%u finding%s", m->findings->len,
                   m->findings->len == 1 ? "" : "s");
        if (m->findings->len)
            add_printf(p, ": %u high, %u medium, %u low, %u info",
                       counts[MT_SEVERITY_HIGH], counts[MT_SEVERITY_MEDIUM],
                       counts[MT_SEVERITY_LOW], counts[MT_SEVERITY_INFO]);
    }
    top = top_findings(m, FORWARDED_FINDINGS_MAX);
    if (top->len) {
        xmlNodePtr ul = el(box, "ul", NULL);
        for (guint i = 0; i < top->len; i++) {
            const MtFinding *f = top->pdata[i];
            xmlNodePtr fli = el(ul, "li", NULL);
            g_autofree char *klass = g_strdup_printf(
                "sev %s", mt_severity_to_string(f->severity));

            set_attr(fli, "id", "%s-f%u", base, i + 1);
            text_el(fli, "span", klass, mt_severity_to_string(f->severity));
            add_printf(fli, " %s: ", f->id);
            add_finding_text(fli, f->message);
            if (f->evidence.hop > 0 && m->relay.hops &&
                (guint)f->evidence.hop <= m->relay.hops->len) {
                g_autofree char *frag = g_strdup_printf(
                    "%s-hop%d", base, f->evidence.hop);
                g_autofree char *label = g_strdup_printf(
                    "hop %d", f->evidence.hop);
                add_text(fli, " (");
                local_link(fli, frag, label);
                add_text(fli, ")");
            }
        }
        if (m->findings->len > top->len)
            add_printf(el(box, "p", "na"), "%u more in the JSON report.",
                       m->findings->len - top->len);
    }
}

typedef struct {
    const MtPart *part;
    xmlNodePtr list;
    guint level;
} TreeJob;

static void
add_mime_tree(xmlNodePtr parent, const MtReport *report, guint msg)
{
    const MtMime *mime = &report->mime;
    g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(TreeJob));
    xmlNodePtr top;
    guint drawn = 0;

    text_el(parent, "h3", NULL, "MIME structure");
    {
        xmlNodePtr p = text_el(parent, "p", "why",
                               "The parts of the message as the mail client "
                               "sees them, numbered as IMAP does. A "
                               "forwarded message is shown with its own "
                               "sender, verdict and findings. ");
        if (mime->analyzed && mime->root)
            add_printf(p, "%u part%s, %d level%s deep.", mime->part_count,
                       mime->part_count == 1 ? "" : "s", mime->max_depth,
                       mime->max_depth == 1 ? "" : "s");
    }
    if (!mime->analyzed || mime->root == NULL) {
        not_analyzed(parent, "MIME tree");
        return;
    }
    if (mime->partial) {
        xmlNodePtr p = el(parent, "p", "neg");
        add_text(p, "message/partial: one piece of a message split in "
                    "parts, id ");
        add_text_max(p, mime->partial_id ? mime->partial_id : "?",
                     CONTENT_TEXT_MAX);
        add_printf(p, ", part %d of %d.", mime->partial_number,
                   mime->partial_total);
    }
    top = el(parent, "ul", "mime top");
    set_attr(top, "id", "m%u-mime", msg);
    g_array_append_val(stack, ((TreeJob){mime->root, top, 0}));
    while (stack->len > 0 && drawn < MIME_PARTS_MAX) {
        TreeJob job = g_array_index(stack, TreeJob, stack->len - 1);
        const MtPart *p = job.part;
        xmlNodePtr li;
        xmlNodePtr kids;
        guint level = job.level;
        g_autofree char *frag = part_fragment(msg, p->path);

        g_array_set_size(stack, stack->len - 1);
        drawn++;
        li = el(job.list, "li", NULL);
        set_attr(li, "id", "%s", frag);
        add_part_line(li, p);
        if (p->kind == MT_PART_MESSAGE && p->message)
            add_forwarded(li, p, msg);
        else if (p->kind == MT_PART_MESSAGE)
            text_el(li, "div", "na",
                    "Embedded message not analyzed (nesting limit).");
        if (p->children == NULL || p->children->len == 0)
            continue;
        if (level < MIME_NEST_MAX) {
            kids = el(li, "ul", "mime");
            level++;
        } else {
            kids = job.list;
        }
        for (guint i = p->children->len; i-- > 0;)
            if (p->children->pdata[i])
                g_array_append_val(stack, ((TreeJob){p->children->pdata[i],
                                                     kids, level}));
    }
}

static void
hash_line(xmlNodePtr td, const char *label, const char *hex)
{
    xmlNodePtr div = el(td, "div", NULL);

    text_el(div, "span", "hash-label", label);
    text_el(div, "code", "hash", hex && *hex ? hex : "\xE2\x80\x94");
}

static void
add_archive_row(xmlNodePtr tbody, const MtAttachment *a)
{
    static const char *const columns[] = {"Entry", "Size", "Type", "Notes",
                                          NULL};
    guint n = a->archive_entries ? a->archive_entries->len : 0;
    guint exec = 0, enc = 0;
    xmlNodePtr td = el(el(tbody, "tr", NULL), "td", NULL);
    xmlNodePtr details;
    xmlNodePtr sum;
    xmlNodePtr rows;

    xmlNewProp(td, BAD_CAST "colspan", BAD_CAST "5");
    for (guint i = 0; i < n; i++) {
        const MtArchiveEntry *e = a->archive_entries->pdata[i];
        exec += e->executable ? 1 : 0;
        enc += e->encrypted ? 1 : 0;
    }
    details = el(td, "details", NULL);
    sum = el(details, "summary", NULL);
    add_text_max(sum, a->archive_format ? a->archive_format : "archive",
                 CONTENT_TEXT_MAX);
    add_printf(sum, ": %u entr%s", n, n == 1 ? "y" : "ies");
    if (exec)
        add_printf(sum, ", %u executable", exec);
    if (enc)
        add_printf(sum, ", %u encrypted", enc);
    if (a->archive_entries_dropped)
        add_printf(sum, ", %u more not listed (limit)",
                   a->archive_entries_dropped);
    if (n == 0)
        return;
    rows = table_with_head(details, NULL, columns);
    for (guint i = 0; i < n; i++) {
        const MtArchiveEntry *e = a->archive_entries->pdata[i];
        xmlNodePtr tr = el(rows, "tr", NULL);
        xmlNodePtr notes;
        g_autofree char *size = bytes_text(e->size);

        td = el(tr, "td", "mono");
        add_text_max(td, e->name ? e->name : "(no name)", SUMMARY_TEXT_MAX);
        text_el(tr, "td", "num", size);
        text_el(tr, "td", "mono", e->detected_type ? e->detected_type
                                                   : "\xE2\x80\x94");
        notes = el(tr, "td", NULL);
        if (e->is_dir)
            text_el(notes, "span", "flag", "folder");
        if (e->executable)
            text_el(notes, "span", "flag bad", "executable");
        if (e->encrypted)
            text_el(notes, "span", "flag bad", "encrypted");
        if (e->depth > 0)
            add_printf(el(notes, "span", "flag"), "inside an inner archive "
                                                  "(level %d)",
                       e->depth);
    }
}

static void
add_attachments(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"Part", "Name", "Size",
                                          "Declared / detected type",
                                          "Flags", NULL};
    const GPtrArray *list = report->mime.attachments;
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Attachments");
    text_el(parent, "p", "why",
            "Files in the message, typed by their content, not by their "
            "name. The hashes are of the decoded bytes: look them up in a "
            "threat-intelligence service without opening the file.");
    if (list == NULL || list->len == 0) {
        text_el(parent, "p", "na", "None.");
        return;
    }
    tbody = table_with_head(parent, "attachments", columns);
    for (guint i = 0; i < list->len; i++) {
        const MtAttachment *a = list->pdata[i];
        xmlNodePtr tr = el(tbody, "tr", "attach");
        xmlNodePtr td;
        g_autofree char *size = bytes_text(a->size);

        td = el(tr, "td", "mono nowrap");
        part_link(td, report, msg, a->part, "");
        if (a->source && strcmp(a->source, "mime") != 0)
            text_el(td, "div", "na", strcmp(a->source, "uuencode") == 0
                                         ? "uuencoded in the text"
                                     : strcmp(a->source, "tnef") == 0
                                         ? "inside winmail.dat"
                                         : a->source);
        td = el(tr, "td", "mono");
        if (a->filename)
            add_text_max(td, a->filename, SUMMARY_TEXT_MAX);
        else
            text_el(td, "span", "na", "(no name)");
        text_el(tr, "td", "num", size);
        td = el(tr, "td", NULL);
        {
            xmlNodePtr div = el(td, "div", "mono");
            text_el(div, "span", "na", "declared ");
            add_text_max(div, a->declared_type ? a->declared_type
                                               : "\xE2\x80\x94",
                         CONTENT_TEXT_MAX);
            div = el(td, "div", (a->flags & MT_ATTACH_TYPE_MISMATCH)
                                    ? "mono neg"
                                    : "mono");
            text_el(div, "span", "na", "detected ");
            add_text_max(div, a->detected_type ? a->detected_type
                                               : "\xE2\x80\x94",
                         CONTENT_TEXT_MAX);
            if (a->detected_description)
                text_el(td, "div", "na", a->detected_description);
        }
        td = el(tr, "td", NULL);
        add_badges(td, a->flags, MT_ATTACH_FLAG_BITS,
                   MT_ATTACH_FLAGS_SUSPICIOUS, TRUE);
        /* The hashes on a row of their own, each on one line. */
        tr = el(tbody, "tr", "hashes");
        el(tr, "td", NULL);
        td = el(tr, "td", NULL);
        xmlNewProp(td, BAD_CAST "colspan", BAD_CAST "4");
        hash_line(td, "MD5", a->hashes.md5);
        hash_line(td, "SHA-1", a->hashes.sha1);
        hash_line(td, "SHA-256", a->hashes.sha256);
        if (a->archive_format || a->archive_entries)
            add_archive_row(tbody, a);
    }
}

static void
add_bodies(xmlNodePtr parent, const MtReport *report, guint msg)
{
    const GPtrArray *bodies = report->mime.bodies;

    text_el(parent, "h3", NULL, "Bodies");
    text_el(parent, "p", "why",
            "The text the reader sees, decoded to UTF-8. Shown as plain "
            "text only: an HTML body is never rendered here, its markup "
            "is shown as written.");
    if (bodies == NULL || bodies->len == 0) {
        text_el(parent, "p", "na", "No text body.");
        return;
    }
    for (guint i = 0; i < bodies->len; i++) {
        const MtBody *b = bodies->pdata[i];
        xmlNodePtr div = el(parent, "div", "body");
        xmlNodePtr head = el(div, "div", NULL);
        g_autofree char *size = bytes_text(b->size);

        part_link(el(head, "strong", NULL), report, msg, b->part, "part ");
        add_text(head, " ");
        text_el(head, "span", "mono", b->content_type ? b->content_type
                                                      : "?");
        add_text(head, " \xC2\xB7 charset ");
        add_text_max(head, b->charset_used ? b->charset_used : "?",
                     CONTENT_TEXT_MAX);
        if (b->charset_declared &&
            g_ascii_strcasecmp(b->charset_declared,
                               b->charset_used ? b->charset_used : "") != 0) {
            add_text(head, " (declared \xE2\x80\x9C");
            add_text_max(head, b->charset_declared, CONTENT_TEXT_MAX);
            add_text(head, "\xE2\x80\x9D)");
        }
        add_printf(head, " \xC2\xB7 %s, %" G_GUINT64_FORMAT " characters",
                   size, b->chars);
        if (b->charset_detected || b->charset_note || b->lossy) {
            xmlNodePtr note = el(div, "div",
                                 b->lossy ? "neg" : "na");
            if (b->charset_detected)
                add_text(note, "charset detected");
            if (b->charset_note) {
                add_text(note, b->charset_detected ? ": " : "");
                add_text_max(note, b->charset_note, CONTENT_TEXT_MAX);
            }
            if (b->lossy)
                add_text(note, b->charset_detected || b->charset_note
                                   ? "; some bytes did not convert"
                                   : "some bytes did not convert");
        }
        if (b->preview && *b->preview) {
            xmlNodePtr pre = el(div, "pre", "preview");
            add_multiline(pre, b->preview);
            if (b->chars > (guint64)g_utf8_strlen(b->preview, -1))
                text_el(div, "div", "na",
                        "Preview: the first characters only (the JSON "
                        "report has the full text with --bodies).");
        } else {
            text_el(div, "div", "na", "No preview (--body-preview 0, or "
                                      "an empty body).");
        }
    }
}

static void
add_links(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"#", "URL (defanged)", "Flags",
                                          "Shown as", "Where",
                                          "Rewritten link", NULL};
    const GPtrArray *links = report->links;
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Links");
    {
        xmlNodePtr p = text_el(parent, "p", "why",
                               "Every URL in the bodies, defanged (hxxp, "
                               "[.]) and never clickable. A link whose text "
                               "shows another domain than it goes to is the "
                               "classic phishing trick. ");
        add_printf(p, "%u link%s.", links ? links->len : 0,
                   links && links->len == 1 ? "" : "s");
    }
    if (links == NULL || links->len == 0) {
        if (report->links_dropped == 0) {
            text_el(parent, "p", "na", "None.");
            return;
        }
    } else {
        tbody = table_with_head(parent, "links", columns);
        for (guint i = 0; i < links->len; i++) {
            const MtUrl *u = links->pdata[i];
            xmlNodePtr tr = el(tbody, "tr", NULL);
            xmlNodePtr td;

            set_attr(tr, "id", "m%u-link%u", msg, i + 1);
            add_printf(el(tr, "td", "num"), "%u", i + 1);
            td = el(tr, "td", NULL);
            add_defanged(el(td, "code", "url"), u->url, TRUE);
            if (u->host_unicode && g_strcmp0(u->host_unicode, u->host)) {
                xmlNodePtr div = el(td, "div", "na");
                add_text(div, "host shown as ");
                add_defanged(div, u->host_unicode, FALSE);
            }
            td = el(tr, "td", NULL);
            add_badges(td, u->flags, MT_URL_FLAG_BITS,
                       MT_URL_FLAGS_SUSPICIOUS, FALSE);
            td = el(tr, "td", NULL);
            if (u->anchor_text)
                add_text_max(td, u->anchor_text, CONTENT_TEXT_MAX);
            else
                add_text(td, "\xE2\x80\x94");
            td = el(tr, "td", "nowrap");
            add_text(td, mt_url_source_to_string(u->source));
            if (u->part) {
                add_text(td, ", ");
                part_link(td, report, msg, u->part, "part ");
            }
            td = el(tr, "td", NULL);
            if (u->wrapper || u->unwrapped) {
                add_text_max(td, u->wrapper ? u->wrapper : "rewritten",
                             CONTENT_TEXT_MAX);
                if (u->unwrapped) {
                    add_text(td, " \xE2\x86\x92 ");
                    add_defanged(el(td, "code", "url"), u->unwrapped, TRUE);
                }
            } else {
                add_text(td, "\xE2\x80\x94");
            }
        }
    }
    if (report->links_dropped) {
        xmlNodePtr p = el(parent, "p", "na");
        add_printf(p, "%u more links were counted but not kept (limit).",
                   report->links_dropped);
    }
}

static void
add_indicators(xmlNodePtr parent, const MtReport *report)
{
    static const char *const columns[] = {"Type", "Value", "Seen in",
                                          NULL};
    const GPtrArray *list = report->indicators;
    xmlNodePtr details;
    xmlNodePtr summary;
    xmlNodePtr tbody;

    if (list == NULL || list->len == 0)
        return;
    text_el(parent, "h3", NULL, "Indicators");
    details = el(parent, "details", NULL);
    summary = el(details, "summary", NULL);
    add_printf(summary, "%u indicators (addresses, domains, URLs, hashes) "
                        "for a blocklist or a lookup; URLs and domains "
                        "defanged",
               list->len);
    tbody = table_with_head(details, "indicators", columns);
    for (guint i = 0; i < list->len; i++) {
        const MtIndicator *ind = list->pdata[i];
        xmlNodePtr tr = el(tbody, "tr", NULL);
        xmlNodePtr td;
        GString *sources = g_string_new(NULL);

        text_el(tr, "td", "nowrap", mt_indicator_type_to_string(ind->type));
        td = el(tr, "td", NULL);
        switch (ind->type) {
        case MT_INDICATOR_URL:
            add_defanged(el(td, "code", "url"), ind->value, TRUE);
            break;
        case MT_INDICATOR_DOMAIN:
        case MT_INDICATOR_EMAIL:
            add_defanged(el(td, "code", NULL), ind->value, FALSE);
            break;
        case MT_INDICATOR_IP:
            text_el(td, "code", NULL, ind->value);
            break;
        case MT_INDICATOR_MD5:
        case MT_INDICATOR_SHA1:
        case MT_INDICATOR_SHA256:
            text_el(td, "code", "hash", ind->value);
            break;
        }
        for (guint k = 0; ind->sources && k < ind->sources->len && k < 20;
             k++)
            g_string_append_printf(sources, "%s%s", k ? ", " : "",
                                   (const char *)ind->sources->pdata[k]);
        if (ind->sources && ind->sources->len > 20)
            g_string_append_printf(sources, ", and %u more",
                                   ind->sources->len - 20);
        add_text_max(el(tr, "td", NULL), sources->str, SUMMARY_TEXT_MAX);
        g_string_free(sources, TRUE);
    }
}

static void
add_dsn(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"Part", "Reporting MTA",
                                          "Recipient", "Action", "Status",
                                          "Diagnostic", NULL};
    const GPtrArray *list = report->mime.dsn;
    xmlNodePtr tbody;

    if (list == NULL || list->len == 0)
        return;
    text_el(parent, "h3", NULL, "Delivery status");
    text_el(parent, "p", "why",
            "A bounce (RFC 3464): which server gave up on which recipient, "
            "and why. The returned message is in the MIME tree.");
    tbody = table_with_head(parent, NULL, columns);
    for (guint i = 0; i < list->len; i++) {
        const MtDsn *d = list->pdata[i];
        guint n = d->recipients ? d->recipients->len : 0;

        for (guint k = 0; k < (n ? n : 1); k++) {
            const MtDsnRecipient *r = n ? d->recipients->pdata[k] : NULL;
            xmlNodePtr tr = el(tbody, "tr", NULL);

            part_link(el(tr, "td", "mono nowrap"), report, msg, d->part, "");
            add_text_max(el(tr, "td", "mono"),
                         d->reporting_mta ? d->reporting_mta
                                          : "\xE2\x80\x94",
                         CONTENT_TEXT_MAX);
            add_text_max(el(tr, "td", "mono"),
                         r && r->final_recipient ? r->final_recipient
                                                 : "\xE2\x80\x94",
                         CONTENT_TEXT_MAX);
            add_text_max(el(tr, "td", NULL),
                         r && r->action ? r->action : "\xE2\x80\x94",
                         CONTENT_TEXT_MAX);
            add_text_max(el(tr, "td", "mono"),
                         r && r->status ? r->status : "\xE2\x80\x94",
                         CONTENT_TEXT_MAX);
            add_text_max(el(tr, "td", NULL),
                         r && r->diagnostic_code ? r->diagnostic_code
                                                 : "\xE2\x80\x94",
                         SUMMARY_TEXT_MAX);
        }
    }
}

static void
add_content(xmlNodePtr parent, const MtReport *report, guint msg)
{
    add_mime_tree(parent, report, msg);
    if (!report->mime.analyzed) {
        not_analyzed(parent, "Attachments, bodies and links");
        return;
    }
    add_attachments(parent, report, msg);
    add_bodies(parent, report, msg);
    add_links(parent, report, msg);
    add_dsn(parent, report, msg);
    add_indicators(parent, report);
}

/* ---- Findings, defects, headers, errors. ---- */

static void
evidence_cell(xmlNodePtr td, const MtEvidence *ev, const MtReport *report,
              guint msg)
{
    gboolean any = FALSE;

    if (ev->header_index >= 0) {
        header_link(td, msg, ev->header_index);
        any = TRUE;
    }
    if (ev->hop >= 0) {
        g_autofree char *frag = g_strdup_printf("m%u-hop%d", msg, ev->hop);
        g_autofree char *label = g_strdup_printf("hop %d", ev->hop);
        if (any)
            add_text(td, ", ");
        local_link(td, frag, label);
        any = TRUE;
    }
    if (ev->offset >= 0) {
        add_printf(td, "%sbyte %" G_GINT64_FORMAT, any ? ", " : "",
                   ev->offset);
        any = TRUE;
    }
    if (ev->part) {
        if (any)
            add_text(td, ", ");
        part_link(td, report, msg, ev->part, "part ");
        any = TRUE;
    }
    if (!any)
        add_text(td, "\xE2\x80\x94");
}

static void
add_findings(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"Severity", "Id", "Finding",
                                          "Evidence", NULL};
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Findings");
    text_el(parent, "p", "why",
            "Anomalies found in the message, most severe first. Each "
            "points to its evidence.");
    if (report->findings->len == 0) {
        text_el(parent, "p", "na", "None.");
        return;
    }
    tbody = table_with_head(parent, NULL, columns);
    for (int s = MT_SEVERITY_HIGH; s >= MT_SEVERITY_INFO; s--)
        for (guint i = 0; i < report->findings->len; i++) {
            const MtFinding *f = report->findings->pdata[i];
            g_autofree char *klass = NULL;
            xmlNodePtr tr;

            if ((int)f->severity != s)
                continue;
            klass = g_strdup_printf("sev %s", mt_severity_to_string(s));
            tr = el(tbody, "tr", NULL);
            text_el(el(tr, "td", NULL), "span", klass,
                    mt_severity_to_string(s));
            text_el(tr, "td", "mono nowrap", f->id);
            add_finding_text(el(tr, "td", NULL), f->message);
            evidence_cell(el(tr, "td", NULL), &f->evidence, report, msg);
        }
}

static void
add_defects(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"Code", "Defect", "Where", NULL};
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Parser defects");
    text_el(parent, "p", "why",
            "Places where the message breaks the format rules. Mail "
            "clients disagree on how to read such places, which attackers "
            "use to show different readers different things.");
    if (report->defects->len == 0) {
        text_el(parent, "p", "na", "None.");
        return;
    }
    tbody = table_with_head(parent, NULL, columns);
    for (guint i = 0; i < report->defects->len; i++) {
        const MtDefect *d = report->defects->pdata[i];
        xmlNodePtr tr = el(tbody, "tr", NULL);
        MtEvidence ev = {d->header_index, d->offset, -1, NULL};

        text_el(tr, "td", "mono", d->code);
        add_text_max(el(tr, "td", NULL), d->message, SUMMARY_TEXT_MAX);
        evidence_cell(el(tr, "td", NULL), &ev, report, msg);
    }
    if (report->defects_dropped) {
        xmlNodePtr p = el(parent, "p", "na");
        add_printf(p, "%u more defects were counted but not kept.",
                   report->defects_dropped);
    }
}

static void
add_headers(xmlNodePtr parent, const MtReport *report, guint msg)
{
    static const char *const columns[] = {"#", "Offset", "Name", "Value",
                                          NULL};
    xmlNodePtr details;
    xmlNodePtr summary;
    xmlNodePtr tbody;

    text_el(parent, "h3", NULL, "Raw headers");
    details = el(parent, "details", NULL);
    summary = el(details, "summary", NULL);
    add_printf(summary, "%u header fields, numbered as the evidence refers "
                        "to them",
               report->headers->len);
    tbody = table_with_head(details, NULL, columns);
    for (guint i = 0; i < report->headers->len; i++) {
        const MtHeader *h = report->headers->pdata[i];
        xmlNodePtr tr = el(tbody, "tr", NULL);
        xmlNodePtr td;
        g_autofree char *value = mt_escape_bytes(h->value, h->value_len,
                                                 NULL);

        set_attr(tr, "id", "m%u-h%u", msg, i);
        add_printf(el(tr, "td", "num"), "%u", i);
        add_printf(el(tr, "td", "num mono"), "%" G_GUINT64_FORMAT, h->offset);
        text_el(tr, "td", "mono", h->name);
        td = text_el(tr, "td", "mono val", value);
        if (h->decoded && strcmp(h->decoded, value) != 0) {
            xmlNodePtr div = el(td, "div", NULL);
            text_el(div, "span", "na", "decoded: ");
            add_text(div, h->decoded);
        }
    }
    if (report->headers_dropped) {
        xmlNodePtr p = el(details, "p", "na");
        add_printf(p, "%u more header fields were not kept (limit).",
                   report->headers_dropped);
    }
}

static void
add_errors(xmlNodePtr parent, const MtReport *report)
{
    static const char *const columns[] = {"Code", "Error", NULL};
    xmlNodePtr tbody;

    if (report->errors->len == 0)
        return;
    text_el(parent, "h3", NULL, "Errors");
    text_el(parent, "p", "why",
            "What could not be done. The rest of the report holds what "
            "could.");
    tbody = table_with_head(parent, NULL, columns);
    for (guint i = 0; i < report->errors->len; i++) {
        const MtReportError *e = report->errors->pdata[i];
        xmlNodePtr tr = el(tbody, "tr", NULL);
        text_el(tr, "td", "mono", e->code);
        add_text_max(el(tr, "td", NULL), e->message, SUMMARY_TEXT_MAX);
    }
}

/* ---- The page. ---- */

static const char *
report_title(const MtReport *report)
{
    if (report->summary.subject.header_index >= 0 &&
        report->summary.subject.text && *report->summary.subject.text)
        return report->summary.subject.text;
    return "(no subject)";
}

typedef struct {
    htmlDocPtr doc;
    xmlNodePtr main;
    xmlNodePtr toc; /* the <ol> of contents, filled as messages come */
    xmlNodePtr first_h2;
    char *first_title; /* safe text, for the contents list */
    guint count;
} HtmlPage;

static HtmlPage *
page_new(const char *title)
{
    HtmlPage *page = g_new0(HtmlPage, 1);
    xmlNodePtr html;
    xmlNodePtr head;
    xmlNodePtr body;
    xmlNodePtr meta;
    xmlNodePtr header;
    xmlNodePtr p;
    char when[21];

    page->doc = htmlNewDocNoDtD(NULL, NULL);
    /* "<!DOCTYPE html>": standards mode in every browser. */
    xmlCreateIntSubset(page->doc, BAD_CAST "html", NULL, NULL);
    html = xmlNewNode(NULL, BAD_CAST "html");
    xmlDocSetRootElement(page->doc, html);
    xmlNewProp(html, BAD_CAST "lang", BAD_CAST "en");
    head = el(html, "head", NULL);
    meta = el(head, "meta", NULL);
    xmlNewProp(meta, BAD_CAST "charset", BAD_CAST "utf-8");
    /* The policy comes before anything it should govern. */
    meta = el(head, "meta", NULL);
    xmlNewProp(meta, BAD_CAST "http-equiv",
               BAD_CAST "Content-Security-Policy");
    xmlNewProp(meta, BAD_CAST "content", BAD_CAST MT_HTML_CSP);
    meta = el(head, "meta", NULL);
    xmlNewProp(meta, BAD_CAST "name", BAD_CAST "referrer");
    xmlNewProp(meta, BAD_CAST "content", BAD_CAST "no-referrer");
    meta = el(head, "meta", NULL);
    xmlNewProp(meta, BAD_CAST "name", BAD_CAST "viewport");
    xmlNewProp(meta, BAD_CAST "content",
               BAD_CAST "width=device-width, initial-scale=1");
    text_el(head, "title", NULL, title);
    /* A constant style sheet: the serializer writes <style> content raw,
     * which is why nothing from a message may ever go in it. */
    xmlNodeAddContent(el(head, "style", NULL), BAD_CAST css);

    body = el(html, "body", NULL);
    header = el(body, "header", "top");
    text_el(header, "h1", NULL, "mailtrail report");
    p = el(header, "p", NULL);
    add_printf(p, "Email header forensics \xC2\xB7 mailtrail %s \xC2\xB7 "
                  "generated %s",
               MT_VERSION, analysis_time(when));
    page->main = el(body, "main", NULL);
    return page;
}

static void
page_add(HtmlPage *page, const MtReport *report)
{
    guint msg = ++page->count;
    xmlNodePtr section;
    xmlNodePtr h2;
    g_autofree char *anchor = g_strdup_printf("m%u", msg);

    /* The contents list appears once there is more than one message, and
     * the first message's heading gets its number then. */
    if (msg == 2) {
        xmlNodePtr nav = xmlNewNode(NULL, BAD_CAST "nav");
        xmlNewProp(nav, BAD_CAST "class", BAD_CAST "toc");
        xmlAddPrevSibling(page->main->children, nav);
        text_el(nav, "h2", NULL, "Messages");
        page->toc = el(nav, "ol", NULL);
        local_link(el(page->toc, "li", NULL), "m1", page->first_title);
        if (page->first_h2->children)
            xmlAddPrevSibling(page->first_h2->children,
                              xmlNewText(BAD_CAST "1. "));
    }
    section = el(page->main, "section", "message");
    xmlNewProp(section, BAD_CAST "id", BAD_CAST anchor);
    h2 = el(section, "h2", NULL);
    if (page->toc)
        add_printf(h2, "%u. ", msg);
    add_text_max(h2, report_title(report), INDEX_TEXT_MAX);
    if (msg == 1) {
        page->first_h2 = h2;
        page->first_title = mt_html_safe_text(report_title(report),
                                              INDEX_TEXT_MAX);
    } else {
        xmlNodePtr a = local_link(el(page->toc, "li", NULL), anchor, NULL);
        add_text_max(a, report_title(report), INDEX_TEXT_MAX);
    }
    add_banner(section, report);
    if (report->analyzed) {
        add_summary(section, report, msg);
        add_findings(section, report, msg);
        add_relay(section, report, msg);
        add_identity(section, report, msg);
        add_authentication(section, report, msg);
        add_content(section, report, msg);
        add_defects(section, report, msg);
    }
    add_errors(section, report);
    add_source(section, report);
    if (report->analyzed)
        add_headers(section, report, msg);
}

/* Serializes the document to out in one write, as UTF-8. An output
 * buffer without an encoder keeps libxml2's internal UTF-8 as it is;
 * htmlDocDumpMemory would turn every non-ASCII character into a numeric
 * reference, which is correct but makes a Japanese report three times
 * larger and impossible to grep. */
static gboolean
write_doc(htmlDocPtr doc, FILE *out)
{
    xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
    const xmlChar *mem;
    size_t size;
    gboolean ok;

    if (buf == NULL)
        return FALSE;
    htmlDocContentDumpFormatOutput(buf, doc, "UTF-8", 1);
    xmlOutputBufferFlush(buf);
    mem = xmlOutputBufferGetContent(buf);
    size = xmlOutputBufferGetSize(buf);
    ok = mem != NULL && buf->error == 0 &&
         fwrite(mem, 1, size, out) == size;
    xmlOutputBufferClose(buf);
    return ok;
}

static void
page_free(HtmlPage *page)
{
    if (page == NULL)
        return;
    xmlFreeDoc(page->doc);
    g_free(page->first_title);
    g_free(page);
}

/* ---- The renderer. ---- */

static void
html_begin(MtRenderer *r)
{
    r->html = page_new("mailtrail report");
}

/* Replaces the page's <title> with text (already safe). */
static void
set_title(HtmlPage *page, const char *text)
{
    xmlNodePtr head = xmlDocGetRootElement(page->doc)->children;

    for (xmlNodePtr n = head->children; n; n = n->next)
        if (xmlStrEqual(n->name, BAD_CAST "title")) {
            xmlNodeSetContent(n, NULL);
            xmlNodeAddContent(n, BAD_CAST text);
            return;
        }
}

static void
html_report(MtRenderer *r, const MtReport *report)
{
    HtmlPage *page = r->html;

    if (page == NULL)
        page = r->html = page_new("mailtrail report");
    page_add(page, report);
    /* The browser tab names the message, or says how many there are. */
    if (page->count == 1) {
        g_autofree char *full = g_strdup_printf("%s \xE2\x80\x94 mailtrail",
                                                page->first_title);
        set_title(page, full);
    } else {
        g_autofree char *full = g_strdup_printf("%u messages \xE2\x80\x94 "
                                                "mailtrail",
                                                page->count);
        set_title(page, full);
    }
}

static void
html_end(MtRenderer *r, const MtRunStats *stats)
{
    HtmlPage *page = r->html;

    if (page == NULL)
        page = page_new("mailtrail report");
    if (page->count == 0)
        text_el(page->main, "p", "na", "No messages.");
    if (stats && (stats->messages || stats->input_errors)) {
        xmlNodePtr footer = el(xmlDocGetRootElement(page->doc)->last,
                               "footer", NULL);
        add_printf(footer,
                   "%" G_GUINT64_FORMAT " messages read, %" G_GUINT64_FORMAT
                   " with errors, %" G_GUINT64_FORMAT
                   " inputs not readable as mail.",
                   stats->messages, stats->with_errors, stats->input_errors);
    }
    /* A failed write shows in the stream's error state, which the CLI
     * checks and reports with its reason; a warning here would only
     * print a second, vaguer line. */
    (void)write_doc(page->doc, r->out);
    page_free(page);
    r->html = NULL;
}

const MtRendererClass mt_renderer_html = {
    .name = "html",
    .extension = "html",
    .begin = html_begin,
    .report = html_report,
    .end = html_end,
};

/* ---- --html-dir: the index pages. ---- */

typedef struct {
    guint seq;
    char *page;    /* file name in the same directory */
    char *date;    /* UTC text, or NULL */
    gint64 when;   /* for sorting; G_MININT64 without a date */
    char *from;
    char *subject;
    GStrv top;     /* ids of the top findings */
    int worst;     /* -1 without findings */
    char *verdict; /* NULL before scoring */
    int score;
    char *origin;  /* origin country code, or NULL */
    guint findings;
    gboolean error;
} IndexRow;

struct _MtHtmlIndex {
    GPtrArray *rows; /* IndexRow* */
};

static void
index_row_free(IndexRow *row)
{
    g_free(row->page);
    g_free(row->date);
    g_free(row->from);
    g_free(row->subject);
    g_strfreev(row->top);
    g_free(row->verdict);
    g_free(row->origin);
    g_free(row);
}

MtHtmlIndex *
mt_html_index_new(void)
{
    MtHtmlIndex *index = g_new0(MtHtmlIndex, 1);

    index->rows = g_ptr_array_new_with_free_func(
        (GDestroyNotify)index_row_free);
    return index;
}

void
mt_html_index_free(MtHtmlIndex *index)
{
    if (index == NULL)
        return;
    g_ptr_array_unref(index->rows);
    g_free(index);
}

void
mt_html_index_add(MtHtmlIndex *index, const MtReport *report,
                  const char *page)
{
    IndexRow *row;
    const MtSummary *s;
    g_autoptr(GPtrArray) top = NULL;
    GPtrArray *ids;
    gboolean any;

    g_return_if_fail(index != NULL && report != NULL && page != NULL);
    s = &report->summary;
    row = g_new0(IndexRow, 1);
    row->seq = index->rows->len + 1;
    row->page = g_strdup(page);
    row->when = G_MININT64;
    if (report->analyzed && s->date_valid) {
        char buf[21];
        row->when = s->date_parsed.timestamp;
        row->date = g_strdup(mt_date_format_utc(row->when, buf));
    }
    if (s->from.header_index >= 0 && s->from.mailboxes &&
        s->from.mailboxes->len) {
        const MtMailbox *m = s->from.mailboxes->pdata[0];
        if (m->name && *m->name)
            row->from = g_strdup_printf("%s <%s>", m->name,
                                        m->address ? m->address : "");
        else if (m->address)
            row->from = g_strdup(m->address);
    }
    row->subject = mt_html_safe_text(report->analyzed ? report_title(report)
                                                      : report->source.path,
                                     INDEX_TEXT_MAX);
    if (row->from) {
        char *cut = mt_html_safe_text(row->from, INDEX_TEXT_MAX);
        g_free(row->from);
        row->from = cut;
    }
    row->worst = worst_severity(report, &any);
    if (!any)
        row->worst = -1;
    row->findings = report->findings->len;
    row->verdict = g_strdup(report->identity.verdict);
    row->score = report->identity.score;
    if (report->relay.origin.geo && report->relay.origin.geo->country_code)
        row->origin = mt_html_safe_text(
            report->relay.origin.geo->country_code, 8);
    row->error = report->errors->len > 0;
    /* The distinct ids, most severe first: a row says what kinds of
     * anomaly there are, the page says how many of each. */
    top = top_findings(report, report->findings->len);
    ids = g_ptr_array_new();
    for (guint i = 0; i < top->len && ids->len < TOP_FINDINGS; i++) {
        const MtFinding *f = top->pdata[i];
        g_autofree char *id = mt_html_safe_text(f->id, INDEX_TEXT_MAX);
        gboolean seen = FALSE;
        for (guint j = 0; j < ids->len && !seen; j++)
            seen = strcmp(ids->pdata[j], id) == 0;
        if (!seen)
            g_ptr_array_add(ids, g_steal_pointer(&id));
    }
    g_ptr_array_add(ids, NULL);
    row->top = (GStrv)g_ptr_array_free(ids, FALSE);
    g_ptr_array_add(index->rows, row);
}

typedef enum {
    SORT_INPUT,
    SORT_DATE,
    SORT_FROM,
    SORT_SUBJECT,
    SORT_SEVERITY,
    SORT_SCORE,
    SORT_COUNT,
} IndexSort;

/* Each sort order is a page of its own, so the table sorts by following a
 * link, without a server and without script. */
static const char *const sort_files[SORT_COUNT] = {
    "index.html", "index-date.html", "index-from.html", "index-subject.html",
    "index-severity.html", "index-score.html",
};

static int
cmp_seq(const IndexRow *a, const IndexRow *b)
{
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static int
cmp_date(gconstpointer pa, gconstpointer pb)
{
    const IndexRow *a = *(IndexRow *const *)pa;
    const IndexRow *b = *(IndexRow *const *)pb;

    if (a->when != b->when)
        return (a->when > b->when) - (a->when < b->when);
    return cmp_seq(a, b);
}

static int
cmp_text(const char *x, const char *y)
{
    g_autofree char *fx = g_utf8_casefold(x ? x : "", -1);
    g_autofree char *fy = g_utf8_casefold(y ? y : "", -1);

    return g_utf8_collate(fx, fy);
}

static int
cmp_from(gconstpointer pa, gconstpointer pb)
{
    const IndexRow *a = *(IndexRow *const *)pa;
    const IndexRow *b = *(IndexRow *const *)pb;
    int c = cmp_text(a->from, b->from);

    return c ? c : cmp_seq(a, b);
}

static int
cmp_subject(gconstpointer pa, gconstpointer pb)
{
    const IndexRow *a = *(IndexRow *const *)pa;
    const IndexRow *b = *(IndexRow *const *)pb;
    int c = cmp_text(a->subject, b->subject);

    return c ? c : cmp_seq(a, b);
}

/* Most severe first, then most findings. */
static int
cmp_severity(gconstpointer pa, gconstpointer pb)
{
    const IndexRow *a = *(IndexRow *const *)pa;
    const IndexRow *b = *(IndexRow *const *)pb;

    if (a->worst != b->worst)
        return a->worst < b->worst ? 1 : -1;
    if (a->findings != b->findings)
        return a->findings < b->findings ? 1 : -1;
    return cmp_seq(a, b);
}

/* Highest score first; unscored rows last, by severity. */
static int
cmp_score(gconstpointer pa, gconstpointer pb)
{
    const IndexRow *a = *(IndexRow *const *)pa;
    const IndexRow *b = *(IndexRow *const *)pb;

    if ((a->verdict != NULL) != (b->verdict != NULL))
        return a->verdict ? -1 : 1;
    if (a->verdict && a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return cmp_severity(pa, pb);
}

/* A link to another file of the same directory: the name is one of ours
 * (sort_files, or a page name the CLI built from [A-Za-z0-9._-]). */
static void
file_link(xmlNodePtr parent, const char *file, const char *label)
{
    xmlNodePtr a = text_el(parent, "a", NULL, label);

    xmlNewProp(a, BAD_CAST "href", BAD_CAST file);
}

static htmlDocPtr
index_doc(const MtHtmlIndex *index, IndexSort sort)
{
    static const char *const sort_labels[SORT_COUNT] = {
        "input order", "date", "from", "subject", "severity", "score"};
    static const struct {
        const char *label;
        int sort; /* -1: not sortable */
    } columns[] = {
        {"#", SORT_INPUT},          {"Date (UTC)", SORT_DATE},
        {"From", SORT_FROM},        {"Subject", SORT_SUBJECT},
        {"Verdict", -1},            {"Score", SORT_SCORE},
        {"Top findings", SORT_SEVERITY}, {"Origin", -1},
    };
    HtmlPage *page = page_new("mailtrail index");
    g_autoptr(GPtrArray) rows = g_ptr_array_new();
    xmlNodePtr section = el(page->main, "section", "message");
    xmlNodePtr p;
    xmlNodePtr tbody;
    xmlNodePtr tr;
    htmlDocPtr doc;
    gboolean any_verdict = FALSE;
    gboolean any_origin = FALSE;

    for (guint i = 0; i < index->rows->len; i++)
        g_ptr_array_add(rows, index->rows->pdata[i]);
    if (sort == SORT_DATE)
        g_ptr_array_sort(rows, cmp_date);
    else if (sort == SORT_FROM)
        g_ptr_array_sort(rows, cmp_from);
    else if (sort == SORT_SUBJECT)
        g_ptr_array_sort(rows, cmp_subject);
    else if (sort == SORT_SEVERITY)
        g_ptr_array_sort(rows, cmp_severity);
    else if (sort == SORT_SCORE)
        g_ptr_array_sort(rows, cmp_score);

    text_el(section, "h2", NULL, "Messages");
    p = el(section, "p", "why");
    add_printf(p, "%u messages, sorted by %s. Select a column title to sort "
                  "by it; open a message for its full report.",
               rows->len, sort_labels[sort]);
    {
        xmlNodePtr wrap = el(section, "div", "scroll");
        xmlNodePtr table = el(wrap, "table", "index");
        tr = el(el(table, "thead", NULL), "tr", NULL);
        for (guint c = 0; c < G_N_ELEMENTS(columns); c++) {
            xmlNodePtr th = el(tr, "th", NULL);
            if (columns[c].sort < 0)
                add_text(th, columns[c].label);
            else if (columns[c].sort == (int)sort)
                add_printf(th, "%s \xE2\x96\xBE", columns[c].label);
            else
                file_link(th, sort_files[columns[c].sort], columns[c].label);
        }
        tbody = el(table, "tbody", NULL);
    }
    for (guint i = 0; i < rows->len; i++) {
        const IndexRow *row = rows->pdata[i];
        xmlNodePtr td;

        tr = el(tbody, "tr", NULL);
        add_printf(el(tr, "td", "num"), "%u", row->seq);
        text_el(tr, "td", "mono nowrap",
                row->date ? row->date : "\xE2\x80\x94");
        text_el(tr, "td", NULL, row->from ? row->from : "\xE2\x80\x94");
        td = el(tr, "td", NULL);
        file_link(td, row->page, row->subject);
        if (row->error)
            text_el(td, "div", "neg", "analysis incomplete: see errors");
        if (row->verdict) {
            text_el(tr, "td", "nowrap", row->verdict);
            add_printf(el(tr, "td", "num"), "%d", row->score);
        } else {
            text_el(tr, "td", "na", "\xE2\x80\x94");
            text_el(tr, "td", "na", "\xE2\x80\x94");
        }
        td = el(tr, "td", "top");
        if (row->worst >= 0) {
            g_autofree char *klass = g_strdup_printf(
                "sev %s", mt_severity_to_string(row->worst));
            text_el(td, "span", klass, mt_severity_to_string(row->worst));
            add_printf(td, " %u", row->findings);
            for (guint t = 0; row->top && row->top[t]; t++)
                text_el(td, "div", "mono", row->top[t]);
        } else {
            text_el(td, "span", "na", "none");
        }
        text_el(tr, "td", row->origin ? "mono" : "na",
                row->origin ? row->origin : "\xE2\x80\x94");
        any_verdict = any_verdict || row->verdict;
        any_origin = any_origin || row->origin;
    }
    if (!any_verdict || !any_origin) {
        p = el(section, "p", "na");
        add_printf(p, "%s: not analyzed, or not found.",
                   !any_verdict && !any_origin ? "Verdict, score and origin"
                   : !any_verdict              ? "Verdict and score"
                                               : "Origin country");
    }
    doc = page->doc;
    page->doc = NULL;
    page_free(page);
    return doc;
}

gboolean
mt_html_index_write(const MtHtmlIndex *index, const char *dir,
                    GError **error)
{
    g_return_val_if_fail(index != NULL && dir != NULL, FALSE);

    for (int s = 0; s < SORT_COUNT; s++) {
        g_autofree char *path = g_build_filename(dir, sort_files[s], NULL);
        htmlDocPtr doc = index_doc(index, (IndexSort)s);
        /* Never replace a file: an earlier report may be evidence. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
        gboolean ok;

        if (out == NULL) {
            int saved = errno;
            if (fd >= 0)
                close(fd);
            xmlFreeDoc(doc);
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: cannot create: %s",
                        path, g_strerror(saved));
            return FALSE;
        }
        ok = write_doc(doc, out);
        xmlFreeDoc(doc);
        if (fclose(out) != 0 || !ok) {
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "%s: write failed",
                        path);
            return FALSE;
        }
    }
    return TRUE;
}
