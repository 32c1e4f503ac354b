"""CSV import of the `isad` and `atom` profiles: checks before writing, one transaction."""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from catalog_app.domain.records import AgentName, NewAssessment, UnitDetail
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import CatalogError, ValidationError
from catalog_app.export.columns import ISAD_COLUMNS, atom_columns
from catalog_app.services import Catalogue
from catalog_app.services.csv_import import (
    CsvImportProblems,
    CsvImportReport,
    CsvImportService,
)

PERSIAN = "گزارش خانواده‌ها از تهران"
TRICKY = 'He said "no", then left;\nsecond line, with commas'
UUID_A = "0f8b8c38-7d0e-4d7e-9d43-8c5f0b1f6a01"


def write_isad(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    """A file as the isad writer makes one: UTF-8 with BOM, CRLF rows, every column."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.DictWriter(stream, ISAD_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_atom(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    """A file as AtoM expects one: UTF-8 without BOM, LF endings, its header."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, atom_columns(), restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def problems_of(report: CsvImportReport) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


def message(report: CsvImportReport, row: int, column: str) -> str:
    return " | ".join(p.message for p in report.problems if (p.row, p.column) == (row, column))


def counts(catalogue: Catalogue) -> dict[str, int]:
    return catalogue.stats().counts


def unit(catalogue: Catalogue, code: str) -> UnitDetail:
    return catalogue.units.find(code)


ISAD_GOOD = [
    {
        "Reference code": "F1",
        "Level": "Fonds",
        "Title": "Family papers",
        "Dates": "1950/1979",
        "Access status": "Restricted",
        "Creators": "Sara Ahmadi\nNorth Press",
        "Languages": "fa\nen",
        "Scripts": "Arab",
    },
    {
        "Reference code": "F1/S1",
        "Parent reference code": "F1",
        "Level": "series",
        "Title": PERSIAN,
        "Date start": "1960-01-01",
        "Date end": "1969-12-31",
        "Scope and content": TRICKY,
        "Subjects": "Land reform\nFamilies",
        "Places": "tehran",
        "Names": "علی کریمی\nNorth Press (publisher)",
    },
    {
        "Parent reference code": "F1/S1",
        "Level": "item",
        "Title": '\'=HYPERLINK("http://x")',
        "Dates": "-0100",
        "Access status": "open",
        "Type": "Web page",
        "General note": "'-- not a formula",
        "Source reliability": "B — Usually reliable",
        "Information credibility": "2 — Probably true",
        "Reliability notes": "Affiliation: State outlet\nMethod: compared\nGraded B2 on 2024-05-01 "
        "by Reza",
        "Provenance": "2024-01-01 capture by Field team (success)",
        "UUID": UUID_A,
    },
]


def test_isad_real_run_builds_hierarchy_fields_and_access_points(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    place = catalogue.terms.place("Tehran")
    known = catalogue.agents.create("Ali Karimi", names=[AgentName("علی کریمی", "variant", None)])
    path = write_isad(tmp_path / "inventory.csv", ISAD_GOOD)
    report = CsvImportService(catalogue).run(path)

    assert report.ok
    assert report.rows == 3
    assert len(report.created_ids) == 3
    fonds, series = unit(catalogue, "F1"), unit(catalogue, "F1/S1")
    item = catalogue.units.get(report.created_ids[2])
    assert fonds.level == "fonds"
    assert fonds.parent_id is None
    assert fonds.date_expression == "1950/1979"
    assert fonds.date_start is not None
    assert fonds.languages == ("fa", "en")
    assert fonds.scripts == ("Arab",)
    assert {(a.authorised_name, a.role) for a in fonds.agents} == {
        ("Sara Ahmadi", "creator"),
        ("North Press", "creator"),
    }
    assert series.parent_id == fonds.id
    assert series.title == PERSIAN
    assert series.scope_content == TRICKY
    assert series.date_expression == "1960-01-01/1969-12-31"
    assert series.access_status == "restricted"  # inherited from the fonds
    assert [p.id for p in series.places] == [place.id]  # matched as TermService matches
    assert sorted(s.name for s in series.subjects) == ["Families", "Land reform"]
    roles = {(a.agent_id, a.role) for a in series.agents}  # matched by a variant name
    north = next(a.agent_id for a in fonds.agents if a.authorised_name == "North Press")
    assert roles == {(known.id, "subject"), (north, "publisher")}
    # A code generated as units.create makes them, under the parent.
    assert item.reference_code == "F1/S1/0001"
    assert item.parent_id == series.id
    assert item.title == '=HYPERLINK("http://x")'
    assert item.general_note == "-- not a formula"
    assert item.date_expression == "-0100"
    assert item.media_type == "web page"
    assert item.access_status == "open"
    assert item.uuid == UUID_A
    grade = item.current_assessment
    assert grade is not None
    assert grade.grade == "B2"
    assert grade.assessor == "Reza"
    assert grade.affiliation_note == "State outlet"
    assert grade.method_note == "compared"
    ingestion = [e for e in item.events if e.event_type == "ingestion"]
    assert len(ingestion) == 1
    assert ingestion[0].note is not None
    assert "inventory.csv" in ingestion[0].note
    assert "capture by Field team" in ingestion[0].note
    assert catalogue.integrity_problems() == []
    hits = catalogue.search.search("خانواده‌ها")
    assert series.id in {hit.id for hit in hits.hits}
    # Audited like every other write, links included, with the import as the reason.
    trail = {(r.action, r.field, r.new_value) for r in catalogue.audit.history(series.uuid)}
    assert {(a, f) for a, f, _ in trail} >= {
        ("create", None),
        ("add", "place"),
        ("add", "subject"),
        ("add", "agent (subject)"),
        ("add", "agent (publisher)"),
    }
    assert {r.reason for r in catalogue.audit.history(series.uuid)} == {
        "import of CSV file inventory.csv"
    }


def test_isad_dry_run_lists_each_problem_and_writes_nothing(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    catalogue.units.create({"title": "Already here", "reference_code": "OLD-1"})
    rows = [
        {"Reference code": "A", "Level": "Fonds", "Title": "Top"},
        {"Reference code": "B", "Level": "shelf", "Title": "Bad level"},  # row 3
        {"Reference code": "C", "Level": "item", "Title": "Bad date", "Dates": "May 1988"},
        {"Reference code": "D", "Parent reference code": "NOPE", "Level": "item", "Title": "x"},
        {"Reference code": "a", "Level": "item", "Title": "Same code, other case"},  # row 6
        {"Reference code": "old-1", "Level": "item", "Title": "In the catalogue"},
        {"Reference code": "E", "Level": "item", "Title": "x", "Access status": "secret"},
        {"Reference code": "F", "Level": "item", "Title": "x", "Languages": "Persian!"},
        {"Reference code": "G", "Parent reference code": "H", "Level": "item", "Title": "x"},
        {"Reference code": "H", "Level": "file", "Title": ""},  # row 11
        {"Reference code": "I", "Parent reference code": "OLD-1", "Level": "item", "Title": "ok"},
    ]
    path = write_isad(tmp_path / "bad.csv", rows)
    before = counts(catalogue)
    report = CsvImportService(catalogue).run(path, dry_run=True)

    assert problems_of(report) == {
        (3, "Level"),
        (4, "Dates"),
        (5, "Parent reference code"),
        (6, "Reference code"),
        (7, "Reference code"),
        (8, "Access status"),
        (9, "Languages"),
        (10, "Parent reference code"),
        (11, "Title"),
    }
    assert "'shelf' is not a valid level" in message(report, 3, "Level")
    assert "EDTF" in message(report, 4, "Dates")
    assert "'NOPE'" in message(report, 5, "Parent reference code")
    assert "also in row 2" in message(report, 6, "Reference code")
    assert "already used in the catalogue" in message(report, 7, "Reference code")
    assert "later" in message(report, 10, "Parent reference code")
    assert report.rows_with_problems == 9
    assert report.created_ids == ()
    assert [p.row for p in report.problems] == sorted(p.row for p in report.problems)
    assert counts(catalogue) == before


def test_a_real_run_with_problems_leaves_the_catalogue_unchanged(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    rows = [*ISAD_GOOD, {"Reference code": "X", "Level": "box", "Title": "x"}]
    path = write_isad(tmp_path / "bad.csv", rows)
    before = counts(catalogue)
    with pytest.raises(CsvImportProblems) as raised:
        CsvImportService(catalogue).run(path)
    assert str(raised.value) == (
        "1 row has problems, so nothing was imported; run with --dry-run to list them."
    )
    assert problems_of(raised.value.report) == {(5, "Level")}
    assert counts(catalogue) == before
    assert catalogue.integrity_problems() == []


def test_running_the_same_file_again_refuses_the_duplicates(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write_isad(tmp_path / "inventory.csv", ISAD_GOOD)
    service = CsvImportService(catalogue)
    service.run(path)
    after_first = counts(catalogue)
    with pytest.raises(CsvImportProblems, match="3 rows have problems"):
        service.run(path)
    report = service.run(path, dry_run=True)
    assert problems_of(report) == {
        (2, "Reference code"),
        (3, "Reference code"),
        (4, "UUID"),  # no code given, but the same record (its UUID) is already there
    }
    assert counts(catalogue) == after_first


def test_rows_go_under_a_collection(catalogue: Catalogue, tmp_path: Path) -> None:
    box = catalogue.units.create(
        {
            "title": "Box",
            "reference_code": "BOX",
            "level": "collection",
            "access_status": "confidential",
        }
    )
    path = write_isad(tmp_path / "c.csv", [{"Reference code": "", "Level": "File", "Title": "x"}])
    report = CsvImportService(catalogue).run(path, collection="BOX")
    made = catalogue.units.get(report.created_ids[0])
    assert made.parent_id == box.id
    assert made.reference_code == "BOX/0001"
    assert made.access_status == "confidential"


def test_files_that_cannot_be_read_are_refused_with_one_line(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    service = CsvImportService(catalogue)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Reference code,Title,Level\nA,Caf\xe9,item\n".encode("latin-1"))
    with pytest.raises(ValidationError, match=r"latin\.csv is not UTF-8 text") as raised:
        service.run(latin)
    assert "\n" not in str(raised.value)
    missing = tmp_path / "missing.csv"
    missing.write_text("Reference code,Title\nA,x\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"lacks the column\(s\) Level"):
        service.run(missing)
    atom = write_atom(tmp_path / "atom.csv", [{"legacyId": "1", "title": "x"}])
    with pytest.raises(ValidationError, match="looks like the atom profile"):
        service.run(atom)
    with pytest.raises(CatalogError, match="There is no file"):
        service.run(tmp_path / "nowhere.csv")
    with pytest.raises(ValidationError, match="not a CSV profile"):
        service.run(atom, profile="ead")


def test_a_utf8_file_without_bom_and_with_blank_rows_imports(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("Reference code,Title,Level\nP-1,چای,item\n,,\n", encoding="utf-8", newline="")
    report = CsvImportService(catalogue).run(path)
    assert report.rows == 1
    assert unit(catalogue, "P-1").title == "چای"


ATOM_GOOD = [
    {
        "legacyId": "f-1",
        "identifier": "AT-F1",
        "title": "Press archive",
        "levelOfDescription": "Fonds",
        "eventDates": "[ca. 1885]",
        "eventTypes": "Creation|Creation",
        "eventStartDates": "1885-00-00|NULL",
        "eventEndDates": "1890-00-00|NULL",
        "eventActors": "Mirza Hassan|Daily Star",
        "eventActorHistories": "Editor 1880-1900|NULL",
        "language": "fa|en",
        "script": "Arab",
        "culture": "en",
    },
    {
        "legacyId": "s-1",
        "parentId": "f-1",
        "title": PERSIAN,
        "levelOfDescription": "Record group",
        "scopeAndContent": TRICKY,
        "subjectAccessPoints": "Censorship|Printing",
        "placeAccessPoints": "Tabriz|Tehran",
        "nameAccessPoints": "Ali Karimi",
        "genreAccessPoints": "Web page|Photographs",
        "eventDates": "1920~",
        "publicationStatus": "Draft",
        "culture": "en",
    },
    {
        "legacyId": UUID_A,
        "parentId": "s-1",
        "identifier": "AT-I1",
        "title": "=not a formula here",
        "levelOfDescription": "Item",
        "generalNote": "kept | whole",
        "culture": "en",
    },
]


def test_atom_real_run(catalogue: Catalogue, tmp_path: Path) -> None:
    path = write_atom(tmp_path / "atom.csv", ATOM_GOOD)
    assert b"\r" not in path.read_bytes()
    report = CsvImportService(catalogue).run(path, profile="atom")
    assert report.ok
    assert len(report.created_ids) == 3
    fonds, series, item = (catalogue.units.get(i) for i in report.created_ids)
    assert fonds.reference_code == "AT-F1"
    assert fonds.level == "fonds"
    assert fonds.date_expression == "1885/1890"
    assert fonds.date_kind == "creation"
    assert fonds.languages == ("fa", "en")
    assert fonds.scripts == ("Arab",)
    assert {(a.authorised_name, a.role) for a in fonds.agents} == {
        ("Mirza Hassan", "creator"),
        ("Daily Star", "creator"),
    }
    mirza = next(a for a in fonds.agents if a.authorised_name == "Mirza Hassan")
    assert catalogue.agents.get(mirza.agent_id).history == "Editor 1880-1900"
    assert series.parent_id == fonds.id
    assert series.level == "record group"
    assert series.reference_code == "AT-F1/0001"  # no identifier: generated
    assert series.title == PERSIAN
    assert series.scope_content == TRICKY
    assert series.date_expression == "1920~"
    assert series.access_status == "restricted"  # a draft in AtoM
    assert sorted(p.name for p in series.places) == ["Tabriz", "Tehran"]
    assert sorted((s.name, s.vocabulary) for s in series.subjects) == [
        ("Censorship", None),
        ("Photographs", "genre"),
        ("Printing", None),
    ]
    assert series.media_type == "web page"
    assert [(a.authorised_name, a.role) for a in series.agents] == [("Ali Karimi", "subject")]
    assert item.uuid == UUID_A
    assert item.parent_id == series.id
    assert item.title == "=not a formula here"
    assert item.general_note == "kept | whole"
    assert item.access_status == "restricted"  # inherited
    note = next(e.note for e in series.events if e.event_type == "ingestion")
    assert note is not None
    assert "atom.csv" in note
    assert "legacyId in the file: s-1" in note
    assert catalogue.integrity_problems() == []


def test_atom_dry_run_problems(catalogue: Catalogue, tmp_path: Path) -> None:
    rows = [
        {"legacyId": "1", "title": "Top", "levelOfDescription": "Fonds"},
        {"legacyId": "2", "parentId": "9", "title": "x"},  # row 3: unknown parent
        {"legacyId": "3", "title": "x", "levelOfDescription": "Shelf"},
        {"legacyId": "4", "title": "x", "eventDates": "[ca. 1885]"},  # no ISO dates
        {"legacyId": "1", "title": "again"},  # row 6
        {"legacyId": "6", "qubitParentSlug": "some-slug", "title": "x"},
        {"legacyId": "7", "title": "x", "eventStartDates": "1990-13-01"},
        {"legacyId": "8", "title": "x", "language": "fa|Farsi language"},
        {"legacyId": "9", "title": "x"},
    ]
    path = write_atom(tmp_path / "atom.csv", rows)
    before = counts(catalogue)
    report = CsvImportService(catalogue).run(path, profile="atom", dry_run=True)
    assert problems_of(report) == {
        (3, "parentId"),
        (4, "levelOfDescription"),
        (5, "eventDates"),
        (6, "legacyId"),
        (7, "qubitParentSlug"),
        (8, "eventStartDates"),
        (9, "language"),
    }
    assert "later" in message(report, 3, "parentId")
    assert counts(catalogue) == before


def test_cancelling_writes_nothing(catalogue: Catalogue, tmp_path: Path) -> None:
    rows = [{"Reference code": f"R-{n}", "Level": "item", "Title": f"t{n}"} for n in range(1200)]
    path = write_isad(tmp_path / "many.csv", rows)
    before = counts(catalogue)
    seen: list[tuple[int, int]] = []

    def stop_while_writing(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < total * 3 // 4

    report = CsvImportService(catalogue).run(path, report=stop_while_writing)
    assert report.cancelled
    assert report.created_ids == ()
    assert seen[-1][0] > 1200  # it was writing when it stopped
    assert counts(catalogue) == before


def test_ten_thousand_rows(catalogue: Catalogue, tmp_path: Path) -> None:
    rows: list[dict[str, str]] = [{"Reference code": "BIG", "Level": "Fonds", "Title": "Big"}]
    for s in range(10):
        rows.append(
            {
                "Reference code": f"BIG/{s}",
                "Parent reference code": "BIG",
                "Level": "Series",
                "Title": f"S{s}",
            }
        )
        rows += [
            {
                "Parent reference code": f"BIG/{s}",
                "Level": "Item",
                "Title": f"{PERSIAN} {s}-{n}",
                "Dates": f"19{n % 100:02d}-0{1 + n % 9}",
                "Scope and content": TRICKY,
                "Creators": f"Writer {n % 50}",
                "Subjects": f"Topic {n % 30}\nTopic {n % 7}",
                "Places": f"Place {n % 20}",
                "Languages": "fa",
            }
            for n in range(999)
        ]
    path = write_isad(tmp_path / "big.csv", rows)
    started = time.perf_counter()
    report = CsvImportService(catalogue).run(path)
    elapsed = time.perf_counter() - started
    print(f"\nCSV import: {report.rows} rows in {elapsed:.1f} s ({report.rows / elapsed:,.0f}/s)")
    assert report.ok
    assert counts(catalogue)["units"] == 10_001
    assert unit(catalogue, "BIG/9/0999").title == f"{PERSIAN} 9-998"
    assert counts(catalogue)["subjects"] == 30
    assert counts(catalogue)["agents"] == 50


# -- round trips through the writers -------------------------------------------------------

ROUND_TRIP_FIELDS = (
    "reference_code",
    "title",
    "level",
    "date_expression",
    "date_start",
    "date_end",
    "extent",
    "archival_history",
    "acquisition",
    "scope_content",
    "arrangement",
    "access_note",
    "reproduction_note",
    "languages",
    "scripts",
    "related_note",
    "publication_note",
    "general_note",
    "archivist_note",
    "rules",
    "description_date",
    "media_type",
    "uuid",
    "parent_reference_code",
)


def described(catalogue: Catalogue) -> list[UnitDetail]:
    """A small fonds with tricky values in every kind of field."""
    fonds = catalogue.units.create(
        {
            "title": PERSIAN,
            "reference_code": "RT",
            "level": "fonds",
            "date_expression": "1950~/1979",
            "extent": "3 boxes, 1 drive",
            "archival_history": TRICKY,
            "acquisition": '=gift from "the family"',
            "scope_content": "Line one\nline two, with a comma",
            "arrangement": "-by year",
            "access_note": "+ask first",
            "reproduction_note": "@staff only",
            "languages": ["fa", "en"],
            "scripts": ["Arab", "Latn"],
            "related_note": "See RT-2",
            "publication_note": "Printed 1990",
            "general_note": "Note; with semicolon",
            "archivist_note": "Checked by the archivist",
            "rules": "ISAD(G)",
            "description_date": "2024-05-01",
        }
    )
    series = catalogue.units.create(
        {"title": "Letters", "level": "record group", "date_expression": "-0044"},
        parent_id=fonds.id,
    )
    item = catalogue.units.create(
        {
            "title": "One letter",
            "level": "item",
            "date_expression": "1961-XX",
            "media_type": "web page",
            "access_status": "open",
        },
        parent_id=series.id,
    )
    creator = catalogue.agents.create("سارا احمدی")
    catalogue.units.link_agent(fonds.id, creator.id, "creator")
    named = catalogue.agents.create("Ali Karimi")
    catalogue.units.link_agent(item.id, named.id, "subject")
    catalogue.units.link_place(item.id, catalogue.terms.place("Tabriz").id)
    catalogue.units.link_subject(item.id, catalogue.terms.subject("Land reform").id)
    catalogue.units.link_subject(item.id, catalogue.terms.subject("خانواده").id)
    return [catalogue.units.get(u.id) for u in (fonds, series, item)]


def other_catalogue(empty_catalogue_file: Path, tmp_path: Path) -> Catalogue:
    path = tmp_path / "other.sqlite"
    shutil.copyfile(empty_catalogue_file, path)
    return Catalogue.open(path, actor="tester")


def access_points(detail: UnitDetail) -> tuple[object, ...]:
    return (
        sorted((a.authorised_name, a.role) for a in detail.agents),
        sorted(p.name for p in detail.places),
        sorted(s.name for s in detail.subjects),
    )


@pytest.mark.parametrize("profile", ["isad", "atom"])
def test_round_trip_through_the_writer(
    catalogue: Catalogue, empty_catalogue_file: Path, tmp_path: Path, profile: str
) -> None:
    """Export with the profile's writer, import with this service: nothing described is
    lost (the isad writer neutralises formula-like cells; the import restores them)."""
    from catalog_app.export import csv_atom, csv_isad
    from catalog_app.services.export_source import Selection, iter_units

    originals = described(catalogue)
    catalogue.reliability.assess(
        originals[2].id,
        NewAssessment(
            SourceReliability.C,
            InformationCredibility.POSSIBLY_TRUE,
            affiliation_note="State outlet",
            corroboration_note="Two witnesses",
            method_note="Compared\nwith archives",
            assessor="Reza",
        ),
    )
    originals[2] = catalogue.units.get(originals[2].id)
    writer = csv_isad.write if profile == "isad" else csv_atom.write
    path = tmp_path / f"{profile}.csv"
    with path.open("wb") as out:
        writer(iter_units(catalogue, Selection(include_restricted=True)), out)
    if profile == "isad":
        assert "'=gift" in path.read_text(encoding="utf-8-sig")  # neutralised on the way out

    with other_catalogue(empty_catalogue_file, tmp_path) as other:
        report = CsvImportService(other).run(path, profile=profile)
        assert report.ok
        copies = [other.units.get(unit_id) for unit_id in report.created_ids]
        for original, copy in zip(originals, copies, strict=True):
            for name in ROUND_TRIP_FIELDS:
                assert getattr(copy, name) == getattr(original, name), name
            assert access_points(copy) == access_points(original)
            if profile == "isad":
                assert copy.access_status == original.access_status
        if profile == "isad":
            grade, was = copies[2].current_assessment, originals[2].current_assessment
            assert grade is not None
            assert was is not None
            assert (grade.grade, grade.assessor) == (was.grade, was.assessor)
            assert grade.assessed_at is not None
            assert was.assessed_at is not None
            assert grade.assessed_at.date() == was.assessed_at.date()
            assert (grade.affiliation_note, grade.corroboration_note) == (
                was.affiliation_note,
                was.corroboration_note,
            )
            assert grade.method_note == "Compared with archives"  # written on one line
        assert other.integrity_problems() == []


def test_a_short_row_missing_its_title_is_a_problem_in_the_dry_run(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """A row that stops before the Title column is reported by the dry run, like an empty
    title, rather than passing the checks and failing at the database."""
    isad = tmp_path / "short.csv"
    isad.write_text("Reference code,Level,Title\nA1,item\n", encoding="utf-8")
    report = CsvImportService(catalogue).run(isad, dry_run=True)
    assert problems_of(report) == {(2, "Title")}
    with pytest.raises(CsvImportProblems):
        CsvImportService(catalogue).run(isad)
    atom = tmp_path / "short-atom.csv"
    atom.write_text("legacyId,levelOfDescription,title\nq1,Item\n", encoding="utf-8")
    report = CsvImportService(catalogue).run(atom, profile="atom", dry_run=True)
    assert problems_of(report) == {(2, "title")}
    assert counts(catalogue)["units"] == 0


def test_an_impossible_grading_date_is_a_problem_not_a_crash(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write_isad(
        tmp_path / "graded.csv",
        [
            {
                "Reference code": "G1",
                "Title": "x",
                "Level": "Item",
                "Source reliability": "B — Usually reliable",
                "Information credibility": "2 — Probably true",
                "Reliability notes": "Graded B2 on 2024-13-45 by Sara",
            }
        ],
    )
    report = CsvImportService(catalogue).run(path, dry_run=True)
    assert problems_of(report) == {(2, "Reliability notes")}


def test_a_field_longer_than_the_csv_modules_default_limit_imports(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """The exporters write long descriptions whole; the import must read them back."""
    long_text = "گزارش " * 40_000  # 240,000 characters, over csv's 131,072
    path = write_isad(
        tmp_path / "long.csv",
        [{"Reference code": "L1", "Title": "x", "Level": "Item", "Scope and content": long_text}],
    )
    report = CsvImportService(catalogue).run(path)
    assert report.ok
    assert unit(catalogue, "L1").scope_content == long_text.strip()


def test_a_relation_to_a_record_in_neither_the_file_nor_the_catalogue_is_said(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    catalogue.units.create({"title": "Already here", "reference_code": "OLD1"})
    path = write_isad(
        tmp_path / "inventory.csv",
        [
            {"Reference code": "F1", "Level": "item", "Title": "Family papers"},
            {
                "Reference code": "F2",
                "Level": "item",
                "Title": "A copy",
                "Relations": "This record republishes F1 “Family papers”\n"
                "This record cites OLD1 “Already here”\n"
                "This record cites GONE-7 “Lost”\n"
                "This record corroborates GONE-8 “Lost too”",
            },
        ],
    )
    checked = CsvImportService(catalogue).run(path, dry_run=True)
    expected = (
        "2 relations left out: they name records that are neither in the file nor in this "
        "catalogue (GONE-7, GONE-8)"
    )
    assert checked.warnings == (expected,)
    report = CsvImportService(catalogue).run(path)
    assert report.warnings == (expected,)
    assert report.problems == ()
    kinds = {(r.kind, r.other_id) for r in unit(catalogue, "F2").relations}
    assert kinds == {
        ("republishes", unit(catalogue, "F1").id),
        ("cites", unit(catalogue, "OLD1").id),
    }
    again = write_isad(
        tmp_path / "fine.csv", [{"Reference code": "F3", "Level": "item", "Title": "Alone"}]
    )
    assert CsvImportService(catalogue).run(again).warnings == ()
