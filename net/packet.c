/* packet.h: parsing, rewriting and building Ethernet/IPv4 frames.
 *
 * Layout of this file: byte access and the pull cursor, the parser (one
 * function per header, each returning the drop reason), the NAT rewrites,
 * the builders.
 *
 * The parser keeps the cursor's end at the IPv4 total length once it knows
 * it, so that padding and anything a header claims beyond its datagram are
 * out of reach of every later pull; ICMP's quoted datagram is parsed with the
 * same cursor. */
#include "packet.h"

#include <assert.h>
#include <string.h>

#include "lib/util.h"
#include "net/bytes.h"
#include "net/checksum.h"

static_assert(PACKET_N_ERRORS <= 256, "drop reasons must fit a uint8_t counter index");

static const char *const error_names[] = {
#define PACKET_ERROR_NAME(NAME, DESCRIPTION) #NAME,
    PACKET_ERRORS(PACKET_ERROR_NAME)
#undef PACKET_ERROR_NAME
};

static const char *const error_descriptions[] = {
#define PACKET_ERROR_DESCRIPTION(NAME, DESCRIPTION) DESCRIPTION,
    PACKET_ERRORS(PACKET_ERROR_DESCRIPTION)
#undef PACKET_ERROR_DESCRIPTION
};

const char *
packet_error_name(enum packet_error e)
{
    return (unsigned int) e < PACKET_N_ERRORS ? error_names[e] : "?";
}

const char *
packet_error_description(enum packet_error e)
{
    return (unsigned int) e < PACKET_N_ERRORS ? error_descriptions[e] : "?";
}





/* The bounds-checked reader: 'ofs' <= 'end' <= the frame size, always. */
struct cursor {
    const uint8_t *data;
    size_t end;
    size_t ofs;
};

/* Returns the next 'n' bytes and moves past them, or NULL (moving nothing)
 * when fewer than 'n' remain (OVS data_try_pull). */
static inline const uint8_t *
pull(struct cursor *c, size_t n)
{
    if (unlikely(c->end - c->ofs < n)) {
        return NULL;
    }
    const uint8_t *p = c->data + c->ofs;
    c->ofs += n;
    return p;
}

static inline size_t
remaining(const struct cursor *c)
{
    return c->end - c->ofs;
}

/* Parsing. */

static enum packet_error
parse_arp(struct cursor *c, struct packet_meta *meta)
{
    const uint8_t *a = pull(c, PACKET_ARP_ETH_IPV4_SIZE);
    if (!a) {
        return PACKET_ERR_TRUNCATED_ARP;
    }
    /* Hardware type 1 (Ethernet), protocol IPv4, 6- and 4-byte addresses. */
    if (get_be16(a) != 1 || get_be16(a + 2) != PACKET_ETH_TYPE_IPV4 || a[4] != PACKET_ETH_ADDR_LEN
        || a[5] != 4) {
        return PACKET_ERR_BAD_ARP_FORMAT;
    }
    meta->l3 = PACKET_L3_ARP;
    meta->arp.op = get_be16(a + 6);
    memcpy(meta->arp.sha, a + 8, PACKET_ETH_ADDR_LEN);
    meta->arp.spa = get_be32(a + 14);
    memcpy(meta->arp.tha, a + 18, PACKET_ETH_ADDR_LEN);
    meta->arp.tpa = get_be32(a + 24);
    return PACKET_ERR_OK;
}

/* The datagram quoted by an ICMP error, from the cursor to the end of the
 * ICMP message: a full IPv4 header, then (normally) 8 bytes of its payload. */
static enum packet_error
parse_icmp_inner(struct cursor *c, struct packet_meta *meta)
{
    struct packet_inner *in = &meta->inner;
    size_t l3_ofs = c->ofs;
    const uint8_t *ip = pull(c, PACKET_IPV4_HEADER_MIN_SIZE);
    if (!ip) {
        return PACKET_ERR_TRUNCATED_ICMP_INNER;
    }
    size_t ihl = ip[0] & 0xf;
    if ((ip[0] >> 4) != 4 || ihl < 5) {
        return PACKET_ERR_BAD_ICMP_INNER;
    }
    if (!pull(c, ihl * 4 - PACKET_IPV4_HEADER_MIN_SIZE)) {
        return PACKET_ERR_TRUNCATED_ICMP_INNER;
    }
    in->l3_ofs = (uint16_t) l3_ofs;
    in->l4_ofs = (uint16_t) c->ofs;
    in->l4_size = (uint16_t) remaining(c);
    in->proto = ip[9];
    in->src = get_be32(ip + 12);
    in->dst = get_be32(ip + 16);

    /* Ports only from a first fragment: a later one quotes payload bytes. */
    const uint8_t *l4 = (get_be16(ip + 6) & 0x1fff) ? NULL : pull(c, PACKET_ICMP_ERROR_QUOTE_L4_SIZE);
    if (!l4) {
        return PACKET_ERR_OK;
    }
    if (in->proto == PACKET_IP_PROTO_TCP || in->proto == PACKET_IP_PROTO_UDP) {
        in->sport = get_be16(l4);
        in->dport = get_be16(l4 + 2);
        in->has_ports = true;
    } else if (in->proto == PACKET_IP_PROTO_ICMP
               && (l4[0] == PACKET_ICMP_ECHO_REQUEST || l4[0] == PACKET_ICMP_ECHO_REPLY)) {
        in->sport = in->dport = get_be16(l4 + 4);
        in->has_ports = true;
    }
    return PACKET_ERR_OK;
}

/* Verifies a TCP/UDP checksum over 'size' bytes at 'l4' and the pseudo-header. */
static bool
l4_checksum_ok(const struct packet_meta *meta, const uint8_t *l4, uint16_t size)
{
    uint32_t sum = checksum_pseudo_ipv4(meta->ip4.src, meta->ip4.dst, meta->ip4.proto, size);
    return checksum_fold(checksum_partial(l4, size, sum)) == 0;
}

static enum packet_error
parse_tcp(struct cursor *c, struct packet_meta *meta, bool verify)
{
    const uint8_t *l4 = pull(c, PACKET_TCP_HEADER_MIN_SIZE);
    if (!l4) {
        return PACKET_ERR_TRUNCATED_L4;
    }
    meta->l4 = PACKET_L4_TCP;
    meta->sport = get_be16(l4);
    meta->dport = get_be16(l4 + 2);
    meta->tcp.seq = get_be32(l4 + 4);
    meta->tcp.ack = get_be32(l4 + 8);
    meta->tcp.data_offset = l4[12] >> 4;
    meta->tcp.flags = l4[13];
    meta->tcp.window = get_be16(l4 + 14);
    size_t hlen = (size_t) meta->tcp.data_offset * 4;
    if (hlen < PACKET_TCP_HEADER_MIN_SIZE || !pull(c, hlen - PACKET_TCP_HEADER_MIN_SIZE)) {
        return PACKET_ERR_BAD_TCP_DATA_OFFSET;
    }
    if (verify && !meta->ip4.is_fragment && !l4_checksum_ok(meta, l4, meta->l4_size)) {
        return PACKET_ERR_BAD_L4_CHECKSUM;
    }
    return PACKET_ERR_OK;
}

static enum packet_error
parse_udp(struct cursor *c, struct packet_meta *meta, bool verify)
{
    const uint8_t *l4 = pull(c, PACKET_UDP_HEADER_SIZE);
    if (!l4) {
        return PACKET_ERR_TRUNCATED_L4;
    }
    meta->l4 = PACKET_L4_UDP;
    meta->sport = get_be16(l4);
    meta->dport = get_be16(l4 + 2);
    meta->udp_length = get_be16(l4 + 4);
    /* A first fragment holds only part of what the UDP length counts. */
    if (meta->udp_length < PACKET_UDP_HEADER_SIZE
        || (!meta->ip4.is_fragment && meta->udp_length > meta->l4_size)) {
        return PACKET_ERR_BAD_UDP_LENGTH;
    }
    if (verify && !meta->ip4.is_fragment && get_be16(l4 + 6) != 0
        && !l4_checksum_ok(meta, l4, meta->udp_length)) {
        return PACKET_ERR_BAD_L4_CHECKSUM;
    }
    return PACKET_ERR_OK;
}

static enum packet_error
parse_icmp(struct cursor *c, struct packet_meta *meta, bool verify)
{
    const uint8_t *l4 = pull(c, PACKET_ICMP_HEADER_SIZE);
    if (!l4) {
        return PACKET_ERR_TRUNCATED_L4;
    }
    meta->l4 = PACKET_L4_ICMP;
    meta->icmp.type = l4[0];
    meta->icmp.code = l4[1];
    if (verify && !meta->ip4.is_fragment
        && checksum_fold(checksum_partial(l4, meta->l4_size, 0)) != 0) {
        return PACKET_ERR_BAD_L4_CHECKSUM;
    }
    if (l4[0] == PACKET_ICMP_ECHO_REQUEST || l4[0] == PACKET_ICMP_ECHO_REPLY) {
        meta->icmp.id = get_be16(l4 + 4);
        meta->icmp.seq = get_be16(l4 + 6);
        meta->sport = meta->dport = meta->icmp.id;
    } else if (packet_icmp_type_is_error(l4[0])) {
        meta->icmp.is_error = true;
        return parse_icmp_inner(c, meta);
    }
    return PACKET_ERR_OK;
}

static enum packet_error
parse_ipv4(struct cursor *c, struct packet_meta *meta, bool verify)
{
    const uint8_t *ip = pull(c, PACKET_IPV4_HEADER_MIN_SIZE);
    if (!ip) {
        return PACKET_ERR_TRUNCATED_IPV4;
    }
    if ((ip[0] >> 4) != 4) {
        return PACKET_ERR_BAD_IPV4_VERSION;
    }
    meta->l3 = PACKET_L3_IPV4;
    meta->ip4.ihl = ip[0] & 0xf;
    meta->ip4.tos = ip[1];
    meta->ip4.total_length = get_be16(ip + 2);
    meta->ip4.id = get_be16(ip + 4);
    uint16_t frag = get_be16(ip + 6);
    meta->ip4.df = frag & 0x4000;
    meta->ip4.mf = frag & 0x2000;
    meta->ip4.frag_offset = (uint16_t) ((frag & 0x1fff) * 8);
    meta->ip4.is_fragment = meta->ip4.mf || meta->ip4.frag_offset;
    meta->ip4.is_later_fragment = meta->ip4.frag_offset != 0;
    meta->ip4.ttl = ip[8];
    meta->ip4.proto = ip[9];
    meta->ip4.src = get_be32(ip + 12);
    meta->ip4.dst = get_be32(ip + 16);

    size_t hlen = (size_t) meta->ip4.ihl * 4;
    size_t total = meta->ip4.total_length;
    if (hlen < PACKET_IPV4_HEADER_MIN_SIZE) {
        return PACKET_ERR_BAD_IPV4_IHL;
    }
    if (total < PACKET_IPV4_HEADER_MIN_SIZE || total > c->end - meta->l3_ofs) {
        return PACKET_ERR_BAD_IPV4_TOTAL_LENGTH;
    }
    if (hlen > total) {
        return PACKET_ERR_BAD_IPV4_IHL;
    }
    /* Ethernet padding (and anything else past the datagram) is not ours. */
    c->end = meta->l3_ofs + total;
    if (!pull(c, hlen - PACKET_IPV4_HEADER_MIN_SIZE)) {
        return PACKET_ERR_BAD_IPV4_IHL;
    }
    if (unlikely(checksum_fold(checksum_partial(ip, hlen, 0)) != 0)) {
        return PACKET_ERR_BAD_IPV4_CHECKSUM;
    }
    /* A fragment reaching past 65535 bytes (the "ping of death"). */
    if (meta->ip4.frag_offset + total > PACKET_IPV4_MAX_SIZE) {
        return PACKET_ERR_BAD_IPV4_FRAGMENT;
    }
    meta->l4_ofs = (uint16_t) c->ofs;
    meta->l4_size = (uint16_t) (total - hlen);
    if (meta->ip4.is_later_fragment) {
        return PACKET_ERR_OK;
    }
    switch (meta->ip4.proto) {
    case PACKET_IP_PROTO_TCP:
        return parse_tcp(c, meta, verify);
    case PACKET_IP_PROTO_UDP:
        return parse_udp(c, meta, verify);
    case PACKET_IP_PROTO_ICMP:
        return parse_icmp(c, meta, verify);
    default:
        meta->l4 = PACKET_L4_OTHER;
        return PACKET_ERR_OK;
    }
}

enum packet_error
packet_parse(const uint8_t *frame, size_t size, struct packet_meta *meta, bool verify_checksums)
{
    struct cursor c = { .data = frame, .end = size, .ofs = 0 };

    memset(meta, 0, sizeof *meta);
    const uint8_t *eth = pull(&c, PACKET_ETH_HEADER_SIZE);
    if (!eth) {
        return PACKET_ERR_TRUNCATED_ETH;
    }
    memcpy(meta->eth_dst, eth, PACKET_ETH_ADDR_LEN);
    memcpy(meta->eth_src, eth + PACKET_ETH_ADDR_LEN, PACKET_ETH_ADDR_LEN);
    meta->ethertype = get_be16(eth + 12);
    meta->l3_ofs = PACKET_ETH_HEADER_SIZE;
    switch (meta->ethertype) {
    case PACKET_ETH_TYPE_IPV4:
        return parse_ipv4(&c, meta, verify_checksums);
    case PACKET_ETH_TYPE_ARP:
        return parse_arp(&c, meta);
    case PACKET_ETH_TYPE_IPV6:
        meta->l3 = PACKET_L3_IPV6_UNPARSED;
        return PACKET_ERR_OK;
    default:
        return PACKET_ERR_UNKNOWN_ETHERTYPE;
    }
}

/* Rewriting.  Every write is at an offset packet_parse() checked, and every
 * patched field sits at an even offset of the region its checksum covers, as
 * RFC 1624 word arithmetic requires. */

/* Replaces the 32-bit field at 'p' and patches the checksum at 'csum'. */
static inline void
rewrite32(uint8_t *p, uint8_t *csum, uint32_t new)
{
    put_be16(csum, checksum_update32(get_be16(csum), get_be32(p), new));
    put_be32(p, new);
}

/* The TCP/UDP checksum after an address of the pseudo-header changed.  A
 * partial checksum is the uncomplemented pseudo-header sum: the same update
 * applies to its complement. */
static void
update_l4_for_address(uint8_t *frame, const struct packet_meta *meta, uint32_t old, uint32_t new)
{
    uint8_t *l4 = frame + meta->l4_ofs;

    if (meta->l4_csum_partial && (meta->l4 == PACKET_L4_TCP || meta->l4 == PACKET_L4_UDP)) {
        uint8_t *csum = l4 + (meta->l4 == PACKET_L4_TCP ? 16 : 6);
        put_be16(csum, (uint16_t) ~checksum_update32((uint16_t) ~get_be16(csum), old, new));
    } else if (meta->l4 == PACKET_L4_TCP) {
        put_be16(l4 + 16, checksum_update32(get_be16(l4 + 16), old, new));
    } else if (meta->l4 == PACKET_L4_UDP) {
        put_be16(l4 + 6, checksum_update32_udp(get_be16(l4 + 6), old, new));
    }
}

void
packet_set_ipv4_src(uint8_t *frame, struct packet_meta *meta, uint32_t addr)
{
    ASSERT(meta->l3 == PACKET_L3_IPV4);
    uint8_t *ip = frame + meta->l3_ofs;
    update_l4_for_address(frame, meta, meta->ip4.src, addr);
    rewrite32(ip + 12, ip + 10, addr);
    meta->ip4.src = addr;
}

void
packet_set_ipv4_dst(uint8_t *frame, struct packet_meta *meta, uint32_t addr)
{
    ASSERT(meta->l3 == PACKET_L3_IPV4);
    uint8_t *ip = frame + meta->l3_ofs;
    update_l4_for_address(frame, meta, meta->ip4.dst, addr);
    rewrite32(ip + 16, ip + 10, addr);
    meta->ip4.dst = addr;
}

static bool
set_port(uint8_t *frame, struct packet_meta *meta, uint16_t port, bool source)
{
    ASSERT(meta->l3 == PACKET_L3_IPV4);
    uint8_t *l4 = frame + meta->l4_ofs;
    uint8_t *field;

    switch (meta->l4) {
    case PACKET_L4_TCP:
        field = l4 + (source ? 0 : 2);
        if (!meta->l4_csum_partial) {   /* ports are data, summed by whoever completes it */
            put_be16(l4 + 16, checksum_update16(get_be16(l4 + 16), get_be16(field), port));
        }
        break;
    case PACKET_L4_UDP:
        field = l4 + (source ? 0 : 2);
        if (!meta->l4_csum_partial) {
            put_be16(l4 + 6, checksum_update16_udp(get_be16(l4 + 6), get_be16(field), port));
        }
        break;
    case PACKET_L4_ICMP:
        if (meta->icmp.type != PACKET_ICMP_ECHO_REQUEST
            && meta->icmp.type != PACKET_ICMP_ECHO_REPLY) {
            return false;
        }
        field = l4 + 4;
        put_be16(l4 + 2, checksum_update16(get_be16(l4 + 2), get_be16(field), port));
        put_be16(field, port);
        meta->icmp.id = meta->sport = meta->dport = port;
        return true;
    case PACKET_L4_NONE:
    case PACKET_L4_OTHER:
    default:
        return false;
    }
    put_be16(field, port);
    if (source) {
        meta->sport = port;
    } else {
        meta->dport = port;
    }
    return true;
}

bool
packet_set_l4_sport(uint8_t *frame, struct packet_meta *meta, uint16_t port)
{
    return set_port(frame, meta, port, true);
}

bool
packet_set_l4_dport(uint8_t *frame, struct packet_meta *meta, uint16_t port)
{
    return set_port(frame, meta, port, false);
}

/* Offset within the quoted L4 header of its checksum, if the quote reaches
 * it and it is in use; 0 if none to patch. */
static size_t
inner_l4_checksum_at(const struct packet_inner *in, const uint8_t *frame)
{
    if (!in->has_ports) {
        return 0;
    }
    if (in->proto == PACKET_IP_PROTO_UDP) {
        /* has_ports means 8 bytes quoted: the UDP checksum is there. */
        return get_be16(frame + in->l4_ofs + 6) ? 6 : 0;
    }
    if (in->proto == PACKET_IP_PROTO_TCP && in->l4_size >= 18) {
        return 16;
    }
    return 0;
}

/* Replaces the 16-bit word at 'p' (inside the ICMP message) with 'new' and
 * patches the outer ICMP checksum for it. */
static inline void
icmp_rewrite16(uint8_t *frame, const struct packet_meta *meta, uint8_t *p, uint16_t new)
{
    uint8_t *csum = frame + meta->l4_ofs + 2;
    put_be16(csum, checksum_update16(get_be16(csum), get_be16(p), new));
    put_be16(p, new);
}

static void
set_inner_address(uint8_t *frame, struct packet_meta *meta, uint32_t addr, bool source)
{
    ASSERT(meta->l3 == PACKET_L3_IPV4 && meta->l4 == PACKET_L4_ICMP && meta->icmp.is_error);
    struct packet_inner *in = &meta->inner;
    uint8_t *ip = frame + in->l3_ofs;
    uint8_t *field = ip + (source ? 12 : 16);
    uint32_t old = get_be32(field);
    size_t l4_csum = inner_l4_checksum_at(in, frame);

    if (l4_csum) {
        uint8_t *p = frame + in->l4_ofs + l4_csum;
        uint16_t c = in->proto == PACKET_IP_PROTO_UDP ? checksum_update32_udp(get_be16(p), old, addr)
                                                      : checksum_update32(get_be16(p), old, addr);
        icmp_rewrite16(frame, meta, p, c);
    }
    icmp_rewrite16(frame, meta, ip + 10, checksum_update32(get_be16(ip + 10), old, addr));
    icmp_rewrite16(frame, meta, field, (uint16_t) (addr >> 16));
    icmp_rewrite16(frame, meta, field + 2, (uint16_t) addr);
    if (source) {
        in->src = addr;
    } else {
        in->dst = addr;
    }
}

void
packet_set_inner_ipv4_src(uint8_t *frame, struct packet_meta *meta, uint32_t addr)
{
    set_inner_address(frame, meta, addr, true);
}

void
packet_set_inner_ipv4_dst(uint8_t *frame, struct packet_meta *meta, uint32_t addr)
{
    set_inner_address(frame, meta, addr, false);
}

static bool
set_inner_port(uint8_t *frame, struct packet_meta *meta, uint16_t port, bool source)
{
    struct packet_inner *in = &meta->inner;
    if (!in->has_ports) {
        return false;
    }
    uint8_t *l4 = frame + in->l4_ofs;
    uint8_t *field;
    size_t l4_csum;

    if (in->proto == PACKET_IP_PROTO_ICMP) {
        field = l4 + 4;     /* echo identifier, covered by the quoted ICMP checksum */
        l4_csum = 2;
    } else {
        field = l4 + (source ? 0 : 2);
        l4_csum = inner_l4_checksum_at(in, frame);
    }
    if (l4_csum) {
        uint8_t *p = l4 + l4_csum;
        uint16_t c = in->proto == PACKET_IP_PROTO_UDP
                         ? checksum_update16_udp(get_be16(p), get_be16(field), port)
                         : checksum_update16(get_be16(p), get_be16(field), port);
        icmp_rewrite16(frame, meta, p, c);
    }
    icmp_rewrite16(frame, meta, field, port);
    if (in->proto == PACKET_IP_PROTO_ICMP) {
        in->sport = in->dport = port;
    } else if (source) {
        in->sport = port;
    } else {
        in->dport = port;
    }
    return true;
}

bool
packet_set_inner_l4_sport(uint8_t *frame, struct packet_meta *meta, uint16_t port)
{
    return set_inner_port(frame, meta, port, true);
}

bool
packet_set_inner_l4_dport(uint8_t *frame, struct packet_meta *meta, uint16_t port)
{
    return set_inner_port(frame, meta, port, false);
}

/* Building. */

static void
write_eth(uint8_t *buf, const uint8_t dst[PACKET_ETH_ADDR_LEN],
          const uint8_t src[PACKET_ETH_ADDR_LEN], uint16_t ethertype)
{
    memcpy(buf, dst, PACKET_ETH_ADDR_LEN);
    memcpy(buf + PACKET_ETH_ADDR_LEN, src, PACKET_ETH_ADDR_LEN);
    put_be16(buf + 12, ethertype);
}

/* A 20-byte IPv4 header with its checksum; id 0 (RFC 6864 allows it for
 * atomic datagrams; our ICMP errors are small enough never to fragment). */
static void
write_ipv4(uint8_t *ip, const struct packet_addrs *addrs, uint16_t total, uint8_t proto, bool df)
{
    ip[0] = 0x45;
    ip[1] = 0;
    put_be16(ip + 2, total);
    put_be16(ip + 4, 0);
    put_be16(ip + 6, df ? 0x4000 : 0);
    ip[8] = PACKET_DEFAULT_TTL;
    ip[9] = proto;
    put_be16(ip + 10, 0);
    put_be32(ip + 12, addrs->ip_src);
    put_be32(ip + 16, addrs->ip_dst);
    put_be16(ip + 10, checksum(ip, PACKET_IPV4_HEADER_MIN_SIZE));
}

size_t
packet_build_arp_reply(uint8_t *buf, size_t size, const uint8_t sender_mac[PACKET_ETH_ADDR_LEN],
                       uint32_t sender_ip, const uint8_t target_mac[PACKET_ETH_ADDR_LEN],
                       uint32_t target_ip)
{
    const size_t len = PACKET_ETH_HEADER_SIZE + PACKET_ARP_ETH_IPV4_SIZE;
    if (size < len) {
        return 0;
    }
    write_eth(buf, target_mac, sender_mac, PACKET_ETH_TYPE_ARP);
    uint8_t *a = buf + PACKET_ETH_HEADER_SIZE;
    put_be16(a, 1);
    put_be16(a + 2, PACKET_ETH_TYPE_IPV4);
    a[4] = PACKET_ETH_ADDR_LEN;
    a[5] = 4;
    put_be16(a + 6, PACKET_ARP_OP_REPLY);
    memcpy(a + 8, sender_mac, PACKET_ETH_ADDR_LEN);
    put_be32(a + 14, sender_ip);
    memcpy(a + 18, target_mac, PACKET_ETH_ADDR_LEN);
    put_be32(a + 24, target_ip);
    return len;
}

size_t
packet_build_icmp_error(uint8_t *buf, size_t size, const struct packet_addrs *addrs,
                        uint8_t type, uint8_t code, uint32_t rest,
                        const uint8_t *orig_frame, const struct packet_meta *orig)
{
    if (orig->l3 != PACKET_L3_IPV4) {
        return 0;
    }
    size_t quote = (size_t) orig->ip4.ihl * 4 + MIN(orig->l4_size, PACKET_ICMP_ERROR_QUOTE_L4_SIZE);
    size_t total = PACKET_IPV4_HEADER_MIN_SIZE + PACKET_ICMP_HEADER_SIZE + quote;
    size_t len = PACKET_ETH_HEADER_SIZE + total;
    if (size < len) {
        return 0;
    }
    /* Copied first so that 'buf' may be the original frame's own buffer. */
    uint8_t quoted[PACKET_IPV4_HEADER_MAX_SIZE + PACKET_ICMP_ERROR_QUOTE_L4_SIZE];
    memcpy(quoted, orig_frame + orig->l3_ofs, quote);
    write_eth(buf, addrs->eth_dst, addrs->eth_src, PACKET_ETH_TYPE_IPV4);
    write_ipv4(buf + PACKET_ETH_HEADER_SIZE, addrs, (uint16_t) total, PACKET_IP_PROTO_ICMP, false);
    uint8_t *icmp = buf + PACKET_ETH_HEADER_SIZE + PACKET_IPV4_HEADER_MIN_SIZE;
    icmp[0] = type;
    icmp[1] = code;
    put_be16(icmp + 2, 0);
    put_be32(icmp + 4, rest);
    memcpy(icmp + PACKET_ICMP_HEADER_SIZE, quoted, quote);
    put_be16(icmp + 2, checksum(icmp, PACKET_ICMP_HEADER_SIZE + quote));
    return len;
}

size_t
packet_build_tcp_rst(uint8_t *buf, size_t size, const struct packet_addrs *addrs,
                     uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack)
{
    const size_t total = PACKET_IPV4_HEADER_MIN_SIZE + PACKET_TCP_HEADER_MIN_SIZE;
    const size_t len = PACKET_ETH_HEADER_SIZE + total;
    if (size < len) {
        return 0;
    }
    write_eth(buf, addrs->eth_dst, addrs->eth_src, PACKET_ETH_TYPE_IPV4);
    write_ipv4(buf + PACKET_ETH_HEADER_SIZE, addrs, (uint16_t) total, PACKET_IP_PROTO_TCP, true);
    uint8_t *tcp = buf + PACKET_ETH_HEADER_SIZE + PACKET_IPV4_HEADER_MIN_SIZE;
    put_be16(tcp, sport);
    put_be16(tcp + 2, dport);
    put_be32(tcp + 4, seq);
    put_be32(tcp + 8, with_ack ? ack : 0);
    tcp[12] = (PACKET_TCP_HEADER_MIN_SIZE / 4) << 4;
    tcp[13] = PACKET_TCP_RST | (with_ack ? PACKET_TCP_ACK : 0);
    put_be16(tcp + 14, 0);
    put_be16(tcp + 16, 0);
    put_be16(tcp + 18, 0);
    uint32_t sum = checksum_pseudo_ipv4(addrs->ip_src, addrs->ip_dst, PACKET_IP_PROTO_TCP,
                                        PACKET_TCP_HEADER_MIN_SIZE);
    put_be16(tcp + 16, checksum_fold(checksum_partial(tcp, PACKET_TCP_HEADER_MIN_SIZE, sum)));
    return len;
}
