/* subnet.h: subnet ranges, reserved addresses and address accounting
 * (vpc-semantics.md section 4). */
#include "model/subnet.h"

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
};

const struct schema subnet_schema = SCHEMA(struct subnet, subnet_fields);

/* Zones are picked round-robin over the VPC's subnets when none is named
 * (AWS picks one "for you"; spreading them is what users expect). */
static const struct availability_zone *
pick_zone(const struct region *region, const struct vpc *vpc)
{
    return &region->zones[list_size(&vpc->children[RES_SUBNET]) % region->n_zones];
}

int
subnet_create(struct model *m, struct vpc *vpc, const struct ip4_prefix *cidr, const char *az,
              struct subnet **out, struct error *err)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(cidr, text);

    const struct region *region = region_find(vpc->r.scope->region);
    ASSERT(region);
    const struct availability_zone *zone;
    if (az) {
        zone = region_find_zone(region, az);
        if (!zone) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter availabilityZone is invalid. Subnets can "
                           "currently only be created in the following availability zones: "
                           "%s.", az, region->zones[0].name);
        }
    } else {
        zone = pick_zone(region, vpc);
    }

    /* Section 4: inside one VPC block, /16 to /28. */
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
    if (model_dry_run(m, err)) {
        return -1;
    }

    struct subnet *subnet = xzalloc(sizeof *subnet);
    model_new_id(m, "subnet", subnet->r.id);
    subnet->cidr = *cidr;
    str_copy(subnet->az, sizeof subnet->az, zone->name);
    str_copy(subnet->az_id, sizeof subnet->az_id, zone->zone_id);
    subnet_init_derived(subnet);
    model_add(m, vpc->r.scope, &subnet->r, RES_SUBNET, &vpc->r);
    network_acl_associate_new_subnet(m, vpc, subnet->r.id);
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

/* Section 4: DeleteSubnet with network interfaces in it is refused. */
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
    return addr - subnet->cidr.addr <= 3 || addr == ip4_prefix_last(&subnet->cidr);
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

int
subnet_take_addr(struct subnet *subnet, uint32_t addr, uint32_t *out, struct error *err)
{
    char text[IP4_STRLEN];
    if (addr) {
        ip4_format(addr, text);
        if (!ip4_prefix_has(&subnet->cidr, addr)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Address %s does not fall within the subnet's address range",
                           text);
        }
        if (subnet_addr_reserved(subnet, addr)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Address %s is in subnet's reserved address range", text);
        }
        if (subnet_addr_in_use(subnet, addr)) {
            return err_set(err, ERR_IP_ADDRESS_IN_USE,
                           "The specified address is already in use.");
        }
        mark(subnet, addr);
        *out = addr;
        return 0;
    }
    /* Section 5: any free address; vpcd takes the lowest. */
    uint32_t size = (uint32_t) ip4_prefix_size(&subnet->cidr);
    for (uint32_t i = 4; i + 1 < size; i++) {
        if (!((subnet->used[i / 64] >> (i % 64)) & 1)) {
            mark(subnet, subnet->cidr.addr + i);
            *out = subnet->cidr.addr + i;
            return 0;
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
