"""The search index keeps no copy of the text: `search_fts` becomes a contentless FTS5 table
that can still delete rows (`contentless_delete=1`, SQLite 3.43 and later; every catalogue
runs on SQLCipher's SQLite, 3.5x). Until now the index held its own folded copy of every
record's text beside the text in `files`, which made the index (and much of the file) twice
the size it needs to be. Nothing read that copy: searching reads the index, ranking the
index and the column sizes, and snippets and highlights are taken from the records' own text.

The index is converted as it stands, without folding anything again: the folded text of the
old table is copied into the new one in batches in rowid order, so every record keeps
exactly the tokens, positions and column sizes it had (results and BM25 scores unchanged).
Then the old table goes and the new one takes its name; the vocabulary table is recreated
over it. The pages the old copy took are free inside the file and are reused by what is
written next (a VACUUM gives them back to the disk).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
_COLUMNS = "title, ref, names, subjects, places, description, body, joined"
_TOKENIZER = "tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co Mn Mc'\""


def _replace_index(options: str) -> None:
    """Create the index anew with `options`, fill it (from the old one where it holds its
    text, or else from the records) and give it the old one's name."""
    from catalog_app.storage.search_index import copy_rows, rebuild

    connection = op.get_bind()
    op.execute(f"CREATE VIRTUAL TABLE search_fts_new USING fts5({_COLUMNS}, {options}{_TOKENIZER})")
    copy = "contentless_delete" not in str(
        connection.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
        ).scalar()
    )
    if copy:
        copy_rows(connection, "search_fts", "search_fts_new", _COLUMNS.split(", "), _BATCH)
    op.execute("DROP TABLE search_vocab")
    op.execute("DROP TABLE search_fts")
    op.execute("ALTER TABLE search_fts_new RENAME TO search_fts")
    op.execute("CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')")
    if copy:
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    else:  # a contentless index cannot give its text back: rebuilt from the records
        rebuild(connection)


def upgrade() -> None:
    _replace_index("content = '', contentless_delete = 1, ")


def downgrade() -> None:
    """Back to an index that holds its own folded copy of the text, rebuilt from the records."""
    _replace_index("")
