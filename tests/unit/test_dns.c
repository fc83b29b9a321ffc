/* Unit tests for pipeline/dns: the query parser on hand-made messages (and
 * random bytes, under ASan), and the resolver through pipeline_process() on
 * a model built through the model API: every answer kind, UDP and TCP, the
 * attributes, the bypass of groups and ACLs, the trace.
 *
 *   us-east-1
 *   VPC A 10.0.0.0/16, DNS hostnames on, internet gateway
 *     S1 10.0.1.0/24 (custom ACL: deny all)
 *        a1 10.0.1.10 + 10.0.1.11, group "closed" (no outbound rule)
 *        a2 10.0.1.20, Elastic IP
 *     S2 10.0.2.0/24: b1 10.0.2.10
 *   VPC B 10.0.0.0/16, DNS hostnames off: c1 10.0.1.10
 *   eu-west-1
 *   VPC E 172.16.0.0/16, DNS hostnames on: e1 172.16.0.10 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/internet_gateway.h"
#include "model/model.h"
#include "model/network_acl.h"
#include "model/network_interface.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "net/checksum.h"
#include "pipeline/conntrack.h"
#include "pipeline/dns.h"
#include "pipeline/pipeline.h"
#include "pipeline/snapshot.h"
#include "tests/unit/testlib.h"

#define IP(a, b, c, d) ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8 | (d))

enum { CLIENT_PORT = 33333 };

/* ---- Messages. ---- */

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t) (v >> 16));
    put16(p + 2, (uint16_t) v);
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t) get16(p) << 16 | get16(p + 2);
}

/* A one-question query for 'name' ("." is the root). */
static size_t
make_query(uint8_t *out, uint16_t id, uint16_t flags, const char *name, uint16_t qtype,
           uint16_t qclass)
{
    put16(out, id);
    put16(out + 2, flags);
    put16(out + 4, 1);
    put16(out + 6, 0);
    put16(out + 8, 0);
    put16(out + 10, 0);
    size_t n = 12;
    if (strcmp(name, ".")) {
        const char *p = name;
        while (*p) {
            const char *dot = strchr(p, '.');
            size_t len = dot ? (size_t) (dot - p) : strlen(p);
            out[n++] = (uint8_t) len;
            memcpy(out + n, p, len);
            n += len;
            p += len + (dot ? 1 : 0);
        }
    }
    out[n++] = 0;
    put16(out + n, qtype);
    put16(out + n + 2, qclass);
    return n + 4;
}

/* A reply as dns_reply_build() writes it (no compression in the question,
 * at most one answer pointing at it). */
struct reply {
    uint16_t id, flags, qd, an, ns, ar;
    char qname[256];
    uint16_t qtype, qclass;
    uint32_t ttl, addr;
};

static bool
parse_reply(const uint8_t *msg, size_t size, struct reply *r)
{
    memset(r, 0, sizeof *r);
    if (size < 12) {
        return false;
    }
    r->id = get16(msg);
    r->flags = get16(msg + 2);
    r->qd = get16(msg + 4);
    r->an = get16(msg + 6);
    r->ns = get16(msg + 8);
    r->ar = get16(msg + 10);
    size_t p = 12, n = 0;
    if (r->qd) {
        while (p < size && msg[p]) {
            size_t len = msg[p];
            if (p + 1 + len > size || n + len + 1 >= sizeof r->qname) {
                return false;
            }
            if (n) {
                r->qname[n++] = '.';
            }
            memcpy(r->qname + n, msg + p + 1, len);
            n += len;
            p += 1 + len;
        }
        if (p + 5 > size) {
            return false;
        }
        r->qtype = get16(msg + p + 1);
        r->qclass = get16(msg + p + 3);
        p += 5;
    }
    if (r->an) {
        if (p + 16 != size || get16(msg + p) != 0xc00c || get16(msg + p + 2) != DNS_TYPE_A
            || get16(msg + p + 4) != DNS_CLASS_IN || get16(msg + p + 10) != 4) {
            return false;
        }
        r->ttl = get32(msg + p + 6);
        r->addr = get32(msg + p + 12);
    } else if (p != size) {
        return false;
    }
    return true;
}

/* ---- The parser on its own. ---- */

struct parse_vector {
    const char *what;
    uint8_t bytes[300];
    size_t size;
    enum dns_error error;
};

/* Header with 'qdcount' questions, then 'body'. */
static size_t
raw(uint8_t *out, uint16_t flags, uint16_t qdcount, const uint8_t *body, size_t body_size)
{
    memset(out, 0, 12);
    put16(out, 0x1234);
    put16(out + 2, flags);
    put16(out + 4, qdcount);
    memcpy(out + 12, body, body_size);
    return 12 + body_size;
}

#define BODY(...) (const uint8_t[]) { __VA_ARGS__ }, sizeof((const uint8_t[]) { __VA_ARGS__ })

TEST(dns_parser_vectors, "truncations, bad counts, oversized labels and names, every bad pointer")
{
    static struct parse_vector v[32];
    size_t n = 0;
    uint8_t *b;

    v[n] = (struct parse_vector) { "empty", { 0 }, 0, DNS_ERR_TRUNCATED_HEADER };
    n++;
    v[n] = (struct parse_vector) { "11 bytes", { 0 }, 11, DNS_ERR_TRUNCATED_HEADER };
    n++;
    v[n] = (struct parse_vector) { "a response", { 0 }, 0, DNS_ERR_NOT_QUERY };
    v[n].size = raw(v[n].bytes, DNS_FLAG_QR, 1, BODY(0, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "no question", { 0 }, 0, DNS_ERR_QDCOUNT };
    v[n].size = raw(v[n].bytes, 0, 0, BODY(0, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "two questions", { 0 }, 0, DNS_ERR_QDCOUNT };
    v[n].size = raw(v[n].bytes, 0, 2, BODY(0, 0, 1, 0, 1, 0, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "header only", { 0 }, 0, DNS_ERR_TRUNCATED_NAME };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(0));
    v[n].size = 12;
    n++;
    v[n] = (struct parse_vector) { "label past the end", { 0 }, 0, DNS_ERR_TRUNCATED_NAME };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(5, 'a', 'b', 'c'));
    n++;
    v[n] = (struct parse_vector) { "label exactly to the end", { 0 }, 0,
                                   DNS_ERR_TRUNCATED_NAME };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(3, 'a', 'b', 'c'));
    n++;
    v[n] = (struct parse_vector) { "label of 64", { 0 }, 0, DNS_ERR_BAD_LABEL };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(64, 'a'));
    n++;
    v[n] = (struct parse_vector) { "label type 10", { 0 }, 0, DNS_ERR_BAD_LABEL };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(0x80, 'a'));
    n++;
    v[n] = (struct parse_vector) { "pointer to itself", { 0 }, 0, DNS_ERR_BAD_POINTER };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(0xc0, 12, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "pointer into the header", { 0 }, 0, DNS_ERR_BAD_POINTER };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(0xc0, 2, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "pointer forwards", { 0 }, 0, DNS_ERR_BAD_POINTER };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(0xc0, 18, 0, 1, 0, 1, 1, 'a', 0));
    n++;
    v[n] = (struct parse_vector) { "label then pointer back to it: a.a.a...", { 0 }, 0,
                                   DNS_ERR_BAD_POINTER };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(1, 'a', 0xc0, 12, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "two labels, pointer to the second: a.b.b.b...", { 0 }, 0,
                                   DNS_ERR_BAD_POINTER };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(1, 'a', 1, 'b', 0xc0, 14, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "pointer cut after its first byte", { 0 }, 0,
                                   DNS_ERR_TRUNCATED_NAME };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(1, 'a', 0xc0));
    n++;
    v[n] = (struct parse_vector) { "no type and class", { 0 }, 0, DNS_ERR_TRUNCATED_QUESTION };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(1, 'a', 0, 0, 1, 0));
    n++;
    v[n] = (struct parse_vector) { "root name", { 0 }, 0, DNS_ERR_OK };
    v[n].size = raw(v[n].bytes, 0, 1, BODY(0, 0, 1, 0, 1));
    n++;
    v[n] = (struct parse_vector) { "opcode STATUS: no question read", { 0 }, 0, DNS_ERR_OK };
    v[n].size = raw(v[n].bytes, 2 << 11, 0, BODY(0xff));
    n++;
    v[n] = (struct parse_vector) { "EDNS OPT record after the question", { 0 }, 0, DNS_ERR_OK };
    v[n].size = raw(v[n].bytes, DNS_FLAG_RD, 1,
                    BODY(1, 'a', 0, 0, 1, 0, 1, 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0));
    put16(v[n].bytes + 10, 1);
    n++;

    /* 255 bytes exactly: three labels of 63, one of 61, the root. */
    v[n] = (struct parse_vector) { "name of 255 bytes", { 0 }, 0, DNS_ERR_OK };
    b = v[n].bytes;
    raw(b, 0, 1, BODY(0));
    size_t p = 12;
    for (int l = 0; l < 4; l++) {
        size_t len = l < 3 ? 63 : 61;
        b[p++] = (uint8_t) len;
        memset(b + p, 'x', len);
        p += len;
    }
    b[p++] = 0;
    put16(b + p, 1);
    put16(b + p + 2, 1);
    v[n].size = p + 4;
    n++;
    v[n] = v[n - 1];
    v[n].what = "name of 257 bytes";
    v[n].error = DNS_ERR_NAME_TOO_LONG;
    v[n].bytes[12 + 3 * 64] = 63;
    memset(v[n].bytes + 12 + 3 * 64 + 62, 'x', 2);
    v[n].bytes[12 + 4 * 64] = 0;
    put16(v[n].bytes + 12 + 4 * 64 + 1, 1);
    put16(v[n].bytes + 12 + 4 * 64 + 3, 1);
    v[n].size = 12 + 4 * 64 + 5;
    n++;

    for (size_t i = 0; i < n; i++) {
        /* An exact-size copy, so that ASan sees any read past the end. */
        uint8_t *copy = xmalloc(v[i].size + 1);
        memcpy(copy, v[i].bytes, v[i].size);
        struct dns_query q;
        enum dns_error error = dns_query_parse(copy, v[i].size, &q);
        if (error != v[i].error) {
            fprintf(stderr, "    %s: %s, expected %s\n", v[i].what, dns_error_name(error),
                    dns_error_name(v[i].error));
            test_failures++;
        }
        free(copy);
    }
}

TEST(dns_parser_keeps_case_and_lowers_key, "the name is kept as sent and lower-cased for lookup")
{
    uint8_t msg[64];
    size_t n = make_query(msg, 7, DNS_FLAG_RD, "IP-10-0-1-10.Ec2.INTERNAL", DNS_TYPE_A,
                          DNS_CLASS_IN);
    struct dns_query q;
    REQUIRE(dns_query_parse(msg, n, &q) == DNS_ERR_OK);
    CHECK(q.has_question);
    CHECK_INT(q.id, 7);
    CHECK_INT(q.n_labels, 3);
    CHECK_INT(q.name_size, 27);
    CHECK(!memcmp(q.name, "\014IP-10-0-1-10\003Ec2\010INTERNAL", 27));
    CHECK(!memcmp(q.lower, "\014ip-10-0-1-10\003ec2\010internal", 27));
    CHECK_INT(q.label_ofs[2], 17);
    CHECK_STR(dns_error_name(DNS_ERR_BAD_POINTER), "BAD_POINTER");
}

TEST(dns_parser_survives_random_bytes, "random and mutated messages never read past the end (ASan)")
{
    unsigned seed = (unsigned) time(NULL);
    fprintf(stderr, "    seed %u\n", seed);
    srand(seed);
    uint8_t base[64];
    size_t base_size = make_query(base, 1, 0, "ip-10-0-1-10.ec2.internal", 1, 1);
    for (int i = 0; i < 20000; i++) {
        size_t size = (size_t) rand() % 80;
        uint8_t *msg = xmalloc(size + 1);
        for (size_t k = 0; k < size; k++) {
            msg[k] = i % 2 && k < base_size ? base[k] : (uint8_t) rand();
        }
        if (i % 2 && size) {
            msg[rand() % size] = (uint8_t) rand();      /* one mutation of a valid query */
            if (size > 5) {
                msg[5] = 1;
                msg[4] = 0;
            }
        }
        struct dns_query q;
        enum dns_error error = dns_query_parse(msg, size, &q);
        CHECK((unsigned) error < DNS_N_ERRORS);
        if (error == DNS_ERR_OK && q.has_question) {
            CHECK(q.name_size >= 1 && q.name_size <= DNS_NAME_MAX_SIZE);
            CHECK(q.name[q.name_size - 1] == 0);
        }
        free(msg);
    }
}

TEST(dns_reply_layout, "header bits, echoed question, one A record with TTL 60; 0 when it does not fit")
{
    uint8_t msg[64], out[DNS_MESSAGE_MAX_SIZE];
    size_t n = make_query(msg, 0xbeef, DNS_FLAG_RD | DNS_FLAG_CD, "a.ec2.internal", DNS_TYPE_A,
                          DNS_CLASS_IN);
    struct dns_query q;
    REQUIRE(dns_query_parse(msg, n, &q) == DNS_ERR_OK);
    struct dns_answer a = { DNS_RCODE_NOERROR, IP(10, 0, 1, 10), "test" };
    size_t size = dns_reply_build(&q, &a, out, sizeof out);
    CHECK_INT(size, n + 16);
    struct reply r;
    REQUIRE(parse_reply(out, size, &r));
    CHECK_INT(r.id, 0xbeef);
    CHECK_INT(r.flags, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA | DNS_FLAG_CD);
    CHECK_INT(r.qd, 1);
    CHECK_INT(r.an, 1);
    CHECK_INT(r.ns + r.ar, 0);
    CHECK_STR(r.qname, "a.ec2.internal");
    CHECK_INT(r.ttl, DNS_TTL);
    CHECK_INT(r.addr, IP(10, 0, 1, 10));
    CHECK_INT(dns_reply_build(&q, &a, out, n + 15), 0);
}

/* ---- The resolver through the pipeline. ---- */

struct world {
    struct model *m;
    struct scope *us, *eu;
    struct vpc *vpc_a, *vpc_b, *vpc_e;
    struct subnet *s1, *s2, *bs1, *es1;
    struct security_group *closed;
    struct network_interface *a1, *a2, *b1, *c1, *e1;
    struct address *eip;
    struct snapshot *snap;
    struct conntrack *ct;
};

static void
compile(struct world *w)
{
    snapshot_destroy(w->snap);
    w->snap = snapshot_compile(w->m);
}

static struct network_interface *
make_eni(struct world *w, struct subnet *s, uint32_t ip, uint32_t secondary,
         struct security_group *sg)
{
    struct network_interface *eni;
    struct error err;
    const char *groups[] = { sg ? sg->r.id : NULL };
    struct eni_spec spec = { .primary_ip = ip, .secondary_ips = &secondary,
                             .n_secondary_ips = secondary ? 1 : 0, .group_ids = groups,
                             .n_groups = sg ? 1 : 0 };
    ASSERT(!network_interface_create_spec(w->m, s, &spec, &eni, &err));
    return eni;
}

static void
world_init(struct world *w)
{
    struct error err;
    memset(w, 0, sizeof *w);
    w->m = model_create(&(struct model_config){ .public_pool = { 0xc6120000, 15 } });
    w->us = model_scope(w->m, "000000000000", "us-east-1");
    w->eu = model_scope(w->m, "000000000000", "eu-west-1");
    struct ip4_prefix ten = { IP(10, 0, 0, 0), 16 }, e = { IP(172, 16, 0, 0), 16 };
    struct ip4_prefix c1 = { IP(10, 0, 1, 0), 24 }, c2 = { IP(10, 0, 2, 0), 24 };
    struct ip4_prefix ec = { IP(172, 16, 0, 0), 24 };
    ASSERT(!vpc_create(w->m, w->us, &ten, NULL, &w->vpc_a, &err));
    ASSERT(!vpc_create(w->m, w->us, &ten, NULL, &w->vpc_b, &err));
    ASSERT(!vpc_create(w->m, w->eu, &e, NULL, &w->vpc_e, &err));
    ASSERT(!vpc_set_attribute(w->m, w->vpc_a, "EnableDnsHostnames", true, &err));
    ASSERT(!vpc_set_attribute(w->m, w->vpc_e, "EnableDnsHostnames", true, &err));
    ASSERT(!subnet_create(w->m, w->vpc_a, &c1, NULL, &w->s1, &err));
    ASSERT(!subnet_create(w->m, w->vpc_a, &c2, NULL, &w->s2, &err));
    ASSERT(!subnet_create(w->m, w->vpc_b, &c1, NULL, &w->bs1, &err));
    ASSERT(!subnet_create(w->m, w->vpc_e, &ec, NULL, &w->es1, &err));
    struct internet_gateway *igw;
    ASSERT(!internet_gateway_create(w->m, w->us, &igw, &err));
    ASSERT(!internet_gateway_attach(w->m, igw, w->vpc_a, &err));

    /* "closed": no outbound rule at all; S1 behind a deny-all ACL. */
    ASSERT(!security_group_create(w->m, w->vpc_a, "closed", "nothing out", false, &w->closed,
                                  &err));
    struct sg_rule_spec all = { .protocol = "-1", .peer = SG_PEER_CIDR4,
                                .peer_value = "0.0.0.0/0" };
    struct sg_rule rule;
    ASSERT(!security_group_rule_from_spec(w->m, w->closed, true, &all, &rule, &err));
    bool unknown[1];
    ASSERT(!security_group_revoke(w->m, w->closed, true, &rule, 1, NULL, 0, unknown, &err));
    struct network_acl *deny, *dflt = vpc_default_network_acl(w->vpc_a);
    ASSERT(!network_acl_create(w->m, w->vpc_a, false, &deny, &err));
    for (size_t i = 0; i < dflt->n_assocs; i++) {
        if (!strcmp(dflt->assocs[i].subnet_id, w->s1->r.id)) {
            char new_id[ID_SIZE];
            ASSERT(!network_acl_replace_association(w->m, w->us, dflt->assocs[i].id, deny,
                                                    new_id, &err));
            break;
        }
    }

    w->a1 = make_eni(w, w->s1, IP(10, 0, 1, 10), IP(10, 0, 1, 11), w->closed);
    w->a2 = make_eni(w, w->s1, IP(10, 0, 1, 20), 0, NULL);
    w->b1 = make_eni(w, w->s2, IP(10, 0, 2, 10), 0, NULL);
    w->c1 = make_eni(w, w->bs1, IP(10, 0, 1, 10), 0, NULL);
    w->e1 = make_eni(w, w->es1, IP(172, 16, 0, 10), 0, NULL);
    ASSERT(!address_allocate(w->m, w->us, 0, &w->eip, &err));
    ASSERT(!address_associate(w->m, w->eip, w->a2, 0, false, &err));
    w->ct = conntrack_create(1024);
    compile(w);
}

static void
world_uninit(struct world *w)
{
    snapshot_destroy(w->snap);
    conntrack_destroy(w->ct);
    model_destroy(w->m);
}

static uint32_t
port(const struct world *w, const struct network_interface *eni)
{
    uint32_t p = snapshot_find_eni(w->snap, eni->r.id);
    ASSERT(p != SNAPSHOT_NONE);
    return p;
}

/* Ethernet + IPv4 + UDP or TCP carrying 'payload', valid checksums. */
static size_t
make_frame(uint8_t *buf, const uint8_t mac[6], uint8_t proto, uint32_t src, uint32_t dst,
           uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t tcp_flags,
           const uint8_t *payload, size_t size)
{
    static const uint8_t router[6] = { 0x0e, 0x76, 0x70, 0x63, 0x64, 0x01 };
    size_t l4 = (proto == PACKET_IP_PROTO_TCP ? 20 : 8) + size;
    memcpy(buf, router, 6);
    memcpy(buf + 6, mac, 6);
    put16(buf + 12, 0x0800);
    uint8_t *ip = buf + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t) (20 + l4));
    put16(ip + 4, 0x4242);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, checksum(ip, 20));
    uint8_t *h = ip + 20;
    memset(h, 0, l4 - size);
    put16(h, sport);
    put16(h + 2, dport);
    size_t csum_at;
    if (proto == PACKET_IP_PROTO_TCP) {
        put32(h + 4, seq);
        put32(h + 8, ack);
        h[12] = 5 << 4;
        h[13] = tcp_flags;
        put16(h + 14, 64240);
        csum_at = 16;
    } else {
        put16(h + 4, (uint16_t) l4);
        csum_at = 6;
    }
    if (size) {
        memcpy(h + l4 - size, payload, size);
    }
    put16(h + csum_at, checksum_fold(checksum_partial(h, l4, checksum_pseudo_ipv4(src, dst, proto,
                                                                                (uint16_t) l4))));
    return 14 + 20 + l4;
}

/* Checks the addressing of a reply to a query 'eni' sent to 'server' and
 * returns the parsed frame. */
static bool
check_reply_frame(struct world *w, const struct network_interface *eni, uint32_t server,
                  const uint8_t *buf, const struct verdict *v, struct packet_meta *m)
{
    const struct snap_eni *se = &w->snap->enis[port(w, eni)];
    if (packet_parse(buf, v->len, m, true) != PACKET_ERR_OK) {
        return false;
    }
    CHECK_INT(v->out_port, port(w, eni));
    CHECK_INT(m->ip4.src, server);
    CHECK_INT(m->ip4.dst, se->addrs[0]);
    CHECK_INT(m->sport, DNS_PORT);
    CHECK_INT(m->dport, CLIENT_PORT);
    CHECK(!memcmp(m->eth_dst, se->mac, 6));
    CHECK(!memcmp(m->eth_src, w->snap->router_mac, 6));
    return true;
}

/* Asks 'name' of type 'qtype' from 'eni' to 'server' over UDP: returns the
 * verdict; a reply is checked and parsed into '*r'. */
static enum verdict_kind
ask_full(struct world *w, const struct network_interface *eni, uint32_t server, const char *name,
         uint16_t qtype, uint16_t qclass, struct reply *r, struct verdict *v,
         struct pipeline_trace *t)
{
    uint8_t buf[PIPELINE_REPLY_ROOM], msg[300];
    const struct snap_eni *se = &w->snap->enis[port(w, eni)];
    size_t n = make_query(msg, 0x4d2, DNS_FLAG_RD, name, qtype, qclass);
    size_t len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, se->addrs[0], server, CLIENT_PORT,
                            DNS_PORT, 0, 0, 0, msg, n);
    memset(r, 0, sizeof *r);
    enum verdict_kind kind = pipeline_process(w->snap, w->ct, buf, len, port(w, eni), 0, 0, t, v);
    if (kind == VERDICT_REPLY) {
        struct packet_meta m;
        if (!check_reply_frame(w, eni, server, buf, v, &m)) {
            test_failures++;
            return VERDICT_DROP;
        }
        const uint8_t *dns = buf + m.l4_ofs + 8;
        CHECK(parse_reply(dns, m.udp_length - 8u, r));
        CHECK_INT(v->len, len + (r->an ? 16 : 0));     /* an answer is longer than the query */
        CHECK_INT(r->id, 0x4d2);
        CHECK(r->flags & DNS_FLAG_QR);
        CHECK(r->flags & DNS_FLAG_RD);
        CHECK(r->flags & DNS_FLAG_RA);
        CHECK(!(r->flags & DNS_FLAG_AA));
        CHECK_STR(r->qname, strcmp(name, ".") ? name : "");
    }
    return kind;
}

static enum verdict_kind
ask(struct world *w, const struct network_interface *eni, uint32_t server, const char *name,
    uint16_t qtype, struct reply *r, struct verdict *v)
{
    return ask_full(w, eni, server, name, qtype, DNS_CLASS_IN, r, v, NULL);
}

#define RESOLVER_A IP(10, 0, 0, 2)
#define LINK_LOCAL DNS_LINK_LOCAL_RESOLVER

static int
rcode(const struct reply *r)
{
    return r->flags & 0xf;
}

TEST(dns_private_names, "ip-names of primary and secondary addresses, both resolver addresses, any case")
{
    struct world w;
    world_init(&w);
    struct reply r;
    struct verdict v;
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-10-0-1-10.ec2.internal", DNS_TYPE_A, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NOERROR);
    CHECK_INT(r.an, 1);
    CHECK_INT(r.addr, IP(10, 0, 1, 10));
    CHECK_INT(r.ttl, 60);
    CHECK_INT(ask(&w, w.b1, LINK_LOCAL, "ip-10-0-1-11.ec2.internal", DNS_TYPE_A, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(r.addr, IP(10, 0, 1, 11));
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "IP-10-0-2-10.EC2.Internal", DNS_TYPE_A, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(r.addr, IP(10, 0, 2, 10));
    /* ANY gets the A record too. */
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-10-0-2-10.ec2.internal", DNS_TYPE_ANY, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(r.addr, IP(10, 0, 2, 10));
    /* Elsewhere: <region>.compute.internal, at the VPC's own base + 2. */
    CHECK_INT(ask(&w, w.e1, IP(172, 16, 0, 2), "ip-172-16-0-10.eu-west-1.compute.internal",
                  DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(r.addr, IP(172, 16, 0, 10));
    /* 10.0.0.2 is not VPC E's resolver: an ordinary packet, no route. */
    CHECK_INT(ask(&w, w.e1, RESOLVER_A, "ip-172-16-0-10.eu-west-1.compute.internal",
                  DNS_TYPE_A, &r, &v), VERDICT_DROP);
    CHECK(v.reason != DROP_REASON_DNS_MALFORMED && v.reason != DROP_REASON_DNS_DISABLED);
    world_uninit(&w);
}

TEST(dns_negative_answers, "other types NOERROR empty, unknown internal names NXDOMAIN, the rest SERVFAIL")
{
    struct world w;
    world_init(&w);
    struct reply r;
    struct verdict v;
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-10-0-1-10.ec2.internal", DNS_TYPE_AAAA, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NOERROR);
    CHECK_INT(r.an, 0);
    CHECK_INT(r.qtype, DNS_TYPE_AAAA);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-10-0-1-10.ec2.internal", 15, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NOERROR);
    CHECK_INT(r.an, 0);
    /* Unknown under the VPC's domains. */
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-10-0-9-9.ec2.internal", DNS_TYPE_A, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    CHECK_INT(r.an, 0);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "nothing.here.ec2.internal", DNS_TYPE_AAAA, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ec2-1-2-3-4.compute-1.amazonaws.com", DNS_TYPE_A, &r,
                  &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    /* The domain itself exists. */
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ec2.internal", DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NOERROR);
    CHECK_INT(r.an, 0);
    /* A suffix that is not on a label boundary is not under the domain. */
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "xec2.internal", DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_SERVFAIL);
    /* The internet, the root, another region's private domain. */
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "example.com", DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_SERVFAIL);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, ".", 2, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_SERVFAIL);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-172-16-0-10.eu-west-1.compute.internal", DNS_TYPE_A,
                  &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_SERVFAIL);
    /* Class CHAOS: refused. */
    CHECK_INT(ask_full(&w, w.b1, RESOLVER_A, "version.bind", 16, 3, &r, &v, NULL),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_REFUSED);
    world_uninit(&w);
}

static void
public_name(const struct world *w, char out[ENI_DNS_NAME_SIZE])
{
    network_interface_public_dns_name("us-east-1", w->eip->public_ip, out);
}

TEST(dns_public_names_split_horizon, "a public name gives the private address inside its VPC, the public one elsewhere")
{
    struct world w;
    world_init(&w);
    struct reply r;
    struct verdict v;
    char name[ENI_DNS_NAME_SIZE];
    public_name(&w, name);
    CHECK(str_prefix(name, "ec2-198-1"));
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(r.addr, IP(10, 0, 1, 20));
    /* From VPC B (same region) and VPC E (another): the public address. */
    CHECK_INT(ask(&w, w.c1, RESOLVER_A, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(r.addr, w.eip->public_ip);
    CHECK_INT(ask(&w, w.e1, LINK_LOCAL, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(r.addr, w.eip->public_ip);
    /* No public address, no public name. */
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ec2-10-0-2-10.compute-1.amazonaws.com", DNS_TYPE_A, &r,
                  &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    world_uninit(&w);
}

TEST(dns_attributes, "enableDnsHostnames off: no names (NXDOMAIN); enableDnsSupport off: no answer at all")
{
    struct world w;
    world_init(&w);
    struct reply r;
    struct verdict v;
    struct pipeline_trace t;
    struct error err;
    char name[ENI_DNS_NAME_SIZE];
    public_name(&w, name);
    /* VPC B has hostnames off from the start. */
    CHECK_INT(ask(&w, w.c1, RESOLVER_A, "ip-10-0-1-10.ec2.internal", DNS_TYPE_A, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    /* VPC A turns them off: both kinds go, everywhere. */
    ASSERT(!vpc_set_attribute(w.m, w.vpc_a, "EnableDnsHostnames", false, &err));
    compile(&w);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, "ip-10-0-1-10.ec2.internal", DNS_TYPE_A, &r, &v),
              VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    CHECK_INT(ask(&w, w.b1, RESOLVER_A, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    CHECK_INT(ask(&w, w.e1, LINK_LOCAL, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_SERVFAIL);
    /* Support off: dropped, traced. */
    ASSERT(!vpc_set_attribute(w.m, w.vpc_a, "EnableDnsHostnames", true, &err));
    ASSERT(!vpc_set_attribute(w.m, w.vpc_a, "EnableDnsSupport", false, &err));
    compile(&w);
    CHECK_INT(ask_full(&w, w.b1, RESOLVER_A, "ip-10-0-1-10.ec2.internal", DNS_TYPE_A,
                       DNS_CLASS_IN, &r, &v, &t), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_DISABLED);
    REQUIRE(t.n_steps >= 1);
    CHECK_INT(t.steps[t.n_steps - 1].stage, PIPELINE_STAGE_DNS);
    CHECK(!t.steps[t.n_steps - 1].pass);
    CHECK_INT(ask(&w, w.b1, LINK_LOCAL, "example.com", DNS_TYPE_A, &r, &v), VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_DISABLED);
    /* ...and its names are gone for other VPCs too (section 3: both needed). */
    CHECK_INT(ask(&w, w.c1, RESOLVER_A, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
    CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
    world_uninit(&w);
}

TEST(dns_bypasses_groups_and_acls, "a1 has no outbound rule and a deny-all ACL, yet the resolver answers")
{
    struct world w;
    world_init(&w);
    struct reply r;
    struct verdict v;
    struct pipeline_trace t;
    CHECK_INT(ask_full(&w, w.a1, RESOLVER_A, "ip-10-0-2-10.ec2.internal", DNS_TYPE_A,
                       DNS_CLASS_IN, &r, &v, &t), VERDICT_REPLY);
    CHECK_INT(r.addr, IP(10, 0, 2, 10));
    REQUIRE(t.n_steps >= 1);
    const struct pipeline_trace_step *s = &t.steps[t.n_steps - 1];
    CHECK_INT(s->stage, PIPELINE_STAGE_DNS);
    CHECK(s->pass);
    CHECK_STR(s->resource, w.vpc_a->r.id);
    CHECK_STR(s->rule, "A ip-10-0-2-10.ec2.internal -> 10.0.2.10 (private name)");
    for (size_t i = 0; i < t.n_steps; i++) {
        CHECK(t.steps[i].stage != PIPELINE_STAGE_SG_EGRESS);
        CHECK(t.steps[i].stage != PIPELINE_STAGE_NACL_EGRESS);
    }
    /* The same port to another address is ordinary traffic, and stopped. */
    uint8_t buf[PIPELINE_REPLY_ROOM], msg[64];
    const struct snap_eni *se = &w.snap->enis[port(&w, w.a1)];
    size_t n = make_query(msg, 1, 0, "ip-10-0-2-10.ec2.internal", DNS_TYPE_A, DNS_CLASS_IN);
    size_t len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, IP(10, 0, 1, 10),
                            IP(10, 0, 2, 10), CLIENT_PORT, DNS_PORT, 0, 0, 0, msg, n);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.a1), 0, 0, NULL, &v),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_EGRESS);
    /* Another port of the resolver's address is not the resolver. */
    len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, IP(10, 0, 1, 10), RESOLVER_A,
                     CLIENT_PORT, 54, 0, 0, 0, msg, n);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.a1), 0, 0, NULL, &v),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_SG_EGRESS);
    world_uninit(&w);
}

TEST(dns_malformed_and_odd_queries, "bad queries drop DNS_MALFORMED, traced; responses too; other opcodes NOTIMP")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM];
    const struct snap_eni *se = &w.snap->enis[port(&w, w.b1)];
    struct verdict v;
    struct pipeline_trace t;
    static const uint8_t loop[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12, 0, 1,
                                    0, 1 };
    size_t len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, IP(10, 0, 2, 10), RESOLVER_A,
                            CLIENT_PORT, DNS_PORT, 0, 0, 0, loop, sizeof loop);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.b1), 0, 0, &t, &v),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_MALFORMED);
    REQUIRE(t.n_steps >= 1);
    CHECK_STR(t.steps[t.n_steps - 1].rule, "malformed: BAD_POINTER");
    len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, IP(10, 0, 2, 10), RESOLVER_A,
                     CLIENT_PORT, DNS_PORT, 0, 0, 0, loop, 5);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.b1), 0, 0, NULL, &v),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_MALFORMED);

    uint8_t msg[64];
    size_t n = make_query(msg, 9, DNS_FLAG_QR, "ip-10-0-2-10.ec2.internal", DNS_TYPE_A,
                          DNS_CLASS_IN);
    len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, IP(10, 0, 2, 10), RESOLVER_A,
                     CLIENT_PORT, DNS_PORT, 0, 0, 0, msg, n);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.b1), 0, 0, NULL, &v),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_MALFORMED);

    /* Opcode STATUS: NOTIMP, header only, opcode echoed. */
    n = make_query(msg, 9, 2 << 11, "x", DNS_TYPE_A, DNS_CLASS_IN);
    len = make_frame(buf, se->mac, PACKET_IP_PROTO_UDP, IP(10, 0, 2, 10), RESOLVER_A,
                     CLIENT_PORT, DNS_PORT, 0, 0, 0, msg, n);
    CHECK_INT(pipeline_process(w.snap, w.ct, buf, len, port(&w, w.b1), 0, 0, NULL, &v),
              VERDICT_REPLY);
    struct packet_meta m;
    REQUIRE(check_reply_frame(&w, w.b1, RESOLVER_A, buf, &v, &m));
    struct reply r;
    REQUIRE(parse_reply(buf + m.l4_ofs + 8, m.udp_length - 8u, &r));
    CHECK_INT(r.flags, DNS_FLAG_QR | 2 << 11 | DNS_FLAG_RA | DNS_RCODE_NOTIMP);
    CHECK_INT(r.qd + r.an, 0);
    world_uninit(&w);
}

/* A TCP segment from b1 to the resolver; returns the verdict, the reply
 * parsed into 'm' and its payload at '*payload'. */
static enum verdict_kind
tcp_send(struct world *w, uint8_t *buf, uint32_t seq, uint32_t ack, uint8_t flags,
         const uint8_t *payload, size_t size, struct verdict *v, struct packet_meta *m)
{
    const struct snap_eni *se = &w->snap->enis[port(w, w->b1)];
    size_t len = make_frame(buf, se->mac, PACKET_IP_PROTO_TCP, IP(10, 0, 2, 10), RESOLVER_A,
                            CLIENT_PORT, DNS_PORT, seq, ack, flags, payload, size);
    enum verdict_kind kind = pipeline_process(w->snap, w->ct, buf, len, port(w, w->b1), 0, 0,
                                              NULL, v);
    if (kind == VERDICT_REPLY && !check_reply_frame(w, w->b1, RESOLVER_A, buf, v, m)) {
        test_failures++;
        return VERDICT_DROP;
    }
    return kind;
}

TEST(dns_over_tcp, "stateless TCP: SYN -> SYN-ACK, whole query -> answer with FIN, FIN -> ACK, stray -> RST")
{
    struct world w;
    world_init(&w);
    uint8_t buf[PIPELINE_REPLY_ROOM], msg[80];
    struct verdict v;
    struct packet_meta m;
    const uint32_t isn = 1000;

    CHECK_INT(tcp_send(&w, buf, isn, 0, PACKET_TCP_SYN, NULL, 0, &v, &m), VERDICT_REPLY);
    CHECK_INT(m.tcp.flags, PACKET_TCP_SYN | PACKET_TCP_ACK);
    CHECK_INT(m.tcp.ack, isn + 1);
    uint32_t server_isn = m.tcp.seq;

    CHECK_INT(tcp_send(&w, buf, isn + 1, server_isn + 1, PACKET_TCP_ACK, NULL, 0, &v, &m),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_TCP_NO_ANSWER);

    size_t n = make_query(msg + 2, 77, DNS_FLAG_RD, "ip-10-0-1-10.ec2.internal", DNS_TYPE_A,
                          DNS_CLASS_IN);
    put16(msg, (uint16_t) n);
    CHECK_INT(tcp_send(&w, buf, isn + 1, server_isn + 1, PACKET_TCP_ACK | PACKET_TCP_PSH, msg,
                       n + 2, &v, &m), VERDICT_REPLY);
    CHECK_INT(m.tcp.flags, PACKET_TCP_ACK | PACKET_TCP_PSH | PACKET_TCP_FIN);
    CHECK_INT(m.tcp.seq, server_isn + 1);
    CHECK_INT(m.tcp.ack, isn + 1 + n + 2);
    const uint8_t *data = buf + m.l4_ofs + 4u * m.tcp.data_offset;
    size_t data_size = m.l4_size - 4u * m.tcp.data_offset;
    REQUIRE(data_size >= 2 && get16(data) == data_size - 2);
    struct reply r;
    REQUIRE(parse_reply(data + 2, data_size - 2, &r));
    CHECK_INT(r.id, 77);
    CHECK_INT(r.addr, IP(10, 0, 1, 10));

    /* The client's FIN after our data and FIN. */
    uint32_t our_end = server_isn + 1 + (uint32_t) data_size + 1;
    CHECK_INT(tcp_send(&w, buf, isn + 1 + (uint32_t) n + 2, our_end,
                       PACKET_TCP_ACK | PACKET_TCP_FIN, NULL, 0, &v, &m), VERDICT_REPLY);
    CHECK_INT(m.tcp.flags, PACKET_TCP_ACK);
    CHECK_INT(m.tcp.seq, our_end);
    CHECK_INT(m.tcp.ack, isn + 1 + n + 2 + 1);

    /* Data that does not acknowledge our SYN, or a query cut short: RST. */
    CHECK_INT(tcp_send(&w, buf, isn + 1, server_isn + 7, PACKET_TCP_ACK, msg, n + 2, &v, &m),
              VERDICT_REPLY);
    CHECK(m.tcp.flags & PACKET_TCP_RST);
    CHECK_INT(tcp_send(&w, buf, isn + 1, server_isn + 1, PACKET_TCP_ACK, msg, n, &v, &m),
              VERDICT_REPLY);
    CHECK(m.tcp.flags & PACKET_TCP_RST);
    CHECK_INT(tcp_send(&w, buf, isn + 1, server_isn + 1, PACKET_TCP_RST, NULL, 0, &v, &m),
              VERDICT_DROP);
    CHECK_INT(v.reason, DROP_REASON_DNS_TCP_NO_ANSWER);
    world_uninit(&w);
}

TEST(dns_names_match_oracle, "every address of an interface resolves, random others do not (seed printed)")
{
    struct world w;
    world_init(&w);
    struct error err;
    unsigned seed = (unsigned) time(NULL) ^ 0x5a5a;
    fprintf(stderr, "    seed %u\n", seed);
    srand(seed);
    /* Thirty more interfaces in S2 at random addresses. */
    bool held[256] = { false };
    held[10] = true;
    for (int i = 0; i < 30; i++) {
        uint32_t host = 4 + (uint32_t) rand() % 250;
        if (held[host]) {
            continue;
        }
        struct network_interface *eni;
        ASSERT(!network_interface_create(w.m, w.s2, IP(10, 0, 2, host), NULL, 0, NULL, NULL,
                                         NULL, &eni, &err));
        held[host] = true;
    }
    compile(&w);
    for (uint32_t host = 4; host < 255; host++) {
        char name[ENI_DNS_NAME_SIZE];
        network_interface_private_dns_name("us-east-1", IP(10, 0, 2, host), name);
        struct reply r;
        struct verdict v;
        CHECK_INT(ask(&w, w.b1, RESOLVER_A, name, DNS_TYPE_A, &r, &v), VERDICT_REPLY);
        if (held[host]) {
            CHECK_INT(r.addr, IP(10, 0, 2, host));
        } else {
            CHECK_INT(rcode(&r), DNS_RCODE_NXDOMAIN);
        }
    }
    world_uninit(&w);
}
