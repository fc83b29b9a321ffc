/* vpc.h: VPC CIDR rules (vpc-semantics.md section 3), the resources made
 * and removed with a VPC, and the default VPC. */
#include "model/vpc.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/internet_gateway.h"
#include "model/network_acl.h"
#include "model/region.h"
#include "model/route_table.h"
#include "model/schema.h"
#include "model/security_group.h"
#include "model/subnet.h"

static const struct field vpc_cidr_fields[] = {
    F_STR(struct vpc_cidr, assoc_id),
    F_PREFIX4(struct vpc_cidr, cidr),
};

static const struct field vpc_fields[] = {
    F_FIXED_ARRAY(struct vpc, cidrs, n_cidrs, struct vpc_cidr, vpc_cidr_fields),
    F_STR(struct vpc, dhcp_options_id),
    F_STR(struct vpc, tenancy),
    F_BOOL(struct vpc, is_default),
    F_BOOL(struct vpc, enable_dns_support),
    F_BOOL(struct vpc, enable_dns_hostnames),
    F_BOOL(struct vpc, enable_network_address_usage_metrics),
};

const struct schema vpc_schema = SCHEMA(struct vpc, vpc_fields);

static const struct ip4_prefix rfc1918_10 = { 0x0a000000, 8 };
static const struct ip4_prefix rfc1918_172 = { 0xac100000, 12 };
static const struct ip4_prefix rfc1918_192 = { 0xc0a80000, 16 };
static const struct ip4_prefix range_198_19 = { 0xc6130000, 16 };
static const struct ip4_prefix range_172_31 = { 0xac1f0000, 16 };
static const struct ip4_prefix range_10_0_15 = { 0x0a000000, 15 };
static const struct ip4_prefix range_10_0_16 = { 0x0a000000, 16 };
static const struct ip4_prefix link_local = { 0xa9fe0000, 16 };
static const struct ip4_prefix multicast = { 0xe0000000, 4 };
static const struct ip4_prefix loopback = { 0x7f000000, 8 };
static const struct ip4_prefix this_network = { 0x00000000, 8 };
static const struct ip4_prefix reserved_240 = { 0xf0000000, 4 };

/* Which of AWS's address families a block belongs to, for the secondary
 * block table of section 3. */
enum block_family { FAM_10, FAM_172, FAM_192, FAM_198_19, FAM_PUBLIC };

static enum block_family
block_family(const struct ip4_prefix *p)
{
    if (ip4_prefix_contains(&rfc1918_10, p)) {
        return FAM_10;
    } else if (ip4_prefix_contains(&rfc1918_172, p)) {
        return FAM_172;
    } else if (ip4_prefix_contains(&rfc1918_192, p)) {
        return FAM_192;
    } else if (ip4_prefix_contains(&range_198_19, p)) {
        return FAM_198_19;
    }
    return FAM_PUBLIC;      /* public ranges and 100.64.0.0/10 */
}

/* Section 3: /16 to /28, and never link-local (or other special ranges no
 * VPC can use). */
static int
check_block(const struct ip4_prefix *cidr, struct error *err)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(cidr, text);
    if (cidr->len < VPC_MIN_PREFIX_LEN || cidr->len > VPC_MAX_PREFIX_LEN
        || ip4_prefix_overlaps(cidr, &link_local) || ip4_prefix_overlaps(cidr, &multicast)
        || ip4_prefix_overlaps(cidr, &loopback) || ip4_prefix_overlaps(cidr, &this_network)
        || ip4_prefix_overlaps(cidr, &reserved_240)) {
        return err_set(err, ERR_VPC_RANGE, "The CIDR '%s' is invalid.", text);
    }
    return 0;
}

int
vpc_create(struct model *m, struct scope *scope, const struct ip4_prefix *cidr,
           const char *tenancy, struct vpc **out, struct error *err)
{
    if (check_block(cidr, err)) {
        return -1;
    }
    if (tenancy && strcmp(tenancy, "default") && strcmp(tenancy, "dedicated")) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter instanceTenancy is invalid.", tenancy);
    }
    if (scope->n_resources[RES_VPC] >= VPC_LIMIT_PER_REGION) {
        return err_set(err, ERR_VPC_LIMIT_EXCEEDED,
                       "The maximum number of VPCs has been reached.");
    }
    /* The default security group counts against the region's quota: refuse
     * the VPC rather than make it without one. */
    if (scope->n_resources[RES_SECURITY_GROUP] >= SG_LIMIT_PER_REGION) {
        return err_set(err, ERR_SECURITY_GROUP_LIMIT_EXCEEDED,
                       "The maximum number of security groups has been reached, so the VPC's "
                       "default security group cannot be created.");
    }
    if (model_dry_run(m, err)) {
        return -1;
    }

    struct vpc *vpc = xzalloc(sizeof *vpc);
    model_new_id(m, "vpc", vpc->r.id);
    vpc->cidrs[0].cidr = *cidr;
    model_new_id(m, "vpc-cidr-assoc", vpc->cidrs[0].assoc_id);
    vpc->n_cidrs = 1;
    str_copy(vpc->tenancy, sizeof vpc->tenancy, tenancy ? tenancy : "default");
    model_default_dhcp_options_id(m, scope, vpc->dhcp_options_id);
    vpc->enable_dns_support = true;
    model_add(m, scope, &vpc->r, RES_VPC, NULL);

    /* Made with every VPC and removed with it (section 3). */
    struct route_table *rtb;
    ASSERT(!route_table_create(m, vpc, &rtb, NULL));
    route_table_make_main(m, rtb);
    struct network_acl *acl;
    ASSERT(!network_acl_create(m, vpc, true, &acl, NULL));
    struct security_group *sg;
    ASSERT(!security_group_create(m, vpc, "default", "default VPC security group", true, &sg,
                                  NULL));
    *out = vpc;
    return 0;
}

struct route_table *
vpc_main_route_table(const struct vpc *vpc)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_ROUTE_TABLE]) {
        struct route_table *rtb = route_table_cast(r);
        for (size_t i = 0; i < rtb->n_assocs; i++) {
            if (rtb->assocs[i].main) {
                return rtb;
            }
        }
    }
    return NULL;
}

struct network_acl *
vpc_default_network_acl(const struct vpc *vpc)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_ACL]) {
        if (network_acl_cast(r)->is_default) {
            return network_acl_cast(r);
        }
    }
    return NULL;
}

struct security_group *
vpc_default_security_group(const struct vpc *vpc)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SECURITY_GROUP]) {
        if (!strcmp(security_group_cast(r)->name, "default")) {
            return security_group_cast(r);
        }
    }
    return NULL;
}

/* Section 3, DeleteVpc: refused while it has subnets (hence ENIs, NAT
 * gateways), non-default security groups or ACLs, non-main route tables, or
 * an attached internet gateway. */
int
vpc_delete(struct model *m, struct vpc *vpc, struct error *err)
{
    size_t n_rtb = list_size(&vpc->children[RES_ROUTE_TABLE]);
    size_t n_acl = list_size(&vpc->children[RES_NETWORK_ACL]);
    size_t n_sg = list_size(&vpc->children[RES_SECURITY_GROUP]);
    bool has_other = false;
    for (size_t k = 0; k < N_RES_KINDS; k++) {
        /* A live NAT gateway or instance blocks through its interfaces; a
         * failed, deleted or terminated one (visible for an hour) does not,
         * and goes with the VPC. */
        if (k != RES_ROUTE_TABLE && k != RES_NETWORK_ACL && k != RES_SECURITY_GROUP
            && k != RES_NAT_GATEWAY && k != RES_INSTANCE && !list_is_empty(&vpc->children[k])) {
            has_other = true;
        }
    }
    if (has_other || n_rtb > 1 || n_acl > 1 || n_sg > 1 || internet_gateway_of_vpc(m, vpc)) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION,
                       "The vpc '%s' has dependencies and cannot be deleted.", vpc->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    for (size_t k = 0; k < N_RES_KINDS; k++) {
        struct resource *r, *next;
        LIST_FOR_EACH_SAFE (r, next, vpc_node, &vpc->children[k]) {
            model_remove(m, r);
        }
    }
    model_remove(m, &vpc->r);
    return 0;
}

bool
vpc_has_addr(const struct vpc *vpc, uint32_t addr)
{
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        if (ip4_prefix_has(&vpc->cidrs[i].cidr, addr)) {
            return true;
        }
    }
    return false;
}

const struct vpc_cidr *
vpc_find_cidr(const struct vpc *vpc, const struct ip4_prefix *cidr)
{
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        if (ip4_prefix_equal(&vpc->cidrs[i].cidr, cidr)) {
            return &vpc->cidrs[i];
        }
    }
    return NULL;
}

/* Section 3, AssociateVpcCidrBlock: the restriction table by where the
 * existing blocks lie. */
static bool
secondary_family_allowed(const struct vpc *vpc, const struct ip4_prefix *cidr)
{
    enum block_family fam = block_family(cidr);
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        const struct ip4_prefix *have = &vpc->cidrs[i].cidr;
        enum block_family have_fam = block_family(have);
        switch (have_fam) {
        case FAM_10:
            if (fam == FAM_172 || fam == FAM_192 || fam == FAM_198_19) {
                return false;
            }
            if (ip4_prefix_contains(&range_10_0_15, have)
                && ip4_prefix_overlaps(cidr, &range_10_0_16)) {
                return false;
            }
            break;
        case FAM_172:
            if (fam == FAM_10 || fam == FAM_192 || fam == FAM_198_19
                || ip4_prefix_overlaps(cidr, &range_172_31)) {
                return false;
            }
            break;
        case FAM_192:
            if (fam == FAM_10 || fam == FAM_172 || fam == FAM_198_19) {
                return false;
            }
            break;
        case FAM_198_19:
            if (fam == FAM_10 || fam == FAM_172 || fam == FAM_192) {
                return false;
            }
            break;
        case FAM_PUBLIC:
            if (fam != FAM_PUBLIC) {
                return false;
            }
            break;
        }
    }
    return true;
}

int
vpc_associate_cidr(struct model *m, struct vpc *vpc, const struct ip4_prefix *cidr,
                   const struct vpc_cidr **out, struct error *err)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(cidr, text);
    if (check_block(cidr, err)) {
        return -1;
    }
    if (vpc->n_cidrs >= VPC_MAX_CIDRS) {
        return err_set(err, ERR_CIDR_LIMIT_EXCEEDED,
                       "This network '%s' has met its maximum number of allowed CIDRs: %d",
                       vpc->r.id, VPC_MAX_CIDRS);
    }
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        if (ip4_prefix_overlaps(&vpc->cidrs[i].cidr, cidr)) {
            char have[IP4_PREFIX_STRLEN];
            ip4_prefix_format(&vpc->cidrs[i].cidr, have);
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "The CIDR '%s' conflicts with another CIDR '%s' of the vpc '%s'.",
                           text, have, vpc->r.id);
        }
    }
    if (!secondary_family_allowed(vpc, cidr)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The CIDR '%s' is restricted. Use a CIDR from the same private address "
                       "range as the current VPC CIDR, or use a publicly-routable CIDR.",
                       text);
    }
    /* Not equal to or larger than any route destination in the VPC's tables. */
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_ROUTE_TABLE]) {
        const struct route_table *rtb = route_table_cast(r);
        for (size_t i = 0; i < rtb->n_routes; i++) {
            const struct route *route = &rtb->routes[i];
            if (!route->ipv6 && route->target != ROUTE_TARGET_LOCAL
                && ip4_prefix_contains(cidr, &route->dst)) {
                char dst[IP4_PREFIX_STRLEN];
                ip4_prefix_format(&route->dst, dst);
                return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                               "The CIDR '%s' conflicts with the route '%s' in route table "
                               "'%s'.", text, dst, rtb->r.id);
            }
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct vpc_cidr *c = &vpc->cidrs[vpc->n_cidrs++];
    c->cidr = *cidr;
    model_new_id(m, "vpc-cidr-assoc", c->assoc_id);
    model_touch(m, &vpc->r);
    route_table_add_local_routes(m, vpc, cidr);
    *out = c;
    return 0;
}

int
vpc_disassociate_cidr(struct model *m, struct scope *scope, const char *assoc_id,
                      struct vpc **vpc_out, struct vpc_cidr *removed, struct error *err)
{
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_VPC]) {
        struct vpc *vpc = vpc_cast(r);
        for (size_t i = 0; i < vpc->n_cidrs; i++) {
            if (strcmp(vpc->cidrs[i].assoc_id, assoc_id)) {
                continue;
            }
            if (i == 0) {
                return err_set(err, ERR_OPERATION_NOT_PERMITTED,
                               "The vpc CIDR block with association ID %s may not be "
                               "disassociated. It is the primary IPv4 CIDR block of the VPC",
                               assoc_id);
            }
            struct resource *s;
            LIST_FOR_EACH (s, vpc_node, &vpc->children[RES_SUBNET]) {
                if (ip4_prefix_contains(&vpc->cidrs[i].cidr, &subnet_cast(s)->cidr)) {
                    return err_set(err, ERR_DEPENDENCY_VIOLATION,
                                   "The vpc CIDR block with association ID %s may not be "
                                   "disassociated. It has subnets in it.", assoc_id);
                }
            }
            if (model_dry_run(m, err)) {
                return -1;
            }
            *removed = vpc->cidrs[i];
            memmove(&vpc->cidrs[i], &vpc->cidrs[i + 1],
                    (vpc->n_cidrs - i - 1) * sizeof vpc->cidrs[0]);
            vpc->n_cidrs--;
            model_touch(m, &vpc->r);
            route_table_remove_local_routes(m, vpc, &removed->cidr);
            *vpc_out = vpc;
            return 0;
        }
    }
    return err_set(err, ERR_ASSOCIATION_NOT_FOUND,
                   "The vpc CIDR block association ID '%s' does not exist", assoc_id);
}

struct vpc *
vpc_find_default(const struct model *m, const struct scope *scope)
{
    (void) m;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_VPC]) {
        if (vpc_cast(r)->is_default) {
            return vpc_cast(r);
        }
    }
    return NULL;
}

/* Section 3, default VPC: 172.31.0.0/16, a /20 default subnet per zone with
 * public IPs on launch, an attached internet gateway, 0.0.0.0/0 to it in the
 * main table, DNS hostnames on. */
static int
make_default_vpc(struct model *m, struct scope *scope, struct vpc **out, struct error *err)
{
    static const struct ip4_prefix default_cidr = { 0xac1f0000, 16 };
    struct vpc *vpc;
    /* The quotas are checked before anything is made, so a refusal leaves
     * nothing behind; after vpc_create() nothing below can fail. */
    if (scope->n_resources[RES_INTERNET_GATEWAY] >= IGW_LIMIT_PER_REGION) {
        return err_set(err, ERR_INTERNET_GATEWAY_LIMIT_EXCEEDED,
                       "The maximum number of internet gateways has been reached, so the "
                       "default VPC's gateway cannot be created.");
    }
    if (vpc_create(m, scope, &default_cidr, "default", &vpc, err)) {
        return -1;
    }
    vpc->is_default = true;
    vpc->enable_dns_hostnames = true;

    const struct region *region = region_find(scope->region);
    for (size_t i = 0; region && i < region->n_zones; i++) {
        struct ip4_prefix cidr = { default_cidr.addr + ((uint32_t) i << 12), 20 };
        struct subnet *subnet;
        ASSERT(!subnet_create(m, vpc, &cidr, region->zones[i].name, &subnet, NULL));
        subnet->default_for_az = true;
        subnet->map_public_ip_on_launch = true;
    }
    struct internet_gateway *igw;
    ASSERT(!internet_gateway_create(m, scope, &igw, NULL));
    ASSERT(!internet_gateway_attach(m, igw, vpc, NULL));
    static const struct ip4_prefix any = { 0, 0 };
    ASSERT(!route_table_add_route(m, vpc_main_route_table(vpc), &any, ROUTE_TARGET_GATEWAY,
                                  igw->r.id, NULL));
    scope->default_vpc_made = true;
    model_touch_key(m, scope->key);
    *out = vpc;
    return 0;
}

void
vpc_ensure_default(struct model *m, struct scope *scope)
{
    if (m->config.default_vpc && !scope->default_vpc_made) {
        bool dry_run = m->dry_run;
        struct vpc *vpc;
        m->dry_run = false;
        /* Only a scope already at its quotas can refuse; it then has no
         * default VPC, as an account whose default VPC was deleted. */
        make_default_vpc(m, scope, &vpc, NULL);
        m->dry_run = dry_run;
    }
}

int
vpc_create_default(struct model *m, struct scope *scope, struct vpc **out, struct error *err)
{
    struct vpc *vpc = vpc_find_default(m, scope);
    if (vpc) {
        return err_set(err, ERR_DEFAULT_VPC_ALREADY_EXISTS,
                       "A Default VPC already exists for this account in this region.");
    }
    /* vpc_create() inside answers a dry run once every quota is checked. */
    return make_default_vpc(m, scope, out, err);
}

/* DescribeVpcs filters (as documented for the action). */
static void
f_cidr(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_prefix4(fv, &vpc_cast((struct resource *) r)->cidrs[0].cidr);
}

static void
f_assoc_cidr(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct vpc *vpc = vpc_cast((struct resource *) r);
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        filter_emit_prefix4(fv, &vpc->cidrs[i].cidr);
    }
}

static void
f_assoc_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct vpc *vpc = vpc_cast((struct resource *) r);
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        filter_emit(fv, vpc->cidrs[i].assoc_id);
    }
}

static void
f_assoc_state(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    filter_emit(fv, "associated");
}

static void
f_dhcp(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, vpc_cast((struct resource *) r)->dhcp_options_id);
}

static void
f_is_default(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, vpc_cast((struct resource *) r)->is_default);
}

static void
f_state(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    filter_emit(fv, "available");
}

static void
f_tenancy(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, vpc_cast((struct resource *) r)->tenancy);
}

const struct filter_def vpc_filters[] = {
    { "cidr", f_cidr },
    { "cidr-block-association.cidr-block", f_assoc_cidr },
    { "cidr-block-association.association-id", f_assoc_id },
    { "cidr-block-association.state", f_assoc_state },
    { "dhcp-options-id", f_dhcp },
    { "is-default", f_is_default },
    { "isDefault", f_is_default },
    { "owner-id", filter_resource_owner_id },
    { "state", f_state },
    { "instance-tenancy", f_tenancy },
    { "vpc-id", filter_resource_id },
};
const size_t vpc_n_filters = ARRAY_SIZE(vpc_filters);

int
vpc_set_attribute(struct model *m, struct vpc *vpc, const char *attribute, bool value,
                  struct error *err)
{
    if (model_dry_run(m, err)) {
        return -1;
    }
    if (!strcmp(attribute, "EnableDnsSupport")) {
        vpc->enable_dns_support = value;
    } else if (!strcmp(attribute, "EnableDnsHostnames")) {
        vpc->enable_dns_hostnames = value;
    } else if (!strcmp(attribute, "EnableNetworkAddressUsageMetrics")) {
        vpc->enable_network_address_usage_metrics = value;
    } else {
        NOT_REACHED();
    }
    model_touch(m, &vpc->r);
    return 0;
}
