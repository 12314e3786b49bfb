#!/usr/bin/env bash
# tools/drills.sh — fault drills under steady load, each ended by the load generator's zero-loss
# reconciliation (nothing lost, nothing applied twice). Runs against the local servers
# (deploy/local-servers.sh), with the four services as processes on databases and a vhost of
# their own (tools/stack.sh). Needs root: it stops and starts the servers themselves.
#
#   sudo bash tools/drills.sh                    # all four, in this order
#   sudo bash tools/drills.sh custody intake     # some of them
#
#   broker    RabbitMQ stopped for 30 s (service rabbitmq-server stop), then started again
#   custody   custody killed with kill -9, restarted 3 s later
#   intake    intake killed with kill -9 mid-load, restarted 3 s later; clients retry what failed
#             with the same request_id (the registry must not duplicate it)
#   postgres  the PostgreSQL cluster restarted (pg_ctlcluster ... restart)
#
# WARNING: broker and postgres stop servers that everything else on this machine uses too.
# Settings: DRILL_CLIENTS (8), DRILL_OUTAGE (30 s of broker outage), DRILL_RESULTS (.data/drills).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
clients=${DRILL_CLIENTS:-8}
outage=${DRILL_OUTAGE:-30}
results=${DRILL_RESULTS:-$PWD/.data/drills}
mkdir -p "$results"
drills=("$@")
(( ${#drills[@]} > 0 )) || drills=(broker custody intake postgres)

if [ -z "${REGISTRY_TEST_POSTGRES:-}" ]; then
  exports=$(bash deploy/local-servers.sh)
  eval "$exports"
fi
[ -f tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll ] || dotnet build Registry.sln -c Release --nologo -clp:ErrorsOnly
# shellcheck source=tools/stack.sh
source tools/stack.sh
trap 'stack_down' EXIT
stack_up "drills_$$"

say() { printf '[drill %s] %s\n' "$(date +%T)" "$*"; }

tcp_open() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fault_broker() {
  say "stopping RabbitMQ for ${outage} s"
  service rabbitmq-server stop >/dev/null
  sleep "$outage"
  say "starting RabbitMQ"
  service rabbitmq-server start >/dev/null
  for _ in $(seq 1 90); do tcp_open 5672 && break; sleep 1; done
  timeout 120 rabbitmqctl -q await_startup --timeout 90
  say "RabbitMQ is back"
}

fault_custody() {
  say "kill -9 custody"
  stack_kill custody
  sleep 3
  stack_start custody
  say "custody restarted"
}

fault_intake() {
  say "kill -9 intake"
  stack_kill intake
  sleep 3
  stack_start intake
  say "intake restarted"
}

fault_postgres() {
  local version
  version=$(pg_lsclusters -h | awk '$2 == "main" { print $1 }' | sort -V | tail -n1)
  say "restarting PostgreSQL $version/main"
  pg_ctlcluster "$version" main restart
  say "PostgreSQL is back"
}

declare -A verdict=()
failed=0
for drill in "${drills[@]}"; do
  declare -F "fault_$drill" >/dev/null || { echo "unknown drill: $drill (broker, custody, intake, postgres)"; exit 2; }
  duration=25
  [[ $drill == broker ]] && duration=$((outage + 20))
  say "== $drill: $clients clients for $duration s, the fault after 8 s =="
  dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll --gateway "$STACK_GATEWAY" --clients "$clients" \
    --duration "$duration" --floor-duration 0 --read-duration 0 --search-duration 0 --drain-timeout 300 \
    --result-file "$results/$drill.txt" >"$results/$drill.log" 2>&1 &
  load=$!
  sleep 8
  "fault_$drill"
  if wait "$load"; then
    verdict[$drill]="zero loss"
  else
    verdict[$drill]="FAILED (exit $?)"
    failed=1
  fi
  grep -E '^(register|propagation| +registrations answered|  (intake|outbox|custody|medical):|ZERO|FAILED)' "$results/$drill.txt" || tail -n 20 "$results/$drill.log"
  # The services must be whole again before the next drill.
  for service in intake custody medical gateway; do stack_wait_ready "$service"; done
done

echo
for drill in "${drills[@]}"; do printf '  %-9s %s\n' "$drill" "${verdict[$drill]}"; done
echo "  full output: $results/<drill>.log and .txt; service logs: $STACK_LOGS"
exit "$failed"
