"""Who may read what the program writes, under the usual umask (022): the catalogue, its
write-ahead log, the store of originals and backups are the owner's only; exports get the
ordinary permissions the umask gives."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_app import staging
from catalog_app.ingest.store import store_root
from catalog_app.services import Catalogue
from catalog_app.services.exports import ExportService

OTHERS = stat.S_IRWXG | stat.S_IRWXO


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _shared(paths: Iterator[Path] | list[Path]) -> dict[str, str]:
    """The paths that anyone but their owner may read, write or enter, with their mode."""
    return {str(p): oct(_mode(p)) for p in paths if _mode(p) & OTHERS}


@pytest.fixture
def imported(tmp_path: Path) -> Iterator[Catalogue]:
    """A new catalogue, open, with one imported original."""
    document = tmp_path / "papers" / "letter.txt"
    document.parent.mkdir()
    document.write_text("A letter from the prison", encoding="utf-8")
    with Catalogue.open(tmp_path / "archive" / "new.sqlite", create=True) as catalogue:
        report = catalogue.imports.run([document], workers=1)
        assert report.count("imported") == 1
        yield catalogue


def test_a_new_catalogue_its_write_ahead_log_and_its_store_are_the_owners_only(
    imported: Catalogue,
) -> None:
    db = imported.path
    logs = [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm")]
    assert all(log.exists() for log in logs)  # open, after a write
    assert _mode(db) == 0o600
    assert _shared([db, *logs]) == {}
    store = store_root(db)
    folders = [store, *(p for p in store.rglob("*") if p.is_dir())]
    originals = [p for p in store.rglob("*") if p.is_file()]
    assert len(originals) == 1
    assert {_mode(folder) for folder in folders} == {0o700}
    assert {_mode(original) for original in originals} == {0o400}


def test_a_backup_is_the_owners_only(imported: Catalogue, tmp_path: Path) -> None:
    backup = tmp_path / "backups" / "first"
    imported.backup(backup)
    written = [backup, *backup.rglob("*")]
    assert any(p.is_file() and p.suffix == ".sqlite" for p in written)
    assert _shared(written) == {}


def test_exports_get_the_permissions_the_umask_gives(imported: Catalogue, tmp_path: Path) -> None:
    exports = ExportService(imported)
    exports.export("csv", tmp_path / "aid.csv")
    exports.export("xlsx", tmp_path / "aid.xlsx")
    assert _mode(tmp_path / "aid.csv") == 0o644
    assert _mode(tmp_path / "aid.xlsx") == 0o644
    exports.export("bag", tmp_path / "bag")
    files = [p for p in (tmp_path / "bag").rglob("*") if p.is_file()]
    assert files
    assert {_mode(p) for p in files} == {0o644}


def test_a_staged_file_is_private_while_written_and_published_as_the_umask_says(
    tmp_path: Path,
) -> None:
    for private, published in ((False, 0o644), (True, 0o600)):
        destination = tmp_path / f"out-{private}.csv"
        temporary = staging.staging_path(destination)
        with staging.open_private(temporary) as out:
            out.write(b"a,b\n")
        assert _mode(temporary) == 0o600
        staging.publish(temporary, destination, private=private)
        assert _mode(destination) == published
    os.umask(0o027)
    staged = staging.staging_path(tmp_path / "group.csv")
    with staging.open_private(staged) as out:
        out.write(b"a\n")
    staging.publish(staged, tmp_path / "group.csv")
    assert _mode(tmp_path / "group.csv") == 0o640
