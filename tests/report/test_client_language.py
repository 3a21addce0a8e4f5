"""Every shipped sample's proposal reads as client language: extracted with poppler's pdftotext, no page
names the source documents as "seed", prints an internal rule number, a raw snake_case key, None or nan,
and no amount is broken over two lines (a broken amount extracts as a malformed number such as
"$144,639,41" + "9"). The source documents are cited by their titles."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from db.analysis_catalog import DbCatalog
from db.session import dispose_engines, get_engine
from planner.project import load_project
from tests.report.conftest import sample_projects
from ui.report.export import export_proposal

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

FORBIDDEN = [
    (re.compile(r"\bseeds?\s*0\d\d", re.I), "a source document cited as a seed"),
    (re.compile(r"\b(?:decision )?rule \d\b", re.I), "an internal rule number"),
    (re.compile(r"\bscenario \d\b", re.I), "an internal scenario number"),
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\bnan\b", re.I), "nan"),
    (re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"), "a snake_case key"),
    (re.compile(r"\b\w+\.(?:csv|json|py|yml)\b"), "a file name"),
]
URL = re.compile(r"https?://\S+")
AMOUNT = re.compile(r"-?[$€£¥][\d.,]*\d[\d.,]*[KMB]?")
WELL_FORMED = re.compile(r"-?[$€£¥]\d{1,3}(?:,\d{3})*(?:\.\d+)?[KMB]?")


def pdftotext(pdf: Path, *layout: str) -> str:
    return subprocess.run(
        ["pdftotext", *layout, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def problems(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        bare = URL.sub(" ", line)
        for pattern, what in FORBIDDEN:
            for m in pattern.finditer(bare):
                found.append(f"{what}: {m.group(0)!r} in {line.strip()[:120]!r}")
    return found


def broken_amounts(text: str) -> list[str]:
    """Amounts that are not one well-formed number: what an amount wrapped inside a cell extracts as."""
    bad = []
    for line in text.splitlines():
        bare = URL.sub(" ", line).rstrip()
        for m in AMOUNT.finditer(bare):
            token = m.group(0).rstrip(".,")
            cut = m.end() == len(bare) and m.group(0).endswith(",")  # "€1,234," + "567" on the next line
            if cut or not WELL_FORMED.fullmatch(token):
                bad.append(f"{token!r} in {line.strip()[:120]!r}")
    return bad


def test_the_checks_catch_what_they_look_for() -> None:
    assert problems("owning pays (seed 001 rule 3)")
    assert problems("onprem.fte_cost_annual")
    assert problems("Total None") and problems("P50 nan")
    assert not problems("see https://github.com/org/repo_name/blob/x_y.csv")
    assert broken_amounts("$144,639,41\n9") == ["'$144,639,41' in '$144,639,41'"]
    assert broken_amounts("€1,234,\n567")
    assert not broken_amounts("$144,639,419 and -$520,800, $13.02, $2.5M – $3M")


@pytest.fixture(scope="module")
def catalog_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.sqlite3'}")
    yield engine
    dispose_engines()


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory, catalog_engine: Any) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("client-language")
    out = {}
    for path in sample_projects():
        pdf = folder / (path.stem + ".pdf")
        export_proposal(load_project(path), pdf, catalog=DbCatalog(catalog_engine), samples=300)
        out[path.stem] = pdf
    return out


@pytest.mark.parametrize("stem", [p.stem for p in sample_projects()])
def test_every_page_is_client_language(stem: str, sample_pdfs: dict[str, Path]) -> None:
    text = pdftotext(sample_pdfs[stem])
    assert problems(text) == []
    assert broken_amounts(text) == []
    assert broken_amounts(pdftotext(sample_pdfs[stem], "-layout")) == []


@pytest.mark.parametrize("stem", ["healthcare_phi", "fraud_detection_hybrid", "saas_fine_tuning"])
def test_source_documents_are_cited_by_title(stem: str, sample_pdfs: dict[str, Path]) -> None:
    text = re.sub(r"\s+", " ", pdftotext(sample_pdfs[stem]))
    assert "“AI Model Training Services: Cloud vs. On-Premises vs. Hybrid”" in text
    assert (
        "“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” (research note, 2026-02-19)" in text
    )
