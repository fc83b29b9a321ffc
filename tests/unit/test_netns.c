/* Tests for dataplane/netns.c: a real namespace and a real TAP (needs root,
 * as CI is).  The test answers a real `ping` inside the namespace through
 * the TAP fd, the way the data plane will: ARP for the gateway, then the echo.
 *
 *   ns vpcd-t-<pid>:  eth0 (TAP) 10.99.0.2/24  ── fd in this process ── "router" 10.99.0.1
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dataplane/netns.h"
#include "dataplane/plumbing.h"
#include "net/checksum.h"
#include "net/packet.h"

static const uint8_t router_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };

/* Reads one frame within 'ms', or returns 0. */
static ssize_t
read_frame(int fd, uint8_t *buf, size_t size, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, ms) <= 0) {
        return 0;
    }
    return read(fd, buf, size);
}

TEST(tap_in_namespace_answers_ping, "a TAP opened in a named namespace carries ARP and ICMP")
{
    const char *why;
    REQUIRE(netns_available(&why));     /* CI runs as root */
    char ns[NETNS_NAME_MAX];
    snprintf(ns, sizeof ns, "vpcd-t-%d", (int) getpid());

    REQUIRE(!netns_add(ns));
    CHECK(netns_exists(ns));
    int fd = netns_open_tap(ns, "eth0", false);
    CHECK(fd >= 0);
    const char *const up[] = { "ip", "-n", ns, "link", "set", "eth0", "address",
                               "02:00:00:00:00:01", "up", NULL };
    const char *const addr[] = { "ip", "-n", ns, "addr", "add", "10.99.0.2/24", "dev", "eth0",
                                 NULL };
    CHECK(fd >= 0 && !netns_run(up) && !netns_run(addr));

    pid_t ping = fork();
    if (ping == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        execlp("ip", "ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "3", "10.99.0.1",
               (char *) NULL);
        _exit(127);
    }
    bool saw_arp = false, saw_echo = false;
    uint8_t frame[2048];
    for (int i = 0; fd >= 0 && i < 50 && !saw_echo; i++) {
        ssize_t n = read_frame(fd, frame, sizeof frame, 100);
        struct packet_meta m;
        if (n <= 0 || packet_parse(frame, (size_t) n, &m, true) != PACKET_ERR_OK) {
            continue;
        }
        if (m.l3 == PACKET_L3_ARP && m.arp.op == PACKET_ARP_OP_REQUEST
            && m.arp.tpa == 0x0a630001) {
            uint8_t reply[64];
            size_t len = packet_build_arp_reply(reply, sizeof reply, router_mac, m.arp.tpa,
                                                m.arp.sha, m.arp.spa);
            CHECK(write(fd, reply, len) == (ssize_t) len);
            saw_arp = true;
        } else if (m.l4 == PACKET_L4_ICMP && m.icmp.type == PACKET_ICMP_ECHO_REQUEST) {
            /* Turn the request around: swap addresses, type 8 -> 0. */
            uint32_t src = m.ip4.src, dst = m.ip4.dst;
            packet_set_ipv4_src(frame, &m, dst);
            packet_set_ipv4_dst(frame, &m, src);
            uint8_t *icmp = frame + m.l4_ofs;
            uint16_t old_word = (uint16_t) (icmp[0] << 8 | icmp[1]);
            icmp[0] = PACKET_ICMP_ECHO_REPLY;
            uint16_t csum = (uint16_t) (icmp[2] << 8 | icmp[3]);
            csum = checksum_update16(csum, old_word, (uint16_t) (icmp[0] << 8 | icmp[1]));
            icmp[2] = (uint8_t) (csum >> 8);
            icmp[3] = (uint8_t) csum;
            uint8_t mac[6];
            memcpy(mac, frame, 6);
            memcpy(frame, frame + 6, 6);
            memcpy(frame + 6, mac, 6);
            CHECK(write(fd, frame, (size_t) n) == n);
            saw_echo = true;
        }
    }
    int status = -1;
    for (int i = 0; i < 50 && waitpid(ping, &status, WNOHANG) == 0; i++) {
        usleep(100 * 1000);
    }
    if (waitpid(ping, &status, WNOHANG) == 0) {
        kill(ping, SIGKILL);
        waitpid(ping, &status, 0);
    }
    CHECK(saw_arp);
    CHECK(saw_echo);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);    /* ping got its reply */
    if (fd >= 0) {
        close(fd);
    }
    CHECK(!netns_delete(ns));
    CHECK(!netns_exists(ns));
}

TEST(open_tap_in_missing_namespace_fails, "a namespace that does not exist gives an errno")
{
    CHECK(netns_open_tap("vpcd-no-such-namespace", "eth0", false) < 0);
}

/* Runs 'cmd' through the shell and returns whether its output contains 'want'. */
static bool
output_has(const char *cmd, const char *want)
{
    char buf[8192];
    FILE *p = popen(cmd, "r");
    if (!p) {
        return false;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    pclose(p);
    if (!strstr(buf, want)) {
        fprintf(stderr, "    '%s' printed:\n%s    (wanted '%s')\n", cmd, buf, want);
        return false;
    }
    return true;
}

TEST(instance_namespace_and_port_are_set_up, "namespace, resolver file, TAP with MAC, MTU, addresses, route")
{
    char ns[NETNS_NAME_MAX], cmd[256];
    snprintf(ns, sizeof ns, "vpcd-t2-%d", (int) getpid());
    REQUIRE(!plumbing_namespace_create(ns, 0x0a630002));
    const uint32_t addrs[] = { 0x0a63000a, 0x0a63000b };
    struct port_config pc = {
        .ns = ns, .ifname = "eth0", .mac = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
        .mtu = PLUMBING_INSTANCE_MTU, .addrs = addrs, .n_addrs = 2, .prefix_len = 24,
        .gateway = 0x0a630001,
    };
    int fd = plumbing_port_create(&pc);
    CHECK(fd >= 0);
    snprintf(cmd, sizeof cmd, "ip -n %s -o addr show dev eth0", ns);
    CHECK(output_has(cmd, "10.99.0.10/24"));
    CHECK(output_has(cmd, "10.99.0.11/24"));
    snprintf(cmd, sizeof cmd, "ip -n %s link show dev eth0", ns);
    CHECK(output_has(cmd, "mtu 9001"));
    CHECK(output_has(cmd, "02:11:22:33:44:55"));
    snprintf(cmd, sizeof cmd, "ip -n %s route show default", ns);
    CHECK(output_has(cmd, "via 10.99.0.1 dev eth0"));
    snprintf(cmd, sizeof cmd, "ip netns exec %s cat /etc/resolv.conf", ns);
    CHECK(output_has(cmd, "nameserver 10.99.0.2"));
    if (fd >= 0) {
        close(fd);
    }
    CHECK(!plumbing_namespace_destroy(ns));
    CHECK(!netns_exists(ns));
    snprintf(cmd, sizeof cmd, "/etc/netns/%s", ns);
    CHECK(access(cmd, F_OK) != 0);
}
