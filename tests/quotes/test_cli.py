"""`planner quotes import|list|compare` end to end on a real SQLite database seeded with the shipped
catalog (plus the two FX rates of the quote dates the README's arithmetic uses)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db.catalog import list_servers, save_row
from db.session import dispose_engines, get_engine
from tests.quotes.expected import EUR_USD, GBP_USD
from ui.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "quotes"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("PLANNER_DB", url)
    engine = get_engine(url)
    save_row(engine, EUR_USD)
    save_row(engine, GBP_USD)
    yield url
    dispose_engines()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def import_three(capsys: pytest.CaptureFixture[str]) -> list[int]:
    ids = []
    for argv in (
        [
            "northwind_usd.csv",
            "--vendor",
            "Northwind Systems",
            "--date",
            "2026-10-28",
            "--valid-until",
            "2026-12-31",
        ],
        [
            "rheinwerk_eur.xlsx",
            "--vendor",
            "Rheinwerk Computing GmbH",
            "--mapping",
            str(DATA / "rheinwerk_mapping.json"),
        ],
        [
            "albion_gbp.csv",
            "--vendor",
            "Albion Compute Ltd",
            "--mapping",
            str(DATA / "albion_mapping.json"),
            "--date",
            "2026-11-02",
            "--valid-until",
            "2026-12-02",
        ],
    ):
        code, out, err = run(capsys, "quotes", "import", str(DATA / argv[0]), *argv[1:], "--json")
        assert code == 0, err
        ids.append(json.loads(out)["id"])
    return ids


def test_import_list_compare_json(cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ids = import_three(capsys)
    code, out, _ = run(capsys, "quotes", "list", "--json", "--today", "2026-11-23")
    assert code == 0
    listed = {q["id"]: q for q in json.loads(out)["quotes"]}
    assert listed[ids[1]]["expired"] and not listed[ids[0]]["expired"]

    xlsx = tmp_path / "comparison.xlsx"
    code, out, err = run(
        capsys, "quotes", "compare", *map(str, ids), "--json", "--today", "2026-11-23", "--xlsx", str(xlsx)
    )
    assert code == 0, err
    payload = json.loads(out)
    quotes = {q["id"]: q for q in payload["quotes"]}
    required = {
        "id",
        "vendor",
        "currency",
        "total",
        "total_usd",
        "gpus",
        "per_gpu_usd",
        "per_gpu_hour_usd",
        "expired",
        "warnings",
    }
    assert all(required <= set(q) for q in quotes.values())
    nw, rw, ab = (quotes[i] for i in ids)
    # Hand arithmetic: tests/data/quotes/README.md.
    assert (nw["currency"], nw["total"], nw["total_usd"], nw["gpus"]) == ("USD", 1_276_900.0, 1_276_900.0, 32)
    assert nw["per_gpu_usd"] == pytest.approx(39_903.125)
    assert (rw["currency"], rw["total"], rw["gpus"]) == ("EUR", 726_520.0, 16)
    assert rw["total_usd"] == pytest.approx(799_172.0) and rw["fx"]["usd_per_unit"] == 1.10
    assert rw["per_gpu_usd"] == pytest.approx(49_948.25)
    assert rw["expired"] and rw["warnings"][0] == "expired: valid until 2026-09-30"
    assert ab["total_usd"] == pytest.approx(534_625.0) and ab["per_gpu_usd"] == pytest.approx(33_414.0625)
    assert "no support or warranty years stated" in ab["warnings"]
    assert "no network cards (NICs) for a 2-node cluster" in ab["warnings"]
    assert "no rails or installation" in ab["warnings"]
    assert nw["warnings"] == []
    assert payload["best"]["per_gpu_usd"] == ids[2]
    assert all(q["per_gpu_hour_usd"] > 0 for q in quotes.values())

    wb = load_workbook(xlsx)
    ws = wb["Comparison"]
    labels = [c.value for c in ws["A"]]
    row = labels.index("USD per GPU") + 1
    best_cell = ws.cell(row, 2 + ids.index(ids[2]))
    assert best_cell.value == pytest.approx(33_414.0625) and best_cell.font.bold
    assert len(list(wb["Lines"].iter_rows(min_row=2))) == 9 + 7 + 2


def test_compare_with_project_uses_its_site_terms(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = import_three(capsys)
    project = {
        "name": "Fine-tuning platform",
        "horizon_months": 60,
        "demand": {"gpu_hours_per_month": 32 * 730},
        "options": [
            {
                "kind": "onprem",
                "name": "Site",
                "pue": 1.5,
                "electricity_per_kwh": 0.10,
                "maintenance_rate_annual": 0.10,
                "staff_fte": 1.0,
                "fte_cost_annual": 120000,
            },
            {"kind": "cloud", "name": "Cloud H100", "rate_per_hour": 3.0, "rate_unit": "gpu"},
        ],
    }
    path = tmp_path / "project.json"
    path.write_text(json.dumps(project))
    code, out, err = run(capsys, "quotes", "compare", str(ids[0]), "--project", str(path), "--json")
    assert code == 0, err
    nw = json.loads(out)["quotes"][0]
    # The README's hand computation with the shipped platform's rated draw (the CSV states no lead time):
    # capex + kW × PUE × 730 h × 60 × $0.10 + 10 % × capex × (5 − 3 supported years) + $120,000 × 5 years,
    # over 32 GPUs × 730 h × 60 months at 100 % (the demand is the whole cluster).
    from db.quotes import get_quote

    engine = get_engine(cli_db)
    matched = get_quote(engine, ids[0]).lines[0].server_model  # the platform the importer suggested
    platform = next(s for s in list_servers(engine) if s.model == matched)
    assert (platform.gpu_name, platform.gpu_count) == ("H100 SXM", 8)
    kw = 4 * platform.max_power_kw
    total = 1_276_900 + kw * 1.5 * 730 * 60 * 0.10 + 0.10 * 1_276_900 * 2 + 120_000 * 5
    assert nw["per_gpu_hour_usd"] == pytest.approx(total / (32 * 730 * 60), rel=1e-9)
    assert nw["it_power_kw"] == pytest.approx(kw)


def test_bad_file_exit_code_and_every_error(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "quotes", "import", str(DATA / "malformed_rows.csv"), "--vendor", "X")
    assert code == 2 and out == ""
    assert "6 problem(s), nothing imported" in err
    for row in range(2, 8):
        assert f"row {row}, column" in err
    code, out, _ = run(capsys, "quotes", "list", "--json")
    assert json.loads(out) == {"quotes": []}


def test_compare_unknown_id(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "quotes", "compare", "99")
    assert code == 2 and "no quote with id 99" in err


def test_comparison_goes_into_the_proposal_pdf(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from db.quotes import compare_stored
    from planner.project import load_project
    from planner.quotes import site_terms_from_project
    from ui.commands.quotes import proposal_rows
    from ui.report.export import export_proposal

    ids = import_three(capsys)
    project = load_project(DATA / "project_h100.json")
    engine = get_engine(cli_db)
    import datetime as dt

    figures = compare_stored(engine, ids, site=site_terms_from_project(project), today=dt.date(2026, 11, 23))
    rows = proposal_rows(figures)
    assert [r.total for r in rows] == pytest.approx([1_276_900.0, 799_172.0, 534_625.0])
    assert "EXPIRED" in rows[1].description and "no rails or installation" in rows[2].description
    result = export_proposal(
        project, tmp_path / "proposal.pdf", quotes=rows, engine=engine, today=dt.date(2026, 11, 23)
    )
    text = "".join(page.extract_text() for page in PdfReader(result.path).pages)
    assert "7. Vendor quotes" in text  # the proposal's quote section, one row per quote (cells wrap)
    for source in ("northwind_usd.csv", "rheinwerk_eur.xlsx", "albion_gbp.csv"):
        assert source in text
