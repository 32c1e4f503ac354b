"""Engines for catalogue files, with the pragmas a field catalogue needs on every connection."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from catalog_app.storage import driver
from catalog_app.storage.connections import APPLICATION_ID as APPLICATION_ID
from catalog_app.storage.connections import BUSY_TIMEOUT_MS, configure
from catalog_app.storage.wal_guard import WAL_IDENTITY_KEY, checkpoint, wal_identity

WRITE = "IMMEDIATE"


def _configure(path: Path, readonly: bool, busy_timeout_ms: int, foreign_keys: bool) -> Any:
    def on_connect(dbapi_connection: driver.Connection, record: ConnectionPoolEntry) -> None:
        # SQLAlchemy's "begin" event issues BEGIN itself (see configure).
        identity = configure(
            dbapi_connection,
            path,
            readonly=readonly,
            busy_timeout_ms=busy_timeout_ms,
            foreign_keys=foreign_keys,
        )
        if not readonly:
            record.info[WAL_IDENTITY_KEY] = identity

    return on_connect


def _unlock(key: tuple[bytes, bytes]) -> Any:
    def on_connect(dbapi_connection: driver.Connection, record: ConnectionPoolEntry) -> None:
        driver.apply_key(dbapi_connection, *key)

    return on_connect


def _check_log(path: Path) -> Any:
    def on_checkout(
        dbapi_connection: driver.Connection,
        record: ConnectionPoolEntry,
        proxy: PoolProxiedConnection,
    ) -> None:
        # A connection whose write-ahead log was deleted by another program would go on
        # writing into a file nobody else can see: replace it with a fresh one first.
        opened = record.info.get(WAL_IDENTITY_KEY)
        if opened is not None and wal_identity(path) != opened:
            raise DisconnectionError("the catalogue's write-ahead log was replaced")

    return on_checkout


def _on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def sqlite_url(path: Path, *, readonly: bool = False) -> str:
    if readonly:
        return f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true"
    return f"sqlite:///{path}"


def make_engine(
    path: Path,
    *,
    readonly: bool = False,
    busy_timeout_ms: int | None = None,
    foreign_keys: bool = True,
    key: tuple[bytes, bytes] | None = None,
) -> Engine:
    """An engine on the catalogue at `path`. Writers should use `writer(engine)`.

    `key` (SQLCipher's raw key and salt, from `CatalogueKeys.database`) opens an encrypted
    catalogue; every connection is given it before anything else.

    `foreign_keys=False` is for migrations only: SQLite's batch table rebuilds would otherwise
    fire ON DELETE actions when the old copy of a table is dropped.
    """
    path = path.absolute()
    engine = create_engine(sqlite_url(path, readonly=readonly), module=driver.module())
    if key is not None:
        # First of all listeners: SQLAlchemy's own first-connect queries need the key too.
        event.listen(engine, "connect", _unlock(key), insert=True)
    timeout = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
    event.listen(engine, "connect", _configure(path, readonly, timeout, foreign_keys))
    if not readonly:
        event.listen(engine, "checkout", _check_log(path))
    event.listen(engine, "begin", _on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock at BEGIN.

    Taking it up front means a write transaction never fails half-way because another
    writer got in first; it waits (busy timeout) or fails before doing anything.
    """
    return engine.execution_options(sqlite_begin=WRITE)


def close_engine(engine: Engine, *, readonly: bool) -> None:
    """Close every connection, first folding the write-ahead log into the file if possible."""
    if not readonly:
        try:
            with engine.connect() as connection:
                raw = connection.connection.driver_connection
                if isinstance(raw, driver.Connection):
                    checkpoint(raw)
        except Exception:  # closing must not fail because the tidy-up could not happen
            logging.getLogger(__name__).warning("checkpoint on close failed", exc_info=True)
    engine.dispose()
