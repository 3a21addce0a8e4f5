"""Cloud regions to countries, for the location rules of the regimes.

Expected countries are the locations the providers' region lists give (the source URL of each provider
in resources/compliance/regions.toml): AWS eu-central-1 is Frankfurt, eu-west-1 Ireland; Azure West
Europe is in the Netherlands; GCP europe-west4 is Eemshaven, Netherlands.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.compliance import (
    ComplianceDataError,
    Offering,
    may_process,
    parse_regions,
    region_country,
    shipped_regimes,
    shipped_regions,
)

REGIONS_FILE = Path(__file__).resolve().parents[2] / "resources" / "compliance" / "regions.toml"
T = shipped_regions()


@pytest.mark.parametrize(
    ("provider", "region", "country"),
    [
        ("AWS", "eu-central-1", "DE"),
        ("aws", "EU-WEST-1", "IE"),
        ("AWS", "us-east-1", "US"),
        ("AWS", "us-gov-west-1", "US"),
        ("Azure", "westeurope", "NL"),
        ("Azure", "germanywestcentral", "DE"),
        ("GCP", "europe-west4", "NL"),
        ("GCP", "us-central1", "US"),
        ("CoreWeave", "US", "US"),  # a region written as a country code
        ("Lambda", "us", "US"),
        ("RunPod", "US/EU", None),  # not one country
        ("Spheron", "unspecified", None),
        ("AWS", "mars-north-1", None),
    ],
)
def test_region_country(provider: str, region: str, country: str | None) -> None:
    assert region_country(T, provider, region) == country


def test_every_provider_names_its_region_list() -> None:
    assert set(T.sources) == {"aws", "azure", "gcp"}
    assert all(url.startswith("https://") for url in T.sources.values())


def test_a_german_hospital_on_frankfurt_and_on_virginia() -> None:
    regimes = shipped_regimes()
    gdpr = regimes["gdpr_health"]
    frankfurt = Offering("cloud", region_country(T, "AWS", "eu-central-1"))
    virginia = Offering("cloud", region_country(T, "AWS", "us-east-1"))
    assert may_process(regimes, gdpr, frankfurt).status == "allowed"
    assert may_process(regimes, gdpr, virginia).status == "conditional"


def test_a_malformed_regions_file_names_provider_and_region() -> None:
    text = REGIONS_FILE.read_text(encoding="utf-8")
    with pytest.raises(ComplianceDataError, match="provider 'AWS': region 'eu-central-1': 'Germany'"):
        parse_regions(text.replace('eu-central-1 = "DE"', 'eu-central-1 = "Germany"'))
    with pytest.raises(ComplianceDataError, match="must say version = 1"):
        parse_regions(text.replace("version = 1", "version = 2"))
