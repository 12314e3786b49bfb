#!/usr/bin/env bash
# tools/bench.sh — the measured run behind docs/performance.md, on this machine's local servers:
#   1. the authorization server and the four services as processes on their own databases and vhost
#      (tools/stack.sh; the load generator gets its tokens there with the stack's development clients);
#   2. a warm-up (JIT, connection pools), then a registration-only run during which the CPU time of
#      every process involved is sampled (the services, each database's sessions, the rest of the PostgreSQL
#      server, RabbitMQ): CPU milliseconds per registration, by process — where a registration's time goes on a
#      machine where CPU is the scarce thing — and the machine's busy time beside it;
#   3. the full load generator run: floor, registrations, propagation lag, case-file reads, search,
#      reconciliation (exit code 1 on any loss).
# Usage: sudo bash tools/bench.sh [CLIENTS] [SECONDS]        (defaults 16 and 60; SECONDS is the full run's floor and
#        registration phases; the CPU profile is always 20 s of registrations, and the full run's reads 20 s)
# Environment: anything exported reaches the services (e.g. DOTNET_gcServer=0 to compare GC modes);
# BENCH_IDLE=S seconds after start before the idle resident memory is read (10); BENCH_FULL=0 stops after the CPU profile; BENCH_RESULT=FILE keeps the full run's summary;
# BENCH_WARMUP=S seconds of registrations before the profile (10; on a busy 2-core machine the JIT is
# still compiling after that: 60 gives steadier CPU figures); BENCH_SETTLE=S seconds of quiet between the warm-up and the
# profile (0), in which the tier-1 compilations the warm-up's last phase (case-file reads) queued can finish; BENCH_PRELOAD=N fills the registry to N
# cases through the gateway before the full run's search phase (docs/performance.md);
# BENCH_IMPORT=N adds the bulk path after the registration profile: N rows through ImportCaptures
# (BENCH_IMPORT_BATCH rows a call, 1000; BENCH_IMPORT_PARALLEL calls in flight, 2) compared with
# PostgreSQL COPY of the same rows into intake's schema, then N more rows with the CPU of every
# process sampled: CPU milliseconds per imported row, by process (the first import warms the path up);
# BENCH_HALF_RATE=1 adds, after the registration profile, registrations paced at half the rate it measured (the load generator's
# --rate) for BENCH_HALF_SECONDS (60), reconciled: the propagation lag at a sustained half of the maximum (issue 15: p99 < 250 ms);
# BENCH_STACK=NAME runs on the registry a `STACK_KEEP=1 stack_up NAME` left (tools/stack.sh: its databases and
# development clients, STACK_REUSE=1), restarting its services and keeping it afterwards, e.g. the million cases of
# docs/runs/million.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-16}
seconds=${2:-60}
load="dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll"

if [ -z "${REGISTRY_TEST_POSTGRES:-}" ]; then
  exports=$(bash deploy/local-servers.sh)
  eval "$exports"
fi
[ -f tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll ] || dotnet build Registry.sln -c Release --nologo -clp:ErrorsOnly
# shellcheck source=tools/stack.sh
source tools/stack.sh
if [ -n "${BENCH_STACK:-}" ]; then
  # A registry kept by an earlier run (the million cases took an hour to fill): restarted on its databases, kept after.
  trap 'STACK_KEEP=1 stack_down' EXIT
  STACK_REUSE=1 stack_up "$BENCH_STACK"
else
  trap 'stack_down' EXIT
  stack_up "bench_$$"
fi

tick=$(getconf CLK_TCK)
cpu_of() { # PID/stat... -> CPU seconds (user + system) of those processes
  if (( $# == 0 )); then echo 0; return; fi
  cat "${@/#//proc/}" 2>/dev/null | awk -v t="$tick" '{ s += ($14 + $15) / t } END { printf "%.2f", s }'
}
# PostgreSQL backends serving one database ("postgres: 15/main: registry DB 127.0.0.1(port) idle").
pids_of_db() { ps -eo pid,args | awk -v db="$1" '$2 == "postgres:" { for (i = 3; i <= NF; i++) if ($i == db) { print $1 "/stat"; break } }'; }
# The whole PostgreSQL server: every live process's CPU, and what its ended processes used (the postmaster's cutime and
# cstime, to which the kernel adds a child's times when the postmaster reaps it). Less the three databases' live backends,
# that is the rest of the server's work: the WAL writer, checkpointer, background writer, autovacuum launcher and workers,
# backends that ended between two snapshots, and other databases' sessions (identity's).
pg_server() {
  local postmaster
  postmaster=$(pgrep -o -x postgres) || { echo 0; return; }
  # shellcheck disable=SC2046
  awk -v t="$tick" -v live="$(cpu_of $(pgrep -x postgres | sed 's|$|/stat|'))" '{ printf "%.2f", live + ($16 + $17) / t }' "/proc/$postmaster/stat"
}
snapshot() {
  local service cpu databases=0
  for service in gateway intake custody medical identity; do echo "$service $(cpu_of "$(cat "$STACK_LOGS/$service.pid")/stat")"; done
  for service in intake custody medical; do
    # shellcheck disable=SC2046
    cpu=$(cpu_of $(pids_of_db "${STACK_NAME}_$service"))
    echo "postgres:$service $cpu"
    databases=$(awk -v a="$databases" -v b="$cpu" 'BEGIN { printf "%.2f", a + b }')
  done
  echo "postgres:server $(awk -v a="$(pg_server)" -v b="$databases" 'BEGIN { printf "%.2f", a - b }')"
  # shellcheck disable=SC2046
  echo "rabbitmq $(cpu_of $(pgrep -x beam.smp | sed 's|$|/stat|'))"
}
# The machine's busy CPU-seconds (every process and the kernel, the load generator included), from /proc/stat.
machine_busy() { awk -v t="$tick" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / t }' /proc/stat; }

# Resident memory (VmRSS) of each service, in MB: idle after start, and again after the run (issue 15: < 150 MB idle).
# PSS divides each page shared by several processes (the runtime's and the framework's files, mapped by all five) among them.
rss() { local service; for service in gateway intake custody medical identity; do
  awk -v s="$service" '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Anonymous:/ { a = $2 }
    END { printf "  %-10s %6.1f MB resident (%.1f MB proportional; anonymous %.1f, file-backed %.1f)\n", s, r / 1024, p / 1024, a / 1024, (r - a) / 1024 }' \
    "/proc/$(cat "$STACK_LOGS/$service.pid")/smaps_rollup" 2>/dev/null || printf '  %-10s gone\n' "$service"; done; }
echo "== resident memory, idle after start =="
sleep "${BENCH_IDLE:-10}"
rss
echo "== warm-up =="
$load --gateway "$STACK_GATEWAY" --clients "$clients" --duration "${BENCH_WARMUP:-10}" --floor-duration 3 --read-duration 2 --search-duration 0 --no-reconcile >/dev/null
sleep "${BENCH_SETTLE:-0}"
# batches: the sum and count of intake's registry.registration.batch.size histogram (RegisterCapture calls a transaction committed).
batches() { curl -s "http://127.0.0.1:${STACK_HTTP[intake]}/metrics" | awk '/^registry_registration_batch_size_(sum|count)/ { s[$1 ~ /sum/] = $2 } END { printf "%d %d", s[1], s[0] }'; }
echo "== registrations only, $clients clients, 20 s: CPU per registration =="
before=$(snapshot)
busy_before=$(machine_busy)
started=$(date +%s.%N)
batches_before=$(batches)
out=$($load --gateway "$STACK_GATEWAY" --clients "$clients" --duration 20 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile)
sleep 3 # let the consumers finish what was published
after=$(snapshot)
busy_after=$(machine_busy)
ended=$(date +%s.%N)
read -r calls_before batches_before_n <<<"$batches_before"
read -r calls_after batches_after_n <<<"$(batches)"
registered=$(grep -oP 'registrations answered OK \K[0-9]+' <<<"$out")
echo "$(grep -E '^register ' <<<"$out")"
paste <(echo "$before") <(echo "$after") | awk -v n="$registered" \
  '{ d = $4 - $2; t += d; printf "  %-18s %7.1f CPU-s  %6.2f CPU-ms per registration\n", $1, d, 1000 * d / n }
   END { printf "  %-18s %7.1f CPU-s  %6.2f CPU-ms per registration (%d registrations; rabbitmq is the whole node)\n", "total", t, 1000 * t / n, n }'
counted=$(paste <(echo "$before") <(echo "$after") | awk '{ t += $4 - $2 } END { printf "%.2f", t }')
awk -v a="$busy_before" -v b="$busy_after" -v s="$started" -v e="$ended" -v c="$(nproc)" -v counted="$counted" \
  'BEGIN { busy = b - a
    printf "  the machine was busy %.1f CPU-s of the %.1f its %d cores had in the same %.1f s (the load generator, the kernel and anything else included)\n", busy, c * (e - s), c, e - s
    # The load generator and the kernel take about an eighth here; far more is something else running (a build, tests).
    if (busy - counted > busy / 4) printf "  WARNING: %.1f of those CPU-s went to processes this run does not count: something else shared the machine, so the figures above are not the registry'"'"'s alone\n", busy - counted }'
awk -v c=$((calls_after - calls_before)) -v b=$((batches_after_n - batches_before_n)) \
  'BEGIN { if (b > 0) printf "  intake committed them in %d transactions, %.1f calls each (Intake:Registration:BatchLimit)\n", b, c / b }'

if [ "${BENCH_HALF_RATE:-0}" = 1 ]; then
  half=$(awk -v m="$(grep -oP '^register\s+\K[0-9.]+' <<<"$out")" 'BEGIN { printf "%.1f", m / 2 }')
  echo "== propagation at half that rate: $half registrations/s for ${BENCH_HALF_SECONDS:-60} s, $clients clients, reconciled =="
  $load --gateway "$STACK_GATEWAY" --clients "$clients" --warmup 0 --duration "${BENCH_HALF_SECONDS:-60}" --rate "$half" \
    --floor-duration 0 --read-duration 0 --search-duration 0 | grep -E '^(register |propagation |ZERO LOSS|FAILED)|paced at'
fi

if (( ${BENCH_IMPORT:-0} > 0 )); then
  import=(--import "$BENCH_IMPORT" --import-batch "${BENCH_IMPORT_BATCH:-1000}" --import-parallel "${BENCH_IMPORT_PARALLEL:-2}")
  echo "== import: $BENCH_IMPORT rows through ImportCaptures, compared with PostgreSQL COPY of the same rows =="
  $load --gateway "$STACK_GATEWAY" --clients "$clients" --warmup 0 --duration 0 --floor-duration 0 --read-duration 0 --search-duration 0 \
    "${import[@]}" | grep -E '^(import |COPY|  +(rows sent|custody and medical|COPY |left out|propagation of|refused rows)|ZERO LOSS|FAILED)'
  echo "== import again, $BENCH_IMPORT rows into a registry holding the first: CPU per imported row (until custody and medical hold them all) =="
  before=$(snapshot)
  out=$($load --gateway "$STACK_GATEWAY" --clients "$clients" --warmup 0 --duration 0 --floor-duration 0 --read-duration 0 --search-duration 0 \
    "${import[@]}" --no-copy)
  after=$(snapshot)
  imported=$(grep -oP 'rows sent [0-9]+: created \K[0-9]+' <<<"$out")
  grep -E '^(import |  +(rows sent|custody and medical)|ZERO LOSS|FAILED)' <<<"$out"
  paste <(echo "$before") <(echo "$after") | awk -v n="$imported" \
    '{ d = $4 - $2; t += d; printf "  %-18s %7.1f CPU-s  %6.2f CPU-ms per imported row\n", $1, d, 1000 * d / n }
     END { printf "  %-18s %7.1f CPU-s  %6.2f CPU-ms per imported row (%d rows; the reconciliation'"'"'s queries included; rabbitmq is the whole node)\n", "total", t, 1000 * t / n, n }'
fi

if [ "${BENCH_FULL:-1}" != 1 ]; then echo "== resident memory after the run =="; rss; exit 0; fi
echo "== full run: $clients clients, $seconds s =="
$load --gateway "$STACK_GATEWAY" --clients "$clients" --duration "$seconds" --floor-duration "$seconds" --read-duration 20 \
  --search-duration 20 --preload "${BENCH_PRELOAD:-0}" --result-file "${BENCH_RESULT:-/dev/null}"
echo "== resident memory after the run =="
rss
