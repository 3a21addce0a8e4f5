"""The catalog filter language (ui.models.filter_query): pure parsing, no Qt, no model."""

from __future__ import annotations

import pytest

from ui.models.filter_query import (
    CompareTerm,
    Field,
    FilterError,
    Query,
    TextTerm,
    narrows,
    parse_query,
    resolve_column,
)

# A cloud-like table written out by hand (index, key, header on one line, kind, shown).
FIELDS = [
    Field(0, "provider", "Provider"),
    Field(1, "region", "Region"),
    Field(2, "gpu_name", "GPU"),
    Field(3, "gpu_count", "GPUs", "number"),
    Field(4, "usd_per_gpu_hour", "$/GPU-h", "number"),
    Field(5, "spot_usd_per_gpu_hour", "Spot $/GPU-h", "number"),
    Field(6, "spot_per_hour", "Spot $/h", "number"),
    Field(7, "memory_gb", "Mem (GB)", "number"),
    Field(8, "max_savings_plan_discount", "Max plan disc.", "percent"),
    Field(9, "as_of", "As of", "date"),
    Field(10, "source_url", "Source", "text", visible=False),
]


def parse(text: str) -> tuple[object, ...]:
    return parse_query(text, FIELDS).terms


def test_words_are_anded_text_terms_in_any_shown_column() -> None:
    assert parse("spot  H100") == (TextTerm("spot"), TextTerm("h100"))
    assert parse("") == () and not parse_query("   ", FIELDS)


def test_quoted_phrase_keeps_its_space() -> None:
    assert parse('"h100 sxm" aws') == (TextTerm("h100 sxm"), TextTerm("aws"))


def test_column_value_finds_text_in_one_column() -> None:
    assert parse("region:us-east") == (TextTerm("us-east", column=1),)
    assert parse('gpu:"H100 SXM"') == (TextTerm("h100 sxm", column=2),)


def test_numeric_comparisons_by_header_short_name_and_key() -> None:
    assert parse("mem>=80") == (CompareTerm(7, ">=", 80.0, "number"),)
    assert parse("$/gpu-h<3") == (CompareTerm(4, "<", 3.0, "number"),)
    assert parse("usd_per_gpu_hour<=2.5") == (CompareTerm(4, "<=", 2.5, "number"),)
    assert parse("gpus=8") == (CompareTerm(3, "=", 8.0, "number"),)
    assert parse('"spot $/gpu-h"<1.5') == (CompareTerm(5, "<", 1.5, "number"),)
    assert parse("spot$/gpu-h>$1,000") == (CompareTerm(5, ">", 1000.0, "number"),)
    assert parse("mem>2k") == (CompareTerm(7, ">", 2000.0, "number"),)


def test_percent_columns_take_percent() -> None:
    assert parse("max>=50%") == (CompareTerm(8, ">=", 0.5, "percent"),)
    assert parse("max>=50") == (CompareTerm(8, ">=", 0.5, "percent"),)


def test_ranges_are_two_bounds() -> None:
    assert parse("mem:40..80") == (CompareTerm(7, ">=", 40.0, "number"), CompareTerm(7, "<=", 80.0, "number"))
    assert parse("mem:..48") == (CompareTerm(7, "<=", 48.0, "number"),)
    assert parse("as-of:2025..2026-06") == (
        CompareTerm(9, ">=", "2025", "date"),
        CompareTerm(9, "<=", "2026-06", "date"),
    )


def test_dates_compare_by_prefix() -> None:
    assert parse("as_of>=2026-01") == (CompareTerm(9, ">=", "2026-01", "date"),)
    assert parse("asof<2025-02-28") == (CompareTerm(9, "<", "2025-02-28", "date"),)


def test_whole_cell_equality_and_negation() -> None:
    assert parse("provider=AWS") == (CompareTerm(0, "=", "aws", "text"),)
    assert parse("provider!=aws") == (CompareTerm(0, "!=", "aws", "text"),)
    assert parse("-spot") == (TextTerm("spot", negate=True),)
    assert parse("-region:eu") == (TextTerm("eu", column=1, negate=True),)
    assert parse("-gpus>4") == (CompareTerm(3, ">", 4.0, "number", negate=True),)


def test_per_column_box_applies_to_its_column() -> None:
    mem = FIELDS[7]
    assert parse_query(">=80", FIELDS, mem).terms == (CompareTerm(7, ">=", 80.0, "number"),)
    assert parse_query("80", FIELDS, mem).terms == (TextTerm("80", column=7),)
    assert parse_query("-h100", FIELDS, FIELDS[2]).terms == (TextTerm("h100", column=2, negate=True),)


def test_column_names_resolve_exact_first_then_unambiguous_start() -> None:
    assert resolve_column("gpu", FIELDS).index == 2  # exact "GPU", not the start of "GPUs"
    assert resolve_column("GPUs", FIELDS).index == 3
    assert resolve_column("prov", FIELDS).index == 0
    assert resolve_column("Mem (GB)", FIELDS).index == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo:1", "unknown column 'foo'; columns are provider, region, gpu, gpus, $/gpu-h, spot-$/gpu-h"),
        ("spot<1", "column 'spot' is ambiguous: it could be spot-$/gpu-h, spot-$/h"),
        ("source:aws", "column 'Source' is hidden; show it (right-click a column header) to filter on it"),
        ("mem>=lots", "'lots' in mem>=lots is not a number; type e.g. 80 or 2.5"),
        ("region<us", "region<us: '<' compares numbers or dates and Region is text"),
        ("mem>=", "'mem>=' needs a value after '>=', e.g. mem>=80"),
        (">=80", "'>=80' needs a column name before '>=', e.g. mem>=80 or region:us-east"),
        ('"h100 sxm', 'a quote is not closed in "h100 sxm: add the closing "'),
        ("as-of>2026-13", "'2026-13' in as-of>2026-13 is not a calendar date"),
        ("as-of>march", "'march' in as-of>march is not a date; type e.g. 2026-03-15, 2026-03 or 2026"),
        ("mem>5%", "mem>5%: only percentage columns take a %"),
        ("mem:..", "mem:..: a range needs a start or an end, e.g. mem:40..80"),
    ],
)
def test_errors_are_one_sentence_naming_the_term(text: str, message: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_query(text, FIELDS)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_typing_more_of_a_word_narrows_but_a_new_comparison_does_not_widen() -> None:
    h, h100 = Query((TextTerm("h"),)), Query((TextTerm("h100"),))
    assert narrows(h100, h) and not narrows(h, h100)
    both = h100 + Query((CompareTerm(7, ">=", 80.0, "number"),))
    assert narrows(both, h100)
    assert not narrows(
        Query((CompareTerm(7, ">=", 40.0, "number"),)), Query((CompareTerm(7, ">=", 80.0, "number"),))
    )
    assert not narrows(Query((TextTerm("h100", negate=True),)), Query((TextTerm("h", negate=True),)))
