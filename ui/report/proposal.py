"""The proposal document (reportlab platypus), built from a Project and the engine's result.

The result is read through ``TcoResult.to_json()`` (the CLI's ``--json`` shape), so the document depends on
one documented shape only. Sections: cover, executive summary (recommendation, reasons, three key numbers),
workloads, hardware fit, TCO table and charts, assumptions with sources and as-of dates (stale flagged),
staffing, optional vendor quotes, methodology appendix, approval page (the signature box goes there).
Every page carries the document id and "page X of Y". Text uses the embedded DejaVu Sans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from babel.numbers import format_compact_currency, format_currency
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from planner import __version__, clock
from planner.catalog import is_stale
from planner.project import CloudOption, HybridOption, OnPremOption, Option, Project
from planner.staffing import SEED_FTE_TABLE, SEED_SOURCE, deployment_model_for, fte_for
from ui.report import charts
from ui.report.fonts import BOLD, REGULAR, register_fonts
from ui.report.signing import SIGNATURE_BOX

PAPER = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
ACCENT = colors.HexColor("#0B3C5D")
LIGHT = colors.HexColor("#EEF2F6")
STALE_RED = colors.HexColor("#B00020")
LOCALE = "en"


# --------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ProposalMeta:
    """Document facts: id (on every page), version, date, paper, and whether a signature will be added."""

    doc_id: str
    date: dt.date
    version: str = "1"
    paper: str = "a4"
    signed: bool = False
    signer: str = ""
    location: str = ""


@dataclass(frozen=True)
class WorkloadRow:
    """One line of the workloads table. ``memory_gb_per_gpu`` None when GPU-hours were entered directly."""

    name: str
    method: str
    model: str
    gpu: str
    gpus: int
    memory_gb_per_gpu: float | None
    gpu_hours_per_run: float | None
    runs_per_month: float


@dataclass(frozen=True)
class FitRow:
    """Hardware fit of one workload on one GPU: fits or not, and how many GPUs it takes."""

    workload: str
    gpu: str
    memory_gb: float
    peak_gb_per_gpu: float | None
    fits: bool
    gpus_needed: int | None
    note: str = ""


@dataclass(frozen=True)
class SourcedFigure:
    """A catalog figure quoted in the assumptions: what, value (formatted), source URL and as-of date."""

    label: str
    value: str
    source_url: str
    as_of: str


@dataclass(frozen=True)
class QuoteRow:
    """A vendor quote line for the optional quote comparison section (filled by the quotes feature)."""

    vendor: str
    description: str
    total: float
    currency: str
    per_gpu: float | None = None
    as_of: str = ""
    source: str = ""


@dataclass
class ProposalInputs:
    project: Project
    result: Mapping[str, Any]
    meta: ProposalMeta
    workloads: Sequence[WorkloadRow] = ()
    hardware_fit: Sequence[FitRow] | None = None
    hardware_note: str = ""
    catalog_figures: Sequence[SourcedFigure] = ()
    quotes: Sequence[QuoteRow] | None = None
    today: dt.date = field(default_factory=clock.today)


def document_id(project: Project, when: dt.date) -> str:
    """Stable id for a proposal: the date plus a hash of the project's content (same inputs → same id)."""
    blob = json.dumps(project.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return f"CP-{when:%Y%m%d}-{hashlib.sha256(blob).hexdigest()[:8].upper()}"


# --------------------------------------------------------------------------------------------- formatting


class Fmt:
    """Money in the project's currency (babel), percentages and plain numbers."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def money(self, v: float | None, digits: int = 0) -> str:
        if v is None:
            return "—"
        pattern = "¤#,##0" if digits == 0 else "¤#,##0." + "0" * digits
        rounded = Decimal(str(v)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        return format_currency(rounded, self.currency, format=pattern, locale=LOCALE, currency_digits=False)

    def rate(self, v: float | None) -> str:
        return self.money(v, 2 if v is None or abs(v) < 1000 else 0)

    def compact(self, v: float) -> str:
        if abs(v) < 1000:
            return self.money(v)
        return format_compact_currency(v, self.currency, locale=LOCALE, fraction_digits=1)


def pct(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v * 100:.{digits}f} %"


def num(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def value(v: float | None) -> str:
    """An input value of any size, short: 174,000 / 2.88 / 0.215."""
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{v:.3g}"


# --------------------------------------------------------------------------------------------- styles


class Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=9.5, leading=13)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=BOLD)
        self.h1 = ParagraphStyle(
            "h1", parent=base, fontName=BOLD, fontSize=16, leading=20, textColor=ACCENT, spaceAfter=8
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=12,
            leading=15,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=5,
        )
        self.title = ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=14
        )
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18)
        self.big = ParagraphStyle(
            "big", parent=base, fontName=BOLD, fontSize=15, leading=19, textColor=ACCENT, alignment=TA_CENTER
        )
        self.card_label = ParagraphStyle("cardl", parent=self.small, alignment=TA_CENTER)
        self.bullet = ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=3)
        self.formula = ParagraphStyle("formula", parent=base, leftIndent=12, fontSize=9, spaceAfter=4)


def p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def t(text: object) -> str:
    """Escape user text for reportlab's mini-markup."""
    return escape(str(text))


def table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    st: Styles,
    *,
    highlight: int | None = None,
    align_right_from: int = 1,
) -> Table:
    """A table with a header row, zebra stripes, wrapped text cells; row ``highlight`` (data index) in bold."""
    data: list[list[Any]] = []
    for r, row in enumerate(rows):
        style = st.cell_bold if r == 0 or (highlight is not None and r == highlight + 1) else st.cell
        data.append([c if isinstance(c, Flowable) else Paragraph(t(c), style) for c in row])
    tbl = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for r in range(2, len(data), 2):
        cmds.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F8F9FA")))
    tbl.setStyle(TableStyle(cmds))
    return tbl


# --------------------------------------------------------------------------------------------- page frame


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers each page until the end so the footer can say "page X of Y"."""

    def __init__(self, *args: Any, header: tuple[str, str], footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []
        self._header = header
        self._footer = footer

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        w, h = self._pagesize
        self.saveState()
        self.setFont(REGULAR, 7.5)
        self.setFillColor(colors.HexColor("#555555"))
        self.setStrokeColor(colors.HexColor("#BBBBBB"))
        self.setLineWidth(0.4)
        if self._pageNumber > 1:
            room = w - 2 * MARGIN - self.stringWidth(self._header[1], REGULAR, 7.5) - 12
            self.drawString(MARGIN, h - 12 * mm, _fit(self._header[0], room, 7.5))
            self.drawRightString(w - MARGIN, h - 12 * mm, self._header[1])
            self.line(MARGIN, h - 13.5 * mm, w - MARGIN, h - 13.5 * mm)
        self.line(MARGIN, 13.5 * mm, w - MARGIN, 13.5 * mm)
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(w - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
        self.restoreState()


def _fit(text: str, room: float, size: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` points in the body font."""
    if pdfmetrics.stringWidth(text, REGULAR, size) <= room:
        return text
    while text and pdfmetrics.stringWidth(text + "…", REGULAR, size) > room:
        text = text[:-1]
    return text + "…"


def _approval_page_decor(meta: ProposalMeta) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, _doc: Any) -> None:
        x1, y1, x2, y2 = SIGNATURE_BOX
        canvas.saveState()
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(x1, y2 + 8, "Digital signature")
        if not meta.signed:
            canvas.setDash(3, 3)
            canvas.setStrokeColor(colors.HexColor("#999999"))
            canvas.rect(x1, y1, x2 - x1, y2 - y1)
            canvas.setFont(REGULAR, 9)
            canvas.setFillColor(colors.HexColor("#777777"))
            canvas.drawCentredString((x1 + x2) / 2, (y1 + y2) / 2, "Unsigned copy: no digital signature")
        canvas.restoreState()

    return draw


# --------------------------------------------------------------------------------------------- builder


def build_proposal(inputs: ProposalInputs) -> bytes:
    """Render the proposal PDF and return its bytes (unsigned; see signing.sign_pdf)."""
    register_fonts()
    st = Styles()
    meta = inputs.meta
    pagesize = PAPER[meta.paper]
    buf = io.BytesIO()
    project = inputs.project
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"Proposal: {project.name}",
        author=", ".join(x for x in (project.consultant, project.organisation) if x) or "Compute Planner",
        subject=f"Compute Planner proposal {meta.doc_id}",
        keywords=[meta.doc_id, "Compute Planner"],
        creator=f"Compute Planner {__version__}",
        initialFontName=REGULAR,
        initialFontSize=9,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    approval_frame = Frame(
        doc.leftMargin,
        SIGNATURE_BOX[3] + 30,
        doc.width,
        pagesize[1] - doc.topMargin - SIGNATURE_BOX[3] - 30,
        id="approval",
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="body", frames=[frame]),
            PageTemplate(id="approval", frames=[approval_frame], onPage=_approval_page_decor(meta)),
        ]
    )
    width = doc.width
    story = _story(inputs, st, width)
    header = (f"Compute Planner — {project.name}", f"Document {meta.doc_id} · version {meta.version}")
    footer = f"{project.client or project.name} · confidential · {meta.date.isoformat()}"
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, header=header, footer=footer, **k))
    return buf.getvalue()


def _story(inputs: ProposalInputs, st: Styles, width: float) -> list[Flowable]:
    fmt = Fmt(inputs.project.currency)
    story: list[Flowable] = []
    story += cover(inputs, st, fmt)
    story += executive_summary(inputs, st, fmt, width)
    story += workloads_section(inputs, st, width)
    story += hardware_fit_section(inputs, st, width)
    story += tco_section(inputs, st, fmt, width)
    story += assumptions_section(inputs, st, fmt, width)
    story += staffing_section(inputs, st, fmt, width)
    if inputs.quotes is not None:
        story += quotes_section(inputs.quotes, st, fmt, width)
    story += methodology_appendix(inputs, st)
    story += approval_page(inputs, st)
    return story


# --------------------------------------------------------------------------------------------- sections


def cover(inputs: ProposalInputs, st: Styles, fmt: Fmt) -> list[Flowable]:
    pr, meta, rec = inputs.project, inputs.meta, inputs.result["recommendation"]
    rows = [
        ("Client", pr.client or "—"),
        ("Project", pr.name),
        ("Consultant", pr.consultant or "—"),
        ("Organisation", pr.organisation or "—"),
        ("Date", meta.date.isoformat()),
        ("Version", meta.version),
        ("Document id", meta.doc_id),
        ("Currency", pr.currency),
        ("Horizon", f"{pr.horizon_months} months"),
    ]
    data = [[p(t(k), st.cell_bold), p(t(v), st.body)] for k, v in rows]
    info = Table(data, colWidths=[40 * mm, 110 * mm], hAlign="LEFT")
    info.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    signed = (
        f"This proposal is digitally signed by {t(meta.signer)} (PAdES, SHA-256); see the last page."
        if meta.signed
        else "This copy is not digitally signed."
    )
    return [
        Spacer(1, 30 * mm),
        p("Compute proposal", st.subtitle),
        p(t(pr.name), st.title),
        p(f"Prepared for {t(pr.client or 'the client')}", st.subtitle),
        Spacer(1, 12 * mm),
        info,
        Spacer(1, 12 * mm),
        p(f"<b>Recommendation:</b> {t(rec['option'])} ({t(rec.get('label', rec['kind']))})", st.body),
        Spacer(1, 4 * mm),
        p(signed, st.small),
        p(f"Generated by Compute Planner {t(__version__)}.", st.small),
        PageBreak(),
    ]


def _owned(opt: Option) -> bool:
    return isinstance(opt, OnPremOption | HybridOption)


def key_break_even(inputs: ProposalInputs) -> tuple[str, str, int | None, float | None] | None:
    """(owned, rented, month, utilisation) for the break-even the summary quotes: the recommended option
    against the best of the other side when possible, else the first owned option against the cheapest
    rented one. None when the project has no owned or no rented option."""
    pr, res = inputs.project, inputs.result
    totals = {o["name"]: o["total"] for o in res["options"]}
    owned = [o.name for o in pr.options if _owned(o)]
    rented = [o.name for o in pr.options if not _owned(o)]
    if not owned or not rented:
        return None
    rec = res["recommendation"]["option"]
    if rec in owned:
        a, b = rec, min(rented, key=lambda n: totals.get(n, float("inf")))
    elif rec in rented:
        a, b = min(owned, key=lambda n: totals.get(n, float("inf"))), rec
    else:
        a = min(owned, key=lambda n: totals.get(n, float("inf")))
        b = min(rented, key=lambda n: totals.get(n, float("inf")))
    for be in res["break_even"]:
        if be["a"] == a and be["b"] == b:
            return a, b, be["month"], be["utilization"]
    return a, b, None, None


def executive_summary(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    pr, res = inputs.project, inputs.result
    rec = res["recommendation"]
    best = next(o for o in res["options"] if o["name"] == rec["option"])
    out: list[Flowable] = [p("1. Executive summary", st.h1)]
    out.append(
        p(
            f"We recommend <b>{t(rec['option'])}</b> — {t(rec.get('label', rec['kind']))} — for {t(pr.client or pr.name)} over a "
            f"{pr.horizon_months}-month horizon.",
            st.body,
        )
    )
    out.append(p("Why", st.h2))
    out += [
        p(
            t(r),
            st.bullet,
        )
        for r in rec["reasons"]
    ]
    for b in out[-len(rec["reasons"]) :]:
        b.bulletText = "•"
    out.append(p("Three key numbers", st.h2))
    kb = key_break_even(inputs)
    if kb is None:
        month_txt, month_sub = "n/a", "no owned-versus-rented pair in this project"
        util_txt, util_sub = "n/a", "no owned option to compare"
    else:
        a, b, month, util = kb
        month_txt = f"month {month}" if month is not None else f"not within {pr.horizon_months} months"
        month_sub = f"cumulative cost of {a} falls to or below {b}"
        util_txt = pct(util) if util is not None else "above 100 %"
        util_sub = f"average use of {a}'s GPUs at which its cost per used GPU-hour equals {b}'s"
    cards = [
        (fmt.money(best["total"]), f"horizon total of the recommended option ({pr.horizon_months} months)"),
        (month_txt, "break-even month: " + month_sub),
        (util_txt, "break-even utilisation: " + util_sub),
    ]
    card_w = width / 3
    card_tbl = Table(
        [[p(t(v), st.big) for v, _ in cards], [p(t(s), st.card_label) for _, s in cards]],
        colWidths=[card_w] * 3,
    )
    card_tbl.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BOX", (0, 0), (0, -1), 0.6, ACCENT),
                ("BOX", (1, 0), (1, -1), 0.6, ACCENT),
                ("BOX", (2, 0), (2, -1), 0.6, ACCENT),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    out.append(card_tbl)
    out.append(p("Horizon total per option", st.h2))
    mc = res.get("monte_carlo")
    header = ["Option", "Kind", "Horizon total", "Present value", "Per used GPU-hour"]
    if mc:
        header.append("P10 – P90")
    rows: list[list[Any]] = [header]
    names = []
    for o in sorted(res["options"], key=lambda o: o["total"]):
        names.append(o["name"])
        row = [
            o["name"],
            o["kind"],
            fmt.money(o["total"]),
            fmt.money(o["present_value"]),
            fmt.rate(o["per_used_gpu_hour"]),
        ]
        if mc:
            row.append(f"{fmt.compact(mc['p10'][o['name']])} – {fmt.compact(mc['p90'][o['name']])}")
        rows.append(row)
    widths = [0.30, 0.12, 0.16, 0.16, 0.12, 0.14] if mc else [0.34, 0.14, 0.18, 0.18, 0.16]
    out.append(table(rows, [w * width for w in widths], st, highlight=names.index(rec["option"])))
    out.append(p("The recommended option is in bold.", st.small))
    if res.get("warnings"):
        out.append(p("Warnings from the model", st.h2))
        for w in res["warnings"]:
            para = p(t(w), st.bullet)
            para.bulletText = "!"
            out.append(para)
    out.append(PageBreak())
    return out


def workloads_section(inputs: ProposalInputs, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [p("2. Workloads", st.h1)]
    rows = inputs.workloads
    if not rows:
        out.append(
            p(
                "The project states its demand directly in GPU-hours a month "
                f"({num(inputs.project.demand.gpu_hours_per_month)} GPU-hours in month 1, growing "
                f"{pct(inputs.project.demand.growth_annual)} a year); it lists no individual workloads.",
                st.body,
            )
        )
        return out
    data: list[list[Any]] = [
        [
            "Workload",
            "Method",
            "Model",
            "GPU",
            "GPUs",
            "Memory / GPU",
            "GPU-h / run",
            "Runs / month",
            "GPU-h / month",
        ]
    ]
    for w in rows:
        per_month = None if w.gpu_hours_per_run is None else w.gpu_hours_per_run * w.runs_per_month
        data.append(
            [
                w.name,
                w.method or "—",
                w.model or "—",
                w.gpu or "—",
                str(w.gpus or "—"),
                "—" if w.memory_gb_per_gpu is None else f"{w.memory_gb_per_gpu:,.1f} GB",
                num(w.gpu_hours_per_run, 1),
                num(w.runs_per_month, 1),
                num(per_month),
            ]
        )
    fr = [0.18, 0.12, 0.12, 0.09, 0.07, 0.1, 0.1, 0.09, 0.13]
    out.append(table(data, [f * width for f in fr], st))
    out.append(Spacer(1, 2 * mm))
    out.append(
        p(
            "Memory per GPU comes from the memory estimate (weights, gradients, optimiser state, activations) "
            "where the workload carries an estimate spec; a dash means the GPU-hours were entered directly.",
            st.small,
        )
    )
    return out


def hardware_fit_section(inputs: ProposalInputs, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(60 * mm), p("3. Hardware fit", st.h1)]
    if not inputs.hardware_fit:
        out.append(
            p(
                t(
                    inputs.hardware_note
                    or "No workload carries a memory estimate spec, so no GPU fit was computed."
                ),
                st.body,
            )
        )
        return out
    out.append(
        p(
            "Minimum number of GPUs of each type the workload needs under its configured strategy; ✓ = fits "
            "as configured (GPU count of the workload, with headroom); — = cannot fit.",
            st.body,
        )
    )
    workloads: list[str] = list(dict.fromkeys(r.workload for r in inputs.hardware_fit))
    gpus: list[tuple[str, float]] = list(dict.fromkeys((r.gpu, r.memory_gb) for r in inputs.hardware_fit))
    cell = {(r.workload, r.gpu): r for r in inputs.hardware_fit}
    peak = {r.workload: r.peak_gb_per_gpu for r in inputs.hardware_fit}
    per_table = 4
    for start in range(0, len(workloads), per_table):
        chunk = workloads[start : start + per_table]
        head = ["GPU (memory)"] + [f"{w} — {num(peak[w], 1)} GB/GPU" for w in chunk]
        rows: list[list[Any]] = [head]
        for gpu, mem in gpus:
            line: list[Any] = [f"{gpu} ({mem:g} GB)"]
            for w in chunk:
                r = cell.get((w, gpu))
                if r is None or r.gpus_needed is None:
                    line.append("—")
                else:
                    line.append(f"{r.gpus_needed}" + (" ✓" if r.fits else ""))
            rows.append(line)
        first = 0.3 * width
        out.append(table(rows, [first] + [(width - first) / len(chunk)] * len(chunk), st))
        out.append(Spacer(1, 3 * mm))
    return out


def tco_section(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    res, pr = inputs.result, inputs.project
    out: list[Flowable] = [PageBreak(), p("4. Total cost of ownership", st.h1)]
    out.append(
        p(
            f"Cash view over {pr.horizon_months} months in {t(pr.currency)}; present value at "
            f"{pct(pr.discount_rate_annual, 1)} a year; amortised view replaces capital spend with straight-line "
            "depreciation. Idle cost: money spent on owned or committed capacity left unused.",
            st.body,
        )
    )
    rows: list[list[Any]] = [
        [
            "Option",
            "Cash total",
            "Amortised total",
            "Present value",
            "Per used GPU-h",
            "Idle cost",
            "GPU-h served",
        ]
    ]
    for o in res["options"]:
        rows.append(
            [
                o["name"],
                fmt.money(o["total"]),
                fmt.money(o["total_amortised"]),
                fmt.money(o["present_value"]),
                fmt.rate(o["per_used_gpu_hour"]),
                fmt.money(o["idle_cost"]),
                num(o["served_gpu_hours"]),
            ]
        )
    fr = [0.25, 0.13, 0.13, 0.13, 0.11, 0.12, 0.13]
    out.append(table(rows, [f * width for f in fr], st))
    out.append(p("Cost by term over the horizon", st.h2))
    out += _breakdown_tables(res["options"], st, fmt, width)
    marks = chart_break_evens(inputs)
    caption = "; ".join(f"m{m}: {t(a)} falls to or below {t(b)}" for a, b, m in marks)
    out.append(
        KeepTogether(
            [
                p("Cumulative cost", st.h2),
                _cumulative_drawing(inputs, fmt, width),
                p(
                    "Break-even (circles): "
                    + (caption or "none within the horizon for the recommended option."),
                    st.small,
                ),
            ]
        )
    )
    parts = [(o["name"], _merge_parts(o["breakdown_totals"])) for o in res["options"]]
    out.append(
        KeepTogether(
            [
                p("Breakdown by term", st.h2),
                charts.breakdown_chart(parts, fmt.compact, width=width),
                p(
                    "Horizon total per cost term; a hybrid's owned and burst parts are added up per term "
                    "(the tables above list them apart).",
                    st.small,
                ),
            ]
        )
    )
    out += _tornado(inputs, st, fmt, width)
    out += _monte_carlo(inputs, st, fmt, width)
    return out


def _merge_parts(parts: Mapping[str, float]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for key, v in parts.items():
        base = key.removeprefix("owned_").removeprefix("burst_")
        merged[base] = merged.get(base, 0.0) + float(v)
    return merged


def _breakdown_tables(
    options: Sequence[Mapping[str, Any]], st: Styles, fmt: Fmt, width: float
) -> list[Flowable]:
    out: list[Flowable] = []
    per_table = 4
    for start in range(0, len(options), per_table):
        chunk = options[start : start + per_table]
        terms: list[str] = []
        for o in chunk:
            terms += [k for k, v in o["breakdown_totals"].items() if k not in terms and abs(v) >= 0.5]
        rows: list[list[Any]] = [["Term", *[o["name"] for o in chunk]]]
        for term in terms:
            rows.append(
                [term.replace("_", " ")] + [fmt.money(o["breakdown_totals"].get(term, 0.0)) for o in chunk]
            )
        rows.append(["Total"] + [fmt.money(o["total"]) for o in chunk])
        first = 0.24 * width
        out.append(
            table(rows, [first] + [(width - first) / len(chunk)] * len(chunk), st, highlight=len(rows) - 2)
        )
        out.append(Spacer(1, 4 * mm))
    return out


def _cumulative_drawing(inputs: ProposalInputs, fmt: Fmt, width: float) -> Flowable:
    res = inputs.result
    months = list(res["months"])
    series = [(o["name"], list(o["cumulative"])) for o in res["options"]]
    cum = {o["name"]: o["cumulative"] for o in res["options"]}
    markers = [(f"m{m}", m, float(cum[a][m - 1])) for a, _b, m in chart_break_evens(inputs)]
    height = 230 + 10 * (len(series) // 5)
    return charts.cumulative_chart(months, series, markers, fmt.compact, width=width, height=height)


def chart_break_evens(inputs: ProposalInputs, limit: int = 4) -> list[tuple[str, str, int]]:
    """Break-evens worth marking: the recommended option against the others (first month A ≤ B, after
    month 1), at most ``limit``, earliest first."""
    rec = inputs.result["recommendation"]["option"]
    found: dict[frozenset[str], tuple[str, str, int]] = {}
    for be in inputs.result["break_even"]:
        m = be["month"]
        if m is None or m <= 1 or rec not in (be["a"], be["b"]):
            continue
        found.setdefault(frozenset((be["a"], be["b"])), (be["a"], be["b"], m))
    return sorted(found.values(), key=lambda x: x[2])[:limit]


def _tornado(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    res = inputs.result
    rec = res["recommendation"]["option"]
    bars = [b for b in res.get("tornado", []) if b["option"] == rec]
    if not bars:
        return []
    bars.sort(key=lambda b: abs(b["high_total"] - b["low_total"]), reverse=True)
    bars = bars[:10]
    labels = [(_input_label(b["input"], rec), b["low_total"], b["high_total"]) for b in bars]
    base = bars[0]["base_total"]
    rows: list[list[Any]] = [["Input", "Low value", "High value", "Total at low", "Total at high", "Swing"]]
    for b in bars:
        rows.append(
            [
                _input_label(b["input"], rec),
                value(b["low_value"]),
                value(b["high_value"]),
                fmt.money(b["low_total"]),
                fmt.money(b["high_total"]),
                fmt.money(abs(b["high_total"] - b["low_total"])),
            ]
        )
    fr = [0.3, 0.12, 0.12, 0.16, 0.16, 0.14]
    return [
        CondPageBreak(60 * mm),
        p(f"Sensitivity (tornado) — {t(rec)}", st.h2),
        p(
            f"Each input moved by ±{inputs.project.tornado_fraction:.0%} (or to its stated range) with all "
            f"else fixed; base total {fmt.money(base)}.",
            st.small,
        ),
        charts.tornado_chart(labels, base, fmt.compact, width=width),
        Spacer(1, 3 * mm),
        table(rows, [f * width for f in fr], st),
    ]


def _input_label(path: str, option: str) -> str:
    prefix = f"options.{option}."
    if path.startswith(prefix):
        return path[len(prefix) :].replace("_", " ")
    return path.replace("options.*.", "all options: ").replace("_", " ")


def _monte_carlo(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    mc = inputs.result.get("monte_carlo")
    if not mc:
        return [
            p("Uncertainty (Monte Carlo)", st.h2),
            p("No Monte Carlo was run: the project gives no input ranges.", st.body),
        ]
    names = [o["name"] for o in inputs.result["options"]]
    rows_chart = [(n, mc["p10"][n], mc["p50"][n], mc["p90"][n]) for n in names]
    rows: list[list[Any]] = [["Option", "P10", "P50", "P90", "Probability cheapest"]]
    for n in names:
        rows.append(
            [
                n,
                fmt.money(mc["p10"][n]),
                fmt.money(mc["p50"][n]),
                fmt.money(mc["p90"][n]),
                pct(mc["prob_cheapest"][n]),
            ]
        )
    fr = [0.34, 0.16, 0.16, 0.16, 0.18]
    return [
        CondPageBreak(80 * mm),
        p("Uncertainty (Monte Carlo)", st.h2),
        p(
            f"{mc['samples']:,} samples (seed {mc['seed']}) drawing: {t(', '.join(mc['inputs']))}. "
            "P10/P90: 10 % of outcomes fall below/above.",
            st.small,
        ),
        charts.monte_carlo_chart(rows_chart, fmt.compact, mc["samples"], width=width),
        Spacer(1, 3 * mm),
        table(rows, [f * width for f in fr], st),
    ]


# --------------------------------------------------------------------------------------------- assumptions


def _as_of_status(as_of: str, today: dt.date) -> tuple[str, bool]:
    """(as-of text, stale?) — an undated figure counts as stale: it cannot be defended."""
    if not as_of:
        return "not dated", True
    try:
        day = dt.date.fromisoformat(as_of[:10]) if len(as_of) >= 10 else dt.date.fromisoformat(as_of + "-01")
    except ValueError:
        return as_of, True
    return as_of, is_stale(day, today)


def option_figures(opt: Option, pr: Project, fmt: Fmt) -> list[tuple[str, str]]:
    """The figures an option's cost rests on, formatted, in the order a reader checks them."""
    if isinstance(opt, HybridOption):
        return (
            [("optimise split", "yes" if opt.optimise_split else "no")]
            + [(f"owned: {k}", v) for k, v in option_figures(opt.onprem, pr, fmt)]
            + [(f"burst: {k}", v) for k, v in option_figures(opt.burst, pr, fmt)]
        )
    if isinstance(opt, CloudOption):
        rows = [
            (
                "provider / SKU / region",
                " / ".join(x for x in (opt.provider, opt.sku, opt.region) if x) or "—",
            ),
            (f"rate per {opt.rate_unit}-hour ({opt.pricing.replace('_', ' ')})", fmt.rate(opt.rate_per_hour)),
            ("GPUs per instance", str(opt.gpus_per_instance)),
        ]
        if opt.discount:
            rows.append(("discount", pct(opt.discount, 1)))
        if opt.managed_premium:
            rows.append(("managed-service premium", pct(opt.managed_premium, 1)))
        if opt.pricing == "reserved":
            rows.append(
                (
                    "committed instances",
                    "sized to peak" if opt.committed_instances is None else str(opt.committed_instances),
                )
            )
            rows.append(("on-demand rate above commitment", fmt.rate(opt.on_demand_rate_per_hour)))
        if opt.pricing == "spot":
            rows.append(("spot overhead (restarts)", pct(opt.spot_overhead, 1)))
        rows.append(
            ("billing increment / minimum", f"{opt.billing_increment_s:g} s / {opt.min_billing_s:g} s")
        )
        if opt.storage_tb:
            rows.append(
                ("storage", f"{opt.storage_tb:g} TB at {fmt.rate(opt.storage_per_tb_month)}/TB-month")
            )
        if opt.egress_tb_per_month:
            rows.append(
                ("egress", f"{opt.egress_tb_per_month:g} TB/month at {fmt.rate(opt.egress_per_tb)}/TB")
            )
        if opt.support_rate:
            rows.append(("support plan", pct(opt.support_rate, 1) + " of spend"))
        return rows
    assert isinstance(opt, OnPremOption)
    elec = opt.electricity_per_kwh if opt.electricity_per_kwh is not None else pr.electricity_per_kwh
    pue = opt.pue if opt.pue is not None else pr.pue
    rows = [
        (
            "servers × price",
            f"{opt.servers} × {fmt.money(opt.server_price)}" + (f" ({t(opt.vendor)})" if opt.vendor else ""),
        ),
        ("GPUs", f"{opt.gpus} ({opt.gpus_per_server} per server)"),
        ("capital (servers, network, storage, other)", fmt.money(opt.capex)),
        (
            "power per server / load factor / idle share",
            f"{opt.power_kw_per_server:g} kW / {opt.load_factor:g} / {pct(opt.idle_power_fraction)}",
        ),
        (
            "electricity / PUE",
            f"{fmt.rate(elec)}/kWh / {pue:g}"
            + (" (colocation includes power)" if opt.colo_includes_power else ""),
        ),
        ("colocation", f"{fmt.rate(opt.colo_per_kw_month)}/kW-month"),
        ("maintenance", pct(opt.maintenance_rate_annual, 1) + " of capital a year"),
        (
            "lead time / depreciation / residual",
            f"{opt.lead_time_months} months / {opt.depreciation_months} months / {pct(opt.residual_fraction)}",
        ),
    ]
    if opt.finance_rate_annual is not None:
        rows.append(("financing", f"{pct(opt.finance_rate_annual, 1)} over {opt.finance_months} months"))
    if opt.bridge_option:
        rows.append(("bridge until live", opt.bridge_option))
    if opt.quote_ref:
        rows.append(("quote reference", opt.quote_ref))
    return rows


def assumptions_section(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    pr = inputs.project
    out: list[Flowable] = [PageBreak(), p("5. Assumptions and sources", st.h1)]
    out.append(
        p(
            "Every price below carries the source it was taken from and its as-of date. A figure older than "
            "12 months, or undated, is flagged <font color='#B00020'><b>STALE</b></font>: check it before relying on it.",
            st.body,
        )
    )
    cloud = [o for o in pr.options if not _owned(o)]
    owned = [o for o in pr.options if _owned(o)]
    for title, group in (("Cloud and managed options", cloud), ("On-premises and hybrid options", owned)):
        if not group:
            continue
        out.append(p(title, st.h2))
        for opt in group:
            as_of, stale = _as_of_status(opt.as_of, inputs.today)
            flag = "<font color='#B00020'><b>STALE</b></font>" if stale else "current"
            src = t(opt.source_url) if opt.source_url else "<font color='#B00020'>no source given</font>"
            head = p(
                f"<b>{t(opt.name)}</b> ({t(opt.kind)}) — source: {src}; as of {t(as_of)} — {flag}", st.cell
            )
            rows = [["Figure", "Value"]] + [[k, v] for k, v in option_figures(opt, pr, fmt)]
            out.append(
                KeepTogether([head, Spacer(1, 1.5 * mm), table(rows, [0.45 * width, 0.55 * width], st)])
            )
            if opt.notes:
                out.append(p(t(opt.notes), st.small))
            out.append(Spacer(1, 3 * mm))
    out.append(p("Project-wide inputs", st.h2))
    rows2 = [
        ["Input", "Value"],
        ["electricity price (default for owned options)", f"{fmt.rate(pr.electricity_per_kwh)}/kWh"],
        ["PUE (default)", f"{pr.pue:g}"],
        ["discount rate", pct(pr.discount_rate_annual, 1) + " a year"],
        ["hours per month", f"{pr.hours_per_month:g}"],
        ["demand growth / peak factor", f"{pct(pr.demand.growth_annual)} a year / {pr.demand.peak_factor:g}"],
        ["compliance regimes", ", ".join(sorted(pr.compliance)) or "none"],
    ]
    out.append(table(rows2, [0.45 * width, 0.55 * width], st))
    out.append(p("These inputs were stated by the consultant for this project.", st.small))
    if inputs.catalog_figures:
        out.append(p("Catalog figures", st.h2))
        rows3: list[list[Any]] = [["Figure", "Value", "Source", "As of", "Status"]]
        for f in inputs.catalog_figures:
            as_of, stale = _as_of_status(f.as_of, inputs.today)
            status = p("<font color='#B00020'><b>STALE</b></font>" if stale else "current", st.cell)
            rows3.append([f.label, f.value, f.source_url or "no source", as_of, status])
        fr = [0.25, 0.15, 0.38, 0.11, 0.11]
        out.append(table(rows3, [x * width for x in fr], st))
    return out


def staffing_section(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    pr = inputs.project
    out: list[Flowable] = [CondPageBreak(70 * mm), p("6. Staffing", st.h1)]
    stack = ", ".join(c.replace("_", " ") for c in pr.mlops_stack) or "none"
    out.append(
        p(
            f"MLOps capabilities the organisation runs: {t(stack)}; FTE point used: {t(pr.fte_point)} of each range. "
            f"Staff cost = FTE × loaded annual cost ÷ 12 a month.",
            st.body,
        )
    )
    rows: list[list[Any]] = [
        ["Option", "Staffing row", "FTE", "Loaded cost / FTE-year", "Staff cost over horizon"]
    ]
    staff_totals = {o["name"]: o["breakdown_totals"].get("staff", 0.0) for o in inputs.result["options"]}
    for opt in pr.options:
        kind = opt.kind
        managed = isinstance(opt, CloudOption) and opt.managed
        model = deployment_model_for(kind, managed)
        fte = opt.staff_fte
        how = f"{opt.staff_fte:g} stated"
        if opt.staff_from_table:
            table_fte = fte_for(model, pr.mlops_stack, pr.fte_point, pr.staffing_table)
            fte += table_fte
            how = f"{fte:g} ({opt.staff_fte:g} stated + {table_fte:g} from the table)"
        rows.append(
            [
                opt.name,
                model.replace("_", " ") if opt.staff_from_table else "—",
                how,
                fmt.money(opt.fte_cost_annual),
                fmt.money(staff_totals.get(opt.name)),
            ]
        )
    fr = [0.26, 0.14, 0.26, 0.16, 0.18]
    out.append(table(rows, [f * width for f in fr], st))
    if pr.mlops_stack:
        out.append(p("FTE ranges per capability (low – high)", st.h2))
        head = ["Capability", "On-premises", "Managed Kubernetes", "Cloud-native"]
        trows: list[list[Any]] = [head]
        tbl_src = pr.staffing_table or {}
        for comp in pr.mlops_stack:
            cells = []
            for model in ("onprem", "managed_k8s", "cloud_native"):
                low, high = tbl_src.get(model, {}).get(comp) or SEED_FTE_TABLE[model][comp]
                cells.append(f"{low:g} – {high:g}")
            trows.append([comp.replace("_", " "), *cells])
        out.append(table(trows, [0.31 * width] + [0.23 * width] * 3, st))
        src = "project's own staffing table, else " if pr.staffing_table else ""
        out.append(
            p(
                f"Source: {src}{t(SEED_SOURCE)}; on-premises adds 0.25 FTE on-call per component. The source "
                "marks these ranges as unverified estimates.",
                st.small,
            )
        )
    return out


def quotes_section(quotes: Sequence[QuoteRow], st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    """Vendor quote comparison (the hook the quotes feature fills)."""
    out: list[Flowable] = [CondPageBreak(60 * mm), p("7. Vendor quotes", st.h1)]
    if not quotes:
        out.append(p("No vendor quotes were attached to this proposal.", st.body))
        return out
    rows: list[list[Any]] = [["Vendor", "Description", "Total", "Per GPU", "As of", "Source"]]
    for q in quotes:
        f = Fmt(q.currency)
        rows.append(
            [q.vendor, q.description, f.money(q.total), f.money(q.per_gpu), q.as_of or "—", q.source or "—"]
        )
    fr = [0.15, 0.3, 0.13, 0.12, 0.1, 0.2]
    out.append(table(rows, [x * width for x in fr], st))
    return out


METHODOLOGY = [
    (
        "Months and money",
        [
            "Months m = 1 … H; a month has {hpm:g} hours (8,760 h a year ÷ 12). Cash flows fall at the end of "
            "each month. Money is in the project currency.",
            "Present value PV = Σ<sub>m</sub> C<sub>m</sub> ÷ (1 + r)<super>m/12</super>, r = annual discount rate.",
        ],
    ),
    (
        "Demand",
        [
            "D<sub>m</sub> = D<sub>1</sub> × (1 + g)<super>(m−1)/12</super> × profile<sub>m</sub>, g = annual "
            "growth; workloads add runs/month × GPU-hours/run, each with its own growth.",
            "Within a month the load is uniform on [D(2 − p), D·p], p = peak factor; owned capacity serves "
            "E[min(load, capacity)], the rest goes to the bridge or burst option.",
        ],
    ),
    (
        "Cloud and managed Kubernetes",
        [
            "Effective rate = rate × (1 + managed premium) × (1 − discount); per-GPU or per-instance as stated.",
            "Billed hours = demand × (1 + spot overhead), each job rounded up to the billing increment with the "
            "minimum charge, whole instances per job.",
            "Reserved: committed instances × 730 h × rate every month, used or not; usage above at the on-demand "
            "rate. Storage TB × price/TB-month; egress TB × price/TB (tiered); support = rate × spend.",
        ],
    ),
    (
        "On-premises",
        [
            "Capital = servers × price + network (itemised, or fraction × server capital) + storage + other; "
            "paid in month 1 or financed as an annuity; residual value = residual fraction × capital back in the "
            "last month.",
            "Power kW = servers × kW/server × load factor × (idle share + (1 − idle share) × utilisation); "
            "energy = kW × PUE × hours × price/kWh; colocation = price/kW-month × provisioned kW.",
            "Maintenance = rate × capital a year; amortised view: capital × (1 − residual) ÷ depreciation months "
            "a month in place of the capital outlay.",
        ],
    ),
    (
        "Hybrid",
        [
            "Owned base plus cloud burst: the number of owned servers (0 … stated, at least enough for "
            "regulated or pinned demand) that minimises the horizon total is chosen, unless fixed.",
        ],
    ),
    (
        "Comparisons",
        [
            "Per used GPU-hour = horizon total ÷ GPU-hours actually served.",
            "Break-even month: first month m with cumulative cost of A ≤ cumulative cost of B.",
            "Break-even utilisation: the flat utilisation u at which the owned option's cost per used GPU-hour "
            "equals the rented option's.",
            "Tornado: each uncertain input set to its low and high value, all else fixed; bars sorted by swing.",
            "Monte Carlo: inputs drawn from triangular or uniform ranges; P10/P50/P90 of each option's horizon "
            "total and the share of draws in which each option is cheapest.",
        ],
    ),
    (
        "Staffing",
        [
            "FTE = stated FTE + Σ capability FTE from the deployment model's row (low, mid or high point) "
            "+ 0.25 on-call FTE per on-premises component; cost = FTE × loaded cost ÷ 12 a month.",
        ],
    ),
    (
        "Signature",
        [
            "PAdES baseline B-B, SHA-256, signer certificate embedded. No timestamp authority is reachable "
            "offline, so the signing time is the signer's own claim. Verify with "
            "<i>planner verify FILE.pdf --trust CERT.pem</i>: intact only when the signature covers the entire "
            "file.",
        ],
    ),
]


def methodology_appendix(inputs: ProposalInputs, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [PageBreak(), p("Appendix A. Methodology and formulas", st.h1)]
    for title, lines in METHODOLOGY:
        block: list[Flowable] = [p(title, st.h2)]
        for line in lines:
            para = p(line.format(hpm=inputs.project.hours_per_month), st.formula)
            para.bulletText = "–"
            block.append(para)
        out.append(KeepTogether(block))
    return out


def approval_page(inputs: ProposalInputs, st: Styles) -> list[Flowable]:
    pr, meta, rec = inputs.project, inputs.meta, inputs.result["recommendation"]
    who = ", ".join(x for x in (meta.signer or pr.consultant, pr.organisation) if x) or "the consultant"
    return [
        NextPageTemplate("approval"),
        PageBreak(),
        p("Approval", st.h1),
        p(
            f"By signing, {t(who)} approves the recommendation of this proposal: <b>{t(rec['option'])}</b> "
            f"({t(rec.get('label', rec['kind']))}) for {t(pr.client or pr.name)}, document {t(meta.doc_id)}, version {t(meta.version)}.",
            st.body,
        ),
        Spacer(1, 4 * mm),
        p(
            "The signature covers the whole file as signed. Any later change — even one byte — makes "
            "<i>planner verify</i> report the document as modified. The signing time shown is the signer's own "
            "claim (no timestamp authority offline).",
            st.body,
        ),
        Spacer(1, 4 * mm),
        p(f"Location: {t(meta.location or pr.region or 'not stated')}", st.body),
    ]
