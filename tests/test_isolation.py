"""The suite never touches the real home directory, and its guard would notice if it did."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs

from db.paths import APP_AUTHOR, APP_NAME, config_dir, data_dir, log_dir
from tests.conftest import REAL_HOME, SANDBOX_HOME, app_entries, home_writes, qt_settings_in


def _inside(path: Path, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(root.resolve())


def test_every_user_path_is_inside_the_tests_own_directories(tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtCore import QSettings, QStandardPaths

    home = Path(os.environ["HOME"])
    assert home != REAL_HOME and not _inside(home, REAL_HOME)
    paths = [
        data_dir(),
        log_dir(),
        config_dir(),
        Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)),
        Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)),
        Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)),
    ]
    qt_settings_in(tmp_path / "qsettings")
    settings = QSettings()
    settings.setValue("isolation/probe", 1)
    settings.sync()
    paths.append(Path(settings.fileName()))
    for path in paths:
        assert _inside(path, home) or _inside(path, tmp_path), path
        assert not _inside(path, REAL_HOME), path
    assert Path(settings.fileName()).is_file()


def test_the_home_guard_reports_a_write_into_a_home(tmp_path: Path) -> None:
    """The session-end check over the real home (tests/conftest.py) is this function: shown to fail here."""
    fake_home = tmp_path / "someone"
    (fake_home / ".config").mkdir(parents=True)
    (fake_home / ".config" / "unrelated.conf").write_text("x")
    before = app_entries(fake_home)
    assert home_writes(before, fake_home) == []
    target = fake_home / ".local" / "share" / APP_NAME / "catalog.sqlite3"
    target.parent.mkdir(parents=True)
    target.write_text("written by a careless test")
    assert target in home_writes(before, fake_home)
    (fake_home / ".config" / "ComputePlannerTests.conf").write_text("[General]\n")
    assert fake_home / ".config" / "ComputePlannerTests.conf" in home_writes(before, fake_home)


def test_the_session_sandbox_is_not_the_real_home() -> None:
    assert SANDBOX_HOME != REAL_HOME and SANDBOX_HOME.is_dir()
