#!/usr/bin/env bash
# docs/performance.md, thirty-fifth increment: what TLS to a PostgreSQL on the same host costs a registration. The same build,
# alternating: the benchmark stack's default (tools/stack.sh names no SSL Mode: Npgsql's Prefer against the Debian server's
# ssl = on, so TLS) and SSL Mode=Disable (STACK_PG_EXTRA, tools/stack.sh), two rounds, each
# BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20. During each run's registration
# profile the script counts the stack's encrypted sessions (pg_stat_ssl), so the output says which setting was in effect.
# Usage: sudo bash docs/runs/tls-ab.sh (in a built clone: dotnet build Registry.sln -c Release)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in 1 2; do
  for variant in tls plain; do
    echo "=== round $round: $variant ($(date -u +%T) UTC)"
    if [ "$variant" = plain ]; then export STACK_PG_EXTRA="SSL Mode=Disable"; else unset STACK_PG_EXTRA; fi
    BENCH_SETTLE=5 BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 > "$out" 2>&1 &
    bench=$!
    while kill -0 "$bench" 2>/dev/null && ! grep -q "== registrations only" "$out"; do sleep 0.5; done
    PGPASSWORD=registry psql -X -q -A -t -h 127.0.0.1 -U registry -d postgres -c "SELECT 'sessions of the stack encrypted: '
      || count(*) FILTER (WHERE s.ssl) || ' of ' || count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
      WHERE a.datname LIKE 'bench\_%'" || echo "pg_stat_ssl could not be read"
    if ! wait "$bench"; then echo "tools/bench.sh failed; its output:"; cat "$out"; exit 1; fi
    grep -E "^register|CPU-ms per|^import|COPY:|committed them" "$out"
  done
done
