"""Batch edit: many records changed in one transaction, and put back exactly by revert."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog_app.domain.records import UnitDetail
from catalog_app.errors import RecordNotFound, ValidationError
from catalog_app.services import Catalogue
from catalog_app.services.batch import BatchChange, BatchService
from catalog_app.storage import derived, models
from catalog_app.storage.bulk import insert_audited


@dataclass(frozen=True)
class Tree:
    fonds: int
    series_a: int
    series_b: int
    items: tuple[int, ...]
    part: int  # below the first item
    other_fonds: int
    executions: int  # a subject the first item already has


@pytest.fixture
def tree(catalogue: Catalogue) -> Tree:
    units = catalogue.units
    fonds = units.create({"title": "Testimonies", "level": "fonds"})
    series_a = units.create({"title": "Letters", "level": "series"}, parent_id=fonds.id)
    series_b = units.create({"title": "Captures", "level": "series"}, parent_id=fonds.id)
    items = [
        units.create(
            {"title": f"Letter {n}", "languages": ["fa"], "access_status": "open"},
            parent_id=series_a.id,
        )
        for n in range(3)
    ]
    part = units.create({"title": "Envelope", "level": "part"}, parent_id=items[0].id)
    other = units.create({"title": "Second fonds", "level": "fonds"})
    units.create({"title": "Already there"}, parent_id=other.id)
    executions = catalogue.terms.subject("Executions")
    units.link_subject(items[0].id, executions.id)
    return Tree(
        fonds.id,
        series_a.id,
        series_b.id,
        tuple(i.id for i in items),
        part.id,
        other.id,
        executions.id,
    )


def _comparable(detail: UnitDetail) -> UnitDetail:
    """A record's description without what every save moves on (version, time stamp)."""
    return dataclasses.replace(detail, version=0, updated_at=detail.created_at)


def _everything(catalogue: Catalogue) -> dict[int, UnitDetail]:
    with catalogue.db.read() as session:
        ids = list(session.scalars(select(models.Unit.id)))
    return {i: _comparable(catalogue.units.get(i)) for i in ids}


def _root(catalogue: Catalogue, unit_id: int) -> int | None:
    with catalogue.db.read() as session:
        return session.scalar(select(models.Unit.root_id).where(models.Unit.id == unit_id))


def _audit_rows(catalogue: Catalogue) -> int:
    with catalogue.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(models.AuditEntry)) or 0)


FULL_CHANGE_TERM = "Zwangsarbeit"


def _full_change(catalogue: Catalogue, tree: Tree) -> BatchChange:
    new_term = catalogue.terms.subject(FULL_CHANGE_TERM)
    return BatchChange(
        parent_id=tree.other_fonds,
        access_status="Restricted",
        languages=("EN", "fa"),
        subject_ids=(tree.executions, new_term.id),
    )


def test_apply_sets_everything_on_every_record(catalogue: Catalogue, tree: Tree) -> None:
    change = _full_change(catalogue, tree)

    snapshot = BatchService(catalogue).apply(tree.items, change)

    details = [catalogue.units.get(i) for i in tree.items]
    assert [d.parent_id for d in details] == [tree.other_fonds] * 3
    assert [d.position for d in details] == [2, 3, 4]  # after the record already there
    assert {d.access_status for d in details} == {"restricted"}
    assert {d.languages for d in details} == {("en", "fa")}
    assert all({s.name for s in d.subjects} == {"Executions", FULL_CHANGE_TERM} for d in details)
    # The link the first item already had is not part of what revert takes away.
    assert (tree.items[0], tree.executions) not in snapshot.added_links
    assert len(snapshot.added_links) == 5
    assert [s.unit_id for s in snapshot.before] == list(tree.items)


def test_revert_puts_every_field_and_link_back(catalogue: Catalogue, tree: Tree) -> None:
    catalogue.units.update(tree.items[1], {"languages": "ar"})
    before = _everything(catalogue)
    service = BatchService(catalogue)

    snapshot = service.apply(tree.items, _full_change(catalogue, tree))
    assert _everything(catalogue) != before
    service.revert(snapshot)

    assert _everything(catalogue) == before
    assert _root(catalogue, tree.part) == tree.fonds
    assert catalogue.search.count(FULL_CHANGE_TERM) == 0
    assert catalogue.audit.verify() == []


def test_every_change_is_audited(catalogue: Catalogue, tree: Tree) -> None:
    service = BatchService(catalogue)
    item = catalogue.units.get(tree.items[1])
    change = _full_change(catalogue, tree)
    terms = {t.id: f"{t.name} [{t.uuid}]" for t in catalogue.terms.subjects()}

    snapshot = service.apply(tree.items, change)
    service.revert(snapshot)

    history = catalogue.audit.history(item.uuid)
    applied = {
        (r.action, r.field, r.old_value, r.new_value) for r in history if r.reason == "batch edit"
    }
    assert applied == {
        ("update", "parent_id", str(tree.series_a), str(tree.other_fonds)),
        ("update", "position", "2", "3"),
        ("update", "access_status", "open", "restricted"),
        ("update", "languages", '["fa"]', '["en", "fa"]'),
        ("add", "subject", None, terms[tree.executions]),
        ("add", "subject", None, terms[change.subject_ids[1]]),
    }
    undone = {
        (r.action, r.field, r.old_value, r.new_value)
        for r in history
        if r.reason == "undo batch edit"
    }
    assert undone == {
        (action, field, new, old) if action == "update" else ("remove", field, new, None)
        for action, field, old, new in applied
    }
    assert catalogue.audit.verify() == []
    assert catalogue.units.get(item.id).version == item.version + 2


def test_moving_under_a_descendant_is_refused_and_nothing_changes(
    catalogue: Catalogue, tree: Tree
) -> None:
    before = _everything(catalogue)
    audit_rows = _audit_rows(catalogue)
    change = BatchChange(parent_id=tree.series_b, access_status="confidential")

    with pytest.raises(ValidationError, match="cannot go inside itself") as refused:
        BatchService(catalogue).apply([tree.items[2], tree.fonds], change)

    assert "\n" not in str(refused.value)
    assert catalogue.units.get(tree.fonds).reference_code in str(refused.value)
    assert _everything(catalogue) == before
    assert _audit_rows(catalogue) == audit_rows


def test_moving_a_record_into_itself_is_refused(catalogue: Catalogue, tree: Tree) -> None:
    before = _everything(catalogue)

    with pytest.raises(ValidationError, match="cannot go inside itself"):
        BatchService(catalogue).apply(tree.items, BatchChange(parent_id=tree.items[1]))

    assert _everything(catalogue) == before


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (BatchChange(languages=("english",)), ValidationError, "not a valid code in languages"),
        (BatchChange(access_status="secret"), ValidationError, "not a valid access status"),
        (BatchChange(subject_ids=(9999,)), RecordNotFound, "no subject with id 9999"),
        (BatchChange(parent_id=9999), RecordNotFound, "no collection with id 9999"),
        (BatchChange(), ValidationError, "at least one thing"),
    ],
)
def test_bad_changes_are_refused_with_one_line(
    catalogue: Catalogue, tree: Tree, change: BatchChange, error: type[Exception], message: str
) -> None:
    before = _everything(catalogue)

    with pytest.raises(error, match=message) as refused:
        BatchService(catalogue).apply(tree.items, change)

    assert "\n" not in str(refused.value)
    assert _everything(catalogue) == before


def test_missing_records_are_refused(catalogue: Catalogue, tree: Tree) -> None:
    with pytest.raises(RecordNotFound, match="no longer exist"):
        BatchService(catalogue).apply([tree.items[0], 9999], BatchChange(access_status="open"))


def test_moved_records_get_their_new_root_and_subjects_are_searchable(
    catalogue: Catalogue, tree: Tree
) -> None:
    service = BatchService(catalogue)
    assert _root(catalogue, tree.part) == tree.fonds

    snapshot = service.apply(tree.items, _full_change(catalogue, tree))

    assert _root(catalogue, tree.items[0]) == tree.other_fonds
    assert _root(catalogue, tree.part) == tree.other_fonds  # below a moved record
    assert catalogue.search.count(FULL_CHANGE_TERM) == 3
    assert catalogue.integrity_problems() == []
    service.revert(snapshot)
    assert _root(catalogue, tree.part) == tree.fonds


def test_records_already_in_the_collection_stay_where_they_are(
    catalogue: Catalogue, tree: Tree
) -> None:
    service = BatchService(catalogue)
    first = catalogue.units.get(tree.items[0])

    snapshot = service.apply(tree.items, BatchChange(parent_id=tree.series_a))

    assert snapshot.before == ()
    assert catalogue.units.get(first.id).version == first.version


def test_revert_refuses_when_a_record_was_deleted_since(catalogue: Catalogue, tree: Tree) -> None:
    service = BatchService(catalogue)
    snapshot = service.apply(tree.items, BatchChange(access_status="restricted"))
    catalogue.units.delete(tree.items[2])

    with pytest.raises(RecordNotFound, match="no longer exist"):
        service.revert(snapshot)

    assert catalogue.units.get(tree.items[0]).access_status == "restricted"


def test_revert_refuses_a_move_that_would_now_make_a_loop(catalogue: Catalogue, tree: Tree) -> None:
    service = BatchService(catalogue)
    snapshot = service.apply([tree.series_a], BatchChange(parent_id=tree.other_fonds))
    catalogue.units.move(tree.fonds, tree.items[0])  # the old parent now sits below series_a

    with pytest.raises(ValidationError, match="cannot go inside itself"):
        service.revert(snapshot)

    assert catalogue.units.get(tree.series_a).parent_id == tree.other_fonds


def test_collections_lists_the_records_one_can_move_into(catalogue: Catalogue, tree: Tree) -> None:
    listed = {u.id for u in BatchService(catalogue).collections()}

    assert listed == {tree.fonds, tree.series_a, tree.series_b, tree.other_fonds}


def _many_items(catalogue: Catalogue, parent_id: int, count: int) -> list[int]:
    """Records made the way an import makes them (one statement), for the timing test."""
    rows: list[dict[str, Any]] = [
        {
            "parent_id": parent_id,
            "level": "item",
            "position": n,
            "reference_code": f"BULK-{n:05d}",
            "title": f"Bulk record {n}",
            "title_source": "typed",
            "access_status": "open",
            "languages": ["fa"],
            "scripts": [],
            "harvested": ["languages"],
            "version": 1,
            "created_by": "tester",
            "updated_by": "tester",
        }
        for n in range(1, count + 1)
    ]
    with catalogue.db.write(catalogue.actor) as session:
        insert_audited(session, models.Unit, rows)
        derived.mark(session, [row["id"] for row in rows], moved=True)
    return [int(row["id"]) for row in rows]


@pytest.mark.slow  # about 20 s; run with -m slow
def test_ten_thousand_records_in_one_step(
    catalogue: Catalogue, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _many_items(catalogue, tree.series_b, 10_000)
    service = BatchService(catalogue)
    change = _full_change(catalogue, tree)

    started = time.perf_counter()
    snapshot = service.apply(ids, change)
    applied = time.perf_counter() - started
    started = time.perf_counter()
    service.revert(snapshot)
    reverted = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nbatch edit of {len(ids)} records: apply {applied:.2f} s, revert {reverted:.2f} s")

    last = catalogue.units.get(ids[-1])
    assert (last.parent_id, last.languages, last.harvested) == (
        tree.series_b,
        ("fa",),
        ("languages",),
    )
    assert last.subjects == ()
    assert _root(catalogue, ids[-1]) == tree.fonds
    assert catalogue.search.count(FULL_CHANGE_TERM) == 0
