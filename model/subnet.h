/* Subnets: range and overlap rules, the five reserved addresses, address
 * accounting for AvailableIpAddressCount and private IP assignment
 * (vpc-semantics.md section 4). */
#ifndef VPCD_MODEL_SUBNET_H
#define VPCD_MODEL_SUBNET_H

#include "model/model.h"

enum {
    SUBNET_MIN_PREFIX_LEN = 16,
    SUBNET_MAX_PREFIX_LEN = 28,
    SUBNET_LIMIT_PER_VPC = 200,
    SUBNET_RESERVED_ADDRESSES = 5,
};

struct subnet {
    struct resource r;
    struct ip4_prefix cidr;
    char cidr_assoc_id[ID_SIZE];        /* unused for IPv4 (AWS has none); kept for IPv6 */
    char az[AZ_SIZE];
    char az_id[AZ_ID_SIZE];
    bool map_public_ip_on_launch;
    bool default_for_az;
    /* Derived, not stored: which addresses ENIs hold (bit per address of cidr). */
    uint64_t *used;
    uint32_t n_used;
};

static inline struct subnet *
subnet_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct subnet, r) : NULL;
}

/* 'az' is the zone name ("us-east-1a"), or NULL to let vpcd pick. */
int subnet_create(struct model *, struct vpc *, const struct ip4_prefix *cidr, const char *az,
                  struct subnet **out, struct error *err);
int subnet_delete(struct model *, struct subnet *, struct error *err);

/* The derived address bitmap: made empty for a new or loaded subnet (ENIs
 * then mark their addresses), freed with the subnet. */
void subnet_init_derived(struct subnet *);
void subnet_free_derived(struct subnet *);

/* AvailableIpAddressCount: 2^(32-len) - 5 - addresses in use. */
uint32_t subnet_available_count(const struct subnet *);
/* Whether 'addr' is one of the five AWS reserves (base, +1, +2, +3, last). */
bool subnet_addr_reserved(const struct subnet *, uint32_t addr);
/* Takes 'addr' (InvalidIPAddress.InUse if taken, InvalidParameterValue if
 * outside the subnet or reserved), or with 'addr' 0 any free address
 * (InsufficientFreeAddressesInSubnet when full). */
int subnet_take_addr(struct subnet *, uint32_t addr, uint32_t *out, struct error *err);
void subnet_release_addr(struct subnet *, uint32_t addr);
bool subnet_addr_in_use(const struct subnet *, uint32_t addr);
/* The router address (base + 1). */
static inline uint32_t
subnet_router(const struct subnet *s)
{
    return s->cidr.addr + 1;
}

/* The subnet's route table: its explicit association, else the VPC's main. */
struct route_table *subnet_route_table(const struct model *, const struct subnet *);
struct network_acl *subnet_network_acl(const struct model *, const struct subnet *);

#endif
