"""Schema migrations with Alembic: create, upgrade (after a backup) or refuse a catalogue.

SQLite DDL runs inside the migration's transaction here (the engine issues BEGIN itself), so
a failed upgrade leaves the file as it was; the backup is a second line of defence.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from catalog_app import staging
from catalog_app.errors import CatalogueReadOnly, CatalogueTooNew, NotACatalogue
from catalog_app.logs import private
from catalog_app.paths import bundled
from catalog_app.storage import driver
from catalog_app.storage.backup import backup_name, snapshot
from catalog_app.storage.connections import APPLICATION_ID
from catalog_app.storage.keys import key_file_path

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection, Engine

# Opening a current catalogue reads its revision through the driver alone: SQLAlchemy and
# Alembic are loaded only to change the schema (or to name revisions this program knows).

log = logging.getLogger(__name__)

# The newest revision in migrations/versions (a test checks they agree). Knowing it here lets
# a current catalogue open without loading Alembic and parsing every migration script.
SCHEMA_HEAD = "0008"

# Tables that exist outside the ORM metadata (full-text indexes and SQLite's own).
_UNMANAGED_PREFIXES = ("sqlite_", "alembic_version", "search_")
_UNMANAGED_SUFFIXES = (
    "_fts",
    "_fts_data",
    "_fts_idx",
    "_fts_docsize",
    "_fts_config",
    "_fts_content",
    "_vocab",
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "table" and name is not None:
        return not (name.startswith(_UNMANAGED_PREFIXES) or name.endswith(_UNMANAGED_SUFFIXES))
    return True


def migration_engine(path: Path, key: tuple[bytes, bytes] | None = None) -> Engine:
    from catalog_app.storage.engine import make_engine, writer

    return writer(make_engine(path, foreign_keys=False, key=key))


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(bundled("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return SCHEMA_HEAD


def _table_names(connection: driver.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(row[0]) for row in rows}


def revision_of(connection: driver.Connection) -> str | None:
    """The schema revision of the database on a driver connection (None: not migrated)."""
    if "alembic_version" not in _table_names(connection):
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def current_revision(connection: Connection) -> str | None:
    return revision_of(cast(driver.Connection, connection.connection.driver_connection))


def upgrade(path: Path, revision: str = "head", *, key: tuple[bytes, bytes] | None = None) -> None:
    """Run migrations up to `revision` and check foreign keys before committing."""
    from alembic import command

    engine = migration_engine(path, key)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"migration left broken references: {problems[:5]}")
            _ensure_identity(connection)
            connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    finally:
        engine.dispose()


DEFAULT_REFERENCE_PREFIX = "CAT"


def _ensure_identity(connection: Connection) -> None:
    """Give a new catalogue its own UUID (for merging catalogues later) and defaults."""
    from sqlalchemy import text

    defaults = {
        "catalogue_uuid": str(uuid.uuid4()),
        "reference_code_prefix": DEFAULT_REFERENCE_PREFIX,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for key, value in defaults.items():
        connection.execute(
            text("INSERT OR IGNORE INTO settings (key, value) VALUES (:key, :value)"),
            {"key": key, "value": value},
        )


@dataclass(frozen=True)
class SchemaState:
    revision: str | None
    head: str
    known: bool  # the revision is one this program knows

    @property
    def current(self) -> bool:
        return self.revision == self.head


def _known_revisions() -> Iterable[str]:
    return (script.revision for script in script_directory().walk_revisions())


def schema_state(path: Path, key: tuple[bytes, bytes] | None = None) -> SchemaState:
    """Read a catalogue's revision, refusing SQLite files that belong to other programs.

    Read on a read-only connection of its own, which touches nothing: a connection of the
    catalogue's engine would switch the file to WAL mode, which must never happen to a
    database that belongs to another program."""
    with closing(driver.connect(path, readonly=True, key=key)) as connection:
        app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = _table_names(connection)
        revision = revision_of(connection)
    if app_id != APPLICATION_ID and not (revision and "units" in tables):
        if tables:
            raise NotACatalogue(
                f"{path} is an SQLite database of another program, not a catalogue."
            )
        return SchemaState(None, head_revision(), known=True)
    known = revision in (None, SCHEMA_HEAD) or revision in _known_revisions()
    return SchemaState(revision, SCHEMA_HEAD, known=known)


def bring_up_to_date(
    path: Path,
    state: SchemaState,
    *,
    readonly: bool,
    key: tuple[bytes, bytes] | None = None,
) -> Path | None:
    """Upgrade an older catalogue (in `state`, from `schema_state`) after backing it up;
    returns the backup's path if one was made. No connection to it may be open.

    Refuses, without touching the file, a catalogue written by a newer program.
    """
    if state.current:
        return None
    if not state.known:
        raise CatalogueTooNew(
            f"{path} was written by a newer version of this program (schema {state.revision}); "
            "install the newer version to open it. The file was not changed."
        )
    if readonly:
        raise CatalogueReadOnly(
            f"{path} needs upgrading to this program's format, but it is read-only."
        )
    backup = None
    if state.revision is not None:
        backup = _copy_before_upgrade(path, backup_name(path, f"before-{state.head}"), key)
        log.info(
            "backed up %s to %s before upgrading from %s",
            private(path),
            private(backup),
            state.revision,
        )
    upgrade(path, key=key)
    return backup


def _copy_before_upgrade(
    path: Path, destination: Path, key: tuple[bytes, bytes] | None = None
) -> Path:
    """The copy kept before an upgrade, written in a staging folder named for this process
    (with SQLite's journal, if a kill leaves one) and moved into place when complete; the
    staging folders of upgrades killed earlier are removed first."""
    staging.sweep(path.parent)
    folder = staging.staging_path(destination)
    try:
        folder.mkdir()
        snapshot(path, folder / destination.name, key)
        if key is not None:  # the copy opens with the same key file
            shutil.copyfile(key_file_path(path), folder / key_file_path(destination).name)
            staging.publish(
                folder / key_file_path(destination).name, key_file_path(destination), private=True
            )
        staging.publish(folder / destination.name, destination, private=True)
    finally:
        staging.remove(folder)
    return destination


def table_counts(connection: Connection, tables: Iterable[str]) -> dict[str, int]:
    from sqlalchemy import text

    return {
        name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        for name in tables
    }
