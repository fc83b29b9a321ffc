/* Unit tests for net/lpm: hand-written vectors (empty table, default route,
 * host routes, nested prefixes, the /0 and /32 extremes, refused input) and
 * oracle tests against a naive linear scan on random tables, after
 * WireGuard's horrible_allowedips.  Set VPCD_TEST_SEED to replay a random run. */
#include "testlib.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include "net/lpm.h"

static struct ip4_prefix
p4(const char *s)
{
    struct ip4_prefix p;
    bool canonical;
    if (!ip4_prefix_parse(s, &p, &canonical) || !canonical) {
        fprintf(stderr, "bad test prefix %s\n", s);
        abort();
    }
    return p;
}

static uint32_t
a4(const char *s)
{
    uint32_t a;
    if (!ip4_parse(s, &a)) {
        fprintf(stderr, "bad test address %s\n", s);
        abort();
    }
    return a;
}

enum { MISS = -1 };

/* Looks 'addr' up, returning the value or MISS, and checks a miss leaves the
 * output untouched. */
static int64_t
look4(const struct lpm4 *t, uint32_t addr)
{
    uint32_t v = 0xdeadbeef;
    int r = lpm4_lookup(t, addr, &v);
    if (r == -ENOENT) {
        CHECK_INT(v, 0xdeadbeef);
        return MISS;
    }
    CHECK_INT(r, 0);
    return v;
}

struct vector4 {
    const char *addr;
    int64_t value;                  /* MISS: no route */
};

static void
check_vectors4(const struct lpm4 *t, const struct vector4 *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = look4(t, a4(v[i].addr));
        if (got != v[i].value) {
            fprintf(stderr, "    %s: got %" PRId64 ", expected %" PRId64 "\n", v[i].addr, got,
                    v[i].value);
            CHECK(false);
        }
    }
}

#define CHECK_VECTORS4(t, v) check_vectors4(t, v, sizeof v / sizeof v[0])

TEST(lpm4_empty_table_misses, "a table of no routes misses every address, output untouched")
{
    struct lpm4 *t;
    REQUIRE(lpm4_create(NULL, 0, &t) == 0);
    static const struct vector4 v[] = {
        { "0.0.0.0", MISS }, { "10.0.0.1", MISS }, { "255.255.255.255", MISS },
        { "128.0.0.0", MISS }, { "127.255.255.255", MISS },
    };
    CHECK_VECTORS4(t, v);
    CHECK_INT(lpm4_n_routes(t), 0);
    CHECK(lpm4_size(t) > 0);
    lpm4_destroy(t);
    lpm4_destroy(NULL);
}

TEST(lpm4_default_route_only, "0.0.0.0/0 alone matches every address")
{
    struct lpm4_route r[] = { { p4("0.0.0.0/0"), 7 } };
    struct lpm4 *t;
    REQUIRE(lpm4_create(r, 1, &t) == 0);
    static const struct vector4 v[] = {
        { "0.0.0.0", 7 }, { "10.0.0.1", 7 }, { "255.255.255.255", 7 }, { "128.0.0.0", 7 },
        { "127.255.255.255", 7 }, { "192.168.1.1", 7 },
    };
    CHECK_VECTORS4(t, v);
    lpm4_destroy(t);
}

TEST(lpm4_host_routes, "/32 routes match exactly their address, not its neighbours")
{
    struct lpm4_route r[] = {
        { p4("10.0.0.1/32"), 1 }, { p4("10.0.0.2/32"), 2 }, { p4("10.0.0.3/32"), 3 },
        { p4("10.0.0.255/32"), 4 }, { p4("192.168.7.8/32"), 5 }, { p4("10.0.1.0/32"), 6 },
    };
    struct lpm4 *t;
    REQUIRE(lpm4_create(r, sizeof r / sizeof r[0], &t) == 0);
    static const struct vector4 v[] = {
        { "10.0.0.0", MISS }, { "10.0.0.1", 1 }, { "10.0.0.2", 2 }, { "10.0.0.3", 3 },
        { "10.0.0.4", MISS }, { "10.0.0.254", MISS }, { "10.0.0.255", 4 }, { "10.0.1.0", 6 },
        { "10.0.1.1", MISS }, { "192.168.7.8", 5 }, { "192.168.7.9", MISS },
        { "192.168.7.7", MISS }, { "0.0.0.0", MISS }, { "255.255.255.255", MISS },
    };
    CHECK_VECTORS4(t, v);
    lpm4_destroy(t);
}

TEST(lpm4_nested_prefixes, "the longest of nested prefixes wins, at each edge of each")
{
    /* Given out of order on purpose: the result must not depend on it. */
    struct lpm4_route r[] = {
        { p4("10.0.1.128/25"), 4 }, { p4("10.0.0.0/16"), 2 }, { p4("10.0.1.129/32"), 5 },
        { p4("10.0.0.0/8"), 1 }, { p4("10.0.1.0/24"), 3 }, { p4("10.0.1.130/31"), 6 },
        { p4("10.0.64.0/18"), 7 },
    };
    struct lpm4 *t;
    REQUIRE(lpm4_create(r, sizeof r / sizeof r[0], &t) == 0);
    static const struct vector4 v[] = {
        { "9.255.255.255", MISS }, { "10.0.0.0", 2 }, { "11.0.0.0", MISS },
        { "10.255.255.255", 1 }, { "10.1.0.0", 1 }, { "10.0.255.255", 2 },
        { "10.0.0.255", 2 }, { "10.0.1.0", 3 }, { "10.0.1.127", 3 }, { "10.0.1.128", 4 },
        { "10.0.1.129", 5 }, { "10.0.1.130", 6 }, { "10.0.1.131", 6 }, { "10.0.1.132", 4 },
        { "10.0.1.255", 4 }, { "10.0.2.0", 2 }, { "10.0.63.255", 2 }, { "10.0.64.0", 7 },
        { "10.0.127.255", 7 }, { "10.0.128.0", 2 },
    };
    CHECK_VECTORS4(t, v);
    CHECK_INT(lpm4_n_routes(t), 7);
    lpm4_destroy(t);
}

TEST(lpm4_extremes, "/0 beside /32s at 0.0.0.0 and 255.255.255.255, and /1 halves")
{
    struct lpm4_route r[] = {
        { p4("0.0.0.0/0"), 100 }, { p4("0.0.0.0/32"), 1 }, { p4("255.255.255.255/32"), 2 },
        { p4("128.0.0.0/1"), 3 }, { p4("255.255.255.254/31"), 4 }, { p4("0.0.0.0/31"), 5 },
    };
    struct lpm4 *t;
    REQUIRE(lpm4_create(r, sizeof r / sizeof r[0], &t) == 0);
    static const struct vector4 v[] = {
        { "0.0.0.0", 1 }, { "0.0.0.1", 5 }, { "0.0.0.2", 100 }, { "127.255.255.255", 100 },
        { "128.0.0.0", 3 }, { "255.255.255.253", 3 }, { "255.255.255.254", 4 },
        { "255.255.255.255", 2 },
    };
    CHECK_VECTORS4(t, v);
    lpm4_destroy(t);
}

TEST(lpm4_values_are_opaque, "values 0 and 0xffffffff work; routes may share a value")
{
    struct lpm4_route r[] = {
        { p4("10.0.0.0/24"), 0 }, { p4("10.0.1.0/24"), 0xffffffff }, { p4("10.0.2.0/24"), 0 },
        { p4("10.0.3.0/24"), 0xffffffff }, { p4("10.0.0.0/16"), 0 },
    };
    struct lpm4 *t;
    REQUIRE(lpm4_create(r, sizeof r / sizeof r[0], &t) == 0);
    static const struct vector4 v[] = {
        { "10.0.0.1", 0 }, { "10.0.1.1", 0xffffffff }, { "10.0.2.1", 0 },
        { "10.0.3.1", 0xffffffff }, { "10.0.4.1", 0 }, { "10.1.0.0", MISS },
    };
    CHECK_VECTORS4(t, v);
    lpm4_destroy(t);
}

TEST(lpm4_refuses_bad_input, "long or non-canonical prefixes, duplicates, too many routes")
{
    struct lpm4 *t = (struct lpm4 *) 1;
    struct lpm4_route too_long[] = { { { 0x0a000000, 33 }, 1 } };
    CHECK_INT(lpm4_create(too_long, 1, &t), -EINVAL);
    CHECK(t == NULL);

    struct lpm4_route host_bits[] = { { p4("10.0.0.0/8"), 1 }, { { 0x0a000001, 24 }, 2 } };
    CHECK_INT(lpm4_create(host_bits, 2, &t), -EINVAL);
    CHECK(t == NULL);

    /* The same prefix twice is refused whatever the values: no "last wins". */
    struct lpm4_route dup[] = {
        { p4("10.0.0.0/16"), 1 }, { p4("10.0.0.0/24"), 2 }, { p4("10.0.0.0/16"), 1 },
    };
    CHECK_INT(lpm4_create(dup, 3, &t), -EEXIST);
    CHECK(t == NULL);
    struct lpm4_route dup_default[] = { { p4("0.0.0.0/0"), 1 }, { p4("0.0.0.0/0"), 2 } };
    CHECK_INT(lpm4_create(dup_default, 2, &t), -EEXIST);
    CHECK(t == NULL);

    /* Same address, different lengths, is not a duplicate. */
    REQUIRE(lpm4_create(dup, 2, &t) == 0);
    lpm4_destroy(t);

    CHECK_INT(lpm4_create(dup, (size_t) LPM4_MAX_ROUTES + 1, &t), -E2BIG);
    CHECK(t == NULL);
}

/* ---- Oracle tests. ---- */

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

static void
rng_seed(void)
{
    const char *env = getenv("VPCD_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t) time(NULL) ^ (uint64_t) getpid();

    printf("    seed %" PRIu64 " (VPCD_TEST_SEED=%" PRIu64 " to replay)\n", seed, seed);
    fflush(stdout);
    rng_state = seed ? seed : 1;
}

/* A VPC-like prefix: mostly /16../28 inside 10/8 or 172.16/12 so that nesting
 * is common, with some /0, /8, /32 and any length anywhere. */
static struct ip4_prefix
random_prefix4(void)
{
    static const uint8_t extremes[] = { 0, 8, 32 };
    uint64_t r = rng_next();
    uint32_t bits = (uint32_t) (r >> 32);
    uint32_t addr;
    uint8_t len;

    switch (r % 10) {
    case 0:
        len = extremes[(r >> 8) % 3];
        break;
    case 1: case 2:
        len = (uint8_t) ((r >> 8) % 33);
        break;
    case 3:
        len = (uint8_t) (29 + (r >> 8) % 4);
        break;
    default:
        len = (uint8_t) (16 + (r >> 8) % 13);
        break;
    }
    switch ((r >> 16) % 10) {
    case 0: case 1: case 2:
        addr = bits;
        break;
    case 3: case 4:
        addr = 0xac100000 | (bits & 0x000fffff);
        break;
    default:
        addr = 0x0a000000 | (bits & 0x00ffffff);
        break;
    }
    return (struct ip4_prefix) { addr & ip4_mask(len), len };
}

static int
cmp_route4(const void *a_, const void *b_)
{
    const struct lpm4_route *a = a_, *b = b_;
    if (a->prefix.addr != b->prefix.addr) {
        return a->prefix.addr < b->prefix.addr ? -1 : 1;
    }
    return (int) a->prefix.len - (int) b->prefix.len;
}

static int
cmp_len_desc4(const void *a_, const void *b_)
{
    const struct lpm4_route *a = a_, *b = b_;
    return (int) b->prefix.len - (int) a->prefix.len;
}

/* 'n' distinct random routes into 'routes' (shuffled); returns how many. */
static size_t
random_table4(struct lpm4_route *routes, size_t n, uint32_t n_values)
{
    for (size_t i = 0; i < n; i++) {
        routes[i].prefix = random_prefix4();
        routes[i].value = n_values ? (uint32_t) (rng_next() % n_values) : (uint32_t) rng_next();
    }
    qsort(routes, n, sizeof *routes, cmp_route4);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!m || cmp_route4(&routes[m - 1], &routes[i])) {
            routes[m++] = routes[i];
        }
    }
    for (size_t i = m; i > 1; i--) {
        size_t j = rng_next() % i;
        struct lpm4_route tmp = routes[i - 1];
        routes[i - 1] = routes[j];
        routes[j] = tmp;
    }
    return m;
}

/* The oracle: scan every route, keep the longest containing 'addr'.
 * 'by_len' is sorted longest first, so the first hit is the answer. */
static int64_t
naive4(const struct lpm4_route *by_len, size_t n, uint32_t addr)
{
    for (size_t i = 0; i < n; i++) {
        if (ip4_prefix_has(&by_len[i].prefix, addr)) {
            return by_len[i].value;
        }
    }
    return MISS;
}

static long oracle_checks;

static bool
check_oracle4(const struct lpm4 *t, const struct lpm4_route *by_len, size_t n, uint32_t addr)
{
    int64_t want = naive4(by_len, n, addr);
    int64_t got = look4(t, addr);
    oracle_checks++;
    if (want != got) {
        char s[IP4_STRLEN];
        ip4_format(addr, s);
        fprintf(stderr, "    table of %zu routes, %s: got %" PRId64 ", oracle %" PRId64 "\n", n,
                s, got, want);
        return false;
    }
    return true;
}

TEST(lpm4_oracle, "random tables of 1..5,000 routes agree with a linear scan, edges included")
{
    enum { N_RANDOM_SIZES = 12, MAX_ROUTES = 5000, RANDOM_ADDRS = 3000, EDGE_ROUTES = 1500 };
    static const size_t fixed_sizes[] = { 1, 2, 3, 5, 8, 20, 50, 200, 1000, 5000 };
    struct lpm4_route *routes = malloc(MAX_ROUTES * sizeof *routes);
    struct lpm4_route *by_len = malloc(MAX_ROUTES * sizeof *by_len);
    size_t n_tables = 0;

    rng_seed();
    for (size_t k = 0; k < (sizeof fixed_sizes / sizeof fixed_sizes[0]) + N_RANDOM_SIZES; k++) {
        size_t want = k < (sizeof fixed_sizes / sizeof fixed_sizes[0]) ? fixed_sizes[k]
                                                    : 1 + rng_next() % MAX_ROUTES;
        /* Few values (as a VPC's targets), or any 32-bit value. */
        uint32_t n_values = k % 3 == 2 ? 0 : (uint32_t) (1 + rng_next() % 8);
        size_t n = random_table4(routes, want, n_values);
        struct lpm4 *t;
        REQUIRE(lpm4_create(routes, n, &t) == 0);
        CHECK_INT(lpm4_n_routes(t), n);
        memcpy(by_len, routes, n * sizeof *routes);
        qsort(by_len, n, sizeof *by_len, cmp_len_desc4);

        bool ok = true;
        for (int i = 0; ok && i < RANDOM_ADDRS; i++) {
            uint64_t r = rng_next();
            /* Uniform, or somewhere inside a random route. */
            uint32_t addr = (uint32_t) r;
            if (r >> 63) {
                const struct ip4_prefix *p = &routes[(r >> 32) % n].prefix;
                addr = p->addr | ((uint32_t) (r >> 16) & ~ip4_mask(p->len));
            }
            ok = check_oracle4(t, by_len, n, addr);
        }
        /* Each prefix's first and last address and one past either end (mod 2^32). */
        for (size_t i = 0; ok && i < n && i < EDGE_ROUTES; i++) {
            uint32_t first = routes[i].prefix.addr, last = ip4_prefix_last(&routes[i].prefix);
            ok = check_oracle4(t, by_len, n, first) && check_oracle4(t, by_len, n, last)
                 && check_oracle4(t, by_len, n, first - 1) && check_oracle4(t, by_len, n, last + 1);
        }
        CHECK(ok);
        lpm4_destroy(t);
        n_tables++;
    }
    printf("    %zu tables, %ld lookups checked\n", n_tables, oracle_checks);
    fflush(stdout);
    free(routes);
    free(by_len);
}

TEST(lpm4_size_grows_with_routes, "memory follows the routes, far below a 256 KB first level")
{
    struct lpm4_route *routes = malloc(1000 * sizeof *routes);
    struct lpm4 *t0, *t1, *t1000;

    rng_state = 42;
    size_t n = random_table4(routes, 1000, 4);
    REQUIRE(lpm4_create(NULL, 0, &t0) == 0);
    REQUIRE(lpm4_create(routes, 1, &t1) == 0);
    REQUIRE(lpm4_create(routes, n, &t1000) == 0);
    CHECK(lpm4_size(t0) <= lpm4_size(t1));
    CHECK(lpm4_size(t1) < lpm4_size(t1000));
    CHECK(lpm4_size(t0) < 1024);
    CHECK(lpm4_size(t1000) < 256 * 1024);
    printf("    bytes: empty %zu, 1 route %zu, %zu routes %zu\n", lpm4_size(t0), lpm4_size(t1), n,
           lpm4_size(t1000));
    fflush(stdout);
    lpm4_destroy(t0);
    lpm4_destroy(t1);
    lpm4_destroy(t1000);
    free(routes);
}

/* ---- IPv6. ---- */

static struct ip6_prefix
p6(const char *s)
{
    struct ip6_prefix p;
    bool canonical;
    if (!ip6_prefix_parse(s, &p, &canonical) || !canonical) {
        fprintf(stderr, "bad test prefix %s\n", s);
        abort();
    }
    return p;
}

static int64_t
look6(const struct lpm6 *t, const char *s)
{
    struct ip6_addr a;
    uint32_t v = 0xdeadbeef;
    if (!ip6_parse(s, &a)) {
        fprintf(stderr, "bad test address %s\n", s);
        abort();
    }
    int r = lpm6_lookup(t, &a, &v);
    if (r == -ENOENT) {
        CHECK_INT(v, 0xdeadbeef);
        return MISS;
    }
    CHECK_INT(r, 0);
    return v;
}

TEST(lpm6_vectors, "IPv6: empty, ::/0, nested /56 /64 /128, the chunk across bit 64, extremes")
{
    struct lpm6 *t;
    REQUIRE(lpm6_create(NULL, 0, &t) == 0);
    CHECK_INT(look6(t, "::"), MISS);
    CHECK_INT(look6(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), MISS);
    lpm6_destroy(t);

    struct lpm6_route r[] = {
        { p6("::/0"), 1 }, { p6("2600:1f18::/36"), 2 }, { p6("2600:1f18:1:100::/56"), 3 },
        { p6("2600:1f18:1:101::/64"), 4 }, { p6("2600:1f18:1:101::5/128"), 5 },
        { p6("2600:1f18:1:101:8000::/66"), 6 }, { p6("::/128"), 7 },
        { p6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 8 }, { p6("::/127"), 9 },
        { p6("2600:1f18:1:10c::/62"), 10 },
    };
    REQUIRE(lpm6_create(r, sizeof r / sizeof r[0], &t) == 0);
    CHECK_INT(look6(t, "::"), 7);
    CHECK_INT(look6(t, "::1"), 9);
    CHECK_INT(look6(t, "::2"), 1);
    CHECK_INT(look6(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 8);
    CHECK_INT(look6(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 1);
    CHECK_INT(look6(t, "2600:1f18::1"), 2);
    CHECK_INT(look6(t, "2600:1f18:fff::"), 2);
    CHECK_INT(look6(t, "2600:1f18:1000::"), 1);
    CHECK_INT(look6(t, "2600:1f18:1:1ff::"), 3);
    CHECK_INT(look6(t, "2600:1f18:1:101::4"), 4);
    CHECK_INT(look6(t, "2600:1f18:1:101::5"), 5);
    CHECK_INT(look6(t, "2600:1f18:1:101::6"), 4);
    CHECK_INT(look6(t, "2600:1f18:1:101:7fff:ffff:ffff:ffff"), 4);
    CHECK_INT(look6(t, "2600:1f18:1:101:8000::"), 6);
    CHECK_INT(look6(t, "2600:1f18:1:101:bfff:ffff:ffff:ffff"), 6);
    CHECK_INT(look6(t, "2600:1f18:1:101:c000::"), 4);
    CHECK_INT(look6(t, "2600:1f18:1:10c::"), 10);
    CHECK_INT(look6(t, "2600:1f18:1:10f:ffff::"), 10);
    CHECK_INT(look6(t, "2600:1f18:1:10b::"), 3);
    CHECK_INT(look6(t, "2600:1f18:1:110::"), 3);
    lpm6_destroy(t);

    struct lpm6_route bad[] = { { p6("2600::/16"), 1 }, { p6("2600::/16"), 2 } };
    CHECK_INT(lpm6_create(bad, 2, &t), -EEXIST);
    CHECK(t == NULL);
    bad[1].prefix.len = 4;              /* 2600::/4 has host bits set */
    CHECK_INT(lpm6_create(bad, 2, &t), -EINVAL);
    bad[1].prefix.len = 129;
    CHECK_INT(lpm6_create(bad, 2, &t), -EINVAL);
    CHECK(t == NULL);
}

static struct ip6_prefix
random_prefix6(void)
{
    static const uint8_t extremes[] = { 0, 32, 64, 128 };
    uint64_t r = rng_next();
    struct ip6_prefix p = { .len = 0 };
    uint8_t len;

    switch (r % 8) {
    case 0:
        len = extremes[(r >> 8) % 4];
        break;
    case 1: case 2:
        len = (uint8_t) ((r >> 8) % 129);
        break;
    default:
        len = (uint8_t) (44 + (r >> 8) % 37);   /* /44../80: VPC /56, subnet /64 */
        break;
    }
    for (int i = 0; i < 16; i += 8) {
        uint64_t bits = rng_next();
        memcpy(&p.addr.b[i], &bits, 8);
    }
    if ((r >> 16) % 4) {                    /* mostly under 2600:1f18::/32 */
        p.addr.b[0] = 0x26;
        p.addr.b[1] = 0x00;
        p.addr.b[2] = 0x1f;
        p.addr.b[3] = 0x18;
        p.addr.b[4] &= 0x03;                /* crowd them for nesting */
    }
    p.len = len;
    for (unsigned bit = len; bit < 128; bit++) {
        p.addr.b[bit / 8] &= (uint8_t) ~(0x80u >> bit % 8);
    }
    return p;
}

TEST(lpm6_oracle, "random IPv6 tables of 1..1,000 routes agree with a linear scan, edges included")
{
    enum { N_TABLES = 12, MAX_ROUTES = 1000, RANDOM_ADDRS = 2000 };
    struct lpm6_route *routes = malloc(MAX_ROUTES * sizeof *routes);
    long checks = 0;

    rng_seed();
    for (int k = 0; k < N_TABLES; k++) {
        size_t want = k < 3 ? (size_t) k + 1 : 1 + rng_next() % MAX_ROUTES;
        size_t n = 0;
        for (size_t i = 0; i < want; i++) {
            struct lpm6_route r = { random_prefix6(), (uint32_t) (rng_next() % 6) };
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++) {
                dup = ip6_prefix_equal(&routes[j].prefix, &r.prefix);
            }
            if (!dup) {
                routes[n++] = r;
            }
        }
        struct lpm6 *t;
        REQUIRE(lpm6_create(routes, n, &t) == 0);
        CHECK_INT(lpm6_n_routes(t), n);

        bool ok = true;
        for (size_t i = 0; ok && i < RANDOM_ADDRS + 3 * n; i++) {
            struct ip6_addr a;
            if (i < RANDOM_ADDRS) {
                struct ip6_prefix p = random_prefix6();
                a = p.addr;
                uint64_t bits = rng_next();
                memcpy(&a.b[8], &bits, 8);   /* random host part */
            } else {
                /* Each prefix's first address, its last, and one past the last. */
                const struct ip6_prefix *p = &routes[(i - RANDOM_ADDRS) / 3].prefix;
                a = p->addr;
                if ((i - RANDOM_ADDRS) % 3) {
                    for (unsigned bit = p->len; bit < 128; bit++) {
                        a.b[bit / 8] |= (uint8_t) (0x80u >> bit % 8);
                    }
                }
                if ((i - RANDOM_ADDRS) % 3 == 2) {
                    for (int b = 15; b >= 0 && ++a.b[b] == 0; b--) {
                        continue;
                    }
                }
            }
            int64_t want_v = MISS;
            int best = -1;
            for (size_t j = 0; j < n; j++) {
                if (routes[j].prefix.len > best && ip6_prefix_has(&routes[j].prefix, &a)) {
                    best = routes[j].prefix.len;
                    want_v = routes[j].value;
                }
            }
            uint32_t v = 0;
            int64_t got = lpm6_lookup(t, &a, &v) == 0 ? (int64_t) v : MISS;
            checks++;
            if (got != want_v) {
                char s[IP6_STRLEN];
                ip6_format(&a, s);
                fprintf(stderr, "    table of %zu routes, %s: got %" PRId64 ", oracle %" PRId64
                        "\n", n, s, got, want_v);
                ok = false;
            }
        }
        CHECK(ok);
        lpm6_destroy(t);
    }
    printf("    %d tables, %ld lookups checked\n", N_TABLES, checks);
    fflush(stdout);
    free(routes);
}
