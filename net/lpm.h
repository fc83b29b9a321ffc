/* Longest-prefix-match tables for IPv4 and IPv6, built once, immutable, freed as one.
 *
 * The pipeline compiles one table per VPC route table (and per transit
 * gateway route table) into each snapshot; the data path looks up every
 * packet's destination in it.  So a table must be small (a VPC may have
 * hundreds of route tables, each snapshot holds them all) and a lookup must do
 * bounded work whatever the number of routes.
 *
 * Layout: a Poptrie (Asai & Ohara, SIGCOMM 2015) without direct pointing.
 * The key (the address, padded with zero bits to a multiple of 6) is read 6
 * bits at a time; each node covers one 6-bit chunk, i.e. 64 slots, and is 24
 * bytes:
 *
 *   vector   bit i set: slot i has a child node (a longer prefix lives below)
 *   leafvec  bit i set: slot i is a leaf and starts a run of slots with a
 *            different result than the previous leaf slot
 *   base1    index of the node's first child; children are contiguous, so
 *            child of slot i = nodes[base1 + popcount(vector & bits 0..i) - 1]
 *   base0    index of the node's first leaf; leaves are contiguous, so
 *            leaf of slot i = leaves[base0 + popcount(leafvec & bits 0..i) - 1]
 *
 * Routes are leaf-pushed: every slot already holds the answer of the longest
 * prefix covering it, so a lookup walks down while the slot has a child and
 * reads one leaf: at most 6 nodes for IPv4 (36 key bits), 22 for IPv6, no
 * backtracking.  A leaf is an index into the table's distinct values (0 = no
 * route), so runs of slots leading to the same target collapse into one leaf
 * even when different routes produced them: a VPC table has many routes and
 * few targets.
 *
 * Rejected: DIR-24-8 (64 MB per table), DIR-16-8-8 (256 KB per table before
 * the first route), a plain 8-8-8-8 multibit trie (1 KB per node, ~10 MB for
 * 10,000 scattered routes).  Poptrie memory grows with the routes: 24 bytes
 * for the root plus a few bytes per leaf run (see bench/lpm.c for measured
 * sizes).
 *
 * Duplicates: a prefix given twice (same address and length, whatever the
 * values) is refused with -EEXIST rather than "last wins": the compiler feeds
 * tables from the model, which never holds two routes for one destination, so
 * a duplicate is a compiler bug to report, not a choice to hide.
 *
 * Threads: lpm4_create/lpm6_create and _destroy on the control thread; the
 * table they return is immutable, so any number of threads may call
 * lpm4_lookup/lpm6_lookup on it concurrently without locks, until the
 * snapshot holding it is retired. */
#ifndef VPCD_NET_LPM_H
#define VPCD_NET_LPM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipaddr.h"

enum {
    LPM_STRIDE = 6,                 /* key bits per node: 64 slots, one uint64_t bitmap */
    LPM4_MAX_ROUTES = 1 << 20,      /* per table; far above AWS's per-table route quotas */
    LPM6_MAX_ROUTES = 1 << 20,
    LPM4_LEVELS = 6,                /* 32 bits + 4 zero pad bits = 6 strides */
    LPM6_LEVELS = 22,               /* 128 bits + 4 zero pad bits = 22 strides */
};

/* One node: 64 slots of one 6-bit chunk of the key.  See the essay above. */
struct lpm_node {
    uint64_t vector;                /* bit i: slot i has a child */
    uint64_t leafvec;               /* bit i: slot i is a leaf starting a new run */
    uint32_t base0;                 /* first leaf, index into 'leaves' */
    uint32_t base1;                 /* first child, index into 'nodes' */
};

/* What the inline lookups read; the control-plane bookkeeping lives in a
 * private wrapper in lpm.c (DPDK struct rte_lpm / struct __rte_lpm).  The
 * members are public only for the inline lookups: treat them as opaque. */
struct lpm4 {
    const struct lpm_node *nodes;   /* nodes[0] is the root; never empty */
    const uint32_t *leaves;         /* 0: no route; n: values[n - 1] */
    const uint32_t *values;         /* distinct route values, sorted */
};

struct lpm6 {
    const struct lpm_node *nodes;
    const uint32_t *leaves;
    const uint32_t *values;
};

struct lpm4_route {
    struct ip4_prefix prefix;       /* canonical (host bits zero) */
    uint32_t value;                 /* any 32-bit value: the caller's next hop */
};

struct lpm6_route {
    struct ip6_prefix prefix;       /* canonical (host bits zero) */
    uint32_t value;
};

/* ---- Control thread only. ---- */

/* Builds a table from 'routes' ('n_routes' of them; 'routes' may be NULL when
 * 'n_routes' is 0: an empty table, every lookup misses).  The routes are
 * copied; the caller keeps its array.  On success stores a new table in
 * '*tablep' (caller frees with lpm4_destroy) and returns 0.  Otherwise stores
 * NULL and returns:
 *   -EINVAL  a prefix longer than 32 bits, or with host bits set
 *   -EEXIST  the same prefix twice (see "Duplicates" above)
 *   -E2BIG   more than LPM4_MAX_ROUTES routes
 * Memory exhaustion aborts (xmalloc). */
int lpm4_create(const struct lpm4_route *routes, size_t n_routes, struct lpm4 **tablep);

/* Frees 'table' and everything in it, as one block.  Accepts NULL.  Only once
 * no thread can be looking it up any more. */
void lpm4_destroy(struct lpm4 *table);

/* Bytes the table occupies (the one block lpm4_create allocated). */
size_t lpm4_size(const struct lpm4 *table);

/* Number of routes the table was built from. */
size_t lpm4_n_routes(const struct lpm4 *table);

/* The same for IPv6; -EINVAL for a prefix longer than 128 bits or with host
 * bits set. */
int lpm6_create(const struct lpm6_route *routes, size_t n_routes, struct lpm6 **tablep);
void lpm6_destroy(struct lpm6 *table);
size_t lpm6_size(const struct lpm6 *table);
size_t lpm6_n_routes(const struct lpm6 *table);

/* ---- Any thread, lock-free: the data path. ---- */

/* Bits 0..'i' of 'x' counted; 'i' is 0..63 ('2 << 63' wraps to 0 and the mask
 * to all ones, which is what slot 63 needs). */
static inline unsigned
lpm_count_upto(uint64_t x, unsigned i)
{
    x &= (UINT64_C(2) << i) - 1;
#ifdef __POPCNT__
    return (unsigned) __builtin_popcountll(x);
#else
    /* Without -mpopcnt GCC calls libgcc's __popcountdi2; this inline SWAR
     * count avoids the call (bench/lpm.c, hot set: 21 ns with the call,
     * 14-18 ns with this, 5 ns with the popcnt instruction of x86-64-v2). */
    x -= (x >> 1) & UINT64_C(0x5555555555555555);
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (unsigned) ((x * UINT64_C(0x0101010101010101)) >> 56);
#endif
}

/* Finds the longest prefix in 'table' containing 'addr' (host byte order).
 * Returns 0 and stores its value in '*value', or -ENOENT if no prefix
 * contains 'addr' ('*value' untouched).  At most LPM4_LEVELS nodes read. */
static inline int
lpm4_lookup(const struct lpm4 *table, uint32_t addr, uint32_t *value)
{
    const struct lpm_node *nodes = table->nodes;
    const struct lpm_node *node = &nodes[0];
    /* 36-bit key: the address then 4 zero bits, so every chunk is 6 bits. */
    uint64_t key = (uint64_t) addr << 4;
    int shift = 30;
    unsigned i = (unsigned) (key >> shift) & 63;

    while (node->vector >> i & 1) {
        node = &nodes[node->base1 + lpm_count_upto(node->vector, i) - 1];
        shift -= LPM_STRIDE;
        i = (unsigned) (key >> shift) & 63;
    }
    uint32_t leaf = table->leaves[node->base0 + lpm_count_upto(node->leafvec, i) - 1];
    if (leaf == 0) {
        return -ENOENT;
    }
    *value = table->values[leaf - 1];
    return 0;
}

/* Chunk 'level' (0..LPM6_LEVELS-1) of the 132-bit key 'hi':'lo':0000. */
static inline unsigned
lpm6_chunk(uint64_t hi, uint64_t lo, unsigned level)
{
    unsigned off = level * LPM_STRIDE;      /* first bit of the chunk, from the top */

    if (off <= 58) {
        return (unsigned) (hi >> (58 - off)) & 63;
    }
    if (off < 64) {
        return (unsigned) ((hi << (off - 58)) | (lo >> (122 - off))) & 63;
    }
    if (off <= 122) {
        return (unsigned) (lo >> (122 - off)) & 63;
    }
    return (unsigned) (lo << (off - 122)) & 63;
}

/* As lpm4_lookup, for an IPv6 address (network byte order, as struct
 * ip6_addr).  At most LPM6_LEVELS nodes read. */
static inline int
lpm6_lookup(const struct lpm6 *table, const struct ip6_addr *addr, uint32_t *value)
{
    uint64_t hi = 0, lo = 0;
    for (int b = 0; b < 8; b++) {
        hi = hi << 8 | addr->b[b];
        lo = lo << 8 | addr->b[b + 8];
    }

    const struct lpm_node *nodes = table->nodes;
    const struct lpm_node *node = &nodes[0];
    unsigned level = 0;
    unsigned i = lpm6_chunk(hi, lo, 0);

    while (node->vector >> i & 1) {
        node = &nodes[node->base1 + lpm_count_upto(node->vector, i) - 1];
        i = lpm6_chunk(hi, lo, ++level);
    }
    uint32_t leaf = table->leaves[node->base0 + lpm_count_upto(node->leafvec, i) - 1];
    if (leaf == 0) {
        return -ENOENT;
    }
    *value = table->values[leaf - 1];
    return 0;
}

#endif
