"""Vendor quotes for GPU servers: domain values, normalisation and side-by-side comparison.

Pure maths on frozen values (no SQL, no Qt). Amounts on a :class:`QuoteLine` are in the quote's own
currency; :class:`QuoteFigures` are in USD after conversion at the quote date's FX rate, which is kept
with the figures so a reader can check it. Conventions:

- ``total`` = sum of ``quantity × unit_price`` over the lines; a discount line always subtracts.
- GPUs = Σ (GPU-server lines × the mapped platform's GPU count) + Σ (loose GPU lines' quantity).
- GPU memory GB = Σ GPUs × the GPU's memory (decimal GB, as marketed); dense BF16 PFLOPS = Σ GPUs ×
  dense BF16 TFLOPS / 1000 (sparse figures are never used).
- IT power kW = Σ servers × the platform's rated maximum draw (kW) + Σ loose GPUs × TDP (W) / 1000.
  When a platform has no rated draw its GPUs' TDP is used and a warning says it is a lower bound.
- The all-in cost per GPU-hour is the TCO engine's on-premises figure
  (:func:`planner.engine.tco.onprem_cost_per_gpu_hour`) for the option the quote describes, with the
  site terms (PUE, $/kWh, staff, maintenance rate, horizon, utilisation) taken from the project.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from planner import HOURS_PER_MONTH
from planner.catalog import FxRate, Gpu, ServerPlatform
from planner.engine.tco import onprem_cost_per_gpu_hour
from planner.project import CloudOption, HybridOption, OnPremOption, Project

LineKind = Literal[
    "gpu_server",
    "gpu",
    "nic",
    "switch",
    "optics_cables",
    "storage",
    "support",
    "installation",
    "shipping",
    "discount",
    "other",
]
LINE_KINDS: tuple[LineKind, ...] = get_args(LineKind)
KIND_LABELS: dict[LineKind, str] = {
    "gpu_server": "GPU server",
    "gpu": "GPU",
    "nic": "NIC",
    "switch": "Switch",
    "optics_cables": "Optics / cables",
    "storage": "Storage",
    "support": "Support / warranty",
    "installation": "Installation",
    "shipping": "Shipping",
    "discount": "Discount",
    "other": "Other",
}
NETWORK_KINDS: frozenset[LineKind] = frozenset({"nic", "switch", "optics_cables"})


@dataclass(frozen=True)
class QuoteLine:
    """One line of a vendor quote. ``unit_price`` is in the quote's currency.

    ``server_model`` / ``gpu_name`` name the catalog platform or GPU (natural keys) the line is matched to,
    if any; ``match_confirmed`` is False while that match is only the importer's suggestion.
    ``support_years`` is the support or warranty term the line includes (years), if stated.
    ``parent`` is the position (from 1) of the line this one is a component of (a bundle's "included in 1"
    or 1.1 line): a component describes its parent and never adds servers or GPUs. ``note`` says how the
    importer read the line ("Included": priced 0, ...). ``match_score`` is the catalog match's confidence
    (0..1) while it is a suggestion.
    """

    description: str
    quantity: float
    unit_price: float
    kind: LineKind = "other"
    part_number: str = ""
    support_years: float | None = None
    server_model: str | None = None
    gpu_name: str | None = None
    match_confirmed: bool = True
    parent: int | None = None
    note: str = ""
    match_score: float | None = None

    @property
    def amount(self) -> float:
        """Line amount in the quote currency; negative for a discount whatever sign it was typed with."""
        value = self.quantity * self.unit_price
        return -abs(value) if self.kind == "discount" else value


@dataclass(frozen=True)
class TaxLine:
    """A tax line of a quote (sales tax, VAT, MwSt, TVA, IVA), in the quote's currency: kept out of capex.
    ``rate`` is the percentage the line states (19.0 for "19 % MwSt."), if any."""

    description: str
    amount: float
    rate: float | None = None


@dataclass(frozen=True)
class Quote:
    """A vendor's quote. ``fx`` converts 1 unit of ``currency`` to USD (None when currency is USD).

    ``taxes`` are shown apart and never enter the total or capex. ``flags`` are problems found on import
    (lines not adding up to the vendor's own Subtotal, GPUs that do not reconcile): a flagged quote is
    never "best". ``customer`` is whom the quote is addressed to, as the title block says.
    """

    vendor: str
    currency: str
    quote_date: dt.date
    lines: tuple[QuoteLine, ...]
    valid_until: dt.date | None = None
    quote_number: str = ""
    incoterms: str = ""
    payment_terms: str = ""
    lead_time_weeks: float | None = None
    notes: str = ""
    source_file: str = ""
    id: int | None = None
    fx: FxRate | None = None
    customer: str = ""
    taxes: tuple[TaxLine, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def tax_total(self) -> float:
        """Sum of the tax lines (quote currency); not part of :func:`quote_total`."""
        return math.fsum(t.amount for t in self.taxes)

    @property
    def label(self) -> str:
        """Short display name: vendor and quote number (or id)."""
        ref = self.quote_number or (f"#{self.id}" if self.id is not None else "")
        return f"{self.vendor} {ref}".strip()


def quote_total(quote: Quote) -> float:
    """Total of the quote in its own currency (discounts subtracted)."""
    return math.fsum(line.amount for line in quote.lines)


def usd_per_unit(quote: Quote) -> float:
    """USD for one unit of the quote's currency (1.0 for USD).

    Raises ValueError when a non-USD quote carries no FX rate, or the rate is not USD-denominated.
    """
    if quote.currency.upper() == "USD":
        return 1.0
    fx = quote.fx
    if fx is None:
        raise ValueError(f"quote {quote.label!r} is in {quote.currency} and has no FX rate to USD")
    if fx.base.upper() == quote.currency.upper() and fx.quote.upper() == "USD":
        return fx.rate
    if fx.base.upper() == "USD" and fx.quote.upper() == quote.currency.upper():
        return 1.0 / fx.rate
    raise ValueError(f"FX rate {fx.base}/{fx.quote} does not convert {quote.currency} to USD")


def is_expired(quote: Quote, today: dt.date) -> bool:
    """True when the quote's validity ended before ``today``."""
    return quote.valid_until is not None and quote.valid_until < today


@dataclass(frozen=True)
class QuoteHardware:
    """What a quote buys, from its lines mapped to the catalog.

    ``it_power_kw`` is the rated IT draw (kW) of everything quoted; ``gpu_names`` the distinct GPUs.
    """

    servers: int
    gpus: int
    gpu_memory_gb: float
    bf16_dense_pflops: float
    it_power_kw: float
    gpu_names: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def gpus_per_server(self) -> int:
        """GPUs per server (all GPUs in one unit when only loose GPUs were quoted)."""
        return self.gpus // self.servers if self.servers else self.gpus


def quote_hardware(
    quote: Quote, servers: Mapping[str, ServerPlatform], gpus: Mapping[str, Gpu]
) -> QuoteHardware:
    """Count servers, GPUs, GPU memory (GB), dense BF16 PFLOPS and IT power (kW) of a quote.

    ``servers`` maps platform model → platform, ``gpus`` GPU name → GPU. Unmapped or unknown lines
    add nothing and are named in ``notes``; bundle components (``parent`` set) describe their parent
    and add nothing either.
    """
    n_servers = 0
    n_gpus = 0
    memory = 0.0
    pflops = 0.0
    power_kw = 0.0
    names: list[str] = []
    notes: list[str] = []
    for line in quote.lines:
        if line.parent is not None:
            continue
        if line.kind == "gpu_server":
            platform = servers.get(line.server_model or "")
            gpu = gpus.get(platform.gpu_name) if platform else None
            if platform is None or gpu is None:
                notes.append(f"GPU server line {line.description!r} is not mapped to a catalog platform")
                continue
            count = int(round(line.quantity))
            n_servers += count
            n_gpus += count * platform.gpu_count
            memory += count * platform.gpu_count * gpu.memory_gb
            pflops += count * platform.gpu_count * gpu.bf16_dense_tflops / 1000.0
            if platform.max_power_kw > 0:
                power_kw += count * platform.max_power_kw
            else:
                power_kw += count * platform.gpu_count * (gpu.tdp_w or 0.0) / 1000.0
                notes.append(f"{platform.model} has no rated draw: GPU TDP only (a lower bound)")
            names.append(gpu.name)
        elif line.kind == "gpu":
            gpu = gpus.get(line.gpu_name or "")
            if gpu is None:
                notes.append(f"GPU line {line.description!r} is not mapped to a catalog GPU")
                continue
            count = int(round(line.quantity))
            n_gpus += count
            memory += count * gpu.memory_gb
            pflops += count * gpu.bf16_dense_tflops / 1000.0
            if gpu.tdp_w is None:
                notes.append(f"{gpu.name} has no published power figure: its draw is not counted")
            power_kw += count * (gpu.tdp_w or 0.0) / 1000.0
            names.append(gpu.name)
    return QuoteHardware(
        servers=n_servers,
        gpus=n_gpus,
        gpu_memory_gb=memory,
        bf16_dense_pflops=pflops,
        it_power_kw=power_kw,
        gpu_names=tuple(dict.fromkeys(names)),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class CapexSplit:
    """A quote's USD capex split the way the on-prem model takes it.

    ``hardware`` = GPU servers and loose GPUs; ``network`` = NICs, switches, optics and cables;
    ``other`` = storage, support, installation, shipping and anything else. Discounts are spread
    over the three in proportion to their amounts, so each stays ≥ 0 and the sum is the quote total.
    """

    hardware: float
    network: float
    other: float

    @property
    def total(self) -> float:
        return self.hardware + self.network + self.other


def capex_split_usd(quote: Quote) -> CapexSplit:
    """Split the quote total (USD) into hardware / network / other, discounts spread pro rata."""
    rate = usd_per_unit(quote)
    hardware = math.fsum(x.amount for x in quote.lines if x.kind in ("gpu_server", "gpu"))
    network = math.fsum(x.amount for x in quote.lines if x.kind in NETWORK_KINDS)
    other = math.fsum(
        x.amount
        for x in quote.lines
        if x.kind not in NETWORK_KINDS and x.kind not in ("gpu_server", "gpu", "discount")
    )
    discount = math.fsum(x.amount for x in quote.lines if x.kind == "discount")  # ≤ 0
    gross = hardware + network + other
    keep = (gross + discount) / gross if gross > 0 else 0.0
    return CapexSplit(hardware * keep * rate, network * keep * rate, other * keep * rate)


_EXTENSION = re.compile(
    r"\bext(?:ended|ension)?\b|erweiterung|verl[äa]ngerung|extensi[oó]n|prolongation", re.I
)


def is_support_extension(line: QuoteLine) -> bool:
    """True for a support line that extends another ("Extended 2 Years", "Garantieerweiterung")."""
    return line.kind == "support" and bool(_EXTENSION.search(line.description))


def included_support_years(quote: Quote) -> float:
    """Support or warranty years the quote includes: the longest initial term stated on any line plus the
    longest extension ("Initial 3 Years" + "Extended 2 Years" = 5); 0 when none is stated."""
    initial = max((x.support_years or 0.0 for x in quote.lines if not is_support_extension(x)), default=0.0)
    extension = max((x.support_years or 0.0 for x in quote.lines if is_support_extension(x)), default=0.0)
    return initial + extension


def completeness_warnings(quote: Quote, hardware: QuoteHardware) -> tuple[str, ...]:
    """What a working cluster needs and the quote lacks, one sentence per missing item."""
    missing: list[str] = []
    if included_support_years(quote) <= 0:
        missing.append("no support or warranty years stated")
    kinds = {x.kind for x in quote.lines}
    if hardware.servers > 1 and "nic" not in kinds:
        missing.append(f"no network cards (NICs) for a {hardware.servers}-node cluster")
    if hardware.servers > 1 and "switch" not in kinds:
        missing.append(f"no network switch for a {hardware.servers}-node cluster")
    has_rails = any(_RAILS.search(f"{x.description} {x.part_number}") for x in quote.lines)
    if "installation" not in kinds and not has_rails:
        missing.append("no rails or installation")
    if hardware.gpus == 0:
        missing.append("no GPU server or GPU mapped to the catalog")
    return tuple(missing)


_RAILS = re.compile(r"\brails?\b|rail[- ]?kit|schiene", re.IGNORECASE)


@dataclass(frozen=True)
class Adjustment:
    """An amount the comparison adds to what a quote states, with its basis in words (USD)."""

    item: str
    usd: float
    basis: str


NETWORK_ALLOWANCE_FRACTION = 0.125
"""Networking not itemised on a multi-node quote: 12.5 % of the server (hardware) capex, the midpoint of
"10–15 % of hardware if not itemised" (issue 5) and of the 10–15 % of hardware capex for transceivers,
cabling and ToR switches in shared/reference/catalog_facts.json (network_capex, source V2PSEO, 2026)."""

NETWORK_ALLOWANCE_BASIS = (
    "12.5 % of server capex (midpoint of 10-15 % of hardware for networking not itemised: issue 5; "
    "catalog_facts.json network_capex, V2PSEO 2026)"
)


def needs_network_allowance(quote: Quote, hardware: QuoteHardware) -> bool:
    """True for a multi-node quote with neither a NIC nor a switch line: its network is not itemised."""
    kinds = {x.kind for x in quote.lines}
    return hardware.servers > 1 and "nic" not in kinds and "switch" not in kinds


def network_allowance_usd(quote: Quote, hardware: QuoteHardware) -> float:
    """USD the comparison adds for networking a multi-node quote does not itemise (0 otherwise):
    :data:`NETWORK_ALLOWANCE_FRACTION` × the quote's server capex (GPU servers and GPUs, after discounts)."""
    if not needs_network_allowance(quote, hardware):
        return 0.0
    return NETWORK_ALLOWANCE_FRACTION * capex_split_usd(quote).hardware


def quote_adjustments(quote: Quote, hardware: QuoteHardware) -> tuple[Adjustment, ...]:
    """Amounts added to the quote in the all-in cost per GPU-hour, each with its basis (USD)."""
    allowance = network_allowance_usd(quote, hardware)
    if allowance <= 0:
        return ()
    return (
        Adjustment(
            f"network allowance for a {hardware.servers}-node cluster (no NIC or switch quoted)",
            allowance,
            NETWORK_ALLOWANCE_BASIS,
        ),
    )


@dataclass(frozen=True)
class QuoteFigures:
    """A quote normalised to USD for comparison. Per-unit figures are None when the divisor is 0.

    ``per_gpu_hour_usd`` is the all-in on-prem cost per used GPU-hour from the TCO engine; None when
    the comparison had no site terms to price it with.
    """

    quote: Quote
    hardware: QuoteHardware
    total: float
    usd_per_unit: float
    total_usd: float
    per_gpu_usd: float | None
    per_gb_usd: float | None
    per_pflop_usd: float | None
    per_gpu_hour_usd: float | None
    expired: bool
    warnings: tuple[str, ...] = field(default=())
    missing: tuple[str, ...] = field(default=())
    adjustments: tuple[Adjustment, ...] = field(default=())

    @property
    def best_excluded_because(self) -> tuple[str, ...]:
        """Why this quote may not be highlighted as "best" (empty when it competes), see :func:`best_by_criterion`."""
        reasons: list[str] = []
        if self.expired:
            reasons.append("expired")
        if self.hardware.gpus <= 0:
            reasons.append("no GPUs")
        if self.missing:
            reasons.append("incomplete: " + "; ".join(self.missing))
        reasons.extend(self.quote.flags)
        return tuple(reasons)


def _per(value: float, divisor: float) -> float | None:
    return value / divisor if divisor > 0 else None


def quote_figures(
    quote: Quote,
    hardware: QuoteHardware,
    *,
    today: dt.date,
    per_gpu_hour_usd: float | None = None,
) -> QuoteFigures:
    """Total (quote currency and USD), USD per GPU, per GB of GPU memory, per dense BF16 PFLOPS."""
    rate = usd_per_unit(quote)
    total = quote_total(quote)
    total_usd = total * rate
    expired = is_expired(quote, today)
    missing = completeness_warnings(quote, hardware)
    warnings = list(quote.flags) + list(missing) + list(hardware.notes)
    if expired and quote.valid_until is not None:
        warnings.insert(0, f"expired: valid until {quote.valid_until.isoformat()}")
    return QuoteFigures(
        quote=quote,
        hardware=hardware,
        total=total,
        usd_per_unit=rate,
        total_usd=total_usd,
        per_gpu_usd=_per(total_usd, hardware.gpus),
        per_gb_usd=_per(total_usd, hardware.gpu_memory_gb),
        per_pflop_usd=_per(total_usd, hardware.bf16_dense_pflops),
        per_gpu_hour_usd=per_gpu_hour_usd,
        expired=expired,
        warnings=tuple(warnings),
        missing=missing,
        adjustments=quote_adjustments(quote, hardware),
    )


CRITERIA: tuple[tuple[str, str], ...] = (
    ("total_usd", "Total (USD)"),
    ("per_gpu_usd", "USD per GPU"),
    ("per_gb_usd", "USD per GB GPU memory"),
    ("per_pflop_usd", "USD per dense BF16 PFLOPS"),
    ("per_gpu_hour_usd", "All-in USD per GPU-hour"),
)
"""Comparison criteria (attribute of :class:`QuoteFigures`, label); lower is better for each."""


def best_by_criterion(figures: Sequence[QuoteFigures]) -> dict[str, int]:
    """Index of the best (lowest) figure per criterion among the quotes that may be "best".

    A quote competes only when it is valid (not expired), has GPUs mapped to the catalog, no import flag
    (lines not adding up to its own Subtotal, GPUs not reconciling) and no completeness warning (:attr:`QuoteFigures.best_excluded_because`): an incomplete quote is cheap
    because it leaves things out. When no quote competes, no criterion has a best. A criterion no
    competing quote has is left out.
    """
    pool = [i for i, f in enumerate(figures) if not f.best_excluded_because]
    best: dict[str, int] = {}
    for key, _label in CRITERIA:
        known = [(getattr(figures[i], key), i) for i in pool if getattr(figures[i], key) is not None]
        if known:
            best[key] = min(known)[1]
    return best


def best_exclusions(figures: Sequence[QuoteFigures]) -> dict[int, tuple[str, ...]]:
    """Index → reasons, for every quote left out of "best" (see :func:`best_by_criterion`)."""
    return {i: f.best_excluded_because for i, f in enumerate(figures) if f.best_excluded_because}


# --- Suggestions for import: line kind, support years, catalog match -------------------------------

_SUPPORT = re.compile(
    r"support|soporte|warrant|garantie|garant[ií]a|care\s*pack|tech\s*care|maintenance|wartung|\bsvc\b",
    re.I,
)
_SERVER_MODEL = re.compile(
    r"\b(poweredge|thinksystem|proliant|cray\s*xd\d+|superserver|dgx|hgx\s+\w+\s+\d+-gpu\s+server"
    r"|xe\d{4}|sr\d{3}a?|sys-\d+\w*|as\s*-\d+\w*)\b|\b(server|serveur|servidor)\b",
    re.I,
)
_NOT_A_SERVER = re.compile(r"discount|rabatt|remise|descuento|rail|schiene|install", re.I)
_A_PART = re.compile(
    r"adapt|switch|cable|c[âa]ble|kabel|optic|transceiver|dimm|memory|drive|\bssd\b|processor|power supply"
    r"|\bpsu\b|board|connectx|\bnic\b",
    re.I,
)
_SERVER_WORD = re.compile(r"\b(server|serveur|servidor|system)\b", re.I)
_KIND_RULES: tuple[tuple[LineKind, re.Pattern[str]], ...] = (
    ("discount", re.compile(r"discount|rabatt|nachlass|credit|remise|descuento", re.I)),
    ("support", _SUPPORT),
    (
        "installation",
        re.compile(
            r"install|instala|integration|deployment|rack\s*and\s*stack|einbau|inbetriebnahme|mise en service",
            re.I,
        ),
    ),
    (
        "shipping",
        re.compile(
            r"freight|shipping|delivery|carriage|fracht|versand|lieferung|frais de port|\btransporte?\b"
            r"|env[ií]o|\bportes\b",
            re.I,
        ),
    ),
    ("switch", re.compile(r"switch|quantum-?2|spectrum", re.I)),
    (
        "nic",
        re.compile(r"connectx|\bnic\b|adapt|bluefield|netzwerkkarte|network card|hca|carte r[ée]seau", re.I),
    ),
    (
        "optics_cables",
        re.compile(r"transceiver|optic|cable|c[âa]ble|kabel|\bdac\b|\baoc\b|osfp|qsfp", re.I),
    ),
    ("storage", re.compile(r"storage|\bnas\b|\bsan\b|ddn|weka|vast|netapp|file\s*system", re.I)),
    (
        "gpu_server",
        re.compile(
            r"\b(hgx|dgx|poweredge|superserver|xe\d{4}|server|node|system)\b"
            r"|\d+\s*[x×]\s*(nvidia\s+)?(h100|h200|b200|a100|l40s|mi300x|mi325x)",
            re.I,
        ),
    ),
    ("gpu", re.compile(r"\b(h100|h200|b200|a100|l40s?|l4|rtx|mi300x|mi325x|instinct|tesla)\b", re.I)),
)


def guess_kind(description: str, part_number: str = "") -> LineKind:
    """Most likely line kind from the description's words (a suggestion the user confirms).

    A line that names a server model before any support word is a GPU server even when it mentions its
    warranty ("ThinkSystem SR680a V3, 3yr Warranty"); "ProSupport for PowerEdge" stays support.
    """
    text = f"{description} {part_number}"
    server = _SERVER_MODEL.search(description)
    support = _SUPPORT.search(description)
    server_first = server is not None and (support is None or server.start() < support.start())
    a_part = bool(_A_PART.search(description)) and not _SERVER_WORD.search(description)
    if server_first and not a_part and not _NOT_A_SERVER.search(description):
        return "gpu_server"
    for kind, pattern in _KIND_RULES:
        if pattern.search(text):
            return kind
    return "other"


_YEARS = re.compile(r"(\d+(?:[.,]\d+)?)\s*-?\s*(?:years?|yrs?|y\b|jahre?|ans?\b|ann[ée]es?|a[ñn]os?)", re.I)
_MONTHS = re.compile(r"(\d+)\s*-?\s*(?:months?|mo\b|monate?|mois|meses)", re.I)


def parse_support_years(description: str) -> float | None:
    """Support term in years read from text such as "3-year", "5 Jahre", "36 months"; None if absent."""
    match = _YEARS.search(description)
    if match:
        return float(match.group(1).replace(",", "."))
    match = _MONTHS.search(description)
    if match:
        return int(match.group(1)) / 12.0
    return None


_TOKEN = re.compile(r"[a-z]+\d*|\d+[a-z]*", re.I)


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text)}


@dataclass(frozen=True)
class MatchSuggestion:
    """A proposed catalog match for a quote line: ``kind`` "server" (platform model) or "gpu" (name)."""

    kind: Literal["server", "gpu"]
    key: str
    score: float


def _gpu_score(text_tokens: set[str], gpu: Gpu) -> float:
    name = _tokens(gpu.name)
    model = {t for t in name if any(c.isdigit() for c in t)}  # "h100", "a100", "4090", "80gb"…
    if not model or not model & text_tokens:
        return 0.0
    score = len(name & text_tokens) / len(name)
    form = _tokens(gpu.form_factor)
    return score + (
        0.25 if form & text_tokens or any(t.startswith(f) for f in form for t in text_tokens) else 0
    )


def suggest_match(
    description: str, servers: Iterable[ServerPlatform], gpus: Iterable[Gpu], *, kind: LineKind
) -> MatchSuggestion | None:
    """Suggest the catalog platform (for a GPU-server line) or GPU (for a GPU line) a description names.

    GPUs score by the share of their name's words found in the description (a model number must be
    among them) plus 0.25 when the form factor matches (SXM/PCIe/...). A server line picks the platform
    whose GPU scores best, ties broken by the platform's own words and then by GPU count in the text.
    """
    if kind not in ("gpu_server", "gpu"):
        return None
    text = _tokens(description)
    gpu_list = list(gpus)
    gpu_scores = {g.name: _gpu_score(text, g) for g in gpu_list}
    best_gpu = max(gpu_scores.items(), key=lambda kv: kv[1], default=None)
    if best_gpu is None or best_gpu[1] <= 0:
        return None
    if kind == "gpu":
        return MatchSuggestion("gpu", best_gpu[0], round(best_gpu[1], 3))
    count_match = re.search(r"(\d+)\s*[x×-]\s*(?:gpu|nvidia|h\d|b\d|a\d|mi\d)|(\d+)-gpu", description, re.I)
    count = int(next(g for g in count_match.groups() if g)) if count_match else None
    candidates = []
    for platform in servers:
        gscore = gpu_scores.get(platform.gpu_name, 0.0)
        if gscore <= 0:
            continue
        words = _tokens(f"{platform.vendor} {platform.model}") - _tokens(platform.gpu_name)
        pscore = len(words & text) / max(len(words), 1)
        bonus = 0.2 if count is not None and count == platform.gpu_count else 0.0
        candidates.append((gscore + 0.5 * pscore + bonus, platform.model))
    if not candidates:
        return None
    score, model = max(candidates)
    return MatchSuggestion("server", model, round(score, 3))


# --- All-in cost per GPU-hour: the quote as the TCO engine's on-premises option --------------------


@dataclass(frozen=True)
class SiteTerms:
    """How a quoted cluster would be run: the on-prem terms a quote does not state.

    ``template`` carries the site's terms (PUE, $/kWh, colocation, maintenance rate, staff, depreciation,
    residual, financing ...); hardware fields of the template are replaced by the quote's. ``utilization``
    (0..1] None means "derive it from ``demand_gpu_hours_per_month`` against each quote's GPUs".
    ``assumptions`` lists, in words, where each term came from (shown next to the figures).
    ``currency`` is the currency of the template's money terms (the project's); ``usd_to_currency`` converts
    the quotes' USD amounts into it (1 for USD).
    """

    template: OnPremOption
    horizon_months: int
    hours_per_month: float = HOURS_PER_MONTH
    utilization: float | None = None
    demand_gpu_hours_per_month: float = 0.0
    electricity_per_kwh: float = 0.0
    pue: float = 1.0
    assumptions: tuple[str, ...] = ()
    currency: str = "USD"
    usd_to_currency: float = 1.0


DEFAULT_UTILIZATION = 0.70
"""Used when neither a utilisation nor a demand is given: the ~70 % sustained use the break-even rules of
thumb cite (catalog_facts.json rules_of_thumb: RUNLOCALAI, AIDCGUIDE)."""

DEFAULT_SITE = SiteTerms(
    template=OnPremOption(
        name="site defaults",
        pue=1.58,
        electricity_per_kwh=0.13,
        maintenance_rate_annual=0.10,
        staff_fte=0.5,
        fte_cost_annual=147_500.0,
        depreciation_months=36,
    ),
    horizon_months=36,
    utilization=DEFAULT_UTILIZATION,
    assumptions=(
        "PUE 1.58: industry average 2023 (Uptime Institute, "
        "https://intelligence.uptimeinstitute.com/resource/large-data-centers-are-mostly-more-efficient-analysis-confirms)",
        "electricity $0.13/kWh: blended industrial default of chanthaphan/gpu-tco (2026-07)",
        "maintenance 10 % of capex a year beyond the included support "
        "(https://alpineblockchain.com/comparing-cloud-vs-on-prem-hpc-cost-performance; gpu-tco default)",
        "staff 0.5 FTE (0.25 FTE on-call per major on-prem component, compute and network: seed 002 §9) "
        "at $147,500 a year (midpoint of $130-165k, https://www.kore1.com/mlops-engineer-salary-guide)",
        "horizon 36 months, 730 h a month, utilisation 70 % (break-even rules of thumb)",
    ),
)
"""Site terms used when the comparison has no project: each default with its source."""

_SITE_KEYS = (
    "pue",
    "electricity_per_kwh",
    "colo_per_kw_month",
    "colo_includes_power",
    "maintenance_rate_annual",
    "staff_fte",
    "fte_cost_annual",
    "staff_from_table",
    "opex_annual_per_server",
    "licences_annual",
    "monthly_fixed",
    "depreciation_months",
    "residual_fraction",
    "idle_power_fraction",
    "load_factor",
    "finance_rate_annual",
    "finance_months",
    "bridge_option",
    "air_gapped",
)
"""Terms of the project's on-prem option that a quote keeps (everything else comes from the quote)."""


def site_terms_from_project(
    project: Project, *, utilization: float | None = None, usd_to_currency: float = 1.0
) -> SiteTerms:
    """Site terms from a project: its first on-premises option (or hybrid's owned base) for the run terms,
    its horizon, hours a month, PUE and $/kWh, and its demand for the utilisation; ``usd_to_currency``
    converts USD into the project's currency (1 for a USD project). Terms the project
    leaves unset for on-prem (no on-prem option at all) fall back to :data:`DEFAULT_SITE`'s, said so."""
    owned = _first_onprem(project)
    notes: list[str] = []
    if owned is None:
        template = replace(DEFAULT_SITE.template, name="site defaults")
        notes.append("the project has no on-premises option: site terms are the defaults")
        notes.extend(DEFAULT_SITE.assumptions[:4])
    else:
        template = owned
        notes.append(f"site terms from the project's on-prem option {owned.name!r}")
    demand = average_demand_gpu_hours(project)
    if utilization is None and demand <= 0:
        utilization = DEFAULT_UTILIZATION
        notes.append("utilisation 70 %: the project states no demand (break-even rules of thumb)")
    elif utilization is None:
        notes.append(f"utilisation from the project's demand: {demand:,.0f} GPU-hours a month on average")
    electricity = project.electricity_per_kwh
    pue = project.pue
    if owned is None and electricity <= 0:
        electricity = DEFAULT_SITE.template.electricity_per_kwh or 0.0
        pue = DEFAULT_SITE.template.pue or 1.0
    return SiteTerms(
        template=template,
        horizon_months=project.horizon_months,
        hours_per_month=project.hours_per_month,
        utilization=utilization,
        demand_gpu_hours_per_month=demand,
        electricity_per_kwh=electricity,
        pue=pue,
        assumptions=tuple(notes),
        currency=project.currency,
        usd_to_currency=usd_to_currency,
    )


def _first_onprem(project: Project) -> OnPremOption | None:
    for opt in project.options:
        if isinstance(opt, OnPremOption):
            return opt
        if isinstance(opt, HybridOption):
            return opt.onprem
    return None


def average_demand_gpu_hours(project: Project) -> float:
    """Average GPU-hours a month over the horizon from the project's demand and resolved workloads.

    Month m (1-based) = base × (1 + growth)^((m−1)/12) × profile[(m−1) % len(profile)], as in the project
    format; workloads add runs × GPU-hours per run with their own growth.
    """
    d = project.demand
    months = range(project.horizon_months)
    total = 0.0
    for m in months:
        factor = d.monthly_profile[m % len(d.monthly_profile)] if d.monthly_profile else 1.0
        total += d.gpu_hours_per_month * (1.0 + d.growth_annual) ** (m / 12.0) * factor
        for w in project.workloads:
            if w.gpu_hours_per_run is not None:
                total += w.runs_per_month * w.gpu_hours_per_run * (1.0 + w.growth_annual) ** (m / 12.0)
    return total / project.horizon_months


def quote_utilization(site: SiteTerms, gpus: int) -> float:
    """Utilisation (0..1] of a quoted cluster of ``gpus`` GPUs: the site's, or demand / capacity capped at 1."""
    if site.utilization is not None:
        return site.utilization
    capacity = gpus * site.hours_per_month
    return min(1.0, site.demand_gpu_hours_per_month / capacity) if capacity > 0 else 0.0


def maintenance_beyond_support(rate_annual: float, support_years: float, horizon_months: int) -> float:
    """Maintenance rate (fraction of capex a year) spread over the whole horizon so that its total equals
    ``rate_annual`` × capex × the years of the horizon NOT covered by the support the quote includes.

    The engine charges maintenance evenly every month; with S months of included support over an H-month
    horizon the equivalent flat rate is rate × max(0, H − S) / H (same horizon total, earlier timing).
    """
    covered = min(float(horizon_months), support_years * 12.0)
    return rate_annual * (horizon_months - covered) / horizon_months


def onprem_option_for_quote(quote: Quote, hardware: QuoteHardware, site: SiteTerms) -> OnPremOption:
    """The on-premises option a quote describes, run under ``site``'s terms (in ``site.currency``).

    Servers, per-server price (GPU servers and loose GPUs), network capex (NICs, switches, optics),
    storage and other capex (support, installation, shipping, other) come from the quote, discounts
    spread pro rata; a multi-node quote without NIC or switch lines gets the network allowance
    (``network_fraction`` = :data:`NETWORK_ALLOWANCE_FRACTION` of server capex); power per server from
    :func:`quote_hardware`; lead time = weeks × 7 / (365/12) days
    rounded up to whole months; maintenance only beyond the quote's included support.
    """
    if hardware.gpus <= 0:
        raise ValueError(f"quote {quote.label!r} has no GPUs mapped to the catalog")
    split = capex_split_usd(quote)
    fx = site.usd_to_currency
    split = CapexSplit(split.hardware * fx, split.network * fx, split.other * fx)
    storage = math.fsum(x.amount for x in quote.lines if x.kind == "storage") * usd_per_unit(quote) * fx
    gross = math.fsum(x.amount for x in quote.lines if x.kind != "discount")
    keep = quote_total(quote) / gross if gross > 0 else 0.0
    storage *= keep
    servers = hardware.servers or 1
    if hardware.gpus % servers:  # loose GPUs beside servers: one unit holding all, same totals
        servers = 1
    gpus_per_server = max(1, hardware.gpus // servers)
    lead_months = (
        0 if quote.lead_time_weeks is None else math.ceil(quote.lead_time_weeks * 7 / (365 / 12) - 1e-9)
    )
    values: dict[str, Any] = {key: getattr(site.template, key) for key in _SITE_KEYS}
    values["maintenance_rate_annual"] = maintenance_beyond_support(
        site.template.maintenance_rate_annual, included_support_years(quote), site.horizon_months
    )
    values["bridge_option"] = None
    name = quote.label or quote.vendor
    return replace(
        site.template,
        name=name,
        servers=servers,
        server_price=split.hardware / servers,
        gpus_per_server=gpus_per_server,
        network_capex=split.network,
        network_fraction=NETWORK_ALLOWANCE_FRACTION if needs_network_allowance(quote, hardware) else 0.0,
        storage_capex=storage,
        other_capex=split.other - storage,
        lead_time_months=min(lead_months, site.horizon_months - 1),
        power_kw_per_server=hardware.it_power_kw / servers,
        vendor=quote.vendor,
        quote_ref=quote.quote_number,
        source_url=quote.source_file,
        as_of=quote.quote_date.isoformat(),
        notes=f"from quote {name}",
        **values,
    )


def per_gpu_hour_usd(quote: Quote, hardware: QuoteHardware, site: SiteTerms) -> float:
    """All-in USD per used GPU-hour over the site's horizon: the TCO engine's on-prem model
    (:func:`planner.engine.tco.onprem_cost_per_gpu_hour`) on :func:`onprem_option_for_quote`."""
    option = onprem_option_for_quote(quote, hardware, site)
    utilization = quote_utilization(site, option.gpus)
    in_currency = onprem_cost_per_gpu_hour(
        option,
        utilization,
        site.horizon_months,
        site.hours_per_month,
        electricity_per_kwh=site.electricity_per_kwh,
        pue=site.pue,
    )
    return in_currency / site.usd_to_currency


def compare_quotes(
    quotes: Sequence[Quote],
    servers: Mapping[str, ServerPlatform],
    gpus: Mapping[str, Gpu],
    *,
    today: dt.date,
    site: SiteTerms | None = DEFAULT_SITE,
) -> list[QuoteFigures]:
    """Figures of every quote, in order; ``site`` None skips the per-GPU-hour figure."""
    out: list[QuoteFigures] = []
    for quote in quotes:
        hardware = quote_hardware(quote, servers, gpus)
        hourly = None
        problem = ""
        if site is not None and hardware.gpus > 0:
            try:
                hourly = per_gpu_hour_usd(quote, hardware, site)
            except ValueError as exc:  # e.g. a lead time that leaves no live month in the horizon
                problem = f"cost per GPU-hour not computed: {exc}"
        figures = quote_figures(quote, hardware, today=today, per_gpu_hour_usd=hourly)
        if problem:
            figures = replace(figures, warnings=(*figures.warnings, problem))
        out.append(figures)
    return out


def use_quote(
    project: Project, quote: Quote, hardware: QuoteHardware, site: SiteTerms | None = None
) -> Project:
    """ "Use this quote": the project with the quote as its on-premises option.

    The first standalone on-prem option is replaced (its site terms are kept by the quote's option);
    a project without one gets the quote's option appended. Hybrids keep their own owned base.
    """
    terms = site or site_terms_from_project(project)
    option = onprem_option_for_quote(quote, hardware, terms)
    options = list(project.options)
    index = next((i for i, o in enumerate(options) if isinstance(o, OnPremOption)), None)
    taken = {o.name for i, o in enumerate(options) if i != index}
    name = option.name
    n = 2
    while name in taken:
        name = f"{option.name} ({n})"
        n += 1
    option = replace(option, name=name, bridge_option=_bridge(options, index))
    if index is None:
        options.append(option)
    else:
        options[index] = option
    return replace(project, options=tuple(options))


def _bridge(options: Sequence[Any], index: int | None) -> str | None:
    """Keep the replaced option's bridge to a cloud option while the hardware is on its way."""
    if index is None:
        return None
    replaced = options[index]
    return replaced.bridge_option if isinstance(replaced, OnPremOption) else None


@dataclass(frozen=True)
class CloudReference:
    """A rented option of the project as a reference for the quotes: USD per used GPU-hour.

    ``basis`` says how it was found: "TCO engine" (all-in per used GPU-hour at the project's demand) or
    "rate" (the option's rate per GPU-hour after premium and discount, when the engine could not run).
    """

    name: str
    usd_per_gpu_hour: float
    basis: str


def cloud_rate_per_gpu_hour(option: CloudOption) -> float:
    """Rate per GPU-hour of a cloud option (currency of the project) after managed premium and discount."""
    rate = option.rate_per_hour * (1.0 + option.managed_premium) * (1.0 - option.discount)
    return rate / option.gpus_per_instance if option.rate_unit == "instance" else rate


def cloud_references(project: Project, usd_to_currency: float = 1.0) -> list[CloudReference]:
    """The project's cloud and managed-Kubernetes options in USD per used GPU-hour: the TCO engine's
    figure at the project's demand when it runs, else the option's effective rate."""
    clouds = [o for o in project.options if isinstance(o, CloudOption)]
    if not clouds:
        return []
    engine_figures: dict[str, float] = {}
    try:
        from planner.engine.tco import evaluate

        result = evaluate(project)
        for r in result.options:
            if r.per_used_gpu_hour is not None and math.isfinite(r.per_used_gpu_hour):
                engine_figures[r.name] = r.per_used_gpu_hour
    except (ValueError, ArithmeticError):
        engine_figures = {}
    out = []
    for o in clouds:
        if o.name in engine_figures:
            out.append(CloudReference(o.name, engine_figures[o.name] / usd_to_currency, "TCO engine"))
        else:
            out.append(CloudReference(o.name, cloud_rate_per_gpu_hour(o) / usd_to_currency, "rate"))
    return out
