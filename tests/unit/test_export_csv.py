"""CSV finding aids, read back the way their consumers read them: AtoM's import conventions
for the `atom` profile, a spreadsheet-style reader (Python's csv module) for `isad`."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest

from catalog_app.domain.records import NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.export import cells, csv_atom, csv_isad
from catalog_app.export.cells import Warnings
from catalog_app.export.columns import ISAD_COLUMNS, ISAD_MULTI_VALUE
from catalog_app.paths import bundled
from catalog_app.services import Catalogue
from catalog_app.services.export_source import ExportUnit, Selection, iter_units
from catalog_app.services.originals import OriginalsService

PERSIAN_TITLE = 'بایگانی میدانی، "خاوران", ۱۳۶۷'
SCOPE = 'Line one, with a comma\nLine two with "quotes"\n\nگزارش شاهدان'
FORMULA_TITLE = '=HYPERLINK("http://example.org/x","click")'
AT_TITLE = "@SUM(A1:A9)"
PHONE_NOTE = "+44 20 7946 0000 (the office)"
PIPE_SUBJECT = "war | peace"
ATOM_LEVELS = {
    "Fonds",
    "Subfonds",
    "Collection",
    "Series",
    "Subseries",
    "File",
    "Item",
    "Part",
    "Record group",
}
Writer = Callable[[Iterable[ExportUnit], BinaryIO], cells.CsvReport]
EVENT_COLUMNS = ("eventTypes", "eventDates", "eventStartDates", "eventEndDates", "eventActors")


@dataclass(frozen=True)
class Sample:
    fonds: int
    series: int
    item: int
    sibling: int
    sha256: str


def described_catalogue(catalogue: Catalogue, tmp_path: Path) -> Sample:
    """A fonds > series > item, plus a second top-level fonds, with the awkward values a
    finding aid must carry: Persian text, commas, quotes, newlines, formula-like values."""
    units = catalogue.units
    fonds = units.create(
        {
            "title": PERSIAN_TITLE,
            "level": "fonds",
            "reference_code": "FA",
            "scope_content": SCOPE,
            "languages": ["fa", "en"],
            "scripts": ["Arab", "Latn"],
            "date_expression": "1980/1990",
        }
    )
    series = units.create(
        {
            "title": FORMULA_TITLE,
            "level": "series",
            "date_expression": "-0044",
            "general_note": PHONE_NOTE,
            "archivist_note": "checked | recoded",
        },
        parent_id=fonds.id,
    )
    item = units.create(
        {
            "title": AT_TITLE,
            "level": "item",
            "date_expression": "1985~",
            "date_kind": "creation",
            "extent": "1 text file",
            "media_type": "web page",
        },
        parent_id=series.id,
    )
    sibling = units.create({"title": "Second fonds", "level": "record group"})
    for name in ("Ruhollah Khomeini", "Field team"):
        agent = catalogue.agents.create(name)
        units.link_agent(item.id, agent.id, "creator")
    mentioned = catalogue.agents.create("Mehdi Bazargan")
    units.link_agent(item.id, mentioned.id, "mentioned")
    mosque = catalogue.agents.create("Shah Mosque", kind="organisation")
    units.link_agent(item.id, mosque.id, "subject")
    for term in (PIPE_SUBJECT, "روزنامه"):
        units.link_subject(item.id, catalogue.terms.subject(term).id)
    units.link_place(item.id, catalogue.terms.place("Tehran").id)
    catalogue.provenance.record(
        item.id, NewEvent(event_type="capture", occurred_at="2024-03-02", agent="Field team")
    )
    catalogue.reliability.assess(
        item.id,
        NewAssessment(
            SourceReliability.C,
            InformationCredibility.PROBABLY_TRUE,
            affiliation_note="State outlet",
            corroboration_note="Two witnesses agree",
        ),
    )
    original = tmp_path / "report.txt"
    original.write_text("گزارش", encoding="utf-8")
    stored = OriginalsService(catalogue).attach(item.id, original)
    return Sample(fonds.id, series.id, item.id, sibling.id, stored.sha256)


def export(
    write: Writer, catalogue: Catalogue, selection: Selection | None = None
) -> tuple[bytes, cells.CsvReport]:
    out = io.BytesIO()
    report = write(iter_units(catalogue, selection or Selection()), out)
    return out.getvalue(), report


def read_rows(data: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding), newline="")))


def atom_header() -> list[str]:
    path = bundled("resources") / "standards" / "atom_isad_csv_header.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


# -- the formula rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "date_column", "cell"),
    [
        ("=1+1", False, "'=1+1"),
        ("+44 20 7946 0000", False, "'+44 20 7946 0000"),
        ("-0044", False, "'-0044"),
        ("@SUM(A1)", False, "'@SUM(A1)"),
        ("\tindented", False, "'\tindented"),
        ("\rreturn", False, "'\rreturn"),
        ("'=already quoted", False, "''=already quoted"),
        ("'just a quote", False, "'just a quote"),
        ("plain, text", False, "plain, text"),
        ("", False, ""),
        # EDTF in a date column cannot call a function: left as it is.
        ("-0044", True, "-0044"),
        ("-0100/-0044", True, "-0100/-0044"),
        ("1985~", True, "1985~"),
        # ...but anything else beginning like a formula is neutralised there too.
        ("=1+1", True, "'=1+1"),
        ("-1+cmd|' /C calc'!A0", True, "'-1+cmd|' /C calc'!A0"),
    ],
)
def test_formula_rule(value: str, date_column: bool, cell: str) -> None:
    assert cells.neutralise(value, date_column=date_column) == cell
    assert cells.restore(cell) == value


def test_warnings_are_capped_with_a_count() -> None:
    warnings = Warnings(limit=2)
    for n in range(5):
        warnings.add("things", f"thing {n}")
    assert warnings.lines() == ["thing 0", "thing 1", "… and 3 more things"]


# -- atom ----------------------------------------------------------------------------------


def test_atom_header_is_atoms_own(catalogue: Catalogue, tmp_path: Path) -> None:
    described_catalogue(catalogue, tmp_path)
    data, _ = export(csv_atom.write, catalogue)
    header = next(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert header == atom_header()
    assert len(header) == len(set(header)) == 56  # AtoM refuses duplicate headers


def test_atom_file_is_utf8_without_bom_with_lf_only(catalogue: Catalogue, tmp_path: Path) -> None:
    described_catalogue(catalogue, tmp_path)
    data, report = export(csv_atom.write, catalogue)
    assert not data.startswith(codecs.BOM_UTF8)
    assert b"\r" not in data
    assert data.endswith(b"\n")
    data.decode("utf-8")  # AtoM refuses a file that is not UTF-8
    assert report.rows == 4
    records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    # AtoM refuses blank rows; every row has every column.
    assert len(records) == 5
    assert all(len(record) == 56 and record[0] for record in records)


def test_atom_values_round_trip_exactly(catalogue: Catalogue, tmp_path: Path) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    data, _ = export(csv_atom.write, catalogue)
    rows = {row["identifier"]: row for row in read_rows(data)}
    fonds = rows["FA"]
    assert fonds["title"] == PERSIAN_TITLE
    assert fonds["scopeAndContent"] == SCOPE
    assert fonds["language"] == "fa|en"
    assert fonds["script"] == "Arab|Latn"
    assert fonds["culture"] == "en"
    series = rows[catalogue.units.get(sample.series).reference_code]
    # Kept exactly, no neutralising: AtoM re-imports what it is given.
    assert series["title"] == FORMULA_TITLE
    # A date of no recorded kind is no AtoM event (AtoM would take it for a creation): it
    # is a note of its own, after the typed one.
    assert series["generalNote"] == f"{PHONE_NOTE}|Date (kind not recorded): -0044"
    assert series["eventDates"] == series["eventTypes"] == ""
    assert series["eventStartDates"] == series["eventEndDates"] == ""
    item = rows[catalogue.units.get(sample.item).reference_code]
    assert item["title"] == AT_TITLE
    assert item["levelOfDescription"] == "Item"
    assert item["extentAndMedium"] == "1 text file"
    assert item["subjectAccessPoints"] == f"{PIPE_SUBJECT}|روزنامه"
    assert item["placeAccessPoints"] == "Tehran"
    assert item["nameAccessPoints"] == "Mehdi Bazargan|Shah Mosque"
    assert item["genreAccessPoints"] == "web page"
    assert item["legacyId"] == item["descriptionIdentifier"]
    assert {row["levelOfDescription"] for row in rows.values()} <= ATOM_LEVELS
    assert rows["FA"]["levelOfDescription"] == "Fonds"


def test_atom_events_are_parallel_lists(catalogue: Catalogue, tmp_path: Path) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    data, _ = export(csv_atom.write, catalogue)
    rows = read_rows(data)
    item = next(
        r for r in rows if r["identifier"] == catalogue.units.get(sample.item).reference_code
    )
    assert item["eventTypes"] == "Creation|Creation"
    assert item["eventActors"] == "Ruhollah Khomeini|Field team"
    assert item["eventDates"] == "1985~|NULL"
    assert item["eventStartDates"] == "1985-01-01|NULL"
    assert item["eventEndDates"] == "1985-12-31|NULL"
    fonds = next(r for r in rows if r["identifier"] == "FA")
    assert all(fonds[column] == "" for column in EVENT_COLUMNS)
    assert fonds["generalNote"] == "Date (kind not recorded): 1980/1990"
    for row in rows:
        # AtoM's CsvEventValuesValidator: every filled event column has as many values as
        # eventTypes.
        counts = {len(row[c].split("|")) for c in EVENT_COLUMNS if row[c]}
        assert len(counts) <= 1, row["identifier"]
        for column in ("eventStartDates", "eventEndDates"):
            for value in row[column].split("|"):
                assert value in ("", "NULL") or len(value.split("-")) == 3, value


def test_atom_hierarchy_parents_first(catalogue: Catalogue, tmp_path: Path) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    rows = read_rows(export(csv_atom.write, catalogue)[0])
    position = {row["legacyId"]: n for n, row in enumerate(rows)}
    ids = (sample.fonds, sample.series, sample.item, sample.sibling)
    uuids = {unit_id: catalogue.units.get(unit_id).uuid for unit_id in ids}
    assert set(position) == set(uuids.values())
    by_uuid = {row["legacyId"]: row for row in rows}
    assert by_uuid[uuids[sample.fonds]]["parentId"] == ""
    assert by_uuid[uuids[sample.sibling]]["parentId"] == ""
    assert by_uuid[uuids[sample.series]]["parentId"] == uuids[sample.fonds]
    assert by_uuid[uuids[sample.item]]["parentId"] == uuids[sample.series]
    for row in rows:
        if row["parentId"]:
            assert position[row["parentId"]] < position[row["legacyId"]]
    # AtoM refuses a repeated legacyId + culture pair.
    assert len({(r["legacyId"], r["culture"]) for r in rows}) == len(rows)


def test_atom_export_of_a_collection_starts_at_the_top(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    series = catalogue.units.get(sample.series)
    rows = read_rows(export(csv_atom.write, catalogue, Selection(series.reference_code))[0])
    assert [r["legacyId"] for r in rows] == [series.uuid, catalogue.units.get(sample.item).uuid]
    assert rows[0]["parentId"] == ""
    assert rows[1]["parentId"] == series.uuid


def test_atom_warns_about_pipes_and_formulas(catalogue: Catalogue, tmp_path: Path) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    _, report = export(csv_atom.write, catalogue, Selection(include_restricted=True))
    item_code = catalogue.units.get(sample.item).reference_code
    series_code = catalogue.units.get(sample.series).reference_code
    pipes = [w for w in report.warnings if "'|'" in w]
    assert any(item_code in w and "subjectAccessPoints" in w for w in pipes)
    assert any(series_code in w and "archivistNote" in w for w in pipes)
    formulas = [w for w in report.warnings if "formula" in w]
    assert any(series_code in w and "title" in w for w in formulas)
    assert any(item_code in w and "title" in w for w in formulas)
    assert any(series_code in w and "generalNote" in w for w in formulas)


def test_atom_line_breaks_become_lf(catalogue: Catalogue, tmp_path: Path) -> None:
    unit = catalogue.units.create({"title": "Windows text", "scope_content": "one\r\ntwo\rthree"})
    data, _ = export(csv_atom.write, catalogue)
    assert b"\r" not in data
    (row,) = read_rows(data)
    assert row["legacyId"] == unit.uuid
    assert row["scopeAndContent"] == "one\ntwo\nthree"


# -- isad ----------------------------------------------------------------------------------


def test_isad_has_bom_and_reads_back_in_a_spreadsheet_reader(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    data, report = export(csv_isad.write, catalogue)
    assert data.startswith(codecs.BOM_UTF8)
    assert report.rows == 4
    rows = read_rows(data, "utf-8-sig")
    assert tuple(rows[0]) == ISAD_COLUMNS
    by_code = {row["Reference code"]: row for row in rows}
    fonds = by_code["FA"]
    assert fonds["Title"] == PERSIAN_TITLE
    assert fonds["Scope and content"] == SCOPE
    assert fonds["Languages"].splitlines() == ["fa", "en"]
    assert fonds["Parent reference code"] == ""
    assert fonds["Level"] == "Fonds"
    assert fonds["Access status"] == "Open"
    series = by_code[catalogue.units.get(sample.series).reference_code]
    assert series["Parent reference code"] == "FA"
    assert series["Title"] == "'" + FORMULA_TITLE
    assert series["General note"] == "'" + PHONE_NOTE
    assert series["Dates"] == "-0044"  # EDTF in a typed date column stays as it is
    assert series["Archivist's note"] == ""  # a restricted field, left out unless asked
    item = by_code[catalogue.units.get(sample.item).reference_code]
    assert item["Title"] == "'" + AT_TITLE
    assert cells.restore(item["Title"]) == AT_TITLE
    assert (item["Dates"], item["Date start"], item["Date end"]) == (
        "1985~",
        "1985-01-01",
        "1985-12-31",
    )
    assert item["Creators"].splitlines() == ["Ruhollah Khomeini", "Field team"]
    assert item["Names"].splitlines() == ["Mehdi Bazargan (mentioned)", "Shah Mosque"]
    assert item["Subjects"].splitlines() == [PIPE_SUBJECT, "روزنامه"]
    assert item["Places"] == "Tehran"
    assert item["Type"] == "Web page"
    assert item["Source reliability"] == "C — Fairly reliable"
    assert item["Information credibility"] == "2 — Probably true"
    notes = item["Reliability notes"].splitlines()
    assert notes[:2] == ["Affiliation: State outlet", "Corroboration: Two witnesses agree"]
    assert notes[2].startswith("Graded C2")
    provenance = item["Provenance"].splitlines()
    assert "2024-03-02: capture by Field team." in provenance
    assert any(line.split()[1] == "ingestion" for line in provenance if len(line.split()) > 1)
    assert item["Originals (SHA-256)"] == f"report.txt {sample.sha256}"
    assert item["UUID"] == catalogue.units.get(sample.item).uuid
    assert any("written with a leading '" in w for w in report.warnings)


def test_isad_includes_restricted_fields_when_asked(catalogue: Catalogue, tmp_path: Path) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    data, _ = export(csv_isad.write, catalogue, Selection(include_restricted=True))
    series_code = catalogue.units.get(sample.series).reference_code
    (series,) = [r for r in read_rows(data, "utf-8-sig") if r["Reference code"] == series_code]
    assert series["Archivist's note"] == "checked | recoded"


def test_isad_cells_never_begin_like_a_formula(catalogue: Catalogue, tmp_path: Path) -> None:
    described_catalogue(catalogue, tmp_path)
    rows = read_rows(export(csv_isad.write, catalogue)[0], "utf-8-sig")
    for row in rows:
        for column, cell in row.items():
            if column in csv_isad.DATE_COLUMNS and cells.is_edtf_text(cell):
                continue
            assert not cells.looks_like_formula(cell), (column, cell)
    assert set(ISAD_MULTI_VALUE) <= set(ISAD_COLUMNS)


def test_isad_values_cover_every_column(catalogue: Catalogue, tmp_path: Path) -> None:
    described_catalogue(catalogue, tmp_path)
    for unit in iter_units(catalogue, Selection()):
        assert set(csv_isad.isad_values(unit)) == set(ISAD_COLUMNS)


def test_atom_row_names_only_atom_columns(catalogue: Catalogue, tmp_path: Path) -> None:
    described_catalogue(catalogue, tmp_path)
    for unit in iter_units(catalogue, Selection()):
        assert set(csv_atom.atom_row(unit, Warnings())) <= set(atom_header())
    assert set(atom_header()) >= csv_atom.PIPE_COLUMNS


# -- streaming -----------------------------------------------------------------------------


def many_units(
    catalogue: Catalogue, count: int, written: list[int], out: io.BytesIO
) -> Iterator[ExportUnit]:
    """`count` records made one at a time from a real one, noting the bytes written so far."""
    template = catalogue.units.create({"title": "Template", "scope_content": "x" * 200})
    for n in range(count):
        written.append(len(out.getbuffer()))
        detail = dataclasses.replace(
            template, id=n + 1000, uuid=f"uuid-{n}", reference_code=f"R/{n}", title=f"Record {n}"
        )
        yield ExportUnit(detail, 0, None)


@pytest.mark.parametrize("write", [csv_atom.write, csv_isad.write])
def test_a_large_export_is_written_as_it_goes(catalogue: Catalogue, write: Writer) -> None:
    out = io.BytesIO()
    written: list[int] = []
    report = write(many_units(catalogue, 2000, written, out), out)
    assert report.rows == 2000
    total = len(out.getvalue())
    # Before the last record was even produced, most of the file was already in the stream.
    assert written[-1] > total * 0.9
    assert written[1000] > total * 0.4
