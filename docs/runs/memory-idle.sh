#!/usr/bin/env bash
# What the idle-memory runs share; sourced by docs/runs/memory-*.sh, from a built clone. Starts the local servers, then gives:
#   measure LABEL                    each service's resident MB, CPU seconds and mappings summary 15 s after its stack started,
#                                    and its largest mapping groups (JIT code, assemblies, anonymous memory, the C heap)
#   measure_variants NAME VARIANT... two rounds; in each, every VARIANT ("label:KEY=VALUE KEY=VALUE", "label:" for the
#                                    defaults) on a stack of its own with fresh databases (stack NAME1, NAME2), measured
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
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

measure_variants() {
  local name=$1; shift
  local keys=() v kv label settings round
  for v in "$@"; do for kv in ${v#*:}; do keys+=("${kv%%=*}"); done; done
  for round in 1 2; do
    for v in "$@"; do
      label=${v%%:*}; settings=${v#*:}
      for kv in "${keys[@]}"; do unset "$kv"; done
      for kv in $settings; do export "$kv"; done
      stack_up "$name$round" >/dev/null 2>&1 || { echo "$label: stack_up failed"; continue; }
      measure "round$round $label"
      stack_down >/dev/null 2>&1
    done
  done
}
