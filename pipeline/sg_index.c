/* Building the security group index of sg_index.h (control thread only).
 *
 * The rules are sorted once by (prefix, protocol, rule index): runs of one
 * prefix are the nodes, runs of one protocol inside them the tables, and a
 * table's rules come out in rule order, which is what "first rule" needs.
 * The arrays grow in scratch buffers and are copied into the arena at the
 * end, so the index holds exactly what it uses. */
#include "pipeline/sg_index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/security_group.h"
#include "pipeline/snapshot.h"

/* One rule that can match, in sort form. */
struct item {
    uint32_t addr;                  /* host bits zero */
    uint8_t len;
    int32_t proto;
    int32_t from, to;
    int32_t index;                  /* in the caller's order */
};

/* A growable array of 'size'-byte elements. */
struct vec {
    void *data;
    size_t n, cap, size;
};

static void *
vec_push(struct vec *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 16;
        v->data = xrealloc(v->data, v->cap * v->size);
    }
    return (char *) v->data + v->n++ * v->size;
}

static void *
vec_to_arena(struct arena *arena, const struct vec *v)
{
    void *p = arena_alloc(arena, v->n * v->size + 1);
    if (v->n) {
        memcpy(p, v->data, v->n * v->size);
    }
    return p;
}

/* The builder's state: the output arrays while they grow, and scratch. */
struct builder {
    struct vec nodes, tables, bounds, firsts, pairs, pair_firsts;
    int32_t *cuts;                  /* scratch: a table's range boundaries */
    int32_t *cover;                 /* scratch: per elementary interval, its first rule */
    uint32_t *next;                 /* scratch: next interval not yet covered (union-find) */
    int64_t *keys;                  /* scratch: ICMP pair keys with their rules */
};

static int
cmp_item(const void *a_, const void *b_)
{
    const struct item *a = a_, *b = b_;
    if (a->addr != b->addr) {
        return a->addr < b->addr ? -1 : 1;
    }
    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    if (a->proto != b->proto) {
        return a->proto < b->proto ? -1 : 1;
    }
    return (a->index > b->index) - (a->index < b->index);
}

static int
cmp_i32(const void *a_, const void *b_)
{
    int32_t a = *(const int32_t *) a_, b = *(const int32_t *) b_;
    return (a > b) - (a < b);
}

/* (ICMP pair key, rule) couples: by key, then rule. */
static int
cmp_pair(const void *a_, const void *b_)
{
    const int64_t *a = a_, *b = b_;
    if (a[0] != b[0]) {
        return a[0] < b[0] ? -1 : 1;
    }
    return (a[1] > b[1]) - (a[1] < b[1]);
}

/* The position of 'x' in the sorted 'cuts' (it is there). */
static uint32_t
find_cut(const int32_t *cuts, uint32_t n, int32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cuts[mid] < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    ASSERT(lo < n && cuts[lo] == x);
    return lo;
}

/* The first interval at or after 'i' no rule has covered yet. */
static uint32_t
uncovered(uint32_t *next, uint32_t i)
{
    uint32_t root = i;
    while (next[root] != root) {
        root = next[root];
    }
    while (next[i] != root) {       /* path compression */
        uint32_t up = next[i];
        next[i] = root;
        i = up;
    }
    return root;
}

/* A TCP or UDP table from 'items' (one protocol, rule order): every range
 * cut into elementary intervals, each given the first rule covering it (in
 * rule order, each interval is claimed once), equal neighbours merged. */
static void
build_ports(struct builder *b, struct sg_index_table *t, const struct item *items, size_t n)
{
    uint32_t n_cuts = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].from > items[i].to) {
            continue;               /* an empty range admits nothing */
        }
        b->cuts[n_cuts++] = items[i].from;
        if (items[i].to < INT32_MAX) {
            b->cuts[n_cuts++] = items[i].to + 1;
        }
    }
    t->start = (uint32_t) b->bounds.n;
    t->first = SG_INDEX_MISS;
    if (!n_cuts) {
        return;
    }
    qsort(b->cuts, n_cuts, sizeof *b->cuts, cmp_i32);
    uint32_t m = 1;
    for (uint32_t i = 1; i < n_cuts; i++) {
        if (b->cuts[i] != b->cuts[m - 1]) {
            b->cuts[m++] = b->cuts[i];
        }
    }
    /* Interval j is [cuts[j], cuts[j + 1]), the last one up to INT32_MAX. */
    for (uint32_t j = 0; j <= m; j++) {
        b->cover[j] = SG_INDEX_MISS;
        b->next[j] = j;
    }
    for (size_t i = 0; i < n; i++) {
        const struct item *it = &items[i];
        if (it->from > it->to) {
            continue;
        }
        if (t->first == SG_INDEX_MISS) {
            t->first = it->index;
        }
        uint32_t lo = find_cut(b->cuts, m, it->from);
        uint32_t hi = it->to < INT32_MAX ? find_cut(b->cuts, m, it->to + 1) : m;
        for (uint32_t j = uncovered(b->next, lo); j < hi; j = uncovered(b->next, j)) {
            b->cover[j] = it->index;
            b->next[j] = j + 1;
        }
    }
    for (uint32_t j = 0; j < m; j++) {
        if (j > 0 && b->cover[j] == b->cover[j - 1]) {
            continue;
        }
        *(int32_t *) vec_push(&b->bounds) = b->cuts[j];
        *(int32_t *) vec_push(&b->firsts) = b->cover[j];
    }
    t->len = (uint32_t) b->bounds.n - t->start;
}

/* An ICMP table: the distinct (type, code) pairs, each with its first rule. */
static void
build_icmp(struct builder *b, struct sg_index_table *t, const struct item *items, size_t n)
{
    int64_t (*kv)[2] = (int64_t (*)[2]) b->keys;
    for (size_t i = 0; i < n; i++) {
        kv[i][0] = sg_index_pair_key(items[i].from, items[i].to);
        kv[i][1] = items[i].index;
    }
    qsort(kv, n, sizeof *kv, cmp_pair);
    t->start = (uint32_t) b->pairs.n;
    t->first = SG_INDEX_MISS;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && kv[i][0] == kv[i - 1][0]) {
            continue;               /* a later rule with the same pair */
        }
        *(int64_t *) vec_push(&b->pairs) = kv[i][0];
        *(int32_t *) vec_push(&b->pair_firsts) = (int32_t) kv[i][1];
        t->first = MIN(t->first, (int32_t) kv[i][1]);
    }
    t->len = (uint32_t) b->pairs.n - t->start;
}

/* Node 'node' from 'items' (one prefix, sorted by protocol then rule):
 * 'any' and one table per other protocol.  Returns the node's lowest rule. */
static int32_t
build_node(struct builder *b, struct sg_index_node *node, const struct item *items, size_t n)
{
    int32_t low = SG_INDEX_MISS;
    node->any = SG_INDEX_MISS;
    node->tables = (uint32_t) b->tables.n;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && items[j].proto == items[i].proto) {
            j++;
        }
        int32_t proto = items[i].proto;
        if (proto == SG_PROTO_ALL) {
            node->any = items[i].index;
            low = MIN(low, node->any);
        } else {
            struct sg_index_table *t = vec_push(&b->tables);
            *t = (struct sg_index_table) { .proto = proto };
            if (proto == SG_PROTO_TCP || proto == SG_PROTO_UDP) {
                t->kind = SG_INDEX_PORTS;
                build_ports(b, t, &items[i], j - i);
            } else if (proto == SG_PROTO_ICMP || proto == SG_PROTO_ICMPV6) {
                t->kind = SG_INDEX_ICMP;
                build_icmp(b, t, &items[i], j - i);
            } else {
                t->kind = SG_INDEX_PLAIN;
                t->first = items[i].index;
            }
            low = MIN(low, t->first);
        }
        i = j;
    }
    node->n_tables = (uint32_t) b->tables.n - node->tables;
    return low;
}

static void
builder_uninit(struct builder *b)
{
    free(b->nodes.data);
    free(b->tables.data);
    free(b->bounds.data);
    free(b->firsts.data);
    free(b->pairs.data);
    free(b->pair_firsts.data);
    free(b->cuts);
    free(b->cover);
    free(b->next);
    free(b->keys);
}

struct sg_index *
sg_index_create(struct arena *arena, const struct snap_sg_rule *rules, size_t n_rules)
{
    if (n_rules > SG_INDEX_MAX_RULES) {
        return NULL;
    }
    struct item *items = xmalloc((n_rules + 1) * sizeof *items);
    size_t n = 0;
    for (size_t i = 0; i < n_rules; i++) {
        const struct snap_sg_rule *r = &rules[i];
        uint8_t len = (uint8_t) __builtin_popcount(r->mask);
        if (r->mask != ip4_mask(len)) {
            free(items);
            return NULL;
        }
        if (r->addr & ~r->mask) {
            continue;               /* (remote & mask) == addr never holds */
        }
        items[n++] = (struct item) { r->addr, len, r->proto, r->from, r->to, (int32_t) i };
    }
    qsort(items, n, sizeof *items, cmp_item);

    struct builder b = {
        .nodes.size = sizeof(struct sg_index_node),
        .tables.size = sizeof(struct sg_index_table),
        .bounds.size = sizeof(int32_t),
        .firsts.size = sizeof(int32_t),
        .pairs.size = sizeof(int64_t),
        .pair_firsts.size = sizeof(int32_t),
        .cuts = xmalloc((2 * n + 1) * sizeof *b.cuts),
        .cover = xmalloc((2 * n + 2) * sizeof *b.cover),
        .next = xmalloc((2 * n + 2) * sizeof *b.next),
        .keys = xmalloc((2 * n + 1) * sizeof *b.keys),
    };
    struct lpm4_route *routes = xmalloc((n + 1) * sizeof *routes);
    size_t n_routes = 0;
    uint32_t *stack = xmalloc((n + 1) * sizeof *stack);     /* enclosing nodes, outermost first */
    size_t depth = 0;
    uint32_t root = SG_INDEX_NONE;
    int32_t floor = SG_INDEX_MISS;

    /* Sorted by (address, length), a prefix comes after every prefix
     * enclosing it, and those are the ones still on the stack. */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && items[j].addr == items[i].addr && items[j].len == items[i].len) {
            j++;
        }
        uint32_t k = (uint32_t) b.nodes.n;
        struct sg_index_node node = { .parent = SG_INDEX_NONE };
        int32_t low = build_node(&b, &node, &items[i], j - i);
        struct ip4_prefix p = { items[i].addr, items[i].len };
        if (p.len == 0) {
            root = k;
            node.floor = low;       /* unused: the root is searched apart */
        } else {
            while (depth && !ip4_prefix_has(&routes[stack[depth - 1]].prefix, p.addr)) {
                depth--;
            }
            const struct sg_index_node *nodes = b.nodes.data;
            if (depth) {
                node.parent = routes[stack[depth - 1]].value;
                node.floor = MIN(low, nodes[node.parent].floor);
            } else {
                node.floor = low;
            }
            floor = MIN(floor, low);
            stack[depth++] = (uint32_t) n_routes;
            routes[n_routes++] = (struct lpm4_route) { p, k };
        }
        *(struct sg_index_node *) vec_push(&b.nodes) = node;
        i = j;
    }
    free(items);
    free(stack);

    struct sg_index *ix = arena_zalloc(arena, sizeof *ix);
    ix->root = root;
    ix->floor = floor;
    if (n_routes) {
        int error = lpm4_create(routes, n_routes, &ix->lpm);
        ASSERT(!error);             /* distinct canonical prefixes, fewer than LPM4_MAX_ROUTES */
    }
    free(routes);
    ix->nodes = vec_to_arena(arena, &b.nodes);
    ix->tables = vec_to_arena(arena, &b.tables);
    ix->bounds = vec_to_arena(arena, &b.bounds);
    ix->firsts = vec_to_arena(arena, &b.firsts);
    ix->pairs = vec_to_arena(arena, &b.pairs);
    ix->pair_firsts = vec_to_arena(arena, &b.pair_firsts);
    ix->size = sizeof *ix + (ix->lpm ? lpm4_size(ix->lpm) : 0);
    const struct vec *arrays[] = { &b.nodes, &b.tables, &b.bounds, &b.firsts, &b.pairs,
                                   &b.pair_firsts };
    for (size_t i = 0; i < ARRAY_SIZE(arrays); i++) {
        ix->size += arrays[i]->n * arrays[i]->size;
    }
    builder_uninit(&b);
    return ix;
}

void
sg_index_destroy(struct sg_index *ix)
{
    if (ix) {
        lpm4_destroy(ix->lpm);
    }
}

size_t
sg_index_size(const struct sg_index *ix)
{
    return ix ? ix->size : 0;
}

/* ---- Sharing. ---- */

/* One distinct rule list and its index (NULL if it could not be indexed). */
struct set_entry {
    struct set_entry *next;         /* in the bucket */
    uint64_t hash;
    const struct snap_sg_rule *rules;
    size_t n_rules;
    struct sg_index *ix;
};

struct sg_index_set {
    struct set_entry **buckets;
    size_t mask;                    /* n_buckets - 1 */
    size_t n_entries;
    size_t count;                   /* entries with an index */
    size_t size;                    /* bytes of the indexes */
};

static uint64_t
hash_rules(const struct snap_sg_rule *rules, size_t n)
{
    uint64_t h = n;
    for (size_t i = 0; i < n; i++) {
        const struct snap_sg_rule *r = &rules[i];
        h = snap_hash64(h ^ ((uint64_t) r->addr << 32 | r->mask));
        h = snap_hash64(h ^ ((uint64_t) (uint16_t) r->proto << 48
                             ^ (uint64_t) (uint32_t) r->from << 16 ^ (uint32_t) r->to));
    }
    return h;
}

static bool
same_rules(const struct snap_sg_rule *a, const struct snap_sg_rule *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].addr != b[i].addr || a[i].mask != b[i].mask || a[i].proto != b[i].proto
            || a[i].from != b[i].from || a[i].to != b[i].to) {
            return false;
        }
    }
    return true;
}

struct sg_index_set *
sg_index_set_create(void)
{
    struct sg_index_set *set = xzalloc(sizeof *set);
    set->mask = 15;
    set->buckets = xzalloc((set->mask + 1) * sizeof *set->buckets);
    return set;
}

void
sg_index_set_destroy(struct sg_index_set *set)
{
    if (!set) {
        return;
    }
    for (size_t b = 0; b <= set->mask; b++) {
        for (struct set_entry *e = set->buckets[b], *next; e; e = next) {
            next = e->next;
            sg_index_destroy(e->ix);
            free(e);
        }
    }
    free(set->buckets);
    free(set);
}

static void
grow(struct sg_index_set *set)
{
    size_t mask = 2 * set->mask + 1;
    struct set_entry **buckets = xzalloc((mask + 1) * sizeof *buckets);
    for (size_t b = 0; b <= set->mask; b++) {
        for (struct set_entry *e = set->buckets[b], *next; e; e = next) {
            next = e->next;
            e->next = buckets[e->hash & mask];
            buckets[e->hash & mask] = e;
        }
    }
    free(set->buckets);
    set->buckets = buckets;
    set->mask = mask;
}

const struct sg_index *
sg_index_set_get(struct sg_index_set *set, struct arena *arena, const struct snap_sg_rule *rules,
                 size_t n_rules)
{
    uint64_t hash = hash_rules(rules, n_rules);
    for (struct set_entry *e = set->buckets[hash & set->mask]; e; e = e->next) {
        if (e->hash == hash && e->n_rules == n_rules && same_rules(e->rules, rules, n_rules)) {
            return e->ix;
        }
    }
    if (set->n_entries > set->mask) {
        grow(set);
    }
    struct set_entry *e = xmalloc(sizeof *e);
    *e = (struct set_entry) { set->buckets[hash & set->mask], hash, rules, n_rules,
                              sg_index_create(arena, rules, n_rules) };
    set->buckets[hash & set->mask] = e;
    set->n_entries++;
    set->count += e->ix != NULL;
    set->size += sg_index_size(e->ix);
    return e->ix;
}

size_t
sg_index_set_count(const struct sg_index_set *set)
{
    return set->count;
}

size_t
sg_index_set_size(const struct sg_index_set *set)
{
    return set->size;
}
