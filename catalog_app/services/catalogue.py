"""An open catalogue file: opening, creating and upgrading it, and its services."""

from __future__ import annotations

import getpass
import os
import sqlite3
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from catalog_app.domain.records import CatalogueStats
from catalog_app.errors import CatalogueNotFound, CatalogueReadOnly
from catalog_app.services.backups import BackupReport, Progress, write_backup
from catalog_app.storage import models
from catalog_app.storage.catalogue_file import PathState, ensure_creatable, examine, is_read_only
from catalog_app.storage.engine import close_engine, make_engine
from catalog_app.storage.errors import translate_sqlite_error
from catalog_app.storage.migrate import (
    bring_up_to_date,
    current_revision,
    schema_state,
    table_counts,
    upgrade,
)
from catalog_app.storage.search_index import integrity_problems as search_index_problems
from catalog_app.storage.session import SessionFactory

USER_ENV = "CATALOG_USER"
# Tables reported by `stats`, in the order a person reads them.
COUNTED_TABLES = (
    "units",
    "files",
    "agents",
    "agent_names",
    "places",
    "subjects",
    "provenance_events",
    "reliability_assessments",
    "relations",
    "audit_log",
)


def default_actor() -> str:
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class Catalogue:
    """The entry point to one catalogue file. Open with `Catalogue.open`, close when done."""

    def __init__(self, path: Path, engine: Engine, *, readonly: bool, actor: str) -> None:
        self.path = path
        self.readonly = readonly
        self.actor = actor
        self.upgrade_backup: Path | None = None
        self._engine = engine
        self.db = SessionFactory(engine, path, readonly=readonly)
        # Imported here: the service modules need `Catalogue` only for type checking.
        from catalog_app.services.agents import AgentService
        from catalog_app.services.audit import AuditService
        from catalog_app.services.browse import BrowseService
        from catalog_app.services.fixity import FixityService
        from catalog_app.services.ingest import ImportService
        from catalog_app.services.provenance import ProvenanceService
        from catalog_app.services.relations import RelationService
        from catalog_app.services.reliability import ReliabilityService
        from catalog_app.services.search import SearchService
        from catalog_app.services.terms import TermService
        from catalog_app.services.units import UnitService

        self.units = UnitService(self)
        self.agents = AgentService(self)
        self.terms = TermService(self)
        self.provenance = ProvenanceService(self)
        self.reliability = ReliabilityService(self)
        self.relations = RelationService(self)
        self.audit = AuditService(self)
        self.imports = ImportService(self)
        self.search = SearchService(self)
        self.browse = BrowseService(self)
        self.fixity = FixityService(self)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        actor: str | None = None,
        readonly: bool | None = None,
    ) -> Catalogue:
        """Open the catalogue at `path`, upgrading an older one after backing it up.

        `create` makes a new catalogue when nothing is there. `readonly=None` opens read-only
        exactly when the file may not be written. Raises CatalogError subclasses for anything
        a person can fix: missing, not a catalogue, locked, read-only, too new, damaged.
        """
        path = path.expanduser().absolute()
        try:
            return cls._open(path, create=create, actor=actor or default_actor(), readonly=readonly)
        except (DBAPIError, sqlite3.Error) as exc:
            translated = translate_sqlite_error(exc, path)
            if translated is exc:
                raise
            raise translated from exc

    @classmethod
    def _open(cls, path: Path, *, create: bool, actor: str, readonly: bool | None) -> Catalogue:
        state = examine(path)
        if state is PathState.MISSING:
            if not create:
                raise CatalogueNotFound(
                    f"There is no catalogue at {path}. Create one with: catalog --db {path} init"
                )
            ensure_creatable(path)
        ro = is_read_only(path) if readonly is None else readonly
        if state is PathState.SQLITE:
            # Look before touching: the normal engine switches the file to WAL mode, which
            # must never happen to a database that belongs to another program.
            probe = make_engine(path, readonly=True)
            try:
                schema_state(probe, path)
            finally:
                probe.dispose()
        else:
            if ro:
                raise CatalogueReadOnly(f"Cannot create a catalogue at {path}: it is read-only.")
            upgrade(path)
        engine = make_engine(path, readonly=ro)
        try:
            backup = bring_up_to_date(engine, path, readonly=ro)
            catalogue = cls(path, engine, readonly=ro, actor=actor)
            catalogue.upgrade_backup = backup
        except BaseException:
            engine.dispose()
            raise
        return catalogue

    # -- whole-catalogue operations -------------------------------------------------------

    def setting(self, key: str) -> str | None:
        with self.db.read() as session:
            row = session.get(models.Setting, key)
            return row.value if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.db.write(self.actor) as session:
            row = session.get(models.Setting, key)
            if row is None:
                session.add(models.Setting(key=key, value=value))
            else:
                row.value = value

    def schema_revision(self) -> str | None:
        with self._engine.connect() as connection:
            return current_revision(connection)

    def stats(self) -> CatalogueStats:
        with self.db.read() as session:
            counts = table_counts(session.connection(), COUNTED_TABLES)
            revision = current_revision(session.connection())
        return CatalogueStats(path=str(self.path), schema_revision=revision, counts=counts)

    def backup(self, destination: Path, report: Progress | None = None) -> BackupReport:
        """Back the catalogue and its originals up into the new folder `destination`, while
        it stays open (see `catalog_app.services.backups`)."""
        return write_backup(self, destination, report=report)

    def integrity_problems(self) -> list[str]:
        """What SQLite's own checks and the audit chain find wrong; empty when all is well."""
        with self.db.read() as session:
            connection = session.connection()
            problems = [
                str(row[0])
                for row in connection.exec_driver_sql("PRAGMA integrity_check").fetchall()
                if row[0] != "ok"
            ]
            problems += [
                f"broken reference in {row[0]} row {row[1]} to {row[2]}"
                for row in connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            ]
            problems += search_index_problems(connection)
        counted = self.audit.count_problem()
        if counted:
            problems.append(counted)
        broken = self.audit.verify()
        if broken:
            problems.append(
                f"the audit log was altered: {len(broken)} row(s) do not match the hash chain "
                f"(first at id {broken[0]})"
            )
        return problems

    def close(self) -> None:
        close_engine(self._engine, readonly=self.readonly)

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
