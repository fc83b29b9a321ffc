/* tappump: the I/O ceiling of vpcd's data plane on this machine, measured in
 * the same run as vpcd (bench/dataplane-tappump.sh plugs it into
 * ../shared/perf).  It moves frames between two TAPs exactly as vpcd's data
 * thread does (IFF_VNET_HDR with checksum/TSO offload, epoll, the same
 * batch, the same spin-then-sleep wait) but decides nothing: no pipeline,
 * no conntrack, frames copied unmodified (the harness points each
 * instance's gateway at the other's MAC).
 *
 *   tappump NS1 NS2      (TAP eth0 in each; runs until SIGTERM) */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/dataplane.h"
#include "dataplane/netns.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void) sig;
    stop = 1;
}

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tappump NS1 NS2\n");
        return 2;
    }
    int fd[2];
    for (int i = 0; i < 2; i++) {
        fd[i] = netns_open_tap(argv[1 + i], "eth0", true);
        if (fd[i] < 0) {
            fprintf(stderr, "tappump: %s: %s\n", argv[1 + i], strerror(-fd[i]));
            return 1;
        }
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int ep = epoll_create1(0);
    for (int i = 0; i < 2; i++) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t) i };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev);
    }
    static uint8_t buf[sizeof(struct virtio_net_hdr) + DATAPLANE_FRAME_SIZE];
    uint64_t now = now_ns(), last_frame = 0;
    const uint64_t spin_ns = 2000000;
    while (!stop) {
        struct epoll_event events[2];
        int spinning = now - last_frame < spin_ns;
        int n = epoll_wait(ep, events, 2, spinning ? 0 : 100);
        if (n == 0 && spinning) {
            sched_yield();
        }
        now = now_ns();
        for (int e = 0; e < n; e++) {
            int in = (int) events[e].data.u32;
            for (int k = 0; k < DATAPLANE_BATCH; k++) {
                ssize_t len = read(fd[in], buf, sizeof buf);
                if (len <= 0) {
                    break;
                }
                (void) !write(fd[!in], buf, (size_t) len);
            }
            last_frame = now;
        }
    }
    return 0;
}
