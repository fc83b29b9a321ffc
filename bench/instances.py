#!/usr/bin/python3
"""How many running instances one vpcd holds on this machine, and what
RunInstances costs per instance (bench/README.md, section `instances`).

Starts a release vpcd ($VPCD, default build/vpcd) as root with the data plane
on, a fresh data dir, a free loopback port and its own internet namespace
(vpcd-inet-ibench: the default vpcd-internet is never touched), builds one VPC
(10.0.0.0/16, 4 subnets /20, a security group allowing ICMP from the VPC) and
launches instances in batches (RunInstances MinCount=MaxCount=BATCH, subnets
in turn) until N, the time budget, the memory floor or an error from vpcd.
Per batch: the API latency, the time from the call until every namespace of
the batch exists (/run/netns/<id>) and until the batch's last instance answers
a ping from the very first instance (through vpcd's data plane), vpcd's RSS
and how many of our namespaces exist.  Then a ping sample across random
pairs, TerminateInstances for all (time until their namespaces are gone), and
SIGTERM.  Per-instance costs inside vpcd come from its info log (timestamps of
"namespace made", "eth0 ... up", "namespace removed").

Whatever happens, vpcd is stopped (SIGTERM, then SIGKILL) and any namespace it
made that is still in /run/netns is deleted.

    sudo /usr/bin/python3 bench/instances.py [-n 500] [--batch 20] [--budget 240]
"""
import argparse
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.config
import botocore.exceptions

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VPCD = os.environ.get("VPCD", os.path.join(REPO, "build", "vpcd"))
INET_NS = "vpcd-inet-ibench"           # ours only; never vpcd-internet
NETNS_DIR = "/run/netns"
IMAGE = "ami-0abcdef1234567890"
SUBNETS = ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]
NS_WAIT_S = 60                         # a batch's namespaces must exist by then
PING_WAIT_S = 0.2                      # ping -W: a batch is reachable once its sync ends
PING_TRIES = 150                       # per batch: at most ~30 s
STOP_WAIT_S = 120                      # SIGTERM removes every namespace: ~15 ms each


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mem_available_mb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return 0


def tap_fds(pid):
    """How many /dev/net/tun fds 'pid' holds (a TAP keeps its namespace alive)."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                n += os.readlink(f"/proc/{pid}/fd/{fd}") == "/dev/net/tun"
            except OSError:
                pass
    except OSError:
        pass
    return n


def ns_exists(name):
    return os.path.exists(os.path.join(NETNS_DIR, name))


def ping(src_ns, ip, timeout_s=PING_WAIT_S):
    """One ping from inside 'src_ns'; returns the RTT in ms or None."""
    p = subprocess.run(["ip", "netns", "exec", src_ns, "ping", "-n", "-c1", "-W", str(timeout_s),
                        ip],
                       capture_output=True, text=True, timeout=timeout_s + 10)
    if p.returncode != 0:
        return None
    m = re.search(r"time=([\d.]+) ms", p.stdout)
    return float(m.group(1)) if m else 0.0


def ping_until(src_ns, ip, tries):
    """Pings until an answer, at most 'tries' times; returns (rtt_ms, tries used)."""
    for i in range(1, tries + 1):
        t = time.monotonic()
        rtt = ping(src_ns, ip)
        if rtt is not None:
            return rtt, i
        # No route yet (no eth0) fails at once: do not spin.
        time.sleep(max(0.0, 0.05 - (time.monotonic() - t)))
    return None, tries


def percentile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


class Vpcd:
    def __init__(self, binary, data_dir):
        self.binary = binary
        self.data_dir = data_dir
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(data_dir, "vpcd.log")
        self.proc = None

    def start(self):
        def raise_nofile():
            # One fd per port (TAP): do not let the soft limit be the limit.
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [self.binary, "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
             "--internet-namespace", INET_NS, "--log-level", "info", "--no-default-vpc"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, preexec_fn=raise_nofile)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vpcd exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"vpcd did not listen within 20 s:\n{self.log_tail()}")
        # The data plane starts after the listener: wait for its namespace.
        while time.monotonic() < deadline and not ns_exists(INET_NS):
            time.sleep(0.05)
        if "data plane off" in self.log_tail():
            raise RuntimeError(f"vpcd runs without a data plane:\n{self.log_tail()}")
        if not ns_exists(INET_NS):
            raise RuntimeError(f"{INET_NS} did not appear:\n{self.log_tail()}")
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_WAIT_S):
        """SIGTERM (vpcd removes its namespaces), SIGKILL after 'timeout'.
        Returns (exit code, seconds)."""
        if not self.proc:
            return None, 0.0
        t = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        return self.proc.returncode, time.monotonic() - t

    def log_tail(self, n=4000):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def client(self):
        return boto3.client(
            "ec2", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=300,
                                          connect_timeout=10))


LOG_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z\|(\w+)\|(\w+)\|(.*)$")


def parse_log(path):
    """[(seconds, level, module, text)] with seconds since the epoch (ms precision)."""
    out = []
    try:
        f = open(path, errors="replace")
    except OSError:
        return out
    with f:
        for line in f:
            m = LOG_RE.match(line.rstrip("\n"))
            if m:
                ts = time.mktime(time.strptime(m.group(1)[:19], "%Y-%m-%dT%H:%M:%S"))
                out.append((ts + int(m.group(1)[20:]) / 1000.0, m.group(2), m.group(3), m.group(4)))
    return out


def log_breakdown(entries, ids):
    """Where the data plane's time goes, from the info log: per instance, the
    namespace (ip netns add, lo up, resolv.conf: from the previous event of
    the same sync to "namespace made") and the port (TAP open, link/addr/route
    `ip` commands: "namespace made" to "eth0 ... up"); per removal, the gap
    between consecutive "namespace removed"; RunInstances' own handling time
    as vpcd logs it (without the sync, which runs after the request)."""
    ids = set(ids)
    made, up, removed = {}, {}, []
    ns_cost, port_cost, api_ms, term_api_ms = [], [], [], []
    ns_start, inst_ms = {}, {}
    prev = None
    for ts, level, module, text in entries:
        m = re.match(r"(i-[0-9a-f]+): (namespace made|namespace removed|eth0 \(\S+\) up)", text)
        if m and m.group(1) in ids:
            iid, what = m.group(1), m.group(2)
            if what == "namespace made":
                made[iid] = ts
                # The previous event of the same sync (a port of the instance
                # before); a gap of more than 1 s is another sync.
                if prev is not None and ts - prev < 1.0:
                    ns_cost.append(ts - prev)
                    ns_start[iid] = prev
            elif what == "namespace removed":
                removed.append(ts)
            else:
                up[iid] = ts
                if iid in made:
                    port_cost.append(ts - made[iid])
                    if iid in ns_start:
                        inst_ms[iid] = 1000 * (ts - ns_start[iid])
            prev = ts
            continue
        m = re.match(r"RunInstances 200\s+([\d.]+)ms", text)
        if m:
            api_ms.append(float(m.group(1)))
        m = re.match(r"TerminateInstances 200\s+([\d.]+)ms", text)
        if m:
            term_api_ms.append(float(m.group(1)))
    rm_gaps = [b - a for a, b in zip(removed, removed[1:]) if b - a < 1.0]
    return {"ns_ms": [x * 1000 for x in ns_cost], "port_ms": [x * 1000 for x in port_cost],
            "rm_ms": [x * 1000 for x in rm_gaps], "inst_ms": inst_ms, "api_ms": api_ms,
            "term_api_ms": term_api_ms,
            "n_made": len(made), "n_up": len(up), "n_removed": len(removed)}


def build_vpc(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c)["Subnet"]["SubnetId"] for c in SUBNETS]
    sg = ec2.create_security_group(VpcId=vpc, GroupName="ibench", Description="ibench")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
         "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    return vpc, subnets, sg


def cleanup_namespaces(ids):
    """Deletes what vpcd left behind of ours (never another vpcd's)."""
    left = [i for i in ids if ns_exists(i)]
    for name in left:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=30)
    for name in ids:
        d = f"/etc/netns/{name}"
        if os.path.isdir(d):
            shutil.rmtree(d, ignore_errors=True)
    inet_left = ns_exists(INET_NS)
    if inet_left:
        subprocess.run(["ip", "netns", "delete", INET_NS], capture_output=True, timeout=30)
    return left, inet_left


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--count", type=int, default=500, help="target instances (500)")
    ap.add_argument("--batch", type=int, default=20,
                    help="MinCount=MaxCount per RunInstances (20: vpcd's INSTANCE_LAUNCH_MAX)")
    ap.add_argument("--budget", type=float, default=240.0,
                    help="seconds for the launching phase; no batch starts after (240)")
    ap.add_argument("--min-available-mb", type=int, default=2048,
                    help="stop launching when MemAvailable falls below (2048)")
    ap.add_argument("--pairs", type=int, default=30, help="random pairs pinged at the end (30)")
    ap.add_argument("--strace", metavar="FILE",
                    help="attach `strace -c -w -f` to vpcd while launching; summary to FILE")
    ap.add_argument("--keep-log", metavar="FILE", help="copy vpcd's log to FILE")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    if os.geteuid() != 0:
        sys.exit("instances.py: needs root (vpcd's data plane makes namespaces and TAPs)")
    if not os.access(VPCD, os.X_OK):
        sys.exit(f"instances.py: {VPCD} is not there: run `make` (or set VPCD)")
    if args.count < 2 or args.batch < 1:
        sys.exit("instances.py: -n must be at least 2 and --batch at least 1")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if INET_NS.encode() in f.read():
                    sys.exit(f"instances.py: process {pid} already uses {INET_NS}: "
                             "one run of this benchmark at a time")
        except OSError:
            pass
    random.seed(args.seed)
    # SIGTERM/SIGHUP to us: unwind through the finally below.
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda sig, frame: sys.exit(f"instances.py: signal {sig}"))

    data_dir = tempfile.mkdtemp(prefix="vpcd-ibench-")
    vpcd = Vpcd(VPCD, data_dir)
    ids, ips = [], []
    strace = None
    try:
        vpcd.start()
        pid = vpcd.proc.pid
        with open(f"/proc/{pid}/limits") as f:
            nofile = [ln.split()[3] for ln in f if ln.startswith("Max open files")][0]
        ec2 = vpcd.client()
        vpc, subnets, sg = build_vpc(ec2)
        rss0 = rss_kb(pid)
        avail0 = mem_available_mb()
        print(f"vpcd {VPCD} pid {pid} on {vpcd.endpoint}, data {data_dir}, internet {INET_NS}, "
              f"fd limit {nofile}; {vpc}, {len(subnets)} subnets /20, {sg}; RSS {rss0} kB, "
              f"MemAvailable {mem_available_mb()} MB", flush=True)
        if args.strace:
            strace = subprocess.Popen(["strace", "-c", "-w", "-f", "-o", args.strace,
                                       "-p", str(pid)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            time.sleep(0.5)

        print(f"{'batch':>5} {'N':>5} {'api s':>7} {'ms/inst':>7} {'ns s':>7} {'ping s':>7} "
              f"{'tries':>5} {'rtt ms':>7} {'RSS MB':>7} {'kB/inst':>7} {'ns':>5} {'avail MB':>8}",
              flush=True)
        rows = []
        stop_reason = f"target {args.count} reached"
        t_launch = time.monotonic()
        while len(ids) < args.count:
            elapsed = time.monotonic() - t_launch
            if elapsed > args.budget:
                stop_reason = f"time budget {args.budget:.0f} s"
                break
            avail = mem_available_mb()
            if avail < args.min_available_mb:
                stop_reason = f"MemAvailable {avail} MB < {args.min_available_mb} MB"
                break
            if not vpcd.alive():
                stop_reason = f"vpcd exited ({vpcd.proc.returncode})"
                break
            k = min(args.batch, args.count - len(ids))
            subnet = subnets[len(rows) % len(subnets)]
            t0 = time.monotonic()
            try:
                r = ec2.run_instances(ImageId=IMAGE, InstanceType="c5.large", MinCount=k,
                                      MaxCount=k, SubnetId=subnet, SecurityGroupIds=[sg])
            except botocore.exceptions.ClientError as e:
                err = e.response["Error"]
                stop_reason = f"RunInstances: {err.get('Code')}: {err.get('Message')}"
                break
            except botocore.exceptions.BotoCoreError as e:
                stop_reason = f"RunInstances: {e}"
                break
            t_api = time.monotonic() - t0
            batch = [(i["InstanceId"], i["PrivateIpAddress"]) for i in r["Instances"]]
            ids += [b[0] for b in batch]
            ips += [b[1] for b in batch]
            missing = [b[0] for b in batch]
            deadline = t0 + NS_WAIT_S
            while missing and time.monotonic() < deadline:
                missing = [i for i in missing if not ns_exists(i)]
                if missing:
                    time.sleep(0.01)
            t_ns = time.monotonic() - t0
            if missing:
                stop_reason = f"{len(missing)} namespaces of batch {len(rows) + 1} missing " \
                              f"after {NS_WAIT_S} s"
                break
            rtt, tries = ping_until(ids[0], batch[-1][1], PING_TRIES)
            t_ping = time.monotonic() - t0
            rss = rss_kb(pid)
            ours = sum(1 for i in ids if ns_exists(i))
            row = dict(n=len(ids), k=len(batch), api=t_api, ns=t_ns, ping=t_ping, tries=tries,
                       rtt=rtt, rss=rss, ours=ours, avail=mem_available_mb())
            rows.append(row)
            print(f"{len(rows):>5} {row['n']:>5} {t_api:>7.3f} {1000 * t_api / len(batch):>7.1f} "
                  f"{t_ns:>7.3f} {t_ping if rtt is not None else float('nan'):>7.3f} {tries:>5} "
                  f"{rtt if rtt is not None else float('nan'):>7.3f} {rss / 1024:>7.1f} "
                  f"{(rss - rss0) / row['n']:>7.1f} {ours:>5} {row['avail']:>8}", flush=True)
            if rtt is None:
                stop_reason = f"batch {len(rows)}: {batch[-1][0]} ({batch[-1][1]}) not " \
                              f"pingable from {ids[0]} after {PING_TRIES} tries"
                break
        t_launch = time.monotonic() - t_launch
        if strace:
            strace.send_signal(signal.SIGINT)
            strace.wait(timeout=30)
            strace = None
        n = len(ids)
        print(f"stopped: {stop_reason}; {n} instances in {t_launch:.1f} s", flush=True)

        # Every instance still forwards: random pairs, both directions of the VPC.
        ok, rtts = 0, []
        pairs = 0
        if n >= 2 and vpcd.alive():
            pairs = args.pairs
            for _ in range(pairs):
                a, b = random.sample(range(n), 2)
                rtt, _tries = ping_until(ids[a], ips[b], 10)
                if rtt is not None:
                    ok += 1
                    rtts.append(rtt)
                else:
                    print(f"  no answer: {ids[a]} -> {ids[b]} ({ips[b]})", flush=True)
            print(f"ping sample: {ok}/{pairs} pairs answer, rtt p50 {percentile(rtts, 0.5):.3f} "
                  f"ms, max {max(rtts) if rtts else float('nan'):.3f} ms", flush=True)

        # A sync with nothing to make (snapshot compile, per-instance lookups):
        # a CreateTags commit is answered after the sync that follows it, a
        # DescribeVpcs is not.  Spaced so the sync throttle (5x the last
        # sync's cost) lets most of them sync.
        sync_ms = desc_ms = []
        if ids and vpcd.alive():
            sync_ms, desc_ms = [], []
            for j in range(6):
                time.sleep(0.6)
                t0 = time.monotonic()
                ec2.create_tags(Resources=[vpc], Tags=[{"Key": "probe", "Value": str(j)}])
                sync_ms.append(1000 * (time.monotonic() - t0))
                t0 = time.monotonic()
                ec2.describe_vpcs(VpcIds=[vpc])
                desc_ms.append(1000 * (time.monotonic() - t0))
            print(f"no-op sync at {n} instances: CreateTags ms " +
                  " ".join(f"{x:.1f}" for x in sync_ms) +
                  f"; DescribeVpcs p50 {statistics.median(desc_ms):.1f} ms", flush=True)

        # Terminate everything; time until the namespaces are gone.
        t_term_api = t_term = float("nan")
        if ids and vpcd.alive():
            t0 = time.monotonic()
            try:
                for i in range(0, n, 500):
                    ec2.terminate_instances(InstanceIds=ids[i:i + 500])
                t_term_api = time.monotonic() - t0
                # The sync runs on the control thread: a read-only request
                # made while it removes namespaces waits for it.
                time.sleep(0.3)
                t1 = time.monotonic()
                ec2.describe_vpcs(VpcIds=[vpc])
                t_blocked = time.monotonic() - t1
                left = list(ids)
                deadline = t0 + STOP_WAIT_S
                while left and time.monotonic() < deadline:
                    left = [i for i in left if ns_exists(i)]
                    if left:
                        time.sleep(0.02)
                t_term = time.monotonic() - t0
                print(f"terminate: API {t_term_api:.3f} s, namespaces gone after {t_term:.2f} s "
                      f"({1000 * t_term / n:.1f} ms/instance)"
                      + (f"; {len(left)} LEFT" if left else "")
                      + f"; a DescribeVpcs 0.3 s after the call took {t_blocked:.2f} s", flush=True)
            except botocore.exceptions.ClientError as e:
                print(f"terminate: {e}", flush=True)
        rss_end = rss_kb(pid)
        taps = tap_fds(pid)
        code, t_stop = vpcd.stop()
        print(f"vpcd stopped (SIGTERM) in {t_stop:.2f} s, exit {code}; before: RSS "
              f"{rss_end / 1024:.1f} MB, {taps} TAP fds open (the internet's + retired ports "
              f"not yet closed)", flush=True)

        b = log_breakdown(parse_log(vpcd.log_path), ids)
        med = lambda xs: statistics.median(xs) if xs else float("nan")
        print(f"inside vpcd (info log, ms): namespace p50 {med(b['ns_ms']):.1f} "
              f"p99 {percentile(b['ns_ms'], 0.99):.1f}; port p50 {med(b['port_ms']):.1f} "
              f"p99 {percentile(b['port_ms'], 0.99):.1f}; removal p50 {med(b['rm_ms']):.1f}; "
              f"RunInstances handling p50 {med(b['api_ms']):.2f} max "
              f"{max(b['api_ms']) if b['api_ms'] else float('nan'):.2f}; "
              f"made {b['n_made']} up {b['n_up']} removed {b['n_removed']}", flush=True)
        if rows:
            # Per-instance cost inside vpcd by batch (does it grow with N?).
            per, start = [], 0
            for r in rows:
                bids = ids[start:start + r["k"]]
                start += r["k"]
                xs = [b["inst_ms"][i] for i in bids if i in b["inst_ms"]]
                per.append(f"{statistics.mean(xs):.0f}" if xs else "-")
            print("ms per instance inside vpcd (namespace + port), by batch: " + " ".join(per),
                  flush=True)
        warns = [e for e in parse_log(vpcd.log_path) if e[1] in ("warn", "err")]
        if warns:
            print(f"vpcd logged {len(warns)} warnings/errors, first: "
                  + "; ".join(w[3] for w in warns[:3]), flush=True)
        if rows:
            api_total = sum(r["api"] for r in rows)
            rss_last = rows[-1]["rss"]
            print(f"SUMMARY instances={n} stop=\"{stop_reason}\" "
                  f"api_s_per_inst={api_total / n:.4f} "
                  f"api_call_p50_s={percentile([r['api'] for r in rows], 0.5):.3f} "
                  f"pingable_s_per_inst={sum(r['ping'] for r in rows) / n:.4f} "
                  f"launch_wall_s={t_launch:.1f} rss_mb={rss_last / 1024:.1f} "
                  f"rss_kb_per_inst={(rss_last - rss0) / n:.1f} "
                  f"host_avail_kb_per_inst={1024 * (avail0 - rows[-1]['avail']) / n:.0f} "
                  f"ping_sample={ok}/{pairs} "
                  f"terminate_api_s={t_term_api:.3f} terminate_gone_s={t_term:.2f} "
                  f"sigterm_s={t_stop:.2f} noop_sync_ms_p50="
                  f"{statistics.median(sync_ms) if sync_ms else float('nan'):.1f}", flush=True)
    finally:
        if strace and strace.poll() is None:
            strace.send_signal(signal.SIGINT)
            try:
                strace.wait(timeout=10)
            except subprocess.TimeoutExpired:
                strace.kill()
        vpcd.stop()
        # Also what vpcd made for ids we never saw (a RunInstances that timed out).
        logged = {m.group(1) for e in parse_log(vpcd.log_path)
                  for m in [re.match(r"(i-[0-9a-f]+): namespace made", e[3])] if m}
        left, inet_left = cleanup_namespaces(sorted(set(ids) | logged))
        if left or inet_left:
            print(f"cleanup: deleted {len(left)} leftover instance namespaces"
                  f"{' and ' + INET_NS if inet_left else ''}", file=sys.stderr)
        if args.keep_log and os.path.exists(vpcd.log_path):
            shutil.copy(vpcd.log_path, args.keep_log)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
