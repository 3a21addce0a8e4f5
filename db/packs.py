"""Price packs: snapshots of public GPU catalogs imported offline into the cloud table.

Formats read (recognised from the file's own header, never from its name):
- SkyPilot catalog ``vms.csv`` (skypilot-org/skypilot-catalog ``catalogs/v7/<cloud>/vms.csv``). The
  cloud is the folder's name unless ``provider`` says otherwise. GCP lists host VMs and attachable GPUs
  as separate rows: a GPU machine type (a2, a3, a4, g2) is priced as its host VM plus its GPUs.
- dstack gpuhunt catalog files (``<provider>.csv`` with ``instance_name,location,price,...,spot``); the
  provider is the file's stem unless ``provider`` says otherwise.
- The Azure Retail Prices API's JSON and the AWS Price List JSON for EC2 and SageMaker
  (:mod:`db.pack_json`), with reservations; the GPUs of an instance come from the catalog's own rows.

A pack row becomes a cloud row keyed (provider, instance, region, service kind), so a later pack
updates it instead of adding a duplicate; the on-demand and spot prices are its two pricings. RAM is
stored in GB (the files list GiB, gpuhunt's "memory" included). Rows without an accelerator, without a price, or with a GPU the
catalog does not know are left out and counted, not errors; a cell that cannot be read refuses the
whole file, naming its row and the reason, and nothing is written.

:func:`diff_pack` says what applying would do (added, changed old -> new, unchanged, rows the pack no
longer lists, rows left alone because the user owns them); :func:`apply_packs` writes one or more
packs in one transaction, with every price kept in the history (:mod:`db.history`).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from db.io import (
    CatalogImportError,
    CellError,
    ImportReport,
    UnreadableFileError,
    _row_rules,
    _same,
    gpu_names,
)
from db.io import upsert_rows as _upsert
from db.pack_json import InstanceInfo
from db.schema import CLOUD
from db.tables import CloudSkuRow
from db.transactions import write_scope

GIB_TO_GB = 1.073741824
PRICE_FIELDS = ("on_demand_per_hour", "spot_per_hour")
"""The cloud columns a pack sets; the others (billing, egress, premium) keep their value."""
RESERVED_FIELDS = ("reserved_1y_per_hour", "reserved_3y_per_hour")
"""Set by packs that list reservations (Azure, AWS Price List); a pack without them keeps the old ones."""
DIFF_FIELDS = (*PRICE_FIELDS, *RESERVED_FIELDS)
PACK_FIELDS = ("gpu_name", "gpu_count", "vcpu", "ram_gb", *PRICE_FIELDS, "source_url", "as_of", "notes")

PROVIDERS = {
    "aws": "AWS",
    "gcp": "GCP",
    "azure": "Azure",
    "lambda": "Lambda",
    "lambdalabs": "Lambda",
    "runpod": "RunPod",
    "nebius": "Nebius",
    "seeweb": "Seeweb",
    "vast": "Vast.ai",
    "vastai": "Vast.ai",
    "cudo": "Cudo",
    "hyperbolic": "Hyperbolic",
    "primeintellect": "Prime Intellect",
    "shadeform": "Shadeform",
    "mithril": "Mithril",
    "simplepod": "SimplePod",
    "oci": "OCI",
    "fluidstack": "Fluidstack",
    "paperspace": "Paperspace",
    "do": "DigitalOcean",
    "digitalocean": "DigitalOcean",
    "verda": "Verda",
    "datacrunch": "Verda",
    "crusoe": "Crusoe",
    "vultr": "Vultr",
    "hotaisle": "Hot Aisle",
    "cloudrift": "CloudRift",
    "jarvislabs": "JarvisLabs",
    "tensordock": "TensorDock",
    "coreweave": "CoreWeave",
}
HYPERSCALERS = {"AWS", "GCP", "Azure", "OCI"}
BILLING = {"AWS": (1, 60), "GCP": (1, 60), "Azure": (1, 0)}
"""(billing increment, minimum) in seconds where documented (see SOURCES.md); others: per second."""

SKYPILOT_SOURCE = "https://github.com/skypilot-org/skypilot-catalog/blob/master/catalogs/v7/{cloud}/vms.csv"
GPUHUNT_SOURCE = "https://github.com/dstackai/gpuhunt"

# Pack GPU names -> catalog GPU names. Keys are normalised (lower case, no spaces/-/_); a tuple value
# picks by the GPU memory the pack lists (GB), for names shared by parts that differ in memory.
_GPU_ALIASES: dict[str, str | tuple[tuple[float, str], ...]] = {
    "h100": "H100 SXM",
    "h100sxm": "H100 SXM",
    "h100sxm5": "H100 SXM",
    "h100mega": "H100 SXM",
    "h100pcie": "H100 PCIe",
    "h100nvl": "H100 NVL",
    "h200": "H200 SXM",
    "h200sxm": "H200 SXM",
    "b200": "B200",
    "b300": "B300",
    "gb200": "GB200",
    "gb300": "GB300",
    "a100": ((45.0, "A100 SXM 40GB"), (1e9, "A100 SXM 80GB")),
    "a10080gb": "A100 SXM 80GB",
    "a100sxm": "A100 SXM 80GB",
    "a100pcie": "A100 PCIe 80GB",
    "l40s": "L40S",
    "l4": "L4",
    "a10g": "A10G",
    "a6000": "RTX A6000",
    "rtxa6000": "RTX A6000",
    "v100": ((20.0, "V100 SXM2 16GB"),),
    "gh200": "GH200",
    "mi300x": "MI300X",
    "mi325x": "MI325X",
    "mi355x": "MI355X",
    "mi250x": "MI250X",
    "mi210": "MI210",
    "rtx4090": "RTX 4090",
    "4090": "RTX 4090",
    "rtx5090": "RTX 5090",
    "5090": "RTX 5090",
    "rtx6000ada": "RTX 6000 Ada",
    "l40": "L40",
    "rtxpro6000": "RTX PRO 6000 Blackwell",
    "rtxpro600096gb": "RTX PRO 6000 Blackwell",
    "rtxpro6000blackwell": "RTX PRO 6000 Blackwell",
    "gaudi3": "Gaudi 3",
    "tpuv5e": "TPU v5e",
    "tpuv5litepod": "TPU v5e",
    "tpuv5p": "TPU v5p",
    "tpuv6e": "TPU v6e",
}

_G2_GPUS: dict[int, int] = {4: 1, 8: 1, 12: 1, 16: 1, 32: 1, 24: 2, 48: 4, 96: 8}

# GCP machine types whose GPUs SkyPilot prices on separate accelerator rows: (pattern, accelerator, count)
_GCP_GPU_MACHINES: tuple[tuple[re.Pattern[str], str, Callable[[re.Match[str]], int]], ...] = (
    (re.compile(r"^a2-highgpu-(\d+)g$"), "A100", lambda m: int(m.group(1))),
    (re.compile(r"^a2-megagpu-(\d+)g$"), "A100", lambda m: int(m.group(1))),
    (re.compile(r"^a2-ultragpu-(\d+)g$"), "A100-80GB", lambda m: int(m.group(1))),
    (re.compile(r"^a3-highgpu-(\d+)g$"), "H100", lambda m: int(m.group(1))),
    (re.compile(r"^a3-edgegpu-(\d+)g$"), "H100", lambda m: int(m.group(1))),
    (re.compile(r"^a3-megagpu-(\d+)g$"), "H100-MEGA", lambda m: int(m.group(1))),
    (re.compile(r"^a3-ultragpu-(\d+)g$"), "H200", lambda m: int(m.group(1))),
    (re.compile(r"^a4-highgpu-(\d+)g$"), "B200", lambda m: int(m.group(1))),
    (re.compile(r"^g2-standard-(\d+)$"), "L4", lambda m: _G2_GPUS.get(int(m.group(1)), 0)),
)


def _norm(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", name).lower()


def match_gpu(name: str, memory_gb: float | None, known: Iterable[str]) -> str | None:
    """The catalog GPU a pack's accelerator name means, or None when the catalog has no such GPU."""
    known_by_norm = {_norm(k): k for k in known}
    alias = _GPU_ALIASES.get(_norm(name))
    if isinstance(alias, tuple):
        mem = memory_gb or 0.0
        alias = next((gpu for limit, gpu in alias if mem <= limit), None) if mem else alias[0][1]
    target = alias or name
    return known_by_norm.get(_norm(target))


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Skipped:
    """Rows of a pack left out, for one reason (not errors: the rest of the pack is read)."""

    reason: str
    rows: int
    example: str


@dataclass(frozen=True)
class Pack:
    """A price pack read and checked: cloud rows (file values) ready to diff and apply."""

    path: str
    kind: str  # for people: "SkyPilot catalog (vms.csv)"
    provider: str
    as_of: dt.date
    source_url: str
    rows: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]  # the file line each row came from (its first line when merged)
    skipped: tuple[Skipped, ...] = ()
    carries: frozenset[str] = frozenset(PRICE_FIELDS)
    """The prices the format lists: one it does not list (AWS Price List: spot) keeps its old value."""
    regional: bool = False
    """A price-list file of some regions: rows of other regions are not "no longer listed"."""


class PackError(CatalogImportError):
    """A pack that cannot be imported; nothing was written (``errors`` lists row and reason)."""


@dataclass
class _Acc:
    """Rows of one (instance, region) being merged across zones / on-demand and spot lines."""

    line: int
    instance: str
    region: str
    gpu: str
    count: int
    vcpu: int | None
    ram_gib: float | None
    on_demand: list[float] = field(default_factory=list)
    spot: list[float] = field(default_factory=list)
    ram_gb: float | None = None  # when the source gives GB already (the catalog's own rows)
    reserved: dict[int, list[float]] = field(default_factory=dict)  # years -> per-hour rates


class _Reader:
    def __init__(self, path: Path, known: set[str]) -> None:
        self.path = path
        self.known = known
        self.errors: list[CellError] = []
        self.skips: dict[str, list[Any]] = {}
        self.groups: dict[tuple[str, str], _Acc] = {}

    def skip(self, reason: str, example: str) -> None:
        entry = self.skips.setdefault(reason, [0, example])
        entry[0] += 1

    def number(self, line: int, column: str, raw: str | None, *, required: bool) -> float | None:
        text = (raw or "").strip()
        if text == "" or text.lower() in ("nan", "none"):
            if required:
                self.errors.append(CellError(line, column, "missing value"))
            return None
        try:
            value = float(text)
        except ValueError:
            self.errors.append(CellError(line, column, f"not a number: {text!r}"))
            return None
        if value != value or value < 0 or value == float("inf"):
            self.errors.append(CellError(line, column, f"not a usable number: {text!r}"))
            return None
        return value

    def add(
        self,
        acc: _Acc,
        on_demand: float | None,
        spot: float | None,
        reserved: Mapping[int, float] | None = None,
    ) -> None:
        key = (acc.instance, acc.region)
        held = self.groups.get(key)
        if held is None:
            self.groups[key] = held = acc
        if on_demand is not None:
            held.on_demand.append(on_demand)
        if spot is not None:
            held.spot.append(spot)
        for years, rate in (reserved or {}).items():
            held.reserved.setdefault(years, []).append(rate)


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header: list[str] = []
            rows: list[tuple[int, dict[str, str]]] = []
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if not header:
                    header = [c.strip() for c in cells]
                    continue
                rows.append((reader.line_num, dict(zip(header, cells, strict=False))))
    except UnicodeDecodeError:
        raise UnreadableFileError(path, "is not UTF-8 text") from None
    except csv.Error as exc:
        raise UnreadableFileError(path, f"is not a readable CSV file ({exc})") from None
    return header, rows


SKYPILOT_COLUMNS = {"InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region"}
GPUHUNT_COLUMNS = {"instance_name", "location", "price", "gpu_count", "gpu_name", "spot"}


def detect_format(header: Sequence[str]) -> str | None:
    """``"skypilot"`` or ``"gpuhunt"`` from a CSV header, else None."""
    names = set(header)
    if names >= SKYPILOT_COLUMNS:
        return "skypilot"
    if names >= GPUHUNT_COLUMNS:
        return "gpuhunt"
    return None


def _provider(name: str | None, path: Path, fallback: str) -> str:
    raw = name or fallback
    return PROVIDERS.get(raw.lower().replace(" ", ""), raw)


def read_pack(
    path: str | os.PathLike[str],
    *,
    known_gpus: Iterable[str],
    today: dt.date,
    as_of: dt.date | None = None,
    provider: str | None = None,
    source_url: str | None = None,
    instances: Mapping[tuple[str, str], InstanceInfo] | None = None,
) -> Pack:
    """Read and check one pack file (nothing is written). PackError lists every bad row.

    ``as_of`` is the date the snapshot was taken, for files that carry none (the CSV catalogs and the
    Azure API's answer: the snapshot's commit or download date, say); an AWS Price List file carries
    its publication date, which wins. ``source_url`` defaults to the catalog's public location.
    ``instances`` ((provider, instance in lower case) -> GPU, count, vCPUs, RAM GB) is the catalog's
    knowledge of instances, for the JSON files that do not name the GPU.
    """
    p = Path(path)
    if p.is_dir():
        raise UnreadableFileError(path, "is a folder")
    if not p.exists():
        raise UnreadableFileError(path, "does not exist")
    if _looks_like_json(p):
        return _read_json_pack(p, path, set(known_gpus), today, as_of, source_url, instances or {}, provider)
    header, rows = _csv_rows(p)
    kind = detect_format(header)
    if kind is None:
        raise PackError(
            [
                CellError(
                    1,
                    "header",
                    "not a price pack this app reads (a SkyPilot catalog vms.csv, a dstack gpuhunt "
                    "catalog file, Azure Retail Prices or AWS Price List JSON); for the app's own CSV "
                    "files use catalog import",
                )
            ],
            path,
        )
    if as_of is None:
        raise PackError([CellError(1, "-", "the file carries no date: give the date of the snapshot")], path)
    if as_of > today:
        raise PackError([CellError(1, "-", f"the snapshot date {as_of.isoformat()} is in the future")], path)
    reader = _Reader(p, set(known_gpus))
    if kind == "skypilot":
        cloud = p.parent.name if provider is None else provider
        if not cloud or cloud.lower() not in PROVIDERS and provider is None:
            raise PackError(
                [CellError(1, "-", "cannot tell the cloud: keep the file in its catalog folder or name it")],
                path,
            )
        name = _provider(provider, p, cloud)
        default_source = SKYPILOT_SOURCE.format(cloud=cloud.lower())
        label = "SkyPilot catalog (vms.csv)"
        if name == "GCP":
            _read_skypilot_gcp(reader, rows)
        else:
            _read_skypilot(reader, rows)
    else:
        name = _provider(provider, p, p.stem)
        default_source = GPUHUNT_SOURCE
        label = "dstack gpuhunt catalog"
        _read_gpuhunt(reader, rows)
    if not rows:
        reader.errors.append(CellError(2, "-", "the file has a header but no rows"))
    if reader.errors:
        raise PackError(reader.errors, path)
    source = source_url or default_source
    values, lines = _cloud_rows(reader, name, as_of, source, label, p.name)
    if reader.errors:
        raise PackError(reader.errors, path)
    skipped = tuple(Skipped(reason, int(n), str(ex)) for reason, (n, ex) in reader.skips.items())
    return Pack(str(path), label, name, as_of, source, tuple(values), tuple(lines), skipped)


def _looks_like_json(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    except OSError as exc:
        raise UnreadableFileError(path, f"cannot be read ({exc.strerror})") from None
    return head[:1] in (b"{", b"[")


def _read_json_pack(
    p: Path,
    path: str | os.PathLike[str],
    known: set[str],
    today: dt.date,
    as_of: dt.date | None,
    source_url: str | None,
    instances: Mapping[tuple[str, str], InstanceInfo],
    provider: str | None,
) -> Pack:
    from db import pack_json

    doc = pack_json.load_json(p)
    kind = pack_json.detect_json(doc)
    if kind is None:
        raise PackError(
            [
                CellError(
                    1,
                    "-",
                    "JSON that is neither an Azure Retail Prices answer (Items) nor an AWS Price "
                    "List offer (products and terms, or PriceList)",
                )
            ],
            path,
        )
    reader = _Reader(p, known)
    service_kind = "iaas_vm"
    if kind == "azure":
        name = "Azure"
        label = "Azure Retail Prices API (JSON)"
        default_source = pack_json.AZURE_SOURCE
        currency = pack_json.azure_currency(doc)
        if currency not in (None, "USD"):
            raise PackError(
                [CellError(1, "BillingCurrency", f"prices in {currency}: save the API's answer in USD")],
                path,
            )
        known_here = {i: v for (prov, i), v in instances.items() if prov == name}
        pack_json.read_azure(reader, doc, known_here)
        if not any(True for _ in pack_json.azure_items(doc)):
            reader.errors.append(CellError(1, "Items", "the file lists no prices"))
    else:
        name = "AWS"
        offer = pack_json.aws_offer_code(doc)
        sagemaker = offer == "AmazonSageMaker"
        if sagemaker:
            service_kind = "managed_training"
        label = f"AWS Price List ({'SageMaker' if sagemaker else 'EC2'}, JSON)"
        default_source = pack_json.AWS_SOURCE.format(offer=offer)
        published = pack_json.aws_publication_date(doc)
        if published is not None:
            as_of = published
        known_here = {
            i: v for (prov, i), v in instances.items() if prov == name and i.startswith("ml.") == sagemaker
        }
        pack_json.read_aws(reader, doc, known_here, sagemaker)
        if not doc.get("products") and not doc.get("PriceList"):
            reader.errors.append(CellError(1, "products", "the file lists no prices"))
    if provider is not None and _provider(provider, p, provider) != name:
        reader.errors.append(CellError(1, "-", f"the file is {name}'s price list, not {provider}'s"))
    if as_of is None:
        reader.errors.append(CellError(1, "-", "the file carries no date: give the date of the snapshot"))
    elif as_of > today:
        reader.errors.append(CellError(1, "-", f"the snapshot date {as_of.isoformat()} is in the future"))
    if reader.errors or as_of is None:
        raise PackError(reader.errors, path)
    source = source_url or default_source
    values, lines = _cloud_rows(reader, name, as_of, source, label, p.name, service_kind)
    if reader.errors:
        raise PackError(reader.errors, path)
    skipped = tuple(Skipped(reason, int(n), str(ex)) for reason, (n, ex) in reader.skips.items())
    carries = frozenset({"on_demand_per_hour"} if kind == "aws" else PRICE_FIELDS)
    return Pack(
        str(path), label, name, as_of, source, tuple(values), tuple(lines), skipped, carries, regional=True
    )


def _gpu_memory_gb(gpu_info: str | None) -> float | None:
    if not gpu_info:
        return None
    match = re.search(r"'SizeInMiB':\s*([\d.]+)", gpu_info)
    if not match:
        return None
    mib = float(match.group(1))
    return mib * 1.048576 / 1000.0 if mib > 0 else None


def _read_skypilot(reader: _Reader, rows: list[tuple[int, dict[str, str]]]) -> None:
    for line, row in rows:
        instance = (row.get("InstanceType") or "").strip()
        acc_name = (row.get("AcceleratorName") or "").strip()
        if not acc_name:
            reader.skip("no accelerator (CPU-only instance)", instance)
            continue
        count = reader.number(line, "AcceleratorCount", row.get("AcceleratorCount"), required=True)
        price = reader.number(line, "Price", row.get("Price"), required=False)
        spot = reader.number(line, "SpotPrice", row.get("SpotPrice"), required=False)
        vcpu = reader.number(line, "vCPUs", row.get("vCPUs"), required=False)
        ram = reader.number(line, "MemoryGiB", row.get("MemoryGiB"), required=False)
        if count is None or not instance:
            if not instance:
                reader.errors.append(CellError(line, "InstanceType", "missing value"))
            continue
        if count == 0:
            reader.skip("no accelerator (CPU-only instance)", instance)
            continue
        if count != int(count):
            reader.skip("fractional GPU share", f"{instance} ({count:g} GPU)")
            continue
        gpu = match_gpu(acc_name, _gpu_memory_gb(row.get("GpuInfo")), reader.known)
        if gpu is None:
            reader.skip("GPU not in the catalog's GPU table", acc_name)
            continue
        if price is None and spot is None:
            reader.skip("no price listed", instance)
            continue
        region = (row.get("Region") or "").strip() or "unspecified"
        acc = _Acc(line, instance, region, gpu, int(count), _int(vcpu), ram)
        reader.add(acc, price, spot)


def _read_skypilot_gcp(reader: _Reader, rows: list[tuple[int, dict[str, str]]]) -> None:
    """GCP: host VM rows (no accelerator) + accelerator rows (no instance type), priced together."""
    gpu_prices: dict[tuple[str, int, str], tuple[list[float], list[float]]] = {}
    hosts: list[tuple[int, dict[str, str], str, int]] = []
    for line, row in rows:
        instance = (row.get("InstanceType") or "").strip()
        acc_name = (row.get("AcceleratorName") or "").strip()
        region = (row.get("Region") or "").strip()
        price = reader.number(line, "Price", row.get("Price"), required=False)
        spot = reader.number(line, "SpotPrice", row.get("SpotPrice"), required=False)
        if acc_name and not instance:
            count = reader.number(line, "AcceleratorCount", row.get("AcceleratorCount"), required=True)
            if count is None:
                continue
            held = gpu_prices.setdefault((acc_name, int(count), region), ([], []))
            if price is not None:
                held[0].append(price)
            if spot is not None:
                held[1].append(spot)
            continue
        for pattern, acc, counter in _GCP_GPU_MACHINES:
            m = pattern.match(instance)
            if m and counter(m):
                hosts.append((line, row, acc, counter(m)))
                break
        else:
            if acc_name:  # an instance with its accelerator on the same row (TPU VMs, N1 + GPU presets)
                hosts.append((line, row, acc_name, -1))
            else:
                reader.skip("no accelerator (CPU-only instance)", instance)
    for line, row, acc, count in hosts:
        instance = row["InstanceType"].strip()
        region = (row.get("Region") or "").strip() or "unspecified"
        host = reader.number(line, "Price", row.get("Price"), required=False)
        host_spot = reader.number(line, "SpotPrice", row.get("SpotPrice"), required=False)
        if count == -1:
            n = reader.number(line, "AcceleratorCount", row.get("AcceleratorCount"), required=True)
            count = int(n or 0)
            gpu_part: tuple[list[float], list[float]] | None = ([0.0], [0.0])
        else:
            gpu_part = gpu_prices.get((acc, count, region))
        gpu = match_gpu(acc, None, reader.known)
        if gpu is None:
            reader.skip("GPU not in the catalog's GPU table", acc)
            continue
        if gpu_part is None or not gpu_part[0] or host is None:
            reader.skip("host VM or its GPUs not priced in that region", f"{instance} {region}")
            continue
        on_demand = host + max(gpu_part[0])
        spot = host_spot + max(gpu_part[1]) if host_spot is not None and gpu_part[1] else None
        vcpu = reader.number(line, "vCPUs", row.get("vCPUs"), required=False)
        ram = reader.number(line, "MemoryGiB", row.get("MemoryGiB"), required=False)
        reader.add(_Acc(line, instance, region, gpu, count, _int(vcpu), ram), on_demand, spot)


def _read_gpuhunt(reader: _Reader, rows: list[tuple[int, dict[str, str]]]) -> None:
    for line, row in rows:
        instance = (row.get("instance_name") or "").strip()
        acc_name = (row.get("gpu_name") or "").strip()
        count = reader.number(line, "gpu_count", row.get("gpu_count"), required=True)
        price = reader.number(line, "price", row.get("price"), required=True)
        spot_text = (row.get("spot") or "").strip().lower()
        if spot_text not in ("true", "false"):
            reader.errors.append(CellError(line, "spot", f"not True/False: {row.get('spot')!r}"))
            continue
        if count is None or price is None:
            continue
        if not acc_name or count == 0:
            reader.skip("no accelerator (CPU-only instance)", instance)
            continue
        if count != int(count):
            reader.skip("fractional GPU share", f"{instance} ({count:g} GPU)")
            continue
        mem = reader.number(line, "gpu_memory", row.get("gpu_memory"), required=False)
        gpu = match_gpu(acc_name, mem, reader.known)
        if gpu is None:
            reader.skip("GPU not in the catalog's GPU table", acc_name)
            continue
        cpu = reader.number(line, "cpu", row.get("cpu"), required=False)
        ram = reader.number(line, "memory", row.get("memory"), required=False)
        region = (row.get("location") or "").strip() or "unspecified"
        # gpuhunt copies the provider's memory figure, which is GiB (AWS "2048 GiB"), though it says GB
        acc = _Acc(line, instance, region, gpu, int(count), _int(cpu), ram)
        if spot_text == "true":
            reader.add(acc, None, price)
        else:
            reader.add(acc, price, None)


def _int(value: float | None) -> int | None:
    return int(value) if value is not None and value >= 1 else None


def _cloud_rows(
    reader: _Reader,
    provider: str,
    as_of: dt.date,
    source: str,
    label: str,
    file_name: str,
    service_kind: str | None = None,
) -> tuple[list[dict[str, Any]], list[int]]:
    kind = service_kind or ("iaas_vm" if provider in HYPERSCALERS else "gpu_cloud")
    increment, minimum = BILLING.get(provider, (1, 0))
    if kind == "managed_training":
        minimum = 0  # SageMaker training bills per second with no minimum (SOURCES.md)
    values: list[dict[str, Any]] = []
    lines: list[int] = []
    for acc in reader.groups.values():
        if not acc.on_demand:
            reason = "spot price only" if acc.spot else "reservations only, no on-demand price"
            reader.skip(reason, f"{acc.instance} {acc.region}")
            continue
        on_demand = min(acc.on_demand)
        if on_demand <= 0:
            reader.skip("no price listed", f"{acc.instance} {acc.region}")
            continue
        spot = max(acc.spot) if acc.spot else None
        note = f"{label} {file_name}, snapshot of {as_of.isoformat()}."
        if spot is not None and (spot <= 0 or spot > on_demand * 1.0001):
            note += " Spot price dropped: not below on-demand in the pack."
            spot = None
        elif len(set(acc.spot)) > 1:
            note += f" Spot {min(acc.spot):g}-{max(acc.spot):g} across zones (highest stored)."
        if acc.ram_gb is not None:
            ram_gb: float | None = round(acc.ram_gb, 1)
        else:
            ram_gb = round(acc.ram_gib * GIB_TO_GB, 1) if acc.ram_gib else None
        reserved = {y: min(r) for y, r in acc.reserved.items()}
        for years, rate in list(reserved.items()):
            if rate > on_demand * 1.0001:
                note += f" {years}-year reserved rate dropped: not below on-demand in the pack."
                del reserved[years]
        row = {
            "provider": provider,
            "service_kind": kind,
            "instance": acc.instance,
            "region": acc.region,
            "gpu_name": acc.gpu,
            "gpu_count": acc.count,
            "vcpu": acc.vcpu,
            "ram_gb": ram_gb,
            "rate_unit": "instance",
            "on_demand_per_hour": on_demand,
            "spot_per_hour": spot,
            "reserved_1y_per_hour": reserved.get(1),
            "reserved_3y_per_hour": reserved.get(3),
            "max_savings_plan_discount": None,
            "billing_increment_s": increment,
            "min_billing_s": minimum,
            "managed_premium": 0.0,
            "storage_per_gb_month": None,
            "egress_per_gb": None,
            "source_url": source,
            "as_of": as_of,
            "notes": note,
        }
        for column, problem in _row_rules(CLOUD, row):
            reader.errors.append(CellError(acc.line, column, problem))
        values.append(row)
        lines.append(acc.line)
    return values, lines


# ---------------------------------------------------------------------------------------- diffing


@dataclass(frozen=True)
class PriceChange:
    pricing: str  # on_demand / spot
    old: float | None
    new: float | None

    @property
    def percent(self) -> float | None:
        """Change in % of the old price (None when either side is missing)."""
        if self.old is None or self.new is None or self.old == 0:
            return None
        return (self.new - self.old) / self.old * 100.0


@dataclass(frozen=True)
class ChangedRow:
    key: tuple[str, ...]
    origin: str  # of the row before the update: shipped or imported
    prices: tuple[PriceChange, ...]  # prices that differ
    other: tuple[str, ...]  # other columns that differ (GPU count, RAM, ...)
    values: dict[str, Any] = field(compare=False, hash=False)


@dataclass(frozen=True)
class PackDiff:
    """What applying ``packs`` would do; ``apply_packs`` writes exactly this plan."""

    packs: tuple[Pack, ...]
    added: tuple[dict[str, Any], ...]
    changed: tuple[ChangedRow, ...]
    unchanged: int
    user_owned: tuple[tuple[str, ...], ...]  # listed by a pack but owned by the user: left alone
    no_longer_listed: tuple[tuple[str, ...], ...]  # rows of the packs' providers a pack omits
    newer_kept: tuple[tuple[str, ...], ...] = ()  # the catalog's price is more recent than the pack's

    @property
    def writes(self) -> int:
        return len(self.added) + len(self.changed)

    def summary(self) -> str:
        text = (
            f"{len(self.added)} added, {len(self.changed)} changed, {self.unchanged} unchanged, "
            f"{len(self.no_longer_listed)} no longer listed"
        )
        if self.newer_kept:
            text += f", {len(self.newer_kept)} kept (the catalog's price is newer)"
        if self.user_owned:
            text += f", {len(self.user_owned)} kept as you entered them"
        return text


def _key(values: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(values[k]) for k in CLOUD.key)


def _existing(session: Session) -> dict[tuple[str, ...], dict[str, Any]]:
    cols = [*CLOUD.header, "origin"]
    table: Any = CloudSkuRow.__table__  # type: ignore[attr-defined]
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    for rec in session.execute(select(*(table.c[c] for c in cols))):
        data = dict(zip(cols, rec, strict=True))
        out[_key(data)] = data
    return out


def _merged(
    old: Mapping[str, Any], new: Mapping[str, Any], carries: frozenset[str] = frozenset(PRICE_FIELDS)
) -> dict[str, Any]:
    """The pack's values over the old row: columns a pack does not carry keep their value."""
    merged = {c: old[c] for c in CLOUD.header}
    merged.update({c: new[c] for c in PACK_FIELDS if c not in PRICE_FIELDS or c in carries})
    for col in RESERVED_FIELDS:
        if new[col] is not None:
            merged[col] = new[col]
    for col in RESERVED_FIELDS:
        if merged[col] is not None and merged[col] > merged["on_demand_per_hour"] * 1.0001:
            merged[col] = None  # a reserved rate above the new on-demand one is out of date
    return merged


def _with_premium(
    values: dict[str, Any],
    existing: Mapping[tuple[str, ...], Mapping[str, Any]],
    batch: Mapping[tuple[str, ...], Mapping[str, Any]],
) -> dict[str, Any]:
    """A managed-training row's premium over the same instance's VM price in that region, where the
    packs or the catalog have that VM price (SageMaker ``ml.p5.48xlarge`` over EC2 ``p5.48xlarge``)."""
    if values["service_kind"] != "managed_training" or not values["instance"].startswith("ml."):
        return values
    vm_key = _key({**values, "instance": values["instance"][3:], "service_kind": "iaas_vm"})
    vm = batch.get(vm_key) or existing.get(vm_key)
    if vm is None or not vm["on_demand_per_hour"]:
        return {**values, "notes": values["notes"] + " Premium over the VM price not derived: no VM row."}
    premium = round(values["on_demand_per_hour"] / vm["on_demand_per_hour"] - 1.0, 4)
    if premium < 0:
        return values
    return {
        **values,
        "managed_premium": premium,
        "notes": values["notes"]
        + f" Premium {premium:g} = {values['on_demand_per_hour']:g} / {vm['on_demand_per_hour']:g} - 1 (VM price).",
        "_premium": True,
    }


def _plan(session: Session, packs: Sequence[Pack]) -> PackDiff:
    existing = _existing(session)
    batch: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for pack in packs:
        for values in pack.rows:
            batch.setdefault(_key(values), values)
    added: list[dict[str, Any]] = []
    changed: list[ChangedRow] = []
    unchanged = 0
    user_owned: list[tuple[str, ...]] = []
    newer: list[tuple[str, ...]] = []
    listed: set[tuple[str, ...]] = set()
    seen: dict[tuple[str, ...], str] = {}
    for pack in packs:
        for values in pack.rows:
            key = _key(values)
            if key in seen:  # two packs list the same SKU: the newer snapshot wins
                continue
            seen[key] = pack.path
            listed.add(key)
            values = _with_premium(values, existing, batch)
            derived = values.pop("_premium", False)
            old = existing.get(key)
            if old is None:
                added.append({**values})
                continue
            if old["origin"] == "user":
                user_owned.append(key)
                continue
            if old["as_of"] > values["as_of"]:
                newer.append(key)
                continue
            merged = _merged(old, values, pack.carries)
            if derived:
                merged["managed_premium"] = values["managed_premium"]
            prices = tuple(
                PriceChange(p.removesuffix("_per_hour"), old[p], merged[p])
                for p in DIFF_FIELDS
                if not _same(old[p], merged[p])
            )
            other = tuple(
                c
                for c in CLOUD.header
                if c not in DIFF_FIELDS and c not in ("notes", "source_url") and not _same(old[c], merged[c])
            )
            if prices or other:
                changed.append(ChangedRow(key, old["origin"], prices, other, merged))
            else:
                unchanged += 1
    # a pack speaks for the kind of offer it lists (VMs or managed training) of its provider, and a
    # price-list file for the regions it covers (an AWS regional offer file is not all of AWS)
    covered = {(p.provider, _offer_class(r["service_kind"])) for p in packs for r in p.rows}
    regions = {(p.provider, r["region"]) for p in packs if p.regional for r in p.rows}
    regional = {p.provider for p in packs if p.regional}
    gone = tuple(
        sorted(
            k
            for k, v in existing.items()
            if (v["provider"], _offer_class(v["service_kind"])) in covered
            and (v["provider"] not in regional or (v["provider"], v["region"]) in regions)
            and v["origin"] != "user"
            and k not in listed
        )
    )
    return PackDiff(
        tuple(packs), tuple(added), tuple(changed), unchanged, tuple(user_owned), gone, tuple(newer)
    )


def _offer_class(service_kind: str) -> str:
    return "managed" if service_kind == "managed_training" else "vm"


def _newest_first(packs: Sequence[Pack]) -> list[Pack]:
    return sorted(packs, key=lambda p: p.as_of, reverse=True)


def diff_packs(engine: Engine, packs: Sequence[Pack]) -> PackDiff:
    """What applying ``packs`` would change (read-only). A row whose as-of date is later than the pack's
    keeps its price (an old snapshot never overwrites a newer figure)."""
    with Session(engine) as session:
        return _plan(session, _newest_first(packs))


def apply_packs(engine: Engine, packs: Sequence[Pack]) -> tuple[PackDiff, ImportReport]:
    """Write ``packs`` in one transaction (diff recomputed inside it); rows the user owns are untouched.

    Updated shipped rows become imported rows (new app versions stop updating them), like an import
    that replaces shipped rows. Every price written is kept in the price history.
    """
    with write_scope(engine, "catalog-import") as session:
        plan = _plan(session, _newest_first(packs))
        rows = [*plan.added, *(c.values for c in plan.changed)]
        report = _upsert(session, CLOUD, rows, "imported") if rows else ImportReport("cloud", 0, 0)
        return plan, ImportReport(
            "cloud", report.inserted, report.updated, plan.unchanged, len(plan.user_owned), report.took_over
        )


def read_packs(
    paths: Sequence[str | os.PathLike[str]],
    *,
    engine: Engine,
    today: dt.date,
    as_of: dt.date | None = None,
    provider: str | None = None,
    source_url: str | None = None,
) -> list[Pack]:
    """Read every file (all checked before any is applied); PackError for the first bad one."""
    with Session(engine) as session:
        known = gpu_names(session)
        instances = instance_knowledge(session)
    return [
        read_pack(
            p,
            known_gpus=known,
            today=today,
            as_of=as_of,
            provider=provider,
            source_url=source_url,
            instances=instances,
        )
        for p in paths
    ]


def instance_knowledge(session: Session) -> dict[tuple[str, str], InstanceInfo]:
    """(provider, instance in lower case) -> (GPU, count, vCPUs, RAM GB) from the catalog's cloud rows.

    Rows with a suffix in the instance name ("p5.48xlarge (Capacity Block)") are not instance names of
    a price list and are left out; where regions disagree, the first row with vCPUs and RAM wins.
    """
    table: Any = CloudSkuRow.__table__  # type: ignore[attr-defined]
    cols = ("provider", "instance", "gpu_name", "gpu_count", "vcpu", "ram_gb")
    out: dict[tuple[str, str], InstanceInfo] = {}
    query = select(*(table.c[c] for c in cols)).order_by(table.c.provider, table.c.instance, table.c.region)
    for provider, instance, gpu, count, vcpu, ram in session.execute(query):
        if " " in instance.strip():
            continue
        key = (provider, instance.strip().lower())
        held = out.get(key)
        if held is None or (held[2] is None and vcpu is not None):
            out[key] = (gpu, int(count), vcpu, ram)
    return out
