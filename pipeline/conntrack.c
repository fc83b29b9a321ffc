/* Connection tracking: a preallocated chained hash table (see conntrack.h). */
#include "pipeline/conntrack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "net/packet.h"

enum {
    CT_NIL = UINT32_MAX,            /* end of a chain / of the free list */
    CT_NS_PER_SEC = 1000000000,
};

/* TCP progress, enough to pick a timeout. */
enum ct_tcp_state {
    CT_TCP_OPENING,                 /* one direction seen so far */
    CT_TCP_ESTABLISHED,             /* both directions seen */
    CT_TCP_CLOSING,                 /* FIN from both sides */
    CT_TCP_RESET,                   /* RST seen */
};

enum {
    CT_SEEN_OUT = 1 << 0,
    CT_SEEN_IN = 1 << 1,
    CT_FIN_OUT = 1 << 2,
    CT_FIN_IN = 1 << 3,
};

struct ct_entry {
    uint64_t eni;
    uint32_t local, remote;
    uint16_t lport, rport;
    uint8_t proto;
    uint8_t tcp_state;              /* enum ct_tcp_state */
    uint8_t flags;                  /* CT_SEEN_*, CT_FIN_* */
    uint8_t n_packets;              /* saturates at 255 */
    uint32_t next;                  /* chain or free list; CT_NIL ends it */
    uint32_t peer;                  /* NAT: the other entry of the pair */
    uint64_t expires_ns;
};
_Static_assert(sizeof(struct ct_entry) == 40, "conntrack entry grew");

/* A fragmented datagram's first-fragment verdict (conntrack.h "IPv4 fragments"). */
struct ct_frag_entry {
    uint64_t in_port;
    uint64_t out_seq;
    uint64_t expires_ns;
    uint32_t src, dst;              /* the key's addresses, as received */
    uint32_t new_src, new_dst;      /* after NAT */
    uint32_t out_port;
    uint32_t next;                  /* chain or free list; CT_NIL ends it */
    uint32_t older, newer;          /* the arrival queue; CT_NIL ends it */
    uint32_t seen;                  /* payload bytes of the fragments passed */
    uint32_t end;                   /* payload bytes of the datagram, 0 until the last is seen */
    uint16_t ip_id;
    uint8_t proto;
};

struct ct_frags {
    struct ct_frag_entry entries[CT_FRAG_CAPACITY];
    uint32_t buckets[CT_FRAG_CAPACITY];     /* heads of chains; a power of two */
    uint32_t free_head;
    uint32_t oldest, newest;        /* the arrival queue's ends; CT_NIL when empty */
    uint32_t n_used;
    uint32_t limit;                 /* entries usable, <= CT_FRAG_CAPACITY */
};
_Static_assert((CT_FRAG_CAPACITY & (CT_FRAG_CAPACITY - 1)) == 0, "buckets need a power of two");

struct conntrack {
    struct ct_entry *entries;
    uint32_t *buckets;              /* heads of chains */
    uint32_t mask;                  /* n_buckets - 1 */
    uint32_t capacity;
    uint32_t free_head;
    uint32_t n_used;
    uint32_t sweep_cursor;          /* next bucket conntrack_sweep() visits */
    uint64_t seed;
    uint32_t nat_lo;                /* NAT ports: nat_lo .. nat_lo + nat_range - 1 */
    uint32_t nat_range;
    struct ct_frags *frags;
};

static void frags_flush(struct ct_frags *);

struct conntrack *
conntrack_create(size_t capacity)
{
    capacity = MAX(capacity, 1);
    capacity = MIN(capacity, (size_t) CONNTRACK_MAX_CAPACITY);
    struct conntrack *ct = xzalloc(sizeof *ct);
    uint32_t n_buckets = 1;
    while (n_buckets < capacity) {
        n_buckets <<= 1;
    }
    ct->capacity = (uint32_t) capacity;
    ct->mask = n_buckets - 1;
    ct->entries = xmalloc(capacity * sizeof *ct->entries);
    ct->buckets = xmalloc(n_buckets * sizeof *ct->buckets);
    /* A random seed: flows chosen by outsiders must not pile up in one chain. */
    random_bytes(&ct->seed, sizeof ct->seed);
    conntrack_set_nat_ports(ct, CT_NAT_PORT_MIN, CT_NAT_PORT_MAX);
    ct->frags = xmalloc(sizeof *ct->frags);
    ct->frags->limit = CT_FRAG_CAPACITY;
    conntrack_flush(ct);
    return ct;
}

void
conntrack_destroy(struct conntrack *ct)
{
    if (ct) {
        free(ct->entries);
        free(ct->buckets);
        free(ct->frags);
        free(ct);
    }
}

void
conntrack_flush(struct conntrack *ct)
{
    for (uint32_t b = 0; b <= ct->mask; b++) {
        ct->buckets[b] = CT_NIL;
    }
    for (uint32_t i = 0; i < ct->capacity; i++) {
        ct->entries[i].next = i + 1 < ct->capacity ? i + 1 : CT_NIL;
    }
    ct->free_head = 0;
    ct->n_used = 0;
    ct->sweep_cursor = 0;
    frags_flush(ct->frags);
}

size_t
conntrack_bytes_per_entry(const struct conntrack *ct)
{
    size_t total = ct->capacity * sizeof *ct->entries + ((size_t) ct->mask + 1) * sizeof(uint32_t);
    return (total + ct->capacity - 1) / ct->capacity;
}

size_t
conntrack_count(const struct conntrack *ct)
{
    return ct->n_used;
}

static inline uint32_t
hash_key(const struct conntrack *ct, const struct ct_key *k)
{
    uint64_t h = ct->seed ^ (k->eni * UINT64_C(0x9e3779b97f4a7c15));
    h ^= ((uint64_t) k->local << 32 | k->remote) * UINT64_C(0xc2b2ae3d27d4eb4f);
    h ^= ((uint64_t) k->lport << 24 | (uint64_t) k->rport << 8 | k->proto)
         * UINT64_C(0x165667b19e3779f9);
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 32;
    return (uint32_t) h;
}

static inline bool
key_equal(const struct ct_entry *e, const struct ct_key *k)
{
    return e->eni == k->eni && e->local == k->local && e->remote == k->remote
           && e->lport == k->lport && e->rport == k->rport && e->proto == k->proto;
}

/* Unlinks entry 'i' ('*link' points at it) and puts it on the free list. */
static inline void
release(struct conntrack *ct, uint32_t *link, uint32_t i)
{
    struct ct_entry *e = &ct->entries[i];
    *link = e->next;
    e->next = ct->free_head;
    ct->free_head = i;
    ct->n_used--;
}

static inline uint64_t
timeout_sec(const struct ct_entry *e)
{
    if (e->eni & (CT_NAT_INSIDE | CT_NAT_OUTSIDE)) {
        return CT_NAT_IDLE_SEC;
    }
    switch (e->proto) {
    case PACKET_IP_PROTO_TCP:
        switch (e->tcp_state) {
        case CT_TCP_ESTABLISHED:
            return CT_TCP_ESTABLISHED_SEC;
        case CT_TCP_CLOSING:
            return CT_TCP_CLOSING_SEC;
        case CT_TCP_RESET:
            return CT_TCP_RESET_SEC;
        default:
            return CT_TCP_OPENING_SEC;
        }
    case PACKET_IP_PROTO_UDP:
        /* 9.2: a stream has seen more than one request/response. */
        return (e->flags & CT_SEEN_OUT) && (e->flags & CT_SEEN_IN) && e->n_packets >= 3
                   ? CT_UDP_STREAM_SEC
                   : CT_UDP_SEC;
    case PACKET_IP_PROTO_ICMP:
        return CT_ICMP_SEC;
    default:
        return CT_OTHER_SEC;
    }
}

/* Counts one packet of 'e' going 'dir' and renews its timeout. */
static inline void
update(struct ct_entry *e, enum ct_dir dir, uint8_t tcp_flags, uint64_t now_ns)
{
    e->flags |= dir == CT_DIR_OUT ? CT_SEEN_OUT : CT_SEEN_IN;
    if (e->n_packets < UINT8_MAX) {
        e->n_packets++;
    }
    if (e->proto == PACKET_IP_PROTO_TCP) {
        if (tcp_flags & PACKET_TCP_RST) {
            e->tcp_state = CT_TCP_RESET;
        } else if (e->tcp_state != CT_TCP_RESET) {
            if (tcp_flags & PACKET_TCP_FIN) {
                e->flags |= dir == CT_DIR_OUT ? CT_FIN_OUT : CT_FIN_IN;
            }
            if ((e->flags & (CT_FIN_OUT | CT_FIN_IN)) == (CT_FIN_OUT | CT_FIN_IN)) {
                e->tcp_state = CT_TCP_CLOSING;
            } else if ((e->flags & (CT_SEEN_OUT | CT_SEEN_IN)) == (CT_SEEN_OUT | CT_SEEN_IN)) {
                e->tcp_state = CT_TCP_ESTABLISHED;
            }
        } else if (tcp_flags & PACKET_TCP_SYN) {
            /* A new connection reusing the tuple after a reset. */
            e->tcp_state = CT_TCP_OPENING;
            e->flags = dir == CT_DIR_OUT ? CT_SEEN_OUT : CT_SEEN_IN;
        }
    }
    e->expires_ns = now_ns + timeout_sec(e) * CT_NS_PER_SEC;
}

/* The live entry for 'k', or CT_NIL; frees expired entries of the chain. */
static inline uint32_t
find(struct conntrack *ct, const struct ct_key *k, uint64_t now_ns)
{
    uint32_t *link = &ct->buckets[hash_key(ct, k) & ct->mask];
    while (*link != CT_NIL) {
        uint32_t i = *link;
        struct ct_entry *e = &ct->entries[i];
        if (e->expires_ns <= now_ns) {
            release(ct, link, i);
            continue;
        }
        if (key_equal(e, k)) {
            return i;
        }
        link = &e->next;
    }
    return CT_NIL;
}

bool
conntrack_lookup(struct conntrack *ct, const struct ct_key *k, enum ct_dir dir,
                 uint8_t tcp_flags, uint64_t now_ns)
{
    uint32_t i = find(ct, k, now_ns);
    if (i == CT_NIL) {
        return false;
    }
    update(&ct->entries[i], dir, tcp_flags, now_ns);
    return true;
}

bool
conntrack_contains(const struct conntrack *ct, const struct ct_key *k, uint64_t now_ns)
{
    for (uint32_t i = ct->buckets[hash_key(ct, k) & ct->mask]; i != CT_NIL;
         i = ct->entries[i].next) {
        const struct ct_entry *e = &ct->entries[i];
        if (e->expires_ns > now_ns && key_equal(e, k)) {
            return true;
        }
    }
    return false;
}

static uint32_t insert(struct conntrack *, const struct ct_key *);

int
conntrack_add(struct conntrack *ct, const struct ct_key *k, enum ct_dir dir, uint8_t tcp_flags,
              uint64_t now_ns)
{
    uint32_t i = find(ct, k, now_ns);
    if (i != CT_NIL) {
        update(&ct->entries[i], dir, tcp_flags, now_ns);
        return 0;
    }
    if (unlikely(ct->free_head == CT_NIL)) {
        return -ENOSPC;
    }
    i = insert(ct, k);
    update(&ct->entries[i], dir, tcp_flags, now_ns);
    return 0;
}

/* Takes a free entry for 'k' (the caller checked there is one). */
static uint32_t
insert(struct conntrack *ct, const struct ct_key *k)
{
    uint32_t i = ct->free_head;
    struct ct_entry *e = &ct->entries[i];
    ct->free_head = e->next;
    uint32_t b = hash_key(ct, k) & ct->mask;
    *e = (struct ct_entry) {
        .eni = k->eni, .local = k->local, .remote = k->remote,
        .lport = k->lport, .rport = k->rport, .proto = k->proto,
        .tcp_state = CT_TCP_OPENING, .next = ct->buckets[b], .peer = CT_NIL,
    };
    ct->buckets[b] = i;
    ct->n_used++;
    return i;
}

static void
entry_key(const struct ct_entry *e, struct ct_key *k)
{
    *k = (struct ct_key) { e->eni, e->local, e->remote, e->lport, e->rport, e->proto };
}

void
conntrack_set_nat_ports(struct conntrack *ct, uint16_t lo, uint16_t hi)
{
    lo = MAX(lo, 1);
    hi = MAX(hi, lo);
    ct->nat_lo = lo;
    ct->nat_range = (uint32_t) hi - lo + 1;
}

bool
conntrack_nat_lookup(struct conntrack *ct, const struct ct_key *k, uint8_t tcp_flags,
                     uint64_t now_ns, struct ct_key *peer)
{
    uint32_t i = find(ct, k, now_ns);
    if (i == CT_NIL) {
        return false;
    }
    /* Both entries expire together, so a live entry's peer is live. */
    struct ct_entry *e = &ct->entries[i];
    struct ct_entry *p = &ct->entries[e->peer];
    update(e, k->eni & CT_NAT_INSIDE ? CT_DIR_OUT : CT_DIR_IN, tcp_flags, now_ns);
    p->expires_ns = e->expires_ns;
    entry_key(p, peer);
    return true;
}

bool
conntrack_nat_contains(const struct conntrack *ct, const struct ct_key *k, uint64_t now_ns,
                       struct ct_key *peer)
{
    for (uint32_t i = ct->buckets[hash_key(ct, k) & ct->mask]; i != CT_NIL;
         i = ct->entries[i].next) {
        const struct ct_entry *e = &ct->entries[i];
        if (e->expires_ns > now_ns && key_equal(e, k)) {
            entry_key(&ct->entries[e->peer], peer);
            return true;
        }
    }
    return false;
}

static uint32_t
gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int
conntrack_nat_pick_port(const struct conntrack *ct, const struct ct_key *inside,
                        struct ct_key *outside, uint64_t now_ns)
{
    /* Double hashing: a start and a step coprime with the range visit every
     * port once; the seed keeps the sequence unguessable from outside. */
    uint32_t range = ct->nat_range;
    uint64_t h = (uint64_t) hash_key(ct, inside) << 32 | hash_key(ct, outside);
    uint32_t pos = (uint32_t) (h % range);
    uint32_t step = range > 1 ? 1 + (uint32_t) ((h >> 32) % (range - 1)) : 1;
    if (gcd(step, range) != 1) {
        step = 1;
    }
    uint32_t probes = MIN(range, (uint32_t) CT_NAT_PORT_PROBES);
    for (uint32_t n = 0; n < probes; n++) {
        uint16_t port = (uint16_t) (ct->nat_lo + pos);
        outside->lport = port;
        if (outside->proto == PACKET_IP_PROTO_ICMP) {
            outside->rport = port;
        }
        struct ct_key ignored;
        if (!conntrack_nat_contains(ct, outside, now_ns, &ignored)) {
            return 0;
        }
        pos += step;
        if (pos >= range) {
            pos -= range;
        }
    }
    return -EADDRNOTAVAIL;
}

int
conntrack_nat_add(struct conntrack *ct, const struct ct_key *inside, const struct ct_key *outside,
                  uint8_t tcp_flags, uint64_t now_ns)
{
    if (unlikely(ct->capacity - ct->n_used < 2)) {
        return -ENOSPC;
    }
    uint32_t a = insert(ct, inside);
    uint32_t b = insert(ct, outside);
    ct->entries[a].peer = b;
    ct->entries[b].peer = a;
    update(&ct->entries[a], CT_DIR_OUT, tcp_flags, now_ns);
    update(&ct->entries[b], CT_DIR_OUT, tcp_flags, now_ns);
    return 0;
}

size_t
conntrack_free(const struct conntrack *ct)
{
    return ct->capacity - ct->n_used;
}

static bool frag_reclaim_oldest(struct conntrack *, uint64_t now_ns);

size_t
conntrack_sweep(struct conntrack *ct, uint64_t now_ns, size_t budget)
{
    for (size_t n = 0; n < budget && frag_reclaim_oldest(ct, now_ns); n++) {
        continue;
    }
    size_t freed = 0;
    for (size_t n = 0; n < budget && n <= ct->mask; n++) {
        uint32_t *link = &ct->buckets[ct->sweep_cursor];
        ct->sweep_cursor = (ct->sweep_cursor + 1) & ct->mask;
        while (*link != CT_NIL) {
            uint32_t i = *link;
            if (ct->entries[i].expires_ns <= now_ns) {
                release(ct, link, i);
                freed++;
            } else {
                link = &ct->entries[i].next;
            }
        }
    }
    return freed;
}

/* ---- IPv4 fragments. ---- */

static void
frags_flush(struct ct_frags *fr)
{
    for (uint32_t b = 0; b < CT_FRAG_CAPACITY; b++) {
        fr->buckets[b] = CT_NIL;
    }
    for (uint32_t i = 0; i < fr->limit; i++) {
        fr->entries[i].next = i + 1 < fr->limit ? i + 1 : CT_NIL;
    }
    fr->free_head = 0;
    fr->oldest = fr->newest = CT_NIL;
    fr->n_used = 0;
}

void
conntrack_set_frag_limit(struct conntrack *ct, size_t limit)
{
    ct->frags->limit = (uint32_t) MIN(MAX(limit, 1), (size_t) CT_FRAG_CAPACITY);
    frags_flush(ct->frags);
}

size_t
conntrack_frag_count(const struct conntrack *ct)
{
    return ct->frags->n_used;
}

static inline uint32_t
frag_hash(const struct conntrack *ct, uint64_t in_port, uint32_t src, uint32_t dst,
          uint16_t ip_id, uint8_t proto)
{
    uint64_t h = ct->seed ^ (in_port * UINT64_C(0x9e3779b97f4a7c15));
    h ^= ((uint64_t) src << 32 | dst) * UINT64_C(0xc2b2ae3d27d4eb4f);
    h ^= ((uint64_t) ip_id << 8 | proto) * UINT64_C(0x165667b19e3779f9);
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 32;
    return (uint32_t) h & (CT_FRAG_CAPACITY - 1);
}

static inline uint32_t
frag_key_hash(const struct conntrack *ct, const struct ct_frag_key *k)
{
    return frag_hash(ct, k->in_port, k->src, k->dst, k->ip_id, k->proto);
}

static inline bool
frag_key_equal(const struct ct_frag_entry *e, const struct ct_frag_key *k)
{
    return e->in_port == k->in_port && e->src == k->src && e->dst == k->dst
           && e->ip_id == k->ip_id && e->proto == k->proto;
}

/* Unlinks entry 'i' from its chain and from the queue, and frees it. */
static void
frag_release(struct conntrack *ct, uint32_t i)
{
    struct ct_frags *fr = ct->frags;
    struct ct_frag_entry *e = &fr->entries[i];
    uint32_t *link = &fr->buckets[frag_hash(ct, e->in_port, e->src, e->dst, e->ip_id,
                                            e->proto)];
    while (*link != i) {
        ASSERT(*link != CT_NIL);
        link = &fr->entries[*link].next;
    }
    *link = e->next;
    if (e->older != CT_NIL) {
        fr->entries[e->older].newer = e->newer;
    } else {
        fr->oldest = e->newer;
    }
    if (e->newer != CT_NIL) {
        fr->entries[e->newer].older = e->older;
    } else {
        fr->newest = e->older;
    }
    e->next = fr->free_head;
    fr->free_head = i;
    fr->n_used--;
}

/* Frees the oldest entry if it has expired; returns whether it did. */
static bool
frag_reclaim_oldest(struct conntrack *ct, uint64_t now_ns)
{
    uint32_t i = ct->frags->oldest;
    if (i == CT_NIL || ct->frags->entries[i].expires_ns > now_ns) {
        return false;
    }
    frag_release(ct, i);
    return true;
}

/* The entry for 'k', live or not, or CT_NIL. */
static uint32_t
frag_find(const struct conntrack *ct, const struct ct_frag_key *k)
{
    const struct ct_frags *fr = ct->frags;
    for (uint32_t i = fr->buckets[frag_key_hash(ct, k)]; i != CT_NIL; i = fr->entries[i].next) {
        if (frag_key_equal(&fr->entries[i], k)) {
            return i;
        }
    }
    return CT_NIL;
}

bool
conntrack_frag_room(const struct conntrack *ct, const struct ct_frag_key *k, uint64_t now_ns)
{
    const struct ct_frags *fr = ct->frags;
    if (fr->free_head != CT_NIL) {
        return true;
    }
    uint32_t i = frag_find(ct, k);
    return (i != CT_NIL && fr->entries[i].expires_ns > now_ns)
           || (fr->oldest != CT_NIL && fr->entries[fr->oldest].expires_ns <= now_ns);
}

int
conntrack_frag_add(struct conntrack *ct, const struct ct_frag_key *k, uint16_t size,
                   const struct ct_frag_verdict *verdict, uint64_t now_ns)
{
    struct ct_frags *fr = ct->frags;
    uint32_t i = frag_find(ct, k);
    if (i != CT_NIL && fr->entries[i].expires_ns <= now_ns) {
        frag_release(ct, i);
        i = CT_NIL;
    }
    if (i != CT_NIL) {
        /* A repeated first fragment (retransmitted by a middlebox, or the
         * same IP id again within the timeout): the latest verdict counts. */
        struct ct_frag_entry *e = &fr->entries[i];
        e->new_src = verdict->src;
        e->new_dst = verdict->dst;
        e->out_port = verdict->out_port;
        e->out_seq = verdict->out_seq;
        return 0;
    }
    if (fr->free_head == CT_NIL && !frag_reclaim_oldest(ct, now_ns)) {
        return -ENOSPC;
    }
    i = fr->free_head;
    struct ct_frag_entry *e = &fr->entries[i];
    fr->free_head = e->next;
    uint32_t b = frag_key_hash(ct, k);
    *e = (struct ct_frag_entry) {
        .in_port = k->in_port, .out_seq = verdict->out_seq,
        .expires_ns = now_ns + (uint64_t) CT_FRAG_SEC * CT_NS_PER_SEC,
        .src = k->src, .dst = k->dst, .new_src = verdict->src, .new_dst = verdict->dst,
        .out_port = verdict->out_port, .next = fr->buckets[b], .older = fr->newest,
        .newer = CT_NIL, .seen = size, .end = 0, .ip_id = k->ip_id, .proto = k->proto,
    };
    fr->buckets[b] = i;
    if (fr->newest != CT_NIL) {
        fr->entries[fr->newest].newer = i;
    } else {
        fr->oldest = i;
    }
    fr->newest = i;
    fr->n_used++;
    return 0;
}

bool
conntrack_frag_lookup(struct conntrack *ct, const struct ct_frag_key *k, uint16_t offset,
                      uint16_t size, bool more, uint64_t now_ns, struct ct_frag_verdict *verdict)
{
    struct ct_frags *fr = ct->frags;
    uint32_t i = frag_find(ct, k);
    if (i == CT_NIL) {
        return false;
    }
    struct ct_frag_entry *e = &fr->entries[i];
    if (e->expires_ns <= now_ns) {
        frag_release(ct, i);
        return false;
    }
    *verdict = (struct ct_frag_verdict) { e->out_port, e->out_seq, e->new_src, e->new_dst };
    /* Bytes, not ranges: a duplicated fragment may end the entry before a
     * lost one arrives, which then drops like any late fragment; the
     * datagram was lost anyway. */
    e->seen += size;
    if (!more) {
        e->end = (uint32_t) offset + size;
    }
    if (e->end && e->seen >= e->end) {
        frag_release(ct, i);
    }
    return true;
}
