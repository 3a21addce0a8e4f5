"""What the analysis needs from the catalog, as a small protocol that ``db`` implements.

The analysis never opens storage: the caller passes a :class:`CatalogSource` (``db.analysis_catalog``
over the user's database, or :class:`MemoryCatalog` over plain values in tests and for projects that name
no catalog row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from planner.catalog import FxRate, Gpu, ModelArch, ServerPlatform


class CatalogSource(Protocol):
    """Read-only catalog lookups. ``model``/``gpu``/``fx_rate`` raise LookupError naming what is missing."""

    def model(self, name: str) -> ModelArch: ...

    def gpu(self, name: str) -> Gpu: ...

    def gpus(self) -> Sequence[Gpu]: ...

    def servers(self) -> Mapping[str, ServerPlatform]:
        """Server platforms by model name (as quotes map them)."""
        ...

    def fx_rate(self, base: str, quote: str, on: dt.date) -> FxRate: ...


@dataclass(frozen=True)
class MemoryCatalog:
    """A :class:`CatalogSource` over values in memory (tests; projects that need no database)."""

    models: Mapping[str, ModelArch] = field(default_factory=dict)
    gpu_rows: Mapping[str, Gpu] = field(default_factory=dict)
    server_rows: Mapping[str, ServerPlatform] = field(default_factory=dict)
    rates: Sequence[FxRate] = ()

    @classmethod
    def of(
        cls,
        models: Iterable[ModelArch] = (),
        gpus: Iterable[Gpu] = (),
        servers: Iterable[ServerPlatform] = (),
        rates: Iterable[FxRate] = (),
    ) -> MemoryCatalog:
        return cls(
            {m.name: m for m in models},
            {g.name: g for g in gpus},
            {s.model: s for s in servers},
            tuple(rates),
        )

    def model(self, name: str) -> ModelArch:
        try:
            return self.models[name]
        except KeyError:
            raise LookupError(f"no model named {name!r} in the catalog") from None

    def gpu(self, name: str) -> Gpu:
        try:
            return self.gpu_rows[name]
        except KeyError:
            raise LookupError(f"no GPU named {name!r} in the catalog") from None

    def gpus(self) -> Sequence[Gpu]:
        return tuple(self.gpu_rows.values())

    def servers(self) -> Mapping[str, ServerPlatform]:
        return self.server_rows

    def fx_rate(self, base: str, quote: str, on: dt.date) -> FxRate:
        if base == quote:
            return FxRate(base, quote, 1.0, on, "identity", "shipped")
        best: FxRate | None = None
        for r in self.rates:
            for cand in (r, _inverse(r)):
                usable = (cand.base, cand.quote) == (base, quote) and cand.as_of <= on
                if usable and (best is None or cand.as_of > best.as_of):
                    best = cand
        if best is None:
            raise LookupError(f"no {base}/{quote} exchange rate on or before {on.isoformat()} in the catalog")
        return best


EMPTY_CATALOG = MemoryCatalog()
"""For projects whose workloads carry GPU-hours and embedded models: nothing to look up."""


def _inverse(r: FxRate) -> FxRate:
    return FxRate(r.quote, r.base, 1.0 / r.rate, r.as_of, r.source_url, r.origin)
