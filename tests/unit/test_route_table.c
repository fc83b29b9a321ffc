/* Unit tests for model/route_table.c: table lifecycle, the route validation
 * matrix, the local route, associations (subnet, main, gateway) and route
 * state. */
#include "testlib.h"

#include "lib/arena.h"
#include "lib/util.h"
#include "model/filter.h"
#include "model/internet_gateway.h"
#include "model/model.h"
#include "model/nat_gateway.h"
#include "model/network_interface.h"
#include "model/route_table.h"
#include "model/subnet.h"
#include "model/vpc.h"

/* One VPC 10.0.0.0/16 with subnets 10.0.1.0/24 and 10.0.2.0/24, an attached
 * internet gateway, a detached one, an interface and a NAT gateway in subnet
 * a; a second VPC 10.1.0.0/16 with its own interface and NAT gateway. */
struct world {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc, *other_vpc;
    struct subnet *subnet_a, *subnet_b, *other_subnet;
    struct internet_gateway *igw, *spare_igw;
    struct network_interface *eni, *other_eni;
    struct nat_gateway *nat, *other_nat;
    struct route_table *rtb;            /* a custom table of 'vpc' */
};

static struct ip4_prefix
p4(const char *s)
{
    struct ip4_prefix p;
    ASSERT(ip4_prefix_parse(s, &p, NULL));
    return p;
}

static struct subnet *
make_subnet(struct world *w, struct vpc *vpc, const char *cidr)
{
    struct ip4_prefix p = p4(cidr);
    struct subnet *subnet;
    ASSERT(!subnet_create(w->m, vpc, &p, NULL, &subnet, NULL));
    return subnet;
}

static struct nat_gateway *
make_nat(struct world *w, struct vpc *vpc, struct subnet *subnet)
{
    /* The NAT gateway family has its own operations; the route rules need
     * only a gateway that exists in a VPC. */
    struct nat_gateway *nat = xzalloc(sizeof *nat);
    model_new_id(w->m, "nat", nat->r.id);
    str_copy(nat->subnet_id, sizeof nat->subnet_id, subnet->r.id);
    str_copy(nat->connectivity_type, sizeof nat->connectivity_type, "private");
    nat->create_time = 1;
    model_add(w->m, w->scope, &nat->r, RES_NAT_GATEWAY, &vpc->r);
    return nat;
}

static struct network_interface *
make_eni(struct world *w, struct subnet *subnet)
{
    struct network_interface *eni;
    ASSERT(!network_interface_create(w->m, subnet, 0, NULL, 0, NULL, NULL, NULL, &eni, NULL));
    return eni;
}

static void
world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    w->m = model_create(&(struct model_config) { .public_pool = { 0xc6120000, 15 } });
    w->scope = model_scope(w->m, "000000000000", "us-east-1");
    struct ip4_prefix p = p4("10.0.0.0/16");
    ASSERT(!vpc_create(w->m, w->scope, &p, NULL, &w->vpc, NULL));
    p = p4("10.1.0.0/16");
    ASSERT(!vpc_create(w->m, w->scope, &p, NULL, &w->other_vpc, NULL));
    w->subnet_a = make_subnet(w, w->vpc, "10.0.1.0/24");
    w->subnet_b = make_subnet(w, w->vpc, "10.0.2.0/24");
    w->other_subnet = make_subnet(w, w->other_vpc, "10.1.1.0/24");
    ASSERT(!internet_gateway_create(w->m, w->scope, &w->igw, NULL));
    ASSERT(!internet_gateway_attach(w->m, w->igw, w->vpc, NULL));
    ASSERT(!internet_gateway_create(w->m, w->scope, &w->spare_igw, NULL));
    w->eni = make_eni(w, w->subnet_a);
    w->other_eni = make_eni(w, w->other_subnet);
    w->nat = make_nat(w, w->vpc, w->subnet_a);
    w->other_nat = make_nat(w, w->other_vpc, w->other_subnet);
    ASSERT(!route_table_create(w->m, w->vpc, &w->rtb, NULL));
}

static void
world_uninit(struct world *w)
{
    model_destroy(w->m);
}

static struct route_spec
spec4(const char *dst, enum route_target target, const char *id)
{
    struct route_spec spec = { .has_dst = true, .dst = p4(dst) };
    spec.targets[target] = id;
    return spec;
}

static enum err_code
create(struct world *w, struct route_table *rtb, const struct route_spec *spec)
{
    struct error err = { 0 };
    route_table_create_route(w->m, rtb, spec, &err);
    return err.code;
}

static enum err_code
create4(struct world *w, const char *dst, enum route_target target, const char *id)
{
    struct route_spec spec = spec4(dst, target, id);
    return create(w, w->rtb, &spec);
}

static enum err_code
replace4(struct world *w, struct route_table *rtb, const char *dst, enum route_target target,
         const char *id)
{
    struct route_spec spec = spec4(dst, target, id);
    struct error err = { 0 };
    route_table_replace_route(w->m, rtb, &spec, &err);
    return err.code;
}

static enum err_code
delete4(struct world *w, struct route_table *rtb, const char *dst)
{
    struct route_spec spec = { .has_dst = true, .dst = p4(dst) };
    struct error err = { 0 };
    route_table_delete_route(w->m, rtb, &spec, &err);
    return err.code;
}

static const struct route *
find4(struct route_table *rtb, const char *dst)
{
    struct route_spec spec = { .has_dst = true, .dst = p4(dst) };
    return route_table_find_route(rtb, &spec);
}

static const char *
state4(struct world *w, struct route_table *rtb, const char *dst)
{
    const struct route *route = find4(rtb, dst);
    return route ? route_state(w->m, rtb, route) : "(none)";
}

TEST(new_table_has_one_local_route_per_block, "a table starts with a local route per VPC block")
{
    struct world w;
    world_init(&w);
    struct ip4_prefix second = p4("10.2.0.0/16");
    const struct vpc_cidr *c;
    REQUIRE(!vpc_associate_cidr(w.m, w.vpc, &second, &c, NULL));
    struct route_table *rtb;
    REQUIRE(!route_table_create(w.m, w.vpc, &rtb, NULL));
    REQUIRE(rtb->n_routes == 2);
    for (size_t i = 0; i < 2; i++) {
        CHECK(route_is_local(&rtb->routes[i]));
        CHECK_STR(rtb->routes[i].target_id, "local");
        CHECK_STR(route_origin_name(rtb->routes[i].origin), "CreateRouteTable");
        CHECK_STR(route_state(w.m, rtb, &rtb->routes[i]), "active");
    }
    CHECK(ip4_prefix_equal(&rtb->routes[1].dst, &second));
    CHECK_INT(rtb->n_assocs, 0);
    CHECK(!route_table_is_main(rtb));
    CHECK(route_table_is_main(vpc_main_route_table(w.vpc)));
    world_uninit(&w);
}

TEST(delete_refused_while_associated, "the main table and associated tables can't be deleted")
{
    struct world w;
    world_init(&w);
    struct error err = { 0 };
    CHECK(route_table_delete(w.m, vpc_main_route_table(w.vpc), &err) == -1);
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    struct route_table_assoc a;
    REQUIRE(!route_table_associate(w.m, w.rtb, w.subnet_a->r.id, NULL, &a, NULL));
    err_clear(&err);
    CHECK(route_table_delete(w.m, w.rtb, &err) == -1);
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    REQUIRE(!route_table_disassociate(w.m, w.scope, a.id, NULL));
    CHECK(!route_table_delete(w.m, w.rtb, NULL));
    world_uninit(&w);
}

TEST(table_limit_per_vpc, "RouteTableLimitExceeded past the per-VPC limit")
{
    struct world w;
    world_init(&w);
    struct route_table *rtb;
    /* The main table and w.rtb already exist. */
    for (int i = 2; i < ROUTE_TABLE_LIMIT_PER_VPC; i++) {
        REQUIRE(!route_table_create(w.m, w.vpc, &rtb, NULL));
    }
    struct error err = { 0 };
    CHECK(route_table_create(w.m, w.vpc, &rtb, &err) == -1);
    CHECK_INT(err.code, ERR_ROUTE_TABLE_LIMIT_EXCEEDED);
    world_uninit(&w);
}

/* Symbolic targets of the validation matrix, resolved in the world. */
enum sym { IGW, SPARE_IGW, NAT, NAT_AS_GATEWAY, OTHER_NAT, ENI, OTHER_ENI, RAW };

static const char *
sym_id(const struct world *w, enum sym s, const char *raw)
{
    switch (s) {
    case IGW: return w->igw->r.id;
    case SPARE_IGW: return w->spare_igw->r.id;
    case NAT: case NAT_AS_GATEWAY: return w->nat->r.id;
    case OTHER_NAT: return w->other_nat->r.id;
    case ENI: return w->eni->r.id;
    case OTHER_ENI: return w->other_eni->r.id;
    case RAW: return raw;
    }
    return raw;
}

TEST(create_route_validation_matrix, "CreateRoute accepts and refuses targets and destinations")
{
    static const struct {
        const char *dst;
        enum route_target target;
        enum sym sym;
        const char *raw;
        enum err_code want;
    } cases[] = {
        /* Targets that exist and serve the VPC. */
        { "0.0.0.0/0", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_NONE },
        { "192.168.0.0/16", ROUTE_TARGET_NAT_GATEWAY, NAT, NULL, ERR_NONE },
        { "192.168.1.0/24", ROUTE_TARGET_GATEWAY, NAT_AS_GATEWAY, NULL, ERR_NONE },
        { "172.16.0.0/12", ROUTE_TARGET_NETWORK_INTERFACE, ENI, NULL, ERR_NONE },
        /* Supersets of the VPC block are fine: local still wins. */
        { "10.0.0.0/8", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_NONE },
        /* Wrong VPC. */
        { "1.0.0.0/8", ROUTE_TARGET_GATEWAY, SPARE_IGW, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "1.0.0.0/8", ROUTE_TARGET_NAT_GATEWAY, OTHER_NAT, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "1.0.0.0/8", ROUTE_TARGET_NETWORK_INTERFACE, OTHER_ENI, NULL,
          ERR_INVALID_PARAMETER_VALUE },
        /* Unknown or malformed targets. */
        { "1.0.0.0/8", ROUTE_TARGET_GATEWAY, RAW, "igw-0123456789abcdef0", ERR_GATEWAY_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_GATEWAY, RAW, "vgw-0123456789abcdef0", ERR_GATEWAY_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_GATEWAY, RAW, "nat-0123456789abcdef0", ERR_GATEWAY_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_NAT_GATEWAY, RAW, "nat-0123456789abcdef0",
          ERR_NAT_GATEWAY_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_NAT_GATEWAY, RAW, "bogus", ERR_NAT_GATEWAY_ID_MALFORMED },
        { "1.0.0.0/8", ROUTE_TARGET_NETWORK_INTERFACE, RAW, "eni-0123456789abcdef0",
          ERR_NETWORK_INTERFACE_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_NETWORK_INTERFACE, RAW, "x",
          ERR_NETWORK_INTERFACE_ID_MALFORMED },
        { "1.0.0.0/8", ROUTE_TARGET_INSTANCE, RAW, "i-0123456789abcdef0", ERR_INSTANCE_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_INSTANCE, RAW, "i-xyz", ERR_INSTANCE_ID_MALFORMED },
        { "1.0.0.0/8", ROUTE_TARGET_VPC_PEERING, RAW, "pcx-0123456789abcdef0",
          ERR_VPC_PEERING_CONNECTION_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_TRANSIT_GATEWAY, RAW, "tgw-0123456789abcdef0",
          ERR_TRANSIT_GATEWAY_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_VPC_ENDPOINT, RAW, "vpce-0123456789abcdef0",
          ERR_VPC_ENDPOINT_NOT_FOUND },
        { "1.0.0.0/8", ROUTE_TARGET_EGRESS_ONLY_GATEWAY, RAW, "eigw-0123456789abcdef0",
          ERR_GATEWAY_NOT_FOUND },
        /* "local" is only the local route's target. */
        { "1.0.0.0/8", ROUTE_TARGET_GATEWAY, RAW, "local", ERR_INVALID_PARAMETER_VALUE },
        /* The VPC block itself is the local route. */
        { "10.0.0.0/16", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "10.0.0.0/16", ROUTE_TARGET_NETWORK_INTERFACE, ENI, NULL, ERR_ROUTE_ALREADY_EXISTS },
        /* More specific than local: exactly a subnet CIDR, middlebox target. */
        { "10.0.1.0/24", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "10.0.3.0/24", ROUTE_TARGET_NETWORK_INTERFACE, ENI, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "10.0.1.0/25", ROUTE_TARGET_NETWORK_INTERFACE, ENI, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "10.0.1.0/24", ROUTE_TARGET_NETWORK_INTERFACE, ENI, NULL, ERR_NONE },
        { "10.0.2.0/24", ROUTE_TARGET_NAT_GATEWAY, NAT, NULL, ERR_NONE },
        /* Reserved link-local destinations, and a superset of them. */
        { "169.254.168.0/22", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "169.254.169.254/32", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_INVALID_PARAMETER_VALUE },
        { "169.254.0.0/16", ROUTE_TARGET_GATEWAY, IGW, NULL, ERR_NONE },
        /* Duplicate of a route made above. */
        { "0.0.0.0/0", ROUTE_TARGET_NAT_GATEWAY, NAT, NULL, ERR_ROUTE_ALREADY_EXISTS },
    };
    struct world w;
    world_init(&w);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t before = w.rtb->n_routes;
        enum err_code got = create4(&w, cases[i].dst, cases[i].target,
                                    sym_id(&w, cases[i].sym, cases[i].raw));
        if (got != cases[i].want) {
            fprintf(stderr, "    case %zu (%s): got %s, want %s\n", i, cases[i].dst,
                    err_code_name(got), err_code_name(cases[i].want));
        }
        CHECK_INT(got, cases[i].want);
        CHECK_INT(w.rtb->n_routes, before + (got == ERR_NONE));
    }
    /* A NAT gateway named as GatewayId is stored (and shown) as a NAT target. */
    CHECK_INT(find4(w.rtb, "192.168.1.0/24")->target, ROUTE_TARGET_NAT_GATEWAY);
    CHECK_STR(route_origin_name(find4(w.rtb, "0.0.0.0/0")->origin), "CreateRoute");
    world_uninit(&w);
}

TEST(create_route_needs_one_destination_and_one_target, "none or several are refused")
{
    struct world w;
    world_init(&w);
    struct route_spec spec = { 0 };
    spec.targets[ROUTE_TARGET_GATEWAY] = w.igw->r.id;
    CHECK_INT(create(&w, w.rtb, &spec), ERR_MISSING_PARAMETER);
    spec = spec4("0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id);
    spec.has_dst6 = true;
    CHECK_INT(create(&w, w.rtb, &spec), ERR_INVALID_PARAMETER_COMBINATION);
    spec = spec4("0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id);
    spec.prefix_list_id = "pl-63a5400a";
    CHECK_INT(create(&w, w.rtb, &spec), ERR_INVALID_PARAMETER_COMBINATION);
    spec = (struct route_spec) { .prefix_list_id = "pl-63a5400a" };
    spec.targets[ROUTE_TARGET_GATEWAY] = w.igw->r.id;
    CHECK_INT(create(&w, w.rtb, &spec), ERR_INVALID_PARAMETER_VALUE);
    spec = (struct route_spec) { .has_dst = true, .dst = p4("0.0.0.0/0") };
    CHECK_INT(create(&w, w.rtb, &spec), ERR_MISSING_PARAMETER);
    spec.targets[ROUTE_TARGET_GATEWAY] = w.igw->r.id;
    spec.targets[ROUTE_TARGET_NAT_GATEWAY] = w.nat->r.id;
    CHECK_INT(create(&w, w.rtb, &spec), ERR_INVALID_PARAMETER_COMBINATION);
    CHECK_INT(w.rtb->n_routes, 1);
    world_uninit(&w);
}

TEST(ipv6_routes_are_a_family_of_their_own, "::/0 and 0.0.0.0/0 coexist; fd00:ec2::/32 refused")
{
    struct world w;
    world_init(&w);
    struct route_spec spec = { .has_dst6 = true };
    REQUIRE(ip6_prefix_parse("::/0", &spec.dst6, NULL));
    spec.targets[ROUTE_TARGET_GATEWAY] = w.igw->r.id;
    CHECK_INT(create(&w, w.rtb, &spec), ERR_NONE);
    CHECK_INT(create(&w, w.rtb, &spec), ERR_ROUTE_ALREADY_EXISTS);
    CHECK_INT(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id), ERR_NONE);
    REQUIRE(ip6_prefix_parse("fd00:ec2::123/128", &spec.dst6, NULL));
    CHECK_INT(create(&w, w.rtb, &spec), ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(ip6_prefix_parse("::/0", &spec.dst6, NULL));
    const struct route *route = route_table_find_route(w.rtb, &spec);
    REQUIRE(route && route->ipv6);
    struct error err = { 0 };
    CHECK(!route_table_delete_route(w.m, w.rtb, &spec, &err));
    CHECK(route_table_delete_route(w.m, w.rtb, &spec, &err) == -1);
    CHECK_INT(err.code, ERR_ROUTE_NOT_FOUND);
    CHECK(strstr(err.message, "destination-ipv6-cidr-block ::/0") != NULL);
    world_uninit(&w);
}

TEST(route_limit_per_family, "RouteLimitExceeded once a family holds the limit")
{
    struct world w;
    world_init(&w);
    /* The local route counts as one of the table's IPv4 routes. */
    for (uint32_t i = 1; i < ROUTES_PER_TABLE_LIMIT; i++) {
        struct route_spec spec = { .has_dst = true, .dst = { 0xc0000000 + (i << 8), 24 } };
        spec.targets[ROUTE_TARGET_GATEWAY] = w.igw->r.id;
        REQUIRE(create(&w, w.rtb, &spec) == ERR_NONE);
    }
    CHECK_INT(create4(&w, "8.8.8.8/32", ROUTE_TARGET_GATEWAY, w.igw->r.id),
              ERR_ROUTE_LIMIT_EXCEEDED);
    struct route_spec spec = { .has_dst6 = true };
    REQUIRE(ip6_prefix_parse("::/0", &spec.dst6, NULL));
    spec.targets[ROUTE_TARGET_GATEWAY] = w.igw->r.id;
    CHECK_INT(create(&w, w.rtb, &spec), ERR_NONE);
    world_uninit(&w);
}

TEST(local_route_protection, "local can't be deleted; only an interface replaces its target")
{
    struct world w;
    world_init(&w);
    struct error err = { 0 };
    struct route_spec spec = { .has_dst = true, .dst = p4("10.0.0.0/16") };
    CHECK(route_table_delete_route(w.m, w.rtb, &spec, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK(strstr(err.message, "cannot remove local route 10.0.0.0/16 in route table rtb-"));
    CHECK_INT(replace4(&w, w.rtb, "10.0.0.0/16", ROUTE_TARGET_GATEWAY, w.igw->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(replace4(&w, w.rtb, "10.0.0.0/16", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(replace4(&w, w.rtb, "10.0.0.0/16", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id),
              ERR_NONE);
    const struct route *local = find4(w.rtb, "10.0.0.0/16");
    CHECK_INT(local->target, ROUTE_TARGET_NETWORK_INTERFACE);
    CHECK(route_is_local(local));
    CHECK_INT(delete4(&w, w.rtb, "10.0.0.0/16"), ERR_INVALID_PARAMETER_VALUE);
    /* Restore with LocalTarget. */
    CHECK_INT(replace4(&w, w.rtb, "10.0.0.0/16", ROUTE_TARGET_LOCAL, "local"), ERR_NONE);
    local = find4(w.rtb, "10.0.0.0/16");
    CHECK_INT(local->target, ROUTE_TARGET_LOCAL);
    CHECK_STR(local->target_id, "local");
    CHECK_STR(route_origin_name(local->origin), "CreateRouteTable");
    /* LocalTarget is only for the local route. */
    REQUIRE(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id) == ERR_NONE);
    CHECK_INT(replace4(&w, w.rtb, "0.0.0.0/0", ROUTE_TARGET_LOCAL, "local"),
              ERR_INVALID_PARAMETER_VALUE);
    world_uninit(&w);
}

TEST(replace_and_delete_routes, "ReplaceRoute changes the target in place; missing routes")
{
    struct world w;
    world_init(&w);
    REQUIRE(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id) == ERR_NONE);
    CHECK_INT(replace4(&w, w.rtb, "0.0.0.0/0", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id), ERR_NONE);
    const struct route *route = find4(w.rtb, "0.0.0.0/0");
    CHECK_INT(route->target, ROUTE_TARGET_NAT_GATEWAY);
    CHECK_STR(route->target_id, w.nat->r.id);
    CHECK_STR(route_origin_name(route->origin), "CreateRoute");
    /* Refused replacements leave the route as it was. */
    CHECK_INT(replace4(&w, w.rtb, "0.0.0.0/0", ROUTE_TARGET_NAT_GATEWAY, w.other_nat->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_STR(find4(w.rtb, "0.0.0.0/0")->target_id, w.nat->r.id);
    struct error err = { 0 };
    struct route_spec spec = spec4("10.9.0.0/16", ROUTE_TARGET_GATEWAY, w.igw->r.id);
    CHECK(route_table_replace_route(w.m, w.rtb, &spec, &err) == -1);
    CHECK_INT(err.code, ERR_ROUTE_NOT_FOUND);
    CHECK(strstr(err.message, "no route with destination-cidr-block 10.9.0.0/16 in route "
                              "table rtb-"));
    CHECK_INT(delete4(&w, w.rtb, "10.9.0.0/16"), ERR_ROUTE_NOT_FOUND);
    /* A subnet route keeps the more-specific rule on replace. */
    REQUIRE(create4(&w, "10.0.1.0/24", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id) == ERR_NONE);
    CHECK_INT(replace4(&w, w.rtb, "10.0.1.0/24", ROUTE_TARGET_GATEWAY, w.igw->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(replace4(&w, w.rtb, "10.0.1.0/24", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id),
              ERR_NONE);
    CHECK_INT(delete4(&w, w.rtb, "0.0.0.0/0"), ERR_NONE);
    CHECK(find4(w.rtb, "0.0.0.0/0") == NULL);
    CHECK_INT(w.rtb->n_routes, 2);
    world_uninit(&w);
}

TEST(dry_run_changes_nothing, "DryRun reports DryRunOperation after every check")
{
    struct world w;
    world_init(&w);
    struct error err = { 0 };
    w.m->dry_run = true;
    CHECK_INT(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id), ERR_DRY_RUN_OPERATION);
    CHECK_INT(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.spare_igw->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(w.rtb->n_routes, 1);
    struct route_table_assoc a;
    CHECK(route_table_associate(w.m, w.rtb, w.subnet_a->r.id, NULL, &a, &err) == -1);
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    CHECK_INT(w.rtb->n_assocs, 0);
    w.m->dry_run = false;
    world_uninit(&w);
}

TEST(subnet_association_rules, "explicit associations: one per subnet, same VPC, back to main")
{
    struct world w;
    world_init(&w);
    struct route_table *main_rtb = vpc_main_route_table(w.vpc);
    struct error err = { 0 };
    struct route_table_assoc a, b;
    CHECK(subnet_route_table(w.m, w.subnet_a) == main_rtb);
    REQUIRE(!route_table_associate(w.m, w.rtb, w.subnet_a->r.id, NULL, &a, NULL));
    CHECK(str_prefix(a.id, "rtbassoc-"));
    CHECK(!a.main);
    CHECK_STR(a.subnet_id, w.subnet_a->r.id);
    CHECK(subnet_route_table(w.m, w.subnet_a) == w.rtb);
    /* Already explicit, even to the main table. */
    CHECK(route_table_associate(w.m, main_rtb, w.subnet_a->r.id, NULL, &b, &err) == -1);
    CHECK_INT(err.code, ERR_RESOURCE_ALREADY_ASSOCIATED);
    err_clear(&err);
    CHECK(route_table_associate(w.m, w.rtb, w.other_subnet->r.id, NULL, &b, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    err_clear(&err);
    CHECK(route_table_associate(w.m, w.rtb, w.subnet_b->r.id, w.igw->r.id, &b, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_COMBINATION);
    err_clear(&err);
    CHECK(route_table_associate(w.m, w.rtb, NULL, NULL, &b, &err) == -1);
    CHECK_INT(err.code, ERR_MISSING_PARAMETER);
    err_clear(&err);
    CHECK(route_table_associate(w.m, w.rtb, "subnet-0123456789abcdef0", NULL, &b, &err) == -1);
    CHECK_INT(err.code, ERR_SUBNET_NOT_FOUND);
    /* Moving the association gives it a new id. */
    REQUIRE(!route_table_replace_assoc(w.m, w.scope, a.id, main_rtb, &b, NULL));
    CHECK(strcmp(a.id, b.id));
    CHECK_STR(b.subnet_id, w.subnet_a->r.id);
    CHECK_INT(w.rtb->n_assocs, 0);
    CHECK(subnet_route_table(w.m, w.subnet_a) == main_rtb);
    err_clear(&err);
    CHECK(route_table_disassociate(w.m, w.scope, a.id, &err) == -1);
    CHECK_INT(err.code, ERR_ASSOCIATION_NOT_FOUND);
    REQUIRE(!route_table_disassociate(w.m, w.scope, b.id, NULL));
    CHECK(subnet_route_table(w.m, w.subnet_a) == main_rtb);
    CHECK_INT(main_rtb->n_assocs, 1);
    world_uninit(&w);
}

TEST(main_association_replacement, "replacing the main association moves 'main'")
{
    struct world w;
    world_init(&w);
    struct route_table *old_main = vpc_main_route_table(w.vpc);
    const char *main_id = old_main->assocs[0].id;
    struct error err = { 0 };
    CHECK(route_table_disassociate(w.m, w.scope, main_id, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK(strstr(err.message, "cannot disassociate the main route table association"));
    struct route_table *other_rtb;
    REQUIRE(!route_table_create(w.m, w.other_vpc, &other_rtb, NULL));
    err_clear(&err);
    struct route_table_assoc a;
    CHECK(route_table_replace_assoc(w.m, w.scope, main_id, other_rtb, &a, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(!route_table_replace_assoc(w.m, w.scope, main_id, w.rtb, &a, NULL));
    CHECK(a.main);
    CHECK(vpc_main_route_table(w.vpc) == w.rtb);
    CHECK(!route_table_is_main(old_main));
    CHECK(subnet_route_table(w.m, w.subnet_b) == w.rtb);
    CHECK(!route_table_delete(w.m, old_main, NULL));
    err_clear(&err);
    CHECK(route_table_delete(w.m, w.rtb, &err) == -1);
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    world_uninit(&w);
}

TEST(gateway_association_rules, "edge tables: attached gateway, one table, middlebox routes only")
{
    struct world w;
    world_init(&w);
    struct error err = { 0 };
    struct route_table_assoc a, b;
    /* A table routing to the gateway can't be its edge table. */
    REQUIRE(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id) == ERR_NONE);
    CHECK(route_table_associate(w.m, w.rtb, NULL, w.igw->r.id, &a, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(delete4(&w, w.rtb, "0.0.0.0/0") == ERR_NONE);
    err_clear(&err);
    CHECK(route_table_associate(w.m, w.rtb, NULL, w.spare_igw->r.id, &a, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    err_clear(&err);
    CHECK(route_table_associate(w.m, w.rtb, NULL, "igw-0123456789abcdef0", &a, &err) == -1);
    CHECK_INT(err.code, ERR_GATEWAY_NOT_FOUND);
    err_clear(&err);
    CHECK(route_table_associate(w.m, vpc_main_route_table(w.vpc), NULL, w.igw->r.id, &a, &err)
          == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(!route_table_associate(w.m, w.rtb, NULL, w.igw->r.id, &a, NULL));
    CHECK_STR(a.gateway_id, w.igw->r.id);
    CHECK(route_table_has_gateway_assoc(w.rtb));
    struct route_table *second;
    REQUIRE(!route_table_create(w.m, w.vpc, &second, NULL));
    err_clear(&err);
    CHECK(route_table_associate(w.m, second, NULL, w.igw->r.id, &b, &err) == -1);
    CHECK_INT(err.code, ERR_RESOURCE_ALREADY_ASSOCIATED);
    /* Only middlebox routes to the VPC or a subnet while associated. */
    CHECK_INT(create4(&w, "0.0.0.0/0", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(create4(&w, "10.0.1.0/24", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(create4(&w, "10.0.1.0/24", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id), ERR_NONE);
    CHECK_INT(replace4(&w, w.rtb, "10.0.0.0/16", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id),
              ERR_NONE);
    /* The main association never lands on a gateway table. */
    err_clear(&err);
    CHECK(route_table_replace_assoc(w.m, w.scope, vpc_main_route_table(w.vpc)->assocs[0].id,
                                    w.rtb, &b, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    /* Moving the edge association checks the new table. */
    REQUIRE(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id) != ERR_NONE);
    struct route_spec spec = spec4("0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id);
    REQUIRE(create(&w, second, &spec) == ERR_NONE);
    err_clear(&err);
    CHECK(route_table_replace_assoc(w.m, w.scope, a.id, second, &b, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(delete4(&w, second, "0.0.0.0/0") == ERR_NONE);
    REQUIRE(!route_table_replace_assoc(w.m, w.scope, a.id, second, &b, NULL));
    CHECK_STR(b.gateway_id, w.igw->r.id);
    CHECK(!route_table_has_gateway_assoc(w.rtb));
    CHECK(!route_table_disassociate(w.m, w.scope, b.id, NULL));
    world_uninit(&w);
}

TEST(route_state_follows_targets, "active/blackhole is computed from each target's state now")
{
    struct world w;
    world_init(&w);
    REQUIRE(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id) == ERR_NONE);
    REQUIRE(create4(&w, "192.168.0.0/16", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id) == ERR_NONE);
    REQUIRE(create4(&w, "172.16.0.0/12", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id)
            == ERR_NONE);
    CHECK_STR(state4(&w, w.rtb, "10.0.0.0/16"), "active");
    CHECK_STR(state4(&w, w.rtb, "0.0.0.0/0"), "active");
    CHECK_STR(state4(&w, w.rtb, "192.168.0.0/16"), "active");
    /* A detached interface is a blackhole; attached, active. */
    CHECK_STR(state4(&w, w.rtb, "172.16.0.0/12"), "blackhole");
    CHECK(route_instance_id(w.m, find4(w.rtb, "172.16.0.0/12")) == NULL);
    str_copy(w.eni->attachment.id, sizeof w.eni->attachment.id, "eni-attach-0123456789abcdef0");
    str_copy(w.eni->attachment.instance_id, sizeof w.eni->attachment.instance_id,
             "i-0123456789abcdef0");
    CHECK_STR(state4(&w, w.rtb, "172.16.0.0/12"), "active");
    CHECK_STR(route_instance_id(w.m, find4(w.rtb, "172.16.0.0/12")), "i-0123456789abcdef0");
    memset(&w.eni->attachment, 0, sizeof w.eni->attachment);
    REQUIRE(!network_interface_delete(w.m, w.eni, NULL));
    CHECK_STR(state4(&w, w.rtb, "172.16.0.0/12"), "blackhole");
    /* Detaching the gateway blackholes its routes; reattaching revives them. */
    REQUIRE(!internet_gateway_detach(w.m, w.igw, w.vpc, NULL));
    CHECK_STR(state4(&w, w.rtb, "0.0.0.0/0"), "blackhole");
    REQUIRE(!internet_gateway_attach(w.m, w.igw, w.vpc, NULL));
    CHECK_STR(state4(&w, w.rtb, "0.0.0.0/0"), "active");
    REQUIRE(!internet_gateway_detach(w.m, w.igw, w.vpc, NULL));
    REQUIRE(!internet_gateway_delete(w.m, w.igw, NULL));
    CHECK_STR(state4(&w, w.rtb, "0.0.0.0/0"), "blackhole");
    /* NAT gateways: deleting or failed is a blackhole; gone too. */
    w.nat->delete_time = 2;
    CHECK_STR(state4(&w, w.rtb, "192.168.0.0/16"), "blackhole");
    w.nat->delete_time = 0;
    str_copy(w.nat->failure_code, sizeof w.nat->failure_code, "Gateway.NotAttached");
    CHECK_STR(state4(&w, w.rtb, "192.168.0.0/16"), "blackhole");
    w.nat->failure_code[0] = '\0';
    CHECK_STR(state4(&w, w.rtb, "192.168.0.0/16"), "active");
    model_remove(w.m, &w.nat->r);
    CHECK_STR(state4(&w, w.rtb, "192.168.0.0/16"), "blackhole");
    /* Blackhole routes stay in the table. */
    CHECK_INT(w.rtb->n_routes, 4);
    world_uninit(&w);
}

TEST(gone_nat_gateway_is_not_a_target, "a deleting NAT gateway can't take new routes")
{
    struct world w;
    world_init(&w);
    w.nat->delete_time = 5;
    CHECK_INT(create4(&w, "0.0.0.0/0", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id),
              ERR_NAT_GATEWAY_NOT_FOUND);
    world_uninit(&w);
}

TEST(vpc_blocks_follow_local_routes, "a VPC block added or removed adds or removes local routes")
{
    struct world w;
    world_init(&w);
    struct ip4_prefix second = p4("10.2.0.0/16");
    const struct vpc_cidr *c;
    REQUIRE(!vpc_associate_cidr(w.m, w.vpc, &second, &c, NULL));
    char assoc_id[ID_SIZE];
    str_copy(assoc_id, sizeof assoc_id, c->assoc_id);
    CHECK(find4(w.rtb, "10.2.0.0/16") && route_is_local(find4(w.rtb, "10.2.0.0/16")));
    /* A route inside the new block follows the more-specific rule. */
    CHECK_INT(create4(&w, "10.2.5.0/24", ROUTE_TARGET_GATEWAY, w.igw->r.id),
              ERR_INVALID_PARAMETER_VALUE);
    struct vpc *vpc;
    struct vpc_cidr removed;
    REQUIRE(!vpc_disassociate_cidr(w.m, w.scope, assoc_id, &vpc, &removed, NULL));
    CHECK(find4(w.rtb, "10.2.0.0/16") == NULL);
    CHECK_INT(create4(&w, "10.2.5.0/24", ROUTE_TARGET_GATEWAY, w.igw->r.id), ERR_NONE);
    world_uninit(&w);
}

static bool
matches(struct world *w, struct route_table *rtb, const char *name, const char *value)
{
    struct arena *arena = arena_create();
    struct filter f;
    const char *patterns[] = { value };
    ASSERT(!filter_init(&f, route_table_filters, route_table_n_filters, name, patterns, 1,
                        NULL));
    bool ok = filter_match_all(w->m, &f, 1, &rtb->r, arena);
    arena_destroy(arena);
    return ok;
}

TEST(filters_see_routes_and_associations, "DescribeRouteTables filter values")
{
    struct world w;
    world_init(&w);
    REQUIRE(create4(&w, "0.0.0.0/0", ROUTE_TARGET_GATEWAY, w.igw->r.id) == ERR_NONE);
    REQUIRE(create4(&w, "192.168.0.0/16", ROUTE_TARGET_NAT_GATEWAY, w.nat->r.id) == ERR_NONE);
    REQUIRE(create4(&w, "172.16.0.0/12", ROUTE_TARGET_NETWORK_INTERFACE, w.eni->r.id)
            == ERR_NONE);
    struct route_table_assoc a;
    REQUIRE(!route_table_associate(w.m, w.rtb, w.subnet_a->r.id, NULL, &a, NULL));
    struct route_table *main_rtb = vpc_main_route_table(w.vpc);
    CHECK(matches(&w, w.rtb, "route-table-id", w.rtb->r.id));
    CHECK(matches(&w, w.rtb, "vpc-id", w.vpc->r.id));
    CHECK(matches(&w, w.rtb, "owner-id", "000000000000"));
    CHECK(matches(&w, w.rtb, "association.subnet-id", w.subnet_a->r.id));
    CHECK(matches(&w, w.rtb, "association.route-table-association-id", a.id));
    CHECK(matches(&w, w.rtb, "association.route-table-id", w.rtb->r.id));
    CHECK(matches(&w, w.rtb, "association.main", "false"));
    CHECK(!matches(&w, w.rtb, "association.main", "true"));
    CHECK(matches(&w, main_rtb, "association.main", "true"));
    CHECK(matches(&w, w.rtb, "route.destination-cidr-block", "0.0.0.0/0"));
    CHECK(matches(&w, w.rtb, "route.gateway-id", "local"));
    CHECK(matches(&w, w.rtb, "route.gateway-id", w.igw->r.id));
    CHECK(matches(&w, w.rtb, "route.nat-gateway-id", w.nat->r.id));
    CHECK(matches(&w, w.rtb, "route.network-interface-id", w.eni->r.id));
    CHECK(matches(&w, w.rtb, "route.origin", "CreateRoute"));
    CHECK(!matches(&w, main_rtb, "route.origin", "CreateRoute"));
    CHECK(matches(&w, w.rtb, "route.state", "blackhole"));
    CHECK(!matches(&w, main_rtb, "route.state", "blackhole"));
    world_uninit(&w);
}
