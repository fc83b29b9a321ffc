/* Security groups: allow-only stateful rules, ids per rule, references to
 * other groups, the default group (section 9). */
#ifndef VPCD_MODEL_SECURITY_GROUP_H
#define VPCD_MODEL_SECURITY_GROUP_H

#include "model/model.h"

enum {
    SG_LIMIT_PER_REGION = 10000,        /* AWS 2,500; vpcd's bench holds 10,000 */
    SG_RULES_PER_DIRECTION_LIMIT = 60,
    SG_NAME_MAX = 255,
    SG_DESCRIPTION_MAX = 255,
};

enum sg_peer {
    SG_PEER_CIDR4,
    SG_PEER_CIDR6,
    SG_PEER_GROUP,
    SG_PEER_PREFIX_LIST,
};

struct sg_rule {
    char id[ID_SIZE];               /* "sgr-..." */
    bool egress;
    int protocol;                   /* -1 all, else 0..255 */
    int from_port, to_port;         /* -1 when not applicable; ICMP type/code */
    enum sg_peer peer;
    struct ip4_prefix cidr;
    struct ip6_prefix cidr6;
    char group_id[ID_SIZE];
    char group_owner[ACCOUNT_SIZE];
    char prefix_list_id[ID_SIZE];
    char *description;              /* heap or NULL */
};

struct security_group {
    struct resource r;
    char *name;                     /* heap */
    char *description;              /* heap */
    struct sg_rule *rules;
    size_t n_rules;
};

static inline struct security_group *
security_group_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct security_group, r) : NULL;
}

/* 'is_default': the VPC's group named "default" (in: all from itself). */
int security_group_create(struct model *, struct vpc *, const char *name,
                          const char *description, bool is_default,
                          struct security_group **out, struct error *err);
int security_group_delete(struct model *, struct security_group *, struct error *err);

#endif
