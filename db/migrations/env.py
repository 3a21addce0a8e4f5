"""Alembic environment. Run programmatically by :func:`db.migrate.upgrade` (a connection is passed in
``config.attributes["connection"]``); also works from the ``alembic`` command with ``sqlalchemy.url`` set."""

from __future__ import annotations

import contextlib
import importlib

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlmodel import SQLModel

import db.fx_tables  # noqa: F401  (the imported ECB rates)
import db.tables  # noqa: F401  (registers the catalog tables on SQLModel.metadata)

with contextlib.suppress(ModuleNotFoundError):
    importlib.import_module("db.quote_tables")  # the quotes tables, when that module is present

target_metadata = SQLModel.metadata
config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        # one transaction per step, the version stamp inside it: a crash between steps leaves a database at
        # the last completed step, and one inside a step leaves it as before that step. SQLite supports
        # transactional DDL once pysqlite's autocommit of DDL is switched off (db.session does that).
        transaction_per_migration=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not used by the app
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
