"""The database as the app sets it up: SQLite tuned for many officers at once, and a schema
built by the migrations that is exactly the models' (indexes included)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from web import SQLITE_BUSY_TIMEOUT_MS
from web.models import db


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings; PostgreSQL needs none")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: durable


def test_migrations_build_the_models_schema(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []


def test_an_entry_s_documents_are_found_by_index(app: Flask) -> None:
    with app.app_context():
        indexes = {
            tuple(ix["column_names"]) for ix in db.inspect(db.engine).get_indexes("evidence")
        }
    assert ("entry_id",) in indexes
