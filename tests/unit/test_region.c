/* Unit tests for model/region: the region table's consistency (names,
 * letters, zone ids), the DescribeRegions / DescribeAvailabilityZones
 * filters, and the account attributes. */
#include "testlib.h"

#include "lib/util.h"
#include "model/model.h"
#include "model/region.h"
#include "model/vpc.h"

/* AWS's short region code: "us-east-1" -> "use1", "ap-southeast-2" ->
 * "apse2", "il-central-1" -> "ilc1". */
static void
short_code(const char *region, char *out, size_t size)
{
    static const struct {
        const char *word, *code;
    } words[] = {
        { "east", "e" }, { "west", "w" }, { "north", "n" }, { "south", "s" },
        { "central", "c" }, { "northeast", "ne" }, { "southeast", "se" },
    };
    char copy[64];
    size_t len = 0;
    str_copy(copy, sizeof copy, region);
    char *area = strtok(copy, "-"), *word = strtok(NULL, "-"), *number = strtok(NULL, "-");
    ASSERT(area && word && number);
    len += (size_t) snprintf(out + len, size - len, "%s", area);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        if (!strcmp(words[i].word, word)) {
            len += (size_t) snprintf(out + len, size - len, "%s", words[i].code);
        }
    }
    snprintf(out + len, size - len, "%s", number);
}

TEST(region_table_is_consistent, "regions sorted and unique; each zone is the region name plus "
     "a letter, zone ids '<code>-azN' unique within the region")
{
    size_t n;
    const struct region *regions = region_all(&n);
    REQUIRE(n >= 30);
    for (size_t i = 0; i < n; i++) {
        const struct region *r = &regions[i];
        char code[16];
        short_code(r->name, code, sizeof code);
        if (i) {
            CHECK(strcmp(regions[i - 1].name, r->name) < 0);
        }
        CHECK(region_find(r->name) == r);
        CHECK(r->n_zones >= 2);
        CHECK(!strcmp(r->opt_in_status, "opt-in-not-required")
              || !strcmp(r->opt_in_status, "opted-in"));
        for (size_t z = 0; z < r->n_zones; z++) {
            const struct availability_zone *zone = &r->zones[z];
            size_t len = strlen(r->name);
            CHECK(!strncmp(zone->name, r->name, len));
            CHECK(zone->name[len] >= 'a' && zone->name[len] <= 'f' && !zone->name[len + 1]);
            CHECK(!strncmp(zone->zone_id, code, strlen(code)));
            CHECK(str_prefix(zone->zone_id + strlen(code), "-az"));
            if (z) {
                CHECK(strcmp(r->zones[z - 1].name, zone->name) < 0);
            }
            for (size_t y = 0; y < z; y++) {
                CHECK(strcmp(r->zones[y].zone_id, zone->zone_id));
            }
            CHECK(region_find_zone(r, zone->name) == zone);
            CHECK(region_find_zone(r, zone->zone_id) == zone);
        }
    }
    CHECK(!region_find("us-east-7"));
    CHECK(!region_find(""));
}

TEST(region_known_facts, "zones and zone ids AWS gives every account")
{
    const struct region *r = region_find("us-east-1");
    REQUIRE(r);
    CHECK_INT(r->n_zones, 6);
    CHECK_STR(r->opt_in_status, "opt-in-not-required");
    r = region_find("ap-northeast-1");
    REQUIRE(r);
    CHECK_INT(r->n_zones, 3);
    CHECK(!region_find_zone(r, "ap-northeast-1b"));
    CHECK_STR(region_find_zone(r, "ap-northeast-1a")->zone_id, "apne1-az4");
    r = region_find("ap-northeast-3");
    REQUIRE(r);
    CHECK_STR(region_find_zone(r, "ap-northeast-3a")->zone_id, "apne3-az3");
    r = region_find("ca-central-1");
    REQUIRE(r);
    CHECK(!region_find_zone(r, "ca-central-1c"));
    CHECK_STR(region_find_zone(r, "ca-central-1d")->zone_id, "cac1-az4");
    r = region_find("af-south-1");
    REQUIRE(r);
    CHECK_STR(r->opt_in_status, "opted-in");
    char buf[REGION_ENDPOINT_SIZE];
    CHECK_STR(region_endpoint(r, buf, sizeof buf), "ec2.af-south-1.amazonaws.com");
}

TEST(region_filters, "zone and region filters: names, wildcards, AND, unknown names")
{
    const struct region *r = region_find("eu-west-1");
    struct region_filter f[2];
    struct error err;
    static const char *const zone_b[] = { "eu-west-1b" };
    static const char *const wild[] = { "*-?b", "nothing" };
    static const char *const available[] = { "available" };
    static const char *const region_name[] = { "eu-west-1" };
    static const char *const endpoint[] = { "ec2.eu-*.amazonaws.com" };
    static const char *const anything[] = { "*" };

    REQUIRE(r);
    err_clear(&err);
    REQUIRE(!region_filter_init(&f[0], true, "zone-name", zone_b, 1, &err));
    REQUIRE(!region_filter_init(&f[1], true, "state", available, 1, &err));
    CHECK(!region_filter_match(f, 2, r, &r->zones[0]));
    CHECK(region_filter_match(f, 2, r, &r->zones[1]));
    REQUIRE(!region_filter_init(&f[0], true, "group-name", region_name, 1, &err));
    CHECK(region_filter_match(f, 2, r, &r->zones[2]));
    REQUIRE(!region_filter_init(&f[0], true, "zone-name", wild, 2, &err));
    CHECK(!region_filter_match(f, 1, r, &r->zones[0]));
    CHECK(region_filter_match(f, 1, r, &r->zones[1]));
    /* A zone has no message: no pattern matches it, not even '*'. */
    REQUIRE(!region_filter_init(&f[0], true, "message", anything, 1, &err));
    CHECK(!region_filter_match(f, 1, r, &r->zones[0]));

    REQUIRE(!region_filter_init(&f[0], false, "endpoint", endpoint, 1, &err));
    CHECK(region_filter_match(f, 1, r, NULL));
    CHECK(!region_filter_match(f, 1, region_find("us-east-1"), NULL));

    static const char *const bad_zone[] = { "endpoint", "tag:x", "zone_name", "" };
    for (size_t i = 0; i < ARRAY_SIZE(bad_zone); i++) {
        err_clear(&err);
        CHECK_INT(region_filter_init(&f[0], true, bad_zone[i], anything, 1, &err), -1);
        CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    }
    err_clear(&err);
    CHECK_INT(region_filter_init(&f[0], false, "zone-name", anything, 1, &err), -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
}

TEST(account_attributes, "six attributes in AWS's order; default-vpc follows the default VPC")
{
    struct model *m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    struct scope *scope = model_scope(m, "000000000000", "us-east-1");
    char buf[ID_SIZE];

    CHECK_STR(region_account_attribute_name(ACCOUNT_ATTR_VPC_MAX_SECURITY_GROUPS_PER_INTERFACE),
              "vpc-max-security-groups-per-interface");
    CHECK_STR(region_account_attribute_name(ACCOUNT_ATTR_VPC_MAX_ELASTIC_IPS),
              "vpc-max-elastic-ips");
    CHECK_STR(region_account_attribute_value(m, scope, ACCOUNT_ATTR_SUPPORTED_PLATFORMS, buf,
                                             sizeof buf), "VPC");
    CHECK_STR(region_account_attribute_value(m, scope, ACCOUNT_ATTR_MAX_INSTANCES, buf,
                                             sizeof buf), "20");
    CHECK_STR(region_account_attribute_value(m, scope, ACCOUNT_ATTR_DEFAULT_VPC, buf,
                                             sizeof buf), "none");
    struct vpc *vpc;
    struct error err;
    err_clear(&err);
    REQUIRE(!vpc_create_default(m, scope, &vpc, &err));
    CHECK_STR(region_account_attribute_value(m, scope, ACCOUNT_ATTR_DEFAULT_VPC, buf,
                                             sizeof buf), vpc->r.id);
    model_destroy(m);
}
