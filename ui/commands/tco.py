"""`planner tco PROJECT.json [--json] [--samples N] [--seed S]`: total cost of ownership of every option,
break-even, sensitivity, Monte Carlo and the recommendation, headless (no Qt).

One analysis (:func:`planner.analysis.analyse`), the same the window and the proposal show: workloads that
name a catalog model or GPU are resolved through the catalog database, opened only when one does.
"""

from __future__ import annotations

import argparse
from typing import Any

from planner.analysis import MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED, analyse
from planner.project import Project, ProjectError, load_project
from ui import present
from ui.commands._common import CliError, add_json_flag, add_today_flag, emit, today_of


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "tco",
        help="cost of every option of a project over its horizon, break-even and a recommendation",
        description="Evaluate a project file (see docs/PROJECT_FORMAT.md): monthly cash and amortised cost per "
        "option, totals, present value, cost per used GPU-hour, break-even, tornado, Monte Carlo and the "
        "recommendation with its reasons. Months of 730 hours unless the project says otherwise.",
    )
    p.add_argument("project", metavar="PROJECT.json", help="project file")
    p.add_argument(
        "--samples",
        type=int,
        default=MONTE_CARLO_SAMPLES,
        help=f"Monte Carlo samples (default {MONTE_CARLO_SAMPLES:,}, as in the window and the proposal; 0 = none)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=MONTE_CARLO_SEED,
        help=f"Monte Carlo random seed (default {MONTE_CARLO_SEED})",
    )
    add_today_flag(p, "judge the staleness of catalog prices")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from db.analysis_catalog import DbCatalog

    if args.samples < 0:
        raise CliError("--samples must be 0 or more")
    try:
        project = load_project(args.project)
        analysis = analyse(project, DbCatalog(), today=today_of(args), samples=args.samples, seed=args.seed)
    except ProjectError as exc:
        raise CliError(f"{args.project}: {exc}") from None
    except LookupError as exc:
        raise CliError(f"{args.project}: {str(exc).strip(chr(39) + chr(34))}") from None
    emit(args, analysis.to_json(), lambda payload: _human(analysis.resolved, payload))
    return 0


def _money(x: float | None, cur: str) -> str:
    return present.money(x, cur)


def _human(project: Project, j: dict[str, Any]) -> str:
    cur = j["currency"]
    lines = [
        f"{project.name} — {project.horizon_months} months of {j['hours_per_month']:g} h, currency {cur}",
        "",
        f"{'option':<34} {'kind':<12} {'total (cash)':>16} {'amortised':>16} {'present value':>16} {'/used GPU-h':>12}",
    ]
    for o in sorted(j["options"], key=lambda o: o["total"]):
        per = "—" if o["per_used_gpu_hour"] is None else f"{o['per_used_gpu_hour']:.2f}"
        lines.append(
            f"{o['name'][:34]:<34} {o['kind']:<12} {_money(o['total'], cur):>16} "
            f"{_money(o['total_amortised'], cur):>16} {_money(o['present_value'], cur):>16} {per:>12}"
        )
    rec = j["recommendation"]
    if rec is None:
        lines += ["", "No recommendation:"]
        lines += [f"  • {r['text']}" for r in j["recommendation_blocked_by"]]
        lines += ["", "Why no option is a plan:"]
        lines += [f"  • {r['text']}" for st in j["option_status"].values() for r in st["why"]]
    else:
        lines += ["", f"Recommendation: {rec['option']} — {rec['label']}"]
        lines += [f"  • {r}" for r in rec["reasons"]]
    pl = j.get("plan")
    if pl and pl["status"] == "optimal":
        what = "present value" if pl["metric"] == "present_value" else "total"
        lines += ["", f"Optimised plan ({what} {_money(pl['objective'], cur)}):"]
        for name, e in pl["options"].items():
            bits = []
            if "servers_owned" in e:
                bits.append(f"up to {max(e['servers_owned'])} servers owned")
            for r in e.get("reserved_instances", []):
                term = f"{r['term_months']}-month" if r["term_months"] else "horizon"
                bits.append(f"up to {max(r['active'])} reserved instances ({term} term)")
            for kind, hours in e["gpu_hours"].items():
                bits.append(f"{sum(hours):,.0f} GPU-hours {kind.replace('_', '-')}")
            lines.append(f"  {name}: " + "; ".join(bits))
        if pl["liability_after_horizon"]:
            lines.append(
                f"  reservations owed after the horizon: {_money(pl['liability_after_horizon'], cur)}"
            )
    elif pl:
        lines += ["", "Optimised plan: none — some demand has no capacity allowed to serve it."]
    crossings = [b for b in j["break_even"] if b["month"] not in (None, 1)]
    if crossings:
        lines += ["", "Break-even (first month cumulative A ≤ B):"]
        for b in crossings:
            u = "" if b["utilization"] is None else f"; utilisation break-even {b['utilization']:.0%}"
            lines.append(f"  {b['a']} vs {b['b']}: month {b['month']}{u}")
    mc = j.get("monte_carlo")
    if mc:
        lines += [
            "",
            f"Monte Carlo ({mc['samples']:,} samples, seed {mc['seed']}): P10 / P50 / P90, P(cheapest)",
        ]
        for name in mc["p50"]:
            lines.append(
                f"  {name[:34]:<34} {_money(mc['p10'][name], cur):>16} {_money(mc['p50'][name], cur):>16} "
                f"{_money(mc['p90'][name], cur):>16} {mc['prob_cheapest'][name]:>7.1%}"
            )
    if j["warnings"]:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in j["warnings"]]
    return "\n".join(lines)
