"""Background lanes: the engine and the database never run on the UI thread.

:class:`ComputeLane` — one per live view. Requests are debounced (150 ms by default, :meth:`flush` to
start at once); each carries an immutable snapshot, a generation number and a
:class:`planner.engine.CancelToken`. Starting a request cancels the one before it; a result whose
generation is not the newest is dropped on the GUI thread (a cancel flag checked only in the worker
leaves a race). Errors are emitted, never swallowed.

:class:`DbLane` — one serial lane for database writes: jobs run one at a time in submission order.

Workers are QRunnables holding a signals QObject by composition; they emit plain data and never touch
widgets. ``shutdown()`` cancels what is pending and waits for the running job.
"""

from __future__ import annotations

import logging
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from planner.engine import Cancelled, CancelToken

log = logging.getLogger(__name__)

ComputeFn = Callable[[Any, CancelToken, Callable[[float], None]], Any]

PRODUCT_PACKAGES = ("planner", "db", "ui")
FILE_ERRORS = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)


def is_user_error(exc: BaseException) -> bool:
    """An ordinary error of the user's input, file or choice, said in a sentence: an exception class the
    product raises on purpose (ProjectError, QuoteImportError, CatalogImportError, ReportError... — any
    class defined in planner/, db/ or ui/) or a missing, existing or forbidden file."""
    if isinstance(exc, FILE_ERRORS):
        return True
    return any(cls.__module__.split(".")[0] in PRODUCT_PACKAGES for cls in type(exc).__mro__)


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log a worker's failure: a user error as its sentence at INFO (no traceback: the UI shows the
    sentence, the console stays quiet), anything else at ERROR with its traceback for the log file."""
    if is_user_error(exc):
        logger.info("%s: %s", what, exc)
    else:
        logger.error("%s: %s", what, exc, exc_info=(type(exc), exc, exc.__traceback__))


@dataclass(frozen=True)
class WorkerError:
    """An exception raised in a worker, as plain data for the GUI thread."""

    generation: int
    message: str
    details: str
    exception: BaseException


class _TaskSignals(QObject):
    finished = Signal(int, object)  # generation, result
    failed = Signal(int, object)  # generation, WorkerError
    cancelled = Signal(int)
    progress = Signal(int, float)


class _ComputeTask(QRunnable):
    """Runs ``fn(snapshot, token, progress)`` on a pool thread and reports through ``signals``."""

    def __init__(self, fn: ComputeFn, snapshot: Any, generation: int, token: CancelToken) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.snapshot = snapshot
        self.generation = generation
        self.token = token
        self.signals = _TaskSignals()
        self._last_progress = -1.0

    def _progress(self, fraction: float) -> None:
        # Coalesce: at most ~50 progress signals per task.
        if fraction >= 1.0 or fraction - self._last_progress >= 0.02:
            self._last_progress = fraction
            self.signals.progress.emit(self.generation, float(fraction))

    def run(self) -> None:
        if self.token.cancelled:
            self.signals.cancelled.emit(self.generation)
            return
        try:
            result = self.fn(self.snapshot, self.token, self._progress)
        except Cancelled:
            self.signals.cancelled.emit(self.generation)
        except Exception as exc:  # reported on the GUI thread, never lost
            details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            self.signals.failed.emit(
                self.generation, WorkerError(self.generation, str(exc) or repr(exc), details, exc)
            )
        else:
            self.signals.finished.emit(self.generation, result)


class ComputeLane(QObject):
    """A single-thread compute lane for one live view: debounced, newest request wins.

    ``result_ready(generation, result)`` fires only for the newest generation; ``failed(WorkerError)``
    likewise. ``progress(fraction)`` reports the newest task's progress; ``busy_changed(bool)`` when the lane
    starts or stops having work. ``stats`` counts started/completed/dropped/cancelled tasks (tests, status).
    """

    result_ready = Signal(int, object)
    failed = Signal(object)
    progress = Signal(float)
    busy_changed = Signal(bool)

    def __init__(self, fn: ComputeFn, *, debounce_ms: int = 150, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start_pending)
        self._generation = 0
        self._pending: tuple[int, Any] | None = None
        self._tasks: dict[int, _ComputeTask] = {}
        self._closed = False
        self._busy = False
        self.stats = {"requested": 0, "started": 0, "completed": 0, "dropped": 0, "cancelled": 0, "failed": 0}

    # ---- requests --------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """The newest generation handed out."""
        return self._generation

    def request(self, snapshot: Any) -> int:
        """Queue ``snapshot`` (immutable!) for computation after the debounce; returns its generation."""
        if self._closed:
            return self._generation
        self._generation += 1
        self.stats["requested"] += 1
        self._pending = (self._generation, snapshot)
        self._cancel_running()
        self._timer.start()
        self._set_busy(True)
        return self._generation

    def flush(self) -> None:
        """Start the pending request now instead of after the debounce (tests, "compute now")."""
        if self._timer.isActive():
            self._timer.stop()
            self._start_pending()

    def cancel(self) -> None:
        """Cancel the pending and the running request (the last result stays valid)."""
        self._timer.stop()
        self._pending = None
        self._generation += 1  # anything still in flight is now stale
        self._cancel_running()
        self._update_busy()

    def is_idle(self) -> bool:
        """No pending and no running task."""
        return self._pending is None and not self._tasks

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the running task; True if the pool drained in time."""
        self._closed = True
        self.cancel()
        self._pool.clear()
        done = bool(self._pool.waitForDone(timeout_ms))
        return done

    # ---- internals ------------------------------------------------------------------------------
    def _cancel_running(self) -> None:
        for task in self._tasks.values():
            task.token.cancel()

    def _start_pending(self) -> None:
        if self._pending is None or self._closed:
            return
        generation, snapshot = self._pending
        self._pending = None
        task = _ComputeTask(self._fn, snapshot, generation, CancelToken())
        task.signals.finished.connect(self._on_finished)
        task.signals.failed.connect(self._on_failed)
        task.signals.cancelled.connect(self._on_cancelled)
        task.signals.progress.connect(self._on_progress)
        self._tasks[generation] = task
        self.stats["started"] += 1
        self._pool.start(task)

    def _retire(self, generation: int) -> bool:
        """Forget the task; True when its result is the newest one (to be applied)."""
        self._tasks.pop(generation, None)
        current = generation == self._generation and self._pending is None
        self._update_busy()
        return current

    def _on_finished(self, generation: int, result: Any) -> None:
        if self._retire(generation):
            self.stats["completed"] += 1
            self.result_ready.emit(generation, result)
        else:
            self.stats["dropped"] += 1

    def _on_failed(self, generation: int, error: WorkerError) -> None:
        if self._retire(generation):
            self.stats["failed"] += 1
            log_failure(log, f"compute failed (generation {generation})", error.exception)
            self.failed.emit(error)
        else:
            self.stats["dropped"] += 1

    def _on_cancelled(self, generation: int) -> None:
        self._retire(generation)
        self.stats["cancelled"] += 1

    def _on_progress(self, generation: int, fraction: float) -> None:
        if generation == self._generation:
            self.progress.emit(fraction)

    def _update_busy(self) -> None:
        self._set_busy(not self.is_idle())

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)


class _JobSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _DbJob(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.signals = _JobSignals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # reported on the GUI thread, never lost
            details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            self.signals.failed.emit(WorkerError(0, str(exc) or repr(exc), details, exc))
        else:
            self.signals.done.emit(result)


class DbLane(QObject):
    """Database jobs one at a time, in submission order, on a private single-thread pool.

    ``submit(work, on_done, on_error)``: ``work()`` runs on the lane; the callbacks run on the GUI thread.
    ``idle`` fires when the queue drains.
    """

    idle = Signal()
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._queue: deque[
            tuple[Callable[[], Any], Callable[[Any], None] | None, Callable[[WorkerError], None] | None]
        ] = deque()
        self._running: _DbJob | None = None
        self._callbacks: tuple[Callable[[Any], None] | None, Callable[[WorkerError], None] | None] = (
            None,
            None,
        )
        self._closed = False
        self._scheduled = False

    def submit(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[WorkerError], None] | None = None,
    ) -> None:
        if self._closed:
            return
        self._queue.append((work, on_done, on_error))
        if self._running is None and not self._scheduled:
            # Start from the event loop, never inside the caller: a page built in one synchronous block
            # (many signal connections) then never runs beside a worker thread. PySide6 6.12 was seen to
            # deadlock here when a pool thread ran Python while the GUI thread was connecting signals.
            self._scheduled = True
            QTimer.singleShot(0, self, self._kick)

    def _kick(self) -> None:
        self._scheduled = False
        if self._running is None:
            self._start_next()

    def busy(self) -> bool:
        return self._running is not None or bool(self._queue)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Drop queued jobs, wait for the running one (a write in progress completes; its transaction is one)."""
        self._closed = True
        self._queue.clear()
        return bool(self._pool.waitForDone(timeout_ms))

    def _start_next(self) -> None:
        if not self._queue or self._closed:
            self._running = None
            self.idle.emit()
            return
        work, on_done, on_error = self._queue.popleft()
        self._callbacks = (on_done, on_error)
        job = _DbJob(work)
        job.signals.done.connect(self._finished)
        job.signals.failed.connect(self._failed)
        self._running = job
        self._pool.start(job)

    def _finished(self, result: Any) -> None:
        on_done = self._callbacks[0]
        try:
            if on_done is not None:
                on_done(result)
        finally:
            self._start_next()

    def _failed(self, error: WorkerError) -> None:
        on_error = self._callbacks[1]
        try:
            log_failure(log, "database job failed", error.exception)
            if on_error is not None:
                on_error(error)
            else:
                self.failed.emit(error)
        finally:
            self._start_next()
