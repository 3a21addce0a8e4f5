"""`planner fx ...`: the ECB euro reference-rate history (no Qt).

- ``list [CURRENCY ...] [--on DATE] [--base CODE]``: the rates as of a date and how old each one is.
- ``import FILE``: a newer ECB file (eurofxref-hist.csv / .zip, or the one-day eurofxref.csv / .zip), taken
  in offline in one transaction; a bad file is refused whole, naming each bad line.
- ``export FILE [--since DATE]``: the whole history in the ECB's history layout.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from typing import Any

from ui.commands._common import CliError, add_json_flag, emit


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("fx", help="ECB exchange-rate history: list, import a newer ECB file, export")
    sub = p.add_subparsers(dest="fx_command", metavar="ACTION", required=True)

    q = sub.add_parser("list", help="rates as of a date (the last published on or before it)")
    q.add_argument("currencies", nargs="*", metavar="CURRENCY", help="ISO 4217 codes (default: all)")
    q.add_argument("--on", type=_date, default=None, help="date YYYY-MM-DD (default: today)")
    q.add_argument("--base", default="EUR", help="1 unit of this currency in each other (default EUR)")
    add_json_flag(q)
    q.set_defaults(func=_list)

    q = sub.add_parser("import", help="import an ECB rates file, CSV or zip (all rows or none)")
    q.add_argument("file")
    add_json_flag(q)
    q.set_defaults(func=_import)

    q = sub.add_parser("export", help="write the history as an ECB-style CSV file")
    q.add_argument("file")
    q.add_argument("--since", type=_date, default=None, help="first date YYYY-MM-DD (default: all)")
    add_json_flag(q)
    q.set_defaults(func=_export)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _engine() -> Any:
    from db.migrate import UpgradeFailed
    from db.session import DatabaseUnavailable, get_engine

    try:
        return get_engine()
    except (DatabaseUnavailable, UpgradeFailed) as exc:  # their sentence names the database already
        raise CliError(str(exc), 3) from exc
    except Exception as exc:  # a bad URL, a corrupt file: one sentence
        raise CliError(f"cannot open the catalog database: {exc}", 3) from exc


def _list(args: argparse.Namespace) -> int:
    from db import fx as fx_db
    from planner import clock
    from planner.fx import LARGE_GAP_DAYS, gap_days, rate_on, rates_on

    on = args.on or clock.today()
    base = args.base.upper()
    known = fx_db.history(_engine())
    if base not in known.currencies:
        raise CliError(f"no exchange rate for {base} is known (not an ECB reference currency)", 2)
    try:
        rates = [rate_on(known, base, c, on) for c in args.currencies] or rates_on(known, on, base)
    except LookupError as exc:
        raise CliError(str(exc), 2) from exc
    newest = known.newest()
    payload = {
        "on": on.isoformat(),
        "base": base,
        "newest_publication": newest.isoformat() if newest else None,
        "rates": [
            {
                "base": r.base,
                "quote": r.quote,
                "rate": r.rate,
                "as_of": r.as_of.isoformat(),
                "gap_days": gap_days(r, on),
                "source": r.source,
            }
            for r in rates
        ],
    }

    def human(p: dict[str, Any]) -> str:
        lines = [f"Exchange rates as of {p['on']}: 1 {base} in each currency (ECB euro reference rates)"]
        lines.append(f"{'pair':9} {'rate':>14}  {'published':10}  {'gap (days)':>10}")
        for r in p["rates"]:
            mark = "  OLDER" if r["gap_days"] > LARGE_GAP_DAYS else ""
            pair = f"{r['base']}/{r['quote']}"
            lines.append(f"{pair:9} {r['rate']:>14.8g}  {r['as_of']:10}  {r['gap_days']:>10}{mark}")
        older = [r for r in p["rates"] if r["gap_days"] > LARGE_GAP_DAYS]
        if older:
            lines.append(f"OLDER: published more than {LARGE_GAP_DAYS} days before {p['on']}.")
        ended = sorted({c for r in older for c in (r["base"], r["quote"]) if _ended(known, c, on)})
        if ended:
            lines.append(f"The ECB published no later rate for {', '.join(ended)}.")
        if newest is not None and (on - newest).days > LARGE_GAP_DAYS:
            lines.append(
                f"The newest ECB rates known are from {newest.isoformat()}: "
                "`planner fx import FILE` takes in a newer ECB file."
            )
        sources = sorted({s for r in p["rates"] for s in r["source"].split("; ") if s})
        if sources:
            lines.append("Source: European Central Bank, " + ", ".join(sources))
        return "\n".join(lines)

    emit(args, payload, human)
    return 0


def _ended(known: Any, currency: str, on: dt.date) -> bool:
    """True when the ECB went on publishing other rates well after this currency's last one."""
    from planner.fx import LARGE_GAP_DAYS

    last, newest = known.euro_rate(currency, on), known.newest(on)
    return last is not None and newest is not None and (newest - last.as_of).days > LARGE_GAP_DAYS


def _import(args: argparse.Namespace) -> int:
    from db.fx import import_ecb_file
    from planner import clock
    from planner.fx import FxFileError

    engine = _engine()
    try:
        report = import_ecb_file(engine, args.file, now=clock.now())
    except FxFileError as exc:
        raise CliError(str(exc), 4) from exc
    except OSError as exc:
        raise CliError(f"{args.file}: {exc.strerror or exc}", 4) from exc
    payload = dataclasses.asdict(report)
    emit(args, payload, lambda _p: report.summary())
    return 0


def _export(args: argparse.Namespace) -> int:
    from db.fx import export_ecb_csv

    try:
        days = export_ecb_csv(_engine(), args.file, since=args.since)
    except OSError as exc:
        raise CliError(f"{args.file}: {exc.strerror or exc}", 4) from exc
    emit(
        args,
        {"file": args.file, "days": days},
        lambda p: f"{p['days']} day(s) of ECB rates written to {p['file']}",
    )
    return 0
