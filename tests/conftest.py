"""Shared fixtures.

Before anything else runs: Qt is told it has no screen, and HOME and the XDG directories point into a
throw-away sandbox, so no test can reach the developer's real configuration, catalog or logs. Each test
then gets its own data directory and, for windows, its own QSettings directory under ``tmp_path``; the
session fails if anything of the app's appeared in the real home directory (:func:`home_writes`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REAL_HOME = Path(os.environ.get("HOME") or Path.home())
SANDBOX_HOME = Path(tempfile.mkdtemp(prefix="planner-tests-home-"))
XDG_DIRS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_CACHE_HOME": ".cache",
    "XDG_STATE_HOME": ".local/state",
}


def _point_home_at(home: Path) -> None:
    os.environ["HOME"] = str(home)
    for var, sub in XDG_DIRS.items():
        os.environ[var] = str(home / sub)


_point_home_at(SANDBOX_HOME)

# The offscreen screen is a 1366×768 laptop's (Qt's default is 800×600): windows open as they would on the
# smallest screen the app is laid out for. tests/ui/test_layout.py sets other geometries explicitly.
TEST_SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "dpr": 1}
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    _screen_file = SANDBOX_HOME / "offscreen-screens.json"
    _screen_file.write_text(json.dumps({"screens": [TEST_SCREEN]}), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen_file}"

ARTIFACTS = Path(__file__).parent / "artifacts"
# Names under which the app (platformdirs, QSettings organisation/application) could write per-user files.
APP_DIR_NAMES = ("ComputePlanner", "ComputePlannerTests", "Compute Planner", "compute-planner")


def app_entries(home: Path) -> dict[Path, float]:
    """Every file or folder of the app's in ``home``'s per-user directories, with its modification time."""
    found: dict[Path, float] = {}
    for sub in (".", *XDG_DIRS.values()):
        base = home / sub
        if not base.is_dir():
            continue
        for name in APP_DIR_NAMES:
            root = base / name
            for path in [root, *(root.rglob("*") if root.is_dir() else ())]:
                if path.exists():
                    found[path] = path.stat().st_mtime
            ini = base / f"{name}.conf"
            if ini.exists():
                found[ini] = ini.stat().st_mtime
    return found


def home_writes(before: dict[Path, float], home: Path) -> list[Path]:
    """The app's entries in ``home`` that are new or changed since ``before`` (see :func:`app_entries`)."""
    after = app_entries(home)
    return sorted(p for p, mtime in after.items() if before.get(p) != mtime)


_REAL_HOME_BEFORE = app_entries(REAL_HOME)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    written = home_writes(_REAL_HOME_BEFORE, REAL_HOME)
    if written:
        listing = "\n  ".join(str(p) for p in written)
        sys.stderr.write(
            f"\nSomething wrote the app's files into the real home directory {REAL_HOME}:\n  {listing}\n"
        )
        # In CI (.ci/run sets CI=1) nothing else runs on the machine, so it was this suite: fail. On a shared
        # developer machine another process (an older checkout's tests, the app itself) may have written it.
        if os.environ.get("CI"):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            exitstatus = int(pytest.ExitCode.TESTS_FAILED)
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without interpreter teardown once pytest has printed its summary and settled its exit status.

    PySide6 6.12 + pyqtgraph occasionally abort in CPython's final garbage collection ("Fatal Python
    error: none_dealloc" / "bool_dealloc", seen in about 1 of 10 GUI runs, after every test had passed).
    The suite proves that no window, dialog or worker thread outlives its test (``main_window``'s
    teardown checks, tests/test_isolation.py), so what is left is PySide's own wrapper teardown order;
    the suite exits with pytest's own status before it.
    """
    status = config.stash.get(_EXIT_STATUS, None)
    if status is not None and "PySide6" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


_EXIT_STATUS = pytest.StashKey[int]()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own home and data directory: never the developer's real catalog or settings."""
    home = tmp_path_factory.mktemp("home")
    for var in ("HOME", *XDG_DIRS):
        monkeypatch.setenv(var, os.environ[var])  # restored after the test
    _point_home_at(home)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(home / "planner-data"))
    monkeypatch.delenv("PLANNER_DB", raising=False)
    monkeypatch.delenv("PLANNER_LOG_DIR", raising=False)


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def pinned_today() -> Iterator[object]:
    """The wall clock stands at tests.dates.NOW (and ticks on): fixtures dated relative to it keep their
    meaning however far ahead the machine's clock is (``make test`` runs the suite two years ahead)."""
    import time_machine

    from tests.dates import NOW

    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def qt_settings_in(path: Path) -> None:
    """QSettings of this process read and write files under ``path`` (both formats, user scope)."""
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("ComputePlannerTests")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(path))
    QSettings().clear()


@pytest.fixture
def main_window(qtbot: object, tmp_path: Path) -> Iterator[object]:
    """The real MainWindow on a temporary database and settings directory.

    Teardown shuts the workers down and checks, as napari's ``make_napari_viewer`` does, that no worker
    thread is still running and no window or dialog of the test is left open.
    """
    from PySide6.QtWidgets import QApplication

    qt_settings_in(tmp_path / "qsettings")
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    yield window
    window.shutdown_workers()
    window.close()
    assert window.thread_pool.activeThreadCount() == 0, "a worker thread outlived the window"
    QApplication.processEvents()
    left_open = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for widget in left_open:
        widget.close()
    assert not left_open, f"windows left open by the test: {[type(w).__name__ for w in left_open]}"
