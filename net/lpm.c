/* Building the Poptrie LPM tables of lpm.h (control thread only).
 *
 * One builder serves IPv4 and IPv6: routes become big-endian key bytes, go
 * into a plain binary trie (one node per prefix bit, detecting duplicates),
 * and the trie is walked 6 bits at a time to emit Poptrie nodes depth first,
 * each node's children reserved as one contiguous block before any of them is
 * filled.  The result is copied into one allocation: header, nodes, leaves,
 * values, so the table is freed as one. */
#include "net/lpm.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* What the control plane keeps beside the lookup view. */
struct lpm_info {
    size_t size;                    /* bytes of the whole block */
    size_t n_routes;
    size_t n_nodes;
    size_t n_leaves;
    size_t n_values;
};

struct lpm4_private {
    struct lpm4 pub;                /* first: what the inline lookup reads */
    struct lpm_info info;
};

struct lpm6_private {
    struct lpm6 pub;
    struct lpm_info info;
};

/* A route in key form: big-endian bytes, 'len' bits significant. */
struct key_route {
    uint8_t key[16];
    uint8_t len;
    uint32_t value;
};

/* Binary trie node; index 0 is "none", the root is 1. */
struct bnode {
    uint32_t child[2];
    uint32_t leaf;                  /* 0: no prefix ends here; else 1 + value index */
};

/* One slot of a node under construction. */
struct slot {
    uint32_t bnode;                 /* internal: the binary trie node below the slot */
    uint32_t best;                  /* leaf of the longest prefix covering the slot */
    bool internal;
};

struct builder {
    struct bnode *bnodes;
    size_t n_bnodes, alloc_bnodes;
    struct lpm_node *nodes;
    size_t n_nodes, alloc_nodes;
    uint32_t *leaves;
    size_t n_leaves, alloc_leaves;
    unsigned n_levels;
};

static void *
grow(void *p, size_t *alloc, size_t need, size_t elem_size)
{
    if (need <= *alloc) {
        return p;
    }
    size_t n = *alloc ? *alloc : 64;
    while (n < need) {
        n *= 2;
    }
    *alloc = n;
    return xrealloc(p, n * elem_size);
}

static uint32_t
new_bnode(struct builder *b)
{
    b->bnodes = grow(b->bnodes, &b->alloc_bnodes, b->n_bnodes + 1, sizeof *b->bnodes);
    b->bnodes[b->n_bnodes] = (struct bnode) { { 0, 0 }, 0 };
    return (uint32_t) b->n_bnodes++;
}

static int
insert(struct builder *b, const struct key_route *r, uint32_t leaf)
{
    uint32_t n = 1;
    for (unsigned i = 0; i < r->len; i++) {
        unsigned bit = r->key[i / 8] >> (7 - i % 8) & 1;
        if (!b->bnodes[n].child[bit]) {
            uint32_t c = new_bnode(b);      /* may move bnodes: index again below */
            b->bnodes[n].child[bit] = c;
        }
        n = b->bnodes[n].child[bit];
    }
    if (b->bnodes[n].leaf) {
        return -EEXIST;
    }
    b->bnodes[n].leaf = leaf;
    return 0;
}

/* Fills slots['lo' .. 'lo' + 2^'bits_left') below binary node 'bn' (0: none),
 * 'best' being the leaf of the longest prefix seen above. */
static void
expand(const struct builder *b, uint32_t bn, unsigned bits_left, unsigned lo, uint32_t best,
       struct slot *slots)
{
    if (!bn) {
        for (unsigned k = 0; k < 1u << bits_left; k++) {
            slots[lo + k] = (struct slot) { 0, best, false };
        }
        return;
    }
    const struct bnode *n = &b->bnodes[bn];
    if (n->leaf) {
        best = n->leaf;
    }
    if (bits_left == 0) {
        slots[lo] = (struct slot) { bn, best, n->child[0] || n->child[1] };
        return;
    }
    expand(b, n->child[0], bits_left - 1, lo, best, slots);
    expand(b, n->child[1], bits_left - 1, lo + (1u << (bits_left - 1)), best, slots);
}

/* Fills Poptrie node 'idx' (already reserved) at 'level' from binary node 'bn'. */
static void
emit(struct builder *b, size_t idx, unsigned level, uint32_t bn, uint32_t best)
{
    struct slot slots[1 << LPM_STRIDE];
    uint64_t vector = 0, leafvec = 0;
    size_t base0 = b->n_leaves;
    size_t n_children = 0;
    uint32_t prev = 0;
    bool any_leaf = false;

    ASSERT(level < b->n_levels);
    expand(b, bn, LPM_STRIDE, 0, best, slots);
    for (unsigned i = 0; i < 1u << LPM_STRIDE; i++) {
        if (slots[i].internal) {
            vector |= UINT64_C(1) << i;
            n_children++;
        } else if (!any_leaf || slots[i].best != prev) {
            leafvec |= UINT64_C(1) << i;
            b->leaves = grow(b->leaves, &b->alloc_leaves, b->n_leaves + 1, sizeof *b->leaves);
            b->leaves[b->n_leaves++] = slots[i].best;
            prev = slots[i].best;
            any_leaf = true;
        }
    }

    size_t base1 = b->n_nodes;
    b->nodes = grow(b->nodes, &b->alloc_nodes, b->n_nodes + n_children, sizeof *b->nodes);
    b->n_nodes += n_children;
    ASSERT(b->n_nodes <= UINT32_MAX && b->n_leaves <= UINT32_MAX);
    b->nodes[idx] = (struct lpm_node) {
        .vector = vector, .leafvec = leafvec,
        .base0 = (uint32_t) base0, .base1 = (uint32_t) base1,
    };

    size_t k = 0;
    for (unsigned i = 0; i < 1u << LPM_STRIDE; i++) {
        if (slots[i].internal) {
            emit(b, base1 + k++, level + 1, slots[i].bnode, slots[i].best);
        }
    }
}

static int
cmp_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

static size_t
align8(size_t n)
{
    return (n + 7) & ~(size_t) 7;
}

/* The lookup view and bookkeeping of a built table, pointing into 'block'. */
struct built {
    void *block;
    const struct lpm_node *nodes;
    const uint32_t *leaves;
    const uint32_t *values;
    struct lpm_info info;
};

/* Builds a table of 'n' routes over keys of 'n_levels' strides into one block
 * that starts with 'header_size' bytes for the caller.  Returns 0 or -EEXIST. */
static int
build(const struct key_route *routes, size_t n, unsigned n_levels, size_t header_size,
      struct built *out)
{
    struct builder b = { .n_levels = n_levels };
    uint32_t *values = xmalloc((n ? n : 1) * sizeof *values);
    size_t n_values = 0;
    int error = 0;

    /* Distinct values, sorted, so equal targets share one leaf id. */
    for (size_t i = 0; i < n; i++) {
        values[i] = routes[i].value;
    }
    if (n) {
        qsort(values, n, sizeof *values, cmp_u32);
    }
    for (size_t i = 0; i < n; i++) {
        if (!n_values || values[n_values - 1] != values[i]) {
            values[n_values++] = values[i];
        }
    }

    new_bnode(&b);                  /* index 0: "none" */
    new_bnode(&b);                  /* index 1: the root */
    for (size_t i = 0; i < n; i++) {
        const uint32_t *v = bsearch(&routes[i].value, values, n_values, sizeof *values, cmp_u32);
        error = insert(&b, &routes[i], (uint32_t) (v - values) + 1);
        if (error) {
            goto err_free_builder;
        }
    }

    b.nodes = grow(b.nodes, &b.alloc_nodes, 1, sizeof *b.nodes);
    b.n_nodes = 1;
    emit(&b, 0, 0, 1, 0);

    size_t nodes_off = align8(header_size);
    size_t leaves_off = nodes_off + b.n_nodes * sizeof *b.nodes;
    size_t values_off = leaves_off + b.n_leaves * sizeof *b.leaves;
    size_t size = values_off + n_values * sizeof *values;
    char *block = xzalloc(size);
    memcpy(block + nodes_off, b.nodes, b.n_nodes * sizeof *b.nodes);
    memcpy(block + leaves_off, b.leaves, b.n_leaves * sizeof *b.leaves);
    if (n_values) {
        memcpy(block + values_off, values, n_values * sizeof *values);
    }
    *out = (struct built) {
        .block = block,
        .nodes = (const struct lpm_node *) (void *) (block + nodes_off),
        .leaves = (const uint32_t *) (void *) (block + leaves_off),
        .values = (const uint32_t *) (void *) (block + values_off),
        .info = {
            .size = size, .n_routes = n, .n_nodes = b.n_nodes, .n_leaves = b.n_leaves,
            .n_values = n_values,
        },
    };

err_free_builder:
    free(b.bnodes);
    free(b.nodes);
    free(b.leaves);
    free(values);
    return error;
}

int
lpm4_create(const struct lpm4_route *routes, size_t n_routes, struct lpm4 **tablep)
{
    *tablep = NULL;
    if (n_routes > LPM4_MAX_ROUTES) {
        return -E2BIG;
    }
    struct key_route *keys = xmalloc((n_routes ? n_routes : 1) * sizeof *keys);
    for (size_t i = 0; i < n_routes; i++) {
        const struct ip4_prefix *p = &routes[i].prefix;
        if (p->len > 32 || (p->addr & ~ip4_mask(p->len))) {
            free(keys);
            return -EINVAL;
        }
        memset(&keys[i], 0, sizeof keys[i]);
        for (int k = 0; k < 4; k++) {
            keys[i].key[k] = (uint8_t) (p->addr >> (24 - 8 * k));
        }
        keys[i].len = p->len;
        keys[i].value = routes[i].value;
    }

    struct built built;
    int error = build(keys, n_routes, LPM4_LEVELS, sizeof(struct lpm4_private), &built);
    free(keys);
    if (error) {
        return error;
    }
    struct lpm4_private *t = built.block;
    t->pub = (struct lpm4) { built.nodes, built.leaves, built.values };
    t->info = built.info;
    *tablep = &t->pub;
    return 0;
}

void
lpm4_destroy(struct lpm4 *table)
{
    if (table) {
        free(CONTAINER_OF(table, struct lpm4_private, pub));
    }
}

size_t
lpm4_size(const struct lpm4 *table)
{
    return CONTAINER_OF(table, struct lpm4_private, pub)->info.size;
}

size_t
lpm4_n_routes(const struct lpm4 *table)
{
    return CONTAINER_OF(table, struct lpm4_private, pub)->info.n_routes;
}

int
lpm6_create(const struct lpm6_route *routes, size_t n_routes, struct lpm6 **tablep)
{
    *tablep = NULL;
    if (n_routes > LPM6_MAX_ROUTES) {
        return -E2BIG;
    }
    struct key_route *keys = xmalloc((n_routes ? n_routes : 1) * sizeof *keys);
    for (size_t i = 0; i < n_routes; i++) {
        const struct ip6_prefix *p = &routes[i].prefix;
        bool canonical = p->len <= 128;
        for (unsigned bit = p->len; canonical && bit < 128; bit++) {
            canonical = !(p->addr.b[bit / 8] >> (7 - bit % 8) & 1);
        }
        if (!canonical) {
            free(keys);
            return -EINVAL;
        }
        memcpy(keys[i].key, p->addr.b, 16);
        keys[i].len = p->len;
        keys[i].value = routes[i].value;
    }

    struct built built;
    int error = build(keys, n_routes, LPM6_LEVELS, sizeof(struct lpm6_private), &built);
    free(keys);
    if (error) {
        return error;
    }
    struct lpm6_private *t = built.block;
    t->pub = (struct lpm6) { built.nodes, built.leaves, built.values };
    t->info = built.info;
    *tablep = &t->pub;
    return 0;
}

void
lpm6_destroy(struct lpm6 *table)
{
    if (table) {
        free(CONTAINER_OF(table, struct lpm6_private, pub));
    }
}

size_t
lpm6_size(const struct lpm6 *table)
{
    return CONTAINER_OF(table, struct lpm6_private, pub)->info.size;
}

size_t
lpm6_n_routes(const struct lpm6 *table)
{
    return CONTAINER_OF(table, struct lpm6_private, pub)->info.n_routes;
}
