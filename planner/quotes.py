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
from dataclasses import dataclass, field
from typing import Literal, get_args

from planner.catalog import FxRate, Gpu, ServerPlatform

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
            r"|(?<!\d)\d+\s*[x×]\s*(nvidia\s+)?(h100|h200|b200|a100|l40s|mi300x|mi325x)",
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


# A number starts where no digit precedes it (the look-behind keeps a 5,000-digit cell linear, not quadratic).
_YEARS = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*-?\s*(?:years?|yrs?|y\b|jahre?|ans?\b|ann[ée]es?|a[ñn]os?)", re.I
)
_MONTHS = re.compile(r"(?<!\d)(\d+)\s*-?\s*(?:months?|mo\b|monate?|mois|meses)", re.I)


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
