/* Network ACLs: numbered stateless rules per direction, the default '*'
 * deny, default and custom ACLs, subnet associations (section 8).
 *
 * An ACL holds its user entries in one array sorted by direction (ingress
 * first) and then by rule number; the '*' deny rules AWS shows (32767 for
 * 0.0.0.0/0, 32768 for ::/0) are implicit and never stored.  Evaluation scans
 * one direction in ascending rule number and the first entry that matches
 * decides; when none does, the '*' rule denies.  Inbound entries are tested
 * against the packet's source, outbound entries against its destination, and
 * a TCP/UDP port range against the destination port, in both directions
 * (which is why replies need ephemeral-port rules).
 *
 * Each subnet is associated with exactly one ACL of its VPC; the association
 * ids ("aclassoc-...") live in the ACL that serves the subnet, and
 * ReplaceNetworkAclAssociation moves a subnet under a new id. */
#ifndef VPCD_MODEL_NETWORK_ACL_H
#define VPCD_MODEL_NETWORK_ACL_H

#include "model/filter.h"
#include "model/model.h"

enum {
    NACL_LIMIT_PER_VPC = 200,
    /* Per direction and per address family, the '*' deny included (AWS:
     * default 20, adjustable to 40; "this quota includes the default deny
     * rules"), so 39 user entries. */
    NACL_RULES_PER_DIRECTION_LIMIT = 40,
    NACL_RULE_NUMBER_MIN = 1,
    NACL_RULE_NUMBER_MAX = 32766,
    NACL_DEFAULT_RULE_V4 = 32767,           /* shown as the '*' deny */
    NACL_DEFAULT_RULE_V6 = 32768,
    NACL_DEFAULT_ALLOW_RULE = 100,          /* the default ACL's allow-all */
    NACL_PORT_MAX = 65535,
    NACL_ICMP_MAX = 255,                    /* type and code; -1 = any */
    /* How many '*' rules an ACL can show (two directions x two families). */
    NACL_IMPLICIT_ENTRIES_MAX = 4,
};

/* Protocol numbers with a meaning for ACL entries. */
enum {
    NACL_PROTO_ALL = -1,
    NACL_PROTO_ICMP = 1,
    NACL_PROTO_TCP = 6,
    NACL_PROTO_UDP = 17,
    NACL_PROTO_ICMPV6 = 58,
    NACL_PROTO_MAX = 255,
};

struct network_acl_entry {
    int rule_number;
    bool egress;
    int protocol;                   /* -1 all, else 0..255 */
    bool allow;
    bool ipv6;                      /* cidr6 rather than cidr */
    struct ip4_prefix cidr;
    struct ip6_prefix cidr6;
    bool has_port_range;            /* TCP and UDP only */
    int port_from, port_to;         /* 0..65535, from <= to */
    bool has_icmp;                  /* ICMP, and ICMPv6 with an IPv6 CIDR */
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
                                         * (egress, rule_number), ingress first; the
                                         * '*' rules are implicit */
    size_t n_entries;
    struct network_acl_assoc *assocs;
    size_t n_assocs;
};

static inline struct network_acl *
network_acl_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct network_acl, r) : NULL;
}

/* CreateNetworkAclEntry / ReplaceNetworkAclEntry as the client sent them,
 * before any check; absent members are NULL or have their has_ flag false. */
struct network_acl_entry_spec {
    int64_t rule_number;
    bool egress;
    const char *protocol;           /* "6", "-1", or "tcp", "udp", "icmp", "all" */
    const char *rule_action;        /* "allow" | "deny" */
    const char *cidr;               /* CidrBlock */
    const char *ipv6_cidr;          /* Ipv6CidrBlock */
    bool has_port_range;            /* PortRange given at all */
    bool has_port_from, has_port_to;
    int64_t port_from, port_to;
    bool has_icmp;                  /* Icmp given at all */
    bool has_icmp_type, has_icmp_code;
    int64_t icmp_type, icmp_code;
};

/* Control thread only. */

/* 'is_default': the VPC's default ACL (100 allow all in and out) rather than
 * a custom one (deny all).  NetworkAclLimitExceeded past NACL_LIMIT_PER_VPC. */
int network_acl_create(struct model *, struct vpc *, bool is_default, struct network_acl **out,
                       struct error *err);
/* DeleteNetworkAcl: the default ACL cannot be deleted (InvalidParameterValue,
 * as AWS answers), nor one that serves subnets (DependencyViolation). */
int network_acl_delete(struct model *, struct network_acl *, struct error *err);

/* Checks 'spec' and turns it into an entry (CIDRs canonical, ports and ICMP
 * kept only where the protocol uses them).  InvalidParameterValue for a rule
 * number outside 1..32766, an unknown protocol or action, a bad CIDR, ports
 * outside 0..65535 or reversed, ICMP values outside -1..255;
 * MissingParameter when TCP/UDP lack PortRange, ICMP lacks Icmp, or neither
 * CIDR is given; InvalidParameterCombination for both CIDRs.  Pure. */
int network_acl_entry_parse(const struct network_acl_entry_spec *, struct network_acl_entry *out,
                            struct error *err);
/* Parses a protocol as the API takes it: a number -1..255 or one of the
 * names tcp, udp, icmp, icmpv6, all (any case). */
bool network_acl_parse_protocol(const char *s, int *protocol);

/* CreateNetworkAclEntry: NetworkAclEntryAlreadyExists for a taken (rule
 * number, direction), NetworkAclEntryLimitExceeded past the quota. */
int network_acl_add_entry(struct model *, struct network_acl *,
                          const struct network_acl_entry_spec *, struct error *err);
/* ReplaceNetworkAclEntry: the entry (rule number, direction) must exist
 * (InvalidNetworkAclEntry.NotFound). */
int network_acl_replace_entry(struct model *, struct network_acl *,
                              const struct network_acl_entry_spec *, struct error *err);
/* DeleteNetworkAclEntry. */
int network_acl_delete_entry(struct model *, struct network_acl *, bool egress,
                             int64_t rule_number, struct error *err);
/* The user entry (rule number, direction), or NULL. */
const struct network_acl_entry *network_acl_find_entry(const struct network_acl *, bool egress,
                                                       int rule_number);

/* The entries as DescribeNetworkAcls shows them: egress first, each direction
 * in ascending rule number ending with its '*' deny rules.  'out' must hold
 * acl->n_entries + NACL_IMPLICIT_ENTRIES_MAX pointers; the '*' entries are
 * static.  Returns how many were written. */
size_t network_acl_shown_entries(const struct network_acl *, const struct network_acl_entry **out);

/* Associates a new subnet with the VPC's default ACL / drops a deleted
 * subnet's association. */
void network_acl_associate_new_subnet(struct model *, struct vpc *, const char *subnet_id);
void network_acl_forget_subnet(struct model *, struct vpc *, const char *subnet_id);
/* The ACL holding association 'assoc_id' in 'scope' (and its index), or NULL. */
struct network_acl *network_acl_find_assoc(const struct model *, const struct scope *,
                                           const char *assoc_id, size_t *index);
/* ReplaceNetworkAclAssociation: moves the subnet of association 'assoc_id'
 * (InvalidAssociationID.NotFound) to 'acl', which must be in the subnet's VPC
 * (InvalidParameterValue), under a new association id written to 'new_id'.
 * Replacing with the same ACL still makes a new id, as AWS does. */
int network_acl_replace_association(struct model *, const struct scope *, const char *assoc_id,
                                    struct network_acl *acl, char new_id[ID_SIZE],
                                    struct error *err);

/* Any thread, pure: the verdict of 'acl' on an IPv4 packet in one direction.
 * 'remote_addr' is the packet's source for inbound ('egress' false) and its
 * destination for outbound; 'protocol' 0..255; 'port_or_type' the
 * destination port for TCP and UDP, the ICMP type for ICMP (else ignored);
 * 'icmp_code' the ICMP code (else ignored).  Entries are tried in ascending
 * rule number and the first match decides; with none, the '*' deny does.
 * Returns true to allow.  '*matched' (if 'matched' is non-NULL) is set to the
 * deciding entry, a static '*' entry with rule number 32767 for the default
 * deny. */
bool network_acl_evaluate(const struct network_acl *, bool egress, uint32_t remote_addr,
                          int protocol, int port_or_type, int icmp_code,
                          const struct network_acl_entry **matched);

/* DescribeNetworkAcls filters. */
extern const struct filter_def network_acl_filters[];
extern const size_t network_acl_n_filters;

#endif
