"""Catalog fixtures: every test runs against SQLite and, when TEST_DATABASE_URL is set, a fresh
PostgreSQL database created for that test and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from db.session import dispose_engines, get_engine

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "catalog"
DATA = Path(__file__).resolve().parents[1] / "data"


def _postgres_url() -> Generator[str, None, None]:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("TEST_DATABASE_URL is not set (scripts/test.sh starts a PostgreSQL server)")
    name = f"catalog_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with nothing in it yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
        dispose_engines()
    else:
        yield from _postgres_url()


@pytest.fixture
def engine(db_url: str) -> Engine:
    """A database upgraded to the newest schema and seeded with the shipped catalog."""
    return get_engine(db_url)


@pytest.fixture
def second_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.sqlite3'}"
        return
    gen = _postgres_url()
    url = next(gen)
    try:
        yield url
    finally:
        gen.close()
