"""The writes of the record's tabs: the undoable steps of the Provenance and Relations tabs
(events and links between records), a name the Description tab's catalogue did not know yet
(made and linked in one step), and adding an original.

Each is a `CatalogueCommand`: its writes run on the operations lane's writer thread, and it
is pushed on the undo stack only once its first write succeeded (see `catalog_app.ui.undo`).
A bad input (an impossible date, a link that is already there) is refused by the service on
that first write and said in the tab; nothing reaches the stack.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalog_app.domain.records import (
    AgentName,
    AgentRecord,
    EventRecord,
    FileRecord,
    NewEvent,
    RelationRecord,
    TermRecord,
)
from catalog_app.domain.vocabulary import NameKind
from catalog_app.services import Catalogue
from catalog_app.services.originals import OriginalsService
from catalog_app.ui.changes import Changes
from catalog_app.ui.detail.access_points import NewTerm
from catalog_app.ui.operations import Outcome, Report, WriteOp
from catalog_app.ui.undo import AccessPoint, CatalogueCommand, Feedback, LinkAccessPoint

EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(NewEvent))


def new_event(event: EventRecord) -> NewEvent:
    """The fields of a recorded event a person or the program set (to record it again)."""
    return NewEvent(**{name: getattr(event, name) for name in EVENT_FIELDS})


class EventCommand(CatalogueCommand):
    """A step over one event of a record; `event_id` is the event to show after it (None
    once it is removed)."""

    def __init__(self, text: str, catalogue: Catalogue, unit_id: int, feedback: Feedback) -> None:
        super().__init__(text, unit_id, feedback)
        self._provenance = catalogue.provenance
        self.event_id: int | None = None


class RecordEvent(EventCommand):
    def __init__(
        self, catalogue: Catalogue, unit_id: int, event: NewEvent, feedback: Feedback
    ) -> None:
        super().__init__(f"Add {event.event_type} event", catalogue, unit_id, feedback)
        self._event = event

    def apply(self, report: Report) -> Changes:
        self.event_id = self._provenance.record(self.unit_id, self._event).id
        return self._changed("Event added")

    def revert(self, report: Report) -> Changes:
        if self.event_id is not None:
            self._provenance.remove(self.event_id, reason="undo")
            self.event_id = None
        return self._changed("Event removed")


class UpdateEvent(EventCommand):
    def __init__(
        self,
        catalogue: Catalogue,
        unit_id: int,
        before: EventRecord,
        changes: Mapping[str, Any],
        feedback: Feedback,
    ) -> None:
        super().__init__(f"Edit {before.event_type} event", catalogue, unit_id, feedback)
        self.event_id = before.id
        self._changes = dict(changes)
        self._previous = {name: getattr(before, name) for name in changes}

    def apply(self, report: Report) -> Changes:
        if self.event_id is not None:
            self._provenance.update(self.event_id, self._changes)
        return self._changed("Event saved")

    def revert(self, report: Report) -> Changes:
        if self.event_id is not None:
            self._provenance.update(self.event_id, self._previous)
        return self._changed("Event saved")


class RemoveEvent(EventCommand):
    """Undo records the event again: same fields, but a new id and recording time (the
    service has no way to bring a deleted row back; the audit log keeps both)."""

    def __init__(
        self, catalogue: Catalogue, unit_id: int, event: EventRecord, feedback: Feedback
    ) -> None:
        super().__init__(f"Remove {event.event_type} event", catalogue, unit_id, feedback)
        self._event = new_event(event)
        self._removed = event.id

    def apply(self, report: Report) -> Changes:
        self._provenance.remove(self._removed)
        self.event_id = None
        return self._changed("Event removed")

    def revert(self, report: Report) -> Changes:
        self._removed = self.event_id = self._provenance.record(self.unit_id, self._event).id
        return self._changed("Event added")


@dataclasses.dataclass(frozen=True)
class Link:
    """A relation as stored: `from_id` <kind> `to_id`, with what a person or method noted."""

    from_id: int
    to_id: int
    kind: str
    similarity: float | None = None
    note: str | None = None
    found_by: str = "person"

    @classmethod
    def of(cls, unit_id: int, relation: RelationRecord) -> Link:
        ends = (unit_id, relation.other_id)
        if relation.direction == "incoming":
            ends = (relation.other_id, unit_id)
        return cls(*ends, relation.kind, relation.similarity, relation.note, relation.found_by)


class _LinkCommand(CatalogueCommand):
    def __init__(
        self, text: str, catalogue: Catalogue, unit_id: int, link: Link, feedback: Feedback
    ) -> None:
        super().__init__(text, unit_id, feedback)
        self._relations = catalogue.relations
        self._link = link
        self._relation_id: int | None = None

    def _relate(self) -> Changes:
        link = self._link
        self._relation_id = self._relations.relate(
            link.from_id,
            link.to_id,
            link.kind,
            similarity=link.similarity,
            note=link.note,
            found_by=link.found_by,
        ).id
        return Changes.of("Records linked", changed=[link.from_id, link.to_id])

    def _unrelate(self) -> Changes:
        if self._relation_id is not None:
            self._relations.remove(self._relation_id)
            self._relation_id = None
        return Changes.of("Link removed", changed=[self._link.from_id, self._link.to_id])


class AddRelation(_LinkCommand):
    def __init__(self, catalogue: Catalogue, unit_id: int, link: Link, feedback: Feedback) -> None:
        super().__init__(f"Link records ({link.kind})", catalogue, unit_id, link, feedback)

    def apply(self, report: Report) -> Changes:
        return self._relate()

    def revert(self, report: Report) -> Changes:
        return self._unrelate()


class RemoveRelation(_LinkCommand):
    """Undo links the records again (a new relation id, the same kind, note and origin)."""

    def __init__(
        self, catalogue: Catalogue, unit_id: int, relation: RelationRecord, feedback: Feedback
    ) -> None:
        super().__init__(
            f"Unlink records ({relation.kind})",
            catalogue,
            unit_id,
            Link.of(unit_id, relation),
            feedback,
        )
        self._relation_id = relation.id

    def apply(self, report: Report) -> Changes:
        return self._unrelate()

    def revert(self, report: Report) -> Changes:
        return self._relate()


def make_term(catalogue: Catalogue, kind: str, term: NewTerm) -> AgentRecord | TermRecord:
    """The agent (with its other names), place or subject a person gave, in the catalogue."""
    if kind == "agent":
        names = [AgentName(v, NameKind.VARIANT.value, None) for v in term.variants]
        return catalogue.agents.create(term.name, kind=term.kind, names=names)
    if kind == "place":
        return catalogue.terms.place(term.name, variants=term.variants)
    return catalogue.terms.subject(term.name)


class LinkNewTerm(LinkAccessPoint):
    """Link a name the catalogue did not know: its first write makes the agent, place or
    subject, then links it. Undo unlinks it; the name stays in the catalogue (as any name
    typed once does), and redo links that same one again. `made` is what was made."""

    def __init__(
        self,
        catalogue: Catalogue,
        unit_id: int,
        kind: str,
        term: NewTerm,
        role: str,
        feedback: Feedback,
    ) -> None:
        super().__init__(catalogue, unit_id, AccessPoint(kind, 0, term.name, role), feedback)
        self._catalogue = catalogue
        self._term = term
        self.made: AgentRecord | TermRecord | None = None

    def apply(self, report: Report) -> Changes:
        if self.made is not None:
            return super().apply(report)
        made = self.made = make_term(self._catalogue, self.point.kind, self._term)
        name = made.authorised_name if isinstance(made, AgentRecord) else made.name
        self.point = AccessPoint(self.point.kind, made.id, name, self.point.role)
        self._link()
        return self._changed(f"New {self.point.kind} {name} added")


def attach_original(service: OriginalsService, unit_id: int, path: Path) -> WriteOp[FileRecord]:
    """Adding the file at `path` to a record as one more original (not undoable: stored
    evidence stays); run it with `.run_in_background(lane)`."""

    def work(_report: Report) -> Outcome[FileRecord]:
        added = service.attach(unit_id, path)
        return Outcome(added, Changes.of("Original added", changed=[unit_id]))

    return WriteOp(work)
