"""accounts that outlive a cycle: an officer's account belongs to its unit only (the agency row
of one cycle is no longer stored on it); when an account last logged in

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0008 filled users.unit_id from users.agency_id: the agency row is no longer needed
    with op.batch_alter_table("users") as batch:
        batch.drop_column("agency_id")
        batch.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_login_at")
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_users_agency_id", "agencies", ["agency_id"], ["id"])
    # each officer back on the agency row of its unit in the newest cycle
    op.get_bind().execute(
        sa.text(
            "UPDATE users SET agency_id = (SELECT a.id FROM agencies a "
            "JOIN cycles c ON c.id = a.cycle_id WHERE a.unit_id = users.unit_id "
            "ORDER BY c.year DESC LIMIT 1) WHERE unit_id IS NOT NULL"
        )
    )
