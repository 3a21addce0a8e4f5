"""Project file format: validation names the key and the option; versions; round-trips; quotes."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from planner.project import (
    PROJECT_FORMAT_VERSION,
    OnPremOption,
    ProjectError,
    load_project,
    parse_project,
    save_project,
)

SAMPLES = sorted(p.name for p in files("resources.samples").iterdir() if p.name.endswith(".json"))


def _project(*options: dict[str, Any], **top: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"name": "p", "horizon_months": 12, "options": list(options)}
    d.update(top)
    return d


CLOUD = {
    "kind": "cloud",
    "name": "AWS",
    "rate_per_hour": 98.32,
    "rate_unit": "instance",
    "gpus_per_instance": 8,
}
ONPREM = {"kind": "onprem", "name": "Rack", "servers": 2, "server_price": 310000}


@pytest.mark.parametrize(
    ("options", "top", "key", "option", "words"),
    [
        ([{k: v for k, v in CLOUD.items() if k != "rate_unit"}], {}, "rate_unit", "AWS", "instance"),
        ([dict(CLOUD, rate_per_hour=-1.0)], {}, "rate_per_hour", "AWS", "negative"),
        ([dict(ONPREM, server_price=-5)], {}, "server_price", "Rack", "negative"),
        ([dict(ONPREM, pue=0.95)], {}, "pue", "Rack", "below 1"),
        ([dict(ONPREM, residual_fraction=1.2)], {}, "residual_fraction", "Rack", "exceed"),
        ([CLOUD], {"horizon_months": 0}, "horizon_months", None, ">= 1"),
        ([CLOUD], {"horizon_months": 85}, "horizon_months", None, "<= 84"),
        (
            [dict(CLOUD, pricing="reserved", committed_instances=4)],
            {},
            "on_demand_rate_per_hour",
            "AWS",
            "required",
        ),
        ([dict(CLOUD, rate_unit="vm")], {}, "rate_unit", "AWS", "instance, gpu"),
        ([dict(ONPREM, bridge_option="nope")], {}, "bridge_option", "Rack", "not a cloud option"),
        ([CLOUD, dict(CLOUD)], {}, "name", "AWS", "unique"),
        (
            [{"kind": "hybrid", "name": "H", "onprem": dict(ONPREM, pue=0.5), "burst": CLOUD}],
            {},
            "onprem.pue",
            "H",
            "below 1",
        ),
        (
            [{"kind": "hybrid", "name": "H", "onprem": ONPREM, "burst": {"rate_per_hour": 1}}],
            {},
            "burst.rate_unit",
            "H",
            "missing",
        ),
        ([], {}, "options", None, "at least one"),
        (
            [CLOUD],
            {"monte_carlo": [{"path": "options.Nope.rate_per_hour", "low": 1, "high": 2}]},
            "monte_carlo[0].path",
            None,
            "unknown input",
        ),
        (
            [CLOUD],
            {"monte_carlo": [{"path": "demand.scale", "low": 2, "high": 1}]},
            "monte_carlo[0].high",
            None,
            "below",
        ),
    ],
)
def test_bad_input_names_key_and_option(
    options: list, top: dict, key: str, option: str | None, words: str
) -> None:
    with pytest.raises(ProjectError) as info:
        parse_project(_project(*options, **top))
    err = info.value
    assert err.key == key
    assert err.option == option
    assert key in str(err) and words in str(err)
    if option:
        assert repr(option) in str(err)


def test_missing_version_reads_as_current_and_newer_is_refused() -> None:
    p = parse_project(_project(CLOUD))
    assert p.version == PROJECT_FORMAT_VERSION
    assert p.to_dict()["version"] == PROJECT_FORMAT_VERSION
    with pytest.raises(ProjectError) as info:
        parse_project(dict(_project(CLOUD), version=PROJECT_FORMAT_VERSION + 1))
    assert info.value.key == "version"


def test_explicit_option_defaults_are_neutral() -> None:
    p = parse_project(_project(ONPREM, CLOUD))
    rack = p.option("Rack")
    assert isinstance(rack, OnPremOption)
    assert (rack.network_capex, rack.network_fraction, rack.maintenance_rate_annual, rack.staff_fte) == (
        0,
        0,
        0,
        0,
    )
    assert rack.pue is None and p.pue == 1.0 and rack.load_factor == 1.0 and not rack.staff_from_table
    aws = p.option("AWS")
    assert aws.billing_increment_s == 1.0 and aws.min_billing_s == 0.0  # type: ignore[union-attr]


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_round_trip(name: str, tmp_path: Path) -> None:
    text = files("resources.samples").joinpath(name).read_text(encoding="utf-8")
    p = parse_project(json.loads(text))
    again = parse_project(p.to_dict())
    assert again == p
    out = tmp_path / name
    save_project(p, out)
    assert load_project(out) == p
    assert not list(tmp_path.glob("*.tmp"))


def test_frozen_project_supports_replace_snapshots() -> None:
    p = parse_project(_project(CLOUD, ONPREM))
    q = replace(p, horizon_months=24)
    assert (p.horizon_months, q.horizon_months) == (12, 24)
    with pytest.raises(AttributeError):
        p.horizon_months = 3  # type: ignore[misc]


def test_onprem_option_from_vendor_quote() -> None:
    o = OnPremOption.from_quote(
        "Dell quote Q-1",
        capex=620000.0,
        gpus=16,
        power_kw=20.4,
        servers=2,
        maintenance_rate_annual=0.1,
        pue=1.3,
    )
    assert (o.servers, o.gpus_per_server, o.server_price, o.power_kw_per_server) == (2, 8, 310000.0, 10.2)
    assert o.capex == 620000.0 and o.maintenance_rate_annual == 0.1 and o.pue == 1.3
    with pytest.raises(ProjectError) as info:
        OnPremOption.from_quote("bad", capex=1.0, gpus=16, power_kw=1.0, pue=0.9)
    assert info.value.key == "pue" and info.value.option == "bad"


def test_load_project_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    with pytest.raises(ProjectError) as info:
        load_project(bad)
    assert info.value.key == "file"
