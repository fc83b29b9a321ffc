/* filter.h: wildcard matching and per-resource evaluation. */
#include "model/filter.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"

void
filter_emit(struct filter_values *fv, const char *value)
{
    if (fv->n == fv->cap) {
        size_t cap = fv->cap ? fv->cap * 2 : 8;
        const char **values = arena_alloc(fv->arena, cap * sizeof *values);
        if (fv->n) {
            memcpy(values, fv->values, fv->n * sizeof *values);
        }
        fv->values = values;
        fv->cap = cap;
    }
    fv->values[fv->n++] = value;
}

void
filter_emit_copy(struct filter_values *fv, const char *value)
{
    filter_emit(fv, arena_strdup(fv->arena, value));
}

void
filter_emit_bool(struct filter_values *fv, bool b)
{
    filter_emit(fv, b ? "true" : "false");
}

void
filter_emit_int(struct filter_values *fv, int64_t v)
{
    filter_emit(fv, arena_printf(fv->arena, "%" PRId64, v));
}

void
filter_emit_ip4(struct filter_values *fv, uint32_t addr)
{
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    filter_emit_copy(fv, text);
}

void
filter_emit_prefix4(struct filter_values *fv, const struct ip4_prefix *p)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(p, text);
    filter_emit_copy(fv, text);
}

void
filter_resource_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, r->id);
}

void
filter_resource_vpc_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, r->vpc_id);
}

void
filter_resource_owner_id(const struct model *m, const struct resource *r,
                         struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, r->scope->account);
}

int
filter_init(struct filter *f, const struct filter_def *defs, size_t n_defs, const char *name,
            const char *const *patterns, size_t n_patterns, struct error *err)
{
    memset(f, 0, sizeof *f);
    f->patterns = patterns;
    f->n_patterns = n_patterns;
    if (n_patterns > FILTER_MAX_VALUES) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The filter '%s' has more than %d values", name, FILTER_MAX_VALUES);
    }
    if (str_prefix(name, "tag:") && name[4]) {
        f->kind = FILTER_TAG;
        f->tag_key = name + 4;
        return 0;
    } else if (!strcmp(name, "tag-key")) {
        f->kind = FILTER_TAG_KEY;
        return 0;
    } else if (!strcmp(name, "tag-value")) {
        f->kind = FILTER_TAG_VALUE;
        return 0;
    }
    for (size_t i = 0; i < n_defs; i++) {
        if (!strcmp(defs[i].name, name)) {
            f->kind = FILTER_FIELD;
            f->def = &defs[i];
            return 0;
        }
    }
    return err_set(err, ERR_INVALID_PARAMETER_VALUE, "The filter '%s' is invalid", name);
}

bool
filter_has_wildcard(const char *p)
{
    return strpbrk(p, "*?\\") != NULL;
}

bool
filter_wildcard_match(const char *p, const char *s)
{
    /* Iterative glob with one backtrack point: linear in practice, never
     * exponential on hostile patterns. */
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (*p == '\\' && p[1]) {
            if (p[1] == *s) {
                p += 2;
                s++;
                continue;
            }
        } else if (*p == '?') {
            p++;
            s++;
            continue;
        } else if (*p == '*') {
            star_p = ++p;
            star_s = s;
            continue;
        } else if (*p == *s) {
            p++;
            s++;
            continue;
        }
        if (!star_p) {
            return false;
        }
        p = star_p;
        s = ++star_s;
    }
    while (*p == '*') {
        p++;
    }
    return !*p;
}

bool
filter_matches_any(const char *const *patterns, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (filter_wildcard_match(patterns[i], s)) {
            return true;
        }
    }
    return false;
}

static bool
any_matches(const struct filter *f, const char *value)
{
    return filter_matches_any(f->patterns, f->n_patterns, value);
}

static bool
match_one(const struct model *m, const struct filter *f, const struct resource *r,
          struct arena *arena)
{
    switch (f->kind) {
    case FILTER_TAG: {
        const char *v = tags_get(r, f->tag_key);
        return v && any_matches(f, v);
    }
    case FILTER_TAG_KEY:
    case FILTER_TAG_VALUE:
        for (size_t i = 0; i < r->n_tags; i++) {
            if (any_matches(f, f->kind == FILTER_TAG_KEY ? r->tags[i].key : r->tags[i].value)) {
                return true;
            }
        }
        return false;
    case FILTER_FIELD: {
        struct filter_values fv = { .arena = arena };
        f->def->values(m, r, &fv);
        for (size_t i = 0; i < fv.n; i++) {
            if (fv.values[i] && any_matches(f, fv.values[i])) {
                return true;
            }
        }
        return false;
    }
    }
    NOT_REACHED();
}

bool
filter_match_all(const struct model *m, const struct filter *filters, size_t n_filters,
                 const struct resource *r, struct arena *arena)
{
    for (size_t i = 0; i < n_filters; i++) {
        if (!match_one(m, &filters[i], r, arena)) {
            return false;
        }
    }
    return true;
}
