"""Document semantics on the real main window: the modified marker, "Save changes?" before New, Open, Open
sample, Open recent, Import and Quit, results that never outlive their project, the start screen, and the
recovery bar at start — at 1366×768 and 1920×1080, with screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from planner import __version__
from tests.ui.projects_helpers import TIMEOUT_MS, projects_page, settle, wait_io
from ui.autosave import AutosaveSlot
from ui.charts.base import READOUT_HINT
from ui.main_window import MainWindow
from ui.pages.projects import read_sample

pytestmark = pytest.mark.gui
SIZES = [(1366, 768), (1920, 1080)]


class Prompt:
    """Answers the next "Save changes?" box with ``button`` (as a user clicks it) and records what it said."""

    def __init__(self, button: QMessageBox.StandardButton, shot: Path | None = None) -> None:
        self.button = button
        self.shot = shot
        self.texts: list[str] = []
        QTimer.singleShot(0, self._answer)

    def _answer(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, self._answer)
            return
        self.texts.append(f"{box.windowTitle()} | {box.text()} | {box.informativeText()}")
        if self.shot is not None:
            box.grab().save(str(self.shot))
        box.button(self.button).click()


def edit_client(page: Any, text: str) -> None:
    page.project_form.binder.field("client").set_text(text)


def test_title_carries_the_name_and_the_modified_marker(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    assert main_window.windowTitle() == f"Compute Planner {__version__}"
    page.open_sample("research_spot")
    assert main_window.windowTitle() == f"Research institution experiments[*] — Compute Planner {__version__}"
    assert not main_window.isWindowModified()
    edit_client(page, "Physics department")
    assert main_window.isWindowModified()
    main_window.undo_stack.undo()
    assert not main_window.isWindowModified()  # back at the saved state
    main_window.undo_stack.redo()
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS):
        page.save()
    assert not main_window.isWindowModified()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_new_asks_first_and_shows_none_of_the_old_results(
    main_window: Any, qtbot: Any, artifacts_dir: Path, width: int, height: int
) -> None:
    main_window.resize(width, height)
    page = projects_page(main_window, qtbot)
    page.open_sample("fraud_detection_hybrid")
    settle(page, qtbot)
    old_options = [o.name for o in page.results.shown.tco.options]
    edit_client(page, "Unsaved client")

    cancel = Prompt(QMessageBox.StandardButton.Cancel, artifacts_dir / f"save_changes_{width}x{height}.png")
    main_window.action_new.trigger()
    assert cancel.texts == [
        f"Save changes? | “{read_sample('fraud_detection_hybrid')['name']}” has unsaved changes. | "
        "Save them before starting a new project?"
    ]
    assert page.document.data["client"] == "Unsaved client" and page.document.is_dirty()
    assert page.results.shown is not None

    discard = Prompt(QMessageBox.StandardButton.Discard)
    main_window.action_new.trigger()
    assert discard.texts
    assert page.document.data["options"] == [] and not page.document.is_dirty()
    assert main_window.windowTitle().startswith("Untitled project[*]")
    # Nothing of the previous project is left on screen: no result, no series, no recommendation.
    results = page.results
    assert results.shown is None and results.mc_shown is None
    assert results.cumulative.series == [] and results.breakdown.options == {}
    assert results.monte_carlo.samples == {} and results.tornado.rows == []
    assert results.recommendation_text() == ""
    assert "at least one option" in results.status.text()
    assert "last valid result" not in results.status.text()
    qtbot.wait(400)  # longer than the debounce: nothing of the old project arrives late
    assert results.shown is None
    legends = " ".join(label for chart in results.charts for _, label in chart.legend_entries)
    assert not any(name in legends for name in old_options)
    QApplication.processEvents()
    main_window.grab().save(str(artifacts_dir / f"new_project_after_discard_{width}x{height}.png"))


def test_save_in_the_prompt_saves_then_opens_the_sample(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    edit_client(page, "Kept by saving")
    prompt = Prompt(QMessageBox.StandardButton.Save)
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS) as saved:
        page.sample_button.menu().actions()[0].trigger()  # Open sample ▸ first sample
    assert prompt.texts and "before opening the sample" in prompt.texts[0]
    assert page.document.name == read_sample(page.sample_button.menu().actions()[0].data())["name"]
    wait_io(page, qtbot)
    [row] = [p for p in page.saved_projects if p.id == saved.args[0]]
    assert row.client == "Kept by saving"


def test_open_recent_and_import_ask_and_an_ampersand_shows(
    main_window: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    page.project_form.binder.field("name").set_text("R&D lab")
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS):
        page.save()
    [action] = [a for a in main_window.recent_menu.actions() if "R&" in a.text()]
    assert action.text() == "R&&D lab (db)"  # shown as "R&D lab (db)", not "RD lab" with D underlined
    assert action.iconText() == "R&D lab (db)"

    edit_client(page, "not saved yet")
    cancel = Prompt(QMessageBox.StandardButton.Cancel)
    action.trigger()
    assert cancel.texts and "before opening another project" in cancel.texts[0]
    wait_io(page, qtbot)
    assert page.document.data["client"] == "not saved yet"

    project_file = tmp_path / "healthcare.json"
    project_file.write_text(json.dumps(read_sample("healthcare_phi")), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(project_file), ""))
    discard = Prompt(QMessageBox.StandardButton.Discard)
    with qtbot.waitSignal(page.io_done, timeout=TIMEOUT_MS):
        main_window.action_import_project.trigger()
    assert discard.texts and "before importing a project" in discard.texts[0]
    assert page.document.name == read_sample("healthcare_phi")["name"]


def test_quit_asks_and_discard_leaves_no_autosave(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    edit_client(page, "edit to throw away")
    page.autosave_now()
    wait_io(page, qtbot)
    slot = page.autosave_slot.path
    assert slot.exists()
    cancel = Prompt(QMessageBox.StandardButton.Cancel)
    main_window.action_quit.trigger()
    assert cancel.texts and "before closing" in cancel.texts[0]
    assert main_window.isVisible() and slot.exists()
    discard = Prompt(QMessageBox.StandardButton.Discard)
    main_window.action_quit.trigger()
    assert discard.texts
    assert not main_window.isVisible()
    assert not slot.exists() and not slot.with_suffix(".lock").exists()


def test_chart_read_outs_never_name_a_removed_option(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("fraud_detection_hybrid")
    settle(page, qtbot)
    chart = page.results.cumulative
    page.results.charts_scroll.ensureWidgetVisible(chart)
    qtbot.wait(50)
    removed = page.document.data["options"][0]["name"]
    vb = chart.plot_item.vb
    scene_point = vb.mapViewToScene(QPointF(float(chart.months[-1]), float(chart.series[0][1][-1])))
    chart.plot.scene().sigMouseMoved.emit(scene_point)  # the pointer over the chart
    assert removed in chart.readout.text()
    page.tabs.setCurrentWidget(page.options)
    page.options.select(0)
    page.options.remove_current()
    settle(page, qtbot)
    assert removed not in [name for name, _ in chart.series]
    assert all(c.readout.text() == READOUT_HINT for c in page.results.charts)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_start_screen_sample_template_and_import(
    main_window: Any,
    qtbot: Any,
    artifacts_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    width: int,
    height: int,
) -> None:
    assert main_window.is_first_run()
    main_window.resize(width, height)
    page = projects_page(main_window, qtbot)
    start = page.first_run
    assert page.editor_stack.currentWidget() is start and start.isVisible()
    qtbot.wait(50)
    main_window.grab().save(str(artifacts_dir / f"start_screen_{width}x{height}.png"))

    # A template: a new, unsaved project with its workload; the editor replaces the start screen.
    start.templates.setCurrentRow(1)
    start.start_button.click()
    assert page.editor_stack.currentWidget() is page.tabs
    assert page.document.name == "Fine-tune on a budget (QLoRA)"
    [workload] = page.document.data["workloads"]
    assert workload["estimate"]["method"] == "qlora" and workload["model"] == "Llama 3.1 8B"
    assert page.document.data["options"] == []

    # A sample from the start screen of a second window (and the import button of a third).
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    try:
        page2 = projects_page(second, qtbot)
        names = [page2.first_run.samples.item(i).data(256) for i in range(page2.first_run.samples.count())]
        page2.first_run.samples.setCurrentRow(names.index("healthcare_phi"))
        page2.first_run.open_sample_button.click()
        assert page2.document.name == read_sample("healthcare_phi")["name"]
        assert not second.is_first_run()  # a recent project now
    finally:
        second.shutdown_workers()
        second.close()
    third = MainWindow()
    qtbot.addWidget(third)
    third.show()
    try:
        page3 = projects_page(third, qtbot)
        project_file = tmp_path / "spot.json"
        project_file.write_text(json.dumps(read_sample("research_spot")), encoding="utf-8")
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(project_file), ""))
        with qtbot.waitSignal(page3.io_done, timeout=TIMEOUT_MS):
            page3.first_run.import_button.click()
        assert page3.document.file_path == str(project_file)
        assert page3.editor_stack.currentWidget() is page3.tabs
    finally:
        second.shutdown_workers()
        second.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_recovery_is_offered_at_start_for_every_window(
    main_window: Any, qtbot: Any, artifacts_dir: Path, width: int, height: int
) -> None:
    for name, client in (("Left in window one", "one"), ("Left in window two", "two")):
        data = read_sample("research_spot") | {"name": name, "client": client}
        AutosaveSlot().write(data, project_id=None, file_path=None)  # no lock: as after a kill
    second = MainWindow()
    qtbot.addWidget(second)
    second.resize(width, height)
    second.show()
    try:
        assert second.stack.currentWidget() is second.pages["Catalog"]  # offered whatever view is shown
        texts = second.recovery_bar.texts()
        assert [t.split("”")[0] for t in texts] == [
            "Unsaved edits to “Left in window one",
            "Unsaved edits to “Left in window two",
        ]
        qtbot.wait(50)
        second.grab().save(str(artifacts_dir / f"recovery_bar_{width}x{height}.png"))
        third = MainWindow()  # another window (or process) starting now: they are claimed by the first
        qtbot.addWidget(third)
        assert not third.recovery_bar.items()
        third.shutdown_workers()
    finally:
        second.shutdown_workers()
        second.close()


class WindowManagerClose(QCloseEvent):
    """The close event the window system sends for the title bar's close button (spontaneous); offscreen Qt
    has no window manager to send it, and a close() from code is deliberately not asked about."""

    def spontaneous(self) -> bool:
        return True


def test_the_window_close_button_asks_too(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    edit_client(page, "still typing")
    cancel = Prompt(QMessageBox.StandardButton.Cancel)
    QApplication.sendEvent(main_window, WindowManagerClose())
    qtbot.waitUntil(lambda: bool(cancel.texts), timeout=TIMEOUT_MS)
    assert "before closing" in cancel.texts[0]
    assert main_window.isVisible() and page.document.data["client"] == "still typing"
