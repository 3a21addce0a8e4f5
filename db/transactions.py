"""Writers that must not interleave: one transaction, entered one at a time across processes.

An import reads what is stored, decides what to insert or update, and writes. Two processes doing that at
once on the same data would both decide "insert" and one would fail on the unique key (or, without one,
store a duplicate). :func:`write_scope` makes such a transaction wait for the other one to finish, so it
reads the rows the first one wrote: the second import of a file merges (nothing changed) or is refused as
already imported.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlmodel import Session

WRITE_OPTION = "planner_write"
"""Execution option read by db.session's SQLite BEGIN hook: ``BEGIN IMMEDIATE`` instead of ``BEGIN``."""


@contextmanager
def write_scope(engine: Engine, lock: str) -> Iterator[Session]:
    """A session inside one transaction that writers of ``lock`` ("catalog-import", "quotes", "projects")
    enter one at a time: SQLite takes its write lock at BEGIN (``BEGIN IMMEDIATE``, waiting up to the busy
    timeout; it serialises every writer of the file), PostgreSQL a transaction-level advisory lock on
    ``lock``. Committed on success, rolled back on any exception."""
    sqlite = engine.dialect.name == "sqlite"
    bind = engine.execution_options(**{WRITE_OPTION: True}) if sqlite else engine
    with Session(bind) as session, session.begin():
        if engine.dialect.name == "postgresql":
            key = zlib.crc32(lock.encode("utf-8"))
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        yield session
