"""`planner selftest`: open the real main window offscreen, wait for it, save screenshots, exit 0."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

SELFTEST_SAMPLE = "fine_tuning_workloads"  # workloads sized by the memory engine: every chart has data


def _open_sample_project(window: object) -> None:
    """Give the Projects view a sample project to compute, so its charts are exercised and captured."""
    page = getattr(window, "pages", {}).get("Projects")
    open_sample = getattr(page, "open_sample", None)
    if callable(open_sample):
        open_sample(SELFTEST_SAMPLE)


def run_selftest(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication

    from ui.app import create_application, setup_logging
    from ui.main_window import MainWindow

    setup_logging()
    app = create_application()
    started = time.perf_counter()
    window = MainWindow(db_url=args.db)
    window.show()
    _open_sample_project(window)
    failures: list[str] = []
    shots: list[str] = []
    out = Path(args.screenshots) if args.screenshots else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.timeout
    for index, name in enumerate(window.pages):
        window.show_page(name)
        page = window.pages[name]
        is_ready = getattr(page, "is_ready", lambda: True)
        while not is_ready():
            QCoreApplication.processEvents()
            if time.monotonic() > deadline:
                failures.append(f"the {name} view did not finish within {args.timeout:.0f} s")
                break
            time.sleep(0.01)
        err = getattr(page, "last_error", lambda: None)()
        if err:
            failures.append(f"{name}: {err}")
        QCoreApplication.processEvents()
        if out:
            path = out / f"{index + 1:02d}_{name.lower()}.png"
            window.grab().save(str(path))
            shots.append(str(path))
    elapsed = time.perf_counter() - started
    window.close()
    app.processEvents()
    result = {"ok": not failures, "failures": failures, "screenshots": shots, "seconds": round(elapsed, 3)}
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
    else:
        for shot in shots:
            print(f"saved {shot}")
        print("selftest passed" if not failures else "selftest FAILED: " + "; ".join(failures))
    if failures:
        print("; ".join(failures), file=sys.stderr)
    return 0 if not failures else 1
