#!/usr/bin/env bash
# docs/performance.md, "A million cases": issue 15's million-case figures on this machine's local servers, from a built
# clone (dotnet build Registry.sln -c Release). Each step can be run again on its own; the registry is kept (databases
# million_*, vhost million, development clients in .data/stack/million) until `STACK_NAME=million ... stack_down` drops it.
#   bash docs/runs/million.sh [preload|storage|profile|reads|search1|import|all]      (all: every step in this order)
#  1. preload  a fresh stack filled to 1,000,000 cases through ImportCaptures (1,000-row calls, two in flight), reconciled,
#              with the CPU of every process sampled each minute (refused when million_* exists, unless MILLION_FRESH=1)
#  2. storage  pg_database_size of each service's database, its largest tables (with indexes), bytes per case
#  3. profile  tools/bench.sh on the kept registry: 60 s warm-up, then 20 s of registrations by 16 clients with the CPU of
#              every process: CPU-ms per registration at a million cases
#  4. reads    registrations (30 s, 16 clients) with intake's duplicate-detection histogram read by dotnet-counters, then
#              case-file reads (30 s) and search (30 s) by 16 clients, reconciled
#  5. search1  one client: registrations (30 s, duplicate detection read as in 4), case-file reads (20 s), search (30 s)
#  6. import   20,000 rows into the full registry, compared with COPY into tables prefilled with the other million
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=("${@:-all}")
[[ ${steps[0]} == all ]] && steps=(preload storage profile reads search1 import)
load="dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll"
# dotnet-counters (dotnet tool install -g dotnet-counters) reads intake's duplicate-detection histogram in step 4.
export PATH="$PATH:$HOME/.dotnet/tools"
name=million
exports=$(bash deploy/local-servers.sh 2>/dev/null)
eval "$exports"
# shellcheck source=tools/stack.sh
source tools/stack.sh
up() { STACK_REUSE=1 stack_up "$name"; }
down() { STACK_KEEP=1 stack_down; }
# A step that fails half-way (the load generator's exit code 1 on a loss) still stops the services, keeping the registry.
trap 'down >/dev/null 2>&1 || true' EXIT
psql_db() { PGPASSWORD=$STACK_PASSWORD psql -X -h "$STACK_PG_HOST" -p "$STACK_PG_PORT" -U "$STACK_USER" -d "${name}_$1" -Atc "$2"; }

# measured FILE LOAD-ARGS...: the load generator (no floor) while dotnet-counters reads intake's duplicate-detection
# histogram into $STACK_LOGS/FILE (p50/p95/p99 every 10 s), then the histogram's lines.
measured() {
  local file=$STACK_LOGS/$1 counters
  shift
  dotnet-counters collect -p "$(cat "$STACK_LOGS/intake.pid")" --counters Registry --refresh-interval 10 \
    --format csv -o "$file" --duration 00:00:50 >/dev/null &
  counters=$!
  $load --gateway "$STACK_GATEWAY" --floor-duration 0 --drain-timeout 600 "$@"
  wait "$counters" || true
  grep 'duplicates.duration' "$file" || echo "no duplicate-detection measurements in $file"
}

# sample_cpu: every 60 s the registry's size and the CPU seconds (user + system, since each process started) of the
# services, of the live PostgreSQL backends of each service's database (parallel workers and backends that ended are not
# seen) and of RabbitMQ: CPU per imported row by process as the registry grows.
tick=$(getconf CLK_TCK)
cpu_of() { (( $# )) && cat "${@/#//proc/}" 2>/dev/null | awk -v t="$tick" '{ s += ($14 + $15) / t } END { printf "%.1f", s }' || echo 0; }
sample_cpu() {
  local s line db
  while true; do
    line="$(date -u +%T) cases=$(psql_db intake 'SELECT coalesce(max("Number"), 0) FROM cases')"
    for s in gateway intake custody medical identity; do line+=" $s=$(cpu_of "$(cat "$STACK_LOGS/$s.pid")/stat")"; done
    for db in intake custody medical; do
      # shellcheck disable=SC2046
      line+=" pg_$db=$(cpu_of $(ps -eo pid,args | awk -v d="${name}_$db" '$2 == "postgres:" { for (i = 3; i <= NF; i++) if ($i == d) { print $1 "/stat"; break } }'))"
    done
    # shellcheck disable=SC2046
    echo "$line rabbit=$(cpu_of $(pgrep -x beam.smp | sed 's|$|/stat|'))"
    sleep 60
  done
}

for step in "${steps[@]}"; do
  echo "== $step ($(date -u +%FT%TZ))"
  case $step in
    preload)
      # A new registry: stack_up drops million_* first. An hour's preload is not thrown away by a rerun of "all".
      if [[ $(stack_psql "SELECT 1 FROM pg_database WHERE datname = '${name}_intake'") == 1 && ${MILLION_FRESH:-0} != 1 ]]; then
        echo "the registry ${name}_* exists: MILLION_FRESH=1 to drop it and preload again, or name the other steps"; exit 2
      fi
      stack_up "$name"
      sample_cpu > "$STACK_LOGS/preload-cpu.txt" &
      sampler=$!
      start=$(date +%s)
      $load --gateway "$STACK_GATEWAY" --warmup 0 --duration 0 --floor-duration 0 --read-duration 0 --search-duration 0 \
        --preload 1000000 --preload-bulk --import-batch 1000 --import-parallel 2 --drain-timeout 1800
      echo "preload took $(( $(date +%s) - start )) s; CPU seconds of each process every minute:"
      kill "$sampler"
      cat "$STACK_LOGS/preload-cpu.txt"
      down ;;
    storage)
      cases=$(psql_db intake 'SELECT count(*) FROM cases')
      (( cases > 0 )) || { echo "the registry is empty: run the preload step"; exit 2; }
      for db in intake custody medical; do
        # The row counts below are the planner's, made fresh; the catalogues a role that is not a superuser may not
        # analyse are skipped with a warning each, left out here.
        psql_db "$db" 'ANALYZE' 2> >(grep -v '^WARNING:  skipping' >&2)
        size=$(psql_db "$db" 'SELECT pg_database_size(current_database())')
        echo "$db: $(( size / 1048576 )) MB, $(( size / cases )) bytes per case ($cases cases)"
        psql_db "$db" "SELECT format('  %-28s %8s MB total, %8s MB indexes, %6s rows', c.relname,
            pg_total_relation_size(c.oid) / 1048576, pg_indexes_size(c.oid) / 1048576, c.reltuples::bigint)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8"
      done ;;
    profile)
      BENCH_STACK=$name BENCH_FULL=0 BENCH_WARMUP=60 bash tools/bench.sh 16 20 ;;
    reads)
      up
      # 16 clients: registrations, case files and search, reconciled.
      measured duplicates.csv --clients 16 --warmup 10 --duration 30 --read-duration 30 --search-duration 30
      down ;;
    search1)
      up
      measured duplicates1.csv --clients 1 --warmup 5 --duration 30 --read-duration 20 --search-duration 30
      down ;;
    import)
      up
      $load --gateway "$STACK_GATEWAY" --warmup 0 --duration 0 --floor-duration 0 --read-duration 0 --search-duration 0 \
        --import 20000 --import-batch 1000 --import-parallel 2 --copy-prefill --drain-timeout 900
      down ;;
    *) echo "unknown step $step"; exit 2 ;;
  esac
done
