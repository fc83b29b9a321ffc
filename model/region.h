/* AWS regions and their availability zones, as DescribeRegions and
 * DescribeAvailabilityZones report them, and the account attributes of
 * DescribeAccountAttributes.  Any commercial region AWS has is accepted.
 *
 * Every zone vpcd knows is a plain availability zone (no Local or Wavelength
 * Zones): state "available", type "availability-zone", its region as group
 * name and network border group, no opt-in.  Every region is enabled, so an
 * opt-in region reports "opted-in" and AllRegions lists nothing more. */
#ifndef VPCD_MODEL_REGION_H
#define VPCD_MODEL_REGION_H

#include <stdbool.h>
#include <stddef.h>

struct error;
struct model;
struct scope;

struct availability_zone {
    const char *name;           /* "us-east-1a" */
    const char *zone_id;        /* "use1-az1" */
};

struct region {
    const char *name;           /* "us-east-1" */
    const char *opt_in_status;  /* "opt-in-not-required" or "opted-in" */
    const struct availability_zone *zones;
    size_t n_zones;
};

#define REGION_ZONE_STATE "available"
#define REGION_ZONE_TYPE "availability-zone"
#define REGION_ZONE_OPT_IN_STATUS "opt-in-not-required"

enum {
    REGION_ENDPOINT_SIZE = 64,  /* "ec2.<region>.amazonaws.com" */
    /* DescribeAccountAttributes' numbers: AWS's historical defaults, which
     * AWS itself still reports whatever the real quotas are. */
    ACCOUNT_MAX_INSTANCES = 20,
    ACCOUNT_MAX_SECURITY_GROUPS_PER_INTERFACE = 5,
    ACCOUNT_MAX_ELASTIC_IPS = 5,
};

const struct region *region_find(const char *name);
/* Every region, sorted by name. */
const struct region *region_all(size_t *n);
/* The zone of 'region' named 'name' (or with zone id 'name'), or NULL. */
const struct availability_zone *region_find_zone(const struct region *, const char *name);
/* The DHCP domain name AWS gives: "ec2.internal" in us-east-1, else
 * "<region>.compute.internal". */
const char *region_domain_name(const char *region, char *buf, size_t size);
/* "ec2.<region>.amazonaws.com" in 'buf' (REGION_ENDPOINT_SIZE). */
const char *region_endpoint(const struct region *, char *buf, size_t size);

/* Filters of DescribeRegions (region-name, endpoint, opt-in-status) and of
 * DescribeAvailabilityZones (zone-name, zone-id, region-name, state,
 * zone-type, group-name, network-border-group, opt-in-status, message,
 * parent-zone-name, parent-zone-id).  Values of one filter OR, filters AND,
 * '*' and '?' wildcards. */
struct region_filter_def;
struct region_filter {
    const struct region_filter_def *def;
    const char *const *patterns;    /* borrowed */
    size_t n_patterns;
};

/* Resolves filter 'name' for DescribeRegions ('zones' false) or
 * DescribeAvailabilityZones ('zones' true): InvalidParameterValue ("The
 * filter 'x' is invalid") for a name the action does not support. */
int region_filter_init(struct region_filter *, bool zones, const char *name,
                       const char *const *patterns, size_t n_patterns, struct error *err);
/* Whether 'region' (and, for zone filters, its 'zone') matches every filter. */
bool region_filter_match(const struct region_filter *, size_t n_filters, const struct region *,
                         const struct availability_zone *zone);

/* DescribeAccountAttributes: the attributes in the order AWS lists them. */
enum account_attribute {
    ACCOUNT_ATTR_VPC_MAX_SECURITY_GROUPS_PER_INTERFACE,
    ACCOUNT_ATTR_MAX_INSTANCES,
    ACCOUNT_ATTR_SUPPORTED_PLATFORMS,
    ACCOUNT_ATTR_DEFAULT_VPC,
    ACCOUNT_ATTR_MAX_ELASTIC_IPS,
    ACCOUNT_ATTR_VPC_MAX_ELASTIC_IPS,
    N_ACCOUNT_ATTRS
};
/* "max-instances" */
const char *region_account_attribute_name(enum account_attribute);
/* The attribute's value in 'scope' ("VPC", "20", the default VPC's id or
 * "none"), written to 'buf' when it is not a constant. */
const char *region_account_attribute_value(const struct model *, const struct scope *,
                                           enum account_attribute, char *buf, size_t size);

#endif
