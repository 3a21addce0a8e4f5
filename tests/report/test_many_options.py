"""A proposal for a project with many options (issue 22: from 29 options reportlab raised LayoutError, the
per-option charts growing taller than a page). Tables list every option across pages; charts show the cheapest
and say so."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

from pypdf import PdfReader

from planner.project import load_project
from tests.report.conftest import EUR_PROJECT
from ui.report.export import export_proposal
from ui.report.proposal import BAR_CHART_OPTIONS, LINE_CHART_OPTIONS

OPTIONS = 40


def _project(tmp_path: Path, count: int) -> Path:
    data = json.loads(EUR_PROJECT.read_text(encoding="utf-8"))
    base = data["options"]
    options = []
    for i in range(count):
        o = copy.deepcopy(base[i % len(base)])
        o.pop("bridge_option", None)  # the copies' names differ from the option it names
        o["name"] = f"{o['name']} no. {i + 1}"
        if "rate_per_hour" in o:
            o["rate_per_hour"] = round(o["rate_per_hour"] * (1 + i / 100), 4)
        options.append(o)
    data["options"] = options
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_40_option_proposal_renders_every_option(tmp_path: Path) -> None:
    out = tmp_path / "many.pdf"
    result = export_proposal(load_project(_project(tmp_path, OPTIONS)), out, samples=100)
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert result.pages == len(reader.pages)
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    names = [f"no. {i}" for i in range(1, OPTIONS + 1)]
    missing = [n for n in names if not re.search(re.escape(n) + r"(?!\d)", text)]
    assert not missing
    assert f"The chart shows the {BAR_CHART_OPTIONS} cheapest of the {OPTIONS} options" in text
    assert f"The chart shows the {LINE_CHART_OPTIONS} cheapest of the {OPTIONS} options" in text
    # every table header repeats on the page it continues on: the options table spans pages
    option_pages = [i for i, page in enumerate(reader.pages) if "Per used" in page.extract_text()]
    assert len(option_pages) >= 2
