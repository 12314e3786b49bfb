#!/usr/bin/env bash
# docs/performance.md, "Planned once per session" (issue 15): the builds before (e.g. 36fe874) and after, two rounds of
# tools/bench-ab.sh (BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 on each, alternating).
#   bash docs/runs/generic-plans-ab.sh BEFORE_DIR AFTER_DIR      (two built clones)
set -euo pipefail
ROUNDS=2 exec bash "$(dirname "$0")/../../tools/bench-ab.sh" "$@"
