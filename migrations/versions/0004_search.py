"""Search: the full-text index (FTS5) with its vocabulary, and derived unit columns for fast
filters and facets (the top of each unit's hierarchy, its current reliability grades).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("root_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("current_source_reliability", sa.String(length=1), nullable=True)
        )
        batch_op.add_column(
            sa.Column("current_information_credibility", sa.Integer(), nullable=True)
        )
        batch_op.create_index(
            "ix_units_current_source_reliability_current_information_credibility",
            ["current_source_reliability", "current_information_credibility"],
            unique=False,
        )
        batch_op.create_index("ix_units_root_id", ["root_id"], unique=False)
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, ref, names, subjects, places, "
        "description, body, joined, "
        "tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co Mn Mc'\")"
    )
    op.execute("CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')")
    # Fill the new columns and the index from what the catalogue already holds.
    from catalog_app.storage.search_index import rebuild, refresh_grades, refresh_roots

    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM units"))]
    refresh_roots(connection, ids)
    refresh_grades(connection, ids)
    rebuild(connection)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_vocab")
    op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index("ix_units_root_id")
        batch_op.drop_index("ix_units_current_source_reliability_current_information_credibility")
        batch_op.drop_column("current_information_credibility")
        batch_op.drop_column("current_source_reliability")
        batch_op.drop_column("root_id")
