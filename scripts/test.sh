#!/usr/bin/env bash
# The whole test command: lint, types, layer contracts, then pytest against SQLite and a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export QT_QPA_PLATFORM=offscreen
echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== mypy"; $BIN/mypy planner db
echo "== import-linter"; $BIN/lint-imports

# A throwaway PostgreSQL server on loopback for the team-catalog tests.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ]; then echo "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; fi
PGDIR=$(mktemp -d); chmod 755 "$PGDIR"
PGPORT=${PGPORT:-54329}
run_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGDIR"; su postgres -c "$*"; else bash -c "$*"; fi; }
run_pg "$PGBIN/initdb -D $PGDIR/data -A trust -U postgres --no-sync -E UTF8 >/dev/null"
run_pg "$PGBIN/pg_ctl -D $PGDIR/data -l $PGDIR/log -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off' -w start >/dev/null"
trap 'run_pg "$PGBIN/pg_ctl -D $PGDIR/data -m fast -w stop >/dev/null" || true; rm -rf "$PGDIR"' EXIT
export TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres

echo "== pytest"
set +e
$BIN/python -m pytest -p no:cacheprovider --ignore=tests/bench "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi
exit $rc
