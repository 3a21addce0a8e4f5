"""Quote import speed: a 5,000-line OEM workbook (title block on sheet 1, lines on sheet 2 under a header
that has to be found, list price / discount % / net price / line total, server bundles with "Included"
components, Subtotal / tax / Total rows) read without a mapping, matched to the shipped catalog and
written in one transaction.

Run with `make bench` (prints the figures). Target: under 20 s on the 2-core CI machine; the pure reading
(layout, line semantics, catalog matching, reconciliation) under 10 s.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from db.catalog import list_gpus, list_servers
from db.quotes import get_quote, import_quote, parse_quote_file
from db.session import dispose_engines, get_engine
from planner.quotes import quote_total

LINES = 5_000
SERVER_EVERY = 10  # each bundle: 1 server line + 4 "Included" components + 5 priced accessory lines


def _write(path: Path) -> float:
    """The workbook; returns the net total before tax written into it (for the check)."""
    wb = Workbook()
    cover = wb.active
    cover.title = "Summary"
    for field in (
        ("Quote ID", "BENCH-5000"),
        ("Date", dt.date(2026, 11, 20)),
        ("Valid for", "45 days"),
        ("Currency", "USD"),
        ("Lead time", "10-12 weeks"),
    ):
        cover.append(list(field))
    ws = wb.create_sheet("Configuration")
    ws.append(["Lenovo DCSC export"])
    ws.append([])
    ws.append(
        [
            "Part Number",
            "Description",
            "Qty",
            "Unit List Price",
            "Discount %",
            "Unit Net Price",
            "Total Price",
        ]
    )
    total = 0.0
    row: list[Any]  # part, description, quantity, unit list price (or "Included"), discount
    for n in range(LINES):
        k = n % SERVER_EVERY
        if k == 0:
            row = [
                "7DHECTO1WW",
                f"ThinkSystem SR680a V3 - 3yr Warranty (bundle {n // SERVER_EVERY})",
                1,
                400_000.0,
                0.22,
            ]
        elif k == 1:
            row = ["BYQN", "ThinkSystem NVIDIA HGX H200 141GB 700W 8-GPU Board", 1, "Included", None]
        elif k in (2, 3, 4):
            row = [f"B{k}", "ThinkSystem 64GB TruDDR5 5600MHz RDIMM", 32, "Included", None]
        else:
            row = [f"4XC7A{k}", "ThinkSystem NVIDIA ConnectX-7 NDR400 OSFP 1-port Adapter", 8, 2_000.0, 0.175]
        if isinstance(row[3], float):
            net = round(row[3] * (1 - row[4]), 2)
            ws.append([*row, net, round(net * row[2], 2)])
            total += round(net * row[2], 2)
        else:
            ws.append([*row, None, "Included"])
    ws.append([])
    ws.append(["", "Subtotal", "", "", "", "", round(total, 2)])
    ws.append(["", "Sales tax 7%", "", "", "", "", round(total * 0.07, 2)])
    ws.append(["", "Total", "", "", "", "", round(total * 1.07, 2)])
    wb.save(path)
    return total


def test_bench_import_5000_line_workbook(tmp_path: Path) -> None:
    path = tmp_path / "big_quote.xlsx"
    expected = _write(path)
    engine = get_engine(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    try:
        servers, gpus = list_servers(engine), list_gpus(engine)
        start = time.perf_counter()
        parsed = parse_quote_file(
            path, vendor="Bench", servers=servers, gpus=gpus, today=dt.date(2026, 11, 25)
        )
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        result = import_quote(engine, path, vendor="Bench", today=dt.date(2026, 11, 25))
        import_s = time.perf_counter() - start
        stored = get_quote(engine, result.quote_id)
    finally:
        dispose_engines()
    quote = parsed.quote
    assert len(quote.lines) == LINES and len(stored.lines) == LINES
    assert quote_total(quote) == quote_total(stored)
    assert abs(quote_total(quote) - expected) < 0.01 and not quote.flags  # Subtotal and Total reconcile
    assert quote.lead_time_weeks == 12 and quote.valid_until == dt.date(2027, 1, 4)
    print(
        f"\nquote import, {LINES:,} lines (xlsx, layout detected, {LINES // SERVER_EVERY} bundles): "
        f"read + match {read_s:.2f} s, import into SQLite {import_s:.2f} s "
        f"({LINES / import_s:,.0f} lines/s)"
    )
    assert read_s < 10.0
    assert import_s < 20.0
