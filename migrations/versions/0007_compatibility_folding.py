"""Search folds compatibility forms (NFKC): the index rows of records whose text it changes
are rebuilt, so that text in Arabic presentation forms ('ﻛﺘﺎﺏ', as PDFs give it), ligatures
('ﬁ'), full-width or superscript characters, and digits of any script are found by what
people type.

The index's own folded copy of each record is read in batches in rowid order and folded
again: a row the new folding leaves as it is needs nothing (most records), and the others
are rebuilt from the records' tables, exactly as an edit would rebuild them (the whole index
at once when many need it, which is then faster). Nothing outside the index changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2_000
# Replacing an index row costs about three times what writing it afresh does (FTS5 reads the
# old row to delete it), so when more than a third of the rows need it, all are rebuilt.
_REBUILD_SHARE = 1 / 3


def upgrade() -> None:
    from catalog_app.domain.folding import fold
    from catalog_app.storage.search_index import COLUMNS, FTS_TABLE, index_units, rebuild

    connection = op.get_bind()
    read = sa.text(
        f"SELECT rowid, {', '.join(COLUMNS)} FROM {FTS_TABLE} WHERE rowid > :after "
        "ORDER BY rowid LIMIT :batch"
    )
    after, rows_read, stale = 0, 0, array("q")
    while rows := connection.execute(read, {"after": after, "batch": _BATCH}).all():
        # Folding twice changes nothing, so a row folded as it is now comes back unchanged.
        stale.extend(row[0] for row in rows if any(v and fold(v) != v for v in row[1:]))
        rows_read += len(rows)
        after = rows[-1][0]
    if len(stale) > rows_read * _REBUILD_SHARE:
        rebuild(connection)
        return
    for start in range(0, len(stale), _BATCH):
        index_units(connection, stale[start : start + _BATCH])
    if stale:
        connection.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))


def downgrade() -> None:
    """Nothing to undo: text folded to ordinary letters is still found by the older folding
    wherever it was typed in them."""
