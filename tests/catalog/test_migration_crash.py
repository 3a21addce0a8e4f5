"""Schema upgrades that are cut short: each Alembic step commits whole or not at all (SQLite too), so a
process killed inside a step leaves a database the next start upgrades cleanly; a step that fails says in
one sentence where the backup made before the upgrade is and how to put it back (issue 22)."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from db import migrate
from db.session import dispose_engines, get_engine, open_engine
from db.tables import GpuRow

ROOT = Path(__file__).resolve().parents[2]

KILL_AFTER = """

_original_upgrade = upgrade


def upgrade() -> None:  # the test's kill: this step's work is done, its commit has not happened
    _original_upgrade()
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)
"""

BROKEN_STEP = '''"""A step that cannot run: it creates a table the database already has."""

from alembic import op

revision = "9999_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE kept_by_rollback (id INTEGER)")  # must disappear with the failed step
    op.execute("CREATE TABLE quotes (id INTEGER)")


def downgrade() -> None:
    pass
'''


def _scripts_copy(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _upgrade_in_subprocess(url: str, scripts: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from pathlib import Path; from db import migrate; from db.session import open_engine;"
        "migrate.upgrade(open_engine(sys.argv[1]), script_location=Path(sys.argv[2]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, url, str(scripts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("killed_step", ["0003_price_history", "0005_quote_import"])
def test_a_kill_inside_a_step_leaves_a_database_the_next_start_upgrades(
    db_url: str, tmp_path: Path, killed_step: str
) -> None:
    scripts = _scripts_copy(tmp_path)
    step = scripts / "versions" / f"{killed_step}.py"
    step.write_text(step.read_text(encoding="utf-8") + KILL_AFTER, encoding="utf-8")
    done = _upgrade_in_subprocess(db_url, scripts)
    assert done.returncode == -signal.SIGKILL, done.stderr
    engine = open_engine(db_url)
    before = migrate.current_revisions(engine)
    engine.dispose()
    engine = get_engine(db_url)  # the next start
    assert migrate.current_revisions(engine) == migrate.head_revisions()
    assert before and killed_step not in before  # the kill left the database at the step before
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(GpuRow)).scalar_one() > 0


def test_a_failed_step_is_rolled_back_and_names_the_backup(db_url: str, tmp_path: Path) -> None:
    engine = get_engine(db_url)  # a database in use: newest schema, shipped catalog
    with Session(engine) as s:
        gpus = s.execute(select(func.count()).select_from(GpuRow)).scalar_one()
    dispose_engines()
    scripts = _scripts_copy(tmp_path)
    (head,) = migrate.head_revisions()
    (scripts / "versions" / "9999_broken.py").write_text(BROKEN_STEP.format(head=head), encoding="utf-8")
    engine = open_engine(db_url)
    with pytest.raises(migrate.UpgradeFailed) as failure:
        migrate.upgrade(engine, script_location=scripts)
    message = str(failure.value)
    assert "\n" not in message and message.count(". ") == 0 and message.endswith(".")
    assert "could not be upgraded" in message
    assert migrate.current_revisions(engine) == (head,)  # the failed step left nothing behind
    with engine.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn))
    assert "kept_by_rollback" not in tables
    engine.dispose()
    path = migrate.sqlite_file(engine)
    if path is None:  # PostgreSQL: no file to copy; the sentence says the database is as before
        assert failure.value.backup is None and "rolled back" in message
        return
    backup = failure.value.backup
    assert backup is not None and backup.exists()
    assert f"is {backup}: to go back to it, quit the app and copy that file over {path}." in message
    assert backup.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM gpus").fetchone() == (gpus,)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
