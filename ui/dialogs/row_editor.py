"""Add, edit or duplicate one catalog row; every field is checked by the catalog's own import rules.

Validation reuses ``db.io.parse_rows`` (the parser that reads shipped CSVs and user imports), so a
value accepted here is exactly one the catalog would accept from a file, units included ("80GB").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from db.io import parse_rows
from db.schema import SPECS
from db.schema import Column as SpecColumn
from ui.models.columns import COLUMNS, TABLE_TITLES

ERROR_STYLE = "color: #b00020;"
INVALID_FIELD_STYLE = "border: 1px solid #b00020;"


def value_text(value: Any) -> str:
    """A field value as the text a user would type (and the catalog parser reads back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class RowEditorDialog(QDialog):
    """A form for one row of ``table``; ``value()`` is the validated domain value (origin "user")."""

    def __init__(
        self,
        table: str,
        initial: Any = None,
        *,
        known_gpus: Iterable[str] = (),
        locked: Iterable[str] = (),
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.spec = SPECS[table]
        self.known_gpus = sorted(set(known_gpus))
        self._value: Any = None
        self.editors: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.setWindowTitle(title or f"New row — {TABLE_TITLES[table]}")
        self._build(initial, set(locked))

    # ---- construction -------------------------------------------------------------------------
    def _fields(self) -> list[SpecColumn]:
        return [c for c in self.spec.columns if c.name not in self.spec.extra]

    def _build(self, initial: Any, locked: set[str]) -> None:
        headers = {c.key: c for c in COLUMNS[self.table]}
        form_host = QWidget()
        form = QFormLayout(form_host)
        for col in self._fields():
            editor = self._editor_for(col)
            if initial is not None:
                self._set_text(editor, value_text(getattr(initial, col.name, None)))
            editor.setEnabled(col.name not in locked)
            shown = headers.get(col.name)
            label = QLabel((shown.label if shown else col.name.replace("_", " ").capitalize()) + ":")
            tip = (shown.tip if shown and shown.tip else "") + ("" if col.required else " (optional)")
            label.setToolTip(tip.strip())
            editor.setToolTip(tip.strip())
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(editor)
            box.addWidget(error)
            form.addRow(label, box)
            self.editors[col.name] = editor
            self.error_labels[col.name] = error
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        self.summary = QLabel()
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(520, 640)

    def _editor_for(self, col: SpecColumn) -> QWidget:
        if col.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(col.choices))
            return combo
        if col.kind == "gpu":
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItems(self.known_gpus)
            return combo
        if col.kind == "bool":
            return QCheckBox()
        edit = QLineEdit()
        edit.setPlaceholderText(self._placeholder(col))
        return edit

    @staticmethod
    def _placeholder(col: SpecColumn) -> str:
        hints = {"date": "YYYY-MM-DD", "url": "https://…", "currency": "3-letter code"}
        hint = hints.get(col.kind, "")
        if col.units:
            hint = "number; units: " + ", ".join(sorted(col.units, key=len)[:3])
        return hint + ("" if col.required else " (optional)")

    # ---- reading and writing fields -----------------------------------------------------------
    @staticmethod
    def _set_text(editor: QWidget, text: str) -> None:
        if isinstance(editor, QComboBox):
            index = editor.findText(text)
            if index >= 0:
                editor.setCurrentIndex(index)
            elif editor.isEditable():
                editor.setEditText(text)
        elif isinstance(editor, QCheckBox):
            editor.setChecked(text == "true")
        elif isinstance(editor, QLineEdit):
            editor.setText(text)

    @staticmethod
    def _text(editor: QWidget) -> str:
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QCheckBox):
            return "true" if editor.isChecked() else "false"
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def set_field(self, name: str, text: str) -> None:
        """Type ``text`` into the field ``name`` (a column name of the catalog file)."""
        self._set_text(self.editors[name], text)

    def field_text(self, name: str) -> str:
        return self._text(self.editors[name])

    # ---- validation ---------------------------------------------------------------------------
    def validate(self) -> dict[str, str]:
        """Check every field; mark bad ones with their reason. Returns {field: reason} (empty if valid)."""
        header = self.spec.header
        cells = [self._text(self.editors[name]) if name in self.editors else "" for name in header]
        parsed, errors = parse_rows(self.spec, header, [(1, cells)], known_gpus=self.known_gpus)
        problems: dict[str, str] = {}
        for err in errors:
            for name in err.column.split("+"):
                problems.setdefault(name, err.reason)
        for name, label in self.error_labels.items():
            reason = problems.get(name)
            label.setText(reason or "")
            label.setVisible(reason is not None)
            self.editors[name].setStyleSheet(INVALID_FIELD_STYLE if reason else "")
        self.summary.setText(f"{len(problems)} field(s) to fix." if problems else "")
        self.summary.setVisible(bool(problems))
        if not problems:
            self._value = self.spec.to_domain({**parsed[0], "origin": "user"})
        return problems

    def error_text(self, name: str) -> str:
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    def value(self) -> Any:
        """The validated domain value (None until the dialog validated successfully)."""
        return self._value

    def accept(self) -> None:
        if not self.validate():
            super().accept()
