"""Export a proposal end to end: validate the project, run the engines, build the PDF, sign it, write it
atomically. Used by ``planner export`` and the Reports page; runs headless (no Qt).

Nothing is left at the output path unless the whole export (and the signature, when asked for) succeeded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner import __version__, clock
from planner.catalog import Gpu, ModelArch
from planner.engine.tco import evaluate, resolve_workloads
from planner.project import Project, ProjectError, load_project
from ui.report.archive import (
    ANALYSIS_FILE,
    CATALOG_FILE,
    PROJECT_FILE,
    Attachment,
    DocumentInfo,
    make_archival,
)
from ui.report.files import ReportError, write_atomic
from ui.report.identity import Identity
from ui.report.proposal import (
    FitRow,
    ProposalInputs,
    ProposalMeta,
    QuoteRow,
    SourcedFigure,
    WorkloadRow,
    build_proposal,
)
from ui.report.registry import project_key, record, version_for
from ui.report.reproduce import Bundle, CatalogRecorder, canonical
from ui.report.signing import load_crls, page_count, sign_pdf, signature_level

log = logging.getLogger(__name__)

MONTE_CARLO_SAMPLES = 2000
MONTE_CARLO_SEED = 20240601


@dataclass(frozen=True)
class ExportResult:
    """What was written: path, SHA-256 of the file, pages, document id, and the signer (empty if unsigned)."""

    path: Path
    sha256: str
    pages: int
    doc_id: str
    version: str
    signed: bool
    signer: str
    size_bytes: int
    recommendation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "pages": self.pages,
            "doc_id": self.doc_id,
            "version": self.version,
            "signed": self.signed,
            "signer": self.signer,
            "size_bytes": self.size_bytes,
            "recommendation": self.recommendation,
        }


def check_output_path(out: Path) -> None:
    """Fail before any work if ``out`` cannot be written (missing folder, no permission, a directory)."""
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise ReportError(f"{out}: is a folder; give a file name such as proposal.pdf")
    if not parent.is_dir():
        raise ReportError(f"{out}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"{out}: cannot write in {parent} (permission denied)")


def read_project(path: str | os.PathLike[str]) -> Project:
    try:
        return load_project(path)
    except ProjectError as exc:
        raise ReportError(f"{path}: {exc}") from None


def export_proposal(
    project: Project,
    out: str | os.PathLike[str],
    *,
    identity: Identity | None = None,
    paper: str = "a4",
    version: str | None = None,
    location: str = "",
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
    today: dt.date | None = None,
    quotes: Sequence[QuoteRow] | None = None,
    engine: Any = None,
    use_catalog: bool = True,
    now: dt.datetime | None = None,
    registry: Path | None = None,
    crls: Sequence[str | os.PathLike[str]] = (),
) -> ExportResult:
    """Evaluate ``project``, build the proposal, sign it with ``identity`` if given, and write it to ``out``."""
    out_path = Path(out)
    check_output_path(out_path)
    if paper not in ("a4", "letter"):
        raise ReportError(f"paper must be a4 or letter (got {paper!r})")
    revocation = load_crls(crls)
    if revocation and (identity is None or not identity.chain):
        raise ReportError("--crl needs a CA-issued identity (a PKCS#12 that carries its CA chain)")
    inputs = prepare_inputs(
        project,
        identity=identity,
        paper=paper,
        version=version,
        location=location,
        samples=samples,
        seed=seed,
        today=today,
        quotes=quotes,
        engine=engine,
        use_catalog=use_catalog,
        registry=registry,
        revocation=revocation,
    )
    if inputs.result["recommendation"] is None:
        blocked = " ".join(r["text"] for r in inputs.result.get("recommendation_blocked_by", []))
        raise ReportError(f"no proposal: the project has no plan to recommend. {blocked}".strip())
    moment = now or clock.now()
    pdf = make_archival(build_proposal(inputs), archive_info(inputs, moment), archive_files(inputs))
    signer = ""
    if identity is not None:
        signed = sign_pdf(pdf, identity, location=inputs.meta.location, now=moment, crls=revocation)
        pdf, signer = signed.data, signed.signer
    write_atomic(out_path, pdf)
    if version is None:
        record(
            project_key(project.name, project.client),
            inputs.meta.doc_id,
            int(inputs.meta.version),
            inputs.meta.doc_id,
            registry,
        )
    return ExportResult(
        path=out_path,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=page_count(pdf),
        doc_id=inputs.meta.doc_id,
        version=inputs.meta.version,
        signed=identity is not None,
        signer=signer,
        size_bytes=len(pdf),
        recommendation=str((inputs.result.get("recommendation") or {}).get("option", "none")),
    )


def prepare_inputs(
    project: Project,
    *,
    identity: Identity | None = None,
    paper: str = "a4",
    version: str | None = None,
    location: str = "",
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
    today: dt.date | None = None,
    quotes: Sequence[QuoteRow] | None = None,
    engine: Any = None,
    use_catalog: bool = True,
    registry: Path | None = None,
    revocation: Sequence[Any] = (),
) -> ProposalInputs:
    """Run the engines and gather everything the document shows, and what reproduces it."""
    day = today or clock.today()
    cat = open_catalog(engine) if use_catalog else None
    recorder = CatalogRecorder(cat.get_model if cat else None, cat.get_gpu if cat else None)
    try:
        resolved = resolve_workloads(
            project, recorder.get_model if cat else None, recorder.get_gpu if cat else None
        )
        result = evaluate(resolved, samples=samples, seed=seed)
    except ProjectError as exc:
        raise ReportError(f"the project has errors: {exc}") from None
    fit, fit_note = hardware_fit(resolved, cat)
    result_json = json.loads(canonical(result.to_json()))
    meta = ProposalMeta(
        doc_id="",
        date=day,
        version=version or "1",
        paper=paper,
        signed=identity is not None,
        signer=identity.name if identity is not None else "",
        signer_organisation=identity.organisation if identity is not None else "",
        signer_email=identity.email if identity is not None else "",
        certificate_sha256=identity.fingerprint_sha256 if identity is not None else "",
        signature_level=signature_level(identity, revocation) if identity is not None else "",
        location=location,
    )
    bundle = Bundle.make(
        project.to_dict(), recorder.to_json(), result_json, meta_json(meta), samples, seed, __version__
    )
    doc_id = bundle.content_id()
    key = project_key(project.name, project.client)
    number = version or str(version_for(key, doc_id, registry))
    meta = dataclasses.replace(meta, doc_id=doc_id, version=number)
    bundle = Bundle.make(
        project.to_dict(), recorder.to_json(), result_json, meta_json(meta), samples, seed, __version__
    )
    return ProposalInputs(
        project=resolved,
        result=result_json,
        meta=meta,
        workloads=workload_rows(resolved, cat),
        hardware_fit=fit,
        hardware_note=fit_note,
        catalog_figures=catalog_figures(resolved, cat),
        quotes=quotes,
        today=day,
        bundle=bundle,
    )


def meta_json(meta: ProposalMeta) -> dict[str, Any]:
    """The document facts the analysis file records (the id covers all of them but the version)."""
    out = {k: v for k, v in dataclasses.asdict(meta).items() if k != "doc_id"}
    out["date"] = meta.date.isoformat()
    out["valid_until"] = meta.price_validity.isoformat()
    return out


def archive_info(inputs: ProposalInputs, now: dt.datetime) -> DocumentInfo:
    pr, meta = inputs.project, inputs.meta
    return DocumentInfo(
        title=f"Proposal: {pr.name}",
        author=meta.signer or pr.consultant or pr.organisation or "Compute Planner",
        subject=f"Compute proposal for {pr.client or pr.name}, document {meta.doc_id} version {meta.version}",
        keywords=["compute proposal", "total cost of ownership", meta.doc_id, pr.client or pr.name],
        language=meta.language,
        doc_id=meta.doc_id,
        created=now,
        creator=f"Compute Planner {__version__}",
    )


def archive_files(inputs: ProposalInputs) -> list[Attachment]:
    b = inputs.bundle
    assert b is not None
    return [
        Attachment(PROJECT_FILE, b.project, "The project file this proposal was computed from"),
        Attachment(CATALOG_FILE, b.catalog, "The catalog rows (GPUs, models) the engines read"),
        Attachment(
            ANALYSIS_FILE,
            b.analysis,
            "The analysis shown: every figure, Monte Carlo samples and seed",
            relationship="Data",
        ),
    ]


# --------------------------------------------------------------------------------------------- catalog + memory


@dataclass
class CatalogView:
    """What the proposal reads from the catalog database: its GPUs and name lookups."""

    gpus: list[Gpu]
    get_model: Callable[[str], ModelArch]
    get_gpu: Callable[[str], Gpu]


def open_catalog(engine: Any = None) -> CatalogView | None:
    """The catalog of ``engine`` (default: the user's database, seeded with the shipped catalog), or None
    when no catalog can be opened: the proposal then says which sections could not be computed."""
    try:
        session = importlib.import_module("db.session")
        catalog = importlib.import_module("db.catalog")
        eng = engine if engine is not None else session.get_engine()
        gpus = [g for g in catalog.list_gpus(eng) if isinstance(g, Gpu)]
    except Exception as exc:  # a proposal without the catalog is still a proposal
        log.warning("catalog not available for the proposal: %s", exc)
        return None
    return CatalogView(
        gpus=gpus,
        get_model=lambda name: catalog.get_model(eng, name),
        get_gpu=lambda name: catalog.get_gpu(eng, name),
    )


def _estimate_module() -> Any | None:
    try:
        return importlib.import_module("planner.engine.estimate")
    except ModuleNotFoundError:
        return None


def _estimate(project: Project, index: int, cat: CatalogView | None, gpus: Sequence[Gpu]) -> Any | None:
    """The memory engine's result for workload ``index`` against ``gpus``, or None when it cannot run."""
    est = _estimate_module()
    w = project.workloads[index]
    if est is None or w.estimate is None:
        return None
    try:
        if w.model_spec is not None:
            model = ModelArch(**dict(w.model_spec))
        elif w.model is not None and cat is not None:
            model = cat.get_model(w.model)
        else:
            return None
        spec = dict(w.estimate)
        spec.setdefault("model", model.name)
        # Same defaults as planner.engine.tco.resolve_workloads: the workload's own GPU and count.
        if w.gpu is not None:
            spec.setdefault("gpu", w.gpu)
        if w.gpus:
            spec.setdefault("n_gpus", w.gpus)
        return est.estimate(est.parse_spec(spec), model, list(gpus))
    except Exception as exc:
        log.info("no memory estimate for workload %s: %s", w.name, exc)
        return None


def workload_rows(project: Project, cat: CatalogView | None) -> list[WorkloadRow]:
    rows = []
    for i, w in enumerate(project.workloads):
        spec = dict(w.estimate or {})
        model = w.model or (str(w.model_spec.get("name", "embedded model")) if w.model_spec else "")
        res = _estimate(project, i, cat, [])
        memory = getattr(res, "peak_gb_per_gpu", None)
        rows.append(
            WorkloadRow(
                name=w.name,
                method=str(spec.get("method", "")) if spec else "",
                model=model,
                gpu=w.gpu or "",
                gpus=w.gpus,
                memory_gb_per_gpu=float(memory) if memory is not None else None,
                gpu_hours_per_run=w.gpu_hours_per_run,
                runs_per_month=w.runs_per_month,
            )
        )
    return rows


def hardware_fit(project: Project, cat: CatalogView | None) -> tuple[list[FitRow] | None, str]:
    """For each workload with an estimate spec and each catalog GPU: fits as configured, minimum GPUs."""
    if _estimate_module() is None:
        return None, "The memory engine is not part of this build: no hardware fit was computed."
    if not any(w.estimate is not None for w in project.workloads):
        return None, (
            "No workload carries a memory estimate spec (GPU-hours were given directly), so no GPU fit "
            "was computed."
        )
    if cat is None or not cat.gpus:
        return None, "The GPU catalog is not available, so no GPU fit was computed."
    rows: list[FitRow] = []
    gpus = sorted(cat.gpus, key=lambda g: (g.memory_gb, g.name))
    for i, w in enumerate(project.workloads):
        res = _estimate(project, i, cat, gpus)
        if res is None:
            continue
        for f in res.fits:
            rows.append(
                FitRow(
                    workload=w.name,
                    gpu=f.gpu,
                    memory_gb=f.gpu_memory_gb,
                    peak_gb_per_gpu=float(res.peak_gb_per_gpu),
                    fits=bool(f.fits_as_configured),
                    gpus_needed=f.min_gpus,
                    note=f.suggestion or "",
                )
            )
    if not rows:
        return None, "The memory engine could not size any workload (model or GPU not found)."
    return rows, ""


def catalog_figures(project: Project, cat: CatalogView | None) -> list[SourcedFigure]:
    """Catalog GPUs the project's workloads name, with their source and as-of date."""
    if cat is None:
        return []
    names = {w.gpu for w in project.workloads if w.gpu}
    figures = []
    for g in cat.gpus:
        if g.name not in names:
            continue
        price = (
            f"{g.price_low_usd:,.0f}–{g.price_high_usd:,.0f} USD"
            if g.price_low_usd is not None and g.price_high_usd is not None
            else "no price"
        )
        figures.append(
            SourcedFigure(
                label=f"{g.vendor} {g.name}",
                value=(
                    f"{g.memory_gb:g} GB, {g.bf16_dense_tflops:g} TFLOPS BF16, "
                    + (f"{g.tdp_w:g} W" if g.tdp_w is not None else "power not published")
                    + f"; {price}"
                ),
                source_url=g.source_url,
                as_of=g.as_of.isoformat(),
            )
        )
    return figures
