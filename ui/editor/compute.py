"""The Projects view's computation, run on its compute lane: resolve workloads against the catalog, size GPU
memory per workload, evaluate the TCO (Monte Carlo included) and prepare the chart series. No Qt here:
it takes a frozen request and returns plain data."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from planner.engine import CancelToken, Progress, check
from planner.engine.tco import TcoResult, evaluate, onprem_cost_per_gpu_hour
from planner.project import CloudOption, HybridOption, OnPremOption, Project, ProjectError, Workload

UTIL_GRID = np.linspace(0.05, 1.0, 20)
MAX_UTIL_OWNED = 4
MAX_UTIL_RENTED = 4


@dataclass(frozen=True)
class ComputeRequest:
    """One immutable snapshot of what to compute."""

    project: Project
    db_url: str | None = None
    samples: int = 2000
    seed: int = 0


@dataclass(frozen=True)
class WorkloadMemory:
    """GPU memory of one workload per GPU (GB), and the chosen GPU's capacity (GB)."""

    name: str
    breakdown_gb: dict[str, float]
    peak_gb: float
    capacity_gb: float | None
    gpu: str
    fits: bool | None
    note: str = ""


@dataclass
class ProjectResults:
    """Everything the Results panel draws for one project snapshot."""

    project: Project
    tco: TcoResult
    memory: list[WorkloadMemory] = field(default_factory=list)
    utilisation: list[tuple[str, bool, np.ndarray, np.ndarray, float]] = field(default_factory=list)
    util_break_even: list[tuple[str, str, float, float]] = field(default_factory=list)


def _catalog(db_url: str | None) -> Any:
    from db import catalog
    from db.session import get_engine

    return catalog, get_engine(db_url)


def _lookup_catalog(project: Project, db_url: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Catalog models and GPUs named by the workloads; ProjectError naming the workload field if unknown."""
    models: dict[str, Any] = {}
    gpus: dict[str, Any] = {}
    if not any(w.model is not None or w.gpu is not None for w in project.workloads):
        return models, gpus
    catalog, engine = _catalog(db_url)
    for i, w in enumerate(project.workloads):
        for attr, cache, get in (("model", models, catalog.get_model), ("gpu", gpus, catalog.get_gpu)):
            name = getattr(w, attr)
            if name is None or name in cache:
                continue
            try:
                cache[name] = get(engine, name)
            except LookupError as exc:
                raise ProjectError(str(exc).strip("'\""), key=f"workloads[{i}].{attr}") from None
    return models, gpus


def _estimate_one(i: int, w: Workload, models: dict[str, Any], gpus: dict[str, Any]) -> tuple[Any, Any]:
    """(EstimateResult, Gpu or None) for a workload's estimate spec; ProjectError naming the field."""
    est = importlib.import_module("planner.engine.estimate")
    key = f"workloads[{i}]"
    if w.model_spec is not None:
        from planner.catalog import ModelArch

        try:
            model = ModelArch(**dict(w.model_spec))
        except TypeError as exc:
            raise ProjectError(f"embedded model is not valid ({exc})", key=key + ".model") from None
        model_ref: Any = dict(w.model_spec)
    elif w.model is not None:
        model = models[w.model]
        model_ref = w.model
    else:
        raise ProjectError("an estimate needs a model: choose one from the catalog", key=key + ".model")
    gpu = gpus.get(w.gpu) if w.gpu is not None else None
    spec = dict(w.estimate or {})
    spec["model"] = model_ref
    if gpu is not None:
        spec.setdefault("gpu", gpu.name)
    if w.gpus > 0:
        spec.setdefault("n_gpus", w.gpus)
    try:
        result = est.estimate(est.parse_spec(spec), model, [gpu] if gpu is not None else [])
    except est.SpecError as exc:
        raise ProjectError(str(exc).split(": ", 1)[-1], key=f"{key}.estimate.{exc.field}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ProjectError(f"estimate failed: {exc}", key=key + ".estimate") from None
    return result, gpu


def resolve(project: Project, db_url: str | None) -> tuple[Project, list[WorkloadMemory]]:
    """Fill GPU-hours per run from the estimate engine where a workload leaves them out, and size the GPU
    memory of every workload with an estimate spec. Raises ProjectError naming the workload field."""
    models, gpus = _lookup_catalog(project, db_url)
    try:
        importlib.import_module("planner.engine.estimate")
        have_estimate = True
    except ModuleNotFoundError:
        have_estimate = False
    workloads: list[Workload] = []
    memory: list[WorkloadMemory] = []
    for i, w in enumerate(project.workloads):
        if w.estimate is None or not have_estimate:
            if not w.resolved:
                raise ProjectError(
                    "the estimate engine is not available: give GPU-hours per run",
                    key=f"workloads[{i}].gpu_hours_per_run",
                )
            workloads.append(w)
            continue
        result, gpu = _estimate_one(i, w, models, gpus)
        capacity = float(gpu.memory_gb) if gpu is not None else None
        peak = float(result.device_gb_per_gpu)
        memory.append(
            WorkloadMemory(
                name=w.name,
                breakdown_gb={str(k): float(v) for k, v in result.breakdown_gb.items()},
                peak_gb=peak,
                capacity_gb=capacity,
                gpu=gpu.name if gpu is not None else "",
                fits=None if capacity is None else peak <= capacity,
                note="; ".join(result.warnings[:1]),
            )
        )
        if w.resolved:
            workloads.append(w)
        elif result.gpu_hours is None:
            raise ProjectError(
                "cannot derive GPU-hours: give tokens per run and a GPU (or GPU-hours per run)",
                key=f"workloads[{i}].estimate.tokens",
            )
        else:
            workloads.append(replace(w, gpu_hours_per_run=float(result.gpu_hours)))
    return replace(project, workloads=tuple(workloads)), memory


def _owned(project: Project, tco: TcoResult) -> list[OnPremOption]:
    owned: list[OnPremOption] = []
    for opt in project.options:
        if isinstance(opt, OnPremOption):
            owned.append(opt)
        elif isinstance(opt, HybridOption):
            servers = tco.option(opt.name).details.get("servers", opt.onprem.servers)
            owned.append(replace(opt.onprem, name=opt.name, servers=max(1, int(servers))))
    return owned


def utilisation_series(
    project: Project, tco: TcoResult, cancel: CancelToken | None
) -> tuple[list[tuple[str, bool, np.ndarray, np.ndarray, float]], list[tuple[str, str, float, float]]]:
    """Cost per used GPU-hour over utilisation for owned options; flat rates of the cheapest rented ones."""
    totals = {o.name: o.total for o in tco.options}
    owned = sorted(_owned(project, tco), key=lambda o: totals.get(o.name, 0.0))[:MAX_UTIL_OWNED]
    series: list[tuple[str, bool, np.ndarray, np.ndarray, float]] = []
    curves: dict[str, np.ndarray] = {}
    for opt in owned:
        check(cancel)
        costs = np.array(
            [
                onprem_cost_per_gpu_hour(
                    opt,
                    float(u),
                    project.horizon_months,
                    project.hours_per_month,
                    electricity_per_kwh=project.electricity_per_kwh,
                    pue=project.pue,
                )
                for u in UTIL_GRID
            ]
        )
        curves[opt.name] = costs
        series.append((opt.name, True, UTIL_GRID.copy(), costs, 0.0))
    rented = [
        o
        for o in tco.options
        if isinstance(_option(project, o.name), CloudOption) and o.per_used_gpu_hour is not None
    ]
    rented.sort(key=lambda o: o.per_used_gpu_hour or 0.0)
    for o in rented[:MAX_UTIL_RENTED]:
        series.append((o.name, False, np.zeros(0), np.zeros(0), float(o.per_used_gpu_hour or 0.0)))
    shown = {s[0] for s in series}
    marks: list[tuple[str, str, float, float]] = []
    for b in tco.break_even:
        if b.utilization is None or b.a not in curves or b.b not in shown:
            continue
        marks.append(
            (b.a, b.b, float(b.utilization), float(np.interp(b.utilization, UTIL_GRID, curves[b.a])))
        )
    return series, marks


def _option(project: Project, name: str) -> Any:
    try:
        return project.option(name)
    except KeyError:
        return None


def compute_project(request: ComputeRequest, cancel: CancelToken, progress: Progress) -> ProjectResults:
    """The compute lane's function: resolve, size memory, evaluate (with Monte Carlo), utilisation curves."""
    project, memory = resolve(request.project, request.db_url)
    check(cancel)
    tco = evaluate(project, samples=request.samples, seed=request.seed, cancel=cancel, progress=progress)
    util, marks = utilisation_series(project, tco, cancel)
    return ProjectResults(project=project, tco=tco, memory=memory, utilisation=util, util_break_even=marks)


@dataclass(frozen=True)
class MonteCarloRequest:
    """Monte Carlo for the (resolved) project behind the results of ``fast_generation``."""

    fast_generation: int
    project: Project
    samples: int
    seed: int = 0


def compute_monte_carlo(
    request: MonteCarloRequest, cancel: CancelToken, progress: Progress
) -> tuple[int, Any, list[str]]:
    """The Monte Carlo lane's function: (fast generation, MonteCarloResult or None, warnings)."""
    if request.samples <= 0:
        return request.fast_generation, None, []
    tco = evaluate(
        request.project, samples=request.samples, seed=request.seed, cancel=cancel, progress=progress
    )
    return request.fast_generation, tco.monte_carlo, tco.warnings
