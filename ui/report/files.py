"""What every part of the PDF code shares: one error type and atomic file writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class ReportError(Exception):
    """A proposal could not be built, signed, verified or written; the message names the file and why."""


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename, so a
    failure never leaves a partial file (nor replaces a good one)."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ReportError(f"{path}: the folder {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write in {directory} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"{path}: cannot write here ({exc.strerror})") from None
