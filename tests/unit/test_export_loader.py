"""The exports' batch loader (services.export_loader, through export_source.iter_units) gives
exactly the records the ORM gave before it (the detail pane's mapper, the same access rule
and the same internal-details rule), in the same order, for every kind of scope."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from catalog_app.services import Catalogue
from catalog_app.services import export_source as source
from catalog_app.services.export_source import ExportUnit, Selection, iter_units
from catalog_app.services.internal_details import InternalDetails
from catalog_app.services.lookup import find_unit
from catalog_app.services.units import detail_loads
from catalog_app.storage import mappers, models
from tests.unit.export_catalogue import Rich, build_rich


def orm_units(catalogue: Catalogue, selection: Selection) -> Iterator[ExportUnit]:
    """The exports' records as the ORM read them before the batch loader: a frozen copy of
    the old export_source.iter_units (its query of the scope too), one record at a time
    through storage.mappers, kept as the reference."""
    with catalogue.db.read() as session:
        where = (
            f"id = {int(find_unit(session, selection.collection).id)}"
            if selection.collection is not None
            else "parent_id IS NULL"
        )
        ordered = session.execute(
            text(
                "WITH RECURSIVE tree(id, depth, withheld, path, code) AS ("
                " SELECT id, 0, access_status != 'open', printf('%010d', position),"
                f" reference_code FROM units WHERE {where}"
                " UNION ALL SELECT u.id, t.depth + 1, t.withheld OR u.access_status != 'open',"
                " t.path || '/' || printf('%010d', u.position), u.reference_code"
                " FROM units u JOIN tree t ON u.parent_id = t.id)"
                " SELECT id, depth, withheld, code FROM tree ORDER BY path"
            )
        ).all()
        selection.total, selection.left_out, selection.left_out_codes = len(ordered), 0, []
        internal = None if selection.include_internal else InternalDetails.of_this_computer()
        language = catalogue.description_language.get()
        for unit_id, depth, withheld, code in ordered:
            if withheld and not selection.include_restricted:
                selection.left_out += 1
                selection.left_out_codes.append(code)
                continue
            unit = session.scalars(
                select(models.Unit).where(models.Unit.id == unit_id).options(*detail_loads())
            ).one()
            detail = mappers.unit_detail(unit, 0)
            if not selection.include_restricted:
                others = sorted({r.other_id for r in detail.relations})
                shown = source.open_ids(session, others)
                detail = dataclasses.replace(
                    detail,
                    archivist_note=None,
                    relations=tuple(r for r in detail.relations if r.other_id in shown),
                )
            if internal is not None:
                detail = internal.detail(detail)
            parent = unit.parent.uuid if unit.parent is not None and depth else None
            yield ExportUnit(detail, depth, parent, language)


@pytest.fixture
def rich(catalogue: Catalogue, tmp_path: Path) -> Rich:
    return build_rich(catalogue, tmp_path)


SCOPES = [None, "RICH", "RICH/0001", "RICH/0001/0002", "CAT-0001"]
CHOICES = [(r, i) for r in (False, True) for i in (False, True)]


def test_loader_gives_what_the_orm_gave(catalogue: Catalogue, rich: Rich) -> None:
    # Every scope and choice on one catalogue (building it is the slow part).
    for collection in SCOPES:
        for include_restricted, include_internal in CHOICES:
            expected_scope = Selection(collection, include_restricted, include_internal)
            scope = dataclasses.replace(expected_scope)
            expected = list(orm_units(catalogue, expected_scope))
            loaded = list(iter_units(catalogue, scope))
            case = (collection, include_restricted, include_internal)
            assert len(loaded) == len(expected), case
            for mine, theirs in zip(loaded, expected, strict=True):
                assert mine == theirs, case
            assert (scope.total, scope.left_out, scope.left_out_codes) == (
                expected_scope.total,
                expected_scope.left_out,
                expected_scope.left_out_codes,
            ), case


def test_the_catalogue_exercises_every_rule(catalogue: Catalogue, rich: Rich) -> None:
    """A guard on the fixture: what the rules act on is there to act on."""
    everything = {u.detail.id: u.detail for u in iter_units(catalogue, Selection(None, True, True))}
    item = everything[rich.item]
    assert {r.direction for r in item.relations} == {"outgoing", "incoming"}
    assert item.archivist_note
    assert item.places
    assert item.subjects
    assert item.assessments
    assert any(f.original_path for f in everything[rich.fonds].files)
    assert any(f.text_length == len("a\x00note ✓") for f in item.files)
    public = {u.detail.id: u.detail for u in iter_units(catalogue, Selection())}
    assert rich.hidden not in public
    assert rich.child not in public
    assert {r.other_id for r in public[rich.item].relations} == {rich.third, rich.loose}
    assert not any(f.original_path for f in public[rich.fonds].files)


def test_records_deleted_during_an_export_are_skipped(
    catalogue: Catalogue, rich: Rich, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "CHUNK", 2)
    units = iter_units(catalogue, Selection(None, True, True))
    first = next(units)
    catalogue.units.delete(rich.loose)
    rest = [u.detail.id for u in units]
    assert first.detail.id == rich.fonds
    assert rich.loose not in rest
    assert rich.inside in rest
