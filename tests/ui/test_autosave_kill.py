"""Crash recovery with a real kill: the app runs in its own process (tests/ui/app_process.py), is killed with
SIGKILL, and the next start — the real main window in this process — offers the edits back.

- typing without pause for 20 s: every edit older than the autosave interval (5 s) comes back;
- restore, then killed again right after: the restored edits are offered again (Restore keeps the autosave);
- two windows, killed: both windows' edits are offered, each on its own.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from tests.conftest import qt_settings_in
from tests.ui.projects_helpers import projects_page, settle
from ui.autosave import AUTOSAVE_INTERVAL_S
from ui.main_window import MainWindow
from ui.pages.projects import read_sample

pytestmark = [
    pytest.mark.gui,
    pytest.mark.slow,
    # Wall-clock seconds of typing, not dates: run once, in the first pass of scripts/test.sh.
    pytest.mark.skipif("FAKETIME" in os.environ, reason="runs once, not again under faketime"),
]
ROOT = Path(__file__).resolve().parents[2]
TYPING_S = 20.0
START_TIMEOUT_S = 180.0
WRITE_ALLOWANCE_S = 0.5  # the write itself (JSON + fsync on the I/O lane) after the interval has elapsed


class AppProcess:
    """``python -m tests.ui.app_process MODE`` with its stdout read line by line on a thread."""

    def __init__(self, mode: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.app_process", mode],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def expect(self, word: str, timeout: float = START_TIMEOUT_S) -> list[str]:
        """The next line starting with ``word``, split in words (fails if the process ends or is silent)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"the app process printed no {word!r} line in {timeout:.0f} s")
            if line.split(" ", 1)[0] == word:
                return line.split(" ")

    def kill(self) -> float:
        """SIGKILL (no cleanup of any kind runs); the monotonic time it was sent."""
        at = time.monotonic()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        return at

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill()


@pytest.fixture
def windows(qtbot: Any, tmp_path: Path) -> Iterator[list[MainWindow]]:
    """Windows the test opens after the kill (the "next start"); closed and checked as main_window does."""
    qt_settings_in(tmp_path / "qsettings")
    opened: list[MainWindow] = []
    yield opened
    for window in opened + [w for o in opened for w in o.spawned]:
        window.shutdown_workers()
        window.close()
        assert window.thread_pool.activeThreadCount() == 0
    QApplication.processEvents()
    left_open = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for widget in left_open:
        widget.close()
    assert not left_open, f"windows left open: {[type(w).__name__ for w in left_open]}"


def next_start(windows: list[MainWindow], qtbot: Any) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    windows.append(window)
    window.resize(1366, 768)
    window.show()
    return window


def click_restore(window: MainWindow, row: int = 0) -> None:
    button = window.recovery_bar.rows[row][1].findChild(QPushButton, "restore_button")
    assert button is not None
    button.click()


def typed_numbers(client: str) -> list[int]:
    words = client.split()
    assert words[0] == "typed", client
    return [int(w) for w in words[1:]]


def test_steady_typing_is_recovered_after_sigkill(
    windows: list[MainWindow], qtbot: Any, artifacts_dir: Path
) -> None:
    app = AppProcess("type")
    try:
        app.expect("ready")
        edits: dict[int, float] = {}
        first = None
        while first is None or time.monotonic() - first < TYPING_S:
            _, n, at = app.expect("edit", timeout=30)
            edits[int(n)] = float(at)
            first = first if first is not None else float(at)
        killed_at = app.kill()
    finally:
        app.stop()

    window = next_start(windows, qtbot)
    # Offered at start, above whichever view is shown (the window opens on the Catalog).
    assert window.stack.currentWidget() is window.pages["Catalog"]
    assert window.recovery_bar.isVisibleTo(window)
    [text] = window.recovery_bar.texts()
    assert f"Unsaved edits to “{read_sample('research_spot')['name']}” from " in text
    window.grab().save(str(artifacts_dir / "recovery_after_kill_1366x768.png"))
    page = projects_page(window, qtbot)
    click_restore(window)
    recovered = typed_numbers(page.document.data["client"])
    typed = sorted(edits)
    assert recovered == typed[: len(recovered)], "the autosave holds a prefix of the edits, in order"
    older = [n for n, at in edits.items() if at <= killed_at - AUTOSAVE_INTERVAL_S - WRITE_ALLOWANCE_S]
    assert len(older) >= 30  # 20 s of typing, one edit every 0.4 s
    assert set(older) <= set(recovered), (max(older), max(recovered))
    newest_age = killed_at - edits[max(recovered)]
    print(
        f"typed {len(typed)} edits in {edits[typed[-1]] - edits[typed[0]]:.1f} s; recovered {len(recovered)}; "
        f"the newest recovered edit was {newest_age:.2f} s old at the kill (interval {AUTOSAVE_INTERVAL_S:g} s)"
    )
    assert newest_age <= AUTOSAVE_INTERVAL_S + WRITE_ALLOWANCE_S + 0.4
    assert page.document.is_dirty() and window.isWindowModified()
    settle(page, qtbot)
    assert page.last_error() is None


def test_restore_then_kill_loses_nothing(windows: list[MainWindow], qtbot: Any) -> None:
    app = AppProcess("type")
    try:
        app.expect("ready")
        app.expect("edit", timeout=30)
        time.sleep(AUTOSAVE_INTERVAL_S + 1.5)
        app.kill()
    finally:
        app.stop()
    # Second run: Restore, then killed right after.
    again = AppProcess("restore")
    try:
        assert again.expect("offered")[1] == "1"
        restored = again.expect("restored")
        client = " ".join(restored[1:-1])
        assert typed_numbers(client)
        again.kill()
    finally:
        again.stop()
    # Third start: the restored edits are offered again, intact.
    window = next_start(windows, qtbot)
    assert len(window.recovery_bar.items()) == 1
    page = projects_page(window, qtbot)
    click_restore(window)
    assert page.document.data["client"] == client
    # Saving the restored project is what ends its autosave.
    slot = page.autosave_slot.path
    assert slot.exists()
    with qtbot.waitSignal(page.saved, timeout=60_000):
        page.save()
    assert not slot.exists() and not window.isWindowModified()


def test_two_windows_each_recovered_after_kill(
    windows: list[MainWindow], qtbot: Any, artifacts_dir: Path
) -> None:
    app = AppProcess("two")
    try:
        first = " ".join(app.expect("edited")[2:])
        second = " ".join(app.expect("edited")[2:])
        app.kill()
    finally:
        app.stop()
    assert first != second
    window = next_start(windows, qtbot)
    texts = window.recovery_bar.texts()
    assert len(texts) == 2, texts
    window.grab().save(str(artifacts_dir / "recovery_two_windows_1366x768.png"))
    page = projects_page(window, qtbot)
    click_restore(window, 0)
    click_restore(window, 0)  # the second row, now first; this window has unsaved work: a new window opens
    assert not window.recovery_bar.isVisibleTo(window)
    [other] = window.spawned
    other_page = other.pages["Projects"]
    clients = {page.document.data["client"], other_page.document.data["client"]}  # type: ignore[attr-defined]
    assert clients == {first, second}
    assert page.autosave_slot.path != other_page.autosave_slot.path  # type: ignore[attr-defined]
