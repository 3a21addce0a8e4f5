"""One engine per database URL per process; one short session (one transaction) per operation.

The default database is a SQLite file in the user data directory (WAL mode, created owner-only); a team
points the app at PostgreSQL with ``--db postgresql://...`` or ``PLANNER_DB``. Opening a database runs the
Alembic upgrade (backing up an older SQLite file first) and seeds or updates the shipped catalog, under a
lock that concurrent first starts wait for (a lock file beside the SQLite file; a PostgreSQL advisory lock).

SQLite transactions are real transactions: pysqlite's own transaction handling is switched off and every
transaction starts with ``BEGIN`` (DDL included, so a schema upgrade step commits whole or not at all).
:func:`write_scope` starts ``BEGIN IMMEDIATE`` (SQLite) or takes a transaction-level advisory lock
(PostgreSQL), so read-check-write operations such as imports run one after the other across processes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from db import migrate
from db import seed as shipped
from db.paths import data_dir
from db.transactions import WRITE_OPTION
from db.transactions import write_scope as write_scope

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


class DatabaseUnavailable(RuntimeError):
    """The catalog database cannot be opened or reached; the message names it, in one sentence."""


def describe(url: str) -> str:
    """The database for people: the SQLite file path, or host:port/database of a server (no password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the catalog database {parsed.database or 'in memory'}"
    port = f":{parsed.port}" if parsed.port else ""
    return f"the team catalog at {parsed.host or 'localhost'}{port}/{parsed.database or ''}"


def _reason(exc: BaseException) -> str:
    """The driver's own reason, shortened to its first line (``connection refused``, ``unable to open``)."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
    low = first.lower()
    for known in ("connection refused", "password authentication failed", "does not exist", "timeout"):
        if known in low:
            return known if known != "does not exist" else first.split(":")[-1].strip()
    return first


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # no implicit BEGIN/COMMIT from pysqlite: _sqlite_begin starts them
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    finally:
        cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_path(url: str) -> Path | None:
    path = make_url(url).database
    return Path(path) if path and path != ":memory:" else None


def open_engine(url: str) -> Engine:
    """A new engine for ``url`` with the app's connection settings, neither upgraded nor cached (tests and
    tools that run the upgrade themselves); :func:`get_engine` is the one the app uses."""
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _create_private(path: Path) -> None:
    """Create an absent database file owner-only (0600) before SQLite opens it (SQLite gives its WAL and
    shared-memory files the same permissions); a file an older version left readable by others is made
    owner-only too."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(OSError):  # absent, or not ours to change: SQLite reports what matters
                if file.stat().st_mode & 0o077:
                    file.chmod(0o600)
        return
    os.close(fd)


def _check_reachable(engine: Engine, url: str) -> None:
    """DatabaseUnavailable naming the database when it cannot be connected to."""
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        raise DatabaseUnavailable(f"cannot reach {describe(url)} ({_reason(exc)})") from None


@contextmanager
def _first_start_lock(engine: Engine) -> Iterator[None]:
    """Held while the schema is upgraded and the shipped catalog seeded, so concurrent starts wait."""
    path = migrate.sqlite_file(engine)
    if path is not None:
        lock = path.with_name(path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_file(fd)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock
        return
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _FIRST_START_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _FIRST_START_KEY})
                conn.commit()
        return
    yield


_FIRST_START_KEY = 7314159266


def _lock_file(fd: int) -> None:
    """Block until this process holds an exclusive lock on the open file ``fd``."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
        import msvcrt
        import time

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError:
                time.sleep(0.1)
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)


def get_engine(
    url: str | None = None, *, seed: bool = True, catalog_dir: Traversable | Path | None = None
) -> Engine:
    """The process-wide engine for ``url``: schema upgraded, shipped catalog seeded (``seed=True``).

    ``catalog_dir`` replaces the packaged catalog CSVs (tests simulate a newer shipped catalog with it).
    """
    resolved = resolve_url(url)
    with _lock:
        engine = _engines.get(resolved)
        fresh = engine is None
        seeding = seed and (resolved not in _seeded or catalog_dir is not None)
        if engine is None:
            engine = open_engine(resolved)
        if fresh or seeding:
            try:
                if fresh:
                    _check_reachable(engine, resolved)
                with _first_start_lock(engine):
                    if fresh:
                        migrate.upgrade(engine)
                    if seeding:
                        shipped.sync_shipped(engine, catalog_dir)
            except BaseException:
                if fresh:
                    engine.dispose()
                raise
            _engines[resolved] = engine
            if seeding:
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
