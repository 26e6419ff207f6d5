#!/usr/bin/env bash
# Soak test: the release server on a data directory on disk under a long
# mixed load, watched for growth that would not stop.
#
#   bash bench/soak.sh            # 30 minutes
#   bash bench/soak.sh 120s       # DURATION: N, Ns, Nm or Nh (at least 60 s)
#   CONNECTIONS=32 THREADS=2 bash bench/soak.sh 10m
#
# wrk drives bench/soak.lua: copies with and without renders, deletes of
# earlier copies, renames, /is/image renders, getAssets, searchAssets and
# uploads (overwriting, with renderings of the seed photo made by
# `ips-emulator render`); deletes keep pace with copies, so the catalog and
# the store stay about the same size. Every 10 s the server's resident set
# (VmRSS) and open file descriptors are sampled. After a warm-up (the first
# 5 minutes, or the first 20% of shorter runs) a least-squares line through
# the samples gives each one's slope per minute.
#
# Prints throughput, latency, requests per kind, errors (non-200 replies and
# socket errors), RSS and fd counts and slopes, and the WAL, catalog and
# store sizes at the end. Exit status: 0 no errors and an RSS slope <= 1
# MiB/min; 1 otherwise; 2 the soak could not run. The server log, the wrk
# report and the samples stay in a temp directory whose path is printed.

set -euo pipefail

DURATION_ARG=${1:-30m}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
SAMPLE_EVERY=10
GOAL_RSS_SLOPE_MIB=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$TARGET_DIR/release/ips-emulator"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ips-soak.XXXXXX")
DATA="$WORK/data"

die() {
    echo "soak.sh: $*" >&2
    exit 2
}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

EMU_PID=""
WRK_PID=""
SAMPLER_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    [[ -z $SAMPLER_PID ]] || kill "$SAMPLER_PID" 2>/dev/null || true
    stop_pid "$WRK_PID"
    stop_pid "$EMU_PID"
    SAMPLER_PID="" WRK_PID="" EMU_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# seconds DURATION: 90, 90s, 5m, 1h -> seconds.
seconds() {
    [[ $1 =~ ^([1-9][0-9]*)([smh]?)$ ]] || die "DURATION must look like 120s, 5m or 1h, not '$1'"
    local n=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]} in
    m) echo $((n * 60)) ;;
    h) echo $((n * 3600)) ;;
    *) echo "$n" ;;
    esac
}

# sample PID T0: one line "seconds rss_kib fds threads" for the server.
sample() {
    local pid=$1 t0=$2 status fds
    status=$(awk '$1 == "VmRSS:" { r = $2 } $1 == "Threads:" { t = $2 } END { if (r == "") exit 1; print r, t }' \
        "/proc/$pid/status" 2>/dev/null) || return 1
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    read -r rss threads <<<"$status"
    echo "$(($(date +%s) - t0)) $rss $fds $threads"
}

# slope COLUMN SCALE FROM: least-squares slope per minute of COLUMN/SCALE
# against time, over the samples taken at FROM seconds or later.
slope() {
    awk -v c="$1" -v s="$2" -v from="$3" '$1 >= from {
        x = $1 / 60; y = $c / s; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
        END { d = n * sxx - sx * sx; if (n < 3 || d == 0) print "nan"; else printf "%.3f\n", (n * sxy - sx * sy) / d }' \
        "$WORK/samples.txt"
}

# field KEY: a "BENCH KEY VALUE" line of the wrk report.
field() {
    local v
    v=$(awk -v k="$1" '$1 == "BENCH" && $2 == k { print $3; exit }' "$WORK/wrk.txt")
    [[ -n "$v" ]] || die "no $1 in $WORK/wrk.txt"
    echo "$v"
}

size_of() {
    if [[ -e $1 ]]; then stat -c %s "$1"; else echo 0; fi
}

mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# ---------------------------------------------------------------- setup --

SECS=$(seconds "$DURATION_ARG")
((SECS >= 60)) || die "DURATION must be at least 60s"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer"
WARMUP=$((SECS / 5 < 300 ? SECS / 5 : 300))

ensure_wrk
echo "soak.sh: building (release)" >&2
"$ROOT/scripts/install-build-deps" >&2 || die "could not install cmake/nasm"
(cd "$ROOT" && cargo build --release --bin ips-emulator >&2) || die "build failed"
[[ -x $BIN ]] || die "built binary not found: $BIN"

# Upload files: renderings of the seed photo at several widths.
mkdir -p "$WORK/uploads"
i=0
for wid in 96 128 160 200 240 320 400 480; do
    i=$((i + 1))
    "$BIN" render --modifier "wid=$wid" --out "$WORK/render-$wid" "$ROOT/fixtures/seed/images/macbookwin1.jpg" >&2 ||
        die "could not render the upload files"
    mv "$WORK/render-$wid/macbookwin1.jpg" "$WORK/uploads/$i.jpg"
done

PORT=$(free_port)
IPS_LOG=warn "$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
EMU_PID=$!
wait_ready "$EMU_PID" "http://127.0.0.1:$PORT/_emulator/health" || {
    tail -n 5 "$WORK/server.log" >&2
    die "the server did not become ready"
}
code=$(curl -s -o "$WORK/probe.xml" -w '%{http_code}' --max-time 10 -X POST \
    -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "getAssets"' \
    --data-binary '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><getAssetsParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15"><companyHandle>c|6</companyHandle><assetHandleArray><items>a|739|1|537</items></assetHandleArray></getAssetsParam></soapenv:Body></soapenv:Envelope>' \
    "http://127.0.0.1:$PORT/scene7/services/IpsApiService" || true)
[[ $code == 200 ]] || die "probe getAssets answered HTTP $code: $(head -c 400 "$WORK/probe.xml")"

echo "wrk: $(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//')"
echo "host: $(nproc) CPUs, $(uname -sr); wrk -t$THREADS -c$CONNECTIONS -d${SECS}s; data dir on disk"
echo "samples every ${SAMPLE_EVERY}s; slopes over the samples after the first ${WARMUP}s"
echo

# ------------------------------------------------------------------ run --

T0=$(date +%s)
(
    while sample "$EMU_PID" "$T0"; do
        sleep "$SAMPLE_EVERY"
    done
) >"$WORK/samples.txt" &
SAMPLER_PID=$!

wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECS}s" --timeout 10s --latency -s "$ROOT/bench/soak.lua" \
    "http://127.0.0.1:$PORT" -- "$T0" "$WORK/uploads" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
if ! wait "$WRK_PID"; then
    WRK_PID=""
    cat "$WORK/wrk.txt" >&2
    die "wrk failed"
fi
WRK_PID=""
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
# Once the load has stopped (its connections closed): not part of the fits.
read -r _ rss_idle fd_idle threads_idle < <(sample "$EMU_PID" "$T0") || die "the server is gone"

WAL=$(size_of "$DATA/catalog.db-wal")
DB=$(size_of "$DATA/catalog.db")
FILES=$(find "$DATA/store" -mindepth 2 -type f -not -path "$DATA/store/tmp/*" | wc -l)
STORE_KIB=$(du -sk "$DATA/store" | cut -f1)

# -------------------------------------------------------------- report --

non200=$(field non200)
sockerr=0
for k in errors_connect errors_read errors_write errors_timeout; do
    sockerr=$((sockerr + $(field "$k")))
done
printf 'requests: %s in %ss, %s req/s; latency p50 %.2f ms, p99 %.2f ms, max %.1f ms\n' \
    "$(field requests)" "$SECS" "$(field rps)" \
    "$(awk -v u="$(field p50_us)" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$(field p99_us)" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$(field max_us)" 'BEGIN { print u / 1000 }')"
printf 'sent:'
for k in copy render delete rename image get search upload; do
    printf ' %s %s' "$k" "$(field "sent_$k")"
done
echo
echo "errors: $non200 non-200 replies; $sockerr socket errors (connect $(field errors_connect), read $(field errors_read), write $(field errors_write), timeout $(field errors_timeout))"
if grep -q '^BENCH sample_body' "$WORK/wrk.txt"; then
    echo "sample non-200 reply:"
    awk '$1 == "BENCH" && ($2 == "sample_status" || $2 == "sample_body")' "$WORK/wrk.txt"
fi

read -r _ rss0 fd0 threads0 < <(head -n 1 "$WORK/samples.txt")
read -r _ rss1 fd1 threads1 < <(tail -n 1 "$WORK/samples.txt")
rss_max=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$WORK/samples.txt")
rss_slope=$(slope 2 1024 "$WARMUP")
fd_slope=$(slope 3 1 "$WARMUP")
samples=$(wc -l <"$WORK/samples.txt")
after=$(awk -v from="$WARMUP" '$1 >= from' "$WORK/samples.txt" | wc -l)
echo "RSS: $(mib "$rss0") MiB at start, $(mib "$rss1") MiB at the last sample under load, $(mib "$rss_max") MiB at most, $(mib "$rss_idle") MiB once the load stopped; slope $rss_slope MiB/min (goal <= $GOAL_RSS_SLOPE_MIB)"
echo "fds: $fd0 at start, $fd1 at the last sample under load, $fd_idle once the load stopped; slope $fd_slope per minute"
echo "threads: $threads0 at start, $threads1 at the last sample under load, $threads_idle once the load stopped"
echo "samples: $samples ($after after the warm-up)"
echo "at the end: WAL $WAL bytes, catalog.db $DB bytes, store $FILES files ($STORE_KIB KiB)"
echo "server log, wrk report and samples: $WORK"

failed=""
[[ $non200 -eq 0 && $sockerr -eq 0 ]] || failed="errors"
if [[ $rss_slope == nan ]] || awk -v s="$rss_slope" -v g="$GOAL_RSS_SLOPE_MIB" 'BEGIN { exit !(s > g) }'; then
    failed="${failed:+$failed and }RSS slope"
fi
if [[ -n $failed ]]; then
    echo "verdict: FAIL ($failed)"
    exit 1
fi
echo "verdict: PASS"
