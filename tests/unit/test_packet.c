/* Unit tests for net/checksum and net/packet: the buffer checksum against a
 * naive byte-at-a-time oracle, incremental updates against full
 * recomputation after random NAT rewrites, parse vectors for every header
 * kind, every drop reason, every prefix of valid frames (each copied into a
 * buffer of exactly its length so ASan sees any over-read), ICMP error inner
 * tuples, fragments, and the builders round-tripping through the parser.
 * Set VPCD_TEST_SEED to replay a random run. */
#include "testlib.h"

#include <inttypes.h>
#include <time.h>

#include "lib/util.h"
#include "net/checksum.h"
#include "net/packet.h"

/* Randomness (xorshift64*), seed printed. */

static uint64_t rng_state = 1;

static uint64_t
rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static void
rng_seed(void)
{
    const char *env = getenv("VPCD_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t) time(NULL) ^ (uint64_t) getpid();

    printf("    seed %" PRIu64 " (VPCD_TEST_SEED=%" PRIu64 " to replay)\n", seed, seed);
    fflush(stdout);
    rng_state = seed ? seed : 1;
}

static uint32_t
rng_below(uint32_t n)
{
    return (uint32_t) (rng_next() % n);
}

static void
rng_fill(uint8_t *p, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        p[i] = (uint8_t) rng_next();
    }
}

/* Byte access for the tests' own frame building. */

static uint16_t
rd16(const uint8_t *p)
{
    return (uint16_t) ((p[0] << 8) | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
    return ((uint32_t) rd16(p) << 16) | rd16(p + 2);
}

static void
wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t) (v >> 16));
    wr16(p + 2, (uint16_t) v);
}

/* The oracle: RFC 1071 one byte pair at a time, in 64 bits, no tricks. */
static uint32_t
naive_sum(const uint8_t *p, size_t size, uint64_t sum)
{
    for (size_t i = 0; i < size; i += 2) {
        sum += (uint64_t) p[i] << 8;
        if (i + 1 < size) {
            sum += p[i + 1];
        }
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint32_t) sum;
}

static uint16_t
naive_checksum(const uint8_t *p, size_t size)
{
    return (uint16_t) ~naive_sum(p, size, 0);
}

/* The full recomputation of each checksum of an IPv4 frame, each with its
 * field taken as 0 (the frame is not modified). */

enum { ETH = PACKET_ETH_HEADER_SIZE };

static uint16_t
full_ip_checksum(const uint8_t *frame)
{
    uint8_t h[60];
    size_t hlen = (size_t) (frame[ETH] & 0xf) * 4;
    memcpy(h, frame + ETH, hlen);
    wr16(h + 10, 0);
    return naive_checksum(h, hlen);
}

/* 'l4' at frame offset, 'size' bytes covered, 'at' the checksum offset. */
static uint16_t
full_l4_checksum(const uint8_t *frame, size_t l4, size_t size, size_t at, bool pseudo)
{
    uint8_t *copy = malloc(size + 1);
    uint64_t sum = 0;

    memcpy(copy, frame + l4, size);
    wr16(copy + at, 0);
    if (pseudo) {
        const uint8_t *ip = frame + ETH;
        sum = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) + rd16(ip + 18) + ip[9] + size;
    }
    uint16_t c = (uint16_t) ~naive_sum(copy, size, sum);
    free(copy);
    return c;
}

/* Test frames. */

struct spec {
    uint8_t proto;
    uint32_t src, dst;
    uint16_t sport, dport;
    size_t opt_size;        /* IPv4 options, multiple of 4 */
    size_t payload_size;    /* after the L4 header */
    uint16_t frag;          /* the flags/offset field */
    uint8_t icmp_type;
    bool udp_no_checksum;
    size_t pad;             /* bytes after the datagram */
};

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static size_t
l4_header_size(uint8_t proto)
{
    return proto == PACKET_IP_PROTO_TCP ? 20 : proto == 47 ? 4 : 8;
}

static void
fix_ip_checksum(uint8_t *frame)
{
    wr16(frame + ETH + 10, full_ip_checksum(frame));
}

/* Writes the frame 'sp' describes into 'buf' with valid checksums; returns
 * its size. */
static size_t
make_frame(uint8_t *buf, const struct spec *sp)
{
    size_t hlen = 20 + sp->opt_size;
    size_t l4size = l4_header_size(sp->proto) + sp->payload_size;
    size_t total = hlen + l4size;
    uint8_t *ip = buf + ETH, *l4 = ip + hlen;

    memcpy(buf, mac_b, 6);
    memcpy(buf + 6, mac_a, 6);
    wr16(buf + 12, PACKET_ETH_TYPE_IPV4);
    ip[0] = (uint8_t) (0x40 | (hlen / 4));
    ip[1] = 0;
    wr16(ip + 2, (uint16_t) total);
    wr16(ip + 4, 0x1234);
    wr16(ip + 6, sp->frag);
    ip[8] = 63;
    ip[9] = sp->proto;
    wr32(ip + 12, sp->src);
    wr32(ip + 16, sp->dst);
    memset(ip + 20, 1, sp->opt_size);       /* NOP options */
    rng_fill(l4, l4size + sp->pad);
    if (sp->proto == PACKET_IP_PROTO_TCP) {
        wr16(l4, sp->sport);
        wr16(l4 + 2, sp->dport);
        l4[12] = 5 << 4;
        l4[13] = PACKET_TCP_SYN | PACKET_TCP_ACK;
        wr16(l4 + 16, full_l4_checksum(buf, ETH + hlen, l4size, 16, true));
    } else if (sp->proto == PACKET_IP_PROTO_UDP) {
        wr16(l4, sp->sport);
        wr16(l4 + 2, sp->dport);
        wr16(l4 + 4, (uint16_t) l4size);
        uint16_t c = full_l4_checksum(buf, ETH + hlen, l4size, 6, true);
        wr16(l4 + 6, sp->udp_no_checksum ? 0 : c ? c : 0xffff);
    } else if (sp->proto == PACKET_IP_PROTO_ICMP) {
        l4[0] = sp->icmp_type;
        l4[1] = 0;
        wr16(l4 + 4, sp->sport);
        wr16(l4 + 6, sp->dport);
        wr16(l4 + 2, full_l4_checksum(buf, ETH + hlen, l4size, 2, false));
    }
    fix_ip_checksum(buf);
    return ETH + total + sp->pad;
}

static struct spec
tcp_spec(void)
{
    return (struct spec) { .proto = PACKET_IP_PROTO_TCP, .src = 0x0a000105, .dst = 0xc6120007,
                           .sport = 43210, .dport = 443, .payload_size = 100 };
}

/* Parses a copy of 'frame' in a buffer of exactly 'size' bytes. */
static enum packet_error
parse_exact(const uint8_t *frame, size_t size, struct packet_meta *meta, bool verify)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, frame, size);
    enum packet_error e = packet_parse(copy, size, meta, verify);
    free(copy);
    return e;
}

/* Checksums. */

TEST(checksum_rfc1071_vectors, "the RFC 1071 example and a real IPv4 header give known sums")
{
    static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    static const uint8_t iph[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

    CHECK_INT(checksum_partial(rfc, sizeof rfc, 0), 0xddf2);
    CHECK_INT(checksum(rfc, sizeof rfc), 0x220d);
    CHECK_INT(checksum(iph, sizeof iph), 0xb861);
    CHECK_INT(checksum(NULL, 0), 0xffff);
    CHECK_INT(checksum_pseudo_ipv4(0xc0a80001, 0xc0a800c7, 17, 8),
              0xc0a8 + 0x0001 + 0xc0a8 + 0x00c7 + 17 + 8);
}

TEST(checksum_matches_naive_oracle, "every length 0..1500 at every alignment matches the oracle")
{
    enum { MAX = 1500 };
    uint8_t *buf = malloc(MAX + 16);

    rng_seed();
    for (size_t len = 0; len <= MAX; len++) {
        for (size_t off = 0; off < 8; off++) {
            /* A copy of exactly 'len' bytes at the offset: ASan checks the tail. */
            rng_fill(buf, MAX + 16);
            if (len % 7 == 0) {
                memset(buf + off, 0xff, len);   /* carries on every add */
            }
            uint8_t *p = malloc(len + off);
            memcpy(p + off, buf + off, len);
            uint16_t want = naive_checksum(p + off, len);
            uint16_t got = checksum(p + off, len);
            if (got != want) {
                fprintf(stderr, "    len %zu off %zu: got %#x want %#x\n", len, off, got, want);
                CHECK(false);
                free(p);
                free(buf);
                return;
            }
            /* Split at an even point and accumulate. */
            size_t cut = len ? (rng_below((uint32_t) len + 1) & ~(size_t) 1) : 0;
            uint32_t sum = checksum_partial(p + off, cut, 0);
            sum = checksum_partial(p + off + cut, len - cut, sum);
            CHECK_INT(checksum_fold(sum), want);
            free(p);
        }
    }
    free(buf);
}

TEST(checksum_update_matches_recompute, "RFC 1624 updates of random words equal a full checksum")
{
    uint8_t buf[64];

    rng_seed();
    for (int i = 0; i < 200000; i++) {
        rng_fill(buf, sizeof buf);
        wr16(buf + 10, 0);
        uint16_t c = naive_checksum(buf, sizeof buf);
        wr16(buf + 10, c);
        size_t at = 2 * rng_below(sizeof buf / 2 - 1);
        if (at == 10) {
            continue;
        }
        if (rng_below(2)) {
            uint16_t old = rd16(buf + at), new = (uint16_t) rng_next();
            c = checksum_update16(c, old, new);
            wr16(buf + at, new);
        } else {
            at &= ~(size_t) 3;
            if (at == 8) {
                continue;
            }
            uint32_t old = rd32(buf + at), new = (uint32_t) rng_next();
            c = checksum_update32(c, old, new);
            wr32(buf + at, new);
        }
        wr16(buf + 10, 0);
        CHECK_INT(c, naive_checksum(buf, sizeof buf));
        if (c != naive_checksum(buf, sizeof buf)) {
            return;
        }
    }
}

TEST(checksum_udp_zero_rules, "a UDP checksum of 0 stays 0; an update computing 0 gives 0xffff")
{
    CHECK_INT(checksum_update16_udp(0, 0x1234, 0x5678), 0);
    CHECK_INT(checksum_update32_udp(0, 0x0a000001, 0xc6120001), 0);
    /* Every replacement value whose plain update computes 0 must give 0xffff. */
    int zeros = 0;
    for (uint32_t n = 0; n <= 0xffff; n++) {
        if (checksum_update16(0x1234, 0xabcd, (uint16_t) n) == 0) {
            CHECK_INT(checksum_update16_udp(0x1234, 0xabcd, (uint16_t) n), 0xffff);
            zeros++;
        }
    }
    CHECK(zeros > 0);
}

/* Parse vectors. */

TEST(parse_tcp_frame, "a TCP frame with options and padding parses every field")
{
    uint8_t f[256];
    struct packet_meta m;
    struct spec sp = tcp_spec();
    sp.opt_size = 8;
    sp.pad = 10;
    size_t n = make_frame(f, &sp);

    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK(!memcmp(m.eth_dst, mac_b, 6) && !memcmp(m.eth_src, mac_a, 6));
    CHECK_INT(m.ethertype, PACKET_ETH_TYPE_IPV4);
    CHECK_INT(m.l3, PACKET_L3_IPV4);
    CHECK_INT(m.l4, PACKET_L4_TCP);
    CHECK_INT(m.l3_ofs, 14);
    CHECK_INT(m.l4_ofs, 14 + 28);
    CHECK_INT(m.l4_size, 120);
    CHECK_INT(m.ip4.src, 0x0a000105);
    CHECK_INT(m.ip4.dst, 0xc6120007);
    CHECK_INT(m.ip4.ihl, 7);
    CHECK_INT(m.ip4.ttl, 63);
    CHECK_INT(m.ip4.id, 0x1234);
    CHECK_INT(m.ip4.total_length, 148);
    CHECK_INT(m.ip4.proto, PACKET_IP_PROTO_TCP);
    CHECK(!m.ip4.df && !m.ip4.mf && !m.ip4.is_fragment && !m.ip4.is_later_fragment);
    CHECK_INT(m.sport, 43210);
    CHECK_INT(m.dport, 443);
    CHECK_INT(m.tcp.flags, PACKET_TCP_SYN | PACKET_TCP_ACK);
    CHECK_INT(m.tcp.data_offset, 5);
    CHECK_INT(m.tcp.seq, rd32(f + 42 + 4));
}

TEST(parse_udp_and_icmp_echo, "UDP ports and length; ICMP echo id and seq as ports")
{
    uint8_t f[256];
    struct packet_meta m;
    struct spec sp = { .proto = PACKET_IP_PROTO_UDP, .src = 0x0a000001, .dst = 0x0a000002,
                       .sport = 53, .dport = 33333, .payload_size = 31, .frag = 0x4000 };
    size_t n = make_frame(f, &sp);

    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l4, PACKET_L4_UDP);
    CHECK_INT(m.udp_length, 39);
    CHECK_INT(m.sport, 53);
    CHECK_INT(m.dport, 33333);
    CHECK(m.ip4.df && !m.ip4.is_fragment);

    sp.udp_no_checksum = true;
    n = make_frame(f, &sp);
    CHECK_INT(parse_exact(f, n, &m, true), PACKET_ERR_OK);

    sp = (struct spec) { .proto = PACKET_IP_PROTO_ICMP, .src = 1, .dst = 2, .sport = 0x77,
                         .dport = 9, .payload_size = 56, .icmp_type = PACKET_ICMP_ECHO_REQUEST };
    n = make_frame(f, &sp);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l4, PACKET_L4_ICMP);
    CHECK_INT(m.icmp.type, 8);
    CHECK_INT(m.icmp.id, 0x77);
    CHECK_INT(m.icmp.seq, 9);
    CHECK_INT(m.sport, 0x77);
    CHECK_INT(m.dport, 0x77);
    CHECK(!m.icmp.is_error);
}

TEST(parse_arp_ipv6_vlan_other, "ARP fields; IPv6 recognised unparsed; VLAN refused; GRE other")
{
    uint8_t f[64] = { 0 };
    struct packet_meta m;

    memset(f, 0xff, 6);
    memcpy(f + 6, mac_a, 6);
    wr16(f + 12, PACKET_ETH_TYPE_ARP);
    static const uint8_t arp[] = { 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x0a, 10, 0, 1, 5,
                                   0, 0, 0, 0, 0, 0, 10, 0, 1, 1 };
    memcpy(f + 14, arp, sizeof arp);
    REQUIRE(parse_exact(f, 60, &m, true) == PACKET_ERR_OK);     /* padded to 60 */
    CHECK_INT(m.l3, PACKET_L3_ARP);
    CHECK_INT(m.arp.op, PACKET_ARP_OP_REQUEST);
    CHECK(!memcmp(m.arp.sha, mac_a, 6));
    CHECK_INT(m.arp.spa, 0x0a000105);
    CHECK_INT(m.arp.tpa, 0x0a000101);
    CHECK_INT(m.l4, PACKET_L4_NONE);

    f[14 + 1] = 6;      /* hardware type 6 (IEEE 802) */
    CHECK_INT(parse_exact(f, 60, &m, false), PACKET_ERR_BAD_ARP_FORMAT);
    f[14 + 1] = 1;
    f[14 + 5] = 16;     /* protocol address length */
    CHECK_INT(parse_exact(f, 60, &m, false), PACKET_ERR_BAD_ARP_FORMAT);
    CHECK_INT(parse_exact(f, 14 + 27, &m, false), PACKET_ERR_TRUNCATED_ARP);

    wr16(f + 12, PACKET_ETH_TYPE_IPV6);
    CHECK_INT(parse_exact(f, 14, &m, true), PACKET_ERR_OK);
    CHECK_INT(m.l3, PACKET_L3_IPV6_UNPARSED);
    CHECK_INT(m.ethertype, PACKET_ETH_TYPE_IPV6);

    wr16(f + 12, 0x8100);
    CHECK_INT(parse_exact(f, 60, &m, true), PACKET_ERR_UNKNOWN_ETHERTYPE);
    CHECK_INT(m.ethertype, 0x8100);
    CHECK_INT(m.l3, PACKET_L3_NONE);
    CHECK_INT(parse_exact(f, 13, &m, true), PACKET_ERR_TRUNCATED_ETH);

    uint8_t g[128];
    struct spec sp = { .proto = 47, .src = 1, .dst = 2, .payload_size = 20 };
    size_t n = make_frame(g, &sp);
    REQUIRE(parse_exact(g, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l4, PACKET_L4_OTHER);
    CHECK_INT(m.l4_ofs, 34);
    CHECK_INT(m.l4_size, 24);
}

/* Drop reasons: each a valid frame with one thing broken. */

enum mutation {
    M_VERSION,
    M_IHL_SHORT,
    M_IHL_BEYOND_TOTAL,
    M_TOTAL_SHORT,
    M_TOTAL_BEYOND_FRAME,
    M_IP_CHECKSUM,
    M_FRAGMENT_TOO_FAR,
    M_TCP_SHORT,
    M_TCP_DOFF_LOW,
    M_TCP_DOFF_HIGH,
    M_TCP_CHECKSUM,
    M_UDP_LENGTH_LOW,
    M_UDP_LENGTH_HIGH,
    M_UDP_CHECKSUM,
    M_ICMP_CHECKSUM,
    M_ICMP_SHORT,
};

static const struct {
    enum mutation m;
    uint8_t proto;
    enum packet_error want;
    bool needs_verify;
} drop_cases[] = {
    { M_VERSION, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_IPV4_VERSION, false },
    { M_IHL_SHORT, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_IPV4_IHL, false },
    { M_IHL_BEYOND_TOTAL, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_IPV4_IHL, false },
    { M_TOTAL_SHORT, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_IPV4_TOTAL_LENGTH, false },
    { M_TOTAL_BEYOND_FRAME, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_IPV4_TOTAL_LENGTH, false },
    { M_IP_CHECKSUM, PACKET_IP_PROTO_UDP, PACKET_ERR_BAD_IPV4_CHECKSUM, false },
    { M_FRAGMENT_TOO_FAR, PACKET_IP_PROTO_UDP, PACKET_ERR_BAD_IPV4_FRAGMENT, false },
    { M_TCP_SHORT, PACKET_IP_PROTO_TCP, PACKET_ERR_TRUNCATED_L4, false },
    { M_TCP_DOFF_LOW, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_TCP_DATA_OFFSET, false },
    { M_TCP_DOFF_HIGH, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_TCP_DATA_OFFSET, false },
    { M_TCP_CHECKSUM, PACKET_IP_PROTO_TCP, PACKET_ERR_BAD_L4_CHECKSUM, true },
    { M_UDP_LENGTH_LOW, PACKET_IP_PROTO_UDP, PACKET_ERR_BAD_UDP_LENGTH, false },
    { M_UDP_LENGTH_HIGH, PACKET_IP_PROTO_UDP, PACKET_ERR_BAD_UDP_LENGTH, false },
    { M_UDP_CHECKSUM, PACKET_IP_PROTO_UDP, PACKET_ERR_BAD_L4_CHECKSUM, true },
    { M_ICMP_CHECKSUM, PACKET_IP_PROTO_ICMP, PACKET_ERR_BAD_L4_CHECKSUM, true },
    { M_ICMP_SHORT, PACKET_IP_PROTO_ICMP, PACKET_ERR_TRUNCATED_L4, false },
};

TEST(parse_reports_each_drop_reason, "each broken header gives its own reason, never OK")
{
    for (size_t i = 0; i < ARRAY_SIZE(drop_cases); i++) {
        uint8_t f[256];
        struct packet_meta m;
        struct spec sp = tcp_spec();
        sp.proto = drop_cases[i].proto;
        sp.icmp_type = PACKET_ICMP_ECHO_REPLY;
        sp.payload_size = 8;
        size_t n = make_frame(f, &sp);
        uint8_t *ip = f + ETH, *l4 = f + ETH + 20;

        REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
        switch (drop_cases[i].m) {
        case M_VERSION: ip[0] = 0x65; break;
        case M_IHL_SHORT: ip[0] = 0x44; break;
        case M_IHL_BEYOND_TOTAL: ip[0] = 0x4f; wr16(ip + 2, 40); n = ETH + 40; break;
        case M_TOTAL_SHORT: wr16(ip + 2, 19); break;
        case M_TOTAL_BEYOND_FRAME: wr16(ip + 2, (uint16_t) (n - ETH + 1)); break;
        case M_IP_CHECKSUM: ip[8]--; break;
        case M_FRAGMENT_TOO_FAR: wr16(ip + 6, 0x2000 | 8190); break;
        case M_TCP_SHORT: wr16(ip + 2, 20 + 19); break;
        case M_TCP_DOFF_LOW: l4[12] = 4 << 4; break;
        case M_TCP_DOFF_HIGH: l4[12] = 8 << 4; break;   /* 32 > 28 bytes of segment */
        case M_TCP_CHECKSUM: l4[20] ^= 1; break;
        case M_UDP_LENGTH_LOW: wr16(l4 + 4, 7); break;
        case M_UDP_LENGTH_HIGH: wr16(l4 + 4, 17); break;
        case M_UDP_CHECKSUM: l4[9] ^= 0x80; break;
        case M_ICMP_CHECKSUM: l4[1] = 1; break;
        case M_ICMP_SHORT: wr16(ip + 2, 20 + 7); break;
        }
        if (drop_cases[i].m != M_IP_CHECKSUM) {
            fix_ip_checksum(f);
        }
        enum packet_error e = parse_exact(f, n, &m, true);
        if (e != drop_cases[i].want) {
            fprintf(stderr, "    case %zu: got %s, want %s\n", i, packet_error_name(e),
                    packet_error_name(drop_cases[i].want));
            CHECK(false);
        }
        if (drop_cases[i].needs_verify) {
            CHECK_INT(parse_exact(f, n, &m, false), PACKET_ERR_OK);
        }
    }
}

TEST(parse_every_prefix_of_valid_frames, "each cut of a valid frame is an error, no over-read")
{
    uint8_t f[256], err_frame[256];
    struct packet_meta m;
    struct spec sp = tcp_spec();
    sp.opt_size = 12;
    size_t n = make_frame(f, &sp);

    for (size_t len = 0; len < n; len++) {
        enum packet_error e = parse_exact(f, len, &m, true);
        enum packet_error want = len < 14   ? PACKET_ERR_TRUNCATED_ETH
                                 : len < 34 ? PACKET_ERR_TRUNCATED_IPV4
                                            : PACKET_ERR_BAD_IPV4_TOTAL_LENGTH;
        if (e != want) {
            fprintf(stderr, "    len %zu: %s\n", len, packet_error_name(e));
            CHECK(false);
        }
    }
    CHECK_INT(parse_exact(f, n, &m, true), PACKET_ERR_OK);

    /* The same for an ICMP error (inner header) with the total length
     * following each cut, so every inner pull meets the end. */
    struct packet_addrs a = { .ip_src = 0x0a000001, .ip_dst = 0x0a000105 };
    REQUIRE(packet_parse(f, n, &m, true) == PACKET_ERR_OK);
    size_t en = packet_build_icmp_error(err_frame, sizeof err_frame, &a, 3, 3, 0, f, &m);
    REQUIRE(en == 14 + 20 + 8 + 32 + 8);
    for (size_t len = 14 + 20; len < en; len++) {
        uint8_t g[256];
        memcpy(g, err_frame, len);
        wr16(g + ETH + 2, (uint16_t) (len - ETH));
        fix_ip_checksum(g);
        enum packet_error e = parse_exact(g, len, &m, false);
        enum packet_error want = len < 42          ? PACKET_ERR_TRUNCATED_L4
                                 : len < 42 + 32   ? PACKET_ERR_TRUNCATED_ICMP_INNER
                                                   : PACKET_ERR_OK;
        if (e != want) {
            fprintf(stderr, "    icmp len %zu: %s\n", len, packet_error_name(e));
            CHECK(false);
        }
        if (e == PACKET_ERR_OK) {
            CHECK_INT(m.inner.has_ports, len == en);
        }
    }
}

TEST(parse_survives_random_mutations, "random byte flips never crash a parse or rewrite")
{
    rng_seed();
    for (int i = 0; i < 20000; i++) {
        uint8_t f[256];
        struct packet_meta m;
        static const uint8_t protos[] = { PACKET_IP_PROTO_TCP, PACKET_IP_PROTO_UDP,
                                          PACKET_IP_PROTO_ICMP };
        struct spec sp = tcp_spec();
        sp.proto = protos[rng_below(3)];
        sp.icmp_type = (uint8_t) (rng_below(2) ? 8 : 3);
        sp.opt_size = 4 * rng_below(4);
        sp.payload_size = rng_below(60);
        size_t n = make_frame(f, &sp);
        for (int k = rng_below(4) + 1; k > 0; k--) {
            f[rng_below((uint32_t) n)] = (uint8_t) rng_next();
        }
        n = rng_below(2) ? n : rng_below((uint32_t) n + 1);
        uint8_t *copy = malloc(n + 1);
        memcpy(copy, f, n);
        if (packet_parse(copy, n, &m, rng_below(2)) == PACKET_ERR_OK && m.l3 == PACKET_L3_IPV4) {
            packet_set_ipv4_src(copy, &m, (uint32_t) rng_next());
            packet_set_l4_dport(copy, &m, (uint16_t) rng_next());
            if (m.l4 == PACKET_L4_ICMP && m.icmp.is_error) {
                packet_set_inner_ipv4_dst(copy, &m, (uint32_t) rng_next());
                packet_set_inner_l4_sport(copy, &m, (uint16_t) rng_next());
            }
            CHECK_INT(packet_parse(copy, n, &m, false), PACKET_ERR_OK);
        }
        free(copy);
    }
}

/* ICMP errors and fragments. */

TEST(icmp_error_inner_tuple, "time exceeded about a TCP segment with options quotes its 4-tuple")
{
    uint8_t orig[256], f[256];
    struct packet_meta m;
    struct spec sp = tcp_spec();
    sp.opt_size = 4;
    size_t on = make_frame(orig, &sp);

    /* Hand-built: Ethernet, IPv4 (router -> source), ICMP 11/0, the quote. */
    size_t quote = 24 + 8;
    memcpy(f, orig, 14);
    memcpy(f + ETH, orig + ETH, 20);
    f[ETH] = 0x45;
    wr16(f + ETH + 2, (uint16_t) (20 + 8 + quote));
    f[ETH + 9] = PACKET_IP_PROTO_ICMP;
    wr32(f + ETH + 12, 0x0a0001fe);
    wr32(f + ETH + 16, 0x0a000105);
    fix_ip_checksum(f);
    uint8_t *icmp = f + ETH + 20;
    memset(icmp, 0, 8);
    icmp[0] = PACKET_ICMP_TIME_EXCEEDED;
    memcpy(icmp + 8, orig + ETH, quote);
    wr16(icmp + 2, naive_checksum(icmp, 8 + quote));
    size_t n = ETH + 20 + 8 + quote;
    REQUIRE(on > n);

    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK(m.icmp.is_error);
    CHECK_INT(m.icmp.type, 11);
    CHECK_INT(m.inner.src, 0x0a000105);
    CHECK_INT(m.inner.dst, 0xc6120007);
    CHECK_INT(m.inner.proto, PACKET_IP_PROTO_TCP);
    CHECK(m.inner.has_ports);
    CHECK_INT(m.inner.sport, 43210);
    CHECK_INT(m.inner.dport, 443);
    CHECK_INT(m.inner.l3_ofs, ETH + 28);
    CHECK_INT(m.inner.l4_ofs, ETH + 28 + 24);
    CHECK_INT(m.inner.l4_size, 8);

    /* Quoted version 6: malformed. */
    icmp[8] = 0x65;
    wr16(icmp + 2, 0);
    wr16(icmp + 2, naive_checksum(icmp, 8 + quote));
    CHECK_INT(parse_exact(f, n, &m, true), PACKET_ERR_BAD_ICMP_INNER);
}

TEST(fragments_first_and_later, "a first fragment has its L4 header, a later one none")
{
    uint8_t f[256];
    struct packet_meta m;
    struct spec sp = { .proto = PACKET_IP_PROTO_UDP, .src = 1, .dst = 2, .sport = 5000,
                       .dport = 53, .payload_size = 40, .frag = 0x2000 };
    size_t n = make_frame(f, &sp);

    /* UDP length counts the whole datagram: more than this fragment holds. */
    wr16(f + ETH + 20 + 4, 1400);
    f[ETH + 20 + 10] ^= 0xff;   /* and a checksum over the datagram can't be checked here */
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l4, PACKET_L4_UDP);
    CHECK(m.ip4.mf && m.ip4.is_fragment && !m.ip4.is_later_fragment);
    CHECK_INT(m.sport, 5000);
    CHECK_INT(m.udp_length, 1400);

    sp.frag = 185;              /* offset 1480, last fragment */
    n = make_frame(f, &sp);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l4, PACKET_L4_NONE);
    CHECK(!m.ip4.mf && m.ip4.is_fragment && m.ip4.is_later_fragment);
    CHECK_INT(m.ip4.frag_offset, 1480);
    CHECK_INT(m.l4_ofs, 34);
    CHECK_INT(m.sport, 0);
    CHECK(!packet_set_l4_sport(f, &m, 1));

    /* A TCP first fragment too short for the TCP header (RFC 1858). */
    sp = tcp_spec();
    sp.frag = 0x2000;
    n = make_frame(f, &sp);
    wr16(f + ETH + 2, 20 + 16);
    fix_ip_checksum(f);
    CHECK_INT(parse_exact(f, n, &m, true), PACKET_ERR_TRUNCATED_L4);
}

/* Rewrites. */

/* Checks every checksum in a rewritten frame against a full recomputation. */
static bool
checksums_exact(const uint8_t *f, const struct packet_meta *m, bool udp_none)
{
    bool ok = rd16(f + ETH + 10) == full_ip_checksum(f);
    const uint8_t *l4 = f + m->l4_ofs;

    if (m->l4 == PACKET_L4_TCP) {
        ok &= rd16(l4 + 16) == full_l4_checksum(f, m->l4_ofs, m->l4_size, 16, true);
    } else if (m->l4 == PACKET_L4_UDP) {
        uint16_t c = full_l4_checksum(f, m->l4_ofs, m->l4_size, 6, true);
        ok &= rd16(l4 + 6) == (udp_none ? 0 : c ? c : 0xffff);
    } else if (m->l4 == PACKET_L4_ICMP) {
        ok &= rd16(l4 + 2) == full_l4_checksum(f, m->l4_ofs, m->l4_size, 2, false);
    }
    return ok;
}

TEST(rewrites_match_full_recompute, "random NAT rewrites of TCP/UDP/ICMP leave exact checksums")
{
    rng_seed();
    for (int i = 0; i < 20000; i++) {
        uint8_t f[1600];
        struct packet_meta m;
        static const uint8_t protos[] = { PACKET_IP_PROTO_TCP, PACKET_IP_PROTO_UDP,
                                          PACKET_IP_PROTO_ICMP };
        struct spec sp = { .proto = protos[rng_below(3)], .src = (uint32_t) rng_next(),
                           .dst = (uint32_t) rng_next(), .sport = (uint16_t) rng_next(),
                           .dport = (uint16_t) rng_next(), .opt_size = 4 * rng_below(11),
                           .payload_size = rng_below(1400), .icmp_type = rng_below(2) ? 0 : 8,
                           .udp_no_checksum = rng_below(4) == 0, .pad = rng_below(8) };
        size_t n = make_frame(f, &sp);

        REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
        for (int k = 0; k < 4; k++) {
            uint32_t v = (uint32_t) rng_next();
            switch (rng_below(4)) {
            case 0: packet_set_ipv4_src(f, &m, v); CHECK_INT(rd32(f + 26), v); break;
            case 1: packet_set_ipv4_dst(f, &m, v); CHECK_INT(rd32(f + 30), v); break;
            case 2: CHECK(packet_set_l4_sport(f, &m, (uint16_t) v)); break;
            default: CHECK(packet_set_l4_dport(f, &m, (uint16_t) v)); break;
            }
            bool udp_none = sp.proto == PACKET_IP_PROTO_UDP && sp.udp_no_checksum;
            if (!checksums_exact(f, &m, udp_none)) {
                fprintf(stderr, "    frame %d proto %u rewrite %d: checksum differs\n", i,
                        sp.proto, k);
                CHECK(false);
                return;
            }
        }
        struct packet_meta again;
        REQUIRE(parse_exact(f, n, &again, true) == PACKET_ERR_OK);
        CHECK_INT(again.ip4.src, m.ip4.src);
        CHECK_INT(again.ip4.dst, m.ip4.dst);
        CHECK_INT(again.sport, m.sport);
        CHECK_INT(again.dport, m.dport);
    }
}

/* The pseudo-header sum a sender with checksum offload leaves in the field:
 * uncomplemented, as the kernel's CHECKSUM_PARTIAL has it. */
static uint16_t
pseudo_sum(const uint8_t *frame, size_t l4_size)
{
    const uint8_t *ip = frame + ETH;
    return (uint16_t) naive_sum(ip + 12, 8, ip[9] + l4_size);
}

TEST(partial_checksum_rewrites, "NAT of an offloaded TCP/UDP frame keeps a pseudo-header sum")
{
    rng_seed();
    for (int i = 0; i < 5000; i++) {
        uint8_t f[1600];
        struct packet_meta m;
        struct spec sp = { .proto = rng_below(2) ? PACKET_IP_PROTO_TCP : PACKET_IP_PROTO_UDP,
                           .src = (uint32_t) rng_next(), .dst = (uint32_t) rng_next(),
                           .sport = (uint16_t) rng_next(), .dport = (uint16_t) rng_next(),
                           .payload_size = rng_below(1400) };
        size_t n = make_frame(f, &sp);
        REQUIRE(parse_exact(f, n, &m, false) == PACKET_ERR_OK);
        size_t at = m.l4_ofs + (m.l4 == PACKET_L4_TCP ? 16 : 6);
        wr16(f + at, pseudo_sum(f, m.l4_size));
        m.l4_csum_partial = true;
        for (int k = 0; k < 4; k++) {
            uint32_t v = (uint32_t) rng_next();
            switch (rng_below(4)) {
            case 0: packet_set_ipv4_src(f, &m, v); break;
            case 1: packet_set_ipv4_dst(f, &m, v); break;
            case 2: CHECK(packet_set_l4_sport(f, &m, (uint16_t) v)); break;
            default: CHECK(packet_set_l4_dport(f, &m, (uint16_t) v)); break;
            }
        }
        CHECK_INT(rd16(f + ETH + 10), full_ip_checksum(f));
        if (rd16(f + at) != pseudo_sum(f, m.l4_size)) {
            fprintf(stderr, "    frame %d: %04x, pseudo-header sum %04x\n", i, rd16(f + at),
                    pseudo_sum(f, m.l4_size));
            CHECK(false);
            return;
        }
    }
}

TEST(udp_rewrite_to_zero_sum_sends_ffff, "a UDP rewrite computing 0 writes 0xffff")
{
    uint8_t f[128];
    struct packet_meta m;
    struct spec sp = { .proto = PACKET_IP_PROTO_UDP, .src = 0x0a000001, .dst = 0x0a000002,
                       .sport = 1000, .dport = 53, .payload_size = 12 };
    size_t n = make_frame(f, &sp);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    uint16_t c = rd16(f + ETH + 20 + 6);
    uint32_t port = 0;
    while (port <= 0xffff && checksum_update16(c, 1000, (uint16_t) port) != 0) {
        port++;
    }
    REQUIRE(port <= 0xffff);
    CHECK(packet_set_l4_sport(f, &m, (uint16_t) port));
    CHECK_INT(rd16(f + ETH + 20 + 6), 0xffff);
    CHECK_INT(parse_exact(f, n, &m, true), PACKET_ERR_OK);
    CHECK(checksums_exact(f, &m, false));
}

TEST(inner_rewrites_match_rewritten_original, "NAT of a quote equals the quote of the NATed packet")
{
    rng_seed();
    for (int i = 0; i < 2000; i++) {
        uint8_t orig[256], err[256];
        struct packet_meta om, em;
        static const uint8_t protos[] = { PACKET_IP_PROTO_TCP, PACKET_IP_PROTO_UDP,
                                          PACKET_IP_PROTO_ICMP };
        struct spec sp = { .proto = protos[rng_below(3)], .src = (uint32_t) rng_next(),
                           .dst = (uint32_t) rng_next(), .sport = (uint16_t) rng_next(),
                           .dport = (uint16_t) rng_next(), .opt_size = 4 * rng_below(3),
                           .payload_size = rng_below(40), .icmp_type = 8,
                           .udp_no_checksum = rng_below(4) == 0 };
        size_t on = make_frame(orig, &sp);
        REQUIRE(packet_parse(orig, on, &om, true) == PACKET_ERR_OK);
        struct packet_addrs a = { .ip_src = 0x0a0001fe, .ip_dst = sp.src };
        size_t en = packet_build_icmp_error(err, sizeof err, &a, 3, 3, 0, orig, &om);
        REQUIRE(en > 0);
        REQUIRE(packet_parse(err, en, &em, true) == PACKET_ERR_OK);
        REQUIRE(em.inner.has_ports);

        uint32_t v = (uint32_t) rng_next();
        switch (rng_below(4)) {
        case 0:
            packet_set_ipv4_src(orig, &om, v);
            packet_set_inner_ipv4_src(err, &em, v);
            break;
        case 1:
            packet_set_ipv4_dst(orig, &om, v);
            packet_set_inner_ipv4_dst(err, &em, v);
            break;
        case 2:
            CHECK(packet_set_l4_sport(orig, &om, (uint16_t) v));
            CHECK(packet_set_inner_l4_sport(err, &em, (uint16_t) v));
            break;
        default:
            CHECK(packet_set_l4_dport(orig, &om, (uint16_t) v));
            CHECK(packet_set_inner_l4_dport(err, &em, (uint16_t) v));
            break;
        }
        size_t quote = en - em.inner.l3_ofs;
        CHECK(!memcmp(err + em.inner.l3_ofs, orig + ETH, quote));
        CHECK_INT(parse_exact(err, en, &em, true), PACKET_ERR_OK);
        CHECK_INT(em.inner.src, om.ip4.src);
        CHECK_INT(em.inner.dst, om.ip4.dst);
        CHECK_INT(em.inner.sport, om.sport);
        CHECK_INT(em.inner.dport, om.dport);
        if (test_failures) {
            return;
        }
    }
}

/* Builders. */

TEST(build_arp_reply_round_trips, "the router's ARP reply parses back to what was asked")
{
    uint8_t f[64];
    struct packet_meta m;

    CHECK_INT(packet_build_arp_reply(f, 41, mac_a, 0x0a000101, mac_b, 0x0a000105), 0);
    size_t n = packet_build_arp_reply(f, sizeof f, mac_a, 0x0a000101, mac_b, 0x0a000105);
    REQUIRE(n == 42);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l3, PACKET_L3_ARP);
    CHECK_INT(m.arp.op, PACKET_ARP_OP_REPLY);
    CHECK(!memcmp(m.eth_dst, mac_b, 6) && !memcmp(m.eth_src, mac_a, 6));
    CHECK(!memcmp(m.arp.sha, mac_a, 6) && !memcmp(m.arp.tha, mac_b, 6));
    CHECK_INT(m.arp.spa, 0x0a000101);
    CHECK_INT(m.arp.tpa, 0x0a000105);
}

TEST(build_icmp_error_round_trips, "errors quote header + 8 bytes, checksums valid")
{
    uint8_t orig[256], f[256];
    struct packet_meta om, m;
    struct spec sp = tcp_spec();
    sp.opt_size = 8;
    size_t on = make_frame(orig, &sp);
    REQUIRE(packet_parse(orig, on, &om, true) == PACKET_ERR_OK);

    struct packet_addrs a = { .ip_src = 0x0a0001fe, .ip_dst = 0x0a000105 };
    memcpy(a.eth_src, mac_b, 6);
    memcpy(a.eth_dst, mac_a, 6);
    size_t want = 14 + 20 + 8 + 28 + 8;
    CHECK_INT(packet_build_icmp_error(f, want - 1, &a, 3, 4, 1500, orig, &om), 0);
    size_t n = packet_build_icmp_error(f, sizeof f, &a, 3, 4, 1500, orig, &om);
    REQUIRE(n == want);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.ip4.src, 0x0a0001fe);
    CHECK_INT(m.ip4.dst, 0x0a000105);
    CHECK_INT(m.ip4.ttl, 64);
    CHECK_INT(m.icmp.type, 3);
    CHECK_INT(m.icmp.code, 4);
    CHECK_INT(rd16(f + ETH + 20 + 6), 1500);        /* next-hop MTU */
    CHECK(m.icmp.is_error && m.inner.has_ports);
    CHECK_INT(m.inner.src, sp.src);
    CHECK_INT(m.inner.sport, sp.sport);
    CHECK(!memcmp(f + m.inner.l3_ofs, orig + ETH, 36));

    /* In place, about a datagram with less than 8 bytes of payload. */
    struct spec tiny = { .proto = 47, .src = 1, .dst = 2, .payload_size = 0 };
    on = make_frame(orig, &tiny);
    REQUIRE(packet_parse(orig, on, &om, true) == PACKET_ERR_OK);
    n = packet_build_icmp_error(orig, sizeof orig, &a, 11, 0, 0, orig, &om);
    REQUIRE(n == 14 + 20 + 8 + 20 + 4);
    REQUIRE(parse_exact(orig, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.inner.proto, 47);
    CHECK_INT(m.inner.dst, 2);
    CHECK(!m.inner.has_ports);

    struct packet_meta arp = { .l3 = PACKET_L3_ARP };
    CHECK_INT(packet_build_icmp_error(f, sizeof f, &a, 3, 1, 0, orig, &arp), 0);
}

TEST(build_tcp_rst_round_trips, "the NAT gateway's RST parses with valid checksums and its fields")
{
    uint8_t f[64];
    struct packet_meta m;
    struct packet_addrs a = { .ip_src = 0xc6120007, .ip_dst = 0x0a000105 };
    memcpy(a.eth_src, mac_b, 6);
    memcpy(a.eth_dst, mac_a, 6);

    CHECK_INT(packet_build_tcp_rst(f, 53, &a, 443, 43210, 1, 2, true), 0);
    size_t n = packet_build_tcp_rst(f, sizeof f, &a, 443, 43210, 0xfffffff0, 77, true);
    REQUIRE(n == 54);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.l4, PACKET_L4_TCP);
    CHECK_INT(m.ip4.src, 0xc6120007);
    CHECK_INT(m.ip4.dst, 0x0a000105);
    CHECK(m.ip4.df);
    CHECK_INT(m.sport, 443);
    CHECK_INT(m.dport, 43210);
    CHECK_INT(m.tcp.seq, 0xfffffff0);
    CHECK_INT(m.tcp.ack, 77);
    CHECK_INT(m.tcp.flags, PACKET_TCP_RST | PACKET_TCP_ACK);
    CHECK(!memcmp(m.eth_dst, mac_a, 6));

    n = packet_build_tcp_rst(f, sizeof f, &a, 443, 43210, 5, 77, false);
    REQUIRE(parse_exact(f, n, &m, true) == PACKET_ERR_OK);
    CHECK_INT(m.tcp.flags, PACKET_TCP_RST);
    CHECK_INT(m.tcp.ack, 0);
}

TEST(error_names_from_table, "each drop reason has its name and a description")
{
    CHECK_STR(packet_error_name(PACKET_ERR_OK), "OK");
    CHECK_STR(packet_error_name(PACKET_ERR_BAD_IPV4_IHL), "BAD_IPV4_IHL");
    CHECK_STR(packet_error_name(PACKET_ERR_BAD_ICMP_INNER), "BAD_ICMP_INNER");
    CHECK_STR(packet_error_name(PACKET_N_ERRORS), "?");
    for (int e = 0; e < PACKET_N_ERRORS; e++) {
        CHECK(strlen(packet_error_description((enum packet_error) e)) > 0);
    }
}
