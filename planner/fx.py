"""Exchange rates as of a date, from the ECB's euro reference-rate history. Pure: text in, values out.

The European Central Bank publishes, each working day, how much of each currency one euro buys. A
:class:`FxHistory` holds those publications (per currency: date -> units per EUR). :func:`rate_on`
answers "1 ``base`` = ? ``quote`` as of a date" with the last rates published on or before that date,
crossing through EUR for pairs without the euro (USD -> GBP = GBP per EUR / USD per EUR, both of one
publication day). :func:`gap_days` says how many days separate that publication from the date asked
for (weekends and holidays give a few days; a currency the ECB stopped publishing gives more).

:func:`parse_ecb_csv` reads the ECB's own CSV layouts (``eurofxref-hist.csv`` and the one-day
``eurofxref.csv``) and refuses a bad file whole, naming each line and what is wrong with it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from planner.money import FxRate

EURO = "EUR"
ECB_HISTORY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
"""The ECB's full daily history since 1999 (zip of ``eurofxref-hist.csv``)."""
ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref.zip"
"""The ECB's latest day (zip of ``eurofxref.csv``)."""
ECB_PUBLISHER = "European Central Bank euro foreign exchange reference rates"

MAX_PROBLEMS_SHOWN = 10
LARGE_GAP_DAYS = 7
"""A rate published more than a week before the date asked for is older than closing days explain."""
_CODE = re.compile(r"[A-Z]{3}")
_RATE = re.compile(r"[0-9]+(\.[0-9]+)?")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}


@dataclass(frozen=True)
class EuroRate:
    """One ECB publication: on ``as_of``, 1 EUR = ``per_eur`` ``currency``; ``source`` is where it is from."""

    currency: str
    as_of: dt.date
    per_eur: float
    source: str


@dataclass(frozen=True)
class FxFileProblem:
    """What is wrong with one line of an exchange-rate file (``line`` counts from 1, the header)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class FxFileError(ValueError):
    """A file of exchange rates that was refused whole; ``problems`` names each bad line."""

    def __init__(self, what: str, problems: Sequence[FxFileProblem]) -> None:
        self.what = what
        self.problems = tuple(problems)
        shown = "; ".join(str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN])
        more = len(self.problems) - MAX_PROBLEMS_SHOWN
        tail = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"{what} was not imported: {shown}{tail}")


def _parse_date(text: str) -> dt.date | None:
    """ISO ``2026-10-30`` (history file) or ``30 October 2026`` (one-day file); None if neither."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else _long_date(text)
    except ValueError:
        return None


def _long_date(text: str) -> dt.date | None:
    parts = text.split()
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    month = _MONTHS.get(parts[1].lower())
    return dt.date(int(parts[2]), month, int(parts[0])) if month else None


def _split(line: str) -> list[str]:
    return [c.strip() for c in line.split(",")]


def _header(cells: list[str], problems: list[FxFileProblem]) -> list[str]:
    while cells and cells[-1] == "":  # the ECB ends every line with a comma
        cells = cells[:-1]
    if not cells or cells[0].lower() != "date":
        found = ",".join(cells)[:40]
        problems.append(FxFileProblem(1, f"expected the ECB header 'Date,USD,JPY,...' but found '{found}'"))
        return []
    codes = cells[1:]
    if not codes:
        problems.append(FxFileProblem(1, "the header names no currency after 'Date'"))
    seen: set[str] = set()
    for i, code in enumerate(codes, start=2):
        if not _CODE.fullmatch(code):
            problems.append(FxFileProblem(1, f"column {i} '{code}' is not a three-letter currency code"))
        elif code == EURO:
            problems.append(FxFileProblem(1, f"column {i} is EUR, the base currency of every rate"))
        elif code in seen:
            problems.append(FxFileProblem(1, f"currency {code} appears twice"))
        seen.add(code)
    return codes


def parse_ecb_csv(
    text: str,
    *,
    source: str | None = None,
    not_after: dt.date | None = None,
    what: str = "the exchange-rate file",
) -> tuple[EuroRate, ...]:
    """Every rate of an ECB CSV file (1 EUR = rate in each column's currency), or FxFileError.

    Accepts the history layout (``Date,USD,...`` then ``2026-10-30,1.1172,...``) and the one-day layout
    (``30 October 2026, 1.1172, ...``). ``N/A`` or an empty cell means no rate that day. Refused: a
    missing or malformed header, a date that is neither form, a date given twice, a date after
    ``not_after`` (today, for an import), a value that is not a positive decimal number (a decimal point,
    no thousands separator), a line with more or fewer values than the header has currencies (a
    truncated file), and a file with no rate at all. ``source`` defaults to the ECB's URL of the layout
    (one day or the history); ``what`` names the file in the message.
    """
    problems: list[FxFileProblem] = []
    lines = text.splitlines()
    numbered = [(n, _split(line)) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise FxFileError(what, [FxFileProblem(1, "the file is empty")])
    header_line, header_cells = numbered[0]
    codes = _header(header_cells, problems)
    if problems:
        raise FxFileError(what, [FxFileProblem(header_line, p.reason) for p in problems])
    rates: list[EuroRate] = []
    first_seen: dict[dt.date, int] = {}
    for n, cells in numbered[1:]:
        on = _parse_date(cells[0])
        if on is None:
            problems.append(FxFileProblem(n, f"'{cells[0]}' is not a date (YYYY-MM-DD)"))
            continue
        if on in first_seen:
            problems.append(
                FxFileProblem(n, f"{on.isoformat()} appears twice (first on line {first_seen[on]})")
            )
            continue
        first_seen[on] = n
        if not_after is not None and on > not_after:
            problems.append(FxFileProblem(n, f"{on.isoformat()} is after today ({not_after.isoformat()})"))
            continue
        values = cells[1:]
        if len(values) == len(codes) + 1 and values[-1] == "":
            values = values[:-1]  # the ECB's trailing comma
        if len(values) != len(codes):
            problems.append(
                FxFileProblem(n, f"{len(values)} values for the {len(codes)} currencies of the header")
            )
            continue
        for code, cell in zip(codes, values, strict=True):
            if cell in ("", "N/A"):
                continue
            if not _RATE.fullmatch(cell) or not math.isfinite(value := float(cell)) or value <= 0:
                problems.append(FxFileProblem(n, f"{code} '{cell}' is not a positive decimal number"))
                continue
            rates.append(EuroRate(code, on, value, source or ""))
    if not rates and not problems:
        problems.append(FxFileProblem(header_line, "the file holds no rate"))
    if problems:
        raise FxFileError(what, problems)
    if source is None:
        url = ECB_DAILY_URL if len(first_seen) == 1 else ECB_HISTORY_URL
        return tuple(EuroRate(r.currency, r.as_of, r.per_eur, url) for r in rates)
    return tuple(rates)


class _Series:
    """One currency's publications, sorted by date (ordinals), for bisection."""

    __slots__ = ("days", "rates")

    def __init__(self, by_day: Mapping[dt.date, EuroRate]) -> None:
        self.rates = [by_day[d] for d in sorted(by_day)]
        self.days = [p.as_of.toordinal() for p in self.rates]

    def on_or_before(self, on: dt.date) -> EuroRate | None:
        i = bisect.bisect_right(self.days, on.toordinal())
        return self.rates[i - 1] if i else None

    def on(self, day: dt.date) -> EuroRate | None:
        found = self.on_or_before(day)
        return found if found is not None and found.as_of == day else None


def _by_currency(points: Iterable[EuroRate]) -> dict[str, dict[dt.date, EuroRate]]:
    grouped: dict[str, dict[dt.date, EuroRate]] = {}
    for p in points:
        grouped.setdefault(p.currency, {})[p.as_of] = p  # a later point for the same day wins
    return grouped


class FxHistory:
    """ECB publications per currency. A later point for the same currency and date replaces an earlier one."""

    def __init__(self, points: Iterable[EuroRate] = ()) -> None:
        self._series = {code: _Series(days) for code, days in _by_currency(points).items()}

    def overlaid(self, points: Iterable[EuroRate]) -> FxHistory:
        """A new history: this one with ``points`` added, replacing points of the same currency and date.

        Only the currencies ``points`` touch are rebuilt; the others are shared with this history.
        """
        new = FxHistory()
        new._series = dict(self._series)
        for code, days in _by_currency(points).items():
            old = self._series.get(code)
            merged = {p.as_of: p for p in old.rates} if old is not None else {}
            merged.update(days)
            new._series[code] = _Series(merged)
        return new

    def __len__(self) -> int:
        return sum(len(s.rates) for s in self._series.values())

    def points(self) -> list[EuroRate]:
        """Every publication, newest first, then by currency."""
        every = [p for s in self._series.values() for p in s.rates]
        return sorted(every, key=lambda p: (-p.as_of.toordinal(), p.currency))

    def get(self, currency: str, on: dt.date) -> EuroRate | None:
        """The point published exactly on ``on``, if any."""
        series = self._series.get(currency.upper())
        return series.on(on) if series is not None else None

    @property
    def currencies(self) -> tuple[str, ...]:
        """ISO 4217 codes with at least one rate, EUR included, sorted."""
        return tuple(sorted({EURO, *self._series}))

    def newest(self, on: dt.date | None = None) -> dt.date | None:
        """The latest publication date of any currency, on or before ``on`` if given (None if none)."""
        if on is None:
            return max((s.rates[-1].as_of for s in self._series.values()), default=None)
        found = (s.on_or_before(on) for s in self._series.values())
        return max((p.as_of for p in found if p is not None), default=None)

    def first(self, currency: str) -> dt.date | None:
        """The first publication date of ``currency`` (None if it has none)."""
        series = self._series.get(currency.upper())
        return series.rates[0].as_of if series is not None else None

    def oldest(self) -> dt.date | None:
        return min((s.rates[0].as_of for s in self._series.values()), default=None)

    def euro_rate(self, currency: str, on: dt.date) -> EuroRate | None:
        """Units of ``currency`` per EUR last published on or before ``on`` (None if none was)."""
        series = self._series.get(currency.upper())
        return series.on_or_before(on) if series is not None else None


def _leg(history: FxHistory, currency: str, on: dt.date) -> EuroRate:
    found = history.euro_rate(currency, on)
    if found is not None:
        return found
    first = history.first(currency)
    if first is not None:
        raise LookupError(
            f"no {currency} exchange rate of {on.isoformat()} or earlier is known "
            f"(the first known is of {first.isoformat()})"
        )
    raise LookupError(f"no exchange rate for {currency} is known (not an ECB reference currency)")


def _same_day_legs(history: FxHistory, base: str, quote: str, on: dt.date) -> tuple[EuroRate, EuroRate]:
    """Both currencies' rates of the latest ECB day on or before ``on`` that published the two."""
    a, b = _leg(history, base, on), _leg(history, quote, on)
    while a.as_of != b.as_of:
        day = min(a.as_of, b.as_of)
        a, b = _leg(history, base, day), _leg(history, quote, day)
    return a, b


def rate_on(history: FxHistory, base: str, quote: str, on: dt.date) -> FxRate:
    """1 ``base`` = ``rate`` ``quote``, from the ECB rates last published on or before ``on``.

    EUR on either side uses the ECB rate directly (or its inverse). Any other pair crosses through EUR,
    ``rate = quote per EUR / base per EUR``, both taken from one ECB publication day: the latest on or
    before ``on`` that has both currencies (so a currency the ECB stopped publishing dates the pair).
    The same currency on both sides is 1, dated ``on``. LookupError (one sentence) when there is no rate.
    """
    base, quote = base.upper(), quote.upper()
    if base == quote:
        return FxRate(base, quote, 1.0, on, "")
    if base == EURO:
        leg = _leg(history, quote, on)
        return FxRate(base, quote, leg.per_eur, leg.as_of, leg.source)
    if quote == EURO:
        leg = _leg(history, base, on)
        return FxRate(base, quote, 1.0 / leg.per_eur, leg.as_of, leg.source)
    a, b = _same_day_legs(history, base, quote, on)
    source = a.source if a.source == b.source else f"{a.source}; {b.source}"
    return FxRate(base, quote, b.per_eur / a.per_eur, a.as_of, source)


def gap_days(rate: FxRate, on: dt.date) -> int:
    """Days between the publication a rate comes from and the date it was asked for (0 = same day)."""
    return (on - rate.as_of).days


def rates_on(history: FxHistory, on: dt.date, base: str = EURO) -> list[FxRate]:
    """1 ``base`` in every other known currency as of ``on`` (currencies with no rate by then are left out)."""
    out = []
    for code in history.currencies:
        if code == base.upper():
            continue
        try:
            out.append(rate_on(history, base, code, on))
        except LookupError:
            continue
    return out


def to_ecb_csv(history: FxHistory) -> str:
    """The history in the ECB's ``eurofxref-hist.csv`` layout (newest first, ``N/A`` for no rate)."""
    codes = [c for c in history.currencies if c != EURO]
    days = sorted({p.as_of for p in history.points()}, reverse=True)
    lines = [",".join(["Date", *codes])]
    for day in days:
        cells = [day.isoformat()]
        for code in codes:
            point = history.get(code, day)
            cells.append(_ecb_number(point.per_eur) if point is not None else "N/A")
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _ecb_number(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text
