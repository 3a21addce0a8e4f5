"""With the team's PostgreSQL down, the CLI names the database in one sentence - not the project file,
not a crash log (issue 22: "with PostgreSQL down, export blames the project file")."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.session import dispose_engines
from ui.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "fine_tuning_workloads.json"
DOWN = "postgresql://planner@127.0.0.1:1/teamcatalog"  # port 1: nothing listens, connection refused


@pytest.mark.parametrize(
    "command",
    [
        ["export", str(SAMPLE), "--out", "{tmp}/proposal.pdf", "--samples", "0"],
        ["quotes", "list"],
        ["catalog", "list", "gpus"],
        ["fx", "list"],
    ],
)
def test_an_unreachable_team_catalog_is_named(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLANNER_DB", DOWN)  # main() sets it from --db; monkeypatch restores it
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    try:
        code = main(["--db", DOWN, *args])
    finally:
        dispose_engines()
    err = capsys.readouterr().err
    assert code == 3
    assert err == "planner: cannot reach the team catalog at 127.0.0.1:1/teamcatalog (connection refused)\n"
    assert not (tmp_path / "proposal.pdf").exists()


def test_a_failed_upgrade_at_start_names_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database stamped one step behind whose next step cannot run (the column it adds is there): the CLI
    says in one sentence where the copy made before the upgrade is and how to put it back."""
    import sqlite3

    from db.session import get_engine

    path = tmp_path / "catalog.sqlite3"
    url = f"sqlite:///{path}"
    get_engine(url)
    dispose_engines()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0005_quote_import'")
    monkeypatch.setenv("PLANNER_DB", url)
    try:
        code = main(["--db", url, "quotes", "list"])
    finally:
        dispose_engines()
    err = capsys.readouterr().err
    (backup,) = tmp_path.glob("catalog.backup-0005_quote_import-*.sqlite3")
    assert code == 3
    assert err.startswith(
        f"planner: The catalog database {path} could not be upgraded to this version of the app ("
    )
    assert err.endswith(
        f"; the copy made just before the upgrade is {backup}: to go back to it, quit the app and copy that "
        f"file over {path}.\n"
    )
    assert err.count("\n") == 1
