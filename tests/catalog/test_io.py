"""CSV / XLSX import and export: round trips, idempotent re-import, and all-or-nothing validation."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from db import catalog
from db.io import TABLES, CatalogImportError, export_file, import_file, table_values
from db.schema import SPECS, CellProblem
from db.session import get_engine
from tests.catalog.conftest import DATA
from tests.dates import TODAY

MALFORMED = DATA / "catalog_malformed_cloud.csv"
# (row, column, words of the reason) expected for MALFORMED; row 2 ("80GB", "40%", "$1,020.50") is valid.
EXPECTED_ERRORS = {
    (3, "gpu_name", "unknown GPU name 'H100 SXM5X'"),
    (4, "on_demand_per_hour", "negative"),
    (5, "on_demand_per_hour", "not a number"),
    (6, "source_url", "missing value"),
    (7, "as_of", "in the future"),
    (8, "ram_gb", "unknown unit 'furlongs'"),
}
ORDER = ["gpus", "servers", "cloud", "models", "fx"]  # servers and cloud refer to GPUs


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_round_trip_gives_identical_rows(
    engine: Engine, second_url: str, tmp_path: Path, suffix: str
) -> None:
    target = get_engine(second_url, seed=False)
    for table in ORDER:
        path = tmp_path / f"{table}{suffix}"
        assert export_file(engine, path, table) == len(table_values(engine, table))
        report = import_file(target, path)  # table inferred from the header
        assert report.table == table and report.inserted == len(table_values(engine, table))
    for table in ORDER:
        assert table_values(target, table) == table_values(engine, table), table
        again = tmp_path / f"again-{table}{suffix}"
        export_file(target, again, table)
        if suffix == ".csv":
            assert again.read_bytes() == (tmp_path / f"{table}{suffix}").read_bytes()


def test_reimport_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    for table in sorted(TABLES):
        path = tmp_path / f"{table}.csv"
        export_file(engine, path, table)
        report = import_file(engine, path, table)
        assert (report.inserted, report.updated) == (0, 0)
        assert report.unchanged == len(table_values(engine, table))
    assert {g.origin for g in catalog.list_gpus(engine)} == {"shipped"}  # unchanged rows keep their origin


def _errors(exc: CatalogImportError) -> set[tuple[int, str, str]]:
    found = set()
    for e in exc.errors:
        match = next((x for x in EXPECTED_ERRORS if x[:2] == (e.row, e.column) and x[2] in e.reason), None)
        found.add(match or (e.row, e.column, e.reason))
    return found


def test_malformed_csv_lists_every_bad_cell_and_writes_nothing(engine: Engine) -> None:
    before = table_values(engine, "cloud")
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, MALFORMED)
    assert _errors(err.value) == EXPECTED_ERRORS
    assert "6 problem(s), nothing imported" in str(err.value)
    assert table_values(engine, "cloud") == before


def test_malformed_xlsx_is_rejected_the_same_way(engine: Engine, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    with MALFORMED.open(newline="") as fh:
        for cells in csv.reader(fh):
            sheet.append(cells)
    path = tmp_path / "malformed.xlsx"
    wb.save(path)
    before = table_values(engine, "cloud")
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, path, "cloud")
    assert _errors(err.value) == EXPECTED_ERRORS
    assert table_values(engine, "cloud") == before


def test_the_valid_row_parses_units_it_can(engine: Engine, tmp_path: Path) -> None:
    with MALFORMED.open(newline="") as fh:
        lines = list(csv.reader(fh))
    path = tmp_path / "one.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(lines[:2])
    assert import_file(engine, path).inserted == 1
    sku = next(c for c in catalog.list_cloud_skus(engine) if c.instance == "ok-80GB")
    assert (sku.ram_gb, sku.max_savings_plan_discount, sku.on_demand_per_hour) == (80.0, 0.4, 1020.5)
    assert sku.origin == "imported"


def test_header_problems_and_duplicates(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text(
        "base,quote,rate,as_of,source_url,colour\n"
        "EUR,USD,1.1,2026-01-02,https://example.com,red\n"
        "EUR,USD,1.2,2026-01-02,https://example.com,blue\n"
        "EUR,EUR,1.0,2026-01-02,https://example.com,\n"
    )
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, path, "fx")
    got = {(e.row, e.column) for e in err.value.errors}
    assert got == {(1, "colour"), (3, "base+quote+as_of"), (4, "quote")}
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CatalogImportError, match="empty"):
        import_file(engine, empty)


@pytest.mark.parametrize(
    ("column", "raw", "value"),
    [
        ("memory_gb", "80GB", 80.0),
        ("memory_gb", "80 GB", 80.0),
        ("memory_bandwidth_gbs", "3.35 TB/s", 3350.0),
        ("tdp_w", "1 kW", 1000.0),
        ("price_low_usd", "$25,000", 25000.0),
        ("price_low_usd", "25000 USD", 25000.0),
    ],
)
def test_unit_suffixes_that_are_unambiguous(column: str, raw: str, value: float) -> None:
    assert SPECS["gpus"].column(column).parse(raw, TODAY) == pytest.approx(value)


@pytest.mark.parametrize(
    ("column", "raw"),
    [("memory_gb", "80 furlongs"), ("memory_gb", "80 TB/s"), ("tdp_w", "-5"), ("price_low_usd", "1.2.3")],
)
def test_units_and_numbers_that_are_rejected(column: str, raw: str) -> None:
    with pytest.raises(CellProblem):
        SPECS["gpus"].column(column).parse(raw, TODAY)
