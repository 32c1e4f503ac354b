"""Reading the audit trail and checking that nobody has tampered with it."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from catalog_app.domain.records import AuditRecord
from catalog_app.export import backup_bag
from catalog_app.export.backup_bag import BackupDamaged
from catalog_app.storage import driver, mappers, models
from catalog_app.storage.audit import anchor_problem, verify_chain
from catalog_app.storage.audit_replay import TrailMismatch, trail_mismatches
from catalog_app.storage.audit_seal import (
    Seal,
    chain_hashes,
    chain_head,
    prefix_problem,
    seal_of,
    seal_problem,
)

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
        """Ids of audit rows that break the hash chain (under the catalogue's chain key, when
        it is encrypted); empty when the log is intact."""
        with self._cat.db.read() as session:
            return verify_chain(session)

    def count_problem(self) -> str | None:
        """Whether rows were cut off the end of the log (which the chain cannot show)."""
        with self._cat.db.read() as session:
            return anchor_problem(session)

    def trail_mismatches(self) -> list[TrailMismatch]:
        """Records whose current values are not what their audit trail says they should be."""
        with self._cat.db.read() as session:
            return trail_mismatches(session.connection())

    # -- anchors outside the file: the seal and backups ------------------------------------------

    def seal(self) -> Seal:
        """The chain's head as a short code to note down (see `storage.audit_seal`)."""
        with self._cat.db.read() as session:
            return seal_of(session.connection())

    def head(self) -> tuple[int, str]:
        """How many rows the log holds and the newest row's full hash."""
        with self._cat.db.read() as session:
            return chain_head(session.connection())

    def seal_problem(self, seal: Seal) -> str | None:
        """Whether the chain no longer passes through the sealed row."""
        with self._cat.db.read() as session:
            return seal_problem(session.connection(), seal, f"the seal {seal.code}")

    def backup_problems(self, folder: Path) -> list[str]:
        """Whether the chain fails to extend the one in the backup at `folder` (and the seal
        the backup recorded when it was made)."""
        contents = backup_bag.read(folder)
        database = contents.root / contents.catalogue_file
        if not database.is_file():
            raise BackupDamaged(f"The backup at {contents.root} has no catalogue file.")
        what = f"the backup at {contents.root}"
        recorded = contents.info.get(backup_bag.SEAL_LABEL)
        sealed = Seal.parse(recorded) if recorded else None
        keys = self._cat.keys
        try:
            with closing(
                driver.connect(database, readonly=True, key=keys.database if keys else None)
            ) as theirs:
                problems: list[str] = []
                if sealed is not None and seal_problem(theirs, sealed, "its seal"):
                    problems.append(
                        f"the catalogue file in {what} does not match the seal it records "
                        f"({sealed.code}): that copy was altered"
                    )
                with self._cat.db.read() as session:
                    ours = chain_hashes(session.connection())
                    problem = prefix_problem(ours, chain_hashes(theirs), what)
        except driver.DatabaseError as exc:
            raise BackupDamaged(
                f"The catalogue file in the backup at {contents.root} cannot be read (damaged, "
                "or not of this catalogue)."
            ) from exc
        return [*problems, problem] if problem else problems
