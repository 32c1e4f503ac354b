"""One catalogue used by the window and the `catalog` command at the same time.

On POSIX, closing any file descriptor on a file drops every lock the process holds on it,
including SQLite's. A file dialog that peeks at the catalogue, or any library that opens it,
does exactly that in the window's process. These tests do it on purpose and check that no
committed change is lost or hidden whatever another program does meanwhile.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from catalog_app.services import Catalogue
from catalog_app.storage.wal_guard import wal_identity

CATALOG = Path(sys.executable).with_name("catalog")


def catalog(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own, as a user's shell runs it."""
    return subprocess.run(
        [str(CATALOG), "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "CATALOG_USER": "cli"},
    )


def drop_this_process_locks(path: Path) -> None:
    """What a file dialog guessing the file's type does: open it, read a little, close it."""
    with path.open("rb") as handle:
        handle.read(100)


def title_seen_by_another_program(db: Path, reference_code: str) -> str:
    shown = catalog(db, "show", reference_code, "--json")
    assert shown.returncode == 0, shown.stderr
    return str(json.loads(shown.stdout)["title"])


@pytest.fixture
def window_catalogue(catalogue_path: Path) -> Iterator[Catalogue]:
    """The catalogue as the window holds it: open for the whole session."""
    with Catalogue.open(catalogue_path, create=True, actor="window") as opened:
        yield opened


def test_edits_survive_a_lost_lock_and_another_program_closing(
    window_catalogue: Catalogue, catalogue_path: Path, tmp_path: Path
) -> None:
    record = window_catalogue.units.create({"title": "First title"})
    drop_this_process_locks(catalogue_path)

    # Another program writes and closes; it must not take itself for the last user and
    # delete the write-ahead log the window is still using.
    note = tmp_path / "note.txt"
    note.write_text("Testimony of a witness at Evin, 1988.\n", encoding="utf-8")
    imported = catalog(catalogue_path, "import", str(note), "--json")
    assert imported.returncode == 0, imported.stderr
    imported_code = json.loads(imported.stdout)["items"][0]["reference_code"]

    # The window writes again: a fresh program sees it at once.
    window_catalogue.units.update(record.id, {"title": "Second title"})
    assert title_seen_by_another_program(catalogue_path, record.reference_code) == "Second title"
    assert title_seen_by_another_program(catalogue_path, imported_code).startswith("Testimony")

    window_catalogue.close()
    with closing(sqlite3.connect(catalogue_path)) as plain:
        assert plain.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        titles = {row[0] for row in plain.execute("SELECT title FROM units")}
    assert "Second title" in titles
    assert any(title.startswith("Testimony") for title in titles)
    checked = catalog(catalogue_path, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_another_program_leaves_the_log_in_place(
    window_catalogue: Catalogue, catalogue_path: Path
) -> None:
    window_catalogue.units.create({"title": "A record"})
    before = wal_identity(catalogue_path)
    drop_this_process_locks(catalogue_path)
    assert catalog(catalogue_path, "stats").returncode == 0
    assert catalog(catalogue_path, "reindex").returncode == 0
    assert before is not None
    assert wal_identity(catalogue_path) == before


def test_a_log_deleted_by_a_foreign_program_is_noticed_before_the_next_edit(
    window_catalogue: Catalogue, catalogue_path: Path
) -> None:
    record = window_catalogue.units.create({"title": "Before"})
    drop_this_process_locks(catalogue_path)
    # A plain SQLite program (the sqlite3 shell, a database browser) closing last deletes
    # the log; this program cannot stop that, but must not go on writing into the old one.
    foreign = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            "c.execute('SELECT count(*) FROM units').fetchone(); c.close()",
            str(catalogue_path),
        ],
        check=True,
        timeout=60,
    )
    assert foreign.returncode == 0
    window_catalogue.units.update(record.id, {"title": "After"})
    assert title_seen_by_another_program(catalogue_path, record.reference_code) == "After"


def test_window_and_command_writing_at_once_lose_nothing(
    window_catalogue: Catalogue, catalogue_path: Path, tmp_path: Path
) -> None:
    imports = 6
    edits = 40
    sources = []
    for number in range(imports):
        source = tmp_path / f"statement-{number}.txt"
        source.write_text(f"Statement number {number} about the prison.\n", encoding="utf-8")
        sources.append(source)
    results: list[subprocess.CompletedProcess[str]] = []

    def command_line_user() -> None:
        for source in sources:
            results.append(catalog(catalogue_path, "import", str(source)))

    record = window_catalogue.units.create({"title": "Edit 0"})
    worker = threading.Thread(target=command_line_user)
    worker.start()
    for number in range(1, edits + 1):
        window_catalogue.units.update(record.id, {"title": f"Edit {number}"})
        if number % 5 == 0:
            drop_this_process_locks(catalogue_path)
    worker.join()

    assert [r.returncode for r in results] == [0] * imports, [r.stderr for r in results]
    assert not any("damaged" in r.stderr for r in results)
    assert title_seen_by_another_program(catalogue_path, record.reference_code) == f"Edit {edits}"
    window_catalogue.close()
    with closing(sqlite3.connect(catalogue_path)) as plain:
        assert plain.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert plain.execute("SELECT count(*) FROM units").fetchone() == (imports + 1,)
        versions = plain.execute("SELECT version FROM units WHERE id = ?", (record.id,))
        assert versions.fetchone()[0] == edits + 1
    assert catalog(catalogue_path, "check").returncode == 0
