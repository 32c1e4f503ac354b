"""An installed wheel (not the source checkout) carries and finds its migrations, and the
install locks in requirements/ stay in step with pyproject.toml and with this environment."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("catalog_app-*.whl")
    return built


def test_the_wheel_ships_migrations_and_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "catalog_app/migrations/env.py" in names
    assert "catalog_app/migrations/script.py.mako" in names
    assert any(n.startswith("catalog_app/migrations/versions/0001_") for n in names)
    assert "catalog_app/resources/icons/catalog-app.svg" in names
    assert not any(n.startswith(("tests/", "migrations/")) for n in names)


def test_an_installed_copy_creates_and_upgrades_catalogues(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "from pathlib import Path\n"
        "import catalog_app\n"
        f"assert catalog_app.__file__.startswith({str(site)!r}), catalog_app.__file__\n"
        "from catalog_app.services import Catalogue\n"
        "from catalog_app.storage.migrate import script_directory, upgrade, SCHEMA_HEAD\n"
        "assert script_directory().get_current_head() == SCHEMA_HEAD\n"
        f"path = Path({str(tmp_path / 'cat.sqlite')!r})\n"
        "upgrade(path, '0001')\n"
        "with Catalogue.open(path) as c:\n"
        "    assert c.schema_revision() == SCHEMA_HEAD\n"
        "    assert c.upgrade_backup is not None\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


LOCKS = ROOT / "requirements"
REFRESH = "refresh the locks with: bash tools/lock.sh"


@dataclass(frozen=True)
class Pin:
    name: NormalizedName
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies_here(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(name: str) -> list[Pin]:
    """The entries of one lock: `name==version ; marker` with its `--hash=` options."""
    text = (LOCKS / f"{name}.txt").read_text(encoding="utf-8")
    pins = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *hashes = line.split(" --hash=")
        req = Requirement(requirement)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{name}.txt: {req} is not an exact pin"
        pins.append(
            Pin(canonicalize_name(req.name), Version(spec.version), req.marker, tuple(hashes))
        )
    return pins


def read_requirements_in(name: str) -> list[Requirement]:
    lines = (LOCKS / f"{name}.in").read_text(encoding="utf-8").splitlines()
    return [Requirement(text) for line in lines if (text := line.split("#", 1)[0].strip())]


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def unpinned(declared: list[Requirement], pins: list[Pin]) -> list[str]:
    """The declared requirements that no entry of the lock satisfies."""
    return [
        str(req)
        for req in declared
        if not any(
            pin.name == canonicalize_name(req.name)
            and req.specifier.contains(pin.version, prereleases=True)
            for pin in pins
        )
    ]


def test_the_build_backends_to_lock_include_this_projects_own() -> None:
    own = {str(Requirement(text)) for text in pyproject()["build-system"]["requires"]}
    assert own <= {str(req) for req in read_requirements_in("build")}, REFRESH


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("build", ["build"]), ("app", ["app", "build"]), ("test", ["app", "test", "build"])],
)
def test_every_declared_requirement_is_pinned_in_its_lock(lock: str, groups: list[str]) -> None:
    project = pyproject()["project"]
    declared = {
        "app": [Requirement(text) for text in project["dependencies"]],
        "test": [Requirement(text) for text in project["optional-dependencies"]["test"]],
        "build": read_requirements_in("build"),
    }
    missing = unpinned([req for group in groups for req in declared[group]], read_lock(lock))
    assert missing == [], f"requirements/{lock}.txt does not satisfy {missing}; {REFRESH}"


def test_the_locks_agree_and_every_file_has_a_hash() -> None:
    test_pins = set(read_lock("test"))
    for lock in ("build", "app"):
        pins = set(read_lock(lock))
        assert pins <= test_pins, f"{lock}.txt and test.txt differ on {pins - test_pins}; {REFRESH}"
    assert [pin.name for pin in test_pins if not pin.hashes] == []


def test_this_environment_holds_exactly_the_locked_versions() -> None:
    """bash tools/dev.sh test installs requirements/test.txt; anything else is not what the
    locks promise to a fresh machine."""
    differ = {}
    for pin in read_lock("test"):
        if not pin.applies_here():
            continue
        try:
            installed = importlib.metadata.version(pin.name)
        except importlib.metadata.PackageNotFoundError:
            installed = "missing"
        if installed == "missing" or Version(installed) != pin.version:
            differ[pin.name] = f"{installed}, locked {pin.version}"
    assert differ == {}, f"not as locked (install with: bash tools/dev.sh test): {differ}"
