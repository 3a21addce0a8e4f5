"""The proposal PDF: its text holds what the engine computed, fonts are embedded, pages are numbered, paper
sizes are right, and bad input leaves nothing behind.

Expected numbers come from running the TCO engine here (planner.engine.tco.evaluate) on the same project
with the same Monte Carlo seed, formatted with plain Python (not the document's formatter).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from db.analysis_catalog import DbCatalog
from db.session import dispose_engines, get_engine
from planner.analysis import MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED
from planner.analysis.resolve import resolve_workloads
from planner.engine.tco import evaluate
from planner.project import HybridOption, OnPremOption, Project, load_project
from tests.report.conftest import EUR_PROJECT, sample_projects
from ui.report.export import export_proposal, prepare_inputs
from ui.report.files import ReportError
from ui.report.proposal import QuoteRow, build_proposal

SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(value: float, currency: str) -> str:
    """Whole currency units, halves rounded up (as printed), from the engine's JSON figures (cents)."""
    sign = "-" if value < 0 else ""
    whole = int(Decimal(str(abs(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{sign}{SYMBOL[currency]}{whole:,}"


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def summary_page(pages: list[str]) -> str:
    return next(pg for pg in pages if "1. Executive summary" in pg and "Key numbers" in pg)


@pytest.fixture(scope="module")
def catalog_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A catalog database seeded with the shipped catalog: samples whose workloads name catalog models
    and GPUs (fine_tuning_workloads) are sized through it, as the CLI and the app do."""
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.sqlite3'}")
    yield engine
    dispose_engines()


def resolved(project: Project, engine: Any) -> Project:
    return resolve_workloads(project, DbCatalog(engine)).project


@pytest.fixture(scope="module")
def sample_pdfs(
    tmp_path_factory: pytest.TempPathFactory, catalog_engine: Any
) -> dict[str, tuple[Path, bytes]]:
    out: dict[str, tuple[Path, bytes]] = {}
    folder = tmp_path_factory.mktemp("samples")
    for path in sample_projects():
        pdf = folder / (path.stem + ".pdf")
        export_proposal(load_project(path), pdf, catalog=DbCatalog(catalog_engine))
        out[path.stem] = (path, pdf.read_bytes())
    return out


def test_there_are_sample_projects() -> None:
    assert len(sample_projects()) >= 3


@pytest.mark.parametrize("stem", [p.stem for p in sample_projects()])
def test_pdf_text_holds_the_engines_recommendation_and_totals(
    stem: str, sample_pdfs: dict[str, tuple[Path, bytes]], catalog_engine: Any
) -> None:
    path, pdf = sample_pdfs[stem]
    project = resolved(load_project(path), catalog_engine)
    result = evaluate(
        project, samples=MONTE_CARLO_SAMPLES if project.monte_carlo else 0, seed=MONTE_CARLO_SEED
    )
    pages = pdf_text(pdf)
    text = flat(" ".join(pages))
    assert result.recommendation is not None
    rec = result.recommendation.option
    assert f"We recommend {rec} — {flat(result.recommendation.label)} —" in text
    for reason in result.recommendation.reasons[:2]:
        # internal citations and keys are reworded for the client
        words = flat(reason).split("seed ")[0].replace("_", " ")[:60]
        assert words in text
    j = result.to_json()
    for option in j["options"]:
        assert money(option["total"], project.currency) in text, option["name"]
    best = next(o for o in j["options"] if o["name"] == rec)
    summary = flat(summary_page(pages))
    assert money(best["total"], project.currency) in summary  # first key number, on the summary page
    if result.monte_carlo is not None:
        for name, p50 in j["monte_carlo"]["p50"].items():
            assert money(p50, project.currency) in text, name


def test_key_break_even_numbers_match_the_engine(sample_pdfs: dict[str, tuple[Path, bytes]]) -> None:
    path, pdf = sample_pdfs["fraud_detection_hybrid"]
    project = load_project(path)
    result = evaluate(project, samples=MONTE_CARLO_SAMPLES, seed=MONTE_CARLO_SEED)
    assert result.recommendation is not None
    rec = result.recommendation.option
    assert isinstance(project.option(rec), OnPremOption | HybridOption)
    rented = [
        o for o in result.options if not isinstance(project.option(o.name), OnPremOption | HybridOption)
    ]
    partner = min(rented, key=lambda o: o.total).name
    be = next(b for b in result.break_even if b.a == rec and b.b == partner)
    assert be.month is not None and be.utilization is not None
    summary = flat(summary_page(pdf_text(pdf)))
    assert f"month {be.month}" in summary
    assert f"{be.utilization * 100:.0f} %" in summary


def test_every_page_has_document_id_and_page_x_of_y(sample_pdfs: dict[str, tuple[Path, bytes]]) -> None:
    _, pdf = sample_pdfs["saas_fine_tuning"]
    pages = pdf_text(pdf)
    doc_ids = set(re.findall(r"CP-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", " ".join(pages)))
    assert len(doc_ids) == 1
    doc_id = doc_ids.pop()
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        if n > 1:
            assert doc_id in text


def test_fonts_are_embedded_and_unicode_survives(tmp_path: Path) -> None:
    data = json.loads(EUR_PROJECT.read_text(encoding="utf-8"))
    data["client"] = "Ōsaka Søren & Łukasz — ¥ £ € test"
    project_path = tmp_path / "p.json"
    project_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "p.pdf"
    export_proposal(load_project(project_path), out)
    pdf = out.read_bytes()
    text = flat(" ".join(pdf_text(pdf)))
    assert "Ōsaka Søren & Łukasz — ¥ £ € test" in text
    assert "Zoë Ångström-Müller" in text and "Conseil Énergie SàRL" in text
    assert "€" in text
    for font in _fonts(PdfReader(io.BytesIO(pdf))):
        assert font["embedded"], font["name"]
    assert any("PlannerSans" in f["name"] for f in _fonts(PdfReader(io.BytesIO(pdf))))


def _fonts(reader: PdfReader) -> list[dict[str, Any]]:
    """Fonts that content streams actually select (``/Name size Tf``), on pages and in form XObjects
    (the signature appearance). reportlab lists Helvetica in every page's resources without using it."""
    seen: dict[str, dict[str, Any]] = {}

    def visit(resources: Any, content: bytes) -> None:
        resources = resources.get_object() if resources is not None else None
        if not resources or "/Font" not in resources:
            return
        # a font counts as used when text is shown with it before the text object ends
        shown = re.findall(rb"/([^\s/]+)\s+[\d.]+\s+Tf((?:(?!\bET\b).)*?)(?:\bET\b|$)", content, re.S)
        used = {name.decode() for name, body in shown if re.search(rb"T[jJ]|'|\"", body)}
        for key, ref in resources["/Font"].items():
            if key.lstrip("/") not in used:
                continue
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[str(font.get("/BaseFont"))] = {"name": str(font.get("/BaseFont")), "embedded": embedded}

    for page in reader.pages:
        resources = page.get("/Resources")
        contents = page.get_contents()
        visit(resources, contents.get_data() if contents is not None else b"")
        for xobj in (resources.get_object() if resources else {}).get("/XObject", {}).values():
            x = xobj.get_object()
            visit(x.get("/Resources"), x.get_data())
        for annot in page.get("/Annots", []) or []:
            ap = annot.get_object().get("/AP")
            if ap is not None:
                n = ap["/N"].get_object()
                visit(n.get("/Resources"), n.get_data())
    assert seen
    return list(seen.values())


@pytest.mark.parametrize(("paper", "size"), [("a4", (595.3, 841.9)), ("letter", (612.0, 792.0))])
def test_paper_sizes(tmp_path: Path, paper: str, size: tuple[float, float]) -> None:
    out = tmp_path / f"{paper}.pdf"
    export_proposal(load_project(EUR_PROJECT), out, paper=paper)
    for page in PdfReader(out).pages:
        assert float(page.mediabox.width) == pytest.approx(size[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(size[1], abs=0.5)


def test_currency_follows_the_project(sample_pdfs: dict[str, tuple[Path, bytes]], tmp_path: Path) -> None:
    out = tmp_path / "eur.pdf"
    export_proposal(load_project(EUR_PROJECT), out)
    eur = " ".join(pdf_text(out.read_bytes()))
    assert "€" in eur
    assert not re.search(r"\$\d", eur)
    usd = " ".join(pdf_text(sample_pdfs["saas_fine_tuning"][1]))
    assert re.search(r"\$\d{1,3}(,\d{3})+", usd) and "€" not in usd


def test_sources_and_stale_figures_are_shown(tmp_path: Path) -> None:
    project = load_project(EUR_PROJECT)
    inputs = prepare_inputs(project, today=dt.date(2025, 12, 1))
    text = flat(" ".join(pdf_text(build_proposal(inputs))))
    for opt in project.options:
        assert opt.source_url in text
    # 2024-03-01 is more than 12 months before 2025-12-01; 2025-06-05 and 2025-11-01 are not
    assert re.search(r"AWS p5 reserved 1 y \(cloud\) — as of 2024-03-01 — STALE source: https://\S+", text)
    assert re.search(r"AWS p5 on-demand \(cloud\) — as of 2025-06-05 — current source: https://\S+", text)


def test_workloads_hardware_fit_and_catalog_figures_with_the_catalog(tmp_path: Path) -> None:
    from db import catalog
    from db.session import get_engine
    from planner.engine.estimate import estimate, parse_spec

    data = json.loads(EUR_PROJECT.read_text(encoding="utf-8"))
    for w in data["workloads"][:2]:
        del w["gpu_hours_per_run"]  # derived by the memory/time engine from the estimate spec
    path = tmp_path / "eur.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    project = load_project(path)
    out = tmp_path / "eur.pdf"
    engine = get_engine()  # the (seeded) catalog in the test's data dir
    export_proposal(project, out, catalog=DbCatalog(engine))
    text = flat(" ".join(pdf_text(out.read_bytes())))
    resolved = resolve_workloads(project, DbCatalog(engine)).project
    for w in resolved.workloads[:2]:
        model = catalog.get_model(engine, str(w.model))
        spec = parse_spec(dict(w.estimate or {}))
        # the memory that counts: the engine's device figure per GPU (what must fit in the GPU's memory)
        device = estimate(spec, model, [catalog.get_gpu(engine, str(w.gpu))]).device_gb_per_gpu
        assert f"{device:,.1f} GB" in text, w.name
        assert w.gpu_hours_per_run is not None
        assert f"{w.gpu_hours_per_run:,.1f}" in text, w.name  # GPU-hours per run, derived
    assert "Llama 3 8B LoRA fine-tune" in text and "LoRA" in text
    assert "H100 SXM (80 GB)" in text  # a hardware-fit row
    assert "Catalog figures" in text


def test_sections_are_present(sample_pdfs: dict[str, tuple[Path, bytes]]) -> None:
    text = flat(" ".join(pdf_text(sample_pdfs["fraud_detection_hybrid"][1])))
    for heading in (
        "Contents",
        "Executive summary",
        "Key numbers",
        "What would change the answer",
        "Options compared",
        "Year-by-year cash flow",
        "Cost detail",
        "Cumulative cost and break-even",
        "Breakdown by cost term",
        "Sensitivity of the recommendation",
        "Uncertainty (Monte Carlo)",
        "Ranges used",
        "Workloads",
        "Hardware fit",
        "Assumptions and sources",
        "Staffing",
        "Next steps",
        "Disclaimers",
        "Methodology and formulas",
        "Client acceptance",
        "Consultant's signature",
    ):
        assert heading in text, heading


def test_quotes_hook_renders_a_section(tmp_path: Path) -> None:
    inputs = prepare_inputs(load_project(EUR_PROJECT))
    inputs.quotes = [
        QuoteRow("Rheinwerk GmbH", "2× HGX H100 with support", 612_400.0, "EUR", 38_275.0, "2026-10-01")
    ]
    text = flat(" ".join(pdf_text(build_proposal(inputs))))
    assert "Vendor quotes" in text and "Rheinwerk GmbH" in text and "€612,400" in text


def test_project_with_errors_writes_nothing(tmp_path: Path) -> None:
    data = json.loads(EUR_PROJECT.read_text(encoding="utf-8"))
    data["options"][0]["rate_per_hour"] = -3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    from ui.report.export import read_project

    with pytest.raises(ReportError, match=r"rate_per_hour"):
        read_project(bad)
    out = tmp_path / "out.pdf"
    with pytest.raises(ReportError, match="does not exist"):
        export_proposal(load_project(EUR_PROJECT), tmp_path / "nowhere" / "out.pdf")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.json"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_render_pages_for_review(sample_pdfs: dict[str, tuple[Path, bytes]], artifacts_dir: Path) -> None:
    """Renders every page to tests/artifacts/ (50 dpi) so a person can look at them."""
    out = artifacts_dir / "proposal"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    pdf = out / "fraud_detection_hybrid.pdf"
    pdf.write_bytes(sample_pdfs["fraud_detection_hybrid"][1])
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(out / "fraud")], check=True)
    pngs = sorted(out.glob("fraud-*.png"))
    assert len(pngs) == len(PdfReader(pdf).pages)
