"""An installed wheel (not the source checkout) carries and finds its migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
