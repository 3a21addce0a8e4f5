"""Price packs in the providers' JSON: Azure Retail Prices API answers and AWS Price List offer files.

The files in tests/data/packs/azure and tests/data/packs/aws are built from the documented schemas
(see that folder's README: no published file of either is stored in a public repository we could
reach); every expected figure below is read off those files or computed by hand here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from db import catalog, history
from db.io import CatalogImportError
from db.packs import PackError, apply_packs, diff_packs, read_packs
from db.tables import CloudSkuRow, PriceHistoryRow
from planner.catalog import CloudSku
from tests.catalog.conftest import DATA

PACKS = DATA / "packs"
AZURE = PACKS / "azure" / "retail_prices.json"
EC2 = PACKS / "aws" / "ec2_offer.json"
SAGEMAKER = PACKS / "aws" / "sagemaker_offer.json"
TODAY = dt.date(2026, 12, 3)
DOWNLOADED = dt.date(2026, 11, 25)  # the date given for the Azure answer (it carries none)
PUBLISHED = dt.date(2026, 11, 20)  # the offer files' publicationDate


def _read(engine: Engine, *paths: Path, as_of: dt.date | None = DOWNLOADED) -> list:
    return read_packs(list(paths), engine=engine, today=TODAY, as_of=as_of)


def _row(engine: Engine, provider: str, instance: str, region: str, kind: str = "iaas_vm") -> CloudSku:
    rows = [
        r
        for r in catalog.list_cloud_skus(engine, f"provider={provider} and region={region}")
        if r.instance == instance and r.service_kind == kind
    ]
    assert len(rows) == 1
    return rows[0]


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_azure_answer_imports_linux_on_demand_spot_and_reservations(engine: Engine) -> None:
    (pack,) = _read(engine, AZURE)
    assert (pack.provider, pack.as_of, len(pack.rows)) == ("Azure", DOWNLOADED, 2)
    assert {s.reason: s.rows for s in pack.skipped} == {
        "Windows price (Linux prices are stored)": 2,  # Windows pay-as-you-go + Windows Low Priority
        "Dev/Test price": 1,
        "instance not in the catalog (its GPUs are not known)": 1,  # Standard_D4s_v5
        "not a virtual machine price": 1,  # a Storage meter
    }
    apply_packs(engine, [pack])
    h100 = _row(engine, "Azure", "Standard_ND96isr_H100_v5", "eastus")
    # GPUs from the catalog's own row of that instance; prices from items 1, 3, 5, 6 of page 1
    assert (h100.gpu_name, h100.gpu_count) == ("H100 SXM", 8)
    assert (h100.on_demand_per_hour, h100.spot_per_hour) == (98.32, 18.169536)
    assert h100.reserved_1y_per_hour == pytest.approx(542594.4 / 8760)  # 61.94 an hour over 1 year
    assert h100.reserved_3y_per_hour == pytest.approx(1103760.0 / (3 * 8760))  # 42.00 over 3 years
    assert (h100.as_of, h100.origin, h100.billing_increment_s, h100.min_billing_s) == (
        DOWNLOADED,
        "imported",
        1,
        0,
    )
    # a region the catalog did not have: the instance's GPUs from its eastus row
    a100 = _row(engine, "Azure", "Standard_NC24ads_A100_v4", "westeurope")
    assert (a100.gpu_name, a100.gpu_count, a100.on_demand_per_hour, a100.spot_per_hour) == (
        "A100 PCIe 80GB",
        1,
        4.048,
        0.4856,
    )
    points = history.series(engine, "cloud", "Azure | Standard_ND96isr_H100_v5 | eastus | iaas_vm")
    assert [p.value for p in points["reserved_3y"]] == [pytest.approx(42.0)]


def test_azure_second_import_changes_nothing_and_other_regions_are_not_reported_gone(
    engine: Engine,
) -> None:
    diff = diff_packs(engine, _read(engine, AZURE))
    # the answer covers eastus and westeurope: of the shipped Azure VM rows there, those it omits
    gone = {k[1] + " " + k[2] for k in diff.no_longer_listed}
    assert "Standard_ND96asr_v4 eastus" in gone
    assert not any(k[2] in ("westus", "northcentralus", "unspecified") for k in diff.no_longer_listed)
    assert not any(k[3] == "managed_training" for k in diff.no_longer_listed)
    apply_packs(engine, _read(engine, AZURE))
    rows, points = _count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)
    diff, report = apply_packs(engine, _read(engine, AZURE))
    assert (len(diff.added), len(diff.changed), diff.unchanged) == (0, 0, 2)
    assert (report.inserted, report.updated) == (0, 0)
    assert (_count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)) == (rows, points)


def test_aws_offer_file_uses_its_publication_date_and_keeps_the_spot_price_it_does_not_list(
    engine: Engine,
) -> None:
    before = _row(engine, "AWS", "p5.48xlarge", "us-east-1")
    (pack,) = _read(engine, EC2, as_of=None)  # the offer file carries its date
    assert (pack.provider, pack.as_of) == ("AWS", PUBLISHED)
    assert sorted(f"{r['instance']} {r['region']}" for r in pack.rows) == [
        "p4d.24xlarge eu-west-1",  # older offers name the location only: "EU (Ireland)"
        "p5.48xlarge eu-central-1",
        "p5.48xlarge us-east-1",
    ]
    skipped = {s.reason: s.rows for s in pack.skipped}
    assert skipped["other OS, tenancy, software or capacity status (Linux shared is stored)"] == 3
    assert skipped["not an instance price"] == 1
    apply_packs(engine, [pack])
    p5 = _row(engine, "AWS", "p5.48xlarge", "us-east-1")
    assert p5.on_demand_per_hour == 55.04
    assert p5.spot_per_hour == before.spot_per_hour  # the Price List has no spot prices
    assert p5.reserved_1y_per_hour == 36.5  # standard 1-year No Upfront (preferred to All Upfront)
    assert p5.reserved_3y_per_hour == pytest.approx(599184 / (3 * 8760))  # All Upfront over 3 years = 22.80
    frankfurt = _row(engine, "AWS", "p5.48xlarge", "eu-central-1")
    assert (frankfurt.gpu_name, frankfurt.gpu_count, frankfurt.on_demand_per_hour) == ("H100 SXM", 8, 64.3968)
    assert (frankfurt.billing_increment_s, frankfurt.min_billing_s, frankfurt.as_of) == (1, 60, PUBLISHED)
    ireland = _row(engine, "AWS", "p4d.24xlarge", "eu-west-1")
    assert (ireland.gpu_name, ireland.on_demand_per_hour) == ("A100 SXM 40GB", 24.5126)
    points = history.series(engine, "cloud", "AWS | p5.48xlarge | us-east-1 | iaas_vm")["on_demand"]
    assert [p.value for p in points][-2:] == [before.on_demand_per_hour, 55.04]
    again, _ = apply_packs(engine, _read(engine, EC2, as_of=None))
    assert (len(again.added), len(again.changed), again.unchanged) == (0, 0, 3)


def test_aws_family_and_gpu_count_place_an_instance_the_catalog_lacks(engine: Engine, tmp_path: Path) -> None:
    doc = json.loads(EC2.read_text())
    product = doc["products"]["AAAAP5EUC1LINUX0"]
    product["attributes"]["instanceType"] = "p5e.48xlarge"
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(doc))
    (pack,) = _read(engine, path, as_of=None)
    row = next(r for r in pack.rows if r["instance"] == "p5e.48xlarge")
    # p5e = H200 (AWS_FAMILY_GPUS); count, vCPUs and memory from the offer's attributes: 2048 GiB in GB
    assert (row["gpu_name"], row["gpu_count"], row["vcpu"]) == ("H200 SXM", 8, 192)
    assert row["ram_gb"] == pytest.approx(2199.0, abs=0.1)


def test_sagemaker_training_prices_get_their_premium_over_the_ec2_price_of_the_same_batch(
    engine: Engine,
) -> None:
    packs = _read(engine, EC2, SAGEMAKER, as_of=None)
    sm = packs[1]
    assert sm.kind == "AWS Price List (SageMaker, JSON)"
    assert {s.reason: s.rows for s in sm.skipped} == {"not a SageMaker training instance": 1}
    diff = diff_packs(engine, packs)
    # neither pack reports the other kind's rows as gone
    assert not any(k[3] == "managed_training" for k in diff.no_longer_listed)
    apply_packs(engine, packs)
    ml = _row(engine, "AWS", "ml.p5.48xlarge", "us-east-1", "managed_training")
    assert ml.on_demand_per_hour == 63.296
    assert ml.managed_premium == pytest.approx(63.296 / 55.04 - 1)  # = 0.15
    assert (ml.min_billing_s, ml.as_of) == (0, PUBLISHED)


@pytest.mark.parametrize(
    ("edit", "row", "column", "reason"),
    [
        (lambda d: d[0]["Items"][2].update(retailPrice="abc"), 3, "retailPrice", "not a number"),
        (lambda d: d[1]["Items"][0].update(currencyCode="EUR"), 8, "currencyCode", "prices in EUR"),
        (lambda d: d[0]["Items"][4].update(reservationTerm="5 Years"), 5, "reservationTerm", "5 Years"),
        (lambda d: d[0]["Items"][0].update(unitOfMeasure="1/Month"), 1, "unitOfMeasure", "per hour"),
    ],
)
def test_a_bad_azure_item_is_refused_with_its_position_and_reason_and_nothing_is_written(
    engine: Engine, tmp_path: Path, edit: object, row: int, column: str, reason: str
) -> None:
    text = AZURE.read_text()
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(text)
    second, _ = decoder.raw_decode(text, end + 1)
    pages = [first, second]
    edit(pages)  # type: ignore[operator]
    bad = tmp_path / "bad.json"
    bad.write_text("\n".join(json.dumps(p) for p in pages))
    rows, points = _count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)
    with pytest.raises(PackError) as err:
        _read(engine, bad)
    assert [(e.row, e.column) for e in err.value.errors] == [(row, column)]
    assert reason in err.value.errors[0].reason
    assert (_count(engine, CloudSkuRow), _count(engine, PriceHistoryRow)) == (rows, points)


def test_a_bad_aws_price_is_refused_with_its_product_and_reason(engine: Engine, tmp_path: Path) -> None:
    doc = json.loads(EC2.read_text())
    term = doc["terms"]["OnDemand"]["AAAAP5EUC1LINUX0"]
    (dim,) = next(iter(term.values()))["priceDimensions"].values()
    dim["pricePerUnit"] = {"USD": "n/a"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(PackError) as err:
        _read(engine, bad, as_of=None)
    position = list(doc["products"]).index("AAAAP5EUC1LINUX0") + 1
    assert [(e.row, e.column) for e in err.value.errors] == [(position, "pricePerUnit")]
    assert "not a number: 'n/a'" in str(err.value)


def test_json_that_is_no_price_list_or_broken_is_refused_in_one_sentence(
    engine: Engine, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": []}')
    with pytest.raises(PackError, match="neither an Azure Retail Prices answer"):
        _read(engine, other)
    broken = tmp_path / "broken.json"
    broken.write_text('{"Items": [')
    with pytest.raises(CatalogImportError, match="is not readable JSON"):
        _read(engine, broken)
    undated = tmp_path / "undated.json"
    undated.write_text(AZURE.read_text())
    with pytest.raises(PackError, match="carries no date"):
        _read(engine, undated, as_of=None)


def test_the_price_list_query_api_answer_reads_like_the_offer_file(engine: Engine, tmp_path: Path) -> None:
    """``aws pricing get-products`` answers {"PriceList": [JSON text of {product, terms}, ...]}."""
    offer = json.loads(EC2.read_text())
    entries = []
    for sku, product in offer["products"].items():
        # an answer's terms are keyed by "SKU.OFFERTERMCODE" directly (the offer file nests them under the SKU)
        terms = {k: offer["terms"][k][sku] for k in ("OnDemand", "Reserved") if sku in offer["terms"][k]}
        entry = {"product": product, "serviceCode": "AmazonEC2", "terms": terms}
        entries.append(json.dumps({**entry, "publicationDate": offer["publicationDate"]}))
    path = tmp_path / "get-products.json"
    path.write_text(json.dumps({"FormatVersion": "aws_v1", "PriceList": entries}))
    (from_api,) = _read(engine, path, as_of=None)
    (from_offer,) = _read(engine, EC2, as_of=None)
    assert from_api.as_of == PUBLISHED

    def prices(pack: Any) -> list[dict[str, Any]]:
        return sorted(({k: v for k, v in r.items() if k != "notes"} for r in pack.rows), key=str)

    assert prices(from_api) == prices(from_offer)
    p5 = next(r for r in from_api.rows if (r["instance"], r["region"]) == ("p5.48xlarge", "us-east-1"))
    assert (p5["on_demand_per_hour"], p5["reserved_1y_per_hour"]) == (55.04, 36.5)


def test_an_instance_with_reservations_only_is_left_out_and_counted(engine: Engine, tmp_path: Path) -> None:
    text = AZURE.read_text()
    decoder = json.JSONDecoder()
    first, _ = decoder.raw_decode(text)
    first["Items"] = [i for i in first["Items"] if i["type"] == "Reservation"]
    path = tmp_path / "reservations.json"
    path.write_text(json.dumps(first))
    (pack,) = _read(engine, path)
    assert pack.rows == ()
    assert {s.reason: s.rows for s in pack.skipped} == {"reservations only, no on-demand price": 1}
