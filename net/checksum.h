/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624), as
 * the data plane needs them: over a buffer, over the IPv4 pseudo-header that
 * TCP and UDP checksums include, and patched in place when NAT rewrites an
 * address or a port.  No knowledge of VPCs.
 *
 * Byte order.  Every 16-bit value here (sums, checksums, the words being
 * replaced) is the host-order value of a big-endian field, as read with a
 * be16 load: a checksum returned by checksum_fold() is stored with a be16
 * store, and an IPv4 address is the host-order uint32_t the rest of net/ uses.
 *
 * A partial sum is a uint32_t carrying a one's complement sum not yet folded
 * to 16 bits; partial sums add with '+' as long as fewer than 65536 of them
 * are added, then checksum_fold() finishes and complements.
 *
 * Verification: the folded sum of a covered region including its checksum
 * field is 0xffff (checksum_fold() of it returns 0). */
#ifndef VPCD_NET_CHECKSUM_H
#define VPCD_NET_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds the one's complement sum of the 'size' bytes at 'buf' (any alignment,
 * any length; an odd last byte is padded with a zero byte, RFC 1071) to 'sum'
 * and returns the new partial sum.  A region that starts at an odd offset of
 * a covered area must not be summed on its own: split regions at even
 * offsets. */
uint32_t checksum_partial(const void *buf, size_t size, uint32_t sum);

/* Folds a partial sum to 16 bits and complements it: the value to store in a
 * checksum field (0 when 'sum' verifies). */
static inline uint16_t
checksum_fold(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t) ~sum;
}

/* The checksum of a buffer (e.g. an IPv4 header with its checksum field zeroed). */
static inline uint16_t
checksum(const void *buf, size_t size)
{
    return checksum_fold(checksum_partial(buf, size, 0));
}

/* The partial sum of the IPv4 pseudo-header (RFC 793 section 3.1, RFC 768):
 * source, destination, protocol and the TCP/UDP length 'l4_size' in bytes. */
static inline uint32_t
checksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_size)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + l4_size;
}

/* RFC 1624 equation 3: the new checksum HC' = ~(~HC + ~m + m') after the
 * 16-bit word 'old' covered by checksum 'csum' becomes 'new'.  Unlike
 * equation 2 it never turns a valid checksum into 0xffff (-0), so the result
 * equals a full recomputation. */
static inline uint16_t
checksum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
    uint32_t sum = (uint16_t) ~csum + (uint32_t) (uint16_t) ~old + new;
    return checksum_fold(sum);
}

/* The same for a 32-bit field (an IPv4 address: two 16-bit words). */
static inline uint16_t
checksum_update32(uint16_t csum, uint32_t old, uint32_t new)
{
    uint32_t sum = (uint16_t) ~csum + (uint32_t) (uint16_t) ~(old >> 16)
                   + (uint32_t) (uint16_t) ~(old & 0xffff) + (new >> 16) + (new & 0xffff);
    return checksum_fold(sum);
}

/* A UDP checksum of 0 means "none" (RFC 768): it stays 0 across rewrites, and
 * a computed 0 is sent as 0xffff. */
static inline uint16_t
checksum_update16_udp(uint16_t csum, uint16_t old, uint16_t new)
{
    if (csum == 0) {
        return 0;
    }
    uint16_t c = checksum_update16(csum, old, new);
    return c ? c : 0xffff;
}

static inline uint16_t
checksum_update32_udp(uint16_t csum, uint32_t old, uint32_t new)
{
    if (csum == 0) {
        return 0;
    }
    uint16_t c = checksum_update32(csum, old, new);
    return c ? c : 0xffff;
}

#endif
