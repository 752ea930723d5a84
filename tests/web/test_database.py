"""The database as the app sets it up: SQLite tuned for many officers at once, and a schema
built by the migrations that is exactly the models' (indexes included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import text

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


def test_migration_0008_gives_each_agency_code_one_unit_and_each_officer_its_unit(
    tmp_path: Path,
) -> None:
    """A database of two cycles written before units existed: after the upgrade each agency code
    is one unit (named as in the later cycle), both years' rows point at it, the officer's account
    follows its agency, and the existing cycles stay open."""
    from web import create_app
    from web.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
    upgrade(app, "0007")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cycles (id, year, title, created_at) VALUES "
                "(1, 2024, 'Kỳ 2024', '2024-01-02 00:00:00'), "
                "(2, 2025, 'Kỳ 2025', '2025-01-02 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO agencies (id, cycle_id, code, name, block) VALUES "
                "(1, 1, 'so-a', 'Sở A cũ', 'so-nganh'), (2, 2, 'so-a', 'Sở A', 'so-nganh'), "
                "(3, 2, 'xa-b', 'Xã B', 'xa')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, agency_id, active, "
                "failed_logins, created_at, must_change_password) VALUES "
                "(1, 'a@x.vn', 'A', 'h', 'agency', 1, 1, 0, '2024-01-02 00:00:00', 0)"
            )
        )
    upgrade(app)
    with app.app_context(), db.engine.connect() as conn:
        units = conn.execute(text("SELECT id, code, name FROM units ORDER BY code")).all()
        assert [(c, n) for _, c, n in units] == [("so-a", "Sở A"), ("xa-b", "Xã B")]
        so_a = units[0][0]
        linked = conn.execute(text("SELECT id, unit_id FROM agencies ORDER BY id")).all()
        assert linked == [(1, so_a), (2, so_a), (3, units[1][0])]
        assert conn.execute(text("SELECT unit_id FROM users WHERE id = 1")).scalar() == so_a
        opened = conn.execute(text("SELECT COUNT(*) FROM cycles WHERE opened_at IS NULL"))
        assert opened.scalar() == 0


def test_an_agency_written_without_a_unit_joins_the_unit_of_its_code(app: Flask) -> None:
    """However an agency row is made (import, demo, roll forward), it belongs to the unit of
    its code: the same code in two cycles is one unit."""
    from web.models import Agency, Cycle, Unit

    with app.app_context():
        c1, c2 = Cycle(year=2024, title="2024"), Cycle(year=2025, title="2025")
        db.session.add_all(
            [
                Agency(cycle=c1, code="so-a", name="Sở A", block="so-nganh"),
                Agency(cycle=c2, code="so-a", name="Sở A", block="so-nganh"),
                Agency(cycle=c2, code="xa-b", name="Xã B", block="xa"),
            ]
        )
        db.session.commit()
        units = db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all()
        assert [u.code for u in units] == ["so-a", "xa-b"]
        rows = db.session.execute(db.select(Agency).order_by(Agency.id)).scalars().all()
        assert [a.unit_id for a in rows] == [units[0].id, units[0].id, units[1].id]


def test_migration_0009_keeps_each_officer_on_its_unit_and_downgrade_restores_the_agency(
    tmp_path: Path,
) -> None:
    """0009 drops users.agency_id (0008 put the officer on its unit); going back restores it
    from the newest agency row of the unit."""
    from web import create_app
    from web.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
    upgrade(app, "0007")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cycles (id, year, title, created_at) VALUES "
                "(1, 2024, 'Kỳ 2024', '2024-01-02 00:00:00'), "
                "(2, 2025, 'Kỳ 2025', '2025-01-02 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO agencies (id, cycle_id, code, name, block) VALUES "
                "(1, 1, 'so-a', 'Sở A', 'so-nganh'), (2, 2, 'so-a', 'Sở A', 'so-nganh')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, agency_id, active, "
                "failed_logins, created_at, must_change_password) VALUES "
                "(1, 'a@x.vn', 'A', 'h', 'agency', 1, 1, 0, '2024-01-02 00:00:00', 0), "
                "(2, 'b@x.vn', 'B', 'h', 'secretariat', NULL, 1, 0, '2024-01-02 00:00:00', 0)"
            )
        )
    upgrade(app)
    with app.app_context(), db.engine.connect() as conn:
        columns = {c["name"] for c in db.inspect(conn).get_columns("users")}
        assert "agency_id" not in columns and "last_login_at" in columns
        unit = conn.execute(text("SELECT id FROM units WHERE code = 'so-a'")).scalar()
        rows = conn.execute(text("SELECT id, unit_id FROM users ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, unit), (2, None)]
    from alembic import command

    with app.app_context(), db.engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, agency_id FROM users ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 2), (2, None)]  # the 2025 row, the newest
