#!/usr/bin/env bash
# docs/performance.md, thirty-fifth increment: what TLS to a PostgreSQL on the same host costs a registration. The same build,
# alternating: the stack's default (Npgsql's SSL Mode=Prefer against the Debian server's ssl = on: TLS) and SSL Mode=Disable
# (STACK_PG_EXTRA, tools/stack.sh), two rounds, each BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20.
# Usage: bash docs/runs/tls-ab.sh (in a built clone)
set -uo pipefail
cd "$(dirname "$0")/../.."
for round in 1 2; do
  for variant in tls plain; do
    echo "=== round $round: $variant ($(date -u +%T) UTC)"
    if [ "$variant" = plain ]; then export STACK_PG_EXTRA="SSL Mode=Disable"; else unset STACK_PG_EXTRA; fi
    BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 2>&1 \
      | grep -E "^register|CPU-ms per|^import|COPY:|committed them"
  done
done
