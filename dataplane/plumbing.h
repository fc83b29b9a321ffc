/* Setting up what the data plane's ports live in (docs/dataplane.md
 * "Ports"): an instance's namespace with its resolver file, a port's TAP
 * with its MAC, MTU, addresses and default route, and the namespace that
 * stands for the internet.  Control thread only; needs root (netns.h). */
#ifndef VPCD_DATAPLANE_PLUMBING_H
#define VPCD_DATAPLANE_PLUMBING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipaddr.h"

enum {
    PLUMBING_INSTANCE_MTU = 9001,       /* AWS's MTU inside a VPC */
    PLUMBING_MAX_ADDRS = 64,
};

#define PLUMBING_INTERNET_IF "vpcd0"

/* A TAP port inside a namespace, as the instance should see it. */
struct port_config {
    const char *ns;                 /* namespace name (the instance id) */
    const char *ifname;             /* "eth0", "eth1", ... */
    uint8_t mac[6];
    uint32_t mtu;
    const uint32_t *addrs;          /* host order; [0] is the primary */
    size_t n_addrs;
    uint8_t prefix_len;             /* the subnet's */
    uint32_t gateway;               /* default route via this (host order), 0 for none */
    bool vnet_hdr;
};

/* Creates namespace 'name' (removing a stale one of that name first) and
 * /etc/netns/<name>/resolv.conf naming 'resolver' (host order; 0: none).
 * Returns 0 or -1. */
int plumbing_namespace_create(const char *name, uint32_t resolver);
/* Removes the namespace and its /etc/netns directory; 0 or -1. */
int plumbing_namespace_destroy(const char *name);

/* Creates and configures the port's TAP; returns its fd or -1. */
int plumbing_port_create(const struct port_config *);
/* Removes a port's device (its fd should be closed first); 0 or -1. */
int plumbing_port_destroy(const char *ns, const char *ifname);

/* Creates namespace 'ns' standing for the internet, with TAP
 * PLUMBING_INTERNET_IF, up, and a route to 'public_pool' through it;
 * returns the TAP fd or -1. */
int plumbing_internet_create(const char *ns, const struct ip4_prefix *public_pool);

#endif
