#!/bin/bash
# A forwarder plug-in for ../shared/perf/bench.sh: bench/tappump, vpcd's own
# TAP I/O with no decision at all, so the run shows what the I/O alone costs.
. "$HARNESS_DIR/lib.sh"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PUMP="${TAPPUMP:-$REPO/build/bench/tappump}"

case "$1" in
setup)
    "$PUMP" "$NS1" "$NS2" > "$WORK/tappump.log" 2>&1 &
    echo $! > "$WORK/pids"
    for _ in $(seq 1 50); do
        ip -n "$NS1" link show "$IF_NAME" >/dev/null 2>&1 && ip -n "$NS2" link show "$IF_NAME" >/dev/null 2>&1 && break
        sleep 0.1
    done
    instance_l3 "$NS1" "$IP1" "$GW1" "$MAC1" && instance_l3 "$NS2" "$IP2" "$GW2" "$MAC2" || exit 1
    ip -n "$NS1" link set "$IF_NAME" mtu 9001 && ip -n "$NS2" link set "$IF_NAME" mtu 9001
    instance_static_gw
    kill -0 "$(cat "$WORK/pids")" ;;
teardown) kill_pidfile "$WORK/pids" ;;
describe) echo "tappump: vpcd's TAP I/O (vnet_hdr + offload, same loop), no pipeline" ;;
*)  echo "usage: $0 setup|teardown|describe" >&2; exit 2 ;;
esac
