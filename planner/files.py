"""Durable, atomic file writes: the one way the product puts a file on disk.

Every file the user keeps (a project, an autosave, a proposal, an export, a key) is written to a temporary
file beside its target, flushed to the disk (``fsync``), given its permissions and then renamed over the
target; the folder is fsynced too so that the rename itself survives a power cut. A crash at any moment
leaves either the old file or the new one, never half of one. Files holding user data default to 0600
(readable by the owner only).

Errors are the ``OSError`` of the step that failed; callers turn them into their own one-sentence error.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE = 0o600
"""Owner read/write only: projects, autosaves, the catalog, signing keys."""
SHARED = 0o644
"""Readable by others: documents meant to be handed out (a proposal PDF, an export)."""


def _fsync_dir(directory: Path) -> None:
    # A directory fsync makes the rename durable; not every platform can open a directory (Windows).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int = PRIVATE) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for a writer that needs a file name (openpyxl, reportlab);
    on a clean exit the file is fsynced, given ``mode`` and renamed over ``path``; on an error it is removed
    and ``path`` is untouched."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=directory)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(directory)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, mode: int = PRIVATE) -> None:
    """Write ``data`` (text is UTF-8 encoded) to ``path`` atomically and durably, with permissions ``mode``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, mode=mode) as tmp, open(tmp, "wb") as fh:
        fh.write(payload)
