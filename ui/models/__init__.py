"""Qt item models of the desktop app. They hold frozen planner domain values, never ORM rows."""

from ui.models.catalog_table import RAW_ROLE, STALE_BACKGROUND, STALE_ROLE, CatalogTableModel
from ui.models.columns import COLUMNS, STALE_TABLES, TABLE_TITLES, TABLE_TYPES, TABLES, Column

__all__ = [
    "COLUMNS",
    "RAW_ROLE",
    "STALE_BACKGROUND",
    "STALE_ROLE",
    "STALE_TABLES",
    "TABLES",
    "TABLE_TITLES",
    "TABLE_TYPES",
    "CatalogTableModel",
    "Column",
]
