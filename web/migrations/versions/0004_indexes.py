"""indexes: an entry's documents and an agency's audit entries are found without a table scan

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_evidence_entry_id", "evidence", ["entry_id"])
    op.create_index("ix_audit_agency_id", "audit", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_agency_id", table_name="audit")
    op.drop_index("ix_evidence_entry_id", table_name="evidence")
