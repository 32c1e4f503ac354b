"""The schema's history: upgrades keep every row, newer files are refused, models match."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from catalog_app.errors import CatalogueTooNew
from catalog_app.services import Catalogue
from catalog_app.storage.engine import make_engine
from catalog_app.storage.migrate import head_revision, include_name, script_directory, upgrade
from catalog_app.storage.models import Base

FIRST_REVISION = "0001"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill_at_first_revision(path: Path) -> None:
    """Rows in every table as the first schema knew them, written with plain SQL."""
    stamp = "2024-01-02 03:04:05.000000"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            f"""
            INSERT INTO units (id, uuid, level, position, reference_code, title, title_source,
                access_status, languages, scripts, version, created_at, created_by,
                updated_at, updated_by, date_expression, date_start, date_end)
            VALUES (1, '11111111-1111-4111-8111-111111111111', 'fonds', 1, 'OLD-1',
                'Old fonds', 'typed', 'open', '["fa"]', '[]', 3, '{stamp}', 'a', '{stamp}', 'a',
                '1988-07/1988-09', '1988-07-01', '1988-09-30'),
                (2, '22222222-2222-4222-8222-222222222222', 'item', 1, 'OLD-1/1',
                'Old item', 'harvested', 'restricted', '[]', '[]', 1, '{stamp}', 'a',
                '{stamp}', 'a', NULL, NULL, NULL);
            UPDATE units SET parent_id = 1 WHERE id = 2;
            INSERT INTO files (uuid, unit_id, sha256, size, media_type, original_name,
                is_evidentiary, added_at, added_by, extracted_text)
            VALUES ('f', 2, '{"b" * 64}', 10, 'text/plain', 'a.txt', 1, '{stamp}', 'a',
                'متن');
            INSERT INTO agents (uuid, kind, authorised_name, created_at, updated_at)
            VALUES ('ag', 'person', 'Someone', '{stamp}', '{stamp}');
            INSERT INTO agent_names (agent_id, name, kind) VALUES (1, 'Someone Else', 'variant');
            INSERT INTO unit_agents (unit_id, agent_id, role) VALUES (2, 1, 'creator');
            INSERT INTO places (uuid, name, variants) VALUES ('pl', 'Evin', '[]');
            INSERT INTO unit_places (unit_id, place_id) VALUES (2, 1);
            INSERT INTO subjects (uuid, term, vocabulary) VALUES ('su', 'Prisons', '');
            INSERT INTO unit_subjects (unit_id, subject_id) VALUES (2, 1);
            INSERT INTO provenance_events (uuid, unit_id, event_type, recorded_at, recorded_by)
            VALUES ('ev', 2, 'capture', '{stamp}', 'a');
            INSERT INTO reliability_assessments (uuid, unit_id, source_reliability,
                information_credibility, assessor, assessed_at, recorded_by)
            VALUES ('ra', 2, 'B', 2, 'a', '{stamp}', 'a');
            INSERT INTO relations (uuid, from_unit_id, to_unit_id, kind, found_by, created_at,
                created_by) VALUES ('re', 2, 1, 'part of', 'person', '{stamp}', 'a');
            INSERT INTO audit_log (at, actor, action, table_name, row_uuid, prev_hash, hash)
            VALUES ('{stamp}', 'a', 'create', 'units', 'x', '{"0" * 64}', '{"1" * 64}');
            """
        )
        db.commit()


Rows = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def _all_rows(path: Path, like: Rows | None = None) -> Rows:
    """Every row of every table; with `like`, only the tables and columns that it has."""
    with closing(sqlite3.connect(path)) as db:
        if like is None:
            tables = {
                row[0]: [c[1] for c in db.execute(f'PRAGMA table_info("{row[0]}")')]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                    "'sqlite_%' AND name NOT IN ('alembic_version', 'settings')"
                )
            }
        else:
            tables = {name: columns for name, (columns, _) in like.items()}
        result: Rows = {}
        for table, columns in tables.items():
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = db.execute(f'SELECT {listed} FROM "{table}"').fetchall()
            result[table] = (columns, sorted(rows, key=repr))
        return result


def test_the_program_knows_its_newest_revision() -> None:
    assert head_revision() == script_directory().get_current_head()


def test_there_is_an_upgrade_path_to_test() -> None:
    revisions = [s.revision for s in script_directory().walk_revisions()]
    assert FIRST_REVISION in revisions
    assert head_revision() != FIRST_REVISION


def test_an_old_catalogue_is_backed_up_then_upgraded_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    upgrade(path, FIRST_REVISION)
    _fill_at_first_revision(path)
    rows_before = _all_rows(path)

    with Catalogue.open(path) as catalogue:
        assert catalogue.schema_revision() == head_revision()
        backup = catalogue.upgrade_backup
        assert backup is not None
        assert backup.parent == path.parent
        item = catalogue.units.find("OLD-1/1")
        assert (item.title, item.title_source, item.access_status) == (
            "Old item",
            "harvested",
            "restricted",
        )
        assert item.parent_reference_code == "OLD-1"
        assert [a.authorised_name for a in item.agents] == ["Someone"]
        assert item.current_assessment is not None
        assert item.current_assessment.grade == "B2"
        assert catalogue.units.find("OLD-1").languages == ("fa",)

    assert _all_rows(backup) == rows_before
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT harvested FROM units WHERE id = 2").fetchone() == ('["title"]',)
    with closing(sqlite3.connect(backup)) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (FIRST_REVISION,)
    rows_after = _all_rows(path, like=rows_before)
    for table, rows in rows_before.items():
        assert rows_after[table] == rows, f"rows of {table} changed during the upgrade"
    # What the upgrade added is in force on the old data.
    with closing(sqlite3.connect(path)) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM audit_log")


def test_a_catalogue_from_a_newer_program_is_refused_untouched(catalogue: Catalogue) -> None:
    path = catalogue.path
    catalogue.close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        db.commit()
    digest = _digest(path)
    with pytest.raises(CatalogueTooNew, match="newer version"):
        Catalogue.open(path)
    assert _digest(path) == digest
    assert not list(path.parent.glob("*.before-*"))


def test_the_models_and_the_migrations_agree(tmp_path: Path) -> None:
    path = tmp_path / "head.sqlite"
    upgrade(path)
    engine = make_engine(path)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": include_name, "compare_type": True}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_each_revision_upgrades_from_the_one_before(tmp_path: Path) -> None:
    revisions = [s.revision for s in script_directory().walk_revisions()][::-1]
    path = tmp_path / "stepwise.sqlite"
    for revision in revisions:
        upgrade(path, revision)
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)


# "خاوران" and "سلام" as a PDF's text layer gives them (presentation forms, a lam-alef ligature).
KHAVARAN_AS_IN_PDFS = "\ufea7\ufe8e\ufeed\ufead\ufe8d\ufee5"
SALAM_AS_IN_PDFS = "\ufeb3\ufefc\ufee1"


def _index_rows(catalogue: Catalogue) -> dict[int, tuple[object, ...]]:
    """What the index holds for each record: every token with its column and position (read
    through FTS5's vocabulary, which sees the index itself, with its text stored or not)."""
    rows: dict[int, list[tuple[object, ...]]] = {}
    with catalogue.db.write("tester") as session:
        session.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_tokens USING "
                "fts5vocab(main, search_fts, 'instance')"
            )
        )
        for doc, term, column, offset in session.execute(
            text("SELECT doc, term, col, offset FROM temp.search_tokens")
        ):
            rows.setdefault(int(doc), []).append((column, offset, term))
        session.execute(text("DROP TABLE temp.search_tokens"))
    return {doc: tuple(sorted(tokens)) for doc, tokens in rows.items()}


def _index_as_before_0008(catalogue: Catalogue) -> None:
    """Give an index made by this program the form the earlier program made (an FTS5 table
    with its own folded copy of the text), as migration 0008's downgrade does."""
    from alembic import command

    from catalog_app.storage.migrate import alembic_config

    with catalogue.db.write("tester") as session:
        command.downgrade(alembic_config(session.connection()), "0007")


@pytest.mark.parametrize("others", [1, 6], ids=["most rows stale", "few rows stale"])
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_an_index_folded_by_the_earlier_program_is_folded_again_on_upgrade(
    tmp_path: Path, encrypted: bool, others: int
) -> None:
    path = tmp_path / "pdfs.sqlite"
    passphrase = "seven rivers under ice" if encrypted else None
    title = f"{KHAVARAN_AS_IN_PDFS} {SALAM_AS_IN_PDFS}"
    scope = "the \ufb01nal report"
    with Catalogue.open(path, create=True, encrypt=encrypted, passphrase=passphrase) as catalogue:
        pdf = catalogue.units.create({"title": title, "reference_code": "PDF/1", "level": "item"})
        catalogue.units.update(pdf.id, {"scope_content": scope})
        for number in range(others):
            catalogue.units.create({"title": f"Families at Khavaran {number}"})
        # The index as revision 0006 left it: its folding (NFC) kept presentation forms.
        _index_as_before_0008(catalogue)
        with catalogue.db.write("tester") as session:
            session.execute(
                text(
                    "UPDATE search_fts SET title = :title, description = :scope WHERE rowid = :id"
                ),
                {"title": title, "scope": scope, "id": pdf.id},
            )
            session.execute(text("UPDATE alembic_version SET version_num = '0006'"))
        assert not catalogue.search.search("خاوران").hits
        before = _index_rows(catalogue)

    with Catalogue.open(path, passphrase=passphrase) as catalogue:
        assert catalogue.schema_revision() == head_revision()
        assert catalogue.upgrade_backup is not None
        for query in ("خاوران", "سلام", "final"):
            assert [h.reference_code for h in catalogue.search.search(query).hits] == ["PDF/1"]
        after = _index_rows(catalogue)
        assert catalogue.integrity_problems() == []
    assert after.keys() == before.keys()
    assert {i for i in before if before[i] != after[i]} == {pdf.id}


def _answers(catalogue: Catalogue) -> list[object]:
    """Everything a search shows for a mix of queries: order, scores, snippets, marks."""
    found: list[object] = []
    for query in ("khavaran", '"mass grave"', "خانواده‌ها", "خانوادهها", "evin OR grave", "fam*"):
        results = catalogue.search.search(query)
        found.append((query, results.total, results.ranking))
        found += [
            (h.reference_code, h.score, h.snippet, h.highlights, h.title_highlights)
            for h in results.hits
        ]
    return found


def _tables(catalogue: Catalogue) -> set[str]:
    with catalogue.db.read() as session:
        return set(session.execute(text("SELECT name FROM sqlite_master")).scalars())


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_an_index_holding_a_copy_of_the_text_is_converted_to_one_without(
    tmp_path: Path, encrypted: bool
) -> None:
    path = tmp_path / "copy.sqlite"
    passphrase = "seven rivers under ice" if encrypted else None
    with Catalogue.open(path, create=True, encrypt=encrypted, passphrase=passphrase) as catalogue:
        add = catalogue.units.create
        for number in range(7):
            add(
                {
                    "title": f"Families at Khavaran {number}",
                    "scope_content": "A mass grave near Evin; " * number + "خانواده‌ها",
                }
            )
        gone = add({"title": "A record deleted before the upgrade"})
        catalogue.units.delete(gone.id)
        _index_as_before_0008(catalogue)
        assert "search_fts_content" in _tables(catalogue)
        tokens, answers = _index_rows(catalogue), _answers(catalogue)
        assert tokens
        assert answers

    with Catalogue.open(path, passphrase=passphrase) as catalogue:
        assert catalogue.schema_revision() == head_revision() == "0008"
        assert catalogue.upgrade_backup is not None
        assert "search_fts_content" not in _tables(catalogue)  # no copy of the text
        assert _index_rows(catalogue) == tokens  # every token where it was
        assert _answers(catalogue) == answers  # same order, scores, snippets and marks
        assert catalogue.integrity_problems() == []
        # Edits and deletions keep the index in step.
        first = catalogue.search.search("khavaran").hits[0]
        catalogue.units.update(first.id, {"title": "Gohardasht"})
        assert [h.id for h in catalogue.search.search("gohardasht").hits] == [first.id]
        assert first.id not in [h.id for h in catalogue.search.search("khavaran").hits]
        catalogue.units.delete(first.id)
        assert not catalogue.search.search("gohardasht").hits
        assert catalogue.integrity_problems() == []
        edited = _index_rows(catalogue)
        assert catalogue.search.reindex() == 6
        assert _index_rows(catalogue) == edited
        assert catalogue.integrity_problems() == []


def test_the_conversion_copies_every_row_in_batches(tmp_path: Path) -> None:
    from catalog_app.storage.search_index import copy_rows

    engine = make_engine(tmp_path / "copy.sqlite")
    rows = [
        (rowid, f"word{rowid + 10}", "x y " * (rowid % 3)) for rowid in (-5, 1, 2, 3, 10, 11, 500)
    ]
    with engine.connect() as connection:
        connection.execute(text("CREATE VIRTUAL TABLE old USING fts5(a, b)"))
        connection.execute(
            text("CREATE VIRTUAL TABLE new USING fts5(a, b, content='', contentless_delete=1)")
        )
        connection.execute(
            text("INSERT INTO old (rowid, a, b) VALUES (:r, :a, :b)"),
            [{"r": r, "a": a, "b": b} for r, a, b in rows],
        )
        assert copy_rows(connection, "old", "new", ["a", "b"], 2) == len(rows)
        copied = connection.execute(text("SELECT rowid FROM new ORDER BY rowid")).scalars()
        assert list(copied) == [r for r, _, _ in rows]
        for rowid, word, _ in rows:
            found = connection.execute(
                text("SELECT rowid FROM new WHERE new MATCH :w"), {"w": word}
            ).scalars()
            assert list(found) == [rowid]
            sizes = connection.execute(
                text("SELECT sz FROM new_docsize WHERE id = :r"), {"r": rowid}
            ).scalar()
            assert (
                sizes
                == connection.execute(
                    text("SELECT sz FROM old_docsize WHERE id = :r"), {"r": rowid}
                ).scalar()
            )
        engine.dispose()
