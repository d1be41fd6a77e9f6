/* SPDX-License-Identifier: MIT */
/*
 * text-identity.c: the identity and authentication part of the terminal
 * summary: the identity table with its alignment, the receiver's verdict
 * against what other headers claim, each DKIM signature's offline check,
 * and then every finding, the most severe first, with the score. All text
 * from the message goes through mt_text_terminal_safe().
 */
#include <string.h>

#include "reports-identity.h"
#include "reports.h"

static void
print_safe(FILE *out, const char *fmt_prefix, const char *text)
{
    g_autofree char *safe = mt_text_terminal_safe(text);

    fprintf(out, "%s%s\n", fmt_prefix, safe);
}

static void
print_identities(FILE *out, const MtIdentity *id)
{
    if (id->identities == NULL || id->identities->len == 0)
        return;
    fprintf(out, "  Identities (alignment with From%s):\n",
            id->from_domain ? "" : ": none, no From domain");
    for (guint i = 0; i < id->identities->len; i++) {
        const MtIdentityEntry *e = id->identities->pdata[i];
        const char *mark = e->aligned_strict    ? "strict "
                           : e->aligned_relaxed ? "relaxed"
                                                : "-      ";
        g_autofree char *line = g_strdup_printf(
            "    %-28s %s  %s%s%s", e->role, mark,
            e->address ? (e->address[0] ? e->address : "<>") : "-",
            e->org_domain ? "  org " : "", e->org_domain ? e->org_domain : "");
        print_safe(out, "", line);
    }
    if (id->message_id_generator)
        fprintf(out, "    Message-ID format suggests: %s\n",
                id->message_id_generator);
}

static void
print_auth(FILE *out, const MtAuthentication *a)
{
    if (a->results == NULL)
        return;
    if (a->results->len == 0 && a->dkim->len == 0 && a->arc->len == 0 &&
        (a->crypto_parts == NULL || a->crypto_parts->len == 0))
        return;
    fprintf(out, "  Authentication (receiver's verdict: spf=%s dkim=%s "
                 "dmarc=%s, boundary hop %d):\n",
            a->spf ? a->spf : "-", a->dkim_result ? a->dkim_result : "-",
            a->dmarc ? a->dmarc : "-", a->boundary_hop);
    for (guint i = 0; i < a->results->len; i++) {
        const MtAuthResults *r = a->results->pdata[i];
        GString *line = g_string_new(NULL);
        g_string_append_printf(line, "    %-8s %s%s: ",
                               mt_auth_trust_to_string(r->trust),
                               r->arc_instance >= 0 ? "ARC " : "",
                               r->authserv_id ? r->authserv_id
                                              : "(no authserv-id)");
        for (guint k = 0; k < r->methods->len && k < 12; k++) {
            const MtAuthMethod *m = r->methods->pdata[k];
            g_string_append_printf(line, "%s%s=%s", k ? " " : "", m->method,
                                   m->result ? m->result : "?");
        }
        print_safe(out, "", line->str);
        g_string_free(line, TRUE);
    }
    for (guint i = 0; i < a->dkim->len; i++) {
        const MtSignature *s = a->dkim->pdata[i];
        /* Claimed, checked offline and verified online stay apart. */
        gboolean online = strcmp(s->online_status, "not-checked") != 0;
        g_autofree char *line = g_strdup_printf(
            "    DKIM d=%s s=%s a=%s: body %s, signature %s offline, %s%s%s%s"
            "%s%s%s",
            s->domain ? s->domain : "?", s->selector ? s->selector : "?",
            s->algorithm ? s->algorithm : "?", s->body_hash_status,
            s->signature_status, online ? "online " : "not verified online",
            online ? s->online_status : "",
            s->signature_problem ? ": " : "",
            s->signature_problem ? s->signature_problem : "",
            s->online_problem ? " (online: " : "",
            s->online_problem ? s->online_problem : "",
            s->online_problem ? ")" : "");
        print_safe(out, "", line);
    }
    for (guint i = 0; a->crypto_parts && i < a->crypto_parts->len; i++) {
        const MtCryptoPart *c = a->crypto_parts->pdata[i];
        /* One line per signed or encrypted part: who, and how far checked;
         * for an encrypted part, how many recipients could be read. */
        g_autofree char *count = g_strdup_printf(
            "%u recipient(s)", c->recipients ? c->recipients->len : 0);
        g_autofree char *line = g_strdup_printf(
            "    %s %s part %s (%s): %s%s%s%s%s", c->kind, c->what,
            *c->part ? c->part : "top", c->form,
            c->status ? c->status : count,
            c->signer_email || c->signer_subject || c->key_id ? ", signer "
                                                               : "",
            c->signer_email ? c->signer_email
                            : c->signer_subject ? c->signer_subject
                                                : c->key_id ? c->key_id : "",
            c->reason ? ": " : "", c->reason ? c->reason : "");
        print_safe(out, "", line);
    }
    if (a->arc_chain && strcmp(a->arc_chain, "none") != 0)
        fprintf(out, "    ARC: %d instance(s), chain %s\n", a->arc_instances,
                a->arc_chain);
}

static void
print_findings(FILE *out, const MtReport *report, gboolean color,
               gboolean defang)
{
    if (report->findings->len == 0)
        return;
    fprintf(out, "  Findings (%u):\n", report->findings->len);
    for (int sev = MT_SEVERITY_HIGH; sev >= MT_SEVERITY_INFO; sev--) {
        for (guint i = 0; i < report->findings->len; i++) {
            const MtFinding *f = report->findings->pdata[i];
            g_autofree char *line = NULL;
            if ((int)f->severity != sev)
                continue;
            if (defang) {
                /* Finding messages quote the URLs they are about. */
                g_autofree char *message = mt_text_defang_urls_in(f->message);
                line = g_strdup_printf("%s: %s", f->id, message);
            } else {
                line = g_strdup_printf("%s: %s", f->id, f->message);
            }
            /* The severity word is ours, the only place colour goes. */
            if (color)
                fprintf(out, "    %s%-6s\033[0m ",
                        mt_text_severity_color(f->severity),
                        mt_severity_to_string(f->severity));
            else
                fprintf(out, "    %-6s ", mt_severity_to_string(f->severity));
            print_safe(out, "", line);
        }
    }
}

void
mt_text_identity(FILE *out, const MtReport *report, gboolean color,
                 gboolean defang)
{
    if (!report->analyzed)
        return;
    print_identities(out, &report->identity);
    print_auth(out, &report->authentication);
    print_findings(out, report, color, defang);
    if (report->identity.verdict)
        fprintf(out, "  %-13s %d/100, %s\n", "Score:", report->identity.score,
                report->identity.verdict);
}
