"""What every part of the PDF code shares: one error type and atomic file writes."""

from __future__ import annotations

from pathlib import Path

from planner import files


class ReportError(Exception):
    """A proposal could not be built, signed, verified or written; the message names the file and why."""


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename, so a
    failure never leaves a partial file (nor replaces a good one)."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ReportError(f"{path}: the folder {directory} does not exist")
    try:
        files.write_atomic(path, data, mode=mode)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write in {directory} ({exc.strerror or exc})") from None
