"""The three vendor quote files of tests/data/quotes and the `planner quotes import` arguments that load them
(dates and column mappings as tests/data/quotes/README.md describes). Shared by the quotes and report tests."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "quotes"

VENDOR_IMPORTS: tuple[tuple[str, ...], ...] = (
    (
        "northwind_usd.csv",
        "--vendor",
        "Northwind Systems",
        "--date",
        "2026-10-28",
        "--valid-until",
        "2026-12-31",
    ),
    (
        "rheinwerk_eur.xlsx",
        "--vendor",
        "Rheinwerk Computing GmbH",
        "--mapping",
        str(DATA / "rheinwerk_mapping.json"),
    ),
    (
        "albion_gbp.csv",
        "--vendor",
        "Albion Compute Ltd",
        "--mapping",
        str(DATA / "albion_mapping.json"),
        "--date",
        "2026-11-02",
        "--valid-until",
        "2026-12-02",
    ),
)
