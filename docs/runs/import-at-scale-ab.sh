#!/usr/bin/env bash
# docs/performance.md, "Scoring only what can reach the threshold": intake's CPU per imported row on one registry
# grown by the bulk path, two builds taking turns (A B, then B A, ...) so that the registry's growth between runs does not
# favour either (each run adds ROWS cases, and the cost per row grows with the registry). Each run restarts the stack on the kept databases and imports ROWS more rows.
#   bash docs/runs/import-at-scale-ab.sh A_CLONE B_CLONE [PRELOAD] [ROWS] [ROUNDS]
# A_CLONE and B_CLONE are built clones (dotnet build -c Release); the preload runs with A's build.
set -euo pipefail
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd) preload=${3:-100000} rows=${4:-20000} rounds=${5:-2}
name=abscale
load() { # $1 clone, $2 target size
  dotnet "$1/tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll" --gateway "$STACK_GATEWAY" --warmup 0 --duration 0 \
    --floor-duration 0 --read-duration 0 --search-duration 0 --clients 16 --preload "$2" --preload-bulk \
    --import-batch 1000 --import-parallel 2 --drain-timeout 900 | grep -E '^(preload |ZERO LOSS|FAILED)'
}
cases() { PGPASSWORD=$STACK_PASSWORD psql -X -h "$STACK_PG_HOST" -p "$STACK_PG_PORT" -U "$STACK_USER" -d "${name}_intake" -Atc 'select count(*) from cases'; }
# CPU seconds of each process of the stack (as tools/bench.sh reads them): the services, the PostgreSQL backends of
# each service's database (pooled: they live through a run), RabbitMQ.
tick=$(getconf CLK_TCK)
cpu_of() { (( $# )) && cat "${@/#//proc/}" 2>/dev/null | awk -v t="$tick" '{ s += ($14 + $15) / t } END { printf "%.2f", s }' || echo 0; }
pids_of_db() { ps -eo pid,args | awk -v db="$1" '$2 == "postgres:" { for (i = 3; i <= NF; i++) if ($i == db) { print $1 "/stat"; break } }'; }
snapshot() {
  local s
  for s in gateway intake custody medical identity; do echo "$s $(cpu_of "$(cat "$STACK_LOGS/$s.pid")/stat")"; done
  # shellcheck disable=SC2046
  for s in intake custody medical; do echo "postgres:$s $(cpu_of $(pids_of_db "${name}_$s"))"; done
  # shellcheck disable=SC2046
  echo "rabbitmq $(cpu_of $(pgrep -x beam.smp | sed 's|$|/stat|'))"
}

source "$a/tools/stack.sh"
stack_up "$name"
echo "== preload to $preload cases with $(basename "$a")'s build"
start=$(date +%s)
load "$a" "$preload"
echo "preload took $(( $(date +%s) - start )) s"
STACK_KEEP=1 stack_down

for round in $(seq "$rounds"); do
  order=("$a" "$b")
  (( round % 2 == 0 )) && order=("$b" "$a")
  for clone in "${order[@]}"; do
    source "$clone/tools/stack.sh"
    STACK_REUSE=1 stack_up "$name" >/dev/null
    size=$(cases)
    echo "== round $round, $(basename "$clone") ($(git -C "$clone" describe --always --dirty)): from $size cases, $rows rows"
    before=$(snapshot) s0=$(date +%s.%N)
    load "$clone" $(( size + rows ))
    after=$(snapshot) s1=$(date +%s.%N)
    echo "  $rows rows in $(echo "$s1 - $s0" | bc) s (until custody and medical hold them all); CPU-ms per imported row:"
    paste <(echo "$before") <(echo "$after") | awk -v n="$rows" '{ d = 1000 * ($4 - $2) / n; t += d; printf "    %-17s %6.2f\n", $1, d }
      END { printf "    %-17s %6.2f (the reconciliation'"'"'s queries included; rabbitmq is the whole node)\n", "total", t }'
    STACK_KEEP=1 stack_down
  done
done
source "$a/tools/stack.sh"
STACK_REUSE=1 stack_up "$name" >/dev/null
stack_down
