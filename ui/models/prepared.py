"""Per-row facts a table model needs, computed off the GUI thread (pure Python, no Qt).

Building the lower-cased search string and the stale flag of 10,000 rows takes ~0.1-0.2 s here: the
page's database job does it on the lane, so the GUI thread only swaps the prepared rows in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from planner import clock
from planner.catalog import is_stale
from ui.models.columns import STALE_TABLES

STALE_WORD = "stale"


@dataclass(frozen=True)
class PreparedRows:
    table: str
    values: list[Any]
    stale: list[bool]
    search: list[str]  # lower-cased text of every field (+ "stale" for stale rows)


def search_text(value: Any, stale: bool) -> str:
    parts = [str(v) for v in vars(value).values() if v is not None]
    if stale:
        parts.append(STALE_WORD)
    return " ".join(parts).lower()


def prepare_rows(table: str, values: Iterable[Any], today: dt.date | None = None) -> PreparedRows:
    """Stale flags (12-month rule, not for model architectures) and search strings of ``values``."""
    rows = list(values)
    today = today or clock.today()
    check = table in STALE_TABLES
    stale = [bool(check and getattr(v, "as_of", None) and is_stale(v.as_of, today)) for v in rows]
    return PreparedRows(table, rows, stale, [search_text(v, s) for v, s in zip(rows, stale, strict=True)])
