/* plumbing.h: `ip` commands for links, addresses and routes; files for the
 * resolver. */
#include "dataplane/plumbing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataplane/netns.h"
#include "lib/log.h"
#include "lib/util.h"
#include "pipeline/pipeline.h"

LOG_MODULE(plumbing);

static int
run(const char *const argv[])
{
    int rc = netns_run(argv);
    if (rc) {
        char line[256] = "";
        for (size_t i = 0; argv[i]; i++) {
            strncat(line, argv[i], sizeof line - strlen(line) - 2);
            strncat(line, " ", sizeof line - strlen(line) - 1);
        }
        LOG_WARN("'%s' failed (status %d)", line, rc);
    }
    return rc ? -1 : 0;
}

int
plumbing_namespace_create(const char *name, uint32_t resolver)
{
    if (netns_exists(name)) {
        /* Left over from a run that did not shut down: start clean. */
        plumbing_namespace_destroy(name);
    }
    if (netns_add(name)) {
        LOG_WARN("%s: cannot create the namespace", name);
        return -1;
    }
    const char *const lo_up[] = { "ip", "-n", name, "link", "set", "lo", "up", NULL };
    if (run(lo_up)) {
        return -1;
    }
    if (resolver) {
        char dir[128], path[160], addr[IP4_STRLEN];
        snprintf(dir, sizeof dir, "/etc/netns/%s", name);
        snprintf(path, sizeof path, "%s/resolv.conf", dir);
        mkdir("/etc/netns", 0755);
        if (mkdir(dir, 0755) && errno != EEXIST) {
            LOG_WARN("%s: %s", dir, strerror(errno));
            return -1;
        }
        FILE *f = fopen(path, "w");
        if (!f) {
            LOG_WARN("%s: %s", path, strerror(errno));
            return -1;
        }
        ip4_format(resolver, addr);
        fprintf(f, "nameserver %s\n", addr);
        fclose(f);
    }
    return 0;
}

int
plumbing_namespace_destroy(const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "/etc/netns/%s/resolv.conf", name);
    unlink(path);
    snprintf(path, sizeof path, "/etc/netns/%s", name);
    rmdir(path);
    return netns_exists(name) ? netns_delete(name) : 0;
}

static void
format_mac(const uint8_t mac[6], char out[18])
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}

int
plumbing_port_create(const struct port_config *pc)
{
    char mac[18], mtu[12];
    int fd = netns_open_tap(pc->ns, pc->ifname, pc->vnet_hdr);
    if (fd < 0) {
        LOG_WARN("%s/%s: cannot open the TAP: %s", pc->ns, pc->ifname, strerror(-fd));
        return -1;
    }
    format_mac(pc->mac, mac);
    snprintf(mtu, sizeof mtu, "%u", pc->mtu ? pc->mtu : PLUMBING_INSTANCE_MTU);
    const char *const link[] = { "ip", "-n", pc->ns, "link", "set", pc->ifname, "address", mac,
                                 "mtu", mtu, "up", NULL };
    if (run(link)) {
        goto err_close;
    }
    for (size_t i = 0; i < pc->n_addrs && i < PLUMBING_MAX_ADDRS; i++) {
        char addr[IP4_PREFIX_STRLEN + 4];
        ip4_format(pc->addrs[i], addr);
        snprintf(addr + strlen(addr), sizeof addr - strlen(addr), "/%u", pc->prefix_len);
        const char *const add[] = { "ip", "-n", pc->ns, "addr", "add", addr, "dev", pc->ifname,
                                    NULL };
        if (run(add)) {
            goto err_close;
        }
    }
    if (pc->gateway) {
        char gw[IP4_STRLEN];
        ip4_format(pc->gateway, gw);
        const char *const route[] = { "ip", "-n", pc->ns, "route", "replace", "default", "via",
                                      gw, "dev", pc->ifname, NULL };
        if (run(route)) {
            goto err_close;
        }
    }
    return fd;

err_close:
    close(fd);
    return -1;
}

int
plumbing_port_destroy(const char *ns, const char *ifname)
{
    const char *const del[] = { "ip", "-n", ns, "link", "delete", ifname, NULL };
    return run(del);
}

int
plumbing_internet_create(const char *ns, const struct ip4_prefix *public_pool)
{
    char pool[IP4_PREFIX_STRLEN];
    if (plumbing_namespace_create(ns, 0)) {
        return -1;
    }
    int fd = netns_open_tap(ns, PLUMBING_INTERNET_IF, true);
    if (fd < 0) {
        LOG_WARN("%s: cannot open the TAP: %s", ns, strerror(-fd));
        return -1;
    }
    ip4_prefix_format(public_pool, pool);
    char mac[18];
    format_mac(pipeline_internet_mac, mac);
    const char *const up[] = { "ip", "-n", ns, "link", "set", PLUMBING_INTERNET_IF,
                               "address", mac, "up", NULL };
    /* No address on the TAP: the pool is reached through it and vpcd
     * answers ARP for every address in the pool. */
    const char *const route[] = { "ip", "-n", ns, "route", "replace", pool,
                                  "dev", PLUMBING_INTERNET_IF, NULL };
    if (run(up) || run(route)) {
        close(fd);
        return -1;
    }
    return fd;
}
