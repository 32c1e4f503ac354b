"""Browsing a level of the hierarchy: ordered ids from SQL, display rows on demand."""

from __future__ import annotations

from array import array

import pytest

from catalog_app.domain.records import NewAssessment
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services import Catalogue
from catalog_app.services.browse import ARRANGEMENT, SORT_KEYS, RecordRow
from catalog_app.storage import models


def _attach_files(catalogue: Catalogue, unit_id: int, count: int) -> None:
    with catalogue.db.write("tester") as session:
        for number in range(count):
            session.add(
                models.StoredFile(
                    unit_id=unit_id,
                    sha256=f"{unit_id:032x}{number:032x}",
                    size=1,
                    media_type="text/plain",
                    original_name=f"{number}.txt",
                    added_by="tester",
                )
            )


@pytest.fixture
def level(catalogue: Catalogue) -> tuple[Catalogue, int, dict[str, int]]:
    """A fonds holding three items and a series (with one item of its own)."""
    fonds = catalogue.units.create({"title": "Fonds", "level": "fonds"}).id
    create = catalogue.units.create
    ids = {
        "beta": create(
            {
                "title": "beta letter",
                "reference_code": "F/2",
                "date_expression": "1988-07",
                "languages": ["fa", "en"],
                "media_type": "text",
                "access_status": "restricted",
            },
            parent_id=fonds,
        ).id,
        "alpha": create(
            {"title": "Alpha report", "reference_code": "F/3", "date_expression": "1990"},
            parent_id=fonds,
        ).id,
        "gamma": create(
            {"title": "gamma notes", "reference_code": "F/1", "date_expression": "1975"},
            parent_id=fonds,
        ).id,
        "series": create(
            {"title": "Series", "reference_code": "F/4", "level": "series"}, parent_id=fonds
        ).id,
    }
    ids["nested"] = create(
        {"title": "Nested", "reference_code": "F/4/1"}, parent_id=ids["series"]
    ).id
    catalogue.reliability.assess(
        ids["beta"], NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
    )
    _attach_files(catalogue, ids["beta"], 2)
    return catalogue, fonds, ids


def _names(ids: array[int], by_id: dict[str, int]) -> list[str]:
    name_of = {unit_id: name for name, unit_id in by_id.items()}
    return [name_of[unit_id] for unit_id in ids]


def test_ids_are_an_int64_array_in_the_arrangement_order(
    level: tuple[Catalogue, int, dict[str, int]],
) -> None:
    catalogue, fonds, ids = level
    found = catalogue.browse.ids(fonds, ARRANGEMENT)
    assert isinstance(found, array)
    assert found.typecode == "q"
    assert _names(found, ids) == ["beta", "alpha", "gamma", "series"]  # order of creation


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("reference_code", False, ["gamma", "beta", "alpha", "series"]),
        ("reference_code", True, ["series", "alpha", "beta", "gamma"]),
        ("title", False, ["alpha", "beta", "gamma", "series"]),  # regardless of case
        ("date", False, ["gamma", "beta", "alpha", "series"]),  # undated last
        ("date", True, ["alpha", "beta", "gamma", "series"]),  # ... in both directions
        ("reliability", False, ["beta", "alpha", "gamma", "series"]),
        ("originals", True, ["beta", "series", "gamma", "alpha"]),
    ],
)
def test_children_are_sorted_in_sql_by_any_column(
    level: tuple[Catalogue, int, dict[str, int]], sort: str, descending: bool, expected: list[str]
) -> None:
    catalogue, fonds, ids = level
    assert _names(catalogue.browse.ids(fonds, sort, descending), ids) == expected


def test_every_sort_key_works_and_an_unknown_one_is_refused(
    level: tuple[Catalogue, int, dict[str, int]],
) -> None:
    catalogue, fonds, _ = level
    for key in SORT_KEYS:
        assert len(catalogue.browse.ids(fonds, key)) == 4
    with pytest.raises(ValueError, match="unknown sort key"):
        catalogue.browse.ids(fonds, "title; DROP TABLE units")


def test_top_level_and_recursive_listing(level: tuple[Catalogue, int, dict[str, int]]) -> None:
    catalogue, fonds, ids = level
    assert list(catalogue.browse.ids(None)) == [fonds]
    below = catalogue.browse.ids(fonds, "reference_code", recursive=True)
    assert _names(below, ids) == ["gamma", "beta", "alpha", "series", "nested"]
    assert len(catalogue.browse.ids(None, recursive=True)) == 6
    assert list(catalogue.browse.ids(ids["alpha"])) == []


def test_rows_carry_the_display_columns(level: tuple[Catalogue, int, dict[str, int]]) -> None:
    catalogue, _, ids = level
    rows = catalogue.browse.rows([ids["beta"], ids["alpha"], 999_999])
    assert set(rows) == {ids["beta"], ids["alpha"]}  # a missing id is left out
    assert rows[ids["beta"]] == RecordRow(
        id=ids["beta"],
        reference_code="F/2",
        title="beta letter",
        dates="1988-07",
        level="item",
        media_type="text",
        languages=("fa", "en"),
        access_status="restricted",
        reliability="B2",
        originals=2,
    )
    alpha = rows[ids["alpha"]]
    assert (alpha.reliability, alpha.originals, alpha.languages) == (None, 0, ())


def test_rows_of_many_ids_are_read_in_chunks(catalogue: Catalogue) -> None:
    parent = catalogue.units.create({"title": "Many"}).id
    with catalogue.db.write("tester") as session:
        session.add_all(
            models.Unit(
                parent_id=parent,
                reference_code=f"M/{n:04d}",
                title=f"Item {n}",
                created_by="tester",
                updated_by="tester",
            )
            for n in range(1200)
        )
    ids = catalogue.browse.ids(parent)
    assert len(ids) == catalogue.browse.count(parent) == 1200
    rows = catalogue.browse.rows(ids)
    assert [rows[i].reference_code for i in ids[:2]] == ["M/0000", "M/0001"]
    assert len(rows) == 1200


def test_order_sorts_a_given_list_and_count_counts_direct_children(
    level: tuple[Catalogue, int, dict[str, int]],
) -> None:
    catalogue, fonds, ids = level
    chosen = [ids["series"], ids["gamma"], ids["nested"]]
    assert _names(catalogue.browse.order(chosen, "title"), ids) == ["gamma", "nested", "series"]
    assert catalogue.browse.count(fonds) == 4
    assert catalogue.browse.count(None) == 1
    assert catalogue.browse.count(ids["series"]) == 1
