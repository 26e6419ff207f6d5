#!/usr/bin/env bash
# The cost of sharing: copyImage, half of them rendering (urlModifier
# wid=200), through 1, 2 and 3 instances on one PostgreSQL catalog and one
# store directory, beside the embedded default (one instance, SQLite and
# files) measured in the same run.
#
#   bash bench/scale.sh
#   ROUNDS=3 DURATION=10s CONNECTIONS=24 bash bench/scale.sh
#
# Each round starts every configuration afresh (a new database, a new data
# directory) and runs wrk with three threads; bench/scale.lua gives the
# threads the instances' addresses in turn, as a round-robin balancer would.
# Printed per configuration: requests per second, p99, and both as ratios to
# the embedded default of the same round; then the medians over rounds.
# On a 2-core machine three instances share two cores: the table shows the
# overhead of a shared catalog, not a speed-up.
#
# PostgreSQL comes from scripts/postgres (installed and started here, and
# stopped on exit). Exit status: 0 the table was printed, 2 it could not run.

set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-24}
THREADS=3
MODIFIER=${MODIFIER:-wid=200}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
EMULATOR_BIN="$TARGET_DIR/release/ips-emulator"
SOAP_PATH=/scene7/services/IpsApiService
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ips-scale-bench.XXXXXX")
RUN_TAG=$(date +%s)
export COPYIMAGE_LUA="$ROOT/bench/copyimage.lua"

die() {
    echo "scale.sh: $*" >&2
    exit 2
}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

PIDS=()
PG_URL=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    stop_all
    [[ -z "$PG_URL" ]] || "$ROOT/scripts/postgres" stop || true
}
stop_all() {
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start N DATA [CATALOG]: N instances on DATA (and CATALOG); sets ADDRS.
start() {
    local n=$1 data=$2 catalog=${3:-} port log i
    ADDRS=""
    for i in $(seq 1 "$n"); do
        port=$(free_port)
        log="$WORK/instance.$port.log"
        if [[ -n "$catalog" ]]; then
            IPS_LOG=warn "$EMULATOR_BIN" serve --data-dir "$data" --catalog "$catalog" \
                --listen "127.0.0.1:$port" >"$log" 2>&1 &
        else
            IPS_LOG=warn "$EMULATOR_BIN" serve --data-dir "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
        fi
        PIDS+=($!)
        wait_ready "$!" "http://127.0.0.1:$port/_emulator/health" || { cat "$log" >&2; die "instance did not start"; }
        ADDRS="${ADDRS:+$ADDRS,}127.0.0.1:$port"
        # One copy by curl per instance: it must answer 200, and it fills the
        # credential cache before the measured run.
        curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "copyImage"' \
            --data-binary "$(warm_up_body "warm-$RUN_TAG-$port")" "http://127.0.0.1:$port$SOAP_PATH" |
            grep -qx 200 || die "instance on $port does not answer copyImage with 200"
    done
}

warm_up_body() {
    printf '%s' "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Header><authHeader xmlns=\"http://www.scene7.com/IpsApi/xsd\"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><copyImageParam xmlns=\"http://www.scene7.com/IpsApi/xsd/2008-01-15\"><companyHandle>c|6</companyHandle><assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle><name>$1</name><urlModifier/></copyImageParam></soapenv:Body></soapenv:Envelope>"
}

# measure LABEL: one wrk run over $ADDRS.
measure() {
    local label=$1 first=${ADDRS%%,*}
    SCALE_ADDRS="$ADDRS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/bench/scale.lua" \
        "http://$first$SOAP_PATH" -- "$RUN_TAG-$label" "$MODIFIER" >"$WORK/$label.txt" 2>&1 ||
        { cat "$WORK/$label.txt" >&2; die "wrk failed ($label)"; }
}


[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
ensure_wrk
echo "scale.sh: building (release)" >&2
"$ROOT/scripts/install-build-deps" >&2 || die "could not install cmake/nasm"
(cd "$ROOT" && cargo build --release --bin ips-emulator >&2) || die "build failed"
PG_URL=$("$ROOT/scripts/postgres" start) || die "could not start PostgreSQL"
PG_BASE=${PG_URL%/*}

echo "host: $(nproc) CPUs, $(uname -sr); wrk -t$THREADS -c$CONNECTIONS -d$DURATION; every other copy renders ($MODIFIER); $ROUNDS rounds"
echo
CONFIGS=(embedded pg1 pg2 pg3)
declare -A RPS P99
printf '%-6s %-9s %10s %10s %10s %10s %8s\n' round config req/s p99_ms rps_ratio p99_ratio non200
for round in $(seq 1 "$ROUNDS"); do
    for config in "${CONFIGS[@]}"; do
        data="$WORK/data-$round-$config"
        if [[ $config == embedded ]]; then
            start 1 "$data"
        else
            db="scale_${round}_${config}_$RUN_TAG"
            psql -q "$PG_URL" -c "CREATE DATABASE $db" >/dev/null || die "could not create $db"
            start "${config#pg}" "$data" "$PG_BASE/$db"
        fi
        measure "$config-$round"
        stop_all
        RPS[$config-$round]=$(field "$config-$round" rps)
        P99[$config-$round]=$(field "$config-$round" p99_us)
        rr=$(awk -v a="${RPS[$config-$round]}" -v b="${RPS[embedded-$round]}" 'BEGIN { printf "%.2f", a / b }')
        pr=$(awk -v a="${P99[$config-$round]}" -v b="${P99[embedded-$round]}" 'BEGIN { printf "%.2f", a / b }')
        printf '%-6s %-9s %10.0f %10.1f %10s %10s %8s\n' "$round" "$config" "${RPS[$config-$round]}" \
            "$(awk -v u="${P99[$config-$round]}" 'BEGIN { print u / 1000 }')" "$rr" "$pr" "$(field "$config-$round" non200)"
    done
done
echo
echo "medians over $ROUNDS rounds (ratios to the embedded default of the same round):"
printf '%-9s %10s %10s %10s %10s\n' config req/s p99_ms rps_ratio p99_ratio
for config in "${CONFIGS[@]}"; do
    rps=() p99=() rr=() pr=()
    for round in $(seq 1 "$ROUNDS"); do
        rps+=("${RPS[$config-$round]}")
        p99+=("${P99[$config-$round]}")
        rr+=("$(awk -v a="${RPS[$config-$round]}" -v b="${RPS[embedded-$round]}" 'BEGIN { print a / b }')")
        pr+=("$(awk -v a="${P99[$config-$round]}" -v b="${P99[embedded-$round]}" 'BEGIN { print a / b }')")
    done
    printf '%-9s %10.0f %10.1f %10.2f %10.2f\n' "$config" "$(median "${rps[@]}")" \
        "$(awk -v u="$(median "${p99[@]}")" 'BEGIN { print u / 1000 }')" "$(median "${rr[@]}")" "$(median "${pr[@]}")"
done
echo
echo "wrk reports and server logs: $WORK"
