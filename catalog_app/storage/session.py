"""Sessions on a catalogue: reads, and audited write transactions that hold the write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog_app.errors import CatalogueReadOnly
from catalog_app.storage import audit, derived
from catalog_app.storage.engine import writer
from catalog_app.storage.errors import translated


class CatalogueSession(Session):
    """A session whose flushes are written to the audit log."""


audit.install(CatalogueSession)
derived.install(CatalogueSession)


class SessionFactory:
    def __init__(
        self, engine: Engine, path: Path, *, readonly: bool, chain_key: bytes | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.chain_key = chain_key  # keys the audit chain of an encrypted catalogue
        self._reader = sessionmaker(engine, class_=CatalogueSession, expire_on_commit=False)
        self._writer = sessionmaker(writer(engine), class_=CatalogueSession, expire_on_commit=False)

    def _translated(self) -> AbstractContextManager[None]:
        return translated(self.path)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot; nothing done in it is saved."""
        with self._translated(), self._reader() as session:
            session.info[audit.CHAIN_KEY] = self.chain_key
            yield session  # closing the session rolls back whatever it began

    @contextmanager
    def write(self, actor: str, reason: str | None = None) -> Iterator[Session]:
        """One transaction: everything done in it is saved together, or not at all."""
        if self.readonly:
            raise CatalogueReadOnly(
                f"The catalogue {self.path} is open read-only; nothing can be changed in it."
            )
        with self._translated(), self._writer() as session:
            session.info[audit.ACTOR_KEY] = actor
            session.info[audit.REASON_KEY] = reason
            session.info[audit.CHAIN_KEY] = self.chain_key
            with session.begin():
                yield session
