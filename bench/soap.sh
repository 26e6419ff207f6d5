#!/usr/bin/env bash
# SOAP throughput benchmark: the emulator's copyImage against a bare hyper
# server (examples/baseline_server.rs) that answers the same envelope with no
# work behind it, i.e. the cost of HTTP alone.
#
#   bash bench/soap.sh
#   ROUNDS=5 DURATION=20s CONNECTIONS=64 THREADS=2 bash bench/soap.sh
#
# Each round runs wrk against the baseline, then against the emulator, with
# the same script (bench/copyimage.lua) and so the same request bytes. The
# emulator is restarted fresh (--in-memory) for every round, so each round
# starts from the seed catalog and inserts a comparable number of assets; the
# baseline is stateless and runs once for all rounds. Before each measured
# run both servers get one copyImage by curl, which must answer 200 (it also
# fills the emulator's credential cache, so the first measured requests do
# not all pay for an argon2 verification at once).
#
# Goals, at 32 connections: emulator/baseline req/s ratio >= 0.30 and
# emulator p99 <= 5 ms. The verdict uses the medians over rounds.
# Exit status: 0 verdict PASS, 1 verdict FAIL, 2 the benchmark could not run.
#
# Loopback only; every wrk run has a fixed duration. Both servers are stopped
# on exit. Raw wrk reports and server logs are kept in a temp directory whose
# path is printed at the end.

set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
GOAL_RATIO=0.30
GOAL_P99_US=5000

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT="$ROOT/bench/copyimage.lua"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
EMULATOR_BIN="$TARGET_DIR/release/ips-emulator"
BASELINE_BIN="$TARGET_DIR/release/examples/baseline_server"
SOAP_PATH=/scene7/services/IpsApiService
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ips-soap-bench.XXXXXX")
RUN_TAG=$(date +%s)

die() {
    echo "soap.sh: $*" >&2
    exit 2
}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

# ---------------------------------------------------------------- servers --

EMU_PID=""
BASE_PID=""
WRK_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    stop_pid "$WRK_PID"
    stop_pid "$EMU_PID"
    stop_pid "$BASE_PID"
    WRK_PID=""
    EMU_PID=""
    BASE_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server KIND: starts the emulator or the baseline on a free port,
# retrying if the port was taken in the meantime; sets *_PID and *_PORT.
start_server() {
    local kind=$1 port pid log url
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        log="$WORK/$kind.$port.log"
        case $kind in
        emulator)
            IPS_LOG=warn "$EMULATOR_BIN" serve --in-memory --listen "127.0.0.1:$port" >"$log" 2>&1 &
            pid=$!
            url="http://127.0.0.1:$port/_emulator/health"
            ;;
        baseline)
            "$BASELINE_BIN" "127.0.0.1:$port" >"$log" 2>&1 &
            pid=$!
            url="http://127.0.0.1:$port/"
            ;;
        esac
        if wait_ready "$pid" "$url"; then
            if [[ $kind == emulator ]]; then
                EMU_PID=$pid EMU_PORT=$port
            else
                BASE_PID=$pid BASE_PORT=$port
            fi
            return 0
        fi
        stop_pid "$pid"
        echo "soap.sh: $kind did not become ready on port $port (attempt $attempt); log:" >&2
        tail -n 5 "$log" >&2 || true
    done
    die "$kind would not start"
}

# ------------------------------------------------------------ requests --

envelope() {
    printf '%s' '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password><appName>bench</appName><appVersion>1.0</appVersion></authHeader></soapenv:Header><soapenv:Body><copyImageParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15"><companyHandle>c|6</companyHandle><assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle><name>'"$1"'</name><urlModifier/></copyImageParam></soapenv:Body></soapenv:Envelope>'
}

# warm_up PORT NAME: one copyImage by curl; it must answer 200.
warm_up() {
    local port=$1 name=$2 out code
    out="$WORK/warmup.$port.$name.txt"
    code=$(curl -s -o "$out" -w '%{http_code}' --max-time 10 -X POST \
        -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "copyImage"' \
        --data-binary "$(envelope "$name")" "http://127.0.0.1:$port$SOAP_PATH" || true)
    if [[ $code != 200 ]]; then
        echo "soap.sh: warm-up copyImage on port $port answered HTTP $code:" >&2
        cat "$out" >&2 || true
        echo >&2
        die "server is not answering copyImage with 200"
    fi
}

# run_wrk LABEL PORT: one measured run; the report goes to $WORK/LABEL.txt.
run_wrk() {
    local label=$1 port=$2
    # In the background so a signal runs the trap at once, not after wrk.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRIPT" \
        "http://127.0.0.1:$port$SOAP_PATH" -- "$RUN_TAG-$label" >"$WORK/$label.txt" 2>&1 &
    WRK_PID=$!
    if ! wait "$WRK_PID"; then
        WRK_PID=""
        cat "$WORK/$label.txt" >&2
        die "wrk failed ($label)"
    fi
    WRK_PID=""
}

# ---------------------------------------------------------------- setup --

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer"
[[ $DURATION =~ ^[1-9][0-9]*[smh]?$ ]] || die "DURATION must look like 10s"

ensure_wrk

echo "soap.sh: building (release)" >&2
"$ROOT/scripts/install-build-deps" >&2 || die "could not install cmake/nasm"
(cd "$ROOT" && cargo build --release --bin ips-emulator --example baseline_server >&2) || die "build failed"
[[ -x $EMULATOR_BIN && -x $BASELINE_BIN ]] || die "built binaries not found under $TARGET_DIR"

echo "wrk: $(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//')"
echo "host: $(nproc) CPUs, $(uname -sr); wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; $ROUNDS rounds"
echo "emulator restarted fresh (--in-memory) for every round; baseline started once"
echo

start_server baseline
warm_up "$BASE_PORT" "warmup-$RUN_TAG"

# ---------------------------------------------------------------- rounds --

declare -a R_BASE R_EMU R_RATIO R_P99 R_P50
TOTAL_NON200=0
TOTAL_SOCKERR=0
SAMPLE_FILE=""

printf '%-5s %12s %12s %7s %10s %10s %10s %12s\n' \
    round base_rps emu_rps ratio emu_p50_ms emu_p99_ms base_p99_ms "non200(b/e)"
for round in $(seq 1 "$ROUNDS"); do
    start_server emulator
    warm_up "$EMU_PORT" "warmup-$RUN_TAG-$round"

    run_wrk "base-$round" "$BASE_PORT"
    run_wrk "emu-$round" "$EMU_PORT"

    stop_pid "$EMU_PID"
    EMU_PID=""

    b_rps=$(field "base-$round" rps)
    e_rps=$(field "emu-$round" rps)
    b_p99=$(field "base-$round" p99_us)
    e_p50=$(field "emu-$round" p50_us)
    e_p99=$(field "emu-$round" p99_us)
    b_non=$(field "base-$round" non200)
    e_non=$(field "emu-$round" non200)
    for l in "base-$round" "emu-$round"; do
        for k in errors_connect errors_read errors_write errors_timeout; do
            TOTAL_SOCKERR=$((TOTAL_SOCKERR + $(field "$l" "$k")))
        done
    done
    TOTAL_NON200=$((TOTAL_NON200 + b_non + e_non))
    if [[ -z $SAMPLE_FILE ]] && grep -q '^BENCH sample_body' "$WORK/emu-$round.txt"; then
        SAMPLE_FILE="$WORK/emu-$round.txt"
    fi
    ratio=$(awk -v e="$e_rps" -v b="$b_rps" 'BEGIN { printf "%.3f", e / b }')

    R_BASE+=("$b_rps")
    R_EMU+=("$e_rps")
    R_RATIO+=("$ratio")
    R_P50+=("$e_p50")
    R_P99+=("$e_p99")
    printf '%-5s %12s %12s %7s %10s %10s %10s %12s\n' "$round" "$b_rps" "$e_rps" "$ratio" \
        "$(awk -v u="$e_p50" 'BEGIN { printf "%.3f", u / 1000 }')" \
        "$(awk -v u="$e_p99" 'BEGIN { printf "%.3f", u / 1000 }')" \
        "$(awk -v u="$b_p99" 'BEGIN { printf "%.3f", u / 1000 }')" \
        "$b_non/$e_non"
done

# ---------------------------------------------------------------- verdict --

m_base=$(median "${R_BASE[@]}")
m_emu=$(median "${R_EMU[@]}")
m_ratio=$(median "${R_RATIO[@]}")
m_p50=$(median "${R_P50[@]}")
m_p99=$(median "${R_P99[@]}")
printf '%-5s %12.1f %12.1f %7s %10s %10s\n' median "$m_base" "$m_emu" \
    "$(awk -v r="$m_ratio" 'BEGIN { printf "%.3f", r }')" \
    "$(awk -v u="$m_p50" 'BEGIN { printf "%.3f", u / 1000 }')" \
    "$(awk -v u="$m_p99" 'BEGIN { printf "%.3f", u / 1000 }')"
echo

if [[ -n $SAMPLE_FILE ]]; then
    echo "sample non-200 reply from the emulator ($SAMPLE_FILE):"
    awk '$1 == "BENCH" && ($2 == "sample_status" || $2 == "sample_body")' "$SAMPLE_FILE"
    echo
fi
echo "non-200 responses: $TOTAL_NON200; socket errors: $TOTAL_SOCKERR; reports and logs: $WORK"

ratio_ok=$(awk -v r="$m_ratio" -v g="$GOAL_RATIO" 'BEGIN { print (r >= g) ? "yes" : "no" }')
p99_ok=$(awk -v p="$m_p99" -v g="$GOAL_P99_US" 'BEGIN { print (p <= g) ? "yes" : "no" }')
summary=$(awk -v r="$m_ratio" -v g="$GOAL_RATIO" -v p="$m_p99" -v gp="$GOAL_P99_US" -v c="$CONNECTIONS" \
    'BEGIN { printf "ratio %.3f (goal >= %.2f), p99 %.3f ms (goal <= %.1f ms) at %d connections", r, g, p / 1000, gp / 1000, c }')
caveat=""
[[ $CONNECTIONS -eq 32 ]] || caveat="$caveat; goals are set for 32 connections"
[[ $TOTAL_NON200 -eq 0 && $TOTAL_SOCKERR -eq 0 ]] ||
    caveat="$caveat; WARNING: $TOTAL_NON200 non-200 responses and $TOTAL_SOCKERR socket errors, numbers are suspect"
if [[ $ratio_ok == yes && $p99_ok == yes ]]; then
    echo "verdict: PASS: $summary$caveat"
    exit 0
else
    failed=""
    [[ $ratio_ok == yes ]] || failed="throughput ratio"
    [[ $p99_ok == yes ]] || failed="${failed:+$failed and }p99"
    echo "verdict: FAIL ($failed): $summary$caveat"
    exit 1
fi
