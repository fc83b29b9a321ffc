/* Describe filters as AWS defines them (vpc-semantics.md 2.4): each resource
 * kind names the filters it supports with a function that yields the
 * resource's values for that filter; a resource matches a filter when any of
 * its values matches any of the filter's values ('*' and '?' wildcards), and
 * matches a request when it matches every filter.  tag:KEY, tag-key and
 * tag-value work for every kind. */
#ifndef VPCD_MODEL_FILTER_H
#define VPCD_MODEL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct arena;

enum { FILTER_MAX_VALUES = 200, FILTERS_MAX = 50 };

/* The values a resource has for one filter, filled by a filter_fn. */
struct filter_values {
    struct arena *arena;            /* for formatted values */
    const char **values;
    size_t n, cap;
};

void filter_emit(struct filter_values *, const char *value);   /* 'value' must outlive the match */
void filter_emit_copy(struct filter_values *, const char *value);
void filter_emit_bool(struct filter_values *, bool);
void filter_emit_int(struct filter_values *, int64_t);
void filter_emit_ip4(struct filter_values *, uint32_t addr);
void filter_emit_prefix4(struct filter_values *, const struct ip4_prefix *);

typedef void filter_fn(const struct model *, const struct resource *, struct filter_values *);

struct filter_def {
    const char *name;               /* "vpc-id", "cidr-block-association.cidr-block" */
    filter_fn *values;
};

/* Filters every kind has the same way: its id, its VPC, its owner account. */
filter_fn filter_resource_id;
filter_fn filter_resource_vpc_id;
filter_fn filter_resource_owner_id;

enum filter_kind { FILTER_FIELD, FILTER_TAG, FILTER_TAG_KEY, FILTER_TAG_VALUE };

/* A filter from a request, checked against the kind's definitions. */
struct filter {
    enum filter_kind kind;
    const struct filter_def *def;   /* FILTER_FIELD */
    const char *tag_key;            /* FILTER_TAG: the KEY of tag:KEY */
    const char *const *patterns;
    size_t n_patterns;
};

/* Resolves filter 'name' against 'defs'.  InvalidParameterValue ("The filter
 * 'x' is invalid") for a name the kind does not support. */
int filter_init(struct filter *, const struct filter_def *defs, size_t n_defs, const char *name,
                const char *const *patterns, size_t n_patterns, struct error *err);

/* Whether 'r' matches every filter. */
bool filter_match_all(const struct model *, const struct filter *, size_t n_filters,
                      const struct resource *, struct arena *);

/* AWS's wildcard match: '*' any run, '?' one character, '\' escapes. */
bool filter_wildcard_match(const char *pattern, const char *s);
bool filter_has_wildcard(const char *pattern);
/* Whether 's' matches any of the 'n' patterns (a filter's values OR). */
bool filter_matches_any(const char *const *patterns, size_t n, const char *s);

#endif
