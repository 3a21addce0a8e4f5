"""Worker processes for the concurrency tests: each is a real, separate process (multiprocessing's
forkserver, with the database modules preloaded so 30 of them start in a few seconds) that reports what
happened - a result, one of the product's error sentences, or a traceback - through a queue."""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
import queue as queue_module
import time
import traceback
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

ROWS_PER_FILE = 5


def context() -> BaseContext:
    """A forkserver context with the database layer imported once in the server process."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["db.session", "db.io", "db.quotes", "db.projects"])
    return ctx


def gpu_file(folder: Path, round_: int) -> Path:
    """A GPU catalog file of ``ROWS_PER_FILE`` new rows, different in every round."""
    from db.schema import GPUS

    path = folder / f"gpus_round_{round_}.csv"
    base = {
        "vendor": "Concurrent Test Vendor",
        "form_factor": "PCIe",
        "memory_gb": "80",
        "memory_bandwidth_gbs": "2000",
        "bf16_dense_tflops": "500",
        "fp8_dense_tflops": "",
        "tdp_w": "300",
        "interconnect": "PCIe 5.0",
        "interconnect_gbs": "64",
        "chips_per_host": "",
        "price_low_usd": "1000",
        "price_high_usd": "2000",
        "source_url": "https://example.com/concurrency-test",
        "as_of": "2026-01-05",
        "notes": "",
    }
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, GPUS.header)
        writer.writeheader()
        for k in range(ROWS_PER_FILE):
            writer.writerow({**base, "name": f"Concurrent GPU {round_}-{k}"})
    return path


def quote_file(source: Path, folder: Path, round_: int) -> Path:
    """``source`` (a Dell quote) with its quote number and one price changed: a different quote per round."""
    text = source.read_text(encoding="utf-8")
    text = text.replace("Quote Number,3000187654321", f"Quote Number,CONC-{round_:03d}")
    text = text.replace('"$9,800.00","$9,800.00"', f'"$9,{round_:03d}.00","$9,{round_:03d}.00"')
    path = folder / f"quote_round_{round_}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _report(queue: Any, kind: str, detail: str, round_: int = 0) -> None:
    queue.put((round_, kind, detail))


def first_start(url: str, barrier: Any, queue: Any) -> None:
    try:
        from db.session import get_engine

        barrier.wait()
        get_engine(url)
        _report(queue, "ok", "")
    except BaseException:
        _report(queue, "traceback", traceback.format_exc())


def import_catalog_rounds(url: str, files: list[str], barrier: Any, queue: Any) -> None:
    from db.io import CatalogImportError, import_file
    from db.session import get_engine

    try:
        engine = get_engine(url)
    except BaseException:
        _report(queue, "traceback", traceback.format_exc(), -1)
        return
    for round_, path in enumerate(files):
        try:
            barrier.wait()
            report = import_file(engine, path)
            _report(queue, "ok", f"{report.inserted} {report.updated} {report.unchanged}", round_)
        except CatalogImportError as exc:
            _report(queue, "error", str(exc), round_)
        except BaseException:
            _report(queue, "traceback", traceback.format_exc(), round_)


def import_quote_rounds(url: str, files: list[str], today: Any, barrier: Any, queue: Any) -> None:
    from db.quotes import QuoteImportError, import_quote
    from db.session import get_engine

    try:
        engine = get_engine(url)
    except BaseException:
        _report(queue, "traceback", traceback.format_exc(), -1)
        return
    for round_, path in enumerate(files):
        try:
            barrier.wait()
            result = import_quote(engine, path, vendor="Dell Technologies", today=today)
            _report(queue, "ok", str(result.quote_id), round_)
        except QuoteImportError as exc:
            _report(queue, "error", str(exc), round_)
        except BaseException:
            _report(queue, "traceback", traceback.format_exc(), round_)


def run(
    ctx: BaseContext, target: Any, args_per_process: list[tuple[Any, ...]], timeout: float = 60
) -> list[Any]:
    """Start one process per argument tuple (each also gets the shared barrier and queue), wait for all,
    and return every report."""
    barrier = ctx.Barrier(len(args_per_process))
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, barrier, queue)) for a in args_per_process]  # type: ignore[attr-defined]
    for p in procs:
        p.start()
    reports: list[Any] = []
    deadline = time.monotonic() + timeout
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        with contextlib.suppress(queue_module.Empty):
            reports.append(queue.get(timeout=0.2))
    while True:  # what the finished processes left in the pipe
        try:
            reports.append(queue.get(timeout=0.5))
        except queue_module.Empty:
            break
    for p in procs:
        if p.is_alive():
            p.kill()
        p.join()
        assert p.exitcode == 0, f"a worker process ended with exit code {p.exitcode}"
    return reports


def save_project_rounds(
    url: str, project_id: int, writer: str, rounds: int, barrier: Any, queue: Any
) -> None:
    """Each round: open the project, wait until the other writer has opened it too, then save an edit."""
    from db.projects import ProjectConflict, open_project, save_project
    from db.session import get_engine

    try:
        engine = get_engine(url)
    except BaseException:
        _report(queue, "traceback", traceback.format_exc(), -1)
        return
    for round_ in range(rounds):
        try:
            barrier.wait()
            opened = open_project(engine, project_id)
            barrier.wait()  # both hold the same revision now
            edits = {**opened.payload, "notes": f"{writer} round {round_}"}
            edited = [*opened.payload.get("edits", []), f"{writer}:{round_}"]
            saved = save_project(
                engine,
                "Shared plan",
                {**edits, "edits": edited},
                project_id,
                base_revision=opened.revision,
                saved_by=writer,
            )
            _report(queue, "ok", f"{writer}:{round_}:{saved.revision}", round_)
        except ProjectConflict as exc:
            _report(queue, "conflict", str(exc), round_)
        except BaseException:
            _report(queue, "traceback", traceback.format_exc(), round_)
