#!/usr/bin/env bash
# docs/performance.md, "Index-only scans need the visibility map" (issue 15): the mechanism alone, on one registry and one build.
#   bash docs/runs/visibility-window.sh [SIZE] [TAIL]      (SIZE 100000 cases filled by ImportCaptures, then VACUUM; TAIL 20000)
# Autovacuum is turned off on `cases`, TAIL more cases are imported (the frequency window is the latest 20,000 cases), and
# registrations by one client run for 20 s: duplicate detection's mean time (intake's registry.intake.duplicates.duration,
# scope registration, from /metrics), the share of `cases` pages all-visible (pg_visibility_map_summary is not needed:
# VACUUM's relallvisible). Then VACUUM cases, and the same 20 s again. The only difference between the two is the visibility map.
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-100000} tail=${2:-20000}
load="dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll"
eval "$(bash deploy/local-servers.sh 2>/dev/null)"
# shellcheck source=tools/stack.sh
source tools/stack.sh
sql() { PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${STACK_NAME}_intake" -Atc "$1"; }
duplicates() {
  curl -s "http://127.0.0.1:${STACK_HTTP[intake]}/metrics" | awk '/^registry_intake_duplicates_duration_seconds_(sum|count)\{/ && /registration/ {
    if ($1 ~ /_sum/) s = $2; else c = $2 } END { printf "%s %s", s + 0, c + 0 }'; }
measure() { # LABEL
  local d0 d1 out
  d0=$(duplicates)
  out=$($load --gateway "$STACK_GATEWAY" --clients 1 --warmup 0 --duration 20 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile)
  d1=$(duplicates)
  echo "== $1"
  grep -E '^register ' <<<"$out"
  awk -v d0="$d0" -v d1="$d1" 'BEGIN { split(d0, a, " "); split(d1, b, " ")
    printf "  duplicate detection %.2f ms a registration (mean of %d)\n", 1000 * (b[1] - a[1]) / (b[2] - a[2]), b[2] - a[2] }'
}
import() { # ROWS
  $load --gateway "$STACK_GATEWAY" --clients 16 --warmup 0 --duration 0 --floor-duration 0 --read-duration 0 --search-duration 0 \
    --preload "$1" --preload-bulk --import-batch 1000 --import-parallel 2 | grep -E '^preload |ZERO LOSS|FAILED'
}
echo "$(date -u '+%F %H:%M UTC'), $(git log -1 --format=%h), load average $(cut -d' ' -f1-3 /proc/loadavg)"
stack_up "vis$RANDOM" >/dev/null 2>&1
trap 'stack_down >/dev/null 2>&1' EXIT
import "$size"
sql 'VACUUM cases' >/dev/null
sql 'ALTER TABLE cases SET (autovacuum_enabled = off)' >/dev/null
import $(( size + tail ))
$load --gateway "$STACK_GATEWAY" --clients 4 --warmup 0 --duration 10 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile >/dev/null
echo "  cases: $(sql 'SELECT count(*) FROM cases') rows; all-visible $(sql "SELECT relallvisible || ' of ' || relpages FROM pg_class WHERE relname = 'cases'") pages as of the VACUUM before the last $tail"
measure "the latest $tail cases never vacuumed (as autovacuum's defaults leave them between its visits)"
sql 'VACUUM cases' >/dev/null
echo "  cases: $(sql 'SELECT count(*) FROM cases') rows; all-visible $(sql "SELECT relallvisible || ' of ' || relpages FROM pg_class WHERE relname = 'cases'") pages"
measure "the same registry after VACUUM cases"
