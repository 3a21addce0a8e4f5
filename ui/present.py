"""The one place numbers and money become text, for every view: window, CLI, PDF and workbook.

Babel formats them (``format_currency``, ``format_decimal``, ``format_percent``, compact forms), with the
project's currency and a locale. The engine and the analysis return numbers; a view calls these functions
and nothing else to print one, so the same figure reads the same wherever it is shown. Qt-free: the
headless CLI and the PDF use it too. ``None`` prints as an em dash, never as "None".
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

DEFAULT_LOCALE = "en"
"""The locale of figures unless a view passes the user's (proposals are written in English)."""
MISSING = "—"


def _rounded(value: float, digits: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def money(value: float | None, currency: str, digits: int = 0, *, locale: str = DEFAULT_LOCALE) -> str:
    """``value`` in ``currency`` with its symbol and ``digits`` decimals, rounded half up (1,234,567 → $1,234,567)."""
    if value is None or _missing(value):
        return MISSING
    return format_currency(
        _rounded(value, digits), currency, format=_currency_pattern(locale, digits), locale=locale,
        currency_digits=False,
    )  # fmt: skip


@cache
def _currency_pattern(locale: str, digits: int) -> str:
    """The locale's own currency pattern (symbol before or after, grouping) with ``digits`` decimals."""
    standard = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    return re.sub(r"0(\.0+)?", "0" + ("." + "0" * digits if digits else ""), standard, count=1)


def rate(value: float | None, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """A unit price: cents below 1,000, whole units above ($2.93, $1,450)."""
    if value is None or _missing(value):
        return MISSING
    return money(value, currency, 2 if abs(value) < 1000 else 0, locale=locale)


def money_compact(value: float | None, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """A short amount for tight places (chart axes, narrow cells): $8.9M, €412K; exact below 1,000."""
    if value is None or _missing(value):
        return MISSING
    if abs(value) < 1000:
        return money(value, currency, locale=locale)
    return format_compact_currency(value, currency, locale=locale, fraction_digits=1)


def number(value: float | None, digits: int = 0, *, locale: str = DEFAULT_LOCALE) -> str:
    """A plain number with grouping: 12,345.6."""
    if value is None or _missing(value):
        return MISSING
    pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(_rounded(value, digits), format=pattern, locale=locale)


def percent(fraction: float | None, digits: int = 0, *, locale: str = DEFAULT_LOCALE) -> str:
    """A fraction as a percentage: 0.125 → 13 % (12.5 % with one digit)."""
    if fraction is None or _missing(fraction):
        return MISSING
    pattern = "#,##0 %" if digits == 0 else "#,##0." + "0" * digits + " %"
    return format_percent(_rounded(fraction, digits + 2), format=pattern, locale=locale)
