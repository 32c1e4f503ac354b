"""The store of an encrypted catalogue: every copy sealed, named by a keyed hash, and any
change to a sealed copy found when it is opened."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_app.ingest import sealed, store

SENTENCE = b"The witness saw the convoy leave the northern checkpoint at dawn."
KEY = store.StoreKey(sealing=bytes(range(32)), naming=bytes(range(32, 64)))
OTHER_KEY = store.StoreKey(sealing=bytes(range(1, 33)), naming=bytes(range(32, 64)))


def _testimony(size: int) -> bytes:
    """`size` bytes holding the sentence at its start, its end and across chunk edges."""
    filler = os.urandom(size)
    data = bytearray(filler)
    for at in (0, sealed.CHUNK - len(SENTENCE) // 2, size - len(SENTENCE)):
        if 0 <= at <= size - len(SENTENCE):
            data[at : at + len(SENTENCE)] = SENTENCE
    return bytes(data)


def _store_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.parametrize(
    "size", [0, 1, len(SENTENCE), sealed.CHUNK, sealed.CHUNK + 1, 3 * sealed.CHUNK + 17]
)
def test_a_sealed_copy_opens_to_the_original_bytes(tmp_path: Path, size: int) -> None:
    data = _testimony(size) if size >= len(SENTENCE) else os.urandom(size)
    source = tmp_path / "statement.txt"
    source.write_bytes(data)
    root = tmp_path / "originals"
    stored = store.put(source, root, KEY)
    digest = hashlib.sha256(data).hexdigest()
    assert (stored.sha256, stored.size) == (digest, size)
    copy = root / stored.relative_path
    assert copy.stat().st_size == sealed.sealed_size(size)
    assert b"".join(store.open_plain(copy, KEY)) == data
    assert store.sha256_of(copy, key=KEY) == digest
    assert store.sha256_of(copy, key=KEY, from_disk=True) == digest
    target = tmp_path / "opened.txt"
    store.copy_plain(copy, target, KEY)
    assert target.read_bytes() == data
    from_memory = store.put_bytes(data, tmp_path / "other", key=KEY)
    assert from_memory.relative_path == stored.relative_path
    assert b"".join(store.open_plain(tmp_path / "other" / stored.relative_path, KEY)) == data


def test_no_plaintext_and_no_known_hash_is_on_disk(tmp_path: Path) -> None:
    data = _testimony(2 * sealed.CHUNK + 100)
    source = tmp_path / "statement.txt"
    source.write_bytes(data)
    root = tmp_path / "originals"
    stored = store.put(source, root, KEY)
    store.put_bytes(SENTENCE * 3, root, key=KEY)
    on_disk = _store_bytes(root)
    assert SENTENCE not in on_disk
    assert SENTENCE[:16] not in on_disk
    names = [p.name for p in root.rglob("*")]
    assert stored.sha256 not in " ".join(names)
    assert hashlib.sha256(SENTENCE * 3).hexdigest() not in " ".join(names)
    assert stored.relative_path == store.relative_path(stored.sha256, KEY)
    assert stored.relative_path != store.relative_path(stored.sha256)
    assert store.relative_path(stored.sha256, KEY) != store.relative_path(
        stored.sha256, store.StoreKey(KEY.sealing, bytes(32))
    )


def test_the_same_original_is_stored_once_under_its_key(tmp_path: Path) -> None:
    root = tmp_path / "originals"
    (tmp_path / "a.txt").write_bytes(SENTENCE)
    (tmp_path / "b.txt").write_bytes(SENTENCE)
    first = store.put(tmp_path / "a.txt", root, KEY)
    second = store.put(tmp_path / "b.txt", root, KEY)
    assert first == second
    assert not second.new
    assert not store.put_bytes(SENTENCE, root, key=KEY).new
    assert len([p for p in root.rglob("*") if p.is_file()]) == 1


def _sealed_copy(tmp_path: Path, data: bytes) -> Path:
    root = tmp_path / "originals"
    stored = store.put_bytes(data, root, key=KEY)
    copy = root / stored.relative_path
    copy.chmod(0o600)
    return copy


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


CHUNK_ON_DISK = sealed.CHUNK + sealed.ABYTES


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: _flip(b, len(b) // 2), id="a flipped byte in a chunk"),
        pytest.param(lambda b: _flip(b, 3), id="a flipped byte in the magic"),
        pytest.param(lambda b: _flip(b, sealed.HEADER_BYTES - 1), id="a flipped nonce byte"),
        pytest.param(lambda b: _flip(b, len(b) - 1), id="a flipped byte in the last tag"),
        pytest.param(lambda b: b[:-1], id="cut by one byte"),
        pytest.param(lambda b: b[: sealed.HEADER_BYTES + CHUNK_ON_DISK], id="cut at a chunk"),
        pytest.param(lambda b: b[: sealed.HEADER_BYTES], id="only the header"),
        pytest.param(lambda b: b[:5], id="cut inside the header"),
        pytest.param(lambda b: b + b"\0", id="a byte added at the end"),
        pytest.param(
            lambda b: (
                b[: sealed.HEADER_BYTES]
                + b[sealed.HEADER_BYTES + CHUNK_ON_DISK : sealed.HEADER_BYTES + 2 * CHUNK_ON_DISK]
                + b[sealed.HEADER_BYTES : sealed.HEADER_BYTES + CHUNK_ON_DISK]
                + b[sealed.HEADER_BYTES + 2 * CHUNK_ON_DISK :]
            ),
            id="two chunks swapped",
        ),
        pytest.param(
            lambda b: (
                b[: sealed.HEADER_BYTES + CHUNK_ON_DISK]
                + b[sealed.HEADER_BYTES + 2 * CHUNK_ON_DISK :]
            ),
            id="a chunk dropped",
        ),
        pytest.param(lambda b: _testimony(len(b)), id="not sealed at all"),
    ],
)
def test_a_changed_sealed_copy_is_not_authentic(tmp_path: Path, damage: object) -> None:
    data = _testimony(3 * sealed.CHUNK + 5)
    copy = _sealed_copy(tmp_path, data)
    assert callable(damage)
    copy.write_bytes(damage(copy.read_bytes()))
    with pytest.raises(store.NotAuthentic):
        store.sha256_of(copy, key=KEY)
    target = tmp_path / "opened.bin"
    with pytest.raises(store.NotAuthentic):
        store.copy_plain(copy, target, KEY)
    assert not target.exists()


def test_a_copy_sealed_under_another_key_is_not_authentic(tmp_path: Path) -> None:
    copy = _sealed_copy(tmp_path, SENTENCE)
    with pytest.raises(store.NotAuthentic):
        store.sha256_of(copy, key=OTHER_KEY)


def test_the_header_and_format_version_are_authenticated(tmp_path: Path) -> None:
    copy = _sealed_copy(tmp_path, SENTENCE)
    raw = copy.read_bytes()
    assert raw.startswith(sealed.MAGIC + bytes([sealed.VERSION]))
    copy.write_bytes(raw[: len(sealed.MAGIC)] + bytes([2]) + raw[len(sealed.MAGIC) + 1 :])
    with pytest.raises(store.NotAuthentic, match="unknown format"):
        store.sha256_of(copy, key=KEY)


def test_a_plain_store_reads_and_names_as_before(tmp_path: Path) -> None:
    source = tmp_path / "statement.txt"
    source.write_bytes(SENTENCE)
    stored = store.put(source, tmp_path / "originals")
    digest = hashlib.sha256(SENTENCE).hexdigest()
    assert stored.relative_path == f"{digest[:2]}/{digest}"
    copy = tmp_path / "originals" / stored.relative_path
    assert copy.read_bytes() == SENTENCE
    assert b"".join(store.open_plain(copy, None)) == SENTENCE


def test_the_key_is_never_shown() -> None:
    assert "StoreKey(<hidden>)" == repr(KEY) == str(KEY)
    assert KEY.sealing.hex() not in repr([KEY])
    with pytest.raises(ValueError, match="32 bytes"):
        store.StoreKey(b"short", bytes(32))


def test_a_store_key_is_taken_from_the_catalogue_keys() -> None:
    class Keys:
        originals = bytes(range(32))
        names = bytes(range(32, 64))

    assert store.StoreKey.of(Keys()) == KEY


_KILLED_WHILE_STORING = """
import os, signal, sys
from pathlib import Path
from catalog_app.ingest import store

def killed(fd):
    os.kill(os.getpid(), signal.SIGKILL)

store._flush_to_disk = killed
key = store.StoreKey(sealing=bytes(range(32)), naming=bytes(range(32, 64)))
store.put(Path(sys.argv[1]), Path(sys.argv[2]), key)
"""


def test_an_import_killed_while_storing_leaves_only_sealed_bytes(tmp_path: Path) -> None:
    source = tmp_path / "statement.txt"
    source.write_bytes(_testimony(2 * sealed.CHUNK + 100))
    root = tmp_path / "originals"
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_STORING, str(source), str(root)], check=False
    )
    assert killed.returncode == -signal.SIGKILL
    [leftover] = (root / store.INCOMING).iterdir()
    assert leftover.stat().st_size == sealed.sealed_size(source.stat().st_size)
    assert SENTENCE not in leftover.read_bytes()
    assert b"".join(store.open_plain(leftover, KEY)) == source.read_bytes()
