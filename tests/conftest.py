"""Shared fixtures. Tests never touch the real home directory or a real display."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from catalog_app import logs
from catalog_app.cli.passphrase import PASSPHRASE_ENV
from catalog_app.paths import DB_ENV, HOME_ENV
from catalog_app.services import Catalogue
from catalog_app.services.catalogue import USER_ENV
from catalog_app.storage.keys import KDF_MEMORY_ENV


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.setenv(USER_ENV, "tester")
    monkeypatch.delenv(DB_ENV, raising=False)
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    # Argon2id at its smallest: encrypted catalogues open in milliseconds, not 0.4 s.
    monkeypatch.setenv(KDF_MEMORY_ENV, "8")
    return home


@pytest.fixture(autouse=True)
def plain_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redaction lasts for a process once an encrypted catalogue was opened in it; each test
    starts as a fresh program would."""
    monkeypatch.setattr(logs, "_redacting", False)


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    return tmp_path / "catalogue.sqlite"


@pytest.fixture(scope="session")
def empty_catalogue_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly created catalogue, made once; tests get copies (migrating each is slow)."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    Catalogue.open(path, create=True, actor="tester").close()
    return path


@pytest.fixture
def catalogue(catalogue_path: Path, empty_catalogue_file: Path) -> Iterator[Catalogue]:
    shutil.copyfile(empty_catalogue_file, catalogue_path)
    with Catalogue.open(catalogue_path, actor="tester") as opened:
        yield opened
