"""Seeding a fresh database with the shipped catalog, and reading it back as domain values."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import Engine

from db import catalog
from db.io import table_values
from db.seed import sync_shipped
from db.session import get_engine, resolve_url
from planner.catalog import CloudSku, FxRate, Gpu, ModelArch, ServerPlatform
from tests.catalog.conftest import DATA, SHIPPED

LISTERS: dict[str, Callable[[Engine], Sequence[Gpu | ServerPlatform | CloudSku | ModelArch | FxRate]]] = {
    "gpus": catalog.list_gpus,
    "servers": catalog.list_servers,
    "cloud": catalog.list_cloud_skus,
    "models": catalog.list_models,
    "fx": catalog.list_fx,
}


def _csv_rows(table: str) -> list[dict[str, str]]:
    with (SHIPPED / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("table", sorted(LISTERS))
def test_every_shipped_row_is_seeded_sourced_and_dated(engine: Engine, table: str) -> None:
    rows = LISTERS[table](engine)
    assert len(rows) == len(_csv_rows(table))
    for row in rows:
        assert row.source_url.startswith("http"), row
        assert isinstance(row.as_of, dt.date), row
        assert row.origin == "shipped"


def test_catalog_meets_the_issue_minimums(engine: Engine) -> None:
    gpus = {g.name for g in catalog.list_gpus(engine)}
    for name in ("B200", "H200 SXM", "H100 SXM", "H100 PCIe", "H100 NVL", "A100 SXM 80GB", "A100 SXM 40GB"):
        assert name in gpus
    for name in ("L40S", "L4", "A10G", "RTX 4090", "RTX 6000 Ada", "MI300X", "MI325X"):
        assert name in gpus
    assert len(gpus) >= 15
    servers = catalog.list_servers(engine)
    assert len(servers) >= 10
    assert {s.gpu_name for s in servers} >= {"H100 SXM", "H200 SXM", "B200", "MI300X"}
    cloud = catalog.list_cloud_skus(engine)
    assert len(cloud) >= 50
    assert {"AWS", "GCP", "Azure"} <= {c.provider for c in cloud}
    assert len({c.provider for c in cloud if c.service_kind == "gpu_cloud"}) >= 3
    assert {c.provider for c in cloud if c.service_kind == "managed_training"} == {"AWS", "GCP", "Azure"}
    assert len(catalog.list_models(engine)) >= 20
    assert {f.quote for f in catalog.list_fx(engine)} >= {"USD", "GBP", "JPY", "CHF", "CAD"}


def test_seed_figures_are_in_with_the_seed_urls(engine: Engine) -> None:
    expected = json.loads((DATA / "catalog_seed_figures.json").read_text())
    skus = {(c.provider, c.instance, c.service_kind): c for c in catalog.list_cloud_skus(engine)}
    for fig in expected["cloud"]:
        sku = skus[(fig["provider"], fig["instance"], fig["service_kind"])]
        assert sku.on_demand_per_hour == pytest.approx(fig["on_demand_per_hour"])
        assert fig["url"] in sku.source_url
        for key in ("rate_unit", "billing_increment_s", "spot_per_hour"):
            if key in fig:
                assert (
                    getattr(sku, key) == pytest.approx(fig[key]) if isinstance(fig[key], float) else fig[key]
                )
    sagemaker = [c for c in skus.values() if c.instance.startswith("ml.")]
    assert sagemaker and all(
        c.max_savings_plan_discount == expected["sagemaker_max_savings_plan_discount"]["value"]
        for c in sagemaker
    )
    for fig in expected["gpus"]:
        gpu = catalog.get_gpu(engine, fig["name"])
        assert (gpu.price_low_usd, gpu.price_high_usd) == (fig["price_low_usd"], fig["price_high_usd"])
        assert fig["url"] in gpu.source_url


def test_seed_range_for_a100_is_documented_where_sources_md_says(engine: Engine) -> None:
    """SOURCES.md says the joint A100/H100 seed range is the H100 SXM price and quoted in the A100 notes."""
    expected = json.loads((DATA / "catalog_seed_figures.json").read_text())
    notes = {v["name"]: v["notes"] for v in table_values(engine, "gpus")}
    for fig in expected["gpu_notes"]:
        for text in fig["mentions"]:
            assert text in notes[fig["name"]], (fig["name"], text)
    sources = (SHIPPED / "SOURCES.md").read_text(encoding="utf-8")
    assert "A100/H100 range is the price of the H100 SXM row only" in " ".join(sources.split())
    a100 = catalog.get_gpu(engine, "A100 SXM 80GB")
    assert (a100.price_low_usd, a100.price_high_usd) == (10000, 15000)  # Xither, A100-80GB specific


def test_dense_tflops_are_stored_and_sparse_derived(engine: Engine) -> None:
    h100 = catalog.get_gpu(engine, "H100 SXM")
    assert h100.bf16_dense_tflops == pytest.approx(989.4)  # datasheet's 1,979 is the 2:4-sparse figure
    assert h100.sparse_bf16_tflops == pytest.approx(1978.8)
    # RTX 6000 Ada datasheet: "Tensor performance 1,457.0 TFLOPS" = FP8 with sparsity; dense is half.
    rtx6000 = catalog.get_gpu(engine, "RTX 6000 Ada")
    assert rtx6000.fp8_dense_tflops == pytest.approx(1457.0 / 2)
    # GH200 datasheet: BF16 "1,979 teraFLOPS* | 990 teraFLOPS" (* = with sparsity).
    assert catalog.get_gpu(engine, "GH200").bf16_dense_tflops == pytest.approx(990)


def test_reseeding_the_same_catalog_writes_nothing(engine: Engine) -> None:
    report = sync_shipped(engine)
    assert not report.changed
    forced = sync_shipped(engine, force=True)
    assert all(r.inserted == 0 and r.updated == 0 for r in forced.tables)


def test_lookups_forgive_case_spaces_and_hyphens(engine: Engine) -> None:
    assert catalog.get_gpu(engine, "h100-sxm").name == "H100 SXM"
    assert catalog.get_gpu(engine, "  rtx_4090 ").name == "RTX 4090"
    assert catalog.get_model(engine, "llama-3.1-70b").name == "Llama 3.1 70B"
    assert catalog.get_server(engine, "nvidia", "dgx-h100").gpu_count == 8
    with pytest.raises(LookupError, match="H100 SXM"):
        catalog.get_gpu(engine, "H100")
    with pytest.raises(LookupError, match="no model named"):
        catalog.get_model(engine, "GPT-9")


def test_where_filters(engine: Engine) -> None:
    shipped = _csv_rows("gpus")  # expected sets computed straight from the shipped file
    amd = catalog.list_gpus(engine, "vendor=amd")
    assert {g.name for g in amd} == {r["name"] for r in shipped if r["vendor"].lower() == "amd"}
    assert {"MI300X", "MI325X"} <= {g.name for g in amd}
    big = catalog.list_gpus(engine, "memory_gb>=141 and vendor=NVIDIA")
    assert {g.name for g in big} == {
        r["name"] for r in shipped if float(r["memory_gb"]) >= 141 and r["vendor"] == "NVIDIA"
    }
    assert {"B200", "H200 SXM"} <= {g.name for g in big}
    text = catalog.list_cloud_skus(engine, "SageMaker")  # plain text matches any text field (here the URL)
    assert {c.instance for c in text} == {"ml.p4d.24xlarge", "ml.p5.48xlarge"}
    assert len(catalog.list_cloud_skus(engine, "instance~ml.p")) == 2


def test_fx_latest_on_or_before_inverse_and_cross(engine: Engine) -> None:
    # ECB reference rates: 2026-10-30 EUR/USD 1.1172, EUR/GBP 0.8338 (tests/data/fx/eurofxref-2026-10-30.csv);
    # 2026-03-13 EUR/USD 1.1476; 2022-07-08 EUR/USD 1.0163 (resources/catalog/SOURCES.md).
    today = dt.date(2026, 12, 3)
    now = catalog.fx_rate(engine, "EUR", "USD", today)
    assert (now.rate, now.as_of) == (1.1172, dt.date(2026, 10, 30))
    march = catalog.fx_rate(engine, "EUR", "USD", dt.date(2026, 10, 29))
    assert (march.rate, march.as_of) == (1.1476, dt.date(2026, 3, 13))
    then = catalog.fx_rate(engine, "EUR", "USD", dt.date(2023, 1, 1))
    assert (then.rate, then.as_of) == (1.0163, dt.date(2022, 7, 8))
    inverse = catalog.fx_rate(engine, "USD", "EUR", today)
    assert inverse.rate == pytest.approx(1 / 1.1172)
    cross = catalog.fx_rate(engine, "GBP", "USD", today)
    assert cross.rate == pytest.approx(1.1172 / 0.8338)
    assert catalog.fx_rate(engine, "usd", "USD").rate == 1.0
    with pytest.raises(LookupError, match="on or before 2020-01-01"):
        catalog.fx_rate(engine, "EUR", "USD", dt.date(2020, 1, 1))


def test_resolve_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("PLANNER_DB", "sqlite:///x.sqlite3")
    assert resolve_url(None) == "sqlite:///x.sqlite3"
    monkeypatch.delenv("PLANNER_DB")
    assert resolve_url(None).endswith("catalog.sqlite3")


def test_default_database_is_sqlite_in_wal_mode() -> None:
    engine = get_engine()
    assert engine.url.get_backend_name() == "sqlite"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    from db.session import dispose_engines

    dispose_engines()
