/* Network ACLs: numbered stateless rules per direction, the default '*'
 * deny, default and custom ACLs, subnet associations (section 8). */
#ifndef VPCD_MODEL_NETWORK_ACL_H
#define VPCD_MODEL_NETWORK_ACL_H

#include "model/model.h"

enum {
    NACL_LIMIT_PER_VPC = 200,
    NACL_RULES_PER_DIRECTION_LIMIT = 40,    /* AWS default 20, adjustable to 40 */
    NACL_RULE_NUMBER_MIN = 1,
    NACL_RULE_NUMBER_MAX = 32766,
    NACL_DEFAULT_RULE_V4 = 32767,           /* shown as the '*' deny */
    NACL_DEFAULT_RULE_V6 = 32768,
};

struct network_acl_entry {
    int rule_number;
    bool egress;
    int protocol;                   /* -1 all, else 0..255 */
    bool allow;
    bool ipv6;
    struct ip4_prefix cidr;
    struct ip6_prefix cidr6;
    bool has_port_range;
    int port_from, port_to;
    bool has_icmp;
    int icmp_type, icmp_code;       /* -1 any */
};

struct network_acl_assoc {
    char id[ID_SIZE];               /* "aclassoc-..." */
    char subnet_id[ID_SIZE];
};

struct network_acl {
    struct resource r;
    bool is_default;
    struct network_acl_entry *entries;  /* user rules, both directions, sorted by
                                         * (egress, rule_number); the '*' rules are implicit */
    size_t n_entries;
    struct network_acl_assoc *assocs;
    size_t n_assocs;
};

static inline struct network_acl *
network_acl_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct network_acl, r) : NULL;
}

/* 'is_default': the VPC's default ACL (100 allow all in and out) rather than
 * a custom one (deny all). */
int network_acl_create(struct model *, struct vpc *, bool is_default, struct network_acl **out,
                       struct error *err);
int network_acl_delete(struct model *, struct network_acl *, struct error *err);
/* Associates a new subnet with the VPC's default ACL / drops a deleted
 * subnet's association. */
void network_acl_associate_new_subnet(struct model *, struct vpc *, const char *subnet_id);
void network_acl_forget_subnet(struct model *, struct vpc *, const char *subnet_id);

#endif
