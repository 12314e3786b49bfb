#!/usr/bin/env bash
# tools/stack.sh — the authorization server and the four services as separate processes on free
# ports, with databases and a RabbitMQ virtual host of their own, on the local servers
# deploy/local-servers.sh starts. Used by the load smoke test (tools/test.sh), the fault drills
# (tools/drills.sh) and by hand:
#
#   source tools/stack.sh
#   stack_up mystack          # creates mystack_intake/_custody/_medical/_identity and vhost mystack, starts all five
#   dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll --gateway "$STACK_GATEWAY"
#   stack_kill custody; stack_start custody   # a crash and a restart, same ports and settings (identity too)
#   stack_down                # stops them, drops the databases and the vhost (STACK_KEEP=1 keeps them); from another
#                             # shell: source tools/stack.sh; STACK_NAME=mystack stack_down
#   STACK_REUSE=1 stack_up mystack   # starts on the databases and vhost a STACK_KEEP=1 run left (a preloaded registry)
#   STACK_REPLICAS=2 stack_up mystack   # two replicas of intake, custody, medical and the gateway (intake and intake-2, ...):
#                             # each service is told every replica's address (Services__Intake=a,b), STACK_GATEWAYS lists the
#                             # gateways (comma-separated, for the load generator's --gateway); stack_kill intake-2 kills one
#
# Expects the build output of `dotnet build -c Release`. Exports ConnectionStrings__Intake/
# __Custody/__Medical for the load generator's reconciliation, STACK_GATEWAY (the first gateway), STACK_GATEWAYS (every
# gateway replica, comma-separated), STACK_AUTHORITY (the
# issuer, http://127.0.0.1:<identity's http port>/) and STACK_CREDENTIALS = REGISTRY_LOAD_CREDENTIALS:
# a DEVELOPMENT credentials file (mode 600, new random secrets per stack unless STACK_REUSE=1) with an intake officer for
# each agency the load generator registers for (UA-SSO, UA-AF, UA-SBU, UA-NGU), a UA-SBU custodian
# and medic, a UA-POW-HQ coordinator and an auditor. Settings:
#   REGISTRY_PG_HOST/REGISTRY_PG_PORT (127.0.0.1:5432), REGISTRY_RABBIT_HOST (127.0.0.1), user and
#   password registry/registry (the local development default); STACK_LOGS (.data/stack/<name>); STACK_PG_EXTRA
#   (keywords added to the services' PostgreSQL connection strings, e.g. "SSL Mode=Disable", to compare settings).
# Anything else exported (DOTNET_gcServer, OTEL_EXPORTER_OTLP_ENDPOINT, ...) reaches the services.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_PG_HOST=${REGISTRY_PG_HOST:-127.0.0.1}
STACK_PG_PORT=${REGISTRY_PG_PORT:-5432}
STACK_RABBIT_HOST=${REGISTRY_RABBIT_HOST:-127.0.0.1}
STACK_USER=registry
STACK_PASSWORD=registry
STACK_SERVICES=(identity intake custody medical gateway)
STACK_REPLICATED=(intake custody medical gateway)
STACK_DATABASES=(intake custody medical identity)
# client-id:AGENCY:role (deploy/dev-clients.sh).
STACK_CLIENTS=(
  ua-sso-intake:UA-SSO:intake-officer ua-af-intake:UA-AF:intake-officer ua-sbu-intake:UA-SBU:intake-officer
  ua-ngu-intake:UA-NGU:intake-officer ua-sbu-custodian:UA-SBU:custodian ua-sbu-medic:UA-SBU:medic
  ua-pow-hq-coordinator:UA-POW-HQ:coordinator ua-ombudsman-auditor:UA-OMBUDSMAN:auditor
)
declare -gA STACK_PID=() STACK_GRPC=() STACK_HTTP=()
declare -ga STACK_INSTANCES=()
# shellcheck source=../deploy/dev-clients.sh
source "$STACK_ROOT/deploy/dev-clients.sh"

stack_log() { printf '[stack %s] %s\n' "$(date +%T)" "$*" >&2; }

stack_psql() { # SQL (as registry on the maintenance database)
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$STACK_PASSWORD psql -X -q -w -v ON_ERROR_STOP=1 -h "$STACK_PG_HOST" -p "$STACK_PG_PORT" -U "$STACK_USER" -d postgres -tA -c "$1"
}

stack_mgmt() { # METHOD PATH
  curl -fsS --max-time 10 -u "$STACK_USER:$STACK_PASSWORD" -X "$1" -H 'content-type: application/json' \
    ${3:+-d "$3"} "http://$STACK_RABBIT_HOST:15672$2" >/dev/null
}

# stack_free_port: a port nothing listens on, below the kernel's ephemeral range: outgoing connections (to PostgreSQL,
# RabbitMQ, between the services) take ports from that range at any moment, so a port free when chosen there could be
# taken before its service binds it (CI once failed so: "address already in use" for medical).
# Ports 10000-19999 only: the test harness (tests/Registry.Testing/FreePort.cs) takes 20000-31999, so a stack run beside
# the tests does not meet their ports.
stack_free_port() {
  local port low high=20000
  low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  (( low > 11000 )) || low=60000 # an unusual range (no port below it to choose from): choose in 10000-19999 anyway
  (( low >= high )) || high=$low
  while :; do
    port=$((10000 + RANDOM % (high - 10000)))
    if ! (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      case " ${STACK_GRPC[*]} ${STACK_HTTP[*]} " in *" $port "*) continue ;; esac
      echo "$port"
      return
    fi
  done
}

# stack_up NAME: databases NAME_intake, NAME_custody, NAME_medical, NAME_identity and vhost NAME, all new (kept as
# they are with STACK_REUSE=1),
# then the authorization server (with new development clients), then the services.
stack_up() {
  STACK_NAME=$1
  STACK_LOGS=${STACK_LOGS:-$STACK_ROOT/.data/stack/$STACK_NAME}
  export STACK_NAME STACK_LOGS
  # The stack this shell started (not exported): stack_down stops it by its pids, any other by its pid files.
  STACK_STARTED=$STACK_NAME
  mkdir -p "$STACK_LOGS"
  local db
  if [[ ${STACK_REUSE:-0} == 1 ]]; then
    # A kept registry took hours to fill: refuse rather than start on new empty databases or with clients whose
    # secrets the authorization server does not hold (it keeps a stored client's secret).
    for db in "${STACK_DATABASES[@]}"; do
      [[ $(stack_psql "SELECT 1 FROM pg_database WHERE datname = '${STACK_NAME}_${db}'") == 1 ]] \
        || { stack_log "STACK_REUSE=1: no database ${STACK_NAME}_${db} (kept by STACK_KEEP=1 stack_down)"; return 1; }
    done
    [[ -f $STACK_LOGS/dev-clients.json ]] \
      || { stack_log "STACK_REUSE=1: no $STACK_LOGS/dev-clients.json with the kept clients' secrets"; return 1; }
    stack_log "reusing databases ${STACK_NAME}_* and vhost $STACK_NAME as they are (STACK_REUSE=1; stop with STACK_KEEP=1 stack_down to keep them)"
  else
    for db in "${STACK_DATABASES[@]}"; do
      stack_psql "DROP DATABASE IF EXISTS ${STACK_NAME}_${db} WITH (FORCE)"
      stack_psql "CREATE DATABASE ${STACK_NAME}_${db}"
    done
    stack_mgmt DELETE "/api/vhosts/$STACK_NAME" 2>/dev/null || true
  fi
  stack_mgmt PUT "/api/vhosts/$STACK_NAME"
  stack_mgmt PUT "/api/permissions/$STACK_NAME/$STACK_USER" '{"configure":".*","write":".*","read":".*"}'

  local pg="Host=$STACK_PG_HOST;Port=$STACK_PG_PORT;Username=$STACK_USER;Password=$STACK_PASSWORD${STACK_PG_EXTRA:+;$STACK_PG_EXTRA}"
  export ConnectionStrings__Intake="$pg;Database=${STACK_NAME}_intake"
  export ConnectionStrings__Custody="$pg;Database=${STACK_NAME}_custody"
  export ConnectionStrings__Medical="$pg;Database=${STACK_NAME}_medical"
  export ConnectionStrings__Identity="$pg;Database=${STACK_NAME}_identity"
  export ConnectionStrings__RabbitMq="amqp://$STACK_USER:$STACK_PASSWORD@$STACK_RABBIT_HOST:5672/$STACK_NAME"
  local service replica
  STACK_INSTANCES=(identity)
  for service in "${STACK_REPLICATED[@]}"; do
    STACK_INSTANCES+=("$service")
    for replica in $(seq 2 "${STACK_REPLICAS:-1}"); do STACK_INSTANCES+=("$service-$replica"); done
  done
  for service in "${STACK_INSTANCES[@]}"; do
    STACK_GRPC[$service]=$(stack_free_port)
    STACK_HTTP[$service]=$(stack_free_port)
  done
  export STACK_GATEWAY="http://127.0.0.1:${STACK_GRPC[gateway]}"
  export STACK_GATEWAYS
  STACK_GATEWAYS=$(stack_addresses gateway)
  export STACK_AUTHORITY="http://127.0.0.1:${STACK_HTTP[identity]}/"
  export STACK_CREDENTIALS="$STACK_LOGS/dev-clients.json"
  export REGISTRY_LOAD_CREDENTIALS=$STACK_CREDENTIALS
  # Every service validates the stack's tokens; the identity service alone gets the clients (DEV_CLIENT_ENV).
  # The disabled clients list too: appsettings name the default authority (5184), which a stack does not use.
  export Auth__Authority=$STACK_AUTHORITY Auth__RequireHttpsMetadata=false Auth__DisabledClients="${STACK_AUTHORITY}registry/disabled-clients"
  DEV_KEEP_SECRETS=${STACK_REUSE:-0} dev_clients "$STACK_CREDENTIALS" "$STACK_AUTHORITY" "${STACK_CLIENTS[@]}"
  # The authorization server first: the services fetch its discovery document on their first call.
  stack_start identity || return 1
  for service in "${STACK_INSTANCES[@]:1}"; do
    stack_start "$service" nowait
  done
  for service in "${STACK_INSTANCES[@]:1}"; do
    stack_wait_ready "$service" || return 1
  done
  stack_log "up: gateway $STACK_GATEWAYS, authority $STACK_AUTHORITY (development clients in $STACK_CREDENTIALS), databases ${STACK_NAME}_*, vhost $STACK_NAME, logs $STACK_LOGS"
}

# stack_addresses SERVICE: the gRPC addresses of every replica of SERVICE, comma-separated.
stack_addresses() {
  local instance list=
  for instance in "${STACK_INSTANCES[@]}"; do
    [[ $instance == "$1" || $instance == "$1"-[0-9]* ]] && list+="${list:+,}http://127.0.0.1:${STACK_GRPC[$instance]}"
  done
  echo "$list"
}

# stack_start INSTANCE [nowait]: starts (or restarts after a kill) one service replica (intake, intake-2, ...) with its
# ports and settings.
stack_start() {
  local service=$1 name dll
  name="${service%-[0-9]*}"
  name="${name^}"
  dll="$STACK_ROOT/services/Registry.$name/bin/Release/net10.0/Registry.$name.dll"
  [[ -f $dll ]] || { stack_log "missing $dll: run dotnet build Registry.sln -c Release first"; return 1; }
  (
    cd "$(dirname "$dll")" || exit 1
    export ASPNETCORE_ENVIRONMENT=Production Ports__Grpc="${STACK_GRPC[$service]}" Ports__Http="${STACK_HTTP[$service]}"
    Services__Intake=$(stack_addresses intake) Services__Custody=$(stack_addresses custody) Services__Medical=$(stack_addresses medical)
    export Services__Intake Services__Custody Services__Medical
    # The load generator drives each of its few clients far past one agency system's fair share on purpose: the
    # gateway's per-client limits (RateLimits) are lifted for the stack unless the caller set them.
    export RateLimits__Default__TokenLimit="${RateLimits__Default__TokenLimit:-1000000}"
    export RateLimits__Default__TokensPerPeriod="${RateLimits__Default__TokensPerPeriod:-1000000}"
    if [[ $service == identity ]]; then
      exec env "${DEV_CLIENT_ENV[@]}" Identity__Issuer="$STACK_AUTHORITY" Identity__RequireHttps=false dotnet "$dll"
    fi
    exec dotnet "$dll"
  ) >>"$STACK_LOGS/$service.log" 2>&1 &
  STACK_PID[$service]=$!
  echo "$!" >"$STACK_LOGS/$service.pid"
  [[ ${2:-} == nowait ]] || stack_wait_ready "$service"
}

stack_wait_ready() {
  local service=$1 i
  for i in $(seq 1 120); do
    if curl -fsS --max-time 2 "http://127.0.0.1:${STACK_HTTP[$service]}/readyz" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "${STACK_PID[$service]}" 2>/dev/null; then
      stack_log "$service exited; last lines of $STACK_LOGS/$service.log:"; tail -n 30 "$STACK_LOGS/$service.log" >&2
      return 1
    fi
    sleep 1
  done
  stack_log "$service not ready after 120 s"; tail -n 30 "$STACK_LOGS/$service.log" >&2
  return 1
}

# stack_kill SERVICE: kill -9, as a crash.
stack_kill() {
  local pid=${STACK_PID[$1]:-}
  [[ -n $pid ]] || return 0
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "STACK_PID[$1]"
  rm -f "$STACK_LOGS/$1.pid"
}

stack_down() {
  local service db file waited pid logs=${STACK_LOGS:-} ours=1
  local -A pids=()
  if [[ -n ${STACK_NAME:-} && ${STACK_STARTED:-} != "$STACK_NAME" ]]; then
    # Another shell's stack (or another than the one this shell started): its pid files name what to stop, in STACK_LOGS
    # when it holds them, else where stack_up puts them by default. Without them the databases were dropped under
    # services left running.
    ours=0
    compgen -G "${logs:-/nonexistent}/*.pid" >/dev/null || logs=$STACK_ROOT/.data/stack/$STACK_NAME
    for file in "$logs"/*.pid; do
      [[ -f $file ]] || continue
      service=$(basename "$file" .pid)
      pid=$(cat "$file")
      # Only a process of the stack's own: a file left by a crash may name a number another process has taken since.
      if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qi "registry\.${service%-[0-9]*}\.dll"; then
        pids[$service]=$pid
      fi
    done
  else
    for service in "${!STACK_PID[@]}"; do
      pids[$service]=${STACK_PID[$service]}
    done
  fi
  for service in "${!pids[@]}"; do
    kill "${pids[$service]}" 2>/dev/null || true
  done
  for service in "${!pids[@]}"; do
    wait "${pids[$service]}" 2>/dev/null || true
    # Another shell's processes are not this shell's children (wait returns at once): 30 s to stop, then killed.
    for (( waited = 0; waited < 60; waited++ )); do
      kill -0 "${pids[$service]}" 2>/dev/null || break
      sleep 0.5
    done
    (( waited < 60 )) || kill -9 "${pids[$service]}" 2>/dev/null || true
  done
  if (( ours )); then
    STACK_PID=()
    unset STACK_STARTED
  fi
  rm -f "${logs:-/nonexistent}"/*.pid
  if [[ -n ${STACK_NAME:-} && -z ${STACK_KEEP:-} ]]; then
    for db in "${STACK_DATABASES[@]}"; do
      # FORCE cannot end a superuser's backend (an autovacuum worker busy on the database): wait and try again.
      for attempt in 1 2 3 4 5; do
        if (( attempt < 5 )); then
          stack_psql "DROP DATABASE IF EXISTS ${STACK_NAME}_${db} WITH (FORCE)" 2>/dev/null && break
          sleep 2
        else
          stack_psql "DROP DATABASE IF EXISTS ${STACK_NAME}_${db} WITH (FORCE)" || stack_log "could not drop ${STACK_NAME}_${db}; drop it by hand"
        fi
      done
    done
    stack_mgmt DELETE "/api/vhosts/$STACK_NAME" || true
  fi
}
