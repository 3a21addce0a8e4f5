"""Alembic, run from code: the scripts are found next to this module (works from a wheel or a frozen build).

An existing SQLite file that is behind the newest revision is copied to a timestamped backup (SQLite's
online backup API, so the WAL is included; owner-only, written through :func:`planner.files.atomic_path`)
before it is upgraded in place. Each step runs in its own transaction (DDL and version stamp together, on
SQLite too), so a crash leaves the database at a step boundary and the next start continues from there; a
step that fails raises :class:`UpgradeFailed`, whose one sentence names the backup and how to restore it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from planner import clock
from planner.files import atomic_path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class UpgradeFailed(RuntimeError):
    """A schema upgrade step failed (that step was rolled back); the message says where the backup is."""

    def __init__(self, message: str, backup: Path | None) -> None:
        super().__init__(message)
        self.backup = backup


@dataclass(frozen=True)
class MigrationResult:
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    backup: Path | None


def alembic_config(script_location: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    return config


def head_revisions(script_location: Path | None = None) -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(script_location)).get_heads()))


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a file-backed SQLite engine, else None."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy ``path`` (with its WAL) to ``<stem>.backup-<label>-<UTC timestamp><suffix>``; return the copy."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.stem}.backup-{label}-{stamp}{path.suffix}")
    src = sqlite3.connect(str(path))
    try:
        with atomic_path(target) as tmp:
            dst = sqlite3.connect(str(tmp))
            try:
                src.backup(dst)
            finally:
                dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, *, script_location: Path | None = None) -> MigrationResult:
    """Bring the database to the newest revision(s); back up a behind SQLite file first."""
    heads = head_revisions(script_location)
    current = current_revisions(engine)
    if current == heads:
        return MigrationResult(current, heads, None)
    backup = None
    path = sqlite_file(engine)
    if current and path is not None and path.exists():
        backup = backup_sqlite(path, "-".join(current))
    config = alembic_config(script_location)
    try:
        with engine.connect() as conn:  # not in a transaction: env.py begins one per step
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")
    except Exception as exc:
        raise UpgradeFailed(_failure_sentence(engine, path, backup, exc), backup) from exc
    return MigrationResult(current, heads, backup)


def _failure_sentence(engine: Engine, path: Path | None, backup: Path | None, exc: Exception) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    why = f" ({reason[0]})" if reason else ""
    where = str(path) if path is not None else engine.url.render_as_string(hide_password=True)
    if backup is not None:
        return (
            f"The catalog database {where} could not be upgraded to this version of the app{why}; "
            f"the copy made just before the upgrade is {backup}: to go back to it, quit the app and copy "
            f"that file over {path}."
        )
    return (
        f"The catalog database {where} could not be upgraded to this version of the app{why}; "
        "the failed step was rolled back, so the database is as it was before that step."
    )
