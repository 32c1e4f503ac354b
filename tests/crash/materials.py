"""What the crash scenarios work on, generated once per scenario: a folder of documents, a
CSV inventory, a catalogue with records and originals, a bag, an old-format catalogue."""

from __future__ import annotations

import csv
import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from catalog_app.ingest import store
from catalog_app.storage.audit import GENESIS_HASH, chain_hash, snapshot
from catalog_app.storage.migrate import upgrade
from catalog_app.storage.models import (
    Agent,
    Place,
    ProvenanceEvent,
    Relation,
    StoredFile,
    Subject,
    Unit,
)
from catalog_app.storage.models import ReliabilityAssessment as Assessment
from tests.documents import ARABIC, ENGLISH, PERSIAN, html_page, pdf_file
from tests.test_migrations import FIRST_REVISION, _fill_at_first_revision

_WORDS = (
    "prison letter family hearing witness archive court release detention statement "
    "cemetery report interview mother lawyer visit transfer appeal"
).split()


def _sentence(rng: random.Random, words: int = 40) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def document_folder(folder: Path, *, texts: int, pages: int, pdfs: int, seed: int) -> int:
    """Text (three scripts), web pages and PDFs in sub-folders two deep; returns the count."""
    rng = random.Random(seed)
    places = [folder / "letters", folder / "letters" / "1988", folder / "press", folder]
    for place in places:
        place.mkdir(parents=True, exist_ok=True)
    for number in range(texts):
        body = [ENGLISH, PERSIAN, ARABIC][number % 3] + "\n\n" + _sentence(rng, 200)
        (places[number % 4] / f"note-{number:03d}.txt").write_text(
            f"Note {number}\n\n{body}\n", encoding="utf-8"
        )
    for number in range(pages):
        page = html_page(title=f"Report {number} on the hearings", body=_sentence(rng, 120))
        (places[2] / f"page-{number:03d}.html").write_bytes(page)
    for number in range(pdfs):
        pdf_file(places[1] / f"scan-{number:02d}.pdf", [f"Statement {number}", _sentence(rng)])
    return texts + pages + pdfs


def isad_inventory(path: Path, *, series: int, items: int, seed: int) -> int:
    """An isad-profile CSV: one fonds, its series and their items; returns the row count."""
    rng = random.Random(seed)
    header = [
        "Reference code",
        "Parent reference code",
        "Level",
        "Title",
        "Dates",
        "Creators",
        "Scope and content",
        "Languages",
        "Subjects",
        "Places",
    ]
    rows = [["INV", "", "fonds", "Inventory of the family papers", "1980/1995", "", "", "", "", ""]]
    for s in range(series):
        code = f"INV/{s + 1}"
        rows.append([code, "INV", "series", f"Series {s + 1}", "", "", "", "", "", ""])
        for i in range(items):
            rows.append(
                [
                    f"{code}/{i + 1}",
                    code,
                    "item",
                    f"Letter {i + 1} of series {s + 1}",
                    f"19{80 + rng.randrange(15)}-{rng.randrange(1, 13):02d}",
                    rng.choice(["Mahnaz Parvin", "Reza Karimi", "Jane Roe"]),
                    _sentence(rng, 30),
                    rng.choice(["fa", "en", "ar"]),
                    rng.choice(["Prisons", "Executions", "Families"]),
                    rng.choice(["Tehran", "Evin", "Khavaran"]),
                ]
            )
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return len(rows)


def old_catalogue(path: Path, *, extra_units: int) -> None:
    """A catalogue at the first schema revision, with rows in every table, a real stored
    original, and `extra_units` more records (so that upgrading it takes a little while)."""
    upgrade(path, FIRST_REVISION)
    _fill_at_first_revision(path)
    stamp = "2024-01-02 03:04:05.000000"
    original = b"The original of the old item.\n"
    kept = store.put_bytes(original, store.store_root(path))
    with closing(sqlite3.connect(path)) as db:
        # The first revision had no append-only guards: its made-up audit row (which no
        # hash chain would accept) goes, so that `catalog check` judges the upgrade alone.
        db.execute("DELETE FROM audit_log")
        db.execute(
            "UPDATE files SET sha256 = ?, size = ?, stored_path = ?",
            (kept.sha256, kept.size, kept.relative_path),
        )
        db.executemany(
            """INSERT INTO units (uuid, parent_id, level, position, reference_code, title,
            title_source, access_status, languages, scripts, version, created_at, created_by,
            updated_at, updated_by, scope_content)
            VALUES (?, 1, 'item', ?, ?, ?, 'typed', 'open', '["en"]', '[]', 1, ?, 'a', ?, 'a', ?)
            """,
            [
                (
                    f"00000000-0000-4000-8000-{n:012d}",
                    n + 2,
                    f"OLD-1/{n + 2}",
                    f"Old record {n}",
                    stamp,
                    stamp,
                    ENGLISH,
                )
                for n in range(extra_units)
            ],
        )
        _log_as_created(db)
        db.commit()


# How the program logs a link against the record it belongs to (storage.audit).
_LINKS = (
    "SELECT 'unit_agents', u.uuid, 'agent (' || l.role || ')', a.authorised_name || ' [' || "
    "a.uuid || ']' FROM unit_agents l JOIN units u ON u.id = l.unit_id "
    "JOIN agents a ON a.id = l.agent_id",
    "SELECT 'unit_places', u.uuid, 'place', p.name || ' [' || p.uuid || ']' FROM unit_places l "
    "JOIN units u ON u.id = l.unit_id JOIN places p ON p.id = l.place_id",
    "SELECT 'unit_subjects', u.uuid, 'subject', s.term || ' [' || s.uuid || ']' "
    "FROM unit_subjects l JOIN units u ON u.id = l.unit_id JOIN subjects s ON s.id = l.subject_id",
    "SELECT 'agent_names', a.uuid, 'name (' || n.kind || ')', n.name FROM agent_names n "
    "JOIN agents a ON a.id = n.agent_id",
)


def _log_as_created(db: sqlite3.Connection) -> None:
    """An audit trail of every row's creation, chained as the program writes it, so that
    `catalog check` (which compares each record with its trail) judges the upgrade alone."""
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    changes: list[tuple[str, str, str, str | None, str | None, str | None]] = []
    audited = (Unit, StoredFile, Agent, Place, Subject, ProvenanceEvent, Relation, Assessment)
    for model in audited:
        cursor = db.execute(f"SELECT * FROM {model.__tablename__}")
        names = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            values = dict(zip(names, row, strict=True))
            logged = snapshot(values, model.__audit_summarise__)
            changes.append(("create", model.__tablename__, values["uuid"], None, None, logged))
    for query in _LINKS:
        changes += [("add", t, owner, f, None, v) for t, owner, f, v in db.execute(query)]
    prev = GENESIS_HASH
    for action, table, row_uuid, name, old, new in changes:
        entry = {
            "at": at,
            "actor": "a",
            "action": action,
            "table_name": table,
            "row_uuid": row_uuid,
            "field": name,
            "old_value": old,
            "new_value": new,
            "reason": None,
        }
        new_hash = chain_hash(prev, entry)
        db.execute(
            "INSERT INTO audit_log (at, actor, action, table_name, row_uuid, field, old_value, "
            "new_value, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                "2024-01-02 03:04:05.000000",
                *(entry[key] for key in list(entry)[1:]),
                prev,
                new_hash,
            ),
        )
        prev = new_hash
