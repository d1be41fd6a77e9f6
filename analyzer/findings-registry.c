/* SPDX-License-Identifier: MIT */
/*
 * findings-registry.c: the registry of finding ids, doc/findings.yaml,
 * looked up by id. The table is generated at build time by
 * analyzer/data/gen-findings-registry.py, so a title is written once, in
 * the registry, and the binary never reads the registry at run time.
 */
#include <stdlib.h>
#include <string.h>

#include "mailtrail.h"

#include "data/mt-findings-registry.h"

static int
compare_id(const void *key, const void *entry)
{
    return strcmp(key, ((const MtFindingInfo *)entry)->id);
}

const MtFindingInfo *
mt_finding_info_get(const char *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    /* The generator sorts the table by id (byte order, as strcmp). */
    return bsearch(id, mt_findings_registry,
                   G_N_ELEMENTS(mt_findings_registry),
                   sizeof(mt_findings_registry[0]), compare_id);
}

const char *
mt_finding_title(const char *id)
{
    const MtFindingInfo *info = id ? mt_finding_info_get(id) : NULL;

    return info ? info->title : NULL;
}
