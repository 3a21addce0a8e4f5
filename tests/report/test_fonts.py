"""Fonts: Latin, Greek, Cyrillic and CJK names render and extract as text, every font is embedded
(poppler's pdffonts), and a name the fonts cannot draw is an export error naming the characters."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.project import load_project
from tests.report.conftest import EUR_PROJECT, PASSWORD
from ui.report.export import export_proposal
from ui.report.files import ReportError
from ui.report.identity import create_identity, load_identity

pytestmark = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")

CJK_CLIENT = "山田電機株式会社 · 한빛 데이터"
CJK_SIGNER = "李小龙"
OTHER_SCRIPTS = "Αθηνά Παπαδοπούλου · Пётр Ильич"


def _project(tmp_path: Path, **fields: str) -> Path:
    data = json.loads(EUR_PROJECT.read_text(encoding="utf-8"))
    data.update(fields)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def pdffonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def test_cjk_client_and_signer_render_embedded_and_extract(tmp_path: Path, artifacts_dir: Path) -> None:
    p12 = create_identity(CJK_SIGNER, "北京咨询有限公司", "li@example.com", PASSWORD, tmp_path / "li.p12")
    identity = load_identity(p12, PASSWORD)
    path = _project(tmp_path, client=CJK_CLIENT, consultant=OTHER_SCRIPTS)
    out = tmp_path / "cjk.pdf"
    export_proposal(load_project(path), out, identity=identity, samples=100)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True
    ).stdout
    assert CJK_CLIENT in text  # cover, footer
    assert text.count(CJK_SIGNER) >= 3  # cover, signature page, stamp
    assert "北京咨询有限公司" in text
    fonts = pdffonts(out)
    assert fonts
    for row in fonts:
        name, emb = row[0], row[-5]
        assert emb == "yes", f"{name} is not embedded"
    assert all("PlannerSans" in row[0] for row in fonts)
    shots = artifacts_dir / "proposal_cjk"
    shots.mkdir(exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out), str(shots / "cover")], check=True
    )
    pages = int(
        next(
            x
            for x in subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout.splitlines()
            if x.startswith("Pages:")
        ).split()[1]
    )
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(pages), "-l", str(pages), str(out), str(shots / "last")],
        check=True,
    )
    assert len(list(shots.glob("*.png"))) == 2


def test_a_name_the_fonts_cannot_draw_is_an_error_naming_the_characters(tmp_path: Path) -> None:
    path = _project(tmp_path, client="ᚠᚢᚦ Runestones Ltd")
    out = tmp_path / "x.pdf"
    with pytest.raises(ReportError, match=r"client name.*'ᚠ' \(U\+16A0 RUNIC LETTER FEHU FEOH FE F\)"):
        export_proposal(load_project(path), out, samples=0)
    assert not out.exists()
