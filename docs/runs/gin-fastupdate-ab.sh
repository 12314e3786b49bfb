#!/usr/bin/env bash
# docs/performance.md, "INSERTs planned once per session, and the name indexes' pending list kept": the three GIN indexes
# of intake's cases (the two trigram indexes of name search and the syllables) with their pending list (the repository's
# setting: fastupdate on, gin_pending_list_limit 64 kB) against fastupdate = off, on one build, interleaved. Each run gets
# a fresh stack (STACK_KEEP=1 stack_up, then the indexes altered by hand), then the bench on it (BENCH_STACK).
# Usage (as root, from the repository, built): bash docs/runs/gin-fastupdate-ab.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
eval "$(bash deploy/local-servers.sh 2>/dev/null)"
# shellcheck source=tools/stack.sh
source tools/stack.sh
run() { # variant (on|off) round
  local name="fu_$1_$2"
  ( STACK_KEEP=1 stack_up "$name" >/dev/null 2>&1; STACK_KEEP=1 stack_down >/dev/null 2>&1 )
  if [ "$1" = off ]; then
    for ix in ix_cases_search_text_trgm ix_cases_search_key_trgm ix_cases_search_syllables; do
      su postgres -c "psql -qd ${name}_intake -c 'ALTER INDEX \"$ix\" SET (fastupdate = off)'"
    done
  fi
  su postgres -c "psql -Atd ${name}_intake -c \"SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'ix_cases_search%'\""
  echo "=== $1 round $2 $(date -u +%H:%M:%S)"
  BENCH_STACK="$name" BENCH_FULL=0 BENCH_WARMUP=60 BENCH_IMPORT=10000 bash tools/bench.sh 16 20 2>&1 | grep -v "^\[stack"
  ( STACK_NAME="$name" stack_down >/dev/null 2>&1 )
}
run on 1; run off 1; run off 2; run on 2
