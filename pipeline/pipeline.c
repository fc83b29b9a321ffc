/* pipeline_process: one frame, one verdict (see pipeline.h).  The data path:
 * reads the snapshot, writes only the frame and the conntrack table. */
#include "pipeline/pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "pipeline/conntrack.h"
#include "pipeline/dns.h"
#include "pipeline/snapshot.h"

const char *
pipeline_stage_name(enum pipeline_stage stage)
{
    static const char *const names[] = {
#define PIPELINE_STAGE_NAME(NAME, TEXT) TEXT,
        PIPELINE_STAGES(PIPELINE_STAGE_NAME)
#undef PIPELINE_STAGE_NAME
    };
    return (unsigned) stage < N_PIPELINE_STAGES ? names[stage] : "?";
}

/* What one packet carries into the rules and the conntrack key. */
struct flow {
    struct packet_meta meta;
    int proto;
    int port_or_type;               /* TCP/UDP destination port, ICMP type */
    int icmp_code;
    uint8_t tcp_flags;
};

struct ctx {
    const struct snapshot *snap;
    struct conntrack *ct;
    uint8_t *frame;
    uint64_t now_ns;
    struct pipeline_trace *trace;
    struct verdict *v;
    struct flow f;
    bool out_new;                   /* an egress flow admitted by rules, to record once delivered */
    bool via_nat;                   /* through a NAT gateway: always tracked (9.2) */
    bool frag_first;                /* a first fragment: record its verdict once delivered */
    int out_rule;                   /* with out_new: the index of the rule that admitted it */
    const struct snap_eni *src_eni; /* with out_new */
    struct ct_key out_key;
    struct ct_frag_key frag_key;    /* with frag_first */
};

static void __attribute__((format(printf, 5, 6)))
record(struct pipeline_trace *trace, enum pipeline_stage stage, const char *resource, bool pass,
       const char *fmt, ...)
{
    if (trace->n_steps >= PIPELINE_TRACE_MAX_STEPS) {
        return;
    }
    struct pipeline_trace_step *s = &trace->steps[trace->n_steps++];
    s->stage = stage;
    s->pass = pass;
    str_copy(s->resource, sizeof s->resource, resource ? resource : "");
    va_list args;
    va_start(args, fmt);
    vsnprintf(s->rule, sizeof s->rule, fmt, args);
    va_end(args);
}

/* Trace only: the arguments are not evaluated in production. */
#define TRACE(C, ...) \
    do { \
        if (unlikely((C)->trace)) { \
            record((C)->trace, __VA_ARGS__); \
        } \
    } while (0)

static enum verdict_kind
drop(struct ctx *c, enum drop_reason reason)
{
    c->v->kind = VERDICT_DROP;
    c->v->reason = reason;
    return VERDICT_DROP;
}

static inline bool
eni_has_addr(const struct snap_eni *eni, uint32_t addr)
{
    for (uint32_t i = 0; i < eni->n_addrs; i++) {
        if (eni->addrs[i] == addr) {
            return true;
        }
    }
    return false;
}

/* Section 10: RFC 1918 and RFC 6598 addresses never cross an internet gateway. */
static inline bool
is_private(uint32_t a)
{
    return (a & 0xff000000) == 0x0a000000 || (a & 0xfff00000) == 0xac100000
           || (a & 0xffff0000) == 0xc0a80000 || (a & 0xffc00000) == 0x64400000;
}

static void
set_eth(uint8_t *frame, const uint8_t dst[PACKET_ETH_ADDR_LEN],
        const uint8_t src[PACKET_ETH_ADDR_LEN])
{
    memcpy(frame, dst, PACKET_ETH_ADDR_LEN);
    memcpy(frame + PACKET_ETH_ADDR_LEN, src, PACKET_ETH_ADDR_LEN);
}

static void
format_ip(uint32_t addr, char out[IP4_STRLEN])
{
    ip4_format(addr, out);
}

static bool
is_icmp_error(const struct flow *f)
{
    return f->meta.l4 == PACKET_L4_ICMP && f->meta.icmp.is_error;
}

/* Whether a 0.0.0.0/0 rule of 'eni' going 'egress' admits a packet of
 * 'proto' with 'port' (TCP/UDP destination port) from/to 'remote'.  The
 * compiler put those rules first. */
static bool
open_rule_admits(const struct snap_eni *eni, bool egress, int proto, uint16_t port,
                 uint32_t remote)
{
    const struct snap_sg_rule *r = eni->rules[egress];
    for (uint32_t i = 0, n = eni->n_rules[egress]; i < n && r[i].mask == 0; i++) {
        if (snap_sg_rule_matches(&r[i], proto, port, 0, remote)) {
            return true;
        }
    }
    return false;
}

/* Section 9.2: whether the new flow 'k' (the key from 'eni''s side), which
 * rule 'r' of 'eni' admitted going 'egress', goes untracked: a 0.0.0.0/0
 * rule admits it one way and the other way is open to all.  The packet may
 * be the flow's first (r is 0.0.0.0/0, the other way open) or its reply
 * (this way open, and a 0.0.0.0/0 rule the other way admits the reverse
 * packet, whose port in that rule is this packet's source port).  Only TCP
 * and UDP; flows through a NAT gateway never are (the caller's business). */
static inline bool
untracked(const struct snap_eni *eni, bool egress, int r, const struct ct_key *k)
{
    unsigned may = eni->may_untrack[egress];
    if (likely(!may)) {
        return false;
    }
    unsigned bit = k->proto == PACKET_IP_PROTO_TCP   ? SNAP_OPEN_ALL_TCP
                   : k->proto == PACKET_IP_PROTO_UDP ? SNAP_OPEN_ALL_UDP
                                                     : 0;
    if (!(may & bit)) {
        return false;
    }
    if (eni->open_all[!egress] & bit) {
        return eni->rules[egress][r].mask == 0;
    }
    return open_rule_admits(eni, !egress, k->proto, egress ? k->lport : k->rport, k->remote);
}

static const char untracked_text[] = "untracked: 0.0.0.0/0 admits it, the other way is open to all";

/* Commits the conntrack entries of a frame about to be delivered: the
 * sender's flow if rules admitted it (c->out_new), the receiver's
 * ('in_key', rule 'in_rule' of 'd') if 'in_new'; an untracked side records
 * nothing.  Only new flows come here; "untracked" is decided here, at the
 * last moment, so that dropped frames never pay for it. */
static bool
commit_new(struct ctx *c, const struct ct_key *in_key, bool in_new, int in_rule,
           const struct snap_eni *d)
{
    if (c->out_new) {
        if (!c->via_nat && untracked(c->src_eni, true, c->out_rule, &c->out_key)) {
            TRACE(c, PIPELINE_STAGE_CONNTRACK, c->src_eni->id, true, "%s", untracked_text);
        } else if (conntrack_add(c->ct, &c->out_key, CT_DIR_OUT, c->f.tcp_flags, c->now_ns) < 0) {
            TRACE(c, PIPELINE_STAGE_CONNTRACK, "", false, "table full");
            return false;
        }
    }
    if (in_new) {
        if (!c->via_nat && untracked(d, false, in_rule, in_key)) {
            TRACE(c, PIPELINE_STAGE_CONNTRACK, d->id, true, "%s", untracked_text);
        } else if (conntrack_add(c->ct, in_key, CT_DIR_IN, c->f.tcp_flags, c->now_ns) < 0) {
            TRACE(c, PIPELINE_STAGE_CONNTRACK, "", false, "table full");
            return false;
        }
    }
    return true;
}

/* The same; a tracked flow in both directions (the common case) has nothing
 * to commit. */
static inline bool
commit(struct ctx *c, const struct ct_key *in_key, bool in_new, int in_rule,
       const struct snap_eni *d)
{
    return !(c->out_new | in_new) || commit_new(c, in_key, in_new, in_rule, d);
}

/* A first fragment leaves on 'out_port' as it is now: later fragments will
 * follow (conntrack_frag_room() said there is an entry for it). */
static void
record_fragment(struct ctx *c, uint32_t out_port)
{
    const struct packet_meta *m = &c->f.meta;
    struct ct_frag_verdict fv = {
        .out_port = out_port,
        .out_seq = out_port != PIPELINE_PORT_INTERNET ? c->snap->enis[out_port].seq : 0,
        .src = m->ip4.src,
        .dst = m->ip4.dst,
    };
    int error = conntrack_frag_add(c->ct, &c->frag_key, m->l4_size, &fv, c->now_ns);
    ASSERT(!error);
}

/* Steps 8-9 of dataplane.md: the destination interface's ACL (unless the
 * frame stays in 'from_subnet'), security groups and destination check. */
static enum verdict_kind
deliver_to_eni(struct ctx *c, uint32_t port, uint32_t from_subnet)
{
    const struct snapshot *snap = c->snap;
    const struct snap_eni *d = &snap->enis[port];
    const struct packet_meta *m = &c->f.meta;
    uint32_t src = m->ip4.src, dst = m->ip4.dst;

    if (unlikely(d->subnet == SNAPSHOT_NONE)) {
        return drop(c, DROP_REASON_NO_DESTINATION);
    }
    if (d->subnet != from_subnet) {
        const struct snap_subnet *sub = &snap->subnets[d->subnet];
        int rule = 32767;
        bool allow = sub->nacl != SNAPSHOT_NONE
                     && snapshot_nacl_evaluate(&snap->nacls[sub->nacl], false, src, c->f.proto,
                                               c->f.port_or_type, c->f.icmp_code, &rule);
        TRACE(c, PIPELINE_STAGE_NACL_INGRESS,
              sub->nacl != SNAPSHOT_NONE ? snap->nacls[sub->nacl].id : "", allow, "rule %d%s",
              rule, rule == 32767 ? " (*)" : "");
        if (!allow) {
            return drop(c, DROP_REASON_NACL_INGRESS);
        }
    }

    struct ct_key in_key = { d->seq, dst, src, m->dport, m->sport, (uint8_t) c->f.proto };
    bool in_new = false;
    int in_rule = -1;
    bool tracked;
    if (is_icmp_error(&c->f)) {
        /* Related: the quoted datagram is one 'd' sent. */
        struct ct_key rel = { d->seq, m->inner.src, m->inner.dst, m->inner.sport,
                              m->inner.dport, m->inner.proto };
        tracked = conntrack_contains(c->ct, &rel, c->now_ns);
    } else {
        tracked = conntrack_lookup(c->ct, &in_key, CT_DIR_IN, c->f.tcp_flags, c->now_ns);
    }
    if (tracked) {
        TRACE(c, PIPELINE_STAGE_SG_INGRESS, d->id, true, "tracked flow");
    } else {
        int r = snapshot_sg_evaluate(d, false, src, c->f.proto, c->f.port_or_type,
                                     c->f.icmp_code);
        TRACE(c, PIPELINE_STAGE_SG_INGRESS, d->id, r >= 0, "%s",
              r >= 0 ? d->rule_ids[0][r] : "no rule");
        if (r < 0) {
            return drop(c, DROP_REASON_SG_INGRESS);
        }
        in_new = true;
        in_rule = r;
    }

    if (d->source_dest_check && !eni_has_addr(d, dst)) {
        TRACE(c, PIPELINE_STAGE_DEST_CHECK, d->id, false, "not an address of the interface");
        return drop(c, DROP_REASON_DEST_CHECK);
    }

    if (!commit(c, &in_key, in_new, in_rule, d)) {
        return drop(c, DROP_REASON_CONNTRACK_FULL);
    }
    if (unlikely(c->frag_first)) {
        record_fragment(c, port);
    }
    set_eth(c->frame, d->mac, snap->router_mac);
    TRACE(c, PIPELINE_STAGE_OUTPUT, d->id, true, "deliver");
    c->v->kind = VERDICT_DELIVER;
    c->v->out_port = port;
    return VERDICT_DELIVER;
}

/* The internet port: the frame leaves towards the internet namespace. */
static enum verdict_kind
to_internet(struct ctx *c)
{
    /* Unicast to the internet interface's own MAC: a Linux stack drops TCP
     * that came in a broadcast frame. */
    set_eth(c->frame, pipeline_internet_mac, c->snap->router_mac);
    if (unlikely(c->frag_first)) {
        record_fragment(c, PIPELINE_PORT_INTERNET);
    }
    TRACE(c, PIPELINE_STAGE_OUTPUT, "", true, "internet");
    c->v->kind = VERDICT_DELIVER;
    c->v->out_port = PIPELINE_PORT_INTERNET;
    return VERDICT_DELIVER;
}

/* Section 10: stateless 1:1 NAT to the public IPv4 of the source address. */
static enum verdict_kind
igw_out(struct ctx *c, const struct snap_eni *src_eni, const char *igw_id)
{
    struct packet_meta *m = &c->f.meta;
    uint32_t public_ip = 0;
    for (uint32_t k = 0; k < src_eni->n_addrs; k++) {
        if (src_eni->addrs[k] == m->ip4.src) {
            public_ip = src_eni->public_ips[k];
        }
    }
    if (!public_ip) {
        TRACE(c, PIPELINE_STAGE_IGW_OUT, igw_id, false, "no public IPv4 for the source");
        return drop(c, DROP_REASON_NO_PUBLIC_IP);
    }
    if (is_private(m->ip4.dst)) {
        TRACE(c, PIPELINE_STAGE_IGW_OUT, igw_id, false, "private destination");
        return drop(c, DROP_REASON_IGW_PRIVATE_ADDRESS);
    }
    if (!commit(c, NULL, false, -1, NULL)) {
        return drop(c, DROP_REASON_CONNTRACK_FULL);
    }
    if (unlikely(c->trace)) {
        char a[IP4_STRLEN], b[IP4_STRLEN];
        format_ip(m->ip4.src, a);
        format_ip(public_ip, b);
        record(c->trace, PIPELINE_STAGE_IGW_OUT, igw_id, true, "source %s -> %s", a, b);
    }
    if (is_icmp_error(&c->f) && m->inner.dst == m->ip4.src) {
        packet_set_inner_ipv4_dst(c->frame, m, public_ip);
    }
    packet_set_ipv4_src(c->frame, m, public_ip);
    return to_internet(c);
}

/* The route of 'sub''s table for 'dst', traced; NULL (the frame dropped with
 * NO_ROUTE) when none covers it.  The trace marks the step passed when the
 * route is usable: any but a blackhole, or with 'igw_only' (the NAT gateway's
 * way out) only a route to the internet gateway. */
static const struct snap_route *
route_lookup(struct ctx *c, const struct snap_subnet *sub, uint32_t dst, bool igw_only)
{
    const struct snapshot *snap = c->snap;
    uint32_t route_index;
    if (sub->route_table == SNAPSHOT_NONE
        || lpm4_lookup(snap->route_tables[sub->route_table].lpm, dst, &route_index) < 0) {
        TRACE(c, PIPELINE_STAGE_ROUTE,
              sub->route_table != SNAPSHOT_NONE ? snap->route_tables[sub->route_table].id : "",
              false, "no route");
        drop(c, DROP_REASON_NO_ROUTE);
        return NULL;
    }
    const struct snap_route_table *rtb = &snap->route_tables[sub->route_table];
    const struct snap_route *route = &rtb->routes[route_index];
    if (unlikely(c->trace)) {
        char p[IP4_PREFIX_STRLEN];
        bool pass = igw_only ? route->kind == SNAP_ROUTE_IGW : route->kind != SNAP_ROUTE_BLACKHOLE;
        ip4_prefix_format(&route->dst, p);
        record(c->trace, PIPELINE_STAGE_ROUTE, rtb->id, pass, "%s -> %s%s", p, route->target_id,
               route->kind == SNAP_ROUTE_BLACKHOLE ? " (blackhole)" : "");
    }
    return route;
}

/* Subnet 'sub''s ACL in direction 'egress' on the current flow with remote
 * address 'remote', traced. */
static bool
nacl_pass(struct ctx *c, const struct snap_subnet *sub, bool egress, uint32_t remote)
{
    const struct snapshot *snap = c->snap;
    int rule = 32767;
    bool allow = sub->nacl != SNAPSHOT_NONE
                 && snapshot_nacl_evaluate(&snap->nacls[sub->nacl], egress, remote, c->f.proto,
                                           c->f.port_or_type, c->f.icmp_code, &rule);
    TRACE(c, egress ? PIPELINE_STAGE_NACL_EGRESS : PIPELINE_STAGE_NACL_INGRESS,
          sub->nacl != SNAPSHOT_NONE ? snap->nacls[sub->nacl].id : "", allow, "rule %d%s", rule,
          rule == 32767 ? " (*)" : "");
    return allow;
}

/* Whether the frame carries ports a NAT gateway translates: TCP, UDP, ICMP
 * echo (its identifier). */
static bool
nat_has_ports(const struct packet_meta *m)
{
    return m->l4 == PACKET_L4_TCP || m->l4 == PACKET_L4_UDP
           || (m->l4 == PACKET_L4_ICMP
               && (m->icmp.type == PACKET_ICMP_ECHO_REQUEST
                   || m->icmp.type == PACKET_ICMP_ECHO_REPLY));
}

static void
trace_translation(struct ctx *c, enum pipeline_stage stage, const char *id, uint32_t a,
                  uint16_t ap, uint32_t b, uint16_t bp)
{
    char x[IP4_STRLEN], y[IP4_STRLEN];
    format_ip(a, x);
    format_ip(b, y);
    record(c->trace, stage, id, true, "%s:%u -> %s:%u", x, ap, y, bp);
}

/* Section 11: the gateway answers a segment of a connection it no longer
 * knows (idle timeout) with a RST to the inside host (RFC 793 "Reset
 * Generation"), built in the frame. */
static enum verdict_kind
nat_reset(struct ctx *c, const struct snap_nat *nat, uint32_t in_port)
{
    const struct packet_meta *m = &c->f.meta;
    struct packet_addrs addrs = { .ip_src = m->ip4.dst, .ip_dst = m->ip4.src };
    memcpy(addrs.eth_src, c->snap->router_mac, PACKET_ETH_ADDR_LEN);
    memcpy(addrs.eth_dst, m->eth_src, PACKET_ETH_ADDR_LEN);
    bool has_ack = m->tcp.flags & PACKET_TCP_ACK;
    uint32_t seg_len = (uint32_t) m->l4_size - 4u * m->tcp.data_offset
                       + ((m->tcp.flags & PACKET_TCP_FIN) ? 1 : 0);
    size_t n = packet_build_tcp_rst(c->frame, c->v->len, &addrs, m->dport, m->sport,
                                    has_ack ? m->tcp.ack : 0, has_ack ? 0 : m->tcp.seq + seg_len,
                                    !has_ack);
    if (n == 0) {
        return drop(c, DROP_REASON_NAT_NO_MAPPING);
    }
    TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, true, "no connection (idle timeout): TCP RST");
    c->v->kind = VERDICT_REPLY;
    c->v->out_port = in_port;
    c->v->len = n;
    return VERDICT_REPLY;
}

/* Section 20, route to a NAT gateway: its subnet's ACL in, SNAT, its subnet's
 * route table, its ACL out, the internet gateway. */
static enum verdict_kind
nat_out(struct ctx *c, const struct snap_eni *s, uint32_t in_port, const struct snap_nat *nat)
{
    const struct snapshot *snap = c->snap;
    struct packet_meta *m = &c->f.meta;
    const struct snap_subnet *nsub = &snap->subnets[nat->subnet];
    uint32_t dst = m->ip4.dst;

    if (unlikely(nat->vpc != s->vpc)) {
        TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false, "source outside the gateway's VPC");
        return drop(c, DROP_REASON_BLACKHOLE);
    }
    /* Section 11: "fragments forwarded for UDP only". */
    if (unlikely(m->ip4.is_fragment) && c->f.proto != PACKET_IP_PROTO_UDP) {
        TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false, "a fragment, not UDP");
        return drop(c, DROP_REASON_NAT_FRAGMENT);
    }
    /* Section 9.2: flows through a NAT gateway are always tracked. */
    c->via_nat = true;
    if (s->subnet != nat->subnet && !nacl_pass(c, nsub, false, m->ip4.src)) {
        return drop(c, DROP_REASON_NACL_INGRESS);
    }

    /* The translation: an existing connection's, or a new port. */
    bool icmp_error = is_icmp_error(&c->f);
    struct ct_key in_key, out_key;
    bool nat_new = false;
    if (icmp_error) {
        /* An error about a datagram the host received through the gateway. */
        const struct packet_inner *in = &m->inner;
        in_key = (struct ct_key) { nat->seq | CT_NAT_INSIDE, in->dst, in->src, in->dport,
                                   in->sport, in->proto };
        if (!in->has_ports || in->src != dst
            || !conntrack_nat_contains(c->ct, &in_key, c->now_ns, &out_key)) {
            TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false, "error about no connection");
            return drop(c, DROP_REASON_NAT_NO_MAPPING);
        }
    } else if (nat_has_ports(m)) {
        in_key = (struct ct_key) { nat->seq | CT_NAT_INSIDE, m->ip4.src, dst, m->sport, m->dport,
                                   (uint8_t) c->f.proto };
        if (!conntrack_nat_lookup(c->ct, &in_key, c->f.tcp_flags, c->now_ns, &out_key)) {
            if (m->l4 == PACKET_L4_TCP && !(c->f.tcp_flags & PACKET_TCP_SYN)) {
                if (c->f.tcp_flags & PACKET_TCP_RST) {
                    TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false, "RST of no connection");
                    return drop(c, DROP_REASON_NAT_NO_MAPPING);
                }
                return nat_reset(c, nat, in_port);
            }
            if (m->l4 == PACKET_L4_ICMP && m->icmp.type != PACKET_ICMP_ECHO_REQUEST) {
                TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false, "echo reply of no connection");
                return drop(c, DROP_REASON_NAT_NO_MAPPING);
            }
            out_key = (struct ct_key) { nat->seq | CT_NAT_OUTSIDE, nat->private_ip, dst, 0,
                                        m->dport, (uint8_t) c->f.proto };
            if (conntrack_nat_pick_port(c->ct, &in_key, &out_key, c->now_ns) < 0) {
                TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false,
                      "ErrorPortAllocation: no free port to this destination");
                return drop(c, DROP_REASON_NAT_PORT_ALLOCATION);
            }
            nat_new = true;
        }
    } else {
        TRACE(c, PIPELINE_STAGE_NAT_OUT, nat->id, false, "protocol %d not translated", c->f.proto);
        return drop(c, DROP_REASON_NAT_PROTOCOL);
    }
    if (unlikely(c->trace)) {
        if (icmp_error) {
            trace_translation(c, PIPELINE_STAGE_NAT_OUT, nat->id, m->ip4.src, in_key.lport,
                              out_key.local, out_key.lport);
        } else {
            trace_translation(c, PIPELINE_STAGE_NAT_OUT, nat->id, m->ip4.src, m->sport,
                              out_key.local, out_key.lport);
        }
    }

    /* The gateway subnet's route table: normally 0.0.0.0/0 -> igw. */
    const struct snap_route *route = route_lookup(c, nsub, dst, true);
    if (!route) {
        return VERDICT_DROP;
    }
    if (route->kind == SNAP_ROUTE_BLACKHOLE) {
        return drop(c, DROP_REASON_BLACKHOLE);
    }
    if (route->kind != SNAP_ROUTE_IGW) {
        /* XXX: NAT to local, interface or NAT targets (private NAT's TGW/VGW
         * paths) is not forwarded yet. */
        return drop(c, DROP_REASON_NOT_IMPLEMENTED_YET);
    }
    if (!nacl_pass(c, nsub, true, dst)) {
        return drop(c, DROP_REASON_NACL_EGRESS);
    }

    /* Section 10/11: the internet gateway maps the private IPv4 to the EIP. */
    const char *igw_id = route->target_id;
    if (nat->is_private) {
        TRACE(c, PIPELINE_STAGE_IGW_OUT, igw_id, false, "from a private NAT gateway");
        return drop(c, DROP_REASON_NAT_PRIVATE_TO_IGW);
    }
    if (!nat->public_ip) {
        TRACE(c, PIPELINE_STAGE_IGW_OUT, igw_id, false, "no Elastic IP on the NAT gateway");
        return drop(c, DROP_REASON_NO_PUBLIC_IP);
    }
    if (is_private(dst)) {
        TRACE(c, PIPELINE_STAGE_IGW_OUT, igw_id, false, "private destination");
        return drop(c, DROP_REASON_IGW_PRIVATE_ADDRESS);
    }

    /* Commit: the host's flow and the new translation, all or nothing. */
    size_t need = (c->out_new ? 1 : 0) + (nat_new ? 2 : 0);
    if (need && conntrack_free(c->ct) < need) {
        TRACE(c, PIPELINE_STAGE_CONNTRACK, "", false, "table full");
        return drop(c, DROP_REASON_CONNTRACK_FULL);
    }
    if (!commit(c, NULL, false, -1, NULL)
        || (nat_new
            && conntrack_nat_add(c->ct, &in_key, &out_key, c->f.tcp_flags, c->now_ns) < 0)) {
        return drop(c, DROP_REASON_CONNTRACK_FULL);
    }
    if (unlikely(c->trace)) {
        char a[IP4_STRLEN], b[IP4_STRLEN];
        format_ip(nat->private_ip, a);
        format_ip(nat->public_ip, b);
        record(c->trace, PIPELINE_STAGE_IGW_OUT, igw_id, true, "source %s -> %s", a, b);
    }
    if (icmp_error) {
        packet_set_inner_ipv4_dst(c->frame, m, nat->public_ip);
        packet_set_inner_l4_dport(c->frame, m, out_key.lport);
    } else {
        packet_set_l4_sport(c->frame, m, out_key.lport);
    }
    packet_set_ipv4_src(c->frame, m, nat->public_ip);
    return to_internet(c);
}

/* From the internet to a NAT gateway's Elastic IP: the reverse translation of
 * a connection made from inside, then to the host. */
static enum verdict_kind
nat_in(struct ctx *c, const struct snap_nat *nat)
{
    const struct snapshot *snap = c->snap;
    struct packet_meta *m = &c->f.meta;
    const struct snap_subnet *nsub = &snap->subnets[nat->subnet];
    const char *igw_id = snap->vpcs[nat->vpc].igw_id;
    if (is_private(m->ip4.src)) {
        TRACE(c, PIPELINE_STAGE_IGW_IN, igw_id, false, "private source");
        return drop(c, DROP_REASON_IGW_PRIVATE_ADDRESS);
    }
    if (unlikely(c->trace)) {
        char a[IP4_STRLEN], b[IP4_STRLEN];
        format_ip(m->ip4.dst, a);
        format_ip(nat->private_ip, b);
        record(c->trace, PIPELINE_STAGE_IGW_IN, igw_id, true, "destination %s -> %s", a, b);
    }
    if (!nacl_pass(c, nsub, false, m->ip4.src)) {
        return drop(c, DROP_REASON_NACL_INGRESS);
    }
    if (unlikely(m->ip4.is_fragment) && c->f.proto != PACKET_IP_PROTO_UDP) {
        TRACE(c, PIPELINE_STAGE_NAT_IN, nat->id, false, "a fragment, not UDP");
        return drop(c, DROP_REASON_NAT_FRAGMENT);
    }
    c->via_nat = true;

    bool icmp_error = is_icmp_error(&c->f);
    struct ct_key out_key, in_key;
    bool found = false;
    if (icmp_error) {
        const struct packet_inner *in = &m->inner;
        out_key = (struct ct_key) { nat->seq | CT_NAT_OUTSIDE, nat->private_ip, in->dst,
                                    in->sport, in->dport, in->proto };
        found = in->has_ports && in->src == m->ip4.dst
                && conntrack_nat_contains(c->ct, &out_key, c->now_ns, &in_key);
    } else if (nat_has_ports(m)
               && (m->l4 != PACKET_L4_ICMP || m->icmp.type == PACKET_ICMP_ECHO_REPLY)) {
        out_key = (struct ct_key) { nat->seq | CT_NAT_OUTSIDE, nat->private_ip, m->ip4.src,
                                    m->dport, m->sport, (uint8_t) c->f.proto };
        found = conntrack_nat_lookup(c->ct, &out_key, c->f.tcp_flags, c->now_ns, &in_key);
    }
    if (!found) {
        TRACE(c, PIPELINE_STAGE_NAT_IN, nat->id, false, "no connection from inside");
        return drop(c, DROP_REASON_NAT_NO_MAPPING);
    }
    if (unlikely(c->trace)) {
        trace_translation(c, PIPELINE_STAGE_NAT_IN, nat->id, nat->private_ip, out_key.lport,
                          in_key.local, in_key.lport);
    }
    uint32_t d = snapshot_eni_by_private(snap, nat->vpc, in_key.local);
    if (d == SNAPSHOT_NONE) {
        return drop(c, DROP_REASON_NO_DESTINATION);
    }
    if (!icmp_error && m->l4 != PACKET_L4_ICMP) {
        c->f.port_or_type = in_key.lport;
    }
    if (snap->enis[d].subnet != nat->subnet && !nacl_pass(c, nsub, true, in_key.local)) {
        return drop(c, DROP_REASON_NACL_EGRESS);
    }
    if (icmp_error) {
        packet_set_inner_ipv4_src(c->frame, m, in_key.local);
        packet_set_inner_l4_sport(c->frame, m, in_key.lport);
    } else {
        packet_set_l4_dport(c->frame, m, in_key.lport);
    }
    packet_set_ipv4_dst(c->frame, m, in_key.local);
    return deliver_to_eni(c, d, nat->subnet);
}

static enum verdict_kind
from_eni(struct ctx *c, uint32_t in_port)
{
    const struct snapshot *snap = c->snap;
    const struct snap_eni *s = &snap->enis[in_port];
    const struct packet_meta *m = &c->f.meta;
    uint32_t src = m->ip4.src, dst = m->ip4.dst;

    if (unlikely(s->subnet == SNAPSHOT_NONE)) {
        return drop(c, DROP_REASON_UNKNOWN_PORT);
    }
    /* Section 5: source/dest check. */
    if (s->source_dest_check && !eni_has_addr(s, src)) {
        TRACE(c, PIPELINE_STAGE_SOURCE_CHECK, s->id, false, "not an address of the interface");
        return drop(c, DROP_REASON_SOURCE_CHECK);
    }
    /* Sections 3, 8: the Amazon resolver answers before security groups and
     * ACLs see the query. */
    if (dns_is_for_resolver(snap, s->vpc, m)) {
        return dns_resolver_process(snap, in_port, c->frame, MAX(c->v->len, PIPELINE_REPLY_ROOM),
                                    m, c->trace, c->v);
    }

    /* Section 9.2: a tracked flow passes; otherwise the rules, and the flow is
     * tracked once delivered. */
    c->out_key = (struct ct_key) { s->seq, src, dst, m->sport, m->dport, (uint8_t) c->f.proto };
    bool tracked;
    if (is_icmp_error(&c->f)) {
        struct ct_key rel = { s->seq, m->inner.dst, m->inner.src, m->inner.dport,
                              m->inner.sport, m->inner.proto };
        tracked = conntrack_contains(c->ct, &rel, c->now_ns);
    } else {
        tracked = conntrack_lookup(c->ct, &c->out_key, CT_DIR_OUT, c->f.tcp_flags, c->now_ns);
    }
    if (tracked) {
        TRACE(c, PIPELINE_STAGE_SG_EGRESS, s->id, true, "tracked flow");
    } else {
        int r = snapshot_sg_evaluate(s, true, dst, c->f.proto, c->f.port_or_type,
                                     c->f.icmp_code);
        TRACE(c, PIPELINE_STAGE_SG_EGRESS, s->id, r >= 0, "%s",
              r >= 0 ? s->rule_ids[1][r] : "no rule");
        if (r < 0) {
            return drop(c, DROP_REASON_SG_EGRESS);
        }
        c->out_new = true;
        c->out_rule = r;
        c->src_eni = s;
    }

    const struct snap_subnet *sub = &snap->subnets[s->subnet];
    uint32_t d;
    /* Section 7: within one subnet it is L2, no ACL, no route table. */
    if (ip4_prefix_has(&sub->cidr, dst)) {
        d = snapshot_eni_by_private(snap, s->vpc, dst);
        if (d == SNAPSHOT_NONE) {
            TRACE(c, PIPELINE_STAGE_ROUTE, sub->id, false, "same subnet, no interface");
            return drop(c, DROP_REASON_NO_DESTINATION);
        }
        return deliver_to_eni(c, d, s->subnet);
    }

    int rule = 32767;
    bool allow = sub->nacl != SNAPSHOT_NONE
                 && snapshot_nacl_evaluate(&snap->nacls[sub->nacl], true, dst, c->f.proto,
                                           c->f.port_or_type, c->f.icmp_code, &rule);
    TRACE(c, PIPELINE_STAGE_NACL_EGRESS, sub->nacl != SNAPSHOT_NONE ? snap->nacls[sub->nacl].id
                                                                     : "",
          allow, "rule %d%s", rule, rule == 32767 ? " (*)" : "");
    if (!allow) {
        return drop(c, DROP_REASON_NACL_EGRESS);
    }

    const struct snap_route *route = route_lookup(c, sub, dst, false);
    if (!route) {
        return VERDICT_DROP;
    }
    switch (route->kind) {
    case SNAP_ROUTE_LOCAL:
        d = snapshot_eni_by_private(snap, s->vpc, dst);
        if (d == SNAPSHOT_NONE) {
            return drop(c, DROP_REASON_NO_DESTINATION);
        }
        return deliver_to_eni(c, d, s->subnet);
    case SNAP_ROUTE_ENI:
        return deliver_to_eni(c, route->target, s->subnet);
    case SNAP_ROUTE_IGW:
        return igw_out(c, s, route->target_id);
    case SNAP_ROUTE_NAT:
        return nat_out(c, s, in_port, &snap->nats[route->target]);
    default:
        return drop(c, DROP_REASON_BLACKHOLE);
    }
}

static enum verdict_kind
from_internet(struct ctx *c)
{
    const struct snapshot *snap = c->snap;
    struct packet_meta *m = &c->f.meta;
    const struct snap_map_slot *slot = snap_map_find(&snap->public_map, m->ip4.dst);
    if (!slot) {
        TRACE(c, PIPELINE_STAGE_IGW_IN, "", false, "no interface holds this public IPv4");
        return drop(c, DROP_REASON_UNKNOWN_PUBLIC_IP);
    }
    const struct snap_eni *d = &snap->enis[slot->eni];
    if (d->nat != SNAPSHOT_NONE) {
        return nat_in(c, &snap->nats[d->nat]);
    }
    const char *igw_id = snap->vpcs[d->vpc].igw_id;
    if (is_private(m->ip4.src)) {
        TRACE(c, PIPELINE_STAGE_IGW_IN, igw_id, false, "private source");
        return drop(c, DROP_REASON_IGW_PRIVATE_ADDRESS);
    }
    if (unlikely(c->trace)) {
        char a[IP4_STRLEN], b[IP4_STRLEN];
        format_ip(m->ip4.dst, a);
        format_ip(slot->private_ip, b);
        record(c->trace, PIPELINE_STAGE_IGW_IN, igw_id, true, "destination %s -> %s", a, b);
    }
    if (is_icmp_error(&c->f) && m->inner.src == m->ip4.dst) {
        packet_set_inner_ipv4_src(c->frame, m, slot->private_ip);
    }
    packet_set_ipv4_dst(c->frame, m, slot->private_ip);
    return deliver_to_eni(c, slot->eni, SNAPSHOT_NONE);
}

/* The port of the interface with model seq 'seq' in 'snap': 'hint' when it
 * still is, else found by bisection (the compiler lays interfaces out in
 * creation order, and seqs grow); SNAPSHOT_NONE once it is gone. */
static uint32_t
port_by_seq(const struct snapshot *snap, uint32_t hint, uint64_t seq)
{
    if (hint < snap->n_enis && snap->enis[hint].seq == seq) {
        return hint;
    }
    uint32_t lo = 0, hi = snap->n_enis;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (snap->enis[mid].seq < seq) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < snap->n_enis && snap->enis[lo].seq == seq ? lo : SNAPSHOT_NONE;
}

/* A later fragment carries no ports, so no rule can judge it: it follows its
 * first fragment's verdict, with the same address rewrites, or drops.  One
 * arriving before its first fragment drops too: AWS does not document
 * reordered fragments, and holding them back would cost buffers the data
 * path does not have (Linux's stateless filters drop them as well). */
static enum verdict_kind
later_fragment(struct ctx *c, uint32_t in_port)
{
    const struct snapshot *snap = c->snap;
    struct packet_meta *m = &c->f.meta;
    const char *who = in_port == PIPELINE_PORT_INTERNET ? "internet" : snap->enis[in_port].id;
    /* RFC 1858 3.2: offset 8 is where a TCP header's flags would be
     * overwritten on reassembly; no honest sender fragments there. */
    if (m->ip4.proto == PACKET_IP_PROTO_TCP && m->ip4.frag_offset == 8) {
        TRACE(c, PIPELINE_STAGE_FRAGMENT, who, false, "TCP fragment at offset 8");
        return drop(c, DROP_REASON_FRAGMENT_OVERLAP);
    }
    struct ct_frag_verdict fv;
    if (!conntrack_frag_lookup(c->ct, &c->frag_key, m->ip4.frag_offset, m->l4_size, m->ip4.mf,
                               c->now_ns, &fv)) {
        TRACE(c, PIPELINE_STAGE_FRAGMENT, who, false, "no admitted first fragment (id %u)",
              m->ip4.id);
        return drop(c, DROP_REASON_FRAGMENT_NO_FIRST);
    }
    uint32_t out = fv.out_port;
    if (out != PIPELINE_PORT_INTERNET) {
        out = port_by_seq(snap, out, fv.out_seq);
        if (out == SNAPSHOT_NONE) {
            TRACE(c, PIPELINE_STAGE_FRAGMENT, who, false, "its destination is gone");
            return drop(c, DROP_REASON_NO_DESTINATION);
        }
    }
    if (fv.src != m->ip4.src) {
        packet_set_ipv4_src(c->frame, m, fv.src);
    }
    if (fv.dst != m->ip4.dst) {
        packet_set_ipv4_dst(c->frame, m, fv.dst);
    }
    TRACE(c, PIPELINE_STAGE_FRAGMENT, who, true, "follows its first fragment (id %u)", m->ip4.id);
    if (out == PIPELINE_PORT_INTERNET) {
        return to_internet(c);
    }
    set_eth(c->frame, snap->enis[out].mac, snap->router_mac);
    TRACE(c, PIPELINE_STAGE_OUTPUT, snap->enis[out].id, true, "deliver");
    c->v->kind = VERDICT_DELIVER;
    c->v->out_port = out;
    return VERDICT_DELIVER;
}

static bool
vpc_has(const struct snap_vpc *vpc, uint32_t addr)
{
    for (uint32_t i = 0; i < vpc->n_cidrs; i++) {
        if (ip4_prefix_has(&vpc->cidrs[i], addr)) {
            return true;
        }
    }
    return false;
}

/* The router answers every ARP request for its side: any address of the
 * VPC on an interface port (AWS: instances never see each other's frames),
 * any public pool address on the internet port. */
static enum verdict_kind
arp(struct ctx *c, uint32_t in_port, size_t len)
{
    const struct packet_meta *m = &c->f.meta;
    const struct snapshot *snap = c->snap;
    bool from_internet = in_port == PIPELINE_PORT_INTERNET;
    const char *who = from_internet ? "internet" : snap->enis[in_port].id;
    if (m->arp.op != PACKET_ARP_OP_REQUEST) {
        TRACE(c, PIPELINE_STAGE_ARP, who, false, "not a request");
        return drop(c, DROP_REASON_ARP_NOT_REQUEST);
    }
    bool ours;
    if (from_internet) {
        ours = ip4_prefix_has(&snap->public_pool, m->arp.tpa);
    } else {
        const struct snap_eni *e = &snap->enis[in_port];
        if (m->arp.spa == 0 || eni_has_addr(e, m->arp.tpa)) {
            TRACE(c, PIPELINE_STAGE_ARP, who, false, "probe for its own address");
            return drop(c, DROP_REASON_ARP_FOR_SELF);
        }
        ours = e->vpc != SNAPSHOT_NONE && vpc_has(&snap->vpcs[e->vpc], m->arp.tpa);
    }
    if (!ours) {
        TRACE(c, PIPELINE_STAGE_ARP, who, false, "target outside");
        return drop(c, DROP_REASON_ARP_TARGET_OUTSIDE);
    }
    uint8_t sha[PACKET_ETH_ADDR_LEN];
    memcpy(sha, m->arp.sha, sizeof sha);
    uint32_t spa = m->arp.spa, tpa = m->arp.tpa;
    size_t n = packet_build_arp_reply(c->frame, len, snap->router_mac, tpa, sha, spa);
    if (n == 0) {
        return drop(c, DROP_REASON_MALFORMED);
    }
    TRACE(c, PIPELINE_STAGE_ARP, who, true, "reply from the router");
    c->v->kind = VERDICT_REPLY;
    c->v->out_port = in_port;
    c->v->len = n;
    return VERDICT_REPLY;
}

enum verdict_kind
pipeline_process(const struct snapshot *snap, struct conntrack *ct, uint8_t *frame, size_t len,
                 uint32_t in_port, unsigned flags, uint64_t now_ns, struct pipeline_trace *trace,
                 struct verdict *v)
{
    struct ctx c;
    c.snap = snap;
    c.ct = ct;
    c.frame = frame;
    c.now_ns = now_ns;
    c.trace = trace;
    c.v = v;
    c.out_new = false;
    c.via_nat = false;
    c.frag_first = false;
    *v = (struct verdict) { .kind = VERDICT_DROP, .reason = DROP_REASON_NONE,
                            .parse_error = PACKET_ERR_OK, .out_port = SNAPSHOT_NONE,
                            .len = len };
    if (trace) {
        trace->n_steps = 0;
    }
    if (in_port != PIPELINE_PORT_INTERNET && in_port >= snap->n_enis) {
        return drop(&c, DROP_REASON_UNKNOWN_PORT);
    }

    struct packet_meta *m = &c.f.meta;
    enum packet_error error = packet_parse(frame, len, m, false);
    if (error != PACKET_ERR_OK) {
        v->parse_error = error;
        TRACE(&c, PIPELINE_STAGE_PARSE, "", false, "%s", packet_error_name(error));
        return drop(&c, DROP_REASON_MALFORMED);
    }
    m->l4_csum_partial = flags & PIPELINE_FRAME_CSUM_PARTIAL;
    if (m->l3 == PACKET_L3_ARP) {
        return arp(&c, in_port, len);
    }
    if (m->l3 != PACKET_L3_IPV4) {
        TRACE(&c, PIPELINE_STAGE_PARSE, "", false, "IPv6");
        return drop(&c, DROP_REASON_IPV6_NOT_SUPPORTED);
    }
    if (unlikely(m->ip4.is_fragment)) {
        c.frag_key = (struct ct_frag_key) {
            .in_port = in_port == PIPELINE_PORT_INTERNET ? CT_FRAG_FROM_INTERNET
                                                         : snap->enis[in_port].seq,
            .src = m->ip4.src, .dst = m->ip4.dst, .ip_id = m->ip4.id, .proto = m->ip4.proto,
        };
        if (m->ip4.is_later_fragment) {
            return later_fragment(&c, in_port);
        }
        /* Refused before anything is judged or recorded: the datagram could
         * not be followed (conntrack.h "IPv4 fragments"). */
        if (!conntrack_frag_room(ct, &c.frag_key, now_ns)) {
            TRACE(&c, PIPELINE_STAGE_FRAGMENT, "", false, "fragment table full");
            return drop(&c, DROP_REASON_FRAGMENT_TABLE_FULL);
        }
        c.frag_first = true;
    }
    c.f.proto = m->ip4.proto;
    c.f.port_or_type = 0;
    c.f.icmp_code = 0;
    c.f.tcp_flags = 0;
    if (m->l4 == PACKET_L4_TCP || m->l4 == PACKET_L4_UDP) {
        c.f.port_or_type = m->dport;
        c.f.tcp_flags = m->l4 == PACKET_L4_TCP ? m->tcp.flags : 0;
    } else if (m->l4 == PACKET_L4_ICMP) {
        c.f.port_or_type = m->icmp.type;
        c.f.icmp_code = m->icmp.code;
    }
    if (in_port == PIPELINE_PORT_INTERNET) {
        return from_internet(&c);
    }
    return from_eni(&c, in_port);
}
