#!/usr/bin/env bash
# docs/performance.md, "Idle memory and ReadyToRun": resident memory of each service of one build, idle 15 s after start,
# then after 20 s of registrations by 16 clients and 30 s later; the resident set split into anonymous memory (heaps)
# and file-backed pages (mapped assemblies and native libraries, and the JIT's code: .NET maps it from a memfd), and the
# proportional set size (PSS: a page shared by several processes divided among them); CPU seconds each process used to start.
#   bash docs/runs/memory-readytorun.sh CLONE LABEL
# CLONE is a built clone (its services' bin/Release/net10.0 is what runs: a ReadyToRun publish can be copied over it).
set -uo pipefail
clone=$(cd "$1" && pwd) label=$2
eval "$(bash "$clone/deploy/local-servers.sh" 2>/dev/null)"
source "$clone/tools/stack.sh"
services=(gateway intake custody medical identity)
pid() { cat "$STACK_LOGS/$1.pid"; }
rss() { local s; for s in "${services[@]}"; do
  printf ' %s=%.0f' "$s" "$(awk '/^VmRSS:/ { print $2 / 1024 }' "/proc/$(pid "$s")/status" 2>/dev/null || echo 0)"; done; echo; }
split() { local s; for s in "${services[@]}"; do
  awk -v s="$s" '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Anonymous:/ { a = $2 }
    END { printf " %s=%.0f/%.0f/%.0f", s, a / 1024, (r - a) / 1024, p / 1024 }' "/proc/$(pid "$s")/smaps_rollup"; done; echo; }
cpu() { local s; for s in "${services[@]}"; do printf ' %s=%.1f' "$s" "$(awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$(pid "$s")/stat")"; done; echo; }
stack_up "mem$RANDOM" >/dev/null 2>&1
sleep 15
echo "$label idle MB:$(rss)"
echo "$label idle MB anonymous/file-backed/proportional (PSS):$(split)"
echo "$label CPU s to start and 15 s idle:$(cpu)"
dotnet "$clone/tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll" --gateway "$STACK_GATEWAY" --clients 16 --duration 20 \
  --floor-duration 0 --read-duration 0 --search-duration 0 --no-reconcile | grep -E '^register '
sleep 5
echo "$label after MB:$(rss)"
sleep 30
echo "$label after+30s MB:$(rss)"
echo "$label after+30s MB anonymous/file-backed/proportional (PSS):$(split)"
stack_down >/dev/null 2>&1
