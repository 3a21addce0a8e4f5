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
    d: dict[str, Any] = {
        "name": "p",
        "currency": "USD",
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 1000},
        "options": list(options),
    }
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
    # owned terms left out are unset (None), not 0: the analysis fills them from sourced values
    assert (rack.network_capex, rack.network_fraction, rack.maintenance_rate_annual, rack.staff_fte) == (
        None,
        None,
        None,
        None,
    )
    zero = parse_project(_project(dict(ONPREM, maintenance_rate_annual=0, staff_fte=0), CLOUD))
    rack0 = zero.option("Rack")
    assert isinstance(rack0, OnPremOption)
    assert (rack0.maintenance_rate_annual, rack0.staff_fte) == (0.0, 0.0)  # a 0 written stays 0
    assert parse_project(zero.to_dict()) == zero and parse_project(p.to_dict()) == p
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


# ---------------------------------------------------------------- review findings (unknown keys, units, files)


@pytest.mark.parametrize(
    ("top", "options", "key", "option", "suggestion"),
    [
        ({}, [dict(ONPREM, electricity_price=0.12)], "electricity_price", "Rack", "electricity_per_kwh"),
        ({}, [dict(CLOUD, rate_per_hr=1.0)], "rate_per_hr", "AWS", "rate_per_hour"),
        ({"horizon_month": 12}, [CLOUD], "horizon_month", None, "horizon_months"),
        (
            {"demand": {"gpu_hours_per_mnth": 5}},
            [CLOUD],
            "demand.gpu_hours_per_mnth",
            None,
            "gpu_hours_per_month",
        ),
        (
            {"workloads": [{"name": "w", "runs_per_month": 1, "gpu_hours_per_run": 2, "regulatd": True}]},
            [CLOUD],
            "workloads[0].regulatd",
            None,
            "regulated",
        ),
        (
            {"monte_carlo": [{"path": "pue", "low": 1.1, "high": 1.5, "distribution": "uniform"}]},
            [CLOUD],
            "monte_carlo[0].distribution",
            None,
            None,
        ),
        (
            {},
            [{"kind": "hybrid", "name": "H", "onprem": dict(ONPREM, pue_=1.2), "burst": CLOUD}],
            "onprem.pue_",
            "H",
            "pue",
        ),
        (
            {},
            [{"kind": "hybrid", "name": "H", "onprem": ONPREM, "burst": CLOUD, "optimize_split": False}],
            "optimize_split",
            "H",
            "optimise_split",
        ),
        (
            {},
            [dict(CLOUD, egress_tiers=[{"upto_tb": 10, "price_per_tb": 90}])],
            "egress_tiers[0].price_per_tb",
            "AWS",
            "per_tb",
        ),
    ],
)
def test_unknown_keys_are_errors_with_a_suggestion(
    top: dict, options: list, key: str, option: str | None, suggestion: str | None
) -> None:
    with pytest.raises(ProjectError) as info:
        parse_project(_project(*options, **top))
    err = info.value
    assert (err.key, err.option) == (key, option)
    assert "unknown key" in str(err)
    if suggestion:
        assert f"did you mean {suggestion!r}" in str(err)
    else:
        assert "PROJECT_FORMAT.md" in str(err)


STORED_PROJECTS = [
    Path(__file__).parents[1] / "data" / "quotes" / "project_h100.json",
    *sorted((Path(__file__).parents[1] / "report" / "data").glob("*.json")),
]


@pytest.mark.parametrize("path", STORED_PROJECTS, ids=lambda p: p.name)
def test_stored_project_files_still_load(path: Path) -> None:
    p = load_project(path)
    assert parse_project(p.to_dict()) == p


def test_to_dict_writes_only_keys_the_parser_accepts() -> None:
    hybrid = {"kind": "hybrid", "name": "H", "onprem": ONPREM, "burst": CLOUD}
    top = {
        "workloads": [{"name": "w", "runs_per_month": 2, "gpu_hours_per_run": 10, "model": {"layers": 2}}],
        "monte_carlo": [{"path": "pue", "low": 1.1, "high": 1.5}],
        "compliance": ["hipaa"],
    }
    p = parse_project(
        _project(CLOUD, ONPREM, hybrid, dict(CLOUD, name="tiered", egress_tiers=[{"per_tb": 9}]), **top)
    )
    assert parse_project(p.to_dict()) == p


def test_instance_rate_needs_gpus_per_instance() -> None:
    with pytest.raises(ProjectError) as info:
        parse_project(_project({k: v for k, v in CLOUD.items() if k != "gpus_per_instance"}))
    assert (info.value.key, info.value.option) == ("gpus_per_instance", "AWS")
    assert "never guessed" in str(info.value)
    gpu_rate = dict(CLOUD, rate_unit="gpu", rate_per_hour=12.29)
    del gpu_rate["gpus_per_instance"]
    assert parse_project(_project(gpu_rate)).options[0].rate_unit == "gpu"  # type: ignore[union-attr]


def test_project_needs_demand_or_workloads() -> None:
    d = _project(CLOUD)
    del d["demand"]
    with pytest.raises(ProjectError) as info:
        parse_project(d)
    assert info.value.key == "demand" and "demand or workloads is required" in str(info.value)
    with pytest.raises(ProjectError):
        parse_project(_project(CLOUD, demand={"gpu_hours_per_month": 0}))
    w = {"name": "w", "runs_per_month": 1, "gpu_hours_per_run": 8}
    assert parse_project(dict(d, workloads=[w])).workloads[0].name == "w"


@pytest.mark.parametrize(
    ("top", "options", "key", "words"),
    [
        ({}, [dict(ONPREM, servers=0)], "servers", ">= 1"),
        ({"currency": "usd"}, [CLOUD], "currency", "ISO 4217"),
        ({"currency": "US$"}, [CLOUD], "currency", "ISO 4217"),
        ({"currency": "ABC"}, [CLOUD], "currency", "not an ISO 4217 code"),
        ({"currency": None}, [CLOUD], "currency", "missing"),
        (
            {"workloads": [{"name": "w", "runs_per_month": 1, "gpu_hours_per_run": 1e-9}]},
            [CLOUD],
            "workloads[0].gpu_hours_per_run",
            "GPU-second",
        ),
        (
            {"demand": {"gpu_hours_per_month": 1e-9, "jobs_per_month": 4}},
            [CLOUD],
            "demand.jobs_per_month",
            "GPU-second",
        ),
    ],
)
def test_servers_currency_and_run_length_are_checked(top: dict, options: list, key: str, words: str) -> None:
    with pytest.raises(ProjectError) as info:
        parse_project(_project(*options, **top))
    assert info.value.key == key and words in str(info.value)


def test_currency_codes_are_iso4217() -> None:
    from babel.numbers import list_currencies  # tests may use babel; planner/ may not

    from planner.project import CURRENCY_CODES

    assert CURRENCY_CODES.issubset(list_currencies())
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "INR"} <= CURRENCY_CODES
    assert parse_project(_project(CLOUD, currency="EUR")).currency == "EUR"


def test_load_project_unreadable_files_give_one_sentence(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"name": "Caf\xe9"}'.encode("latin-1"))
    cases = [(tmp_path, "is a folder"), (tmp_path / "missing.json", "file not found"), (latin1, "not UTF-8")]
    for path, words in cases:
        with pytest.raises(ProjectError) as info:
            load_project(path)
        err = info.value
        assert err.key == "file" and words in str(err), str(err)
        assert "\n" not in str(err) and err.__cause__ is None and err.__suppress_context__


def test_readme_example_project_parses() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```json\n")[1:]]
    example = next(json.loads(b) for b in blocks if '"horizon_months"' in b)
    p = parse_project(example)
    assert parse_project(p.to_dict()) == p and p.currency == "USD"
