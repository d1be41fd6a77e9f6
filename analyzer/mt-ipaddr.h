/* SPDX-License-Identifier: MIT */
/*
 * mt-ipaddr.h: IP address literals as mail writes them. Received headers,
 * address literals ("[IPv6:2001:db8::1]") and X-Originating-IP fields carry
 * addresses in text; the analyzer needs them parsed strictly, printed in one
 * canonical form (RFC 5952 for IPv6) so two spellings of one address compare
 * equal, and classified (private, loopback, documentation...) so a report can
 * say which hops are worth looking up and which are internal or forged.
 */
#ifndef MT_IPADDR_H
#define MT_IPADDR_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    MT_IP_FAMILY_V4 = 4,
    MT_IP_FAMILY_V6 = 6,
} MtIpFamily;

/* An address in network byte order. For MT_IP_FAMILY_V4 only addr[0..3] is
 * used and the rest is zero, so two equal addresses are equal bytewise. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) stays MT_IP_FAMILY_V6: see
 * mt_ip_is_v4_mapped() and mt_ip_unmap(). */
typedef struct {
    MtIpFamily family;
    guint8 addr[16];
} MtIp;

/* What kind of address it is, for a report. The IPv4 ranges follow RFC 6890
 * and IANA's special-purpose registries; IPv6 ones are noted in ipaddr.c. */
typedef enum {
    MT_IP_CLASS_PUBLIC,
    MT_IP_CLASS_PRIVATE,       /* RFC 1918; IPv6 unique local fc00::/7 */
    MT_IP_CLASS_LOOPBACK,      /* 127/8, ::1 */
    MT_IP_CLASS_LINK_LOCAL,    /* 169.254/16, fe80::/10 */
    MT_IP_CLASS_CGNAT,         /* 100.64/10, RFC 6598 shared space */
    MT_IP_CLASS_DOCUMENTATION, /* RFC 5737, 2001:db8::/32, 3fff::/20 */
    MT_IP_CLASS_MULTICAST,     /* 224/4, ff00::/8 */
    MT_IP_CLASS_BENCHMARK,     /* 198.18/15, 2001:2::/48 (RFC 2544, 5180) */
    MT_IP_CLASS_RESERVED,      /* 0/8, 240/4, broadcast, 192.0.0/24... */
    MT_IP_CLASS_UNSPECIFIED,   /* 0.0.0.0, :: */
} MtIpClass;

/* Parses exactly len bytes of text (no NUL needed, no surrounding space or
 * brackets) as one address. Returns FALSE, leaving *out zeroed, when the text
 * is not an address.
 *
 * IPv4 is the strict dotted quad: four decimal parts of 1 to 3 digits, each
 * 0-255. A part with a leading zero ("010") is rejected: inet_aton() reads
 * it as octal (8) and inet_pton() refuses it, so any answer would be a guess,
 * and a forged header is exactly where such a guess would be wrong. Shorter
 * forms ("127.1", "0x7f.1", "2130706433") are rejected for the same reason.
 *
 * IPv6 takes every RFC 4291 section 2.2 text form: eight groups, "::"
 * compression, and a trailing dotted quad. A leading "IPv6:" tag (RFC 5321
 * address literal, any case) is skipped. A zone id ("fe80::1%eth0") is
 * rejected: it names an interface on the machine that wrote it, has no
 * meaning to the reader and is no part of the RFC 5321 literal grammar. */
gboolean mt_ip_parse(const char *text, gsize len, MtIp *out);

/* The canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase,
 * no leading zeros, the longest run of two or more zero groups as "::", the
 * first such run on a tie), with the dotted tail for IPv4-mapped addresses
 * as section 5 recommends. Transfer full. */
char *mt_ip_to_string(const MtIp *ip);

gboolean mt_ip_equal(const MtIp *a, const MtIp *b);

/* TRUE for an IPv6 address in ::ffff:0:0/96, however it was written. */
gboolean mt_ip_is_v4_mapped(const MtIp *ip);

/* Copies ip to *out, turning an IPv4-mapped address into plain IPv4. */
void mt_ip_unmap(const MtIp *ip, MtIp *out);

/* The IPv4 address an IPv6 address carries by construction: the mapped
 * address, the NAT64 (64:ff9b::/96) target, the 6to4 (2002::/16) site, or
 * the Teredo (2001::/32) client's public address (stored inverted, RFC 4380
 * section 4). Returns FALSE for any other address, and for IPv4. */
gboolean mt_ip_get_embedded_v4(const MtIp *ip, MtIp *out);

/* Classifies the address. An IPv4-mapped address is classified by the IPv4
 * address inside it, as is a NAT64 well-known-prefix address. */
MtIpClass mt_ip_classify(const MtIp *ip);
const char *mt_ip_class_to_string(MtIpClass cls);

/* A short note on how an IPv6 address is built: "ipv4-mapped", "nat64",
 * "6to4", "teredo", "ula", or NULL (always NULL for IPv4). Static string. */
const char *mt_ip_note(const MtIp *ip);

/* A network: base has the host bits cleared; prefix is 0-32 for IPv4 and
 * 0-128 for IPv6. */
typedef struct {
    MtIp base;
    guint prefix;
} MtCidr;

/* Parses "address/prefix" or a bare address (a host route: /32 or /128).
 * The prefix is plain decimal without leading zeros. Host bits set in the
 * address ("10.1.2.3/8") are accepted and cleared, as a user typing a
 * trusted network means the network. An IPv4-mapped network with a prefix of
 * at least 96 becomes the IPv4 network inside it. text is NUL-terminated. */
gboolean mt_cidr_parse(const char *text, MtCidr *out);

/* TRUE when ip lies in c. IPv4 and IPv4-mapped IPv6 spellings of one
 * address match the same networks. */
gboolean mt_cidr_contains(const MtCidr *c, const MtIp *ip);

/* "base/prefix" in canonical form. Transfer full. */
char *mt_cidr_to_string(const MtCidr *c);

G_END_DECLS

#endif /* MT_IPADDR_H */
