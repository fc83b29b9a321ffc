/* region.h: the commercial AWS regions, each with its zones; the filters of
 * DescribeRegions and DescribeAvailabilityZones; the account attributes.
 *
 * Zone ids use AWS's short region codes ("use1-az1").  AWS maps zone names to
 * ids per account in its older regions; vpcd uses one fixed mapping, the one
 * most accounts see where AWS's mapping is known to be fixed or usual
 * (ap-northeast-1a is apne1-az4, ap-northeast-3a is apne3-az3, the original
 * Osaka zone; eu-central-1a is euc1-az2; eu-west-2a is euw2-az2).  Zones
 * retired for new accounts (us-west-1's usw1-az2, ap-northeast-1b,
 * ca-central-1c) are left out, as AWS leaves them out. */
#include "model/region.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "model/error.h"
#include "model/filter.h"
#include "model/model.h"
#include "model/vpc.h"

#define ZONE(REGION, LETTER, CODE, N) { REGION LETTER, CODE "-az" #N }

#define REGION_3(NAME, CODE) \
    static const struct availability_zone zones_##CODE[] = { \
        ZONE(NAME, "a", #CODE, 1), ZONE(NAME, "b", #CODE, 2), ZONE(NAME, "c", #CODE, 3), \
    };

REGION_3("us-east-2", use2)
REGION_3("af-south-1", afs1)
REGION_3("ap-east-1", ape1)
REGION_3("ap-east-2", ape2)
REGION_3("ap-south-1", aps1)
REGION_3("ap-south-2", aps2)
REGION_3("ap-southeast-1", apse1)
REGION_3("ap-southeast-2", apse2)
REGION_3("ap-southeast-3", apse3)
REGION_3("ap-southeast-4", apse4)
REGION_3("ap-southeast-5", apse5)
REGION_3("ap-southeast-6", apse6)
REGION_3("ap-southeast-7", apse7)
REGION_3("ca-west-1", caw1)
REGION_3("eu-central-2", euc2)
REGION_3("eu-west-1", euw1)
REGION_3("eu-west-3", euw3)
REGION_3("eu-south-1", eus1)
REGION_3("eu-south-2", eus2)
REGION_3("eu-north-1", eun1)
REGION_3("il-central-1", ilc1)
REGION_3("me-south-1", mes1)
REGION_3("me-central-1", mec1)
REGION_3("mx-central-1", mxc1)
REGION_3("sa-east-1", sae1)

static const struct availability_zone zones_use1[] = {
    ZONE("us-east-1", "a", "use1", 1), ZONE("us-east-1", "b", "use1", 2),
    ZONE("us-east-1", "c", "use1", 4), ZONE("us-east-1", "d", "use1", 6),
    ZONE("us-east-1", "e", "use1", 3), ZONE("us-east-1", "f", "use1", 5),
};
static const struct availability_zone zones_usw1[] = {
    ZONE("us-west-1", "a", "usw1", 1), ZONE("us-west-1", "b", "usw1", 3),
};
static const struct availability_zone zones_usw2[] = {
    ZONE("us-west-2", "a", "usw2", 1), ZONE("us-west-2", "b", "usw2", 2),
    ZONE("us-west-2", "c", "usw2", 3), ZONE("us-west-2", "d", "usw2", 4),
};
static const struct availability_zone zones_apne1[] = {
    ZONE("ap-northeast-1", "a", "apne1", 4), ZONE("ap-northeast-1", "c", "apne1", 1),
    ZONE("ap-northeast-1", "d", "apne1", 2),
};
static const struct availability_zone zones_apne2[] = {
    ZONE("ap-northeast-2", "a", "apne2", 1), ZONE("ap-northeast-2", "b", "apne2", 2),
    ZONE("ap-northeast-2", "c", "apne2", 3), ZONE("ap-northeast-2", "d", "apne2", 4),
};
static const struct availability_zone zones_apne3[] = {
    ZONE("ap-northeast-3", "a", "apne3", 3), ZONE("ap-northeast-3", "b", "apne3", 1),
    ZONE("ap-northeast-3", "c", "apne3", 2),
};
static const struct availability_zone zones_euc1[] = {
    ZONE("eu-central-1", "a", "euc1", 2), ZONE("eu-central-1", "b", "euc1", 3),
    ZONE("eu-central-1", "c", "euc1", 1),
};
static const struct availability_zone zones_euw2[] = {
    ZONE("eu-west-2", "a", "euw2", 2), ZONE("eu-west-2", "b", "euw2", 3),
    ZONE("eu-west-2", "c", "euw2", 1),
};
static const struct availability_zone zones_cac1[] = {
    ZONE("ca-central-1", "a", "cac1", 1), ZONE("ca-central-1", "b", "cac1", 2),
    ZONE("ca-central-1", "d", "cac1", 4),
};

#define R(NAME, CODE, OPT) { NAME, OPT, zones_##CODE, ARRAY_SIZE(zones_##CODE) }
#define STD "opt-in-not-required"
#define OPT "opted-in"

/* Sorted by name: DescribeRegions lists them in this order. */
static const struct region regions[] = {
    R("af-south-1", afs1, OPT), R("ap-east-1", ape1, OPT),
    R("ap-east-2", ape2, OPT), R("ap-northeast-1", apne1, STD),
    R("ap-northeast-2", apne2, STD), R("ap-northeast-3", apne3, STD),
    R("ap-south-1", aps1, STD), R("ap-south-2", aps2, OPT),
    R("ap-southeast-1", apse1, STD), R("ap-southeast-2", apse2, STD),
    R("ap-southeast-3", apse3, OPT), R("ap-southeast-4", apse4, OPT),
    R("ap-southeast-5", apse5, OPT), R("ap-southeast-6", apse6, OPT),
    R("ap-southeast-7", apse7, OPT), R("ca-central-1", cac1, STD),
    R("ca-west-1", caw1, OPT), R("eu-central-1", euc1, STD),
    R("eu-central-2", euc2, OPT), R("eu-north-1", eun1, STD),
    R("eu-south-1", eus1, OPT), R("eu-south-2", eus2, OPT),
    R("eu-west-1", euw1, STD), R("eu-west-2", euw2, STD),
    R("eu-west-3", euw3, STD), R("il-central-1", ilc1, OPT),
    R("me-central-1", mec1, OPT), R("me-south-1", mes1, OPT),
    R("mx-central-1", mxc1, OPT), R("sa-east-1", sae1, STD),
    R("us-east-1", use1, STD), R("us-east-2", use2, STD),
    R("us-west-1", usw1, STD), R("us-west-2", usw2, STD),
};

const struct region *
region_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
        if (!strcmp(regions[i].name, name)) {
            return &regions[i];
        }
    }
    return NULL;
}

const struct region *
region_all(size_t *n)
{
    *n = ARRAY_SIZE(regions);
    return regions;
}

const struct availability_zone *
region_find_zone(const struct region *region, const char *name)
{
    for (size_t i = 0; i < region->n_zones; i++) {
        if (!strcmp(region->zones[i].name, name) || !strcmp(region->zones[i].zone_id, name)) {
            return &region->zones[i];
        }
    }
    return NULL;
}

const char *
region_domain_name(const char *region, char *buf, size_t size)
{
    if (!strcmp(region, "us-east-1")) {
        snprintf(buf, size, "ec2.internal");
    } else {
        snprintf(buf, size, "%s.compute.internal", region);
    }
    return buf;
}

const char *
region_endpoint(const struct region *region, char *buf, size_t size)
{
    snprintf(buf, size, "ec2.%s.amazonaws.com", region->name);
    return buf;
}

/* Filters.  A value function yields the region's (or zone's) value for the
 * filter, or NULL when it has none (a Zone's message, a parent zone), which
 * no pattern matches. */
typedef const char *region_value_fn(const struct region *, const struct availability_zone *,
                                    char *buf, size_t size);

struct region_filter_def {
    const char *name;
    region_value_fn *value;
};

static const char *
v_region_name(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) z, (void) buf, (void) size;
    return r->name;
}

static const char *
v_endpoint(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) z;
    return region_endpoint(r, buf, size);
}

static const char *
v_region_opt_in(const struct region *r, const struct availability_zone *z, char *buf,
                size_t size)
{
    (void) z, (void) buf, (void) size;
    return r->opt_in_status;
}

static const char *
v_zone_name(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) r, (void) buf, (void) size;
    return z->name;
}

static const char *
v_zone_id(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) r, (void) buf, (void) size;
    return z->zone_id;
}

static const char *
v_zone_state(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) r, (void) z, (void) buf, (void) size;
    return REGION_ZONE_STATE;
}

static const char *
v_zone_type(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) r, (void) z, (void) buf, (void) size;
    return REGION_ZONE_TYPE;
}

static const char *
v_zone_opt_in(const struct region *r, const struct availability_zone *z, char *buf,
              size_t size)
{
    (void) r, (void) z, (void) buf, (void) size;
    return REGION_ZONE_OPT_IN_STATUS;
}

static const char *
v_none(const struct region *r, const struct availability_zone *z, char *buf, size_t size)
{
    (void) r, (void) z, (void) buf, (void) size;
    return NULL;
}

static const struct region_filter_def region_filters[] = {
    { "region-name", v_region_name },
    { "endpoint", v_endpoint },
    { "opt-in-status", v_region_opt_in },
};

/* An availability zone's group name and network border group are its
 * region's name. */
static const struct region_filter_def zone_filters[] = {
    { "zone-name", v_zone_name },
    { "zone-id", v_zone_id },
    { "region-name", v_region_name },
    { "state", v_zone_state },
    { "zone-type", v_zone_type },
    { "group-name", v_region_name },
    { "network-border-group", v_region_name },
    { "opt-in-status", v_zone_opt_in },
    { "message", v_none },
    { "parent-zone-name", v_none },
    { "parent-zone-id", v_none },
    /* The spellings AWS's documentation gives. */
    { "parent-zoneName", v_none },
    { "parent-zoneID", v_none },
};

int
region_filter_init(struct region_filter *f, bool zones, const char *name,
                   const char *const *patterns, size_t n_patterns, struct error *err)
{
    const struct region_filter_def *defs = zones ? zone_filters : region_filters;
    size_t n_defs = zones ? ARRAY_SIZE(zone_filters) : ARRAY_SIZE(region_filters);

    f->def = NULL;
    f->patterns = patterns;
    f->n_patterns = n_patterns;
    if (n_patterns > FILTER_MAX_VALUES) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The filter '%s' has more than %d values", name, FILTER_MAX_VALUES);
    }
    for (size_t i = 0; i < n_defs; i++) {
        if (!strcmp(defs[i].name, name)) {
            f->def = &defs[i];
            return 0;
        }
    }
    return err_set(err, ERR_INVALID_PARAMETER_VALUE, "The filter '%s' is invalid", name);
}

bool
region_filter_match(const struct region_filter *filters, size_t n_filters,
                    const struct region *region, const struct availability_zone *zone)
{
    for (size_t i = 0; i < n_filters; i++) {
        const struct region_filter *f = &filters[i];
        char buf[REGION_ENDPOINT_SIZE];
        const char *value = f->def->value(region, zone, buf, sizeof buf);
        bool match = false;
        for (size_t j = 0; value && !match && j < f->n_patterns; j++) {
            match = filter_wildcard_match(f->patterns[j], value);
        }
        if (!match) {
            return false;
        }
    }
    return true;
}

static const char *const account_attribute_names[N_ACCOUNT_ATTRS] = {
    [ACCOUNT_ATTR_VPC_MAX_SECURITY_GROUPS_PER_INTERFACE] = "vpc-max-security-groups-per-interface",
    [ACCOUNT_ATTR_MAX_INSTANCES] = "max-instances",
    [ACCOUNT_ATTR_SUPPORTED_PLATFORMS] = "supported-platforms",
    [ACCOUNT_ATTR_DEFAULT_VPC] = "default-vpc",
    [ACCOUNT_ATTR_MAX_ELASTIC_IPS] = "max-elastic-ips",
    [ACCOUNT_ATTR_VPC_MAX_ELASTIC_IPS] = "vpc-max-elastic-ips",
};

const char *
region_account_attribute_name(enum account_attribute attr)
{
    ASSERT(attr < N_ACCOUNT_ATTRS);
    return account_attribute_names[attr];
}

const char *
region_account_attribute_value(const struct model *m, const struct scope *scope,
                               enum account_attribute attr, char *buf, size_t size)
{
    switch (attr) {
    case ACCOUNT_ATTR_VPC_MAX_SECURITY_GROUPS_PER_INTERFACE:
        snprintf(buf, size, "%d", ACCOUNT_MAX_SECURITY_GROUPS_PER_INTERFACE);
        return buf;
    case ACCOUNT_ATTR_MAX_INSTANCES:
        snprintf(buf, size, "%d", ACCOUNT_MAX_INSTANCES);
        return buf;
    case ACCOUNT_ATTR_SUPPORTED_PLATFORMS:
        /* EC2-Classic is retired: every account is VPC-only. */
        return "VPC";
    case ACCOUNT_ATTR_DEFAULT_VPC: {
        const struct vpc *vpc = vpc_find_default(m, scope);
        return vpc ? vpc->r.id : "none";
    }
    case ACCOUNT_ATTR_MAX_ELASTIC_IPS:
    case ACCOUNT_ATTR_VPC_MAX_ELASTIC_IPS:
        snprintf(buf, size, "%d", ACCOUNT_MAX_ELASTIC_IPS);
        return buf;
    case N_ACCOUNT_ATTRS:
        break;
    }
    NOT_REACHED();
}
