"""Importing the vendor files of tests/data/quotes into a real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set): mapping, FX of the quote date, validation that writes nothing on error."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from db.quote_tables import QuoteLineRow, QuoteRow, VendorMappingRow
from db.quotes import (
    ColumnMapping,
    ImportIssue,
    QuoteImportError,
    confirm_match,
    delete_quote,
    find_duplicates,
    get_quote,
    import_quote,
    list_quotes,
    load_mapping_file,
    parse_amount,
    save_quote,
    suggest_mapping,
    vendor_mapping,
)
from planner.quotes import QuoteLine, quote_total
from tests.quotes.expected import ALBION, EUR_USD, GBP_USD, NORTHWIND, RHEINWERK


def _unconfirmed(lines: tuple[QuoteLine, ...]) -> tuple[QuoteLine, ...]:
    """Imported lines carry the catalog match as a suggestion until the user confirms it."""
    return tuple(
        dataclasses.replace(x, match_confirmed=False) if (x.server_model or x.gpu_name) else x for x in lines
    )


def _unscored(lines: tuple[QuoteLine, ...]) -> tuple[QuoteLine, ...]:
    """The lines without the match confidence (checked on its own in test_layouts.py)."""
    return tuple(dataclasses.replace(x, match_score=None) for x in lines)


def _snapshot(engine: Engine) -> tuple[list[int], list[tuple[object, ...]]]:
    with Session(engine) as s:
        counts = [
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (QuoteRow, QuoteLineRow, VendorMappingRow)
        ]
        rows = [tuple(r) for r in s.execute(select(col(QuoteLineRow.id), col(QuoteLineRow.unit_price))).all()]
    return counts, rows


def import_all(engine: Engine, data_dir: Path) -> list[int]:
    """The three fixture quotes imported the way a user would (used by other test modules too)."""
    northwind = import_quote(
        engine,
        data_dir / "northwind_usd.csv",
        vendor="Northwind Systems",
        quote_date=dt.date(2026, 10, 28),
        valid_until=dt.date(2026, 12, 31),
    )
    rheinwerk = import_quote(
        engine,
        data_dir / "rheinwerk_eur.xlsx",
        vendor="Rheinwerk Computing GmbH",
        mapping=load_mapping_file(data_dir / "rheinwerk_mapping.json"),
    )
    albion = import_quote(
        engine,
        data_dir / "albion_gbp.csv",
        vendor="Albion Compute Ltd",
        mapping=load_mapping_file(data_dir / "albion_mapping.json"),
        quote_date=dt.date(2026, 11, 2),
        valid_until=dt.date(2026, 12, 2),
    )
    return [northwind.quote_id, rheinwerk.quote_id, albion.quote_id]


def test_standard_header_csv_without_mapping(engine: Engine, data_dir: Path) -> None:
    result = import_quote(
        engine,
        data_dir / "northwind_usd.csv",
        vendor="Northwind Systems",
        quote_date=dt.date(2026, 10, 28),
        valid_until=dt.date(2026, 12, 31),
    )
    stored = get_quote(engine, result.quote_id)
    assert _unscored(stored.lines) == _unconfirmed(
        NORTHWIND.lines
    )  # every field of every line; match suggested
    assert stored.currency == "USD" and stored.fx is None
    assert "USD assumed" in " ".join(result.notes)  # the file states no currency
    assert quote_total(stored) == pytest.approx(1_276_900.0)
    assert (stored.quote_date, stored.valid_until, stored.source_file) == (
        dt.date(2026, 10, 28),
        dt.date(2026, 12, 31),
        "northwind_usd.csv",
    )


def test_xlsx_with_vendor_mapping_reads_cells_and_converts_at_the_quote_date(
    engine: Engine, data_dir: Path
) -> None:
    mapping = load_mapping_file(data_dir / "rheinwerk_mapping.json")
    result = import_quote(
        engine, data_dir / "rheinwerk_eur.xlsx", vendor="Rheinwerk Computing GmbH", mapping=mapping
    )
    stored = get_quote(engine, result.quote_id)
    assert _unscored(stored.lines) == _unconfirmed(RHEINWERK.lines)
    assert (stored.quote_number, stored.quote_date, stored.valid_until, stored.lead_time_weeks) == (
        "RW-2026-0815",
        dt.date(2026, 8, 14),
        dt.date(2026, 9, 30),
        12,
    )
    assert stored.currency == "EUR"
    assert stored.fx is not None
    assert (stored.fx.rate, stored.fx.as_of, stored.fx.source_url) == (
        1.10,
        EUR_USD.as_of,
        EUR_USD.source_url,
    )
    assert any("skipped" in n for n in result.notes)  # the "Summe netto" row
    # The mapping is remembered for the vendor: the next file of theirs needs none.
    assert vendor_mapping(engine, "rheinwerk computing gmbh") == dataclasses.replace(
        mapping, vendor="Rheinwerk Computing GmbH"
    )
    # (the same quote again, so it replaces the first: a plain re-import is refused, see below)
    again = import_quote(
        engine, data_dir / "rheinwerk_eur.xlsx", vendor="Rheinwerk Computing GmbH", replace_existing=True
    )
    assert again.quote_id == result.quote_id
    assert get_quote(engine, again.quote_id).lines == stored.lines
    assert [q.id for q in list_quotes(engine)] == [result.quote_id]


def test_reimport_refused_whole_and_replace_is_one_transaction(engine: Engine, data_dir: Path) -> None:
    mapping = load_mapping_file(data_dir / "rheinwerk_mapping.json")
    first = import_quote(
        engine, data_dir / "rheinwerk_eur.xlsx", vendor="Rheinwerk Computing GmbH", mapping=mapping
    )
    with pytest.raises(QuoteImportError, match=f"already imported as quote {first.quote_id} "):
        import_quote(
            engine, data_dir / "rheinwerk_eur.xlsx", vendor="RHEINWERK Computing GmbH", mapping=mapping
        )
    assert len(list_quotes(engine)) == 1
    # Same vendor and quote number with other lines (a revised quote) is the same quote as well.
    revised = dataclasses.replace(get_quote(engine, first.quote_id), id=None, lines=RHEINWERK.lines[:2])
    with Session(engine) as session:
        assert [r.id for r in find_duplicates(session, revised)] == [first.quote_id]
        assert find_duplicates(session, dataclasses.replace(revised, quote_number="RW-2026-0999")) == []
    # --replace whose new file is bad changes nothing.
    with pytest.raises(QuoteImportError):
        import_quote(
            engine,
            data_dir / "malformed_rows.csv",
            vendor="Rheinwerk Computing GmbH",
            replace_existing=True,
        )
    assert _unscored(get_quote(engine, first.quote_id).lines) == _unconfirmed(RHEINWERK.lines)


def test_gbp_csv_with_other_column_names(engine: Engine, data_dir: Path) -> None:
    mapping = load_mapping_file(data_dir / "albion_mapping.json")
    result = import_quote(
        engine,
        data_dir / "albion_gbp.csv",
        vendor="Albion Compute Ltd",
        mapping=mapping,
        quote_date=dt.date(2026, 11, 2),
        valid_until=dt.date(2026, 12, 2),
    )
    stored = get_quote(engine, result.quote_id)
    # No Kind column: kinds guessed from the descriptions; the catalog match is a suggestion.
    assert _unscored(stored.lines) == _unconfirmed(ALBION.lines)
    assert stored.currency == "GBP"
    assert stored.fx is not None and stored.fx.rate == GBP_USD.rate


def test_currency_found_from_the_pound_sign(tmp_path: Path, engine: Engine, data_dir: Path) -> None:
    mapping = dataclasses.replace(load_mapping_file(data_dir / "albion_mapping.json"), currency=None)
    result = import_quote(
        engine, data_dir / "albion_gbp.csv", vendor="Albion", mapping=mapping, quote_date=dt.date(2026, 11, 2)
    )
    assert result.quote.currency == "GBP"


def test_amount_in_another_currency_than_the_quote_is_an_error(engine: Engine, data_dir: Path) -> None:
    mapping = load_mapping_file(data_dir / "albion_mapping.json")
    with pytest.raises(QuoteImportError) as err:
        import_quote(engine, data_dir / "albion_gbp.csv", vendor="Albion", mapping=mapping, currency="EUR")
    assert [(i.row, i.reason) for i in err.value.issues] == [
        (2, "amount in GBP, quote in EUR"),
        (3, "amount in GBP, quote in EUR"),
    ]


def test_malformed_rows_all_reported_and_nothing_written(engine: Engine, data_dir: Path) -> None:
    import_all(engine, data_dir)
    before = _snapshot(engine)
    with pytest.raises(QuoteImportError) as err:
        import_quote(engine, data_dir / "malformed_rows.csv", vendor="Northwind Systems")
    assert err.value.issues == (
        ImportIssue(2, "Quantity", "not a number: 'two'"),
        ImportIssue(3, "Unit price", "a negative price is only allowed on a discount line (got -1850)"),
        ImportIssue(4, "Description", "is empty"),
        ImportIssue(5, "Unit price", "not a number: '32,5O0.00'"),
        ImportIssue(6, "Kind", err.value.issues[4].reason),
        ImportIssue(7, "Quantity", "must be more than 0 (got 0)"),
    )
    assert err.value.issues[4].reason.startswith("unknown kind 'gizmo' (known: GPU server, GPU, NIC")
    assert "6 problem(s), nothing imported" in str(err.value)
    assert _snapshot(engine) == before


def test_malformed_xlsx_and_file_level_errors(engine: Engine, data_dir: Path) -> None:
    before = _snapshot(engine)
    with pytest.raises(QuoteImportError) as err:
        import_quote(engine, data_dir / "malformed_rows.xlsx", vendor="X")
    assert err.value.issues == (
        ImportIssue(2, "Quantity", "not a number: '4 units'"),
        ImportIssue(3, "Unit price", "is empty"),
    )
    with pytest.raises(QuoteImportError, match="no header naming 'Description', 'Quantity', 'Unit price'"):
        import_quote(engine, data_dir / "malformed_missing_column.csv", vendor="X")
    with pytest.raises(QuoteImportError, match="no quote lines found"):
        import_quote(engine, data_dir / "malformed_empty.csv", vendor="X")
    with pytest.raises(QuoteImportError, match="unsupported file type"):
        import_quote(engine, data_dir / "README.md", vendor="X")
    with pytest.raises(QuoteImportError, match="file not found"):
        import_quote(engine, data_dir / "nope.csv", vendor="X")
    assert _snapshot(engine) == before


def test_missing_fx_rate_writes_nothing(engine: Engine, data_dir: Path) -> None:
    before = _snapshot(engine)
    mapping = load_mapping_file(data_dir / "albion_mapping.json")
    with pytest.raises(QuoteImportError, match="no GBP/USD rate on or before 2026-01-05"):
        import_quote(
            engine,
            data_dir / "albion_gbp.csv",
            vendor="Albion",
            mapping=mapping,
            quote_date=dt.date(2026, 1, 5),
        )
    assert _snapshot(engine) == before


def test_bad_mapping_lists_every_problem() -> None:
    with pytest.raises(QuoteImportError) as err:
        ColumnMapping.from_json(
            {
                "columns": {"description": "Item", "price": "P"},
                "header_row": 0,
                "kind_values": {"Srv": "server"},
                "cells": {"quote_date": "row 3"},
            }
        )
    assert [i.column for i in err.value.issues] == [
        "columns.price",
        "columns.quantity",
        "columns.unit_price",
        "header_row",
        "kind_values.Srv",
        "cells.quote_date",
    ]


def test_suggest_mapping_from_headers() -> None:
    assert suggest_mapping(
        ["Item Code", "Product Description", "Qty", "Unit Cost (£)", "Line Total (£)"]
    ) == {
        "description": "Product Description",
        "part_number": "Item Code",
        "quantity": "Qty",
        "unit_price": "Unit Cost (£)",
        "extended": "Line Total (£)",
    }
    assert suggest_mapping(
        ["Pos.", "Artikel-Nr.", "Bezeichnung", "Menge", "Einzelpreis (EUR)", "Gesamt (EUR)", "Typ"]
    ) == {
        "description": "Bezeichnung",
        "part_number": "Artikel-Nr.",
        "quantity": "Menge",
        "unit_price": "Einzelpreis (EUR)",
        "kind": "Typ",
        "position": "Pos.",
        "extended": "Gesamt (EUR)",
    }


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("£205,000.00", False, (205000.0, "GBP")),
        ("1.234,56", True, (1234.56, None)),
        ("(500)", False, (-500.0, None)),
        ("EUR 2,400", False, (2400.0, "EUR")),
        (12.5, False, (12.5, None)),
        ("€ 301.000,00", False, (301_000.0, "EUR")),  # issue 15: never 301
        ("289.500,00 €", False, (289_500.0, "EUR")),
        ("12,5", False, (12.5, None)),
    ],
)
def test_parse_amount(text: object, decimal_comma: bool, expected: tuple[float, str | None]) -> None:
    assert parse_amount(text, decimal_comma=decimal_comma) == expected


def test_parse_amount_refuses_what_fits_no_convention() -> None:
    with pytest.raises(ValueError, match="not a number: '1,234.56,7'"):
        parse_amount("1,234.56,7")


def test_manual_entry_edit_confirm_and_delete(engine: Engine) -> None:
    manual = dataclasses.replace(NORTHWIND, source_file="", lines=NORTHWIND.lines[:2])
    quote_id = save_quote(engine, manual)
    stored = get_quote(engine, quote_id)
    assert stored.lines == manual.lines and stored.id == quote_id
    edited = dataclasses.replace(stored, quote_number="NW-Q-88412-r2", lines=stored.lines[:1])
    assert save_quote(engine, edited) == quote_id
    assert get_quote(engine, quote_id).quote_number == "NW-Q-88412-r2"
    assert len(get_quote(engine, quote_id).lines) == 1
    unmatched = dataclasses.replace(stored.lines[0], server_model=None, match_confirmed=False)
    save_quote(engine, dataclasses.replace(edited, lines=(unmatched,)))
    confirmed = confirm_match(engine, quote_id, 1, server_model="HGX H100 8-GPU")
    assert confirmed.lines[0].server_model == "HGX H100 8-GPU" and confirmed.lines[0].match_confirmed
    bad = dataclasses.replace(
        edited, lines=(dataclasses.replace(unmatched, quantity=-1, server_model="Nope"),)
    )
    with pytest.raises(QuoteImportError) as err:
        save_quote(engine, bad)
    assert [(i.row, i.column) for i in err.value.issues] == [(1, "quantity"), (1, "server_model")]
    assert delete_quote(engine, quote_id)
    assert not delete_quote(engine, quote_id)
    with pytest.raises(KeyError):
        get_quote(engine, quote_id)


def test_list_quotes_in_requested_order(engine: Engine, data_dir: Path) -> None:
    ids = import_all(engine, data_dir)
    assert [q.id for q in list_quotes(engine, ids[::-1])] == ids[::-1]
    assert {q.vendor for q in list_quotes(engine)} == {
        "Northwind Systems",
        "Rheinwerk Computing GmbH",
        "Albion Compute Ltd",
    }


def test_semicolon_csv_with_decimal_commas(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "angebot.csv"
    path.write_text(
        "Bezeichnung;Menge;Einzelpreis\n"
        "HGX H100 8-GPU Server;2;298.500,00\n"
        "Garantie 3 Jahre;2;12.000,50\n"
        "Summe;;\n",
        encoding="cp1252",
    )
    mapping = ColumnMapping(
        columns={"description": "Bezeichnung", "quantity": "Menge", "unit_price": "Einzelpreis"},
        decimal_comma=True,
        currency="EUR",
    )
    result = import_quote(engine, path, vendor="Kleinhandel", mapping=mapping, quote_date=EUR_USD.as_of)
    q = result.quote
    assert [(x.kind, x.quantity, x.unit_price, x.support_years) for x in q.lines] == [
        ("gpu_server", 2, 298_500.0, None),
        ("support", 2, 12_000.5, 3.0),
    ]
    assert quote_total(q) == pytest.approx(2 * 298_500 + 2 * 12_000.5)


def test_the_mapped_german_workbook_also_reads_without_its_mapping(data_dir: Path) -> None:
    """Rheinwerk's title block, German column names and kind words are found without rheinwerk_mapping.json."""
    from db.quotes import parse_quote_file
    from tests.quotes.expected import GPUS, SERVERS

    parsed = parse_quote_file(
        data_dir / "rheinwerk_eur.xlsx",
        vendor="Rheinwerk Computing GmbH",
        servers=list(SERVERS.values()),
        gpus=list(GPUS.values()),
        today=dt.date(2026, 8, 20),
    )
    q = parsed.quote
    assert _unscored(q.lines) == _unconfirmed(RHEINWERK.lines)
    assert (q.quote_number, q.quote_date, q.valid_until, q.lead_time_weeks, q.currency) == (
        "RW-2026-0815",
        dt.date(2026, 8, 14),
        dt.date(2026, 9, 30),
        12,
        "EUR",
    )
