"""Opening an older database upgrades it in place, after a backup copy when it is a SQLite file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from db import catalog, migrate
from db.projects import list_projects, load_project
from db.session import get_engine
from tests.catalog.conftest import DATA

FROZEN_V0001 = DATA / "catalog_v0001.sqlite3"


def _revisions(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
    finally:
        con.close()


def test_frozen_v0001_file_is_backed_up_then_upgraded_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    shutil.copy(FROZEN_V0001, path)
    heads = migrate.head_revisions()
    assert heads != ("0001_catalog",), "the quotes revision 0002 is expected on top of 0001"

    engine = get_engine(f"sqlite:///{path}")

    assert set(migrate.current_revisions(engine)) == set(heads)
    backups = list(tmp_path.glob("catalog.backup-0001_catalog-*.sqlite3"))
    assert len(backups) == 1
    assert _revisions(backups[0]) == {"0001_catalog"}
    user_gpu = catalog.get_gpu(engine, "Acme X1")
    assert (user_gpu.origin, user_gpu.price_low_usd) == ("user", 9000)
    shipped = catalog.get_gpu(engine, "H100 SXM")  # an old shipped row: the current catalog replaced it
    assert (shipped.price_low_usd, shipped.price_high_usd) == (25000, 40000)
    assert [p.name for p in list_projects(engine)] == ["Frozen plan"]
    assert load_project(engine, list_projects(engine)[0].id)["name"] == "Frozen plan"


def test_a_current_file_is_not_backed_up_again(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    get_engine(f"sqlite:///{path}")
    from db.session import dispose_engines

    dispose_engines()
    get_engine(f"sqlite:///{path}")
    assert list(tmp_path.glob("*.backup-*")) == []


EXTRA_REVISION = '''
"""Test-only revision: one more column, to exercise an upgrade of an existing database."""
import sqlalchemy as sa
from alembic import op

revision = "9999_test_extra"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gpus") as batch_op:
        batch_op.add_column(sa.Column("test_extra", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gpus") as batch_op:
        batch_op.drop_column("test_extra")
'''


def _scripts_with_extra_revision(tmp_path: Path) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    heads = migrate.head_revisions()
    down = heads[0] if len(heads) == 1 else heads
    (scripts / "versions" / "9999_test_extra.py").write_text(EXTRA_REVISION.format(down=down))
    return scripts


def test_newer_schema_upgrades_a_live_database_in_place(engine: Engine, tmp_path: Path) -> None:
    from planner.catalog import Gpu

    mine = Gpu(
        "Acme",
        "Acme X2",
        "PCIe",
        64,
        1000,
        200,
        None,
        300,
        "PCIe",
        128,
        None,
        None,
        "https://example.com/x2",
        catalog.list_gpus(engine)[0].as_of,
    )
    catalog.save_row(engine, mine)
    before = len(catalog.list_gpus(engine))
    old_heads = migrate.current_revisions(engine)

    result = migrate.upgrade(engine, script_location=_scripts_with_extra_revision(tmp_path / "s"))

    assert result.from_revisions == old_heads
    assert result.to_revisions == ("9999_test_extra",)
    assert "test_extra" in {c["name"] for c in inspect(engine).get_columns("gpus")}
    assert len(catalog.list_gpus(engine)) == before
    assert catalog.get_gpu(engine, "Acme X2").origin == "user"
    if engine.url.get_backend_name() == "sqlite":
        assert result.backup is not None and _revisions(result.backup) == set(old_heads)
    else:
        assert result.backup is None  # a server database is backed up by its administrator


@pytest.mark.parametrize("target", ["0001_catalog"])
def test_frozen_file_matches_its_revision(target: str) -> None:
    assert _revisions(FROZEN_V0001) == {target}
