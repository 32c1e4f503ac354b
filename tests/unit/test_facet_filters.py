"""Facet values turn into filters the query language accepts, and those filters select them."""

from __future__ import annotations

from catalog_app.search.facet_filters import add_filter, filter_for
from catalog_app.search.query import parse
from catalog_app.services import Catalogue


def test_every_facet_of_a_search_becomes_a_filter_that_selects_its_records(
    catalogue: Catalogue,
) -> None:
    fonds = catalogue.units.create({"title": "Khavaran papers", "level": "fonds"})
    for number, language in enumerate(["fa", "en", "en"]):
        catalogue.units.create(
            {
                "title": f"Letter {number}",
                "scope_content": "letter about the cemetery",
                "languages": [language],
                "date_expression": f"198{number}",
                "access_status": "restricted" if number else "open",
            },
            parent_id=fonds.id,
        )
    results = catalogue.search.search("cemetery")
    assert results.total == 3
    for facet, values in results.facets.items():
        for value, count in values:
            token = filter_for(facet, value)
            if token is None:
                continue
            narrowed = catalogue.search.search(add_filter("cemetery", token), facets=False)
            assert narrowed.total == count, (facet, value, token)


def test_filters_are_quoted_and_added_once() -> None:
    assert filter_for("collection", "F 1 Papers") == "in:F"
    assert filter_for("media_type", "web page") == "type:web_page"
    assert filter_for("decade", "1980s") == "date:1980..1989"
    assert filter_for("decade", "undated") is None
    assert filter_for("grade", "not assessed") is None
    assert add_filter("evin lang:fa", "lang:fa") == "evin lang:fa"
    assert add_filter("evin ", "lang:fa") == "evin lang:fa"
    parse(add_filter("evin", filter_for("media_type", "web page") or ""))
