"""A real database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): the catalog's fixtures."""

from tests.catalog.conftest import db_url, engine  # noqa: F401  (pytest fixtures)
