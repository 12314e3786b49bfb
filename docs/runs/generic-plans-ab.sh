#!/usr/bin/env bash
# docs/performance.md, "Planned once per session" (issue 15): two builds side by side, each measured by
#   BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20
# (its own registry each time: 60 s of warm-up, 20 s of registrations by 16 clients with every process's CPU sampled, then
# 10,000 rows imported, compared with COPY, and 10,000 more with the CPU sampled), alternating before/after, twice.
#   bash docs/runs/generic-plans-ab.sh BEFORE_DIR AFTER_DIR      (two built clones, e.g. of 36fe874 and of this change)
set -euo pipefail
before=${1:?a built clone of the build before}
after=${2:?a built clone of the build after}
for round in 1 2; do
  for side in before after; do
    dir=$before; [ "$side" = after ] && dir=$after
    echo "=== round $round, $side ($(cd "$dir" && git log --oneline -1 | cut -c1-7)), $(date -u +%H:%M:%S) ==="
    (cd "$dir" && BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 2>&1)
  done
done
