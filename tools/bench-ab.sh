#!/usr/bin/env bash
# tools/bench-ab.sh — two builds measured side by side, alternating, so that the machine's noise falls on both alike: each
# round runs, on each build in turn (BEFORE first), its own registry with
#   BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20
# (60 s of warm-up, 20 s of registrations by 16 clients with every process's CPU sampled, then 10,000 rows imported,
# compared with COPY, and 10,000 more with the CPU sampled). The A/Bs of docs/performance.md (docs/runs/*-ab.sh) call it.
#   [ROUNDS=N] bash tools/bench-ab.sh BEFORE_DIR AFTER_DIR    (two built clones, `dotnet build -c Release`; 2 rounds by default)
# Anything exported reaches bench.sh and the services, as there.
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
