"""SQLModel tables of vendor quotes. Rows never leave ``db/``: :mod:`db.quotes` converts them to
:class:`planner.quotes.Quote` values.

Amounts are stored in the quote's own currency. The FX rate used to convert them to USD (catalog rate
as of the quote date) is stored with the quote, so a comparison shows the very rate it used.
A line's catalog match points at ``servers.id`` or ``gpus.id`` (nullable; a deleted catalog row leaves
the line unmatched); ``match_confirmed`` is False while the match is only the importer's suggestion.
Tax lines are stored as lines of kind "tax" after the quote's own lines and read back as ``Quote.taxes``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class QuoteRow(SQLModel, table=True):
    __tablename__ = "quotes"

    id: int | None = Field(default=None, primary_key=True)
    vendor: str = Field(max_length=200, index=True)
    quote_number: str = Field(default="", max_length=100)
    quote_date: dt.date
    valid_until: dt.date | None = None
    currency: str = Field(max_length=3)
    incoterms: str = Field(default="", max_length=100)
    payment_terms: str = Field(default="", max_length=200)
    lead_time_weeks: float | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    source_file: str = Field(default="", max_length=500)
    fx_base: str | None = Field(default=None, max_length=3)
    fx_quote: str | None = Field(default=None, max_length=3)
    fx_rate: float | None = None
    fx_as_of: dt.date | None = None
    fx_source_url: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    imported_at: dt.datetime
    customer: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    flags: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """Import flags, one per line (a flagged quote is never "best")."""


class QuoteLineRow(SQLModel, table=True):
    __tablename__ = "quote_lines"

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("quotes.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int
    description: str = Field(sa_column=Column(Text, nullable=False))
    part_number: str = Field(default="", max_length=200)
    quantity: float
    unit_price: float
    kind: str = Field(default="other", max_length=32)
    support_years: float | None = None
    server_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("servers.id", ondelete="SET NULL"), nullable=True)
    )
    gpu_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("gpus.id", ondelete="SET NULL"), nullable=True)
    )
    match_confirmed: bool = False
    parent_position: int | None = None
    """Position of the line this one is a bundle component of (it adds no servers or GPUs)."""
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    match_score: float | None = None


class VendorMappingRow(SQLModel, table=True):
    """The column mapping last used for a vendor's files (JSON text of :class:`db.quotes.ColumnMapping`)."""

    __tablename__ = "vendor_mappings"

    id: int | None = Field(default=None, primary_key=True)
    vendor: str = Field(max_length=200, unique=True)
    mapping_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime
