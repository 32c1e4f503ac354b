"""The ISAD(G) elements the description lacked, and the source address of captured material.

3.2.2 administrative / biographical history, 3.3.2 appraisal, destruction and scheduling,
3.3.3 accruals, 3.4.4 physical characteristics and technical requirements, 3.4.5 finding aids,
3.5.1 existence and location of originals, 3.5.2 existence and location of copies; and the
address a captured web page was taken from, at the level of the description. (3.2.1, the name
of the creator, is the record's agents in the creator role; 3.5.3 and 3.6 to 3.7 existed.)
The columns start empty: filling them here would change records without audit rows, which
`catalog check` rightly reports; records captured before this keep their address in their
capture events, which the exports fall back to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = (
    "administrative_history",
    "appraisal",
    "accruals",
    "physical_characteristics",
    "finding_aids",
    "originals_location",
    "copies_location",
    "source_url",
)


def upgrade() -> None:
    # SQLite adds columns in place, so the table (and its search triggers) is not rebuilt.
    with op.batch_alter_table("units", schema=None) as batch_op:
        for name in TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        for name in reversed(TEXT_COLUMNS):
            batch_op.drop_column(name)
