"""Replaying the audit trail against the records: what each record should hold, row by row.

The chain proves the log was not edited; it says nothing about a record changed behind the
log's back. This replays every record's creates, updates and deletes (and its links' adds and
removes) and compares the result with the record as it stands. Both sides are read sorted by
UUID (the audit log has an index on row_uuid) and merged, so the work is one streaming pass
over each table, whatever the size of the catalogue.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Table,
    select,
)
from sqlalchemy.types import TypeDecorator

from catalog_app.storage.audit import summary
from catalog_app.storage.bulk import rows_digest
from catalog_app.storage.models import Audited, Base, HasUuid, ProvenanceEvent

_LINKED_UUID = re.compile(r"\[([^\[\]]+)\]\s*$")


@dataclass(frozen=True)
class TrailMismatch:
    """A record whose current values differ from what its audit trail says."""

    table: str
    row_uuid: str
    record: str  # how a person finds it: "record IR-1/3", "agent <uuid>", ...
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.record} {self.field}" if self.field else self.record
        return f"{where}: {self.message}"


# -- what can be compared ---------------------------------------------------------------------


def _audited_tables() -> dict[str, type[Base]]:
    """Audited models with a UUID of their own, by table name."""
    models: list[type[Base]] = [mapper.class_ for mapper in Base.registry.mappers]
    return {
        str(model.__tablename__): model
        for model in models
        if issubclass(model, Audited) and issubclass(model, HasUuid)
    }


# Links are logged against their owner as (field, value); the value's bracketed UUID (or, for
# an agent's names, the name) identifies the link, since a linked term may be renamed later.
_LINK_QUERIES = {
    "unit_agents": "SELECT u.uuid, 'agent (' || l.role || ')', a.uuid FROM unit_agents l "
    "JOIN units u ON u.id = l.unit_id JOIN agents a ON a.id = l.agent_id ORDER BY u.uuid",
    "unit_places": "SELECT u.uuid, 'place', p.uuid FROM unit_places l "
    "JOIN units u ON u.id = l.unit_id JOIN places p ON p.id = l.place_id ORDER BY u.uuid",
    "unit_subjects": "SELECT u.uuid, 'subject', s.uuid FROM unit_subjects l "
    "JOIN units u ON u.id = l.unit_id JOIN subjects s ON s.id = l.subject_id ORDER BY u.uuid",
    "agent_names": "SELECT a.uuid, 'name (' || n.kind || ')', n.name FROM agent_names n "
    "JOIN agents a ON a.id = n.agent_id ORDER BY a.uuid",
    "settings": "SELECT 'settings', key, value FROM settings ORDER BY key",
}
_SETTINGS = "settings"
# Written when the catalogue is created, before there is anyone to log them against
# (storage.migrate): compared only once a change of them is logged.
_UNLOGGED_SETTINGS = frozenset({"catalogue_uuid", "reference_code_prefix", "created_at"})


def _link_key(table: str, value: str | None) -> str | None:
    if value is None or table in ("agent_names", _SETTINGS):
        return value
    found = _LINKED_UUID.search(value)
    return found.group(1) if found else value


# How a value as the log wrote it (text) compares with the value as SQLite stores it, by the
# column's type: the plain text comparison first, the parsing only when that differs.
Comparator = Callable[[str, Any], bool]


def _as_text(logged: str, stored: Any) -> bool:
    return logged == (stored if isinstance(stored, str) else str(stored))


def _as_number(logged: str, stored: Any) -> bool:
    if logged == str(stored):
        return True
    try:
        return float(logged) == float(stored)
    except (TypeError, ValueError):
        return False


def _as_flag(logged: str, stored: Any) -> bool:
    return (logged in ("True", "true", "1")) == (str(stored) in ("1", "True", "true"))


def _as_json(logged: str, stored: Any) -> bool:
    if logged == stored:
        return True
    try:
        return bool(json.loads(logged) == json.loads(stored))
    except (TypeError, ValueError):
        return False


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_moment(logged: str, stored: Any) -> bool:
    # Logged as ISO 8601 in UTC; stored (storage.types.UTCDateTime) as naive UTC text.
    if logged.endswith("+00:00") and logged[:-6].replace("T", " ", 1) == stored:
        return True
    try:
        return _moment(logged) == _moment(str(stored))
    except ValueError:
        return False


def _as_day(logged: str, stored: Any) -> bool:
    return logged[:10] == str(stored)[:10]


def _as_summary(logged: str, stored: Any) -> bool:
    return summary(stored) == logged


def _comparator(model: type[Base], column: Column[Any]) -> Comparator:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if column.name in getattr(model, "__audit_summarise__", ()):
        return _as_summary
    if isinstance(kind, DateTime):
        return _as_moment
    if isinstance(kind, Date):
        return _as_day
    if isinstance(kind, Boolean):
        return _as_flag
    if isinstance(kind, Integer | Float):
        return _as_number
    if isinstance(kind, JSON):
        return _as_json
    return _as_text


@dataclass(frozen=True)
class _TableSpec:
    """What to read of an audited table, and how to compare each column the log follows."""

    model: type[Base]
    columns: tuple[str, ...]
    compared: dict[str, Comparator]

    @classmethod
    def of(cls, model: type[Base]) -> _TableSpec:
        table: Table = model.__table__  # type: ignore[assignment]
        ignored: frozenset[str] = getattr(model, "__audit_ignore__", frozenset())
        return cls(
            model,
            tuple(c.name for c in table.c),
            {c.name: _comparator(model, c) for c in table.c if c.name not in ignored},
        )

    def same(self, name: str, logged: str | None, stored: Any) -> bool:
        """Whether the column `name` holds what the log says; True for a column not compared
        (not logged when it changes, or one this catalogue lacks)."""
        compare = self.compared.get(name)
        if compare is None:
            return True
        if logged is None or stored is None:
            return logged is None and stored is None
        return compare(logged, stored)


# -- the replayed state of one UUID -------------------------------------------------------------


@dataclass
class _Expected:
    exists: bool = True
    created: bool = False  # False: only later changes are known (a batch-recorded row)
    values: dict[str, str | None] = field(default_factory=dict)


@dataclass
class _Batch:
    first_id: int
    last_id: int
    rows: int
    sha256: str


@dataclass
class _Group:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, Counter[tuple[str, str | None]]] = field(default_factory=dict)
    expected: dict[str, _Expected] = field(default_factory=dict)
    expected_links: dict[str, Counter[tuple[str, str | None]]] = field(default_factory=dict)
    uncertain_links: set[str] = field(default_factory=set)
    settings: dict[str, str | None] = field(default_factory=dict)


def _replay(group: _Group, entry: tuple[Any, ...], tables: dict[str, type[Base]]) -> _Batch | None:
    _, table, action, name, old, new = entry[:6]
    if table in tables:
        state = group.expected.setdefault(table, _Expected())
        if action == "create" and name is None:
            state.exists, state.created = True, True
            state.values = dict(json.loads(new)) if new else {}
        elif action == "create":
            summary_value = json.loads(new) if new else {}
            return _Batch(
                int(summary_value["first_id"]),
                int(summary_value["last_id"]),
                int(summary_value["rows"]),
                str(summary_value["sha256"]),
            )
        elif action == "update" and name is not None:
            state.values[name] = new
        elif action == "delete":
            state.exists, state.values = False, {}
        return None
    if table == _SETTINGS:
        key = name.removesuffix(".value") if action == "update" and name else name
        if action == "remove":
            group.settings.pop(key, None)
        elif key is not None:
            group.settings[key] = new
        return None
    links = group.expected_links.setdefault(table, Counter())
    if action == "add":
        links[(name, _link_key(table, new))] += 1
    elif action == "remove":
        links[(name, _link_key(table, old))] -= 1
    else:  # a link changed in place: the log does not say which one
        group.uncertain_links.add(table)
    return None


# -- the sorted streams --------------------------------------------------------------------------


def _record_stream(
    connection: Connection, table: str, spec: _TableSpec
) -> Iterator[tuple[str, int, Any]]:
    """The rows as SQLite stores them (no type conversion: most values compare as text)."""
    names = spec.columns
    query = f"SELECT {', '.join(names)} FROM {table} ORDER BY uuid"
    for row in connection.exec_driver_sql(query):
        values = dict(zip(names, row, strict=True))
        yield str(values["uuid"]), 0, (table, values)


def _link_stream(connection: Connection, table: str) -> Iterator[tuple[str, int, Any]]:
    for owner, name, key in connection.exec_driver_sql(_LINK_QUERIES[table]):
        yield str(owner), 1, (table, name, key)


def _audit_stream(connection: Connection) -> Iterator[tuple[str, int, Any]]:
    query = (
        "SELECT row_uuid, table_name, action, field, old_value, new_value, id "
        "FROM audit_log ORDER BY row_uuid, id"
    )
    for row in connection.exec_driver_sql(query):
        yield str(row[0]), 2, tuple(row)


# -- comparing -------------------------------------------------------------------------------


class _Comparison:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tables = _audited_tables()
        self.specs = {table: _TableSpec.of(model) for table, model in self.tables.items()}
        self.found: list[TrailMismatch] = []
        self.batches: list[_Batch] = []
        self.unlogged_events: list[tuple[int, str, bool]] = []  # (id, uuid, changed later)
        self.removed_batch_events = 0
        self._codes: dict[int, str] | None = None

    def reference_code(self, unit_id: Any) -> str:
        if self._codes is None:
            self._codes = dict(
                self.connection.exec_driver_sql("SELECT id, reference_code FROM units").all()
            )
        try:
            return self._codes.get(int(unit_id), f"#{unit_id}")
        except (TypeError, ValueError):
            return "(unknown)"

    def describe(self, table: str, uuid: str, values: Any) -> str:
        if table == "units":
            return f"record {values.get('reference_code') or uuid}"
        owner = values.get("unit_id") or values.get("from_unit_id")
        noun = table.removesuffix("s").replace("_", " ")
        if owner is not None:
            return f"{noun} {uuid} of record {self.reference_code(owner)}"
        return f"{noun} {uuid}"

    def report(self, table: str, uuid: str, values: Any, name: str | None, message: str) -> None:
        self.found.append(
            TrailMismatch(table, uuid, self.describe(table, uuid, values), name, message)
        )

    def run(self) -> list[TrailMismatch]:
        streams: list[Iterable[tuple[str, int, Any]]] = [
            _record_stream(self.connection, table, spec) for table, spec in self.specs.items()
        ]
        streams += [_link_stream(self.connection, table) for table in _LINK_QUERIES]
        streams.append(_audit_stream(self.connection))
        merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
        for uuid, items in itertools.groupby(merged, key=lambda item: item[0]):
            self.compare(uuid, items)
        self.check_batches()
        return self.found

    def compare(self, uuid: str, items: Iterable[tuple[str, int, Any]]) -> None:
        group = _Group()
        actual_settings: dict[str, str | None] = {}
        for _, kind, payload in items:
            if kind == 0:
                group.rows[payload[0]] = payload[1]
            elif kind == 1 and payload[0] == _SETTINGS:
                actual_settings[payload[1]] = payload[2]
            elif kind == 1:
                group.links.setdefault(payload[0], Counter())[(payload[1], payload[2])] += 1
            else:
                batch = _replay(group, payload, self.tables)
                if batch is not None:
                    self.batches.append(batch)
        for table in group.rows.keys() | group.expected.keys():
            self.compare_row(table, uuid, group.rows.get(table), group.expected.get(table))
        if uuid == _SETTINGS or group.settings or actual_settings:
            self.compare_settings(group.settings, actual_settings)
        for table in group.links.keys() | group.expected_links.keys():
            if table not in group.uncertain_links:
                self.compare_links(table, uuid, group)

    def compare_row(
        self, table: str, uuid: str, actual: dict[str, Any] | None, expected: _Expected | None
    ) -> None:
        events = table == ProvenanceEvent.__tablename__
        if actual is None:
            if expected is not None and expected.exists and expected.created:
                self.report(table, uuid, expected.values, None, "was removed without an audit row")
            elif expected is not None and not expected.exists and not expected.created:
                self.removed_batch_events += events
            return
        if expected is None or not expected.created:
            if not events:
                self.report(table, uuid, actual, None, "was added without an audit row")
                return
            # Perhaps one of a batch of events recorded by a single audit row: see check_batches.
            self.unlogged_events.append((int(actual["id"]), uuid, expected is not None))
            if expected is None:
                return
        if not expected.exists:
            self.report(table, uuid, actual, None, "is there though its audit trail deleted it")
            return
        spec = self.specs[table]
        for name, logged in sorted(expected.values.items()):
            if not spec.same(name, logged, actual.get(name)):
                self.report(
                    table,
                    uuid,
                    actual,
                    name,
                    "differs from its audit trail (changed without an audit row)",
                )

    def compare_links(self, table: str, uuid: str, group: _Group) -> None:
        actual = group.links.get(table, Counter())
        expected = +group.expected_links.get(table, Counter())
        owner = "units" if table.startswith("unit_") else "agents"
        values = group.rows.get(owner) or (group.expected.get(owner) or _Expected()).values
        for name, _ in sorted((actual - expected).keys()):
            self.report(owner, uuid, values, name, "link added without an audit row")
        for name, _ in sorted((expected - actual).keys()):
            self.report(owner, uuid, values, name, "link removed without an audit row")

    def compare_settings(
        self, expected: dict[str, str | None], actual: dict[str, str | None]
    ) -> None:
        for key in sorted(expected.keys() | actual.keys()):
            if key not in actual:
                message = "was removed without an audit row"
            elif key not in expected and key in _UNLOGGED_SETTINGS:
                continue
            elif key not in expected:
                message = "was added without an audit row"
            elif expected[key] != actual[key]:
                message = "differs from its audit trail (changed without an audit row)"
            else:
                continue
            self.found.append(TrailMismatch(_SETTINGS, _SETTINGS, "setting", key, message))

    def check_batches(self) -> None:
        """Events written many to one audit row (fixity checks) are proven by that row."""
        ranges = sorted(self.batches, key=lambda b: b.first_id)
        starts = [b.first_id for b in ranges]
        covered: dict[int, list[tuple[int, bool]]] = {}
        for event_id, uuid, changed in self.unlogged_events:
            at = _batch_at(starts, event_id)
            if at is None or ranges[at].last_id < event_id:
                self.report(
                    ProvenanceEvent.__tablename__,
                    uuid,
                    {"unit_id": self.event_unit(event_id)},
                    None,
                    "was added without an audit row",
                )
                continue
            covered.setdefault(at, []).append((event_id, changed))
        for at, batch in enumerate(ranges):
            events = covered.get(at, [])
            if any(changed for _, changed in events):
                continue  # changed since, each change logged: the batch's digest no longer applies
            if len(events) < batch.rows and not self.removed_batch_events:
                self.found.append(
                    self.batch_problem(batch, "some were removed without an audit row")
                )
            elif len(events) == batch.rows and self.batch_digest(batch) != batch.sha256:
                self.found.append(
                    self.batch_problem(batch, "they were changed without an audit row")
                )

    def event_unit(self, event_id: int) -> Any:
        return self.connection.exec_driver_sql(
            "SELECT unit_id FROM provenance_events WHERE id = ?", (event_id,)
        ).scalar()

    def batch_problem(self, batch: _Batch, why: str) -> TrailMismatch:
        return TrailMismatch(
            ProvenanceEvent.__tablename__,
            "",
            f"provenance events {batch.first_id}-{batch.last_id}",
            None,
            f"the {batch.rows:,} events recorded by one audit row do not match it: {why}",
        )

    def batch_digest(self, batch: _Batch) -> str:
        table: Table = ProvenanceEvent.__table__  # type: ignore[assignment]
        columns = [c for c in table.c if c.name not in ("version",)]
        query = (
            select(*columns)
            .where(table.c.id.between(batch.first_id, batch.last_id))
            .order_by(table.c.id)
        )
        return rows_digest([dict(row._mapping) for row in self.connection.execute(query)])


def _batch_at(starts: list[int], value: int) -> int | None:
    at = bisect.bisect_right(starts, value) - 1
    return at if at >= 0 else None


def trail_mismatches(connection: Connection) -> list[TrailMismatch]:
    """Every record (and link, and setting) whose current values differ from its audit trail."""
    return _Comparison(connection).run()
