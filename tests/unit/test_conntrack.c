/* Unit tests for pipeline/conntrack's fragment table (conntrack.h "IPv4
 * fragments"), against a naive oracle on random operations (style.md: every
 * fast structure gets one).  The connection table itself is exercised
 * through the pipeline in test_pipeline.c and test_nat.c. */
#include <string.h>

#include "lib/util.h"
#include "pipeline/conntrack.h"
#include "tests/unit/testlib.h"

static const uint64_t SEC = 1000000000ull;

/* The oracle: entries in arrival order, expired ones kept until something
 * reclaims them, exactly as the table does. */
struct naive_entry {
    struct ct_frag_key key;
    struct ct_frag_verdict verdict;
    uint64_t expires_ns;
    uint32_t seen, end;
};

struct naive {
    struct naive_entry entries[CT_FRAG_CAPACITY];
    size_t n, limit;
};

static bool
key_eq(const struct ct_frag_key *a, const struct ct_frag_key *b)
{
    return a->in_port == b->in_port && a->src == b->src && a->dst == b->dst
           && a->ip_id == b->ip_id && a->proto == b->proto;
}

static size_t
naive_find(const struct naive *nv, const struct ct_frag_key *k)
{
    for (size_t i = 0; i < nv->n; i++) {
        if (key_eq(&nv->entries[i].key, k)) {
            return i;
        }
    }
    return SIZE_MAX;
}

static void
naive_remove(struct naive *nv, size_t i)
{
    memmove(&nv->entries[i], &nv->entries[i + 1], (nv->n - i - 1) * sizeof nv->entries[0]);
    nv->n--;
}

static bool
naive_room(const struct naive *nv, const struct ct_frag_key *k, uint64_t now)
{
    size_t i = naive_find(nv, k);
    return nv->n < nv->limit || (i != SIZE_MAX && nv->entries[i].expires_ns > now)
           || (nv->n && nv->entries[0].expires_ns <= now);
}

static int
naive_add(struct naive *nv, const struct ct_frag_key *k, uint16_t size,
          const struct ct_frag_verdict *verdict, uint64_t now)
{
    size_t i = naive_find(nv, k);
    if (i != SIZE_MAX && nv->entries[i].expires_ns <= now) {
        naive_remove(nv, i);
        i = SIZE_MAX;
    }
    if (i != SIZE_MAX) {
        nv->entries[i].verdict = *verdict;
        return 0;
    }
    if (nv->n == nv->limit) {
        if (nv->entries[0].expires_ns > now) {
            return -1;
        }
        naive_remove(nv, 0);
    }
    nv->entries[nv->n++] = (struct naive_entry) { *k, *verdict, now + CT_FRAG_SEC * SEC, size, 0 };
    return 0;
}

static bool
naive_lookup(struct naive *nv, const struct ct_frag_key *k, uint16_t offset, uint16_t size,
             bool more, uint64_t now, struct ct_frag_verdict *verdict)
{
    size_t i = naive_find(nv, k);
    if (i == SIZE_MAX) {
        return false;
    }
    struct naive_entry *e = &nv->entries[i];
    if (e->expires_ns <= now) {
        naive_remove(nv, i);
        return false;
    }
    *verdict = e->verdict;
    e->seen += size;
    if (!more) {
        e->end = (uint32_t) offset + size;
    }
    if (e->end && e->seen >= e->end) {
        naive_remove(nv, i);
    }
    return true;
}

static void
naive_sweep(struct naive *nv, uint64_t now, size_t budget)
{
    for (size_t n = 0; n < budget && nv->n && nv->entries[0].expires_ns <= now; n++) {
        naive_remove(nv, 0);
    }
}

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) ((rng_state * UINT64_C(2685821657736338717)) >> 32) % n;
}

TEST(frag_table_oracle, "the fragment table answers as a naive list on random adds, lookups, sweeps and expiry")
{
    rng_state = time_usec() | 1;
    fprintf(stderr, "    frag_table_oracle seed %llu\n", (unsigned long long) rng_state);
    struct conntrack *ct = conntrack_create(16);
    static struct naive nv;
    for (int round = 0; round < 50; round++) {
        size_t limit = round % 5 == 4 ? CT_FRAG_CAPACITY : 1 + rnd(12);
        conntrack_set_frag_limit(ct, limit);
        nv.n = 0;
        nv.limit = limit;
        uint64_t now = 0;
        for (int op = 0; op < 4000; op++) {
            now += rnd(4) == 0 ? rnd(8) * SEC : 0;
            struct ct_frag_key k = { rnd(3) == 0 ? CT_FRAG_FROM_INTERNET : 1 + rnd(3),
                                     0x0a000000 | rnd(4), 0x08080808, (uint16_t) rnd(limit + 4),
                                     (uint8_t) (rnd(2) ? 17 : 6) };
            struct ct_frag_verdict want = { 0 }, got = { 0 };
            uint16_t size = (uint16_t) (8 * (1 + rnd(40)));
            switch (rnd(4)) {
            case 0: {
                bool room = conntrack_frag_room(ct, &k, now);
                REQUIRE(room == naive_room(&nv, &k, now));
                struct ct_frag_verdict verdict = { rnd(100), rnd(5), rnd(1000), rnd(1000) };
                int a = conntrack_frag_add(ct, &k, size, &verdict, now);
                int b = naive_add(&nv, &k, size, &verdict, now);
                REQUIRE((a == 0) == (b == 0));
                REQUIRE(!room || a == 0);
                break;
            }
            case 1:
            case 2: {
                uint16_t offset = (uint16_t) (8 * rnd(100));
                bool more = rnd(3) != 0;
                bool a = conntrack_frag_lookup(ct, &k, offset, size, more, now, &got);
                bool b = naive_lookup(&nv, &k, offset, size, more, now, &want);
                REQUIRE(a == b);
                REQUIRE(!a
                        || (got.out_port == want.out_port && got.out_seq == want.out_seq
                            && got.src == want.src && got.dst == want.dst));
                break;
            }
            default: {
                size_t budget = rnd(3);
                conntrack_sweep(ct, now, budget);
                naive_sweep(&nv, now, budget);
                break;
            }
            }
            REQUIRE(conntrack_frag_count(ct) == nv.n);
        }
    }
    conntrack_flush(ct);
    CHECK_INT(conntrack_frag_count(ct), 0);
    conntrack_destroy(ct);
}

TEST(frag_table_flush_and_limit, "flush and a new limit empty the table; the limit is clamped to 1..CT_FRAG_CAPACITY")
{
    struct conntrack *ct = conntrack_create(4);
    struct ct_frag_verdict v = { 1, 2, 3, 4 }, got;
    conntrack_set_frag_limit(ct, 0);
    struct ct_frag_key a = { 1, 10, 20, 1, 17 }, b = { 1, 10, 20, 2, 17 };
    CHECK(conntrack_frag_room(ct, &a, 0));
    CHECK_INT(conntrack_frag_add(ct, &a, 8, &v, 0), 0);
    CHECK(!conntrack_frag_room(ct, &b, 0));
    CHECK(conntrack_frag_add(ct, &b, 8, &v, 0) < 0);
    CHECK(conntrack_frag_lookup(ct, &a, 8, 8, true, 0, &got));
    CHECK_INT(got.out_seq, 2);
    conntrack_flush(ct);
    CHECK(!conntrack_frag_lookup(ct, &a, 8, 8, true, 0, &got));
    conntrack_set_frag_limit(ct, SIZE_MAX);
    for (uint16_t id = 0; id < CT_FRAG_CAPACITY; id++) {
        struct ct_frag_key k = { 1, 10, 20, id, 17 };
        REQUIRE(conntrack_frag_add(ct, &k, 8, &v, 0) == 0);
    }
    CHECK_INT(conntrack_frag_count(ct), CT_FRAG_CAPACITY);
    CHECK(conntrack_frag_add(ct, &(struct ct_frag_key){ 2, 10, 20, 0, 17 }, 8, &v, 0) < 0);
    conntrack_destroy(ct);
}
