"""Match quote lines to the catalog: fuzzy on model names and part numbers (rapidfuzz), checked on what
the text says about the GPU (model and count) and the CPU maker, with a confidence for the user to confirm;
and reconcile the GPUs a quote's lines describe with servers × the matched platform's GPUs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from planner.catalog import Gpu, ServerPlatform
from planner.quotes import QuoteLine

MIN_CONFIDENCE = 0.5
"""Below this a suggestion is not made at all (the line is left for the user to map)."""

_GPU_MODELS = (
    "gh200",
    "b200",
    "b100",
    "h200",
    "h100",
    "a100",
    "l40s",
    "l40",
    "l4",
    "a10g",
    "a6000",
    "v100",
    "mi325x",
    "mi300x",
    "mi250x",
    "mi210",
    "rtx4090",
    "rtx6000",
)
_MODEL_ALT = "|".join(sorted(_GPU_MODELS, key=len, reverse=True))
_PER_UNIT = re.compile(r"(?<![a-z0-9])(\d+)\s*-?\s*gpus?\b")
_TIMES_MODEL = re.compile(
    rf"(?<![a-z\d.])(\d+)\s*x\s*(?:nvidia\s+|amd\s+)?(?:instinct\s+|hgx\s+|tesla\s+)?(?:{_MODEL_ALT})(?![a-z0-9])"
)


def _prepared(text: str) -> str:
    t = text.lower().replace("×", "x")
    t = re.sub(r"(?<![a-z\d.])(\d+)\s*x\s*", r"\1 x ", t)  # "8xH100" → "8 x h100" ("mi300x" untouched)
    return re.sub(r"\brtx\s+(\d)", r"rtx\1", t)


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def gpu_models_in(text: str) -> set[str]:
    """GPU model tokens a text names ("h100", "mi300x"...): whole tokens, so "l40s" is not "l4"."""
    t = _prepared(text)
    return {m for m in _GPU_MODELS if re.search(rf"(?<![a-z0-9]){m}(?![a-z0-9])", t)}


def gpu_count_in(text: str) -> int | None:
    """GPUs per unit a text states: "8x H100", "8 x NVIDIA H200", "HGX H100 8-GPU"; None if it states none."""
    t = _prepared(text)
    m = _PER_UNIT.search(t) or _TIMES_MODEL.search(t)
    return int(m.group(1)) if m else None


def _cpu_maker(text: str) -> str | None:
    t = text.lower()
    if re.search(r"\b(epyc|amd\s+epyc|genoa|turin)\b", t):
        return "amd"
    if re.search(r"\b(xeon|intel|sapphire rapids|emerald rapids)\b", t):
        return "intel"
    return None


def _gpu_model_of(name: str) -> str | None:
    models = gpu_models_in(name)
    return next(iter(models)) if len(models) == 1 else None


@dataclass(frozen=True)
class CatalogMatch:
    """A suggested catalog match: ``kind`` "server" (platform model) or "gpu" (GPU name), confidence 0..1,
    and why, in words."""

    kind: str
    key: str
    confidence: float
    reason: str


def match_server(text: str, servers: Iterable[ServerPlatform]) -> CatalogMatch | None:
    """The platform a server line (with its components' text) describes.

    A platform is a candidate only when its GPU model is the one the text names (when it names one) and
    its GPU count the one the text states (when it states one); a CPU maker other than the text's lowers
    the confidence and is said in the reason (a platform with the right CPU ranks first).
    The confidence (0..1) is half the name likeness (rapidfuzz: the better of the token-set ratio against
    vendor + model and the partial ratio of the model's name) and half what was checked: GPU model 0.6,
    GPU count 0.25, CPU maker 0.15 (−0.15 when it differs); a text naming none of them gets at most 0.5.
    """
    models = gpu_models_in(text)
    count = gpu_count_in(text)
    cpu = _cpu_maker(text)
    plain = _plain(text)
    best: tuple[float, str, str, float] | None = None
    for platform in servers:
        platform_gpu = _gpu_model_of(platform.gpu_name)
        if models and platform_gpu not in models:
            continue
        if count is not None and count != platform.gpu_count:
            continue
        platform_cpu = _cpu_maker(platform.cpu)
        cpu_differs = bool(cpu and platform_cpu and cpu != platform_cpu)
        core = _plain(re.sub(r"\(.*?\)", "", platform.model))
        name = (
            max(
                fuzz.token_set_ratio(plain, _plain(f"{platform.vendor} {platform.model}")),
                fuzz.partial_ratio(core, plain) if len(core) >= 4 else 0.0,
            )
            / 100.0
        )
        checked = (0.6 if models else 0.0) + (0.25 if count is not None else 0.0)
        checked += (-0.15 if cpu_differs else 0.15) if cpu and platform_cpu else 0.0
        checks = [f"GPU {platform.gpu_name}"] if models else []
        checks += [f"{count} GPUs"] if count is not None else []
        checks += (
            [("AMD" if cpu == "amd" else "Intel") + " CPU"]
            if cpu and platform_cpu and not cpu_differs
            else []
        )
        score = 0.5 * name + 0.5 * checked
        reason = f"name {name:.0%} alike; " + (f"checked: {', '.join(checks)}" if checks else "GPU not named")
        if cpu_differs:
            reason += f"; the CPU differs ({cpu.upper() if cpu == 'amd' else 'Intel'} quoted, {platform.cpu} "
            reason += "in the catalog): confirm"
        if best is None or (score, name) > (best[0], best[3]):
            best = (score, platform.model, reason, name)
    if best is None or best[0] < MIN_CONFIDENCE:
        return None
    return CatalogMatch("server", best[1], round(best[0], 3), best[2])


def match_gpu(text: str, gpus: Iterable[Gpu]) -> CatalogMatch | None:
    """The catalog GPU a loose GPU line names: same model token, best fuzzy score on the full name
    (form factor and memory count: "H100 SXM" over "H100 PCIe" for an SXM5 text)."""
    models = gpu_models_in(text)
    if not models:
        return None
    plain = _plain(text)
    best: tuple[float, str] | None = None
    for gpu in gpus:
        if _gpu_model_of(gpu.name) not in models:
            continue
        score = fuzz.token_set_ratio(plain, _plain(f"{gpu.vendor} {gpu.name} {gpu.form_factor}")) / 100.0
        if gpu.form_factor and gpu.form_factor.lower() in plain:
            score = min(1.0, score + 0.15)
        if best is None or score > best[0]:
            best = (score, gpu.name)
    if best is None:
        return None
    return CatalogMatch("gpu", best[1], round(best[0], 3), f"GPU {best[1]}")


def described_gpus(line: QuoteLine) -> int:
    """GPUs one unit of a line describes: the count its text states ("8-GPU", "8x H100") × its quantity,
    or its quantity when it is a GPU line naming a model; 0 when it describes none."""
    count = gpu_count_in(line.description)
    if count is not None:
        return count * int(round(line.quantity))
    if line.kind == "gpu" and gpu_models_in(line.description):
        return int(round(line.quantity))
    return 0


def reconcile_gpus(
    lines: Sequence[QuoteLine], servers: dict[str, ServerPlatform]
) -> tuple[str | None, list[str]]:
    """(flag, notes): servers × the matched platform's GPUs against the GPUs the lines describe.

    For each server line (not a component), the GPUs described are those of its components per server
    (× the server count) or, without components that describe GPUs, those its own text states. A server
    line whose lines describe no GPU at all is not checked (a note says so).
    """
    flags: list[str] = []
    notes: list[str] = []
    for position, line in enumerate(lines, start=1):
        if line.kind != "gpu_server" or line.parent is not None:
            continue
        platform = servers.get(line.server_model or "")
        if platform is None:
            continue
        count = int(round(line.quantity))
        from_components = sum(described_gpus(x) for x in lines if x.parent == position)
        if from_components:
            described = from_components * count
            where = "its component lines"
        else:
            own = gpu_count_in(line.description)
            if own is None:
                notes.append(
                    f"line {position} ({line.description!r}) states no GPU count: "
                    f"{platform.gpu_count} per server taken from the catalog platform {platform.model}"
                )
                continue
            described = own * count
            where = "its description"
        expected = count * platform.gpu_count
        if described != expected:
            flags.append(
                f"GPU count does not reconcile on line {position}: {count} servers × {platform.gpu_count} GPUs "
                f"({platform.model}) = {expected}, but {where} describe {described}"
            )
    return ("; ".join(flags) or None), notes
