"""The Quotes view: vendor quotes side by side, best value per criterion highlighted, cost per GPU-hour
chart against the current project's cloud options, import with a column-mapping dialog, "Use this quote"
and export of the comparison to XLSX.

Database work and the engine run off the UI thread, one job at a time on the window's thread pool; jobs
return plain domain values (:class:`QuotesSnapshot`) that the GUI thread renders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import logging
import re
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QRunnable, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.quotes import FIELD_LABELS, FIELDS, ColumnMapping, ImportIssue, QuoteImportError
from planner import clock
from planner.analysis.quotes import (
    CloudReference,
    SiteTerms,
    use_quote,
)
from planner.project import OnPremOption, Project, load_project, save_project
from planner.quotes import (
    CRITERIA,
    KIND_LABELS,
    LINE_KINDS,
    NETWORK_ALLOWANCE_FRACTION,
    LineKind,
    Quote,
    QuoteFigures,
    QuoteLine,
    best_by_criterion,
    included_support_years,
)
from ui import present
from ui.charts.quotes_chart import QuoteBar, QuotesChart, ReferenceLine
from ui.layout import remember_splitter
from ui.theme import theme_manager, warning_colour
from ui.workers import log_failure

log = logging.getLogger(__name__)

BEST_BACKGROUND = QColor("#c6efce")


# ------------------------------------------------------------------------------------ serial lane
class _JobSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _JobSignals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # reported on the GUI thread, never lost
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class _Lane(QObject):
    """One job at a time, in order, on the window's pool (which the window drains on close)."""

    def __init__(self, pool: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._queue: deque[tuple[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]]] = (
            deque()
        )
        self._running: _Job | None = None
        self._callbacks: tuple[Callable[[Any], None], Callable[[Exception], None]] | None = None

    def submit(
        self, work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
    ) -> None:
        self._queue.append((work, on_done, on_error))
        if self._running is None:
            self._next()

    def busy(self) -> bool:
        return self._running is not None or bool(self._queue)

    def _next(self) -> None:
        if not self._queue:
            self._running = None
            return
        work, on_done, on_error = self._queue.popleft()
        self._callbacks = (on_done, on_error)
        job = _Job(work)
        job.signals.done.connect(self._done)
        job.signals.failed.connect(self._failed)
        self._running = job
        self._pool.start(job)

    def _done(self, result: Any) -> None:
        try:
            if self._callbacks:
                self._callbacks[0](result)
        finally:
            self._next()

    def _failed(self, exc: Exception) -> None:
        try:
            if self._callbacks:
                self._callbacks[1](exc)
        finally:
            self._next()


# ------------------------------------------------------------------------------------ database jobs
@dataclasses.dataclass(frozen=True)
class QuotesSnapshot:
    """Everything the view shows, computed on the lane."""

    figures: tuple[QuoteFigures, ...]
    site: SiteTerms
    references: tuple[CloudReference, ...]
    server_models: tuple[str, ...]
    gpu_names: tuple[str, ...]
    project: Project | None = None


def _engine(url: str | None) -> Any:
    from db.session import get_engine

    return get_engine(url)


def load_snapshot(url: str | None, project: Project | None, today: dt.date) -> QuotesSnapshot:
    """Stored quotes compared by the analysis of ``project`` (the one the Projects view shows), or under the
    default site terms without a project; with the project's rented options as references."""
    from db.analysis_catalog import DbCatalog
    from db.quotes import list_quotes
    from planner.analysis import analyse, compare_without_project

    catalog = DbCatalog(_engine(url))
    quotes = sorted(list_quotes(catalog.engine), key=lambda q: q.id or 0)  # columns keep their place
    if project is not None:
        comparison = analyse(project, catalog, today=today, samples=0, quotes=quotes).quotes
        assert comparison is not None
    else:
        comparison = compare_without_project(quotes, catalog, today=today)
    return QuotesSnapshot(
        comparison.figures,
        comparison.site,
        comparison.references,
        tuple(sorted(catalog.servers())),
        tuple(sorted(g.name for g in catalog.gpus())),
        project,
    )


# ------------------------------------------------------------------------------------ mapping dialog
@dataclasses.dataclass(frozen=True)
class ImportRequest:
    path: Path
    vendor: str
    mapping: ColumnMapping | None
    """None: the layout detected in the file (header, columns, title-block facts by label)."""
    quote_date: dt.date | None
    valid_until: dt.date | None
    currency: str | None
    replace: bool = False
    """Replace a quote already imported (same vendor and number, or same lines) instead of refusing."""
    date_order: str | None = None
    """"dmy"/"mdy": how to read slashed dates the file leaves ambiguous (asked when the import needs it)."""


_AMBIGUOUS = re.compile(r"'([^']+)' is ambiguous: (.+?) read day first, (.+?) read month first")
DETECTED_BACKGROUND = QColor("#dbeafe")
"""Preview cells of the columns the import will read (detected or chosen)."""


class ColumnMappingDialog(QDialog):
    """Which column holds what: a preview of the file (the detected sheet), the header row, a column per
    field, the vendor, currency and dates. The layout detected in the file is used unless the user changes
    a column (then the mapping chosen here is used, and remembered for the vendor); the columns read are
    highlighted on the real rows."""

    def __init__(
        self, path: Path, remembered: Callable[[str], ColumnMapping | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from db.quote_layout import detect_layout, read_sheets
        from db.quotes import read_grid

        self.setWindowTitle(f"Import quote — {path.name}")
        self.path = path
        self._remembered = remembered
        self.sheet_name: str | None = None
        self.detected = None
        try:
            sheets, _how = read_sheets(path)
            self.detected = detect_layout(sheets)
        except (OSError, ValueError, KeyError):
            sheets = []
        if self.detected is not None:
            self.grid = sheets[self.detected.sheet].rows
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                self.sheet_name = self.detected.sheet_name
        else:
            self.grid = read_grid(path).rows
        self.detected_check = QCheckBox(
            "Use the layout found in the file (columns, title block, conventions)"
        )
        self.detected_check.setChecked(self.detected is not None)
        self.detected_check.setEnabled(self.detected is not None)
        self.detected_check.setObjectName("use_detected_layout")
        self.vendor_edit = QLineEdit()
        self.vendor_edit.setPlaceholderText("vendor name (its mapping is remembered)")
        self.vendor_edit.editingFinished.connect(self._apply_remembered)
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, max(1, len(self.grid)))
        self.header_spin.valueChanged.connect(self._fill_columns)
        self.combos = {f: QComboBox() for f in FIELDS}
        for combo in self.combos.values():
            combo.activated.connect(self._chosen_by_hand)
        self.currency_edit = QLineEdit()
        self.currency_edit.setPlaceholderText("e.g. EUR (empty: from the file, else USD)")
        self.date_check = QCheckBox("Quote date")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.valid_check = QCheckBox("Valid until")
        self.valid_edit = QDateEdit(QDate.currentDate().addDays(30))
        self.replace_check = QCheckBox("Replace if already imported")
        self.replace_check.setToolTip(
            "A quote of this vendor with the same quote number, or the same lines, is already stored: "
            "replace it (same id) instead of refusing the import"
        )
        for edit in (self.date_edit, self.valid_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._fill_preview()

        form = QFormLayout()
        form.addRow("", self.detected_check)
        form.addRow("Vendor", self.vendor_edit)
        form.addRow("Header row", self.header_spin)
        for f, combo in self.combos.items():
            required = " *" if f in ("description", "quantity", "unit_price") else ""
            form.addRow(FIELD_LABELS[f] + required, combo)
        form.addRow("Currency", self.currency_edit)
        form.addRow(self.date_check, self.date_edit)
        form.addRow(self.valid_check, self.valid_edit)
        form.addRow("", self.replace_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b3261e")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addWidget(self.message)
        left_layout.addStretch(1)
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.resize(1000, 520)
        self.request: ImportRequest | None = None
        self._guess_header()

    def _fill_preview(self) -> None:
        rows = self.grid[:30]
        width = max((len(r) for r in rows), default=0)
        self.preview.setRowCount(len(rows))
        self.preview.setColumnCount(width)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                self.preview.setItem(i, j, QTableWidgetItem("" if value is None else str(value)))
        self.preview.resizeColumnsToContents()

    def _guess_header(self) -> None:
        from db.quotes import suggest_mapping

        if self.detected is not None:
            self.header_spin.setValue(self.detected.header_row + 1)
            self._fill_columns()
            return
        best, hits = 1, 0
        for i, row in enumerate(self.grid[:40]):
            n = len(suggest_mapping(row))
            if n > hits:
                best, hits = i + 1, n
        self.header_spin.setValue(best)
        self._fill_columns()

    def _headers(self) -> list[str]:
        i = self.header_spin.value() - 1
        row = self.grid[i] if 0 <= i < len(self.grid) else []
        return [str(v) for v in row if v not in (None, "")]

    def _fill_columns(self) -> None:
        from db.quotes import suggest_mapping

        headers = self._headers()
        guess = suggest_mapping(headers)
        for f, combo in self.combos.items():
            combo.clear()
            combo.addItem("(none)", "")
            for h in headers:
                combo.addItem(h, h)
            combo.setCurrentIndex(max(0, combo.findData(guess.get(f, ""))))
        self._highlight()

    def _chosen_by_hand(self) -> None:
        self.detected_check.setChecked(False)
        self._highlight()

    def read_columns(self) -> dict[int, str]:
        """Preview column index → the field it is read as (the columns highlighted)."""
        i = self.header_spin.value() - 1
        row = [("" if v is None else str(v)) for v in (self.grid[i] if 0 <= i < len(self.grid) else [])]
        out: dict[int, str] = {}
        for f, combo in self.combos.items():
            header = combo.currentData()
            if header and header in row:
                out[row.index(header)] = f
        return out

    def _highlight(self) -> None:
        """Colour the columns that will be read, from the header row down; name them in the preview's header."""
        header_row = self.header_spin.value() - 1
        read = self.read_columns()
        labels = []
        for j in range(self.preview.columnCount()):
            field_name = read.get(j)
            labels.append(FIELD_LABELS[field_name] if field_name else "")
            for i in range(self.preview.rowCount()):
                item = self.preview.item(i, j)
                if item is None:
                    item = QTableWidgetItem("")
                    self.preview.setItem(i, j, item)
                on = field_name is not None and i >= header_row
                item.setBackground(DETECTED_BACKGROUND if on else QColor(0, 0, 0, 0))
                font = item.font()
                font.setBold(on and i == header_row)
                item.setFont(font)
        self.preview.setHorizontalHeaderLabels(labels)
        self.preview.resizeColumnsToContents()
        for j in range(self.preview.columnCount()):
            self.preview.setColumnWidth(j, min(self.preview.columnWidth(j), 280))

    def _apply_remembered(self) -> None:
        mapping = self._remembered(self.vendor_edit.text())
        if mapping is None:
            return
        if mapping.header_row:
            self.header_spin.setValue(mapping.header_row)
        for f, header in mapping.columns.items():
            combo = self.combos[f]
            index = combo.findData(header)
            if index >= 0:
                combo.setCurrentIndex(index)
        if mapping.currency:
            self.currency_edit.setText(mapping.currency)
        self._loaded_mapping = mapping

    def set_vendor(self, vendor: str) -> None:
        self.vendor_edit.setText(vendor)
        self._apply_remembered()

    def mapping(self) -> ColumnMapping:
        columns = {f: str(c.currentData()) for f, c in self.combos.items() if c.currentData()}
        base: ColumnMapping | None = getattr(self, "_loaded_mapping", None)
        return ColumnMapping(
            columns=columns,
            header_row=self.header_spin.value(),
            sheet=base.sheet if base else self.sheet_name,
            kind_values=dict(base.kind_values) if base else {},
            cells=dict(base.cells) if base else {},
            currency=self.currency_edit.text().strip().upper() or None,
            decimal_comma=base.decimal_comma if base else False,
            vendor=self.vendor_edit.text().strip(),
        )

    def _accept(self) -> None:
        missing = [
            FIELD_LABELS[f]
            for f in ("description", "quantity", "unit_price")
            if not self.combos[f].currentData()
        ]
        if not self.vendor_edit.text().strip():
            missing.insert(0, "Vendor")
        if missing:
            self.message.setText("Choose: " + ", ".join(missing))
            return
        self.request = ImportRequest(
            path=self.path,
            vendor=self.vendor_edit.text().strip(),
            mapping=None if self.detected_check.isChecked() else self.mapping(),
            quote_date=self.date_edit.date().toPython() if self.date_check.isChecked() else None,  # type: ignore[arg-type]
            valid_until=self.valid_edit.date().toPython() if self.valid_check.isChecked() else None,  # type: ignore[arg-type]
            currency=self.currency_edit.text().strip().upper() or None,
            replace=self.replace_check.isChecked(),
        )
        self.accept()


class QuoteErrorsDialog(QDialog):
    """Every problem of a rejected quote file (row, column, reason); nothing was written."""

    def __init__(self, source: str, issues: Sequence[ImportIssue], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quote not imported")
        self.issues = list(issues)
        label = QLabel(f"<b>{Path(source).name}</b>: {len(self.issues)} problem(s). Nothing was imported.")
        table = QTableWidget(len(self.issues), 3)
        table.setHorizontalHeaderLabels(["Row", "Column", "Reason"])
        table.verticalHeader().setVisible(False)
        for i, issue in enumerate(self.issues):
            for j, text in enumerate(
                ("" if issue.row is None else str(issue.row), issue.column, issue.reason)
            ):
                table.setItem(i, j, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
        self.resize(760, 320)


class QuoteEditorDialog(QDialog):
    """Enter a quote by hand or edit one: its facts and its lines (kind, description, part number,
    quantity, unit price, support years). Validation happens on save; problems are listed like an import's."""

    LINE_FIELDS = ("Kind", "Description", "Part number", "Quantity", "Unit price", "Support years")

    def __init__(self, quote: Quote | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit quote" if quote else "New quote")
        self.original = quote
        q = quote or Quote(vendor="", currency="USD", quote_date=clock.today(), lines=())
        self.vendor_edit = QLineEdit(q.vendor)
        self.number_edit = QLineEdit(q.quote_number)
        self.currency_edit = QLineEdit(q.currency)
        self.date_edit = QDateEdit(QDate(q.quote_date))
        self.valid_check = QCheckBox("Valid until")
        self.valid_check.setChecked(q.valid_until is not None)
        self.valid_edit = QDateEdit(QDate(q.valid_until or q.quote_date + dt.timedelta(days=30)))
        for edit in (self.date_edit, self.valid_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.lead_edit = QLineEdit("" if q.lead_time_weeks is None else f"{q.lead_time_weeks:g}")
        self.incoterms_edit = QLineEdit(q.incoterms)
        self.payment_edit = QLineEdit(q.payment_terms)
        form = QFormLayout()
        form.addRow("Vendor *", self.vendor_edit)
        form.addRow("Quote number", self.number_edit)
        form.addRow("Currency *", self.currency_edit)
        form.addRow("Quote date", self.date_edit)
        form.addRow(self.valid_check, self.valid_edit)
        form.addRow("Lead time (weeks)", self.lead_edit)
        form.addRow("Incoterms / shipping", self.incoterms_edit)
        form.addRow("Payment terms", self.payment_edit)
        self.table = QTableWidget(0, len(self.LINE_FIELDS))
        self.table.setHorizontalHeaderLabels(list(self.LINE_FIELDS))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for line in q.lines:
            self.add_line(line)
        add = QPushButton("Add line")
        add.clicked.connect(lambda: self.add_line(None))
        remove = QPushButton("Remove line")
        remove.clicked.connect(self._remove_line)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b3261e")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        line_bar = QHBoxLayout()
        line_bar.addWidget(add)
        line_bar.addWidget(remove)
        line_bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(line_bar)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.result_quote: Quote | None = None

    def add_line(self, line: QuoteLine | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        kind = QComboBox()
        for k in LINE_KINDS:
            kind.addItem(KIND_LABELS[k], k)
        kind.setCurrentIndex(LINE_KINDS.index(line.kind) if line else LINE_KINDS.index("other"))
        self.table.setCellWidget(row, 0, kind)
        values = (
            ("", "", "1", "0", "")
            if line is None
            else (
                line.description,
                line.part_number,
                f"{line.quantity:g}",
                f"{line.unit_price:g}",
                "" if line.support_years is None else f"{line.support_years:g}",
            )
        )
        for col, text in enumerate(values, start=1):
            self.table.setItem(row, col, QTableWidgetItem(text))

    def _remove_line(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def quote(self) -> Quote:
        """The quote as entered; raises QuoteImportError listing every unreadable cell."""
        from db.quotes import parse_amount

        issues: list[ImportIssue] = []
        lines: list[QuoteLine] = []
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 0)
            chosen = combo.currentData() if isinstance(combo, QComboBox) else "other"
            kind: LineKind = next((k for k in LINE_KINDS if k == chosen), "other")

            def text(col: int, row: int = row) -> str:
                item = self.table.item(row, col)
                return item.text().strip() if item is not None else ""

            numbers: list[float | None] = []
            for col in (3, 4, 5):
                if col == 5 and not text(5):
                    numbers.append(None)
                    continue
                try:
                    numbers.append(parse_amount(text(col))[0])
                except ValueError as exc:
                    issues.append(ImportIssue(row + 1, self.LINE_FIELDS[col], str(exc)))
                    numbers.append(None)
            qty, price, support = numbers
            old = self.original.lines[row] if self.original and row < len(self.original.lines) else None
            if qty is not None and price is not None:
                lines.append(
                    QuoteLine(
                        description=text(1),
                        quantity=qty,
                        unit_price=price,
                        kind=kind,
                        part_number=text(2),
                        support_years=support,
                        server_model=old.server_model if old and old.kind == kind else None,
                        gpu_name=old.gpu_name if old and old.kind == kind else None,
                        match_confirmed=old.match_confirmed if old else True,
                    )
                )
        lead: float | None = None
        if self.lead_edit.text().strip():
            try:
                lead = parse_amount(self.lead_edit.text())[0]
            except ValueError as exc:
                issues.append(ImportIssue(None, "Lead time (weeks)", str(exc)))
        if issues:
            raise QuoteImportError("quote", issues)
        base = self.original or Quote(vendor="", currency="USD", quote_date=clock.today(), lines=())
        currency = self.currency_edit.text().strip().upper()
        return dataclasses.replace(
            base,
            vendor=self.vendor_edit.text().strip(),
            quote_number=self.number_edit.text().strip(),
            currency=currency,
            quote_date=self.date_edit.date().toPython(),  # type: ignore[arg-type]
            valid_until=self.valid_edit.date().toPython() if self.valid_check.isChecked() else None,  # type: ignore[arg-type]
            lead_time_weeks=lead,
            incoterms=self.incoterms_edit.text().strip(),
            payment_terms=self.payment_edit.text().strip(),
            fx=base.fx
            if base.currency == currency and base.quote_date == self.date_edit.date().toPython()
            else None,
            lines=tuple(lines),
        )

    def _accept(self) -> None:
        try:
            self.result_quote = self.quote()
        except QuoteImportError as exc:
            self.message.setText("; ".join(str(i) for i in exc.issues))
            return
        self.accept()


# ------------------------------------------------------------------------------------------ page
ROWS: tuple[tuple[str, str], ...] = (
    ("vendor", "Vendor"),
    ("quote_date", "Quote date"),
    ("valid_until", "Valid until"),
    ("total", "Total (quote currency)"),
    ("fx", "FX to USD (as of)"),
    ("gpus", "GPUs"),
    ("memory", "GPU memory"),
    ("pflops", "Dense BF16 PFLOPS"),
    ("power", "IT power"),
    ("support", "Included support"),
    ("lead", "Lead time"),
    ("terms", "Incoterms · payment"),
    ("adjustments", "Added in all-in cost"),
    *CRITERIA,
    ("warnings", "Warnings"),
    ("eligible", "Eligible for best"),
)
LINE_COLUMNS = (
    "Kind",
    "Description",
    "Part number",
    "Qty",
    "Unit price",
    "Amount",
    "Support y",
    "Catalog match",
)


class QuotesPage(QWidget):
    """Vendor quotes compared side by side; the window is the app's MainWindow."""

    loaded = Signal()
    operation_finished = Signal(str)
    operation_failed = Signal(str)
    project_changed = Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.db_url: str | None = getattr(window, "db_url", None)
        self.project: Project | None = None
        self.project_path: Path | None = None
        self.snapshot: QuotesSnapshot | None = None
        self.today = clock.today()
        self.mapping_dialog: ColumnMappingDialog | None = None
        self.errors_dialog: QuoteErrorsDialog | None = None
        self.editor_dialog: QuoteEditorDialog | None = None
        self._loaded = False
        self._error: str | None = None
        self._selected_id: int | None = None
        self._lane = _Lane(window.thread_pool, self)
        self._build()
        theme_manager().changed.connect(self._theme_changed)
        self.reload()

    def _theme_changed(self, _scheme: str) -> None:
        if self.snapshot is not None:
            self._fill_table()  # warning colours that read on the new theme

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.import_button = QPushButton("Import quote…")
        self.import_button.clicked.connect(lambda: self.open_import_dialog())
        self.new_button = QPushButton("New quote…")
        self.new_button.setToolTip("Enter a quote by hand")
        self.new_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(lambda: self.open_editor(self.selected_quote()))
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.use_button = QPushButton("Use this quote")
        self.use_button.setToolTip("Make the selected quote the on-premises option of the current project")
        self.use_button.clicked.connect(lambda: self.use_selected_quote())
        self.export_button = QPushButton("Export XLSX…")
        self.export_button.clicked.connect(lambda: self.export_xlsx())
        self.project_label = QLabel()
        # A long project name shrinks (tooltip whole) rather than widening the button bar.
        self.project_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.project_label.setMinimumWidth(120)
        self.project_button = QPushButton("Project…")
        self.project_button.setToolTip("Site terms, horizon, demand and cloud options come from a project")
        self.project_button.clicked.connect(self._choose_project)
        bar = QHBoxLayout()
        for w in (
            self.import_button,
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.use_button,
            self.export_button,
        ):
            bar.addWidget(w)
        self.project_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.project_label, 1)
        bar.addWidget(self.project_button)

        self.table = QTableWidget(len(ROWS), 0)
        self.table.setObjectName("quotes_comparison")
        self.table.setVerticalHeaderLabels([label for _, label in ROWS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # No Qt selection: it would paint over the green "best" cells. The chosen quote's column header
        # is marked instead; clicking a cell or a header chooses a quote.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.cellClicked.connect(lambda _row, col: self._choose_column(col))
        self.table.horizontalHeader().sectionClicked.connect(self._choose_column)
        self._selected_col = -1
        self._used_project: Project | None = None
        self.table.horizontalHeader().setDefaultSectionSize(210)

        self.lines = QTableWidget(0, len(LINE_COLUMNS))
        self.lines.setObjectName("quote_lines")
        self.lines.setHorizontalHeaderLabels(list(LINE_COLUMNS))
        self.lines.verticalHeader().setVisible(False)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        lines_header = self.lines.horizontalHeader()
        lines_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lines_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Long part numbers and platform names elide; their tooltips show them whole.
        for col, width in ((2, 96), (7, 170)):
            lines_header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.lines.setColumnWidth(col, width)
        self.lines.setWordWrap(False)
        self.match_combo = QComboBox()
        self.match_combo.setMinimumWidth(180)
        self.confirm_button = QPushButton("Confirm match")
        self.confirm_button.setToolTip("Confirm or change the catalog platform / GPU of the selected line")
        self.confirm_button.clicked.connect(lambda: self.confirm_selected_line())
        self.lines.itemSelectionChanged.connect(self._line_selected)
        line_bar = QHBoxLayout()
        line_bar.addWidget(QLabel("Catalog match:"))
        line_bar.addWidget(self.match_combo, 1)
        line_bar.addWidget(self.confirm_button)
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        self.lines_title = QLabel("<b>Lines</b>")
        lines_layout.addWidget(self.lines_title)
        lines_layout.addWidget(self.lines, 1)
        lines_layout.addLayout(line_bar)

        self.chart = QuotesChart()
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(lines_box)
        bottom.addWidget(self.chart)
        bottom.setSizes([840, 440])
        remember_splitter(bottom, "quotes/lines_splitter")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(bottom)
        split.setSizes([470, 300])
        remember_splitter(split, "quotes/splitter")
        self.basis_label = QLabel()
        self.basis_label.setWordWrap(True)
        self.basis_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Long messages (a whole reconciliation sentence) wrap: a label never sets the window's minimum width.
        self.basis_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status = QLabel(" ")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.basis_label)
        layout.addWidget(self.status)
        self._show_project()

    # ---- state for selftest and tests ----------------------------------------------------------
    def is_ready(self) -> bool:
        return (self._loaded or self._error is not None) and not self._lane.busy()

    def last_error(self) -> str | None:
        return self._error

    @property
    def figures(self) -> tuple[QuoteFigures, ...]:
        return self.snapshot.figures if self.snapshot else ()

    def best_columns(self) -> dict[str, int]:
        """Criterion → column of the highlighted (best) quote."""
        return best_by_criterion(self.figures)

    def selected_quote(self) -> Quote | None:
        if 0 <= self._selected_col < len(self.figures):
            return self.figures[self._selected_col].quote
        return None

    def select_quote(self, quote_id: int) -> bool:
        for col, f in enumerate(self.figures):
            if f.quote.id == quote_id:
                self._choose_column(col)
                return True
        return False

    def _choose_column(self, col: int) -> None:
        self._selected_col = col if 0 <= col < len(self.figures) else -1
        quote = self.selected_quote()
        self._selected_id = quote.id if quote else None
        self._mark_header()
        self._fill_lines()

    def _mark_header(self) -> None:
        for col, f in enumerate(self.figures):
            item = self.table.horizontalHeaderItem(col)
            if item is None:
                continue
            chosen = col == self._selected_col
            item.setText(("▶ " if chosen else "") + _header_text(f))
            font = QFont(item.font())
            font.setBold(chosen)
            font.setUnderline(chosen)
            item.setFont(font)

    # ---- project ------------------------------------------------------------------------------
    def current_project(self) -> Project | None:
        """The project the comparison uses: one opened here (Project…) if any, else the project open in the
        Projects view (its document, when it parses), else none (sourced defaults)."""
        if self.project is not None:
            return self.project
        document = self._projects_document()
        if document is not None:
            project, _error = document.validate()
            if isinstance(project, Project):
                return project
        return None

    def _projects_document(self) -> Any:
        page = getattr(self.window_, "pages", {}).get("Projects")
        document = getattr(page, "document", None)
        if document is None or not getattr(document, "is_open", False) or not hasattr(document, "validate"):
            return None
        return document

    def set_project(self, project: Project | None, path: Path | None = None) -> None:
        self.project = project
        self.project_path = path
        self._show_project()
        self.reload()

    def _show_project(self, project: Project | None = None) -> None:
        project = project or self.current_project()
        text = (
            f"Project: <b>{html.escape(project.name)}</b>"
            if project
            else "Project: <i>none (sourced defaults)</i>"
        )
        self.project_label.setText(text)
        self.project_label.setToolTip(project.name if project else "")

    def _choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Project for the comparison", "", "Project (*.json)")
        if path:
            try:
                self.set_project(load_project(path), Path(path))
            except ValueError as exc:
                QMessageBox.warning(self, "Project not loaded", str(exc))

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._loaded and self.current_project() != self._used_project:
            self._show_project()
            self.reload()

    # ---- loading ------------------------------------------------------------------------------
    def reload(self, message: str = "") -> None:
        url, project, today = self.db_url, self.current_project(), self.today
        self._used_project = project
        self._lane.submit(
            lambda: load_snapshot(url, project, today), lambda s: self._show(s, message), self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self._error = str(exc) or repr(exc)
        log_failure(log, "quotes view", exc)
        self.status.setText(f"<span style='color:#b3261e'>{self._error}</span>")
        self.operation_failed.emit(self._error)

    def _show(self, snapshot: QuotesSnapshot, message: str) -> None:
        self.snapshot = snapshot
        self._show_project(snapshot.project)
        self._loaded = True
        self._error = None
        self._fill_table()
        self._fill_chart()
        self._fill_basis()
        self.match_combo.clear()
        self.match_combo.addItem("(no match)", "")
        for model in snapshot.server_models:
            self.match_combo.addItem(f"server: {model}", f"server:{model}")
        for name in snapshot.gpu_names:
            self.match_combo.addItem(f"GPU: {name}", f"gpu:{name}")
        if self._selected_id is None or not self.select_quote(self._selected_id):
            self._choose_column(0 if snapshot.figures else -1)
        empty = "No quotes yet: Import quote… (CSV or XLSX) or New quote… to enter one by hand"
        self.status.setText(message or (f"{len(snapshot.figures)} quote(s)" if snapshot.figures else empty))
        self.loaded.emit()
        self.operation_finished.emit(message)

    def _fill_table(self) -> None:
        figures = self.figures
        self.table.blockSignals(True)
        self.table.setColumnCount(len(figures))
        best = best_by_criterion(figures)
        headers = []
        for col, f in enumerate(figures):
            headers.append(_header_text(f))
            for row, (key, _label) in enumerate(ROWS):
                item = QTableWidgetItem(_cell_text(f, key))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if key == "warnings" and f.warnings:
                    item.setForeground(QBrush(warning_colour()))
                    item.setToolTip("\n".join(f.warnings))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if key == "valid_until" and f.expired:
                    item.setForeground(QBrush(warning_colour()))
                if key == "adjustments" and f.adjustments:
                    item.setToolTip(
                        "\n".join(f"{a.item}: {a.usd:,.2f} USD — {a.basis}" for a in f.adjustments)
                    )
                if key == "eligible" and f.best_excluded_because:
                    item.setForeground(QBrush(warning_colour()))
                    item.setToolTip("never highlighted as best: " + "; ".join(f.best_excluded_because))
                if best.get(key) == col:
                    item.setBackground(QBrush(BEST_BACKGROUND))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setToolTip("best value among valid, complete quotes with GPUs (lower is better)")
                elif f.best_excluded_because and any(k == key for k, _ in CRITERIA):
                    item.setToolTip("not eligible for best: " + "; ".join(f.best_excluded_because))
                self.table.setItem(row, col, item)
        self.table.setHorizontalHeaderLabels(headers)
        mode = QHeaderView.ResizeMode.Stretch if len(figures) <= 4 else QHeaderView.ResizeMode.Interactive
        self.table.horizontalHeader().setSectionResizeMode(mode)
        for col, f in enumerate(figures):
            header_item = self.table.horizontalHeaderItem(col)
            if header_item is not None and f.best_excluded_because:
                header_item.setForeground(QBrush(warning_colour()))
                header_item.setToolTip("not eligible for best: " + "; ".join(f.best_excluded_because))
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)

    def _fill_chart(self) -> None:
        bars = [
            QuoteBar(
                f.quote.vendor,
                f.per_gpu_hour_usd,
                f.expired,
                bool(f.missing) or f.hardware.gpus <= 0 or bool(f.quote.flags),  # flagged: never best
            )
            for f in self.figures
        ]
        refs = [
            ReferenceLine(r.name, r.usd_per_gpu_hour)
            for r in (self.snapshot.references if self.snapshot else ())
        ]
        self.chart.set_data(bars, refs)

    def _fill_basis(self) -> None:
        if self.snapshot is None:
            return
        site = self.snapshot.site
        util = (
            "the utilisation the project's demand gives each quote"
            if site.utilization is None
            else f"utilisation {site.utilization:.0%}"
        )
        refs = ", ".join(f"{r.name} ({r.basis})" for r in self.snapshot.references)
        text = (
            "<b>Green</b> = best per criterion (lower is better) among valid, complete quotes with GPUs; "
            "expired, incomplete or flagged quotes are never green. All-in USD per GPU-hour: the TCO "
            f"engine's on-premises model over {site.horizon_months} months of {site.hours_per_month:g} h at "
            f"{util}; maintenance only beyond the included support; a multi-node quote without NIC or switch "
            f"lines gets a network allowance of {NETWORK_ALLOWANCE_FRACTION:.1%} of server capex "
            "(midpoint of 10-15 % of hardware, issue 5 / catalog network_capex). "
            + " · ".join(a[:1].upper() + a[1:] for a in site.assumptions)
        )
        if refs:
            text += f" · Cloud reference lines: {refs}."
        self.basis_label.setText(text)

    def _fill_lines(self) -> None:
        quote = self.selected_quote()
        lines = quote.lines if quote else ()
        self.lines_title.setText(
            f"<b>Lines of {quote.label}</b> ({quote.currency})" if quote else "<b>Lines</b>"
        )
        self.lines.setRowCount(len(lines))
        for row, line in enumerate(lines):
            match = line.server_model or line.gpu_name or ""
            if match and not line.match_confirmed:
                match += " (suggested)"
            values = (
                KIND_LABELS[line.kind],
                f"↳ {line.description}" if line.parent is not None else line.description,
                line.part_number,
                f"{line.quantity:g}",
                f"{line.unit_price:,.2f}",
                f"{line.amount:,.2f}",
                "" if line.support_years is None else f"{line.support_years:g}",
                match,
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col in (3, 4, 5, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                tip = text
                if col == 7 and match.endswith("(suggested)"):
                    item.setForeground(QBrush(QColor("#8a5300")))
                    if line.match_score is not None:
                        tip = f"{text}: {line.match_score:.0%} confidence, confirm it or choose another platform"
                if col == 1 and line.note:
                    tip = f"{text}\n{line.note}"
                item.setToolTip(tip)
                self.lines.setItem(row, col, item)
        self._line_selected()

    def selected_line_row(self) -> int:
        rows = {i.row() for i in self.lines.selectedItems()}
        return rows.pop() if len(rows) == 1 else -1

    def _line_selected(self) -> None:
        quote = self.selected_quote()
        row = self.selected_line_row()
        if quote is None or not 0 <= row < len(quote.lines):
            return
        line = quote.lines[row]
        data = (
            f"server:{line.server_model}"
            if line.server_model
            else (f"gpu:{line.gpu_name}" if line.gpu_name else "")
        )
        index = self.match_combo.findData(data)
        self.match_combo.setCurrentIndex(max(0, index))

    # ---- actions ------------------------------------------------------------------------------
    def open_import_dialog(self, path: str | Path | None = None) -> ColumnMappingDialog | None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Import a quote", "", "Quotes (*.csv *.xlsx)")
            if not chosen:
                return None
            path = chosen
        url = self.db_url

        def remembered(vendor: str) -> ColumnMapping | None:
            from db.quotes import vendor_mapping

            return vendor_mapping(_engine(url), vendor) if vendor.strip() else None

        try:
            dialog = ColumnMappingDialog(Path(path), remembered, self)
        except QuoteImportError as exc:
            self._show_errors(exc)
            return None
        self.mapping_dialog = dialog
        dialog.accepted.connect(lambda: self._import_from_dialog(dialog))
        dialog.open()
        return dialog

    def _import_from_dialog(self, dialog: ColumnMappingDialog) -> None:
        if dialog.request is not None:
            self.import_file(dialog.request)

    def import_file(self, request: ImportRequest) -> None:
        url = self.db_url
        self._pending_import: ImportRequest | None = request

        def work() -> Any:
            from db.quotes import import_quote

            return import_quote(
                _engine(url),
                request.path,
                vendor=request.vendor,
                mapping=request.mapping,
                quote_date=request.quote_date,
                valid_until=request.valid_until,
                currency=request.currency,
                date_order=request.date_order,
                replace_existing=request.replace,
                today=self.today,
            )

        def done(result: Any) -> None:
            self._pending_import = None
            self._selected_id = result.quote_id
            taxes = "; ".join(
                f"{t.description} {t.amount:,.2f} kept out of capex" for t in result.quote.taxes
            )
            notes = "; ".join([*result.quote.flags, *([taxes] if taxes else []), *result.notes])
            self.reload(f"Imported {result.quote.label} ({len(result.quote.lines)} lines). {notes}".strip())

        self._lane.submit(work, done, self._action_failed)

    def _action_failed(self, exc: Exception) -> None:
        request = getattr(self, "_pending_import", None)
        self._pending_import = None
        if isinstance(exc, QuoteImportError) and request is not None and request.date_order is None:
            ambiguous = next((m for i in exc.issues if (m := _AMBIGUOUS.search(i.reason))), None)
            if ambiguous is not None:
                self._ask_date_order(request, ambiguous)
                return
        if isinstance(exc, QuoteImportError):
            self._show_errors(exc)
            self.operation_failed.emit(str(exc))
        else:
            self._failed(exc)

    def _ask_date_order(self, request: ImportRequest, ambiguous: re.Match[str]) -> None:
        """The file's slashed dates read two ways: ask which, then import again with that order."""
        text, day_first, month_first = ambiguous.groups()
        box = QMessageBox(self)
        box.setWindowTitle("Which date?")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(
            f"{request.path.name} writes the date {text!r}, which reads two ways. Which does the vendor mean?"
        )
        day = box.addButton(f"{day_first} (day first)", QMessageBox.ButtonRole.AcceptRole)
        month = box.addButton(f"{month_first} (month first)", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        self.date_question = box
        self.date_question_buttons = {"dmy": day, "mdy": month}

        def answered(button: Any) -> None:
            order = next((o for o, b in self.date_question_buttons.items() if b is button), None)
            if order is not None:
                self.import_file(dataclasses.replace(request, date_order=order))
            else:
                self.status.setText(f"{request.path.name}: not imported (the date was left unsettled)")

        box.buttonClicked.connect(answered)
        box.open()

    def _show_errors(self, exc: QuoteImportError) -> None:
        self.errors_dialog = QuoteErrorsDialog(exc.source, exc.issues, self)
        self.errors_dialog.open()
        self.status.setText(
            f"<span style='color:#b3261e'>{Path(exc.source).name}: {len(exc.issues)} problem(s), nothing imported</span>"
        )

    def delete_selected(self) -> None:
        quote = self.selected_quote()
        if quote is None or quote.id is None:
            return
        url, quote_id = self.db_url, quote.id

        def work() -> bool:
            from db.quotes import delete_quote

            return delete_quote(_engine(url), quote_id)

        self._selected_id = None
        self._lane.submit(work, lambda _: self.reload(f"Deleted {quote.label}"), self._action_failed)

    def confirm_selected_line(self) -> None:
        quote = self.selected_quote()
        row = self.selected_line_row()
        if quote is None or quote.id is None or not 0 <= row < len(quote.lines):
            return
        kind, _, key = str(self.match_combo.currentData() or "").partition(":")
        line = quote.lines[row]
        new_line = dataclasses.replace(
            line,
            server_model=key if kind == "server" else None,
            gpu_name=key if kind == "gpu" else None,
            match_confirmed=True,
        )
        self.save_quote(
            dataclasses.replace(quote, lines=quote.lines[:row] + (new_line,) + quote.lines[row + 1 :])
        )

    def save_quote(self, quote: Quote) -> None:
        """Save a hand-entered or edited quote (manual entry); errors are listed like an import's."""
        url = self.db_url

        def work() -> int:
            from db.quotes import save_quote

            return save_quote(_engine(url), quote)

        def done(quote_id: int) -> None:
            self._selected_id = quote_id
            self.reload(f"Saved {quote.label}")

        self._lane.submit(work, done, self._action_failed)

    def open_editor(self, quote: Quote | None) -> QuoteEditorDialog:
        """The manual entry / edit dialog; saving it saves the quote (one transaction)."""
        dialog = QuoteEditorDialog(quote, self)
        self.editor_dialog = dialog
        dialog.accepted.connect(lambda: self.save_quote(dialog.result_quote) if dialog.result_quote else None)
        dialog.open()
        return dialog

    def stored_quotes(self) -> list[Quote]:
        """The quotes this view compares, for the proposal (which compares them in its own analysis)."""
        return [f.quote for f in self.figures]

    def add_manual_quote(
        self, vendor: str, currency: str, lines: Sequence[QuoteLine], quote_date: dt.date | None = None
    ) -> None:
        self.save_quote(
            Quote(vendor=vendor, currency=currency, quote_date=quote_date or self.today, lines=tuple(lines))
        )

    def use_selected_quote(self, save_to: Path | None = None) -> Project | None:
        """Make the selected quote the on-prem option of the current project (the window's, if it takes
        one back; else the project opened here, saved to ``save_to`` or its own file)."""
        quote = self.selected_quote()
        project = self.current_project()
        figures = next((f for f in self.figures if quote is not None and f.quote.id == quote.id), None)
        if quote is None or figures is None or self.snapshot is None:
            self.status.setText("Select a quote first")
            return None
        if project is None:
            QMessageBox.information(self, "Use this quote", "Open or create a project first (Project…).")
            return None
        if figures.hardware.gpus == 0:
            self.status.setText("This quote has no GPUs mapped to the catalog: confirm a match first")
            return None
        updated = use_quote(project, quote, figures.hardware, self.snapshot.site)
        handed = self._hand_to_window(updated)
        if not handed:
            self.project = updated
        target = save_to or (None if handed else self.project_path)
        if target is not None:
            save_project(updated, target)
            self.project_path = target
        self.project_changed.emit(updated)
        where = "the current project" if handed else (str(target) if target else "this view's project")
        self.reload(f"{quote.label} is now the on-premises option of {updated.name} ({where})")
        return updated

    def _hand_to_window(self, project: Project) -> bool:
        """Put the quote's option into the Projects view's open document as one undoable edit (when the
        comparison uses that document's project); False when there is no such document."""
        document = self._projects_document()
        if self.project is not None or document is None:
            return False
        from planner.project import option_to_dict

        new_option = next(
            o for o in project.options if isinstance(o, OnPremOption) and o.notes.startswith("from quote")
        )
        entry = option_to_dict(new_option)

        def put(data: dict[str, Any]) -> None:
            options = data.setdefault("options", [])
            index = next(
                (i for i, o in enumerate(options) if isinstance(o, dict) and o.get("kind") == "onprem"), None
            )
            if index is None:
                options.append(entry)
            else:
                options[index] = entry

        document.edit(f"use quote {new_option.name}", put)
        return True

    def export_xlsx(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the comparison", "quote-comparison.xlsx", "Excel (*.xlsx)"
            )
            if not chosen:
                return None
            path = chosen
        from db.quotes import export_comparison_xlsx

        target = export_comparison_xlsx(path, self.figures, self.snapshot.site if self.snapshot else None)
        self.status.setText(f"Comparison exported to {target}")
        self.operation_finished.emit(f"exported {target}")
        return target


def _header_text(f: QuoteFigures) -> str:
    ref = f.quote.quote_number or f"#{f.quote.id}"
    status = "EXPIRED" if f.expired else "incomplete" if f.missing else "valid"
    return f"{f.quote.vendor}\n{ref} · {status}"


def _money(value: float | None, digits: int = 0) -> str:
    """A USD figure of the comparison (its row label names the currency)."""
    return present.number(value, digits)


def _cell_text(f: QuoteFigures, key: str) -> str:
    q, hw = f.quote, f.hardware
    if key == "vendor":
        return q.vendor
    if key == "quote_date":
        return q.quote_date.isoformat()
    if key == "valid_until":
        text = q.valid_until.isoformat() if q.valid_until else "—"
        return f"{text} EXPIRED" if f.expired else text
    if key == "total":
        return present.money(f.total, q.currency)
    if key == "fx":
        return f"{f.usd_per_unit:.4g} USD/{q.currency} ({q.fx.as_of.isoformat()})" if q.fx else "USD"
    if key == "gpus":
        names = ", ".join(hw.gpu_names)
        return f"{hw.gpus} × {names} in {hw.servers} servers" if hw.gpus else "none mapped"
    if key == "memory":
        return f"{hw.gpu_memory_gb:,.0f} GB"
    if key == "pflops":
        return f"{hw.bf16_dense_pflops:,.1f}"
    if key == "power":
        return f"{hw.it_power_kw:,.1f} kW"
    if key == "support":
        years = included_support_years(q)
        return f"{years:g} years" if years else "none"
    if key == "lead":
        return "—" if q.lead_time_weeks is None else f"{q.lead_time_weeks:g} weeks"
    if key == "terms":
        return " · ".join(x for x in (q.incoterms, q.payment_terms) if x) or "—"
    if key == "warnings":
        return "\n".join(f.warnings) if f.warnings else "—"
    if key == "adjustments":
        return "\n".join(f"+{a.usd:,.0f} USD {a.item.split(' (')[0]}" for a in f.adjustments) or "—"
    if key == "eligible":
        return (
            "no: " + ", ".join(r.split(":")[0] for r in f.best_excluded_because)
            if f.best_excluded_because
            else "yes"
        )
    digits = {"per_gb_usd": 1, "per_gpu_hour_usd": 3}.get(key, 0)
    return _money(getattr(f, key), digits)


__all__ = ["ColumnMappingDialog", "QuoteEditorDialog", "QuotesPage"]
