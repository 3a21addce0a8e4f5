"""The shipped catalog (resources/catalog/*.csv) into the database.

On first start every shipped row is bulk-inserted. When the app ships a newer catalog (its CSVs'
fingerprint differs from the one stored in ``catalog_meta``), shipped rows are updated and new ones
added; a row whose origin is user or imported is never overwritten or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

from db import history
from db.io import CatalogImportError, CellError, ImportReport, gpu_names, parse_rows, upsert_rows
from db.schema import SPECS
from db.tables import CatalogMetaRow
from db.transactions import write_scope
from planner import clock
from resources import resource

FINGERPRINT_KEY = "shipped_catalog_sha256"
CATALOG_FILES = {name: f"{name}.csv" for name in SPECS}
HISTORY_FILE = "price_history.csv"
"""Earlier prices of shipped rows (value, as-of, source): seeded into the price history with the rows."""


@dataclass(frozen=True)
class SyncReport:
    fingerprint: str
    tables: tuple[ImportReport, ...]  # empty when the database already held this catalog

    @property
    def changed(self) -> bool:
        return bool(self.tables)


def shipped_dir() -> Traversable:
    return resource("catalog")


def _read(source: Traversable | Path, name: str) -> bytes:
    return (source / CATALOG_FILES[name]).read_bytes()


def fingerprint(source: Traversable | Path | None = None) -> str:
    src = source if source is not None else shipped_dir()
    digest = hashlib.sha256()
    for name in SPECS:
        digest.update(name.encode())
        digest.update(_read(src, name))
    history_file = src / HISTORY_FILE
    if history_file.is_file():
        digest.update(HISTORY_FILE.encode())
        digest.update(history_file.read_bytes())
    return digest.hexdigest()


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    import csv
    import io

    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if not header:
            header = [c.strip() for c in cells]
        else:
            rows.append((reader.line_num, cells))
    return header, rows


@contextmanager
def _catalog_lock(session: Session) -> Iterator[None]:
    """Serialise concurrent first starts against one PostgreSQL database (no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7314159265)"))
    yield


def _seed_history(session: Session, src: Traversable | Path, today: dt.date) -> None:
    history_file = src / HISTORY_FILE
    if not history_file.is_file():
        return
    header, rows = _rows(history_file.read_bytes())
    points, problems = history.parse_history_file(header, rows, today=today)
    if problems:
        raise CatalogImportError(
            [CellError(line, "-", reason) for line, reason in problems],
            f"shipped catalog {HISTORY_FILE}",
        )
    for table, table_points in points.items():
        history.record_points(session, table, table_points)


def sync_shipped(
    engine: Engine, source: Traversable | Path | None = None, *, force: bool = False
) -> SyncReport:
    """Seed or update the shipped catalog from ``source`` (default: the packaged CSVs); one transaction."""
    src = source if source is not None else shipped_dir()
    stamp = fingerprint(src)
    with write_scope(engine, "catalog-import") as session, _catalog_lock(session):
        meta = session.get(CatalogMetaRow, FINGERPRINT_KEY)
        if meta is not None and meta.value == stamp and not force:
            return SyncReport(stamp, ())
        reports = []
        for name, spec in SPECS.items():
            header, rows = _rows(_read(src, name))
            values, errors = parse_rows(
                spec, header, rows, known_gpus=gpu_names(session), today=clock.today()
            )
            if errors:
                raise CatalogImportError(errors, f"shipped catalog {CATALOG_FILES[name]}")
            reports.append(upsert_rows(session, spec, values, "shipped"))
            session.flush()
        _seed_history(session, src, clock.today())
        if meta is None:
            session.add(CatalogMetaRow(key=FINGERPRINT_KEY, value=stamp))
        else:
            meta.value = stamp
        return SyncReport(stamp, tuple(reports))
