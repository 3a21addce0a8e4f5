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
from tests.quotes.files import DATA, VENDOR_IMPORTS
from ui.cli import main


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
    for argv in VENDOR_IMPORTS:
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
    # Albion is cheaper per GPU but incomplete, Rheinwerk expired: Northwind is best on every criterion.
    assert payload["best"] == {key: ids[0] for key in payload["criteria"]}
    excludes = {x["id"]: x["reasons"] for x in payload["best_excludes"]}
    assert excludes[ids[1]] == ["expired"] and excludes[ids[2]][0].startswith("incomplete: no support")
    assert ids[0] not in excludes and nw["best_eligible"] and not ab["best_eligible"]
    # Albion's network is not itemised: 12.5 % of 533,000 USD server capex added in the all-in figure.
    assert [a["usd"] for a in ab["adjustments"]] == [66_625.0] and nw["adjustments"] == []
    assert all(q["per_gpu_hour_usd"] > 0 for q in quotes.values())

    wb = load_workbook(xlsx)
    ws = wb["Comparison"]
    labels = [c.value for c in ws["A"]]
    row = labels.index("USD per GPU") + 1
    best_cell = ws.cell(row, 2 + ids.index(ids[0]))
    assert best_cell.value == pytest.approx(39_903.125) and best_cell.font.bold
    albion_cell = ws.cell(row, 2 + ids.index(ids[2]))
    assert albion_cell.value == pytest.approx(33_414.0625) and not albion_cell.font.bold
    eligible = [c.value for c in ws[labels.index("Not eligible for best") + 1]]
    assert eligible[1 + ids.index(ids[1])] == "expired"
    assert len(list(wb["Lines"].iter_rows(min_row=2))) == 9 + 7 + 2


def test_compare_with_project_uses_its_site_terms(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = import_three(capsys)
    project = {
        "name": "Fine-tuning platform",
        "currency": "USD",
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


def test_reimport_is_refused_and_replace_keeps_one_copy(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = import_three(capsys)
    argv = ["quotes", "import", str(DATA / "northwind_usd.csv"), "--vendor", "northwind systems"]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert f"already imported as quote {ids[0]}" in err and "--replace" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    # The same file under another name (the lines are the same) is the same quote too.
    code, _, err = run(capsys, *argv[:2], str(DATA / "albion_gbp.csv"), "--vendor", "Albion Compute Ltd")
    assert code == 2 and f"already imported as quote {ids[2]}" in err
    code, out, _ = run(capsys, "quotes", "list", "--json")
    assert len(json.loads(out)["quotes"]) == 3

    code, out, err = run(capsys, *argv, "--date", "2026-11-01", "--replace", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["id"] == ids[0] and any("replaced quote" in n for n in payload["notes"])
    code, out, _ = run(capsys, "quotes", "list", "--json")
    listed = json.loads(out)["quotes"]
    assert len(listed) == 3
    nw = next(q for q in listed if q["id"] == ids[0])
    assert (nw["quote_date"], nw["lines"], nw["total"]) == ("2026-11-01", 9, 1_276_900.0)


def test_mapping_file_problems_are_one_sentence(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    typo = tmp_path / "typo.json"
    data = json.loads((DATA / "albion_mapping.json").read_text(encoding="utf-8"))
    data["decimal_coma"] = True
    typo.write_text(json.dumps(data), encoding="utf-8")
    not_json = tmp_path / "not.json"
    not_json.write_text("{columns: ", encoding="utf-8")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    cases = [
        (typo, "column 'decimal_coma': unknown key"),
        (tmp_path, "is a folder, not a mapping JSON file"),
        (tmp_path / "missing.json", "file not found"),
        (not_json, "is not valid JSON"),
        (binary, "is not a UTF-8 text file"),
    ]
    for path, reason in cases:
        code, out, err = run(
            capsys,
            "quotes",
            "import",
            str(DATA / "albion_gbp.csv"),
            "--vendor",
            "Albion",
            "--mapping",
            str(path),
        )
        assert code == 2 and out == "", path
        assert reason in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err
    code, out, _ = run(capsys, "quotes", "list", "--json")
    assert json.loads(out) == {"quotes": []}


def test_compare_xlsx_into_a_missing_folder(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import_three(capsys)
    target = tmp_path / "nonexistent_dir" / "o.xlsx"
    code, out, err = run(capsys, "quotes", "compare", "--xlsx", str(target))
    assert code == 2 and out == ""
    assert f"the folder {target.parent} does not exist" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not target.parent.exists()
    code, _, err = run(capsys, "quotes", "compare", "--xlsx", str(tmp_path))
    assert code == 2 and "it is a folder" in err


def test_compare_unknown_id(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "quotes", "compare", "99")
    assert code == 2 and "no quote with id 99" in err


def test_comparison_goes_into_the_proposal_pdf(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import datetime as dt

    from pypdf import PdfReader

    from db.analysis_catalog import DbCatalog
    from db.quotes import list_quotes
    from planner.project import load_project
    from ui.report.export import analyse_for_proposal, quote_section_rows, write_proposal

    ids = import_three(capsys)
    project = load_project(DATA / "project_h100.json")
    engine = get_engine(cli_db)
    quotes = list_quotes(engine, ids)
    analysis = analyse_for_proposal(project, DbCatalog(engine), today=dt.date(2026, 11, 23), quotes=quotes)
    assert analysis.quotes is not None
    rows = quote_section_rows(analysis.quotes)
    assert [r.total for r in rows] == pytest.approx([1_276_900.0, 799_172.0, 534_625.0])
    assert "EXPIRED" in rows[1].description and "no rails or installation" in rows[2].description
    result = write_proposal(analysis, tmp_path / "proposal.pdf")
    text = "".join(page.extract_text() for page in PdfReader(result.path).pages)
    assert ". Vendor quotes" in text  # the proposal's quote section, one row per quote (cells wrap)
    flat = " ".join(text.split())
    for row in rows:  # (the quote files' names stay out of the client's document)
        assert row.vendor in flat
