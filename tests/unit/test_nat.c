/* Unit tests for NAT gateways in the pipeline (vpc-semantics.md 11, 20).
 *
 *   VPC 10.0.0.0/16, internet gateway; main table 0.0.0.0/0 -> igw
 *     public  10.0.1.0/24 (main table): the NAT gateway (Elastic IP)
 *     private 10.0.2.0/24 (table: 0.0.0.0/0 -> nat): i1 10.0.2.5, i2 10.0.2.6
 * The instances' group admits all outbound and nothing inbound. */
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
static const uint32_t REMOTE = IP(93, 184, 216, 34);

static int64_t fake_now;

static int64_t
fake_clock(void)
{
    return fake_now;
}

struct world {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc;
    struct subnet *pub, *priv;
    struct internet_gateway *igw;
    struct route_table *rt_priv;
    struct security_group *sg;
    struct network_interface *i1, *i2;
    struct address *eip;
    struct nat_gateway *nat;
    struct snapshot *snap;
    struct conntrack *ct;
};

static void
compile(struct world *w)
{
    snapshot_destroy(w->snap);
    w->snap = snapshot_compile(w->m);
}

static struct network_interface *
make_eni(struct world *w, struct subnet *s, uint32_t ip)
{
    struct network_interface *eni;
    struct error err;
    const char *groups[] = { w->sg->r.id };
    ASSERT(!network_interface_create(w->m, s, ip, groups, 1, NULL, NULL, NULL, &eni, &err));
    return eni;
}

/* 'private_nat': a private gateway instead of a public one. */
static void
world_init(struct world *w, bool private_nat)
{
    struct error err;
    memset(w, 0, sizeof *w);
    fake_now = 1000000;
    model_set_clock(fake_clock);
    w->m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    w->scope = model_scope(w->m, "000000000000", "us-east-1");
    struct ip4_prefix cidr = { IP(10, 0, 0, 0), 16 };
    struct ip4_prefix c1 = { IP(10, 0, 1, 0), 24 }, c2 = { IP(10, 0, 2, 0), 24 };
    struct ip4_prefix any = { 0, 0 };
    ASSERT(!vpc_create(w->m, w->scope, &cidr, NULL, &w->vpc, &err));
    ASSERT(!subnet_create(w->m, w->vpc, &c1, NULL, &w->pub, &err));
    ASSERT(!subnet_create(w->m, w->vpc, &c2, NULL, &w->priv, &err));
    ASSERT(!internet_gateway_create(w->m, w->scope, &w->igw, &err));
    ASSERT(!internet_gateway_attach(w->m, w->igw, w->vpc, &err));
    ASSERT(!route_table_add_route(w->m, vpc_main_route_table(w->vpc), &any,
                                  ROUTE_TARGET_GATEWAY, w->igw->r.id, &err));
    if (private_nat) {
        ASSERT(!nat_gateway_create(w->m, w->pub, "private", NULL, 0, &w->nat, &err));
    } else {
        ASSERT(!address_allocate(w->m, w->scope, 0, &w->eip, &err));
        ASSERT(!nat_gateway_create(w->m, w->pub, NULL, w->eip->r.id, 0, &w->nat, &err));
    }
    ASSERT(!w->nat->failure_code[0]);
    ASSERT(!route_table_create(w->m, w->vpc, &w->rt_priv, &err));
    ASSERT(!route_table_add_route(w->m, w->rt_priv, &any, ROUTE_TARGET_NAT_GATEWAY,
                                  w->nat->r.id, &err));
    struct route_table_assoc assoc;
    ASSERT(!route_table_associate(w->m, w->rt_priv, w->priv->r.id, NULL, &assoc, &err));
    ASSERT(!security_group_create(w->m, w->vpc, "inst", "test group", false, &w->sg, &err));
    w->i1 = make_eni(w, w->priv, IP(10, 0, 2, 5));
    w->i2 = make_eni(w, w->priv, IP(10, 0, 2, 6));
    w->ct = conntrack_create(1024);
    fake_now += 10;                 /* the gateway is available */
    compile(w);
}

static void
world_uninit(struct world *w)
{
    snapshot_destroy(w->snap);
    conntrack_destroy(w->ct);
    model_destroy(w->m);
    model_set_clock(NULL);
}

static uint32_t
port(const struct world *w, const struct network_interface *eni)
{
    uint32_t p = snapshot_find_eni(w->snap, eni->r.id);
    ASSERT(p != SNAPSHOT_NONE);
    return p;
}

static enum verdict_kind
send(struct world *w, uint8_t *buf, uint32_t in_port, uint8_t proto, uint32_t src, uint32_t dst,
     uint16_t sport, uint16_t dport, uint8_t flags, uint64_t now, struct pipeline_trace *trace,
     struct verdict *v)
{
    size_t len = probe_build(buf, 128, some_mac, some_mac, proto, src, dst, sport, dport, flags);
    return pipeline_process(w->snap, w->ct, buf, len, in_port, 0, now, trace, v);
}

static const struct pipeline_trace_step *
find_step(const struct pipeline_trace *t, enum pipeline_stage stage)
{
    for (size_t i = 0; i < t->n_steps; i++) {
        if (t->steps[i].stage == stage) {
            return &t->steps[i];
        }
    }
    return NULL;
}

/* Sends i1's TCP SYN 10.0.2.5:'sport' -> REMOTE:443; returns the NAT port. */
static uint16_t
open_tcp(struct world *w, uint16_t sport, uint64_t now)
{
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    ASSERT(send(w, buf, port(w, w->i1), 6, IP(10, 0, 2, 5), REMOTE, sport, 443, PACKET_TCP_SYN,
                now, NULL, &v) == VERDICT_DELIVER);
    struct packet_meta m;
    ASSERT(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    return m.sport;
}

TEST(nat_out_and_back, "i1 -> internet leaves from the EIP with a NAT port; the reply comes back to 10.0.2.5:40000")
{
    struct world w;
    world_init(&w, false);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, PIPELINE_PORT_INTERNET);
    struct packet_meta m;
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.src, w.eip->public_ip);
    CHECK_INT(m.ip4.dst, REMOTE);
    CHECK(m.sport >= CT_NAT_PORT_MIN);
    CHECK_INT(m.dport, 443);
    uint16_t nat_port = m.sport;
    for (size_t i = 0; i < t.n_steps; i++) {
        CHECK(t.steps[i].pass);
    }
    const struct pipeline_trace_step *s = find_step(&t, PIPELINE_STAGE_NAT_OUT);
    REQUIRE(s);
    CHECK_STR(s->resource, w.nat->r.id);
    char want[96], ip[IP4_STRLEN];
    ip4_format(w.nat->private_ip, ip);
    snprintf(want, sizeof want, "10.0.2.5:40000 -> %s:%u", ip, nat_port);
    CHECK_STR(s->rule, want);
    s = find_step(&t, PIPELINE_STAGE_IGW_OUT);
    REQUIRE(s);
    CHECK_STR(s->resource, w.igw->r.id);

    /* The reply. */
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, REMOTE, w.eip->public_ip, 443, nat_port,
                   PACKET_TCP_SYN | PACKET_TCP_ACK, SEC, &t, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.i1));
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.dst, IP(10, 0, 2, 5));
    CHECK_INT(m.dport, 40000);
    CHECK_INT(m.ip4.src, REMOTE);
    CHECK_INT(m.sport, 443);
    s = find_step(&t, PIPELINE_STAGE_NAT_IN);
    REQUIRE(s);
    snprintf(want, sizeof want, "%s:%u -> 10.0.2.5:40000", ip, nat_port);
    CHECK_STR(s->rule, want);
    s = find_step(&t, PIPELINE_STAGE_SG_INGRESS);
    REQUIRE(s);
    CHECK_STR(s->rule, "tracked flow");
    /* The established flow keeps its port. */
    CHECK_INT(open_tcp(&w, 40000, 2 * SEC), nat_port);
    world_uninit(&w);
}

TEST(nat_inbound_impossible, "a new connection from the internet to the NAT's EIP is dropped NAT_NO_MAPPING")
{
    struct world w;
    world_init(&w, false);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, REMOTE, w.eip->public_ip, 50000, 22,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_NO_MAPPING);
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_NAT_IN);
    CHECK(!t.steps[t.n_steps - 1].pass);
    /* Even to the port of a live connection, from another remote port. */
    uint16_t p = open_tcp(&w, 40000, 0);
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, REMOTE, w.eip->public_ip, 444, p,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_NO_MAPPING);
    /* A ping to the EIP is not answered either. */
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 1, REMOTE, w.eip->public_ip, 9, 9, 0, 0,
                   NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_NO_MAPPING);
    world_uninit(&w);
}

static void
add_entry(struct world *w, struct network_acl *acl, int rule, bool egress, const char *action,
          const char *cidr)
{
    struct network_acl_entry_spec spec = {
        .rule_number = rule, .egress = egress, .protocol = "-1", .rule_action = action,
        .cidr = cidr,
    };
    struct error err;
    ASSERT(!network_acl_add_entry(w->m, acl, &spec, &err));
}

static void
use_acl(struct world *w, struct subnet *s, struct network_acl *acl)
{
    struct network_acl *def = vpc_default_network_acl(w->vpc);
    char id[ID_SIZE], new_id[ID_SIZE];
    struct error err;
    for (size_t i = 0; i < def->n_assocs; i++) {
        if (!strcmp(def->assocs[i].subnet_id, s->r.id)) {
            strcpy(id, def->assocs[i].id);
            ASSERT(!network_acl_replace_association(w->m, w->scope, id, acl, new_id, &err));
            return;
        }
    }
    ASSERT(!"subnet not in the default ACL");
}

TEST(nat_subnet_nacl, "the NAT subnet's ACL judges: inbound from the private subnet, outbound to the remote")
{
    struct world w;
    world_init(&w, false);
    struct network_acl *acl;
    struct error err;
    REQUIRE(!network_acl_create(w.m, w.vpc, false, &acl, &err));
    add_entry(&w, acl, 90, false, "deny", "10.0.2.5/32");
    add_entry(&w, acl, 100, false, "allow", "0.0.0.0/0");
    add_entry(&w, acl, 90, true, "deny", "93.184.216.0/24");
    add_entry(&w, acl, 100, true, "allow", "0.0.0.0/0");
    use_acl(&w, w.pub, acl);
    compile(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), IP(8, 8, 8, 8), 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NACL_INGRESS);
    CHECK_STR(t.steps[t.n_steps - 1].resource, acl->r.id);
    CHECK_STR(t.steps[t.n_steps - 1].rule, "rule 90");
    /* i2 passes inbound, then 93.184.216.34 is denied outbound. */
    CHECK_INT(send(&w, buf, port(&w, w.i2), 6, IP(10, 0, 2, 6), REMOTE, 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NACL_EGRESS);
    CHECK_STR(t.steps[t.n_steps - 1].resource, acl->r.id);
    CHECK_INT(conntrack_count(w.ct), 0);     /* nothing committed for dropped frames */
    CHECK_INT(send(&w, buf, port(&w, w.i2), 6, IP(10, 0, 2, 6), IP(8, 8, 8, 8), 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DELIVER);
    CHECK_INT(conntrack_count(w.ct), 3);     /* i2's flow and the gateway's pair */
    world_uninit(&w);
}

TEST(private_nat_to_igw_dropped, "a private NAT gateway's traffic to the internet gateway is dropped")
{
    struct world w;
    world_init(&w, true);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_PRIVATE_TO_IGW);
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_IGW_OUT);
    CHECK(find_step(&t, PIPELINE_STAGE_NAT_OUT) != NULL);
    CHECK_INT(conntrack_count(w.ct), 0);
    world_uninit(&w);
}

TEST(nat_same_source_port, "i1 and i2 both from port 40000 to one destination get different NAT ports")
{
    struct world w;
    world_init(&w, false);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct packet_meta m;
    uint16_t p1 = open_tcp(&w, 40000, 0);
    CHECK_INT(send(&w, buf, port(&w, w.i2), 6, IP(10, 0, 2, 6), REMOTE, 40000, 443,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DELIVER);
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK(m.sport != p1);
    CHECK_INT(m.ip4.src, w.eip->public_ip);
    /* Each reply reaches its own instance. */
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, REMOTE, w.eip->public_ip, 443, m.sport,
                   PACKET_TCP_ACK, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.i2));
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, REMOTE, w.eip->public_ip, 443, p1,
                   PACKET_TCP_ACK, 0, NULL, &v), VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.i1));
    world_uninit(&w);
}

TEST(nat_port_exhaustion, "4 ports per destination: the fifth connection drops NAT_PORT_ALLOCATION; another destination works")
{
    struct world w;
    world_init(&w, false);
    conntrack_set_nat_ports(w.ct, 2000, 2003);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    bool seen[4] = { false };
    for (uint16_t i = 0; i < 4; i++) {
        uint16_t p = open_tcp(&w, (uint16_t) (40000 + i), 0);
        REQUIRE(p >= 2000 && p <= 2003);
        CHECK(!seen[p - 2000]);
        seen[p - 2000] = true;
    }
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40004, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_PORT_ALLOCATION);
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_NAT_OUT);
    CHECK(strstr(t.steps[t.n_steps - 1].rule, "ErrorPortAllocation") != NULL);
    CHECK_INT(conntrack_count(w.ct), 12);
    /* Another destination port is another destination. */
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40004, 80,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DELIVER);
    /* TCP opening idles out (NAT 350 s): ports free again. */
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40004, 443,
                   PACKET_TCP_SYN, 400 * SEC, NULL, &v), VERDICT_DELIVER);
    world_uninit(&w);
}

/* Turns the echo request in 'buf' into an echo reply with a valid checksum. */
static void
make_echo_reply(uint8_t *buf, size_t len)
{
    struct packet_meta m;
    ASSERT(packet_parse(buf, len, &m, true) == PACKET_ERR_OK);
    uint8_t *icmp = buf + m.l4_ofs;
    icmp[0] = PACKET_ICMP_ECHO_REPLY;
    icmp[2] = icmp[3] = 0;
    uint16_t sum = checksum(icmp, m.l4_size);
    icmp[2] = (uint8_t) (sum >> 8);
    icmp[3] = (uint8_t) sum;
}

TEST(nat_icmp_echo, "ping through the NAT: the request leaves with a NAT identifier, the reply returns with 77")
{
    struct world w;
    world_init(&w, false);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct packet_meta m;
    CHECK_INT(send(&w, buf, port(&w, w.i1), 1, IP(10, 0, 2, 5), REMOTE, 77, 77, 0, 0, NULL, &v),
              VERDICT_DELIVER);
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.src, w.eip->public_ip);
    CHECK_INT(m.icmp.type, PACKET_ICMP_ECHO_REQUEST);
    uint16_t id = m.icmp.id;
    CHECK(id >= CT_NAT_PORT_MIN);
    size_t len = probe_build(buf, 128, some_mac, some_mac, 1, REMOTE, w.eip->public_ip, id, id, 0);
    make_echo_reply(buf, len);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, PIPELINE_PORT_INTERNET, 0, SEC, NULL, &v),
              VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.i1));
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.dst, IP(10, 0, 2, 5));
    CHECK_INT(m.icmp.type, PACKET_ICMP_ECHO_REPLY);
    CHECK_INT(m.icmp.id, 77);
    world_uninit(&w);
}

TEST(nat_icmp_error_mapped, "ICMP errors about a NATed flow are translated through their quote both ways")
{
    struct world w;
    world_init(&w, false);
    uint8_t orig[128], buf[128];
    struct verdict v;
    struct packet_meta om, m;
    CHECK_INT(send(&w, orig, port(&w, w.i1), 17, IP(10, 0, 2, 5), REMOTE, 5353, 53, 0, 0, NULL,
                   &v), VERDICT_DELIVER);
    REQUIRE(packet_parse(orig, v.len, &om, true) == PACKET_ERR_OK);
    uint16_t nat_port = om.sport;
    struct packet_addrs addrs = { .ip_src = IP(203, 0, 113, 1), .ip_dst = w.eip->public_ip };
    size_t len = packet_build_icmp_error(buf, sizeof buf, &addrs, PACKET_ICMP_DEST_UNREACH,
                                         PACKET_ICMP_PORT_UNREACH, 0, orig, &om);
    REQUIRE(len > 0);
    struct pipeline_trace t;
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, PIPELINE_PORT_INTERNET, 0, SEC, &t, &v),
              VERDICT_DELIVER);
    CHECK_INT(v.out_port, port(&w, w.i1));
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.dst, IP(10, 0, 2, 5));
    CHECK_INT(m.inner.src, IP(10, 0, 2, 5));
    CHECK_INT(m.inner.sport, 5353);
    CHECK_INT(m.inner.dst, REMOTE);
    CHECK_INT(m.inner.dport, 53);
    /* i1 answers a reply with port unreachable: it leaves from the EIP, its
     * quote translated to the NAT's side. */
    CHECK_INT(send(&w, orig, PIPELINE_PORT_INTERNET, 17, REMOTE, w.eip->public_ip, 53, nat_port,
                   0, SEC, NULL, &v), VERDICT_DELIVER);
    REQUIRE(packet_parse(orig, v.len, &om, true) == PACKET_ERR_OK);
    struct packet_addrs back = { .ip_src = IP(10, 0, 2, 5), .ip_dst = REMOTE };
    len = packet_build_icmp_error(buf, sizeof buf, &back, PACKET_ICMP_DEST_UNREACH,
                                  PACKET_ICMP_PORT_UNREACH, 0, orig, &om);
    REQUIRE(len > 0);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.i1), 0, SEC, NULL, &v),
              VERDICT_DELIVER);
    CHECK_INT(v.out_port, PIPELINE_PORT_INTERNET);
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.src, w.eip->public_ip);
    CHECK_INT(m.inner.dst, w.eip->public_ip);
    CHECK_INT(m.inner.dport, nat_port);
    CHECK_INT(m.inner.src, REMOTE);
    /* An error about a port with no connection is dropped. */
    len = probe_build(orig, 128, some_mac, some_mac, 17, w.eip->public_ip, REMOTE,
                      (uint16_t) (nat_port + 1), 53, 0);
    REQUIRE(packet_parse(orig, len, &om, true) == PACKET_ERR_OK);
    len = packet_build_icmp_error(buf, sizeof buf, &addrs, PACKET_ICMP_DEST_UNREACH,
                                  PACKET_ICMP_PORT_UNREACH, 0, orig, &om);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, PIPELINE_PORT_INTERNET, 0, SEC, NULL, &v),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_NO_MAPPING);
    world_uninit(&w);
}

TEST(nat_idle_timeout_rst, "after 350 s idle, i1's next segment gets a TCP RST from the remote's address")
{
    struct world w;
    world_init(&w, false);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct packet_meta m;
    uint16_t p = open_tcp(&w, 40000, 0);
    CHECK_INT(send(&w, buf, PIPELINE_PORT_INTERNET, 6, REMOTE, w.eip->public_ip, 443, p,
                   PACKET_TCP_SYN | PACKET_TCP_ACK, SEC, NULL, &v), VERDICT_DELIVER);
    /* 349 s after the reply: still there, and renewed. */
    CHECK_INT(open_tcp(&w, 40000, 350 * SEC), p);
    struct pipeline_trace t;
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40000, 443,
                   PACKET_TCP_ACK, 701 * SEC, &t, &v), VERDICT_REPLY);
    CHECK_INT(v.out_port, port(&w, w.i1));
    REQUIRE(packet_parse(buf, v.len, &m, true) == PACKET_ERR_OK);
    CHECK(m.tcp.flags & PACKET_TCP_RST);
    CHECK_INT(m.ip4.src, REMOTE);
    CHECK_INT(m.ip4.dst, IP(10, 0, 2, 5));
    CHECK_INT(m.sport, 443);
    CHECK_INT(m.dport, 40000);
    CHECK(strstr(t.steps[t.n_steps - 1].rule, "RST") != NULL);
    /* A RST of its own is just dropped. */
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40000, 443,
                   PACKET_TCP_RST, 701 * SEC, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_NAT_NO_MAPPING);
    world_uninit(&w);
}

TEST(nat_not_available_blackhole, "a pending or deleted NAT gateway's route drops BLACKHOLE")
{
    struct world w;
    world_init(&w, false);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    struct verdict v;
    struct pipeline_trace t;
    struct error err;
    REQUIRE(!nat_gateway_delete(w.m, w.nat, &err));
    compile(&w);
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40000, 443,
                   PACKET_TCP_SYN, 0, &t, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_BLACKHOLE);
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_ROUTE);
    CHECK(strstr(t.steps[t.n_steps - 1].rule, "blackhole") != NULL);
    CHECK_INT(w.snap->n_nats, 0);
    world_uninit(&w);

    world_init(&w, false);
    fake_now -= 10;                 /* back to when it was pending */
    compile(&w);
    CHECK_INT(w.snap->n_nats, 0);
    CHECK_INT(w.snap->next_change, w.nat->create_time + NAT_GATEWAY_PENDING_SEC);
    CHECK_INT(send(&w, buf, port(&w, w.i1), 6, IP(10, 0, 2, 5), REMOTE, 40000, 443,
                   PACKET_TCP_SYN, 0, NULL, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_BLACKHOLE);
    world_uninit(&w);
}

TEST(conntrack_nat_pairs, "a NAT pair is found from both sides, expires together, two entries of 40 bytes")
{
    struct conntrack *ct = conntrack_create(8);
    struct ct_key in = { 7 | CT_NAT_INSIDE, IP(10, 0, 2, 5), REMOTE, 40000, 443, 6 };
    struct ct_key out = { 7 | CT_NAT_OUTSIDE, IP(10, 0, 1, 4), REMOTE, 0, 443, 6 };
    REQUIRE(!conntrack_nat_pick_port(ct, &in, &out, 0));
    CHECK(out.lport >= CT_NAT_PORT_MIN);
    REQUIRE(!conntrack_nat_add(ct, &in, &out, PACKET_TCP_SYN, 0));
    struct ct_key peer;
    CHECK(conntrack_nat_lookup(ct, &in, PACKET_TCP_ACK, 100 * SEC, &peer));
    CHECK_INT(peer.lport, out.lport);
    CHECK(conntrack_nat_contains(ct, &out, 449 * SEC, &peer));
    CHECK_INT(peer.local, IP(10, 0, 2, 5));
    CHECK_INT(peer.lport, 40000);
    CHECK(!conntrack_nat_contains(ct, &out, 450 * SEC, &peer));
    CHECK(!conntrack_nat_lookup(ct, &in, 0, 450 * SEC, &peer));
    conntrack_sweep(ct, 450 * SEC, 100);     /* the other one, unless the lookup met it */
    CHECK_INT(conntrack_count(ct), 0);
    CHECK(conntrack_bytes_per_entry(ct) <= 48);
    conntrack_destroy(ct);
}
