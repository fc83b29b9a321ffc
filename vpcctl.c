/* vpcctl: the command line for what the AWS API has no verb for.  Each
 * subcommand is one row of the table below, which also makes the usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "model/model.h"
#include "store/store.h"

struct subcommand {
    const char *name;
    const char *args;
    const char *help;
    int (*run)(int argc, char *argv[]);
};

static int cmd_status(int argc, char *argv[]);
static int cmd_help(int argc, char *argv[]);

static const struct subcommand subcommands[] = {
    { "status", "[--data-dir DIR]",
      "count the resources stored in DIR (default /var/lib/vpcd) by account and region",
      cmd_status },
    { "help", "", "print this help", cmd_help },
};

static int
cmd_help(int argc, char *argv[])
{
    (void) argc;
    (void) argv;
    printf("usage: vpcctl COMMAND [ARGS]\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
        char left[64];
        snprintf(left, sizeof left, "%s %s", subcommands[i].name, subcommands[i].args);
        printf("  %-28s %s\n", left, subcommands[i].help);
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
    char *error = NULL;
    /* The pool only matters for derived state; counting needs none of it. */
    struct model_config config = { .public_pool = { 0xc6120000, 15 } };
    struct model *m = model_create(&config);
    int rc = 1;
    log_set_level(NULL, "warn");
    if (store_open(data_dir, &store, &error) || store_load(store, m, &error)) {
        fprintf(stderr, "vpcctl status: %s\n", error);
        free(error);
        goto out;
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
    rc = 0;
out:
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
