/* AWS regions and their availability zones, as DescribeRegions and
 * DescribeAvailabilityZones report them.  Any region AWS has is accepted. */
#ifndef VPCD_MODEL_REGION_H
#define VPCD_MODEL_REGION_H

#include <stdbool.h>
#include <stddef.h>

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

const struct region *region_find(const char *name);
const struct region *region_all(size_t *n);
/* The zone of 'region' named 'name' (or with zone id 'name'), or NULL. */
const struct availability_zone *region_find_zone(const struct region *, const char *name);
/* The DHCP domain name AWS gives: "ec2.internal" in us-east-1, else
 * "<region>.compute.internal". */
const char *region_domain_name(const char *region, char *buf, size_t size);

#endif
