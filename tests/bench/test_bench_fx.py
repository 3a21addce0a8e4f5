"""FX speed: parsing the shipped ECB history, importing a whole history file, and rate look-ups.

Run with `make bench` (prints the figures). Targets on the 2-core CI machine: the shipped history
(3,029 days x 32 currencies) parsed under 1 s; an import of the whole history (every day already known)
under 10 s; 1,000 look-ups through db.fx.rate (cross rates, one database query each) under 2 s.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from db import fx
from db.session import dispose_engines, get_engine
from planner.fx import ECB_HISTORY_URL, FxHistory, parse_ecb_csv
from resources import resource

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def test_bench_fx(tmp_path: Path) -> None:
    text = resource("fx", fx.SHIPPED_FILE).read_text(encoding="utf-8")
    start = time.perf_counter()
    history = FxHistory(parse_ecb_csv(text, source=ECB_HISTORY_URL))
    parse_s = time.perf_counter() - start

    engine = get_engine(f"sqlite:///{tmp_path / 'fx.sqlite3'}")
    try:
        whole = tmp_path / "eurofxref-hist.csv"
        fx.export_ecb_csv(engine, whole)
        start = time.perf_counter()
        report = fx.import_ecb_file(engine, whole, now=NOW)
        import_s = time.perf_counter() - start

        days = [dt.date(2015, 1, 5) + dt.timedelta(days=7 * i) for i in range(1000)]
        start = time.perf_counter()
        for day in days:
            fx.rate(engine, "USD", "GBP", day)
        lookup_s = time.perf_counter() - start
    finally:
        dispose_engines()
    print(
        f"\nFX: parse shipped history {parse_s:.3f} s ({len(history)} rates); import whole history "
        f"{import_s:.2f} s ({report.unchanged} known); 1,000 look-ups {lookup_s:.3f} s"
    )
    assert report.unchanged == len(history) and report.added == 0
    assert parse_s < 1.0 and import_s < 10.0 and lookup_s < 2.0
