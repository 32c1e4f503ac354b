"""Indexes for the window's views of the catalogue: "Recently added" (when each record was
added), "Needs review" (records with harvested values no person has checked) and "Unfiled"
(top-level records of a level that holds no others). The two partial indexes hold only the
records each view can list, in reference-code order, so that a view of a million-record
catalogue is read without a pass over the records' rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_units_created_at ON units (created_at)")
    op.execute(
        "CREATE INDEX ix_units_needs_review ON units (reference_code) WHERE harvested <> '[]'"
    )
    op.execute(
        "CREATE INDEX ix_units_unfiled ON units (reference_code) "
        "WHERE parent_id IS NULL AND level IN ('file', 'item', 'part')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_units_unfiled")
    op.execute("DROP INDEX ix_units_needs_review")
    op.execute("DROP INDEX ix_units_created_at")
