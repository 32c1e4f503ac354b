"""Fast inserts for bulk work (imports), with the same audit rows the ORM hook writes."""

from __future__ import annotations

from collections.abc import Sequence
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


def insert_audited(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (ids and uuids filled in if missing) and log a 'create' for each."""
    if not rows:
        return
    session.flush()  # ORM changes first, so the audit chain stays in order
    actor, reason = session_actor(session)
    table: Table = model.__table__  # type: ignore[assignment]
    ids = next_ids(session, model, len(rows))
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
    session.execute(insert(table), filled)
    summarise = model.__audit_summarise__ if issubclass(model, Audited) else frozenset()
    changes = [
        ("create", table.name, v["uuid"], None, None, snapshot(v, summarise)) for v in filled
    ]
    session.execute(insert(AuditEntry), chained_rows(session, changes, actor, reason))
    for row, values in zip(rows, filled, strict=True):
        row.update(id=values["id"], uuid=values.get("uuid"))
