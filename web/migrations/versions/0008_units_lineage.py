"""units that outlive a cycle (stable identity, type, lineage), accounts tied to a unit, cycles
opened by the secretariat and rolled forward from the previous year

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "unit_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("old_unit_id", sa.Integer(), nullable=True),
        sa.Column("new_unit_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["old_unit_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["new_unit_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unit_links_old_unit_id", "unit_links", ["old_unit_id"])
    op.create_index("ix_unit_links_new_unit_id", "unit_links", ["new_unit_id"])
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cycles_previous_id", "cycles", ["previous_id"], ["id"])
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_agencies_unit_id", "units", ["unit_id"], ["id"])
        batch.create_index("ix_agencies_unit_id", ["unit_id"])
        batch.create_unique_constraint("uq_agencies_cycle_unit", ["cycle_id", "unit_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_users_unit_id", "units", ["unit_id"], ["id"])
        batch.create_index("ix_users_unit_id", ["unit_id"])

    # Existing data: cycles created before this version were open from their creation; each
    # agency code becomes a unit (named as in its latest cycle); accounts follow their agency.
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE cycles SET opened_at = created_at"))
    rows = conn.execute(
        sa.text(
            "SELECT a.code, a.name FROM agencies a JOIN cycles c ON c.id = a.cycle_id "
            "ORDER BY c.year, a.id"
        )
    ).all()
    latest: dict[str, str] = {}
    for code, name in rows:
        latest[code] = name  # later years overwrite earlier ones
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    units = sa.table(
        "units",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("type", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    if latest:
        op.bulk_insert(
            units,
            [{"code": c, "name": n, "type": "khac", "created_at": now} for c, n in latest.items()],
        )
    conn.execute(
        sa.text(
            "UPDATE agencies SET unit_id = (SELECT u.id FROM units u WHERE u.code = agencies.code)"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE users SET unit_id = (SELECT a.unit_id FROM agencies a "
            "WHERE a.id = users.agency_id) WHERE agency_id IS NOT NULL"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_unit_id")
        batch.drop_constraint("fk_users_unit_id", type_="foreignkey")
        batch.drop_column("unit_id")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_constraint("uq_agencies_cycle_unit", type_="unique")
        batch.drop_index("ix_agencies_unit_id")
        batch.drop_constraint("fk_agencies_unit_id", type_="foreignkey")
        batch.drop_column("unit_id")
    with op.batch_alter_table("cycles") as batch:
        batch.drop_constraint("fk_cycles_previous_id", type_="foreignkey")
        batch.drop_column("previous_id")
        batch.drop_column("opened_at")
    op.drop_index("ix_unit_links_new_unit_id", table_name="unit_links")
    op.drop_index("ix_unit_links_old_unit_id", table_name="unit_links")
    op.drop_table("unit_links")
    op.drop_table("units")
