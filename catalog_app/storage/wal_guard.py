"""Keeping the write-ahead log of a shared catalogue safe from lost POSIX locks.

SQLite decides that a closing connection is the last user of a database by taking an
exclusive lock on the file; if it gets one, it checkpoints and deletes the `-wal` and `-shm`
files. On POSIX, closing *any* descriptor on a file drops every lock its process holds on it,
so a file dialog in the window that peeks at the catalogue silently drops the window's locks,
and the next `catalog` command to close would delete the log the window is still writing into
("How To Corrupt An SQLite Database File", 2.2).

The structural answer here has two parts:

- No connection of this program ever checkpoints or deletes the log when it closes
  (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE). Whether it is "the last user" no longer matters, so
  lost locks cannot make it remove a log another process uses. Checkpoints happen while
  connections are open (SQLite's automatic ones, and `checkpoint()` below when a catalogue is
  closed), and those are coordinated through locks on the `-shm` file, which a stray
  descriptor on the database file does not touch.
- Every connection remembers which log file it opened, and is replaced before use if the log
  on disk is no longer that file (another program, such as the sqlite3 shell, deleted it).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from catalog_app.storage import driver

log = logging.getLogger(__name__)

SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE = 1006
WAL_IDENTITY_KEY = "catalog_wal_identity"


@cache
def _library() -> Any | None:
    """The SQLite library the driver is built with, or None if not reachable."""
    if sys.implementation.name != "cpython":
        return None
    try:
        # dlsym on the extension module's handle finds the SQLite inside it (or the library it
        # was linked with), so this is the very copy of SQLite the driver uses, never another.
        library = ctypes.CDLL(driver.extension_file())
        library.sqlite3_db_config.restype = ctypes.c_int
        library.sqlite3_db_filename.restype = ctypes.c_char_p
        library.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    except (OSError, AttributeError):
        return None
    return library


def _handle(connection: driver.Connection) -> int | None:
    """The `sqlite3 *` behind a CPython connection object (its first field)."""
    library = _library()
    if library is None:
        return None
    handle = ctypes.c_void_p.from_address(id(connection) + object.__basicsize__).value
    if not handle:
        return None
    row = connection.execute("PRAGMA database_list").fetchone()
    expected = os.fsencode(row[2]) if row and row[2] else b""
    if library.sqlite3_db_filename(handle, b"main") != expected:
        return None
    return int(handle)


def keep_log_on_close(connection: driver.Connection) -> bool:
    """Make closing `connection` leave the write-ahead log alone. False if not possible."""
    setconfig = getattr(connection, "setconfig", None)  # Python 3.12 and later
    if setconfig is not None:
        setconfig(SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
        return True
    handle = _handle(connection)
    library = _library()
    if handle is None or library is None:
        _warn_once()
        return False
    state = ctypes.c_int(-1)
    rc = library.sqlite3_db_config(
        ctypes.c_void_p(handle),
        ctypes.c_int(SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE),
        ctypes.c_int(1),
        ctypes.byref(state),
    )
    if rc != 0 or state.value != 1:
        _warn_once()
        return False
    return True


@cache
def _warn_once() -> None:
    log.warning(
        "this SQLite cannot be told to keep its write-ahead log on close; a catalogue "
        "shared with another program relies on the log check alone"
    )


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + "-wal")


def wal_identity(database: Path) -> tuple[int, int] | None:
    """Device and inode of the catalogue's write-ahead log, None when there is none."""
    try:
        info = wal_path(database).stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def checkpoint(connection: driver.Connection) -> None:
    """Copy the log into the database and empty it, if no reader needs it; never waits long.

    Run when a catalogue is closed, so that a catalogue nobody has open is whole in its
    `.sqlite` file (the emptied `-wal` and `-shm` stay beside it).
    """
    previous = connection.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        connection.execute("PRAGMA busy_timeout = 200")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except driver.Error as exc:
        log.info("checkpoint on close skipped: %s", exc)
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(previous)}")
