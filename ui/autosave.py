"""Autosave of the project each window edits, so that after a crash or a kill the app offers the edits back.

Every window has its own slot in ``<data dir>/autosave/``: ``<id>.json`` (the project dict, where it was saved
— database id / file — and when), written atomically with fsync (:func:`planner.files.write_atomic`), and
``<id>.lock``, a :class:`QLockFile` the window holds while it lives. A slot whose lock nobody holds (its process
was killed or crashed: the lock is stale) and that still has a ``.json`` is recoverable; the next start claims
its lock, so one slot is offered by one window only. A restored slot is adopted by the window that restored it
and kept until the project is saved or discarded: a second crash right after Restore still loses nothing.

The file work (write/read/clear) is plain Python, called from the page's serial I/O lane; only the lock is Qt.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile

from db.paths import data_dir
from planner import clock
from planner.files import write_atomic

AUTOSAVE_DIR = "autosave"
LEGACY_NAME = "autosave-project.json"  # the single shared file of earlier versions, still offered once
AUTOSAVE_FORMAT = 1
AUTOSAVE_INTERVAL_S = 5.0
"""Unsaved edits reach the autosave at most this many seconds after the first one, however fast typing goes."""


def autosave_dir(directory: Path | None = None) -> Path:
    return directory or (data_dir() / AUTOSAVE_DIR)


def _lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age: a window may live for days
    return lock


class AutosaveSlot:
    """One window's autosave file and the lock that marks it as in use."""

    def __init__(self, directory: Path | None = None, slot_id: str | None = None) -> None:
        self.directory = autosave_dir(directory)
        self.slot_id = slot_id or uuid.uuid4().hex
        self.path = self.directory / f"{self.slot_id}.json"
        self._lock: QLockFile | None = None

    # ---- the lock ----------------------------------------------------------------------------------
    def claim(self) -> bool:
        """Hold this slot's lock (False when a live window of this or another process holds it)."""
        if self._lock is not None:
            return True
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = _lock(self.directory / f"{self.slot_id}.lock")
        if not lock.tryLock(0):
            return False
        self._lock = lock
        return True

    def release(self) -> None:
        """Let go of the slot (its ``.json``, if any, becomes recoverable by the next start)."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # ---- the file ------------------------------------------------------------------------------------
    def write(self, data: dict[str, Any], *, project_id: int | None, file_path: str | None) -> None:
        payload = {
            "autosave_format": AUTOSAVE_FORMAT,
            "saved_at": clock.now().isoformat(timespec="seconds"),
            "project_id": project_id,
            "file_path": file_path,
            "project": data,
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(payload, ensure_ascii=False))

    def read(self) -> dict[str, Any] | None:
        return read_payload(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def read_payload(path: Path) -> dict[str, Any] | None:
    """The autosaved payload, or None when there is none or it is unreadable (then it is set aside)."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        path.replace(path.with_name(path.name + ".broken"))
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("project"), dict):
        return None
    return payload


@dataclass
class Recoverable:
    """Unsaved edits left by a window that did not close: its slot (lock held by us) and what it holds."""

    slot: AutosaveSlot
    payload: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.payload["project"].get("name") or "an untitled project")

    @property
    def saved_at(self) -> str:
        """When it was written, in local time to the minute ("an earlier session" if unknown)."""
        try:
            when = datetime.fromisoformat(str(self.payload.get("saved_at")))
        except ValueError:
            return "an earlier session"
        return when.astimezone().strftime("%Y-%m-%d %H:%M")


def claim_recoverable(directory: Path | None = None) -> list[Recoverable]:
    """Every slot left with unsaved edits by a window that is gone, oldest first; their locks are now held."""
    folder = autosave_dir(directory)
    _adopt_legacy(folder)
    if not folder.is_dir():
        return []
    found: list[Recoverable] = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        slot = AutosaveSlot(folder, path.stem)
        if not slot.claim():
            continue  # a live window's slot
        payload = slot.read()
        if payload is None:
            slot.release()
            continue
        found.append(Recoverable(slot, payload))
    for lock in folder.glob("*.lock"):  # left by killed windows that had nothing unsaved
        if not lock.with_suffix(".json").exists():
            slot = AutosaveSlot(folder, lock.stem)
            if slot.claim():
                slot.release()  # unlocking removes the stale lock file
    return found


def _adopt_legacy(folder: Path) -> None:
    """Move the one shared autosave of earlier versions into a slot of its own (offered like any other)."""
    legacy = folder.parent / LEGACY_NAME
    if legacy.exists():
        folder.mkdir(parents=True, exist_ok=True)
        legacy.replace(folder / f"{uuid.uuid4().hex}.json")
