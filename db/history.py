"""Price history: every price a catalog item has had (value, as-of, source), kept across refreshes.

Points are written by the same transaction that writes the catalog row (:func:`db.io.upsert_rows`),
one per price column that has a value; a point already held for that item, price and date is left
alone unless its value changed (a correction on the same date replaces it). Readers return
``planner.price_trend.PricePoint`` values, never rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session

from db.schema import SPECS, TableSpec
from db.tables import PriceHistoryRow
from planner.price_trend import PricePoint, PriceTrend, group_trend

PRICE_COLUMNS: dict[str, dict[str, str]] = {
    "cloud": {
        "on_demand": "on_demand_per_hour",
        "spot": "spot_per_hour",
        "reserved_1y": "reserved_1y_per_hour",
        "reserved_3y": "reserved_3y_per_hour",
    },
    "gpus": {"price_low": "price_low_usd", "price_high": "price_high_usd"},
    "servers": {"list": "list_price_usd"},
}
"""Per table: the name a price has in the history -> the catalog column holding it."""

PRICING_LABELS = {
    "on_demand": "on-demand",
    "spot": "spot",
    "reserved_1y": "1-year reserved",
    "reserved_3y": "3-year reserved",
    "price_low": "low price",
    "price_high": "high price",
    "list": "list price",
}

KEY_SEPARATOR = " | "
_TABLE: Any = PriceHistoryRow.__table__  # type: ignore[attr-defined]


def item_key(spec: TableSpec, values: Mapping[str, Any]) -> str:
    """The natural key of a catalog row as one string (cloud: provider | instance | region | kind)."""
    return KEY_SEPARATOR.join(str(values[k]) for k in spec.key)


def _points(spec: TableSpec, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    key = item_key(spec, values)
    currency = str(values.get("currency") or "USD")
    return [
        {
            "table_name": spec.name,
            "item_key": key,
            "pricing": pricing,
            "value": float(values[column]),
            "currency": currency,
            "as_of": values["as_of"],
            "source": str(values["source_url"]),
        }
        for pricing, column in PRICE_COLUMNS[spec.name].items()
        if values.get(column) is not None
    ]


def record(session: Session, spec: TableSpec, rows: Iterable[Mapping[str, Any]]) -> int:
    """Add the prices of ``rows`` (catalog file values) to the history; points written."""
    if spec.name not in PRICE_COLUMNS:
        return 0
    return record_points(session, spec.name, [p for values in rows for p in _points(spec, values)])


def record_points(session: Session, table: str, wanted: Sequence[Mapping[str, Any]]) -> int:
    """Write history points of ``table`` (dicts with the PriceHistoryRow columns); points written."""
    if not wanted:
        return 0
    t = _TABLE.c
    held: dict[tuple[str, str, Any], tuple[int, float]] = {}
    query = select(t.id, t.item_key, t.pricing, t.as_of, t.value).where(t.table_name == table)
    for rec in session.execute(query):
        held[(rec[1], rec[2], rec[3])] = (rec[0], rec[4])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for point in wanted:
        found = held.get((point["item_key"], point["pricing"], point["as_of"]))
        if found is None:
            inserts.append(dict(point))
            held[(point["item_key"], point["pricing"], point["as_of"])] = (-1, point["value"])
        elif found[0] >= 0 and abs(found[1] - point["value"]) > 1e-9 * max(1.0, abs(found[1])):
            updates.append({"id": found[0], "value": point["value"], "source": point["source"]})
    if inserts:
        session.execute(insert(PriceHistoryRow), inserts)
    if updates:
        session.execute(update(PriceHistoryRow), updates)
    return len(inserts) + len(updates)


def series(engine: Engine, table: str, key: str) -> dict[str, list[PricePoint]]:
    """Every price of one item, per pricing name, oldest first (``key`` as :func:`item_key` builds it)."""
    t = _TABLE.c
    query = (
        select(t.pricing, t.as_of, t.value, t.currency, t.source)
        .where(t.table_name == table, t.item_key == key)
        .order_by(t.pricing, t.as_of)
    )
    out: dict[str, list[PricePoint]] = {}
    with engine.connect() as conn:
        for pricing, as_of, value, currency, source in conn.execute(query):
            out.setdefault(pricing, []).append(PricePoint(as_of, float(value), currency, source))
    return out


def all_series(engine: Engine, table: str, pricing: str) -> dict[str, list[PricePoint]]:
    """One price (e.g. cloud on_demand) of every item of ``table``: item key -> points, oldest first."""
    t = _TABLE.c
    query = (
        select(t.item_key, t.as_of, t.value, t.currency, t.source)
        .where(t.table_name == table, t.pricing == pricing)
        .order_by(t.item_key, t.as_of)
    )
    out: dict[str, list[PricePoint]] = {}
    with engine.connect() as conn:
        for key, as_of, value, currency, source in conn.execute(query):
            out.setdefault(key, []).append(PricePoint(as_of, float(value), currency, source))
    return out


def split_key(table: str, key: str) -> Sequence[str]:
    """The natural-key fields of an item key, in the table's key order."""
    parts = key.split(KEY_SEPARATOR)
    if len(parts) != len(SPECS[table].key):
        raise ValueError(f"not a {table} item key: {key!r}")
    return parts


HISTORY_FILE_HEADER = ("table", "item_key", "pricing", "value", "currency", "as_of", "source_url")


def parse_history_file(
    header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]], *, today: dt.date
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[int, str]]]:
    """Points of a price-history CSV (the shipped ``price_history.csv``) per table, and every problem
    as (line, reason)."""
    problems: list[tuple[int, str]] = []
    if tuple(header) != HISTORY_FILE_HEADER:
        return {}, [(1, f"the header must be {', '.join(HISTORY_FILE_HEADER)}")]
    out: dict[str, list[dict[str, Any]]] = {}
    for line, cells in rows:
        v = dict(zip(HISTORY_FILE_HEADER, (c.strip() for c in cells), strict=False))
        table, pricing = v.get("table", ""), v.get("pricing", "")
        if table not in PRICE_COLUMNS or pricing not in PRICE_COLUMNS[table]:
            problems.append((line, f"no price {pricing!r} in table {table!r}"))
            continue
        try:
            split_key(table, v["item_key"])
            value = float(v["value"])
            as_of = dt.date.fromisoformat(v["as_of"])
        except (KeyError, ValueError) as exc:
            problems.append((line, str(exc)))
            continue
        if not value > 0 or as_of > today or not re.fullmatch(r"[A-Z]{3}", v.get("currency", "")):
            problems.append(
                (line, "the value must be above 0, the date not in the future, the currency a code")
            )
            continue
        if not v.get("source_url", "").startswith(("http://", "https://")):
            problems.append((line, "no source URL"))
            continue
        out.setdefault(table, []).append(
            {
                "table_name": table,
                "item_key": v["item_key"],
                "pricing": pricing,
                "value": value,
                "currency": v["currency"],
                "as_of": as_of,
                "source": v["source_url"],
            }
        )
    return out, problems


def cloud_price_trend(
    engine: Engine, *, gpu_name: str | None = None, provider: str | None = None, pricing: str = "on_demand"
) -> PriceTrend | None:
    """The pooled trend of cloud prices (default on-demand) of every SKU with ``gpu_name`` (a GPU
    generation, e.g. "H100 SXM") and/or ``provider``, from the stored history; None when too short.

    The decision engine's default cloud price trend: ``trend.annual_change`` with ``trend.sources``.
    """
    cloud: Any = SPECS["cloud"].row.__table__  # type: ignore[attr-defined]
    wanted: set[str] = set()
    with engine.connect() as conn:
        for rec in conn.execute(select(*(cloud.c[k] for k in SPECS["cloud"].key), cloud.c.gpu_name)):
            if (gpu_name is None or rec[-1] == gpu_name) and (provider is None or rec[0] == provider):
                wanted.add(KEY_SEPARATOR.join(str(v) for v in rec[:-1]))
    histories = {k: v for k, v in all_series(engine, "cloud", pricing).items() if k in wanted}
    return group_trend(histories)
