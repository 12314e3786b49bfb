#!/usr/bin/env bash
# Idle memory 15 s after start under the JIT's tiering settings: the repository's (tiered, dynamic PGO off), tiered
# compilation off (every method compiled once, optimized), quick JIT off (methods without R2R code compiled optimized at
# their first call; R2R code still used), and tiered compilation off with the workstation GC.
# Two rounds, each variant on fresh databases. Usage: bash docs/runs/memory-tiering.sh (from a built clone)
cd "$(dirname "$0")/../.."
bash deploy/local-servers.sh > /tmp/env.sh 2>/dev/null; source /tmp/env.sh
source tools/stack.sh
measure() {
  sleep 15
  for s in identity intake custody medical gateway; do
    pid=${STACK_PID[$s]}
    echo "$1 $s rss_mb=$(awk '/VmRSS/{printf "%.0f",$2/1024}' /proc/$pid/status) cpu_s=$(awk '{printf "%.1f",($14+$15)/100}' /proc/$pid/stat) $(python3 docs/runs/smapsby.py $pid 2>/dev/null | head -1)"
    python3 docs/runs/smapsby.py $pid 2>/dev/null | grep -E "doublemapper|group (dll|\[anon\]|\[heap\])" | sed "s/^/    $s /"
  done
}
variants=("default:" "tc-off:DOTNET_TieredCompilation=0" "quickjit-off:DOTNET_TC_QuickJit=0" "tc-off-workstation:DOTNET_TieredCompilation=0 DOTNET_gcServer=0")
for round in 1 2; do
  for v in "${variants[@]}"; do
    label=${v%%:*}; settings=${v#*:}
    unset DOTNET_TieredCompilation DOTNET_TC_QuickJit DOTNET_gcServer
    for kv in $settings; do export "$kv"; done
    stack_up memt$round >/dev/null 2>&1 || { echo "$label: stack_up failed"; continue; }
    measure "round$round $label"
    stack_down >/dev/null 2>&1
  done
done
