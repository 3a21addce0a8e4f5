#!/usr/bin/env bash
# The whole test command: lint, types, layer contracts, then pytest against SQLite and a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export QT_QPA_PLATFORM=offscreen
echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== mypy"; $BIN/mypy planner db ui tests
echo "== import-linter"; $BIN/lint-imports

# A throwaway PostgreSQL server on loopback for the team-catalog tests.
source scripts/postgres.sh

echo "== pytest"
set +e
$BIN/python -m pytest -p no:cacheprovider --ignore=tests/bench "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi
[ $rc -eq 0 ] || exit $rc

# The same suite two years ahead (libfaketime): a fixture date, a quote's validity or a stale-price check that
# leans on the real clock fails here today instead of in two years. The built-app tests need `make package`.
echo "== pytest, two years ahead (faketime +730d)"
set +e
faketime -f +730d $BIN/python -m pytest -p no:cacheprovider -q --ignore=tests/bench --ignore=tests/packaging/test_built_app.py "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi
exit $rc
