"""The Projects page when a colleague saved the same project in between: the save is refused in a message
box naming who changed it and when, with the choice to save these edits as a copy or reload theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from db.projects import list_projects, open_project, save_project
from tests.ui.projects_helpers import TIMEOUT_MS, projects_page, wait_io
from ui.pages.projects import _engine

pytestmark = pytest.mark.gui


def _button(box: QMessageBox, text: str) -> Any:
    (found,) = [b for b in box.buttons() if b.text() == text]
    return found


def test_a_stale_save_offers_a_copy_or_a_reload(main_window: Any, qtbot: Any, artifacts_dir: Path) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("healthcare_phi")
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS) as first:
        page.save()
    project_id = first.args[0]
    engine = _engine(page.db_url)
    colleague = open_project(engine, project_id)  # Ben opens and saves the same project meanwhile
    theirs = {**colleague.payload, "client": "Changed by Ben"}
    save_project(
        engine, colleague.payload["name"], theirs, project_id, base_revision=1, saved_by="ben@desk-7"
    )

    page.project_form.binder.field("client").set_text("Changed in this window")
    page.save()
    qtbot.waitUntil(
        lambda: page.conflict_box is not None and page.conflict_box.isVisible(), timeout=TIMEOUT_MS
    )
    box = page.conflict_box
    assert "was changed by ben@desk-7 at " in box.text() and "UTC after you opened it" in box.text()
    box.grab().save(str(artifacts_dir / "project_conflict.png"))
    assert open_project(engine, project_id).payload["client"] == "Changed by Ben"  # nothing overwritten

    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS) as copy:
        _button(box, "Save mine as a copy").click()
    wait_io(page, qtbot)
    copy_id = copy.args[0]
    assert copy_id != project_id and page.document.project_id == copy_id
    assert open_project(engine, copy_id).payload["client"] == "Changed in this window"
    assert open_project(engine, project_id).payload["client"] == "Changed by Ben"
    names = sorted(p.name for p in list_projects(engine))
    assert names == sorted([colleague.payload["name"], f"{colleague.payload['name']} (copy)"])
    page.project_form.binder.field("client").set_text("Edited again in the copy")
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS):
        page.save()  # the copy now saves from its own revision: no conflict
    assert open_project(engine, copy_id).payload["client"] == "Edited again in the copy"


def test_reload_shows_the_colleagues_version(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("healthcare_phi")
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS) as first:
        page.save()
    project_id = first.args[0]
    engine = _engine(page.db_url)
    colleague = open_project(engine, project_id)
    theirs = {**colleague.payload, "client": "Changed by Ben"}
    save_project(
        engine, colleague.payload["name"], theirs, project_id, base_revision=1, saved_by="ben@desk-7"
    )
    page.project_form.binder.field("client").set_text("Changed in this window")
    page.save()
    qtbot.waitUntil(
        lambda: page.conflict_box is not None and page.conflict_box.isVisible(), timeout=TIMEOUT_MS
    )
    with qtbot.waitSignal(page.io_done, timeout=TIMEOUT_MS):
        _button(page.conflict_box, "Reload theirs").click()
    assert page.document.data["client"] == "Changed by Ben"
    page.project_form.binder.field("client").set_text("On top of Ben's")
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS):
        page.save()  # saved from the reloaded revision
    assert open_project(engine, project_id).payload["client"] == "On top of Ben's"
