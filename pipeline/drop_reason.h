/* Why the pipeline dropped a frame: one X-macro table that generates the enum,
 * the names and the sentences, so counters, flow logs and trace all speak the
 * same words (style.md "Every enumerated fact lives in one X-macro table").
 *
 * DROP_REASON_NONE is "not dropped": a verdict that delivers or replies
 * carries it.  A malformed frame is DROP_REASON_MALFORMED with the parser's
 * own reason (net/packet.h PACKET_ERRORS) in verdict.parse_error. */
#ifndef VPCD_PIPELINE_DROP_REASON_H
#define VPCD_PIPELINE_DROP_REASON_H

#define DROP_REASONS(X) \
    X(NONE, "not dropped") \
    X(MALFORMED, "frame does not parse (see the parse error)") \
    X(UNKNOWN_PORT, "frame arrived on a port the snapshot does not know") \
    X(IPV6_NOT_SUPPORTED, "IPv6 is not forwarded yet") \
    X(ARP_NOT_REQUEST, "ARP other than a request (the router answers, never asks)") \
    X(ARP_FOR_SELF, "ARP for the sender's own address (a duplicate-address probe): nobody answers") \
    X(ARP_TARGET_OUTSIDE, "ARP request for an address outside the VPC or the public pool") \
    X(SOURCE_CHECK, "source address is not one of the interface's (source/dest check)") \
    X(DEST_CHECK, "destination address is not one of the interface's (source/dest check)") \
    X(SG_EGRESS, "no outbound security group rule admits a new flow") \
    X(SG_INGRESS, "no inbound security group rule admits a new flow") \
    X(NACL_EGRESS, "the source subnet's network ACL denies it outbound") \
    X(NACL_INGRESS, "the destination subnet's network ACL denies it inbound") \
    X(NO_ROUTE, "no route in the subnet's route table covers the destination") \
    X(BLACKHOLE, "the matching route is a blackhole (its target is gone or unusable)") \
    X(NO_DESTINATION, "no interface holds the destination address in the VPC") \
    X(NO_PUBLIC_IP, "to the internet gateway from an address without a public IPv4") \
    X(IGW_PRIVATE_ADDRESS, "internet gateway refuses RFC 1918/6598 addresses on the internet side") \
    X(UNKNOWN_PUBLIC_IP, "from the internet to an address that maps to no interface") \
    X(CONNTRACK_FULL, "connection tracking table full: new flows are dropped") \
    X(NAT_PORT_ALLOCATION, "ErrorPortAllocation: no free NAT gateway port for this destination") \
    X(NAT_NO_MAPPING, "to a NAT gateway, no connection from inside (inbound is impossible)") \
    X(NAT_PROTOCOL, "a NAT gateway forwards only TCP, UDP and ICMP echo and errors") \
    X(NAT_PRIVATE_TO_IGW, "a private NAT gateway sends nothing to an internet gateway") \
    X(NAT_FRAGMENT, "a NAT gateway forwards fragments of UDP only") \
    X(FRAGMENT_NO_FIRST, "a later fragment whose first fragment was not admitted (or came later)") \
    X(FRAGMENT_OVERLAP, "a TCP fragment at offset 8 could rewrite the judged header (RFC 1858)") \
    X(FRAGMENT_TABLE_FULL, "fragment table full: new fragmented datagrams are dropped") \
    X(NOT_IMPLEMENTED_YET, "a path vpcd does not forward yet (NAT to anything but an IGW)") \
    X(DNS_DISABLED, "to the Amazon resolver of a VPC with enableDnsSupport false: no answer") \
    X(DNS_MALFORMED, "to the Amazon resolver, not a one-question DNS query it can parse") \
    X(DNS_TCP_NO_ANSWER, "a TCP segment to the Amazon resolver that needs no answer (ACK, RST)")

enum drop_reason {
#define DROP_REASON_ENUM(NAME, DESCRIPTION) DROP_REASON_##NAME,
    DROP_REASONS(DROP_REASON_ENUM)
#undef DROP_REASON_ENUM
    N_DROP_REASONS
};

/* "SG_EGRESS", ...; "?" outside the table.  Any thread. */
static inline const char *
drop_reason_name(enum drop_reason reason)
{
    static const char *const names[] = {
#define DROP_REASON_NAME(NAME, DESCRIPTION) #NAME,
        DROP_REASONS(DROP_REASON_NAME)
#undef DROP_REASON_NAME
    };
    return (unsigned) reason < N_DROP_REASONS ? names[reason] : "?";
}

/* A sentence for traces and logs.  Any thread. */
static inline const char *
drop_reason_description(enum drop_reason reason)
{
    static const char *const descriptions[] = {
#define DROP_REASON_DESCRIPTION(NAME, DESCRIPTION) DESCRIPTION,
        DROP_REASONS(DROP_REASON_DESCRIPTION)
#undef DROP_REASON_DESCRIPTION
    };
    return (unsigned) reason < N_DROP_REASONS ? descriptions[reason] : "?";
}

#endif
