/* api.h's api_describe: candidates, filters, order, pages. */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/vpc.h"

struct collector {
    struct resource **items;
    size_t n, cap;
    struct arena *arena;
};

static void
collect(struct collector *c, struct resource *r)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct resource **items = arena_alloc(c->arena, cap * sizeof *items);
        if (c->n) {
            memcpy(items, c->items, c->n * sizeof *items);
        }
        c->items = items;
        c->cap = cap;
    }
    c->items[c->n++] = r;
}

static int
by_seq(const void *a_, const void *b_)
{
    const struct resource *a = *(struct resource *const *) a_;
    const struct resource *b = *(struct resource *const *) b_;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Decodes 'Filters' into 'filters'; sets '*vpc_filter' to the vpc-id filter
 * when it has no wildcards (so the candidates can come from those VPCs). */
static int
decode_filters(struct api_request *req, const struct filter_def *defs, size_t n_defs,
               struct filter **filters_out, size_t *n_out, const struct filter **vpc_filter)
{
    struct api_filter_spec *specs;
    size_t n;

    *vpc_filter = NULL;
    if (api_decode_filter_specs(req, &specs, &n)) {
        return -1;
    }
    struct filter *filters = arena_zalloc(req->arena, (n + 1) * sizeof *filters);
    for (size_t i = 0; i < n; i++) {
        if (filter_init(&filters[i], defs, n_defs, specs[i].name, specs[i].patterns,
                        specs[i].n_patterns, req->err)) {
            return -1;
        }
        if (!strcmp(specs[i].name, "vpc-id") && !specs[i].has_wildcard && !*vpc_filter) {
            *vpc_filter = &filters[i];
        }
    }
    *filters_out = filters;
    *n_out = n;
    return 0;
}

int
api_describe(struct api_request *req, enum res_kind kind, const char *ids_member,
             const struct filter_def *defs, size_t n_defs, struct resource ***out,
             size_t *n_out, const char **next_token)
{
    struct collector c = { .arena = req->arena };
    struct filter *filters = NULL;
    size_t n_filters;
    const struct filter *vpc_filter;

    *next_token = NULL;
    if (decode_filters(req, defs, n_defs, &filters, &n_filters, &vpc_filter)) {
        return -1;
    }

    const struct dval *ids = ids_member ? dval_get(req->in, ids_member) : NULL;
    if (dval_list_len(ids)) {
        for (size_t i = 0; i < dval_list_len(ids); i++) {
            const char *id = dval_list_at(ids, i)->u.str;
            struct resource *r = model_get(req->model, req->scope, kind, id, req->err);
            if (!r) {
                return -1;
            }
            collect(&c, r);
        }
    } else if (vpc_filter && res_kind_info(kind)->in_vpc) {
        for (size_t i = 0; i < vpc_filter->n_patterns; i++) {
            struct resource *v = model_find_in(req->model, req->scope, RES_VPC,
                                               vpc_filter->patterns[i]);
            if (v) {
                struct resource *r;
                LIST_FOR_EACH (r, vpc_node, &vpc_cast(v)->children[kind]) {
                    collect(&c, r);
                }
            }
        }
    } else {
        struct resource *r;
        LIST_FOR_EACH (r, scope_node, &req->scope->resources[kind]) {
            collect(&c, r);
        }
    }

    /* Filter in place. */
    size_t kept = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (filter_match_all(req->model, filters, n_filters, c.items[i], req->arena)) {
            c.items[kept++] = c.items[i];
        }
    }
    c.n = kept;
    if ((ids || vpc_filter) && c.n > 1) {      /* c.items is NULL when nothing matched */
        qsort(c.items, c.n, sizeof *c.items, by_seq);
    }

    /* Pages: the token is the creation sequence of the first item not yet
     * returned. */
    size_t start = 0;
    const char *token = shape_find_member(req->in->shape, "NextToken")
                            ? dval_str(req->in, "NextToken") : NULL;
    if (token && token[0]) {
        char *end;
        unsigned long long seq = strtoull(token, &end, 10);
        if (*end || !seq || token[0] == '-' || token[0] == '+' || token[0] == ' ') {
            return err_set(req->err, ERR_INVALID_NEXT_TOKEN,
                           "The token '%s' is invalid.", token);
        }
        while (start < c.n && c.items[start]->seq < seq) {
            start++;
        }
    }
    int64_t max_results = 0;
    if (shape_find_member(req->in->shape, "MaxResults")
        && dval_int(req->in, "MaxResults", &max_results)) {
        if (max_results < 5 || max_results > 1000) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value ( %" PRId64 " ) for parameter maxResults is invalid. "
                           "Parameter must be between 5 and 1000.", max_results);
        }
        if ((int64_t) (c.n - start) > max_results) {
            *next_token = arena_printf(req->arena, "%" PRIu64,
                                       c.items[start + (size_t) max_results]->seq);
            c.n = start + (size_t) max_results;
        }
    }
    *out = c.items + start;
    *n_out = c.n - start;
    return 0;
}
