"""Turning SQLite's failures into messages a person can act on."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from catalog_app.errors import (
    CatalogError,
    CatalogueCorrupt,
    CatalogueLocked,
    CatalogueReadOnly,
    DiskFull,
    NotACatalogue,
    ValidationError,
)
from catalog_app.storage import driver


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own error: `exc`, or the one SQLAlchemy wrapped in it. (SQLAlchemy is
    asked only when it is loaded: a process that never imported it has none of its errors,
    and a search does not load it.)"""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_errors is not None and isinstance(exc, sqlalchemy_errors.DBAPIError):
        original = exc.orig
        return original if isinstance(original, BaseException) else exc
    return exc


def is_database_error(exc: BaseException) -> bool:
    """Whether `exc` is a failure of the database (the driver's, or SQLAlchemy's wrapping)."""
    return isinstance(_driver_error(exc), driver.Error)


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Raise a database failure inside as the user-facing error for it (bugs unchanged)."""
    try:
        yield
    except Exception as exc:
        if not is_database_error(exc):
            raise
        user_facing = translate_sqlite_error(exc, path)
        if user_facing is exc:
            raise
        raise user_facing from exc


def translate_sqlite_error(exc: BaseException, path: Path) -> CatalogError | BaseException:
    """The user-facing error for a database failure, or `exc` itself when it is a bug."""
    original = _driver_error(exc)
    if not isinstance(original, driver.Error):
        return exc
    if isinstance(original, driver.IntegrityError):
        return ValidationError(f"The change was refused by a rule of the catalogue: {original}.")
    name = getattr(original, "sqlite_errorname", "")
    text = str(original).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return CatalogueLocked(
            f"The catalogue {path} is busy: another program or window is writing to it. "
            "Wait a moment and try again, or close the other program."
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return CatalogueReadOnly(
            f"The catalogue {path} cannot be written (read-only file, folder or disk). "
            "Copy it somewhere writable, or change its permissions."
        )
    if name == "SQLITE_FULL" or "disk is full" in text:
        return DiskFull(
            f"The disk holding {path} is full; nothing was saved. Free some space and try again."
        )
    if name == "SQLITE_NOTADB" or "not a database" in text:
        return NotACatalogue(f"{path} is not a catalogue (not an SQLite database).")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return CatalogueCorrupt(
            f"The catalogue {path} is damaged. Restore it from a backup copy "
            "(files named *.before-* or your own backups)."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return CatalogueReadOnly(
            f"The catalogue {path} cannot be opened: check that its folder exists and is writable."
        )
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return CatalogueCorrupt(
            f"The disk failed while reading or writing {path}. Check the disk and try again."
        )
    return exc
