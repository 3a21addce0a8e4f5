"""Rate look-ups as of a date, on ECB lines copied verbatim (tests/data/fx/README.md has the hand checks)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from db.fx import shipped_history
from planner.fx import ECB_DAILY_URL, ECB_HISTORY_URL, FxHistory, gap_days, parse_ecb_csv, rate_on, rates_on

DATA = Path(__file__).resolve().parents[1] / "data" / "fx"
SHIPPED_FX_CSV = Path(__file__).resolve().parents[2] / "resources" / "catalog" / "fx.csv"


@pytest.fixture(scope="module")
def excerpt() -> FxHistory:
    text = (DATA / "eurofxref-hist-excerpt.csv").read_text(encoding="utf-8")
    return FxHistory(parse_ecb_csv(text))


def test_direct_rate_on_a_publication_day(excerpt: FxHistory) -> None:
    r = rate_on(excerpt, "EUR", "USD", dt.date(2026, 10, 30))
    assert (r.base, r.quote, r.rate, r.as_of) == ("EUR", "USD", 1.1172, dt.date(2026, 10, 30))
    assert r.source == ECB_HISTORY_URL
    assert gap_days(r, dt.date(2026, 10, 30)) == 0


def test_weekend_and_christmas_take_the_last_publication(excerpt: FxHistory) -> None:
    sunday = dt.date(2026, 11, 1)
    r = rate_on(excerpt, "EUR", "GBP", sunday)
    assert (r.rate, r.as_of, gap_days(r, sunday)) == (0.8338, dt.date(2026, 10, 30), 2)
    saturday = dt.date(2025, 12, 27)
    r = rate_on(excerpt, "EUR", "JPY", saturday)
    assert (r.rate, r.as_of, gap_days(r, saturday)) == (183.83, dt.date(2025, 12, 24), 3)


def test_inverse_and_cross_rates_through_the_euro(excerpt: FxHistory) -> None:
    on = dt.date(2026, 10, 30)
    usd_gbp = rate_on(excerpt, "USD", "GBP", on)
    assert usd_gbp.rate == pytest.approx(0.7463301, rel=1e-7)
    assert usd_gbp.as_of == on
    gbp_eur = rate_on(excerpt, "gbp", "eur", dt.date(2026, 10, 29))
    assert gbp_eur.rate == pytest.approx(1 / 0.83578) and (gbp_eur.base, gbp_eur.quote) == ("GBP", "EUR")
    assert rate_on(excerpt, "GBP", "JPY", dt.date(2026, 10, 29)).rate == pytest.approx(210.486, rel=1e-5)
    same = rate_on(excerpt, "CHF", "CHF", on)
    assert (same.rate, same.as_of) == (1.0, on)


def test_a_currency_the_ecb_stopped_gives_its_last_rate_and_the_gap(excerpt: FxHistory) -> None:
    on = dt.date(2026, 10, 30)
    rub = rate_on(excerpt, "EUR", "RUB", on)
    assert (rub.rate, rub.as_of, gap_days(rub, on)) == (117.201, dt.date(2022, 3, 1), 1704)
    bgn = rate_on(excerpt, "EUR", "BGN", on)
    assert (bgn.rate, bgn.as_of, gap_days(bgn, on)) == (1.9558, dt.date(2025, 12, 31), 303)
    # A cross rate is as old as its older leg.
    usd_rub = rate_on(excerpt, "USD", "RUB", on)
    assert usd_rub.as_of == dt.date(2022, 3, 1)
    assert usd_rub.rate == pytest.approx(117.201 / 1.1162)  # both legs of 2022-03-01


def test_no_rate_before_the_first_publication_or_for_an_unknown_currency(excerpt: FxHistory) -> None:
    with pytest.raises(
        LookupError,
        match=r"no USD exchange rate of 2015-01-01 or earlier is known \(the first known is of 2015-01-02\)",
    ):
        rate_on(excerpt, "EUR", "USD", dt.date(2015, 1, 1))
    with pytest.raises(LookupError, match="XYZ"):
        rate_on(excerpt, "XYZ", "USD", dt.date(2026, 10, 30))


def test_rates_on_lists_every_currency_with_a_rate(excerpt: FxHistory) -> None:
    listed = {r.quote: r for r in rates_on(excerpt, dt.date(2026, 10, 30))}
    assert "EUR" not in listed and listed["USD"].rate == 1.1172
    assert listed["RUB"].as_of == dt.date(2022, 3, 1)  # still listed, with its own date
    assert "CYP" not in listed  # a column of the ECB file with no rate in these lines


def test_the_one_day_file_agrees_with_the_history_line_of_that_day(excerpt: FxHistory) -> None:
    daily = parse_ecb_csv((DATA / "eurofxref-2026-10-30.csv").read_text(encoding="utf-8"))
    assert {r.as_of for r in daily} == {dt.date(2026, 10, 30)}
    assert {r.source for r in daily} == {ECB_DAILY_URL}
    assert len(daily) == 29
    for r in daily:
        assert excerpt.get(r.currency, r.as_of).per_eur == r.per_eur  # type: ignore[union-attr]


def test_the_shipped_history_holds_the_ecb_lines_unchanged(excerpt: FxHistory) -> None:
    shipped = shipped_history()
    assert shipped.oldest() == dt.date(2015, 1, 2) and shipped.newest() == dt.date(2026, 10, 30)
    for point in excerpt.points():
        assert shipped.get(point.currency, point.as_of) == point


def test_the_shipped_history_agrees_with_the_catalog_fx_rows() -> None:
    """resources/catalog/fx.csv was read from other copies of the ECB's daily XML (see SOURCES.md)."""
    shipped = shipped_history()
    rows = list(csv.DictReader(SHIPPED_FX_CSV.open(encoding="utf-8")))
    assert rows
    for row in rows:
        assert row["base"] == "EUR"
        point = shipped.get(row["quote"], dt.date.fromisoformat(row["as_of"]))
        assert point is not None and point.per_eur == float(row["rate"]), row
