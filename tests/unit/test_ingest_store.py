"""The store of originals keeps bit-exact, read-only copies and never a half file."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_app.ingest import store


def test_a_copy_is_bit_exact_read_only_and_named_by_its_hash(tmp_path: Path) -> None:
    data = os.urandom(3 * store.CHUNK + 17)
    source = tmp_path / "scan.tif"
    source.write_bytes(data)
    root = tmp_path / "originals"
    stored = store.put(source, root)
    digest = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == digest
    assert stored.size == len(data)
    copy = root / stored.relative_path
    assert copy.read_bytes() == data
    assert copy.name == digest
    assert not copy.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert store.sha256_of(copy) == digest
    assert list((root / store.INCOMING).iterdir()) == []


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    root = tmp_path / "originals"
    (tmp_path / "a.txt").write_text("same")
    (tmp_path / "b.txt").write_text("same")
    first = store.put(tmp_path / "a.txt", root)
    second = store.put(tmp_path / "b.txt", root)
    assert first == second
    assert len([p for p in root.rglob("*") if p.is_file()]) == 1


def test_a_damaged_leftover_under_the_real_name_is_replaced(tmp_path: Path) -> None:
    root = tmp_path / "originals"
    source = tmp_path / "a.txt"
    source.write_bytes(b"the whole testimony")
    digest = hashlib.sha256(b"the whole testimony").hexdigest()
    leftover = root / store.relative_path(digest)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"the wh")  # what an old crash might have left
    leftover.chmod(0o444)
    store.put(source, root)
    assert leftover.read_bytes() == b"the whole testimony"


def test_a_crash_while_copying_leaves_no_file_under_a_real_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(2 * store.CHUNK))
    root = tmp_path / "originals"

    def power_cut(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store, "_flush_to_disk", power_cut)
    with pytest.raises(OSError, match="Input/output"):
        store.put(source, root)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files == []


def test_leftover_temporary_files_are_cleared(tmp_path: Path) -> None:
    root = tmp_path / "originals"
    (root / store.INCOMING).mkdir(parents=True)
    (root / store.INCOMING / "abc.part").write_bytes(b"half")
    store.clear_incoming(root)
    assert list((root / store.INCOMING).iterdir()) == []


def test_the_store_sits_beside_the_catalogue(tmp_path: Path) -> None:
    assert store.store_root(tmp_path / "field.sqlite") == tmp_path / "field-originals"


def test_only_copies_left_by_stopped_imports_are_cleared(tmp_path: Path) -> None:
    incoming = tmp_path / store.INCOMING
    incoming.mkdir()
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    writing = incoming / f"{os.getpid()}-{'a' * 32}.part"  # another import, still copying
    stopped = incoming / f"{finished.pid}-{'b' * 32}.part"
    older = incoming / f"{'c' * 32}.part"  # named before copies carried their writer's pid
    for part in (writing, stopped, older):
        part.write_bytes(b"half")
    store.clear_incoming(tmp_path)
    assert sorted(p.name for p in incoming.iterdir()) == [writing.name]


def test_a_staged_copy_has_no_real_name_until_its_batch_is_settled(tmp_path: Path) -> None:
    root = tmp_path / "originals"
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    first = store.stage_bytes(b"testimony one", root, owner=os.getpid())
    twice = store.stage_bytes(b"testimony one", root, owner=os.getpid())  # two workers
    other = store.stage_bytes(b"testimony two", root, owner=os.getpid())
    abandoned = store.stage_bytes(b"testimony three", root, owner=finished.pid)
    assert first.staged
    assert twice.staged
    assert other.staged
    assert abandoned.staged
    assert not (root / first.relative_path).exists()  # a crash now leaves no record's copy
    store.clear_incoming(root)  # another import starting meanwhile
    assert not (root / store.INCOMING / abandoned.staged).exists()  # its import is gone
    store.settle_staged(
        root,
        [(s.staged, s.relative_path) for s in (first, twice, other) if s.staged],
    )
    copy = root / first.relative_path
    assert copy.read_bytes() == b"testimony one"
    assert (root / other.relative_path).read_bytes() == b"testimony two"
    assert not copy.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert list((root / store.INCOMING).iterdir()) == []  # the second copy of one was dropped
    again = store.stage_bytes(b"testimony one", root, owner=os.getpid())
    assert again.staged is None  # already stored: nothing written
    assert not again.new


def test_staged_copies_of_files_that_failed_are_discarded(tmp_path: Path) -> None:
    root = tmp_path / "originals"
    staged = store.stage_bytes(b"not what its name says", root, owner=os.getpid())
    assert staged.staged is not None
    store.discard_staged(root, [staged.staged])
    assert list(root.rglob("*.part")) == []
    assert not (root / staged.relative_path).exists()
