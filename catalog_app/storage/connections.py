"""Connections to a catalogue file as every one of them is set up, without SQLAlchemy.

The engine (catalog_app.storage.engine) sets up each connection it makes with `configure`;
`ReadConnection` is a catalogue's own connection for reads, set up the same way and checked
the same way before use, so that a process that only reads (a `catalog search`) need not
load SQLAlchemy and the ORM at all: they take longer to import than the search takes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from catalog_app.storage import driver
from catalog_app.storage.wal_guard import checkpoint, keep_log_on_close, wal_identity

log = logging.getLogger(__name__)

# "CATL": marks the file as a catalogue for file(1) and for our own checks (PRAGMA application_id).
APPLICATION_ID = 0x4341544C
BUSY_TIMEOUT_MS = 5000


def configure(
    connection: driver.Connection,
    path: Path,
    *,
    readonly: bool,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
) -> tuple[int, int] | None:
    """Set up a new connection to the catalogue at `path`; returns the identity of the
    write-ahead log it opened (None read-only, or when there is none), which must still be
    the log on disk whenever the connection is used (see catalog_app.storage.wal_guard)."""
    # Transactions are begun explicitly (BEGIN DEFERRED or IMMEDIATE): the driver's own
    # handling defers BEGIN and cannot take the write lock up front.
    connection.isolation_level = None
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA cache_size = -65536")
        if readonly:
            return None
        # WAL lets the GUI read while an import writes; FULL makes a committed transaction
        # survive a power cut, which NORMAL does not promise in WAL mode.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        keep_log_on_close(connection)
        return wal_identity(path)
    finally:
        cursor.close()


class ReadConnection:
    """One connection for read-only snapshots of a catalogue, made when first needed, set up
    by `configure` and replaced, as the engine's are, when the write-ahead log it opened is
    no longer the one on disk. For the thread that made it only."""

    def __init__(self, path: Path, *, readonly: bool, key: tuple[bytes, bytes] | None) -> None:
        self.path = path
        self.readonly = readonly
        self._key = key
        self._thread = threading.get_ident()
        self._connection: driver.Connection | None = None
        self._log: tuple[int, int] | None = None

    def usable_here(self) -> bool:
        return threading.get_ident() == self._thread

    @contextmanager
    def snapshot(self) -> Iterator[driver.Connection]:
        """The connection, inside a read transaction that is rolled back afterwards."""
        connection = self._current()
        connection.execute("BEGIN DEFERRED")
        try:
            yield connection
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")

    def _current(self) -> driver.Connection:
        if (
            self._connection is not None
            and not self.readonly
            and wal_identity(self.path) != self._log
        ):
            # Another program deleted the log: this connection would go on writing into a
            # file nobody else can see (not that a reader writes, but it checkpoints).
            self._connection.close()
            self._connection = None
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def _connect(self) -> driver.Connection:
        connection = driver.connect(self.path, readonly=self.readonly, key=self._key)
        try:
            self._log = configure(connection, self.path, readonly=self.readonly)
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self, *, fold_log: bool = True) -> None:
        """Close the connection. With `fold_log` (and unless read-only), first fold the
        write-ahead log into the file if possible, as closing the engine does, so that a
        catalogue nobody has open is whole in its file: with a connection made for it if
        there is none (what was written through other connections is in the log)."""
        connection, self._connection = self._connection, None
        try:
            if fold_log and not self.readonly:
                connection = connection or self._connect()
                checkpoint(connection)
        except Exception:  # closing must not fail because the tidy-up could not happen
            log.warning("checkpoint on close failed", exc_info=True)
        finally:
            if connection is not None:
                connection.close()
