"""The batched break-even utilisation (affine forms, all pairs of a project at once) equals the per-pair
grid evaluation it replaced (tests/tco/reference_break_even.py) on every shipped sample and on random
projects, and evaluate() reports it for every owned/rented pair."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from planner.analysis.resolve import resolve_workloads
from planner.engine import sensitivity
from planner.engine.tco import break_even_pairs, evaluate
from planner.project import Project, parse_project
from tests.tco import reference_break_even
from tests.tco.strategies import project_dict

SAMPLES = sorted(
    p.name[: -len(".json")] for p in files("resources.samples").iterdir() if p.name.endswith(".json")
)
U_TOL = 1e-9
"""Utilisations agree to 1e-9 (the two differ only by float rounding of the same totals)."""


def _fixed(project: Project) -> dict[str, dict[str, Any]]:
    result = evaluate(project)
    return {o.name: {"servers": int(o.details["servers"])} for o in result.options if o.kind == "hybrid"}


def _assert_same_as_reference(project: Project) -> int:
    pairs = break_even_pairs(project, _fixed(project))
    fast = sensitivity.break_even_utilizations(project, pairs)
    n = 0
    for name, owned, rented in pairs:
        for r in rented:
            ref = reference_break_even.break_even_utilization(project, owned, r)
            got = fast[(name, r.name)]
            assert (got is None) == (ref is None), (name, r.name, got, ref)
            if ref is not None and got is not None:
                assert got == pytest.approx(ref, abs=U_TOL), (name, r.name)
            n += 1
    assert len(fast) == n
    return n


def _sample(name: str) -> Project:
    """A shipped sample, its workloads sized through the shipped catalog (as the CLI and the app do)."""
    from db.analysis_catalog import DbCatalog
    from db.session import get_engine

    text = files("resources.samples").joinpath(f"{name}.json").read_text(encoding="utf-8")
    project = parse_project(json.loads(text))
    if all(w.resolved for w in project.workloads):
        return project
    engine = get_engine()
    return resolve_workloads(project, DbCatalog(engine)).project


@pytest.mark.parametrize("sample", SAMPLES)
def test_shipped_samples_match_the_per_pair_grid(sample: str) -> None:
    project = _sample(sample)
    n = _assert_same_as_reference(project)
    owned = sum(1 for o in project.options if o.kind in ("onprem", "hybrid"))
    assert n >= owned * sum(1 for o in project.options if o.kind in ("cloud", "managed_k8s"))


def test_largest_sample_has_reserved_and_affine_partners() -> None:
    """The sample the UI bench uses mixes reserved (grid path) and affine partners: both paths are checked."""
    project = _sample("largest")
    pricings = {getattr(o, "pricing", None) for o in project.options}
    assert {"reserved", "on_demand"} <= pricings
    assert _assert_same_as_reference(project) == 86


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project_dict())
def test_random_projects_match_the_per_pair_grid(d: dict[str, Any]) -> None:
    _assert_same_as_reference(parse_project(d))


def test_evaluate_reports_the_batched_values() -> None:
    project = _sample("fraud_detection_hybrid")
    result = evaluate(project)
    pairs = break_even_pairs(project, _fixed(project))
    for name, owned, rented in pairs:
        for r in rented:
            ref = reference_break_even.break_even_utilization(project, owned, r)
            reported = [b.utilization for b in result.break_even if {b.a, b.b} == {name, r.name}]
            for u in reported:
                assert (u is None) == (ref is None)
                if u is not None and ref is not None:
                    assert u == pytest.approx(ref, abs=U_TOL)


def test_single_pair_wrapper_agrees() -> None:
    project = _sample("largest")
    for name, owned, rented in break_even_pairs(project, _fixed(project))[:2]:
        for r in rented:
            got = sensitivity.break_even_utilization(project, owned, r)
            ref = reference_break_even.break_even_utilization(project, owned, r)
            assert (got is None) == (ref is None)
            if got is not None and ref is not None:
                assert got == pytest.approx(ref, abs=U_TOL), (name, r.name)
