"""`planner estimate SPEC.json [--json]`: GPU memory per GPU (with its breakdown), the fit on every catalog
GPU (minimum count, what would make it fit) and GPU-hours, headless (no Qt).

SPEC is one JSON object or a list of them (the output is then a list in the same order). Model and GPU
names are resolved through the catalog; an inline architecture needs no catalog model.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from planner.catalog import Gpu, ModelArch
from planner.engine.estimate import EstimateResult, SpecError, estimate, fit_servers, parse_spec
from planner.inputs import MAX_JSON_BYTES, BadInput, clean_tree, loads_json
from ui.commands._common import CliError, add_json_flag, emit

MAX_SPECS = 100
"""Most specs one `planner estimate` call evaluates (each is resolved against the whole GPU catalog)."""
SPEC_NUMBER_LIMIT = 1e32
"""Largest magnitude of a number in a SPEC file (the fields' own ranges are narrower; planner.engine.estimate)."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "estimate",
        help="GPU memory, fit and GPU-hours of a training, fine-tuning or inference job",
        description="Estimate per-GPU memory (allocated peak and what the device shows), the fit on each catalog "
        "GPU with the minimum GPU count and a suggestion when it does not fit, and GPU-hours/wall-clock hours "
        "when 'tokens' and 'gpu' are given. SPEC fields and formulas: docs/MEMORY_MODEL.md.",
    )
    p.add_argument("spec", metavar="SPEC.json", help="one spec object or a list of them")
    add_json_flag(p)
    p.set_defaults(func=run)


def _load(path: str) -> list[dict[str, Any]] | dict[str, Any]:
    """The SPEC file's JSON; every way it can be unreadable or out of bounds is one CliError sentence naming
    the file (planner.inputs: size, depth, integer digits, finite numbers, clean text; at most MAX_SPECS)."""
    try:
        if Path(path).stat().st_size > MAX_JSON_BYTES:
            raise CliError(f"{path}: more than the {MAX_JSON_BYTES / 1e6:g} MB a SPEC file may hold")
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a folder, not a SPEC file") from None
    except PermissionError:
        raise CliError(f"{path}: permission denied") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = clean_tree(loads_json(raw), number_limit=SPEC_NUMBER_LIMIT)
    except BadInput as exc:
        where = f"field '{exc.where}': " if exc.where else ""
        raise CliError(f"{path}: {where}{exc.message}") from None
    if not isinstance(data, dict | list):
        raise CliError(f"{path}: must hold a spec object or a list of spec objects")
    if isinstance(data, list) and len(data) > MAX_SPECS:
        raise CliError(f"{path}: holds {len(data):,} specs; one call estimates at most {MAX_SPECS:,}")
    return data


def _catalog() -> tuple[Any, list[Gpu]]:
    """The catalog engine and every GPU in it (imported lazily so `--help` needs no database)."""
    from db.catalog import list_gpus
    from db.session import get_engine

    engine = get_engine()
    return engine, list_gpus(engine)


def _with_servers(engine: Any, result: EstimateResult) -> dict[str, Any]:
    """The result's JSON plus, per catalog server platform, how many servers the job needs."""
    from db.catalog import list_servers

    out = result.to_json()
    out["servers"] = [
        {
            "server": f"{s.vendor} {s.model}",
            "gpu": s.gpu,
            "gpus_per_server": s.gpus_per_server,
            "servers_needed": s.servers_needed,
            "fits_one_server": s.fits_one_server,
        }
        for s in fit_servers(result, list_servers(engine))
    ]
    return out


def _evaluate(raw: Any, where: str, catalog: tuple[Any, list[Gpu]]) -> EstimateResult:
    """Parse, resolve catalog names and estimate one spec; CliError naming the field otherwise."""
    from db.catalog import get_gpu, get_model

    try:
        spec = parse_spec(raw)
    except SpecError as exc:
        raise CliError(f"{where}: field '{exc.field}': {str(exc).split(': ', 1)[1]}") from None
    engine, gpus = catalog
    model = spec.model
    if isinstance(model, str):
        try:
            model = get_model(engine, model)
        except LookupError as exc:
            raise CliError(f"{where}: field 'model': {exc}") from None
    assert isinstance(model, ModelArch)
    if spec.gpu is not None:
        try:
            wanted = get_gpu(engine, spec.gpu)
        except LookupError as exc:
            raise CliError(f"{where}: field 'gpu': {exc}") from None
        spec = replace(spec, gpu=wanted.name)
    try:
        return estimate(spec, model, gpus)
    except SpecError as exc:
        raise CliError(f"{where}: field '{exc.field}': {str(exc).split(': ', 1)[1]}") from None


def run(args: argparse.Namespace) -> int:
    data = _load(args.spec)
    items = data if isinstance(data, list) else [data]
    if not items:
        raise CliError(f"{args.spec}: the list of specs is empty")
    catalog = _catalog()
    results = [
        _evaluate(raw, f"{args.spec}" + (f" item {i}" if isinstance(data, list) else ""), catalog)
        for i, raw in enumerate(items)
    ]
    payload: Any = [_with_servers(catalog[0], r) for r in results]
    if not isinstance(data, list):
        payload = payload[0]
    emit(args, payload, lambda _: "\n\n".join(_human(r) for r in results))
    return 0


def _human(r: EstimateResult) -> str:
    lines = [
        f"{r.model} · {r.method}: peak allocated {r.peak_gb_per_gpu:.1f} GB/GPU, "
        f"device (reserved + CUDA context) {r.device_gb_per_gpu:.1f} GB/GPU"
        + (
            f" (range {r.device_gb_band[0]:.1f}-{r.device_gb_band[1]:.1f} GB by framework and allocator; "
            "fit is judged on the high end)"
            if r.device_gb_band
            else ""
        ),
        "  breakdown: " + ", ".join(f"{k} {v:.2f}" for k, v in r.breakdown_gb.items()),
    ]
    if r.host_gb:
        where = "host RAM" if r.offload == "cpu" else "NVMe"
        lines.append(
            f"  offloaded to {where} (GB/GPU, not on the GPU): "
            + ", ".join(f"{k} {v:.2f}" for k, v in r.host_gb.items())
        )
    for f in r.fits:
        status = "fits" if f.fits_as_configured else "does not fit"
        extra = f"; {f.suggestion}" if f.suggestion else ""
        need = f"min {f.min_gpus} GPU(s)" if f.min_gpus else "no GPU count fits"
        lines.append(
            f"  {f.gpu:<16} {f.gpu_memory_gb:>5.0f} GB  {status:<12} margin {f.margin_gb:+.1f} GB, {need}{extra}"
        )
    if r.gpu_hours is not None and r.wall_hours is not None:
        lines.append(
            f"  time on {r.time_gpu}: {r.gpu_hours:,.1f} GPU-hours, {r.wall_hours:,.1f} h wall-clock"
        )
    if r.serving is not None:
        lines.append(_serving_line(r))
    lines += [f"  warning: {w}" for w in r.warnings]
    return "\n".join(lines)


def _serving_line(r: EstimateResult) -> str:
    """Serving throughput on the time GPU, in words."""
    sv = r.serving or {}
    text = (
        f"  serving on {sv['gpus_per_replica']} x {r.time_gpu}: {sv['concurrency']} sequences at once, "
        f"first token after {sv['ttft_s'] * 1e3:,.0f} ms, then {sv['tpot_ms']:,.1f} ms per token; "
        f"{sv['requests_per_s_per_replica']:,.2f} requests/s per replica, "
        f"{sv['output_tokens_per_s_per_gpu']:,.0f} generated tokens/s per GPU ({sv['bound']} bound)"
    )
    if "kv_pool_gb_per_gpu" in sv:
        text += (
            f"; KV-cache pool {sv['kv_pool_gb_per_gpu']:,.1f} GB per GPU holds "
            f"{sv['max_concurrency']:,.1f} full-length sequences"
        )
    if "gpus_needed" in sv:
        text += (
            f"; the load needs {sv['gpus_needed']} GPU(s) ({sv['replicas_needed']} replica(s)), "
            f"{sv['gpu_hours_per_month']:,.0f} GPU-hours a month"
        )
    return text
