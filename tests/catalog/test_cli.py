"""`planner catalog ...` through ui.cli.main, on the default SQLite database of the test's data dir."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from db.session import dispose_engines
from planner.catalog import STALE_AFTER_DAYS
from tests.catalog.conftest import DATA, SHIPPED
from tests.dates import TODAY
from ui.cli import main


@pytest.fixture(autouse=True)
def _fresh_engines() -> object:
    yield
    dispose_engines()


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_list_json_and_where(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, ["catalog", "list", "gpus", "--json"])
    assert isinstance(rows, list) and len(rows) == sum(
        1 for _ in csv.DictReader((SHIPPED / "gpus.csv").open())
    )
    amd = _json(capsys, ["catalog", "list", "gpus", "--where", "vendor=AMD", "--json"])
    shipped_amd = [r["name"] for r in csv.DictReader((SHIPPED / "gpus.csv").open()) if r["vendor"] == "AMD"]
    assert sorted(r["name"] for r in amd) == sorted(shipped_amd) and "MI300X" in shipped_amd
    assert main(["catalog", "list", "cloud", "--where", "provider=CoreWeave"]) == 0
    text = capsys.readouterr().out
    assert "HGX H100 (8x)" in text and "6 row(s)" in text


def test_stale_lists_rows_older_than_twelve_months(capsys: pytest.CaptureFixture[str]) -> None:
    today = TODAY
    expected = set()
    for table, key in {
        "gpus": ("vendor", "name"),
        "servers": ("vendor", "model"),
        "models": ("name",),
        "cloud": ("provider", "instance", "region", "service_kind"),
        "fx": ("base", "quote", "as_of"),
    }.items():
        for row in csv.DictReader((SHIPPED / f"{table}.csv").open(encoding="utf-8")):
            if (today - dt.date.fromisoformat(row["as_of"])).days > STALE_AFTER_DAYS:
                expected.add((table, " / ".join(row[k] for k in key)))
    stale = _json(capsys, ["catalog", "stale", "--today", TODAY.isoformat(), "--json"])
    assert {(r["table"], r["key"]) for r in stale} == expected
    assert expected  # the shipped catalog does hold old figures (e.g. the 2022 ECB rates)
    listed = _json(capsys, ["catalog", "list", "fx", "--today", TODAY.isoformat(), "--json"])
    for r in listed:
        assert r["stale"] == ((today - dt.date.fromisoformat(r["as_of"])).days > STALE_AFTER_DAYS)


def test_import_reports_every_bad_cell_and_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["catalog", "import", str(DATA / "catalog_malformed_cloud.csv")])
    err = capsys.readouterr().err
    assert code == 4
    for where in (
        "row 3, column gpu_name",
        "row 4, column on_demand_per_hour",
        "row 5, column on_demand_per_hour",
        "row 6, column source_url",
        "row 7, column as_of",
        "row 8, column ram_gb",
    ):
        assert where in err
    assert "nothing imported" in err


def test_export_then_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "models.xlsx"
    assert main(["catalog", "export", str(out), "--table", "models"]) == 0
    assert "row(s) written" in capsys.readouterr().out
    report = _json(capsys, ["catalog", "import", str(out), "--json"])
    shipped = sum(1 for _ in csv.DictReader((SHIPPED / "models.csv").open(encoding="utf-8")))
    assert report == {
        "table": "models",
        "inserted": 0,
        "updated": 0,
        "unchanged": shipped,
        "skipped": 0,
        "took_over": 0,
        "warnings": [],
    }


def test_bad_database_url_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", "postgresql://nobody@127.0.0.1:1/none", "catalog", "list", "fx"])
    assert code == 3
    assert (
        capsys.readouterr().err
        == "planner: cannot reach the team catalog at 127.0.0.1:1/none (connection refused)\n"
    )


def test_update_shows_the_diff_then_applies_it_once(capsys: pytest.CaptureFixture[str]) -> None:
    pack = str(DATA / "packs" / "skypilot" / "nebius" / "vms.csv")
    assert main(["catalog", "update", pack, "--as-of", "2026-08-10"]) == 0
    text = capsys.readouterr().out
    assert "Nebius, snapshot of 2026-08-10, 21 priced GPU row(s)" in text
    assert "left out 40 row(s): no accelerator (CPU-only instance)" in text
    assert "18 added, 1 changed, 0 unchanged, 3 no longer listed, 2 kept (newer in the catalog)" in text
    assert (
        "changed  Nebius / gpu-h100-sxm_8gpu-128vcpu-1600gb / eu-north1 / gpu_cloud: spot — -> $10.00" in text
    )
    assert "nothing written (diff only)" in text
    shipped = _json(capsys, ["catalog", "list", "cloud", "--where", "provider=Nebius", "--json"])
    applied = _json(capsys, ["catalog", "update", pack, "--as-of", "2026-08-10", "--apply", "--json"])
    assert (applied["applied"], applied["written"], len(applied["added"])) == (True, 19, 18)
    again = _json(capsys, ["catalog", "update", pack, "--as-of", "2026-08-10", "--apply", "--json"])
    assert (again["written"], again["unchanged"]) == (0, 19)
    nebius = _json(capsys, ["catalog", "list", "cloud", "--where", "provider=Nebius", "--json"])
    assert len(nebius) == len(shipped) + 18


def test_update_refuses_a_non_pack_file_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "update", str(SHIPPED / "cloud.csv"), "--as-of", "2026-08-10"]) == 4
    err = capsys.readouterr().err
    assert "not a price pack this app reads" in err and "nothing imported" in err


def test_update_reads_an_aws_price_list_without_a_date_and_asks_for_one_elsewhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    offer = str(DATA / "packs" / "aws" / "ec2_offer.json")
    applied = _json(
        capsys, ["catalog", "update", offer, "--apply", "--json"]
    )  # its publicationDate: 2026-11-20
    assert (applied["applied"], len(applied["added"]), len(applied["changed"])) == (True, 1, 2)
    p5 = _json(
        capsys, ["catalog", "list", "cloud", "--where", "instance=p5.48xlarge and region=us-east-1", "--json"]
    )
    assert [(r["on_demand_per_hour"], r["as_of"]) for r in p5] == [(55.04, "2026-11-20")]
    azure = str(DATA / "packs" / "azure" / "retail_prices.json")
    assert main(["catalog", "update", azure]) == 4
    assert "the file carries no date: give the date of the snapshot" in capsys.readouterr().err
