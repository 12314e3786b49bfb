#!/usr/bin/env bash
# The registry's test command (README, .ci/run): lints the protos, makes sure real PostgreSQL and
# RabbitMQ are there, then builds and runs every test.
#   - Where a Docker engine answers, the tests start their own servers with Testcontainers.
#   - Else, if REGISTRY_TEST_* variables are already set, the tests use those servers.
#   - Else deploy/local-servers.sh installs (Debian/Ubuntu, as root) and starts both.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n[test %4ds] %s\n' $((SECONDS - started)) "$*"; }

step "protos: buf lint (STANDARD)"
if [ ! -x tools/node_modules/.bin/buf ] || [ ! -d tools/node_modules/kubernetes-models ]; then
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd protos && ../tools/node_modules/.bin/buf lint)

step "docker-compose.yml: docker-compose config (validates without an engine)"
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -q --no-install-recommends docker-compose >/dev/null 2>&1 \
    || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends docker-compose >/dev/null))
fi
if command -v docker-compose >/dev/null 2>&1; then
  docker-compose config -q
elif docker compose version >/dev/null 2>&1; then
  docker compose config -q
else
  echo "neither docker-compose nor docker compose is available; install one to validate docker-compose.yml" >&2
  exit 1
fi

step "deploy/k8s: kubectl kustomize each overlay, checked against the Kubernetes schemas (tools/k8s-validate.mjs)"
# kubectl's own kustomize renders the overlays (Registry.Deploy.Tests' K8sManifestTests renders them too, and checks
# them against the code). It needs kubectl >= 1.27 (kustomize v5); Debian's kubernetes-client (1.20) is too old.
if ! command -v kubectl >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -q --no-install-recommends kubectl >/dev/null 2>&1 \
    || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends kubectl >/dev/null)) || true
fi
if ! kubectl kustomize --help >/dev/null 2>&1; then
  echo "kubectl (>= 1.27, with kustomize) is missing: install it to render deploy/k8s (https://kubernetes.io/docs/tasks/tools/)" >&2
  exit 1
fi
k8s_renders=$(mktemp -d)
for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" > "$k8s_renders/$name.yaml"
done
# No schema package for the RabbitMQ Cluster Operator's kind is served here; K8sManifestTests checks its fields.
node tools/k8s-validate.mjs --unchecked rabbitmq.com/v1beta1/RabbitmqCluster "$k8s_renders"/*.yaml
rm -rf "$k8s_renders"

step "deploy/prometheus: promtool check rules, promtool test rules (the alerts and their unit tests)"
# promtool comes with Debian's prometheus package (which apt does not start here); the metrics tests use it too.
if ! command -v promtool >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 \
    || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends prometheus >/dev/null))
fi
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is missing: install Debian's prometheus package (apt-get install prometheus) to check the alert rules" >&2
  exit 1
fi
promtool check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)

# The medical service renders certificates of treatment with these fonts (Certificates:FontPath), whichever way the
# servers come: DejaVu Sans for Latin and Cyrillic, Nanum Gothic for Hangul.
if ! dpkg-query -W -f='${Status}\n' fonts-dejavu-core fonts-nanum 2>/dev/null | grep -c 'install ok installed' | grep -qx 2; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "fonts: installing fonts-dejavu-core fonts-nanum (apt-get)"
    (apt-get install -y -q --no-install-recommends fonts-dejavu-core fonts-nanum >/dev/null 2>&1 \
      || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends fonts-dejavu-core fonts-nanum >/dev/null))
  else
    echo "fonts-dejavu-core and fonts-nanum are missing; install them (the certificate tests render Hangul)" >&2
    exit 1
  fi
fi

if docker info >/dev/null 2>&1; then
  step "servers: a Docker engine answers; the tests start PostgreSQL and RabbitMQ with Testcontainers"
elif [ -n "${REGISTRY_TEST_POSTGRES:-}" ] && [ -n "${REGISTRY_TEST_RABBITMQ:-}" ] && [ -n "${REGISTRY_TEST_RABBITMQ_MANAGEMENT:-}" ]; then
  step "servers: using REGISTRY_TEST_POSTGRES / REGISTRY_TEST_RABBITMQ from the environment"
else
  step "servers: no Docker engine; installing/starting local PostgreSQL and RabbitMQ (deploy/local-servers.sh)"
  # Captured first so that a failing script stops this one (an eval of nothing would not).
  exports=$(bash deploy/local-servers.sh)
  eval "$exports"
fi

step "build"
dotnet build Registry.sln -c Release --nologo -clp:ErrorsOnly

step "tests"
dotnet test Registry.sln -c Release --no-build --nologo

# A few seconds of load through the gateway against the authorization server and the four services as
# processes, on databases and a virtual host of their own (the load generator calls with the stack's
# development clients: stack_up exports REGISTRY_LOAD_CREDENTIALS), then the zero-loss reconciliation. It fails on a lost or duplicated
# registration, never on speed (the figures are in docs/performance.md). The bulk path too: 2,000 rows
# through ImportCaptures in calls of 500, each row reconciled like a registration (a refused row must
# have stored nothing), and the COPY comparison run once over them so that it keeps working.
step "load smoke: tools/Registry.Load for a few seconds and a small import, reconciled against intake, custody and medical"
if [ -z "${REGISTRY_TEST_POSTGRES:-}" ]; then
  exports=$(bash deploy/local-servers.sh)
  eval "$exports"
fi
# shellcheck source=tools/stack.sh
source tools/stack.sh
STACK_LOGS=$(mktemp -d)
trap 'stack_down' EXIT
stack_up "smoke_$$"
if ! dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll --gateway "$STACK_GATEWAY" \
    --clients 4 --duration 5 --floor-duration 2 --read-duration 2 --search-duration 2 --drain-timeout 120 \
    --import 2000 --import-batch 500 --import-parallel 2; then
  for log in "$STACK_LOGS"/*.log; do echo "--- $log"; tail -n 40 "$log"; done
  exit 1
fi
stack_down
trap - EXIT

# Two replicas of intake, custody, medical and the gateway on quorum queues, one of each killed mid-load and
# restarted; the same reconciliation (README, "Running at scale"). It fails on a lost or duplicated registration.
step "replicas drill: two replicas of every service, one of each killed with kill -9 under load, reconciled"
if ! env -u STACK_LOGS -u STACK_NAME DRILL_CLIENTS=4 DRILL_RESULTS="$(mktemp -d)" bash tools/drills.sh replicas; then
  for log in .data/stack/drills_*_replicas/*.log .data/stack/drills_*/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 40 "$log"; }; done
  exit 1
fi
step "done"
