#!/usr/bin/env bash
# tools/drills.sh — fault drills under steady load, each ended by the load generator's zero-loss
# reconciliation (nothing lost, nothing applied twice). The server drills run against the local
# servers (deploy/local-servers.sh), with the four services as processes on databases and a vhost of
# their own (tools/stack.sh), and need root: they stop and start the servers themselves. The
# embedded drill needs neither root nor the servers.
#
#   sudo bash tools/drills.sh                    # all six, in this order
#   sudo bash tools/drills.sh custody intake     # some of them
#   bash tools/drills.sh embedded                # the embedded host alone (no root, no servers)
#
#   broker    RabbitMQ stopped for 30 s (service rabbitmq-server stop), then started again
#   custody   custody killed with kill -9, restarted 3 s later
#   intake    intake killed with kill -9 mid-load, restarted 3 s later; clients retry what failed
#             with the same request_id (the registry must not duplicate it)
#   postgres  the PostgreSQL cluster restarted (pg_ctlcluster ... restart)
#   replicas  a stack of its own with two replicas of intake, custody, medical and the gateway (STACK_REPLICAS=2) on
#             quorum queues; the load generator balances across both gateways; kill -9 of one replica of each service
#             mid-load (the first ones, which hold the outbox leads), restarted 15 s later; the other replicas carry on
#   embedded  the embedded host (deploy/Registry.Embedded: SQLite files, in-memory bus) killed with
#             kill -9 mid-load twice, restarted each time; its own data folder and free ports, no
#             dashboard; the reconciliation reads its SQLite files
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
(( ${#drills[@]} > 0 )) || drills=(broker custody intake postgres replicas embedded)
load_dll=tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll
embedded_dll=$PWD/deploy/Registry.Embedded/bin/Release/net10.0/Registry.Embedded.dll

servers=0
for drill in "${drills[@]}"; do [[ $drill == embedded ]] || servers=1; done
[[ -f $load_dll && -f $embedded_dll ]] || dotnet build Registry.sln -c Release --nologo -clp:ErrorsOnly
# shellcheck source=tools/stack.sh
source tools/stack.sh
embedded_pid=
cleanup() {
  [[ -z $embedded_pid ]] || { kill "$embedded_pid" 2>/dev/null || true; wait "$embedded_pid" 2>/dev/null || true; }
  (( servers == 0 )) || stack_down
}
trap cleanup EXIT
if (( servers )); then
  if [ -z "${REGISTRY_TEST_POSTGRES:-}" ]; then
    exports=$(bash deploy/local-servers.sh)
    eval "$exports"
  fi
  # The replicas drill alone: its stack of two replicas from the start.
  server_drills=" ${drills[*]/embedded/} "
  [[ ${server_drills// /} == replicas ]] && STACK_REPLICAS=2
  stack_up "drills_$$"
fi

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

fault_replicas() {
  local service
  for service in intake custody medical gateway; do
    say "kill -9 $service (its replica $service-2 carries on)"
    stack_kill "$service"
  done
  sleep 15
  for service in intake custody medical gateway; do stack_start "$service" nowait; done
  for service in intake custody medical gateway; do stack_wait_ready "$service"; done
  say "the killed replicas are back"
}

fault_postgres() {
  local version
  version=$(pg_lsclusters -h | awk '$2 == "main" { print $1 }' | sort -V | tail -n1)
  say "restarting PostgreSQL $version/main"
  pg_ctlcluster "$version" main restart
  say "PostgreSQL is back"
}

# The embedded host as a newcomer runs it (the built Registry.Embedded), on a data folder of the drill's
# own and free ports, without the dashboard or the demo.
embedded_data=$results/embedded-data
embedded_log=$results/embedded-host.log
declare -A embedded_port=()
embedded_start() {
  (
    cd "$(dirname "$embedded_dll")" || exit 1
    export ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Embedded__DataPath="$embedded_data" \
      Embedded__Dashboard=false Embedded__Demo=false Embedded__GatewayPort="${embedded_port[gateway]}" \
      Embedded__IntakePort="${embedded_port[intake]}" Embedded__CustodyPort="${embedded_port[custody]}" \
      Embedded__MedicalPort="${embedded_port[medical]}" Embedded__HttpPort="${embedded_port[http]}" \
      Embedded__IdentityPort="${embedded_port[identity]}"
    exec dotnet "$embedded_dll"
  ) >>"$embedded_log" 2>&1 &
  embedded_pid=$!
  local i
  for i in $(seq 1 120); do
    curl -fsS --max-time 2 "http://127.0.0.1:${embedded_port[http]}/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$embedded_pid" 2>/dev/null || { say "the embedded host exited:"; tail -n 30 "$embedded_log"; return 1; }
    sleep 1
  done
  say "the embedded host is not ready after 120 s"; tail -n 30 "$embedded_log"
  return 1
}

embedded_kill() {
  kill -9 "$embedded_pid" 2>/dev/null || true
  wait "$embedded_pid" 2>/dev/null || true
  embedded_pid=
}

# Two kill -9s while registrations are accepted, a restart after each; the load generator retries what
# failed with the same request_id, then reconciles against the SQLite files with the host running. It
# calls with the host's development clients (--embedded-data reads DIR/dev-clients.json): the UA-SSO
# intake officer registers, so every capture names UA-SSO.
drill_embedded() {
  local drill=embedded service used=" " port
  rm -rf "$embedded_data"
  : >"$embedded_log"
  for service in gateway intake custody medical http identity; do
    while :; do
      port=$(stack_free_port)
      [[ $used == *" $port "* ]] || break
    done
    embedded_port[$service]=$port
    used+="$port "
  done
  embedded_start || return 1
  say "== embedded: $clients clients for 60 s on gateway :${embedded_port[gateway]}, kill -9 after 12 s and again 15 s after the restart =="
  dotnet "$load_dll" --gateway "http://127.0.0.1:${embedded_port[gateway]}" --embedded-data "$embedded_data" \
    --clients "$clients" --duration 60 --floor-duration 0 --read-duration 0 --search-duration 0 --drain-timeout 300 \
    --retries 12 --result-file "$results/$drill.txt" >"$results/$drill.log" 2>&1 &
  local load=$! round
  sleep 12
  for round in 1 2; do
    say "kill -9 the embedded host ($round of 2)"
    embedded_kill
    embedded_start || { wait "$load"; return 1; }
    say "embedded host restarted"
    (( round == 2 )) || sleep 15
  done
  wait "$load"
}

declare -A verdict=()
failed=0
for drill in "${drills[@]}"; do
  if [[ $drill == embedded ]]; then
    if drill_embedded; then
      verdict[$drill]="zero loss"
    else
      verdict[$drill]="FAILED (exit $?)"
      failed=1
    fi
    grep -E '^(register|propagation| +registrations answered|  (intake|outbox|custody|medical):|ZERO|FAILED)' "$results/$drill.txt" 2>/dev/null \
      || tail -n 20 "$results/$drill.log"
    embedded_kill
    continue
  fi
  declare -F "fault_$drill" >/dev/null || { echo "unknown drill: $drill (broker, custody, intake, postgres, replicas, embedded)"; exit 2; }
  duration=25
  retries=()
  [[ $drill == broker ]] && duration=$((outage + 20))
  if [[ $drill == replicas ]]; then
    if [[ ${STACK_REPLICAS:-1} != 2 ]]; then
      # A stack of its own, two replicas of each service; the other drills' stack stops first.
      stack_down
      STACK_REPLICAS=2
      STACK_LOGS="${STACK_LOGS%/*}/drills_$$_replicas"
      stack_up "drills_$$_replicas"
    fi
    duration=40
    retries=(--retries 12)
  fi
  say "== $drill: $clients clients for $duration s against $STACK_GATEWAYS, the fault after 8 s =="
  dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll --gateway "$STACK_GATEWAYS" --clients "$clients" \
    --duration "$duration" --floor-duration 0 --read-duration 0 --search-duration 0 --drain-timeout 300 "${retries[@]}" \
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
  for service in "${STACK_INSTANCES[@]:1}"; do stack_wait_ready "$service"; done
done

echo
for drill in "${drills[@]}"; do printf '  %-9s %s\n' "$drill" "${verdict[$drill]}"; done
echo "  full output: $results/<drill>.log and .txt; service logs: ${STACK_LOGS:-$embedded_log}"
exit "$failed"
