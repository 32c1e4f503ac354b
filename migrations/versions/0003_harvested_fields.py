"""Mark which description fields were harvested from the document rather than typed, and
keep the original file's modification time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite adds columns in place, so the tables (and their triggers) are not rebuilt.
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_modified_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("harvested", sa.JSON(), server_default="[]", nullable=False))
    op.execute("UPDATE units SET harvested = '[\"title\"]' WHERE title_source = 'harvested'")


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("harvested")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("original_modified_at")
