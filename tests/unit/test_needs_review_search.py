"""Records whose harvested values no person has checked: a filter, a facet, and its value."""

from __future__ import annotations

import pytest

from catalog_app.search import query
from catalog_app.search.facet_filters import add_filter, filter_for
from catalog_app.search.query import QueryError, parse
from catalog_app.services import Catalogue
from catalog_app.storage import models


@pytest.fixture
def letters(catalogue: Catalogue) -> tuple[Catalogue, list[int]]:
    ids = [
        catalogue.units.create({"title": f"Letter {n}", "scope_content": "a letter from Evin"}).id
        for n in range(3)
    ]
    with catalogue.db.write("tester") as session:
        for unit_id in ids[:2]:
            unit = session.get(models.Unit, unit_id)
            assert unit is not None
            unit.harvested = ["title"]
    return catalogue, ids


def test_review_filters_select_records_by_whether_they_need_review(
    letters: tuple[Catalogue, list[int]],
) -> None:
    catalogue, ids = letters
    needed = catalogue.search.search("evin review:needed", facets=False)
    assert sorted(hit.id for hit in needed.hits) == ids[:2]
    checked = catalogue.search.search("evin review:CHECKED", facets=False)
    assert [hit.id for hit in checked.hits] == ids[2:]
    alone = catalogue.search.search("review:needed", facets=False)  # a filter alone browses
    assert alone.total == 2
    catalogue.units.update(ids[0], {"title": "Letter of a mother"})  # a person checked it
    assert catalogue.search.count("review:needed") == 1


def test_the_review_facet_counts_and_narrows(letters: tuple[Catalogue, list[int]]) -> None:
    catalogue, _ = letters
    facets = catalogue.search.search("evin").facets
    assert facets["review"] == [("needs review", 2), ("checked", 1)]
    for value, count in facets["review"]:
        token = filter_for("review", value)
        assert token is not None
        assert catalogue.search.search(add_filter("evin", token)).total == count


def test_review_takes_two_values_and_says_so() -> None:
    assert parse("review:needed").filters.needs_review is True
    assert parse("review:checked").filters.needs_review is False
    assert parse("letter").filters.needs_review is None
    with pytest.raises(QueryError, match="review: takes needed or checked"):
        parse("review:soon")
    with pytest.raises(QueryError, match="cannot both apply"):
        parse("review:needed review:checked")
    with pytest.raises(QueryError, match="as in review:needed"):
        parse("review:(needed)")


def test_the_query_language_documents_the_review_filter() -> None:
    assert "review:needed" in (query.__doc__ or "")
