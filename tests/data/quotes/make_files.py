"""Regenerate the quote fixtures of this folder (run from the repository root:
`.venv/bin/python tests/data/quotes/make_files.py`). The files are committed; this script documents them.

The vendors are fictional; prices sit in the public ranges recorded in shared/reference/catalog_facts.json
(8x H100 SXM node $300-317k incl. InfiniBand, 8x H200 node ~$340k, 64-port NDR switch $36-50k) so the
comparison looks like a real one. Hand-computed totals are in README.md next to this script.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

NORTHWIND_USD = [
    ("Description", "Part Number", "Quantity", "Unit Price", "Kind"),
    (
        "HGX H100 8-GPU SXM5 80GB server, 2x Xeon Platinum 8480+, 2 TB DDR5, 8x 3.84 TB NVMe",
        "NW-HGX-H100-8",
        "4",
        "268,000.00",
        "GPU server",
    ),
    ("NVIDIA ConnectX-7 400Gb/s NDR InfiniBand adapter, OSFP", "MCX75310AAS-NEAT", "32", "1,850.00", "NIC"),
    ("NVIDIA Quantum-2 QM9700 64-port NDR InfiniBand switch", "MQM9700-NS2F", "1", "32,500.00", "Switch"),
    ("LinkX 400G OSFP active optical cable, 5 m", "MFA7U10-H005", "32", "1,150.00", "Optics / cables"),
    ("Sliding rail kit for 8U chassis", "NW-RAIL-8U", "4", "350.00", "Other"),
    ("3-year ProSupport 24x7, 4-hour on-site, per node", "NW-SUP-3Y", "4", "21,500.00", "Support"),
    ("Rack integration, cabling and on-site installation", "NW-INST", "1", "9,800.00", "Installation"),
    ("Freight and insurance (DAP)", "NW-SHIP", "1", "4,200.00", "Shipping"),
    ("Project discount", "NW-DISC", "1", "-25,000.00", "Discount"),
]

RHEINWERK_HEADER = ("Pos.", "Artikel-Nr.", "Bezeichnung", "Menge", "Einzelpreis (EUR)", "Gesamt (EUR)", "Typ")
RHEINWERK_LINES = [
    (
        "RW-H200-8G",
        "HGX H200 8-GPU Server, 8x H200 SXM 141GB, 2x EPYC 9654, 1,5 TB RAM",
        2,
        298500.00,
        "Server",
    ),
    ("MCX75310AAS-NEAT", "ConnectX-7 NDR 400G Netzwerkkarte", 16, 1690.00, "Netzwerk"),
    ("MQM9700-NS2F", "Quantum-2 QM9700 Switch, 64 Ports NDR", 1, 29900.00, "Switch"),
    ("RW-OSFP-400", "Kabel/Optiken 400G OSFP", 16, 980.00, "Kabel"),
    ("RW-INST", "Vor-Ort-Installation und Rack-Einbau inkl. Schienen", 1, 6500.00, "Installation"),
    ("RW-GAR-5J", "Garantieerweiterung 5 Jahre, Next Business Day", 2, 24000.00, "Support"),
    ("RW-FRACHT", "Fracht DDP", 1, 2400.00, "Fracht"),
]

ALBION_GBP = [
    ("Item Code", "Product Description", "Qty", "Unit Cost (£)", "Line Total (£)"),
    (
        "XE9680-H100",
        "PowerEdge XE9680, 8x NVIDIA H100 SXM5 80GB, 2x Xeon 8468, 2TB RAM",
        "2",
        "£205,000.00",
        "£410,000.00",
    ),
    ("DEL-UK", "Delivery to site (UK mainland)", "1", "£1,250.00", "£1,250.00"),
]

MALFORMED_ROWS = [
    ("Description", "Part number", "Quantity", "Unit price", "Kind"),
    ("HGX H100 8-GPU SXM5 80GB server", "X-1", "two", "268000", "GPU server"),  # row 2: quantity
    ("ConnectX-7 NDR adapter", "X-2", "8", "-1850", "NIC"),  # row 3: negative price
    ("", "X-3", "1", "500", "Other"),  # row 4: description missing
    ("Quantum-2 switch", "X-4", "1", "32,5O0.00", "Switch"),  # row 5: letter O in the price
    ("Mystery box", "X-5", "1", "100", "gizmo"),  # row 6: unknown kind
    ("Rail kit", "X-6", "0", "350", "Other"),  # row 7: quantity 0
    ("Installation", "X-7", "1", "9800", "Installation"),  # a good row: still nothing is written
]


def write_csv(path: Path, rows: Sequence[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def write_rheinwerk(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Angebot"
    ws["A1"] = "Rheinwerk Computing GmbH — Angebot"
    ws["A2"], ws["B2"] = "Angebotsnummer", "RW-2026-0815"
    ws["A3"], ws["B3"] = "Datum", dt.date(2026, 8, 14)
    ws["A4"], ws["B4"] = "Gültig bis", dt.date(2026, 9, 30)
    ws["A5"], ws["B5"] = "Lieferzeit (Wochen)", 12
    ws.append([])  # row 6 blank
    ws.append(list(RHEINWERK_HEADER))  # row 7
    for pos, (part, text, qty, price, kind) in enumerate(RHEINWERK_LINES, start=1):
        row = ws.max_row + 1
        ws.append([pos, part, text, qty, price, f"=D{row}*E{row}", kind])
    total_row = ws.max_row + 2
    ws.cell(total_row, 3, "Summe netto")
    ws.cell(total_row, 6, f"=SUM(F8:F{total_row - 2})")
    wb.save(path)


def write_malformed_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Description", "Part number", "Quantity", "Unit price"])
    ws.append(["HGX H100 8-GPU server", "M-1", "4 units", 268000])  # row 2: quantity text
    ws.append(["ConnectX-7 adapter", "M-2", 32, None])  # row 3: price missing
    ws.append(["Installation", "M-3", 1, 9800])
    wb.save(path)


def main() -> None:
    write_csv(HERE / "northwind_usd.csv", NORTHWIND_USD)
    write_rheinwerk(HERE / "rheinwerk_eur.xlsx")
    write_csv(HERE / "albion_gbp.csv", ALBION_GBP)
    write_csv(HERE / "malformed_rows.csv", MALFORMED_ROWS)
    write_csv(
        HERE / "malformed_missing_column.csv", [("Description", "Part number", "Quantity"), ("x", "y", "1")]
    )
    write_csv(HERE / "malformed_empty.csv", [MALFORMED_ROWS[0]])
    write_malformed_xlsx(HERE / "malformed_rows.xlsx")


if __name__ == "__main__":
    main()
