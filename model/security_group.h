/* Security groups: allow-only stateful rules, ids per rule, references to
 * other groups, the default group (vpc-semantics.md section 9.1).
 *
 * A group holds a flat array of rules, ingress and egress mixed, in the
 * order they were authorised.  Each rule has one peer (an IPv4 CIDR, an
 * IPv6 CIDR, a security group or a prefix list) and its own "sgr-" id: one
 * IpPermission with three IpRanges becomes three rules.  DescribeSecurityGroups
 * folds them back into permissions (security_group_permissions()).
 *
 * Requests state rules as 'struct sg_rule_spec' (strings as sent);
 * security_group_rule_from_spec() checks one against AWS's rules and turns
 * it into a 'struct sg_rule'; authorize and revoke then take arrays of those,
 * so a request with several permissions is checked whole before anything
 * changes.
 *
 * The data plane (later) judges a packet against one rule with
 * security_group_rule_matches(): pure, no model access, group and prefix-list
 * membership asked through a callback. */
#ifndef VPCD_MODEL_SECURITY_GROUP_H
#define VPCD_MODEL_SECURITY_GROUP_H

#include "model/filter.h"
#include "model/model.h"

struct vpc;

enum {
    SG_LIMIT_PER_REGION = 10000,        /* AWS 2,500; vpcd's bench holds 10,000 */
    SG_RULES_PER_DIRECTION_LIMIT = 60,  /* per direction and address family (AWS quota) */
    SG_NAME_MAX = 255,
    SG_DESCRIPTION_MAX = 255,
    SG_RULE_DESCRIPTION_MAX = 255,
    SG_PORT_MAX = 65535,
    SG_PROTOCOL_MAX = 255,
    SG_ICMP_MAX = 255,                  /* ICMP type and code */
    SG_PROTOCOL_NAME_SIZE = 8,          /* "icmpv6" + NUL */
};

/* IP protocol numbers the rules treat specially. */
enum {
    SG_PROTO_ALL = -1,
    SG_PROTO_ICMP = 1,
    SG_PROTO_TCP = 6,
    SG_PROTO_UDP = 17,
    SG_PROTO_ICMPV6 = 58,
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
    int from_port, to_port;         /* -1 when not applicable; ICMP type/code (-1 any) */
    enum sg_peer peer;
    struct ip4_prefix cidr;         /* SG_PEER_CIDR4, canonical */
    struct ip6_prefix cidr6;        /* SG_PEER_CIDR6, canonical */
    char group_id[ID_SIZE];         /* SG_PEER_GROUP */
    char group_owner[ACCOUNT_SIZE]; /* SG_PEER_GROUP: the referenced group's account */
    char prefix_list_id[ID_SIZE];   /* SG_PEER_PREFIX_LIST */
    char *description;              /* heap or NULL; borrowed in a rule not yet added */
    struct tag *tags;               /* heap, owned; NULL in a rule not yet added */
    size_t n_tags;
};

struct security_group {
    struct resource r;
    char *name;                     /* heap */
    char *description;              /* heap */
    struct sg_rule *rules;          /* ingress and egress, in authorisation order */
    size_t n_rules;
};

static inline struct security_group *
security_group_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct security_group, r) : NULL;
}

/* A rule as a request states it, one peer per spec.  Strings are borrowed. */
struct sg_rule_spec {
    const char *protocol;           /* "tcp" "udp" "icmp" "icmpv6" "all" "-1" "0".."255" */
    bool has_from_port, has_to_port;
    int64_t from_port, to_port;
    enum sg_peer peer;
    const char *peer_value;         /* CIDR text, "sg-...", "pl-..."; for a group may be
                                     * NULL when 'group_name' names it */
    const char *group_name;         /* SG_PEER_GROUP by name, in the group's VPC */
    const char *user_id;            /* SG_PEER_GROUP: owner account; NULL: the caller */
    const char *description;        /* NULL: none */
};

/* Control thread only, like the whole model. */

/* CreateSecurityGroup.  'is_default': the VPC's group named "default" (in:
 * all from itself), made with the VPC; its name is not checked.  Otherwise
 * the name and description follow section 9.1 (InvalidParameterValue,
 * InvalidGroup.Reserved, InvalidGroup.Duplicate); trailing spaces of the
 * name are dropped. */
int security_group_create(struct model *, struct vpc *, const char *name,
                          const char *description, bool is_default,
                          struct security_group **out, struct error *err);
/* DeleteSecurityGroup: CannotDelete for the default group; DependencyViolation
 * while a network interface uses it or another group's rule references it. */
int security_group_delete(struct model *, struct security_group *, struct error *err);

/* The group named 'name' in 'vpc', or NULL. */
struct security_group *security_group_find_by_name(const struct vpc *, const char *name);
/* The "[Default VPC]" GroupName parameters: the group named 'name' in the
 * scope's default VPC.  VPCIdNotSpecified without a default VPC,
 * InvalidGroup.NotFound without such a group. */
struct security_group *security_group_get_by_name(const struct model *, const struct scope *,
                                                  const char *name, struct error *err);

/* Parses a protocol as a request states it; -1 for "-1" and "all". */
bool security_group_parse_protocol(const char *s, int *protocol);
/* The protocol as Describe shows it: "tcp", "udp", "icmp", "icmpv6", "-1",
 * else the number.  Returns 'buf'. */
const char *security_group_protocol_name(int protocol, char buf[SG_PROTOCOL_NAME_SIZE]);

/* Checks 'spec' against section 9.1 for a rule of 'sg' in direction
 * 'egress' and fills 'out' (id empty; 'out->description' borrows the spec's).
 * InvalidParameterValue for a bad protocol, port range, ICMP type/code,
 * CIDR or description; InvalidGroup.NotFound for a group that is not in
 * the same VPC; InvalidPrefixListId.Malformed.  Returns 0 or -1. */
int security_group_rule_from_spec(const struct model *, const struct security_group *sg,
                                  bool egress, const struct sg_rule_spec *,
                                  struct sg_rule *out, struct error *err);
/* Whether 'a' and 'b' are the same rule: direction, protocol, ports, peer
 * (the description and id do not count). */
bool security_group_rule_same(const struct sg_rule *a, const struct sg_rule *b);

/* Authorize*: adds 'rules' (from security_group_rule_from_spec(), all of
 * the same group) with new ids, each with a copy of 'tags'.  Refuses the
 * whole request (InvalidPermission.Duplicate) when one equals an existing
 * rule or another of the request, and RulesPerSecurityGroupLimitExceeded
 * past the quota.  The new rules are the last 'n_rules' of sg->rules. */
int security_group_authorize(struct model *, struct security_group *,
                             const struct sg_rule *rules, size_t n_rules,
                             const struct tag *tags, size_t n_tags, struct error *err);
/* Revoke*: removes the rules of direction 'egress' equal to 'rules' and the
 * rules named by 'rule_ids' (InvalidSecurityGroupRuleId.NotFound for an id
 * that is not a rule of this group and direction).  A rule that matches
 * nothing is InvalidPermission.NotFound and nothing is removed, except in a
 * default VPC, where it is skipped and flagged in 'unknown[i]' (array of
 * 'n_rules', may be NULL when n_rules is 0). */
int security_group_revoke(struct model *, struct security_group *, bool egress,
                          const struct sg_rule *rules, size_t n_rules,
                          const char *const *rule_ids, size_t n_rule_ids, bool *unknown,
                          struct error *err);

/* The group holding rule 'rule_id' in 'scope' and the rule's index in it, or
 * NULL. */
struct security_group *security_group_find_rule(const struct model *, const struct scope *,
                                                const char *rule_id, size_t *index);
/* Like security_group_find_rule(), with InvalidSecurityGroupRuleId.Malformed
 * or .NotFound in 'err' when it fails. */
struct security_group *security_group_get_rule(const struct model *, const struct scope *,
                                               const char *rule_id, size_t *index,
                                               struct error *err);

/* A permission as DescribeSecurityGroups shows it: the rules of one
 * direction with the same protocol and ports, in rule order. */
struct sg_permission {
    int protocol;
    int from_port, to_port;
    const struct sg_rule **rules;   /* points into the caller's 'slots' */
    size_t n_rules;
};
/* Groups the rules of direction 'egress' into permissions, in the order of
 * each permission's first rule.  'perms' and 'slots' must each hold
 * sg->n_rules entries.  Returns the number of permissions. */
size_t security_group_permissions(const struct security_group *, bool egress,
                                  struct sg_permission *perms, const struct sg_rule **slots);

/* Whether rule 'rule' admits a packet of IP protocol 'protocol' with
 * destination port (TCP/UDP) or ICMP type 'port_or_type' and ICMP code
 * 'icmp_code', from (ingress) or to (egress) IPv4 address 'remote_addr'.
 * 'is_member' answers whether 'addr' belongs to the group ("sg-...") or
 * prefix list ("pl-...") named 'id'; NULL means it belongs to none.  Pure:
 * any thread. */
bool security_group_rule_matches(const struct sg_rule *, int protocol, int port_or_type,
                                 int icmp_code, uint32_t remote_addr,
                                 bool (*is_member)(void *ctx, const char *id, uint32_t addr),
                                 void *ctx);

/* DescribeSecurityGroups filters. */
extern const struct filter_def security_group_filters[];
extern const size_t security_group_n_filters;

/* DescribeSecurityGroupRules filters: they take a 'struct sg_rule_view'
 * (tag filters read its header's tags, which are the rule's). */
struct sg_rule_view {
    struct resource r;              /* id = rule id, tags = the rule's (borrowed) */
    const struct security_group *sg;
    const struct sg_rule *rule;
};
void security_group_rule_view_init(struct sg_rule_view *, const struct security_group *,
                                   const struct sg_rule *);
extern const struct filter_def security_group_rule_filters[];
extern const size_t security_group_rule_n_filters;

#endif
