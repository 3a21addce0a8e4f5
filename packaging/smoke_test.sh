#!/usr/bin/env bash
# `make package-test`: smoke-test the frozen app in dist/ (built by `make package`).
# Runs the built executable offscreen in a sandbox (fresh PLANNER_DATA_DIR, empty HOME/XDG/TMPDIR, no network
# where the kernel allows a network namespace): --version, selftest with screenshots, identity create +
# export of a shipped sample to a signed PDF + verify (once those commands exist), and checks that every app
# module, resource and Alembic script is inside the build and that nothing was written outside the data dir.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLANNER_BUILD_DIR:-dist/compute-planner}
if [ ! -x "$BUILD_DIR/planner" ] && [ ! -f "$BUILD_DIR/planner.exe" ]; then
  echo "No build in $BUILD_DIR: run \`make package\` first." >&2
  exit 1
fi
echo "== smoke test of $BUILD_DIR ($(du -sh "$BUILD_DIR" | cut -f1))"
export PLANNER_REQUIRE_BUILD=1 QT_QPA_PLATFORM=offscreen
PY=.venv/bin/python
[ -x "$PY" ] || PY=.venv/Scripts/python.exe  # Windows (Git Bash)
set +e
"$PY" -m pytest tests/packaging -p no:cacheprovider -q -ra "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "the smoke test collected no tests: that is a failure"; exit 1; fi
exit $rc
