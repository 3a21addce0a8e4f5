"""A newer shipped catalog updates shipped rows and adds new ones; user and imported rows stay."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import catalog
from db.io import import_file
from db.seed import sync_shipped
from db.session import get_engine
from planner.catalog import Gpu
from tests.catalog.conftest import SHIPPED


def _edit_csv(path: Path, edit: dict[str, dict[str, str]], add: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        row.update(edit.get(row["name"], {}))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows([*rows, *add])


@pytest.fixture
def newer_catalog(tmp_path: Path) -> Path:
    """The shipped CSVs as a later app version would ship them: one price changed, two GPUs added."""
    target = tmp_path / "catalog-next"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    new_gpu = {
        "vendor": "NVIDIA",
        "name": "Next GPU",
        "form_factor": "SXM",
        "memory_gb": "288",
        "memory_bandwidth_gbs": "8000",
        "bf16_dense_tflops": "2500",
        "fp8_dense_tflops": "5000",
        "tdp_w": "1200",
        "interconnect": "NVLink 5",
        "interconnect_gbs": "1800",
        "price_low_usd": "",
        "price_high_usd": "",
        "source_url": "https://example.com/next",
        "as_of": "2026-10-01",
        "notes": "",
    }
    users_name = {**new_gpu, "vendor": "Acme", "name": "Acme X1", "price_low_usd": "1", "price_high_usd": "1"}
    _edit_csv(
        target / "gpus.csv",
        {"L4": {"price_low_usd": "2500", "price_high_usd": "3000"}, "A10G": {"tdp_w": "151"}},
        [new_gpu, users_name],
    )
    return target


def _acme(as_of: dt.date) -> Gpu:
    return Gpu(
        "Acme",
        "Acme X1",
        "PCIe",
        64,
        1000,
        200,
        None,
        300,
        "PCIe Gen5 x16",
        128,
        9000,
        9500,
        "https://example.com/acme-quote",
        as_of,
    )


def test_user_and_imported_rows_survive_a_newer_catalog(
    engine: Engine, newer_catalog: Path, tmp_path: Path
) -> None:
    today = catalog.get_gpu(engine, "L4").as_of
    catalog.save_row(engine, _acme(today))
    # The consultant imported their own A10G figure (changed TDP) over the shipped row.
    a10g = catalog.get_gpu(engine, "A10G")
    own = tmp_path / "own.csv"
    with own.open("w", newline="") as fh:
        writer = csv.writer(fh)
        from db.schema import SPECS

        writer.writerow(SPECS["gpus"].header)
        values = dataclasses.asdict(a10g) | {"tdp_w": 140.0, "notes": "measured"}
        writer.writerow(["" if values.get(c) is None else values.get(c) for c in SPECS["gpus"].header])
    taken = import_file(engine, own, replace_shipped=True)  # without the flag: refused (test_review_fixes)
    assert (taken.updated, taken.took_over) == (1, 1)

    report = sync_shipped(engine, newer_catalog)

    gpus = next(r for r in report.tables if r.table == "gpus")
    assert (gpus.inserted, gpus.updated, gpus.skipped) == (1, 1, 2)  # Next GPU; L4; Acme X1 + A10G kept
    l4 = catalog.get_gpu(engine, "L4")
    assert (l4.price_low_usd, l4.price_high_usd, l4.origin) == (2500, 3000, "shipped")
    assert catalog.get_gpu(engine, "Next GPU").origin == "shipped"
    acme = catalog.get_gpu(engine, "Acme X1")
    assert (acme.origin, acme.price_low_usd) == ("user", 9000)
    mine = catalog.get_gpu(engine, "A10G")
    assert (mine.origin, mine.tdp_w) == ("imported", 140)
    assert not sync_shipped(engine, newer_catalog).changed  # same fingerprint: nothing to do


def test_get_engine_takes_a_catalog_directory(db_url: str, newer_catalog: Path) -> None:
    get_engine(db_url)
    engine = get_engine(db_url, catalog_dir=newer_catalog)
    assert catalog.get_gpu(engine, "Next GPU").bf16_dense_tflops == 2500


def test_user_rows_cannot_overwrite_or_delete_shipped_rows(engine: Engine) -> None:
    shipped = catalog.get_gpu(engine, "L4")
    with pytest.raises(ValueError, match="shipped catalog row"):
        catalog.save_row(engine, dataclasses.replace(shipped, tdp_w=80, origin="user"))
    with pytest.raises(ValueError, match="cannot be deleted"):
        catalog.delete_row(engine, shipped)
    acme = _acme(shipped.as_of)
    catalog.save_row(engine, acme)
    catalog.save_row(engine, dataclasses.replace(acme, tdp_w=320))  # a user row may be updated
    assert catalog.get_gpu(engine, "Acme X1").tdp_w == 320
    catalog.delete_row(engine, acme)
    with pytest.raises(LookupError):
        catalog.get_gpu(engine, "Acme X1")
    with pytest.raises(LookupError):
        catalog.delete_row(engine, acme)


def test_save_row_validates_like_an_import(engine: Engine) -> None:
    from planner.catalog import CloudSku

    sku = CloudSku(
        "Acme",
        "gpu_cloud",
        "x1",
        "eu",
        "No Such GPU",
        1,
        None,
        None,
        "gpu",
        -1.0,
        None,
        None,
        None,
        None,
        1,
        0,
        0.0,
        None,
        None,
        "https://example.com",
        catalog.list_fx(engine)[0].as_of,
    )
    with pytest.raises(ValueError) as err:
        catalog.save_row(engine, sku)
    assert "unknown GPU name" in str(err.value) and "negative" in str(err.value)


def test_a_gpu_in_use_cannot_be_deleted(engine: Engine) -> None:
    from planner.catalog import CloudSku

    acme = _acme(catalog.get_gpu(engine, "L4").as_of)
    catalog.save_row(engine, acme)
    sku = CloudSku(
        "Acme",
        "gpu_cloud",
        "x1",
        "eu",
        "Acme X1",
        1,
        None,
        None,
        "gpu",
        1.0,
        None,
        None,
        None,
        None,
        1,
        0,
        0.0,
        None,
        None,
        "https://example.com",
        acme.as_of,
    )
    catalog.save_row(engine, sku)
    with pytest.raises(ValueError, match="still used"):
        catalog.delete_row(engine, acme)
    catalog.delete_row(engine, sku)
    catalog.delete_row(engine, acme)
