"""`catalog show` gives the whole ISAD(G) description, area by area."""

from __future__ import annotations

import json

import pytest

from catalog_app.cli import main
from catalog_app.services import Catalogue

NEW_FIELDS = {
    "administrative_history": "Founded by the families in 1989.",
    "appraisal": "Kept in full.",
    "accruals": "More letters are expected.",
    "physical_characteristics": "Faded ink on onion-skin paper.",
    "finding_aids": "A list by the donor.",
    "originals_location": "With the family in Tehran.",
    "copies_location": "Scans in the Boroumand Center.",
    "source_url": "https://example.org/khavaran",
}


@pytest.fixture
def described(catalogue: Catalogue) -> Catalogue:
    unit = catalogue.units.create(
        {
            "title": "Letters from Evin",
            "reference_code": "EVIN-1",
            "date_expression": "1988",
            "scope_content": "Letters to the family.",
            "general_note": "Transcribed in 2020.",
            "rules": "ISAD(G)",
            **NEW_FIELDS,
        }
    )
    creator = catalogue.agents.create("Mothers of Khavaran", kind="organisation")
    catalogue.units.link_agent(unit.id, creator.id, "creator")
    mentioned = catalogue.agents.create("Evin prison", kind="organisation")
    catalogue.units.link_agent(unit.id, mentioned.id, "mentioned")
    return catalogue


def test_show_lists_the_areas_in_isad_order_with_their_elements(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(described.path), "show", "EVIN-1"]) == 0
    out = capsys.readouterr().out
    headings = [
        "3.1 Identity statement",
        "3.2 Context",
        "3.3 Content and structure",
        "3.4 Conditions of access and use",
        "3.5 Allied materials",
        "3.6 Notes",
        "3.7 Description control",
        "Access points",
    ]
    positions = [out.index(f"\n{heading}\n") for heading in headings]
    assert positions == sorted(positions)
    for value in (*NEW_FIELDS.values(), "Letters to the family.", "Transcribed in 2020."):
        assert value in out
    context = out[positions[1] : positions[2]]
    assert "Creators" in context
    assert "Mothers of Khavaran" in context
    assert "Administrative / biographical history  Founded by the families" in context
    identity = out[positions[0] : positions[1]]
    assert "Source address" in identity
    assert "https://example.org/khavaran" in identity
    access_points = out[positions[-1] :]
    assert "Evin prison (mentioned)" in access_points
    assert "Mothers of Khavaran" not in access_points  # a creator is 3.2.1, said once


def test_an_area_without_values_has_no_heading(
    catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue.units.create({"title": "Bare", "reference_code": "BARE-1"})
    assert main(["--db", str(catalogue.path), "show", "BARE-1"]) == 0
    out = capsys.readouterr().out
    assert "3.1 Identity statement" in out
    assert "3.5 Allied materials" not in out


def test_show_json_has_the_new_elements(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(described.path), "show", "EVIN-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for name, value in NEW_FIELDS.items():
        assert data[name] == value
    assert data["scope_content"] == "Letters to the family."  # the keys there before stay
    assert [(a["authorised_name"], a["role"]) for a in data["agents"]] == [
        ("Mothers of Khavaran", "creator"),
        ("Evin prison", "mentioned"),
    ]
