/* The compiler: model -> snapshot (see snapshot.h).  Control thread only. */
#include "pipeline/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/hmap.h"
#include "lib/util.h"
#include "model/address.h"
#include "model/internet_gateway.h"
#include "model/model.h"
#include "model/nat_gateway.h"
#include "model/network_acl.h"
#include "model/network_interface.h"
#include "model/route_table.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "pipeline/dns.h"

/* The VPC router's MAC, one for every VPC: instances only ever see the router
 * on their link (AWS answers ARP for the whole subnet), and two VPCs never
 * share a link, so one address serves all.  Locally administered, unicast. */
static const uint8_t router_mac[PACKET_ETH_ADDR_LEN] = { 0x0e, 0x76, 0x70, 0x63, 0x64, 0x01 };

/* The model's resources of one kind, in creation order. */
struct kind_list {
    struct resource **items;
    size_t n, cap;
};

static int
by_seq(const void *a_, const void *b_)
{
    const struct resource *a = *(struct resource *const *) a_;
    const struct resource *b = *(struct resource *const *) b_;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
collect(const struct model *m, struct kind_list lists[N_RES_KINDS])
{
    for (size_t b = 0; m->ids.buckets && b <= m->ids.mask; b++) {
        for (struct hmap_entry *e = m->ids.buckets[b]; e; e = e->next) {
            struct resource *r = e->value;
            struct kind_list *l = &lists[r->kind];
            if (l->n == l->cap) {
                l->cap = l->cap ? 2 * l->cap : 16;
                l->items = xrealloc(l->items, l->cap * sizeof *l->items);
            }
            l->items[l->n++] = r;
        }
    }
    for (int k = 0; k < N_RES_KINDS; k++) {
        if (lists[k].n) {
            qsort(lists[k].items, lists[k].n, sizeof *lists[k].items, by_seq);
        }
    }
}

/* id -> index + 1 (so that "not found" is NULL). */
static void
index_ids(struct hmap *map, const struct kind_list *l)
{
    hmap_init(map);
    for (size_t i = 0; i < l->n; i++) {
        hmap_insert(map, l->items[i]->id, (void *) (uintptr_t) (i + 1));
    }
}

static uint32_t
lookup_index(const struct hmap *map, const char *id)
{
    uintptr_t v = (uintptr_t) hmap_find(map, id);
    return v ? (uint32_t) (v - 1) : SNAPSHOT_NONE;
}

static void
map_init(struct arena *a, struct snap_map *map, size_t n)
{
    size_t cap = 4;
    while (cap < 2 * n + 2) {
        cap <<= 1;
    }
    map->slots = arena_zalloc(a, cap * sizeof *map->slots);
    map->mask = (uint32_t) (cap - 1);
}

static void
map_insert(struct snap_map *map, uint64_t key, uint32_t eni, uint32_t private_ip)
{
    ASSERT(key != 0);
    for (uint32_t i = (uint32_t) snap_hash64(key) & map->mask;; i = (i + 1) & map->mask) {
        struct snap_map_slot *slot = &map->slots[i];
        if (slot->key == key) {
            return;                 /* the model never holds an address twice; first wins */
        }
        if (slot->key == 0) {
            *slot = (struct snap_map_slot) { key, eni, private_ip };
            return;
        }
    }
}

static void
parse_mac(const char *s, uint8_t mac[PACKET_ETH_ADDR_LEN])
{
    unsigned b[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
        memset(b, 0, sizeof b);
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t) b[i];
    }
}

static void
compile_vpcs(const struct model *m, struct snapshot *s, const struct kind_list *l)
{
    s->n_vpcs = (uint32_t) l->n;
    s->vpcs = arena_zalloc(s->arena, (l->n + 1) * sizeof *s->vpcs);
    for (size_t i = 0; i < l->n; i++) {
        const struct vpc *vpc = vpc_cast(l->items[i]);
        struct snap_vpc *sv = &s->vpcs[i];
        sv->id = arena_strdup(s->arena, vpc->r.id);
        for (size_t c = 0; c < vpc->n_cidrs && c < SNAPSHOT_VPC_MAX_CIDRS; c++) {
            sv->cidrs[sv->n_cidrs++] = vpc->cidrs[c].cidr;
        }
        const struct internet_gateway *igw = internet_gateway_of_vpc(m, vpc);
        sv->has_igw = igw != NULL;
        sv->igw_id = igw ? arena_strdup(s->arena, igw->r.id) : NULL;
        /* Section 3: the resolver is at the primary block's base + 2. */
        sv->resolver = vpc->n_cidrs ? vpc->cidrs[0].cidr.addr + 2 : 0;
        sv->dns_support = vpc->enable_dns_support;
        sv->dns_hostnames = vpc->enable_dns_hostnames;
    }
}

static void
compile_nacls(struct snapshot *s, const struct kind_list *l)
{
    s->n_nacls = (uint32_t) l->n;
    s->nacls = arena_zalloc(s->arena, (l->n + 1) * sizeof *s->nacls);
    for (size_t i = 0; i < l->n; i++) {
        const struct network_acl *acl = network_acl_cast(l->items[i]);
        struct snap_nacl *sn = &s->nacls[i];
        sn->id = arena_strdup(s->arena, acl->r.id);
        for (int egress = 0; egress < 2; egress++) {
            sn->entries[egress] = arena_zalloc(s->arena, (acl->n_entries + 1)
                                                         * sizeof *sn->entries[egress]);
        }
        /* The model keeps entries sorted by (egress, rule number). */
        for (size_t j = 0; j < acl->n_entries; j++) {
            const struct network_acl_entry *e = &acl->entries[j];
            if (e->ipv6) {
                continue;           /* never matches an IPv4 packet (entry_matches) */
            }
            struct snap_nacl_entry *out = &sn->entries[e->egress][sn->n_entries[e->egress]++];
            *out = (struct snap_nacl_entry) {
                .addr = e->cidr.addr,
                .mask = ip4_mask(e->cidr.len),
                .rule_number = (uint16_t) e->rule_number,
                .proto = (uint8_t) (e->protocol < 0 ? 0 : e->protocol),
                .allow = e->allow,
            };
            if (e->protocol == NACL_PROTO_ALL) {
                out->match = SNAP_NACL_ANY;
            } else if (e->has_port_range) {
                out->match = SNAP_NACL_PORTS;
                out->lo = (uint16_t) e->port_from;
                out->hi = (uint16_t) e->port_to;
            } else if (e->has_icmp) {
                out->match = SNAP_NACL_ICMP;
                out->lo = e->icmp_type < 0 ? 0xffff : (uint16_t) e->icmp_type;
                out->hi = e->icmp_code < 0 ? 0xffff : (uint16_t) e->icmp_code;
            } else {
                out->match = SNAP_NACL_PROTO;
            }
        }
    }
}

static void
compile_subnets(const struct model *m, struct snapshot *s, const struct kind_list *l,
                const struct hmap *vpc_ids, const struct hmap *rtb_ids,
                const struct hmap *nacl_ids)
{
    s->n_subnets = (uint32_t) l->n;
    s->subnets = arena_zalloc(s->arena, (l->n + 1) * sizeof *s->subnets);
    for (size_t i = 0; i < l->n; i++) {
        const struct subnet *sub = subnet_cast(l->items[i]);
        struct snap_subnet *ss = &s->subnets[i];
        const struct route_table *rtb = subnet_route_table(m, sub);
        const struct network_acl *acl = subnet_network_acl(m, sub);
        *ss = (struct snap_subnet) {
            .id = arena_strdup(s->arena, sub->r.id),
            .cidr = sub->cidr,
            .router = subnet_router(sub),
            .vpc = lookup_index(vpc_ids, sub->r.vpc_id),
            .route_table = rtb ? lookup_index(rtb_ids, rtb->r.id) : SNAPSHOT_NONE,
            .nacl = acl ? lookup_index(nacl_ids, acl->r.id) : SNAPSHOT_NONE,
        };
    }
}

static void
compile_route_tables(const struct model *m, struct snapshot *s, const struct kind_list *l,
                     const struct hmap *eni_ids, const struct hmap *nat_ids)
{
    s->n_route_tables = (uint32_t) l->n;
    s->route_tables = arena_zalloc(s->arena, (l->n + 1) * sizeof *s->route_tables);
    for (size_t i = 0; i < l->n; i++) {
        const struct route_table *rtb = route_table_cast(l->items[i]);
        struct snap_route_table *st = &s->route_tables[i];
        st->id = arena_strdup(s->arena, rtb->r.id);
        st->routes = arena_zalloc(s->arena, (rtb->n_routes + 1) * sizeof *st->routes);
        struct lpm4_route *lpm_routes = xmalloc((rtb->n_routes + 1) * sizeof *lpm_routes);
        for (size_t j = 0; j < rtb->n_routes; j++) {
            const struct route *r = &rtb->routes[j];
            if (r->ipv6) {
                continue;
            }
            struct snap_route *sr = &st->routes[st->n_routes];
            sr->dst = r->dst;
            sr->target = SNAPSHOT_NONE;
            sr->target_id = arena_strdup(s->arena, r->target_id);
            switch (r->target) {
            case ROUTE_TARGET_LOCAL:
                sr->kind = SNAP_ROUTE_LOCAL;
                break;
            case ROUTE_TARGET_GATEWAY:
                sr->kind = str_prefix(r->target_id, "igw-") ? SNAP_ROUTE_IGW
                                                             : SNAP_ROUTE_BLACKHOLE;
                break;
            case ROUTE_TARGET_NAT_GATEWAY:
                sr->kind = SNAP_ROUTE_NAT;
                sr->target = lookup_index(nat_ids, r->target_id);
                break;
            case ROUTE_TARGET_NETWORK_INTERFACE:
                sr->kind = SNAP_ROUTE_ENI;
                sr->target = lookup_index(eni_ids, r->target_id);
                break;
            default:
                /* Peering, transit gateways, endpoints: not in vpcd yet. */
                sr->kind = SNAP_ROUTE_BLACKHOLE;
                break;
            }
            /* Section 7: a blackhole route still matches, and drops. */
            if (strcmp(route_state(m, rtb, r), "active")
                || ((sr->kind == SNAP_ROUTE_ENI || sr->kind == SNAP_ROUTE_NAT)
                    && sr->target == SNAPSHOT_NONE)) {
                sr->kind = SNAP_ROUTE_BLACKHOLE;
            }
            lpm_routes[st->n_routes] = (struct lpm4_route) { r->dst, st->n_routes };
            st->n_routes++;
        }
        int error = lpm4_create(lpm_routes, st->n_routes, &st->lpm);
        /* The model never holds two routes for one destination. */
        ASSERT(!error);
        free(lpm_routes);
    }
}

/* A growable array of compiled rules, copied into the arena when done. */
struct rule_buf {
    struct snap_sg_rule *rules;
    const char **ids;
    size_t n, cap;
};

static void
rule_push(struct rule_buf *b, const struct snap_sg_rule *r, const char *id)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->rules = xrealloc(b->rules, b->cap * sizeof *b->rules);
        b->ids = xrealloc(b->ids, b->cap * sizeof *b->ids);
    }
    b->rules[b->n] = *r;
    b->ids[b->n++] = id;
}

static bool
eni_in_group(const struct network_interface *eni, const char *group_id)
{
    for (size_t g = 0; g < eni->n_groups; g++) {
        if (!strcmp(eni->groups[g], group_id)) {
            return true;
        }
    }
    return false;
}

static void
compile_eni_rules(const struct model *m, struct snapshot *s, const struct kind_list *enis,
                  const struct network_interface *eni, struct snap_eni *se)
{
    for (int egress = 0; egress < 2; egress++) {
        struct rule_buf buf = { 0 };
        for (size_t g = 0; g < eni->n_groups; g++) {
            const struct security_group *sg
                = security_group_cast(model_find(m, eni->groups[g]));
            if (!sg) {
                continue;
            }
            for (size_t k = 0; k < sg->n_rules; k++) {
                const struct sg_rule *r = &sg->rules[k];
                if (r->egress != (egress == 1)) {
                    continue;
                }
                const char *id = arena_strdup(s->arena, r->id);
                struct snap_sg_rule sr = {
                    .proto = (int16_t) r->protocol, .from = r->from_port, .to = r->to_port,
                };
                if (r->peer == SG_PEER_CIDR4) {
                    sr.addr = r->cidr.addr;
                    sr.mask = ip4_mask(r->cidr.len);
                    rule_push(&buf, &sr, id);
                } else if (r->peer == SG_PEER_GROUP) {
                    /* 9.1: the primary and secondary private IPs of the members. */
                    sr.mask = UINT32_MAX;
                    for (size_t e = 0; e < enis->n; e++) {
                        const struct network_interface *member
                            = network_interface_cast(enis->items[e]);
                        if (!eni_in_group(member, r->group_id)) {
                            continue;
                        }
                        for (size_t a = 0; a < member->n_ips; a++) {
                            sr.addr = member->ips[a].addr;
                            rule_push(&buf, &sr, id);
                        }
                    }
                }
                /* IPv6 CIDRs never match IPv4; prefix lists don't exist yet. */
            }
        }
        se->n_rules[egress] = (uint32_t) buf.n;
        se->rules[egress] = arena_alloc(s->arena, (buf.n + 1) * sizeof *buf.rules);
        se->rule_ids[egress] = arena_alloc(s->arena, (buf.n + 1) * sizeof *buf.ids);
        /* The 0.0.0.0/0 rules first (snapshot.h SNAP_OPEN_ALL_*), in order. */
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t j = 0; j < buf.n; j++) {
                if ((buf.rules[j].mask == 0) == (pass == 0)) {
                    se->rules[egress][k] = buf.rules[j];
                    se->rule_ids[egress][k++] = buf.ids[j];
                }
            }
        }
        free(buf.rules);
        free(buf.ids);
        if (buf.n >= SG_INDEX_MIN_RULES) {
            se->sg_index[egress] = sg_index_set_get(s->sg_indexes, s->arena, se->rules[egress],
                                                    buf.n);
        }
    }
    /* Section 9.2: the directions open to all, for untracked flows. */
    for (int egress = 0; egress < 2; egress++) {
        const struct snap_sg_rule *r = se->rules[egress];
        for (uint32_t j = 0; j < se->n_rules[egress] && r[j].mask == 0; j++) {
            bool all_ports = r[j].from <= 0 && r[j].to >= 65535;
            if (r[j].proto == -1 || (r[j].proto == 6 && all_ports)) {
                se->open_all[egress] |= SNAP_OPEN_ALL_TCP;
            }
            if (r[j].proto == -1 || (r[j].proto == 17 && all_ports)) {
                se->open_all[egress] |= SNAP_OPEN_ALL_UDP;
            }
        }
    }
    for (int egress = 0; egress < 2; egress++) {
        uint8_t other_has = 0;      /* protocols with a 0.0.0.0/0 rule the other way */
        const struct snap_sg_rule *r = se->rules[!egress];
        for (uint32_t j = 0; j < se->n_rules[!egress] && r[j].mask == 0; j++) {
            other_has |= r[j].proto == -1   ? SNAP_OPEN_ALL_TCP | SNAP_OPEN_ALL_UDP
                         : r[j].proto == 6  ? SNAP_OPEN_ALL_TCP
                         : r[j].proto == 17 ? SNAP_OPEN_ALL_UDP
                                            : 0;
        }
        se->may_untrack[egress] = se->open_all[!egress] | (se->open_all[egress] & other_has);
    }
}

static void
compile_enis(const struct model *m, struct snapshot *s, const struct kind_list *l,
             const struct kind_list *addresses, const struct hmap *subnet_ids,
             const struct hmap *eni_ids)
{
    s->n_enis = (uint32_t) l->n;
    s->enis = arena_zalloc(s->arena, (l->n + 1) * sizeof *s->enis);
    size_t n_addrs = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct network_interface *eni = network_interface_cast(l->items[i]);
        struct snap_eni *se = &s->enis[i];
        se->id = arena_strdup(s->arena, eni->r.id);
        se->seq = eni->r.seq;
        parse_mac(eni->mac, se->mac);
        se->source_dest_check = eni->source_dest_check;
        se->subnet = lookup_index(subnet_ids, eni->subnet_id);
        se->vpc = se->subnet != SNAPSHOT_NONE ? s->subnets[se->subnet].vpc : SNAPSHOT_NONE;
        se->n_addrs = (uint32_t) eni->n_ips;
        se->addrs = arena_zalloc(s->arena, (eni->n_ips + 1) * sizeof *se->addrs);
        se->public_ips = arena_zalloc(s->arena, (eni->n_ips + 1) * sizeof *se->public_ips);
        for (size_t a = 0; a < eni->n_ips; a++) {
            se->addrs[a] = eni->ips[a].addr;
        }
        if (eni->n_ips) {
            se->public_ips[0] = eni->public_ip;     /* auto public IPv4 of the primary */
        }
        se->nat = SNAPSHOT_NONE;
        n_addrs += eni->n_ips;
        compile_eni_rules(m, s, l, eni, se);
    }
    /* Section 6: an Elastic IP maps to one private address of an interface
     * (and replaces the auto public IPv4 when on the primary). */
    for (size_t i = 0; i < addresses->n; i++) {
        const struct address *a = address_cast(addresses->items[i]);
        const struct network_interface *eni = address_interface(m, a);
        uint32_t e = eni ? lookup_index(eni_ids, eni->r.id) : SNAPSHOT_NONE;
        if (e == SNAPSHOT_NONE) {
            continue;
        }
        struct snap_eni *se = &s->enis[e];
        for (uint32_t k = 0; k < se->n_addrs; k++) {
            if (se->addrs[k] == a->private_ip) {
                se->public_ips[k] = a->public_ip;
            }
        }
    }
    map_init(s->arena, &s->private_map, n_addrs);
    map_init(s->arena, &s->public_map, n_addrs);
    for (uint32_t i = 0; i < s->n_enis; i++) {
        const struct snap_eni *se = &s->enis[i];
        if (se->vpc == SNAPSHOT_NONE) {
            continue;
        }
        bool has_igw = s->vpcs[se->vpc].has_igw;
        for (uint32_t k = 0; k < se->n_addrs; k++) {
            map_insert(&s->private_map, (uint64_t) (se->vpc + 1) << 32 | se->addrs[k], i,
                       se->addrs[k]);
            /* Section 10: public addresses work through an attached gateway. */
            if (se->public_ips[k] && has_igw) {
                map_insert(&s->public_map, se->public_ips[k], i, se->addrs[k]);
            }
        }
    }
}

/* Section 11: the gateways that forward now.  'nat_ids' gets id -> index + 1. */
static void
compile_nats(struct snapshot *s, const struct kind_list *l,
             const struct hmap *subnet_ids, const struct hmap *eni_ids, struct hmap *nat_ids)
{
    hmap_init(nat_ids);
    s->nats = arena_zalloc(s->arena, (l->n + 1) * sizeof *s->nats);
    int64_t now = model_now();
    for (size_t i = 0; i < l->n; i++) {
        const struct nat_gateway *nat = nat_gateway_cast(l->items[i]);
        const char *state = nat_gateway_state(nat, now);
        if (!strcmp(state, "pending")) {
            int64_t t = nat->create_time + NAT_GATEWAY_PENDING_SEC;
            if (!s->next_change || t < s->next_change) {
                s->next_change = t;
            }
        }
        if (strcmp(state, "available")) {
            continue;
        }
        uint32_t e = lookup_index(eni_ids, nat->network_interface_id);
        uint32_t sub = lookup_index(subnet_ids, nat->subnet_id);
        if (e == SNAPSHOT_NONE || sub == SNAPSHOT_NONE || s->enis[e].subnet != sub) {
            continue;
        }
        struct snap_eni *se = &s->enis[e];
        uint32_t k = s->n_nats++;
        s->nats[k] = (struct snap_nat) {
            .id = arena_strdup(s->arena, nat->r.id),
            .seq = se->seq,
            .eni = e,
            .subnet = sub,
            .vpc = se->vpc,
            .private_ip = nat->private_ip,
            .is_private = !strcmp(nat->connectivity_type, "private"),
        };
        /* The Elastic IP is the address mapped to the interface's primary. */
        for (uint32_t a = 0; a < se->n_addrs; a++) {
            if (se->addrs[a] == nat->private_ip && !s->nats[k].is_private) {
                s->nats[k].public_ip = se->public_ips[a];
            }
        }
        se->nat = k;
        hmap_insert(nat_ids, s->nats[k].id, (void *) (uintptr_t) (k + 1));
    }
}

struct snapshot *
snapshot_compile(const struct model *m)
{
    struct kind_list lists[N_RES_KINDS];
    memset(lists, 0, sizeof lists);
    collect(m, lists);

    struct snapshot *s = xzalloc(sizeof *s);
    s->arena = arena_create();
    s->sg_indexes = sg_index_set_create();
    s->public_pool = m->config.public_pool;
    memcpy(s->router_mac, router_mac, sizeof router_mac);

    struct hmap vpc_ids, subnet_ids, rtb_ids, nacl_ids, eni_ids, nat_ids;
    index_ids(&vpc_ids, &lists[RES_VPC]);
    index_ids(&subnet_ids, &lists[RES_SUBNET]);
    index_ids(&rtb_ids, &lists[RES_ROUTE_TABLE]);
    index_ids(&nacl_ids, &lists[RES_NETWORK_ACL]);
    index_ids(&eni_ids, &lists[RES_NETWORK_INTERFACE]);

    compile_vpcs(m, s, &lists[RES_VPC]);
    compile_nacls(s, &lists[RES_NETWORK_ACL]);
    compile_subnets(m, s, &lists[RES_SUBNET], &vpc_ids, &rtb_ids, &nacl_ids);
    compile_enis(m, s, &lists[RES_NETWORK_INTERFACE], &lists[RES_ADDRESS], &subnet_ids,
                 &eni_ids);
    compile_nats(s, &lists[RES_NAT_GATEWAY], &subnet_ids, &eni_ids, &nat_ids);
    compile_route_tables(m, s, &lists[RES_ROUTE_TABLE], &eni_ids, &nat_ids);
    s->dns = dns_table_compile(m, s);

    hmap_uninit(&vpc_ids);
    hmap_uninit(&subnet_ids);
    hmap_uninit(&rtb_ids);
    hmap_uninit(&nacl_ids);
    hmap_uninit(&eni_ids);
    hmap_uninit(&nat_ids);
    for (int k = 0; k < N_RES_KINDS; k++) {
        free(lists[k].items);
    }
    return s;
}

void
snapshot_destroy(struct snapshot *s)
{
    if (!s) {
        return;
    }
    for (uint32_t i = 0; i < s->n_route_tables; i++) {
        lpm4_destroy(s->route_tables[i].lpm);
    }
    sg_index_set_destroy(s->sg_indexes);
    arena_destroy(s->arena);
    free(s);
}

uint32_t
snapshot_find_eni(const struct snapshot *s, const char *eni_id)
{
    for (uint32_t i = 0; i < s->n_enis; i++) {
        if (!strcmp(s->enis[i].id, eni_id)) {
            return i;
        }
    }
    return SNAPSHOT_NONE;
}
