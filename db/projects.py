"""Saved projects in the database (the same JSON the project file holds), for teams sharing one catalog.

Saves are checked, not blind (optimistic locking): every saved project has a revision, a save names the
revision it was edited from, and a save made from an older revision than the stored one - a colleague
saved in between - is refused with :class:`ProjectConflict` ("changed by <user@host> at <time>"), leaving
the choice to reload the project or save the edits as a copy. Nothing is overwritten unseen.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import socket
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from db.schema import check_text_fields
from db.tables import ProjectRow
from db.transactions import write_scope
from planner import clock


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    client: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class SavedProject:
    """A stored project: its id, the revision stored, who saved it and when (UTC), and its JSON payload."""

    id: int
    revision: int
    saved_by: str
    saved_at: dt.datetime
    payload: dict[str, Any]


class ProjectConflict(Exception):
    """A save from an older revision than the stored one: someone else saved the project in between."""

    def __init__(
        self, project_id: int, name: str, saved_by: str, saved_at: dt.datetime, revision: int
    ) -> None:
        who = saved_by or "someone else"
        super().__init__(
            f"“{name}” was changed by {who} at {saved_at:%Y-%m-%d %H:%M} UTC after you opened it: "
            "reload it to see that version, or save your changes as a copy"
        )
        self.project_id = project_id
        self.name = name
        self.saved_by = saved_by
        self.saved_at = saved_at
        self.revision = revision


def current_writer() -> str:
    """Who is saving, as the stored ``saved_by``: the operating-system user @ this computer's name."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        user = "unknown user"
    host = socket.gethostname() or "unknown computer"
    return f"{user}@{host}"[:200]


def save_project(
    engine: Engine,
    name: str,
    payload: dict[str, Any],
    project_id: int | None = None,
    *,
    base_revision: int | None = None,
    saved_by: str | None = None,
) -> SavedProject:
    """Insert (``project_id`` None) or replace a saved project; returns what is now stored.

    ``base_revision`` is the revision the edits started from (``SavedProject.revision`` of the load or the
    previous save): when the stored revision is newer, :class:`ProjectConflict` and nothing is written.
    None replaces whatever is stored (a caller that never loaded the project). ``saved_by`` defaults to
    :func:`current_writer`.
    """
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    client = str(payload.get("client", "") or "")
    version = int(payload.get("version", 1) or 1)
    writer = (saved_by if saved_by is not None else current_writer())[:200]
    check_text_fields(ProjectRow, {"name": name, "client": client, "payload": text}, what=f"project “{name}”")
    now = clock.now()
    with write_scope(engine, "projects") as session:  # the check and the write cannot interleave
        if project_id is None:
            row = ProjectRow(
                name=name,
                client=client,
                updated_at=now,
                format_version=version,
                payload=text,
                revision=1,
                saved_by=writer,
            )
            session.add(row)
        else:
            found = session.get(ProjectRow, project_id)
            if found is None:
                raise LookupError(f"no saved project with id {project_id}")
            if base_revision is not None and found.revision != base_revision:
                raise ProjectConflict(
                    project_id, found.name, found.saved_by, found.updated_at, found.revision
                )
            row = found
            row.name, row.client, row.updated_at, row.format_version, row.payload = (
                name,
                client,
                now,
                version,
                text,
            )
            row.revision = found.revision + 1
            row.saved_by = writer
        session.flush()
        assert row.id is not None
        return SavedProject(row.id, row.revision, row.saved_by, row.updated_at, payload)


def list_projects(engine: Engine) -> list[ProjectSummary]:
    """Saved projects, most recently updated first."""
    with Session(engine) as session:
        rows = session.execute(
            select(ProjectRow.id, ProjectRow.name, ProjectRow.client, ProjectRow.updated_at).order_by(  # type: ignore[call-overload]
                ProjectRow.updated_at.desc()  # type: ignore[attr-defined]
            )
        ).all()
    return [ProjectSummary(r[0], r[1], r[2], r[3]) for r in rows]


def open_project(engine: Engine, project_id: int) -> SavedProject:
    """A saved project with its revision (to pass back as ``base_revision`` when saving it)."""
    with Session(engine) as session:
        row = session.get(ProjectRow, project_id)
        if row is None:
            raise LookupError(f"no saved project with id {project_id}")
        data: dict[str, Any] = json.loads(row.payload)
        assert row.id is not None
        return SavedProject(row.id, row.revision, row.saved_by, row.updated_at, data)


def load_project(engine: Engine, project_id: int) -> dict[str, Any]:
    return open_project(engine, project_id).payload


def delete_project(engine: Engine, project_id: int) -> None:
    with write_scope(engine, "projects") as session:
        row = session.get(ProjectRow, project_id)
        if row is None:
            raise LookupError(f"no saved project with id {project_id}")
        session.delete(row)
