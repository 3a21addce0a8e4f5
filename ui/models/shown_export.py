"""Write what a catalog view shows (its filtered rows, shown columns, in view order) to CSV or XLSX.

No Qt: the page hands over the shown values and the columns in view order, and this runs on the
database lane. Cells keep their raw figures (a price is 6.88, not "$6.88"; derived columns included)
so the file computes in a spreadsheet; the XLSX gives them the view's number formats.

Text that a spreadsheet would run as a formula is defused as OWASP's CSV-injection guidance says
(https://owasp.org/www-community/attacks/CSV_Injection): a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, and not a number, is written with a leading ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from planner.catalog import Gpu
from planner.files import SHARED, atomic_path
from ui.models.columns import Column, format_value, is_numeric
from ui.models.prepared import raw_value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_FORMATS = {
    "usd": '"$"#,##0.00',
    "unit_usd": '"$"#,##0.0000',
    "pct": "0%",
    "int": "#,##0",
    "rate": "0.000000",
    "date": "yyyy-mm-dd",
}


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula (and it is no number)."""
    if text.startswith(FORMULA_STARTS) and not _is_number(text.strip()):
        return "'" + text
    return text


def shown_cells(
    columns: Sequence[Column], values: Sequence[Any], stale: Sequence[bool], gpus: Mapping[str, Gpu]
) -> list[list[Any]]:
    """Raw value of each column for each row (the model's cells, computed the same way)."""
    return [[raw_value(c, v, s, gpus) for c in columns] for v, s in zip(values, stale, strict=True)]


def csv_cell(col: Column, value: Any) -> str:
    if value is None:
        return ""
    if is_numeric(col.kind) and not isinstance(value, bool):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return spreadsheet_safe(format_value(col.kind, value))


def write_shown(
    path: str | os.PathLike[str], sheet_title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> int:
    """Write ``rows`` (raw cells of ``columns``) to ``path`` (.csv or .xlsx, by extension); rows written."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(
            f"cannot export to a {target.suffix or 'nameless'} file: choose a .csv or .xlsx name"
        )
    headers = [spreadsheet_safe(c.label) for c in columns]
    with atomic_path(target, mode=SHARED) as tmp:
        if suffix == ".xlsx":
            _write_xlsx(tmp, sheet_title, headers, columns, rows)
        else:
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(headers)
                writer.writerows([csv_cell(c, v) for c, v in zip(columns, row, strict=True)] for row in rows)
    return len(rows)


def _write_xlsx(
    path: Path, title: str, headers: list[str], columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for i, col in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(len(col.label) + 4, 40))
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = [_XLSX_FORMATS.get(c.kind) for c in columns]
    for row in rows:
        out: list[Any] = []
        for col, fmt, value in zip(columns, formats, row, strict=True):
            cell_value = _xlsx_value(col, value)
            if fmt is not None and cell_value is not None and not isinstance(cell_value, str):
                cell = WriteOnlyCell(sheet, value=cell_value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(cell_value)
        sheet.append(out)
    wb.save(path)


def _xlsx_value(col: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.date) and col.kind == "date":
        return value
    if is_numeric(col.kind) and not isinstance(value, bool):
        return float(value) if col.kind != "int" else int(value)
    return spreadsheet_safe(format_value(col.kind, value)) or None
