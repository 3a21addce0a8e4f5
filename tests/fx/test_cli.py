"""`planner fx ...` through ui.cli.main, on the default SQLite database of the test's data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.session import dispose_engines
from ui.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "fx"


@pytest.fixture(autouse=True)
def _fresh_engines() -> object:
    yield
    dispose_engines()


def test_list_as_of_a_date_with_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "list", "USD", "RUB", "--on", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "EUR/USD" in out and "1.1172" in out and "2026-10-30" in out
    rub = next(line for line in out.splitlines() if line.startswith("EUR/RUB"))
    assert rub.split()[1:] == ["117.201", "2022-03-01", "1706", "OLDER"]
    assert "The ECB published no later rate for RUB." in out
    assert "eurofxref-hist.zip" in out
    assert main(["fx", "list", "GBP", "--base", "usd", "--on", "2026-10-30", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    (gbp,) = payload["rates"]
    assert (gbp["base"], gbp["quote"], gbp["as_of"], gbp["gap_days"]) == ("USD", "GBP", "2026-10-30", 0)
    assert gbp["rate"] == pytest.approx(0.7463301, rel=1e-7)


def test_unknown_currency_and_early_date_are_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "list", "--base", "XYZ", "--on", "2026-10-30"]) == 2
    assert capsys.readouterr().err == (
        "planner: no exchange rate for XYZ is known (not an ECB reference currency)\n"
    )
    assert main(["fx", "list", "USD", "--on", "2014-12-31"]) == 2
    assert (
        "no USD exchange rate of 2014-12-31 or earlier is known (the first known is of 2015-01-02)"
        in capsys.readouterr().err
    )


def test_import_refuses_a_bad_file_then_takes_a_good_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "eurofxref.csv"
    bad.write_text("Date, USD, GBP, \n30 October 2026, 1.1172, 0,8338, \n", encoding="utf-8")
    assert main(["fx", "import", str(bad)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("planner: eurofxref.csv was not imported: line 2: 4 values for the 2 currencies")
    assert err.count("\n") == 1
    assert main(["fx", "import", str(DATA / "eurofxref-2026-10-30.csv"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["changed"], report["unchanged"]) == (0, 0, 29)
    assert main(["fx", "import", str(tmp_path / "missing.csv")]) == 4
    assert "missing.csv" in capsys.readouterr().err


def test_export_then_list_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "hist.csv"
    assert main(["fx", "export", str(out), "--since", "2026-10-01"]) == 0
    assert capsys.readouterr().out == f"22 day(s) of ECB rates written to {out}\n"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("2026-10-30,1.5904,") and lines[-1].startswith("2026-10-01,")
