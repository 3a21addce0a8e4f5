"""Price packs in the providers' own JSON: the Azure Retail Prices API and the AWS Price List.

- Azure Retail Prices API (``https://prices.azure.com/api/retail/prices``): a response page, or pages
  saved one after the other in one file, ``{"Items": [...], "NextPageLink": ...}``. Linux
  pay-as-you-go (``type`` Consumption), Spot (a ``skuName`` ending in "Spot") and 1- and 3-year
  reservations (``type`` Reservation: ``retailPrice`` is the whole term, spread here over its hours)
  of the virtual machines; Windows, Low Priority and Dev/Test meters are left out and counted.
- AWS Price List offer file for EC2 (``offerCode`` AmazonEC2, ``products`` + ``terms``) or SageMaker
  (AmazonSageMaker, training instances), or the ``PriceList`` answer of the Price List Query API
  (``aws pricing get-products``). Linux, shared tenancy, no pre-installed software, on-demand per
  hour, and standard 1- and 3-year reservations (no upfront, else all upfront spread over the term).
  The offer's ``publicationDate`` is the snapshot date.

Neither lists which GPU an instance carries: that comes from the catalog's own rows of the same
instance (any region), else, for AWS, from the instance family (p5 = H100, ...) with the offer's GPU
count. An instance the catalog cannot place is left out and counted, never guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from db.io import CellError, UnreadableFileError

HOURS_PER_YEAR = 8760.0
"""Azure and AWS both spread a term over 730 hours a month (8,760 a year)."""

InstanceInfo = tuple[str, int, int | None, float | None]
"""(catalog GPU name, GPU count, vCPUs, RAM in GB) of an instance."""

# AWS instance families -> catalog GPU (the offer file gives the count in "gpu", not the model)
AWS_FAMILY_GPUS: dict[str, str] = {
    "p3": "V100 SXM2 16GB",
    "p4d": "A100 SXM 40GB",
    "p4de": "A100 SXM 80GB",
    "p5": "H100 SXM",
    "p5e": "H200 SXM",
    "p5en": "H200 SXM",
    "p6-b200": "B200",
    "p6-b300": "B300",
    "g5": "A10G",
    "g6": "L4",
    "g6e": "L40S",
}

# AWS location names as the Price List spells them -> region codes (older offers lack regionCode)
AWS_LOCATIONS: dict[str, str] = {
    "US East (N. Virginia)": "us-east-1",
    "US East (Ohio)": "us-east-2",
    "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2",
    "EU (Frankfurt)": "eu-central-1",
    "EU (Ireland)": "eu-west-1",
    "EU (London)": "eu-west-2",
    "EU (Paris)": "eu-west-3",
    "EU (Stockholm)": "eu-north-1",
    "EU (Milan)": "eu-south-1",
    "EU (Spain)": "eu-south-2",
    "EU (Zurich)": "eu-central-2",
    "Asia Pacific (Tokyo)": "ap-northeast-1",
    "Asia Pacific (Seoul)": "ap-northeast-2",
    "Asia Pacific (Mumbai)": "ap-south-1",
    "Asia Pacific (Singapore)": "ap-southeast-1",
    "Asia Pacific (Sydney)": "ap-southeast-2",
    "Canada (Central)": "ca-central-1",
    "South America (Sao Paulo)": "sa-east-1",
}

AZURE_SOURCE = "https://prices.azure.com/api/retail/prices"
AWS_SOURCE = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/current/index.json"


def load_json(path: Path) -> Any:
    """The JSON document in ``path`` (several concatenated documents, e.g. saved API pages, as a list)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(path, "is not UTF-8 text") from None
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos = 0
    try:
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            doc, pos = decoder.raw_decode(text, pos)
            docs.append(doc)
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            path, f"is not readable JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not docs:
        raise UnreadableFileError(path, "is empty")
    return docs[0] if len(docs) == 1 else docs


def detect_json(doc: Any) -> str | None:
    """``"azure"`` or ``"aws"`` from a JSON document's shape, else None."""
    pages = doc if isinstance(doc, list) else [doc]
    if pages and all(isinstance(p, dict) and isinstance(p.get("Items"), list) for p in pages):
        return "azure"
    if isinstance(doc, dict) and isinstance(doc.get("products"), dict) and isinstance(doc.get("terms"), dict):
        return "aws"
    if isinstance(doc, dict) and isinstance(doc.get("PriceList"), list):
        return "aws"
    return None


def _date(text: Any) -> dt.date | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# ----------------------------------------------------------------------------------------- Azure


def azure_items(doc: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based position across the pages, item) for every item of every page."""
    n = 0
    for page in doc if isinstance(doc, list) else [doc]:
        for item in page["Items"]:
            n += 1
            yield n, item


def azure_currency(doc: Any) -> str | None:
    pages = doc if isinstance(doc, list) else [doc]
    codes = {p.get("BillingCurrency") for p in pages if p.get("BillingCurrency")}
    return next(iter(codes)) if len(codes) == 1 else None


def read_azure(reader: Any, doc: Any, instances: Mapping[str, InstanceInfo]) -> None:
    """Azure Retail Prices items -> the reader's (instance, region) groups."""
    from db.packs import _Acc

    for n, item in azure_items(doc):
        if not isinstance(item, dict):
            reader.errors.append(CellError(n, "Items", "not an object"))
            continue
        sku = str(item.get("armSkuName") or "").strip()
        region = str(item.get("armRegionName") or "").strip()
        product = str(item.get("productName") or "")
        sku_name = str(item.get("skuName") or item.get("meterName") or "")
        kind = str(item.get("type") or "")
        service = item.get("serviceName")
        if service is not None and service != "Virtual Machines":
            reader.skip("not a virtual machine price", f"{service}")
            continue
        if not sku:
            reader.errors.append(CellError(n, "armSkuName", "missing value"))
            continue
        currency = item.get("currencyCode")
        if currency is not None and currency != "USD":
            reader.errors.append(
                CellError(n, "currencyCode", f"prices in {currency}: save the API's answer in USD")
            )
            continue
        price = reader.number(n, "retailPrice", _text(item.get("retailPrice")), required=True)
        if price is None:
            continue
        if "windows" in product.lower():
            reader.skip("Windows price (Linux prices are stored)", sku)
            continue
        if sku_name.endswith("Low Priority"):
            reader.skip("Low Priority price (retired by Azure)", sku)
            continue
        if kind == "DevTestConsumption":
            reader.skip("Dev/Test price", sku)
            continue
        if kind not in ("Consumption", "Reservation"):
            reader.errors.append(CellError(n, "type", f"not Consumption or Reservation: {kind!r}"))
            continue
        unit = str(item.get("unitOfMeasure") or "")
        if unit != "1 Hour":
            reader.errors.append(CellError(n, "unitOfMeasure", f"not priced per hour: {unit!r}"))
            continue
        info = instances.get(sku.lower())
        if info is None:
            reader.skip("instance not in the catalog (its GPUs are not known)", sku)
            continue
        if not region:
            reader.errors.append(CellError(n, "armRegionName", "missing value"))
            continue
        gpu, count, vcpu, ram_gb = info
        acc = _Acc(n, sku, region, gpu, count, vcpu, None, ram_gb=ram_gb)
        if kind == "Reservation":
            term = str(item.get("reservationTerm") or "")
            years = {"1 Year": 1, "3 Years": 3}.get(term)
            if years is None:
                reader.errors.append(CellError(n, "reservationTerm", f"not 1 Year or 3 Years: {term!r}"))
                continue
            reader.add(acc, None, None, reserved={years: price / (HOURS_PER_YEAR * years)})
        elif sku_name.endswith("Spot"):
            reader.add(acc, None, price)
        else:
            reader.add(acc, price, None)


# ------------------------------------------------------------------------------------------- AWS


def _aws_products(doc: Any, reader: Any) -> Iterator[tuple[int, dict[str, Any], dict[str, Any]]]:
    """(position, product, its terms {"OnDemand": {...}, "Reserved": {...}}) of an offer or PriceList."""
    if "PriceList" in doc:
        for n, entry in enumerate(doc["PriceList"], start=1):
            if isinstance(entry, str):
                try:
                    entry = json.loads(entry)
                except json.JSONDecodeError:
                    reader.errors.append(CellError(n, "PriceList", "an entry is not readable JSON"))
                    continue
            if not isinstance(entry, dict) or not isinstance(entry.get("product"), dict):
                reader.errors.append(CellError(n, "PriceList", "an entry has no product"))
                continue
            terms = entry.get("terms") or {}
            yield n, entry["product"], terms if isinstance(terms, dict) else {}
        return
    terms = doc["terms"]
    for n, (sku, product) in enumerate(doc["products"].items(), start=1):
        if not isinstance(product, dict):
            reader.errors.append(CellError(n, f"products.{sku}", "not an object"))
            continue
        yield (
            n,
            product,
            {kind: (terms.get(kind) or {}).get(sku) or {} for kind in ("OnDemand", "Reserved")},
        )


def aws_publication_date(doc: Any) -> dt.date | None:
    """The offer's publication date (for a PriceList answer: the newest of its entries)."""
    if "PriceList" not in doc:
        return _date(doc.get("publicationDate"))
    dates = []
    for entry in doc["PriceList"]:
        if isinstance(entry, str):
            match = re.search(r'"publicationDate"\s*:\s*"([^"]+)"', entry)
            dates.append(_date(match.group(1)) if match else None)
        elif isinstance(entry, dict):
            dates.append(_date(entry.get("publicationDate")))
    found = [d for d in dates if d is not None]
    return max(found) if found else None


def aws_offer_code(doc: Any) -> str:
    if "PriceList" not in doc:
        return str(doc.get("offerCode") or "AmazonEC2")
    for entry in doc["PriceList"]:
        text = entry if isinstance(entry, str) else json.dumps(entry)
        if "AmazonSageMaker" in text:
            return "AmazonSageMaker"
    return "AmazonEC2"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _memory_gb(text: Any) -> float | None:
    match = re.match(r"^\s*([\d,.]+)\s*GiB\s*$", str(text or ""))
    if not match:
        return None
    return float(match.group(1).replace(",", "")) * 1.073741824


def _dimensions(term: Mapping[str, Any]) -> list[dict[str, Any]]:
    dims = term.get("priceDimensions") or {}
    return [d for d in dims.values() if isinstance(d, dict)] if isinstance(dims, dict) else []


def _usd(reader: Any, n: int, column: str, dim: Mapping[str, Any]) -> float | None:
    per_unit = dim.get("pricePerUnit") or {}
    if "USD" not in per_unit:
        reader.errors.append(CellError(n, column, "no USD price"))
        return None
    value: float | None = reader.number(n, column, _text(per_unit["USD"]), required=True)
    return value


def _aws_on_demand(reader: Any, n: int, offers: Mapping[str, Any]) -> float | None:
    prices = []
    for term in offers.values():
        for dim in _dimensions(term):
            if dim.get("unit") in ("Hrs", "Hours"):
                value = _usd(reader, n, "pricePerUnit", dim)
                if value is not None:
                    prices.append(value)
    return min(prices) if prices else None


def _aws_reserved(reader: Any, n: int, offers: Mapping[str, Any]) -> dict[int, float]:
    """Standard 1- and 3-year rates per hour: no upfront, else all upfront spread over the term."""
    found: dict[tuple[int, str], float] = {}
    for term in offers.values():
        attrs = term.get("termAttributes") or {}
        years = {"1yr": 1, "3yr": 3}.get(str(attrs.get("LeaseContractLength")))
        option = str(attrs.get("PurchaseOption"))
        if years is None or attrs.get("OfferingClass", "standard") != "standard":
            continue
        if option not in ("No Upfront", "All Upfront"):
            continue
        hourly = upfront = 0.0
        for dim in _dimensions(term):
            value = _usd(reader, n, "pricePerUnit", dim)
            if value is None:
                continue
            if dim.get("unit") == "Quantity":
                upfront += value
            elif dim.get("unit") in ("Hrs", "Hours"):
                hourly += value
        rate = hourly + upfront / (HOURS_PER_YEAR * years)
        if rate > 0:
            found[(years, option)] = rate
    out: dict[int, float] = {}
    for years in (1, 3):
        best = found.get((years, "No Upfront"), found.get((years, "All Upfront")))
        if best is not None:
            out[years] = best
    return out


def read_aws(reader: Any, doc: Any, instances: Mapping[str, InstanceInfo], sagemaker: bool) -> None:
    """AWS Price List products -> the reader's (instance, region) groups."""
    from db.packs import _Acc

    for n, product, terms in _aws_products(doc, reader):
        attrs = product.get("attributes") or {}
        if sagemaker:
            instance = str(attrs.get("instanceName") or attrs.get("instanceType") or "").strip()
            if attrs.get("component") != "Training" or not instance.startswith("ml."):
                reader.skip("not a SageMaker training instance", instance or str(product.get("sku")))
                continue
        else:
            instance = str(attrs.get("instanceType") or "").strip()
            family = product.get("productFamily")
            if family not in (None, "Compute Instance", "Compute Instance (bare metal)") or not instance:
                reader.skip("not an instance price", str(family))
                continue
            wanted = {
                "operatingSystem": "Linux",
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
            }
            if any(attrs.get(k, v) != v for k, v in wanted.items()):
                reader.skip(
                    "other OS, tenancy, software or capacity status (Linux shared is stored)", instance
                )
                continue
        region = str(attrs.get("regionCode") or AWS_LOCATIONS.get(str(attrs.get("location")), "")).strip()
        info = instances.get(instance.lower())
        gpus = reader.number(n, "gpu", _text(attrs.get("gpu")), required=False) if "gpu" in attrs else None
        if info is None and not sagemaker:
            family_gpu = AWS_FAMILY_GPUS.get(instance.split(".")[0])
            if family_gpu is not None and gpus:
                vcpu = reader.number(n, "vcpu", _text(attrs.get("vcpu")), required=False)
                info = (family_gpu, int(gpus), int(vcpu) if vcpu else None, _memory_gb(attrs.get("memory")))
        if info is None:
            if gpus == 0 or (not sagemaker and "gpu" in attrs and not gpus):
                reader.skip("no accelerator (CPU-only instance)", instance)
            else:
                reader.skip("instance not in the catalog (its GPUs are not known)", instance)
            continue
        if info[0] not in reader.known:
            reader.skip("GPU not in the catalog's GPU table", info[0])
            continue
        if not region:
            reader.skip("region not named in the offer", instance)
            continue
        on_demand = _aws_on_demand(reader, n, terms.get("OnDemand") or {})
        reserved = _aws_reserved(reader, n, terms.get("Reserved") or {})
        if on_demand is None and not reserved:
            reader.skip("no price listed", instance)
            continue
        gpu, count, vcpu_n, ram_gb = info
        acc = _Acc(n, instance, region, gpu, count, vcpu_n, None, ram_gb=ram_gb)
        reader.add(acc, on_demand, None, reserved=reserved)
