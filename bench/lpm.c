/* bench/lpm.c: build time, memory and lookup cost of net/lpm tables.
 *
 * Routes are drawn as in tests/unit/test_lpm.c: VPC-like, mostly /16../28
 * inside 10/8 and 172.16/12, some anywhere, some /0 /8 /32, 8 distinct values
 * (targets).  Lookups are timed over three address sets:
 *   uniform   any 32-bit address (most stop high in the trie)
 *   in-route  a random address inside a random route (the deep case)
 *   hot       64 in-route addresses looked up again and again (cache-hot)
 * "ns" is independent lookups (throughput, the CPU overlaps them); "dep ns" chains
 * each lookup's address on the previous result (latency).
 *
 *   build/bench/lpm [LOOKUPS]        default 4,000,000 per measurement */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/lpm.h"

enum {
    DEFAULT_LOOKUPS = 4000000,
    HOT_SET = 64,
    N_VALUES = 8,
    BUILD_RUNS = 5,
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static double
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

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

/* Exactly 'n' distinct routes (drawing more until there are). */
static struct lpm4_route *
random_routes(size_t n)
{
    struct lpm4_route *routes = malloc((n ? n : 1) * sizeof *routes);
    size_t m = 0;
    while (m < n) {
        for (size_t i = m; i < n; i++) {
            routes[i] = (struct lpm4_route) { random_prefix4(), (uint32_t) (rng_next() % N_VALUES) };
        }
        qsort(routes, n, sizeof *routes, cmp_route4);
        m = 0;
        for (size_t i = 0; i < n; i++) {
            if (!m || cmp_route4(&routes[m - 1], &routes[i])) {
                routes[m++] = routes[i];
            }
        }
    }
    return routes;
}

static uint32_t
in_route(const struct lpm4_route *routes, size_t n)
{
    uint64_t r = rng_next();
    const struct ip4_prefix *p = &routes[(r >> 32) % n].prefix;
    return p->addr | ((uint32_t) r & ~ip4_mask(p->len));
}

static volatile uint32_t sink;

static double
time_independent(const struct lpm4 *t, const uint32_t *addrs, size_t mask, size_t n_lookups)
{
    uint32_t sum = 0;
    double start = now_ns();
    for (size_t i = 0; i < n_lookups; i++) {
        uint32_t v = 0;
        lpm4_lookup(t, addrs[i & mask], &v);
        sum += v;
    }
    double ns = (now_ns() - start) / (double) n_lookups;
    sink = sum;
    return ns;
}

static double
time_dependent(const struct lpm4 *t, const uint32_t *addrs, size_t mask, size_t n_lookups)
{
    uint32_t v = 0;
    double start = now_ns();
    for (size_t i = 0; i < n_lookups; i++) {
        /* v is 0..N_VALUES-1 or unchanged: '& 0' would be folded, '>> 3' is 0 here
         * but the CPU must wait for the lookup to know it. */
        lpm4_lookup(t, addrs[i & mask] ^ (v >> 3), &v);
    }
    double ns = (now_ns() - start) / (double) n_lookups;
    sink = v;
    return ns;
}

int
main(int argc, char *argv[])
{
    size_t n_lookups = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_LOOKUPS;
    enum { ADDRS = 1 << 20 };
    static const size_t mem_sizes[] = { 0, 1, 50, 1000, 10000, 100000 };
    static const size_t speed_sizes[] = { 10, 1000, 10000 };
    uint32_t *addrs = malloc(ADDRS * sizeof *addrs);

    printf("IPv4 memory per table (Poptrie, stride %d, no direct pointing)\n", LPM_STRIDE);
    printf("%8s %10s %10s\n", "routes", "bytes", "B/route");
    for (size_t k = 0; k < sizeof mem_sizes / sizeof mem_sizes[0]; k++) {
        struct lpm4_route *routes = random_routes(mem_sizes[k]);
        struct lpm4 *t;
        if (lpm4_create(routes, mem_sizes[k], &t)) {
            return 1;
        }
        printf("%8zu %10zu %10.1f\n", mem_sizes[k], lpm4_size(t),
               mem_sizes[k] ? (double) lpm4_size(t) / (double) mem_sizes[k] : 0.0);
        lpm4_destroy(t);
        free(routes);
    }

    printf("\nIPv4 lookups, %zu per measurement; ns per lookup (dep = latency)\n", n_lookups);
    printf("%8s %9s %10s %9s %9s %9s %9s %9s\n", "routes", "build ms", "bytes", "uniform",
           "in-route", "dep", "hot", "hot dep");
    for (size_t k = 0; k < sizeof speed_sizes / sizeof speed_sizes[0]; k++) {
        size_t n = speed_sizes[k];
        struct lpm4_route *routes = random_routes(n);
        struct lpm4 *t = NULL;
        double best_build = 1e18;
        for (int run = 0; run < BUILD_RUNS; run++) {
            lpm4_destroy(t);
            double start = now_ns();
            if (lpm4_create(routes, n, &t)) {
                return 1;
            }
            double ms = (now_ns() - start) / 1e6;
            best_build = ms < best_build ? ms : best_build;
        }

        for (size_t i = 0; i < ADDRS; i++) {
            addrs[i] = (uint32_t) rng_next();
        }
        time_independent(t, addrs, ADDRS - 1, n_lookups / 4);     /* warm up */
        double uniform = time_independent(t, addrs, ADDRS - 1, n_lookups);
        for (size_t i = 0; i < ADDRS; i++) {
            addrs[i] = in_route(routes, n);
        }
        double deep = time_independent(t, addrs, ADDRS - 1, n_lookups);
        double deep_dep = time_dependent(t, addrs, ADDRS - 1, n_lookups);
        double hot = time_independent(t, addrs, HOT_SET - 1, n_lookups);
        double hot_dep = time_dependent(t, addrs, HOT_SET - 1, n_lookups);

        printf("%8zu %9.3f %10zu %9.1f %9.1f %9.1f %9.1f %9.1f\n", n, best_build, lpm4_size(t),
               uniform, deep, deep_dep, hot, hot_dep);
        lpm4_destroy(t);
        free(routes);
    }

    /* IPv6: /56 VPC blocks and /64 subnets under one /32, plus ::/0. */
    printf("\nIPv6 (routes: ::/0, then /56 and /64 under 2600:1f18::/32)\n");
    printf("%8s %9s %10s %9s %9s\n", "routes", "build ms", "bytes", "in-route", "hot");
    for (size_t k = 0; k < sizeof speed_sizes / sizeof speed_sizes[0]; k++) {
        size_t n = speed_sizes[k];
        struct lpm6_route *routes = calloc(n, sizeof *routes);
        struct ip6_addr *a6 = malloc(ADDRS * sizeof *a6);
        for (size_t i = 0; i < n; i++) {
            struct ip6_prefix *p = &routes[i].prefix;
            /* Distinct by construction: i is encoded in bits 40..55. */
            p->addr.b[0] = 0x26, p->addr.b[1] = 0x00, p->addr.b[2] = 0x1f, p->addr.b[3] = 0x18;
            p->addr.b[5] = (uint8_t) (i >> 8), p->addr.b[6] = (uint8_t) i;
            p->len = i == 0 ? 0 : (i % 2 ? 56 : 64);
            if (i == 0) {
                memset(&p->addr, 0, sizeof p->addr);
            } else if (p->len == 64) {
                p->addr.b[7] = (uint8_t) rng_next();
            }
            routes[i].value = (uint32_t) (rng_next() % N_VALUES);
        }
        double start = now_ns();
        struct lpm6 *t;
        if (lpm6_create(routes, n, &t)) {
            return 1;
        }
        double build_ms = (now_ns() - start) / 1e6;
        for (size_t i = 0; i < ADDRS; i++) {
            a6[i] = routes[rng_next() % n].prefix.addr;
            uint64_t host = rng_next();
            memcpy(&a6[i].b[8], &host, 8);
        }
        double ns[2];
        for (int hot = 0; hot < 2; hot++) {
            size_t mask = hot ? HOT_SET - 1 : ADDRS - 1;
            uint32_t sum = 0;
            double t0 = now_ns();
            for (size_t i = 0; i < n_lookups; i++) {
                uint32_t v = 0;
                lpm6_lookup(t, &a6[i & mask], &v);
                sum += v;
            }
            ns[hot] = (now_ns() - t0) / (double) n_lookups;
            sink = sum;
        }
        printf("%8zu %9.3f %10zu %9.1f %9.1f\n", n, build_ms, lpm6_size(t), ns[0], ns[1]);
        lpm6_destroy(t);
        free(routes);
        free(a6);
    }
    free(addrs);
    return 0;
}
