#!/usr/bin/env bash
# Idle memory 15 s after start under the JIT's tiering settings: the repository's (tiered, dynamic PGO off), tiered
# compilation off (every method compiled once, optimized), quick JIT off (methods without R2R code compiled optimized at
# their first call; R2R code still used), and tiered compilation off with the workstation GC.
# Two rounds, each variant on fresh databases. Usage: bash docs/runs/memory-tiering.sh (from a built clone)
source "$(dirname "$0")/memory-idle.sh"
measure_variants memt "default:" "tc-off:DOTNET_TieredCompilation=0" "quickjit-off:DOTNET_TC_QuickJit=0" \
  "tc-off-workstation:DOTNET_TieredCompilation=0 DOTNET_gcServer=0"
