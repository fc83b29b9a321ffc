/* Ethernet frames as the data plane sees them: parse into a small metadata
 * record, build the few frames the data plane originates (ARP replies, ICMP
 * errors, TCP resets), and rewrite addresses and ports in place with
 * incremental checksum updates for NAT.  No knowledge of VPCs.
 *
 * Parsing.  packet_parse() reads the frame only through bounds-checked pulls
 * (style.md "The hot path"): whatever the bytes, it never reads past 'size'
 * and returns either PACKET_OK or the reason to drop, from PACKET_ERRORS.  It
 * understands Ethernet II, ARP for IPv4 over Ethernet, IPv4 (with options and
 * fragments), TCP, UDP and ICMP, including the original datagram quoted in an
 * ICMP error.  IPv6 is recognised and not parsed (PACKET_L3_IPV6_UNPARSED);
 * 802.1Q and every other ethertype are PACKET_ERR_UNKNOWN_ETHERTYPE.
 *
 * The IPv4 header checksum is always verified (a router must, RFC 1812
 * 5.2.2); TCP, UDP and ICMP checksums only when asked, since frames from a
 * local TAP device with offloads may carry partial ones.  Bytes after the
 * IPv4 total length (Ethernet padding) are ignored.
 *
 * Addresses and ports in struct packet_meta are host byte order; offsets are
 * bytes from the start of the frame.  Every function here may be called from
 * any thread: none keeps state. */
#ifndef VPCD_NET_PACKET_H
#define VPCD_NET_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PACKET_ETH_ADDR_LEN = 6,
    PACKET_ETH_HEADER_SIZE = 14,
    PACKET_ETH_TYPE_IPV4 = 0x0800,
    PACKET_ETH_TYPE_ARP = 0x0806,
    PACKET_ETH_TYPE_IPV6 = 0x86dd,
    PACKET_ARP_ETH_IPV4_SIZE = 28,      /* ARP body for Ethernet/IPv4 */
    PACKET_ARP_OP_REQUEST = 1,
    PACKET_ARP_OP_REPLY = 2,
    PACKET_IPV4_HEADER_MIN_SIZE = 20,
    PACKET_IPV4_HEADER_MAX_SIZE = 60,
    PACKET_IPV4_MAX_SIZE = 65535,
    PACKET_IP_PROTO_ICMP = 1,
    PACKET_IP_PROTO_TCP = 6,
    PACKET_IP_PROTO_UDP = 17,
    PACKET_TCP_HEADER_MIN_SIZE = 20,
    PACKET_UDP_HEADER_SIZE = 8,
    PACKET_ICMP_HEADER_SIZE = 8,
    PACKET_ICMP_ERROR_QUOTE_L4_SIZE = 8, /* original L4 bytes quoted in an ICMP error (RFC 792) */
    PACKET_DEFAULT_TTL = 64,
};

/* TCP flags (the low byte of the flags field). */
enum {
    PACKET_TCP_FIN = 0x01,
    PACKET_TCP_SYN = 0x02,
    PACKET_TCP_RST = 0x04,
    PACKET_TCP_PSH = 0x08,
    PACKET_TCP_ACK = 0x10,
    PACKET_TCP_URG = 0x20,
    PACKET_TCP_ECE = 0x40,
    PACKET_TCP_CWR = 0x80,
};

/* ICMP types the data plane reads or writes. */
enum {
    PACKET_ICMP_ECHO_REPLY = 0,
    PACKET_ICMP_DEST_UNREACH = 3,
    PACKET_ICMP_SOURCE_QUENCH = 4,
    PACKET_ICMP_REDIRECT = 5,
    PACKET_ICMP_ECHO_REQUEST = 8,
    PACKET_ICMP_TIME_EXCEEDED = 11,
    PACKET_ICMP_PARAM_PROBLEM = 12,
};

/* Codes of PACKET_ICMP_DEST_UNREACH and PACKET_ICMP_TIME_EXCEEDED (RFC 792, RFC 1812). */
enum {
    PACKET_ICMP_NET_UNREACH = 0,
    PACKET_ICMP_HOST_UNREACH = 1,
    PACKET_ICMP_PROTO_UNREACH = 2,
    PACKET_ICMP_PORT_UNREACH = 3,
    PACKET_ICMP_FRAG_NEEDED = 4,
    PACKET_ICMP_NET_PROHIBITED = 9,
    PACKET_ICMP_HOST_PROHIBITED = 10,
    PACKET_ICMP_ADMIN_PROHIBITED = 13,
    PACKET_ICMP_TTL_EXCEEDED = 0,
    PACKET_ICMP_FRAG_REASSEMBLY_EXCEEDED = 1,
};

/* Why a frame is dropped: one table feeding the enum and its names. */
#define PACKET_ERRORS(X) \
    X(OK, "parsed") \
    X(TRUNCATED_ETH, "frame shorter than an Ethernet header") \
    X(UNKNOWN_ETHERTYPE, "ethertype is not IPv4, ARP or IPv6 (802.1Q included)") \
    X(TRUNCATED_ARP, "ARP body shorter than 28 bytes") \
    X(BAD_ARP_FORMAT, "ARP is not Ethernet/IPv4") \
    X(TRUNCATED_IPV4, "frame shorter than the IPv4 header") \
    X(BAD_IPV4_VERSION, "IPv4 ethertype with a version other than 4") \
    X(BAD_IPV4_IHL, "IPv4 header length below 20 bytes or beyond the total length") \
    X(BAD_IPV4_TOTAL_LENGTH, "IPv4 total length below the header or beyond the frame") \
    X(BAD_IPV4_CHECKSUM, "IPv4 header checksum does not verify") \
    X(BAD_IPV4_FRAGMENT, "IPv4 fragment ends beyond 65535 bytes") \
    X(TRUNCATED_L4, "first fragment too short for its TCP, UDP or ICMP header") \
    X(BAD_TCP_DATA_OFFSET, "TCP data offset below 5 or beyond the segment") \
    X(BAD_UDP_LENGTH, "UDP length below 8 or beyond the IP payload") \
    X(BAD_L4_CHECKSUM, "TCP, UDP or ICMP checksum does not verify") \
    X(TRUNCATED_ICMP_INNER, "ICMP error quotes less than an IPv4 header") \
    X(BAD_ICMP_INNER, "ICMP error quotes a malformed IPv4 header")

enum packet_error {
#define PACKET_ERROR_ENUM(NAME, DESCRIPTION) PACKET_ERR_##NAME,
    PACKET_ERRORS(PACKET_ERROR_ENUM)
#undef PACKET_ERROR_ENUM
    PACKET_N_ERRORS
};

/* "TRUNCATED_ETH", ...; "?" for a value outside the table. */
const char *packet_error_name(enum packet_error);
/* A sentence for traces and logs. */
const char *packet_error_description(enum packet_error);

enum packet_l3 {
    PACKET_L3_NONE,             /* only after an error */
    PACKET_L3_ARP,
    PACKET_L3_IPV4,
    PACKET_L3_IPV6_UNPARSED,    /* ethertype IPv6, header not read */
};

enum packet_l4 {
    PACKET_L4_NONE,     /* not IPv4, or a later fragment (ip4.is_later_fragment) */
    PACKET_L4_TCP,
    PACKET_L4_UDP,
    PACKET_L4_ICMP,
    PACKET_L4_OTHER,    /* another protocol: payload at l4_ofs, not read */
};

/* The original datagram quoted by an ICMP error, as NAT needs it to find the
 * connection: its addresses and ports are those of the packet that caused the
 * error, so they read "reversed" relative to the error itself. */
struct packet_inner {
    uint32_t src;           /* host order */
    uint32_t dst;           /* host order */
    uint16_t sport;         /* host order; ICMP echo: identifier; else 0 */
    uint16_t dport;         /* host order; ICMP echo: identifier; else 0 */
    uint8_t proto;
    bool has_ports;         /* TCP/UDP/ICMP echo with 8 quoted L4 bytes, first fragment */
    uint16_t l3_ofs;        /* quoted IPv4 header in the frame */
    uint16_t l4_ofs;        /* quoted L4 bytes in the frame */
    uint16_t l4_size;       /* quoted L4 bytes present (may exceed 8) */
};

struct packet_meta {
    uint8_t eth_dst[PACKET_ETH_ADDR_LEN];
    uint8_t eth_src[PACKET_ETH_ADDR_LEN];
    uint16_t ethertype;         /* host order */
    uint8_t l3;                 /* enum packet_l3 */
    uint8_t l4;                 /* enum packet_l4 */
    uint16_t l3_ofs;            /* ARP or IPv4 header; PACKET_ETH_HEADER_SIZE */
    uint16_t l4_ofs;            /* IPv4 payload (even for later fragments); 0 if not IPv4 */
    uint16_t l4_size;           /* IPv4 payload bytes (total length - header) */
    uint16_t sport;             /* TCP/UDP; ICMP echo: identifier; else 0 */
    uint16_t dport;             /* TCP/UDP; ICMP echo: identifier; else 0 */
    bool l4_csum_partial;       /* TCP/UDP checksum = pseudo-header sum only (offload);
                                 * false from packet_parse, the caller knows */

    struct {
        uint16_t op;            /* PACKET_ARP_OP_REQUEST, PACKET_ARP_OP_REPLY, ... */
        uint8_t sha[PACKET_ETH_ADDR_LEN];
        uint8_t tha[PACKET_ETH_ADDR_LEN];
        uint32_t spa;           /* host order */
        uint32_t tpa;           /* host order */
    } arp;

    struct {
        uint32_t src;           /* host order */
        uint32_t dst;           /* host order */
        uint16_t total_length;  /* bytes, header included */
        uint16_t id;
        uint16_t frag_offset;   /* bytes (the field times 8) */
        uint8_t ihl;            /* header length in 32-bit words, 5..15 */
        uint8_t tos;
        uint8_t ttl;
        uint8_t proto;
        bool df;
        bool mf;
        bool is_fragment;       /* mf or frag_offset != 0 */
        bool is_later_fragment; /* frag_offset != 0: no L4 header here */
    } ip4;

    struct {
        uint32_t seq;
        uint32_t ack;
        uint8_t flags;          /* PACKET_TCP_SYN, ... */
        uint8_t data_offset;    /* header length in 32-bit words, 5..15 */
        uint16_t window;
    } tcp;

    uint16_t udp_length;        /* bytes, header included */

    struct {
        uint8_t type;
        uint8_t code;
        uint16_t id;            /* echo request/reply only */
        uint16_t seq;           /* echo request/reply only */
        bool is_error;          /* types 3, 4, 5, 11, 12: 'inner' is filled */
    } icmp;

    struct packet_inner inner;
};

/* The link and network addresses of a frame the data plane originates. */
struct packet_addrs {
    uint8_t eth_src[PACKET_ETH_ADDR_LEN];
    uint8_t eth_dst[PACKET_ETH_ADDR_LEN];
    uint32_t ip_src;            /* host order */
    uint32_t ip_dst;            /* host order */
};

/* Parsing: any thread. */

/* Parses the 'size' bytes of 'frame' into 'meta' (fully overwritten).
 * Returns PACKET_ERR_OK, or the reason to drop it; on an error 'meta' holds
 * what was read before it.  With 'verify_checksums', TCP, UDP (unless 0) and
 * ICMP checksums are checked too, for unfragmented datagrams. */
enum packet_error packet_parse(const uint8_t *frame, size_t size, struct packet_meta *meta,
                               bool verify_checksums);

/* True for ICMP types that quote the original datagram (3, 4, 5, 11, 12). */
static inline bool
packet_icmp_type_is_error(uint8_t type)
{
    return type == PACKET_ICMP_DEST_UNREACH || type == PACKET_ICMP_SOURCE_QUENCH
           || type == PACKET_ICMP_REDIRECT || type == PACKET_ICMP_TIME_EXCEEDED
           || type == PACKET_ICMP_PARAM_PROBLEM;
}

/* Rewriting for NAT: any thread, on a frame that packet_parse() accepted into
 * 'meta' (ASSERTed: meta->l3 must be PACKET_L3_IPV4).  Each writes the new
 * value into 'frame' and 'meta' and patches the checksums covering it
 * (RFC 1624): the IPv4 header checksum, and the TCP/UDP checksum through the
 * pseudo-header when this frame holds the L4 header. */

void packet_set_ipv4_src(uint8_t *frame, struct packet_meta *meta, uint32_t addr);
void packet_set_ipv4_dst(uint8_t *frame, struct packet_meta *meta, uint32_t addr);

/* TCP/UDP source or destination port; for ICMP echo request/reply, either one
 * sets the identifier (the "port" of an ICMP query).  Returns false, changing
 * nothing, when the frame has no such field (later fragment, other L4). */
bool packet_set_l4_sport(uint8_t *frame, struct packet_meta *meta, uint16_t port);
bool packet_set_l4_dport(uint8_t *frame, struct packet_meta *meta, uint16_t port);

/* The same inside the datagram quoted by an ICMP error, so that NAT can
 * translate errors about a translated connection (RFC 5508 section 4).  They
 * patch the quoted IPv4 header checksum, the quoted UDP checksum (the quoted
 * TCP checksum only when the quote reaches it), and the ICMP checksum.  The
 * setters of ports return false when meta->inner.has_ports is false; the
 * ones of addresses ASSERT that meta->icmp.is_error. */
void packet_set_inner_ipv4_src(uint8_t *frame, struct packet_meta *meta, uint32_t addr);
void packet_set_inner_ipv4_dst(uint8_t *frame, struct packet_meta *meta, uint32_t addr);
bool packet_set_inner_l4_sport(uint8_t *frame, struct packet_meta *meta, uint16_t port);
bool packet_set_inner_l4_dport(uint8_t *frame, struct packet_meta *meta, uint16_t port);

/* Building: any thread.  Each writes a complete Ethernet frame into 'buf' of
 * 'size' bytes with valid checksums and returns its length, or 0 (writing
 * nothing useful) when it does not fit. */

/* An ARP reply telling 'target' that 'sender_ip' is at 'sender_mac': Ethernet
 * from sender_mac to target_mac.  42 bytes (no padding: it goes to a TAP). */
size_t packet_build_arp_reply(uint8_t *buf, size_t size,
                              const uint8_t sender_mac[PACKET_ETH_ADDR_LEN], uint32_t sender_ip,
                              const uint8_t target_mac[PACKET_ETH_ADDR_LEN], uint32_t target_ip);

/* An ICMP error of 'type' and 'code' about the datagram 'orig' parsed from
 * 'orig_frame' (its IPv4 header and first 8 bytes of payload are quoted, or
 * less if it had less), sent with 'addrs', TTL 64.  'rest' is the second word
 * of the ICMP header (the next-hop MTU for PACKET_ICMP_FRAG_NEEDED, else 0).
 * Whether an error may be sent at all (never about an ICMP error, a later
 * fragment or a broadcast: RFC 1812 4.3.2.7) is the caller's decision.
 * Returns 0 as well when 'orig' is not IPv4.  'buf' may be 'orig_frame'. */
size_t packet_build_icmp_error(uint8_t *buf, size_t size, const struct packet_addrs *addrs,
                               uint8_t type, uint8_t code, uint32_t rest,
                               const uint8_t *orig_frame, const struct packet_meta *orig);

/* A TCP segment with RST (and ACK when 'with_ack') from 'addrs' ip_src:sport
 * to ip_dst:dport with sequence 'seq' and acknowledgement 'ack' (0 unless
 * 'with_ack'), window 0, no payload, TTL 64, DF set.  54 bytes. */
size_t packet_build_tcp_rst(uint8_t *buf, size_t size, const struct packet_addrs *addrs,
                            uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                            bool with_ack);

#endif
