#!/usr/bin/env bash
# docs/performance.md, "What a case's INSERT costs PostgreSQL, index by index" (issue 15, thirty-fifth increment): the cases of a
# registry copied, by one INSERT ... SELECT in one session, into a table with the same columns and indexes (LIKE cases
# INCLUDING ALL), with the three name-search GIN indexes' pending list (gin_pending_list_limit) at 64 kB (the registry's),
# 128, 256, 512 and 1,024 kB, twice over; then without the GIN indexes; then with the primary key alone. After each insert
# with GIN indexes, gin_clean_pending_list merges what is still pending ("merge"), so that what a larger list leaves for
# later is counted too. The times are one backend's wall time on an otherwise idle machine, so about its CPU.
# Usage, on a registry filled and kept (tools/stack.sh), e.g.:
#   source tools/stack.sh; stack_up gfill
#   dotnet tools/Registry.Load/bin/Release/net10.0/Registry.Load.dll --gateway "$STACK_GATEWAY" --clients 16 --duration 80 \
#     --floor-duration 1 --read-duration 1 --search-duration 0 --no-reconcile
#   STACK_KEEP=1 stack_down
#   PGPASSWORD=registry bash docs/runs/gin-pending-list-insert.sh "host=127.0.0.1 user=registry dbname=gfill_intake"
set -euo pipefail
conn=$1
gin="SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = 't'::regclass AND a.amname = 'gin'"
{
  echo 'DROP TABLE IF EXISTS src, t;'
  echo 'CREATE TABLE src AS SELECT * FROM cases ORDER BY "Number";'
  echo 'CREATE TABLE t (LIKE cases INCLUDING ALL);'
  echo "SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) AS cols FROM pg_attribute WHERE attrelid = 'cases'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' \\gset"
  echo 'SELECT count(*) AS cases, (SELECT count(*) FROM pg_index WHERE indrelid = '"'t'"'::regclass) AS indexes FROM src \gset'
  echo '\echo == :cases cases, :indexes indexes on the copy'
  echo '\timing on'
  for limit in 64 128 256 512 1024 64 128 256 512 1024; do
    echo "\\echo == all indexes, pending list ${limit} kB"
    echo "DO \$\$ DECLARE r record; BEGIN FOR r IN $gin LOOP EXECUTE format('ALTER INDEX %I SET (gin_pending_list_limit = $limit)', r.relname); END LOOP; END \$\$;"
    echo '\echo insert:'
    echo 'INSERT INTO t (:cols) SELECT :cols FROM src;'
    echo '\echo merge:'
    echo "SELECT count(gin_clean_pending_list(c.oid::regclass)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = 't'::regclass AND a.amname = 'gin';"
    echo 'TRUNCATE t;'
  done
  echo "DO \$\$ DECLARE r record; BEGIN FOR r IN $gin LOOP EXECUTE format('DROP INDEX %I', r.relname); END LOOP; END \$\$;"
  for run in 1 2; do echo "\\echo == without the GIN indexes (the b-trees), run $run"; echo '\echo insert:'; echo 'INSERT INTO t (:cols) SELECT :cols FROM src;'; echo 'TRUNCATE t;'; done
  echo "DO \$\$ DECLARE r record; BEGIN FOR r IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass AND NOT i.indisprimary LOOP EXECUTE format('DROP INDEX %I', r.relname); END LOOP; END \$\$;"
  for run in 1 2; do echo "\\echo == the primary key alone, run $run"; echo '\echo insert:'; echo 'INSERT INTO t (:cols) SELECT :cols FROM src;'; echo 'TRUNCATE t;'; done
  echo 'DROP TABLE t, src;'
} | psql -X "$conn" -v ON_ERROR_STOP=1 2>&1 \
  | awk '/^==/ { print; next } /ERROR|FATAL|^psql:/ { print; next } /^(insert|merge):$/ { tag = $1; next }
         tag != "" && /^Time:/ { printf "  %-7s %s %s\n", tag, $2, $3; tag = "" }'
