"""Running a `catalog` command in its own process group and killing it (SIGKILL) at a moment
chosen by a seeded random number generator.

The delay only chooses *where* the kill lands: every check made afterwards must hold wherever
it landed, so no verdict depends on timing. Processes are waited for (`wait`, and the process
group emptying), never slept on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog_app.paths import DB_ENV, HOME_ENV
from catalog_app.services.catalogue import USER_ENV

# `python -m catalog_app` is the `catalog` command (catalog_app/__main__.py).
CATALOG = (sys.executable, "-m", "catalog_app")
# Long enough for any command of these small scenarios on a loaded machine; reaching it is a
# hang, which is a failure in itself.
COMMAND_TIMEOUT = 300.0
# The killed command's other processes (extraction workers, the forkserver) are killed with
# it; they must be gone before anything is checked.
GROUP_EXIT_TIMEOUT = 60.0


def catalog_argv(db: Path, *args: str | Path) -> list[str]:
    return [*CATALOG, "--db", str(db), *(str(a) for a in args)]


def environment(home: Path) -> dict[str, str]:
    """The commands' environment: their own data and log folders, a fixed audit name."""
    env = {k: v for k, v in os.environ.items() if k != DB_ENV}
    env[HOME_ENV] = str(home)
    env[USER_ENV] = "crash-tester"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass(frozen=True)
class Finished:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (
            f"`{' '.join(self.argv[len(CATALOG) :])}` exited {self.returncode}; "
            f"stderr: {self.stderr.strip()[-2000:]!r}"
        )


@dataclass(frozen=True)
class Killed:
    """What happened to a command sent SIGKILL `delay` seconds after it started."""

    delay: float
    finished_first: bool  # it exited on its own before the kill was due
    returncode: int
    stderr: str


def run(argv: Sequence[str], env: dict[str, str], cwd: Path) -> Finished:
    started = time.monotonic()
    done = subprocess.run(
        list(argv),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        timeout=COMMAND_TIMEOUT,
    )
    return Finished(
        tuple(argv), done.returncode, done.stdout, done.stderr, time.monotonic() - started
    )


def run_and_kill(argv: Sequence[str], env: dict[str, str], cwd: Path, delay: float) -> Killed:
    """Start the command in a new process group; SIGKILL the whole group after `delay`
    seconds (as a power cut or the OOM killer would) unless it exited first."""
    # Output goes to files, not pipes: a command blocked on a full pipe would not be killed
    # mid-work but mid-write to us.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            list(argv), env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True
        )
        try:
            returncode = process.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            returncode = process.wait()
            finished = False
        _wait_for_group_to_end(process.pid)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Killed(delay, finished, returncode, stderr)


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def _live_members(group: int) -> list[int]:
    """Processes of `group` that are not zombies (a killed worker whose parent is gone may
    stay a zombie until init reaps it; it can no longer do anything)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _wait_for_group_to_end(group: int) -> None:
    if not Path("/proc/self/stat").exists():  # not Linux: killpg already did what it can
        return
    deadline = time.monotonic() + GROUP_EXIT_TIMEOUT
    while members := _live_members(group):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {members} of the command outlived it")
        _kill_group(group)  # anything forked after the first kill
        time.sleep(0.01)
