"""The Catalog view: GPUs, servers, cloud SKUs, model architectures and FX rates, one tab each.

Reads and writes run off the UI thread on one serial database lane (ui.workers.DbLane: one job at a
time, in order): the first job loads every table; each edit, delete or import is a job that writes and then reloads. Results come
back to the GUI thread as plain domain values through a signals object.
"""

from __future__ import annotations

import dataclasses
import gc
import html
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner import clock
from planner.catalog import Gpu
from ui.dialogs import ImportErrorsDialog, RowEditorDialog
from ui.models import TABLE_TITLES, TABLES, CatalogTableModel
from ui.models.filter_query import FilterError, Query
from ui.models.prepared import PreparedRows, prepare_rows
from ui.models.price_history import history_html
from ui.pages.catalog_header import FilterHeader
from ui.pages.catalog_update import PackUpdateDialog
from ui.workers import DbLane, WorkerError

log = logging.getLogger(__name__)

# Natural-key field a duplicate renames, so the copy never collides with the row it came from.
_COPY_FIELD = {"gpus": "name", "servers": "model", "cloud": "instance", "models": "name"}
_KEY_FIELDS = {
    "gpus": ("vendor", "name"),
    "servers": ("vendor", "model"),
    "cloud": ("provider", "instance", "region", "service_kind"),
    "models": ("name",),
    "fx": ("base", "quote", "as_of"),
}
Catalog = dict[str, PreparedRows]
_PRICED_TABLES = ("gpus", "servers", "cloud")


FILTER_HELP = (
    "Every term must match (AND), in the columns shown:\n"
    "  h100 aws — words found in any shown column\n"
    "  spot — also a word of a shown header: rows with a value in that column (a spot price)\n"
    '  "h100 sxm" — a phrase with its space\n'
    "  region:us-east — a word in one column\n"
    "  mem>=80   $/gpu-h<3   gpus=8   mem:40..80 — numbers (as shown, before rounding)\n"
    "  as-of>=2026-01 — dates (a year or a month compares by prefix)\n"
    "  provider=aws   provider!=aws — the whole cell\n"
    "  -spot — rows without the word\n"
    "Columns are named by their header (mem for Mem (GB)) or its unambiguous start.\n"
    "The box under each header filters that column alone (>=80, h100...)."
)


_BAD_BOX = "QLineEdit { border: 1px solid #b00020; }"


def _column_hint(kind: str) -> str:
    if kind in ("int", "float", "rate", "usd", "unit_usd", "pct"):
        return "a number compared (>=80, <3, =8, 40..80) or text found in it"
    if kind == "date":
        return "a date compared (>=2026-01, <2025) or text found in it"
    return "text found in it, =text for the whole cell, -text to leave it out"


# --------------------------------------------------------------------------------- database calls
def _engine(url: str | None) -> Any:
    from db.session import get_engine

    return get_engine(url)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Build many objects without the cyclic garbage collector stalling the GUI thread.

    Python's collector scans every object young enough while it runs, holding the GIL: with 50,000
    fresh catalog rows each pass took 0.1-0.2 s, a freeze of the window although the work runs on
    the lane. The rows hold no reference cycles (reference counting frees them), so the collector is
    paused while they are read, and the result is moved out of its generations (``gc.freeze``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def load_catalog(url: str | None) -> Catalog:
    """Every catalog table as prepared domain values (runs on the lane, never on the GUI thread)."""
    with _cycle_collector_paused():
        return _load_catalog(url)


def _load_catalog(url: str | None) -> Catalog:
    from db import catalog as db_catalog

    engine = _engine(url)
    today = clock.today()
    listed: dict[str, list[Any]] = {
        "gpus": db_catalog.list_gpus(engine),
        "servers": db_catalog.list_servers(engine),
        "cloud": db_catalog.list_cloud_skus(engine),
        "models": db_catalog.list_models(engine),
        "fx": db_catalog.list_fx(engine),
    }
    gpus = {g.name: g for g in listed["gpus"]}
    return {table: prepare_rows(table, values, today, gpus) for table, values in listed.items()}


# ------------------------------------------------------------------------------------------- page
class CatalogPage(QWidget):
    """Browse, filter, sort and edit the catalog; import and export its tables."""

    catalog_loaded = Signal()
    operation_finished = Signal(str)  # what was done ("" after a plain reload)
    operation_failed = Signal(str)
    history_shown = Signal()  # the selected row's price history is in the details pane

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.db_url: str | None = getattr(window, "db_url", None)
        self.models = {t: CatalogTableModel(t, parent=self) for t in TABLES}
        self.views: dict[str, QTableView] = {}
        self.headers: dict[str, FilterHeader] = {}
        self.editor_dialog: RowEditorDialog | None = None
        self.import_errors_dialog: ImportErrorsDialog | None = None
        self.take_over_button: QPushButton | None = None
        self.update_dialog: PackUpdateDialog | None = None
        self._last_import: tuple[str, str | None] = ("", None)
        self._loaded = False
        self._error: str | None = None
        self._selected: dict[str, Any] = {}
        self._sized: set[str] = set()
        self._history_key: tuple[str, str] | None = None  # (table, item key) whose history is shown
        self._details_shown: tuple[str, int, Any] | None = None  # what the details pane shows now
        self._marked_box: QLineEdit | None = None  # the filter box outlined as wrong
        self._history: dict[str, list[Any]] | None = None  # its points per pricing, None while read
        self._lane = DbLane(self)
        self._build()
        self.reload()

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.filter_error = QLabel()
        self.filter_error.setObjectName("filter_error")
        self.filter_error.setWordWrap(True)
        self.filter_error.setTextFormat(Qt.TextFormat.PlainText)
        self.filter_error.setStyleSheet("color: #b00020;")
        self.filter_error.hide()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(
            "Filter (Ctrl+F), e.g. h100 aws · $/gpu-h<3 · region:us-east (hover for more)"
        )
        self.filter_edit.setToolTip(FILTER_HELP)
        self.filter_edit.setMinimumWidth(240)
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_filter)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.count_label = QLabel()
        self.add_button = self._button("Add…", self.add_row, "Add a user row to this table")
        self.edit_button = self._button("Edit…", self.edit_selected, "Edit the selected user row")
        self.duplicate_button = self._button(
            "Duplicate…", self.duplicate_selected, "Copy the selected row into a new user row"
        )
        self.delete_button = self._button(
            "Delete", self.confirm_delete_selected, "Delete the selected user row"
        )
        self.import_button = self._button("Import…", self.choose_import_file, "Import a CSV or XLSX file")
        self.export_button = QPushButton("Export")
        self.export_button.setToolTip("Export the rows and columns shown, or the whole table for re-import")
        export_menu = QMenu(self.export_button)
        self.export_shown_action = export_menu.addAction(
            "Rows and columns shown (CSV or Excel)…", self.choose_export_shown_file
        )
        self.export_table_action = export_menu.addAction(
            "Whole table, for re-import (CSV or Excel)…", self.choose_export_file
        )
        self.export_button.setMenu(export_menu)
        self.update_button = self._button(
            "Update prices…",
            self.open_update_dialog,
            "Refresh cloud prices from catalog snapshots (SkyPilot, gpuhunt): see the changes, then apply",
        )
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addSpacing(6)
        top.addWidget(self.count_label)
        top.addSpacing(6)
        for button in (
            self.add_button,
            self.edit_button,
            self.duplicate_button,
            self.delete_button,
            self.import_button,
            self.export_button,
            self.update_button,
        ):
            top.addWidget(button)

        self.tabs = QTabWidget()
        for table in TABLES:
            self.tabs.addTab(self._make_view(table), TABLE_TITLES[table])
        self.tabs.currentChanged.connect(self._tab_changed)

        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(True)
        self.details.setMinimumWidth(220)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([1000, 260])

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filter_error)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)
        self._update_buttons()
        self._show_details(None)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _button(self, text: str, slot: Callable[[], object], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _make_view(self, table: str) -> QTableView:
        view = QTableView()
        view.setObjectName(f"catalog_{table}")
        header = FilterHeader(view)
        view.setHorizontalHeader(header)
        view.setModel(self.models[table])
        columns = self.models[table].columns
        header.set_columns(
            [c.label for c in columns],
            [f"Filter {c.label}: {_column_hint(c.kind)}" for c in columns],
        )
        header.filters_changed.connect(self._apply_filter)
        view.horizontalScrollBar().valueChanged.connect(header.position_editors)
        self.headers[table] = header
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)  # unsorted until a header is clicked: the catalog's key order
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setAlternatingRowColors(False)
        view.setWordWrap(False)
        vertical = view.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(vertical.fontMetrics().height() + 8)
        vertical.hide()
        header.setSectionsMovable(True)
        header.setResizeContentsPrecision(60)  # columns sized from ~60 rows, not all 10,000
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda pos, t=table: self._show_column_menu(t, pos))
        # One selection for mouse and keyboard: a click sets the current index *before* it selects the
        # row, so the page follows the selection, not only the current index.
        view.selectionModel().selectionChanged.connect(self._current_changed)
        view.selectionModel().currentRowChanged.connect(self._current_changed)
        view.doubleClicked.connect(self._double_clicked)
        delete = QShortcut(QKeySequence.StandardKey.Delete, view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.confirm_delete_selected)
        self.models[table].modelReset.connect(lambda t=table: self._restore_selection(t))
        self.views[table] = view
        self._apply_hidden_columns(table, view)
        return view

    # ---- state used by selftest and tests -----------------------------------------------------
    def is_ready(self) -> bool:
        """True once the catalog is loaded and no database job is queued or running."""
        return (self._loaded or self._error is not None) and not self._lane.busy()

    def last_error(self) -> str | None:
        return self._error

    def shutdown(self) -> None:
        """Drop queued database jobs and wait for the running one (window close, test teardown)."""
        self._lane.shutdown()

    def current_table(self) -> str:
        return TABLES[self.tabs.currentIndex()]

    def show_table(self, table: str) -> None:
        self.tabs.setCurrentIndex(TABLES.index(table))

    def selected_value(self) -> Any:
        """The value of the selected row of the current tab (None when no row is selected)."""
        table = self.current_table()
        rows = self.views[table].selectionModel().selectedRows()
        if not rows:
            return None
        return self.models[table].value_at(rows[0].row())

    def select_value(self, value: Any, table: str | None = None) -> bool:
        table = table or self.current_table()
        row = self.models[table].row_of(value)
        if row < 0:
            return False
        view = self.views[table]
        index = view.model().index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        view.selectionModel().setCurrentIndex(index, flags)
        view.scrollTo(index)
        return True

    # ---- loading ------------------------------------------------------------------------------
    def reload(self, done_message: str = "") -> None:
        url = self.db_url
        self._lane.submit(
            lambda: load_catalog(url), lambda c: self._loaded_catalog(c, done_message), self._failed
        )

    def _loaded_catalog(self, catalog: Catalog, message: str, status: str | None = None) -> None:
        gpus: dict[str, Gpu] = {g.name: g for g in catalog["gpus"].values}
        first = not self._loaded
        for table in TABLES:
            self.models[table].set_values(catalog[table], gpus=gpus)
        self._loaded = True
        self._error = None
        self._history_key = None  # prices may have changed: read the shown row's history again
        self._details_shown = None  # and show its (maybe edited) figures again
        if first:
            self._size_columns(self.current_table())
        self._update_count()
        self._show_details(self.selected_value())
        if message:
            self._say(message, status=status)
        self.catalog_loaded.emit()
        self.operation_finished.emit(message)

    def _size_columns(self, table: str) -> None:
        """Fit columns to their contents once per tab, when the tab is first shown with data.

        One column per event-loop turn: sizing all ~25 columns of a large table at once measures
        ~1,500 cells and held the GUI thread for 0.2-0.3 s; column by column each turn stays ~10 ms.
        """
        if table in self._sized or not self._loaded:
            return
        self._sized.add(table)
        self._size_next(table, 0)

    def _size_next(self, table: str, column: int) -> None:
        view = self.views.get(table)
        if view is None:
            return
        header = view.horizontalHeader()
        if column >= header.count():
            return
        if not header.isSectionHidden(column):
            view.resizeColumnToContents(column)
            width = max(header.sectionSize(column), header.sectionSizeHint(column))
            header.resizeSection(column, min(width, 180))
        QTimer.singleShot(0, self, lambda: self._size_next(table, column + 1))

    def _failed(self, error: WorkerError) -> None:
        from db.io import CatalogImportError

        exc = error.exception

        if isinstance(exc, CatalogImportError):
            self._error = None
            self._show_import_errors(getattr(exc, "path", ""), exc)
            self.operation_failed.emit(str(exc))
            return
        from db.session import DatabaseUnavailable

        plain = isinstance(exc, ValueError | LookupError | DatabaseUnavailable)  # one sentence for the user
        self._error = str(exc) if plain else f"{type(exc).__name__}: {exc}"
        log.error("catalog operation failed: %s", self._error)
        self._say(self._error, error=True)
        self.operation_failed.emit(self._error)

    def _say(self, text: str, error: bool = False, status: str | None = None) -> None:
        """``text`` under the table and in the status bar (``status`` instead there, when given)."""
        self.message_label.setText(html.escape(text))
        self.message_label.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message_label.setVisible(bool(text))
        status_bar = getattr(self.window_, "statusBar", None)
        if status_bar is not None:
            status_bar().showMessage(status or text, 15_000 if status else 10_000)

    # ---- filter, tabs, selection --------------------------------------------------------------
    def _apply_filter(self, *_args: Any) -> None:
        """The filter box and the current tab's column filters, ANDed; a bad query is named inline."""
        table = self.current_table()
        header = self.headers[table]
        if self._marked_box is not None:  # (a style sheet set on every box would cost each keystroke)
            self._marked_box.setStyleSheet("")
            self._marked_box = None
        try:
            query = self.current_query(table)
        except FilterError as exc:
            self.filter_error.setText(str(exc))
            self.filter_error.show()
            culprit = getattr(exc, "column", None)
            box = self.filter_edit if culprit is None else header.editors[culprit]
            box.setStyleSheet(_BAD_BOX)
            self._marked_box = box
            return
        self.filter_error.hide()
        self.models[table].set_query(query)
        self._update_count()

    def current_query(self, table: str) -> Query:
        """The query the filter box and ``table``'s column filters make (raises FilterError; a column
        box's error carries its ``column``)."""
        model = self.models[table]
        query = model.parse(self.filter_edit.text())
        for column, text in self.headers[table].filter_texts():
            try:
                query = query + model.parse(text, column)
            except FilterError as exc:
                error = FilterError(f"{model.columns[column].label} filter: {exc}")
                error.column = column  # type: ignore[attr-defined]
                raise error from None
        return query

    def _tab_changed(self, _index: int) -> None:
        self._size_columns(self.current_table())
        self._apply_filter()
        self._update_count()
        self._update_buttons()
        self._show_details(self.selected_value())

    def _update_count(self) -> None:
        model = self.models[self.current_table()]
        stale = model.visible_stale_count()
        text = f"{model.rowCount():,} of {model.total_count():,} rows"
        self.count_label.setText(text + (f" · {stale} stale" if stale else ""))

    def _current_changed(self, *_args: Any) -> None:
        value = self.selected_value()
        if value is not None:
            self._selected[self.current_table()] = value
        self._update_buttons()
        self._show_details(value)

    def _restore_selection(self, table: str) -> None:
        value = self._selected.get(table)
        if value is not None and not self.select_value(value, table):
            self._selected.pop(table, None)
        if table == self.current_table():
            self._update_buttons()
            self._show_details(self.selected_value())

    def _double_clicked(self, *_args: Any) -> None:
        value = self.selected_value()
        if value is None:
            return
        if value.origin == "shipped":
            self.duplicate_selected()
        else:
            self.edit_selected()

    def _update_buttons(self) -> None:
        value = self.selected_value()
        editable = value is not None and value.origin != "shipped"
        self.edit_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        self.duplicate_button.setEnabled(value is not None)
        if value is not None and not editable:
            self.edit_button.setToolTip("Shipped rows are read-only: Duplicate to edit")
            self.duplicate_button.setText("Duplicate to edit…")
        else:
            self.edit_button.setToolTip("Edit the selected user row")
            self.duplicate_button.setText("Duplicate…")

    # ---- details pane -------------------------------------------------------------------------
    def details_html(self, value: Any) -> str:
        model = self.models[self.current_table()]
        if value is None:
            return "<p style='color:#666'>Select a row to see its figures, source and date.</p>"
        selected = self.views[self.current_table()].selectionModel().selectedRows()
        if selected and model.value_at(selected[0].row()) is value:
            row = selected[0].row()  # the usual case: no search through every row
        else:
            row = model.row_of(value)
        title = html.escape(self._title_of(value))
        lines = [f"<h3>{title}</h3>"]
        if row >= 0 and model.is_stale_row(row):
            lines.append(
                "<p style='background:#ffecc8;padding:4px'>&#9888; <b>Stale</b>: older than 12 months. "
                "Check the source before quoting this figure.</p>"
            )
        url = getattr(value, "source_url", "") or ""
        as_of = getattr(value, "as_of", None)
        link = self._source_links(url)
        lines.append(
            f"<p><b>Source:</b> {link}<br><b>As of:</b> {as_of.isoformat() if as_of else 'unknown'}"
            f"<br><b>Origin:</b> {html.escape(value.origin)}"
            + (" (read-only: duplicate to edit)" if value.origin == "shipped" else "")
            + "</p>"
        )
        if self._history_key is not None and self._history_key == self._history_key_of(value):
            lines.append(history_html(self._history))
        lines.append("<table cellspacing='0' cellpadding='2'>")
        for column, col in enumerate(model.columns):
            if col.key in ("source_url", "as_of", "origin", "stale"):
                continue
            text = model.display(row, column) if row >= 0 else ""
            cell = f"<b>{html.escape(text)}</b>" if text else "<span style='color:#999'>—</span>"
            tip = f" title='{html.escape(col.tip, quote=True)}'" if col.tip else ""
            name = html.escape(col.label) + (" <i>(derived)</i>" if col.derived else "")
            lines.append(f"<tr><td{tip} style='color:#555'>{name}</td><td>{cell}</td></tr>")
        lines.append("</table>")
        return "\n".join(lines)

    def _history_key_of(self, value: Any) -> tuple[str, str] | None:
        table = self.current_table()
        if value is None or table not in _PRICED_TABLES:
            return None
        return table, " | ".join(str(getattr(value, k)) for k in _KEY_FIELDS[table])

    def _request_history(self, value: Any) -> None:
        """Read the selected row's price history on the lane; a result for another row is dropped."""
        key = self._history_key_of(value)
        if key == self._history_key:
            return
        self._history_key, self._history = key, None
        if key is None:
            return
        url = self.db_url

        def work() -> dict[str, list[Any]]:
            from db import history as db_history

            return db_history.series(_engine(url), *key)

        def done(series: dict[str, list[Any]]) -> None:
            if self._history_key != key:
                return  # the selection moved on while this was read
            self._history = series
            self.details.setHtml(self.details_html(self.selected_value()))
            self.history_shown.emit()

        self._lane.submit(work, done, self._failed)

    @staticmethod
    def _source_links(url: str) -> str:
        """Each source (several are separated by " | ") as a clickable link; plain text if not a URL."""
        parts = [p.strip() for p in url.split(" | ") if p.strip()]
        if not parts:
            return "<i>none recorded</i>"
        shown = [
            f"<a href='{html.escape(p, quote=True)}'>{html.escape(p)}</a>"
            if p.startswith("http")
            else html.escape(p)
            for p in parts
        ]
        return "<br>".join(shown)

    @staticmethod
    def _title_of(value: Any) -> str:
        for names in (("provider", "instance"), ("vendor", "model"), ("vendor", "name"), ("name",)):
            if all(hasattr(value, n) for n in names):
                return " ".join(str(getattr(value, n)) for n in names)
        return f"{value.base}/{value.quote} on {value.as_of.isoformat()}"

    def _show_details(self, value: Any) -> None:
        shown = (self.current_table(), id(value), self._history_key)
        self._request_history(value)
        if shown == self._details_shown and (self.current_table(), id(value), self._history_key) == shown:
            return  # the same row again (a click reports its current row, then its selection)
        self._details_shown = (self.current_table(), id(value), self._history_key)
        self.details.setHtml(self.details_html(value))

    # ---- column chooser -----------------------------------------------------------------------
    def column_menu(self, table: str) -> QMenu:
        """The header's context menu: one checkable entry per column (at least one stays visible)."""
        view = self.views[table]
        menu = QMenu(self)
        for column, col in enumerate(self.models[table].columns):
            action = QAction(col.label + (" (derived)" if col.derived else ""), menu)
            action.setCheckable(True)
            action.setChecked(not view.isColumnHidden(column))
            action.setToolTip(col.tip)
            action.toggled.connect(lambda on, t=table, c=column: self.set_column_visible(t, c, on))
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction("Show default columns")
        reset.triggered.connect(lambda: self.reset_columns(table))
        return menu

    def _show_column_menu(self, table: str, pos: QPoint) -> None:
        header = self.views[table].horizontalHeader()
        self.column_menu(table).popup(header.mapToGlobal(pos))

    def set_column_visible(self, table: str, column: int, visible: bool) -> None:
        view = self.views[table]
        shown = [c for c in range(len(self.models[table].columns)) if not view.isColumnHidden(c)]
        if not visible and shown == [column]:
            return  # never hide the last column
        view.setColumnHidden(column, not visible)
        if visible and view.columnWidth(column) == 0:
            view.resizeColumnToContents(column)
        self._save_hidden_columns(table)
        self._hidden_changed(table)

    def reset_columns(self, table: str) -> None:
        QSettings().remove(f"catalog/hidden_columns/{table}")
        self._apply_hidden_columns(table, self.views[table])

    def _apply_hidden_columns(self, table: str, view: QTableView) -> None:
        stored = QSettings().value(f"catalog/hidden_columns/{table}")
        columns = self.models[table].columns
        hidden = set(stored) if isinstance(stored, list) else {c.key for c in columns if not c.visible}
        for column, col in enumerate(columns):
            view.setColumnHidden(column, col.key in hidden)
        self._hidden_changed(table)

    def _hidden_changed(self, table: str) -> None:
        """Text terms search the shown columns only; a hidden column's own filter box no longer applies."""
        view = self.views.get(table)
        if view is None:
            return
        model = self.models[table]
        model.set_hidden_columns(c for c in range(len(model.columns)) if view.isColumnHidden(c))
        self.headers[table].position_editors()
        if table == self.current_table():
            self._apply_filter()

    def _save_hidden_columns(self, table: str) -> None:
        view = self.views[table]
        hidden = [c.key for i, c in enumerate(self.models[table].columns) if view.isColumnHidden(i)]
        QSettings().setValue(f"catalog/hidden_columns/{table}", hidden)

    # ---- add / edit / duplicate / delete ------------------------------------------------------
    def _known_gpus(self) -> list[str]:
        return [g.name for g in self.models["gpus"].values()]

    def _open_editor(
        self, table: str, initial: Any, title: str, locked: tuple[str, ...] = ()
    ) -> RowEditorDialog:
        dialog = RowEditorDialog(
            table, initial, known_gpus=self._known_gpus(), locked=locked, title=title, parent=self
        )
        dialog.accepted.connect(lambda: self._editor_accepted(table, dialog))
        self.editor_dialog = dialog
        dialog.open()
        return dialog

    def add_row(self) -> RowEditorDialog:
        table = self.current_table()
        return self._open_editor(table, None, f"New row — {TABLE_TITLES[table]}")

    def edit_selected(self) -> RowEditorDialog | None:
        value = self.selected_value()
        if value is None or value.origin == "shipped":
            return None
        table = self.current_table()
        return self._open_editor(table, value, f"Edit — {self._title_of(value)}", locked=_KEY_FIELDS[table])

    def duplicate_selected(self) -> RowEditorDialog | None:
        value = self.selected_value()
        if value is None:
            return None
        table = self.current_table()
        return self._open_editor(table, self._copy_of(table, value), f"Duplicate of {self._title_of(value)}")

    def _copy_of(self, table: str, value: Any) -> Any:
        if table == "fx":
            return dataclasses.replace(value, as_of=clock.today(), origin="user")
        key = _COPY_FIELD[table]
        taken = {getattr(v, key) for v in self.models[table].values()}
        base = f"{getattr(value, key)} (copy)"
        name, n = base, 2
        while name in taken:
            name, n = f"{base[:-1]} {n})", n + 1
        return dataclasses.replace(value, **{key: name, "origin": "user"})

    def _editor_accepted(self, table: str, dialog: RowEditorDialog) -> None:
        value = dialog.value()
        if value is None:
            return
        self._selected[table] = value
        url = self.db_url

        def work() -> Catalog:
            from db import catalog as db_catalog

            db_catalog.save_row(_engine(url), value)
            return load_catalog(url)

        done = f"Saved {self._title_of(value)}"
        self._lane.submit(work, lambda c: self._loaded_catalog(c, done), self._failed)

    def confirm_delete_selected(self) -> None:
        value = self.selected_value()
        if value is None or value.origin == "shipped":
            return
        answer = QMessageBox.question(self, "Delete row", f"Delete {self._title_of(value)} from the catalog?")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_value(value)

    def delete_value(self, value: Any) -> None:
        url = self.db_url

        def work() -> Catalog:
            from db import catalog as db_catalog

            db_catalog.delete_row(_engine(url), value)
            return load_catalog(url)

        done = f"Deleted {self._title_of(value)}"
        self._lane.submit(work, lambda c: self._loaded_catalog(c, done), self._failed)

    # ---- import / export ----------------------------------------------------------------------
    def choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import catalog rows", "", "Catalog files (*.csv *.xlsx);;All files (*)"
        )
        if path:
            self.import_file(path)

    def import_file(
        self, path: str | Path, table: str | None = None, *, replace_shipped: bool = False
    ) -> None:
        """Import on the lane; errors open the import-errors dialog and nothing is written.

        ``replace_shipped`` (off unless the user chose "Import and take over…" in the errors dialog) lets
        the file change rows shipped with the app; the import stays one transaction either way.
        """
        url = self.db_url
        self._last_import = (str(path), table)

        def work() -> tuple[Any, Catalog]:
            from db import io as db_io
            from db.io import CatalogImportError

            try:
                report = db_io.import_file(_engine(url), path, table, replace_shipped=replace_shipped)
            except CatalogImportError as exc:
                exc.path = str(path)  # type: ignore[attr-defined]
                raise
            return report, load_catalog(url)

        def done(result: tuple[Any, Catalog]) -> None:
            report, catalog = result
            message = (
                f"Imported {Path(path).name} into {TABLE_TITLES.get(report.table, report.table)}: "
                f"{report.inserted} new, {report.updated} updated, {report.unchanged} unchanged"
            )
            if report.took_over:
                message += f"; took over {report.took_over} shipped row(s)"
            self._loaded_catalog(catalog, message, status=f"Imported {Path(path).name} — {report.summary()}")

        self._lane.submit(work, done, self._failed)

    def _show_import_errors(self, path: str, exc: Any) -> None:
        dialog = ImportErrorsDialog(path, exc.errors, parent=self)
        self.import_errors_dialog = dialog
        self.take_over_button = None
        conflicts = shipped_conflicts(exc.errors)
        if conflicts and conflicts == len(exc.errors) and self._last_import[0] == str(path):
            self._offer_take_over(dialog, conflicts)
        self._say(f"{Path(path).name}: {len(exc.errors)} problem(s), nothing imported", error=True)
        dialog.open()

    def _offer_take_over(self, dialog: ImportErrorsDialog, count: int) -> None:
        """Every problem is a shipped row the file changes: offer the explicit, one-off take-over."""
        buttons = dialog.findChild(QDialogButtonBox)
        layout = dialog.layout()
        if buttons is None or layout is None:
            return
        what = "The problem is a row" if count == 1 else f"All {count} problems are rows"
        note = QLabel(
            f"{what} shipped with the app that this file changes. You may import the file anyway and take "
            f"{'it' if count == 1 else 'them'} over: taken-over rows become imported rows, and new app versions "
            "will no longer update them. The whole file is then imported in one transaction."
        )
        note.setObjectName("take_over_note")
        note.setWordWrap(True)
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.count() - 1, note)
        # The reasons name the old and new value of every changed cell: wrap them rather than elide.
        dialog.table.setWordWrap(True)
        dialog.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        dialog.table.resizeRowsToContents()
        rows = "this shipped row" if count == 1 else f"these {count} shipped rows"
        button = buttons.addButton(f"Import and take over {rows}", QDialogButtonBox.ButtonRole.ActionRole)
        button.setAutoDefault(False)  # never the Enter key: taking rows over is a deliberate click
        button.setDefault(False)
        button.clicked.connect(lambda: self._take_over(dialog))
        self.take_over_button = button

    def _take_over(self, dialog: ImportErrorsDialog) -> None:
        path, table = self._last_import
        dialog.close()
        self.import_errors_dialog = None
        self.import_file(path, table, replace_shipped=True)

    # ---- price packs --------------------------------------------------------------------------
    def open_update_dialog(self) -> PackUpdateDialog:
        dialog = PackUpdateDialog(self, clock.today(), parent=self)
        self.update_dialog = dialog
        dialog.open()
        return dialog

    def preview_packs(
        self,
        paths: list[str],
        as_of: Any,
        provider: str | None,
        on_diff: Callable[[Any], None],
        on_refused: Callable[[str], None],
    ) -> None:
        """Read and diff price packs on the lane (nothing is written); a refused file gives its reasons."""
        url = self.db_url
        today = clock.today()

        def work() -> tuple[list[Any], Any]:
            from db.packs import diff_packs, read_packs

            engine = _engine(url)
            packs = read_packs(paths, engine=engine, today=today, as_of=as_of, provider=provider)
            return packs, diff_packs(engine, packs)

        def failed(error: WorkerError) -> None:
            on_refused(str(error.exception))

        self._lane.submit(work, on_diff, failed)

    def apply_price_packs(self, packs: list[Any], on_done: Callable[[str], None]) -> None:
        """Apply read packs in one transaction on the lane, then reload the catalog."""
        url = self.db_url

        def work() -> tuple[Any, Catalog]:
            from db.packs import apply_packs

            diff, _report = apply_packs(_engine(url), packs)
            return diff, load_catalog(url)

        def done(result: tuple[Any, Catalog]) -> None:
            diff, catalog = result
            message = f"Updated cloud prices: {diff.summary()}; earlier prices kept in the price history"
            self._loaded_catalog(catalog, message)
            on_done(message)

        self._lane.submit(work, done, self._failed)

    def choose_export_file(self) -> None:
        table = self.current_table()
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {TABLE_TITLES[table]}", f"{table}.csv", "CSV (*.csv);;Excel (*.xlsx)"
        )
        if path:
            self.export_table(table, path)

    def choose_export_shown_file(self) -> None:
        table = self.current_table()
        path, chosen = QFileDialog.getSaveFileName(
            self,
            f"Export the {TABLE_TITLES[table]} shown",
            f"{table}-shown.csv",
            "CSV (*.csv);;Excel (*.xlsx)",
        )
        if path:
            if not Path(path).suffix:
                path += ".xlsx" if "xlsx" in chosen else ".csv"
            self.export_shown(table, path)

    def shown_columns(self, table: str) -> list[int]:
        """Logical columns shown in ``table``'s view, left to right as the user arranged them."""
        header = self.views[table].horizontalHeader()
        order = [header.logicalIndex(v) for v in range(header.count())]
        return [c for c in order if not header.isSectionHidden(c)]

    def export_shown(self, table: str, path: str | Path) -> None:
        """Write the rows the filter shows, the columns shown in their order, to CSV or XLSX (on the lane)."""
        from ui.models.shown_export import shown_cells, write_shown

        model = self.models[table]
        columns = [model.columns[c] for c in self.shown_columns(table)]
        values, stale = model.shown_snapshot()
        gpus = model.gpu_lookup()
        title = TABLE_TITLES[table]

        def work() -> int:
            return write_shown(path, title, columns, shown_cells(columns, values, stale, gpus))

        def done(count: int) -> None:
            message = (
                f"Exported the {count:,} {title} rows shown ({len(columns)} columns) to {Path(path).name}"
            )
            self._say(message)
            self.operation_finished.emit(message)

        self._lane.submit(work, done, self._failed)

    def export_table(self, table: str, path: str | Path) -> None:
        url = self.db_url

        def work() -> int:
            from db import io as db_io

            return db_io.export_file(_engine(url), path, table)

        def done(count: int) -> None:
            message = f"Exported {count} {TABLE_TITLES[table]} rows to {Path(path).name}"
            self._say(message)
            self.operation_finished.emit(message)

        self._lane.submit(work, done, self._failed)


# db.io words each refused take-over of a shipped row this way (see db.io._takeover_error).
SHIPPED_CONFLICT_MARK = "changes the shipped row"


def shipped_conflicts(errors: Any) -> int:
    """How many of an import's errors are only 'this row changes a shipped row' (nothing else wrong)."""
    return sum(1 for e in errors if SHIPPED_CONFLICT_MARK in getattr(e, "reason", ""))
