"""Help → Search Syntax stays true to the query language: every example on the page is a
search the parser reads and the catalogue runs, and every field the parser knows is on it."""

from __future__ import annotations

import re

import pytest
from lxml import html

from catalog_app.paths import bundled
from catalog_app.search import query
from catalog_app.services import Catalogue

PAGE = bundled("resources") / "help" / "search-syntax.html"


def _page() -> html.HtmlElement:
    return html.fromstring(PAGE.read_text(encoding="utf-8"))


def _examples() -> list[str]:
    return [code.text_content() for code in _page().cssselect("code.example")]


def test_the_page_is_for_people() -> None:
    text = _page().text_content()
    assert "FTS5" not in text
    assert "QueryError" not in text
    headings = [h.text_content() for h in _page().cssselect("h1, h2")]
    assert headings[0] == "Searching the catalogue"
    assert len(headings) >= 5
    assert len(_examples()) >= 30


@pytest.mark.parametrize("example", _examples())
def test_every_example_parses(example: str) -> None:
    query.parse(example)


def test_every_field_of_the_query_language_has_an_example() -> None:
    used = {name for example in _examples() for name in re.findall(r"([a-z]+):", example)}
    assert set(query.TEXT_FIELDS) | query.FILTER_FIELDS <= used
    assert used <= set(query.TEXT_FIELDS) | query.FILTER_FIELDS  # no field the parser lacks


def test_every_example_runs_in_a_catalogue(catalogue: Catalogue) -> None:
    fonds = catalogue.units.create({"title": "Testimonies", "level": "fonds"})
    assert fonds.reference_code == "CAT-0001"  # the collection the in: example names
    catalogue.units.create(
        {"title": "Prison executions in 1988", "date_expression": "1988"}, parent_id=fonds.id
    )
    for example in _examples():
        catalogue.search.search(example, limit=10, snippets=False, facets=False)
