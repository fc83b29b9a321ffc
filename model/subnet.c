/* subnet.h: subnet ranges, reserved addresses, address accounting, the
 * subnet attributes and DescribeSubnets filters (vpc-semantics.md section 4). */
#include "model/subnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/network_acl.h"
#include "model/region.h"
#include "model/route_table.h"
#include "model/schema.h"
#include "model/vpc.h"

static const struct field subnet_fields[] = {
    F_PREFIX4(struct subnet, cidr),
    F_STR(struct subnet, cidr_assoc_id),
    F_STR(struct subnet, az),
    F_STR(struct subnet, az_id),
    F_BOOL(struct subnet, map_public_ip_on_launch),
    F_BOOL(struct subnet, default_for_az),
    F_BOOL(struct subnet, enable_dns64),
    F_STR(struct subnet, hostname_type),
    F_BOOL(struct subnet, enable_resource_name_dns_a_record),
};

const struct schema subnet_schema = SCHEMA(struct subnet, subnet_fields);

/* Zones are picked round-robin over the VPC's subnets when none is named
 * (AWS picks one "for you"; spreading them is what users expect). */
static const struct availability_zone *
pick_zone(const struct region *region, const struct vpc *vpc)
{
    return &region->zones[list_size(&vpc->children[RES_SUBNET]) % region->n_zones];
}

/* Section 4: a zone the region has, named by zone name or zone id; anything
 * else is InvalidParameterValue listing the region's zones, as AWS does. */
static const struct availability_zone *
find_zone(const struct region *region, const char *az, struct error *err)
{
    const struct availability_zone *zone = region_find_zone(region, az);
    if (zone) {
        return zone;
    }
    char names[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < region->n_zones && len < sizeof names; i++) {
        int n = snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                         region->zones[i].name);
        len += n > 0 ? (size_t) n : 0;
    }
    err_set(err, ERR_INVALID_PARAMETER_VALUE,
            "Value (%s) for parameter %s is invalid. Subnets can currently only be created in "
            "the following availability zones: %s.", az,
            strstr(az, "-az") ? "availabilityZoneId" : "availabilityZone", names);
    return NULL;
}

/* Section 4: inside one VPC block, /16 to /28 (equal to the block is fine),
 * no overlap with the VPC's other subnets, at most SUBNET_LIMIT_PER_VPC. */
static int
check_cidr(const struct vpc *vpc, const struct ip4_prefix *cidr, struct error *err)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(cidr, text);

    bool inside = false;
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        inside = inside || ip4_prefix_contains(&vpc->cidrs[i].cidr, cidr);
    }
    if (!inside || cidr->len < SUBNET_MIN_PREFIX_LEN || cidr->len > SUBNET_MAX_PREFIX_LEN) {
        return err_set(err, ERR_SUBNET_RANGE, "The CIDR '%s' is invalid.", text);
    }
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SUBNET]) {
        if (ip4_prefix_overlaps(&subnet_cast(r)->cidr, cidr)) {
            return err_set(err, ERR_SUBNET_CONFLICT,
                           "The CIDR '%s' conflicts with another subnet", text);
        }
    }
    if (list_size(&vpc->children[RES_SUBNET]) >= SUBNET_LIMIT_PER_VPC) {
        return err_set(err, ERR_SUBNET_LIMIT_EXCEEDED,
                       "The maximum number of subnets has been reached for %s.", vpc->r.id);
    }
    return 0;
}

int
subnet_create(struct model *m, struct vpc *vpc, const struct ip4_prefix *cidr, const char *az,
              struct subnet **out, struct error *err)
{
    const struct region *region = region_find(vpc->r.scope->region);
    ASSERT(region);
    const struct availability_zone *zone = az ? find_zone(region, az, err)
                                              : pick_zone(region, vpc);
    if (!zone || check_cidr(vpc, cidr, err)) {
        return -1;
    }
    if (model_dry_run(m, err)) {
        return -1;
    }

    struct subnet *subnet = xzalloc(sizeof *subnet);
    model_new_id(m, "subnet", subnet->r.id);
    subnet->cidr = *cidr;
    str_copy(subnet->az, sizeof subnet->az, zone->name);
    str_copy(subnet->az_id, sizeof subnet->az_id, zone->zone_id);
    str_copy(subnet->hostname_type, sizeof subnet->hostname_type, "ip-name");
    subnet_init_derived(subnet);
    model_add(m, vpc->r.scope, &subnet->r, RES_SUBNET, &vpc->r);
    network_acl_associate_new_subnet(m, vpc, subnet->r.id);
    *out = subnet;
    return 0;
}

/* Section 3: CreateDefaultSubnet adds the /20 a zone of the default VPC is
 * missing.  The default subnets are consecutive /20s of 172.31.0.0/16, so the
 * lowest /20 no subnet overlaps is the one that went missing. */
int
subnet_create_default(struct model *m, struct scope *scope, const char *az,
                      struct subnet **out, struct error *err)
{
    struct vpc *vpc = vpc_find_default(m, scope);
    if (!vpc) {
        return err_set(err, ERR_DEFAULT_VPC_DOES_NOT_EXIST,
                       "No default VPC exists for this account in this region.");
    }
    const struct region *region = region_find(scope->region);
    ASSERT(region);
    const struct availability_zone *zone = find_zone(region, az, err);
    if (!zone) {
        return -1;
    }
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SUBNET]) {
        const struct subnet *s = subnet_cast(r);
        if (s->default_for_az && !strcmp(s->az, zone->name)) {
            return err_set(err, ERR_DEFAULT_SUBNET_ALREADY_EXISTS,
                           "A default subnet already exists in availability zone %s: %s",
                           zone->name, s->r.id);
        }
    }
    const struct ip4_prefix *block = &vpc->cidrs[0].cidr;
    struct ip4_prefix cidr = { 0, SUBNET_DEFAULT_PREFIX_LEN };
    bool found = false;
    if (block->len <= SUBNET_DEFAULT_PREFIX_LEN) {
        uint64_t n = 1ULL << (SUBNET_DEFAULT_PREFIX_LEN - block->len);
        for (uint64_t i = 0; i < n && !found; i++) {
            cidr.addr = block->addr + (uint32_t) (i << (32 - SUBNET_DEFAULT_PREFIX_LEN));
            found = true;
            LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SUBNET]) {
                if (ip4_prefix_overlaps(&subnet_cast(r)->cidr, &cidr)) {
                    found = false;
                    break;
                }
            }
        }
    }
    if (!found) {
        return err_set(err, ERR_SUBNET_CONFLICT,
                       "The default VPC '%s' has no free /%d for a default subnet.", vpc->r.id,
                       SUBNET_DEFAULT_PREFIX_LEN);
    }
    struct subnet *subnet;
    if (subnet_create(m, vpc, &cidr, zone->name, &subnet, err)) {
        return -1;
    }
    subnet->default_for_az = true;
    subnet->map_public_ip_on_launch = true;
    *out = subnet;
    return 0;
}

void
subnet_init_derived(struct subnet *subnet)
{
    free(subnet->used);
    subnet->used = xzalloc((ip4_prefix_size(&subnet->cidr) + 63) / 64 * 8);
    subnet->n_used = 0;
}

void
subnet_free_derived(struct subnet *subnet)
{
    free(subnet->used);
    subnet->used = NULL;
}

/* Section 4: DeleteSubnet with network interfaces in it is refused; the
 * subnet's explicit route table association and ACL association go with it. */
int
subnet_delete(struct model *m, struct subnet *subnet, struct error *err)
{
    if (subnet->n_used) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION,
                       "The subnet '%s' has dependencies and cannot be deleted.",
                       subnet->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct vpc *vpc = vpc_cast(model_find(m, subnet->r.vpc_id));
    size_t index;
    struct route_table *rtb = route_table_of_subnet(m, vpc, subnet->r.id, &index);
    if (rtb) {
        memmove(&rtb->assocs[index], &rtb->assocs[index + 1],
                (rtb->n_assocs - index - 1) * sizeof rtb->assocs[0]);
        rtb->n_assocs--;
        model_touch(m, &rtb->r);
    }
    network_acl_forget_subnet(m, vpc, subnet->r.id);
    model_remove(m, &subnet->r);
    return 0;
}

/* Section 4, attributes.  vpcd has no IPv6 subnets and no Outposts, so the
 * attributes that need one can only be turned off, with the error AWS gives
 * such a subnet. */
int
subnet_set_attribute(struct model *m, struct subnet *subnet, enum subnet_attr attr, bool value,
                     struct error *err)
{
    switch (attr) {
    case SUBNET_ATTR_ASSIGN_IPV6_ADDRESS_ON_CREATION:
        if (value) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set "
                           "assignIpv6AddressOnCreation to true unless the subnet (%s) has an "
                           "IPv6 CIDR block associated with it.", subnet->r.id);
        }
        break;
    case SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_AAAA_RECORD:
        if (value) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid value 'true' for enableResourceNameDnsAAAARecordOnLaunch. "
                           "The subnet (%s) has no IPv6 CIDR block.", subnet->r.id);
        }
        break;
    case SUBNET_ATTR_MAP_CUSTOMER_OWNED_IP_ON_LAUNCH:
        if (value) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid value 'true' for mapCustomerOwnedIpOnLaunch. The subnet "
                           "(%s) is not on an Outpost.", subnet->r.id);
        }
        break;
    case SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH:
    case SUBNET_ATTR_ENABLE_DNS64:
    case SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_A_RECORD:
        break;
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    switch (attr) {
    case SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH:
        subnet->map_public_ip_on_launch = value;
        break;
    case SUBNET_ATTR_ENABLE_DNS64:
        subnet->enable_dns64 = value;
        break;
    case SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_A_RECORD:
        subnet->enable_resource_name_dns_a_record = value;
        break;
    case SUBNET_ATTR_ASSIGN_IPV6_ADDRESS_ON_CREATION:
    case SUBNET_ATTR_MAP_CUSTOMER_OWNED_IP_ON_LAUNCH:
    case SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_AAAA_RECORD:
        break;      /* can only be false, and is */
    }
    model_touch(m, &subnet->r);
    return 0;
}

int
subnet_set_hostname_type(struct model *m, struct subnet *subnet, const char *type,
                         struct error *err)
{
    if (strcmp(type, "ip-name") && strcmp(type, "resource-name")) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter privateDnsHostnameTypeOnLaunch is invalid.",
                       type);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    str_copy(subnet->hostname_type, sizeof subnet->hostname_type, type);
    model_touch(m, &subnet->r);
    return 0;
}

const char *
subnet_hostname_type(const struct subnet *subnet)
{
    return subnet->hostname_type[0] ? subnet->hostname_type : "ip-name";
}

uint32_t
subnet_available_count(const struct subnet *subnet)
{
    return (uint32_t) ip4_prefix_size(&subnet->cidr) - SUBNET_RESERVED_ADDRESSES
           - subnet->n_used;
}

/* Section 4: base (network), +1 router, +2 DNS, +3 future use, and the last. */
bool
subnet_addr_reserved(const struct subnet *subnet, uint32_t addr)
{
    return ip4_prefix_has(&subnet->cidr, addr)
           && (addr - subnet->cidr.addr <= 3 || addr == ip4_prefix_last(&subnet->cidr));
}

bool
subnet_addr_in_use(const struct subnet *subnet, uint32_t addr)
{
    uint32_t i = addr - subnet->cidr.addr;
    return ip4_prefix_has(&subnet->cidr, addr) && (subnet->used[i / 64] >> (i % 64)) & 1;
}

static void
mark(struct subnet *subnet, uint32_t addr)
{
    uint32_t i = addr - subnet->cidr.addr;
    subnet->used[i / 64] |= 1ULL << (i % 64);
    subnet->n_used++;
}

/* Section 5: outside the subnet → InvalidParameterValue, reserved →
 * InvalidParameterValue, taken → InvalidIPAddress.InUse. */
int
subnet_check_addr(const struct subnet *subnet, uint32_t addr, struct error *err)
{
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    if (!ip4_prefix_has(&subnet->cidr, addr)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Address %s does not fall within the subnet's address range", text);
    }
    if (subnet_addr_reserved(subnet, addr)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Address %s is in subnet's reserved address range", text);
    }
    if (subnet_addr_in_use(subnet, addr)) {
        return err_set(err, ERR_IP_ADDRESS_IN_USE,
                       "The specified address %s is already in use.", text);
    }
    return 0;
}

int
subnet_take_addr(struct subnet *subnet, uint32_t addr, uint32_t *out, struct error *err)
{
    if (addr) {
        if (subnet_check_addr(subnet, addr, err)) {
            return -1;
        }
        mark(subnet, addr);
        *out = addr;
        return 0;
    }
    /* Section 5: any free address; vpcd takes the lowest, skipping whole
     * words of the bitmap that are full. */
    uint64_t size = ip4_prefix_size(&subnet->cidr);
    if (subnet_available_count(subnet)) {
        for (uint64_t w = 0; w < (size + 63) / 64; w++) {
            if (subnet->used[w] == UINT64_MAX) {
                continue;
            }
            for (uint64_t i = w * 64; i < (w + 1) * 64 && i < size; i++) {
                uint32_t a = subnet->cidr.addr + (uint32_t) i;
                if (!((subnet->used[w] >> (i % 64)) & 1) && !subnet_addr_reserved(subnet, a)) {
                    mark(subnet, a);
                    *out = a;
                    return 0;
                }
            }
        }
    }
    return err_set(err, ERR_INSUFFICIENT_FREE_ADDRESSES,
                   "Insufficient free IP addresses in subnet %s.", subnet->r.id);
}

void
subnet_release_addr(struct subnet *subnet, uint32_t addr)
{
    if (subnet_addr_in_use(subnet, addr)) {
        uint32_t i = addr - subnet->cidr.addr;
        subnet->used[i / 64] &= ~(1ULL << (i % 64));
        subnet->n_used--;
    }
}

void
subnet_format_arn(const struct subnet *subnet, char *out, size_t size)
{
    snprintf(out, size, "arn:aws:ec2:%s:%s:subnet/%s", subnet->r.scope->region,
             subnet->r.scope->account, subnet->r.id);
}

struct route_table *
subnet_route_table(const struct model *m, const struct subnet *subnet)
{
    const struct vpc *vpc = vpc_cast(model_find(m, subnet->r.vpc_id));
    size_t index;
    struct route_table *rtb = route_table_of_subnet(m, vpc, subnet->r.id, &index);
    return rtb ? rtb : vpc_main_route_table(vpc);
}

struct network_acl *
subnet_network_acl(const struct model *m, const struct subnet *subnet)
{
    const struct vpc *vpc = vpc_cast(model_find(m, subnet->r.vpc_id));
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_ACL]) {
        struct network_acl *acl = network_acl_cast(r);
        for (size_t i = 0; i < acl->n_assocs; i++) {
            if (!strcmp(acl->assocs[i].subnet_id, subnet->r.id)) {
                return acl;
            }
        }
    }
    return NULL;
}

/* DescribeSubnets filters (as documented for the action, with the
 * camel-case aliases AWS still accepts). */
static const struct subnet *
as_subnet(const struct resource *r)
{
    return subnet_cast((struct resource *) r);
}

static void
f_cidr(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_prefix4(fv, &as_subnet(r)->cidr);
}

static void
f_az(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_subnet(r)->az);
}

static void
f_az_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_subnet(r)->az_id);
}

static void
f_available(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_int(fv, subnet_available_count(as_subnet(r)));
}

static void
f_default_for_az(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, as_subnet(r)->default_for_az);
}

static void
f_map_public_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, as_subnet(r)->map_public_ip_on_launch);
}

static void
f_false(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    filter_emit_bool(fv, false);
}

static void
f_dns64(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, as_subnet(r)->enable_dns64);
}

static void
f_hostname_type(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, subnet_hostname_type(as_subnet(r)));
}

static void
f_dns_a(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, as_subnet(r)->enable_resource_name_dns_a_record);
}

static void
f_state(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    filter_emit(fv, "available");
}

static void
f_arn(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    char arn[128];
    subnet_format_arn(as_subnet(r), arn, sizeof arn);
    filter_emit_copy(fv, arn);
}

const struct filter_def subnet_filters[] = {
    { "availability-zone", f_az },
    { "availabilityZone", f_az },
    { "availability-zone-id", f_az_id },
    { "availabilityZoneId", f_az_id },
    { "available-ip-address-count", f_available },
    { "cidr-block", f_cidr },
    { "cidr", f_cidr },
    { "cidrBlock", f_cidr },
    { "default-for-az", f_default_for_az },
    { "defaultForAz", f_default_for_az },
    { "enable-dns64", f_dns64 },
    { "ipv6-native", f_false },
    { "map-customer-owned-ip-on-launch", f_false },
    { "map-public-ip-on-launch", f_map_public_ip },
    { "owner-id", filter_resource_owner_id },
    { "private-dns-name-options-on-launch.hostname-type", f_hostname_type },
    { "private-dns-name-options-on-launch.enable-resource-name-dns-a-record", f_dns_a },
    { "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record", f_false },
    { "state", f_state },
    { "subnet-arn", f_arn },
    { "subnet-id", filter_resource_id },
    { "vpc-id", filter_resource_vpc_id },
};
const size_t subnet_n_filters = ARRAY_SIZE(subnet_filters);
