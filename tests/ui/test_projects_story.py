"""The user story on the real main window: create a project, add a QLoRA workload for a catalog model, add a
cloud and an on-prem option from the catalog, see charts and recommendation; undo; save, close, reopen;
import a malformed file and see the error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.ui.projects_helpers import TIMEOUT_MS, projects_page, settle, totals, wait_io
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _build_story_project(page: Any, qtbot: Any) -> None:
    page.new_project()
    form = page.project_form.binder
    form.field("name").set_text("Story: QLoRA fine-tuning for ACME")
    form.field("client").set_text("ACME Insurance")
    form.field("electricity_per_kwh").set_text("0.12")
    form.field("pue").set_text("1.4")
    # No option yet: the project cannot be evaluated, and the page says why.
    assert "at least one option" in page.results.status.text()

    page.tabs.setCurrentWidget(page.workloads)
    page.workloads.add_from_template("QLoRA", model="Llama 3.1 8B", gpu="H100 SXM")
    wl = page.workloads.binder
    wl.field("runs_per_month").set_text("40")
    wl.field("estimate.tokens").set_text("2e9")

    page.tabs.setCurrentWidget(page.options)
    page.options.add_button.menu()  # the menu exists; the picker is what it opens
    page.open_cloud_picker()
    page.picker.filter_edit.setText("AWS p5.48xlarge on-demand")
    assert page.picker.chosen() is not None
    page.picker.accept()
    page.open_server_picker()
    page.picker.filter_edit.setText("DGX H100")
    assert page.picker.chosen().list_price_usd
    page.picker.accept()


def test_user_story_end_to_end(main_window: Any, qtbot: Any, tmp_path: Path, artifacts_dir: Path) -> None:
    page = projects_page(main_window, qtbot)
    _build_story_project(page, qtbot)
    settle(page, qtbot)
    assert page.last_error() is None, page.last_error()

    data = page.document.data
    kinds = [o["kind"] for o in data["options"]]
    assert kinds == ["cloud", "onprem"]
    cloud, onprem = data["options"]
    assert cloud["source_url"] and cloud["as_of"]  # sourced, dated price carried over from the catalog
    shown = page.results.shown
    assert [name for name, _ in page.results.cumulative.series] == [cloud["name"], onprem["name"]]
    # The QLoRA workload's GPU-hours came from the estimate engine and its memory is charted against 80 GB.
    assert shown.resolved.workloads[0].gpu_hours_per_run and shown.resolved.workloads[0].gpu_hours_per_run > 0
    bar = page.results.memory.bars[0]
    assert bar.capacity_gb == pytest.approx(80.0) and "weights" in bar.breakdown_gb and 0 < bar.peak_gb < 80
    rec_text = page.results.recommendation_text()
    assert shown.tco.recommendation.option in rec_text
    assert page.results.mc_shown is not None and page.results.monte_carlo.samples
    # Independent check of the cumulative chart: the last point is the option's horizon total.
    for name, series in page.results.cumulative.series:
        assert series[-1] == pytest.approx(totals(page)[name], rel=1e-9)
    main_window.resize(1400, 980)
    qtbot.wait(50)
    main_window.grab().save(str(artifacts_dir / "projects_story_options.png"))

    # An edit changes the results; undo restores them exactly (and the field shows the old value again).
    before = totals(page)
    page.options.select(1)
    page.options.binder.field("servers").set_text("3")
    settle(page, qtbot)
    after = totals(page)
    assert after[onprem["name"]] > before[onprem["name"]]
    main_window.undo_stack.undo()
    settle(page, qtbot)
    assert totals(page) == before
    assert page.options.binder.field("servers").text() == "1"

    # A bad value is marked at its field with the reason; the last valid result stays on screen.
    page.tabs.setCurrentWidget(page.project_form)
    kept = page.results.shown
    page.project_form.binder.field("pue").set_text("0.8")
    pue = page.project_form.binder.field("pue")
    assert pue.error() == "PUE cannot be below 1 (got 0.8)"
    assert pue.error_label.isVisibleTo(page) and "PUE cannot be below 1" in pue.error_label.text()
    assert "showing the last valid result" in page.results.status.text()
    qtbot.wait(300)  # longer than the debounce: nothing may be computed for an invalid project
    assert page.results.shown is kept and page.lane.is_idle()
    main_window.grab().save(str(artifacts_dir / "projects_story_invalid_field.png"))
    main_window.undo_stack.undo()
    assert pue.error() is None and pue.text() == "1.4"
    # Text that is no number never reaches the document.
    horizon = page.project_form.binder.field("horizon_months")
    horizon.set_text("three years")
    assert horizon.error() == "must be a whole number (got 'three years')"
    assert page.document.value(("horizon_months",)) == 36
    horizon.set_text("36")
    settle(page, qtbot)

    # Save, close the window, open a new one and reopen the project.
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS) as saved:
        page.save()
    project_id = saved.args[0]
    assert not page.document.is_dirty()
    saved_data = page.document.snapshot()
    saved_totals = totals(page)
    main_window.shutdown_workers()
    main_window.close()

    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    try:
        page2 = projects_page(second, qtbot)
        wait_io(page2, qtbot)
        assert not second.recovery_bar.items()  # clean close: nothing to restore
        assert any(p.id == project_id for p in page2.saved_projects)
        page2.saved_list.setCurrentRow(0)
        page2._open_item(page2.saved_list.item(0))
        wait_io(page2, qtbot)
        settle(page2, qtbot)
        assert page2.document.project_id == project_id
        assert page2.document.data == json.loads(json.dumps(saved_data))
        for name, total in saved_totals.items():
            assert totals(page2)[name] == pytest.approx(total, rel=1e-12)

        # Import a malformed file: the error is shown and the open project is untouched.
        bad = tmp_path / "broken.json"
        bad.write_text('{"name": "half a file", "options": [', encoding="utf-8")
        with qtbot.waitSignal(page2.io_done, timeout=TIMEOUT_MS):
            page2.import_from(str(bad))
        assert "Could not import broken.json: file: not valid JSON" in page2.message_text()
        assert page2.document.project_id == project_id
        wrong = tmp_path / "wrong_value.json"
        wrong.write_text(json.dumps({**saved_data, "pue": 0.5}), encoding="utf-8")
        with qtbot.waitSignal(page2.io_done, timeout=TIMEOUT_MS):
            page2.import_from(str(wrong))
        assert "pue: PUE cannot be below 1 (got 0.5)" in page2.message_text()
        assert page2.document.data["pue"] == 1.4
        second.grab().save(str(artifacts_dir / "projects_import_error.png"))

        # Export and import round-trip through the CLI's file format.
        out = tmp_path / "story.json"
        with qtbot.waitSignal(page2.io_done, timeout=TIMEOUT_MS):
            page2.export_to(str(out))
        from planner.project import load_project

        assert load_project(out).name == "Story: QLoRA fine-tuning for ACME"
        with qtbot.waitSignal(page2.io_done, timeout=TIMEOUT_MS):
            page2.import_from(str(out))
        assert page2.message_text() == ""
        assert page2.recent()[0]["kind"] == "file"
    finally:
        second.shutdown_workers()
        second.close()


def test_charts_follow_palette_and_read_out_with_units(
    main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("fraud_detection_hybrid")
    settle(page, qtbot)
    results = page.results
    months = results.cumulative.months
    name, series = results.cumulative.series[0]
    text = results.cumulative.readout_at(float(months[11]), float(series[11]))
    assert text.startswith("month 12: ") and "USD cumulative" in text
    assert "USD/GPU-h" in results.utilisation.readout_at(50.0, 10.0)
    assert " GB" in results.memory.readout_at(0, 0) or not results.memory.bars
    assert "P50" in results.monte_carlo.readout_at(3.0, 0.01)
    assert "USD" in results.tornado.readout_at(2.7, 0)
    assert "month 1," in results.breakdown.readout_at(1.0, 0.0)
    main_window.resize(1400, 980)
    main_window.theme_actions["dark"].trigger()  # View ▸ Theme ▸ Dark
    assert results.cumulative.palette_.name == "dark"
    assert results.cumulative.plot.backgroundBrush().color().name() == "#1e1f22"
    qtbot.wait(50)
    main_window.grab().save(str(artifacts_dir / "projects_results_dark.png"))
    main_window.theme_actions["light"].trigger()
    # Items are created once: a recompute reuses the same curve objects.
    curves_before = list(results.cumulative._curves)
    page.project_form.binder.field("horizon_months").set_text("48")
    settle(page, qtbot)
    assert results.cumulative._curves[: len(curves_before)] == curves_before
    assert np.array_equal(results.cumulative.months, np.arange(1, 49))
