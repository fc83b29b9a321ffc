/* tags.h and model.h's tag primitives: the tags of one resource, CreateTags,
 * DeleteTags and DescribeTags over a scope. */
#include "model/tags.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/filter.h"

/* Unicode characters in the UTF-8 string 's': AWS counts tag lengths in
 * characters, not bytes (the request decoder has refused invalid UTF-8). */
static size_t
utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char) *s & 0xc0) != 0x80;
    }
    return n;
}

/* One tag's own rules (2.4): key 1..128 characters, not "aws:" (any case),
 * value up to 256 characters. */
static int
check_tag(const char *key, const char *value, struct error *err)
{
    if (!key || !key[0]) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE, "Tag keys must not be empty");
    }
    if (utf8_len(key) > TAG_KEY_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Tag key exceeds the maximum length of %d characters", TAG_KEY_MAX);
    }
    if (!strncasecmp(key, "aws:", 4)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Tag keys starting with 'aws:' are reserved for internal use");
    }
    if (value && utf8_len(value) > TAG_VALUE_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Tag value exceeds the maximum length of %d characters", TAG_VALUE_MAX);
    }
    return 0;
}

/* Tags (vpc-semantics.md 2.4): at most 50 per resource, key 1..128
 * characters, value up to 256, and the "aws:" prefix is reserved. */
int
tags_validate(const char *const *keys, const char *const *values, size_t n, size_t n_existing,
              struct error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (check_tag(keys[i], values ? values[i] : NULL, err)) {
            return -1;
        }
    }
    if (n + n_existing > TAGS_PER_RESOURCE_MAX) {
        return err_set(err, ERR_TAG_LIMIT_EXCEEDED,
                       "The maximum number of tags (%d) per resource has been exceeded",
                       TAGS_PER_RESOURCE_MAX);
    }
    return 0;
}

const char *
tags_get(const struct resource *r, const char *key)
{
    for (size_t i = 0; i < r->n_tags; i++) {
        if (!strcmp(r->tags[i].key, key)) {
            return r->tags[i].value;
        }
    }
    return NULL;
}

void
tags_set(struct model *m, struct resource *r, const char *key, const char *value)
{
    model_touch(m, r);
    for (size_t i = 0; i < r->n_tags; i++) {
        if (!strcmp(r->tags[i].key, key)) {
            free(r->tags[i].value);
            r->tags[i].value = xstrdup(value ? value : "");
            return;
        }
    }
    r->tags = xrealloc(r->tags, (r->n_tags + 1) * sizeof *r->tags);
    r->tags[r->n_tags].key = xstrdup(key);
    r->tags[r->n_tags].value = xstrdup(value ? value : "");
    r->n_tags++;
}

bool
tags_delete(struct model *m, struct resource *r, const char *key, const char *value)
{
    for (size_t i = 0; i < r->n_tags; i++) {
        if (!strcmp(r->tags[i].key, key)) {
            if (value && strcmp(r->tags[i].value, value)) {
                return false;
            }
            free(r->tags[i].key);
            free(r->tags[i].value);
            memmove(&r->tags[i], &r->tags[i + 1], (r->n_tags - i - 1) * sizeof *r->tags);
            r->n_tags--;
            model_touch(m, r);
            return true;
        }
    }
    return false;
}

void
tags_free(struct resource *r)
{
    for (size_t i = 0; i < r->n_tags; i++) {
        free(r->tags[i].key);
        free(r->tags[i].value);
    }
    free(r->tags);
    r->tags = NULL;
    r->n_tags = 0;
}

struct resource *
tags_find_resource(const struct model *m, const struct scope *scope, const char *id,
                   struct error *err)
{
    for (size_t kind = 0; kind < N_RES_KINDS; kind++) {
        const struct res_kind_info *info = res_kind_info(kind);
        size_t len = strlen(info->id_prefix);
        if (strncmp(id, info->id_prefix, len) || id[len] != '-') {
            continue;
        }
        struct resource *r = model_get(m, scope, kind, id, err);
        /* CreateTags and DeleteTags take ids of every type, so AWS answers a
         * malformed one with the generic InvalidID, not the type's
         * Malformed. */
        if (!r && err->code == info->malformed) {
            err_set(err, ERR_ID_NOT_FOUND, "The ID '%s' is not valid", id);
        }
        return r;
    }
    err_set(err, ERR_ID_NOT_FOUND, "The ID '%s' is not valid", id);
    return NULL;
}

/* Whether keys[i] is the first occurrence of its key in the request (a key
 * given twice counts once; the last value wins, as it would in two calls). */
static bool
first_occurrence(const char *const *keys, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (!strcmp(keys[j], keys[i])) {
            return false;
        }
    }
    return true;
}

int
tags_create(struct model *m, const struct scope *scope, const char *const *ids, size_t n_ids,
            const char *const *keys, const char *const *values, size_t n_tags,
            struct error *err)
{
    size_t n_distinct = 0;
    bool *first = NULL;
    int rc = -1;

    for (size_t i = 0; i < n_tags; i++) {
        if (check_tag(keys[i], values ? values[i] : NULL, err)) {
            return -1;
        }
    }
    first = xzalloc(n_tags * sizeof *first + 1);
    for (size_t i = 0; i < n_tags; i++) {
        first[i] = first_occurrence(keys, i);
        n_distinct += first[i];
    }
    for (size_t i = 0; i < n_ids; i++) {
        const struct resource *r = tags_find_resource(m, scope, ids[i], err);
        if (!r) {
            goto out;
        }
        /* The limit counts the tags the resource would have: keys it
         * already has are overwritten, not added. */
        size_t n_after = r->n_tags;
        for (size_t j = 0; j < n_tags && n_distinct <= TAGS_PER_RESOURCE_MAX; j++) {
            n_after += first[j] && !tags_get(r, keys[j]);
        }
        if (n_distinct > TAGS_PER_RESOURCE_MAX || n_after > TAGS_PER_RESOURCE_MAX) {
            err_set(err, ERR_TAG_LIMIT_EXCEEDED,
                    "The maximum number of tags (%d) per resource has been exceeded for '%s'",
                    TAGS_PER_RESOURCE_MAX, r->id);
            goto out;
        }
    }
    if (model_dry_run(m, err)) {
        goto out;
    }
    for (size_t i = 0; i < n_ids; i++) {
        struct resource *r = model_find(m, ids[i]);
        for (size_t j = 0; j < n_tags; j++) {
            tags_set(m, r, keys[j], values ? values[j] : NULL);
        }
    }
    rc = 0;
out:
    free(first);
    return rc;
}

int
tags_remove(struct model *m, const struct scope *scope, const char *const *ids, size_t n_ids,
            const char *const *keys, const char *const *values, size_t n_tags,
            struct error *err)
{
    for (size_t i = 0; i < n_tags; i++) {
        if (check_tag(keys[i], values ? values[i] : NULL, err)) {
            return -1;
        }
    }
    for (size_t i = 0; i < n_ids; i++) {
        if (!tags_find_resource(m, scope, ids[i], err)) {
            return -1;
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    for (size_t i = 0; i < n_ids; i++) {
        struct resource *r = model_find(m, ids[i]);
        if (!n_tags) {
            if (r->n_tags) {
                tags_free(r);
                model_touch(m, r);
            }
            continue;
        }
        for (size_t j = 0; j < n_tags; j++) {
            tags_delete(m, r, keys[j], values ? values[j] : NULL);
        }
    }
    return 0;
}

int
tags_filter_init(struct tags_filter *f, const char *name, const char *const *patterns,
                 size_t n_patterns, struct error *err)
{
    static const struct {
        const char *name;
        enum tags_filter_field field;
    } names[] = {
        { "key", TAGS_FILTER_KEY },
        { "value", TAGS_FILTER_VALUE },
        { "resource-id", TAGS_FILTER_RESOURCE_ID },
        { "resource-type", TAGS_FILTER_RESOURCE_TYPE },
    };

    memset(f, 0, sizeof *f);
    f->patterns = patterns;
    f->n_patterns = n_patterns;
    if (n_patterns > FILTER_MAX_VALUES) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The filter '%s' has more than %d values", name, FILTER_MAX_VALUES);
    }
    if (str_prefix(name, "tag:") && name[4]) {
        f->field = TAGS_FILTER_TAG;
        f->tag_key = name + 4;
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(names[i].name, name)) {
            f->field = names[i].field;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID_PARAMETER_VALUE, "The filter '%s' is invalid", name);
}

static bool
any_matches(const struct tags_filter *f, const char *s)
{
    return filter_matches_any(f->patterns, f->n_patterns, s);
}

static bool
item_matches(const struct tags_filter *f, const struct resource *r, const struct tag *tag)
{
    switch (f->field) {
    case TAGS_FILTER_KEY:
        return any_matches(f, tag->key);
    case TAGS_FILTER_VALUE:
        return any_matches(f, tag->value);
    case TAGS_FILTER_RESOURCE_ID:
        return any_matches(f, r->id);
    case TAGS_FILTER_RESOURCE_TYPE:
        return any_matches(f, res_kind_info(r->kind)->tag_type);
    case TAGS_FILTER_TAG: {
        const char *value = tags_get(r, f->tag_key);
        return value && any_matches(f, value);
    }
    }
    NOT_REACHED();
}

/* Whether a resource-type filter rules out every resource of 'kind', so the
 * scan can skip the kind's list. */
static bool
kind_excluded(const struct tags_filter *filters, size_t n_filters, enum res_kind kind)
{
    for (size_t i = 0; i < n_filters; i++) {
        if (filters[i].field == TAGS_FILTER_RESOURCE_TYPE
            && !any_matches(&filters[i], res_kind_info(kind)->tag_type)) {
            return true;
        }
    }
    return false;
}

/* A resource-id filter without wildcards, whose ids can be looked up instead
 * of scanning the scope, or NULL. */
static const struct tags_filter *
exact_id_filter(const struct tags_filter *filters, size_t n_filters)
{
    for (size_t i = 0; i < n_filters; i++) {
        const struct tags_filter *f = &filters[i];
        bool exact = f->field == TAGS_FILTER_RESOURCE_ID;
        for (size_t j = 0; exact && j < f->n_patterns; j++) {
            exact = !filter_has_wildcard(f->patterns[j]);
        }
        if (exact) {
            return f;
        }
    }
    return NULL;
}

struct collector {
    struct arena *arena;
    struct tags_item *items;
    size_t n, cap;
};

static void
collect(struct collector *c, const struct tags_filter *filters, size_t n_filters,
        const struct resource *r)
{
    for (size_t i = 0; i < r->n_tags; i++) {
        bool match = true;
        for (size_t j = 0; match && j < n_filters; j++) {
            match = item_matches(&filters[j], r, &r->tags[i]);
        }
        if (!match) {
            continue;
        }
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64;
            struct tags_item *items = arena_alloc(c->arena, cap * sizeof *items);
            if (c->n) {
                memcpy(items, c->items, c->n * sizeof *items);
            }
            c->items = items;
            c->cap = cap;
        }
        c->items[c->n++] = (struct tags_item) { r, &r->tags[i] };
    }
}

static int
compare_position(const char *id_a, const char *key_a, const char *id_b, const char *key_b)
{
    int c = strcmp(id_a, id_b);
    return c ? c : strcmp(key_a, key_b);
}

static int
by_position(const void *a_, const void *b_)
{
    const struct tags_item *a = a_, *b = b_;
    return compare_position(a->r->id, a->tag->key, b->r->id, b->tag->key);
}

static const char *
encode_token(struct arena *arena, const struct tags_item *item)
{
    size_t id_len = strlen(item->r->id), key_len = strlen(item->tag->key);
    char *token = arena_alloc(arena, id_len + 1 + 2 * key_len + 1);
    char *p = token;
    memcpy(p, item->r->id, id_len);
    p += id_len;
    *p++ = ':';
    for (size_t i = 0; i < key_len; i++) {
        unsigned char byte = (unsigned char) item->tag->key[i];
        *p++ = "0123456789abcdef"[byte >> 4];
        *p++ = "0123456789abcdef"[byte & 15];
    }
    *p = '\0';
    return token;
}

static int
hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses a token of encode_token() into its resource id and key.  Tokens
 * come from clients: every length is bounded before anything is copied. */
static bool
decode_token(struct arena *arena, const char *token, const char **id, const char **key)
{
    const char *colon = strchr(token, ':');
    if (!colon) {
        return false;
    }
    size_t id_len = (size_t) (colon - token);
    if (!id_len || id_len >= ID_SIZE || strspn(token, "abcdefghijklmnopqrstuvwxyz0123456789-")
                                            != id_len) {
        return false;
    }
    const char *hex = colon + 1;
    size_t hex_len = strlen(hex);
    /* A key of 128 characters takes at most 4 bytes each in UTF-8. */
    if (!hex_len || hex_len % 2 || hex_len > 2 * 4 * TAG_KEY_MAX) {
        return false;
    }
    char *k = arena_alloc(arena, hex_len / 2 + 1);
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0 || (!hi && !lo)) {
            return false;
        }
        k[i] = (char) (hi << 4 | lo);
    }
    k[hex_len / 2] = '\0';
    *id = arena_strndup(arena, token, id_len);
    *key = k;
    return true;
}

int
tags_describe(const struct model *m, const struct scope *scope,
              const struct tags_filter *filters, size_t n_filters, const char *token,
              size_t max_results, struct arena *arena, struct tags_item **items,
              size_t *n_items, const char **next_token, struct error *err)
{
    struct collector c = { .arena = arena };
    const char *token_id = NULL, *token_key = NULL;

    *items = NULL;
    *n_items = 0;
    *next_token = NULL;
    if (token && token[0] && !decode_token(arena, token, &token_id, &token_key)) {
        return err_set(err, ERR_INVALID_NEXT_TOKEN, "The token '%s' is invalid.", token);
    }

    const struct tags_filter *ids = exact_id_filter(filters, n_filters);
    if (ids) {
        for (size_t i = 0; i < ids->n_patterns; i++) {
            const struct resource *r = model_find(m, ids->patterns[i]);
            if (r && r->scope == scope && first_occurrence(ids->patterns, i)) {
                collect(&c, filters, n_filters, r);
            }
        }
    } else {
        for (size_t kind = 0; kind < N_RES_KINDS; kind++) {
            if (kind_excluded(filters, n_filters, kind)) {
                continue;
            }
            const struct resource *r;
            LIST_FOR_EACH (r, scope_node, &scope->resources[kind]) {
                collect(&c, filters, n_filters, r);
            }
        }
    }
    if (c.n) {
        qsort(c.items, c.n, sizeof *c.items, by_position);
    }

    size_t start = 0;
    while (token_id && start < c.n
           && compare_position(c.items[start].r->id, c.items[start].tag->key, token_id,
                               token_key) < 0) {
        start++;
    }
    size_t end = c.n;
    if (max_results && end - start > max_results) {
        end = start + max_results;
        *next_token = encode_token(arena, &c.items[end]);
    }
    *items = c.n ? c.items + start : NULL;
    *n_items = end - start;
    return 0;
}
