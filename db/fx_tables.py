"""SQLModel table of imported ECB euro reference rates. Rows never leave ``db/``: :mod:`db.fx` turns them
into :class:`planner.fx.EuroRate` values.

The history shipped with the app lives in resources/fx/ and is not copied here: this table holds only what
an imported ECB file added to it or corrected (one row per currency and publication date).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class EuroRateRow(SQLModel, table=True):
    __tablename__ = "fx_history"
    __table_args__ = (UniqueConstraint("currency", "as_of", name="uq_fx_history_currency_date"),)

    id: int | None = Field(default=None, primary_key=True)
    currency: str = Field(max_length=3)
    as_of: dt.date = Field(index=True)
    per_eur: float
    source_url: str = Field(sa_column=Column(Text, nullable=False))
    imported_at: dt.datetime
