/* Unit tests for model/tags: the tag rules (lengths in characters, the aws:
 * prefix, the 50-tag limit counting overwrites), CreateTags/DeleteTags
 * all-or-nothing, id resolution errors, and DescribeTags' order, filters and
 * pages against a naive listing. */
#include "testlib.h"

#include "lib/arena.h"
#include "lib/util.h"
#include "model/filter.h"
#include "model/model.h"
#include "model/security_group.h"
#include "model/tags.h"
#include "model/vpc.h"

static struct model *
new_model(struct scope **scope)
{
    struct model *m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    *scope = model_scope(m, "000000000000", "us-east-1");
    return m;
}

static struct vpc *
new_vpc(struct model *m, struct scope *scope, uint32_t base)
{
    struct ip4_prefix cidr = { base, 16 };
    struct vpc *vpc;
    ASSERT(!vpc_create(m, scope, &cidr, NULL, &vpc, NULL));
    return vpc;
}

static char *
repeat(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *out = xzalloc(len * n + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(out + i * len, s, len);
    }
    return out;
}

TEST(tags_validate_lengths_in_characters, "keys up to 128 and values up to 256 characters, "
     "counted in Unicode characters, not bytes")
{
    struct error err;
    char *k128 = repeat("k", 128), *k129 = repeat("k", 129);
    char *e128 = repeat("\xc3\xa9", 128);     /* 128 x e-acute: 256 bytes */
    char *v256 = repeat("v", 256), *v257 = repeat("v", 257);
    char *e256 = repeat("\xe2\x82\xac", 256); /* 256 x euro sign: 768 bytes */

    const char *keys[] = { k128, e128, "x" };
    const char *values[] = { v256, e256, NULL };
    err_clear(&err);
    CHECK_INT(tags_validate(keys, values, 3, 0, &err), 0);

    const char *bad_key[] = { k129 };
    CHECK_INT(tags_validate(bad_key, NULL, 1, 0, &err), -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);

    const char *key[] = { "k" };
    const char *bad_value[] = { v257 };
    err_clear(&err);
    CHECK_INT(tags_validate(key, bad_value, 1, 0, &err), -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    free(k128), free(k129), free(e128), free(v256), free(v257), free(e256);
}

TEST(tags_validate_refuses_empty_and_reserved, "an empty or missing key, and aws: in any case, "
     "are refused")
{
    struct error err;
    const char *cases[][1] = { { "" }, { NULL }, { "aws:x" }, { "AWS:cloudformation" },
                               { "Aws:" } };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        err_clear(&err);
        CHECK_INT(tags_validate(cases[i], NULL, 1, 0, &err), -1);
        CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    }
    const char *ok[] = { "awsome", "x:aws:" };
    CHECK_INT(tags_validate(ok, NULL, 2, 0, &err), 0);
}

TEST(tags_validate_limit, "50 tags with the existing ones pass, 51 are TagLimitExceeded")
{
    struct error err;
    const char *keys[] = { "a", "b" };
    err_clear(&err);
    CHECK_INT(tags_validate(keys, NULL, 2, 48, &err), 0);
    CHECK_INT(tags_validate(keys, NULL, 2, 49, &err), -1);
    CHECK_INT(err.code, ERR_TAG_LIMIT_EXCEEDED);
}

TEST(create_tags_overwrites_and_counts_distinct_keys, "a key the resource has is overwritten, "
     "so it does not count against the limit; the last value of a repeated key wins")
{
    struct scope *scope;
    struct model *m = new_model(&scope);
    struct vpc *vpc = new_vpc(m, scope, 0x0a000000);
    struct error err;
    char keys_buf[50][16];
    const char *keys[50];
    for (int i = 0; i < 50; i++) {
        snprintf(keys_buf[i], sizeof keys_buf[i], "k%02d", i);
        keys[i] = keys_buf[i];
    }
    const char *ids[] = { vpc->r.id };
    err_clear(&err);
    REQUIRE(!tags_create(m, scope, ids, 1, keys, NULL, 50, &err));
    CHECK_INT(vpc->r.n_tags, 50);
    CHECK_STR(tags_get(&vpc->r, "k07"), "");

    /* Overwriting all 50 again is fine. */
    const char *values[50];
    for (int i = 0; i < 50; i++) {
        values[i] = "v";
    }
    CHECK_INT(tags_create(m, scope, ids, 1, keys, values, 50, &err), 0);
    CHECK_STR(tags_get(&vpc->r, "k07"), "v");

    /* A 51st key is refused, and nothing of the request is applied. */
    const char *more[] = { "k00", "new" };
    const char *more_values[] = { "changed", "x" };
    CHECK_INT(tags_create(m, scope, ids, 1, more, more_values, 2, &err), -1);
    CHECK_INT(err.code, ERR_TAG_LIMIT_EXCEEDED);
    CHECK_STR(tags_get(&vpc->r, "k00"), "v");
    CHECK_INT(vpc->r.n_tags, 50);

    /* The same key twice counts once; the later value wins. */
    struct vpc *other = new_vpc(m, scope, 0x0b000000);
    const char *ids2[] = { other->r.id };
    const char *twice[] = { "Name", "Name" };
    const char *twice_values[] = { "first", "second" };
    CHECK_INT(tags_create(m, scope, ids2, 1, twice, twice_values, 2, &err), 0);
    CHECK_INT(other->r.n_tags, 1);
    CHECK_STR(tags_get(&other->r, "Name"), "second");
    model_destroy(m);
}

TEST(create_tags_all_or_nothing, "one unknown id or one full resource refuses the whole request")
{
    struct scope *scope;
    struct model *m = new_model(&scope);
    struct vpc *a = new_vpc(m, scope, 0x0a000000), *b = new_vpc(m, scope, 0x0b000000);
    struct error err;
    const char *key[] = { "Name" };
    const char *value[] = { "x" };

    const char *ids[] = { a->r.id, "vpc-0123456789abcdef0" };
    err_clear(&err);
    CHECK_INT(tags_create(m, scope, ids, 2, key, value, 1, &err), -1);
    CHECK_INT(err.code, ERR_VPC_NOT_FOUND);
    CHECK(strstr(err.message, "vpc-0123456789abcdef0") != NULL);
    CHECK_INT(a->r.n_tags, 0);

    for (int i = 0; i < TAGS_PER_RESOURCE_MAX; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        tags_set(m, &b->r, k, "v");
    }
    const char *both[] = { a->r.id, b->r.id };
    err_clear(&err);
    CHECK_INT(tags_create(m, scope, both, 2, key, value, 1, &err), -1);
    CHECK_INT(err.code, ERR_TAG_LIMIT_EXCEEDED);
    CHECK(strstr(err.message, b->r.id) != NULL);
    CHECK_INT(a->r.n_tags, 0);

    /* DryRun checks everything and changes nothing. */
    const char *one[] = { a->r.id };
    m->dry_run = true;
    err_clear(&err);
    CHECK_INT(tags_create(m, scope, one, 1, key, value, 1, &err), -1);
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    CHECK_INT(a->r.n_tags, 0);
    m->dry_run = false;
    model_destroy(m);
}

TEST(find_resource_errors, "unknown prefix and malformed ids are InvalidID, missing ones their "
     "kind's NotFound, also when they belong to another scope")
{
    struct scope *scope;
    struct model *m = new_model(&scope);
    struct scope *other = model_scope(m, "000000000000", "eu-west-1");
    struct vpc *vpc = new_vpc(m, other, 0x0a000000);
    struct error err;
    static const struct {
        const char *id;
        enum err_code code;
    } cases[] = {
        { "i-0123456789abcdef0", ERR_INSTANCE_NOT_FOUND },
        { "banana", ERR_ID_NOT_FOUND },
        { "", ERR_ID_NOT_FOUND },
        { "vpc-zz", ERR_ID_NOT_FOUND },
        { "vpc-cidr-assoc-0123456789abcdef0", ERR_ID_NOT_FOUND },
        { "vpc-0123456789abcdef0", ERR_VPC_NOT_FOUND },
        { "subnet-01234567", ERR_SUBNET_NOT_FOUND },
        { "sg-0123456789abcdef0", ERR_GROUP_NOT_FOUND },
        { "rtb-0123456789abcdef0", ERR_ROUTE_TABLE_NOT_FOUND },
        { "eipalloc-0123456789abcdef0", ERR_ALLOCATION_NOT_FOUND },
        { "nat-0123456789abcdef0", ERR_NAT_GATEWAY_NOT_FOUND },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        err_clear(&err);
        CHECK(!tags_find_resource(m, scope, cases[i].id, &err));
        CHECK_INT(err.code, cases[i].code);
    }
    err_clear(&err);
    CHECK(!tags_find_resource(m, scope, vpc->r.id, &err));
    CHECK_INT(err.code, ERR_VPC_NOT_FOUND);
    CHECK(tags_find_resource(m, other, vpc->r.id, &err) == &vpc->r);
    model_destroy(m);
}

TEST(delete_tags_value_matching, "a value deletes only on a match, no value any value, no tags "
     "every tag; aws: keys are refused")
{
    struct scope *scope;
    struct model *m = new_model(&scope);
    struct vpc *vpc = new_vpc(m, scope, 0x0a000000);
    struct error err;
    const char *ids[] = { vpc->r.id };
    tags_set(m, &vpc->r, "a", "1");
    tags_set(m, &vpc->r, "b", "2");
    tags_set(m, &vpc->r, "c", "");
    tags_set(m, &vpc->r, "d", "4");

    const char *k[] = { "a", "b", "c", "missing" };
    const char *v[] = { "wrong", NULL, "", NULL };
    err_clear(&err);
    CHECK_INT(tags_remove(m, scope, ids, 1, k, v, 4, &err), 0);
    CHECK_STR(tags_get(&vpc->r, "a"), "1");
    CHECK(!tags_get(&vpc->r, "b"));
    CHECK(!tags_get(&vpc->r, "c"));
    CHECK_STR(tags_get(&vpc->r, "d"), "4");

    const char *empty[] = { "" };
    const char *d[] = { "d" };
    CHECK_INT(tags_remove(m, scope, ids, 1, d, empty, 1, &err), 0);
    CHECK_STR(tags_get(&vpc->r, "d"), "4");

    const char *reserved[] = { "aws:cloudformation:stack-name" };
    CHECK_INT(tags_remove(m, scope, ids, 1, reserved, NULL, 1, &err), -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(vpc->r.n_tags, 2);

    const char *bad_ids[] = { vpc->r.id, "vpc-0123456789abcdef0" };
    err_clear(&err);
    CHECK_INT(tags_remove(m, scope, bad_ids, 2, NULL, NULL, 0, &err), -1);
    CHECK_INT(err.code, ERR_VPC_NOT_FOUND);
    CHECK_INT(vpc->r.n_tags, 2);

    CHECK_INT(tags_remove(m, scope, ids, 1, NULL, NULL, 0, &err), 0);
    CHECK_INT(vpc->r.n_tags, 0);
    model_destroy(m);
}

/* Builds a scope with several VPCs (each with its route table, ACL and
 * security group) carrying tags, for the DescribeTags tests. */
static struct model *
tagged_model(struct scope **scope, struct vpc **vpcs, size_t n_vpcs)
{
    struct model *m = new_model(scope);
    for (size_t i = 0; i < n_vpcs; i++) {
        vpcs[i] = new_vpc(m, *scope, 0x0a000000 + ((uint32_t) i << 16));
        /* Keys in non-sorted order on purpose. */
        tags_set(m, &vpcs[i]->r, "Name", i % 2 ? "odd" : "even");
        tags_set(m, &vpcs[i]->r, "Env", "test");
        tags_set(m, &vpcs[i]->r, "Index", i % 3 ? "x" : "y");
        tags_set(m, &vpc_default_security_group(vpcs[i])->r, "Role", "sg");
    }
    return m;
}

static int
item_cmp(const struct tags_item *a, const struct tags_item *b)
{
    int c = strcmp(a->r->id, b->r->id);
    return c ? c : strcmp(a->tag->key, b->tag->key);
}

TEST(describe_orders_by_resource_then_key, "every pair of the scope, ordered by resource id "
     "then key")
{
    struct scope *scope;
    struct vpc *vpcs[6];
    struct model *m = tagged_model(&scope, vpcs, ARRAY_SIZE(vpcs));
    struct arena *arena = arena_create();
    struct tags_item *items;
    size_t n;
    const char *next;
    struct error err;

    err_clear(&err);
    REQUIRE(!tags_describe(m, scope, NULL, 0, NULL, 0, arena, &items, &n, &next, &err));
    CHECK_INT(n, 6 * 4);
    CHECK(next == NULL);
    for (size_t i = 1; i < n; i++) {
        CHECK(item_cmp(&items[i - 1], &items[i]) < 0);
    }
    arena_destroy(arena);
    model_destroy(m);
}

TEST(describe_pages_concatenate, "pages of every size from 1 to 30 concatenate to the full "
     "list, and the last page has no token")
{
    struct scope *scope;
    struct vpc *vpcs[6];
    struct model *m = tagged_model(&scope, vpcs, ARRAY_SIZE(vpcs));
    struct arena *arena = arena_create();
    struct tags_item *all, *page;
    size_t n_all, n;
    const char *next;
    struct error err;

    err_clear(&err);
    REQUIRE(!tags_describe(m, scope, NULL, 0, NULL, 0, arena, &all, &n_all, &next, &err));
    for (size_t size = 1; size <= 30; size++) {
        const char *token = NULL;
        size_t seen = 0, pages = 0;
        do {
            REQUIRE(!tags_describe(m, scope, NULL, 0, token, size, arena, &page, &n, &next,
                                   &err));
            REQUIRE(seen + n <= n_all);
            for (size_t i = 0; i < n; i++) {
                CHECK(page[i].tag == all[seen + i].tag);
            }
            seen += n;
            pages++;
            token = next;
            REQUIRE(pages <= n_all + 1);
        } while (token);
        CHECK_INT(seen, n_all);
        CHECK_INT(pages, (n_all + size - 1) / size);
    }
    arena_destroy(arena);
    model_destroy(m);
}

TEST(describe_page_survives_changes, "deleting the next page's first pair or adding one before "
     "it neither repeats nor skips the pairs that stayed")
{
    struct scope *scope;
    struct vpc *vpcs[4];
    struct model *m = tagged_model(&scope, vpcs, ARRAY_SIZE(vpcs));
    struct arena *arena = arena_create();
    struct tags_item *page;
    size_t n;
    const char *next, *next2;
    struct error err;

    err_clear(&err);
    REQUIRE(!tags_describe(m, scope, NULL, 0, NULL, 5, arena, &page, &n, &next, &err));
    REQUIRE(next && n == 5);
    const struct tags_item last = page[4];
    /* The pair the token names goes away; a pair before the token appears. */
    REQUIRE(!tags_describe(m, scope, NULL, 0, next, 1, arena, &page, &n, &next2, &err));
    struct resource *r = (struct resource *) page[0].r;
    char *key = xstrdup(page[0].tag->key);
    char *last_id = xstrdup(last.r->id), *last_key = xstrdup(last.tag->key);
    REQUIRE(tags_delete(m, r, key, NULL));
    tags_set(m, model_find(m, last_id), "0-before", "x");
    REQUIRE(!tags_describe(m, scope, NULL, 0, next, 0, arena, &page, &n, &next2, &err));
    REQUIRE(n > 0);
    CHECK(strcmp(page[0].r->id, last_id) > 0
          || (!strcmp(page[0].r->id, last_id) && strcmp(page[0].tag->key, last_key) > 0));
    CHECK(strcmp(page[0].r->id, r->id) > 0
          || (!strcmp(page[0].r->id, r->id) && strcmp(page[0].tag->key, key) > 0));
    free(key), free(last_id), free(last_key);
    arena_destroy(arena);
    model_destroy(m);
}

TEST(describe_refuses_foreign_tokens, "tokens we did not make are InvalidNextToken")
{
    struct scope *scope;
    struct model *m = new_model(&scope);
    struct arena *arena = arena_create();
    struct tags_item *items;
    size_t n;
    const char *next;
    struct error err;
    static const char *const bad[] = {
        "x", "12", ":", "vpc-1:", ":4e", "vpc-1:4", "vpc-1:zz", "vpc-1:00", "VPC-1:4e",
        "vpc 1:4e", "vpc-1:4E", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:4e",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        err_clear(&err);
        CHECK_INT(tags_describe(m, scope, NULL, 0, bad[i], 0, arena, &items, &n, &next, &err),
                  -1);
        CHECK_INT(err.code, ERR_INVALID_NEXT_TOKEN);
    }
    err_clear(&err);
    CHECK_INT(tags_describe(m, scope, NULL, 0, "vpc-1:4e", 0, arena, &items, &n, &next, &err), 0);
    CHECK_INT(tags_describe(m, scope, NULL, 0, "", 0, arena, &items, &n, &next, &err), 0);
    arena_destroy(arena);
    model_destroy(m);
}

/* The pairs of the model matching 'filters', the slow way: the full
 * listing, each pair checked against each filter here, so the model's
 * shortcuts (id lookups, skipped kinds) are checked against a plain scan. */
static bool
naive_match(const struct tags_filter *f, const struct tags_item *it)
{
    const char *v = NULL;
    switch (f->field) {
    case TAGS_FILTER_KEY:
        v = it->tag->key;
        break;
    case TAGS_FILTER_VALUE:
        v = it->tag->value;
        break;
    case TAGS_FILTER_RESOURCE_ID:
        v = it->r->id;
        break;
    case TAGS_FILTER_RESOURCE_TYPE:
        v = res_kind_info(it->r->kind)->tag_type;
        break;
    case TAGS_FILTER_TAG:
        v = tags_get(it->r, f->tag_key);
        break;
    }
    for (size_t i = 0; v && i < f->n_patterns; i++) {
        if (filter_wildcard_match(f->patterns[i], v)) {
            return true;
        }
    }
    return false;
}

static size_t
naive_count(struct model *m, struct scope *scope, const struct tags_filter *filters,
            size_t n_filters)
{
    struct arena *arena = arena_create();
    struct tags_item *items;
    size_t n_all, count = 0;
    const char *next;
    struct error err;
    ASSERT(!tags_describe(m, scope, NULL, 0, NULL, 0, arena, &items, &n_all, &next, &err));
    for (size_t i = 0; i < n_all; i++) {
        bool all = true;
        for (size_t f = 0; f < n_filters && all; f++) {
            all = naive_match(&filters[f], &items[i]);
        }
        count += all;
    }
    arena_destroy(arena);
    return count;
}

/* Describes with 'filters' and checks the count against naive_count(). */
static size_t
count_matches(struct model *m, struct scope *scope, const struct tags_filter *filters,
              size_t n_filters)
{
    struct arena *arena = arena_create();
    struct tags_item *items;
    size_t n;
    const char *next;
    struct error err;
    err_clear(&err);
    ASSERT(!tags_describe(m, scope, filters, n_filters, NULL, 0, arena, &items, &n, &next,
                          &err));
    for (size_t i = 1; i < n; i++) {
        CHECK(item_cmp(&items[i - 1], &items[i]) < 0);
    }
    CHECK_INT(n, naive_count(m, scope, filters, n_filters));
    arena_destroy(arena);
    return n;
}

TEST(describe_filters, "key, value, resource-id, resource-type and tag:KEY filters, wildcards, "
     "AND between filters, and unknown filter names")
{
    struct scope *scope;
    struct vpc *vpcs[6];
    struct model *m = tagged_model(&scope, vpcs, ARRAY_SIZE(vpcs));
    struct error err;
    struct tags_filter f[3];

    static const char *const name[] = { "Name" };
    static const char *const wild_key[] = { "N?me", "Ind*" };
    static const char *const odd[] = { "odd" };
    static const char *const sg[] = { "security-group" };
    static const char *const vpc_type[] = { "vpc" };
    static const char *const star[] = { "*" };
    err_clear(&err);

    REQUIRE(!tags_filter_init(&f[0], "key", name, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 6);
    REQUIRE(!tags_filter_init(&f[0], "key", wild_key, 2, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 12);
    REQUIRE(!tags_filter_init(&f[0], "value", odd, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 3);
    REQUIRE(!tags_filter_init(&f[0], "value", star, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 6 * 4);
    REQUIRE(!tags_filter_init(&f[0], "resource-type", sg, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 6);
    /* tag:Name=odd: every tag of the odd VPCs. */
    REQUIRE(!tags_filter_init(&f[0], "tag:Name", odd, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 3 * 3);

    /* Exact ids (the lookup path, duplicates and unknown ids ignored) and
     * the same ids with a wildcard among them (the scan). */
    const char *ids[] = { vpcs[1]->r.id, vpcs[4]->r.id, vpcs[1]->r.id, "vpc-0123456789abcdef0" };
    REQUIRE(!tags_filter_init(&f[0], "resource-id", ids, 4, &err));
    CHECK_INT(count_matches(m, scope, f, 1), 2 * 3);
    const char *wild_ids[] = { vpcs[1]->r.id, vpcs[4]->r.id, "vpc-*zzz" };
    REQUIRE(!tags_filter_init(&f[1], "resource-id", wild_ids, 3, &err));
    CHECK_INT(count_matches(m, scope, &f[1], 1), 2 * 3);

    /* Filters AND. */
    REQUIRE(!tags_filter_init(&f[1], "key", name, 1, &err));
    REQUIRE(!tags_filter_init(&f[2], "resource-type", vpc_type, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 3), 2);
    REQUIRE(!tags_filter_init(&f[2], "resource-type", sg, 1, &err));
    CHECK_INT(count_matches(m, scope, f, 3), 0);

    static const char *const bad_names[] = { "tag-key", "tag:", "Key", "resource_id", "" };
    for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
        err_clear(&err);
        CHECK_INT(tags_filter_init(&f[0], bad_names[i], name, 1, &err), -1);
        CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    }
    model_destroy(m);
}
