#!/usr/bin/env bash
# Idle memory 15 s after start with glibc's malloc arenas limited (MALLOC_ARENA_MAX=2, =1) against the default; two rounds,
# each variant on fresh databases. Usage: bash docs/runs/memory-malloc-arenas.sh (from a built clone)
cd "$(dirname "$0")/../.."
bash deploy/local-servers.sh > /tmp/env.sh 2>/dev/null; source /tmp/env.sh
source tools/stack.sh
measure() {
  sleep 15
  for s in identity intake custody medical gateway; do
    pid=${STACK_PID[$s]}
    echo "$1 $s rss_mb=$(awk '/VmRSS/{printf "%.0f",$2/1024}' /proc/$pid/status) $(python3 docs/runs/smapsby.py $pid 2>/dev/null | head -1)"
    python3 docs/runs/smapsby.py $pid 2>/dev/null | grep -E "doublemapper|group (dll|\[anon\]|\[heap\])" | sed "s/^/    $s /"
  done
}
variants=("default:" "arena2:MALLOC_ARENA_MAX=2" "arena1:MALLOC_ARENA_MAX=1")
for round in 1 2; do
  for v in "${variants[@]}"; do
    label=${v%%:*}; settings=${v#*:}
    unset MALLOC_ARENA_MAX
    for kv in $settings; do export "$kv"; done
    stack_up mema$round >/dev/null 2>&1 || { echo "$label: stack_up failed"; continue; }
    measure "round$round $label"
    stack_down >/dev/null 2>&1
  done
done
