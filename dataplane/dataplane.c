/* dataplane.h: reconciling namespaces and ports with the model (control
 * thread), publishing generations, and the thread that forwards frames. */
#include "dataplane/dataplane.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_net.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/netns.h"
#include "dataplane/plumbing.h"
#include "dataplane/ring.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/instance.h"
#include "model/network_interface.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "pipeline/conntrack.h"
#include "pipeline/pipeline.h"
#include "pipeline/snapshot.h"

LOG_MODULE(dataplane);

extern char **environ;

enum {
    EVENTS_PER_WAIT = 64,
    WAIT_MS = 100,
    MAX_FD = RING_MAX_FD,           /* the fds the data thread can watch */
    /* After a frame, poll without sleeping for this long: waking a thread
     * that slept costs ~40 us here (a VM's halted vCPU), twice per round
     * trip; a request/response exchange sees the next frame well within it.
     * The poll yields the CPU to anything runnable, so it only burns time
     * nobody else wants. */
    SPIN_NS = 2 * 1000 * 1000,
    SWEEP_EVERY_NS = 100 * 1000 * 1000,
};

/* What the data thread works with: a snapshot and the fd of each port. */
struct generation {
    uint64_t seq;
    struct snapshot *snap;
    int *fd_of_port;                /* [snap->n_enis]; -1: no device (not running) */
    int internet_fd;
    struct generation *next;        /* retired list */
};

/* A TAP port the control thread made. */
struct port {
    char eni_id[ID_SIZE];
    char ns[ID_SIZE];
    char ifname[16];
    int fd;
    bool wanted;                    /* set during a sync */
};

/* An fd to close once the data thread has moved past generation 'after'. */
struct closing {
    int fd;
    uint64_t after;
};

/* A first-start UserData script running in an instance's namespace. */
struct user_data_run {
    char instance_id[ID_SIZE];
    pid_t pid;
    char *output_path;
};

struct dataplane {
    struct ip4_prefix pool;
    char *internet_ns;
    bool epoll_io;
    int internet_fd;
    struct conntrack *ct;
    char *work_dir;                 /* UserData output files */

    /* Control thread. */
    struct port *ports;
    size_t n_ports, cap_ports;
    char (*namespaces)[ID_SIZE];    /* instance namespaces made by us */
    size_t n_namespaces, cap_namespaces;
    struct closing *closing;
    size_t n_closing, cap_closing;
    struct user_data_run *runs;
    size_t n_runs, cap_runs;
    struct generation *retired;     /* oldest first */
    uint64_t next_seq;

    /* Shared with the data thread. */
    _Atomic(struct generation *) current;
    _Atomic uint64_t seen_seq;      /* the generation the data thread is on */
    atomic_bool stop;
    struct ring *ring;              /* the data thread's I/O (its own); NULL: epoll, read/write */
    int epoll_fd;
    int wake_fd;
    pthread_t thread;
    _Atomic uint64_t n_forwarded, n_dropped, n_unwritable;
    _Atomic uint64_t drops[N_DROP_REASONS];     /* the pipeline's, by reason */
};

#define GROW(ARRAY, N, CAP) \
    do { \
        if ((N) == (CAP)) { \
            (CAP) = (CAP) ? (CAP) * 2 : 16; \
            (ARRAY) = xrealloc((ARRAY), (CAP) * sizeof *(ARRAY)); \
        } \
    } while (0)

/* ---- The data thread. ---- */

/* Every port is a TAP with IFF_VNET_HDR: each read and write carries this
 * header first (no merged buffers, so 10 bytes). */
typedef struct virtio_net_hdr vnet_hdr;

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* What the data thread is working with in this turn. */
struct turn {
    struct dataplane *dp;
    const struct generation *gen;
    uint32_t *port_of_fd;           /* [MAX_FD]: the port each watched fd is, or SNAPSHOT_NONE */
    uint64_t now;                   /* read once per turn, at its first frame */
    bool have_now;
};

/* Decides the frame in 'buf' ('n' bytes: header and frame) read from 'fd':
 * returns the fd to write '*out_len' bytes of 'buf' to, or -1 (counted). */
static int
decide(void *ctx, int fd, uint8_t *buf, size_t n, size_t *out_len)
{
    struct turn *t = ctx;
    struct dataplane *dp = t->dp;
    uint32_t in_port = fd >= 0 && fd < MAX_FD ? t->port_of_fd[fd] : SNAPSHOT_NONE;
    vnet_hdr *hdr = (vnet_hdr *) buf;
    if (in_port == SNAPSHOT_NONE || n <= sizeof *hdr) {
        return -1;                  /* the wake-up eventfd, or a port just removed */
    }
    unsigned flags = hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM ? PIPELINE_FRAME_CSUM_PARTIAL : 0;
    if (!t->have_now) {
        t->now = now_ns();
        t->have_now = true;
    }
    struct verdict v;
    switch (pipeline_process(t->gen->snap, dp->ct, buf + sizeof *hdr, n - sizeof *hdr, in_port,
                             flags, t->now, NULL, &v)) {
    case VERDICT_REPLY:
        /* Built by the pipeline: whole, checksummed, not segmented. */
        memset(hdr, 0, sizeof *hdr);
        /* fall through */
    case VERDICT_DELIVER: {
        const struct generation *g = t->gen;
        int out = v.out_port == PIPELINE_PORT_INTERNET ? g->internet_fd
                  : v.out_port < g->snap->n_enis     ? g->fd_of_port[v.out_port]
                                                     : -1;
        if (out < 0) {
            atomic_fetch_add_explicit(&dp->n_dropped, 1, memory_order_relaxed);
        }
        *out_len = sizeof *hdr + v.len;
        return out;
    }
    case VERDICT_DROP:
        atomic_fetch_add_explicit(&dp->n_dropped, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&dp->drops[v.reason], 1, memory_order_relaxed);
        LOG_DBG("port %u: dropped, %s%s%s", in_port, drop_reason_name(v.reason),
                v.reason == DROP_REASON_MALFORMED ? ": " : "",
                v.reason == DROP_REASON_MALFORMED ? packet_error_name(v.parse_error) : "");
        break;
    }
    return -1;
}

/* The epoll loop's I/O (when io_uring cannot be used): read up to
 * DATAPLANE_BATCH frames from 'fd', write each where it goes. */
static void
serve_fd(struct turn *t, int fd, uint8_t *buf)
{
    struct dataplane *dp = t->dp;
    for (int k = 0; k < DATAPLANE_BATCH; k++) {
        ssize_t n = read(fd, buf, sizeof(vnet_hdr) + DATAPLANE_FRAME_SIZE);
        if (n <= 0) {
            break;
        }
        size_t len;
        int out = decide(t, fd, buf, (size_t) n, &len);
        if (out < 0) {
            continue;
        }
        if (write(out, buf, len) == (ssize_t) len) {
            atomic_fetch_add_explicit(&dp->n_forwarded, 1, memory_order_relaxed);
        } else {
            atomic_fetch_add_explicit(&dp->n_unwritable, 1, memory_order_relaxed);
        }
    }
}

static void
watch(struct dataplane *dp, int fd)
{
    if (dp->ring) {
        ring_watch(dp->ring, fd);
    } else {
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
        epoll_ctl(dp->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
}

static void
unwatch(struct dataplane *dp, int fd)
{
    if (dp->ring) {
        ring_unwatch(dp->ring, fd);
    } else {
        epoll_ctl(dp->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
    }
}

/* Makes the watched fds match generation 'g' ('port_of_fd' then maps each
 * to its port in 'g'); a port in both keeps its read armed. */
static void
reregister(struct dataplane *dp, const struct generation *old, const struct generation *g,
           uint32_t *port_of_fd)
{
    enum { LEAVING = UINT32_MAX - 2 };
    for (uint32_t i = 0; old && i < old->snap->n_enis; i++) {
        if (old->fd_of_port[i] >= 0) {
            port_of_fd[old->fd_of_port[i]] = LEAVING;
        }
    }
    for (uint32_t i = 0; i < g->snap->n_enis; i++) {
        int fd = g->fd_of_port[i];
        if (fd >= 0 && fd < MAX_FD) {
            if (port_of_fd[fd] != LEAVING) {
                watch(dp, fd);
            }
            port_of_fd[fd] = i;
        }
    }
    for (uint32_t i = 0; old && i < old->snap->n_enis; i++) {
        int fd = old->fd_of_port[i];
        if (fd >= 0 && port_of_fd[fd] == LEAVING) {
            unwatch(dp, fd);
            port_of_fd[fd] = SNAPSHOT_NONE;
        }
    }
}

static void *
run(void *arg)
{
    struct dataplane *dp = arg;
    struct generation *gen = NULL;
    uint32_t *port_of_fd = xmalloc(MAX_FD * sizeof *port_of_fd);

    /* Made here: the ring's single submitter is this thread. */
    const char *why_no_ring = "--frame-io epoll";
    if (!dp->epoll_io) {
        dp->ring = ring_create(sizeof(vnet_hdr) + DATAPLANE_FRAME_SIZE, &why_no_ring);
    }
    if (dp->ring) {
        LOG_INFO("frame I/O: io_uring, multishot reads");
    } else {
        LOG_INFO("frame I/O: epoll, read and write (%s)", why_no_ring);
    }
    uint8_t *buf = dp->ring ? NULL : xmalloc(sizeof(vnet_hdr) + DATAPLANE_FRAME_SIZE);
    struct epoll_event events[EVENTS_PER_WAIT];
    uint64_t now = now_ns(), last_frame = 0, last_sweep = now;

    for (int i = 0; i < MAX_FD; i++) {
        port_of_fd[i] = SNAPSHOT_NONE;
    }
    port_of_fd[dp->internet_fd] = PIPELINE_PORT_INTERNET;
    watch(dp, dp->internet_fd);
    watch(dp, dp->wake_fd);
    while (!atomic_load(&dp->stop)) {
        struct generation *g = atomic_load_explicit(&dp->current, memory_order_acquire);
        if (g != gen) {
            if (dp->ring) {
                ring_flush(dp->ring);   /* writes queued last turn name 'gen''s fds */
            }
            reregister(dp, gen, g, port_of_fd);
            gen = g;
        }
        /* Quiescent point: nothing older than 'gen' is used from here on. */
        atomic_store_explicit(&dp->seen_seq, gen->seq, memory_order_release);

        bool spinning = now - last_frame < SPIN_NS;
        struct turn t = { .dp = dp, .gen = gen, .port_of_fd = port_of_fd };
        size_t frames = 0;
        if (dp->ring) {
            frames = ring_run(dp->ring, spinning ? 0 : WAIT_MS, decide, &t);
        } else {
            int n = epoll_wait(dp->epoll_fd, events, EVENTS_PER_WAIT, spinning ? 0 : WAIT_MS);
            for (int e = 0; e < n; e++) {
                int fd = events[e].data.fd;
                if (fd == dp->wake_fd) {
                    uint64_t v;
                    (void) !read(fd, &v, sizeof v);
                } else {
                    serve_fd(&t, fd, buf);
                    frames++;
                }
            }
        }
        if (frames == 0 && spinning) {
            sched_yield();
        }
        now = now_ns();
        if (frames) {
            last_frame = now;
        }
        if (now - last_sweep >= SWEEP_EVERY_NS) {
            conntrack_sweep(dp->ct, now, 1024);
            last_sweep = now;
        }
    }
    free(buf);
    free(port_of_fd);
    return NULL;
}

/* ---- Publication and reclamation (control thread). ---- */

static void
generation_free(struct generation *g)
{
    if (g) {
        snapshot_destroy(g->snap);
        free(g->fd_of_port);
        free(g);
    }
}

/* Frees what the data thread no longer uses: generations older than the one
 * it is on, and fds retired before it. */
static void
reclaim(struct dataplane *dp)
{
    uint64_t seen = atomic_load_explicit(&dp->seen_seq, memory_order_acquire);
    while (dp->retired && dp->retired->seq < seen) {
        struct generation *g = dp->retired;
        dp->retired = g->next;
        generation_free(g);
    }
    size_t kept = 0;
    for (size_t i = 0; i < dp->n_closing; i++) {
        if (dp->closing[i].after <= seen) {
            close(dp->closing[i].fd);
        } else {
            dp->closing[kept++] = dp->closing[i];
        }
    }
    dp->n_closing = kept;
}

static void
publish(struct dataplane *dp, struct snapshot *snap)
{
    struct generation *g = xzalloc(sizeof *g);
    g->seq = dp->next_seq++;
    g->snap = snap;
    g->internet_fd = dp->internet_fd;
    g->fd_of_port = xmalloc((snap->n_enis + 1) * sizeof *g->fd_of_port);
    for (uint32_t i = 0; i < snap->n_enis; i++) {
        g->fd_of_port[i] = -1;
    }
    for (size_t i = 0; i < dp->n_ports; i++) {
        uint32_t port = snapshot_find_eni(snap, dp->ports[i].eni_id);
        if (port != SNAPSHOT_NONE) {
            g->fd_of_port[port] = dp->ports[i].fd;
        }
    }
    struct generation *old = atomic_exchange_explicit(&dp->current, g, memory_order_acq_rel);
    if (old) {
        struct generation **tail = &dp->retired;
        while (*tail) {
            tail = &(*tail)->next;
        }
        *tail = old;
    }
    uint64_t one = 1;
    (void) !write(dp->wake_fd, &one, sizeof one);
}

/* ---- Namespaces, ports, UserData (control thread). ---- */

static bool
have_namespace(const struct dataplane *dp, const char *id, size_t *index)
{
    for (size_t i = 0; i < dp->n_namespaces; i++) {
        if (!strcmp(dp->namespaces[i], id)) {
            *index = i;
            return true;
        }
    }
    return false;
}

static struct port *
find_port(struct dataplane *dp, const char *eni_id)
{
    for (size_t i = 0; i < dp->n_ports; i++) {
        if (!strcmp(dp->ports[i].eni_id, eni_id)) {
            return &dp->ports[i];
        }
    }
    return NULL;
}

/* Stops every process left in namespace 'ns' (UserData servers). */
static void
kill_namespace_processes(const char *ns)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "ip netns pids %s 2>/dev/null", ns);
    FILE *p = popen(cmd, "r");
    if (!p) {
        return;
    }
    int pid;
    while (fscanf(p, "%d", &pid) == 1) {
        if (pid > 1) {
            kill(pid, SIGKILL);
        }
    }
    pclose(p);
}

static void
remove_namespace(struct dataplane *dp, size_t index)
{
    kill_namespace_processes(dp->namespaces[index]);
    plumbing_namespace_destroy(dp->namespaces[index]);
    LOG_INFO("%s: namespace removed", dp->namespaces[index]);
    dp->namespaces[index][0] = '\0';
    memmove(&dp->namespaces[index], &dp->namespaces[index + 1],
            (dp->n_namespaces - index - 1) * sizeof dp->namespaces[0]);
    dp->n_namespaces--;
}

static void
retire_port(struct dataplane *dp, size_t index)
{
    struct port *p = &dp->ports[index];
    GROW(dp->closing, dp->n_closing, dp->cap_closing);
    /* The next generation no longer has it; once the data thread is on that
     * generation, the fd is out of its epoll set and can close. */
    dp->closing[dp->n_closing++] = (struct closing) { p->fd, dp->next_seq };
    LOG_INFO("%s: %s (%s) down", p->ns, p->ifname, p->eni_id);
    *p = dp->ports[--dp->n_ports];
}

static void
add_port(struct dataplane *dp, const struct model *m, const struct instance *inst,
         const struct network_interface *eni)
{
    const struct subnet *subnet = subnet_cast(model_find(m, eni->subnet_id));
    if (!subnet) {
        return;
    }
    if (dp->n_ports >= DATAPLANE_MAX_PORTS) {
        LOG_WARN("%s: %s gets no device: the data plane holds %d ports at most", inst->r.id,
                 eni->r.id, DATAPLANE_MAX_PORTS);
        return;
    }
    uint32_t addrs[ENI_MAX_PRIVATE_IPS];
    for (size_t i = 0; i < eni->n_ips; i++) {
        addrs[i] = eni->ips[i].addr;
    }
    struct port_config pc = {
        .ns = inst->r.id,
        .mtu = PLUMBING_INSTANCE_MTU,
        .addrs = addrs,
        .n_addrs = eni->n_ips,
        .prefix_len = subnet->cidr.len,
        /* Only the primary interface carries the default route, as on an
         * AWS Linux AMI without extra configuration. */
        .gateway = eni->attachment.device_index == 0 ? subnet_router(subnet) : 0,
        .vnet_hdr = true,
    };
    char ifname[16];
    snprintf(ifname, sizeof ifname, "eth%d", eni->attachment.device_index);
    pc.ifname = ifname;
    unsigned mac[6];
    if (sscanf(eni->mac, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
               &mac[5]) != 6) {
        return;
    }
    for (int i = 0; i < 6; i++) {
        pc.mac[i] = (uint8_t) mac[i];
    }
    int fd = plumbing_port_create(&pc);
    if (fd < 0) {
        LOG_WARN("%s: %s (%s) could not be set up", inst->r.id, ifname, eni->r.id);
        return;
    }
    if (fd >= MAX_FD) {
        close(fd);
        return;
    }
    GROW(dp->ports, dp->n_ports, dp->cap_ports);
    struct port *p = &dp->ports[dp->n_ports++];
    memset(p, 0, sizeof *p);
    str_copy(p->eni_id, sizeof p->eni_id, eni->r.id);
    str_copy(p->ns, sizeof p->ns, inst->r.id);
    str_copy(p->ifname, sizeof p->ifname, ifname);
    p->fd = fd;
    p->wanted = true;
    LOG_INFO("%s: %s (%s) up", inst->r.id, ifname, eni->r.id);
}

/* Starts an instance's UserData: `sh` inside its namespace, fed the decoded
 * script, output to a file that becomes the console output. */
static void
start_user_data(struct dataplane *dp, struct model *m, struct instance *inst)
{
    char *path = xasprintf("%s/%s.console", dp->work_dir, inst->r.id);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    /* The script travels as an argument ($0), never through a shell's parser. */
    const char *const argv[] = { "ip", "netns", "exec", inst->r.id, "sh", "-c",
                                 "printf %s \"$0\" | base64 -d > /tmp/.vpcd-user-data.$$ && "
                                 "sh /tmp/.vpcd-user-data.$$; rc=$?; "
                                 "rm -f /tmp/.vpcd-user-data.$$; exit $rc",
                                 inst->user_data, NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *) argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    inst->user_data_done = true;
    model_touch(m, &inst->r);
    if (rc) {
        LOG_WARN("%s: cannot run UserData: %s", inst->r.id, strerror(rc));
        free(path);
        return;
    }
    GROW(dp->runs, dp->n_runs, dp->cap_runs);
    struct user_data_run *run = &dp->runs[dp->n_runs++];
    str_copy(run->instance_id, sizeof run->instance_id, inst->r.id);
    run->pid = pid;
    run->output_path = path;
    LOG_INFO("%s: UserData started", inst->r.id);
}

/* Copies finished scripts' output into the model. */
static void
collect_user_data(struct dataplane *dp, struct model *m)
{
    size_t kept = 0;
    for (size_t i = 0; i < dp->n_runs; i++) {
        struct user_data_run *run = &dp->runs[i];
        int status;
        if (waitpid(run->pid, &status, WNOHANG) == 0) {
            dp->runs[kept++] = *run;
            continue;
        }
        struct instance *inst = instance_cast(model_find(m, run->instance_id));
        FILE *f = fopen(run->output_path, "r");
        if (f && inst && inst->r.kind == RES_INSTANCE) {
            char *data = xmalloc(DATAPLANE_CONSOLE_MAX);
            size_t n = fread(data, 1, DATAPLANE_CONSOLE_MAX, f);
            instance_set_console_output(m, inst, data, n);
            free(data);
        }
        if (f) {
            fclose(f);
        }
        unlink(run->output_path);
        free(run->output_path);
        LOG_INFO("%s: UserData finished", run->instance_id);
    }
    dp->n_runs = kept;
}

void
dataplane_reclaim(struct dataplane *dp)
{
    reclaim(dp);
}

uint64_t
dataplane_sync(struct dataplane *dp, struct model *m, int64_t now)
{
    for (size_t i = 0; i < dp->n_ports; i++) {
        dp->ports[i].wanted = false;
    }
    bool *ns_wanted = xzalloc((dp->n_namespaces + 1) * sizeof *ns_wanted);
    size_t n_ns_before = dp->n_namespaces;

    for (size_t b = 0; b <= m->scopes.mask; b++) {
        for (struct hmap_entry *e = m->scopes.buckets[b]; e; e = e->next) {
            struct scope *scope = e->value;
            struct resource *r;
            LIST_FOR_EACH (r, scope_node, &scope->resources[RES_INSTANCE]) {
                struct instance *inst = instance_cast(r);
                enum instance_state st = instance_state(inst, now);
                if (st == INSTANCE_TERMINATED || st == INSTANCE_SHUTTING_DOWN) {
                    continue;       /* its namespace goes below */
                }
                size_t index;
                if (have_namespace(dp, r->id, &index)) {
                    if (index < n_ns_before) {
                        ns_wanted[index] = true;
                    }
                } else {
                    const struct vpc *vpc = vpc_cast(model_find(m, r->vpc_id));
                    uint32_t resolver = vpc ? vpc->cidrs[0].cidr.addr + 2 : 0;
                    if (plumbing_namespace_create(r->id, resolver)) {
                        LOG_WARN("%s: namespace could not be made", r->id);
                        continue;
                    }
                    GROW(dp->namespaces, dp->n_namespaces, dp->cap_namespaces);
                    str_copy(dp->namespaces[dp->n_namespaces++], ID_SIZE, r->id);
                    LOG_INFO("%s: namespace made", r->id);
                }
                if (!instance_is_up(inst, now)) {
                    continue;       /* stopped: links go, the namespace stays */
                }
                struct network_interface *enis[INSTANCE_MAX_INTERFACES];
                size_t n = instance_interfaces(m, inst, enis, INSTANCE_MAX_INTERFACES);
                for (size_t i = 0; i < n; i++) {
                    struct port *p = find_port(dp, enis[i]->r.id);
                    if (p && !strcmp(p->ns, r->id)) {
                        p->wanted = true;
                    } else {
                        add_port(dp, m, inst, enis[i]);
                    }
                }
                if (inst->user_data && !inst->user_data_done) {
                    start_user_data(dp, m, inst);
                }
            }
        }
    }
    for (size_t i = dp->n_ports; i-- > 0;) {
        if (!dp->ports[i].wanted) {
            retire_port(dp, i);
        }
    }
    for (size_t i = n_ns_before; i-- > 0;) {
        if (!ns_wanted[i]) {
            remove_namespace(dp, i);
        }
    }
    free(ns_wanted);
    collect_user_data(dp, m);
    uint64_t start = time_msec();
    publish(dp, snapshot_compile(m));
    uint64_t compile_msec = time_msec() - start;
    reclaim(dp);
    return compile_msec;
}

int64_t
dataplane_next_sync(const struct dataplane *dp, const struct model *m, int64_t now)
{
    int64_t next = dp->n_runs || dp->n_closing || dp->retired ? now + 1 : 0;
    /* A pending NAT gateway turns available with time: recompile then. */
    const struct generation *g = atomic_load_explicit(&dp->current, memory_order_acquire);
    if (g->snap->next_change && (!next || g->snap->next_change < next)) {
        next = g->snap->next_change;
    }
    for (size_t b = 0; b <= m->scopes.mask; b++) {
        for (struct hmap_entry *e = m->scopes.buckets[b]; e; e = e->next) {
            struct scope *scope = e->value;
            struct resource *r;
            LIST_FOR_EACH (r, scope_node, &scope->resources[RES_INSTANCE]) {
                int64_t t = instance_next_transition(instance_cast(r), now);
                if (t && (!next || t < next)) {
                    next = t;
                }
            }
        }
    }
    return next;
}

struct dataplane *
dataplane_create(const struct dataplane_config *config, const char **why)
{
    if (!netns_available(why)) {
        return NULL;
    }
    struct dataplane *dp = xzalloc(sizeof *dp);
    dp->pool = config->public_pool;
    dp->internet_ns = xstrdup(config->internet_ns);
    dp->epoll_io = config->epoll_io;
    dp->epoll_fd = -1;
    dp->wake_fd = -1;
    dp->next_seq = 1;
    char tmpl[] = "/tmp/vpcd-dataplane-XXXXXX";
    if (!mkdtemp(tmpl)) {
        *why = "cannot make a work directory in /tmp";
        goto err_free;
    }
    dp->work_dir = xstrdup(tmpl);
    dp->internet_fd = plumbing_internet_create(dp->internet_ns, &dp->pool);
    if (dp->internet_fd < 0 || dp->internet_fd >= MAX_FD) {
        *why = "the internet namespace could not be made";
        goto err_rmdir;
    }
    dp->ct = conntrack_create(DATAPLANE_CONNTRACK_CAPACITY);
    dp->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    dp->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (dp->epoll_fd < 0 || dp->wake_fd < 0) {
        *why = "epoll or eventfd failed";
        goto err_internet;
    }

    /* An empty generation so the thread always has one. */
    struct model_config none = { .public_pool = dp->pool };
    struct model *empty = model_create(&none);
    publish(dp, snapshot_compile(empty));
    model_destroy(empty);
    if (pthread_create(&dp->thread, NULL, run, dp)) {
        *why = "the data-plane thread could not start";
        goto err_internet;
    }
    return dp;

err_internet:
    if (dp->epoll_fd >= 0) {
        close(dp->epoll_fd);
    }
    if (dp->wake_fd >= 0) {
        close(dp->wake_fd);
    }
    conntrack_destroy(dp->ct);
    generation_free(atomic_load(&dp->current));
    if (dp->internet_fd >= 0) {
        close(dp->internet_fd);
    }
    plumbing_namespace_destroy(dp->internet_ns);
err_rmdir:
    rmdir(tmpl);
    free(dp->work_dir);
err_free:
    free(dp->internet_ns);
    free(dp);
    return NULL;
}

void
dataplane_destroy(struct dataplane *dp)
{
    if (!dp) {
        return;
    }
    atomic_store(&dp->stop, true);
    uint64_t one = 1;
    (void) !write(dp->wake_fd, &one, sizeof one);
    pthread_join(dp->thread, NULL);
    if (dp->ring) {
        /* First: its reads hold the ports' files open. */
        uint64_t written, unwritable;
        ring_counts(dp->ring, &written, &unwritable);
        dp->n_forwarded += written;
        dp->n_unwritable += unwritable;
        ring_destroy(dp->ring);
    }

    for (size_t i = 0; i < dp->n_runs; i++) {
        kill(dp->runs[i].pid, SIGKILL);
        waitpid(dp->runs[i].pid, NULL, 0);
        unlink(dp->runs[i].output_path);
        free(dp->runs[i].output_path);
    }
    free(dp->runs);
    for (size_t i = 0; i < dp->n_ports; i++) {
        close(dp->ports[i].fd);
    }
    free(dp->ports);
    for (size_t i = 0; i < dp->n_closing; i++) {
        close(dp->closing[i].fd);
    }
    free(dp->closing);
    while (dp->n_namespaces) {
        remove_namespace(dp, dp->n_namespaces - 1);
    }
    free(dp->namespaces);
    close(dp->internet_fd);
    plumbing_namespace_destroy(dp->internet_ns);
    while (dp->retired) {
        struct generation *g = dp->retired;
        dp->retired = g->next;
        generation_free(g);
    }
    generation_free(atomic_load(&dp->current));
    conntrack_destroy(dp->ct);
    close(dp->epoll_fd);
    close(dp->wake_fd);
    rmdir(dp->work_dir);
    free(dp->work_dir);
    free(dp->internet_ns);
    LOG_INFO("stopped: %llu frames forwarded, %llu dropped, %llu not written",
             (unsigned long long) dp->n_forwarded, (unsigned long long) dp->n_dropped,
             (unsigned long long) dp->n_unwritable);
    for (int r = 0; r < N_DROP_REASONS; r++) {
        if (dp->drops[r]) {
            LOG_INFO("dropped %llu: %s (%s)", (unsigned long long) dp->drops[r],
                     drop_reason_name(r), drop_reason_description(r));
        }
    }
    free(dp);
}
