"""Consistent copies of a catalogue file (SQLite's online backup API) and the file-level steps
of a backup: copying while hashing, hard-linking unchanged originals, flushing to disk, and
reading back from the disk rather than the page cache.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from catalog_app.file_modes import PRIVATE_READ_ONLY, create_private_file
from catalog_app.storage import driver
from catalog_app.storage.errors import translate_sqlite_error
from catalog_app.storage.wal_guard import keep_log_on_close

CHUNK = 1 << 20
READ_ONLY = PRIVATE_READ_ONLY  # copies of originals, like the store's own
_flush_to_disk = getattr(os, "fdatasync", os.fsync)


def snapshot(source: Path, destination: Path, key: tuple[bytes, bytes] | None = None) -> None:
    """Write a consistent copy of the database `source` to the new file `destination`.

    Taken in one step of the backup API, so it is the database as of one moment even while
    another connection writes; the copy uses a rollback journal (a single file) and is flushed
    to disk. The copy is readable by its owner only (SQLite would give it the umask's mode).
    """
    create_private_file(destination)
    try:
        with (
            closing(driver.connect(source, readonly=True, key=key)) as src,
            closing(driver.connect(destination, key=key)) as dst,
        ):
            keep_log_on_close(src)
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        flush(destination)
    except driver.Error as exc:
        raise translate_sqlite_error(exc, destination) from exc


def flush(path: Path) -> None:
    """Make the contents of the file at `path` durable."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        _flush_to_disk(descriptor)
    finally:
        os.close(descriptor)


def copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy `source` to the new file `target` bit for bit; the SHA-256 and size of the bytes.

    The copy is made read-only; it is not flushed (callers flush many files at once).
    """
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    target.chmod(READ_ONLY)
    return digest.hexdigest(), size


def link_or_copy(previous: Path | None, source: Path, target: Path) -> tuple[str | None, int]:
    """Hard-link `previous` (the same original in an earlier backup) at `target` if it exists
    and the file system allows it, else copy `source`.

    Returns the SHA-256 of what was copied, or None for a link (its bytes are checked when
    the backup is verified), and the size.
    """
    if previous is not None:
        try:
            size = previous.stat().st_size
            os.link(previous, target)
        except OSError:  # gone, another file system, no links here, too many links
            pass
        else:
            return None, size
    return copy_hashing(source, target)


def backup_name(catalogue: Path, label: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return catalogue.with_name(f"{catalogue.stem}.{label}-{stamp}{catalogue.suffix or '.sqlite'}")
