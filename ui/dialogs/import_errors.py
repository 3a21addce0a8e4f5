"""Lists every problem of a rejected import: row (line in the file), column, reason."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class CellProblem(Protocol):
    row: int
    column: str
    reason: str


class ImportErrorsDialog(QDialog):
    """Shows why a file was rejected; says plainly that nothing was written."""

    def __init__(
        self, path: str | Path, errors: Sequence[CellProblem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.errors = list(errors)
        self.setWindowTitle("Import rejected")
        summary = QLabel(
            f"<b>{Path(path).name}</b> was not imported: {len(self.errors)} problem(s) found. "
            "Nothing was written to the catalog. Fix the cells below and import the file again."
        )
        summary.setWordWrap(True)
        self.table = QTableWidget(len(self.errors), 3)
        self.table.setHorizontalHeaderLabels(["Row", "Column", "Reason"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for i, err in enumerate(self.errors):
            for j, text in enumerate((str(err.row), err.column, err.reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, j, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy list", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(720, 360)

    def as_text(self) -> str:
        lines = ["row\tcolumn\treason"] + [f"{e.row}\t{e.column}\t{e.reason}" for e in self.errors]
        return "\n".join(lines)

    def copy_to_clipboard(self) -> None:
        QApplication.clipboard().setText(self.as_text())
