"""The `catalog` command as scripts and people use it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_app.cli import main
from catalog_app.domain.records import NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.paths import default_catalogue
from catalog_app.services import Catalogue

CATALOG = Path(sys.executable).with_name("catalog")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user's shell runs it."""
    return subprocess.run(
        [str(CATALOG), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=60,
    )


def test_init_then_stats_json_reports_zero_counts(tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite")
    first = run("--db", db, "init")
    assert first.returncode == 0, first.stderr
    assert "Created" in first.stdout
    stats = run("--db", db, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["path"] == db
    assert data["counts"]
    assert set(data["counts"].values()) == {0}
    assert {
        "units",
        "files",
        "agents",
        "provenance_events",
        "reliability_assessments",
        "relations",
        "audit_log",
    } <= set(data["counts"])
    again = run("--db", db, "init")
    assert again.returncode == 0
    assert "already a catalogue" in again.stdout
    assert json.loads(run("--db", db, "stats", "--json").stdout) == data


@pytest.mark.parametrize("target", ["text file", "directory", "read-only path", "missing"])
def test_bad_catalogue_paths_give_one_line_and_a_non_zero_exit(tmp_path: Path, target: str) -> None:
    if target == "text file":
        path = tmp_path / "notes.txt"
        path.write_text("not a catalogue\n")
    elif target == "directory":
        path = tmp_path
    elif target == "read-only path":
        path = Path("/proc/catalogue.sqlite")
    else:
        path = tmp_path / "nothing-here.sqlite"
    for command in (["init"], ["stats", "--json"], ["show", "X"]):
        if target == "missing" and command == ["init"]:
            continue
        result = run("--db", str(path), *command)
        assert result.returncode == 1, (command, result)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("catalog: ")
        assert "Traceback" not in result.stderr


def test_writing_to_a_read_only_catalogue_is_refused_but_reading_works(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    assert main(["--db", str(path), "init"]) == 0
    path.chmod(stat.S_IRUSR)
    try:
        result = run("--db", str(path), "stats", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["counts"]["units"] == 0
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_catalog_db_environment_variable_selects_the_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "from-env.sqlite"
    assert run("init", env={"CATALOG_DB": str(path)}).returncode == 0
    assert path.exists()


def test_the_default_catalogue_is_created_on_first_use(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not default_catalogue().exists()
    assert main(["stats", "--json"]) == 0
    assert default_catalogue().exists()
    assert json.loads(capsys.readouterr().out)["path"] == str(default_catalogue())


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["show"]) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.fixture
def described(catalogue: Catalogue) -> Catalogue:
    fonds = catalogue.units.create({"title": "Testimonies", "level": "fonds"})
    item = catalogue.units.create(
        {"title": "خاوران", "date_expression": "1988-22", "languages": ["fa"]},
        parent_id=fonds.id,
    )
    catalogue.provenance.record(item.id, NewEvent("capture", occurred_at="2024-03-02"))
    catalogue.reliability.assess(
        item.id,
        NewAssessment(
            SourceReliability.C,
            InformationCredibility.PROBABLY_TRUE,
            affiliation_note="Opposition outlet",
        ),
    )
    catalogue.units.update(item.id, {"title": "Khavaran"})
    return catalogue


def test_show_json_gives_the_whole_record(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(described.path), "show", "CAT-0001/0001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reference_code"] == "CAT-0001/0001"
    assert data["title"] == "Khavaran"
    assert data["parent_reference_code"] == "CAT-0001"
    assert (data["date_start"], data["date_end"]) == ("1988-06-01", "1988-08-31")
    assert data["languages"] == ["fa"]
    assert data["events"][0]["event_type"] == "capture"
    assert data["current_assessment"]["grade"] == "C2"
    assert data["current_assessment"]["source_reliability_label"] == "Fairly reliable"
    assert data["assessments"][0]["affiliation_note"] == "Opposition outlet"
    assert "history" not in data


def test_show_by_id_and_with_history(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    unit = described.units.find("CAT-0001/0001")
    assert main(["--db", str(described.path), "show", str(unit.id), "--history", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)["history"]
    titles = [h for h in history if h["field"] == "title"]
    assert titles[0]["old_value"] == "خاوران"
    assert titles[0]["new_value"] == "Khavaran"


def test_show_text_is_readable(described: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(described.path), "show", "cat-0001/0001"]) == 0
    out = capsys.readouterr().out
    assert "CAT-0001/0001  Khavaran" in out
    assert "summer 1988" in out
    assert "C2  Fairly reliable; Probably true" in out
    assert "Opposition outlet" in out


def test_show_unknown_record(described: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(described.path), "show", "NOPE-1"]) == 1
    assert capsys.readouterr().err.strip() == (
        "catalog: No record has the id or reference code 'NOPE-1'."
    )


def test_backup_restore_and_check(
    described: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backup"
    assert main(["--db", str(described.path), "backup", str(backup)]) == 0
    assert f"Backed up {described.path} to {backup}: the catalogue and 0 originals" in (
        capsys.readouterr().out
    )
    copy = tmp_path / "copy.sqlite"
    assert main(["restore", str(backup), str(copy), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(copy)
    assert main(["--db", str(copy), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"path": str(copy), "ok": True, "problems": []}
    assert main(["--db", str(copy), "backup", str(backup)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_internal_errors_are_logged_not_shown_as_tracebacks(
    described: Catalogue,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    def broken(self: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Catalogue, "stats", broken)
    assert main(["--db", str(described.path), "stats"]) == 70
    err = capsys.readouterr().err
    assert "internal error" in err
    assert "Traceback" not in err
    log = next((isolated_home / "logs").glob("*.log")).read_text()
    assert "Traceback" in log
    assert "boom" in log
