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
# The killed command's other processes (extraction workers) must be gone before anything is
# checked; still there after this long, they are a failure of their own.
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
    """Start the command in a new process group; SIGKILL the group after `delay` seconds
    (as the OOM killer or a power cut would) unless it exited first. Returns once every
    process the command started is gone (its extraction workers, in groups of their own,
    must die with it)."""
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
        _wait_for_descendants(env[HOME_ENV], process.pid)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Killed(delay, finished, returncode, stderr)


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def _descendants(home: str) -> list[int]:
    """Live processes started by one case's command, found by the data folder only that
    case's environment names (inherited by every process it starts, whatever its group).
    Zombies do not count: a killed process whose parent is gone waits for init to reap it,
    and can no longer do anything."""
    marker = f"\0{HOME_ENV}={home}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        state = stat[stat.rindex(")") + 2 :].split()[0]  # comm may hold spaces, parentheses
        if state not in ("Z", "X") and (marker in environ or environ.startswith(marker[1:])):
            found.append(int(entry.name))
    return found


def _wait_for_descendants(home: str, group: int) -> None:
    if not Path("/proc/self/environ").exists():  # not Linux: killpg did what it could
        return
    deadline = time.monotonic() + GROUP_EXIT_TIMEOUT
    while left := _descendants(home):
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"processes {left} of the command outlived it")
        _kill_group(group)  # anything its own group forked after the first kill
        time.sleep(0.01)
