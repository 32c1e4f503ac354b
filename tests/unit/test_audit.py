"""Every service call that changes data leaves audit rows; the log is append-only and chained."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing

import pytest

from catalog_app.domain.records import AgentName, NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue


def _audit_count(catalogue: Catalogue) -> int:
    return catalogue.stats().counts["audit_log"]


@pytest.fixture
def populated(catalogue: Catalogue) -> dict[str, int]:
    parent = catalogue.units.create({"title": "Parent", "level": "series"})
    unit = catalogue.units.create({"title": "Unit"}, parent_id=parent.id)
    other = catalogue.units.create({"title": "Other"})
    agent = catalogue.agents.create("Amnesty International", kind="organisation")
    place = catalogue.terms.place("Evin")
    subject = catalogue.terms.subject("Executions")
    event = catalogue.provenance.record(unit.id, NewEvent("capture"))
    relation = catalogue.relations.relate(other.id, unit.id, "cites")
    catalogue.units.link_agent(unit.id, agent.id, "publisher")
    return {
        "parent": parent.id,
        "unit": unit.id,
        "other": other.id,
        "agent": agent.id,
        "place": place.id,
        "subject": subject.id,
        "event": event.id,
        "relation": relation.id,
    }


CHANGES: dict[str, Callable[[Catalogue, dict[str, int]], object]] = {
    "create unit": lambda c, ids: c.units.create({"title": "New"}, parent_id=ids["parent"]),
    "update unit": lambda c, ids: c.units.update(ids["unit"], {"scope_content": "Text"}),
    "move unit": lambda c, ids: c.units.move(ids["unit"], None),
    "withdraw unit": lambda c, ids: c.units.withdraw(ids["unit"]),
    "delete unit": lambda c, ids: c.units.delete(ids["other"]),
    "link agent": lambda c, ids: c.units.link_agent(ids["unit"], ids["agent"], "subject"),
    "unlink agent": lambda c, ids: c.units.unlink_agent(ids["unit"], ids["agent"], "publisher"),
    "link place": lambda c, ids: c.units.link_place(ids["unit"], ids["place"]),
    "link subject": lambda c, ids: c.units.link_subject(ids["unit"], ids["subject"]),
    "create agent": lambda c, ids: c.agents.create("Someone"),
    "update agent": lambda c, ids: c.agents.update(ids["agent"], {"history": "Founded 1961"}),
    "add agent name": lambda c, ids: c.agents.add_name(
        ids["agent"], AgentName("عفو بین‌الملل", "parallel", "Arab")
    ),
    "create place": lambda c, ids: c.terms.place("Khavaran"),
    "add place variant": lambda c, ids: c.terms.place("Evin", variants=["Evin Prison"]),
    "create subject": lambda c, ids: c.terms.subject("Torture"),
    "record event": lambda c, ids: c.provenance.record(ids["unit"], NewEvent("transfer")),
    "update event": lambda c, ids: c.provenance.update(ids["event"], {"note": "USB stick"}),
    "remove event": lambda c, ids: c.provenance.remove(ids["event"]),
    "assess": lambda c, ids: c.reliability.assess(
        ids["unit"], NewAssessment(SourceReliability.C, InformationCredibility.POSSIBLY_TRUE)
    ),
    "relate": lambda c, ids: c.relations.relate(ids["unit"], ids["other"], "corroborates"),
    "remove relation": lambda c, ids: c.relations.remove(ids["relation"]),
    "change setting": lambda c, ids: c.set_setting("reference_code_prefix", "IR-HRD"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_writes_audit_rows_naming_the_actor(
    catalogue: Catalogue, populated: dict[str, int], change: str
) -> None:
    before = _audit_count(catalogue)
    CHANGES[change](catalogue, populated)
    new_rows = catalogue.audit.recent(_audit_count(catalogue) - before)
    assert new_rows, f"{change} left no audit row"
    assert {row.actor for row in new_rows} == {"tester"}
    assert catalogue.audit.verify() == []


def test_reads_write_nothing(catalogue: Catalogue, populated: dict[str, int]) -> None:
    before = _audit_count(catalogue)
    catalogue.units.get(populated["unit"])
    catalogue.units.children(None)
    catalogue.agents.find("Amn")
    catalogue.provenance.chain(populated["unit"])
    catalogue.stats()
    assert _audit_count(catalogue) == before


def test_field_updates_record_old_and_new_values(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "Old title"})
    catalogue.units.update(unit.id, {"title": "New title", "languages": ["fa"]}, reason="typo")
    updates = [h for h in catalogue.audit.history(unit.uuid) if h.action == "update"]
    by_field = {h.field: h for h in updates}
    assert (by_field["title"].old_value, by_field["title"].new_value) == ("Old title", "New title")
    assert by_field["languages"].new_value == '["fa"]'
    assert by_field["title"].reason == "typo"
    assert "version" not in by_field


def test_a_failed_change_leaves_no_audit_row(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    before = _audit_count(catalogue)
    with pytest.raises(Exception, match="not a valid level"):
        catalogue.units.update(unit.id, {"title": "B", "level": "box"})
    assert _audit_count(catalogue) == before


def test_the_audit_log_is_append_only(catalogue: Catalogue, catalogue_path: object) -> None:
    catalogue.units.create({"title": "A"})
    with closing(sqlite3.connect(catalogue.path)) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM audit_log")


def test_tampering_with_the_log_is_detected(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    catalogue.units.update(unit.id, {"title": "B"})
    catalogue.units.update(unit.id, {"title": "C"})
    assert catalogue.audit.verify() == []
    assert catalogue.integrity_problems() == []
    with closing(sqlite3.connect(catalogue.path)) as db:
        # Someone with the file and an SQLite shell removes the guard and rewrites history.
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET new_value = 'Z' WHERE field = 'title' AND new_value = 'B'")
        db.commit()
    broken = catalogue.audit.verify()
    assert len(broken) == 1
    assert any("audit log was altered" in p for p in catalogue.integrity_problems())


def test_cutting_the_newest_rows_off_the_log_is_detected(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    catalogue.units.update(unit.id, {"title": "B"})
    assert catalogue.integrity_problems() == []
    with closing(sqlite3.connect(catalogue.path)) as db:
        # The chain cannot show this: what is left still chains from the start.
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
        db.commit()
    assert catalogue.audit.verify() == []
    problems = catalogue.integrity_problems()
    assert any("the newest were removed" in p for p in problems), problems


def test_a_failed_change_does_not_move_the_count(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    with pytest.raises(CatalogError):
        catalogue.units.update(unit.id, {"title": ""})
    catalogue.units.update(unit.id, {"title": "B"})
    assert catalogue.integrity_problems() == []


def test_assessments_are_never_changed_in_place(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "A"})
    catalogue.reliability.assess(
        unit.id, NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
    )
    with (
        closing(sqlite3.connect(catalogue.path)) as db,
        pytest.raises(sqlite3.IntegrityError, match="never changed"),
    ):
        db.execute("UPDATE reliability_assessments SET source_reliability = 'A'")
