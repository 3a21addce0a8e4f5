"""Review findings on the catalog layer: --where errors, taking over shipped rows, unreadable files,
date cells in number columns, a header for another table, GPU form factor and positive quantities."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from db import catalog
from db.io import CatalogImportError, export_file, import_file, parse_rows, table_values
from db.schema import FORM_FACTORS, SPECS, CellProblem
from db.session import dispose_engines
from tests.catalog.conftest import SHIPPED
from tests.dates import TODAY
from ui.cli import main

GPU_HEADER = SPECS["gpus"].header


def _shipped_gpus() -> list[dict[str, str]]:
    with (SHIPPED / "gpus.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write_csv(path: Path, rows: list[dict[str, object]], header: list[str] = GPU_HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def cli_engines() -> object:
    yield
    dispose_engines()


# ------------------------------------------------------------------------------------- P5: --where


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("memroy_gb>80", ["no field 'memroy_gb'", "did you mean memory_gb?", "fields:", "tdp_w"]),
        ("memory_gb>", ["no value after '>'"]),
        ("memory_gb<abc", ["memory_gb is a number", "'abc' is not one"]),
        ("as_of>last year", ["as_of is a date"]),
        ("vendor=NVIDIA and memroy_gb>80", ["no field 'memroy_gb'"]),
    ],
)
def test_where_clause_with_unknown_field_or_bad_value_is_an_error(
    engine: Engine, where: str, words: list[str]
) -> None:
    with pytest.raises(catalog.WhereError) as err:
        catalog.list_gpus(engine, where)
    for word in words:
        assert word in str(err.value)


def test_where_clauses_text_and_units_still_work(engine: Engine) -> None:
    shipped = _shipped_gpus()
    big = sorted(r["name"] for r in shipped if float(r["memory_gb"]) > 80)
    assert big and sorted(g.name for g in catalog.list_gpus(engine, "memory_gb>80")) == big
    assert sorted(g.name for g in catalog.list_gpus(engine, "memory_gb>80GB")) == big
    amd = sorted(r["name"] for r in shipped if r["vendor"] == "AMD")
    assert sorted(g.name for g in catalog.list_gpus(engine, "vendor=amd")) == amd
    # plain text (no field<op>value shape) stays a full-text search
    text_columns = ("vendor", "name", "form_factor", "interconnect", "source_url")  # Gpu's str fields

    def mentions(r: dict[str, str], word: str) -> bool:
        return any(word.lower() in r[c].lower() for c in text_columns)

    h100 = {r["name"] for r in shipped if mentions(r, "h100")}
    assert "H100 SXM" in h100 and {g.name for g in catalog.list_gpus(engine, "h100")} == h100
    assert catalog.list_gpus(engine, "no such gpu anywhere") == []
    # text words next to clauses narrow the clauses
    both = {g.name for g in catalog.list_gpus(engine, "H100 and memory_gb>=90")}
    assert both == {r["name"] for r in shipped if mentions(r, "H100") and float(r["memory_gb"]) >= 90}
    assert both  # H100 NVL, 94 GB


def test_cli_where_typo_exits_non_zero_with_the_reason(
    capsys: pytest.CaptureFixture[str], cli_engines: object
) -> None:
    assert main(["catalog", "list", "gpus", "--where", "memroy_gb>80"]) == 2
    err = capsys.readouterr().err
    assert "did you mean memory_gb?" in err and "row(s)" not in err


# --------------------------------------------------------------------- P12: taking over shipped rows


def _changed_a10g(tmp_path: Path) -> Path:
    row = next(r for r in _shipped_gpus() if r["name"] == "A10G")
    return _write_csv(tmp_path / "own.csv", [{**row, "tdp_w": "140", "notes": "measured"}])


def test_changing_a_shipped_row_needs_replace_shipped(engine: Engine, tmp_path: Path) -> None:
    path = _changed_a10g(tmp_path)
    before = table_values(engine, "gpus")
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, path)
    (error,) = err.value.errors
    assert (error.row, error.column) == (2, "tdp_w")
    assert "shipped row NVIDIA / A10G" in error.reason and "tdp_w 150 -> 140" in error.reason
    assert "--replace-shipped" in error.reason
    assert table_values(engine, "gpus") == before
    report = import_file(engine, path, replace_shipped=True)
    assert (report.updated, report.took_over) == (1, 1)
    assert "took over 1 shipped row(s) (they will no longer be updated by new app versions)" in (
        report.summary()
    )
    assert catalog.get_gpu(engine, "A10G").origin == "imported"
    again = import_file(engine, path)  # now the user's row: no flag needed, nothing changes
    assert (again.unchanged, again.took_over) == (1, 0)


def test_cli_replace_shipped(capsys: pytest.CaptureFixture[str], tmp_path: Path, cli_engines: object) -> None:
    path = _changed_a10g(tmp_path)
    assert main(["catalog", "import", str(path)]) == 4
    err = capsys.readouterr().err
    assert "row 2, column tdp_w" in err and "nothing imported" in err
    assert main(["catalog", "import", str(path), "--replace-shipped"]) == 0
    out = capsys.readouterr().out
    assert "1 updated" in out and "took over 1 shipped row(s)" in out
    assert main(["catalog", "list", "gpus", "--where", "name=A10G", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["origin"] == "imported"


# ------------------------------------------------------------------------- P14: unreadable files


def _one_sentence(capsys: pytest.CaptureFixture[str], path: Path, sentence: str) -> None:
    assert main(["catalog", "import", str(path)]) == 4
    err = capsys.readouterr().err
    assert f"{path} {sentence}" in err
    assert "Traceback" not in err and "Errno" not in err and "codec" not in err
    assert len(err.strip().splitlines()) == 1


def test_unreadable_files_are_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cli_engines: object
) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("vendor,name\nNVIDIA,Café\n".encode("latin-1"))
    _one_sentence(capsys, latin, "is not UTF-8 text (save it as UTF-8 CSV)")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    _one_sentence(capsys, folder, "is a folder")
    _one_sentence(capsys, tmp_path / "missing.csv", "does not exist")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("vendor,name\n", encoding="utf-8")
    _one_sentence(capsys, fake, "is not a readable XLSX workbook")


def test_unreadable_file_is_an_import_error_for_the_ui(engine: Engine, tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, fake)
    assert [e.reason for e in err.value.errors] == ["is not a readable XLSX workbook"]


def test_date_cell_in_a_number_column(engine: Engine, tmp_path: Path) -> None:
    row = next(r for r in _shipped_gpus() if r["name"] == "L4")
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(GPU_HEADER)
    cells: list[object] = [row[c] for c in GPU_HEADER]
    cells[GPU_HEADER.index("name")] = "L4 (date cell)"
    cells[GPU_HEADER.index("memory_gb")] = dt.datetime(2024, 1, 1)
    sheet.append(cells)
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, path)
    (error,) = err.value.errors
    assert (error.row, error.column) == (2, "memory_gb")
    assert error.reason.startswith("expected a number, got a date")


def test_header_of_another_table_is_one_error(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "gpus.csv"
    assert export_file(engine, path, "gpus") > 0
    with pytest.raises(CatalogImportError) as err:
        import_file(engine, path, "cloud")
    (error,) = err.value.errors
    assert error.row == 1 and "the header does not match table cloud" in error.reason
    assert "missing column(s) provider, service_kind, instance" in error.reason
    assert "unexpected column(s) vendor, name, form_factor" in error.reason
    assert "it looks like a gpus file" in error.reason


# -------------------------------------------------------------------- P14: GPU cell validation


def test_every_shipped_form_factor_is_valid_and_others_are_not() -> None:
    column = SPECS["gpus"].column("form_factor")
    today = TODAY
    for r in _shipped_gpus():
        assert column.parse(r["form_factor"], today) == r["form_factor"]
    assert set(FORM_FACTORS) >= {"SXM", "PCIe", "OAM", "NVL", "consumer", "module"}
    assert column.parse("pcie", today) == "PCIe"  # case-insensitive, stored canonically
    with pytest.raises(CellProblem, match="'Banana' is not one of SXM, PCIe"):
        column.parse("Banana", today)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("gpus", "memory_gb"),
        ("gpus", "memory_bandwidth_gbs"),
        ("gpus", "bf16_dense_tflops"),
        ("gpus", "fp8_dense_tflops"),
        ("gpus", "tdp_w"),
        ("gpus", "interconnect_gbs"),
        ("gpus", "price_low_usd"),
        ("servers", "ram_gb"),
        ("servers", "max_power_kw"),
        ("servers", "list_price_usd"),
        ("cloud", "on_demand_per_hour"),
        ("cloud", "spot_per_hour"),
        ("cloud", "vcpu"),
        ("models", "active_params_b"),
    ],
)
def test_zero_is_rejected_where_a_quantity_must_be_positive(table: str, column: str) -> None:
    with pytest.raises(CellProblem, match="must be greater than 0|is below 1"):
        SPECS[table].column(column).parse("0", TODAY)


def test_banana_and_zero_memory_rows_are_rejected_by_parse_rows() -> None:
    row = next(r for r in _shipped_gpus() if r["name"] == "L4")
    bad = {**row, "name": "Odd", "form_factor": "Banana", "memory_gb": "0"}
    parsed, errors = parse_rows(SPECS["gpus"], GPU_HEADER, [(2, [bad[c] for c in GPU_HEADER])])
    assert parsed == []
    assert {(e.column, e.reason) for e in errors} == {
        ("form_factor", "'Banana' is not one of " + ", ".join(FORM_FACTORS)),
        ("memory_gb", "0 must be greater than 0"),
    }


def test_user_row_with_zero_memory_is_refused(engine: Engine) -> None:
    l4 = catalog.get_gpu(engine, "L4")
    with pytest.raises(ValueError, match="memory_gb: 0 must be greater than 0"):
        catalog.save_row(engine, dataclasses.replace(l4, name="L4 zero", memory_gb=0.0, origin="user"))
