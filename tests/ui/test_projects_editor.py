"""The Projects page's behaviour: a burst of edits computes only the last, autosave and recovery after a
kill, workload/option editing with undo/redo, errors from the compute lane shown at the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.ui.projects_helpers import TIMEOUT_MS, projects_page, settle, totals, wait_io
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_burst_of_edits_computes_only_the_last(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    settle(page, qtbot)
    started = page.lane.stats["started"]
    horizon = page.project_form.binder.field("horizon_months")
    for months in range(13, 25):  # twelve edits faster than the debounce
        horizon.set_text(str(months))
    with qtbot.waitSignal(page.results_shown, timeout=TIMEOUT_MS):
        pass
    qtbot.waitUntil(page.is_ready, timeout=TIMEOUT_MS)
    assert page.lane.stats["started"] == started + 1
    assert page.results.shown.project.horizon_months == 24
    assert len(page.results.cumulative.months) == 24
    # All twelve are undoable, one by one.
    main_window.undo_stack.undo()
    assert page.document.value(("horizon_months",)) == 23
    main_window.undo_stack.redo()
    assert page.document.value(("horizon_months",)) == 24


def test_autosave_is_offered_after_a_kill_and_restores_the_edits(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("healthcare_phi")
    page.project_form.binder.field("client").set_text("Edited before the crash")
    page.autosave_now()
    wait_io(page, qtbot)
    assert page.autosave_slot.exists()
    # A live window's autosave is never offered to another window...
    probe = MainWindow()
    qtbot.addWidget(probe)
    try:
        assert not probe.recovery_bar.items()
    finally:
        probe.shutdown_workers()
        probe.close()
    # ...until its lock is gone, as after a kill (tests/ui/test_autosave_kill.py kills a real process).
    page.autosave_slot.release()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    try:
        assert second.recovery_bar.isVisibleTo(second)
        [text] = second.recovery_bar.texts()
        assert "Unsaved edits to" in text
        page2 = projects_page(second, qtbot)
        second.restore(second.recovery_bar.items()[0])
        assert page2.document.data["client"] == "Edited before the crash"
        assert page2.document.is_dirty() and second.isWindowModified()
        assert page2.autosave_slot.exists()  # kept until the restored project is saved
        assert not second.recovery_bar.isVisibleTo(second)
        settle(page2, qtbot)
        assert page2.last_error() is None
    finally:
        second.shutdown_workers()
        second.close()


def test_discarding_the_autosave_removes_it(main_window: Any, qtbot: Any) -> None:
    from ui.autosave import AutosaveSlot

    left = AutosaveSlot()
    left.write({"name": "x", "horizon_months": 12, "options": []}, project_id=None, file_path=None)
    second = MainWindow()
    qtbot.addWidget(second)
    try:
        [found] = second.recovery_bar.items()
        assert found.name == "x"
        second.discard_recoverable(found)
        assert not left.exists() and not second.recovery_bar.isVisibleTo(second)
    finally:
        second.shutdown_workers()
        second.close()


def test_workload_and_option_edits_undo_and_redo(main_window: Any, qtbot: Any, artifacts_dir: Path) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("saas_fine_tuning")
    settle(page, qtbot)
    base = totals(page)
    stack = main_window.undo_stack
    page.tabs.setCurrentWidget(page.workloads)
    page.workloads.add_from_template("LoRA", model="Qwen2.5 7B", gpu="L40S")
    assert page.workloads.table.rowCount() == len(page.document.data["workloads"])
    page.workloads.binder.field("runs_per_month").set_text("20")
    settle(page, qtbot)
    with_lora = totals(page)
    rented = [o.name for o in page.results.shown.tco.options if o.kind in ("cloud", "managed_k8s")]
    assert rented and all(with_lora[name] > base[name] for name in rented)  # rented: more demand, more cost
    assert any(b.label == "LoRA 1" for b in page.results.memory.bars)
    main_window.resize(1400, 980)
    qtbot.wait(50)
    main_window.grab().save(str(artifacts_dir / "projects_workloads.png"))
    # Undo both edits (runs, then the added workload): back to the sample's totals.
    stack.undo()
    stack.undo()
    settle(page, qtbot)
    assert totals(page) == base
    assert "LoRA 1" not in [w.get("name") for w in page.document.data.get("workloads", [])]
    stack.redo()
    settle(page, qtbot)
    assert page.document.data["workloads"][-1]["name"] == "LoRA 1"

    # Options: add blank hybrid, rename it, duplicate, remove; each one undoable.
    page.tabs.setCurrentWidget(page.options)
    n = len(page.document.data["options"])
    page.options.select(0)
    page.options.duplicate_current()
    assert len(page.document.data["options"]) == n + 1
    assert page.document.data["options"][-1]["name"].endswith("copy")
    page.options.remove_current()
    assert len(page.document.data["options"]) == n
    stack.undo()
    assert len(page.document.data["options"]) == n + 1


def test_unknown_catalog_model_is_marked_at_the_field(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("case_study_midsize_research")
    settle(page, qtbot)
    kept = page.results.shown
    page.workloads.add_from_template("QLoRA", model="Llama 3.1 8B", gpu="H100 SXM")
    field = page.workloads.binder.field("model")
    with qtbot.waitSignal(page.error_shown, timeout=TIMEOUT_MS):
        field.set_text("Llama 9 1T")
        page.compute_now()
    qtbot.waitUntil(page.is_ready, timeout=TIMEOUT_MS)
    assert field.error() is not None and "no model named 'Llama 9 1T'" in field.error()
    assert page.results.shown is kept
    assert "Could not compute" in page.results.status.text()
    field.set_text("Llama 3.1 8B")
    settle(page, qtbot)
    assert field.error() is None and page.last_error() is None


def test_file_menu_actions_and_recent_projects(main_window: Any, qtbot: Any, tmp_path: Path) -> None:
    page = projects_page(main_window, qtbot)
    main_window.show_page("Catalog")
    main_window.action_new.trigger()
    assert main_window.stack.currentWidget() is page
    assert page.document.is_open and page.document.data["options"] == []
    path = tmp_path / "sample.json"
    from resources import resource

    path.write_text(resource("samples", "healthcare_phi.json").read_text(encoding="utf-8"), encoding="utf-8")
    with qtbot.waitSignal(page.io_done, timeout=TIMEOUT_MS):
        page.import_from(str(path))
    assert page.document.name == json.loads(path.read_text())["name"]
    labels = [a.text() for a in main_window.recent_menu.actions()]
    assert labels and labels[0].endswith("(file)")
    page.open_sample("research_spot")
    assert main_window.recent_menu.actions()[0].text().endswith("(sample)")
    with qtbot.waitSignal(page.io_done, timeout=TIMEOUT_MS):
        main_window.recent_menu.actions()[1].trigger()
    assert page.document.file_path == str(path)


def test_catalog_server_without_list_price_asks_for_the_quote(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    settle(page, qtbot)
    unpriced = next(s for s in page.catalog["servers"] if not s.list_price_usd)
    page.options.add_server(unpriced)
    field = page.options.binder.field("server_price")
    assert field.error() == "no server price yet: enter the vendor's quote"
    assert "server_price" not in page.document.data["options"][-1]
    field.set_text("300000")
    assert field.error() is None
    settle(page, qtbot)
    assert totals(page)[page.document.data["options"][-1]["name"]] > 300000


def test_monte_carlo_reports_progress_and_can_be_cancelled(main_window: Any, qtbot: Any) -> None:
    page = projects_page(main_window, qtbot)
    page.samples_spin.setValue(50_000)
    page._samples_changed()
    page.open_sample("largest")
    page.compute_now()
    with qtbot.waitSignal(page.results_shown, timeout=TIMEOUT_MS):
        pass
    assert page.results.mc_shown is None  # the deterministic charts come first
    qtbot.waitUntil(lambda: page.progress.isVisible() and page.progress.value() > 0, timeout=TIMEOUT_MS)
    assert page.cancel_button.isVisible()
    page.cancel_action.trigger()  # Esc
    qtbot.waitUntil(page.is_ready, timeout=TIMEOUT_MS)
    assert page.mc_lane.stats["cancelled"] == 1
    assert "cancelled" in page.results.status.text()
    assert page.results.mc_shown is None and not page.progress.isVisible()


def test_every_sample_opens_and_computes(main_window: Any, qtbot: Any) -> None:
    from ui.pages.projects import sample_names

    page = projects_page(main_window, qtbot)
    page.samples_spin.setValue(500)
    page._samples_changed()
    names = sample_names()
    assert len(names) >= 8
    for name in names:
        page.open_sample(name)
        assert page.document.validate()[1] is None, name
        settle(page, qtbot)
        assert page.last_error() is None, (name, page.last_error())
        assert page.results.shown.project.name == page.document.name
        assert page.results.mc_shown is not None and page.results.mc_shown.samples == 500
