#!/usr/bin/env bash
# Overload benchmark: far more connections than the machine has cores,
# copyImage requests half of which render, against the emulator with its
# load shedding as configured by default, and against the same binary with
# shedding turned off (no bound on requests in flight, an hour's wait) as
# the reference measured in the same run.
#
#   bash bench/overload.sh
#   CONNECTIONS=256 DURATION=30s MODIFIER='wid=1200&amp;op_blur=2' bash bench/overload.sh
#
# Each mode starts a fresh server (--in-memory) and sends no warm-up, so the
# first burst also pays for verifying the credentials. wrk's own timeout is
# raised to 60 s so that a slow answer is measured rather than dropped.
# Printed per mode: requests, req/s, p99 and the slowest answer, and how
# many answers were not 200 (with shedding: "busy", HTTP 503). The ratio of
# the slowest answers shows what shedding bounds.
#
# Goal: with shedding, no request waits more than a few seconds for an
# answer: the slowest answer <= GOAL_MAX_S (default 8: the 5 s wait bound
# plus the work of one request under this load), and no socket errors.
# Exit status: 0 PASS, 1 FAIL, 2 the benchmark could not run.

set -euo pipefail

CONNECTIONS=${CONNECTIONS:-256}
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
MODIFIER=${MODIFIER:-wid=1200&amp;op_blur=2}
GOAL_MAX_S=${GOAL_MAX_S:-8}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT="$ROOT/bench/copyimage.lua"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
EMULATOR_BIN="$TARGET_DIR/release/ips-emulator"
SOAP_PATH=/scene7/services/IpsApiService
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ips-overload-bench.XXXXXX")

die() {
    echo "overload.sh: $*" >&2
    exit 2
}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

EMU_PID=""
WRK_PID=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    stop_pid "$WRK_PID"
    stop_pid "$EMU_PID"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_wrk
(cd "$ROOT" && cargo build --release --quiet) || die "build failed"
[[ -x $EMULATOR_BIN ]] || die "no release binary at $EMULATOR_BIN"

# run MODE FLAGS...: a fresh server with FLAGS, one wrk run against it.
run() {
    local mode=$1 port
    shift
    port=$(free_port)
    IPS_LOG=error "$EMULATOR_BIN" serve --in-memory --listen "127.0.0.1:$port" "$@" >"$WORK/$mode.log" 2>&1 &
    EMU_PID=$!
    wait_ready "$EMU_PID" "http://127.0.0.1:$port/_emulator/health" || die "$mode server did not start"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency -s "$SCRIPT" \
        "http://127.0.0.1:$port$SOAP_PATH" -- "$mode" "$MODIFIER" >"$WORK/$mode.txt" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { cat "$WORK/$mode.txt" >&2; die "wrk failed ($mode)"; }
    WRK_PID=""
    stop_pid "$EMU_PID"
    EMU_PID=""
}

field() {
    awk -v k="$2" '$1 == "BENCH" && $2 == k { print $3; exit }' "$WORK/$1.txt"
}

echo "host: $(nproc) CPUs; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; every other copyImage renders '$MODIFIER'"
run unbounded --max-in-flight 1000000 --max-wait-ms 3600000
run shedding

printf '%-10s %9s %8s %9s %9s %8s %7s\n' mode requests req/s p99_ms max_ms non200 errors
for mode in unbounded shedding; do
    errors=$(($(field "$mode" errors_connect) + $(field "$mode" errors_read) + $(field "$mode" errors_write) + $(field "$mode" errors_timeout)))
    printf '%-10s %9s %8s %9d %9d %8s %7s\n' "$mode" "$(field "$mode" requests)" "$(field "$mode" rps)" \
        "$(($(field "$mode" p99_us) / 1000))" "$(($(field "$mode" max_us) / 1000))" \
        "$(field "$mode" non200)" "$errors"
done
shed_max=$(field shedding max_us)
ref_max=$(field unbounded max_us)
shed_errors=$(($(field shedding errors_connect) + $(field shedding errors_read) + $(field shedding errors_write) + $(field shedding errors_timeout)))
awk -v s="$shed_max" -v r="$ref_max" 'BEGIN { printf "slowest answer, shedding / unbounded: %.2f\n", s / r }'
sample=$(awk '$1 == "BENCH" && $2 == "sample_status" { print $3; exit }' "$WORK/shedding.txt")
[[ -n $sample ]] && echo "shedding's first non-200 answer: HTTP $sample"
echo "reports: $WORK"
if ((shed_max <= GOAL_MAX_S * 1000000)) && ((shed_errors == 0)); then
    echo "PASS: with shedding the slowest answer took $((shed_max / 1000)) ms (goal <= ${GOAL_MAX_S} s), no socket errors"
else
    echo "FAIL: with shedding the slowest answer took $((shed_max / 1000)) ms (goal <= ${GOAL_MAX_S} s), $shed_errors socket errors"
    exit 1
fi
