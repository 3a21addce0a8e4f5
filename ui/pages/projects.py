"""The Projects view: saved projects, the project editor (project form, workloads, options) and the live
Results beside it.

Every edit is an undoable command on the window's QUndoStack. After each change the project dict is
validated on the GUI thread (fast): a bad value is marked at its field with the reason and the last valid
result stays on screen; a valid project goes to the compute lane (debounced, newest wins). Saving, loading,
import/export files and the autosave go through one serial I/O lane. Results are drawn at most once per
40 ms (redraws coalesced).
"""

from __future__ import annotations

import html
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from planner import clock
from planner.analysis import MONTE_CARLO_SAMPLES, Analysis
from planner.files import write_atomic
from planner.project import ProjectError, parse_project
from resources import resource
from ui.autosave import AUTOSAVE_INTERVAL_S, AutosaveSlot, Recoverable
from ui.editor.document import Path as Path_
from ui.editor.document import ProjectDocument, error_path, new_project_data
from ui.editor.lanes import AnalysisRequest, run_analysis
from ui.editor.panels import CatalogPicker, OptionsEditor, ProjectForm, WorkloadsEditor
from ui.editor.results_panel import ResultsPanel
from ui.layout import remember_splitter
from ui.pages.first_run import FirstRunPanel
from ui.workers import ComputeLane, DbLane, WorkerError

log = logging.getLogger(__name__)

REDRAW_MS = 40
RECENT_MAX = 8
DEFAULT_SAMPLES = MONTE_CARLO_SAMPLES  # the same Monte Carlo as the CLI and the proposal (planner.analysis)


def _price(value: float | None) -> str:
    return f"{value:,.0f} USD" if value else "no price"


def sample_names() -> list[str]:
    return sorted(p.name[:-5] for p in resource("samples").iterdir() if p.name.endswith(".json"))


def read_sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("samples", f"{name}.json").read_text(encoding="utf-8"))
    return data


# ---- work for the I/O lane (never on the GUI thread) ------------------------------------------------
def _engine(url: str | None) -> Any:
    from db.session import get_engine

    return get_engine(url)


def _load_catalog(url: str | None) -> dict[str, list[Any]]:
    from db import catalog

    engine = _engine(url)
    return {
        "models": catalog.list_models(engine),
        "gpus": catalog.list_gpus(engine),
        "cloud": catalog.list_cloud_skus(engine),
        "servers": catalog.list_servers(engine),
    }


def _list_saved(url: str | None) -> list[Any]:
    from db import projects

    return projects.list_projects(_engine(url))


def _save(
    url: str | None, name: str, payload: dict[str, Any], project_id: int | None, base_revision: int | None
) -> Any:
    """Store the project; ``base_revision`` (the revision it was opened or last saved at) makes a save over
    a colleague's newer one fail with db.projects.ProjectConflict instead of overwriting it."""
    from db import projects

    parse_project(payload)  # never store an invalid project
    return projects.save_project(_engine(url), name, payload, project_id, base_revision=base_revision)


def _load_saved(url: str | None, project_id: int) -> Any:
    from db import projects

    return projects.open_project(_engine(url), project_id)


def _read_project_file(path: str) -> dict[str, Any]:
    """Read and validate a project file; ProjectError naming the key on a bad file (planner.project.load_project:
    the same size, depth, number and text limits as `planner tco`)."""
    from planner.project import load_project

    return load_project(path).to_dict()


def _write_project_file(path: str, data: dict[str, Any]) -> str:
    payload = parse_project(data).to_dict()
    target = Path(path)
    write_atomic(target, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return str(target)


# ---- the page ------------------------------------------------------------------------------------
class ProjectsPage(QWidget):
    """Saved projects, the editor and the live results."""

    results_shown = Signal(int)  # generation drawn
    mc_shown = Signal(int)  # Monte Carlo drawn for that generation
    error_shown = Signal(str)
    saved = Signal(int)
    catalog_loaded = Signal()
    io_done = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.db_url: str | None = getattr(window, "db_url", None)
        self.document = ProjectDocument(window.undo_stack, self)
        self.lane = ComputeLane(run_analysis, debounce_ms=150, parent=self)
        # Monte Carlo runs on its own lane after the deterministic result is drawn: charts update fast,
        # the distribution follows with progress in the status bar (Esc cancels it).
        self.mc_lane = ComputeLane(run_analysis, debounce_ms=0, parent=self)
        self._pending_mc: tuple[int, Analysis | None] | None = None
        self._mc_fast_generation: dict[int, int] = {}
        self._drawing_generation = 0
        self.io = DbLane(self)
        # This window's own autosave slot (its lock held while the window lives; see ui/autosave.py).
        self.autosave_slot = AutosaveSlot()
        self.autosave_slot.claim()
        self.catalog: dict[str, list[Any]] = {"models": [], "gpus": [], "cloud": [], "servers": []}
        self.saved_projects: list[Any] = []
        self.revisions: dict[int, int] = {}  # saved project id -> the revision this window edits from
        self.conflict_box: QMessageBox | None = None
        self.picker: CatalogPicker | None = None
        self.samples = DEFAULT_SAMPLES
        self._error: str | None = None
        self._catalog_ready = False
        self._pending_result: tuple[int, Analysis] | None = None
        self._shown_generation = 0
        self._requested_at: dict[int, float] = {}
        self.latencies: list[float] = []
        self._build()
        self._connect(window)
        self.io.submit(lambda: _load_catalog(self.db_url), self._catalog_arrived, self._io_failed)
        self.refresh_saved()

    # ---- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel("<b>No project open</b>")
        self.title.setObjectName("project_title")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.new_button = QPushButton("New")
        self.new_button.clicked.connect(self.new_project)
        self.sample_button = QToolButton()
        self.sample_button.setText("Open sample")
        self.sample_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.sample_button)
        for name in sample_names():
            menu.addAction(name.replace("_", " ")).setData(name)
        menu.triggered.connect(lambda a: self.open_sample(str(a.data())))
        self.sample_button.setMenu(menu)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.choose_import)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.choose_export)
        self.compute_button = QPushButton("Compute now")
        self.compute_button.setToolTip("Recompute without waiting (F5)")
        self.compute_button.clicked.connect(self.compute_now)
        self.samples_spin = QSpinBox()
        self.samples_spin.setRange(0, 50_000)
        self.samples_spin.setSingleStep(500)
        self.samples_spin.setValue(self.samples)
        self.samples_spin.setPrefix("Monte Carlo ")
        self.samples_spin.setSuffix(" samples")
        self.samples_spin.editingFinished.connect(self._samples_changed)
        top = QHBoxLayout()
        for w in (
            self.new_button,
            self.sample_button,
            self.save_button,
            self.import_button,
            self.export_button,
            self.compute_button,
            self.samples_spin,
        ):
            top.addWidget(w)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #d93025; font-weight: bold;")
        self.message.hide()

        self.saved_list = QListWidget()
        self.saved_list.setObjectName("saved_projects")
        self.saved_list.itemActivated.connect(self._open_item)
        self.saved_list.itemDoubleClicked.connect(self._open_item)
        saved_box = QWidget()
        sl = QVBoxLayout(saved_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(QLabel("Saved projects (double-click to open)"))
        sl.addWidget(self.saved_list)

        self.project_form = ProjectForm(self.document)
        self.workloads = WorkloadsEditor(self.document)
        self.options = OptionsEditor(self.document)
        self.options.pick_cloud.connect(self.open_cloud_picker)
        self.options.pick_server.connect(self.open_server_picker)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.project_form, "Project")
        self.tabs.addTab(self.workloads, "Workloads")
        self.tabs.addTab(self.options, "Options")

        self.first_run = FirstRunPanel(sample_names())
        self.first_run.sample_chosen.connect(self.open_sample)
        self.first_run.template_chosen.connect(self.new_from_template)
        self.first_run.import_requested.connect(self.choose_import)
        self.editor_stack = QStackedWidget()
        self.editor_stack.addWidget(self.first_run)
        self.editor_stack.addWidget(self.tabs)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(saved_box)
        left.addWidget(self.editor_stack)
        left.setStretchFactor(1, 4)
        left.setSizes([80, 640])
        remember_splitter(left, "projects/editor_splitter")
        # The charts (pyqtgraph) are built right after the window is shown, or on first use: the window
        # appears sooner.
        self._results: ResultsPanel | None = None
        self._results_placeholder = QLabel("Preparing charts…")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("projects_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self._results_placeholder)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([495, 605])
        state = QSettings().value("projects/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        self.splitter.splitterMoved.connect(
            lambda *_: QSettings().setValue("projects/splitter", self.splitter.saveState())
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setFormat("computing %p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the computation (Esc)")
        self.cancel_button.clicked.connect(self.cancel_compute)
        self.progress.hide()
        self.cancel_button.hide()

        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._draw_pending)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(int(AUTOSAVE_INTERVAL_S * 1000))
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._set_enabled(False)

    def _connect(self, window: Any) -> None:
        self.document.changed.connect(self._on_changed)
        self.document.loaded.connect(self._on_loaded)
        self.window_.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.lane.result_ready.connect(self._on_result)
        self.lane.failed.connect(self._on_failed)
        self.mc_lane.result_ready.connect(self._on_mc_result)
        self.mc_lane.failed.connect(self._on_failed)
        self.mc_lane.progress.connect(self._on_progress)
        self.mc_lane.busy_changed.connect(self._on_busy)
        QTimer.singleShot(0, self._ensure_results)
        bar = window.statusBar()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        # Showing the progress bar must not change the status bar's height (that would re-lay out and
        # repaint every chart).
        bar.setMinimumHeight(
            max(self.progress.sizeHint().height(), self.cancel_button.sizeHint().height()) + 4
        )
        self.compute_action = QAction("Compute now", self)
        self.compute_action.setShortcut(QKeySequence("F5"))
        self.compute_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.compute_action.triggered.connect(self.compute_now)
        self.cancel_action = QAction("Cancel computation", self)
        self.cancel_action.setShortcut(QKeySequence("Esc"))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.cancel_action.triggered.connect(self.cancel_compute)
        self.addAction(self.compute_action)
        self.addAction(self.cancel_action)
        # The window builds its menus after its pages: hook the File actions once it has.
        QTimer.singleShot(0, self._connect_window_actions)

    def _connect_window_actions(self) -> None:
        window = self.window_
        for name, slot in (
            ("action_new", self.new_project),
            ("action_open", self.choose_open),
            ("action_save", self.save),
            ("action_import_project", self.choose_import),
            ("action_export_project", self.choose_export),
        ):
            action = getattr(window, name, None)
            if action is not None:
                action.triggered.connect(self._via_window(slot))
        self._rebuild_recent()

    def _via_window(self, slot: Any) -> Any:
        def run() -> None:
            self.window_.show_page("Projects")
            slot()

        return run

    def _set_enabled(self, enabled: bool) -> None:
        # No project open: the start screen gets the whole width (no empty charts beside it).
        self.editor_stack.setCurrentWidget(self.tabs if self.document.is_open else self.first_run)
        right = self.splitter.widget(1)
        if right is not None:
            right.setVisible(self.document.is_open)
        for w in (self.tabs, self.save_button, self.export_button, self.compute_button):
            w.setEnabled(enabled)

    # ---- page protocol (selftest) -------------------------------------------------------------------
    def is_ready(self) -> bool:
        """True when nothing is computing, loading or waiting to be drawn."""
        return (
            self._catalog_ready
            and self.lane.is_idle()
            and self.mc_lane.is_idle()
            and self._pending_mc is None
            and not self.results.is_drawing()
            and not self.io.busy()
            and self._pending_result is None
            and not self._redraw_timer.isActive()
        )

    def last_error(self) -> str | None:
        return self._error

    def shutdown(self) -> None:
        """Cancel and wait for the lanes; keep unsaved edits in the autosave (offered at next start)."""
        self._autosave_timer.stop()
        self.lane.shutdown()
        self.mc_lane.shutdown()
        self.io.shutdown()
        if self.document.is_open and self.document.is_dirty():
            self._write_autosave()
        else:
            self.autosave_slot.clear()
        self.autosave_slot.release()

    # ---- documents ---------------------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return self.document.is_open and self.document.is_dirty()

    def maybe_save(
        self, then: Callable[[], None], doing: str, discard: Callable[[], None] | None = None
    ) -> None:
        """Run ``then`` once the open project's unsaved changes are saved or discarded (asking which);
        nothing happens when the user cancels or the save is refused. Discarded edits stay in the autosave
        until ``then`` replaces the document (or ``discard`` drops them)."""
        if not self.has_unsaved_changes():
            then()
            return
        answer = ask_save_changes(self, self.document.name, doing)
        if answer == QMessageBox.StandardButton.Save:
            self.save(then=then)
        elif answer == QMessageBox.StandardButton.Discard:
            if discard is not None:
                discard()
            then()

    def discard_changes(self) -> None:
        """Forget the unsaved edits (the window is closing on the user's "Discard"): no autosave is kept."""
        self._autosave_timer.stop()
        self.document.stack.setClean()

    def new_project(self) -> None:
        self.maybe_save(self._new_project_now, "starting a new project")

    def _new_project_now(self) -> None:
        self.document.load(new_project_data())
        self.tabs.setCurrentWidget(self.project_form)

    def new_from_template(self, data: dict[str, Any]) -> None:
        """A new, unsaved project from a template's dict (the first-run screen)."""
        self.maybe_save(lambda: self.document.load(data), "starting a new project")

    def open_sample(self, name: str) -> None:
        self.maybe_save(lambda: self._open_sample_now(name), "opening the sample")

    def _open_sample_now(self, name: str) -> None:
        self.document.load(read_sample(name))
        self._add_recent("sample", name, name.replace("_", " "))

    def open_saved(self, project_id: int) -> None:
        self.maybe_save(lambda: self._open_saved_now(project_id), "opening another project")

    def _open_saved_now(self, project_id: int) -> None:
        def loaded(saved: Any) -> None:
            self.revisions[project_id] = saved.revision
            self.document.load(saved.payload, project_id=project_id)
            self._add_recent("db", str(project_id), self.document.name)
            self.io_done.emit("open")

        self.io.submit(lambda: _load_saved(self.db_url, project_id), loaded, self._io_failed)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.open_saved(int(item.data(Qt.ItemDataRole.UserRole)))

    def choose_open(self) -> None:
        rows = [
            (f"{p.name} — {p.client or 'no client'} (saved {p.updated_at:%Y-%m-%d %H:%M})", p.id)
            for p in self.saved_projects
        ]
        self.picker = CatalogPicker("Open a saved project", rows, self)
        self.picker.accepted.connect(lambda: self._picked_saved())
        self.picker.open()

    def _picked_saved(self) -> None:
        if self.picker is not None and self.picker.chosen() is not None:
            self.open_saved(int(self.picker.chosen()))

    def save(self, then: Callable[[], None] | None = None) -> None:
        """Save in the database (a new row the first time), then run ``then``. Only a valid project is saved."""
        if not self.document.is_open:
            return
        project, err = self.document.validate()
        if err is not None:
            self._show_message(f"Not saved: fix {err} first.")
            return
        data = self.document.snapshot()
        name = self.document.name
        project_id = self.document.project_id
        base = self.revisions.get(project_id) if project_id is not None else None
        self._submit_save(name, data, project_id, base, then)

    def _submit_save(
        self,
        name: str,
        data: dict[str, Any],
        project_id: int | None,
        base: int | None,
        then: Callable[[], None] | None,
    ) -> None:
        clean_index = self.document.stack.index()

        def done(saved: Any) -> None:
            new_id = saved.id
            self.revisions[new_id] = saved.revision
            self.document.project_id = new_id
            if self.document.stack.index() == clean_index:
                self.document.stack.setClean()
                self.autosave_slot.clear()  # edits made during the save stay in it
            self._add_recent("db", str(new_id), name)
            self.window_.statusBar().showMessage(f"Saved “{name}”", 4000)
            self.refresh_saved()
            self.saved.emit(new_id)
            if then is not None:
                then()

        def failed(error: WorkerError) -> None:
            from db.projects import ProjectConflict

            if isinstance(error.exception, ProjectConflict):
                self._offer_conflict(error.exception, name, data, then)
            else:
                self._io_failed(error)

        self.io.submit(lambda: _save(self.db_url, name, data, project_id, base), done, failed)

    def _offer_conflict(
        self, conflict: Any, name: str, data: dict[str, Any], then: Callable[[], None] | None
    ) -> None:
        """A colleague saved this project since it was opened: save these edits as a copy (then go on with
        ``then``), or reload theirs (replacing this window's edits, as the box says)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Project changed by someone else", f"{conflict}.", parent=self
        )
        box.setInformativeText("Reloading replaces the changes made in this window with the saved version.")
        copy = box.addButton("Save mine as a copy", QMessageBox.ButtonRole.AcceptRole)
        reload = box.addButton("Reload theirs", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(copy)

        def chosen(button: Any) -> None:
            if button is copy:
                self._submit_save(f"{name} (copy)", {**data, "name": f"{name} (copy)"}, None, None, then)
            elif button is reload:
                self._open_saved_now(conflict.project_id)

        box.buttonClicked.connect(chosen)
        self.conflict_box = box
        box.open()

    def refresh_saved(self) -> None:
        self.io.submit(lambda: _list_saved(self.db_url), self._saved_arrived, self._io_failed)

    def _saved_arrived(self, rows: list[Any]) -> None:
        self.saved_projects = rows
        self.saved_list.clear()
        for p in rows:
            item = QListWidgetItem(f"{p.name}  ·  {p.client or '—'}  ·  {p.updated_at:%Y-%m-%d %H:%M}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.saved_list.addItem(item)

    def import_from(self, path: str) -> None:
        """Import a project file (the CLI's format); a bad file changes nothing and says why."""

        def done(data: dict[str, Any]) -> None:
            self.document.load(data, file_path=path)
            self._clear_message()
            self._add_recent("file", path, self.document.name)
            self.io_done.emit("import")

        def failed(error: WorkerError) -> None:
            self._show_message(f"Could not import {Path(path).name}: {error.message}")
            self.io_done.emit("import failed")

        self.maybe_save(
            lambda: self.io.submit(lambda: _read_project_file(path), done, failed), "importing a project"
        )

    def export_to(self, path: str) -> None:
        project, err = self.document.validate()
        if err is not None:
            self._show_message(f"Not exported: fix {err} first.")
            return
        data = self.document.snapshot()

        def done(written: str) -> None:
            self.document.file_path = written
            self.window_.statusBar().showMessage(f"Exported to {written}", 4000)
            self.io_done.emit("export")

        self.io.submit(lambda: _write_project_file(path, data), done, self._io_failed)

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import project", "", "Project files (*.json);;All files (*)"
        )
        if path:
            self.import_from(path)

    def choose_export(self) -> None:
        if not self.document.is_open:
            return
        default = self.document.file_path or f"{self.document.name}.json"
        path, _ = QFileDialog.getSaveFileName(self, "Export project", default, "Project files (*.json)")
        if path:
            self.export_to(path)

    # ---- catalog -----------------------------------------------------------------------------------
    def _catalog_arrived(self, catalog: dict[str, list[Any]]) -> None:
        self.catalog = catalog
        self.workloads.set_catalog([m.name for m in catalog["models"]], [g.name for g in catalog["gpus"]])
        self._catalog_ready = True
        self.catalog_loaded.emit()

    def cloud_rows(self) -> list[tuple[str, Any]]:
        rows = []
        for s in self.catalog["cloud"]:
            for pricing, rate in (
                ("on_demand", s.on_demand_per_hour),
                ("spot", s.spot_per_hour),
                ("reserved", s.reserved_1y_per_hour),
            ):
                if rate:
                    label = f"{s.provider} {s.instance} ({s.region}, {s.service_kind}) — {pricing.replace('_', '-')} {rate:,.2f}/{s.rate_unit}-h, {s.gpu_count}× {s.gpu_name}"
                    rows.append((label, (s, pricing)))
        return rows

    def open_cloud_picker(self) -> None:
        self.picker = CatalogPicker("Add a cloud option from the catalog", self.cloud_rows(), self)
        self.picker.accepted.connect(self._picked_cloud)
        self.picker.open()

    def _picked_cloud(self) -> None:
        chosen = self.picker.chosen() if self.picker else None
        if chosen is not None:
            self.options.add_cloud_sku(*chosen)

    def open_server_picker(self) -> None:
        rows = [
            (
                f"{s.vendor} {s.model} — {s.gpu_count}× {s.gpu_name}, {s.max_power_kw:g} kW, list {_price(s.list_price_usd)}",
                s,
            )
            for s in self.catalog["servers"]
        ]
        self.picker = CatalogPicker("Add an on-premises option from the catalog", rows, self)
        self.picker.accepted.connect(self._picked_server)
        self.picker.open()

    def _picked_server(self) -> None:
        chosen = self.picker.chosen() if self.picker else None
        if chosen is not None:
            self.options.add_server(chosen)

    # ---- edits -> validation -> compute ------------------------------------------------------------------
    def _on_changed(self, what: str) -> None:
        if what == "load":
            self._drop_results()
        self._set_enabled(self.document.is_open)
        self.project_form.refresh()
        self.workloads.refresh()
        self.options.refresh()
        self._update_title()
        project, err = self.document.validate()
        if err is not None:
            self._mark(err)
            self.results.set_status(
                f"⚠ {err} — showing the last valid result" if self.results.shown else f"⚠ {err}", error=True
            )
            self.lane.cancel()
            self.mc_lane.cancel()
            self._pending_mc = None
        else:
            assert project is not None
            missing = self._missing_price(project)
            self._mark_path(*(missing or (None, None)))
            self._clear_message()
            self._pending_result = None  # an older result waiting to be drawn is superseded
            self._pending_mc = None
            self.mc_lane.cancel()
            generation = self.lane.request(AnalysisRequest(project, self.db_url, clock.today()))
            self._requested_at[generation] = time.perf_counter()
            self.results.set_status("Computing…")
        if what != "load" and not self._autosave_timer.isActive():
            # Not restarted by later edits: steady typing is saved every interval, not after a pause.
            self._autosave_timer.start()

    def _drop_results(self) -> None:
        """Another project replaced the open one: nothing of the old one's results stays on screen or in flight."""
        self.lane.cancel()
        self.mc_lane.cancel()
        self._pending_result = None
        self._pending_mc = None
        self._redraw_timer.stop()
        self.results.clear(f"Computing “{self.document.name}”…")

    def _mark(self, err: ProjectError | None) -> bool:
        path = error_path(err, self.document.data) if err is not None else None
        message = err.detail if err is not None else None
        return self._mark_path(path, message)

    def _missing_price(self, project: Any) -> tuple[Path_, str] | None:
        """An owned option without any price (e.g. a catalog server with no list price): computed, but
        marked at the field so nobody defends a free server."""
        for i, opt in enumerate(project.options):
            owned = getattr(opt, "onprem", opt)
            if getattr(owned, "kind", "") == "onprem" and owned.servers > 0 and owned.capex == 0:
                prefix: Path_ = ("options", i) + (("onprem",) if owned is not opt else ())
                return prefix + ("server_price",), "no server price yet: enter the vendor's quote"
        return None

    def _mark_path(self, path: Path_ | None, message: str | None) -> bool:
        found = False
        for editor in (self.project_form, self.workloads, self.options):
            found = editor.mark_error(path, message) or found
        return found

    def compute_now(self) -> None:
        self.lane.flush()

    def cancel_compute(self) -> None:
        if not (self.lane.is_idle() and self.mc_lane.is_idle()):
            self.lane.cancel()
            self.mc_lane.cancel()
            self._pending_mc = None
            self.results.set_status("Computation cancelled — showing the last result. Press F5 to compute.")

    def _samples_changed(self) -> None:
        if self.samples_spin.value() != self.samples:
            self.samples = self.samples_spin.value()
            if self.document.is_open:
                self._on_changed("samples")

    # ---- results ----------------------------------------------------------------------------------
    def _on_result(self, generation: int, results: Analysis) -> None:
        self._pending_result = (generation, results)
        if self.samples > 0:
            self._pending_mc = None
            mc_generation = self.mc_lane.request(
                AnalysisRequest(results.project, self.db_url, results.today, self.samples)
            )
            self._mc_fast_generation = {mc_generation: generation}
            self.mc_lane.flush()
        else:
            self._pending_mc = (generation, None)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _draw_pending(self) -> None:
        if self._pending_result is None:
            return
        generation, results = self._pending_result
        self._pending_result = None
        self._drawing_generation = generation
        self.results.apply(results)  # drawn over a few event-loop turns; _finish_draw follows

    def _finish_draw(self) -> None:
        generation = self._drawing_generation
        results = self.results.shown
        assert results is not None
        self._error = None
        running = " — Monte Carlo running…" if self._pending_mc is None and self.samples > 0 else ""
        self.results.set_status(
            f"Results for “{results.resolved.name}” ({results.resolved.horizon_months} months){running}"
        )
        started = self._requested_at.pop(generation, None)
        if started is not None:
            self.latencies.append(time.perf_counter() - started)
        self._requested_at = {g: t for g, t in self._requested_at.items() if g > generation}
        self._shown_generation = generation
        self.results_shown.emit(generation)
        self._try_apply_mc()

    def _on_mc_result(self, _generation: int, full: Analysis) -> None:
        fast_generation = self._mc_fast_generation.get(_generation)
        if fast_generation != self.lane.generation:
            return  # inputs changed since: a newer Monte Carlo follows
        self._pending_mc = (fast_generation, full)
        self._try_apply_mc()

    def _try_apply_mc(self) -> None:
        if self._pending_mc is None or self.results.is_drawing():
            return
        generation, full = self._pending_mc
        if generation != self._shown_generation:
            return
        self._pending_mc = None
        mc = full.tco.monte_carlo if full is not None else None
        self.results.apply_monte_carlo(full)
        results = self.results.shown
        if results is not None:
            extra = f", Monte Carlo {mc.samples:,} samples" if mc is not None else ", no Monte Carlo"
            self.results.set_status(
                f"Results for “{results.resolved.name}” ({results.resolved.horizon_months} months{extra})"
            )
        self.mc_shown.emit(generation)

    def _on_failed(self, error: WorkerError) -> None:
        exc = error.exception
        if isinstance(exc, ProjectError):
            self._mark(exc)
        self._error = error.message
        self.results.set_status(
            f"⚠ Could not compute: {error.message} — showing the last valid result", error=True
        )
        self.error_shown.emit(error.message)

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(int(100 * fraction))

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setValue(0)

    @property
    def results(self) -> ResultsPanel:
        """The Results view (charts and recommendation), built on first use."""
        return self._ensure_results()

    def _ensure_results(self) -> ResultsPanel:
        if self._results is None:
            panel = ResultsPanel()
            panel.drawn.connect(self._finish_draw)
            self.splitter.replaceWidget(1, panel)
            panel.setVisible(self.document.is_open)
            self.splitter.setStretchFactor(1, 2)
            state = QSettings().value("projects/splitter")
            if state is None or not self.splitter.restoreState(state):
                total = max(sum(self.splitter.sizes()), 1100)
                # The form column gets 45%: its labels and fields fit side by side at 1366 px.
                self.splitter.setSizes([total * 9 // 20, total - total * 9 // 20])
            self._results_placeholder.deleteLater()
            self._results = panel
        return self._results

    # ---- messages, title, recent ----------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.error_shown.emit(text)

    def _clear_message(self) -> None:
        self.message.hide()
        self.message.clear()

    def message_text(self) -> str:
        return self.message.text() if self.message.isVisible() else ""

    def _io_failed(self, error: WorkerError) -> None:
        self._error = error.message
        self._show_message(error.message)

    def _on_clean_changed(self, _clean: bool) -> None:
        if isValid(self.document.stack):  # the window's stack emits while it is being destroyed
            self._update_title()

    def _update_title(self) -> None:
        if not self.document.is_open:
            return
        where = f" · saved #{self.document.project_id}" if self.document.project_id else ""
        dirty = " · unsaved changes" if self.document.is_dirty() else ""
        self.title.setText(f"<b>{html.escape(self.document.name)}</b>{where}{dirty}")
        show = getattr(self.window_, "show_document", None)
        if callable(show):
            show(self.document.name, self.document.is_dirty())

    def _add_recent(self, kind: str, ref: str, label: str) -> None:
        settings = QSettings()
        raw = settings.value("projects/recent", "[]")
        try:
            recent = [r for r in json.loads(str(raw)) if isinstance(r, dict)]
        except ValueError:
            recent = []
        recent = [r for r in recent if (r.get("kind"), r.get("ref")) != (kind, ref)]
        recent.insert(0, {"kind": kind, "ref": ref, "label": label})
        settings.setValue("projects/recent", json.dumps(recent[:RECENT_MAX]))
        self._rebuild_recent()

    def recent(self) -> list[dict[str, str]]:
        try:
            return list(json.loads(str(QSettings().value("projects/recent", "[]"))))
        except ValueError:
            return []

    def _rebuild_recent(self) -> None:
        menu = getattr(self.window_, "recent_menu", None)
        if menu is None:
            return
        menu.clear()
        for entry in self.recent():
            label = f"{entry['label']} ({entry['kind']})".replace("&", "&&")  # a name's & is no shortcut
            action = menu.addAction(label)
            action.setData(entry)
            action.triggered.connect(self._open_recent_action)
        menu.setEnabled(bool(self.recent()))

    def _open_recent_action(self) -> None:
        action = self.sender()
        entry = action.data() if isinstance(action, QAction) else None
        if isinstance(entry, dict):
            self.open_recent(entry)

    def open_recent(self, entry: dict[str, str]) -> None:
        self.window_.show_page("Projects")
        if entry["kind"] == "db":
            self.open_saved(int(entry["ref"]))
        elif entry["kind"] == "file":
            self.import_from(entry["ref"])
        elif entry["kind"] == "sample":
            self.open_sample(entry["ref"])

    # ---- autosave and recovery ---------------------------------------------------------------------
    def autosave_now(self) -> None:
        """Write the unsaved edits to this window's slot (on the I/O lane); a clean document clears it."""
        slot = self.autosave_slot
        if self.document.is_open and self.document.is_dirty():
            data = self.document.snapshot()
            pid, path = self.document.project_id, self.document.file_path
            self.io.submit(lambda: slot.write(data, project_id=pid, file_path=path), None, self._io_failed)
        else:
            self.io.submit(slot.clear, None, self._io_failed)

    def _write_autosave(self) -> None:
        self.autosave_slot.write(
            self.document.snapshot(), project_id=self.document.project_id, file_path=self.document.file_path
        )

    def _on_loaded(self) -> None:
        """A new document replaces the old one: the old one's autosave goes (in order on the I/O lane)."""
        self._autosave_timer.stop()
        self.io.submit(self.autosave_slot.clear, None, self._io_failed)

    def restore(self, found: Recoverable) -> None:
        """Open the edits a window left behind and adopt its autosave slot: the slot stays on disk until the
        project is saved or discarded, so a crash right after this loses nothing."""
        payload = found.payload
        self.document.load(
            payload["project"], project_id=payload.get("project_id"), file_path=payload.get("file_path")
        )
        self.document.stack.resetClean()  # the restored edits are not saved yet
        self.autosave_slot.release()  # this window's own slot holds nothing (its clear is queued by the load)
        self.autosave_slot = found.slot
        self._update_title()
        self.window_.statusBar().showMessage(f"Restored the unsaved edits to “{found.name}”", 6000)


def ask_save_changes(parent: QWidget, name: str, doing: str) -> QMessageBox.StandardButton:
    """Save / Discard / Cancel for the open project's unsaved changes, before ``doing`` something else."""
    box = QMessageBox(parent)
    box.setObjectName("save_changes")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Save changes?")
    box.setText(f"“{name}” has unsaved changes.")
    box.setInformativeText(f"Save them before {doing}?")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return QMessageBox.StandardButton(box.exec())
