"""Backups with their originals, restore, and automatic backups: round trips bit for bit,
damaged backups refused by name, consistency while another connection writes, a full disk."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bagit
import pytest

from catalog_app.cli import main
from catalog_app.errors import CatalogueReadOnly
from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.services.backups import (
    AutomaticBackups,
    automatic_folder,
    restore,
    write_backup,
)
from catalog_app.staging import staging_path
from catalog_app.storage import driver
from catalog_app.storage.migrate import SCHEMA_HEAD
from tests.disk import fill, small_filesystem

NAMES = {
    "گزارش شاهدان.txt": "گزارش شاهدان از خاوران در تابستان ۱۳۶۷".encode(),
    "نامه‌ی خانواده‌ها.txt": "خانواده‌ها در خاوران گرد آمدند".encode(),
    "testimony.txt": b"Relatives gathered at Khavaran cemetery on Friday.",
    "scan.bin": bytes(range(256)) * 4096,  # 1 MB of every byte value
}


@pytest.fixture
def stocked(catalogue: Catalogue, tmp_path: Path) -> Catalogue:
    """A catalogue holding several originals, Persian names among them."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name, data in NAMES.items():
        (folder / name).write_bytes(data)
    report = catalogue.imports.run([folder], workers=1)
    assert report.count("imported") == len(NAMES), report.items
    return catalogue


def _tables(database: Path) -> dict[str, list[tuple[object, ...]]]:
    # The program's own SQLite: the search index needs a newer one than the standard module's.
    with closing(driver.connect(database, readonly=True)) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: sorted(db.execute(f'SELECT * FROM "{name}"'), key=repr) for name in names}


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and store.INCOMING not in p.parts
    }


def _leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if ".partial-" in p.name or "restoring" in p.name
    )


def _backup(catalogue: Catalogue, destination: Path) -> Path:
    assert main(["--db", str(catalogue.path), "backup", str(destination)]) == 0
    return destination


def _flip_byte(path: Path, offset: int = 100) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


# -- the round trip -------------------------------------------------------------------------


def test_backup_and_restore_round_trip_bit_for_bit(
    stocked: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = tmp_path / "backups" / "monday"
    assert main(["--db", str(stocked.path), "backup", str(destination), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["path"] == str(stocked.path)
    assert said["backup"] == str(destination)
    assert said["originals"] == len(NAMES)
    assert said["verified"] is True
    assert said["bytes"] > sum(len(d) for d in NAMES.values())
    assert isinstance(said["seconds"], float)

    target = tmp_path / "elsewhere" / "restored.sqlite"
    assert main(["restore", str(destination), str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Restored {destination} to {target}: the catalogue and 4 originals")

    assert sorted(p.name for p in target.parent.iterdir()) == [  # one file, and its originals
        "restored-originals",
        "restored.sqlite",
    ]
    assert _tables(target) == _tables(stocked.path)
    assert _files(store.store_root(target)) == _files(store.store_root(stocked.path))
    assert len(_files(store.store_root(target))) == len(NAMES)
    assert main(["--db", str(target), "check"]) == 0
    assert main(["--db", str(target), "verify"]) == 0
    with Catalogue.open(target) as restored:
        assert restored.search.search("خاوران", limit=5).total == 2
    assert _leftovers(tmp_path / "elsewhere") == []


def test_a_backup_is_a_valid_bag_that_names_nothing_local(
    stocked: Catalogue, tmp_path: Path
) -> None:
    destination = _backup(stocked, tmp_path / "bag")
    bag = bagit.Bag(str(destination))
    bag.validate()
    payload = set(bag.payload_entries())
    assert f"data/{stocked.path.name}" in payload
    assert sum(p.startswith(f"data/{store.store_root(stocked.path).name}/") for p in payload) == 4
    info = (destination / "bag-info.txt").read_text(encoding="utf-8")
    assert "Payload-Oxum" in info
    assert f"Catalogue-Schema-Revision: {SCHEMA_HEAD}" in info
    assert "catalog-app" in info
    assert str(tmp_path) not in info
    assert sorted(p.name for p in destination.iterdir()) == [
        "bag-info.txt",
        "bagit.txt",
        "data",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
    ]
    with closing(sqlite3.connect(destination / "data" / stocked.path.name)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_backup_says_what_it_wrote_and_refuses_an_existing_folder(
    stocked: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = _backup(stocked, tmp_path / "copy")
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"Backed up {stocked.path} to {destination}: the catalogue and 4 ")
    assert out.endswith("MB), verified.")
    assert main(["--db", str(stocked.path), "backup", str(destination)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "already exists" in err


# -- damaged backups ------------------------------------------------------------------------


def _original_in(backup: Path, catalogue: Catalogue) -> Path:
    folder = backup / "data" / store.store_root(catalogue.path).name
    return max((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize(
    "damage", ["flipped original", "deleted original", "flipped catalogue", "extra file"]
)
def test_a_damaged_backup_is_refused_naming_the_bad_file(
    stocked: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    backup = _backup(stocked, tmp_path / "backup")
    capsys.readouterr()
    original = _original_in(backup, stocked)
    bad = original.relative_to(backup).as_posix()
    if damage == "flipped original":
        _flip_byte(original)
    elif damage == "deleted original":
        original.unlink()
    elif damage == "flipped catalogue":
        catalogue_copy = backup / "data" / stocked.path.name
        _flip_byte(catalogue_copy, offset=5000)
        bad = catalogue_copy.relative_to(backup).as_posix()
    else:
        (backup / "data" / "notes.txt").write_text("slipped in")
        bad = "data/notes.txt"
    target = tmp_path / "out" / "restored.sqlite"
    assert main(["restore", str(backup), str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("catalog: The backup is damaged: ")
    assert bad in err
    assert err.count("\n") == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_restore_refuses_a_folder_that_is_not_a_backup_and_an_existing_target(
    stocked: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup(stocked, tmp_path / "backup")
    assert main(["restore", str(backup / "data"), str(tmp_path / "a.sqlite")]) == 1
    assert "not a backup" in capsys.readouterr().err
    assert main(["restore", str(backup), str(stocked.path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert not (tmp_path / "a.sqlite").exists()


# -- consistency, interruption, failure -----------------------------------------------------


def test_backup_while_another_connection_writes_is_consistent(
    stocked: Catalogue, tmp_path: Path
) -> None:
    started, stop = threading.Event(), threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        with Catalogue.open(stocked.path, actor="other") as other:
            while not stop.is_set():
                written.append(
                    other.units.create({"title": f"Written meanwhile {len(written)}"}).id
                )
                started.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert started.wait(60)
        report = write_backup(stocked, tmp_path / "busy")
    finally:
        stop.set()
        writer.join()
    target = tmp_path / "restored" / "busy.sqlite"
    restore(report.path, target)  # checks integrity, the audit chain and every original
    assert main(["--db", str(target), "check"]) == 0
    with Catalogue.open(target) as restored:
        units = restored.stats().counts["units"]
    assert len(NAMES) < units <= len(NAMES) + len(written) + 1


def test_cancelling_leaves_nothing(stocked: Catalogue, tmp_path: Path) -> None:
    calls: list[int] = []

    def stop_soon(done: int, total: int) -> bool:
        calls.append(done)
        return len(calls) < 3

    report = write_backup(stocked, tmp_path / "stopped", report=stop_soon)
    assert report.cancelled
    assert not (tmp_path / "stopped").exists()
    assert _leftovers(tmp_path) == []


def test_lost_originals_are_named_and_everything_else_is_backed_up_and_restored(
    stocked: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = store.store_root(stocked.path)
    copies = sorted(p for p in root.rglob("*") if p.is_file() and p.parent.name != ".incoming")
    gone, altered = copies[0], copies[1]
    gone.unlink()
    altered.chmod(0o644)
    altered.write_bytes(altered.read_bytes() + b"!")
    backup = tmp_path / "b"
    assert main(["--db", str(stocked.path), "backup", str(backup), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["originals"] == len(copies) - 2
    assert len(result["not_backed_up"]) == 2
    assert any("cannot be read" in line for line in result["not_backed_up"])
    assert any("no longer matches" in line for line in result["not_backed_up"])
    assert bagit.Bag(str(backup)).is_valid()

    target = tmp_path / "restored" / "cat.sqlite"
    assert main(["restore", str(backup), str(target)]) == 0
    out = capsys.readouterr().out
    assert "2 original(s) were already missing or altered" in out
    restored = store.store_root(target)
    kept = sorted(p.name for p in restored.rglob("*") if p.is_file())
    assert kept == sorted(p.name for p in copies[2:])
    assert main(["--db", str(target), "verify"]) == 1  # names the two lost ones


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_a_killed_backup_or_restore_is_cleaned_up_by_the_next(
    stocked: Catalogue, tmp_path: Path
) -> None:
    pid = _dead_pid()
    stale_backup = tmp_path / f".old.partial-{pid}-0123abcd"
    (stale_backup / "data").mkdir(parents=True)
    (stale_backup / "data" / "half").write_bytes(b"x")
    (stale_backup / "data" / "half").chmod(0o444)
    # A restore killed after it had placed the originals, before the catalogue file.
    stale_restore = tmp_path / f".lost.sqlite.partial-{pid}-4567cdef"
    stale_restore.mkdir()
    (stale_restore / "originals-placed").write_text("lost.sqlite", encoding="utf-8")
    (tmp_path / "lost-originals" / "ab").mkdir(parents=True)
    alive = staging_path(tmp_path / "mine")  # this very process: kept
    alive.mkdir()
    write_backup(stocked, tmp_path / "fresh")
    assert not stale_backup.exists()
    assert not stale_restore.exists()
    assert not (tmp_path / "lost-originals").exists()
    assert alive.exists()
    restore(tmp_path / "fresh", tmp_path / "lost.sqlite")
    assert (tmp_path / "lost-originals").is_dir()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (skips where one cannot be mounted)."""
    with small_filesystem(tmp_path / "small", 2048) as disk:
        yield disk


@pytest.mark.parametrize("room", [0, 512 * 1024], ids=["at the snapshot", "at an original"])
def test_a_full_disk_gives_one_line_leaves_nothing_and_a_rerun_succeeds(
    stocked: Catalogue, small_disk: Path, capsys: pytest.CaptureFixture[str], room: int
) -> None:
    filler = fill(small_disk)
    os.truncate(filler, filler.stat().st_size - room)  # `room` bytes left: not enough
    destination = small_disk / "backup"
    assert main(["--db", str(stocked.path), "backup", str(destination)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"not enough space on the disk for the backup at {destination}" in err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    filler.unlink()
    assert main(["--db", str(stocked.path), "backup", str(destination)]) == 0
    assert "verified" in capsys.readouterr().out
    bagit.Bag(str(destination)).validate()


def test_a_full_disk_during_restore_leaves_nothing(
    stocked: Catalogue, tmp_path: Path, small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup(stocked, tmp_path / "backup")
    capsys.readouterr()
    fill(small_disk)
    assert main(["restore", str(backup), str(small_disk / "r.sqlite")]) == 1
    assert "not enough space" in capsys.readouterr().err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


# -- automatic backups ----------------------------------------------------------------------


def test_automatic_backups_rotate_and_share_unchanged_originals(
    stocked: Catalogue, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    automatic = AutomaticBackups(stocked.path)
    assert automatic.folder == automatic_folder(stocked.path)
    assert automatic.folder.is_relative_to(isolated_home)
    assert automatic.due()
    moments = iter(datetime(2026, 1, day, 9, tzinfo=UTC) for day in range(1, 10))

    class Clock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return next(moments)

    monkeypatch.setattr("catalog_app.services.backups.datetime", Clock)
    reports = [automatic.run(stocked, keep=3) for _ in range(5)]
    assert [r.linked for r in reports] == [0, 4, 4, 4, 4]
    kept = [path for _when, path in automatic.existing()]
    assert [p.name for p in kept] == [r.path.name for r in reports[-3:]]
    first, last = (
        _original_in(kept[0], stocked),
        _original_in(kept[-1], stocked),
    )
    assert first.stat().st_ino == last.stat().st_ino  # one copy on the disk
    assert automatic.last() == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert not automatic.due(datetime(2026, 1, 5, 20, tzinfo=UTC))
    assert automatic.due(datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(days=1))
    restore(kept[-1], tmp_path / "from-auto.sqlite")
    assert _files(store.store_root(tmp_path / "from-auto.sqlite")) == _files(
        store.store_root(stocked.path)
    )


def test_a_damaged_copy_in_the_previous_backup_is_not_linked_again(
    stocked: Catalogue, tmp_path: Path
) -> None:
    automatic = AutomaticBackups(stocked.path, tmp_path / "auto")
    first = write_backup(stocked, tmp_path / "auto" / "backup-20260101T000000Z")
    _flip_byte(_original_in(first.path, stocked))
    second = automatic.run(stocked, keep=5)
    assert second.linked == 3
    bagit.Bag(str(second.path)).validate()


def test_no_automatic_backup_of_a_read_only_catalogue(stocked: Catalogue, tmp_path: Path) -> None:
    path = stocked.path
    with Catalogue.open(path, readonly=True) as read_only, pytest.raises(CatalogueReadOnly):
        AutomaticBackups(path, tmp_path / "auto").run(read_only, keep=7)
    assert not (tmp_path / "auto").exists()
