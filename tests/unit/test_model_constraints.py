"""The database itself refuses bad rows, whatever program writes to it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing

import pytest

from catalog_app.services import Catalogue


@pytest.fixture
def db(catalogue: Catalogue) -> Iterator[sqlite3.Connection]:
    unit = catalogue.units.create({"title": "A"})
    agent = catalogue.agents.create("Someone")
    catalogue.units.link_agent(unit.id, agent.id, "creator")
    with closing(sqlite3.connect(catalogue.path)) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        yield connection


UNIT_COLUMNS = (
    "uuid, level, position, reference_code, title, title_source, access_status, languages, "
    "scripts, version, created_at, created_by, updated_at, updated_by"
)


def _unit_values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "uuid": "00000000-0000-4000-8000-000000000001",
        "level": "item",
        "position": 1,
        "reference_code": "X-1",
        "title": "T",
        "title_source": "typed",
        "access_status": "open",
        "languages": "[]",
        "scripts": "[]",
        "version": 1,
        "created_at": "2024-01-01 00:00:00",
        "created_by": "x",
        "updated_at": "2024-01-01 00:00:00",
        "updated_by": "x",
    }
    values.update(overrides)
    return values


def _insert_unit(db: sqlite3.Connection, **overrides: object) -> None:
    names = [c.strip() for c in UNIT_COLUMNS.split(",")]
    placeholders = ", ".join(f":{n}" for n in names)
    db.execute(
        f"INSERT INTO units ({UNIT_COLUMNS}) VALUES ({placeholders})", _unit_values(**overrides)
    )


def test_a_valid_row_is_accepted(db: sqlite3.Connection) -> None:
    _insert_unit(db)


@pytest.mark.parametrize(
    "overrides",
    [
        {"level": "box"},
        {"access_status": "secret"},
        {"title": "   "},
        {"reference_code": ""},
        {"reference_code": "cat-0001"},  # unique, ignoring case
        {"uuid": None},
        {"title_source": "guessed"},
        {"parent_id": 999},
    ],
)
def test_units_refuse_invalid_rows(db: sqlite3.Connection, overrides: dict[str, object]) -> None:
    if "parent_id" in overrides:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                f"INSERT INTO units ({UNIT_COLUMNS}, parent_id) VALUES "
                "(:uuid, :level, :position, :reference_code, :title, :title_source, "
                ":access_status, :languages, :scripts, :version, :created_at, :created_by, "
                ":updated_at, :updated_by, :parent_id)",
                _unit_values(**overrides),
            )
        return
    with pytest.raises(sqlite3.IntegrityError):
        _insert_unit(db, **overrides)


def test_uuids_are_unique(db: sqlite3.Connection) -> None:
    existing = db.execute("SELECT uuid FROM units").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError):
        _insert_unit(db, uuid=existing)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (
            "INSERT INTO reliability_assessments (uuid, unit_id, source_reliability, "
            "information_credibility, assessor, assessed_at, recorded_by) VALUES "
            "('u1', 1, 'G', 1, 'x', '2024-01-01', 'x')",
            {},
        ),
        (
            "INSERT INTO reliability_assessments (uuid, unit_id, source_reliability, "
            "information_credibility, assessor, assessed_at, recorded_by) VALUES "
            "('u1', 1, 'A', 7, 'x', '2024-01-01', 'x')",
            {},
        ),
        (
            "INSERT INTO files (uuid, unit_id, sha256, size, media_type, original_name, "
            "is_evidentiary, added_at, added_by) VALUES ('f1', 1, 'abc', 1, 'text/plain', 'a', 1, "
            "'2024-01-01', 'x')",
            {},
        ),
        (
            "INSERT INTO relations (uuid, from_unit_id, to_unit_id, kind, found_by, created_at, "
            "created_by) VALUES ('r1', 1, 1, 'cites', 'person', '2024-01-01', 'x')",
            {},
        ),
        (
            "INSERT INTO relations (uuid, from_unit_id, to_unit_id, kind, found_by, created_at, "
            "created_by) VALUES ('r1', 1, 999, 'cites', 'person', '2024-01-01', 'x')",
            {},
        ),
        ("INSERT INTO unit_agents (unit_id, agent_id, role) VALUES (1, 1, 'author')", {}),
        ("INSERT INTO unit_agents (unit_id, agent_id, role) VALUES (1, 1, 'creator')", {}),
        ("INSERT INTO places (uuid, name, variants, latitude) VALUES ('p', 'X', '[]', 91)", {}),
    ],
)
def test_related_tables_refuse_invalid_rows(
    db: sqlite3.Connection, sql: str, params: dict[str, object]
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(sql, params)


def test_an_agent_named_in_a_record_cannot_be_deleted(db: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM agents")


def test_deleting_a_unit_cascades_to_what_belongs_to_it(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO files (uuid, unit_id, sha256, size, media_type, original_name, "
        "is_evidentiary, added_at, added_by) VALUES ('f1', 1, :sha, 1, 'text/plain', 'a', 1, "
        "'2024-01-01', 'x')",
        {"sha": "a" * 64},
    )
    db.execute(
        "INSERT INTO provenance_events (uuid, unit_id, file_id, event_type, recorded_at, "
        "recorded_by) VALUES ('e1', 1, 1, 'capture', '2024-01-01', 'x')"
    )
    db.execute("DELETE FROM units WHERE id = 1")
    for table in ("files", "provenance_events", "unit_agents"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM agents").fetchone()[0] == 1


def test_a_parent_with_children_cannot_be_deleted_behind_the_program(
    catalogue: Catalogue,
) -> None:
    parent = catalogue.units.create({"title": "Parent"})
    catalogue.units.create({"title": "Child"}, parent_id=parent.id)
    with closing(sqlite3.connect(catalogue.path)) as db:
        db.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("DELETE FROM units WHERE id = ?", (parent.id,))
