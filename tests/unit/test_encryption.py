"""Encrypted catalogues: nothing readable on disk, one line for a wrong passphrase, and
conversions that leave one working catalogue whatever happens."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from catalog_app.cli import main
from catalog_app.errors import CatalogueLocked, PassphraseNeeded, ValidationError, WrongPassphrase
from catalog_app.ingest import store
from catalog_app.paths import log_dir
from catalog_app.services import Catalogue, encryption
from catalog_app.services.backups import restore
from catalog_app.services.originals import OriginalsService
from catalog_app.storage import keys

PASSPHRASE = "seven rivers under ice"
TITLE = "Testimony of the Zarrinabad night convoy"
SENTENCE = "Soldiers of the ninth brigade stopped the buses behind the grain silo at dawn."
NAME = "Golnaz Ardeshiri-Vahdat"
SECRETS = (TITLE, SENTENCE, NAME, "Zarrinabad")


def _document(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "statement.txt"
    path.write_text(f"{SENTENCE}\nWitness: {NAME}.\n", encoding="utf-8")
    return path


def _stock(catalogue: Catalogue, folder: Path) -> int:
    report = catalogue.imports.run([_document(folder)], workers=1)
    assert report.count("imported") == 1, report.items
    unit_id = report.items[0].id
    assert unit_id is not None
    catalogue.units.update(unit_id, {"title": TITLE, "scope_content": f"About {NAME}."})
    agent = catalogue.agents.create(NAME)
    catalogue.units.link_agent(unit_id, agent.id, "subject")
    return unit_id


def _intact(catalogue: Catalogue) -> bool:
    report = catalogue.fixity.verify()
    return report.checked == report.ok > 0 and not (
        report.missing or report.altered or report.orphaned
    )


def _every_file(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                yield path


def _hits(*folders: Path) -> list[str]:
    found = []
    for path in _every_file(*folders):
        data = path.read_bytes()
        for secret in SECRETS:
            for encoding in ("utf-8", "utf-16-le"):
                if secret.encode(encoding) in data or secret.lower().encode(encoding) in data:
                    found.append(f"{path}: {secret!r} ({encoding})")
    return found


def test_no_plaintext_of_a_known_document_anywhere(tmp_path: Path, isolated_home: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    path = folder / "field.sqlite"
    with Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE) as catalogue:
        assert catalogue.encrypted
        _stock(catalogue, tmp_path / "incoming")
        # While it is open too: the write-ahead log and the shared memory file.
        assert (folder / "field.sqlite-wal").exists()
        assert _hits(folder) == []
        report = catalogue.backup(tmp_path / "backup")
        assert report.originals == 1
    assert _hits(folder, tmp_path / "backup", log_dir(), isolated_home) == []
    # And it all still reads back with the passphrase.
    with Catalogue.open(path, passphrase=PASSPHRASE) as catalogue:
        unit = catalogue.units.find("CAT-0001")
        assert unit.title == TITLE
        assert catalogue.integrity_problems() == []
        assert _intact(catalogue)


def test_a_wrong_or_missing_passphrase_gets_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.sqlite"
    Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Catalogue.open(path, passphrase="not the passphrase")
    with pytest.raises(PassphraseNeeded):
        Catalogue.open(path)
    monkeypatch.setenv("CATALOG_PASSPHRASE", "not the passphrase")
    assert main(["--db", str(path), "stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "passphrase does not open" in err
    assert "Traceback" not in err
    monkeypatch.delenv("CATALOG_PASSPHRASE")
    with Path(os.devnull).open() as no_terminal:
        monkeypatch.setattr("sys.stdin", no_terminal)
        assert main(["--db", str(path), "stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "CATALOG_PASSPHRASE" in err
    monkeypatch.setenv("CATALOG_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(path), "stats", "--json"]) == 0


def test_init_encrypt_refuses_a_short_passphrase_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.sqlite"
    monkeypatch.setenv("CATALOG_PASSPHRASE", "short")
    assert main(["--db", str(path), "init", "--encrypt"]) == 1
    assert "too short" in capsys.readouterr().err
    assert not path.exists()
    assert not keys.key_file_path(path).exists()
    monkeypatch.setenv("CATALOG_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(path), "init", "--encrypt", "--json"]) == 0
    assert '"encrypted": true' in capsys.readouterr().out
    assert Catalogue.is_encrypted(path)


def test_encrypt_then_decrypt_keeps_every_record_and_original_bit_for_bit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True) as catalogue:
        _stock(catalogue, tmp_path / "incoming")
    original = (tmp_path / "incoming" / "statement.txt").read_bytes()

    report = encryption.encrypt(path, PASSPHRASE)
    assert report.encrypted
    assert report.originals == 1
    assert _hits(tmp_path / "c-originals") == []
    assert not (path.with_name("c.sqlite-wal").exists() and _hits(path.parent / "c.sqlite-wal"))
    with Catalogue.open(path, passphrase=PASSPHRASE) as catalogue:
        assert catalogue.integrity_problems() == []
        assert _intact(catalogue)
        file = OriginalsService(catalogue).files(catalogue.units.find("CAT-0001").id)[0]
        stored = OriginalsService(catalogue).stored_copy(file)
        assert stored is not None
        assert b"".join(store.open_plain(stored, catalogue.store_key)) == original

    encryption.decrypt(path, PASSPHRASE)
    assert not keys.key_file_path(path).exists()
    with Catalogue.open(path) as catalogue:
        assert not catalogue.encrypted
        assert catalogue.units.find("CAT-0001").title == TITLE
        assert catalogue.integrity_problems() == []
        file = OriginalsService(catalogue).files(catalogue.units.find("CAT-0001").id)[0]
        stored = OriginalsService(catalogue).stored_copy(file)
        assert stored is not None
        assert stored.read_bytes() == original
    # Only the plain copy is left in the store.
    assert [p.name for p in _every_file(tmp_path / "c-originals")] == [file.sha256]


def test_a_failed_conversion_leaves_the_plain_catalogue_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True) as catalogue:
        _stock(catalogue, tmp_path / "incoming")
    before = sorted(p.name for p in _every_file(tmp_path / "c-originals"))

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(encryption, "_point_at", fail)
    with pytest.raises(OSError, match="No space"):
        encryption.encrypt(path, PASSPHRASE)
    monkeypatch.undo()
    assert not keys.key_file_path(path).exists()
    assert sorted(p.name for p in _every_file(tmp_path / "c-originals")) == before
    with Catalogue.open(path) as catalogue:
        assert not catalogue.encrypted
        assert catalogue.integrity_problems() == []


def test_a_crash_after_the_swap_is_finished_by_the_next_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between renaming the encrypted copy into place and removing the plain copies
    of the originals: the next opening removes them."""
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True) as catalogue:
        _stock(catalogue, tmp_path / "incoming")
    monkeypatch.setattr(encryption, "_remove_leftovers", lambda path: None)
    encryption.encrypt(path, PASSPHRASE)
    monkeypatch.undo()
    assert _hits(tmp_path / "c-originals") != []  # the plain copy is still there
    with Catalogue.open(path, passphrase=PASSPHRASE) as catalogue:
        assert _intact(catalogue)
    assert _hits(tmp_path / "c-originals") == []
    assert not (tmp_path / "c-originals" / encryption.LEFTOVERS).exists()


def test_a_key_file_left_beside_a_plain_catalogue_is_cleared(tmp_path: Path) -> None:
    """Killed after the new key file was written but before the swap."""
    path = tmp_path / "c.sqlite"
    Catalogue.open(path, create=True).close()
    key_file, made = keys.create(PASSPHRASE)
    made.forget()
    keys.write_key_file(keys.key_file_path(path), key_file)
    with Catalogue.open(path) as catalogue:
        assert not catalogue.encrypted
    assert not keys.key_file_path(path).exists()


def test_a_catalogue_open_elsewhere_is_not_converted(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True) as catalogue:
        catalogue.units.create({"title": "Kept as it is"})
        with pytest.raises(CatalogueLocked):
            encryption.encrypt(path, PASSPHRASE)
        assert catalogue.units.find("CAT-0001").title == "Kept as it is"
    assert not Catalogue.is_encrypted(path)


def test_changing_the_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE).close()
    with pytest.raises(ValidationError):
        encryption.change_passphrase(path, PASSPHRASE, "short")
    with pytest.raises(WrongPassphrase):
        encryption.change_passphrase(path, "not it at all", "a new long passphrase")
    encryption.change_passphrase(path, PASSPHRASE, "a new long passphrase")
    with pytest.raises(WrongPassphrase):
        Catalogue.open(path, passphrase=PASSPHRASE)
    Catalogue.open(path, passphrase="a new long passphrase").close()


def test_an_encrypted_backup_restores_only_with_its_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE) as catalogue:
        _stock(catalogue, tmp_path / "incoming")
        catalogue.backup(tmp_path / "backup")
    with pytest.raises(WrongPassphrase):
        restore(tmp_path / "backup", tmp_path / "r.sqlite", passphrase="not the passphrase")
    assert not (tmp_path / "r.sqlite").exists()
    restore(tmp_path / "backup", tmp_path / "r.sqlite", passphrase=PASSPHRASE)
    with Catalogue.open(tmp_path / "r.sqlite", passphrase=PASSPHRASE) as restored:
        assert restored.units.find("CAT-0001").title == TITLE
        assert _intact(restored)


def test_an_encrypted_catalogue_is_not_an_sqlite_database_to_other_programs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.sqlite"
    Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE).close()
    with closing(sqlite3.connect(path)) as connection, pytest.raises(sqlite3.DatabaseError):
        connection.execute("SELECT * FROM sqlite_master").fetchall()


def test_an_encrypted_catalogue_is_exported_only_in_clear_on_purpose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE) as catalogue:
        _stock(catalogue, tmp_path / "incoming")
    monkeypatch.setenv("CATALOG_PASSPHRASE", PASSPHRASE)
    (tmp_path / "out").mkdir()
    output = tmp_path / "out" / "finding-aid.csv"
    assert main(["--db", str(path), "export", "csv", str(output)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--in-clear" in err
    assert not output.exists()
    assert not any((tmp_path / "out").iterdir())
    code = main(["--db", str(path), "export", "csv", str(output), "--in-clear"])
    assert code == 0, capsys.readouterr().err
    assert TITLE in output.read_text(encoding="utf-8")


def test_a_catalogue_without_originals_is_encrypted_and_decrypted(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with Catalogue.open(path, create=True) as catalogue:
        catalogue.units.create({"title": TITLE})
    assert encryption.encrypt(path, PASSPHRASE).encrypted
    with Catalogue.open(path, passphrase=PASSPHRASE) as catalogue:
        assert catalogue.units.find("CAT-0001").title == TITLE
    assert not encryption.decrypt(path, PASSPHRASE).encrypted
