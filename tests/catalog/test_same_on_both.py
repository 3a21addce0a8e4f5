"""What the catalog stores is the same on SQLite and PostgreSQL: text PostgreSQL would refuse (a NUL
character, a value longer than its column) is refused in one sentence before anything is written, on both
(SQLite alone would keep it, and the catalog would break once shared). The SQLite file is owner-only, and
a server that cannot be reached is named (issue 22)."""

from __future__ import annotations

import csv
import datetime as dt
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from db.io import CatalogImportError, import_file
from db.projects import save_project
from db.quote_tables import QuoteRow
from db.quotes import QuoteImportError, save_quote
from db.schema import GPUS, TextFieldError
from db.session import DatabaseUnavailable, dispose_engines, get_engine
from db.tables import GpuRow, ProjectRow
from planner.quotes import Quote, QuoteLine


def _gpu_csv(path: Path, name: str, notes: str = "") -> Path:
    row = {
        "vendor": "Text Test Vendor",
        "name": name,
        "form_factor": "PCIe",
        "memory_gb": "48",
        "memory_bandwidth_gbs": "960",
        "bf16_dense_tflops": "180",
        "interconnect": "PCIe 4.0",
        "interconnect_gbs": "32",
        "source_url": "https://example.com/text-test",
        "as_of": "2026-01-05",
        "notes": notes,
    }
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, GPUS.header)
        writer.writeheader()
        writer.writerow(row)
    return path


def _gpu_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(GpuRow)).scalar_one()


@pytest.mark.parametrize(
    ("name", "notes", "column", "reason"),
    [
        ("RTX\x00 6000", "", "name", "holds a NUL byte at character 4"),
        ("X" * 129, "", "name", "is 129 characters long (at most 128)"),  # gpus.name is VARCHAR(128)
        ("RTX 6000 Test", "\x1b[31mred\x1b[0m", "notes", "holds a control character (U+001B)"),
    ],
)
def test_catalog_cells_refused_alike(
    engine: Engine, tmp_path: Path, name: str, notes: str, column: str, reason: str
) -> None:
    before = _gpu_count(engine)
    with pytest.raises(CatalogImportError) as refused:
        import_file(engine, _gpu_csv(tmp_path / "gpus.csv", name, notes))
    (error,) = refused.value.errors
    assert (error.row, error.column) == (2, column) and error.reason.startswith(reason)
    assert _gpu_count(engine) == before  # nothing written


def test_the_longest_name_that_fits_is_stored_on_both(engine: Engine, tmp_path: Path) -> None:
    report = import_file(engine, _gpu_csv(tmp_path / "gpus.csv", "Y" * 128))
    assert report.inserted == 1


def test_quote_text_refused_alike(engine: Engine) -> None:
    quote = Quote(
        vendor="Text Test Vendor",
        currency="USD",
        quote_date=dt.date(2026, 11, 2),
        lines=(QuoteLine("Server", 1, 1000.0, part_number="P" * 201),),  # part_number is VARCHAR(200)
        quote_number="Q\x00-1",
    )
    with pytest.raises(QuoteImportError) as refused:
        save_quote(engine, quote)
    reasons = {(i.row, i.column): i.reason for i in refused.value.issues}
    assert reasons[(None, "quote_number")] == "holds a NUL byte at character 2; remove it"
    assert reasons[(1, "part_number")] == "is 201 characters long (at most 200)"
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(QuoteRow)).scalar_one() == 0


def test_project_text_refused_alike(engine: Engine) -> None:
    with pytest.raises(TextFieldError, match=r"the name is 201 characters long \(at most 200\)$"):
        save_project(engine, "N" * 201, {"version": 1, "name": "N" * 201})
    with pytest.raises(TextFieldError, match="the client holds a NUL byte at character 2"):
        save_project(engine, "Plan", {"version": 1, "name": "Plan", "client": "A\x00B"})
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(ProjectRow)).scalar_one() == 0


def test_the_sqlite_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "catalog.sqlite3"
    try:
        engine = get_engine(f"sqlite:///{path}")
        save_project(engine, "Plan", {"version": 1, "name": "Plan"})  # the WAL file exists now
        for file in (path, path.with_name(path.name + "-wal")):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        dispose_engines()


def test_a_catalog_left_readable_by_others_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    try:
        get_engine(f"sqlite:///{path}")
    finally:
        dispose_engines()
    path.chmod(0o644)  # as an older version left it
    try:
        get_engine(f"sqlite:///{path}")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        dispose_engines()


def test_an_unreachable_server_is_named() -> None:
    with pytest.raises(DatabaseUnavailable) as down:
        get_engine("postgresql://planner@127.0.0.1:1/teamcatalog")
    assert str(down.value) == "cannot reach the team catalog at 127.0.0.1:1/teamcatalog (connection refused)"
