"""Client language for the proposal: the source documents by title, cost terms and input keys in words,
and a last pass over any text the engine words (reasons, warnings) so that no internal name reaches a page.
"""

from __future__ import annotations

import re

ARCHITECTURES_TITLE = "“AI Model Training Services: Cloud vs. On-Premises vs. Hybrid”"
ON_PREMISES_TITLE = (
    "“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” (research note, 2026-02-19)"
)
"""The source documents, cited by title (the first carries no URL of its own; the research note cites a
URL for each fact, given beside the figure where the proposal uses one)."""

STAFFING_SOURCE = (
    f"{ON_PREMISES_TITLE}, section 9 “Deployment Model Comparison Table” (the note marks its FTE ranges as "
    "unverified estimates)"
)

TERMS = {
    "compute": "Cloud compute",
    "compute_commitment": "Reserved capacity (committed)",
    "compute_overflow": "On-demand above the commitment",
    "storage": "Storage",
    "egress": "Data egress",
    "support": "Support plan",
    "fixed": "Fixed monthly fees",
    "staff": "Staff",
    "capex": "Hardware purchase",
    "residual": "Resale value (returned)",
    "financing": "Financing cost",
    "power": "Electricity",
    "colocation": "Colocation",
    "maintenance": "Maintenance",
    "server_opex": "Server running costs",
    "licences": "Software licences",
    "bridge_cloud": "Cloud bridge until hardware is live",
}

PARTS = {"owned": "owned base", "burst": "cloud burst", "onprem": "owned base", "bridge": "bridge"}

INPUTS = {
    "rate_per_hour": "price per hour",
    "on_demand_rate_per_hour": "on-demand price per hour",
    "server_price": "server price",
    "fte_cost_annual": "loaded cost per FTE-year",
    "staff_fte": "staff (FTE)",
    "residual_fraction": "resale value share",
    "maintenance_rate_annual": "maintenance rate",
    "power_kw_per_server": "power per server",
    "electricity_per_kwh": "electricity price",
    "pue": "data-centre PUE",
    "discount": "negotiated discount",
    "managed_premium": "managed-service premium",
    "spot_overhead": "spot restart overhead",
    "colo_per_kw_month": "colocation price",
    "load_factor": "load factor",
    "storage_per_tb_month": "storage price",
    "egress_per_tb": "egress price",
    "scale": "demand (scale factor)",
    "gpu_hours_per_month": "demand (GPU-hours a month)",
    "growth_annual": "demand growth",
    "servers": "number of servers",
    "network_fraction": "network share of capital",
    "lead_time_months": "lead time",
}


_GITHUB_PATH = re.compile(
    r"^(https://github\.com/[^/\s]+/[^/\s]+?)/?\s*\(([^@()\s]+)\s*@\s*([0-9a-f]{6,40})\)(.*)$"
)


def source_link(source: str) -> str:
    """A source as a URL a reader can open: "https://github.com/o/r (path @abc123)" → the blob URL of that
    path at that commit; anything else unchanged."""
    m = _GITHUB_PATH.match(source.strip())
    if not m:
        return source
    repo, path, sha, rest = m.groups()
    return f"{repo}/blob/{sha}/{path}{rest}"


def term_label(key: str) -> str:
    """A cost term in words: "owned_capex" → "Hardware purchase (owned base)"."""
    part, _, base = key.partition("_")
    if part in ("owned", "burst") and base:
        return f"{TERMS.get(base, _spaced(base))} ({PARTS[part]})"
    return TERMS.get(key, _spaced(key).capitalize())


def input_label(path: str, option: str = "") -> str:
    """A sensitivity / Monte Carlo input path in words: "options.X.rate_per_hour" → "X: price per hour",
    "burst.fte_cost_annual" (of the option in question) → "cloud burst: loaded cost per FTE-year"."""
    parts = path.split(".")
    if parts[0] == "options" and len(parts) >= 3:
        who = "all options" if parts[1] == "*" else parts[1]
        rest = parts[2:]
        if who == option:
            return input_label(".".join(rest))
        return f"{who}: {input_label('.'.join(rest))}"
    if parts[0] == "demand" and len(parts) == 2:
        return INPUTS.get(parts[1], "demand: " + _spaced(parts[1]))
    if len(parts) == 2 and parts[0] in PARTS:
        return f"{PARTS[parts[0]]}: {INPUTS.get(parts[1], _spaced(parts[1]))}"
    return INPUTS.get(parts[-1], _spaced(parts[-1]))


def _spaced(key: str) -> str:
    return key.replace("_", " ").replace(".", " ").strip()


def client_words(text: str) -> str:
    """``text`` in client language: internal snake_case keys written as words (URLs kept as written); the
    engine words its reasons and warnings with the source documents' titles already."""
    pieces = _URL.split(text)
    for i in range(0, len(pieces), 2):  # odd pieces are URLs: kept as written
        pieces[i] = _SNAKE.sub(lambda m: m.group(1).replace("_", " "), pieces[i])
    return "".join(pieces)


_URL = re.compile(r"(https?://\S+)")
_SNAKE = re.compile(r"\b([a-z]+(?:_[a-z0-9]+)+)\b")
