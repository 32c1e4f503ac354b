"""What leaves the catalogue: one person name for everything recorded, and no host name,
login name or local path in any export unless internal details are included on purpose."""

from __future__ import annotations

import json
import platform
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_app.cli import main
from catalog_app.domain.records import NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services import Catalogue
from catalog_app.services.identity import UNNAMED, USER_ENV

HOST = "hostzqx-laptop"
LOGIN = "loginzqx"
IMPORT_FOLDER = "folderzqx-informants"
CATALOGUE_FOLDER = "catdirzqx"
INTERNAL = (HOST, LOGIN, IMPORT_FOLDER, CATALOGUE_FOLDER)
# Every format, and both CSV profiles: (format, output name, extra options).
EXPORTS = (
    ("csv", "aid.csv", ()),
    ("csv", "atom.csv", ("--profile", "atom")),
    ("xlsx", "aid.xlsx", ()),
    ("ead", "ead.xml", ()),
    ("dc", "dc.xml", ()),
    ("bag", "bag", ()),
)


@pytest.fixture
def this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A computer called HOST, used under the login LOGIN."""
    monkeypatch.setattr(platform, "node", lambda: HOST)
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # getpass reads these first
        monkeypatch.setenv(variable, LOGIN)


@pytest.fixture
def seized(tmp_path: Path, this_computer: None, empty_catalogue_file: Path) -> Path:
    """A catalogue whose records carry the host name, the login name (recorded as the
    person, as older versions did when no name was given) and the folder imported from."""
    db = tmp_path / CATALOGUE_FOLDER / "evidence.sqlite"
    folder = tmp_path / IMPORT_FOLDER
    folder.mkdir()
    (folder / "statement.txt").write_text("Statement of a witness", encoding="utf-8")
    db.parent.mkdir()
    shutil.copyfile(empty_catalogue_file, db)
    as_login = ["--db", str(db), "--user", LOGIN]
    assert main([*as_login, "import", str(folder / "statement.txt"), "--workers", "1"]) == 0
    assert main([*as_login, "verify"]) == 0
    with Catalogue.open(db, actor=LOGIN) as catalogue:
        (unit,) = catalogue.units.children(None)
        catalogue.provenance.record(
            unit.id, NewEvent("capture", agent=LOGIN, place=HOST, note="Copied by hand")
        )
        catalogue.reliability.assess(
            unit.id, NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
        )
    return db


def _export_everything(db: Path, folder: Path, *options: str) -> list[Path]:
    folder.mkdir()
    for fmt, name, extra in EXPORTS:
        command = ["--db", str(db), "export", fmt, str(folder / name), *extra, *options]
        assert main(command) == 0, command
    return [folder / name for _, name, _ in EXPORTS]


def _written(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every byte an export wrote, as (where, bytes): each file's name within the export and
    its contents, and the unpacked members of a zip (XLSX) too."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        where = str(file.relative_to(path.parent))
        yield f"name of {where}", where.encode("utf-8")
        yield where, file.read_bytes()
        if zipfile.is_zipfile(file):
            with zipfile.ZipFile(file) as archive:
                for member in archive.namelist():
                    yield f"{where}!{member}", archive.read(member)


def _hits(exports: list[Path]) -> dict[str, list[str]]:
    """For each internal detail, where in the exports it appears (case aside)."""
    found: dict[str, list[str]] = {detail: [] for detail in INTERNAL}
    for export in exports:
        for where, data in _written(export):
            lowered = data.lower()
            for detail in INTERNAL:
                if detail.encode("utf-8") in lowered:
                    found[detail].append(where)
    return found


def test_no_export_holds_a_host_or_login_name_or_a_local_path(seized: Path, tmp_path: Path) -> None:
    with Catalogue.open(seized, readonly=True) as catalogue:  # they stay inside
        (unit,) = catalogue.units.children(None)
        detail = catalogue.units.get(unit.id)
    assert IMPORT_FOLDER in (detail.files[0].original_path or "")
    assert HOST in {event.place for event in detail.events}
    assert detail.created_by == LOGIN
    exports = _export_everything(seized, tmp_path / "shared")
    assert _hits(exports) == {detail: [] for detail in INTERNAL}
    finding_aid = (tmp_path / "shared" / "aid.csv").read_text(encoding="utf-8-sig")
    assert "Imported from statement.txt;" in finding_aid  # the file's name stays
    assert f"by {UNNAMED}" in finding_aid


def test_a_source_address_on_a_computer_is_a_local_path_too(seized: Path, tmp_path: Path) -> None:
    """A page saved from a disk names itself by a file: address, which names the folders."""
    local = f"FILE:///home/{LOGIN}/{IMPORT_FOLDER}/saved-page.html"
    web = "https://example.org/khavaran/gathering"
    with Catalogue.open(seized, actor="Sara") as catalogue:
        (unit,) = catalogue.units.children(None)
        catalogue.units.update(unit.id, {"source_url": local})
        catalogue.provenance.record(unit.id, NewEvent("capture", source_url=local))
        catalogue.provenance.record(unit.id, NewEvent("capture", source_url=web))
    exports = _export_everything(seized, tmp_path / "shared")
    assert _hits(exports) == {detail: [] for detail in INTERNAL}
    assert web in (tmp_path / "shared" / "aid.csv").read_text(encoding="utf-8-sig")
    _export_everything(seized, tmp_path / "internal", "--include-internal")
    assert local in (tmp_path / "internal" / "aid.csv").read_text(encoding="utf-8-sig")


def test_internal_details_go_when_included_on_purpose(seized: Path, tmp_path: Path) -> None:
    exports = _export_everything(seized, tmp_path / "internal", "--include-internal")
    found = _hits(exports)
    assert all(found.values()), found
    finding_aid = (tmp_path / "internal" / "aid.csv").read_bytes()
    for detail in (HOST, LOGIN, IMPORT_FOLDER):
        assert detail.encode() in finding_aid
    bag_info = (tmp_path / "internal" / "bag" / "bag-info.txt").read_text(encoding="utf-8")
    assert str(seized) in bag_info


def test_the_json_answer_says_whether_internal_details_went(
    seized: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for options, included in (((), False), (("--include-internal",), True)):
        output = tmp_path / f"aid-{included}.csv"
        assert main(["--db", str(seized), "export", "csv", str(output), "--json", *options]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer["internal_details_included"] is included
        assert answer["records"] == 1


def test_without_a_name_changes_are_recorded_as_unnamed_never_as_the_login_name(
    tmp_path: Path,
    this_computer: None,
    monkeypatch: pytest.MonkeyPatch,
    empty_catalogue_file: Path,
) -> None:
    monkeypatch.delenv(USER_ENV)
    db = tmp_path / "catalogue.sqlite"
    shutil.copyfile(empty_catalogue_file, db)
    with Catalogue.open(db) as catalogue:
        unit = catalogue.units.create({"title": "Letter"})
        catalogue.provenance.record(unit.id, NewEvent("capture"))
        catalogue.reliability.assess(
            unit.id, NewAssessment(SourceReliability.C, InformationCredibility.POSSIBLY_TRUE)
        )
        detail = catalogue.units.get(unit.id)
        actors = {row.actor for row in catalogue.audit.recent()}
    assert actors == {UNNAMED}
    assert detail.created_by == UNNAMED
    assert detail.events[0].recorded_by == UNNAMED
    assert detail.assessments[0].assessor == UNNAMED


@pytest.mark.parametrize(
    ("options", "environment", "recorded"),
    [
        (["--user", "  Maryam   Rahimi "], "Someone else", "Maryam Rahimi"),
        ([], "Leila", "Leila"),
    ],
)
def test_one_person_name_is_recorded_for_every_change_event_and_assessment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    empty_catalogue_file: Path,
    options: list[str],
    environment: str,
    recorded: str,
) -> None:
    monkeypatch.setenv(USER_ENV, environment)
    db = tmp_path / "catalogue.sqlite"
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "letter.txt").write_text("A letter", encoding="utf-8")
    shutil.copyfile(empty_catalogue_file, db)
    assert main(["--db", str(db), *options, "import", str(folder), "--workers", "1"]) == 0
    with Catalogue.open(db, actor=" ".join(options[1:]) or None) as catalogue:
        (unit,) = catalogue.units.children(None)
        catalogue.reliability.assess(
            unit.id, NewAssessment(SourceReliability.A, InformationCredibility.CONFIRMED)
        )
        detail = catalogue.units.get(unit.id)
        actors = {row.actor for row in catalogue.audit.recent()}
    assert actors == {recorded}
    assert {detail.created_by, detail.updated_by} == {recorded}
    assert {e.agent for e in detail.events} == {recorded}
    assert {e.recorded_by for e in detail.events} == {recorded}
    assert detail.assessments[0].assessor == recorded
