"""Price packs: real SkyPilot / gpuhunt snapshots import, diff and apply; re-imports change nothing.

Expected figures are read off the snapshot files in tests/data/packs (origins in its README) or
computed by hand in the test.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from db import catalog, history
from db.packs import PackError, apply_packs, diff_packs, match_gpu, read_packs
from db.tables import CloudSkuRow, PriceHistoryRow
from planner.catalog import CloudSku
from tests.catalog.conftest import DATA

PACKS = DATA / "packs"
NEBIUS = PACKS / "skypilot" / "nebius" / "vms.csv"
GPUHUNT_AWS = PACKS / "gpuhunt" / "aws.csv"
TODAY = dt.date(2026, 12, 3)
SNAPSHOT = dt.date(2026, 8, 10)


def _read(engine: Engine, *paths: Path, as_of: dt.date = SNAPSHOT, **kw: object) -> list:
    return read_packs(list(paths), engine=engine, today=TODAY, as_of=as_of, **kw)  # type: ignore[arg-type]


def _nebius(engine: Engine, instance: str, region: str) -> CloudSku:
    rows = catalog.list_cloud_skus(engine, f"provider=Nebius and instance={instance} and region={region}")
    assert len(rows) == 1
    return rows[0]


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_skypilot_nebius_snapshot_imports_gpu_rows_with_prices_from_the_file(engine: Engine) -> None:
    (pack,) = _read(engine, NEBIUS)
    assert (pack.provider, pack.as_of) == ("Nebius", SNAPSHOT)
    assert len(pack.rows) == 21  # 61 data lines: 40 CPU-only, 21 GPU presets
    assert [(s.reason, s.rows) for s in pack.skipped] == [("no accelerator (CPU-only instance)", 40)]
    diff = diff_packs(engine, [pack])
    # the shipped catalog holds six Nebius rows: two priced later than this snapshot (2026-08-28) keep
    # their price, one (eu-north1 8x H100, 2026-05-31) is refreshed, three the snapshot does not list
    assert sorted(k[1] + " " + k[2] for k in diff.newer_kept) == [
        "gpu-b200-sxm_8gpu-160vcpu-1792gb us-central1",
        "gpu-h200-sxm_8gpu-128vcpu-1600gb eu-west1",
    ]
    assert [c.key[1] + " " + c.key[2] for c in diff.changed] == ["gpu-h100-sxm_8gpu-128vcpu-1600gb eu-north1"]
    assert (len(diff.added), diff.unchanged, len(diff.no_longer_listed)) == (18, 0, 3)
    apply_packs(engine, [pack])
    h100 = _nebius(engine, "gpu-h100-sxm_8gpu-128vcpu-1600gb", "eu-north1")
    assert (h100.gpu_name, h100.gpu_count, h100.vcpu) == ("H100 SXM", 8, 128)
    assert (h100.on_demand_per_hour, h100.spot_per_hour) == (23.60, 10.00)
    assert h100.ram_gb == pytest.approx(1718.0)  # 1,600 GiB x 1.073741824 = 1,717.99 GB
    assert (h100.as_of, h100.origin, h100.service_kind) == (SNAPSHOT, "imported", "gpu_cloud")
    l40s = _nebius(engine, "gpu-l40s-d_4gpu-192vcpu-1152gb", "eu-north1")
    assert (l40s.gpu_name, l40s.gpu_count, l40s.on_demand_per_hour, l40s.spot_per_hour) == (
        "L40S",
        4,
        11.0064,
        None,
    )
    kept = _nebius(engine, "gpu-h200-sxm_8gpu-128vcpu-1600gb", "eu-west1")
    assert (kept.on_demand_per_hour, kept.as_of, kept.origin) == (36.0, dt.date(2026, 8, 28), "shipped")


def test_a_second_import_of_the_same_pack_changes_nothing(engine: Engine) -> None:
    apply_packs(engine, _read(engine, NEBIUS))
    rows, points = _count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)
    diff, report = apply_packs(engine, _read(engine, NEBIUS))
    assert (len(diff.added), len(diff.changed), diff.unchanged, len(diff.newer_kept)) == (0, 0, 19, 2)
    assert (report.inserted, report.updated) == (0, 0)
    assert (_count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)) == (rows, points)


def test_a_newer_pack_changes_prices_keeps_the_old_ones_in_the_history_and_reports_gone_rows(
    engine: Engine, tmp_path: Path
) -> None:
    apply_packs(engine, _read(engine, NEBIUS))
    newer = tmp_path / "nebius" / "vms.csv"
    newer.parent.mkdir()
    kept = []
    for line in NEBIUS.read_text().splitlines():
        if line.startswith("gpu-h200-sxm_1gpu-16vcpu-200gb,") and ",eu-north1," in line:
            line = line.replace(",3.50,eu-north1,", ",4.00,eu-north1,").rsplit(",", 1)[0] + ",1.60"
        if line.startswith("gpu-l40s-a_1gpu-8vcpu-32gb,"):
            continue
        kept.append(line)
    newer.write_text("\n".join(kept) + "\n")
    later = dt.date(2026, 9, 15)
    (pack,) = _read(engine, newer, as_of=later)
    diff = diff_packs(engine, [pack])
    changed = {c.key[1] + " " + c.key[2]: c for c in diff.changed}
    h200 = changed["gpu-h200-sxm_1gpu-16vcpu-200gb eu-north1"]
    by_pricing = {p.pricing: p for p in h200.prices}
    assert (by_pricing["on_demand"].old, by_pricing["on_demand"].new) == (3.5, 4.0)
    assert by_pricing["on_demand"].percent == pytest.approx(14.2857, rel=1e-4)  # (4.00 - 3.50) / 3.50
    assert (by_pricing["spot"].old, by_pricing["spot"].new) == (1.45, 1.6)
    same_price = changed["gpu-l40s-a_1gpu-16vcpu-64gb eu-north1"]  # only confirmed at a later date
    assert (same_price.prices, same_price.other) == ((), ("as_of",))
    gone = ("Nebius", "gpu-l40s-a_1gpu-8vcpu-32gb", "eu-north1", "gpu_cloud")
    assert gone in diff.no_longer_listed
    apply_packs(engine, [pack])
    assert _nebius(engine, "gpu-h200-sxm_1gpu-16vcpu-200gb", "eu-north1").on_demand_per_hour == 4.0
    assert _nebius(engine, "gpu-l40s-a_1gpu-8vcpu-32gb", "eu-north1").on_demand_per_hour == 1.5484  # kept
    points = history.series(
        engine, "cloud", "Nebius | gpu-h200-sxm_1gpu-16vcpu-200gb | eu-north1 | gpu_cloud"
    )
    assert [(p.as_of, p.value) for p in points["on_demand"]] == [(SNAPSHOT, 3.5), (later, 4.0)]
    assert [p.value for p in points["spot"]] == [1.45, 1.6]


def test_user_rows_are_never_overwritten_by_a_pack(engine: Engine) -> None:
    (pack,) = _read(engine, NEBIUS)
    mine = CloudSku(
        "Nebius", "gpu_cloud", "gpu-h100-sxm_1gpu-16vcpu-200gb", "eu-north1", "H100 SXM", 1, 16, None,
        "instance", 2.10, None, None, None, None, 1, 0, 0.0, None, None, "https://example.org/my-quote",
        dt.date(2026, 11, 1), "user",
    )  # fmt: skip
    catalog.save_row(engine, mine)
    diff, report = apply_packs(engine, [pack])
    assert diff.user_owned == (("Nebius", "gpu-h100-sxm_1gpu-16vcpu-200gb", "eu-north1", "gpu_cloud"),)
    assert len(diff.added) == 17 and report.inserted == 17
    kept = _nebius(engine, "gpu-h100-sxm_1gpu-16vcpu-200gb", "eu-north1")
    assert (kept.on_demand_per_hour, kept.origin) == (2.10, "user")


def test_a_bad_file_is_refused_with_row_and_reason_and_nothing_is_written(
    engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "nebius" / "vms.csv"
    bad.parent.mkdir()
    lines = NEBIUS.read_text().splitlines()
    lines[43] = lines[43].replace(",3.50,eu-north1,", ",3.5O,eu-north1,")  # letter O for zero, line 44
    bad.write_text("\n".join(lines) + "\n")
    before = (_count(engine, CloudSkuRow), _count(engine, PriceHistoryRow))
    with pytest.raises(PackError) as err:
        _read(engine, NEBIUS, bad)
    assert [(e.row, e.column, e.reason) for e in err.value.errors] == [(44, "Price", "not a number: '3.5O'")]
    assert (_count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)) == before


def test_files_that_are_not_packs_or_lack_a_date_are_refused_in_one_sentence(
    engine: Engine, tmp_path: Path
) -> None:
    shipped = Path(__file__).resolve().parents[2] / "resources" / "catalog" / "cloud.csv"
    with pytest.raises(PackError, match="not a price pack this app reads"):
        _read(engine, shipped)
    with pytest.raises(PackError, match="carries no date"):
        read_packs([NEBIUS], engine=engine, today=TODAY, as_of=None)
    with pytest.raises(PackError, match="in the future"):
        _read(engine, NEBIUS, as_of=TODAY + dt.timedelta(days=1))
    loose = tmp_path / "vms.csv"
    shutil.copy(NEBIUS, loose)
    with pytest.raises(PackError, match="cannot tell the cloud"):
        _read(engine, loose)
    assert _read(engine, loose, provider="nebius")[0].provider == "Nebius"


def test_gpuhunt_catalog_merges_on_demand_and_spot_lines_per_region(engine: Engine) -> None:
    (pack,) = _read(engine, GPUHUNT_AWS, as_of=dt.date(2026, 8, 6))
    assert pack.provider == "AWS"
    by_region = {r["region"]: r for r in pack.rows}
    assert sorted(by_region) == ["eu-north-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
    assert (by_region["us-east-1"]["on_demand_per_hour"], by_region["us-east-1"]["spot_per_hour"]) == (
        63.296,
        27.1988,
    )
    assert (by_region["eu-north-1"]["on_demand_per_hour"], by_region["eu-north-1"]["spot_per_hour"]) == (
        67.7267,
        39.8158,
    )
    assert by_region["us-west-1"]["spot_per_hour"] == 79.12  # spot equal to on-demand is kept
    assert by_region["us-east-1"]["gpu_name"] == "H200 SXM"
    assert (by_region["us-east-1"]["service_kind"], by_region["us-east-1"]["min_billing_s"]) == (
        "iaas_vm",
        60,
    )
    assert [(s.reason, s.rows) for s in pack.skipped] == [("no accelerator (CPU-only instance)", 1)]
    # the shipped p5en.48xlarge rows of four regions come from the same PR: the pack confirms them
    diff = diff_packs(engine, [pack])
    assert (len(diff.added), len(diff.changed), diff.unchanged) == (1, 0, 4)
    assert diff.added[0]["region"] == "us-west-1"


def test_gcp_gpu_machine_types_are_priced_as_host_vm_plus_gpus(engine: Engine, tmp_path: Path) -> None:
    gcp = tmp_path / "gcp" / "vms.csv"
    gcp.parent.mkdir()
    # host rows as in skypilot-catalog catalogs/v7/gcp/vms.csv @017e2502; the GPU row is made up here
    gcp.write_text(
        "InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,Region,AvailabilityZone,Price,SpotPrice\n"
        "a2-highgpu-8g,96.0,680.0,,,,europe-west4,europe-west4-a,6.51251,2.54592\n"
        "a2-highgpu-8g,96.0,680.0,,,,europe-west4,europe-west4-b,6.51251,2.54592\n"
        "a2-highgpu-8g,96.0,680.0,,,,us-west3,us-west3-b,7.10564,2.84204\n"
        ",,,A100,8,,europe-west4,europe-west4-a,24.0,10.0\n"
        "n1-highmem-8,8.0,52.0,,,,us-central2,us-central2-b,0.47321,0.09962\n"
    )
    (pack,) = _read(engine, gcp)
    assert pack.provider == "GCP"
    (row,) = pack.rows
    assert (row["instance"], row["region"], row["gpu_name"], row["gpu_count"]) == (
        "a2-highgpu-8g", "europe-west4", "A100 SXM 40GB", 8,
    )  # fmt: skip
    assert row["on_demand_per_hour"] == pytest.approx(6.51251 + 24.0)
    assert row["spot_per_hour"] == pytest.approx(2.54592 + 10.0)
    reasons = {s.reason: s.rows for s in pack.skipped}
    assert reasons == {
        "no accelerator (CPU-only instance)": 1,
        "host VM or its GPUs not priced in that region": 1,
    }


def test_gpu_names_of_packs_map_to_catalog_names() -> None:
    known = {"H100 SXM", "A100 SXM 40GB", "A100 SXM 80GB", "RTX A6000", "V100 SXM2 16GB", "L40S"}
    assert match_gpu("H100", None, known) == "H100 SXM"
    assert match_gpu("A100", 40.96, known) == "A100 SXM 40GB"
    assert match_gpu("A100", 81.92, known) == "A100 SXM 80GB"
    assert match_gpu("A100-80GB", None, known) == "A100 SXM 80GB"
    assert match_gpu("RTXA6000", 48.4, known) == "RTX A6000"
    assert match_gpu("V100", 32.0, known) is None  # a 32 GB V100 is not the catalog's 16 GB part
    assert match_gpu("T4", 16.0, known) is None
