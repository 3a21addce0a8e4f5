"""`planner export PROJECT --quotes ID …` end to end: the three fixture quotes of tests/data/quotes/ are
imported with `planner quotes import` into a real SQLite catalog database (the shipped catalog plus the two
FX rates of the quote dates, as tests/quotes/test_cli.py does), then the proposal's quote section must hold
each vendor with the all-in cost per GPU-hour that `planner quotes compare --project` computes."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from db.catalog import save_row
from db.session import dispose_engines, get_engine
from resources import resource
from tests.dates import TODAY
from tests.quotes.expected import EUR_USD, GBP_USD
from tests.quotes.files import DATA, VENDOR_IMPORTS
from ui.cli import main

PROJECT = DATA / "project_h100.json"
WORKLOAD_SAMPLE = Path(str(resource("samples", "fine_tuning_workloads.json")))


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


@pytest.fixture
def quote_ids(cli_db: str, capsys: pytest.CaptureFixture[str]) -> list[int]:
    ids = []
    for argv in VENDOR_IMPORTS:
        code, out, err = run(capsys, "quotes", "import", str(DATA / argv[0]), *argv[1:], "--json")
        assert code == 0, err
        ids.append(json.loads(out)["id"])
    return ids


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def quotes_section(pdf: Path) -> str:
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages]
    pages = [pg for pg in pages if "Contents" not in pg]  # the table of contents names every section
    text = flat(" ".join(pages))
    start = text.find(". Vendor quotes")
    assert start >= 0, "no vendor quote section"
    end = text.find("Methodology", start)
    return text[start : end if end > 0 else None]


def test_export_with_quotes_shows_each_vendor_and_its_cost_per_gpu_hour(
    quote_ids: list[int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = [str(i) for i in quote_ids]
    code, out, err = run(capsys, "quotes", "compare", *ids, "--project", str(PROJECT), "--json")
    assert code == 0, err
    compared = json.loads(out)["quotes"]
    assert len(compared) == 3
    pdf = tmp_path / "with_quotes.pdf"
    code, out, err = run(
        capsys, "export", str(PROJECT), "--out", str(pdf), "--samples", "0", "--quotes", *ids
    )
    assert code == 0, err
    section = quotes_section(pdf)
    for q in compared:
        assert q["vendor"] in section, q["vendor"]
        assert q["per_gpu_hour_usd"] is not None
        assert f"all-in {q['per_gpu_hour_usd']:.2f} USD/GPU-h" in section, (
            q["vendor"],
            q["per_gpu_hour_usd"],
        )
        assert f"${q['total_usd']:,.0f}" in section  # total in USD, whole dollars
    # the expired Rheinwerk quote is flagged as such in the proposal too
    rheinwerk = next(q for q in compared if q["vendor"].startswith("Rheinwerk"))
    assert rheinwerk["expired"] and "EXPIRED" in section
    assert "Valid until" in section and "FX date" in section
    for q in compared:  # validity and, for a quote converted to USD, the date of the rate used
        if q.get("valid_until"):
            assert q["valid_until"] in section, q["vendor"]
        if q["currency"] != "USD":
            assert q["quote_date"] in section, q["vendor"]


def test_export_without_quotes_has_no_quote_section(
    quote_ids: list[int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pdf = tmp_path / "plain.pdf"
    code, _, err = run(capsys, "export", str(PROJECT), "--out", str(pdf), "--samples", "0")
    assert code == 0, err
    text = " ".join(p.extract_text() or "" for p in PdfReader(pdf).pages)
    assert "Vendor quotes" not in text and "Northwind" not in text


def test_unknown_quote_id_fails_cleanly_and_writes_nothing(
    quote_ids: list[int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    pdf = out / "nope.pdf"
    missing = max(quote_ids) + 100
    code, _, err = run(
        capsys, "export", str(PROJECT), "--out", str(pdf), "--quotes", str(quote_ids[0]), str(missing)
    )
    assert code == 2
    assert "--quotes" in err and str(missing) in err
    assert list(out.iterdir()) == []


def test_quotes_for_a_workload_project_use_its_resolved_demand(
    quote_ids: list[int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The workload sample states no GPU-hours directly: the utilisation that sets each quote's cost per
    GPU-hour comes from the demand the estimate engine derives, under the sample's on-prem site terms."""

    from db.analysis_catalog import DbCatalog
    from db.quotes import catalog_maps, list_quotes
    from planner.analysis import analyse
    from planner.analysis.quotes import average_demand_gpu_hours, compare_quotes, site_terms_from_project
    from planner.project import load_project

    engine = get_engine()
    quotes = list_quotes(engine, quote_ids)
    analysis = analyse(
        load_project(WORKLOAD_SAMPLE), DbCatalog(engine), today=TODAY, samples=0, quotes=quotes
    )
    assert analysis.quotes is not None
    demand = average_demand_gpu_hours(analysis.resolved)
    assert demand > 1000  # GPU-hours a month, from the four estimate specs
    # the demand that sets the quotes' utilisation is the one the engine evaluates (the Projects view's)
    assert demand == pytest.approx(float(analysis.tco.demand_gpu_hours.mean()), rel=1e-9)
    assert analysis.quotes.site.demand_gpu_hours_per_month == pytest.approx(demand, rel=1e-9)
    figures = list(analysis.quotes.figures)
    servers, gpus = catalog_maps(engine)
    unresolved = compare_quotes(
        quotes, servers, gpus, today=TODAY, site=site_terms_from_project(load_project(WORKLOAD_SAMPLE))
    )
    assert [f.per_gpu_hour_usd for f in unresolved] != [f.per_gpu_hour_usd for f in figures]
    northwind = next(f for f in figures if f.quote.vendor == "Northwind Systems")
    # 32 GPUs × 730 h: the demand fills only part of the quoted cluster
    assert northwind.hardware.gpus == 32
    pdf = tmp_path / "workloads_with_quotes.pdf"
    ids = [str(i) for i in quote_ids]
    code, _, err = run(
        capsys, "export", str(WORKLOAD_SAMPLE), "--out", str(pdf), "--samples", "0", "--quotes", *ids
    )
    assert code == 0, err
    section = quotes_section(pdf)
    for f in figures:
        assert f.quote.label in section
        assert f.per_gpu_hour_usd is not None
        assert f"all-in {f.per_gpu_hour_usd:.2f} USD/GPU-h" in section, f.quote.vendor


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_render_quote_section_for_review(
    quote_ids: list[int], capsys: pytest.CaptureFixture[str], tmp_path: Path, artifacts_dir: Path
) -> None:
    """Renders the proposal with the three quotes to tests/artifacts/proposal_quotes/ (50 dpi)."""
    out = artifacts_dir / "proposal_quotes"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    pdf = out / "proposal_quotes.pdf"
    ids = [str(i) for i in quote_ids]
    code, _, err = run(capsys, "export", str(PROJECT), "--out", str(pdf), "--samples", "0", "--quotes", *ids)
    assert code == 0, err
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(out / "page")], check=True)
    assert len(list(out.glob("page-*.png"))) == len(PdfReader(pdf).pages)


@pytest.mark.gui
def test_reports_view_puts_the_quotes_view_comparison_in_the_proposal(
    main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    """Quotes imported into the window's database show in the Quotes view; with the same project open there,
    the Reports view's export carries the same figures into section 7 (one analysis, two views)."""
    import datetime as dt

    from db.quotes import import_quote, load_mapping_file
    from planner.project import load_project

    engine = get_engine(main_window.db_url)
    save_row(engine, EUR_USD)
    save_row(engine, GBP_USD)
    import_quote(
        engine,
        DATA / "northwind_usd.csv",
        vendor="Northwind Systems",
        quote_date=dt.date(2026, 10, 28),
        valid_until=dt.date(2026, 12, 31),
    )
    import_quote(
        engine,
        DATA / "albion_gbp.csv",
        vendor="Albion Compute Ltd",
        mapping=load_mapping_file(DATA / "albion_mapping.json"),
        quote_date=dt.date(2026, 11, 2),
        valid_until=dt.date(2026, 12, 2),
    )
    reports = main_window.pages["Reports"]
    spot = next(
        str(reports.project_combo.itemData(i))
        for i in range(reports.project_combo.count())
        if str(reports.project_combo.itemData(i) or "").endswith("research_spot.json")
    )
    quotes = main_window.pages["Quotes"]
    quotes.set_project(load_project(spot), None)
    qtbot.waitUntil(lambda: quotes.is_ready() and len(quotes.figures) == 2, timeout=20_000)
    expected = {f.quote.label: f.per_gpu_hour_usd for f in quotes.figures}

    index = next(
        i
        for i in range(reports.project_combo.count())
        if str(reports.project_combo.itemData(i) or "").endswith("research_spot.json")
    )
    reports.project_combo.setCurrentIndex(index)
    reports.sign_check.setChecked(False)
    out = tmp_path / "from_the_view.pdf"
    reports.output_edit.setText(str(out))
    with qtbot.waitSignal(reports.exported, timeout=60_000):
        reports.export_button.click()
    qtbot.waitUntil(reports.is_ready, timeout=20_000)
    section = quotes_section(out)
    for label, per_gpu_hour in expected.items():
        assert label in section
        assert per_gpu_hour is not None and f"all-in {per_gpu_hour:.2f} USD/GPU-h" in section, label
    qtbot.waitUntil(quotes.is_ready, timeout=20_000)
    dispose_engines()
