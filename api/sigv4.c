/* sigv4.h: AWS Signature Version 4 for service "ec2", after
 * vpc-semantics.md section 2.5 and botocore's SigV4Auth/SigV4QueryAuth.
 *
 * sigv4_parse() reads what the client claims (Authorization header, else
 * X-Amz-* query parameters) and checks its shape; sigv4_verify() checks the
 * clock and rebuilds the canonical request from the bytes that arrived,
 * signs it with the secret and compares in constant time.  Everything quoted
 * back to the client in an error is cut short and stripped of control
 * characters, since it came from the client. */
#include "sigv4.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/buf.h"
#include "lib/util.h"

enum {
    AMZ_DATE_LEN = 16,              /* yyyymmddThhmmssZ */
    SCOPE_DATE_LEN = 8,             /* yyyymmdd */
    SIGNATURE_LEN = 64,             /* hex HMAC-SHA256 */
    SHA256_SIZE = 32,
    MAX_SIGNED_HEADERS = 64,
    SIGNED_HEADERS_SIZE = sizeof ((struct sigv4_credential *) 0)->signed_headers,
    CREDENTIAL_SIZE = 256,          /* bound on an X-Amz-Credential value */
    PARAM_SIZE = 512,               /* bound on other X-Amz-* values we read */
    QUOTE_LEN = 160,                /* client input quoted back in a message */
    MAX_EXPIRES_SEC = 7 * 24 * 3600,    /* X-Amz-Expires upper bound (AWS) */
};

static const char ALGORITHM[] = "AWS4-HMAC-SHA256";
static const char SERVICE[] = "ec2";
static const char TERMINATOR[] = "aws4_request";

static const char MSG_DOES_NOT_MATCH[] =
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details.";

/* A piece of a longer string, not NUL-terminated. */
struct span {
    const char *p;
    size_t len;
};

/* Client input made safe to quote: at most QUOTE_LEN printable ASCII
 * characters, others replaced by '?', "..." when cut. */
struct quote {
    char s[QUOTE_LEN + 4];
};

static const char *
quote_n(struct quote *q, const char *s, size_t len)
{
    size_t n = 0;

    for (; n < len && n < QUOTE_LEN; n++) {
        unsigned char c = (unsigned char) s[n];
        q->s[n] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    if (n < len) {
        memcpy(q->s + n, "...", 3);
        n += 3;
    }
    q->s[n] = '\0';
    return q->s;
}

static const char *
quote(struct quote *q, const char *s)
{
    return quote_n(q, s, strlen(s));
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit((char) c) || c == '-'
           || c == '_' || c == '.' || c == '~';
}

static int
hex_value(char c)
{
    if (is_digit(c)) {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static void
hex_encode(const unsigned char *in, size_t size, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < size; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * size] = '\0';
}

/* Dates.  Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no libc time zone state is involved. */
static int64_t
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t) era * 146097 + doe - 719468;
}

static int
digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Checks "yyyymmdd" at 's' (exactly 8 digits, a real date) and stores its
 * day number. */
static bool
parse_ymd(const char *s, int64_t *days)
{
    static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    for (int i = 0; i < SCOPE_DATE_LEN; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
    }
    int y = digits_value(s, 4), m = digits_value(s + 4, 2), d = digits_value(s + 6, 2);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1] || (m == 2 && d == 29 && !leap)) {
        return false;
    }
    *days = days_from_civil(y, m, d);
    return true;
}

/* Parses X-Amz-Date, ISO 8601 basic format "yyyymmddThhmmssZ" exactly. */
static bool
parse_amz_date(const char *s, int64_t *epoch)
{
    int64_t days;

    if (strlen(s) != AMZ_DATE_LEN || !parse_ymd(s, &days) || s[8] != 'T' || s[15] != 'Z') {
        return false;
    }
    for (int i = 9; i < 15; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
    }
    int h = digits_value(s + 9, 2), min = digits_value(s + 11, 2), sec = digits_value(s + 13, 2);
    if (h > 23 || min > 59 || sec > 59) {
        return false;
    }
    *epoch = days * 86400 + h * 3600 + min * 60 + sec;
    return true;
}

static void
format_amz_date(int64_t epoch, char out[AMZ_DATE_LEN + 1])
{
    time_t t = (time_t) epoch;
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(out, AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm)) {
        str_copy(out, AMZ_DATE_LEN + 1, "?");
    }
}

/* Query strings.  Calls 'fn' for each non-empty "key[=value]" piece of
 * 'query' with the raw (still encoded) key and value; stops early when 'fn'
 * returns false. */
typedef bool query_fn(void *aux, struct span key, struct span value);

static void
query_for_each(const char *query, query_fn *fn, void *aux)
{
    const char *p = query ? query : "";

    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t) (end - p) : strlen(p);
        if (len) {
            const char *eq = memchr(p, '=', len);
            struct span key = { p, eq ? (size_t) (eq - p) : len };
            struct span value = { eq ? eq + 1 : p + len, eq ? len - key.len - 1 : 0 };
            if (!fn(aux, key, value)) {
                return;
            }
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
}

/* Decodes a form-encoded span ("%XX" and '+' for space; a '%' not followed by
 * two hex digits stays as it is) into 'b'. */
static void
url_decode(struct buf *b, struct span s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '+') {
            buf_putc(b, ' ');
        } else if (c == '%' && i + 2 < s.len && hex_value(s.p[i + 1]) >= 0
                   && hex_value(s.p[i + 2]) >= 0) {
            buf_putc(b, (char) (hex_value(s.p[i + 1]) << 4 | hex_value(s.p[i + 2])));
            i += 2;
        } else {
            buf_putc(b, c);
        }
    }
}

/* Appends 'size' bytes of 'data' RFC 3986-encoded: unreserved characters
 * as they are, the rest as upper-case %XX. */
static void
uri_encode(struct buf *b, const char *data, size_t size)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) data[i];
        if (is_unreserved(c)) {
            buf_putc(b, (char) c);
        } else {
            char esc[3] = { '%', digits[c >> 4], digits[c & 15] };
            buf_put(b, esc, sizeof esc);
        }
    }
}

/* Finding one parameter: its decoded value, bounded. */
struct param_find {
    const char *name;
    char *value;
    size_t size;
    bool found;
    bool too_long;
};

static bool
find_param(void *aux_, struct span key, struct span value)
{
    struct param_find *aux = aux_;
    struct buf k, v;
    bool match;

    /* Auth parameter names need no decoding by well-behaved clients, but a
     * client may encode anything, so compare decoded. */
    buf_init(&k);
    url_decode(&k, key);
    match = k.data && !strcmp(k.data, aux->name);
    buf_uninit(&k);
    if (!match) {
        return true;
    }
    buf_init(&v);
    url_decode(&v, value);
    aux->found = true;
    aux->too_long = v.len >= aux->size;
    str_copy(aux->value, aux->size, v.data ? v.data : "");
    buf_uninit(&v);
    return false;
}

/* Looks up query parameter 'name'.  Returns 1 if found and fits, 0 if
 * absent, -1 if longer than 'size' - 1. */
static int
query_param(const char *query, const char *name, char *value, size_t size)
{
    struct param_find aux = { name, value, size, false, false };

    query_for_each(query, find_param, &aux);
    return !aux.found ? 0 : aux.too_long ? -1 : 1;
}

/* Canonical query string: every parameter (but X-Amz-Signature in the query
 * form) decoded, re-encoded per RFC 3986, sorted by key then value. */
struct canon_pair {
    char *key;
    char *value;
};

struct canon_query {
    struct canon_pair *pairs;
    size_t n;
    size_t cap;
    bool skip_signature;
};

static char *
reencode(struct span s)
{
    struct buf decoded, encoded;
    char *result;

    buf_init(&decoded);
    buf_init(&encoded);
    url_decode(&decoded, s);
    uri_encode(&encoded, decoded.data ? decoded.data : "", decoded.len);
    result = encoded.data ? buf_steal(&encoded) : xstrdup("");
    buf_uninit(&encoded);
    buf_uninit(&decoded);
    return result;
}

static bool
add_canon_pair(void *aux_, struct span key, struct span value)
{
    struct canon_query *aux = aux_;
    char *k = reencode(key);

    if (aux->skip_signature && !strcmp(k, "X-Amz-Signature")) {
        free(k);
        return true;
    }
    if (aux->n == aux->cap) {
        aux->cap = aux->cap ? 2 * aux->cap : 16;
        aux->pairs = xrealloc(aux->pairs, aux->cap * sizeof *aux->pairs);
    }
    aux->pairs[aux->n].key = k;
    aux->pairs[aux->n].value = reencode(value);
    aux->n++;
    return true;
}

static int
compare_pairs(const void *a_, const void *b_)
{
    const struct canon_pair *a = a_, *b = b_;
    int c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->value, b->value);
}

static void
put_canonical_query(struct buf *b, const char *query, bool in_query)
{
    struct canon_query cq = { NULL, 0, 0, in_query };

    query_for_each(query, add_canon_pair, &cq);
    if (cq.n) {
        qsort(cq.pairs, cq.n, sizeof *cq.pairs, compare_pairs);
    }
    for (size_t i = 0; i < cq.n; i++) {
        buf_printf(b, "%s%s=%s", i ? "&" : "", cq.pairs[i].key, cq.pairs[i].value);
        free(cq.pairs[i].key);
        free(cq.pairs[i].value);
    }
    free(cq.pairs);
}

/* Canonical URI: the path with dot segments and empty segments removed, as
 * botocore's normalize_url_path does, then each segment URI-encoded once
 * (non-S3 services). */
static void
put_canonical_uri(struct buf *b, const char *path)
{
    const char *p = path && *path ? path : "/";
    size_t n_segs = 0, cap = 8;
    struct span *segs = xmalloc(cap * sizeof *segs);
    size_t path_len = strlen(p);

    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t) (end - p) : strlen(p);
        if (len == 2 && !memcmp(p, "..", 2)) {
            n_segs -= n_segs > 0;
        } else if (len && !(len == 1 && *p == '.')) {
            if (n_segs == cap) {
                cap *= 2;
                segs = xrealloc(segs, cap * sizeof *segs);
            }
            segs[n_segs++] = (struct span) { p, len };
        }
        p += len;
        if (*p == '/') {
            p++;
        }
    }
    p = path && *path ? path : "/";
    if (*p == '/') {
        buf_putc(b, '/');
    }
    for (size_t i = 0; i < n_segs; i++) {
        if (i) {
            buf_putc(b, '/');
        }
        uri_encode(b, segs[i].p, segs[i].len);
    }
    if (n_segs && p[path_len - 1] == '/') {
        buf_putc(b, '/');
    }
    free(segs);
}

static const char *
get_header(const struct sigv4_request *req, const char *lower_name)
{
    return req->header ? req->header(req->ctx, lower_name) : NULL;
}

/* Splits 'list' ("a;b;c") into at most MAX_SIGNED_HEADERS lower-cased names
 * in 'copy'. */
static size_t
split_signed_headers(const char *list, char copy[SIGNED_HEADERS_SIZE],
                     char *names[MAX_SIGNED_HEADERS])
{
    size_t n = 0;

    str_copy(copy, SIGNED_HEADERS_SIZE, list);
    for (char *p = copy; *p; p++) {
        *p = *p >= 'A' && *p <= 'Z' ? (char) (*p - 'A' + 'a') : *p;
    }
    for (char *p = copy; *p && n < MAX_SIGNED_HEADERS;) {
        char *end = strchr(p, ';');
        if (end) {
            *end = '\0';
        }
        if (*p) {
            names[n++] = p;
        }
        if (!end) {
            break;
        }
        p = end + 1;
    }
    return n;
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* "name:value\n" for each signed header, sorted, values trimmed and inner
 * runs of white space collapsed to one space; then the blank separator and
 * the signed headers line. */
static void
put_canonical_headers(struct buf *b, const struct sigv4_request *req, const char *signed_headers)
{
    char copy[SIGNED_HEADERS_SIZE];
    char *names[MAX_SIGNED_HEADERS];
    size_t n = split_signed_headers(signed_headers, copy, names);

    qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; i < n; i++) {
        const char *v = get_header(req, names[i]);
        bool space = false, started = false;

        buf_printf(b, "%s:", names[i]);
        for (v = v ? v : ""; *v; v++) {
            if (is_space(*v)) {
                space = true;
                continue;
            }
            if (space && started) {
                buf_putc(b, ' ');
            }
            space = false;
            started = true;
            buf_putc(b, *v);
        }
        buf_putc(b, '\n');
    }
    buf_putc(b, '\n');
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%s%s", i ? ";" : "", names[i]);
    }
}

static void
sha256_hex(const void *data, size_t size, char out[2 * SHA256_SIZE + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_size = 0;

    if (!EVP_Digest(data ? data : "", size, md, &md_size, EVP_sha256(), NULL)
        || md_size != SHA256_SIZE) {
        NOT_REACHED();
    }
    hex_encode(md, SHA256_SIZE, out);
}

static void
hmac_sha256(const void *key, size_t key_size, const char *msg, size_t msg_size,
            unsigned char out[SHA256_SIZE])
{
    unsigned int out_size = 0;

    ASSERT(key_size <= (size_t) INT32_MAX);
    if (!HMAC(EVP_sha256(), key, (int) key_size, (const unsigned char *) msg, msg_size, out,
              &out_size)
        || out_size != SHA256_SIZE) {
        NOT_REACHED();
    }
}

void
sigv4_sign(const struct sigv4_request *req, const struct sigv4_credential *cred,
           const char *secret, char out_hex[65])
{
    struct buf canonical, sts, key;
    char hash[2 * SHA256_SIZE + 1];
    unsigned char k[SHA256_SIZE], next[SHA256_SIZE], signature[SHA256_SIZE];
    const char *scope[] = { cred->region, SERVICE, TERMINATOR };

    buf_init(&canonical);
    buf_printf(&canonical, "%s\n", req->method);
    put_canonical_uri(&canonical, req->path);
    buf_putc(&canonical, '\n');
    put_canonical_query(&canonical, req->query, cred->in_query);
    buf_putc(&canonical, '\n');
    put_canonical_headers(&canonical, req, cred->signed_headers);
    sha256_hex(req->body, req->body_size, hash);
    buf_printf(&canonical, "\n%s", hash);

    sha256_hex(canonical.data, canonical.len, hash);
    buf_init(&sts);
    buf_printf(&sts, "%s\n%s\n%s/%s/%s/%s\n%s", ALGORITHM, cred->amz_date, cred->date,
               cred->region, SERVICE, TERMINATOR, hash);

    buf_init(&key);
    buf_printf(&key, "AWS4%s", secret);
    hmac_sha256(key.data, key.len, cred->date, strlen(cred->date), k);
    for (size_t i = 0; i < ARRAY_SIZE(scope); i++) {
        hmac_sha256(k, sizeof k, scope[i], strlen(scope[i]), next);
        memcpy(k, next, sizeof k);
    }
    hmac_sha256(k, sizeof k, sts.data, sts.len, signature);
    hex_encode(signature, sizeof signature, out_hex);

    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(next, sizeof next);
    OPENSSL_cleanse(key.data, key.len);
    buf_uninit(&key);
    buf_uninit(&sts);
    buf_uninit(&canonical);
}

/* Parsing what the client claims. */

static bool
valid_access_key(const char *s, size_t len)
{
    if (len == 0 || len >= SIGV4_KEY_SIZE) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c <= 0x20 || c >= 0x7f || c == ',' || c == ';' || c == '=') {
            return false;
        }
    }
    return true;
}

static bool
valid_region(const char *s, size_t len)
{
    if (len == 0 || len >= SIGV4_REGION_SIZE) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-')) {
            return false;
        }
    }
    return true;
}

/* "AKID/yyyymmdd/region/ec2/aws4_request" into 'cred'. */
static int
parse_credential(const char *value, struct sigv4_credential *cred, struct error *err)
{
    struct span parts[5];
    size_t n = 0;
    const char *p = value;
    struct quote q;
    int64_t days;

    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t) (slash - p) : strlen(p);
        if (n == 5) {
            n++;
            break;
        }
        parts[n++] = (struct span) { p, len };
        if (!slash) {
            break;
        }
        p = slash + 1;
    }
    if (n != 5) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Credential must have exactly 5 slash-delimited elements, "
                       "e.g. keyid/date/region/service/term, got '%s'", quote(&q, value));
    }
    if (!valid_access_key(parts[0].p, parts[0].len)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Credential must begin with a valid access key id, got '%s'",
                       quote(&q, value));
    }
    if (parts[1].len != SCOPE_DATE_LEN || !parse_ymd(parts[1].p, &days)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Credential date must be in yyyymmdd form, got '%s'",
                       quote_n(&q, parts[1].p, parts[1].len));
    }
    if (!valid_region(parts[2].p, parts[2].len)) {
        return err_set(err, ERR_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped to a valid region, not '%s'. ",
                       quote_n(&q, parts[2].p, parts[2].len));
    }
    if (parts[3].len != strlen(SERVICE) || memcmp(parts[3].p, SERVICE, parts[3].len)) {
        return err_set(err, ERR_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped to correct service: '%s'. ", SERVICE);
    }
    if (parts[4].len != strlen(TERMINATOR) || memcmp(parts[4].p, TERMINATOR, parts[4].len)) {
        return err_set(err, ERR_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped with a valid terminator: '%s', not '%s'. ",
                       TERMINATOR, quote_n(&q, parts[4].p, parts[4].len));
    }
    memcpy(cred->access_key, parts[0].p, parts[0].len);
    cred->access_key[parts[0].len] = '\0';
    memcpy(cred->date, parts[1].p, SCOPE_DATE_LEN);
    cred->date[SCOPE_DATE_LEN] = '\0';
    memcpy(cred->region, parts[2].p, parts[2].len);
    cred->region[parts[2].len] = '\0';
    return 0;
}

static bool
is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* "content-type;host;x-amz-date": header names (lower-cased here), host
 * among them (AWS requires the host to be signed). */
static int
parse_signed_headers(const char *value, struct sigv4_credential *cred, struct error *err)
{
    char lower[SIGNED_HEADERS_SIZE];
    char copy[SIGNED_HEADERS_SIZE];
    char *names[MAX_SIGNED_HEADERS];
    size_t len = strlen(value), n = 1;
    bool host = false;
    struct quote q;

    if (len == 0 || len >= sizeof lower) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "SignedHeaders must list 1 to %zu bytes of header names, got '%s'",
                       sizeof lower - 1, quote(&q, value));
    }
    for (size_t i = 0; i <= len; i++) {
        char c = value[i];
        lower[i] = c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
        if (i < len && lower[i] != ';' && !is_token_char(lower[i])) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                           "SignedHeaders contains an invalid header name: '%s'",
                           quote(&q, value));
        }
    }
    if (lower[0] == ';' || lower[len - 1] == ';' || strstr(lower, ";;")) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "SignedHeaders contains an empty header name: '%s'", quote(&q, value));
    }
    for (size_t i = 0; i < len; i++) {
        n += lower[i] == ';';
    }
    if (n > MAX_SIGNED_HEADERS) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "SignedHeaders lists more than %d headers", MAX_SIGNED_HEADERS);
    }
    n = split_signed_headers(lower, copy, names);
    for (size_t i = 0; i < n; i++) {
        host = host || !strcmp(names[i], "host");
    }
    if (!host) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "'Host' must be a 'SignedHeader' in the AWS Authorization. "
                       "SignedHeaders=%s", quote(&q, value));
    }
    str_copy(cred->signed_headers, sizeof cred->signed_headers, lower);
    return 0;
}

static int
parse_signature(const char *value, struct sigv4_credential *cred, struct error *err)
{
    struct quote q;
    size_t len = strlen(value);
    bool hex = len == SIGNATURE_LEN;

    for (size_t i = 0; hex && i < len; i++) {
        hex = is_digit(value[i]) || (value[i] >= 'a' && value[i] <= 'f');
    }
    if (!hex) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Signature must be %d lower-case hexadecimal characters, got '%s'",
                       SIGNATURE_LEN, quote(&q, value));
    }
    memcpy(cred->signature, value, SIGNATURE_LEN + 1);
    return 0;
}

static int
parse_date(const char *value, struct sigv4_credential *cred, struct error *err)
{
    struct quote q;
    int64_t epoch;

    if (!parse_amz_date(value, &epoch)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Date must be in ISO-8601 'basic format'. Got '%s'. "
                       "See http://en.wikipedia.org/wiki/ISO_8601", quote(&q, value));
    }
    memcpy(cred->amz_date, value, AMZ_DATE_LEN + 1);
    return 0;
}

static struct span
trim(struct span s)
{
    while (s.len && is_space(*s.p)) {
        s.p++;
        s.len--;
    }
    while (s.len && is_space(s.p[s.len - 1])) {
        s.len--;
    }
    return s;
}

/* Copies span 's' into 'out'; false if it does not fit. */
static bool
copy_span(struct span s, char *out, size_t size)
{
    if (s.len >= size) {
        return false;
    }
    memcpy(out, s.p, s.len);
    out[s.len] = '\0';
    return true;
}

static const char *const auth_keys[] = { "Credential", "SignedHeaders", "Signature" };
enum { N_AUTH_KEYS = ARRAY_SIZE(auth_keys) };

/* Splits the Authorization header after the algorithm into its "Key=Value"
 * components, separated by commas and optional white space, and points
 * 'values' (indexed as 'auth_keys') at those present. */
static int
split_authorization(const char *auth, const char *p, struct span values[N_AUTH_KEYS],
                    struct error *err)
{
    struct quote q, q_auth;

    while (*p) {
        const char *end = strchr(p, ',');
        struct span c, key, value;
        const char *eq;
        size_t i;

        if (!end) {
            end = p + strlen(p);
        }
        c = trim((struct span) { p, (size_t) (end - p) });
        p = *end ? end + 1 : end;
        if (!c.len) {
            continue;
        }
        eq = memchr(c.p, '=', c.len);
        if (!eq) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                           "Invalid key=value pair (missing equal-sign) in Authorization "
                           "header: '%s'.", quote_n(&q, c.p, c.len));
        }
        key = (struct span) { c.p, (size_t) (eq - c.p) };
        value = (struct span) { eq + 1, c.len - key.len - 1 };
        for (i = 0; i < N_AUTH_KEYS; i++) {
            if (key.len == strlen(auth_keys[i]) && !memcmp(key.p, auth_keys[i], key.len)) {
                break;
            }
        }
        if (i == N_AUTH_KEYS) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                           "Unknown component in Authorization header: '%s'. "
                           "Authorization=%s", quote_n(&q, key.p, key.len),
                           quote(&q_auth, auth));
        }
        if (values[i].p) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                           "Authorization header has '%s' more than once. Authorization=%s",
                           auth_keys[i], quote(&q, auth));
        }
        for (size_t j = 0; j < value.len; j++) {
            if (is_space(value.p[j]) || value.p[j] == '=') {
                return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                               "Authorization header components must be separated by commas: "
                               "'%s'", quote_n(&q, c.p, c.len));
            }
        }
        values[i] = value;
    }
    return 0;
}

/* The header form: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=..." with or without spaces after the commas, and X-Amz-Date. */
static int
parse_header_form(const struct sigv4_request *req, const char *auth,
                  struct sigv4_credential *cred, struct error *err)
{
    struct span values[N_AUTH_KEYS] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
    char credential[CREDENTIAL_SIZE], signed_headers[SIGNED_HEADERS_SIZE];
    char signature[SIGNATURE_LEN + 1], date[AMZ_DATE_LEN + 1];
    const char *date_header = get_header(req, "x-amz-date");
    const char *p = auth;
    size_t alg_len = strlen(ALGORITHM);
    struct quote q;

    while (is_space(*p)) {
        p++;
    }
    if (strncmp(p, ALGORITHM, alg_len) || !(is_space(p[alg_len]) || !p[alg_len])) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Unsupported Authorization Type: only '%s' (Signature Version 4) is "
                       "accepted. Authorization=%s", ALGORITHM, quote(&q, auth));
    }
    if (split_authorization(auth, p + alg_len, values, err)) {
        return -1;
    }

    if (!values[0].p || !values[1].p || !values[2].p || !date_header) {
        struct buf msg;

        /* AWS names every missing part at once. */
        buf_init(&msg);
        for (size_t i = 0; i < N_AUTH_KEYS; i++) {
            if (!values[i].p) {
                buf_printf(&msg, "Authorization header requires '%s' parameter. ",
                           auth_keys[i]);
            }
        }
        if (!date_header) {
            buf_puts(&msg, "Authorization header requires existence of an 'X-Amz-Date' "
                           "header. ");
        }
        buf_printf(&msg, "Authorization=%s", quote(&q, auth));
        err_set(err, ERR_INCOMPLETE_SIGNATURE, "%s", msg.data);
        buf_uninit(&msg);
        return -1;
    }
    if (!copy_span(values[0], credential, sizeof credential)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE, "Credential is too long: '%s'",
                       quote_n(&q, values[0].p, values[0].len));
    }
    if (!copy_span(values[1], signed_headers, sizeof signed_headers)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE, "SignedHeaders is too long: '%s'",
                       quote_n(&q, values[1].p, values[1].len));
    }
    if (!copy_span(values[2], signature, sizeof signature)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Signature must be %d lower-case hexadecimal characters, got '%s'",
                       SIGNATURE_LEN, quote_n(&q, values[2].p, values[2].len));
    }
    if (!copy_span(trim((struct span) { date_header, strlen(date_header) }), date,
                   sizeof date)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Date must be in ISO-8601 'basic format'. Got '%s'. "
                       "See http://en.wikipedia.org/wiki/ISO_8601", quote(&q, date_header));
    }
    if (parse_credential(credential, cred, err) || parse_signed_headers(signed_headers, cred, err)
        || parse_signature(signature, cred, err) || parse_date(date, cred, err)) {
        return -1;
    }
    cred->in_query = false;
    return 0;
}

static bool
is_query_form(const char *query)
{
    static const char *const names[] = {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders",
    };
    char ignored[2];

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (query_param(query, names[i], ignored, sizeof ignored)) {
            return true;
        }
    }
    return false;
}

/* The query-string form, as botocore's SigV4QueryAuth writes it. */
static int
parse_query_form(const struct sigv4_request *req, struct sigv4_credential *cred,
                 struct error *err)
{
    static const char *const names[] = {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date",
        "X-Amz-SignedHeaders",
    };
    char values[ARRAY_SIZE(names)][PARAM_SIZE];
    char expires[PARAM_SIZE];
    struct quote q;

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        int found = query_param(req->query, names[i], values[i], sizeof values[i]);
        if (found == 0) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                           "AWS query-string parameters must include 'X-Amz-Algorithm', "
                           "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
                           "'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
        } else if (found < 0) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE, "Query parameter '%s' is too long.",
                           names[i]);
        }
    }
    if (strcmp(values[0], ALGORITHM)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "X-Amz-Algorithm only supports '%s', got '%s'", ALGORITHM,
                       quote(&q, values[0]));
    }
    if (parse_credential(values[1], cred, err) || parse_signed_headers(values[4], cred, err)
        || parse_signature(values[2], cred, err) || parse_date(values[3], cred, err)) {
        return -1;
    }
    int found = query_param(req->query, "X-Amz-Expires", expires, sizeof expires);
    if (found) {
        unsigned long v = 0;
        size_t len = found > 0 ? strlen(expires) : 0;
        bool ok = len > 0 && len <= 7 && (expires[0] != '0' || len == 1);
        for (size_t i = 0; ok && i < len; i++) {
            ok = is_digit(expires[i]);
            v = v * 10 + (unsigned long) (expires[i] - '0');
        }
        if (!ok || v < 1 || v > MAX_EXPIRES_SEC) {
            return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                           "X-Amz-Expires must be a whole number of seconds from 1 to %d, "
                           "got '%s'", MAX_EXPIRES_SEC, found > 0 ? quote(&q, expires) : "...");
        }
    }
    cred->in_query = true;
    return 0;
}

int
sigv4_parse(const struct sigv4_request *req, struct sigv4_credential *cred, struct error *err)
{
    const char *auth = get_header(req, "authorization");
    const char *p = auth;

    memset(cred, 0, sizeof *cred);
    while (p && is_space(*p)) {
        p++;
    }
    if (p && *p) {
        return parse_header_form(req, auth, cred, err);
    }
    if (is_query_form(req->query)) {
        return parse_query_form(req, cred, err);
    }
    return err_set(err, ERR_MISSING_AUTHENTICATION_TOKEN,
                   "Request is missing Authentication Token");
}

/* RequestExpired per the clock rules: +-15 min around X-Amz-Date, or for the
 * query form from 15 min before X-Amz-Date to X-Amz-Expires after it. */
static int
check_time(const struct sigv4_request *req, const struct sigv4_credential *cred, int64_t now,
           struct error *err)
{
    int64_t t;
    char server[AMZ_DATE_LEN + 1];
    int64_t valid_for = SIGV4_MAX_SKEW_SEC;

    if (!parse_amz_date(cred->amz_date, &t)) {
        return err_set(err, ERR_INCOMPLETE_SIGNATURE,
                       "Date must be in ISO-8601 'basic format'. Got '%s'.", cred->amz_date);
    }
    if (strnlen(cred->date, sizeof cred->date) != SCOPE_DATE_LEN
        || memcmp(cred->date, cred->amz_date, SCOPE_DATE_LEN)) {
        return err_set(err, ERR_REQUEST_EXPIRED,
                       "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                       "of date from HTTP: '%s' != '%.8s'", cred->date, cred->amz_date);
    }
    if (cred->in_query) {
        char expires[16];
        if (query_param(req->query, "X-Amz-Expires", expires, sizeof expires) > 0) {
            valid_for = strtol(expires, NULL, 10);
        }
    }
    format_amz_date(now, server);
    if (t - now > SIGV4_MAX_SKEW_SEC) {
        return err_set(err, ERR_REQUEST_EXPIRED,
                       "Request has expired. Signature not yet current: %s is more than 15 "
                       "minutes after the server time %s.", cred->amz_date, server);
    }
    if (now - t > valid_for) {
        return err_set(err, ERR_REQUEST_EXPIRED,
                       "Request has expired. Signed at %s, valid for %lld seconds, "
                       "server time %s.", cred->amz_date, (long long) valid_for, server);
    }
    return 0;
}

int
sigv4_verify(const struct sigv4_request *req, const struct sigv4_credential *cred,
             const char *secret, int64_t now, struct error *err)
{
    char expected[SIGNATURE_LEN + 1];
    const char *content_sha256 = get_header(req, "x-amz-content-sha256");

    if (!secret) {
        return err_set(err, ERR_AUTH_FAILURE,
                       "AWS was not able to validate the provided access credentials");
    }
    if (check_time(req, cred, now, err)) {
        return -1;
    }
    if (content_sha256) {
        /* The body is always hashed as received; a declared hash that is
         * not the body's (including UNSIGNED-PAYLOAD) is refused. */
        char real[2 * SHA256_SIZE + 1];
        sha256_hex(req->body, req->body_size, real);
        if (strcmp(content_sha256, real)) {
            return err_set(err, ERR_SIGNATURE_DOES_NOT_MATCH,
                           "The provided 'x-amz-content-sha256' header does not match what "
                           "was computed.");
        }
    }
    sigv4_sign(req, cred, secret, expected);
    if (strnlen(cred->signature, sizeof cred->signature) != SIGNATURE_LEN
        || CRYPTO_memcmp(expected, cred->signature, SIGNATURE_LEN)) {
        return err_set(err, ERR_SIGNATURE_DOES_NOT_MATCH, "%s", MSG_DOES_NOT_MATCH);
    }
    return 0;
}
