/* Unit tests for net/ipaddr: strict parsing of IPv4/IPv6 addresses and
 * prefixes, canonical formatting (RFC 5952 for IPv6), and prefix arithmetic,
 * with an oracle test of containment and overlap against address ranges.
 * Set VPCD_TEST_SEED to replay a random run. */
#include "testlib.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <time.h>

#include "net/ipaddr.h"

/* Good IPv4 addresses and their formatted form. */
static const struct {
    const char *in;
    uint32_t addr;
} good_ip4[] = {
    { "0.0.0.0", 0 },
    { "10.0.0.1", 0x0a000001 },
    { "255.255.255.255", 0xffffffff },
    { "192.168.100.200", 0xc0a864c8 },
    { "1.2.3.4", 0x01020304 },
    { "100.64.0.0", 0x64400000 },
};

static const char *const bad_ip4[] = {
    "", " 10.0.0.1", "10.0.0.1 ", "10.0.0", "10.0.0.1.", "10.0.0.1.2", "010.0.0.1", "10.00.0.1",
    "10.0.0.01", "256.0.0.0", "10.0.0.256", "1000.0.0.1", "-1.0.0.0", "+1.0.0.0", "10..0.1",
    ".10.0.0.1", "10.0.0.1/32", "a.b.c.d", "0x0a.0.0.1", "10.0.0.1\n", "1.2.3.4x", "4294967296",
    "10.0.0.0001",
};

TEST(ip4_parses_and_formats_good_addresses, "valid dotted quads parse and format back unchanged")
{
    for (size_t i = 0; i < sizeof good_ip4 / sizeof good_ip4[0]; i++) {
        uint32_t a = 0x12345678;
        char out[IP4_STRLEN];

        CHECK(ip4_parse(good_ip4[i].in, &a));
        CHECK_INT(a, good_ip4[i].addr);
        ip4_format(a, out);
        CHECK_STR(out, good_ip4[i].in);
    }
}

TEST(ip4_rejects_malformed_addresses, "spaces, leading zeros, short or long quads are refused")
{
    for (size_t i = 0; i < sizeof bad_ip4 / sizeof bad_ip4[0]; i++) {
        uint32_t a = 0x12345678;
        if (ip4_parse(bad_ip4[i], &a)) {
            fprintf(stderr, "    accepted \"%s\"\n", bad_ip4[i]);
            CHECK(false);
        }
        CHECK_INT(a, 0x12345678);
    }
}

static const struct {
    const char *in;
    const char *canonical;
    bool was_canonical;
} good_ip4_prefixes[] = {
    { "10.0.0.0/16", "10.0.0.0/16", true },
    { "100.68.0.18/18", "100.68.0.0/18", false },
    { "0.0.0.0/0", "0.0.0.0/0", true },
    { "255.255.255.255/0", "0.0.0.0/0", false },
    { "10.1.2.3/32", "10.1.2.3/32", true },
    { "10.1.2.3/31", "10.1.2.2/31", false },
    { "172.31.255.255/16", "172.31.0.0/16", false },
    { "192.168.1.128/25", "192.168.1.128/25", true },
    { "10.0.0.0/8", "10.0.0.0/8", true },
    { "128.0.0.0/1", "128.0.0.0/1", true },
    { "255.0.0.0/1", "128.0.0.0/1", false },
};

static const char *const bad_ip4_prefixes[] = {
    "", "/", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/99", "10.0.0.0/100",
    "10.0.0/8", "010.0.0.0/8", "10.0.0.0/08", "10.0.0.0/00", "256.0.0.0/8", " 10.0.0.0/8",
    "10.0.0.0/8 ", "10.0.0.0 /8", "10.0.0.0/ 8", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/8/8",
    "10.0.0.0//8", "10.0.0.0/8x", "/8", "10.0.0.0/0x8", "::/0", "10.0.0.0\\8",
};

TEST(ip4_prefix_parses_and_canonicalises, "prefixes lose host bits and report whether they had any")
{
    for (size_t i = 0; i < sizeof good_ip4_prefixes / sizeof good_ip4_prefixes[0]; i++) {
        struct ip4_prefix p;
        bool canonical = !good_ip4_prefixes[i].was_canonical;
        char out[IP4_PREFIX_STRLEN];

        REQUIRE(ip4_prefix_parse(good_ip4_prefixes[i].in, &p, &canonical));
        CHECK(canonical == good_ip4_prefixes[i].was_canonical);
        ip4_prefix_format(&p, out);
        CHECK_STR(out, good_ip4_prefixes[i].canonical);
        CHECK(ip4_prefix_parse(good_ip4_prefixes[i].in, &p, NULL));
    }
}

TEST(ip4_prefix_rejects_malformed, "bad lengths, short quads, leading zeros and spaces are refused")
{
    for (size_t i = 0; i < sizeof bad_ip4_prefixes / sizeof bad_ip4_prefixes[0]; i++) {
        struct ip4_prefix p;
        if (ip4_prefix_parse(bad_ip4_prefixes[i], &p, NULL)) {
            fprintf(stderr, "    accepted \"%s\"\n", bad_ip4_prefixes[i]);
            CHECK(false);
        }
    }
}

TEST(ip4_prefix_longest_string_fits, "the longest prefix text fits IP4_PREFIX_STRLEN")
{
    struct ip4_prefix p = { 0xffffffff, 32 };
    char out[IP4_PREFIX_STRLEN];

    ip4_prefix_format(&p, out);
    CHECK_STR(out, "255.255.255.255/32");
    CHECK_INT(strlen(out) + 1, IP4_PREFIX_STRLEN);
}

static struct ip4_prefix
p4(const char *s)
{
    struct ip4_prefix p;
    if (!ip4_prefix_parse(s, &p, NULL)) {
        fprintf(stderr, "    bad test prefix %s\n", s);
        abort();
    }
    return p;
}

static const struct {
    const char *a;
    const char *b;
    bool a_contains_b;
    bool b_contains_a;
    bool overlap;
} ip4_relations[] = {
    { "10.0.0.0/16", "10.0.1.0/24", true, false, true },
    { "10.0.0.0/16", "10.0.0.0/16", true, true, true },
    { "10.0.0.0/16", "10.1.0.0/16", false, false, false },
    { "10.0.0.0/8", "11.0.0.0/8", false, false, false },
    { "0.0.0.0/0", "10.0.0.0/8", true, false, true },
    { "0.0.0.0/0", "255.255.255.255/32", true, false, true },
    { "0.0.0.0/0", "0.0.0.0/0", true, true, true },
    { "0.0.0.0/0", "0.0.0.0/32", true, false, true },
    { "10.0.0.5/32", "10.0.0.5/32", true, true, true },
    { "10.0.0.5/32", "10.0.0.6/32", false, false, false },
    { "10.0.0.4/31", "10.0.0.5/32", true, false, true },
    { "10.0.0.4/31", "10.0.0.6/32", false, false, false },
    { "255.255.255.254/31", "255.255.255.255/32", true, false, true },
    { "128.0.0.0/1", "0.0.0.0/1", false, false, false },
    { "127.255.255.255/32", "128.0.0.0/1", false, false, false },
    { "10.0.0.0/24", "10.0.0.0/16", false, true, true },
};

TEST(ip4_prefix_relations, "containment and overlap, including /0 and /32 edges")
{
    for (size_t i = 0; i < sizeof ip4_relations / sizeof ip4_relations[0]; i++) {
        struct ip4_prefix a = p4(ip4_relations[i].a);
        struct ip4_prefix b = p4(ip4_relations[i].b);

        CHECK(ip4_prefix_contains(&a, &b) == ip4_relations[i].a_contains_b);
        CHECK(ip4_prefix_contains(&b, &a) == ip4_relations[i].b_contains_a);
        CHECK(ip4_prefix_overlaps(&a, &b) == ip4_relations[i].overlap);
        CHECK(ip4_prefix_overlaps(&b, &a) == ip4_relations[i].overlap);
        CHECK(ip4_prefix_equal(&a, &b)
              == (ip4_relations[i].a_contains_b && ip4_relations[i].b_contains_a));
    }
}

TEST(ip4_prefix_sizes, "first, last, size and membership at the edges")
{
    struct ip4_prefix all = p4("0.0.0.0/0");
    struct ip4_prefix host = p4("10.0.0.7/32");
    struct ip4_prefix net = p4("10.0.0.0/20");

    CHECK(ip4_prefix_size(&all) == (uint64_t) 1 << 32);
    CHECK_INT(ip4_prefix_last(&all), 0xffffffff);
    CHECK(ip4_prefix_has(&all, 0) && ip4_prefix_has(&all, 0xffffffff));
    CHECK_INT(ip4_prefix_size(&host), 1);
    CHECK_INT(ip4_prefix_last(&host), 0x0a000007);
    CHECK(ip4_prefix_has(&host, 0x0a000007) && !ip4_prefix_has(&host, 0x0a000006));
    CHECK_INT(ip4_prefix_size(&net), 4096);
    CHECK_INT(ip4_prefix_last(&net), 0x0a000fff);
    CHECK(ip4_prefix_has(&net, 0x0a000fff) && !ip4_prefix_has(&net, 0x0a001000));
    CHECK_INT(ip4_mask(0), 0);
    CHECK_INT(ip4_mask(32), 0xffffffff);
    CHECK_INT(ip4_mask(1), 0x80000000);
}

static uint64_t rng_state;

static uint64_t
rng_next(void)
{
    /* xorshift64*: good enough to spread test inputs, reproducible by seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t
rng_seed(void)
{
    const char *env = getenv("VPCD_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t) time(NULL) ^ (uint64_t) getpid();

    printf("    seed %" PRIu64 " (VPCD_TEST_SEED=%" PRIu64 " to replay)\n", seed, seed);
    fflush(stdout);
    rng_state = seed ? seed : 1;
    return seed;
}

/* A random prefix drawn so that overlaps are common: addresses share their
 * top bits with a few fixed bases more often than not. */
static struct ip4_prefix
random_ip4_prefix(void)
{
    static const uint32_t bases[] = { 0x0a000000, 0x0a000100, 0xac100000, 0x00000000, 0xffffffff };
    uint64_t r = rng_next();
    uint32_t addr;
    struct ip4_prefix p;

    if (r % 4 == 0) {
        addr = (uint32_t) (r >> 32);
    } else {
        addr = bases[(r >> 8) % 5] ^ ((uint32_t) (r >> 32) >> (r >> 16) % 33 % 32);
    }
    p.len = (uint8_t) ((r >> 24) % 33);
    p.addr = addr & ip4_mask(p.len);
    return p;
}

TEST(ip4_prefix_oracle, "contains/overlaps agree with a naive range computation on random input")
{
    rng_seed();
    for (int i = 0; i < 200000; i++) {
        struct ip4_prefix a = random_ip4_prefix();
        struct ip4_prefix b = random_ip4_prefix();
        uint64_t a_first = a.addr, a_last = a_first + ((uint64_t) 1 << (32 - a.len)) - 1;
        uint64_t b_first = b.addr, b_last = b_first + ((uint64_t) 1 << (32 - b.len)) - 1;
        bool contains = a_first <= b_first && b_last <= a_last;
        bool overlaps = a_first <= b_last && b_first <= a_last;

        if (ip4_prefix_contains(&a, &b) != contains || ip4_prefix_overlaps(&a, &b) != overlaps
            || ip4_prefix_last(&a) != a_last) {
            char sa[IP4_PREFIX_STRLEN], sb[IP4_PREFIX_STRLEN];
            ip4_prefix_format(&a, sa);
            ip4_prefix_format(&b, sb);
            fprintf(stderr, "    %s vs %s: contains %d overlaps %d\n", sa, sb, contains,
                    overlaps);
            REQUIRE(false);
        }
    }
}

/* IPv6: input form and its RFC 5952 canonical text. */
static const struct {
    const char *in;
    const char *out;
} good_ip6[] = {
    { "::", "::" },
    { "::1", "::1" },
    { "1::", "1::" },
    { "2001:db8::1", "2001:db8::1" },
    { "2001:DB8::1", "2001:db8::1" },
    { "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
    { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
    { "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
    { "2001:db8::0:1", "2001:db8::1" },
    { "2001:db8:0:0:0::1", "2001:db8::1" },
    { "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
    { "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
    { "::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8" },
    { "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
    { "fe80::abcd:ef01", "fe80::abcd:ef01" },
    { "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
    { "::ffff:1.2.3.4", "::ffff:1.2.3.4" },
    { "::FFFF:102:304", "::ffff:1.2.3.4" },
    { "0:0:0:0:0:ffff:10.0.0.1", "::ffff:10.0.0.1" },
    { "::1.2.3.4", "::102:304" },
    { "64:ff9b::192.0.2.33", "64:ff9b::c000:221" },
    { "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
    { "::0:0:1", "::1" },
    { "1:0:0:2::3", "1:0:0:2::3" },
    { "2600:1f18:0:0:0:0:0:0", "2600:1f18::" },
};

static const char *const bad_ip6[] = {
    "", ":", ":::", "1:2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", " ::1", "::1 ", "::1%eth0",
    "::ffff:1.2.3", "::ffff:1.2.3.04", "::ffff:256.1.1.1", "1.2.3.4", "::1.2.3.4:5",
    "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8/64", "::ffff:1.2.3.4.5", "1:::2", "::x",
    "1:2:3:4:5:6:7:8:", "::-1",
};

TEST(ip6_parses_and_formats_per_rfc5952, "RFC 4291 text forms parse; output is RFC 5952")
{
    for (size_t i = 0; i < sizeof good_ip6 / sizeof good_ip6[0]; i++) {
        struct ip6_addr a, again;
        char out[IP6_STRLEN];

        if (!ip6_parse(good_ip6[i].in, &a)) {
            fprintf(stderr, "    refused \"%s\"\n", good_ip6[i].in);
            CHECK(false);
            continue;
        }
        ip6_format(&a, out);
        CHECK_STR(out, good_ip6[i].out);
        CHECK(ip6_parse(out, &again) && !memcmp(a.b, again.b, 16));
    }
}

TEST(ip6_rejects_malformed, "bad colons, long groups, bad dotted quads and zones are refused")
{
    for (size_t i = 0; i < sizeof bad_ip6 / sizeof bad_ip6[0]; i++) {
        struct ip6_addr a;
        if (ip6_parse(bad_ip6[i], &a)) {
            fprintf(stderr, "    accepted \"%s\"\n", bad_ip6[i]);
            CHECK(false);
        }
    }
}

TEST(ip6_longest_string_fits, "the longest RFC 5952 forms fit IP6_STRLEN and IP6_PREFIX_STRLEN")
{
    struct ip6_prefix p;
    char out[IP6_PREFIX_STRLEN];

    REQUIRE(ip6_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", &p, NULL));
    ip6_prefix_format(&p, out);
    CHECK_STR(out, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    REQUIRE(ip6_prefix_parse("::ffff:255.255.255.255/128", &p, NULL));
    ip6_prefix_format(&p, out);
    CHECK_STR(out, "::ffff:255.255.255.255/128");
}

static const struct {
    const char *in;
    const char *canonical;
    bool was_canonical;
} good_ip6_prefixes[] = {
    { "2001:db8::/32", "2001:db8::/32", true },
    { "2001:db8::1/32", "2001:db8::/32", false },
    { "::/0", "::/0", true },
    { "ffff::/0", "::/0", false },
    { "2600:1f18:abcd:1200::/56", "2600:1f18:abcd:1200::/56", true },
    { "2600:1f18:abcd:12ff::/56", "2600:1f18:abcd:1200::/56", false },
    { "2001:db8::1/128", "2001:db8::1/128", true },
    { "2001:db8::ff/127", "2001:db8::fe/127", false },
    { "2001:db8:1:1::/63", "2001:db8:1::/63", false },
};

static const char *const bad_ip6_prefixes[] = {
    "", "::", "::/", "::/129", "::/1000", "::/01", "2001:db8::/032", " ::/0", "::/0 ",
    "2001:db8:::/32", "10.0.0.0/8", "::/-1", "::/+1", "2001:db8::/32/1", "/64",
};

TEST(ip6_prefix_parses_and_canonicalises, "IPv6 prefixes lose host bits; bad lengths refused")
{
    for (size_t i = 0; i < sizeof good_ip6_prefixes / sizeof good_ip6_prefixes[0]; i++) {
        struct ip6_prefix p;
        bool canonical = !good_ip6_prefixes[i].was_canonical;
        char out[IP6_PREFIX_STRLEN];

        REQUIRE(ip6_prefix_parse(good_ip6_prefixes[i].in, &p, &canonical));
        CHECK(canonical == good_ip6_prefixes[i].was_canonical);
        ip6_prefix_format(&p, out);
        CHECK_STR(out, good_ip6_prefixes[i].canonical);
    }
    for (size_t i = 0; i < sizeof bad_ip6_prefixes / sizeof bad_ip6_prefixes[0]; i++) {
        struct ip6_prefix p;
        if (ip6_prefix_parse(bad_ip6_prefixes[i], &p, NULL)) {
            fprintf(stderr, "    accepted \"%s\"\n", bad_ip6_prefixes[i]);
            CHECK(false);
        }
    }
}

static struct ip6_prefix
p6(const char *s)
{
    struct ip6_prefix p;
    if (!ip6_prefix_parse(s, &p, NULL)) {
        fprintf(stderr, "    bad test prefix %s\n", s);
        abort();
    }
    return p;
}

static const struct {
    const char *a;
    const char *b;
    bool a_contains_b;
    bool b_contains_a;
    bool overlap;
} ip6_relations[] = {
    { "2001:db8::/32", "2001:db8:1::/48", true, false, true },
    { "2001:db8::/32", "2001:db9::/32", false, false, false },
    { "::/0", "2001:db8::1/128", true, false, true },
    { "::/0", "::/0", true, true, true },
    { "2001:db8::1/128", "2001:db8::1/128", true, true, true },
    { "2001:db8::1/128", "2001:db8::2/128", false, false, false },
    { "2001:db8::/127", "2001:db8::1/128", true, false, true },
    { "2001:db8:0:100::/56", "2001:db8:0:1ff::/64", true, false, true },
    { "2001:db8:0:100::/56", "2001:db8:0:200::/64", false, false, false },
    { "8000::/1", "::/1", false, false, false },
    { "2001:db8::/33", "2001:db8:8000::/33", false, false, false },
};

TEST(ip6_prefix_relations, "IPv6 containment and overlap, including /0 and /128 edges")
{
    for (size_t i = 0; i < sizeof ip6_relations / sizeof ip6_relations[0]; i++) {
        struct ip6_prefix a = p6(ip6_relations[i].a);
        struct ip6_prefix b = p6(ip6_relations[i].b);

        CHECK(ip6_prefix_contains(&a, &b) == ip6_relations[i].a_contains_b);
        CHECK(ip6_prefix_contains(&b, &a) == ip6_relations[i].b_contains_a);
        CHECK(ip6_prefix_overlaps(&a, &b) == ip6_relations[i].overlap);
        CHECK(ip6_prefix_overlaps(&b, &a) == ip6_relations[i].overlap);
        CHECK(ip6_prefix_equal(&a, &b)
              == (ip6_relations[i].a_contains_b && ip6_relations[i].b_contains_a));
    }
    struct ip6_prefix net = p6("2001:db8::/126");
    struct ip6_addr in, out;
    REQUIRE(ip6_parse("2001:db8::3", &in) && ip6_parse("2001:db8::4", &out));
    CHECK(ip6_prefix_has(&net, &in));
    CHECK(!ip6_prefix_has(&net, &out));
}

TEST(ip6_format_oracle, "random addresses round-trip and agree with inet_ntop/inet_pton")
{
    rng_seed();
    for (int i = 0; i < 100000; i++) {
        struct ip6_addr a, back, libc;
        char out[IP6_STRLEN], ref[INET6_ADDRSTRLEN];
        uint64_t r = rng_next();

        /* Mostly-zero groups, so that runs of zeros of every length occur. */
        for (int g = 0; g < 8; g++) {
            uint64_t v = rng_next();
            uint16_t group = (r >> g & 1) ? (uint16_t) (v >> 20) >> (v % 16) : 0;
            a.b[2 * g] = (uint8_t) (group >> 8);
            a.b[2 * g + 1] = (uint8_t) group;
        }
        ip6_format(&a, out);
        REQUIRE(ip6_parse(out, &back));
        CHECK(!memcmp(a.b, back.b, 16));
        REQUIRE(inet_pton(AF_INET6, out, &libc) == 1);
        CHECK(!memcmp(a.b, libc.b, 16));
        REQUIRE(inet_ntop(AF_INET6, a.b, ref, sizeof ref));
        /* glibc also prints the deprecated IPv4-compatible form with a
         * dotted quad, which RFC 5952 does not ask for. */
        if (!strchr(ref, '.')) {
            CHECK_STR(out, ref);
        }
    }
}
