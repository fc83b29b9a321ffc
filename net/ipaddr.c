/* ipaddr.h: strict parsers and canonical formatters for IPv4 and IPv6
 * addresses and prefixes, and the IPv6 prefix arithmetic (the IPv4 side is
 * inline in the header).
 *
 * The parsers are hand-written rather than inet_pton(): AWS rejects forms
 * that some libc parsers accept (leading zeros, "10.0.0/8"), and a CIDR comes
 * straight from a client, so every byte is checked here.  IPv6 follows the
 * text forms of RFC 4291 section 2.2 on input and RFC 5952 on output. */
#include "ipaddr.h"

#include <string.h>

#include "lib/util.h"

/* Parses a decimal number of at most 'max_digits' digits with no leading zero
 * (except "0" itself) and no sign, from 's'.  Stores the value and returns the
 * number of characters used, or 0 if there is no valid number there. */
static size_t
parse_decimal(const char *s, size_t max_digits, unsigned int *value)
{
    size_t n = 0;
    unsigned int v = 0;

    while (s[n] >= '0' && s[n] <= '9') {
        if (n == max_digits) {
            return 0;
        }
        v = v * 10 + (unsigned int) (s[n] - '0');
        n++;
    }
    if (n == 0 || (n > 1 && s[0] == '0')) {
        return 0;
    }
    *value = v;
    return n;
}

/* Parses a dotted quad at the start of 's'; returns the characters used or 0. */
static size_t
parse_ip4(const char *s, uint32_t *addr)
{
    const char *p = s;
    uint32_t a = 0;

    for (int i = 0; i < 4; i++) {
        unsigned int part;
        size_t n;

        if (i > 0) {
            if (*p != '.') {
                return 0;
            }
            p++;
        }
        n = parse_decimal(p, 3, &part);
        if (!n || part > 255) {
            return 0;
        }
        a = (a << 8) | part;
        p += n;
    }
    *addr = a;
    return (size_t) (p - s);
}

bool
ip4_parse(const char *s, uint32_t *addr)
{
    uint32_t a;
    size_t n = parse_ip4(s, &a);

    if (!n || s[n] != '\0') {
        return false;
    }
    *addr = a;
    return true;
}

/* Writes 'v' in decimal at 'p' and returns the end (no NUL). */
static char *
put_decimal(char *p, unsigned int v)
{
    char digits[10];
    int n = 0;

    do {
        digits[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *p++ = digits[--n];
    }
    return p;
}

/* Writes 'addr' as a dotted quad at 'p' and returns the end (no NUL). */
static char *
put_ip4(char *p, uint32_t addr)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        p = put_decimal(p, (addr >> shift) & 0xff);
        if (shift) {
            *p++ = '.';
        }
    }
    return p;
}

void
ip4_format(uint32_t addr, char out[IP4_STRLEN])
{
    *put_ip4(out, addr) = '\0';
}

/* Parses "/n" with 0 <= n <= 'max_len' at 's', which must end the string. */
static bool
parse_prefix_len(const char *s, unsigned int max_len, uint8_t *len)
{
    unsigned int v;
    size_t n;

    if (*s != '/') {
        return false;
    }
    n = parse_decimal(s + 1, 3, &v);
    if (!n || s[1 + n] != '\0' || v > max_len) {
        return false;
    }
    *len = (uint8_t) v;
    return true;
}

bool
ip4_prefix_parse(const char *s, struct ip4_prefix *p, bool *was_canonical)
{
    uint32_t addr;
    uint8_t len;
    size_t n = parse_ip4(s, &addr);

    if (!n || !parse_prefix_len(s + n, 32, &len)) {
        return false;
    }
    p->addr = addr & ip4_mask(len);
    p->len = len;
    if (was_canonical) {
        *was_canonical = p->addr == addr;
    }
    return true;
}

void
ip4_prefix_format(const struct ip4_prefix *p, char out[IP4_PREFIX_STRLEN])
{
    char *end = put_ip4(out, p->addr);

    *end++ = '/';
    *put_decimal(end, p->len) = '\0';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses an IPv6 address (RFC 4291 section 2.2: eight groups of one to four
 * hex digits, at most one "::" standing for one or more zero groups, and an
 * optional dotted quad in place of the last two groups) from 's' up to
 * 'end'.  Returns true if all of it was an address. */
static bool
parse_ip6(const char *s, const char *end, struct ip6_addr *out)
{
    uint16_t groups[8];
    int n_groups = 0;
    int gap = -1;               /* index in 'groups' where "::" stands, or -1 */
    const char *p = s;

    if (end - s >= 2 && p[0] == ':' && p[1] == ':') {
        gap = 0;
        p += 2;
    } else if (p < end && *p == ':') {
        return false;           /* a single leading colon */
    }

    while (p < end) {
        const char *start = p;
        unsigned int v = 0;

        if (n_groups == 8) {
            return false;
        }
        while (p < end && hex_value(*p) >= 0 && p - start < 5) {
            v = (v << 4) | (unsigned int) hex_value(*p);
            p++;
        }
        if (p < end && *p == '.') {
            /* An embedded dotted quad: the last 32 bits, parsed strictly. */
            uint32_t v4;
            size_t len = (size_t) (end - start);
            char tmp[IP4_STRLEN];

            if (n_groups > 6 || len >= sizeof tmp) {
                return false;
            }
            memcpy(tmp, start, len);
            tmp[len] = '\0';
            if (!ip4_parse(tmp, &v4)) {
                return false;
            }
            groups[n_groups++] = (uint16_t) (v4 >> 16);
            groups[n_groups++] = (uint16_t) v4;
            p = end;
            break;
        }
        if (p == start || p - start > 4) {
            return false;
        }
        groups[n_groups++] = (uint16_t) v;
        if (p == end) {
            break;
        }
        if (*p != ':') {
            return false;
        }
        p++;
        if (p < end && *p == ':') {
            if (gap >= 0) {
                return false;   /* a second "::" */
            }
            gap = n_groups;
            p++;
        } else if (p == end) {
            return false;       /* a single trailing colon */
        }
    }

    if (gap < 0 ? n_groups != 8 : n_groups > 7) {
        return false;
    }
    memset(out->b, 0, sizeof out->b);
    for (int i = 0; i < n_groups; i++) {
        int at = gap >= 0 && i >= gap ? i + (8 - n_groups) : i;
        out->b[2 * at] = (uint8_t) (groups[i] >> 8);
        out->b[2 * at + 1] = (uint8_t) groups[i];
    }
    return true;
}

bool
ip6_parse(const char *s, struct ip6_addr *addr)
{
    return parse_ip6(s, s + strlen(s), addr);
}

/* Writes 'addr' per RFC 5952 at 'p' and returns the end (no NUL). */
static char *
put_ip6(char *p, const struct ip6_addr *addr)
{
    static const char hex[] = "0123456789abcdef";
    uint16_t g[8];
    int best = -1, best_len = 0;
    int n_groups = 8;

    for (int i = 0; i < 8; i++) {
        g[i] = (uint16_t) (addr->b[2 * i] << 8 | addr->b[2 * i + 1]);
    }

    /* RFC 5952 section 5: IPv4-mapped addresses keep their dotted quad. */
    bool mapped = !g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff;
    if (mapped) {
        n_groups = 6;
    }

    /* RFC 5952 section 4.2: compress the longest run of two or more zero
     * groups, the first one on a tie. */
    for (int i = 0; i < n_groups;) {
        int j = i;
        while (j < n_groups && g[j] == 0) {
            j++;
        }
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (best_len < 2) {
        best = -1;
        best_len = 0;
    }

    for (int i = 0; i < n_groups; i++) {
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len) {
            *p++ = ':';
        }
        /* RFC 5952 section 4.1: no leading zeros; 4.3: lower case. */
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned int nibble = (g[i] >> shift) & 0xf;
            if (nibble || started || shift == 0) {
                *p++ = hex[nibble];
                started = true;
            }
        }
    }
    if (mapped) {
        *p++ = ':';
        p = put_ip4(p, (uint32_t) g[6] << 16 | g[7]);
    }
    return p;
}

void
ip6_format(const struct ip6_addr *addr, char out[IP6_STRLEN])
{
    *put_ip6(out, addr) = '\0';
}

static void
ip6_apply_mask(struct ip6_addr *a, uint8_t len)
{
    for (int i = 0; i < 16; i++) {
        int bits = (int) len - 8 * i;
        if (bits <= 0) {
            a->b[i] = 0;
        } else if (bits < 8) {
            a->b[i] &= (uint8_t) (0xff << (8 - bits));
        }
    }
}

bool
ip6_prefix_parse(const char *s, struct ip6_prefix *p, bool *was_canonical)
{
    const char *slash = strchr(s, '/');
    struct ip6_addr addr;
    uint8_t len;

    if (!slash || !parse_ip6(s, slash, &addr) || !parse_prefix_len(slash, 128, &len)) {
        return false;
    }
    p->addr = addr;
    p->len = len;
    ip6_apply_mask(&p->addr, len);
    if (was_canonical) {
        *was_canonical = !memcmp(p->addr.b, addr.b, sizeof addr.b);
    }
    return true;
}

void
ip6_prefix_format(const struct ip6_prefix *p, char out[IP6_PREFIX_STRLEN])
{
    char *end = put_ip6(out, &p->addr);

    *end++ = '/';
    *put_decimal(end, p->len) = '\0';
}

bool
ip6_prefix_has(const struct ip6_prefix *p, const struct ip6_addr *addr)
{
    struct ip6_addr masked = *addr;

    ip6_apply_mask(&masked, p->len);
    return !memcmp(masked.b, p->addr.b, sizeof masked.b);
}

bool
ip6_prefix_contains(const struct ip6_prefix *outer, const struct ip6_prefix *inner)
{
    return inner->len >= outer->len && ip6_prefix_has(outer, &inner->addr);
}

bool
ip6_prefix_overlaps(const struct ip6_prefix *a, const struct ip6_prefix *b)
{
    return ip6_prefix_contains(a, b) || ip6_prefix_contains(b, a);
}

bool
ip6_prefix_equal(const struct ip6_prefix *a, const struct ip6_prefix *b)
{
    return a->len == b->len && !memcmp(a->addr.b, b->addr.b, sizeof a->addr.b);
}
