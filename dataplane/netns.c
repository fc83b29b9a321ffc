/* netns.h: iproute2 for the namespace bookkeeping, setns(2) + /dev/net/tun
 * for the TAP. */
#include "dataplane/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(netns);

extern char **environ;

bool
netns_available(const char **why)
{
    if (geteuid() != 0) {
        *why = "vpcd is not running as root (namespaces and TAP devices need CAP_NET_ADMIN)";
        return false;
    }
    if (access("/dev/net/tun", R_OK | W_OK)) {
        *why = "/dev/net/tun is missing or not accessible";
        return false;
    }
    const char *const probe[] = { "ip", "netns", "list", NULL };
    if (netns_run(probe)) {
        *why = "the 'ip' command (iproute2) is missing or failed";
        return false;
    }
    return true;
}

int
netns_run(const char *const argv[])
{
    posix_spawn_file_actions_t actions;
    pid_t pid;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *) argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc) {
        LOG_WARN("%s: cannot run: %s", argv[0], strerror(rc));
        return -1;
    }
    uint64_t deadline = time_msec() + NETNS_CMD_TIMEOUT_MS;
    for (;;) {
        int status;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (got < 0 && errno != EINTR) {
            return -1;
        }
        if (time_msec() > deadline) {
            LOG_WARN("%s %s: killed after %d ms", argv[0], argv[1] ? argv[1] : "",
                     NETNS_CMD_TIMEOUT_MS);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        struct timespec pause = { 0, 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

int
netns_add(const char *name)
{
    const char *const argv[] = { "ip", "netns", "add", name, NULL };
    return netns_run(argv) ? -1 : 0;
}

int
netns_delete(const char *name)
{
    const char *const argv[] = { "ip", "netns", "delete", name, NULL };
    return netns_run(argv) ? -1 : 0;
}

bool
netns_exists(const char *name)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "/run/netns/%s", name);
    return !stat(path, &st);
}

static int
open_tun(const char *ifname, bool vnet_hdr)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
    str_copy(ifr.ifr_name, sizeof ifr.ifr_name, ifname);
    /* With the header, the instance's stack hands over TCP super-frames of
     * up to 64 KB with partial checksums and the reader completes nothing:
     * a frame written back with the same header is segmented by the kernel
     * only where it must be. */
    unsigned offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || (vnet_hdr && ioctl(fd, TUNSETOFFLOAD, offloads) < 0)) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int
netns_open_tap(const char *ns, const char *ifname, bool vnet_hdr)
{
    char path[128];
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int here = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (here < 0) {
        return -errno;
    }
    int target = open(path, O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        int e = errno;
        close(here);
        return -e;
    }
    int fd;
    if (setns(target, CLONE_NEWNET) < 0) {
        fd = -errno;
    } else {
        fd = open_tun(ifname, vnet_hdr);
        /* Back home: failing here would leave this thread in the instance's
         * namespace, which nothing can undo. */
        ASSERT(setns(here, CLONE_NEWNET) == 0);
    }
    close(target);
    close(here);
    return fd;
}
