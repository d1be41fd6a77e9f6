/* SPDX-License-Identifier: MIT */
/*
 * identity.c: is the sender who they claim to be?
 *
 * A sender can write any From, and SMTP asks for no password, so what
 * counts is whether the many names a message carries for its sender agree:
 * From, Sender, Return-Path, the envelope senders, Reply-To, the
 * Message-ID's domain, DKIM d= and i=, the SPF identities and the HELO of
 * the origin hop. This file lines them up in one table, each with its
 * organisational domain (Public Suffix List) and its alignment with From
 * (relaxed: same organisational domain; strict: same domain, as DMARC
 * defines them in RFC 7489 3.1), then adds a finding for each
 * inconsistency: Message-ID, Return-Path, Reply-To, From, Date, duplicated
 * singleton fields, Bcc, and lookalike domains. Last, mt_identity_score()
 * turns the findings into a score and a verdict.
 */
#include <string.h>

#include "data/mt-freemail.h"
#include "identity-private.h"
#include "mailtrail-private.h"

/* After GLib: libpsl.h defines GLib's G_GNUC_DEPRECATED when it is not
 * yet defined. */
#include <idn2.h>
#include <libpsl.h>

#define MAX_IDENTITIES 256
#define CLOCK_SLACK_S (15 * 60)
/* A Date this much older than the first relay is more than a slow queue. */
#define DATE_PAST_LIMIT_S (7 * 24 * 3600)

/* ---- Domains ------------------------------------------------------ */

char *
mt_identity_domain_of(const char *address)
{
    const char *at, *start;
    gsize len;
    char *domain;

    if (address == NULL)
        return NULL;
    at = strrchr(address, '@');
    start = at ? at + 1 : address;
    while (*start == ' ' || *start == '\t' || *start == '[')
        start++;
    len = strlen(start);
    while (len > 0 && (start[len - 1] == '.' || start[len - 1] == ']'
                       || start[len - 1] == '>' || start[len - 1] == ' '))
        len--;
    if (len == 0 || len > 253)
        return NULL;
    domain = g_ascii_strdown(start, (gssize)len);
    return domain;
}

static gboolean
looks_like_ip(const char *domain)
{
    for (const char *p = domain; *p; p++)
        if (!g_ascii_isdigit(*p) && *p != '.' && *p != ':'
            && !g_ascii_isxdigit(*p))
            return FALSE;
    return strchr(domain, ':') != NULL
           || g_ascii_isdigit(domain[strlen(domain) - 1]);
}

char *
mt_identity_org_domain(const char *domain)
{
    g_autofree char *lower = NULL;

    if (domain == NULL || strchr(domain, '.') == NULL || domain[0] == '['
        || looks_like_ip(domain))
        return NULL;
    lower = g_ascii_strdown(domain, -1);
    return mt_psl_registrable_domain(lower);
}

gboolean
mt_identity_is_freemail(const char *domain)
{
    static const char list[] = MT_FREEMAIL_DOMAINS;
    gsize n;
    const char *p = list;

    if (domain == NULL || *domain == '\0')
        return FALSE;
    n = strlen(domain);
    while (*p) {
        const char *end = strchr(p, ':');
        gsize len = end ? (gsize)(end - p) : strlen(p);
        if (len == n && g_ascii_strncasecmp(p, domain, n) == 0)
            return TRUE;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return FALSE;
}

guint
mt_identity_edit_distance(const char *a, const char *b, guint limit)
{
    gsize la = MIN(strlen(a), 253), lb = MIN(strlen(b), 253);
    guint row[254], prev[254];

    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    for (gsize j = 0; j <= lb; j++)
        prev[j] = (guint)j;
    for (gsize i = 1; i <= la; i++) {
        guint best = G_MAXUINT;
        row[0] = (guint)i;
        for (gsize j = 1; j <= lb; j++) {
            guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
            guint v = MIN(prev[j] + 1, row[j - 1] + 1);
            row[j] = MIN(v, prev[j - 1] + cost);
            best = MIN(best, row[j]);
        }
        /* Every later row is at least this row's minimum. */
        if (best > limit)
            return limit + 1;
        memcpy(prev, row, (lb + 1) * sizeof(guint));
    }
    return prev[lb] > limit ? limit + 1 : prev[lb];
}

/* ---- The identity table ------------------------------------------- */

static void
entry_free(gpointer p)
{
    MtIdentityEntry *e = p;

    if (e == NULL)
        return;
    g_free(e->address);
    g_free(e->display_name);
    g_free(e->domain);
    g_free(e->org_domain);
    g_free(e);
}

void
mt_identity_clear(MtIdentity *identity)
{
    g_clear_pointer(&identity->identities, g_ptr_array_unref);
    g_clear_pointer(&identity->from_domain, g_free);
    g_clear_pointer(&identity->from_org_domain, g_free);
    identity->message_id_generator = NULL;
    identity->verdict = NULL;
    identity->score = 0;
}

static MtIdentityEntry *
add_identity(MtReport *report, const char *role, const char *address,
             const char *domain_text, const char *display_name,
             int header_index, int hop)
{
    MtIdentity *id = &report->identity;
    MtIdentityEntry *e;

    if (id->identities->len >= MAX_IDENTITIES)
        return NULL;
    /* The same claim from the same header once is enough. */
    for (guint i = 0; i < id->identities->len; i++) {
        e = id->identities->pdata[i];
        if (strcmp(e->role, role) == 0 && e->header_index == header_index
            && g_strcmp0(e->address, address) == 0 && e->hop == hop)
            return e;
    }
    e = g_new0(MtIdentityEntry, 1);
    e->role = role;
    e->address = g_strdup(address);
    e->display_name = display_name && *display_name ? g_strdup(display_name)
                                                    : NULL;
    e->domain = mt_identity_domain_of(domain_text ? domain_text : address);
    e->org_domain = mt_identity_org_domain(e->domain);
    e->header_index = header_index;
    e->hop = hop;
    g_ptr_array_add(id->identities, e);
    return e;
}

static gboolean
name_is(const MtHeader *h, const char *name)
{
    return mt_name_equal(h->name, name);
}

/* Adds each mailbox of an address header. Return-Path's "<>" is the null
 * reverse-path of a bounce (RFC 5321 4.5.5): an empty address. */
static void
add_address_header(MtReport *report, const char *role, int index)
{
    const MtHeader *h = report->headers->pdata[index];
    g_autofree char *value = g_strndup(h->value, h->value_len);
    const char *p = value;
    InternetAddressList *list;

    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, "<>", 2) == 0) {
        add_identity(report, role, "", NULL, NULL, index, -1);
        return;
    }
    list = internet_address_list_parse(NULL, value);
    if (list == NULL)
        return;
    for (int i = 0; i < internet_address_list_length(list) && i < 64; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        add_identity(report, role,
                     internet_address_mailbox_get_addr(
                         INTERNET_ADDRESS_MAILBOX(ia)),
                     NULL, internet_address_get_name(ia), index, -1);
    }
    g_object_unref(list);
}

/* The right side of a msg-id "<left@right>", or NULL. */
static char *
msg_id_right(const char *text)
{
    const char *open, *close, *at;

    if (text == NULL || (open = strchr(text, '<')) == NULL)
        return NULL;
    close = strchr(open, '>');
    if (close == NULL)
        close = open + strlen(open);
    at = g_strrstr_len(open, close - open, "@");
    if (at == NULL || at + 1 >= close)
        return NULL;
    return g_strndup(at + 1, close - at - 1);
}

static void
build_table(MtReport *report)
{
    static const struct {
        const char *header;
        const char *role;
    } address_roles[] = {
        {"From", "from"},
        {"Sender", "sender"},
        {"Return-Path", "return-path"},
        {"Reply-To", "reply-to"},
        {"Disposition-Notification-To", "disposition-notification-to"},
        {"Errors-To", "errors-to"},
    };
    MtAuthentication *a = &report->authentication;
    GPtrArray *hops = report->relay.hops;
    int origin;

    for (gsize r = 0; r < G_N_ELEMENTS(address_roles); r++)
        for (guint i = 0; i < report->headers->len; i++)
            if (name_is(report->headers->pdata[i], address_roles[r].header))
                add_address_header(report, address_roles[r].role, (int)i);

    if (report->source.mbox_sender)
        add_identity(report, "mbox-from", report->source.mbox_sender, NULL,
                     NULL, -1, -1);
    for (guint i = 0; i < hops->len; i++) {
        const MtHop *hop = hops->pdata[i];
        if (hop->received->envelope_from)
            add_identity(report, "envelope-from",
                         hop->received->envelope_from, NULL, NULL,
                         hop->header_index, (int)i + 1);
    }
    for (guint i = 0; i < report->headers->len; i++) {
        const MtHeader *h = report->headers->pdata[i];
        g_autofree char *text = NULL;
        g_autofree char *right = NULL;
        if (!name_is(h, "Message-ID"))
            continue;
        text = g_strstrip(g_strndup(h->value, h->value_len));
        right = msg_id_right(text);
        add_identity(report, "message-id", text, right ? right : "", NULL,
                     (int)i, -1);
    }
    for (guint i = 0; a->dkim && i < a->dkim->len; i++) {
        const MtSignature *sig = a->dkim->pdata[i];
        if (sig->domain)
            add_identity(report, "dkim-d", sig->domain, NULL, NULL,
                         sig->header_index, -1);
        if (sig->identity)
            add_identity(report, "dkim-i", sig->identity, NULL, NULL,
                         sig->header_index, -1);
    }
    for (guint i = 0; a->results && i < a->results->len; i++) {
        const MtAuthResults *r = a->results->pdata[i];
        if (r->arc_instance >= 0)
            continue;
        for (guint m = 0; m < r->methods->len; m++) {
            const MtAuthMethod *method = r->methods->pdata[m];
            const char *v;
            if (strcmp(method->method, "spf") != 0)
                continue;
            /* smtp.mfrom is the Sender ID era's name for it. */
            if ((v = mt_auth_method_get(method, "smtp", "mailfrom")) != NULL
                || (v = mt_auth_method_get(method, "smtp", "mfrom")) != NULL)
                add_identity(report, "spf-mailfrom", v, NULL, NULL,
                             r->header_index, -1);
            if ((v = mt_auth_method_get(method, "smtp", "helo")) != NULL)
                add_identity(report, "spf-helo", v, NULL, NULL,
                             r->header_index, -1);
        }
    }
    origin = report->relay.origin.hop > 0 ? report->relay.origin.hop : 1;
    if (origin <= (int)hops->len) {
        const MtHop *hop = hops->pdata[origin - 1];
        if (hop->received->from_helo)
            add_identity(report, "origin-helo", hop->received->from_helo,
                         NULL, NULL, hop->header_index, origin);
    }
}

static void
align_table(MtReport *report)
{
    MtIdentity *id = &report->identity;

    for (guint i = 0; i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        if (strcmp(e->role, "from") == 0 && e->domain) {
            id->from_domain = g_strdup(e->domain);
            id->from_org_domain = g_strdup(e->org_domain);
            break;
        }
    }
    for (guint i = 0; i < id->identities->len; i++) {
        MtIdentityEntry *e = id->identities->pdata[i];
        e->aligned_strict = id->from_domain && e->domain
                            && strcmp(e->domain, id->from_domain) == 0;
        e->aligned_relaxed =
            e->aligned_strict
            || (id->from_org_domain && e->org_domain
                && strcmp(e->org_domain, id->from_org_domain) == 0);
    }
}

/* ---- Findings ----------------------------------------------------- */

static const MtIdentityEntry *
first_role(const MtReport *report, const char *role)
{
    const GPtrArray *t = report->identity.identities;

    for (guint i = 0; i < t->len; i++) {
        const MtIdentityEntry *e = t->pdata[i];
        if (strcmp(e->role, role) == 0)
            return e;
    }
    return NULL;
}

static gboolean
all_of(const char *s, gsize len, const char *extra)
{
    for (gsize i = 0; i < len; i++)
        if (!g_ascii_isalnum(s[i]) && strchr(extra, s[i]) == NULL)
            return FALSE;
    return TRUE;
}

/* "8-4-4-4-12" hex digits, in one case. */
static gboolean
is_uuid(const char *s, gsize len, gboolean upper)
{
    static const gsize groups[] = {8, 4, 4, 4, 12};
    gsize pos = 0;

    for (gsize g = 0; g < G_N_ELEMENTS(groups); g++) {
        for (gsize k = 0; k < groups[g]; k++, pos++) {
            if (pos >= len || !g_ascii_isxdigit(s[pos]))
                return FALSE;
            if (g_ascii_isalpha(s[pos])
                && (upper ? g_ascii_islower(s[pos])
                          : g_ascii_isupper(s[pos])))
                return FALSE;
        }
        if (g + 1 < G_N_ELEMENTS(groups) && (pos >= len || s[pos++] != '-'))
            return FALSE;
    }
    return pos == len;
}

/* The software a msg-id's format points to. These are habits of the
 * generators, not proof: reported beside X-Mailer for the analyst. */
static const char *
guess_generator(const char *left, gsize left_len, const char *right)
{
    gsize dots = 0;

    if (g_str_has_suffix(right, ".outlook.com")
        || g_str_has_suffix(right, ".exchangelabs.com"))
        return "Microsoft Outlook / Exchange Online";
    if (strcmp(right, "mail.gmail.com") == 0)
        return "Gmail";
    if (g_str_has_suffix(right, "amazonses.com"))
        return "Amazon SES";
    if (is_uuid(left, left_len, TRUE))
        return "Apple Mail";
    if (is_uuid(left, left_len, FALSE))
        return "Thunderbird";
    for (gsize i = 0; i < left_len; i++)
        dots += left[i] == '.';
    /* email.utils.make_msgid(): "<time*100.pid.random@host>", digits. */
    if (dots == 2 && strspn(left, "0123456789.") >= left_len)
        return "Python email package";
    if ((left_len == 32 && all_of(left, left_len, "")
         && strspn(left, "0123456789abcdef") == 32)
        || (left_len >= 40 && all_of(left, left_len, "")))
        return "PHPMailer";
    return NULL;
}

static gboolean
implausible_domain(const char *domain)
{
    static const char *const internal[] = {
        ".local", ".localdomain", ".lan", ".internal", ".intranet", ".corp",
        ".home", ".home.arpa", ".localhost"};

    if (domain[0] == '[' || strchr(domain, '.') == NULL
        || looks_like_ip(domain)
        || g_ascii_strcasecmp(domain, "localhost") == 0)
        return TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(internal); i++)
        if (g_str_has_suffix(domain, internal[i]))
            return TRUE;
    return FALSE;
}

static gboolean
org_in_relay(const MtReport *report, const char *org)
{
    const GPtrArray *hops = report->relay.hops;

    for (guint i = 0; i < hops->len; i++) {
        const MtReceived *r = ((const MtHop *)hops->pdata[i])->received;
        const char *hosts[] = {r->from_helo, r->from_rdns, r->by_host};
        for (gsize k = 0; k < G_N_ELEMENTS(hosts); k++) {
            g_autofree char *o = mt_identity_org_domain(hosts[k]);
            if (o && g_ascii_strcasecmp(o, org) == 0)
                return TRUE;
        }
    }
    return FALSE;
}

static void
check_message_id(MtReport *report)
{
    const MtTextField *f = &report->summary.message_id;
    const MtIdentity *id = &report->identity;
    const MtIdentityEntry *sender = first_role(report, "sender");
    MtEvidence ev = mt_evidence_for_header(report, f->header_index);
    const char *text = f->text, *at, *left;
    gsize len, left_len;
    g_autofree char *right = NULL;
    g_autofree char *org = NULL;

    if (f->header_index < 0) {
        mt_report_add_finding(report, "message-id-missing", MT_SEVERITY_LOW,
                              NULL, "the message has no Message-ID "
                              "(RFC 5322 3.6.4 says it SHOULD)");
        return;
    }
    len = strlen(text);
    at = len > 2 ? g_strrstr_len(text, len, "@") : NULL;
    if (len < 5 || text[0] != '<' || text[len - 1] != '>' || at == NULL
        || at == text + 1 || at + 2 == text + len
        || strpbrk(text + 1, "<> \t") != text + len - 1) {
        mt_report_add_finding(report, "message-id-invalid", MT_SEVERITY_LOW,
                              &ev, "Message-ID is not <left@right> "
                              "(RFC 5322 3.6.4)");
        return;
    }
    left = text + 1;
    left_len = (gsize)(at - left);
    right = g_ascii_strdown(at + 1, text + len - 1 - (at + 1));
    report->identity.message_id_generator =
        guess_generator(left, left_len, right);
    if (implausible_domain(right)) {
        mt_report_add_finding(
            report, "message-id-implausible-domain", MT_SEVERITY_LOW, &ev,
            "Message-ID right side %s is not a public domain (no dot, an "
            "address, localhost or an internal name)", right);
        return;
    }
    org = mt_identity_org_domain(right);
    if (org == NULL || id->from_org_domain == NULL)
        return;
    /* Exchange Online, Gmail and SES write their own host into the
     * Message-ID of every customer domain they send for. */
    if (report->identity.message_id_generator != NULL
        && (strcmp(org, "outlook.com") == 0 || strcmp(org, "gmail.com") == 0
            || strcmp(org, "amazonses.com") == 0))
        return;
    if (strcmp(org, id->from_org_domain) == 0
        || (sender && sender->org_domain
            && strcmp(org, sender->org_domain) == 0)
        || org_in_relay(report, org))
        return;
    mt_report_add_finding(
        report, "message-id-domain-mismatch", MT_SEVERITY_LOW, &ev,
        "Message-ID domain %s matches neither From (%s), Sender nor any relay "
        "(generator: %s)", right, id->from_org_domain,
        report->identity.message_id_generator
            ? report->identity.message_id_generator : "unknown");
}

static gboolean
delivered(const MtReport *report)
{
    return report->relay.hops->len > 0
           || report->summary.delivered_to.header_index >= 0
           || report->summary.x_original_to.header_index >= 0;
}

static void
check_return_path(MtReport *report)
{
    const MtIdentity *id = &report->identity;
    const MtIdentityEntry *rp = first_role(report, "return-path");

    if (report->summary.return_path.header_index < 0) {
        if (delivered(report))
            mt_report_add_finding(
                report, "return-path-missing", MT_SEVERITY_INFO, NULL,
                "a delivered message without Return-Path: the final "
                "delivery did not record the envelope sender (RFC 5321 "
                "4.4)");
        return;
    }
    if (rp == NULL)
        return;
    if (rp->address && rp->address[0] == '\0') {
        MtEvidence ev = mt_evidence_for_header(report, rp->header_index);
        mt_report_add_finding(report, "return-path-null", MT_SEVERITY_INFO,
                              &ev, "Return-Path is <>: a bounce or an "
                              "automatic reply (RFC 5321 4.5.5)");
        return;
    }
    if (id->from_org_domain && rp->org_domain && !rp->aligned_relaxed) {
        MtEvidence ev = mt_evidence_for_header(report, rp->header_index);
        mt_report_add_finding(
            report, "return-path-mismatch", MT_SEVERITY_LOW, &ev,
            "Return-Path domain %s is not aligned with From %s: bounces go "
            "elsewhere (normal for mailing services, also for spoofing)",
            rp->domain, id->from_domain);
    }
}

static void
check_reply_to(MtReport *report)
{
    const MtIdentity *id = &report->identity;
    gboolean from_free = mt_identity_is_freemail(id->from_domain);
    int first = report->summary.reply_to.header_index;

    for (guint i = 0; i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        MtEvidence ev = mt_evidence_for_header(report, e->header_index);
        if (strcmp(e->role, "reply-to") != 0 || e->header_index != first
            || e->domain == NULL || id->from_domain == NULL)
            continue;
        if (mt_identity_is_freemail(e->domain) && !from_free) {
            mt_report_add_finding(
                report, "reply-to-freemail", MT_SEVERITY_MEDIUM, &ev,
                "Reply-To %s is a free-mail address while From is the "
                "organisation %s: answers go to a private mailbox",
                e->address, id->from_domain);
        }
        if (!e->aligned_relaxed)
            mt_report_add_finding(
                report, "reply-to-mismatch", MT_SEVERITY_LOW, &ev,
                "Reply-To domain %s differs from From %s", e->domain,
                id->from_domain);
    }
}

/* The first addr-spec-looking word in text (something@domain.tld). */
static char *
address_in_text(const char *text)
{
    const char *at = strchr(text, '@');
    const char *start, *end;

    if (at == NULL)
        return NULL;
    for (start = at; start > text && !strchr(" \t<>()\"'[],;:", start[-1]);
         start--)
        ;
    for (end = at + 1; *end && !strchr(" \t<>()\"'[],;:", *end); end++)
        ;
    if (start == at || end == at + 1 || memchr(at + 1, '.', end - at) == NULL)
        return NULL;
    return g_strndup(start, end - start);
}

/* A word of text that reads as a domain name with a real public suffix
 * ("paypal.com", "Support at bank.co.uk"), lowercased, or NULL. */
static char *
domain_in_text(const char *text)
{
    g_auto(GStrv) words = g_strsplit_set(text, " \t<>()\"'[],;:|/", 64);

    for (guint i = 0; words[i] != NULL; i++) {
        char *w = words[i];
        const char *dot = strrchr(w, '.');
        g_autofree char *lower = NULL;
        if (dot == NULL || dot == w || dot[1] == '\0' || strchr(w, '@'))
            continue;
        if (!all_of(w, strlen(w), ".-") || !g_ascii_isalpha(dot[1]))
            continue;
        lower = g_ascii_strdown(w, -1);
        if (!psl_is_public_suffix2(mt_psl(), strrchr(lower, '.') + 1,
                                   PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
            continue;
        return g_steal_pointer(&lower);
    }
    return NULL;
}

static void
check_display_names(MtReport *report, const MtIdentityEntry *e)
{
    const MtIdentity *id = &report->identity;
    MtEvidence ev = mt_evidence_for_header(report, e->header_index);
    g_autofree char *addr = NULL;
    g_autofree char *named = NULL;
    g_autofree char *named_org = NULL;

    if (e->display_name == NULL || e->address == NULL)
        return;
    addr = address_in_text(e->display_name);
    if (addr != NULL) {
        if (g_ascii_strcasecmp(addr, e->address) != 0)
            mt_report_add_finding(
                report, "from-display-name-spoof", MT_SEVERITY_HIGH, &ev,
                "From display name shows the address %s but the message is "
                "from %s", addr, e->address);
        return;
    }
    named = domain_in_text(e->display_name);
    if (named == NULL)
        return;
    named_org = mt_identity_org_domain(named);
    if (named_org && id->from_org_domain
        && strcmp(named_org, id->from_org_domain) != 0)
        mt_report_add_finding(
            report, "from-display-name-domain", MT_SEVERITY_MEDIUM, &ev,
            "From display name names %s but the address is at %s", named,
            e->domain ? e->domain : "?");
}

static void
check_from(MtReport *report)
{
    const MtSummary *s = &report->summary;
    const GPtrArray *t = report->identity.identities;

    if (s->from.count > 1) {
        int second = -1;
        for (guint i = 0; i < t->len && second < 0; i++) {
            const MtIdentityEntry *e = t->pdata[i];
            if (strcmp(e->role, "from") == 0
                && e->header_index != s->from.header_index)
                second = e->header_index;
        }
        MtEvidence ev = mt_evidence_for_header(report, second >= 0 ? second
                                                        : s->from.header_index);
        mt_report_add_finding(report, "from-multiple", MT_SEVERITY_MEDIUM,
                              &ev, "%u From headers (RFC 5322 3.6 allows "
                              "one): readers show different senders",
                              s->from.count);
    }
    if (s->from.mailboxes && s->from.mailboxes->len > 1
        && s->sender.header_index < 0) {
        MtEvidence ev = mt_evidence_for_header(report, s->from.header_index);
        mt_report_add_finding(
            report, "from-mailboxes-without-sender", MT_SEVERITY_LOW, &ev,
            "From holds %u mailboxes and there is no Sender (RFC 5322 "
            "3.6.2 requires one)", s->from.mailboxes->len);
    }
    for (guint i = 0; i < t->len; i++) {
        const MtIdentityEntry *e = t->pdata[i];
        if (strcmp(e->role, "from") == 0)
            check_display_names(report, e);
    }
}

/* Maps Cyrillic and Greek letters that look like Latin ones, the digits
 * that pass for letters, and the letter pairs that do ("rn" for "m", "vv"
 * for "w") to the Latin letter, so that "pаypal" (Cyrillic a), "paypa1"
 * and "rnicrosoft" read "paypal" and "microsoft". text is any bytes: a
 * byte that is not part of valid UTF-8 is kept as itself (a name made of
 * such bytes reads differently in every client, so it looks like nothing
 * in particular), and the scan never steps past the end. */
static char *
skeleton(const char *text, gboolean *mixed)
{
    static const struct {
        gunichar from;
        char to;
    } map[] = {
        {0x0430, 'a'}, {0x0435, 'e'}, {0x043e, 'o'}, {0x0440, 'p'},
        {0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0456, 'i'},
        {0x0458, 'j'}, {0x0455, 's'}, {0x0501, 'd'}, {0x04bb, 'h'},
        {0x03bf, 'o'}, {0x03b1, 'a'}, {0x03bd, 'v'}, {0x03c1, 'p'},
        {0x03c4, 't'}, {0x03b9, 'i'}, {0x03ba, 'k'}, {0x03b5, 'e'},
        {0x0131, 'i'}, {'0', 'o'},    {'1', 'l'},
    };
    GString *out = g_string_new(NULL);
    gboolean latin = FALSE, other = FALSE;
    const char *end = text + strlen(text);

    for (const char *p = text; p < end && out->len < 253;) {
        /* Validated against the bytes left: g_utf8_next_char() on a lead
         * byte at the end (0xF0 then NUL) would jump past the NUL. */
        gunichar c = g_utf8_get_char_validated(p, end - p);
        gboolean mapped = FALSE;
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append_c(out, *p++);
            continue;
        }
        p = g_utf8_next_char(p);
        if (c < 0x80 && g_ascii_isalpha((char)c))
            latin = TRUE;
        else if (g_unichar_isalpha(c))
            other = TRUE;
        for (gsize k = 0; k < G_N_ELEMENTS(map); k++) {
            if (map[k].from == c) {
                g_string_append_c(out, map[k].to);
                mapped = TRUE;
                break;
            }
        }
        if (!mapped)
            g_string_append_unichar(out, g_unichar_tolower(c));
    }
    *mixed = latin && other;
    for (gsize i = 0; i + 1 < out->len; i++) {
        char pair = 0;
        if (out->str[i] == 'r' && out->str[i + 1] == 'n')
            pair = 'm';
        else if (out->str[i] == 'v' && out->str[i + 1] == 'v')
            pair = 'w';
        if (pair) {
            out->str[i] = pair;
            g_string_erase(out, (gssize)i + 1, 1);
        }
    }
    return g_string_free(out, FALSE);
}

/* The first label of an organisational domain, decoded from punycode,
 * as valid UTF-8: the domain comes from the message (a Message-ID or
 * DKIM d= is not checked for UTF-8 on the way in), and a byte that is not
 * valid UTF-8 is written \xHH, so that the label can go to g_utf8_*()
 * and into a finding's text. */
static char *
org_label(const char *org)
{
    char *unicode = NULL;
    g_autofree char *label = NULL;
    const char *dot;

    if (org == NULL)
        return NULL;
    if (strstr(org, "xn--") != NULL
        && idn2_to_unicode_8z8z(org, &unicode, 0) == IDN2_OK) {
        dot = strchr(unicode, '.');
        label = g_strndup(unicode, dot ? (gsize)(dot - unicode)
                                       : strlen(unicode));
        idn2_free(unicode);
    } else {
        dot = strchr(org, '.');
        label = g_strndup(org, dot ? (gsize)(dot - org) : strlen(org));
    }
    return mt_escape_bytes(label, strlen(label), NULL);
}

static void
check_lookalike(MtReport *report)
{
    const MtIdentity *id = &report->identity;
    const MtIdentityEntry *from = first_role(report, "from");
    g_autofree char *from_label = NULL;
    g_autofree char *from_skel = NULL;
    g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func(g_free);
    guint recipients_from = 0;
    const MtAddressField *recipients[] = {
        &report->summary.to, &report->summary.cc,
        &report->summary.delivered_to, &report->summary.x_original_to};
    gboolean mixed = FALSE;
    MtEvidence ev;

    if (from == NULL || id->from_org_domain == NULL)
        return;
    ev = mt_evidence_for_header(report, from->header_index);
    from_label = org_label(id->from_org_domain);
    from_skel = skeleton(from_label, &mixed);
    if (mixed) {
        mt_report_add_finding(
            report, "from-lookalike-domain", MT_SEVERITY_HIGH, &ev,
            "From domain %s mixes Latin with other scripts (%s)",
            id->from_domain, from_label);
        return;
    }
    for (guint i = 0; i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        if (e->org_domain && strcmp(e->role, "from") != 0)
            g_ptr_array_add(others, g_strdup(e->org_domain));
    }
    recipients_from = others->len;
    for (gsize r = 0; r < G_N_ELEMENTS(recipients); r++) {
        const GPtrArray *mbs = recipients[r]->mailboxes;
        for (guint i = 0; mbs && i < mbs->len && i < 64; i++) {
            const MtMailbox *mb = mbs->pdata[i];
            g_autofree char *d = mt_identity_domain_of(mb->address);
            char *o = mt_identity_org_domain(d);
            if (o)
                g_ptr_array_add(others, o);
        }
    }
    for (guint i = 0; i < others->len; i++) {
        const char *org = others->pdata[i];
        g_autofree char *label = NULL;
        g_autofree char *skel = NULL;
        gboolean other_mixed = FALSE;
        guint distance, limit;

        if (strcmp(org, id->from_org_domain) == 0)
            continue;
        label = org_label(org);
        skel = skeleton(label, &other_mixed);
        if (strcmp(label, from_label) == 0)
            continue; /* the same name under another suffix */
        if (strcmp(skel, from_skel) == 0) {
            mt_report_add_finding(
                report, "from-lookalike-domain", MT_SEVERITY_HIGH, &ev,
                "From domain %s looks like %s (confusable characters)",
                id->from_org_domain, org);
            return;
        }
        /* Short names and pairs of free-mail providers (gmail, email)
         * are close by chance. */
        if (g_utf8_strlen(from_label, -1) < 5 || g_utf8_strlen(label, -1) < 5
            || (mt_identity_is_freemail(id->from_org_domain)
                && mt_identity_is_freemail(org)))
            continue;
        /* Within one message the sender's own infrastructure often has
         * near names (amazonses/amazonaws): one edit counts there, two
         * against the recipient's domain, the target of a BEC lookalike. */
        limit = i >= recipients_from ? 2 : 1;
        distance = mt_identity_edit_distance(skel, from_skel, limit);
        if (distance <= limit) {
            mt_report_add_finding(
                report, "from-lookalike-domain", MT_SEVERITY_HIGH, &ev,
                "From domain %s is %u edit(s) from %s, %s",
                id->from_org_domain, distance, org,
                i >= recipients_from ? "the recipient's domain"
                                     : "another identity in the message");
            return;
        }
    }
}

/* The latest and the earliest dated hops. */
static const MtReceived *
dated_hop(const MtReport *report, gboolean last)
{
    const GPtrArray *hops = report->relay.hops;

    for (guint k = 0; k < hops->len; k++) {
        guint i = last ? hops->len - 1 - k : k;
        const MtReceived *r = ((const MtHop *)hops->pdata[i])->received;
        if (r->date_valid)
            return r;
    }
    return NULL;
}

static void
check_date(MtReport *report)
{
    const MtSummary *s = &report->summary;
    MtEvidence ev = mt_evidence_for_header(report, s->date.header_index);
    const MtReceived *last = dated_hop(report, TRUE);
    const MtReceived *first = dated_hop(report, FALSE);
    const MtReceived *hop1 = report->relay.hops->len > 0
        ? ((const MtHop *)report->relay.hops->pdata[0])->received : NULL;
    const guint no_zone =
        MT_DATE_NO_ZONE | MT_DATE_UNKNOWN_ZONE | MT_DATE_BAD_ZONE;

    if (s->date.header_index < 0) {
        mt_report_add_finding(report, "date-missing", MT_SEVERITY_LOW, NULL,
                              "the message has no Date (RFC 5322 3.6 "
                              "requires one)");
        return;
    }
    if (!s->date_valid) {
        mt_report_add_finding(report, "date-invalid", MT_SEVERITY_LOW, &ev,
                              "Date cannot be read as a date");
        return;
    }
    if (last && s->date_parsed.timestamp
                    > last->date_parsed.timestamp + CLOCK_SLACK_S)
        mt_report_add_finding(
            report, "date-future", MT_SEVERITY_MEDIUM, &ev,
            "Date is %" G_GINT64_FORMAT " s after the last relay received "
            "the message", s->date_parsed.timestamp
                               - last->date_parsed.timestamp);
    if (first && s->date_parsed.timestamp + DATE_PAST_LIMIT_S
                     < first->date_parsed.timestamp)
        mt_report_add_finding(
            report, "date-far-before-relay", MT_SEVERITY_LOW, &ev,
            "Date is %" G_GINT64_FORMAT " days before the first relay "
            "received the message", (first->date_parsed.timestamp
                                     - s->date_parsed.timestamp) / 86400);
    if (hop1 && hop1->date_valid && !(hop1->date_parsed.flags & no_zone)
        && !(s->date_parsed.flags & no_zone)
        && hop1->date_parsed.tz_offset != s->date_parsed.tz_offset
        && hop1->date_parsed.tz_offset != 0 && s->date_parsed.tz_offset != 0)
        mt_report_add_finding(
            report, "date-timezone-mismatch", MT_SEVERITY_INFO, &ev,
            "Date is written in UTC%+03d%02d, the origin hop in "
            "UTC%+03d%02d", s->date_parsed.tz_offset / 60,
            ABS(s->date_parsed.tz_offset) % 60,
            hop1->date_parsed.tz_offset / 60,
            ABS(hop1->date_parsed.tz_offset) % 60);
}

static void
check_duplicates(MtReport *report)
{
    /* RFC 5322 3.6's table: these fields appear at most once; MIME's own
     * (RFC 2045) and the Return-Path of the final delivery too. */
    static const char *const singletons[] = {
        "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID",
        "In-Reply-To", "References", "Subject", "Date", "MIME-Version",
        "Content-Type", "Return-Path"};

    for (gsize k = 0; k < G_N_ELEMENTS(singletons); k++) {
        guint count = 0;
        int second = -1;
        for (guint i = 0; i < report->headers->len; i++) {
            if (!name_is(report->headers->pdata[i], singletons[k]))
                continue;
            if (++count == 2)
                second = (int)i;
        }
        if (count > 1) {
            MtEvidence ev = mt_evidence_for_header(report, second);
            mt_report_add_finding(report, "header-duplicate",
                                  MT_SEVERITY_MEDIUM, &ev,
                                  "%s appears %u times (allowed once)",
                                  singletons[k], count);
        }
    }
}

static gboolean
in_field(const MtAddressField *f, const char *address)
{
    for (guint i = 0; f->mailboxes && i < f->mailboxes->len; i++) {
        const MtMailbox *mb = f->mailboxes->pdata[i];
        if (mb->address && g_ascii_strcasecmp(mb->address, address) == 0)
            return TRUE;
    }
    return FALSE;
}

static void
check_recipients(MtReport *report)
{
    const MtSummary *s = &report->summary;
    const MtAddressField *delivery[] = {&s->delivered_to, &s->x_original_to};

    if (s->bcc.header_index >= 0 && report->relay.hops->len > 0) {
        MtEvidence ev = mt_evidence_for_header(report, s->bcc.header_index);
        mt_report_add_finding(report, "bcc-present", MT_SEVERITY_LOW, &ev,
                              "a received message carries Bcc, which the "
                              "sending side should remove (RFC 5322 "
                              "3.6.3)");
    }
    for (gsize k = 0; k < G_N_ELEMENTS(delivery); k++) {
        const MtAddressField *f = delivery[k];
        for (guint i = 0; f->mailboxes && i < f->mailboxes->len; i++) {
            const MtMailbox *mb = f->mailboxes->pdata[i];
            if (mb->address == NULL || in_field(&s->to, mb->address)
                || in_field(&s->cc, mb->address))
                continue;
            MtEvidence ev = mt_evidence_for_header(report, f->header_index);
            mt_report_add_finding(
                report, "recipient-not-in-to-cc", MT_SEVERITY_INFO, &ev,
                "delivered to %s, which is in neither To nor Cc: "
                "forwarding, a list or Bcc delivery", mb->address);
            return;
        }
    }
}

/* ---- Score -------------------------------------------------------- */

/*
 * The score is 0 (nothing found) to 100, the sum of one weight per
 * finding, capped at 100:
 *
 *   info 0, low 5, medium 15, high 35.
 *
 * The verdict follows from it: below 20 "clean", below 50 "suspicious",
 * else "likely-malicious". So one high finding (a forged display name, a
 * DMARC failure the receiver recorded) makes a message suspicious, and a
 * high with a medium makes it likely malicious, while the low findings
 * that legitimate bulk mail often carries (a bounce domain of a mailing
 * service, a Reply-To elsewhere) need to pile up before they count. The
 * score covers every finding in the report when it is called, so the
 * pipeline calls it after the other analyses.
 */
void
mt_identity_score(MtReport *report)
{
    static const int weights[] = {0, 5, 15, 35};
    int score = 0;

    for (guint i = 0; i < report->findings->len; i++) {
        const MtFinding *f = report->findings->pdata[i];
        if ((guint)f->severity < G_N_ELEMENTS(weights))
            score += weights[f->severity];
        if (score >= 100)
            break;
    }
    score = MIN(score, 100);
    report->identity.score = score;
    report->identity.verdict = score < 20   ? "clean"
                               : score < 50 ? "suspicious"
                                            : "likely-malicious";
}

void
mt_identity_analyze(MtReport *report, const MtOptions *options)
{
    g_return_if_fail(report != NULL);
    (void)options;
    mt_gmime_init();
    mt_identity_clear(&report->identity);
    report->identity.identities = g_ptr_array_new_with_free_func(entry_free);

    build_table(report);
    align_table(report);
    check_message_id(report);
    check_return_path(report);
    check_reply_to(report);
    check_from(report);
    check_lookalike(report);
    check_date(report);
    check_duplicates(report);
    check_recipients(report);
    mt_identity_score(report);
}
