"""Money that knows its currency.

An amount of money crossing a layer is a :class:`Money`: a float amount and an ISO 4217 code. Arithmetic
between two amounts is allowed only in the same currency; converting needs an explicit :class:`FxRate`,
which carries its date and source so a proposal can list every conversion it used.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined without a conversion."""


@dataclass(frozen=True, slots=True)
class Money:
    """``amount`` in ``currency`` (ISO 4217, e.g. "USD")."""

    amount: float
    currency: str

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"a currency is a 3-letter ISO 4217 code in capitals (got {self.currency!r})")
        if not math.isfinite(self.amount):
            raise ValueError(f"an amount of money must be a finite number (got {self.amount!r})")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency} without a rate")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: float) -> Money:
        return Money(self.amount * float(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: float) -> Money:
        return Money(self.amount / float(divisor), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0.0, currency)

    def to(self, rate: FxRate) -> Money:
        """This amount in ``rate.quote``; ``rate.base`` must be this amount's currency."""
        if rate.base != self.currency:
            raise CurrencyMismatch(f"a {rate.base}→{rate.quote} rate cannot convert {self.currency}")
        return Money(self.amount * rate.rate, rate.quote)


@dataclass(frozen=True, slots=True)
class FxRate:
    """1 ``base`` = ``rate`` ``quote`` on ``as_of``, from ``source`` (a URL or a named publication)."""

    base: str
    quote: str
    rate: float
    as_of: dt.date
    source: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate > 0):
            raise ValueError(f"an exchange rate must be a positive number (got {self.rate!r})")

    def inverse(self) -> FxRate:
        return FxRate(self.quote, self.base, 1.0 / self.rate, self.as_of, self.source)
