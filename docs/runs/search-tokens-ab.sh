#!/usr/bin/env bash
# Run on 3 December 2026: BEFORE 2efc6c4; AFTER 5315aa0 with fuzzy searches sent to the planner after the dictionary look-up
# (the variant "after, planner" of docs/performance.md). Output: docs/runs/search-tokens-ab.txt (with the warm-up) and
# search-tokens-ab-nowarm.txt (an earlier run of the same pair without it).
# docs/performance.md, "The fuzzy stage from a dictionary of tokens": name search on one registry, first with a build without
# the dictionary, then with a build that has it (its migration builds the dictionary, the token column and index on start).
#   bash docs/runs/search-tokens-ab.sh BEFORE_CLONE AFTER_CLONE [SIZE]     (SIZE: 200000 cases, filled by ImportCaptures)
# Each clone built (dotnet build Registry.sln -c Release). For each build: a warm-up of 20 s of searches by 4 clients (not
# reported: the services' code is compiled on first use), SearchCases by one client for 30 s, then by 16 clients for 30 s (the load generator's mix of queries; it prints a line per kind), then the size of the intake database.
set -euo pipefail
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd) size=${3:-200000}
name="tok$RANDOM"
export STACK_LOGS=/tmp/$name
eval "$(bash "$after/deploy/local-servers.sh" 2>/dev/null)"
search() { # CLONE CLIENTS
  dotnet "$1/tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll" --gateway "$STACK_GATEWAY" --clients "$2" --warmup 0 --duration 0 \
    --floor-duration 0 --read-duration 0 --search-duration 30 --no-reconcile | grep -E '^search |^ {10,}[A-Za-z]' || true
}
# shellcheck source=tools/stack.sh
source "$before/tools/stack.sh"
STACK_KEEP=1 stack_up "$name" >/dev/null 2>&1
echo "== before ($(git -C "$before" log -1 --format=%h)): filling $size cases"
dotnet "$before/tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll" --gateway "$STACK_GATEWAY" --clients 16 --warmup 0 --duration 0 \
  --floor-duration 0 --read-duration 0 --search-duration 0 --preload "$size" --preload-bulk --import-batch 1000 --import-parallel 2 \
  | grep -E '^preload |ZERO LOSS|FAILED'
PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${name}_intake" -qc 'VACUUM ANALYZE cases'
search "$before" 4 >/dev/null
echo "== before, one client"; search "$before" 1
echo "== before, 16 clients"; search "$before" 16
PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${name}_intake" -Atc "SELECT 'intake database: ' || pg_size_pretty(pg_database_size(current_database())) || ', ' || pg_database_size(current_database()) / (SELECT count(*) FROM cases) || ' bytes a case'"
STACK_KEEP=1 stack_down >/dev/null 2>&1
# shellcheck source=tools/stack.sh
source "$after/tools/stack.sh"
started=$(date +%s)
STACK_REUSE=1 stack_up "$name" >/dev/null 2>&1
echo "== after ($(git -C "$after" log -1 --format=%h)): started on the same registry in $(( $(date +%s) - started )) s (the migration included)"
PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${name}_intake" -qc 'VACUUM ANALYZE cases'
search "$after" 4 >/dev/null
echo "== after, one client"; search "$after" 1
echo "== after, 16 clients"; search "$after" 16
PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${name}_intake" -Atc "SELECT 'intake database: ' || pg_size_pretty(pg_database_size(current_database())) || ', ' || pg_database_size(current_database()) / (SELECT count(*) FROM cases) || ' bytes a case; dictionary: ' || (SELECT count(*) FROM search_tokens) || ' tokens, ' || pg_size_pretty((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'search_tokens'::regclass)) || '; token index: ' || pg_size_pretty(pg_relation_size('ix_cases_search_tokens'))"
stack_down >/dev/null 2>&1
