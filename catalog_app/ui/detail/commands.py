"""What the Provenance and Relations tabs do to the catalogue: undoable service calls, and
work run off the GUI thread (hashing files, reading long texts).

A command makes its first service call when it is constructed, so bad input raises a
CatalogError there and the tab can explain it before anything reaches the undo stack;
the stack's first `redo()` is then a no-op. Later undo/redo calls that fail (the record was
deleted meanwhile) are shown in a dialog and the command is dropped from the stack.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QLabel

from catalog_app.domain.records import EventRecord, NewEvent, RelationRecord
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.errors import show_problem
from catalog_app.ui.undo import ServiceCommand

Notify = Callable[[int], None]  # called with the unit id after every change
EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(NewEvent))


class _ServiceCommand(ServiceCommand):
    """Applied by the subclass's constructor (so bad input is refused before anything is
    pushed); later redos apply again, undos revert. A refusal is shown in a dialog."""

    def __init__(self, text: str, catalogue: Catalogue, unit_id: int, notify: Notify) -> None:
        super().__init__(text)
        self._cat = catalogue
        self.unit_id = unit_id
        self._notify = notify
        self._applied = True  # the constructor of each subclass has just applied it

    def redo(self) -> None:
        if self._applied:
            return
        self._run(self._apply)
        self._applied = True

    def undo(self) -> None:
        self._run(self._revert)
        self._applied = False

    def _run(self, action: Callable[[], None]) -> None:
        self._attempt(action)
        self._notify(self.unit_id)

    def _refused(self, error: CatalogError) -> None:
        show_problem(None, f"Cannot {self.text().lower()}", error)

    def _apply(self) -> None:
        raise NotImplementedError

    def _revert(self) -> None:
        raise NotImplementedError


def new_event(event: EventRecord) -> NewEvent:
    """The fields of a recorded event a person or the program set (to record it again)."""
    return NewEvent(**{name: getattr(event, name) for name in EVENT_FIELDS})


class RecordEvent(_ServiceCommand):
    def __init__(self, catalogue: Catalogue, unit_id: int, event: NewEvent, notify: Notify) -> None:
        super().__init__(f"Add {event.event_type} event", catalogue, unit_id, notify)
        self._event = event
        self.record = catalogue.provenance.record(unit_id, event)

    def _apply(self) -> None:
        self.record = self._cat.provenance.record(self.unit_id, self._event)

    def _revert(self) -> None:
        self._cat.provenance.remove(self.record.id, reason="undo")


class UpdateEvent(_ServiceCommand):
    def __init__(
        self,
        catalogue: Catalogue,
        unit_id: int,
        before: EventRecord,
        changes: Mapping[str, Any],
        notify: Notify,
    ) -> None:
        super().__init__(f"Edit {before.event_type} event", catalogue, unit_id, notify)
        self.event_id = before.id
        self._changes = dict(changes)
        self._previous = {name: getattr(before, name) for name in changes}
        catalogue.provenance.update(before.id, self._changes)

    def _apply(self) -> None:
        self._cat.provenance.update(self.event_id, self._changes)

    def _revert(self) -> None:
        self._cat.provenance.update(self.event_id, self._previous)


class RemoveEvent(_ServiceCommand):
    """Undo records the event again: same fields, but a new id and recording time (the
    service has no way to bring a deleted row back; the audit log keeps both)."""

    def __init__(
        self, catalogue: Catalogue, unit_id: int, event: EventRecord, notify: Notify
    ) -> None:
        super().__init__(f"Remove {event.event_type} event", catalogue, unit_id, notify)
        self._event = new_event(event)
        self._event_id = event.id
        catalogue.provenance.remove(event.id)

    def _apply(self) -> None:
        self._cat.provenance.remove(self._event_id)

    def _revert(self) -> None:
        self._event_id = self._cat.provenance.record(self.unit_id, self._event).id


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


def _relate(catalogue: Catalogue, link: Link) -> int:
    relation = catalogue.relations.relate(
        link.from_id,
        link.to_id,
        link.kind,
        similarity=link.similarity,
        note=link.note,
        found_by=link.found_by,
    )
    return relation.id


class AddRelation(_ServiceCommand):
    def __init__(self, catalogue: Catalogue, unit_id: int, link: Link, notify: Notify) -> None:
        super().__init__(f"Link records ({link.kind})", catalogue, unit_id, notify)
        self._link = link
        self._relation_id = _relate(catalogue, link)

    def _apply(self) -> None:
        self._relation_id = _relate(self._cat, self._link)

    def _revert(self) -> None:
        self._cat.relations.remove(self._relation_id)


class RemoveRelation(_ServiceCommand):
    """Undo links the records again (a new relation id, the same kind, note and origin)."""

    def __init__(
        self, catalogue: Catalogue, unit_id: int, relation: RelationRecord, notify: Notify
    ) -> None:
        super().__init__(f"Unlink records ({relation.kind})", catalogue, unit_id, notify)
        self._link = Link.of(unit_id, relation)
        self._relation_id = relation.id
        catalogue.relations.remove(relation.id)

    def _apply(self) -> None:
        self._cat.relations.remove(self._relation_id)

    def _revert(self) -> None:
        self._relation_id = _relate(self._cat, self._link)


def push_applied(stack: QUndoStack, make: Callable[[], QUndoCommand], message: QLabel) -> bool:
    """Make a command (its constructor makes the service call) and push it on the stack; a
    refusal is shown in `message` and nothing is pushed."""
    try:
        command = make()
    except CatalogError as error:
        message.setText(str(error))
        return False
    stack.push(command)
    return True
