"""The views of the whole catalogue: all records, recently added, unfiled, needs review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from catalog_app.services import Catalogue
from catalog_app.services.browse import RECENT_DAYS, View
from catalog_app.storage import models
from catalog_app.storage.types import utcnow


@dataclass(frozen=True)
class Arranged:
    fonds: int
    series: int
    filed: int
    empty_fonds: int
    loose: int
    loose_file: int
    inside_file: int
    imported: tuple[int, ...]


def _added_long_ago(catalogue: Catalogue, unit_id: int) -> None:
    with catalogue.db.write("tester") as session:
        unit = session.get(models.Unit, unit_id)
        assert unit is not None
        unit.created_at = utcnow() - timedelta(days=RECENT_DAYS + 1)


def _harvested(catalogue: Catalogue, title: str) -> int:
    """A record as an import leaves it: its title and scripts read from the document."""
    unit_id = catalogue.units.create({"title": title}).id
    with catalogue.db.write("tester") as session:
        unit = session.get(models.Unit, unit_id)
        assert unit is not None
        unit.harvested = ["title", "scripts"]
    return unit_id


@pytest.fixture
def arranged(catalogue: Catalogue) -> Arranged:
    create = catalogue.units.create
    fonds = create({"title": "Testimonies", "level": "fonds"}).id
    series = create({"title": "Letters", "level": "series"}, parent_id=fonds).id
    filed = create({"title": "Letter to the court"}, parent_id=series).id
    empty_fonds = create({"title": "Fonds still empty", "level": "fonds"}).id
    loose = create({"title": "A loose item"}).id
    loose_file = create({"title": "A file of clippings", "level": "file"}).id
    inside_file = create({"title": "Clipping"}, parent_id=loose_file).id
    for unit_id in (fonds, series, filed, empty_fonds, loose, loose_file, inside_file):
        _added_long_ago(catalogue, unit_id)
    imported = (_harvested(catalogue, "statement-0"), _harvested(catalogue, "statement-1"))
    return Arranged(fonds, series, filed, empty_fonds, loose, loose_file, inside_file, imported)


def test_all_records_lists_every_record_by_reference_code(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    ids = list(catalogue.browse.view_ids(View.ALL))
    assert len(ids) == 9
    codes = [catalogue.units.get(i).reference_code for i in ids]
    assert codes == sorted(codes)


def test_recently_added_lists_this_weeks_records_newest_first(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    assert list(catalogue.browse.view_ids(View.RECENT)) == sorted(arranged.imported, reverse=True)
    late = catalogue.units.create({"title": "Added just now"}).id
    assert catalogue.browse.view_ids(View.RECENT)[0] == late


def test_unfiled_lists_top_level_records_not_placed_in_a_collection(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    unfiled = set(catalogue.browse.view_ids(View.UNFILED))
    # Not the fonds (full or empty), not the file holding a clipping, nothing filed.
    assert unfiled == {arranged.loose, *arranged.imported}
    catalogue.units.move(arranged.loose, arranged.series)
    assert arranged.loose not in set(catalogue.browse.view_ids(View.UNFILED))


def test_needs_review_lists_records_with_harvested_values_until_a_person_edits_them(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    needing = list(catalogue.browse.view_ids(View.NEEDS_REVIEW))
    assert needing == sorted(arranged.imported)
    assert all(catalogue.units.get(i).harvested for i in needing)
    first = arranged.imported[0]
    catalogue.units.update(first, {"title": "Statement of a mother"})
    assert first in catalogue.browse.view_ids(View.NEEDS_REVIEW)  # its scripts are unchecked
    catalogue.units.update(first, {"scripts": ["Arab"]})
    assert list(catalogue.browse.view_ids(View.NEEDS_REVIEW)) == [arranged.imported[1]]


def test_the_counts_say_how_many_each_view_lists(catalogue: Catalogue, arranged: Arranged) -> None:
    counts = catalogue.browse.view_counts()
    assert set(counts) == set(View)
    for view in View:
        assert counts[view] == len(catalogue.browse.view_ids(view)), view


def test_a_view_sorts_by_a_column_in_either_direction(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    by_title = list(catalogue.browse.view_ids(View.UNFILED, "title"))
    titles = [catalogue.units.get(i).title.casefold() for i in by_title]
    assert titles == sorted(titles)
    assert list(catalogue.browse.view_ids(View.UNFILED, "title", descending=True)) == list(
        reversed(by_title)
    )


def test_the_review_sort_puts_records_needing_review_together(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    ids = list(catalogue.browse.view_ids(View.ALL, "review", descending=True))
    assert set(ids[:2]) == set(arranged.imported)
    rows = catalogue.browse.rows(ids[:3])
    assert rows[ids[0]].harvested == ("title", "scripts")
    assert rows[ids[2]].harvested == ()


def test_the_views_read_their_indexes(catalogue: Catalogue, arranged: Arranged) -> None:
    """At a million records a pass over the rows takes seconds: each view walks an index."""
    from catalog_app.services.browse import _VIEWS

    with catalogue.db.read() as session:
        connection = session.connection()
        for view, (source, order) in _VIEWS.items():
            sql = f"EXPLAIN QUERY PLAN SELECT id {source} ORDER BY {order}"
            plan = [
                str(row[3])
                for row in connection.exec_driver_sql(
                    sql.replace(":since", "'2000-01-01'"),
                )
            ]
            scans = [step for step in plan if step.startswith("SCAN")]
            assert all("INDEX" in step for step in scans), (view, plan)


def test_a_views_size_is_counted_only_as_far_as_asked(
    catalogue: Catalogue, arranged: Arranged
) -> None:
    assert catalogue.browse.view_count(View.ALL, up_to=100) == 9
    assert catalogue.browse.view_count(View.ALL, up_to=3) == 3
    assert catalogue.browse.view_count(View.RECENT, up_to=100) == 2
