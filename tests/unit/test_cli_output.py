"""What `catalog` prints is always valid for the reader: UTF-8 text and valid JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_app.cli import main
from catalog_app.services import Catalogue

CATALOG = Path(sys.executable).with_name("catalog")


def test_a_file_name_that_is_not_utf8_is_escaped_in_json_and_text(tmp_path: Path) -> None:
    db = tmp_path / "cat.sqlite"
    folder = tmp_path / "incoming"
    folder.mkdir()
    # A name written on an old Windows machine in the Persian code page (cp1256).
    raw_name = "گزارش".encode("cp1256") + b".txt"
    Path(os.fsdecode(os.fsencode(folder) + b"/" + raw_name)).write_text(
        "A report on the prison.\n", encoding="utf-8"
    )
    run = [str(CATALOG), "--db", str(db)]
    subprocess.run([*run, "init"], check=True, capture_output=True, timeout=60)

    result = subprocess.run(
        [*run, "import", str(folder), "--json"], capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.decode("utf-8"))  # strict: raw bytes would fail here
    item = data["items"][0]
    assert item["outcome"] == "imported"
    assert "\\x" in item["path"]

    shown = subprocess.run(
        [*run, "show", item["reference_code"]], capture_output=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    shown.stdout.decode("utf-8")


def test_refusals_are_logged_with_their_details(tmp_path: Path, isolated_home: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    assert main(["--db", str(missing), "stats"]) == 1
    assert main(["--db", str(missing), "show", "17"]) == 1
    log = (isolated_home / "logs" / "catalog.log").read_text(encoding="utf-8")
    assert "refused: There is no catalogue at" in log
    assert log.count("'catalog") >= 2


def test_files_that_could_not_be_imported_are_in_the_log(
    tmp_path: Path, isolated_home: Path
) -> None:
    db = tmp_path / "cat.sqlite"
    assert main(["--db", str(db), "init"]) == 0
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["--db", str(db), "import", str(empty)]) == 1
    log = (isolated_home / "logs" / "catalog.log").read_text(encoding="utf-8")
    assert "empty.txt could not be catalogued" in log


def test_numbers_too_large_for_the_catalogue_get_one_line(
    catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "9" * 25
    assert main(["--db", str(catalogue.path), "show", huge]) == 1
    assert main(["--db", str(catalogue.path), "search", "a", "--offset", huge]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("catalog: No record has the id")
    assert "offset must be between" in err[1]
