"""The input boundary case by case: each hostile input of issue 21 that used to escape, now one sentence."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, text

from db.io import CatalogImportError, export_file, import_file, table_values
from db.quotes import QuoteImportError, parse_quote_file
from planner.analysis import analyse
from planner.inputs import BadInput, clean_text, loads_json, neutralise, terminal_safe
from planner.project import MAX_OPTIONS, MAX_SAMPLE_CELLS, ProjectError, load_project, parse_project
from tests.dates import TODAY
from tests.fuzz import hostile
from ui.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "research_spot.json"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    from db.session import get_engine

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    monkeypatch.setenv("PLANNER_DB", url)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    return get_engine(url)


def _project() -> dict[str, object]:
    data: dict[str, object] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------------------------------------- JSON


def test_deep_nesting_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")  # RecursionError in json before
    with pytest.raises(ProjectError, match="nests 100000 levels deep, more than the 32 levels"):
        load_project(path)


def test_integer_of_5000_digits_is_refused_before_conversion() -> None:
    with pytest.raises(BadInput, match="an integer of 5,000 digits is too long"):
        loads_json('{"servers": ' + "9" * 5000 + "}")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e400"])
def test_nonfinite_numbers_in_a_demand_profile_are_refused_naming_the_entry(
    literal: str, tmp_path: Path
) -> None:
    raw = json.dumps(_project()).replace(
        '"demand": {', '"demand": {"monthly_profile": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, X], ', 1
    )
    path = tmp_path / "p.json"
    path.write_text(raw.replace("X", literal), encoding="utf-8")
    with pytest.raises(ProjectError, match=re.escape("demand.monthly_profile[11]: must be a finite number")):
        load_project(path)


def test_huge_finite_values_are_refused_before_they_overflow() -> None:
    d = _project()
    d["options"][0]["rate_per_hour"] = 1e300  # type: ignore[index]
    with pytest.raises(ProjectError, match=r"options\[0\]\.rate_per_hour: is 1e\+300, beyond the ±1e\+15"):
        parse_project(d)


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("a\x00b", "a NUL byte"),
        ("\x1b[31mred", "control character (U+001B)"),
        ("\ud800", "lone UTF-16 surrogate"),
    ],
)
def test_text_with_nul_control_or_surrogate_is_refused(value: str, what: str) -> None:
    d = _project()
    d["client"] = value
    with pytest.raises(ProjectError, match=re.escape(what)):
        parse_project(d)


def test_text_is_normalised_to_nfc() -> None:
    d = _project()
    d["client"] = "Cafe\u0301"
    assert parse_project(d).client == "Caf\u00e9"
    assert clean_text("tab\tand\nnew line", "x") == "tab\tand\nnew line"


def test_impossible_dates_are_refused() -> None:
    d = _project()
    d["options"][0]["as_of"] = "2026-02-30"  # type: ignore[index]
    with pytest.raises(ProjectError, match="'2026-02-30' is not a real date"):
        parse_project(d)
    d["options"][0]["as_of"] = "2024-02-29 list price"  # type: ignore[index]
    assert parse_project(d).options[0].as_of == "2024-02-29 list price"


def test_options_beyond_the_limit_are_refused_with_the_limit() -> None:
    d = _project()
    first = d["options"][0]  # type: ignore[index]
    d["options"] = [{**first, "name": f"o{i}"} for i in range(MAX_OPTIONS + 1)]
    with pytest.raises(ProjectError, match=f"has 61 entries; a project may hold at most {MAX_OPTIONS}"):
        parse_project(d)


def test_monte_carlo_beyond_samples_times_options_is_refused_before_allocating() -> None:
    project = load_project(SAMPLE)
    n = len(project.options)
    with pytest.raises(ProjectError, match="more than the 100,000 one analysis may draw"):
        analyse(project, today=TODAY, samples=10_000_000)
    samples = MAX_SAMPLE_CELLS // n + 1
    if samples <= 100_000:
        with pytest.raises(
            ProjectError, match=f"more than the {MAX_SAMPLE_CELLS:,} one analysis may compute"
        ):
            analyse(project, today=TODAY, samples=samples)


# ---------------------------------------------------------------------------------------- CSV/XLSX


def _catalog_rows(table: str) -> list[list[str]]:
    with (ROOT / "resources" / "catalog" / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def test_csv_cell_over_the_csv_modules_limit_names_row_and_column(engine: Engine, tmp_path: Path) -> None:
    rows = _catalog_rows("gpus")
    rows[3][rows[0].index("notes")] = "x" * 200_000  # over csv's 131,072 default: csv.Error before
    path = tmp_path / "gpus.csv"
    _write_csv(path, rows)
    before = table_values(engine, "gpus")
    with pytest.raises(CatalogImportError, match="row 4, column notes: the cell is 200,000 characters long"):
        import_file(engine, path)
    assert table_values(engine, "gpus") == before


def test_nul_and_escape_in_catalog_cells_are_refused(engine: Engine, tmp_path: Path) -> None:
    rows = _catalog_rows("gpus")
    rows[2][rows[0].index("notes")] = "ok\x00"
    rows[5][rows[0].index("interconnect")] = "\x1b]0;title\x07NVLink"
    path = tmp_path / "gpus.csv"
    _write_csv(path, rows)
    with pytest.raises(CatalogImportError) as info:
        import_file(engine, path, replace_shipped=True)
    message = str(info.value)
    assert "row 3, column notes: holds a NUL byte" in message
    assert "row 6, column interconnect: holds a control character (U+001B)" in message


def test_xlsx_entity_expansion_is_refused(engine: Engine, tmp_path: Path) -> None:
    assert openpyxl.DEFUSEDXML, "openpyxl must parse through defusedxml (a dependency)"
    path = tmp_path / "gpus.xlsx"
    path.write_bytes(hostile._broken_xlsx(_Choice(0), hostile._xlsx_bytes(_catalog_rows("gpus"))))
    with pytest.raises(CatalogImportError, match="it declares XML entities, which are refused"):
        import_file(engine, path)
    quote = tmp_path / "quote.xlsx"
    quote.write_bytes(hostile._broken_xlsx(_Choice(0), hostile._xlsx_bytes(hostile._QUOTE_TABLES[0])))
    with pytest.raises(QuoteImportError, match="not a readable"):
        parse_quote_file(quote, vendor="V", today=TODAY)


def test_xlsx_zip_bomb_is_refused_unread(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile._zip_bomb())
    with pytest.raises(CatalogImportError, match="unpacks to 315 MB, more than the 200 MB"):
        import_file(engine, path)


class _Choice(random.Random):
    """A Random whose randrange always answers ``value`` (picks one branch of a generator)."""

    def __init__(self, value: int) -> None:
        super().__init__(0)
        self.value = value

    def randrange(self, *args: object, **kwargs: object) -> int:
        return self.value


# ---------------------------------------------------------------------------------------- formulas


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_text_is_kept_warned_and_exported_behind_an_apostrophe(
    engine: Engine, tmp_path: Path, suffix: str
) -> None:
    rows = _catalog_rows("gpus")
    notes = rows[0].index("notes")
    rows[2][notes] = '=HYPERLINK("http://evil.example/","click")'
    rows[3][notes] = "-2+3"
    rows[4][notes] = "-42"  # a number written as text: left alone
    path = tmp_path / "gpus.csv"
    _write_csv(path, rows)
    report = import_file(engine, path, replace_shipped=True)
    assert [w.split(":")[0] for w in report.warnings] == ["row 3, column notes", "row 4, column notes"]
    out = tmp_path / f"export{suffix}"
    export_file(engine, out, "gpus")
    if suffix == ".csv":
        cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"))) for c in row]
    else:
        ws = openpyxl.load_workbook(out).active
        cells = [c.value for row in ws.iter_rows() for c in row]
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert '\'=HYPERLINK("http://evil.example/","click")' in cells
    assert "'-2+3" in cells and "-42" in cells
    before = table_values(engine, "gpus")
    import_file(engine, out, replace_shipped=True)  # our own export reads back as the same text
    assert table_values(engine, "gpus") == before


def test_neutralise_leaves_numbers() -> None:
    assert [neutralise(t) for t in ("=1+1", "@x", "+1", "-1.5e3", "12%", "plain")] == [
        "'=1+1", "'@x", "+1", "-1.5e3", "12%", "plain",
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------- terminal


def test_catalog_list_strips_escape_sequences_from_stored_cells(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with engine.begin() as conn:  # a database written by an older version, before cells were checked
        conn.execute(text("UPDATE gpus SET vendor = :v"), {"v": "\x1b]0;pwned\x07NV\x1b[2JLink"})
    assert main(["catalog", "list", "gpus"]) == 0
    out = capsys.readouterr().out
    assert "NVLink" in out and "\x1b" not in out and "\x07" not in out


def test_terminal_safe_keeps_text() -> None:
    assert terminal_safe("Zoë\tÅngström\n\x1b[31mred\x1b[0m \x9b\ud800") == "Zoë\tÅngström\nred \ufffd"


def test_the_last_resort_prints_one_sentence_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ui.commands.tco as tco

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(tco, "analyse", broken)  # no input reaches a bug any more: stand one in
    assert main(["tco", str(SAMPLE), "--samples", "0"]) == 70
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    log = Path(re.search(r"the details are in (\S+);", err).group(1))  # type: ignore[union-attr]
    assert log.parent == tmp_path / "data" / "logs"
    assert "RuntimeError: a bug" in log.read_text(encoding="utf-8")


def test_quote_formula_cells_are_kept_as_text_with_a_note(tmp_path: Path) -> None:
    rows = [list(r) for r in hostile._QUOTE_TABLES[0]]
    rows[2][0] = '=HYPERLINK("http://evil.example/","NIC")'
    path = tmp_path / "quote.csv"
    _write_csv(path, rows)
    parsed = parse_quote_file(path, vendor="V", today=TODAY)
    assert any(line.description.startswith("=HYPERLINK") for line in parsed.quote.lines)
    assert any("row 3, column A:" in n and "reads as a spreadsheet formula" in n for n in parsed.notes)


def test_the_finance_workbook_neutralises_user_text() -> None:
    from ui.report.workbook import build_workbook

    d = _project()
    d["client"] = "=cmd|' /C calc'!A0"
    d["options"][0]["name"] = "@SUM(A1)"  # type: ignore[index]
    wb = build_workbook(analyse(parse_project(d), today=TODAY, samples=0))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert "'=cmd|' /C calc'!A0" in values and "'@SUM(A1)" in values


def test_a_20000_digit_quote_cell_reads_in_linear_time(tmp_path: Path) -> None:
    """The support-years and kind patterns used to backtrack quadratically on a long digit run (a hang)."""
    rows = [list(r) for r in hostile._QUOTE_TABLES[0]]
    rows[1][0] = "9" * 20_000
    path = tmp_path / "quote.csv"
    _write_csv(path, rows)
    with hostile.time_limit(hostile.TIME_LIMIT_S):
        parsed = parse_quote_file(path, vendor="V", today=TODAY)
    assert parsed.quote.lines[0].description == "9" * 20_000
