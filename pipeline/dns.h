/* The Amazon-provided DNS resolver ("AmazonProvidedDNS", Route 53 Resolver)
 * in the data plane: vpc-semantics.md section 3.
 *
 * An instance's query to its VPC's resolver -- the primary CIDR's base + 2
 * (10.0.0.2) or 169.254.169.253, port 53 -- never leaves vpcd: from_eni()
 * in pipeline.c hands it here before security groups and network ACLs see
 * it (resolver traffic bypasses both: sections 3 and 8), and the answer is
 * built in the frame buffer like the router's ARP reply (VERDICT_REPLY on
 * the port it came from).  With enableDnsSupport false nothing answers: the
 * query is dropped DNS_DISABLED and the client times out, as on AWS.
 *
 * What it answers, for a query from VPC V (one question, class IN):
 *   - V's private names ("ip-10-0-1-10.ec2.internal" in us-east-1,
 *     "ip-10-0-1-10.<region>.compute.internal" elsewhere) of every address an
 *     interface of V holds -> that address;
 *   - public names ("ec2-198-18-0-12.compute-1.amazonaws.com",
 *     "ec2-...<region>.compute.amazonaws.com") of the public IPv4 or Elastic
 *     IP of an address of V -> the PRIVATE address (split horizon); the same
 *     name asked from another VPC -> the public address, as public DNS does;
 *   - both kinds only while the owning VPC has enableDnsSupport and
 *     enableDnsHostnames true (section 3: "either false => neither"); the
 *     names are spelled by the model's own functions
 *     (network_interface_private_dns_name() and _public_dns_name()), so the
 *     API and the resolver can never disagree;
 *   - a known name with another type (AAAA, MX, ...): NOERROR, no answer;
 *     the apex of V's domains the same; an unknown name under them: NXDOMAIN;
 *   - any other name: SERVFAIL (see dns_resolve()).
 * Answers carry TTL 60, RA set and AA clear, as Route 53 Resolver (a
 * recursive resolver) sends them; the query's ID, RD and CD are echoed.
 *
 * UDP and TCP.  UDP replies never exceed 512 bytes (the longest possible
 * answer is ~290) and carry no EDNS OPT record: a responder without EDNS is
 * allowed (RFC 6891 section 7), and nothing here needs a larger payload.
 * TCP (RFC 7766) is answered statelessly, SYN-cookie style: a SYN gets a
 * SYN-ACK whose sequence number is a hash of the connection and the
 * client's initial sequence number; a segment acknowledging it and carrying
 * a whole length-prefixed query from the first byte gets the answer with
 * FIN; the client's FIN gets its ACK.  A query split over several segments
 * is refused with a RST (queries are a few dozen bytes).
 *
 * Parsing reads the message only through bounds checks: a name must end
 * inside the message, a label is at most 63 bytes (lengths 64-191 are the
 * reserved label types), a name at most 255 bytes; a compression pointer
 * must point strictly before the run of labels it interrupts (and after the
 * header), so a chain of pointers always moves backwards and ends: loops are
 * impossible.  Anything else malformed is dropped DNS_MALFORMED, and counted
 * as every drop is.
 *
 * Not done: the 1024 packets per second per interface limit (it needs
 * per-interface state the pipeline does not have), resource names
 * ("i-0123....ec2.internal"), IPv6 (fd00:ec2::253, AAAA records), private
 * hosted zones, forwarding to the internet. */
#ifndef VPCD_PIPELINE_DNS_H
#define VPCD_PIPELINE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/packet.h"
#include "pipeline/pipeline.h"
#include "pipeline/snapshot.h"

struct model;

enum {
    DNS_PORT = 53,
    DNS_LINK_LOCAL_RESOLVER = 0xa9fea9fd,  /* 169.254.169.253 */
    DNS_HEADER_SIZE = 12,
    DNS_NAME_MAX_SIZE = 255,        /* wire form, root label included (RFC 1035 2.3.4) */
    DNS_LABEL_MAX_LEN = 63,
    DNS_NAME_MAX_LABELS = 128,      /* 255 bytes hold at most 127 one-byte labels and the root */
    DNS_MESSAGE_MAX_SIZE = 512,     /* every reply fits the classic UDP limit (RFC 1035 4.2.1) */
    DNS_TTL = 60,                   /* seconds, on every answer */
};

/* Header flags (the second 16-bit word). */
enum {
    DNS_FLAG_QR = 0x8000,
    DNS_FLAG_AA = 0x0400,
    DNS_FLAG_TC = 0x0200,
    DNS_FLAG_RD = 0x0100,
    DNS_FLAG_RA = 0x0080,
    DNS_FLAG_CD = 0x0010,
};

enum dns_type {
    DNS_TYPE_A = 1,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_ANY = 255,
};

enum dns_class {
    DNS_CLASS_IN = 1,
    DNS_CLASS_ANY = 255,
};

enum dns_rcode {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
};

/* Why a query does not parse: one table for the enum and the trace. */
#define DNS_ERRORS(X) \
    X(OK, "parsed") \
    X(TRUNCATED_HEADER, "shorter than the 12-byte DNS header") \
    X(NOT_QUERY, "QR set: a response is never answered") \
    X(QDCOUNT, "not exactly one question") \
    X(TRUNCATED_NAME, "the question's name runs past the end of the message") \
    X(BAD_LABEL, "a label length of 64-191: longer than 63 bytes, or a reserved label type") \
    X(NAME_TOO_LONG, "the name is longer than 255 bytes") \
    X(BAD_POINTER, "a compression pointer not strictly backwards to a name: a loop or worse") \
    X(TRUNCATED_QUESTION, "no room for the question's type and class")

enum dns_error {
#define DNS_ERROR_ENUM(NAME, DESCRIPTION) DNS_ERR_##NAME,
    DNS_ERRORS(DNS_ERROR_ENUM)
#undef DNS_ERROR_ENUM
    DNS_N_ERRORS
};

/* "BAD_POINTER", ...; "?" outside the table.  Any thread. */
const char *dns_error_name(enum dns_error);

/* A parsed query.  The name is kept decompressed in wire form (length-
 * prefixed labels, the root label last), as received and lower-cased. */
struct dns_query {
    uint16_t id;
    uint16_t flags;                 /* the header's flags word, as received */
    uint8_t opcode;                 /* 0 QUERY; any other: no question parsed */
    bool has_question;              /* opcode 0: the fields below are set */
    uint16_t qtype;
    uint16_t qclass;
    uint16_t name_size;             /* bytes of 'name', root label included */
    uint8_t name[DNS_NAME_MAX_SIZE];        /* case as received: echoed in the reply */
    uint8_t lower[DNS_NAME_MAX_SIZE];       /* ASCII lower case: the lookup key */
    uint8_t label_ofs[DNS_NAME_MAX_LABELS]; /* offset of each label in 'name' */
    uint8_t n_labels;               /* labels before the root */
};

/* What the resolver says to one query. */
struct dns_answer {
    enum dns_rcode rcode;
    uint32_t addr;                  /* the A record (host order), or 0: none */
    const char *why;                /* for the trace: "private name", "not ours", ... */
};

/* ---- Control thread only. ---- */

/* Compiles the resolver's names of 'm' for snapshot 's', whose VPCs and
 * interfaces are compiled already.  Allocated in s->arena: freed with the
 * snapshot. */
struct dns_table *dns_table_compile(const struct model *m, struct snapshot *s);

/* ---- Any thread, lock-free: the data path. ---- */

/* Whether the IPv4 frame parsed into 'm', from an interface of VPC 'vpc'
 * (an index of 'snap', or SNAPSHOT_NONE), is for the Amazon resolver. */
static inline bool
dns_is_for_resolver(const struct snapshot *snap, uint32_t vpc, const struct packet_meta *m)
{
    return (m->l4 == PACKET_L4_UDP || m->l4 == PACKET_L4_TCP) && m->dport == DNS_PORT
           && vpc != SNAPSHOT_NONE
           && (m->ip4.dst == DNS_LINK_LOCAL_RESOLVER || m->ip4.dst == snap->vpcs[vpc].resolver);
}

/* Parses the DNS message of 'size' bytes at 'msg' into '*q'.  Never reads
 * outside [msg, msg + size).  Returns DNS_ERR_OK or why the query must be
 * dropped.  A query with an opcode other than QUERY parses with
 * q->has_question false (it is answered NOTIMP). */
enum dns_error dns_query_parse(const uint8_t *msg, size_t size, struct dns_query *q);

/* The answer of the resolver of VPC 'vpc' (an index of 'snap') to 'q'. */
void dns_resolve(const struct snapshot *snap, uint32_t vpc, const struct dns_query *q,
                 struct dns_answer *a);

/* Writes the reply to 'q' carrying 'a' into 'buf' of 'size' bytes.  Returns
 * its length, or 0 if it does not fit (never when 'size' is at least
 * DNS_MESSAGE_MAX_SIZE). */
size_t dns_reply_build(const struct dns_query *q, const struct dns_answer *a, uint8_t *buf,
                       size_t size);

/* Answers the frame parsed into 'm', for which dns_is_for_resolver() holds,
 * from interface 'in_port': fills '*v' (a reply built in 'frame', of at
 * most 'room' bytes, or a drop) and returns v->kind.  With 'trace', records
 * one PIPELINE_STAGE_DNS step.  Data-plane thread or a trace. */
enum verdict_kind dns_resolver_process(const struct snapshot *snap, uint32_t in_port,
                                       uint8_t *frame, size_t room, const struct packet_meta *m,
                                       struct pipeline_trace *trace, struct verdict *v);

#endif
