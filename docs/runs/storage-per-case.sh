#!/usr/bin/env bash
# docs/performance.md, "Waste cut": what a case costs in storage after an import, table by table and index by index.
# A fresh stack of one build imports ROWS rows through ImportCaptures (calls of 1,000, two in flight, reconciled), then
# for each service's database: bytes per case of each table (heap and indexes), of each of intake's indexes, the average
# width of the wide columns, and (run as root, through the postgres OS user: pgstattuple needs a superuser) the live,
# dead and free bytes per case of the tables an import rewrites. The stack's databases are dropped at the end.
#   bash docs/runs/storage-per-case.sh CLONE LABEL [ROWS]      (ROWS: 50000)
# CLONE is a built clone (dotnet build Registry.sln -c Release): compare two builds by running each.
set -euo pipefail
clone=$(cd "$1" && pwd) label=$2 rows=${3:-50000}
eval "$(bash "$clone/deploy/local-servers.sh" 2>/dev/null)"
# shellcheck source=tools/stack.sh
source "$clone/tools/stack.sh"
name="store$RANDOM"
stack_up "$name" >/dev/null 2>&1
trap 'stack_down >/dev/null 2>&1 || true' EXIT
dotnet "$clone/tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll" --gateway "$STACK_GATEWAY" --warmup 0 --duration 0 \
  --floor-duration 0 --read-duration 0 --search-duration 0 --preload "$rows" --preload-bulk --import-batch 1000 --import-parallel 2 \
  | grep -E '^preload |ZERO LOSS|FAILED'
q() { PGPASSWORD=$STACK_PASSWORD psql -X -h "$STACK_PG_HOST" -p "$STACK_PG_PORT" -U "$STACK_USER" -d "${name}_$1" -Atc "$2"; }
cases=$(q intake 'SELECT count(*) FROM cases')
echo "$label: $cases cases"
for db in intake custody medical; do
  q "$db" 'ANALYZE' 2>/dev/null
  echo "$label $db: $(( $(q "$db" 'SELECT pg_database_size(current_database())') / cases )) bytes per case"
  q "$db" "SELECT format('  %-24s %6s B/case: heap %6s, indexes %6s; %s rows a case', c.relname, pg_total_relation_size(c.oid) / $cases,
      pg_table_size(c.oid) / $cases, pg_indexes_size(c.oid) / $cases, round(c.reltuples::numeric / $cases, 2))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname = 'public' AND pg_total_relation_size(c.oid) >= $cases * 10 ORDER BY pg_total_relation_size(c.oid) DESC"
done
echo "$label intake's indexes, bytes per case:"
q intake "SELECT format('  %-48s %6s', i.relname, pg_relation_size(i.oid) / $cases) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE n.nspname = 'public' AND pg_relation_size(i.oid) >= $cases * 10 ORDER BY pg_relation_size(i.oid) DESC"
echo "$label intake's columns wider than 40 bytes on average:"
q intake "SELECT format('  %-22s %-20s %5s', tablename, attname, avg_width) FROM pg_stats WHERE schemaname = 'public' AND avg_width > 40 ORDER BY tablename, avg_width DESC"
if [[ $(id -u) == 0 ]] && id postgres >/dev/null 2>&1; then
  echo "$label live / dead / free bytes per case (pgstattuple):"
  for t in notifications notification_bodies outbox_messages identity_assertions cases; do
    su postgres -c "psql -X -d '${name}_intake' -Atc \"CREATE EXTENSION IF NOT EXISTS pgstattuple\" >/dev/null 2>&1;
      psql -X -d '${name}_intake' -Atc \"SELECT format('  %-22s table %6s: live %6s, dead %6s, free %6s', '$t', table_len / $cases,
        tuple_len / $cases, dead_tuple_len / $cases, free_space / $cases) FROM pgstattuple('$t')\" 2>/dev/null" || true
  done
fi
