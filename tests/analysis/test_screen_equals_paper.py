"""Screen equals paper: for every shipped sample, the Projects view's analysis, ``planner tco --json`` and the
figures printed in the proposal (read back with ``pdftotext``) agree — totals and cost terms of every
option, Monte Carlo presence and percentiles, memory per workload, break-even months and tornado labels —
and every money figure in the proposal's text is traceable to a figure of the analysis.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ui.cli import main

SAMPLES = sorted(
    p.name.removesuffix(".json") for p in files("resources.samples").iterdir() if p.name.endswith(".json")
)
SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£"}
MONEY = re.compile(r"(?<![\w.])-?([$€£])(\d{1,3}(?:,\d{3})*(?:\.\d+)?)([KMB]?)(?![\d,])")

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"),
]


def _sample_path(name: str) -> Path:
    return Path(str(files("resources.samples").joinpath(f"{name}.json")))


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out) if "--json" in argv else out


def _numbers(node: Any) -> Iterator[float]:
    if isinstance(node, bool):
        return
    if isinstance(node, int | float):
        yield float(node)
    elif isinstance(node, dict):
        for v in node.values():
            yield from _numbers(v)
    elif isinstance(node, list):
        for v in node:
            yield from _numbers(v)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _traceable(j: dict[str, Any], effective: dict[str, Any]) -> set[float]:
    """Every amount of the analysis a page may print: its numbers (the effective project's inputs among them),
    and the yearly and horizon sums, tornado swings and differences between option totals that the
    proposal's tables and sentences are made of."""
    values = set(_numbers(j)) | set(_numbers(effective))
    for text in _strings(effective):  # amounts quoted in the project's own notes and sources
        values.update(_amount(m.group(2), m.group(3)) for m in MONEY.finditer(text))
    for t in j["tornado"]:
        values.update({abs(t["high_total"] - t["low_total"]), abs(t["high_total"] - t["base_total"]),
                       abs(t["low_total"] - t["base_total"])})  # fmt: skip
    for o in j["options"]:
        for series in (o["monthly"], *o["breakdown"].values()):
            arr = np.asarray(series, dtype=float)
            values.update(float(x) for x in np.add.reduceat(arr, range(0, arr.size, 12)))
            values.update(float(x) for x in np.cumsum(np.add.reduceat(arr, range(0, arr.size, 12))))
        by_term: dict[str, float] = {}
        for key, v in o["breakdown_totals"].items():  # a hybrid's parts: owned_staff + burst_staff + staff
            term = key.removeprefix("owned_").removeprefix("burst_")
            by_term[term] = by_term.get(term, 0.0) + v
        values.update(by_term.values())
    totals = [o["total"] for o in j["options"]] + [o["present_value"] for o in j["options"]]
    values.update(abs(a - b) for a in totals for b in totals)
    return values


def _amount(symbol_value: str, suffix: str) -> float:
    scale = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9}[suffix]
    return float(symbol_value.replace(",", "")) * scale


def _is_traced(x: float, suffix: str, digits: int, known: np.ndarray) -> bool:
    tol = {"": 0.5 if digits == 0 else 0.005, "K": 50.0, "M": 5e4, "B": 5e7}[suffix]
    return bool(np.any(np.abs(known - x) <= tol + 1e-9))


@pytest.fixture
def analysed_in_the_window(pinned_today: object, main_window: Any, qtbot: Any) -> Any:
    from tests.ui.projects_helpers import projects_page, settle

    page = projects_page(main_window, qtbot)

    def open_and_wait(name: str) -> Any:
        with qtbot.waitSignal(page.mc_shown, timeout=120_000):
            page.open_sample(name)
            settle(page, qtbot)
        qtbot.waitUntil(lambda: not page.results.is_drawing(), timeout=60_000)
        return page.results.shown

    return open_and_wait


@pytest.mark.parametrize("name", SAMPLES)
def test_screen_cli_and_pdf_show_the_same_numbers(
    name: str, analysed_in_the_window: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.dates import TODAY

    screen = analysed_in_the_window(name)
    path = _sample_path(name)
    j = _cli(capsys, "tco", str(path), "--json", "--today", TODAY.isoformat())
    pdf = tmp_path / f"{name}.pdf"
    _cli(capsys, "export", str(path), "--out", str(pdf), "--today", TODAY.isoformat())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)

    # the window and the CLI: one analysis
    assert (
        screen.today == TODAY
        and screen.samples == j["analysis"]["samples"]
        and screen.seed == j["analysis"]["seed"]
    )
    cli = {o["name"]: o for o in j["options"]}
    for o in screen.tco.options:
        assert round(o.total, 2) == cli[o.name]["total"], o.name
        assert {k: round(float(v.sum()), 2) for k, v in o.breakdown.items()} == cli[o.name][
            "breakdown_totals"
        ]
    mc = screen.tco.monte_carlo
    assert (mc is not None) == ("monte_carlo" in j)
    if mc is not None:
        for k in ("p10", "p50", "p90"):
            assert {n: round(v, 2) for n, v in getattr(mc, k).items()} == j["monte_carlo"][k]
    assert [(b.a, b.b, b.month) for b in screen.tco.break_even] == [
        (b["a"], b["b"], b["month"]) for b in j["break_even"]
    ]
    assert [(t.input, t.option) for t in screen.tco.tornado] == [
        (t["input"], t["option"]) for t in j["tornado"]
    ]
    for w, cw in zip(screen.workloads, j["analysis"]["workloads"], strict=True):
        got = None if w.memory_gb_per_gpu is None else round(w.memory_gb_per_gpu, 3)
        assert got == cw["memory_gb_per_gpu"], w.name

    # the paper: the same figures, printed
    symbol = SYMBOL[j["currency"]]
    rec = j["recommendation"]
    if rec is not None:
        total = cli[rec["option"]]["total"]
        assert f"{symbol}{total:,.0f}" in flat, (rec["option"], total)
        if mc is not None:
            assert f"{symbol}{j['monte_carlo']['p50'][rec['option']]:,.0f}" in flat
    for w in screen.workloads:
        if w.memory_gb_per_gpu is not None:
            assert f"{w.memory_gb_per_gpu:,.1f} GB" in flat, w.name

    # every money figure of the pages comes from the analysis
    known = np.array(sorted({abs(v) for v in _traceable(j, screen.effective.to_dict())}), dtype=float)
    untraced = []
    # a line of nothing but amounts is a chart's axis (scale labels, not figures)
    figures = " ".join(line for line in text.splitlines() if MONEY.sub("", line).strip(" -—"))
    for m in MONEY.finditer(re.sub(r"\s+", " ", figures)):
        if m.group(1) != symbol:
            continue
        digits = len(m.group(2).split(".")[1]) if "." in m.group(2) else 0
        x = _amount(m.group(2), m.group(3))
        if not _is_traced(x, m.group(3), digits, known):
            untraced.append(m.group(0))
    assert not untraced, f"{name}: money figures not traceable to the analysis: {sorted(set(untraced))[:20]}"
