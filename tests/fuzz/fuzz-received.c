/* SPDX-License-Identifier: MIT */
/*
 * fuzz-received.c: mt_received_parse() on one header value, then its JSON
 * hop shape. Received headers below the trust boundary are written by the
 * sender, so this parser sees the most hostile text in a message: nested
 * comments, unbalanced brackets, fake "from" clauses inside comments.
 *
 * Invariants: the raw value is never longer than the input; a client
 * address the parser calls an IP address parses as one and is already in
 * canonical form (mt_ip_to_string() gives it back unchanged).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "mailtrail.h"
#include "mt-ipaddr.h"
#include "reports.h"

static void
check_ip(const char *text)
{
    MtIp ip;
    g_autofree char *canonical = NULL;

    if (text == NULL)
        return;
    MT_FUZZ_ASSERT(mt_ip_parse(text, strlen(text), &ip));
    canonical = mt_ip_to_string(&ip);
    MT_FUZZ_ASSERT(g_strcmp0(canonical, text) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *value = mt_fuzz_dup_exact(data, size);
    MtReceived *r;
    json_t *obj;
    char *text;

    mt_fuzz_init();
    r = mt_received_parse(value, size);
    MT_FUZZ_ASSERT(r != NULL && r->raw != NULL);
    MT_FUZZ_ASSERT(strlen(r->raw) <= size);
    check_ip(r->from_ip);
    check_ip(r->by_ip);
    if (r->date) {
        MtDateTime dt;
        (void)mt_date_parse(r->date, strlen(r->date), &dt);
    }
    obj = mt_json_received(r);
    MT_FUZZ_ASSERT(obj != NULL);
    text = json_dumps(obj, JSON_COMPACT);
    MT_FUZZ_ASSERT(text != NULL);
    free(text);
    json_decref(obj);
    mt_received_free(r);
    return 0;
}
