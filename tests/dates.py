"""The dates tests state. No test reads the wall clock (ruff TID251); each says which day it means.

``TODAY`` is the day these tests were written against; fixtures dated relative to it stay valid or
expired as the test says, whatever the machine's clock (``make test`` also runs the suite two years ahead).
"""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 12, 3)
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
