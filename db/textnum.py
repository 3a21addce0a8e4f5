"""Numbers, money and dates as people and vendors write them.

Two situations, two rules:

- **A person typing into a field** writes numbers the way their locale does: :func:`parse_user_number`
  reads them with babel's strict parser, so ``12,5`` in German is 12.5 and ``1,5`` in English is refused
  (it could be 1.5 or 15) with one sentence saying both readings.
- **A vendor file** states its own conventions: :func:`detect_decimal` looks at every amount of the file
  (``1.234,56``, ``289.500,00 €``, ``12,5`` settle a decimal comma; ``1,234.56`` a decimal point) and
  :func:`parse_money` reads one amount with the file's convention, returning the currency its symbol or
  code names (``€`` before or after the number, ``EUR``). :func:`detect_date_order` does the same for
  slashed dates (``dd/mm/yyyy`` vs ``mm/dd/yyyy``); :func:`parse_date` refuses a date that can be read
  both ways, naming both readings, unless the order is settled by the file, the vendor or the locale.
  Dotted dates (``14.08.2026``) are always day first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

DecimalMark = Literal[".", ","]
DateOrder = Literal["dmy", "mdy"]

CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "$": "USD",
    "US$": "USD",
    "CHF": "CHF",
    "¥": "JPY",
}
"""Symbols (and codes written like symbols) that name a currency in an amount."""
_ISO = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_PLAIN = re.compile(r"^\d+(?:[.,]\d+)*$")


class TextNumberError(ValueError):
    """A text that is not a number, amount or date as written; the message is one sentence."""


class AmbiguousNumberError(TextNumberError):
    """A typed number whose marks read two ways in the locale (``1,5`` in English: 1.5 or 15?)."""


class AmbiguousDateError(TextNumberError):
    """A date that reads two ways (``12/03/2026``: 12 March or December 3); ``readings`` holds both."""

    def __init__(self, text: str, readings: tuple[dt.date, dt.date]) -> None:
        self.text = text
        self.readings = readings
        day_first, month_first = readings
        super().__init__(
            f"{text!r} is ambiguous: {_long(day_first)} read day first, {_long(month_first)} read month "
            "first; say which (a day-first or month-first locale for the vendor, or an ISO date YYYY-MM-DD)"
        )


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B} {day.year}"


# ------------------------------------------------------------------------------------------ typed input


@lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def locale_name(name: str) -> str:
    """The locale's name in English ("German (Germany)"), for messages."""
    return _locale(name).get_display_name("en") or name


def parse_user_number(text: str, locale: str) -> Decimal:
    """A number typed by a user of ``locale`` ("de_DE", "en_US"...): babel's strict reading.

    ``12,5`` in de is 12.5, ``1.234,56`` in de is 1234.56; ``1,5`` in en is refused because the comma is
    a thousands separator there (1.5 or 15?). Spaces are accepted as the group mark in locales that
    group with a space (fr). Raises :class:`TextNumberError` with one sentence.
    """
    loc = _locale(locale)
    raw = text.strip()
    if not raw:
        raise TextNumberError("the field is empty")
    group = get_group_symbol(loc)
    value = raw.replace("_", "")
    if group.isspace() or group in ("\u202f", "\u00a0"):
        value = re.sub(r"[ \u00a0\u202f]", group, value)
    try:
        return parse_decimal(value, locale=loc, strict=True)
    except NumberFormatError as exc:
        suggestions = [s for s in (getattr(exc, "suggestions", None) or []) if s]
        where = locale_name(locale)
        if suggestions:
            readings = " or ".join(repr(s) for s in suggestions)
            raise AmbiguousNumberError(
                f"{raw!r} is ambiguous in {where} notation (decimal mark {get_decimal_symbol(loc)!r}, "
                f"thousands {group!r}): type {readings}"
            ) from None
        raise TextNumberError(f"{raw!r} is not a number in {where} notation") from None


def format_user_number(value: float | Decimal, locale: str) -> str:
    """A number written for a user of ``locale`` so that :func:`parse_user_number` reads it back."""
    return str(format_decimal(value, format="0.##########", locale=_locale(locale)))


# ------------------------------------------------------------------------------------------ vendor files


def _strip_currency(text: str) -> tuple[str, str | None]:
    code = None
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if symbol in text:
            code = CURRENCY_SYMBOLS[symbol]
            text = text.replace(symbol, " ")
    iso = _ISO.search(text)
    if iso:
        code = iso.group(1)
        text = text[: iso.start()] + " " + text[iso.end() :]
    return text, code


def decimal_evidence(text: str) -> DecimalMark | None:
    """The decimal mark one amount proves, or None when it proves nothing (``1,500`` or ``301.000``).

    Both marks present: the last one is the decimal mark. One mark, once, followed by other than three
    digits (``12,5``, ``1.25``): that mark. A mark repeated (``1.234.567``) is the group mark.
    """
    body, _code = _strip_currency(text)
    body = _SPACES.sub("", body).strip("()+-")
    if not _PLAIN.match(body):
        return None
    marks = [c for c in body if c in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return "," if marks[-1] == "," else "."
    mark = marks[0]
    if len(marks) > 1:
        return "," if mark == "." else "."
    tail = body.split(mark)[1]
    if len(tail) != 3:
        return "," if mark == "," else "."
    return None


def detect_decimal(samples: Iterable[object], default: DecimalMark | None = None) -> DecimalMark:
    """The decimal mark of a file from its amounts (text cells only; numbers carry no convention).

    Raises :class:`TextNumberError` when amounts contradict each other; when none decides, ``default``
    (from the file's language, vendor or locale) and else "." (English).
    """
    seen: dict[DecimalMark, str] = {}
    for value in samples:
        if not isinstance(value, str):
            continue
        mark = decimal_evidence(value)
        if mark is not None and mark not in seen:
            seen[mark] = value.strip()
    if len(seen) == 2:
        raise TextNumberError(
            f"the amounts mix conventions: {seen[',']!r} has a decimal comma, {seen['.']!r} a decimal point"
        )
    if seen:
        return next(iter(seen))
    return default or "."


@dataclass(frozen=True)
class Amount:
    """An amount read from a file: value and the ISO 4217 code its text named (None when it named none)."""

    value: Decimal
    currency: str | None


def parse_money(value: object, decimal: DecimalMark = ".") -> Amount:
    """An amount from a cell: ``289.500,00 €`` (decimal ","), ``€ 301.000,00``, ``$1,234.50``,
    ``EUR 2,400``, ``(500)`` and ``500-`` (negative). Spreadsheet numbers are taken as they are.

    Raises :class:`TextNumberError` when the text is not an amount in that convention.
    """
    if isinstance(value, bool) or value is None:
        raise TextNumberError(f"not an amount: {value!r}")
    if isinstance(value, int | float):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise TextNumberError(f"not an amount: {value!r}") from None
        if not number.is_finite():
            raise TextNumberError(f"not an amount: {value!r}")
        return Amount(number, None)
    raw = str(value).strip()
    body, code = _strip_currency(raw)
    body = _SPACES.sub("", body)
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body.endswith("-"):
        negative, body = True, body[:-1]
    if body.startswith("-") or body.startswith("−"):
        negative, body = True, body[1:]
    body = body.lstrip("+")
    if not _PLAIN.match(body):
        raise TextNumberError(f"not an amount: {raw!r}")
    group = "," if decimal == "." else "."
    parts = body.split(decimal)
    if len(parts) > 2:
        raise TextNumberError(f"not an amount: {raw!r} (more than one decimal mark {decimal!r})")
    whole = parts[0]
    if group in whole:
        groups = whole.split(group)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise TextNumberError(
                f"not an amount: {raw!r} (thousands grouped wrongly for decimal {decimal!r})"
            )
        whole = "".join(groups)
    if len(parts) == 2 and group in parts[1]:
        raise TextNumberError(f"not an amount: {raw!r}")
    number = Decimal(whole + ("." + parts[1] if len(parts) == 2 else ""))
    return Amount(-number if negative else number, code)


# ------------------------------------------------------------------------------------------ dates

_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_WORDS = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
MONTH_LOCALES = ("en", "de", "fr", "es")
"""Languages whose month names (full and abbreviated) a date in words may use."""


@lru_cache(maxsize=1)
def _month_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for lang in MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=lang).items():
                    words[name.lower().rstrip(".")] = int(number)
    words["sept"] = 9
    return words


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def slashed_evidence(text: str) -> DateOrder | None:
    """The order a slashed date proves: ``25/12/2026`` day first, ``12/25/2026`` month first, else None."""
    m = _SLASHED.match(text.strip())
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    if a > 12 >= b:
        return "dmy"
    if b > 12 >= a:
        return "mdy"
    return None


def detect_date_order(samples: Iterable[object], default: DateOrder | None = None) -> DateOrder | None:
    """The slashed-date order a file's dates prove (contradicting dates raise), else ``default``."""
    seen: dict[DateOrder, str] = {}
    for value in samples:
        if isinstance(value, str):
            order = slashed_evidence(value)
            if order is not None and order not in seen:
                seen[order] = value.strip()
    if len(seen) == 2:
        raise TextNumberError(
            f"the dates mix conventions: {seen['dmy']!r} is day first, {seen['mdy']!r} month first"
        )
    return next(iter(seen)) if seen else default


def locale_date_order(locale: str) -> DateOrder:
    """Day first or month first in the locale's short date format (en_US month first, de/fr/es/en_GB day first)."""
    pattern = _locale(locale).date_formats["short"].pattern.lower()
    return "mdy" if pattern.find("m") < pattern.find("d") else "dmy"


def parse_date(value: object, order: DateOrder | None = None) -> dt.date:
    """A date from a cell: a spreadsheet date, ISO ``2026-08-14``, ``14.08.2026`` (always day first),
    ``14/08/2026`` or ``08/14/2026`` (the order proves itself, or ``order`` settles it), and dates in
    words in English, German, French or Spanish (``14 August 2026``, ``Aug 14, 2026``, ``14. August 2026``,
    ``14 août 2026``, ``14 de agosto de 2026``, ``14-Aug-2026``).

    Raises :class:`AmbiguousDateError` for ``12/03/2026`` without ``order``, :class:`TextNumberError`
    for anything else that is not a date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        if m := _ISO_DATE.match(text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _DOTTED.match(text):
            return dt.date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _SLASHED.match(text):
            a, b, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
            proven = slashed_evidence(text)
            if proven is None and a != b:
                if order is None:
                    raise AmbiguousDateError(text, (dt.date(year, b, a), dt.date(year, a, b)))
                proven = order
            if proven == "mdy":
                return dt.date(year, a, b)
            return dt.date(year, b, a)
        return _date_in_words(text)
    except ValueError as exc:
        if isinstance(exc, TextNumberError):
            raise
        raise TextNumberError(f"not a date: {text!r} ({exc})") from None


def _date_in_words(text: str) -> dt.date:
    words = [w.lower().rstrip(".") for w in _WORDS.findall(text)]
    months = [_month_words()[w] for w in words if w in _month_words()]
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if len(months) != 1 or len(numbers) != 2:
        raise TextNumberError(f"not a date: {text!r} (use YYYY-MM-DD)")
    day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
    return dt.date(_year(str(year)), months[0], day)
