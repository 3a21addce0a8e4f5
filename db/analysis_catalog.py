"""The catalog database as the analysis's :class:`planner.analysis.CatalogSource`.

Lookups go through :mod:`db.catalog` (the same name matching as everywhere: case, spaces and hyphens do
not matter); GPUs and server platforms are read once per source, so one analysis reads each table once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cached_property

from sqlalchemy.engine import Engine

from db import catalog as db_catalog
from planner.catalog import FxRate, Gpu, ModelArch, ServerPlatform


class DbCatalog:
    """Read-only catalog lookups for one analysis (build a new one per analysis) over ``engine``, or over
    the database at ``url`` (default: the user's), opened on the first lookup: a project that names no
    catalog row never opens the database."""

    def __init__(self, engine: Engine | None = None, *, url: str | None = None) -> None:
        self._engine = engine
        self._url = url

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from db.session import get_engine

            self._engine = get_engine(self._url)
        return self._engine

    def model(self, name: str) -> ModelArch:
        return db_catalog.get_model(self.engine, name)

    def gpu(self, name: str) -> Gpu:
        return db_catalog.get_gpu(self.engine, name)

    @cached_property
    def _gpus(self) -> tuple[Gpu, ...]:
        return tuple(db_catalog.list_gpus(self.engine))

    def gpus(self) -> Sequence[Gpu]:
        return self._gpus

    @cached_property
    def _servers(self) -> dict[str, ServerPlatform]:
        return {s.model: s for s in db_catalog.list_servers(self.engine)}

    def servers(self) -> Mapping[str, ServerPlatform]:
        return self._servers

    def fx_rate(self, base: str, quote: str, on: dt.date) -> FxRate:
        """The newest rate on or before ``on``: the ECB reference-rate history (db.fx, shipped and imported)
        or the catalog's FX table, whichever is more recent; a rate in the catalog table for the same day
        wins (the user's own). LookupError when neither has one."""
        from db import fx

        found: list[FxRate] = []
        with contextlib.suppress(LookupError):
            found.append(db_catalog.fx_rate(self.engine, base, quote, on=on))
        try:
            ecb = fx.rate(self.engine, base, quote, on)
            found.append(FxRate(ecb.base, ecb.quote, ecb.rate, ecb.as_of, ecb.source, "shipped"))
        except LookupError:
            pass
        if not found:
            raise LookupError(f"no {base}/{quote} exchange rate on or before {on.isoformat()}")
        return max(found, key=lambda r: r.as_of)  # max keeps the first of equals: the catalog table's
