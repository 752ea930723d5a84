"""the yearly CCHC plan: a cycle's plan tasks and each lead unit's report of them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=300), nullable=False),
        sa.Column("stt", sa.String(length=20), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("due_text", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("lead_text", sa.Text(), nullable=False),
        sa.Column("coordinating", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_tasks_cycle_id", "plan_tasks", ["cycle_id"])
    op.create_table(
        "plan_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("doc_title", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["plan_tasks.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "agency_id"),
    )
    op.create_index("ix_plan_reports_task_id", "plan_reports", ["task_id"])
    op.create_index("ix_plan_reports_agency_id", "plan_reports", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_reports_agency_id", table_name="plan_reports")
    op.drop_index("ix_plan_reports_task_id", table_name="plan_reports")
    op.drop_table("plan_reports")
    op.drop_index("ix_plan_tasks_cycle_id", table_name="plan_tasks")
    op.drop_table("plan_tasks")
