"""How fast `catalog` starts: --version, --help and a search, each beside `python -c pass`.

    .venv/bin/python -m bench.startup_bench [--runs 15] [--documents 100000] [--keep DIR]

Each command runs as a person runs it, a new process from the installed `catalog` script;
the median of N runs is shown, wall clock and CPU (user + system of the child), with the
ratio to the floor (`python -c pass`) timed in the same run, in turn with the commands so a
busy machine slows all of them alike. The search runs on a generated catalogue of
--documents records (bench/search_bench.py's, kept with --keep DIR).

The children write and use compiled bytecode in a scratch folder (PYTHONPYCACHEPREFIX), as an
installed program has it, even where PYTHONDONTWRITEBYTECODE is set; each command runs once
untimed first. A second table shows where a search's time goes, step by step in one process.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CATALOG = Path(sys.executable).with_name("catalog")
WORD = "prison"  # a common word of the generated catalogue: tens of thousands of matches
TARGETS = {"catalog --version": "≤ 3× floor", "catalog search": "≤ 300 ms wall"}


def _command() -> list[str]:
    return [str(CATALOG)] if CATALOG.exists() else [sys.executable, "-m", "catalog_app"]


def _environment(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["CATALOG_APP_HOME"] = str(scratch / "home")  # the log file goes there, not home
    return env


def _child_cpu() -> float:
    """CPU seconds used by finished children so far (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    cpu = _child_cpu()
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000, (_child_cpu() - cpu) * 1000


def measure(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> list[str]:
    for argv in commands.values():
        _run_once(argv, env)  # writes the bytecode, fills the page cache
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            times[label].append(_run_once(argv, env))
    medians = {
        label: (statistics.median(t[0] for t in timed), statistics.median(t[1] for t in timed))
        for label, timed in times.items()
    }
    floor_wall, floor_cpu = next(iter(medians.values()))
    rows = []
    for label, (wall, cpu) in medians.items():
        target = next((t for name, t in TARGETS.items() if label.startswith(name)), "")
        rows.append(
            f"| {label} | {wall:.0f} | {cpu:.0f} | {wall / floor_wall:.1f}× | "
            f"{cpu / floor_cpu if floor_cpu else 0:.1f}× | {target} |"
        )
    return rows


def _phases(db: str, word: str) -> None:
    """In a child: each step of a search in turn, timed; prints JSON."""
    steps: list[tuple[str, float, float]] = []
    last = [time.perf_counter(), time.process_time()]

    def step(name: str, action: Callable[[], object]) -> object:
        result = action()
        now = [time.perf_counter(), time.process_time()]
        steps.append((name, (now[0] - last[0]) * 1000, (now[1] - last[1]) * 1000))
        last[:] = now
        return result

    argv = ["--db", db, "search", word]
    step(
        "command line read (the search command's modules; argparse was loaded)",
        lambda: _parse(argv),
    )
    # A search reads through the driver: SQLAlchemy and the ORM models are not on its path
    # (tests/unit/test_search_reads_through_the_driver.py checks that nothing loads them).
    step("catalogue and search services imported", _import_services)
    step("logging set up", _configure_logging)
    catalogue = step("catalogue opened (file, key file, schema checks)", lambda: _open(db))
    step("search: query, count, first page, snippets", lambda: _search(catalogue, word))
    step("catalogue closed", lambda: _close(catalogue))
    step("the whole command again, warm (open, search, print)", lambda: _main(argv))
    print(json.dumps(steps))


def _parse(argv: list[str]) -> object:
    from catalog_app.cli.main import parse

    return parse(argv)


def _import_services() -> object:
    from catalog_app.services import Catalogue
    from catalog_app.services.search import SearchService

    return Catalogue, SearchService


def _configure_logging() -> object:
    from catalog_app.logs import configure_logging

    return configure_logging()


def _open(db: str) -> object:
    from catalog_app.services import Catalogue

    return Catalogue.open(Path(db))


def _search(catalogue: object, word: str) -> object:
    from catalog_app.services import Catalogue

    assert isinstance(catalogue, Catalogue)
    return catalogue.search.search(word, limit=20, offset=0, fuzzy=False, facets=False)


def _close(catalogue: object) -> None:
    from catalog_app.services import Catalogue

    assert isinstance(catalogue, Catalogue)
    catalogue.close()


def _main(argv: list[str]) -> object:
    from catalog_app.cli.main import main

    with contextlib.redirect_stdout(io.StringIO()):
        return main(argv)


def phases(db: Path, env: dict[str, str], runs: int) -> list[str]:
    argv = [sys.executable, "-m", "bench.startup_bench", "--phases-of", str(db)]
    results = [
        json.loads(subprocess.run(argv, env=env, check=True, capture_output=True).stdout)
        for _ in range(runs)
    ]
    rows = []
    for number, (name, _, _) in enumerate(results[0]):
        wall = statistics.median(r[number][1] for r in results)
        cpu = statistics.median(r[number][2] for r in results)
        rows.append(f"| {name} | {wall:.1f} | {cpu:.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogue here")
    parser.add_argument("--phases-of", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases_of:
        _phases(args.phases_of, WORD)
        return
    from bench.search_bench import generated_catalogue

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db = generated_catalogue(folder, args.documents)
        env = _environment(Path(scratch))
        catalog = _command()
        commands = {
            "python -c pass (the floor)": [sys.executable, "-c", "pass"],
            "catalog --version": [*catalog, "--version"],
            "catalog --help": [*catalog, "--help"],
            f"catalog search {WORD} ({args.documents:,} records)": [
                *catalog,
                "--db",
                str(db),
                "search",
                WORD,
            ],
        }
        print(f"\nmedian of {args.runs} runs; ms\n")
        print("| command | wall | CPU | wall × floor | CPU × floor | target |")
        print("|---|---:|---:|---:|---:|---|")
        for row in measure(commands, env, args.runs):
            print(row)
        print(f"\nwhere `catalog search {WORD}` spends its time (one process; median of runs)\n")
        print("| step | wall | CPU |")
        print("|---|---:|---:|")
        for row in phases(db, env, max(3, args.runs // 3)):
            print(row)


if __name__ == "__main__":
    main()
