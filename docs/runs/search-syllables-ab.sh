#!/usr/bin/env bash
# docs/performance.md, "Words of one or two syllables": name search on one registry, first with a build without the
# syllable index, then with a build that has it (its migration adds the column and index on start).
#   bash docs/runs/search-syllables-ab.sh BEFORE_CLONE AFTER_CLONE [SIZE]     (SIZE: 200000 cases, filled by ImportCaptures)
# Each clone built (dotnet build Registry.sln -c Release). For each build: SearchCases by one client for 30 s, then by 16
# clients for 30 s (the load generator's mix of queries; it prints a line per kind, "the original script" among them).
set -euo pipefail
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd) size=${3:-200000}
name="syl$RANDOM"
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
echo "== before, one client"; search "$before" 1
echo "== before, 16 clients"; search "$before" 16
STACK_KEEP=1 stack_down >/dev/null 2>&1
# shellcheck source=tools/stack.sh
source "$after/tools/stack.sh"
started=$(date +%s)
STACK_REUSE=1 stack_up "$name" >/dev/null 2>&1
echo "== after ($(git -C "$after" log -1 --format=%h)): started on the same registry in $(( $(date +%s) - started )) s (the migration included)"
PGPASSWORD=registry psql -X -h 127.0.0.1 -U registry -d "${name}_intake" -qc 'VACUUM ANALYZE cases'
echo "== after, one client"; search "$after" 1
echo "== after, 16 clients"; search "$after" 16
stack_down >/dev/null 2>&1
