/* bench/api.c: a closed-loop HTTP/1.1 keep-alive load generator for vpcd's
 * EC2 Query API (and for anything else that speaks it, such as moto).
 *
 * One thread per connection; each sends a request, reads the whole response
 * (Content-Length framing, or to EOF when the server closes), notes the
 * latency and sends the next.  Requests are form bodies signed with SigV4
 * through the daemon's own sigv4_sign(), so they are byte for byte what the
 * server verifies.  A body that does not depend on an earlier response is
 * signed once before the clock starts; only DeleteVpc in create-delete-vpc
 * (its id comes from the CreateVpc answer) and the setup requests are signed
 * on the way, and 'sign-cost' measures what that costs the client.
 *
 * Every run is bounded: socket timeouts, the -d duration, and an alarm()
 * well past it.  It only talks to loopback addresses.
 *
 * Results are printed for people and once more as one "RESULT k=v ..." line
 * per measurement for bench/api.sh to gather into its table. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/sigv4.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "model/security_group.h"

enum {
    MAX_CONNS = 64,
    IO_TIMEOUT_SEC = 30,            /* one request may take this long at most */
    ALARM_SLACK_SEC = 120,          /* past the planned duration: give up */
    SETUP_MAX_SEC = 420,            /* a setup run never takes longer */
    READ_CHUNK = 64 * 1024,
    MAX_IDS = 100000,
    SG_HEADROOM = 32,               /* SG slots left free under the region limit */
    WAIT_PORT_MAX_SEC = 60,         /* default --timeout */
    WAIT_PORT_POLL_USEC = 200,
    ERRORS_SHOWN = 3,
};

static const char ACCESS_KEY[] = "test";
static const char SECRET[] = "test";
static const char VERSION[] = "2016-11-15";
static const char CONTENT_TYPE[] = "application/x-www-form-urlencoded; charset=utf-8";
static const char SIGNED_HEADERS[] = "content-type;host;x-amz-date";

/* Command line. */
struct options {
    const char *endpoint;
    const char *scenario;
    int conns;
    double duration;
    long count;                     /* 0: no bound but the duration */
    const char *ids_file;
    const char *region;
    int vpcs, subnets, sgs;         /* setup */
    int sg_headroom;                /* setup */
    double since;                   /* wait-port */
    long pid;                       /* wait-port */
    double timeout;                 /* wait-port */
};

static struct options opts = {
    .conns = 1, .duration = 5, .region = "us-east-1", .vpcs = 1000, .subnets = 4, .sgs = 9,
    .sg_headroom = SG_HEADROOM,
    .timeout = WAIT_PORT_MAX_SEC,
};

static struct sockaddr_in target;
static char host_header[64];

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static uint64_t
now_nsec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static _Noreturn void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "api: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* Parses "HOST:PORT"; only loopback is accepted. */
static void
parse_endpoint(const char *endpoint)
{
    char host[48];
    const char *colon = strrchr(endpoint, ':');
    if (!colon || (size_t) (colon - endpoint) >= sizeof host) {
        die("%s: expected HOST:PORT", endpoint);
    }
    memcpy(host, endpoint, (size_t) (colon - endpoint));
    host[colon - endpoint] = '\0';
    if (!strcmp(host, "localhost")) {
        strcpy(host, "127.0.0.1");
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(&target, 0, sizeof target);
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t) port);
    if (*end || port <= 0 || port > 65535 || inet_pton(AF_INET, host, &target.sin_addr) != 1) {
        die("%s: expected IPv4 HOST:PORT", endpoint);
    }
    if ((ntohl(target.sin_addr.s_addr) >> 24) != 127) {
        die("%s: only loopback (127.0.0.0/8) endpoints are allowed", endpoint);
    }
    snprintf(host_header, sizeof host_header, "%s:%ld", host, port);
}

/* Signing.  The three signed headers are served to sigv4_sign() from here. */
struct sign_headers {
    const char *amz_date;
};

static const char *
sign_header(void *ctx, const char *lower_name)
{
    const struct sign_headers *h = ctx;
    if (!strcmp(lower_name, "content-type")) {
        return CONTENT_TYPE;
    } else if (!strcmp(lower_name, "host")) {
        return host_header;
    } else if (!strcmp(lower_name, "x-amz-date")) {
        return h->amz_date;
    }
    return NULL;
}

/* Appends to 'out' the whole HTTP request carrying form body 'body', signed
 * for 'region' at the current wall time. */
static void
build_request(struct buf *out, const char *region, const char *body)
{
    struct sigv4_credential cred;
    char signature[65];
    time_t t = time(NULL);
    struct tm tm;

    memset(&cred, 0, sizeof cred);
    gmtime_r(&t, &tm);
    strftime(cred.amz_date, sizeof cred.amz_date, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(cred.date, cred.amz_date, 8);
    cred.date[8] = '\0';
    str_copy(cred.access_key, sizeof cred.access_key, ACCESS_KEY);
    str_copy(cred.region, sizeof cred.region, region);
    str_copy(cred.signed_headers, sizeof cred.signed_headers, SIGNED_HEADERS);

    struct sign_headers h = { cred.amz_date };
    struct sigv4_request req = {
        .method = "POST", .path = "/", .query = "", .body = body, .body_size = strlen(body),
        .header = sign_header, .ctx = &h,
    };
    sigv4_sign(&req, &cred, SECRET, signature);
    buf_printf(out,
               "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nX-Amz-Date: %s\r\n"
               "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/ec2/aws4_request, "
               "SignedHeaders=%s, Signature=%s\r\nContent-Length: %zu\r\n\r\n%s",
               host_header, CONTENT_TYPE, cred.amz_date, ACCESS_KEY, cred.date, region,
               SIGNED_HEADERS, signature, strlen(body), body);
}

/* A request signed ahead of time. */
struct presigned {
    char *data;
    size_t size;
};

static struct presigned
presign(const char *region, const char *body)
{
    struct buf b;
    buf_init(&b);
    build_request(&b, region, body);
    return (struct presigned) { b.data, b.len };
}

/* One keep-alive connection. */
struct conn {
    int fd;
    char *rbuf;
    size_t rlen, rcap;
    size_t used;                    /* bytes of rbuf taken by the last response */
    long reconnects;
};

/* A response; 'body' points into the connection's buffer until the next
 * request on it. */
struct response {
    int status;
    const char *body;
    size_t body_size;
};

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    c->rlen = c->used = 0;
}

static bool
conn_open(struct conn *c)
{
    int one = 1;
    struct timeval tv = { IO_TIMEOUT_SEC, 0 };

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        return false;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(c->fd, (struct sockaddr *) &target, sizeof target)) {
        conn_close(c);
        return false;
    }
    c->rlen = c->used = 0;
    return true;
}

static void
conn_init(struct conn *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->rcap = READ_CHUNK * 2;
    c->rbuf = xmalloc(c->rcap + 1);
}

static void
conn_uninit(struct conn *c)
{
    conn_close(c);
    free(c->rbuf);
}

/* Reads more bytes into the buffer: >0 read, 0 EOF, <0 error or timeout. */
static ssize_t
conn_fill(struct conn *c)
{
    if (c->rcap - c->rlen < READ_CHUNK) {
        c->rcap = c->rcap * 2 + READ_CHUNK;
        c->rbuf = xrealloc(c->rbuf, c->rcap + 1);
    }
    ssize_t n;
    do {
        n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        c->rlen += (size_t) n;
        c->rbuf[c->rlen] = '\0';
    }
    return n;
}

/* Finds header 'name' (lower case, with the colon) in the header block
 * [p, end); returns its value start or NULL. */
static const char *
find_header(const char *p, const char *end, const char *name)
{
    size_t len = strlen(name);
    while (p < end) {
        const char *eol = memmem(p, (size_t) (end - p), "\r\n", 2);
        if (!eol) {
            eol = end;
        }
        if ((size_t) (eol - p) > len && !strncasecmp(p, name, len)) {
            p += len;
            while (*p == ' ' || *p == '\t') {
                p++;
            }
            return p;
        }
        p = eol + 2;
    }
    return NULL;
}

/* Sends one request and reads its response.  Returns false on a transport
 * error (connection refused, reset, timeout, bad framing); the connection is
 * then closed and the next call reconnects. */
static bool
conn_roundtrip(struct conn *c, const char *req, size_t req_size, struct response *resp)
{
    /* Drop the previous response; keep anything pipelined after it (none
     * expected, as we never pipeline). */
    if (c->used) {
        memmove(c->rbuf, c->rbuf + c->used, c->rlen - c->used);
        c->rlen -= c->used;
        c->used = 0;
    }
    if (c->fd < 0) {
        if (!conn_open(c)) {
            return false;
        }
        c->reconnects++;
    }
    for (size_t off = 0; off < req_size;) {
        ssize_t n = write(c->fd, req + off, req_size - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            conn_close(c);
            return false;
        }
        off += (size_t) n;
    }

    char *head_end;
    while (!(head_end = c->rlen ? memmem(c->rbuf, c->rlen, "\r\n\r\n", 4) : NULL)) {
        if (conn_fill(c) <= 0) {
            conn_close(c);
            return false;
        }
    }
    size_t head_size = (size_t) (head_end - c->rbuf) + 4;
    int minor = 0, status = 0;
    if (sscanf(c->rbuf, "HTTP/1.%d %d", &minor, &status) != 2) {
        conn_close(c);
        return false;
    }
    const char *cl = find_header(c->rbuf, head_end, "content-length:");
    const char *connection = find_header(c->rbuf, head_end, "connection:");
    const char *te = find_header(c->rbuf, head_end, "transfer-encoding:");
    bool keep = minor >= 1 ? !(connection && !strncasecmp(connection, "close", 5))
                           : (connection && !strncasecmp(connection, "keep-alive", 10));
    if (te && strncasecmp(te, "identity", 8)) {
        fprintf(stderr, "api: chunked responses are not supported\n");
        conn_close(c);
        return false;
    }
    size_t body_size;
    if (cl) {
        body_size = strtoul(cl, NULL, 10);
        while (c->rlen < head_size + body_size) {
            if (conn_fill(c) <= 0) {
                conn_close(c);
                return false;
            }
        }
    } else {
        /* No length: the body runs to EOF. */
        ssize_t n;
        while ((n = conn_fill(c)) > 0) {
        }
        if (n < 0) {
            conn_close(c);
            return false;
        }
        body_size = c->rlen - head_size;
        keep = false;
    }
    resp->status = status;
    resp->body = c->rbuf + head_size;
    resp->body_size = body_size;
    c->used = head_size + body_size;
    if (!keep) {
        /* The body stays readable in rbuf until the next call. */
        close(c->fd);
        c->fd = -1;
    }
    return true;
}

/* Copies the text of the first <tag>...</tag> in 'body' into 'out'. */
static bool
xml_find(const char *body, size_t size, const char *tag, char *out, size_t out_size)
{
    char open[64], close_[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close_, sizeof close_, "</%s>", tag);
    const char *p = memmem(body, size, open, strlen(open));
    if (!p) {
        return false;
    }
    p += strlen(open);
    const char *e = memmem(p, size - (size_t) (p - body), close_, strlen(close_));
    if (!e || (size_t) (e - p) >= out_size) {
        return false;
    }
    memcpy(out, p, (size_t) (e - p));
    out[e - p] = '\0';
    return true;
}

static size_t
xml_count(const char *body, size_t size, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = body; (p = memmem(p, size - (size_t) (p - body), needle, len));
         p += len) {
        n++;
    }
    return n;
}

/* Latency samples and counters of one thread (or of all, merged). */
struct stats {
    uint64_t *lat;                  /* nanoseconds per request */
    size_t n, cap;
    long errors, transport_errors;
    uint64_t resp_bytes;
    long reconnects;
    char first_error[400];
};

static void
stats_add(struct stats *s, uint64_t ns)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->lat = xrealloc(s->lat, s->cap * sizeof *s->lat);
    }
    s->lat[s->n++] = ns;
}

static void
stats_merge(struct stats *into, const struct stats *from)
{
    for (size_t i = 0; i < from->n; i++) {
        stats_add(into, from->lat[i]);
    }
    into->errors += from->errors;
    into->transport_errors += from->transport_errors;
    into->resp_bytes += from->resp_bytes;
    into->reconnects += from->reconnects;
    if (!into->first_error[0]) {
        str_copy(into->first_error, sizeof into->first_error, from->first_error);
    }
}

static _Atomic int errors_shown;

/* Counts a non-200 answer, remembering (and showing a few of) its text. */
static void
note_error(struct stats *s, const struct response *r, const char *what)
{
    char code[80] = "", msg[240] = "";
    s->errors++;
    if (r) {
        xml_find(r->body, r->body_size, "Code", code, sizeof code);
        xml_find(r->body, r->body_size, "Message", msg, sizeof msg);
    }
    char line[400];
    snprintf(line, sizeof line, "%s: %s %d %s %s", what, r ? "HTTP" : "transport error",
             r ? r->status : 0, code, msg);
    if (!s->first_error[0]) {
        str_copy(s->first_error, sizeof s->first_error, line);
    }
    if (atomic_fetch_add(&errors_shown, 1) < ERRORS_SHOWN) {
        fprintf(stderr, "  error: %s\n", line);
    }
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static double
percentile_ms(const uint64_t *sorted, size_t n, double p)
{
    if (!n) {
        return 0;
    }
    size_t i = (size_t) ceil(p * (double) n);
    i = i ? i - 1 : 0;
    return (double) sorted[MIN(i, n - 1)] / 1e6;
}

/* Prints one measurement, for people and as a RESULT line. */
static void
report(const char *name, const char *unit, struct stats *s, double secs, long units,
       const char *extra)
{
    qsort(s->lat, s->n, sizeof *s->lat, compare_u64);
    double p50 = percentile_ms(s->lat, s->n, 0.50), p99 = percentile_ms(s->lat, s->n, 0.99);
    double max = s->n ? (double) s->lat[s->n - 1] / 1e6 : 0;
    double rate = secs > 0 ? (double) units / secs : 0;
    double avg_bytes = s->n ? (double) s->resp_bytes / (double) s->n : 0;

    printf("%-26s conns=%-2d %8.0f %s/s  p50 %7.3f ms  p99 %7.3f ms  max %8.3f ms  "
           "(%zu requests, %ld errors, %.2f s, %.0f B/reply%s%s)\n",
           name, opts.conns, rate, unit, p50, p99, max, s->n, s->errors + s->transport_errors,
           secs, avg_bytes, extra ? ", " : "", extra ? extra : "");
    if (s->first_error[0]) {
        printf("  first error: %s\n", s->first_error);
    }
    if (s->reconnects) {
        printf("  note: %ld reconnects (server closed the connection)\n", s->reconnects);
    }
    printf("RESULT name=%s conns=%d unit=%s rate=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "requests=%zu errors=%ld secs=%.3f reply_bytes=%.0f reconnects=%ld\n",
           name, opts.conns, unit, rate, p50, p99, max, s->n, s->errors + s->transport_errors,
           secs, avg_bytes, s->reconnects);
    fflush(stdout);
}

/* Closed-loop load: a scenario supplies a per-thread step that sends one
 * request (or a create-delete pair) and records it. */
struct worker;
typedef long step_fn(struct worker *w);    /* returns units done (requests or pairs) */

struct worker {
    pthread_t thread;
    int index;
    struct conn conn;
    struct stats stats[2];          /* [1]: the second request of a pair */
    uint64_t rng;
    long units;
    step_fn *step;
};

static pthread_barrier_t start_barrier;
static _Atomic long units_total;
static double deadline;
static atomic_bool stop;             /* set by a worker that ran out of work */

static uint64_t
rng_next(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

/* Sends 'req' and records its latency and outcome in 's'; returns the
 * response (NULL on transport error). */
static const struct response *
send_timed(struct worker *w, struct stats *s, const char *req, size_t size, const char *what)
{
    static _Thread_local struct response r;
    uint64_t t0 = now_nsec();
    bool ok = conn_roundtrip(&w->conn, req, size, &r);
    uint64_t t1 = now_nsec();
    if (!ok) {
        s->transport_errors++;
        note_error(s, NULL, what);
        return NULL;
    }
    stats_add(s, t1 - t0);
    s->resp_bytes += r.body_size;
    if (r.status != 200) {
        note_error(s, &r, what);
    }
    return &r;
}

static void *
worker_main(void *w_)
{
    struct worker *w = w_;
    pthread_barrier_wait(&start_barrier);
    while (!atomic_load(&stop) && now_sec() < deadline) {
        if (opts.count && atomic_load(&units_total) >= opts.count) {
            break;
        }
        long done = w->step(w);
        w->units += done;
        atomic_fetch_add(&units_total, done);
        if (w->stats[0].transport_errors + w->stats[1].transport_errors > 100) {
            break;                  /* the server is gone: stop hammering */
        }
    }
    return NULL;
}

/* Runs 'step' on opts.conns connections for opts.duration seconds (or until
 * opts.count units) and returns the wall time taken. */
static double
run_load(struct worker *workers, step_fn *step)
{
    pthread_barrier_init(&start_barrier, NULL, (unsigned) opts.conns + 1);
    atomic_store(&units_total, 0);
    atomic_store(&stop, false);
    deadline = 1e300;
    for (int i = 0; i < opts.conns; i++) {
        struct worker *w = &workers[i];
        memset(w, 0, sizeof *w);
        w->index = i;
        w->step = step;
        conn_init(&w->conn);
        w->rng = 0x9e3779b97f4a7c15ULL * (uint64_t) (i + 1) ^ (uint64_t) time(NULL);
        if (!conn_open(&w->conn)) {
            die("cannot connect to %s: %s", opts.endpoint, strerror(errno));
        }
        pthread_create(&w->thread, NULL, worker_main, w);
    }
    alarm((unsigned) opts.duration + ALARM_SLACK_SEC);
    double start = now_sec();
    deadline = start + opts.duration;
    pthread_barrier_wait(&start_barrier);
    for (int i = 0; i < opts.conns; i++) {
        pthread_join(workers[i].thread, NULL);
    }
    double secs = now_sec() - start;
    alarm(0);
    pthread_barrier_destroy(&start_barrier);
    return secs;
}

static void
workers_merge(struct worker *workers, int which, struct stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < opts.conns; i++) {
        stats_merge(out, &workers[i].stats[which]);
        out->reconnects += workers[i].conn.reconnects;   /* of the connection, both kinds */
    }
}

static void
workers_free(struct worker *workers)
{
    for (int i = 0; i < opts.conns; i++) {
        conn_uninit(&workers[i].conn);
        free(workers[i].stats[0].lat);
        free(workers[i].stats[1].lat);
    }
}

/* Ids, one per line. */
static char (*ids)[ID_SIZE];
static size_t n_ids;

static void
load_ids(void)
{
    if (!opts.ids_file) {
        die("%s needs --ids FILE (written by 'setup')", opts.scenario);
    }
    FILE *f = fopen(opts.ids_file, "r");
    if (!f) {
        die("%s: %s", opts.ids_file, strerror(errno));
    }
    ids = xmalloc(MAX_IDS * sizeof *ids);
    char line[256];
    while (n_ids < MAX_IDS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n \t")] = '\0';
        if (line[0] && strlen(line) < ID_SIZE) {
            str_copy(ids[n_ids++], ID_SIZE, line);
        }
    }
    fclose(f);
    if (!n_ids) {
        die("%s: no ids", opts.ids_file);
    }
}

/* The presigned requests a describe scenario picks from at random. */
static struct presigned *pre;
static size_t n_pre;

static void
presign_all(const char *fmt, bool per_id)
{
    char body[512];
    n_pre = per_id ? n_ids : 1;
    pre = xmalloc(n_pre * sizeof *pre);
    free(presign(opts.region, "Action=DescribeVpcs").data);     /* OpenSSL's lazy set-up */
    double t0 = now_sec();
    for (size_t i = 0; i < n_pre; i++) {
        snprintf(body, sizeof body, fmt, VERSION, per_id ? ids[i] : "");
        pre[i] = presign(opts.region, body);
    }
    double secs = now_sec() - t0;
    printf("  (signed %zu request%s up front in %.1f ms, %.1f us each)\n", n_pre,
           n_pre == 1 ? "" : "s", secs * 1e3, secs * 1e6 / (double) n_pre);
}

static long
step_describe(struct worker *w)
{
    const struct presigned *p = &pre[n_pre > 1 ? rng_next(&w->rng) % n_pre : 0];
    send_timed(w, &w->stats[0], p->data, p->size, opts.scenario);
    return 1;
}

static void
run_describe(const char *fmt, bool per_id)
{
    if (per_id) {
        load_ids();
    }
    presign_all(fmt, per_id);
    struct worker workers[MAX_CONNS];
    double secs = run_load(workers, step_describe);
    struct stats all;
    workers_merge(workers, 0, &all);
    report(opts.scenario, "req", &all, secs, (long) all.n, NULL);
    free(all.lat);
    workers_free(workers);
}

/* create-delete-vpc: CreateVpc is presigned; DeleteVpc names the id just
 * created, so it is signed in the loop (see sign-cost for what that adds). */
static struct presigned create_vpc_req;

static long
step_create_delete(struct worker *w)
{
    const struct response *r = send_timed(w, &w->stats[0], create_vpc_req.data,
                                          create_vpc_req.size, "CreateVpc");
    char id[ID_SIZE];
    if (!r || r->status != 200 || !xml_find(r->body, r->body_size, "vpcId", id, sizeof id)) {
        return 0;
    }
    char body[256];
    struct buf req;
    snprintf(body, sizeof body, "Action=DeleteVpc&Version=%s&VpcId=%s", VERSION, id);
    buf_init(&req);
    build_request(&req, opts.region, body);
    r = send_timed(w, &w->stats[1], req.data, req.len, "DeleteVpc");
    buf_uninit(&req);
    return r && r->status == 200;
}

static void
run_create_delete(void)
{
    char body[256];
    snprintf(body, sizeof body, "Action=CreateVpc&Version=%s&CidrBlock=10.1.0.0%%2F16", VERSION);
    create_vpc_req = presign(opts.region, body);
    struct worker workers[MAX_CONNS];
    double secs = run_load(workers, step_create_delete);
    struct stats creates, deletes, both;
    workers_merge(workers, 0, &creates);
    workers_merge(workers, 1, &deletes);
    memset(&both, 0, sizeof both);
    stats_merge(&both, &creates);
    stats_merge(&both, &deletes);
    long pairs = 0;
    for (int i = 0; i < opts.conns; i++) {
        pairs += workers[i].units;
    }
    char extra[128];
    snprintf(extra, sizeof extra, "%ld pairs, %.0f creates/s", pairs,
             (double) creates.n / secs);
    report(opts.scenario, "pair", &both, secs, pairs, extra);
    report("create-delete-vpc.create", "req", &creates, secs, (long) creates.n, NULL);
    report("create-delete-vpc.delete", "req", &deletes, secs, (long) deletes.n, NULL);
    free(creates.lat);
    free(deletes.lat);
    free(both.lat);
    workers_free(workers);
}

/* setup: VPCs, then subnets, then security groups, each phase spread over
 * the connections through a shared task counter; every request is signed as
 * it is sent (the bodies name ids only known at run time). */
struct setup_phase {
    const char *name;
    long n_tasks;
    _Atomic long next;
    _Atomic long done;
};

static struct setup_phase *phase;
static char (*vpc_ids)[ID_SIZE];

static long
step_setup(struct worker *w)
{
    long task = atomic_fetch_add(&phase->next, 1);
    if (task >= phase->n_tasks) {
        atomic_store(&stop, true);  /* nothing left: every worker stops */
        return 0;
    }
    char body[512];
    const char *what;
    if (!strcmp(phase->name, "CreateVpc")) {
        what = "CreateVpc";
        snprintf(body, sizeof body, "Action=CreateVpc&Version=%s&CidrBlock=10.0.0.0%%2F16",
                 VERSION);
    } else if (!strcmp(phase->name, "CreateSubnet")) {
        what = "CreateSubnet";
        long vpc = task / opts.subnets, i = task % opts.subnets;
        snprintf(body, sizeof body,
                 "Action=CreateSubnet&Version=%s&VpcId=%s&CidrBlock=10.0.%ld.0%%2F24", VERSION,
                 vpc_ids[vpc], i);
    } else {
        what = "CreateSecurityGroup";
        long vpc = task / opts.sgs, i = task % opts.sgs;
        snprintf(body, sizeof body,
                 "Action=CreateSecurityGroup&Version=%s&VpcId=%s&GroupName=bench-%ld"
                 "&GroupDescription=vpcd+bench", VERSION, vpc_ids[vpc], i);
    }
    struct buf req;
    buf_init(&req);
    build_request(&req, opts.region, body);
    const struct response *r = send_timed(w, &w->stats[0], req.data, req.len, what);
    buf_uninit(&req);
    if (r && r->status == 200 && !strcmp(what, "CreateVpc")
        && !xml_find(r->body, r->body_size, "vpcId", vpc_ids[task], ID_SIZE)) {
        note_error(&w->stats[0], r, "CreateVpc answer without vpcId");
    }
    return 1;
}

/* Runs one setup phase; returns its wall time. */
static double
setup_phase_run(const char *name, long n_tasks)
{
    struct setup_phase p = { name, n_tasks, 0, 0 };
    if (!n_tasks) {
        return 0;
    }
    phase = &p;
    double saved = opts.duration;
    opts.duration = SETUP_MAX_SEC;
    struct worker workers[MAX_CONNS];
    double secs = run_load(workers, step_setup);
    opts.duration = saved;
    struct stats all;
    workers_merge(workers, 0, &all);
    char label[64];
    snprintf(label, sizeof label, "setup-%s", name);
    report(label, "req", &all, secs, (long) all.n, NULL);
    long errors = all.errors + all.transport_errors;
    free(all.lat);
    workers_free(workers);
    if (atomic_load(&p.next) < n_tasks) {
        die("setup: %s did not finish within %d s", name, SETUP_MAX_SEC);
    }
    if (errors && strcmp(name, "CreateSecurityGroup")) {
        die("setup: %ld %s requests failed", errors, name);
    }
    return secs;
}

/* Number of VPCs the region holds now (each has exactly one default group). */
static long
count_vpcs(void)
{
    char body[128];
    snprintf(body, sizeof body, "Action=DescribeVpcs&Version=%s", VERSION);
    struct presigned p = presign(opts.region, body);
    struct conn c;
    struct response r;
    conn_init(&c);
    long n = -1;
    if (conn_roundtrip(&c, p.data, p.size, &r) && r.status == 200) {
        n = (long) xml_count(r.body, r.body_size, "<vpcId>");
    }
    conn_uninit(&c);
    free(p.data);
    return n;
}

static void
run_setup(void)
{
    if (opts.vpcs <= 0 || opts.vpcs > MAX_IDS || opts.subnets < 0 || opts.subnets > 200
        || opts.sgs < 0) {
        die("setup: --vpcs 1..%d, --subnets 0..200, --sgs 0.. expected", MAX_IDS);
    }
    vpc_ids = xzalloc((size_t) opts.vpcs * sizeof *vpc_ids);
    double t0 = now_sec();
    double t_vpc = setup_phase_run("CreateVpc", opts.vpcs);
    if (opts.ids_file) {
        FILE *f = fopen(opts.ids_file, "w");
        if (!f) {
            die("%s: %s", opts.ids_file, strerror(errno));
        }
        for (int i = 0; i < opts.vpcs; i++) {
            fprintf(f, "%s\n", vpc_ids[i]);
        }
        fclose(f);
    }
    double t_subnet = setup_phase_run("CreateSubnet", (long) opts.vpcs * opts.subnets);

    /* SG_LIMIT_PER_REGION counts every group of the region, the default
     * groups of all VPCs (the default VPC's too) included.  CreateVpc must
     * still find room for its default group afterwards (create-delete-vpc
     * runs on this data), so the extra groups stop SG_HEADROOM short. */
    long wanted = (long) opts.vpcs * opts.sgs, groups = 0, extra = wanted;
    double t_sg = 0;
    if (wanted) {
        long n_vpcs = count_vpcs();
        if (n_vpcs < 0) {
            die("setup: DescribeVpcs failed");
        }
        long room = SG_LIMIT_PER_REGION - opts.sg_headroom - n_vpcs;
        extra = MIN(wanted, MAX(room, 0));
        /* Tasks go VPC by VPC, so only the last VPCs get fewer groups. */
        t_sg = setup_phase_run("CreateSecurityGroup", extra);
        groups = n_vpcs + extra;
        if (extra < wanted) {
            printf("  note: %ld of the %ld extra security groups created: the region holds %ld "
                   "VPCs (default VPC included) and SG_LIMIT_PER_REGION is %d; %d slots are "
                   "left free so that CreateVpc (which adds a default group) still works\n",
                   extra, wanted, n_vpcs, (int) SG_LIMIT_PER_REGION, opts.sg_headroom);
        }
    }
    double total = now_sec() - t0;
    printf("setup: %d VPCs (%.1f s), %ld subnets (%.1f s), %ld extra security groups "
           "(%.1f s; %ld groups in the region), total %.1f s\n",
           opts.vpcs, t_vpc, (long) opts.vpcs * opts.subnets, t_subnet, extra, t_sg, groups,
           total);
    printf("RESULT name=setup conns=%d unit=s rate=0 vpcs=%d subnets=%ld sgs_extra=%ld "
           "sgs_region=%ld secs=%.3f vpc_secs=%.3f subnet_secs=%.3f sg_secs=%.3f\n",
           opts.conns, opts.vpcs, (long) opts.vpcs * opts.subnets, extra, groups, total, t_vpc,
           t_subnet, t_sg);
    free(vpc_ids);
}

/* sign-cost: what build_request() (sigv4_sign plus formatting) costs. */
static void
run_sign_cost(void)
{
    const char *body = "Action=DeleteVpc&Version=2016-11-15&VpcId=vpc-0123456789abcdef0";
    struct buf b;
    long n = 0;
    buf_init(&b);
    double t0 = now_sec(), secs;
    do {
        for (int i = 0; i < 1000; i++, n++) {
            buf_clear(&b);
            build_request(&b, opts.region, body);
        }
    } while ((secs = now_sec() - t0) < 0.5);
    buf_uninit(&b);
    printf("sign-cost: %.2f us per signed request (%ld in %.2f s, one core)\n",
           secs * 1e6 / (double) n, n, secs);
    printf("RESULT name=sign-cost conns=1 unit=us rate=%.3f\n", secs * 1e6 / (double) n);
}

/* wait-port: waits until the endpoint accepts a connection and prints the
 * time since --since (wall-clock seconds, e.g. bash's $EPOCHREALTIME taken
 * just before starting the daemon).  With --pid, gives up as soon as that
 * process is gone. */
static void
run_wait_port(void)
{
    struct timespec ts;
    double t0 = now_sec();
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && !connect(fd, (struct sockaddr *) &target, sizeof target)) {
            close(fd);
            break;
        }
        if (fd >= 0) {
            close(fd);
        }
        if (opts.pid > 0 && kill((pid_t) opts.pid, 0) && errno == ESRCH) {
            die("wait-port: process %ld is gone", opts.pid);
        }
        if (now_sec() - t0 > opts.timeout) {
            die("wait-port: %s not accepting after %.0f s", opts.endpoint, opts.timeout);
        }
        usleep(WAIT_PORT_POLL_USEC);
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
    double ms = opts.since > 0 ? (now - opts.since) * 1e3 : (now_sec() - t0) * 1e3;
    printf("wait-port: %s accepting %.1f ms after %s\n", opts.endpoint, ms,
           opts.since > 0 ? "--since" : "the first try");
    printf("RESULT name=wait-port conns=0 unit=ms rate=%.1f\n", ms);
}

static void
run_free_port(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sin, sizeof sin)
        || getsockname(fd, (struct sockaddr *) &sin, &len)) {
        die("free-port: %s", strerror(errno));
    }
    printf("%d\n", ntohs(sin.sin_port));
    close(fd);
}

static const struct scenario {
    const char *name;
    const char *fmt;                /* describe body: Version, then the id */
    bool per_id;
    void (*run)(void);
    const char *help;
} scenarios[] = {
    { "setup", NULL, false, run_setup,
      "create --vpcs N VPCs, --subnets K /24s and --sgs K groups in each; --ids FILE" },
    { "describe-vpc-by-id", "Action=DescribeVpcs&Version=%s&VpcId.1=%s", true, NULL,
      "DescribeVpcs VpcId.1=<random id of --ids>" },
    { "describe-sgs-by-vpc",
      "Action=DescribeSecurityGroups&Version=%s&Filter.1.Name=vpc-id&Filter.1.Value.1=%s", true,
      NULL, "DescribeSecurityGroups filtered on a random vpc-id of --ids" },
    { "describe-subnets-all", "Action=DescribeSubnets&Version=%s%s", false, NULL,
      "unfiltered DescribeSubnets" },
    { "describe-vpcs-all", "Action=DescribeVpcs&Version=%s%s", false, NULL,
      "unfiltered DescribeVpcs" },
    { "create-delete-vpc", NULL, false, run_create_delete,
      "CreateVpc then DeleteVpc of its id (a pair)" },
    { "sign-cost", NULL, false, run_sign_cost, "client cost of signing one request" },
    { "wait-port", NULL, false, run_wait_port,
      "[--since EPOCH_SECONDS] [--pid PID] [--timeout S]: wait until HOST:PORT accepts" },
    { "free-port", NULL, false, run_free_port, "print a free loopback TCP port" },
};

static void
usage(void)
{
    printf("usage: api HOST:PORT SCENARIO [OPTIONS]\n\n"
           "options: -c CONNS (1)  -d SECONDS (5)  -n COUNT (per run; 0 = no bound)\n"
           "         --ids FILE  --region R (us-east-1)\n"
           "         --vpcs N (1000)  --subnets K (4)  --sgs K (9)   [setup]\n"
           "         --sg-headroom N (32): SG slots left free under the region limit\n"
           "         --since EPOCH_SECONDS  --pid PID  --timeout S (60)  [wait-port]\n\n"
           "scenarios:\n");
    for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
        printf("  %-22s %s\n", scenarios[i].name, scenarios[i].help);
    }
}

static void
parse_args(int argc, char **argv)
{
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            exit(0);
        } else if (a[0] != '-') {
            if (pos == 0) {
                opts.endpoint = a;
            } else if (pos == 1) {
                opts.scenario = a;
            } else {
                die("unexpected argument '%s'", a);
            }
            pos++;
            takes = false;
        } else if (!v) {
            die("option %s needs a value", a);
        } else if (!strcmp(a, "-c")) {
            opts.conns = atoi(v);
        } else if (!strcmp(a, "-d")) {
            opts.duration = atof(v);
        } else if (!strcmp(a, "-n")) {
            opts.count = atol(v);
        } else if (!strcmp(a, "--ids")) {
            opts.ids_file = v;
        } else if (!strcmp(a, "--region")) {
            opts.region = v;
        } else if (!strcmp(a, "--vpcs")) {
            opts.vpcs = atoi(v);
        } else if (!strcmp(a, "--subnets")) {
            opts.subnets = atoi(v);
        } else if (!strcmp(a, "--sgs")) {
            opts.sgs = atoi(v);
        } else if (!strcmp(a, "--sg-headroom")) {
            opts.sg_headroom = atoi(v);
        } else if (!strcmp(a, "--since")) {
            opts.since = atof(v);
        } else if (!strcmp(a, "--timeout")) {
            opts.timeout = atof(v);
        } else if (!strcmp(a, "--pid")) {
            opts.pid = atol(v);
        } else {
            die("unknown option '%s' (see --help)", a);
        }
        i += takes;
    }
}

int
main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (!opts.endpoint || !opts.scenario) {
        usage();
        return 2;
    }
    if (opts.conns < 1 || opts.conns > MAX_CONNS || opts.duration <= 0
        || opts.duration > 600) {
        die("-c 1..%d and -d 0..600 expected", MAX_CONNS);
    }
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(opts.scenario, "free-port")) {
        parse_endpoint(opts.endpoint);
    }
    for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
        const struct scenario *s = &scenarios[i];
        if (!strcmp(s->name, opts.scenario)) {
            if (s->run) {
                s->run();
            } else {
                run_describe(s->fmt, s->per_id);
            }
            return 0;
        }
    }
    die("unknown scenario '%s' (see --help)", opts.scenario);
}
