"""``planner.analysis.analyse`` on every shipped sample, with a catalog held in memory (no database, no Qt).

The catalog is the shipped CSV files read with the catalog's own column rules (``db.io.parse_rows``, pure
parsing); the expected figures come from the engine called directly on a project resolved by hand here,
an independent path from the analysis's resolver.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from functools import cache
from importlib.resources import files
from typing import Any

import pytest

from db.io import parse_rows
from db.schema import SPECS
from planner.analysis import MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED, MemoryCatalog, analyse
from planner.catalog import Gpu, ModelArch
from planner.engine.estimate import estimate, parse_spec
from planner.engine.tco import evaluate
from planner.project import HybridOption, Project, ProjectError, parse_project
from tests.dates import TODAY

SAMPLES = sorted(
    p.name.removesuffix(".json") for p in files("resources.samples").iterdir() if p.name.endswith(".json")
)


def _rows(table: str, known_gpus: tuple[str, ...] = ()) -> list[Any]:
    spec = SPECS[table]
    path = files("resources.catalog").joinpath(f"{table}.csv")
    with path.open("r", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        values, errors = parse_rows(
            spec, header, enumerate(reader, start=2), known_gpus=known_gpus, today=TODAY
        )
    assert not errors, errors[:3]
    return [spec.to_domain({**v, "origin": "shipped"}) for v in values]


@cache
def shipped_catalog() -> MemoryCatalog:
    gpus = _rows("gpus")
    servers = _rows("servers", tuple(g.name for g in gpus))
    return MemoryCatalog.of(models=_rows("models"), gpus=gpus, servers=servers)


def sample(name: str) -> Project:
    return parse_project(json.loads(files("resources.samples").joinpath(f"{name}.json").read_text("utf-8")))


def resolved_by_hand(project: Project, cat: MemoryCatalog) -> tuple[Project, dict[str, float]]:
    """Each workload with an estimate spec: GPU-hours and device memory from estimate() directly."""
    memory: dict[str, float] = {}
    out = []
    for w in project.workloads:
        if w.estimate is None:
            out.append(w)
            continue
        spec = dict(w.estimate)
        model: ModelArch = (
            ModelArch(**dict(w.model_spec))
            if w.model_spec is not None
            else cat.model(str(spec.get("model", w.model)))
        )
        spec["model"] = model.name
        gpu_name = spec.get("gpu", w.gpu)
        if gpu_name is not None:
            spec["gpu"] = gpu_name
        spec.setdefault("n_gpus", w.gpus or 1)
        gpus: list[Gpu] = [cat.gpu(str(gpu_name))] if gpu_name is not None else []
        res = estimate(parse_spec(spec), model, gpus)
        memory[w.name] = res.device_gb_per_gpu
        hours = w.gpu_hours_per_run if w.gpu_hours_per_run is not None else res.gpu_hours
        out.append(dataclasses.replace(w, gpu_hours_per_run=hours))
    return dataclasses.replace(project, workloads=tuple(out)), memory


@pytest.mark.parametrize("name", SAMPLES)
def test_analyse_every_sample_with_a_catalog_in_memory(name: str) -> None:
    cat = shipped_catalog()
    project = sample(name)
    a = analyse(project, cat, today=TODAY, samples=200, seed=7)
    by_hand, memory = resolved_by_hand(project, cat)
    direct = evaluate(by_hand, samples=200, seed=7, plan=True)
    assert [o.name for o in a.tco.options] == [o.name for o in direct.options]
    for got, want in zip(a.tco.options, direct.options, strict=True):
        assert got.total == pytest.approx(want.total, rel=1e-12, abs=1e-6), got.name
        assert got.present_value == pytest.approx(want.present_value, rel=1e-12, abs=1e-6), got.name
    rec, want_rec = a.tco.recommendation, direct.recommendation
    assert (rec.option if rec else None) == (want_rec.option if want_rec else None)
    assert a.tco.monte_carlo is not None and direct.monte_carlo is not None
    assert a.tco.monte_carlo.p50 == pytest.approx(direct.monte_carlo.p50)
    for w in a.workloads:
        if w.name in memory:
            assert w.memory_gb_per_gpu == pytest.approx(memory[w.name], rel=1e-12), w.name
            assert w.hours_source in ("typed", "estimate")
        else:
            assert w.memory_gb_per_gpu is None and w.hours_source == "typed"
    # the effective project is the same plan in other words: evaluating it gives the same totals
    again = evaluate(a.effective)
    for got, want in zip(again.options, a.tco.options, strict=True):
        assert got.total == pytest.approx(want.total, rel=1e-9, abs=1e-6), got.name
    assert a.samples == 200 and a.seed == 7 and a.today == TODAY


def test_one_monte_carlo_policy_for_every_view() -> None:
    a = analyse(sample("research_spot"), shipped_catalog(), today=TODAY)
    assert a.samples == MONTE_CARLO_SAMPLES == 2000 and a.seed == MONTE_CARLO_SEED
    assert a.tco.monte_carlo is not None and a.tco.monte_carlo.samples == 2000
    fast = analyse(sample("research_spot"), shipped_catalog(), today=TODAY, samples=0)
    assert fast.tco.monte_carlo is None
    assert [o.total for o in fast.tco.options] == [o.total for o in a.tco.options]


def test_staffing_table_and_hybrid_split_are_written_into_the_effective_project() -> None:
    """The trap of the assumptions page: a hybrid owning the engine's chosen servers, staff from the table."""
    a = analyse(sample("fraud_detection_hybrid"), shipped_catalog(), today=TODAY, samples=0)
    hybrid = next(o for o in a.effective.options if isinstance(o, HybridOption))
    chosen = a.tco.option(hybrid.name).details["servers"]
    assert hybrid.onprem.servers == int(chosen)
    staff = a.tco.option(hybrid.name).breakdown.get("staff")
    if staff is not None and staff.sum() > 0:
        fte = (hybrid.onprem.staff_fte or 0.0) + (hybrid.burst.staff_fte or 0.0)
        assert fte > 0  # a charged staff cost is never shown as 0 FTE
    sources = {i.path: i.source for i in a.inputs}
    assert all(s in ("typed", "estimate", "staffing table", "engine", "default") for s in sources.values())


def test_a_model_missing_from_the_catalog_names_the_workload() -> None:
    data = json.loads(files("resources.samples").joinpath("fine_tuning_workloads.json").read_text("utf-8"))
    data["workloads"][0]["model"] = "Llama 9 900B"
    data["workloads"][0].pop("gpu_hours_per_run", None)
    with pytest.raises(ProjectError) as info:
        analyse(parse_project(data), shipped_catalog(), today=TODAY, samples=0)
    assert info.value.key == "workloads[0].model" and "Llama 9 900B" in str(info.value)


def test_tiered_egress_is_shown_at_its_blended_rate_and_financing_over_its_months() -> None:
    """40 TB a month on tiers 10 TB at 90 and the rest at 70 a TB: (10 × 90 + 30 × 70) / 40 = 75 a TB."""
    data = {
        "name": "egress",
        "currency": "USD",
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 100},
        "options": [
            {"kind": "cloud", "name": "c", "rate_per_hour": 2.0, "rate_unit": "gpu", "pricing": "on_demand",
             "egress_tb_per_month": 40, "egress_tiers": [{"upto_tb": 10, "per_tb": 90}, {"upto_tb": None, "per_tb": 70}]},
            {"kind": "onprem", "name": "o", "servers": 1, "server_price": 100000, "gpus_per_server": 8,
             "depreciation_months": 48, "finance_rate_annual": 0.07},
        ],
    }  # fmt: skip
    a = analyse(parse_project(data), today=TODAY, samples=0)
    cloud, owned = a.effective.options
    assert cloud.egress_per_tb == pytest.approx(75.0)  # type: ignore[union-attr]
    assert owned.finance_months == 48  # type: ignore[union-attr]
    assert a.tco.option("c").breakdown["egress"].sum() == pytest.approx(12 * 40 * 75.0)
    again = evaluate(a.effective)
    assert [o.total for o in again.options] == pytest.approx([o.total for o in a.tco.options])
