"""A table header with a filter box under each column (the Catalog view's per-column filter row).

The boxes are children of the header, placed in a strip the header keeps free under its sections
(``setViewportMargins``), and follow the sections when they are resized, moved, hidden or scrolled.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLineEdit, QWidget

_PAD = 4


class FilterHeader(QHeaderView):
    """Horizontal header whose sections each carry a QLineEdit; ``filters_changed`` on any edit."""

    filters_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.editors: list[QLineEdit] = []
        self.sectionResized.connect(self.position_editors)
        self.sectionMoved.connect(self.position_editors)

    def set_columns(self, names: Sequence[str], tips: Sequence[str]) -> None:
        """One filter box per column; ``names`` for the accessible name, ``tips`` for the tooltips."""
        for editor in self.editors:
            editor.deleteLater()
        self.editors = []
        for name, tip in zip(names, tips, strict=True):
            editor = QLineEdit(self)
            editor.setObjectName("column_filter")
            editor.setPlaceholderText("filter")
            editor.setAccessibleName(f"Filter {name}")
            editor.setToolTip(tip)
            editor.setClearButtonEnabled(True)
            editor.textChanged.connect(self.filters_changed)
            self.editors.append(editor)
        self.updateGeometries()

    def filter_texts(self) -> list[tuple[int, str]]:
        """(logical column, text) of every non-empty box of a shown column."""
        return [
            (column, editor.text())
            for column, editor in enumerate(self.editors)
            if editor.text().strip() and not self.isSectionHidden(column)
        ]

    def clear_filters(self) -> None:
        for editor in self.editors:
            editor.blockSignals(True)
            editor.clear()
            editor.blockSignals(False)
        self.filters_changed.emit()

    def _strip(self) -> int:
        return self.editors[0].sizeHint().height() + _PAD if self.editors else 0

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        size = super().sizeHint()
        size.setHeight(size.height() + self._strip())
        return size

    def updateGeometries(self) -> None:  # noqa: N802 (Qt override)
        strip = self._strip()
        if self.viewportMargins().bottom() != strip:
            self.setViewportMargins(0, 0, 0, strip)
        super().updateGeometries()
        self.position_editors()

    def position_editors(self, *_args: object) -> None:
        if not self.editors:
            return
        height = self.editors[0].sizeHint().height()
        top = self.height() - height - _PAD // 2
        for column, editor in enumerate(self.editors):
            if self.isSectionHidden(column) or column >= self.count():
                editor.hide()
                continue
            x = self.sectionViewportPosition(column)
            editor.setGeometry(x + 1, top, max(self.sectionSize(column) - 2, 0), height)
            editor.show()
