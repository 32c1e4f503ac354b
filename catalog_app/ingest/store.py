"""The store of originals: bit-exact copies beside the catalogue, named by their SHA-256.

A copy is written under a temporary name, flushed to disk, and only then renamed to its
hash, so a crash never leaves a half-written file under a real name. Stored copies are
made read-only: they are the evidentiary originals.

In an encrypted catalogue (a `StoreKey` given) every copy, temporaries included, is written
sealed (see `sealed`) and named by a keyed hash of its SHA-256; the SHA-256 is still that of
the original's own bytes, and a copy's size is still the original's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from catalog_app.file_modes import PRIVATE_READ_ONLY, make_private_folder, private_opener
from catalog_app.ingest.sealed import CHUNK as CHUNK
from catalog_app.ingest.sealed import NotAuthentic as NotAuthentic
from catalog_app.ingest.sealed import StoreKey as StoreKey
from catalog_app.ingest.sealed import read_full, seal, sealed_name, sealed_size, unseal
from catalog_app.staging import process_alive

INCOMING = ".incoming"
STORE_SUFFIX = "-originals"


def store_root(catalogue: Path) -> Path:
    """`catalogue.sqlite` keeps its originals in `catalogue-originals/` beside it."""
    return catalogue.with_name(catalogue.stem + STORE_SUFFIX)


# fdatasync where the system has it (Linux); fsync elsewhere (macOS, Windows).
_flush_to_disk = getattr(os, "fdatasync", os.fsync)


def relative_path(sha256: str, key: StoreKey | None = None) -> str:
    """Where the copy with this SHA-256 lives, relative to the store."""
    name = sha256 if key is None else sealed_name(sha256, key)
    # One level of 256 folders (as git does): a million originals is ~4,000 per folder, which
    # file systems index well, while creating a folder per file would cost more than the copy.
    return f"{name[:2]}/{name}"


def _size_on_disk(size: int, key: StoreKey | None) -> int:
    return size if key is None else sealed_size(size)


def _pieces(reader: IO[bytes]) -> Iterator[bytes]:
    while piece := read_full(reader, CHUNK):
        yield piece


def _written(pieces: Iterable[bytes], key: StoreKey | None) -> Iterable[bytes]:
    """What goes to disk for this plaintext: itself, or its sealed form."""
    return pieces if key is None else seal(pieces, key)


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    relative_path: str
    new: bool = field(default=False, compare=False)  # written now, not found already stored
    staged: str | None = field(default=None, compare=False)  # see `stage_bytes`


def put(source: Path, root: Path, key: StoreKey | None = None) -> Stored:
    """Copy `source` into the store while hashing it (sealed under `key` when given);
    returns where it now lives.

    If the same bytes are already stored (an earlier import, or one that was interrupted
    before it reached the catalogue), the existing copy is kept after checking its size.
    """
    incoming = root / INCOMING
    if not incoming.is_dir():
        make_private_folder(incoming)
    temporary = incoming / _part_name()
    digest = hashlib.sha256()
    size = 0

    def hashed(reader: IO[bytes]) -> Iterator[bytes]:
        nonlocal size
        for piece in _pieces(reader):
            digest.update(piece)
            size += len(piece)
            yield piece

    try:
        with source.open("rb") as reader, open(temporary, "xb", opener=private_opener) as writer:
            for block in _written(hashed(reader), key):
                writer.write(block)
            writer.flush()
            _flush_to_disk(writer.fileno())
        sha256 = digest.hexdigest()
        relative = relative_path(sha256, key)
        final = root / relative
        new = not (final.exists() and final.stat().st_size == _size_on_disk(size, key))
        if new:
            _settle(temporary, final)
        return Stored(sha256=sha256, size=size, relative_path=relative, new=new)
    finally:
        temporary.unlink(missing_ok=True)


def put_bytes(
    data: bytes, root: Path, sha256: str | None = None, key: StoreKey | None = None
) -> Stored:
    """Store bytes already read into memory (small files: read once, hashed, written once),
    sealed under `key` when given."""
    stored = _write_temporary(data, root, sha256, key, None, flush=True)
    if stored.staged is not None:
        temporary = root / INCOMING / stored.staged
        try:
            _settle(temporary, root / stored.relative_path)
        finally:
            temporary.unlink(missing_ok=True)
    return Stored(stored.sha256, stored.size, stored.relative_path, new=stored.new)


def stage_bytes(
    data: bytes,
    root: Path,
    sha256: str | None = None,
    key: StoreKey | None = None,
    owner: int | None = None,
) -> Stored:
    """As `put_bytes`, but the copy is left written and not yet flushed under a temporary
    name (`Stored.staged`, in the store's INCOMING folder): an import's workers stage their
    copies and its writer settles a whole batch with one flush (`settle_staged`) before the
    transaction that refers to them commits. `owner` is the process that settles it (by
    default this one), so that `clear_incoming` leaves it alone while that process lives."""
    return _write_temporary(data, root, sha256, key, owner, flush=False)


def _write_temporary(
    data: bytes,
    root: Path,
    sha256: str | None,
    key: StoreKey | None,
    owner: int | None,
    *,
    flush: bool,
) -> Stored:
    """The copy of `data` under a temporary name (flushed to disk if asked), or, when an
    equal copy is stored already, nothing written (`staged` None)."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    relative = relative_path(sha256, key)
    final = root / relative
    if final.exists() and final.stat().st_size == _size_on_disk(len(data), key):
        return Stored(sha256=sha256, size=len(data), relative_path=relative)
    incoming = root / INCOMING
    if not incoming.is_dir():
        make_private_folder(incoming)
    name = _part_name(owner)
    temporary = incoming / name
    try:
        with open(temporary, "xb", opener=private_opener) as writer:
            pieces = (data[start : start + CHUNK] for start in range(0, len(data), CHUNK))
            for block in _written(pieces, key):
                writer.write(block)
            if flush:
                writer.flush()
                _flush_to_disk(writer.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Stored(sha256=sha256, size=len(data), relative_path=relative, new=True, staged=name)


def settle_staged(root: Path, staged: Iterable[tuple[str, str]]) -> None:
    """Give staged copies (temporary name, relative path) their real names: all flushed to
    disk together first, then renamed, then the renames flushed (with those of any copy
    stored at once). A copy whose name is already taken by an equal copy (the same bytes
    staged twice) is dropped."""
    pairs = [(root / INCOMING / name, root / relative) for name, relative in staged]
    if pairs:
        _flush_all([temporary for temporary, _ in pairs])
        for temporary, final in pairs:
            if final.exists() and final.stat().st_size == temporary.stat().st_size:
                temporary.unlink()
            else:
                _settle(temporary, final)
    make_durable()  # the renames, and the copies of large files stored and named at once


def discard_staged(root: Path, names: Iterable[str]) -> None:
    """Remove staged copies that will not be settled (their files failed)."""
    for name in names:
        (root / INCOMING / name).unlink(missing_ok=True)


def _flush_all(paths: list[Path]) -> None:
    """Flush these files' data to disk: one system-wide sync where there is one (each file's
    data is then on disk, at the cost of one call), else each file's own flush."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # Windows: no sync() of the whole system
        with path.open("rb+") as written:
            os.fsync(written.fileno())


def _settle(temporary: Path, final: Path) -> None:
    """Give a complete, flushed temporary file its real name, read-only."""
    if not final.parent.is_dir():
        make_private_folder(final.parent)
    if final.exists():  # a damaged leftover of the same name: replace it
        final.chmod(stat.S_IRUSR | stat.S_IWUSR)
    temporary.chmod(PRIVATE_READ_ONLY)
    temporary.replace(final)


def sha256_of(path: Path, *, from_disk: bool = False, key: StoreKey | None = None) -> str:
    """The SHA-256 of the original whose copy is at `path` (opened under `key` when given:
    NotAuthentic if it fails to). `from_disk` drops the file's pages from the cache first
    (where the system can), so that a write that never reached the disk is not hidden by the
    cache."""
    digest = hashlib.sha256()
    for chunk in open_plain(path, key, from_disk=from_disk):
        digest.update(chunk)
    return digest.hexdigest()


def open_plain(path: Path, key: StoreKey | None, *, from_disk: bool = False) -> Iterator[bytes]:
    """The original's bytes, chunk by chunk, from its copy at `path`: opened under `key`
    (authenticated: NotAuthentic once something fails to open), or as they are on disk when
    `key` is None. The file is opened at the first chunk asked for."""
    with path.open("rb") as reader:
        if from_disk and hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):
                os.posix_fadvise(reader.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        yield from (_pieces(reader) if key is None else unseal(reader, key))


def copy_plain(path: Path, target: Path, key: StoreKey | None) -> None:
    """Write the original whose copy is at `path` to `target`, opened under `key`. Nothing is
    left at `target` if the copy fails to open (NotAuthentic) or cannot be read."""
    try:
        with target.open("wb") as writer:
            for chunk in open_plain(path, key):
                writer.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def make_durable() -> None:
    """Flush directory entries of freshly stored copies before the catalogue refers to them."""
    if hasattr(os, "sync"):
        os.sync()


def _part_name(owner: int | None = None) -> str:
    # The writer's pid (or the import's that settles it), so that a copy still being written
    # by another program's import is told from one a killed import left behind.
    return f"{owner or os.getpid()}-{uuid.uuid4().hex}.part"


def clear_incoming(root: Path) -> None:
    """Remove temporary files that killed imports left behind (never one still written)."""
    incoming = root / INCOMING
    if incoming.is_dir():
        for leftover in incoming.glob("*.part"):
            writer = leftover.name.split("-", 1)[0]
            if writer.isdigit() and process_alive(int(writer)):
                continue
            leftover.unlink(missing_ok=True)


def safe_relative(relative: str) -> bool:
    """Whether a stored path read from a catalogue stays inside its store."""
    parts = PurePosixPath(relative).parts
    return (
        bool(parts) and not relative.startswith("/") and ".." not in parts and "\\" not in relative
    )


def remove(root: Path, relative: str) -> None:
    """Remove a copy that no record refers to (read-only files need write permission first
    where the system asks for it)."""
    path = root / relative
    try:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        path.unlink()
    except FileNotFoundError:
        pass
