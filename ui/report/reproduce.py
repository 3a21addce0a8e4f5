"""What makes a proposal reproducible, and the check that it still is: the project, the catalog rows the
engines read (GPUs and models, by name) and the analysis (the engine's result with its Monte Carlo samples
and seed, and the document facts) travel inside the PDF as JSON attachments (:mod:`ui.report.archive`).

:func:`recompute` re-runs the embedded project through today's analysis (:func:`planner.analysis.analyse`) against the
embedded catalog rows
and compares every figure with the embedded analysis; it also checks that the attachments still hash to
the document id printed on every page (so an edited project.json is caught even before re-running).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.analysis import analyse
from planner.analysis.catalog import CatalogSource, MemoryCatalog
from planner.catalog import FxRate, Gpu, ModelArch, ServerPlatform
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


class RecordingCatalog:
    """A :class:`planner.analysis.CatalogSource` that remembers every row the analysis read from ``inner``
    (models and GPUs by name, exchange rates), so the PDF can carry exactly those rows."""

    def __init__(self, inner: CatalogSource) -> None:
        self.inner = inner
        self.models: dict[str, ModelArch] = {}
        self.gpu_rows: dict[str, Gpu] = {}
        self.rates: dict[tuple[str, str, str], FxRate] = {}

    def model(self, name: str) -> ModelArch:
        m = self.inner.model(name)
        self.models[name] = m
        return m

    def gpu(self, name: str) -> Gpu:
        g = self.inner.gpu(name)
        self.gpu_rows[name] = g
        return g

    def gpus(self) -> Sequence[Gpu]:
        found = self.inner.gpus()
        for g in found:
            self.gpu_rows.setdefault(g.name, g)
        return found

    def servers(self) -> Mapping[str, ServerPlatform]:
        return self.inner.servers()

    def fx_rate(self, base: str, quote: str, on: dt.date) -> FxRate:
        r = self.inner.fx_rate(base, quote, on)
        self.rates[(base, quote, on.isoformat())] = r
        return r

    def to_json(self) -> dict[str, Any]:
        return {
            "models": {k: _row(v) for k, v in sorted(self.models.items())},
            "gpus": {k: _row(v) for k, v in sorted(self.gpu_rows.items())},
            "fx": [_row(r) for _, r in sorted(self.rates.items())],
        }


def embedded_catalog(rows: Mapping[str, Any]) -> MemoryCatalog:
    """The catalog rows a PDF carries, as the catalog its recomputation reads (nothing else)."""
    models = {k: _from_row(ModelArch, v) for k, v in (rows.get("models") or {}).items()}
    gpus = {k: _from_row(Gpu, v) for k, v in (rows.get("gpus") or {}).items()}
    rates = tuple(_from_row(FxRate, r) for r in rows.get("fx") or ())
    return MemoryCatalog(models, gpus, {}, rates)


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
        mc = analysis.get("monte_carlo") or {}
        day = dt.date.fromisoformat(str((analysis.get("meta") or {}).get("date")))
        again = analyse(
            project,
            embedded_catalog(catalog_json),
            today=day,
            samples=int(mc.get("samples", 0)),
            seed=int(mc.get("seed", 0)),
        )
    except (ProjectError, LookupError, ValueError, TypeError) as exc:
        out.problems.append(f"the embedded project cannot be evaluated: {exc}")
        return out
    out.figures_checked, out.differences = compare(
        analysis.get("result") or {}, json.loads(canonical(again.tco.to_json()))
    )
    return out


def recompute_file(path: str) -> Recomputation:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ReportError(f"{path}: cannot be read ({exc.strerror})") from None
    return recompute(data)
