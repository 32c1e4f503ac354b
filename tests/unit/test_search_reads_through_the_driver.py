"""A search runs on the driver alone: `catalog search` loads neither SQLAlchemy nor the ORM
models (plain or encrypted), the window's searches run the same code through its sessions,
and the catalogue's own read connection keeps the engine's safety checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from catalog_app.cli.passphrase import PASSPHRASE_ENV
from catalog_app.domain.records import SearchResults
from catalog_app.errors import RecordNotFound
from catalog_app.services import Catalogue
from catalog_app.services.lookup import find_unit
from catalog_app.storage import models
from catalog_app.storage.wal_guard import wal_path

PASSPHRASE = "correct horse battery staple"
ORM_AND_SQLALCHEMY = ("sqlalchemy", "alembic", "catalog_app.storage.models")


def _search_process(
    tmp_path: Path, db: Path, env: dict[str, str]
) -> tuple[dict[str, Any], set[str]]:
    """What `catalog --db DB search prison --json` prints, and the modules it loaded."""
    listing = tmp_path / "modules.txt"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from catalog_app.cli.main import main\n"
        f"code = main(['--db', {str(db)!r}, 'search', 'prison', '--json'])\n"
        f"Path({str(listing)!r}).write_text('\\n'.join(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), set(listing.read_text().split())


def _loaded_of(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_a_search_loads_no_sqlalchemy_plain_or_encrypted(tmp_path: Path) -> None:
    for name, encrypt in (("plain.sqlite", False), ("locked.sqlite", True)):
        db = tmp_path / name
        with Catalogue.open(db, create=True, encrypt=encrypt, passphrase=PASSPHRASE) as made:
            made.units.create({"title": "Letters from the prison", "level": "item"})
            made.units.create({"title": "A garden diary", "level": "item"})
        found, modules = _search_process(tmp_path, db, {PASSPHRASE_ENV: PASSPHRASE})
        assert [hit["title"] for hit in found["results"]] == ["Letters from the prison"]
        assert found["total"] == 1
        assert _loaded_of(modules, ORM_AND_SQLALCHEMY) == []


def _titles(results: SearchResults) -> list[str]:
    return [hit.title for hit in results.hits]


def test_the_window_s_threads_search_through_the_engine_with_the_same_results(
    catalogue: Catalogue,
) -> None:
    catalogue.units.create({"title": "Prison letters", "level": "item"})
    catalogue.units.create({"title": "Prison diary", "level": "item"})
    here = catalogue.search.search("prison")
    elsewhere: list[SearchResults] = []
    worker = threading.Thread(target=lambda: elsewhere.append(catalogue.search.search("prison")))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert _titles(elsewhere[0]) == _titles(here)
    assert elsewhere[0].total == here.total == 2


def test_the_read_connection_is_replaced_when_its_log_is(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    with Catalogue.open(db, create=True) as made:
        made.units.create({"title": "Prison letters", "level": "item"})
    with Catalogue.open(db) as catalogue:
        assert catalogue.search.search("prison").total == 1
        first = catalogue._reader._connection
        assert first is not None
        wal_path(db).unlink()  # as another program might: the log is no longer the one opened
        assert catalogue.search.search("prison").total == 1
        assert catalogue._reader._connection is not first


def test_a_catalogue_only_searched_is_whole_in_its_file_once_closed(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    with Catalogue.open(db, create=True) as made:
        made.units.create({"title": "Prison letters", "level": "item"})
    with Catalogue.open(db) as catalogue:
        catalogue.search.search("prison")
    assert not wal_path(db).exists() or wal_path(db).stat().st_size == 0


def test_find_unit_finds_what_the_session_has_not_written_yet(catalogue: Catalogue) -> None:
    with catalogue.db.write("tester") as session:
        session.add(
            models.Unit(
                reference_code="NEW-1", title="New", created_by="tester", updated_by="tester"
            )
        )
        assert find_unit(session, "new-1").title == "New"  # any case, as typed
        unit = find_unit(session, "NEW-1")
        assert find_unit(session, unit.uuid.upper()) is unit
        assert find_unit(session, str(unit.id)) is unit
        with pytest.raises(RecordNotFound) as refused:
            find_unit(session, "NOT-THERE")
        assert str(refused.value) == "No record has the id or reference code 'NOT-THERE'."
