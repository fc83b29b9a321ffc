/* The fuzz targets of tests/fuzz/ in the normal test run (gcc, ASan/UBSan, no
 * libFuzzer): each target's entry point runs over a few thousand inputs made
 * here, deterministically: well-formed seeds aimed at what the target
 * parses (for the pipeline, at its world's addresses and paths), then
 * mutations of them from a fixed-seed generator, then random bytes.  A
 * crash or a failed ASSERT in a target fails its case.  Crashers the real
 * fuzzer finds go into 'crashers' below, so they are replayed for ever.
 *
 * Every target is compiled into this file under its own name (the
 * #define before each #include); a new target needs its three lines here
 * and a case below.
 *
 * FUZZ_SEED_DIR=dir build/san/tests/test_fuzz_replay pipeline_replay writes
 * the pipeline seeds there, as a starting corpus for the real fuzzer. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define LLVMFuzzerTestOneInput fuzz_packet_one_input
#include "tests/fuzz/fuzz_packet.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_query_one_input
#include "tests/fuzz/fuzz_query.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_pipeline_one_input
#include "tests/fuzz/fuzz_pipeline.c"
#undef LLVMFuzzerTestOneInput

#include "net/checksum.h"
#include "pipeline/probe.h"
#include "tests/unit/testlib.h"

enum {
    MAX_INPUT = 1600,
    MAX_SEEDS = 64,
    N_MUTATED = 10000,
    N_RANDOM = 500,
};

struct input {
    uint8_t bytes[MAX_INPUT];
    size_t size;
};

struct seeds {
    struct input items[MAX_SEEDS];
    size_t n;
};

/* xorshift64*, fixed seed: every run replays the same inputs. */
static uint64_t replay_rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
    replay_rng ^= replay_rng >> 12;
    replay_rng ^= replay_rng << 25;
    replay_rng ^= replay_rng >> 27;
    return (uint32_t) ((replay_rng * UINT64_C(2685821657736338717)) >> 32) % n;
}

static void
seed_add(struct seeds *s, const void *bytes, size_t size)
{
    ASSERT(s->n < MAX_SEEDS && size <= MAX_INPUT);
    memcpy(s->items[s->n].bytes, bytes, size);
    s->items[s->n++].size = size;
}

/* One to four byte-level mutations of 'in', as libFuzzer's simplest ones:
 * flip a bit, set a byte (random or a boundary value), erase or insert a
 * run, cut the end, splice in part of another seed. */
static void
mutate(struct input *in, const struct seeds *s)
{
    static const uint8_t boundary[] = { 0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x40, 0x20, 8, 5 };
    for (int n = 1 + (int) rnd(4); n > 0; n--) {
        size_t at = in->size ? rnd((uint32_t) in->size) : 0;
        switch (rnd(7)) {
        case 0:
            if (in->size) {
                in->bytes[at] ^= (uint8_t) (1u << rnd(8));
            }
            break;
        case 1:
            if (in->size) {
                in->bytes[at] = (uint8_t) rnd(256);
            }
            break;
        case 2:
            if (in->size) {
                in->bytes[at] = boundary[rnd(sizeof boundary)];
            }
            break;
        case 3: {
            size_t want = 1 + rnd(16);              /* MIN evaluates twice */
            size_t len = MIN(want, in->size - at);
            memmove(in->bytes + at, in->bytes + at + len, in->size - at - len);
            in->size -= len;
            break;
        }
        case 4: {
            size_t want = 1 + rnd(32);
            size_t len = MIN(want, MAX_INPUT - in->size);
            memmove(in->bytes + at + len, in->bytes + at, in->size - at);
            for (size_t i = 0; i < len; i++) {
                in->bytes[at + i] = (uint8_t) rnd(256);
            }
            in->size += len;
            break;
        }
        case 5:
            in->size = at;
            break;
        default: {
            const struct input *other = &s->items[rnd((uint32_t) s->n)];
            if (other->size) {
                size_t from = rnd((uint32_t) other->size);
                size_t len = MIN(other->size - from, MAX_INPUT - at);
                size_t want = 1 + rnd(64);
                len = MIN(len, want);
                memcpy(in->bytes + at, other->bytes + from, len);
                in->size = MAX(in->size, at + len);
            }
            break;
        }
        }
    }
}

/* Runs 'one' over the seeds, N_MUTATED mutations of them (each passed to
 * 'fixup' if non-NULL) and N_RANDOM random inputs; 'prefix' bytes of a
 * random input stay random, the rest starts as an Ethernet/IPv4 header when
 * 'ipv4' (so that random bytes reach past the ethertype). */
static void
replay(int (*one)(const uint8_t *, size_t), const struct seeds *s, void (*fixup)(struct input *),
       bool ipv4, size_t prefix)
{
    for (size_t i = 0; i < s->n; i++) {
        one(s->items[i].bytes, s->items[i].size);
    }
    static struct input in;
    for (int i = 0; i < N_MUTATED; i++) {
        in = s->items[rnd((uint32_t) s->n)];
        mutate(&in, s);
        if (fixup) {
            fixup(&in);
        }
        one(in.bytes, in.size);
    }
    for (int i = 0; i < N_RANDOM; i++) {
        in.size = rnd(200);
        for (size_t k = 0; k < in.size; k++) {
            in.bytes[k] = (uint8_t) rnd(256);
        }
        if (ipv4 && in.size >= prefix + 24) {
            in.bytes[prefix + 12] = 0x08;
            in.bytes[prefix + 13] = 0x00;
            in.bytes[prefix + 14] = (uint8_t) (0x45 + rnd(2));
        }
        one(in.bytes, in.size);
    }
}

/* ---- Frames. ---- */

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };

static void
set16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static void
fix_ipv4(uint8_t *frame)
{
    uint8_t *ip = frame + 14;
    set16(ip + 10, 0);
    set16(ip + 10, checksum(ip, (ip[0] & 0xfu) * 4u));
}

/* probe_build()'s TCP/UDP/ICMP echo frame; 'payload' extra zero bytes for
 * UDP (their checksum stays valid: zeros add nothing). */
static size_t
frame_l4(uint8_t *buf, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
         uint16_t dport, uint8_t flags, size_t payload)
{
    size_t len = probe_build(buf, MAX_INPUT, mac_a, mac_a, proto, src, dst, sport, dport, flags);
    ASSERT(len);
    if (proto == 17 && payload) {
        memset(buf + len, 0, payload);
        set16(buf + 14 + 2, len - 14 + payload);
        set16(buf + 34 + 4, len - 34 + payload);
        fix_ipv4(buf);
        uint8_t *udp = buf + 34;
        set16(udp + 6, 0);
        uint32_t sum = checksum_pseudo_ipv4(src, dst, 17, (uint16_t) (len - 34 + payload));
        set16(udp + 6, checksum_fold(checksum_partial(udp, len - 34 + payload, sum)));
        len += payload;
    }
    return len;
}

/* An ARP request from 'spa' for 'tpa'. */
static size_t
frame_arp(uint8_t *buf, uint32_t spa, uint32_t tpa)
{
    static const uint8_t zero[6] = { 0 };
    size_t len = packet_build_arp_reply(buf, MAX_INPUT, mac_a, spa, zero, tpa);
    ASSERT(len);
    buf[21] = PACKET_ARP_OP_REQUEST;
    return len;
}

/* A DNS query for 'name' (dotted) of type A, UDP to 'dst':53. */
static size_t
frame_dns(uint8_t *buf, uint32_t src, uint32_t dst, const char *name)
{
    uint8_t q[256];
    size_t n = 0;
    set16(q, 0x1234);
    set16(q + 2, 0x0100);                           /* recursion desired */
    set16(q + 4, 1);
    memset(q + 6, 0, 6);
    n = 12;
    for (const char *label = name; *label;) {
        const char *dot = strchr(label, '.');
        size_t l = dot ? (size_t) (dot - label) : strlen(label);
        q[n++] = (uint8_t) l;
        memcpy(q + n, label, l);
        n += l;
        label += l + (dot ? 1 : 0);
    }
    q[n++] = 0;
    set16(q + n, 1);
    set16(q + n + 2, 1);
    n += 4;
    size_t len = frame_l4(buf, 17, src, dst, 33333, 53, 0, n);
    memcpy(buf + 42, q, n);
    /* Recompute the UDP checksum over the question. */
    uint8_t *udp = buf + 34;
    set16(udp + 6, 0);
    uint32_t sum = checksum_pseudo_ipv4(src, dst, 17, (uint16_t) (8 + n));
    set16(udp + 6, checksum_fold(checksum_partial(udp, 8 + n, sum)));
    return len;
}

/* An ICMP destination unreachable (port) from 'src' to 'dst' quoting the
 * first 28 bytes of the IPv4 datagram in 'orig'. */
static size_t
frame_icmp_error(uint8_t *buf, uint32_t src, uint32_t dst, const uint8_t *orig)
{
    size_t len = frame_l4(buf, 1, src, dst, 0, 0, 0, 0);
    uint8_t *icmp = buf + 34;
    icmp[0] = PACKET_ICMP_DEST_UNREACH;
    icmp[1] = PACKET_ICMP_PORT_UNREACH;
    memset(icmp + 4, 0, 4);
    memcpy(icmp + 8, orig + 14, 28);
    len = 34 + 8 + 28;
    set16(buf + 16, len - 14);
    fix_ipv4(buf);
    set16(icmp + 2, 0);
    set16(icmp + 2, checksum(icmp, 36));
    return len;
}

/* Turns the frame into a fragment: 'mf' and 'offset' bytes (a multiple of 8). */
static void
fragment(uint8_t *buf, bool mf, unsigned offset)
{
    set16(buf + 14 + 6, (mf ? 0x2000 : 0) | offset / 8);
    fix_ipv4(buf);
}

/* Three mutated pipeline inputs in four ask the target to fix the IPv4
 * header checksum: else nearly all would stop at the parser. */
static void
fix_ipv4_mostly(struct input *in)
{
    if (in->size >= FUZZ_HEADER_SIZE && rnd(4)) {
        in->bytes[1] |= 8;
    }
}

static void
pipeline_seed(struct seeds *s, uint32_t port, uint8_t control, const uint8_t *frame, size_t len)
{
    uint8_t in[MAX_INPUT];
    in[0] = (uint8_t) (port == PIPELINE_PORT_INTERNET ? fuzz_world.snap->n_enis : port);
    in[1] = control;
    memcpy(in + 2, frame, len);
    seed_add(s, in, len + 2);
}

/* Frames along every path of the fuzz world (tests/fuzz/fuzz_pipeline.c). */
static void
pipeline_seeds(struct seeds *s)
{
    uint8_t dummy = 0;
    fuzz_pipeline_one_input(&dummy, 1);             /* builds the world */
    const struct fuzz_world *w = &fuzz_world;
    const uint32_t P1 = FUZZ_IP(10, 0, 1, 10), P2 = FUZZ_IP(10, 0, 1, 11);
    const uint32_t Q1 = FUZZ_IP(10, 0, 2, 10), Q2 = FUZZ_IP(10, 0, 2, 11);
    const uint32_t REMOTE = FUZZ_IP(8, 8, 8, 8), OUTSIDER = FUZZ_IP(203, 0, 113, 5);
    const uint32_t INET = PIPELINE_PORT_INTERNET;
    uint8_t f[MAX_INPUT], g[MAX_INPUT];
    size_t n;

    n = frame_l4(f, 6, P1, Q1, 40000, 22, PACKET_TCP_SYN, 0);       /* cross-subnet, tracked */
    pipeline_seed(s, w->p1, 0x11, f, n);
    n = frame_l4(f, 6, Q1, REMOTE, 40000, 443, PACKET_TCP_SYN, 0);  /* NAT gateway */
    pipeline_seed(s, w->q1, 0x30, f, n);
    n = frame_l4(f, 17, Q1, REMOTE, 40000, 53, 0, 20);
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(f, 1, Q1, REMOTE, 77, 77, 0, 0);
    pipeline_seed(s, w->q1, 0xf0, f, n);
    n = frame_l4(f, 6, Q1, REMOTE, 40000, 443, PACKET_TCP_ACK, 0);  /* NAT: RST */
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(f, 6, P1, REMOTE, 40000, 443, PACKET_TCP_SYN, 0);  /* IGW */
    pipeline_seed(s, w->p1, 0x21, f, n);
    n = frame_l4(f, 17, P2, REMOTE, 5353, 53, 0, 0);                /* no public IPv4 */
    pipeline_seed(s, w->p2, 0x00, f, n);
    n = frame_l4(f, 6, OUTSIDER, w->p1_public, 50000, 80, PACKET_TCP_SYN, 0); /* untracked */
    pipeline_seed(s, INET, 0x41, f, n);
    n = frame_l4(f, 6, OUTSIDER, w->p1_public, 50000, 22, PACKET_TCP_SYN, 0);
    pipeline_seed(s, INET, 0x00, f, n);
    n = frame_l4(f, 17, OUTSIDER, w->nat_public, 53, 1024, 0, 0);   /* no NAT mapping */
    pipeline_seed(s, INET, 0x01, f, n);
    n = frame_l4(f, 6, Q1, FUZZ_IP(172, 16, 5, 5), 40000, 80, PACKET_TCP_SYN, 0); /* -> q2 */
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(f, 6, Q2, FUZZ_IP(172, 16, 5, 5), 40000, 80, PACKET_TCP_SYN, 0);
    pipeline_seed(s, w->q2, 0x00, f, n);
    n = frame_l4(f, 17, Q1, FUZZ_IP(192, 0, 2, 1), 40000, 80, 0, 0);  /* blackhole */
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(f, 6, FUZZ_IP(10, 0, 1, 99), Q1, 40000, 22, PACKET_TCP_SYN, 0); /* spoofed */
    pipeline_seed(s, w->p1, 0x01, f, n);
    n = frame_l4(f, 17, P1, Q1, 40000, 53, 0, 0);                   /* group reference */
    pipeline_seed(s, w->p1, 0x09, f, n);
    n = frame_l4(f, 6, P2, Q2, 40000, 23, PACKET_TCP_SYN, 0);       /* ACL rule 10 */
    pipeline_seed(s, w->p2, 0x01, f, n);
    n = frame_l4(f, 6, Q2, P2, 40000, 5000, PACKET_TCP_SYN, 0);     /* untracked both ways */
    pipeline_seed(s, w->q2, 0x05, f, n);
    n = frame_l4(f, 6, P1, FUZZ_IP(10, 0, 1, 200), 1, 2, 0, 0);     /* nobody */
    pipeline_seed(s, w->p1, 0x00, f, n);

    n = frame_arp(f, P1, FUZZ_IP(10, 0, 1, 1));
    pipeline_seed(s, w->p1, 0x01, f, n);
    n = frame_arp(f, OUTSIDER, w->p1_public);
    pipeline_seed(s, INET, 0x00, f, n);
    n = frame_arp(f, P1, P1);
    pipeline_seed(s, w->p1, 0x00, f, n);
    n = frame_dns(f, Q1, FUZZ_IP(10, 0, 0, 2), "example.com");
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_dns(f, P1, FUZZ_IP(10, 0, 0, 2), "ip-10-0-2-10.ec2.internal");
    pipeline_seed(s, w->p1, 0x00, f, n);

    /* ICMP errors about translated traffic, both ways. */
    n = frame_l4(g, 17, w->nat_public, REMOTE, 1024, 53, 0, 0);
    n = frame_icmp_error(f, REMOTE, w->nat_public, g);
    pipeline_seed(s, INET, 0x01, f, n);
    n = frame_l4(g, 17, REMOTE, Q1, 53, 40000, 0, 0);
    n = frame_icmp_error(f, Q1, REMOTE, g);
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(g, 6, w->p1_public, REMOTE, 40000, 443, PACKET_TCP_SYN, 0);
    n = frame_icmp_error(f, REMOTE, w->p1_public, g);
    pipeline_seed(s, INET, 0x00, f, n);

    /* Fragments: first ones (followed by the target), a later one alone,
     * a TCP one at offset 8. */
    n = frame_l4(f, 17, Q1, REMOTE, 40000, 53, 0, 64);
    fragment(f, true, 0);
    pipeline_seed(s, w->q1, 0x11, f, n);
    n = frame_l4(f, 17, P1, REMOTE, 40000, 53, 0, 64);
    fragment(f, true, 0);
    pipeline_seed(s, w->p1, 0x05, f, n);
    n = frame_l4(f, 17, OUTSIDER, w->p1_public, 5000, 80, 0, 64);
    fragment(f, true, 0);
    pipeline_seed(s, INET, 0x01, f, n);
    n = frame_l4(f, 6, Q1, REMOTE, 40000, 443, PACKET_TCP_SYN, 0);
    fragment(f, true, 0);
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(f, 17, P1, REMOTE, 40000, 53, 0, 64);
    fragment(f, false, 64);
    pipeline_seed(s, w->p1, 0x01, f, n);
    n = frame_l4(f, 6, P1, REMOTE, 40000, 443, PACKET_TCP_ACK, 0);
    fragment(f, true, 8);
    pipeline_seed(s, w->p1, 0x01, f, n);

    /* Other protocols, IPv6, garbage. */
    n = frame_l4(f, 17, Q1, P1, 1, 1, 0, 0);
    f[14 + 9] = 47;                                 /* GRE: ACL rule 60 */
    fix_ipv4(f);
    pipeline_seed(s, w->q1, 0x01, f, n);
    n = frame_l4(f, 6, P1, Q1, 40000, 22, PACKET_TCP_SYN, 0);
    f[12] = 0x86;
    f[13] = 0xdd;
    pipeline_seed(s, w->p1, 0x00, f, n);
    memset(f, 0xff, 60);
    pipeline_seed(s, w->nat, 0x01, f, 60);
}

/* ---- Cases. ---- */

/* Inputs that once crashed a target (the real fuzzer's findings). */
struct crasher {
    int (*one)(const uint8_t *, size_t);
    const char *what;
    const uint8_t *bytes;
    size_t size;
};

static const struct crasher crashers[] = {
    { NULL, NULL, NULL, 0 },        /* none yet */
};

TEST(crashers_replay, "inputs that once crashed a fuzz target pass now")
{
    for (size_t i = 0; i < ARRAY_SIZE(crashers); i++) {
        if (crashers[i].one) {
            crashers[i].one(crashers[i].bytes, crashers[i].size);
        }
    }
}

TEST(pipeline_replay, "fuzz_pipeline: seeds along every path, their mutations and random frames")
{
    static struct seeds s;
    pipeline_seeds(&s);
    const char *dir = getenv("FUZZ_SEED_DIR");
    if (dir) {
        mkdir(dir, 0755);
        for (size_t i = 0; i < s.n; i++) {
            char path[512];
            snprintf(path, sizeof path, "%s/seed-%02zu", dir, i);
            FILE *f = fopen(path, "wb");
            REQUIRE(f);
            fwrite(s.items[i].bytes, 1, s.items[i].size, f);
            fclose(f);
        }
    }
    replay(fuzz_pipeline_one_input, &s, fix_ipv4_mostly, true, FUZZ_HEADER_SIZE);
    fprintf(stderr, "    verdicts: %zu deliver, %zu reply, %zu drop\n",
            fuzz_n_verdicts[VERDICT_DELIVER], fuzz_n_verdicts[VERDICT_REPLY],
            fuzz_n_verdicts[VERDICT_DROP]);
    for (int r = 0; r < N_DROP_REASONS; r++) {
        if (fuzz_n_drops[r]) {
            fprintf(stderr, "    %6zu %s\n", fuzz_n_drops[r], drop_reason_name(r));
        }
    }
    /* The inputs reach far: past the parser and into the paths that matter. */
    CHECK(fuzz_n_verdicts[VERDICT_DELIVER] > 500);
    CHECK(fuzz_n_verdicts[VERDICT_REPLY] > 10);
    static const enum drop_reason reached[] = {
        DROP_REASON_MALFORMED, DROP_REASON_SG_INGRESS, DROP_REASON_NACL_INGRESS,
        DROP_REASON_NAT_NO_MAPPING, DROP_REASON_FRAGMENT_NO_FIRST, DROP_REASON_NAT_FRAGMENT,
        DROP_REASON_BLACKHOLE, DROP_REASON_SOURCE_CHECK, DROP_REASON_NO_PUBLIC_IP,
    };
    for (size_t i = 0; i < ARRAY_SIZE(reached); i++) {
        if (!fuzz_n_drops[reached[i]]) {
            fprintf(stderr, "    never dropped %s\n", drop_reason_name(reached[i]));
            CHECK(fuzz_n_drops[reached[i]] > 0);
        }
    }
}

TEST(packet_replay, "fuzz_packet: the pipeline's seed frames, their mutations and random frames")
{
    static struct seeds frames, s;
    pipeline_seeds(&frames);
    for (size_t i = 0; i < frames.n; i++) {
        seed_add(&s, frames.items[i].bytes + FUZZ_HEADER_SIZE,
                 frames.items[i].size - FUZZ_HEADER_SIZE);
    }
    replay(fuzz_packet_one_input, &s, NULL, true, 0);
}

TEST(query_replay, "fuzz_query: request bodies of several actions, their mutations and random bytes")
{
    static const char *const bodies[] = {
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16",
        "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1"
        "&Filter.1.Value.2=vpc-2&MaxResults=5&NextToken=abc",
        "Action=AuthorizeSecurityGroupIngress&GroupId=sg-1&IpPermissions.1.IpProtocol=tcp"
        "&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22"
        "&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0&IpPermissions.1.IpRanges.1.Description=a%20b",
        "Action=CreateNetworkAclEntry&NetworkAclId=acl-1&RuleNumber=100&Protocol=6"
        "&RuleAction=allow&Egress=true&CidrBlock=0.0.0.0/0&PortRange.From=1&PortRange.To=65535",
        "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&SubnetId=subnet-1"
        "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name"
        "&TagSpecification.1.Tag.1.Value=web&DryRun=true",
        "Action=ModifyVpcAttribute&VpcId=vpc-1&EnableDnsSupport.Value=false",
        "Action=DescribeVpcs&VpcId.1=vpc-1&VpcId.2=vpc-2&VpcId.100000=x",
        "Action=&=&&==%zz%2",
        "",
    };
    static struct seeds s;
    for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
        seed_add(&s, bodies[i], strlen(bodies[i]));
    }
    replay(fuzz_query_one_input, &s, NULL, false, 0);
}
