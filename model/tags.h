/* Tags (vpc-semantics.md 2.4): the rules of CreateTags, DeleteTags and
 * DescribeTags over every taggable resource of a scope.
 *
 * The per-resource primitives every family uses (tags_validate, tags_set,
 * tags_delete, tags_get, tags_free) stay declared in model.h and live in
 * tags.c; this header adds the limits and the three actions.
 *
 * A resource is named by its id alone, so the kind comes from the id's
 * prefix: "vpc-..." is a VPC, "sg-..." a security group.  An id whose prefix
 * names no taggable kind, or which is not well formed, is InvalidID ("The ID
 * 'x' is not valid"); a well-formed id that is not in the caller's account
 * and region is its kind's NotFound.
 *
 * DescribeTags lists (resource, tag) pairs ordered by resource id, then by
 * key (byte order), so a page boundary is a position in that order: the
 * NextToken names the first pair not yet returned ("<resource-id>:<hex of
 * the key>").  A later page starts at the first pair at or after that
 * position, so tags added or removed between pages neither repeat nor skip
 * the pairs that stayed. */
#ifndef VPCD_MODEL_TAGS_H
#define VPCD_MODEL_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

struct arena;

enum {
    TAGS_PER_RESOURCE_MAX = 50,     /* AWS: 50 user tags per resource, not adjustable */
    TAG_KEY_MAX = 128,              /* Unicode characters */
    TAG_VALUE_MAX = 256,            /* Unicode characters */
};

/* Finds the resource 'id' of any taggable kind in 'scope': NULL with 'err'
 * filled (InvalidID, or the kind's NotFound) when there is none. */
struct resource *tags_find_resource(const struct model *, const struct scope *, const char *id,
                                    struct error *err);

/* CreateTags: sets each key to its value (NULL: "") on each resource,
 * overwriting a key it already has.  Checks every id and tag and each
 * resource's resulting count (TagLimitExceeded above TAGS_PER_RESOURCE_MAX)
 * before changing anything.  Returns 0 or -1. */
int tags_create(struct model *, const struct scope *, const char *const *ids, size_t n_ids,
                const char *const *keys, const char *const *values, size_t n_tags,
                struct error *err);

/* DeleteTags: removes each key from each resource, only where its value
 * equals values[i] when that is non-NULL ("" matches only an empty value);
 * with 'n_tags' 0, every tag of the resources.  Keys that are absent are
 * ignored; "aws:" keys are refused.  Returns 0 or -1. */
int tags_remove(struct model *, const struct scope *, const char *const *ids, size_t n_ids,
                const char *const *keys, const char *const *values, size_t n_tags,
                struct error *err);

/* DescribeTags filters: key, value, resource-id, resource-type (the
 * TagSpecification type: "vpc", "natgateway", ...) and tag:KEY (pairs of a
 * resource whose tag KEY matches: every tag of the resources AWS's
 * documentation says the filter "finds"). */
enum tags_filter_field {
    TAGS_FILTER_KEY,
    TAGS_FILTER_VALUE,
    TAGS_FILTER_RESOURCE_ID,
    TAGS_FILTER_RESOURCE_TYPE,
    TAGS_FILTER_TAG,
};

struct tags_filter {
    enum tags_filter_field field;
    const char *tag_key;            /* TAGS_FILTER_TAG: the KEY of tag:KEY */
    const char *const *patterns;    /* borrowed; '*' and '?' wildcards */
    size_t n_patterns;
};

/* Resolves filter 'name': InvalidParameterValue ("The filter 'x' is
 * invalid") for a name DescribeTags does not support. */
int tags_filter_init(struct tags_filter *, const char *name, const char *const *patterns,
                     size_t n_patterns, struct error *err);

/* One DescribeTags item. */
struct tags_item {
    const struct resource *r;
    const struct tag *tag;          /* one of r->tags */
};

/* DescribeTags: the scope's pairs matching every filter, in (resource id,
 * key) order, from the position 'token' names (NULL or "": the start;
 * InvalidNextToken if it is not a token of ours), at most 'max_results' of
 * them (0: all).  Sets '*items' to an array in 'arena' and '*next_token' to
 * the token of the next page in 'arena', or NULL on the last page.  The
 * items borrow the model: valid until it next changes.  Returns 0 or -1. */
int tags_describe(const struct model *, const struct scope *, const struct tags_filter *,
                  size_t n_filters, const char *token, size_t max_results, struct arena *,
                  struct tags_item **items, size_t *n_items, const char **next_token,
                  struct error *err);

#endif
