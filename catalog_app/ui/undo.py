"""Undoable edits of a record: each command's redo and undo is one call to the services.

Commands are pushed on the window's QUndoStack, so Ctrl+Z / Ctrl+Shift+Z work across records
for the whole session. A service call that fails (a CatalogError: a rule broken, the record
changed elsewhere, the catalogue locked) is reported through `Feedback.failed` and the command
marks itself obsolete, which makes the stack drop it instead of claiming the change happened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from catalog_app.domain.records import AssessmentRecord, NewAssessment, UnitDetail
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue


@dataclass(frozen=True)
class Feedback:
    """Where a command reports back: `done(unit_id)` after a write, `failed(message)` if not."""

    done: Callable[[int], None]
    failed: Callable[[str], None]


class ServiceCommand(QUndoCommand):
    """The base of every undoable step: a call the catalogue refuses (a CatalogError) is
    reported through `_refused` and makes the command obsolete, so the stack drops it
    instead of claiming the change happened."""

    def _attempt(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except CatalogError as exc:
            self.setObsolete(True)
            self._refused(exc)
            return False
        return True

    def _refused(self, error: CatalogError) -> None:
        raise NotImplementedError


class CatalogueCommand(ServiceCommand):
    """A command over one record whose redo and undo each perform one service call."""

    def __init__(self, text: str, unit_id: int, feedback: Feedback) -> None:
        super().__init__(text)
        self.unit_id = unit_id
        self._feedback = feedback

    def redo(self) -> None:
        self._run(self._redo)

    def undo(self) -> None:
        self._run(self._undo)

    def _run(self, action: Callable[[], None]) -> None:
        if self._attempt(action):
            self._feedback.done(self.unit_id)

    def _refused(self, error: CatalogError) -> None:
        self._feedback.failed(f"{self.text()}: {error}")

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


def _field_words(names: Mapping[str, Any]) -> str:
    shown = [name.replace("_", " ") for name in names if name != "title_source"]
    return shown[0] if len(shown) == 1 else f"{len(shown)} fields"


class EditFields(CatalogueCommand):
    """Change description fields; undo puts the old values back.

    `expected_version` (the version the form was showing) guards the first save only: if the
    record was saved elsewhere since, the service refuses instead of overwriting that change.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        unit_id: int,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        feedback: Feedback,
        *,
        expected_version: int | None = None,
    ) -> None:
        super().__init__(f"Edit {_field_words(new)}", unit_id, feedback)
        self._units = catalogue.units
        self.old = dict(old)
        self.new = dict(new)
        self._expected_version = expected_version

    def _redo(self) -> None:
        version, self._expected_version = self._expected_version, None
        self._units.update(self.unit_id, self.new, expected_version=version)

    def _undo(self) -> None:
        self._units.update(self.unit_id, self.old)


@dataclass(frozen=True)
class AccessPoint:
    """An agent, place or subject linked to a record (`role` only for agents)."""

    kind: str  # "agent", "place" or "subject"
    id: int
    name: str
    role: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class _AccessPointCommand(CatalogueCommand):
    def __init__(
        self, verb: str, catalogue: Catalogue, unit_id: int, point: AccessPoint, feedback: Feedback
    ) -> None:
        super().__init__(f"{verb} {point.kind} {point.label}", unit_id, feedback)
        self._units = catalogue.units
        self.point = point

    def _link(self) -> None:
        p, units = self.point, self._units
        if p.kind == "agent":
            units.link_agent(self.unit_id, p.id, p.role)
        elif p.kind == "place":
            units.link_place(self.unit_id, p.id)
        else:
            units.link_subject(self.unit_id, p.id)

    def _unlink(self) -> None:
        p, units = self.point, self._units
        if p.kind == "agent":
            units.unlink_agent(self.unit_id, p.id, p.role)
        elif p.kind == "place":
            units.unlink_place(self.unit_id, p.id)
        else:
            units.unlink_subject(self.unit_id, p.id)


class LinkAccessPoint(_AccessPointCommand):
    def __init__(
        self, catalogue: Catalogue, unit_id: int, point: AccessPoint, feedback: Feedback
    ) -> None:
        super().__init__("Add", catalogue, unit_id, point, feedback)

    def _redo(self) -> None:
        self._link()

    def _undo(self) -> None:
        self._unlink()


class UnlinkAccessPoint(_AccessPointCommand):
    def __init__(
        self, catalogue: Catalogue, unit_id: int, point: AccessPoint, feedback: Feedback
    ) -> None:
        super().__init__("Remove", catalogue, unit_id, point, feedback)

    def _redo(self) -> None:
        self._unlink()

    def _undo(self) -> None:
        self._link()


FIRST_ASSESSMENT_UNDO = (
    "the first assessment of a record cannot be taken back (the catalogue keeps every "
    "assessment); record a corrected one instead"
)


class AssessCommand(CatalogueCommand):
    """Record an assessment. Assessments are never changed or removed (MODEL.md), so undo
    records the previous current assessment again, which makes it current once more; the
    history keeps both. A record's first assessment cannot be undone this way."""

    def __init__(
        self,
        catalogue: Catalogue,
        unit_id: int,
        assessment: NewAssessment,
        feedback: Feedback,
        *,
        previous: AssessmentRecord | None,
    ) -> None:
        grade = f"{assessment.source_reliability.value}{int(assessment.information_credibility)}"
        super().__init__(f"Record assessment {grade}", unit_id, feedback)
        self._reliability = catalogue.reliability
        self.assessment = assessment
        self.previous = previous

    def _redo(self) -> None:
        self._reliability.assess(self.unit_id, self.assessment)

    def _undo(self) -> None:
        if self.previous is None:
            raise CatalogError(FIRST_ASSESSMENT_UNDO)
        again = NewAssessment(
            **{
                f.name: getattr(self.previous, f.name)
                for f in dataclasses.fields(NewAssessment)
                if f.name != "assessed_at"  # now, so that it is the current one again
            }
        )
        self._reliability.assess(self.unit_id, again)


class _RecordsCommand(ServiceCommand):
    """A command over records as a whole (creating, withdrawing): one service call each way."""

    def __init__(self, text: str, failed: Callable[[str], None]) -> None:
        super().__init__(text)
        self._failed = failed

    def _refused(self, error: CatalogError) -> None:
        self._failed(f"{self.text()}: {error}")


class CreateRecord(_RecordsCommand):
    """A new record (empty, or like another); undo deletes it again."""

    def __init__(
        self,
        catalogue: Catalogue,
        make: Callable[[Catalogue], UnitDetail],
        done: Callable[[int | None], None],
        failed: Callable[[str], None],
    ) -> None:
        super().__init__("New record", failed)
        self._catalogue = catalogue
        self._make = make
        self._done = done
        self.unit_id: int | None = None

    def redo(self) -> None:
        def create() -> None:
            self.unit_id = self._make(self._catalogue).id
            self._done(self.unit_id)

        self._attempt(create)

    def undo(self) -> None:
        def delete() -> None:
            if self.unit_id is not None:
                self._catalogue.units.delete(self.unit_id, reason="undo of a new record")
            self.unit_id = None
            self._done(None)

        self._attempt(delete)


class SetWithdrawn(_RecordsCommand):
    """Withdraw (or reinstate) records; undo reverses it for those it changed."""

    def __init__(
        self,
        catalogue: Catalogue,
        unit_ids: list[int],
        withdrawn: bool,
        done: Callable[[list[int]], None],
        failed: Callable[[str], None],
    ) -> None:
        verb = "Withdraw" if withdrawn else "Reinstate"
        super().__init__(f"{verb} {len(unit_ids):,} record(s)", failed)
        self._units = catalogue.units
        self._ids = unit_ids
        self._withdrawn = withdrawn
        self._done = done
        self._changed: list[int] = []

    def redo(self) -> None:
        def apply() -> None:
            self._changed = self._units.set_withdrawn(self._ids, self._withdrawn)
            self._done(self._changed)

        self._attempt(apply)

    def undo(self) -> None:
        def revert() -> None:
            self._units.set_withdrawn(self._changed, not self._withdrawn)
            self._done(self._changed)

        self._attempt(revert)
