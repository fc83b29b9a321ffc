/* libFuzzer target for net/packet: the untrusted bytes are an Ethernet frame
 * from an instance.  packet_parse() must return a reason or PACKET_ERR_OK
 * without reading past the input (ASan); on success the NAT rewrites run on a
 * copy (outer addresses and ports, and the quoted datagram of an ICMP error)
 * and the result must still parse, with the new values, and with valid
 * checksums wherever the input's were valid.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c17 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
 *       tests/fuzz/fuzz_packet.c net/packet.c net/checksum.c lib/util.c -o fuzz_packet
 *   mkdir -p corpus && ./fuzz_packet corpus -max_len=1600
 *
 * A crasher becomes a case in tests/unit/test_packet.c, so the normal test
 * run replays it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "net/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct packet_meta meta;
    bool verify = size && (data[size - 1] & 1);
    enum packet_error e = packet_parse(data, size, &meta, verify);

    ASSERT((unsigned int) e < PACKET_N_ERRORS);
    if (e != PACKET_ERR_OK || meta.l3 != PACKET_L3_IPV4) {
        return 0;
    }
    bool verified = packet_parse(data, size, &meta, true) == PACKET_ERR_OK;
    ASSERT(packet_parse(data, size, &meta, false) == PACKET_ERR_OK);

    /* An exact-size copy, so ASan catches any write past the frame. */
    uint8_t *frame = xmalloc(size);
    memcpy(frame, data, size);
    uint32_t v = size >= 4 ? ((uint32_t) data[0] << 24 | (uint32_t) data[1] << 16
                              | (uint32_t) data[2] << 8 | data[3])
                           : 0x0a000001;
    packet_set_ipv4_src(frame, &meta, v);
    packet_set_ipv4_dst(frame, &meta, ~v);
    bool ports = packet_set_l4_sport(frame, &meta, (uint16_t) v);
    ASSERT(packet_set_l4_dport(frame, &meta, (uint16_t) (v >> 16)) == ports);
    if (meta.l4 == PACKET_L4_ICMP && meta.icmp.is_error) {
        packet_set_inner_ipv4_src(frame, &meta, ~v);
        packet_set_inner_ipv4_dst(frame, &meta, v);
        ASSERT(packet_set_inner_l4_sport(frame, &meta, (uint16_t) (v >> 8))
               == meta.inner.has_ports);
        packet_set_inner_l4_dport(frame, &meta, (uint16_t) (v >> 24));
    }

    struct packet_meta after;
    ASSERT(packet_parse(frame, size, &after, verified) == PACKET_ERR_OK);
    ASSERT(after.ip4.src == meta.ip4.src && after.ip4.dst == meta.ip4.dst);
    ASSERT(after.sport == meta.sport && after.dport == meta.dport);
    ASSERT(after.inner.src == meta.inner.src && after.inner.dst == meta.inner.dst);
    ASSERT(after.inner.sport == meta.inner.sport && after.inner.dport == meta.inner.dport);
    free(frame);
    return 0;
}
