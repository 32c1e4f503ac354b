"""Reading the audit trail and checking that nobody has tampered with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from catalog_app.domain.records import AuditRecord
from catalog_app.storage import mappers, models
from catalog_app.storage.audit import anchor_problem, verify_chain

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue


class AuditService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def history(self, row_uuid: str) -> list[AuditRecord]:
        """Every change to the record with this UUID (or to its links), oldest first."""
        with self._cat.db.read() as session:
            rows = session.scalars(
                select(models.AuditEntry)
                .where(models.AuditEntry.row_uuid == row_uuid)
                .order_by(models.AuditEntry.id)
            )
            return [mappers.audit_record(r) for r in rows]

    def recent(self, limit: int = 100) -> list[AuditRecord]:
        with self._cat.db.read() as session:
            rows = session.scalars(
                select(models.AuditEntry).order_by(models.AuditEntry.id.desc()).limit(limit)
            )
            return [mappers.audit_record(r) for r in rows]

    def verify(self) -> list[int]:
        """Ids of audit rows that break the hash chain; empty when the log is intact."""
        with self._cat.db.read() as session:
            return verify_chain(session)

    def count_problem(self) -> str | None:
        """Whether rows were cut off the end of the log (which the chain cannot show)."""
        with self._cat.db.read() as session:
            return anchor_problem(session)
