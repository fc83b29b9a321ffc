/* Unit tests for pipeline/: the compiler, pipeline_process and conntrack.
 * Each test builds a model through the model API, compiles it, pushes frames
 * built here and checks the verdict, the rewritten frame and the trace.
 *
 *   VPC A 10.0.0.0/16 (internet gateway igw, main table 0.0.0.0/0 -> igw)
 *     S1 10.0.1.0/24: a1 10.0.1.10, a2 10.0.1.20 (Elastic IP)
 *     S2 10.0.2.0/24: b1 10.0.2.10
 *   VPC B 10.0.0.0/16 (same CIDR, no gateway)
 *     S1 10.0.1.0/24: c1 10.0.1.10, c2 10.0.1.20 */
#include <errno.h>
#include <string.h>

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
#include "net/checksum.h"
#include "pipeline/conntrack.h"
#include "pipeline/pipeline.h"
#include "pipeline/probe.h"
#include "pipeline/snapshot.h"
#include "tests/unit/testlib.h"

#define IP(a, b, c, d) ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8 | (d))

static const uint8_t some_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint64_t SEC = 1000000000ull;

struct world {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc_a, *vpc_b;
    struct subnet *s1, *s2, *bs1;
    struct internet_gateway *igw;
    struct security_group *sg_a, *sg_b, *sg_c;     /* a1/a2, b1, c1/c2 */
    struct network_interface *a1, *a2, *b1, *c1, *c2;
    struct address *eip;
    struct snapshot *snap;
    struct conntrack *ct;
};

static struct security_group *
make_sg(struct world *w, struct vpc *vpc, const char *name)
{
    struct security_group *sg;
    struct error err;
    ASSERT(!security_group_create(w->m, vpc, name, "test group", false, &sg, &err));
    return sg;
}

static void
add_rule(struct world *w, struct security_group *sg, bool egress, const char *proto, int from,
         int to, enum sg_peer peer, const char *value)
{
    struct sg_rule_spec spec = {
        .protocol = proto, .has_from_port = true, .from_port = from, .has_to_port = true,
        .to_port = to, .peer = peer, .peer_value = value,
    };
    struct sg_rule rule;
    struct error err;
    ASSERT(!security_group_rule_from_spec(w->m, sg, egress, &spec, &rule, &err));
    ASSERT(!security_group_authorize(w->m, sg, &rule, 1, NULL, 0, &err));
}

static struct network_interface *
make_eni(struct world *w, struct subnet *s, uint32_t ip, struct security_group *sg)
{
    struct network_interface *eni;
    struct error err;
    const char *groups[] = { sg->r.id };
    ASSERT(!network_interface_create(w->m, s, ip, groups, 1, NULL, NULL, NULL, &eni, &err));
    return eni;
}

static void
compile(struct world *w)
{
    snapshot_destroy(w->snap);
    w->snap = snapshot_compile(w->m);
}

static void
world_init(struct world *w)
{
    struct error err;
    memset(w, 0, sizeof *w);
    w->m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    w->scope = model_scope(w->m, "000000000000", "us-east-1");
    struct ip4_prefix vpc_cidr = { IP(10, 0, 0, 0), 16 };
    struct ip4_prefix c1 = { IP(10, 0, 1, 0), 24 }, c2 = { IP(10, 0, 2, 0), 24 };
    ASSERT(!vpc_create(w->m, w->scope, &vpc_cidr, NULL, &w->vpc_a, &err));
    ASSERT(!vpc_create(w->m, w->scope, &vpc_cidr, NULL, &w->vpc_b, &err));
    ASSERT(!subnet_create(w->m, w->vpc_a, &c1, NULL, &w->s1, &err));
    ASSERT(!subnet_create(w->m, w->vpc_a, &c2, NULL, &w->s2, &err));
    ASSERT(!subnet_create(w->m, w->vpc_b, &c1, NULL, &w->bs1, &err));
    ASSERT(!internet_gateway_create(w->m, w->scope, &w->igw, &err));
    ASSERT(!internet_gateway_attach(w->m, w->igw, w->vpc_a, &err));
    struct ip4_prefix any = { 0, 0 };
    ASSERT(!route_table_add_route(w->m, vpc_main_route_table(w->vpc_a), &any,
                                  ROUTE_TARGET_GATEWAY, w->igw->r.id, &err));

    /* New groups: outbound all, no inbound. */
    w->sg_a = make_sg(w, w->vpc_a, "a");
    w->sg_b = make_sg(w, w->vpc_a, "b");
    w->sg_c = make_sg(w, w->vpc_b, "c");
    add_rule(w, w->sg_a, false, "tcp", 22, 22, SG_PEER_CIDR4, "10.0.0.0/16");
    add_rule(w, w->sg_a, false, "tcp", 80, 80, SG_PEER_CIDR4, "0.0.0.0/0");
    add_rule(w, w->sg_b, false, "tcp", 22, 22, SG_PEER_GROUP, w->sg_a->r.id);
    add_rule(w, w->sg_b, false, "udp", 53, 53, SG_PEER_CIDR4, "10.0.0.0/16");
    add_rule(w, w->sg_b, false, "icmp", 8, -1, SG_PEER_CIDR4, "10.0.0.0/16");
    add_rule(w, w->sg_c, false, "-1", -1, -1, SG_PEER_CIDR4, "10.0.0.0/16");

    w->a1 = make_eni(w, w->s1, IP(10, 0, 1, 10), w->sg_a);
    w->a2 = make_eni(w, w->s1, IP(10, 0, 1, 20), w->sg_a);
    w->b1 = make_eni(w, w->s2, IP(10, 0, 2, 10), w->sg_b);
    w->c1 = make_eni(w, w->bs1, IP(10, 0, 1, 10), w->sg_c);
    w->c2 = make_eni(w, w->bs1, IP(10, 0, 1, 20), w->sg_c);
    ASSERT(!address_allocate(w->m, w->scope, 0, &w->eip, &err));
    ASSERT(!address_associate(w->m, w->eip, w->a2, 0, false, &err));
    w->ct = conntrack_create(1024);
    compile(w);
}

static void
world_uninit(struct world *w)
{
    snapshot_destroy(w->snap);
    conntrack_destroy(w->ct);
    model_destroy(w->m);
}

static uint32_t
port(const struct world *w, const struct network_interface *eni)
{
    uint32_t p = snapshot_find_eni(w->snap, eni->r.id);
    ASSERT(p != SNAPSHOT_NONE);
    return p;
}

/* An Ethernet + IPv4 + TCP/UDP/ICMP echo frame with valid checksums (so tests
 * can verify NAT's incremental updates); ICMP echo gets 'sport' as its id. */
static size_t
make_frame(uint8_t *buf, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
           uint16_t dport, uint8_t tcp_flags)
{
    return probe_build(buf, 128, some_mac, some_mac, proto, src, dst, sport, dport, tcp_flags);
}

/* Sends one frame; returns the verdict kind and leaves the frame in 'buf'. */
static enum verdict_kind
send(struct world *w, uint8_t *buf, uint32_t in_port, uint8_t proto, uint32_t src, uint32_t dst,
     uint16_t sport, uint16_t dport, uint8_t flags, uint64_t now, struct pipeline_trace *trace,
     struct verdict *v)
{
    size_t len = make_frame(buf, proto, src, dst, sport, dport, flags);
    return pipeline_process(w->snap, w->ct, buf, len, in_port, 0, now, trace, v);
}

/* The last trace step agrees with the verdict. */
static bool
trace_agrees(const struct pipeline_trace *t, const struct verdict *v)
{
    if (t->n_steps == 0) {
        return false;
    }
    const struct pipeline_trace_step *last = &t->steps[t->n_steps - 1];
    for (size_t i = 0; i + 1 < t->n_steps; i++) {
        if (!t->steps[i].pass) {
            return false;       /* only the last step may stop the frame */
        }
    }
    return v->kind == VERDICT_DROP ? !last->pass : last->pass;
}

TEST(same_subnet_delivered, "a1 -> a2 in one subnet: delivered with the router's MAC, no ACL or route step")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 10), IP(10, 0, 1, 20), 40000, 22,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.a2));
    CHECK_INT(v.reason, DROP_REASON_NONE);
    const struct snap_eni *a2 = &w.snap->enis[port(&w, w.a2)];
    CHECK(!memcmp(buf, a2->mac, 6));
    CHECK(!memcmp(buf + 6, w.snap->router_mac, 6));
    CHECK(trace_agrees(&t, &v));
    for (size_t i = 0; i < t.n_steps; i++) {
        CHECK(t.steps[i].stage != PIPELINE_STAGE_NACL_EGRESS);
        CHECK(t.steps[i].stage != PIPELINE_STAGE_ROUTE);
    }
    CHECK_INT(t.steps[0].stage, PIPELINE_STAGE_SG_EGRESS);
    CHECK_STR(t.steps[0].resource, w.a1->r.id);
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_OUTPUT);
    world_uninit(&w);
}

TEST(sg_ingress_denies_unlisted_port, "no inbound rule for tcp/23: dropped SG_INGRESS, trace says no rule")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 10), IP(10, 0, 1, 20), 40000, 23,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_SG_INGRESS);
    CHECK_STR(t.steps[t.n_steps - 1].rule, "no rule");
    CHECK_INT(conntrack_count(w.ct), 0);     /* nothing tracked for a dropped frame */
    world_uninit(&w);
}

TEST(sg_egress_allow_and_deny, "egress narrowed to tcp/443: tcp/22 out is dropped, 443 passes egress")
{
    struct world w;
    world_init(&w);
    struct error err;
    const char *ids[] = { w.sg_a->rules[0].id };
    REQUIRE(w.sg_a->rules[0].egress);
    REQUIRE(!security_group_revoke(w.m, w.sg_a, true, NULL, 0, ids, 1, NULL, &err));
    add_rule(&w, w.sg_a, true, "tcp", 443, 443, SG_PEER_CIDR4, "10.0.0.0/8");
    compile(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 10), IP(10, 0, 1, 20), 40000, 22,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_EGRESS);
    CHECK(trace_agrees(&t, &v));
    /* 443 leaves a1 and is then refused by a2's inbound rules. */
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 10), IP(10, 0, 1, 20), 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);
    CHECK_INT(t.steps[0].stage, PIPELINE_STAGE_SG_EGRESS);
    CHECK(t.steps[0].pass);
    CHECK_STR(t.steps[0].rule, w.sg_a->rules[w.sg_a->n_rules - 1].id);
    world_uninit(&w);
}

TEST(stateful_return_passes, "b1's reply reaches a1 though a1 has no rule for it; a new flow from b1 does not")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    uint32_t pa = port(&w, w.a1), pb = port(&w, w.b1);
    /* b1 admits tcp/22 from members of sg_a (a group reference). */
    CHECK_INT(send(&w, buf, pa, 6, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22, PACKET_TCP_SYN,
                   0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, pb);
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 22, 40000,
                   PACKET_TCP_SYN | PACKET_TCP_ACK, SEC, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, pa);
    CHECK(trace_agrees(&t, &v));
    CHECK_STR(t.steps[t.n_steps - 2].rule, "tracked flow");
    /* A new connection from b1 to a1:40001 is judged by a1's rules: none. */
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 22, 40001, PACKET_TCP_SYN,
                   SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);
    /* ICMP echo tracked by its id: the reply passes though a1 admits no ICMP. */
    CHECK_INT(send(&w, buf, pa, 1, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 77, 77, 0, SEC, NULL, &v),
              VERDICT_DELIVER);
    size_t len = make_frame(buf, 1, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 77, 77, 0);
    buf[34] = 0;                                    /* echo reply */
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, pb, 0, SEC, NULL, &v), VERDICT_DELIVER);
    world_uninit(&w);
}

static void
replace_nacl(struct world *w, struct subnet *s, struct network_acl *acl)
{
    struct network_acl *def = vpc_default_network_acl(w->vpc_a);
    char new_id[ID_SIZE];
    struct error err;
    for (size_t i = 0; i < def->n_assocs; i++) {
        if (!strcmp(def->assocs[i].subnet_id, s->r.id)) {
            char id[ID_SIZE];
            strcpy(id, def->assocs[i].id);
            ASSERT(!network_acl_replace_association(w->m, w->scope, id, acl, new_id, &err));
            return;
        }
    }
    ASSERT(!"subnet not in the default ACL");
}

static void
add_entry(struct world *w, struct network_acl *acl, int rule, bool egress, const char *proto,
          const char *action, const char *cidr, int from, int to)
{
    struct network_acl_entry_spec spec = {
        .rule_number = rule, .egress = egress, .protocol = proto, .rule_action = action,
        .cidr = cidr,
    };
    if (from >= 0) {
        spec.has_port_range = spec.has_port_from = spec.has_port_to = true;
        spec.port_from = from;
        spec.port_to = to;
    }
    struct error err;
    ASSERT(!network_acl_add_entry(w->m, acl, &spec, &err));
}

TEST(nacl_deny_ahead_of_allow, "rule 90 deny tcp/22 from S1 beats rule 100 allow all; trace names rule 90")
{
    struct world w;
    world_init(&w);
    struct network_acl *acl;
    struct error err;
    REQUIRE(!network_acl_create(w.m, w.vpc_a, false, &acl, &err));
    add_entry(&w, acl, 90, false, "6", "deny", "10.0.1.0/24", 22, 22);
    add_entry(&w, acl, 100, false, "-1", "allow", "0.0.0.0/0", -1, -1);
    add_entry(&w, acl, 100, true, "-1", "allow", "0.0.0.0/0", -1, -1);
    replace_nacl(&w, w.s2, acl);
    compile(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NACL_INGRESS);
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_NACL_INGRESS);
    CHECK_STR(t.steps[t.n_steps - 1].resource, acl->r.id);
    CHECK_STR(t.steps[t.n_steps - 1].rule, "rule 90");
    /* udp/53 falls through to rule 100. */
    CHECK_INT(send(&w, buf, port(&w, w.a1), 17, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 53,
                   0, 0, &t, &v), VERDICT_DELIVER);
    world_uninit(&w);
}

TEST(nacl_stateless_needs_ephemeral, "a reply passes S1's inbound ACL only once 1024-65535 is allowed")
{
    struct world w;
    world_init(&w);
    struct network_acl *acl;
    struct error err;
    REQUIRE(!network_acl_create(w.m, w.vpc_a, false, &acl, &err));
    add_entry(&w, acl, 100, true, "6", "allow", "0.0.0.0/0", 22, 22);
    add_entry(&w, acl, 100, false, "6", "allow", "0.0.0.0/0", 22, 22);
    add_entry(&w, acl, 110, true, "6", "allow", "0.0.0.0/0", 1024, 65535);
    replace_nacl(&w, w.s1, acl);
    compile(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    uint32_t pa = port(&w, w.a1), pb = port(&w, w.b1);
    CHECK_INT(send(&w, buf, pa, 6, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22, PACKET_TCP_SYN,
                   0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 22, 40000,
                   PACKET_TCP_ACK, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NACL_INGRESS);
    add_entry(&w, acl, 110, false, "6", "allow", "0.0.0.0/0", 1024, 65535);
    compile(&w);
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 22, 40000,
                   PACKET_TCP_ACK, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, pa);
    world_uninit(&w);
}

TEST(igw_out_needs_public_ip, "to 8.8.8.8: a1 (no public IP) dropped, a2 leaves SNATed to its EIP")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 10), IP(8, 8, 8, 8), 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NO_PUBLIC_IP);
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(send(&w, buf, port(&w, w.a2), 6, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, PIPELINE_PORT_INTERNET);
    CHECK(trace_agrees(&t, &v));
    struct packet_meta m;
    CHECK_INT(packet_parse(buf, v.len, &m, true), PACKET_ERR_OK);   /* checksums patched */
    CHECK_INT(m.ip4.src, w.eip->public_ip);
    CHECK_INT(m.ip4.dst, IP(8, 8, 8, 8));
    bool saw_route = false;
    for (size_t i = 0; i < t.n_steps; i++) {
        if (t.steps[i].stage == PIPELINE_STAGE_ROUTE) {
            saw_route = true;
            char want[96];
            snprintf(want, sizeof want, "0.0.0.0/0 -> %s", w.igw->r.id);
            CHECK_STR(t.steps[i].rule, want);
        }
    }
    CHECK(saw_route);
    /* The reply from the internet comes back through the tracked flow. */
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(8, 8, 8, 8), w.eip->public_ip, 443,
                   40000, PACKET_TCP_SYN | PACKET_TCP_ACK, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.a2));
    CHECK_INT(packet_parse(buf, v.len, &m, true), PACKET_ERR_OK);
    CHECK_INT(m.ip4.dst, IP(10, 0, 1, 20));
    world_uninit(&w);
}

TEST(internet_in_to_public_ip, "from the internet to a2's EIP tcp/80: DNAT and delivered; unknown IP dropped")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(203, 0, 113, 5), w.eip->public_ip,
                   50000, 80, PACKET_TCP_SYN, 0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.a2));
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(t.steps[0].stage, PIPELINE_STAGE_IGW_IN);
    struct packet_meta m;
    CHECK_INT(packet_parse(buf, v.len, &m, true), PACKET_ERR_OK);
    CHECK_INT(m.ip4.dst, IP(10, 0, 1, 20));
    /* tcp/22 is only open to 10.0.0.0/16. */
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(203, 0, 113, 5), w.eip->public_ip,
                   50000, 22, PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(203, 0, 113, 5),
                   w.eip->public_ip + 1, 50000, 80, PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_UNKNOWN_PUBLIC_IP);
    world_uninit(&w);
}

TEST(overlapping_vpcs_isolated, "VPC B has A's CIDR: c1 -> 10.0.1.20 reaches c2, never a2")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    CHECK_INT(send(&w, buf, port(&w, w.c1), 6, IP(10, 0, 1, 10), IP(10, 0, 1, 20), 40000, 22,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.c2));
    CHECK(v.out_port != port(&w, w.a2));
    /* 10.0.2.10 exists only in VPC A: from B it is a local-route miss. */
    CHECK_INT(send(&w, buf, port(&w, w.c1), 6, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NO_DESTINATION);
    /* B has no default route. */
    CHECK_INT(send(&w, buf, port(&w, w.c1), 6, IP(10, 0, 1, 10), IP(8, 8, 8, 8), 40000, 22,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NO_ROUTE);
    world_uninit(&w);
}

TEST(spoofed_source_dropped, "a1 sending as 10.0.1.99 fails the source check unless it is disabled")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 99), IP(10, 0, 1, 20), 40000, 22,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SOURCE_CHECK);
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(t.steps[0].stage, PIPELINE_STAGE_SOURCE_CHECK);
    struct error err;
    REQUIRE(!network_interface_set_source_dest_check(w.m, w.a1, false, &err));
    compile(&w);
    CHECK_INT(send(&w, buf, port(&w, w.a1), 6, IP(10, 0, 1, 99), IP(10, 0, 1, 20), 40000, 22,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DELIVER);
    world_uninit(&w);
}

TEST(blackhole_route_dropped, "a route to a detached interface is a blackhole: it matches and drops")
{
    struct world w;
    world_init(&w);
    struct error err;
    struct ip4_prefix dst = { IP(172, 16, 0, 0), 12 };
    REQUIRE(!route_table_add_route(w.m, vpc_main_route_table(w.vpc_a), &dst,
                                   ROUTE_TARGET_NETWORK_INTERFACE, w.b1->r.id, &err));
    compile(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.a2), 6, IP(10, 0, 1, 20), IP(172, 16, 0, 1), 40000, 22,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_BLACKHOLE);
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_ROUTE);
    CHECK(strstr(t.steps[t.n_steps - 1].rule, "blackhole") != NULL);
    world_uninit(&w);
}

TEST(malformed_frames_dropped, "short frames and bad IPv4 checksums drop MALFORMED with the parse reason")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    size_t len = make_frame(buf, 6, IP(10, 0, 1, 10), IP(10, 0, 1, 20), 1, 22, PACKET_TCP_SYN);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, 10, port(&w, w.a1), 0, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_MALFORMED);
    CHECK_INT(v.parse_error, PACKET_ERR_TRUNCATED_ETH);
    CHECK(trace_agrees(&t, &v));
    CHECK_STR(t.steps[0].rule, "TRUNCATED_ETH");
    buf[14 + 10] ^= 0xff;
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.a1), 0, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.parse_error, PACKET_ERR_BAD_IPV4_CHECKSUM);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, 9999, 0, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_UNKNOWN_PORT);
    CHECK_STR(drop_reason_name(DROP_REASON_SG_EGRESS), "SG_EGRESS");
    world_uninit(&w);
}

TEST(arp_answered_by_router, "ARP for the gateway or a VPC address gets the router MAC; outside is dropped")
{
    struct world w;
    world_init(&w);
    const struct snap_eni *a1 = &w.snap->enis[port(&w, w.a1)];
    uint8_t buf[PIPELINE_REPLY_ROOM];
    size_t len = packet_build_arp_reply(buf, sizeof buf, a1->mac, IP(10, 0, 1, 10), some_mac,
                                        IP(10, 0, 1, 1));
    REQUIRE(len == 42);
    buf[21] = PACKET_ARP_OP_REQUEST;                /* turn the reply into a request */
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.a1), 0, 0, &t, &v), VERDICT_REPLY);
    CHECK_INT(v.out_port, port(&w, w.a1));
    CHECK(trace_agrees(&t, &v));
    struct packet_meta m;
    REQUIRE(packet_parse(buf, v.len, &m, false) == PACKET_ERR_OK);
    CHECK_INT(m.arp.op, PACKET_ARP_OP_REPLY);
    CHECK_INT(m.arp.spa, IP(10, 0, 1, 1));
    CHECK(!memcmp(m.arp.sha, w.snap->router_mac, 6));
    CHECK(!memcmp(m.eth_dst, a1->mac, 6));
    len = packet_build_arp_reply(buf, sizeof buf, a1->mac, IP(10, 0, 1, 10), some_mac,
                                 IP(8, 8, 8, 8));
    buf[21] = PACKET_ARP_OP_REQUEST;
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.a1), 0, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_ARP_TARGET_OUTSIDE);
    world_uninit(&w);
}

TEST(conntrack_full_drops_new_flows, "a one-entry table tracks one flow; the next new flow drops CONNTRACK_FULL")
{
    struct world w;
    world_init(&w);
    conntrack_destroy(w.ct);
    w.ct = conntrack_create(1);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    /* Egress to the internet: one entry (a2's side). */
    CHECK_INT(send(&w, buf, port(&w, w.a2), 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 1000, 53, 0, 0,
                   NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send(&w, buf, port(&w, w.a2), 17, IP(10, 0, 1, 20), IP(8, 8, 4, 4), 1000, 53, 0, 0,
                   NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_CONNTRACK_FULL);
    /* UDP idles out after 30 s: then the table has room again. */
    CHECK_INT(send(&w, buf, port(&w, w.a2), 17, IP(10, 0, 1, 20), IP(8, 8, 4, 4), 1000, 53, 0,
                   31 * SEC, NULL, &v), VERDICT_DELIVER);
    world_uninit(&w);
}

TEST(conntrack_timeouts_and_sweep, "UDP 30 s, TCP established 5 days; sweep frees what expired")
{
    struct conntrack *ct = conntrack_create(16);
    struct ct_key udp = { 1, IP(10, 0, 0, 1), IP(10, 0, 0, 2), 1000, 53, 17 };
    struct ct_key tcp = { 1, IP(10, 0, 0, 1), IP(10, 0, 0, 2), 1000, 22, 6 };
    CHECK(!conntrack_add(ct, &udp, CT_DIR_OUT, 0, 0));
    CHECK(!conntrack_add(ct, &tcp, CT_DIR_OUT, PACKET_TCP_SYN, 0));
    CHECK(conntrack_lookup(ct, &tcp, CT_DIR_IN, PACKET_TCP_SYN | PACKET_TCP_ACK, 0));
    CHECK(conntrack_contains(ct, &udp, 29 * SEC));
    CHECK(!conntrack_contains(ct, &udp, 30 * SEC));
    CHECK(conntrack_contains(ct, &tcp, 432000 * SEC - 1));
    CHECK_INT(conntrack_count(ct), 2);
    CHECK_INT(conntrack_sweep(ct, 31 * SEC, 1000), 1);
    CHECK_INT(conntrack_count(ct), 1);
    CHECK(!conntrack_lookup(ct, &tcp, CT_DIR_OUT, PACKET_TCP_ACK, 432001 * SEC));
    CHECK_INT(conntrack_count(ct), 0);      /* lazily freed by the lookup */
    /* UDP becomes a stream (180 s) after more than one exchange. */
    CHECK(!conntrack_add(ct, &udp, CT_DIR_OUT, 0, 0));
    CHECK(conntrack_lookup(ct, &udp, CT_DIR_IN, 0, 0));
    CHECK(conntrack_lookup(ct, &udp, CT_DIR_OUT, 0, 0));
    CHECK(conntrack_contains(ct, &udp, 179 * SEC));
    CHECK(conntrack_bytes_per_entry(ct) <= 48);
    conntrack_destroy(ct);
}

/* xorshift64*, seed printed. */
static uint64_t rng_state;
static uint32_t
rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) ((rng_state * UINT64_C(2685821657736338717)) >> 32) % n;
}

TEST(nacl_differential, "compiled ACLs answer as network_acl_evaluate on random entries and packets")
{
    rng_state = time_usec() | 1;
    fprintf(stderr, "    nacl_differential seed %llu\n", (unsigned long long) rng_state);
    static const char *const protos[] = { "-1", "6", "17", "1", "47", "58" };
    static const int proto_numbers[] = { 6, 17, 1, 47, 58, 0 };
    for (int round = 0; round < 40; round++) {
        struct world w;
        world_init(&w);
        struct network_acl *acl;
        struct error err;
        REQUIRE(!network_acl_create(w.m, w.vpc_a, false, &acl, &err));
        for (int egress = 0; egress < 2; egress++) {
            int n = (int) rnd(NACL_RULES_PER_DIRECTION_LIMIT);
            for (int i = 0; i < n; i++) {
                const char *proto = protos[rnd(6)];
                uint8_t len = (uint8_t) rnd(33);
                uint32_t addr = (IP(10, 0, 0, 0) | rnd(1024)) & ip4_mask(len);
                char cidr[IP4_PREFIX_STRLEN];
                ip4_prefix_format(&(struct ip4_prefix){ addr, len }, cidr);
                struct network_acl_entry_spec spec = {
                    .rule_number = 1 + rnd(32766), .egress = egress, .protocol = proto,
                    .rule_action = rnd(2) ? "allow" : "deny", .cidr = cidr,
                };
                if (rnd(8) == 0) {
                    spec.cidr = NULL;
                    spec.ipv6_cidr = "::/0";
                }
                if (!strcmp(proto, "6") || !strcmp(proto, "17")) {
                    int from = (int) rnd(100), to = from + (int) rnd(100);
                    spec.has_port_range = spec.has_port_from = spec.has_port_to = true;
                    spec.port_from = from;
                    spec.port_to = to;
                } else if (!strcmp(proto, "1") || (!strcmp(proto, "58") && spec.ipv6_cidr)) {
                    spec.has_icmp = spec.has_icmp_type = spec.has_icmp_code = true;
                    spec.icmp_type = (int) rnd(5) - 1;
                    spec.icmp_code = (int) rnd(3) - 1;
                }
                network_acl_add_entry(w.m, acl, &spec, &err);    /* duplicates refused */
            }
        }
        compile(&w);
        const struct snap_nacl *sn = NULL;
        for (uint32_t i = 0; i < w.snap->n_nacls; i++) {
            if (!strcmp(w.snap->nacls[i].id, acl->r.id)) {
                sn = &w.snap->nacls[i];
            }
        }
        REQUIRE(sn);
        for (int k = 0; k < 2000; k++) {
            bool egress = rnd(2);
            uint32_t addr = IP(10, 0, 0, 0) | rnd(1200);
            int proto = proto_numbers[rnd(6)];
            int port_or_type = (int) rnd(210);
            int code = (int) rnd(3);
            const struct network_acl_entry *matched;
            int rule;
            bool want = network_acl_evaluate(acl, egress, addr, proto, port_or_type, code,
                                             &matched);
            bool got = snapshot_nacl_evaluate(sn, egress, addr, proto, port_or_type, code, &rule);
            CHECK(want == got);
            CHECK_INT(rule, matched->rule_number);
            if (want != got || rule != matched->rule_number) {
                world_uninit(&w);
                return;
            }
        }
        world_uninit(&w);
    }
}

/* ---- IPv4 fragments (conntrack.h "IPv4 fragments"). ---- */

enum { FRAG_BUF = 256, FRAG_MAX = 16 };

struct fragments {
    uint8_t bufs[FRAG_MAX][FRAG_BUF];
    size_t lens[FRAG_MAX];
    size_t n;
};

static void
put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* A UDP (17) or TCP (6, ACK) datagram src:sport -> dst:dport with 'payload'
 * bytes of payload and valid checksums, IP id 'id', cut into fragments of at
 * most 'step' bytes (a multiple of 8) of IP payload each. */
static void
make_fragments(struct fragments *fr, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
               uint16_t dport, uint16_t id, size_t payload, size_t step)
{
    uint8_t dgram[FRAG_MAX * 64];
    size_t l4 = proto == 6 ? 20 : 8, size = l4 + payload;
    ASSERT(size <= sizeof dgram && step % 8 == 0 && step + 34 <= FRAG_BUF);
    memset(dgram, 0, size);
    put16(dgram, sport);
    put16(dgram + 2, dport);
    if (proto == 17) {
        put16(dgram + 4, size);
    } else {
        dgram[12] = 5 << 4;
        dgram[13] = PACKET_TCP_ACK;
    }
    for (size_t i = 0; i < payload; i++) {
        dgram[l4 + i] = (uint8_t) (i * 7 + 1);
    }
    uint16_t csum = checksum_fold(checksum_partial(dgram, size,
                                                   checksum_pseudo_ipv4(src, dst, proto,
                                                                        (uint16_t) size)));
    put16(dgram + (proto == 6 ? 16 : 6), proto == 17 && csum == 0 ? 0xffff : csum);
    fr->n = 0;
    for (size_t ofs = 0; ofs < size; ofs += step) {
        ASSERT(fr->n < FRAG_MAX);
        size_t n = MIN(step, size - ofs);
        uint8_t *b = fr->bufs[fr->n];
        memset(b, 0, 34);
        memcpy(b, some_mac, 6);
        memcpy(b + 6, some_mac, 6);
        put16(b + 12, 0x0800);
        uint8_t *ip = b + 14;
        ip[0] = 0x45;
        put16(ip + 2, 20 + n);
        put16(ip + 4, id);
        put16(ip + 6, (ofs + n < size ? 0x2000 : 0) | ofs / 8);
        ip[8] = 64;
        ip[9] = proto;
        put32(ip + 12, src);
        put32(ip + 16, dst);
        put16(ip + 10, checksum(ip, 20));
        memcpy(ip + 20, dgram + ofs, n);
        fr->lens[fr->n++] = 34 + n;
    }
}

/* Sends fragment 'k' of 'fr' (rewritten in place). */
static enum verdict_kind
send_fragment(struct world *w, struct fragments *fr, size_t k, uint32_t in_port, uint64_t now,
              struct pipeline_trace *trace, struct verdict *v)
{
    return pipeline_process(w->snap, w->ct, fr->bufs[k], fr->lens[k], in_port, 0, now, trace, v);
}

/* Reassembles the fragments of 'fr' as delivered: each must parse (IPv4
 * checksum) with the first's addresses, and the whole datagram's L4 checksum
 * must verify against them.  The first fragment's parse goes to '*first'. */
static bool
reassembles(const struct fragments *fr, struct packet_meta *first)
{
    uint8_t dgram[FRAG_MAX * 64];
    size_t size = 0;
    for (size_t k = 0; k < fr->n; k++) {
        struct packet_meta m;
        if (packet_parse(fr->bufs[k], fr->lens[k], &m, false) != PACKET_ERR_OK) {
            return false;
        }
        if (k == 0) {
            *first = m;
        } else if (m.ip4.src != first->ip4.src || m.ip4.dst != first->ip4.dst) {
            return false;
        }
        memcpy(dgram + m.ip4.frag_offset, fr->bufs[k] + m.l4_ofs, m.l4_size);
        size = MAX(size, (size_t) m.ip4.frag_offset + m.l4_size);
    }
    uint32_t sum = checksum_pseudo_ipv4(first->ip4.src, first->ip4.dst, first->ip4.proto,
                                        (uint16_t) size);
    return checksum_fold(checksum_partial(dgram, size, sum)) == 0;
}

static bool
trace_has(const struct pipeline_trace *t, enum pipeline_stage stage, const char *text)
{
    for (size_t i = 0; i < t->n_steps; i++) {
        if (t->steps[i].stage == stage && strstr(t->steps[i].rule, text)) {
            return true;
        }
    }
    return false;
}

TEST(fragmented_udp_through_igw, "a2's fragmented UDP crosses SG, custom ACL and the IGW's NAT whole; so does the fragmented reply")
{
    struct world w;
    world_init(&w);
    struct network_acl *acl;
    struct error err;
    REQUIRE(!network_acl_create(w.m, w.vpc_a, false, &acl, &err));
    add_entry(&w, acl, 100, true, "17", "allow", "0.0.0.0/0", 53, 53);
    add_entry(&w, acl, 100, false, "17", "allow", "0.0.0.0/0", 1024, 65535);
    replace_nacl(&w, w.s1, acl);
    compile(&w);
    uint32_t pa2 = port(&w, w.a2);
    struct fragments fr;
    struct verdict v;
    struct pipeline_trace t;
    make_fragments(&fr, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 0x1234, 300, 96);
    REQUIRE(fr.n == 4);
    for (size_t k = 0; k < fr.n; k++) {
        CHECK_INT(send_fragment(&w, &fr, k, pa2, k * SEC, &t, &v), VERDICT_DELIVER);
        CHECK_INT(v.out_port, PIPELINE_PORT_INTERNET);
        CHECK(trace_agrees(&t, &v));
        if (k > 0) {
            CHECK(trace_has(&t, PIPELINE_STAGE_FRAGMENT, "follows its first fragment"));
            CHECK_INT(t.n_steps, 2);                /* no rule judges a later fragment */
        }
    }
    struct packet_meta m;
    CHECK(reassembles(&fr, &m));
    CHECK_INT(m.ip4.src, w.eip->public_ip);
    CHECK_INT(m.ip4.dst, IP(8, 8, 8, 8));
    CHECK_INT(conntrack_frag_count(w.ct), 0);       /* every byte passed: the entry went */

    /* The reply, fragmented too, last fragment first: it waits for nothing. */
    make_fragments(&fr, 17, IP(8, 8, 8, 8), w.eip->public_ip, 53, 40000, 0x9999, 200, 64);
    REQUIRE(fr.n == 4);
    CHECK_INT(send_fragment(&w, &fr, 0, PIPELINE_PORT_INTERNET, 5 * SEC, NULL, &v),
              VERDICT_DELIVER);
    CHECK_INT(v.out_port, pa2);
    for (size_t k = fr.n - 1; k > 0; k--) {
        CHECK_INT(send_fragment(&w, &fr, k, PIPELINE_PORT_INTERNET, 5 * SEC, NULL, &v),
                  VERDICT_DELIVER);
        CHECK_INT(v.out_port, pa2);
        CHECK(!memcmp(fr.bufs[k], w.snap->enis[pa2].mac, 6));
    }
    CHECK(reassembles(&fr, &m));
    CHECK_INT(m.ip4.src, IP(8, 8, 8, 8));
    CHECK_INT(m.ip4.dst, IP(10, 0, 1, 20));
    CHECK_INT(m.dport, 40000);
    CHECK_INT(conntrack_frag_count(w.ct), 0);
    world_uninit(&w);
}

TEST(later_fragment_alone_dropped, "a later fragment with no first, or ahead of it, drops FRAGMENT_NO_FIRST")
{
    struct world w;
    world_init(&w);
    uint32_t pa2 = port(&w, w.a2);
    struct fragments fr;
    struct verdict v;
    struct pipeline_trace t;
    make_fragments(&fr, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 7, 100, 64);
    REQUIRE(fr.n == 2);
    CHECK_INT(send_fragment(&w, &fr, 1, pa2, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_NO_FIRST);
    CHECK(trace_agrees(&t, &v));
    CHECK_INT(t.steps[0].stage, PIPELINE_STAGE_FRAGMENT);
    /* Its first fragment now passes; the earlier later fragment stays lost
     * (reordered fragments are not held back), a resent one passes. */
    make_fragments(&fr, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 7, 100, 64);
    CHECK_INT(send_fragment(&w, &fr, 0, pa2, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send_fragment(&w, &fr, 1, pa2, 0, NULL, &v), VERDICT_DELIVER);
    /* Another interface cannot ride on a2's datagram, even with a2's address. */
    struct error err;
    REQUIRE(!network_interface_set_source_dest_check(w.m, w.a1, false, &err));
    compile(&w);
    make_fragments(&fr, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 8, 100, 64);
    CHECK_INT(send_fragment(&w, &fr, 0, pa2, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send_fragment(&w, &fr, 1, port(&w, w.a1), 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_NO_FIRST);
    /* Nor a datagram older than CT_FRAG_SEC. */
    make_fragments(&fr, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 9, 100, 64);
    CHECK_INT(send_fragment(&w, &fr, 0, pa2, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send_fragment(&w, &fr, 1, pa2, CT_FRAG_SEC * SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_NO_FIRST);
    /* RFC 1858: a TCP fragment at offset 8 would rewrite the flags. */
    make_fragments(&fr, 6, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 80, 10, 40, 24);
    REQUIRE(fr.n == 3);
    CHECK_INT(send_fragment(&w, &fr, 0, pa2, 0, NULL, &v), VERDICT_DELIVER);
    uint8_t *ip = fr.bufs[1] + 14;
    put16(ip + 6, 0x2000 | 1);
    put16(ip + 10, 0);
    put16(ip + 10, checksum(ip, 20));
    CHECK_INT(send_fragment(&w, &fr, 1, pa2, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_OVERLAP);
    CHECK_INT(send_fragment(&w, &fr, 2, pa2, 0, NULL, &v), VERDICT_DELIVER);
    world_uninit(&w);
}

TEST(fragments_of_denied_first_dropped, "a first fragment the SG refuses takes its later fragments with it")
{
    struct world w;
    world_init(&w);
    struct fragments fr;
    struct verdict v;
    /* a2 admits no UDP inbound. */
    make_fragments(&fr, 17, IP(203, 0, 113, 5), w.eip->public_ip, 5000, 9999, 42, 200, 64);
    CHECK_INT(send_fragment(&w, &fr, 0, PIPELINE_PORT_INTERNET, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);
    for (size_t k = 1; k < fr.n; k++) {
        CHECK_INT(send_fragment(&w, &fr, k, PIPELINE_PORT_INTERNET, 0, NULL, &v), VERDICT_DROP);
        CHECK_INT(v.reason, DROP_REASON_FRAGMENT_NO_FIRST);
    }
    CHECK_INT(conntrack_frag_count(w.ct), 0);
    CHECK_INT(conntrack_count(w.ct), 0);
    /* Once admitted (udp 9999 from anywhere), the same datagram passes whole. */
    add_rule(&w, w.sg_a, false, "udp", 9999, 9999, SG_PEER_CIDR4, "0.0.0.0/0");
    compile(&w);
    make_fragments(&fr, 17, IP(203, 0, 113, 5), w.eip->public_ip, 5000, 9999, 42, 200, 64);
    for (size_t k = 0; k < fr.n; k++) {
        CHECK_INT(send_fragment(&w, &fr, k, PIPELINE_PORT_INTERNET, 0, NULL, &v),
                  VERDICT_DELIVER);
        CHECK_INT(v.out_port, port(&w, w.a2));
    }
    struct packet_meta m;
    CHECK(reassembles(&fr, &m));
    CHECK_INT(m.ip4.dst, IP(10, 0, 1, 20));
    world_uninit(&w);
}

TEST(fragment_follows_port_across_compiles, "a later fragment finds its interface after a recompile moved its port")
{
    struct world w;
    world_init(&w);
    struct fragments fr;
    struct verdict v;
    struct error err;
    uint32_t pb = port(&w, w.b1);
    make_fragments(&fr, 17, IP(10, 0, 1, 20), IP(10, 0, 2, 10), 40000, 53, 5, 100, 64);
    CHECK_INT(send_fragment(&w, &fr, 0, port(&w, w.a2), 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, pb);
    REQUIRE(!network_interface_delete(w.m, w.a1, &err));    /* a1 came before b1 */
    compile(&w);
    CHECK(port(&w, w.b1) != pb);
    CHECK_INT(send_fragment(&w, &fr, 1, port(&w, w.a2), 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.b1));
    CHECK(!memcmp(fr.bufs[1], w.snap->enis[v.out_port].mac, 6));
    world_uninit(&w);
}

TEST(fragment_table_limit, "a full fragment table drops new fragmented datagrams; completed or expired ones make room")
{
    struct world w;
    world_init(&w);
    conntrack_set_frag_limit(w.ct, 2);
    uint32_t pa2 = port(&w, w.a2);
    struct fragments f1, f2, f3;
    struct verdict v;
    struct pipeline_trace t;
    make_fragments(&f1, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 1, 100, 64);
    make_fragments(&f2, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 2, 100, 64);
    make_fragments(&f3, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 3, 100, 64);
    CHECK_INT(send_fragment(&w, &f1, 0, pa2, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send_fragment(&w, &f2, 0, pa2, SEC, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(conntrack_frag_count(w.ct), 2);
    CHECK_INT(send_fragment(&w, &f3, 0, pa2, SEC, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_TABLE_FULL);
    CHECK(trace_agrees(&t, &v));
    /* Unfragmented traffic does not care. */
    uint8_t buf[PIPELINE_REPLY_ROOM];
    CHECK_INT(send(&w, buf, pa2, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 0, SEC, NULL,
                   &v), VERDICT_DELIVER);
    /* A resent first fragment of a known datagram needs no new entry. */
    make_fragments(&f2, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 2, 100, 64);
    CHECK_INT(send_fragment(&w, &f2, 0, pa2, SEC, NULL, &v), VERDICT_DELIVER);
    /* Datagram 1 completes: its entry goes, 3 fits. */
    CHECK_INT(send_fragment(&w, &f1, 1, pa2, SEC, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(conntrack_frag_count(w.ct), 1);
    make_fragments(&f3, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 3, 100, 64);
    CHECK_INT(send_fragment(&w, &f3, 0, pa2, 2 * SEC, NULL, &v), VERDICT_DELIVER);
    make_fragments(&f1, 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 40000, 53, 4, 100, 64);
    CHECK_INT(send_fragment(&w, &f1, 0, pa2, 2 * SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_TABLE_FULL);
    /* Datagram 2 (from 1 s) expires at 31 s: its entry is reclaimed for 4,
     * and its last fragment now drops. */
    CHECK_INT(send_fragment(&w, &f1, 0, pa2, (1 + CT_FRAG_SEC) * SEC, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(send_fragment(&w, &f2, 1, pa2, (1 + CT_FRAG_SEC) * SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_NO_FIRST);
    CHECK_INT(send_fragment(&w, &f3, 1, pa2, (1 + CT_FRAG_SEC) * SEC, NULL, &v),
              VERDICT_DELIVER);
    /* The sweep reclaims what expired. */
    CHECK_INT(conntrack_frag_count(w.ct), 1);
    conntrack_sweep(w.ct, 100 * SEC, 16);
    CHECK_INT(conntrack_frag_count(w.ct), 0);
    world_uninit(&w);
}

/* ---- Untracked flows (vpc-semantics.md 9.2). ---- */

static void
revoke_rule(struct world *w, struct security_group *sg, bool egress, const char *proto, int port)
{
    for (size_t i = 0; i < sg->n_rules; i++) {
        const struct sg_rule *r = &sg->rules[i];
        int p;
        REQUIRE(security_group_parse_protocol(proto, &p));
        if (r->egress == egress && r->protocol == p && r->from_port == port) {
            const char *ids[] = { r->id };
            struct error err;
            ASSERT(!security_group_revoke(w->m, sg, egress, NULL, 0, ids, 1, NULL, &err));
            compile(w);
            return;
        }
    }
    ASSERT(!"no such rule");
}

TEST(untracked_flow_cut_by_revoke, "tcp/80 open from 0.0.0.0/0 with all outbound open: untracked, the revoke stops it at once")
{
    struct world w;
    world_init(&w);
    uint32_t pa2 = port(&w, w.a2);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(203, 0, 113, 5), w.eip->public_ip,
                   50000, 80, PACKET_TCP_SYN, 0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, pa2);
    CHECK(trace_agrees(&t, &v));
    CHECK(trace_has(&t, PIPELINE_STAGE_CONNTRACK, "untracked"));
    CHECK_INT(conntrack_count(w.ct), 0);
    /* The reply leaves by the outbound rule, untracked too. */
    CHECK_INT(send(&w, buf, pa2, 6, IP(10, 0, 1, 20), IP(203, 0, 113, 5), 80, 50000,
                   PACKET_TCP_SYN | PACKET_TCP_ACK, SEC, &t, &v), VERDICT_DELIVER);
    CHECK(trace_has(&t, PIPELINE_STAGE_CONNTRACK, "untracked"));
    CHECK_INT(conntrack_count(w.ct), 0);
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(203, 0, 113, 5), w.eip->public_ip,
                   50000, 80, PACKET_TCP_ACK, 2 * SEC, NULL, &v), VERDICT_DELIVER);
    revoke_rule(&w, w.sg_a, false, "tcp", 80);
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, IP(203, 0, 113, 5), w.eip->public_ip,
                   50000, 80, PACKET_TCP_ACK, 3 * SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);
    /* A flow a2 starts to a port nobody opened inbound is tracked as ever. */
    CHECK_INT(send(&w, buf, pa2, 6, IP(10, 0, 1, 20), IP(203, 0, 113, 5), 40000, 443,
                   PACKET_TCP_SYN, 3 * SEC, &t, &v), VERDICT_DELIVER);
    CHECK(!trace_has(&t, PIPELINE_STAGE_CONNTRACK, "untracked"));
    CHECK_INT(conntrack_count(w.ct), 1);
    world_uninit(&w);
}

TEST(tracked_flow_survives_revoke, "tcp/22 from 10.0.0.0/16 is tracked: revoking the rule leaves the flow; ICMP is always tracked")
{
    struct world w;
    world_init(&w);
    uint32_t pa = port(&w, w.a1), pb = port(&w, w.b1);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 40000, 22, PACKET_TCP_SYN,
                   0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, pa);
    CHECK(!trace_has(&t, PIPELINE_STAGE_CONNTRACK, "untracked"));
    CHECK_INT(conntrack_count(w.ct), 2);            /* b1's side and a1's side */
    revoke_rule(&w, w.sg_a, false, "tcp", 22);
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 40000, 22, PACKET_TCP_ACK,
                   SEC, &t, &v), VERDICT_DELIVER);
    CHECK(trace_has(&t, PIPELINE_STAGE_SG_INGRESS, "tracked flow"));
    /* A new flow is judged by the rules: none left. */
    CHECK_INT(send(&w, buf, pb, 6, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 40001, 22, PACKET_TCP_SYN,
                   SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_INGRESS);

    /* All ICMP open both ways: still tracked. */
    add_rule(&w, w.sg_a, false, "icmp", -1, -1, SG_PEER_CIDR4, "0.0.0.0/0");
    compile(&w);
    size_t before = conntrack_count(w.ct);
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 1, IP(203, 0, 113, 5), w.eip->public_ip, 9,
                   9, 0, SEC, &t, &v), VERDICT_DELIVER);
    CHECK(!trace_has(&t, PIPELINE_STAGE_CONNTRACK, "untracked"));
    CHECK_INT(conntrack_count(w.ct), before + 1);
    /* UDP open both ways to 0.0.0.0/0 is not. */
    add_rule(&w, w.sg_a, false, "udp", 0, 65535, SG_PEER_CIDR4, "0.0.0.0/0");
    compile(&w);
    CHECK_INT(send(&w, buf, port(&w, w.a2), 17, IP(10, 0, 1, 20), IP(8, 8, 8, 8), 5353, 53, 0,
                   SEC, &t, &v), VERDICT_DELIVER);
    CHECK(trace_has(&t, PIPELINE_STAGE_CONNTRACK, "untracked"));
    CHECK_INT(conntrack_count(w.ct), before + 1);
    world_uninit(&w);
}

static int64_t fake_now;

static int64_t
fake_clock(void)
{
    return fake_now;
}

TEST(fragments_through_nat_gateway, "fragmented UDP crosses a NAT gateway both ways, tracked though open to all; TCP fragments do not")
{
    fake_now = 1000000;
    model_set_clock(fake_clock);
    struct world w;
    world_init(&w);
    struct error err;
    struct address *eip;
    struct nat_gateway *nat;
    struct route_table *rt;
    struct route_table_assoc assoc;
    struct ip4_prefix any = { 0, 0 };
    REQUIRE(!address_allocate(w.m, w.scope, 0, &eip, &err));
    REQUIRE(!nat_gateway_create(w.m, w.s1, NULL, eip->r.id, 0, &nat, &err));
    REQUIRE(!route_table_create(w.m, w.vpc_a, &rt, &err));
    REQUIRE(!route_table_add_route(w.m, rt, &any, ROUTE_TARGET_NAT_GATEWAY, nat->r.id, &err));
    REQUIRE(!route_table_associate(w.m, rt, w.s2->r.id, NULL, &assoc, &err));
    /* b1 open to all both ways for UDP: through a gateway it is tracked anyway. */
    add_rule(&w, w.sg_b, false, "udp", 0, 65535, SG_PEER_CIDR4, "0.0.0.0/0");
    fake_now += NAT_GATEWAY_PENDING_SEC + 1;
    compile(&w);
    REQUIRE(w.snap->n_nats == 1);
    uint32_t pb = port(&w, w.b1);
    struct fragments fr;
    struct verdict v;
    make_fragments(&fr, 17, IP(10, 0, 2, 10), IP(8, 8, 8, 8), 40000, 53, 77, 250, 96);
    REQUIRE(fr.n == 3);
    for (size_t k = 0; k < fr.n; k++) {
        CHECK_INT(send_fragment(&w, &fr, k, pb, 0, NULL, &v), VERDICT_DELIVER);
        CHECK_INT(v.out_port, PIPELINE_PORT_INTERNET);
    }
    struct packet_meta m;
    CHECK(reassembles(&fr, &m));
    CHECK_INT(m.ip4.src, eip->public_ip);
    CHECK(m.sport >= CT_NAT_PORT_MIN);
    CHECK_INT(conntrack_count(w.ct), 3);            /* b1's flow and the translation pair */
    uint16_t nat_port = m.sport;
    make_fragments(&fr, 17, IP(8, 8, 8, 8), eip->public_ip, 53, nat_port, 78, 250, 96);
    for (size_t k = 0; k < fr.n; k++) {
        CHECK_INT(send_fragment(&w, &fr, k, PIPELINE_PORT_INTERNET, SEC, NULL, &v),
                  VERDICT_DELIVER);
        CHECK_INT(v.out_port, pb);
    }
    CHECK(reassembles(&fr, &m));
    CHECK_INT(m.ip4.dst, IP(10, 0, 2, 10));
    CHECK_INT(m.dport, 40000);
    /* Section 11: fragments are forwarded for UDP only. */
    make_fragments(&fr, 6, IP(10, 0, 2, 10), IP(8, 8, 8, 8), 40001, 443, 79, 100, 64);
    CHECK_INT(send_fragment(&w, &fr, 0, pb, SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_FRAGMENT);
    CHECK_INT(send_fragment(&w, &fr, 1, pb, SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_FRAGMENT_NO_FIRST);
    world_uninit(&w);
    model_set_clock(NULL);
}
