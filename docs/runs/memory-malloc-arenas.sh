#!/usr/bin/env bash
# Idle memory 15 s after start with glibc's malloc arenas limited (MALLOC_ARENA_MAX=2, =1) against the default; two rounds,
# each variant on fresh databases. Usage: bash docs/runs/memory-malloc-arenas.sh (from a built clone)
source "$(dirname "$0")/memory-idle.sh"
measure_variants mema "default:" "arena2:MALLOC_ARENA_MAX=2" "arena1:MALLOC_ARENA_MAX=1"
