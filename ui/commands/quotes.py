"""`planner quotes import|list|compare`: vendor quotes, headless (no Qt).

- ``import FILE --vendor NAME [--date D] [--valid-until D] [--currency C] [--date-order ORDER]
  [--mapping MAPPING.json]``: without a mapping the vendor's remembered one is tried, then the layout is
  detected (header row in any sheet, column names in English, German, French or Spanish, title-block facts
  by label, the file's number and date conventions; docs/QUOTES.md).
- ``list [--json]``.
- ``compare [IDS...] [--project PROJECT.json] [--utilization U] [--xlsx OUT.xlsx] [--json]``: totals, USD
  per GPU / GB / dense BF16 PFLOPS, all-in USD per GPU-hour from the TCO engine's on-prem model under the
  project's site terms (sourced defaults without a project), best value per criterion.
"""

from __future__ import annotations

import argparse
from typing import Any

from ui import present
from ui.commands._common import CliError, add_json_flag, add_today_flag, emit, parse_date, today_of


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("quotes", help="import, list and compare vendor quotes for GPU servers")
    sub = p.add_subparsers(dest="quotes_command", metavar="ACTION", required=True)

    imp = sub.add_parser("import", help="import a quote from a CSV or XLSX file")
    imp.add_argument("file", metavar="FILE", help="CSV or XLSX quote")
    imp.add_argument("--vendor", required=True, help="vendor name (its column mapping is remembered)")
    imp.add_argument(
        "--date", type=parse_date, default=None, help="quote date YYYY-MM-DD (default: file or today)"
    )
    imp.add_argument("--valid-until", type=parse_date, default=None, help="end of validity YYYY-MM-DD")
    imp.add_argument("--currency", default=None, help="ISO currency code of the amounts (e.g. EUR)")
    imp.add_argument(
        "--date-order",
        choices=sorted(DATE_ORDER_WORDS),
        default=None,
        help="how to read slashed dates the file leaves ambiguous (12/03/2026): day-first or month-first",
    )
    imp.add_argument("--mapping", default=None, metavar="MAPPING.json", help="column mapping for this layout")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace a quote already imported (same vendor and quote number, or the same lines)",
    )
    add_today_flag(imp, "date a quote without one and judge expiry")
    add_json_flag(imp)
    imp.set_defaults(func=run_import)

    ls = sub.add_parser("list", help="list the stored quotes")
    add_today_flag(ls, "judge expiry")
    add_json_flag(ls)
    ls.set_defaults(func=run_list)

    cmp = sub.add_parser("compare", help="compare quotes side by side (all when no ids are given)")
    cmp.add_argument("ids", nargs="*", type=int, metavar="ID", help="quote ids (see `planner quotes list`)")
    cmp.add_argument("--project", default=None, metavar="PROJECT.json", help="site terms, horizon and demand")
    cmp.add_argument("--utilization", type=float, default=None, help="fixed utilisation 0..1 for every quote")
    cmp.add_argument("--xlsx", default=None, metavar="OUT.xlsx", help="also export the comparison to XLSX")
    add_today_flag(cmp, "judge expiry")
    add_json_flag(cmp)
    cmp.set_defaults(func=run_compare)


DATE_ORDER_WORDS = {"day-first": "dmy", "month-first": "mdy"}


def _engine() -> Any:
    from db.session import get_engine

    return get_engine()


def run_import(args: argparse.Namespace) -> int:
    from db.quotes import QuoteImportError, import_quote, load_mapping_file

    try:
        mapping = load_mapping_file(args.mapping) if args.mapping else None
        result = import_quote(
            _engine(),
            args.file,
            vendor=args.vendor,
            mapping=mapping,
            quote_date=args.date,
            valid_until=args.valid_until,
            currency=args.currency,
            date_order=DATE_ORDER_WORDS.get(args.date_order or ""),
            replace_existing=args.replace,
            today=today_of(args),
        )
    except QuoteImportError as exc:
        raise CliError(str(exc)) from None
    from db.quotes import catalog_maps
    from planner.quotes import included_support_years, quote_figures, quote_hardware

    servers, gpus = catalog_maps(_engine())
    q = result.quote
    f = quote_figures(q, quote_hardware(q, servers, gpus), today=today_of(args))
    payload = {
        "id": result.quote_id,
        "vendor": q.vendor,
        "quote_number": q.quote_number,
        "quote_date": q.quote_date.isoformat(),
        "valid_until": q.valid_until.isoformat() if q.valid_until else None,
        "customer": q.customer,
        "currency": q.currency,
        "lines": len(q.lines),
        "total": round(f.total, 2),
        "net_total_before_tax": round(f.total, 2),
        "tax": round(q.tax_total, 2),
        "taxes": [
            {"description": t.description, "amount": round(t.amount, 2), "rate": t.rate} for t in q.taxes
        ],
        "support_years": included_support_years(q),
        "lead_time_weeks": q.lead_time_weeks,
        "flags": list(q.flags),
        "read_as": _read_as(result.layout),
        "best_eligible": not f.best_excluded_because,
        "total_usd": round(f.total_usd, 2),
        "fx": {"usd_per_unit": f.usd_per_unit, "as_of": q.fx.as_of.isoformat(), "source": q.fx.source_url}
        if q.fx
        else None,
        "gpus": f.hardware.gpus,
        "expired": f.expired,
        "warnings": list(f.warnings),
        "notes": list(result.notes),
        "matches": [
            {
                "line": n,
                "description": x.description,
                "match": x.server_model or x.gpu_name,
                "confidence": x.match_score,
                "confirmed": x.match_confirmed,
            }
            for n, x in enumerate(q.lines, start=1)
            if x.kind in ("gpu_server", "gpu") and x.parent is None
        ],
    }
    emit(args, payload, _human_import)
    return 0


def _read_as(layout: Any) -> dict[str, Any] | None:
    """How the file was read (sheet, header row, columns, conventions), for the user to check."""
    if layout is None:
        return None
    languages = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
    parts = [] if layout.encoding else [f"sheet {layout.sheet!r}"]
    parts.append(f"header on row {layout.header_row} ({languages[layout.language]})")
    if layout.encoding:
        delimiter = {"\t": "tab"}.get(layout.delimiter, repr(layout.delimiter))
        parts.append(f"{layout.encoding}, {delimiter}-separated")
    parts.append("decimal comma" if layout.decimal == "," else "decimal point")
    if layout.date_order:
        parts.append("dates day first" if layout.date_order == "dmy" else "dates month first")
    return {
        "sheet": layout.sheet,
        "header_row": layout.header_row,
        "columns": dict(layout.headers),
        "language": layout.language,
        "decimal": layout.decimal,
        "encoding": layout.encoding,
        "delimiter": layout.delimiter,
        "date_order": layout.date_order,
        "summary": ", ".join(parts),
    }


def _human_import(p: dict[str, Any]) -> str:
    fx = ""
    if p["fx"]:
        fx = f" = {p['total_usd']:,.2f} USD at {p['fx']['usd_per_unit']:g} USD/{p['currency']} ({p['fx']['as_of']})"
    valid = f", valid until {p['valid_until']}" if p["valid_until"] else ", no validity stated"
    lead = f"{p['lead_time_weeks']:g} weeks" if p["lead_time_weeks"] is not None else "not stated"
    out = [
        f"Imported quote {p['id']}: {p['vendor']} {p['quote_number']}".rstrip(),
        f"  dated {p['quote_date']}{valid}" + (f", for {p['customer']}" if p["customer"] else ""),
        f"  {p['lines']} lines, net total before tax {p['total']:,.2f} {p['currency']}{fx}, {p['gpus']} GPUs",
        f"  tax (kept out of capex) {p['tax']:,.2f} {p['currency']}"
        + "".join(f"; {t['description']} {t['amount']:,.2f}" for t in p["taxes"]),
        f"  support {p['support_years']:g} years, lead time {lead}",
    ]
    if p["read_as"]:
        out.append(f"  read as: {p['read_as']['summary']}")
    for m in p["matches"]:
        state = "confirmed" if m["confirmed"] else "suggested, confirm in the Quotes view"
        if m["confidence"] is not None and not m["confirmed"]:
            state = f"suggested with {m['confidence']:.0%} confidence, confirm in the Quotes view"
        out.append(
            f"  line {m['line']}: {m['description'][:50]!r} → {m['match'] or 'no catalog match'} ({state})"
        )
    out += [f"  note: {n}" for n in p["notes"]]
    out += [f"  WARNING: {w}" for w in p["warnings"]]
    if not p["best_eligible"] and p["flags"]:
        out.append("  This quote is flagged: it will not be shown as best until the vendor corrects it.")
    return "\n".join(out)


def run_list(args: argparse.Namespace) -> int:
    from db.quotes import list_quotes
    from planner.quotes import is_expired, quote_total

    today = today_of(args)
    rows = [
        {
            "id": q.id,
            "vendor": q.vendor,
            "quote_number": q.quote_number,
            "quote_date": q.quote_date.isoformat(),
            "valid_until": q.valid_until.isoformat() if q.valid_until else None,
            "currency": q.currency,
            "total": round(quote_total(q), 2),
            "lines": len(q.lines),
            "expired": is_expired(q, today),
            "source_file": q.source_file,
        }
        for q in list_quotes(_engine())
    ]
    emit(args, {"quotes": rows}, _human_list)
    return 0


def _human_list(p: dict[str, Any]) -> str:
    if not p["quotes"]:
        return "No quotes yet: planner quotes import FILE --vendor NAME"
    out = [
        f"{'id':>4}  {'vendor':<28} {'number':<16} {'date':<10}  {'valid until':<11} {'total':>18}  status"
    ]
    for q in p["quotes"]:
        total = f"{q['total']:,.2f} {q['currency']}"
        status = "EXPIRED" if q["expired"] else "valid"
        out.append(
            f"{q['id']:>4}  {q['vendor'][:28]:<28} {q['quote_number'][:16]:<16} {q['quote_date']:<10}  "
            f"{q['valid_until'] or '—':<11} {total:>18}  {status}"
        )
    return "\n".join(out)


def run_compare(args: argparse.Namespace) -> int:
    from db.analysis_catalog import DbCatalog
    from db.quotes import (
        OutputPathError,
        check_output_path,
        export_comparison_xlsx,
        figures_to_json,
        list_quotes,
    )
    from planner.analysis import analyse, compare_without_project
    from planner.project import ProjectError, load_project

    if args.utilization is not None and not 0.0 < args.utilization <= 1.0:
        raise CliError("--utilization must be in (0, 1]")
    if args.xlsx:
        try:
            check_output_path(args.xlsx)
        except OutputPathError as exc:
            raise CliError(f"--xlsx: {exc}") from None
    catalog = DbCatalog(_engine())
    try:
        quotes = list_quotes(catalog.engine, args.ids or None)
    except KeyError as exc:
        raise CliError(str(exc).strip("'\"")) from None
    if not quotes:
        raise CliError("no quotes to compare: planner quotes import FILE --vendor NAME")
    today = today_of(args)
    try:
        if args.project:
            project = load_project(args.project)
            analysis = analyse(
                project, catalog, today=today, samples=0, quotes=quotes, quote_utilization=args.utilization
            )
            assert analysis.quotes is not None
            comparison = analysis.quotes
        else:
            comparison = compare_without_project(quotes, catalog, today=today, utilization=args.utilization)
    except ProjectError as exc:
        raise CliError(f"{args.project}: {exc}") from None
    except LookupError as exc:
        raise CliError(f"{args.project}: {str(exc).strip(chr(39) + chr(34))}") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    figures, site = list(comparison.figures), comparison.site
    payload = figures_to_json(figures, site)
    if args.xlsx:
        try:
            payload["xlsx"] = str(export_comparison_xlsx(args.xlsx, figures, site))
        except OutputPathError as exc:
            raise CliError(f"--xlsx: {exc}") from None
    emit(args, payload, _human_compare)
    return 0


def _fmt(x: float | None, digits: int = 0) -> str:
    return present.number(x, digits)


def _human_compare(p: dict[str, Any]) -> str:
    best = {k: v for k, v in p["best"].items()}
    cols = [
        ("total_usd", "total USD", 0),
        ("per_gpu_usd", "USD/GPU", 0),
        ("per_gb_usd", "USD/GB", 1),
        ("per_pflop_usd", "USD/PFLOPS", 0),
        ("per_gpu_hour_usd", "USD/GPU-h", 3),
    ]
    head = f"{'id':>4}  {'quote':<34} {'GPUs':>5} " + " ".join(f"{label:>14}" for _, label, _ in cols)
    out = [head]
    for q in p["quotes"]:
        cells = []
        for key, _, digits in cols:
            mark = "*" if best.get(key) == q["id"] else " "
            cells.append(f"{_fmt(q[key], digits) + mark:>14}")
        label = f"{q['vendor']} {q['quote_number']}".strip()
        out.append(f"{q['id']:>4}  {label[:34]:<34} {q['gpus']:>5} " + " ".join(cells))
        if q["fx"]:
            out.append(f"{'':6}{q['currency']} → USD at {q['fx']['usd_per_unit']:g} as of {q['fx']['as_of']}")
        out += [f"{'':6}WARNING: {w}" for w in q["warnings"]]
        out += [
            f"{'':6}ADDED to USD/GPU-h: {a['item']}: {a['usd']:,.2f} USD ({a['basis']})"
            for a in q["adjustments"]
        ]
    out.append(f"* best value, lower is better: {p['best_rule']}")
    out += [
        f"  not eligible for best: {x['vendor']} (id {x['id']}): {'; '.join(x['reasons'])}"
        for x in p["best_excludes"]
    ]
    if not p["best"]:
        out.append("  no quote is eligible, so none is marked best")
    basis = p.get("per_gpu_hour_basis")
    if basis:
        util = "from demand" if basis["utilization"] is None else f"{basis['utilization']:.0%}"
        out.append(
            f"USD/GPU-h: TCO engine on-prem model over {basis['horizon_months']} months, utilisation {util}"
        )
        out += [f"  - {a}" for a in basis["assumptions"]]
    if p.get("xlsx"):
        out.append(f"Comparison written to {p['xlsx']}")
    return "\n".join(out)
