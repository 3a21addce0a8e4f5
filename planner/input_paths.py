"""The grammar of input paths: how a Monte Carlo range or a tornado bar names an input of a project.

``electricity_per_kwh``, ``pue``, ``demand.scale``, ``demand.gpu_hours_per_month``, ``demand.growth_annual``;
``options.NAME.KEY`` (``options.NAME.onprem.KEY`` / ``.burst.KEY`` inside a hybrid); ``options.*.KEY`` for
every option that has KEY; and the shorthands ``fte_cost_annual``, ``staff_fte``, ``residual_fraction``,
``maintenance_rate_annual`` for ``options.*.KEY``. It sits beside the project format (planner/project.py
checks ranges with it while loading) and below the engine, which applies it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.project import Option, Project

PROJECT_PATHS = (
    "electricity_per_kwh",
    "pue",
    "demand.scale",
    "demand.gpu_hours_per_month",
    "demand.growth_annual",
)


def option_prefixes(opt: Option) -> list[tuple[str, Any]]:
    """(path prefix, object) pairs of an option: a hybrid has its own keys and those of its two parts."""
    base = f"options.{opt.name}."
    if hasattr(opt, "onprem") and hasattr(opt, "burst"):  # a HybridOption (structural: no import cycle)
        return [(base, opt), (base + "onprem.", opt.onprem), (base + "burst.", opt.burst)]
    return [(base, opt)]


def expand_path(project: Project, path: str) -> list[str]:
    """Canonical paths a range applies to: "fte_cost_annual" and "options.*.KEY" expand to every option
    (and hybrid part) that has KEY. Raises KeyError for an unknown path."""
    if path in PROJECT_PATHS:
        return [path]
    if path in ("fte_cost_annual", "staff_fte", "residual_fraction", "maintenance_rate_annual"):
        path = "options.*." + path
    if not path.startswith("options."):
        raise KeyError(path)
    rest = path[len("options.") :]
    if rest.startswith("*."):
        key = rest[2:]
        out = [pre + key for opt in project.options for pre, obj in option_prefixes(opt) if hasattr(obj, key)]
        if not out:
            raise KeyError(path)
        return out
    for opt in project.options:
        for pre, obj in option_prefixes(opt):
            if path.startswith(pre) and "." not in path[len(pre) :] and hasattr(obj, path[len(pre) :]):
                return [path]
    raise KeyError(path)
