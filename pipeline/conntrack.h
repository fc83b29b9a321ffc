/* Connection tracking for security groups (vpc-semantics.md 9.2).
 *
 * A security group is stateful: once a flow is admitted in one direction, its
 * replies pass whatever the other direction's rules say.  The pipeline keeps
 * one entry per interface and flow, keyed from the interface's side:
 * (interface, protocol, local address, remote address, local port, remote
 * port).  A packet the interface sends looks its flow up with local = source;
 * a packet it receives with local = destination; so one entry serves both
 * directions, and two interfaces talking to each other hold one entry each
 * (each has its own groups).  ICMP echo uses its identifier as both ports;
 * other ICMP and protocols without ports use 0 (9.2: "other protocols only
 * by (addresses, protocol)").
 *
 * The interface is named by its model creation sequence (struct resource
 * seq), which is unique and never reused, not by a snapshot port index: the
 * table outlives snapshots and port indexes change with each compile.
 *
 * Table: 'capacity' entries preallocated at create, chained through 32-bit
 * indexes from a power-of-two bucket array, a free list for the rest.  When
 * the free list is empty a new flow is refused (AWS: "each instance has a
 * tracked-connection maximum; beyond it new flows drop").  Entries expire by
 * idle timeout: lazily when a lookup walks over them, and through
 * conntrack_sweep(), which the data-plane loop calls with a small budget each
 * turn.
 *
 * Timeouts (9.2): TCP established 432000 s; UDP 30 s, 180 s once a stream
 * (both directions seen and more than one exchange: three packets or more);
 * other protocols 600 s.  The ones AWS leaves unconfirmed ("short, fixed"):
 * TCP before it is established 120 s, after FIN from both sides 120 s, after
 * RST 10 s; ICMP 30 s.
 *
 * NAT gateways (vpc-semantics.md 11) keep their translations in the same
 * table, as pairs of entries linked to each other: the inside entry, keyed
 * as the inside host sends (eni = the gateway interface's seq | CT_NAT_INSIDE,
 * local = the host's address and port, remote = the destination), and the
 * outside entry, keyed as the gateway sends on (eni = seq | CT_NAT_OUTSIDE,
 * local = the gateway's private address and allocated port).  A lookup of
 * either returns the other's key: the translation.  Both share one idle
 * timeout, CT_NAT_IDLE_SEC, renewed together, so one is never live without
 * the other.  A NAT connection costs two entries (80 bytes plus the buckets'
 * share); nothing else is allocated.  Ports: a free port is found by probing
 * the table for the outside key with candidate ports (double hashing over
 * [nat_port_min, nat_port_max], at most CT_NAT_PORT_PROBES probes), so a port
 * is unique per (gateway, destination address, destination port, protocol)
 * as AWS allocates them; no probe finding a free port is ErrorPortAllocation.
 * ICMP echo uses the identifier as both ports on either side.
 *
 * IPv4 fragments.  Only a datagram's first fragment carries ports, so only it
 * can be judged by rules and NAT.  The pipeline records the verdict it gave a
 * first fragment (the output port and the addresses after NAT) keyed by
 * (receiving port, source, destination, protocol, IP id), and later
 * fragments follow it: they are never judged by rules, so one whose first
 * fragment was not admitted is dropped.  A second, smaller preallocated table
 * (CT_FRAG_CAPACITY entries, a hash over a chain per bucket as above, plus a
 * queue in arrival order): an entry lives CT_FRAG_SEC from its first fragment
 * (Linux's ipfrag_time; later fragments do not renew it, so the queue is
 * also the expiry order and the oldest entry is the one to reclaim), or until
 * fragments covering the whole datagram have passed.  When every entry is
 * live, a new fragmented datagram is refused (its first fragment dropped):
 * AWS drops what it cannot track rather than forwarding it unjudged.
 *
 * Threads: one table per data-plane thread, used by that thread only (there
 * is one data-plane thread for now).  No locks, no allocation and no system
 * calls after conntrack_create(). */
#ifndef VPCD_PIPELINE_CONNTRACK_H
#define VPCD_PIPELINE_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conntrack;

enum {
    CONNTRACK_MAX_CAPACITY = 1 << 30,
    CT_TCP_ESTABLISHED_SEC = 432000,
    CT_TCP_OPENING_SEC = 120,
    CT_TCP_CLOSING_SEC = 120,
    CT_TCP_RESET_SEC = 10,
    CT_UDP_SEC = 30,
    CT_UDP_STREAM_SEC = 180,
    CT_ICMP_SEC = 30,
    CT_OTHER_SEC = 600,
    CT_NAT_IDLE_SEC = 350,          /* section 11 */
    CT_NAT_PORT_MIN = 1024,
    CT_NAT_PORT_MAX = 65535,
    CT_NAT_PORT_PROBES = 256,
    CT_FRAG_SEC = 30,               /* like Linux's net.ipv4.ipfrag_time */
    CT_FRAG_CAPACITY = 4096,        /* fragmented datagrams in flight, all interfaces */
};

/* Flags in ct_key.eni for a NAT gateway's entries (model seqs never reach them). */
#define CT_NAT_INSIDE (UINT64_C(1) << 63)
#define CT_NAT_OUTSIDE (UINT64_C(1) << 62)

/* A flow as one interface sees it.  Host byte order throughout. */
struct ct_key {
    uint64_t eni;           /* the interface's model seq */
    uint32_t local;         /* the interface's address */
    uint32_t remote;
    uint16_t lport;         /* TCP/UDP port, ICMP echo id, else 0 */
    uint16_t rport;
    uint8_t proto;
};

/* Which way a packet goes relative to the key's interface. */
enum ct_dir {
    CT_DIR_OUT,             /* the interface sends it */
    CT_DIR_IN,              /* the interface receives it */
};

/* ---- Control thread. ---- */

/* A table of 'capacity' entries (1..CONNTRACK_MAX_CAPACITY, clamped), all
 * allocated now.  Caller frees with conntrack_destroy(). */
struct conntrack *conntrack_create(size_t capacity);
void conntrack_destroy(struct conntrack *);          /* accepts NULL */

/* Bytes per entry, the bucket array's share included. */
size_t conntrack_bytes_per_entry(const struct conntrack *);

/* ---- The table's data-plane thread. ---- */

/* Whether 'key' is a live flow; if so, counts the packet going 'dir' with
 * TCP 'tcp_flags' (0 for other protocols) and renews its idle timeout.
 * Expired entries met on the way are freed. */
bool conntrack_lookup(struct conntrack *, const struct ct_key *, enum ct_dir,
                      uint8_t tcp_flags, uint64_t now_ns);

/* Whether 'key' is a live flow, changing nothing (ICMP errors about a flow:
 * they pass as related traffic without refreshing it). */
bool conntrack_contains(const struct conntrack *, const struct ct_key *, uint64_t now_ns);

/* Records a new flow whose first packet goes 'dir'.  Returns 0, or -ENOSPC
 * when the table is full.  An existing live entry for 'key' is counted as
 * by conntrack_lookup() instead. */
int conntrack_add(struct conntrack *, const struct ct_key *, enum ct_dir, uint8_t tcp_flags,
                  uint64_t now_ns);

/* Frees expired entries among the next 'budget' slots (round robin over the
 * whole table), and up to 'budget' expired fragment entries; returns how many
 * connection entries were freed. */
size_t conntrack_sweep(struct conntrack *, uint64_t now_ns, size_t budget);

/* Live and not-yet-reclaimed entries. */
size_t conntrack_count(const struct conntrack *);

/* ---- NAT gateways (the table's data-plane thread). ---- */

/* Narrows the ports NAT allocates (default CT_NAT_PORT_MIN..CT_NAT_PORT_MAX);
 * tests use it to exhaust a range.  1 <= lo <= hi. */
void conntrack_set_nat_ports(struct conntrack *, uint16_t lo, uint16_t hi);

/* 'k' is an inside or outside key (CT_NAT_INSIDE / CT_NAT_OUTSIDE in
 * k->eni).  If its connection is live, renews both entries, counts the
 * packet, copies the other entry's key into '*peer' and returns true. */
bool conntrack_nat_lookup(struct conntrack *, const struct ct_key *k, uint8_t tcp_flags,
                          uint64_t now_ns, struct ct_key *peer);

/* The same without renewing anything (ICMP errors about a connection). */
bool conntrack_nat_contains(const struct conntrack *, const struct ct_key *k, uint64_t now_ns,
                            struct ct_key *peer);

/* Finds a free port for a new connection: '*outside' (the outside key, its
 * lport ignored; for ICMP rport too) gets the port in lport (and rport for
 * ICMP).  'inside' seeds the probe sequence.  Returns 0, or -EADDRNOTAVAIL
 * when no probe found one (ErrorPortAllocation).  Changes nothing. */
int conntrack_nat_pick_port(const struct conntrack *, const struct ct_key *inside,
                            struct ct_key *outside, uint64_t now_ns);

/* Records the pair (after conntrack_nat_pick_port() with no change to the
 * table in between).  Returns 0, or -ENOSPC when fewer than two entries are
 * free. */
int conntrack_nat_add(struct conntrack *, const struct ct_key *inside,
                      const struct ct_key *outside, uint8_t tcp_flags, uint64_t now_ns);

/* Free entries. */
size_t conntrack_free(const struct conntrack *);

/* ---- IPv4 fragments (the table's data-plane thread). ---- */

/* The receiving port of a datagram from the internet in struct ct_frag_key. */
#define CT_FRAG_FROM_INTERNET UINT64_MAX

/* A fragmented datagram as it arrived.  Host byte order. */
struct ct_frag_key {
    uint64_t in_port;       /* the receiving interface's model seq, or CT_FRAG_FROM_INTERNET */
    uint32_t src, dst;      /* as received, before NAT */
    uint16_t ip_id;
    uint8_t proto;
};

/* What the first fragment became. */
struct ct_frag_verdict {
    uint32_t out_port;      /* the snapshot port it was delivered on */
    uint64_t out_seq;       /* that interface's model seq (0: not an interface), to check
                             * 'out_port' against a newer snapshot */
    uint32_t src, dst;      /* its addresses after NAT */
};

/* Whether a first fragment of 'key' may be recorded now: its datagram is
 * known already, an entry is free, or the oldest has expired. */
bool conntrack_frag_room(const struct conntrack *, const struct ct_frag_key *, uint64_t now_ns);

/* Records the verdict of a first fragment carrying 'size' payload bytes
 * (after conntrack_frag_room() said yes, it cannot fail).  A repeated first
 * fragment replaces the verdict and keeps the timer.  Returns 0, or -ENOSPC
 * when no entry is free. */
int conntrack_frag_add(struct conntrack *, const struct ct_frag_key *, uint16_t size,
                       const struct ct_frag_verdict *, uint64_t now_ns);

/* A later fragment at 'offset' (bytes) with 'size' payload bytes, the last
 * one unless 'more': if its first fragment's verdict is live, copies it to
 * '*verdict' and returns true.  The entry goes once fragments covering the
 * whole datagram have passed. */
bool conntrack_frag_lookup(struct conntrack *, const struct ct_frag_key *, uint16_t offset,
                           uint16_t size, bool more, uint64_t now_ns,
                           struct ct_frag_verdict *verdict);

/* Narrows the fragment table to 'limit' entries (1..CT_FRAG_CAPACITY,
 * clamped; default CT_FRAG_CAPACITY) and empties it; tests use it to fill it. */
void conntrack_set_frag_limit(struct conntrack *, size_t limit);

/* Fragmented datagrams recorded and not yet reclaimed. */
size_t conntrack_frag_count(const struct conntrack *);

/* Removes every entry, fragments included. */
void conntrack_flush(struct conntrack *);

#endif
