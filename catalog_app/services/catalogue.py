"""An open catalogue file: opening, creating and upgrading it, and its services."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib import import_module
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from catalog_app import logs
from catalog_app.errors import CatalogError, CatalogueNotFound, CatalogueReadOnly, PassphraseNeeded
from catalog_app.file_modes import create_private_file
from catalog_app.services.identity import USER_ENV as USER_ENV
from catalog_app.services.identity import person_name
from catalog_app.storage import driver
from catalog_app.storage.catalogue_file import PathState, ensure_creatable, examine, is_read_only
from catalog_app.storage.connections import ReadConnection
from catalog_app.storage.errors import translated
from catalog_app.storage.keys import CatalogueKeys, key_file_path, unlock, write_key_file
from catalog_app.storage.keys import create as create_keys
from catalog_app.storage.keys import read_key_file as encryption_key_file
from catalog_app.storage.migrate import bring_up_to_date, schema_state, upgrade

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from catalog_app.domain.records import CatalogueStats
    from catalog_app.ingest import store
    from catalog_app.services.agents import AgentService
    from catalog_app.services.audit import AuditService
    from catalog_app.services.backups import BackupReport, Progress
    from catalog_app.services.browse import BrowseService
    from catalog_app.services.description_language import DescriptionLanguageService
    from catalog_app.services.fixity import FixityService
    from catalog_app.services.ingest import ImportService
    from catalog_app.services.provenance import ProvenanceService
    from catalog_app.services.relations import RelationService
    from catalog_app.services.reliability import ReliabilityService
    from catalog_app.services.saved_searches import SavedSearchService
    from catalog_app.services.search import SearchService
    from catalog_app.services.terms import TermService
    from catalog_app.services.units import UnitService
    from catalog_app.storage.audit_seal import Seal
    from catalog_app.storage.session import SessionFactory

# A passphrase, or a function that asks for it (called only for an encrypted catalogue).
Passphrase = str | Callable[[], str]
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


def _unlock(
    path: Path, passphrase: Passphrase | None, *, create: bool
) -> tuple[CatalogueKeys | None, bool]:
    """The keys of the catalogue at `path` (None for a plain one), and whether a new key
    file was written for a new encrypted catalogue."""
    from catalog_app.services.encryption import finish_interrupted

    finish_interrupted(path)
    key_file = encryption_key_file(path)
    if key_file is None and not create:
        return None, False
    logs.redact(True)  # before anything is logged about it, even a wrong passphrase
    if key_file is not None and not path.exists():
        raise CatalogueNotFound(
            f"There is no catalogue at {path}, only its key file {key_file_path(path)}; "
            "restore the catalogue from a backup, or move the key file away."
        )
    if create and key_file is None and path.exists() and path.stat().st_size > 0:
        raise CatalogError(
            f"{path} already exists as a plain catalogue; encrypt it with: "
            f"catalog --db {path} encrypt"
        )
    if passphrase is None:
        raise PassphraseNeeded(
            f"{path} is encrypted: give its passphrase (set CATALOG_PASSPHRASE, or run the "
            "command in a terminal to be asked)."
        )
    text = passphrase if isinstance(passphrase, str) else passphrase()
    if key_file is not None:
        return unlock(key_file, text, path), False
    ensure_creatable(path)
    new_file, keys = create_keys(text)
    write_key_file(key_file_path(path), new_file)
    return keys, True


def _create_private(path: Path) -> None:
    """Create the new catalogue's file readable by its owner only (SQLite gives its -wal
    and -shm files the same mode)."""
    try:
        create_private_file(path)
    except OSError as exc:
        raise CatalogueReadOnly(
            f"Cannot create a catalogue at {path}: {exc.strerror or exc}."
        ) from exc


ServiceT = TypeVar("ServiceT")


class _Service(Generic[ServiceT]):
    """A service of the catalogue, imported and made when first used: a search loads none of
    the import, fixity or audit code. (The service modules need `Catalogue` only for type
    checking.)"""

    def __init__(self, module: str, name: str) -> None:
        self.module = f"catalog_app.services.{module}"
        self.name = name
        self.attribute = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, catalogue: Catalogue, owner: type | None = None) -> ServiceT:
        service = getattr(import_module(self.module), self.name)(catalogue)
        catalogue.__dict__[self.attribute] = service  # found there from now on
        return cast(ServiceT, service)


class Catalogue:
    """The entry point to one catalogue file. Open with `Catalogue.open`, close when done.

    Its SQLAlchemy engine and sessions (`db`) are made when first used; reads that need no
    ORM (a search) go through `reading()`, which until then uses a driver connection of its
    own, so that `catalog search` loads neither SQLAlchemy nor the models."""

    def __init__(
        self,
        path: Path,
        engine: Engine | None = None,
        *,
        readonly: bool,
        actor: str,
        keys: CatalogueKeys | None = None,
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.actor = actor
        self.keys = keys  # an encrypted catalogue's; dropped by close()
        self.upgrade_backup: Path | None = None
        self._made_engine = engine
        # Taken now, as an engine made now would: `keys` may be taken away once open.
        self._key = keys.database if keys is not None else None
        self._chain_key = keys.chain if keys is not None else None
        self._reader = ReadConnection(path, readonly=readonly, key=self._key)
        self._engine_lock = threading.Lock()

    @property
    def _engine(self) -> Engine:
        with self._engine_lock:  # the window's threads may all want it at once
            if self._made_engine is None:
                from catalog_app.storage.engine import make_engine

                self._made_engine = make_engine(self.path, readonly=self.readonly, key=self._key)
            return self._made_engine

    @cached_property
    def db(self) -> SessionFactory:
        """Sessions: ORM reads, and audited write transactions."""
        from catalog_app.storage.session import SessionFactory

        return SessionFactory(
            self._engine, self.path, readonly=self.readonly, chain_key=self._chain_key
        )

    @contextmanager
    def reading(self) -> Iterator[driver.Connection]:
        """A read-only snapshot as a connection of the driver (for SQL written by hand; nothing
        done in it is saved). Through the engine's sessions once they exist, else (and in the
        thread that opened the catalogue) through a connection of the catalogue's own."""
        if self._made_engine is None and self._reader.usable_here():
            with translated(self.path), self._reader.snapshot() as connection:
                yield connection
            return
        with self.db.read() as session:
            raw = session.connection().connection.driver_connection
            assert isinstance(raw, driver.Connection)
            yield raw

    units: _Service[UnitService] = _Service("units", "UnitService")
    agents: _Service[AgentService] = _Service("agents", "AgentService")
    terms: _Service[TermService] = _Service("terms", "TermService")
    provenance: _Service[ProvenanceService] = _Service("provenance", "ProvenanceService")
    reliability: _Service[ReliabilityService] = _Service("reliability", "ReliabilityService")
    relations: _Service[RelationService] = _Service("relations", "RelationService")
    audit: _Service[AuditService] = _Service("audit", "AuditService")
    imports: _Service[ImportService] = _Service("ingest", "ImportService")
    search: _Service[SearchService] = _Service("search", "SearchService")
    browse: _Service[BrowseService] = _Service("browse", "BrowseService")
    saved_searches: _Service[SavedSearchService] = _Service("saved_searches", "SavedSearchService")
    fixity: _Service[FixityService] = _Service("fixity", "FixityService")
    description_language: _Service[DescriptionLanguageService] = _Service(
        "description_language", "DescriptionLanguageService"
    )

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        actor: str | None = None,
        readonly: bool | None = None,
        passphrase: Passphrase | None = None,
        encrypt: bool = False,
    ) -> Catalogue:
        """Open the catalogue at `path`, upgrading an older one after backing it up.

        `create` makes a new catalogue when nothing is there, encrypted with `passphrase`
        when `encrypt` is set. An encrypted catalogue asks `passphrase` (the text, or a
        function that asks the person) only when it is needed. `readonly=None` opens
        read-only exactly when the file may not be written. Raises CatalogError subclasses
        for anything a person can fix: missing, not a catalogue, locked, read-only, too new,
        damaged, passphrase needed or wrong.
        """
        path = path.expanduser().absolute()
        keys, made_key_file = None, False
        with translated(path):  # a database failure as the error a person can act on
            try:
                keys, made_key_file = _unlock(path, passphrase, create=create and encrypt)
                return cls._open(
                    path, create=create, actor=person_name(actor), readonly=readonly, keys=keys
                )
            except BaseException:
                if keys is not None:
                    keys.forget()
                if made_key_file and not (path.exists() and path.stat().st_size > 0):
                    key_file_path(path).unlink(missing_ok=True)  # the new catalogue never came
                raise

    @classmethod
    def _open(
        cls,
        path: Path,
        *,
        create: bool,
        actor: str,
        readonly: bool | None,
        keys: CatalogueKeys | None,
    ) -> Catalogue:
        key = keys.database if keys is not None else None
        state = examine(path, key=key)
        if state is PathState.MISSING:
            if not create:
                raise CatalogueNotFound(
                    f"There is no catalogue at {path}. Create one with: catalog --db {path} init"
                )
            ensure_creatable(path)
        ro = is_read_only(path) if readonly is None else readonly
        backup = None
        if state is PathState.SQLITE:
            # Look before touching (a read-only connection that refuses another program's
            # database), then upgrade an older catalogue after backing it up.
            backup = bring_up_to_date(path, schema_state(path, key), readonly=ro, key=key)
        else:
            if ro:
                raise CatalogueReadOnly(f"Cannot create a catalogue at {path}: it is read-only.")
            if state is PathState.MISSING:
                _create_private(path)
            upgrade(path, key=key)
        catalogue = cls(path, readonly=ro, actor=actor, keys=keys)
        catalogue.upgrade_backup = backup
        return catalogue

    @staticmethod
    def is_encrypted(path: Path) -> bool:
        """Whether the catalogue at `path` is encrypted (opening it needs its passphrase)."""
        return encryption_key_file(path.expanduser().absolute()) is not None

    @property
    def encrypted(self) -> bool:
        return self.keys is not None

    @property
    def store_key(self) -> store.StoreKey | None:
        """The keys of the stored originals (None: a plain catalogue keeps them plain)."""
        from catalog_app.ingest import store

        return None if self.keys is None else store.StoreKey.of(self.keys)

    # -- whole-catalogue operations -------------------------------------------------------

    def setting(self, key: str) -> str | None:
        from catalog_app.storage import models

        with self.db.read() as session:
            row = session.get(models.Setting, key)
            return row.value if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.set_settings({key: value})

    def set_settings(self, values: Mapping[str, str]) -> None:
        """Keep several settings in one transaction (audited)."""
        from catalog_app.storage import models

        with self.db.write(self.actor) as session:
            for key, value in values.items():
                row = session.get(models.Setting, key)
                if row is None:
                    session.add(models.Setting(key=key, value=value))
                else:
                    row.value = value

    def schema_revision(self) -> str | None:
        from catalog_app.storage.migrate import current_revision

        with self._engine.connect() as connection:
            return current_revision(connection)

    def stats(self) -> CatalogueStats:
        from catalog_app.domain.records import CatalogueStats
        from catalog_app.storage.migrate import current_revision, table_counts

        with self.db.read() as session:
            counts = table_counts(session.connection(), COUNTED_TABLES)
            revision = current_revision(session.connection())
        return CatalogueStats(path=str(self.path), schema_revision=revision, counts=counts)

    def backup(self, destination: Path, report: Progress | None = None) -> BackupReport:
        """Back the catalogue and its originals up into the new folder `destination`, while
        it stays open (see `catalog_app.services.backups`)."""
        from catalog_app.services.backups import write_backup

        return write_backup(self, destination, report=report)

    def integrity_problems(
        self, *, seal: Seal | None = None, backups: Sequence[Path] = ()
    ) -> list[str]:
        """What SQLite's own checks, the audit chain and the records compared with their audit
        trail find wrong, and whether the chain still extends `seal` and the chains in
        `backups`; empty when all is well."""
        from catalog_app.storage.search_index import integrity_problems as search_index_problems

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
        if seal is not None:
            sealed = self.audit.seal_problem(seal)
            problems += [sealed] if sealed else []
        for backup in backups:
            problems += self.audit.backup_problems(backup)
        problems += [str(mismatch) for mismatch in self.audit.trail_mismatches()]
        return problems

    def close(self) -> None:
        """Close every connection; an encrypted catalogue's keys are forgotten."""
        try:
            self._reader.close(fold_log=self._made_engine is None)  # else the engine does
            if self._made_engine is not None:
                from catalog_app.storage.engine import close_engine

                close_engine(self._made_engine, readonly=self.readonly)
        finally:
            if self.keys is not None:
                self.keys.forget()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
