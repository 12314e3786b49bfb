#!/usr/bin/env bash
# tools/bench-ab.sh — two builds measured side by side, alternating, so that the machine's noise falls on both alike: each
# round runs, on each build in turn (BEFORE first), its own registry with
#   BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20
# (60 s of warm-up, 20 s of registrations by 16 clients with every process's CPU sampled, then 10,000 rows imported,
# compared with COPY, and 10,000 more with the CPU sampled). The A/Bs of docs/performance.md (docs/runs/*-ab.sh) call it.
#   [ROUNDS=N] bash tools/bench-ab.sh BEFORE_DIR AFTER_DIR    (two built clones, `dotnet build -c Release`; 2 rounds by default)
# Anything exported reaches bench.sh and the services, as there. Each clone runs its own tools/bench.sh: compare clones whose
# bench.sh count alike (from b9921bf on it counts the PostgreSQL server's own processes, postgres:server; before, it did not).
# Build both from fresh clones (docs/performance.md, thirty-fourth increment: a clone rebuilt in place ran slower than a
# fresh clone of the same commit), and run an A/A control (the same commit on both sides) to see the machine's spread.
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
