"""Dublin Core export: oai_dc records, one per unit, checked against oai_dc's rules."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from catalog_app.domain.records import UnitDetail
from catalog_app.export import dublin_core
from catalog_app.export.dublin_core import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA, XSI_NS
from catalog_app.export.ead import XmlReport
from catalog_app.paths import HOME_ENV
from catalog_app.services import Catalogue
from catalog_app.services.export_source import Selection, iter_units
from tests.unit.test_export_ead import (
    CONTROL_TITLE_CLEAN,
    PERSIAN_NAME,
    PERSIAN_TITLE,
    Rich,
    build_rich,
)

DC_ELEMENTS = (
    "title creator subject description publisher contributor date type format identifier "
    "source language relation coverage rights"
).split()

# oai_dc.xsd (OAI-PMH 2.0) and simpledc20021212.xsd (DCMI) as published, restated here
# because they cannot be fetched in tests: <oai_dc:dc> holds any number of the fifteen DC
# elements in any order, each plain text (the xml:lang attribute is left out: not written).
OAI_DC_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:oai_dc="{OAI_DC_NS}"
        xmlns:dc="{DC_NS}" targetNamespace="{OAI_DC_NS}"
        elementFormDefault="qualified" attributeFormDefault="unqualified">
  <import namespace="{DC_NS}" schemaLocation="simpledc.xsd"/>
  <element name="dc" type="oai_dc:oai_dcType"/>
  <complexType name="oai_dcType">
    <choice minOccurs="0" maxOccurs="unbounded">
      {"".join(f'<element ref="dc:{name}"/>' for name in DC_ELEMENTS)}
    </choice>
  </complexType>
</schema>"""
SIMPLE_DC_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{DC_NS}" targetNamespace="{DC_NS}"
           elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xs:complexType name="elementType">
    <xs:simpleContent><xs:extension base="xs:string"/></xs:simpleContent>
  </xs:complexType>
  {"".join(f'<xs:element name="{name}" type="elementType"/>' for name in DC_ELEMENTS)}
</xs:schema>"""


@pytest.fixture(scope="module")
def oai_dc_schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    folder = tmp_path_factory.mktemp("oai_dc")
    (folder / "simpledc.xsd").write_text(SIMPLE_DC_XSD, encoding="utf-8")
    (folder / "oai_dc.xsd").write_text(OAI_DC_XSD, encoding="utf-8")
    return etree.XMLSchema(etree.parse(str(folder / "oai_dc.xsd")))


@pytest.fixture(scope="module")
def described(
    tmp_path_factory: pytest.TempPathFactory, empty_catalogue_file: Path
) -> Iterator[tuple[Catalogue, Rich, UnitDetail]]:
    """One described catalogue for the module (exports only read it), with an imported
    original under the fonds."""
    folder = tmp_path_factory.mktemp("dc")
    shutil.copyfile(empty_catalogue_file, folder / "c.sqlite")
    source = folder / "statement.txt"
    source.write_text("Statement of the families\n\nWe ask for the truth.\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV, str(folder / "home"))
        with Catalogue.open(folder / "c.sqlite", actor="tester") as catalogue:
            rich = build_rich(catalogue)
            imported = catalogue.imports.run([source], collection=rich.fonds.reference_code)
            yield catalogue, rich, catalogue.units.get(imported.new_ids[0])


@pytest.fixture
def catalogue(described: tuple[Catalogue, Rich, UnitDetail]) -> Catalogue:
    return described[0]  # the shared one, instead of conftest's empty catalogue


@pytest.fixture
def rich(described: tuple[Catalogue, Rich, UnitDetail]) -> Rich:
    return described[1]


def export(
    catalogue: Catalogue, selection: Selection, schema: etree.XMLSchema
) -> tuple[XmlReport, etree._Element]:
    """Export through the real record stream; every record must satisfy oai_dc."""
    out = io.BytesIO()
    report = dublin_core.write(iter_units(catalogue, selection), out)
    root = etree.fromstring(out.getvalue(), etree.XMLParser(no_network=True))
    for record in root:
        assert schema.validate(record), str(schema.error_log)
    return report, root


def values(root: etree._Element, reference_code: str) -> dict[str, list[str]]:
    """The DC elements of the record of `reference_code`, by name, in document order."""
    (record,) = root.xpath(
        "oai_dc:dc[dc:identifier = $code]",
        namespaces={"oai_dc": OAI_DC_NS, "dc": DC_NS},
        code=reference_code,
    )
    found: dict[str, list[str]] = {}
    for element in record:
        found.setdefault(etree.QName(element).localname, []).append(element.text or "")
    return found


def test_one_oai_dc_record_per_unit(catalogue: Catalogue, oai_dc_schema: etree.XMLSchema) -> None:
    report, root = export(catalogue, Selection(), oai_dc_schema)
    expected = [u.detail for u in iter_units(catalogue, Selection())]

    assert root.tag == "records"
    assert report.rows == len(root) == len(expected) == 13
    for record, detail in zip(root, expected, strict=True):
        assert record.tag == f"{{{OAI_DC_NS}}}dc"
        assert record.get(f"{{{XSI_NS}}}schemaLocation") == OAI_DC_SCHEMA
        assert {etree.QName(e).namespace for e in record} == {DC_NS}
        assert {etree.QName(e).localname for e in record} <= set(DC_ELEMENTS)
        assert all(len(e) == 0 and (e.text or "").strip() for e in record)
        identifiers = [e.text for e in record.iterfind("dc:identifier", {"dc": DC_NS})]
        assert identifiers == [detail.reference_code, f"urn:uuid:{detail.uuid}"]


def test_fields_land_in_their_dc_elements(
    catalogue: Catalogue, rich: Rich, oai_dc_schema: etree.XMLSchema
) -> None:
    _, root = export(catalogue, Selection(), oai_dc_schema)
    fonds = values(root, rich.fonds.reference_code)

    assert fonds["title"] == [PERSIAN_TITLE]
    assert fonds["creator"] == [PERSIAN_NAME]
    assert fonds["publisher"] == ["Amnesty International"]
    assert sorted(fonds["subject"]) == sorted(
        ["Political prisoners", "زندان", "Family Mohammadi", PERSIAN_NAME]
    )
    assert sorted(fonds["coverage"]) == sorted(["تهران", "Khavaran"])
    assert fonds["description"] == [rich.fonds.scope_content]
    assert fonds["date"] == ["1979-02/1981-06"]
    assert fonds["language"] == ["fa", "en"]
    assert fonds["type"] == ["Collection", "Text", "document"]
    assert fonds["format"] == ["3 boxes; 1,200 pages"]
    assert fonds["rights"] == [
        "Access: open. Open to researchers.",
        "Copies for private study only.",
    ]
    assert fonds["relation"] == ["See also the Khavaran photographs."]
    # The record's own source address, then the address its capture event names.
    assert fonds["source"] == [
        "https://example.org/letters/index.html",
        "https://example.org/letters",
    ]
    assert "contributor" not in fonds

    minimal = values(root, rich.minimal.reference_code)
    assert set(minimal) == {"title", "identifier", "relation", "rights"}  # an item, no type
    assert minimal["relation"][0] == f"Part of {rich.fonds.reference_code}"


def test_an_original_gives_its_format(
    described: tuple[Catalogue, Rich, UnitDetail], oai_dc_schema: etree.XMLSchema
) -> None:
    catalogue, _, imported = described
    _, root = export(catalogue, Selection(), oai_dc_schema)
    record = values(root, imported.reference_code)
    assert record["format"] == ["text/plain"]
    assert record["title"] == ["Statement of the families"]
    assert record["language"] == ["en"]


def test_persian_round_trips_and_control_characters_are_dropped(
    catalogue: Catalogue, rich: Rich, oai_dc_schema: etree.XMLSchema
) -> None:
    report, root = export(catalogue, Selection(), oai_dc_schema)
    assert values(root, rich.fonds.reference_code)["title"][0] == PERSIAN_TITLE
    assert "\u200c" in PERSIAN_TITLE
    assert values(root, rich.control.reference_code)["title"] == [CONTROL_TITLE_CLEAN.strip()]
    (warning,) = report.warnings
    assert rich.control.reference_code in warning


def test_restricted_records_only_when_included(
    catalogue: Catalogue, rich: Rich, oai_dc_schema: etree.XMLSchema
) -> None:
    collection = rich.fonds.reference_code
    report, root = export(catalogue, Selection(collection), oai_dc_schema)
    codes = root.xpath("//dc:identifier[1]/text()", namespaces={"dc": DC_NS})
    assert rich.restricted.reference_code not in codes
    assert rich.below_restricted.reference_code not in codes
    assert report.rows == 12

    report, root = export(catalogue, Selection(collection, include_restricted=True), oai_dc_schema)
    assert report.rows == 14
    assert values(root, rich.restricted.reference_code)["rights"] == ["Access: restricted."]


def test_nothing_to_export_gives_an_empty_root(
    catalogue: Catalogue, rich: Rich, oai_dc_schema: etree.XMLSchema
) -> None:
    report, root = export(catalogue, Selection(rich.restricted.reference_code), oai_dc_schema)
    assert report == XmlReport(rows=0, warnings=[])
    assert root.tag == "records"
    assert len(root) == 0
