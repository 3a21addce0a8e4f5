"""Saved projects in the catalog database (team use on PostgreSQL, same code on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db.projects import delete_project, list_projects, load_project, save_project


def test_save_list_load_update_delete(engine: Engine) -> None:
    payload = {"version": 1, "name": "Plan A", "client": "Rheinwerk GmbH", "options": [{"kind": "cloud"}]}
    first = save_project(engine, "Plan A", payload).id
    second = save_project(engine, "Plan B", {"version": 1, "name": "Plan B"}).id
    assert load_project(engine, first) == payload
    assert [(p.id, p.client) for p in list_projects(engine)] == [(second, ""), (first, "Rheinwerk GmbH")]

    changed = {**payload, "client": "Rheinwerk AG"}
    assert save_project(engine, "Plan A v2", changed, project_id=first).id == first
    assert list_projects(engine)[0].name == "Plan A v2"  # most recently updated first
    assert load_project(engine, first)["client"] == "Rheinwerk AG"

    delete_project(engine, first)
    assert [p.id for p in list_projects(engine)] == [second]
    with pytest.raises(LookupError):
        load_project(engine, first)
    with pytest.raises(LookupError):
        save_project(engine, "ghost", {}, project_id=first)
