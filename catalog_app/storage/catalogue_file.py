"""What is at a catalogue path, checked before SQLite is let near it."""

from __future__ import annotations

import enum
import os
import stat
from contextlib import closing
from pathlib import Path

from catalog_app.errors import CatalogueNotFound, CatalogueReadOnly, NotACatalogue
from catalog_app.storage import driver


class PathState(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"  # a zero-byte file: SQLite treats it as a new database
    SQLITE = "sqlite"


def examine(path: Path, *, key: tuple[bytes, bytes] | None = None) -> PathState:
    """Classify `path`, raising a user-facing error for anything that cannot be a catalogue."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return PathState.MISSING
    except PermissionError as exc:
        raise CatalogueReadOnly(f"{path} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise CatalogueNotFound(f"{path} cannot be used: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise NotACatalogue(f"{path} is a folder, not a catalogue file.")
    if not stat.S_ISREG(info.st_mode):
        raise NotACatalogue(f"{path} is not a regular file, so it cannot be a catalogue.")
    if info.st_size == 0:
        return PathState.EMPTY
    if not os.access(path, os.R_OK):
        raise CatalogueReadOnly(f"{path} cannot be read: permission denied.")
    if not _sqlite_reads_it(path, key):
        if key is not None:
            raise NotACatalogue(
                f"{path} cannot be read with its key file: it is damaged, or the key file "
                "beside it belongs to another catalogue. Restore both from a backup."
            )
        raise NotACatalogue(f"{path} is not a catalogue (it is not an SQLite database file).")
    return PathState.SQLITE


def _sqlite_reads_it(path: Path, key: tuple[bytes, bytes] | None) -> bool:
    """Whether SQLite takes the file for a database.

    Asked of SQLite rather than read with open(): this process may have the catalogue open
    already, and closing a plain descriptor on it would drop every lock SQLite holds on it.
    SQLite's own opens of a file it has open share those locks.
    """
    try:
        with closing(driver.connect(path, readonly=True, key=key)) as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except driver.DatabaseError as exc:
        return getattr(exc, "sqlite_errorname", "") != "SQLITE_NOTADB"
    return True


def is_read_only(path: Path) -> bool:
    """True when the file (or, for a new file, its folder) may not be written.

    Besides what the operating system refuses, a file whose write permission bits are all
    cleared counts as read-only: someone made it so on purpose, and it is respected even by
    an administrator account that could write it anyway.
    """
    target = path if path.exists() else path.parent
    try:
        mode = target.stat().st_mode
    except OSError:
        return True
    if path.exists() and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True
    return not os.access(target, os.W_OK)


def ensure_creatable(path: Path) -> None:
    """Make the folder for a new catalogue, or say clearly why it cannot be made there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogueReadOnly(
            f"Cannot create a catalogue at {path}: {exc.strerror or exc}."
        ) from exc
    if not os.access(path.parent, os.W_OK):
        raise CatalogueReadOnly(f"Cannot create a catalogue at {path}: the folder is read-only.")
