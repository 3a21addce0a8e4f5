"""The ECB euro reference-rate history: the copy shipped in resources/fx/, overlaid with what imported ECB
files added or corrected (table ``fx_history``). One transaction per import; a bad file writes nothing.

Look-ups (:func:`history`, :func:`rate`) return :mod:`planner.fx` values; rows never leave this module.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import Session, col

from db.fx_tables import EuroRateRow
from db.tables import CatalogMetaRow
from db.transactions import write_scope
from planner.files import SHARED, write_atomic
from planner.fx import (
    ECB_HISTORY_URL,
    EuroRate,
    FxFileError,
    FxFileProblem,
    FxHistory,
    parse_ecb_csv,
    rate_on,
    to_ecb_csv,
)
from planner.money import FxRate
from resources import resource

SHIPPED_FILE = "eurofxref-hist.csv"
REVISION_KEY = "fx_history_revision"


@lru_cache(maxsize=1)
def shipped_history() -> FxHistory:
    """The history shipped with the app (resources/fx/eurofxref-hist.csv), parsed once per process."""
    text = resource("fx", SHIPPED_FILE).read_text(encoding="utf-8")
    return FxHistory(parse_ecb_csv(text, source=ECB_HISTORY_URL, what="the shipped ECB history"))


def _imported(session: Session) -> list[EuroRate]:
    rows = session.execute(
        select(
            col(EuroRateRow.currency),
            col(EuroRateRow.as_of),
            col(EuroRateRow.per_eur),
            col(EuroRateRow.source_url),
        )
    ).all()
    return [EuroRate(c, d, r, s) for c, d, r, s in rows]


_merged: dict[str, tuple[tuple[object, ...], FxHistory]] = {}


def history(engine: Engine) -> FxHistory:
    """Shipped ECB history with every imported rate laid over it (an import wins on the same day).

    Kept per database until an import changes the ``fx_history`` table (each import bumps a revision in
    ``catalog_meta``), so calling it for each conversion costs one small query.
    """
    with Session(engine) as session:
        meta = session.get(CatalogMetaRow, REVISION_KEY)
        count = session.execute(select(func.count()).select_from(EuroRateRow)).scalar_one()
        stamp: tuple[object, ...] = (meta.value if meta is not None else "", count)
        key = engine.url.render_as_string(hide_password=False)
        cached = _merged.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        imported = _imported(session)
    merged = shipped_history().overlaid(imported) if imported else shipped_history()
    _merged[key] = (stamp, merged)
    return merged


def rate(engine: Engine, base: str, quote: str, on: dt.date) -> FxRate:
    """1 ``base`` = ``rate`` ``quote`` as of ``on`` (see :func:`planner.fx.rate_on`); LookupError if none."""
    return rate_on(history(engine), base, quote, on)


def read_ecb_file(path: str | Path, *, today: dt.date) -> tuple[EuroRate, ...]:
    """The rates of an ECB CSV file, or of a zip holding one; FxFileError naming the file and its lines."""
    path = Path(path)
    what = path.name
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                found = ", ".join(members) or "none"
                raise FxFileError(
                    what, [FxFileProblem(1, f"the zip must hold exactly one CSV file (found: {found})")]
                )
            what = f"{path.name} ({members[0]})"
            data = archive.read(members[0])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FxFileError(what, [FxFileProblem(line, "is not UTF-8 text")]) from exc
    return parse_ecb_csv(text, not_after=today, what=what)


def _bump_revision(session: Session) -> None:
    meta = session.get(CatalogMetaRow, REVISION_KEY)
    if meta is None:
        session.add(CatalogMetaRow(key=REVISION_KEY, value="1"))
    else:
        meta.value = str(int(meta.value) + 1)
    session.flush()


@dataclass(frozen=True)
class FxImportReport:
    """What one import did: ``added`` new publications, ``changed`` ones that differed, ``unchanged`` ones
    already known (shipped or imported before). ``first``/``last`` span the file; ``newest`` is the newest
    publication known after the import."""

    file: str
    added: int
    changed: int
    unchanged: int
    first: dt.date
    last: dt.date
    currencies: tuple[str, ...]
    newest: dt.date

    def summary(self) -> str:
        return (
            f"{self.file}: ECB rates of {len(self.currencies)} currencies from {self.first.isoformat()} to "
            f"{self.last.isoformat()}: {self.added} added, {self.changed} corrected, {self.unchanged} already "
            f"known; newest rates now {self.newest.isoformat()}"
        )


def import_ecb_file(engine: Engine, path: str | Path, *, now: dt.datetime) -> FxImportReport:
    """Import an ECB rates file (see :func:`read_ecb_file`) in one transaction.

    A publication equal to the shipped or an already imported one is counted as known and not stored
    again; a different value for the same currency and day replaces the stored one (the ECB's file is
    the authority). FxFileError (nothing written) for a bad file.
    """
    rates = read_ecb_file(path, today=now.date())
    shipped = shipped_history()
    added = changed = unchanged = 0
    with write_scope(engine, "fx-import") as session:  # a concurrent import of the file waits, then merges
        stored = {
            (c, d): (i, r)
            for i, c, d, r in session.execute(
                select(
                    col(EuroRateRow.id),
                    col(EuroRateRow.currency),
                    col(EuroRateRow.as_of),
                    col(EuroRateRow.per_eur),
                )
            ).all()
        }
        inserts: list[dict[str, object]] = []
        updates: list[dict[str, object]] = []
        for point in rates:
            key = (point.currency, point.as_of)
            if key in stored:
                row_id, per_eur = stored[key]
                if per_eur == point.per_eur:
                    unchanged += 1
                    continue
                updates.append(
                    {"id": row_id, "per_eur": point.per_eur, "source_url": point.source, "imported_at": now}
                )
                changed += 1
                continue
            known = shipped.get(point.currency, point.as_of)
            if known is not None and known.per_eur == point.per_eur:
                unchanged += 1
                continue
            inserts.append(
                {
                    "currency": point.currency,
                    "as_of": point.as_of,
                    "per_eur": point.per_eur,
                    "source_url": point.source,
                    "imported_at": now,
                }
            )
            if known is None:
                added += 1
            else:
                changed += 1
        if inserts:
            session.execute(insert(EuroRateRow), inserts)
        if updates:
            session.execute(update(EuroRateRow), updates)
        if inserts or updates:
            _bump_revision(session)
        merged = shipped.overlaid(_imported(session))
    days = [r.as_of for r in rates]
    return FxImportReport(
        file=Path(path).name,
        added=added,
        changed=changed,
        unchanged=unchanged,
        first=min(days),
        last=max(days),
        currencies=tuple(sorted({r.currency for r in rates})),
        newest=merged.newest() or max(days),
    )


def export_ecb_csv(engine: Engine, path: str | Path, *, since: dt.date | None = None) -> int:
    """Write the whole history (shipped + imported), from ``since`` on, in the ECB's history layout.

    The file is written next to its target and moved into place, so a failure leaves no half file.
    Returns the number of publication days written.
    """
    known = history(engine)
    if since is not None:
        known = FxHistory(p for p in known.points() if p.as_of >= since)
    text = to_ecb_csv(known)
    target = Path(path)
    write_atomic(target, text, mode=SHARED)
    return len({p.as_of for p in known.points()})
