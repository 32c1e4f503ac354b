from __future__ import annotations

import uuid
from datetime import date

import pytest

from catalog_app.domain.records import NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import ConflictError, RecordNotFound, ValidationError
from catalog_app.services import Catalogue


def test_new_records_get_uuids_and_generated_unique_reference_codes(catalogue: Catalogue) -> None:
    fonds = catalogue.units.create({"title": "Fonds", "level": "fonds"})
    first = catalogue.units.create({"title": "First"}, parent_id=fonds.id)
    second = catalogue.units.create({"title": "Second"}, parent_id=fonds.id)
    other = catalogue.units.create({"title": "Other fonds", "level": "fonds"})

    assert uuid.UUID(fonds.uuid).version == 4
    assert len({fonds.uuid, first.uuid, second.uuid, other.uuid}) == 4
    assert fonds.reference_code == "CAT-0001"
    assert other.reference_code == "CAT-0002"
    assert (first.reference_code, second.reference_code) == ("CAT-0001/0001", "CAT-0001/0002")
    assert (first.position, second.position) == (1, 2)
    assert first.parent_reference_code == "CAT-0001"
    assert catalogue.units.get(fonds.id).children_count == 2


def test_generated_codes_skip_codes_typed_by_people_and_are_never_reused(
    catalogue: Catalogue,
) -> None:
    catalogue.units.create({"title": "Typed", "reference_code": "CAT-0001"})
    generated = catalogue.units.create({"title": "Generated"})
    assert generated.reference_code == "CAT-0002"
    catalogue.units.delete(generated.id)
    assert catalogue.units.create({"title": "Later"}).reference_code == "CAT-0003"


def test_reference_codes_are_unique_ignoring_case(catalogue: Catalogue) -> None:
    catalogue.units.create({"title": "A", "reference_code": "IR-HRD-1"})
    with pytest.raises(ValidationError, match="already used"):
        catalogue.units.create({"title": "B", "reference_code": "ir-hrd-1"})
    b = catalogue.units.create({"title": "B"})
    with pytest.raises(ValidationError, match="already used"):
        catalogue.units.update(b.id, {"reference_code": "IR-HRD-1"})
    assert catalogue.units.find("ir-hrd-1").title == "A"


def test_reference_code_can_be_edited(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    edited = catalogue.units.update(unit.id, {"reference_code": "  IR/1988/001 "})
    assert edited.reference_code == "IR/1988/001"
    assert catalogue.units.find("IR/1988/001").id == unit.id


def test_dates_are_kept_as_typed_with_derived_bounds(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A", "date_expression": "1988-07/1988-09"})
    assert unit.date_expression == "1988-07/1988-09"
    assert (unit.date_start, unit.date_end) == (date(1988, 7, 1), date(1988, 9, 30))
    cleared = catalogue.units.update(unit.id, {"date_expression": ""})
    assert (cleared.date_expression, cleared.date_start, cleared.date_end) == (None, None, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "title cannot be empty"),
        ({"level": "box"}, "not a valid level"),
        ({"access_status": "secret"}, "not a valid access status"),
        ({"date_expression": "summer 88"}, "date:"),
        ({"languages": ["english"]}, "not a valid code"),
        ({"scripts": ["Arabic"]}, "not a valid code"),
        ({"colour": "red"}, "unknown field"),
        ({"reference_code": "x" * 201}, "too long"),
        ({"title": 5}, "must be text"),
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(
    catalogue: Catalogue, changes: dict[str, object], message: str
) -> None:
    unit = catalogue.units.create({"title": "Kept"})
    with pytest.raises(ValidationError, match=message):
        catalogue.units.update(unit.id, changes)
    after = catalogue.units.get(unit.id)
    assert after.title == "Kept"
    assert after.version == unit.version


def test_choices_and_codes_are_normalised(catalogue: Catalogue) -> None:
    unit = catalogue.units.create(
        {"title": "A", "level": "Series", "languages": "EN, fa fa", "scripts": ["latn", "ARAB"]}
    )
    assert unit.level == "series"
    assert unit.languages == ("en", "fa")
    assert unit.scripts == ("Latn", "Arab")


def test_every_saved_change_bumps_the_version_and_stale_edits_are_refused(
    catalogue: Catalogue,
) -> None:
    unit = catalogue.units.create({"title": "A"})
    edited = catalogue.units.update(unit.id, {"title": "B"}, expected_version=unit.version)
    assert edited.version == unit.version + 1
    assert edited.updated_by == "tester"
    with pytest.raises(ConflictError, match="changed elsewhere"):
        catalogue.units.update(unit.id, {"title": "C"}, expected_version=unit.version)
    assert catalogue.units.get(unit.id).title == "B"


def test_find_accepts_reference_code_uuid_or_id(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    assert catalogue.units.find(unit.reference_code.lower()).id == unit.id
    assert catalogue.units.find(unit.uuid).id == unit.id
    assert catalogue.units.find(str(unit.id)).id == unit.id
    with pytest.raises(RecordNotFound, match="'nope'"):
        catalogue.units.find("nope")
    with pytest.raises(RecordNotFound):
        catalogue.units.get(999)


def test_move_reorders_siblings_and_refuses_cycles(catalogue: Catalogue) -> None:
    a = catalogue.units.create({"title": "A", "level": "series"})
    b = catalogue.units.create({"title": "B"}, parent_id=a.id)
    c = catalogue.units.create({"title": "C"}, parent_id=b.id)
    top = catalogue.units.create({"title": "Top"})
    with pytest.raises(ValidationError, match="inside itself"):
        catalogue.units.move(a.id, c.id)
    with pytest.raises(ValidationError, match="inside itself"):
        catalogue.units.move(a.id, a.id)
    catalogue.units.move(top.id, None, position=0)
    assert [u.title for u in catalogue.units.children(None)] == ["Top", "A"]
    moved = catalogue.units.move(c.id, a.id, position=0)
    assert moved.parent_id == a.id
    assert moved.reference_code == c.reference_code  # identifiers stay stable
    assert [u.title for u in catalogue.units.children(a.id)] == ["C", "B"]
    assert [u.children_count for u in catalogue.units.children(None)] == [0, 2]


def test_delete_refuses_records_with_children_unless_told(catalogue: Catalogue) -> None:
    parent = catalogue.units.create({"title": "Parent", "level": "file"})
    child = catalogue.units.create({"title": "Child"}, parent_id=parent.id)
    with pytest.raises(ValidationError, match="1 record"):
        catalogue.units.delete(parent.id)
    assert catalogue.units.delete(parent.id, recursive=True) == 2
    with pytest.raises(RecordNotFound):
        catalogue.units.get(child.id)


def test_deleting_a_record_removes_what_belongs_to_it_but_not_shared_authorities(
    catalogue: Catalogue,
) -> None:
    unit = catalogue.units.create({"title": "Doomed"})
    other = catalogue.units.create({"title": "Survivor"})
    agent = catalogue.agents.create("Amnesty International", kind="organisation")
    place = catalogue.terms.place("Evin")
    catalogue.units.link_agent(unit.id, agent.id, "publisher")
    catalogue.units.link_place(unit.id, place.id)
    catalogue.provenance.record(unit.id, NewEvent("capture", occurred_at="2024"))
    catalogue.reliability.assess(
        unit.id, NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
    )
    catalogue.relations.relate(other.id, unit.id, "cites")

    catalogue.units.delete(unit.id, reason="duplicate entry")

    counts = catalogue.stats().counts
    assert counts["units"] == 1
    assert counts["provenance_events"] == 0
    assert counts["reliability_assessments"] == 0
    assert counts["relations"] == 0
    assert counts["agents"] == 1
    assert counts["places"] == 1
    assert catalogue.units.get(other.id).relations == ()
    deleted = [h for h in catalogue.audit.history(unit.uuid) if h.action == "delete"]
    assert deleted
    assert deleted[0].reason == "duplicate entry"
    assert '"title": "Doomed"' in (deleted[0].old_value or "")


def test_withdrawn_records_are_kept_and_can_be_reinstated(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    withdrawn = catalogue.units.withdraw(unit.id, reason="out of scope")
    assert withdrawn.withdrawn_at is not None
    assert catalogue.units.reinstate(unit.id).withdrawn_at is None


def test_access_points_link_once_and_unlink(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    agent = catalogue.agents.create("Ruhollah Khomeini")
    subject = catalogue.terms.subject("Political prisoners")
    place = catalogue.terms.place("Gohardasht", variants=["Gohar Dasht", "Rajaei Shahr"])
    catalogue.units.link_agent(unit.id, agent.id, "subject")
    catalogue.units.link_agent(unit.id, agent.id, "subject")
    catalogue.units.link_agent(unit.id, agent.id, "mentioned")
    catalogue.units.link_subject(unit.id, subject.id)
    detail = catalogue.units.link_place(unit.id, place.id)
    assert [(a.authorised_name, a.role) for a in detail.agents] == [
        ("Ruhollah Khomeini", "subject"),
        ("Ruhollah Khomeini", "mentioned"),
    ]
    assert [s.name for s in detail.subjects] == ["Political prisoners"]
    assert detail.places[0].variants == ("Gohar Dasht", "Rajaei Shahr")
    with pytest.raises(ValidationError, match="not a role"):
        catalogue.units.link_agent(unit.id, agent.id, "author")
    detail = catalogue.units.unlink_agent(unit.id, agent.id, "subject")
    detail = catalogue.units.unlink_place(unit.id, place.id)
    detail = catalogue.units.unlink_subject(unit.id, subject.id)
    assert [a.role for a in detail.agents] == ["mentioned"]
    assert detail.places == ()
    assert detail.subjects == ()


def test_a_new_record_like_another_copies_its_description_and_access_points(
    catalogue: Catalogue,
) -> None:
    series = catalogue.units.create({"title": "Letters", "level": "series"})
    first = catalogue.units.create(
        {
            "title": "Letter to the commission",
            "date_expression": "1988-07",
            "languages": ["fa"],
            "access_status": "restricted",
            "scope_content": "A mother's letter",
        },
        parent_id=series.id,
    )
    subject = catalogue.terms.subject("Prison visits")
    catalogue.units.link_subject(first.id, subject.id)
    like = catalogue.units.create_like(first.id)
    assert like.parent_id == series.id
    assert like.reference_code not in (first.reference_code, "")
    assert (like.title, like.date_expression, like.languages, like.access_status) == (
        first.title,
        "1988-07",
        ("fa",),
        "restricted",
    )
    assert like.scope_content == "A mother's letter"
    assert [s.name for s in like.subjects] == ["Prison visits"]
    assert like.files == ()
    assert like.events == ()
    assert catalogue.search.search("mother's letter").total == 2


def test_withdrawing_several_records_is_one_change_and_reversible(catalogue: Catalogue) -> None:
    ids = [catalogue.units.create({"title": f"Record {n}"}).id for n in range(3)]
    catalogue.units.withdraw(ids[0])
    assert catalogue.units.set_withdrawn(ids[:2], True, reason="duplicates") == ids[1:2]
    assert [catalogue.units.get(i).withdrawn_at is not None for i in ids] == [True, True, False]
    assert catalogue.units.set_withdrawn(ids, False) == ids[:2]
    assert all(catalogue.units.get(i).withdrawn_at is None for i in ids)
