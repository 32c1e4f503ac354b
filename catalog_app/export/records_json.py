"""The full records as JSON: every field, access point, original, custody event, assessment,
relation and audit row of each record, for transfer packages and for reading back in.

The document is one JSON array written an element at a time (and read back the same way),
so neither writing nor reading holds the whole catalogue in memory.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from catalog_app.domain.records import AuditRecord, UnitDetail, to_jsonable
from catalog_app.services.export_source import RESTRICTED_FIELDS, ExportUnit
from catalog_app.services.internal_details import InternalDetails
from catalog_app.storage import mappers, models

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

CHUNK = 200  # records whose related rows are read in one go
# The fields services.export_source blanks unless restricted material is included (the
# archivist's note); their values must not come back through the audit trail either.
WITHHELD_FIELDS: tuple[str, ...] = RESTRICTED_FIELDS
_IN_LIMIT = 500  # values per SQL IN (...) list
_READ_SIZE = 1 << 16


@dataclass(frozen=True)
class RecordsReport:
    rows: int
    warnings: list[str] = field(default_factory=list)


def write(
    units: Iterable[ExportUnit],
    out: BinaryIO,
    *,
    catalogue: Catalogue,
    include_restricted: bool = False,
    include_internal: bool = False,
    withheld_fields: Collection[str] = WITHHELD_FIELDS,
) -> RecordsReport:
    """Write `units` to `out` as a JSON array, one record per line.

    Without `include_restricted`, the values of `withheld_fields` (left out of the records
    themselves by the export source) are also taken out of the audit trail, and relations
    to records that are not open (or lie below one that is not) are left out. Without
    `include_internal`, host and login names and local paths are taken out of the audit
    trail as they are out of the records (services.internal_details).
    """
    withheld = frozenset() if include_restricted else frozenset(withheld_fields)
    internal = None if include_internal else InternalDetails.of_this_computer()
    rows = 0
    out.write(b"[")
    iterator = iter(units)
    while batch := list(islice(iterator, CHUNK)):
        with catalogue.db.read() as session:
            related = _Related.load(
                session, [u.detail for u in batch], withheld, open_only=not include_restricted
            )
        for unit in batch:
            out.write(b"\n" if rows == 0 else b",\n")
            record = _record(unit, related, internal)
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
            rows += 1
    out.write(b"\n]\n")
    return RecordsReport(rows=rows)


def read(source: IO[bytes]) -> Iterator[dict[str, Any]]:
    """The records of a document written by `write` (or any JSON array of objects), one at a
    time. Raises ValueError for anything else."""
    reader = _Reader(source)
    if reader.skip_space() != "[":
        raise ValueError("the records file is not a JSON array")
    reader.position += 1
    first = True
    while (char := reader.skip_space()) != "]":
        if not first:
            if char != ",":
                raise ValueError("the records file has something other than ',' between records")
            reader.position += 1
            reader.skip_space()
        value = reader.value()
        if not isinstance(value, dict):
            raise ValueError("the records file holds something other than records")
        first = False
        yield value
    reader.position += 1
    if reader.skip_space() != "":
        raise ValueError("the records file goes on after its closing ']'")


class _Reader:
    """A window on a UTF-8 stream, from which JSON values are decoded one at a time."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self.buffer = ""
        self.position = 0
        self.eof = False

    def fill(self) -> bool:
        """Read more: at least as much again as is buffered, so that a very long record is
        decoded after a few attempts rather than one attempt per block."""
        if self.eof:
            return False
        pending = len(self.buffer) - self.position
        chunk = self._source.read(max(_READ_SIZE, pending))
        text = self._decoder.decode(chunk, final=not chunk)
        self.eof = not chunk
        self.buffer = self.buffer[self.position :] + text
        self.position = 0
        return bool(text) or not self.eof

    def skip_space(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in " \t\r\n":
                self.position += 1
            if self.position < len(self.buffer):
                return self.buffer[self.position]
            if not self.fill():
                return ""

    def value(self) -> Any:
        while True:
            try:
                value, end = self._json.raw_decode(self.buffer, self.position)
            except json.JSONDecodeError as exc:
                if not self.fill():
                    raise ValueError(f"the records file is not valid JSON: {exc.msg}") from exc
                continue
            except RecursionError:
                raise ValueError("the records file nests its values too deeply") from None
            if end == len(self.buffer) and self.fill():
                continue  # a number at the very end of the window may go on
            self.position = end
            return value


# -- one record ----------------------------------------------------------------------------


def _record(
    unit: ExportUnit, related: _Related, internal: InternalDetails | None
) -> dict[str, Any]:
    detail = unit.detail
    record: dict[str, Any] = to_jsonable(detail)
    record["parent_uuid"] = unit.parent_uuid
    record["depth"] = unit.depth
    record["agents"] = [
        {**to_jsonable(link), **related.agents.get(link.agent_id, {})} for link in detail.agents
    ]
    record["files"] = [
        {**to_jsonable(file), "extracted_text": related.texts.get(file.id)} for file in detail.files
    ]
    record["relations"] = [
        {**to_jsonable(relation), "other_uuid": related.others[relation.other_id]}
        for relation in detail.relations
        if relation.other_id in related.others
    ]
    audit = related.audit_of(_uuids_of(detail))
    if internal is not None:
        audit = internal.audit(audit)
    record["audit"] = [to_jsonable(row) for row in audit]
    return record


def _uuids_of(detail: UnitDetail) -> list[str]:
    """The record's own UUID and those of the rows that belong to it alone."""
    return [
        detail.uuid,
        *(file.uuid for file in detail.files),
        *(event.uuid for event in detail.events),
        *(assessment.uuid for assessment in detail.assessments),
    ]


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _IN_LIMIT):
        yield values[start : start + _IN_LIMIT]


@dataclass
class _Related:
    """What a batch of records needs beyond their UnitDetail, read in a few queries."""

    agents: dict[int, dict[str, Any]]
    texts: dict[int, str | None]
    others: dict[int, str]  # related record id -> uuid (those that may be shown)
    audit: dict[str, list[AuditRecord]]
    withheld_fields: frozenset[str]

    @classmethod
    def load(
        cls,
        session: Session,
        details: list[UnitDetail],
        withheld_fields: frozenset[str],
        *,
        open_only: bool,
    ) -> _Related:
        agent_ids = sorted({link.agent_id for d in details for link in d.agents})
        file_ids = sorted({f.id for d in details for f in d.files})
        other_ids = sorted({r.other_id for d in details for r in d.relations})
        uuids = [uuid for d in details for uuid in _uuids_of(d)]
        agents: dict[int, dict[str, Any]] = {}
        texts: dict[int, str | None] = {}
        others: dict[int, str] = {}
        audit: dict[str, list[AuditRecord]] = {}
        for ids in _chunks(agent_ids):
            query = (
                select(models.Agent)
                .where(models.Agent.id.in_(ids))
                .options(selectinload(models.Agent.names))
            )
            for agent in session.scalars(query):
                record = mappers.agent_record(agent)
                agents[agent.id] = {
                    "dates_of_existence": record.dates_of_existence,
                    "history": record.history,
                    "notes": record.notes,
                    "sources": record.sources,
                    "names": to_jsonable(record.names),
                }
        for ids in _chunks(file_ids):
            rows = session.execute(
                select(models.StoredFile.id, models.StoredFile.extracted_text).where(
                    models.StoredFile.id.in_(ids)
                )
            )
            texts.update((row_id, value) for row_id, value in rows)
        for ids in _chunks(other_ids):
            others.update(_shown_uuids(session, ids, open_only=open_only))
        for chunk in _chunks(uuids):
            entries = session.scalars(
                select(models.AuditEntry)
                .where(models.AuditEntry.row_uuid.in_(chunk))
                .order_by(models.AuditEntry.id)
            )
            for entry in entries:
                audit.setdefault(entry.row_uuid, []).append(mappers.audit_record(entry))
        return cls(agents, texts, others, audit, withheld_fields)

    def audit_of(self, uuids: list[str]) -> list[AuditRecord]:
        rows = sorted((row for uuid in uuids for row in self.audit.get(uuid, ())), key=_by_id)
        if not self.withheld_fields:
            return rows
        withheld = self.withheld_fields
        return [_redacted(row, withheld) for row in rows if row.field not in withheld]


def _by_id(row: AuditRecord) -> int:
    return row.id


def _shown_uuids(session: Session, ids: Sequence[int], *, open_only: bool) -> dict[int, str]:
    """uuid of each record in `ids`; with `open_only`, only of those that are open and have
    no restricted or confidential record above them."""
    marks = ",".join(str(int(i)) for i in ids)
    rows = session.execute(
        text(
            "WITH RECURSIVE up(start, id) AS ("
            f" SELECT id, id FROM units WHERE id IN ({marks})"
            " UNION ALL SELECT up.start, u.parent_id FROM up JOIN units u ON u.id = up.id"
            " WHERE u.parent_id IS NOT NULL)"
            " SELECT up.start, s.uuid, max(u.access_status != 'open') FROM up"
            " JOIN units u ON u.id = up.id JOIN units s ON s.id = up.start GROUP BY up.start"
        )
    )
    return {int(start): str(uuid) for start, uuid, withheld in rows if not (open_only and withheld)}


def _redacted(row: AuditRecord, withheld: frozenset[str]) -> AuditRecord:
    """An audit row whose whole-row snapshots no longer show the withheld fields."""
    if row.field is not None:
        return row
    return replace(
        row,
        old_value=_without(row.old_value, withheld),
        new_value=_without(row.new_value, withheld),
    )


def _without(value: str | None, withheld: frozenset[str]) -> str | None:
    """A whole-row snapshot (JSON text) without the withheld fields."""
    if not value or not value.startswith("{"):
        return value
    try:
        snapshot = json.loads(value)
    except ValueError:
        return value
    if not isinstance(snapshot, dict) or not withheld & set(snapshot):
        return value
    kept = {k: v for k, v in snapshot.items() if k not in withheld}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)
