"""Agents, provenance events, reliability assessments and relations through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from catalog_app.domain.records import AgentName, NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import RecordNotFound, ValidationError
from catalog_app.services import Catalogue


def test_agents_are_found_by_any_of_their_names(catalogue: Catalogue) -> None:
    khomeini = catalogue.agents.create(
        "Ruhollah Khomeini",
        names=[
            AgentName("Rouhollah Khomeini", "variant", "Latn"),
            AgentName("روح‌الله خمینی", "parallel", "Arab"),
        ],
        dates_of_existence="1902-1989",
    )
    catalogue.agents.create("Amnesty International", kind="organisation")
    assert [a.id for a in catalogue.agents.find("rouh")] == [khomeini.id]
    assert [a.id for a in catalogue.agents.find("روح")] == [khomeini.id]
    assert [a.id for a in catalogue.agents.find("ruhollah")] == [khomeini.id]
    assert catalogue.agents.find("100%_") == []
    assert {n.name for n in khomeini.names} == {"Rouhollah Khomeini", "روح‌الله خمینی"}


def test_agent_names_are_not_duplicated_and_can_be_removed(catalogue: Catalogue) -> None:
    agent = catalogue.agents.create("Evin Prison", kind="organisation")
    catalogue.agents.add_name(agent.id, AgentName("Evin", "variant", None))
    catalogue.agents.add_name(agent.id, AgentName("Evin", "variant", None))
    same_as_authorised = catalogue.agents.add_name(
        agent.id, AgentName("Evin Prison", "variant", None)
    )
    assert [n.name for n in same_as_authorised.names] == ["Evin"]
    assert catalogue.agents.remove_name(agent.id, "Evin").names == ()
    with pytest.raises(ValidationError, match="kind of name"):
        catalogue.agents.add_name(agent.id, AgentName("X", "nickname", None))


def test_agents_validate_their_fields(catalogue: Catalogue) -> None:
    with pytest.raises(ValidationError, match="authorised name"):
        catalogue.agents.create("  ")
    with pytest.raises(ValidationError, match="agent type"):
        catalogue.agents.create("X", kind="robot")
    agent = catalogue.agents.create("X", kind="Family")
    assert agent.kind == "family"
    assert catalogue.agents.update(agent.id, {"history": " Lived in Tabriz "}).history == (
        "Lived in Tabriz"
    )


def test_an_agent_in_use_cannot_be_deleted(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    agent = catalogue.agents.create("Someone")
    catalogue.units.link_agent(unit.id, agent.id, "creator")
    with pytest.raises(ValidationError, match="named in 1 record"):
        catalogue.agents.delete(agent.id)
    catalogue.units.unlink_agent(unit.id, agent.id, "creator")
    catalogue.agents.delete(agent.id)
    with pytest.raises(RecordNotFound):
        catalogue.agents.get(agent.id)


def test_provenance_reads_as_a_chain_oldest_first(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    catalogue.provenance.record(unit.id, NewEvent("ingestion", occurred_at="2024-05-01"))
    catalogue.provenance.record(unit.id, NewEvent("transfer"))
    capture = catalogue.provenance.record(
        unit.id,
        NewEvent(
            "capture",
            occurred_at="2024-03-02T10:15:00Z",
            agent="Field team",
            tool="SingleFile 1.22",
            source_url="https://example.org/a",
            outcome="success",
        ),
    )
    assert capture.occurred_start == date(2024, 3, 2)
    assert capture.recorded_by == "tester"
    chain = catalogue.provenance.chain(unit.id)
    assert [e.event_type for e in chain] == ["capture", "ingestion", "transfer"]
    assert [e.event_type for e in catalogue.units.get(unit.id).events] == [
        "capture",
        "ingestion",
        "transfer",
    ]


def test_provenance_events_can_be_corrected_and_removed(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    event = catalogue.provenance.record(unit.id, NewEvent("capture"))
    updated = catalogue.provenance.update(event.id, {"occurred_at": "2023-12", "note": "x"})
    assert (updated.occurred_at, updated.occurred_start) == ("2023-12", date(2023, 12, 1))
    catalogue.provenance.remove(event.id, reason="entered twice")
    assert catalogue.provenance.chain(unit.id) == []


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (NewEvent("teleportation"), "not an event type"),
        (NewEvent("capture", occurred_at="last spring"), "event date"),
        (NewEvent("capture", outcome="great"), "outcome"),
        (NewEvent("capture", file_id=999), "no original"),
    ],
)
def test_invalid_events_are_refused(catalogue: Catalogue, event: NewEvent, message: str) -> None:
    unit = catalogue.units.create({"title": "A"})
    with pytest.raises((ValidationError, RecordNotFound), match=message):
        catalogue.provenance.record(unit.id, event)
    assert catalogue.provenance.chain(unit.id) == []


def test_every_assessment_is_kept_and_the_latest_is_current(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    earlier = datetime(2024, 1, 1, tzinfo=UTC)
    catalogue.reliability.assess(
        unit.id,
        NewAssessment(
            SourceReliability.F,
            InformationCredibility.CANNOT_BE_JUDGED,
            assessed_at=earlier,
            assessor="First reader",
        ),
    )
    latest = catalogue.reliability.assess(
        unit.id,
        NewAssessment(
            SourceReliability.C,
            InformationCredibility.PROBABLY_TRUE,
            affiliation_note="Exile opposition outlet",
            corroboration_note="Figures match two NGO reports",
        ),
    )
    assert latest.grade == "C2"
    assert latest.assessor == "tester"  # defaults to the person recording it
    assert latest.assessed_at is not None
    assert latest.assessed_at > earlier + timedelta(days=1)
    history = catalogue.reliability.history(unit.id)
    assert [a.grade for a in history] == ["C2", "F6"]
    assert catalogue.reliability.current(unit.id) == history[0]
    detail = catalogue.units.get(unit.id)
    assert detail.current_assessment is not None
    assert detail.current_assessment.grade == "C2"
    assert detail.current_assessment.affiliation_note == "Exile opposition outlet"


def test_assessments_off_the_scale_are_refused(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    with pytest.raises(ValidationError, match="A-F"):
        catalogue.reliability.assess(
            unit.id,
            NewAssessment("G", 2),  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError, match="time zone"):
        catalogue.reliability.assess(
            unit.id,
            NewAssessment(
                SourceReliability.A, InformationCredibility(1), assessed_at=datetime(2024, 1, 1)
            ),
        )
    assert catalogue.reliability.history(unit.id) == []


def test_relations_are_seen_from_both_ends(catalogue: Catalogue) -> None:
    original = catalogue.units.create({"title": "Original article"})
    copy = catalogue.units.create({"title": "Republished copy"})
    relation = catalogue.relations.relate(
        copy.id, original.id, "republishes", similarity=0.87, found_by="method"
    )
    assert relation.direction == "outgoing"
    assert relation.other_reference_code == original.reference_code
    (incoming,) = catalogue.units.get(original.id).relations
    assert (incoming.direction, incoming.kind, incoming.other_id) == (
        "incoming",
        "republishes",
        copy.id,
    )
    assert incoming.similarity == pytest.approx(0.87)
    again = catalogue.relations.relate(copy.id, original.id, "republishes", note="checked")
    assert again.id == relation.id
    assert again.note == "checked"
    catalogue.relations.remove(relation.id)
    assert catalogue.units.get(copy.id).relations == ()


@pytest.mark.parametrize(
    ("kind", "kwargs", "message"),
    [
        ("is like", {}, "not a relation"),
        ("cites", {"similarity": 1.5}, "between 0 and 1"),
        ("cites", {"found_by": "magic"}, "found_by"),
    ],
)
def test_invalid_relations_are_refused(
    catalogue: Catalogue, kind: str, kwargs: dict[str, object], message: str
) -> None:
    a = catalogue.units.create({"title": "A"})
    b = catalogue.units.create({"title": "B"})
    with pytest.raises(ValidationError, match=message):
        catalogue.relations.relate(a.id, b.id, kind, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="itself"):
        catalogue.relations.relate(a.id, a.id, "cites")


def test_places_and_subjects_are_reused_not_duplicated(catalogue: Catalogue) -> None:
    first = catalogue.terms.place("Khavaran")
    again = catalogue.terms.place("khavaran", variants=["Khaveran", "Khavaran"])
    assert again.id == first.id
    assert again.variants == ("Khaveran",)
    ours = catalogue.terms.subject("Executions")
    assert catalogue.terms.subject("executions").id == ours.id
    assert catalogue.terms.subject("Executions", vocabulary="LCSH").id != ours.id
    assert [p.name for p in catalogue.terms.places()] == ["Khavaran"]
    assert len(catalogue.terms.subjects()) == 2
    with pytest.raises(ValidationError, match="latitude"):
        catalogue.terms.place("Nowhere", latitude=123.0)
