"""Structured reasons: what the decision engine found, as a code, the figures behind it and the options
involved — never a sentence. :func:`planner.explain.explain` words a reason for people, once, for every
client (window, CLI, PDF).

Figures are plain numbers or short machine values (a regime code, a JSON-able list of codes); money figures
are in the project currency, carried by the result (``TcoResult.currency``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Figure = float | int | str | None | tuple[str, ...]

# --- why an option is not a plan (option status)
INCOMPLETE = "incomplete"
"""Prices missing: ``needs`` (tuple of keys). Never ranked."""
UNSERVED = "unserved"
"""The option leaves demand unserved: ``unserved_gpu_hours``, ``served_share``, ``first_month``, ``last_month``."""
REGULATED_UNCERTIFIED = "regulated_on_uncertified"
"""Regulated demand would run on capacity not certified for ``regimes`` (options: the option, the carrier;
``months`` when it is a bridge during a lead time)."""
NOT_AIR_GAPPED = "not_air_gapped"
"""Classified / air-gapped data on an owned option that is not air-gapped."""
PINNED_IN_CLOUD = "pinned_in_cloud"
"""Workloads that must stay on premises (latency) would run in the cloud: ``pinned_gpu_hours_per_month``."""
NEEDS_MLOPS_TEAM = "needs_mlops_team"
"""The organisation has no MLOps team and the option is not a managed service: ``fte`` it would need."""

# --- the recommendation
COMPLIANCE = "compliance"
"""Regulated data under ``regimes``: only the options named are certified for it."""
PINNED = "pinned"
"""``pinned_gpu_hours_per_month`` must stay on premises."""
SCALE = "scale"
"""Peak ``peak_gpus`` ≥ ``threshold`` accelerators at once (source document decision boundary 2)."""
SCALE_OWNED = "scale_owned"
"""Warning: the cheapest plan owns a fleet at a scale the source document says few organisations justify."""
NO_MLOPS_TEAM = "no_mlops_team"
"""No in-house team: FTEs per deployment model for ``stack``."""
LOW_UTILIZATION = "utilization_below_break_even"
"""Owned fleet busy ``utilization`` (over its live months) below ``break_even`` against a rented option."""
STEADY_LOAD = "steady_load_above_break_even"
"""Owned fleet busy ``utilization`` at or above ``break_even`` over a steady multi-year load."""
CHEAPEST = "cheapest"
"""The recommended plan ranks first by ``metric`` (present_value | cash_total)."""
COMPLIANCE_CONDITIONAL = "compliance_conditional"
"""Warning: the recommended option may process data under ``regimes`` only under conditions the client must
establish (e.g. a GDPR transfer outside the EU/EEA under Chapter V)."""
HYBRID_SPLIT = "hybrid_split"
"""The hybrid owns ``servers`` servers and bursts ``burst_gpu_hours_per_month`` on average."""
ALTERNATIVE = "alternative_dearer"
"""A plan that loses: its ``value`` by ``metric``, ``more`` than the recommendation (currency and
``more_share``), and ``break_even_month`` (first month from which the recommendation's cumulative cash stays at
or below it; None if it never does)."""
DRIVERS = "cost_drivers"
"""The recommended option's largest cost terms: ``terms`` (keys) and ``shares`` (of its cash total, in %)."""
EXCLUDED_CHEAPER = "cheaper_but_excluded"
"""An option cheaper than the recommendation that is not a plan (``why``: its status code)."""

# --- no recommendation, and the smallest changes that make one
NO_COMPLIANT_PLAN = "no_compliant_plan"
ADD_SERVERS = "add_servers"
"""``servers`` → ``needed`` servers would make the option serve all demand (``extra_capex``)."""
CERTIFIED_BRIDGE = "certified_bridge"
"""A bridge certified for ``regimes`` for the ``months`` of lead time."""
CERTIFIED_CLOUD = "certified_private_cloud"
"""A private cloud certified for ``regimes``; ``max_rate_per_gpu_hour`` beats the other fix when given."""
AIR_GAPPED_OPTION = "air_gapped_option"
"""Classified / air-gapped data needs an air-gapped owned option."""
FILL_PRICES = "fill_prices"
"""Fill ``needs`` of the option."""
MANAGED_OR_TEAM = "managed_service_or_team"
"""Add a managed service option, or staff an MLOps team."""

SOURCE_ARCHITECTURES = "001"
"""'AI Model Training Services: Cloud vs. On-Premises vs. Hybrid' — the decision boundaries."""
SOURCE_ON_PREMISES = "002"
"""'Model Training, Fine-Tuning & Experiment Tracking: On-Premises' — staffing table, break-even band."""


@dataclass(frozen=True)
class Reason:
    """One finding: ``code`` (a constant of this module), ``figures`` (numbers behind it), ``options`` (the
    options involved, first the one it is about) and ``source`` (the source document it applies, if any)."""

    code: str
    figures: Mapping[str, Figure] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "figures": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.figures.items()},
            "options": list(self.options),
            "source": self.source,
        }


@dataclass(frozen=True)
class OptionStatus:
    """Whether an option as configured is a plan: ``plan`` True when complete, serving all demand and
    compliant; otherwise ``why`` holds every reason it is not."""

    name: str
    why: tuple[Reason, ...] = ()

    @property
    def plan(self) -> bool:
        return not self.why

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.why)
