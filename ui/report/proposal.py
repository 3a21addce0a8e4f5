"""The proposal document (reportlab platypus), built from a Project and the engine's result.

The result is read through ``TcoResult.to_json()`` (the CLI's ``--json`` shape), so the document depends on
one documented shape only. Sections: cover, contents, executive summary, options compared (with
eligibility), year-by-year cash flow, cost detail and charts, sensitivity and Monte Carlo, workloads and
hardware fit, vendor quotes, assumptions with sources, staffing, next steps, disclaimers, methodology,
client acceptance and the consultant's signature page. Every page carries the document id and "page X of Y";
headings are PDF bookmarks. Text is client language only (:mod:`ui.report.words`), in the embedded Planner
Sans (:mod:`ui.report.fonts`); amounts never wrap (columns sized from their content, compact units when a
table would not fit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, TypeAlias
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
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
from reportlab.platypus.tableofcontents import TableOfContents

from planner import __version__
from planner.analysis import Analysis
from planner.catalog import is_stale
from planner.engine.explain import status_words
from planner.project import CloudOption, HybridOption, OnPremOption, Option, Project
from planner.staffing import SEED_FTE_TABLE, deployment_model_for
from ui import present
from ui.report import charts
from ui.report.fonts import BOLD, REGULAR, check_drawable, register_fonts
from ui.report.signing import SIGNATURE_BOX
from ui.report.words import (
    ARCHITECTURES_TITLE,
    ON_PREMISES_TITLE,
    STAFFING_SOURCE,
    client_words,
    input_label,
    source_link,
    term_label,
)

PAPER = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
INK = colors.HexColor("#1A1A1A")
ACCENT = colors.HexColor("#0B3C5D")
LIGHT = colors.HexColor("#E8ECF0")
ZEBRA = colors.HexColor("#F5F6F7")
RULE = colors.HexColor("#8A8A8A")
LOCALE = "en"
PRICE_VALIDITY_DAYS = 30
MIN_TEXT_SHARE = 0.22
"""The wrapping (text) column of a table keeps at least this share of the width; below it the table's
amounts switch to compact units ("$144.6M")."""


# --------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ProposalMeta:
    """Document facts: id (on every page), version, date, price validity, paper, language, and the signer
    (when the document will be signed: name, organisation, certificate fingerprint, signature level)."""

    doc_id: str
    date: dt.date
    version: str = "1"
    paper: str = "a4"
    signed: bool = False
    signer: str = ""
    signer_organisation: str = ""
    signer_email: str = ""
    certificate_sha256: str = ""
    signature_level: str = ""
    location: str = ""
    valid_until: dt.date | None = None
    language: str = "en"

    @property
    def price_validity(self) -> dt.date:
        return self.valid_until or self.date + dt.timedelta(days=PRICE_VALIDITY_DAYS)


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
    """A vendor quote line for the quote comparison section (filled by the quotes feature)."""

    vendor: str
    description: str
    total: float
    currency: str
    per_gpu: float | None = None
    as_of: str = ""
    source: str = ""
    valid_until: str = ""
    fx_date: str = ""


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
    today: dt.date | None = None
    """The day stale prices are judged against; the document's date when not given."""
    analysis: Analysis | None = None
    """The analysis every figure above was taken from (ui.report.export.proposal_inputs)."""
    bundle: Any = None
    """The files that reproduce the document (:class:`ui.report.reproduce.Bundle`), embedded on export."""

    @property
    def as_of_day(self) -> dt.date:
        return self.today or self.meta.date


def document_id(*parts: bytes) -> str:
    """The document's id: the first 64 bits of the SHA-256 of everything that makes the document (project,
    analysis, paper, date, signer...), as ``CP-XXXX-XXXX-XXXX-XXXX``. Two documents that differ in any of
    these differ in id; the same inputs give the same id."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    hexa = h.hexdigest()[:16].upper()
    return "CP-" + "-".join(hexa[i : i + 4] for i in range(0, 16, 4))


# --------------------------------------------------------------------------------------------- formatting


class Fmt:
    """Money in the project's currency (babel), percentages and plain numbers."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def money(self, v: float | None, digits: int = 0) -> str:
        return present.money(v, self.currency, digits, locale=LOCALE)

    def rate(self, v: float | None) -> str:
        return present.rate(v, self.currency, locale=LOCALE)

    def compact(self, v: float | None) -> str:
        return present.money_compact(v, self.currency, locale=LOCALE)


def pct(v: float | None, digits: int = 0) -> str:
    return present.percent(v, digits, locale=LOCALE)


def num(v: float | None, digits: int = 0) -> str:
    return present.number(v, digits, locale=LOCALE)


def value(v: float | None) -> str:
    """An input value of any size, short: 174,000 / 2.88 / 0.215."""
    if v is None or not math.isfinite(v):
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{v:.3g}"


# --------------------------------------------------------------------------------------------- styles


class Styles:
    def __init__(self) -> None:
        self.sections = 0
        base = ParagraphStyle(
            "body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=9.5, leading=13, textColor=INK
        )
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10, splitLongWords=0)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=BOLD)
        self.head_cell = ParagraphStyle("headc", parent=self.cell_bold, alignment=TA_RIGHT)
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
            keepWithNext=1,
        )
        self.title = ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=14
        )
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18)
        self.big = ParagraphStyle(
            "big", parent=base, fontName=BOLD, fontSize=14, leading=18, textColor=ACCENT, alignment=TA_CENTER
        )
        self.card_label = ParagraphStyle("cardl", parent=self.small, alignment=TA_CENTER)
        self.bullet = ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=3)
        self.formula = ParagraphStyle("formula", parent=base, leftIndent=12, fontSize=9, spaceAfter=4)
        self.toc = [
            ParagraphStyle("toc0", parent=base, fontSize=10, leading=15, leftIndent=0),
            ParagraphStyle("toc1", parent=base, fontSize=8.5, leading=12, leftIndent=14, textColor=RULE),
        ]


def p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def t(text: object) -> str:
    """Client words, escaped for reportlab's mini-markup."""
    return escape(client_words(str(text)))


class Heading(Paragraph):  # type: ignore[misc]
    """A section heading: an entry of the table of contents and a PDF bookmark."""

    def __init__(self, text: str, style: ParagraphStyle, level: int) -> None:
        super().__init__(text, style)
        self.toc_level = level


def h1(text: str, st: Styles, *, numbered: bool = True) -> Heading:
    """A numbered section heading (numbers follow the order the sections appear in)."""
    if numbered:
        st.sections += 1
        text = f"{st.sections}. {text}"
    return Heading(t(text), st.h1, 0)


def h2(text: str, st: Styles, *, toc: bool = True) -> Paragraph:
    return Heading(t(text), st.h2, 1) if toc else p(t(text), st.h2)


def bullets(items: Sequence[str], st: Styles, mark: str = "•") -> list[Flowable]:
    out: list[Flowable] = []
    for item in items:
        para = p(item, st.bullet)
        para.bulletText = mark
        out.append(para)
    return out


def _width(text: str, bold: bool = False, size: float = 8) -> float:
    return float(pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, size))


def _word_width(text: str, bold: bool = False) -> float:
    return max((_width(w, bold) for w in str(text).split()), default=0.0)


Cell: TypeAlias = str | Flowable


def table(
    rows: Sequence[Sequence[Cell]],
    width: float,
    st: Styles,
    *,
    text_cols: Sequence[int] = (0,),
    highlight: int | None = None,
    bold_rows: Sequence[int] = (),
    fixed: Mapping[int, float] | None = None,
) -> Table | None:
    """A table with a header row and zebra stripes. Columns in ``text_cols`` wrap (Paragraphs); the others
    are single-line strings sized to their widest cell, right-aligned, so an amount never breaks. ``fixed``
    gives some columns a share of ``width``. Returns None when the text columns would get less than
    :data:`MIN_TEXT_SHARE` of the width (the caller then uses compact amounts)."""
    ncol = len(rows[0])
    pad = 8.0
    widths: list[float | None] = [None] * ncol
    for c in range(ncol):
        if fixed and c in fixed:
            share = widths[c] = fixed[c] * width
            if c not in text_cols:
                body = max(
                    (_width(str(r[c])) for r in rows[1:] if not isinstance(r[c], Flowable)), default=0.0
                )
                if body + pad > share + 0.5:
                    return None
        elif c not in text_cols:
            body = max((_width(str(r[c])) for r in rows[1:] if not isinstance(r[c], Flowable)), default=0.0)
            head = rows[0][c]
            widths[c] = max(body, 0.0 if isinstance(head, Flowable) else _word_width(head, True)) + pad
    free = width - sum(w for w in widths if w is not None)
    flexible = [c for c in range(ncol) if widths[c] is None]
    if flexible:
        needs = {
            c: max(_word_width(r[c], r is rows[0]) for r in rows if not isinstance(r[c], Flowable)) + pad
            for c in flexible
        }
        if free < max(MIN_TEXT_SHARE * width, sum(needs.values())):
            return None
        total_need = sum(max(needs[c], 1.0) for c in flexible)
        for c in flexible:
            widths[c] = free * max(needs[c], 1.0) / total_need
    elif free < -0.5:
        return None
    data: list[list[Any]] = []
    for r, row in enumerate(rows):
        bold = r == 0 or (highlight is not None and r == highlight + 1) or (r - 1) in bold_rows
        line: list[Any] = []
        for c, cell in enumerate(row):
            if isinstance(cell, Flowable):
                line.append(cell)
            elif c in text_cols:
                line.append(Paragraph(t(cell), st.cell_bold if bold else st.cell))
            elif r == 0:
                line.append(Paragraph(t(cell), st.head_cell))
            else:
                line.append(str(cell))
        data.append(line)
    tbl = Table(data, colWidths=[float(w or 0) for w in widths], repeatRows=1, hAlign="LEFT")
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for c in range(ncol):
        if c not in text_cols:
            cmds.append(("ALIGN", (c, 1), (c, -1), "RIGHT"))
    for r in range(2, len(data), 2):
        cmds.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
    for r in [highlight + 1] if highlight is not None else []:
        cmds.append(("FONTNAME", (0, r), (-1, r), BOLD))
    for r in bold_rows:
        cmds.append(("FONTNAME", (0, r + 1), (-1, r + 1), BOLD))
    tbl.setStyle(TableStyle(cmds))
    return tbl


def money_table(
    build: Callable[[Callable[[float | None], str]], Sequence[Sequence[Cell]]],
    fmt: Fmt,
    width: float,
    st: Styles,
    **kwargs: Any,
) -> list[Flowable]:
    """A table of amounts in whole currency units, or in compact units ("$1.2M") when whole units would
    not leave the text columns room; then a note says so."""
    tbl = table(build(fmt.money), width, st, **kwargs)
    if tbl is not None:
        return [tbl]
    tbl = table(build(fmt.compact), width, st, **kwargs)
    if tbl is None:
        raise ValueError("a table does not fit the page even in compact units")
    return [tbl, p("Amounts in this table are rounded (K = thousand, M = million, B = billion).", st.small)]


# --------------------------------------------------------------------------------------------- page frame


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    """Headings become table-of-contents entries and PDF bookmarks; the footer knows the page count of
    the previous pass (the document is built until contents and page count settle)."""

    def __init__(self, *args: Any, pages_total: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages_total = pages_total
        self._seq = 0

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab API)
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        text = flowable.getPlainText()
        self._seq += 1
        key = f"h{self._seq}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)
        self.notify("TOCEntry", (level, text, self.page, key))


def _fit(text: str, room: float, size: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` points in the body font."""
    if pdfmetrics.stringWidth(text, REGULAR, size) <= room:
        return text
    while text and pdfmetrics.stringWidth(text + "…", REGULAR, size) > room:
        text = text[:-1]
    return text + "…"


def _page_decor(header: tuple[str, str], footer: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        w, h = doc.pagesize
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(colors.HexColor("#4D4D4D"))
        canvas.setStrokeColor(colors.HexColor("#B3B3B3"))
        canvas.setLineWidth(0.4)
        if doc.page > 1:
            room = w - 2 * MARGIN - canvas.stringWidth(header[1], REGULAR, 7.5) - 12
            canvas.drawString(MARGIN, h - 12 * mm, _fit(header[0], room, 7.5))
            canvas.drawRightString(w - MARGIN, h - 12 * mm, header[1])
            canvas.line(MARGIN, h - 13.5 * mm, w - MARGIN, h - 13.5 * mm)
        canvas.line(MARGIN, 13.5 * mm, w - MARGIN, 13.5 * mm)
        room = w - 2 * MARGIN - 70
        canvas.drawString(MARGIN, 10 * mm, _fit(footer, room, 7.5))
        total = max(doc.pages_total, doc.page)
        canvas.drawRightString(w - MARGIN, 10 * mm, f"Page {doc.page} of {total}")
        canvas.restoreState()

    return draw


def _signature_page_decor(meta: ProposalMeta, base: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        base(canvas, doc)
        x1, y1, x2, y2 = SIGNATURE_BOX
        canvas.saveState()
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(x1, y2 + 8, "Consultant's digital signature")
        if not meta.signed:
            canvas.setDash(3, 3)
            canvas.setStrokeColor(RULE)
            canvas.rect(x1, y1, x2 - x1, y2 - y1)
            canvas.setFont(REGULAR, 9)
            canvas.setFillColor(colors.HexColor("#666666"))
            canvas.drawCentredString((x1 + x2) / 2, (y1 + y2) / 2, "Unsigned copy: no digital signature")
        canvas.restoreState()

    return draw


# --------------------------------------------------------------------------------------------- builder


def check_names(inputs: ProposalInputs) -> None:
    """Every name the document prints must be drawable: an export error names the characters otherwise."""
    pr, meta = inputs.project, inputs.meta
    for what, text in (
        ("The client name", pr.client),
        ("The project name", pr.name),
        ("The consultant", pr.consultant),
        ("The organisation", pr.organisation),
        ("The signer's name", meta.signer),
        ("The signer's organisation", meta.signer_organisation),
        ("The signing location", meta.location),
    ):
        if text:
            check_drawable(what, text)
    for opt in pr.options:
        check_drawable("The option name", opt.name)
    for w in pr.workloads:
        check_drawable("The workload name", w.name)


def build_proposal(inputs: ProposalInputs) -> bytes:
    """Render the proposal PDF and return its bytes (unsigned; see signing.sign_pdf)."""
    register_fonts()
    check_names(inputs)
    total, entries = 0, None
    out = b""
    for _ in range(4):  # until the contents and the page count settle (usually 2 passes)
        out, pages, new_entries = _render(inputs, total, entries)
        if pages == total and new_entries == entries:
            break
        total, entries = pages, new_entries
    return out


def _render(inputs: ProposalInputs, total: int, entries: list[Any] | None) -> tuple[bytes, int, list[Any]]:
    st = Styles()
    meta = inputs.meta
    pagesize = PAPER[meta.paper]
    buf = io.BytesIO()
    project = inputs.project
    doc = _Doc(
        buf,
        pages_total=total,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"Proposal: {project.name}",
        author=meta.signer or project.consultant or project.organisation,
        subject=f"Compute proposal for {project.client or project.name}, document {meta.doc_id}",
        keywords=["compute proposal", "total cost of ownership", meta.doc_id],
        creator=f"Compute Planner {__version__}",
        lang=meta.language,
        initialFontName=REGULAR,
        initialFontSize=9,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    sign_frame = Frame(
        doc.leftMargin,
        SIGNATURE_BOX[3] + 30,
        doc.width,
        pagesize[1] - doc.topMargin - SIGNATURE_BOX[3] - 30,
        id="signature",
    )
    header = (project.name, f"Document {meta.doc_id} · version {meta.version}")
    footer = f"{project.client or project.name} · confidential · {meta.date.isoformat()}"
    decor = _page_decor(header, footer)
    doc.addPageTemplates(
        [
            PageTemplate(id="body", frames=[frame], onPage=decor),
            PageTemplate(id="signature", frames=[sign_frame], onPage=_signature_page_decor(meta, decor)),
        ]
    )
    toc = TableOfContents(
        levelStyles=st.toc,
        dotsMinLevel=0,
        tableStyle=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    toc._lastEntries = list(entries or [])
    doc._indexingFlowables = [toc]  # the TOC hears the headings' TOCEntry notifications
    story = _story(inputs, st, doc.width, toc)
    doc.build(story)
    return buf.getvalue(), doc.page, list(toc._entries)


def _story(inputs: ProposalInputs, st: Styles, width: float, toc: TableOfContents) -> list[Flowable]:
    fmt = Fmt(inputs.project.currency)
    view = View(inputs)
    story: list[Flowable] = []
    story += cover(inputs, view, st)
    story += [p("Contents", st.h1), toc, PageBreak()]
    story += executive_summary(inputs, view, st, fmt, width)
    story += options_section(inputs, view, st, fmt, width)
    story += cash_flow_section(inputs, view, st, fmt, width)
    story += cost_detail_section(inputs, view, st, fmt, width)
    story += risk_section(inputs, view, st, fmt, width)
    story += workloads_section(inputs, st, width)
    story += hardware_fit_section(inputs, st, width)
    if inputs.quotes is not None:
        story += quotes_section(inputs, view, st, fmt, width)
    story += regulations_section(inputs, st)
    story += assumptions_section(inputs, st, fmt, width)
    story += staffing_section(inputs, st, fmt, width)
    story += next_steps_section(inputs, view, st, fmt)
    story += disclaimers_section(inputs, st)
    story += methodology_appendix(inputs, st)
    story += signature_page(inputs, view, st, fmt, width)
    return story


# --------------------------------------------------------------------------------------------- the analysis, read once


class View:
    """What the sections read from the result, computed once: the recommended option, which options are
    eligible and why not, the next-best eligible alternative, yearly cash flows, the risk range."""

    def __init__(self, inputs: ProposalInputs) -> None:
        res, pr = inputs.result, inputs.project
        self.res = res
        self.options: list[Mapping[str, Any]] = list(res["options"])
        self.by_name = {o["name"]: o for o in self.options}
        rec = res.get("recommendation") or None
        self.rec: Mapping[str, Any] | None = rec
        self.rec_name: str | None = rec["option"] if rec else None
        self.status = self._eligibility(res)
        self.eligible = [o["name"] for o in self.options if self.status.get(o["name"], ("", True))[1]]
        ranked = sorted(self.options, key=lambda o: o["total"])
        self.ranked = ranked
        self.alternative = next(
            (o for o in ranked if o["name"] in self.eligible and o["name"] != self.rec_name), None
        )
        self.best = self.by_name.get(self.rec_name) if self.rec_name else None
        self.mc = res.get("monte_carlo")
        self.months = list(res["months"])
        self.horizon = pr.horizon_months
        self.currency = pr.currency
        self.reasons = [client_words(r) for r in (rec.get("reasons", []) if rec else [])]
        self.blocked = [
            client_words(b.get("text", "")) for b in res.get("recommendation_blocked_by", []) or []
        ]

    def _eligibility(self, res: Mapping[str, Any]) -> dict[str, tuple[str, bool]]:
        """name → (why not, eligible). From the result's ``option_status`` when the engine gives it; else
        every option counts as eligible and only the recommendation is marked. ``self.short`` holds the
        reasons in a few words each."""
        out: dict[str, tuple[str, bool]] = {}
        self.short: dict[str, str] = {}
        status = res.get("option_status") or {}
        for o in res["options"]:
            s = status.get(o["name"])
            if s is None:
                out[o["name"]] = ("", True)
                continue
            whys = s.get("why", [])
            texts = [client_words(w.get("text", "")).strip().rstrip(".") for w in whys]
            out[o["name"]] = ("; ".join(t for t in texts if t), bool(s.get("plan", True)))
            codes = list(dict.fromkeys(str(w.get("code", "")) for w in whys if w.get("code")))
            self.short[o["name"]] = "; ".join(status_words(c) for c in codes)
        return out

    def yearly(self, option: Mapping[str, Any]) -> list[float]:
        monthly = option.get("monthly") or []
        return [float(sum(monthly[i : i + 12])) for i in range(0, len(monthly), 12)]

    def years(self) -> int:
        return max(1, math.ceil(len(self.months) / 12))


# --------------------------------------------------------------------------------------------- sections


def _rec_words(view: View) -> str:
    if view.rec is None:
        return "No option of this project is a compliant plan that serves all demand."
    return f"{view.rec['option']} ({view.rec.get('label', view.rec['kind'])})"


def cover(inputs: ProposalInputs, view: View, st: Styles) -> list[Flowable]:
    pr, meta = inputs.project, inputs.meta
    consultant = meta.signer or pr.consultant
    organisation = meta.signer_organisation or pr.organisation
    rows = [
        ("Client", pr.client or "not stated"),
        ("Project", pr.name),
        ("Consultant", consultant or "not stated (unsigned copy)"),
        ("Organisation", organisation or "not stated"),
        ("Date", meta.date.isoformat()),
        ("Prices valid until", meta.price_validity.isoformat()),
        ("Document id", meta.doc_id),
        ("Version", meta.version),
        ("Currency", pr.currency),
        ("Horizon", f"{pr.horizon_months} months"),
    ]
    data = [[p(t(k), st.cell_bold), p(t(v), st.body)] for k, v in rows]
    info = Table(data, colWidths=[42 * mm, 118 * mm], hAlign="LEFT")
    info.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, LIGHT),
            ]
        )
    )
    signed = (
        f"Digitally signed by {t(meta.signer)} ({t(meta.signature_level or 'PAdES')}, SHA-256); the last page "
        "says how to check the signature."
        if meta.signed
        else "This copy is not digitally signed."
    )
    return [
        Spacer(1, 24 * mm),
        p("Compute proposal", st.subtitle),
        p(t(pr.name), st.title),
        p(f"Prepared for {t(pr.client or 'the client')}", st.subtitle),
        Spacer(1, 10 * mm),
        info,
        Spacer(1, 10 * mm),
        p(f"<b>Recommendation:</b> {t(_rec_words(view))}", st.body),
        Spacer(1, 4 * mm),
        p(signed, st.small),
        p(f"Prepared with Compute Planner {t(__version__)}.", st.small),
        PageBreak(),
    ]


def key_break_even(inputs: ProposalInputs) -> tuple[str, str, int | None, float | None] | None:
    """(owned, rented, month, utilisation) for the break-even the summary quotes: the recommended option
    against the best eligible option of the other side (owned vs rented), else None."""
    view = View(inputs)
    return _key_break_even(inputs, view)


def _owned(opt: Option) -> bool:
    return isinstance(opt, OnPremOption | HybridOption)


def _key_break_even(inputs: ProposalInputs, view: View) -> tuple[str, str, int | None, float | None] | None:
    pr = inputs.project
    if view.rec_name is None:
        return None
    rec_opt = pr.option(view.rec_name)
    other_side = [
        o["name"]
        for o in view.ranked
        if o["name"] != view.rec_name and _owned(pr.option(o["name"])) != _owned(rec_opt)
    ]
    eligible_other = [n for n in other_side if n in view.eligible] or other_side
    if not eligible_other:
        return None
    partner = eligible_other[0]
    a, b = (view.rec_name, partner) if _owned(rec_opt) else (partner, view.rec_name)
    for be in view.res["break_even"]:
        if be["a"] == a and be["b"] == b:
            return a, b, be["month"], be["utilization"]
    return a, b, None, None


def executive_summary(
    inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float
) -> list[Flowable]:
    pr = inputs.project
    out: list[Flowable] = [h1("Executive summary", st)]
    if view.rec is None or view.best is None:
        out.append(p(t(_rec_words(view)), st.body))
        out += bullets([t(b) for b in view.blocked], st)
        out.append(PageBreak())
        return out
    best = view.best
    out.append(
        p(
            f"We recommend <b>{t(view.rec['option'])}</b> — {t(view.rec.get('label', view.rec['kind']))} — "
            f"for {t(pr.client or pr.name)} over {pr.horizon_months} months: "
            f"<b>{fmt.money(best['total'])}</b> in total"
            + (f", {fmt.money(best['present_value'])} in present value" if pr.discount_rate_annual else "")
            + ".",
            st.body,
        )
    )
    out.append(h2("Why", st, toc=False))
    out += bullets([t(r) for r in view.reasons[:4]], st)
    cards = [(fmt.money(best["total"]), f"horizon total of the recommendation ({pr.horizon_months} months)")]
    alt = view.alternative
    if alt is not None:
        diff = alt["total"] - best["total"]
        share = diff / best["total"] if best["total"] else None
        rel = f" ({pct(share)} more)" if share is not None and diff >= 0 else ""
        cards.append(
            (
                fmt.money(alt["total"]),
                f"next-best eligible option: {alt['name']}, {fmt.money(abs(diff))} "
                + ("more" if diff >= 0 else "less")
                + rel,
            )
        )
    if view.mc:
        name = view.rec_name or ""
        cards.append(
            (
                f"{fmt.compact(view.mc['p10'][name])} – {fmt.compact(view.mc['p90'][name])}",
                f"risk range of the recommendation: 80 % of {view.mc['samples']:,} simulated outcomes "
                "fall in it (P10–P90)",
            )
        )
    card_w = width / len(cards)
    card_tbl = Table(
        [[p(t(v), st.big) for v, _ in cards], [p(t(s), st.card_label) for _, s in cards]],
        colWidths=[card_w] * len(cards),
    )
    card_tbl.setStyle(
        TableStyle(
            [("BOX", (i, 0), (i, -1), 0.6, ACCENT) for i in range(len(cards))]
            + [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    out += [h2("Key numbers", st, toc=False), card_tbl]
    notes = _summary_notes(inputs, view, fmt)
    if notes:
        out.append(h2("Read with the numbers", st, toc=False))
        out += bullets([t(n) for n in notes], st)
    change = _what_would_change(inputs, view, fmt)
    if change:
        out.append(h2("What would change the answer", st, toc=False))
        out += bullets([t(c) for c in change], st)
    out.append(PageBreak())
    return out


def _summary_notes(inputs: ProposalInputs, view: View, fmt: Fmt) -> list[str]:
    """Facts a reader of page 2 would otherwise find contradictory: a cheaper option that is not eligible,
    a low probability of being cheapest, a total below the median outcome, stale prices behind it."""
    notes: list[str] = []
    best = view.best
    assert best is not None and view.rec_name is not None
    cheaper = [o for o in view.ranked if o["total"] < best["total"]]
    excluded = [o for o in cheaper if o["name"] not in view.eligible]
    if excluded:
        shown = [
            f"{o['name']} ({fmt.money(o['total'])}: {view.short.get(o['name']) or 'not a plan'})"
            for o in excluded[:3]
        ]
        more = f" and {len(excluded) - 3} more" if len(excluded) > 3 else ""
        notes.append(
            f"{len(excluded)} option{'s' if len(excluded) > 1 else ''} cost less but "
            f"{'are' if len(excluded) > 1 else 'is'} not eligible: {'; '.join(shown)}{more} "
            "(reasons in Options compared)."
        )
    for o in cheaper:
        if o["name"] in view.eligible:
            notes.append(
                f"{o['name']} costs less ({fmt.money(o['total'])}); the decision rules of "
                f"{ARCHITECTURES_TITLE} set it aside (see the reasons above)."
            )
    if view.mc:
        prob = view.mc["prob_cheapest"].get(view.rec_name)
        p50 = view.mc["p50"].get(view.rec_name)
        if prob is not None and prob < 0.5:
            notes.append(
                f"In {pct(prob)} of the simulated outcomes the recommendation is the cheapest of all options "
                "priced; the others that win more often are either not eligible or set aside by the rules."
            )
        if p50 is not None and best["total"] < p50:
            notes.append(
                f"The headline total ({fmt.money(best['total'])}) is below the median simulated outcome "
                f"({fmt.money(p50)}): the input ranges lean towards higher costs."
            )
    opt = inputs.project.option(view.rec_name)
    _as_of, stale = _as_of_status(_option_as_of(opt), inputs.as_of_day)
    if stale:
        notes.append(
            "Prices behind the recommendation are STALE (older than 12 months or undated): confirm them "
            "with the vendor before relying on the totals (see Assumptions and sources)."
        )
    return notes


def _what_would_change(inputs: ProposalInputs, view: View, fmt: Fmt) -> list[str]:
    out: list[str] = []
    kb = _key_break_even(inputs, view)
    if kb is not None:
        a, b, month, util = kb
        other = b if a == view.rec_name else a
        ref = "" if other in view.eligible else f" ({other} is not eligible: this is for reference only)"
        if util is not None:
            out.append(
                f"Utilisation: owning ({a}) costs the same per used GPU-hour as renting ({b}) at "
                f"{pct(util)} average utilisation; below it renting is cheaper{ref}."
            )
        if month is not None:
            out.append(f"Break-even: the cumulative cost of {a} falls to or below {b} in month {month}.")
    bars = [b for b in view.res.get("tornado", []) if b["option"] == view.rec_name]
    alt = view.alternative
    if bars and alt is not None and view.best is not None:
        gap = alt["total"] - view.best["total"]
        top = max(bars, key=lambda b: abs(b["high_total"] - b["low_total"]))
        swing = max(top["high_total"], top["low_total"]) - view.best["total"]
        label = input_label(top["input"], view.rec_name or "")
        if gap > 0 and swing >= gap:
            out.append(
                f"The input that moves the total most is {label}: at its unfavourable value the "
                f"recommendation costs {fmt.money(swing)} more, enough to lose its "
                f"{fmt.money(gap)} lead over {alt['name']}."
            )
        else:
            out.append(
                f"The input that moves the total most is {label} ({fmt.money(abs(swing))} at its unfavourable "
                f"value); even then the recommendation keeps a lead over {alt['name']}."
            )
    return out


def options_section(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    mc = view.mc
    out: list[Flowable] = [h1("Options compared", st)]
    out.append(
        p(
            "Every option priced for this project, cheapest first. ✓ eligible: it serves all demand and "
            "meets the project's rules; × not eligible, with the reason. ★ marks the recommendation.",
            st.body,
        )
    )

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        header: list[Cell] = ["Option", "Eligible", "Horizon total", "Present value", "Per used GPU-hour"]
        if mc:
            header.append("P10 – P90")
        rows: list[list[Cell]] = [header]
        for o in view.ranked:
            why, ok = view.status.get(o["name"], ("", True))
            mark = "★ recommended" if o["name"] == view.rec_name else ("✓" if ok else "× not eligible")
            short = view.short.get(o["name"], "")
            row: list[Cell] = [
                o["name"] + (f" — {short}" if short and not ok else ""),
                mark,
                money(o["total"]),
                money(o["present_value"]),
                fmt.rate(o["per_used_gpu_hour"]),
            ]
            if mc:
                row.append(f"{fmt.compact(mc['p10'][o['name']])} – {fmt.compact(mc['p90'][o['name']])}")
            rows.append(row)
        return rows

    names = [o["name"] for o in view.ranked]
    highlight = names.index(view.rec_name) if view.rec_name in names else None
    out += money_table(build, fmt, width, st, highlight=highlight)
    excluded = [(o["name"], view.status[o["name"]][0]) for o in view.ranked if o["name"] not in view.eligible]
    if excluded:
        out.append(h2("Why options are not eligible", st, toc=False))
        for name, why in excluded:
            if why.startswith(name):
                why = why[len(name) :].lstrip(" :,")
            para = p(f"<b>{t(name)}</b>: {t(why or 'not a plan')}.", st.small)
            para.bulletText = "×"
            out.append(para)
    if view.res.get("warnings"):
        out.append(h2("Notes from the model", st, toc=False))
        out += bullets([t(w[:1].upper() + w[1:]) for w in view.res["warnings"]], st, "!")
    return out


def cash_flow_section(
    inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float
) -> list[Flowable]:
    years = view.years()
    out: list[Flowable] = [CondPageBreak(90 * mm), h1("Year-by-year cash flow", st)]
    out.append(
        p(
            f"Cash spent each year of the {view.horizon}-month horizon in {t(view.currency)} (capital in the "
            "month it is paid, resale value returned in the last month); the recommendation in bold.",
            st.body,
        )
    )

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [["Option", *[f"Year {y + 1}" for y in range(years)], "Total"]]
        for o in view.ranked:
            rows.append([o["name"], *[money(v) for v in view.yearly(o)], money(o["total"])])
        return rows

    names = [o["name"] for o in view.ranked]
    highlight = names.index(view.rec_name) if view.rec_name in names else None
    out += money_table(build, fmt, width, st, highlight=highlight)
    if view.best is not None:
        out.append(h2("Cumulative cost of the recommendation", st, toc=False))
        cum = 0.0

        def build_rec(money: Callable[[float | None], str]) -> list[list[Cell]]:
            nonlocal cum
            cum = 0.0
            assert view.best is not None
            rows: list[list[Cell]] = [["Year", "Cash that year", "Cumulative"]]
            for y, v in enumerate(view.yearly(view.best), start=1):
                cum += v
                rows.append([f"Year {y}", money(v), money(cum)])
            return rows

        out += money_table(build_rec, fmt, width * 0.6, st)
    return out


def cost_detail_section(
    inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float
) -> list[Flowable]:
    res, pr = inputs.result, inputs.project
    out: list[Flowable] = [CondPageBreak(100 * mm), h1("Cost detail", st)]
    out.append(
        p(
            f"Cash view over {pr.horizon_months} months in {t(pr.currency)}; present value at "
            f"{pct(pr.discount_rate_annual, 1)} a year; the amortised view replaces capital spend with "
            "straight-line depreciation. Idle cost: money spent on owned or committed capacity left unused.",
            st.body,
        )
    )

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [
            ["Option", "Cash total", "Amortised total", "Idle cost", "GPU-hours served"]
        ]
        for o in view.ranked:
            rows.append(
                [
                    o["name"],
                    money(o["total"]),
                    money(o["total_amortised"]),
                    money(o["idle_cost"]),
                    num(o["served_gpu_hours"]),
                ]
            )
        return rows

    out += money_table(build, fmt, width, st)
    out.append(h2("Cost by term over the horizon", st))
    out += _breakdown_tables(view.ranked, st, fmt, width)
    marks = chart_break_evens(inputs)
    caption = "; ".join(f"month {m}: {t(a)} falls to or below {t(b)}" for a, b, m in marks)
    out.append(
        KeepTogether(
            [
                h2("Cumulative cost and break-even", st),
                _cumulative_drawing(inputs, fmt, width),
                p(
                    "Break-even (circles): "
                    + (caption or "none within the horizon for the recommended option.")
                    + chart_note(_cumulative_shown(inputs), len(inputs.result["options"])),
                    st.small,
                ),
            ]
        )
    )
    shown = _chart_options(view.ranked, BAR_CHART_OPTIONS)
    parts = [(o["name"], _merge_parts(o["breakdown_totals"])) for o in shown]
    out.append(
        KeepTogether(
            [
                h2("Breakdown by cost term", st),
                charts.breakdown_chart(parts, fmt.compact, width=width),
                p(
                    "Horizon total per cost term; a hybrid's owned base and cloud burst are added up per term "
                    "(the tables above list them apart)." + chart_note(len(shown), len(view.ranked)),
                    st.small,
                ),
            ]
        )
    )
    del res
    return out


_GROUPS = {
    "compute": "Cloud compute",
    "compute_commitment": "Cloud compute",
    "compute_overflow": "Cloud compute",
    "bridge_cloud": "Cloud compute",
    "support": "Cloud compute",
    "storage": "Storage and egress",
    "egress": "Storage and egress",
    "staff": "Staff",
    "capex": "Hardware (net of resale)",
    "residual": "Hardware (net of resale)",
    "financing": "Hardware (net of resale)",
    "power": "Power and colocation",
    "colocation": "Power and colocation",
    "maintenance": "Maintenance and running costs",
    "server_opex": "Maintenance and running costs",
    "licences": "Fees and licences",
    "fixed": "Fees and licences",
}


def _merge_parts(parts: Mapping[str, float]) -> dict[str, float]:
    """Cost terms folded into at most seven groups (one shade each in the chart)."""
    merged: dict[str, float] = {}
    for key, v in parts.items():
        base = key.removeprefix("owned_").removeprefix("burst_")
        group = _GROUPS.get(base, "Other")
        merged[group] = merged.get(group, 0.0) + float(v)
    return merged


def _breakdown_tables(
    options: Sequence[Mapping[str, Any]], st: Styles, fmt: Fmt, width: float
) -> list[Flowable]:
    """Cost terms × options, four options a table: option names wrap in the header, amounts on one line."""
    out: list[Flowable] = []
    per_table = 4
    for start in range(0, len(options), per_table):
        chunk = options[start : start + per_table]
        terms: list[str] = []
        for o in chunk:
            terms += [k for k, v in o["breakdown_totals"].items() if k not in terms and abs(v) >= 0.5]
        out += _terms_table(chunk, terms, fmt, width, st)
        out.append(Spacer(1, 4 * mm))
    return out


def _terms_table(
    chunk: Sequence[Mapping[str, Any]], terms: Sequence[str], fmt: Fmt, width: float, st: Styles
) -> list[Flowable]:
    n = len(chunk)
    for money in (fmt.money, fmt.compact):
        rows: list[list[Cell]] = [["Term", *[p(t(o["name"]), st.head_cell) for o in chunk]]]
        for term in terms:
            rows.append([term_label(term)] + [money(o["breakdown_totals"].get(term, 0.0)) for o in chunk])
        rows.append(["Total"] + [money(o["total"]) for o in chunk])
        widest = max(_width(str(r[c])) for r in rows[1:] for c in range(1, n + 1)) + 8
        col = max(widest, 0.7 * width / n if n > 1 else widest)
        if width - n * col < MIN_TEXT_SHARE * width:
            continue
        fixed = {0: 1 - n * col / width, **{c: col / width for c in range(1, n + 1)}}
        tbl = table(rows, width, st, bold_rows=[len(rows) - 2], fixed=fixed)
        if tbl is None:
            continue
        if money == fmt.money:
            return [tbl]
        return [
            tbl,
            p("Amounts in this table are rounded (K = thousand, M = million, B = billion).", st.small),
        ]
    raise ValueError("a cost table does not fit the page even in compact units")


def _cumulative_options(inputs: ProposalInputs) -> list[Any]:
    """The options the cumulative chart draws: the cheapest, plus the recommended and those it marks."""
    res = inputs.result
    ranked = sorted(res["options"], key=lambda o: o["total"])
    keep: set[Any] = {n for a, b, _m in chart_break_evens(inputs) for n in (a, b)}
    keep.add((res.get("recommendation") or {}).get("option"))
    return _chart_options(ranked, LINE_CHART_OPTIONS, keep)


def _cumulative_shown(inputs: ProposalInputs) -> int:
    return len(_cumulative_options(inputs))


def _cumulative_drawing(inputs: ProposalInputs, fmt: Fmt, width: float) -> Flowable:
    res = inputs.result
    months = list(res["months"])
    series = [(o["name"], list(o["cumulative"])) for o in _cumulative_options(inputs)]
    cum = {o["name"]: o["cumulative"] for o in res["options"]}
    markers = [(f"m{m}", m, float(cum[a][m - 1])) for a, _b, m in chart_break_evens(inputs)]
    height = 240 + 10 * (len(series) // 3)
    return charts.cumulative_chart(months, series, markers, fmt.compact, width=width, height=height)


LINE_CHART_OPTIONS = 8
"""At most this many lines in the cumulative chart (one colour each); the tables list every option."""
BAR_CHART_OPTIONS = 20
"""At most this many bars in a per-option bar chart, so the chart fits one page whatever the option count."""


def _chart_options(ranked: Sequence[Any], limit: int, keep: Set[Any] = frozenset()) -> list[Any]:
    """The first ``limit`` options of ``ranked`` (cheapest first), plus those named in ``keep``."""
    return [o for i, o in enumerate(ranked) if i < limit or o["name"] in keep]


def chart_note(shown: int, total: int) -> str:
    """The caption's sentence when a chart leaves options out ("" when it shows them all)."""
    if shown >= total:
        return ""
    return f" The chart shows the {shown} cheapest of the {total} options; the table lists every option."


def chart_break_evens(inputs: ProposalInputs, limit: int = 4) -> list[tuple[str, str, int]]:
    """Break-evens worth marking: the recommended option against the others (first month A ≤ B, after
    month 1), at most ``limit``, earliest first."""
    rec = (inputs.result.get("recommendation") or {}).get("option")
    found: dict[frozenset[str], tuple[str, str, int]] = {}
    for be in inputs.result["break_even"]:
        m = be["month"]
        if m is None or m <= 1 or rec not in (be["a"], be["b"]) or be["a"] == be["b"]:
            continue
        found.setdefault(frozenset((be["a"], be["b"])), (be["a"], be["b"], m))
    return sorted(found.values(), key=lambda x: x[2])[:limit]


def risk_section(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(120 * mm), h1("Sensitivity and uncertainty", st)]
    out += _tornado(inputs, view, st, fmt, width)
    out += _monte_carlo(inputs, view, st, fmt, width)
    return out


def _tornado(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    rec = view.rec_name
    bars = [b for b in view.res.get("tornado", []) if b["option"] == rec]
    if not bars:
        return [p("No sensitivity was computed for this project.", st.body)]
    bars.sort(key=lambda b: abs(b["high_total"] - b["low_total"]), reverse=True)
    bars = bars[:10]
    labels = [(input_label(b["input"], rec or ""), b["low_total"], b["high_total"]) for b in bars]
    base = bars[0]["base_total"]

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [
            ["Input", "Low value", "High value", "Total at low", "Total at high", "Swing"]
        ]
        for b in bars:
            rows.append(
                [
                    input_label(b["input"], rec or ""),
                    value(b["low_value"]),
                    value(b["high_value"]),
                    money(b["low_total"]),
                    money(b["high_total"]),
                    money(abs(b["high_total"] - b["low_total"])),
                ]
            )
        return rows

    return [
        h2(f"Sensitivity of the recommendation: {rec}", st),
        p(
            f"Each input moved by ±{inputs.project.tornado_fraction:.0%} (or to its stated range) with all "
            f"else fixed; base total {fmt.money(base)}.",
            st.small,
        ),
        charts.tornado_chart(labels, base, fmt.compact, width=width),
        Spacer(1, 3 * mm),
        *money_table(build, fmt, width, st),
    ]


def _mc_ranges(inputs: ProposalInputs) -> tuple[list[Any], bool]:
    pr = inputs.project
    if pr.monte_carlo:
        return list(pr.monte_carlo), False
    from planner.engine import montecarlo

    return list(montecarlo.default_ranges(pr, pr.tornado_fraction)), True


def _monte_carlo(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    mc = view.mc
    if not mc:
        return [
            h2("Uncertainty (Monte Carlo)", st),
            p("No Monte Carlo simulation was run for this document.", st.body),
        ]
    names = [o["name"] for o in view.ranked]
    charted = names[:BAR_CHART_OPTIONS]
    rows_chart = [(n, mc["p10"][n], mc["p50"][n], mc["p90"][n]) for n in charted]

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [["Option", "P10", "P50", "P90", "Cheapest in"]]
        for n in names:
            rows.append(
                [
                    n,
                    money(mc["p10"][n]),
                    money(mc["p50"][n]),
                    money(mc["p90"][n]),
                    pct(mc["prob_cheapest"][n]),
                ]
            )
        return rows

    ranges, default = _mc_ranges(inputs)

    def build_ranges(_money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [["Input drawn", "Low", "Most likely", "High", "Distribution"]]
        for r in ranges:
            rows.append(
                [
                    input_label(r.path),
                    value(r.low),
                    "current" if r.mode is None else value(r.mode),
                    value(r.high),
                    r.dist,
                ]
            )
        return rows

    origin = (
        f"The project gives no ranges, so these default ranges were used: ±{inputs.project.tornado_fraction:.0%} "
        "triangular around each current value."
        if default
        else "Ranges as stated in the project."
    )
    return [
        CondPageBreak(90 * mm),
        KeepTogether(
            [
                h2("Uncertainty (Monte Carlo)", st),
                p(
                    f"{mc['samples']:,} simulated outcomes (random seed {mc['seed']}). P10/P90: 10 % of outcomes fall "
                    "below/above. “Cheapest in”: share of outcomes in which the option is the cheapest of all priced."
                    + chart_note(len(charted), len(names)),
                    st.small,
                ),
                charts.monte_carlo_chart(rows_chart, fmt.compact, mc["samples"], width=width),
            ]
        ),
        Spacer(1, 3 * mm),
        *money_table(build, fmt, width, st),
        h2("Ranges used", st, toc=False),
        p(t(origin), st.small),
        *money_table(build_ranges, fmt, width, st),
    ]


def workloads_section(inputs: ProposalInputs, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(80 * mm), h1("Workloads", st)]
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
    data: list[list[Cell]] = [
        [
            "Workload",
            "Method",
            "Model",
            "GPU",
            "GPUs",
            "Memory per GPU",
            "GPU-h per run",
            "Runs a month",
            "GPU-h a month",
        ]
    ]
    for w in rows:
        per_month = None if w.gpu_hours_per_run is None else w.gpu_hours_per_run * w.runs_per_month
        data.append(
            [
                w.name,
                _method_words(w.method),
                w.model or "—",
                w.gpu or "—",
                str(w.gpus or "—"),
                "—" if w.memory_gb_per_gpu is None else f"{w.memory_gb_per_gpu:,.1f} GB",
                num(w.gpu_hours_per_run, 1),
                num(w.runs_per_month, 1),
                num(per_month),
            ]
        )
    tbl = table(data, width, st, text_cols=(0, 1, 2, 3))
    if tbl is not None:
        out.append(tbl)
    out.append(Spacer(1, 2 * mm))
    out.append(
        p(
            "Memory per GPU comes from the memory estimate (weights, gradients, optimiser state, activations) "
            "where the workload carries an estimate; a dash means the GPU-hours were entered directly.",
            st.small,
        )
    )
    return out


_METHODS = {
    "lora": "LoRA",
    "qlora": "QLoRA",
    "full": "full fine-tune",
    "dpo": "DPO",
    "rlhf": "RLHF",
    "pretrain": "pre-training",
    "inference": "inference",
    "sft": "supervised fine-tune",
}


def _method_words(method: str) -> str:
    if not method:
        return "—"
    return _METHODS.get(method.lower(), method.replace("_", " "))


def hardware_fit_section(inputs: ProposalInputs, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(60 * mm), h2("Hardware fit", st)]
    if not inputs.hardware_fit:
        out.append(
            p(
                t(
                    inputs.hardware_note
                    or "No workload carries a memory estimate, so no GPU fit was computed."
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
        head: list[Cell] = ["GPU (memory)"] + [f"{w} — {num(peak[w], 1)} GB per GPU" for w in chunk]
        rows: list[list[Cell]] = [head]
        for gpu, mem in gpus:
            line: list[Cell] = [f"{gpu} ({mem:g} GB)"]
            for w in chunk:
                r = cell.get((w, gpu))
                if r is None or r.gpus_needed is None:
                    line.append("—")
                else:
                    line.append(f"{r.gpus_needed}" + (" ✓" if r.fits else ""))
            rows.append(line)
        share = 0.7 / len(chunk)
        tbl = table(rows, width, st, fixed={c: share for c in range(1, len(chunk) + 1)})
        if tbl is not None:
            out.append(tbl)
        out.append(Spacer(1, 3 * mm))
    return out


def quotes_section(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    """Vendor quote comparison, with validity and FX dates and how the best quote compares with the
    recommendation."""
    quotes = inputs.quotes or []
    out: list[Flowable] = [CondPageBreak(60 * mm), h1("Vendor quotes", st)]
    if not quotes:
        out.append(p("No vendor quotes were attached to this proposal.", st.body))
        return out

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [
            ["Vendor", "What is quoted", "Total", "Per GPU", "Quoted", "Valid until", "FX date"]
        ]
        for q in quotes:
            f = Fmt(q.currency)
            m = f.money if money == fmt.money else f.compact
            rows.append(
                [
                    q.vendor,
                    q.description,
                    m(q.total),
                    m(q.per_gpu),
                    q.as_of or "—",
                    q.valid_until or "not stated",
                    q.fx_date or "no conversion",
                ]
            )
        return rows

    out += money_table(build, fmt, width, st, text_cols=(0, 1))
    best = min(quotes, key=lambda q: q.total)
    rec_opt = inputs.project.option(view.rec_name) if view.rec_name else None
    if rec_opt is not None and isinstance(rec_opt, OnPremOption | HybridOption):
        owned = rec_opt.onprem if isinstance(rec_opt, HybridOption) else rec_opt
        assumed = owned.servers * owned.server_price
        out.append(
            p(
                f"Lowest quote: {t(best.vendor)} at {Fmt(best.currency).money(best.total)}; the recommendation "
                f"assumes {owned.servers} × {fmt.money(owned.server_price)} = {fmt.money(assumed)} of servers "
                f"({t(rec_opt.name)}).",
                st.body,
            )
        )
    else:
        out.append(
            p(
                f"Lowest quote: {t(best.vendor)} at {Fmt(best.currency).money(best.total)}. The recommendation "
                "rents its capacity, so the quotes price the owned alternative only.",
                st.body,
            )
        )
    return out


# --------------------------------------------------------------------------------------------- assumptions


def _option_as_of(opt: Option) -> str:
    return opt.as_of


def _as_of_status(as_of: str, today: dt.date) -> tuple[str, bool]:
    """(as-of text, stale?) — an undated figure counts as stale: it cannot be defended."""
    if not as_of:
        return "not dated", True
    try:
        day = dt.date.fromisoformat(as_of[:10]) if len(as_of) >= 10 else dt.date.fromisoformat(as_of + "-01")
    except ValueError:
        return as_of, True
    return as_of, is_stale(day, today)


_KIND_WORDS = {
    "cloud": "cloud",
    "onprem": "on-premises",
    "managed_k8s": "managed Kubernetes",
    "hybrid": "hybrid",
}


def option_figures(opt: Option, pr: Project, fmt: Fmt) -> list[tuple[str, str]]:
    """The figures an option's cost rests on, formatted, in the order a reader checks them."""
    if isinstance(opt, HybridOption):
        return (
            [("split between owned base and cloud burst", "optimised" if opt.optimise_split else "as stated")]
            + [(f"owned base: {k}", v) for k, v in option_figures(opt.onprem, pr, fmt)]
            + [(f"cloud burst: {k}", v) for k, v in option_figures(opt.burst, pr, fmt)]
        )
    if isinstance(opt, CloudOption):
        rows = [
            (
                "provider / machine type / region",
                " / ".join(x for x in (opt.provider, opt.sku, opt.region) if x) or "—",
            ),
            (
                f"price per {opt.rate_unit}-hour ({opt.pricing.replace('_', ' ')})",
                fmt.rate(opt.rate_per_hour),
            ),
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
            rows.append(("on-demand price above the commitment", fmt.rate(opt.on_demand_rate_per_hour)))
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
            f"{opt.servers} × {fmt.money(opt.server_price)}" + (f" ({opt.vendor})" if opt.vendor else ""),
        ),
        ("GPUs", f"{opt.gpus} ({opt.gpus_per_server} per server)"),
        ("capital (servers, network, storage, other)", fmt.money(opt.capex)),
        (
            "power per server / load factor / idle share",
            ("not given" if opt.power_kw_per_server is None else f"{opt.power_kw_per_server:g} kW")
            + f" / {opt.load_factor:g} / {pct(opt.idle_power_fraction)}",
        ),
        (
            "electricity / PUE",
            f"{fmt.rate(elec)}/kWh / {pue:g}"
            + (" (colocation includes power)" if opt.colo_includes_power else ""),
        ),
        ("colocation", f"{fmt.rate(opt.colo_per_kw_month)}/kW-month"),
        ("maintenance", pct(opt.maintenance_rate_annual or 0.0, 1) + " of capital a year"),
        (
            "lead time / depreciation / resale value",
            f"{opt.lead_time_months} months / {opt.depreciation_months} months / {pct(opt.residual_fraction)}",
        ),
    ]
    if opt.finance_rate_annual is not None:
        over = f" over {opt.finance_months} months" if opt.finance_months else ""
        rows.append(("financing", f"{pct(opt.finance_rate_annual, 1)} a year{over}"))
    if opt.bridge_option:
        rows.append(("bridge until live", opt.bridge_option))
    if opt.quote_ref:
        rows.append(("quote reference", opt.quote_ref))
    return rows


STALE = "<font color='#A00018'><b>STALE</b></font>"


def assumptions_section(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    pr = inputs.project
    out: list[Flowable] = [CondPageBreak(120 * mm), h1("Assumptions and sources", st)]
    out.append(
        p(
            "Every price below carries the source it was taken from and its as-of date. A figure older than "
            f"12 months, or undated, is flagged {STALE}: check it before relying on it.",
            st.body,
        )
    )
    cloud = [o for o in pr.options if not _owned(o)]
    owned = [o for o in pr.options if _owned(o)]
    for title, group in (("Cloud and managed options", cloud), ("On-premises and hybrid options", owned)):
        if not group:
            continue
        out.append(h2(title, st))
        for opt in group:
            as_of, stale = _as_of_status(opt.as_of, inputs.as_of_day)
            flag = STALE if stale else "current"
            head = p(
                f"<b>{t(opt.name)}</b> ({_KIND_WORDS.get(opt.kind, t(opt.kind))}) — as of {t(as_of)} — {flag}",
                st.cell,
            )
            rows: list[list[Cell]] = [["Figure", "Value"]] + [[k, v] for k, v in option_figures(opt, pr, fmt)]
            tbl = table(rows, width, st, text_cols=(0, 1), fixed={0: 0.45, 1: 0.55})
            block: list[Flowable] = [head, _source_para(opt.source_url, st), Spacer(1, 1.5 * mm)]
            if tbl is not None:
                block.append(tbl)
            out.append(KeepTogether(block))
            if opt.notes:
                out.append(p(t(opt.notes), st.small))
            out.append(Spacer(1, 3 * mm))
    out += _defaults_used(inputs, st, fmt, width)
    out.append(h2("Project-wide inputs", st))
    rows2: list[list[Cell]] = [
        ["Input", "Value"],
        ["electricity price (default for owned options)", f"{fmt.rate(pr.electricity_per_kwh)}/kWh"],
        ["PUE (default)", f"{pr.pue:g}"],
        ["discount rate", pct(pr.discount_rate_annual, 1) + " a year"],
        ["hours per month", f"{pr.hours_per_month:g}"],
        ["demand growth / peak factor", f"{_growth_text(pr)} / {pr.demand.peak_factor:g}"],
        [
            "regulations that apply",
            "; ".join(r.name for r in (inputs.analysis.regimes if inputs.analysis else ())) or "none stated",
        ],
    ]
    tbl2 = table(rows2, width, st, text_cols=(0, 1), fixed={0: 0.45, 1: 0.55})
    if tbl2 is not None:
        out.append(tbl2)
    out.append(p("These inputs were stated by the consultant for this project.", st.small))
    if pr.notes:
        out.append(p(t(pr.notes), st.small))
    if inputs.catalog_figures:
        out.append(h2("Catalog figures", st))
        rows3: list[list[Cell]] = [["Figure", "Value", "As of", "Status"]]
        links: list[str] = []
        for f in inputs.catalog_figures:
            as_of, stale = _as_of_status(f.as_of, inputs.as_of_day)
            status = p(STALE if stale else "current", st.cell)
            ref = ""
            if f.source_url:
                links.append(f.source_url)
                ref = f" [{len(links)}]"
            rows3.append([f.label + ref, f.value, as_of, status])
        tbl3 = table(rows3, width, st, text_cols=(0, 1))
        if tbl3 is not None:
            out.append(tbl3)
        for i, url in enumerate(links, start=1):
            out.append(_source_para(url, st, prefix=f"[{i}] "))
    return out


def _default_value(path: str, value: float | int | str, fmt: Fmt) -> str:
    key = path.rsplit(".", 1)[-1]
    if isinstance(value, str):
        return value
    if key in ("network_fraction", "maintenance_rate_annual"):
        return pct(float(value), 1) + (
            " of capital a year" if key.startswith("maint") else " of server capital"
        )
    if key == "power_kw_per_server":
        return f"{value:g} kW"
    if key == "staff_fte":
        return f"{value:g} FTE"
    if key == "fte_cost_annual":
        return fmt.money(float(value)) + " a year"
    return f"{value:g}"


def _defaults_used(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    """The terms the analysis filled in because the project left them unset, each with its source."""
    filled = [i for i in (inputs.analysis.inputs if inputs.analysis else ()) if i.source == "default"]
    filled = [i for i in filled if not i.path.endswith("finance_months")]
    if not filled:
        return []
    out: list[Flowable] = [h2("Defaults used where the project gives no figure", st)]
    out.append(
        p(
            "These figures were not stated for the project; the analysis used the sourced values below. "
            "State a figure (0 included) in the project to replace a default.",
            st.body,
        )
    )
    rows: list[list[Cell]] = [["Input", "Default used", "Source"]]
    links: list[str] = []

    def cite(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(").,;")
        if url not in links:
            links.append(url)
        return f"[{links.index(url) + 1}]" + match.group(0)[len(url) :]

    for i in filled:
        source = _URL.sub(cite, i.note).replace(" | ", ", ")
        rows.append([input_label(i.path), _default_value(i.path, i.value, fmt), source])
    tbl = table(rows, width, st, text_cols=(0, 1, 2), fixed={0: 0.3, 1: 0.2, 2: 0.5})
    if tbl is not None:
        out.append(tbl)
    for n, url in enumerate(links, start=1):
        out.append(_source_para(url, st, prefix=f"[{n}] "))
    return out


_URL = re.compile(r"https?://[^\s|]+")


def _source_para(source: str, st: Styles, prefix: str = "source: ") -> Paragraph:
    """A source URL on a line of its own (it never wraps mid-URL), as a link."""
    if not source:
        return p(prefix + "no source given", st.small)
    link = source_link(source)
    url, _, rest = link.partition(" ")
    if url.startswith(("http://", "https://")):
        shown = f'<link href="{escape(url)}">{escape(url)}</link>' + (f" {t(rest)}" if rest else "")
    else:
        shown = t(link)
    return p(prefix + shown, st.small)


def staffing_section(inputs: ProposalInputs, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    pr = inputs.project
    out: list[Flowable] = [CondPageBreak(70 * mm), h1("Staffing", st)]
    stack = ", ".join(c.replace("_", " ") for c in pr.mlops_stack) or "none"
    out.append(
        p(
            f"MLOps capabilities the organisation runs: {t(stack)}; FTE point used: {t(pr.fte_point)} of each "
            "range. Staff cost = FTE × loaded annual cost ÷ 12 a month.",
            st.body,
        )
    )
    staff_totals = {
        o["name"]: sum(v for k, v in o["breakdown_totals"].items() if k.endswith("staff"))
        for o in inputs.result["options"]
    }

    def build(money: Callable[[float | None], str]) -> list[list[Cell]]:
        rows: list[list[Cell]] = [
            ["Option", "Staffing row", "FTE", "Loaded cost per FTE-year", "Staff cost over horizon"]
        ]
        tabled = [
            i.path
            for i in (inputs.analysis.inputs if inputs.analysis else ())
            if i.source == "staffing table"
        ]
        from_table = {o.name for o in pr.options if any(x.startswith(f"options.{o.name}.") for x in tabled)}
        defaulted = {
            o.name
            for o in pr.options
            for i in (inputs.analysis.inputs if inputs.analysis else ())
            if i.source == "default"
            and i.path.startswith(f"options.{o.name}.")
            and i.path.endswith("staff_fte")
        }
        for opt in pr.options:
            managed = isinstance(opt, CloudOption) and opt.managed
            model = deployment_model_for(opt.kind, managed)
            # the effective project (planner.analysis): staff of every part, table FTEs already written in
            parts = [opt, opt.onprem, opt.burst] if isinstance(opt, HybridOption) else [opt]
            staffed = [x for x in parts if (x.staff_fte or 0.0) > 0]
            fte = sum(x.staff_fte or 0.0 for x in parts)
            costs = {x.fte_cost_annual for x in staffed} or {opt.fte_cost_annual}
            how = f"{fte:g} " + (
                "(staffing table)"
                if opt.name in from_table
                else "(default)"
                if opt.name in defaulted
                else "stated"
            )
            rows.append(
                [
                    opt.name,
                    _MODEL_WORDS.get(model, model) if opt.name in from_table else "—",
                    how,
                    money(costs.pop()) if len(costs) == 1 else "varies by part",
                    money(staff_totals.get(opt.name)),
                ]
            )
        return rows

    out += money_table(build, fmt, width, st, text_cols=(0, 1, 2))
    if pr.mlops_stack:
        out.append(h2("FTE ranges per capability (low – high)", st, toc=False))
        head: list[Cell] = ["Capability", "On-premises", "Managed Kubernetes", "Cloud-native"]
        trows: list[list[Cell]] = [head]
        tbl_src = pr.staffing_table or {}
        for comp in pr.mlops_stack:
            cells: list[Cell] = []
            for model in ("onprem", "managed_k8s", "cloud_native"):
                low, high = tbl_src.get(model, {}).get(comp) or SEED_FTE_TABLE[model][comp]
                cells.append(f"{low:g} – {high:g}")
            trows.append([comp.replace("_", " "), *cells])
        tbl = table(trows, width, st)
        if tbl is not None:
            out.append(tbl)
        src = "the project's own staffing table, else " if pr.staffing_table else ""
        out.append(
            p(
                f"Source: {src}{t(STAFFING_SOURCE)}; on-premises adds 0.25 FTE on-call per component.",
                st.small,
            )
        )
    return out


_MODEL_WORDS = {"onprem": "on-premises", "managed_k8s": "managed Kubernetes", "cloud_native": "cloud-native"}


def next_steps_section(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt) -> list[Flowable]:
    meta, pr = inputs.meta, inputs.project
    out: list[Flowable] = [CondPageBreak(70 * mm), h1("Next steps", st)]
    steps = [
        f"Review this proposal and confirm the demand figures (GPU-hours a month, growth) by "
        f"{meta.price_validity.isoformat()}, the date until which its prices are quoted.",
    ]
    if view.rec_name:
        opt = pr.option(view.rec_name)
        if _owned(opt):
            steps.append(
                "Request binding vendor quotes for the servers, networking and colocation the recommendation "
                "assumes (see Assumptions and sources), with their validity dates."
            )
            owned = opt.onprem if isinstance(opt, HybridOption) else opt
            if isinstance(owned, OnPremOption) and owned.lead_time_months:
                steps.append(
                    f"Order hardware early: the lead time assumed is {owned.lead_time_months} months before the "
                    "fleet is live."
                )
        else:
            steps.append(
                "Confirm the cloud prices, commitments and discounts with the provider before committing "
                "(reserved or savings-plan terms bind for their whole term)."
            )
    stale = [o.name for o in pr.options if _as_of_status(o.as_of, inputs.as_of_day)[1]]
    if stale:
        steps.append(f"Refresh the stale prices ({t(', '.join(stale))}) and ask for a re-issued proposal.")
    steps.append(
        "Sign the client acceptance block to proceed, or return the proposal with the changes wanted."
    )
    out += bullets([t(s) if not s.startswith("Refresh") else s for s in steps], st, "→")
    return out


def _growth_text(pr: Project) -> str:
    """Growth as the engine applies it: the direct demand's, and each workload's own."""
    direct = f"{pct(pr.demand.growth_annual)} a year"
    if not pr.workloads:
        return direct
    each = ", ".join(f"{w.name} {pct(w.growth_annual)}" for w in pr.workloads)
    if pr.demand.gpu_hours_per_month <= 0:
        return f"workloads: {each} a year"
    return f"{direct} (direct demand); workloads: {each} a year"


def regulations_section(inputs: ProposalInputs, st: Styles) -> list[Flowable]:
    """The regulations that apply to the client's data where the client is (from the analysis), each with
    what it requires of where data is processed and its official texts; the legal judgement is the client's."""
    regimes = inputs.analysis.regimes if inputs.analysis is not None else ()
    if not regimes:
        return []
    from planner.compliance import shipped_regimes

    out: list[Flowable] = [CondPageBreak(60 * mm), h1("Regulations that apply", st)]
    for regime in regimes:
        out.append(h2(t(regime.name), st, toc=False))
        out.append(p(t(regime.citation), st.body))
        texts = "; ".join(
            f"{t(src.title)} ({t(src.url)})" if src.url else t(src.title) for src in regime.sources
        )
        if texts:
            out.append(p("Official texts: " + texts, st.small))
    notice = shipped_regimes().notice
    if notice:
        out.append(p(t(notice), st.small))
    return out


def disclaimers_section(inputs: ProposalInputs, st: Styles) -> list[Flowable]:
    meta = inputs.meta
    items = [
        "Costs are estimates computed from the prices, demand and assumptions stated in this document; actual "
        "invoices depend on the vendors' terms, usage and exchange rates at the time.",
        f"Prices are valid until {meta.price_validity.isoformat()}; after that date, confirm them before use.",
        "Figures flagged STALE are older than 12 months or undated.",
        "The Monte Carlo ranges describe uncertainty in the inputs listed; they do not cover every risk "
        "(supply shortages, outages, regulatory change).",
        f"Decision rules follow {ARCHITECTURES_TITLE}; staffing estimates follow {ON_PREMISES_TITLE}, which "
        "marks them as unverified.",
        "This proposal is not an offer to sell hardware or cloud services; it is advice on which to choose.",
    ]
    return [CondPageBreak(60 * mm), h1("Disclaimers", st), *bullets([t(i) for i in items], st)]


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
            "growth; workloads add runs a month × GPU-hours a run, each with its own growth.",
            "Within a month the load is uniform on [D(2 − p), D·p], p = peak factor; owned capacity serves "
            "E[min(load, capacity)], the rest goes to the bridge or burst option.",
        ],
    ),
    (
        "Cloud and managed Kubernetes",
        [
            "Effective price = price × (1 + managed premium) × (1 − discount); per GPU or per instance as stated.",
            "Billed hours = demand × (1 + spot overhead), each job rounded up to the billing increment with the "
            "minimum charge, whole instances per job.",
            "Reserved: committed instances × 730 h × price every month, used or not; usage above at the on-demand "
            "price. Storage TB × price per TB-month; egress TB × price per TB (tiered); support = rate × spend.",
        ],
    ),
    (
        "On-premises",
        [
            "Capital = servers × price + network (itemised, or a share of server capital) + storage + other; "
            "paid in month 1 or financed as an annuity; resale value = resale share × capital back in the "
            "last month.",
            "Power kW = servers × kW per server × load factor × (idle share + (1 − idle share) × utilisation); "
            "energy = kW × PUE × hours × price per kWh; colocation = price per kW-month × provisioned kW.",
            "Maintenance = rate × capital a year; amortised view: capital × (1 − resale share) ÷ depreciation "
            "months a month in place of the capital outlay.",
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
            "Sensitivity: each uncertain input set to its low and high value, all else fixed; bars sorted by swing.",
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
]


def methodology_appendix(inputs: ProposalInputs, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [PageBreak(), h1("Appendix. Methodology and formulas", st, numbered=False)]
    for title, lines in METHODOLOGY:
        block: list[Flowable] = [p(title, st.h2)]
        for line in lines:
            para = p(line.format(hpm=inputs.project.hours_per_month), st.formula)
            para.bulletText = "–"
            block.append(para)
        out.append(KeepTogether(block))
    return out


def acceptance_block(
    inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float
) -> list[Flowable]:
    """The client's acceptance: the recommendation, its total, the document and its price validity, and
    lines for name, title, signature and date."""
    pr, meta = inputs.project, inputs.meta
    total = fmt.money(view.best["total"]) if view.best else "—"
    text = p(
        f"{t(pr.client or 'The client')} accepts the recommendation of this proposal — "
        f"<b>{t(_rec_words(view))}</b>, {total} over {pr.horizon_months} months — as the basis for "
        f"procurement, on the assumptions stated, document {t(meta.doc_id)} version {t(meta.version)}, "
        f"prices valid until {meta.price_validity.isoformat()}.",
        st.body,
    )
    grid = Table(
        [
            [p("Name", st.cell_bold), "", p("Title", st.cell_bold), ""],
            [p("Signature", st.cell_bold), "", p("Date", st.cell_bold), ""],
        ],
        colWidths=[0.14 * width, 0.36 * width, 0.14 * width, 0.36 * width],
        rowHeights=[12 * mm, 12 * mm],
    )
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, INK),
                ("LINEBELOW", (3, 0), (3, -1), 0.6, INK),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return [h2("Client acceptance", st), KeepTogether([text, Spacer(1, 2 * mm), grid])]


def signature_page(inputs: ProposalInputs, view: View, st: Styles, fmt: Fmt, width: float) -> list[Flowable]:
    """The last page: the client's acceptance, then the consultant's signature (the box at the bottom)
    with its certificate fingerprint and how to check it with common readers."""
    pr, meta = inputs.project, inputs.meta
    who = ", ".join(
        x for x in (meta.signer or pr.consultant, meta.signer_organisation or pr.organisation) if x
    )
    out: list[Flowable] = [
        NextPageTemplate("signature"),
        PageBreak(),
        h1("Acceptance and signatures", st),
        *acceptance_block(inputs, view, st, fmt, width),
        h2("Consultant's signature", st),
        p(
            f"{t(who or 'The consultant')} prepared this proposal and recommends {t(_rec_words(view))} for "
            f"{t(pr.client or pr.name)}; document {t(meta.doc_id)}, version {t(meta.version)}.",
            st.body,
        ),
        Spacer(1, 2 * mm),
    ]
    if meta.signed:
        rows = [
            ("Signature", f"{meta.signature_level or 'PAdES'}, SHA-256, covering the whole file"),
            ("Signer", meta.signer + (f" <{meta.signer_email}>" if meta.signer_email else "")),
            ("Certificate SHA-256 fingerprint", _fingerprint(meta.certificate_sha256)),
            ("Location", meta.location or "not stated"),
        ]
        data = [[p(t(k), st.cell_bold), p(t(v), st.cell)] for k, v in rows]
        info = Table(data, colWidths=[0.3 * width, 0.7 * width], hAlign="LEFT")
        info.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), REGULAR)])
        )
        out += [info, h2("How to check the signature", st, toc=False)]
        out += bullets(
            [
                "Adobe Acrobat or Acrobat Reader: open the Signature panel; the signature must read “valid” and "
                "“the document has not been modified since this signature was applied”. Compare the "
                "certificate's SHA-256 fingerprint (Certificate details) with the one printed above.",
                "poppler (Linux, macOS): <i>pdfsig FILE.pdf</i> must report “Signature is Valid.” and "
                "“Total document signed”; <i>pdfsig -nocert</i> checks integrity alone when the issuer is not "
                "in your trust store.",
                "Compute Planner: <i>planner verify FILE.pdf --trust ISSUER.pem</i>.",
                "Any change after signing — even one byte — makes these tools report the document as modified. "
                "The signing time is the signer's own clock (no timestamp authority).",
            ],
            st,
        )
    else:
        out.append(p("This copy carries no digital signature: it is a draft for review.", st.body))
    return out


def _fingerprint(hexa: str) -> str:
    h = hexa.upper()
    return " ".join(h[i : i + 4] for i in range(0, len(h), 4)) if h else "—"
