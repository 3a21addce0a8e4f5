"""The project being edited: a JSON-like dict (the project file's own format) behind a QUndoStack.

Every edit is a command holding the dict before and after (projects are a few kB), so undo/redo restore
exact snapshots. The dict may be invalid while the user types; :meth:`ProjectDocument.validate` parses it
into a frozen :class:`planner.project.Project` or returns the :class:`ProjectError` naming the field.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from planner.project import PROJECT_FORMAT_VERSION, Project, ProjectError, parse_project

Path = tuple[str | int, ...]
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def new_project_data(name: str = "Untitled project") -> dict[str, Any]:
    """A fresh project dict: no workloads, no options yet (the editor asks for one)."""
    return {
        "version": PROJECT_FORMAT_VERSION,
        "name": name,
        "currency": "USD",
        "horizon_months": 36,
        "hours_per_month": 730.0,
        "discount_rate_annual": 0.0,
        "electricity_per_kwh": 0.0,
        "pue": 1.0,
        "workloads": [],
        "options": [],
    }


def get_path(data: Any, path: Path, default: Any = None) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def set_path(data: Any, path: Path, value: Any) -> None:
    """Set ``value`` at ``path`` (creating objects on the way); ``None`` removes the key (format default)."""
    node = data
    for part in path[:-1]:
        if isinstance(part, int):
            node = node[part]
        else:
            nxt = node.get(part)
            if not isinstance(nxt, dict | list):
                nxt = {}
                node[part] = nxt
            node = nxt
    last = path[-1]
    if value is None and isinstance(node, dict):
        node.pop(last, None)
    else:
        node[last] = value


def error_path(error: ProjectError, data: dict[str, Any]) -> Path:
    """The dict path a ProjectError points at (its dotted ``key`` inside its ``option``, if any)."""
    parts: list[str | int] = []
    if error.option is not None:
        for i, opt in enumerate(data.get("options") or []):
            if isinstance(opt, dict) and opt.get("name") == error.option:
                parts += ["options", i]
                break
    for name, index in _TOKEN.findall(error.key):
        parts.append(int(index) if index else name)
    return tuple(parts)


class SnapshotCommand(QUndoCommand):
    """One edit: the whole project dict before and after."""

    def __init__(
        self, document: ProjectDocument, text: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.document._replace(copy.deepcopy(self.after), self.text())

    def undo(self) -> None:
        self.document._replace(copy.deepcopy(self.before), "undo " + self.text())


class ProjectDocument(QObject):
    """The edited project dict, its undo stack and where it is saved (database id and/or file)."""

    changed = Signal(str)  # what changed, in words
    loaded = Signal()

    def __init__(self, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.data: dict[str, Any] = new_project_data()
        self.project_id: int | None = None
        self.file_path: str | None = None
        self.is_open = False

    # ---- whole documents --------------------------------------------------------------------
    def load(
        self, data: dict[str, Any], *, project_id: int | None = None, file_path: str | None = None
    ) -> None:
        """Replace the document (new/open/import): the undo history starts afresh."""
        self.stack.clear()
        self.data = copy.deepcopy(data)
        self.project_id = project_id
        self.file_path = file_path
        self.is_open = True
        self.stack.setClean()
        self.loaded.emit()
        self.changed.emit("load")

    def _replace(self, data: dict[str, Any], what: str) -> None:
        self.data = data
        self.changed.emit(what)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "Untitled project")

    def is_dirty(self) -> bool:
        return not self.stack.isClean()

    # ---- edits (each one undoable) -----------------------------------------------------------------
    def edit(self, text: str, mutate: Callable[[dict[str, Any]], None]) -> bool:
        """Apply ``mutate`` to a copy of the dict and push it as one undoable command; False if unchanged."""
        before = copy.deepcopy(self.data)
        after = copy.deepcopy(self.data)
        mutate(after)
        if after == before:
            return False
        self.stack.push(SnapshotCommand(self, text, before, after))
        return True

    def set_value(self, path: Path, value: Any, label: str | None = None) -> bool:
        if get_path(self.data, path) == value:
            return False
        return self.edit(f"set {label or '.'.join(map(str, path))}", lambda d: set_path(d, path, value))

    def value(self, path: Path, default: Any = None) -> Any:
        return get_path(self.data, path, default)

    def append(self, key: str, item: dict[str, Any], text: str) -> bool:
        return self.edit(text, lambda d: d.setdefault(key, []).append(copy.deepcopy(item)))

    def remove(self, key: str, index: int, text: str) -> bool:
        def drop(d: dict[str, Any]) -> None:
            items = d.get(key) or []
            if 0 <= index < len(items):
                items.pop(index)

        return self.edit(text, drop)

    # ---- validation -----------------------------------------------------------------------------
    def validate(self) -> tuple[Project | None, ProjectError | None]:
        """Parse the dict: the frozen Project, or the error naming the field at fault."""
        try:
            return parse_project(self.data), None
        except ProjectError as exc:
            return None, exc

    def unique_option_name(self, base: str) -> str:
        names = {o.get("name") for o in self.data.get("options") or [] if isinstance(o, dict)}
        if base not in names:
            return base
        n = 2
        while f"{base} ({n})" in names:
            n += 1
        return f"{base} ({n})"
