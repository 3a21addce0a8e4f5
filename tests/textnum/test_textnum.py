"""Numbers, amounts and dates as written (db.textnum). Expected values are the numbers as a reader of
each convention reads them (issue 15's cases), not the code's output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from db.textnum import (
    AmbiguousDateError,
    TextNumberError,
    detect_date_order,
    detect_decimal,
    format_user_number,
    locale_date_order,
    parse_date,
    parse_money,
    parse_user_number,
)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("12,5", "de_DE", Decimal("12.5")),
        ("1.234,56", "de_DE", Decimal("1234.56")),
        ("12.5", "en_US", Decimal("12.5")),
        ("1,234.5", "en_US", Decimal("1234.5")),
        ("1 234,56", "fr_FR", Decimal("1234.56")),
        ("1.234,56", "es_ES", Decimal("1234.56")),
    ],
)
def test_typed_numbers_follow_the_locale(text: str, locale: str, expected: Decimal) -> None:
    assert parse_user_number(text, locale) == expected


def test_one_comma_five_in_english_is_refused_naming_both_readings() -> None:
    with pytest.raises(TextNumberError) as err:
        parse_user_number("1,5", "en_US")
    message = str(err.value)
    assert "'1,5' is ambiguous in English (United States) notation" in message
    assert "'15'" in message and "'1.5'" in message
    assert message.count(".") <= 4 and "\n" not in message  # one sentence


def test_one_dot_five_in_german_is_refused() -> None:
    with pytest.raises(TextNumberError, match="'1,5'"):
        parse_user_number("1.5", "de_DE")


def test_typed_text_that_is_no_number_is_refused() -> None:
    with pytest.raises(TextNumberError, match="not a number in German"):
        parse_user_number("zwölf", "de_DE")


@pytest.mark.parametrize(("value", "locale", "text"), [(12.5, "de_DE", "12,5"), (12.5, "en_US", "12.5")])
def test_numbers_are_shown_in_the_locale_and_read_back(value: float, locale: str, text: str) -> None:
    assert format_user_number(value, locale) == text
    assert parse_user_number(text, locale) == Decimal(str(value))


@pytest.mark.parametrize(
    ("text", "decimal", "value", "currency"),
    [
        ("301.000,00 €", ",", Decimal("301000.00"), "EUR"),
        ("€ 301.000,00", ",", Decimal("301000.00"), "EUR"),
        ("289.500,00 €", ",", Decimal("289500.00"), "EUR"),
        ("1.234,56", ",", Decimal("1234.56"), None),
        ("$1,234.50", ".", Decimal("1234.50"), "USD"),
        ("EUR 2,400", ".", Decimal("2400"), "EUR"),
        ("£205,000.00", ".", Decimal("205000.00"), "GBP"),
        ("(500.00)", ".", Decimal("-500.00"), None),
        ("1.500,00-", ",", Decimal("-1500.00"), None),
        ("1 250,00 €", ",", Decimal("1250.00"), "EUR"),
    ],
)
def test_amounts_with_their_currency(text: str, decimal: str, value: Decimal, currency: str | None) -> None:
    amount = parse_money(text, decimal)  # type: ignore[arg-type]
    assert amount.value == value
    assert amount.currency == currency


def test_an_amount_read_in_the_wrong_convention_is_refused_not_misread() -> None:
    with pytest.raises(TextNumberError):
        parse_money("301.000,00 €", ".")  # never 301
    with pytest.raises(TextNumberError):
        parse_money("1,234.56", ",")


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["301.000,00 €", "12"], ","),
        (["1,250.00", "300"], "."),
        (["12,5"], ","),
        (["1,500", "2,000"], "."),  # nothing decides: the default
        ([289500.0, "1.690,00"], ","),
    ],
)
def test_a_files_decimal_mark_is_detected(samples: list[object], expected: str) -> None:
    assert detect_decimal(samples) == expected


def test_undecided_amounts_take_the_files_language() -> None:
    assert detect_decimal(["301.000", "1.500"], default=",") == ","


def test_contradicting_amounts_are_refused() -> None:
    with pytest.raises(TextNumberError, match="mix conventions"):
        detect_decimal(["1.234,56", "1,234.56"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-14", dt.date(2026, 8, 14)),
        ("14.08.2026", dt.date(2026, 8, 14)),
        ("03.12.2026", dt.date(2026, 12, 3)),
        ("25/12/2026", dt.date(2026, 12, 25)),
        ("12/25/2026", dt.date(2026, 12, 25)),
        ("14 August 2026", dt.date(2026, 8, 14)),
        ("Aug 14, 2026", dt.date(2026, 8, 14)),
        ("14. August 2026", dt.date(2026, 8, 14)),
        ("14 août 2026", dt.date(2026, 8, 14)),
        ("14 de agosto de 2026", dt.date(2026, 8, 14)),
        ("14-Aug-2026", dt.date(2026, 8, 14)),
        ("5 mars 2026", dt.date(2026, 3, 5)),
    ],
)
def test_dates_as_written(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_twelve_slash_three_is_ambiguous_and_names_both_readings() -> None:
    with pytest.raises(AmbiguousDateError) as err:
        parse_date("12/03/2026")
    assert err.value.readings == (dt.date(2026, 3, 12), dt.date(2026, 12, 3))
    assert "12 March 2026" in str(err.value) and "3 December 2026" in str(err.value)


def test_the_order_settles_an_ambiguous_date() -> None:
    assert parse_date("12/03/2026", "mdy") == dt.date(2026, 12, 3)
    assert parse_date("12/03/2026", "dmy") == dt.date(2026, 3, 12)


def test_a_files_dates_settle_the_order() -> None:
    assert detect_date_order(["12/03/2026", "12/28/2026"]) == "mdy"
    assert detect_date_order(["12/03/2026", "28/12/2026"]) == "dmy"
    assert detect_date_order(["12/03/2026"]) is None
    with pytest.raises(TextNumberError, match="mix conventions"):
        detect_date_order(["28/12/2026", "12/28/2026"])


@pytest.mark.parametrize(
    ("locale", "order"), [("en_US", "mdy"), ("en_GB", "dmy"), ("de_DE", "dmy"), ("fr_FR", "dmy")]
)
def test_locale_date_order(locale: str, order: str) -> None:
    assert locale_date_order(locale) == order


@pytest.mark.parametrize(
    ("text", "hint"),
    [("12,5", "write 12.5"), ("1.234,56", "write 1234.56"), ("301.000,00 €", "write 301000.00")],
)
def test_catalog_numbers_with_a_decimal_comma_are_refused_never_misread(text: str, hint: str) -> None:
    from db.io import parse_rows
    from db.schema import SPECS

    spec = SPECS["gpus"]
    header = list(spec.header)
    row = {
        "vendor": "Acme",
        "name": "Acme X9",
        "form_factor": "PCIe",
        "memory_gb": text,
        "memory_bandwidth_gbs": "1000",
        "bf16_dense_tflops": "100",
        "tdp_w": "300",
        "interconnect": "PCIe",
        "interconnect_gbs": "64",
        "source_url": "https://example.com/x9",
        "as_of": "2026-01-01",
    }
    cells = [row.get(name, "") for name in header]
    values, errors = parse_rows(spec, header, [(2, cells)], today=dt.date(2026, 12, 3))
    assert values == []
    assert [(e.row, e.column) for e in errors] == [(2, "memory_gb")]
    assert f"{text!r} has a decimal comma; catalog files take a decimal point: {hint}" == errors[0].reason
