#!/usr/bin/env bash
# Runs the authorization server and the four services as separate processes against local PostgreSQL
# and RabbitMQ (started, and installed when missing, by deploy/local-servers.sh). Ctrl+C stops them.
# The demo agencies' DEVELOPMENT clients get new secrets on every run, saved (mode 600) in
# .data/local/dev-clients.json; the printed commands get a token with one of them.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/dev-clients.sh

exports=$(bash deploy/local-servers.sh)
eval "$exports"
dotnet build Registry.sln -c Release --nologo -clp:ErrorsOnly

logs=${REGISTRY_LOGS:-.data/logs}
authority=http://127.0.0.1:5184/
clients=.data/local/dev-clients.json
mkdir -p "$logs"
dev_clients "$clients" "$authority" "${DEV_DEMO_CLIENTS[@]}"
export Auth__Authority=$authority Auth__RequireHttpsMetadata=false
# The consumer queues are quorum queues (Bus__QueueType). A vhost that an earlier version filled with classic ones
# cannot take them (a queue's type is fixed): keep classic there unless the caller chose, and say how to move.
if [ -z "${Bus__QueueType:-}" ] && command -v rabbitmqctl >/dev/null 2>&1 \
    && rabbitmqctl -q list_queues -p / name type 2>/dev/null | grep -qE '^(intake|custody|medical)-[^[:space:]]*[[:space:]]+classic'; then
  export Bus__QueueType=classic
  echo "run-local: vhost / holds the registry's queues as classic queues (an earlier version); keeping them classic." \
    "To move to quorum queues: stop, drain, delete them (rabbitmqctl delete_queue NAME), start again." >&2
fi
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped"; }
trap stop EXIT INT TERM

wait_ready() { # PORT
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "nothing ready on :$1 after 60 s (see $logs/)" >&2
  return 1
}

# The authorization server first: the services read its discovery document on their first call.
(cd services/Registry.Identity/bin/Release/net10.0 && exec env "${DEV_CLIENT_ENV[@]}" Identity__Issuer=$authority \
  Identity__RequireHttps=false dotnet Registry.Identity.dll) >"$logs/identity.log" 2>&1 &
pids+=($!)
wait_ready 5184

for service in Intake Custody Medical Gateway; do
  dir=services/Registry.$service/bin/Release/net10.0
  (cd "$dir" && exec dotnet "Registry.$service.dll") >"$logs/${service,,}.log" 2>&1 &
  pids+=($!)
done

for port in 5181 5182 5183 5180; do
  wait_ready "$port"
done

cat <<MSG
Registry running (logs in $logs/):
  gateway  grpc://127.0.0.1:5100   health http://127.0.0.1:5180/readyz
  intake   grpc://127.0.0.1:5101   custody 5102   medical 5103
  authorization server $authority (token endpoint ${authority}connect/token)
DEVELOPMENT clients, new secrets this run, in $clients (mode 600). A token and a case file:
  SECRET=\$(grep -o '"clientId": "ua-pow-hq-coordinator"[^}]*' $clients | sed 's/.*"secret": "\([^"]*\)".*/\1/')
  TOKEN=\$(dotnet run --project tools/Registry.Ctl -- token --authority $authority --client ua-pow-hq-coordinator --secret "\$SECRET")
  tools/node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer \$TOKEN" \\
    -d '{"case_id":"<case_id>"}' http://127.0.0.1:5100/registry.gateway.v1.CaseFileService/GetCaseFile
Press Ctrl+C to stop.
MSG
wait
