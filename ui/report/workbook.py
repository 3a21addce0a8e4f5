"""The workbook for the client's finance team, beside the proposal: the same analysis as the PDF, as numbers.

Sheets: Summary (every option's totals, present value, cost per used GPU-hour, eligibility, the
recommendation), Yearly cash flow and Monthly cash flow (per option), Cost terms (each option's cash by
term over the horizon), Assumptions (every input the analysis filled in or derived, with its source, and
the catalog figures with their sources, dates and stale flags) and Exchange rates (every conversion used).
Cells hold values, never formulas, with number formats in the project's currency (openpyxl). Qt-free.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planner.analysis import Analysis
from planner.inputs import neutralise_workbook
from ui.report.files import ReportError, write_atomic
from ui.report.words import term_label

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def money_format(currency: str, digits: int = 0) -> str:
    """An Excel number format for amounts in ``currency``: "$#,##0" / "€#,##0.00"; others "#,##0 "USD""."""
    body = "#,##0" + ("." + "0" * digits if digits else "")
    symbol = SYMBOLS.get(currency)
    return f'"{symbol}"{body}' if symbol else f'{body} "{currency}"'


def _sheet(wb: Workbook, title: str, header: list[str]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    return ws


def _widths(ws: Any) -> None:
    for col in ws.columns:
        width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(col[0].column)].width = min(60, max(10, width + 2))


def build_workbook(analysis: Analysis) -> Workbook:
    """The workbook of ``analysis`` (see the module docstring)."""
    tco, cur = analysis.tco, analysis.currency
    money, cents = money_format(cur), money_format(cur, 2)
    rec = tco.recommendation
    status = tco.statuses
    wb = Workbook()
    wb.remove(wb.active)

    ws = _sheet(wb, "Summary", ["Option", "Kind", "Eligible", "Total (cash)", "Total (amortised)",
                                "Present value", f"Per used GPU-hour ({cur})", "Recommended"])  # fmt: skip
    for o in tco.options:
        st = status.get(o.name)
        eligible = "yes" if st is None or st.plan else "no"
        ws.append([o.name, o.kind, eligible, o.total, o.total_amortised, o.present_value, o.per_used_gpu_hour,
                   "yes" if rec is not None and rec.option == o.name else ""])  # fmt: skip
    for row in ws.iter_rows(min_row=2):
        for cell in row[3:6]:
            cell.number_format = money
        row[6].number_format = cents
    ws.append([])
    ws.append(["Project", analysis.resolved.name])
    ws.append(["Client", analysis.resolved.client or "not stated"])
    ws.append(["Currency", cur])
    ws.append(["Horizon (months)", analysis.resolved.horizon_months])
    ws.append(["Analysis date", analysis.today])
    ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    ws.append(
        ["Monte Carlo", f"{analysis.samples:,} samples, seed {analysis.seed}" if analysis.samples else "none"]
    )
    ws.append(["Recommendation", rec.option if rec is not None else "none: no plan satisfies the rules"])
    _widths(ws)

    years = analysis.yearly_cash()
    n_years = max((len(v) for v in years.values()), default=0)
    ws = _sheet(wb, "Yearly cash flow", ["Option", *[f"Year {y + 1}" for y in range(n_years)], "Total"])
    for o in tco.options:
        ws.append([o.name, *years[o.name], o.total])
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = money
    _widths(ws)

    ws = _sheet(wb, "Monthly cash flow", ["Month", *[o.name for o in tco.options]])
    for i, m in enumerate(tco.months):
        ws.append([int(m), *[float(o.monthly[i]) for o in tco.options]])
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = money
    _widths(ws)

    ws = _sheet(wb, "Cost terms", ["Option", "Term", f"Over the horizon ({cur})"])
    for o in tco.options:
        for key, series in o.breakdown.items():
            ws.append([o.name, term_label(key), float(series.sum())])
            ws.cell(ws.max_row, 3).number_format = money
    _widths(ws)

    ws = _sheet(wb, "Assumptions", ["Input or figure", "Value", "Source", "As of", "Note"])
    for item in analysis.inputs:
        ws.append([item.path, item.value, item.source, None, item.note])
    for f in analysis.catalog_figures:
        ws.append([f.label, f.value, f.source_url, f.as_of, "STALE: older than 12 months" if f.stale else ""])
        ws.cell(ws.max_row, 4).number_format = "yyyy-mm-dd"
    for r in analysis.regimes:
        ws.append([r.name, "applies", "; ".join(s.url or s.title for s in r.sources), None, ""])
    _widths(ws)

    ws = _sheet(
        wb,
        "Exchange rates",
        ["Option", "From", "To", "Rate", "Rate of", "Source", "Prices dated", "Gap (days)"],
    )
    for c in analysis.conversions:
        ws.append([c.option, c.base, c.quote, c.rate, c.as_of, c.source, c.price_date, c.gap_days])
        ws.cell(ws.max_row, 4).number_format = "0.000000"
        for col in (5, 7):
            ws.cell(ws.max_row, col).number_format = "yyyy-mm-dd"
    _widths(ws)
    neutralise_workbook(
        wb
    )  # names, notes and sources are the user's text: never a formula in the client's Excel
    return wb


def workbook_bytes(analysis: Analysis) -> bytes:
    """The .xlsx file of ``analysis``, in memory."""
    buffer = io.BytesIO()
    build_workbook(analysis).save(buffer)
    return buffer.getvalue()


def write_workbook(analysis: Analysis, out: str | os.PathLike[str]) -> Path:
    """Write the workbook of ``analysis`` to ``out`` atomically (nothing left behind on failure)."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise ReportError(f"{path}: a workbook file name ends in .xlsx")
    write_atomic(path, workbook_bytes(analysis))
    return path
