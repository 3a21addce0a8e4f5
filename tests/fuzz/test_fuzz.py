"""Hostile inputs at every entry point: the product's own error or a correct result, never a traceback,
never a hang, and the database unchanged after every rejected import (tests/fuzz/hostile.py builds them).

Bounded to a few hundred inputs a run so `make test` stays fast; `make fuzz` runs 10,000 per entry point.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.fuzz import hostile


def fuzz(examples: int) -> settings:
    """Bounded, reproducible runs (no example database: the suite runs twice, once under faketime)."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )


kinds = st.sampled_from(hostile.CLASSES)
randoms = st.randoms(use_true_random=False)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from db.session import dispose_engines, get_engine

    folder = tmp_path_factory.mktemp("fuzzdb")
    yield get_engine(f"sqlite:///{folder / 'catalog.db'}")
    dispose_engines()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check(outcome: str, message: str, kind: str, data: bytes) -> None:
    assert outcome in ("accepted", "refused"), f"{kind}: {outcome}: {message} (input {data[:200]!r})"
    if outcome == "refused":
        first = message.splitlines()[0]
        assert first.strip() and "Traceback" not in message, message


@fuzz(200)
@given(r=randoms, kind=kinds)
def test_project_files(r: random.Random, kind: str, work: Path) -> None:
    data = hostile.project_file(r, kind)
    path = work / "project.json"
    path.write_bytes(data)
    _check(*hostile.run_project(path), kind, data)


@fuzz(100)
@given(r=randoms, kind=kinds)
def test_estimate_specs(r: random.Random, kind: str, work: Path, engine: Engine) -> None:
    from db.catalog import list_gpus

    data = hostile.spec_file(r, kind)
    path = work / "spec.json"
    path.write_bytes(data)
    _check(*hostile.run_spec(path, (engine, list_gpus(engine))), kind, data)


@fuzz(60)
@given(r=randoms, kind=kinds)
def test_catalog_imports(r: random.Random, kind: str, work: Path, engine: Engine) -> None:
    data, suffix = hostile.catalog_file(r, kind)
    path = work / f"catalog{suffix}"
    path.write_bytes(data)
    _check(*hostile.run_catalog_import(path, engine), kind, data)


@fuzz(60)
@given(r=randoms, kind=kinds)
def test_quote_imports(r: random.Random, kind: str, work: Path, engine: Engine) -> None:
    data, suffix = hostile.quote_file(r, kind)
    path = work / f"quote{suffix}"
    path.write_bytes(data)
    _check(*hostile.run_quote_import(path, engine), kind, data)


@pytest.mark.parametrize("kind", ["depth", "nonfinite", "many"])
def test_planner_tco_subprocess(kind: str, tmp_path: Path) -> None:
    """`planner tco` on a hostile project: a result (exit 0) or one line on stderr (exit 2), no traceback."""
    path = tmp_path / "project.json"
    path.write_bytes(hostile.project_file(random.Random(kind), kind))
    env: dict[str, Any] = {
        "PLANNER_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", "--db", f"sqlite:///{tmp_path / 'c.db'}", "tco", str(path), "--samples", "0"],
        capture_output=True, text=True, errors="replace", timeout=120, env=env,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert proc.returncode in (0, 2), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
