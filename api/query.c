/* query.h: parsing application/x-www-form-urlencoded bodies and decoding
 * them against an action's input shape.
 *
 * Decoding sorts the pairs by their keys' dot-separated components, numeric
 * components by value and before any other, then walks the input shape and
 * the sorted pairs together.  At each level the pairs that share the current
 * component form one contiguous group: a structure looks each group up among
 * its members' query names, a list reads its groups as items in index order,
 * and a scalar takes the value of a key that ends there.  Recursion follows
 * the shape (EC2 input shapes are at most 6 deep and never recursive), so no
 * key, however many dots it has, makes it go deeper.
 *
 * Duplicate keys: the first occurrence wins, as in query_find(); later ones
 * are ignored (the sort keeps request order among equal keys).
 *
 * Messages quote the client's names and values, cut to QUERY_QUOTE_MAX bytes
 * on a character boundary so that an error message stays valid UTF-8. */
#include "api/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/util.h"

enum {
    QUERY_QUOTE_MAX = 96,           /* bytes of a name or value quoted in a message */
    QUERY_INDEX_MAX_DIGITS = 7,     /* digits of QUERY_MAX_LIST_INDEX */
};
_Static_assert(QUERY_MAX_LIST_INDEX < 10000000, "QUERY_INDEX_MAX_DIGITS is too small");

/* Returns at most QUERY_QUOTE_MAX bytes of the 'len' bytes at 's', cut on a
 * UTF-8 character boundary with "..." marking the cut.  With 'ascii' (text
 * not yet known to be valid UTF-8), bytes outside printable ASCII become '?'. */
static const char *
quote(struct arena *arena, const char *s, size_t len, bool ascii)
{
    bool cut = len > QUERY_QUOTE_MAX;
    size_t n = cut ? QUERY_QUOTE_MAX : len;

    if (cut && !ascii) {
        while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80) {
            n--;
        }
    }
    char *q = arena_alloc(arena, n + 4);
    memcpy(q, s, n);
    if (ascii) {
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char) q[i] < 0x20 || (unsigned char) q[i] >= 0x7f) {
                q[i] = '?';
            }
        }
    }
    memcpy(q + n, cut ? "..." : "", cut ? 4 : 1);
    return q;
}

static const char *
quote_str(struct arena *arena, const char *s)
{
    return quote(arena, s, strlen(s), false);
}

/* Form parsing. */

static int
hex_digit(unsigned char c)
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

/* Decodes the 'size' bytes at 's' ('+' is space, %XX a byte) into a new
 * string in 'arena'.  Returns NULL on a '%' not followed by two hex digits. */
static char *
percent_decode(struct arena *arena, const char *s, size_t size, size_t *len)
{
    char *out = arena_alloc(arena, size + 1);
    size_t n = 0;

    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c == '+') {
            out[n++] = ' ';
        } else if (c == '%') {
            if (size - i < 3) {
                return NULL;
            }
            int hi = hex_digit((unsigned char) s[i + 1]);
            int lo = hex_digit((unsigned char) s[i + 2]);
            if (hi < 0 || lo < 0) {
                return NULL;
            }
            out[n++] = (char) (hi << 4 | lo);
            i += 2;
        } else {
            out[n++] = (char) c;
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

/* True if the 'len' bytes at 's' are well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
static bool
utf8_valid(const char *s_, size_t len)
{
    const unsigned char *s = (const unsigned char *) s_;
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;     /* range of the second byte */

        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return false;
        }
        if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += n + 1;
    }
    return true;
}

/* Finds the next non-empty '&'-separated segment of the 'size' bytes at
 * 'data' from '*pos' on; returns false when there is none left. */
static bool
next_segment(const char *data, size_t size, size_t *pos, const char **seg, size_t *seg_len)
{
    while (*pos < size) {
        const char *start = data + *pos;
        const char *amp = memchr(start, '&', size - *pos);
        size_t len = amp ? (size_t) (amp - start) : size - *pos;
        *pos += len + 1;
        if (len > 0) {
            *seg = start;
            *seg_len = len;
            return true;
        }
    }
    return false;
}

int
query_parse_form(struct arena *arena, const char *data, size_t size,
                 struct qparam **params, size_t *n_params, struct error *err)
{
    const char *seg;
    size_t seg_len, pos, n = 0;

    /* Count first, so the limit holds before anything is allocated. */
    for (pos = 0; next_segment(data, size, &pos, &seg, &seg_len);) {
        if (++n > QUERY_MAX_PARAMS) {
            return err_set(err, ERR_MALFORMED_QUERY_STRING,
                           "The query string has more than %d parameters",
                           QUERY_MAX_PARAMS);
        }
    }

    struct qparam *ps = arena_alloc(arena, n * sizeof *ps);
    size_t i = 0;
    for (pos = 0; next_segment(data, size, &pos, &seg, &seg_len); i++) {
        const char *eq = memchr(seg, '=', seg_len);
        size_t raw_key_len = eq ? (size_t) (eq - seg) : seg_len;
        const char *raw_value = eq ? eq + 1 : seg + seg_len;
        size_t raw_value_len = seg_len - (size_t) (raw_value - seg);
        size_t key_len, value_len;
        char *key = percent_decode(arena, seg, raw_key_len, &key_len);
        char *value = percent_decode(arena, raw_value, raw_value_len, &value_len);

        if (!key || !value) {
            return err_set(err, ERR_MALFORMED_QUERY_STRING,
                           "The query string has an invalid percent-encoding in \"%s\"",
                           quote(arena, seg, seg_len, true));
        }
        if (memchr(key, '\0', key_len) || memchr(value, '\0', value_len)) {
            return err_set(err, ERR_MALFORMED_QUERY_STRING,
                           "The query string has a NUL character in \"%s\"",
                           quote(arena, seg, seg_len, true));
        }
        if (key_len > QUERY_MAX_KEY_LEN) {
            return err_set(err, ERR_MALFORMED_QUERY_STRING,
                           "The parameter name \"%s\" is longer than %d bytes",
                           quote(arena, key, key_len, true), QUERY_MAX_KEY_LEN);
        }
        if (!utf8_valid(key, key_len)) {
            return err_set(err, ERR_MALFORMED_QUERY_STRING,
                           "The parameter name \"%s\" is not valid UTF-8",
                           quote(arena, key, key_len, true));
        }
        if (!utf8_valid(value, value_len)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value for parameter %s is invalid. It is not valid UTF-8.",
                           quote(arena, key, key_len, false));
        }
        ps[i].key = key;
        ps[i].value = value;
    }
    ASSERT(i == n);
    *params = ps;
    *n_params = n;
    return 0;
}

const char *
query_find(const struct qparam *params, size_t n_params, const char *key)
{
    for (size_t i = 0; i < n_params; i++) {
        if (!strcmp(params[i].key, key)) {
            return params[i].value;
        }
    }
    return NULL;
}

/* Decoding. */

struct entry {
    const char *key;
    const char *value;
    size_t order;           /* index in the request: the first of duplicates wins */
    size_t pos;             /* offset in 'key' of the current component */
    bool done;              /* the key ended before the current component */
};

struct decoder {
    struct arena *arena;
    struct entry *entries;
    struct error *err;
};

static bool
all_digits(const char *s, size_t len)
{
    if (!len) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* A total order on components: digit strings first, by numeric value for
 * canonical ones (shorter is smaller), then everything else bytewise. */
static int
compare_components(const char *a, size_t alen, const char *b, size_t blen)
{
    bool ad = all_digits(a, alen), bd = all_digits(b, blen);

    if (ad != bd) {
        return ad ? -1 : 1;
    }
    if (ad && alen != blen) {
        return alen < blen ? -1 : 1;
    }
    int cmp = memcmp(a, b, MIN(alen, blen));
    if (cmp) {
        return cmp;
    }
    return alen < blen ? -1 : alen > blen;
}

static int
compare_order(const struct entry *a, const struct entry *b)
{
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Orders keys component by component, a key before the keys it prefixes,
 * then by request order; so every group of keys sharing a prefix is
 * contiguous and list items come in index order. */
static int
compare_entries(const void *a_, const void *b_)
{
    const struct entry *a = a_, *b = b_;
    const char *p = a->key, *q = b->key;
    size_t same = 0;

    /* Skip the common prefix up to its last dot: those components are equal,
     * and hostile keys can have hundreds of them. */
    while (p[same] && p[same] == q[same]) {
        same++;
    }
    if (p[same] == q[same]) {
        return compare_order(a, b);
    }
    while (same > 0 && p[same - 1] != '.') {
        same--;
    }
    p += same;
    q += same;
    for (;;) {
        size_t plen = strcspn(p, "."), qlen = strcspn(q, ".");
        int cmp = compare_components(p, plen, q, qlen);
        if (cmp) {
            return cmp;
        }
        bool pend = !p[plen], qend = !q[qlen];
        if (pend || qend) {
            if (pend != qend) {
                return pend ? -1 : 1;
            }
            break;
        }
        p += plen + 1;
        q += qlen + 1;
    }
    return compare_order(a, b);
}

static size_t
component_len(const struct entry *e)
{
    return strcspn(e->key + e->pos, ".");
}

/* The end of the group of entries from 'lo' that share the current
 * component of entries[lo], which must not be done. */
static size_t
group_end(const struct decoder *d, size_t lo, size_t hi)
{
    const struct entry *first = &d->entries[lo];
    const char *c = first->key + first->pos;
    size_t len = component_len(first);
    size_t j = lo + 1;

    while (j < hi) {
        const struct entry *e = &d->entries[j];
        if (e->done || component_len(e) != len || memcmp(e->key + e->pos, c, len)) {
            break;
        }
        j++;
    }
    return j;
}

/* Moves entries [lo, hi) past their current component of 'len' bytes. */
static void
advance(struct decoder *d, size_t lo, size_t hi, size_t len)
{
    for (size_t i = lo; i < hi; i++) {
        struct entry *e = &d->entries[i];
        e->pos += len;
        if (e->key[e->pos] == '.') {
            e->pos++;
        } else {
            e->done = true;
        }
    }
}

static int
unknown(struct decoder *d, const struct entry *e)
{
    return err_set(d->err, ERR_UNKNOWN_PARAMETER, "The parameter %s is not recognized",
                   quote_str(d->arena, e->key));
}

static int
invalid(struct decoder *d, const struct entry *e, const char *why)
{
    return err_set(d->err, ERR_INVALID_PARAMETER_VALUE,
                   "Value (%s) for parameter %s is invalid. %s",
                   quote_str(d->arena, e->value), quote_str(d->arena, e->key), why);
}

static struct dval *
new_dval(struct decoder *d, const struct shape *shape)
{
    struct dval *v = arena_zalloc(d->arena, sizeof *v);
    v->shape = shape;
    return v;
}

/* Parses a decimal integer: an optional '-', then digits, nothing else. */
static bool
parse_int64(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    uint64_t v = 0;

    s += neg;
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        unsigned digit = (unsigned) (*s - '0');
        if (v > (limit - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    *out = neg ? (int64_t) (0 - v) : (int64_t) v;
    return true;
}

static bool
parse_double(const char *s, double *out)
{
    /* strtod() would also take "inf", "nan", hex floats and leading spaces. */
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s)) {
        return false;
    }
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

static bool
digits(const char **s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((*s)[i] < '0' || (*s)[i] > '9') {
            return false;
        }
    }
    *s += n;
    return true;
}

/* ISO 8601 as botocore writes it ("2026-11-28T15:00:00Z", with optional
 * fraction and offset, or a date alone), or epoch seconds. */
static bool
timestamp_valid(const char *s)
{
    if (all_digits(s, strlen(s))) {
        return strlen(s) <= 12;
    }
    if (!digits(&s, 4) || *s++ != '-' || !digits(&s, 2) || *s++ != '-' || !digits(&s, 2)) {
        return false;
    }
    if (!*s) {
        return true;
    }
    if (*s != 'T' && *s != 't') {
        return false;
    }
    s++;
    if (!digits(&s, 2) || *s++ != ':' || !digits(&s, 2)) {
        return false;
    }
    if (*s == ':') {
        s++;
        if (!digits(&s, 2)) {
            return false;
        }
        if (*s == '.') {
            s++;
            size_t n = strspn(s, "0123456789");
            if (n == 0 || n > 9) {
                return false;
            }
            s += n;
        }
    }
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        s++;
        if (!digits(&s, 2)) {
            return false;
        }
        if (*s == ':') {
            s++;
        }
        if (!digits(&s, 2)) {
            return false;
        }
    }
    return !*s;
}

/* Decodes the value of scalar 'shape' from the group [lo, hi), whose keys
 * must all end here (the first, in request order, wins). */
static int
decode_scalar(struct decoder *d, const struct shape *shape, size_t lo, size_t hi,
              struct dval **out)
{
    for (size_t i = lo; i < hi; i++) {
        if (!d->entries[i].done) {
            return unknown(d, &d->entries[i]);
        }
    }

    const struct entry *e = &d->entries[lo];
    struct dval *v = new_dval(d, shape);
    const char *why = NULL;
    switch (shape->type) {
    case SHAPE_STRING:
        if (shape->n_enum) {
            bool found = false;
            for (size_t k = 0; k < shape->n_enum && !found; k++) {
                found = !strcmp(e->value, shape->enum_values[k]);
            }
            if (!found) {
                return invalid(d, e, "It is not one of the values the parameter accepts.");
            }
        }
        v->u.str = e->value;
        break;
    case SHAPE_TIMESTAMP:
        if (!timestamp_valid(e->value)) {
            return invalid(d, e, "Expected an ISO 8601 timestamp.");
        }
        v->u.str = e->value;
        break;
    case SHAPE_BLOB:
        v->u.str = e->value;
        break;
    case SHAPE_INTEGER:
    case SHAPE_LONG: {
        int64_t min = shape->type == SHAPE_INTEGER ? INT32_MIN : INT64_MIN;
        int64_t max = shape->type == SHAPE_INTEGER ? INT32_MAX : INT64_MAX;
        if (!parse_int64(e->value, &v->u.i) || v->u.i < min || v->u.i > max) {
            return invalid(d, e, shape->type == SHAPE_INTEGER ? "Expected an integer."
                                                              : "Expected a long integer.");
        }
        if (shape->has_min && v->u.i < shape->min) {
            why = arena_printf(d->arena, "It must be at least %lld.", (long long) shape->min);
        } else if (shape->has_max && v->u.i > shape->max) {
            why = arena_printf(d->arena, "It must be at most %lld.", (long long) shape->max);
        }
        if (why) {
            return invalid(d, e, why);
        }
        break;
    }
    case SHAPE_BOOLEAN:
        if (!strcasecmp(e->value, "true")) {
            v->u.b = true;
        } else if (!strcasecmp(e->value, "false")) {
            v->u.b = false;
        } else {
            return invalid(d, e, "Expected 'true' or 'false'.");
        }
        break;
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        if (!parse_double(e->value, &v->u.d)) {
            return invalid(d, e, "Expected a number.");
        }
        break;
    case SHAPE_STRUCTURE:
    case SHAPE_LIST:
    case SHAPE_MAP:
    default:
        NOT_REACHED();
    }
    *out = v;
    return 0;
}

static int decode_value(struct decoder *, const struct shape *, size_t lo, size_t hi,
                        const char *path, size_t path_len, struct dval **out);

/* Decodes structure 'st' from [lo, hi), whose keys' components so far spell
 * the 'path_len' bytes at 'path' (empty at the top). */
static int
decode_struct(struct decoder *d, const struct shape *st, size_t lo, size_t hi,
              const char *path, size_t path_len, struct dval **out)
{
    struct dval *v = new_dval(d, st);
    v->u.members = arena_zalloc(d->arena, st->n_members * sizeof *v->u.members);

    for (size_t i = lo; i < hi;) {
        const struct entry *e = &d->entries[i];
        if (e->done) {
            /* A value for the structure itself, as in "PortRange=1". */
            return unknown(d, e);
        }

        const char *c = e->key + e->pos;
        size_t len = component_len(e);
        size_t idx;
        for (idx = 0; idx < st->n_members; idx++) {
            const char *name = st->members[idx].query_name;
            if (!strncmp(name, c, len) && name[len] == '\0') {
                break;
            }
        }
        if (idx == st->n_members) {
            return unknown(d, e);
        }

        size_t j = group_end(d, i, hi);
        size_t member_path_len = e->pos + len;
        advance(d, i, j, len);
        if (decode_value(d, st->members[idx].shape, i, j, e->key, member_path_len,
                         &v->u.members[idx])) {
            return -1;
        }
        i = j;
    }

    for (size_t k = 0; k < st->n_members; k++) {
        if (st->members[k].required && !v->u.members[k]) {
            return err_set(d->err, ERR_MISSING_PARAMETER,
                           "The request must contain the parameter %s%s%s",
                           quote(d->arena, path, path_len, false), path_len ? "." : "",
                           st->members[k].query_name);
        }
    }
    *out = v;
    return 0;
}

/* Parses list index 'c' ('len' bytes): 1 to QUERY_MAX_LIST_INDEX, no sign,
 * no leading zero (so every item has exactly one spelling). */
static bool
parse_index(const char *c, size_t len)
{
    if (!all_digits(c, len) || c[0] == '0' || len > QUERY_INDEX_MAX_DIGITS) {
        return false;
    }
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        v = v * 10 + (c[i] - '0');
    }
    return v <= QUERY_MAX_LIST_INDEX;
}

static int
decode_list(struct decoder *d, const struct shape *list, size_t lo, size_t hi,
            const char *path, size_t path_len, struct dval **out)
{
    size_t n = 0;

    /* First pass: validate every index and count, before allocating. */
    for (size_t i = lo; i < hi; i = group_end(d, i, hi)) {
        const struct entry *e = &d->entries[i];
        if (e->done) {
            /* A scalar for the list itself, as in "VpcId=vpc-1". */
            return unknown(d, e);
        }
        size_t len = component_len(e);
        if (!parse_index(e->key + e->pos, len)) {
            return err_set(d->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter %s is invalid. "
                           "A list index is a number from 1 to %d.",
                           quote(d->arena, e->key + e->pos, len, false),
                           quote_str(d->arena, e->key), QUERY_MAX_LIST_INDEX);
        }
        if (++n > QUERY_MAX_LIST_LEN) {
            return err_set(d->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value for parameter %s is invalid. "
                           "A list has at most %d items.",
                           quote(d->arena, path, path_len, false), QUERY_MAX_LIST_LEN);
        }
    }

    struct dval *v = new_dval(d, list);
    v->u.list.items = arena_alloc(d->arena, n * sizeof *v->u.list.items);
    v->u.list.n = n;
    size_t k = 0;
    for (size_t i = lo; i < hi; k++) {
        const struct entry *e = &d->entries[i];
        size_t j = group_end(d, i, hi);
        size_t len = component_len(e);
        size_t item_path_len = e->pos + len;
        advance(d, i, j, len);
        if (decode_value(d, list->member, i, j, e->key, item_path_len,
                         &v->u.list.items[k])) {
            return -1;
        }
        i = j;
    }
    ASSERT(k == n);
    *out = v;
    return 0;
}

/* Decodes a value of 'shape' from [lo, hi), a non-empty group of entries
 * positioned just past the component that named it. */
static int
decode_value(struct decoder *d, const struct shape *shape, size_t lo, size_t hi,
             const char *path, size_t path_len, struct dval **out)
{
    switch (shape->type) {
    case SHAPE_STRUCTURE:
        return decode_struct(d, shape, lo, hi, path, path_len, out);
    case SHAPE_LIST:
        return decode_list(d, shape, lo, hi, path, path_len, out);
    case SHAPE_MAP:
        /* No action we serve takes a map; botocore would write Name.entry.N.key. */
        return unknown(d, &d->entries[lo]);
    case SHAPE_STRING:
    case SHAPE_INTEGER:
    case SHAPE_LONG:
    case SHAPE_BOOLEAN:
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
    case SHAPE_TIMESTAMP:
    case SHAPE_BLOB:
        return decode_scalar(d, shape, lo, hi, out);
    }
    NOT_REACHED();
}

/* Action and Version select the action; X-Amz-* carry a presigned request's
 * signature (api/sigv4 checks them). */
static bool
skipped(const char *key)
{
    return !strcmp(key, "Action") || !strcmp(key, "Version") || !strncasecmp(key, "X-Amz-", 6);
}

int
query_decode(struct arena *arena, const struct shape *input, const struct qparam *params,
             size_t n_params, struct dval **out, struct error *err)
{
    struct decoder d = { .arena = arena, .err = err };
    size_t n = 0;

    ASSERT(input->type == SHAPE_STRUCTURE);
    d.entries = arena_alloc(arena, n_params * sizeof *d.entries);
    for (size_t i = 0; i < n_params; i++) {
        if (!skipped(params[i].key)) {
            d.entries[n++] = (struct entry) {
                .key = params[i].key, .value = params[i].value, .order = i,
            };
        }
    }
    if (n > 1) {
        qsort(d.entries, n, sizeof *d.entries, compare_entries);
    }
    *out = NULL;
    return decode_struct(&d, input, 0, n, "", 0, out);
}

/* Accessors. */

/* The member 'member' of 'st', whose shape's type must be in 'types' (a mask
 * of 1 << SHAPE_*): the check holds whether or not the client sent it. */
static const struct dval *
get_member(const struct dval *st, const char *member, unsigned types)
{
    if (!st) {
        return NULL;
    }
    ASSERT(st->shape->type == SHAPE_STRUCTURE);
    size_t idx = shape_member_index(st->shape, member);
    ASSERT(types & (1u << st->shape->members[idx].shape->type));
    return st->u.members[idx];
}

const struct dval *
dval_get(const struct dval *st, const char *member)
{
    return get_member(st, member, ~0u);
}

const char *
dval_str(const struct dval *st, const char *member)
{
    const struct dval *v = get_member(st, member, 1u << SHAPE_STRING | 1u << SHAPE_TIMESTAMP
                                                  | 1u << SHAPE_BLOB);
    return v ? v->u.str : NULL;
}

bool
dval_bool(const struct dval *st, const char *member, bool dflt)
{
    const struct dval *v = get_member(st, member, 1u << SHAPE_BOOLEAN);
    return v ? v->u.b : dflt;
}

bool
dval_int(const struct dval *st, const char *member, int64_t *out)
{
    const struct dval *v = get_member(st, member, 1u << SHAPE_INTEGER | 1u << SHAPE_LONG);
    if (v) {
        *out = v->u.i;
    }
    return v != NULL;
}
