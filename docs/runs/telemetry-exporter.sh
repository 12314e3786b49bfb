#!/usr/bin/env bash
# The cost of exporting telemetry (issue 15): the Aspire dashboard (NuGet Aspire.Dashboard.Sdk.linux-x64, restored by the
# solution's build) as the OTLP receiver on 127.0.0.1:18889, then tools/bench.sh's registration profile with every
# service exporting to it at sampling ratio 1 and 0.1; the receiver's own CPU over each bench run is printed after it.
# Usage: sudo bash docs/runs/telemetry-exporter.sh     (the figures without an exporter: BENCH_FULL=0 BENCH_WARMUP=60 bash tools/bench.sh 16 20)
set -uo pipefail
cd "$(dirname "$0")/../.."
eval "$(bash deploy/local-servers.sh)"
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
dash=$(ls -d "$packages"/aspire.dashboard.sdk.linux-x64/*/tools 2>/dev/null | sort -V | tail -1)
[[ -x $dash/Aspire.Dashboard ]] || { echo "no Aspire dashboard under $packages (dotnet build Registry.sln restores it; NUGET_PACKAGES=... under sudo)" >&2; exit 1; }
(cd "$dash" && ASPNETCORE_URLS=http://127.0.0.1:18888 DOTNET_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:18889 \
  DASHBOARD__FRONTEND__AUTHMODE=Unsecured DASHBOARD__OTLP__AUTHMODE=Unsecured DASHBOARD__API__AUTHMODE=Unsecured \
  exec ./Aspire.Dashboard) > /tmp/telemetry-exporter-dashboard.log 2>&1 &
dashboard=$!
trap 'kill $dashboard 2>/dev/null' EXIT
sleep 10
kill -0 "$dashboard" 2>/dev/null || { echo "the dashboard did not start (ports 18888/18889 taken, e.g. by the embedded host?): /tmp/telemetry-exporter-dashboard.log" >&2; exit 1; }
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$dashboard/stat"; }
for ratio in 1 0.1; do
  before=$(cpu)
  echo "#### OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:18889 Telemetry__Tracing__SampleRatio=$ratio $(date -u +%T) $(uptime | sed 's/.*load/load/')"
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:18889 OTEL_EXPORTER_OTLP_PROTOCOL=grpc Telemetry__Tracing__SampleRatio=$ratio \
    BENCH_FULL=0 BENCH_WARMUP=60 bash tools/bench.sh 16 20 2>&1 | grep -E '^(register |  [a-z:]+ +[0-9.]+ CPU-s)'
  echo "  dashboard (the OTLP receiver) over the whole bench run incl. warm-up: $(awk -v a="$before" -v b="$(cpu)" 'BEGIN { printf "%.2f", b - a }') CPU-s"
done
