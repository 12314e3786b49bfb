#!/usr/bin/env bash
# docs/performance.md, "Index-only scans need the visibility map" (issue 15): registrations on two registries of the same size,
# one with the server's autovacuum defaults on `cases` (the storage parameters RESET: as before this change) and one as migrated
# (autovacuum after every 2,000 new cases). One build, run twice, one registry after the other, nothing else changed.
#   bash docs/runs/autovacuum-cases-ab.sh [SIZE]        (SIZE: 100000 cases, filled by ImportCaptures)
# For each: fill, a warm-up of 20 s of registrations by 16 clients, then 30 s of registrations by 16 clients with the CPU of
# intake and of its PostgreSQL backends sampled, duplicate detection's mean time (intake's registry.intake.duplicates.duration,
# scope registration, from /metrics) over the same 30 s; then 20 s of registrations by one client (duplicate detection's time
# without the wait for a core); and how much of `cases` the visibility map marks all-visible.
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-100000}
load="dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll"
eval "$(bash deploy/local-servers.sh 2>/dev/null)"
# shellcheck source=tools/stack.sh
source tools/stack.sh
tick=$(getconf CLK_TCK)
cpu_of() { cat "${@/#//proc/}" 2>/dev/null | awk -v t="$tick" '{ s += ($14 + $15) / t } END { printf "%.2f", s }'; }
pids_of_db() { ps -eo pid,args | awk -v db="$1" '$2 == "postgres:" { for (i = 3; i <= NF; i++) if ($i == db) { print $1 "/stat"; break } }'; }
sql() { PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${STACK_NAME}_intake" -Atc "$1"; }
duplicates() { # sum and count of duplicate detection's seconds for registrations, from intake's /metrics
  curl -s "http://127.0.0.1:${STACK_HTTP[intake]}/metrics" | awk '/^registry_intake_duplicates_duration_seconds_(sum|count)\{/ && /registration/ {
    if ($1 ~ /_sum/) s = $2; else c = $2 } END { printf "%s %s", s + 0, c + 0 }'; }
run() { # LABEL RESET(0|1)
  stack_up "vac$RANDOM" >/dev/null 2>&1
  if [[ $2 == 1 ]]; then sql 'ALTER TABLE cases RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor)' >/dev/null; fi
  echo "== $1: cases' options: $(sql "SELECT coalesce(array_to_string(reloptions, ', '), 'the server defaults') FROM pg_class WHERE relname = 'cases'")"
  $load --gateway "$STACK_GATEWAY" --clients 16 --warmup 0 --duration 0 --floor-duration 0 --read-duration 0 --search-duration 0 \
    --preload "$size" --preload-bulk --import-batch 1000 --import-parallel 2 | grep -E '^preload |ZERO LOSS|FAILED'
  $load --gateway "$STACK_GATEWAY" --clients 16 --warmup 0 --duration 20 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile >/dev/null
  local before_intake before_pg before_dup out after_intake after_pg after_dup registered
  before_intake=$(cpu_of "$(cat "$STACK_LOGS/intake.pid")/stat"); before_pg=$(cpu_of $(pids_of_db "${STACK_NAME}_intake")); before_dup=$(duplicates)
  out=$($load --gateway "$STACK_GATEWAY" --clients 16 --warmup 0 --duration 30 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile)
  after_intake=$(cpu_of "$(cat "$STACK_LOGS/intake.pid")/stat"); after_pg=$(cpu_of $(pids_of_db "${STACK_NAME}_intake")); after_dup=$(duplicates)
  registered=$(grep -oP 'registrations answered OK \K[0-9]+' <<<"$out")
  grep -E '^register ' <<<"$out"
  awk -v n="$registered" -v i0="$before_intake" -v i1="$after_intake" -v p0="$before_pg" -v p1="$after_pg" -v d0="$before_dup" -v d1="$after_dup" 'BEGIN {
    split(d0, a, " "); split(d1, b, " ")
    printf "  intake %.2f CPU-ms, its PostgreSQL %.2f CPU-ms per registration (%d registrations); duplicate detection %.2f ms a registration (mean of %d)\n",
      1000 * (i1 - i0) / n, 1000 * (p1 - p0) / n, n, 1000 * (b[1] - a[1]) / (b[2] - a[2]), b[2] - a[2] }'
  before_dup=$(duplicates)
  out=$($load --gateway "$STACK_GATEWAY" --clients 1 --warmup 0 --duration 20 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile)
  after_dup=$(duplicates)
  grep -E '^register ' <<<"$out" | sed 's/^register  /register 1c/'
  awk -v d0="$before_dup" -v d1="$after_dup" 'BEGIN { split(d0, a, " "); split(d1, b, " ")
    printf "  one client: duplicate detection %.2f ms a registration (mean of %d)\n", 1000 * (b[1] - a[1]) / (b[2] - a[2]), b[2] - a[2] }'
  echo "  cases: $(sql "SELECT count(*) FROM cases") rows; all-visible $(sql "SELECT relallvisible || ' of ' || relpages || ' pages' FROM pg_class WHERE relname = 'cases'") (as of the last vacuum or analyze); autovacuum ran $(sql "SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'cases'") times"
  stack_down >/dev/null 2>&1
}
echo "$(date -u '+%F %H:%M UTC'), $(git log -1 --format=%h), load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "before: the server's defaults" 1
run "after: autovacuum every 2,000 new cases" 0
