/* SPDX-License-Identifier: MIT */
/*
 * fuzz-auth.c: the authentication header parsers. The first input byte
 * picks the parser, the rest is the header value:
 *
 *   0  Authentication-Results (RFC 8601)
 *   1  ARC-Authentication-Results ("i=N;" first, RFC 8617)
 *   2  DKIM-Signature tag list (RFC 6376 3.2)
 *   3  ARC-Seal, 4  ARC-Message-Signature (same tag-list grammar)
 *   5  Received-SPF (RFC 7208 9.1)
 *   6  a --dkim-keys key table (text lines)
 *
 * A sender can write any number of these headers below the trust
 * boundary, so each parser must stay within its documented limits
 * (identity-private.h) whatever the value; those limits are the
 * invariants checked here.
 */
#include <string.h>

#include "fuzz.h"
#include "identity-private.h"

static void
check_results(const MtAuthResults *ar)
{
    MT_FUZZ_ASSERT(ar != NULL && ar->methods != NULL);
    MT_FUZZ_ASSERT(ar->methods->len <= MT_AUTH_MAX_METHODS);
    for (guint i = 0; i < ar->methods->len; i++) {
        const MtAuthMethod *m = ar->methods->pdata[i];

        MT_FUZZ_ASSERT(m->method != NULL);
        MT_FUZZ_ASSERT(m->properties == NULL ||
                       m->properties->len <= MT_AUTH_MAX_PROPERTIES);
        /* The lookups the analysis makes on every method. */
        (void)mt_auth_method_get(m, "smtp", "mailfrom");
        (void)mt_auth_method_get(m, "header", "d");
        (void)mt_auth_method_get(m, "", "action");
    }
}

static void
check_signature(const MtSignature *sig)
{
    MT_FUZZ_ASSERT(sig != NULL && sig->tags != NULL);
    MT_FUZZ_ASSERT(sig->tags->len <= MT_TAG_MAX_TAGS);
    MT_FUZZ_ASSERT(sig->signed_headers == NULL ||
                   sig->signed_headers->len <= MT_TAG_MAX_SIGNED_HEADERS);
    (void)mt_signature_get_tag(sig, "d");
    (void)mt_signature_get_tag(sig, "bh");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guint8 which = mt_fuzz_take_byte(&data, &size);
    g_autofree char *value = mt_fuzz_dup_exact(data, size);

    mt_fuzz_init();
    switch (which % 7) {
    case 0:
    case 1: {
        MtAuthResults *ar = mt_auth_results_parse(value, size, which % 7);

        check_results(ar);
        mt_auth_results_free(ar);
        break;
    }
    case 2:
    case 3:
    case 4: {
        static const char *const kinds[] = {
            "DKIM-Signature", "ARC-Seal", "ARC-Message-Signature"};
        MtSignature *sig =
            mt_signature_parse(kinds[which % 7 - 2], value, size);

        check_signature(sig);
        mt_signature_free(sig);
        break;
    }
    case 5:
        mt_received_spf_free(mt_received_spf_parse(value, size));
        break;
    default: {
        /* The key table reader takes a C string. */
        g_autofree char *text = g_strndup(value, size);
        guint skipped = 0;

        mt_dkim_keys_free(mt_dkim_keys_new_from_text(text, &skipped));
        break;
    }
    }
    return 0;
}
