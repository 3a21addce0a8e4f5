"""Chart widgets on hand-made numpy series: read-outs with units, item pools reused, palettes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ui.charts import (
    DARK,
    BreakdownChart,
    Crossing,
    CumulativeCostChart,
    MemoryBar,
    MemoryChart,
    MonteCarloChart,
    TornadoChart,
    TornadoRow,
    UtilisationChart,
    UtilisationSeries,
    compact_money,
)


@pytest.fixture
def add(qtbot: Any) -> Any:
    def _add(widget: Any) -> Any:
        qtbot.addWidget(widget)
        return widget

    return _add


def test_compact_money() -> None:
    assert compact_money(1_234_567, "USD") == "1.23 M USD"
    assert compact_money(-2_500, "EUR") == "-2.50 k EUR"
    assert compact_money(12.5, "USD") == "12.50 USD"
    assert compact_money(float("nan"), "USD") == "—"


def test_cumulative_readout_names_the_nearest_option_and_crossing(add: Any) -> None:
    chart = add(CumulativeCostChart())
    months = np.arange(1, 13, dtype=float)
    cloud = 1000.0 * months  # 1,000 a month
    owned = 6000.0 + 500.0 * months  # 6,000 up front, 500 a month: equal at month 12
    chart.set_data(
        months, [("cloud", cloud), ("owned", owned)], [Crossing("owned", "cloud", 12, 12000.0)], "EUR"
    )
    assert chart.readout_at(3.2, 3100.0) == "month 3: cloud — 3.00 k EUR cumulative"
    assert chart.readout_at(3.0, 7400.0) == "month 3: owned — 7.50 k EUR cumulative"
    assert "break-even: owned becomes cheaper than cloud in month 12" in chart.readout_at(12, 12000)
    curves = list(chart._curves)
    chart.set_data(months, [("only", cloud)], [], "EUR")
    assert chart._curves == curves  # pool kept; the unused curve is emptied and hidden
    assert not curves[1].isVisible()
    assert curves[1].xData is None or len(curves[1].xData) == 0
    assert chart.legend_entries == [(chart.color(0), "only")]


def test_breakdown_stacks_terms_and_reads_out_the_month(add: Any) -> None:
    chart = add(BreakdownChart())
    months = np.arange(1, 4, dtype=float)
    chart.set_data(
        months,
        {
            "A": {
                "compute": np.array([10.0, 20.0, 30.0]),
                "staff": np.array([5.0, 5.0, 5.0]),
                "egress": np.zeros(3),
            }
        },
        "USD",
    )
    assert list(chart.terms()) == ["compute", "staff"]  # zero terms left out
    assert chart.readout_at(2, 0) == "month 2, A: total 25.00 USD = compute 20.00 USD, staff 5.00 USD"
    top = chart._bars[1].opts
    assert np.allclose(top["y0"], [10.0, 20.0, 30.0])  # staff sits on compute


def test_memory_chart_reports_fit_against_capacity(add: Any) -> None:
    chart = add(MemoryChart())
    chart.set_data([MemoryBar("QLoRA 8B", {"weights": 5.5, "activations": 12.0}, 19.2, 24.0, "L4")])
    text = chart.readout_at(0, 0)
    assert text.startswith("QLoRA 8B: peak 19.2 GB per GPU of 24 GB on L4 — fits")
    chart.set_data([MemoryBar("Full 70B", {"weights": 140.0}, 150.0, 80.0, "H100 SXM")])
    assert "does NOT fit" in chart.readout_at(0, 0)
    chart.set_data([])
    assert "no workload with a memory estimate" in chart.legend.text()


def test_utilisation_interpolates_owned_curve(add: Any) -> None:
    chart = add(UtilisationChart())
    u = np.linspace(0.1, 1.0, 10)
    chart.set_data(
        [UtilisationSeries("owned", True, u, 2.0 / u), UtilisationSeries("cloud", False, rate=4.0)],
        [("owned", "cloud", 0.5, 4.0)],
        "USD",
    )
    text = chart.readout_at(50.0, 0)
    assert "owned: 4.00 USD/GPU-h" in text and "cloud: 4.00 USD/GPU-h" in text
    assert "owned matches cloud at 50% utilisation" in text


def test_tornado_orders_by_swing_and_monte_carlo_reads_percentiles(add: Any) -> None:
    tornado = add(TornadoChart())
    tornado.set_data(
        "A",
        [TornadoRow("small", 95, 105, 100, 1, 2), TornadoRow("big", 50, 150, 100, 3, 4)],
        "USD",
    )
    assert [r.label for r in tornado.rows] == ["big", "small"]
    assert tornado.readout_at(100, 1).startswith("big: low 3")  # top row = largest swing
    mc = add(MonteCarloChart())
    rng = np.random.default_rng(1)
    samples = {"A": rng.normal(2e6, 1e5, 1000)}
    p = tuple(float(x) for x in np.percentile(samples["A"], [10, 50, 90]))
    mc.set_data(samples, "A", p, {"A": 1.0}, "USD")
    text = mc.readout_at(2.0, 0)
    assert f"P50 {compact_money(p[1], 'USD')}" in text
    share = float(np.mean(samples["A"] <= 2e6))
    assert f"A: {share:.0%} of samples ≤ 2.00 M USD" in text


def test_dark_palette_applies(add: Any) -> None:
    chart = add(CumulativeCostChart())
    chart.apply_palette(DARK)
    assert chart.plot.backgroundBrush().color().name() == DARK.background
    assert chart.color(0) == DARK.series[0]


# ---- the real window at 1280×800: nothing clipped, key numbers for people -------------------------------------


def _legend_fits(chart: Any) -> bool:
    """The legend's text needs no more height than the label has (nothing cut off at the bottom)."""
    label = chart.legend
    return label.heightForWidth(label.width()) <= label.height()


def test_every_chart_fits_at_1280x800_on_the_workload_sample(
    main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    from tests.ui.projects_helpers import projects_page, settle

    main_window.resize(1280, 800)
    page = projects_page(main_window, qtbot)
    page.open_sample("fine_tuning_workloads")
    settle(page, qtbot)
    results = page.results
    qtbot.waitUntil(lambda: not results.is_drawing(), timeout=60_000)
    main_window.grab().save(str(artifacts_dir / "projects_1280x800.png"))
    names = ["cumulative", "breakdown", "memory", "utilisation", "tornado", "monte_carlo"]
    for name, chart in zip(names, results.charts, strict=True):
        results.charts_scroll.ensureWidgetVisible(chart)
        qtbot.wait(20)
        results.charts_scroll.grab().save(str(artifacts_dir / f"projects_chart_{name}.png"))
        assert _legend_fits(chart), (name, chart.legend.text())
        assert chart.plot.height() >= 120, (name, chart.plot.height())
        title = chart.title_label
        assert title.fontMetrics().horizontalAdvance(title.text()) <= title.width(), (name, title.text())
    memory = results.memory
    shown = [b.label for b in memory.bars]
    assert len(shown) >= 2
    ticks = [text for _, text in memory.tick_labels()]
    assert ticks == [f"W{i + 1}" for i in range(len(shown))]
    # every full name is in the caption and the read-out, so the short ticks stay traceable
    for i, label in enumerate(shown):
        assert f"W{i + 1} {label}" in memory.caption_text()
        text = memory.readout_at(i, 0)
        assert text.startswith(f"{label}: peak") and text.endswith(f"[W{i + 1}]")
    # the term legend beside the plot lists every non-zero term and none that is zero everywhere
    listed = [label for _, label in memory.legend_entries if not label.startswith("GPU capacity")]
    assert listed == [t.replace("_", " ") for t in memory.terms()]
    nonzero = {k for b in memory.bars for k, v in b.breakdown_gb.items() if v > 1e-6}
    assert set(memory.terms()) == nonzero
    legend = memory.term_legend
    assert legend.sizeHint().height() <= legend.height()
    assert len({c for c, _ in memory.legend_entries[: len(listed)]}) == min(
        len(listed), 20
    )  # no colour twice


def test_key_numbers_are_written_for_people() -> None:
    from ui.editor.results_panel import key_number_rows

    rows = dict(
        key_number_rows(
            {
                "peak_gpus": 4.0,
                "avg_demand_gpu_hours_per_month": 1880.0,
                "horizon_months": 36,
                "utilization[On-premises 1x DGX H100]": 0.322,
                "break_even_utilization[On-premises 1x DGX H100]": 0.8321,
                "break_even_utilization[Old rack]": None,
                "fte_onprem": 2.5,
                "total": 1639408.27,
                "cheapest_overall": "GCP on-demand",
                "break_even_month": 8,
            },
            currency="EUR",
            option="GCP committed",
        )
    )
    assert rows == {
        "Peak demand": "4 GPUs at once",
        "Average demand": "1,880 GPU-hours a month",
        "Horizon": "36 months",
        "Utilisation of On-premises 1x DGX H100": "32 %",
        "Break-even utilisation of On-premises 1x DGX H100": "83 %",
        "Break-even utilisation of Old rack": "never (dearer per GPU-hour even at 100 %)",
        "Staff to run it on premises": "2.5 FTE",
        "Total cost of GCP committed": "€1,639,408",
        "Cheapest option overall": "GCP on-demand",
        "Break even month": "month 8",
    }


def test_recommendation_panel_shows_formatted_key_numbers(main_window: Any, qtbot: Any) -> None:
    from tests.ui.projects_helpers import projects_page, settle

    page = projects_page(main_window, qtbot)
    page.open_sample("fine_tuning_workloads")
    settle(page, qtbot)
    qtbot.waitUntil(lambda: not page.results.is_drawing(), timeout=60_000)
    rec = page.results.shown.tco.recommendation
    text = page.results.recommendation_text()
    assert "utilization[" not in text and "{" not in text
    assert rec.label in text  # the human label ("Cloud"), not the JSON enum ("cloud")
    for key, value in rec.key_numbers.items():
        if key.startswith("utilization["):
            option = key[len("utilization[") : -1]
            assert f"Utilisation of {option}\n{value * 100:.0f} %" in text, text  # label cell, value cell
    total = rec.key_numbers["total"]
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}[page.results.shown.tco.currency]
    assert f"{symbol}{total:,.0f}" in text


def test_long_tornado_label_is_cut_with_an_ellipsis_and_read_out_whole(add: Any) -> None:
    tornado = add(TornadoChart())
    label = "onprem power kw per server at full load"  # 39 characters
    tornado.set_data("A", [TornadoRow(label, 90, 110, 100, 1, 2)], "USD")
    ticks = tornado.plot_item.getAxis("left")._tickLevels[0]
    assert [text for _, text in ticks] == [label[:23] + "…"]
    assert tornado.readout_at(100, 0).startswith(f"{label}: low 1")
