"""The TCO engine's result values — per option, break-even, tornado, Monte Carlo, recommendation, the whole
result — and their JSON form (the CLI's ``--json``). Plain data: the modules that compute them (tco,
sensitivity, montecarlo, recommend, plan) import this one, never each other for a type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from planner.engine.explain import explain
from planner.engine.reasons import OptionStatus, Reason

if (
    TYPE_CHECKING
):  # the plan's type only annotates: planner.engine.plan builds on recommend, which builds on this
    from planner.engine.plan import Plan

FloatArray = npt.NDArray[np.float64]


@dataclass
class OptionResult:
    """One option over the horizon. Arrays have one value per month (index 0 = month 1), currency units.

    ``monthly``/``cumulative``: cash view; ``monthly_amortised``/``cumulative_amortised``: capex replaced by
    straight-line depreciation of capex × (1 − residual) over the depreciation life, plus, in the last month of a
    horizon shorter than that life, the loss on disposal (book value left − residual value), so that both views
    credit the same residual value at the horizon end. ``total``/``total_amortised``: sums over the horizon;
    ``present_value``: cash
    flows discounted at the project rate. ``per_used_gpu_hour``: total ÷ GPU-hours actually served.
    ``idle_cost``: money spent on owned or committed capacity left unused. ``breakdown``: monthly cash per
    term. ``utilization``: served ÷ owned capacity per month (owned options; None otherwise).
    ``served_gpu_hours``: GPU-hours delivered per month. ``details``: option-specific figures (e.g. the
    hybrid's chosen number of owned servers).
    """

    name: str
    kind: str
    monthly: FloatArray
    cumulative: FloatArray
    monthly_amortised: FloatArray
    cumulative_amortised: FloatArray
    total: float
    total_amortised: float
    present_value: float
    per_used_gpu_hour: float | None
    idle_cost: float
    breakdown: dict[str, FloatArray]
    utilization: FloatArray | None
    served_gpu_hours: FloatArray
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BreakEven:
    """Between options ``a`` and ``b``: ``month`` is the first month (1-based) in which cumulative cash cost
    of ``a`` ≤ that of ``b`` (None if never within the horizon; 1 if ``a`` is never dearer). ``utilization``
    is the average utilisation (0..1) of the owned one at which its cost per used GPU-hour equals the rented
    one's (only for owned-vs-rented pairs; None otherwise or if above 100 %)."""

    a: str
    b: str
    month: int | None
    utilization: float | None


@dataclass(frozen=True)
class TornadoBar:
    """Horizon total of ``option`` with ``input`` set to ``low_value`` / ``high_value`` (all else fixed)."""

    input: str
    option: str
    low_total: float
    high_total: float
    low_value: float
    high_value: float
    base_total: float = 0.0

    @property
    def swing(self) -> float:
        return abs(self.high_total - self.low_total)


@dataclass
class MonteCarloResult:
    """Monte Carlo over the project's input ranges. ``totals`` has shape (samples, options) in the order of
    ``names``; ``p10``/``p50``/``p90`` and ``prob_cheapest`` are keyed by option name."""

    names: list[str]
    totals: FloatArray
    p10: dict[str, float]
    p50: dict[str, float]
    p90: dict[str, float]
    prob_cheapest: dict[str, float]
    inputs: list[str]
    seed: int
    prob_eligible: dict[str, float] = field(default_factory=dict)
    """Share of samples in which each option is a plan serving all that sample's demand."""
    plan: dict[str, float] | None = None
    """The optimised plan's P10/P50/P90, probability cheapest and share of samples served (when computed)."""
    plan_totals: FloatArray | None = None
    regret: dict[str, float] | None = None
    """Of the recommendation: total minus the cheapest eligible (mean, P90, max) and the share of samples in
    which it is not eligible."""

    @property
    def samples(self) -> int:
        return int(self.totals.shape[0])


@dataclass(frozen=True)
class Recommendation:
    """The plan recommended (``option``), its ``kind`` (cloud | onprem | managed_k8s | hybrid, as the option's
    own kind), the architecture in words (``label``, e.g. "Cloud (spot instances)"), the structured reasons
    (``explained``) and warnings (``cautions``, :mod:`planner.engine.reasons`) and the key numbers behind
    them. ``reasons`` words ``explained`` then ``cautions`` (:func:`planner.engine.explain.explain`)."""

    option: str
    kind: str
    label: str
    explained: tuple[Reason, ...]
    key_numbers: dict[str, float | int | str | None]
    rules_fired: tuple[str, ...] = ()
    cautions: tuple[Reason, ...] = ()
    currency: str = "USD"
    plan: dict[str, float] = field(default_factory=dict)
    """Share of the optimal plan's GPU-hours per option (planner.engine.plan), when it was computed."""

    @property
    def reasons(self) -> list[str]:
        return [explain(r, self.currency) for r in (*self.explained, *self.cautions)]


@dataclass
class TcoResult:
    """Everything the UI, the CLI and the PDF show for one project evaluation."""

    months: npt.NDArray[np.int64]
    options: list[OptionResult]
    break_even: list[BreakEven]
    tornado: list[TornadoBar]
    monte_carlo: MonteCarloResult | None
    recommendation: Recommendation | None
    warnings: list[str]
    demand_gpu_hours: FloatArray
    currency: str = "USD"
    hours_per_month: float = 730.0
    statuses: Mapping[str, OptionStatus] = field(default_factory=dict)
    """Per option: whether it is a plan (complete, serving all demand, compliant) and why not."""
    blocked_by: tuple[Reason, ...] = ()
    """When ``recommendation`` is None: why, and the smallest changes that would make a plan."""
    plan: Plan | None = None
    """The optimiser's plan over the project's candidates (``evaluate(..., plan=True)``)."""

    def option(self, name: str) -> OptionResult:
        for o in self.options:
            if o.name == name:
                return o
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The CLI ``--json`` shape: options (name, kind, total, monthly, cumulative, per_used_gpu_hour,
        breakdown ...), break_even, recommendation, warnings, plus tornado and monte_carlo."""
        return _result_to_json(self)


def _json_array(a: FloatArray | None) -> list[float] | None:
    return None if a is None else [round(float(x), 2) for x in a]


def _reason_json(r: Reason, currency: str) -> dict[str, Any]:
    return {**r.to_json(), "text": explain(r, currency)}


def _recommendation_json(rec: Recommendation | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {
        "option": rec.option,
        "kind": rec.kind,
        "label": rec.label,
        "reasons": list(rec.reasons),
        "explained": [_reason_json(r, rec.currency) for r in rec.explained],
        "cautions": [_reason_json(r, rec.currency) for r in rec.cautions],
        "key_numbers": rec.key_numbers,
        "rules_fired": list(rec.rules_fired),
        "plan": {k: round(v, 4) for k, v in rec.plan.items()},
    }


def _plan_json(pl: Plan) -> dict[str, Any]:
    """Per option and month: servers owned and bought, reserved instances by term, GPU-hours by pricing, cost."""
    h = len(next(iter(pl.cost.values()))) if pl.cost else 0
    by: dict[str, dict[str, Any]] = {}

    def entry(option: str) -> dict[str, Any]:
        return by.setdefault(option, {"gpu_hours": {}, "cost": _json_array(pl.cost.get(option, np.zeros(h)))})

    for name, arr in pl.servers.items():
        e = entry(pl.source_option[name])
        e["servers_owned"] = [int(x) for x in arr]
        e["servers_bought"] = [int(x) for x in pl.bought[name]]
    for name, arr in pl.reserved.items():
        e = entry(pl.source_option[name])
        e.setdefault("reserved_instances", []).append(
            {"term_months": pl.terms[name], "active": [int(x) for x in arr]}
        )
    for name, arr in pl.gpu_hours.items():
        e = entry(pl.source_option[name])
        kind = pl.source_kind.get(name, "owned")
        prev = e["gpu_hours"].get(kind)
        e["gpu_hours"][kind] = _json_array(arr if prev is None else np.asarray(prev) + arr)
    return {
        "status": pl.status,
        "metric": pl.metric,
        "objective": None if not pl.feasible else round(pl.objective, 2),
        "total": None if not pl.feasible else round(pl.total, 2),
        "liability_after_horizon": round(pl.liability, 2),
        "options": by,
    }


def _result_to_json(result: TcoResult) -> dict[str, Any]:
    cur = result.currency
    options = []
    for o in result.options:
        options.append(
            {
                "name": o.name,
                "kind": o.kind,
                "total": round(o.total, 2),
                "total_amortised": round(o.total_amortised, 2),
                "present_value": round(o.present_value, 2),
                "per_used_gpu_hour": None if o.per_used_gpu_hour is None else round(o.per_used_gpu_hour, 4),
                "idle_cost": round(o.idle_cost, 2),
                "monthly": _json_array(o.monthly),
                "cumulative": _json_array(o.cumulative),
                "monthly_amortised": _json_array(o.monthly_amortised),
                "cumulative_amortised": _json_array(o.cumulative_amortised),
                "breakdown": {k: _json_array(v) for k, v in o.breakdown.items()},
                "breakdown_totals": {k: round(float(v.sum()), 2) for k, v in o.breakdown.items()},
                "utilization": None if o.utilization is None else [round(float(x), 4) for x in o.utilization],
                "served_gpu_hours": round(float(o.served_gpu_hours.sum()), 2),
                "details": {
                    k: (v if isinstance(v, int | float | str) else _json_array(v))
                    for k, v in o.details.items()
                },
            }
        )
    out: dict[str, Any] = {
        "currency": result.currency,
        "hours_per_month": result.hours_per_month,
        "months": [int(m) for m in result.months],
        "demand_gpu_hours": _json_array(result.demand_gpu_hours),
        "options": options,
        "break_even": [
            {
                "a": b.a,
                "b": b.b,
                "month": b.month,
                "utilization": None if b.utilization is None else round(b.utilization, 4),
            }
            for b in result.break_even
        ],
        "recommendation": _recommendation_json(result.recommendation),
        "recommendation_blocked_by": [_reason_json(r, cur) for r in result.blocked_by],
        "plan": None if result.plan is None else _plan_json(result.plan),
        "option_status": {
            name: {"plan": st.plan, "why": [_reason_json(r, cur) for r in st.why]}
            for name, st in result.statuses.items()
        },
        "tornado": [
            {
                "input": t.input,
                "option": t.option,
                "low_value": t.low_value,
                "high_value": t.high_value,
                "low_total": round(t.low_total, 2),
                "high_total": round(t.high_total, 2),
                "base_total": round(t.base_total, 2),
            }
            for t in result.tornado
        ],
        "warnings": list(result.warnings),
    }
    if result.monte_carlo is not None:
        mc = result.monte_carlo
        out["monte_carlo"] = {
            "samples": mc.samples,
            "seed": mc.seed,
            "inputs": mc.inputs,
            "p10": {k: round(v, 2) for k, v in mc.p10.items()},
            "p50": {k: round(v, 2) for k, v in mc.p50.items()},
            "p90": {k: round(v, 2) for k, v in mc.p90.items()},
            "prob_cheapest": {k: round(v, 4) for k, v in mc.prob_cheapest.items()},
            "prob_eligible": {k: round(v, 4) for k, v in mc.prob_eligible.items()},
            "plan": None if mc.plan is None else {k: round(v, 4) for k, v in mc.plan.items()},
            "regret": None if mc.regret is None else {k: round(v, 4) for k, v in mc.regret.items()},
        }
    return out
