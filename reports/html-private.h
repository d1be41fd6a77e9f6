/* SPDX-License-Identifier: MIT */
/*
 * html-private.h: the pieces of the HTML renderer (html.c) that its unit
 * test checks against, without making them public.
 */
#ifndef MT_HTML_PRIVATE_H
#define MT_HTML_PRIVATE_H

#include "reports.h"

G_BEGIN_DECLS

/* The Content-Security-Policy every page carries: no script at all, no
 * request to anywhere (images only as data: URIs), inline style only, no
 * <base> and no form target that could send data away. */
#define MT_HTML_CSP                                                        \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "       \
    "base-uri 'none'; form-action 'none'"

/* Longest label drawn in the relay diagram, in characters: SVG text does
 * not wrap, and the table below it has the full value. */
#define MT_HTML_SVG_LABEL_MAX 96

/* Hops drawn in the relay diagram; the table lists them all. */
#define MT_HTML_SVG_HOPS_MAX 40

/* Text safe to put in a text node: valid UTF-8, with control characters,
 * C1 controls and bidirectional overrides made visible (\xHH, <U+XXXX>)
 * and, when max_chars > 0, cut after max_chars characters with an
 * ellipsis. Transfer full. */
char *mt_html_safe_text(const char *text, gsize max_chars);

G_END_DECLS

#endif /* MT_HTML_PRIVATE_H */
