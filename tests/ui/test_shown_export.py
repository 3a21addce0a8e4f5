"""ui.models.shown_export: cells as figures, formulas defused (OWASP CSV injection), atomic files."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from ui.models.columns import Column
from ui.models.shown_export import spreadsheet_safe, write_shown


def col(key: str, kind: str) -> Column:
    return Column(key, key.title(), kind, lambda v, _g: getattr(v, key))  # type: ignore[arg-type]


COLUMNS = [col("provider", "text"), col("price", "usd"), col("share", "pct"), col("as_of", "date")]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        # OWASP, CSV Injection: cells starting with = + - @ tab or CR get a leading single quote.
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("-", "'-"),
        ("-5", "-5"),  # a number stays a number
        ("+1,200.5", "+1,200.5"),
        ("AWS", "AWS"),
        ("us-east-1", "us-east-1"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(text: str, written: str) -> None:
    assert spreadsheet_safe(text) == written


ROWS: list[list[Any]] = [
    ["=cmd()", 6.88, 0.64, dt.date(2026, 6, 1)],
    ["@evil", None, None, None],
    ["Lambda", 2.99, 0.0, dt.date(2025, 1, 15)],
]


def test_csv_has_figures_and_defused_text(tmp_path: Path) -> None:
    path = tmp_path / "shown.csv"
    assert write_shown(path, "Cloud SKUs", COLUMNS, ROWS) == 3
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["Provider", "Price", "Share", "As_Of"],
        ["'=cmd()", "6.88", "0.64", "2026-06-01"],
        ["'@evil", "", "", ""],
        ["Lambda", "2.99", "0", "2025-01-15"],
    ]
    assert os.stat(path).st_mode & 0o777 == 0o644  # a hand-out file
    assert [p.name for p in tmp_path.iterdir()] == ["shown.csv"]  # no temporary file left


def test_xlsx_has_numbers_dates_and_no_formula(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "shown.xlsx"
    write_shown(path, "Cloud SKUs", COLUMNS, ROWS)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Cloud SKUs"]
    assert [c.value for c in sheet[1]] == ["Provider", "Price", "Share", "As_Of"]
    first = sheet[2]
    assert first[0].value == "'=cmd()" and first[0].data_type == "s"
    assert first[1].value == 6.88 and first[1].number_format == '"$"#,##0.00'
    assert first[2].value == 0.64 and first[2].number_format == "0%"
    assert first[3].value == dt.datetime(2026, 6, 1)
    assert [c.value for c in sheet[3]] == ["'@evil", None, None, None]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_unknown_extension_is_refused_and_nothing_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot export to a \.pdf file: choose a \.csv or \.xlsx name"):
        write_shown(tmp_path / "shown.pdf", "Cloud SKUs", COLUMNS, ROWS)
    assert list(tmp_path.iterdir()) == []
