"""The model against published MEASURED peak-memory figures (tests/data/memory_measurements.json).

Only rows with kind == "measured" count. Asserts median |error| <= 15% and worst <= 40%, and prints both.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from planner.engine.estimate import parse_model, parse_spec
from planner.engine.memory import memory_breakdown

DATA = Path(__file__).resolve().parents[1] / "data" / "memory_measurements.json"


def _errors() -> list[tuple[str, float, float, float]]:
    rows = json.loads(DATA.read_text())["rows"]
    out = []
    for row in rows:
        if row["kind"] != "measured":
            continue
        model = parse_model(row["model"])
        spec = parse_spec({"model": row["model"], **row["spec"]})
        metric = "reserved" if row["metric"].endswith("reserved") else "peak_allocated"
        if row["metric"] == "nvidia-smi":
            metric = "device"
        est = float(memory_breakdown(model, spec)[metric])  # type: ignore[arg-type]
        out.append(
            (row["id"], row["measured_gb"], est, 100.0 * (est - row["measured_gb"]) / row["measured_gb"])
        )
    return out


def test_measured_set_is_large_and_sourced() -> None:
    rows = json.loads(DATA.read_text())["rows"]
    measured = [r for r in rows if r["kind"] == "measured"]
    assert len(measured) >= 30
    for r in rows:
        assert r["source_url"].startswith("https://")
        assert r["kind"] in ("measured", "estimate")
        assert r["measured_gb"] > 0


def test_accuracy_on_measured_set() -> None:
    errors = _errors()
    for name, measured, est, err in errors:
        print(f"{name:60s} measured {measured:7.2f} GB  model {est:7.2f} GB  {err:+6.1f}%")
    abs_err = [abs(e[3]) for e in errors]
    median, worst = statistics.median(abs_err), max(abs_err)
    print(f"measured cases: {len(errors)}; median |error| {median:.1f}%; worst |error| {worst:.1f}%")
    assert median <= 15.0
    assert worst <= 40.0
