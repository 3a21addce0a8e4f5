"""The real app in a process of its own, for the kill tests (tests/ui/test_autosave_kill.py).

``python -m tests.ui.app_process MODE`` opens the main window (offscreen) on the data directory of the
environment, waits for the catalog, then acts as a user would and prints one line per step, flushed, so the
test knows what happened before it sends SIGKILL:

- ``type``: opens a sample and types into the Client field without pause, one edit every 0.4 s
  (``edit N MONOTONIC_SECONDS``), until killed.
- ``restore``: clicks Restore on the first recovered project (``restored CLIENT``), then idles until killed.
- ``two``: two windows, each with its own sample and an edit (``edited WINDOW CLIENT``), then idles.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPushButton

from ui.app import create_application
from ui.main_window import MainWindow

EDIT_EVERY_MS = 400


def say(*words: object) -> None:
    print(*words, flush=True)


def type_edit(page: Any, text: str) -> None:
    """Type ``text`` at the end of the Client field and press Return (one committed edit)."""
    widget = page.project_form.binder.field("client").widget
    assert isinstance(widget, QLineEdit)
    widget.setFocus()
    widget.end(False)
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def when_ready(page: Any, then: Any) -> None:
    def poll() -> None:
        if page._catalog_ready and not page.io.busy():
            then()
        else:
            QTimer.singleShot(50, poll)

    poll()


def main(mode: str) -> int:
    app = create_application([sys.argv[0]])
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    window.show_page("Projects")
    page: Any = window.pages["Projects"]
    keep: list[Any] = [window]

    def typing() -> None:
        page.open_sample("research_spot")
        page.project_form.binder.field("client").set_text("typed")
        say("ready")
        count = [0]

        def one() -> None:
            count[0] += 1
            type_edit(page, f" {count[0]}")
            say("edit", count[0], f"{time.monotonic():.3f}")

        timer = QTimer(window)
        timer.setInterval(EDIT_EVERY_MS)
        timer.timeout.connect(one)
        timer.start()
        keep.append(timer)

    def restoring() -> None:
        say("offered", len(window.recovery_bar.items()))
        rows = window.recovery_bar.rows
        if rows:
            button = rows[0][1].findChild(QPushButton, "restore_button")
            assert button is not None
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        say("restored", page.document.data.get("client"), f"{time.monotonic():.3f}")

    def two() -> None:
        second = MainWindow(recover=False)
        second.show()
        keep.append(second)
        page2: Any = second.pages["Projects"]
        second.show_page("Projects")

        def edit_both() -> None:
            for name, p, sample in (("first", page, "research_spot"), ("second", page2, "healthcare_phi")):
                p.open_sample(sample)
                p.project_form.binder.field("client").set_text(f"client of the {name} window")
                p.autosave_now()

            def both_written() -> None:
                if page.autosave_slot.exists() and page2.autosave_slot.exists():
                    for name, p in (("first", page), ("second", page2)):
                        say("edited", name, p.document.data["client"])
                else:
                    QTimer.singleShot(50, both_written)

            both_written()

        when_ready(page2, edit_both)

    actions = {"type": typing, "restore": restoring, "two": two}
    when_ready(page, actions[mode])
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
