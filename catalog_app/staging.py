"""Outputs written under a temporary name beside their destination, then renamed into place.

A process killed while writing leaves its temporary behind. Each temporary's name carries
the writer's process id, so the next run that writes into the same folder can tell the
leftovers of dead writers from the work of one still running, and removes them.

Names look like `.finding-aid.csv.partial-4242-1a2b3c4d` (a folder for a bag or backup,
a file otherwise), with an optional suffix for scratch files that belong to the same write
(`….partial-4242-1a2b3c4d.sheet.xml`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from catalog_app import file_modes
from catalog_app.logs import private

log = logging.getLogger(__name__)

_LEFTOVER = re.compile(r"^\..+\.partial-(?P<pid>\d+)-[0-9a-f]{8}(?:\.[\w.-]+)?$")


def staging_path(destination: Path, suffix: str = "") -> Path:
    """A new temporary name for `destination`, in the same folder (so renaming is atomic)."""
    token = secrets.token_hex(4)
    return destination.with_name(f".{destination.name}.partial-{os.getpid()}-{token}{suffix}")


def scratch_path(staging: Path, suffix: str) -> Path:
    """A scratch file belonging to the write of `staging` (swept with it)."""
    return staging.with_name(staging.name + suffix)


def open_private(temporary: Path) -> BinaryIO:
    """Create the temporary file `temporary` for writing, readable by its owner only while
    it is being written (what it holds is not the user's to hand on until published)."""
    return open(temporary, "xb", opener=file_modes.private_opener)


def publish(temporary: Path, destination: Path, *, private: bool = False) -> None:
    """Move a finished temporary file into place, durably: with the ordinary permissions of
    the user's umask (an export), or readable by its owner only when `private` (a copy of
    the catalogue)."""
    mode = file_modes.PRIVATE_FILE if private else file_modes.ordinary_file_mode()
    file_modes.make_private(temporary, mode)
    temporary.replace(destination)
    sync_folder(destination.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut (where the system allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # not every system can sync a folder
    finally:
        os.close(descriptor)


def is_leftover(path: Path) -> bool:
    """Whether `path` is a temporary of ours whose writer is no longer running."""
    match = _LEFTOVER.match(path.name)
    return match is not None and not process_alive(int(match["pid"]))


def sweep(folder: Path) -> list[Path]:
    """Remove the temporaries that dead writers left in `folder`; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if is_leftover(entry):
            remove(entry)
            removed.append(entry)
            log.info("removed %s, left by an interrupted run", private(entry))
    return removed


def remove(path: Path) -> None:
    """Remove a temporary file or folder, whatever it holds (quietly: this is cleaning up)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, onerror=_writable_then_retry)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove %s", private(path), exc_info=True)


def _writable_then_retry(function: object, name: str, _info: object) -> None:
    # Copies of originals are made read-only; their folder must be writable to remove them.
    parent = Path(name).parent
    parent.chmod(parent.stat().st_mode | stat.S_IWUSR)
    if callable(function):
        function(name)


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running (ours, or someone else's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process that nobody has reaped yet still answers signals, but is gone."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False  # no /proc (macOS, Windows): trust the signal
    # "pid (name) S ...": the state follows the last parenthesis (names may hold spaces).
    return status[status.rfind(")") + 2 : status.rfind(")") + 3] in ("Z", "X")
