"""Consistent copies of a catalogue file, taken with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from catalog_app.storage.errors import translate_sqlite_error


def backup_catalogue(source: Path, destination: Path) -> Path:
    """Copy `source` to `destination` safely, even while others read or write it.

    The copy is written under a temporary name and renamed, so `destination` is either the
    complete backup or absent.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        partial.replace(destination)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise translate_sqlite_error(exc, destination) from exc
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return destination


def backup_name(catalogue: Path, label: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return catalogue.with_name(f"{catalogue.stem}.{label}-{stamp}{catalogue.suffix or '.sqlite'}")
