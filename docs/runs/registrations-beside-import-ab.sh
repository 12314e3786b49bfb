#!/usr/bin/env bash
# docs/performance.md, "Registrations beside an import" (issue 15, twenty-fourth increment): what a long import does to the
# registrations that come while it runs, two builds taking turns (A B, then B A, ...) on a registry of their own each round.
# Each run: tools/stack.sh's stack; 15 s of registrations and an import of 2,000 rows to warm up; then CLIENTS clients
# register for SECONDS alone; ROWS rows are imported alone (calls of 500 rows, two in flight); then the clients register
# again while ROWS more rows are imported beside them (started 2 s before the registrations). Printed: the registrations'
# rate and latency alone and beside the import, the import's rate alone and beside them.
#   bash docs/runs/registrations-beside-import-ab.sh A_CLONE B_CLONE [ROUNDS] [CLIENTS] [SECONDS] [ROWS]
# A_CLONE and B_CLONE are built clones (dotnet build -c Release).
set -euo pipefail
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd) rounds=${3:-2} clients=${4:-12} seconds=${5:-20} rows=${6:-12000}
if [ -z "${REGISTRY_TEST_POSTGRES:-}" ]; then
  eval "$(bash "$a/deploy/local-servers.sh")"
fi
quiet=(--warmup 0 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile)
load() { # $1 clone, then Registry.Load's options
  local clone=$1; shift
  dotnet "$clone/tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll" --gateway "$STACK_GATEWAY" "${quiet[@]}" "$@"
}
for round in $(seq "$rounds"); do
  order=("$a" "$b")
  (( round % 2 == 0 )) && order=("$b" "$a")
  for clone in "${order[@]}"; do
    # shellcheck source=tools/stack.sh
    source "$clone/tools/stack.sh"
    stack_up "beside_$$_$round" >/dev/null
    trap 'stack_down >/dev/null' EXIT
    echo "== round $round, $(basename "$clone") ($(git -C "$clone" describe --always --dirty)), $(date -u +%H:%M:%S) UTC"
    load "$clone" --clients "$clients" --duration 15 --import 2000 --import-batch 500 --import-parallel 2 >/dev/null
    printf '  alone:  '; load "$clone" --clients "$clients" --duration "$seconds" | grep -E '^register ' | sed 's/^register *//'
    printf '  import alone: '; load "$clone" --clients 2 --duration 0 --import "$rows" --import-batch 500 --import-parallel 2 --no-copy | grep -E '^import ' | sed 's/^import *//'
    load "$clone" --clients 2 --duration 0 --import "$rows" --import-batch 500 --import-parallel 2 --no-copy > "/tmp/beside_$$.import" &
    importing=$!
    sleep 2
    printf '  beside: '; load "$clone" --clients "$clients" --duration "$seconds" | grep -E '^register ' | sed 's/^register *//'
    wait "$importing"
    printf '  import beside: '; grep -E '^import ' "/tmp/beside_$$.import" | sed 's/^import *//'
    stack_down >/dev/null
    trap - EXIT
  done
done
rm -f "/tmp/beside_$$.import"
