"""Batch edit: set collection, access status, languages or subjects on many records at once.

One call is one transaction and one undoable step. Thousands of records are written with
set-based Core statements rather than one ORM object each (10,000 ORM rows take far too long
to load, diff and flush), so this module writes the same audit rows the ORM hook would and
asks the derived-data hook to refresh roots and the search index of what it touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Table, delete, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from catalog_app.domain.records import UnitSummary
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.domain.vocabulary import Level
from catalog_app.errors import RecordNotFound, ValidationError
from catalog_app.services.lookup import get_row
from catalog_app.storage import derived, mappers, models

# logged_value: the ORM hook's own formatting of a value, so batch rows read like any other.
from catalog_app.storage.audit import Change, chained_rows, logged_value, session_actor
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

# Levels a record can be moved into by a batch edit (the dialog offers these).
CONTAINER_LEVELS: tuple[str, ...] = (
    Level.FONDS.value,
    Level.SUBFONDS.value,
    Level.COLLECTION.value,
    Level.SERIES.value,
    Level.SUBSERIES.value,
    Level.RECORD_GROUP.value,
)
_T = TypeVar("_T")
_CHUNK = 500  # ids per IN list, well below SQLite's limit on bound parameters
_MAX_DEPTH = 1000  # bounds the cycle check's walk up the hierarchy
_UNITS: Table = models.Unit.__table__  # type: ignore[assignment]
_LINKS: Table = models.UnitSubject.__table__  # type: ignore[assignment]
_AUDIT: Table = models.AuditEntry.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class BatchChange:
    """What to set on every record; None (or no subjects) leaves that part alone."""

    parent_id: int | None = None  # the collection to move the records into
    access_status: str | None = None
    languages: tuple[str, ...] | None = None  # replaces the list; () clears it
    subject_ids: tuple[int, ...] = ()  # added; links already there stay as they are

    @property
    def is_empty(self) -> bool:
        return (
            self.parent_id is None
            and self.access_status is None
            and self.languages is None
            and not self.subject_ids
        )


@dataclass(frozen=True)
class UnitState:
    """The fields of one record that a batch edit can change, as they were before it."""

    unit_id: int
    parent_id: int | None
    position: int
    access_status: str
    languages: tuple[str, ...]
    harvested: tuple[str, ...]

    def values(self) -> dict[str, Any]:
        return {
            "parent_id": self.parent_id,
            "position": self.position,
            "access_status": self.access_status,
            "languages": list(self.languages),
            "harvested": list(self.harvested),
        }


@dataclass(frozen=True)
class BatchSnapshot:
    """Enough to put every record back exactly as it was before `apply`."""

    unit_ids: tuple[int, ...]
    change: BatchChange
    before: tuple[UnitState, ...]  # only the records whose row changed
    added_links: tuple[tuple[int, int], ...]  # (unit_id, subject_id) links the edit made


@dataclass(frozen=True)
class _Row:
    uuid: str
    reference_code: str
    state: UnitState


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _load(session: Session, ids: Sequence[int]) -> dict[int, _Row]:
    c = _UNITS.c
    columns = (c.id, c.uuid, c.reference_code, c.parent_id, c.position, c.access_status)
    rows: dict[int, _Row] = {}
    for chunk in _chunks(ids):
        query = select(*columns, c.languages, c.harvested).where(c.id.in_(chunk))
        for row in session.execute(query):
            state = UnitState(
                row.id,
                row.parent_id,
                row.position,
                row.access_status,
                tuple(row.languages or ()),
                tuple(row.harvested or ()),
            )
            rows[row.id] = _Row(row.uuid, row.reference_code, state)
    return rows


def _require_units(session: Session, ids: Sequence[int]) -> dict[int, _Row]:
    rows = _load(session, ids)
    missing = [i for i in ids if i not in rows]
    if missing:
        raise RecordNotFound(
            f"{len(missing)} of the records (first id {missing[0]}) no longer exist; "
            "refresh the list and try again."
        )
    return rows


def _update_units(
    session: Session, rows: Mapping[int, _Row], wanted: Mapping[int, Mapping[str, Any]]
) -> tuple[list[Change], list[int]]:
    """Write the wanted values that differ from the stored ones, as the ORM would: the
    version goes up and the row is stamped. Returns an audit change per field changed, and
    the ids of the records written (in the order of `wanted`)."""
    changes: list[Change] = []
    by_field: dict[str, dict[int, Any]] = defaultdict(dict)
    for unit_id, values in wanted.items():
        row = rows[unit_id]
        old = row.state.values()
        for name, value in values.items():
            if value != old[name]:
                by_field[name][unit_id] = value
                changes.append(
                    (
                        "update",
                        "units",
                        row.uuid,
                        name,
                        logged_value(old[name]),
                        logged_value(value),
                    )
                )
    connection = session.connection()
    for name, new_values in by_field.items():
        _set_column(connection, name, new_values)
    written = [unit_id for unit_id in wanted if any(unit_id in v for v in by_field.values())]
    actor, _ = session_actor(session)
    stamp = _UNITS.c.updated_at.type.bind_processor(connection.dialect)
    now = stamp(utcnow()) if stamp else utcnow()
    for chunk in _chunks(written):
        connection.exec_driver_sql(
            "UPDATE units SET version = version + 1, updated_at = ?, updated_by = ? "
            f"WHERE id IN ({_marks(chunk)})",
            (now, actor, *chunk),
        )
    return changes, written


def _set_column(connection: Connection, name: str, values: Mapping[int, Any]) -> None:
    """Set one column: a value many records share in one statement per few hundred records
    (row by row costs several times more, mostly in SQLite's foreign-key checks on parent_id),
    values of their own (positions) row by row."""
    to_db = _UNITS.c[name].type.bind_processor(connection.dialect)
    sharing: dict[Any, list[int]] = defaultdict(list)
    for unit_id, value in values.items():
        sharing[to_db(value) if to_db else value].append(unit_id)
    single = [(value, ids[0]) for value, ids in sharing.items() if len(ids) == 1]
    if single:
        connection.exec_driver_sql(f"UPDATE units SET {name} = ? WHERE id = ?", single)
    for value, ids in sharing.items():
        for chunk in _chunks(ids) if len(ids) > 1 else ():
            connection.exec_driver_sql(
                f"UPDATE units SET {name} = ? WHERE id IN ({_marks(chunk)})", (value, *chunk)
            )


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _subject_value(term: str, uuid: str) -> str:
    """How the log names a subject linked to a unit (as storage.audit does for ORM links)."""
    return f"{term} [{uuid}]"


def _subjects(session: Session, subject_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """term and uuid of each subject; RecordNotFound for one that is not there."""
    wanted = sorted(set(subject_ids))
    c = models.Subject.__table__.c
    found = {
        row.id: (row.term, row.uuid)
        for row in session.execute(select(c.id, c.term, c.uuid).where(c.id.in_(wanted)))
    }
    for subject_id in wanted:
        if subject_id not in found:
            raise RecordNotFound(f"There is no subject with id {subject_id}.")
    return found


def _existing_links(
    session: Session, unit_ids: Sequence[int], subject_ids: Iterable[int]
) -> set[tuple[int, int]]:
    subjects = sorted(set(subject_ids))
    links: set[tuple[int, int]] = set()
    for chunk in _chunks(unit_ids):
        query = select(_LINKS.c.unit_id, _LINKS.c.subject_id).where(
            _LINKS.c.unit_id.in_(chunk), _LINKS.c.subject_id.in_(subjects)
        )
        links.update((unit_id, subject_id) for unit_id, subject_id in session.execute(query))
    return links


def _next_position(session: Session, parent_id: int) -> int:
    last = session.scalar(
        select(func.coalesce(func.max(_UNITS.c.position), 0)).where(_UNITS.c.parent_id == parent_id)
    )
    return int(last or 0) + 1


def _check_no_cycle(session: Session, moved: Iterable[int], rows: Mapping[int, _Row]) -> None:
    """Refuse if a moved record now sits below itself. Any new cycle passes through a moved
    record (only their parents changed), so walking up from each of them finds it."""
    ids = ",".join(str(int(i)) for i in sorted(set(moved)))
    if not ids:
        return
    looped = session.execute(
        text(
            "WITH RECURSIVE up(start, id, depth) AS ("
            f" SELECT id, parent_id, 1 FROM units WHERE id IN ({ids}) AND parent_id IS NOT NULL"
            " UNION ALL SELECT up.start, u.parent_id, up.depth + 1 FROM units u"
            " JOIN up ON u.id = up.id"
            " WHERE u.parent_id IS NOT NULL AND up.id <> up.start AND up.depth < :limit"
            ") SELECT start FROM up WHERE id = start LIMIT 1"
        ),
        {"limit": _MAX_DEPTH},
    ).scalar()
    if looped is not None:
        raise ValidationError(
            f"{rows[looped].reference_code} cannot go inside itself or one of its own parts."
        )


def _without(harvested: tuple[str, ...], fields: Iterable[str]) -> list[str]:
    """A field a person has set is no longer a harvested value (as in UnitService.update)."""
    typed = set(fields)
    return [name for name in harvested if name not in typed]


def _audit(session: Session, changes: list[Change]) -> None:
    if not changes:
        return
    actor, reason = session_actor(session)
    _insert_many(session, _AUDIT, chained_rows(session, changes, actor, reason))


def _insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """One executemany straight to the driver: at tens of thousands of rows, SQLAlchemy's
    per-row parameter handling costs more than SQLite's own work (the ORM's even more)."""
    connection = session.connection()
    names = list(rows[0])
    convert = [table.c[name].type.bind_processor(connection.dialect) for name in names]
    values = [
        tuple(
            value if to_db is None else to_db(value)
            for value, to_db in zip((row[n] for n in names), convert, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({_marks(names)})", values
    )


class BatchService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def collections(self) -> list[UnitSummary]:
        """Records a batch edit can move records into (fonds, collections, series...)."""
        query = (
            select(models.Unit)
            .where(models.Unit.level.in_(CONTAINER_LEVELS))
            .order_by(models.Unit.reference_code, models.Unit.id)
        )
        with self._cat.db.read() as session:
            return [mappers.unit_summary(unit) for unit in session.scalars(query)]

    def apply(self, unit_ids: Sequence[int], change: BatchChange) -> BatchSnapshot:
        """Make `change` on every record in one transaction; the snapshot undoes it."""
        ids = list(dict.fromkeys(unit_ids))
        if not ids:
            raise ValidationError("No records are selected.")
        if change.is_empty:
            raise ValidationError("Choose at least one thing to change.")
        fields = clean_unit_fields(
            {
                name: value
                for name, value in (
                    ("access_status", change.access_status),
                    ("languages", change.languages),
                )
                if value is not None
            }
        )
        with self._cat.db.write(self._cat.actor, "batch edit") as session:
            rows = _require_units(session, ids)
            subjects = _subjects(session, change.subject_ids) if change.subject_ids else {}
            wanted = {unit_id: dict(fields) for unit_id in ids}
            moved = self._plan_move(session, change.parent_id, rows, wanted)
            if fields:
                for unit_id in ids:
                    wanted[unit_id]["harvested"] = _without(rows[unit_id].state.harvested, fields)
            changes, written = _update_units(session, rows, wanted)
            _check_no_cycle(session, moved, rows)
            added = self._add_links(session, ids, subjects, rows, changes)
            _audit(session, changes)
            derived.mark(session, moved, moved=True)
            derived.mark(session, {unit_id for unit_id, _ in added})
            return BatchSnapshot(
                unit_ids=tuple(ids),
                change=change,
                before=tuple(rows[i].state for i in written),
                added_links=tuple(added),
            )

    def revert(self, snapshot: BatchSnapshot) -> None:
        """Put back everything `apply` changed, in one transaction."""
        with self._cat.db.write(self._cat.actor, "undo batch edit") as session:
            ids = sorted({state.unit_id for state in snapshot.before} | _link_units(snapshot))
            rows = _require_units(session, ids)
            parents = {s.parent_id for s in snapshot.before if s.parent_id is not None}
            gone = parents - set(_load(session, sorted(parents)))
            if gone:
                raise RecordNotFound(
                    "A collection these records came from was deleted; they cannot be moved back."
                )
            changes = self._remove_links(session, snapshot.added_links, rows)
            updates, _ = _update_units(
                session, rows, {state.unit_id: state.values() for state in snapshot.before}
            )
            changes += updates
            moved = [
                s.unit_id for s in snapshot.before if s.parent_id != rows[s.unit_id].state.parent_id
            ]
            _check_no_cycle(session, moved, rows)
            _audit(session, changes)
            derived.mark(session, moved, moved=True)
            derived.mark(session, _link_units(snapshot))

    # -- parts of a batch edit ----------------------------------------------------------------

    def _plan_move(
        self,
        session: Session,
        parent_id: int | None,
        rows: Mapping[int, _Row],
        wanted: dict[int, dict[str, Any]],
    ) -> list[int]:
        """Put the records not already in `parent_id` at its end, in the order given."""
        if parent_id is None:
            return []
        get_row(session, models.Unit, parent_id, "collection")
        if parent_id in rows:
            raise ValidationError(
                f"{rows[parent_id].reference_code} cannot go inside itself or one of its own parts."
            )
        moved = [i for i in wanted if rows[i].state.parent_id != parent_id]
        position = _next_position(session, parent_id)
        for offset, unit_id in enumerate(moved):
            wanted[unit_id].update(parent_id=parent_id, position=position + offset)
        return moved

    def _add_links(
        self,
        session: Session,
        ids: Sequence[int],
        subjects: Mapping[int, tuple[str, str]],
        rows: Mapping[int, _Row],
        changes: list[Change],
    ) -> list[tuple[int, int]]:
        if not subjects:
            return []
        existing = _existing_links(session, ids, subjects)
        added = [(u, s) for u in ids for s in subjects if (u, s) not in existing]
        if added:
            session.execute(insert(_LINKS), [{"unit_id": u, "subject_id": s} for u, s in added])
        changes += [
            ("add", "unit_subjects", rows[u].uuid, "subject", None, _subject_value(*subjects[s]))
            for u, s in added
        ]
        return added

    def _remove_links(
        self, session: Session, links: Sequence[tuple[int, int]], rows: Mapping[int, _Row]
    ) -> list[Change]:
        """Delete the links a batch edit added (those still there) and log each."""
        if not links:
            return []
        units = sorted({u for u, _ in links})
        still = _existing_links(session, units, {s for _, s in links}) & set(links)
        ordered = [link for link in links if link in still]
        names = _subjects(session, {s for _, s in ordered})
        for chunk in _chunks(ordered):
            session.execute(
                delete(_LINKS).where(tuple_(_LINKS.c.unit_id, _LINKS.c.subject_id).in_(chunk))
            )
        return [
            ("remove", "unit_subjects", rows[u].uuid, "subject", _subject_value(*names[s]), None)
            for u, s in ordered
        ]


def _link_units(snapshot: BatchSnapshot) -> set[int]:
    return {unit_id for unit_id, _ in snapshot.added_links}
