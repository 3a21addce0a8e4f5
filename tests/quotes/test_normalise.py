"""Normalisation and comparison maths of planner.quotes against hand-computed figures
(arithmetic written out here and in tests/data/quotes/README.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.analysis.quotes import DEFAULT_SITE, compare_quotes, maintenance_beyond_support
from planner.quotes import (
    CRITERIA,
    LINE_KINDS,
    NETWORK_ALLOWANCE_FRACTION,
    QuoteLine,
    best_by_criterion,
    best_exclusions,
    capex_split_usd,
    completeness_warnings,
    guess_kind,
    included_support_years,
    is_expired,
    network_allowance_usd,
    parse_support_years,
    quote_figures,
    quote_hardware,
    quote_total,
    suggest_match,
    usd_per_unit,
)
from tests.quotes.expected import (
    ALBION,
    GPUS,
    NORTHWIND,
    RHEINWERK,
    SERVERS,
    TODAY,
)


def test_northwind_usd_figures() -> None:
    # 4×268,000 + 32×1,850 + 32,500 + 32×1,150 + 4×350 + 4×21,500 + 9,800 + 4,200 − 25,000
    expected_total = 1_072_000 + 59_200 + 32_500 + 36_800 + 1_400 + 86_000 + 9_800 + 4_200 - 25_000
    assert expected_total == 1_276_900
    hw = quote_hardware(NORTHWIND, SERVERS, GPUS)
    assert (hw.servers, hw.gpus, hw.gpus_per_server) == (4, 32, 8)  # 4 nodes × 8 H100
    assert hw.gpu_memory_gb == pytest.approx(2560.0)  # 32 × 80 GB
    assert hw.bf16_dense_pflops == pytest.approx(31.6608)  # 32 × 989.4 TFLOPS / 1000
    assert hw.it_power_kw == pytest.approx(40.8)  # 4 × 10.2 kW rated
    f = quote_figures(NORTHWIND, hw, today=TODAY)
    assert f.total == pytest.approx(1_276_900.0)
    assert f.total_usd == pytest.approx(1_276_900.0)
    assert f.per_gpu_usd == pytest.approx(39_903.125)  # 1,276,900 / 32
    assert f.per_gb_usd == pytest.approx(498.7890625)  # 1,276,900 / 2,560
    assert f.per_pflop_usd == pytest.approx(40_330.6297, rel=1e-8)  # 1,276,900 / 31.6608
    assert not f.expired
    assert f.warnings == ()


def test_rheinwerk_eur_converted_at_the_quote_date_rate() -> None:
    # 2×298,500 + 16×1,690 + 29,900 + 16×980 + 6,500 + 2×24,000 + 2,400 = 726,520 EUR
    assert quote_total(RHEINWERK) == pytest.approx(726_520.0)
    assert usd_per_unit(RHEINWERK) == 1.10
    hw = quote_hardware(RHEINWERK, SERVERS, GPUS)
    f = quote_figures(RHEINWERK, hw, today=TODAY)
    assert f.total_usd == pytest.approx(799_172.0)  # 726,520 × 1.10
    assert f.per_gpu_usd == pytest.approx(49_948.25)  # 799,172 / 16
    assert f.per_gb_usd == pytest.approx(799_172.0 / 2256.0)  # 16 × 141 GB = 2,256 GB → 354.2429
    assert f.per_pflop_usd == pytest.approx(799_172.0 / 15.824)  # 16 × 0.989 PFLOPS
    assert f.expired  # valid until 2026-09-30, today 2026-11-23
    assert f.warnings == ("expired: valid until 2026-09-30",)


def test_fx_rate_given_the_other_way_round_is_inverted() -> None:
    assert RHEINWERK.fx is not None
    inverse = dataclasses.replace(RHEINWERK.fx, base="USD", quote="EUR", rate=0.8)
    assert usd_per_unit(dataclasses.replace(RHEINWERK, fx=inverse)) == pytest.approx(1.25)
    with pytest.raises(ValueError, match="no FX rate"):
        usd_per_unit(dataclasses.replace(RHEINWERK, fx=None))


def test_albion_gbp_is_incomplete() -> None:
    hw = quote_hardware(ALBION, SERVERS, GPUS)
    f = quote_figures(ALBION, hw, today=TODAY)
    assert f.total == pytest.approx(411_250.0)  # 2 × 205,000 + 1,250 GBP
    assert f.total_usd == pytest.approx(534_625.0)  # × 1.30
    assert f.per_gpu_usd == pytest.approx(33_414.0625)  # / 16 GPUs
    assert completeness_warnings(ALBION, hw) == (
        "no support or warranty years stated",
        "no network cards (NICs) for a 2-node cluster",
        "no network switch for a 2-node cluster",
        "no rails or installation",
    )
    assert not f.expired


def test_expiry_is_strictly_after_valid_until() -> None:
    assert not is_expired(RHEINWERK, dt.date(2026, 9, 30))
    assert is_expired(RHEINWERK, dt.date(2026, 10, 1))
    assert not is_expired(dataclasses.replace(RHEINWERK, valid_until=None), TODAY)


def test_capex_split_spreads_the_discount() -> None:
    split = capex_split_usd(NORTHWIND)
    keep = 1_276_900 / 1_301_900  # total / gross before the 25,000 discount
    assert split.hardware == pytest.approx(1_072_000 * keep)
    assert split.network == pytest.approx((59_200 + 32_500 + 36_800) * keep)
    assert split.other == pytest.approx((1_400 + 86_000 + 9_800 + 4_200) * keep)
    assert split.total == pytest.approx(1_276_900.0)


def test_discount_typed_positive_still_subtracts() -> None:
    lines = tuple(
        dataclasses.replace(x, unit_price=abs(x.unit_price)) if x.kind == "discount" else x
        for x in NORTHWIND.lines
    )
    assert quote_total(dataclasses.replace(NORTHWIND, lines=lines)) == pytest.approx(1_276_900.0)


JUNK = dataclasses.replace(
    NORTHWIND,
    vendor="Junk Ltd",
    quote_number="J-1",
    lines=(QuoteLine("Consulting call", 1, 100.0, "other", "J-1"),),
)
"""A $100 quote with no GPU: the lowest total of all, and never a "best" quote."""


def test_best_excludes_expired_incomplete_and_gpu_less_quotes() -> None:
    quotes = (NORTHWIND, RHEINWERK, ALBION, JUNK)
    figures = compare_quotes(quotes, SERVERS, GPUS, today=TODAY, site=DEFAULT_SITE)
    # Albion is cheapest per GPU (33,414.06 vs 39,903.13 USD) only because it leaves out support, NICs,
    # a switch and installation; Rheinwerk has expired; Junk's 100 USD total buys no GPU.
    assert figures[2].per_gpu_usd == pytest.approx(33_414.0625)
    assert figures[0].per_gpu_usd == pytest.approx(39_903.125)
    assert figures[3].total_usd == 100.0
    best = best_by_criterion(figures)
    assert best == {key: 0 for key, _ in CRITERIA}
    excluded = best_exclusions(figures)
    assert set(excluded) == {1, 2, 3}
    assert excluded[1] == ("expired",)
    assert excluded[2] == (
        "incomplete: no support or warranty years stated; no network cards (NICs) for a 2-node cluster; "
        "no network switch for a 2-node cluster; no rails or installation",
    )
    assert excluded[3][0] == "no GPUs" and excluded[3][1].startswith("incomplete:")


def test_no_best_when_no_quote_is_eligible() -> None:
    figures = compare_quotes((RHEINWERK, ALBION), SERVERS, GPUS, today=TODAY, site=DEFAULT_SITE)
    assert best_by_criterion(figures) == {}
    assert best_by_criterion(figures[:1]) == {}  # an expired quote alone is not "best" either


def test_network_allowance_only_for_multi_node_quotes_without_nic_or_switch() -> None:
    albion = quote_figures(ALBION, quote_hardware(ALBION, SERVERS, GPUS), today=TODAY)
    # 12.5 % × server capex: 0.125 × 2 × 205,000 GBP × 1.30 USD/GBP = 0.125 × 533,000 = 66,625 USD.
    assert [a.usd for a in albion.adjustments] == [pytest.approx(66_625.0)]
    assert "12.5 %" in albion.adjustments[0].basis
    assert "2-node" in albion.adjustments[0].item
    northwind = quote_figures(NORTHWIND, quote_hardware(NORTHWIND, SERVERS, GPUS), today=TODAY)
    assert northwind.adjustments == ()
    one_node = dataclasses.replace(
        ALBION, lines=(dataclasses.replace(ALBION.lines[0], quantity=1), *ALBION.lines[1:])
    )
    assert quote_figures(one_node, quote_hardware(one_node, SERVERS, GPUS), today=TODAY).adjustments == ()
    with_switch = dataclasses.replace(
        ALBION, lines=(*ALBION.lines, QuoteLine("QM9700 switch", 1, 30_000.0, "switch"))
    )
    assert network_allowance_usd(with_switch, quote_hardware(with_switch, SERVERS, GPUS)) == 0.0
    assert NETWORK_ALLOWANCE_FRACTION == 0.125


def test_unmapped_server_line_counts_nothing_and_says_so() -> None:
    lines = (dataclasses.replace(NORTHWIND.lines[0], server_model=None),) + NORTHWIND.lines[1:]
    quote = dataclasses.replace(NORTHWIND, lines=lines)
    hw = quote_hardware(quote, SERVERS, GPUS)
    assert hw.gpus == 0
    f = quote_figures(quote, hw, today=TODAY)
    assert f.per_gpu_usd is None
    assert "no GPU server or GPU mapped to the catalog" in f.warnings
    assert any("is not mapped" in w for w in f.warnings)


def test_platform_without_rated_draw_uses_gpu_tdp() -> None:
    line = dataclasses.replace(NORTHWIND.lines[0], server_model="4U PCIe server 8x L40S", quantity=2)
    hw = quote_hardware(dataclasses.replace(NORTHWIND, lines=(line,)), SERVERS, GPUS)
    assert hw.it_power_kw == pytest.approx(2 * 8 * 350 / 1000)  # 5.6 kW: TDP only
    assert any("lower bound" in n for n in hw.notes)


def test_support_years_and_maintenance_beyond_it() -> None:
    assert included_support_years(NORTHWIND) == 3.0
    assert included_support_years(ALBION) == 0.0
    assert maintenance_beyond_support(0.10, 3.0, 36) == 0.0
    assert maintenance_beyond_support(0.10, 0.0, 36) == pytest.approx(0.10)
    assert maintenance_beyond_support(0.10, 3.0, 60) == pytest.approx(0.10 * 24 / 60)
    assert maintenance_beyond_support(0.10, 5.0, 36) == 0.0


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("3-year ProSupport", 3.0),
        ("Garantieerweiterung 5 Jahre", 5.0),
        ("36 months NBD", 3.0),
        ("rail kit", None),
    ],
)
def test_parse_support_years(text: str, years: float | None) -> None:
    assert parse_support_years(text) == years


def test_guess_kind_on_every_fixture_line() -> None:
    for quote in (NORTHWIND, RHEINWERK, ALBION):
        for line in quote.lines:
            assert guess_kind(line.description, line.part_number) == line.kind, line.description


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("HGX H100 8-GPU SXM5 80GB", "gpu_server", "HGX H100 8-GPU"),
        ("HGX H200 8-GPU Server, 8x H200 SXM 141GB", "gpu_server", "HGX H200 8-GPU"),
        ("PowerEdge XE9680, 8x NVIDIA H100 SXM5 80GB", "gpu_server", "HGX H100 8-GPU"),
        ("4U server with 8x NVIDIA L40S 48GB", "gpu_server", "4U PCIe server 8x L40S"),
        ("NVIDIA L40S 48GB PCIe card", "gpu", "L40S"),
        ("NVIDIA H200 SXM 141GB module", "gpu", "H200 SXM"),
    ],
)
def test_suggest_match(text: str, kind: str, key: str) -> None:
    match = suggest_match(text, SERVERS.values(), GPUS.values(), kind=kind)  # type: ignore[arg-type]
    assert match is not None and match.key == key


def test_no_match_for_unrelated_text() -> None:
    assert suggest_match("Rack PDU 32A", SERVERS.values(), GPUS.values(), kind="gpu_server") is None
    assert suggest_match("HGX H100", SERVERS.values(), GPUS.values(), kind="nic") is None


line_kinds = st.sampled_from([k for k in LINE_KINDS if k != "discount"])
lines_strategy = st.lists(
    st.builds(
        QuoteLine,
        description=st.just("item"),
        quantity=st.integers(1, 64).map(float),
        unit_price=st.floats(0, 500_000, allow_nan=False),
        kind=line_kinds,
    ),
    min_size=1,
    max_size=12,
)


@given(lines=lines_strategy, discount=st.floats(0, 0.5), rate=st.floats(0.2, 5.0))
def test_capex_split_always_adds_up_to_the_usd_total(
    lines: list[QuoteLine], discount: float, rate: float
) -> None:
    gross = sum(x.amount for x in lines)
    cut = QuoteLine("discount", 1, gross * discount, "discount")
    assert RHEINWERK.fx is not None
    fx = dataclasses.replace(RHEINWERK.fx, rate=rate)
    quote = dataclasses.replace(RHEINWERK, lines=(*lines, cut), fx=fx)
    split = capex_split_usd(quote)
    assert split.total == pytest.approx(quote_total(quote) * rate, rel=1e-9, abs=1e-6)
    assert min(split.hardware, split.network, split.other) >= -1e-6
