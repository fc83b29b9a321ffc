/* checksum.h: the RFC 1071 sum over a buffer.  The incremental updates and
 * the pseudo-header are inline in the header.
 *
 * The loop adds native-order 64-bit loads into a 64-bit accumulator, each as
 * its two 32-bit halves so no carry is ever lost (2^32 iterations would be
 * needed to overflow), then folds.  One's complement addition commutes with
 * byte swapping (RFC 1071 section 2(B)), so the native sum is swapped once at
 * the end into the big-endian value the callers use.  memcpy() loads make any
 * alignment safe; they compile to plain moves. */
#include "checksum.h"

#include <string.h>

static inline uint64_t
load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t
load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint16_t
load16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

uint32_t
checksum_partial(const void *buf, size_t size, uint32_t sum)
{
    const uint8_t *p = buf;
    uint64_t acc = 0;

    /* Four independent accumulators keep the adds off one dependency chain. */
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    while (size >= 32) {
        uint64_t v0 = load64(p), v1 = load64(p + 8), v2 = load64(p + 16), v3 = load64(p + 24);
        a0 += (v0 & 0xffffffff) + (v0 >> 32);
        a1 += (v1 & 0xffffffff) + (v1 >> 32);
        a2 += (v2 & 0xffffffff) + (v2 >> 32);
        a3 += (v3 & 0xffffffff) + (v3 >> 32);
        p += 32;
        size -= 32;
    }
    acc = a0 + a1 + a2 + a3;
    while (size >= 8) {
        uint64_t v = load64(p);
        acc += (v & 0xffffffff) + (v >> 32);
        p += 8;
        size -= 8;
    }
    if (size >= 4) {
        acc += load32(p);
        p += 4;
        size -= 4;
    }
    if (size >= 2) {
        acc += load16(p);
        p += 2;
        size -= 2;
    }
    if (size) {
        /* The odd byte is the high half of a big-endian word. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        acc += p[0];
#else
        acc += (uint64_t) p[0] << 8;
#endif
    }

    /* Fold 64 -> 16 bits, with end-around carries. */
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);
    uint32_t s = (uint32_t) acc;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = ((s & 0xff) << 8) | (s >> 8);
#endif
    return sum + s;
}
