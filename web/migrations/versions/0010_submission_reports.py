"""the agency's self-assessment report: the officer's texts and the signed scan (the
submission's cover document)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("difficulties", sa.Text(), nullable=False, server_default=""),
        sa.Column("proposals", sa.Text(), nullable=False, server_default=""),
        sa.Column("signer_title", sa.String(200), nullable=False, server_default=""),
        sa.Column("signer_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("scan_original_name", sa.String(300), nullable=False, server_default=""),
        sa.Column("scan_stored_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("scan_content_type", sa.String(100), nullable=False, server_default=""),
        sa.Column("scan_size", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("scan_uploaded_at", sa.DateTime(), nullable=True),
        sa.Column("scan_uploaded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("submission_id"),
    )


def downgrade() -> None:
    op.drop_table("submission_reports")
