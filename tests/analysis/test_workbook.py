"""The finance team's workbook beside the PDF: the same analysis, as numbers with number formats."""

from __future__ import annotations

import json
import re
import subprocess
from importlib.resources import files
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.dates import TODAY
from ui.cli import main


def _sample(name: str) -> Path:
    return Path(str(files("resources.samples").joinpath(f"{name}.json")))


@pytest.mark.parametrize("name", ["fraud_detection_hybrid", "fine_tuning_workloads"])
def test_workbook_and_pdf_carry_the_same_figures(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, xlsx = tmp_path / "p.pdf", tmp_path / "p.xlsx"
    day = TODAY.isoformat()
    assert main(["export", str(_sample(name)), "--out", str(pdf), "--xlsx", str(xlsx), "--today", day]) == 0
    capsys.readouterr()
    assert main(["tco", str(_sample(name)), "--json", "--today", day]) == 0
    j = json.loads(capsys.readouterr().out)
    wb = load_workbook(xlsx)  # values, not formulas
    assert wb.sheetnames == [
        "Summary",
        "Yearly cash flow",
        "Monthly cash flow",
        "Cost terms",
        "Assumptions",
        "Exchange rates",
    ]
    summary = {
        r[0]: r for r in wb["Summary"].iter_rows(min_row=2, max_row=1 + len(j["options"]), values_only=True)
    }
    for o in j["options"]:
        row = summary[o["name"]]
        assert row[3] == pytest.approx(o["total"], abs=0.01) and row[5] == pytest.approx(
            o["present_value"], abs=0.01
        )
    assert wb["Summary"]["D2"].number_format == '"$"#,##0'
    rec = j["recommendation"]["option"]
    assert summary[rec][7] == "yes"
    yearly = {r[0]: r[1:-1] for r in wb["Yearly cash flow"].iter_rows(min_row=2, values_only=True)}
    by_hand = [
        sum(next(o for o in j["options"] if o["name"] == rec)["monthly"][i : i + 12])
        for i in range(0, 36, 12)
    ]
    assert list(yearly[rec]) == pytest.approx(by_hand, abs=0.05)
    monthly = list(wb["Monthly cash flow"].iter_rows(min_row=2, values_only=True))
    assert len(monthly) == len(j["months"])
    text = re.sub(
        r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    )
    for value in yearly[rec]:
        assert f"${value:,.0f}" in text  # the PDF's year-by-year table: the same figures
    terms = [r for r in wb["Cost terms"].iter_rows(min_row=2, values_only=True) if r[0] == rec]
    assert sum(r[2] for r in terms) == pytest.approx(summary[rec][3], abs=0.05)
    assert all("_" not in str(r[1]) for r in terms)  # cost terms in words


def test_a_workbook_name_must_end_in_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "p.pdf"
    code = main(
        ["export", str(_sample("research_spot")), "--out", str(pdf), "--xlsx", str(tmp_path / "p.csv")]
    )
    assert code != 0 and "ends in .xlsx" in capsys.readouterr().err
    assert not pdf.exists()
