"""Residual value: both views sell the hardware at the horizon end for residual_fraction × capex.

Reviewer's case: capex 12,000, residual 50 %, 24-month depreciation life, 12-month horizon. Cash view:
12,000 paid in month 1, 6,000 back in month 12 → 6,000. Amortised view: 12,000 × (1 − 0.5) / 24 = 250 a
month for 12 months = 3,000; book value at the horizon end = 12,000 − 3,000 = 9,000, sold for 6,000 → a
3,000 loss on disposal in month 12 → 6,000, the same as the cash view (hand arithmetic above).
"""

from __future__ import annotations

import pytest

from planner.engine.tco import evaluate
from planner.project import parse_project


def _rack(horizon: int, **onprem: object) -> dict:
    return {
        "name": "residual",
        "currency": "USD",
        "horizon_months": horizon,
        "demand": {"gpu_hours_per_month": 100},
        "options": [
            {
                "kind": "onprem",
                "name": "rack",
                "servers": 1,
                "server_price": 12000,
                "gpus_per_server": 8,
                "depreciation_months": 24,
                "residual_fraction": 0.5,
                **onprem,
            }
        ],
    }


def test_short_horizon_amortised_view_books_the_loss_on_disposal() -> None:
    r = evaluate(parse_project(_rack(12))).option("rack")
    assert r.total == pytest.approx(6000.0, abs=0.01)
    assert r.total_amortised == pytest.approx(6000.0, abs=0.01)
    assert list(r.monthly_amortised[:11]) == pytest.approx([250.0] * 11, abs=0.01)
    assert r.monthly_amortised[11] == pytest.approx(250.0 + 3000.0, abs=0.01)
    assert r.monthly[0] == pytest.approx(12000.0) and r.monthly[11] == pytest.approx(-6000.0)


@pytest.mark.parametrize("horizon", [24, 36])
def test_horizon_at_or_past_the_life_has_no_disposal_term(horizon: int) -> None:
    r = evaluate(parse_project(_rack(horizon))).option("rack")
    assert r.total == pytest.approx(6000.0, abs=0.01)
    assert r.total_amortised == pytest.approx(6000.0, abs=0.01)  # 24 × 250
    assert r.monthly_amortised[horizon - 1] == pytest.approx(250.0 if horizon == 24 else 0.0, abs=0.01)


def test_financed_capex_differs_from_cash_only_by_interest() -> None:
    # 6 % a year over 24 months: both views hold the same capital net of the residual, the amortised view
    # interest where the cash view holds loan payments (principal + interest, balance paid off in month 12).
    r = evaluate(parse_project(_rack(12, finance_rate_annual=0.06))).option("rack")
    rate, n = 0.005, 24
    pay = 12000.0 * rate / (1.0 - (1.0 + rate) ** -n)
    balance, interest = 12000.0, 0.0
    for _ in range(12):
        interest += balance * rate
        balance = balance * (1.0 + rate) - pay
    assert r.total == pytest.approx(12 * pay + balance - 6000.0, abs=0.01)
    assert r.total_amortised == pytest.approx(6000.0 + interest, abs=0.01)
    assert r.total == pytest.approx(r.total_amortised, abs=0.01)  # principal repaid = capex either way
