"""Compliance regimes as data: which apply to a project, and whether an offering may process its data.

Expected outcomes follow the regulations' own words, quoted in resources/compliance/regimes.toml with the
official texts' URLs: HIPAA is US law and requires a business associate agreement of a cloud provider
(45 CFR §164.502(e)); GDPR Art. 9 covers data concerning health, and Chapter V governs transfers outside
the EU/EEA; FedRAMP authorizes cloud services by impact level (High covers Moderate and Low); ITAR
controls exports of US Munitions List technical data wherever the holder is; the source document
"AI Model Training Services: Cloud vs. On-Premises vs. Hybrid" puts classified workloads on premises,
air-gapped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.compliance import (
    ComplianceDataError,
    Offering,
    applicable,
    may_process,
    overall,
    parse_regimes,
    shipped_regimes,
    verdicts,
)

REGIMES_FILE = Path(__file__).resolve().parents[2] / "resources" / "compliance" / "regimes.toml"
CODES = [
    "hipaa",
    "fedramp_low",
    "fedramp_moderate",
    "fedramp_high",
    "itar",
    "classified",
    "air_gapped",
    "gdpr_health",
]
R = shipped_regimes()


def _codes(regimes: tuple[object, ...]) -> list[str]:
    return [r.code for r in regimes]  # type: ignore[attr-defined]


def test_every_regime_is_there_with_official_texts() -> None:
    assert list(R.regimes) == CODES
    for regime in R.regimes.values():
        assert regime.sources and regime.citation and regime.processing
        assert all(s.url is None or s.url.startswith("https://") for s in regime.sources)
    official = {code: " ".join(s.url or "" for s in R[code].sources) for code in CODES}
    assert "ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164" in official["hipaa"]
    assert "eur-lex.europa.eu/eli/reg/2016/679/oj" in official["gdpr_health"]
    assert "ecfr.gov/current/title-22/chapter-I/subchapter-M" in official["itar"]
    assert all("fedramp.gov" in official[c] for c in CODES[1:4])
    seed = "AI Model Training Services: Cloud vs. On-Premises vs. Hybrid"
    assert any(s.title.startswith(seed) and s.url is None for s in R["classified"].sources)
    assert R.jurisdictions["EU_EEA"].countries >= {"DE", "FR", "NL", "IE", "NO", "IS", "LI"}
    assert len(R.jurisdictions["EU_EEA"].countries) == 30  # 27 member states + 3 EEA
    assert "legal judgement" in R.notice


def test_citation_texts_are_client_language() -> None:
    for regime in R.regimes.values():
        for text in (regime.name, regime.processing, regime.citation, regime.outside_text):
            assert not re.search(r"\b(None|nan|seed|\w+_\w+)\b", text), (regime.code, text)
            assert ".toml" not in text and ".txt" not in text
    assert "Article 9(2)" in R["gdpr_health"].citation and "Chapter V" in R["gdpr_health"].citation
    assert "business associate agreement" in R["hipaa"].citation


def test_a_german_hospital_gets_gdpr_and_a_us_hospital_hipaa() -> None:
    assert _codes(applicable(R, country="DE", data_categories=["health"])) == ["gdpr_health"]
    assert _codes(applicable(R, country="us", data_categories=["Health"])) == ["hipaa"]
    assert _codes(applicable(R, country="PR", data_categories=["health"])) == ["hipaa"]
    assert _codes(applicable(R, country="NO", data_categories=["health"])) == ["gdpr_health"]  # EEA
    assert applicable(R, country="JP", data_categories=["health"]) == ()  # neither is Japanese law
    assert applicable(R, country="DE") == ()


def test_flags_apply_their_regime_wherever_the_project_is() -> None:
    assert _codes(applicable(R, country="US", flags=["fedramp_high"])) == ["fedramp_high"]
    assert _codes(applicable(R, country="DE", flags=["itar"])) == ["itar"]
    assert _codes(applicable(R, country="GB", data_categories=["defense_technical_data"])) == ["itar"]
    assert _codes(applicable(R, country="DE", data_categories=["health"], flags=["hipaa"])) == [
        "hipaa",
        "gdpr_health",
    ]
    assert _codes(applicable(R, country="FR", flags=["classified", "air_gapped"])) == [
        "classified",
        "air_gapped",
    ]


def test_unknown_flags_categories_and_countries_are_one_sentence() -> None:
    with pytest.raises(
        ValueError, match=r"unknown compliance flag 'fedramp' \(known: air_gapped, classified, "
    ):
        applicable(R, country="US", flags=["fedramp"])
    with pytest.raises(ValueError, match="unknown data category 'phi'"):
        applicable(R, country="US", data_categories=["phi"])
    with pytest.raises(ValueError, match="'Germany' is not a two-letter country code"):
        applicable(R, country="Germany")


CLOUD_US = Offering("cloud", "US")
CLOUD_US_HIPAA = Offering("cloud", "US", frozenset({"hipaa"}))
CLOUD_DE = Offering("cloud", "DE")
CLOUD_GOV = Offering("cloud", "US", frozenset({"fedramp_high", "itar", "hipaa"}))
CLOUD_MODERATE = Offering("cloud", "US", frozenset({"fedramp_moderate"}))
ONPREM_DE = Offering("onprem", "DE")
ONPREM_US = Offering("onprem", "US")
AIRGAP_US = Offering("onprem", "US", air_gapped=True)


@pytest.mark.parametrize(
    ("code", "offering", "status"),
    [
        ("hipaa", CLOUD_US, "refused"),  # no business associate agreement
        ("hipaa", CLOUD_US_HIPAA, "allowed"),
        ("hipaa", Offering("cloud", "DE", frozenset({"hipaa"})), "allowed"),  # HIPAA sets no country
        ("hipaa", ONPREM_US, "allowed"),
        ("fedramp_moderate", CLOUD_MODERATE, "allowed"),
        ("fedramp_high", CLOUD_MODERATE, "refused"),  # Moderate does not cover High
        ("fedramp_low", CLOUD_GOV, "allowed"),  # High covers Low
        ("fedramp_high", ONPREM_US, "allowed"),  # FedRAMP authorizes cloud services only
        ("itar", CLOUD_US, "refused"),
        ("itar", CLOUD_GOV, "allowed"),
        ("itar", ONPREM_US, "allowed"),
        ("itar", ONPREM_DE, "conditional"),  # outside the US: only end-to-end encrypted
        ("classified", CLOUD_GOV, "refused"),
        ("classified", ONPREM_US, "refused"),  # connected
        ("classified", AIRGAP_US, "allowed"),
        ("air_gapped", CLOUD_DE, "refused"),
        ("air_gapped", AIRGAP_US, "allowed"),
        ("gdpr_health", CLOUD_DE, "allowed"),
        ("gdpr_health", ONPREM_DE, "allowed"),
        ("gdpr_health", Offering("cloud", "IE"), "allowed"),
        ("gdpr_health", CLOUD_US, "conditional"),  # Chapter V transfer
        ("gdpr_health", Offering("cloud", None), "refused"),  # location not stated
    ],
)
def test_may_process(code: str, offering: Offering, status: str) -> None:
    verdict = may_process(R, R[code], offering)
    assert (verdict.regime, verdict.status) == (code, status)
    assert verdict.reason.startswith(R[code].name)


def test_reasons_say_what_the_regulation_says() -> None:
    transfer = may_process(R, R["gdpr_health"], CLOUD_US)
    assert "processing in US is outside the European Union and the European Economic Area" in transfer.reason
    assert "Chapter V" in transfer.reason and "Article 45" in transfer.reason
    unknown = may_process(R, R["gdpr_health"], Offering("cloud", None))
    assert "does not say where it processes data" in unknown.reason
    baa = may_process(R, R["hipaa"], CLOUD_US)
    assert "business associate agreement" in baa.reason


def test_overall_is_the_strictest_verdict() -> None:
    german = applicable(R, country="DE", data_categories=["health"], flags=["itar"])
    assert overall(verdicts(R, german, CLOUD_DE)) == "refused"  # ITAR needs an ITAR cloud
    assert overall(verdicts(R, german, ONPREM_DE)) == "conditional"  # ITAR data outside the US
    assert (
        overall(verdicts(R, applicable(R, country="DE", data_categories=["health"]), ONPREM_DE)) == "allowed"
    )
    assert overall(()) == "allowed"


def _without(text: str, line_start: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(line_start))


def test_a_malformed_regimes_file_names_regime_and_field() -> None:
    text = REGIMES_FILE.read_text(encoding="utf-8")
    with pytest.raises(ComplianceDataError, match="regime 'hipaa': 'cloud' is 'sometimes'"):
        parse_regimes(text.replace('cloud = "certified"', 'cloud = "sometimes"', 1))
    with pytest.raises(ComplianceDataError, match="regime 'hipaa': unknown data category 'wealth'"):
        parse_regimes(text.replace('data_categories = ["health"]', 'data_categories = ["wealth"]', 1))
    with pytest.raises(ComplianceDataError, match="jurisdiction 'US': 'USA' is not an ISO 3166-1"):
        parse_regimes(text.replace('countries = ["US",', 'countries = ["USA",', 1))
    with pytest.raises(ComplianceDataError, match="must say version = 1"):
        parse_regimes(_without(text, "version"))
    with pytest.raises(ComplianceDataError, match="not valid TOML"):
        parse_regimes(text + "\n[[regimes]\n")
