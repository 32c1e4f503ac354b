"""Who may read the files the program writes.

What the program keeps for itself (the catalogue and SQLite's -wal and -shm beside it, the
store of originals, backups, temporary files) is readable by its owner only, whatever the
umask says: a catalogue holds evidence about people at risk. Exports are made to be
handed on, so they get the ordinary permissions the user's umask gives new files.

SQLite creates the -wal and -shm files with the mode of the database file, so a catalogue
created private keeps its logs private too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
PRIVATE_READ_ONLY = 0o400  # stored originals: evidence, never written again
_UMASK_LINE = re.compile(r"^Umask:\s*([0-7]+)\s*$", re.MULTILINE)


def create_private_file(path: Path) -> None:
    """Create the empty file `path` (it must not exist), readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.close(descriptor)
    make_private(path)


def private_opener(path: str, flags: int) -> int:
    """An `opener` for open() that creates the file readable by its owner only."""
    return os.open(path, flags, PRIVATE_FILE)


def make_private(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Give the existing file `path` `mode` (the umask cannot widen nor narrow a chmod)."""
    path.chmod(mode)


def make_private_folder(path: Path) -> None:
    """Create the folder `path` and any missing folders above it up to an existing one,
    each readable by its owner only; an existing `path` is made so too."""
    missing: list[Path] = []
    folder = path
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            if not created.is_dir():
                raise
    path.chmod(PRIVATE_FOLDER)


def ordinary_file_mode() -> int:
    """The mode the user's umask gives a new file (0o644 for the usual umask 022)."""
    return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask. Read from /proc where the system has it: setting the umask to
    read it back would, for a moment, give any file another thread creates no protection."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        status = ""
    match = _UMASK_LINE.search(status)
    if match is not None:
        return int(match[1], 8)
    umask = os.umask(0o077)
    os.umask(umask)
    return umask
