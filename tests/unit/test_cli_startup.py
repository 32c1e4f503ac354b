"""The command line starts at once: --version and --help load no database code, a search only
what a search needs, and every command is still listed and parsed as before."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from catalog_app.cli.commands import COMMANDS
from catalog_app.cli.main import main
from catalog_app.services import Catalogue

# What a search has no use for: other commands' machinery, file formats, the window.
NOT_FOR_A_SEARCH = (
    "catalog_app.export",
    "catalog_app.ui",
    "catalog_app.services.ingest",
    "catalog_app.services.exports",
    "catalog_app.services.export_source",
    "catalog_app.services.bags",
    "catalog_app.services.backups",
    "catalog_app.services.fixity",
    "catalog_app.services.audit",
    "catalog_app.ingest.pool",
    "catalog_app.ingest.prepare",
    "catalog_app.ingest.walk",
    "catalog_app.domain.isad",
    "catalog_app.cli.commands.catalogue",
    "catalog_app.cli.commands.exchange",
    "catalog_app.cli.commands.ingest",
    "alembic",
    "babel",
    "bagit",
    "docx",
    "lxml",
    "openpyxl",
    "PIL",
    "pypdf",
    "pypdfium2",
    "PySide6",
    "trafilatura",
)


def _loaded(tmp_path: Path, *argv: str) -> set[str]:
    """The modules a new process running `catalog ARGV` holds once the command is done."""
    listing = tmp_path / "modules.txt"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from catalog_app.cli.main import main\n"
        f"code = main({list(argv)!r})\n"
        f"Path({str(listing)!r}).write_text('\\n'.join(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL, timeout=120)
    return set(listing.read_text().split())


def _under(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_database_code(tmp_path: Path, option: str) -> None:
    modules = _loaded(tmp_path, option)
    assert "sqlalchemy" not in modules
    database_code = ("catalog_app.services", "catalog_app.storage", "catalog_app.domain")
    assert _under(modules, database_code) == []
    assert _under(modules, ("platformdirs", "nacl", "sqlcipher3")) == []
    command_modules = {f"catalog_app.cli.commands.{module}" for _, module, _ in COMMANDS}
    assert command_modules & modules == set()


def test_a_search_loads_only_what_a_search_needs(tmp_path: Path) -> None:
    db = tmp_path / "cat.sqlite"
    with Catalogue.open(db, create=True, actor="tester") as catalogue:
        catalogue.units.create({"title": "Letters from the prison", "level": "item"})
    modules = _loaded(tmp_path, "--db", str(db), "search", "prison")
    assert "catalog_app.services.search" in modules  # it did search
    assert _under(modules, NOT_FOR_A_SEARCH) == []


def test_the_program_ends_with_its_output_and_log_written(
    tmp_path: Path, isolated_home: Path
) -> None:
    """`catalog` as a process skips Python's teardown: its output, exit status and log are
    still complete."""
    db = tmp_path / "cat.sqlite"
    with Catalogue.open(db, create=True, actor="tester") as catalogue:
        for number in range(50):
            catalogue.units.create({"title": f"Prison letter {number}", "level": "item"})
    program = [sys.executable, "-m", "catalog_app", "--db", str(db)]
    found = subprocess.run(
        [*program, "search", "prison", "--limit", "50", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)["results"]) == 50
    missing = [sys.executable, "-m", "catalog_app", "--db", str(tmp_path / "none.sqlite")]
    refused = subprocess.run([*missing, "stats"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert refused.stderr.startswith("catalog: There is no catalogue at")
    log = next((isolated_home / "logs").glob("*.log")).read_text()
    assert "'catalog stats' refused" in log


def test_every_command_in_the_table_is_one_its_module_defines() -> None:
    by_module: dict[str, set[str]] = {}
    for name, module, _ in COMMANDS:
        by_module.setdefault(module, set()).add(name)
    for module, names in by_module.items():
        defined = import_module(f"catalog_app.cli.commands.{module}").ARGUMENTS
        assert set(defined) == names, module


def test_help_lists_every_command_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listing = " ".join(capsys.readouterr().out.split())
    for name, _, text in COMMANDS:
        assert f"{name} {' '.join(text.split())}" in listing


@pytest.mark.parametrize(("name", "text"), [(name, text) for name, _, text in COMMANDS])
def test_each_command_has_its_own_help(
    name: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([name, "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert shown.startswith(f"usage: catalog {name} [-h]")
    assert " ".join(text.split()) in shown


def test_a_usage_error_after_the_command_is_the_commands_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["search"]) == 2
    assert "catalog search: error: the following arguments are required: query" in (
        capsys.readouterr().err
    )
    assert main(["--db", "x.sqlite", "nonsense"]) == 2
    assert "argument COMMAND: invalid choice: 'nonsense'" in capsys.readouterr().err
