/* pipeline_process: the forwarding decision for one frame (docs/dataplane.md,
 * vpc-semantics.md section 20).
 *
 * The caller hands a frame that arrived on a port, the snapshot it loaded at
 * the top of its turn and its conntrack table.  The verdict says: deliver
 * the frame (rewritten in place: NAT and the Ethernet header) on 'out_port';
 * reply with a frame built in the same buffer ('len' bytes, on 'out_port',
 * the port it came from); or drop it, with a reason from drop_reason.h.
 *
 * From an interface port:
 *   ARP request for an address of the VPC -> reply from the router MAC.
 *   IPv4: parse; source check; a DNS query to the Amazon resolver ->
 *   answered by pipeline/dns.h (no SG, no ACL: section 3); SG egress (a
 *   tracked flow passes, else the rules, and an admitted flow is tracked);
 *   same subnet -> straight to the
 *   destination's checks; else the source subnet's ACL outbound, its route
 *   table (local -> the interface holding the address in the VPC; igw -> 1:1
 *   SNAT to the public IPv4 of the source address -> internet port; an
 *   interface -> that interface; nat -> the NAT gateway path below;
 *   blackhole or no route -> drop); the destination subnet's ACL inbound; SG
 *   ingress (tracked or rules); destination check; deliver with the Ethernet
 *   header from the router MAC to the interface's MAC.
 * Through a NAT gateway (section 11, 20): the gateway subnet's ACL inbound
 *   (unless the source is in that subnet); SNAT to the gateway's private IPv4
 *   and a port allocated per (gateway, destination, port, protocol) (ICMP
 *   echo: the identifier), or the connection's existing translation; the
 *   gateway subnet's route table (only an internet gateway is forwarded to;
 *   a private gateway's traffic to one is dropped); its ACL outbound; the
 *   internet gateway's 1:1 NAT to the Elastic IP.  A TCP segment other than
 *   SYN with no translation (idle for CT_NAT_IDLE_SEC, 350 s) gets a TCP
 *   RST back, built in the frame (VERDICT_REPLY).  No security groups: a
 *   gateway has none.  From the internet to the Elastic IP: the gateway
 *   subnet's ACL inbound, the reverse translation (none -> drop: inbound
 *   connections are impossible), its ACL outbound (unless the host is in
 *   that subnet), then the host's subnet ACL inbound, SG ingress, deliver.
 *   ICMP errors about a translated connection are mapped through their
 *   quoted datagram both ways.
 * From PIPELINE_PORT_INTERNET:
 *   ARP request for a public pool address -> reply from the router MAC.
 *   IPv4 to a public IPv4 mapped in a VPC with an internet gateway -> 1:1
 *   DNAT to the private address, then the destination's ACL, SG, check.
 * ICMP errors pass a security group as related traffic of the flow they
 * quote, and have their quoted address translated through the 1:1 NAT.
 *
 * Conntrack entries are created only when the frame is delivered.  Packets
 * are never checksum-verified at L4 (TAP offloads leave partial checksums);
 * the IPv4 header checksum is.  Untracked flows (9.2): TCP/UDP admitted by
 * a 0.0.0.0/0 rule while the other direction is open to all (compiled per
 * interface, snapshot.h SNAP_UNTRACKED_*) record nothing, so their replies
 * meet the rules and a revoke stops them at once; ICMP, other protocols and
 * anything through a NAT gateway are always tracked.  IPv4 fragments: a
 * first fragment is judged like any packet and its verdict recorded
 * (conntrack.h "IPv4 fragments"); a later one follows that verdict with the
 * same address rewrites, or drops (FRAGMENT_NO_FIRST, also when it comes
 * first); a NAT gateway forwards fragments of UDP only (section 11).  Not
 * done yet: NAT gateways to anything but an internet gateway (local,
 * interfaces: TGW/VGW paths), IPv6, edge route tables.
 *
 * The trace: with a non-NULL 'trace' every stage appends a step (stage,
 * resource id, rule, result), so vpcctl trace runs this same code.  NULL in
 * production: then the function allocates nothing, locks nothing and makes
 * no system call. */
#ifndef VPCD_PIPELINE_PIPELINE_H
#define VPCD_PIPELINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "net/packet.h"
#include "pipeline/drop_reason.h"

struct snapshot;
struct conntrack;

enum {
    PIPELINE_PORT_INTERNET = UINT32_MAX - 1,
    PIPELINE_TRACE_MAX_STEPS = 16,
    PIPELINE_TRACE_RULE_SIZE = 96,
    /* The least room a caller's frame buffer has (see pipeline_process()):
     * a full Ethernet frame at the classic MTU, 14 + 1500 bytes. */
    PIPELINE_REPLY_ROOM = 1514,
};

#define PIPELINE_STAGES(X) \
    X(PARSE, "parse") \
    X(FRAGMENT, "fragment") \
    X(ARP, "arp") \
    X(DNS, "dns-resolver") \
    X(SOURCE_CHECK, "source-check") \
    X(SG_EGRESS, "security-group-egress") \
    X(NACL_EGRESS, "network-acl-egress") \
    X(ROUTE, "route") \
    X(NAT_OUT, "nat-gateway-out") \
    X(NAT_IN, "nat-gateway-in") \
    X(IGW_OUT, "internet-gateway-out") \
    X(IGW_IN, "internet-gateway-in") \
    X(NACL_INGRESS, "network-acl-ingress") \
    X(SG_INGRESS, "security-group-ingress") \
    X(DEST_CHECK, "destination-check") \
    X(CONNTRACK, "conntrack") \
    X(OUTPUT, "output")

enum pipeline_stage {
#define PIPELINE_STAGE_ENUM(NAME, TEXT) PIPELINE_STAGE_##NAME,
    PIPELINE_STAGES(PIPELINE_STAGE_ENUM)
#undef PIPELINE_STAGE_ENUM
    N_PIPELINE_STAGES
};

/* "security-group-egress", ...; "?" outside the table. */
const char *pipeline_stage_name(enum pipeline_stage);

enum verdict_kind {
    VERDICT_DELIVER,
    VERDICT_REPLY,
    VERDICT_DROP,
};

struct verdict {
    enum verdict_kind kind;
    enum drop_reason reason;        /* DROP_REASON_NONE unless dropped */
    enum packet_error parse_error;  /* with DROP_REASON_MALFORMED */
    uint32_t out_port;              /* deliver / reply: interface index or PIPELINE_PORT_INTERNET */
    size_t len;                     /* bytes of the frame to send */
};

struct pipeline_trace_step {
    enum pipeline_stage stage;
    char resource[ID_SIZE];         /* "sg-...": the ENI, subnet ACL, route table, ...; or "" */
    char rule[PIPELINE_TRACE_RULE_SIZE];    /* "rule 100", "sgr-...", "10.0.0.0/16 -> local" */
    bool pass;                      /* the stage let the frame go on */
};

struct pipeline_trace {
    struct pipeline_trace_step steps[PIPELINE_TRACE_MAX_STEPS];
    size_t n_steps;
};

/* The MAC of the internet namespace's interface (the data plane gives it
 * this address): frames to PIPELINE_PORT_INTERNET are sent to it. */
static const uint8_t pipeline_internet_mac[PACKET_ETH_ADDR_LEN] = { 0x02, 0x76, 0x70, 0x63,
                                                                    0x64, 0x30 };

/* What the port said about the frame ('flags' of pipeline_process). */
enum pipeline_frame_flags {
    /* The TCP/UDP checksum field holds only the pseudo-header sum, to be
     * completed by whoever sends it on (a TAP's checksum offload): address
     * rewrites keep it a pseudo-header sum, port rewrites leave it alone. */
    PIPELINE_FRAME_CSUM_PARTIAL = 1u << 0,
};

/* Data-plane thread (owner of 'ct'), or the control thread with its own
 * 'ct' for a trace.  'frame' holds 'len' bytes and is rewritten in place;
 * a reply is built in it too, and may be longer than the frame (a DNS
 * answer is longer than its query): the caller's buffer at 'frame' must
 * have room for at least MAX(len, PIPELINE_REPLY_ROOM) bytes, and v->len
 * never exceeds that.  'now_ns': a monotonic clock, for conntrack.
 * Fills '*v' and returns v->kind. */
enum verdict_kind pipeline_process(const struct snapshot *, struct conntrack *, uint8_t *frame,
                                   size_t len, uint32_t in_port, unsigned flags, uint64_t now_ns,
                                   struct pipeline_trace *trace, struct verdict *v);

#endif
