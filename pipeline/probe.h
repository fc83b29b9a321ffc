/* Synthetic frames for trace and reachability analysis: the packet a real
 * instance would send, so pipeline_process() judges it exactly as it would
 * judge the real one. */
#ifndef VPCD_PIPELINE_PROBE_H
#define VPCD_PIPELINE_PROBE_H

#include <stddef.h>
#include <stdint.h>

enum { PROBE_FRAME_SIZE = 64 };     /* room for Ethernet + IPv4 + TCP */

/* Writes an Ethernet + IPv4 frame carrying TCP (proto 6, with 'tcp_flags'),
 * UDP (17, 8 bytes of header, no payload) or an ICMP echo request (1, 'sport'
 * as its identifier), from 'src':'sport' to 'dst':'dport' (host order), TTL
 * 64, with valid checksums.  Returns its length, or 0 if 'size' is too small
 * or 'proto' is none of those. */
size_t probe_build(uint8_t *buf, size_t size, const uint8_t src_mac[6], const uint8_t dst_mac[6],
                   uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                   uint8_t tcp_flags);

#endif
