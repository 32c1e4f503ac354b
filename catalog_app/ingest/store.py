"""The store of originals: bit-exact copies beside the catalogue, named by their SHA-256.

A copy is written under a temporary name, flushed to disk, and only then renamed to its
hash, so a crash never leaves a half-written file under a real name. Stored copies are
made read-only: they are the evidentiary originals.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from catalog_app.staging import process_alive

CHUNK = 1 << 20
INCOMING = ".incoming"
STORE_SUFFIX = "-originals"


def store_root(catalogue: Path) -> Path:
    """`catalogue.sqlite` keeps its originals in `catalogue-originals/` beside it."""
    return catalogue.with_name(catalogue.stem + STORE_SUFFIX)


# fdatasync where the system has it (Linux); fsync elsewhere (macOS, Windows).
_flush_to_disk = getattr(os, "fdatasync", os.fsync)


def relative_path(sha256: str) -> str:
    # One level of 256 folders (as git does): a million originals is ~4,000 per folder, which
    # file systems index well, while creating a folder per file would cost more than the copy.
    return f"{sha256[:2]}/{sha256}"


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    relative_path: str
    new: bool = field(default=False, compare=False)  # written now, not found already stored


def put(source: Path, root: Path) -> Stored:
    """Copy `source` into the store while hashing it; returns where it now lives.

    If the same bytes are already stored (an earlier import, or one that was interrupted
    before it reached the catalogue), the existing copy is kept after checking its size.
    """
    incoming = root / INCOMING
    if not incoming.is_dir():
        incoming.mkdir(parents=True, exist_ok=True)
    temporary = incoming / _part_name()
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as reader, temporary.open("wb") as writer:
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                writer.write(chunk)
                size += len(chunk)
            writer.flush()
            _flush_to_disk(writer.fileno())
        sha256 = digest.hexdigest()
        relative = relative_path(sha256)
        final = root / relative
        new = not (final.exists() and final.stat().st_size == size)
        if new:
            _settle(temporary, final)
        return Stored(sha256=sha256, size=size, relative_path=relative, new=new)
    finally:
        temporary.unlink(missing_ok=True)


def put_bytes(data: bytes, root: Path, sha256: str | None = None) -> Stored:
    """Store bytes already read into memory (small files: read once, hashed, written once)."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    relative = relative_path(sha256)
    final = root / relative
    if final.exists() and final.stat().st_size == len(data):
        return Stored(sha256=sha256, size=len(data), relative_path=relative)
    incoming = root / INCOMING
    if not incoming.is_dir():
        incoming.mkdir(parents=True, exist_ok=True)
    temporary = incoming / _part_name()
    try:
        with temporary.open("wb") as writer:
            writer.write(data)
            writer.flush()
            _flush_to_disk(writer.fileno())
        _settle(temporary, final)
        return Stored(sha256=sha256, size=len(data), relative_path=relative, new=True)
    finally:
        temporary.unlink(missing_ok=True)


def _settle(temporary: Path, final: Path) -> None:
    """Give a complete, flushed temporary file its real name, read-only."""
    if not final.parent.is_dir():
        final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # a damaged leftover of the same name: replace it
        final.chmod(stat.S_IRUSR | stat.S_IWUSR)
    temporary.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    temporary.replace(final)


def sha256_of(path: Path, *, from_disk: bool = False) -> str:
    """The file's SHA-256. `from_disk` drops its pages from the cache first (where the system
    can), so that a write that never reached the disk is not hidden by the cache."""
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        if from_disk and hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):
                os.posix_fadvise(reader.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def make_durable() -> None:
    """Flush directory entries of freshly stored copies before the catalogue refers to them."""
    if hasattr(os, "sync"):
        os.sync()


def _part_name() -> str:
    # The writer's pid, so that a copy still being written by another program's import is
    # told from one a killed import left behind.
    return f"{os.getpid()}-{uuid.uuid4().hex}.part"


def clear_incoming(root: Path) -> None:
    """Remove temporary files that killed imports left behind (never one still written)."""
    incoming = root / INCOMING
    if incoming.is_dir():
        for leftover in incoming.glob("*.part"):
            writer = leftover.name.split("-", 1)[0]
            if writer.isdigit() and process_alive(int(writer)):
                continue
            leftover.unlink(missing_ok=True)


def remove(root: Path, relative: str) -> None:
    """Remove a copy that no record refers to (read-only files need write permission first
    where the system asks for it)."""
    path = root / relative
    try:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        path.unlink()
    except FileNotFoundError:
        pass
