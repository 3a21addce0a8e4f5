"""ComputeLane and DbLane: newest request wins, stale results dropped, bursts coalesced, errors surfaced."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from planner.engine import CancelToken, check
from ui.workers import ComputeLane, DbLane, WorkerError


class Recorder:
    """A compute function that records its calls; it can be held at a gate to simulate a slow job."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.ignore_cancel = False

    def __call__(self, snapshot: Any, token: CancelToken, progress: Any) -> Any:
        self.calls.append(snapshot)
        self.entered.set()
        self.gate.wait(10)
        progress(1.0)
        if not self.ignore_cancel:
            check(token)
        return ("result", snapshot)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def lane(qtbot: Any, recorder: Recorder) -> Iterator[ComputeLane]:
    lane = ComputeLane(recorder, debounce_ms=150)
    yield lane
    recorder.gate.set()
    assert lane.shutdown(5000)


def test_burst_of_requests_computes_only_the_last(qtbot: Any, lane: ComputeLane, recorder: Recorder) -> None:
    results: list[Any] = []
    lane.result_ready.connect(lambda gen, res: results.append((gen, res)))
    with qtbot.waitSignal(lane.result_ready, timeout=5000):
        for i in range(25):
            lane.request({"edit": i})
    assert recorder.calls == [{"edit": 24}]
    assert results == [(25, ("result", {"edit": 24}))]
    assert lane.stats["started"] == 1
    qtbot.waitUntil(lane.is_idle)


def test_superseded_result_is_dropped_on_the_gui_thread(
    qtbot: Any, lane: ComputeLane, recorder: Recorder
) -> None:
    recorder.gate.clear()
    recorder.ignore_cancel = True  # the old job finishes anyway: only the generation check can drop it
    results: list[Any] = []
    lane.result_ready.connect(lambda gen, res: results.append(res))
    first = lane.request("old")
    lane.flush()
    assert recorder.entered.wait(5)
    second = lane.request("new")
    lane.flush()
    assert second == first + 1
    with qtbot.waitSignal(lane.result_ready, timeout=5000) as blocker:
        recorder.gate.set()
    assert blocker.args == [second, ("result", "new")]
    assert results == [("result", "new")]
    assert recorder.calls == ["old", "new"]
    assert lane.stats["dropped"] == 1
    qtbot.waitUntil(lane.is_idle)


def test_cancel_token_stops_a_superseded_job(qtbot: Any, lane: ComputeLane, recorder: Recorder) -> None:
    recorder.gate.clear()
    lane.request("old")
    lane.flush()
    assert recorder.entered.wait(5)
    lane.request("new")
    lane.flush()
    with qtbot.waitSignal(lane.result_ready, timeout=5000):
        recorder.gate.set()
    qtbot.waitUntil(lane.is_idle)
    assert lane.stats["cancelled"] == 1
    assert lane.stats["dropped"] == 0


def test_errors_are_emitted_not_swallowed(qtbot: Any) -> None:
    def boom(snapshot: Any, token: CancelToken, progress: Any) -> Any:
        raise ValueError(f"bad input {snapshot}")

    lane = ComputeLane(boom, debounce_ms=10)
    try:
        with qtbot.waitSignal(lane.failed, timeout=5000) as blocker:
            lane.request(7)
        error = blocker.args[0]
        assert isinstance(error, WorkerError)
        assert error.message == "bad input 7"
        assert "ValueError" in error.details
    finally:
        assert lane.shutdown(5000)


def test_flush_starts_at_once_and_busy_reports(qtbot: Any, lane: ComputeLane) -> None:
    states: list[bool] = []
    lane.busy_changed.connect(states.append)
    with qtbot.waitSignal(lane.result_ready, timeout=1000):
        lane.request(1)
        lane.flush()
    qtbot.waitUntil(lane.is_idle)
    assert states == [True, False]


def test_shutdown_cancels_pending_and_waits(qtbot: Any, recorder: Recorder) -> None:
    lane = ComputeLane(recorder, debounce_ms=10_000)
    lane.request("never")
    assert lane.shutdown(5000)
    assert recorder.calls == []
    lane.request("after close")  # ignored
    assert recorder.calls == []


def test_db_lane_runs_jobs_in_order_and_reports_errors(qtbot: Any) -> None:
    lane = DbLane()
    order: list[str] = []
    errors: list[WorkerError] = []
    try:
        lane.submit(lambda: "a", order.append)
        lane.submit(lambda: 1 / 0, order.append, errors.append)
        with qtbot.waitSignal(lane.idle, timeout=5000):
            lane.submit(lambda: "c", order.append)
        assert order == ["a", "c"]
        assert len(errors) == 1 and "division" in errors[0].message
    finally:
        assert lane.shutdown(5000)
