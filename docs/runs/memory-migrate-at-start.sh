#!/usr/bin/env bash
# Idle RSS of each service 15 s after start: migrations checked at start (default) vs Database__MigrateAtStart=false,
# the second start on the databases the first made. Usage: bash docs/runs/memory-migrate-at-start.sh (from a built clone)
source "$(dirname "$0")/memory-idle.sh"
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
