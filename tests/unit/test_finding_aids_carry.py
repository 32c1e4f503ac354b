"""Finding aids carry what was catalogued: the full ISAD(G) description, the custody events,
the source address, the reliability grades, the relations and the language of description
reach AtoM CSV, the isad CSV and XLSX, and come back through the CSV import and bags."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pytest
from openpyxl import load_workbook

from catalog_app.domain.records import NewAssessment, NewEvent, UnitDetail
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.export import csv_atom, csv_isad, sentences
from catalog_app.export.columns import ISAD_COLUMNS, atom_columns
from catalog_app.services import Catalogue
from catalog_app.services.bags import BagService
from catalog_app.services.csv_import import CsvImportService
from catalog_app.services.export_source import Selection, iter_units
from catalog_app.services.exports import ExportService
from catalog_app.services.identity import host_name
from catalog_app.services.originals import OriginalsService

URL = "https://example.org/khavaran/report.html"
OLD_URL = "https://example.org/older/page.html"
NEW_FIELDS = {
    "administrative_history": "The Mohammadi family, 1950-1990.",
    "appraisal": "Duplicates were destroyed in 2021.",
    "accruals": "More letters expected | perhaps",
    "physical_characteristics": "Faded ink; needs a PDF reader.",
    "finding_aids": "Donor's handwritten list.",
    "originals_location": "Paper letters with the family.",
    "copies_location": "Scans on the project drive.",
    "source_url": URL,
}
TEXT_FIELDS = (
    *NEW_FIELDS,
    "title",
    "reference_code",
    "archival_history",
    "acquisition",
    "related_note",
    "general_note",
    "date_expression",
    "date_kind",
    "date_start",
    "date_end",
)


@dataclass(frozen=True)
class Sample:
    fonds: UnitDetail
    copy: UnitDetail  # republishes the fonds; a publication date
    older: UnitDetail  # its source address only in a capture event; a capture date
    plain: UnitDetail  # a date of no kind


def build(catalogue: Catalogue, tmp_path: Path) -> Sample:
    catalogue.description_language.set("fa", "Arab")
    units = catalogue.units
    fonds = units.create(
        {
            "title": "نامه‌های خانواده",
            "reference_code": "KH",
            "level": "fonds",
            "date_expression": "1979/1988",
            "date_kind": "creation",
            "archival_history": "Kept by the family.",
            "acquisition": "Given by the family.",
            "related_note": "See the photographs.",
            "general_note": "Some letters are torn.",
            **NEW_FIELDS,
        }
    )
    copy = units.create(
        {"title": "A copy", "date_expression": "1990-05", "date_kind": "publication"},
        parent_id=fonds.id,
    )
    older = units.create(
        {"title": "Older capture", "date_expression": "2019-11-02", "date_kind": "capture"},
        parent_id=fonds.id,
    )
    plain = units.create({"title": "Undated kind", "date_expression": "1985~"}, parent_id=fonds.id)
    creator = catalogue.agents.create("Sara Mohammadi")
    units.link_agent(fonds.id, creator.id, "creator")
    record = catalogue.provenance.record
    record(fonds.id, NewEvent("transfer", occurred_at="2020-03-01", agent="Family"))
    record(fonds.id, NewEvent("fixity check", occurred_at="2024-02-01", outcome="success"))
    record(
        fonds.id,
        NewEvent(
            "capture",
            occurred_at="2019-11-02",
            agent="Field worker",
            tool="wget 1.21",
            source_url=URL,
            note="With headers.",
        ),
    )
    record(fonds.id, NewEvent("accession", occurred_at="2020-04-01", agent="Archive"))
    record(older.id, NewEvent("capture", occurred_at="2019-11-02", source_url=OLD_URL))
    catalogue.reliability.assess(
        fonds.id,
        NewAssessment(
            SourceReliability.B,
            InformationCredibility.PROBABLY_TRUE,
            affiliation_note="Family of the prisoner",
            corroboration_note="Two witnesses agree",
            assessor="Reza",
            assessed_at=datetime(2026, 1, 5, tzinfo=UTC),
        ),
    )
    catalogue.relations.relate(copy.id, fonds.id, "republishes", similarity=0.93)
    original = tmp_path / "private folder" / "letter.txt"
    original.parent.mkdir()
    original.write_text("نامه", encoding="utf-8")
    OriginalsService(catalogue).attach(plain.id, original)  # an ingestion event with its path
    get = units.get
    return Sample(get(fonds.id), get(copy.id), get(older.id), get(plain.id))


@pytest.fixture
def sample(catalogue: Catalogue, tmp_path: Path) -> Sample:
    return build(catalogue, tmp_path)


@pytest.fixture
def fresh(tmp_path: Path, empty_catalogue_file: Path) -> Iterator[Catalogue]:
    path = tmp_path / "fresh" / "fresh.sqlite"
    path.parent.mkdir()
    shutil.copyfile(empty_catalogue_file, path)
    with Catalogue.open(path, actor="receiver") as opened:
        yield opened


def atom_rows(
    catalogue: Catalogue, selection: Selection | None = None
) -> dict[str, dict[str, str]]:
    out = io.BytesIO()
    csv_atom.write(iter_units(catalogue, selection or Selection()), out)
    rows = csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"), newline=""))
    assert rows.fieldnames is not None
    assert tuple(rows.fieldnames) == atom_columns()  # AtoM's column set, nothing invented
    return {row["identifier"]: row for row in rows}


def isad_rows(catalogue: Catalogue) -> dict[str, dict[str, str]]:
    out = io.BytesIO()
    csv_isad.write(iter_units(catalogue, Selection()), out)
    rows = csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline=""))
    return {row["Reference code"]: row for row in rows}


# -- AtoM ------------------------------------------------------------------------------------


def test_atom_archival_history_holds_the_custody_events_in_date_order(
    catalogue: Catalogue, sample: Sample
) -> None:
    fonds = atom_rows(catalogue)["KH"]
    assert fonds["archivalHistory"] == (
        "Kept by the family.\n\n"
        "Custody events recorded in the catalogue:\n\n"
        f"2019-11-02: capture by Field worker using wget 1.21 from {URL}. With headers.\n\n"
        "2020-03-01: transfer by Family.\n\n"
        "2020-04-01: accession by Archive."
    )  # the fixity check is no custody event
    assert fonds["acquisition"] == (
        "Given by the family.\n\n"
        "Acquisition events recorded in the catalogue:\n\n"
        "2020-04-01: accession by Archive."
    )


def test_atom_carries_the_source_address_the_new_fields_and_the_language_of_description(
    catalogue: Catalogue, sample: Sample
) -> None:
    rows = atom_rows(catalogue)
    fonds = rows["KH"]
    assert (
        fonds["locationOfOriginals"] == f"Paper letters with the family.\n\nSource address: {URL}"
    )
    # An older record has its address only in its capture event.
    assert rows[sample.older.reference_code]["locationOfOriginals"] == f"Source address: {OLD_URL}"
    for column, name in (
        ("appraisal", "appraisal"),
        ("accruals", "accruals"),
        ("physicalCharacteristics", "physical_characteristics"),
        ("findingAids", "finding_aids"),
        ("locationOfCopies", "copies_location"),
    ):
        assert fonds[column] == NEW_FIELDS[name], column
    for row in rows.values():  # Persian descriptions, not English ones
        assert (row["languageOfDescription"], row["scriptOfDescription"]) == ("fa", "Arab")
        assert row["culture"] == "fa"


def test_atom_exports_as_events_only_the_dates_of_kinds_atom_knows(
    catalogue: Catalogue, sample: Sample
) -> None:
    rows = atom_rows(catalogue)
    fonds = rows["KH"]
    assert (fonds["eventTypes"], fonds["eventActors"]) == ("Creation", "Sara Mohammadi")
    assert (fonds["eventStartDates"], fonds["eventEndDates"]) == ("1979-01-01", "1988-12-31")
    copy = rows[sample.copy.reference_code]
    assert (copy["eventTypes"], copy["eventDates"]) == ("Publication", "1990-05")
    older, plain = rows[sample.older.reference_code], rows[sample.plain.reference_code]
    for row in (older, plain):
        assert row["eventTypes"] == row["eventDates"] == row["eventStartDates"] == ""
    assert older["generalNote"] == "Date (capture): 2019-11-02"
    assert plain["generalNote"] == "Date (kind not recorded): 1985~"


def test_grades_and_relations_are_where_readers_of_each_profile_see_them(
    catalogue: Catalogue, sample: Sample, tmp_path: Path
) -> None:
    grade = (
        "Source reliability B (usually reliable), information credibility 2 (probably true)"
        " — assessed by Reza on 2026-01-05:\n"
        "Affiliation: Family of the prisoner\nCorroboration: Two witnesses agree"
    )
    republishes = "This record republishes KH “نامه‌های خانواده” (similarity 0.93)"
    republished = f"{sample.copy.reference_code} “A copy” republishes this record (similarity 0.93)"
    atom = atom_rows(catalogue)
    assert atom["KH"]["generalNote"] == f"Some letters are torn.|{grade}"
    assert atom["KH"]["relatedUnitsOfDescription"] == (
        f"See the photographs.\n\nRelations recorded in the catalogue:\n\n{republished}"
    )
    assert atom[sample.copy.reference_code]["relatedUnitsOfDescription"].endswith(republishes)
    isad = isad_rows(catalogue)
    assert isad[sample.copy.reference_code]["Relations"] == republishes
    assert isad["KH"]["Relations"] == republished
    assert isad["KH"]["Source reliability"] == "B — Usually reliable"
    assert isad["KH"]["Source address"] == URL
    assert isad[sample.older.reference_code]["Source address"] == OLD_URL
    assert isad[sample.older.reference_code]["Date kind"] == "Capture"

    ExportService(catalogue).export("xlsx", tmp_path / "aid.xlsx")
    workbook = load_workbook(tmp_path / "aid.xlsx", read_only=True)  # holds the file open
    try:
        table = [list(row) for row in workbook["Finding aid"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    assert table[0] == list(ISAD_COLUMNS)
    by_code = {row[0]: dict(zip(ISAD_COLUMNS, row, strict=True)) for row in table[1:]}
    assert by_code[sample.copy.reference_code]["Relations"] == republishes
    assert by_code["KH"]["Appraisal, destruction and scheduling"] == NEW_FIELDS["appraisal"]


def test_text_made_from_events_leaves_out_local_paths_and_host_names(
    catalogue: Catalogue, sample: Sample, tmp_path: Path
) -> None:
    private = str(tmp_path / "private folder")
    host = host_name()
    plain = atom_rows(catalogue)[sample.plain.reference_code]["archivalHistory"]
    assert "ingestion" in plain
    assert "letter.txt" in plain  # the file's name stays
    assert private not in plain
    assert not host or f" at {host}" not in plain
    included = atom_rows(catalogue, Selection(include_internal=True))
    assert private in included[sample.plain.reference_code]["archivalHistory"]


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["isad", "atom"])
def test_a_csv_round_trip_keeps_the_description_grades_and_relations(
    catalogue: Catalogue, sample: Sample, fresh: Catalogue, tmp_path: Path, profile: str
) -> None:
    path = tmp_path / f"{profile}.csv"
    ExportService(catalogue).export("csv", path, profile=profile)
    report = CsvImportService(fresh).run(path, profile=profile)
    assert report.ok, report.problems
    copies = {fresh.units.get(i).reference_code: fresh.units.get(i) for i in report.created_ids}
    for was in (sample.fonds, sample.copy, sample.older, sample.plain):
        now = copies[was.reference_code]
        for name in TEXT_FIELDS:
            if name != "source_url":
                assert getattr(now, name) == getattr(was, name), (was.reference_code, name)
        # The address an older record has only in its capture event comes in as its own.
        assert now.source_url == sentences.source_address(was)
    assert copies[sample.older.reference_code].source_url == OLD_URL
    grade = copies["KH"].current_assessment
    assert grade is not None
    assert (grade.grade, grade.assessor, grade.affiliation_note, grade.corroboration_note) == (
        "B2",
        "Reza",
        "Family of the prisoner",
        "Two witnesses agree",
    )
    assert grade.assessed_at is not None
    assert grade.assessed_at.date().isoformat() == "2026-01-05"
    (relation,) = copies[sample.copy.reference_code].relations
    assert (relation.kind, relation.direction, relation.other_reference_code) == (
        "republishes",
        "outgoing",
        "KH",
    )
    assert relation.similarity == pytest.approx(0.93)
    assert fresh.integrity_problems() == []


def test_a_bag_round_trip_keeps_the_description_and_the_language_of_description(
    catalogue: Catalogue, sample: Sample, fresh: Catalogue, tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    ExportService(catalogue).export("bag", bag)
    bagit.Bag(str(bag)).validate()  # the bagit validator still accepts it
    assert bagit.Bag(str(bag)).info["Description-Language"] == "fa"
    report = BagService(fresh).import_bag(bag)
    assert (report.description_language, report.description_language_adopted) == ("fa Arab", True)
    assert fresh.description_language.get() == catalogue.description_language.get()
    by_uuid = {u.detail.uuid: u.detail for u in iter_units(fresh, Selection())}
    for was in (sample.fonds, sample.copy, sample.older, sample.plain):
        now = by_uuid[was.uuid]
        for name in TEXT_FIELDS:
            assert getattr(now, name) == getattr(was, name), (was.reference_code, name)


def test_a_bag_into_a_catalogue_with_its_own_language_keeps_that_one(
    catalogue: Catalogue, sample: Sample, fresh: Catalogue, tmp_path: Path
) -> None:
    fresh.description_language.set("en", "Latn")
    ExportService(catalogue).export("bag", tmp_path / "bag")
    report = BagService(fresh).import_bag(tmp_path / "bag")
    assert (report.description_language, report.description_language_adopted) == (
        "fa Arab",
        False,
    )
    assert (fresh.description_language.get().language, report.records) == ("en", 4)
