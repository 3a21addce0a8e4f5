"""Proposal versions: each project (by name and client) keeps the id of its last exported document and a
version number in ``<data dir>/proposals.json``. Exporting different content for the same project gives the
next version; exporting the same content again gives the same id and version (it is the same document).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from db.paths import data_dir
from ui.report.files import write_atomic

REGISTRY_NAME = "proposals.json"


def registry_path() -> Path:
    return data_dir() / REGISTRY_NAME


def project_key(name: str, client: str) -> str:
    return hashlib.sha256(f"{name}\x00{client}".encode()).hexdigest()[:16]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # an unreadable registry restarts the numbering; it never blocks an export
    return data if isinstance(data, dict) else {}


def version_for(key: str, content_id: str, path: Path | None = None) -> int:
    """The version a document with ``content_id`` of project ``key`` gets (nothing is recorded yet)."""
    entry = _read(path or registry_path()).get(key) or {}
    last = int(entry.get("version", 0))
    if entry.get("content_id") == content_id and last:
        return last
    return last + 1


def record(key: str, content_id: str, version: int, doc_id: str, path: Path | None = None) -> None:
    """Remember the document just written (after the file is safely on disk)."""
    target = path or registry_path()
    data = _read(target)
    data[key] = {"version": version, "content_id": content_id, "doc_id": doc_id}
    write_atomic(target, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"), mode=0o600)
