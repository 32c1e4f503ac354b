"""The stored originals of a record: their text, whether each copy still matches its
checksum (fixity), reading and opening one, and adding more originals to a record that
already exists.

Another program is never given the stored evidence itself (it could write to it): it opens
a copy in this process's private folder (see `clear_copies`), decrypted when the catalogue
is encrypted, and those copies are deleted when the catalogue is locked or closed
(`forget_viewable_copies`). In the window, the original's bytes are read in memory.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from catalog_app import clear_copies
from catalog_app.domain.fixity import CHANGED, MATCHES, FixityResult
from catalog_app.domain.records import FileRecord
from catalog_app.errors import CatalogError, CatalogueReadOnly, DiskFull, ValidationError
from catalog_app.export.bag import safe_file_name
from catalog_app.ingest import store
from catalog_app.ingest.prepare import ImportTask, display_name
from catalog_app.services.ingest import extract_one, task_keys
from catalog_app.services.lookup import get_row
from catalog_app.services.rehash import check_copy
from catalog_app.storage import derived, mappers, models
from catalog_app.storage.bulk import insert_audited

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

__all__ = [
    "CHANGED",
    "MATCHES",
    "FileText",
    "FixityResult",
    "OriginalsService",
    "forget_viewable_copies",
]


def forget_viewable_copies() -> None:
    """Delete every decrypted copy this program made for a viewer (on Lock and on close),
    and those that programs no longer running left behind."""
    clear_copies.remove()
    clear_copies.sweep()


def _no_room(file: FileRecord, encrypted: bool) -> str:
    bases = clear_copies.bases()[:1] if encrypted else clear_copies.bases()
    free = ", ".join(f"{base} has {clear_copies.free_space(base):,} bytes free" for base in bases)
    return (
        f"There is no room for a copy of {file.original_name} ({file.size:,} bytes) to open: "
        f"{free}. Free some space there and open it again."
    )


@dataclass(frozen=True)
class FileText:
    file: FileRecord
    text: str


class OriginalsService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    @property
    def store_root(self) -> Path:
        return store.store_root(self._cat.path)

    # -- reading ----------------------------------------------------------------------------

    def files(self, unit_id: int) -> list[FileRecord]:
        """The record's originals, in the order they were added."""
        return [item.file for item in self.texts(unit_id)]

    def texts(self, unit_id: int) -> list[FileText]:
        """Each original with the text extracted from it ("" when none was)."""
        query = (
            select(models.StoredFile)
            .where(models.StoredFile.unit_id == unit_id)
            .order_by(models.StoredFile.id)
        )
        with self._cat.db.read() as session:
            get_row(session, models.Unit, unit_id, "record")
            return [
                FileText(mappers.file_record(row), row.extracted_text or "")
                for row in session.scalars(query)
            ]

    def stored_copy(self, file: FileRecord) -> Path | None:
        """Where the bit-exact copy of `file` lives, or None if none was stored."""
        return self.store_root / file.stored_path if file.stored_path else None

    def viewable_copy(self, file: FileRecord) -> Path:
        """A copy of `file` for another program to open, never the stored copy itself:
        read-only, in a folder only this user can enter, decrypted in an encrypted catalogue,
        and deleted by `forget_viewable_copies`. Copies the whole file: call it off the GUI
        thread.

        The folder is in memory when the system has one; a plain catalogue's copy that does
        not fit there goes to the temporary folder instead (a decrypted one never does: it
        would leave the original in clear on a disk). DiskFull when nothing has room."""
        stored = self._copy_on_disk(file)
        for made in clear_copies.made():  # an earlier copy, perhaps changed in its viewer
            clear_copies.remove_tree(made / str(file.id))
        encrypted = self._cat.store_key is not None
        place = clear_copies.folder_with_room(file.size, in_memory_only=encrypted)
        if place is None:
            raise DiskFull(_no_room(file, encrypted))
        folder = place / str(file.id)
        folder.mkdir(parents=True, mode=0o700)
        target = folder / safe_file_name(file.original_name, file.sha256)
        try:
            store.copy_plain(stored, target, self._cat.store_key)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:  # filled meanwhile, by another program
                raise self._unreadable(file, exc) from exc
            clear_copies.remove_tree(folder)
            raise DiskFull(_no_room(file, encrypted)) from exc
        except store.NotAuthentic as exc:
            raise self._unreadable(file, exc) from exc
        target.chmod(0o400)
        return target

    def unsealed_copy(self, file: FileRecord) -> Path | None:
        """The stored copy when it holds the original's bytes as they are (a plain
        catalogue), for readers that take a file; None when it is sealed."""
        stored = self._copy_on_disk(file)
        return stored if self._cat.store_key is None else None

    def read(self, file: FileRecord, limit: int | None = None) -> bytes:
        """The original's bytes (its first `limit` bytes, or a little more, when given), in
        memory. A sealed copy is opened and checked chunk by chunk: the bytes given are
        authentic. Call it off the GUI thread."""
        stored = self._copy_on_disk(file)
        pieces: list[bytes] = []
        length = 0
        try:
            for piece in store.open_plain(stored, self._cat.store_key):
                pieces.append(piece)
                length += len(piece)
                if limit is not None and length > limit:
                    break  # the generator, let go, closes the file
        except (store.NotAuthentic, OSError) as exc:
            raise self._unreadable(file, exc) from exc
        return b"".join(pieces)

    def _copy_on_disk(self, file: FileRecord) -> Path:
        stored = self.stored_copy(file)
        if stored is None or not stored.is_file():
            raise CatalogError(f"The stored copy of {file.original_name} is missing.")
        return stored

    @staticmethod
    def _unreadable(file: FileRecord, error: Exception) -> CatalogError:
        if isinstance(error, store.NotAuthentic):
            return CatalogError(
                f"The stored copy of {file.original_name} was altered: it fails its "
                "authenticity check, so it is not opened. Run catalog verify."
            )
        reason = error.strerror if isinstance(error, OSError) else None
        return CatalogError(
            f"The stored copy of {file.original_name} cannot be opened "
            f"({reason or error.__class__.__name__})."
        )

    def verify(self, file_id: int) -> FixityResult:
        """Re-hash the stored copy of an original and compare it with its recorded SHA-256.

        Reads the whole file: call it off the GUI thread.
        """
        with self._cat.db.read() as session:
            file = mappers.file_record(get_row(session, models.StoredFile, file_id, "original"))
        return check_copy(
            self.store_root, file_id, file.sha256, file.stored_path, self._cat.store_key
        )

    # -- adding -----------------------------------------------------------------------------

    def attach(self, unit_id: int, path: Path) -> FileRecord:
        """Add the file at `path` to an existing record as one more original.

        The file is stored and its text extracted as an import would; its row, its text
        and an ingestion event are written in one transaction. Extraction can be slow
        (PDF, OCR): call it off the GUI thread.
        """
        if self._cat.readonly:
            raise CatalogueReadOnly(
                f"The catalogue {self._cat.path} is open read-only; nothing can be added to it."
            )
        with self._cat.db.read() as session:
            get_row(session, models.Unit, unit_id, "record")
        task = ImportTask(str(path), str(self.store_root), str(self._cat.path))
        prepared = extract_one(task, keys=task_keys(self._cat))
        if prepared.outcome == "failed":
            raise ValidationError(f"{display_name(path)} cannot be added: {prepared.reason}.")
        store.make_durable()
        imports = self._cat.imports
        with self._cat.db.write(self._cat.actor, reason="add original") as session:
            get_row(session, models.Unit, unit_id, "record")
            holder = session.scalar(
                select(models.Unit.reference_code)
                .join(models.StoredFile, models.StoredFile.unit_id == models.Unit.id)
                .where(models.StoredFile.sha256 == prepared.sha256)
            )
            if holder is not None:
                raise ValidationError(
                    f"{display_name(path)} is not added: the same bytes are already "
                    f"catalogued as {holder}."
                )
            # The import's own rows, so an added original looks exactly like an imported one.
            file_row = imports.file_row(prepared, unit_id)
            insert_audited(session, models.StoredFile, [file_row])
            events = imports.event_rows(prepared, unit_id)
            for event in events:
                event["file_id"] = file_row["id"]
            insert_audited(session, models.ProvenanceEvent, events)
            derived.mark(session, [unit_id])  # index the new text with the record
            return mappers.file_record(get_row(session, models.StoredFile, file_row["id"], "file"))
