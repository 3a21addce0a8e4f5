"""Sourced defaults for the terms an owned option leaves unset (None): power per server, network,
maintenance, staff FTE and the loaded cost per FTE.

An unset term is not zero: an owned fleet draws power, needs a network, is maintained and staffed. Each
default below is the figure the product already cites elsewhere (the quote comparison's site terms,
:data:`planner.analysis.quotes.DEFAULT_SITE`, and docs/QUOTES.md), so a project and a quote are costed on
the same assumptions. A value the user writes — 0 included — is kept.

- power per server (kW): the rated maximum draw of the catalog server platform the option names (its
  name, vendor or quote reference contains the platform's model, e.g. "DGX H100");
- network: 12.5 % of server capex, the midpoint of the 10–15 % of hardware capex for transceivers,
  cabling and top-of-rack switches (V2PSEO 2026; the issue-5 networking allowance);
- maintenance: 10 % of capex a year (Alpine Blockchain; chanthaphan/gpu-tco default);
- staff FTE: the staffing table (“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9) for
  the project's MLOps stack at its estimate point, on-call included; with no stack chosen, 0.5 FTE of
  on-call for the two major components every owned fleet has (compute and network), same source;
- cost per FTE: USD 147,500 a year (midpoint of USD 130–165k, KORE1 2026 MLOps salary guide), converted
  to the project's currency at the catalog's rate; applied to every option that is staffed (typed FTE or
  the staffing-table checkbox) and gives no cost.

Colocation is not defaulted: whether an owned fleet sits in a colocation facility or in the client's own
building is the client's fact, not a market figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from planner.analysis.catalog import CatalogSource
from planner.catalog import ServerPlatform
from planner.project import CloudOption, HybridOption, OnPremOption, Option, Project, ProjectError
from planner.staffing import ON_CALL_FTE_PER_ONPREM_COMPONENT, SEED_SOURCE, fte_for

NETWORK_FRACTION = 0.125
NETWORK_SOURCE = "midpoint of 10–15 % of hardware capex for optics, cabling and switches (V2PSEO, 2026)"
MAINTENANCE_RATE = 0.10
MAINTENANCE_SOURCE = (
    "10 % of capex a year (https://alpineblockchain.com/comparing-cloud-vs-on-prem-hpc-cost-performance; "
    "gpu-tco default)"
)
FTE_COST_USD = 147_500.0
FTE_COST_SOURCE = "midpoint of USD 130–165k a year (https://www.kore1.com/mlops-engineer-salary-guide)"
BASE_COMPONENTS = 2
"""Major components of any owned fleet with no MLOps stack chosen: compute and network."""


def _platform_named(opt: OnPremOption, catalog: CatalogSource) -> ServerPlatform | None:
    """The catalog platform whose model the option's name, vendor or quote reference contains (longest)."""
    text = " ".join((opt.name, opt.vendor, opt.quote_ref, opt.notes)).casefold()
    try:
        platforms = list(catalog.servers().values())
    except LookupError:
        return None
    named = [p for p in platforms if p.model and p.model.casefold() in text]
    return max(named, key=lambda p: len(p.model), default=None)


def _staff_default(project: Project) -> tuple[float, str]:
    if project.mlops_stack:
        fte = fte_for("onprem", project.mlops_stack, project.fte_point, project.staffing_table)
        return fte, f"staffing table, {project.fte_point} estimate for the MLOps stack chosen ({SEED_SOURCE})"
    fte = ON_CALL_FTE_PER_ONPREM_COMPONENT * BASE_COMPONENTS
    return fte, f"on-call for compute and network, no MLOps stack chosen ({SEED_SOURCE})"


class _Filler:
    def __init__(self, project: Project, catalog: CatalogSource, today: dt.date) -> None:
        self.project = project
        self.catalog = catalog
        self.today = today
        self.notes: list[tuple[str, float, str]] = []
        self.warnings: list[str] = []
        self._fte_cost: float | None = None

    def note(self, path: str, value: float, source: str) -> None:
        self.notes.append((path, round(value, 6), source))

    def fte_cost(self, path: str, option: str) -> float:
        if self._fte_cost is None:
            cur = self.project.currency
            rate = 1.0
            if cur != "USD":
                try:
                    rate = self.catalog.fx_rate("USD", cur, self.today).rate
                except LookupError:
                    raise ProjectError(
                        f"no cost per FTE is given and the sourced default is USD {FTE_COST_USD:,.0f} a year, "
                        f"with no USD/{cur} rate in the catalog: give the cost per FTE in {cur}",
                        key=path + "fte_cost_annual",
                        option=option,
                    ) from None
            self._fte_cost = FTE_COST_USD * rate
        return self._fte_cost

    def staffed(self, opt: Any, path: str, option: str) -> Any:
        staffed = (opt.staff_fte or 0.0) > 0 or opt.staff_from_table
        if opt.fte_cost_annual is None and staffed:
            cost = self.fte_cost(path, option)
            source = FTE_COST_SOURCE
            if self.project.currency != "USD":
                source += f", converted to {self.project.currency}"
            self.note(path + "fte_cost_annual", cost, source)
            opt = replace(opt, fte_cost_annual=cost)
        return opt

    def onprem(self, opt: OnPremOption, path: str, option: str, staff: bool) -> OnPremOption:
        changes: dict[str, Any] = {}
        if opt.power_kw_per_server is None:
            platform = _platform_named(opt, self.catalog)
            if platform is not None:
                changes["power_kw_per_server"] = platform.max_power_kw
                self.note(
                    path + "power_kw_per_server",
                    platform.max_power_kw,
                    f"rated maximum draw of the {platform.vendor} {platform.model} ({platform.source_url}, "
                    f"{platform.as_of.isoformat()})",
                )
            else:
                self.warnings.append(
                    f"{option}: no power per server is given and the option names no catalog server platform "
                    "(e.g. DGX H100): its electricity and colocation are counted as nothing; give the kW"
                )
        if opt.network_fraction is None and opt.network_capex is None:
            changes["network_fraction"] = NETWORK_FRACTION
            self.note(path + "network_fraction", NETWORK_FRACTION, NETWORK_SOURCE)
        if opt.maintenance_rate_annual is None:
            changes["maintenance_rate_annual"] = MAINTENANCE_RATE
            self.note(path + "maintenance_rate_annual", MAINTENANCE_RATE, MAINTENANCE_SOURCE)
        if staff and opt.staff_fte is None and not opt.staff_from_table:
            fte, source = _staff_default(self.project)
            changes["staff_fte"] = fte
            self.note(path + "staff_fte", fte, source)
        out: OnPremOption = self.staffed(replace(opt, **changes), path, option)
        return out


def fill_defaults(
    project: Project, catalog: CatalogSource, today: dt.date
) -> tuple[Project, list[tuple[str, float, str]], list[str]]:
    """``project`` with every unset owned term filled from its sourced default, (input path, value, source)
    of each term filled, and a warning for each term that has no default to fill it."""
    f = _Filler(project, catalog, today)
    options: list[Option] = []
    for opt in project.options:
        path = f"options.{opt.name}."
        if isinstance(opt, HybridOption):
            # staffed once: the hybrid's own staff terms default on its owned base (an owned fleet's team)
            base_staffed = opt.staff_fte is not None or opt.staff_from_table or opt.onprem.staff_from_table
            owned = f.onprem(opt.onprem, path + "onprem.", opt.name, staff=not base_staffed)
            burst = f.staffed(opt.burst, path + "burst.", opt.name)
            options.append(replace(f.staffed(opt, path, opt.name), onprem=owned, burst=burst))
        elif isinstance(opt, OnPremOption):
            options.append(f.onprem(opt, path, opt.name, staff=True))
        elif isinstance(opt, CloudOption):
            options.append(f.staffed(opt, path, opt.name))
        else:
            options.append(opt)
    return replace(project, options=tuple(options)), f.notes, f.warnings
