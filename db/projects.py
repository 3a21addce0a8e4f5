"""Saved projects in the database (the same JSON the project file holds), for teams sharing one catalog."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from db.tables import ProjectRow
from planner import clock


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    client: str
    updated_at: dt.datetime


def save_project(engine: Engine, name: str, payload: dict[str, Any], project_id: int | None = None) -> int:
    """Insert (``project_id`` None) or replace a saved project; returns its id."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    client = str(payload.get("client", "") or "")
    version = int(payload.get("version", 1) or 1)
    now = clock.now()
    with Session(engine) as session, session.begin():
        if project_id is None:
            row = ProjectRow(name=name, client=client, updated_at=now, format_version=version, payload=text)
            session.add(row)
        else:
            found = session.get(ProjectRow, project_id)
            if found is None:
                raise LookupError(f"no saved project with id {project_id}")
            row = found
            row.name, row.client, row.updated_at, row.format_version, row.payload = (
                name,
                client,
                now,
                version,
                text,
            )
        session.flush()
        assert row.id is not None
        return row.id


def list_projects(engine: Engine) -> list[ProjectSummary]:
    """Saved projects, most recently updated first."""
    with Session(engine) as session:
        rows = session.execute(
            select(ProjectRow.id, ProjectRow.name, ProjectRow.client, ProjectRow.updated_at).order_by(  # type: ignore[call-overload]
                ProjectRow.updated_at.desc()  # type: ignore[attr-defined]
            )
        ).all()
    return [ProjectSummary(r[0], r[1], r[2], r[3]) for r in rows]


def load_project(engine: Engine, project_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        row = session.get(ProjectRow, project_id)
        if row is None:
            raise LookupError(f"no saved project with id {project_id}")
        data: dict[str, Any] = json.loads(row.payload)
        return data


def delete_project(engine: Engine, project_id: int) -> None:
    with Session(engine) as session, session.begin():
        row = session.get(ProjectRow, project_id)
        if row is None:
            raise LookupError(f"no saved project with id {project_id}")
        session.delete(row)
