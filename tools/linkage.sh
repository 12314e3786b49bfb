#!/usr/bin/env bash
# tools/linkage.sh — the measured run behind docs/linkage.md: builds the linkage benchmark and prints
# precision, recall and F1 of duplicate candidates and recall of name search, per kind of variation,
# at 10,000 and 100,000 registered persons, with the replaced detection's figures (before), a threshold
# sweep and the measured m and u of every comparison outcome. No servers needed (in memory, with the
# service's own functions; tests/Registry.Intake.Tests LinkageEvaluationTests prove the database path
# gives the same answers).
# Usage: bash tools/linkage.sh [extra options of registry-linkage bench, e.g. --sizes 10000 --seed 3]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tools/Registry.Linkage -c Release --nologo -clp:ErrorsOnly >&2
exec dotnet tools/Registry.Linkage/bin/Release/net10.0/registry-linkage.dll bench --sizes 10000,100000 --baseline --sweep --estimate --explain-search 3 "$@"
