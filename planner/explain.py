"""Words for the decision engine's structured reasons (:mod:`planner.engine.reasons`): the one place where a
finding becomes a sentence, in client language, for the window, the CLI and the PDF alike.

Source documents are cited by their titles; regimes by their names (HIPAA with its CFR part). Money is shown
in the project currency: ``$1,234`` for USD, ``1,234 EUR`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from planner.engine import reasons as R
from planner.engine.reasons import Figure, Reason

SOURCE_TITLES: Mapping[str, str] = {
    R.SOURCE_ARCHITECTURES: "“AI Model Training Services: Cloud vs. On-Premises vs. Hybrid”",
    R.SOURCE_ON_PREMISES: "“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” (research note, 2026-02-19)",
}
REGIME_NAMES: Mapping[str, str] = {
    "hipaa": "HIPAA (45 CFR §164)",
    "fedramp": "FedRAMP",
    "itar": "ITAR",
    "classified": "classified-data handling",
    "air_gapped": "an air-gap mandate",
    "gdpr_health": "GDPR health-data rules",
}
_STATUS_WORDS: Mapping[str, str] = {
    R.INCOMPLETE: "prices are missing",
    R.UNSERVED: "it does not serve all the demand",
    R.REGULATED_UNCERTIFIED: "regulated data would run on uncertified capacity",
    R.NOT_AIR_GAPPED: "it is not air-gapped",
    R.PINNED_IN_CLOUD: "work that must stay on premises would run in the cloud",
    R.NEEDS_MLOPS_TEAM: "it needs an MLOps team",
}
_KEY_WORDS: Mapping[str, str] = {
    "rate_per_hour": "the hourly rate",
    "on_demand_rate_per_hour": "the on-demand rate for use above the commitment",
    "server_price": "the server price",
    "fte_cost_annual": "the yearly cost of its staff",
    "bridge_option": "the cloud option that bridges the lead time",
}


_TERM_WORDS: Mapping[str, str] = {
    "compute": "cloud compute",
    "compute_commitment": "reserved capacity",
    "compute_overflow": "on-demand use above the commitment",
    "storage": "storage",
    "egress": "data egress",
    "support": "support plan",
    "fixed": "fixed monthly fees",
    "staff": "staff",
    "capex": "hardware purchase",
    "financing": "financing",
    "power": "electricity",
    "colocation": "colocation",
    "maintenance": "maintenance",
    "server_opex": "server running costs",
    "licences": "software licences",
    "bridge_cloud": "cloud bridge until the hardware is live",
}


def _term_words(key: str) -> str:
    """A cost term in words; a hybrid's parts are prefixed (owned_…, burst_…)."""
    for pre, where in (("owned_", "owned base: "), ("burst_", "cloud burst: ")):
        if key.startswith(pre):
            return where + _TERM_WORDS.get(key[len(pre) :], key[len(pre) :].replace("_", " "))
    return _TERM_WORDS.get(key, key.replace("_", " "))


def money(x: float | None, currency: str) -> str:
    if x is None:
        return "—"
    return f"${x:,.0f}" if currency == "USD" else f"{x:,.0f} {currency}"


def _rate(x: Figure, currency: str) -> str:
    v = float(x) if isinstance(x, int | float) else 0.0
    return f"${v:,.2f}" if currency == "USD" else f"{v:,.2f} {currency}"


def _f(x: Figure) -> float:
    """A numeric figure as a float (0 when absent)."""
    return float(x) if isinstance(x, int | float) else 0.0


def _t(x: Figure) -> tuple[str, ...]:
    """A list figure (0 items when absent)."""
    return x if isinstance(x, tuple) else ()


def _pct(x: Figure) -> str:
    return f"{float(x):.0%}" if isinstance(x, int | float) else "—"


def _num(x: Figure) -> str:
    return f"{float(x):,.0f}" if isinstance(x, int | float) else "—"


def regimes(codes: Figure) -> str:
    """'HIPAA (45 CFR §164) and ITAR' from regime codes."""
    names = [REGIME_NAMES.get(c, c.replace("_", " ")) for c in (codes if isinstance(codes, tuple) else ())]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _needs(keys: Figure) -> str:
    out = []
    for k in keys if isinstance(keys, tuple) else ():
        part, _, leaf = k.rpartition(".")
        if k.startswith("bridge "):
            who, _, leaf = k.partition(": ")
            out.append(f"{_KEY_WORDS.get(leaf, leaf)} of the bridge {who[len('bridge ') :]}")
            continue
        words = _KEY_WORDS.get(leaf, leaf.replace("_", " "))
        where = {"onprem": " of the owned base", "burst": " of the cloud burst"}.get(part, "")
        out.append(words + where)
    return "; ".join(out)


def _cite(r: Reason) -> str:
    title = SOURCE_TITLES.get(r.source or "")
    return f" (source: {title})" if title else ""


def status_words(code: str) -> str:
    """Why an option is not a plan, in a few words."""
    return _STATUS_WORDS.get(code, code.replace("_", " "))


MoneyFormat = Callable[[float | None, str], str]
"""(amount, ISO 4217 code) → text; the presentation layer may pass its own (e.g. ui.present.money)."""


def explain(r: Reason, currency: str = "USD", money_format: MoneyFormat | None = None) -> str:
    """One sentence for a reason, in client language, citing its source document by title. Amounts are
    written with ``money_format`` (default: :func:`money`)."""
    f = r.figures
    o = r.options
    first = o[0] if o else ""
    fmt = money_format or money

    def m(key: str) -> str:
        v = f.get(key)
        return fmt(float(v) if isinstance(v, int | float) else None, currency)

    return _render(r, f, o, first, m, currency)


def _render(
    r: Reason,
    f: Mapping[str, Figure],
    o: tuple[str, ...],
    first: str,
    m: Callable[[str], str],
    cur: str,
) -> str:
    c = r.code
    if c == R.INCOMPLETE:
        return f"{first} is incomplete: it needs {_needs(f.get('needs'))}; it is not ranked until they are given."
    if c == R.UNSERVED:
        return (
            f"{first} serves only {_pct(f.get('served_share'))} of the {_num(f.get('demand_gpu_hours'))} GPU-hours "
            f"demanded ({_num(f.get('unserved_gpu_hours'))} GPU-hours unserved, months {f.get('first_month')}–"
            f"{f.get('last_month')}), so it is not a plan: unserved demand is never free."
        )
    if c == R.REGULATED_UNCERTIFIED:
        via = f" through {o[1]}" if len(o) > 1 else ""
        during = f" during its {f.get('months')}-month lead time" if f.get("months") else ""
        return (
            f"{first} would run data under {regimes(f.get('regimes'))} on capacity not certified for it{via}"
            f"{during}, so it is not allowed{_cite(r)}."
        )
    if c == R.NOT_AIR_GAPPED:
        return f"{first} is not air-gapped, which {regimes(f.get('regimes'))} requires{_cite(r)}."
    if c == R.PINNED_IN_CLOUD:
        via = f" through {o[1]}" if len(o) > 1 else ""
        return (
            f"{first} would run {_num(f.get('pinned_gpu_hours_per_month'))} GPU-hours a month that must stay on "
            f"premises in the cloud{via}, so it is not allowed."
        )
    if c == R.NEEDS_MLOPS_TEAM:
        return (
            f"{first} needs an MLOps team (about {_f(f.get('fte')):.2f} FTE) and the organisation has none"
            f"{_cite(r)}."
        )
    if c == R.COMPLIANCE:
        where = (
            "air-gapped on-premises hardware"
            if f.get("strict")
            else "on-premises hardware or a certified private cloud"
        )
        allowed = ", ".join(o) if o else "none of the options"
        return (
            f"Training data is subject to {regimes(f.get('regimes'))}: it may only run on {where}{_cite(r)}; "
            f"compliant options: {allowed}."
        )
    if c == R.PINNED:
        return (
            f"{_num(f.get('pinned_gpu_hours_per_month'))} GPU-hours a month must stay on premises (regulated or "
            "latency-bound workloads); options that would put them in the cloud are not plans."
        )
    if c == R.SCALE:
        return (
            f"Peak demand needs about {_num(f.get('peak_gpus'))} GPUs at once, beyond {_num(f.get('threshold'))} "
            f"accelerators: few organisations can justify the capital for that scale on premises; renting the "
            f"cluster fits{_cite(r)}."
        )
    if c == R.SCALE_OWNED:
        return (
            f"Caution: {first} owns a fleet for a peak of about {_num(f.get('peak_gpus'))} GPUs at once, beyond "
            f"{_num(f.get('threshold'))} accelerators, a scale few organisations justify owning{_cite(r)}; it is "
            "still the cheapest plan on these figures."
        )
    if c == R.NO_MLOPS_TEAM:
        stack = ", ".join(str(x).replace("_", " ") for x in _t(f.get("stack")) if isinstance(x, str))
        return (
            f"No in-house MLOps team: running {stack} needs about {_f(f.get('fte_onprem')):.2f} FTE on "
            f"premises, {_f(f.get('fte_managed_k8s')):.2f} on managed Kubernetes and "
            f"{_f(f.get('fte_cloud_native')):.2f} with managed services{_cite(r)} — use a managed service."
        )
    if c == R.LOW_UTILIZATION:
        be = f.get("break_even")
        be_txt = (
            "never breaks even (dearer per GPU-hour even at 100 %)"
            if be is None
            else f"breaks even at {_pct(be)}"
        )
        return (
            f"{first}: average utilisation {_pct(f.get('utilization'))} of its owned GPUs over its "
            f"{f.get('live_months')} live months; against {o[1] if len(o) > 1 else 'renting'} it {be_txt} (the "
            f"sources cite {_pct(f.get('band_low'))}–{_pct(f.get('band_high'))}) → rent rather than own{_cite(r)}."
        )
    if c == R.STEADY_LOAD:
        return (
            f"{first}: a steady load keeps its GPUs {_pct(f.get('utilization'))} busy, above the "
            f"{_pct(f.get('break_even'))} break-even against {o[1] if len(o) > 1 else 'renting'} → owning pays "
            f"for high-utilisation steady-state work{_cite(r)}."
        )
    if c == R.CHEAPEST:
        pv = f.get("metric") == "present_value"
        what = "present value" if pv else "total"
        line = f"{first} is the cheapest eligible option: {m('value')} {what} over {f.get('horizon_months')} months"
        if pv:
            line += f" ({m('total')} in cash)"
        if len(o) > 1 and isinstance(f.get("runner_up_value"), int | float):
            nxt = _f(f.get("runner_up_value"))
            value = _f(f.get("value"))
            more = (nxt - value) / value if value > 0 else 0.0
            line += f", against {m('runner_up_value')} for {o[1]} ({more:.0%} more)"
        per = f.get("per_used_gpu_hour")
        if isinstance(per, int | float):
            line += f"; {_rate(per, cur)} per used GPU-hour"
        return line + "."
    if c == R.COMPLIANCE_CONDITIONAL:
        return (
            f"Caution: {first} processes data under {regimes(f.get('regimes'))} outside the area the regulation "
            "names; that is allowed only under conditions the client must establish (for GDPR, an adequacy "
            "decision, standard data protection clauses or another Chapter V basis)."
        )
    if c == R.HYBRID_SPLIT:
        return (
            f"Its optimal split owns {f.get('servers')} server(s) ({f.get('gpus')} GPUs) for the base load and "
            f"bursts {_num(f.get('burst_gpu_hours_per_month'))} GPU-hours a month on average to "
            f"{o[1] if len(o) > 1 else 'the cloud'}."
        )
    if c == R.ALTERNATIVE:
        what = "present value" if f.get("metric") == "present_value" else "total"
        share = f.get("more_share")
        pct = f" ({_f(share):.0%} more)" if isinstance(share, int | float) else ""
        month = f.get("break_even_month")
        when = (
            f"; {o[1]} is cheaper to date from month {month} on"
            if isinstance(month, int) and month > 1
            else f"; {o[1]} is cheaper to date in every month"
            if month == 1
            else ""
        )
        return f"{first} loses by {m('more')}{pct}: {m('value')} {what}{when}." if len(o) > 1 else first
    if c == R.DRIVERS:
        parts = [
            f"{_term_words(t)} {p} %" for t, p in zip(_t(f.get("terms")), _t(f.get("shares")), strict=False)
        ]
        return f"Largest costs of {first}: " + ", ".join(parts) + "."
    if c == R.EXCLUDED_CHEAPER:
        why = "; ".join(status_words(x) for x in _t(f.get("why")) if isinstance(x, str))
        return f"{first} would cost less ({m('value')}) but is not a plan: {why}."
    if c == R.NO_COMPLIANT_PLAN:
        rules = f" and meets {regimes(f.get('regimes'))}" if f.get("regimes") else ""
        return (
            f"No recommendation: none of the {f.get('options')} options is a complete plan that serves all the "
            f"demand{rules}{_cite(r)}."
        )
    if c == R.ADD_SERVERS:
        extra = int(_f(f.get("extra")))
        servers = "one more server" if extra == 1 else f"{extra} more servers"
        bridge = (
            f", plus a certified bridge for its {f.get('bridge_months')}-month lead time"
            if f.get("bridge_months")
            else ""
        )
        return (
            f"Smallest change: {servers} for {first} ({f.get('servers')} → {f.get('needed')}, about "
            f"{m('extra_capex')} more capital){bridge} would serve all the demand."
        )
    if c == R.CERTIFIED_BRIDGE:
        regs = f" certified for {regimes(f.get('regimes'))}" if f.get("regimes") else ""
        return (
            f"Smallest change: a cloud bridge{regs} for the {f.get('months')}-month lead time of {first}, or "
            "hardware delivered sooner."
        )
    if c == R.CERTIFIED_CLOUD:
        cap = f.get("max_rate_per_gpu_hour")
        price = f" at up to {_rate(cap, cur)} per GPU-hour (what the owned fix costs)" if cap else ""
        return f"Or: a private cloud certified for {regimes(f.get('regimes'))}{price}{_cite(r)}."
    if c == R.AIR_GAPPED_OPTION:
        who = f"{first}, made air-gapped," if first else "an air-gapped on-premises option"
        return f"Smallest change: {who} for data under {regimes(f.get('regimes'))}{_cite(r)}."
    if c == R.FILL_PRICES:
        return f"Smallest change: give {first} {_needs(f.get('needs'))}."
    if c == R.MANAGED_OR_TEAM:
        return (
            f"Smallest change: add a managed-service option, or staff an MLOps team to run {first}{_cite(r)}."
        )
    return first + ": " + c.replace("_", " ")
