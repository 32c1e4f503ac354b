"""The keyed audit chain (HMAC-SHA256 under a key derived from the passphrase) and re-keying it
when a catalogue is encrypted or decrypted."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from catalog_app.services import Catalogue
from catalog_app.storage.audit import AuditChainBroken, broken_rows, rechain, verify_chain
from catalog_app.storage.audit_replay import trail_mismatches
from catalog_app.storage.engine import close_engine, make_engine
from catalog_app.storage.models import Unit
from catalog_app.storage.session import SessionFactory
from tests.unit.test_audit_tamper import recompute_chain_with_sha256, shell

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@contextmanager
def sessions(path: Path, chain_key: bytes | None) -> Iterator[SessionFactory]:
    engine = make_engine(path)
    try:
        yield SessionFactory(engine, path, readonly=False, chain_key=chain_key)
    finally:
        close_engine(engine, readonly=False)


def add_units(factory: SessionFactory, *titles: str) -> None:
    for title in titles:
        with factory.write("tester") as session:
            session.add(
                Unit(reference_code=title, title=title, created_by="tester", updated_by="tester")
            )


def broken(path: Path, chain_key: bytes | None) -> list[int]:
    with sessions(path, chain_key) as factory, factory.read() as session:
        return broken_rows(session.connection(), chain_key)


@pytest.fixture
def keyed(catalogue_path: Path, empty_catalogue_file: Path) -> Path:
    shutil.copyfile(empty_catalogue_file, catalogue_path)
    with sessions(catalogue_path, KEY) as factory:
        add_units(factory, "A-1", "A-2", "A-3")
    return catalogue_path


def test_a_keyed_chain_verifies_only_under_its_key(keyed: Path) -> None:
    with sessions(keyed, KEY) as factory, factory.read() as session:
        assert verify_chain(session) == []  # the session carries the factory's key
        assert trail_mismatches(session.connection()) == []
    assert broken(keyed, None) == [1, 2, 3]  # not a plain SHA-256 chain
    assert broken(keyed, OTHER_KEY) == [1, 2, 3]


def test_a_chain_recomputed_without_the_key_is_found_without_a_seal(keyed: Path) -> None:
    with shell(keyed) as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET new_value = replace(new_value, 'A-2', 'B-2')")
        db.execute("UPDATE units SET title = 'B-2', reference_code = 'B-2' WHERE title = 'A-2'")
        recompute_chain_with_sha256(db)
    assert broken(keyed, None) == []  # a perfect forgery of a plain chain...
    assert broken(keyed, KEY) == [1, 2, 3]  # ...is none of the keyed one


def test_rechain_keys_and_unkeys_the_chain_and_new_rows_follow(keyed: Path) -> None:
    with sessions(keyed, KEY) as factory, factory.write("tester") as session:
        rechain(session.connection(), None, current_key=KEY)
    assert broken(keyed, None) == []
    with sessions(keyed, None) as factory:
        add_units(factory, "A-4")
        with factory.write("tester") as session:
            rechain(session.connection(), OTHER_KEY)
    assert broken(keyed, OTHER_KEY) == []
    assert broken(keyed, None) == [1, 2, 3, 4]
    # The append-only guard is back.
    with shell(keyed) as db, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET actor = 'x'")


def test_rechain_refuses_a_chain_that_is_already_broken(keyed: Path) -> None:
    with shell(keyed) as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = 2")
    with sessions(keyed, KEY) as factory:
        with factory.write("tester") as session, pytest.raises(AuditChainBroken, match="id 2"):
            rechain(session.connection(), None, current_key=KEY)
        with factory.read() as session:
            assert verify_chain(session) == [2]  # nothing was rewritten


def test_an_encrypted_catalogue_keys_its_chain(catalogue_path: Path) -> None:
    with Catalogue.open(
        catalogue_path, create=True, encrypt=True, passphrase="a long test passphrase"
    ) as cat:
        cat.units.create({"title": "Interview"})
        cat.backup(catalogue_path.with_name("backup"))
        cat.units.create({"title": "Second interview"})
        seal = cat.audit.seal()
        assert cat.integrity_problems(seal=seal, backups=[catalogue_path.with_name("backup")]) == []
        assert seal.rows == cat.stats().counts["audit_log"]
        assert cat.keys is not None
        key = cat.keys.database
    engine = make_engine(catalogue_path, key=key, readonly=True)
    try:
        with engine.connect() as connection:
            assert broken_rows(connection, None) != []
    finally:
        engine.dispose()
