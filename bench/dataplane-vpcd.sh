#!/bin/bash
# A forwarder plug-in for ../shared/perf/bench.sh: vpcd's user-space data plane.
# setup: starts build/vpcd (release) on a fresh data dir, builds the benchmark
# VPC through the EC2 API (bench/dataplane_setup.py: NACLs, security groups,
# 1,000 routes, two instances 10.0.1.10 and 10.0.2.10), then makes the
# harness's instance namespaces ($NS1, $NS2) names for vpcd's own instance
# namespaces, so the harness's tools run inside the instances.
. "$HARNESS_DIR/lib.sh"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
VPCD="${VPCD:-$REPO/build/vpcd}"

alias_ns() {        # alias_ns NAME TARGET: /run/netns/NAME enters TARGET's namespace
    ns_delete "$1"
    touch "/run/netns/$1" && mount --bind "/run/netns/$2" "/run/netns/$1"
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

case "$1" in
setup)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$WORK/vpcd-data"
    "$VPCD" --listen "127.0.0.1:$port" --data-dir "$WORK/vpcd-data" --log-level warn \
        > "$WORK/vpcd.log" 2>&1 &
    echo $! > "$WORK/pids"
    for _ in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1
    done
    ids=$(/usr/bin/python3 "$REPO/bench/dataplane_setup.py" "http://127.0.0.1:$port") || exit 1
    set -- $ids
    for _ in $(seq 1 50); do
        [ -e "/run/netns/$1" ] && [ -e "/run/netns/$2" ] && break; sleep 0.1
    done
    alias_ns "$NS1" "$1" && alias_ns "$NS2" "$2" || exit 1
    sleep 0.5
    kill -0 "$(cat "$WORK/pids")" ;;
teardown)
    umount "/run/netns/$NS1" "/run/netns/$NS2" 2>/dev/null
    rm -f "/run/netns/$NS1" "/run/netns/$NS2"
    # vpcd removes its namespaces on SIGTERM: give it time before anything harsher.
    pid=$(cat "$WORK/pids" 2>/dev/null)
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$WORK/pids" ;;
describe)
    echo "vpcd user-space pipeline (TAP, no offload): 39 NACL entries per direction per ACL, 50 SG rules, 1,000 routes" ;;
*)  echo "usage: $0 setup|teardown|describe" >&2; exit 2 ;;
esac
