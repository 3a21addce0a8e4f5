"""Autosave of the project being edited, so that after a crash or a kill the app can offer the edits back.

One JSON file in the user data directory, written atomically (temp file + rename): the project dict, where it
was saved (database id / file) and when. It is removed when the project is saved, discarded or closed clean.
No Qt here: the page calls it from its serial I/O lane.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from db.paths import data_dir
from planner import clock
from planner.files import write_atomic

AUTOSAVE_NAME = "autosave-project.json"
AUTOSAVE_FORMAT = 1


class AutosaveStore:
    """Read/write/clear the single autosave file (``directory`` defaults to the user data directory)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or data_dir()) / AUTOSAVE_NAME

    def write(self, data: dict[str, Any], *, project_id: int | None, file_path: str | None) -> None:
        payload = {
            "autosave_format": AUTOSAVE_FORMAT,
            "saved_at": clock.now().isoformat(timespec="seconds"),
            "project_id": project_id,
            "file_path": file_path,
            "project": data,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(payload, ensure_ascii=False))

    def read(self) -> dict[str, Any] | None:
        """The autosaved payload, or None when there is none or it is unreadable (then it is set aside)."""
        try:
            payload = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self.path.replace(self.path.with_name(self.path.name + ".broken"))
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("project"), dict):
            return None
        return payload

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
