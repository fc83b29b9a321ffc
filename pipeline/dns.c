/* The Amazon resolver (see dns.h): the name table compiled into the
 * snapshot, the query parser, the resolution rules, and the UDP and TCP
 * replies built in the frame.  Contents:
 *   wire helpers, parser          dns_query_parse()
 *   name table (control thread)   dns_table_compile()
 *   resolution                    dns_resolve(), dns_reply_build()
 *   frames (data path)            dns_resolver_process(): UDP, stateless TCP */
#include "pipeline/dns.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/model.h"
#include "model/network_interface.h"
#include "model/vpc.h"
#include "net/bytes.h"
#include "net/checksum.h"
#include "net/ipaddr.h"

const char *
dns_error_name(enum dns_error error)
{
    static const char *const names[] = {
#define DNS_ERROR_NAME(NAME, DESCRIPTION) #NAME,
        DNS_ERRORS(DNS_ERROR_NAME)
#undef DNS_ERROR_NAME
    };
    return (unsigned) error < DNS_N_ERRORS ? names[error] : "?";
}

/* ---- Wire helpers and the parser. ---- */




static uint8_t
ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t) (c + ('a' - 'A')) : c;
}

/* Reads the name at '*pos' of 'msg' into q->name, q->lower, q->label_ofs;
 * on success '*pos' is where the message goes on after the name. */
static enum dns_error
read_name(const uint8_t *msg, size_t size, size_t *pos, struct dns_query *q)
{
    size_t p = *pos;                /* the next label length */
    size_t run = p;                 /* start of the run of labels being read */
    size_t end = 0;                 /* after the name where it was found */
    bool jumped = false;
    size_t out = 0;

    q->n_labels = 0;
    for (;;) {
        if (p >= size) {
            return DNS_ERR_TRUNCATED_NAME;
        }
        uint8_t len = msg[p];
        if ((len & 0xc0) == 0xc0) {
            if (p + 1 >= size) {
                return DNS_ERR_TRUNCATED_NAME;
            }
            size_t target = (size_t) (len & 0x3f) << 8 | msg[p + 1];
            /* Strictly before the run it interrupts: every jump lowers 'run',
             * which never goes below the header, so the walk ends. */
            if (target < DNS_HEADER_SIZE || target >= run) {
                return DNS_ERR_BAD_POINTER;
            }
            if (!jumped) {
                end = p + 2;
                jumped = true;
            }
            p = run = target;
            continue;
        }
        if (len > DNS_LABEL_MAX_LEN) {
            return DNS_ERR_BAD_LABEL;
        }
        if (len == 0) {
            q->name[out] = q->lower[out] = 0;
            out++;
            if (!jumped) {
                end = p + 1;
            }
            break;
        }
        if (len >= size - p) {
            return DNS_ERR_TRUNCATED_NAME;
        }
        /* This label and at least the root label must fit in 255 bytes. */
        if (out + 1 + len + 1 > DNS_NAME_MAX_SIZE) {
            return DNS_ERR_NAME_TOO_LONG;
        }
        q->label_ofs[q->n_labels++] = (uint8_t) out;
        q->name[out] = q->lower[out] = len;
        for (size_t i = 1; i <= len; i++) {
            q->name[out + i] = msg[p + i];
            q->lower[out + i] = ascii_lower(msg[p + i]);
        }
        out += 1u + len;
        p += 1u + len;
    }
    q->name_size = (uint16_t) out;
    *pos = end;
    return DNS_ERR_OK;
}

enum dns_error
dns_query_parse(const uint8_t *msg, size_t size, struct dns_query *q)
{
    memset(q, 0, offsetof(struct dns_query, name));
    q->n_labels = 0;
    if (size < DNS_HEADER_SIZE) {
        return DNS_ERR_TRUNCATED_HEADER;
    }
    q->id = get_be16(msg);
    q->flags = get_be16(msg + 2);
    q->opcode = (uint8_t) ((q->flags >> 11) & 0xf);
    if (q->flags & DNS_FLAG_QR) {
        return DNS_ERR_NOT_QUERY;
    }
    if (q->opcode != 0) {
        return DNS_ERR_OK;          /* answered NOTIMP, whatever follows */
    }
    /* The answer, authority and additional sections (an EDNS OPT record)
     * are not read: nothing in them changes the answer. */
    if (get_be16(msg + 4) != 1) {
        return DNS_ERR_QDCOUNT;
    }
    size_t pos = DNS_HEADER_SIZE;
    enum dns_error error = read_name(msg, size, &pos, q);
    if (error != DNS_ERR_OK) {
        return error;
    }
    if (size - pos < 4) {
        return DNS_ERR_TRUNCATED_QUESTION;
    }
    q->qtype = get_be16(msg + pos);
    q->qclass = get_be16(msg + pos + 2);
    q->has_question = true;
    return DNS_ERR_OK;
}

/* ---- The name table: compiled by the control thread. ---- */

enum { DNS_SCOPE_PUBLIC = SNAPSHOT_NONE };  /* the scope of public names: every VPC's */

struct dns_entry {
    uint64_t hash;                  /* 0: an empty slot */
    const uint8_t *name;            /* wire form, lower case */
    uint16_t name_size;
    uint32_t scope;                 /* the VPC of a private name, or DNS_SCOPE_PUBLIC */
    uint32_t vpc;                   /* the VPC whose interface holds the address */
    uint32_t addr;                  /* the private IPv4 */
    uint32_t public_ip;             /* a public name's address seen from other VPCs; else 0 */
};

struct dns_domain {
    const uint8_t *name;            /* wire form, lower case: "\3ec2\10internal\0" */
    uint16_t name_size;
};

struct dns_vpc {
    struct dns_domain domains[2];   /* the private names' and the public names' */
};

struct dns_table {
    struct dns_vpc *vpcs;           /* by snapshot VPC index */
    struct dns_entry *slots;        /* open addressing, linear probing */
    uint32_t mask;
};

static uint64_t
name_hash(uint32_t scope, const uint8_t *name, size_t size)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);      /* FNV-1a, then a final mix */
    for (size_t i = 0; i < size; i++) {
        h = (h ^ name[i]) * UINT64_C(0x100000001b3);
    }
    h ^= (uint64_t) scope * UINT64_C(0x9e3779b97f4a7c15);
    return snap_hash64(h) | 1;
}

static const struct dns_entry *
find(const struct dns_table *t, uint32_t scope, const uint8_t *name, size_t size)
{
    uint64_t h = name_hash(scope, name, size);
    for (uint32_t i = (uint32_t) h & t->mask;; i = (i + 1) & t->mask) {
        const struct dns_entry *e = &t->slots[i];
        if (e->hash == 0) {
            return NULL;
        }
        if (e->hash == h && e->scope == scope && e->name_size == size
            && !memcmp(e->name, name, size)) {
            return e;
        }
    }
}

/* "ip-10-0-0-5.ec2.internal" -> wire form in the arena, lower case.  The
 * model's names are short, plain hostnames: anything else is a bug. */
static struct dns_domain
to_wire(struct arena *a, const char *text)
{
    size_t len = strlen(text);
    ASSERT(len > 0 && len + 2 <= DNS_NAME_MAX_SIZE);
    uint8_t *w = arena_alloc(a, len + 2);
    size_t label = 0;               /* offset of the current label's length byte */
    w[0] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '.') {
            ASSERT(w[label] > 0);
            label = i + 1;
            w[label] = 0;
        } else {
            w[i + 1] = ascii_lower((uint8_t) text[i]);
            w[label]++;
            ASSERT(w[label] <= DNS_LABEL_MAX_LEN);
        }
    }
    ASSERT(w[label] > 0);
    w[len + 1] = 0;
    return (struct dns_domain) { w, (uint16_t) (len + 2) };
}

static void
insert(struct dns_table *t, struct arena *a, uint32_t scope, const char *text, uint32_t vpc,
       uint32_t addr, uint32_t public_ip)
{
    struct dns_domain w = to_wire(a, text);
    uint64_t h = name_hash(scope, w.name, w.name_size);
    for (uint32_t i = (uint32_t) h & t->mask;; i = (i + 1) & t->mask) {
        struct dns_entry *e = &t->slots[i];
        if (e->hash == h && e->scope == scope && e->name_size == w.name_size
            && !memcmp(e->name, w.name, w.name_size)) {
            return;                 /* the model never holds an address twice; first wins */
        }
        if (e->hash == 0) {
            *e = (struct dns_entry) { h, w.name, w.name_size, scope, vpc, addr, public_ip };
            return;
        }
    }
}

/* The domain of the names 'fn' makes in 'region': what follows the first
 * label of any of them, so the naming rule stays the model's alone. */
static struct dns_domain
domain_of(struct arena *a, void (*fn)(const char *, uint32_t, char[ENI_DNS_NAME_SIZE]),
          const char *region)
{
    char name[ENI_DNS_NAME_SIZE];
    fn(region, 0, name);
    const char *dot = strchr(name, '.');
    ASSERT(dot && dot[1]);
    return to_wire(a, dot + 1);
}

/* Section 3: names exist while the VPC has both DNS attributes true. */
static bool
names_on(const struct snap_vpc *vpc)
{
    return vpc->dns_support && vpc->dns_hostnames;
}

struct dns_table *
dns_table_compile(const struct model *m, struct snapshot *s)
{
    struct dns_table *t = arena_zalloc(s->arena, sizeof *t);
    t->vpcs = arena_zalloc(s->arena, (s->n_vpcs + 1) * sizeof *t->vpcs);
    for (uint32_t i = 0; i < s->n_vpcs; i++) {
        const struct vpc *vpc = vpc_cast(model_find(m, s->vpcs[i].id));
        ASSERT(vpc);
        const char *region = vpc->r.scope->region;
        t->vpcs[i].domains[0] = domain_of(s->arena, network_interface_private_dns_name, region);
        t->vpcs[i].domains[1] = domain_of(s->arena, network_interface_public_dns_name, region);
    }

    size_t n = 0;
    for (uint32_t i = 0; i < s->n_enis; i++) {
        n += s->enis[i].n_addrs;
    }
    size_t cap = 4;
    while (cap < 4 * n + 2) {       /* two names per address, load <= 1/2 */
        cap <<= 1;
    }
    t->slots = arena_zalloc(s->arena, cap * sizeof *t->slots);
    t->mask = (uint32_t) (cap - 1);

    for (uint32_t i = 0; i < s->n_enis; i++) {
        const struct snap_eni *e = &s->enis[i];
        if (e->vpc == SNAPSHOT_NONE || !names_on(&s->vpcs[e->vpc])) {
            continue;
        }
        const struct vpc *vpc = vpc_cast(model_find(m, s->vpcs[e->vpc].id));
        const char *region = vpc->r.scope->region;
        for (uint32_t k = 0; k < e->n_addrs; k++) {
            char name[ENI_DNS_NAME_SIZE];
            network_interface_private_dns_name(region, e->addrs[k], name);
            insert(t, s->arena, e->vpc, name, e->vpc, e->addrs[k], 0);
            /* Section 6: the public IPv4 or the Elastic IP of the address
             * (the snapshot's public_ips, as the API reports them). */
            if (e->public_ips[k]) {
                network_interface_public_dns_name(region, e->public_ips[k], name);
                insert(t, s->arena, DNS_SCOPE_PUBLIC, name, e->vpc, e->addrs[k],
                       e->public_ips[k]);
            }
        }
    }
    return t;
}

/* ---- Resolution. ---- */

/* 0: 'q''s name is not 'd' nor below it; 1: it is 'd'; 2: it is below. */
static int
name_under(const struct dns_query *q, const struct dns_domain *d)
{
    for (uint8_t i = 0; i < q->n_labels; i++) {
        size_t ofs = q->label_ofs[i];
        if (q->name_size - ofs == d->name_size && !memcmp(q->lower + ofs, d->name, d->name_size)) {
            return i == 0 ? 1 : 2;
        }
    }
    return 0;
}

void
dns_resolve(const struct snapshot *snap, uint32_t vpc, const struct dns_query *q,
            struct dns_answer *a)
{
    *a = (struct dns_answer) { DNS_RCODE_NOERROR, 0, "" };
    if (!q->has_question) {
        a->rcode = DNS_RCODE_NOTIMP;
        a->why = "opcode other than QUERY";
        return;
    }
    if (q->qclass != DNS_CLASS_IN && q->qclass != DNS_CLASS_ANY) {
        a->rcode = DNS_RCODE_REFUSED;
        a->why = "class other than IN";
        return;
    }
    const struct dns_table *t = snap->dns;
    uint32_t addr;
    const struct dns_entry *e = find(t, vpc, q->lower, q->name_size);
    if (e) {
        addr = e->addr;
        a->why = "private name";
    } else if ((e = find(t, DNS_SCOPE_PUBLIC, q->lower, q->name_size))) {
        /* Section 3: "a public name resolves to the private IP inside the
         * VPC, public IP outside". */
        addr = e->vpc == vpc ? e->addr : e->public_ip;
        a->why = e->vpc == vpc ? "public name, private address inside its VPC"
                               : "public name of another VPC";
    }
    if (e) {
        if (q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_ANY) {
            a->addr = addr;
        } else {
            a->why = "known name, no record of this type";
        }
        return;
    }
    int under = 0;
    for (int d = 0; d < 2; d++) {
        under = MAX(under, name_under(q, &t->vpcs[vpc].domains[d]));
    }
    if (under == 2) {
        a->rcode = DNS_RCODE_NXDOMAIN;
        a->why = "no such name";
    } else if (under == 1) {
        a->why = "the domain itself";
    } else {
        /* The real resolver would recurse to the internet, which vpcd never
         * reaches.  SERVFAIL, not REFUSED: it is what a recursive resolver
         * says when it cannot reach the authoritative servers -- exactly
         * this case -- and a stub takes it as "try another server, maybe
         * later"; REFUSED would claim a policy AWS's resolver does not have
         * (it serves every name to every client of the VPC). */
        a->rcode = DNS_RCODE_SERVFAIL;
        a->why = "outside the VPC's names: no way to the internet";
    }
}

size_t
dns_reply_build(const struct dns_query *q, const struct dns_answer *a, uint8_t *buf, size_t size)
{
    size_t question = q->has_question ? q->name_size + 4u : 0;
    size_t answer = a->addr ? 16 : 0;
    size_t total = DNS_HEADER_SIZE + question + answer;
    if (total > size) {
        return 0;
    }
    /* Route 53 Resolver answers as a recursive resolver: RA set and AA
     * clear, even for the names it makes up itself. */
    uint16_t flags = (uint16_t) (DNS_FLAG_QR | (q->opcode << 11) | DNS_FLAG_RA
                                 | (q->flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | a->rcode);
    put_be16(buf, q->id);
    put_be16(buf + 2, flags);
    put_be16(buf + 4, q->has_question ? 1 : 0);
    put_be16(buf + 6, a->addr ? 1 : 0);
    put_be16(buf + 8, 0);
    put_be16(buf + 10, 0);
    uint8_t *p = buf + DNS_HEADER_SIZE;
    if (q->has_question) {
        memcpy(p, q->name, q->name_size);
        p += q->name_size;
        put_be16(p, q->qtype);
        put_be16(p + 2, q->qclass);
        p += 4;
    }
    if (a->addr) {
        put_be16(p, 0xc000 | DNS_HEADER_SIZE);     /* the question's name */
        put_be16(p + 2, DNS_TYPE_A);
        put_be16(p + 4, DNS_CLASS_IN);
        put_be32(p + 6, DNS_TTL);
        put_be16(p + 10, 4);
        put_be32(p + 12, a->addr);
    }
    return total;
}

/* ---- Frames: the data path. ---- */

static void __attribute__((format(printf, 4, 5)))
trace_step(struct pipeline_trace *trace, const char *resource, bool pass, const char *fmt, ...)
{
    if (trace->n_steps >= PIPELINE_TRACE_MAX_STEPS) {
        return;
    }
    struct pipeline_trace_step *s = &trace->steps[trace->n_steps++];
    s->stage = PIPELINE_STAGE_DNS;
    s->pass = pass;
    str_copy(s->resource, sizeof s->resource, resource);
    va_list args;
    va_start(args, fmt);
    vsnprintf(s->rule, sizeof s->rule, fmt, args);
    va_end(args);
}

#define TRACE(TRACE_, ...) \
    do { \
        if (unlikely(TRACE_)) { \
            trace_step(TRACE_, __VA_ARGS__); \
        } \
    } while (0)

static enum verdict_kind
drop(struct verdict *v, enum drop_reason reason)
{
    v->kind = VERDICT_DROP;
    v->reason = reason;
    return VERDICT_DROP;
}

static enum verdict_kind
reply(struct verdict *v, uint32_t in_port, size_t len)
{
    v->kind = VERDICT_REPLY;
    v->reason = DROP_REASON_NONE;
    v->out_port = in_port;
    v->len = len;
    return VERDICT_REPLY;
}

static const char *
rcode_name(enum dns_rcode rcode)
{
    static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                         "NOTIMP", "REFUSED" };
    return (unsigned) rcode < ARRAY_SIZE(names) ? names[rcode] : "?";
}

/* Trace only: "A ip-10-0-1-10.ec2.internal -> 10.0.1.10 (private name)". */
static void
trace_answer(struct pipeline_trace *trace, const char *vpc_id, const struct dns_query *q,
             const struct dns_answer *a)
{
    char name[DNS_NAME_MAX_SIZE + 1] = "";
    size_t n = 0;
    for (uint8_t i = 0; q->has_question && i < q->n_labels; i++) {
        const uint8_t *label = q->lower + q->label_ofs[i];
        for (uint8_t k = 1; k <= label[0]; k++) {
            name[n++] = label[k] > 32 && label[k] < 127 ? (char) label[k] : '?';
        }
        name[n++] = i + 1 < q->n_labels ? '.' : '\0';
    }
    char type[16], result[IP4_STRLEN];
    if (q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_AAAA) {
        str_copy(type, sizeof type, q->qtype == DNS_TYPE_A ? "A" : "AAAA");
    } else {
        snprintf(type, sizeof type, "type %u", q->qtype);
    }
    if (a->addr) {
        ip4_format(a->addr, result);
    }
    trace_step(trace, vpc_id, true, "%s %s -> %s (%s)", type, n ? name : ".",
               a->addr ? result : rcode_name(a->rcode), a->why);
}

/* Ethernet and IPv4 headers of a reply to the frame parsed into 'm', from
 * the resolver address it was sent to; returns where the L4 header goes. */
static uint8_t *
write_ipv4(uint8_t *frame, const struct packet_meta *m, const uint8_t router_mac[6],
           uint8_t proto, size_t l4_size)
{
    uint8_t eth_dst[PACKET_ETH_ADDR_LEN];
    memcpy(eth_dst, m->eth_src, sizeof eth_dst);
    memcpy(frame, eth_dst, PACKET_ETH_ADDR_LEN);
    memcpy(frame + PACKET_ETH_ADDR_LEN, router_mac, PACKET_ETH_ADDR_LEN);
    put_be16(frame + 12, PACKET_ETH_TYPE_IPV4);
    uint8_t *ip = frame + PACKET_ETH_HEADER_SIZE;
    ip[0] = 0x45;
    ip[1] = 0;
    put_be16(ip + 2, (uint16_t) (PACKET_IPV4_HEADER_MIN_SIZE + l4_size));
    put_be16(ip + 4, 0);
    put_be16(ip + 6, 0x4000);          /* DF */
    ip[8] = PACKET_DEFAULT_TTL;
    ip[9] = proto;
    put_be16(ip + 10, 0);
    put_be32(ip + 12, m->ip4.dst);
    put_be32(ip + 16, m->ip4.src);
    put_be16(ip + 10, checksum(ip, PACKET_IPV4_HEADER_MIN_SIZE));
    return ip + PACKET_IPV4_HEADER_MIN_SIZE;
}

static size_t
write_udp(uint8_t *frame, size_t room, const struct packet_meta *m, const uint8_t router_mac[6],
          const uint8_t *payload, size_t size)
{
    size_t l4_size = PACKET_UDP_HEADER_SIZE + size;
    size_t len = PACKET_ETH_HEADER_SIZE + PACKET_IPV4_HEADER_MIN_SIZE + l4_size;
    if (len > room) {
        return 0;
    }
    uint16_t client_port = m->sport;
    uint8_t *udp = write_ipv4(frame, m, router_mac, PACKET_IP_PROTO_UDP, l4_size);
    put_be16(udp, DNS_PORT);
    put_be16(udp + 2, client_port);
    put_be16(udp + 4, (uint16_t) l4_size);
    put_be16(udp + 6, 0);
    memcpy(udp + PACKET_UDP_HEADER_SIZE, payload, size);
    uint32_t sum = checksum_pseudo_ipv4(m->ip4.dst, m->ip4.src, PACKET_IP_PROTO_UDP,
                                        (uint16_t) l4_size);
    uint16_t csum = checksum_fold(checksum_partial(udp, l4_size, sum));
    put_be16(udp + 6, csum ? csum : 0xffff);
    return len;
}

static size_t
write_tcp(uint8_t *frame, size_t room, const struct packet_meta *m, const uint8_t router_mac[6],
          uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *payload, size_t size)
{
    size_t l4_size = PACKET_TCP_HEADER_MIN_SIZE + size;
    size_t len = PACKET_ETH_HEADER_SIZE + PACKET_IPV4_HEADER_MIN_SIZE + l4_size;
    if (len > room) {
        return 0;
    }
    uint16_t client_port = m->sport;
    uint8_t *tcp = write_ipv4(frame, m, router_mac, PACKET_IP_PROTO_TCP, l4_size);
    put_be16(tcp, DNS_PORT);
    put_be16(tcp + 2, client_port);
    put_be32(tcp + 4, seq);
    put_be32(tcp + 8, ack);
    tcp[12] = (PACKET_TCP_HEADER_MIN_SIZE / 4) << 4;
    tcp[13] = flags;
    put_be16(tcp + 14, 0xffff);        /* window */
    put_be16(tcp + 16, 0);
    put_be16(tcp + 18, 0);
    if (size) {
        memcpy(tcp + PACKET_TCP_HEADER_MIN_SIZE, payload, size);
    }
    uint32_t sum = checksum_pseudo_ipv4(m->ip4.dst, m->ip4.src, PACKET_IP_PROTO_TCP,
                                        (uint16_t) l4_size);
    put_be16(tcp + 16, checksum_fold(checksum_partial(tcp, l4_size, sum)));
    return len;
}

/* The parsed query's answer, as a DNS message in 'out'. */
static size_t
answer(const struct snapshot *snap, uint32_t vpc, const struct dns_query *q,
       struct pipeline_trace *trace, uint8_t out[DNS_MESSAGE_MAX_SIZE])
{
    struct dns_answer a;
    dns_resolve(snap, vpc, q, &a);
    size_t n = dns_reply_build(q, &a, out, DNS_MESSAGE_MAX_SIZE);
    ASSERT(n > 0);                  /* at most 12 + 255 + 4 + 16 bytes */
    if (unlikely(trace)) {
        trace_answer(trace, snap->vpcs[vpc].id, q, &a);
    }
    return n;
}

/* The server's initial sequence number for the connection of 'm' whose
 * client chose 'client_isn': a SYN cookie, so that no state is kept. */
static uint32_t
cookie(const struct packet_meta *m, uint32_t client_isn)
{
    uint64_t x = snap_hash64(((uint64_t) m->ip4.src << 32 | m->ip4.dst)
                             ^ UINT64_C(0x5bd1e9955bd1e995));
    x = snap_hash64(x ^ ((uint64_t) m->sport << 48 | (uint64_t) client_isn << 8));
    return (uint32_t) (x ^ (x >> 32));
}

static enum verdict_kind
tcp_process(const struct snapshot *snap, uint32_t in_port, uint8_t *frame, size_t room,
            const struct packet_meta *m, struct pipeline_trace *trace, struct verdict *v)
{
    const struct snap_eni *eni = &snap->enis[in_port];
    const char *vpc_id = snap->vpcs[eni->vpc].id;
    uint8_t flags = m->tcp.flags;
    size_t header = 4u * m->tcp.data_offset;
    size_t payload = m->l4_size - header;       /* packet_parse: data offset <= segment */
    uint32_t seq = m->tcp.seq, ack = m->tcp.ack;
    size_t n;

    if (flags & PACKET_TCP_RST) {
        TRACE(trace, vpc_id, false, "TCP reset");
        return drop(v, DROP_REASON_DNS_TCP_NO_ANSWER);
    }
    if (flags & PACKET_TCP_SYN) {
        if (flags & PACKET_TCP_ACK) {
            TRACE(trace, vpc_id, false, "TCP SYN-ACK to the resolver");
            return drop(v, DROP_REASON_DNS_TCP_NO_ANSWER);
        }
        n = write_tcp(frame, room, m, snap->router_mac, PACKET_TCP_SYN | PACKET_TCP_ACK,
                      cookie(m, seq), seq + 1, NULL, 0);
        ASSERT(n > 0);
        TRACE(trace, vpc_id, true, "TCP SYN: SYN-ACK");
        return reply(v, in_port, n);
    }
    if (!(flags & PACKET_TCP_ACK)) {
        TRACE(trace, vpc_id, false, "TCP segment without ACK");
        return drop(v, DROP_REASON_DNS_TCP_NO_ANSWER);
    }
    if (payload == 0) {
        if (flags & PACKET_TCP_FIN) {
            n = write_tcp(frame, room, m, snap->router_mac, PACKET_TCP_ACK, ack, seq + 1, NULL,
                          0);
            ASSERT(n > 0);
            TRACE(trace, vpc_id, true, "TCP FIN: ACK");
            return reply(v, in_port, n);
        }
        TRACE(trace, vpc_id, false, "TCP acknowledgement");
        return drop(v, DROP_REASON_DNS_TCP_NO_ANSWER);
    }

    /* Data: answered only when it is the connection's first byte on (the
     * ACK proves the handshake, the cookie of seq - 1 the position) and it
     * holds a whole length-prefixed query. */
    const uint8_t *data = frame + m->l4_ofs + header;
    size_t size = payload >= 2 ? get_be16(data) : SIZE_MAX;
    struct packet_addrs addrs = { .ip_src = m->ip4.dst, .ip_dst = m->ip4.src };
    memcpy(addrs.eth_src, snap->router_mac, PACKET_ETH_ADDR_LEN);
    memcpy(addrs.eth_dst, m->eth_src, PACKET_ETH_ADDR_LEN);
    if (ack != cookie(m, seq - 1) + 1 || size > payload - 2) {
        n = packet_build_tcp_rst(frame, room, &addrs, DNS_PORT, m->sport, ack, 0, false);
        ASSERT(n > 0);
        TRACE(trace, vpc_id, true, "TCP data not a whole first query: RST");
        return reply(v, in_port, n);
    }
    struct dns_query q;
    enum dns_error error = dns_query_parse(data + 2, size, &q);
    if (error != DNS_ERR_OK) {
        TRACE(trace, vpc_id, false, "malformed: %s", dns_error_name(error));
        return drop(v, DROP_REASON_DNS_MALFORMED);
    }
    uint8_t out[2 + DNS_MESSAGE_MAX_SIZE];
    size_t out_size = answer(snap, eni->vpc, &q, trace, out + 2);
    put_be16(out, (uint16_t) out_size);
    /* One answer per connection: FIN with it (RFC 7766 lets the server
     * close; a client with more to ask opens another). */
    uint32_t next = seq + (uint32_t) payload + ((flags & PACKET_TCP_FIN) ? 1 : 0);
    n = write_tcp(frame, room, m, snap->router_mac,
                  PACKET_TCP_ACK | PACKET_TCP_PSH | PACKET_TCP_FIN, ack, next, out, 2 + out_size);
    ASSERT(n > 0);
    return reply(v, in_port, n);
}

enum verdict_kind
dns_resolver_process(const struct snapshot *snap, uint32_t in_port, uint8_t *frame, size_t room,
                     const struct packet_meta *m, struct pipeline_trace *trace, struct verdict *v)
{
    const struct snap_eni *eni = &snap->enis[in_port];
    const struct snap_vpc *vpc = &snap->vpcs[eni->vpc];
    if (!vpc->dns_support) {
        TRACE(trace, vpc->id, false, "enableDnsSupport is false");
        return drop(v, DROP_REASON_DNS_DISABLED);
    }
    if (m->ip4.is_fragment) {
        /* A query is a few dozen bytes: a fragmented one is not a client's. */
        TRACE(trace, vpc->id, false, "malformed: fragmented");
        return drop(v, DROP_REASON_DNS_MALFORMED);
    }
    if (m->l4 == PACKET_L4_TCP) {
        return tcp_process(snap, in_port, frame, room, m, trace, v);
    }

    /* packet_parse: 8 <= udp_length <= the IPv4 payload, inside the frame. */
    struct dns_query q;
    enum dns_error error = dns_query_parse(frame + m->l4_ofs + PACKET_UDP_HEADER_SIZE,
                                           m->udp_length - PACKET_UDP_HEADER_SIZE, &q);
    if (error != DNS_ERR_OK) {
        TRACE(trace, vpc->id, false, "malformed: %s", dns_error_name(error));
        return drop(v, DROP_REASON_DNS_MALFORMED);
    }
    uint8_t out[DNS_MESSAGE_MAX_SIZE];
    size_t out_size = answer(snap, eni->vpc, &q, trace, out);
    size_t n = write_udp(frame, room, m, snap->router_mac, out, out_size);
    ASSERT(n > 0);                  /* 'room' >= PIPELINE_REPLY_ROOM */
    return reply(v, in_port, n);
}
