#!/usr/bin/env bash
# docs/runs/registration-committers-ab.sh: one built clone (9e79b3e, at /tmp/abB), the committer count: default (1) against Intake__Registration__Concurrency=2, interleaved.
set -euo pipefail
cd /tmp/abB
for r in 1 2; do
  for v in c2 c1; do
    (
      if [ "$v" = c2 ]; then export Intake__Registration__Concurrency=2; fi
      echo "=== round $r, $v, $(date +%T) ==="
      BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 bash tools/bench.sh 16 20 2>&1
    )
  done
done
