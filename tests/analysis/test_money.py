"""Money that knows its currency: an EUR project using USD catalog prices gets every figure as the USD price
times the rate of the price's date, the rate is recorded and printed, and a missing rate is one sentence.

Hand computation (the test's own arithmetic, not the engine's): 800 GPU-hours a month at 12.29 USD per
GPU-hour, 12 months, ECB reference rate EUR/USD 1.0800 on 2026-05-29 (the last one on or before the price's
2026-06-01), so 1 USD = 1 / 1.08 EUR and the horizon costs 12 × 800 × 12.29 / 1.08 EUR = 109,244.44 EUR.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from planner.analysis import MemoryCatalog, analyse
from planner.catalog import FxRate
from planner.project import ProjectError, parse_project
from tests.dates import TODAY

ECB = "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html"
RATES = [
    FxRate("EUR", "USD", 1.0800, dt.date(2026, 5, 29), ECB),
    FxRate("EUR", "USD", 1.1500, dt.date(2026, 11, 27), ECB),  # newer than the price: not the one to use
]
EXPECTED_TOTAL_EUR = 12 * 800 * 12.29 / 1.08


def eur_project(**option: Any) -> dict[str, Any]:
    return {
        "name": "Klinikum proposal",
        "currency": "EUR",
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 800},
        "options": [
            {
                "kind": "cloud",
                "name": "AWS p5 on-demand (catalog)",
                "rate_per_hour": 12.29,
                "rate_unit": "gpu",
                "pricing": "on_demand",
                "currency": "USD",
                "as_of": "2026-06-01",
                "source_url": "https://aws.amazon.com/ec2/pricing/on-demand/",
                **option,
            }
        ],
    }


def test_usd_catalog_prices_are_converted_at_the_rate_of_their_date() -> None:
    a = analyse(parse_project(eur_project()), MemoryCatalog.of(rates=RATES), today=TODAY, samples=0)
    assert a.tco.options[0].total == pytest.approx(EXPECTED_TOTAL_EUR, rel=1e-9)
    assert a.resolved.options[0].rate_per_hour == pytest.approx(12.29 / 1.08)  # type: ignore[union-attr]
    (c,) = a.conversions
    assert (c.base, c.quote, c.as_of, c.price_date) == (
        "USD",
        "EUR",
        dt.date(2026, 5, 29),
        dt.date(2026, 6, 1),
    )
    assert c.rate == pytest.approx(1 / 1.08) and c.gap_days == 3 and c.source == ECB
    assert any(f.label == "Exchange rate USD to EUR" and f.source_url == ECB for f in a.catalog_figures)
    assert not any("days later" in w for w in a.warnings)


def test_an_explicit_figure_without_currency_is_the_projects() -> None:
    data = eur_project()
    del data["options"][0]["currency"]
    a = analyse(parse_project(data), MemoryCatalog.of(rates=RATES), today=TODAY, samples=0)
    assert a.tco.options[0].total == pytest.approx(12 * 800 * 12.29) and a.conversions == ()


def test_a_rate_far_from_the_price_date_is_named() -> None:
    a = analyse(
        parse_project(eur_project(as_of="2026-09-30")), MemoryCatalog.of(rates=RATES), today=TODAY, samples=0
    )
    assert any("124 days later" in w for w in a.warnings), a.warnings  # 2026-05-29 → 2026-09-30


def test_no_rate_is_one_sentence_naming_the_option() -> None:
    with pytest.raises(ProjectError) as info:
        analyse(parse_project(eur_project()), MemoryCatalog.of(), today=TODAY, samples=0)
    assert info.value.key == "options.AWS p5 on-demand (catalog).currency"
    assert "no USD/EUR rate on or before 2026-06-01" in str(info.value)


def _ecb_usd_per_eur(on: dt.date) -> tuple[dt.date, float]:
    """The shipped ECB reference-rate file (resources/fx, the ECB's eurofxref-hist layout), read plainly:
    the USD rate of the last day published on or before ``on``."""
    rows = files("resources.fx").joinpath("eurofxref-hist.csv").read_text("utf-8").splitlines()
    header = rows[0].split(",")
    col = header.index("USD")
    days = [(dt.date.fromisoformat(r.split(",")[0]), r.split(",")[col]) for r in rows[1:] if r]
    day, value = max((d, v) for d, v in days if d <= on and v not in ("", "N/A"))
    return day, float(value)


def test_cli_json_and_the_proposal_carry_the_converted_figures_and_the_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the catalog database the rate is the ECB's of the price's date (2026-06-01: 1.1646 USD per EUR)."""
    from ui.cli import main

    day, usd_per_eur = _ecb_usd_per_eur(dt.date(2026, 6, 1))
    expected = 12 * 800 * 12.29 / usd_per_eur
    path = tmp_path / "eur.json"
    path.write_text(json.dumps(eur_project()), encoding="utf-8")
    assert main(["tco", str(path), "--json", "--samples", "0", "--today", TODAY.isoformat()]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["options"][0]["total"] == pytest.approx(round(expected, 2))
    (conv,) = j["analysis"]["conversions"]
    assert conv["pair"] == "USD/EUR" and conv["as_of"] == day.isoformat()
    pdf = tmp_path / "eur.pdf"
    assert main(["export", str(path), "--out", str(pdf), "--samples", "0", "--today", TODAY.isoformat()]) == 0
    capsys.readouterr()
    text = re.sub(
        r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    )
    assert f"€{expected:,.0f}" in text
    assert f"1 USD = {1 / usd_per_eur:.4f} EUR" in text and day.isoformat() in text
    assert "$12.29" not in text and "€12.29" not in text  # never the USD figure relabelled
