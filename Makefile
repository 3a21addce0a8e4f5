# Compute Planner — two set-up commands: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the app and its tests need (Qt runtime libraries, PDF rendering, PostgreSQL, Xvfb).
APT_PKGS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3 \
            libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
            libxcb-xinerama0 libxcb-randr0 poppler-utils postgresql xvfb xauth fonts-dejavu-core faketime libnss3-tools

.PHONY: run test lint bench fuzz sysdeps venv package package-test clean selftest

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is needed: install python3.11 (apt-get install python3.11 python3.11-venv)"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	@$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

venv: sysdeps $(STAMP)

# python3.11-venv only when this Python cannot make a venv (Debian splits ensurepip out of python3.11).
sysdeps:
	@bash scripts/sysdeps.sh $(APT_PKGS) $$($(PY) -c "import ensurepip, venv" 2>/dev/null || echo python3.11-venv)

run: venv
	$(BIN)/planner $(ARGS)

selftest: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/planner selftest --screenshots tests/artifacts/selftest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy planner db ui tests
	$(BIN)/lint-imports

test: venv
	@bash scripts/test.sh

bench: venv
	@bash scripts/bench.sh

# 10,000 hostile inputs per entry point (tests/fuzz/hostile.py), counted per outcome; N=... to change.
fuzz: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/fuzz.py --n $(or $(N),10000)

package: venv
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/planner.spec

package-test: venv
	@bash packaging/smoke_test.sh

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
