/* EC2 actions of the tags family (CreateTags, DeleteTags, DescribeTags):
 * decode, call model/tags.h, format. */
#include "api/api.h"

#include <inttypes.h>
#include <string.h>

#include "lib/arena.h"
#include "model/tags.h"

/* The ResourceId.N list as an array of strings. */
static const char **
get_ids(struct api_request *req, size_t *n)
{
    const struct dval *list = dval_get(req->in, "Resources");
    *n = dval_list_len(list);
    const char **ids = arena_alloc(req->arena, (*n + 1) * sizeof *ids);
    for (size_t i = 0; i < *n; i++) {
        ids[i] = dval_list_at(list, i)->u.str;
    }
    return ids;
}

/* The Tag.N list as parallel arrays of keys and values (NULL where absent). */
static size_t
get_tags(struct api_request *req, const char ***keys, const char ***values)
{
    const struct dval *list = dval_get(req->in, "Tags");
    size_t n = dval_list_len(list);
    *keys = arena_alloc(req->arena, (n + 1) * sizeof **keys);
    *values = arena_alloc(req->arena, (n + 1) * sizeof **values);
    for (size_t i = 0; i < n; i++) {
        (*keys)[i] = dval_str(dval_list_at(list, i), "Key");
        (*values)[i] = dval_str(dval_list_at(list, i), "Value");
    }
    return n;
}

static int
create_tags(struct api_request *req)
{
    const char **keys, **values;
    size_t n_ids;
    const char **ids = get_ids(req, &n_ids);
    size_t n_tags = get_tags(req, &keys, &values);
    return tags_create(req->model, req->scope, ids, n_ids, keys, values, n_tags, req->err);
}

static int
delete_tags(struct api_request *req)
{
    const char **keys, **values;
    size_t n_ids;
    const char **ids = get_ids(req, &n_ids);
    size_t n_tags = get_tags(req, &keys, &values);
    return tags_remove(req->model, req->scope, ids, n_ids, keys, values, n_tags, req->err);
}

static int
decode_filters(struct api_request *req, struct tags_filter **out, size_t *n_out)
{
    struct api_filter_spec *specs;
    size_t n;

    if (api_decode_filter_specs(req, &specs, &n)) {
        return -1;
    }
    struct tags_filter *filters = arena_zalloc(req->arena, (n + 1) * sizeof *filters);
    for (size_t i = 0; i < n; i++) {
        if (tags_filter_init(&filters[i], specs[i].name, specs[i].patterns, specs[i].n_patterns,
                             req->err)) {
            return -1;
        }
    }
    *out = filters;
    *n_out = n;
    return 0;
}

static int
describe_tags(struct api_request *req)
{
    struct tags_filter *filters;
    size_t n_filters;
    int64_t max_results = 0;
    struct tags_item *items;
    size_t n;
    const char *next;

    if (decode_filters(req, &filters, &n_filters)) {
        return -1;
    }
    if (dval_int(req->in, "MaxResults", &max_results)
        && (max_results < 5 || max_results > 1000)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value ( %" PRId64 " ) for parameter maxResults is invalid. "
                       "Parameter must be between 5 and 1000.", max_results);
    }
    if (tags_describe(req->model, req->scope, filters, n_filters, dval_str(req->in, "NextToken"),
                      (size_t) max_results, req->arena, &items, &n, &next, req->err)
        || model_dry_run(req->model, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "Tags");
    for (size_t i = 0; i < n; i++) {
        struct oval *st = oval_list_add_struct(list);
        oval_set_str(st, "ResourceId", items[i].r->id);
        oval_set_str(st, "ResourceType", res_kind_info(items[i].r->kind)->tag_type);
        oval_set_str(st, "Key", items[i].tag->key);
        oval_set_str(st, "Value", items[i].tag->value);
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

const struct api_action api_actions_tags[] = {
    { "CreateTags", create_tags },
    { "DeleteTags", delete_tags },
    { "DescribeTags", describe_tags },
    { NULL, NULL },
};
