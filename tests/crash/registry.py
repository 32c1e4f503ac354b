"""Every crash scenario, with its share of the bounded run's kills (about 100 in all)."""

from __future__ import annotations

from tests.crash.catalogue_scenarios import ImportBag, ImportCsv, ImportFolder, Migration, Reindex
from tests.crash.encryption_scenarios import Decrypt, Encrypt
from tests.crash.output_scenarios import Backup, Export, Restore
from tests.crash.scenario import Scenario

EXPORT_KILLS = {"csv": 6, "xlsx": 6, "ead": 6, "dc": 6, "bag": 8}


def scenarios() -> list[Scenario]:
    """Fresh instances (a scenario remembers the result of its uninterrupted run)."""
    return [
        ImportFolder(workers=1, kills=10),
        ImportFolder(workers=2, kills=6),
        ImportCsv(),
        ImportBag(),
        Reindex(),
        *(Export(fmt, kills) for fmt, kills in EXPORT_KILLS.items()),
        Backup(),
        Restore(),
        Migration(),
        Encrypt(),
        Decrypt(),
    ]


def by_name() -> dict[str, Scenario]:
    return {scenario.name: scenario for scenario in scenarios()}


# The long run: ten times the bounded run's kills, with other seeds.
SOAK_FACTOR = 10


def bounded_numbers(scenario: Scenario) -> range:
    return range(scenario.kills)


def soak_numbers(scenario: Scenario, factor: int = SOAK_FACTOR) -> range:
    return range(scenario.kills, scenario.kills * (1 + factor))
