"""The numpy engine: GPU memory and time per workload; cost, TCO, break-even, sensitivity, Monte Carlo.

Long-running engine functions take ``cancel: CancelToken | None`` and ``progress: Progress | None`` and
check the token every few tens of milliseconds of work, raising :class:`Cancelled`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Progress = Callable[[float], None]
"""Called with the fraction done, 0.0..1.0."""


class Cancelled(Exception):
    """Raised by an engine function whose cancel token was set."""


class CancelToken:
    """A thread-safe flag set by the caller (e.g. the UI) to stop a computation early."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def check(cancel: CancelToken | None) -> None:
    """Raise :class:`Cancelled` when ``cancel`` is set; no-op for ``None``."""
    if cancel is not None:
        cancel.raise_if_cancelled()
