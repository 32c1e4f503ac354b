"""A folder of this process's own for the copies of originals that other programs open (never
the stored copies themselves; decrypted ones, in an encrypted catalogue), and for the
scratch files of a reader (Tesseract reads its images from a file): the only plaintext an
encrypted catalogue lets touch a file system.

It is made under $XDG_RUNTIME_DIR when the system has one (on Linux a folder in memory that
only its user can enter, emptied at log-out), else in the temporary folder; readable by its
owner only either way, and named for its process so that the folders of a process killed
before it could remove its own are swept by the next one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from catalog_app.staging import process_alive

RUNTIME_ENV = "XDG_RUNTIME_DIR"
_PREFIX = "catalog-app-clear-"
_NAME = re.compile(rf"^{_PREFIX}(?P<pid>\d+)-[\w]+$")
_made: dict[int, Path] = {}  # by pid: a forked child makes its own


def _base() -> Path:
    runtime = os.environ.get(RUNTIME_ENV)
    if runtime and Path(runtime).is_dir():
        return Path(runtime)
    return Path(tempfile.gettempdir())


def folder() -> Path:
    """This process's folder (0700), made when first asked for."""
    pid = os.getpid()
    made = _made.get(pid)
    if made is None or not made.is_dir():
        # mkdtemp: a new name nobody else could have made first, created 0700.
        made = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{pid}-", dir=_base()))
        _made[pid] = made
    return made


def remove() -> None:
    """Delete this process's folder and everything in it."""
    made = _made.pop(os.getpid(), None)
    if made is not None:
        remove_tree(made)


def sweep() -> None:
    """Delete the folders that processes no longer running left behind (this user's only)."""
    with contextlib.suppress(OSError):
        for candidate in _base().iterdir():
            match = _NAME.match(candidate.name)
            if match is None or process_alive(int(match["pid"])):
                continue
            with contextlib.suppress(OSError):
                if candidate.lstat().st_uid == os.getuid() and candidate.is_dir():
                    remove_tree(candidate)


def remove_tree(path: Path) -> None:
    """Delete the folder `path` and what it holds (nothing happens if it is not there)."""
    shutil.rmtree(path, ignore_errors=True)
