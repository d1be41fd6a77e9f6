/* SPDX-License-Identifier: MIT */
/* indicators.c: stub, being written. */
#include "mime-private.h"

void
mt_indicators_build(MtReport *report)
{
}
