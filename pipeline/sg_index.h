/* An interface's security group rules in one direction, compiled so that the
 * first rule admitting a packet is found in about the same time for 5 or
 * 5,000 rules.  snapshot_sg_evaluate() (snapshot.h) is the one entry point;
 * the compiler builds an index per interface and direction once it has more
 * than a few rules, and the answer is the linear scan's, exactly: the index
 * of the FIRST rule in the compiled order that admits the packet, or -1
 * (trace prints that rule's id; untracked flows ask whether it is a
 * 0.0.0.0/0 rule).
 *
 * A rule admits a packet when its prefix contains the remote address and its
 * protocol is -1, or the packet's and then, for TCP and UDP, the port is in
 * its range, for ICMP and ICMPv6, type and code are equal or -1 (any).
 *
 * Layout.  Rules are grouped by prefix: each distinct prefix is a 'node'.
 * The prefixes holding an address are nested, one per length at most, so a
 * lookup finds the longest by LPM over the nodes' prefixes (net/lpm.h, ~15
 * ns) and walks the chain of enclosing nodes by 'parent'.  In a node, the
 * rules are split by protocol into 'tables', sorted by protocol:
 *
 *   -1          no table: 'any' is the node's first rule of protocol -1
 *   TCP, UDP    the port ranges cut at every range boundary into elementary
 *               intervals, each with the first rule covering it ('bounds'
 *               and 'firsts'): one binary search
 *   ICMP(v6)    the distinct (type, code) pairs, each with its first rule
 *               ('pairs', 'pair_firsts'): (t, c), (t, -1), (-1, c) and
 *               (-1, -1), four binary searches in what is usually a handful
 *   others      'first': the table's first rule is the answer
 *
 * The answer is the lowest rule any node on the chain gives.  0.0.0.0/0 is
 * not in the LPM: it is the 'root', searched first, and the compiler puts
 * its rules first, so when one of them admits the packet nothing else can
 * win ('floor': the lowest rule outside the root) and the lookup stops there.
 * Down the chain, a node's 'floor' (the lowest rule in it and the nodes
 * enclosing it, the root aside) ends the walk once nothing left can beat the
 * answer so far, and a table is searched only if its first rule could.
 *
 * Cost: the root's search, the LPM, then one search per node on the chain
 * (at most 32, in practice the few lengths the rules use: /32 peers, a VPC
 * block, a corporate /8), each a binary search over that node's rules of one
 * protocol.  The rule count enters only as the log of a table's length.
 *
 * Memory is linear in the rules: per rule at most one node (20 bytes), one
 * table (20), two elementary intervals (16) or one ICMP pair (12), and one
 * LPM route (a few leaf slots, up to six 24-byte trie nodes for a lone /32).
 * In practice much less, as rules share prefixes and tables: bench/pipeline
 * prints sg_index_size(), 724 bytes for its 50 rules, 4.3 KB for 500, 71 KB
 * for 5,000 (4,500 of them /32 peers), beside the 28 bytes a rule takes in
 * the snapshot anyway (snap_sg_rule and its id).
 *
 * Rejected: the bit-vector scheme (Lakshman and Stiliadis, SIGCOMM 1998):
 * per dimension, each elementary interval or prefix keeps a bitmap of the
 * rules matching it and the answer is the lowest bit of their AND.  It is as
 * fast, but each of the ~2n port intervals holds an n-bit map: n^2/4 bytes,
 * 64 KB for 500 rules and 6 MB for 5,000, per interface and direction, in
 * every snapshot.  Grouping by prefix gives the same answer from O(n).
 *
 * Interfaces whose rules are equal share one index (struct sg_index_set).
 *
 * Threads: sg_index_create/_destroy on the control thread (the compiler);
 * an index is immutable, so any thread may call sg_index_lookup() on it
 * without locks until the snapshot holding it is retired. */
#ifndef VPCD_PIPELINE_SG_INDEX_H
#define VPCD_PIPELINE_SG_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "net/lpm.h"

struct arena;
struct snap_sg_rule;

enum {
    SG_INDEX_NONE = UINT32_MAX,     /* no node */
    SG_INDEX_MISS = INT32_MAX,      /* no rule; above every rule index */
    /* The compiler indexes a direction from this many rules on and scans
     * fewer: in a hot loop the scan costs 0.6 ns a rule passed, the index
     * 10-15 ns whatever the count, and whole new flows through
     * bench/pipeline break even between 16 and 24 rules. */
    SG_INDEX_MIN_RULES = 24,
    SG_INDEX_MAX_RULES = LPM4_MAX_ROUTES,   /* above, no index: the caller scans */
};

enum sg_index_kind {
    SG_INDEX_PLAIN,                 /* protocol only: 'first' answers */
    SG_INDEX_PORTS,                 /* TCP, UDP: elementary port intervals */
    SG_INDEX_ICMP,                  /* ICMP, ICMPv6: (type, code) pairs */
};

/* The rules of one node for one protocol (not -1). */
struct sg_index_table {
    int32_t proto;
    uint32_t kind;                  /* enum sg_index_kind */
    uint32_t start, len;            /* into 'bounds' (PORTS) or 'pairs' (ICMP) */
    int32_t first;                  /* the table's lowest rule; SG_INDEX_MISS: none can match */
};

/* One distinct prefix of the rules. */
struct sg_index_node {
    uint32_t parent;                /* the longest enclosing node but the root, or SG_INDEX_NONE */
    int32_t any;                    /* the first rule of protocol -1 here, or SG_INDEX_MISS */
    int32_t floor;                  /* lowest rule here and in enclosing nodes but the root */
    uint32_t tables, n_tables;      /* into 'tables', ascending protocol */
};

/* What the inline lookup reads; built by sg_index_create(), treat as opaque. */
struct sg_index {
    struct lpm4 *lpm;               /* prefix (but 0.0.0.0/0) -> node; NULL if no such prefix */
    const struct sg_index_node *nodes;
    const struct sg_index_table *tables;
    const int32_t *bounds;          /* PORTS: each elementary interval's first port, ascending */
    const int32_t *firsts;          /* parallel to 'bounds': the first rule covering it, or MISS */
    const int64_t *pairs;           /* ICMP: type << 32 | (uint32_t) code, ascending */
    const int32_t *pair_firsts;     /* parallel to 'pairs': the pair's first rule */
    uint32_t root;                  /* the node of 0.0.0.0/0, or SG_INDEX_NONE */
    int32_t floor;                  /* the lowest rule outside the root, or SG_INDEX_MISS */
    size_t size;                    /* bytes, LPM included (sg_index_size) */
};

/* ---- Control thread only. ---- */

/* Compiles 'rules' ('n_rules' of them, in their evaluation order) into an
 * index whose arrays live in 'arena' and whose LPM table is allocated apart:
 * sg_index_destroy() frees that, the arena the rest.  Returns NULL if the
 * rules cannot be indexed (a mask that is not a prefix, more than
 * SG_INDEX_MAX_RULES rules): the caller keeps scanning them. */
struct sg_index *sg_index_create(struct arena *, const struct snap_sg_rule *rules,
                                 size_t n_rules);

/* Frees what 'arena' does not hold.  Accepts NULL. */
void sg_index_destroy(struct sg_index *);

/* Bytes the index occupies: its arrays in the arena and its LPM table.  0
 * for NULL. */
size_t sg_index_size(const struct sg_index *);

/* The indexes of one snapshot.  Interfaces in the same groups compile to the
 * same rules (group references expand to the same members for all), so they
 * share one index: memory and compile time grow with the distinct rule
 * lists, not the interfaces. */
struct sg_index_set;

/* Returns a new, empty set; free it with sg_index_set_destroy(). */
struct sg_index_set *sg_index_set_create(void);

/* Destroys the set and every index it made (their LPM tables; their arena
 * holds the rest).  Accepts NULL. */
void sg_index_set_destroy(struct sg_index_set *);

/* The index of 'rules' ('n_rules'), which must stay unchanged while the set
 * lives: the one made earlier for equal rules, or a new one as
 * sg_index_create() makes (NULL if that refuses).  The set owns it. */
const struct sg_index *sg_index_set_get(struct sg_index_set *, struct arena *,
                                        const struct snap_sg_rule *rules, size_t n_rules);

/* Distinct indexes in the set, and the bytes they occupy together. */
size_t sg_index_set_count(const struct sg_index_set *);
size_t sg_index_set_size(const struct sg_index_set *);

/* ---- Any thread, lock-free: the data path. ---- */

/* The rule covering 'port' in PORTS table 't', or SG_INDEX_MISS. */
static inline int32_t
sg_index_ports(const struct sg_index *ix, const struct sg_index_table *t, int port)
{
    const int32_t *base = &ix->bounds[t->start];
    uint32_t n = t->len;

    if (port < base[0]) {
        return SG_INDEX_MISS;
    }
    /* The last bound <= port; base[0] <= port holds throughout. */
    while (n > 1) {
        uint32_t half = n / 2;
        base = base[half] <= port ? base + half : base;
        n -= half;
    }
    return ix->firsts[base - ix->bounds];
}

/* The first rule of pair 'key' in ICMP table 't', or SG_INDEX_MISS. */
static inline int32_t
sg_index_pair(const struct sg_index *ix, const struct sg_index_table *t, int64_t key)
{
    uint32_t lo = t->start, hi = t->start + t->len;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->pairs[mid] < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < t->start + t->len && ix->pairs[lo] == key ? ix->pair_firsts[lo] : SG_INDEX_MISS;
}

static inline int64_t
sg_index_pair_key(int type, int code)
{
    return (int64_t) ((uint64_t) (int64_t) type << 32 | (uint32_t) code);
}

/* The lower of 'best' and the first rule of node 'node' admitting the packet. */
static inline int32_t
sg_index_node_first(const struct sg_index *ix, const struct sg_index_node *node, int32_t best,
                    int proto, int port_or_type, int icmp_code)
{
    best = node->any < best ? node->any : best;

    const struct sg_index_table *t = &ix->tables[node->tables];
    uint32_t n = node->n_tables;
    while (n > 0) {                 /* the table of 'proto', by binary search */
        uint32_t half = n / 2;
        if (t[half].proto < proto) {
            t += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    if (t == &ix->tables[node->tables + node->n_tables] || t->proto != proto
        || t->first >= best) {
        return best;
    }

    int32_t r;
    switch (t->kind) {
    case SG_INDEX_PLAIN:
        r = t->first;
        break;
    case SG_INDEX_PORTS:
        r = sg_index_ports(ix, t, port_or_type);
        break;
    default: {
        int32_t a = sg_index_pair(ix, t, sg_index_pair_key(port_or_type, icmp_code));
        int32_t b = sg_index_pair(ix, t, sg_index_pair_key(port_or_type, -1));
        int32_t c = sg_index_pair(ix, t, sg_index_pair_key(-1, icmp_code));
        int32_t d = sg_index_pair(ix, t, sg_index_pair_key(-1, -1));
        r = a < b ? a : b;
        r = r < c ? r : c;
        r = r < d ? r : d;
        break;
    }
    }
    return r < best ? r : best;
}

/* As snapshot_sg_evaluate_linear() on the rules 'ix' was compiled from: the
 * index of the first rule admitting a packet of IP protocol 'proto' with
 * 'port_or_type' (TCP/UDP destination port, ICMP type) and 'icmp_code'
 * from/to 'remote_addr' (host order), or -1. */
static inline int
sg_index_lookup(const struct sg_index *ix, uint32_t remote_addr, int proto, int port_or_type,
                int icmp_code)
{
    int32_t best = SG_INDEX_MISS;
    uint32_t n;

    if (ix->root != SG_INDEX_NONE) {
        best = sg_index_node_first(ix, &ix->nodes[ix->root], best, proto, port_or_type,
                                   icmp_code);
    }
    if (best > ix->floor && ix->lpm && !lpm4_lookup(ix->lpm, remote_addr, &n)) {
        for (; n != SG_INDEX_NONE && ix->nodes[n].floor < best; n = ix->nodes[n].parent) {
            best = sg_index_node_first(ix, &ix->nodes[n], best, proto, port_or_type, icmp_code);
        }
    }
    return best == SG_INDEX_MISS ? -1 : best;
}

#endif
