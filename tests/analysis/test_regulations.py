"""The proposal cites the regulation that applies where the client is: GDPR for a German hospital's health
data, with its official text, and not HIPAA; HIPAA for a US hospital (resources/compliance/regimes.toml)."""

from __future__ import annotations

import json
import re
import subprocess
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from planner.analysis import analyse, regimes_for
from planner.project import ProjectError, parse_project
from tests.dates import TODAY
from ui.report.export import export_proposal

GDPR_TEXT = "https://eur-lex.europa.eu/eli/reg/2016/679/oj"


def us_hospital() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        files("resources.samples").joinpath("healthcare_phi.json").read_text("utf-8")
    )
    return data


def german_hospital() -> dict[str, Any]:
    """The same hospital workload in Germany: health data under the GDPR, no US regime flag."""
    data = us_hospital()
    data.update(
        name="Klinikum: model training on patient data",
        client="Universitätsklinikum (sample)",
        country="DE",
        data_categories=["health"],
        compliance=[],
        notes="Patient data of a German hospital.",
    )
    data["demand"].pop("regulated_fraction", None)
    return data


def pdf_text(project: dict[str, Any], tmp_path: Path) -> str:
    out = tmp_path / "p.pdf"
    export_proposal(parse_project(project), out, samples=0, today=TODAY)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def test_the_regulations_follow_the_country_and_the_data() -> None:
    assert [r.code for r in regimes_for(parse_project(german_hospital()))] == ["gdpr_health"]
    assert [r.code for r in regimes_for(parse_project(us_hospital()))] == ["hipaa"]
    us_by_data = {**german_hospital(), "country": "US"}
    assert [r.code for r in regimes_for(parse_project(us_by_data))] == ["hipaa"]
    assert regimes_for(parse_project({**german_hospital(), "data_categories": []})) == ()


def test_a_german_hospitals_proposal_cites_gdpr_and_not_hipaa(tmp_path: Path) -> None:
    text = pdf_text(german_hospital(), tmp_path)
    assert "Regulations that apply" in text
    assert "General Data Protection Regulation" in text and GDPR_TEXT in text
    assert "HIPAA" not in text and "45 CFR" not in text


def test_a_us_hospitals_proposal_cites_hipaa(tmp_path: Path) -> None:
    text = pdf_text(us_hospital(), tmp_path)
    assert "HIPAA" in text and "45 CFR Part 164" in text
    assert "General Data Protection Regulation" not in text


def test_an_unknown_data_category_names_the_key() -> None:
    with pytest.raises(ProjectError) as info:
        parse_project({**german_hospital(), "data_categories": ["genetic"]})
    assert info.value.key == "data_categories" and "health" in str(info.value)
    a = analyse(parse_project(german_hospital()), today=TODAY, samples=0)
    assert [r.code for r in a.regimes] == ["gdpr_health"]


def test_the_editor_sets_country_and_regulated_data_and_the_window_shows_gdpr(
    main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    from tests.ui.projects_helpers import projects_page, settle

    page = projects_page(main_window, qtbot)
    page.open_sample("healthcare_phi")
    settle(page, qtbot)
    page.project_form.binder.field("compliance").flag_boxes["hipaa"].click()
    page.project_form.binder.field("country").set_text("DE")
    page.project_form.binder.field("data_categories").flag_boxes["health"].click()
    settle(page, qtbot)
    assert page.document.data["country"] == "DE" and page.document.data["data_categories"] == ["health"]
    shown = page.results.shown
    assert [r.code for r in shown.regimes] == ["gdpr_health"]
    assert page.grab().save(str(artifacts_dir / "projects_regulated_data.png"))
