"""One engine per database URL per process; one short session (one transaction) per operation.

The default database is a SQLite file in the user data directory (WAL mode); a team points the app at
PostgreSQL with ``--db postgresql://...`` or ``PLANNER_DB``. Opening a database runs the Alembic upgrade
(backing up an older SQLite file first) and seeds or updates the shipped catalog.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from db import migrate
from db import seed as shipped
from db.paths import data_dir

DB_FILENAME = "catalog.sqlite3"
BUSY_TIMEOUT_MS = 10_000

_engines: dict[str, Engine] = {}
_seeded: set[str] = set()
_lock = threading.RLock()


def resolve_url(url: str | None) -> str:
    """The database URL to use: ``url`` > env PLANNER_DB > SQLite in the user data directory."""
    chosen = url or os.environ.get("PLANNER_DB") or f"sqlite:///{data_dir() / DB_FILENAME}"
    for prefix in ("postgresql://", "postgres://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen[len(prefix) :]
    return chosen


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    finally:
        cur.close()


def _create(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(
    url: str | None = None, *, seed: bool = True, catalog_dir: Traversable | Path | None = None
) -> Engine:
    """The process-wide engine for ``url``: schema upgraded, shipped catalog seeded (``seed=True``).

    ``catalog_dir`` replaces the packaged catalog CSVs (tests simulate a newer shipped catalog with it).
    """
    resolved = resolve_url(url)
    with _lock:
        engine = _engines.get(resolved)
        if engine is None:
            engine = _create(resolved)
            migrate.upgrade(engine)
            _engines[resolved] = engine
        if seed and (resolved not in _seeded or catalog_dir is not None):
            shipped.sync_shipped(engine, catalog_dir)
            _seeded.add(resolved)
    return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, and before deleting a database file)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _seeded.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on any exception."""
    with Session(engine) as session, session.begin():
        yield session
