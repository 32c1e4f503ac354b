"""Names and conditions of the schema that hand-written SQL uses, in a module that loads
nothing else: a search reads through the driver alone, without SQLAlchemy or the ORM models
(which use these same values: models for its partial indexes, search_index for the index)."""

from __future__ import annotations

# Conditions on a row of `units`: those of the partial indexes behind two views, written as
# the views' queries write them (SQLite uses a partial index only for a query that states its
# condition).
NEEDS_REVIEW = "harvested <> '[]'"  # a harvested value no person has checked yet
UNFILED_CANDIDATE = "parent_id IS NULL AND level IN ('file', 'item', 'part')"

# The full-text index (catalog_app.storage.search_index).
FTS_TABLE = "search_fts"
# Each indexed row's column sizes, one row per record keyed by its id (FTS5's own table).
DOCSIZE_TABLE = "search_fts_docsize"
VOCAB_TABLE = "search_vocab"
# Column order matters: it is the order of the bm25() weights below.
COLUMNS = ("title", "ref", "names", "subjects", "places", "description", "body", "joined")
WEIGHTS = (10.0, 6.0, 8.0, 5.0, 5.0, 3.0, 1.0, 1.0)
HEAD_COLUMNS = ("title", "ref", "names", "subjects", "places")
