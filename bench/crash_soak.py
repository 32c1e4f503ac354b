"""The long crash run: every scenario of tests/crash killed (SIGKILL) ten times as often as
in the test suite, with other seeds, and the figures for the README.

    .venv/bin/python -m bench.crash_soak [--factor 10] [--jobs 2] [--only NAME ...]

Each kill is the test suite's own (`tests.crash.scenario.crash_once`): the command is killed
at a seeded random moment, the catalogue, originals and outputs are checked, and the command
is run again to completion and checked. Prints a Markdown table (command, kills, how many
landed while it was still running and after its startup, failures) and then each failure
with its seed and delay; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from catalog_app.paths import HOME_ENV
from catalog_app.services.catalogue import USER_ENV
from tests.crash.registry import SOAK_FACTOR, by_name, soak_numbers
from tests.crash.scenario import Prepared, crash_once, prepare

CHUNK = 10  # kills per task: a worker process prepares each scenario once and keeps it

_prepared: dict[str, Prepared] = {}
_base: Path | None = None


@dataclass(frozen=True)
class Result:
    scenario: str
    number: int
    killed_running: bool = False
    after_startup: bool = False
    failure: str | None = None


def _worker_base() -> Path:
    global _base
    if _base is None:
        _base = Path(tempfile.mkdtemp(prefix="crash-soak-"))
        os.environ[HOME_ENV] = str(_base / "home")
        os.environ[USER_ENV] = "crash-tester"
    return _base


def _kill_chunk(name: str, numbers: list[int]) -> list[Result]:
    base = _worker_base()
    if name not in _prepared:
        _prepared[name] = prepare(by_name()[name], base / name)
    prepared = _prepared[name]
    results = []
    for number in numbers:
        work = base / "cases" / f"{name}-{number}"
        try:
            outcome = crash_once(prepared, number, work)
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(exc)).strip()
            results.append(Result(name, number, failure=detail))
            continue
        results.append(
            Result(
                name,
                number,
                killed_running=not outcome.finished_first,
                after_startup=outcome.after_startup,
            )
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=SOAK_FACTOR, help="kills per bounded kill")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", metavar="NAME", help="these scenarios only")
    args = parser.parse_args(argv)
    scenarios = by_name()
    names = args.only or list(scenarios)
    tasks = []
    for name in names:
        numbers = list(soak_numbers(scenarios[name], args.factor))
        tasks += [(name, numbers[i : i + CHUNK]) for i in range(0, len(numbers), CHUNK)]
    started = time.monotonic()
    results: list[Result] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_kill_chunk, name, numbers) for name, numbers in tasks]
        for future in as_completed(futures):
            results += future.result()
            print(f"\r{len(results):,} kills", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print_table(names, results, time.monotonic() - started)
    return 1 if any(r.failure for r in results) else 0


def print_table(names: list[str], results: list[Result], seconds: float) -> None:
    kills, running, working, failed = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    for r in results:
        kills[r.scenario] += 1
        running[r.scenario] += r.killed_running
        working[r.scenario] += r.after_startup and r.killed_running
        failed[r.scenario] += r.failure is not None
    print("| command | kills | killed while running | of which after startup | failures |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        print(
            f"| `{name}` | {kills[name]:,} | {running[name]:,} | {working[name]:,} "
            f"| {failed[name]:,} |"
        )
    total = sum(kills.values())
    print(
        f"| **all** | **{total:,}** | **{sum(running.values()):,}** "
        f"| **{sum(working.values()):,}** | **{sum(failed.values()):,}** |"
    )
    print(f"\n{total:,} kills in {seconds / 60:.1f} minutes.")
    for r in sorted((r for r in results if r.failure), key=lambda r: (r.scenario, r.number)):
        print(f"\nFAILED {r.scenario} #{r.number}: {r.failure}")


if __name__ == "__main__":
    raise SystemExit(main())
