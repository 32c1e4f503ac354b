"""A folder of this process's own for the copies of originals that other programs open (never
the stored copies themselves; decrypted ones, in an encrypted catalogue), and for the
scratch files of a reader (Tesseract reads its images from a file): the only plaintext an
encrypted catalogue lets touch a file system.

It is made under $XDG_RUNTIME_DIR when the system has one (on Linux a folder in memory that
only its user can enter, emptied at log-out), else in the temporary folder; readable by its
owner only either way, and named for its process so that the folders of a process killed
before it could remove its own are swept by the next one. That folder in memory is often
small: a copy that does not fit there may go to a second folder of the same kind in the
temporary folder (`folder_with_room`).
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
HEADROOM = 1 << 20  # bytes left free beside a copy: a full file system fails in odd ways
_made: dict[tuple[int, Path], Path] = {}  # by pid and base: a forked child makes its own


def bases() -> list[Path]:
    """Where the folders are made, in order of preference: the folder in memory, when the
    system has one, then the temporary folder."""
    found: list[Path] = []
    runtime = os.environ.get(RUNTIME_ENV)
    if runtime and Path(runtime).is_dir():
        found.append(Path(runtime))
    temporary = Path(tempfile.gettempdir())
    if temporary not in found:
        found.append(temporary)
    return found


def folder(base: Path | None = None) -> Path:
    """This process's folder (0700) under `base` (None: the first of `bases`), made when
    first asked for."""
    base = base or bases()[0]
    key = (os.getpid(), base)
    made = _made.get(key)
    if made is None or not made.is_dir():
        # mkdtemp: a new name nobody else could have made first, created 0700.
        made = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{key[0]}-", dir=base))
        _made[key] = made
    return made


def free_space(base: Path) -> int:
    """Bytes free for this user under `base` (0 if that cannot be told)."""
    try:
        return shutil.disk_usage(base).free
    except OSError:
        return 0


def folder_with_room(size: int, *, in_memory_only: bool = False) -> Path | None:
    """This process's folder under the first of `bases` with room for `size` bytes more
    (only the first, when `in_memory_only`); None when none has."""
    candidates = bases()
    for base in candidates[:1] if in_memory_only else candidates:
        if free_space(base) >= size + HEADROOM:
            return folder(base)
    return None


def made() -> list[Path]:
    """The folders this process has made and not yet removed."""
    pid = os.getpid()
    return [path for (owner, _), path in _made.items() if owner == pid]


def remove() -> None:
    """Delete this process's folders and everything in them."""
    pid = os.getpid()
    for key in [key for key in _made if key[0] == pid]:
        remove_tree(_made.pop(key))


def sweep() -> None:
    """Delete the folders that processes no longer running left behind (this user's only)."""
    for base in bases():
        with contextlib.suppress(OSError):
            for candidate in base.iterdir():
                match = _NAME.match(candidate.name)
                if match is None or process_alive(int(match["pid"])):
                    continue
                with contextlib.suppress(OSError):
                    if candidate.lstat().st_uid == os.getuid() and candidate.is_dir():
                        remove_tree(candidate)


def remove_tree(path: Path) -> None:
    """Delete the folder `path` and what it holds (nothing happens if it is not there)."""
    shutil.rmtree(path, ignore_errors=True)
