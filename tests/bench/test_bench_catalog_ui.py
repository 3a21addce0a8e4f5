"""Catalog view benchmark: a 10,000-row generated cloud catalog in CatalogTableModel.

Figures printed (run with -s): load time, then filter-by-text time per filter (target < 50 ms), sort
time, and the time for a QTableView showing the model to apply a filter and repaint.
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
    "A100 80GB SXM": Gpu(
        "NVIDIA",
        "A100 80GB SXM",
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
    queries = [*typed, "", "us-west", "stale", "mi300x 8x", "gen-a100", "zzz-nothing", ""]
    per_filter = []
    for text in queries:
        per_filter.append(timed(lambda t=text: model.set_filter_text(t)))

    model.set_filter_text("h100 aws")
    texts = [" ".join(str(x) for x in vars(v).values() if x is not None).lower() for v in values]
    assert model.rowCount() == sum(1 for text in texts if "h100" in text and "aws" in text) > 0

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
    assert max(view_filters) < FILTER_TARGET_S
