/* Unit tests for the gateway families' model rules: the public pool,
 * Elastic IP allocation and association (section 6), internet gateway
 * attachment (section 10), NAT gateway creation, failure and state over time
 * (section 11). */
#include <string.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/internet_gateway.h"
#include "model/model.h"
#include "model/nat_gateway.h"
#include "model/network_interface.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "tests/unit/testlib.h"

/* 203.0.113.0/30: .0 and .3 are never handed out, so two usable addresses. */
static const struct ip4_prefix tiny_pool = { 0xcb007100, 30 };
static const struct ip4_prefix big_pool = { 0xc6120000, 15 };

static int64_t fake_now;

static int64_t
fake_clock(void)
{
    return fake_now;
}

struct world {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc;
    struct subnet *subnet;
    struct internet_gateway *igw;   /* attached to vpc */
};

static void
world_init(struct world *w, const struct ip4_prefix *pool, bool with_igw)
{
    struct error err;
    memset(w, 0, sizeof *w);
    w->m = model_create(&(struct model_config){ .public_pool = *pool });
    w->scope = model_scope(w->m, "000000000000", "us-east-1");
    struct ip4_prefix vpc_cidr = { 0x0a000000, 16 };
    struct ip4_prefix subnet_cidr = { 0x0a000100, 24 };
    ASSERT(!vpc_create(w->m, w->scope, &vpc_cidr, NULL, &w->vpc, &err));
    ASSERT(!subnet_create(w->m, w->vpc, &subnet_cidr, NULL, &w->subnet, &err));
    if (with_igw) {
        ASSERT(!internet_gateway_create(w->m, w->scope, &w->igw, &err));
        ASSERT(!internet_gateway_attach(w->m, w->igw, w->vpc, &err));
    }
}

static struct network_interface *
make_eni(struct world *w)
{
    struct network_interface *eni;
    struct error err;
    ASSERT(!network_interface_create(w->m, w->subnet, 0, NULL, 0, NULL, NULL, NULL, &eni, &err));
    return eni;
}

static struct address *
make_eip(struct world *w)
{
    struct address *a;
    struct error err;
    ASSERT(!address_allocate(w->m, w->scope, 0, &a, &err));
    return a;
}

TEST(pool_tiny_exhausts_and_recycles, "a /30 pool gives two addresses, then refuses, then reuses")
{
    struct world w;
    struct error err;
    struct address *a, *b, *c;
    world_init(&w, &tiny_pool, true);
    REQUIRE(!address_allocate(w.m, w.scope, 0, &a, &err));
    REQUIRE(!address_allocate(w.m, w.scope, 0, &b, &err));
    CHECK_INT(a->public_ip, 0xcb007101);
    CHECK_INT(b->public_ip, 0xcb007102);
    err_clear(&err);
    CHECK(address_allocate(w.m, w.scope, 0, &c, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InsufficientAddressCapacity");
    uint32_t freed = a->public_ip;
    REQUIRE(!address_release(w.m, a, &err));
    REQUIRE(!address_allocate(w.m, w.scope, 0, &c, &err));
    CHECK_INT(c->public_ip, freed);
    CHECK(strncmp(c->r.id, "eipalloc-", 9) == 0);
    CHECK_STR(c->network_border_group, "us-east-1");
    model_destroy(w.m);
}

TEST(pool_specific_address, "AllocateAddress Address= takes only a free pool address")
{
    struct world w;
    struct error err;
    struct address *a, *b;
    world_init(&w, &tiny_pool, true);
    REQUIRE(!address_allocate(w.m, w.scope, 0xcb007102, &a, &err));
    CHECK_INT(a->public_ip, 0xcb007102);
    err_clear(&err);
    CHECK(address_allocate(w.m, w.scope, 0xcb007102, &b, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidIPAddress.InUse");
    err_clear(&err);
    CHECK(address_allocate(w.m, w.scope, 0xcb007100, &b, &err) < 0);  /* the pool's network */
    CHECK_STR(err_code_name(err.code), "InvalidIPAddress.InUse");
    err_clear(&err);
    CHECK(address_allocate(w.m, w.scope, 0x08080808, &b, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidParameterValue");
    /* The lowest free one is still there for anyone. */
    REQUIRE(!address_allocate(w.m, w.scope, 0, &b, &err));
    CHECK_INT(b->public_ip, 0xcb007101);
    model_destroy(w.m);
}

TEST(allocate_dry_run_takes_nothing, "a dry-run AllocateAddress leaves the pool as it was")
{
    struct world w;
    struct error err;
    struct address *a;
    world_init(&w, &tiny_pool, true);
    w.m->dry_run = true;
    err_clear(&err);
    CHECK(address_allocate(w.m, w.scope, 0, &a, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DryRunOperation");
    w.m->dry_run = false;
    CHECK_INT(w.scope->n_resources[RES_ADDRESS], 0);
    REQUIRE(!address_allocate(w.m, w.scope, 0, &a, &err));
    CHECK_INT(a->public_ip, 0xcb007101);
    model_destroy(w.m);
}

TEST(address_limit_per_region, "AddressLimitExceeded after ADDRESS_LIMIT_PER_REGION addresses")
{
    struct world w;
    struct error err;
    struct address *a;
    world_init(&w, &big_pool, true);
    for (int i = 0; i < ADDRESS_LIMIT_PER_REGION; i++) {
        REQUIRE(!address_allocate(w.m, w.scope, 0, &a, &err));
    }
    err_clear(&err);
    CHECK(address_allocate(w.m, w.scope, 0, &a, &err) < 0);
    CHECK_STR(err_code_name(err.code), "AddressLimitExceeded");
    model_destroy(w.m);
}

TEST(associate_needs_internet_gateway, "no IGW on the VPC: Gateway.NotAttached, nothing changes")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, false);
    struct network_interface *eni = make_eni(&w);
    struct address *a = make_eip(&w);
    err_clear(&err);
    CHECK(address_associate(w.m, a, eni, 0, true, &err) < 0);
    CHECK_STR(err_code_name(err.code), "Gateway.NotAttached");
    CHECK(!a->association_id[0]);
    struct internet_gateway *igw;
    REQUIRE(!internet_gateway_create(w.m, w.scope, &igw, &err));
    REQUIRE(!internet_gateway_attach(w.m, igw, w.vpc, &err));
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    CHECK(strncmp(a->association_id, "eipassoc-", 9) == 0);
    CHECK(address_interface(w.m, a) == eni);
    CHECK_INT(a->private_ip, eni->ips[0].addr);
    CHECK(address_of_private_ip(w.m, eni, eni->ips[0].addr) == a);
    model_destroy(w.m);
}

TEST(associate_moves_unless_forbidden, "an associated EIP moves; AllowReassociation=false refuses")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct network_interface *x = make_eni(&w), *y = make_eni(&w);
    struct address *a = make_eip(&w);
    REQUIRE(!address_associate(w.m, a, x, 0, true, &err));
    char first[ID_SIZE];
    memcpy(first, a->association_id, ID_SIZE);
    err_clear(&err);
    CHECK(address_associate(w.m, a, y, 0, false, &err) < 0);
    CHECK_STR(err_code_name(err.code), "Resource.AlreadyAssociated");
    CHECK(address_interface(w.m, a) == x);
    /* Same place again: idempotent, same association. */
    REQUIRE(!address_associate(w.m, a, x, 0, false, &err));
    CHECK_STR(a->association_id, first);
    REQUIRE(!address_associate(w.m, a, y, 0, true, &err));
    CHECK(address_interface(w.m, a) == y);
    CHECK(strcmp(a->association_id, first) != 0);
    CHECK(!address_of_private_ip(w.m, x, x->ips[0].addr));
    model_destroy(w.m);
}

TEST(associate_replaces_previous_eip, "the target address's previous EIP is disassociated, kept")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct network_interface *eni = make_eni(&w);
    struct address *a = make_eip(&w), *b = make_eip(&w);
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    REQUIRE(!address_associate(w.m, b, eni, 0, true, &err));
    CHECK(!address_interface(w.m, a));
    CHECK(!a->association_id[0]);
    CHECK(address_interface(w.m, b) == eni);
    CHECK_INT(w.scope->n_resources[RES_ADDRESS], 2);
    err_clear(&err);
    CHECK(address_associate(w.m, a, eni, 0x0a000163, true, &err) < 0);   /* not the ENI's */
    CHECK_STR(err_code_name(err.code), "InvalidParameterValue");
    model_destroy(w.m);
}

TEST(eip_replaces_auto_public_ip, "an EIP on the primary frees the auto public IPv4 for good")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct network_interface *eni = make_eni(&w);
    REQUIRE(model_public_ip_alloc(w.m, &eni->public_ip));
    CHECK_INT(eni->public_ip, 0xcb007101);
    struct address *a = make_eip(&w);
    CHECK_INT(a->public_ip, 0xcb007102);
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    CHECK_INT(eni->public_ip, 0);
    /* The auto address went back to the pool. */
    struct address *b = make_eip(&w);
    CHECK_INT(b->public_ip, 0xcb007101);
    /* A lone interface gets no public IPv4 back. */
    REQUIRE(!address_disassociate(w.m, a, &err));
    CHECK_INT(eni->public_ip, 0);
    CHECK(!a->association_id[0]);
    /* Disassociating again changes nothing. */
    REQUIRE(!address_disassociate(w.m, a, &err));
    model_destroy(w.m);
}

TEST(eip_leaving_single_eni_instance_restores_public_ip,
     "on an instance with one interface the auto public IPv4 comes back")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct network_interface *eni = make_eni(&w);
    strcpy(eni->attachment.id, "eni-attach-0123456789abcdef0");
    strcpy(eni->attachment.instance_id, "i-0123456789abcdef0");
    REQUIRE(model_public_ip_alloc(w.m, &eni->public_ip));
    struct address *a = make_eip(&w);
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    CHECK_INT(eni->public_ip, 0);
    REQUIRE(!address_disassociate(w.m, a, &err));
    CHECK_INT(eni->public_ip, 0xcb007101);
    eni->attachment.id[0] = eni->attachment.instance_id[0] = '\0';
    model_destroy(w.m);
}

TEST(release_while_associated, "ReleaseAddress of an associated EIP is InvalidIPAddress.InUse")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct network_interface *eni = make_eni(&w);
    struct address *a = make_eip(&w);
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    err_clear(&err);
    CHECK(address_release(w.m, a, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidIPAddress.InUse");
    REQUIRE(!address_disassociate(w.m, a, &err));
    REQUIRE(!address_release(w.m, a, &err));
    CHECK_INT(w.scope->n_resources[RES_ADDRESS], 0);
    model_destroy(w.m);
}

TEST(igw_attach_rules, "one gateway per VPC and one VPC per gateway; delete needs a detach")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct internet_gateway *other;
    REQUIRE(!internet_gateway_create(w.m, w.scope, &other, &err));
    err_clear(&err);
    CHECK(internet_gateway_attach(w.m, other, w.vpc, &err) < 0);
    CHECK_STR(err_code_name(err.code), "Resource.AlreadyAssociated");
    err_clear(&err);
    CHECK(internet_gateway_attach(w.m, w.igw, w.vpc, &err) < 0);
    CHECK_STR(err_code_name(err.code), "Resource.AlreadyAssociated");
    err_clear(&err);
    CHECK(internet_gateway_detach(w.m, other, w.vpc, &err) < 0);
    CHECK_STR(err_code_name(err.code), "Gateway.NotAttached");
    err_clear(&err);
    CHECK(internet_gateway_delete(w.m, w.igw, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DependencyViolation");
    REQUIRE(!internet_gateway_detach(w.m, w.igw, w.vpc, &err));
    CHECK(!internet_gateway_of_vpc(w.m, w.vpc));
    REQUIRE(!internet_gateway_attach(w.m, other, w.vpc, &err));
    CHECK(internet_gateway_of_vpc(w.m, w.vpc) == other);
    REQUIRE(!internet_gateway_delete(w.m, w.igw, &err));
    model_destroy(w.m);
}

TEST(igw_detach_refused_while_mapped, "detach waits until no public address is mapped in the VPC")
{
    struct world w;
    struct error err;
    world_init(&w, &tiny_pool, true);
    struct network_interface *eni = make_eni(&w);
    struct address *a = make_eip(&w);
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    err_clear(&err);
    CHECK(internet_gateway_detach(w.m, w.igw, w.vpc, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DependencyViolation");
    CHECK(strstr(err.message, "mapped public address") != NULL);
    REQUIRE(!address_disassociate(w.m, a, &err));
    /* An auto-assigned public IPv4 counts as well. */
    REQUIRE(model_public_ip_alloc(w.m, &eni->public_ip));
    err_clear(&err);
    CHECK(internet_gateway_detach(w.m, w.igw, w.vpc, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DependencyViolation");
    model_public_ip_release(w.m, eni->public_ip);
    eni->public_ip = 0;
    REQUIRE(!internet_gateway_detach(w.m, w.igw, w.vpc, &err));
    model_destroy(w.m);
}

TEST(nat_state_over_time, "pending, available, deleting, deleted, then pruned; EIP kept")
{
    struct world w;
    struct error err;
    fake_now = 1000000;
    model_set_clock(fake_clock);
    world_init(&w, &tiny_pool, true);
    struct address *a = make_eip(&w);
    uint32_t free_before = subnet_available_count(w.subnet);
    struct nat_gateway *nat;
    REQUIRE(!nat_gateway_create(w.m, w.subnet, NULL, a->r.id, 0, &nat, &err));
    CHECK_STR(nat->connectivity_type, "public");
    CHECK_STR(nat_gateway_state(nat, fake_now), "pending");
    CHECK_STR(nat_gateway_state(nat, fake_now + NAT_GATEWAY_PENDING_SEC), "available");
    CHECK_INT(subnet_available_count(w.subnet), free_before - 1);
    struct network_interface *eni = network_interface_cast(
        model_find(w.m, nat->network_interface_id));
    REQUIRE(eni);
    CHECK(eni->requester_managed);
    CHECK_STR(eni->interface_type, "nat_gateway");
    CHECK(!eni->source_dest_check);
    CHECK(address_interface(w.m, a) == eni);
    CHECK_STR(nat->association_id, a->association_id);
    CHECK_INT(nat->public_ip, a->public_ip);
    CHECK_INT(nat->private_ip, eni->ips[0].addr);
    /* The gateway's EIP is the service's. */
    err_clear(&err);
    CHECK(address_disassociate(w.m, a, &err) < 0);
    CHECK_STR(err_code_name(err.code), "AuthFailure");
    err_clear(&err);
    CHECK(address_release(w.m, a, &err) < 0);
    CHECK_STR(err_code_name(err.code), "AuthFailure");
    err_clear(&err);
    CHECK(internet_gateway_detach(w.m, w.igw, w.vpc, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DependencyViolation");

    fake_now += 10;
    REQUIRE(!nat_gateway_delete(w.m, nat, &err));
    CHECK_INT(nat->delete_time, fake_now);
    CHECK_STR(nat_gateway_state(nat, fake_now), "deleting");
    CHECK_STR(nat_gateway_state(nat, fake_now + NAT_GATEWAY_DELETING_SEC), "deleted");
    CHECK(!model_find(w.m, nat->network_interface_id));
    CHECK_INT(subnet_available_count(w.subnet), free_before);
    CHECK(!a->association_id[0]);
    CHECK(model_find(w.m, a->r.id) != NULL);
    /* A second delete changes nothing. */
    int64_t deleted_at = nat->delete_time;
    fake_now += 5;
    REQUIRE(!nat_gateway_delete(w.m, nat, &err));
    CHECK_INT(nat->delete_time, deleted_at);

    char id[ID_SIZE];
    memcpy(id, nat->r.id, ID_SIZE);
    int64_t gone = deleted_at + NAT_GATEWAY_DELETING_SEC + NAT_GATEWAY_DELETED_VISIBLE_SEC;
    nat_gateway_prune(w.m, w.scope, gone - 1);
    CHECK(model_find(w.m, id) != NULL);
    /* A deleted gateway maps nothing any more. */
    REQUIRE(!internet_gateway_detach(w.m, w.igw, w.vpc, &err));
    nat_gateway_prune(w.m, w.scope, gone);
    CHECK(!model_find(w.m, id));
    model_set_clock(NULL);
    model_destroy(w.m);
}

TEST(nat_failures_are_states, "no IGW / unknown / taken EIP: a failed gateway, nothing taken")
{
    struct world w;
    struct error err;
    struct nat_gateway *nat;
    world_init(&w, &tiny_pool, false);
    struct address *a = make_eip(&w);
    uint32_t free_before = subnet_available_count(w.subnet);

    REQUIRE(!nat_gateway_create(w.m, w.subnet, "public", a->r.id, 0, &nat, &err));
    CHECK_STR(nat_gateway_state(nat, model_now()), "failed");
    CHECK_STR(nat->failure_code, "Gateway.NotAttached");
    CHECK(strstr(nat->failure_message, w.vpc->r.id) != NULL);
    CHECK(!nat->network_interface_id[0]);
    CHECK(!a->association_id[0]);
    CHECK_INT(subnet_available_count(w.subnet), free_before);

    struct internet_gateway *igw;
    REQUIRE(!internet_gateway_create(w.m, w.scope, &igw, &err));
    REQUIRE(!internet_gateway_attach(w.m, igw, w.vpc, &err));
    REQUIRE(!nat_gateway_create(w.m, w.subnet, NULL, "eipalloc-0123456789abcdef0", 0, &nat,
                                &err));
    CHECK_STR(nat->failure_code, "InvalidAllocationID.NotFound");

    struct network_interface *eni = make_eni(&w);
    REQUIRE(!address_associate(w.m, a, eni, 0, true, &err));
    REQUIRE(!nat_gateway_create(w.m, w.subnet, NULL, a->r.id, 0, &nat, &err));
    CHECK_STR(nat->failure_code, "Resource.AlreadyAssociated");
    CHECK(address_interface(w.m, a) == eni);
    /* Failed gateways can be deleted and block nothing. */
    REQUIRE(!nat_gateway_delete(w.m, nat, &err));
    CHECK_STR(nat_gateway_state(nat, nat->delete_time), "deleting");
    model_destroy(w.m);
}

TEST(nat_parameter_rules, "EIP required for public, refused for private; 5 per zone")
{
    struct world w;
    struct error err;
    struct nat_gateway *nat;
    world_init(&w, &tiny_pool, true);
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, "public", NULL, 0, &nat, &err) < 0);
    CHECK_STR(err_code_name(err.code), "MissingParameter");
    struct address *a = make_eip(&w);
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, "private", a->r.id, 0, &nat, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidParameterCombination");
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, NULL, "eipalloc-xyz", 0, &nat, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidAllocationID.Malformed");
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, "private", NULL, 0x0a000101, &nat, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidParameterValue");   /* the router's */

    /* A failed gateway does not count against the zone. */
    REQUIRE(!nat_gateway_create(w.m, w.subnet, NULL, "eipalloc-0123456789abcdef0", 0, &nat,
                                &err));
    CHECK(nat->failure_code[0]);
    for (int i = 0; i < NAT_GATEWAY_LIMIT_PER_AZ; i++) {
        REQUIRE(!nat_gateway_create(w.m, w.subnet, "private", NULL, 0, &nat, &err));
        CHECK(!nat->failure_code[0]);
        CHECK(!nat->public_ip);
    }
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, "private", NULL, 0, &nat, &err) < 0);
    CHECK_STR(err_code_name(err.code), "NatGatewayLimitExceeded");
    REQUIRE(!nat_gateway_delete(w.m, nat, &err));
    REQUIRE(!nat_gateway_create(w.m, w.subnet, "private", NULL, 0x0a000164, &nat, &err));
    CHECK_INT(nat->private_ip, 0x0a000164);
    model_destroy(w.m);
}

TEST(nat_dry_run_changes_nothing, "a dry-run CreateNatGateway takes no address and adds nothing")
{
    struct world w;
    struct error err;
    struct nat_gateway *nat;
    world_init(&w, &tiny_pool, true);
    struct address *a = make_eip(&w);
    uint32_t free_before = subnet_available_count(w.subnet);
    w.m->dry_run = true;
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, NULL, a->r.id, 0, &nat, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DryRunOperation");
    err_clear(&err);
    CHECK(nat_gateway_create(w.m, w.subnet, NULL, "eipalloc-0123456789abcdef0", 0, &nat, &err)
          < 0);
    CHECK_STR(err_code_name(err.code), "DryRunOperation");
    w.m->dry_run = false;
    CHECK_INT(w.scope->n_resources[RES_NAT_GATEWAY], 0);
    CHECK_INT(w.scope->n_resources[RES_NETWORK_INTERFACE], 0);
    CHECK_INT(subnet_available_count(w.subnet), free_before);
    CHECK(!a->association_id[0]);
    model_destroy(w.m);
}

TEST(vpc_delete_ignores_deleted_nat, "a deleted NAT gateway does not block DeleteVpc")
{
    struct world w;
    struct error err;
    struct nat_gateway *nat;
    world_init(&w, &tiny_pool, false);
    REQUIRE(!nat_gateway_create(w.m, w.subnet, "private", NULL, 0, &nat, &err));
    err_clear(&err);
    CHECK(subnet_delete(w.m, w.subnet, &err) < 0);
    CHECK_STR(err_code_name(err.code), "DependencyViolation");
    REQUIRE(!nat_gateway_delete(w.m, nat, &err));
    REQUIRE(!subnet_delete(w.m, w.subnet, &err));
    REQUIRE(!vpc_delete(w.m, w.vpc, &err));
    CHECK_INT(w.scope->n_resources[RES_NAT_GATEWAY], 0);
    model_destroy(w.m);
}
