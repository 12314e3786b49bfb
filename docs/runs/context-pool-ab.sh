#!/usr/bin/env bash
# docs/performance.md, "Contexts from a pool, and a registration without its look-up" (issue 15): two builds side by side,
# each measured by
#   BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20
# (its own registry each time: 60 s of warm-up, 20 s of registrations by 16 clients with every process's CPU sampled, then
# 10,000 rows imported, compared with COPY, and 10,000 more with the CPU sampled), alternating before/after, round after round.
#   [ROUNDS=N] bash docs/runs/context-pool-ab.sh BEFORE_DIR AFTER_DIR   (two built clones, e.g. of b6bfb3e and of this change; 2 rounds unless ROUNDS says)
set -euo pipefail
before=${1:?a built clone of the build before}
after=${2:?a built clone of the build after}
for round in $(seq 1 "${ROUNDS:-2}"); do
  for side in before after; do
    dir=$before; [ "$side" = after ] && dir=$after
    echo "=== round $round, $side ($(cd "$dir" && git log --oneline -1 | cut -c1-7)), $(date -u +%H:%M:%S) ==="
    (cd "$dir" && BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 2>&1)
  done
done
