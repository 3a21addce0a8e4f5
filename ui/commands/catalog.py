"""`planner catalog ...`: list, import, export and check the staleness of the catalog (no Qt)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from typing import Any

from ui import present
from ui.commands._common import CliError, add_json_flag, add_today_flag, emit, parse_date, today_of

LIST_TABLES = ("gpus", "servers", "cloud", "models", "fx")
_LISTERS = {
    "gpus": "list_gpus",
    "servers": "list_servers",
    "cloud": "list_cloud_skus",
    "models": "list_models",
    "fx": "list_fx",
}
# Columns shown by the text listing (JSON always carries every field).
_TEXT_COLUMNS = {
    "gpus": (
        "vendor",
        "name",
        "memory_gb",
        "bf16_dense_tflops",
        "tdp_w",
        "price_low_usd",
        "price_high_usd",
        "as_of",
    ),
    "servers": ("vendor", "model", "gpu_name", "gpu_count", "max_power_kw", "list_price_usd", "as_of"),
    "cloud": (
        "provider",
        "service_kind",
        "instance",
        "region",
        "gpu_count",
        "rate_unit",
        "on_demand_per_hour",
        "as_of",
    ),
    "models": ("name", "params_b", "layers", "hidden", "heads", "kv_heads", "experts", "as_of"),
    "fx": ("base", "quote", "rate", "as_of"),
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("catalog", help="list, import and export the sourced catalog")
    sub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)

    q = sub.add_parser("list", help="list one table (stale rows are marked)")
    q.add_argument("table", choices=LIST_TABLES)
    q.add_argument(
        "--where", default=None, help="text to match, or field=value / field<value ... joined with 'and'"
    )
    add_today_flag(q, "mark stale rows")
    add_json_flag(q)
    q.set_defaults(func=_list)

    q = sub.add_parser("import", help="import a CSV or XLSX file (all rows or none)")
    q.add_argument("file")
    q.add_argument("--table", choices=LIST_TABLES, default=None, help="default: inferred from the header")
    q.add_argument(
        "--replace-shipped",
        action="store_true",
        help="let rows that change shipped rows take them over (new app versions stop updating them)",
    )
    add_json_flag(q)
    q.set_defaults(func=_import)

    q = sub.add_parser("export", help="export a table to CSV or XLSX (by extension)")
    q.add_argument("file")
    q.add_argument("--table", choices=LIST_TABLES, required=True)
    add_json_flag(q)
    q.set_defaults(func=_export)

    q = sub.add_parser(
        "update",
        help="refresh cloud prices from price packs (SkyPilot vms.csv, gpuhunt catalog files): diff, then --apply",
    )
    q.add_argument("files", nargs="+", metavar="FILE")
    q.add_argument(
        "--as-of",
        default=None,
        type=parse_date,
        help="date of the snapshot (YYYY-MM-DD), for files that carry none; an AWS Price List file's own "
        "publication date wins",
    )
    q.add_argument("--provider", default=None, help="the cloud, when the file's folder or name does not say")
    q.add_argument(
        "--source", default=None, help="URL of the snapshot (default: the catalog's public location)"
    )
    q.add_argument(
        "--apply", action="store_true", help="write the changes (one transaction); default: diff only"
    )
    q.add_argument("--show", type=int, default=20, help="changed rows listed in the text output (default 20)")
    add_today_flag(q, "check snapshot dates")
    add_json_flag(q)
    q.set_defaults(func=_update)

    q = sub.add_parser("stale", help="rows whose as-of date is more than 12 months old")
    add_today_flag(q, "judge staleness")
    add_json_flag(q)
    q.set_defaults(func=_stale)


def _engine() -> Any:
    from db.migrate import UpgradeFailed
    from db.session import DatabaseUnavailable, get_engine

    try:
        return get_engine()
    except (DatabaseUnavailable, UpgradeFailed) as exc:  # their sentence names the database already
        raise CliError(str(exc), 3) from exc
    except Exception as exc:  # a bad URL, a corrupt file: one sentence
        raise CliError(f"cannot open the catalog database: {exc}", 3) from exc


def _plain(value: Any, today: dt.date) -> dict[str, Any]:
    from planner.catalog import is_stale

    data = dataclasses.asdict(value)
    as_of = data.get("as_of")
    data["stale"] = bool(as_of and is_stale(as_of, today))
    return data


def _rows(table: str, where: str | None, today: dt.date) -> list[dict[str, Any]]:
    from db import catalog

    engine = _engine()
    try:
        values = getattr(catalog, _LISTERS[table])(engine, where)
    except catalog.WhereError as exc:
        raise CliError(str(exc), 2) from exc
    return [_plain(v, today) for v in values]


def _text_table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
        return str(v)

    header = [*columns, "stale"]
    body = [[cell(r[c]) for c in columns] + ["STALE" if r["stale"] else ""] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)) for b in body]
    return "\n".join(line.rstrip() for line in lines)


def _list(args: argparse.Namespace) -> int:
    rows = _rows(args.table, args.where, today_of(args))
    emit(
        args,
        rows,
        lambda r: _text_table(_TEXT_COLUMNS[args.table], r) + f"\n{len(r)} row(s)",
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from db.io import CatalogImportError, import_file

    engine = _engine()
    try:
        report = import_file(engine, args.file, args.table, replace_shipped=args.replace_shipped)
    except CatalogImportError as exc:
        raise CliError(str(exc), 4) from exc
    except (OSError, ValueError) as exc:
        raise CliError(f"{args.file}: {exc}", 4) from exc
    emit(args, dataclasses.asdict(report), lambda _r: report.summary())
    return 0


def _export(args: argparse.Namespace) -> int:
    from db.io import export_file

    try:
        count = export_file(_engine(), args.file, args.table)
    except (OSError, ValueError) as exc:
        raise CliError(f"{args.file}: {exc}", 4) from exc
    emit(
        args,
        {"table": args.table, "file": args.file, "rows": count},
        lambda r: f"{r['rows']} row(s) written to {r['file']}",
    )
    return 0


def _stale(args: argparse.Namespace) -> int:
    found: list[dict[str, Any]] = []
    today = today_of(args)
    for table in LIST_TABLES:
        for row in _rows(table, None, today):
            if row["stale"]:
                key = _key_text(table, row)
                found.append(
                    {"table": table, "key": key, "as_of": row["as_of"], "source_url": row["source_url"]}
                )

    def human(rows: list[dict[str, Any]]) -> str:
        lines = [
            f"{r['table']:8} {r['as_of']}  {(today - r['as_of']).days:5d} days  {r['key']}" for r in rows
        ]
        return "\n".join([*lines, f"{len(rows)} stale row(s) (as-of more than 12 months ago)"])

    emit(args, found, human)
    return 0


def _key_text(table: str, row: dict[str, Any]) -> str:
    from db.schema import SPECS

    return " / ".join(str(row[k]) for k in SPECS[table].key)


def _diff_json(diff: Any, report: Any | None) -> dict[str, Any]:
    return {
        "packs": [
            {
                "file": p.path,
                "format": p.kind,
                "provider": p.provider,
                "as_of": p.as_of.isoformat(),
                "source_url": p.source_url,
                "rows": len(p.rows),
                "skipped": [dataclasses.asdict(s) for s in p.skipped],
            }
            for p in diff.packs
        ],
        "added": [" / ".join(str(v[k]) for k in ("provider", "instance", "region")) for v in diff.added],
        "changed": [
            {
                "key": " / ".join(c.key),
                "prices": [
                    {"pricing": p.pricing, "old": p.old, "new": p.new, "percent": p.percent} for p in c.prices
                ],
                "other": list(c.other),
            }
            for c in diff.changed
        ],
        "unchanged": diff.unchanged,
        "no_longer_listed": [" / ".join(k) for k in diff.no_longer_listed],
        "kept_user_rows": [" / ".join(k) for k in diff.user_owned],
        "kept_newer_rows": [" / ".join(k) for k in diff.newer_kept],
        "applied": report is not None,
        "written": (report.inserted + report.updated) if report is not None else 0,
    }


def _money(v: float | None) -> str:
    return present.rate(v, "USD")


def _diff_text(data: dict[str, Any], show: int) -> str:
    lines = []
    for p in data["packs"]:
        lines.append(
            f"{p['file']}: {p['format']}, {p['provider']}, snapshot of {p['as_of']}, {p['rows']} priced GPU row(s)"
        )
        for s in p["skipped"]:
            lines.append(f"  left out {s['rows']} row(s): {s['reason']} (e.g. {s['example']})")
    lines.append(
        f"{len(data['added'])} added, {len(data['changed'])} changed, {data['unchanged']} unchanged, "
        f"{len(data['no_longer_listed'])} no longer listed"
        + (f", {len(data['kept_newer_rows'])} kept (newer in the catalog)" if data["kept_newer_rows"] else "")
        + (f", {len(data['kept_user_rows'])} of your own rows kept" if data["kept_user_rows"] else "")
    )
    for c in data["changed"][:show]:
        parts = []
        for p in c["prices"]:
            pct = "" if p["percent"] is None else f" ({p['percent']:+.1f} %)"
            parts.append(f"{p['pricing'].replace('_', '-')} {_money(p['old'])} -> {_money(p['new'])}{pct}")
        if c["other"]:
            parts.append("also " + ", ".join(c["other"]))
        lines.append(f"  changed  {c['key']}: " + "; ".join(parts))
    if len(data["changed"]) > show:
        lines.append(f"  ... and {len(data['changed']) - show} more changed row(s)")
    for key in data["no_longer_listed"][:show]:
        lines.append(f"  no longer listed  {key} (kept)")
    if data["applied"]:
        lines.append(
            f"applied: {data['written']} row(s) written in one transaction; old prices kept in the history"
        )
    else:
        lines.append("nothing written (diff only): add --apply to write these changes")
    return "\n".join(lines)


def _update(args: argparse.Namespace) -> int:
    from db.io import CatalogImportError
    from db.packs import apply_packs, diff_packs, read_packs

    engine = _engine()
    try:
        packs = read_packs(
            args.files,
            engine=engine,
            today=today_of(args),
            as_of=args.as_of,
            provider=args.provider,
            source_url=args.source,
        )
    except CatalogImportError as exc:
        raise CliError(str(exc), 4) from exc
    if args.apply:
        diff, report = apply_packs(engine, packs)
    else:
        diff, report = diff_packs(engine, packs), None
    data = _diff_json(diff, report)
    emit(args, data, lambda d: _diff_text(d, args.show))
    return 0
