/* The snapshot: the model compiled into the immutable tables the data path
 * reads (docs/dataplane.md "The snapshot").
 *
 * The control thread compiles one after every change (snapshot_compile())
 * and publishes it with one atomic pointer store; data-plane threads read it
 * without locks until they pass a quiescent point after the next swap, and
 * then the control thread frees it (snapshot_destroy()).  Nothing in it
 * points into the model: ids are copied, so the model may change the moment
 * the compile returns.
 *
 * Memory: everything lives in one arena freed as one, except the route
 * tables' and security group indexes' LPM tables, which net/lpm allocates as
 * one block each; the snapshot owns them and snapshot_destroy() frees them
 * with the arena.
 *
 * Indexes, not pointers, join the tables: a subnet names its VPC, route table
 * and ACL by index; a route names its target interface by index.  Ports are
 * interface indexes (0 .. n_enis - 1) plus PIPELINE_PORT_INTERNET.
 *
 * What is compiled and how:
 *   VPCs       CIDR blocks, whether an internet gateway is attached, the DNS
 *              attributes and resolver address.  Two VPCs
 *              with the same CIDR never meet: every address lookup is keyed
 *              by VPC index.
 *   subnets    CIDR, router address, VPC, route table, network ACL.
 *   routes     per table, an lpm4 from destination to route index; each route
 *              has a kind and a target index, and route_state() of the model
 *              decides blackhole at compile time.
 *   ACLs       per direction, the IPv4 user entries in rule-number order
 *              (IPv6 entries never match an IPv4 packet and are left out);
 *              snapshot_nacl_evaluate() must answer as network_acl_evaluate()
 *              (tests/unit/test_pipeline.c checks it on random input).
 *   interfaces every network interface of the model: MAC, subnet, VPC,
 *              addresses, the public IPv4 of each address (the auto public IP
 *              of the primary or an Elastic IP), source/dest check, and per
 *              direction the union of its groups' IPv4 rules, group
 *              references expanded to one /32 rule per address of each
 *              member interface (9.1: "admits the private IPs (primary and
 *              secondary) of ENIs in it").  Prefix-list peers match nothing
 *              (vpcd has no prefix lists yet), as security_group_rule_matches()
 *              does without a membership callback.  A direction with
 *              SG_INDEX_MIN_RULES rules or more also gets an sg_index
 *              (pipeline/sg_index.h) that snapshot_sg_evaluate() consults,
 *              shared by the interfaces with equal rules ('sg_indexes').
 *   NAT gws    the gateways "available" at compile time (model_now()): their
 *              interface (whose 'nat' names the gateway back), subnet, VPC,
 *              private IPv4 and, for a public one, the Elastic IP mapped to
 *              that interface.  A route to a gateway not compiled (pending,
 *              failed, deleting, deleted) is a blackhole here.  The Elastic
 *              IP is in the public map like any other, pointing at the
 *              gateway's interface.  'next_change' says when a pending
 *              gateway becomes available (a recompile is due then).
 *   maps       (VPC, private IPv4) -> interface; public IPv4 -> (interface,
 *              private IPv4), only for VPCs with an attached internet
 *              gateway: open addressing, linear probing, in the arena.
 *   DNS names  the names the Amazon resolver answers (private and public
 *              names, by the model's naming functions) -> addresses, compiled
 *              by pipeline/dns.c into the arena: open addressing again. */
#ifndef VPCD_PIPELINE_SNAPSHOT_H
#define VPCD_PIPELINE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipaddr.h"
#include "net/lpm.h"
#include "net/packet.h"
#include "pipeline/sg_index.h"

struct model;
struct arena;
struct dns_table;

enum {
    SNAPSHOT_NONE = UINT32_MAX,     /* no index */
    SNAPSHOT_VPC_MAX_CIDRS = 5,
};

enum snap_route_kind {
    SNAP_ROUTE_LOCAL,
    SNAP_ROUTE_IGW,
    SNAP_ROUTE_NAT,
    SNAP_ROUTE_ENI,
    SNAP_ROUTE_BLACKHOLE,           /* route_state() said blackhole, or a kind not forwarded */
};

struct snap_vpc {
    const char *id;
    struct ip4_prefix cidrs[SNAPSHOT_VPC_MAX_CIDRS];
    uint32_t n_cidrs;
    bool has_igw;                   /* an internet gateway is attached */
    const char *igw_id;             /* or NULL */
    uint32_t resolver;              /* primary CIDR base + 2: the Amazon resolver (section 3) */
    bool dns_support;               /* enableDnsSupport: the resolver answers */
    bool dns_hostnames;             /* enableDnsHostnames */
};

struct snap_subnet {
    const char *id;
    struct ip4_prefix cidr;
    uint32_t router;                /* base + 1 */
    uint32_t vpc;
    uint32_t route_table;
    uint32_t nacl;
};

struct snap_route {
    struct ip4_prefix dst;
    uint8_t kind;                   /* enum snap_route_kind */
    uint32_t target;                /* interface for SNAP_ROUTE_ENI, gateway for SNAP_ROUTE_NAT */
    const char *target_id;          /* "local", "igw-...", ... */
};

struct snap_route_table {
    const char *id;
    struct lpm4 *lpm;               /* destination -> index into 'routes' */
    struct snap_route *routes;
    uint32_t n_routes;
};

/* One ACL entry, IPv4 only.  'match' says which of the fields count. */
enum snap_nacl_match {
    SNAP_NACL_ANY,                  /* protocol -1: address only */
    SNAP_NACL_PROTO,                /* protocol, no ports or ICMP fields */
    SNAP_NACL_PORTS,                /* protocol and destination port range */
    SNAP_NACL_ICMP,                 /* protocol and ICMP type/code (-1 any) */
};

struct snap_nacl_entry {
    uint32_t addr, mask;            /* host order */
    uint16_t rule_number;
    uint8_t match;                  /* enum snap_nacl_match */
    uint8_t proto;
    uint16_t lo, hi;                /* ports; for ICMP: type, code (0xffff = any) */
    bool allow;
};

struct snap_nacl {
    const char *id;
    struct snap_nacl_entry *entries[2];     /* [egress], ascending rule number */
    uint32_t n_entries[2];
};

struct snap_sg_rule {
    uint32_t addr, mask;            /* host order */
    int16_t proto;                  /* -1 all */
    int32_t from, to;               /* TCP/UDP ports; ICMP type, code (-1 any) */
};

struct snap_eni {
    const char *id;
    uint64_t seq;                   /* the model's creation seq: the conntrack key */
    uint8_t mac[PACKET_ETH_ADDR_LEN];
    bool source_dest_check;
    uint32_t subnet;
    uint32_t vpc;
    uint32_t *addrs;                /* [0] is the primary */
    uint32_t *public_ips;           /* parallel to 'addrs': public IPv4 or 0 */
    uint32_t n_addrs;
    struct snap_sg_rule *rules[2];  /* [egress] */
    const char **rule_ids[2];       /* "sgr-..." of each rule, for trace */
    uint32_t n_rules[2];
    const struct sg_index *sg_index[2];     /* [egress]: the rules indexed, or NULL: scan */
    uint32_t nat;                   /* the NAT gateway owning it, or SNAPSHOT_NONE */
    uint8_t open_all[2];            /* [egress]: SNAP_OPEN_ALL_* below */
    uint8_t may_untrack[2];         /* [egress]: SNAP_OPEN_ALL_* bits, see below */
};

/* Section 9.2 "untracked": a TCP (UDP) flow admitted one way by a rule whose
 * peer is 0.0.0.0/0 is not tracked when the other way admits that protocol
 * on all ports to/from 0.0.0.0/0.  Per interface and direction, 'open_all'
 * says the direction is open so, and 'may_untrack' that a flow admitted
 * that way can be untracked at all (the other way is open, or this way is
 * and the other has a 0.0.0.0/0 rule for the protocol): most interfaces
 * answer "no" with one test.  The compiler puts an interface's 0.0.0.0/0
 * rules first in 'rules', so the first rule admitting a packet is such a
 * rule whenever one does, and those rules are a prefix to scan. */
enum {
    SNAP_OPEN_ALL_TCP = 1 << 0,
    SNAP_OPEN_ALL_UDP = 1 << 1,
};

struct snap_nat {
    const char *id;                 /* "nat-..." */
    uint64_t seq;                   /* its interface's model seq: the conntrack key */
    uint32_t eni;
    uint32_t subnet;
    uint32_t vpc;
    uint32_t private_ip;
    uint32_t public_ip;             /* the Elastic IP (public), or 0 */
    bool is_private;                /* connectivity type "private" */
};

struct snap_map_slot {
    uint64_t key;                   /* 0: empty */
    uint32_t eni;
    uint32_t private_ip;
};

struct snap_map {
    struct snap_map_slot *slots;
    uint32_t mask;
};

struct snapshot {
    struct arena *arena;
    struct snap_vpc *vpcs;
    uint32_t n_vpcs;
    struct snap_subnet *subnets;
    uint32_t n_subnets;
    struct snap_route_table *route_tables;
    uint32_t n_route_tables;
    struct snap_nacl *nacls;
    uint32_t n_nacls;
    struct snap_eni *enis;
    uint32_t n_enis;
    struct snap_nat *nats;
    uint32_t n_nats;
    int64_t next_change;            /* model_now() when a pending gateway turns available, or 0 */
    struct snap_map private_map;    /* (vpc + 1) << 32 | private IPv4 -> eni */
    struct snap_map public_map;     /* public IPv4 -> eni, private_ip */
    struct ip4_prefix public_pool;  /* the internet side answers ARP for these */
    uint8_t router_mac[PACKET_ETH_ADDR_LEN];
    const struct dns_table *dns;    /* the resolver's names (pipeline/dns.h) */
    struct sg_index_set *sg_indexes;        /* owns the interfaces' sg_index, shared */
};

/* ---- Control thread only. ---- */

/* Compiles 'model' (read only).  Returns a new snapshot: the caller frees it
 * with snapshot_destroy(). */
struct snapshot *snapshot_compile(const struct model *);
void snapshot_destroy(struct snapshot *);       /* accepts NULL */

/* The port (interface index) of interface 'eni_id', or SNAPSHOT_NONE. */
uint32_t snapshot_find_eni(const struct snapshot *, const char *eni_id);

/* ---- Any thread, lock-free: the data path. ---- */

static inline uint64_t
snap_hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

/* The slot for 'key', or NULL. */
static inline const struct snap_map_slot *
snap_map_find(const struct snap_map *map, uint64_t key)
{
    for (uint32_t i = (uint32_t) snap_hash64(key) & map->mask;; i = (i + 1) & map->mask) {
        const struct snap_map_slot *slot = &map->slots[i];
        if (slot->key == key) {
            return slot;
        }
        if (slot->key == 0) {
            return NULL;
        }
    }
}

/* The interface holding 'addr' in VPC 'vpc', or SNAPSHOT_NONE. */
static inline uint32_t
snapshot_eni_by_private(const struct snapshot *snap, uint32_t vpc, uint32_t addr)
{
    const struct snap_map_slot *slot
        = snap_map_find(&snap->private_map, (uint64_t) (vpc + 1) << 32 | addr);
    return slot ? slot->eni : SNAPSHOT_NONE;
}

static inline bool
snap_nacl_entry_matches(const struct snap_nacl_entry *e, uint32_t addr, int proto,
                        int port_or_type, int icmp_code)
{
    if ((addr & e->mask) != e->addr) {
        return false;
    }
    switch (e->match) {
    case SNAP_NACL_ANY:
        return true;
    case SNAP_NACL_PROTO:
        return e->proto == proto;
    case SNAP_NACL_PORTS:
        return e->proto == proto && port_or_type >= e->lo && port_or_type <= e->hi;
    default:
        return e->proto == proto && (e->lo == 0xffff || e->lo == port_or_type)
               && (e->hi == 0xffff || e->hi == icmp_code);
    }
}

/* As network_acl_evaluate() (the rule of record) on the compiled ACL: true
 * to allow; '*rule_number' (if non-NULL) gets the deciding rule's number,
 * 32767 for the '*' deny. */
static inline bool
snapshot_nacl_evaluate(const struct snap_nacl *acl, bool egress, uint32_t remote_addr,
                       int proto, int port_or_type, int icmp_code, int *rule_number)
{
    const struct snap_nacl_entry *e = acl->entries[egress];
    for (uint32_t i = 0, n = acl->n_entries[egress]; i < n; i++) {
        if (snap_nacl_entry_matches(&e[i], remote_addr, proto, port_or_type, icmp_code)) {
            if (rule_number) {
                *rule_number = e[i].rule_number;
            }
            return e[i].allow;
        }
    }
    if (rule_number) {
        *rule_number = 32767;
    }
    return false;
}

/* As security_group_rule_matches() (the rule of record) on one compiled rule. */
static inline bool
snap_sg_rule_matches(const struct snap_sg_rule *r, int proto, int port_or_type, int icmp_code,
                     uint32_t remote_addr)
{
    if (r->proto != -1) {
        if (r->proto != proto) {
            return false;
        }
        if (proto == 6 || proto == 17) {
            if (port_or_type < r->from || port_or_type > r->to) {
                return false;
            }
        } else if (proto == 1 || proto == 58) {
            if ((r->from != -1 && r->from != port_or_type)
                || (r->to != -1 && r->to != icmp_code)) {
                return false;
            }
        }
    }
    return (remote_addr & r->mask) == r->addr;
}

/* The index of the first rule of 'eni' in direction 'egress' admitting the
 * packet, or -1, by scanning the rules: the reference sg_index must match
 * (tests/unit/test_sg_index.c), and the way for an interface with few. */
static inline int
snapshot_sg_evaluate_linear(const struct snap_eni *eni, bool egress, uint32_t remote_addr,
                            int proto, int port_or_type, int icmp_code)
{
    const struct snap_sg_rule *r = eni->rules[egress];
    for (uint32_t i = 0, n = eni->n_rules[egress]; i < n; i++) {
        if (snap_sg_rule_matches(&r[i], proto, port_or_type, icmp_code, remote_addr)) {
            return (int) i;
        }
    }
    return -1;
}

/* The same answer, from the interface's index when it has one (sg_index.h):
 * about the same time for 5 or 5,000 rules. */
static inline int
snapshot_sg_evaluate(const struct snap_eni *eni, bool egress, uint32_t remote_addr, int proto,
                     int port_or_type, int icmp_code)
{
    const struct sg_index *ix = eni->sg_index[egress];
    if (ix) {
        return sg_index_lookup(ix, remote_addr, proto, port_or_type, icmp_code);
    }
    return snapshot_sg_evaluate_linear(eni, egress, remote_addr, proto, port_or_type, icmp_code);
}

#endif
