"""Turning the paths a person gives into the files to import, folder by folder."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Files operating systems leave on removable media; never material.
_SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".directory"}
_SYSTEM_FOLDERS = {
    ".trashes",
    ".spotlight-v100",
    ".fseventsd",
    "__macosx",
    "$recycle.bin",
    "system volume information",
    ".temporaryitems",
}


@dataclass(frozen=True)
class Candidate:
    path: Path
    # The sub-folders it sits in, below the folder that was imported (whose own contents go
    # straight into the chosen collection).
    folders: tuple[str, ...]


@dataclass
class Walk:
    files: list[Candidate] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # system files, repeated links


def _is_system_file(name: str) -> bool:
    return name.lower() in _SYSTEM_FILES or name.startswith("._")


def collect(paths: list[Path], *, recursive: bool, exclude: set[Path] | None = None) -> Walk:
    """Every file under `paths` (into sub-folders only when `recursive`), in a stable order.

    Links to folders are followed once: a link back up the tree (a loop) or a second link
    to the same folder is skipped rather than walked again.
    """
    walk = Walk()
    excluded = exclude or set()
    for given in paths:
        if given.is_dir():
            _collect_folder(given, recursive, walk, excluded)
        elif given.exists() or given.is_symlink():
            walk.files.append(Candidate(given, ()))
        else:
            walk.failures.append((given, "no such file or folder"))
    return walk


def _is_excluded(path: Path, excluded: set[Path]) -> bool:
    return bool(excluded) and path.resolve() in excluded


def _collect_folder(root: Path, recursive: bool, walk: Walk, excluded: set[Path]) -> None:
    visited: set[tuple[int, int]] = set()

    def failed(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        walk.failures.append((where, f"the folder could not be read ({error.strerror})"))

    for current, dirnames, filenames in os.walk(root, onerror=failed, followlinks=True):
        here = Path(current)
        try:
            info = here.stat()
        except OSError as error:
            failed(error)
            dirnames.clear()
            continue
        key = (info.st_dev, info.st_ino)
        if key in visited:
            walk.skipped.append(here)
            dirnames.clear()
            continue
        visited.add(key)
        relative = here.relative_to(root).parts
        folders = tuple(
            p.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for p in relative
        )
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d.lower() not in _SYSTEM_FOLDERS and not _is_excluded(here / d, excluded)
        )
        if not recursive:
            dirnames.clear()
        for name in sorted(filenames):
            path = here / name
            if _is_excluded(path, excluded):
                continue
            if _is_system_file(name):
                walk.skipped.append(path)
                continue
            # A file reached twice through links is caught later by its hash.
            walk.files.append(Candidate(path, folders))
