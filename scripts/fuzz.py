"""`make fuzz`: N hostile inputs per entry point (default 10,000), counted per outcome class.

    .venv/bin/python scripts/fuzz.py [--n 10000] [--seed 0] [--only project,spec,catalog,quote,tco]

Inputs come from tests/fuzz/hostile.py (one hostile change of one class to a real file); outcomes are
accepted / refused / traceback / hang / wrong. The first few inputs of every bad outcome are kept under
tests/artifacts/fuzz/ with the message, to replay. Runs against a throwaway SQLite catalog; never touches
the user's data folder.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz import hostile  # noqa: E402

KEEP = 5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="project,tco,spec,catalog,quote")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="planner-fuzz-"))
    os.environ["PLANNER_DATA_DIR"] = str(work / "data")
    os.environ["HOME"] = str(work / "home")
    from db.session import get_engine

    engine = get_engine(f"sqlite:///{work / 'catalog.db'}")
    artifacts = ROOT / "tests" / "artifacts" / "fuzz"
    artifacts.mkdir(parents=True, exist_ok=True)
    only = args.only.split(",")
    catalog = None
    if "spec" in only:
        from db.catalog import list_gpus

        catalog = (engine, list_gpus(engine))
    rows = []
    for entry in only:
        counts: collections.Counter[str] = collections.Counter()
        by_class: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        kept: collections.Counter[str] = collections.Counter()
        n = args.n if entry != "tco" else max(1, args.n // 100)
        started = time.monotonic()
        for i in range(n):
            r = random.Random(f"{args.seed}-{entry}-{i}")
            kind = hostile.CLASSES[i % len(hostile.CLASSES)]
            suffix = ".json"
            if entry in ("project", "tco"):
                data = hostile.project_file(r, kind)
            elif entry == "spec":
                data = hostile.spec_file(r, kind)
            elif entry == "catalog":
                data, suffix = hostile.catalog_file(r, kind)
            else:
                data, suffix = hostile.quote_file(r, kind)
            path = work / f"input{suffix}"
            path.write_bytes(data)
            if entry == "project":
                # one "many" input in a hundred asks for 10,000,000 Monte Carlo samples (the run)
                samples = 10_000_000 if kind == "many" and r.random() < 0.01 else 50
                outcome, message = hostile.run_project(path, samples)
            elif entry == "tco":
                outcome, message = _run_tco(path, work)
            elif entry == "spec":
                outcome, message = hostile.run_spec(path, catalog)
            elif entry == "catalog":
                outcome, message = hostile.run_catalog_import(path, engine)
            else:
                outcome, message = hostile.run_quote_import(path, engine)
            counts[outcome] += 1
            by_class[kind][outcome] += 1
            if outcome not in ("accepted", "refused") and kept[outcome] < KEEP:
                kept[outcome] += 1
                keep = artifacts / f"{entry}-{outcome}-{i}{suffix}"
                keep.write_bytes(data)
                keep.with_suffix(keep.suffix + ".txt").write_text(f"{kind}: {message}\n", encoding="utf-8")
            if (i + 1) % 1000 == 0:
                print(f"  {entry}: {i + 1:,}/{n:,} {dict(counts)}", file=sys.stderr, flush=True)
        took = time.monotonic() - started
        rows.append((entry, n, counts, took))
        print(
            f"{entry}: {n:,} inputs in {took:,.0f} s: "
            + ", ".join(f"{o} {counts[o]:,}" for o in hostile.OUTCOMES)
        )
        for kind in hostile.CLASSES:
            print(
                f"    {kind:<10} "
                + ", ".join(f"{o} {by_class[kind][o]}" for o in hostile.OUTCOMES if by_class[kind][o])
            )
        sys.stdout.flush()
    print()
    print("| entry point | inputs | " + " | ".join(hostile.OUTCOMES) + " |")
    print("|---|---|" + "---|" * len(hostile.OUTCOMES))
    for entry, n, counts, _took in rows:
        print(f"| {entry} | {n:,} | " + " | ".join(f"{counts[o]:,}" for o in hostile.OUTCOMES) + " |")
    bad = sum(c[o] for _, _, c, _ in rows for o in ("traceback", "hang", "wrong"))
    return 1 if bad else 0


def _run_tco(path: Path, work: Path) -> tuple[str, str]:
    """`planner tco` in a subprocess: exit 0 with output, or exit 2 with one line on stderr."""
    try:
        proc = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "planner"), "--db", f"sqlite:///{work / 'catalog.db'}", "tco",
             str(path), "--samples", "50", "--today", "2026-12-03"],
            capture_output=True, text=True, errors="replace", timeout=hostile.TIME_LIMIT_S * 3,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return "hang", ""
    if "Traceback" in proc.stderr or proc.returncode not in (0, 2):
        return "traceback", proc.stderr[-300:]
    if proc.returncode == 2:
        lines = proc.stderr.strip().splitlines()
        return ("refused" if len(lines) == 1 else "wrong"), proc.stderr.strip()[:300]
    return ("accepted" if "nan" not in proc.stdout.lower().split() else "wrong"), ""


if __name__ == "__main__":
    sys.exit(main())
