"""Compliance regimes as sourced data, and what they allow of where data is processed. Pure.

The regimes (HIPAA, FedRAMP at each impact level, ITAR, classified, air-gapped, GDPR health data) live in
``resources/compliance/regimes.toml`` (format: docs/COMPLIANCE.md), each with its jurisdiction, what it
requires of where data is processed, client-language citation text and the URLs of its official texts.

- :func:`applicable` — given a project's country (ISO 3166-1 alpha-2) and its declared data categories and
  compliance flags, the regimes that apply: a flag always applies its regime; a data category applies a
  regime when the project's country is in the regime's ``categories_apply_in`` jurisdiction (health data
  in Germany: GDPR, not HIPAA; in the United States: HIPAA).
- :func:`region_country` — the country a provider's cloud region processes data in (regions.toml, with
  each provider's region list as source), for :class:`Offering.country`.
- :func:`may_process` — given an offering (cloud or on premises, its certifications, the country it
  processes data in, whether it is air-gapped), whether it may process data under a regime: ``allowed``,
  ``conditional`` (the regulation allows it only under conditions the client must establish, named in the
  reason) or ``refused``, with the reason in client language.

The product states what each regulation says; the legal judgement stays with the client (``notice``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

CloudRule = Literal["any", "certified", "never"]
OnPremRule = Literal["allowed", "air_gapped"]
OutsideRule = Literal["", "refused", "conditional"]
Status = Literal["allowed", "conditional", "refused"]
OfferingKind = Literal["cloud", "onprem"]

ANY_JURISDICTION = "ANY"
_COUNTRY = re.compile(r"[A-Z]{2}")


class ComplianceDataError(ValueError):
    """The regimes file is malformed: the message names the regime and the field."""


@dataclass(frozen=True)
class Source:
    """An official text (or a source document, cited by title, which may have no URL)."""

    title: str
    url: str | None


@dataclass(frozen=True)
class Jurisdiction:
    key: str
    name: str  # in client language: "the European Union and the European Economic Area"
    countries: frozenset[str]


@dataclass(frozen=True)
class Regime:
    """One regime. ``jurisdiction`` is a jurisdiction key or ``ANY``; ``processing`` says in client language
    what the regime requires of where data is processed; ``citation`` is the text a proposal prints."""

    code: str
    name: str
    jurisdiction: str
    flags: frozenset[str]
    data_categories: frozenset[str]
    categories_apply_in: str
    cloud: CloudRule
    certifications: frozenset[str]
    onprem: OnPremRule
    locations: str
    outside: OutsideRule
    processing: str
    outside_text: str
    citation: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Regimes:
    """The regimes file: regimes by code, jurisdictions by key, data categories, review date, notice."""

    regimes: Mapping[str, Regime]
    jurisdictions: Mapping[str, Jurisdiction]
    data_categories: Mapping[str, str]
    reviewed: str
    notice: str

    def __getitem__(self, code: str) -> Regime:
        return self.regimes[code]

    @property
    def flags(self) -> frozenset[str]:
        return frozenset().union(*(r.flags for r in self.regimes.values()))

    def in_jurisdiction(self, key: str, country: str) -> bool:
        if key == ANY_JURISDICTION:
            return True
        j = self.jurisdictions.get(key)
        return j is not None and country in j.countries


@dataclass(frozen=True)
class Offering:
    """Where data would be processed. ``country``: ISO 3166-1 alpha-2 of the region or site (None when
    not stated); ``certifications``: regime codes the offering is certified or eligible for (e.g.
    ``hipaa`` for a HIPAA-eligible service under a business associate agreement, ``fedramp_high``)."""

    kind: OfferingKind
    country: str | None
    certifications: frozenset[str] = frozenset()
    air_gapped: bool = False


@dataclass(frozen=True)
class Verdict:
    regime: str
    status: Status
    reason: str


# ------------------------------------------------------------------------------------------- loading


def _str(raw: Mapping[str, Any], key: str, where: str, *, allowed: Iterable[str] | None = None) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise ComplianceDataError(f"{where}: '{key}' must be text")
    if allowed is not None and value not in allowed:
        raise ComplianceDataError(f"{where}: '{key}' is {value!r}, expected one of {', '.join(allowed)}")
    return value.strip()


def _strs(raw: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ComplianceDataError(f"{where}: '{key}' must be a list of text")
    return frozenset(value)


def _regime(
    raw: Mapping[str, Any], jurisdictions: Mapping[str, Jurisdiction], categories: set[str]
) -> Regime:
    where = f"regime {raw.get('code', '?')!r}"
    keys = {*jurisdictions, ANY_JURISDICTION}
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources:
        raise ComplianceDataError(f"{where}: 'sources' must list at least one official text")
    regime = Regime(
        code=_str(raw, "code", where),
        name=_str(raw, "name", where),
        jurisdiction=_str(raw, "jurisdiction", where, allowed=sorted(keys)),
        flags=_strs(raw, "flags", where),
        data_categories=_strs(raw, "data_categories", where),
        categories_apply_in=_str(raw, "categories_apply_in", where, allowed=["", *sorted(keys)]),
        cloud=_str(raw, "cloud", where, allowed=["any", "certified", "never"]),  # type: ignore[arg-type]
        certifications=_strs(raw, "certifications", where),
        onprem=_str(raw, "onprem", where, allowed=["allowed", "air_gapped"]),  # type: ignore[arg-type]
        locations=_str(raw, "locations", where, allowed=["", *sorted(jurisdictions)]),
        outside=_str(raw, "outside", where, allowed=["", "refused", "conditional"]),  # type: ignore[arg-type]
        processing=_str(raw, "processing", where),
        outside_text=_str(raw, "outside_text", where),
        citation=_str(raw, "citation", where),
        sources=tuple(
            Source(_str(s, "title", where), s["url"] if isinstance(s.get("url"), str) else None)
            for s in sources
        ),
    )
    unknown = regime.data_categories - categories
    if unknown:
        raise ComplianceDataError(f"{where}: unknown data category {sorted(unknown)[0]!r}")
    if regime.data_categories and not regime.categories_apply_in:
        raise ComplianceDataError(f"{where}: data categories need 'categories_apply_in'")
    if regime.cloud == "certified" and not regime.certifications:
        raise ComplianceDataError(f"{where}: cloud = 'certified' needs 'certifications'")
    if bool(regime.locations) != bool(regime.outside):
        raise ComplianceDataError(f"{where}: 'locations' and 'outside' go together")
    if regime.outside == "conditional" and not regime.outside_text:
        raise ComplianceDataError(f"{where}: outside = 'conditional' needs 'outside_text'")
    if not all(s.url is None or s.url.startswith("https://") for s in regime.sources):
        raise ComplianceDataError(f"{where}: every source URL starts with https://")
    return regime


def parse_regimes(text: str) -> Regimes:
    """The regimes of a TOML text in the format of docs/COMPLIANCE.md; ComplianceDataError when malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ComplianceDataError(f"the regimes file is not valid TOML: {exc}") from exc
    if data.get("version") != 1:
        raise ComplianceDataError("the regimes file must say version = 1")
    jurisdictions = {
        key: Jurisdiction(key, _str(j, "name", f"jurisdiction {key!r}"), _strs(j, "countries", key))
        for key, j in data.get("jurisdictions", {}).items()
    }
    for j in jurisdictions.values():
        bad = sorted(c for c in j.countries if not _COUNTRY.fullmatch(c))
        if bad:
            raise ComplianceDataError(f"jurisdiction {j.key!r}: {bad[0]!r} is not an ISO 3166-1 alpha-2 code")
    categories = {k: str(v) for k, v in data.get("data_categories", {}).items()}
    regimes: dict[str, Regime] = {}
    for raw in data.get("regimes", []):
        regime = _regime(raw, jurisdictions, set(categories))
        if regime.code in regimes:
            raise ComplianceDataError(f"regime {regime.code!r} appears twice")
        regimes[regime.code] = regime
    return Regimes(
        regimes=regimes,
        jurisdictions=jurisdictions,
        data_categories=categories,
        reviewed=str(data.get("reviewed", "")),
        notice=" ".join(str(data.get("notice", "")).split()),
    )


@lru_cache(maxsize=1)
def shipped_regimes() -> Regimes:
    """The regimes shipped in resources/compliance/regimes.toml."""
    return parse_regimes((files("resources.compliance") / "regimes.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RegionTable:
    """Cloud regions and the country each processes data in, per provider, with the provider's page."""

    regions: Mapping[str, Mapping[str, str]]  # provider (lower case) -> region (lower case) -> country
    sources: Mapping[str, str]  # provider (lower case) -> URL of its region list
    reviewed: str


def parse_regions(text: str) -> RegionTable:
    """The region table of a TOML text (docs/COMPLIANCE.md); ComplianceDataError when malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ComplianceDataError(f"the regions file is not valid TOML: {exc}") from exc
    if data.get("version") != 1:
        raise ComplianceDataError("the regions file must say version = 1")
    regions: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    for raw in data.get("providers", []):
        name = _str(raw, "name", "a provider of the regions file")
        where = f"provider {name!r}"
        source = _str(raw, "source", where)
        if not source.startswith("https://"):
            raise ComplianceDataError(f"{where}: 'source' must be an https:// URL")
        table = raw.get("regions")
        if not isinstance(table, dict) or not table:
            raise ComplianceDataError(f"{where}: 'regions' must map regions to countries")
        for region, country in table.items():
            if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
                raise ComplianceDataError(
                    f"{where}: region {region!r}: {country!r} is not an ISO 3166-1 alpha-2 code"
                )
        regions[name.lower()] = {str(r).lower(): str(c) for r, c in table.items()}
        sources[name.lower()] = source
    return RegionTable(regions, sources, str(data.get("reviewed", "")))


@lru_cache(maxsize=1)
def shipped_regions() -> RegionTable:
    """The region table shipped in resources/compliance/regions.toml."""
    return parse_regions((files("resources.compliance") / "regions.toml").read_text(encoding="utf-8"))


def region_country(table: RegionTable, provider: str, region: str) -> str | None:
    """The country (ISO 3166-1 alpha-2) where ``provider``'s ``region`` processes data, or None when the
    table does not say: a listed region, else a region written as a country code ("US", "de")."""
    listed = table.regions.get(provider.strip().lower(), {}).get(region.strip().lower())
    if listed is not None:
        return listed
    code = region.strip().upper()
    return code if _COUNTRY.fullmatch(code) else None


# ------------------------------------------------------------------------------------------ questions


def _country(code: str | None, what: str) -> str | None:
    if code is None:
        return None
    upper = code.strip().upper()
    if not _COUNTRY.fullmatch(upper):
        raise ValueError(f"{what} {code!r} is not a two-letter country code (ISO 3166-1, e.g. DE, US)")
    return upper


def applicable(
    regimes: Regimes,
    *,
    country: str,
    data_categories: Iterable[str] = (),
    flags: Iterable[str] = (),
) -> tuple[Regime, ...]:
    """The regimes that apply to a project in ``country`` (ISO 3166-1 alpha-2) with these data categories
    (e.g. ``health``) and compliance flags (regime codes, e.g. ``fedramp_high``), in file order.

    A flag applies its regime wherever the project is; a data category applies a regime only when the
    country is in that regime's ``categories_apply_in`` jurisdiction. ValueError (one sentence, naming the
    known values) for an unknown category or flag or a malformed country code.
    """
    where = _country(country, "the project's country")
    cats = {c.strip().lower() for c in data_categories}
    wanted = {f.strip().lower() for f in flags}
    unknown_cats = cats - set(regimes.data_categories)
    if unknown_cats:
        known = ", ".join(sorted(regimes.data_categories))
        raise ValueError(f"unknown data category {sorted(unknown_cats)[0]!r} (known: {known})")
    unknown_flags = wanted - regimes.flags
    if unknown_flags:
        raise ValueError(
            f"unknown compliance flag {sorted(unknown_flags)[0]!r} (known: {', '.join(sorted(regimes.flags))})"
        )
    out = []
    for regime in regimes.regimes.values():
        by_flag = bool(regime.flags & wanted)
        by_data = bool(regime.data_categories & cats) and regimes.in_jurisdiction(
            regime.categories_apply_in, where or ""
        )
        if by_flag or by_data:
            out.append(regime)
    return tuple(out)


def may_process(regimes: Regimes, regime: Regime, offering: Offering) -> Verdict:
    """Whether ``offering`` may process data under ``regime``: allowed, conditional or refused, and why.

    Checked in order: the regime's rule for cloud services (any / only certified ones / none), its rule for
    on-premises systems (allowed / only air-gapped ones), then where the offering processes data when the
    regime names locations (outside them: refused, or conditional on what ``outside_text`` says).
    """
    country = _country(offering.country, "the offering's country")
    if offering.kind == "cloud":
        if regime.cloud == "never":
            return Verdict(regime.code, "refused", f"{regime.name}: {regime.processing}")
        if regime.cloud == "certified" and not (offering.certifications & regime.certifications):
            return Verdict(
                regime.code,
                "refused",
                f"{regime.name}: the offering holds no certification that covers it. {regime.processing}",
            )
    elif regime.onprem == "air_gapped" and not offering.air_gapped:
        return Verdict(
            regime.code, "refused", f"{regime.name}: the system is not air-gapped. {regime.processing}"
        )
    if regime.locations:
        area = regimes.jurisdictions[regime.locations]
        if country is None:
            return Verdict(
                regime.code,
                "refused",
                f"{regime.name}: the offering does not say where it processes data, so it cannot be shown "
                f"to stay in {area.name}.",
            )
        if country not in area.countries:
            status: Status = "conditional" if regime.outside == "conditional" else "refused"
            return Verdict(
                regime.code,
                status,
                f"{regime.name}: processing in {country} is outside {area.name}. {regime.outside_text}",
            )
    return Verdict(regime.code, "allowed", f"{regime.name}: {regime.processing}")


def verdicts(regimes: Regimes, applied: Iterable[Regime], offering: Offering) -> tuple[Verdict, ...]:
    """:func:`may_process` for each applied regime, in order."""
    return tuple(may_process(regimes, r, offering) for r in applied)


def overall(found: Iterable[Verdict]) -> Status:
    """The strictest status: refused over conditional over allowed (allowed when nothing applies)."""
    statuses = {v.status for v in found}
    order: tuple[Status, ...] = ("refused", "conditional")
    return next((s for s in order if s in statuses), "allowed")
