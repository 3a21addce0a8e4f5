"""Two people (processes) at once on one database, on SQLite and on PostgreSQL: concurrent first starts
wait for each other, and concurrent imports of the same file merge or are refused in one sentence - never
a traceback, a duplicate or a lost row (issue 21's concurrency item, issue 22's first start)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from db import migrate
from db.quote_tables import QuoteRow
from db.session import get_engine
from db.tables import GpuRow
from tests.catalog import concurrent
from tests.catalog.conftest import SHIPPED
from tests.dates import TODAY

ROUNDS = 20
STARTS = 30
QUOTES = Path(__file__).resolve().parents[1] / "data" / "quotes"


def _tracebacks(reports: list[tuple[int, str, str]]) -> list[str]:
    return [detail for _round, kind, detail in reports if kind == "traceback"]


def test_concurrent_first_starts_wait_for_each_other(db_url: str) -> None:
    ctx = concurrent.context()
    reports = concurrent.run(ctx, concurrent.first_start, [(db_url,)] * STARTS, timeout=120)
    assert _tracebacks(reports) == []
    assert [kind for _r, kind, _d in reports] == ["ok"] * STARTS
    engine = get_engine(db_url, seed=False)
    assert migrate.current_revisions(engine) == migrate.head_revisions()
    shipped_gpus = len((SHIPPED / "gpus.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(GpuRow)).scalar_one() == shipped_gpus


def test_two_processes_import_the_same_catalog_files(db_url: str, tmp_path: Path) -> None:
    get_engine(db_url)  # created and seeded before the race: the race is the import
    files = [str(concurrent.gpu_file(tmp_path, r)) for r in range(ROUNDS)]
    ctx = concurrent.context()
    reports = concurrent.run(ctx, concurrent.import_catalog_rounds, [(db_url, files)] * 2)
    assert _tracebacks(reports) == []
    n = concurrent.ROWS_PER_FILE
    for round_ in range(ROUNDS):
        outcomes = sorted(detail for r, kind, detail in reports if r == round_ and kind == "ok")
        # one process inserted the file's rows; the other found them already there (a merge)
        assert outcomes == [f"0 0 {n}", f"{n} 0 0"], f"round {round_}: {outcomes}"
    engine = get_engine(db_url)
    with Session(engine) as s:
        names = s.execute(
            select(col(GpuRow.name)).where(col(GpuRow.vendor) == "Concurrent Test Vendor")
        ).scalars()
        assert sorted(names) == sorted(f"Concurrent GPU {r}-{k}" for r in range(ROUNDS) for k in range(n))


def test_two_processes_import_the_same_quote_files(db_url: str, tmp_path: Path) -> None:
    get_engine(db_url)
    source = QUOTES / "dell_xe9680_usd.csv"
    files = [str(concurrent.quote_file(source, tmp_path, r)) for r in range(ROUNDS)]
    ctx = concurrent.context()
    reports = concurrent.run(ctx, concurrent.import_quote_rounds, [(db_url, files, TODAY)] * 2)
    assert _tracebacks(reports) == []
    for round_ in range(ROUNDS):
        kinds = sorted(kind for r, kind, _d in reports if r == round_)
        assert kinds == ["error", "ok"], f"round {round_}: {kinds}"
        (refusal,) = [d for r, kind, d in reports if r == round_ and kind == "error"]
        assert "already imported as quote" in refusal and "\n" not in refusal.strip()
    engine = get_engine(db_url)
    with Session(engine) as s:
        numbers = s.execute(select(col(QuoteRow.quote_number))).scalars().all()
    assert sorted(numbers) == [f"CONC-{r:03d}" for r in range(ROUNDS)]
