"""Browsing large levels of the hierarchy and the views of the whole catalogue: ordered ids
in SQL, display rows a page at a time.

A level can hold hundreds of thousands of records, so the table asks first for the ordered
ids only (an `array('q')` built straight from the cursor) and then for the few rows on screen.

The views (`View`) list records from across the hierarchy:

- All records: every record, withdrawn ones too, in reference-code order.
- Recently added: records added to this catalogue in the last `RECENT_DAYS` days, newest
  first (imports, new records and copies; records restored from a bag keep the date they
  were first added).
- Unfiled: records at the top level that are not placed in any collection: of a level that
  holds no others (file, item or part) and with nothing under them.
- Needs review: records with a value the program harvested from the document (a title, a
  date, a source address) that no person has checked yet (editing the field checks it).

Each is read from an index, so a million-record catalogue lists and counts them at once.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from itertools import chain
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, TextClause, bindparam, text

from catalog_app.storage.models import NEEDS_REVIEW, UNFILED_CANDIDATE
from catalog_app.storage.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

# The archival arrangement (the order the tree shows): no column sorted.
ARRANGEMENT = "position"

# Sort keys a caller may ask for, as ORDER BY terms over `units`. `{d}` is ASC or DESC;
# missing values sort last in both directions. Each ends with the id so the order is total.
_ORDER: dict[str, str] = {
    ARRANGEMENT: "position {d}, id {d}",
    "reference_code": "reference_code {d}, id {d}",
    "title": "title COLLATE NOCASE {d}, id {d}",
    "date": "date_start IS NULL, date_start {d}, date_end {d}, id {d}",
    "level": "level {d}, id {d}",
    "media_type": "media_type IS NULL, media_type {d}, id {d}",
    "languages": "languages {d}, id {d}",
    "access_status": "access_status {d}, id {d}",
    "reliability": (
        "current_source_reliability IS NULL, current_source_reliability {d}, "
        "current_information_credibility {d}, id {d}"
    ),
    "originals": "(SELECT count(*) FROM files WHERE files.unit_id = units.id) {d}, id {d}",
    "review": f"{NEEDS_REVIEW} {{d}}, reference_code {{d}}, id {{d}}",
}
SORT_KEYS: tuple[str, ...] = tuple(_ORDER)

# Ids per query when reading rows (well below SQLite's limit on bound parameters).
_CHUNK = 500

_ROWS = text(
    "SELECT id, reference_code, title, date_expression, level, media_type, languages, "
    "access_status, current_source_reliability, current_information_credibility, "
    "(SELECT count(*) FROM files WHERE files.unit_id = units.id), harvested "
    "FROM units WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


@dataclass(frozen=True)
class RecordRow:
    """What the records table shows for one record."""

    id: int
    reference_code: str
    title: str
    dates: str | None
    level: str
    media_type: str | None
    languages: tuple[str, ...]
    access_status: str
    reliability: str | None  # e.g. "B2"; None when never assessed
    originals: int
    harvested: tuple[str, ...] = ()  # fields harvested from the document, not yet checked


class View(StrEnum):
    """The views of the whole catalogue (see the module's docstring)."""

    ALL = "all"
    RECENT = "recent"
    UNFILED = "unfiled"
    NEEDS_REVIEW = "needs_review"


RECENT_DAYS = 7
# Each view's records (`units` as `u`) and its natural order. Unfiled names its partial index:
# left to itself, SQLite would walk every top-level record by the parent index instead.
_VIEWS: dict[View, tuple[str, str]] = {
    View.ALL: ("FROM units", "reference_code, id"),
    View.RECENT: ("FROM units WHERE created_at >= :since", "created_at DESC, id DESC"),
    View.UNFILED: (
        f"FROM units INDEXED BY ix_units_unfiled WHERE {UNFILED_CANDIDATE} "
        "AND NOT EXISTS (SELECT 1 FROM units AS below WHERE below.parent_id = units.id)",
        "reference_code, id",
    ),
    View.NEEDS_REVIEW: (f"FROM units WHERE {NEEDS_REVIEW}", "reference_code, id"),
}


def _order_by(sort: str, descending: bool) -> str:
    try:
        template = _ORDER[sort]
    except KeyError:
        raise ValueError(f"unknown sort key {sort!r}; expected one of {SORT_KEYS}") from None
    return template.format(d="DESC" if descending else "ASC")


def _id_array(connection: Connection, sql: str, params: tuple[Any, ...]) -> array[int]:
    # Flattening the cursor's 1-tuples in C is several times faster than making Row objects.
    cursor = connection.exec_driver_sql(sql, params).cursor
    try:
        # pysqlite cursors iterate over rows, though the DBAPI protocol type does not say so
        return array("q", chain.from_iterable(cast(Iterable[tuple[int]], cursor)))
    finally:
        cursor.close()


def _strings(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        parsed = json.loads(value)
    except ValueError:
        return ()
    return tuple(str(code) for code in parsed) if isinstance(parsed, list) else ()


def _record_row(values: Sequence[Any]) -> RecordRow:
    (
        unit_id,
        code,
        title,
        dates,
        level,
        media,
        langs,
        access,
        source,
        credibility,
        files,
        harvested,
    ) = values
    grade = f"{source}{credibility or ''}" if source else None
    return RecordRow(
        id=unit_id,
        reference_code=code,
        title=title,
        dates=dates,
        level=level,
        media_type=media,
        languages=_strings(langs),
        access_status=access,
        reliability=grade,
        originals=int(files),
        harvested=_strings(harvested),
    )


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


class BrowseService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def ids(
        self,
        parent_id: int | None,
        sort: str = "reference_code",
        descending: bool = False,
        *,
        recursive: bool = False,
        limit: int | None = None,
    ) -> array[int]:
        """The ids of the records under `parent_id` (None: the top level), in `sort` order;
        with `limit`, only the first so many.

        `recursive` takes every record below the parent, not only its direct children
        (with None: every record in the catalogue).
        """
        order = _order_by(sort, descending)
        params: tuple[int, ...] = () if parent_id is None else (parent_id,)
        if not recursive:
            where = "parent_id IS NULL" if parent_id is None else "parent_id = ?"
        elif parent_id is None:
            where = "1"
        else:
            where = (
                "id IN (WITH RECURSIVE below(id) AS (SELECT id FROM units WHERE parent_id = ? "
                "UNION ALL SELECT u.id FROM units u JOIN below ON u.parent_id = below.id) "
                "SELECT id FROM below)"
            )
        with self._cat.db.read() as session:
            return _id_array(
                session.connection(),
                f"SELECT id FROM units WHERE {where} ORDER BY {order}{_limit(limit)}",
                params,
            )

    def order(self, ids: Iterable[int], sort: str, descending: bool = False) -> array[int]:
        """The same records as `ids` (e.g. search results), sorted by `sort`."""
        sql = (
            "SELECT id FROM units WHERE id IN (SELECT value FROM json_each(?)) "
            f"ORDER BY {_order_by(sort, descending)}"
        )
        with self._cat.db.read() as session:
            return _id_array(session.connection(), sql, (json.dumps(list(ids)),))

    def rows(self, ids: Sequence[int]) -> dict[int, RecordRow]:
        """The display columns of these records, by id; ids that no longer exist are left out."""
        found: dict[int, RecordRow] = {}
        with self._cat.db.read() as session:
            connection = session.connection()
            for chunk in _chunks(ids):
                for values in connection.execute(_ROWS, {"ids": chunk}):
                    row = _record_row(values)
                    found[row.id] = row
        return found

    def count(self, parent_id: int | None) -> int:
        """How many records are directly under `parent_id` (None: at the top level)."""
        where = "parent_id IS NULL" if parent_id is None else "parent_id = :p"
        with self._cat.db.read() as session:
            value = session.connection().execute(
                text(f"SELECT count(*) FROM units WHERE {where}"), {"p": parent_id}
            )
            return int(value.scalar_one())

    # -- views of the whole catalogue ----------------------------------------------------------

    def view_ids(
        self,
        view: View,
        sort: str | None = None,
        descending: bool = False,
        *,
        limit: int | None = None,
    ) -> array[int]:
        """The ids of the records `view` lists, in its own order or by `sort`; with `limit`,
        only the first so many (in its own order, read from an index at once)."""
        source, natural = _VIEWS[view]
        order = natural if sort is None else _order_by(sort, descending)
        sql = f"SELECT id {source} ORDER BY {order}{_limit(limit)}"
        with self._cat.db.read() as session:
            result = session.connection().execute(_view_sql(sql))
            # The driver's cursor, as in _id_array: ids without a Row object each.
            try:
                return array("q", chain.from_iterable(cast(Iterable[tuple[int]], result.cursor)))
            finally:
                result.close()

    def view_count(self, view: View, up_to: int | None = None) -> int:
        """How many records `view` lists, counted no further than `up_to` (at once, at any
        size: enough to know whether the list is small); without it, all of them (a few
        tens of milliseconds at a million records)."""
        source, _ = _VIEWS[view]
        sql = f"SELECT count(*) FROM (SELECT 1 {source}{_limit(up_to)})"
        with self._cat.db.read() as session:
            return int(session.connection().execute(_view_sql(sql)).scalar_one())

    def view_counts(self) -> dict[View, int]:
        """How many records each view lists, in one read."""
        counted = ", ".join(f"(SELECT count(*) {source})" for source, _ in _VIEWS.values())
        with self._cat.db.read() as session:
            row = session.connection().execute(_view_sql(f"SELECT {counted}")).one()
        return {view: int(count) for view, count in zip(_VIEWS, row, strict=True)}


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


def _view_sql(sql: str) -> TextClause:
    """A view's query, with the start of "recently" bound where it asks for it."""
    query = text(sql)
    if ":since" not in sql:
        return query
    since = utcnow() - timedelta(days=RECENT_DAYS)
    return query.bindparams(bindparam("since", since, type_=UTCDateTime()))
