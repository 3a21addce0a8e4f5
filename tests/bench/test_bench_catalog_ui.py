"""Catalog view benchmark: a 10,000-row generated cloud catalog in CatalogTableModel.

Figures printed (run with -s): load time, then filter time per query typed (target < 50 ms; words,
column terms and numeric ranges of ui.models.filter_query), sort time, and the time for a QTableView
showing the model to apply a filter and repaint.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from planner.catalog import CloudSku, Gpu
from ui.models import CatalogTableModel

ROWS = 10_000
FILTER_TARGET_S = 0.050
PROVIDERS = ("AWS", "Google Cloud", "Azure", "Lambda", "CoreWeave", "RunPod", "Nebius", "Crusoe")
REGIONS = (
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "europe-west4",
    "asia-northeast1",
    "westeurope",
    "ca-central-1",
)
GPUS = {
    "H100 SXM": Gpu(
        "NVIDIA",
        "H100 SXM",
        "SXM",
        80,
        3350,
        989,
        1979,
        700,
        "NVLink",
        900,
        25000,
        40000,
        "u",
        dt.date(2026, 3, 1),
    ),
    "A100 SXM 80GB": Gpu(
        "NVIDIA",
        "A100 SXM 80GB",
        "SXM",
        80,
        2039,
        312,
        None,
        400,
        "NVLink",
        600,
        15000,
        20000,
        "u",
        dt.date(2026, 3, 1),
    ),
    "L40S": Gpu(
        "NVIDIA", "L40S", "PCIe", 48, 864, 362, 733, 350, "PCIe", 64, 8000, 10000, "u", dt.date(2026, 3, 1)
    ),
    "MI300X": Gpu(
        "AMD",
        "MI300X",
        "OAM",
        192,
        5300,
        1307,
        2615,
        750,
        "Infinity Fabric",
        896,
        15000,
        20000,
        "u",
        dt.date(2026, 3, 1),
    ),
}


def generated_cloud(n: int, seed: int = 7) -> list[CloudSku]:
    rng = random.Random(seed)
    names = list(GPUS)
    today = dt.date(2026, 11, 23)
    rows = []
    for i in range(n):
        gpu = rng.choice(names)
        count = rng.choice((1, 2, 4, 8))
        unit = rng.choice(("instance", "gpu"))
        rate = round(rng.uniform(0.5, 6.0) * (count if unit == "instance" else 1), 4)
        rows.append(
            CloudSku(
                provider=rng.choice(PROVIDERS),
                service_kind=rng.choice(("iaas_vm", "managed_training", "gpu_cloud")),
                instance=f"gen-{gpu.split()[0].lower()}-{count}x-{i:05d}",
                region=rng.choice(REGIONS),
                gpu_name=gpu,
                gpu_count=count,
                vcpu=count * 12,
                ram_gb=float(count * 120),
                rate_unit=unit,  # type: ignore[arg-type]
                on_demand_per_hour=rate,
                spot_per_hour=round(rate * 0.4, 4) if rng.random() < 0.6 else None,
                reserved_1y_per_hour=round(rate * 0.7, 4),
                reserved_3y_per_hour=round(rate * 0.5, 4),
                max_savings_plan_discount=0.64,
                billing_increment_s=rng.choice((1, 30, 60)),
                min_billing_s=60,
                managed_premium=0.15,
                storage_per_gb_month=0.08,
                egress_per_gb=0.09,
                source_url=f"https://example.com/pricing/{i}",
                as_of=today - dt.timedelta(days=rng.randint(0, 700)),
            )
        )
    return rows


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_bench_10k_cloud_catalog_filter(qtbot: Any) -> None:
    values = generated_cloud(ROWS)
    model: CatalogTableModel | None = None

    def load() -> None:
        nonlocal model
        model = CatalogTableModel("cloud", values, gpus=GPUS)

    load_s = timed(load)
    assert model is not None and model.rowCount() == ROWS

    # A user typing "h100 aws" letter by letter, then clearing and typing other queries.
    typed = ["h", "h1", "h10", "h100", "h100 ", "h100 a", "h100 aw", "h100 aws"]
    queries = [
        *typed,
        "",
        "us-west",
        "stale",
        "mi300x 8x",
        "gen-a100",
        "zzz-nothing",
        "",
        "spot h100",
        "$/gpu-h<3",
        "$/gpu-h<3 gpus=8",
        "region:eu provider=aws",
        '"h100 sxm" -aws',
        "",
    ]
    per_filter = []
    for text in queries:
        per_filter.append(timed(lambda t=text: model.set_filter_text(t)))

    model.set_filter_text("h100 aws")
    # Shown text of each row written out here (provider, instance, GPU; no other column says aws or h100).
    texts = [f"{v.provider} {v.instance} {v.gpu_name}".lower() for v in values]
    assert model.rowCount() == sum(1 for text in texts if "h100" in text and "aws" in text) > 0
    model.set_filter_text("$/gpu-h<3 gpus=8")
    per_gpu = [v.on_demand_per_hour / (v.gpu_count if v.rate_unit == "instance" else 1) for v in values]
    assert model.rowCount() == sum(
        1 for v, p in zip(values, per_gpu, strict=True) if p < 3 and v.gpu_count == 8
    )

    col = model.column_index("usd_per_pflop_hour")
    sort_first = timed(lambda: model.sort(col, Qt.SortOrder.AscendingOrder))
    sort_again = timed(lambda: model.sort(col, Qt.SortOrder.DescendingOrder))

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    view_filters = []
    for text in ("h100", "h100 aws", "", "l40s eu"):
        start = time.perf_counter()
        model.set_filter_text(text)
        view.viewport().repaint()
        view_filters.append(time.perf_counter() - start)

    worst = max(per_filter)
    print(
        f"\n10,000-row cloud catalog: load {load_s * 1000:.1f} ms; "
        f"filter median {statistics.median(per_filter) * 1000:.2f} ms, worst {worst * 1000:.2f} ms "
        f"over {len(queries)} filters (target < {FILTER_TARGET_S * 1000:.0f} ms); "
        f"sort by $/PFLOP-h first {sort_first * 1000:.1f} ms, cached {sort_again * 1000:.1f} ms; "
        f"filter + view repaint worst {max(view_filters) * 1000:.1f} ms"
    )
    assert worst < FILTER_TARGET_S
    assert statistics.median(view_filters) < FILTER_TARGET_S


def test_bench_10k_cloud_catalog_in_the_real_page(qtbot: Any, tmp_path: Any) -> None:
    """10,000 generated cloud rows imported into a real SQLite catalog, then opened in the Catalog view.

    Prints: import time, time from window creation to the page ready, the longest gap of a 10 ms
    heartbeat on the GUI thread while the page loaded, the GUI-thread share of the load (model fill),
    and filter-by-typing time in the page (model reset + view + count label).
    """
    import csv

    from PySide6.QtCore import QCoreApplication, QSettings, QTimer

    from db import catalog as db_catalog
    from db import io as db_io
    from db.schema import SPECS
    from db.session import get_engine
    from ui.dialogs.row_editor import value_text
    from ui.main_window import MainWindow
    from ui.pages.catalog import CatalogPage

    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    engine = get_engine(url)
    shipped_gpus = {g.name for g in db_catalog.list_gpus(engine)}
    assert set(GPUS) <= shipped_gpus, (
        f"bench GPUs missing from the shipped catalog: {set(GPUS) - shipped_gpus}"
    )
    header = SPECS["cloud"].header
    path = tmp_path / "cloud_10k.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for v in generated_cloud(ROWS):
            writer.writerow([value_text(getattr(v, name, "")) for name in header])
    import_s = timed(lambda: db_io.import_file(engine, path, "cloud"))

    QCoreApplication.setOrganizationName("ComputePlannerTests")
    QSettings().clear()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    start = time.perf_counter()
    window = MainWindow(db_url=url)
    qtbot.addWidget(window)
    page = window.pages["Catalog"]
    assert isinstance(page, CatalogPage)
    gui_share: list[float] = []
    original = page._loaded_catalog

    def measured(catalog: Any, message: str, status: str | None = None) -> None:
        t0 = time.perf_counter()
        original(catalog, message, status)
        gui_share.append(time.perf_counter() - t0)

    page._loaded_catalog = measured  # type: ignore[method-assign]
    window.show()
    last[0] = time.perf_counter()
    heartbeat.start()
    try:
        qtbot.waitUntil(page.is_ready, timeout=120_000)
        ready_s = time.perf_counter() - start
        heartbeat.stop()
        assert page.last_error() is None
        assert page.models["cloud"].total_count() >= ROWS
        page.show_table("cloud")
        first_gaps = list(gaps)
        gaps.clear()
        last[0] = time.perf_counter()
        heartbeat.start()
        t0 = time.perf_counter()
        page.reload()
        qtbot.waitUntil(page.is_ready, timeout=120_000)
        reload_s = time.perf_counter() - t0
        heartbeat.stop()
        typing = []
        for text in ("h", "h1", "h10", "h100", "h100 a", "h100 aws", "", "mi300x", "$/gpu-h<3", ""):
            t0 = time.perf_counter()
            page.filter_edit.setText(text)
            page.views["cloud"].viewport().repaint()
            typing.append(time.perf_counter() - t0)
    finally:
        heartbeat.stop()
        window.shutdown_workers()
        window.close()
    print(
        f"\nreal page, {ROWS:,} imported cloud rows: import {import_s * 1000:.0f} ms; window to Catalog ready "
        f"{ready_s * 1000:.0f} ms; GUI-thread model fill {max(gui_share) * 1000:.0f} ms; worst heartbeat gap "
        f"{max(first_gaps, default=0) * 1000:.0f} ms over {len(first_gaps)} beats; reload of all tables "
        f"{reload_s * 1000:.0f} ms with worst heartbeat gap {max(gaps, default=0) * 1000:.0f} ms over "
        f"{len(gaps)} beats; filter by typing median "
        f"{statistics.median(typing) * 1000:.1f} ms, worst {max(typing) * 1000:.1f} ms"
    )
    # The model's filter is the < 50 ms target (asserted above); in the page a keystroke also resets
    # the view and repaints it, so the median keystroke is held to the same target.
    assert statistics.median(typing) < FILTER_TARGET_S
