"""A crash scenario: the state a command starts from, the command, and what must hold after
it is killed and after it is run again. `prepare` builds a scenario's material once and runs
the command to completion once (its usual duration and its result); `crash_once` then makes
a fresh copy, kills the command at a seeded random moment and checks."""

from __future__ import annotations

import random
import shutil
import sqlite3
import zlib
from abc import ABC, abstractmethod
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from catalog_app.ingest.store import store_root
from tests.crash.checks import CrashCheckFailed, expect
from tests.crash.harness import CATALOG, Finished, Killed, environment, run, run_and_kill


@dataclass
class Case:
    """One run of a scenario's command in its own folder."""

    work: Path
    env: dict[str, str]
    db: Path  # the catalogue the command works on (or reads from)
    out: Path  # a folder for what the command writes, empty at the start
    argv: list[str]

    def run(self, argv: list[str] | None = None) -> Finished:
        return run(argv or self.argv, self.env, self.work)


class Scenario(ABC):
    """Subclasses set `name` and `kills` (their share of the bounded run)."""

    name: str
    kills: int

    @abstractmethod
    def build(self, root: Path) -> None:
        """Make the material every case copies, under `root` (once)."""

    @abstractmethod
    def case(self, root: Path, work: Path) -> Case:
        """A fresh copy of the material in `work`, and the command to run on it."""

    @abstractmethod
    def remember(self, case: Case) -> None:
        """Record the result of an uninterrupted run (the case after it completed)."""

    @abstractmethod
    def after_kill(self, case: Case, killed: Killed) -> None:
        """Check the state the kill left."""

    @abstractmethod
    def rerun(self, case: Case, killed: Killed) -> None:
        """Run the command again, then check that the job is done, once."""


@dataclass(frozen=True)
class Prepared:
    scenario: Scenario
    root: Path
    seconds: float  # an uninterrupted run, start to exit
    startup: float = 0.0  # the program starting and exiting at once (`catalog --version`)

    def delay(self, seed: int) -> float:
        """When to kill: half the seeds anywhere from the start to about the usual end,
        half after the program's startup (where the work is), so that kills land during
        startup, mid-work and near the commit."""
        rng = random.Random(seed)
        end = self.seconds * 1.05
        start = min(self.startup, end * 0.8) if rng.random() < 0.5 else 0.0
        return rng.uniform(start, end)


def copy_catalogue(source: Path, target: Path) -> None:
    """A copy of a closed catalogue (through SQLite's backup API) and its store."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    originals = store_root(source)
    if originals.is_dir():
        shutil.copytree(originals, store_root(target), symlinks=True)


def new_case(work: Path, db: Path, argv: list[str]) -> Case:
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    home.mkdir(exist_ok=True)
    return Case(work=work, env=environment(home), db=db, out=out, argv=argv)


def prepare(scenario: Scenario, root: Path) -> Prepared:
    root.mkdir(parents=True, exist_ok=True)
    scenario.build(root)
    case = scenario.case(root, root / "uninterrupted")
    finished = case.run()
    expect(finished.returncode == 0, f"an uninterrupted run failed: {finished.describe()}")
    scenario.remember(case)
    startup = case.run([*CATALOG, "--version"]).seconds
    return Prepared(scenario, root, finished.seconds, startup)


@dataclass(frozen=True)
class Outcome:
    scenario: str
    number: int
    seed: int
    delay: float
    finished_first: bool
    after_startup: bool


def seed_of(name: str, number: int) -> int:
    return zlib.crc32(f"{name}#{number}".encode())


def crash_once(prepared: Prepared, number: int, work: Path) -> Outcome:
    """Kill the command at the moment seed `number` picks (from its start to about its
    usual end), check, run it again, check. Raises CrashCheckFailed (saying where the kill
    landed) when something is wrong."""
    scenario = prepared.scenario
    seed = seed_of(scenario.name, number)
    delay = prepared.delay(seed)
    where = (
        f"{scenario.name} kill #{number} (seed {seed}, "
        f"after {delay:.3f}s of ~{prepared.seconds:.2f}s)"
    )
    case = scenario.case(prepared.root, work)
    try:
        killed = run_and_kill(case.argv, case.env, case.work, delay)
        if killed.finished_first:
            expect(killed.returncode == 0, f"it exited {killed.returncode}: {killed.stderr!r}")
        scenario.after_kill(case, killed)
        scenario.rerun(case, killed)
    except CrashCheckFailed as exc:
        raise CrashCheckFailed(f"{where}: {exc}") from exc
    except Exception as exc:  # a check that could not even read what the kill left
        raise CrashCheckFailed(f"{where}: {type(exc).__name__}: {exc}") from exc
    return Outcome(
        scenario.name, number, seed, delay, killed.finished_first, delay > prepared.startup
    )
