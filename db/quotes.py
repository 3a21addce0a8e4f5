"""Vendor quotes in the database: import CSV/XLSX with a per-vendor column mapping, validate, suggest
catalog matches, convert with the catalog FX rate of the quote date, manual entry and editing.

A file with any bad row writes nothing: every problem is collected first (row, column, reason) and
raised together as :class:`QuoteImportError`; the writes happen in one transaction afterwards.
Rows never leave this module: callers get :class:`planner.quotes.Quote` values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Engine, delete, select
from sqlmodel import Session, col

from db.io import csv_field_limit, xml_problem
from db.quote_layout import HEADER_SEARCH_ROWS as LAYOUT_SEARCH_ROWS
from db.quote_layout import (
    MAX_QUOTE_BYTES,
    Fact,
    Layout,
    Sheet,
    check_quote_file,
    clean_rows,
    column_letter,
    detect_layout,
    header_columns,
    normalise,
    parse_lead_time,
    read_sheets,
    title_facts,
    validity_days,
)
from db.quote_match import gpu_models_in, match_gpu, match_server, reconcile_gpus
from db.quote_tables import QuoteLineRow, QuoteRow, VendorMappingRow
from db.schema import text_limits, text_problem
from db.tables import GpuRow, ServerPlatformRow
from db.textnum import (
    CURRENCY_SYMBOLS,
    DateOrder,
    DecimalMark,
    TextNumberError,
    decimal_evidence,
    detect_date_order,
    detect_decimal,
    parse_money,
)
from db.textnum import parse_date as parse_text_date
from db.transactions import write_scope
from planner import clock
from planner.analysis.quotes import SiteTerms
from planner.catalog import FxRate, Gpu, ServerPlatform
from planner.inputs import BadInput, looks_like_formula, neutralise_workbook
from planner.quotes import (
    CRITERIA,
    KIND_LABELS,
    LINE_KINDS,
    LineKind,
    Quote,
    QuoteFigures,
    QuoteLine,
    TaxLine,
    best_by_criterion,
    best_exclusions,
    guess_kind,
    included_support_years,
    parse_support_years,
)

FIELDS = (
    "description",
    "part_number",
    "quantity",
    "unit_price",
    "kind",
    "support_years",
    "position",
    "list_price",
    "discount",
    "net_price",
    "extended",
)
REQUIRED_FIELDS = ("description", "quantity", "unit_price")
FIELD_LABELS = {
    "description": "Description",
    "part_number": "Part number",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "kind": "Kind",
    "support_years": "Support years",
    "position": "Line number",
    "list_price": "List price",
    "discount": "Discount %",
    "net_price": "Net price",
    "extended": "Line total",
}
CELL_FIELDS = (
    "quote_number",
    "quote_date",
    "valid_until",
    "lead_time_weeks",
    "currency",
    "incoterms",
    "payment_terms",
)
MAPPING_KEYS = (
    "vendor",
    "sheet",
    "header_row",
    "columns",
    "kind_values",
    "cells",
    "currency",
    "decimal_comma",
    "date_order",
    "detected",
)
"""The keys a mapping JSON file may hold; any other key is rejected (a typo would otherwise be ignored)."""
FX_STALE_DAYS = 31
"""An FX rate more than this many days older than the quote date gets a note on import."""
HEADER_SEARCH_ROWS = 40
"""Without an explicit header row, the header is the first of these rows naming every required column."""


# ------------------------------------------------------------------------------------------ errors


@dataclass(frozen=True)
class ImportIssue:
    """One problem in a file: spreadsheet row number (1-based, None for the whole file), column, reason."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        col = f"column {self.column!r}: " if self.column else ""
        return f"{where}{col}{self.reason}"


class QuoteImportError(ValueError):
    """A file or a quote was rejected; ``issues`` holds every problem found (nothing was written)."""

    def __init__(self, source: str, issues: Sequence[ImportIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        if len(self.issues) == 1 and self.issues[0].row is None:
            super().__init__(f"{source}: {self.issues[0]}; nothing imported.")
            return
        lines = "\n".join(f"  - {i}" for i in self.issues)
        super().__init__(f"{source}: {len(self.issues)} problem(s), nothing imported:\n{lines}")


# ------------------------------------------------------------------------------------------ mapping


def normalise_header(text: object) -> str:
    """Header text reduced to lower-case letters and digits ("Unit Price (USD)" → "unitpriceusd")."""
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


@dataclass(frozen=True)
class ColumnMapping:
    """How to read one vendor's layout.

    ``columns``: field (description, part_number, quantity, unit_price, kind, support_years) → the header
    text of that column in the file (compared case- and spacing-insensitively). ``header_row``: 1-based row
    of the header (None: found automatically). ``sheet``: XLSX sheet name (None: the active one).
    ``kind_values``: the vendor's own kind words → line kinds. ``cells``: XLSX cells holding quote facts
    (quote_number, quote_date, valid_until, lead_time_weeks, currency, incoterms, payment_terms).
    ``decimal_comma``: amounts written "1.234,56". ``date_order``: "dmy" or "mdy" for slashed dates the
    vendor's files leave ambiguous.
    """

    columns: Mapping[str, str]
    header_row: int | None = None
    sheet: str | None = None
    kind_values: Mapping[str, str] = field(default_factory=dict)
    cells: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    decimal_comma: bool = False
    vendor: str = ""
    date_order: str | None = None
    detected: bool = False
    """Remembered from a detected layout: the next file of the vendor is detected again, and only its
    conventions (the date order) are taken from here."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"vendor": self.vendor, "columns": dict(self.columns)}
        if self.header_row is not None:
            out["header_row"] = self.header_row
        if self.sheet:
            out["sheet"] = self.sheet
        if self.kind_values:
            out["kind_values"] = dict(self.kind_values)
        if self.cells:
            out["cells"] = dict(self.cells)
        if self.currency:
            out["currency"] = self.currency
        if self.decimal_comma:
            out["decimal_comma"] = True
        if self.date_order:
            out["date_order"] = self.date_order
        if self.detected:
            out["detected"] = True
        return out

    @classmethod
    def from_json(cls, data: Any, source: str = "mapping") -> ColumnMapping:
        """Validate a mapping dict (as in a MAPPING.json file); every problem raised at once."""
        issues: list[ImportIssue] = []
        if not isinstance(data, Mapping):
            raise QuoteImportError(source, [ImportIssue(None, "", "a mapping is a JSON object")])
        for key in data:
            if key not in MAPPING_KEYS:
                issues.append(ImportIssue(None, str(key), f"unknown key (known: {', '.join(MAPPING_KEYS)})"))
        columns = data.get("columns")
        if not isinstance(columns, Mapping) or not all(isinstance(v, str) for v in columns.values()):
            issues.append(ImportIssue(None, "columns", "must map fields to header texts"))
            columns = {}
        for key in columns:
            if key not in FIELDS:
                issues.append(
                    ImportIssue(None, f"columns.{key}", f"unknown field (known: {', '.join(FIELDS)})")
                )
        for key in REQUIRED_FIELDS:
            if key not in columns:
                issues.append(ImportIssue(None, f"columns.{key}", "is required"))
        header_row = data.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            issues.append(ImportIssue(None, "header_row", "must be a row number from 1"))
        kinds = data.get("kind_values", {})
        if not isinstance(kinds, Mapping):
            issues.append(ImportIssue(None, "kind_values", "must be an object"))
            kinds = {}
        for word, kind in kinds.items():
            if kind not in LINE_KINDS:
                issues.append(ImportIssue(None, f"kind_values.{word}", f"unknown kind {kind!r}"))
        cells = data.get("cells", {})
        if not isinstance(cells, Mapping):
            issues.append(ImportIssue(None, "cells", "must be an object"))
            cells = {}
        for key, ref in cells.items():
            if key not in CELL_FIELDS:
                issues.append(
                    ImportIssue(None, f"cells.{key}", f"unknown fact (known: {', '.join(CELL_FIELDS)})")
                )
            elif not isinstance(ref, str) or not re.fullmatch(r"[A-Za-z]{1,3}[1-9]\d*", ref):
                issues.append(ImportIssue(None, f"cells.{key}", f"not a cell reference: {ref!r}"))
        currency = data.get("currency")
        if currency is not None and (
            not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency)
        ):
            issues.append(ImportIssue(None, "currency", "must be a 3-letter currency code"))
        date_order = data.get("date_order")
        if date_order is not None and date_order not in ("dmy", "mdy"):
            issues.append(ImportIssue(None, "date_order", 'must be "dmy" (day first) or "mdy" (month first)'))
        if issues:
            raise QuoteImportError(source, issues)
        return cls(
            columns=dict(columns),
            header_row=header_row,
            sheet=data.get("sheet") or None,
            kind_values=dict(kinds),
            cells=dict(cells),
            currency=currency.upper() if currency else None,
            decimal_comma=bool(data.get("decimal_comma", False)),
            vendor=str(data.get("vendor", "")),
            date_order=date_order,
            detected=bool(data.get("detected", False)),
        )


STANDARD_MAPPING = ColumnMapping(columns=dict(FIELD_LABELS))
"""Header names Description, Part number, Quantity, Unit price (+ optional Kind, Support years)."""


def load_mapping_file(path: str | Path) -> ColumnMapping:
    """Read and validate a mapping JSON file; a missing, unreadable or non-JSON file is one clear issue."""
    p = Path(path)
    if p.is_dir():
        _mapping_file_error(p, "is a folder, not a mapping JSON file")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _mapping_file_error(p, "file not found")
    except UnicodeDecodeError:
        _mapping_file_error(p, "is not a UTF-8 text file, so not a mapping JSON file")
    except OSError as exc:
        _mapping_file_error(p, f"cannot be read ({exc.strerror or exc})")
    except json.JSONDecodeError as exc:
        _mapping_file_error(p, f"is not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})")
    return ColumnMapping.from_json(data, str(p))


def _mapping_file_error(p: Path, reason: str) -> NoReturn:
    raise QuoteImportError(f"mapping {p}", [ImportIssue(None, "", reason)]) from None


def suggest_mapping(headers: Sequence[object]) -> dict[str, str]:
    """Guess which header holds which field from its name in English, German, French or Spanish
    (:data:`db.quote_layout.COLUMN_SYNONYMS`)."""
    from db.quote_layout import header_columns

    columns, _votes = header_columns(list(headers))
    return {f: str(headers[c]) for f, c in columns.items() if f in FIELDS}


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class SheetData:
    """A file read as a grid of cell values (row i of ``rows`` is spreadsheet row i+1)."""

    rows: list[list[Any]]
    cells: dict[str, Any]
    sheets: tuple[str, ...] = ()


def read_grid(path: str | Path, *, sheet: str | None = None, cells: Iterable[str] = ()) -> SheetData:
    """Read a CSV (UTF-8 or Windows-1252; comma, semicolon or tab) or XLSX sheet as a grid."""
    p = Path(path)
    if not p.exists():
        raise QuoteImportError(str(p), [ImportIssue(None, "", "file not found")])
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, sheet, cells)
    if suffix in (".csv", ".txt", ".tsv"):
        try:
            check_quote_file(p)
        except BadInput as exc:
            raise QuoteImportError(str(p), [ImportIssue(None, "", exc.message)]) from None
        return SheetData(rows=_read_csv(p), cells={})
    raise QuoteImportError(str(p), [ImportIssue(None, "", f"unsupported file type {suffix!r} (CSV or XLSX)")])


def _read_csv(p: Path) -> list[list[Any]]:
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    with csv_field_limit(MAX_QUOTE_BYTES):  # cell lengths: clean_rows names the row and column
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
        except csv.Error as exc:
            raise QuoteImportError(
                str(p), [ImportIssue(None, "", f"not a readable CSV file ({exc})")]
            ) from None
    return _clean(p, rows)


def _clean(p: Path, rows: list[list[Any]]) -> list[list[Any]]:
    try:
        return clean_rows(rows)
    except BadInput as exc:
        raise QuoteImportError(str(p), [ImportIssue(None, "", str(exc))]) from None


def _read_xlsx(p: Path, sheet: str | None, cells: Iterable[str]) -> SheetData:
    from openpyxl import load_workbook

    try:
        check_quote_file(p)
    except BadInput as exc:
        raise QuoteImportError(str(p), [ImportIssue(None, "", exc.message)]) from None
    try:
        wb = load_workbook(p, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or foreign file
        raise QuoteImportError(
            str(p), [ImportIssue(None, "", f"not a readable XLSX file ({_short_reason(exc)})")]
        ) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise QuoteImportError(
                str(p), [ImportIssue(None, "", f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")]
            )
        ws = wb[sheet] if sheet is not None else wb.active
        rows = _clean(p, [list(r) for r in ws.iter_rows(values_only=True)])
        refs = list(cells)
        fixed = _clean(p, [[ws[ref].value for ref in refs]])[0]
        return SheetData(rows=rows, cells=dict(zip(refs, fixed, strict=True)), sheets=tuple(wb.sheetnames))
    finally:
        wb.close()


def formula_notes(rows: Sequence[Sequence[Any]]) -> list[str]:
    """A note per text cell a spreadsheet would run as a formula (kept as text, exported behind an
    apostrophe); at most 10, then a count."""
    found = [
        f"row {r + 1}, column {column_letter(c)}: {value[:40]!r} reads as a spreadsheet formula; kept as text"
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if isinstance(value, str) and looks_like_formula(value)
    ]
    return found[:10] + ([f"{len(found) - 10} more cell(s) read as formulas"] if len(found) > 10 else [])


def _short_reason(exc: Exception) -> str:
    """An openpyxl/XML failure in a few words (defusedxml names refused entity declarations)."""
    problem = xml_problem(exc)
    if "entities" in problem:
        return problem
    text = str(exc)
    return text if len(text) <= 120 else text[:117] + "..."


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(rows: list[list[Any]], mapping: ColumnMapping) -> tuple[int, dict[str, int]] | None:
    """(0-based header row index, field → column index), or None when the mapped headers are not found."""
    wanted = {f: normalise_header(h) for f, h in mapping.columns.items()}
    candidates = [mapping.header_row - 1] if mapping.header_row else range(min(len(rows), HEADER_SEARCH_ROWS))
    for i in candidates:
        if i >= len(rows):
            continue
        norm = [normalise_header(v) for v in rows[i]]
        if all(wanted[f] in norm for f in REQUIRED_FIELDS if f in wanted):
            return i, {f: norm.index(h) for f, h in wanted.items() if h in norm}
    return None


# ------------------------------------------------------------------------------------------ values


def parse_amount(value: object, *, decimal_comma: bool = False) -> tuple[float, str | None]:
    """A number from a cell or a typed field: plain numbers, "£1,250.00", "1.234,56", "289.500,00 €",
    "(500)" = −500, "EUR 2,400". The decimal mark is a comma with ``decimal_comma`` or when the text
    proves it (``1.234,56``, ``12,5``), else a point; an amount that fits neither is refused, never misread
    (``€ 301.000,00`` is 301,000, not 301). Returns (value, currency named by a symbol or code, or None);
    ValueError if not a number."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"not a number: {value!r}")
        return float(value), None
    text = str(value).strip()
    mark: DecimalMark = "," if decimal_comma or decimal_evidence(text) == "," else "."
    try:
        amount = parse_money(text, mark)
    except TextNumberError as exc:
        raise ValueError(str(exc).replace("not an amount", "not a number", 1)) from None
    return float(amount.value), amount.currency


def parse_date(value: object) -> dt.date:
    """A date from a cell: a spreadsheet date, ISO "2026-08-14", "14.08.2026" or "14/08/2026"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD)")


def parse_kind(value: object, kind_values: Mapping[str, str]) -> LineKind:
    """A line kind from the vendor's word (``kind_values``), a label ("Optics / cables") or a code."""
    text = str(value).strip()
    for word, kind in kind_values.items():
        if word.strip().lower() == text.lower():
            return _as_kind(kind)
    norm = normalise_header(text)
    for kind in LINE_KINDS:
        if norm in (normalise_header(kind), normalise_header(KIND_LABELS[kind])):
            return kind
    aliases = {
        "server": "gpu_server",
        "optics": "optics_cables",
        "cables": "optics_cables",
        "warranty": "support",
        "netzwerk": "nic",
        "kabel": "optics_cables",
        "fracht": "shipping",
        "versand": "shipping",
        "garantie": "support",
        "rabatt": "discount",
        "speicher": "storage",
        "sonstiges": "other",
        "serveur": "gpu_server",
        "servidor": "gpu_server",
        "remise": "discount",
        "descuento": "discount",
    }
    if norm in aliases:
        return _as_kind(aliases[norm])
    known = ", ".join(KIND_LABELS[k] for k in LINE_KINDS)
    raise ValueError(f"unknown kind {text!r} (known: {known})")


def _as_kind(text: str) -> LineKind:
    for kind in LINE_KINDS:
        if kind == text:
            return kind
    raise ValueError(f"unknown kind {text!r}")


# ------------------------------------------------------------------------------------------ parsing


@dataclass(frozen=True)
class ParsedQuote:
    """A file read and validated: the quote (lines matched to the catalog as suggestions), the mapping
    that read it (None when the layout was detected), the rows skipped as headings or notes, notes for
    the user, and how the file was read (sheet, header row, columns, language, encoding, delimiter)."""

    quote: Quote
    mapping: ColumnMapping | None
    skipped_rows: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    layout: ReadLayout | None = None


@dataclass(frozen=True)
class ReadLayout:
    """How a file was read, for the user (import summary, mapping preview): sheet, 1-based header row,
    field → header text, language of the header, decimal mark, encoding and delimiter of a CSV."""

    sheet: str
    header_row: int
    headers: Mapping[str, str]
    language: str
    decimal: str
    encoding: str = ""
    delimiter: str = ""
    date_order: str | None = None


DATE_ORDERS = {"day-first": "dmy", "month-first": "mdy"}
"""The CLI's and mapping's words for a slashed-date order."""


@dataclass
class _Table:
    rows: list[list[Any]]
    header_index: int
    columns: dict[str, int]
    header_text: dict[str, str]
    formulas: Mapping[tuple[int, int], str]
    kind_values: Mapping[str, str]


def parse_quote_file(
    path: str | Path,
    *,
    vendor: str,
    mapping: ColumnMapping | None = None,
    quote_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    currency: str | None = None,
    date_order: str | None = None,
    servers: Sequence[ServerPlatform] = (),
    gpus: Sequence[Gpu] = (),
    today: dt.date | None = None,
) -> ParsedQuote:
    """Read and validate a quote file; raise :class:`QuoteImportError` listing every problem.

    Without ``mapping`` the layout is detected (header row in any sheet, EN/DE/FR/ES column names,
    title-block facts by label). Arguments win over the file's own facts (mapping ``cells``, then labels),
    which win over the mapping's currency. ``date_order`` ("dmy"/"mdy") settles slashed dates the file
    leaves ambiguous. The quote date defaults to ``today``. GPU-server and GPU lines get a suggested
    catalog match with its confidence; GPUs that do not reconcile and lines that do not add up to the
    vendor's own Subtotal/Total flag the quote.
    """
    p = Path(path)
    _check_file(p)
    issues: list[ImportIssue] = []
    how_read = None
    if mapping is not None:
        grid = read_grid(p, sheet=mapping.sheet, cells=mapping.cells.values())
        header = _find_header(grid.rows, mapping)
        if header is None:
            expected = ", ".join(repr(mapping.columns[f]) for f in REQUIRED_FIELDS)
            where = (
                f"row {mapping.header_row}" if mapping.header_row else f"the first {HEADER_SEARCH_ROWS} rows"
            )
            raise QuoteImportError(
                str(p), [ImportIssue(mapping.header_row, "", f"no header naming {expected} found in {where}")]
            )
        index, columns = header
        sheets = [Sheet(mapping.sheet or p.stem, grid.rows)]
        _found, votes = header_columns(grid.rows[index])
        language = (
            max(sorted(votes), key=lambda k: votes[k]) if votes else ("de" if mapping.decimal_comma else "en")
        )
        layout = Layout(0, sheets[0].name, index, columns, {}, language)
        cell_facts = _cell_facts(grid.cells, mapping, issues)
        kind_values: Mapping[str, str] = mapping.kind_values
    else:
        try:
            sheets, how_read = read_sheets(p)
        except BadInput as exc:
            raise QuoteImportError(str(p), [ImportIssue(None, "", str(exc))]) from None
        except (OSError, ValueError, KeyError) as exc:
            raise QuoteImportError(str(p), [ImportIssue(None, "", f"not a readable file ({exc})")]) from None
        found = detect_layout(sheets)
        if found is None:
            raise QuoteImportError(
                str(p),
                [
                    ImportIssue(
                        None,
                        "",
                        "no header naming 'Description', 'Quantity', 'Unit price' (or their names in German, "
                        f"French or Spanish) found in the first {LAYOUT_SEARCH_ROWS} rows of any sheet: "
                        "give a column mapping",
                    )
                ],
            )
        layout = found
        cell_facts = {}
        kind_values = {}
    sheet = sheets[layout.sheet]
    rows = sheet.rows
    header_text = {f: str(rows[layout.header_row][c]).strip() for f, c in layout.columns.items()}
    table = _Table(rows, layout.header_row, dict(layout.columns), header_text, sheet.formulas, kind_values)
    language = layout.language
    try:
        decimal = (
            ","
            if mapping is not None and mapping.decimal_comma
            else detect_decimal(
                _amount_samples(table), default="," if language in ("de", "fr", "es") else "."
            )
        )
    except TextNumberError as exc:
        raise QuoteImportError(str(p), [ImportIssue(None, "", str(exc))]) from None
    read = _read_table(table, decimal, issues)
    label_facts = title_facts(sheets, layout, read.rows_used)
    order = _date_order(date_order, mapping, label_facts, language, issues)
    facts = _label_facts(label_facts, order, issues)
    facts.update(cell_facts)
    qdate = quote_date or facts.get("quote_date") or today or clock.today()
    valid = valid_until or facts.get("valid_until")
    if valid is None and "valid_days" in facts:
        valid = qdate + dt.timedelta(days=int(facts["valid_days"]))
    header_codes = {c for h in header_text.values() if (c := _currency_in(h))}
    code = (
        currency
        or facts.get("currency")
        or (mapping.currency if mapping else None)
        or _only(read.currencies)
        or (header_codes.pop() if len(header_codes) == 1 else None)
        or ""
    ).upper()
    assumed_usd = not code
    code = code or "USD"
    if not re.fullmatch(r"[A-Z]{3}", code):
        issues.append(ImportIssue(None, "", f"not a currency code: {code!r}"))
    price_header = next((header_text[f] for f in _PRICE_ORDER if f in header_text), "Unit price")
    for row, symbol_code in read.currencies.items():
        if symbol_code != code:
            issues.append(ImportIssue(row, price_header, f"amount in {symbol_code}, quote in {code}"))
    if valid is not None and valid < qdate:
        issues.append(ImportIssue(None, "", f"valid until {valid} is before the quote date {qdate}"))
    if not read.lines and not issues:
        issues.append(ImportIssue(None, "", "no quote lines found under the header"))
    if issues:
        raise QuoteImportError(str(p), sorted(issues, key=lambda i: (i.row or 0, i.column)))
    servers_by_model = {s.model: s for s in servers}
    matched = _match_lines(read.lines, servers, gpus)
    gpu_flag, gpu_notes = reconcile_gpus(matched, servers_by_model)
    flags = [*read.flags, *([gpu_flag] if gpu_flag else [])]
    notes = list(read.notes)
    lead_note = facts.get("lead_time_note")
    if lead_note:
        notes.append(str(lead_note))
    quote = Quote(
        vendor=vendor,
        currency=code,
        quote_date=qdate,
        valid_until=valid,
        quote_number=str(facts.get("quote_number") or ""),
        incoterms=str(facts.get("incoterms") or ""),
        payment_terms=str(facts.get("payment_terms") or ""),
        lead_time_weeks=facts.get("lead_time_weeks"),
        source_file=p.name,
        lines=matched,
        customer=str(facts.get("customer") or ""),
        taxes=tuple(read.taxes),
        flags=tuple(flags),
        notes="\n".join(n for n in [str(lead_note or "")] if n),
    )
    if read.skipped:
        notes.insert(0, f"rows {', '.join(map(str, read.skipped))} skipped (no quantity and no price)")
    if assumed_usd:
        notes.append("no currency stated in the file, its mapping or the command: USD assumed")
    notes += formula_notes(rows)
    notes += [
        f"no catalog match for {x.description!r}: map it by hand"
        for x in matched
        if x.parent is None and x.kind in ("gpu_server", "gpu") and not (x.server_model or x.gpu_name)
    ]
    notes += gpu_notes
    used = ReadLayout(
        sheet=sheet.name,
        header_row=layout.header_row + 1,
        headers=header_text,
        language=language,
        decimal=decimal,
        encoding=how_read.encoding if how_read else "",
        delimiter=how_read.delimiter if how_read else "",
        date_order=order,
    )
    if mapping is not None:
        given = date_order if date_order in ("dmy", "mdy") else None
        remembered = replace(mapping, vendor=vendor, date_order=mapping.date_order or given)
    else:
        remembered = ColumnMapping(
            columns={f: h for f, h in header_text.items() if f in FIELDS},
            header_row=layout.header_row + 1,
            sheet=sheet.name if p.suffix.lower() in (".xlsx", ".xlsm") else None,
            decimal_comma=decimal == ",",
            vendor=vendor,
            date_order=order,
            detected=True,
        )
    return ParsedQuote(quote, remembered, tuple(read.skipped), tuple(notes), used)


_PRICE_ORDER = ("unit_price", "net_price", "list_price", "extended")


def _check_file(p: Path) -> None:
    if not p.exists():
        raise QuoteImportError(str(p), [ImportIssue(None, "", "file not found")])
    if p.suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        raise QuoteImportError(
            str(p), [ImportIssue(None, "", f"unsupported file type {p.suffix.lower()!r} (CSV or XLSX)")]
        )


def _currency_in(text: str) -> str | None:
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            return code
    m = re.search(r"(?<![A-Za-z])(USD|EUR|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN)(?![A-Za-z])", text)
    return m.group(1) if m else None


def _amount_samples(table: _Table) -> list[object]:
    cols = [table.columns[f] for f in ("quantity", *_PRICE_ORDER) if f in table.columns]
    out: list[object] = []
    for row in table.rows[table.header_index + 1 :]:
        out.extend(row[c] for c in cols if c < len(row))
        if any(isinstance(v, str) and _SUMMARY_ANY.search(v) for v in row):
            out.extend(v for v in row if isinstance(v, str))
    return out


def _date_order(
    given: str | None,
    mapping: ColumnMapping | None,
    facts: Mapping[str, Fact],
    language: str,
    issues: list[ImportIssue],
) -> DateOrder | None:
    if given in ("dmy", "mdy"):
        return given  # type: ignore[return-value]
    if mapping is not None and mapping.date_order in ("dmy", "mdy"):
        return mapping.date_order  # type: ignore[return-value]
    try:
        proven = detect_date_order(f.value for f in facts.values())
    except TextNumberError as exc:
        issues.append(ImportIssue(None, "", str(exc)))
        return None
    if proven is not None:
        return proven
    return "dmy" if language in ("de", "fr", "es") else None


def _label_facts(
    found: Mapping[str, Fact], order: DateOrder | None, issues: list[ImportIssue]
) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for key, fact in found.items():
        try:
            if key == "quote_date":
                facts[key] = parse_text_date(fact.value, order)
            elif key == "valid_until":
                days = validity_days(fact.value) if isinstance(fact.value, str) else None
                if days is not None:
                    facts["valid_days"] = days
                else:
                    facts[key] = parse_text_date(fact.value, order)
            elif key == "lead_time":
                weeks, note = parse_lead_time(fact.value)
                facts["lead_time_weeks"] = weeks
                if note:
                    facts["lead_time_note"] = note
            elif key == "currency":
                code = _currency_in(str(fact.value)) or str(fact.value).strip().upper()
                if re.fullmatch(r"[A-Z]{3}", code):
                    facts[key] = code
                elif normalise(code) in ("euro", "euros"):
                    facts[key] = "EUR"
                else:
                    issues.append(ImportIssue(fact.row, fact.label, f"not a currency: {fact.value!r}"))
            else:
                value = fact.value
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                facts[key] = str(value).strip()
        except ValueError as exc:
            issues.append(ImportIssue(fact.row, fact.label, str(exc)))
    return facts


# ------------------------------------------------------------------------------------------ line table

_SUBTOTAL = re.compile(
    r"^\s*(sub\s*-?\s*total|zwischensumme|summe\s*netto|nettosumme|nettobetrag|gesamt\s*netto|netto\s*gesamt"
    r"|gesamtsumme\s*netto|summe|total\s*ht|total\s*hors\s*taxes|sous-?\s*total|montant\s*ht|base\s*imponible"
    r"|total\s*net|net\s*total|total\s*\(?\s*excl|total\s*before\s*tax|total\s*neto|importe\s*neto)",
    re.I,
)
_TOTAL = re.compile(
    r"^\s*(grand\s*total|total|gesamtbetrag|gesamtsumme|summe\s*brutto|brutto|endbetrag|montant\s*ttc"
    r"|importe\s*total)",
    re.I,
)
_TAX = re.compile(r"\b(tax|taxes|vat|mwst|ust|umsatzsteuer|mehrwertsteuer|tva|iva|igv|gst)\b\.?", re.I)
_FREIGHT = re.compile(
    r"shipping|freight|fracht|versand|frais\s*de\s*port|\btransporte?\b|env[ií]o|delivery", re.I
)
_SUMMARY_ANY = re.compile(f"{_SUBTOTAL.pattern}|{_TOTAL.pattern}|{_TAX.pattern}", re.I)
_INCLUDED = re.compile(
    r"^\s*(included|incl\.?|inklusive|inkl\.?|inbegriffen|inclus|incluse?s?|incluido|incluida|no\s*charge"
    r"|n/c|sin\s*cargo|offert)\s*$",
    re.I,
)
_INCLUDED_IN = re.compile(
    r"(?:included\s*in|incl\.?\s*in|inkl\.?\s*in|enthalten\s*in|inclus\s*dans|inclu(?:ido|ida)\s*en)\s*"
    r"(?:line|item|pos\.?|position|ligne|l[ií]nea)?\s*#?\s*(\d+)",
    re.I,
)
_SUB_POSITION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
_TOP_POSITION = re.compile(r"^\s*(\d+)\.?\s*$")
_RATE = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_TOLERANCE = 0.005
"""Half a cent: a stated Subtotal/Total further than this from the lines' sum is a mismatch."""


@dataclass
class _Read:
    lines: list[QuoteLine] = field(default_factory=list)
    taxes: list[TaxLine] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    currencies: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    rows_used: set[int] = field(default_factory=set)
    positions: dict[str, int] = field(default_factory=dict)
    last_top: int | None = None

    @property
    def capex(self) -> float:
        return math.fsum(x.amount for x in self.lines)


def _cell(table: _Table, row: list[Any], fld: str) -> Any:
    c = table.columns.get(fld)
    return row[c] if c is not None and c < len(row) else None


def _money(value: object, decimal: DecimalMark) -> tuple[float, str | None]:
    try:
        amount = parse_money(value, decimal)
    except TextNumberError as exc:
        raise ValueError(str(exc).replace("not an amount", "not a number", 1)) from None
    return float(amount.value), amount.currency


def _read_table(table: _Table, decimal: DecimalMark, issues: list[ImportIssue]) -> _Read:
    out = _Read()
    for i in range(table.header_index + 1, len(table.rows)):
        row = table.rows[i]
        if all(_blank(v) for v in row):
            continue
        row_no = i + 1
        qty_cell = _cell(table, row, "quantity")
        label = _row_label(table, row)
        summary = bool(label) and (_blank(qty_cell) or bool(_TAX.search(label)))
        if summary and _summary_row(table, row, row_no, label, decimal, out, issues):
            out.rows_used.add(i)
            continue
        prices = [_cell(table, row, f) for f in _PRICE_ORDER]
        if _blank(qty_cell) and all(_blank(v) for v in prices):
            out.skipped.append(row_no)
            continue
        before = len(issues)
        line = _parse_line(table, row, row_no, decimal, out, issues)
        if line is not None and len(issues) == before:
            out.lines.append(line)
            out.rows_used.add(i)
    return out


def _row_label(table: _Table, row: list[Any]) -> str:
    description = _cell(table, row, "description")
    if not _blank(description):
        return str(description).strip()
    return next((str(v).strip() for v in row if isinstance(v, str) and re.search(r"[^\W\d_]", v)), "")


def _row_amount(table: _Table, row: list[Any], decimal: DecimalMark) -> tuple[float, str | None] | None:
    for fld in ("extended", "net_price", "unit_price"):
        value = _cell(table, row, fld)
        if not _blank(value):
            try:
                return _money(value, decimal)
            except ValueError:
                pass
    for value in reversed(row):
        if _blank(value) or (isinstance(value, str) and not re.search(r"\d", value)):
            continue
        try:
            return _money(value, decimal)
        except ValueError:
            continue
    return None


def _summary_row(
    table: _Table,
    row: list[Any],
    row_no: int,
    label: str,
    decimal: DecimalMark,
    out: _Read,
    issues: list[ImportIssue],
) -> bool:
    """A Subtotal / Total / tax / freight row below the lines: checked, kept apart or added. True if it
    was one (with an amount)."""
    kind = (
        "subtotal"
        if _SUBTOTAL.search(label)
        else "total"
        if _TOTAL.search(label)
        else "tax"
        if _TAX.search(label)
        else "freight"
        if _FREIGHT.search(label) and _blank(_cell(table, row, "quantity"))
        else None
    )
    if kind is None:
        return False
    found = _row_amount(table, row, decimal)
    if found is None:
        return False
    amount, code = found
    if code:
        out.currencies[row_no] = code
    if kind == "tax":
        rate = _RATE.search(label)
        out.taxes.append(TaxLine(label, amount, float(rate.group(1).replace(",", ".")) if rate else None))
        return True
    if kind == "freight":
        out.lines.append(QuoteLine(label, 1.0, amount, "shipping", note="freight row below the lines"))
        return True
    computed = out.capex + (math.fsum(t.amount for t in out.taxes) if kind == "total" else 0.0)
    what = "the lines" if kind == "subtotal" else "the lines and taxes"
    if abs(computed - amount) > _TOLERANCE:
        out.flags.append(
            f"{label!r} (row {row_no}) says {amount:,.2f} but {what} above it add up to {computed:,.2f} "
            f"(difference {amount - computed:+,.2f})"
        )
    else:
        out.notes.append(f"{label!r} (row {row_no}) {amount:,.2f} matches {what} above it")
    return True


def _included(value: object) -> bool:
    return isinstance(value, str) and bool(_INCLUDED.match(value))


def _fraction(value: object, decimal: DecimalMark) -> float:
    """A discount as a fraction: 0.28 (a spreadsheet percentage), "28%", 28 → 0.28."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if abs(value) <= 1 else float(value) / 100.0
    text = str(value).replace("%", "").strip()
    number = _money(text, decimal)[0]
    return number / 100.0 if abs(number) > 1 or "%" in str(value) else number


def _parse_line(
    table: _Table,
    row: list[Any],
    row_no: int,
    decimal: DecimalMark,
    out: _Read,
    issues: list[ImportIssue],
) -> QuoteLine | None:
    def bad(fld: str, reason: str) -> None:
        issues.append(ImportIssue(row_no, table.header_text.get(fld, FIELD_LABELS.get(fld, fld)), reason))

    description = (
        "" if _blank(_cell(table, row, "description")) else str(_cell(table, row, "description")).strip()
    )
    part = "" if _blank(_cell(table, row, "part_number")) else str(_cell(table, row, "part_number")).strip()
    position = "" if _blank(_cell(table, row, "position")) else str(_cell(table, row, "position")).strip()
    if isinstance(_cell(table, row, "position"), float) and float(_cell(table, row, "position")).is_integer():
        position = str(int(_cell(table, row, "position")))
    if not description:
        bad("description", "is empty")
    parent = _parent_of(position, description, out)
    notes: list[str] = []
    quantity = None
    qty_cell = _cell(table, row, "quantity")
    try:
        quantity = _money(qty_cell, decimal)[0]
        if quantity <= 0:
            bad("quantity", f"must be more than 0 (got {quantity:g})")
            quantity = None
    except ValueError as exc:
        bad("quantity", "is empty" if _blank(qty_cell) else str(exc))
    price = _unit_price(table, row, row_no, decimal, quantity, parent, out, notes, bad)
    if price is not None and parent is None and _included_price(table, row) and not position:
        parent = _configured_server(out)
    kind: LineKind | None = None
    if "kind" in table.header_text and not _blank(_cell(table, row, "kind")):
        try:
            kind = parse_kind(_cell(table, row, "kind"), table.kind_values)
        except ValueError as exc:
            bad("kind", str(exc))
    elif description:
        kind = "discount" if price is not None and price < 0 else guess_kind(description, part)
    if parent is not None and kind in ("gpu_server", "gpu"):
        kind = "gpu" if gpu_models_in(description) else "other"
    support = None
    if "support_years" in table.header_text and not _blank(_cell(table, row, "support_years")):
        try:
            support = _money(_cell(table, row, "support_years"), decimal)[0]
            if support < 0:
                bad("support_years", "cannot be negative")
        except ValueError as exc:
            bad("support_years", str(exc))
    elif kind in ("support", "gpu_server"):
        support = parse_support_years(description)
    if price is not None and price < 0 and kind is not None and kind != "discount":
        bad(_price_field(table), f"a negative price is only allowed on a discount line (got {price:g})")
    if quantity is not None and kind in ("gpu_server", "gpu") and not float(quantity).is_integer():
        bad("quantity", f"a count of servers or GPUs must be whole (got {quantity:g})")
    if not description or quantity is None or price is None or kind is None:
        return None
    if parent is not None:
        notes.append(f"component of line {parent}: describes it, adds no servers or GPUs")
    line = QuoteLine(description, quantity, price, kind, part, support, parent=parent, note="; ".join(notes))
    index = len(out.lines) + 1
    if position:
        out.positions.setdefault(position, index)
    if parent is None:
        out.last_top = index
    return line


def _configured_server(out: _Read) -> int | None:
    """The server line an "Included" row without its own position describes: the last line that is not a
    component, when it is a GPU server (configurator exports list a server's features under it)."""
    if out.last_top is None:
        return None
    return out.last_top if out.lines[out.last_top - 1].kind == "gpu_server" else None


def _price_field(table: _Table) -> str:
    return next((f for f in _PRICE_ORDER if f in table.columns), "unit_price")


def _included_price(table: _Table, row: list[Any]) -> bool:
    return any(_included(_cell(table, row, f)) for f in _PRICE_ORDER)


def _parent_of(position: str, description: str, out: _Read) -> int | None:
    m = _SUB_POSITION.match(position)
    if m and m.group(1) in out.positions:
        return out.positions[m.group(1)]
    m = _INCLUDED_IN.search(description)
    if m:
        ref = m.group(1)
        if ref in out.positions:
            return out.positions[ref]
        tops = [n for n, x in enumerate(out.lines, start=1) if x.parent is None]
        if 1 <= int(ref) <= len(tops):
            return tops[int(ref) - 1]
    return None


def _unit_price(
    table: _Table,
    row: list[Any],
    row_no: int,
    decimal: DecimalMark,
    quantity: float | None,
    parent: int | None,
    out: _Read,
    notes: list[str],
    bad: Any,
) -> float | None:
    """Unit price in the quote currency: "Included" → 0; the net price; list × (1 − discount); the unit
    price (less a per-line discount); or the line total ÷ quantity. A line total that disagrees with
    quantity × unit price wins (it is what the vendor sums), with a note."""
    cells = {f: _cell(table, row, f) for f in (*_PRICE_ORDER, "discount")}
    if _included_price(table, row):
        notes.append("priced 'Included': counted as 0")
        return 0.0
    uncomputed = {
        fld: table.formulas[(row_no - 1, c)]
        for fld in _PRICE_ORDER
        if (c := table.columns.get(fld)) is not None
        and cells[fld] is None
        and (row_no - 1, c) in table.formulas
    }
    values: dict[str, tuple[float, str | None]] = {}
    for fld in _PRICE_ORDER:
        if not _blank(cells[fld]):
            try:
                values[fld] = _money(cells[fld], decimal)
            except ValueError as exc:
                bad(fld, str(exc))
                return None
    try:
        discount = 0.0 if _blank(cells["discount"]) else _fraction(cells["discount"], decimal)
    except ValueError as exc:
        bad("discount", str(exc))
        return None
    for _v, code in values.values():
        if code:
            out.currencies[row_no] = code
    unit: float | None = None
    if "net_price" in values:
        unit = values["net_price"][0]
    elif "list_price" in values and "unit_price" not in values:
        unit = values["list_price"][0] * (1.0 - discount)
    elif "unit_price" in values:
        unit = values["unit_price"][0] * (1.0 - discount)
    total = values.get("extended")
    if unit is None and total is not None and quantity:
        unit = total[0] / quantity
    if unit is None and uncomputed:
        fld, formula = next(iter(uncomputed.items()))
        bad(
            fld,
            f"holds a formula with no computed value ({formula}): open and save the file in a spreadsheet program first",
        )
        return None
    if unit is None:
        if parent is not None:
            notes.append("no price given: counted as 0 (a component of its bundle)")
            return 0.0
        bad(_price_field(table), "is empty")
        return None
    if discount:
        notes.append(f"{discount:.0%} discount on the line")
    if total is not None and quantity and abs(quantity * unit - total[0]) > _TOLERANCE:
        notes.append(
            f"quantity × unit price = {quantity * unit:,.2f}, the line total {total[0]:,.2f} is used"
        )
        unit = total[0] / quantity
    return unit


def _match_lines(
    lines: Sequence[QuoteLine], servers: Sequence[ServerPlatform], gpus: Sequence[Gpu]
) -> tuple[QuoteLine, ...]:
    """Each GPU-server line (with its components' text) and loose GPU line gets a catalog suggestion."""
    out = []
    for position, line in enumerate(lines, start=1):
        if (
            line.parent is not None
            or line.kind not in ("gpu_server", "gpu")
            or line.server_model
            or line.gpu_name
        ):
            out.append(line)
            continue
        components = " ".join(x.description for x in lines if x.parent == position)
        text = f"{line.description} {line.part_number} {components}"
        if line.kind == "gpu_server":
            match = match_server(text, servers)
            out.append(
                replace(line, server_model=match.key, match_confirmed=False, match_score=match.confidence)
                if match
                else line
            )
        else:
            gmatch = match_gpu(text, gpus)
            out.append(
                replace(line, gpu_name=gmatch.key, match_confirmed=False, match_score=gmatch.confidence)
                if gmatch
                else line
            )
    return tuple(out)


def _only(found: Mapping[int, str]) -> str | None:
    codes = set(found.values())
    return codes.pop() if len(codes) == 1 else None


def _cell_facts(
    cells: Mapping[str, Any], mapping: ColumnMapping, issues: list[ImportIssue]
) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for key, ref in mapping.cells.items():
        value = cells.get(ref)
        if _blank(value):
            continue
        row = int(re.sub(r"\D", "", ref))
        try:
            if key in ("quote_date", "valid_until"):
                facts[key] = parse_date(value)
            elif key == "lead_time_weeks":
                facts[key] = parse_amount(value)[0]
            else:
                facts[key] = str(value).strip()
        except ValueError as exc:
            issues.append(ImportIssue(row, ref, f"{key}: {exc}"))
    return facts


# ------------------------------------------------------------------------------------------ catalog


def catalog_maps(engine: Engine) -> tuple[dict[str, ServerPlatform], dict[str, Gpu]]:
    """The catalog's server platforms by model and GPUs by name (for matching and normalisation)."""
    from db.catalog import list_gpus, list_servers

    return {s.model: s for s in list_servers(engine)}, {g.name: g for g in list_gpus(engine)}


def fx_to_usd(engine: Engine, currency: str, on: dt.date) -> FxRate | None:
    """The catalog's rate converting ``currency`` to USD as of ``on`` (None for USD).

    Raises :class:`QuoteImportError` when the catalog has no such rate on or before that date.
    """
    if currency.upper() == "USD":
        return None
    from db.catalog import fx_rate

    try:
        rate: FxRate | None = fx_rate(engine, currency.upper(), "USD", on=on)
    except (LookupError, ValueError):
        rate = None
    if rate is None:
        raise QuoteImportError(
            currency,
            [
                ImportIssue(
                    None,
                    "",
                    f"the catalog has no {currency}/USD rate on or before {on.isoformat()}: "
                    "add one to the catalog's FX table (planner catalog import FILE --table fx)",
                )
            ],
        )
    return rate


# ------------------------------------------------------------------------------------------ writing


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: the quote's id and value, the mapping that read it (None: detected layout,
    see ``layout``), and notes for the user."""

    quote_id: int
    quote: Quote
    mapping: ColumnMapping | None
    notes: tuple[str, ...]
    layout: ReadLayout | None = None


def import_quote(
    engine: Engine,
    path: str | Path,
    *,
    vendor: str,
    mapping: ColumnMapping | None = None,
    quote_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    currency: str | None = None,
    date_order: str | None = None,
    today: dt.date | None = None,
    replace_existing: bool = False,
) -> ImportResult:
    """Import a quote file in one transaction; nothing is written when anything is wrong.

    Without ``mapping`` the vendor's remembered mapping is tried, then the layout is detected (header row,
    column names in four languages, title-block facts by label). A mapping given or remembered that reads
    the file is remembered for the vendor; a detected layout is detected again next time. ``date_order``
    ("dmy"/"mdy") settles slashed dates the file leaves ambiguous. The FX rate of the quote date is stored.
    A quote already stored (see :func:`find_duplicates`) is refused, unless ``replace_existing``: then it
    is replaced in the same transaction, keeping its id (further copies are deleted).
    """
    if not vendor.strip():
        raise QuoteImportError(str(path), [ImportIssue(None, "", "the vendor name is empty")])
    servers, gpus = catalog_maps(engine)
    kwargs: dict[str, Any] = dict(
        vendor=vendor.strip(),
        quote_date=quote_date,
        valid_until=valid_until,
        currency=currency,
        date_order=date_order,
        servers=list(servers.values()),
        gpus=list(gpus.values()),
        today=today,
    )
    if mapping is not None:
        parsed = parse_quote_file(path, mapping=mapping, **kwargs)
    else:
        parsed = _parse_with_remembered(engine, path, kwargs)
    try:
        fx = fx_to_usd(engine, parsed.quote.currency, parsed.quote.quote_date)
    except QuoteImportError as exc:
        raise QuoteImportError(str(path), exc.issues) from None
    quote = replace(parsed.quote, fx=fx)
    unstorable = text_issues(quote)
    if unstorable:
        raise QuoteImportError(str(path), unstorable)
    notes = list(parsed.notes)
    if fx is not None and (quote.quote_date - fx.as_of).days > FX_STALE_DAYS:
        notes.append(
            f"the newest {fx.base}/{fx.quote} rate in the catalog is from {fx.as_of.isoformat()}, "
            f"{(quote.quote_date - fx.as_of).days} days before the quote date: update the FX table for a fairer figure"
        )
    # one quote writer at a time: a concurrent import of the same file waits, then finds this one stored
    with write_scope(engine, "quotes") as session:
        server_ids, gpu_ids_ = servers_ids(session), gpu_ids(session)
        duplicates = find_duplicates(session, quote)
        if duplicates and not replace_existing:
            first = duplicates[0]
            ref = f"{first.vendor} {first.quote_number}".strip()
            raise QuoteImportError(
                str(path),
                [
                    ImportIssue(
                        None,
                        "",
                        f"already imported as quote {first.id} ({ref}, imported "
                        f"{first.imported_at:%Y-%m-%d %H:%M} UTC): delete it first, or import again with "
                        "--replace (Import dialog: Replace if already imported) to replace it",
                    )
                ],
            )
        if duplicates:
            quote_id = _replace_quote(session, duplicates, quote, server_ids, gpu_ids_)
            notes.append(f"replaced quote {quote_id} (same vendor and quote number, or the same lines)")
            if len(duplicates) > 1:
                notes.append("deleted further copies: " + ", ".join(str(r.id) for r in duplicates[1:]))
        else:
            quote_id = _insert_quote(session, quote, server_ids, gpu_ids_)
        if parsed.mapping is not None:
            _upsert_mapping(session, vendor.strip(), parsed.mapping)
    return ImportResult(quote_id, replace(quote, id=quote_id), parsed.mapping, tuple(notes), parsed.layout)


def _line_signature(lines: Iterable[Any]) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (x.description.strip(), x.part_number.strip(), float(x.quantity), float(x.unit_price), x.kind)
        for x in lines
    )


def find_duplicates(session: Session, quote: Quote) -> list[QuoteRow]:
    """Stored quotes that are the same quote as ``quote``, oldest first: same vendor (any case) and either the
    same non-empty quote number, or the same currency and the very same lines (description, part number,
    quantity, unit price, kind, in order) — a re-import of the same file, whatever its name."""
    vendor = quote.vendor.strip().casefold()
    rows = [
        r
        for r in session.execute(select(QuoteRow).order_by(col(QuoteRow.id))).scalars()
        if r.vendor.strip().casefold() == vendor
    ]
    if not rows:
        return []
    signature = _line_signature(quote.lines)
    number = quote.quote_number.strip().casefold()
    out = []
    for row in rows:
        if number and row.quote_number.strip().casefold() == number:
            out.append(row)
            continue
        if row.currency.upper() != quote.currency.upper():
            continue
        stored = session.execute(
            select(QuoteLineRow)
            .where(col(QuoteLineRow.quote_id) == row.id)
            .order_by(col(QuoteLineRow.position))
        ).scalars()
        if _line_signature(x for x in stored if x.kind != TAX_KIND) == signature:
            out.append(row)
    return out


def _replace_quote(
    session: Session,
    duplicates: Sequence[QuoteRow],
    quote: Quote,
    server_ids: Mapping[str, int],
    gpu_ids_: Mapping[str, int],
) -> int:
    """Replace the first of ``duplicates`` by ``quote`` (same id, new lines); delete the others."""
    row = duplicates[0]
    assert row.id is not None
    for key in ("vendor", "quote_number", "quote_date", "valid_until", "incoterms", "payment_terms"):
        setattr(row, key, getattr(quote, key))
    row.currency = quote.currency.upper()
    row.lead_time_weeks = quote.lead_time_weeks
    row.notes = quote.notes
    row.source_file = quote.source_file
    row.customer = quote.customer
    row.flags = "\n".join(quote.flags)
    row.imported_at = clock.now()
    _set_fx(row, quote.fx)
    ids = [r.id for r in duplicates]
    session.execute(delete(QuoteLineRow).where(col(QuoteLineRow.quote_id).in_(ids)))
    for other in duplicates[1:]:
        session.delete(other)
    session.flush()
    _insert_lines(session, row.id, quote, server_ids, gpu_ids_)
    return row.id


def _parse_with_remembered(engine: Engine, path: str | Path, kwargs: dict[str, Any]) -> ParsedQuote:
    """The vendor's remembered mapping, then a detected layout. A layout remembered from detection is
    detected again, the vendor's date order settling slashed dates the new file leaves ambiguous."""
    remembered = vendor_mapping(engine, kwargs["vendor"])
    if remembered is not None and remembered.detected:
        settled = {**kwargs, "date_order": kwargs.get("date_order") or remembered.date_order}
        return parse_quote_file(path, mapping=None, **settled)
    if remembered is not None:
        try:
            return parse_quote_file(path, mapping=remembered, **kwargs)
        except QuoteImportError as exc:
            if not any("no header naming" in i.reason for i in exc.issues):
                raise
    return parse_quote_file(path, mapping=None, **kwargs)


def servers_ids(session: Session) -> dict[str, int]:
    return {
        m: i
        for i, m in session.execute(select(col(ServerPlatformRow.id), col(ServerPlatformRow.model)))
        if i is not None
    }


def gpu_ids(session: Session) -> dict[str, int]:
    return {n: i for i, n in session.execute(select(col(GpuRow.id), col(GpuRow.name))) if i is not None}


def _insert_quote(
    session: Session, quote: Quote, server_ids: Mapping[str, int], gpu_ids_: Mapping[str, int]
) -> int:
    row = QuoteRow(
        vendor=quote.vendor,
        quote_number=quote.quote_number,
        quote_date=quote.quote_date,
        valid_until=quote.valid_until,
        currency=quote.currency.upper(),
        incoterms=quote.incoterms,
        payment_terms=quote.payment_terms,
        lead_time_weeks=quote.lead_time_weeks,
        notes=quote.notes,
        source_file=quote.source_file,
        imported_at=clock.now(),
        customer=quote.customer,
        flags="\n".join(quote.flags),
    )
    _set_fx(row, quote.fx)
    session.add(row)
    session.flush()
    assert row.id is not None
    _insert_lines(session, row.id, quote, server_ids, gpu_ids_)
    return row.id


def _set_fx(row: QuoteRow, fx: FxRate | None) -> None:
    row.fx_base = fx.base if fx else None
    row.fx_quote = fx.quote if fx else None
    row.fx_rate = fx.rate if fx else None
    row.fx_as_of = fx.as_of if fx else None
    row.fx_source_url = fx.source_url if fx else ""


TAX_KIND = "tax"
"""Kind of the stored lines that are a quote's taxes (after its own lines; read back as ``Quote.taxes``)."""


def _insert_lines(
    session: Session,
    quote_id: int,
    quote: Quote,
    server_ids: Mapping[str, int],
    gpu_ids_: Mapping[str, int],
) -> None:
    for position, tax in enumerate(quote.taxes, start=len(quote.lines) + 1):
        session.add(
            QuoteLineRow(
                quote_id=quote_id,
                position=position,
                description=tax.description,
                quantity=1.0,
                unit_price=tax.amount,
                kind=TAX_KIND,
                support_years=tax.rate,
            )
        )
    for position, line in enumerate(quote.lines, start=1):
        session.add(
            QuoteLineRow(
                quote_id=quote_id,
                position=position,
                description=line.description,
                part_number=line.part_number,
                quantity=line.quantity,
                unit_price=line.unit_price,
                kind=line.kind,
                support_years=line.support_years,
                server_id=server_ids.get(line.server_model or ""),
                gpu_id=gpu_ids_.get(line.gpu_name or ""),
                match_confirmed=line.match_confirmed,
                parent_position=line.parent,
                note=line.note,
                match_score=line.match_score,
            )
        )


_QUOTE_TEXT = ("vendor", "quote_number", "incoterms", "payment_terms", "notes", "source_file", "customer")
_LINE_TEXT = ("description", "part_number", "kind", "note")


def text_issues(quote: Quote) -> list[ImportIssue]:
    """Text the database cannot store alike on SQLite and PostgreSQL (NUL and control characters, over-long
    values; :func:`db.schema.text_problem`), one issue per field (row = line number from 1)."""
    issues: list[ImportIssue] = []
    quote_limits, line_limits = text_limits(QuoteRow), text_limits(QuoteLineRow)
    for name in _QUOTE_TEXT:
        problem = text_problem(str(getattr(quote, name) or ""), quote_limits.get(name))
        if problem is not None:
            issues.append(ImportIssue(None, name, problem))
    for n, line in enumerate(quote.lines, start=1):
        for name in _LINE_TEXT:
            problem = text_problem(str(getattr(line, name) or ""), line_limits.get(name))
            if problem is not None:
                issues.append(ImportIssue(n, name, problem))
    for tax in quote.taxes:
        problem = text_problem(tax.description, line_limits.get("description"))
        if problem is not None:
            issues.append(ImportIssue(None, "tax", problem))
    return issues


def validate_quote(
    quote: Quote, server_models: Iterable[str] = (), gpu_names: Iterable[str] = ()
) -> list[ImportIssue]:
    """Problems of a hand-entered or edited quote, one per field (row = line number from 1)."""
    issues: list[ImportIssue] = []
    if not quote.vendor.strip():
        issues.append(ImportIssue(None, "vendor", "is empty"))
    if not re.fullmatch(r"[A-Z]{3}", quote.currency.upper()):
        issues.append(ImportIssue(None, "currency", f"not a currency code: {quote.currency!r}"))
    if quote.valid_until is not None and quote.valid_until < quote.quote_date:
        issues.append(ImportIssue(None, "valid_until", "is before the quote date"))
    if quote.lead_time_weeks is not None and quote.lead_time_weeks < 0:
        issues.append(ImportIssue(None, "lead_time_weeks", "cannot be negative"))
    servers = set(server_models)
    gpus = set(gpu_names)
    for n, line in enumerate(quote.lines, start=1):
        if not line.description.strip():
            issues.append(ImportIssue(n, "description", "is empty"))
        if not math.isfinite(line.quantity) or line.quantity <= 0:
            issues.append(ImportIssue(n, "quantity", f"must be more than 0 (got {line.quantity:g})"))
        if not math.isfinite(line.unit_price) or (line.unit_price < 0 and line.kind != "discount"):
            issues.append(
                ImportIssue(
                    n,
                    "unit_price",
                    f"a negative price is only allowed on a discount line (got {line.unit_price:g})",
                )
            )
        if line.kind not in LINE_KINDS:
            issues.append(ImportIssue(n, "kind", f"unknown kind {line.kind!r}"))
        if line.server_model and line.server_model not in servers:
            issues.append(ImportIssue(n, "server_model", f"not in the catalog: {line.server_model!r}"))
        if line.gpu_name and line.gpu_name not in gpus:
            issues.append(ImportIssue(n, "gpu_name", f"not in the catalog: {line.gpu_name!r}"))
        if line.support_years is not None and line.support_years < 0:
            issues.append(ImportIssue(n, "support_years", "cannot be negative"))
    if not quote.lines:
        issues.append(ImportIssue(None, "lines", "a quote needs at least one line"))
    return issues + text_issues(quote)


def save_quote(engine: Engine, quote: Quote) -> int:
    """Insert a hand-entered quote (``id`` None) or replace an existing one and its lines; one transaction.

    A non-USD quote without ``fx`` gets the catalog rate of its date. Raises :class:`QuoteImportError`.
    """
    if quote.fx is None and quote.currency.upper() != "USD":
        quote = replace(quote, fx=fx_to_usd(engine, quote.currency, quote.quote_date))
    with write_scope(engine, "quotes") as session:
        server_ids = servers_ids(session)
        gpu_ids_ = gpu_ids(session)
        issues = validate_quote(quote, server_ids, gpu_ids_)
        if issues:
            raise QuoteImportError(quote.label or "quote", issues)
        if quote.id is None:
            return _insert_quote(session, quote, server_ids, gpu_ids_)
        row = session.get(QuoteRow, quote.id)
        if row is None:
            raise QuoteImportError(quote.label, [ImportIssue(None, "id", f"no quote with id {quote.id}")])
        for key in ("vendor", "quote_number", "quote_date", "valid_until", "incoterms", "payment_terms"):
            setattr(row, key, getattr(quote, key))
        row.currency = quote.currency.upper()
        row.lead_time_weeks = quote.lead_time_weeks
        row.notes = quote.notes
        row.source_file = quote.source_file
        row.customer = quote.customer
        row.flags = "\n".join(quote.flags)
        _set_fx(row, quote.fx)
        session.execute(delete(QuoteLineRow).where(col(QuoteLineRow.quote_id) == quote.id))
        _insert_lines(session, quote.id, quote, server_ids, gpu_ids_)
        return quote.id


def delete_quote(engine: Engine, quote_id: int) -> bool:
    """Delete a quote and its lines; False when there was no such quote."""
    with write_scope(engine, "quotes") as session:
        row = session.get(QuoteRow, quote_id)
        if row is None:
            return False
        session.execute(delete(QuoteLineRow).where(col(QuoteLineRow.quote_id) == quote_id))
        session.delete(row)
        return True


def confirm_match(
    engine: Engine,
    quote_id: int,
    position: int,
    *,
    server_model: str | None = None,
    gpu_name: str | None = None,
) -> Quote:
    """Confirm (or set) the catalog platform or GPU of line ``position`` (from 1); returns the quote."""
    quote = get_quote(engine, quote_id)
    if not 1 <= position <= len(quote.lines):
        raise QuoteImportError(quote.label, [ImportIssue(position, "", "no such line")])
    line = quote.lines[position - 1]
    line = replace(
        line,
        server_model=server_model if server_model is not None else line.server_model,
        gpu_name=gpu_name if gpu_name is not None else line.gpu_name,
        match_confirmed=True,
    )
    lines = quote.lines[: position - 1] + (line,) + quote.lines[position:]
    save_quote(engine, replace(quote, lines=lines))
    return get_quote(engine, quote_id)


# ------------------------------------------------------------------------------------------ reading back


def _to_quote(
    row: QuoteRow, lines: Sequence[QuoteLineRow], models: Mapping[int, str], names: Mapping[int, str]
) -> Quote:
    fx = None
    if row.fx_rate is not None and row.fx_base and row.fx_quote and row.fx_as_of:
        fx = FxRate(row.fx_base, row.fx_quote, row.fx_rate, row.fx_as_of, row.fx_source_url)
    return Quote(
        id=row.id,
        vendor=row.vendor,
        currency=row.currency,
        quote_date=row.quote_date,
        valid_until=row.valid_until,
        quote_number=row.quote_number,
        incoterms=row.incoterms,
        payment_terms=row.payment_terms,
        lead_time_weeks=row.lead_time_weeks,
        notes=row.notes,
        source_file=row.source_file,
        fx=fx,
        customer=row.customer,
        flags=tuple(f for f in row.flags.split("\n") if f),
        taxes=tuple(
            TaxLine(x.description, x.unit_price, x.support_years)
            for x in sorted(lines, key=lambda x: x.position)
            if x.kind == TAX_KIND
        ),
        lines=tuple(
            QuoteLine(
                description=x.description,
                quantity=x.quantity,
                unit_price=x.unit_price,
                kind=_as_kind(x.kind),
                part_number=x.part_number,
                support_years=x.support_years,
                server_model=models.get(x.server_id) if x.server_id is not None else None,
                gpu_name=names.get(x.gpu_id) if x.gpu_id is not None else None,
                match_confirmed=x.match_confirmed,
                parent=x.parent_position,
                note=x.note,
                match_score=x.match_score,
            )
            for x in sorted(lines, key=lambda x: x.position)
            if x.kind != TAX_KIND
        ),
    )


def list_quotes(engine: Engine, ids: Sequence[int] | None = None) -> list[Quote]:
    """Quotes (all, or those of ``ids`` in that order) with their lines, newest first when listing all."""
    with Session(engine) as session:
        stmt = select(QuoteRow)
        if ids:
            stmt = stmt.where(col(QuoteRow.id).in_(list(ids)))
        rows = list(session.execute(stmt).scalars())
        line_rows = list(
            session.execute(
                select(QuoteLineRow).where(col(QuoteLineRow.quote_id).in_([r.id for r in rows]))
            ).scalars()
        )
        models = {i: m for m, i in servers_ids(session).items()}
        names = {i: n for n, i in gpu_ids(session).items()}
    by_quote: dict[int, list[QuoteLineRow]] = {}
    for x in line_rows:
        by_quote.setdefault(x.quote_id, []).append(x)
    quotes = {r.id: _to_quote(r, by_quote.get(r.id or -1, []), models, names) for r in rows}
    if ids:
        missing = [i for i in ids if i not in quotes]
        if missing:
            raise KeyError(f"no quote with id {', '.join(map(str, missing))}")
        return [quotes[i] for i in ids]
    return sorted(quotes.values(), key=lambda q: (q.quote_date, q.id or 0), reverse=True)


def get_quote(engine: Engine, quote_id: int) -> Quote:
    """One quote by id (KeyError if none)."""
    return list_quotes(engine, [quote_id])[0]


def vendor_mapping(engine: Engine, vendor: str) -> ColumnMapping | None:
    """The column mapping remembered for ``vendor`` (case-insensitive), if any."""
    with Session(engine) as session:
        rows = list(session.execute(select(VendorMappingRow)).scalars())
    for row in rows:
        if row.vendor.lower() == vendor.strip().lower():
            return ColumnMapping.from_json(json.loads(row.mapping_json), f"mapping of {row.vendor}")
    return None


def save_vendor_mapping(engine: Engine, vendor: str, mapping: ColumnMapping) -> None:
    """Remember ``mapping`` for ``vendor`` (replacing any earlier one)."""
    with write_scope(engine, "quotes") as session:
        _upsert_mapping(session, vendor.strip(), mapping)


def _upsert_mapping(session: Session, vendor: str, mapping: ColumnMapping) -> None:
    text = json.dumps(replace(mapping, vendor=vendor).to_json(), ensure_ascii=False, sort_keys=True)
    rows = list(session.execute(select(VendorMappingRow)).scalars())
    row = next((r for r in rows if r.vendor.lower() == vendor.lower()), None)
    now = clock.now()
    if row is None:
        session.add(VendorMappingRow(vendor=vendor, mapping_json=text, updated_at=now))
    else:
        row.mapping_json = text
        row.updated_at = now


# ------------------------------------------------------------------------------------------ comparison


def usd_to(engine: Engine, currency: str, on: dt.date | None = None) -> float:
    """Units of ``currency`` per USD from the catalog (1 for USD); LookupError when the catalog has none."""
    if currency.upper() == "USD":
        return 1.0
    from db.catalog import fx_rate

    return fx_rate(engine, "USD", currency.upper(), on=on).rate


BEST_RULE = (
    "lowest value per criterion among valid quotes with GPUs and no completeness warning; "
    "expired, GPU-less and incomplete quotes are never best"
)


def figures_to_json(figures: Sequence[QuoteFigures], site: SiteTerms | None) -> dict[str, Any]:
    """The comparison as plain data (the CLI's ``--json``): one entry per quote, best per criterion."""
    best = best_by_criterion(figures)
    out: list[dict[str, Any]] = []
    for f in figures:
        q = f.quote
        out.append(
            {
                "id": q.id,
                "vendor": q.vendor,
                "quote_number": q.quote_number,
                "quote_date": q.quote_date.isoformat(),
                "valid_until": q.valid_until.isoformat() if q.valid_until else None,
                "currency": q.currency,
                "fx": (
                    {
                        "usd_per_unit": f.usd_per_unit,
                        "as_of": q.fx.as_of.isoformat(),
                        "source": q.fx.source_url,
                    }
                    if q.fx
                    else None
                ),
                "total": round(f.total, 2),
                "total_usd": round(f.total_usd, 2),
                "tax": round(q.tax_total, 2),
                "flags": list(q.flags),
                "servers": f.hardware.servers,
                "gpus": f.hardware.gpus,
                "gpu_names": list(f.hardware.gpu_names),
                "gpu_memory_gb": f.hardware.gpu_memory_gb,
                "bf16_dense_pflops": round(f.hardware.bf16_dense_pflops, 4),
                "it_power_kw": round(f.hardware.it_power_kw, 3),
                "per_gpu_usd": f.per_gpu_usd,
                "per_gb_usd": f.per_gb_usd,
                "per_pflop_usd": f.per_pflop_usd,
                "per_gpu_hour_usd": f.per_gpu_hour_usd,
                "support_years": included_support_years(q),
                "lead_time_weeks": q.lead_time_weeks,
                "expired": f.expired,
                "warnings": list(f.warnings),
                "adjustments": [
                    {"item": a.item, "usd": round(a.usd, 2), "basis": a.basis} for a in f.adjustments
                ],
                "best_eligible": not f.best_excluded_because,
            }
        )
    payload: dict[str, Any] = {
        "quotes": out,
        "best": {key: figures[i].quote.id for key, i in best.items()},
        "best_rule": BEST_RULE,
        "best_excludes": [
            {"id": figures[i].quote.id, "vendor": figures[i].quote.vendor, "reasons": list(reasons)}
            for i, reasons in best_exclusions(figures).items()
        ],
        "criteria": {key: label for key, label in CRITERIA},
    }
    if site is not None:
        payload["per_gpu_hour_basis"] = {
            "horizon_months": site.horizon_months,
            "hours_per_month": site.hours_per_month,
            "utilization": site.utilization,
            "demand_gpu_hours_per_month": site.demand_gpu_hours_per_month,
            "assumptions": list(site.assumptions),
        }
    return payload


class OutputPathError(ValueError):
    """An output file cannot be written where it was asked for (one sentence naming the path)."""


def check_output_path(path: str | Path) -> Path:
    """``path`` as a Path when a file can be written there; :class:`OutputPathError` otherwise."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise OutputPathError(
            f"cannot write {target}: it is a folder; give a file name such as {target / 'comparison.xlsx'}"
        )
    if not folder.exists():
        raise OutputPathError(f"cannot write {target}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {target}: {folder} is not a folder")
    return target


def export_comparison_xlsx(
    path: str | Path, figures: Sequence[QuoteFigures], site: SiteTerms | None = None
) -> Path:
    """Write the side-by-side comparison (best per criterion in bold on green), every quote line, and the
    assumptions to an XLSX workbook; written to a temporary file and renamed, so never half-written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    target = check_output_path(path)
    best = best_by_criterion(figures)
    wb = Workbook()
    ws = wb.active
    ws.title = "Comparison"
    ws.append(["Criterion", *[f.quote.label for f in figures]])
    rows: list[tuple[str, list[Any], str | None]] = [
        ("Vendor", [f.quote.vendor for f in figures], None),
        ("Quote date", [f.quote.quote_date for f in figures], None),
        ("Valid until", [f.quote.valid_until for f in figures], None),
        ("Status", ["EXPIRED" if f.expired else "valid" for f in figures], None),
        ("Currency", [f.quote.currency for f in figures], None),
        ("Total (quote currency)", [f.total for f in figures], None),
        ("Tax, kept out of capex (quote currency)", [f.quote.tax_total for f in figures], None),
        ("USD per unit of currency (FX at quote date)", [f.usd_per_unit for f in figures], None),
        ("FX as of", [f.quote.fx.as_of if f.quote.fx else None for f in figures], None),
        ("Servers", [f.hardware.servers for f in figures], None),
        ("GPUs", [f.hardware.gpus for f in figures], None),
        ("GPU memory (GB)", [f.hardware.gpu_memory_gb for f in figures], None),
        ("Dense BF16 PFLOPS", [f.hardware.bf16_dense_pflops for f in figures], None),
        ("IT power (kW)", [f.hardware.it_power_kw for f in figures], None),
        ("Included support (years)", [included_support_years(f.quote) for f in figures], None),
        ("Lead time (weeks)", [f.quote.lead_time_weeks for f in figures], None),
        ("Incoterms / shipping", [f.quote.incoterms for f in figures], None),
        ("Payment terms", [f.quote.payment_terms for f in figures], None),
    ]
    rows.append(
        (
            "Adjustments in the all-in cost (USD)",
            ["; ".join(f"{a.item}: {a.usd:,.2f} ({a.basis})" for a in f.adjustments) for f in figures],
            None,
        )
    )
    rows += [(label, [getattr(f, key) for f in figures], key) for key, label in CRITERIA]
    rows.append(("Warnings", ["; ".join(f.warnings) for f in figures], None))
    rows.append(
        (
            "Not eligible for best",
            ["; ".join(f.best_excluded_because) for f in figures],
            None,
        )
    )
    highlight = PatternFill("solid", fgColor="C6EFCE")
    for label, values, key in rows:
        ws.append([label, *values])
        if key in best:
            cell = ws.cell(ws.max_row, 2 + best[key])
            cell.fill = highlight
            cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 44
    lines = wb.create_sheet("Lines")
    lines.append(
        [
            "Quote",
            "Line",
            "Kind",
            "Description",
            "Part number",
            "Quantity",
            "Unit price",
            "Currency",
            "Amount",
            "Support years",
            "Catalog match",
            "Match confirmed",
        ]
    )
    for f in figures:
        for n, x in enumerate(f.quote.lines, start=1):
            lines.append(
                [
                    f.quote.label,
                    n,
                    KIND_LABELS[x.kind],
                    x.description,
                    x.part_number,
                    x.quantity,
                    x.unit_price,
                    f.quote.currency,
                    x.amount,
                    x.support_years,
                    x.server_model or x.gpu_name or "",
                    x.match_confirmed,
                ]
            )
    notes = wb.create_sheet("Assumptions")
    notes.append(["All-in cost per GPU-hour: the TCO engine's on-premises model (planner.engine.tco)."])
    if site is not None:
        notes.append([f"Horizon {site.horizon_months} months of {site.hours_per_month:g} hours"])
        for text in site.assumptions:
            notes.append([text])
    notes.append([f"Lower is better on every criterion; highlighted: {BEST_RULE}."])
    tmp = target.with_name(target.name + ".tmp")
    try:
        neutralise_workbook(wb)  # vendor and line texts are imported text: never a formula when opened
        wb.save(tmp)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
