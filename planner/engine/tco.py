"""TCO engine: monthly cash flows per option (cash and amortised views), totals, present value, break-even,
tornado, Monte Carlo and a reasoned recommendation.

Conventions: months are 1..H (H = ``project.horizon_months``); a month has ``project.hours_per_month``
hours (730 by default: 8,760 h a year / 12). Money in the project currency. Cash flows fall at the end of
each month; present value discounts month m by (1 + r_annual)^(m/12).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.engine import CancelToken, Progress
from planner.project import OnPremOption, Project

FloatArray = npt.NDArray[np.float64]


@dataclass
class OptionResult:
    """One option over the horizon. Arrays have one value per month (index 0 = month 1), currency units.

    ``monthly``/``cumulative``: cash view; ``monthly_amortised``/``cumulative_amortised``: capex replaced by
    straight-line depreciation. ``total``/``total_amortised``: sums over the horizon; ``present_value``: cash
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

    @property
    def samples(self) -> int:
        return int(self.totals.shape[0])


@dataclass(frozen=True)
class Recommendation:
    """The option recommended, the architecture kind in words, the reasons (each naming its numbers) and
    the key numbers behind them."""

    option: str
    kind: str
    reasons: list[str]
    key_numbers: dict[str, float | int | str | None]
    rules_fired: tuple[str, ...] = ()


@dataclass
class TcoResult:
    """Everything the UI, the CLI and the PDF show for one project evaluation."""

    months: npt.NDArray[np.int64]
    options: list[OptionResult]
    break_even: list[BreakEven]
    tornado: list[TornadoBar]
    monte_carlo: MonteCarloResult | None
    recommendation: Recommendation
    warnings: list[str]
    demand_gpu_hours: FloatArray
    currency: str = "USD"
    hours_per_month: float = 730.0

    def option(self, name: str) -> OptionResult:
        for o in self.options:
            if o.name == name:
                return o
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The CLI ``--json`` shape: options (name, kind, total, monthly, cumulative, per_used_gpu_hour,
        breakdown ...), break_even, recommendation, warnings, plus tornado and monte_carlo."""
        return _result_to_json(self)


def evaluate(
    project: Project,
    *,
    samples: int = 0,
    seed: int = 0,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> TcoResult:
    """Evaluate every option of ``project`` (workloads must be resolved, see :func:`resolve_workloads`).

    ``samples`` > 0 runs a Monte Carlo over ``project.monte_carlo`` ranges with generator ``seed``.
    ``cancel``/``progress`` follow planner.engine's protocol.
    """
    raise NotImplementedError("TCO engine: being written (API first)")


def onprem_cost_per_gpu_hour(
    option: OnPremOption,
    utilization: float,
    horizon_months: int,
    hours_per_month: float = 730.0,
    *,
    electricity_per_kwh: float = 0.0,
    pue: float = 1.0,
) -> float:
    """Cash cost (currency) per GPU-hour actually used of an owned option run at a flat ``utilization``
    (0 < u ≤ 1) over ``horizon_months``: the same cash-flow model as :func:`evaluate`, with demand set to
    u × capacity. ``electricity_per_kwh``/``pue`` are used when the option leaves its own unset."""
    raise NotImplementedError("TCO engine: being written (API first)")


def resolve_workloads(project: Project, model_lookup: Any = None, gpu_lookup: Any = None) -> Project:
    """Fill ``gpu_hours_per_run`` of workloads that carry an estimate spec, using
    planner.engine.estimate (``estimate(spec, model, gpus).gpu_hours``). ``model_lookup(name) -> ModelArch``
    and ``gpu_lookup(name) -> Gpu`` resolve catalog names (the CLI passes db.catalog functions); embedded
    model dicts need no lookup. Returns a new Project; raises ProjectError naming the workload."""
    raise NotImplementedError("TCO engine: being written (API first)")


def _result_to_json(result: TcoResult) -> dict[str, Any]:
    raise NotImplementedError("TCO engine: being written (API first)")
