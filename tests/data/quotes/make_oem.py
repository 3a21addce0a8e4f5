"""Write the OEM-layout quote fixtures (README.md, "OEM layouts as they arrive"). Run from the repo root:
``.venv/bin/python tests/data/quotes/make_oem.py``. Vendors, customers and quote numbers are fictional;
the layouts follow the public evidence cited in README.md. Formula cells of the HPE workbook carry their
computed values, as a workbook saved by a spreadsheet program does.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


# 1. Dell: CSV export with a title block, a bundle (1 + 1.1/1.2 "included in 1"), "Included" rails,
#    initial + extended support, Subtotal / Shipping / Estimated Sales Tax / Total rows, US dates.
DELL = [
    ["Dell Technologies - Quote"],
    ["Quote Number", "3000187654321"],
    ["Quote Date", "11/18/2026"],
    ["Quote Expiration Date", "12/03/2026"],
    ["Customer", "Lakeside University Research Computing"],
    ["Currency", "USD"],
    ["Estimated Lead Time", "8-10 weeks ARO"],
    [],
    ["Line", "Description", "SKU", "Qty", "Unit Price", "Extended Price"],
    ["1", "PowerEdge XE9680 Server", "210-BDZY", "4", "$289,500.00", "$1,158,000.00"],
    ["1.1", "NVIDIA HGX H100 8-GPU SXM5 80GB (included in 1)", "490-BJBZ", "1", "$0.00", "$0.00"],
    ["1.2", "2x Intel Xeon Platinum 8470 52C (included in 1)", "338-CHSD", "1", "$0.00", "$0.00"],
    ["2", "NVIDIA ConnectX-7 NDR 400Gb/s InfiniBand adapter", "540-BDPK", "32", "$1,850.00", "$59,200.00"],
    ["3", "NVIDIA Quantum-2 QM9700 64-port NDR switch", "210-BFTP", "1", "$36,500.00", "$36,500.00"],
    ["4", "OSFP 400G transceiver", "407-BCQK", "32", "$1,150.00", "$36,800.00"],
    ["5", "ReadyRails sliding rails", "770-BDMH", "4", "Included", "Included"],
    ["6", "ProSupport Plus Mission Critical Initial 3 Years", "815-QPSP", "4", "$21,000.00", "$84,000.00"],
    ["7", "ProSupport Plus Mission Critical Extended 2 Years", "815-QPSE", "4", "$14,000.00", "$56,000.00"],
    ["8", "ProDeploy Plus installation", "900-PDPL", "1", "$9,800.00", "$9,800.00"],
    [],
    ["", "Subtotal", "", "", "", "$1,440,300.00"],
    ["", "Shipping", "", "", "", "$4,200.00"],
    ["", "Estimated Sales Tax (8.25%)", "", "", "", "$119,171.25"],
    ["", "Total", "", "", "", "$1,563,671.25"],
]


# 2. HPE: workbook with a title block, List price / Discount % / Net price / Extended with formulas.
HPE_LINES = [
    ("P60445-B21", "HPE Cray XD670 8x NVIDIA H100 SXM5 80GB Server", 4, 410_000, 0.28),
    ("R8M41A", "HPE InfiniBand NDR 400Gb 1-port OSFP adapter", 32, 2_400, 0.25),
    ("R9F58A", "NVIDIA Quantum-2 QM9790 64-port NDR switch", 1, 52_000, 0.30),
    ("R9F71A", "HPE 400G OSFP active optical cable 10m", 32, 1_500, 0.25),
    ("H1AB5A5", "HPE 5Y Tech Care Essential SVC", 4, 30_000, 0.20),
    ("HA114A1", "HPE Installation and Startup Service", 1, 12_000, 0.0),
]


def write_hpe(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Quote"
    ws["A1"] = "Hewlett Packard Enterprise - Quotation"
    ws["A3"], ws["B3"] = "Quote Number:", "HPE-Q-4471902"
    ws["A4"], ws["B4"] = "Quote Date:", dt.date(2026, 11, 16)
    ws["A5"], ws["B5"] = "Valid Until:", dt.date(2026, 12, 16)
    ws["A6"], ws["B6"] = "Customer:", "Northgate Analytics Ltd"
    ws["A7"], ws["B7"] = "Currency:", "USD"
    ws["D3"], ws["E3"] = "Estimated Delivery:", "5-6 weeks"
    ws.append([])
    ws.append(
        [
            "Product #",
            "Description",
            "Qty",
            "Unit List Price",
            "Discount %",
            "Unit Net Price",
            "Extended Net Price",
        ]
    )
    header = ws.max_row
    cached: dict[str, float] = {}
    for part, text, qty, price, disc in HPE_LINES:
        r = ws.max_row + 1
        ws.append([part, text, qty, price, disc, f"=D{r}*(1-E{r})", f"=C{r}*F{r}"])
        ws.cell(r, 5).number_format = "0%"
        cached[f"F{r}"] = round(price * (1 - disc), 2)
        cached[f"G{r}"] = round(qty * price * (1 - disc), 2)
    last = ws.max_row
    net = sum(cached[f"G{r}"] for r in range(header + 1, last + 1))
    ws.cell(last + 2, 2, "Total Net Price")
    ws.cell(last + 2, 7, f"=SUM(G{header + 1}:G{last})")
    cached[f"G{last + 2}"] = net
    ws.cell(last + 3, 2, "Estimated Freight")
    ws.cell(last + 3, 7, 3500)
    ws.cell(last + 4, 2, "Total (excl. tax)")
    ws.cell(last + 4, 7, f"=G{last + 2}+G{last + 3}")
    cached[f"G{last + 4}"] = net + 3500
    ws.cell(last + 6, 2, "Prices exclude sales tax. Delivery ARO.")
    wb.save(path)
    _cache_formula_values(path, "xl/worksheets/sheet1.xml", cached)


def _cache_formula_values(path: Path, member: str, values: dict[str, float]) -> None:
    """Give formula cells the computed value a spreadsheet program stores next to the formula."""
    with zipfile.ZipFile(path) as zin:
        xml = zin.read(member).decode("utf-8")
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    for ref, value in values.items():

        def fill_empty(m: re.Match[str], v: float = value) -> str:
            return f"{m.group(1) or m.group(3)}<f>{m.group(2) or m.group(4)}</f><v>{v:g}</v>"

        def add_value(m: re.Match[str], v: float = value) -> str:
            return f"{m.group(1)}<f>{m.group(2)}</f><v>{v:.10g}</v>{m.group(3)}"

        xml, n = re.subn(
            rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/>|(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v></v>',
            fill_empty,
            xml,
        )
        if n == 0:
            xml, n = re.subn(rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f>(</c>)', add_value, xml)
        assert n == 1, ref
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info, data in items:
                zout.writestr(info, xml.encode("utf-8") if info.filename == member else data)
        shutil.move(out, path)


# 3. Lenovo: a cover sheet with the facts, the configuration on sheet 2 with feature rows "Included".
def write_lenovo(path: Path) -> None:
    wb = Workbook()
    cover = wb.active
    cover.title = "Summary"
    cover["A1"] = "Lenovo Data Center Solution Configurator - Quote summary"
    cover["A3"], cover["B3"] = "Quote ID", "LNV-DCSC-552101"
    cover["A4"], cover["B4"] = "Date", dt.date(2026, 11, 20)
    cover["A5"], cover["B5"] = "Valid for", "30 days"
    cover["A6"], cover["B6"] = "Customer", "Helix Genomics Institute"
    cover["A7"], cover["B7"] = "Currency", "USD"
    cover["A8"], cover["B8"] = "Lead time", "12-14 weeks"
    ws = wb.create_sheet("Configuration")
    ws.append(["Part Number", "Description", "Qty", "Unit Price", "Total Price"])
    rows = [
        ("7DHECTO1WW", "ThinkSystem SR680a V3 - 3yr Warranty", 2, 312_000, 624_000),
        ("BYQN", "ThinkSystem NVIDIA HGX H200 141GB 700W 8-GPU Board", 1, "Included", "Included"),
        ("BYR1", "Intel Xeon Platinum 8568Y+ 48C 350W 2.3GHz Processor", 2, "Included", "Included"),
        ("BQ37", "ThinkSystem 64GB TruDDR5 5600MHz RDIMM", 32, "Included", "Included"),
        ("B8LF", "ThinkSystem Toolless Slide Rail Kit", 1, "Included", "Included"),
        ("5WS7B93281", "Premier Support Tech Care 5 Year", 2, 18_500, 37_000),
        ("4XC7A80289", "ThinkSystem NVIDIA ConnectX-7 NDR400 OSFP 1-port Adapter", 16, 1_650, 26_400),
        ("7D5FA002WW", "NVIDIA Quantum-2 QM9700 NDR InfiniBand switch", 1, 35_900, 35_900),
        ("4X97A87756", "Lenovo 400G OSFP optical cable 10m", 16, 990, 15_840),
        ("5MS7A87714", "Lenovo deployment services: rack and stack", 1, 7_500, 7_500),
    ]
    for row in rows:
        ws.append(list(row))
    ws.append([])
    ws.append(["", "Total (USD)", "", "", 746_640])
    wb.save(path)


# 4. Supermicro from a German reseller: Windows-1252, ";", "289.500,00 €", dd.mm.yyyy, MwSt. apart.
SUPERMICRO = [
    ["Systemhaus Elbtal GmbH", "", "", "", "", ""],
    ["Angebot", "", "", "", "", ""],
    ["Angebotsnummer:", "AN-2026-11873", "", "", "", ""],
    ["Angebotsdatum:", "19.11.2026", "", "", "", ""],
    ["Gültig bis:", "18.12.2026", "", "", "", ""],
    ["Kunde:", "Universitätsklinikum Nordheide", "", "", "", ""],
    ["Lieferzeit:", "6-8 Wochen", "", "", "", ""],
    ["", "", "", "", "", ""],
    ["Pos.", "Artikelnr.", "Bezeichnung", "Menge", "Einzelpreis", "Gesamtpreis"],
    [
        "1",
        "SYS-821GE-TNHR",
        "Supermicro SuperServer SYS-821GE-TNHR, 8x NVIDIA H100 SXM5 80GB, 2x Xeon Platinum 8468",
        "2",
        "289.500,00 €",
        "579.000,00 €",
    ],
    ["2", "MCX75310AAS-NEAT", "NVIDIA ConnectX-7 NDR 400G Adapter", "16", "1.690,00 €", "27.040,00 €"],
    ["3", "MQM9700-NS2F", "NVIDIA Quantum-2 QM9700 Switch 64 Port NDR", "1", "29.900,00 €", "29.900,00 €"],
    ["4", "MMA4Z00-NS", "OSFP Transceiver 400G", "16", "980,00 €", "15.680,00 €"],
    ["5", "MCP-290-00059-0B", "Schienensatz für 8U-Gehäuse", "2", "inklusive", "inklusive"],
    ["6", "SVC-3Y-NBD", "Garantieerweiterung 3 Jahre Vor-Ort-Service", "2", "12.400,00 €", "24.800,00 €"],
    ["7", "", "Installation und Inbetriebnahme", "1", "6.500,00 €", "6.500,00 €"],
    ["8", "", "Fracht und Verpackung", "1", "1.850,00 €", "1.850,00 €"],
    ["9", "", "Sonderrabatt", "1", "-15.000,00 €", "-15.000,00 €"],
    ["", "", "Summe netto", "", "", "669.770,00 €"],
    ["", "", "zzgl. 19% MwSt.", "", "", "127.256,30 €"],
    ["", "", "Gesamtbetrag brutto", "", "", "797.026,30 €"],
]


# 5. French integrator: UTF-8 with BOM, ";", "301 000,00 €" (narrow no-break space), dd/mm/yyyy, TVA apart.
NNBSP = "\u202f"


def eur_fr(value: str) -> str:
    return value.replace(" ", NNBSP) + "\u00a0€"


FRENCH = [
    ["Calculs Atlantique SAS", "", "", "", "", ""],
    ["Devis n°", "DV-2026-0342", "", "", "", ""],
    ["Date du devis", "20/11/2026", "", "", "", ""],
    ["Validité", "30 jours", "", "", "", ""],
    ["Client", "Centre hospitalier régional de Brest", "", "", "", ""],
    ["Délai de livraison", "4 à 6 semaines", "", "", "", ""],
    ["", "", "", "", "", ""],
    ["Réf.", "Désignation", "Qté", "Prix unitaire HT", "Montant HT", ""],
    [
        "210-BDZY",
        "Serveur Dell PowerEdge XE9680, 8 x NVIDIA H100 SXM5 80 Go",
        "2",
        eur_fr("301 000,00"),
        eur_fr("602 000,00"),
        "",
    ],
    ["540-BDPK", "Carte ConnectX-7 NDR 400 Gb/s", "16", eur_fr("1 720,00"), eur_fr("27 520,00"), ""],
    ["210-BFTP", "Commutateur NVIDIA Quantum-2 QM9700", "1", eur_fr("31 500,00"), eur_fr("31 500,00"), ""],
    ["407-BCQK", "Câbles et optiques OSFP 400G", "16", eur_fr("1 010,00"), eur_fr("16 160,00"), ""],
    ["770-BDMH", "Kit de rails coulissants", "2", "Inclus", "Inclus", ""],
    ["815-GPS5", "Garantie ProSupport 5 ans sur site", "2", eur_fr("19 800,00"), eur_fr("39 600,00"), ""],
    ["INST-01", "Installation et mise en service", "1", eur_fr("7 200,00"), eur_fr("7 200,00"), ""],
    ["REM-01", "Remise commerciale", "1", eur_fr("-20 000,00"), eur_fr("-20 000,00"), ""],
    ["PORT-01", "Frais de port", "1", eur_fr("950,00"), eur_fr("950,00"), ""],
    ["", "Total HT", "", "", eur_fr("704 930,00"), ""],
    ["", "TVA 20 %", "", "", eur_fr("140 986,00"), ""],
    ["", "Total TTC", "", "", eur_fr("845 916,00"), ""],
]


# 6. Spanish integrator: workbook of numbers, Código/Descripción/Cantidad/Precio unitario/Dto. %/Importe.
def write_spanish(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Presupuesto"
    ws["A1"] = "Sistemas Levante S.L. - Presupuesto"
    ws["A2"], ws["B2"] = "Presupuesto nº:", "PR-2026-0931"
    ws["A3"], ws["B3"] = "Fecha:", "23/11/2026"
    ws["A4"], ws["B4"] = "Válido hasta:", "23/12/2026"
    ws["A5"], ws["B5"] = "Cliente:", "Universidad Politécnica del Turia"
    ws["A6"], ws["B6"] = "Moneda:", "EUR"
    ws["A7"], ws["B7"] = "Plazo de entrega:", "10-12 semanas"
    ws.append([])
    ws.append(["Código", "Descripción", "Cantidad", "Precio unitario", "Dto. %", "Importe"])
    rows = [
        ("7DHECTO1WW", "Servidor Lenovo ThinkSystem SR680a V3, 8x NVIDIA H200 141GB", 2, 335_000, 5),
        ("4XC7A80289", "Adaptador ConnectX-7 NDR 400G", 16, 1_700, 0),
        ("7D5FA002WW", "Switch NVIDIA Quantum-2 QM9700", 1, 33_000, 0),
        ("4X97A87756", "Cables ópticos OSFP 400G", 16, 1_000, 0),
        ("5WS7B9", "Soporte Premier inicial 3 años", 2, 14_000, 0),
        ("5WS7C1", "Extensión de soporte 2 años", 2, 9_000, 0),
        ("INST", "Instalación y puesta en marcha", 1, 6_800, 0),
        ("TRP", "Transporte", 1, 1_200, 0),
    ]
    for part, text, qty, price, disc in rows:
        ws.append([part, text, qty, price, disc, qty * price * (1 - disc / 100)])
    ws.append([])
    ws.append(["", "Base imponible", "", "", "", 766_700])
    ws.append(["", "IVA 21%", "", "", "", 161_007])
    ws.append(["", "Total", "", "", "", 927_707])
    wb.save(path)


# Flagged variants: lines that do not add up to the vendor's own Subtotal; GPUs that do not reconcile.
NOT_ADDING_UP = [
    ["Quote Number", "BAD-SUM-1"],
    ["Quote Date", "2026-11-18"],
    ["Valid Until", "2026-12-31"],
    [],
    ["Description", "Qty", "Unit Price", "Extended Price"],
    ["PowerEdge XE9680 Server, 8x NVIDIA H100 SXM5 80GB", "4", "250,000.00", "1,000,000.00"],
    ["ConnectX-7 NDR adapter", "32", "1,850.00", "59,200.00"],
    ["QM9700 NDR switch", "1", "36,500.00", "36,500.00"],
    ["ProSupport 3 Years", "4", "21,000.00", "84,000.00"],
    ["ProDeploy installation", "1", "9,800.00", "9,800.00"],
    ["Subtotal", "", "", "1,199,500.00"],
]
GPUS_NOT_RECONCILING = [
    ["Quote Number", "BAD-GPU-1"],
    ["Quote Date", "2026-11-18"],
    ["Valid Until", "2026-12-31"],
    [],
    ["Line", "Description", "Qty", "Unit Price"],
    ["1", "PowerEdge XE9680 Server", "4", "240,000.00"],
    ["1.1", "NVIDIA H100 SXM5 80GB GPU (included in 1)", "4", "0.00"],
    ["2", "ConnectX-7 NDR adapter", "32", "1,850.00"],
    ["3", "QM9700 NDR switch", "1", "36,500.00"],
    ["4", "ProSupport 3 Years", "4", "21,000.00"],
    ["5", "ProDeploy installation", "1", "9,800.00"],
]


def main() -> None:
    write_csv(HERE / "dell_xe9680_usd.csv", DELL)
    write_hpe(HERE / "hpe_xd670_usd.xlsx")
    write_lenovo(HERE / "lenovo_sr680a_usd.xlsx")
    write_csv(HERE / "supermicro_reseller_de.csv", SUPERMICRO, encoding="cp1252", delimiter=";")
    write_csv(HERE / "integrateur_fr.csv", FRENCH, encoding="utf-8-sig", delimiter=";")
    write_spanish(HERE / "integrador_es.xlsx")
    write_csv(HERE / "flag_subtotal_usd.csv", NOT_ADDING_UP)
    write_csv(HERE / "flag_gpus_usd.csv", GPUS_NOT_RECONCILING)


if __name__ == "__main__":
    main()
