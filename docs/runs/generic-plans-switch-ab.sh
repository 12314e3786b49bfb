#!/usr/bin/env bash
# docs/performance.md, "Planned once per session" (issue 15): one build, the switch alone. Database__GenericPlansInWrites
# false (every statement planned for its values; the keys' null tests and the frequency window's constant bounds stay) and
# true (the default), alternating, twice, each measured by
#   BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20
# on a registry of its own.   bash docs/runs/generic-plans-switch-ab.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for round in 1 2; do
  for generic in false true; do
    echo "=== round $round, Database__GenericPlansInWrites=$generic ($(git log --oneline -1 | cut -c1-7)), $(date -u +%H:%M:%S) ==="
    Database__GenericPlansInWrites=$generic BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 2>&1 \
      | grep -v '^\[stack\|^\[local-servers\]'
  done
done
