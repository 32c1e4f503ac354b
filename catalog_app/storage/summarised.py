"""Inserting many program-made rows under ONE audit row that summarises them.

A fixity audit writes an event per original: 100,000 events would otherwise add 100,000 audit
rows. Instead the batch gets one chained audit row whose value names the rows (count, id range)
and carries a SHA-256 over their values, so the batch as written stays provable against the
chain while `catalog check` validates it like any other row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from catalog_app.storage.audit import chained_rows, session_actor
from catalog_app.storage.bulk import next_ids
from catalog_app.storage.models import AuditEntry, Base


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
    session.flush()  # ORM changes first, so the audit chain stays in order
    actor, reason = session_actor(session)
    table: Table = model.__table__  # type: ignore[assignment]
    ids = next_ids(session, model, len(rows))
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
