#!/usr/bin/env bash
# Runs the four services as separate processes against local PostgreSQL and RabbitMQ (started,
# and installed when missing, by deploy/local-servers.sh). Ctrl+C stops them.
set -euo pipefail
cd "$(dirname "$0")/.."

exports=$(bash deploy/local-servers.sh)
eval "$exports"
dotnet build Registry.sln -c Release --nologo -clp:ErrorsOnly

logs=${REGISTRY_LOGS:-.data/logs}
mkdir -p "$logs"
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped"; }
trap stop EXIT INT TERM

for service in Intake Custody Medical Gateway; do
  dir=services/Registry.$service/bin/Release/net10.0
  (cd "$dir" && exec dotnet "Registry.$service.dll") >"$logs/${service,,}.log" 2>&1 &
  pids+=($!)
done

for port in 5181 5182 5183 5180; do
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 1
  done
done

cat <<MSG
Registry running (logs in $logs/):
  gateway  grpc://127.0.0.1:5100   health http://127.0.0.1:5180/readyz
  intake   grpc://127.0.0.1:5101   custody 5102   medical 5103
List the services through the gateway:
  tools/node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge --list-services http://127.0.0.1:5100
Press Ctrl+C to stop.
MSG
wait
