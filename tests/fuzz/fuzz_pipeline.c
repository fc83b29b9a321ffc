/* libFuzzer target for the whole forwarding decision, pipeline_process():
 * the untrusted bytes are a frame from an instance or from the internet.
 *
 * A small world is built once through the model API and compiled:
 *
 *   VPC 10.0.0.0/16, internet gateway; main table 0.0.0.0/0 -> igw
 *     public  10.0.1.0/24 (main table, default ACL): NAT gateway (EIP
 *             198.18.0.20), p1 .10 (EIP 198.18.0.10, group web), p2 .11 (open)
 *     private 10.0.2.0/24 (table 0.0.0.0/0 -> nat, 172.16.0.0/12 -> q2,
 *             192.0.2.0/24 -> a deleted interface: blackhole; custom ACL):
 *             q1 .10 (web + default), q2 .11 (open, source/dest check off)
 *   groups: web  tcp/80 and icmp from 0.0.0.0/0, tcp/22 from 10.0.0.0/16,
 *                udp/53 from the group itself; all outbound
 *           open all traffic both ways (untracked TCP/UDP, section 9.2)
 *
 * Input: byte 0 picks the port (its value modulo the interfaces + 1, the
 * last being the internet); byte 1: bit 0 records a trace, bit 1 says the
 * L4 checksum is partial, bit 2 uses a tiny conntrack (2 entries, 1
 * fragment), bit 3 fixes the IPv4 header checksum first (so that mutations
 * get past it), bits 4-7 the reply's delay in 4 s steps; the rest is the
 * frame.
 * The frame goes through pipeline_process(); then its reply (the frame as
 * delivered, or as given if dropped, with addresses and ports swapped) comes
 * back on the port it went out of (or came in on); and a first fragment that
 * passed is followed by a later fragment of it, twice.  The conntrack table
 * is emptied before each input, so an input always does the same.
 *
 * Checked: the verdict is consistent (kind, reason, port, length within the
 * buffer the contract promises), a delivered or built frame parses, with
 * valid L4 checksums when the input's were valid and not partial, and ASan /
 * UBSan find nothing.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c17 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
 *       tests/fuzz/fuzz_pipeline.c $(find lib net model pipeline -name '*.c') \
 *       $(pkg-config --libs jansson) -o fuzz_pipeline
 *   mkdir -p corpus && ./fuzz_pipeline corpus -max_len=1600
 *
 * tests/unit/test_fuzz_replay.c runs this entry point on generated and
 * mutated frames in the normal test run; a crasher becomes a case there. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "pipeline/conntrack.h"
#include "pipeline/pipeline.h"
#include "pipeline/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_IP(a, b, c, d) \
    ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8 | (d))

enum {
    FUZZ_HEADER_SIZE = 2,           /* port selector, control bits */
    FUZZ_NOW_SEC = 1000,
};

/* The compiled world and what the replay driver needs to aim at it. */
struct fuzz_world {
    struct snapshot *snap;
    struct conntrack *ct;           /* roomy */
    struct conntrack *tiny_ct;      /* 2 entries, 1 fragment */
    uint32_t p1, p2, q1, q2, nat;   /* ports */
    uint32_t p1_public, nat_public;
};

static struct fuzz_world fuzz_world;

/* Verdicts seen, for the replay driver to check its inputs reach the paths. */
static size_t fuzz_n_verdicts[VERDICT_DROP + 1];
static size_t fuzz_n_drops[N_DROP_REASONS];

static int64_t fuzz_fake_now;

static int64_t
fuzz_clock(void)
{
    return fuzz_fake_now;
}

static void
fuzz_check(int rc, const struct error *err)
{
    if (rc) {
        fprintf(stderr, "fuzz_pipeline: building the world: %s\n", err->message);
        abort();
    }
}

static void
fuzz_sg_rule(struct model *m, struct security_group *sg, bool egress, const char *proto,
             int from, int to, enum sg_peer peer, const char *value)
{
    struct sg_rule_spec spec = {
        .protocol = proto, .has_from_port = true, .from_port = from, .has_to_port = true,
        .to_port = to, .peer = peer, .peer_value = value,
    };
    struct sg_rule rule;
    struct error err;
    fuzz_check(security_group_rule_from_spec(m, sg, egress, &spec, &rule, &err), &err);
    fuzz_check(security_group_authorize(m, sg, &rule, 1, NULL, 0, &err), &err);
}

static void
fuzz_acl_entry(struct model *m, struct network_acl *acl, int rule, bool egress,
               const char *proto, const char *action, const char *cidr, int from, int to)
{
    struct network_acl_entry_spec spec = {
        .rule_number = rule, .egress = egress, .protocol = proto, .rule_action = action,
        .cidr = cidr,
    };
    if (!strcmp(proto, "6") || !strcmp(proto, "17")) {
        spec.has_port_range = spec.has_port_from = spec.has_port_to = true;
        spec.port_from = from;
        spec.port_to = to;
    } else if (!strcmp(proto, "1")) {
        spec.has_icmp = spec.has_icmp_type = spec.has_icmp_code = true;
        spec.icmp_type = from;
        spec.icmp_code = to;
    }
    struct error err;
    fuzz_check(network_acl_add_entry(m, acl, &spec, &err), &err);
}

static struct network_interface *
fuzz_eni(struct model *m, struct subnet *s, uint32_t ip, const char *const *groups,
         size_t n_groups)
{
    struct network_interface *eni;
    struct error err;
    fuzz_check(network_interface_create(m, s, ip, groups, n_groups, NULL, NULL, NULL, &eni,
                                        &err), &err);
    return eni;
}

static void
fuzz_world_build(struct fuzz_world *w)
{
    struct error err;
    fuzz_fake_now = 1000000;
    model_set_clock(fuzz_clock);
    struct model *m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    struct scope *scope = model_scope(m, "000000000000", "us-east-1");
    struct vpc *vpc;
    struct subnet *pub, *priv;
    struct internet_gateway *igw;
    struct ip4_prefix cidr = { FUZZ_IP(10, 0, 0, 0), 16 }, any = { 0, 0 };
    fuzz_check(vpc_create(m, scope, &cidr, NULL, &vpc, &err), &err);
    fuzz_check(subnet_create(m, vpc, &(struct ip4_prefix){ FUZZ_IP(10, 0, 1, 0), 24 }, NULL,
                             &pub, &err), &err);
    fuzz_check(subnet_create(m, vpc, &(struct ip4_prefix){ FUZZ_IP(10, 0, 2, 0), 24 }, NULL,
                             &priv, &err), &err);
    fuzz_check(internet_gateway_create(m, scope, &igw, &err), &err);
    fuzz_check(internet_gateway_attach(m, igw, vpc, &err), &err);
    fuzz_check(route_table_add_route(m, vpc_main_route_table(vpc), &any, ROUTE_TARGET_GATEWAY,
                                     igw->r.id, &err), &err);

    struct security_group *web, *open;
    fuzz_check(security_group_create(m, vpc, "web", "fuzz", false, &web, &err), &err);
    fuzz_check(security_group_create(m, vpc, "open", "fuzz", false, &open, &err), &err);
    fuzz_sg_rule(m, web, false, "tcp", 80, 80, SG_PEER_CIDR4, "0.0.0.0/0");
    fuzz_sg_rule(m, web, false, "tcp", 22, 22, SG_PEER_CIDR4, "10.0.0.0/16");
    fuzz_sg_rule(m, web, false, "icmp", -1, -1, SG_PEER_CIDR4, "0.0.0.0/0");
    fuzz_sg_rule(m, web, false, "udp", 53, 53, SG_PEER_GROUP, web->r.id);
    fuzz_sg_rule(m, open, false, "-1", -1, -1, SG_PEER_CIDR4, "0.0.0.0/0");

    const char *web_only[] = { web->r.id };
    const char *open_only[] = { open->r.id };
    const char *web_default[] = { web->r.id, vpc_default_security_group(vpc)->r.id };
    struct network_interface *p1 = fuzz_eni(m, pub, FUZZ_IP(10, 0, 1, 10), web_only, 1);
    struct network_interface *p2 = fuzz_eni(m, pub, FUZZ_IP(10, 0, 1, 11), open_only, 1);
    struct network_interface *q1 = fuzz_eni(m, priv, FUZZ_IP(10, 0, 2, 10), web_default, 2);
    struct network_interface *q2 = fuzz_eni(m, priv, FUZZ_IP(10, 0, 2, 11), open_only, 1);
    struct network_interface *gone = fuzz_eni(m, priv, FUZZ_IP(10, 0, 2, 12), open_only, 1);
    fuzz_check(network_interface_set_source_dest_check(m, q2, false, &err), &err);

    struct address *p1_eip, *nat_eip;
    fuzz_check(address_allocate(m, scope, FUZZ_IP(198, 18, 0, 10), &p1_eip, &err), &err);
    fuzz_check(address_associate(m, p1_eip, p1, 0, false, &err), &err);
    fuzz_check(address_allocate(m, scope, FUZZ_IP(198, 18, 0, 20), &nat_eip, &err), &err);
    struct nat_gateway *nat;
    fuzz_check(nat_gateway_create(m, pub, NULL, nat_eip->r.id, 0, &nat, &err), &err);

    struct route_table *rt;
    struct route_table_assoc assoc;
    fuzz_check(route_table_create(m, vpc, &rt, &err), &err);
    fuzz_check(route_table_add_route(m, rt, &any, ROUTE_TARGET_NAT_GATEWAY, nat->r.id, &err),
               &err);
    fuzz_check(route_table_add_route(m, rt, &(struct ip4_prefix){ FUZZ_IP(172, 16, 0, 0), 12 },
                                     ROUTE_TARGET_NETWORK_INTERFACE, q2->r.id, &err), &err);
    fuzz_check(route_table_add_route(m, rt, &(struct ip4_prefix){ FUZZ_IP(192, 0, 2, 0), 24 },
                                     ROUTE_TARGET_NETWORK_INTERFACE, gone->r.id, &err), &err);
    fuzz_check(route_table_associate(m, rt, priv->r.id, NULL, &assoc, &err), &err);
    fuzz_check(network_interface_delete(m, gone, &err), &err);

    struct network_acl *acl;
    fuzz_check(network_acl_create(m, vpc, false, &acl, &err), &err);
    for (int egress = 0; egress < 2; egress++) {
        fuzz_acl_entry(m, acl, 10, egress, "6", "deny", "10.0.1.11/32", 23, 23);
        fuzz_acl_entry(m, acl, 20, egress, "1", "allow", "0.0.0.0/0", -1, -1);
        fuzz_acl_entry(m, acl, 30, egress, "17", "allow", "0.0.0.0/0", 53, 53);
        fuzz_acl_entry(m, acl, 40, egress, "6", "allow", "0.0.0.0/0", 1, 1023);
        fuzz_acl_entry(m, acl, 50, egress, "-1", "allow", "0.0.0.0/0", 1024, 65535);
        fuzz_acl_entry(m, acl, 60, egress, "47", "deny", "10.0.0.0/8", 0, 0);
    }
    struct network_acl *def = vpc_default_network_acl(vpc);
    for (size_t i = 0; i < def->n_assocs; i++) {
        if (!strcmp(def->assocs[i].subnet_id, priv->r.id)) {
            char id[ID_SIZE], new_id[ID_SIZE];
            str_copy(id, sizeof id, def->assocs[i].id);
            fuzz_check(network_acl_replace_association(m, scope, id, acl, new_id, &err), &err);
            break;
        }
    }

    fuzz_fake_now += NAT_GATEWAY_PENDING_SEC + 1;   /* the gateway is available */
    w->snap = snapshot_compile(m);
    ASSERT(w->snap->n_nats == 1);
    w->p1 = snapshot_find_eni(w->snap, p1->r.id);
    w->p2 = snapshot_find_eni(w->snap, p2->r.id);
    w->q1 = snapshot_find_eni(w->snap, q1->r.id);
    w->q2 = snapshot_find_eni(w->snap, q2->r.id);
    w->nat = w->snap->nats[0].eni;
    w->p1_public = p1_eip->public_ip;
    w->nat_public = nat_eip->public_ip;
    model_destroy(m);
    model_set_clock(NULL);
    w->ct = conntrack_create(1024);
    w->tiny_ct = conntrack_create(2);
    conntrack_set_frag_limit(w->tiny_ct, 1);
}

/* The port byte 0 of an input picks. */
static uint32_t
fuzz_port(const struct fuzz_world *w, uint8_t selector)
{
    uint32_t port = selector % (w->snap->n_enis + 1);
    return port == w->snap->n_enis ? PIPELINE_PORT_INTERNET : port;
}

static uint16_t
fuzz_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static void
fuzz_swap(uint8_t *a, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* Runs one frame ('len' bytes at 'buf', which has room for 'room') and
 * checks the verdict. */
static enum verdict_kind
fuzz_run(const struct fuzz_world *w, struct conntrack *ct, uint8_t *buf, size_t len, size_t room,
         uint32_t in_port, unsigned flags, uint64_t now_ns, bool with_trace, struct verdict *v)
{
    struct packet_meta before;
    bool valid = packet_parse(buf, len, &before, true) == PACKET_ERR_OK;
    struct pipeline_trace trace;
    enum verdict_kind kind = pipeline_process(w->snap, ct, buf, len, in_port, flags, now_ns,
                                              with_trace ? &trace : NULL, v);
    ASSERT(kind == v->kind && (unsigned) kind <= VERDICT_DROP);
    fuzz_n_verdicts[kind]++;
    ASSERT(!with_trace || trace.n_steps <= PIPELINE_TRACE_MAX_STEPS);
    ASSERT(conntrack_count(ct) <= 1024);
    switch (kind) {
    case VERDICT_DROP:
        ASSERT(v->reason != DROP_REASON_NONE && (unsigned) v->reason < N_DROP_REASONS);
        fuzz_n_drops[v->reason]++;
        ASSERT((v->reason == DROP_REASON_MALFORMED) == (v->parse_error != PACKET_ERR_OK));
        return kind;
    case VERDICT_REPLY:
        ASSERT(v->out_port == in_port);
        break;
    case VERDICT_DELIVER:
        ASSERT(v->out_port == PIPELINE_PORT_INTERNET || v->out_port < w->snap->n_enis);
        break;
    default:
        NOT_REACHED();
    }
    ASSERT(v->reason == DROP_REASON_NONE);
    ASSERT(v->len <= room);
    struct packet_meta after;
    bool verify = valid && !(flags & PIPELINE_FRAME_CSUM_PARTIAL);
    ASSERT(packet_parse(buf, v->len, &after, verify) == PACKET_ERR_OK);
    return kind;
}

/* The reply to the IPv4 frame in 'buf': addresses and ports swapped (which
 * leaves every checksum valid), an echo request turned into its reply.
 * Returns false when it is not IPv4. */
static bool
fuzz_make_reply(uint8_t *buf, size_t len)
{
    struct packet_meta m;
    if (packet_parse(buf, len, &m, false) != PACKET_ERR_OK || m.l3 != PACKET_L3_IPV4) {
        return false;
    }
    fuzz_swap(buf, buf + PACKET_ETH_ADDR_LEN, PACKET_ETH_ADDR_LEN);
    fuzz_swap(buf + m.l3_ofs + 12, buf + m.l3_ofs + 16, 4);
    uint8_t *l4 = buf + m.l4_ofs;
    if (m.l4 == PACKET_L4_TCP || m.l4 == PACKET_L4_UDP) {
        fuzz_swap(l4, l4 + 2, 2);
    } else if (m.l4 == PACKET_L4_ICMP && m.icmp.type == PACKET_ICMP_ECHO_REQUEST) {
        /* Type 8 -> 0: the checksum word goes up by 0x0800 (RFC 1624). */
        l4[0] = PACKET_ICMP_ECHO_REPLY;
        uint32_t sum = (uint32_t) fuzz_get16(l4 + 2) + 0x0800;
        sum = (sum & 0xffff) + (sum >> 16);
        l4[2] = (uint8_t) (sum >> 8);
        l4[3] = (uint8_t) sum;
    }
    return true;
}

/* Rewrites the IPv4 header checksum of the frame in 'buf', if it holds a
 * whole IPv4 header. */
static void
fuzz_fix_ipv4_checksum(uint8_t *buf, size_t len)
{
    if (len < PACKET_ETH_HEADER_SIZE + PACKET_IPV4_HEADER_MIN_SIZE
        || fuzz_get16(buf + 12) != PACKET_ETH_TYPE_IPV4) {
        return;
    }
    uint8_t *ip = buf + PACKET_ETH_HEADER_SIZE;
    size_t hlen = (ip[0] & 0xfu) * 4u;
    if (hlen < PACKET_IPV4_HEADER_MIN_SIZE || PACKET_ETH_HEADER_SIZE + hlen > len) {
        return;
    }
    ip[10] = ip[11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i < hlen; i += 2) {
        sum += fuzz_get16(ip + i);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t) (~sum >> 8);
    ip[11] = (uint8_t) ~sum;
}

/* Turns the first fragment in 'buf' into a later fragment of the same
 * datagram (offset: its payload size rounded down to 8, at least 8; the
 * last one), with a valid header checksum.  False when it is none. */
static bool
fuzz_make_later_fragment(uint8_t *buf, size_t len)
{
    struct packet_meta m;
    if (packet_parse(buf, len, &m, false) != PACKET_ERR_OK || m.l3 != PACKET_L3_IPV4
        || !m.ip4.mf || m.ip4.is_later_fragment) {
        return false;
    }
    uint8_t *ip = buf + m.l3_ofs;
    unsigned offset = MAX(m.l4_size / 8u, 1u);
    ip[6] = (uint8_t) (offset >> 8);
    ip[7] = (uint8_t) offset;
    fuzz_fix_ipv4_checksum(buf, len);
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_world *w = &fuzz_world;
    if (!w->snap) {
        fuzz_world_build(w);
    }
    if (size < FUZZ_HEADER_SIZE) {
        return 0;
    }
    uint32_t in_port = fuzz_port(w, data[0]);
    uint8_t control = data[1];
    bool with_trace = control & 1;
    unsigned flags = control & 2 ? PIPELINE_FRAME_CSUM_PARTIAL : 0;
    struct conntrack *ct = control & 4 ? w->tiny_ct : w->ct;
    uint64_t now = (uint64_t) FUZZ_NOW_SEC * 1000000000u;
    uint64_t later = now + (uint64_t) (control >> 4) * 4 * 1000000000u;
    size_t len = size - FUZZ_HEADER_SIZE;
    conntrack_flush(ct);

    /* The contract: room for MAX(len, PIPELINE_REPLY_ROOM); no more, so ASan
     * sees a write past it. */
    size_t room = MAX(len, (size_t) PIPELINE_REPLY_ROOM);
    uint8_t *frame = xmalloc(room);
    memcpy(frame, data + FUZZ_HEADER_SIZE, len);
    if (control & 8) {
        fuzz_fix_ipv4_checksum(frame, len);
    }
    uint8_t *buf = xmalloc(room);
    memset(buf, 0xa5, room);
    memcpy(buf, frame, len);
    struct verdict v;
    enum verdict_kind kind = fuzz_run(w, ct, buf, len, room, in_port, flags, now, with_trace, &v);

    /* A first fragment that passed: a later fragment of it follows, then
     * again (the entry may be gone once the datagram is complete). */
    if (kind == VERDICT_DELIVER) {
        uint8_t *frag = xmalloc(room);
        for (int i = 0; i < 2; i++) {
            memset(frag, 0xa5, room);
            memcpy(frag, frame, len);
            if (!fuzz_make_later_fragment(frag, len)) {
                break;
            }
            struct verdict fv;
            fuzz_run(w, ct, frag, len, room, in_port, flags, now, with_trace, &fv);
        }
        free(frag);
    }

    /* The reply: to what was delivered or built, from where it went; to a
     * dropped frame, from where it came. */
    size_t reply_len = len;
    uint32_t reply_port = in_port;
    if (kind == VERDICT_DROP) {
        memset(buf, 0xa5, room);
        memcpy(buf, frame, len);
    } else {
        reply_len = v.len;
        reply_port = v.out_port;
    }
    if (fuzz_make_reply(buf, reply_len)) {
        fuzz_run(w, ct, buf, reply_len, room, reply_port, flags, later, with_trace, &v);
    }
    free(buf);
    free(frame);
    return 0;
}
