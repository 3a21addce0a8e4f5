"""CSV / XLSX import and export of the catalog tables.

Import validates every cell first and reports all problems at once (row = line in the file, the header
being row 1); a file with any error writes nothing. Rows are upserted by natural key in one transaction;
re-importing the same file changes nothing. Export writes the same header the import reads.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import difflib
import math
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session

from db import history
from db.schema import SPECS, CellProblem, TableSpec
from db.transactions import write_scope
from planner import clock
from planner.files import SHARED, atomic_path
from planner.inputs import MAX_TEXT_CHARS, BadInput, clean_text, looks_like_formula, neutralise
from planner.project import NUMBER_LIMIT

TABLES = {"gpus", "servers", "cloud", "models", "fx"}
MAX_IMPORT_BYTES = 20_000_000
"""Largest catalog file imported (20 MB; the whole shipped catalog is under 1 MB)."""
MAX_XLSX_UNPACKED_BYTES = 200_000_000
"""Largest total size of the parts inside an XLSX file once unzipped (a zip bomb is refused unread)."""
MAX_IMPORT_ROWS = 100_000
"""Most rows one catalog file may hold."""
MAX_IMPORT_COLUMNS = 200
"""Most columns one catalog file may hold."""


@dataclass(frozen=True)
class CellError:
    row: int  # line in the file (header = 1); 1 also for header problems
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


class CatalogImportError(ValueError):
    """A file that cannot be imported; ``errors`` lists every bad cell. Nothing was written."""

    def __init__(self, errors: Sequence[CellError], path: str | os.PathLike[str] | None = None) -> None:
        self.errors = list(errors)
        where = f"{path}: " if path is not None else ""
        lines = "\n".join(f"  {e}" for e in self.errors)
        super().__init__(f"{where}{len(self.errors)} problem(s), nothing imported:\n{lines}")


class UnreadableFileError(CatalogImportError):
    """The file itself cannot be read (missing, a folder, not UTF-8, not a workbook): one sentence."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        super().__init__([CellError(1, "-", problem)], path)
        self.sentence = f"{path} {problem}"

    def __str__(self) -> str:
        return self.sentence


@dataclass(frozen=True)
class ImportReport:
    table: str
    inserted: int
    updated: int
    unchanged: int = 0
    skipped: int = 0  # shipped-catalog sync only: rows kept because the user owns them
    took_over: int = 0  # of ``updated``: shipped rows now owned by the import (no longer app-updated)
    warnings: tuple[str, ...] = ()  # kept as text but worth a look (e.g. cells that read as formulas)

    def summary(self) -> str:
        """One line for people: counts, and a warning when shipped rows were taken over."""
        text = f"{self.table}: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
        if self.took_over:
            text += (
                f"; took over {self.took_over} shipped row(s)"
                " (they will no longer be updated by new app versions)"
            )
        for warning in self.warnings:
            text += f"\n  warning: {warning}"
        return text


# ------------------------------------------------------------------------------------------- reading


def read_table_file(path: str | os.PathLike[str]) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Header and (line number, cells) of a CSV or XLSX file; blank lines are skipped.

    UnreadableFileError (one sentence) when the file is missing, a folder, not UTF-8 or not a workbook.
    """
    p = Path(path)
    if p.is_dir():
        raise UnreadableFileError(path, "is a folder")
    if not p.exists():
        raise UnreadableFileError(path, "does not exist")
    suffix = p.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ""):
        raise CatalogImportError(
            [CellError(1, "-", f"unsupported file type {suffix!r} (use .csv or .xlsx)")], path
        )
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if size > MAX_IMPORT_BYTES:
        raise UnreadableFileError(
            path,
            f"is {size / 1e6:,.1f} MB, more than the {MAX_IMPORT_BYTES / 1e6:g} MB a catalog file may hold",
        )
    try:
        if suffix in (".xlsx", ".xlsm"):
            header, rows = _read_xlsx(p)
        else:
            header, rows = _read_csv(p)
    except UnicodeDecodeError:
        raise UnreadableFileError(path, "is not UTF-8 text (save it as UTF-8 CSV)") from None
    except csv.Error as exc:
        raise UnreadableFileError(path, f"is not a readable CSV file ({exc})") from None
    except PermissionError:
        raise UnreadableFileError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise UnreadableFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(rows) > MAX_IMPORT_ROWS:
        raise UnreadableFileError(
            path, f"has {len(rows):,} rows, more than the {MAX_IMPORT_ROWS:,} a catalog file may hold"
        )
    width = max([len(header), *(len(c) for _, c in rows)])
    if width > MAX_IMPORT_COLUMNS:
        raise UnreadableFileError(
            path, f"has {width:,} columns, more than the {MAX_IMPORT_COLUMNS:,} a catalog file may hold"
        )
    return header, rows


@contextlib.contextmanager
def csv_field_limit(limit: int) -> Iterator[None]:
    """csv.field_size_limit(``limit``) for the block (the csv module's limit is process-wide)."""
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    # The csv module refuses a field over its limit without saying which column: read up to the file cap,
    # then name the row and the column of any cell over MAX_TEXT_CHARS.
    with path.open(newline="", encoding="utf-8-sig") as fh, csv_field_limit(MAX_IMPORT_BYTES):
        reader = csv.reader(fh)
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for cells in reader:
            _check_cell_lengths(path, reader.line_num, cells, header)
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append((reader.line_num, list(cells)))
            if len(rows) > MAX_IMPORT_ROWS:
                break
    return header or [], rows


def _check_cell_lengths(path: Path, line: int, cells: Sequence[str], header: Sequence[str] | None) -> None:
    for i, cell in enumerate(cells):
        if len(cell) > MAX_TEXT_CHARS:
            column = header[i] if header is not None and i < len(header) and header[i] else f"{i + 1}"
            raise CatalogImportError(
                [
                    CellError(
                        line,
                        column,
                        f"the cell is {len(cell):,} characters long (at most {MAX_TEXT_CHARS:,})",
                    )
                ],
                path,
            )


def check_xlsx_archive(path: Path) -> str | None:
    """Why the XLSX at ``path`` must not be opened (not a zip, or a zip bomb), or None. openpyxl parses its
    XML with defusedxml (entity expansion refused) when defusedxml is installed, as it is here."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "is not a readable XLSX workbook"
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        return (
            f"unpacks to {unpacked / 1e6:,.0f} MB, more than the {MAX_XLSX_UNPACKED_BYTES / 1e6:g} MB "
            "a workbook may hold"
        )
    return None


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    problem = check_xlsx_archive(path)
    if problem:
        raise UnreadableFileError(path, problem)
    try:
        return _read_xlsx_rows(path)
    except CatalogImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged XML, forbidden entities, bad numbers inside parts
        raise UnreadableFileError(path, f"is not a readable XLSX workbook ({xml_problem(exc)})") from None


def xml_problem(exc: BaseException) -> str:
    """What is wrong inside a workbook, in words (defusedxml names entity expansion explicitly)."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 5:  # openpyxl wraps the parser's error in a ValueError
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    kinds = {type(e).__name__ for e in chain}
    if kinds & {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"}:
        return "it declares XML entities, which are refused"
    if "ParseError" in kinds:
        return "its XML is damaged"
    return "a part of it is damaged"


def _read_xlsx_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        # not a zip, a zip without a workbook part, a damaged part, or refused XML entities
        problem = xml_problem(exc)
        detail = f" ({problem})" if "entities" in problem else ""
        raise UnreadableFileError(path, f"is not a readable XLSX workbook{detail}") from None
    try:
        if not wb.worksheets:
            raise UnreadableFileError(path, "is not a readable XLSX workbook (it has no sheet)")
        sheet = wb.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            if header is None:
                header = ["" if c is None else str(c).strip() for c in cells]
                continue
            rows.append((number, list(cells)))
            if len(rows) > MAX_IMPORT_ROWS or len(cells) > MAX_IMPORT_COLUMNS:
                break
    finally:
        wb.close()
    while header and header[-1] == "":
        header.pop()
    return header or [], rows


def infer_table(header: Sequence[str]) -> str | None:
    """The table whose header the given one matches best (all its required columns present)."""
    names = set(header)
    best: tuple[int, str] | None = None
    for spec in SPECS.values():
        required = {c.name for c in spec.columns if c.required}
        if required <= names:
            score = len(names & set(spec.header)) - len(names - set(spec.header))
            if best is None or score > best[0]:
                best = (score, spec.name)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------- validation


def parse_rows(
    spec: TableSpec,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[Any]]],
    *,
    known_gpus: Iterable[str] = (),
    today: dt.date | None = None,
) -> tuple[list[dict[str, Any]], list[CellError]]:
    """Typed values of every row and every problem found (an empty error list means all is well)."""
    today = today or clock.today()
    errors: list[CellError] = []
    index = {name: i for i, name in enumerate(header)}
    missing = [c.name for c in spec.columns if c.required and c.name not in index]
    if missing:  # rows cannot be checked against this table: one error, not one per cell
        return [], [header_mismatch(spec, header, missing)]
    for name in header:
        if name and name not in spec.header:
            errors.append(CellError(1, name, f"unknown column for table {spec.name}"))
    gpus = set(known_gpus)
    if spec.name == "gpus":
        gpus = set()
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for line, cells in rows:
        values: dict[str, Any] = {}
        row_ok = True
        for col in spec.columns:
            i = index.get(col.name)
            raw = cells[i] if i is not None and i < len(cells) else None
            try:
                raw = clean_cell(raw)
                values[col.name] = _in_range(col.parse(raw, today))
            except CellProblem as exc:
                errors.append(CellError(line, col.name, str(exc)))
                row_ok = False
                continue
            if col.kind == "gpu" and values[col.name] not in gpus:
                errors.append(CellError(line, col.name, _unknown_gpu(values[col.name], gpus)))
                row_ok = False
        if not row_ok:
            continue
        for problem in _row_rules(spec, values):
            errors.append(CellError(line, problem[0], problem[1]))
            row_ok = False
        key = tuple(values[k] for k in spec.key)
        if key in seen:
            errors.append(
                CellError(
                    line, "+".join(spec.key), f"duplicate of row {seen[key]} ({', '.join(map(str, key))})"
                )
            )
            row_ok = False
        seen.setdefault(key, line)
        if row_ok:
            if "notes" in values and values["notes"] is None:
                values["notes"] = ""
            parsed.append(values)
    return parsed, errors


def _in_range(value: Any) -> Any:
    """A typed number within ±NUMBER_LIMIT (what a project accepts too), else CellProblem."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > NUMBER_LIMIT:
        raise CellProblem(f"{value:.3g} is beyond the ±{NUMBER_LIMIT:.0e} any catalog figure may be")
    return value


def clean_cell(raw: Any) -> Any:
    """One imported cell made safe before it is typed: text in NFC without NUL, control characters or lone
    surrogates and at most MAX_TEXT_CHARS long; numbers finite and of a sane size. CellProblem otherwise.
    A leading apostrophe before formula-like text (what :func:`neutralise` writes) is dropped."""
    if isinstance(raw, str):
        try:
            text = clean_text(raw, "")
        except BadInput as exc:
            raise CellProblem(exc.message) from None
        # our own export's apostrophe in front of formula-like text: read back the text as it was
        return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > 10**18:
        raise CellProblem(f"the number has {len(str(abs(raw)))} digits, more than any catalog figure")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise CellProblem("not a finite number")
    return raw


def formula_warnings(header: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[str, ...]:
    """One warning per text cell that a spreadsheet would run as a formula (kept as text; exports prefix it
    with an apostrophe); at most 10, then a count."""
    found = [
        f"row {line}, column {header[i] if i < len(header) else i + 1}: {str(cell)[:40]!r} reads as a "
        "spreadsheet formula; it is kept as text and exported with a leading apostrophe"
        for line, cells in rows
        for i, cell in enumerate(cells)
        if isinstance(cell, str) and looks_like_formula(cell)
    ]
    if len(found) > 10:
        found = [*found[:10], f"{len(found) - 10} more cell(s) read as formulas"]
    return tuple(found)


def unique_conflicts(
    session: Session, spec: TableSpec, values: Sequence[dict[str, Any]], lines: Sequence[int]
) -> list[CellError]:
    """Rows whose unique column (a part of the natural key, e.g. a GPU's name) is already stored under another
    key: the database would refuse them mid-import, so they are cell errors first."""
    table = spec.row.__table__  # type: ignore[attr-defined]
    unique = [
        c.name for c in table.columns if c.unique and c.name in spec.header and (c.name,) != tuple(spec.key)
    ]
    errors: list[CellError] = []
    for name in unique:
        stored = {
            rec[0]: tuple(rec[1:])
            for rec in session.execute(select(table.c[name], *[table.c[k] for k in spec.key]))
        }
        in_file: dict[Any, tuple[int, tuple[Any, ...]]] = {}
        for line, v in zip(lines, values, strict=False):
            key = tuple(v[k] for k in spec.key)
            other = stored.get(v[name])
            earlier = in_file.setdefault(v[name], (line, key))
            if other is not None and other != key:
                errors.append(
                    CellError(line, name, f"{v[name]!r} is already stored under {', '.join(map(str, other))}")
                )
            elif earlier[1] != key:
                errors.append(CellError(line, name, f"{v[name]!r} is also on row {earlier[0]}"))
    return errors


def header_mismatch(spec: TableSpec, header: Sequence[str], missing: Sequence[str]) -> CellError:
    """The one error for a header that lacks required columns of ``spec`` (e.g. the wrong --table)."""
    unexpected = [n for n in header if n and n not in spec.header]
    reason = f"the header does not match table {spec.name}: missing column(s) {', '.join(missing)}"
    if unexpected:
        reason += f"; unexpected column(s) {', '.join(unexpected)}"
    likely = infer_table(header)
    if likely is not None and likely != spec.name:
        reason += f" (it looks like a {likely} file: use --table {likely} or leave --table out)"
    return CellError(1, "header", reason)


def _unknown_gpu(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    return f"unknown GPU name {name!r}{hint}"


def _row_rules(spec: TableSpec, v: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if spec.name == "gpus":
        low, high = v.get("price_low_usd"), v.get("price_high_usd")
        if low is not None and high is not None and low > high:
            problems.append(("price_high_usd", f"high price {high:g} is below low price {low:g}"))
    if spec.name == "cloud":
        for col in ("spot_per_hour", "reserved_1y_per_hour", "reserved_3y_per_hour"):
            if v.get(col) is not None and v[col] > v["on_demand_per_hour"] * 1.0001:
                problems.append((col, f"{v[col]:g} is above the on-demand rate {v['on_demand_per_hour']:g}"))
    if spec.name == "models":
        if v["experts_per_token"] > v["experts"]:
            problems.append(("experts_per_token", "more active experts than experts"))
        if v["heads"] % v["kv_heads"]:
            problems.append(
                ("kv_heads", f"{v['heads']} heads are not a multiple of {v['kv_heads']} KV heads")
            )
    if spec.name == "fx" and v["base"] == v["quote"]:
        problems.append(("quote", "base and quote are the same currency"))
    return problems


# -------------------------------------------------------------------------------------------- writing


@dataclass
class _Plan:
    inserts: list[dict[str, Any]]
    updates: list[dict[str, Any]]
    unchanged: int
    skipped: int
    took_over: list[tuple[int, dict[str, Any], dict[str, Any]]]  # (position in values, old, new)


def _plan(session: Session, spec: TableSpec, values: Sequence[dict[str, Any]], origin: str) -> _Plan:
    row_cls: Any = spec.row
    cols = [*spec.header, "origin"]
    existing: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
    table_cols = [row_cls.id] + [getattr(row_cls, c) for c in cols]
    for rec in session.execute(select(*table_cols)):
        data = dict(zip(cols, rec[1:], strict=True))
        existing[tuple(data[k] for k in spec.key)] = (rec[0], data)
    plan = _Plan([], [], 0, 0, [])
    for position, v in enumerate(values):
        key = tuple(v[k] for k in spec.key)
        found = existing.get(key)
        if found is None:
            plan.inserts.append({**v, "origin": origin})
            continue
        row_id, old = found
        if origin == "shipped" and old["origin"] != "shipped":
            plan.skipped += 1
        elif all(_same(old[c], v.get(c)) for c in spec.header):
            plan.unchanged += 1
        else:
            plan.updates.append({**v, "origin": origin, "id": row_id})
            if old["origin"] == "shipped" and origin != "shipped":
                plan.took_over.append((position, old, v))
    return plan


def _apply(session: Session, spec: TableSpec, plan: _Plan) -> ImportReport:
    row_cls: Any = spec.row
    if plan.inserts:
        session.execute(insert(row_cls), plan.inserts)
    if plan.updates:
        session.execute(update(row_cls), plan.updates)
    history.record(session, spec, [*plan.inserts, *plan.updates])
    return ImportReport(
        spec.name,
        len(plan.inserts),
        len(plan.updates),
        plan.unchanged,
        plan.skipped,
        len(plan.took_over),
    )


def upsert_rows(
    session: Session, spec: TableSpec, values: Sequence[dict[str, Any]], origin: str
) -> ImportReport:
    """Insert new rows, update changed ones, by natural key, inside the caller's transaction.

    ``origin="shipped"`` (a catalog update) never touches a row whose origin is user or imported;
    any other origin takes over the row it changes (counted in ``ImportReport.took_over`` when that
    row was shipped: new app versions no longer update it).
    """
    return _apply(session, spec, _plan(session, spec, values, origin))


def _short(value: Any, width: int = 30) -> str:
    text = _cell_text(value) or "(empty)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _takeover_error(spec: TableSpec, line: int, old: dict[str, Any], new: dict[str, Any]) -> CellError:
    changed = [c for c in spec.header if not _same(old[c], new.get(c))]
    key = " / ".join(str(new[k]) for k in spec.key)
    diffs = ", ".join(f"{c} {_short(old[c])} -> {_short(new.get(c))}" for c in changed)
    return CellError(
        line,
        changed[0],
        f"changes the shipped row {key} ({diffs}); importing it would take the row over so new app "
        "versions no longer update it - allow replacing shipped rows (CLI: --replace-shipped) to do so",
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    if isinstance(a, dt.datetime):
        a = a.date()
    return bool(a == b) or (a in (None, "") and b in (None, ""))


def gpu_names(session: Session) -> set[str]:
    from db.tables import GpuRow

    return set(session.execute(select(GpuRow.name)).scalars())  # type: ignore[call-overload]


def import_file(
    engine: Engine,
    path: str | os.PathLike[str],
    table: str | None = None,
    *,
    replace_shipped: bool = False,
) -> ImportReport:
    """Import a CSV/XLSX file into ``table`` (inferred from the header if None); all or nothing.

    A row that changes a shipped row takes it over (origin "imported": new app versions stop updating
    it). That happens only with ``replace_shipped=True``; otherwise each such row is an error.
    """
    header, rows = read_table_file(path)
    if not header:
        raise CatalogImportError([CellError(1, "-", "the file is empty (no header row)")], path)
    name = table or infer_table(header)
    if name is None:
        raise CatalogImportError(
            [
                CellError(
                    1,
                    "-",
                    f"cannot tell the table from the header; use --table ({', '.join(sorted(TABLES))})",
                )
            ],
            path,
        )
    if name not in SPECS:
        raise CatalogImportError(
            [CellError(1, "-", f"unknown table {name!r}; one of {', '.join(sorted(TABLES))}")], path
        )
    if not rows:
        raise CatalogImportError([CellError(2, "-", "the file has a header but no rows")], path)
    spec = SPECS[name]
    # one writer at a time: a concurrent import of the same file waits, then finds its rows unchanged
    with write_scope(engine, "catalog-import") as session:
        values, errors = parse_rows(spec, header, rows, known_gpus=gpu_names(session))
        if not errors:
            errors = unique_conflicts(session, spec, values, [line for line, _ in rows])
        if errors:
            raise CatalogImportError(errors, path)
        plan = _plan(session, spec, values, "imported")
        if plan.took_over and not replace_shipped:
            lines = [line for line, _ in rows]  # no errors: values[i] is the row on lines[i]
            raise CatalogImportError(
                [_takeover_error(spec, lines[pos], old, new) for pos, old, new in plan.took_over], path
            )
        report = _apply(session, spec, plan)
    return dataclasses.replace(report, warnings=formula_warnings(header, rows))


# -------------------------------------------------------------------------------------------- export


def table_values(engine: Engine, table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` as file values (header columns), ordered by natural key."""
    spec = SPECS[table]
    row_cls: Any = spec.row
    cols = [getattr(row_cls, c) for c in spec.header]
    order = [getattr(row_cls, k) for k in spec.key]
    with Session(engine) as session:
        return [
            dict(zip(spec.header, rec, strict=True))
            for rec in session.execute(select(*cols).order_by(*order))
        ]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def export_file(engine: Engine, path: str | os.PathLike[str], table: str) -> int:
    """Write ``table`` to a CSV or XLSX file (by extension) with the import header; rows written."""
    if table not in SPECS:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(sorted(TABLES))}")
    spec = SPECS[table]
    values = table_values(engine, table)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        raise ValueError(f"unsupported export type {target.suffix!r} (use .csv or .xlsx)")
    with atomic_path(target, mode=SHARED) as tmp:
        if suffix == ".xlsx":
            _write_xlsx(tmp, spec, values)
        else:
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(spec.header)
                writer.writerows([_cell_text(v[c]) for c in spec.header] for v in values)
    return len(values)


def _write_xlsx(path: Path, spec: TableSpec, values: list[dict[str, Any]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet(spec.name)
    sheet.append(spec.header)
    for v in values:
        sheet.append([_xlsx_cell(v[c]) for c in spec.header])
    wb.save(path)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value
