/* vpcd: the daemon.  Options, wiring (store -> model -> service -> HTTP),
 * and a main thread that waits for SIGTERM/SIGINT to shut down cleanly. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api/http.h"
#include "api/service.h"
#include "dataplane/dataplane.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/model.h"
#include "store/store.h"

LOG_MODULE(vpcd);

static volatile sig_atomic_t stop_signal;

/* What the serving loop's tick needs to keep the data plane in line. */
struct sync_state {
    struct model **model;
    struct dataplane *dataplane;
    uint64_t synced_version;
    struct model *synced_model;
    int64_t next_sync;
    uint64_t last_sync_msec;
    uint64_t sync_cost_msec;        /* how long the last sync's compile took */
    size_t synced_instances;
};

/* A sync compiles the whole model on this (the API's) thread.  Changes
 * arriving faster share one: at least SYNC_MIN_INTERVAL_MSEC apart, and at
 * least SYNC_COST_FACTOR times the last compile's cost, so compiling never
 * takes more than a fifth of the thread however big the model.  (Making
 * namespaces is paid once per instance, and must not hold back the next
 * batch.) */
enum { SYNC_MIN_INTERVAL_MSEC = 100, SYNC_COST_FACTOR = 5 };

static size_t
count_instances(const struct model *m)
{
    size_t n = 0;
    for (size_t b = 0; b <= m->scopes.mask; b++) {
        for (struct hmap_entry *e = m->scopes.buckets[b]; e; e = e->next) {
            n += ((const struct scope *) e->value)->n_resources[RES_INSTANCE];
        }
    }
    return n;
}

/* After each turn of the loop: resync the data plane when the model changed
 * or an instance's state is due to change with time. */
static void
tick(void *ctx)
{
    struct sync_state *s = ctx;
    struct model *m = *s->model;
    int64_t now = model_now();
    uint64_t msec = time_msec();
    if (s->dataplane) {
        dataplane_reclaim(s->dataplane);
    }
    if (!s->dataplane
        || (m == s->synced_model && m->version == s->synced_version
            && (!s->next_sync || now < s->next_sync))
        || msec - s->last_sync_msec < MAX(SYNC_MIN_INTERVAL_MSEC,
                                          SYNC_COST_FACTOR * s->sync_cost_msec)) {
        return;
    }
    /* No instances now and none at the last sync: no port can exist, and
     * packets need no snapshot. */
    size_t n_instances = count_instances(m);
    if (!n_instances && !s->synced_instances && s->synced_model) {
        s->synced_model = m;
        s->synced_version = m->version;
        return;
    }
    s->last_sync_msec = msec;
    s->sync_cost_msec = dataplane_sync(s->dataplane, m, now);
    s->synced_instances = n_instances;
    s->synced_model = m;
    s->synced_version = m->version;
    s->next_sync = dataplane_next_sync(s->dataplane, m, now);
}

static void
on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* A name 'ip netns' accepts and that is also a valid file name. */
static bool
namespace_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 31 || name[0] == '.') {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

struct options {
    const char *listen;
    const char *data_dir;
    const char *default_account;
    const char *public_pool;
    const char *internet_namespace;
    const char *frame_io;
    const char *log_level;
    bool no_default_vpc;
    bool no_dataplane;
    bool help;
};

enum option_type { OPT_STRING, OPT_FLAG };

/* One declarative table drives parsing, --help and the start-up dump. */
static const struct option_def {
    const char *name;
    enum option_type type;
    size_t offset;
    const char *dflt;
    const char *help;
} option_defs[] = {
    { "listen", OPT_STRING, offsetof(struct options, listen), "127.0.0.1:4566",
      "ADDRESS:PORT to serve the EC2 Query API on" },
    { "data-dir", OPT_STRING, offsetof(struct options, data_dir), "/var/lib/vpcd",
      "directory holding the state (vpcd.sqlite3, credentials); delete it to reset" },
    { "default-account", OPT_STRING, offsetof(struct options, default_account),
      "000000000000", "account of the default key pair test/test" },
    { "public-pool", OPT_STRING, offsetof(struct options, public_pool), "198.18.0.0/15",
      "where public IPs and Elastic IPs come from" },
    { "internet-namespace", OPT_STRING, offsetof(struct options, internet_namespace),
      "vpcd-internet", "the network namespace that stands for the internet" },
    { "frame-io", OPT_STRING, offsetof(struct options, frame_io), "auto",
      "auto (io_uring where the kernel has it, else epoll) or epoll (read/write per frame)" },
    { "log-level", OPT_STRING, offsetof(struct options, log_level), "info",
      "err, warn, info (one line per request) or dbg" },
    { "no-default-vpc", OPT_FLAG, offsetof(struct options, no_default_vpc), NULL,
      "do not make a default VPC in each account and region" },
    { "no-dataplane", OPT_FLAG, offsetof(struct options, no_dataplane), NULL,
      "serve the API only: no namespaces, no packets (several vpcd can then share a host)" },
    { "help", OPT_FLAG, offsetof(struct options, help), NULL, "print this help" },
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: vpcd [OPTIONS]\n\nAn AWS-compatible virtual private cloud.\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++) {
        const struct option_def *d = &option_defs[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s", d->name, d->type == OPT_STRING ? " VALUE" : "");
        fprintf(out, "  %-26s %s", left, d->help);
        if (d->dflt) {
            fprintf(out, " (default %s)", d->dflt);
        }
        fprintf(out, "\n");
    }
}

static bool
parse_options(int argc, char *argv[], struct options *opts)
{
    for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++) {
        if (option_defs[i].type == OPT_STRING) {
            *(const char **) (void *) ((char *) opts + option_defs[i].offset) =
                option_defs[i].dflt;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!str_prefix(arg, "--")) {
            fprintf(stderr, "vpcd: unexpected argument '%s'\n", arg);
            return false;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen(name);
        const struct option_def *d = NULL;
        for (size_t j = 0; j < ARRAY_SIZE(option_defs); j++) {
            if (strlen(option_defs[j].name) == len && !strncmp(option_defs[j].name, name, len)) {
                d = &option_defs[j];
            }
        }
        if (!d) {
            fprintf(stderr, "vpcd: unknown option '%s' (see --help)\n", arg);
            return false;
        }
        char *field = (char *) opts + d->offset;
        if (d->type == OPT_FLAG) {
            if (eq) {
                fprintf(stderr, "vpcd: option --%s takes no value\n", d->name);
                return false;
            }
            *(bool *) field = true;
        } else if (eq) {
            *(const char **) (void *) field = eq + 1;
        } else if (i + 1 < argc) {
            *(const char **) (void *) field = argv[++i];
        } else {
            fprintf(stderr, "vpcd: option --%s needs a value\n", d->name);
            return false;
        }
    }
    return true;
}

int
main(int argc, char *argv[])
{
    struct options opts;
    char *error = NULL;

    memset(&opts, 0, sizeof opts);
    if (!parse_options(argc, argv, &opts)) {
        return 2;
    }
    if (opts.help) {
        usage(stdout);
        return 0;
    }
    if (!log_set_level(NULL, opts.log_level)) {
        fprintf(stderr, "vpcd: --log-level %s: expected err, warn, info or dbg\n",
                opts.log_level);
        return 2;
    }
    struct model_config config = { .default_vpc = !opts.no_default_vpc };
    if (!ip4_prefix_parse(opts.public_pool, &config.public_pool, NULL)
        || config.public_pool.len < 8 || config.public_pool.len > 30) {
        fprintf(stderr, "vpcd: --public-pool %s: expected an IPv4 prefix from /8 to /30\n",
                opts.public_pool);
        return 2;
    }
    if (strcmp(opts.frame_io, "auto") && strcmp(opts.frame_io, "epoll")) {
        fprintf(stderr, "vpcd: --frame-io %s: expected auto or epoll\n", opts.frame_io);
        return 2;
    }
    if (!namespace_name_valid(opts.internet_namespace)) {
        fprintf(stderr, "vpcd: --internet-namespace %s: expected 1-31 letters, digits, '.', "
                "'_' or '-'\n", opts.internet_namespace);
        return 2;
    }

    /* A big reply (DescribeSubnets of 4,000 subnets is ~4 MB) would
     * otherwise be mmap'ed and returned to the kernel on every request, and
     * the page faults cost more than building it (measured: 38 ms vs 6 ms).
     * Keep freed memory for the next request instead. */
    /* Each running interface holds a TAP fd: allow as many as the hard
     * limit does (often 1,024 soft, which ~1,000 instances would reach). */
    struct rlimit files;
    if (!getrlimit(RLIMIT_NOFILE, &files) && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);

    /* SIGTERM/SIGINT end the serving loop; without SA_RESTART the loop's
     * wait returns at once. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    struct store *store = NULL;
    struct model *model = NULL;
    struct api_service *svc = NULL;
    struct api_http *http = NULL;

    if (store_open(opts.data_dir, &store, &error)) {
        LOG_ERR("%s", error);
        goto out;
    }
    uint64_t start = time_usec();
    model = model_create(&config);
    if (store_load(store, model, &error)) {
        LOG_ERR("%s: %s", opts.data_dir, error);
        goto out;
    }
    svc = api_service_create(&model, store, opts.data_dir, opts.default_account, &error);
    if (!svc) {
        LOG_ERR("%s", error);
        goto out;
    }
    http = api_http_start(svc, opts.listen, &error);
    if (!http) {
        LOG_ERR("%s", error);
        goto out;
    }
    LOG_INFO("serving on http://%s, data in %s, ready in %.1f ms", opts.listen, opts.data_dir,
             (double) (time_usec() - start) / 1000.0);

    const char *why_off = NULL;
    struct sync_state sync = { .model = &model };
    if (opts.no_dataplane) {
        LOG_INFO("data plane off (--no-dataplane)");
    } else if (!(sync.dataplane = dataplane_create(
                   &(struct dataplane_config){ .public_pool = config.public_pool,
                                               .internet_ns = opts.internet_namespace,
                                               .epoll_io = !strcmp(opts.frame_io, "epoll") },
                   &why_off))) {
        LOG_WARN("data plane off: %s; the API and trace still work, instances get no network",
                 why_off);
    } else {
        tick(&sync);
    }
    api_http_run(http, &stop_signal, tick, &sync);
    LOG_INFO("%s: shutting down", strsignal(stop_signal));
    dataplane_destroy(sync.dataplane);
    status = 0;

out:
    free(error);
    api_http_stop(http);
    api_service_destroy(svc);
    model_destroy(model);
    store_close(store);
    return status;
}
