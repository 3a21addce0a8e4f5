"""CatalogTableModel: one catalog table (domain values) with its own fast filter and sort.

Filtering and sorting live in the model rather than a QSortFilterProxyModel: a proxy calls Python once
per row per keystroke, while here a filter term is one pass of substring tests over a precomputed,
lower-cased search string per row (the shown text of every column, see ui.models.prepared) or over one
column's cached keys, and a sort is one ``sorted`` over cached per-column keys. The filter language is
ui.models.filter_query; text terms only match columns the view shows (``set_hidden_columns``).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from planner.catalog import Gpu
from ui.models.columns import COLUMNS, TABLES, Column, format_value, is_numeric
from ui.models.filter_query import SEP, CompareTerm, Field, FieldKind, Query, TextTerm, narrows, parse_query
from ui.models.prepared import PreparedRows, prepare_rows, raw_value

AnyIndex = QModelIndex | QPersistentModelIndex
RAW_ROLE = Qt.ItemDataRole.UserRole + 1
"""data() role returning the raw (unformatted) value of a cell."""
STALE_ROLE = Qt.ItemDataRole.UserRole + 2
"""data() role returning True when the row is stale."""
STALE_BACKGROUND = QColor(255, 236, 200)
_INVALID = QModelIndex()
_ALIGN_NUMBER = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_TEXT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}


def field_kind(col: Column) -> FieldKind:
    if col.kind == "pct":
        return "percent"
    if is_numeric(col.kind):
        return "number"
    return "date" if col.kind == "date" else "text"


class CatalogTableModel(QAbstractTableModel):
    """A catalog table of frozen planner.catalog values, filterable and sortable by any column."""

    filter_applied = Signal(int, int)  # visible rows, total rows

    def __init__(
        self,
        table: str,
        values: Iterable[Any] = (),
        gpus: Mapping[str, Gpu] | None = None,
        today: dt.date | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        if table not in TABLES:
            raise ValueError(f"unknown catalog table {table!r}; expected one of {', '.join(TABLES)}")
        self.table = table
        self.columns: tuple[Column, ...] = COLUMNS[table]
        self._today = today
        self._gpus: Mapping[str, Gpu] = gpus or {}
        self._stale_icon: QIcon | None = None
        self._query = Query()
        self._hidden: frozenset[int] = frozenset()
        self._header_words: dict[str, list[int]] = {}
        for i, col in enumerate(self.columns):
            for word in col.label.lower().split():
                self._header_words.setdefault(word, []).append(i)
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._load(list(values))

    # ---- data loading -------------------------------------------------------------------------
    def set_values(self, values: Iterable[Any] | PreparedRows, gpus: Mapping[str, Gpu] | None = None) -> None:
        """Replace every row (keeps the current filter and sort); ``values`` may come prepared off-thread."""
        self.beginResetModel()
        if gpus is not None:
            self._gpus = gpus
        self._load(values)
        self.endResetModel()
        self.filter_applied.emit(len(self._visible), len(self._values))

    def _load(self, values: Iterable[Any] | PreparedRows) -> None:
        if not isinstance(values, PreparedRows) or values.table != self.table:
            values = prepare_rows(
                self.table,
                values if not isinstance(values, PreparedRows) else values.values,
                self._today,
                self._gpus,
            )
        self._values = values.values
        self._stale = values.stale
        self._search = values.search
        self._position: dict[Any, int] = {}
        self._raw_cache: dict[int, list[Any]] = {}
        self._text_cache: dict[int, list[str]] = {}
        self._sort_keys: dict[int, list[Any]] = {}
        self._cell_cache: dict[int, list[str]] = {}
        self._order = self._sorted_order()
        self._visible = self._filtered(self._order)

    # ---- public accessors ---------------------------------------------------------------------
    def value_at(self, row: int) -> Any:
        """The domain value shown at visible ``row``."""
        return self._values[self._visible[row]]

    def values(self) -> list[Any]:
        """Every value, in load order (unfiltered)."""
        return list(self._values)

    def visible_values(self) -> list[Any]:
        return [self._values[i] for i in self._visible]

    def row_of(self, value: Any) -> int:
        """Visible row of ``value``, or -1 when filtered out or absent."""
        if not self._position and self._values:
            self._position = {v: i for i, v in enumerate(self._values)}
        source = self._position.get(value)
        if source is None:
            return -1
        try:
            return self._visible.index(source)
        except ValueError:
            return -1

    def visible_stale_count(self) -> int:
        stale = self._stale
        return sum(1 for i in self._visible if stale[i])

    def is_stale_row(self, row: int) -> bool:
        return self._stale[self._visible[row]]

    def total_count(self) -> int:
        return len(self._values)

    def column_index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return i
        raise KeyError(f"{self.table} has no column {key!r}")

    def raw(self, row: int, column: int) -> Any:
        return self._raw_row(self._visible[row])[column]

    def display(self, row: int, column: int) -> str:
        return self._text_row(self._visible[row])[column]

    def gpu_lookup(self) -> Mapping[str, Gpu]:
        return self._gpus

    # ---- filtering ----------------------------------------------------------------------------
    def fields(self) -> list[Field]:
        """The columns as the filter language sees them (hidden ones named but not searchable)."""
        return [
            Field(i, c.key, c.label, field_kind(c), i not in self._hidden) for i, c in enumerate(self.columns)
        ]

    def parse(self, text: str, column: int | None = None) -> Query:
        """``text`` read as a query on this table (raises FilterError with one sentence)."""
        fields = self.fields()
        return parse_query(text, fields, None if column is None else fields[column])

    def set_filter_text(self, text: str) -> None:
        """Show only the rows matching ``text`` (see ui.models.filter_query); raises FilterError."""
        self.set_query(self.parse(text))

    def set_query(self, query: Query) -> None:
        if query == self._query:
            return
        narrowing = narrows(query, self._query) and not any(
            isinstance(t, TextTerm) and t.column is None and t.phrase in self._header_words
            for t in query.terms
        )
        self.beginResetModel()
        self._query = query
        self._visible = self._filtered(self._visible if narrowing else self._order)
        self.endResetModel()
        self.filter_applied.emit(len(self._visible), len(self._values))

    def query(self) -> Query:
        return self._query

    def set_hidden_columns(self, hidden: Iterable[int]) -> None:
        """Columns the view hides: text terms no longer find what only they show."""
        hidden = frozenset(hidden)
        if hidden == self._hidden:
            return
        self._hidden = hidden
        if any(isinstance(t, TextTerm) and t.column is None for t in self._query.terms):
            self.beginResetModel()
            self._visible = self._filtered(self._order)
            self.endResetModel()
            self.filter_applied.emit(len(self._visible), len(self._values))

    def _filtered(self, order: Sequence[int]) -> list[int]:
        rows = list(order)
        for term in self._query.terms:
            if not rows:
                break
            rows = self._match(term, rows)
        return rows

    def _match(self, term: TextTerm | CompareTerm, rows: list[int]) -> list[int]:
        if isinstance(term, TextTerm):
            phrase = term.phrase
            if term.column is None:
                search = self._search
                hits = [i for i in rows if phrase in search[i]]
                if self._hidden:
                    hits = [i for i in hits if self._visible_hit(search[i], phrase)]
                named = [c for c in self._header_words.get(phrase, ()) if c not in self._hidden]
                if named:  # a word of a shown header: rows with a value in that column too
                    found = set(hits)
                    for c in named:
                        texts = self._cell_texts(c)
                        found.update([i for i in rows if texts[i]])
                    hits = [i for i in rows if i in found]
            else:
                texts = self._cell_texts(term.column)
                hits = [i for i in rows if phrase in texts[i]]
        else:
            test = _OPS[term.op]
            value = term.value
            if term.kind == "text":
                texts = self._cell_texts(term.column)
                hits = [i for i in rows if test(texts[i], value)]
            elif term.kind == "date":
                keys = self._keys_for(term.column)
                n = len(str(value))
                hits = [i for i in rows if (k := keys[i]) is not None and test(k[:n], value)]
            else:
                keys = self._keys_for(term.column)
                hits = [i for i in rows if (k := keys[i]) is not None and test(k, value)]
        if not term.negate:
            return hits
        hit = set(hits)
        return [i for i in rows if i not in hit]

    def _visible_hit(self, search: str, phrase: str) -> bool:
        """True when ``phrase`` occurs in a shown column of the row's search string."""
        hidden = self._hidden
        pos = search.find(phrase)
        while pos >= 0:
            if search.count(SEP, 0, pos) not in hidden:
                return True
            pos = search.find(phrase, pos + 1)
        return False

    def _cell_texts(self, column: int) -> list[str]:
        """Lower-cased shown text of ``column`` for every row (load order), cached."""
        cached = self._cell_cache.get(column)
        if cached is None:
            cached = [s.split(SEP, column + 1)[column] for s in self._search]
            self._cell_cache[column] = cached
        return cached

    # ---- export -------------------------------------------------------------------------------
    def shown_snapshot(self) -> tuple[list[Any], list[bool]]:
        """The shown rows' values and stale flags, in view order (cheap: cells are computed later)."""
        stale = self._stale
        return [self._values[i] for i in self._visible], [stale[i] for i in self._visible]

    # ---- sorting ------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self._visible[p.row()] for p in persistent]
        self._sort = (column, order)
        self._order = self._sorted_order()
        self._visible = self._filtered(self._order)
        position = {source: row for row, source in enumerate(self._visible)}
        self.changePersistentIndexList(
            persistent,
            [self.index(position[s], p.column()) for s, p in zip(sources, persistent, strict=True)],
        )
        self.layoutChanged.emit()

    def _sorted_order(self) -> list[int]:
        count = len(self._values)
        if self._sort is None:
            return list(range(count))
        column, order = self._sort
        keys = self._keys_for(column)
        descending = order == Qt.SortOrder.DescendingOrder
        present = [i for i in range(count) if keys[i] is not None]
        missing = [i for i in range(count) if keys[i] is None]
        present.sort(key=keys.__getitem__, reverse=descending)
        return present + missing  # blanks last either way

    def _keys_for(self, column: int) -> list[Any]:
        cached = self._sort_keys.get(column)
        if cached is not None:
            return cached
        col = self.columns[column]
        raw = [self._raw_value(v, i, col) for i, v in enumerate(self._values)]
        if is_numeric(col.kind):
            keys: list[Any] = [None if r is None else float(r) for r in raw]
        elif col.kind == "date":
            keys = [None if r is None else r.isoformat() for r in raw]
        else:
            keys = [None if r is None or r == "" else str(r).lower() for r in raw]
        self._sort_keys[column] = keys
        return keys

    # ---- cell values --------------------------------------------------------------------------
    def _raw_value(self, value: Any, source: int, col: Column) -> Any:
        return raw_value(col, value, self._stale[source], self._gpus)

    def _raw_row(self, source: int) -> list[Any]:
        row = self._raw_cache.get(source)
        if row is None:
            value = self._values[source]
            row = [self._raw_value(value, source, col) for col in self.columns]
            self._raw_cache[source] = row
        return row

    def _text_row(self, source: int) -> list[str]:
        row = self._text_cache.get(source)
        if row is None:
            raw = self._raw_row(source)
            row = [format_value(col.kind, r) for col, r in zip(self.columns, raw, strict=True)]
            self._text_cache[source] = row
        return row

    def _tooltip(self, source: int) -> str:
        value = self._values[source]
        url = getattr(value, "source_url", "") or "(no source recorded)"
        as_of = getattr(value, "as_of", None)
        lines = [f"Source: {url}", f"As of: {as_of.isoformat() if as_of else 'unknown'}"]
        if self._stale[source]:
            lines.append("Stale: older than 12 months, check the source before quoting it")
        if getattr(value, "origin", "") == "shipped":
            lines.append("Shipped row (read-only): duplicate to edit")
        return "\n".join(lines)

    def _stale_decoration(self) -> QIcon:
        if self._stale_icon is None:
            style = QApplication.style()
            self._stale_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._stale_icon

    # ---- QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = _INVALID) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: AnyIndex = _INVALID) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._visible) and 0 <= column < len(self.columns)):
            return None
        source = self._visible[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text_row(source)[column]
        if role == RAW_ROLE:
            return self._raw_row(source)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(source)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(STALE_BACKGROUND) if self._stale[source] else None
        if role == Qt.ItemDataRole.DecorationRole:
            key = self.columns[column].key
            return self._stale_decoration() if key == "stale" and self._stale[source] else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_NUMBER if is_numeric(self.columns[column].kind) else _ALIGN_TEXT
        if role == STALE_ROLE:
            return self._stale[source]
        return None

    def headerData(  # noqa: N802 (Qt override)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole:
            formula = f"Derived: {col.tip}" if col.derived else col.tip
            return formula or col.header
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS
