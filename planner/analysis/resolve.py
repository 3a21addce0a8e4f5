"""The one workload resolver: GPU-hours, memory per GPU and the hardware fit of every workload, from a single
run of the memory/time engine per workload.

A workload that gives ``gpu_hours_per_run`` keeps it ("typed"); one with an ``estimate`` spec gets it from
the engine ("estimate"). Its memory per GPU is the engine's *device* figure (what the GPU must hold, with
allocator and framework overhead) and it fits when that figure is within the GPU's memory less the spec's
headroom — the same test the engine's fit table applies, so the screen, the CLI and the PDF agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from planner.analysis.catalog import CatalogSource
from planner.catalog import Gpu, ModelArch
from planner.engine import estimate as est
from planner.project import Project, ProjectError, Workload

HoursSource = Literal["typed", "estimate"]


@dataclass(frozen=True)
class WorkloadMemory:
    """One workload as analysed. GB are decimal GB per GPU; ``capacity_gb`` is the named GPU's memory
    (None when no GPU is named); ``fits`` None when there is nothing to compare with."""

    name: str
    method: str
    model: str
    gpu: str
    gpus: int
    runs_per_month: float
    gpu_hours_per_run: float
    hours_source: HoursSource
    breakdown_gb: Mapping[str, float]
    memory_gb_per_gpu: float | None
    capacity_gb: float | None
    fits: bool | None
    note: str = ""


@dataclass(frozen=True)
class FitRow:
    """A workload on a catalog GPU: fits as configured, and the fewest GPUs that fit (None: none do)."""

    workload: str
    gpu: str
    memory_gb: float
    memory_gb_per_gpu: float
    fits: bool
    gpus_needed: int | None
    note: str


@dataclass(frozen=True)
class Resolved:
    project: Project
    workloads: tuple[WorkloadMemory, ...]
    fit: tuple[FitRow, ...]


def _model_of(i: int, w: Workload, spec_model: Any, catalog: CatalogSource) -> ModelArch:
    key = f"workloads[{i}].model"
    if isinstance(spec_model, ModelArch):
        return spec_model
    if isinstance(spec_model, Mapping):
        try:
            return ModelArch(**dict(spec_model))
        except TypeError as exc:
            raise ProjectError(f"the embedded model is not valid ({exc})", key=key) from None
    if isinstance(spec_model, str):
        try:
            return catalog.model(spec_model)
        except LookupError as exc:
            raise ProjectError(str(exc).strip("'\""), key=key) from None
    raise ProjectError("an estimate needs a model: choose one from the catalog", key=key)


def _gpu_named(i: int, name: str | None, catalog: CatalogSource) -> Gpu | None:
    if name is None:
        return None
    try:
        return catalog.gpu(name)
    except LookupError as exc:
        raise ProjectError(str(exc).strip("'\""), key=f"workloads[{i}].gpu") from None


def _spec(i: int, w: Workload) -> dict[str, Any]:
    spec: dict[str, Any] = dict(w.estimate or {})
    if "model" not in spec:
        if w.model_spec is not None:
            spec["model"] = dict(w.model_spec)
        elif w.model is not None:
            spec["model"] = w.model
        else:
            raise ProjectError(
                "an estimate needs a model: choose one from the catalog", key=f"workloads[{i}].model"
            )
    if w.gpu is not None:
        spec.setdefault("gpu", w.gpu)
    if w.gpus:
        spec.setdefault("n_gpus", w.gpus)
    return spec


def _typed(w: Workload) -> WorkloadMemory:
    return WorkloadMemory(
        name=w.name,
        method="",
        model=w.model or str((w.model_spec or {}).get("name", "")),
        gpu=w.gpu or "",
        gpus=w.gpus,
        runs_per_month=w.runs_per_month,
        gpu_hours_per_run=float(w.gpu_hours_per_run or 0.0),
        hours_source="typed",
        breakdown_gb={},
        memory_gb_per_gpu=None,
        capacity_gb=None,
        fits=None,
    )


def resolve_workloads(project: Project, catalog: CatalogSource) -> Resolved:
    """Every workload resolved; raises ProjectError naming the workload's field when one cannot be."""
    estimated = any(w.estimate is not None for w in project.workloads)
    all_gpus = sorted(catalog.gpus(), key=lambda g: (g.memory_gb, g.name)) if estimated else []
    workloads: list[Workload] = []
    rows: list[WorkloadMemory] = []
    fit: list[FitRow] = []
    for i, w in enumerate(project.workloads):
        if w.estimate is None:
            if not w.resolved:
                raise ProjectError(
                    "give GPU-hours per run, or an estimate spec to derive them",
                    key=f"workloads[{i}].gpu_hours_per_run",
                )
            workloads.append(w)
            rows.append(_typed(w))
            continue
        spec_d = _spec(i, w)
        try:
            spec = est.parse_spec(spec_d)
        except est.SpecError as exc:
            raise ProjectError(
                str(exc).split(": ", 1)[-1], key=f"workloads[{i}].estimate.{exc.field}"
            ) from None
        try:
            model = _model_of(i, w, spec.model, catalog)
            named = _gpu_named(i, spec.gpu, catalog)
        except ProjectError as exc:
            if not w.resolved:
                raise
            # GPU-hours were typed: the estimate only sizes memory, and the catalog cannot here. Say so.
            workloads.append(w)
            rows.append(replace(_typed(w), method=spec.method, note=f"memory not sized: {exc.detail}"))
            continue
        gpus = ([named] if named is not None else []) + [
            g for g in all_gpus if named is None or g.name != named.name
        ]
        try:
            result = est.estimate(spec, model, gpus)
        except est.SpecError as exc:
            raise ProjectError(
                str(exc).split(": ", 1)[-1], key=f"workloads[{i}].estimate.{exc.field}"
            ) from None
        except (ValueError, ArithmeticError) as exc:
            raise ProjectError(f"the estimate failed: {exc}", key=f"workloads[{i}].estimate") from None
        if w.resolved:
            hours, source = float(w.gpu_hours_per_run or 0.0), "typed"
            workloads.append(w)
        elif result.gpu_hours is None:
            raise ProjectError(
                "cannot derive GPU-hours: give tokens per run and a GPU (or GPU-hours per run)",
                key=f"workloads[{i}].estimate.tokens",
            )
        else:
            hours, source = float(result.gpu_hours), "estimate"
            workloads.append(replace(w, gpu_hours_per_run=hours))
        named_fit = next((f for f in result.fits if named is not None and f.gpu == named.name), None)
        rows.append(
            WorkloadMemory(
                name=w.name,
                method=spec.method,
                model=model.name,
                gpu=named.name if named is not None else "",
                gpus=spec.n_gpus,
                runs_per_month=w.runs_per_month,
                gpu_hours_per_run=hours,
                hours_source=source,  # type: ignore[arg-type]
                breakdown_gb={str(k): float(v) for k, v in result.breakdown_gb.items()},
                memory_gb_per_gpu=float(result.device_gb_per_gpu),
                capacity_gb=float(named.memory_gb) if named is not None else None,
                fits=None if named_fit is None else bool(named_fit.fits_as_configured),
                note="; ".join(result.warnings[:1]),
            )
        )
        for f in result.fits:
            fit.append(
                FitRow(
                    workload=w.name,
                    gpu=f.gpu,
                    memory_gb=float(f.gpu_memory_gb),
                    memory_gb_per_gpu=float(result.device_gb_per_gpu),
                    fits=bool(f.fits_as_configured),
                    gpus_needed=f.min_gpus,
                    note=f.suggestion or "",
                )
            )
    return Resolved(replace(project, workloads=tuple(workloads)), tuple(rows), tuple(fit))
