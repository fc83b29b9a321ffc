/* VPCs: CIDR blocks and their rules (vpc-semantics.md section 3), DNS
 * attributes, the default resources made with each VPC, the default VPC. */
#ifndef VPCD_MODEL_VPC_H
#define VPCD_MODEL_VPC_H

#include "model/filter.h"
#include "model/model.h"

enum {
    VPC_MAX_CIDRS = 5,              /* IPv4 blocks incl. the primary (AWS default quota) */
    VPC_MIN_PREFIX_LEN = 16,
    VPC_MAX_PREFIX_LEN = 28,
    VPC_LIMIT_PER_REGION = 5000,    /* AWS's default is 5; vpcd serves test rigs */
};

struct vpc_cidr {
    char assoc_id[ID_SIZE];         /* "vpc-cidr-assoc-..." */
    struct ip4_prefix cidr;
};

struct vpc {
    struct resource r;
    struct vpc_cidr cidrs[VPC_MAX_CIDRS];   /* [0] is the primary block */
    size_t n_cidrs;
    char dhcp_options_id[ID_SIZE];
    char tenancy[16];               /* "default" | "dedicated" */
    bool is_default;
    bool enable_dns_support;
    bool enable_dns_hostnames;
    bool enable_network_address_usage_metrics;
    struct list children[N_RES_KINDS];      /* resources in this VPC, by vpc_node */
};

static inline struct vpc *
vpc_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct vpc, r) : NULL;
}

/* Creates a VPC with its main route table, default network ACL and default
 * security group.  'cidr' must already be canonical.  Returns 0 or -1. */
int vpc_create(struct model *, struct scope *, const struct ip4_prefix *cidr,
               const char *tenancy, struct vpc **out, struct error *err);
/* DependencyViolation while anything but the default resources remain. */
int vpc_delete(struct model *, struct vpc *, struct error *err);
int vpc_associate_cidr(struct model *, struct vpc *, const struct ip4_prefix *cidr,
                       const struct vpc_cidr **out, struct error *err);
int vpc_disassociate_cidr(struct model *, struct scope *, const char *assoc_id,
                          struct vpc **vpc_out, struct vpc_cidr *removed, struct error *err);
/* ModifyVpcAttribute: 'attribute' is "EnableDnsSupport", "EnableDnsHostnames"
 * or "EnableNetworkAddressUsageMetrics". */
int vpc_set_attribute(struct model *, struct vpc *, const char *attribute, bool value,
                      struct error *err);
/* The default VPC of the scope, or NULL. */
struct vpc *vpc_find_default(const struct model *, const struct scope *);
/* Makes the default VPC if the scope has never had one and the model is
 * configured to (called on an account's first request in a region). */
void vpc_ensure_default(struct model *, struct scope *);
/* CreateDefaultVpc: DefaultVpcAlreadyExists if there is one. */
int vpc_create_default(struct model *, struct scope *, struct vpc **out, struct error *err);

/* Whether 'addr' lies in one of the VPC's IPv4 blocks. */
bool vpc_has_addr(const struct vpc *, uint32_t addr);
const struct vpc_cidr *vpc_find_cidr(const struct vpc *, const struct ip4_prefix *);

/* DescribeVpcs filters. */
extern const struct filter_def vpc_filters[];
extern const size_t vpc_n_filters;

/* The VPC's main route table and default network ACL / security group. */
struct route_table *vpc_main_route_table(const struct vpc *);
struct network_acl *vpc_default_network_acl(const struct vpc *);
struct security_group *vpc_default_security_group(const struct vpc *);

#endif
