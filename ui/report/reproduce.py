"""What makes a proposal reproducible, and the check that it still is: the project, the catalog rows the
engines read (GPUs and models, by name) and the analysis (the engine's result with its Monte Carlo samples
and seed, and the document facts) travel inside the PDF as JSON attachments (:mod:`ui.report.archive`).

:func:`recompute` re-runs the embedded project through today's engine against the embedded catalog rows
and compares every figure with the embedded analysis; it also checks that the attachments still hash to
the document id printed on every page (so an edited project.json is caught even before re-running).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.catalog import Gpu, ModelArch
from planner.engine.tco import evaluate, resolve_workloads
from planner.project import ProjectError, parse_project
from ui.report.archive import ANALYSIS_FILE, CATALOG_FILE, PROJECT_FILE, attachments, document_info
from ui.report.files import ReportError
from ui.report.proposal import document_id

FORMAT = 1
ABS_TOLERANCE = 0.005
"""Figures are stored rounded to the cent (money) or 4 decimals (shares): equal within half a cent."""


def canonical(data: Any) -> bytes:
    """JSON bytes that are the same for the same content (sorted keys, UTF-8, no spaces)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _row(obj: Any) -> dict[str, Any]:
    out = dataclasses.asdict(obj)
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in out.items()}


def _from_row(cls: type[Any], row: Mapping[str, Any]) -> Any:
    kw = dict(row)
    for f in dataclasses.fields(cls):
        if f.name == "as_of" and isinstance(kw.get(f.name), str):
            kw[f.name] = dt.date.fromisoformat(kw[f.name])
    return cls(**kw)


class CatalogRecorder:
    """Wraps the catalog look-ups the engines make, remembering each row returned."""

    def __init__(self, get_model: Callable[[str], ModelArch] | None, get_gpu: Callable[[str], Gpu] | None):
        self._get_model = get_model
        self._get_gpu = get_gpu
        self.models: dict[str, ModelArch] = {}
        self.gpus: dict[str, Gpu] = {}

    def get_model(self, name: str) -> ModelArch:
        if self._get_model is None:
            raise LookupError(name)
        m = self._get_model(name)
        self.models[name] = m
        return m

    def get_gpu(self, name: str) -> Gpu:
        if self._get_gpu is None:
            raise LookupError(name)
        g = self._get_gpu(name)
        self.gpus[name] = g
        return g

    def to_json(self) -> dict[str, Any]:
        return {
            "models": {k: _row(v) for k, v in sorted(self.models.items())},
            "gpus": {k: _row(v) for k, v in sorted(self.gpus.items())},
        }


def catalog_lookups(rows: Mapping[str, Any]) -> tuple[Callable[[str], ModelArch], Callable[[str], Gpu]]:
    models: dict[str, ModelArch] = {k: _from_row(ModelArch, v) for k, v in (rows.get("models") or {}).items()}
    gpus: dict[str, Gpu] = {k: _from_row(Gpu, v) for k, v in (rows.get("gpus") or {}).items()}

    def get_model(name: str) -> ModelArch:
        if name not in models:
            raise LookupError(f"model {name!r} is not among the catalog rows embedded in the PDF")
        return models[name]

    def get_gpu(name: str) -> Gpu:
        if name not in gpus:
            raise LookupError(f"GPU {name!r} is not among the catalog rows embedded in the PDF")
        return gpus[name]

    return get_model, get_gpu


@dataclass(frozen=True)
class Bundle:
    """The three attachments as bytes, and the content id they hash to."""

    project: bytes
    catalog: bytes
    analysis: bytes

    @staticmethod
    def make(
        project: Mapping[str, Any],
        catalog: Mapping[str, Any],
        result: Mapping[str, Any],
        meta: Mapping[str, Any],
        samples: int,
        seed: int,
        engine_version: str,
    ) -> Bundle:
        analysis = {
            "format": FORMAT,
            "engine_version": engine_version,
            "monte_carlo": {"samples": samples, "seed": seed},
            "meta": dict(meta),
            "result": dict(result),
        }
        return Bundle(canonical(project), canonical(catalog), canonical(analysis))

    def content_id(self) -> str:
        analysis = json.loads(self.analysis)
        meta = {k: v for k, v in analysis["meta"].items() if k != "version"}
        return document_id(self.project, self.catalog, canonical(analysis["result"]), canonical(meta))


@dataclass
class Recomputation:
    """The verdict of :func:`recompute`: ``ok`` when the attachments match the document id and every
    figure recomputed equals the embedded one."""

    doc_id: str = ""
    id_matches: bool = False
    figures_checked: int = 0
    differences: list[tuple[str, Any, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.id_matches and not self.differences and not self.problems and self.figures_checked > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "doc_id": self.doc_id,
            "id_matches": self.id_matches,
            "figures_checked": self.figures_checked,
            "differences": [{"figure": p, "in_pdf": a, "recomputed": b} for p, a, b in self.differences],
            "problems": list(self.problems),
        }

    def human(self) -> str:
        lines = []
        if self.id_matches:
            lines.append(f"Embedded project and analysis match document {self.doc_id}.")
        if self.ok:
            lines.append(f"Recomputed: all {self.figures_checked:,} figures confirmed.")
        elif self.figures_checked:
            lines.append(
                f"Recomputed: {len(self.differences):,} of {self.figures_checked:,} figures differ"
                + (":" if self.differences else ".")
            )
            lines += [f"  {p}: {a!r} in the PDF, {b!r} recomputed" for p, a, b in self.differences[:50]]
            if len(self.differences) > 50:
                lines.append(f"  … and {len(self.differences) - 50:,} more")
        lines += [f"Problem: {p}" for p in self.problems]
        return "\n".join(lines)


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k in sorted(value):
            yield from _leaves(value[k], f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, value


def _same(a: Any, b: Any) -> bool:
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not isinstance(a, int | float)
        or not isinstance(b, int | float)
    ):
        return bool(a == b)
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= ABS_TOLERANCE + 1e-9 * max(abs(a), abs(b))


def compare(
    embedded: Mapping[str, Any], recomputed: Mapping[str, Any]
) -> tuple[int, list[tuple[str, Any, Any]]]:
    """(figures compared, differences) between two results, leaf by leaf (a leaf missing on one side counts)."""
    a = dict(_leaves(embedded))
    b = dict(_leaves(recomputed))
    diffs = [
        (k, a.get(k), b.get(k))
        for k in sorted(set(a) | set(b))
        if k not in a or k not in b or not _same(a[k], b[k])
    ]
    return len(set(a) | set(b)), diffs


def recompute(pdf: bytes) -> Recomputation:
    """Re-run the project embedded in ``pdf`` and compare every figure with the embedded analysis."""
    out = Recomputation()
    files = attachments(pdf)
    missing = [n for n in (PROJECT_FILE, CATALOG_FILE, ANALYSIS_FILE) if n not in files]
    if missing:
        out.problems.append(f"the PDF carries no {', '.join(missing)}: it cannot be recomputed")
        return out
    out.doc_id = document_info(pdf).get("DocumentId", "")
    bundle = Bundle(files[PROJECT_FILE], files[CATALOG_FILE], files[ANALYSIS_FILE])
    try:
        project_json = json.loads(bundle.project)
        catalog_json = json.loads(bundle.catalog)
        analysis = json.loads(bundle.analysis)
        out.id_matches = bundle.content_id() == out.doc_id and bool(out.doc_id)
    except (ValueError, KeyError, TypeError) as exc:
        out.problems.append(f"the embedded files are not readable ({exc})")
        return out
    if not out.id_matches:
        out.problems.append(
            "the embedded project, catalog rows or analysis were altered: they no longer hash to the document "
            f"id {out.doc_id or '(none)'}"
        )
    try:
        project = parse_project(project_json)
        get_model, get_gpu = catalog_lookups(catalog_json)
        resolved = resolve_workloads(project, get_model, get_gpu)
        mc = analysis.get("monte_carlo") or {}
        result = evaluate(resolved, samples=int(mc.get("samples", 0)), seed=int(mc.get("seed", 0)))
    except (ProjectError, LookupError, ValueError, TypeError) as exc:
        out.problems.append(f"the embedded project cannot be evaluated: {exc}")
        return out
    out.figures_checked, out.differences = compare(
        analysis.get("result") or {}, json.loads(canonical(result.to_json()))
    )
    return out


def recompute_file(path: str) -> Recomputation:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ReportError(f"{path}: cannot be read ({exc.strerror})") from None
    return recompute(data)
