"""The README's project example is a real, valid project: the engine evaluates it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from planner.engine.tco import evaluate
from planner.project import parse_project

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_project_example_parses_and_evaluates() -> None:
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "README has no JSON project example"
    project = parse_project(json.loads(blocks[0]))
    result = evaluate(project)
    names = [o.name for o in result.options]
    assert names == ["Vertex AI A100", "1x HGX H100"]
    cloud = result.options[0]
    # 2,000 GPU-hours a month growing 25 % a year at $2.93 per GPU-hour, in 20 jobs billed in 30 s steps
    # (a job of 100 GPU-hours on 1 GPU lasts exactly 360,000 s, a multiple of 30 s: no rounding).
    expected = sum(2000 * 1.25 ** ((m - 1) / 12) * 2.93 for m in range(1, 37))
    assert abs(cloud.total - expected) < 0.01 * 20 * 36
