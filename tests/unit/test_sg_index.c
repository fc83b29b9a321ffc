/* Unit tests for pipeline/sg_index: the compiled security group rules give
 * the linear scan's answer (snapshot_sg_evaluate_linear), the index of the
 * first admitting rule, on random rule sets and packets and on the edges;
 * and the compiler hands interfaces with many rules an index.  Set
 * VPCD_TEST_SEED to replay a random run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/model.h"
#include "model/network_interface.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "pipeline/sg_index.h"
#include "pipeline/snapshot.h"
#include "tests/unit/testlib.h"

#define IP(a, b, c, d) ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8 | (d))

/* xorshift64*: reproducible from the printed seed. */
static uint64_t rng_state;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) ((rng_state * UINT64_C(2685821657736338717)) >> 32);
}

static uint32_t
below(uint32_t n)
{
    return rnd() % n;
}

/* A seed from the clock, or from $VPCD_TEST_SEED to replay a run. */
static uint64_t
seed_from_clock(const char *test)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t) ts.tv_sec * 1000003u ^ (uint64_t) ts.tv_nsec;
    const char *env = getenv("VPCD_TEST_SEED");
    if (env && *env) {
        seed = strtoull(env, NULL, 10);
    }
    printf("    %s: seed %llu (VPCD_TEST_SEED=%llu to replay)\n", test, (unsigned long long) seed,
           (unsigned long long) seed);
    fflush(stdout);
    return seed ? seed : 1;
}

/* A few values picked often, so that ranges share ends and rules repeat. */
static const int port_pool[] = { 0, 1, 21, 22, 23, 80, 443, 1023, 1024, 8080, 65534, 65535 };
static const int proto_pool[] = { -1, 6, 6, 6, 17, 17, 1, 58, 47, 0, 255 };
static const uint32_t addr_pool[] = { IP(10, 0, 0, 0), IP(10, 0, 1, 10), IP(10, 1, 0, 0),
                                      IP(192, 168, 1, 1), IP(0, 0, 0, 0), IP(255, 255, 255, 255),
                                      IP(172, 16, 5, 4) };

static int
random_port(void)
{
    switch (below(4)) {
    case 0:
        return (int) below(65536);
    default:
        return port_pool[below(ARRAY_SIZE(port_pool))];
    }
}

static int
random_icmp(void)
{
    static const int pool[] = { -1, -1, 0, 3, 8, 11, 255 };
    return below(3) ? pool[below(ARRAY_SIZE(pool))] : (int) below(256);
}

static uint32_t
random_addr(void)
{
    uint32_t base = addr_pool[below(ARRAY_SIZE(addr_pool))];
    switch (below(4)) {
    case 0:
        return rnd();
    case 1:
        return base;
    default:
        return base ^ (rnd() >> below(32) >> 1);     /* near it: low bits changed */
    }
}

static void
random_prefix(struct snap_sg_rule *r)
{
    static const uint8_t lens[] = { 0, 0, 8, 16, 16, 24, 32, 32, 32 };
    uint8_t len = below(3) ? lens[below(ARRAY_SIZE(lens))] : (uint8_t) below(33);
    r->mask = ip4_mask(len);
    r->addr = random_addr() & r->mask;
    if (!below(50)) {
        r->addr |= ~r->mask & rnd();    /* host bits set: matches nothing (len < 32) */
    }
}

static void
random_rule(struct snap_sg_rule *r)
{
    memset(r, 0, sizeof *r);
    random_prefix(r);
    r->proto = (int16_t) (below(8) ? proto_pool[below(ARRAY_SIZE(proto_pool))] : (int) below(256));
    switch (r->proto) {
    case 6:
    case 17:
        switch (below(6)) {
        case 0:
            r->from = 0, r->to = 65535;
            break;
        case 1:
            r->from = r->to = random_port();
            break;
        case 2:
            r->from = -1, r->to = -1;   /* as a model without ports would say */
            break;
        case 3:
            r->from = random_port(), r->to = random_port();     /* maybe empty */
            break;
        default:
            r->from = random_port();
            r->to = r->from + (int) below(2000);
            break;
        }
        break;
    case 1:
    case 58:
        r->from = random_icmp();
        r->to = random_icmp();
        break;
    default:
        r->from = r->to = -1;
        break;
    }
}

struct packet {
    uint32_t addr;
    int proto, port, code;
};

/* A packet near the rules: one rule's prefix and protocol, or anything. */
static void
random_packet(const struct snap_sg_rule *rules, size_t n, struct packet *p)
{
    static const int protos[] = { 6, 17, 1, 58, 47, 0, 255, 2 };
    p->proto = protos[below(ARRAY_SIZE(protos))];
    p->addr = random_addr();
    p->port = random_port();
    p->code = (int) below(256);
    if (n && below(4)) {
        const struct snap_sg_rule *r = &rules[below((uint32_t) n)];
        p->addr = (r->addr & r->mask) | (rnd() & ~r->mask);
        if (r->proto != -1) {
            p->proto = r->proto;
        }
        if (p->proto == 1 || p->proto == 58) {
            p->port = r->from >= 0 && below(2) ? r->from : (int) below(256);
            p->code = r->to >= 0 && below(2) ? r->to : (int) below(256);
        } else if (r->from >= 0 && r->to >= r->from && below(2)) {
            p->port = r->from + (int) below((uint32_t) (r->to - r->from) + 1);
        }
    }
}

/* An interface holding 'rules' one way (ingress), without an index. */
static struct snap_eni
eni_of(struct snap_sg_rule *rules, size_t n)
{
    struct snap_eni eni;
    memset(&eni, 0, sizeof eni);
    eni.rules[0] = rules;
    eni.n_rules[0] = (uint32_t) n;
    return eni;
}

/* Compares the index of 'rules' with the scan on 'n_packets' packets;
 * returns the number of disagreements (printed, the first few). */
static int
compare(struct snap_sg_rule *rules, size_t n, int n_packets)
{
    struct arena *arena = arena_create();
    struct sg_index *ix = sg_index_create(arena, rules, n);
    int bad = 0;
    if (!ix) {
        fprintf(stderr, "    no index for %zu rules\n", n);
        bad = 1;
        goto out;
    }
    struct snap_eni eni = eni_of(rules, n);
    for (int i = 0; i < n_packets; i++) {
        struct packet p;
        random_packet(rules, n, &p);
        int want = snapshot_sg_evaluate_linear(&eni, false, p.addr, p.proto, p.port, p.code);
        int got = sg_index_lookup(ix, p.addr, p.proto, p.port, p.code);
        if (got != want && bad++ < 5) {
            fprintf(stderr, "    %zu rules: %08x proto %d port %d code %d: index %d, scan %d\n", n,
                    p.addr, p.proto, p.port, p.code, got, want);
        }
    }
    /* Through the entry point the data path calls. */
    eni.sg_index[0] = ix;
    for (int i = 0; i < n_packets / 10; i++) {
        struct packet p;
        random_packet(rules, n, &p);
        eni.sg_index[0] = NULL;
        int want = snapshot_sg_evaluate(&eni, false, p.addr, p.proto, p.port, p.code);
        eni.sg_index[0] = ix;
        int got = snapshot_sg_evaluate(&eni, false, p.addr, p.proto, p.port, p.code);
        bad += got != want;
    }
out:
    sg_index_destroy(ix);
    arena_destroy(arena);
    return bad;
}

/* The compiler's order: 0.0.0.0/0 rules first. */
static void
open_rules_first(struct snap_sg_rule *rules, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rules[i].mask == 0) {
            struct snap_sg_rule r = rules[i];
            memmove(&rules[k + 1], &rules[k], (i - k) * sizeof *rules);
            rules[k++] = r;
        }
    }
}

TEST(index_matches_scan_on_random_rules,
     "random rule sets (all protocols, -1, port ranges, ICMP -1, /0 to /32, duplicates) "
     "give the scan's first rule for random packets")
{
    rng_state = seed_from_clock("index_matches_scan_on_random_rules");
    static const size_t sizes[] = { 0, 1, 2, 3, 5, 8, 24, 50, 100, 500, 2000 };
    enum { N_SETS = 600 };
    struct snap_sg_rule *rules = xmalloc(2000 * sizeof *rules);
    int bad = 0;
    for (int set = 0; set < N_SETS; set++) {
        size_t n = sizes[below(ARRAY_SIZE(sizes))];
        for (size_t i = 0; i < n; i++) {
            if (i && !below(8)) {
                rules[i] = rules[below((uint32_t) i)];     /* a duplicate */
            } else {
                random_rule(&rules[i]);
            }
        }
        if (below(2)) {
            open_rules_first(rules, n);
        }
        bad += compare(rules, n, n >= 500 ? 4000 : 1500);
    }
    CHECK_INT(bad, 0);
    free(rules);
}

TEST(index_matches_scan_on_narrow_rules,
     "rule sets drawn from a few prefixes, ports and ICMP values, so that rules nest, "
     "overlap and repeat a lot")
{
    rng_state = seed_from_clock("index_matches_scan_on_narrow_rules");
    enum { N = 300 };
    struct snap_sg_rule rules[N];
    int bad = 0;
    for (int set = 0; set < 200; set++) {
        size_t n = 1 + below(N);
        for (size_t i = 0; i < n; i++) {
            struct snap_sg_rule *r = &rules[i];
            static const uint8_t lens[] = { 0, 8, 16, 24, 28, 32 };
            r->mask = ip4_mask(lens[below(ARRAY_SIZE(lens))]);
            r->addr = IP(10, 0, 1, (uint32_t) below(4)) & r->mask;
            r->proto = (int16_t) (int[]){ -1, 6, 17, 1 }[below(4)];
            if (r->proto == 1) {
                r->from = (int) below(3) - 1;
                r->to = (int) below(3) - 1;
            } else {
                r->from = (int) below(6);
                r->to = r->from + (int) below(4) - 1;
            }
        }
        struct snap_eni eni = eni_of(rules, n);
        struct arena *arena = arena_create();
        struct sg_index *ix = sg_index_create(arena, rules, n);
        REQUIRE(ix);
        for (uint32_t host = 0; host < 6; host++) {
            for (int proto = 0; proto < 18; proto++) {
                for (int port = -1; port < 8; port++) {
                    for (int code = -1; code < 3; code++) {
                        uint32_t addr = IP(10, 0, 1, host);
                        int want = snapshot_sg_evaluate_linear(&eni, false, addr, proto, port,
                                                               code);
                        bad += sg_index_lookup(ix, addr, proto, port, code) != want;
                    }
                }
            }
        }
        sg_index_destroy(ix);
        arena_destroy(arena);
    }
    CHECK_INT(bad, 0);
}

static struct snap_sg_rule
rule(uint32_t addr, uint8_t len, int proto, int from, int to)
{
    return (struct snap_sg_rule) { addr, ip4_mask(len), (int16_t) proto, from, to };
}

static int
lookup(const struct sg_index *ix, uint32_t addr, int proto, int port, int code)
{
    return sg_index_lookup(ix, addr, proto, port, code);
}

TEST(index_without_rules_admits_nothing, "no rules: every packet is refused")
{
    struct arena *arena = arena_create();
    struct sg_index *ix = sg_index_create(arena, NULL, 0);
    REQUIRE(ix);
    CHECK_INT(lookup(ix, IP(10, 0, 0, 1), 6, 22, 0), -1);
    CHECK_INT(lookup(ix, 0, 1, 8, 0), -1);
    CHECK(sg_index_size(ix) > 0);
    sg_index_destroy(ix);
    arena_destroy(arena);
}

TEST(index_port_edges, "ports 0 and 65535, whole range, single ports, empty ranges")
{
    struct snap_sg_rule rules[] = {
        rule(IP(10, 0, 0, 0), 8, 6, 65535, 65535),      /* 0 */
        rule(IP(10, 0, 0, 0), 8, 6, 0, 0),              /* 1 */
        rule(0, 0, 17, 0, 65535),                       /* 2 */
        rule(IP(10, 1, 0, 0), 16, 6, 0, 65535),         /* 3 */
        rule(IP(10, 1, 2, 3), 32, 6, 100, 99),          /* 4: empty, admits nothing */
        rule(IP(10, 1, 2, 3), 32, 6, -1, -1),           /* 5: admits no real port */
    };
    struct arena *arena = arena_create();
    struct sg_index *ix = sg_index_create(arena, rules, ARRAY_SIZE(rules));
    REQUIRE(ix);
    CHECK_INT(lookup(ix, IP(10, 9, 9, 9), 6, 65535, 0), 0);
    CHECK_INT(lookup(ix, IP(10, 9, 9, 9), 6, 0, 0), 1);
    CHECK_INT(lookup(ix, IP(10, 9, 9, 9), 6, 1, 0), -1);
    CHECK_INT(lookup(ix, IP(10, 1, 9, 9), 6, 1, 0), 3);
    CHECK_INT(lookup(ix, IP(10, 1, 9, 9), 6, 65535, 0), 0);
    CHECK_INT(lookup(ix, IP(11, 0, 0, 0), 17, 0, 0), 2);
    CHECK_INT(lookup(ix, IP(11, 0, 0, 0), 17, 65535, 0), 2);
    CHECK_INT(lookup(ix, IP(11, 0, 0, 0), 6, 65535, 0), -1);
    CHECK_INT(lookup(ix, IP(10, 1, 2, 3), 6, 99, 0), 3);
    CHECK_INT(lookup(ix, IP(10, 1, 2, 3), 6, 100, 0), 3);
    struct snap_eni eni = eni_of(rules, ARRAY_SIZE(rules));
    CHECK_INT(lookup(ix, IP(10, 1, 2, 3), 6, -1, 0),
              snapshot_sg_evaluate_linear(&eni, false, IP(10, 1, 2, 3), 6, -1, 0));
    sg_index_destroy(ix);
    arena_destroy(arena);
}

TEST(index_icmp_any, "ICMP type and code -1 match any, each on its own; ICMPv6 apart")
{
    struct snap_sg_rule rules[] = {
        rule(0, 0, 1, 8, 0),                            /* 0: echo request, code 0 */
        rule(IP(10, 0, 0, 0), 8, 1, 3, -1),             /* 1: unreachable, any code */
        rule(IP(10, 0, 0, 0), 8, 1, -1, 4),             /* 2: any type, code 4 */
        rule(IP(10, 0, 0, 0), 16, 1, -1, -1),           /* 3: all ICMP */
        rule(IP(10, 0, 0, 0), 16, 58, -1, -1),          /* 4: all ICMPv6 */
    };
    struct arena *arena = arena_create();
    struct sg_index *ix = sg_index_create(arena, rules, ARRAY_SIZE(rules));
    REQUIRE(ix);
    CHECK_INT(lookup(ix, IP(1, 2, 3, 4), 1, 8, 0), 0);
    CHECK_INT(lookup(ix, IP(1, 2, 3, 4), 1, 8, 1), -1);
    CHECK_INT(lookup(ix, IP(10, 5, 0, 1), 1, 3, 13), 1);
    CHECK_INT(lookup(ix, IP(10, 5, 0, 1), 1, 5, 4), 2);
    CHECK_INT(lookup(ix, IP(10, 5, 0, 1), 1, 5, 5), -1);
    CHECK_INT(lookup(ix, IP(10, 0, 0, 1), 1, 5, 5), 3);
    CHECK_INT(lookup(ix, IP(10, 0, 0, 1), 1, 8, 0), 0);
    CHECK_INT(lookup(ix, IP(10, 0, 0, 1), 58, 128, 0), 4);
    CHECK_INT(lookup(ix, IP(10, 0, 0, 1), 6, 8, 0), -1);
    sg_index_destroy(ix);
    arena_destroy(arena);
}

TEST(index_first_rule_wins, "of several admitting rules, the lowest index; /0 first stops early")
{
    struct snap_sg_rule rules[] = {
        rule(0, 0, 6, 443, 443),                        /* 0 */
        rule(0, 0, -1, 0, 0),                           /* 1 */
        rule(IP(10, 0, 1, 10), 32, 6, 22, 22),          /* 2 */
        rule(IP(10, 0, 0, 0), 16, 6, 0, 65535),         /* 3 */
        rule(IP(10, 0, 1, 10), 32, 6, 22, 22),          /* 4: a duplicate of 2 */
    };
    struct arena *arena = arena_create();
    struct sg_index *ix = sg_index_create(arena, rules, ARRAY_SIZE(rules));
    REQUIRE(ix);
    CHECK_INT(lookup(ix, IP(10, 0, 1, 10), 6, 443, 0), 0);
    CHECK_INT(lookup(ix, IP(10, 0, 1, 10), 6, 22, 0), 1);
    sg_index_destroy(ix);
    rules[1] = rule(IP(8, 8, 8, 8), 32, -1, 0, 0);
    arena_destroy(arena);
    arena = arena_create();
    ix = sg_index_create(arena, rules, ARRAY_SIZE(rules));
    REQUIRE(ix);
    CHECK_INT(lookup(ix, IP(10, 0, 1, 10), 6, 22, 0), 2);
    CHECK_INT(lookup(ix, IP(10, 0, 1, 11), 6, 22, 0), 3);
    CHECK_INT(lookup(ix, IP(8, 8, 8, 8), 47, 0, 0), 1);
    CHECK_INT(lookup(ix, IP(8, 8, 8, 9), 47, 0, 0), -1);
    sg_index_destroy(ix);
    arena_destroy(arena);
}

TEST(index_refuses_non_prefix_masks, "a mask that is not a prefix: no index, the caller scans")
{
    struct snap_sg_rule rules[] = { { IP(10, 0, 0, 0), 0xff00ff00u, 6, 22, 22 } };
    struct arena *arena = arena_create();
    CHECK(sg_index_create(arena, rules, 1) == NULL);
    arena_destroy(arena);
}

TEST(set_shares_equal_rules, "equal rule lists share one index, a different list gets its own")
{
    struct snap_sg_rule a[] = { rule(0, 0, 6, 22, 22), rule(IP(10, 0, 0, 0), 8, -1, -1, -1) };
    struct snap_sg_rule b[] = { rule(0, 0, 6, 22, 22), rule(IP(10, 0, 0, 0), 8, -1, -1, -1) };
    struct snap_sg_rule c[] = { rule(0, 0, 6, 22, 22), rule(IP(10, 0, 0, 0), 8, -1, -1, 0) };
    struct snap_sg_rule bad[] = { { IP(10, 0, 0, 0), 0xff00ff00u, 6, 22, 22 } };
    struct arena *arena = arena_create();
    struct sg_index_set *set = sg_index_set_create();
    const struct sg_index *ia = sg_index_set_get(set, arena, a, 2);
    CHECK(ia != NULL);
    CHECK(sg_index_set_get(set, arena, b, 2) == ia);
    CHECK(sg_index_set_get(set, arena, a, 1) != ia);
    CHECK(sg_index_set_get(set, arena, c, 2) != ia);
    CHECK(sg_index_set_get(set, arena, bad, 1) == NULL);
    CHECK_INT(sg_index_set_count(set), 3);
    for (int i = 0; i < 100; i++) {     /* past a few table doublings */
        struct snap_sg_rule *r = arena_alloc(arena, sizeof *r);
        *r = rule(IP(10, 0, 0, (uint32_t) i), 32, 6, 1, 1);
        CHECK(sg_index_set_get(set, arena, r, 1) != NULL);
    }
    CHECK(sg_index_set_get(set, arena, b, 2) == ia);
    CHECK_INT(sg_index_set_count(set), 103);
    sg_index_set_destroy(set);
    arena_destroy(arena);
}

/* ---- Through the compiler. ---- */

/* Adds a rule; false if the group has it already (random rules repeat). */
static bool
authorize(struct model *m, struct security_group *sg, bool egress, const char *proto, int from,
          int to, enum sg_peer peer, const char *value)
{
    struct sg_rule_spec spec = {
        .protocol = proto, .has_from_port = true, .from_port = from, .has_to_port = true,
        .to_port = to, .peer = peer, .peer_value = value,
    };
    struct sg_rule r;
    struct error err;
    ASSERT(!security_group_rule_from_spec(m, sg, egress, &spec, &r, &err));
    return !security_group_authorize(m, sg, &r, 1, NULL, 0, &err);
}

TEST(compiled_interfaces_use_the_index,
     "an interface with many rules (group references expanded) gets an index per direction "
     "that answers as the scan, shared with an interface in the same groups; one with few "
     "rules keeps scanning")
{
    rng_state = seed_from_clock("compiled_interfaces_use_the_index");
    struct model *m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    struct scope *scope = model_scope(m, "000000000000", "us-east-1");
    struct error err;
    struct vpc *vpc;
    struct subnet *sub;
    ASSERT(!vpc_create(m, scope, &(struct ip4_prefix){ IP(10, 0, 0, 0), 16 }, NULL, &vpc, &err));
    ASSERT(!subnet_create(m, vpc, &(struct ip4_prefix){ IP(10, 0, 0, 0), 20 }, NULL, &sub, &err));
    struct security_group *peers, *big, *small;
    ASSERT(!security_group_create(m, vpc, "peers", "t", false, &peers, &err));
    ASSERT(!security_group_create(m, vpc, "big", "t", false, &big, &err));
    ASSERT(!security_group_create(m, vpc, "small", "t", false, &small, &err));
    static const char *protos[] = { "tcp", "udp", "icmp", "-1", "47" };
    for (int egress = 0; egress < 2; egress++) {
        for (int i = 0; i < 40; i++) {
            const char *proto = protos[below(ARRAY_SIZE(protos))];
            bool icmp = !strcmp(proto, "icmp");
            int from = icmp ? (int) below(12) - 1 : (int) below(2000);
            int to = icmp ? (from < 0 ? -1 : (int) below(3) - 1) : from + (int) below(100);
            if (i % 4 == 0) {
                authorize(m, big, egress, proto, from, to, SG_PEER_GROUP, peers->r.id);
            } else {
                char cidr[32];
                static const int lens[] = { 0, 8, 16, 24, 32 };
                int len = lens[below(ARRAY_SIZE(lens))];
                uint32_t a = (IP(10, 0, 0, 0) | below(1 << 12)) & ip4_mask((uint8_t) len);
                snprintf(cidr, sizeof cidr, "%u.%u.%u.%u/%d", a >> 24, a >> 16 & 255,
                         a >> 8 & 255, a & 255, len);
                authorize(m, big, egress, proto, from, to, SG_PEER_CIDR4, cidr);
            }
        }
    }
    ASSERT(authorize(m, small, false, "tcp", 22, 22, SG_PEER_CIDR4, "10.0.0.0/16"));
    const char *big_groups[] = { big->r.id }, *peer_groups[] = { peers->r.id },
               *small_groups[] = { small->r.id };
    struct network_interface *target, *twin, *lone, *eni;
    ASSERT(!network_interface_create(m, sub, IP(10, 0, 0, 10), big_groups, 1, NULL, NULL, NULL,
                                     &target, &err));
    ASSERT(!network_interface_create(m, sub, IP(10, 0, 0, 12), big_groups, 1, NULL, NULL, NULL,
                                     &twin, &err));
    ASSERT(!network_interface_create(m, sub, IP(10, 0, 0, 11), small_groups, 1, NULL, NULL,
                                     NULL, &lone, &err));
    for (uint32_t i = 0; i < 20; i++) {
        ASSERT(!network_interface_create(m, sub, IP(10, 0, 1, 10 + i), peer_groups, 1, NULL,
                                         NULL, NULL, &eni, &err));
    }

    struct snapshot *snap = snapshot_compile(m);
    const struct snap_eni *t = &snap->enis[snapshot_find_eni(snap, target->r.id)];
    const struct snap_eni *l = &snap->enis[snapshot_find_eni(snap, lone->r.id)];
    REQUIRE(t->n_rules[0] >= SG_INDEX_MIN_RULES && t->n_rules[1] >= SG_INDEX_MIN_RULES);
    CHECK(t->sg_index[0] && t->sg_index[1]);
    CHECK(!l->sg_index[0] && !l->sg_index[1]);
    const struct snap_eni *tw = &snap->enis[snapshot_find_eni(snap, twin->r.id)];
    CHECK(tw->sg_index[0] == t->sg_index[0] && tw->sg_index[1] == t->sg_index[1]);
    CHECK_INT(sg_index_set_count(snap->sg_indexes), 2);
    CHECK_INT(sg_index_set_size(snap->sg_indexes),
              sg_index_size(t->sg_index[0]) + sg_index_size(t->sg_index[1]));
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        bool egress = i & 1;
        struct packet p;
        random_packet(t->rules[egress], t->n_rules[egress], &p);
        if (!below(3)) {
            p.addr = IP(10, 0, 1, 10 + below(24));          /* a peer, or just past them */
        }
        int want = snapshot_sg_evaluate_linear(t, egress, p.addr, p.proto, p.port, p.code);
        bad += snapshot_sg_evaluate(t, egress, p.addr, p.proto, p.port, p.code) != want;
    }
    CHECK_INT(bad, 0);
    /* The interface with one rule still answers. */
    CHECK_INT(snapshot_sg_evaluate(l, false, IP(10, 0, 9, 9), 6, 22, 0), 0);
    CHECK_INT(snapshot_sg_evaluate(l, false, IP(10, 0, 9, 9), 6, 23, 0), -1);
    snapshot_destroy(snap);
    model_destroy(m);
}
