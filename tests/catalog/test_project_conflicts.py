"""Two people saving one saved project (one SQLite file, or the team PostgreSQL): the second save, made
from the revision both opened, is refused with who changed it and when - nothing is overwritten unseen
(issue 22's lost updates)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from db.projects import ProjectConflict, list_projects, open_project, save_project
from tests.catalog import concurrent

ROUNDS = 10


def _plan(notes: str) -> dict[str, object]:
    return {"version": 1, "name": "Shared plan", "client": "Rheinwerk GmbH", "notes": notes}


def test_a_stale_save_is_refused_and_can_be_kept_as_a_copy(engine: Engine) -> None:
    first = save_project(engine, "Shared plan", _plan("draft"), saved_by="ana@laptop-a")
    assert (first.revision, first.saved_by) == (1, "ana@laptop-a")
    ana = open_project(engine, first.id)
    ben = open_project(engine, first.id)
    bens = save_project(
        engine,
        "Shared plan",
        _plan("Ben's figures"),
        first.id,
        base_revision=ben.revision,
        saved_by="ben@desk-7",
    )
    assert bens.revision == 2
    with pytest.raises(ProjectConflict) as refused:
        save_project(
            engine,
            "Shared plan",
            _plan("Ana's figures"),
            first.id,
            base_revision=ana.revision,
            saved_by="ana@laptop-a",
        )
    stamp = bens.saved_at.astimezone(dt.UTC) if bens.saved_at.tzinfo else bens.saved_at
    assert str(refused.value) == (
        f"“Shared plan” was changed by ben@desk-7 at {stamp:%Y-%m-%d %H:%M} UTC after you opened it: "
        "reload it to see that version, or save your changes as a copy"
    )
    assert open_project(engine, first.id).payload["notes"] == "Ben's figures"  # Ben's save kept
    copy = save_project(engine, "Shared plan (copy)", _plan("Ana's figures"), saved_by="ana@laptop-a")
    assert sorted(p.name for p in list_projects(engine)) == ["Shared plan", "Shared plan (copy)"]
    assert open_project(engine, copy.id).payload["notes"] == "Ana's figures"  # Ana's edits kept too
    # a save from the revision just stored goes through
    again = save_project(engine, "Shared plan", _plan("merged"), first.id, base_revision=bens.revision)
    assert again.revision == 3


def test_two_processes_saving_one_project_never_lose_a_save(db_url: str, engine: Engine) -> None:
    project = save_project(engine, "Shared plan", {**_plan("start"), "edits": []})
    ctx = concurrent.context()
    reports = concurrent.run(
        ctx,
        concurrent.save_project_rounds,
        [(db_url, project.id, "ana@a", ROUNDS), (db_url, project.id, "ben@b", ROUNDS)],
    )
    assert [d for _r, kind, d in reports if kind == "traceback"] == []
    winners = []
    for round_ in range(ROUNDS):
        kinds = sorted(kind for r, kind, _d in reports if r == round_)
        assert kinds == ["conflict", "ok"], f"round {round_}: {kinds}"
        (won,) = [d for r, kind, d in reports if r == round_ and kind == "ok"]
        (refusal,) = [d for r, kind, d in reports if r == round_ and kind == "conflict"]
        winner = won.split(":")[0]
        assert f"was changed by {winner} at " in refusal
        winners.append(f"{winner}:{round_}")
    stored = open_project(engine, project.id)
    # every accepted save is in the stored project: each one was made from the one before it
    assert stored.payload["edits"] == winners
    assert stored.revision == 1 + ROUNDS
