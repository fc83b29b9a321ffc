/* bench/pipeline.c: ns per packet of pipeline_process, and conntrack memory.
 *
 * Topology (built through the model API, then compiled):
 *   VPC 10.0.0.0/16, internet gateway; S1 10.0.1.0/24 (a1 .10), S2 10.0.2.0/24 (b1 .10)
 *   both subnets use one custom ACL with 'nacl' entries per direction; only
 *   the last (highest number) allows, so every packet scans them all;
 *   b1's groups hold 'sg' ingress rules, only the last admits;
 *   the main table holds 'routes' routes (172.16.x.y/28 -> igw) besides local.
 * a1 -> b1 TCP crosses subnets: SG egress, ACL out, LPM, ACL in, SG ingress.
 *   established   the same tracked flow again and again (conntrack hit both sides)
 *   new flow      a new source port per packet: rules scanned, two entries made
 *   fragments     the established flow's datagrams cut in two: the first
 *                 fragment is judged and recorded, the second follows it
 * Quotas: ACLs take at most 40 rules per direction including the '*' deny, so
 * 39 user entries is the most (no 10x); a table takes 1,000 routes (local
 * included); an interface takes 16 groups of 60 rules per direction, so 10x
 * of 50 SG rules (500) fits in 9 groups.  More takes group references: in
 * the 5,000 row b1's first group holds 9 rules (TCP 2000-2008, none admits
 * the flow) naming a group of 500 interfaces in 10.0.16.0/20, each rule
 * compiled to 500 /32 rules: 500 + 9 x 500 rules, the admitting one last.
 *   sg index      the bytes of b1's compiled rules (pipeline/sg_index.h) per
 *                 direction; 0: too few rules, they are scanned
 *
 *   build/bench/pipeline [PACKETS]     default 2,000,000 per measurement */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/internet_gateway.h"
#include "model/model.h"
#include "model/network_acl.h"
#include "model/network_interface.h"
#include "model/route_table.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "net/checksum.h"
#include "pipeline/conntrack.h"
#include "pipeline/pipeline.h"
#include "pipeline/snapshot.h"

#define IP(a, b, c, d) ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8 | (d))
/* Each frame buffer has the room pipeline_process() may build a reply in. */
enum { FRAME_SIZE = PIPELINE_REPLY_ROOM, SG_PER_GROUP = 55, SG_PEER_REFS = 9 };

struct config {
    int nacl, sg, routes;
    int peers;                      /* members of the group SG_PEER_REFS rules of b1 name */
};

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void
check(int rc, const struct error *err, const char *what)
{
    if (rc) {
        fprintf(stderr, "bench: %s failed: %s\n", what, err->message);
        exit(1);
    }
}

static void
add_sg_rule(struct model *m, struct security_group *sg, int from, int to, enum sg_peer peer,
            const char *value)
{
    struct sg_rule_spec spec = { .protocol = "tcp", .has_from_port = true, .from_port = from,
                                 .has_to_port = true, .to_port = to, .peer = peer,
                                 .peer_value = value };
    struct sg_rule rule;
    struct error err;
    check(security_group_rule_from_spec(m, sg, false, &spec, &rule, &err), &err, "sg rule");
    check(security_group_authorize(m, sg, &rule, 1, NULL, 0, &err), &err, "authorize");
}

static void
add_acl_entry(struct model *m, struct network_acl *acl, int rule, bool egress, bool allow,
              const char *cidr)
{
    struct network_acl_entry_spec spec = { .rule_number = rule, .egress = egress,
                                           .protocol = allow ? "-1" : "6",
                                           .rule_action = allow ? "allow" : "deny",
                                           .cidr = cidr };
    if (!allow) {
        spec.has_port_range = spec.has_port_from = spec.has_port_to = true;
        spec.port_from = 1;
        spec.port_to = 1023;
    }
    struct error err;
    check(network_acl_add_entry(m, acl, &spec, &err), &err, "acl entry");
}

static void
associate(struct model *m, struct scope *scope, struct vpc *vpc, struct subnet *s,
          struct network_acl *acl)
{
    struct network_acl *def = vpc_default_network_acl(vpc);
    struct error err;
    char id[ID_SIZE], new_id[ID_SIZE];
    for (size_t i = 0; i < def->n_assocs; i++) {
        if (!strcmp(def->assocs[i].subnet_id, s->r.id)) {
            strcpy(id, def->assocs[i].id);
            check(network_acl_replace_association(m, scope, id, acl, new_id, &err), &err,
                  "acl assoc");
            return;
        }
    }
}

static size_t
make_frame(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
           uint8_t flags)
{
    memset(buf, 0, FRAME_SIZE);
    buf[12] = 0x08;
    uint8_t *ip = buf + 14;
    ip[0] = 0x45;
    ip[3] = 40;
    ip[8] = 64;
    ip[9] = 6;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t) (src >> (24 - 8 * i));
        ip[16 + i] = (uint8_t) (dst >> (24 - 8 * i));
    }
    uint16_t sum = checksum(ip, 20);
    ip[10] = (uint8_t) (sum >> 8);
    ip[11] = (uint8_t) sum;
    uint8_t *l = ip + 20;
    l[0] = (uint8_t) (sport >> 8);
    l[1] = (uint8_t) sport;
    l[2] = (uint8_t) (dport >> 8);
    l[3] = (uint8_t) dport;
    l[12] = 5 << 4;
    l[13] = flags;
    return 54;
}

/* Makes the IPv4 frame in 'buf' a fragment with IP id 'id': 'offset' and
 * 'size' bytes of IP payload, more to come if 'mf'. */
static void
fragment(uint8_t *buf, uint16_t id, bool mf, uint16_t offset, uint16_t size)
{
    uint8_t *ip = buf + 14;         /* the payload bytes are whatever is there */
    ip[2] = (uint8_t) ((20 + size) >> 8);
    ip[3] = (uint8_t) (20 + size);
    ip[4] = (uint8_t) (id >> 8);
    ip[5] = (uint8_t) id;
    uint16_t frag = (uint16_t) ((mf ? 0x2000 : 0) | offset / 8);
    ip[6] = (uint8_t) (frag >> 8);
    ip[7] = (uint8_t) frag;
    ip[10] = ip[11] = 0;
    uint16_t sum = checksum(ip, 20);
    ip[10] = (uint8_t) (sum >> 8);
    ip[11] = (uint8_t) sum;
}

static void
run(const struct config *cfg, size_t packets)
{
    struct model *m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    struct scope *scope = model_scope(m, "000000000000", "us-east-1");
    struct error err;
    struct vpc *vpc;
    struct subnet *s1, *s2;
    struct internet_gateway *igw;
    struct ip4_prefix cidr = { IP(10, 0, 0, 0), 16 };
    check(vpc_create(m, scope, &cidr, NULL, &vpc, &err), &err, "vpc");
    check(subnet_create(m, vpc, &(struct ip4_prefix){ IP(10, 0, 1, 0), 24 }, NULL, &s1, &err),
          &err, "subnet");
    check(subnet_create(m, vpc, &(struct ip4_prefix){ IP(10, 0, 2, 0), 24 }, NULL, &s2, &err),
          &err, "subnet");
    check(internet_gateway_create(m, scope, &igw, &err), &err, "igw");
    check(internet_gateway_attach(m, igw, vpc, &err), &err, "attach");

    struct network_acl *acl;
    check(network_acl_create(m, vpc, false, &acl, &err), &err, "acl");
    for (int egress = 0; egress < 2; egress++) {
        for (int i = 0; i < cfg->nacl - 1; i++) {
            char c[32];
            snprintf(c, sizeof c, "192.168.%d.0/24", i);
            add_acl_entry(m, acl, 10 + i, egress, false, c);
        }
        add_acl_entry(m, acl, 30000, egress, true, "0.0.0.0/0");
    }
    associate(m, scope, vpc, s1, acl);
    associate(m, scope, vpc, s2, acl);

    const char *group_ids[ENI_MAX_GROUPS];
    size_t n_groups = 0;
    if (cfg->peers) {
        struct security_group *peers, *refs;
        struct subnet *s3;
        check(subnet_create(m, vpc, &(struct ip4_prefix){ IP(10, 0, 16, 0), 20 }, NULL, &s3,
                            &err), &err, "subnet");
        check(security_group_create(m, vpc, "peers", "bench", false, &peers, &err), &err, "sg");
        check(security_group_create(m, vpc, "refs", "bench", false, &refs, &err), &err, "sg");
        for (int i = 0; i < SG_PEER_REFS; i++) {
            add_sg_rule(m, refs, 2000 + i, 2000 + i, SG_PEER_GROUP, peers->r.id);
        }
        const char *peer_group[] = { peers->r.id };
        for (int i = 0; i < cfg->peers; i++) {
            struct network_interface *eni;
            check(network_interface_create(m, s3, IP(10, 0, 16, 10) + (uint32_t) i, peer_group, 1,
                                           NULL, NULL, NULL, &eni, &err), &err, "peer eni");
        }
        group_ids[n_groups++] = refs->r.id;
    }
    for (int left = cfg->sg; left > 0; left -= SG_PER_GROUP) {
        struct security_group *sg;
        char name[16];
        snprintf(name, sizeof name, "g%zu", n_groups);
        check(security_group_create(m, vpc, name, "bench", false, &sg, &err), &err, "sg");
        int here = left < SG_PER_GROUP ? left : SG_PER_GROUP;
        for (int i = 0; i < here; i++) {
            bool last = left - i == 1;
            int p = 1000 + (int) n_groups * SG_PER_GROUP + i;
            add_sg_rule(m, sg, last ? 22 : p, last ? 22 : p, SG_PEER_CIDR4,
                        last ? "10.0.0.0/16" : "0.0.0.0/0");
        }
        group_ids[n_groups++] = sg->r.id;
    }
    struct route_table *main_rtb = vpc_main_route_table(vpc);
    for (int i = 0; i < cfg->routes - 1; i++) {
        struct ip4_prefix dst = { IP(172, 16, 0, 0) + (uint32_t) i * 16, 28 };
        check(route_table_add_route(m, main_rtb, &dst, ROUTE_TARGET_GATEWAY, igw->r.id, &err),
              &err, "route");
    }
    struct network_interface *a1, *b1;
    check(network_interface_create(m, s1, IP(10, 0, 1, 10), NULL, 0, NULL, NULL, NULL, &a1, &err),
          &err, "eni");
    check(network_interface_create(m, s2, IP(10, 0, 2, 10), group_ids, n_groups, NULL, NULL,
                                   NULL, &b1, &err), &err, "eni");

    uint64_t t0 = now_ns();
    struct snapshot *snap = snapshot_compile(m);
    uint64_t compile_ns = now_ns() - t0;
    uint32_t pa = snapshot_find_eni(snap, a1->r.id), pb = snapshot_find_eni(snap, b1->r.id);
    struct conntrack *ct = conntrack_create(2 * 60000 + 16);

    /* Established: open the flow both ways, then time the same packet. */
    uint8_t frame[FRAME_SIZE];
    struct verdict v;
    size_t len = make_frame(frame, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22, PACKET_TCP_SYN);
    pipeline_process(snap, ct, frame, len, pa, 0, 0, NULL, &v);
    len = make_frame(frame, IP(10, 0, 2, 10), IP(10, 0, 1, 10), 22, 40000,
                     PACKET_TCP_SYN | PACKET_TCP_ACK);
    pipeline_process(snap, ct, frame, len, pb, 0, 0, NULL, &v);
    len = make_frame(frame, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22, PACKET_TCP_ACK);
    if (pipeline_process(snap, ct, frame, len, pa, 0, 0, NULL, &v) != VERDICT_DELIVER) {
        fprintf(stderr, "bench: established flow not delivered: %s\n",
                drop_reason_name(v.reason));
        exit(1);
    }
    size_t delivered = 0;
    t0 = now_ns();
    for (size_t i = 0; i < packets; i++) {
        delivered += pipeline_process(snap, ct, frame, len, pa, 0, 1, NULL, &v) == VERDICT_DELIVER;
    }
    double est_ns = (double) (now_ns() - t0) / (double) packets;

    /* New flows: a new source port per packet.  a1 has one address and b1
     * admits one port, so ports give 60,000 distinct flows: the table is
     * flushed (untimed) between rounds of that many. */
    enum { N_PORTS = 60000 };
    size_t n_frames = packets < N_PORTS ? packets : N_PORTS;
    uint8_t *frames = xmalloc(n_frames * FRAME_SIZE);
    for (size_t i = 0; i < n_frames; i++) {
        make_frame(frames + i * FRAME_SIZE, IP(10, 0, 1, 10), IP(10, 0, 2, 10),
                   (uint16_t) (1024 + i), 22, PACKET_TCP_SYN);
    }
    size_t n_new = 0, new_ok = 0;
    uint64_t new_total = 0;
    while (n_new < packets) {
        conntrack_flush(ct);
        size_t round = MIN(n_frames, packets - n_new);
        t0 = now_ns();
        for (size_t i = 0; i < round; i++) {
            new_ok += pipeline_process(snap, ct, frames + i * FRAME_SIZE, len, pa, 0, 2, NULL, &v)
                      == VERDICT_DELIVER;
        }
        new_total += now_ns() - t0;
        n_new += round;
    }
    double new_ns = (double) new_total / (double) n_new;

    /* Fragments: datagrams of the established flow, each in two (24 bytes
     * of TCP, then 8 more), a new IP id each; the table entry comes and goes. */
    enum { N_FRAG_PAIRS = 1 << 16 };
    size_t n_pairs = MIN(packets / 2, (size_t) N_FRAG_PAIRS);
    uint8_t *pairs = xmalloc(n_pairs * 2 * FRAME_SIZE);
    for (size_t i = 0; i < n_pairs; i++) {
        uint8_t *first = pairs + 2 * i * FRAME_SIZE, *later = first + FRAME_SIZE;
        make_frame(first, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 40000, 22, PACKET_TCP_ACK);
        memcpy(later, first, FRAME_SIZE);
        fragment(first, (uint16_t) i, true, 0, 24);
        fragment(later, (uint16_t) i, false, 24, 8);
    }
    size_t frag_ok = 0;
    t0 = now_ns();
    for (size_t i = 0; i < 2 * n_pairs; i++) {
        uint8_t *f = pairs + i * FRAME_SIZE;
        size_t flen = 14 + 20 + (i % 2 ? 8 : 24);
        frag_ok += pipeline_process(snap, ct, f, flen, pa, 0, 3, NULL, &v) == VERDICT_DELIVER;
    }
    double frag_ns = n_pairs ? (double) (now_ns() - t0) / (double) (2 * n_pairs) : 0;
    free(pairs);
    printf("| %4d | %5d | %6d | %9.1f | %10.1f | %10.1f | %zu/%zu %zu/%zu |\n", cfg->nacl,
           (int) snap->enis[pb].n_rules[0], cfg->routes, (double) compile_ns / 1000.0, est_ns,
           new_ns, delivered, packets, new_ok, n_new);
    printf("|      |       |        | sg index: %zu bytes ingress, %zu egress (%u egress rules)\n",
           sg_index_size(snap->enis[pb].sg_index[0]), sg_index_size(snap->enis[pb].sg_index[1]),
           snap->enis[pb].n_rules[1]);
    printf("|      |       |        | conntrack: %zu bytes per entry (capacity %zu, %zu used)\n",
           conntrack_bytes_per_entry(ct), (size_t) 2 * 60000 + 16, conntrack_count(ct));
    printf("|      |       |        | fragments: %.1f ns per fragment (%zu/%zu delivered)\n",
           frag_ns, frag_ok, 2 * n_pairs);
    free(frames);
    conntrack_destroy(ct);
    snapshot_destroy(snap);
    model_destroy(m);
}

int
main(int argc, char **argv)
{
    size_t packets = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    static const struct config configs[] = {
        { 1, 1, 1, 0 }, { 5, 5, 100, 0 }, { 39, 50, 1000, 0 }, { 39, 500, 1000, 0 },
        { 39, 500, 1000, 500 },
    };
    printf("| nacl | sg    | routes | compile us | est ns/pkt | new ns/pkt | delivered |\n");
    printf("|------|-------|--------|-----------|------------|------------|-----------|\n");
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        run(&configs[i], packets);
    }
    return 0;
}
