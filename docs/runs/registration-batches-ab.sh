#!/usr/bin/env bash
# Registrations committed together against one transaction a call (issue 15, twentieth increment), on one built clone, interleaved:
#   bash docs/runs/registration-batches-ab.sh OUT_DIR [ROUNDS]
# "single" runs intake with Intake__Registration__BatchLimit=1 (tools/stack.sh passes the environment on); "batched" with the
# repository's defaults (BatchLimit 32, Concurrency 1); "batched2" with Intake__Registration__Concurrency=2. Each run:
# tools/bench.sh's registration profile, then registrations paced at half its rate for 60 s (propagation), then two imports of
# 10,000 rows.
set -euo pipefail
out=${1:?output directory}; rounds=${2:-2}
mkdir -p "$out"
cd "$(dirname "$0")/../.."
for r in $(seq 1 "$rounds"); do
  for v in single batched batched2; do
    (
      if [ "$v" = single ]; then export Intake__Registration__BatchLimit=1; fi
      if [ "$v" = batched2 ]; then export Intake__Registration__Concurrency=2; fi
      BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 BENCH_HALF_RATE=1 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 > "$out/$v-$r.txt" 2>&1
    )
    echo "$(date +%T) $v round $r"
  done
done
