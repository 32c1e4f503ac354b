"""EAD3 export: every document written here is validated against the EAD3 schema."""

from __future__ import annotations

import dataclasses
import io
import shutil
import tracemalloc
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lxml import etree

from catalog_app.domain.records import NewAssessment, NewEvent, UnitDetail
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.export import ead
from catalog_app.export.ead import EAD_NS, XmlReport
from catalog_app.paths import HOME_ENV, bundled
from catalog_app.services import Catalogue
from catalog_app.services.export_source import ExportUnit, Selection, iter_units

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

NS = {"e": EAD_NS}
PERSIAN_TITLE = "نامه‌های خانواده‌ها از زندان اوین"  # with zero-width non-joiners
PERSIAN_NAME = "روح‌الله خمینی"
CONTROL_TITLE = "Bell\x07 escape\x1b form\x0c feed\x00 nul \ufffe end"
CONTROL_TITLE_CLEAN = "Bell escape form feed nul  end"


@dataclasses.dataclass(frozen=True)
class Rich:
    """The records of the test catalogue, by role."""

    fonds: UnitDetail
    deepest: UnitDetail
    minimal: UnitDetail
    restricted: UnitDetail
    below_restricted: UnitDetail
    control: UnitDetail
    second_root: UnitDetail


def build_rich(catalogue: Catalogue) -> Rich:
    """A fonds using every field, seven levels deep with every level of description, agents
    of each kind, subjects, places, custody events, assessments, relations, a restricted
    branch, a record with control characters, and a second top-level record."""
    units = catalogue.units
    fonds = units.create(
        {
            "title": PERSIAN_TITLE,
            "level": "fonds",
            "date_expression": "1979-02/1981-06",
            "date_kind": "creation",
            "extent": "3 boxes; 1,200 pages",
            "administrative_history": "The family of a prisoner held in Evin, 1979-1981.",
            "archival_history": "Kept by the family.\n\nHanded over in 2020.",
            "acquisition": "Donated by the family, 2020.",
            "appraisal": "Nothing was destroyed.",
            "accruals": "Further letters are expected.",
            "physical_characteristics": "Some pages are water-damaged.",
            "finding_aids": "A handwritten list by the donor.",
            "originals_location": "The paper letters stay with the family.",
            "copies_location": "Scans on the project drive.",
            "source_url": "https://example.org/letters/index.html",
            "scope_content": "Letters in Persian & English <with> markup-like text.\n\n"
            "Second paragraph: «quoted» text.",
            "arrangement": "Chronological.",
            "access_note": "Open to researchers.",
            "reproduction_note": "Copies for private study only.",
            "related_note": "See also the Khavaran photographs.",
            "publication_note": "Quoted in Human Rights Report 2021.",
            "general_note": "Some letters are damaged.",
            "archivist_note": "Ask the donor before naming the sender's cousin.",
            "rules": "ISAD(G) 2nd ed.",
            "description_date": "2024-05-01",
            "media_type": "document",
            "languages": ["fa", "en"],
            "scripts": ["Arab", "Latn"],
        }
    )
    subfonds = units.create(
        {"title": "Sub-fonds", "level": "subfonds", "date_expression": "1985/.."},
        parent_id=fonds.id,
    )
    series = units.create({"title": "Series", "level": "series"}, parent_id=subfonds.id)
    subseries = units.create(
        {"title": "Subseries", "level": "subseries", "date_expression": "XXXX"},
        parent_id=series.id,
    )
    file_ = units.create(
        {"title": "File", "level": "file", "date_expression": "1988-07-15"},
        parent_id=subseries.id,
    )
    item = units.create({"title": "Item", "level": "item"}, parent_id=file_.id)
    part = units.create({"title": "Part", "level": "part", "scripts": ["Arab"]}, parent_id=item.id)
    collection = units.create({"title": "Collection", "level": "collection"}, parent_id=fonds.id)
    units.create({"title": "Record group", "level": "record group"}, parent_id=collection.id)
    minimal = units.create({"title": "Minimal"}, parent_id=fonds.id)
    restricted = units.create(
        {"title": "Closed letters", "access_status": "restricted"}, parent_id=fonds.id
    )
    below = units.create({"title": "Below closed"}, parent_id=restricted.id)
    control = units.create({"title": CONTROL_TITLE, "general_note": "a\x00b"}, parent_id=fonds.id)
    second_root = units.create({"title": "Another fonds", "level": "fonds"})

    agents = catalogue.agents
    person = agents.create(PERSIAN_NAME, kind="person")
    organisation = agents.create("Amnesty International", kind="organisation")
    family = agents.create("Family Mohammadi", kind="family")
    units.link_agent(fonds.id, person.id, "creator")
    units.link_agent(fonds.id, organisation.id, "publisher")
    units.link_agent(fonds.id, family.id, "subject")
    units.link_agent(fonds.id, person.id, "mentioned")
    units.link_place(fonds.id, catalogue.terms.place("تهران", latitude=35.69, longitude=51.39).id)
    units.link_place(fonds.id, catalogue.terms.place("Khavaran").id)
    units.link_subject(
        fonds.id,
        catalogue.terms.subject(
            "Political prisoners", vocabulary="lcsh", uri="http://id.loc.gov/sh85104340"
        ).id,
    )
    units.link_subject(fonds.id, catalogue.terms.subject("زندان").id)

    events = catalogue.provenance
    events.record(fonds.id, NewEvent("transfer", occurred_at="2020-03-01", agent="Family"))
    events.record(
        fonds.id,
        NewEvent(
            "capture",
            occurred_at="2019-11-02",
            agent="Field worker",
            tool="wget 1.21",
            place="تهران",
            source_url="https://example.org/letters",
            outcome="success",
            note="Captured with headers.",
        ),
    )
    events.record(fonds.id, NewEvent("accession"))
    events.record(fonds.id, NewEvent("fixity check", occurred_at="2024-02-01", outcome="success"))

    reliability = catalogue.reliability
    reliability.assess(
        fonds.id,
        NewAssessment(
            SourceReliability.C,
            InformationCredibility.POSSIBLY_TRUE,
            assessor="First reader",
            assessed_at=datetime(2024, 1, 1, tzinfo=UTC),
        ),
    )
    reliability.assess(
        fonds.id,
        NewAssessment(
            SourceReliability.B,
            InformationCredibility.PROBABLY_TRUE,
            affiliation_note="Family of the prisoner; critical of the authorities.",
            corroboration_note="Dates agree with two independent reports.",
            method_note="Compared with court records.",
            assessor="Second reader",
            assessed_at=datetime(2024, 6, 1, tzinfo=UTC),
        ),
    )
    catalogue.relations.relate(item.id, minimal.id, "republishes", similarity=0.93)

    get = units.get
    return Rich(
        get(fonds.id), get(part.id), get(minimal.id), get(restricted.id), get(below.id),
        get(control.id), get(second_root.id),
    )  # fmt: skip


@pytest.fixture(scope="session")
def ead_schema() -> etree.XMLSchema:
    path = bundled("resources") / "standards" / "ead3.xsd"
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


@pytest.fixture(scope="module")
def described(
    tmp_path_factory: pytest.TempPathFactory, empty_catalogue_file: Path
) -> Iterator[tuple[Catalogue, Rich]]:
    """One described catalogue for the module: exports only read it, and building it
    through the services takes seconds."""
    folder = tmp_path_factory.mktemp("ead")
    shutil.copyfile(empty_catalogue_file, folder / "c.sqlite")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV, str(folder))
        with Catalogue.open(folder / "c.sqlite", actor="tester") as catalogue:
            catalogue.description_language.set("fa", "Arab")
            yield catalogue, build_rich(catalogue)


@pytest.fixture
def catalogue(described: tuple[Catalogue, Rich]) -> Catalogue:
    return described[0]  # the shared one, instead of conftest's empty catalogue


@pytest.fixture
def rich(described: tuple[Catalogue, Rich]) -> Rich:
    return described[1]


def valid_ead(schema: etree.XMLSchema, document: bytes) -> etree._Element:
    root = etree.fromstring(document, etree.XMLParser(no_network=True))
    assert schema.validate(root), str(schema.error_log)
    return root


def export(
    catalogue: Catalogue,
    schema: etree.XMLSchema,
    *,
    collection: str | None = None,
    include_restricted: bool = False,
    title: str | None = None,
) -> tuple[XmlReport, etree._Element]:
    """Export through the real record stream, and validate the document."""
    out = io.BytesIO()
    units = iter_units(catalogue, Selection(collection, include_restricted=include_restricted))
    report = ead.write(units, out, title=title, agency="Tehran Archive Project")
    return report, valid_ead(schema, out.getvalue())


def component(root: etree._Element, reference_code: str) -> etree._Element:
    """The <archdesc> or <c> describing `reference_code`."""
    (unitid,) = root.xpath("//e:did/e:unitid[. = $code]", namespaces=NS, code=reference_code)
    described: etree._Element = unitid.getparent().getparent()
    return described


def names(elements: Iterable[etree._Element]) -> list[str]:
    """The local names of `elements`' tags."""
    return [etree.QName(e).localname for e in elements]


def texts(element: etree._Element, path: str) -> list[str]:
    return [e.xpath("string(.)") for e in element.xpath(path, namespaces=NS)]


def test_a_collection_exports_every_field_in_its_element(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    report, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)

    assert root.tag == f"{{{EAD_NS}}}ead"
    assert texts(root, "e:control/e:recordid") == [f"urn:uuid:{rich.fonds.uuid}"]
    assert texts(root, "e:control/e:filedesc/e:titlestmt/e:titleproper") == [PERSIAN_TITLE]
    assert texts(root, "e:control/e:maintenanceagency/e:agencyname") == ["Tehran Archive Project"]
    assert root.xpath("count(e:control/e:maintenancehistory/e:maintenanceevent)", namespaces=NS)
    archdesc = root.find("e:archdesc", NS)
    assert archdesc is not None
    assert archdesc.get("level") == "fonds"
    did = archdesc.find("e:did", NS)
    assert did is not None
    assert texts(did, "e:unitid") == [rich.fonds.reference_code]
    assert did.findtext("e:unitid[@identifier]", namespaces=NS) == rich.fonds.reference_code
    assert texts(did, "e:unittitle") == [PERSIAN_TITLE]
    assert texts(did, "e:unitdate[@datechar='creation']") == ["1979-02/1981-06"]
    span = "e:unitdatestructured/e:daterange/"
    assert did.xpath(f"string({span}e:fromdate/@standarddate)", namespaces=NS) == "1979-02-01"
    assert did.xpath(f"string({span}e:todate/@standarddate)", namespaces=NS) == "1981-06-30"
    assert texts(did, "e:physdesc") == ["3 boxes; 1,200 pages"]
    assert did.xpath(".//e:language/@langcode", namespaces=NS) == ["fa", "en"]
    assert did.xpath(".//e:script/@scriptcode", namespaces=NS) == ["Arab", "Latn"]
    assert texts(did, "e:origination/e:persname/e:part") == [PERSIAN_NAME]
    assert texts(did, "e:repository/e:corpname/e:part") == ["Tehran Archive Project"]

    assert texts(archdesc, "e:scopecontent/e:p") == [
        "Letters in Persian & English <with> markup-like text.",
        "Second paragraph: «quoted» text.",
    ]
    assert texts(archdesc, "e:acqinfo/e:p") == [
        "Donated by the family, 2020.",
        "Date unknown: accession.",  # the acquisition events follow what was typed
    ]
    assert texts(archdesc, "e:arrangement/e:p") == ["Chronological."]
    assert texts(archdesc, "e:accessrestrict[@localtype='open']/e:p") == [
        "Access: open.",
        "Open to researchers.",
    ]
    assert texts(archdesc, "e:userestrict/e:p") == ["Copies for private study only."]
    assert texts(archdesc, "e:relatedmaterial/e:p") == ["See also the Khavaran photographs."]
    assert texts(archdesc, "e:bibliography/e:p") == ["Quoted in Human Rights Report 2021."]
    assert texts(archdesc, "e:odd[not(@localtype)]/e:p") == ["Some letters are damaged."]
    assert texts(archdesc, "e:processinfo[@localtype='description-control']/e:p") == [
        "Rules or conventions: ISAD(G) 2nd ed.",
        "Date of description: 2024-05-01",
    ]
    # The archivist's note is a restricted field: only there when asked for.
    assert not archdesc.xpath("e:processinfo[@localtype='archivist-note']", namespaces=NS)
    assert "Ask the donor" not in etree.tostring(root, encoding="unicode")
    assert report.rows == 11  # all but the restricted record and the one below it
    assert report.warnings  # the record with control characters is named


def test_provenance_events_and_assessments_land_in_custodhist_and_odd(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    archdesc = component(root, rich.fonds.reference_code)

    custody = texts(archdesc, "e:custodhist/e:p")
    assert custody[:2] == ["Kept by the family.", "Handed over in 2020."]
    events = custody[2:]
    # The custody events in date order (undated last); the fixity check is preservation
    # work, not custody, and is told under <processinfo>.
    held = [e for e in rich.fonds.events if e.event_type != "fixity check"]
    assert len(events) == len(held) == 3
    for line, event in zip(events, held, strict=True):
        assert event.event_type in line
    assert events[0] == (
        "2019-11-02: capture by Field worker using wget 1.21 at تهران from "
        "https://example.org/letters (success). Captured with headers."
    )
    assert events[-1] == "Date unknown: accession."

    (reliability,) = archdesc.xpath("e:odd[@localtype='reliability']", namespaces=NS)
    assert texts(reliability, "e:head") == ["Reliability assessment"]
    current, superseded = texts(reliability, "e:p")
    assert current.startswith(
        "Current: Source reliability B (usually reliable), information credibility 2 "
        "(probably true) — assessed by Second reader on 2024-06-01: Affiliation: Family of "
        "the prisoner"
    )
    for part in ("Corroboration: Dates agree", "Method: Compared with court records."):
        assert part in current
    assert superseded == (
        "Superseded: Source reliability C (fairly reliable), information credibility 3 "
        "(possibly true) — assessed by First reader on 2024-01-01"
    )
    (preservation,) = archdesc.xpath(
        "e:processinfo[@localtype='preservation-events']", namespaces=NS
    )
    assert texts(preservation, "e:p") == ["2024-02-01: fixity check (success)."]
    # The localtype is declared for readers of the document.
    assert texts(root, "e:control/e:localtypedeclaration/e:abbr") == ["reliability"]


def test_agents_subjects_places_are_controlled_access_terms(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    (access,) = component(root, rich.fonds.reference_code).xpath("e:controlaccess", namespaces=NS)

    def terms(tag: str) -> list[tuple[str, str | None]]:
        return [
            (e.xpath("string(e:part)", namespaces=NS), e.get("relator"))
            for e in access.xpath(f"e:{tag}", namespaces=NS)
        ]

    assert sorted(terms("persname")) == [(PERSIAN_NAME, "creator"), (PERSIAN_NAME, "mentioned")]
    assert terms("corpname") == [("Amnesty International", "publisher")]
    assert terms("famname") == [("Family Mohammadi", "subject")]
    subjects = {
        e.xpath("string(e:part)", namespaces=NS): e for e in access.findall("e:subject", NS)
    }
    assert set(subjects) == {"Political prisoners", "زندان"}
    assert subjects["Political prisoners"].get("source") == "lcsh"
    assert subjects["Political prisoners"].get("identifier") == "http://id.loc.gov/sh85104340"
    assert sorted(texts(access, "e:geogname/e:part")) == sorted(["تهران", "Khavaran"])
    assert texts(access, "e:geogname/e:geographiccoordinates") == ["35.69, 51.39"]
    assert texts(access, "e:genreform/e:part") == ["document"]


def test_nesting_follows_the_hierarchy_and_levels_map_to_ead(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    expected = {
        u.detail.reference_code: (u.detail.parent_reference_code, u.detail.level)
        for u in iter_units(catalogue, Selection(rich.fonds.reference_code))
    }

    found: dict[str, tuple[str | None, str]] = {}
    for element in root.xpath("//e:archdesc | //e:c", namespaces=NS):
        parent = element.getparent()
        if parent.tag == f"{{{EAD_NS}}}dsc":
            parent = parent.getparent()
        found[element.findtext("e:did/e:unitid", namespaces=NS)] = (
            parent.findtext("e:did/e:unitid", namespaces=NS),  # None above <archdesc>
            element.get("otherlevel") or element.get("level"),
        )
    assert found == {
        code: (parent, {"record group": "recordgrp"}.get(level, level))
        for code, (parent, level) in expected.items()
    }
    assert len(root.xpath("//e:dsc", namespaces=NS)) == 1
    deepest = component(root, rich.deepest.reference_code)
    assert deepest.xpath("count(ancestor::e:c)", namespaces=NS) == 5  # archdesc > 6 c
    assert (deepest.get("level"), deepest.get("otherlevel")) == ("otherlevel", "part")
    did = deepest.find("e:did", NS)
    assert did is not None
    # Scripts without a language are given beside "und" (undetermined), as EAD requires.
    assert did.xpath(".//e:language/@langcode", namespaces=NS) == ["und"]


def test_date_forms(catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema) -> None:
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)

    def did_of(title: str) -> etree._Element:
        (did,) = root.xpath("//e:did[e:unittitle = $t]", namespaces=NS, t=title)
        found: etree._Element = did
        return found

    single = did_of("File").xpath("e:unitdatestructured/e:datesingle/@standarddate", namespaces=NS)
    assert single == ["1988-07-15"]
    open_end = did_of("Sub-fonds").find("e:unitdatestructured/e:daterange", NS)
    assert open_end is not None
    assert names(open_end) == ["fromdate"]
    unknown = did_of("Subseries")
    assert texts(unknown, "e:unitdate") == ["XXXX"]
    assert unknown.find("e:unitdatestructured", NS) is None


def test_empty_optional_fields_leave_no_empty_elements(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    minimal = component(root, rich.minimal.reference_code)
    assert names(minimal.iterfind("e:did/*", NS)) == ["unitid", "unittitle"]
    # Only the access status (always known) and the relation recorded to this record.
    assert names(minimal)[1:] == ["accessrestrict", "relatedmaterial", "relations"]
    assert texts(minimal, "e:relatedmaterial/e:p")[0].endswith(
        "” republishes this record (similarity 0.93)"
    )


def test_restricted_records_only_when_included(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    _, closed = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    assert not closed.xpath("//e:unitid[. = $c]", namespaces=NS, c=rich.restricted.reference_code)
    assert not closed.xpath(
        "//e:unitid[. = $c]", namespaces=NS, c=rich.below_restricted.reference_code
    )

    report, opened = export(
        catalogue, ead_schema, collection=rich.fonds.reference_code, include_restricted=True
    )
    assert report.rows == 13
    restricted = component(opened, rich.restricted.reference_code)
    assert restricted.xpath("string(e:accessrestrict/@localtype)", namespaces=NS) == "restricted"
    below = component(opened, rich.below_restricted.reference_code)
    assert below.getparent() is restricted
    assert texts(opened, "e:archdesc/e:processinfo[@localtype='archivist-note']/e:p") == [
        "Ask the donor before naming the sender's cousin."
    ]


def test_control_characters_are_dropped_and_named(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    report, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    control = component(root, rich.control.reference_code)
    assert texts(control, "e:did/e:unittitle") == [CONTROL_TITLE_CLEAN]
    assert texts(control, "e:odd/e:p") == ["ab"]
    (warning,) = report.warnings
    assert rich.control.reference_code in warning
    assert "6 character(s)" in warning


def test_whole_catalogue_wraps_top_level_records(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    report, root = export(catalogue, ead_schema, title="Field catalogue")
    archdesc = root.find("e:archdesc", NS)
    assert archdesc is not None
    assert archdesc.get("level") == "collection"
    assert texts(archdesc, "e:did/e:unittitle") == ["Field catalogue"]
    assert texts(root, "e:control/e:filedesc/e:titlestmt/e:titleproper") == ["Field catalogue"]
    top = archdesc.xpath("e:dsc/e:c/e:did/e:unitid", namespaces=NS)
    assert [e.text for e in top] == [rich.fonds.reference_code, rich.second_root.reference_code]
    assert report.rows == 12


def test_several_top_level_records_need_a_title(catalogue: Catalogue, rich: Rich) -> None:
    with pytest.raises(ValueError, match="second top-level record"):
        ead.write(iter_units(catalogue, Selection()), io.BytesIO())


def test_nothing_to_export_is_still_a_valid_document(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    report, root = export(catalogue, ead_schema, collection=rich.restricted.reference_code)
    assert report.rows == 0
    assert root.find("e:archdesc/e:dsc", NS) is None


# -- streaming --------------------------------------------------------------------------


class CountingFile(io.RawIOBase):
    """A file that remembers how much it was given."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = path.open("wb")
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        self.written += len(memoryview(data))
        return self._file.write(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def synthetic_units(
    template: UnitDetail, count: int, seen: list[int], out: CountingFile
) -> Iterator[ExportUnit]:
    """`count` records made one at a time from `template`, nested up to seven deep; notes
    in `seen` how much output had been written when half of them were handed over."""
    for number in range(count):
        depth = 0 if number == 0 else 1 + (number - 1) % 6
        if number == count // 2:
            seen.append(out.written)
        detail = dataclasses.replace(
            template,
            id=number + 1,
            uuid=str(uuid.UUID(int=number + 1)),
            reference_code=f"S/{number:05d}",
            title=f"{PERSIAN_TITLE} {number}",
            scope_content=f"{template.scope_content} {number}\n\n" + "متن " * 100,
        )
        yield ExportUnit(detail, depth, None)


def test_a_large_export_streams(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema, tmp_path: Path
) -> None:
    count = 3000
    path = tmp_path / "large.xml"
    counting = CountingFile(path)
    seen: list[int] = []
    tracemalloc.start()
    try:
        with io.BufferedWriter(counting) as out:
            report = ead.write(synthetic_units(rich.fonds, count, seen, counting), out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    print(
        f"\nEAD export of {count} records: {size / 1e6:.1f} MB written, "
        f"{seen[0] / 1e6:.1f} MB of it by the half-way record, "
        f"peak traced memory {peak / 1e6:.2f} MB"
    )
    assert report.rows == count
    assert peak < size / 10
    assert seen[0] > size / 3  # the first half was on its way out before the rest was read
    root = etree.parse(str(path), etree.XMLParser(no_network=True, huge_tree=True)).getroot()
    assert ead_schema.validate(root), str(ead_schema.error_log)
    assert len(root.xpath("//e:c", namespaces=NS)) == count - 1
    components = root.iter(f"{{{EAD_NS}}}c")
    depths = {int(c.xpath("count(ancestor::e:c)", namespaces=NS)) for c in components}
    assert depths == set(range(6))


def test_relations_to_withheld_records_do_not_name_them(
    empty_catalogue_file: Path, tmp_path: Path, ead_schema: etree.XMLSchema
) -> None:
    """An open record related to a confidential one (or to one below it) must not carry
    the withheld record's reference code and title into EAD or Dublin Core."""
    from catalog_app.services.exports import ExportService

    shutil.copyfile(empty_catalogue_file, tmp_path / "c.sqlite")
    with Catalogue.open(tmp_path / "c.sqlite", actor="tester") as catalogue:
        units = catalogue.units
        fonds = units.create({"title": "Fonds", "level": "fonds"})
        shown = units.create({"title": "Open letter"}, parent_id=fonds.id)
        other = units.create({"title": "Open reply"}, parent_id=fonds.id)
        secret = units.create(
            {"title": "Secret informant file", "access_status": "confidential"},
            parent_id=fonds.id,
        )
        below = units.create({"title": "Hidden child file"}, parent_id=secret.id)
        catalogue.relations.relate(shown.id, secret.id, "republishes")
        catalogue.relations.relate(below.id, shown.id, "republishes")
        catalogue.relations.relate(shown.id, other.id, "republishes")

        kept = {u.detail.id: u.detail for u in iter_units(catalogue, Selection())}
        assert [r.other_id for r in kept[shown.id].relations] == [other.id]
        everything = {u.detail.id: u.detail for u in iter_units(catalogue, Selection(None, True))}
        assert len(everything[shown.id].relations) == 3

        service = ExportService(catalogue)
        for fmt in ("ead", "dc"):
            output = tmp_path / f"{fmt}.xml"
            service.export(fmt, output)
            data = output.read_text(encoding="utf-8")
            assert "Open reply" in data
            for withheld in (secret, below):
                assert withheld.title not in data, fmt
                assert withheld.reference_code not in data, fmt
        valid_ead(ead_schema, (tmp_path / "ead.xml").read_bytes())


def test_the_full_description_and_the_language_of_description(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    """Every ISAD(G) element the catalogue holds has its EAD element; the catalogue's
    language of description (Persian here) is declared, not English."""
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    archdesc = component(root, rich.fonds.reference_code)
    for tag, value in (
        ("bioghist", "The family of a prisoner held in Evin, 1979-1981."),
        ("appraisal", "Nothing was destroyed."),
        ("accruals", "Further letters are expected."),
        ("phystech", "Some pages are water-damaged."),
        ("otherfindaid", "A handwritten list by the donor."),
        ("altformavail", "Scans on the project drive."),
    ):
        assert texts(archdesc, f"e:{tag}/e:p") == [value], tag
    assert texts(archdesc, "e:originalsloc/e:p") == [
        "The paper letters stay with the family.",
        "Source address: https://example.org/letters/index.html",
    ]
    assert archdesc.xpath("string(e:originalsloc/e:p/e:ref/@href)", namespaces=NS) == (
        "https://example.org/letters/index.html"
    )
    (declaration,) = root.xpath("e:control/e:languagedeclaration", namespaces=NS)
    assert declaration.xpath("string(e:language/@langcode)", namespaces=NS) == "fa"
    assert declaration.xpath("string(e:script/@scriptcode)", namespaces=NS) == "Arab"


def test_relations_are_sentences_and_relation_elements(
    catalogue: Catalogue, rich: Rich, ead_schema: etree.XMLSchema
) -> None:
    _, root = export(catalogue, ead_schema, collection=rich.fonds.reference_code)
    (item,) = root.xpath("//e:c[e:did/e:unittitle = 'Item']", namespaces=NS)
    code = rich.minimal.reference_code
    assert texts(item, "e:relatedmaterial/e:p") == [
        f"This record republishes {code} “Minimal” (similarity 0.93)"
    ]
    (relation,) = item.xpath("e:relations/e:relation", namespaces=NS)
    assert relation.get("relationtype") == "resourcerelation"
    entries = {e.get("localtype"): e.text for e in relation.findall("e:relationentry", NS)}
    assert entries == {"outgoing": "republishes", "reference code": code, "title": "Minimal"}
