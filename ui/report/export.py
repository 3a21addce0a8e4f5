"""Export a proposal end to end: analyse the project once (:func:`planner.analysis.analyse`), render the PDF
from that analysis only, sign it, write it atomically. Used by ``planner export`` and the Reports page; runs
headless (no Qt) and reads no storage: the catalog comes in as a ``CatalogSource``.

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

from planner import clock
from planner.analysis import MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED, Analysis, QuoteComparison, analyse
from planner.analysis.catalog import EMPTY_CATALOG, CatalogSource
from planner.project import Project, ProjectError, load_project
from planner.quotes import Quote
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
    document_id,
)
from ui.report.signing import page_count, sign_pdf, signature_level


@dataclass(frozen=True)
class ExportResult:
    """What was written: path, SHA-256 of the file, pages, document id, and the signer (empty if unsigned)."""

    path: Path
    sha256: str
    pages: int
    doc_id: str
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
    version: str = "1",
    location: str = "",
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
    today: dt.date | None = None,
    quotes: Sequence[Quote] | None = None,
    catalog: CatalogSource = EMPTY_CATALOG,
) -> ExportResult:
    """Analyse ``project`` (:func:`planner.analysis.analyse`), build the proposal from that analysis, sign it
    with ``identity`` if given, and write it to ``out``. ``catalog`` is the catalog the analysis reads
    (``db.analysis_catalog.DbCatalog`` for the user's database); ``quotes`` are stored vendor quotes."""
    out_path = Path(out)
    check_output_path(out_path)
    if paper not in ("a4", "letter"):
        raise ReportError(f"paper must be a4 or letter (got {paper!r})")
    analysis = analyse_for_proposal(
        project, catalog, today=today or clock.today(), samples=samples, seed=seed, quotes=quotes
    )
    return write_proposal(
        analysis, out_path, identity=identity, paper=paper, version=version, location=location
    )


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
    version: str = "1",
    location: str = "",
) -> ExportResult:
    """Render ``analysis`` as the proposal PDF, sign it when ``identity`` is given, write it atomically."""
    out_path = Path(out)
    check_output_path(out_path)
    inputs = proposal_inputs(analysis, identity=identity, paper=paper, version=version, location=location)
    if inputs.result["recommendation"] is None:
        blocked = " ".join(r["text"] for r in inputs.result.get("recommendation_blocked_by", []))
        raise ReportError(f"no proposal: the project has no plan to recommend. {blocked}".strip())
    pdf = build_proposal(inputs)
    signer = ""
    if identity is not None:
        signed = sign_pdf(pdf, identity, location=inputs.meta.location)
        pdf, signer = signed.data, signed.signer
    write_atomic(out_path, pdf)
    rec = analysis.tco.recommendation
    return ExportResult(
        path=out_path,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=page_count(pdf),
        doc_id=inputs.meta.doc_id,
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
    version: str = "1",
    location: str = "",
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
    today: dt.date | None = None,
    quotes: Sequence[Quote] | None = None,
    catalog: CatalogSource = EMPTY_CATALOG,
) -> ProposalInputs:
    """Analyse ``project`` and gather what the document shows (tests and benchmarks build PDFs from it)."""
    analysis = analyse_for_proposal(
        project, catalog, today=today or clock.today(), samples=samples, seed=seed, quotes=quotes
    )
    return proposal_inputs(analysis, identity=identity, paper=paper, version=version, location=location)


def proposal_inputs(
    analysis: Analysis,
    *,
    identity: Identity | None = None,
    paper: str = "a4",
    version: str = "1",
    location: str = "",
) -> ProposalInputs:
    """What the document shows, every figure taken from ``analysis`` (the view formats, it never recomputes)."""
    result_json = analysis.tco.to_json()
    meta = ProposalMeta(
        doc_id="",
        date=analysis.today,
        version=version,
        paper=paper,
        signed=identity is not None,
        signer=identity.name if identity is not None else "",
        signer_organisation=identity.organisation if identity is not None else "",
        signer_email=identity.email if identity is not None else "",
        certificate_sha256=identity.fingerprint_sha256 if identity is not None else "",
        signature_level=signature_level(identity) if identity is not None else "",
        location=location,
    )
    meta = dataclasses.replace(
        meta,
        doc_id=document_id(
            project_bytes(analysis.project), canonical(result_json), canonical(meta_json(meta))
        ),
    )
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
            )
        )
    return rows


def canonical(data: Any) -> bytes:
    """JSON bytes that are the same for the same content (sorted keys, UTF-8, no spaces)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def project_bytes(project: Project) -> bytes:
    return canonical(project.to_dict())


def meta_json(meta: ProposalMeta) -> dict[str, Any]:
    """The document facts that the id covers (everything but the id itself)."""
    out = {k: v for k, v in dataclasses.asdict(meta).items() if k != "doc_id"}
    out["date"] = meta.date.isoformat()
    out["valid_until"] = meta.price_validity.isoformat()
    return out
