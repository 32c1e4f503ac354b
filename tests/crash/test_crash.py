"""Crash safety, proven by crashing: each command is killed (SIGKILL) at seeded random
moments, then the catalogue, its originals and its outputs are checked, and the command is
run again to completion.

The bounded run (about 100 kills) is part of the suite; the long run (ten times as many,
`-m slow`) is what `tools/crash_soak.py` runs and reports on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.crash.registry import bounded_numbers, scenarios, soak_numbers
from tests.crash.scenario import Prepared, Scenario, crash_once, prepare


@pytest.fixture(scope="session")
def prepared_scenarios() -> dict[str, Prepared]:
    """Each scenario is built lazily, once per session (per xdist worker), by the first
    kill that needs it."""
    return {}


def _prepared(cache: dict[str, Prepared], name: str, base: Path) -> Prepared:
    if name not in cache:
        scenario = next(s for s in scenarios() if s.name == name)
        cache[name] = prepare(scenario, base / name)
    return cache[name]


def _kills(numbers: Callable[[Scenario], range]) -> list[tuple[str, int]]:
    return [(s.name, number) for s in scenarios() for number in numbers(s)]


def _id(kill: tuple[str, int]) -> str:
    return f"{kill[0]}-kill{kill[1]}"


@pytest.fixture(scope="session")
def crash_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crash")


@pytest.mark.parametrize("kill", _kills(bounded_numbers), ids=_id)
def test_killed_command_leaves_everything_whole_and_finishes_when_run_again(
    kill: tuple[str, int],
    prepared_scenarios: dict[str, Prepared],
    crash_base: Path,
    tmp_path: Path,
) -> None:
    name, number = kill
    crash_once(_prepared(prepared_scenarios, name, crash_base), number, tmp_path / "case")


@pytest.mark.slow
@pytest.mark.parametrize("kill", _kills(soak_numbers), ids=_id)
def test_soak_killed_command_leaves_everything_whole(
    kill: tuple[str, int],
    prepared_scenarios: dict[str, Prepared],
    crash_base: Path,
    tmp_path: Path,
) -> None:
    name, number = kill
    crash_once(_prepared(prepared_scenarios, name, crash_base), number, tmp_path / "case")
