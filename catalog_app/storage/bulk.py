"""Fast inserts for bulk work (imports, fixity audits), audited like the ORM hook's writes:
one audit row per row, or one that summarises a batch of program-made rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from catalog_app.storage.audit import chained_rows, session_actor, snapshot
from catalog_app.storage.models import Audited, AuditEntry, Base, new_uuid
from catalog_app.storage.types import utcnow


def next_ids(session: Session, model: type[Base], count: int) -> list[int]:
    """Row ids for `count` new rows; safe because write transactions hold the write lock."""
    table = model.__table__
    last = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + 1 + count))


def _start(
    session: Session, model: type[Base], count: int
) -> tuple[str, str | None, Table, list[int]]:
    """The actor, reason, table and new row ids for a bulk insert into `model`."""
    session.flush()  # ORM changes first, so the audit chain stays in order
    actor, reason = session_actor(session)
    table: Table = model.__table__  # type: ignore[assignment]
    return actor, reason, table, next_ids(session, model, count)


def insert_audited(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (ids and uuids filled in if missing) and log a 'create' for each."""
    if not rows:
        return
    actor, reason, table, ids = _start(session, model, len(rows))
    now = utcnow()
    filled: list[dict[str, Any]] = []
    for row_id, row in zip(ids, rows, strict=True):
        values = {"id": row_id, **row}
        if "uuid" in table.c and not values.get("uuid"):
            values["uuid"] = new_uuid()
        for stamp in ("created_at", "updated_at", "recorded_at", "added_at"):
            if stamp in table.c and stamp not in values:
                values[stamp] = now
        filled.append(values)
    # One statement for all rows needs the same keys in each: absent means NULL.
    keys = {key for values in filled for key in values}
    for values in filled:
        for key in keys - values.keys():
            values[key] = None
    session.connection().execute(insert(table), filled)  # Core: no ORM bulk layer
    summarise = model.__audit_summarise__ if issubclass(model, Audited) else frozenset()
    changes = [
        ("create", table.name, v["uuid"], None, None, snapshot(v, summarise)) for v in filled
    ]
    session.connection().execute(insert(AuditEntry), chained_rows(session, changes, actor, reason))
    for row, values in zip(rows, filled, strict=True):
        row.update(id=values["id"], uuid=values.get("uuid"))


# -- one audit row for a whole batch ---------------------------------------------------------
# A fixity audit writes an event per original: 100,000 events would otherwise add 100,000 audit
# rows. Instead the batch gets one chained audit row whose value names the rows (count, id
# range) and carries a SHA-256 over their values, so the batch as written stays provable
# against the chain while `catalog check` validates it like any other row.


def rows_digest(rows: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 over the rows' column values as one JSON text (keys sorted, in row order)."""
    encoded = json.dumps(list(rows), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def insert_summarised(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    row_uuid: str,
    field: str,
    summary: Mapping[str, Any],
) -> None:
    """Insert `rows` (complete column values, uuids included; ids are assigned here) and
    write a single 'create' audit row against `row_uuid` describing them."""
    if not rows:
        return
    actor, reason, table, ids = _start(session, model, len(rows))
    for row_id, row in zip(ids, rows, strict=True):
        row["id"] = row_id
    session.execute(insert(table), list(rows))
    value = {
        **summary,
        "rows": len(rows),
        "first_id": ids[0],
        "last_id": ids[-1],
        "sha256": rows_digest(rows),
    }
    change = (
        "create",
        table.name,
        row_uuid,
        field,
        None,
        json.dumps(value, ensure_ascii=False, sort_keys=True),
    )
    session.execute(insert(AuditEntry), chained_rows(session, [change], actor, reason))
