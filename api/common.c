/* api.h: helpers shared by the action handlers. */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"

const char *
api_require_str(struct api_request *req, const struct dval *st, const char *member)
{
    const char *s = dval_str(st, member);
    if (!s || !s[0]) {
        const struct shape_member *sm = shape_find_member(st->shape, member);
        err_set(req->err, ERR_MISSING_PARAMETER, "The request must contain the parameter %s",
                sm ? sm->query_name : member);
        return NULL;
    }
    return s;
}

struct resource *
api_get(struct api_request *req, const struct dval *st, const char *member, enum res_kind kind)
{
    const char *id = api_require_str(req, st, member);
    if (!id) {
        return NULL;
    }
    return model_get(req->model, req->scope, kind, id, req->err);
}

int
api_get_prefix4(struct api_request *req, const struct dval *st, const char *member,
                const char *wire_name, struct ip4_prefix *out)
{
    const char *s = api_require_str(req, st, member);
    if (!s) {
        return -1;
    }
    if (!ip4_prefix_parse(s, out, NULL)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter %s is invalid. This is not a valid CIDR block.",
                       s, wire_name);
    }
    return 0;
}

int
api_get_ip4(struct api_request *req, const struct dval *st, const char *member, uint32_t *out)
{
    const char *s = dval_str(st, member);
    *out = 0;
    if (!s) {
        return 0;
    }
    if (!ip4_parse(s, out)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter %s is invalid. This is not a valid IP address.",
                       s, member);
    }
    return 0;
}

/* TagSpecification.N.ResourceType must name the created type (2.4). */
int
api_check_tag_specs(struct api_request *req, const char *tag_type)
{
    const struct shape_member *sm = shape_find_member(req->in->shape, "TagSpecifications");
    if (!sm) {
        return 0;
    }
    const struct dval *specs = dval_get(req->in, "TagSpecifications");
    for (size_t i = 0; i < dval_list_len(specs); i++) {
        const struct dval *spec = dval_list_at(specs, i);
        const char *type = dval_str(spec, "ResourceType");
        if (!type || strcmp(type, tag_type)) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "'%s' is not a valid taggable resource type for this operation.",
                           type ? type : "");
        }
        const struct dval *tags = dval_get(spec, "Tags");
        size_t n = dval_list_len(tags);
        const char **keys = arena_alloc(req->arena, (n + 1) * sizeof *keys);
        const char **values = arena_alloc(req->arena, (n + 1) * sizeof *values);
        for (size_t j = 0; j < n; j++) {
            keys[j] = dval_str(dval_list_at(tags, j), "Key");
            values[j] = dval_str(dval_list_at(tags, j), "Value");
        }
        if (tags_validate(keys, values, n, 0, req->err)) {
            return -1;
        }
    }
    return 0;
}

void
api_apply_tag_specs(struct api_request *req, struct resource *r, const char *tag_type)
{
    if (!shape_find_member(req->in->shape, "TagSpecifications")) {
        return;
    }
    const struct dval *specs = dval_get(req->in, "TagSpecifications");
    for (size_t i = 0; i < dval_list_len(specs); i++) {
        const struct dval *spec = dval_list_at(specs, i);
        const char *type = dval_str(spec, "ResourceType");
        if (!type || strcmp(type, tag_type)) {
            continue;
        }
        const struct dval *tags = dval_get(spec, "Tags");
        for (size_t j = 0; j < dval_list_len(tags); j++) {
            const char *key = dval_str(dval_list_at(tags, j), "Key");
            const char *value = dval_str(dval_list_at(tags, j), "Value");
            if (key) {
                tags_set(req->model, r, key, value);
            }
        }
    }
}

void
api_format_tags(struct oval *st, const char *member, const struct resource *r)
{
    /* EC2 leaves tagSet out of a resource that has no tags. */
    if (!r->n_tags) {
        return;
    }
    struct oval *list = oval_set_list(st, member);
    for (size_t i = 0; i < r->n_tags; i++) {
        struct oval *tag = oval_list_add_struct(list);
        oval_set_str(tag, "Key", r->tags[i].key);
        oval_set_str(tag, "Value", r->tags[i].value);
    }
}

void
api_set_prefix4(struct oval *st, const char *member, const struct ip4_prefix *p)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(p, text);
    oval_set_str(st, member, text);
}

void
api_set_ip4(struct oval *st, const char *member, uint32_t addr)
{
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    oval_set_str(st, member, text);
}

void
api_set_time(struct oval *st, const char *member, int64_t t)
{
    char text[32];
    model_format_time(t, text);
    oval_set_str(st, member, text);
}

int
api_decode_filter_specs(struct api_request *req, struct api_filter_spec **specs, size_t *n_out)
{
    *specs = NULL;
    *n_out = 0;
    const char *member = shape_find_member(req->in->shape, "Filters") ? "Filters" : "Filter";
    if (!shape_find_member(req->in->shape, member)) {
        return 0;
    }
    const struct dval *list = dval_get(req->in, member);
    size_t n = dval_list_len(list);
    if (n > FILTERS_MAX) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "The request has more than %d filters", FILTERS_MAX);
    }
    struct api_filter_spec *out = arena_zalloc(req->arena, (n + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const struct dval *f = dval_list_at(list, i);
        const char *name = dval_str(f, "Name");
        if (!name) {
            return err_set(req->err, ERR_MISSING_PARAMETER,
                           "The request must contain the parameter Filter.%zu.Name", i + 1);
        }
        const struct dval *values = dval_get(f, "Values");
        size_t n_values = dval_list_len(values);
        const char **patterns = arena_alloc(req->arena, (n_values + 1) * sizeof *patterns);
        for (size_t j = 0; j < n_values; j++) {
            patterns[j] = dval_list_at(values, j)->u.str;
            out[i].has_wildcard = out[i].has_wildcard || filter_has_wildcard(patterns[j]);
        }
        out[i].name = name;
        out[i].patterns = patterns;
        out[i].n_patterns = n_values;
    }
    *specs = out;
    *n_out = n;
    return 0;
}
