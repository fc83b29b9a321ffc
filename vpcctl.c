/* vpcctl: the command line for what the AWS API has no verb for.  Each
 * subcommand is one row of the table below, which also makes the usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "lib/log.h"
#include "lib/util.h"
#include "model/instance.h"
#include "model/model.h"
#include "model/network_interface.h"
#include "pipeline/conntrack.h"
#include "pipeline/pipeline.h"
#include "pipeline/probe.h"
#include "pipeline/snapshot.h"
#include "store/store.h"

struct subcommand {
    const char *name;
    const char *args;
    const char *help;
    int (*run)(int argc, char *argv[]);
};

static int cmd_status(int argc, char *argv[]);
static int cmd_trace(int argc, char *argv[]);
static int cmd_help(int argc, char *argv[]);

static const struct subcommand subcommands[] = {
    { "status", "[--data-dir DIR]",
      "count the resources stored in DIR (default /var/lib/vpcd) by account and region",
      cmd_status },
    { "trace", "--from I|ENI|IP --to IP --proto tcp|udp|icmp [--port N] [--data-dir DIR]",
      "show how the data plane judges that packet, step by step (exit 0: delivered)",
      cmd_trace },
    { "help", "", "print this help", cmd_help },
};

/* Loads the model stored in 'data_dir'; NULL (message printed) on failure. */
static struct model *
load_model(const char *data_dir, struct store **store)
{
    char *error = NULL;
    struct model_config config = { .public_pool = { 0xc6120000, 15 } };
    struct model *m = model_create(&config);
    log_set_level(NULL, "warn");
    if (store_open(data_dir, store, &error) || store_load(*store, m, &error)) {
        fprintf(stderr, "vpcctl: %s: %s\n", data_dir, error);
        free(error);
        model_destroy(m);
        return NULL;
    }
    return m;
}

static int
cmd_help(int argc, char *argv[])
{
    (void) argc;
    (void) argv;
    printf("usage: vpcctl COMMAND [ARGS]\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
        printf("  %s %s\n      %s\n", subcommands[i].name, subcommands[i].args,
               subcommands[i].help);
    }
    return 0;
}

static int
cmd_status(int argc, char *argv[])
{
    const char *data_dir = "/var/lib/vpcd";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) {
            data_dir = argv[++i];
        } else {
            fprintf(stderr, "vpcctl status: unexpected '%s'\n", argv[i]);
            return 2;
        }
    }
    struct store *store = NULL;
    struct model *m = load_model(data_dir, &store);
    if (!m) {
        return 1;
    }
    printf("%-14s %-16s", "account", "region");
    for (size_t k = 0; k < N_RES_KINDS; k++) {
        printf(" %8s", res_kind_info(k)->id_prefix);
    }
    printf("\n");
    for (size_t i = 0; i <= m->scopes.mask; i++) {
        for (struct hmap_entry *e = m->scopes.buckets[i]; e; e = e->next) {
            const struct scope *s = e->value;
            printf("%-14s %-16s", s->account, s->region);
            for (size_t k = 0; k < N_RES_KINDS; k++) {
                printf(" %8zu", s->n_resources[k]);
            }
            printf("\n");
        }
    }
    store_close(store);
    model_destroy(m);
    return 0;
}


/* The interface named by 'from': an instance (its primary interface), an
 * interface id, or a private address (the first interface holding it). */
static struct network_interface *
find_source(const struct model *m, const char *from, uint32_t *src_ip)
{
    struct resource *r = model_find(m, from);
    if (r && r->kind == RES_INSTANCE) {
        struct network_interface *eni = instance_primary_interface(m, instance_cast(r));
        *src_ip = eni ? eni->ips[0].addr : 0;
        return eni;
    }
    if (r && r->kind == RES_NETWORK_INTERFACE) {
        *src_ip = network_interface_cast(r)->ips[0].addr;
        return network_interface_cast(r);
    }
    uint32_t addr;
    if (!ip4_parse(from, &addr)) {
        return NULL;
    }
    for (size_t b = 0; b <= m->scopes.mask; b++) {
        for (struct hmap_entry *e = m->scopes.buckets[b]; e; e = e->next) {
            struct scope *scope = e->value;
            struct resource *x;
            LIST_FOR_EACH (x, scope_node, &scope->resources[RES_NETWORK_INTERFACE]) {
                struct network_interface *eni = network_interface_cast(x);
                for (size_t i = 0; i < eni->n_ips; i++) {
                    if (eni->ips[i].addr == addr) {
                        *src_ip = addr;
                        return eni;
                    }
                }
            }
        }
    }
    return NULL;
}

static int
cmd_trace(int argc, char *argv[])
{
    const char *data_dir = "/var/lib/vpcd", *from = NULL, *to = NULL, *proto_name = "tcp";
    long port = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) {
            fprintf(stderr, "vpcctl trace: %s needs a value\n", arg);
            return 2;
        }
        if (!strcmp(arg, "--data-dir")) {
            data_dir = val;
        } else if (!strcmp(arg, "--from")) {
            from = val;
        } else if (!strcmp(arg, "--to")) {
            to = val;
        } else if (!strcmp(arg, "--proto")) {
            proto_name = val;
        } else if (!strcmp(arg, "--port")) {
            char *end;
            port = strtol(val, &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "vpcctl trace: --port %s: expected 0..65535\n", val);
                return 2;
            }
        } else {
            fprintf(stderr, "vpcctl trace: unexpected '%s'\n", arg);
            return 2;
        }
        i++;
    }
    uint8_t proto = !strcmp(proto_name, "tcp") ? 6 : !strcmp(proto_name, "udp") ? 17
                    : !strcmp(proto_name, "icmp") ? 1 : 0;
    uint32_t dst;
    if (!from || !to || !proto || !ip4_parse(to, &dst)) {
        fprintf(stderr, "usage: vpcctl trace --from I|ENI|IP --to IP --proto tcp|udp|icmp "
                        "[--port N] [--data-dir DIR]\n");
        return 2;
    }

    struct store *store = NULL;
    struct model *m = load_model(data_dir, &store);
    if (!m) {
        return 1;
    }
    int rc = 1;
    uint32_t src;
    struct network_interface *eni = find_source(m, from, &src);
    struct snapshot *snap = snapshot_compile(m);
    struct conntrack *ct = conntrack_create(1024);
    uint32_t in_port = eni ? snapshot_find_eni(snap, eni->r.id) : SNAPSHOT_NONE;
    if (in_port == SNAPSHOT_NONE) {
        fprintf(stderr, "vpcctl trace: %s: no such instance, interface or address\n", from);
        goto out;
    }
    uint8_t frame[PIPELINE_REPLY_ROOM];     /* pipeline_process() may build a reply in it */
    size_t len = probe_build(frame, sizeof frame, snap->enis[in_port].mac, snap->router_mac,
                             proto, src, dst, 49152, (uint16_t) port, PACKET_TCP_SYN);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    struct pipeline_trace trace = { .n_steps = 0 };
    struct verdict v;
    enum verdict_kind kind = pipeline_process(snap, ct, frame, len, in_port, 0,
                                              (uint64_t) ts.tv_sec * 1000000000ULL
                                                  + (uint64_t) ts.tv_nsec,
                                              &trace, &v);
    char src_text[IP4_STRLEN];
    ip4_format(src, src_text);
    printf("%s %s:49152 -> %s:%ld from %s\n", proto_name, src_text, to, port, eni->r.id);
    for (size_t i = 0; i < trace.n_steps; i++) {
        const struct pipeline_trace_step *step = &trace.steps[i];
        printf("  %-24s %-6s %-24s %s\n", pipeline_stage_name(step->stage),
               step->pass ? "pass" : "STOP", step->resource, step->rule);
    }
    if (kind == VERDICT_DELIVER) {
        const char *out = v.out_port == PIPELINE_PORT_INTERNET ? "the internet"
                          : v.out_port < snap->n_enis ? snap->enis[v.out_port].id : "?";
        printf("verdict: DELIVER to %s\n", out);
        rc = 0;
    } else if (kind == VERDICT_REPLY) {
        printf("verdict: REPLY\n");
        rc = 0;
    } else {
        printf("verdict: DROP (%s: %s)\n", drop_reason_name(v.reason),
               drop_reason_description(v.reason));
    }
out:
    conntrack_destroy(ct);
    snapshot_destroy(snap);
    store_close(store);
    model_destroy(m);
    return rc;
}

int
main(int argc, char *argv[])
{
    if (argc < 2) {
        cmd_help(0, NULL);
        return 2;
    }
    for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
        if (!strcmp(argv[1], subcommands[i].name)) {
            return subcommands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "vpcctl: unknown command '%s'\n\n", argv[1]);
    cmd_help(0, NULL);
    return 2;
}
