#!/usr/bin/env bash
# docs/performance.md, "Contexts from a pool, a registration without its look-up, a sequencer planned once" (issue 15): the
# builds before (b6bfb3e) and after (d4c4ea7), rounds of tools/bench-ab.sh (BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000
# bash tools/bench.sh 16 20 on each, alternating); the measured run took three.
#   [ROUNDS=N] bash docs/runs/context-pool-ab.sh BEFORE_DIR AFTER_DIR   (two built clones; 2 rounds unless ROUNDS says)
set -euo pipefail
exec bash "$(dirname "$0")/../../tools/bench-ab.sh" "$@"
