/* IPv4 and IPv6 addresses and prefixes: parsing (strict), canonical
 * formatting, and the CIDR arithmetic the VPC rules are written in
 * (containment, overlap, sizes).  No knowledge of VPCs.
 *
 * IPv4 addresses are uint32_t in host byte order.  A prefix is always kept in
 * canonical form (host bits zero): AWS stores 100.68.0.18/18 as 100.68.0.0/18. */
#ifndef VPCD_NET_IPADDR_H
#define VPCD_NET_IPADDR_H

#include <stdbool.h>
#include <stdint.h>

enum {
    IP4_STRLEN = 16,            /* "255.255.255.255" + NUL */
    IP4_PREFIX_STRLEN = 19,     /* + "/32" */
    IP6_STRLEN = 46,
    IP6_PREFIX_STRLEN = 50,
};

struct ip4_prefix {
    uint32_t addr;      /* host byte order, host bits zero */
    uint8_t len;        /* 0..32 */
};

struct ip6_addr {
    uint8_t b[16];      /* network byte order */
};

struct ip6_prefix {
    struct ip6_addr addr;       /* host bits zero */
    uint8_t len;                /* 0..128 */
};

/* Parses a dotted quad ("10.0.0.1"): exactly four decimal parts 0..255, no
 * leading zeros beyond "0", no spaces or suffixes. */
bool ip4_parse(const char *s, uint32_t *addr);
void ip4_format(uint32_t addr, char out[IP4_STRLEN]);

/* Parses "a.b.c.d/n" (n 0..32) and canonicalises it (host bits cleared).
 * 'was_canonical' (may be NULL) tells whether host bits were already zero. */
bool ip4_prefix_parse(const char *s, struct ip4_prefix *, bool *was_canonical);
void ip4_prefix_format(const struct ip4_prefix *, char out[IP4_PREFIX_STRLEN]);

static inline uint32_t
ip4_mask(uint8_t len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static inline uint32_t
ip4_prefix_last(const struct ip4_prefix *p)
{
    return p->addr | ~ip4_mask(p->len);
}

static inline uint64_t
ip4_prefix_size(const struct ip4_prefix *p)
{
    return (uint64_t) 1 << (32 - p->len);
}

static inline bool
ip4_prefix_has(const struct ip4_prefix *p, uint32_t addr)
{
    return (addr & ip4_mask(p->len)) == p->addr;
}

/* True if 'inner' lies wholly inside 'outer' (equal counts). */
static inline bool
ip4_prefix_contains(const struct ip4_prefix *outer, const struct ip4_prefix *inner)
{
    return inner->len >= outer->len && ip4_prefix_has(outer, inner->addr);
}

static inline bool
ip4_prefix_overlaps(const struct ip4_prefix *a, const struct ip4_prefix *b)
{
    return ip4_prefix_contains(a, b) || ip4_prefix_contains(b, a);
}

static inline bool
ip4_prefix_equal(const struct ip4_prefix *a, const struct ip4_prefix *b)
{
    return a->addr == b->addr && a->len == b->len;
}

/* IPv6: parses any RFC 4291 text form (with "::", and an embedded dotted
 * quad); formats per RFC 5952 (lower case, longest zero run compressed). */
bool ip6_parse(const char *s, struct ip6_addr *);
void ip6_format(const struct ip6_addr *, char out[IP6_STRLEN]);
bool ip6_prefix_parse(const char *s, struct ip6_prefix *, bool *was_canonical);
void ip6_prefix_format(const struct ip6_prefix *, char out[IP6_PREFIX_STRLEN]);
bool ip6_prefix_has(const struct ip6_prefix *, const struct ip6_addr *);
bool ip6_prefix_contains(const struct ip6_prefix *outer, const struct ip6_prefix *inner);
bool ip6_prefix_overlaps(const struct ip6_prefix *, const struct ip6_prefix *);
bool ip6_prefix_equal(const struct ip6_prefix *, const struct ip6_prefix *);

#endif
