"""What must hold after a kill, wherever it landed: checks on a catalogue, its store of
originals, and the files a command writes. Each raises CrashCheckFailed saying what is wrong.

The catalogue is read only through SQLite (never with a plain file handle) and `catalog`
itself; the originals are hashed as files.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from catalog_app.cli import main
from catalog_app.ingest.store import INCOMING, store_root


class CrashCheckFailed(AssertionError):
    """Something a crash must never leave behind."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CrashCheckFailed(message)


@contextlib.contextmanager
def connected(db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db)
    try:
        yield connection
    finally:
        connection.close()


# -- the catalogue -----------------------------------------------------------------------------


def sqlite_integrity(db: Path) -> None:
    expect(db.is_file(), f"{db} is gone")
    with connected(db) as connection:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        expect(result == ["ok"], f"PRAGMA integrity_check of {db.name}: {result[:5]}")
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        expect(not broken, f"broken references in {db.name}: {broken[:5]}")


def run_catalog(*argv: str) -> tuple[int, str, str]:
    """`catalog ARGV` in this process (quicker than a new one), with its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def catalog_check(db: Path) -> None:
    code, out, err = run_catalog("--db", str(db), "check")
    expect(code == 0, f"`catalog check` of {db.name} exited {code}: {(out + err).strip()}")


def catalog_verify(db: Path) -> None:
    """`catalog verify`: every stored original against its checksum, and no orphans."""
    code, out, err = run_catalog("--db", str(db), "verify")
    expect(code == 0, f"`catalog verify` of {db.name} exited {code}: {(out + err).strip()}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def stored_originals(db: Path) -> dict[str, str]:
    """sha256 -> stored path (relative to the store) of every file row."""
    with connected(db) as connection:
        return dict(connection.execute("SELECT sha256, stored_path FROM files").fetchall())


def originals_match(db: Path) -> None:
    """Every file row's original is in the store and still has its checksum."""
    root = store_root(db)
    for sha256, relative in stored_originals(db).items():
        expect(relative, f"the file row of {sha256} names no stored copy")
        path = root / relative
        expect(path.is_file(), f"the original {relative} of a file row is not in the store")
        found = sha256_file(path)
        expect(found == sha256, f"the stored original {relative} has the checksum {found}")


def store_has_no_leftovers(db: Path) -> None:
    """After a completed run: nothing half-copied, no original that no record refers to."""
    root = store_root(db)
    if not root.is_dir():
        return
    incoming = root / INCOMING
    leftovers = sorted(p.name for p in incoming.iterdir()) if incoming.is_dir() else []
    expect(not leftovers, f"temporary copies left in the store: {leftovers[:5]}")
    referenced = {root / relative for relative in stored_originals(db).values()}
    orphans = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and incoming not in p.parents and p not in referenced
    )
    expect(not orphans, f"originals in the store that no record refers to: {orphans[:5]}")


def counts(db: Path, tables: tuple[str, ...]) -> dict[str, int]:
    with connected(db) as connection:
        return {
            t: int(connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables
        }


DESCRIBED_TABLES = (
    "units",
    "files",
    "agents",
    "agent_names",
    "places",
    "subjects",
    "unit_agents",
    "unit_places",
    "unit_subjects",
    "provenance_events",
    "reliability_assessments",
    "relations",
)


Signature = tuple[dict[str, int], Counter[tuple[object, ...]]]


def signature(db: Path) -> Signature:
    """What a run's result is, without what differs between two runs of it (ids, times,
    reference codes): the counts, and each record by place, title, level and originals."""
    with connected(db) as connection:
        records = Counter(
            connection.execute(
                """
                SELECT coalesce(p.title, ''), u.title, u.level, u.access_status,
                    (SELECT group_concat(sha256, ' ') FROM
                        (SELECT sha256 FROM files f WHERE f.unit_id = u.id ORDER BY sha256)),
                    (SELECT group_concat(event_type, ' ') FROM
                        (SELECT event_type FROM provenance_events e WHERE e.unit_id = u.id
                         ORDER BY event_type))
                FROM units u LEFT JOIN units p ON p.id = u.parent_id
                """
            ).fetchall()
        )
    return counts(db, DESCRIBED_TABLES), records


def same_result(db: Path, reference: Signature) -> None:
    found_counts, found_records = signature(db)
    expected_counts, expected_records = reference
    expect(
        found_counts == expected_counts,
        f"after the re-run the catalogue holds {found_counts}; an uninterrupted run gives "
        f"{expected_counts}",
    )
    extra = found_records - expected_records
    missing = expected_records - found_records
    expect(
        not extra and not missing,
        f"records differ from an uninterrupted run: extra {list(extra)[:3]}, "
        f"missing {list(missing)[:3]}",
    )


def every_row_audited(db: Path, tables: tuple[str, ...] = ("units", "files")) -> None:
    """A record without its audit trail is half-written."""
    with connected(db) as connection:
        for table in tables:
            bare = connection.execute(
                f"""SELECT t.uuid FROM "{table}" t WHERE NOT EXISTS (SELECT 1 FROM audit_log a
                WHERE a.table_name = ? AND a.row_uuid = t.uuid) LIMIT 5""",
                (table,),
            ).fetchall()
            expect(not bare, f"{table} rows with no audit trail: {bare}")


def imported_items_whole(db: Path) -> None:
    """Every record of an imported file has its file row and exactly one ingestion event,
    which names the file's checksum."""
    with connected(db) as connection:
        rows = connection.execute(
            """
            SELECT u.reference_code,
                (SELECT count(*) FROM files f WHERE f.unit_id = u.id),
                (SELECT count(*) FROM provenance_events e WHERE e.unit_id = u.id
                    AND e.event_type = 'ingestion'
                    AND instr(e.note, (SELECT f.sha256 FROM files f WHERE f.unit_id = u.id)) > 0)
            FROM units u WHERE u.level = 'item'
            """
        ).fetchall()
    half = [(code, files, events) for code, files, events in rows if (files, events) != (1, 1)]
    expect(not half, f"imported records without one file and its ingestion event: {half[:5]}")


def every_unit_has_event(db: Path, event_type: str) -> None:
    """Every record has the event its import writes with it (a bag's transfer event)."""
    with connected(db) as connection:
        bare = connection.execute(
            """SELECT reference_code FROM units u WHERE NOT EXISTS (SELECT 1
            FROM provenance_events e WHERE e.unit_id = u.id AND e.event_type = ?) LIMIT 5""",
            (event_type,),
        ).fetchall()
    expect(not bare, f"records without their {event_type} event: {bare}")


def empty_folder_records(db: Path) -> list[str]:
    with connected(db) as connection:
        return [
            row[0]
            for row in connection.execute(
                """SELECT reference_code FROM units u WHERE u.level <> 'item'
                AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)"""
            )
        ]


def whole_catalogue(db: Path) -> None:
    """The checks every catalogue must pass after any kill."""
    sqlite_integrity(db)
    catalog_check(db)
    originals_match(db)


# -- files a command writes ------------------------------------------------------------------


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def only_these_left(folder: Path, wanted: set[str], after: str) -> None:
    extra = sorted(entries(folder) - wanted)
    expect(not extra, f"{after}, {folder.name}/ still holds {extra}")


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def xlsx_rows(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [
            tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def xml_shape(path: Path) -> list[str]:
    """The element names of an XML document in order (its dates of writing may differ)."""
    from lxml import etree

    return [str(element.tag) for element in etree.parse(str(path)).iter()]


def bag_payload(path: Path) -> list[str]:
    """The payload of a valid bag (validated in full: every checksum)."""
    import bagit

    try:
        bag = bagit.Bag(str(path))
        bag.validate()
    except bagit.BagError as exc:
        raise CrashCheckFailed(f"{path.name} is not a valid bag: {exc}") from exc
    return sorted(str(name) for name in bag.payload_files())
