#!/usr/bin/env bash
# Long fuzzing run: every target of scripts/fuzz for SECONDS_PER_TARGET
# (default 720, so about an hour for the five), without stopping at the
# first crash.
#
#   bash bench/fuzz.sh [SECONDS_PER_TARGET]
#
# Prints per target: executions, executions per second, corpus size (the
# inputs AFL kept for new coverage), crashes and hangs, then every finding
# as scripts/fuzz reports it. Findings stay in fuzz/out/<target>/default/.
# Exit status: that of scripts/fuzz (0 nothing found, 1 a finding, 2 the
# fuzzer could not run).

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_TARGET=${1:-720}

started=$(date +%s)
status=0
FUZZ_KEEP_GOING=1 "$ROOT/scripts/fuzz" "$SECONDS_PER_TARGET" || status=$?
echo "fuzz bench: $SECONDS_PER_TARGET s per target, $(($(date +%s) - started)) s in all, exit $status"
exit $status
