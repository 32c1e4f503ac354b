"""Language codes shown as the names people read."""

from __future__ import annotations

import pytest

from catalog_app.domain.isad import AREAS, element_text
from catalog_app.domain.languages import language_name, language_names, script_names
from catalog_app.services import Catalogue


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("fa", "Persian"),
        ("ar", "Arabic"),
        ("en", "English"),
        ("ckb", "Central Kurdish"),  # ISO 639-3 where CLDR names it
        ("fa-af", "Persian (Afghanistan)"),  # as records hold tags: lower case
        ("az-arab", "Azerbaijani (Arabic)"),
        ("es-419", "Spanish (Latin America)"),
        ("FA", "Persian"),
    ],
)
def test_a_code_reads_as_its_english_name(code: str, name: str) -> None:
    assert language_name(code) == name


def test_a_code_without_a_name_is_shown_as_typed() -> None:
    assert language_name("qaa") == "qaa"  # reserved for local use: nobody names it
    assert language_name("fa-xyzzy1") == "Persian (xyzzy1)"


def test_several_codes_read_as_one_line() -> None:
    assert language_names(("fa", "en")) == "Persian, English"
    assert language_names(()) == ""


def test_scripts_read_as_their_names() -> None:
    assert script_names(("Arab", "Latn")) == "Arabic, Latin"
    assert script_names(("Qaaa",)) == "Qaaa"  # private use: shown as typed


def test_the_description_gives_the_material_s_languages_by_name(catalogue: Catalogue) -> None:
    unit = catalogue.units.create(
        {"title": "Letters", "languages": ["fa", "en"], "scripts": ["Arab", "Latn"]}
    )
    (element,) = [e for area in AREAS for e in area.elements if e.number == "3.4.3"]
    assert element_text(catalogue.units.get(unit.id), element) == "Persian, English; Arabic, Latin"
