"""A real database per test: SQLite in a temporary directory, and PostgreSQL when TEST_DATABASE_URL is
set (a throwaway database created on that server for the test, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from db.catalog import save_row
from db.session import dispose_engines, get_engine
from tests.quotes.expected import EUR_USD, GBP_USD, GPUS, SERVERS

DATA = Path(__file__).resolve().parents[1] / "data" / "quotes"


def _seed_test_catalog(engine: Engine) -> None:
    """The catalog the expected figures use (tests/quotes/expected.py), not the shipped one. The platform
    without a rated draw (max_power_kw 0) is for the pure-maths tests only: the catalog refuses it."""
    platforms = [s for s in SERVERS.values() if s.max_power_kw > 0]
    for value in (*GPUS.values(), *platforms, EUR_USD, GBP_USD):
        save_row(engine, value)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = get_engine(f"sqlite:///{tmp_path / 'quotes.sqlite3'}", seed=False)
    _seed_test_catalog(engine)
    yield engine
    dispose_engines()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set (make test starts a PostgreSQL server)")
    name = f"quotes_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        engine = get_engine(url, seed=False)
        _seed_test_catalog(engine)
        yield engine
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each database test runs on SQLite and on PostgreSQL (skipped without TEST_DATABASE_URL)."""
    fixture = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    value: Engine = request.getfixturevalue(fixture)
    return value


@pytest.fixture
def data_dir() -> Path:
    return DATA
