/* Unit tests for model/subnet.c and the address rules of
 * model/network_interface.c: the five reserved addresses, availability
 * counts, lowest-free allocation, exhaustion, release and reuse, the range
 * and overlap rules, default subnets, the rebuild of the derived bitmaps
 * after a load, and an oracle test of take/release against a naive set.
 * Set VPCD_TEST_SEED to replay a random run. */
#include "testlib.h"

#include <inttypes.h>
#include <time.h>

#include "lib/util.h"
#include "model/model.h"
#include "model/network_interface.h"
#include "model/subnet.h"
#include "model/vpc.h"

struct world {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc;
};

static struct ip4_prefix
p4(const char *s)
{
    struct ip4_prefix p;
    ASSERT(ip4_prefix_parse(s, &p, NULL));
    return p;
}

static uint32_t
a4(const char *s)
{
    uint32_t a;
    ASSERT(ip4_parse(s, &a));
    return a;
}

/* A model with one scope and a VPC on 'vpc_cidr' ('default_vpc' also makes
 * the scope's default VPC). */
static struct world
make_world(const char *vpc_cidr, bool default_vpc)
{
    struct world w;
    w.m = model_create(&(struct model_config) { .default_vpc = default_vpc,
                                                .public_pool = { 0xc6120000, 15 } });
    w.scope = model_scope(w.m, "000000000000", "us-east-1");
    vpc_ensure_default(w.m, w.scope);
    struct ip4_prefix cidr = p4(vpc_cidr);
    ASSERT(!vpc_create(w.m, w.scope, &cidr, NULL, &w.vpc, NULL));
    return w;
}

static struct subnet *
make_subnet(struct world *w, const char *cidr)
{
    struct ip4_prefix p = p4(cidr);
    struct subnet *subnet;
    struct error err;
    err_clear(&err);
    if (subnet_create(w->m, w->vpc, &p, NULL, &subnet, &err)) {
        fprintf(stderr, "    subnet_create(%s): %s\n", cidr, err.message);
        return NULL;
    }
    return subnet;
}

static struct network_interface *
make_eni(struct world *w, struct subnet *subnet, uint32_t addr, struct error *err)
{
    struct network_interface *eni;
    err_clear(err);
    return network_interface_create(w->m, subnet, addr, NULL, 0, NULL, NULL, NULL, &eni, err)
           ? NULL : eni;
}

TEST(reserved_addresses_of_a_slash_28, "base, +1, +2, +3 and the last address are reserved")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.0.0/28");
    REQUIRE(s);
    for (unsigned i = 0; i < 16; i++) {
        bool want = i <= 3 || i == 15;
        CHECK_INT(subnet_addr_reserved(s, 0x0a000000 + i), want);
    }
    CHECK(!subnet_addr_reserved(s, a4("10.0.0.16")));     /* outside: not one of its reserves */
    CHECK(!subnet_addr_reserved(s, a4("9.255.255.255")));
    CHECK_INT(subnet_router(s), a4("10.0.0.1"));
    model_destroy(w.m);
}

TEST(reserved_addresses_of_a_slash_16, "a /16 reserves x.y.0.0-3 and x.y.255.255 only")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.0.0/16");
    REQUIRE(s);
    static const struct {
        const char *addr;
        bool reserved;
    } cases[] = {
        { "10.0.0.0", true }, { "10.0.0.1", true }, { "10.0.0.2", true },
        { "10.0.0.3", true }, { "10.0.255.255", true }, { "10.0.0.4", false },
        { "10.0.0.255", false }, { "10.0.1.0", false }, { "10.0.1.1", false },
        { "10.0.255.254", false }, { "10.0.128.0", false },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (subnet_addr_reserved(s, a4(cases[i].addr)) != cases[i].reserved) {
            fprintf(stderr, "    %s\n", cases[i].addr);
            CHECK(false);
        }
    }
    CHECK_INT(subnet_available_count(s), 65531);
    model_destroy(w.m);
}

TEST(availability_counts, "AvailableIpAddressCount is 2^(32-len) - 5: /28 11, /24 251, /20 4091")
{
    static const struct {
        const char *cidr;
        uint32_t count;
    } cases[] = {
        { "10.0.0.0/28", 11 }, { "10.0.1.0/27", 27 }, { "10.0.2.0/24", 251 },
        { "10.0.16.0/20", 4091 }, { "10.0.128.0/17", 32763 },
    };
    struct world w = make_world("10.0.0.0/16", false);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct subnet *s = make_subnet(&w, cases[i].cidr);
        REQUIRE(s);
        CHECK_INT(subnet_available_count(s), cases[i].count);
    }
    model_destroy(w.m);
}

TEST(lowest_free_allocation, "an automatic pick is the lowest free, non-reserved address")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/24");
    REQUIRE(s);
    uint32_t got;
    struct error err;
    err_clear(&err);
    REQUIRE(!subnet_take_addr(s, 0, &got, &err));
    CHECK_INT(got, a4("10.0.1.4"));
    REQUIRE(!subnet_take_addr(s, a4("10.0.1.6"), &got, &err));
    REQUIRE(!subnet_take_addr(s, 0, &got, &err));
    CHECK_INT(got, a4("10.0.1.5"));
    REQUIRE(!subnet_take_addr(s, 0, &got, &err));
    CHECK_INT(got, a4("10.0.1.7"));
    subnet_release_addr(s, a4("10.0.1.5"));
    REQUIRE(!subnet_take_addr(s, 0, &got, &err));
    CHECK_INT(got, a4("10.0.1.5"));
    CHECK_INT(subnet_available_count(s), 251 - 4);

    /* Past a full 64-bit word of the bitmap. */
    for (int i = 0; i < 70; i++) {
        REQUIRE(!subnet_take_addr(s, 0, &got, &err));
    }
    CHECK_INT(got, a4("10.0.1.77"));
    model_destroy(w.m);
}

TEST(exhausting_a_slash_28, "11 interfaces fill a /28; a 12th: InsufficientFreeAddressesInSubnet")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.0.16/28");
    REQUIRE(s);
    struct error err;
    for (unsigned i = 0; i < 11; i++) {
        struct network_interface *eni = make_eni(&w, s, 0, &err);
        REQUIRE(eni);
        CHECK_INT(eni->ips[0].addr, a4("10.0.0.20") + i);
        CHECK_INT(subnet_available_count(s), 10 - i);
    }
    size_t n = w.scope->n_resources[RES_NETWORK_INTERFACE];
    CHECK(!make_eni(&w, s, 0, &err));
    CHECK_INT(err.code, ERR_INSUFFICIENT_FREE_ADDRESSES);
    CHECK(strstr(err.message, s->r.id) != NULL);
    CHECK_INT(w.scope->n_resources[RES_NETWORK_INTERFACE], n);
    uint32_t got;
    CHECK(subnet_take_addr(s, 0, &got, &err));
    CHECK_INT(err.code, ERR_INSUFFICIENT_FREE_ADDRESSES);
    model_destroy(w.m);
}

TEST(release_and_reuse, "a deleted interface's addresses return to the subnet and are reused")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.0.0/28");
    REQUIRE(s);
    struct error err;
    struct network_interface *enis[11];
    for (int i = 0; i < 11; i++) {
        enis[i] = make_eni(&w, s, 0, &err);
        REQUIRE(enis[i]);
    }
    uint32_t freed = enis[3]->ips[0].addr;
    REQUIRE(!network_interface_delete(w.m, enis[3], &err));
    CHECK_INT(subnet_available_count(s), 1);
    CHECK(!subnet_addr_in_use(s, freed));
    struct network_interface *again = make_eni(&w, s, 0, &err);
    REQUIRE(again);
    CHECK_INT(again->ips[0].addr, freed);

    /* Explicit addresses: taken, reserved, outside. */
    CHECK(!make_eni(&w, s, a4("10.0.0.9"), &err));
    CHECK_INT(err.code, ERR_IP_ADDRESS_IN_USE);
    CHECK(!make_eni(&w, s, a4("10.0.0.15"), &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK(!make_eni(&w, s, a4("10.0.0.16"), &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);

    /* Secondaries count too, and go back with unassign. */
    REQUIRE(!network_interface_delete(w.m, enis[0], &err));
    REQUIRE(!network_interface_delete(w.m, enis[1], &err));
    CHECK_INT(subnet_available_count(s), 2);
    uint32_t assigned[ENI_MAX_PRIVATE_IPS];
    size_t n_assigned;
    REQUIRE(!network_interface_assign_ips(w.m, enis[2], NULL, 0, 2, false, assigned,
                                          &n_assigned, &err));
    CHECK_INT(n_assigned, 2);
    CHECK_INT(assigned[0], a4("10.0.0.4"));
    CHECK_INT(assigned[1], a4("10.0.0.5"));
    CHECK_INT(subnet_available_count(s), 0);
    CHECK(network_interface_unassign_ips(w.m, enis[2], &enis[2]->ips[0].addr, 1, &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(!network_interface_unassign_ips(w.m, enis[2], &assigned[0], 1, &err));
    CHECK_INT(subnet_available_count(s), 1);
    CHECK_INT(enis[2]->n_ips, 2);
    model_destroy(w.m);
}

/* Applied in order to VPC 10.0.0.0/16 + 10.1.0.0/24; each names the error
 * expected (ERR_NONE: created). */
static const struct {
    const char *cidr;
    enum err_code want;
} range_cases[] = {
    { "10.0.0.0/15", ERR_SUBNET_RANGE },        /* larger than the VPC */
    { "10.0.0.0/29", ERR_SUBNET_RANGE },        /* smaller than /28 */
    { "10.2.0.0/24", ERR_SUBNET_RANGE },        /* outside every block */
    { "10.0.255.0/24", ERR_NONE },
    { "10.0.255.128/25", ERR_SUBNET_CONFLICT }, /* inside the previous one */
    { "10.0.254.0/23", ERR_SUBNET_CONFLICT },   /* around it */
    { "10.0.254.0/24", ERR_NONE },              /* adjacent is fine */
    { "10.1.0.0/25", ERR_NONE },                /* inside the secondary block */
    { "10.1.0.128/26", ERR_NONE },
    { "10.1.0.192/28", ERR_NONE },
    { "10.1.0.192/28", ERR_SUBNET_CONFLICT },
    { "10.0.255.255/32", ERR_SUBNET_RANGE },
    { "10.0.128.0/17", ERR_SUBNET_CONFLICT },   /* overlaps 10.0.254.0/24 */
    { "10.0.0.0/17", ERR_NONE },
};

TEST(range_and_overlap_rules, "inside one VPC block, /16 to /28, no overlap with another subnet")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct ip4_prefix second = p4("10.1.0.0/24");
    const struct vpc_cidr *c;
    REQUIRE(!vpc_associate_cidr(w.m, w.vpc, &second, &c, NULL));
    for (size_t i = 0; i < ARRAY_SIZE(range_cases); i++) {
        struct ip4_prefix p = p4(range_cases[i].cidr);
        struct subnet *s;
        struct error err;
        err_clear(&err);
        int rc = subnet_create(w.m, w.vpc, &p, NULL, &s, &err);
        if (err.code != range_cases[i].want || (rc != 0) != (range_cases[i].want != ERR_NONE)) {
            fprintf(stderr, "    %s: got %s (%s)\n", range_cases[i].cidr,
                    err_code_name(err.code), err.message);
            CHECK(false);
        }
        if (rc) {
            char text[IP4_PREFIX_STRLEN];
            ip4_prefix_format(&p, text);
            CHECK(strstr(err.message, text) != NULL);
        }
    }
    model_destroy(w.m);
}

TEST(subnet_equal_to_vpc_block, "a subnet may take the whole VPC block, even a /28 VPC")
{
    struct world w = make_world("10.5.0.0/28", false);
    struct subnet *s = make_subnet(&w, "10.5.0.0/28");
    REQUIRE(s);
    CHECK_INT(subnet_available_count(s), 11);
    struct ip4_prefix p = p4("10.5.0.0/28");
    struct error err;
    err_clear(&err);
    CHECK(subnet_create(w.m, w.vpc, &p, NULL, &s, &err));
    CHECK_INT(err.code, ERR_SUBNET_CONFLICT);
    model_destroy(w.m);
}

TEST(zone_choice, "zones by name or id; unknown zones are InvalidParameterValue listing the zones")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct ip4_prefix p = p4("10.0.1.0/24");
    struct subnet *s;
    struct error err;
    err_clear(&err);
    REQUIRE(!subnet_create(w.m, w.vpc, &p, "use1-az4", &s, &err));
    CHECK_STR(s->az, "us-east-1c");
    CHECK_STR(s->az_id, "use1-az4");
    p = p4("10.0.2.0/24");
    CHECK(subnet_create(w.m, w.vpc, &p, "us-east-1z", &s, &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK(strstr(err.message, "availabilityZone ") || strstr(err.message, "availabilityZone)"));
    CHECK(strstr(err.message, "us-east-1f") != NULL);
    CHECK(subnet_create(w.m, w.vpc, &p, "use1-az9", &s, &err));
    CHECK(strstr(err.message, "availabilityZoneId") != NULL);
    model_destroy(w.m);
}

TEST(delete_with_interfaces_is_refused, "DependencyViolation while an interface is in the subnet")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/24");
    REQUIRE(s);
    struct error err;
    struct network_interface *eni = make_eni(&w, s, 0, &err);
    REQUIRE(eni);
    CHECK(subnet_delete(w.m, s, &err));
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    CHECK(strstr(err.message, s->r.id) != NULL);
    REQUIRE(!network_interface_delete(w.m, eni, &err));
    const char *id = xstrdup(s->r.id);
    REQUIRE(!subnet_delete(w.m, s, &err));
    CHECK(!model_find(w.m, id));
    free((void *) id);
    model_destroy(w.m);
}

TEST(requester_managed_addresses_count, "a requester-managed interface uses an address too")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/24");
    REQUIRE(s);
    struct network_interface *eni;
    struct error err;
    err_clear(&err);
    REQUIRE(!network_interface_create(w.m, s, 0, NULL, 0, "Interface for NAT Gateway",
                                      "nat_gateway", "amazon-nat", &eni, &err));
    CHECK_INT(subnet_available_count(s), 250);
    CHECK(eni->requester_managed);
    CHECK_INT(eni->n_groups, 0);
    CHECK(network_interface_delete(w.m, eni, &err));
    CHECK_INT(err.code, ERR_OPERATION_NOT_PERMITTED);
    CHECK(subnet_delete(w.m, s, &err));
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    /* Its owner going away takes it. */
    network_interface_destroy(w.m, eni);
    CHECK_INT(subnet_available_count(s), 251);
    model_destroy(w.m);
}

TEST(dry_run_changes_nothing, "a dry run checks everything and takes no address")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/24");
    REQUIRE(s);
    struct error err;
    size_t n_subnets = w.scope->n_resources[RES_SUBNET];
    w.m->dry_run = true;
    CHECK(!make_eni(&w, s, a4("10.0.1.9"), &err));
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    CHECK(!make_eni(&w, s, a4("10.0.1.3"), &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    struct ip4_prefix p = p4("10.0.2.0/24");
    struct subnet *t;
    err_clear(&err);
    CHECK(subnet_create(w.m, w.vpc, &p, NULL, &t, &err));
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    w.m->dry_run = false;
    CHECK_INT(subnet_available_count(s), 251);
    CHECK(!subnet_addr_in_use(s, a4("10.0.1.9")));
    CHECK_INT(w.scope->n_resources[RES_SUBNET], n_subnets);
    CHECK_INT(w.scope->n_resources[RES_NETWORK_INTERFACE], 0);
    model_destroy(w.m);
}

TEST(create_spec_refuses_whole_requests, "a bad or repeated address or too many refuse it all")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/28");
    REQUIRE(s);
    struct network_interface *eni;
    struct error err;
    uint32_t secondaries[] = { a4("10.0.1.9"), a4("10.0.1.9") };
    struct eni_spec spec = { .secondary_ips = secondaries, .n_secondary_ips = 2 };
    err_clear(&err);
    CHECK(network_interface_create_spec(w.m, s, &spec, &eni, &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    spec = (struct eni_spec) { .primary_ip = a4("10.0.1.9"), .secondary_ips = secondaries,
                               .n_secondary_ips = 1 };
    CHECK(network_interface_create_spec(w.m, s, &spec, &eni, &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    spec = (struct eni_spec) { .secondary_count = 11 };     /* 12 addresses in 11 */
    CHECK(network_interface_create_spec(w.m, s, &spec, &eni, &err));
    CHECK_INT(err.code, ERR_INSUFFICIENT_FREE_ADDRESSES);
    spec = (struct eni_spec) { .secondary_count = ENI_MAX_PRIVATE_IPS };
    CHECK(network_interface_create_spec(w.m, s, &spec, &eni, &err));
    CHECK_INT(err.code, ERR_PRIVATE_IP_ADDRESS_LIMIT_EXCEEDED);
    CHECK_INT(subnet_available_count(s), 11);
    /* Explicit secondaries are taken before automatic picks. */
    spec = (struct eni_spec) { .secondary_ips = secondaries, .n_secondary_ips = 1,
                               .secondary_count = 2 };
    REQUIRE(!network_interface_create_spec(w.m, s, &spec, &eni, &err));
    CHECK_INT(eni->n_ips, 4);
    CHECK_INT(eni->ips[0].addr, a4("10.0.1.4"));
    CHECK_INT(eni->ips[1].addr, a4("10.0.1.9"));
    CHECK_INT(eni->ips[2].addr, a4("10.0.1.5"));
    CHECK_INT(eni->ips[3].addr, a4("10.0.1.6"));
    CHECK(eni->ips[0].primary && !eni->ips[1].primary);
    CHECK_INT(subnet_available_count(s), 7);
    model_destroy(w.m);
}

TEST(reassignment_moves_secondaries_only, "AllowReassignment moves a secondary, never a primary")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/24");
    REQUIRE(s);
    struct error err;
    struct network_interface *a = make_eni(&w, s, 0, &err), *b = make_eni(&w, s, 0, &err);
    REQUIRE(a && b);
    uint32_t assigned[ENI_MAX_PRIVATE_IPS], want = a4("10.0.1.50");
    size_t n;
    REQUIRE(!network_interface_assign_ips(w.m, a, &want, 1, 0, false, assigned, &n, &err));
    CHECK(network_interface_assign_ips(w.m, b, &want, 1, 0, false, assigned, &n, &err));
    CHECK_INT(err.code, ERR_IP_ADDRESS_IN_USE);
    CHECK(network_interface_assign_ips(w.m, b, &a->ips[0].addr, 1, 0, true, assigned, &n,
                                       &err));
    CHECK_INT(err.code, ERR_IP_ADDRESS_IN_USE);
    uint32_t count = subnet_available_count(s);
    REQUIRE(!network_interface_assign_ips(w.m, b, &want, 1, 0, true, assigned, &n, &err));
    CHECK_INT(a->n_ips, 1);
    CHECK_INT(b->n_ips, 2);
    CHECK_INT(b->ips[1].addr, want);
    CHECK_INT(subnet_available_count(s), count);
    CHECK(network_interface_find_by_addr(w.m, s, want) == b);
    model_destroy(w.m);
}

TEST(rebuild_after_load, "the derived bitmaps made again from the interfaces match the live ones")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/26"), *t = make_subnet(&w, "10.0.2.0/28");
    REQUIRE(s && t);
    struct error err;
    struct eni_spec spec = { .primary_ip = a4("10.0.1.40"), .secondary_count = 3 };
    struct network_interface *eni;
    err_clear(&err);
    REQUIRE(!network_interface_create_spec(w.m, s, &spec, &eni, &err));
    REQUIRE(make_eni(&w, s, 0, &err));
    REQUIRE(make_eni(&w, t, a4("10.0.2.14"), &err));
    uint64_t before_s = s->used[0], before_t = t->used[0];
    uint32_t avail_s = subnet_available_count(s), avail_t = subnet_available_count(t);

    model_rebuild_derived(w.m);

    CHECK_INT(s->used[0], before_s);
    CHECK_INT(t->used[0], before_t);
    CHECK_INT(subnet_available_count(s), avail_s);
    CHECK_INT(subnet_available_count(t), avail_t);
    CHECK_INT(avail_s, 59 - 5);
    CHECK(!make_eni(&w, s, a4("10.0.1.40"), &err));
    CHECK_INT(err.code, ERR_IP_ADDRESS_IN_USE);
    model_destroy(w.m);
}

TEST(default_subnets, "CreateDefaultSubnet adds the missing /20 of the default VPC")
{
    struct world w = make_world("10.0.0.0/16", true);
    struct vpc *def = vpc_find_default(w.m, w.scope);
    REQUIRE(def);
    struct subnet *s;
    struct error err;
    err_clear(&err);
    CHECK(subnet_create_default(w.m, w.scope, "us-east-1b", &s, &err));
    CHECK_INT(err.code, ERR_DEFAULT_SUBNET_ALREADY_EXISTS);
    /* Zone b's default subnet is 172.31.16.0/20. */
    struct resource *r, *next;
    LIST_FOR_EACH_SAFE (r, next, vpc_node, &def->children[RES_SUBNET]) {
        if (!strcmp(subnet_cast(r)->az, "us-east-1b")) {
            REQUIRE(!subnet_delete(w.m, subnet_cast(r), &err));
        }
    }
    CHECK(subnet_create_default(w.m, w.scope, "us-east-1q", &s, &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(!subnet_create_default(w.m, w.scope, "use1-az2", &s, &err));
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(&s->cidr, text);
    CHECK_STR(text, "172.31.16.0/20");
    CHECK_STR(s->az, "us-east-1b");
    CHECK(s->default_for_az && s->map_public_ip_on_launch);
    CHECK_INT(subnet_available_count(s), 4091);
    model_destroy(w.m);

    w = make_world("10.0.0.0/16", false);
    CHECK(subnet_create_default(w.m, w.scope, "us-east-1a", &s, &err));
    CHECK_INT(err.code, ERR_DEFAULT_VPC_DOES_NOT_EXIST);
    model_destroy(w.m);
}

TEST(attributes, "MapPublicIpOnLaunch and friends; IPv6-only settings can only be off")
{
    struct world w = make_world("10.0.0.0/16", false);
    struct subnet *s = make_subnet(&w, "10.0.1.0/24");
    REQUIRE(s);
    struct error err;
    err_clear(&err);
    REQUIRE(!subnet_set_attribute(w.m, s, SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH, true, &err));
    CHECK(s->map_public_ip_on_launch);
    CHECK(subnet_set_attribute(w.m, s, SUBNET_ATTR_ASSIGN_IPV6_ADDRESS_ON_CREATION, true, &err));
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK(!subnet_set_attribute(w.m, s, SUBNET_ATTR_ASSIGN_IPV6_ADDRESS_ON_CREATION, false,
                                &err));
    CHECK_STR(subnet_hostname_type(s), "ip-name");
    REQUIRE(!subnet_set_hostname_type(w.m, s, "resource-name", &err));
    CHECK_STR(subnet_hostname_type(s), "resource-name");
    CHECK(subnet_set_hostname_type(w.m, s, "fancy", &err));
    w.m->dry_run = true;
    CHECK(subnet_set_attribute(w.m, s, SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH, false, &err));
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    w.m->dry_run = false;
    CHECK(s->map_public_ip_on_launch);
    char arn[128];
    subnet_format_arn(s, arn, sizeof arn);
    CHECK(str_prefix(arn, "arn:aws:ec2:us-east-1:000000000000:subnet/subnet-"));
    model_destroy(w.m);
}

/* Random operations on a subnet against a naive model of it. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
    /* xorshift64*: reproducible by seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void
rng_seed(void)
{
    const char *env = getenv("VPCD_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t) time(NULL) ^ (uint64_t) getpid();
    printf("    seed %" PRIu64 " (VPCD_TEST_SEED=%" PRIu64 " to replay)\n", seed, seed);
    fflush(stdout);
    rng_state = seed ? seed : 1;
}

enum { ORACLE_OPS = 20000 };

TEST(oracle_take_release, "take/release agree with a naive set of addresses on random operations")
{
    static const char *const cidrs[] = { "10.0.0.0/28", "10.0.1.0/26", "10.0.2.0/23" };
    rng_seed();
    struct world w = make_world("10.0.0.0/16", false);
    for (size_t c = 0; c < ARRAY_SIZE(cidrs); c++) {
        struct subnet *s = make_subnet(&w, cidrs[c]);
        REQUIRE(s);
        uint32_t size = (uint32_t) ip4_prefix_size(&s->cidr);
        bool *used = xzalloc(size);
        uint32_t n_used = 0;
        for (int op = 0; op < ORACLE_OPS; op++) {
            uint64_t r = rng();
            /* Addresses from two below the block to two past it. */
            uint32_t off = (uint32_t) ((r >> 8) % (size + 4));
            uint32_t addr = s->cidr.addr - 2 + off;
            bool inside = off >= 2 && off < size + 2;
            uint32_t i = addr - s->cidr.addr;
            bool reserved = inside && (i <= 3 || i == size - 1);
            struct error err;
            err_clear(&err);
            uint32_t got = 0;
            switch (r % 3) {
            case 0: {       /* take any: the lowest free non-reserved */
                uint32_t want = 0;
                for (uint32_t j = 4; j + 1 < size && !want; j++) {
                    want = used[j] ? 0 : s->cidr.addr + j;
                }
                int rc = subnet_take_addr(s, 0, &got, &err);
                REQUIRE(rc == (want ? 0 : -1));
                if (want) {
                    REQUIRE(got == want);
                    used[want - s->cidr.addr] = true;
                    n_used++;
                } else {
                    REQUIRE(err.code == ERR_INSUFFICIENT_FREE_ADDRESSES);
                }
                break;
            }
            case 1: {       /* take this one */
                enum err_code want = !inside || reserved ? ERR_INVALID_PARAMETER_VALUE
                                     : used[i] ? ERR_IP_ADDRESS_IN_USE : ERR_NONE;
                int rc = subnet_take_addr(s, addr, &got, &err);
                REQUIRE(err.code == want && (rc == 0) == (want == ERR_NONE));
                if (!rc) {
                    REQUIRE(got == addr);
                    used[i] = true;
                    n_used++;
                }
                break;
            }
            default:        /* release it (a no-op unless taken) */
                subnet_release_addr(s, addr);
                if (inside && used[i]) {
                    used[i] = false;
                    n_used--;
                }
                break;
            }
            REQUIRE(subnet_available_count(s) == size - 5 - n_used);
            REQUIRE(subnet_addr_in_use(s, addr) == (inside && used[i]));
        }
        for (uint32_t j = 0; j < size; j++) {
            CHECK(subnet_addr_in_use(s, s->cidr.addr + j) == used[j]);
        }
        free(used);
    }
    model_destroy(w.m);
}
