"""The table of ISAD(G) elements every view of a description follows."""

from __future__ import annotations

from catalog_app.domain.isad import AREAS, creators, element_text
from catalog_app.domain.records import UNIT_CHOICE_FIELDS, UNIT_LIST_FIELDS, UNIT_TEXT_FIELDS
from catalog_app.services import Catalogue


def test_the_26_elements_in_their_seven_areas_in_the_standards_order() -> None:
    assert [(a.number, a.name) for a in AREAS] == [
        ("3.1", "Identity statement"),
        ("3.2", "Context"),
        ("3.3", "Content and structure"),
        ("3.4", "Conditions of access and use"),
        ("3.5", "Allied materials"),
        ("3.6", "Notes"),
        ("3.7", "Description control"),
    ]
    numbers = [e.number for a in AREAS for e in a.elements if e.number]
    assert len(numbers) == 26
    for area in AREAS:
        inside = [e.number for e in area.elements if e.number]
        assert inside == [f"{area.number}.{n}" for n in range(1, len(inside) + 1)]
    essential = {e.number for a in AREAS for e in a.elements if e.essential}
    assert essential == {"3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.1.5", "3.2.1"}  # ISAD(G) 2.4


def test_every_field_a_person_sets_belongs_to_one_element() -> None:
    held = [name for a in AREAS for e in a.elements for name in e.fields]
    editable = {*UNIT_TEXT_FIELDS, *UNIT_CHOICE_FIELDS, *UNIT_LIST_FIELDS} - {"title_source"}
    assert sorted(held) == sorted(editable)
    text_order = [name for name in held if name in UNIT_TEXT_FIELDS and name != "source_url"]
    assert text_order == [name for name in UNIT_TEXT_FIELDS if name != "source_url"]


def test_an_elements_text_joins_its_fields(catalogue: Catalogue) -> None:
    unit = catalogue.units.create(
        {
            "title": "Letters",
            "date_expression": "1988-06/1988-08",
            "date_kind": "creation",
            "access_status": "restricted",
            "access_note": "Until 2030",
            "languages": ["fa", "en"],
            "scripts": ["Arab"],
        }
    )
    agent = catalogue.agents.create("Mothers of Khavaran", kind="organisation")
    catalogue.units.link_agent(unit.id, agent.id, "creator")
    other = catalogue.agents.create("Amnesty International", kind="organisation")
    catalogue.units.link_agent(unit.id, other.id, "mentioned")
    unit = catalogue.units.get(unit.id)
    by_number = {e.number: e for a in AREAS for e in a.elements}
    dates = element_text(unit, by_number["3.1.3"]) or ""
    assert dates.startswith("1988-06/1988-08 (")
    assert dates.endswith("; creation")
    assert element_text(unit, by_number["3.2.1"]) == "Mothers of Khavaran"
    assert creators(unit) == ["Mothers of Khavaran"]
    assert element_text(unit, by_number["3.4.1"]) == "restricted: Until 2030"
    assert element_text(unit, by_number["3.4.3"]) == "Persian, English; Arabic"
    assert element_text(unit, by_number["3.3.2"]) is None
