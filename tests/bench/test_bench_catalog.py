"""Catalog speed: seeding a fresh database, reopening it, and importing a 10,000-row cloud catalog.

Run with `make bench` (prints the figures). Targets: a fresh seed under 3 s, a reopen under 0.5 s,
a 10,000-row CSV import under 15 s on the 2-core CI machine.
"""

from __future__ import annotations

import csv
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from db import catalog
from db.io import import_file
from db.schema import SPECS
from db.seed import sync_shipped
from db.session import dispose_engines, get_engine

ROWS = 10_000


def _timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of empty databases on one backend."""
    made: list[str] = []
    admin_url = os.environ.get("TEST_DATABASE_URL")
    admin = None
    if request.param == "postgres":
        if not admin_url:
            pytest.skip("TEST_DATABASE_URL is not set")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def make() -> str:
        if admin is None:
            url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite3'}"
        else:
            name = f"catalog_bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)
            url = f"{admin_url.rsplit('/', 1)[0]}/{name}"  # type: ignore[union-attr]
        return url

    yield make
    dispose_engines()
    if admin is not None:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _generated_cloud_csv(path: Path, gpu_names: list[str]) -> Path:
    header = SPECS["cloud"].header
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(ROWS):
            row = {
                "provider": f"Bench Cloud {i % 7}",
                "service_kind": "gpu_cloud",
                "instance": f"bench-{i}",
                "region": f"region-{i % 13}",
                "gpu_name": gpu_names[i % len(gpu_names)],
                "gpu_count": str(1 + i % 8),
                "vcpu": str(8 * (1 + i % 8)),
                "ram_gb": f"{64 * (1 + i % 8)}GB",
                "rate_unit": "instance",
                "on_demand_per_hour": f"{1 + (i % 500) / 10:.2f}",
                "spot_per_hour": f"{0.5 + (i % 500) / 25:.2f}",
                "reserved_1y_per_hour": "",
                "reserved_3y_per_hour": "",
                "max_savings_plan_discount": "30%",
                "billing_increment_s": "1",
                "min_billing_s": "60",
                "managed_premium": "0",
                "storage_per_gb_month": "0.02",
                "egress_per_gb": "0.09",
                "source_url": "https://example.com/generated",
                "as_of": "2026-06-01",
                "notes": "",
            }
            writer.writerow([row[h] for h in header])
    return path


def test_bench_seeding(fresh_url: Callable[[], str]) -> None:
    def seed_fresh() -> None:
        get_engine(fresh_url())

    first_min, first_med = _timed(seed_fresh)
    url = fresh_url()
    get_engine(url)

    def reopen() -> None:
        dispose_engines()
        get_engine(url)

    reopen_min, reopen_med = _timed(reopen)
    engine = get_engine(url)
    sync_min, sync_med = _timed(lambda: sync_shipped(engine, force=True))
    list_min, list_med = _timed(lambda: catalog.list_cloud_skus(engine))
    backend = engine.url.get_backend_name()
    print(
        f"\n[bench catalog {backend}] fresh database (migrate + seed): min {first_min:.3f} s, median {first_med:.3f} s"
        f"\n[bench catalog {backend}] reopen seeded database: min {reopen_min:.3f} s, median {reopen_med:.3f} s"
        f"\n[bench catalog {backend}] re-sync shipped catalog (all rows compared): min {sync_min:.3f} s"
        f"\n[bench catalog {backend}] list cloud SKUs: min {list_min * 1000:.1f} ms, median {list_med * 1000:.1f} ms"
    )
    assert first_med < 3.0 and reopen_med < 0.5


def test_bench_import_10000_cloud_rows(fresh_url: Callable[[], str], tmp_path: Path) -> None:
    engine = get_engine(fresh_url())
    path = _generated_cloud_csv(tmp_path / "cloud-10k.csv", [g.name for g in catalog.list_gpus(engine)])
    start = time.perf_counter()
    report = import_file(engine, path)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = import_file(engine, path)
    second = time.perf_counter() - start
    start = time.perf_counter()
    listed = catalog.list_cloud_skus(engine)
    listing = time.perf_counter() - start
    backend = engine.url.get_backend_name()
    print(
        f"\n[bench catalog {backend}] import {ROWS:,} generated cloud rows: {first:.2f} s "
        f"({ROWS / first:,.0f} rows/s); re-import (all unchanged) {second:.2f} s; "
        f"list {len(listed):,} SKUs {listing:.2f} s"
    )
    assert report.inserted == ROWS and again.unchanged == ROWS
    assert first < 15.0
