"""Archivable and reproducible: PDF/A-3b structure (our pikepdf checks, and poppler's pdffonts), metadata,
outline, the project / catalog rows / analysis embedded as associated files, one document id per document,
versions per project, and `planner verify --recompute` confirming every figure or catching an altered project.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from db.analysis_catalog import DbCatalog
from planner.project import load_project
from tests.report.conftest import EUR_PROJECT, sample_projects
from ui.cli import main
from ui.report.archive import ANALYSIS_FILE, CATALOG_FILE, PROJECT_FILE, attachments, pdfa_problems
from ui.report.export import export_proposal, prepare_inputs
from ui.report.identity import Identity
from ui.report.proposal import build_proposal
from ui.report.reproduce import recompute

DAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def _export(tmp_path: Path, name: str, **kw: object) -> Path:
    out = tmp_path / name
    kw.setdefault("today", DAY)
    kw.setdefault("now", NOW)
    kw.setdefault("samples", 200)
    export_proposal(load_project(EUR_PROJECT), out, **kw)  # type: ignore[arg-type]
    return out


def test_pdfa_structure_metadata_outline_and_attachments(tmp_path: Path, identity: Identity) -> None:
    for pdf in (_export(tmp_path, "a.pdf"), _export(tmp_path, "s.pdf", identity=identity)):
        data = pdf.read_bytes()
        assert pdfa_problems(data) == []
        with pikepdf.Pdf.open(pdf) as doc:
            meta = doc.open_metadata()
            assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
            assert str(doc.Root.Lang) == "en"
            assert str(doc.docinfo["/Title"]) == "Proposal: Fine-tuning platform 2027–2029"
            assert "/Outlines" in doc.Root and doc.open_outline().root  # bookmarks
            titles = [item.title for item in doc.open_outline().root]
            assert titles[0] == "1. Executive summary" and "Acceptance and signatures" in titles[-1]
            relationships = {str(s.obj.AFRelationship) for s in doc.attachments.values()}
            assert relationships == {"/Source", "/Data"}
        assert set(attachments(data)) == {PROJECT_FILE, CATALOG_FILE, ANALYSIS_FILE}
    with pikepdf.Pdf.open(tmp_path / "s.pdf") as doc:
        assert str(doc.docinfo["/Author"]) == identity.name  # author = the signer
        assert identity.name in list(doc.open_metadata()["dc:creator"])


def test_the_checks_find_what_a_plain_pdf_lacks() -> None:
    plain = build_proposal(prepare_inputs(load_project(EUR_PROJECT), samples=0, today=DAY))
    problems = " | ".join(pdfa_problems(plain))
    for what in ("PDF/A-3b", "output intent", "dc:title"):
        assert what in problems, what


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_shows_every_font_embedded(tmp_path: Path, identity: Identity) -> None:
    out = subprocess.run(
        ["pdffonts", str(_export(tmp_path, "s.pdf", identity=identity))], capture_output=True, text=True
    ).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows and all(r[-5] == "yes" for r in rows), out
    assert "Helvetica" not in out


def test_every_document_has_its_own_id_and_versions_count_per_project(
    tmp_path: Path, identity: Identity
) -> None:
    reg = tmp_path / "proposals.json"
    a4 = _export(tmp_path, "a4.pdf", registry=reg)
    again = _export(tmp_path, "again.pdf", registry=reg)
    letter = _export(tmp_path, "letter.pdf", paper="letter", registry=reg)
    signed = _export(tmp_path, "signed.pdf", identity=identity, registry=reg)

    def info(p: Path) -> tuple[str, str]:
        with pikepdf.Pdf.open(p) as doc:
            return str(doc.docinfo["/DocumentId"]), json.loads(attachments(p.read_bytes())[ANALYSIS_FILE])[
                "meta"
            ]["version"]

    ids = [info(p) for p in (a4, again, letter, signed)]
    assert ids[0] == ids[1]  # the same content is the same document: same id, same version
    assert len({i for i, _ in ids}) == 3
    assert [v for _, v in ids] == ["1", "1", "2", "3"]


@pytest.mark.parametrize("stem", [p.stem for p in sample_projects()])
def test_recompute_confirms_every_figure_of_every_sample(stem: str, tmp_path: Path) -> None:
    path = next(p for p in sample_projects() if p.stem == stem)
    out = tmp_path / f"{stem}.pdf"
    export_proposal(load_project(path), out, samples=200, today=DAY, now=NOW, catalog=DbCatalog())
    r = recompute(out.read_bytes())
    assert r.ok, r.human()
    assert r.id_matches and r.figures_checked > 100


def _alter_project(pdf: Path, out: Path) -> None:
    with pikepdf.Pdf.open(pdf) as doc:
        spec = doc.attachments[PROJECT_FILE]
        project = json.loads(spec.get_file().read_bytes())
        project["options"][0]["rate_per_hour"] = project["options"][0]["rate_per_hour"] * 0.5
        doc.attachments[PROJECT_FILE] = pikepdf.AttachedFileSpec(
            doc, json.dumps(project).encode(), filename=PROJECT_FILE, mime_type="application/json"
        )
        doc.save(out)


def test_recompute_fails_on_an_altered_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = _export(tmp_path, "p.pdf")
    assert main(["verify", str(pdf), "--recompute"]) == 0
    assert "all" in capsys.readouterr().out
    altered = tmp_path / "altered.pdf"
    _alter_project(pdf, altered)
    r = recompute(altered.read_bytes())
    assert not r.ok and not r.id_matches
    assert any("total" in path for path, _a, _b in r.differences)
    assert main(["verify", str(altered), "--recompute", "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert not verdict["recompute"]["ok"] and verdict["recompute"]["differences"]


def test_attachments_read_back_as_the_project(tmp_path: Path) -> None:
    pdf = _export(tmp_path, "p.pdf")
    project = json.loads(attachments(pdf.read_bytes())[PROJECT_FILE])
    assert project["name"] == load_project(EUR_PROJECT).name
    analysis = json.loads(attachments(pdf.read_bytes())[ANALYSIS_FILE])
    assert analysis["monte_carlo"] == {"samples": 200, "seed": 20240601}


def _page_fill(pdf: Path) -> list[tuple[float, str]]:
    """Per page: the share of the body height down to the lowest text line (header and footer excluded),
    and the page's first body line."""
    import re as _re

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    out = []
    for page in html.split("<page ")[1:]:
        height = float(_re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        top, bottom = 20 * 72 / 25.4, height - 20 * 72 / 25.4
        words = [
            (float(y1), float(y2), w)
            for y1, y2, w in _re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
        ]
        body = [(a, b, w) for a, b, w in words if top <= a and b <= bottom]
        lowest = max((b for _a, b, _w in body), default=top)
        first = " ".join(w for a, _b, w in sorted(body)[:6])
        out.append(((lowest - top) / (bottom - top), first))
    return out


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("stem", ["fraud_detection_hybrid", "largest", "fine_tuning_workloads"])
def test_no_mostly_empty_page_but_the_last_of_a_section(stem: str, tmp_path: Path) -> None:
    import re as _re

    path = next(p for p in sample_projects() if p.stem == stem)
    out = tmp_path / f"{stem}.pdf"
    export_proposal(load_project(path), out, samples=200, today=DAY, now=NOW, catalog=DbCatalog())
    pages = _page_fill(out)
    for n, (fill, _first) in enumerate(pages[2:-1], start=3):  # cover, contents and the last page aside
        next_first = pages[n][1]  # the following page
        section_ends = bool(_re.match(r"\d+\. |Appendix", next_first))
        assert fill >= 0.4 or section_ends, f"page {n} is {fill:.0%} filled and its section goes on"
