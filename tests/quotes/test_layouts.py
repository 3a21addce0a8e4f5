"""OEM quote layouts as they really arrive, each imported with `planner quotes import FILE --vendor NAME`
alone (no mapping, currency or dates given) on a database seeded with the shipped catalog. Expected figures
are the hand arithmetic of tests/data/quotes/README.md ("OEM layouts as they arrive")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from db.session import dispose_engines, get_engine
from tests.quotes.files import DATA
from ui.cli import main

TODAY = "2026-11-25"
"""Every fixture quote is valid on this day (README: validity of each)."""

# file, vendor, quote number, date, valid until, currency, GPUs, net before tax, tax, support y, lead wk,
# customer, catalog platform of the server line
LAYOUTS: tuple[tuple[Any, ...], ...] = (
    (
        "dell_xe9680_usd.csv",
        "Dell",
        "3000187654321",
        "2026-11-18",
        "2026-12-03",
        "USD",
        32,
        1_444_500.00,
        119_171.25,
        5,
        10,
        "Lakeside University Research Computing",
        "PowerEdge XE9680 (8x H100 SXM)",
    ),
    (
        "hpe_xd670_usd.xlsx",
        "HPE",
        "HPE-Q-4471902",
        "2026-11-16",
        "2026-12-16",
        "USD",
        32,
        1_422_300.00,
        0.0,
        5,
        6,
        "Northgate Analytics Ltd",
        "Cray XD670 (8x H100 SXM)",
    ),
    (
        "lenovo_sr680a_usd.xlsx",
        "Lenovo",
        "LNV-DCSC-552101",
        "2026-11-20",
        "2026-12-20",
        "USD",
        16,
        746_640.00,
        0.0,
        5,
        14,
        "Helix Genomics Institute",
        "ThinkSystem SR680a V3 (8x H200 SXM)",
    ),
    (
        "supermicro_reseller_de.csv",
        "Systemhaus Elbtal",
        "AN-2026-11873",
        "2026-11-19",
        "2026-12-18",
        "EUR",
        16,
        669_770.00,
        127_256.30,
        3,
        8,
        "Universitätsklinikum Nordheide",
        "SYS-821GE-TNHR (HGX H100 8-GPU)",
    ),
    (
        "integrateur_fr.csv",
        "Calculs Atlantique",
        "DV-2026-0342",
        "2026-11-20",
        "2026-12-20",
        "EUR",
        16,
        704_930.00,
        140_986.00,
        5,
        6,
        "Centre hospitalier régional de Brest",
        "PowerEdge XE9680 (8x H100 SXM)",
    ),
    (
        "integrador_es.xlsx",
        "Sistemas Levante",
        "PR-2026-0931",
        "2026-11-23",
        "2026-12-23",
        "EUR",
        16,
        766_700.00,
        161_007.00,
        5,
        12,
        "Universidad Politécnica del Turia",
        "ThinkSystem SR680a V3 (8x H200 SXM)",
    ),
)


@pytest.fixture
def shipped_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'layouts.sqlite3'}"
    monkeypatch.setenv("PLANNER_DB", url)
    get_engine(url)  # seeded with the shipped catalog (its EUR/USD history included)
    yield url
    dispose_engines()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _import(capsys: pytest.CaptureFixture[str], name: str, vendor: str, *extra: str) -> dict[str, Any]:
    path = name if Path(name).is_absolute() else str(DATA / name)
    code, out, err = _run(
        capsys, "quotes", "import", path, "--vendor", vendor, "--json", "--today", TODAY, *extra
    )
    assert code == 0, err
    payload: dict[str, Any] = json.loads(out)
    return payload


@pytest.mark.parametrize("layout", LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_each_layout_imports_alone_with_the_hand_figures(
    shipped_db: str, capsys: pytest.CaptureFixture[str], layout: tuple[Any, ...]
) -> None:
    name, vendor, number, date, valid, currency, gpus, net, tax, support, lead, customer, platform = layout
    p = _import(capsys, name, vendor)
    assert (p["quote_number"], p["quote_date"], p["valid_until"], p["currency"]) == (
        number,
        date,
        valid,
        currency,
    )
    assert p["gpus"] == gpus
    assert p["net_total_before_tax"] == pytest.approx(net, abs=0.005)
    assert p["tax"] == pytest.approx(tax, abs=0.005)
    assert (p["support_years"], p["lead_time_weeks"], p["customer"]) == (support, lead, customer)
    assert [m["match"] for m in p["matches"]] == [platform]
    assert p["flags"] == [] and p["best_eligible"]


def test_human_output_names_the_facts_and_the_upper_bound_of_a_ranged_lead_time(
    shipped_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "quotes", "import", str(DATA / "dell_xe9680_usd.csv"), "--vendor", "Dell", "--today", TODAY
    )
    assert code == 0, err
    assert "dated 2026-11-18, valid until 2026-12-03, for Lakeside University Research Computing" in out
    assert "net total before tax 1,444,500.00 USD, 32 GPUs" in out  # not 64: the HGX line is a component
    assert "tax (kept out of capex) 119,171.25 USD" in out
    assert "support 5 years, lead time 10 weeks" in out
    assert "read as: header on row 9 (English), utf-8, ','-separated, decimal point, dates month first" in out
    assert "'8-10 weeks ARO': the upper bound, 10 weeks, is used" in out
    assert "'Subtotal' (row 21) 1,440,300.00 matches the lines above it" in out


def test_flagged_quotes_are_never_best(shipped_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    dell = _import(capsys, "dell_xe9680_usd.csv", "Dell")
    bad_sum = _import(capsys, "flag_subtotal_usd.csv", "Budget Servers")
    bad_gpu = _import(capsys, "flag_gpus_usd.csv", "Cheap Clusters")
    assert bad_sum["flags"] == [
        "'Subtotal' (row 11) says 1,199,500.00 but the lines above it add up to 1,189,500.00 (difference +10,000.00)"
    ]
    assert bad_gpu["flags"] == [
        "GPU count does not reconcile on line 1: 4 servers × 8 GPUs (PowerEdge XE9680 (8x H100 SXM)) = 32, "
        "but its component lines describe 16"
    ]
    ids = [str(x["id"]) for x in (dell, bad_sum, bad_gpu)]
    code, out, err = _run(capsys, "quotes", "compare", *ids, "--json", "--today", TODAY)
    assert code == 0, err
    payload = json.loads(out)
    per_gpu = {q["id"]: q["per_gpu_usd"] for q in payload["quotes"]}
    # Both flagged quotes are cheaper per GPU than Dell (README: 37,171.88 and 35,921.88 < 45,140.63) ...
    assert per_gpu[bad_sum["id"]] == pytest.approx(1_189_500 / 32)
    assert per_gpu[bad_gpu["id"]] == pytest.approx(1_149_500 / 32)
    assert per_gpu[dell["id"]] == pytest.approx(1_444_500 / 32)
    # ... and neither is best on any criterion.
    assert set(payload["best"].values()) == {dell["id"]}
    flags = {q["id"]: q["flags"] for q in payload["quotes"]}
    assert flags == {dell["id"]: [], bad_sum["id"]: bad_sum["flags"], bad_gpu["id"]: bad_gpu["flags"]}
    assert {q["id"]: q["tax"] for q in payload["quotes"]}[dell["id"]] == 119_171.25
    excluded = {e["id"]: e["reasons"] for e in payload["best_excludes"]}
    assert bad_sum["flags"][0] in excluded[bad_sum["id"]]
    assert bad_gpu["flags"][0] in excluded[bad_gpu["id"]]


def test_an_ambiguous_date_is_refused_naming_both_readings(
    shipped_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "us_or_uk.csv"
    path.write_text(
        "Quote Number,AMB-1\nQuote Date,12/03/2026\n\nDescription,Qty,Unit Price\n"
        "PowerEdge XE9680 8x H100 SXM5,1,290000.00\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "quotes", "import", str(path), "--vendor", "Somebody", "--today", TODAY)
    assert code != 0 and out == ""
    assert "'12/03/2026' is ambiguous: 12 March 2026 read day first, 3 December 2026 read month first" in err
    assert "nothing imported" in err
    p = _import(capsys, str(path), "Somebody", "--date-order", "month-first")
    assert p["quote_date"] == "2026-12-03"


def test_european_amount_with_the_euro_sign_after_it_is_never_read_as_301(
    shipped_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "eur.csv"
    path.write_text(
        "Quote Date;2026-11-20\n\nDescription;Qty;Unit price\n"
        "PowerEdge XE9680 8x H100 SXM5;2;301.000,00 €\nProSupport 3 Years;2;€ 12.000,50\n",
        encoding="utf-8",
    )
    p = _import(capsys, str(path), "Euro Reseller")
    assert (p["currency"], p["quote_date"]) == ("EUR", "2026-11-20")
    assert p["net_total_before_tax"] == pytest.approx(2 * 301_000.00 + 2 * 12_000.50)


def test_the_vendor_settles_its_next_ambiguous_date(
    shipped_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Dell's file proves month-first dates (11/18/2026); Dell's next quote, whose only date is 12/03/2026,
    is read month first too, while an unknown vendor's is refused."""
    _import(capsys, "dell_xe9680_usd.csv", "Dell")
    path = tmp_path / "next.csv"
    path.write_text(
        "Quote Number,NEXT-1\nQuote Date,12/03/2026\n\nDescription,Qty,Unit Price\n"
        "PowerEdge XE9680 8x H100 SXM5,1,290000.00\n",
        encoding="utf-8",
    )
    assert _import(capsys, str(path), "Dell")["quote_date"] == "2026-12-03"
    code, _out, err = _run(
        capsys, "quotes", "import", str(path), "--vendor", "Someone else", "--today", TODAY
    )
    assert code != 0 and "is ambiguous" in err
