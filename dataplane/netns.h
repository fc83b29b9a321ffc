/* Network namespaces and the TAP devices inside them: the plumbing under the
 * data plane's ports (docs/dataplane.md "Ports").
 *
 * Namespaces are the named ones of iproute2 (/run/netns/NAME), so
 * `ip netns exec NAME ...` works on them; links and addresses inside are set
 * up by running `ip -n NAME ...` (argv, never a shell).  A TAP is opened by
 * entering the namespace on the calling thread only long enough to create
 * the device; its fd then works from any namespace.
 *
 * All of these need CAP_NET_ADMIN (root); netns_available() says whether this
 * process has it.  Control thread only: they block on child processes. */
#ifndef VPCD_DATAPLANE_NETNS_H
#define VPCD_DATAPLANE_NETNS_H

#include <stdbool.h>
#include <stdint.h>

enum {
    NETNS_NAME_MAX = 64,
    NETNS_CMD_TIMEOUT_MS = 10000,   /* an `ip` command that takes longer is killed */
};

/* Whether namespaces can be made here; if not, '*why' (static) says why. */
bool netns_available(const char **why);

/* Runs 'argv' (argv[0] a program on PATH, NULL-terminated) and waits for it,
 * at most NETNS_CMD_TIMEOUT_MS.  Returns its exit status, or -1 if it could
 * not run or was killed.  Its stdout/stderr go to /dev/null. */
int netns_run(const char *const argv[]);

/* `ip netns add NAME` / `ip netns delete NAME`; 0 or -1. */
int netns_add(const char *name);
int netns_delete(const char *name);
bool netns_exists(const char *name);

/* Creates TAP device 'ifname' inside namespace 'ns' and returns its fd
 * (non-blocking, IFF_NO_PI; with 'vnet_hdr': IFF_VNET_HDR, a struct
 * virtio_net_hdr before each frame, and checksum and TCP segmentation
 * offload), or a negative errno.  The device is left down, without
 * addresses. */
int netns_open_tap(const char *ns, const char *ifname, bool vnet_hdr);

#endif
