"""The one place that reads the wall clock.

Everything else takes ``today`` (a :class:`datetime.date`) or ``now`` (an aware :class:`datetime.datetime`)
as a parameter; the GUI and the CLI call these functions at their edge and pass the value down, so a test
states the date it means and a run two years ahead behaves as it will in two years. Ruff's banned-API rule
(``TID251`` in pyproject.toml) allows ``date.today`` / ``datetime.now`` in this module only.
"""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    """Today's date in the machine's local time zone (what a user calls "today")."""
    return dt.date.today()  # noqa: TID251 - the clock module is the one allowed reader


def now() -> dt.datetime:
    """The current instant, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)  # noqa: TID251 - the clock module is the one allowed reader
