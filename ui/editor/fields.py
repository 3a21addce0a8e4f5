"""Form fields bound to paths of the project dict, with inline error marking.

A field commits its value to the :class:`ProjectDocument` (one undoable edit) when editing finishes. Text
that is not a number is marked at once and never reaches the document; a number the project format rejects
(out of range, missing, inconsistent) is stored, and the project-level error is shown at the field by
:meth:`FormBinder.mark_error` while the last valid result stays on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from db.textnum import AmbiguousNumberError, TextNumberError, format_user_number, parse_user_number
from ui.editor.document import Path, ProjectDocument

ERROR_STYLE = "border: 2px solid #d93025; background: #fdecea;"


@dataclass(frozen=True)
class FieldSpec:
    """One form field. ``kind``: text | float | int | optfloat | optint | bool | choice | combo (editable
    choice) | flags (several checkboxes, stored as a list). ``key`` is a dotted path below the form's base."""

    key: str
    label: str
    kind: str = "float"
    tip: str = ""
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    default: Any = None  # what the project format assumes when the key is absent (shown, not written)
    hint: str = ""
    """Shown under the field while it is empty: the sourced default the analysis uses then, and its source."""

    @property
    def rel_path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


class BoundField:
    """A widget for one FieldSpec plus its inline error label."""

    def __init__(self, spec: FieldSpec, path: Path, binder: FormBinder) -> None:
        self.spec = spec
        self.path = path
        self.binder = binder
        self.error_label = QLabel()
        self.error_label.setObjectName("field_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d93025; font-size: 11px;")
        self.error_label.hide()
        self.hint_label = QLabel(spec.hint)
        self.hint_label.setObjectName("field_hint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: #6b6b6b; font-size: 11px;")
        self.hint_label.setVisible(bool(spec.hint))
        self.local_error: str | None = None
        self.project_error: str | None = None
        self.widget = self._make()
        self.widget.setObjectName("field:" + ".".join(map(str, path)))
        if spec.tip:
            self.widget.setToolTip(spec.tip)

    # ---- widgets -----------------------------------------------------------------------------
    def _make(self) -> QWidget:
        kind = self.spec.kind
        if kind == "bool":
            box = QCheckBox()
            box.clicked.connect(self.commit)
            return box
        if kind in ("choice", "combo"):
            combo = QComboBox()
            combo.setEditable(kind == "combo")
            combo.addItems(list(self.spec.choices))
            if kind == "combo":
                combo.lineEdit().editingFinished.connect(self.commit)  # type: ignore[union-attr]
                combo.activated.connect(self.commit)
            else:
                combo.activated.connect(self.commit)
            return combo
        if kind == "flags":
            holder = QWidget()
            grid = QGridLayout(holder)
            grid.setContentsMargins(0, 0, 0, 0)
            self.flag_boxes: dict[str, QCheckBox] = {}
            for i, choice in enumerate(self.spec.choices):
                box = QCheckBox(choice.replace("_", " "))
                box.setObjectName("flag:" + choice)
                box.clicked.connect(self.commit)
                self.flag_boxes[choice] = box
                grid.addWidget(box, i // 2, i % 2)
            return holder
        edit = QLineEdit()
        edit.setPlaceholderText(self.spec.placeholder)
        edit.editingFinished.connect(self.commit)
        return edit

    def set_choices(self, choices: Sequence[str]) -> None:
        if isinstance(self.widget, QComboBox):
            current = self.widget.currentText()
            self.widget.blockSignals(True)
            self.widget.clear()
            self.widget.addItems(list(choices))
            self.widget.setCurrentText(current)
            self.widget.blockSignals(False)

    # ---- document <-> widget ----------------------------------------------------------------
    def show_value(self, value: Any) -> None:
        w = self.widget
        self.hint_label.setVisible(bool(self.spec.hint) and value is None)
        if value is None and self.spec.kind in ("bool", "choice"):
            value = self.spec.default
        w.blockSignals(True)
        try:
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox) and not w.isEditable():
                w.setCurrentIndex(w.findText(str(value)) if value is not None else -1)
            elif isinstance(w, QComboBox):
                w.setCurrentText("" if value is None else str(value))
            elif self.spec.kind == "flags":
                chosen = set(value or [])
                for name, box in self.flag_boxes.items():
                    box.setChecked(name in chosen)
            elif isinstance(w, QLineEdit) and self.local_error is None:
                w.setText(_format(value))
        finally:
            w.blockSignals(False)

    def read(self) -> tuple[bool, Any]:
        """(ok, value) from the widget; not ok when the text cannot be a value of this kind."""
        kind = self.spec.kind
        w = self.widget
        if isinstance(w, QCheckBox):
            return True, w.isChecked()
        if isinstance(w, QComboBox):
            text = w.currentText().strip()
            return True, (text or None)
        if kind == "flags":
            return True, [n for n, b in self.flag_boxes.items() if b.isChecked()]
        assert isinstance(w, QLineEdit)
        text = w.text().strip()
        if kind == "text":
            return True, text
        if not text:
            return True, None  # the format's default
        try:
            number = float(parse_user_number(text, input_locale()))
        except AmbiguousNumberError as exc:
            return False, str(exc)
        except TextNumberError:
            noun = "a number" if kind in ("float", "optfloat") else "a whole number"
            return False, f"must be {noun} (got {text!r})"
        if kind in ("int", "optint") and number.is_integer():
            return True, int(number)
        return True, number

    def commit(self) -> None:
        ok, value = self.read()
        if not ok:
            self.local_error = str(value)
            self._paint()
            return
        self.local_error = None
        self._paint()
        self.binder.document.set_value(self.path, value, self.spec.label)

    def text(self) -> str:
        w = self.widget
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QComboBox):
            return w.currentText()
        return ""

    def set_text(self, text: str) -> None:
        """Type ``text`` into the field and finish editing (what a user does; used by tests too)."""
        w = self.widget
        if isinstance(w, QLineEdit):
            w.setText(text)
        elif isinstance(w, QComboBox):
            w.setCurrentText(text)
        self.commit()

    # ---- errors ----------------------------------------------------------------------------
    def error(self) -> str | None:
        return self.local_error or self.project_error

    def _paint(self) -> None:
        message = self.error()
        self.widget.setStyleSheet(ERROR_STYLE if message else "")
        self.widget.setToolTip(message or self.spec.tip)
        self.error_label.setText(f"⚠ {message}" if message else "")
        self.error_label.setVisible(bool(message))


def input_locale() -> str:
    """The locale numbers are typed and shown in: Qt's default locale (the system's unless the app set
    one from the user's preference with ``QLocale.setDefault``), e.g. "de_DE"."""
    return QLocale().name()


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | int):
        return format_user_number(value, input_locale())
    return str(value)


class FormBinder:
    """Fields for a list of specs under ``base`` path; refresh from the document; mark errors by path."""

    def __init__(self, document: ProjectDocument, specs: Sequence[FieldSpec], base: Path = ()) -> None:
        self.document = document
        self.base = base
        self.widget = QWidget()
        self.form = QFormLayout(self.widget)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[Path, BoundField] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: FieldSpec) -> BoundField:
        path = self.base + spec.rel_path
        field = BoundField(spec, path, self)
        cell = QWidget()
        col = QVBoxLayout(cell)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(field.widget)
        col.addWidget(field.hint_label)
        col.addWidget(field.error_label)
        label = QLabel(spec.label)
        if spec.tip:
            label.setToolTip(spec.tip)
        self.form.addRow(label, cell)
        self.fields[path] = field
        return field

    def add_heading(self, text: str) -> None:
        self.form.addRow(QLabel(f"<b>{text}</b>"))

    def field(self, key: str) -> BoundField:
        return self.fields[self.base + tuple(key.split("."))]

    def refresh(self) -> None:
        for path, field in self.fields.items():
            field.show_value(self.document.value(path))

    def mark_error(self, path: Path | None, message: str | None) -> bool:
        """Show ``message`` at the field at ``path`` (clearing other project errors); True if found here."""
        found = False
        for fpath, field in self.fields.items():
            hit = path is not None and message is not None and _matches(fpath, path)
            new = message if hit else None
            found = found or hit
            if field.project_error != new:
                field.project_error = new
                field._paint()
        return found

    def errors(self) -> dict[Path, str]:
        return {p: e for p, f in self.fields.items() if (e := f.error())}


def _matches(field_path: Path, error_path: Path) -> bool:
    """An error at ``a.b`` marks field ``a.b``; an error at ``a.b`` (an object) marks field ``a.b.c`` only when
    no exact field exists — callers pass the exact path; prefix matching handles object-level keys."""
    return field_path == error_path or (
        len(error_path) < len(field_path)
        and field_path[: len(error_path)] == error_path
        and len(error_path) > 2
    )
