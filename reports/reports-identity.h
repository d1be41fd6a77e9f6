/* SPDX-License-Identifier: MIT */
/*
 * reports-identity.h: the renderers' pieces for the identity and
 * authentication sections (json-identity.c, text-identity.c), used by
 * json.c and text.c.
 */
#ifndef MT_REPORTS_IDENTITY_H
#define MT_REPORTS_IDENTITY_H

#include <stdio.h>

#include <jansson.h>

#include "jsonw.h"
#include "mailtrail.h"

G_BEGIN_DECLS

/* The report's "identity" and "authentication" objects; empty objects
 * for a report that was not analyzed. */
void mt_json_write_identity(MtJsonWriter *w, const MtReport *report);
void mt_json_write_authentication(MtJsonWriter *w, const MtReport *report);
/* The same as trees (transfer full). */
json_t *mt_json_identity(const MtReport *report);
json_t *mt_json_authentication(const MtReport *report);

/* The text section: identity table, authentication evidence (claimed
 * against verified), findings by severity, score and verdict. */
/* defang: URLs in finding messages written defanged (--defang). */
void mt_text_identity(FILE *out, const MtReport *report, gboolean color,
                      gboolean defang);

G_END_DECLS

#endif /* MT_REPORTS_IDENTITY_H */
