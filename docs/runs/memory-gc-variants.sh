#!/usr/bin/env bash
# Idle and after-load resident memory of each service under GC settings variants.
set -uo pipefail
cd /work/main
eval "$(bash deploy/local-servers.sh 2>/dev/null)"
load="dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll"
source tools/stack.sh
rss() { local s; for s in gateway intake custody medical identity; do
  printf ' %s=%.0f' "$s" "$(awk '/^VmRSS:/ { print $2 / 1024 }' "/proc/$(cat "$STACK_LOGS/$s.pid")/status" 2>/dev/null || echo 0)"; done; echo; }
cpu() { local s t=0; for s in gateway intake custody medical identity; do p=$(cat "$STACK_LOGS/$s.pid"); printf ' %s=%s' $s $(awk '{print $14+$15}' /proc/$p/stat); done; echo; }
run() {
  local name=$1; shift
  ( export "$@"; stack_up "mem$RANDOM" >/dev/null 2>&1
    sleep 15; echo "$name idle MB:$(rss)"
    echo "$name idle ticks (start):$(cpu)"; sleep 20; echo "$name idle ticks (+20 s):$(cpu)"
    $load --gateway "$STACK_GATEWAY" --clients 16 --duration 20 --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile | grep -E '^register '
    sleep 5; echo "$name after MB:$(rss)"
    sleep 30; echo "$name after+30s MB:$(rss)"
    stack_down >/dev/null 2>&1 )
}
run default X=1
run workstation DOTNET_gcServer=0
run server-gen0-16MB DOTNET_GCgen0size=0x1000000
run conserve DOTNET_GCConserveMemory=7
