#!/usr/bin/env bash
# bench/api.sh: vpcd's API benchmark, every scenario in order, one table at
# the end.  See bench/README.md.  Release build (make build) into $BUILD
# (default build); every daemon gets a fresh temporary data dir and a free
# loopback port; all of it is removed and every daemon stopped on exit,
# failure and ^C included.
#
#   bench/api.sh                     # ~5-8 minutes
#   BUILD=build-bench DUR=2 bench/api.sh
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DUR=${DUR:-5}                       # seconds per measured run
SETUP_CONNS=8
RESTART_TIMEOUT=${RESTART_TIMEOUT:-300}   # start-up on 10,000 VPCs may be slow

API=$BUILD/bench/api
VPCD=$BUILD/vpcd
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vpcd-bench.XXXXXX")
RESULTS=$TMP/results
PIDS=()
API_PID=
: >"$RESULTS"

# Stops a daemon started here: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 1000; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

forget_pid() {
    local keep=() p
    for p in "${PIDS[@]}"; do
        [ "$p" = "$1" ] || keep+=("$p")
    done
    PIDS=("${keep[@]}")
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$API_PID" ] || kill -TERM "$API_PID" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\n== %s\n' "$*"; }

# run LABEL ARGS...: runs the tool, shows its output, keeps its RESULT lines
# tagged with LABEL.
# The tool runs in the background so that a signal to this script is acted
# on at once (bash runs traps only between foreground commands).
run() {
    local label=$1 rc=0
    shift
    "$API" "$@" >"$TMP/run.out" &
    API_PID=$!
    wait "$API_PID" || rc=$?
    API_PID=
    grep -v '^RESULT ' "$TMP/run.out" || true
    if [ "$rc" != 0 ]; then
        echo "api.sh: '$API $*' failed (status $rc)" >&2
        return 1
    fi
    sed -n "s/^RESULT /RESULT label=$label /p" "$TMP/run.out" >>"$RESULTS"
}

# get LABEL NAME CONNS KEY: a value from the RESULT lines ("-" if absent).
get() {
    awk -v l="$1" -v n="$2" -v c="$3" -v k="$4" '
        { delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["label"] == l && f["name"] == n && (c == "" || f["conns"] == c) { v = f[k] }
        END { print (v == "" ? "-" : v) }' "$RESULTS"
}

free_port() { "$API" 127.0.0.1:1 free-port; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# start_vpcd NAME [VPCD OPTIONS]: fresh data dir, free port; sets VPCD_PID,
# VPCD_EP, VPCD_DIR and prints how long it took to accept connections.
start_vpcd() {
    local name=$1
    shift
    VPCD_DIR=$TMP/$name
    mkdir -p "$VPCD_DIR"
    VPCD_EP=127.0.0.1:$(free_port)
    relaunch_vpcd "$name" "$@"
}

# relaunch_vpcd NAME [VPCD OPTIONS]: starts vpcd on VPCD_DIR/VPCD_EP.
relaunch_vpcd() {
    local name=$1
    shift
    local t0=$EPOCHREALTIME
    "$VPCD" --data-dir "$VPCD_DIR" --listen "$VPCD_EP" --log-level warn "$@" \
        >>"$TMP/$name.log" 2>&1 &
    VPCD_PID=$!
    PIDS+=("$VPCD_PID")
    run "$name" "$VPCD_EP" wait-port --since "$t0" --pid "$VPCD_PID" --timeout "${WAIT_TIMEOUT:-60}"
}

# stop_vpcd: SIGTERM, and vpcd must exit 0 (a clean shutdown).
stop_vpcd() {
    local rc=0
    kill -TERM "$VPCD_PID"
    wait "$VPCD_PID" || rc=$?
    forget_pid "$VPCD_PID"
    if [ "$rc" != 0 ]; then
        echo "api.sh: vpcd exited with status $rc after SIGTERM" >&2
        return 1
    fi
}

# Pyenv's python with moto (never Debian's /usr/bin/python3).
find_moto_python() {
    local c exe
    for c in "${MOTO_PY:-}" "$HOME/.pyenv/shims/python3" "$(command -v python3 || true)"; do
        [ -n "$c" ] && [ -x "$c" ] || continue
        exe=$("$c" -c 'import sys, moto.server; print(sys.executable)' 2>/dev/null) || continue
        [ "$exe" != /usr/bin/python3 ] || continue
        echo "$exe"
        return 0
    done
    return 1
}

T_START=$EPOCHREALTIME
log "build ($BUILD, release)"
make --no-print-directory BUILD="$BUILD" build
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), data in $TMP"
run client 127.0.0.1:1 sign-cost

# 1-5: one account with 1,000 VPCs, 4,000 subnets, 10,000 security groups.
log "1. setup: 1,000 VPCs x (4 subnets + 9 security groups), $SETUP_CONNS connections"
start_vpcd main
IDS=$TMP/vpc-ids
run main "$VPCD_EP" setup -c "$SETUP_CONNS" --vpcs 1000 --subnets 4 --sgs 9 --ids "$IDS"
MAIN_RSS=$(rss_kb "$VPCD_PID")
echo "vpcd RSS after setup: $MAIN_RSS kB"

for scenario in describe-vpc-by-id describe-sgs-by-vpc describe-subnets-all create-delete-vpc; do
    log "$scenario"
    for c in 1 8; do
        run main "$VPCD_EP" "$scenario" -c "$c" -d "$DUR" --ids "$IDS"
    done
done
stop_vpcd

# 6: moto and vpcd side by side, 100 VPCs (+ the default VPC each makes).
MOTO_OK=0
log "6. moto comparison: 100 VPCs each"
if MOTO_EXE=$(find_moto_python); then
    MOTO_EP=127.0.0.1:$(free_port)
    t0=$EPOCHREALTIME
    "$MOTO_EXE" -m moto.server -H 127.0.0.1 -p "${MOTO_EP#*:}" >"$TMP/moto.log" 2>&1 &
    MOTO_PID=$!
    PIDS+=("$MOTO_PID")
    run moto "$MOTO_EP" wait-port --since "$t0" --pid "$MOTO_PID"
    start_vpcd small
    for target in moto vpcd; do
        ep=$MOTO_EP
        [ "$target" = moto ] || ep=$VPCD_EP
        run "$target" "$ep" setup -c 1 --vpcs 100 --subnets 0 --sgs 0
        for c in 1 8; do
            run "$target" "$ep" describe-vpcs-all -c "$c" -d "$DUR"
            run "$target" "$ep" create-delete-vpc -c "$c" -d "$DUR"
        done
    done
    stop_vpcd
    stop_pid "$MOTO_PID"
    forget_pid "$MOTO_PID"
    MOTO_OK=1
else
    echo "moto not found in a non-Debian python3 (set MOTO_PY): skipped"
fi

# 7: 10,000 VPCs x 4 subnets.  VPC_LIMIT_PER_REGION is 5,000 (the default
# VPC counting), so: no default VPC, 5,000 in us-east-1 and 5,000 in eu-west-1.
log "7. memory and start-up: 10,000 VPCs x 4 subnets (--no-default-vpc; 5,000 in us-east-1 + 5,000 in eu-west-1)"
start_vpcd big --no-default-vpc
for region in us-east-1 eu-west-1; do
    run "big-$region" "$VPCD_EP" setup -c 8 --vpcs 5000 --subnets 4 --sgs 0 --region "$region" \
        --ids "$TMP/ids-$region"
done
BIG_RSS=$(rss_kb "$VPCD_PID")
BIG_DB=$(du -sk "$VPCD_DIR" | cut -f1)
echo "vpcd RSS with 10,000 VPCs + 40,000 subnets: $BIG_RSS kB (data dir $BIG_DB kB)"
stop_vpcd
# Restarted at log level info, so that it logs "ready in X ms".
RESTART_RSS=- CHECK_RSS=- READY_MS=
if WAIT_TIMEOUT=$RESTART_TIMEOUT relaunch_vpcd big-restart --no-default-vpc --log-level info; then
    READY_MS=$(sed -n 's/.*ready in \([0-9.]*\) ms.*/\1/p' "$TMP/big-restart.log" | tail -1)
    RESTART_RSS=$(rss_kb "$VPCD_PID")
    echo "after restart: RSS $RESTART_RSS kB, vpcd logged 'ready in ${READY_MS:-?} ms'"
    run big-check "$VPCD_EP" describe-vpc-by-id -c 1 -d 1 --region eu-west-1 \
        --ids "$TMP/ids-eu-west-1"
    CHECK_RSS=$(rss_kb "$VPCD_PID")
    stop_vpcd
else
    echo "vpcd did not accept connections within $RESTART_TIMEOUT s of the restart"
    READY_MS="(not ready after $RESTART_TIMEOUT s)"
fi

# The table.
fmt_row() {  # LABEL NAME CONNS TITLE
    local rate p50 p99 max bytes err unit
    rate=$(get "$1" "$2" "$3" rate); unit=$(get "$1" "$2" "$3" unit)
    p50=$(get "$1" "$2" "$3" p50_ms); p99=$(get "$1" "$2" "$3" p99_ms)
    max=$(get "$1" "$2" "$3" max_ms); bytes=$(get "$1" "$2" "$3" reply_bytes)
    err=$(get "$1" "$2" "$3" errors)
    printf '%-32s %5s %10.0f %-7s %8s %8s %9s %9s %6s\n' "$4" "$3" "$rate" "$unit/s" "$p50" "$p99" \
        "$max" "$bytes" "$err"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.1fx", a / b; else print "-" }'; }

{
    echo
    echo "==================== vpcd API benchmark summary ===================="
    echo "$(date -u +%FT%TZ)  $(nproc) cores  load avg now $(cut -d' ' -f1-3 /proc/loadavg)" \
         " build $BUILD  ${DUR}s per run"
    echo "client signing cost: $(get client sign-cost 1 rate) us per request (only DeleteVpc and setup sign in the loop)"
    echo
    printf 'setup: 1,000 VPCs + 4,000 subnets + %s extra SGs (%s in region), %s conns: %.1f s' \
        "$(get main setup '' sgs_extra)" "$(get main setup '' sgs_region)" "$SETUP_CONNS" \
        "$(get main setup '' secs)"
    printf ' (VPCs %.1f s, subnets %.1f s, SGs %.1f s)\n' "$(get main setup '' vpc_secs)" \
        "$(get main setup '' subnet_secs)" "$(get main setup '' sg_secs)"
    for ph in CreateVpc CreateSubnet CreateSecurityGroup; do
        printf '  %-20s %6.0f req/s  p50 %s ms  p99 %s ms  errors %s\n' "$ph" \
            "$(get main "setup-$ph" "$SETUP_CONNS" rate)" "$(get main "setup-$ph" "$SETUP_CONNS" p50_ms)" \
            "$(get main "setup-$ph" "$SETUP_CONNS" p99_ms)" "$(get main "setup-$ph" "$SETUP_CONNS" errors)"
    done
    echo "vpcd RSS after setup: $MAIN_RSS kB"
    echo
    printf '%-32s %5s %10s %-7s %8s %8s %9s %9s %6s\n' scenario conns rate "" "p50 ms" \
        "p99 ms" "max ms" "reply B" errors
    for s in describe-vpc-by-id describe-sgs-by-vpc describe-subnets-all create-delete-vpc; do
        for c in 1 8; do
            fmt_row main "$s" "$c" "$s"
        done
    done
    for c in 1 8; do
        printf '%-32s %5s %10.0f creates/s\n' "  create-delete-vpc creates" "$c" \
            "$(get main create-delete-vpc.create "$c" rate)"
    done
    if [ "$MOTO_OK" = 1 ]; then
        echo
        echo "moto comparison (100 VPCs + default VPC in each):"
        for c in 1 8; do
            for t in vpcd moto; do
                fmt_row "$t" describe-vpcs-all "$c" "describe-vpcs-all ($t)"
            done
            echo "  ratio vpcd/moto describe-vpcs-all, $c conn: $(ratio \
                "$(get vpcd describe-vpcs-all "$c" rate)" "$(get moto describe-vpcs-all "$c" rate)")"
            for t in vpcd moto; do
                fmt_row "$t" create-delete-vpc "$c" "create-delete-vpc ($t)"
            done
            echo "  ratio vpcd/moto create-delete-vpc pairs, $c conn: $(ratio \
                "$(get vpcd create-delete-vpc "$c" rate)" "$(get moto create-delete-vpc "$c" rate)")"
        done
        echo "  moto setup (100 CreateVpc, 1 conn): $(get moto setup '' secs) s;" \
             "vpcd: $(get vpcd setup '' secs) s"
    fi
    echo
    echo "10,000 VPCs + 40,000 subnets (2 regions x 5,000, 8 conns):" \
         "setup $(get big-us-east-1 setup '' secs) s + $(get big-eu-west-1 setup '' secs) s;" \
         "data dir $BIG_DB kB"
    for r in us-east-1 eu-west-1; do
        echo "  $r: CreateVpc $(get "big-$r" setup-CreateVpc 8 rate) req/s" \
             "(p99 $(get "big-$r" setup-CreateVpc 8 p99_ms) ms), CreateSubnet" \
             "$(get "big-$r" setup-CreateSubnet 8 rate) req/s (p99 $(get "big-$r" setup-CreateSubnet 8 p99_ms) ms)"
    done
    echo "  RSS: $BIG_RSS kB loaded by API; after SIGTERM + restart: $RESTART_RSS kB" \
         "($CHECK_RSS kB after 1 s of describes)"
    echo "  start-up: accepting $(get big-restart wait-port 0 rate) ms after fork+exec;" \
         "vpcd logged 'ready in ${READY_MS:-?} ms'"
    echo "  (fresh empty start-up: $(get main wait-port 0 rate) ms)"
    printf 'total bench time: %.0f s\n' "$(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
} | tee "$TMP/summary"
