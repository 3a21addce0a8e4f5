"""Export a proposal end to end: analyse the project once (:func:`planner.analysis.analyse`), render the PDF
from that analysis only, make it PDF/A-3b with the files that reproduce it, sign it, write it atomically.
Used by ``planner export`` and the Reports page; runs headless (no Qt) and reads no storage: the catalog
comes in as a ``CatalogSource``.

Nothing is left at the output path unless the whole export (and the signature, when asked for) succeeded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner import __version__, clock
from planner.analysis import MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED, Analysis, QuoteComparison, analyse
from planner.analysis.catalog import EMPTY_CATALOG, CatalogSource
from planner.project import Project, ProjectError, load_project
from planner.quotes import Quote
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
from ui.report.reproduce import Bundle, RecordingCatalog, canonical
from ui.report.signing import load_crls, page_count, sign_pdf, signature_level
from ui.report.workbook import workbook_bytes


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
    quotes: Sequence[Quote] | None = None,
    catalog: CatalogSource = EMPTY_CATALOG,
    now: dt.datetime | None = None,
    registry: Path | None = None,
    crls: Sequence[str | os.PathLike[str]] = (),
    xlsx: str | os.PathLike[str] | None = None,
) -> ExportResult:
    """Analyse ``project`` (:func:`planner.analysis.analyse`) over ``catalog`` (``db.analysis_catalog.DbCatalog``
    for the user's database), render the proposal from that analysis, sign it with ``identity`` if given,
    and write it to ``out``; ``quotes`` are stored vendor quotes compared in the analysis."""
    out_path = Path(out)
    check_output_path(out_path)
    if paper not in ("a4", "letter"):
        raise ReportError(f"paper must be a4 or letter (got {paper!r})")
    if xlsx is not None:
        check_output_path(Path(xlsx))
        if Path(xlsx).suffix.lower() != ".xlsx":
            raise ReportError(f"{xlsx}: a workbook file name ends in .xlsx")
    recording = RecordingCatalog(catalog)
    analysis = analyse_for_proposal(
        project, recording, today=today or clock.today(), samples=samples, seed=seed, quotes=quotes
    )
    workbook = workbook_bytes(analysis) if xlsx is not None else None  # built before anything is written
    result = write_proposal(
        analysis,
        out_path,
        identity=identity,
        paper=paper,
        version=version,
        location=location,
        catalog_rows=recording.to_json(),
        now=now,
        registry=registry,
        crls=crls,
    )
    if xlsx is not None and workbook is not None:  # the finance team's workbook: the same analysis
        write_atomic(Path(xlsx), workbook)
    return result


def analyse_for_proposal(
    project: Project,
    catalog: CatalogSource = EMPTY_CATALOG,
    *,
    today: dt.date,
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
    quotes: Sequence[Quote] | None = None,
) -> Analysis:
    """The analysis a proposal is rendered from; a project that cannot be analysed is one ReportError."""
    try:
        return analyse(project, catalog, today=today, samples=samples, seed=seed, quotes=quotes)
    except ProjectError as exc:
        raise ReportError(f"the project has errors: {exc}") from None
    except LookupError as exc:
        raise ReportError(f"the project has errors: {str(exc).strip(chr(39) + chr(34))}") from None


def write_proposal(
    analysis: Analysis,
    out: str | os.PathLike[str],
    *,
    identity: Identity | None = None,
    paper: str = "a4",
    version: str | None = None,
    location: str = "",
    catalog_rows: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    registry: Path | None = None,
    crls: Sequence[str | os.PathLike[str]] = (),
) -> ExportResult:
    """Render ``analysis`` as the proposal (PDF/A-3b carrying the project, the ``catalog_rows`` it read and
    the analysis), sign it when ``identity`` is given, write it atomically."""
    out_path = Path(out)
    check_output_path(out_path)
    revocation = load_crls(crls)
    if revocation and (identity is None or not identity.chain):
        raise ReportError("--crl needs a CA-issued identity (a PKCS#12 that carries its CA chain)")
    inputs = proposal_inputs(
        analysis,
        identity=identity,
        paper=paper,
        version=version,
        location=location,
        catalog_rows=catalog_rows,
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
    project = analysis.project
    if version is None:
        record(
            project_key(project.name, project.client),
            inputs.meta.doc_id,
            int(inputs.meta.version),
            inputs.meta.doc_id,
            registry,
        )
    rec = analysis.tco.recommendation
    return ExportResult(
        path=out_path,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=page_count(pdf),
        doc_id=inputs.meta.doc_id,
        version=inputs.meta.version,
        signed=identity is not None,
        signer=signer,
        size_bytes=len(pdf),
        recommendation=rec.option if rec is not None else "",
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
    quotes: Sequence[Quote] | None = None,
    catalog: CatalogSource = EMPTY_CATALOG,
    registry: Path | None = None,
) -> ProposalInputs:
    """Analyse ``project`` and gather what the document shows (tests and benchmarks build PDFs from it)."""
    recording = RecordingCatalog(catalog)
    analysis = analyse_for_proposal(
        project, recording, today=today or clock.today(), samples=samples, seed=seed, quotes=quotes
    )
    return proposal_inputs(
        analysis,
        identity=identity,
        paper=paper,
        version=version,
        location=location,
        catalog_rows=recording.to_json(),
        registry=registry,
    )


def proposal_inputs(
    analysis: Analysis,
    *,
    identity: Identity | None = None,
    paper: str = "a4",
    version: str | None = None,
    location: str = "",
    catalog_rows: dict[str, Any] | None = None,
    registry: Path | None = None,
    revocation: Sequence[Any] = (),
) -> ProposalInputs:
    """What the document shows, every figure taken from ``analysis`` (the view formats, it never recomputes),
    and the files that reproduce it (project, catalog rows read, analysis) with the content id they hash to."""
    result_json = json.loads(canonical(analysis.tco.to_json()))
    meta = ProposalMeta(
        doc_id="",
        date=analysis.today,
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
    project = analysis.project
    rows = catalog_rows or {}

    def bundle_for(m: ProposalMeta) -> Bundle:
        return Bundle.make(
            project.to_dict(), rows, result_json, meta_json(m), analysis.samples, analysis.seed, __version__
        )

    doc_id = bundle_for(meta).content_id()
    number = version or str(version_for(project_key(project.name, project.client), doc_id, registry))
    meta = dataclasses.replace(meta, doc_id=doc_id, version=number)
    return ProposalInputs(
        project=analysis.effective,
        result=result_json,
        meta=meta,
        workloads=[
            WorkloadRow(
                name=w.name,
                method=w.method,
                model=w.model,
                gpu=w.gpu,
                gpus=w.gpus,
                memory_gb_per_gpu=w.memory_gb_per_gpu,
                gpu_hours_per_run=w.gpu_hours_per_run,
                runs_per_month=w.runs_per_month,
            )
            for w in analysis.workloads
        ],
        hardware_fit=[
            FitRow(
                workload=r.workload,
                gpu=r.gpu,
                memory_gb=r.memory_gb,
                peak_gb_per_gpu=r.memory_gb_per_gpu,
                fits=r.fits,
                gpus_needed=r.gpus_needed,
                note=r.note,
            )
            for r in analysis.hardware_fit
        ]
        or None,
        hardware_note=analysis.hardware_note,
        catalog_figures=[
            SourcedFigure(label=f.label, value=f.value, source_url=f.source_url, as_of=f.as_of.isoformat())
            for f in analysis.catalog_figures
        ],
        quotes=None if analysis.quotes is None else quote_section_rows(analysis.quotes),
        today=analysis.today,
        analysis=analysis,
        bundle=bundle_for(meta),
    )


def quote_section_rows(comparison: QuoteComparison) -> list[QuoteRow]:
    """The quote comparison of the analysis as rows of the proposal's quote section (USD at quote-date FX)."""
    rows = []
    for f in comparison.figures:
        q = f.quote
        hw = f.hardware
        parts = [f"{hw.gpus} × {', '.join(hw.gpu_names) or 'unmapped GPUs'} in {hw.servers} servers"]
        if f.per_gpu_hour_usd is not None:
            parts.append(f"all-in {f.per_gpu_hour_usd:.2f} USD/GPU-h")
        if q.currency != "USD":
            parts.append(f"{f.total:,.0f} {q.currency} at {f.usd_per_unit:.4g} USD/{q.currency}")
        parts += [f"all-in adds {a.usd:,.0f} USD {a.item}" for a in f.adjustments]
        if f.expired:
            parts.append("EXPIRED")
        parts += [w for w in f.warnings if not w.startswith("expired")]
        if f.best_excluded_because:
            parts.append("not eligible for best")
        rows.append(
            QuoteRow(
                vendor=q.label,
                description="; ".join(parts),
                total=f.total_usd,
                currency="USD",
                per_gpu=f.per_gpu_usd,
                as_of=q.quote_date.isoformat(),
                source=q.source_file or "entered by hand",
                valid_until=q.valid_until.isoformat() if q.valid_until else "",
                fx_date=q.quote_date.isoformat() if q.currency != "USD" else "",
            )
        )
    return rows


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
