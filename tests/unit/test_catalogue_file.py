"""Opening catalogue files: pragmas, and a clear refusal for anything that is not right."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from catalog_app.errors import (
    CatalogueLocked,
    CatalogueNotFound,
    CatalogueReadOnly,
    NotACatalogue,
)
from catalog_app.services import Catalogue
from catalog_app.storage import driver, engine
from catalog_app.storage.engine import APPLICATION_ID


def test_a_new_catalogue_is_created_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "cat.sqlite"
    with pytest.raises(CatalogueNotFound, match="init"):
        Catalogue.open(path)
    assert not path.exists()
    with Catalogue.open(path, create=True) as catalogue:
        assert catalogue.stats().counts["units"] == 0
        assert catalogue.setting("catalogue_uuid")
    assert path.exists()


def test_connections_use_the_pragmas_a_field_catalogue_needs(catalogue: Catalogue) -> None:
    with catalogue.db.read() as session:
        connection = session.connection()

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert int(str(pragma("busy_timeout"))) >= 1000
        assert pragma("application_id") == APPLICATION_ID


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some notes\n", "not an SQLite database"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not an SQLite database"),
    ],
)
def test_files_that_are_not_catalogues_are_refused_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    with pytest.raises(NotACatalogue, match=message):
        Catalogue.open(path, create=True)
    assert path.read_bytes() == content


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotACatalogue, match="folder"):
        Catalogue.open(tmp_path, create=True)


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE songs (title TEXT)")
        db.commit()
    before = path.read_bytes()
    with pytest.raises(NotACatalogue, match="another program"):
        Catalogue.open(path, create=True)
    assert path.read_bytes() == before


def test_an_empty_file_becomes_a_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "touched.sqlite"
    path.touch()
    with Catalogue.open(path, create=True) as catalogue:
        assert catalogue.schema_revision() is not None


def test_a_read_only_catalogue_opens_for_reading_only(catalogue: Catalogue) -> None:
    catalogue.units.create({"title": "A"})
    path = catalogue.path
    catalogue.close()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        with Catalogue.open(path) as readonly:
            assert readonly.readonly
            assert readonly.stats().counts["units"] == 1
            with pytest.raises(CatalogueReadOnly, match="read-only"):
                readonly.units.create({"title": "B"})
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_catalogue_cannot_be_created_where_nothing_can_be_written() -> None:
    with pytest.raises((CatalogueReadOnly, CatalogueNotFound)):
        Catalogue.open(Path("/proc/catalogue-test.sqlite"), create=True)


def test_a_locked_catalogue_gives_a_clear_error_and_no_partial_write(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = catalogue.units.create({"title": "A"})
    path = catalogue.path
    catalogue.close()
    with (
        Catalogue.open(path) as busy_elsewhere,
        # The program's own SQLite: two SQLite libraries in one process would drop each
        # other's locks on the file (another program is another process, with its own).
        closing(driver.connect(path)) as other,
    ):
        other.isolation_level = None
        other.execute("BEGIN EXCLUSIVE")
        monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 100)
        try:
            with (
                Catalogue.open(path) as impatient,
                pytest.raises(CatalogueLocked, match="another program"),
            ):
                impatient.units.update(unit.id, {"title": "B"})
        finally:
            other.execute("ROLLBACK")
        assert busy_elsewhere.units.get(unit.id).title == "A"


def test_backup_writes_a_complete_copy_and_never_overwrites(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    catalogue.units.create({"title": "Kept in the backup"})
    backup = catalogue.backup(tmp_path / "copies" / "backup").path
    with Catalogue.open(backup / "data" / catalogue.path.name) as copy:
        assert copy.units.find("CAT-0001").title == "Kept in the backup"
    with pytest.raises(Exception, match="already exists"):
        catalogue.backup(backup)
