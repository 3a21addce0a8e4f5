"""Layout helpers: the window's first size on the screen it opens on, and splitters that keep their sizes."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtWidgets import QSplitter

SCREEN_SHARE = 0.9
"""The window opens on this share of the screen's available area (both ways)..."""
LARGEST_START = QSize(1600, 1000)
"""...but never larger than this on a big screen."""


def initial_geometry(available: QRect) -> QRect:
    """The window's first geometry on a screen whose available area (without task bars) is ``available``:
    90% of it each way, capped at :data:`LARGEST_START`, centred."""
    width = min(int(available.width() * SCREEN_SHARE), LARGEST_START.width())
    height = min(int(available.height() * SCREEN_SHARE), LARGEST_START.height())
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Restore ``splitter``'s sizes saved under ``key`` (QSettings) and save them whenever the user moves it.

    A state that does not restore (another number of panes) leaves the sizes the code set."""
    state = QSettings().value(key)
    if state is not None:
        splitter.restoreState(state)
    splitter.setObjectName(splitter.objectName() or key.replace("/", "_"))
    splitter.splitterMoved.connect(lambda *_: QSettings().setValue(key, splitter.saveState()))
