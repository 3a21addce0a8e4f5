"""The editor's three panels: project form, workload table + form, options list + form.

All of them read the :class:`ProjectDocument` and write to it through undoable edits; they rebuild their
per-item form only when the selected item or its kind changes and otherwise just refresh values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.editor.document import Path, ProjectDocument
from ui.editor.fields import FormBinder
from ui.editor.specs import (
    BLANK_OPTIONS,
    FIELDS_BY_KIND,
    PROJECT_FIELDS,
    WORKLOAD_FIELDS,
    WORKLOAD_TEMPLATES,
    option_from_cloud_sku,
    option_from_server,
    workload_from_template,
)

KIND_LABELS = {"cloud": "cloud", "managed_k8s": "managed k8s", "onprem": "on-prem", "hybrid": "hybrid"}


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class ProjectForm(QWidget):
    """Client, consultant, currency, horizon, discount rate, power price, PUE, region, compliance, MLOps."""

    def __init__(self, document: ProjectDocument) -> None:
        super().__init__()
        self.document = document
        self.binder = FormBinder(document, PROJECT_FIELDS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_scroll(self.binder.widget))

    def refresh(self) -> None:
        self.binder.refresh()

    def mark_error(self, path: Path | None, message: str | None) -> bool:
        return self.binder.mark_error(path, message)


class ItemEditor(QWidget):
    """A list of items (workloads or options) above the form of the selected one."""

    key = ""

    def __init__(self, document: ProjectDocument) -> None:
        super().__init__()
        self.document = document
        self.binder: FormBinder | None = None
        self._form_sig: tuple[int, str] | None = None
        self.buttons = QHBoxLayout()
        self.form_holder = QVBoxLayout()
        self.form_holder.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.buttons)
        self.table = self._make_table()
        layout.addWidget(self.table, 1)
        holder = QWidget()
        holder.setLayout(self.form_holder)
        layout.addWidget(_scroll(holder), 3)
        self.pending_error: tuple[Path | None, str | None] = (None, None)

    # subclass hooks
    def _make_table(self) -> QTableWidget:
        raise NotImplementedError

    def _row_cells(self, item: dict[str, Any]) -> Sequence[str]:
        raise NotImplementedError

    def _specs(self, item: dict[str, Any]) -> Sequence[Any]:
        raise NotImplementedError

    def items(self) -> list[dict[str, Any]]:
        return [x for x in self.document.data.get(self.key) or [] if isinstance(x, dict)]

    def current_index(self) -> int:
        return self.table.currentRow()

    def select(self, index: int) -> None:
        self.table.selectRow(index)
        self.table.setCurrentCell(index, 0)
        self._rebuild_form()

    def refresh(self) -> None:
        items = self.items()
        current = self.current_index()
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            for c, text in enumerate(self._row_cells(item)):
                cell = QTableWidgetItem(text)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, cell)
        if items:
            row = min(max(current, 0), len(items) - 1)
            self.table.setCurrentCell(row, 0)
            self.table.selectRow(row)
        self.table.blockSignals(False)
        self._rebuild_form()

    def _rebuild_form(self) -> None:
        items = self.items()
        index = self.current_index()
        if not 0 <= index < len(items):
            sig = None
        else:
            sig = (index, str(items[index].get("kind", "")))
        if sig != self._form_sig:
            self._form_sig = sig
            if self.binder is not None:
                old = self.binder.widget
                old.hide()  # hidden first: unparented while visible, it would flash up as a window of its own
                self.form_holder.removeWidget(old)
                old.setParent(None)
                old.deleteLater()
                self.binder = None
            if sig is not None:
                self.binder = FormBinder(self.document, self._specs(items[index]), (self.key, index))
                self._extend_binder(self.binder)
                self.form_holder.addWidget(self.binder.widget)
        if self.binder is not None:
            self.binder.refresh()
            self.binder.mark_error(*self.pending_error)

    def _extend_binder(self, binder: FormBinder) -> None:
        """Hook: e.g. fill combo boxes with catalog names."""

    def mark_error(self, path: Path | None, message: str | None) -> bool:
        """Mark the error at its field, selecting the item it belongs to."""
        self.pending_error = (path, message)
        if path and len(path) >= 2 and path[0] == self.key and isinstance(path[1], int):
            if path[1] != self.current_index() and path[1] < self.table.rowCount():
                self.select(path[1])
            for r in range(self.table.rowCount()):
                for c in range(self.table.columnCount()):
                    cell = self.table.item(r, c)
                    if cell is not None:
                        cell.setForeground(Qt.GlobalColor.red if r == path[1] else self.palette().text())
            if self.binder is not None:
                return self.binder.mark_error(path, message) or True
            return True
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                cell = self.table.item(r, c)
                if cell is not None:
                    cell.setForeground(self.palette().text())
        if self.binder is not None:
            self.binder.mark_error(None, None)
        return False

    def remove_current(self) -> None:
        index = self.current_index()
        items = self.items()
        if 0 <= index < len(items):
            self.document.remove(self.key, index, f"remove {items[index].get('name', self.key)}")


class WorkloadsEditor(ItemEditor):
    """Workload table (add from templates) and the form of the selected workload."""

    key = "workloads"

    def __init__(self, document: ProjectDocument) -> None:
        super().__init__(document)
        self.model_names: list[str] = []
        self.gpu_names: list[str] = []
        self.add_button = QToolButton()
        self.add_button.setText("Add workload")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for name in WORKLOAD_TEMPLATES:
            action = menu.addAction(name)
            action.setData(name)
        menu.triggered.connect(lambda action: self.add_from_template(str(action.data())))
        self.add_button.setMenu(menu)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        self.buttons.addWidget(self.add_button)
        self.buttons.addWidget(self.remove_button)
        self.buttons.addStretch(1)

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, 5)
        table.setObjectName("workload_table")
        table.setHorizontalHeaderLabels(["Workload", "Method", "Model", "Runs/month", "GPU-h/run"])
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().hide()
        table.currentCellChanged.connect(lambda *_: self._rebuild_form())
        return table

    def _row_cells(self, item: dict[str, Any]) -> Sequence[str]:
        est = item.get("estimate") or {}
        model = item.get("model")
        hours = item.get("gpu_hours_per_run")
        return (
            str(item.get("name", "")),
            str(est.get("method", "—")),
            model if isinstance(model, str) else ("custom" if model else "—"),
            f"{item.get('runs_per_month', 0):g}",
            "estimate" if hours is None else f"{hours:,.0f}",
        )

    def _specs(self, item: dict[str, Any]) -> Sequence[Any]:
        if item.get("estimate") is None:
            return [s for s in WORKLOAD_FIELDS if not s.key.startswith("estimate.")]
        return WORKLOAD_FIELDS

    def _extend_binder(self, binder: FormBinder) -> None:
        binder.field("model").set_choices(self.model_names)
        binder.field("gpu").set_choices(self.gpu_names)

    def set_catalog(self, models: Sequence[str], gpus: Sequence[str]) -> None:
        self.model_names = list(models)
        self.gpu_names = list(gpus)
        if self.binder is not None:
            self._extend_binder(self.binder)
            self.binder.refresh()

    def add_from_template(self, template: str, model: str | None = None, gpu: str | None = None) -> None:
        model = model or (self.model_names[0] if self.model_names else None)
        gpu = gpu or (self.gpu_names[0] if self.gpu_names else None)
        item = workload_from_template(template, model, gpu, len(self.items()) + 1)
        if self.document.append(self.key, item, f"add {template} workload"):
            self.select(len(self.items()) - 1)


class OptionsEditor(ItemEditor):
    """The options compared: from catalog cloud SKUs and servers, or blank cloud/on-prem/k8s/hybrid."""

    key = "options"
    pick_cloud = Signal()
    pick_server = Signal()

    def __init__(self, document: ProjectDocument) -> None:
        super().__init__(document)
        self.add_button = QToolButton()
        self.add_button.setText("Add option")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        menu.addAction("Cloud SKU from the catalog…").triggered.connect(self.pick_cloud.emit)
        menu.addAction("On-premises server from the catalog…").triggered.connect(self.pick_server.emit)
        menu.addSeparator()
        for label in BLANK_OPTIONS:
            action = menu.addAction(label)
            action.setData(label)
        menu.triggered.connect(self._menu_blank)
        self.add_button.setMenu(menu)
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.clicked.connect(self.duplicate_current)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        for w in (self.add_button, self.duplicate_button, self.remove_button):
            self.buttons.addWidget(w)
        self.buttons.addStretch(1)

    def _menu_blank(self, action: Any) -> None:
        label = action.data()
        if label in BLANK_OPTIONS:
            self.add_option(BLANK_OPTIONS[label])

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, 3)
        table.setObjectName("option_table")
        table.setHorizontalHeaderLabels(["Option", "Kind", "Rate / price"])
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().hide()
        table.currentCellChanged.connect(lambda *_: self._rebuild_form())
        return table

    def _row_cells(self, item: dict[str, Any]) -> Sequence[str]:
        kind = str(item.get("kind", ""))
        if kind in ("cloud", "managed_k8s"):
            price = f"{item.get('rate_per_hour', 0):,.2f}/{item.get('rate_unit', '?')}-h"
        elif kind == "onprem":
            price = f"{item.get('servers', 1)} × {item.get('server_price', 0):,.0f}"
        else:
            on = item.get("onprem") or {}
            price = f"≤{on.get('servers', 0)} servers + burst"
        return (str(item.get("name", "")), KIND_LABELS.get(kind, kind), price)

    def _specs(self, item: dict[str, Any]) -> Sequence[Any]:
        return FIELDS_BY_KIND.get(str(item.get("kind", "")), FIELDS_BY_KIND["cloud"])

    def add_option(self, option: dict[str, Any]) -> None:
        item = dict(option)
        item["name"] = self.document.unique_option_name(str(item.get("name") or "Option"))
        if self.document.append(self.key, item, f"add option {item['name']}"):
            self.select(len(self.items()) - 1)

    def add_cloud_sku(self, sku: Any, pricing: str = "on_demand") -> None:
        self.add_option(option_from_cloud_sku(sku, pricing))

    def add_server(self, server: Any) -> None:
        self.add_option(option_from_server(server))

    def duplicate_current(self) -> None:
        index = self.current_index()
        items = self.items()
        if 0 <= index < len(items):
            copy_ = dict(items[index])
            copy_["name"] = f"{copy_.get('name', 'Option')} copy"
            self.add_option(copy_)


class CatalogPicker(QDialog):
    """Pick one catalog row (cloud SKU or server) by typing to filter."""

    def __init__(self, title: str, rows: Sequence[tuple[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.rows = list(rows)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter (all words must appear)")
        self.filter_edit.textChanged.connect(self._filter)
        self.list = QListWidget()
        for label, value in self.rows:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(560, 480)
        if self.rows:
            self.list.setCurrentRow(0)

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        first = -1
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = not all(w in item.text().lower() for w in words)
            item.setHidden(hide)
            if not hide and first < 0:
                first = i
        if first >= 0:
            self.list.setCurrentRow(first)

    def chosen(self) -> Any:
        item = self.list.currentItem()
        return None if item is None or item.isHidden() else item.data(Qt.ItemDataRole.UserRole)
