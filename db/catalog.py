"""Read and edit the catalog; every function returns frozen ``planner.catalog`` values, never rows.

``where`` filters: plain text matches any text field (case-insensitive); ``field=value``,
``field!=value``, ``field<value``, ``field<=value``, ``field>value``, ``field>=value`` and
``field~text`` (contains) compare one field, several joined with `` and ``.
Example: ``provider=AWS and on_demand_per_hour<40``. A part shaped like ``field<op>value`` must name a
field and carry a value of its type (numbers may carry the import's units: ``memory_gb>80GB``), else
WhereError says which and lists the fields; words beside clauses are extra full-text terms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import operator
import re
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.io import upsert_rows
from db.schema import SPEC_BY_DOMAIN, SPECS, CellProblem, TableSpec, to_domain
from db.tables import FxRateRow
from db.transactions import write_scope
from planner import clock
from planner.catalog import CloudSku, FxRate, Gpu, ModelArch, ServerPlatform

T = TypeVar("T")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "!=": operator.ne,
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "~": lambda a, b: str(b).lower() in str(a).lower(),
}
_CLAUSE = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*)\s*(<=|>=|!=|=|<|>|~)\s*(.*?)\s*$")


def _rows(engine: Engine, spec: TableSpec) -> list[Any]:
    """All rows as domain values, read with a Core select (no ORM identity map: ~5x faster on 10k rows,
    and it holds the GIL in far shorter bursts, so a UI reading on a worker thread stays responsive)."""
    table: Any = spec.row.__table__  # type: ignore[attr-defined]
    names = [*spec.header, "origin"]
    stmt = select(*(table.c[n] for n in names)).order_by(*(table.c[k] for k in spec.key))
    out: list[Any] = []
    with engine.connect() as conn:
        # in slices: one fetch of 50,000 rows is a single C call that holds the GIL for 0.1-0.2 s and
        # stalls the GUI thread; between slices the interpreter can switch threads
        for part in conn.execute(stmt).mappings().partitions(_FETCH_SLICE):
            out.extend(spec.to_domain(dict(m)) for m in part)
    return out


_FETCH_SLICE = 500


class WhereError(ValueError):
    """A ``where`` filter shaped like ``field<op>value`` that names no field or carries a bad value."""


def _matcher(where: str | None, spec: TableSpec) -> Callable[[Any], bool]:
    """Filter for ``where``: clauses and plain words, all of which must match (see the module doc).

    Text with no ``field<op>value`` part is one full-text needle. A part shaped like a clause must name
    a field and carry a value of the field's type, else WhereError says what is wrong.
    """
    if not where or not where.strip():
        return lambda _v: True
    types = _field_types(spec.domain)
    text_fields = [f for f, t in types.items() if t is str]
    parts = [c for c in re.split(r"\s+and\s+", where.strip(), flags=re.I) if c.strip()]
    shaped = [_CLAUSE.match(c) for c in parts]
    if not any(shaped):
        needles = [where.strip().lower()]
        tests: list[tuple[str, Callable[[Any, Any], bool], Any]] = []
    else:
        needles = [p.strip().lower() for p, m in zip(parts, shaped, strict=True) if m is None]
        tests = [_clause(m, types, spec) for m in shaped if m is not None]

    def match(value: Any) -> bool:
        for needle in needles:
            if not any(needle in str(getattr(value, f) or "").lower() for f in text_fields):
                return False
        for name, op, wanted in tests:
            actual = getattr(value, name)
            try:
                if actual is None or not op(actual, wanted):
                    return False
            except TypeError:
                return False
        return True

    return match


def _field_types(domain: type) -> dict[str, type]:
    """Field name -> base type (str, int, float, bool, dt.date) of a frozen catalog dataclass."""
    hints = typing.get_type_hints(domain)
    types: dict[str, type] = {}
    for f in dataclasses.fields(domain):
        hint = hints[f.name]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if typing.get_origin(hint) is typing.Literal:
            types[f.name] = str
        elif args and typing.get_origin(hint) is not None:
            types[f.name] = args[0] if isinstance(args[0], type) else str
        else:
            types[f.name] = hint if isinstance(hint, type) else str
    return types


def _clause(
    m: re.Match[str], types: dict[str, type], spec: TableSpec
) -> tuple[str, Callable[[Any, Any], bool], Any]:
    name, op, raw = m.group(1).lower(), m.group(2), m.group(3)
    if name not in types:
        close = difflib.get_close_matches(name, sorted(types), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise WhereError(
            f"--where {m.group(0).strip()!r}: no field {name!r} in {spec.name}; {hint}"
            f"fields: {', '.join(sorted(types))}"
        )
    if raw == "":
        raise WhereError(f"--where {m.group(0).strip()!r}: no value after {op!r}")
    if op == "~":
        return name, _OPS[op], raw
    return name, _OPS[op], _typed(name, raw, types[name], spec, m.group(0).strip())


def _typed(name: str, raw: str, kind: type, spec: TableSpec, clause: str) -> Any:
    if kind is bool:
        low = raw.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise WhereError(f"--where {clause!r}: {name} is true or false, not {raw!r}")
    if kind in (int, float):
        try:
            return float(raw.replace(",", ""))
        except ValueError:
            pass
        if name in spec.header:  # the units the import accepts: memory_gb>80GB
            try:
                return float(spec.column(name)._parse_text_number(raw))
            except CellProblem:
                pass
        raise WhereError(f"--where {clause!r}: {name} is a number and {raw!r} is not one")
    if kind is dt.date:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise WhereError(f"--where {clause!r}: {name} is a date (YYYY-MM-DD), not {raw!r}") from None
    return _Caseless(raw)


class _Caseless(str):
    """A text value compared case-insensitively (``vendor=amd`` finds AMD)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.lower())


def _list(engine: Engine, table: str, where: str | None) -> list[Any]:
    spec = SPECS[table]
    keep = _matcher(where, spec)  # before reading: a bad filter fails fast
    return [v for v in _rows(engine, spec) if keep(v)]


def list_gpus(engine: Engine, where: str | None = None) -> list[Gpu]:
    return _list(engine, "gpus", where)


def list_servers(engine: Engine, where: str | None = None) -> list[ServerPlatform]:
    return _list(engine, "servers", where)


def list_cloud_skus(engine: Engine, where: str | None = None) -> list[CloudSku]:
    return _list(engine, "cloud", where)


def list_models(engine: Engine, where: str | None = None) -> list[ModelArch]:
    return _list(engine, "models", where)


def list_fx(engine: Engine, where: str | None = None) -> list[FxRate]:
    return _list(engine, "fx", where)


def normalise_name(name: str) -> str:
    """Key for forgiving look-ups: case, spaces, hyphens and underscores do not matter."""
    return re.sub(r"[\s\-_]+", "", name).lower()


def _lookup(items: list[T], wanted: str, key: Callable[[T], str], what: str) -> T:
    target = normalise_name(wanted)
    for item in items:
        if normalise_name(key(item)) == target:
            return item
    names = [key(i) for i in items]
    by_norm = {normalise_name(n): n for n in names}
    close = [by_norm[n] for n in difflib.get_close_matches(target, list(by_norm), n=4, cutoff=0.5)]
    close += [n for n in names if target and target in normalise_name(n) and n not in close]
    hint = f"; close matches: {', '.join(close[:5])}" if close else ""
    raise LookupError(f"no {what} named {wanted!r} in the catalog{hint}")


def get_gpu(engine: Engine, name: str) -> Gpu:
    """The GPU called ``name`` (case/space/hyphen-insensitive); LookupError naming close matches."""
    return _lookup(list_gpus(engine), name, lambda g: g.name, "GPU")


def get_model(engine: Engine, name: str) -> ModelArch:
    """The model architecture called ``name``; LookupError naming close matches."""
    return _lookup(list_models(engine), name, lambda m: m.name, "model")


def get_server(engine: Engine, vendor: str, model: str) -> ServerPlatform:
    """The server platform ``vendor`` + ``model``; LookupError naming close matches."""
    return _lookup(list_servers(engine), f"{vendor} {model}", lambda s: f"{s.vendor} {s.model}", "server")


# ------------------------------------------------------------------------------------------------ FX


def _fx_direct(session: Session, base: str, quote: str, on: dt.date) -> FxRate | None:
    row = session.execute(
        select(FxRateRow)
        .where(FxRateRow.base == base, FxRateRow.quote == quote, FxRateRow.as_of <= on)  # type: ignore[arg-type]
        .order_by(FxRateRow.as_of.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar()
    return to_domain(SPECS["fx"], row) if row is not None else None


def _fx_pair(session: Session, base: str, quote: str, on: dt.date) -> FxRate | None:
    direct = _fx_direct(session, base, quote, on)
    if direct is not None:
        return direct
    inverse = _fx_direct(session, quote, base, on)
    if inverse is not None:
        return FxRate(base, quote, 1.0 / inverse.rate, inverse.as_of, inverse.source_url, inverse.origin)
    return None


def fx_rate(engine: Engine, base: str, quote: str, on: dt.date | None = None) -> FxRate:
    """1 ``base`` = ``rate`` ``quote``: the latest rate on or before ``on`` (default today).

    Uses the pair, else its inverse, else a cross rate through EUR or USD (as-of = the older leg).
    LookupError when no rate on or before ``on`` exists.
    """
    base, quote = base.upper(), quote.upper()
    on = on or clock.today()
    if base == quote:
        return FxRate(base, quote, 1.0, on, "identity", "shipped")
    with Session(engine) as session:
        found = _fx_pair(session, base, quote, on)
        if found is not None:
            return found
        for via in ("EUR", "USD"):
            if via in (base, quote):
                continue
            leg1, leg2 = _fx_pair(session, base, via, on), _fx_pair(session, via, quote, on)
            if leg1 is not None and leg2 is not None:
                return FxRate(
                    base,
                    quote,
                    leg1.rate * leg2.rate,
                    min(leg1.as_of, leg2.as_of),
                    f"{leg1.source_url} (cross via {via}) {leg2.source_url}",
                    leg1.origin if leg1.origin != "shipped" else leg2.origin,
                )
    raise LookupError(f"no {base}/{quote} exchange rate on or before {on.isoformat()} in the catalog")


# --------------------------------------------------------------------------------------- user rows


def _spec_for(value: object) -> TableSpec:
    spec = SPEC_BY_DOMAIN.get(type(value))
    if spec is None:
        raise TypeError(f"not a catalog value: {type(value).__name__}")
    return spec


def _file_values(spec: TableSpec, value: object) -> dict[str, Any]:
    values = {c.name: getattr(value, c.name, None) for c in spec.columns}
    if "notes" in values and values["notes"] is None:
        values["notes"] = ""
    return values


def _existing(session: Session, spec: TableSpec, value: object) -> Any:
    row_cls: Any = spec.row
    conds = [getattr(row_cls, k) == getattr(value, k) for k in spec.key]
    return session.execute(select(row_cls).where(*conds)).scalar()


def save_row(engine: Engine, value: object) -> None:
    """Insert or update a user row (origin "user"); ValueError if that would overwrite a shipped row."""
    spec = _spec_for(value)
    values = _file_values(spec, value)
    from db.io import gpu_names, parse_rows

    with write_scope(engine, "catalog-import") as session:  # one catalog writer at a time
        header = spec.header
        _, errors = parse_rows(
            spec,
            header,
            [(1, [values[h] for h in header])],
            known_gpus=gpu_names(session),
            today=clock.today(),
        )
        if errors:
            raise ValueError("; ".join(f"{e.column}: {e.reason}" for e in errors))
        old = _existing(session, spec, value)
        if old is not None and old.origin == "shipped":
            key = ", ".join(str(getattr(value, k)) for k in spec.key)
            raise ValueError(f"{key} is a shipped catalog row; save your figures under another name")
        upsert_rows(session, spec, [values], "user")


def delete_row(engine: Engine, value: object) -> None:
    """Delete a user or imported row (ValueError for a shipped row, LookupError if absent)."""
    spec = _spec_for(value)
    with write_scope(engine, "catalog-import") as session:
        old = _existing(session, spec, value)
        key = ", ".join(str(getattr(value, k)) for k in spec.key)
        if old is None:
            raise LookupError(f"{key} is not in the catalog")
        if old.origin == "shipped":
            raise ValueError(f"{key} is a shipped catalog row and cannot be deleted")
        session.delete(old)
        try:
            session.flush()
        except IntegrityError as exc:
            raise ValueError(f"{key} is still used by other catalog rows (servers or cloud SKUs)") from exc
