"""The catalog filter language: parse what the user types into terms the table model evaluates (no Qt).

A query is whitespace-separated terms, every one of which a row must match (AND):

- ``h100`` or ``"h100 sxm"``: text found in any *visible* column's shown text (case-insensitive; a
  quoted phrase keeps its spaces); the table model also lets a word of a shown column's header match
  the rows with a value in that column (``spot h100``: H100 rows that have a spot price);
- ``region:us-east``: text found in one column;
- ``mem>=80``, ``$/gpu-h<3``, ``gpus=8``, ``mem:40..80``: a number compared with a numeric column (the
  figure as shown, before rounding: percentages in percent, money in the column's currency);
- ``as-of>=2026-01``: a date compared with a date column (a year or a month compares by prefix);
- ``vendor=nvidia``, ``provider!=aws``: a whole cell equal (or not) to the text;
- ``-word`` or ``-col:value``: the opposite of the term.

A column is named by its header (``"spot $/gpu-h"`` in quotes, or without its spaces: ``spot$/gpu-h``),
by its header without the unit in brackets (``mem`` for "Mem (GB)"), by its internal key, or by any
unambiguous start of those. Spaces, ``-`` and ``_`` in names are ignored when comparing.

Errors raise ``FilterError`` with one sentence naming the term and what to type instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "number", "percent", "date"]
Op = Literal["<", "<=", ">", ">=", "=", "!="]
SEP = "\x1f"
"""Separator of the cells in a row's search string (no term can contain it)."""


class FilterError(ValueError):
    """A query that cannot be read; the message is one sentence for the user."""


@dataclass(frozen=True)
class Field:
    """A column the filter can name: ``index`` is the model's column number."""

    index: int
    key: str
    label: str  # the header on one line, e.g. "Mem (GB)"
    kind: FieldKind = "text"
    visible: bool = True

    @property
    def short(self) -> str:
        """The name shown in error messages: header without its bracketed unit, no spaces."""
        base = _UNIT.sub("", self.label).strip() or self.label
        return "-".join(base.lower().split())


@dataclass(frozen=True)
class TextTerm:
    """``phrase`` (lower-case) in a visible column (any, or only ``column`` when given)."""

    phrase: str
    column: int | None = None
    negate: bool = False


@dataclass(frozen=True)
class CompareTerm:
    """A cell compared with ``value``: a float (numeric column), an ISO date prefix or a lower-case text."""

    column: int
    op: Op
    value: float | str
    kind: FieldKind
    negate: bool = False


Term = TextTerm | CompareTerm


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __add__(self, other: Query) -> Query:
        return Query(self.terms + other.terms)


_UNIT = re.compile(r"\s*\([^)]*\)")
_OPERATOR = re.compile(r"<=|>=|!=|=|<|>|:")
_RANGE = re.compile(r"^(?P<low>.*?)\.\.(?P<high>.*)$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SPACES = re.compile(r"[\s_\-]+")


def _canon(name: str) -> str:
    return _SPACES.sub("", name.lower())


def _names(f: Field) -> set[str]:
    return {_canon(f.label), _canon(_UNIT.sub("", f.label)), _canon(f.key)} - {""}


def resolve_column(name: str, fields: Sequence[Field]) -> Field:
    """The field ``name`` designates (exact name first, then an unambiguous start of one)."""
    wanted = _canon(name)
    if not wanted:
        raise FilterError("a column name is missing before the operator")
    exact = [f for f in fields if wanted in _names(f)]
    found = exact or [f for f in fields if any(n.startswith(wanted) for n in _names(f))]
    shown = [f for f in found if f.visible]
    if len(shown) == 1:
        return shown[0]
    if len(shown) > 1:
        choices = ", ".join(f.short for f in shown)
        raise FilterError(f"column '{name}' is ambiguous: it could be {choices}")
    if found:
        raise FilterError(
            f"column '{found[0].label}' is hidden; show it (right-click a column header) to filter on it"
        )
    columns = ", ".join(f.short for f in fields if f.visible)
    raise FilterError(f"unknown column '{name}'; columns are {columns}")


# ---------------------------------------------------------------------------------------- tokens
@dataclass(frozen=True)
class _Chunk:
    text: str
    quoted: bool


def _tokens(text: str) -> list[list[_Chunk]]:
    """Split at unquoted whitespace; each token keeps its quoted and unquoted parts apart."""
    tokens: list[list[_Chunk]] = []
    current: list[_Chunk] = []
    buf: list[str] = []
    i, n = 0, len(text)

    def flush_buf() -> None:
        if buf:
            current.append(_Chunk("".join(buf), False))
            buf.clear()

    while i < n:
        ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise FilterError(f'a quote is not closed in {text[i:]!s}: add the closing "')
            flush_buf()
            current.append(_Chunk(text[i + 1 : end], True))
            i = end + 1
            continue
        if ch.isspace():
            flush_buf()
            if current:
                tokens.append(current)
                current = []
        else:
            buf.append(ch)
        i += 1
    flush_buf()
    if current:
        tokens.append(current)
    return tokens


def _display(token: list[_Chunk]) -> str:
    return "".join(f'"{c.text}"' if c.quoted else c.text for c in token)


def _split_operator(token: list[_Chunk]) -> tuple[str, str, str] | None:
    """(column, operator, value) at the first operator outside quotes, or None for plain text."""
    for k, chunk in enumerate(token):
        if chunk.quoted:
            continue
        m = _OPERATOR.search(chunk.text)
        if m is None:
            continue
        before = "".join(c.text for c in token[:k]) + chunk.text[: m.start()]
        after = chunk.text[m.end() :] + "".join(c.text for c in token[k + 1 :])
        return before, m.group(), after
    return None


# ---------------------------------------------------------------------------------------- values
def parse_number(text: str, kind: FieldKind, term: str) -> float:
    """A number as typed: ``$2.50``, ``1,200``, ``3k``, ``64%`` (percent columns take percent)."""
    raw = text.strip().replace(",", "").replace("_", "").lstrip("$€£")
    percent = raw.endswith("%")
    raw = raw.rstrip("%")
    scale = 1.0
    if raw[-1:].lower() == "k":
        raw, scale = raw[:-1], 1000.0
    try:
        number = float(raw) * scale
    except ValueError:
        raise FilterError(f"'{text}' in {term} is not a number; type e.g. 80 or 2.5") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FilterError(f"'{text}' in {term} is not a number; type e.g. 80 or 2.5")
    if kind == "percent":
        return number / 100.0
    if percent:
        raise FilterError(f"{term}: only percentage columns take a %")
    return number


def parse_date(text: str, term: str) -> str:
    """An ISO date or its start (``2026``, ``2026-03``, ``2026-03-15``), checked, as the prefix to compare."""
    value = text.strip()
    if not _DATE.match(value):
        raise FilterError(f"'{text}' in {term} is not a date; type e.g. 2026-03-15, 2026-03 or 2026")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise FilterError(f"'{text}' in {term} is not a calendar date") from None
    return value


def _compare(field: Field, op: Op | Literal[":"], value: str, term: str, negate: bool) -> list[Term]:
    if field.kind == "date":
        m = _RANGE.match(value)
        if m and op == ":":
            return _range(field, m, term, negate)
        return [CompareTerm(field.index, _op(op), parse_date(value, term), "date", negate)]
    if field.kind in ("number", "percent"):
        m = _RANGE.match(value)
        if m and op == ":":
            return _range(field, m, term, negate)
        return [CompareTerm(field.index, _op(op), parse_number(value, field.kind, term), field.kind, negate)]
    if op in ("=", "!="):
        return [CompareTerm(field.index, _op(op), value.lower(), "text", negate)]
    raise FilterError(
        f"{term}: '{op}' compares numbers or dates and {field.label} is text; "
        f"type {field.short}:word to find a word in it"
    )


def _op(op: str) -> Op:
    if op not in ("<", "<=", ">", ">=", "=", "!="):
        raise FilterError(f"'{op}' is not a comparison; use <, <=, >, >=, = or !=")
    return op  # type: ignore[return-value]


def _range(field: Field, m: re.Match[str], term: str, negate: bool) -> list[Term]:
    low, high = m.group("low").strip(), m.group("high").strip()
    if not low and not high:
        raise FilterError(f"{term}: a range needs a start or an end, e.g. {field.short}:40..80")
    if negate:
        raise FilterError(f"{term}: a range cannot be negated; use {field.short}<low or {field.short}>high")
    out: list[Term] = []
    for bound, op in ((low, ">="), (high, "<=")):
        if bound:
            value: float | str = (
                parse_date(bound, term) if field.kind == "date" else parse_number(bound, field.kind, term)
            )
            out.append(CompareTerm(field.index, op, value, field.kind))  # type: ignore[arg-type]
    return out


# ----------------------------------------------------------------------------------------- parse
def parse_query(text: str, fields: Sequence[Field], default: Field | None = None) -> Query:
    """Parse ``text`` into a Query over ``fields``; ``default`` is the column of a per-column filter box.

    In a per-column box, a term without a column name applies to that column (``>=80``, ``h100``).
    """
    terms: list[Term] = []
    for token in _tokens(text.replace(SEP, " ")):
        shown = _display(token)
        negate = False
        if not token[0].quoted and token[0].text.startswith("-") and len(shown) > 1:
            negate = True
            first = _Chunk(token[0].text[1:], False)
            token = ([first] if first.text else []) + token[1:]
        split = _split_operator(token)
        if split is None:
            phrase = "".join(c.text for c in token).lower()
            if phrase:
                terms.append(TextTerm(phrase, None if default is None else default.index, negate))
            continue
        name, op, value = split
        if not name.strip():
            if default is None:
                raise FilterError(
                    f"'{shown}' needs a column name before '{op}', e.g. mem>=80 or region:us-east"
                )
            field = default
        else:
            field = resolve_column(name, fields)
        if not value.strip():
            raise FilterError(f"'{shown}' needs a value after '{op}', e.g. {field.short}{op}80")
        if op == ":":
            if field.kind != "text" and _RANGE.match(value.strip()):
                terms += _compare(field, ":", value.strip(), shown, negate)
            else:
                terms.append(TextTerm(value.lower(), field.index, negate))
            continue
        terms += _compare(field, _op(op), value, shown, negate)
    return Query(tuple(terms))


def narrows(new: Query, old: Query) -> bool:
    """True when every row matching ``new`` surely matches ``old`` (typing more of the same query)."""
    if len(new.terms) < len(old.terms):
        return False
    for o, n in zip(old.terms, new.terms, strict=False):
        if o == n:
            continue
        if (
            isinstance(o, TextTerm)
            and isinstance(n, TextTerm)
            and not o.negate
            and not n.negate
            and o.column == n.column
            and o.phrase in n.phrase
        ):
            continue
        return False
    return True
