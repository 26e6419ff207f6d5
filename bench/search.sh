#!/usr/bin/env bash
# Search benchmark: searchAssetsByMetadata on a catalog of 100,000 assets,
# printed beside a getAssetsByName baseline measured in the same run.
#
#   bash bench/search.sh
#   ASSETS=20000 SAMPLES=200 bash bench/search.sh
#
# A fresh release emulator keeps its catalog on disk (SQLite, as by default)
# in a temp directory; bench/search.py fills it through the API (copyImage,
# then batchSetAssetMetadata: a photographer of 50 and a rating of 5 per
# copy) and times each kind of request SAMPLES times, the kinds interleaved.
# Ratios, not absolute times, are the result: the machines are shared.
# Exit status: 0 done, 1 a reply was wrong, 2 the benchmark could not run.

set -euo pipefail

ASSETS=${ASSETS:-100000}
SAMPLES=${SAMPLES:-300}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$TARGET_DIR/release/ips-emulator"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ips-search-bench.XXXXXX")

die() {
    echo "search.sh: $*" >&2
    exit 2
}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

EMU_PID=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    stop_pid "$EMU_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
(cd "$ROOT" && cargo build --release --quiet) || die "release build failed"

PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
EMU_PID=$!
wait_ready "$EMU_PID" "http://127.0.0.1:$PORT/_emulator/health" || die "the emulator did not start (see $WORK/server.log)"

python3 "$ROOT/bench/search.py" "http://127.0.0.1:$PORT" "$ASSETS" "$SAMPLES"
