"""The one durable write: whole file or old file, owner-only by default, nothing left behind on failure."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from planner.files import SHARED, atomic_path, write_atomic


def test_write_is_private_by_default_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    target.write_text("old")
    write_atomic(target, "new é")
    assert target.read_text(encoding="utf-8") == "new é"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(target, b"x", mode=SHARED)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


def test_failed_writer_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer died")
    assert target.read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomic(tmp_path / "nope" / "x.json", "{}")
