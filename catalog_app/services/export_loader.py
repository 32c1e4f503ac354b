"""Full records for exports, read a batch at a time: one query per table per batch (the
units with their parents, then their originals, agents, places, subjects, custody events,
assessments and relations each way), grouped into the domain's frozen records.

The queries are SQLAlchemy Core statements over the models' tables, compiled once, given a
batch's ids as one JSON array, and read through the driver's own cursor: no ORM objects and
no result rows are made, and each column's value is converted by its column type's own
result processor (remembered for the few values a date or a language list takes), so the
records equal those the detail pane's mapper (storage.mappers.unit_detail) gives, in the
same order, which a test checks.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    Dialect,
    FromClause,
    Select,
    bindparam,
    func,
    literal_column,
)
from sqlalchemy import select as core_select
from sqlalchemy.sql.elements import ColumnElement

from catalog_app.domain.records import (
    AgentLink,
    AssessmentRecord,
    EventRecord,
    FileRecord,
    RelationRecord,
    TermRecord,
    UnitDetail,
)
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services.internal_details import InternalDetails
from catalog_app.storage import models
from catalog_app.storage.types import UTCDateTime

_T = TypeVar("_T")
Grouped = dict[int, list[_T]]
Row = tuple[Any, ...]
Convert = Callable[[Any], Any]

_UNITS = models.Unit.__table__
_PARENTS = _UNITS.alias("parent")
_OTHERS = _UNITS.alias("other")
_FILES = models.StoredFile.__table__
_AGENT_LINKS = models.UnitAgent.__table__
_AGENTS = models.Agent.__table__
_PLACE_LINKS = models.UnitPlace.__table__
_PLACES = models.Place.__table__
_SUBJECT_LINKS = models.UnitSubject.__table__
_SUBJECTS = models.Subject.__table__
_EVENTS = models.ProvenanceEvent.__table__
_ASSESSMENTS = models.ReliabilityAssessment.__table__
_RELATIONS = models.Relation.__table__
# The batch's ids, as one JSON array bound to the same statement every time.
_BATCH: Select[Any] = core_select(literal_column("value")).select_from(
    func.json_each(bindparam("ids"))
)
_MEMO_LIMIT = 4096  # distinct values remembered per column (dates, language lists)


def _fields(record: type[Any], *, leave_out: frozenset[str] = frozenset()) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record) if f.name not in leave_out)


# UnitDetail's fields up to its lists, in order: units' columns of the same name, but for
# the parent's reference code and the children (not counted for an export).
_RELATED = ("agents", "places", "subjects", "files", "events", "assessments", "relations")
_UNIT_FIELDS = _fields(UnitDetail, leave_out=frozenset(_RELATED))
_LISTS = frozenset({"languages", "scripts", "harvested", "variants"})  # JSON lists, as tuples
_FILE_FIELDS = _fields(FileRecord)
_EVENT_FIELDS = _fields(EventRecord)
_ASSESSMENT_FIELDS = _fields(AssessmentRecord)
_SOURCES = {grade.value: grade for grade in SourceReliability}
_CREDIBILITIES = {int(grade): grade for grade in InformationCredibility}


@dataclasses.dataclass(frozen=True)
class _Query:
    """A compiled statement and, per column, how its stored value becomes a Python one."""

    sql: str
    convert: tuple[Convert | None, ...]

    def rows(self, connection: Connection, ids: str) -> list[Row]:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(self.sql, (ids,))
            raw = cursor.fetchall()
        finally:
            cursor.close()
        pairs = [(n, change) for n, change in enumerate(self.convert) if change is not None]
        if not pairs or not raw:
            return list(raw)
        # Column by column: one loop per converted column rather than one per value.
        columns = list(zip(*raw, strict=True))
        for n, change in pairs:
            columns[n] = tuple([None if v is None else change(v) for v in columns[n]])
        return list(zip(*columns, strict=True))


def _memo(convert: Convert) -> Convert:
    """`convert` remembering what it gave for the last few thousand distinct values."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            if len(seen) >= _MEMO_LIMIT:
                seen.clear()
            result = seen[value] = convert(value)
            return result

    return remembered


def _moment(processor: Convert) -> Convert:
    """UTCDateTime's conversion, with a quick path for the two forms SQLAlchemy stores
    ("2024-01-02 03:04:05" and with ".123456"), which both parsers read alike."""

    def convert(value: Any) -> Any:
        if isinstance(value, str) and len(value) in (19, 26) and value[10] == " ":
            # A UTC offset in the text gives the same aware moment as replacing the zone.
            return datetime.fromisoformat(value + "+00:00")
        return processor(value)

    return convert


def _converter(column: ColumnElement[Any], dialect: Dialect) -> Convert | None:
    processor: Convert | None = column.type.dialect_impl(dialect).result_processor(dialect, None)
    if isinstance(column.type, JSON) and column.name in _LISTS:
        loads: Convert = processor or json.loads
        return _memo(lambda value: tuple(loads(value) or ()))
    if processor is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return _moment(processor)
    if isinstance(column.type, Date):
        return _memo(processor)
    return processor


@cache
def _compiled(name: str, dialect: Dialect) -> _Query:
    query = _QUERIES[name]()
    compiled = query.compile(dialect=dialect)
    convert = tuple(_converter(column, dialect) for column in query.selected_columns)
    return _Query(str(compiled), convert)


def _unit_column(name: str) -> ColumnElement[Any]:
    if name == "parent_reference_code":
        return _PARENTS.c.reference_code
    if name == "children_count":
        return literal_column("0")
    return _UNITS.c[name]


def _units() -> Select[Any]:
    return (
        core_select(*map(_unit_column, _UNIT_FIELDS), _PARENTS.c.uuid)
        .outerjoin(_PARENTS, _PARENTS.c.id == _UNITS.c.parent_id)
        .where(_UNITS.c.id.in_(_BATCH))
    )


def _files() -> Select[Any]:
    return (
        core_select(
            _FILES.c.unit_id,
            *(
                func.coalesce(func.length(_FILES.c.extracted_text), literal_column("0"))
                if name == "text_length"
                else _FILES.c[name]
                for name in _FILE_FIELDS
            ),
            # SQLite counts a text's characters up to its first NUL only: such texts are
            # counted in Python.
            func.instr(_FILES.c.extracted_text, literal_column("char(0)")),
        )
        .where(_FILES.c.unit_id.in_(_BATCH))
        .order_by(_FILES.c.id)
    )


def _file_texts() -> Select[Any]:
    return core_select(_FILES.c.id, _FILES.c.extracted_text).where(_FILES.c.id.in_(_BATCH))


def _linked(
    links: FromClause, target: FromClause, key: str, *columns: ColumnElement[Any], order: str
) -> Callable[[], Select[Any]]:
    """The records a batch's units are linked to through `links` (unit id, then `columns`)."""

    def query() -> Select[Any]:
        return (
            core_select(links.c.unit_id, *columns)
            .join(target, target.c.id == links.c[key])
            .where(links.c.unit_id.in_(_BATCH))
            .order_by(links.c.unit_id, links.c[order])
        )

    return query


_agents = _linked(
    _AGENT_LINKS,
    _AGENTS,
    "agent_id",
    *(_AGENTS.c[name] for name in ("id", "uuid", "authorised_name", "kind")),
    _AGENT_LINKS.c.role,
    order="id",
)
_places = _linked(
    _PLACE_LINKS,
    _PLACES,
    "place_id",
    *(_PLACES.c[name] for name in ("id", "uuid", "name", "latitude", "longitude", "variants")),
    order="place_id",
)
_subjects = _linked(
    _SUBJECT_LINKS,
    _SUBJECTS,
    "subject_id",
    *(_SUBJECTS.c[name] for name in ("id", "uuid", "term", "vocabulary", "uri")),
    order="subject_id",
)


def _events() -> Select[Any]:
    return (
        core_select(_EVENTS.c.unit_id, *(_EVENTS.c[name] for name in _EVENT_FIELDS))
        .where(_EVENTS.c.unit_id.in_(_BATCH))
        .order_by(
            _EVENTS.c.unit_id,
            _EVENTS.c.occurred_start.is_(None),
            _EVENTS.c.occurred_start,
            _EVENTS.c.id,
        )
    )


def _assessments() -> Select[Any]:
    return (
        core_select(
            _ASSESSMENTS.c.unit_id,
            *(_ASSESSMENTS.c[name] for name in _ASSESSMENT_FIELDS),
        )
        .where(_ASSESSMENTS.c.unit_id.in_(_BATCH))
        .order_by(
            _ASSESSMENTS.c.unit_id, _ASSESSMENTS.c.assessed_at.desc(), _ASSESSMENTS.c.id.desc()
        )
    )


def _relations(outgoing: bool) -> Callable[[], Select[Any]]:
    def query() -> Select[Any]:
        own, other = _RELATIONS.c.from_unit_id, _RELATIONS.c.to_unit_id
        if not outgoing:
            own, other = other, own
        return (
            core_select(
                own,
                _RELATIONS.c.id,
                _RELATIONS.c.uuid,
                _RELATIONS.c.kind,
                _OTHERS.c.id,
                _OTHERS.c.reference_code,
                _OTHERS.c.title,
                _RELATIONS.c.similarity,
                _RELATIONS.c.note,
                _RELATIONS.c.found_by,
            )
            .join(_OTHERS, _OTHERS.c.id == other)
            .where(own.in_(_BATCH))
        )

    return query


_QUERIES: dict[str, Callable[[], Select[Any]]] = {
    "units": _units,
    "files": _files,
    "file texts": _file_texts,
    "agents": _agents,
    "places": _places,
    "subjects": _subjects,
    "events": _events,
    "assessments": _assessments,
    "outgoing": _relations(True),
    "incoming": _relations(False),
}


class _Batch:
    """One batch's queries on one connection."""

    def __init__(self, connection: Connection, ids: Sequence[int]) -> None:
        self._connection = connection
        self._ids = json.dumps([int(i) for i in ids])

    def rows(self, name: str, ids: str | None = None) -> list[Row]:
        query = _compiled(name, self._connection.dialect)
        return query.rows(self._connection, self._ids if ids is None else ids)

    def grouped(self, name: str, make: Callable[[Row], _T]) -> Grouped[_T]:
        """The rows of a query (whose first column is a unit id) as records, by unit."""
        grouped: Grouped[_T] = defaultdict(list)
        for row in self.rows(name):
            grouped[row[0]].append(make(row))
        return grouped


def load_details(
    connection: Connection, ids: Sequence[int], internal: InternalDetails | None = None
) -> dict[int, tuple[UnitDetail, str | None]]:
    """The records of `ids` that exist, each with its parent's UUID, by id. With `internal`,
    their internal details are left out (InternalDetails.row, on each row's values)."""
    if not ids:
        return {}
    batch = _Batch(connection, ids)
    files = _file_rows(batch)
    agents = batch.grouped("agents", lambda r: AgentLink(*r[1:]))
    places = batch.grouped(
        "places",
        lambda r: TermRecord(
            id=r[1], uuid=r[2], name=r[3], latitude=r[4], longitude=r[5], variants=r[6] or ()
        ),
    )
    subjects = batch.grouped(
        "subjects",
        lambda r: TermRecord(id=r[1], uuid=r[2], name=r[3], vocabulary=r[4] or None, uri=r[5]),
    )
    events = batch.grouped("events", lambda r: r[1:])
    assessments = batch.grouped(
        "assessments", lambda r: (_SOURCES[r[1]], _CREDIBILITIES[r[2]], *r[3:])
    )
    relations = _relation_records(batch)
    details: dict[int, tuple[UnitDetail, str | None]] = {}
    cleaners = None if internal is None else _Cleaners(internal)
    for row in batch.rows("units"):
        unit_id = row[0]
        values = row[:-1]
        own_files = files.get(unit_id, ())
        own_events = events.get(unit_id, ())
        own_assessments = assessments.get(unit_id, ())
        if cleaners is not None:
            paths = [f[_PATH] for f in own_files if f[_PATH]]
            values = cleaners.unit(values, paths)
            own_files = [cleaners.file(f, paths) for f in own_files]
            own_events = [cleaners.event(e, paths) for e in own_events]
            own_assessments = [cleaners.assessment(a, paths) for a in own_assessments]
        related: Row = (
            tuple(agents.get(unit_id, ())),
            tuple(places.get(unit_id, ())),
            tuple(subjects.get(unit_id, ())),
            tuple(FileRecord(*f) for f in own_files),
            tuple(EventRecord(*e) for e in own_events),
            tuple(AssessmentRecord(*a) for a in own_assessments),
            tuple(relations.get(unit_id, ())),
        )
        details[unit_id] = (UnitDetail(*values, *related), row[-1])
    return details


_PATH = _FILE_FIELDS.index("original_path")


class _Cleaners:
    """InternalDetails' rules for the rows of a unit and of its parts, by their columns
    (the unit's creator's and last editor's names, its source address if a local path; its
    parts' people, paths, host names and notes)."""

    def __init__(self, internal: InternalDetails) -> None:
        self.unit = internal.cleaner(_UNIT_FIELDS)
        self.file = internal.cleaner(_FILE_FIELDS)
        self.event = internal.cleaner(_EVENT_FIELDS)
        self.assessment = internal.cleaner(_ASSESSMENT_FIELDS)


def _file_rows(batch: _Batch) -> Grouped[Row]:
    """The batch's originals, as FileRecord's values, by unit."""
    rows = batch.rows("files")
    with_nul = [row[1] for row in rows if row[-1]]
    lengths: dict[int, int] = {}
    if with_nul:
        texts = batch.rows("file texts", json.dumps(with_nul))
        lengths = {file_id: len(text or "") for file_id, text in texts}
    grouped: Grouped[Row] = defaultdict(list)
    length = _FILE_FIELDS.index("text_length") + 1
    for row in rows:
        values = row[1:-1]
        if row[-1]:
            values = (*values[: length - 1], lengths[row[1]], *values[length:])
        grouped[row[0]].append(values)
    return grouped


def _relation_records(batch: _Batch) -> Grouped[RelationRecord]:
    """Each record's relations both ways, seen from it, by kind and then age (as the detail
    pane lists them)."""
    grouped: Grouped[RelationRecord] = defaultdict(list)
    for direction in ("outgoing", "incoming"):
        for own_id, relation_id, uuid, kind, *rest in batch.rows(direction):
            grouped[own_id].append(RelationRecord(relation_id, uuid, kind, direction, *rest))
    for records in grouped.values():
        records.sort(key=_relation_order)
    return grouped


def _relation_order(relation: RelationRecord) -> tuple[str, int]:
    return relation.kind, relation.id
