"""`db.fx`: a newer ECB file laid over the shipped history in one transaction; a bad file writes nothing."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from db import fx
from db.fx_tables import EuroRateRow
from planner.fx import ECB_DAILY_URL, FxFileError, gap_days, parse_ecb_csv

DATA = Path(__file__).resolve().parents[1] / "data" / "fx"
EXCERPT = DATA / "eurofxref-hist-excerpt.csv"
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
# A one-day file in the ECB's layout for a day after the shipped history. Test values, not ECB figures.
NEXT_DAY = "Date, USD, GBP, JPY, \n02 November 2026, 1.1200, 0.84000, 176.00, \n"


def _stored(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(EuroRateRow)).scalar_one())


def test_a_file_of_already_known_days_adds_nothing(engine: Engine) -> None:
    report = fx.import_ecb_file(engine, EXCERPT, now=NOW)
    expected = len(parse_ecb_csv(EXCERPT.read_text(encoding="utf-8")))
    assert (report.added, report.changed, report.unchanged) == (0, 0, expected)
    assert (report.first, report.last, report.newest) == (
        dt.date(2015, 1, 2),
        dt.date(2026, 10, 30),
        dt.date(2026, 10, 30),
    )
    assert _stored(engine) == 0


def test_a_newer_day_is_used_from_then_on(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "eurofxref.csv"
    path.write_text(NEXT_DAY, encoding="utf-8")
    report = fx.import_ecb_file(engine, path, now=NOW)
    assert (report.added, report.changed, report.unchanged, report.newest) == (3, 0, 0, dt.date(2026, 11, 2))
    assert "3 added" in report.summary() and "newest rates now 2026-11-02" in report.summary()
    on = dt.date(2026, 11, 3)
    usd = fx.rate(engine, "EUR", "USD", on)
    assert (usd.rate, usd.as_of, gap_days(usd, on), usd.source) == (
        1.12,
        dt.date(2026, 11, 2),
        1,
        ECB_DAILY_URL,
    )
    assert fx.rate(engine, "USD", "GBP", on).rate == pytest.approx(0.84 / 1.12)
    assert fx.rate(engine, "EUR", "CHF", on).as_of == dt.date(2026, 10, 30)  # not in the new file
    assert fx.rate(engine, "EUR", "USD", dt.date(2026, 10, 30)).rate == 1.1172  # the shipped day stands
    again = fx.import_ecb_file(engine, path, now=NOW)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    assert _stored(engine) == 3


def test_a_different_value_for_a_known_day_replaces_it(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "corrected.csv"
    path.write_text("Date,USD\n2026-10-30,1.1180\n", encoding="utf-8")  # test value, not the ECB's
    report = fx.import_ecb_file(engine, path, now=NOW)
    assert (report.added, report.changed) == (0, 1)
    assert fx.rate(engine, "EUR", "USD", dt.date(2026, 10, 30)).rate == 1.118
    path.write_text("Date,USD\n2026-10-30,1.1172\n", encoding="utf-8")  # and back to the ECB's figure
    assert fx.import_ecb_file(engine, path, now=NOW).changed == 1
    assert fx.rate(engine, "EUR", "USD", dt.date(2026, 10, 30)).rate == 1.1172


def test_a_bad_file_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(NEXT_DAY.replace("02 November", "03 November") + "02 November 2026, 1.12, 0,84, 176\n")
    with pytest.raises(FxFileError, match=r"eurofxref-hist.csv was not imported: line 3: 4 values"):
        fx.import_ecb_file(engine, path, now=NOW)
    assert _stored(engine) == 0
    future = tmp_path / "future.csv"
    future.write_text("Date,USD\n2026-12-04,1.1\n", encoding="utf-8")
    with pytest.raises(FxFileError, match=r"line 2: 2026-12-04 is after today \(2026-12-03\)"):
        fx.import_ecb_file(engine, future, now=NOW)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Date,USD\n2026-10-30,1.1\n2026-10-29,1.1\xa0\n".encode("latin-1"))
    with pytest.raises(FxFileError, match="latin.csv was not imported: line 3: is not UTF-8 text"):
        fx.import_ecb_file(engine, latin, now=NOW)
    assert _stored(engine) == 0


def test_the_ecb_zip_is_read_and_a_zip_of_two_files_refused(engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "eurofxref.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("eurofxref.csv", NEXT_DAY)
    assert fx.import_ecb_file(engine, good, now=NOW).added == 3
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", NEXT_DAY)
        archive.writestr("b.csv", NEXT_DAY)
    with pytest.raises(FxFileError, match=r"exactly one CSV file \(found: a.csv, b.csv\)"):
        fx.import_ecb_file(engine, two, now=NOW)


def test_export_writes_the_ecb_layout_that_imports_back(engine: Engine, tmp_path: Path) -> None:
    newer = tmp_path / "eurofxref.csv"
    newer.write_text(NEXT_DAY, encoding="utf-8")
    fx.import_ecb_file(engine, newer, now=NOW)
    out = tmp_path / "export.csv"
    days = fx.export_ecb_csv(engine, out, since=dt.date(2026, 10, 26))
    assert days == 6  # 26, 27, 28, 29, 30 October and 2 November
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Date,AUD,BRL,CAD,")  # no BGN, HRK or RUB rate since then
    assert text.splitlines()[1].startswith("2026-11-02,N/A,N/A,N/A,")
    back = parse_ecb_csv(text)
    known = fx.history(engine)
    assert all(known.get(p.currency, p.as_of) is not None for p in back)
    assert {(p.currency, p.as_of, p.per_eur) for p in back} == {
        (p.currency, p.as_of, p.per_eur) for p in known.points() if p.as_of >= dt.date(2026, 10, 26)
    }
    report = fx.import_ecb_file(engine, out, now=NOW)
    assert (report.added, report.changed, report.unchanged) == (0, 0, len(back))
