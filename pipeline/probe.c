/* probe.h: a hand-built frame with correct checksums. */
#include "pipeline/probe.h"

#include <string.h>

#include "net/bytes.h"
#include "net/checksum.h"



size_t
probe_build(uint8_t *buf, size_t size, const uint8_t src_mac[6], const uint8_t dst_mac[6],
            uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
            uint8_t tcp_flags)
{
    if (proto != 1 && proto != 6 && proto != 17) {
        return 0;
    }
    size_t l4 = proto == 6 ? 20 : 8;
    size_t total = 20 + l4;
    if (size < 14 + total) {
        return 0;
    }
    memset(buf, 0, 14 + total);
    memcpy(buf, dst_mac, 6);
    memcpy(buf + 6, src_mac, 6);
    put_be16(buf + 12, 0x0800);
    uint8_t *ip = buf + 14;
    ip[0] = 0x45;
    put_be16(ip + 2, (uint16_t) total);
    ip[8] = 64;
    ip[9] = proto;
    put_be32(ip + 12, src);
    put_be32(ip + 16, dst);
    put_be16(ip + 10, checksum(ip, 20));
    uint8_t *l = ip + 20;
    int csum_ofs;
    uint32_t partial = 0;
    if (proto == 1) {
        l[0] = 8;                           /* echo request */
        put_be16(l + 4, sport);
        csum_ofs = 2;
    } else {
        put_be16(l, sport);
        put_be16(l + 2, dport);
        partial = checksum_pseudo_ipv4(src, dst, proto, (uint16_t) l4);
        if (proto == 6) {
            l[12] = 5 << 4;
            l[13] = tcp_flags;
            put_be16(l + 14, 65535);           /* window */
            csum_ofs = 16;
        } else {
            put_be16(l + 4, 8);
            csum_ofs = 6;
        }
    }
    put_be16(l + csum_ofs, checksum_fold(checksum_partial(l, l4, partial)));
    return 14 + total;
}
