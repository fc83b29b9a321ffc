/* Subnets: range and overlap rules, the five reserved addresses, address
 * accounting for AvailableIpAddressCount and private IP assignment
 * (vpc-semantics.md section 4).
 *
 * Address accounting: each subnet keeps a bitmap with one bit per address of
 * its block, set for every address an interface holds (primary and
 * secondary, requester-managed interfaces included).  The bitmap is derived,
 * not stored: after a load model_rebuild_derived() makes it again from the
 * interfaces, so the interfaces' address lists are the one truth.  The five
 * reserved addresses are never set; AvailableIpAddressCount is the block size
 * minus five minus the bits set. */
#ifndef VPCD_MODEL_SUBNET_H
#define VPCD_MODEL_SUBNET_H

#include "model/filter.h"
#include "model/model.h"

enum {
    SUBNET_MIN_PREFIX_LEN = 16,
    SUBNET_MAX_PREFIX_LEN = 28,
    SUBNET_LIMIT_PER_VPC = 200,
    SUBNET_RESERVED_ADDRESSES = 5,
    SUBNET_DEFAULT_PREFIX_LEN = 20,     /* default subnets are /20s of the default VPC */
    SUBNET_HOSTNAME_TYPE_SIZE = 16,     /* "resource-name" + NUL */
};

struct subnet {
    struct resource r;
    struct ip4_prefix cidr;
    char cidr_assoc_id[ID_SIZE];        /* unused for IPv4 (AWS has none); kept for IPv6 */
    char az[AZ_SIZE];
    char az_id[AZ_ID_SIZE];
    bool map_public_ip_on_launch;
    bool default_for_az;
    bool enable_dns64;
    /* PrivateDnsNameOptionsOnLaunch: "ip-name" (also when "") or "resource-name". */
    char hostname_type[SUBNET_HOSTNAME_TYPE_SIZE];
    bool enable_resource_name_dns_a_record;
    /* Derived, not stored: which addresses ENIs hold (bit per address of cidr). */
    uint64_t *used;
    uint32_t n_used;
};

static inline struct subnet *
subnet_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct subnet, r) : NULL;
}

/* CreateSubnet: 'cidr' canonical; 'az' is the zone name ("us-east-1a") or
 * zone id ("use1-az1"), or NULL to let vpcd pick.  InvalidSubnet.Range,
 * InvalidSubnet.Conflict, SubnetLimitExceeded, InvalidParameterValue (zone). */
int subnet_create(struct model *, struct vpc *, const struct ip4_prefix *cidr, const char *az,
                  struct subnet **out, struct error *err);
/* CreateDefaultSubnet: a default subnet (the lowest free /20 of the default
 * VPC's primary block, public IPs on launch) in zone 'az'.
 * DefaultVpcDoesNotExist, DefaultSubnetAlreadyExistsInAvailabilityZone. */
int subnet_create_default(struct model *, struct scope *, const char *az, struct subnet **out,
                          struct error *err);
/* DependencyViolation while interfaces use the subnet; drops its route
 * table and network ACL associations. */
int subnet_delete(struct model *, struct subnet *, struct error *err);

/* ModifySubnetAttribute, one attribute per call. */
enum subnet_attr {
    SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH,
    SUBNET_ATTR_ASSIGN_IPV6_ADDRESS_ON_CREATION,
    SUBNET_ATTR_MAP_CUSTOMER_OWNED_IP_ON_LAUNCH,
    SUBNET_ATTR_ENABLE_DNS64,
    SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_A_RECORD,
    SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_AAAA_RECORD,
};
int subnet_set_attribute(struct model *, struct subnet *, enum subnet_attr, bool value,
                         struct error *err);
/* PrivateDnsHostnameTypeOnLaunch: "ip-name" or "resource-name". */
int subnet_set_hostname_type(struct model *, struct subnet *, const char *type,
                             struct error *err);
/* "ip-name" or "resource-name". */
const char *subnet_hostname_type(const struct subnet *);

/* The derived address bitmap: made empty for a new or loaded subnet (ENIs
 * then mark their addresses), freed with the subnet. */
void subnet_init_derived(struct subnet *);
void subnet_free_derived(struct subnet *);

/* AvailableIpAddressCount: 2^(32-len) - 5 - addresses in use. */
uint32_t subnet_available_count(const struct subnet *);
/* Whether 'addr' is one of the five AWS reserves (base, +1, +2, +3, last). */
bool subnet_addr_reserved(const struct subnet *, uint32_t addr);
/* Whether 'addr' could be taken now: 0, or InvalidParameterValue (outside the
 * subnet or reserved) or InvalidIPAddress.InUse.  Changes nothing. */
int subnet_check_addr(const struct subnet *, uint32_t addr, struct error *err);
/* Takes 'addr' (the errors of subnet_check_addr()), or with 'addr' 0 the
 * lowest free address (InsufficientFreeAddressesInSubnet when full). */
int subnet_take_addr(struct subnet *, uint32_t addr, uint32_t *out, struct error *err);
void subnet_release_addr(struct subnet *, uint32_t addr);
bool subnet_addr_in_use(const struct subnet *, uint32_t addr);
/* The router address (base + 1). */
static inline uint32_t
subnet_router(const struct subnet *s)
{
    return s->cidr.addr + 1;
}

/* "arn:aws:ec2:<region>:<account>:subnet/<id>" */
void subnet_format_arn(const struct subnet *, char *out, size_t size);

/* The subnet's route table: its explicit association, else the VPC's main. */
struct route_table *subnet_route_table(const struct model *, const struct subnet *);
struct network_acl *subnet_network_acl(const struct model *, const struct subnet *);

/* DescribeSubnets filters. */
extern const struct filter_def subnet_filters[];
extern const size_t subnet_n_filters;

#endif
