#!/usr/bin/env bash
# Idle RSS of each service 15 s after start: migrations checked at start (default) vs Database__MigrateAtStart=false.
cd "$(dirname "$0")/../.."
bash deploy/local-servers.sh > /tmp/env.sh 2>/dev/null; source /tmp/env.sh
source tools/stack.sh
measure() {
  sleep 15
  for s in identity intake custody medical gateway; do
    pid=${STACK_PID[$s]}
    echo "$1 $s rss_mb=$(awk '/VmRSS/{printf "%.0f",$2/1024}' /proc/$pid/status) $(python3 docs/runs/smapsby.py $pid | head -1)"
  done
}
for round in 1 2; do
  unset Database__MigrateAtStart
  STACK_KEEP=1 stack_up memx$round >/dev/null 2>&1
  measure "round$round migrate-at-start"
  STACK_KEEP=1 stack_down >/dev/null 2>&1
  export Database__MigrateAtStart=false
  STACK_REUSE=1 stack_up memx$round >/dev/null 2>&1
  measure "round$round no-migrate"
  stack_down >/dev/null 2>&1
done
