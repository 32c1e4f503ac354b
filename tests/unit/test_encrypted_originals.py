"""The originals of an encrypted catalogue: imported, added, verified, opened and carried in
bags through the ordinary services, with no plaintext of them in the store."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bagit
import pytest

from catalog_app import clear_copies
from catalog_app.cli import main
from catalog_app.domain.records import FileRecord
from catalog_app.errors import DiskFull
from catalog_app.ingest import prepare, sealed, store
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from catalog_app.services.bags import BagService
from catalog_app.services.export_source import Selection
from catalog_app.services.originals import OriginalsService, forget_viewable_copies

PASSPHRASE = "correct horse battery staple"
SENTENCE = "The witness saw the convoy leave the northern checkpoint at dawn."
INFO = {"Source-Organization": "Independent archive", "Bag-Count": "1 of 1"}


@pytest.fixture(scope="session")
def sealed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty encrypted catalogue and its key file, made once (tests get copies)."""
    path = tmp_path_factory.mktemp("sealed-template") / "catalogue.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CATALOG_KDF_MEMORY_MB", "8")
        Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE).close()
    return path


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CATALOG_KDF_MEMORY_MB", "8")
    monkeypatch.setenv("CATALOG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir(mode=0o700)


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files read in this process (quicker); the tests that leave it out use the workers."""
    monkeypatch.setattr(ingest_service, "IN_PROCESS", True)


@pytest.fixture
def catalogue(tmp_path: Path, sealed_template: Path) -> Iterator[Catalogue]:
    """An empty encrypted catalogue, open."""
    path = tmp_path / "sealed" / "catalogue.sqlite"
    path.parent.mkdir()
    for made in sealed_template.parent.iterdir():
        shutil.copyfile(made, path.with_name(made.name.replace(sealed_template.name, path.name)))
    with Catalogue.open(path, passphrase=PASSPHRASE) as opened:
        yield opened


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "statement.txt").write_text(f"{SENTENCE}\nSigned in Khavaran.\n", encoding="utf-8")
    (folder / "notes.md").write_text(f"# Notes\n\n{SENTENCE} Again.\n", encoding="utf-8")
    # Larger than what is read whole into memory: stored while it is read.
    big = bytearray(os.urandom(prepare.IN_MEMORY_BYTES + sealed.CHUNK // 2))
    big[: len(SENTENCE)] = SENTENCE.encode()
    big[-len(SENTENCE) :] = SENTENCE.encode()
    (folder / "scan.bin").write_bytes(bytes(big))
    return [folder / "statement.txt", folder / "notes.md", folder / "scan.bin"]


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _files(catalogue: Catalogue, ids: list[int]) -> dict[str, FileRecord]:
    return {f.original_name: f for i in ids for f in catalogue.units.get(i).files}


def test_imported_originals_are_sealed_and_verify(
    catalogue: Catalogue,
    documents: list[Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    report = catalogue.imports.run(documents, workers=2)
    assert report.count("imported") == 3
    assert list((tmp_path / "runtime").iterdir()) == []  # the workers' scratch folders went
    root = store.store_root(catalogue.path)
    on_disk = _everything_under(root)
    assert SENTENCE.encode() not in on_disk
    assert b"Khavaran" not in on_disk
    names = " ".join(p.name for p in root.rglob("*"))
    for document in documents:
        digest = hashlib.sha256(document.read_bytes()).hexdigest()
        assert digest not in names
    files = _files(catalogue, list(report.new_ids))
    for document in documents:
        file = files[document.name]
        assert file.stored_path is not None
        copy = root / file.stored_path
        assert copy.read_bytes().startswith(sealed.MAGIC)
        assert file.size == document.stat().st_size
        assert store.sha256_of(copy, key=catalogue.store_key) == file.sha256
    text = OriginalsService(catalogue).texts(report.new_ids[0])[0].text
    assert SENTENCE in text  # extracted although the copy is sealed

    again = catalogue.imports.run(documents[:1], workers=1)
    assert again.count("duplicate") == 1
    catalogue.close()

    assert main(["--db", str(catalogue.path), "verify"]) == 0
    assert "3 match" in capsys.readouterr().out


def test_a_tampered_sealed_original_is_reported_altered(
    catalogue: Catalogue,
    documents: list[Path],
    capsys: pytest.CaptureFixture[str],
    in_process: None,
) -> None:
    report = catalogue.imports.run(documents[:2], workers=1)
    files = _files(catalogue, list(report.new_ids))
    file = files["statement.txt"]
    assert file.stored_path is not None
    copy = store.store_root(catalogue.path) / file.stored_path
    copy.chmod(0o600)
    raw = bytearray(copy.read_bytes())
    raw[-5] ^= 0x40
    copy.write_bytes(bytes(raw))
    result = OriginalsService(catalogue).verify(file.id)
    assert not result.matches
    assert result.kind == "altered"
    catalogue.close()

    assert main(["--db", str(catalogue.path), "verify"]) == 1
    out = capsys.readouterr().out
    assert "altered:" in out
    assert "fails its authenticity check" in out
    assert main(["--db", str(catalogue.path), "verify", "--json"]) == 1
    json_out = capsys.readouterr().out
    assert '"altered": [' in json_out
    assert "authenticity" in json_out


def test_an_added_original_is_sealed_and_opens_decrypted_in_a_private_folder(
    catalogue: Catalogue, documents: list[Path], tmp_path: Path
) -> None:
    [unit_id] = catalogue.imports.run(documents[:1], workers=1).new_ids
    originals = OriginalsService(catalogue)
    added = originals.attach(unit_id, documents[1])
    copy = originals.stored_copy(added)
    assert copy is not None
    assert SENTENCE.encode() not in copy.read_bytes()
    assert originals.verify(added.id).matches

    viewable = originals.viewable_copy(added)
    assert viewable.read_bytes() == documents[1].read_bytes()
    assert viewable.name == "notes.md"
    assert viewable.is_relative_to(tmp_path / "runtime")
    assert stat.S_IMODE(viewable.parent.parent.stat().st_mode) == 0o700
    assert not viewable.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    forget_viewable_copies()
    assert not viewable.exists()
    assert list((tmp_path / "runtime").iterdir()) == []


def test_a_plain_catalogue_opens_a_copy_never_its_stored_copy(
    tmp_path: Path, documents: list[Path], empty_catalogue_file: Path, in_process: None
) -> None:
    shutil.copyfile(empty_catalogue_file, tmp_path / "plain.sqlite")
    with Catalogue.open(tmp_path / "plain.sqlite") as plain:
        [unit_id] = plain.imports.run(documents[:1], workers=1).new_ids
        originals = OriginalsService(plain)
        [file] = originals.files(unit_id)
        assert plain.store_key is None
        viewable = originals.viewable_copy(file)
        assert viewable != originals.stored_copy(file)
        assert viewable.is_relative_to(tmp_path / "runtime")
        assert viewable.read_bytes() == documents[0].read_bytes()
        forget_viewable_copies()
        assert not viewable.exists()


@pytest.fixture
def small_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[Path, int]:
    """A folder in memory with room for 100 KB beside the headroom kept free, and a
    temporary folder of the test's own; the test sets how many bytes each has free."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    free = {tmp_path / "runtime": clear_copies.HEADROOM + 100_000, temporary: 10 << 30}
    real = shutil.disk_usage

    def usage(path: str | os.PathLike[str]) -> Any:
        measured = real(path)
        room = next((room for base, room in free.items() if Path(path).is_relative_to(base)), None)
        return measured if room is None else measured._replace(free=room)

    monkeypatch.setattr(shutil, "disk_usage", usage)
    return free


def test_a_copy_too_big_for_the_folder_in_memory_goes_to_a_private_temporary_folder(
    tmp_path: Path,
    documents: list[Path],
    empty_catalogue_file: Path,
    in_process: None,
    small_runtime: dict[Path, int],
) -> None:
    shutil.copyfile(empty_catalogue_file, tmp_path / "plain.sqlite")
    with Catalogue.open(tmp_path / "plain.sqlite") as plain:
        [small, big] = plain.imports.run([documents[0], documents[2]], workers=1).new_ids
        originals = OriginalsService(plain)
        [small_file], [big_file] = originals.files(small), originals.files(big)
        assert big_file.size > 100_000 > small_file.size

        assert originals.viewable_copy(small_file).is_relative_to(tmp_path / "runtime")
        viewable = originals.viewable_copy(big_file)
        assert viewable.is_relative_to(tmp_path / "tmp")
        assert viewable.read_bytes() == documents[2].read_bytes()
        assert stat.S_IMODE(viewable.parent.parent.stat().st_mode) == 0o700
        assert not viewable.stat().st_mode & (stat.S_IWUSR | stat.S_IRWXG | stat.S_IRWXO)

        small_runtime[tmp_path / "tmp"] = 1_000  # now nowhere has the room
        with pytest.raises(DiskFull) as refused:
            originals.viewable_copy(big_file)
        said = str(refused.value)
        assert "\n" not in said
        assert said.startswith("There is no room for a copy of scan.bin (")
        assert str(tmp_path / "tmp") in said
        forget_viewable_copies()
        assert not viewable.exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_decrypted_copy_never_goes_to_a_disk_for_want_of_room(
    catalogue: Catalogue,
    documents: list[Path],
    tmp_path: Path,
    in_process: None,
    small_runtime: dict[Path, int],
) -> None:
    [unit_id] = catalogue.imports.run([documents[2]], workers=1).new_ids
    [file] = OriginalsService(catalogue).files(unit_id)
    with pytest.raises(DiskFull, match=r"no room for a copy of scan\.bin"):
        OriginalsService(catalogue).viewable_copy(file)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_bags_carry_originals_decrypted_and_bring_them_in_sealed(
    catalogue: Catalogue, documents: list[Path], tmp_path: Path, in_process: None
) -> None:
    catalogue.imports.run(documents[:2], workers=1)
    bag = tmp_path / "bag"
    report = BagService(catalogue).export(bag, Selection(), metadata={}, bag_info=INFO)
    assert report.originals == 2
    bagit.Bag(str(bag)).validate()
    assert SENTENCE.encode() in _everything_under(bag / "data" / "originals")

    receiver_path = tmp_path / "receiver" / "second.sqlite"
    receiver_path.parent.mkdir()
    with Catalogue.open(
        receiver_path, create=True, encrypt=True, passphrase="another long passphrase"
    ) as receiver:
        brought = BagService(receiver).import_bag(bag)
        assert brought.originals == 2
        root = store.store_root(receiver_path)
        assert SENTENCE.encode() not in _everything_under(root)
        for unit_id in brought.top_ids:
            for file in receiver.units.get(unit_id).files:
                assert OriginalsService(receiver).verify(file.id).matches


def test_an_altered_sealed_original_is_never_exported(
    catalogue: Catalogue, documents: list[Path], tmp_path: Path, in_process: None
) -> None:
    [unit_id] = catalogue.imports.run(documents[:1], workers=1).new_ids
    [file] = OriginalsService(catalogue).files(unit_id)
    assert file.stored_path is not None
    copy = store.store_root(catalogue.path) / file.stored_path
    copy.chmod(0o600)
    copy.write_bytes(copy.read_bytes()[:-1])
    with pytest.raises(Exception, match="authenticity check"):
        BagService(catalogue).export(tmp_path / "bag", Selection(), metadata={}, bag_info=INFO)
    assert not (tmp_path / "bag").exists() or not any((tmp_path / "bag").iterdir())
    with pytest.raises(Exception, match="altered"):
        OriginalsService(catalogue).viewable_copy(file)
