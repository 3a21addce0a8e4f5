#!/usr/bin/env bash
# make bench: every benchmark in tests/bench (figures printed), SQLite and a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
source scripts/postgres.sh
.venv/bin/python -m pytest tests/bench -q -s -p no:cacheprovider "$@"
