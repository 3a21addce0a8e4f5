"""The reading rules of db.quote_layout and the line semantics of db.quotes on small files made here; each
expected value is what a reader of the file sees in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from db.quote_layout import (
    decode,
    detect_layout,
    parse_lead_time,
    read_sheets,
    sniff_delimiter,
    validity_days,
)
from db.quote_match import gpu_count_in, gpu_models_in, match_server
from db.quotes import QuoteImportError, parse_quote_file
from planner.catalog import ServerPlatform

DAY = dt.date(2026, 11, 25)


def _platform(model: str, gpu: str, count: int, cpu: str) -> ServerPlatform:
    return ServerPlatform(
        vendor="Test",
        model=model,
        gpu_name=gpu,
        gpu_count=count,
        cpu=cpu,
        ram_gb=2048.0,
        nvme_tb=8.0,
        network="NDR",
        max_power_kw=10.0,
        list_price_usd=None,
        source_url="https://example.com/spec",
        as_of=DAY,
    )


H100_INTEL = _platform("SYS-821GE-TNHR (HGX H100 8-GPU)", "H100 SXM", 8, "2x Intel Xeon Platinum 8468")
H100_AMD = _platform("AS-8125GS-TNHR (HGX H100 8-GPU)", "H100 SXM", 8, "2x AMD EPYC 9474F")
MI300X = _platform("AS-8125GS-TNMR2 (8x MI300X)", "MI300X", 8, "2x AMD EPYC 9374F")
H100_4 = _platform("4-GPU H100 node", "H100 SXM", 4, "2x Intel Xeon 8462Y+")


@pytest.mark.parametrize(
    ("text", "weeks", "noted"),
    [
        ("8-10 weeks ARO", 10, True),
        ("6-8 Wochen", 8, True),
        ("4 à 6 semaines", 6, True),
        ("10-12 semanas", 12, True),
        ("6 weeks", 6, False),
        ("42 days", 6, False),
        (12, 12, False),
    ],
)
def test_lead_times(text: object, weeks: float, noted: bool) -> None:
    value, note = parse_lead_time(text)
    assert value == weeks and (note is not None) == noted
    if noted:
        assert f"the upper bound, {weeks} weeks, is used" in str(note)


def test_relative_validity() -> None:
    assert [validity_days(t) for t in ("30 days", "30 Tage", "30 jours", "45 días", "2026-12-31")] == [
        30,
        30,
        30,
        45,
        None,
    ]


def test_delimiter_is_not_fooled_by_quoted_amounts_or_a_title_block() -> None:
    text = 'Quote,Q-1\nDescription;Qty;Unit price\n"Server, 8x H100";2;"1.250,00"\nRails;2;0\n'
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter('Description,Qty,Unit Price\n"Server; big",2,"1,250.00"\nRails,2,0\n') == ","


def test_windows_1252_is_recognised() -> None:
    text, encoding = decode("Bezeichnung;Menge\nSchienensatz für Gehäuse;2\n".encode("cp1252"))
    assert "für Gehäuse" in text and encoding != "utf-8"


def test_header_found_on_a_later_sheet_under_a_title(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["Quote summary"])
    ws = wb.create_sheet("Lines")
    ws.append(["Configuration export"])
    ws.append(["Désignation", "Qté", "Prix unitaire HT", "Montant HT"])
    ws.append(["Serveur", 1, 10.0, 10.0])
    path = tmp_path / "q.xlsx"
    wb.save(path)
    sheets, how = read_sheets(path)
    layout = detect_layout(sheets)
    assert how is None and layout is not None
    assert (layout.sheet_name, layout.header_row, layout.language) == ("Lines", 1, "fr")
    assert layout.columns == {"description": 0, "quantity": 1, "unit_price": 2, "extended": 3}


def test_a_formula_without_its_computed_value_is_one_clear_problem_when_needed(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Description", "Qty", "Unit List Price", "Discount %", "Unit Net Price"])
    ws.append(["HGX H100 8-GPU server", 2, 300000, 0.1, "=C2*(1-D2)"])  # never opened in a spreadsheet
    ws.append(["ConnectX-7 adapter", 16, None, None, "=1850"])
    path = tmp_path / "generated.xlsx"
    wb.save(path)
    with pytest.raises(QuoteImportError) as err:
        parse_quote_file(path, vendor="X", today=DAY)
    (issue,) = err.value.issues  # row 2 is list × (1 − discount) = 270,000; row 3 has nothing else
    assert (issue.row, issue.column) == (3, "Unit Net Price")
    assert issue.reason.startswith("holds a formula with no computed value (=1850)")


def test_a_line_total_that_disagrees_with_quantity_times_price_wins_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("Description,Qty,Unit Price,Extended Price\nConnectX-7 adapter,4,100.00,380.00\n")
    line = parse_quote_file(path, vendor="X", today=DAY).quote.lines[0]
    assert line.unit_price == 95.0 and "the line total 380.00 is used" in line.note


def test_included_in_by_text_without_a_line_number_column(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "Description,Qty,Unit Price\n"
        "PowerEdge XE9680 Server,2,250000\n"
        "ConnectX-7 adapter,16,1850\n"
        "NVIDIA HGX H100 8-GPU SXM5 (included in 1),1,0\n"
    )
    lines = parse_quote_file(path, vendor="X", today=DAY).quote.lines
    assert [x.parent for x in lines] == [None, None, 1]


def test_amounts_that_mix_conventions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('Description;Qty;Unit price\nServer;1;"1.234,56"\nRails;1;"1,234.56"\n')
    with pytest.raises(QuoteImportError, match="the amounts mix conventions"):
        parse_quote_file(path, vendor="X", today=DAY)


def test_gpu_model_and_count_in_text() -> None:
    assert gpu_models_in("8xH100 SXM5") == {"h100"} and gpu_count_in("8xH100 SXM5") == 8
    assert gpu_models_in("NVIDIA L40S 48GB") == {"l40s"}  # not "l4"
    assert gpu_models_in("8x MI300X OAM") == {"mi300x"} and gpu_count_in("HGX H200 8-GPU board") == 8
    assert gpu_count_in("2x Intel Xeon Platinum 8470") is None


def test_matching_checks_gpu_model_count_and_cpu_maker() -> None:
    platforms = [H100_INTEL, H100_AMD, MI300X, H100_4]
    amd = match_server("Supermicro AS-8125GS-TNHR, 8x NVIDIA H100 SXM5, 2x AMD EPYC 9474F", platforms)
    assert amd is not None and amd.key == H100_AMD.model
    intel = match_server("Supermicro SYS-821GE-TNHR 8x H100, 2x Xeon 8468", platforms)
    assert intel is not None and intel.key == H100_INTEL.model
    assert "checked: GPU H100 SXM, 8 GPUs, Intel CPU" in intel.reason
    # The only H100 platforms of a catalog are Intel: the AMD server still matches, the confidence says so.
    only_intel = match_server("HGX H100 8-GPU server, 2x EPYC 9654", [H100_INTEL, MI300X])
    assert only_intel is not None and only_intel.key == H100_INTEL.model
    assert "the CPU differs" in only_intel.reason and only_intel.confidence < intel.confidence
    assert match_server("4U server, 8x NVIDIA L40S", platforms) is None  # no L40S platform
