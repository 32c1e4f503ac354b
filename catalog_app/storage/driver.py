"""The one SQLite this program uses for catalogues: SQLCipher's, through `sqlcipher3`.

Every connection to a catalogue file, plain or encrypted, goes through this module. Besides
encryption, one SQLite build means the same behaviour on every machine; and it must be one:
two SQLite libraries in one process keep separate books of the POSIX locks they hold on a
file, so a connection of one closing the file would silently drop the locks of the other.

`sqlcipher3` is a fork of the standard `sqlite3` module with the same interface, so the
standard module's types describe it for the type checker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from sqlite3 import (
        Connection,
        DatabaseError,
        Error,
        IntegrityError,
        OperationalError,
    )
else:
    from sqlcipher3.dbapi2 import (
        Connection,
        DatabaseError,
        Error,
        IntegrityError,
        OperationalError,
    )

__all__ = [
    "Connection",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "OperationalError",
    "apply_key",
    "connect",
    "extension_file",
    "module",
]


def module() -> Any:
    """The DB-API module, for SQLAlchemy's `module=` argument."""
    import sqlcipher3.dbapi2

    return sqlcipher3.dbapi2


def extension_file() -> str:
    """The compiled extension that carries SQLite itself (for ctypes calls into it)."""
    import sqlcipher3._sqlite3

    return str(sqlcipher3._sqlite3.__file__)


def key_statement(raw_key: bytes, salt: bytes) -> str:
    """SQLCipher's raw-key form: the key is used as it is (no key derivation per connection),
    and the salt is the one written at the start of the file."""
    return f"PRAGMA key = \"x'{raw_key.hex()}{salt.hex()}'\""


def apply_key(connection: Connection, raw_key: bytes, salt: bytes) -> None:
    """Unlock an encrypted database; must be the first statement on `connection`."""
    connection.execute(key_statement(raw_key, salt))


def connect(
    path: Path,
    *,
    readonly: bool = False,
    key: tuple[bytes, bytes] | None = None,
    check_same_thread: bool = True,
) -> Connection:
    """A DB-API connection to the database file at `path` (`key`: raw key and salt)."""
    connection: Connection
    if readonly:
        uri = f"file:{quote(str(path.absolute()))}?mode=ro"
        connection = module().connect(uri, uri=True, check_same_thread=check_same_thread)
    else:
        connection = module().connect(str(path), check_same_thread=check_same_thread)
    if key is not None:
        try:
            apply_key(connection, *key)
        except BaseException:
            connection.close()
            raise
    return connection
