#!/usr/bin/env bash
# Outbox bundles against one message an event (issue 15, nineteenth increment), on one built clone, interleaved:
#   bash docs/runs/outbox-bundles-ab.sh OUT_DIR [ROUNDS]
# "single" runs the services with Messaging__Outbox__BundleLimit=1 (tools/stack.sh passes the environment on);
# "bundled" with the repository's default. Each run: tools/bench.sh's registration profile and two imports of 10,000 rows.
set -euo pipefail
out=${1:?output directory}; rounds=${2:-2}
mkdir -p "$out"
cd "$(dirname "$0")/../.."
for r in $(seq 1 "$rounds"); do
  for v in single bundled; do
    (
      if [ "$v" = single ]; then export Messaging__Outbox__BundleLimit=1; fi
      BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 > "$out/$v-$r.txt" 2>&1
    )
    echo "$(date +%T) $v round $r"
  done
done
