"""Persistence: SQLModel tables, sessions, Alembic migrations, catalog seeding, import/export.

May import :mod:`planner`; never imports :mod:`ui` or Qt.
"""
