/* region.h: the commercial AWS regions, each with its zones.  Zone ids use
 * AWS's short region codes ("use1-az1"); AWS maps zone names to ids per
 * account, vpcd uses one fixed mapping. */
#include "model/region.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

#define ZONE(REGION, LETTER, CODE, N) { REGION LETTER, CODE "-az" #N }

#define REGION_3(NAME, CODE, OPT) \
    static const struct availability_zone zones_##CODE[] = { \
        ZONE(NAME, "a", #CODE, 1), ZONE(NAME, "b", #CODE, 2), ZONE(NAME, "c", #CODE, 3), \
    };

REGION_3("us-east-2", use2, "")
REGION_3("af-south-1", afs1, "")
REGION_3("ap-east-1", ape1, "")
REGION_3("ap-south-1", aps1, "")
REGION_3("ap-south-2", aps2, "")
REGION_3("ap-southeast-1", apse1, "")
REGION_3("ap-southeast-2", apse2, "")
REGION_3("ap-southeast-3", apse3, "")
REGION_3("ap-southeast-4", apse4, "")
REGION_3("ap-southeast-5", apse5, "")
REGION_3("ap-southeast-7", apse7, "")
REGION_3("ap-northeast-3", apne3, "")
REGION_3("ca-west-1", caw1, "")
REGION_3("eu-central-1", euc1, "")
REGION_3("eu-central-2", euc2, "")
REGION_3("eu-west-1", euw1, "")
REGION_3("eu-west-2", euw2, "")
REGION_3("eu-west-3", euw3, "")
REGION_3("eu-south-1", eus1, "")
REGION_3("eu-south-2", eus2, "")
REGION_3("eu-north-1", eun1, "")
REGION_3("il-central-1", ilc1, "")
REGION_3("me-south-1", mes1, "")
REGION_3("me-central-1", mec1, "")
REGION_3("mx-central-1", mxc1, "")
REGION_3("sa-east-1", sae1, "")

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
static const struct availability_zone zones_cac1[] = {
    ZONE("ca-central-1", "a", "cac1", 1), ZONE("ca-central-1", "b", "cac1", 2),
    ZONE("ca-central-1", "d", "cac1", 4),
};

#define R(NAME, CODE, OPT) { NAME, OPT, zones_##CODE, ARRAY_SIZE(zones_##CODE) }
#define STD "opt-in-not-required"
#define OPT "opted-in"

static const struct region regions[] = {
    R("af-south-1", afs1, OPT), R("ap-east-1", ape1, OPT),
    R("ap-northeast-1", apne1, STD), R("ap-northeast-2", apne2, STD),
    R("ap-northeast-3", apne3, STD), R("ap-south-1", aps1, STD),
    R("ap-south-2", aps2, OPT), R("ap-southeast-1", apse1, STD),
    R("ap-southeast-2", apse2, STD), R("ap-southeast-3", apse3, OPT),
    R("ap-southeast-4", apse4, OPT), R("ap-southeast-5", apse5, OPT),
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
