"""the appraisal council's decisions (members, attendance, votes, the snapshot of results it
saw); each publication names the decision it rests on and the reason it was published with
survey results missing

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "council_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("snapshot", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_council_decisions_cycle_id", "council_decisions", ["cycle_id"])
    op.create_table(
        "council_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("attendance", sa.String(length=20), nullable=False),
        sa.Column("vote", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["council_decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_council_members_decision_id", "council_members", ["decision_id"])
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("council_decision_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("survey_reason", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(
            "fk_publications_council_decision_id",
            "council_decisions",
            ["council_decision_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_constraint("fk_publications_council_decision_id", type_="foreignkey")
        batch.drop_column("survey_reason")
        batch.drop_column("council_decision_id")
    op.drop_index("ix_council_members_decision_id", "council_members")
    op.drop_table("council_members")
    op.drop_index("ix_council_decisions_cycle_id", "council_decisions")
    op.drop_table("council_decisions")
